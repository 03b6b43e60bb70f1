"""Yearly financial statements that customers hand in (about 70 % of them do).

Scale follows what the customer buys from us (our sales are a small share of its revenue); ratios
follow the hidden risk: riskier customers carry more debt, hold less liquidity and earn thinner or
negative margins, and a defaulter's figures worsen from its default year on. The balance sheet always
adds up: 资产总计 = 负债合计 + 所有者权益, 流动资产 <= 资产总计, 流动负债 <= 负债合计.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fengkong.demo.population import INVOICES_PER_CUSTOMER_YEAR, Calendar, CustomerBook, calendar_year

REPORTING_SHARE = 0.7


@dataclass(frozen=True)
class Statements:
    customer: np.ndarray
    year: np.ndarray
    current_assets: np.ndarray        # all amounts in fen
    current_liabilities: np.ndarray
    total_assets: np.ndarray
    total_liabilities: np.ndarray
    revenue: np.ndarray
    net_profit: np.ndarray
    equity: np.ndarray


def annual_statements(book: CustomerBook, calendar: Calendar, seed: int) -> Statements:
    rng = np.random.default_rng([seed, 4])
    customer, year = statement_rows(rng, book, calendar)
    m = len(customer)
    risk = book.risk[customer]
    distressed = book.defaulted[customer] & (year >= calendar_year(book.default_day[customer]))
    revenue = revenues(rng, book, customer, year, calendar.statement_years[-1] if m else 0)
    revenue = np.where(distressed, revenue * 0.7, revenue)
    total_assets = np.rint(revenue * rng.uniform(0.6, 1.6, m)).astype(np.int64)
    debt_ratio = np.clip(0.35 + 2.5 * risk + rng.normal(0, 0.08, m) + 0.15 * distressed, 0.08, 1.05)
    total_liabilities = np.rint(total_assets * debt_ratio).astype(np.int64)
    current_assets = np.rint(total_assets * rng.uniform(0.35, 0.75, m)).astype(np.int64)
    short_term = np.clip(0.55 + 1.5 * risk + rng.normal(0, 0.08, m), 0.3, 1.0)
    current_liabilities = np.rint(total_liabilities * short_term).astype(np.int64)
    margin = rng.normal(0.06 - 0.6 * risk, 0.04, m) - 0.08 * distressed
    net_profit = np.rint(revenue * margin).astype(np.int64)
    return Statements(customer, year, current_assets, current_liabilities, total_assets, total_liabilities,
                      np.rint(revenue).astype(np.int64), net_profit, total_assets - total_liabilities)


def statement_rows(rng: np.random.Generator, book: CustomerBook, calendar: Calendar) -> tuple[np.ndarray, ...]:
    """(customer, year) for reporting customers, from the year before cooperation began."""
    reporting = rng.random(len(book)) < REPORTING_SHARE
    first_year = calendar_year(book.cooperation_start) - 1
    years = np.array(calendar.statement_years)
    has = reporting[:, None] & (years[None, :] >= first_year[:, None])
    customer, which = np.nonzero(has)
    return customer, years[which]


def revenues(rng: np.random.Generator, book: CustomerBook, customer: np.ndarray, year: np.ndarray,
             last_year: int) -> np.ndarray:
    """Revenue in fen: what the customer buys from us a year, divided by our share of its costs,
    growing (or shrinking, for risky ones) year on year."""
    n = len(book)
    purchases_yuan = INVOICES_PER_CUSTOMER_YEAR * np.exp(0.5 * book.size + book.amount_mu + 0.405)
    our_share = rng.uniform(0.03, 0.25, n)
    growth = rng.normal(0.06 - 0.5 * book.risk, 0.08, n)
    base = purchases_yuan / our_share * 100
    noise = np.exp(rng.normal(0, 0.05, len(customer)))
    return base[customer] * (1 + growth[customer]) ** (year - last_year) * noise
