"""The receivables ledger of a slice of customers: invoices, credit notes and the payments against them.

Works on a contiguous range of customers at a time (a chunk), fully vectorised, amounts in integer
fen. Random numbers come from `Draws` keyed by the invoice's position in the whole file, so a chunk's
ledger does not depend on how the book was cut into chunks.

How an invoice is settled:
- its pay day is the due date plus a delay: a few days for an on-time payer, 30-120 days for the
  share of invoices the customer pays late (more as its default approaches, and for construction and
  real-estate customers in the last twelve months); a disputed invoice waits months more; the day then
  moves to the customer's weekly payment run, so one payment often settles several invoices;
- some invoices are paid in two or three instalments a few weeks apart;
- an instalment is paid only if its day is not after as_of and, for a defaulter, before the default.
Whatever is not paid (or credited) is the invoice's open amount.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fengkong.demo.draws import Draws, Purpose
from fengkong.demo.population import Calendar, CustomerBook, weekday

MIN_INVOICE_FEN = 500_00
MAX_INVOICE_FEN = 20_000_000_00
DISPUTE_SHARE = 0.01
CREDIT_NOTE_SHARE = 0.005
FULL_RETURN_SHARE = 0.3
MAX_INSTALMENTS = 3


@dataclass(frozen=True)
class Invoices:
    customer: np.ndarray
    issue_day: np.ndarray
    due_day: np.ndarray
    amount: np.ndarray       # fen
    disputed: np.ndarray
    open_amount: np.ndarray  # fen, as of as_of


CREDIT_NOTE_REASONS = ("退货", "部分退货", "价格调整", "质量折让")


@dataclass(frozen=True)
class CreditNotes:
    invoice: np.ndarray      # position in the chunk's invoices
    day: np.ndarray
    amount: np.ndarray
    reason: np.ndarray       # index into CREDIT_NOTE_REASONS; 0 (a full return) credits the whole invoice


@dataclass(frozen=True)
class Allocations:
    """Paid instalments, ordered by payment; `payment` numbers them within the chunk."""

    invoice: np.ndarray
    amount: np.ndarray
    payment: np.ndarray


@dataclass(frozen=True)
class Payments:
    customer: np.ndarray
    day: np.ndarray
    total: np.ndarray
    settlement: np.ndarray   # index into SETTLEMENT_METHODS


@dataclass(frozen=True)
class Ledger:
    invoices: Invoices
    credit_notes: CreditNotes
    allocations: Allocations
    payments: Payments


def simulate_ledger(book: CustomerBook, calendar: Calendar, seed: int, start: int, stop: int) -> Ledger:
    """The ledger of customers [start, stop)."""
    first, last = int(book.invoice_offset[start]), int(book.invoice_offset[stop])
    draws = Draws(seed, np.arange(first, last))
    customer = np.repeat(np.arange(start, stop), book.invoice_count[start:stop])
    issue = issue_days(book, draws, customer)
    due = issue + book.term_days[customer]
    amount = invoice_amounts(book, draws, customer)
    disputed = draws.chance(Purpose.DISPUTE, DISPUTE_SHARE)
    credit_notes = draw_credit_notes(calendar, draws, issue, amount)
    payable = amount.copy()
    np.subtract.at(payable, credit_notes.invoice, credit_notes.amount)
    pay_day = pay_days(book, calendar, draws, customer, issue, due, disputed)
    allocations, payments, paid = settle(book, calendar, draws, customer, payable, pay_day)
    invoices = Invoices(customer, issue, due, amount, disputed, payable - paid)
    return Ledger(invoices, credit_notes, allocations, payments)


def issue_days(book: CustomerBook, draws: Draws, customer: np.ndarray) -> np.ndarray:
    """Spread over the customer's active days, on working days, in date order per customer."""
    first = book.first_invoice_day[customer]
    span = book.last_invoice_day[customer] - first + 1
    day = first + np.floor(draws.uniform(Purpose.ISSUE_DAY) * span).astype(np.int64)
    day -= np.maximum(weekday(day) - 4, 0)  # Saturday and Sunday invoices are dated Friday
    day = np.maximum(day, first)
    return day[np.lexsort((day, customer))]


def invoice_amounts(book: CustomerBook, draws: Draws, customer: np.ndarray) -> np.ndarray:
    """Lognormal around the customer's own median (bigger customers, bigger invoices)."""
    yuan = np.exp(book.amount_mu[customer] + 0.9 * draws.normal(Purpose.AMOUNT))
    return np.clip(np.rint(yuan * 100), MIN_INVOICE_FEN, MAX_INVOICE_FEN).astype(np.int64)


def draw_credit_notes(calendar: Calendar, draws: Draws, issue: np.ndarray, amount: np.ndarray) -> CreditNotes:
    """Returns and price adjustments a few days to two months after the invoice; none after as_of."""
    day = issue + draws.integers(Purpose.CREDIT_DAY, 3, 61)
    has = draws.chance(Purpose.CREDIT_NOTE, CREDIT_NOTE_SHARE) & (day <= calendar.as_of_day)
    share = draws.uniform(Purpose.CREDIT_SIZE)
    partial = np.maximum(np.floor(amount * (0.02 + 0.28 * share)), 1)
    full = share < FULL_RETURN_SHARE
    credit = np.where(full, amount, partial).astype(np.int64)
    reason = np.where(full, 0, 1 + np.floor((share - FULL_RETURN_SHARE) / (1 - FULL_RETURN_SHARE) * 3))
    where = np.flatnonzero(has)
    return CreditNotes(where, day[where], credit[where], reason[where].astype(np.int64))


