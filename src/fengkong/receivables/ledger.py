"""Open amounts that follow the money: deriving an invoice's open amount from its receipts, credit notes and
write-offs.

Design decisions:
- An invoice's `open_basis` says where its open amount comes from. `erp`: the ERP's 未核销金额, given by the
  invoices file; Fengkong never overwrites it, and lists every disagreement with the allocations in the AR
  reconciliation report (queries.reconciliation). `derived`: the invoices file had no open amount, so the
  open amount is amount − allocated − credited, never below 0, and every receipts or credit-notes import
  keeps it so for the invoices it touches.
- The derivation is one set-based UPDATE … FROM the aggregated allocations and credit notes (SQLite ≥ 3.33
  and PostgreSQL), in the importer's transaction, so a failed import leaves no invoice half-derived. The
  invoices it touches travel through a temporary table (COPY on PostgreSQL), never as a million parameters.
- Sums are taken in integer fen, so SQLite's floating decimals cannot leave 0.0000001 open.
- The derived open amount is today's: the cycle's as-of logic (monitoring.store.open_items) adds back what
  was paid, credited or written off after the as-of date (`settled_after_sql`, the one place that rule is
  written), which is right for both bases.
- A write-off (models.WriteOff, posted by an approved provisions write-off request) settles an invoice like a
  credit note: `post_write_off` lowers the stored open amount of either basis at once, and the derivation
  subtracts write-offs as it subtracts credit notes, so a later receipts import keeps it written off. The
  written-off invoice leaves the aging, the exposure and the collections worklists, and stays in history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .choices import OpenBasis
from .models import Invoice, WriteOff

TOUCHED = "fk_touched_invoice"  # a temporary table: the ids of the invoices an import touched
DERIVED = "fk_derived_open"  # a temporary table: their open amounts as derived, read once for counts and UPDATE


@dataclass(frozen=True)
class Derivation:
    """What one derivation found among the invoices an import touched."""

    invoices: int = 0        # derived invoices touched
    allocations: int = 0     # allocations of receipts (and credit notes) their open amounts come from
    changed: int = 0         # derived invoices whose open amount changed
    unexplained: int = 0     # ERP invoices touched whose open amount the allocations do not explain

    def __add__(self, other: Derivation) -> Derivation:
        return Derivation(self.invoices + other.invoices, self.allocations + other.allocations,
                          self.changed + other.changed, self.unexplained + other.unexplained)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _fen(column: str) -> str:
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


def derived_open_sql(where: str, among: str | None = None) -> str:
    """SELECT id, amount_fen, derived_fen, sources, open_fen, basis FROM the invoices matching `where` (on
    alias i): derived_fen = amount − every allocation − every credit note and write-off, never below 0;
    sources = how many allocations, credit notes and write-offs it comes from. `among`: a table of invoice ids the sums may be limited to."""
    floor = "GREATEST" if _postgres() else "MAX"
    limit = f" AND invoice_id IN (SELECT id FROM {among})" if among else ""  # noqa: S608 - our own table and column names only; values are parameters  # nosec B608
    paid = (f"SELECT invoice_id, SUM({_fen('amount')}) AS fen, COUNT(*) AS n FROM receivables_paymentallocation "  # noqa: S608 - our own table and column names only; values are parameters  # nosec B608
            f"WHERE invoice_id IS NOT NULL{limit} GROUP BY invoice_id")
    credited = (f"SELECT invoice_id, SUM(fen) AS fen, SUM(n) AS n FROM (SELECT invoice_id, {_fen('amount')} AS fen, "  # noqa: S608 - our own table and column names only; values are parameters  # nosec B608
                f"1 AS n FROM receivables_creditnote WHERE invoice_id IS NOT NULL{limit} UNION ALL "
                f"SELECT invoice_id, {_fen('amount')}, 1 FROM receivables_writeoff WHERE invoice_id IS NOT NULL{limit}"
                ") c GROUP BY invoice_id")
    return (f"SELECT i.id, {_fen('i.amount')} AS amount_fen, "  # noqa: S608 - our own table and column names only; values are parameters  # nosec B608
            f"{floor}({_fen('i.amount')} - COALESCE(pa.fen, 0) - COALESCE(cn.fen, 0), 0) AS derived_fen, "
            "COALESCE(pa.n, 0) + COALESCE(cn.n, 0) AS sources, "
            f"{_fen('i.open_amount')} AS open_fen, i.open_basis AS basis "
            f"FROM receivables_invoice i LEFT JOIN ({paid}) pa ON pa.invoice_id = i.id "
            f"LEFT JOIN ({credited}) cn ON cn.invoice_id = i.id WHERE {where}")


@transaction.atomic(savepoint=False)
def derive_open_amounts(invoice_ids: pl.Series) -> Derivation:
    """Recompute the open amount of every derived invoice among `invoice_ids` from the allocations and
    credit notes stored now, in one UPDATE; count what it found (ERP invoices whose open amount the
    allocations do not explain among them). Runs inside the caller's transaction."""
    ids = invoice_ids.drop_nulls().unique()
    if ids.is_empty():
        return Derivation()
    with connection.cursor() as cursor:
        _fill_touched(cursor, ids)
        if _postgres():  # a temporary table has no statistics until analysed: without, the plan is blind
            cursor.execute(f"ANALYZE {TOUCHED}")
        cursor.execute(f"CREATE TEMPORARY TABLE {DERIVED} AS "  # noqa: S608 - our own table and column names only; values are parameters  # nosec B608
                       + derived_open_sql(f"i.id IN (SELECT id FROM {TOUCHED})", among=TOUCHED))  # noqa: S608 - our own table and column names only; values are parameters  # nosec B608
        if _postgres():
            cursor.execute(f"ANALYZE {DERIVED}")
        counts = _counts(cursor)
        changed = _update(cursor)
        cursor.execute(f"DROP TABLE {DERIVED}")
        cursor.execute(f"DROP TABLE {TOUCHED}")
    return Derivation(invoices=counts[0], allocations=counts[1], changed=changed, unexplained=counts[2])


