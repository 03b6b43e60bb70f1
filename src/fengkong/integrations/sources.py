"""Turning an uploaded file into a table of strings, or a clear reason why it is not one.

This is the one decoder of the files people bring: the ERP importer (`read_table`), the model tool's data
files (`fengkong.scoring.storage.read_data`, through `decode_table`) and the upload form's mapping file
(`detect_encoding`) all read their bytes here.

Design decisions:
- The file's content decides how it is read, not its name: a zip is an Excel workbook, an OLE file is
  an old .xls (refused with advice), bytes with NULs are binary, everything else is CSV text.
- Encoding detection is deterministic (no guessing library on the hot path): a BOM means UTF-8;
  text that decodes as strict UTF-8 is UTF-8; else strict GB18030 (a superset of GBK and GB2312, what
  Kingdee and Yonyou export); else the file is refused naming the line and byte that fit neither.
- Everything is read as strings (`infer_schema=False`); types are the validator's business, so a
  malformed amount becomes a row problem rather than a parser crash.
- Workbooks are checked before they are opened: the zip's declared sizes and compression ratio are
  read from its directory, so a zip bomb is refused without inflating a byte of it.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

import polars as pl
from django.conf import settings
from django.utils.translation import gettext as _

from .exceptions import FileRejected, NotText
from .mapping import Mapping

ROW = "_row"  # the row number as the user sees it in the file (the header is row 1)
MAX_UNCOMPRESSED = 500 * 1024 * 1024
MAX_RATIO = 100
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Table:
    frame: pl.DataFrame  # one string column per header, plus ROW
    headers: list[str]  # as written in the file
    encoding: str  # "xlsx" for workbooks


def read_table(data: bytes, file_name: str, mapping: Mapping) -> Table:
    """An ERP export as a table, within the import size limit (IMPORT_MAX_BYTES)."""
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise FileRejected(_("The file is larger than the import limit of %(mb)d MB.")
                           % {"mb": settings.IMPORT_MAX_BYTES // 2**20})
    return decode_table(data, file_name, mapping)


def decode_table(data: bytes, file_name: str, mapping: Mapping | None = None) -> Table:
    """A CSV or XLSX file's bytes as a table of strings, read as `mapping` says (default: the first sheet,
    no skipped rows, the encoding and delimiter detected); FileRejected saying why it cannot be one."""
    mapping = mapping or Mapping()
    if not data:
        raise FileRejected(_("The file is empty (0 bytes)."))
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return read_workbook(data, mapping)
    if data.startswith(OLE_MAGIC):
        raise FileRejected(_("This is an old Excel .xls file. Save it as .xlsx or CSV and import that."))
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        raise FileRejected(_("The file is named .xlsx but is not an Excel workbook (it is not a zip "
                             "archive). Open it in Excel and save it again as .xlsx, or export CSV."))
    return read_csv_text(data, mapping)


# --- CSV --------------------------------------------------------------------------------------------

def detect_encoding(data: bytes, override: str | None = None) -> tuple[str, str]:
    """(encoding name, decoded text) of a text file's bytes: `override` when given, else a UTF-8 or UTF-16
    BOM, else strict UTF-8, else strict GB18030; NotText (FileRejected) naming the line and byte where each
    failed."""
    if override:
        return override, _decode(data, override)
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", _decode(data, "utf-8-sig")
    if data.startswith(UTF16_BOMS):
        return "utf-16", _decode(data, "utf-16")
    try:
        return "utf-8", data.decode("utf-8")
    except UnicodeDecodeError as exc:
        not_utf8 = _where(data, exc.start)
    try:
        return "gb18030", data.decode("gb18030")
    except UnicodeDecodeError as exc:
        not_gb = _where(data, exc.start)
        raise NotText(_(
            "The file is neither UTF-8 nor GBK/GB18030 text: as UTF-8, line %(l1)d byte %(b1)d cannot be read; "
            "as GB18030, line %(l2)d byte %(b2)d. Save it from Excel as \"CSV UTF-8\", or name its encoding "
            "in a mapping file."
        ) % {"l1": not_utf8[0], "b1": not_utf8[1], "l2": not_gb[0], "b2": not_gb[1]},
            {"utf-8": not_utf8, "gb18030": not_gb}) from None


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line, byte = _where(data, exc.start)
        raise FileRejected(_("The file is not valid %(enc)s: line %(line)d, byte %(byte)d cannot be read.")
                           % {"enc": encoding, "line": line, "byte": byte}) from None


def _where(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line number and byte position within that line of `offset`."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def read_csv_text(data: bytes, mapping: Mapping) -> Table:
    if b"\x00" in data[:8192] and not data.startswith(UTF16_BOMS):   # UTF-16 text is half NULs
        raise FileRejected(_("This is a binary file, not a CSV or Excel export."))
    encoding, text = detect_encoding(data, mapping.encoding)
    lines = text.splitlines()
    if len(lines) <= mapping.skip_rows or not lines[mapping.skip_rows].strip():
        raise FileRejected(_("The file has no header row (after skipping %(n)d lines).") % {"n": mapping.skip_rows})
    delimiter = mapping.delimiter or sniff_delimiter(lines[mapping.skip_rows])
    payload = text.encode("utf-8") if encoding not in {"utf-8", "utf-8-sig"} else data
    try:
        frame = pl.read_csv(io.BytesIO(payload), infer_schema=False, separator=delimiter,
                            skip_rows=mapping.skip_rows, raise_if_empty=False)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise FileRejected(_ragged_line(lines, mapping.skip_rows, delimiter)
                           or _("The file cannot be read as a table: %(why)s") % {"why": _first_line(exc)}) from None
    headers = [h.lstrip("\ufeff").strip() for h in frame.columns]
    frame = frame.rename(dict(zip(frame.columns, headers, strict=True)))
    first_data_row = mapping.skip_rows + 2
    return Table(_clean(frame.with_row_index(ROW, offset=first_data_row)), headers, encoding)


def _ragged_line(lines: list[str], skip_rows: int, delimiter: str) -> str | None:
    """Name the first line with more cells than the header (only run when polars refused the file)."""
    import csv

    rows = csv.reader(lines[skip_rows:], delimiter=delimiter)
    width = len(next(rows, []))
    for number, row in enumerate(rows, start=skip_rows + 2):
        if len(row) > width:
            return (_("Row %(row)d has %(n)d cells but the header has only %(width)d columns "
                      "(a value containing the delimiter %(delim)r is probably not quoted).")
                    % {"row": number, "n": len(row), "width": width, "delim": delimiter})
    return None


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]


def _clean(frame: pl.DataFrame) -> pl.DataFrame:
    """Trim every cell, treat blanks as missing, drop rows with nothing in them (Excel leaves those)."""
    text_cols = [c for c in frame.columns if c != ROW]
    frame = frame.with_columns(pl.col(c).str.strip_chars().replace("", None) for c in text_cols)
    if not text_cols:
        return frame
    frame = frame.filter(~pl.all_horizontal(pl.col(c).is_null() for c in text_cols))
    return frame.with_columns(pl.col(ROW).cast(pl.Int64))


# --- XLSX -------------------------------------------------------------------------------------------

def read_workbook(data: bytes, mapping: Mapping) -> Table:
    check_zip_is_safe(data)
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise FileRejected(_("The Excel workbook cannot be opened: %(why)s") % {"why": _first_line(exc)}) from None
    try:
        sheet = _sheet(book, mapping.sheet)
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    return _table_from_rows(rows[mapping.skip_rows:], mapping.skip_rows)


def check_zip_is_safe(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRejected(_("The file looks like a zip/Excel file but is damaged: %(why)s")
                           % {"why": exc}) from None
    declared = sum(i.file_size for i in infos)
    compressed = sum(i.compress_size for i in infos) or 1
    if declared > MAX_UNCOMPRESSED or declared / compressed > MAX_RATIO:
        raise FileRejected(_("Refused: the workbook would unpack to %(mb).0f MB (%(ratio).0f times its size). "
                             "That is a zip bomb, not an ERP export.")
                           % {"mb": declared / 2**20, "ratio": declared / compressed})
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        raise FileRejected(_("The file is a zip archive but not an Excel .xlsx workbook."))


def _sheet(book, name: str | None):
    if name is None:
        return book.worksheets[0]
    if name not in book.sheetnames:
        raise FileRejected(_("The workbook has no sheet named %(name)r; its sheets are %(sheets)s.")
                           % {"name": name, "sheets": ", ".join(book.sheetnames)})
    return book[name]


def _cell_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    return str(value)


def _float_text(value: float) -> str:
    """Excel stores numbers as binary floats; 1234.5 must read back as "1234.5", not 1234.4999999."""
    if value.is_integer():
        return str(int(value))
    rounded = round(value, 2)
    if abs(rounded - value) < 1e-9:
        return format(Decimal(str(rounded)), "f")
    return repr(value)


def _table_from_rows(rows: list[list[str | None]], skip_rows: int) -> Table:
    if not rows or not any(rows[0]):
        raise FileRejected(_("The sheet has no header row."))
    headers = [(h or "").strip() for h in rows[0]]
    width = len(headers)
    while width and not headers[width - 1]:
        width -= 1
    headers = headers[:width]
    names = _unique_names(headers)
    body = [(r + [None] * width)[:width] for r in rows[1:]]
    frame = pl.DataFrame(body, schema={n: pl.String for n in names}, orient="row")
    return Table(_clean(frame.with_row_index(ROW, offset=skip_rows + 2)), headers, "xlsx")


def _unique_names(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for i, header in enumerate(headers):
        name = header or f"column {i + 1}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return names
