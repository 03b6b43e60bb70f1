"""Checking an ERP table row by row, all rows at once: every problem, with row, column, value and reason.

Design decisions:
- A check is a polars mask over the whole frame, never a Python loop over rows; the problems are a frame
  (row, column, value, message) that can hold a million entries without slowing the import.
- Every check runs, even after others have failed, so the user fixes the file once (Beancount's way).
- The result is typed, database-shaped columns (integer fen, dates, ids) ready for the writer. `present`
  names the columns the file actually carries: an upsert only updates those, so a file without a
  行业 column never wipes the industry of existing customers.
- Lookups against the database (customer codes, invoice numbers, credit codes in use) are bulk joins
  against frames pulled in one query each.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import polars as pl
from django.utils.translation import gettext as _

from fengkong.core import currencies, industries, regions, uscc
from fengkong.customers.choices import STATUS_ALIASES
from fengkong.receivables.choices import ORDER_STATUS_ALIASES

from . import db
from .exceptions import FileRejected
from .fields import BOOL, DATE, MONEY, RATE, TEXT, Field, alias_index, fields_of, normalise_header
from .mapping import Mapping
from .parsing import (
    NOT_A_NUMBER,
    TIME_OF_DAY,
    TOO_LARGE,
    TOO_MANY_DECIMALS,
    fen_to_text,
    is_plain_money,
    parse_bool,
    parse_date,
    parse_money,
    parse_plain_money,
)
from .sources import ROW, Table

PROBLEM_SCHEMA = {"row": pl.Int64, "column": pl.String, "value": pl.String, "message": pl.String}
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
# The natural keys a file may hold once, checked across every batch of a file read in batches; the
# values are normalised as the checks normalise them (credit codes in capitals).
UNIQUE_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "invoices": (("number",),), "orders": (("number",),), "credit-notes": (("number",),),
    "customers": (("code",), ("credit_code",)),
}
# fx-rates files are small (a row per day and currency) and their key spans the file: read in one batch.
KEY_FORMS: dict[str, Callable[[pl.Expr], pl.Expr]] = {"credit_code": lambda e: e.str.to_uppercase()}
# Kinds whose checks tie rows anywhere in the file together (a receipt's lines, a customer's periods):
# read in one batch.
WHOLE_FILE_KINDS = frozenset({"payments", "financials", "fx-rates"})
Duplicates = dict[tuple[str, ...], pl.DataFrame]  # key columns → the duplicated keys and "~rows"


def raw(name: str) -> str:
    return f"~{name}"


@dataclass
class Checked:
    """The typed rows, what columns they carry, and every problem found."""

    frame: pl.DataFrame
    present: set[str]
    problems: pl.DataFrame
    rows_total: int
    group_key: str | None = None  # rows sharing this column stand or fall together (a receipt's lines)

    def rejected_rows(self) -> pl.Series:
        bad = self.problems.get_column("row").unique()
        if self.group_key is None:
            return bad
        bad_groups = self.frame.filter(pl.col(ROW).is_in(bad.implode())).get_column(self.group_key).unique()
        return self.frame.filter(pl.col(self.group_key).is_in(bad_groups.implode())).get_column(ROW)

    def valid_frame(self) -> pl.DataFrame:
        return self.frame.filter(~pl.col(ROW).is_in(self.rejected_rows().implode()))


# --- headers ----------------------------------------------------------------------------------------

def resolve_headers(headers: list[str], kind: str, mapping: Mapping) -> dict[str, str]:
    """field → header in the file (a header a mapping sends to two fields serves both). Refuses the file if a
    required field has no column, or if the mapping names a column the file does not have."""
    index = alias_index(kind)
    mapped = {normalise_header(h): names for h, names in mapping.columns.items()}
    _refuse_absent(mapping, headers)
    found: dict[str, list[str]] = {}
    for header in headers:
        key = normalise_header(header)
        names = mapped.get(key) or ((index[key],) if key not in mapped and key in index else ())
        for name in names:
            found.setdefault(name, []).append(header)
    _refuse_ambiguous(found)
    _refuse_missing(found, headers, kind, mapping)
    return {name: hs[0] for name, hs in found.items()}


def unused_headers(headers: list[str], resolved: dict[str, str]) -> list[str]:
    """The file's columns that no field takes (named in the import's outcome, not dropped without a word)."""
    used = set(resolved.values())
    return [h for h in headers if h and h not in used]


def _refuse_absent(mapping: Mapping, headers: list[str]) -> None:
    present = {normalise_header(h) for h in headers}
    absent = [h for h in mapping.columns if normalise_header(h) not in present]
    if absent:
        raise FileRejected(_("Mapping file: column %(header)r is not in the file (it would fill %(fields)s). "
                             "Columns found in the file: %(found)s.")
                           % {"header": absent[0], "fields": ", ".join(mapping.columns[absent[0]]),
                              "found": ", ".join(h for h in headers if h) or _("none")})


def _refuse_ambiguous(found: dict[str, list[str]]) -> None:
    doubles = {name: hs for name, hs in found.items() if len(hs) > 1}
    if doubles:
        name, hs = next(iter(doubles.items()))
        raise FileRejected(_("Columns %(cols)s all mean %(field)s. Remove all but one, or say which one to use "
                             "in a mapping file.") % {"cols": ", ".join(hs), "field": name})


def _refuse_missing(found: dict, headers: list[str], kind: str, mapping: Mapping) -> None:
    missing = [f for f in fields_of(kind).values() if f.required and f.name not in found
               and f.name not in mapping.constants]
    if not missing:
        return
    raise FileRejected(_("Missing required column(s): %(missing)s. Columns found in the file: %(found)s.")
                       % {"missing": "; ".join(f.label for f in missing),
                          "found": ", ".join(h for h in headers if h) or _("none")})


# --- the checker ------------------------------------------------------------------------------------

class Checker:
    """Holds the frame being checked and the problems found so far."""

    def __init__(self, frame: pl.DataFrame, headers: dict[str, str], kind: str, mapping: Mapping,
                 duplicates: Duplicates | None = None):
        self.frame, self.headers, self.kind, self.mapping = frame, headers, kind, mapping
        self.duplicates = duplicates  # found across the whole file when it is read in batches
        self.fields = fields_of(kind)
        self.parts: list[pl.DataFrame] = []

    def header(self, name: str) -> str:
        return self.headers.get(name) or self.fields[name].label

    def problem(self, mask: pl.Expr, name: str, message: str | pl.Expr) -> None:
        message = pl.lit(message) if isinstance(message, str) else message
        value = pl.col(raw(name)) if raw(name) in self.frame.columns else pl.lit(None, pl.String)
        part = self.frame.filter(mask).select(
            pl.col(ROW).cast(pl.Int64).alias("row"), pl.lit(self.header(name)).alias("column"),
            value.cast(pl.String).alias("value"), message.cast(pl.String).alias("message"))
        if part.height:
            self.parts.append(part)

    def problems(self) -> pl.DataFrame:
        if not self.parts:
            return pl.DataFrame(schema=PROBLEM_SCHEMA)
        return pl.concat(self.parts).sort("row", maintain_order=True)

    def has(self, name: str) -> bool:
        return name in self.frame.columns

    def add(self, *columns: pl.Expr) -> None:
        self.frame = self.frame.with_columns(*columns)


def check(kind: str, table: Table, mapping: Mapping, headers: dict[str, str] | None = None,
          duplicates: Duplicates | None = None) -> Checked:
    """Check a table: the whole file, or one batch of its rows with `duplicates` found across all batches
    (find_duplicates). `headers` as resolve_headers gives them (resolved here when not given)."""
    headers = headers or resolve_headers(table.headers, kind, mapping)
    checker = Checker(_select(table, headers, mapping), headers, kind, mapping, duplicates)
    if kind == "financials":
        prepare_financials(checker)
    parse_fields(checker)
    present = KIND_CHECKS[kind](checker)
    return Checked(checker.frame, present, checker.problems(), table.frame.height,
                   group_key="number" if kind == "payments" else None)


def _select(table: Table, headers: dict[str, str], mapping: Mapping) -> pl.DataFrame:
    columns = [pl.col(ROW)] + [pl.col(h).alias(raw(name)) for name, h in headers.items()]
    columns += [pl.lit(value, pl.String).alias(raw(name)) for name, value in mapping.constants.items()
                if name not in headers]
    return table.frame.select(columns)


# --- typed fields -----------------------------------------------------------------------------------

def parse_fields(c: Checker) -> None:
    for f in c.fields.values():
        if c.has(raw(f.name)):
            PARSERS[f.type](c, f)
            if f.required:
                c.problem(pl.col(raw(f.name)).is_null(), f.name, _("required value is missing"))


def _parse_text(c: Checker, f: Field) -> None:
    c.add(pl.col(raw(f.name)).alias(f.name))
    if f.max_length:
        c.problem(pl.col(f.name).str.len_chars() > f.max_length, f.name,
                  _("longer than %(n)d characters") % {"n": f.max_length})


def _parse_date(c: Checker, f: Field) -> None:
    c.add(parse_date(pl.col(raw(f.name)), c.mapping.date_formats).alias(f.name))
    unread = pl.col(raw(f.name)).is_not_null() & pl.col(f.name).is_null()
    first = c.frame.filter(unread).select(raw(f.name)).head(1)
    if not first.height:
        return
    tried = ", ".join(_readable_format(fmt) for fmt in c.mapping.date_formats)
    fitting = [fmt for fmt in HINT_FORMATS if _reads(first.item(), fmt)]
    fix = (_('set [dates] formats = ["%(format)s"] in the mapping file (docs/import.md)') % {"format": fitting[0]}
           if len(fitting) == 1 else
           _('set [dates] formats = ["%(format)s"] or ["%(other)s"] in the mapping file, whichever the ERP '
             'writes (docs/import.md)') % {"format": fitting[0], "other": fitting[1]} if fitting else
           _("add its format to [dates] formats in the mapping file (docs/import.md)"))
    c.problem(unread, f.name, _("not a date (formats tried: %(formats)s): %(fix)s") % {"formats": tried, "fix": fix})


# formats a mapping can name, tried on the first unreadable date to say which one to set; month first
# before day first: when a date reads both ways, both are offered
HINT_FORMATS = ("%m/%d/%Y", "%d/%m/%Y", "%m-%d-%Y", "%d-%m-%Y", "%d.%m.%Y", "%m/%d/%y", "%d/%m/%y", "%Y%m%d",
                "%Y-%m-%d", "%Y/%m/%d", "%d %b %Y", "%b %d, %Y")


def _reads(text: str, fmt: str) -> bool:
    try:
        return 1900 <= datetime.strptime(re.sub(TIME_OF_DAY, "", text.strip()), fmt).year <= 2199  # noqa: DTZ007
    except ValueError:
        return False


def _readable_format(fmt: str) -> str:
    if fmt == "excel":
        return _("Excel serial number")
    return fmt.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD").replace("%y", "YY")


def _parse_money(c: Checker, f: Field) -> None:
    if c.frame.select(is_plain_money(pl.col(raw(f.name))).fill_null(True).all()).item():
        c.add(parse_plain_money(pl.col(raw(f.name))).alias(f.name))  # nothing to report: the fast path
        return
    fen, why = parse_money(pl.col(raw(f.name)), c.mapping.thousands, c.mapping.decimal)
    c.add(fen.alias(f.name), why.alias(f"?{f.name}"))
    reasons = {
        NOT_A_NUMBER: _("not an amount (expected e.g. 1234.56 or 1,234.56; for 1.234,56 set [numbers] in "
                        "a mapping file)"),
        TOO_MANY_DECIMALS: _("more than two decimal places"),
        TOO_LARGE: _("too large (at most 16 digits before the decimal point)"),
    }
    for code, message in reasons.items():
        c.problem(pl.col(f"?{f.name}") == code, f.name, message)
    if not f.signed:
        c.problem(pl.col(f.name) < 0, f.name, _("negative amount"))


def _parse_bool(c: Checker, f: Field) -> None:
    value, unknown = parse_bool(pl.col(raw(f.name)))
    c.add(value.alias(f.name))
    c.problem(unknown, f.name, _("not a yes/no value (use 是/否, yes/no, 1/0)"))


def _parse_rate(c: Checker, f: Field) -> None:
    """An exchange rate above 0 with at most 8 decimal places, as an integer of 1e-8 (db.RATE)."""
    parts = pl.col(raw(f.name)).str.strip_chars().str.replace_all(",", "").str.extract_groups(
        r"^(-?)([0-9]{1,12})(?:\.([0-9]{0,8}))?$")
    whole = parts.struct.field("2").cast(pl.Int64, strict=False)
    fraction = parts.struct.field("3").fill_null("").str.pad_end(8, "0").cast(pl.Int64, strict=False)
    sign = pl.when(parts.struct.field("1") == "-").then(-1).otherwise(1)
    c.add((sign * (whole * 10**8 + fraction)).alias(f.name))
    c.problem(pl.col(raw(f.name)).is_not_null() & pl.col(f.name).is_null(), f.name,
              _("not a rate (expected a number such as 7.1234, at most 12 digits before and 8 after the point)"))
    c.problem(pl.col(f.name) <= 0, f.name, _("a rate must be more than zero"))


PARSERS: dict[str, Callable[[Checker, Field], None]] = {
    TEXT: _parse_text, DATE: _parse_date, MONEY: _parse_money, BOOL: _parse_bool, RATE: _parse_rate}


# --- checks shared by several kinds -----------------------------------------------------------------

def check_unique(c: Checker, keys: list[str], column: str, what: str) -> None:
    """Each natural key once per file; report every row of a duplicate, naming the other rows."""
    if c.duplicates is not None and tuple(keys) in c.duplicates:
        rows = c.duplicates[tuple(keys)]   # the file is read in batches: its duplicates were found first
        if rows.height == 0:
            return
    else:
        has_key = pl.all_horizontal(pl.col(k).is_not_null() for k in keys)
        dupes = pl.struct(keys).is_duplicated() & has_key
        if not c.frame.select(dupes.any()).item():
            return
        rows = duplicate_rows(c.frame.filter(dupes), keys)
    c.frame = c.frame.join(rows, on=keys, how="left", nulls_equal=False)
    dupes = pl.col("~rows").is_not_null()
    c.problem(dupes, column, pl.format(_("{} appears more than once in the file (rows {})"),
                                       pl.lit(what), pl.col("~rows")))
    c.frame = c.frame.drop("~rows")


def duplicate_rows(rows: pl.DataFrame, keys: list[str] | tuple[str, ...]) -> pl.DataFrame:
    """The keys that occur more than once among `rows` (keys and ROW), with their rows as "2, 5"."""
    return (rows.group_by(keys).agg(pl.col(ROW).sort().cast(pl.String).str.join(", ").alias("~rows"),
                                    pl.len().alias("~n"))
            .filter(pl.col("~n") > 1).drop("~n"))


def find_duplicates(batches: Callable[[], Iterable[Table]], kind: str, headers: dict[str, str],
                    mapping: Mapping) -> Duplicates:
    """Every duplicated natural key of a file read in batches, before any batch is checked (so that all
    rows of a duplicate are refused, the first one too). One pass keeps only a 64-bit hash of each key
    (8 bytes a row); only if two hashes agree does a second pass collect those rows' keys, exactly."""
    key_sets = [keys for keys in UNIQUE_KEYS.get(kind, ()) if all(k in headers or k in mapping.constants
                                                                  for k in keys)]
    if not key_sets:
        return {}
    hashes: dict[tuple[str, ...], list[np.ndarray]] = {keys: [] for keys in key_sets}
    for table in batches():
        for keys, frame in _key_frames(table, key_sets, headers, mapping):
            hashes[keys].append(frame.get_column("~hash").to_numpy())
    suspects = {keys: _repeated(parts) for keys, parts in hashes.items()}
    del hashes
    found: dict[tuple[str, ...], list[pl.DataFrame]] = {keys: [] for keys in key_sets}
    if any(len(s) for s in suspects.values()):
        for table in batches():
            for keys, frame in _key_frames(table, key_sets, headers, mapping):
                if len(suspects[keys]):
                    found[keys].append(frame.filter(pl.col("~hash").is_in(pl.Series(suspects[keys]).implode())))
    return {keys: duplicate_rows(pl.concat(parts) if parts else pl.DataFrame(
        schema={ROW: pl.Int64, **{k: pl.String for k in keys}}), keys) for keys, parts in found.items()}