def _fill_touched(cursor, ids: pl.Series) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {DERIVED}")
    cursor.execute(f"DROP TABLE IF EXISTS {TOUCHED}")
    cursor.execute(f"CREATE TEMPORARY TABLE {TOUCHED} (id BIGINT PRIMARY KEY)")
    if _postgres():
        with cursor.cursor.copy(f"COPY {TOUCHED} (id) FROM STDIN") as copy:
            copy.write("\n".join(str(i) for i in ids.to_list()) + "\n")
    else:
        cursor.cursor.executemany(f"INSERT INTO {TOUCHED} (id) VALUES (?)", ((int(i),) for i in ids.to_list()))  # noqa: S608 - our table name only; values are parameters  # nosec B608


def _counts(cursor) -> tuple[int, int, int]:
    """Derived invoices touched, the allocations and credit notes they come from, ERP invoices unexplained."""
    derived, erp = OpenBasis.DERIVED.value, OpenBasis.ERP.value
    cursor.execute(f"SELECT COUNT(CASE WHEN basis = '{derived}' THEN 1 END), "  # noqa: S608 - our own table and column names only; values are parameters  # nosec B608
                   f"COALESCE(SUM(CASE WHEN basis = '{derived}' THEN sources END), 0), "
                   f"COUNT(CASE WHEN basis = '{erp}' AND open_fen <> derived_fen THEN 1 END) FROM {DERIVED}")
    return tuple(int(v) for v in cursor.fetchone())


def _update(cursor) -> int:
    """One UPDATE … FROM: the derived invoices touched whose open amount differs from the derivation."""
    table = "receivables_invoice"
    new = "CAST(d.derived_fen AS NUMERIC) / 100" if _postgres() else "d.derived_fen / 100.0"
    cursor.execute(f"UPDATE {table} SET open_amount = {new}, updated_at = %s FROM {DERIVED} d "  # noqa: S608 - our own table and column names only; values are parameters  # nosec B608
                   f"WHERE {table}.id = d.id AND d.basis = '{OpenBasis.DERIVED.value}' "
                   "AND d.open_fen <> d.derived_fen", [timezone.now()])
    return cursor.rowcount


def settled_after_sql(day: str, alias: str = "i") -> tuple[str, str]:
    """(joins, expression) for what was paid, credited or written off of invoice `alias` after `day` (a SQL
    date literal): today's open amount + expression is the open amount as it stood at the end of `day`."""
    joins = ("LEFT JOIN (SELECT a.invoice_id, SUM(a.amount) AS paid FROM receivables_paymentallocation a "  # noqa: S608 - our own table and column names and a date literal only  # nosec B608
             "JOIN receivables_payment p ON p.id = a.payment_id "
             f"WHERE p.payment_date > {day} GROUP BY a.invoice_id) pa ON pa.invoice_id = {alias}.id "
             "LEFT JOIN (SELECT invoice_id, SUM(amount) AS credited FROM ("
             f"SELECT invoice_id, amount FROM receivables_creditnote WHERE issue_date > {day} "
             "AND invoice_id IS NOT NULL UNION ALL SELECT invoice_id, amount FROM receivables_writeoff "
             f"WHERE written_off_on > {day}) c GROUP BY invoice_id) cn ON cn.invoice_id = {alias}.id")
    return joins, "COALESCE(pa.paid, 0) + COALESCE(cn.credited, 0)"


class WriteOffRefused(ValueError):
    """The invoice's open amount no longer covers the write-off."""


@transaction.atomic(savepoint=False)
def post_write_off(invoice_id: int, amount: Decimal, day: date, reference: str) -> WriteOff:
    """Write `amount` of the invoice off on `day`: the WriteOff row and the open amount lowered by it, in the
    caller's transaction; refused (WriteOffRefused) when the open amount is now below `amount`."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
    if amount <= 0 or amount > invoice.open_amount:
        raise WriteOffRefused(f"{invoice.number} has {invoice.open_amount} open, less than {amount}")
    made = WriteOff.objects.create(invoice=invoice, written_off_on=day, amount=amount, reference=reference)
    Invoice.objects.filter(pk=invoice_id).update(open_amount=F("open_amount") - amount, updated_at=timezone.now())
    return made
