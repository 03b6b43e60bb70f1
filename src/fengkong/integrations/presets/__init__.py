"""ERP presets: the exports ERPNext, Odoo, SAP, Kingdee and Yonyou users already have, read without a mapping.

A preset is two things, nothing more:
- a mapping file shipped beside this module (`erpnext-ar.toml` …), in exactly the format of a user's mapping
  file and read by `mapping.load_mapping`; a user's own mapping given with it adds to it and wins;
- the names of a few small rules from `rules.RULES` (skip total rows, drop drafts, keep negative rows as
  credit balances …) that the importer applies to each batch of the frame it reads, before the usual checks.
  The importer itself is the same for every file: a preset never copies it.

Design decisions:
- A preset is recognised by its signature, a few headers no other layout has together; the header row is
  looked for in the file's first PEEK_ROWS rows, so titles and preambles above it are skipped (skip_rows).
- A file is matched to a preset only when no mapping or preset was given (`detect`): the outcome says which
  preset was used and why. A preset asked for by name that the file does not match is refused, naming the
  headers that are missing.
- A preset's mapping may name columns an ERP version or a report setting leaves out (Territory, Customer
  Name): those are dropped from the preset's mapping for that file, whereas a column named in the user's
  own mapping must be in the file, as always.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from ..exceptions import FileRejected
from ..fields import normalise_header
from ..mapping import Mapping, load_mapping, raw_mapping
from ..sources import Table, peek_rows
from .layout import Prepared, Preset, customer_code
from .rules import apply_rules, dropped_headers

__all__ = ["NAMES", "PRESETS", "Layout", "Prepared", "Preset", "customer_code", "layout_for"]
PEEK_ROWS = 40  # rows looked at for the header row (ERPNext's Data Export has about 20 above it)


PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("erpnext-ar", "invoices", "ERPNext: Accounts > Accounts Receivable (report)",
           ("Voucher No", "Outstanding Amount", "Party"),
           rules=("skip_total_rows", "strip_float_noise", "credit_balances"),
           columns={"type": "Voucher Type", "customer_name": "Customer Name"},
           payment_types=("Payment Entry", "Journal Entry")),
    Preset("erpnext-sales-invoice", "invoices", "ERPNext: Sales Invoice list (report view or Data Export)",
           ("ID", "Payment Due Date", "Grand Total", "Outstanding Amount"),
           rules=("data_export_preamble", "drop_filler_columns", "strip_quotes", "skip_total_rows",
                  "drop_statuses", "strip_float_noise", "credit_balances"),
           columns={"status": "Status", "customer_name": "Customer Name", "sr": "Sr"},
           drop_statuses=("Draft", "Cancelled")),
    Preset("sap-fbl5n", "invoices", "SAP: FBL5N / FAGLL03 customer line items, exported to XLSX",
           ("Document Number", "Net due date", "Amount in local currency"),
           rules=("skip_total_rows", "drop_cleared", "company_currency", "strip_float_noise", "credit_balances"),
           columns={"type": "Document Type", "customer_name": "Name 1", "clearing": "Clearing Document"},
           payment_types=("DZ", "DA", "AB"),
           foreign_columns=("Amount in doc. curr.", "Document currency")),
    Preset("odoo-move-lines", "invoices", "Odoo: Accounting > Journal Items (account.move.line), exported",
           ("Journal Entry", "Matching #", "Residual Amount"),
           rules=("party_codes", "company_currency", "drop_exchange_lines", "merge_instalments",
                  "strip_float_noise", "credit_balances"),
           columns={"journal": "Journal", "credit": "Credit", "type": "Journal"},
           payment_types=("Bank", "Cash"),
           foreign_columns=("Amount in Currency", "Residual Amount in Currency", "Currency"),
           party_is_name=True),
    Preset("odoo-aged-balance", "invoices", "Odoo (OCA account_financial_report): Aged Partner Balance, XLSX",
           ("Entry", "Due date", "Residual", "Current"),
           rules=("party_codes", "skip_total_rows", "strip_float_noise", "credit_balances"),
           party_is_name=True),
    Preset("kingdee-ar", "invoices", "金蝶 K/3 Cloud / 星空: 财务会计 > 应收款管理 > 应收单列表, 引出",
           ("单据编号", "业务日期", "客户", "价税合计"),
           rules=("party_codes", "skip_total_rows", "strip_float_noise", "credit_balances"),
           columns={"customer_id": "客户编码", "customer_name": "客户"}, party_is_name=True),
    Preset("yonyou-u8-ar", "invoices", "用友 U8: 应收款管理 > 应收单据查询, 输出 (GBK)",
           ("单据编号", "单据日期", "原币金额", "原币余额"),
           rules=("skip_total_rows", "strip_float_noise", "credit_balances"),
           columns={"customer_name": "客户名称"}),
)}
NAMES = tuple(PRESETS)


@dataclass(frozen=True)
class Layout:
    """A preset applied to one file: where its header row is, and why this preset."""

    preset: Preset
    header_row: int  # 0-based: rows above it are skipped
    headers: tuple[str, ...]  # as the header row has them
    reason: str  # said in the outcome

    @property
    def one_batch(self) -> bool:
        """Instalment lines of one invoice may be anywhere in the file: it is merged in one batch."""
        return "merge_instalments" in self.preset.rules

    def file_headers(self, headers: list[str]) -> list[str]:
        """The source's headers less the columns the preset's rules take out."""
        dropped = set(dropped_headers(self.preset, headers))
        return [h for h in headers if h not in dropped]

    def prepare(self, table: Table, fields: dict[str, str], mapping: Mapping) -> Prepared:
        """One batch read by the preset's rules (rules.RULES), in the preset's order."""
        return apply_rules(self.preset, table, fields, mapping)


def layout_for(path: Path, file_name: str, kind: str, name: str | None, user_mapping) -> tuple[Layout | None, Mapping]:
    """The preset to read `path` with (asked for by `name`, else detected when no mapping was given) and the
    checked Mapping: the preset's mapping with the user's added on top."""
    user_raw = raw_mapping(user_mapping)
    if name is None and user_raw is None:
        layout = detect(path, file_name, kind)
    elif name is None:
        layout = None
    else:
        layout = match(path, file_name, kind, name, user_raw)
    if layout is None:
        return None, load_mapping(user_raw, kind)
    return layout, load_mapping(merged_mapping(layout, user_raw or {}), kind)


def match(path: Path, file_name: str, kind: str, name: str, user_raw: dict | None = None) -> Layout:
    """The file read with preset `name`; refused naming the missing headers when it does not fit."""
    preset = PRESETS.get(name)
    if preset is None:
        raise FileRejected(_("Unknown preset %(name)r; the presets are %(names)s.")
                           % {"name": name, "names": ", ".join(NAMES)})
    if preset.kind != kind:
        raise FileRejected(_("Preset %(name)s reads %(its)s files, not %(kind)s.")
                           % {"name": name, "its": preset.kind, "kind": kind})
    file_opts = (user_raw or {}).get("file", {}) if isinstance((user_raw or {}).get("file", {}), dict) else {}
    rows = peek_rows(path, file_name, PEEK_ROWS, _peek_mapping(file_opts))
    found = _header_row(preset, rows)
    if found is None:
        best = max(rows, key=lambda r: len(_hits(preset, r)), default=[])
        missing = [h for h in preset.signature if h not in _hits(preset, best)]
        raise FileRejected(_("The file does not match preset %(name)s (%(erp)s): header(s) %(missing)s not found "
                             "in its first %(n)d rows. Columns found: %(found)s.")
                           % {"name": name, "erp": preset.erp, "missing": ", ".join(missing), "n": PEEK_ROWS,
                              "found": ", ".join(c for c in best if c) or _("none")})
    return Layout(preset, found, tuple(rows[found]),
                  _("preset %(name)s (asked for): headers %(headers)s matched")
                  % {"name": name, "headers": ", ".join(preset.signature)})


def detect(path: Path, file_name: str, kind: str) -> Layout | None:
    """The one preset of `kind` whose signature the file's header row has (the most specific when several
    do); None when none does."""
    candidates = [p for p in PRESETS.values() if p.kind == kind]
    if not candidates:
        return None
    rows = peek_rows(path, file_name, PEEK_ROWS)
    found = [(p, row) for p in candidates if (row := _header_row(p, rows)) is not None]
    if not found:
        return None
    preset, row = max(found, key=lambda pr: len(pr[0].signature))   # max keeps the first of equals
    return Layout(preset, row, tuple(rows[row]),
                  _("detected preset %(name)s: headers %(headers)s matched")
                  % {"name": preset.name, "headers": ", ".join(preset.signature)})


def _peek_mapping(file_opts: dict) -> Mapping:
    encoding, delimiter, sheet = file_opts.get("encoding"), file_opts.get("delimiter"), file_opts.get("sheet")
    return Mapping(encoding=str(encoding) if encoding else None, sheet=str(sheet) if sheet else None,
                   delimiter=delimiter if isinstance(delimiter, str) and len(delimiter) == 1 else None)


def _hits(preset: Preset, row: list[str]) -> set[str]:
    cells = {normalise_header(c) for c in row}
    return {h for h in preset.signature if normalise_header(h) in cells}


def _header_row(preset: Preset, rows: list[list[str]]) -> int | None:
    return next((i for i, row in enumerate(rows) if len(_hits(preset, row)) == len(preset.signature)), None)


def merged_mapping(layout: Layout, user: dict) -> dict:
    """The preset's mapping for this file with the user's on top: the user's columns win (a field the user
    maps from another column is no longer the preset's), the other sections key by key; the preset's columns
    the file does not have are left out; skip_rows is the header row found, unless the user says otherwise."""
    preset = layout.preset.mapping()
    present = {normalise_header(h) for h in layout.headers}
    user_columns = user.get("columns", {}) if isinstance(user.get("columns", {}), dict) else {}
    user_fields = {f for target in user_columns.values() for f in (target if isinstance(target, list) else [target])}
    user_headers = {normalise_header(h) for h in user_columns}
    preset_columns = dict(preset.get("columns", {}))
    customer_id = layout.preset.columns.get("customer_id")
    if customer_id and normalise_header(customer_id) in present:   # the ERP's own customer ID, when exported
        preset_columns = {h: t for h, t in preset_columns.items() if t != "customer_code"} | {customer_id: "customer_code"}
    columns = {h: t for h, t in preset_columns.items()
               if normalise_header(h) in present and normalise_header(h) not in user_headers
               and not (set(t if isinstance(t, list) else [t]) & user_fields)}
    merged = {section: {**preset.get(section, {}), **(user.get(section) or {})}
              for section in ("file", "dates", "numbers", "constants") if section in preset or section in user}
    merged.setdefault("file", {}).setdefault("skip_rows", layout.header_row)
    merged["columns"] = {**columns, **user_columns}
    merged |= {k: v for k, v in user.items() if k not in merged}   # unknown sections: load_mapping names them
    return merged