def _key_frames(table: Table, key_sets: list[tuple[str, ...]], headers: dict[str, str], mapping: Mapping):
    """(keys, frame of ROW, the keys as the checks see them, ~hash) for each key set, rows with a key only."""
    frame = _select(table, headers, mapping)
    for keys in key_sets:
        values = [KEY_FORMS.get(k, lambda e: e)(pl.col(raw(k))).alias(k) for k in keys]
        keyed = frame.select(pl.col(ROW).cast(pl.Int64), *values).drop_nulls(list(keys))
        yield keys, keyed.with_columns(pl.struct(list(keys)).hash().alias("~hash"))


def _repeated(parts: list[np.ndarray]) -> np.ndarray:
    """The values that occur more than once in the arrays."""
    if not parts:
        return np.empty(0, dtype=np.uint64)
    values = np.concatenate(parts)
    values.sort()
    return np.unique(values[1:][values[1:] == values[:-1]])


def check_customer_codes(c: Checker) -> None:
    known = db.customer_ids()
    c.frame = c.frame.join(known, left_on="customer_code", right_on="code", how="left")
    c.problem(pl.col("customer_code").is_not_null() & pl.col("customer_id").is_null(), "customer_code",
              _("unknown customer code: import the customer first"))


def check_currency(c: Checker) -> None:
    """ISO 4217 codes, names (人民币, 美元, US Dollar …) and unambiguous signs, written as the code
    (core.currencies); a blank cell is the functional currency, as a file without the column is."""
    if not c.has("currency"):
        return
    values = c.frame.get_column("currency").drop_nulls().unique()
    known = pl.DataFrame({"currency": values, "~code": [currencies.normalise(v) for v in values],
                          "~why": [currencies.problem(v) for v in values]},
                         schema={"currency": pl.String, "~code": pl.String, "~why": pl.String})
    c.frame = c.frame.join(known, on="currency", how="left")
    c.problem(pl.col("~why").is_not_null(), "currency", pl.col("~why"))
    c.frame = c.frame.drop("currency", "~why").rename({"~code": "currency"})


