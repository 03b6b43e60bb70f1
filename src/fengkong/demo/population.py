"""The customer book: the demo company's customers as columns, visible master data and hidden behaviour.

All of it is drawn once, in memory, from one numpy Generator (half a million customers take a few
dozen MB). The hidden risk — a probability of default, logistic in industry, region shock, size, age
of the relationship and a shared parent-group factor — drives everything else: how late a customer
pays, how often it pays in instalments, whether and when it defaults, how weak its balance sheet is.
Days are integers counted from 1970-01-01 so that the ledger can do date arithmetic on numpy arrays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from fengkong.core import uscc
from fengkong.core.regions import CITIES
from fengkong.demo import names

EPOCH = dt.date(1970, 1, 1)
INVOICES_PER_CUSTOMER_YEAR = 20
MEDIAN_INVOICE_YUAN = 30_000
NO_DEFAULT = 10**7  # a day number far beyond any as_of

SECTION_WEIGHTS = {"C": 0.40, "F": 0.20, "E": 0.12, "G": 0.08, "K": 0.05,
                   "A": 0.025, "B": 0.025, "D": 0.025, "I": 0.025, "L": 0.025, "M": 0.025}
SECTION_RISK = {"C": 0.0, "F": 0.2, "E": 0.5, "G": 0.1, "K": 0.6,
                "A": 0.2, "B": 0.3, "D": -0.6, "I": -0.1, "L": 0.1, "M": -0.3}
DOWNTURN_SECTIONS = ("E", "K")
HOME_PROVINCES = ("50", "51")
PAYMENT_TERMS = (30, 45, 60, 90)
PAYMENT_TERM_WEIGHTS = (0.35, 0.25, 0.25, 0.15)
URBAN_CHONGQING = {"500103", "500104", "500105", "500106", "500107", "500108", "500109", "500112", "500113"}
GROUP_SHARE = 0.08


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def weekday(days: np.ndarray) -> np.ndarray:
    """Monday 0 … Sunday 6 (1970-01-01 was a Thursday)."""
    return (days + 3) % 7


def calendar_year(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


@dataclass(frozen=True)
class Calendar:
    """The as-of date and the years of history before it, as day numbers."""

    as_of: dt.date
    years: int

    @property
    def as_of_day(self) -> int:
        return day_number(self.as_of)

    @property
    def history_start(self) -> int:
        return self.as_of_day - round(365.25 * self.years)

    @property
    def downturn_start(self) -> int:
        """The industry downturn hits the last twelve months."""
        return self.as_of_day - 365

    @property
    def statement_years(self) -> list[int]:
        """The full calendar years in range, most recent last."""
        return list(range(self.as_of.year - self.years, self.as_of.year))


@dataclass(frozen=True)
class CustomerBook:
    # master data, as the ERP holds it
    codes: pl.Series
    names: pl.Series
    credit_codes: pl.Series
    section: np.ndarray
    region: np.ndarray
    group: np.ndarray            # index into group_codes, -1 for none
    group_codes: pl.Series
    group_names: pl.Series
    cooperation_start: np.ndarray
    stopped: np.ndarray          # 停用
    salesperson: pl.Series
    contact: pl.Series
    phone: pl.Series
    # hidden behaviour
    risk: np.ndarray             # probability of default
    downturn: np.ndarray         # construction / real estate in the home region
    defaulted: np.ndarray
    default_day: np.ndarray      # NO_DEFAULT when not defaulted
    size: np.ndarray             # standard-normal size factor
    first_invoice_day: np.ndarray
    last_invoice_day: np.ndarray
    invoice_count: np.ndarray
    invoice_offset: np.ndarray   # length n + 1: where each customer's invoices start
    term_days: np.ndarray
    pay_weekday: np.ndarray      # the weekday of the customer's payment run, -1 for none
    habit_days: np.ndarray       # days after due an on-time payment usually comes
    late_share: np.ndarray       # share of invoices paid 30-120 days late in normal times
    two_instalments: np.ndarray
    three_instalments: np.ndarray
    bill_share: np.ndarray       # share of payments made with acceptance bills
    amount_mu: np.ndarray        # log-scale median invoice amount in yuan

    def __len__(self) -> int:
        return len(self.section)

    def code_width(self) -> int:
        return len(self.codes[0]) - 1 if len(self) else 6


def build_customer_book(customers: int, calendar: Calendar, seed: int) -> CustomerBook:
    rng = np.random.default_rng([seed, 1])
    n = customers
    section = rng.choice(list(SECTION_WEIGHTS), n, p=list(SECTION_WEIGHTS.values()))
    region = draw_regions(rng, n)
    cooperation_start = calendar.as_of_day - rng.integers(90, 3653, n)
    size = rng.standard_normal(n)
    group, group_factor = draw_groups(rng, n)
    downturn = np.isin(section, DOWNTURN_SECTIONS) & np.isin(region.astype("U2"), HOME_PROVINCES)
    risk = hidden_risk(rng, section, size, calendar.as_of_day - cooperation_start, group_factor)
    defaulted, default_day = draw_defaults(rng, calendar, risk, downturn, cooperation_start)
    stopped, stop_day = draw_stops(rng, calendar, defaulted, cooperation_start)
    first_day = np.maximum(cooperation_start, calendar.history_start)
    last_day = last_invoice_days(rng, calendar, defaulted, default_day, stop_day)
    count = invoice_counts(rng, calendar, n, size, last_day - first_day + 1)
    return CustomerBook(
        **master_data(rng, n, section, region, group),
        section=section, region=region, group=group, cooperation_start=cooperation_start, stopped=stopped,
        risk=risk, downturn=downturn, defaulted=defaulted, default_day=default_day, size=size,
        first_invoice_day=first_day, last_invoice_day=last_day,
        invoice_count=count, invoice_offset=np.concatenate([[0], np.cumsum(count)]),
        **payment_habits(rng, risk, size),
    )


def draw_regions(rng: np.random.Generator, n: int) -> np.ndarray:
    """~45 % Chongqing districts, ~35 % Sichuan (Chengdu the biggest), ~20 % elsewhere."""
    chongqing = [c for c in CITIES if c.startswith("50")]
    sichuan = [c for c in CITIES if c.startswith("51")]
    elsewhere = [c for c in CITIES if c[:2] not in HOME_PROVINCES]
    weights = ([0.45 * w for w in _normalised([3 if c in URBAN_CHONGQING else 1 for c in chongqing])]
               + [0.35 * w for w in _normalised([10 if c == "510100" else 1 for c in sichuan])]
               + [0.20 / len(elsewhere)] * len(elsewhere))
    return rng.choice(np.array(chongqing + sichuan + elsewhere), n, p=weights)


def _normalised(weights: list[float]) -> list[float]:
    total = sum(weights)
    return [w / total for w in weights]


def draw_groups(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """~8 % of customers belong to a parent group; a few big groups, many small ones. Members share
    a risk factor, so trouble in a group shows up in several customers at once."""
    group_count = max(2, round(n * GROUP_SHARE / 4))
    member = rng.random(n) < GROUP_SHARE
    group = np.where(member, np.floor(group_count * rng.random(n) ** 2).astype(np.int64), -1)
    shared = rng.normal(0.0, 0.6, group_count)
    return group, np.where(member, shared[np.maximum(group, 0)], 0.0)


def hidden_risk(rng: np.random.Generator, section: np.ndarray, size: np.ndarray,
                relationship_days: np.ndarray, group_factor: np.ndarray) -> np.ndarray:
    """Probability of default: riskier for weak industries, small size, young relationships."""
    industry = np.vectorize(SECTION_RISK.__getitem__, otypes=[float])(section)
    young = np.where(relationship_days < 730, 0.6, 0.0)
    logit = -3.95 + industry + young - 0.45 * size + group_factor + rng.normal(0.0, 0.9, len(size))
    return 1.0 / (1.0 + np.exp(-logit))


def draw_defaults(rng: np.random.Generator, calendar: Calendar, risk: np.ndarray, downturn: np.ndarray,
                  cooperation_start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Default happens with the hidden risk, doubled by the downturn; a downturn default falls in the
    last twelve months, any other in the history window. Defaulters stop paying from that day."""
    n = len(risk)
    defaulted = rng.random(n) < np.minimum(risk * np.where(downturn, 2.0, 1.0), 0.9)
    earliest = np.maximum(np.maximum(cooperation_start, calendar.history_start) + 60,
                          np.where(downturn, calendar.downturn_start, 0))
    latest = calendar.as_of_day - 30
    earliest = np.minimum(earliest, latest)
    day = earliest + np.floor(rng.random(n) * (latest - earliest + 1)).astype(np.int64)
    return defaulted, np.where(defaulted, day, NO_DEFAULT)


