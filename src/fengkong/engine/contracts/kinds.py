"""The clause types, the rules that recognise them, and the values read out of a clause.

The rules are cues a lawyer would underline (所有权保留, "title shall not pass", 交叉违约 …); the trained model
(model.py) catches the paraphrases the cues miss. Values are read by rules only: days, rates, amounts, the
guarantor, the court or arbitration body.
"""

from __future__ import annotations

import re
from collections.abc import Callable

TYPES = (
    "payment_terms", "late_payment_interest", "liquidated_damages", "breach_liability", "retention_of_title",
    "cross_default", "guarantee", "acceptance_period", "termination", "limitation_of_liability",
    "governing_law", "dispute_resolution", "set_off", "assignment", "confidentiality", "force_majeure",
)

_I = re.IGNORECASE
CUES: dict[str, list[re.Pattern[str]]] = {name: [re.compile(p, _I) for p in patterns] for name, patterns in {
    "payment_terms": [r"(付款|支付|结算|付清|回款)[^。；\n]{0,30}(方式|期限|条件|账期|日内|天内|个工作日|月结)",
                      r"月结\s*\d+|账期|结算周期|款到发货|货到付款|(个)?(工作日|日|天)(内|之内)(付款|支付|付清)", r"预付款|首付款|尾款|进度款|余款",
                      r"^(?!.*(违约金|滞纳金|逾期|迟延|延迟|拖欠|扣除|抵销|抵扣|所有权|抵押|质押|赔偿))(?:.*)((付款|付清|支付|汇入)[^。；\n]{0,40}"
                      r"(货款|价款|全款|款项|账户)|(货款|价款)[^。；\n]{0,30}(付款|付清|支付|结清))",
                      r"\b(payment terms?|terms of payment|remit payment|payable on|net \d+|shall (be )?pa(y|id)[^.]{0,60}within \d+|invoices? (are|is|shall be) "
                      r"(due|payable)|advance payment|down payment|balance (payment|shall be paid))"],
    "late_payment_interest": [r"(逾期|迟延|延迟)(付款|支付|还款)[^。；\n]{0,40}(利息|滞纳金|万分之|千分之|LPR|每日|按日)",
                              r"滞纳金|逾期利息|资金占用(费|利息)",
                              r"\b(late payment|overdue (amounts?|sums?|payments?))[^.]{0,80}\b(interest|per annum|per month)",
                              r"\binterest (on|at)[^.]{0,40}(overdue|late|unpaid)"],
    "liquidated_damages": [r"违约金", r"\bliquidated damages\b", r"\b(penalty|agreed damages) of\b"],
    "breach_liability": [r"违约责任", r"(违约|违反本合同)[^。；\n]{0,30}(赔偿|承担|责任|损失)",
                         r"\b(in breach|breach of (this|the) (agreement|contract)|defaulting party|event of default)\b",
                         r"\bbreach(es)?\b[^.]{0,60}\b(liable|compensate|indemnif)"],
    "retention_of_title": [r"所有权(保留|归属|仍属|仍归|属于卖方|属于甲方|属于供方|转移)",
                           r"(付清|支付完毕|全部款项)[^。；\n]{0,40}(前|之前)[^。；\n]{0,30}所有权",
                           r"\b(retention of title|title (to|in) the (goods|products)|title shall (not )?pass|"
                           r"ownership of the (goods|products)[^.]{0,40}(remain|pass)|retain(s)? (title|ownership))"],
    "cross_default": [r"交叉违约", r"(其他|任何)[^。；\n]{0,20}(合同|协议|债务)[^。；\n]{0,30}违约[^。；\n]{0,40}(视为|构成)",
                      r"\bcross[- ]default\b",
                      r"\bdefault[^.]{0,40}under any other (agreement|contract)"],
    "guarantee": [r"连带(责任)?保证|保证(人|担保|责任|期间)|担保(人|方|函)|提供[^。；\n]{0,10}担保|保函|抵押|质押|履约保证金|反担保",
                  r"\b(guarantor|guarantee[sd]?|surety|bank guarantee|standby letter of credit|collateral|pledge|"
                  r"mortgage|security deposit|performance bond)\b"],
    "acceptance_period": [r"验收", r"\b(acceptance|inspect(ion)? (period|of the goods))\b", r"\bdeemed (to have been )?accepted\b"],
    "termination": [r"(解除|终止)(本)?(合同|协议)", r"合同(解除|终止)",
                    r"\bterminat(e|ion|ed)\b[^.]{0,40}\b(agreement|contract)\b|\b(agreement|contract)\b[^.]{0,40}\bterminat"],
    "limitation_of_liability": [r"责任(上限|限额|以[^。；\n]{0,20}为限|不超过)|赔偿(总额|责任)[^。；\n]{0,30}(不超过|为限|上限)|间接损失",
                                r"\b(limitation of liability|aggregate liability|in no event[^.]{0,40}liable|"
                                r"indirect or consequential|shall not exceed)\b"],
    "governing_law": [r"适用[^。；\n]{0,10}法律|(适用|受)[^。；\n]{0,15}(中华人民共和国|中国)[^。；\n]{0,10}法律(管辖|约束)?|法律适用",
                      r"\b(governed by|governing law|construed in accordance with)\b"],
    "dispute_resolution": [r"争议|纠纷[^。；\n]{0,40}(协商|诉讼|仲裁|法院)|人民法院|仲裁委员会|仲裁",
                           r"\b(dispute|arbitration|arbitral|courts? of|jurisdiction)\b"],
    "set_off": [r"抵销|抵扣|扣除[^。；\n]{0,20}(应付|货款|款项)|冲抵", r"\bset[- ]?off\b|\bnetting\b|\bdeduct[^.]{0,40}from (any )?(amounts?|sums?) (due|payable)"],
    "assignment": [r"转让[^。；\n]{0,30}(权利|义务|债权|本合同)|(权利|义务|债权)[^。；\n]{0,20}转让|保理",
                   r"\bassign(ment)?\b|\btransfer (its|any of its) (rights|obligations)\b|\bfactor(ing)?\b"],
    "confidentiality": [r"保密|商业秘密|泄露", r"\b(confidential(ity)?|non-disclosure|trade secrets?)\b"],
    "force_majeure": [r"不可抗力|不能预见、不能避免|无法控制的原因|自然灾害",  r"\b(force majeure|act(s)? of god|(beyond|outside) (its|their|the) reasonable control|natural disasters?|"
                      r"earthquakes?|typhoons?|pandemics?|epidemics?)\b"],
}.items()}

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
NUM = r"(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百]+)"