def row_currency(c: Checker) -> pl.Expr:
    """The currency of each row: its own, else the functional currency."""
    functional = pl.lit(currencies.functional_currency())
    return pl.coalesce(pl.col("currency"), functional) if c.has("currency") else functional


def check_same_currency(c: Checker, name: str, what: str) -> None:
    """Allocations across currencies are refused: the row's currency must be its invoice's (~inv_currency)."""
    if "~inv_currency" not in c.frame.columns:
        return
    c.problem(pl.col("~inv_currency").is_not_null() & (row_currency(c) != pl.col("~inv_currency")), name,
              pl.format(_("this {} is in {} but invoice {} is in {}: allocations across currencies are refused"),
                        pl.lit(what), row_currency(c), pl.col(name), pl.col("~inv_currency")))


def check_open_within_amount(c: Checker) -> None:
    if c.has("open_amount"):
        c.problem(pl.col("open_amount") > pl.col("amount"), "open_amount",
                  _("open amount is larger than the amount"))


def check_positive(c: Checker, name: str) -> None:
    if c.has(name):
        c.problem(pl.col(name) == 0, name, _("must be more than zero"))


def check_invoice_refs(c: Checker, name: str, column: str) -> None:
    """`name` holds invoice numbers: they must exist and belong to the row's customer."""
    if not c.has(name):
        return
    numbers = c.frame.get_column(name).drop_nulls().unique()
    found = db.invoice_ids(numbers).rename({"number": name, "id": column, "customer_id": "~inv_customer",
                                            "currency": "~inv_currency"})
    c.frame = c.frame.join(found, on=name, how="left")
    c.problem(pl.col(name).is_not_null() & pl.col(column).is_null(), name, _("unknown invoice number"))
    c.problem(pl.col("~inv_customer").is_not_null() & pl.col("customer_id").is_not_null()
              & (pl.col("~inv_customer") != pl.col("customer_id")), name,
              _("this invoice belongs to another customer"))


