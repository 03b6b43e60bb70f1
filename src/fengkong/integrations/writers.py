"""Writing checked rows to the domain tables, one function per kind of file.

Design decisions:
- Each writer compares with what is stored (db.classify), writes only created and changed rows, and
  returns the change of every file row, so the batch can count created / updated / unchanged exactly.
- A column the file does not carry keeps its stored value on update and gets the model's default on
  insert (an absent 未核销金额 means "all of it is open" for a new invoice).
- Customers are master data: each created or changed customer gets its own audit event with before and
  after. Transaction files (invoices, receipts …) get one event per batch: a million per-row events
  would bury the trail and add nothing the batch's file hash does not already prove.
- A receipt allocated to several invoices is one payment and several allocations; its file rows stand or
  fall together (see validation.Checked.group_key).
- Customers without a portfolio column get the first portfolio whose rule matches (region portfolios
  before industry ones); a portfolio already set on a stored customer is kept.
- Dual review (docs/dual-review.md): with `hold`, a file's change of a stored customer's sensitive field
  (Customer.SENSITIVE_FIELDS among the file's columns; a portfolio the rules assign is not the file's) or
  of a primary contact's phone or email is not written: the stored value stays and the change is handed
  back as a wish (`Written.wishes`) for the importer to hold; so is a new customer's credit code (the
  customer is created without it). Rows whose only changes are held count as unchanged, and as held.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl
from django.conf import settings

from fengkong.accounts.choices import PortfolioKind
from fengkong.accounts.models import Portfolio
from fengkong.core.audit import Change
from fengkong.customers.models import Contact, Customer, CustomerGroup, FinancialStatement
from fengkong.receivables.choices import OpenBasis
from fengkong.receivables.ledger import Derivation, derive_open_amounts
from fengkong.receivables.models import CreditNote, FxRate, Invoice, Payment, PaymentAllocation, SalesOrder
from fengkong.reviews.actions import Wish

from . import db
from .db import BOOL, DATE, INT, MONEY, RATE, TEXT, Target
from .sources import ROW

CHANGE = "~change"

INVOICES = Target(Invoice._meta.db_table, ("number",), {
    "number": TEXT, "customer_id": INT, "issue_date": DATE, "due_date": DATE, "amount": MONEY,
    "open_amount": MONEY, "open_basis": TEXT, "currency": TEXT, "contract_ref": TEXT, "disputed": BOOL, "source": TEXT,
}, stamps=("updated_at",))
PAYMENTS = Target(Payment._meta.db_table, ("number",), {
    "number": TEXT, "customer_id": INT, "payment_date": DATE, "amount": MONEY, "currency": TEXT, "method": TEXT})
ALLOCATIONS = Target(PaymentAllocation._meta.db_table, ("payment_id", "invoice_id"), {
    "payment_id": INT, "invoice_id": INT, "amount": MONEY}, batch_column=None)
CREDIT_NOTES = Target(CreditNote._meta.db_table, ("number",), {
    "number": TEXT, "customer_id": INT, "issue_date": DATE, "amount": MONEY, "currency": TEXT,
    "invoice_id": INT, "reason": TEXT})
ORDERS = Target(SalesOrder._meta.db_table, ("number",), {
    "number": TEXT, "customer_id": INT, "order_date": DATE, "amount": MONEY, "open_amount": MONEY,
    "currency": TEXT, "status": TEXT})
FINANCIALS = Target(FinancialStatement._meta.db_table, ("customer_id", "period_end"), {
    "customer_id": INT, "period_end": DATE, "current_assets": MONEY, "current_liabilities": MONEY,
    "total_assets": MONEY, "total_liabilities": MONEY, "revenue": MONEY, "net_profit": MONEY, "equity": MONEY})
CUSTOMERS = Target(Customer._meta.db_table, ("code",), {
    "code": TEXT, "name": TEXT, "credit_code": TEXT, "industry": TEXT, "region": TEXT, "group_id": INT,
    "cooperation_start": DATE, "status": TEXT, "portfolio_id": INT, "salesperson": TEXT, "bank_name": TEXT,
    "bank_account": TEXT,
}, stamps=("created_at", "updated_at"), batch_column=None)
FX_RATES = Target(FxRate._meta.db_table, ("currency", "date"), {
    "date": DATE, "currency": TEXT, "rate": RATE, "source": TEXT}, stamps=("updated_at",))
GROUPS = Target(CustomerGroup._meta.db_table, ("code",), {"code": TEXT, "name": TEXT}, batch_column=None)
CONTACTS = Target(Contact._meta.db_table, ("id",), {
    "id": INT, "customer_id": INT, "name": TEXT, "phone": TEXT, "email": TEXT, "is_primary": BOOL},
    batch_column=None)



def _currency() -> pl.Expr:
    return pl.lit(settings.FUNCTIONAL_CURRENCY)  # a file without currencies is in the functional currency


# Insert values for columns a file leaves out or leaves blank (None: the column may be NULL).
DEFAULTS: dict[str, dict[str, Callable[[], pl.Expr] | None]] = {
    "invoices": {"open_amount": lambda: pl.col("amount"), "open_basis": lambda: pl.lit(OpenBasis.ERP.value),
                 "currency": _currency, "contract_ref": lambda: pl.lit(""),
                 "disputed": lambda: pl.lit(False), "source": lambda: pl.lit("")},
    "payments": {"currency": _currency, "method": lambda: pl.lit("")},
    "credit-notes": {"currency": _currency, "invoice_id": None, "reason": lambda: pl.lit("")},
    "orders": {"open_amount": lambda: pl.col("amount"), "currency": _currency, "status": lambda: pl.lit("open")},
    "financials": {c: None for c in FINANCIALS.columns if c not in FINANCIALS.key},
    "fx-rates": {"source": lambda: pl.lit("")},
    "customers": {"credit_code": None, "industry": lambda: pl.lit(""), "region": lambda: pl.lit(""),
                  "group_id": None, "cooperation_start": None, "status": lambda: pl.lit("active"),
                  "portfolio_id": None, "salesperson": lambda: pl.lit(""), "bank_name": lambda: pl.lit(""),
                  "bank_account": lambda: pl.lit("")},
}


@dataclass
class Written:
    """What a writer did: the change of every file row it was given, and audit events to record."""

    changes: pl.Series
    audit: list[Change] = field(default_factory=list)
    wishes: dict[str, list[Wish]] = field(default_factory=dict)  # dual review: kind -> changes to hold
    held: int = 0  # file rows with a change held for review
    derivation: Derivation | None = None  # invoices, receipts, credit notes: what the open amounts came to

    def count(self, change: str) -> int:
        return int((self.changes == change).sum())


def with_defaults(frame: pl.DataFrame, target: Target, kind: str) -> pl.DataFrame:
    exprs = []
    for column, kind_ in target.columns.items():
        make = DEFAULTS[kind].get(column)
        default = make() if make else pl.lit(None, db.POLARS_TYPES[kind_])
        exprs.append(pl.col(column).fill_null(default) if column in frame.columns else default.alias(column))
    return frame.with_columns(exprs)


def write_rows(target: Target, frame: pl.DataFrame, update: list[str], batch_id, progress=None) -> pl.DataFrame:
    """Upsert the changed rows; return the frame with its `~change` column."""
    classified = db.classify(target, frame, update)
    db.upsert(target, classified.filter(pl.col(CHANGE) != "unchanged"), update, batch_id, progress)
    return classified


def _update_columns(target: Target, present: set[str]) -> list[str]:
    return [c for c in target.data_columns() if c in present]


def write_simple(kind: str, target: Target, frame: pl.DataFrame, present: set[str], batch_id,
                 progress=None) -> Written:
    frame = with_defaults(frame, target, kind).select([ROW, *target.columns])
    classified = write_rows(target, frame, _update_columns(target, present), batch_id, progress)
    return Written(classified.sort(ROW).get_column(CHANGE))


# --- invoices and credit notes: open amounts that follow the money ---------------------------------

def write_invoices(frame: pl.DataFrame, present: set[str], batch_id, progress=None) -> Written:
    """Invoices with the basis of their open amount: a file with 未核销金额 makes (or switches) its invoices
    erp; a file without leaves a stored invoice's basis alone and makes new ones derived. A new invoice has no
    allocation yet (they name stored invoices), so only updated ones are derived again (an amount may have
    changed under allocations already stored); a new ERP invoice is unexplained when its open amount is not
    its amount."""
    given = "open_amount" in present
    basis = OpenBasis.ERP if given else OpenBasis.DERIVED
    frame = frame.with_columns(pl.lit(basis.value).alias("open_basis"))
    written = write_simple("invoices", INVOICES, frame, present | ({"open_basis"} if given else set()),
                           batch_id, progress)
    rows = frame.sort(ROW).with_columns(written.changes.alias(CHANGE))
    created = rows.filter(pl.col(CHANGE) == "created")
    stored = ["updated", "unchanged"] if given else ["updated"]  # an ERP file: say what stays unexplained
    updated = rows.filter(pl.col(CHANGE).is_in(stored)).get_column("number")
    ids = db.ids_by_key(INVOICES.table, "number", updated, "id").get_column("id") if updated.len() else updated
    fresh = (Derivation(unexplained=created.filter(pl.col("open_amount") != pl.col("amount")).height) if given
             else Derivation(invoices=created.height))
    written.derivation = fresh + derive_open_amounts(ids)
    return written


def write_credit_notes(frame: pl.DataFrame, present: set[str], batch_id, progress=None) -> Written:
    written = write_simple("credit-notes", CREDIT_NOTES, frame, present, batch_id, progress)
    if "invoice_id" in frame.columns:
        written.derivation = derive_open_amounts(frame.get_column("invoice_id"))
    return written


# --- receipts ---------------------------------------------------------------------------------------

def write_payments(frame: pl.DataFrame, present: set[str], batch_id, progress=None) -> Written:
    receipts = with_defaults(frame.unique("number", keep="first", maintain_order=True), PAYMENTS, "payments")
    done = write_rows(PAYMENTS, receipts.select(list(PAYMENTS.columns)), _update_columns(PAYMENTS, present),
                      batch_id, progress).select("number", pl.col(CHANGE).alias("~receipt"))
    rows = frame.join(done, on="number", how="left")
    derivation = None
    if "allocated_invoice" in frame.columns:
        rows = _write_allocations(rows, batch_id)
        derivation = derive_open_amounts(rows.get_column("invoice_id"))
    else:
        rows = rows.with_columns(pl.lit("unchanged").alias("~allocation"))
    change = (pl.when((pl.col("~receipt") == "created") | (pl.col("~allocation") == "created")).then(pl.lit("created"))
              .when((pl.col("~receipt") == "updated") | (pl.col("~allocation") == "updated")).then(pl.lit("updated"))
              .otherwise(pl.lit("unchanged")))
    return Written(rows.sort(ROW).select(change.alias(CHANGE)).to_series(), derivation=derivation)


def _write_allocations(rows: pl.DataFrame, batch_id) -> pl.DataFrame:
    ids = db.ids_by_key(PAYMENTS.table, "number", rows.get_column("number"), "payment_id")
    rows = rows.join(ids, on="number", how="left")
    lines = rows.filter(pl.col("invoice_id").is_not_null()).select(
        "payment_id", "invoice_id", pl.col("allocated_amount").alias("amount"))
    done = write_rows(ALLOCATIONS, lines, ["amount"], batch_id).select(
        "payment_id", "invoice_id", pl.col(CHANGE).alias("~allocation"))
    rows = rows.join(done, on=["payment_id", "invoice_id"], how="left")
    return rows.with_columns(pl.col("~allocation").fill_null("unchanged"))


# --- customers --------------------------------------------------------------------------------------

def write_customers(frame: pl.DataFrame, present: set[str], batch_id, progress=None, hold: bool = False) -> Written:
    present = set(present)
    sensitive = [c for c in Customer.SENSITIVE_FIELDS if c in present]  # the file's own, before the rules'
    if "group_id" in present:
        frame = _with_group_ids(frame, "group_name" in frame.columns)
    frame = _with_portfolios(frame, present)
    present.add("portfolio_id")
    frame = with_defaults(frame, CUSTOMERS, "customers")
    update = _update_columns(CUSTOMERS, present)
    before = db.stored_rows(CUSTOMERS, list(Customer.AUDITED_FIELDS), frame)
    held: list[dict] = []
    if hold:
        frame, held = _withhold_customers(frame, before, sensitive)
    classified = write_rows(CUSTOMERS, frame.select([ROW, *CUSTOMERS.columns]), update, batch_id, progress)
    classified = classified.join(frame.select(ROW, *_contact_columns(frame)), on=ROW, how="left")
    contact_wishes: list[Wish] = []
    if any(c in frame.columns for c in ("contact_name", "contact_phone", "contact_email")):
        classified, contact_wishes = _write_contacts(classified, hold)
    changed = classified.filter(pl.col(CHANGE) != "unchanged")
    wishes = {"customer": _customer_wishes(held), "contact": contact_wishes}
    held_codes = {h["code"] for h in held} | {w.customer_code for w in contact_wishes}
    return Written(classified.sort(ROW).get_column(CHANGE), customer_audit(changed, before),
                   {kind: [w.wish for w in found] for kind, found in wishes.items() if found}, len(held_codes))


@dataclass(frozen=True)
class _Held:
    customer_code: str
    wish: Wish


def _withhold_customers(frame: pl.DataFrame, before: pl.DataFrame, sensitive: list[str]):
    """The frame with every held value put back as stored (a new customer's credit code: none), and the
    held changes: [{code, old: {field: value}, new: {field: value}}]."""
    stored = before.select("code", *[pl.col(c).alias(f"{c}~db") for c in sensitive], "~stored")
    rows = frame.join(stored, on="code", how="left")
    is_stored = pl.col("~stored").fill_null(False)
    held_exprs, restore = [], []
    for column in sensitive:
        differs = is_stored & ~pl.col(column).eq_missing(pl.col(f"{column}~db"))
        if column == "credit_code":  # a new customer's credit code is held too (Customer.HELD_ON_CREATE)
            differs = differs | (~is_stored & pl.col(column).is_not_null())
        held_exprs.append(differs.alias(f"{column}~held"))
        restore.append(pl.when(differs).then(pl.col(f"{column}~db")).otherwise(pl.col(column)).alias(column))
    if not sensitive:
        return frame, []
    rows = rows.with_columns(held_exprs)
    flagged = rows.filter(pl.any_horizontal(pl.col(f"{c}~held") for c in sensitive))
    found = []
    for row in flagged.iter_rows(named=True):
        fields = [c for c in sensitive if row[f"{c}~held"]]
        found.append({"code": row["code"], "old": {c: _stored_value(c, row[f"{c}~db"]) for c in fields},
                      "new": {c: _stored_value(c, row[c]) for c in fields}})
    return rows.with_columns(restore).select(frame.columns), found


def _stored_value(column: str, value):
    """A value of the frame as the model stores it in JSON (blank text where the column is NOT NULL)."""
    if value is None and not Customer._meta.get_field(column.removesuffix("_id")).null:
        return ""
    return value


def _customer_wishes(held: list[dict]) -> list[_Held]:
    if not held:
        return []
    codes = pl.Series("code", [h["code"] for h in held], dtype=pl.String)
    ids = dict(db.ids_by_key(CUSTOMERS.table, "code", codes, "id").iter_rows())
    return [_Held(h["code"], Wish(ids[h["code"]], ids[h["code"]], h["old"], h["new"])) for h in held]


def _with_group_ids(frame: pl.DataFrame, has_names: bool) -> pl.DataFrame:
    name = pl.coalesce(pl.col("group_name"), pl.col("group_code")) if has_names else pl.col("group_code")
    groups = (frame.filter(pl.col("group_code").is_not_null())
              .select(pl.col("group_code").alias("code"), name.alias("name"))
              .unique("code", keep="first", maintain_order=True))
    write_rows(GROUPS, groups, ["name"] if has_names else [], None)
    ids = db.ids_by_key(GROUPS.table, "code", groups.get_column("code"), "group_id")
    return frame.join(ids.rename({"code": "group_code"}), on="group_code", how="left")


def _with_portfolios(frame: pl.DataFrame, present: set[str]) -> pl.DataFrame:
    """Rule-based portfolio for customers that have none yet (the portfolio column, if any, wins)."""
    if "portfolio_id" in present:
        return frame
    stored = db.stored_rows(CUSTOMERS, ["portfolio_id"], frame).select(
        "code", pl.col("portfolio_id").alias("~stored_portfolio"))
    rules = _portfolio_rules()
    frame = frame.with_columns(_or_blank(frame, "region").alias("~r"), _or_blank(frame, "industry").alias("~i"))
    pairs = frame.select("~r", "~i").unique()
    chosen = pairs.with_columns(pl.Series("~rule", [_first_match(rules, r, i) for r, i in pairs.iter_rows()],
                                          dtype=pl.Int64))
    frame = frame.join(chosen, on=["~r", "~i"], how="left").join(stored, on="code", how="left")
    return frame.with_columns(pl.coalesce("~stored_portfolio", "~rule").alias("portfolio_id")).drop(
        "~r", "~i", "~rule", "~stored_portfolio")


def _or_blank(frame: pl.DataFrame, column: str) -> pl.Expr:
    return pl.col(column).fill_null("") if column in frame.columns else pl.lit("")


def _portfolio_rules() -> list[Portfolio]:
    portfolios = list(Portfolio.objects.order_by("code"))
    return sorted(portfolios, key=lambda p: p.kind != PortfolioKind.REGION)


def _first_match(rules: list[Portfolio], region: str, industry: str) -> int | None:
    return next((p.pk for p in rules if p.matches(region, industry)), None)


def _contact_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c in ("contact_name", "contact_phone", "contact_email") if c in frame.columns]


def _write_contacts(customers: pl.DataFrame, hold: bool = False) -> tuple[pl.DataFrame, list[_Held]]:
    """The primary contact of each customer row that names one; a changed contact makes the row updated.
    With `hold`, a stored contact's new phone or email is not written but returned to be held."""
    ids = db.ids_by_key(CUSTOMERS.table, "code", customers.get_column("code"), "customer_id")
    given = [c for c in ("contact_name", "contact_phone", "contact_email") if c in customers.columns]
    wanted = (customers.join(ids, on="code", how="left")
              .filter(pl.any_horizontal(pl.col(c).is_not_null() for c in given))
              .select(ROW, "code", "customer_id", *[pl.col(c).fill_null("").alias(c.removeprefix("contact_"))
                                                    for c in given]))
    stored = _primary_contacts(wanted.get_column("customer_id"))
    merged = wanted.join(stored, on="customer_id", how="left", suffix="~db")
    fields = [c.removeprefix("contact_") for c in given]
    held: list[_Held] = []
    if hold:
        merged, held = _withhold_contacts(merged, [f for f in fields if f in Contact.SENSITIVE_FIELDS])
    differs = ~pl.all_horizontal(pl.col(f).eq_missing(pl.col(f"{f}~db")) for f in fields)
    new = merged.filter(pl.col("id").is_null())
    changed = merged.filter(pl.col("id").is_not_null() & differs)
    _insert_contacts(new, fields)
    _update_contacts(changed, fields)
    touched = pl.concat([new.select(ROW), changed.select(ROW)])
    bump = pl.col(ROW).is_in(touched.get_column(ROW).implode()) & (pl.col(CHANGE) == "unchanged")
    return customers.with_columns(pl.when(bump).then(pl.lit("updated")).otherwise(pl.col(CHANGE)).alias(CHANGE)), held


def _withhold_contacts(merged: pl.DataFrame, sensitive: list[str]) -> tuple[pl.DataFrame, list[_Held]]:
    """Stored contacts keep their phone and email; each change of them is returned to be held."""
    if not sensitive:
        return merged, []
    differs = {f: pl.col("id").is_not_null() & ~pl.col(f).eq_missing(pl.col(f"{f}~db")) for f in sensitive}
    flagged = merged.with_columns([d.alias(f"{f}~held") for f, d in differs.items()]).filter(
        pl.any_horizontal(pl.col(f"{f}~held") for f in sensitive))
    held = []
    for row in flagged.iter_rows(named=True):
        names = [f for f in sensitive if row[f"{f}~held"]]
        held.append(_Held(row["code"], Wish(row["id"], row["customer_id"], {f: row[f"{f}~db"] or "" for f in names},
                                            {f: row[f] for f in names})))
    kept = merged.with_columns([pl.when(d).then(pl.col(f"{f}~db")).otherwise(pl.col(f)).alias(f)
                                for f, d in differs.items()])
    return kept, held


def _primary_contacts(customer_ids: pl.Series) -> pl.DataFrame:
    where, params = db.key_filter("customer_id", customer_ids)
    return db.fetch(f"SELECT customer_id, id, name, phone, email FROM {CONTACTS.table} "  # noqa: S608 - table and column names come from our import targets, never from the file; values are parameters or COPY data  # nosec B608
                    f"WHERE is_primary = %s AND {where}", [True, *params],
                    schema={"customer_id": pl.Int64, "id": pl.Int64, "name": pl.String, "phone": pl.String,
                            "email": pl.String})


def _insert_contacts(new: pl.DataFrame, fields: list[str]) -> None:
    if new.height == 0:
        return
    rows = new.select("customer_id", *[pl.col(f) if f in fields else pl.lit("").alias(f)
                                       for f in ("name", "phone", "email")],
                      pl.lit(True).alias("is_primary"), pl.lit("").alias("title"), pl.lit("").alias("address"))
    _execute_many(f"INSERT INTO {CONTACTS.table} (customer_id, name, phone, email, is_primary, title, address) "  # noqa: S608 - table and column names come from our import targets, never from the file; values are parameters or COPY data  # nosec B608
                  "VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)


def _update_contacts(changed: pl.DataFrame, fields: list[str]) -> None:
    if changed.height == 0:
        return
    sets = ", ".join(f"{f} = %s" for f in fields)
    _execute_many(f"UPDATE {CONTACTS.table} SET {sets} WHERE id = %s", changed.select(*fields, "id"))  # noqa: S608 - table and column names come from our import targets, never from the file; values are parameters or COPY data  # nosec B608


def _execute_many(sql: str, rows: pl.DataFrame) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.executemany(sql, rows.rows())


def customer_audit(changed: pl.DataFrame, before: pl.DataFrame) -> list[Change]:
    """One event per created or changed customer, with the audited fields before and after."""
    if changed.height == 0:
        return []
    after = db.stored_rows(CUSTOMERS, list(Customer.AUDITED_FIELDS), changed.select("code"))
    fields = list(Customer.AUDITED_FIELDS)
    old = {r["code"]: r for r in before.select(fields).to_dicts()}
    ids = dict(db.ids_by_key(CUSTOMERS.table, "code", changed.get_column("code"), "id").iter_rows())
    events = []
    for row, change in zip(after.select(fields).to_dicts(), _changes_by_code(changed, after), strict=True):
        action = "customer.created" if change == "created" else "customer.updated"
        events.append(Change(action, "customer", str(ids.get(row["code"], "")), old.get(row["code"]), row))
    return events


def _changes_by_code(changed: pl.DataFrame, after: pl.DataFrame) -> list[str]:
    return after.select("code").join(changed.select("code", CHANGE), on="code", how="left").get_column(CHANGE).to_list()


WRITERS = {
    "invoices": write_invoices,
    "orders": lambda f, p, b, pr: write_simple("orders", ORDERS, f, p, b, pr),
    "credit-notes": write_credit_notes,
    "financials": lambda f, p, b, pr: write_simple("financials", FINANCIALS, f, p, b, pr),
    "fx-rates": lambda f, p, b, pr: write_simple("fx-rates", FX_RATES, f, p, b, pr),
    "payments": write_payments,
    "customers": write_customers,
}