def cn_int(token: str) -> int | None:
    """'60' → 60, '六十' → 60, '一百二十' → 120, '十五' → 15."""
    if token.isdigit():
        return int(token)
    total, current = 0, 0
    for ch in token:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def _number(token: str) -> float | None:
    try:
        return float(token)
    except ValueError:
        value = cn_int(token)
        return float(value) if value is not None else None


DAYS = [re.compile(p, _I) for p in (
    rf"{NUM}\s*(?:个)?(?:自然日|日历日|工作日|天|日)(?:内|之内|以内)?",
    r"月结\s*(\d+)",
    r"\bnet\s+(\d+)\b", r"\bwithin\s+(\d+)\s*(?:\(\w+\)\s*)?(?:calendar |business |working )?days?\b",
    r"\b(\d+)\s*(?:calendar |business |working )?days?\s+(?:after|from|of|following)\b",
)]
METHODS = [
    ("bank_acceptance_bill", r"银行承兑汇票|银承|bank acceptance (bill|draft)"),
    ("commercial_acceptance_bill", r"商业承兑汇票|商票|commercial acceptance (bill|draft)"),
    ("letter_of_credit", r"信用证|letter of credit|\bL/C\b"),
    ("bank_transfer", r"电汇|银行转账|转账|\bT/T\b|wire transfer|bank transfer|telegraphic transfer"),
    ("cash", r"现金|\bin cash\b"),
    ("cheque", r"支票|\bcheque|\bcheck\b"),
]
PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%|百分之([零〇一二两三四五六七八九十百]+)")
MILESTONE_WORDS = re.compile(
    r"预付|首付|签订|签约|发货|交货|到货|验收|质保|尾款|进度|安装|调试|"
    r"\b(signing|advance|delivery|shipment|acceptance|commissioning|installation|warranty|retention|balance)\b", _I)
RATE = [
    (re.compile(r"(?:每日|每天|日|按日)[^。；\n]{0,8}?(万分之|千分之|百分之)([零〇一二两三四五六七八九十百\d.]+)"), "day"),
    (re.compile(r"(万分之|千分之|百分之)([零〇一二两三四五六七八九十百\d.]+)[^。；\n]{0,6}?(?:每日|每天|/日|/天)"), "day"),
    (re.compile(r"(?:日|每日|每天)(?:利率|费率)?\s*(\d+(?:\.\d+)?)\s*%"), "day"),
    (re.compile(r"(\d+(?:\.\d+)?)\s*%\s*(?:per day|a day|daily)", _I), "day"),
    (re.compile(r"(\d+(?:\.\d+)?)\s*%\s*(?:per month|a month|monthly)", _I), "month"),
    (re.compile(r"(?:月利率|每月)\s*(\d+(?:\.\d+)?)\s*%"), "month"),
    (re.compile(r"(\d+(?:\.\d+)?)\s*%\s*(?:per annum|a year|per year|annually)", _I), "year"),
    (re.compile(r"(?:年利率|年化)\s*(\d+(?:\.\d+)?)\s*%"), "year"),
]
FRACTION = {"万分之": 10000, "千分之": 1000, "百分之": 100}
LPR = re.compile(r"LPR|贷款市场报价利率|同期(银行)?贷款利率", _I)
AMOUNT = re.compile(
    r"(?:人民币|RMB|CNY|¥|￥|USD|US\$|\$|EUR|€)\s*([\d,]+(?:\.\d+)?)\s*(万|亿)?\s*(?:元)?|([\d,]+(?:\.\d+)?)\s*(万|亿)?元", _I)