def present_columns(c: Checker, renames: dict[str, str] | None = None) -> set[str]:
    renames = renames or {}
    return {renames.get(name, name) for name in c.fields if c.has(raw(name))}


# --- per kind ---------------------------------------------------------------------------------------

def check_invoices(c: Checker) -> set[str]:
    check_unique(c, ["number"], "number", _("invoice number"))
    check_customer_codes(c)
    check_open_within_amount(c)
    c.problem(pl.col("due_date") < pl.col("issue_date"), "due_date", _("due date is before the issue date"))
    check_currency(c)
    return present_columns(c, {"customer_code": "customer_id"})


def check_orders(c: Checker) -> set[str]:
    check_unique(c, ["number"], "number", _("order number"))
    check_customer_codes(c)
    check_open_within_amount(c)
    check_currency(c)
    check_alias(c, "status", ORDER_STATUS_ALIASES)
    return present_columns(c, {"customer_code": "customer_id"})


def check_credit_notes(c: Checker) -> set[str]:
    check_unique(c, ["number"], "number", _("credit note number"))
    check_customer_codes(c)
    check_positive(c, "amount")
    check_currency(c)
    check_invoice_refs(c, "invoice_number", "invoice_id")
    check_same_currency(c, "invoice_number", _("credit note"))
    return present_columns(c, {"customer_code": "customer_id", "invoice_number": "invoice_id"})