def draw_stops(rng: np.random.Generator, calendar: Calendar, defaulted: np.ndarray,
               cooperation_start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """停用: most defaulters, and ~4 % of others whose business simply ended."""
    n = len(defaulted)
    earliest = np.maximum(cooperation_start + 60, calendar.history_start)
    latest = calendar.as_of_day - 30
    ended = ~defaulted & (rng.random(n) < 0.04) & (earliest < latest)
    stop_day = earliest + np.floor(rng.random(n) * np.maximum(latest - earliest, 1)).astype(np.int64)
    stopped = ended | (defaulted & (rng.random(n) < 0.7))
    return stopped, np.where(ended, stop_day, calendar.as_of_day)


def last_invoice_days(rng: np.random.Generator, calendar: Calendar, defaulted: np.ndarray,
                      default_day: np.ndarray, stop_day: np.ndarray) -> np.ndarray:
    """Supply to a defaulter goes on for up to two months after it stops paying."""
    supply_until = np.minimum(default_day + rng.integers(0, 61, len(defaulted)), calendar.as_of_day)
    return np.where(defaulted, supply_until, stop_day)


def invoice_counts(rng: np.random.Generator, calendar: Calendar, n: int, size: np.ndarray,
                   active_days: np.ndarray) -> np.ndarray:
    """Poisson per customer, the mean proportional to size and active days, scaled so the book
    holds about customers x years x 20 invoices."""
    weight = np.exp(0.5 * size) * np.maximum(active_days, 1)
    mean = INVOICES_PER_CUSTOMER_YEAR * n * calendar.years * weight / weight.sum()
    return rng.poisson(mean).astype(np.int64)


def payment_habits(rng: np.random.Generator, risk: np.ndarray, size: np.ndarray) -> dict[str, np.ndarray]:
    n = len(risk)
    return {
        "term_days": rng.choice(np.array(PAYMENT_TERMS), n, p=PAYMENT_TERM_WEIGHTS),
        "pay_weekday": np.where(rng.random(n) < 0.55, rng.integers(0, 5, n), -1),
        "habit_days": np.clip(np.rint(rng.normal(-1.0 + 15.0 * risk, 3.0)), -10, 20).astype(np.int64),
        "late_share": np.clip(0.02 + 1.5 * risk, 0.0, 0.6),
        "two_instalments": 0.05 + 0.4 * risk,
        "three_instalments": 0.02 + 0.2 * risk,
        "bill_share": rng.beta(0.6, 2.5, n),
        # big customers buy more often (weight e^(0.5 size)); centring at 0.5 keeps the invoice median
        "amount_mu": np.log(MEDIAN_INVOICE_YUAN) + 0.6 * (size - 0.5),
    }


def master_data(rng: np.random.Generator, n: int, section: np.ndarray, region: np.ndarray,
                group: np.ndarray) -> dict[str, pl.Series]:
    prefixes = names.pick(tuple(names.region_prefix(c) for c in CITIES), _city_index(region))
    group_count = int(group.max()) + 1 if (group >= 0).any() else 0
    group_trade = names.trade_names(rng, group_count)
    trade = names.trade_names(rng, n)
    members = group >= 0
    trade[members] = np.where(rng.random((members.sum(), 1)) < 0.7, group_trade[group[members]],
                              trade[members])
    width = max(6, len(str(n)))
    sales_team = names.salespeople(rng)
    return {
        "codes": names.concat("C", pl.Series(np.arange(1, n + 1)).cast(pl.String).str.zfill(width)),
        "names": names.company_names(rng, prefixes, section, trade),
        "credit_codes": credit_codes(rng, region),
        "group_codes": names.concat("G", pl.Series(np.arange(1, group_count + 1)).cast(pl.String)
                                    .str.zfill(max(4, len(str(group_count))))),
        "group_names": names.group_names(rng, _group_prefixes(rng, group_count), group_trade),
        "salesperson": sales_team.gather(rng.integers(0, len(sales_team), n)),
        "contact": names.person_names(rng, n),
        "phone": mobile_numbers(rng, n),
    }


def _city_index(region: np.ndarray) -> np.ndarray:
    codes = np.array(list(CITIES))
    order = np.argsort(codes)
    return order[np.searchsorted(codes[order], region)]


def _group_prefixes(rng: np.random.Generator, count: int) -> pl.Series:
    return names.pick(("重庆", "重庆", "重庆", "四川", "成都"), rng.integers(0, 5, count))


def credit_codes(rng: np.random.Generator, region: np.ndarray) -> pl.Series:
    """Valid, unique 统一社会信用代码: enterprise (9), company (1), the customer's region, random base."""
    bases = names.concat(*(names.pick(uscc.ALPHABET, rng.integers(0, 31, len(region))) for _ in range(8)))
    seen: set[str] = set()
    codes = []
    for area, base in zip(region.tolist(), bases.to_list(), strict=True):
        code = uscc.make("9", "1", area, base)
        while code in seen:
            code = uscc.make("9", "1", area, "".join(rng.choice(list(uscc.ALPHABET), 8)))
        seen.add(code)
        codes.append(code)
    return pl.Series(codes, dtype=pl.String)


def mobile_numbers(rng: np.random.Generator, n: int) -> pl.Series:
    """1[3-9] followed by nine digits."""
    second = pl.Series(rng.integers(3, 10, n)).cast(pl.String)
    rest = pl.Series(rng.integers(0, 10**9, n)).cast(pl.String).str.zfill(9)
    return names.concat("1", second, rest)
