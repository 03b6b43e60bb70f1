"""Open sales orders: the pipeline a credit check would look at.

About 30 % of active customers (not 停用, not defaulted) have one to three orders from the last 60
days that are not, or only partly, shipped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fengkong.demo.population import Calendar, CustomerBook

ORDERING_SHARE = 0.3
ORDER_WINDOW_DAYS = 60
PARTLY_SHIPPED_SHARE = 0.4
ORDER_STATUSES = ("未发货", "部分发货")


@dataclass(frozen=True)
class OpenOrders:
    customer: np.ndarray
    day: np.ndarray
    amount: np.ndarray       # fen
    unshipped: np.ndarray    # fen
    status: np.ndarray       # index into ORDER_STATUSES


def open_orders(book: CustomerBook, calendar: Calendar, seed: int) -> OpenOrders:
    rng = np.random.default_rng([seed, 3])
    n = len(book)
    ordering = ~book.stopped & ~book.defaulted & (rng.random(n) < ORDERING_SHARE)
    count = np.where(ordering, 1 + np.minimum(rng.poisson(0.6, n), 2), 0)
    customer = np.repeat(np.arange(n), count)
    day = calendar.as_of_day - rng.integers(0, ORDER_WINDOW_DAYS, len(customer))
    order = np.lexsort((day, customer))
    customer, day = customer[order], day[order]
    yuan = np.exp(book.amount_mu[customer] + np.log(1.5) + 0.8 * rng.standard_normal(len(customer)))
    amount = np.maximum(np.rint(yuan * 100), 1_000_00).astype(np.int64)
    partly = rng.random(len(customer)) < PARTLY_SHIPPED_SHARE
    share = rng.uniform(0.2, 0.9, len(customer))
    unshipped = np.where(partly, np.floor(amount * share), amount).astype(np.int64)
    return OpenOrders(customer, day, amount, unshipped, partly.astype(np.int64))