def check_payments(c: Checker) -> set[str]:
    check_customer_codes(c)
    check_positive(c, "amount")
    check_currency(c)
    _check_receipt_lines_agree(c)
    if c.has("allocated_invoice") or c.has("allocated_amount"):
        _check_allocations(c)
    else:
        check_unique(c, ["number"], "number", _("receipt number"))
    return present_columns(c, {"customer_code": "customer_id"}) - {"allocated_invoice", "allocated_amount"}


def _check_receipt_lines_agree(c: Checker) -> None:
    """A receipt allocated to several invoices spans several lines: they must tell the same receipt."""
    same = [k for k in ("customer_code", "payment_date", "amount") if c.has(k)]
    disagree = pl.struct(same).n_unique().over("number") > 1
    c.problem(pl.col("number").is_not_null() & disagree, "number",
              _("the lines of this receipt disagree on customer, date or amount"))


def _check_allocations(c: Checker) -> None:
    for name in ("allocated_invoice", "allocated_amount"):
        if not c.has(name):
            c.add(pl.lit(None, pl.Int64 if name == "allocated_amount" else pl.String).alias(name))
    c.problem(pl.col("allocated_invoice").is_null() & pl.col("allocated_amount").is_not_null(),
              "allocated_invoice", _("an allocated amount needs the invoice number it settles"))
    c.problem(pl.col("allocated_invoice").is_not_null() & pl.col("allocated_amount").is_null(),
              "allocated_amount", _("the amount allocated to this invoice is missing"))
    check_positive(c, "allocated_amount")
    check_invoice_refs(c, "allocated_invoice", "invoice_id")
    check_same_currency(c, "allocated_invoice", _("receipt"))
    check_unique(c, ["number", "allocated_invoice"], "allocated_invoice", _("this receipt–invoice allocation"))
    lines_without = pl.col("allocated_invoice").is_null() & (pl.len().over("number") > 1)
    c.problem(lines_without, "number", _("receipt number appears more than once in the file"))
    over = pl.col("allocated_amount").sum().over("number") > pl.col("amount").first().over("number")
    c.problem(pl.col("allocated_amount").is_not_null() & over, "allocated_amount",
              _("the allocations of this receipt add up to more than its amount"))
    _check_invoice_not_overallocated(c)


