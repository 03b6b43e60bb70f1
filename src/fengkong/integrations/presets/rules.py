"""The named rules a preset may add to the read path: each takes one batch of the file (strings, as read) and
changes it before the usual checks run. docs/import.md says what each does for each preset.

Design decisions:
- A rule is a polars expression over the whole batch, never a loop over rows, and it only ever drops rows,
  drops columns, rewrites cells or sets rows aside: every value left still goes through the importer's own
  checks (an amount a rule could not make sense of stays a problem with its row and column).
- Rows a rule drops are counted (`Prepared.notes`), so the outcome says "2 total rows skipped" rather than
  losing them without a word.
- Negative rows (receipts not yet allocated, credit notes standing alone) are credit balances, not invoices:
  `credit_balances` sets them aside as receipts without allocations or credit notes without an invoice, the
  way receivables stores a credit balance, and the importer checks and writes them as those kinds.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from ..fields import normalise_header
from ..mapping import Mapping
from ..parsing import fen_to_text, parse_date, parse_money
from ..sources import ROW, Table
from .layout import Prepared, Preset, customer_code

# what the rules did, said in the outcome (importer.preset_note): note → how many rows
TOTALS, PREAMBLE, DRAFTS, CLEARED, EXCHANGE = "totals", "preamble", "drafts", "cleared", "exchange"
INSTALMENTS, SETTLED, RECEIPTS, CREDIT_NOTES = "instalments", "settled", "receipts", "credit_notes"
NOTES = (TOTALS, PREAMBLE, DRAFTS, CLEARED, EXCHANGE, INSTALMENTS, SETTLED, RECEIPTS, CREDIT_NOTES)
TOTAL_WORDS = ("total", "totals", "合计", "总计", "小计", "本页合计", "累计")
FILLER = "~"  # ERPNext's Data Export separates its tables with "~" columns


class Batch:
    """What the rules work on: the frame, the file's field → header map, the mapping, what was set aside."""

    def __init__(self, preset: Preset, table: Table, fields: dict[str, str], mapping: Mapping):
        self.preset, self.table, self.fields, self.mapping = preset, table, fields, mapping
        self.frame = table.frame
        self.prepared = Prepared(table)

    def column(self, role: str) -> str | None:
        """The header a rule reads: a field's (number, amount …) or one of the preset's own columns."""
        header = self.fields.get(role) or self.preset.columns.get(role)
        return header if header in self.frame.columns else None

    def drop(self, mask: pl.Expr, note: str) -> None:
        dropped = int(self.frame.select(mask.fill_null(False).sum()).item())
        if dropped:
            self.frame = self.frame.filter(~mask.fill_null(False))
            self.prepared.notes[note] = self.prepared.notes.get(note, 0) + dropped

    def fen(self, header: str) -> pl.Expr:
        return parse_money(pl.col(header), self.mapping.thousands, self.mapping.decimal)[0]

    def money_text(self, fen: pl.Expr) -> pl.Expr:
        text = fen_to_text(fen)
        return text.str.replace(".", ",", literal=True) if self.mapping.decimal == "," else text


Rule = Callable[[Batch], None]
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES[name] = fn
        return fn
    return register


def apply_rules(preset: Preset, table: Table, fields: dict[str, str], mapping: Mapping) -> Prepared:
    batch = Batch(preset, table, fields, mapping)
    dropped = set(dropped_headers(preset, table.headers))
    batch.frame = batch.frame.drop([c for c in batch.frame.columns if c in dropped])
    for name in preset.rules:
        RULES[name](batch)
    batch.prepared.table = Table(batch.frame, table.headers, table.encoding)
    return batch.prepared


def dropped_headers(preset: Preset, headers: list[str]) -> list[str]:
    """Columns the preset's rules take out before headers are matched: fillers, document-currency columns,
    the Data Export's label column."""
    dropped = []
    if "drop_filler_columns" in preset.rules:   # the fillers and the child tables after the first one
        first = next((i for i, h in enumerate(headers) if _is_filler(h)), len(headers))
        dropped += headers[first:]
    if "company_currency" in preset.rules:
        foreign = {normalise_header(h) for h in preset.foreign_columns}
        dropped += [h for h in headers if normalise_header(h) in foreign]
    if "data_export_preamble" in preset.rules and headers and _is_data_export(headers[0]):
        dropped.append(headers[0])
    if (counter := preset.columns.get("sr")) in headers:   # the report view's row counter
        dropped.append(counter)
    return dropped


def _is_filler(header: str) -> bool:
    return header == FILLER or header.startswith(FILLER + "_duplicated_")


def _is_data_export(first_header: str) -> bool:
    return normalise_header(first_header) == "columnlabels"


# --- the rules --------------------------------------------------------------------------------------

