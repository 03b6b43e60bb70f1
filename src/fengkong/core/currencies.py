"""Currencies: the ISO 4217 codes in use today, the names and signs ERP files write them with, the
functional currency every threshold, limit and sum is kept in.

Design decisions:
- The codes come from babel's CLDR data (the currencies legal tender in some territory today), not from
  a table of our own: a file in any real currency passes, a typo does not.
- A file may say 人民币, 美元, RMB, "US Dollar" or a sign: the Chinese and English names CLDR gives and a
  few ERP spellings (港币, 美金, RMB) are accepted and written as the code. A sign is accepted only
  where it names one currency: € £ US$ HK$ JP¥; ¥ and ￥ are the RMB sign in a Chinese ledger (CNY);
  a bare $ is refused, since it is the sign of the US, Hong Kong, Singapore, Australian … dollar.
- The functional currency is settings.FUNCTIONAL_CURRENCY (CNY unless set); DEFAULT_CURRENCY is the
  same value, kept for older callers.
"""

from __future__ import annotations

import functools
from datetime import date

from babel import Locale
from babel.numbers import get_currency_name, get_territory_currencies
from django.conf import settings
from django.utils.translation import gettext as _

AMBIGUOUS_SIGNS = {"$": "USD, HKD, SGD, AUD, CAD, TWD", "元": "CNY, HKD, TWD", "圆": "CNY, JPY"}
EXTRA_ALIASES = {
    "RMB": "CNY", "人民币元": "CNY", "¥": "CNY", "￥": "CNY", "美金": "USD", "US$": "USD", "港币": "HKD",
    "港幣": "HKD", "HK$": "HKD", "日圆": "JPY", "日币": "JPY", "JP¥": "JPY", "円": "JPY", "€": "EUR",
    "£": "GBP", "英磅": "GBP", "新台币": "TWD", "NT$": "TWD", "澳币": "AUD", "A$": "AUD", "韩币": "KRW", "₩": "KRW",
}


def functional_currency() -> str:
    """The currency thresholds, limits, exposure, aging sums and KPIs are in (settings.FUNCTIONAL_CURRENCY)."""
    return settings.FUNCTIONAL_CURRENCY


@functools.cache
def iso_codes() -> frozenset[str]:
    """ISO 4217 codes legal tender somewhere today (CLDR), plus the functional currency."""
    codes: set[str] = set()
    for territory in Locale("en").territories:
        # a territory without currency data gives [] (every territory of babel 2.19's CLDR answers)
        codes.update(get_territory_currencies(territory, start_date=date.today(), tender=True))  # noqa: DTZ011 - which currencies exist, not a business date
    return frozenset(codes)


@functools.cache
def aliases() -> dict[str, str]:
    """Upper-cased name, spelling or sign → ISO code."""
    found: dict[str, str] = {}
    for code in sorted(iso_codes()):
        for locale in ("zh", "zh_Hant", "en"):
            found.setdefault(get_currency_name(code, locale=locale).upper(), code)
    found.update({k.upper(): v for k, v in EXTRA_ALIASES.items()})
    return found


def normalise(value: str | None) -> str | None:
    """The ISO code a cell means, or None when it names no currency (see problem())."""
    if value is None:
        return None
    text = str(value).strip().upper()
    if text in iso_codes():
        return text
    return aliases().get(text)


def problem(value: str) -> str | None:
    """Why a cell is not a currency (None when it is one)."""
    if normalise(value) is not None:
        return None
    text = str(value).strip()
    if text in AMBIGUOUS_SIGNS:
        return _("ambiguous: %(sign)s is the sign of several currencies (%(codes)s); write the ISO 4217 code") % {
            "sign": text, "codes": AMBIGUOUS_SIGNS[text]}
    return _("unknown currency: use an ISO 4217 code such as CNY, USD, EUR, HKD, JPY or GBP, or "
             "人民币/美元/欧元/港币/日元/英镑")
