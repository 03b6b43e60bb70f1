"""Importing one ERP export: read, check every row, write all-or-nothing (or the valid rows), record it.

This is the one entry point behind the CLI (`fengkong import`), the web upload (actions.start_import queues tasks.run_import_task)
and the demo loader. Design decisions:
- It never raises on bad input. A problem with the whole file rejects the batch with one clear message;
  row problems are collected, all of them, and reported with row, column, value and reason.
- All writes of a file happen in one transaction together with the audit events, so a crash, a kill or
  a constraint the checks missed leaves nothing half-written; the batch row itself is written outside
  it, so even a failed import is on record (who, when, file hash, counts, problems).
- The file is read in batches of settings.IMPORT_CHUNK_ROWS rows (sources.open_source) and each batch is
  checked and written before the next is read, inside that one transaction, so memory does not grow with
  the file. All or nothing still holds: once a batch has a problem nothing more is written (the rest is
  still checked, so every problem is reported) and the transaction is rolled back at the end. Keys that
  must be unique are checked across batches (validation.find_duplicates reads the file once for them
  first); receipts and financial statements, whose checks span the file, are read in one batch.
- The size limit is settings.IMPORT_MAX_BYTES (what the web upload accepts); `fengkong import` passes its
  own, settings.IMPORT_CLI_MAX_BYTES.
- Dual review (docs/dual-review.md): a customers file imported by a person from a source that is not
  trusted (ImportSource.trusted, set by an administrator; no source is not trusted) writes its changes of
  sensitive master data as pending changes for a second person (writers.write_customers `hold`,
  reviews.actions.request_changes), counted as `rows_held`. The system (the demo loader, `fengkong
  import` without --user) and trusted sources write them at once.
- ERP presets (docs/import.md, integrations.presets): a preset asked for, or detected from the headers when
  neither a preset nor a mapping was given, is the preset's mapping (the user's on top) plus its named rules,
  applied to each batch in `Reading.prepared` before the checks; rows a rule sets aside as credit balances
  are checked and written as receipts or credit notes of the same import. The outcome says which preset and
  why, and what its rules did.
- `create_customers`: unknown parties of the file become customers (the ERP's customer ID as the code where
  the file has one, else presets.customer_code) before a batch is checked, in the import's transaction; the
  outcome lists them. A dry run creates them in a transaction it rolls back.
- Progress goes to the caller's callback and to the cache under `import-progress:<batch id>` as
  {stage, done, total}: the web page polls that, because on SQLite the batch row cannot be seen to move
  while the write transaction holds the database.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from fengkong.core.audit import Change, record_many
from fengkong.core.spreadsheets import write_frame_csv
from fengkong.customers.models import FinancialStatement
from fengkong.customers.signals import financial_statements_changed
from fengkong.receivables.ledger import Derivation
from fengkong.reviews.actions import request_changes
from fengkong.reviews.targets import reviewed

from . import db
from .exceptions import FileRejected
from .fields import KINDS, fields_of
from .mapping import Mapping
from .models import ImportBatch, ImportSource
from .presets import Layout, Prepared, layout_for
from .presets.rules import NOTES
from .sources import ROW, Source, Table, open_source
from .validation import (
    PROBLEM_SCHEMA,
    WHOLE_FILE_KINDS,
    Checked,
    check,
    find_duplicates,
    resolve_headers,
    unused_headers,
)
from .writers import CREDIT_NOTES, CUSTOMERS, INVOICES, ORDERS, WRITERS, Written

# what a preset's rules did (presets.rules.NOTES), as the outcome says it
NOTE_TEXTS = {
    "totals": ngettext_lazy("%(n)d total or heading row skipped", "%(n)d total or heading rows skipped", "n"),
    "preamble": ngettext_lazy("%(n)d preamble row skipped", "%(n)d preamble rows skipped", "n"),
    "drafts": ngettext_lazy("%(n)d draft or cancelled row skipped", "%(n)d draft or cancelled rows skipped", "n"),
    "cleared": ngettext_lazy("%(n)d cleared item skipped", "%(n)d cleared items skipped", "n"),
    "exchange": ngettext_lazy("%(n)d exchange-difference line skipped", "%(n)d exchange-difference lines skipped", "n"),
    "instalments": ngettext_lazy("%(n)d instalment line merged into its invoice", "%(n)d instalment lines merged into their invoices", "n"),
    "settled": ngettext_lazy("%(n)d settled credit row skipped", "%(n)d settled credit rows skipped", "n"),
    "receipts": ngettext_lazy("%(n)d unallocated receipt kept as a credit balance", "%(n)d unallocated receipts kept as credit balances", "n"),
    "credit_notes": ngettext_lazy("%(n)d credit note kept as a credit balance", "%(n)d credit notes kept as credit balances", "n"),
}
SHOWN_CUSTOMERS = 20

logger = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
KEPT_PROBLEMS = 200
# The table each kind writes whose key is unique in the file (validation.UNIQUE_KEYS): see db.one_file_into.
KEYED_TABLES = {"invoices": INVOICES.table, "orders": ORDERS.table, "credit-notes": CREDIT_NOTES.table,
                "customers": CUSTOMERS.table}


def import_file(path: Path, kind: str, *, actor, mapping: Path | dict | None = None, dry_run: bool = False,
                valid_rows_only: bool = False, progress: Progress | None = None,
                batch: ImportBatch | None = None, file_name: str | None = None,
                max_bytes: int | None = None, source: ImportSource | None = None,
                currency: str | None = None, preset: str | None = None,
                create_customers: bool = False) -> ImportBatch:
    """Import `path` as `kind`; always returns the finished batch (done/partial/rejected/failed/dry_run).
    A file larger than `max_bytes` (default settings.IMPORT_MAX_BYTES) is rejected before it is read.
    `source`: where the file comes from; unless it is trusted, a person's changes of sensitive master data
    are held for review. `currency`: the currency of a file without a currency column (docs/currencies.md;
    default the functional currency); a file's own column wins. `preset`: an ERP preset's name
    (presets.NAMES; detected from the headers when neither it nor `mapping` is given). `create_customers`:
    unknown parties become customers instead of row problems."""
    run = ImportRun(Path(path), kind, actor, dry_run, valid_rows_only, progress)
    run.source, run.currency, run.preset, run.create_customers = source, currency, preset, create_customers
    run.begin(batch, file_name or Path(path).name)
    try:
        run.execute(mapping, settings.IMPORT_MAX_BYTES if max_bytes is None else max_bytes)
    except FileRejected as exc:
        run.reject_file(exc.message)
    except DatabaseError as exc:
        run.fail(_("The database refused the import, nothing was written: %(why)s") % {"why": exc})
    except Exception as exc:  # a bug must not become a 500 or a half-finished batch
        logger.exception("import of %s failed", path)
        run.fail(_("The import failed unexpectedly, nothing was written: %(why)s") % {"why": exc})
    return run.batch


class ImportRun:
    def __init__(self, path: Path, kind: str, actor, dry_run: bool, valid_rows_only: bool,
                 progress: Progress | None):
        self.path, self.kind, self.actor = path, kind, actor
        self.dry_run, self.valid_rows_only, self.callback = dry_run, valid_rows_only, progress
        self.source: ImportSource | None = None
        self.currency: str | None = None
        self.assumed_currency: str | None = None  # said in the summary: the file had no currency column
        self.batch: ImportBatch
        self.derivation: Derivation | None = None
        self.unused: list[str] = []  # the file's columns no field takes
        self.preset: str | None = None
        self.create_customers = False
        self.layout: Layout | None = None
        self.notes: dict[str, int] = {}  # what the preset's rules did
        self.new_customers: list[tuple[str, str]] = []  # (code, name) created from the file

    @property
    def holds(self) -> bool:
        """Whether sensitive master data waits for review: a person's import from a source not trusted."""
        return self.actor is not None and not (self.source is not None and self.source.trusted)

    # --- the stages ---------------------------------------------------------------------------------

    def begin(self, batch: ImportBatch | None, file_name: str) -> None:
        self.batch = batch or ImportBatch(kind=self.kind, file_name=file_name[:255])
        b = self.batch
        b.kind, b.file_name = self.kind, b.file_name or file_name[:255]
        b.user = self.actor if getattr(self.actor, "pk", None) else None
        b.actor_name = getattr(self.actor, "username", None) or "system"
        b.dry_run, b.mode = self.dry_run, "valid" if self.valid_rows_only else "all"
        b.source = self.source
        b.status = ImportBatch._meta.get_field("status").default
        b.message = ""
        b.save()

    def execute(self, mapping, max_bytes: int) -> None:
        if self.kind not in KINDS:
            raise FileRejected(_("Unknown kind of file %(kind)r; use one of %(kinds)s.")
                               % {"kind": self.kind, "kinds": ", ".join(KINDS)})
        if self.kind == "fx-rates" and self.actor is not None and not self.actor.has_perm("receivables.manage_fxrate"):
            raise FileRejected(_("Exchange rates are finance's: importing them needs the permission to manage "
                                 "exchange rates."))
        self.measure(max_bytes)
        self.layout, plan = layout_for(self.path, self.batch.file_name, self.kind, self.preset, mapping)
        self.stage(_("Reading the file"), 0, 1)
        with open_source(self.path, self.batch.file_name, plan) as source:
            self.batch.encoding = source.encoding
            reading = Reading(self.kind, source, self.with_currency(plan), self.layout)
            self.unused = [h for h in unused_headers(reading.file_headers, reading.headers)
                           if not self.layout or h not in self.layout.preset.columns.values()]  # a rule reads it
            if "currency" in fields_of(self.kind) and "currency" not in reading.headers \
                    and "currency" not in reading.mapping.constants:
                self.assumed_currency = settings.FUNCTIONAL_CURRENCY
            if self.create_customers:
                reading.before_check = self.add_customers
            if self.dry_run:
                with transaction.atomic():   # customers a dry run creates go again
                    tally = self.check_batches(reading, write=False)
                    transaction.set_rollback(True)
                return self.finish("dry_run", tally.problems())
            with transaction.atomic():
                tally = self.check_batches(reading, write=True)
                status = tally.status(self.valid_rows_only)
                if status == "rejected":
                    transaction.set_rollback(True)   # all or nothing: what earlier batches wrote goes too
                else:
                    record_many(self.actor, [self.batch_event(status)])
            if status == "rejected":
                self.batch.rows_created = self.batch.rows_updated = self.batch.rows_unchanged = 0
                self.batch.rows_held = 0
                self.new_customers = []
            self.finish(status, tally.problems(), audited=status != "rejected")

    def with_currency(self, plan: Mapping) -> Mapping:
        """The plan with --currency as the value of a missing currency column (checked as a cell is)."""
        if not self.currency or "currency" not in fields_of(self.kind) or self.kind == "fx-rates":
            return plan
        return dataclasses.replace(plan, constants={**plan.constants, "currency": self.currency})

    def measure(self, max_bytes: int) -> None:
        """The file's size (refused above `max_bytes` before a byte is read) and SHA-256, in one pass."""
        try:
            size = self.path.stat().st_size
            self.batch.file_size = size
            if size > max_bytes:
                raise FileRejected(_("The file is larger than the import limit of %(mb)d MB.")
                                   % {"mb": max_bytes // 2**20})
            with self.path.open("rb") as handle:
                self.batch.file_sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError as exc:
            raise FileRejected(_("The file cannot be read: %(why)s") % {"why": exc.strerror or exc}) from None

    def check_batches(self, reading: Reading, write: bool) -> Tally:
        """Check every batch; write the valid rows of each (all-or-nothing: only while none had a problem)."""
        tally, total = Tally(), reading.source.estimated_rows or 0
        self.stage(_("Checking rows"), 0, total)
        with db.one_file_into(KEYED_TABLES.get(self.kind)):
            for kind, checked in reading.checked():
                rejected = tally.add(checked)
                if write and (self.valid_rows_only or not tally.problem_count):
                    frame = checked.valid_frame() if rejected else checked.frame
                    if frame.height:
                        self.write(kind, checked, frame, tally)
                self.count_rows(tally.rows, tally.rejected)
                self.stage(_("Checking rows"), tally.rows, max(total, tally.rows))
        self.notes = reading.notes
        if tally.rows == 0 and not reading.notes:
            raise FileRejected(_("The file has a header row but no data rows."))
        return tally

    def write(self, kind: str, checked: Checked, frame: pl.DataFrame, tally: Tally) -> None:
        """One batch's valid rows of `kind` (the file's, or its credit balances'), inside the import's
        transaction."""
        done_before = tally.rows - checked.rows_total
        hold = {"hold": self.holds} if kind == "customers" else {}
        written = WRITERS[kind](frame, checked.present, self.batch.pk,
                                lambda done, _n: self.stage(_("Writing"), done_before + done, tally.rows), **hold)
        tally.changed(written)
        self.count_changes(tally)
        if written.derivation is not None:
            self.derivation = tally.derived(written.derivation)
        if written.audit:
            record_many(self.actor, written.audit)
        for kind, wishes in written.wishes.items():
            request_changes(actor=self.actor, reviewed=reviewed(kind), wishes=wishes,
                            via=f"import #{self.batch.pk} {self.batch.file_name}")
        if kind == "financials":
            statements_changed(frame, written, self.actor)

    def add_customers(self, prepared: Prepared, headers: dict[str, str]) -> pl.DataFrame | None:
        """--create-customers: the batch's parties no customer has the code of become customers (code and
        name as the file gives them, see presets.customer_code), through the customers check and writer;
        the problems of those that cannot be (a code longer than 40 characters), or None."""
        name_header = self.layout.preset.columns.get("customer_name") if self.layout else None
        parties = prepared.parties(headers, name_header)
        new = parties.join(db.customer_ids().select("code"), on="code", how="anti")
        if not new.height:
            return None
        code_header = headers.get("customer_code", "code")
        shown_name = name_header if name_header and name_header in prepared.table.frame.columns else code_header
        table = Table(new.rename({"code": "~code", "name": "~name"}), ["~code", "~name"], prepared.table.encoding)
        checked = check("customers", table, Mapping(), {"code": "~code", "name": "~name"})
        problems = checked.problems.with_columns(
            pl.col("column").replace({"~code": code_header, "~name": shown_name}))
        frame = checked.valid_frame()
        if frame.height:
            written = WRITERS["customers"](frame, checked.present, self.batch.pk, None, hold=self.holds)
            if written.audit:
                record_many(self.actor, written.audit)
            self.new_customers += list(zip(frame.get_column("code").to_list(), frame.get_column("name").to_list(),
                                           strict=True))
        return problems if problems.height else None

    # --- outcomes -----------------------------------------------------------------------------------

    def reject_file(self, message: str) -> None:
        self.batch.message = message
        self.finish("rejected", file_problem(message))

    def fail(self, message: str) -> None:
        self.batch.rows_created = self.batch.rows_updated = self.batch.rows_unchanged = self.batch.rows_held = 0
        self.batch.message = message
        self.finish("failed", file_problem(message))

    def finish(self, status: str, problems: pl.DataFrame, audited: bool = False) -> None:
        b = self.batch
        b.status, b.finished_at, b.progress = status, timezone.now(), 1.0
        b.error_count = problems.height
        b.errors = problems.head(KEPT_PROBLEMS).to_dicts()
        b.errors_file = save_problems(b.pk, problems) if problems.height else ""
        b.message = b.message or self.summary()
        if self.layout is not None:
            b.message = self.preset_note() + " " + b.message
        if self.new_customers:
            b.message += " " + self.customers_note()
        if self.unused:
            b.message += " " + self.unused_note()
        b.save()
        if not audited:
            self.record_outcome()
        self.stage(_("Finished"), 1, 1)

    def record_outcome(self) -> None:
        try:
            record_many(self.actor, [self.batch_event(self.batch.status)])
        except DatabaseError:
            logger.exception("could not audit import batch %s", self.batch.pk)

    # --- bookkeeping --------------------------------------------------------------------------------

    def count_rows(self, total: int, rejected: int) -> None:
        self.batch.rows_total, self.batch.rows_rejected = total, rejected
        self.batch.rows_valid = total - rejected

    def count_changes(self, tally: Tally) -> None:
        b = self.batch
        b.rows_created, b.rows_updated, b.rows_unchanged = tally.created, tally.updated, tally.unchanged
        b.rows_held = tally.held

    def batch_event(self, status: str) -> Change:
        b = self.batch
        after = {"kind": b.kind, "file": b.file_name, "sha256": b.file_sha256, "size": b.file_size,
                 "status": status, "mode": b.mode, "dry_run": b.dry_run, "rows": b.rows_total,
                 "created": b.rows_created, "updated": b.rows_updated, "unchanged": b.rows_unchanged,
                 "rejected": b.rows_rejected, "problems": b.error_count, "held": b.rows_held,
                 "source": b.source.code if b.source else None}
        return Change("import.finished", "import_batch", str(b.pk), None, after)

    def preset_note(self) -> str:
        """Which preset read the file and why, and what its rules did."""
        text = _("Read with %(reason)s.") % {"reason": self.layout.reason}
        done = [NOTE_TEXTS[note] % {"n": self.notes[note]} for note in NOTES if self.notes.get(note)]
        return text + (" " + "; ".join(done) + "." if done else "")

    def customers_note(self) -> str:
        rule = (_("code: the file's customer ID") if not (self.layout and self.layout.preset.party_is_name)
                or (self.layout.preset.columns.get("customer_id") in self.layout.headers) else
                _("code: the name as written, or above 40 characters its first 31, \"~\" and 8 hex digits of its "
                  "SHA-1"))
        shown = ", ".join(f"{code} ({name})" if code != name else code
                          for code, name in self.new_customers[:SHOWN_CUSTOMERS])
        more = len(self.new_customers) - SHOWN_CUSTOMERS
        text = ngettext("%(n)d customer created from the file (%(rule)s): %(list)s",
                        "%(n)d customers created from the file (%(rule)s): %(list)s",
                        len(self.new_customers)) % {"n": len(self.new_customers), "rule": rule, "list": shown}
        return text + (_(" and %(n)d more.") % {"n": more} if more > 0 else ".")

    def unused_note(self) -> str:
        return _("Columns not imported (no field takes them; a mapping file can map them, docs/import.md): "
                 "%(columns)s.") % {"columns": ", ".join(self.unused)}

    def summary(self) -> str:
        b = self.batch
        if b.status == "rejected":
            return _("Nothing imported: %(n)d problem(s) in %(rows)d row(s).") % {"n": b.error_count,
                                                                                  "rows": b.rows_rejected}
        if b.status == "dry_run":
            return _("Checked %(total)d rows: %(valid)d valid, %(n)d problem(s). Nothing written.") % {
                "total": b.rows_total, "valid": b.rows_valid, "n": b.error_count} + self.currency_note()
        text = _("%(total)d rows: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                 "%(rejected)d rejected.") % {"total": b.rows_total, "created": b.rows_created,
                                              "updated": b.rows_updated, "unchanged": b.rows_unchanged,
                                              "rejected": b.rows_rejected}
        if b.rows_held:
            text += " " + _("%(held)d with changes of sensitive master data held for review.") % {"held": b.rows_held}
        if self.derivation is not None:
            text += open_amounts_summary(self.derivation)
        return text + self.currency_note()

    def currency_note(self) -> str:
        if not self.assumed_currency:
            return ""
        return " " + _("The file has no currency column: its amounts were taken to be in %(code)s, the functional "
                       "currency. If they are not, import it again saying its currency (fengkong import %(kind)s "
                       "FILE --currency CODE, or the currency on the upload page).") % {
                           "code": self.assumed_currency, "kind": self.kind}

    def stage(self, name: str, done: int, total: int) -> None:
        if self.callback:
            self.callback(name, done, total)
        try:
            cache.set(progress_key(self.batch.pk), {"stage": name, "done": done, "total": total}, 3600)
        except Exception:  # progress is a nicety; a cache outage must not fail the import
            logger.warning("cannot publish import progress", exc_info=True)


class Reading:
    """A source read for one kind of file: its headers resolved once, its batches (read by the preset's rules,
    if any) checked one by one."""

    def __init__(self, kind: str, source: Source, mapping: Mapping, layout: Layout | None = None):
        self.kind, self.source, self.mapping, self.layout = kind, source, mapping, layout
        self.file_headers = layout.file_headers(source.headers) if layout else source.headers
        self.headers = resolve_headers(self.file_headers, kind, mapping)
        one = kind in WHOLE_FILE_KINDS or (layout is not None and layout.one_batch)
        self.rows = None if one else max(int(settings.IMPORT_CHUNK_ROWS), 1)
        # called with each prepared batch before it is checked (--create-customers); may return problems
        self.before_check: Callable[[Prepared, dict[str, str]], pl.DataFrame | None] | None = None
        self.notes: dict[str, int] = {}

    def prepared(self, counted: bool = False) -> Iterator[Prepared]:
        for table in self.source.batches(self.rows):
            if self.layout is None:
                yield Prepared(table)
                continue
            prepared = self.layout.prepare(table, self.headers, self.mapping)
            if counted:
                for note, n in prepared.notes.items():
                    self.notes[note] = self.notes.get(note, 0) + n
            yield prepared

    def checked(self) -> Iterator[tuple[str, Checked]]:
        """(kind, checked batch): the file's rows, then the credit balances a preset set aside from them."""
        single = self.source.one_batch(self.rows)
        duplicates = None if single else find_duplicates(lambda: (p.table for p in self.prepared()), self.kind,
                                                          self.headers, self.mapping)
        for prepared in self.prepared(counted=True):
            problems = self.before_check(prepared, self.headers) if self.before_check else None
            if prepared.table.frame.height:
                checked = check(self.kind, prepared.table, self.mapping, self.headers, duplicates)
                if problems is not None:
                    checked.problems = pl.concat([problems, checked.problems])
                yield self.kind, checked
            for kind, table, headers in prepared.aside:
                yield kind, check(kind, table, self.aside_mapping(kind), headers)

    def aside_mapping(self, kind: str) -> Mapping:
        """The file's mapping for rows checked as another kind: its dates and numbers, its constants that
        kind has."""
        known = fields_of(kind)
        return dataclasses.replace(self.mapping, columns={},
                                   constants={k: v for k, v in self.mapping.constants.items() if k in known})


class Tally:
    """What the batches of one file added up to: rows, rejected rows, problems, changes written."""

    def __init__(self):
        self.rows = self.rejected = self.problem_count = 0
        self.created = self.updated = self.unchanged = self.held = 0
        self.parts: list[pl.DataFrame] = []
        self.derivation: Derivation | None = None

    def add(self, checked: Checked) -> int:
        """Count a checked batch; the number of its rows rejected."""
        rejected = checked.rejected_rows().len() if checked.problems.height else 0
        self.rows += checked.rows_total
        self.rejected += rejected
        self.problem_count += checked.problems.height
        if checked.problems.height:
            self.parts.append(checked.problems)
        return rejected

    def changed(self, written: Written) -> None:
        self.created += written.count("created")
        self.updated += written.count("updated")
        self.unchanged += written.count("unchanged")
        self.held += written.held

    def derived(self, derivation: Derivation) -> Derivation:
        """Add one batch's derivation of open amounts; the file's so far."""
        self.derivation = derivation if self.derivation is None else self.derivation + derivation
        return self.derivation

    def status(self, valid_rows_only: bool) -> str:
        if self.problem_count and (not valid_rows_only or self.rejected == self.rows):
            return "rejected"
        return "partial" if self.problem_count else "done"

    def problems(self) -> pl.DataFrame:
        return pl.concat(self.parts) if self.parts else pl.DataFrame(schema=PROBLEM_SCHEMA)


def open_amounts_summary(derivation: Derivation) -> str:
    """What the import did to the book's open amounts, for the summary (a leading space, or nothing)."""
    text = ""
    if derivation.invoices:
        text += " " + ngettext("Open amounts derived from %(allocations)s allocations for %(invoices)s invoice.",
                               "Open amounts derived from %(allocations)s allocations for %(invoices)s invoices.",
                               derivation.invoices) % {
            "allocations": f"{derivation.allocations:,}", "invoices": f"{derivation.invoices:,}"}
    if derivation.unexplained:
        text += " " + ngettext(
            "%(n)s invoice has an open amount that receipts do not explain (see the reconciliation report).",
            "%(n)s invoices have open amounts that receipts do not explain (see the reconciliation report).",
            derivation.unexplained) % {"n": f"{derivation.unexplained:,}"}
    return text


def statements_changed(frame: pl.DataFrame, written: Written, actor) -> None:
    """Say whose statements were created or changed (customers.signals; credit re-assesses them once the
    import commits, §2). Unchanged statements say nothing."""
    changed = frame.sort(ROW).get_column("customer_id").filter(written.changes != "unchanged")
    if ids := sorted(set(changed.drop_nulls().to_list())):
        financial_statements_changed.send(sender=FinancialStatement, customer_ids=ids, actor=actor)


def file_problem(message: str) -> pl.DataFrame:
    """A problem with the whole file: no row, no column."""
    return pl.DataFrame([{"row": None, "column": "", "value": "", "message": message}], schema=PROBLEM_SCHEMA)


def progress_key(batch_id: int) -> str:
    return f"import-progress:{batch_id}"


def problems_folder() -> Path:
    """Where the importer keeps every batch's full problems file; the download serves nothing from elsewhere."""
    return Path(settings.DATA_DIR) / "imports"


def save_problems(batch_id: int, problems: pl.DataFrame) -> str:
    """Every problem as CSV under problems_folder(); returns its path."""
    folder = problems_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"import-{batch_id}-problems.csv"
    write_problems_csv(problems, path)
    return str(path)


def write_problems_csv(problems: pl.DataFrame, path: Path) -> None:
    """row, column, value, problem through core.spreadsheets: UTF-8 with BOM, and a value that starts like a
    formula (the file's own cells, exactly as the ERP wrote them) escaped so that Excel does not run it."""
    table = problems.select(pl.col("row"), pl.col("column"), pl.col("value"), pl.col("message").alias("problem"))
    write_frame_csv(table, path)