def _check_invoice_not_overallocated(c: Checker) -> None:
    """An invoice cannot be allocated more than its amount: this file's allocations to it (a re-imported
    receipt's replace its stored ones) plus what other receipts already allocate."""
    if c.frame.get_column("invoice_id").drop_nulls().is_empty():
        return
    room = db.allocation_room(c.frame.get_column("invoice_id"), c.frame.get_column("number"))
    c.frame = c.frame.join(room, on="invoice_id", how="left")
    total = pl.col("allocated_amount").sum().over("invoice_id") + pl.col("~other_fen")
    over = pl.col("invoice_id").is_not_null() & pl.col("allocated_amount").is_not_null() & (total > pl.col("~amount_fen"))
    c.problem(over, "allocated_amount", pl.format(
        _("the allocations to invoice {} add up to {}, more than its amount {}"),
        pl.col("allocated_invoice"), fen_to_text(total), fen_to_text(pl.col("~amount_fen"))))


def prepare_financials(c: Checker) -> None:
    """报告期 is often a year or a month: rewrite those as the period's last day before dates are parsed."""
    period = pl.col(raw("period_end"))
    c.add(pl.coalesce(_period_end(period).dt.to_string("%Y-%m-%d"), period).alias(raw("period_end")))


def check_financials(c: Checker) -> set[str]:
    check_customer_codes(c)
    check_unique(c, ["customer_id", "period_end"], "period_end", _("this customer's statement for the period"))
    return present_columns(c, {"customer_code": "customer_id"})