@rule("data_export_preamble")
def data_export_preamble(b: Batch) -> None:
    """ERPNext's Data Export: below "Column Labels:" come "Column Name:", "Mandatory:", "Type:", "Info:" and
    "Start entering data below this line", each with its label in the first column; data rows leave it
    blank. Those rows are the preamble, not data."""
    first = b.table.headers[0] if b.table.headers else None
    if first is None or not _is_data_export(first) or first not in b.table.frame.columns:
        return
    label = b.table.frame.select(pl.col(first)).to_series()
    keep = b.table.frame.select(pl.col(ROW)).to_series().filter(label.is_null())
    b.drop(~pl.col(ROW).is_in(keep.implode()), PREAMBLE)


@rule("drop_filler_columns")
def drop_filler_columns(b: Batch) -> None:
    """The "~" columns, and the child tables (items, taxes …) after the first of them, are dropped before
    headers are matched (apply_rules, dropped_headers): their rows' parent cells are blank and skipped as
    rows without a number (skip_total_rows)."""


@rule("company_currency")
def company_currency(b: Batch) -> None:
    """Amounts are read from the company-currency columns; the document-currency ones were dropped before
    headers were matched (dropped_headers), so the file is in the company currency: the functional one,
    unless --currency says otherwise."""


@rule("strip_quotes")
def strip_quotes(b: Batch) -> None:
    """IDs written '"SINV-0001"' or "'SINV-0001" (a spreadsheet's text marker) lose the wrapping."""
    text = [c for c in b.frame.columns if c != ROW]
    b.frame = b.frame.with_columns(pl.col(c).str.replace(r'^"(.*)"$', "$1").str.replace(r"^'(.*?)'?$", "$1")
                                   .str.strip_chars().replace("", None) for c in text)


@rule("skip_total_rows")
def skip_total_rows(b: Batch) -> None:
    """A total, heading or repeated header row: no document number and no readable date (ERPNext's trailing
    total, a partner's heading and subtotal in an aged balance), "Total"/"合计" where the number should be, or
    the header itself again (an aged balance repeats it above every partner)."""
    number = b.column("number")
    if number is None:
        return
    word = pl.col(number).str.to_lowercase().str.replace_all(r"[\s:：'\"*]", "").is_in(TOTAL_WORDS)
    candidates = b.frame.filter(pl.col(number).is_null() | word | (pl.col(number) == number))
    if not candidates.height:
        return
    if date := b.column("issue_date"):   # a row without a number but with a date stays, to be reported
        dated = parse_date(pl.col(date), b.mapping.date_formats).is_not_null() & pl.col(number).is_null()
        candidates = candidates.filter(~dated)
    b.drop(pl.col(ROW).is_in(candidates.get_column(ROW).implode()), TOTALS)


@rule("drop_cleared")
def drop_cleared(b: Batch) -> None:
    """SAP: an item with a clearing document is settled (FBL5N run with "All items" lists them too)."""
    if clearing := b.column("clearing"):
        b.drop(pl.col(clearing).is_not_null(), CLEARED)


@rule("drop_statuses")
def drop_statuses(b: Batch) -> None:
    """Drafts and cancelled documents are no receivables."""
    status = b.column("status")
    if status is None:
        return
    dropped = [s.lower() for s in b.preset.drop_statuses]
    b.drop(pl.col(status).str.to_lowercase().is_in(dropped), DRAFTS)


@rule("strip_float_noise")
def strip_float_noise(b: Batch) -> None:
    """2150.3100000000004 is 2150.31 written by a float: a value with more than two decimals that is within
    a thousandth of a fen of a whole fen is rounded to it; any other is left for the checks to refuse."""
    for role in ("amount", "open_amount"):
        header = b.column(role)
        if header is None:
            continue
        cell = pl.col(header)
        long = cell.str.contains(r"^-?\d+\.\d{3,}$")
        cents = cell.cast(pl.Float64, strict=False) * 100
        noise = long & ((cents - cents.round(0)).abs() < 1e-3)
        b.frame = b.frame.with_columns(
            pl.when(noise.fill_null(False)).then(fen_to_text(cents.round(0).cast(pl.Int64))).otherwise(cell)
            .alias(header))


@rule("drop_exchange_lines")
def drop_exchange_lines(b: Batch) -> None:
    """Odoo's exchange-difference entries (journal "Exchange Difference", entries EXCH/…) are no invoices."""
    masks = []
    if journal := b.column("journal"):
        masks.append(pl.col(journal).str.contains(r"(?i)exchange|^exch"))
    if number := b.column("number"):
        masks.append(pl.col(number).str.contains(r"(?i)^exch/"))
    if masks:
        b.drop(pl.any_horizontal(masks), EXCHANGE)


@rule("party_codes")
def party_codes(b: Batch) -> None:
    """The customer column holds a name: the code is the name (CODE RULE, model.customer_code); the name is
    kept for --create-customers."""
    party = b.column("customer_code")
    if party is None or party == b.preset.columns.get("customer_id"):
        return
    b.frame = b.frame.with_columns(
        pl.col(party).alias("~party"),
        pl.col(party).map_elements(customer_code, return_dtype=pl.String).alias(party))


