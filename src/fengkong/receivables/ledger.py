"""Open amounts that follow the money: deriving an invoice's open amount from its receipts and credit notes.

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
  was paid or credited after the as-of date, which is right for both bases.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from .choices import OpenBasis

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
    alias i): derived_fen = amount − every allocation − every credit note, never below 0; sources = how many
    allocations and credit notes it comes from. `among`: a table of invoice ids the sums may be limited to."""
    floor = "GREATEST" if _postgres() else "MAX"
    limit = f" AND invoice_id IN (SELECT id FROM {among})" if among else ""  # noqa: S608 - our own table and column names only; values are parameters  # nosec B608
    paid = (f"SELECT invoice_id, SUM({_fen('amount')}) AS fen, COUNT(*) AS n FROM receivables_paymentallocation "  # noqa: S608 - our own table and column names only; values are parameters  # nosec B608
            f"WHERE invoice_id IS NOT NULL{limit} GROUP BY invoice_id")
    credited = (f"SELECT invoice_id, SUM({_fen('amount')}) AS fen, COUNT(*) AS n FROM receivables_creditnote "  # noqa: S608 - our own table and column names only; values are parameters  # nosec B608
                f"WHERE invoice_id IS NOT NULL{limit} GROUP BY invoice_id")
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
