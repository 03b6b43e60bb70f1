"""Every CSV and XLSX a person may open in Excel, WPS or LibreOffice is written through this module.

The danger is formula injection (CWE-1236): a customer name, an invoice number or an imported value that
starts like a formula (`=cmd|' /C calc'!A0`, `=HYPERLINK("http://…")`, `@SUM(1+1)`, `+1+1`) runs as one
when the file is opened. Design decisions:
- A text cell that could start a formula gets a leading apostrophe (OWASP's remedy). A formula starts
  with `=`, `+`, `-` or `@`, their full-width forms `＝ ＋ － ＠` (Excel and WPS on Chinese and Japanese
  Windows turn a full-width `＝` typed through an IME into a formula; it costs nothing to treat the stored
  ones alike), or any of these after leading white space (LibreOffice's CSV import can trim spaces); a
  cell starting with a tab, CR or LF is escaped too (spreadsheets and the tools in between strip them).
- A plain number stays what it is: `-12.50`, `+3`, `1,234.5`, `-1e5` are read by a spreadsheet as
  numbers, never as formulas, so a negative amount in a CSV opens as a number. Anything else with a sign
  in front (`-1+1`, `-A1`, a lone `-`) is escaped.
- The escape is the same in CSV and XLSX. An XLSX number is a number cell (`write_number`); text is always a
  string cell (`write_string`), escaped as well, so that it stays inert when someone edits the cell or
  saves the sheet as CSV and opens that. The apostrophe shows; that is the price of a name that starts
  like a formula, and the escape is idempotent (an escaped cell starts with `'`, which starts nothing).
- CSV text cells are always quoted (polars' `non_numeric`), so an Excel whose list separator is `;`
  cannot split `x;=1+1` into a new cell that starts with `=`. Column names are escaped like cells.
- CSV is UTF-8 with a BOM, so Excel shows Chinese headers and values correctly.
- Frames are escaped with polars expressions, column by column, not row by row in Python: an import's
  problems file can hold a million rows. A LazyFrame is escaped lazily and streamed to disk (`sink_csv`).
Engine-internal CSV (fingerprints, COPY into PostgreSQL, the demo's ERP files) is no spreadsheet a person
opens and does not come here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, TypeVar

import polars as pl

# Written with escapes both Python's re and polars' (Rust) regex read the same way.
_SPACE = r"[ \t\r\n\x0b\x0c\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
FORMULA_START = rf"{_SPACE}*[=+\-@\uff1d\uff0b\uff0d\uff20]|[\t\r\n]"
PLAIN_NUMBER = r"[+\-]?(?:[0-9]+(?:,[0-9]{3})*(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+\-]?[0-9]+)?"
_STARTS = re.compile(FORMULA_START)
_NUMBER = re.compile(PLAIN_NUMBER)
ESCAPE = "'"
TEXT_TYPES = (pl.String, pl.Categorical, pl.Enum)
Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)


def safe_cell(value) -> str:
    """`value` as text a spreadsheet shows and never runs: with an apostrophe in front if it could start a
    formula and is not a plain number; None is ""."""
    text = "" if value is None else str(value)
    if _STARTS.match(text) and not _NUMBER.fullmatch(text):
        return ESCAPE + text
    return text


def safe_expr(column: str) -> pl.Expr:
    """The text column `column`, escaped like `safe_cell`, as a polars expression."""
    text = pl.col(column).cast(pl.String)
    risky = text.str.contains(f"^(?:{FORMULA_START})") & ~text.str.contains(f"^(?:{PLAIN_NUMBER})$")
    return pl.when(risky).then(pl.lit(ESCAPE) + text).otherwise(text).alias(column)


def safe_frame(frame: Frame) -> Frame:
    """`frame` with every text column escaped and its column names too; other columns as they are."""
    schema = frame.collect_schema()
    texts = [name for name, dtype in schema.items() if isinstance(dtype, TEXT_TYPES)]
    escaped = frame.with_columns(safe_expr(name) for name in texts) if texts else frame
    renamed = {name: safe_cell(name) for name in schema.names() if safe_cell(name) != name}
    return escaped.rename(renamed) if renamed else escaped


def write_frame_csv(frame: pl.DataFrame | pl.LazyFrame, target: str | Path | IO[bytes]) -> None:
    """`frame` as a CSV a spreadsheet opens safely: escaped, text quoted, UTF-8 with a BOM. A LazyFrame is
    streamed to `target` without being collected."""
    options = {"include_bom": True, "quote_style": "non_numeric"}
    safe = safe_frame(frame)
    if isinstance(safe, pl.LazyFrame):
        safe.sink_csv(target, **options)
    else:
        safe.write_csv(target, **options)


def copy_csv(source: Path, target: str | Path | IO[bytes]) -> None:
    """Rewrite the CSV at `source` (UTF-8, with or without a BOM) to `target` through `write_frame_csv`, every
    column read as text: whatever the file holds, what leaves is escaped. Raises polars' errors for a file
    that is no CSV."""
    write_frame_csv(pl.scan_csv(source, infer_schema=False), target)


def write_text(sheet, row: int, col: int, value, cell_format=None) -> None:
    """Text into an xlsxwriter sheet: always a string cell, escaped."""
    sheet.write_string(row, col, safe_cell(value), cell_format)