@rule("merge_instalments")
def merge_instalments(b: Batch) -> None:
    """An invoice with instalments is a line per instalment of one entry: one invoice of their sum, due on
    the earliest instalment still open (the last one when none is)."""
    number, amount = b.column("number"), b.column("amount")
    if number is None or amount is None or b.frame.select(pl.col(number).drop_nulls().is_unique().all()).item():
        return
    open_ = b.column("open_amount")
    due = b.column("due_date")
    sums = {h: _sum_text(b, h) for h in (amount, open_) if h}
    aggregations = [pl.col(c).first() for c in b.frame.columns if c not in {number, *sums}]
    if due:
        still_open = (b.fen(open_) > 0) if open_ else pl.lit(True)
        day = parse_date(pl.col(due), b.mapping.date_formats)
        earliest = pl.col(due).filter(still_open).sort_by(day.filter(still_open)).first()
        aggregations = [a for a in aggregations if a.meta.output_name() != due]
        aggregations.append(pl.coalesce(earliest, pl.col(due).sort_by(day).last()).alias(due))
    merged = b.frame.filter(pl.col(number).is_not_null()).group_by(number, maintain_order=True).agg(
        *aggregations, *(expr.alias(h) for h, expr in sums.items()))
    lines = b.frame.filter(pl.col(number).is_not_null()).height
    b.frame = pl.concat([merged.select(b.frame.columns), b.frame.filter(pl.col(number).is_null())]).sort(ROW)
    if lines > merged.height:
        b.prepared.notes[INSTALMENTS] = lines - merged.height


def _sum_text(b: Batch, header: str) -> pl.Expr:
    """The lines' sum as text; a line that is no amount keeps its text, so the check still names it."""
    unread = b.fen(header).is_null() & pl.col(header).is_not_null()
    return pl.when(unread.any()).then(pl.col(header).filter(unread).first()).otherwise(b.money_text(b.fen(header).sum()))


@rule("credit_balances")
def credit_balances(b: Batch) -> None:
    """Rows with a negative amount or open amount (and, with a Credit column, credit lines) are credit
    balances: a receipt not yet allocated (the preset's payment types) or a credit note standing alone, of
    the balance still open. Settled ones (nothing open) are dropped."""
    amount, open_ = b.column("amount"), b.column("open_amount")
    if amount is None and open_ is None:
        return
    balance_header = open_ or amount
    credit = b.column("credit")
    signed = pl.any_horizontal(pl.col(h).str.contains(r"[-(]") for h in (amount, open_) if h)
    if credit:   # a credit line: something in Credit (not "0.00")
        signed = signed | ~pl.col(credit).fill_null("0").str.contains(r"^[\s0.,]*$")
    candidates = b.frame.filter(signed.fill_null(False))   # only these can be credits: parsed, the rest is not
    if not candidates.height:
        return
    fen = {h: f"~fen {h}" for h in (amount, open_, credit) if h}
    rows = candidates.with_columns(b.fen(h).alias(name) for h, name in fen.items())
    negative = pl.lit(False)
    for header in (amount, open_):
        if header:
            negative = negative | (pl.col(fen[header]) < 0).fill_null(False)
    if credit:
        debit = pl.col(fen[amount]).fill_null(0) if amount else pl.lit(0)
        negative = negative | ((pl.col(fen[credit]) > 0) & (debit == 0)).fill_null(False)
    credits = rows.filter(negative).with_columns(pl.col(fen[balance_header]).abs().alias("~balance")).drop(
        list(fen.values()))
    if not credits.height:
        return
    b.frame = b.frame.filter(~pl.col(ROW).is_in(credits.get_column(ROW).implode()))
    settled = credits.filter(pl.col("~balance").fill_null(0) == 0).height
    if settled:
        b.prepared.notes[SETTLED] = settled
    credits = credits.filter(pl.col("~balance").fill_null(0) != 0).with_columns(
        b.money_text(pl.col("~balance")).alias(balance_header))
    kind_type = b.column("type")
    payments = (pl.col(kind_type).is_in(list(b.preset.payment_types)).fill_null(False) if kind_type
                else pl.lit(False))
    for kind, mask, date_field in (("payments", payments, "payment_date"), ("credit-notes", ~payments, "issue_date")):
        part = credits.filter(mask).drop("~balance")
        if not part.height:
            continue
        fields = {"number": b.fields.get("number"), "customer_code": b.fields.get("customer_code"),
                  date_field: b.fields.get("issue_date"), "amount": balance_header,
                  "currency": b.fields.get("currency")}
        fields = {f: h for f, h in fields.items() if h and h in part.columns}
        b.prepared.aside.append((kind, Table(part, b.table.headers, b.table.encoding), fields))
        note = RECEIPTS if kind == "payments" else CREDIT_NOTES
        b.prepared.notes[note] = b.prepared.notes.get(note, 0) + part.height