def pay_days(book: CustomerBook, calendar: Calendar, draws: Draws, customer: np.ndarray,
             issue: np.ndarray, due: np.ndarray, disputed: np.ndarray) -> np.ndarray:
    """When the customer means to pay each invoice (before any default cuts it off)."""
    in_downturn = book.downturn[customer] & (due >= calendar.downturn_start)
    before_default = book.defaulted[customer] & (due >= book.default_day[customer] - 180)
    late_share = book.late_share[customer] + np.where(in_downturn, 0.3, 0.0) + np.where(before_default, 0.5, 0.0)
    late = draws.chance(Purpose.LATE, late_share)
    delay = np.where(late, 30 + draws.gamma2(Purpose.LATE_DELAY, 20.0),
                     book.habit_days[customer] + 3.0 * draws.normal(Purpose.ON_TIME_DELAY))
    delay += np.where(in_downturn, 10 + draws.gamma2(Purpose.DOWNTURN_DELAY, 10.0), 0.0)
    delay += np.where(disputed, draws.integers(Purpose.DISPUTE_DELAY, 60, 400), 0)
    day = np.maximum(issue, due + np.rint(delay).astype(np.int64))
    return payment_run(day, book.pay_weekday[customer])


def payment_run(day: np.ndarray, run_weekday: np.ndarray) -> np.ndarray:
    """Move each day forward to the customer's payment-run weekday, if it has one."""
    return np.where(run_weekday >= 0, day + (run_weekday - weekday(day)) % 7, day)


def settle(book: CustomerBook, calendar: Calendar, draws: Draws, customer: np.ndarray,
           payable: np.ndarray, pay_day: np.ndarray) -> tuple[Allocations, Payments, np.ndarray]:
    """Split invoices into instalments, keep those paid by as_of, group them into payments.
    Returns the allocations, the payments and the amount paid per invoice."""
    count = instalment_counts(book, draws, customer)
    invoice = np.repeat(np.arange(len(payable)), count)
    nth = np.arange(len(invoice)) - np.repeat(np.cumsum(count) - count, count)
    amount = instalment_amounts(draws, count, payable)[invoice, nth]
    gap = 7 * draws.integers(Purpose.INSTALMENT_GAP, 2, 7)  # two to six weeks, same weekday
    day = pay_day[invoice] + nth * gap[invoice]
    owner = customer[invoice]
    paid = (amount > 0) & (day <= calendar.as_of_day) & (day < book.default_day[owner])
    paid_per_invoice = np.bincount(invoice[paid], weights=amount[paid], minlength=len(payable))
    key = (draws.ids[invoice[paid]].astype(np.int64) * MAX_INSTALMENTS + nth[paid])
    allocations, payments = group_payments(book, Draws(draws.seed, key), invoice[paid], owner[paid],
                                           day[paid], amount[paid])
    return allocations, payments, np.rint(paid_per_invoice).astype(np.int64)


def instalment_counts(book: CustomerBook, draws: Draws, customer: np.ndarray) -> np.ndarray:
    u = draws.uniform(Purpose.INSTALMENTS)
    three = book.three_instalments[customer]
    return np.where(u < three, 3, np.where(u < three + book.two_instalments[customer], 2, 1))


def instalment_amounts(draws: Draws, count: np.ndarray, payable: np.ndarray) -> np.ndarray:
    """Shape (invoices, 3): the fen paid in each instalment; each row sums to `payable` exactly."""
    first_share = np.where(count == 2, 0.3 + 0.4 * draws.uniform(Purpose.FIRST_SHARE),
                           0.2 + 0.3 * draws.uniform(Purpose.FIRST_SHARE))
    cut1 = np.floor(payable * first_share).astype(np.int64)
    cut2 = cut1 + np.floor((payable - cut1) * (0.3 + 0.4 * draws.uniform(Purpose.SECOND_SHARE))).astype(np.int64)
    ends = np.column_stack([np.where(count == 1, payable, cut1), np.where(count <= 2, payable, cut2), payable])
    starts = np.column_stack([np.zeros_like(payable), ends[:, 0], ends[:, 1]])
    return ends - starts


def group_payments(book: CustomerBook, draws: Draws, invoice: np.ndarray, customer: np.ndarray,
                   day: np.ndarray, amount: np.ndarray) -> tuple[Allocations, Payments]:
    """One payment per customer and day: its total is the sum of the instalments it settles.
    `draws` is keyed per instalment; a payment's settlement method uses its first instalment's."""
    order = np.lexsort((draws.ids, day, customer))
    invoice, customer, day, amount = invoice[order], customer[order], day[order], amount[order]
    key = draws.ids[order]
    starts_payment = np.ones(len(day), dtype=bool)
    starts_payment[1:] = (customer[1:] != customer[:-1]) | (day[1:] != day[:-1])
    head = np.flatnonzero(starts_payment)
    total = np.add.reduceat(amount, head) if len(head) else amount[:0]
    settlement = settlement_methods(book, Draws(draws.seed, key[head]), customer[head], total)
    payments = Payments(customer[head], day[head], total, settlement)
    return Allocations(invoice, amount, np.cumsum(starts_payment) - 1), payments


SETTLEMENT_METHODS = ("银行转账", "银行承兑汇票", "商业承兑汇票", "现金")


def settlement_methods(book: CustomerBook, draws: Draws, customer: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Mostly bank transfer; bill users pay by acceptance bills (riskier ones by commercial bills);
    small sums sometimes in cash."""
    u = draws.uniform(Purpose.SETTLEMENT)
    bills = book.bill_share[customer]
    commercial = bills * np.minimum(0.2 + 4 * book.risk[customer], 0.8)
    method = np.where(u < bills - commercial, 1, np.where(u < bills, 2, 0))
    return np.where((total < 5_000_00) & (u > 0.85), 3, method)