def _period_end(text: pl.Expr) -> pl.Expr:
    """报告期 written as a year ("2025", "2025年") or a month ("2025-06", "2025年6月"): its last day."""
    year = text.str.extract(r"^(\d{4})年?(?:度|报)?$", 1).cast(pl.Int32, strict=False)
    month = text.str.extract_groups(r"^(\d{4})[-/.年](\d{1,2})月?$")
    y, m = (month.struct.field(str(i)).cast(pl.Int32, strict=False) for i in (1, 2))
    by_month = pl.when(m.is_between(1, 12)).then(pl.date(y, m, 1).dt.month_end())
    return pl.coalesce(pl.when(year.is_between(1900, 2199)).then(pl.date(year, 12, 31)), by_month)


def check_customers(c: Checker) -> set[str]:
    check_unique(c, ["code"], "code", _("customer code"))
    if c.has("credit_code"):
        _check_credit_codes(c)
    if c.has("region"):
        c.problem(_problem_of(c, "region", regions.problem), "region", pl.col("~why"))
        c.frame = c.frame.drop("~why")
    if c.has("industry"):
        _check_industry(c)
    check_alias(c, "status", STATUS_ALIASES)
    if c.has("contact_email"):
        c.problem(pl.col("contact_email").is_not_null() & ~pl.col("contact_email").str.contains(EMAIL),
                  "contact_email", _("not an e-mail address"))
    if c.has("portfolio"):
        _check_portfolio_codes(c)
    if c.has("bank_account"):
        c.add(pl.col("bank_account").str.replace_all(r"[\s-]", ""))  # ERPs print 6222 0200 … or 6222-0200-…
        c.problem(pl.col("bank_account").is_not_null() & ~pl.col("bank_account").str.contains(r"^[0-9]{8,32}$"),
                  "bank_account", _("a bank account number is 8 to 32 digits"))
    return present_columns(c, {"group_code": "group_id", "portfolio": "portfolio_id"}) - {"group_name"}


