"""What each kind of ERP file carries: its fields, their types, and the headers ERPs use for them.

Design decisions:
- One table per kind of file, so adding an ERP's header spelling is a one-line change here.
- Headers are matched after `normalise_header` (NFKC, lower case, no spaces or punctuation), so
  "Invoice No.", "invoice_no" and "INVOICE NO" are one header, as are full-width and half-width forms.
- A field's `label` is what a credit manager reads in an error message: the usual Chinese header and the
  English name, so the message makes sense whichever language the file was written in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

TEXT, DATE, MONEY, BOOL, RATE = "text", "date", "money", "bool", "rate"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    aliases: tuple[str, ...]
    required: bool = False
    max_length: int | None = None
    signed: bool = False  # money that may be negative (net profit, equity)

    @property
    def label(self) -> str:
        return f"{self.aliases[0]} ({self.aliases[1]})" if len(self.aliases) > 1 else self.aliases[0]


def _f(name, type_, *aliases, required=False, max_length=None, signed=False) -> Field:
    return Field(name, type_, aliases, required, max_length, signed)


CUSTOMER_CODE = ("客户编码", "customer code", "客户代码", "客户编号", "customer_code", "customer id", "customer no",
                 "客户号", "customer")
CURRENCY = _f("currency", TEXT, "币种", "currency", "币别", "货币", "currency code", "币种代码")

FIELDS: dict[str, tuple[Field, ...]] = {
    "customers": (
        _f("code", TEXT, "客户编码", "customer code", "客户代码", "客户编号", "customer_code", "customer id",
           "customer no", "客户号", required=True, max_length=40),
        _f("name", TEXT, "客户名称", "customer name", "客户全称", "名称", "company name", "name", required=True,
           max_length=200),
        _f("credit_code", TEXT, "统一社会信用代码", "unified social credit code", "信用代码", "社会信用代码",
           "credit code", "uscc"),
        _f("industry", TEXT, "行业", "industry", "所属行业", "行业门类", "行业分类"),
        _f("region", TEXT, "行政区划代码", "region code", "地区编码", "区划代码", "地区代码", "region"),
        _f("group_code", TEXT, "所属集团编码", "group code", "集团编码", "parent code", "parent group code",
           max_length=40),
        _f("group_name", TEXT, "所属集团", "group name", "集团名称", "所属集团名称", "group", "parent group",
           max_length=200),
        _f("cooperation_start", DATE, "合作开始日期", "cooperation start", "合作日期", "合作起始日期",
           "customer since", "since"),
        _f("status", TEXT, "状态", "status", "客户状态"),
        _f("salesperson", TEXT, "业务员", "salesperson", "销售员", "销售代表", "sales rep", "sales",
           max_length=80),
        _f("contact_name", TEXT, "联系人", "contact name", "contact", "contact person", max_length=80),
        _f("contact_phone", TEXT, "联系电话", "contact phone", "电话", "手机", "phone", "telephone", "mobile",
           max_length=40),
        _f("contact_email", TEXT, "电子邮箱", "email", "邮箱", "e-mail", "contact email", max_length=254),
        _f("portfolio", TEXT, "组合", "portfolio", "客户组合", "组合编码", "portfolio code"),
        _f("bank_name", TEXT, "开户银行", "bank name", "开户行", "开户银行名称", "bank", max_length=120),
        _f("bank_account", TEXT, "银行账号", "bank account", "银行帐号", "开户账号", "account number",
           max_length=40),
    ),
    "invoices": (
        _f("number", TEXT, "单据编号", "invoice number", "发票号", "单号", "发票号码", "应收单号", "invoice no",
           "invoice", "document no", required=True, max_length=60),
        _f("customer_code", TEXT, *CUSTOMER_CODE, required=True),
        _f("issue_date", DATE, "单据日期", "issue date", "开票日期", "业务日期", "发票日期", "invoice date",
           "document date", required=True),
        _f("due_date", DATE, "到期日", "due date", "到期日期", "应收日期", "收款到期日", required=True),
        _f("amount", MONEY, "金额", "amount", "价税合计", "应收金额", "发票金额", "invoice amount", required=True),
        _f("open_amount", MONEY, "未核销金额", "open amount", "未收金额", "余额", "未收款金额", "balance",
           "outstanding", "amount due"),
        CURRENCY,
        _f("contract_ref", TEXT, "合同号", "contract", "合同编号", "contract no", "contract number",
           max_length=80),
        _f("disputed", BOOL, "争议", "disputed", "是否争议", "dispute"),
        _f("source", TEXT, "来源", "source", max_length=40),
    ),
    "payments": (
        _f("number", TEXT, "收款单号", "receipt number", "收款单编号", "单据编号", "receipt no", "payment no",
           "payment number", required=True, max_length=60),
        _f("customer_code", TEXT, *CUSTOMER_CODE, required=True),
        _f("payment_date", DATE, "收款日期", "payment date", "单据日期", "receipt date", required=True),
        _f("amount", MONEY, "收款金额", "payment amount", "金额", "amount", required=True),
        _f("allocated_invoice", TEXT, "核销单据号", "allocated invoice", "核销发票号", "核销单号", "invoice no",
           "invoice number", "applied to"),
        _f("allocated_amount", MONEY, "核销金额", "allocated amount", "本次核销金额", "applied amount"),
        CURRENCY,
        _f("method", TEXT, "结算方式", "method", "收款方式", "payment method", max_length=40),
    ),
    "credit-notes": (
        _f("number", TEXT, "红字单号", "credit note number", "红字发票号", "贷项通知单号", "单据编号",
           "credit note no", required=True, max_length=60),
        _f("customer_code", TEXT, *CUSTOMER_CODE, required=True),
        _f("issue_date", DATE, "单据日期", "issue date", "开票日期", "credit note date", "date", required=True),
        _f("amount", MONEY, "金额", "amount", "红字金额", "credit amount", required=True),
        _f("invoice_number", TEXT, "原单据号", "original invoice", "原发票号", "原单号", "invoice no",
           "invoice number"),
        _f("reason", TEXT, "原因", "reason", "红冲原因", max_length=200),
        CURRENCY,
    ),
    "orders": (
        _f("number", TEXT, "订单编号", "order number", "订单号", "销售订单号", "order no", required=True,
           max_length=60),
        _f("customer_code", TEXT, *CUSTOMER_CODE, required=True),
        _f("order_date", DATE, "订单日期", "order date", "下单日期", "date", required=True),
        _f("amount", MONEY, "订单金额", "order amount", "金额", "amount", required=True),
        _f("open_amount", MONEY, "未发货金额", "open amount", "未交货金额", "unshipped amount"),
        CURRENCY,
        _f("status", TEXT, "状态", "status", "订单状态", "order status"),
    ),
    "financials": (
        _f("customer_code", TEXT, *CUSTOMER_CODE, required=True),
        _f("period_end", DATE, "报告期", "period end", "报表期间", "期间", "会计期间", "period", "report period",
           required=True),
        _f("current_assets", MONEY, "流动资产", "current assets", "流动资产合计"),
        _f("current_liabilities", MONEY, "流动负债", "current liabilities", "流动负债合计", signed=True),
        _f("total_assets", MONEY, "资产总计", "total assets", "资产合计", "总资产"),
        _f("total_liabilities", MONEY, "负债合计", "total liabilities", "总负债", "负债总计", signed=True),
        _f("revenue", MONEY, "营业收入", "revenue", "营业总收入", "收入", "sales", signed=True),
        _f("net_profit", MONEY, "净利润", "net profit", "net income", signed=True),
        _f("equity", MONEY, "所有者权益", "equity", "所有者权益合计", "股东权益", "total equity", signed=True),
    ),
    "fx-rates": (   # docs/currencies.md: units of the functional currency per unit of `currency`
        _f("date", DATE, "日期", "date", "汇率日期", "rate date", "生效日期", "effective date", required=True),
        _f("currency", TEXT, "币种", "currency", "币别", "货币", "外币", "currency code", "币种代码",
           required=True),
        _f("rate", RATE, "汇率", "rate", "折算汇率", "exchange rate", "中间价", "fx rate", "记账汇率",
           required=True),
        _f("source", TEXT, "来源", "source", "汇率来源", max_length=80),
    ),
}

KINDS = tuple(FIELDS)
_PUNCTUATION = re.compile(r"[\s_\-./:：()（）\[\]【】*#'\"`]+")


def normalise_header(header: str) -> str:
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", header or "")).lower()


def fields_of(kind: str) -> dict[str, Field]:
    return {f.name: f for f in FIELDS[kind]}


def alias_index(kind: str) -> dict[str, str]:
    """normalised header → field name, for one kind of file."""
    index: dict[str, str] = {}
    for field in FIELDS[kind]:
        for alias in field.aliases:
            index.setdefault(normalise_header(alias), field.name)
    return index