SHARE_OF_PRICE = re.compile(
    r"(?:合同(?:总价|总额|金额|价款)|货款总额|总价款|未付(?:款项|金额)|contract (?:price|value|amount)|"
    r"(?:the )?(?:total )?price)[^。；\n]{0,12}?(?:的)?\s*(\d+(?:\.\d+)?)\s*%|"
    r"(\d+(?:\.\d+)?)\s*%\s*of the (?:total )?(?:contract )?(?:price|value|amount)", _I)
GUARANTEE_KINDS = [
    ("joint_and_several", r"连带责任保证|连带保证|连带责任|joint(ly)? and several(ly)?"),
    ("general_guarantee", r"一般保证"),
    ("bank_guarantee", r"银行保函|保函|bank guarantee|standby letter of credit|\bSBLC\b"),
    ("mortgage", r"抵押|mortgage"),
    ("pledge", r"质押|pledge"),
    ("deposit", r"保证金|security deposit|performance bond"),
    ("third_party", r"第三方|third[- ]party"),
]
COMPANY = r"[\u4e00-\u9fff（）()A-Za-z0-9]{2,40}?(?:有限责任公司|股份有限公司|有限公司|集团|银行[\u4e00-\u9fff]{0,8}?(?:分行|支行)?|公司)"
GUARANTOR = [
    re.compile(rf"(?:^|[。；，,:：\s])(?:第[^条]{{1,4}}条\s*)?(?:担保\s*)?({COMPANY})(?:自愿|同意|作为保证人)?(?:为|对)[^。；\n]{{0,30}}(?:保证|担保)"),
    re.compile(r"(?:由|保证人[：:为]?|担保人[：:为]?|担保方[：:为]?)\s*([\u4e00-\u9fff（）()A-Za-z0-9]{2,40}?(?:有限责任公司|股份有限公司|有限公司|集团|银行|公司))"),
    re.compile(r"\b(?:[Gg]uarantor|by)\s*[:,]?\s*((?:[A-Z][\w&.-]*\s){0,6}(?:Ltd\.?|Limited|Inc\.?|Co\.?,? Ltd\.?|"
               r"LLC|GmbH|PLC|Bank(?: of [A-Z]\w+)?))"),
]
COURT = re.compile(r"([\u4e00-\u9fff]{0,20}(?:所在地|住所地)?(?:有管辖权的)?人民法院)|\bcourts? of ([A-Z][\w ]{1,40}?)(?=[,.;]| shall| which|$)")
ARBITRATION = re.compile(
    r"([\u4e00-\u9fff]{2,20}(?:仲裁委员会|仲裁中心|仲裁院))|\b(China International Economic and Trade Arbitration "
    r"Commission|CIETAC|Shanghai International Arbitration Centre|SHIAC|Hong Kong International Arbitration Centre|"
    r"HKIAC|Singapore International Arbitration Centre|SIAC|ICC|International Chamber of Commerce)\b")
LAWS = [("PRC", r"中华人民共和国|中国(大陆)?法律|People's Republic of China|\bPRC\b|laws of China"),
        ("Hong Kong", r"香港|Hong Kong"), ("England and Wales", r"England|English law"),
        ("Singapore", r"新加坡|Singapore"), ("New York", r"New York")]
DEEMED = re.compile(r"视为(验收合格|已验收|验收通过|接受|认可)|视同验收|deemed (to have been )?accept|deemed (to be )?approved", _I)
CAP_WORDS = re.compile(r"(不超过|以|上限为?|限于)[^。；\n]{0,30}|shall not exceed[^.]{0,60}|limited to[^.]{0,60}", _I)


def has_cue(kind: str, text: str) -> bool:
    return any(p.search(text) for p in CUES[kind])


def _days(text: str) -> int | None:
    for pattern in DAYS:
        for match in pattern.finditer(text):
            value = cn_int(match.group(1)) if not match.group(1).replace(".", "").isdigit() else int(float(match.group(1)))
            if value and 0 < value <= 720:
                return value
    return None