def _problem_of(c: Checker, name: str, why: Callable[[str], str | None]) -> pl.Expr:
    """Run a scalar validator once per distinct value; leaves the reason in column ~why."""
    values = c.frame.get_column(name).drop_nulls().unique()
    reasons = pl.DataFrame({name: values, "~why": [why(v) for v in values]},
                           schema={name: pl.String, "~why": pl.String})
    c.frame = c.frame.join(reasons, on=name, how="left")
    return pl.col("~why").is_not_null()


def _check_credit_codes(c: Checker) -> None:
    c.add(pl.col("credit_code").str.to_uppercase())
    c.problem(_problem_of(c, "credit_code", uscc.problem), "credit_code",
              pl.format(_("invalid unified social credit code: {}"), pl.col("~why")))
    c.frame = c.frame.drop("~why")
    check_unique(c, ["credit_code"], "credit_code", _("credit code"))
    owners = db.credit_code_owners(c.frame.get_column("credit_code").drop_nulls().unique())
    c.frame = c.frame.join(owners, on="credit_code", how="left")
    c.problem(pl.col("~owner").is_not_null() & (pl.col("~owner") != pl.col("code")), "credit_code",
              pl.format(_("this credit code already belongs to customer {}"), pl.col("~owner")))
    c.frame = c.frame.drop("~owner")


def _check_industry(c: Checker) -> None:
    names = {k.lower(): v for k, v in industries.NAME_TO_SECTION.items()}
    names |= {letter.lower(): letter for letter in industries.SECTIONS}
    word = pl.col("industry").str.to_lowercase().str.replace(r"^([a-t])(?:[^a-z].*)?$", "$1")
    c.add(word.replace_strict(names, default=None, return_dtype=pl.String).alias("~section"))
    c.problem(pl.col("industry").is_not_null() & pl.col("~section").is_null(), "industry",
              _("unknown industry: use a GB/T 4754 section letter A–T or its name, e.g. C or 制造业"))
    c.frame = c.frame.drop("industry").rename({"~section": "industry"})


def check_alias(c: Checker, name: str, aliases: dict[str, str]) -> None:
    if not c.has(name):
        return
    lowered = {k.lower(): v for k, v in aliases.items()}
    c.add(pl.col(name).str.to_lowercase().replace_strict(lowered, default=None, return_dtype=pl.String)
          .alias("~status"))
    accepted = ", ".join(sorted({k for k in aliases if k}))
    c.problem(pl.col(name).is_not_null() & pl.col("~status").is_null(), name,
              _("unknown status (accepted: %(list)s)") % {"list": accepted})
    c.frame = c.frame.drop(name).rename({"~status": name})


def _check_portfolio_codes(c: Checker) -> None:
    c.frame = c.frame.join(db.portfolio_ids(), left_on="portfolio", right_on="code", how="left")
    c.problem(pl.col("portfolio").is_not_null() & pl.col("portfolio_id").is_null(), "portfolio",
              _("unknown portfolio code"))


def check_fx_rates(c: Checker) -> set[str]:
    """A rate per date and currency, in a currency other than the functional one."""
    check_currency(c)
    functional = currencies.functional_currency()
    c.problem(pl.col("currency") == functional, "currency",
              _("this is the functional currency (%(code)s): its rate is always 1") % {"code": functional})
    check_unique(c, ["date", "currency"], "date", _("the rate of this currency on this date"))
    return present_columns(c)


KIND_CHECKS: dict[str, Callable[[Checker], set[str]]] = {
    "customers": check_customers, "invoices": check_invoices, "payments": check_payments,
    "credit-notes": check_credit_notes, "orders": check_orders, "financials": check_financials,
    "fx-rates": check_fx_rates,
}

