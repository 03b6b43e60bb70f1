"""The ERP-export files: exact Chinese headers, encodings and formats the importer recognises.

customers.csv is GBK (as Kingdee/Yonyou write it), invoices.csv UTF-8 with a BOM, the rest plain
UTF-8. Dates are YYYY-MM-DD, money has exactly two decimals (integer fen turned into a polars Decimal,
never a float). The ledger files are appended chunk by chunk; document numbers are handed out in file
order by `DocumentNumbers`, so they do not depend on the chunk size either.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import BinaryIO

import numpy as np
import polars as pl

from fengkong.demo.financials import Statements
from fengkong.demo.ledger import CREDIT_NOTE_REASONS, SETTLEMENT_METHODS, Ledger
from fengkong.demo.names import concat, pick
from fengkong.demo.orders import ORDER_STATUSES, OpenOrders
from fengkong.demo.population import CustomerBook, calendar_year

HEADERS: dict[str, tuple[str, ...]] = {
    "customers.csv": ("客户编码", "客户名称", "统一社会信用代码", "行业", "行政区划代码", "所属集团编码", "所属集团",
                      "合作开始日期", "状态", "业务员", "联系人", "联系电话", "电子邮箱"),
    "invoices.csv": ("单据编号", "客户编码", "单据日期", "到期日", "金额", "未核销金额", "币种", "合同号", "争议"),
    "payments.csv": ("收款单号", "客户编码", "收款日期", "收款金额", "核销单据号", "核销金额", "结算方式"),
    "credit_notes.csv": ("红字单号", "客户编码", "单据日期", "金额", "原单据号", "原因"),
    "orders.csv": ("订单编号", "客户编码", "订单日期", "订单金额", "未发货金额", "币种", "状态"),
    "financials.csv": ("客户编码", "报告期", "流动资产", "流动负债", "资产总计", "负债合计", "营业收入", "净利润",
                       "所有者权益"),
    "truth.csv": ("customer_code", "hidden_risk", "defaulted", "default_date", "industry", "region"),
}
LEDGER_FILES = ("invoices.csv", "payments.csv", "credit_notes.csv")
CURRENCY = "CNY"


def money(fen: np.ndarray) -> pl.Series:
    """Integer fen as a two-decimal yuan column."""
    return pl.Series(fen, dtype=pl.Int64).cast(pl.Decimal(38, 2)) / 100


def dates(days: np.ndarray) -> pl.Series:
    return pl.Series(days, dtype=pl.Int32).cast(pl.Date)


def serials(prefix: str, numbers: np.ndarray, width: int) -> pl.Series:
    return concat(prefix, pl.Series(numbers, dtype=pl.Int64).cast(pl.String).str.zfill(width))


def flag(mask: np.ndarray, text: str) -> pl.Series:
    """`text` where `mask` holds, empty elsewhere."""
    return pl.select(pl.when(pl.lit(pl.Series(mask))).then(pl.lit(text))).to_series()


def header_line(name: str) -> bytes:
    return (",".join(HEADERS[name]) + "\n").encode("gbk" if name == "customers.csv" else "utf-8")


def frame(name: str, columns: list[pl.Series]) -> pl.DataFrame:
    return pl.DataFrame(dict(zip(HEADERS[name], columns, strict=True)))


def write_frame(path: Path, name: str, df: pl.DataFrame) -> None:
    with path.open("wb") as out:
        out.write(header_line(name))
        df.write_csv(out, include_header=False, float_precision=4)


def customers_frame(book: CustomerBook) -> pl.DataFrame:
    member = pl.Series(book.group >= 0)
    group = np.maximum(book.group, 0)
    no_text = pl.Series([None] * len(book), dtype=pl.String)
    return frame("customers.csv", [
        book.codes, book.names, book.credit_codes,
        pl.Series(book.section, dtype=pl.String), pl.Series(book.region, dtype=pl.String),
        book.group_codes.gather(group).zip_with(member, no_text) if len(book.group_codes) else no_text,
        book.group_names.gather(group).zip_with(member, no_text) if len(book.group_names) else no_text,
        dates(book.cooperation_start),
        pick(("正常", "停用"), book.stopped.astype(np.int64)),
        book.salesperson, book.contact, book.phone,
        concat("ar@", book.codes.str.to_lowercase(), ".example.cn"),
    ])


def write_customers(path: Path, book: CustomerBook) -> None:
    """GBK, like a Kingdee/Yonyou export."""
    body = customers_frame(book).write_csv(include_header=False)
    path.write_bytes(header_line("customers.csv") + body.encode("gbk"))


class DocumentNumbers:
    """Running document numbers in file order: AR<year><n> per year of issue, SK<n>, HZ<n>."""

    def __init__(self, expected_invoices: int):
        self.width = max(6, len(str(expected_invoices)))
        self.payment_width = max(8, len(str(3 * expected_invoices)))
        self.per_year: dict[int, int] = defaultdict(int)
        self.payments = 0
        self.credit_notes = 0

    def invoices(self, year: np.ndarray) -> pl.Series:
        number = np.empty(len(year), dtype=np.int64)
        for y in np.unique(year).tolist():
            mine = np.flatnonzero(year == y)
            number[mine] = self.per_year[y] + np.arange(1, len(mine) + 1)
            self.per_year[y] += len(mine)
        return concat("AR", pl.Series(year).cast(pl.String),
                      pl.Series(number).cast(pl.String).str.zfill(self.width))

    def next_payments(self, count: int) -> pl.Series:
        numbers = serials("SK", np.arange(self.payments + 1, self.payments + count + 1), self.payment_width)
        self.payments += count
        return numbers

    def next_credit_notes(self, count: int) -> pl.Series:
        numbers = serials("HZ", np.arange(self.credit_notes + 1, self.credit_notes + count + 1), self.width)
        self.credit_notes += count
        return numbers


class LedgerFiles:
    """invoices.csv, payments.csv and credit_notes.csv, open for appending one ledger chunk at a time."""

    def __init__(self, book: CustomerBook, paths: dict[str, Path]):
        self.book = book
        self.numbers = DocumentNumbers(int(book.invoice_offset[-1]))
        self.files: dict[str, BinaryIO] = {name: paths[name].open("wb") for name in LEDGER_FILES}
        self.files["invoices.csv"].write("\ufeff".encode())
        for name, out in self.files.items():
            out.write(header_line(name))

    def append(self, ledger: Ledger) -> None:
        invoice_numbers = self.write_invoices(ledger)
        self.write_payments(ledger, invoice_numbers)
        self.write_credit_notes(ledger, invoice_numbers)

    def write_invoices(self, ledger: Ledger) -> pl.Series:
        inv = ledger.invoices
        year = calendar_year(inv.issue_day)
        numbers = self.numbers.invoices(year)
        codes = self.book.codes.gather(inv.customer)
        frame("invoices.csv", [
            numbers, codes, dates(inv.issue_day), dates(inv.due_day), money(inv.amount), money(inv.open_amount),
            pl.repeat(CURRENCY, len(year), eager=True), self.contract_numbers(codes, inv.customer, inv.issue_day),
            flag(inv.disputed, "是"),
        ]).write_csv(self.files["invoices.csv"], include_header=False)
        return numbers

    def contract_numbers(self, codes: pl.Series, customer: np.ndarray, issue_day: np.ndarray) -> pl.Series:
        """HT-<customer>-<year>-<nn>: bigger customers sign a new contract every half-year or quarter."""
        size = self.book.size[customer]
        months_per_contract = np.where(size > 1, 3, np.where(size > 0, 6, 12))
        month = issue_day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
        seq = pl.Series(1 + month // months_per_contract).cast(pl.String).str.zfill(2)
        return concat("HT-", codes, "-", pl.Series(calendar_year(issue_day)).cast(pl.String), "-", seq)

    def write_payments(self, ledger: Ledger, invoice_numbers: pl.Series) -> None:
        alloc, pay = ledger.allocations, ledger.payments
        payment_numbers = self.numbers.next_payments(len(pay.day))
        p = alloc.payment
        frame("payments.csv", [
            payment_numbers.gather(p), self.book.codes.gather(pay.customer[p]), dates(pay.day[p]),
            money(pay.total[p]), invoice_numbers.gather(alloc.invoice), money(alloc.amount),
            pick(SETTLEMENT_METHODS, pay.settlement[p]),
        ]).write_csv(self.files["payments.csv"], include_header=False)

    def write_credit_notes(self, ledger: Ledger, invoice_numbers: pl.Series) -> None:
        notes = ledger.credit_notes
        frame("credit_notes.csv", [
            self.numbers.next_credit_notes(len(notes.day)),
            self.book.codes.gather(ledger.invoices.customer[notes.invoice]), dates(notes.day), money(notes.amount),
            invoice_numbers.gather(notes.invoice), pick(CREDIT_NOTE_REASONS, notes.reason),
        ]).write_csv(self.files["credit_notes.csv"], include_header=False)

    def close(self) -> None:
        for out in self.files.values():
            out.close()


def orders_frame(book: CustomerBook, orders: OpenOrders) -> pl.DataFrame:
    n = len(orders.day)
    return frame("orders.csv", [
        serials("SO", np.arange(1, n + 1), max(6, len(str(n)))), book.codes.gather(orders.customer),
        dates(orders.day), money(orders.amount), money(orders.unshipped), pl.repeat(CURRENCY, n, eager=True),
        pick(ORDER_STATUSES, orders.status),
    ])


def financials_frame(book: CustomerBook, s: Statements) -> pl.DataFrame:
    year_end = pl.select(pl.date(pl.lit(pl.Series(s.year, dtype=pl.Int32)), 12, 31)).to_series()
    return frame("financials.csv", [
        book.codes.gather(s.customer), year_end, money(s.current_assets), money(s.current_liabilities),
        money(s.total_assets), money(s.total_liabilities), money(s.revenue), money(s.net_profit), money(s.equity),
    ])


def truth_frame(book: CustomerBook) -> pl.DataFrame:
    default_day = np.where(book.defaulted, book.default_day, 0)
    return frame("truth.csv", [
        book.codes, pl.Series(np.round(book.risk, 4)), pl.Series(book.defaulted.astype(np.int8)),
        dates(default_day).zip_with(pl.Series(book.defaulted), pl.Series([None] * len(book), dtype=pl.Date)),
        pl.Series(book.section, dtype=pl.String), pl.Series(book.region, dtype=pl.String),
    ])