def _first(options: list[tuple[str, str]], text: str) -> list[str]:
    return [name for name, pattern in options if re.search(pattern, text, _I)]


def _percents(text: str) -> list[float]:
    out = []
    for m in PERCENT.finditer(text):
        value = float(m.group(1)) if m.group(1) else float(cn_int(m.group(2)) or 0)
        out.append(value)
    return out


def _rate(text: str) -> dict[str, object] | None:
    for pattern, per in RATE:
        m = pattern.search(text)
        if not m:
            continue
        if m.lastindex and m.lastindex >= 2 and m.group(1) in FRACTION:
            value = _number(m.group(2))
            if value is None:
                continue
            return {"rate": round(value / FRACTION[m.group(1)], 8), "per": per}
        return {"rate": round(float(m.group(1)) / 100, 8), "per": per}
    if LPR.search(text):
        return {"rate": None, "per": "year", "reference": "LPR"}
    return None


def _amount(text: str) -> float | None:
    for m in AMOUNT.finditer(text):
        digits, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        try:
            value = float(digits.replace(",", ""))
        except ValueError:
            continue
        value *= {"万": 10_000, "亿": 100_000_000}.get(unit or "", 1)
        if value > 0:
            return value
    return None


def _payment_values(text: str) -> dict[str, object]:
    values: dict[str, object] = {"days": _days(text), "method": _first(METHODS, text)}
    milestones = []
    for part in re.split(r"[；;，,。\n]|(?<=\.)\s", text):
        shares = _percents(part)
        word = MILESTONE_WORDS.search(part)
        if shares and word:
            milestones.append({"share": shares[0], "event": word.group(0).lower()})
    values["milestones"] = milestones
    return values


def _ld_values(text: str) -> dict[str, object]:
    share = SHARE_OF_PRICE.search(text)
    rate = _rate(text)
    return {"rate": rate, "share_of_price": float(share.group(1) or share.group(2)) if share else None,
            "amount": _amount(text) if not share else None}


def _guarantee_values(text: str) -> dict[str, object]:
    guarantor = None
    for pattern in GUARANTOR:
        m = pattern.search(text)
        if m:
            guarantor = m.group(1).strip()
            break
    return {"kind": _first(GUARANTEE_KINDS, text), "guarantor": guarantor}


def _dispute_values(text: str) -> dict[str, object]:
    arbitration = ARBITRATION.search(text)
    court = COURT.search(text)
    if arbitration and (not court or "仲裁" in text or re.search(r"arbitrat", text, _I)):
        return {"forum": "arbitration", "venue": _venue(arbitration.group(1) or arbitration.group(2))}
    if court:
        return {"forum": "court", "venue": _venue(court.group(1) or court.group(2) or "") or None}
    if re.search(r"仲裁|arbitrat", text, _I):
        return {"forum": "arbitration", "venue": None}
    if re.search(r"诉讼|法院|court|litigation", text, _I):
        return {"forum": "court", "venue": None}
    return {"forum": None, "venue": None}


VENUE_LEAD = re.compile(r"^(?:[\u4e00-\u9fff]*?(?:提交|提起诉讼|起诉|交由|提请|申请|均由|由|向))+")


def _venue(raw: str) -> str:
    venue = raw.strip()
    stripped = VENUE_LEAD.sub("", venue)
    return stripped if len(stripped) >= 4 else venue


def _law_values(text: str) -> dict[str, object]:
    laws = _first(LAWS, text)
    return {"law": laws[0] if laws else None}


def _acceptance_values(text: str) -> dict[str, object]:
    return {"days": _days(text), "deemed_acceptance": bool(DEEMED.search(text))}


def _limitation_values(text: str) -> dict[str, object]:
    cap = CAP_WORDS.search(text)
    window = cap.group(0) if cap else ""
    share = SHARE_OF_PRICE.search(window) or SHARE_OF_PRICE.search(text) if cap else None
    return {"cap_share_of_price": float(share.group(1) or share.group(2)) if share else None,
            "cap_amount": _amount(window) if window and not share else None,
            "excludes_indirect": bool(re.search(r"间接损失|indirect|consequential", text, _I))}


VALUES: dict[str, Callable[[str], dict[str, object]]] = {
    "payment_terms": _payment_values,
    "late_payment_interest": lambda text: {"rate": _rate(text)},
    "liquidated_damages": _ld_values,
    "guarantee": _guarantee_values,
    "acceptance_period": _acceptance_values,
    "limitation_of_liability": _limitation_values,
    "governing_law": _law_values,
    "dispute_resolution": _dispute_values,
}


def values_of(kind: str, text: str) -> dict[str, object]:
    reader = VALUES.get(kind)
    return reader(text) if reader else {}
