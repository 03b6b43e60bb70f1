"""Days sales outstanding by the countback method, best possible DSO and days beyond terms; the collection
effectiveness index (CEI) of a period.

Design decisions:
- Countback DSO: take the open receivables and walk back month by month from the newest, subtracting
  each month's credit sales; every month fully used adds its days, the month where the receivables run
  out adds its days times the fraction of its sales still needed. Unlike the average method
  (AR / sales × days) it is not distorted by a seasonal peak in sales.
- When the receivables exceed all the sales given, the DSO is the sum of all the months' days: the
  history given is too short to say more, so the answer is a lower bound, not an extrapolation.
- Best possible DSO = current (not yet due) receivables / sales of the period × days of the period: the
  DSO the customer would have if it paid everything exactly on its due date.
- Days beyond terms = DSO − best possible DSO, floored at 0. A negative difference can only come from the
  two measures being taken differently (countback versus average over the same period), not from a
  customer paying "before terms", so it is reported as 0 days late rather than as a credit.
- CEI = (beginning receivables + credit sales − ending total receivables) / (beginning receivables + credit
  sales − ending current receivables) × 100: what was collected of what could have been collected. When
  nothing was collectible (the denominator is 0 or less) there is no index (None), not 0 % or 100 %.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _check_months(sales: Sequence[int], days: Sequence[int]) -> None:
    if len(sales) != len(days):
        raise ValueError(f"{len(sales)} months of sales but {len(days)} month lengths")
    if any(s < 0 for s in sales):
        raise ValueError("monthly credit sales cannot be negative (net of credit notes, floor a month at 0)")
    if any(d <= 0 for d in days):
        raise ValueError("every month must have a positive number of days")


def dso_countback(open_fen: int, monthly_sales_fen: Sequence[int], month_days: Sequence[int]) -> float:
    """Countback DSO in days. Months are given newest first; zero or negative receivables give 0."""
    _check_months(monthly_sales_fen, month_days)
    remaining = int(open_fen)
    dso = 0.0
    for sales, days in zip(monthly_sales_fen, month_days, strict=True):
        if remaining <= 0:
            break
        if sales >= remaining:
            return dso + days * remaining / sales
        dso += days
        remaining -= int(sales)
    return dso


def dso_countback_book(open_fen: np.ndarray, monthly_sales_fen: np.ndarray,
                       month_days: Sequence[int]) -> np.ndarray:
    """Countback DSO of many customers at once: open_fen [n], monthly sales [n, months] newest first.

    Gives the same numbers as `dso_countback` row by row, without a Python loop over customers.
    """
    receivable = np.asarray(open_fen, dtype=np.int64)
    sales = np.asarray(monthly_sales_fen, dtype=np.int64).reshape(receivable.size, len(month_days))
    days = np.asarray(month_days, dtype=np.int64)
    if (sales < 0).any():
        raise ValueError("monthly credit sales cannot be negative (net of credit notes, floor a month at 0)")
    if (days <= 0).any():
        raise ValueError("every month must have a positive number of days")
    cumulative = np.cumsum(sales, axis=1)
    # months used up entirely: cumulative sales still below the receivables (cumulative is non-decreasing)
    full = (cumulative < receivable[:, None]).sum(axis=1)
    days_full = np.concatenate([[0], np.cumsum(days)])[full].astype(np.float64)
    rows = np.flatnonzero((full < days.size) & (receivable > 0))
    month = full[rows]
    before = np.where(month > 0, cumulative[rows, np.maximum(month - 1, 0)], 0)
    partial = days[month] * (receivable[rows] - before) / sales[rows, month]
    days_full[rows] += partial
    days_full[receivable <= 0] = 0.0
    return days_full


def best_possible_dso(current_fen: int, sales_fen: int, period_days: int) -> float:
    """Current (not yet due) receivables / credit sales of the period × days of the period.

    With no sales in the period, any current receivable counts the whole period (as the countback does
    when receivables exceed the sales given); no receivable gives 0.
    """
    if period_days <= 0:
        raise ValueError(f"the period must have a positive number of days, got {period_days}")
    if sales_fen < 0:
        raise ValueError(f"credit sales of the period cannot be negative, got {sales_fen}")
    if current_fen <= 0:
        return 0.0
    if sales_fen == 0:
        return float(period_days)
    return current_fen / sales_fen * period_days


def days_beyond_terms(dso: float, best_possible: float) -> float:
    """DSO − best possible DSO, floored at 0 (see the module docstring)."""
    return max(0.0, float(dso) - float(best_possible))


def collection_effectiveness(beginning_fen: int, credit_sales_fen: int, ending_total_fen: int,
                             ending_current_fen: int) -> float | None:
    """The CEI in percent of a period (see the module docstring); None when nothing was collectible."""
    if min(beginning_fen, credit_sales_fen, ending_total_fen, ending_current_fen) < 0:
        raise ValueError("receivables and credit sales cannot be negative")
    if ending_current_fen > ending_total_fen:
        raise ValueError(f"current receivables ({ending_current_fen}) exceed the total ({ending_total_fen})")
    collectible = beginning_fen + credit_sales_fen - ending_current_fen
    if collectible <= 0:
        return None
    return (beginning_fen + credit_sales_fen - ending_total_fen) / collectible * 100
