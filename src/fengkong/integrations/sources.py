"""Turning an uploaded file into a table of strings, or a clear reason why it is not one.

This is the one decoder of the files people bring: the ERP importer (`open_source`, read in batches of
rows), the model tool's data files (`fengkong.scoring.storage.read_data`, through `decode_table`) and the
upload form's mapping file (`detect_encoding`) all read their bytes here.

Design decisions:
- The file's content decides how it is read, not its name: a zip is an Excel workbook, an OLE file is
  an old .xls (refused with advice), bytes with NULs are binary, everything else is CSV text.
- Encoding detection is deterministic (no guessing library on the hot path): a BOM means UTF-8;
  text that decodes as strict UTF-8 is UTF-8; else strict GB18030 (a superset of GBK and GB2312, what
  Kingdee and Yonyou export); else the file is refused naming the line and byte that fit neither.
- A file is never held in memory whole. The encoding check is one streaming pass with an incremental
  decoder over the whole file (not a sample: a GBK export whose first Chinese character is on its last
  line is still GBK, and a bad byte anywhere is reported with its line); a file that is not UTF-8 is
  copied to UTF-8 in a scratch file during that pass (polars reads UTF-8 only); the rows are then cut
  into blocks of bytes at record ends (a newline outside quotes) and polars parses one block at a time
  (its own streaming reader, `scan_csv(...).collect_batches`, buffered several hundred MB); workbooks
  come through openpyxl's read-only reader a batch of rows at a time.
- Everything is read as strings (`infer_schema=False`); types are the validator's business, so a
  malformed amount becomes a row problem rather than a parser crash.
- Workbooks are checked before they are opened: the zip's declared sizes and compression ratio are
  read from its directory, so a zip bomb is refused without inflating a byte of it.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO

import numpy as np
import openpyxl
import polars as pl
from django.utils.translation import gettext as _

from .exceptions import FileRejected, NotText
from .mapping import Mapping
from .uploads import scratch_dir

ROW = "_row"  # the row number as the user sees it in the file (the header is row 1)
MAX_UNCOMPRESSED = 500 * 1024 * 1024
MAX_RATIO = 100
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
BINARY_SNIFF = 8192  # bytes looked at to tell a binary file from text
DECODE_BLOCK = 4 * 2**20  # bytes decoded at a time while the encoding is checked


@dataclass(frozen=True)
class Table:
    frame: pl.DataFrame  # one string column per header, plus ROW
    headers: list[str]  # as written in the file
    encoding: str  # "xlsx" for workbooks


class Source:
    """An ERP file open for reading in batches of rows (`batches`, each a Table), as often as needed.

    `headers` and `encoding` are known once it is open; `estimated_rows` is an upper bound of the data
    rows (None when unknown). Close it (or use it as a context manager) to remove its scratch files."""

    headers: list[str]
    encoding: str
    estimated_rows: int | None

    def batches(self, rows: int | None) -> Iterator[Table]:
        """The data rows in order, about `rows` at a time (None: all in one)."""
        raise NotImplementedError

    def one_batch(self, rows: int | None) -> bool:
        """Whether batches(rows) gives every row in one batch."""
        return rows is None or (self.estimated_rows is not None and self.estimated_rows <= rows)

    def close(self) -> None:
        """Nothing to release by default."""

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_source(path: Path, file_name: str, mapping: Mapping | None = None) -> Source:
    """An ERP export on disk as a Source, read as `mapping` says (default: the first sheet, no skipped rows,
    the encoding and delimiter detected); FileRejected saying why it cannot be one. The file's content decides
    how it is read, never its whole content in memory."""
    mapping = mapping or Mapping()
    try:
        with open(path, "rb") as handle:
            head = handle.read(BINARY_SNIFF)
    except OSError as exc:
        raise FileRejected(_("The file cannot be read: %(why)s") % {"why": exc.strerror or exc}) from None
    if not head:
        raise FileRejected(_("The file is empty (0 bytes)."))
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return WorkbookSource(path, mapping)
    if head.startswith(OLE_MAGIC):
        raise FileRejected(_("This is an old Excel .xls file. Save it as .xlsx or CSV and import that."))
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        raise FileRejected(_("The file is named .xlsx but is not an Excel workbook (it is not a zip "
                             "archive). Open it in Excel and save it again as .xlsx, or export CSV."))
    if b"\x00" in head and not head.startswith(UTF16_BOMS):   # UTF-16 text is half NULs
        raise FileRejected(_("This is a binary file, not a CSV or Excel export."))
    return CsvSource(path, mapping)


def decode_table(data: bytes, file_name: str, mapping: Mapping | None = None) -> Table:
    """A CSV or XLSX file's bytes as one table of strings (small files: the model tool's data files); the
    same reader as the importer's."""
    with tempfile.NamedTemporaryFile(dir=scratch_dir(), prefix="decode-", suffix=".bin") as handle:
        handle.write(data)
        handle.flush()
        with open_source(Path(handle.name), file_name, mapping) as source:
            return next(source.batches(None))


# --- CSV --------------------------------------------------------------------------------------------

def detect_encoding(data: bytes, override: str | None = None) -> tuple[str, str]:
    """(encoding name, decoded text) of a small text file's bytes (a mapping file): `override` when given,
    else a UTF-8 or UTF-16 BOM, else strict UTF-8, else strict GB18030; NotText (FileRejected) naming the
    line and byte where each failed."""
    encoding = _choose_encoding(data[:4], override, lambda enc: _decode_bytes(data, enc))
    return encoding, data.decode(encoding)


def _choose_encoding(head: bytes, override: str | None, failure: Callable[[str], tuple[int, int] | None]) -> str:
    """The encoding to read text in; `failure(encoding)` is the (line, byte) where it cannot be read, or None.
    The same rule for files on disk and bytes in memory."""
    if override or head.startswith(b"\xef\xbb\xbf") or head.startswith(UTF16_BOMS):
        encoding = override or ("utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-16")
        if where := failure(encoding):
            raise FileRejected(_("The file is not valid %(enc)s: line %(line)d, byte %(byte)d cannot be read.")
                               % {"enc": encoding, "line": where[0], "byte": where[1]})
        return encoding
    not_utf8 = failure("utf-8")
    if not_utf8 is None:
        return "utf-8"
    not_gb = failure("gb18030")
    if not_gb is None:
        return "gb18030"
    raise NotText(_(
        "The file is neither UTF-8 nor GBK/GB18030 text: as UTF-8, line %(l1)d byte %(b1)d cannot be read; "
        "as GB18030, line %(l2)d byte %(b2)d. Save it from Excel as \"CSV UTF-8\", or name its encoding "
        "in a mapping file."
    ) % {"l1": not_utf8[0], "b1": not_utf8[1], "l2": not_gb[0], "b2": not_gb[1]},
        {"utf-8": not_utf8, "gb18030": not_gb})


def _decode_bytes(data: bytes, encoding: str) -> tuple[int, int] | None:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return _where(data, exc.start)
    return None


def _where(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line number and byte position within that line of `offset`."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


class Decoding:
    """One streaming pass over a file in an encoding (incremental decoder, DECODE_BLOCK bytes at a time):
    where it cannot be read (line, byte), how many lines it has, and optionally a UTF-8 copy of it."""

    def __init__(self, path: Path, encoding: str, copy_to: IO[bytes] | None = None):
        decoder = codecs.getincrementaldecoder(encoding)("strict")  # a mapping's encoding is checked there
        self.lines, self.failure = 0, None
        offset, line_start = 0, 0  # of the next block; of the line being read
        with open(path, "rb") as handle:
            while True:
                block = handle.read(DECODE_BLOCK)
                pending = decoder.getstate()[0]  # the start of a character cut by the last block
                try:
                    text = decoder.decode(block, final=not block)
                except UnicodeDecodeError as exc:
                    # exc.object is pending + block; pending holds no newline (it is part of one character)
                    before = exc.object[:exc.start]
                    last = before.rfind(b"\n")
                    start = offset - len(pending) + last + 1 if last >= 0 else line_start
                    bad = offset - len(pending) + exc.start
                    self.failure = (self.lines + before.count(b"\n") + 1, bad - start + 1)
                    return
                if copy_to is not None and text:
                    copy_to.write(text.encode("utf-8"))
                if not block:
                    return
                self.lines += block.count(b"\n")
                if (last := block.rfind(b"\n")) >= 0:
                    line_start = offset + last + 1
                offset += len(block)


class CsvSource(Source):
    """A CSV export. Its encoding is found by decoding the whole file in one streaming pass (so a GBK file
    whose first Chinese character is on its last line is still GBK); a file that is not UTF-8 is copied
    to UTF-8 in a scratch file on the way. The rows are then read in blocks of bytes, each cut at the end
    of a record (a newline outside quotes), that polars parses one at a time: memory holds one block."""

    def __init__(self, path: Path, mapping: Mapping):
        self.mapping, self.scratch = mapping, None
        with open(path, "rb") as handle:
            head = handle.read(4)
        passes: dict[str, Decoding] = {}

        def failure(encoding: str) -> tuple[int, int] | None:
            passes[encoding] = Decoding(path, encoding, self._scratch_file() if _transcoded(encoding) else None)
            return passes[encoding].failure

        try:
            self.encoding = _choose_encoding(head, mapping.encoding, failure)
            self.path = Path(self.scratch.name) if _transcoded(self.encoding) else path
            if self.scratch is not None:
                self.scratch.close()
            lines = passes[self.encoding].lines
            self.estimated_rows = max(lines - mapping.skip_rows, 0) + 1
            header = self._read_header()
            self.delimiter = mapping.delimiter or sniff_delimiter(header.decode("utf-8-sig"))
            self.names = self._parse(header, has_header=True).columns
        except FileRejected:
            self.close()
            raise
        self.headers = [h.lstrip("\ufeff").strip() for h in self.names]
        self.data_bytes = self.path.stat().st_size - self.data_start
        self.line_bytes = max(self.data_bytes // max(lines - mapping.skip_rows, 1), 1)

    def _scratch_file(self) -> IO[bytes]:
        """A new scratch file for the UTF-8 copy (a failed attempt's copy is dropped)."""
        self.close()
        self.scratch = tempfile.NamedTemporaryFile(dir=scratch_dir(), prefix="import-", suffix=".utf8.csv",
                                                   delete=False)
        return self.scratch

    def close(self) -> None:
        if self.scratch is not None:
            self.scratch.close()
            Path(self.scratch.name).unlink(missing_ok=True)
            self.scratch = None

    def _read_header(self) -> bytes:
        """The header line (after `skip_rows` lines); sets `data_start`, where the rows begin."""
        with open(self.path, "rb") as handle:
            lines = [handle.readline() for _i in range(self.mapping.skip_rows + 1)]
            self.data_start = handle.tell()
        if not lines[-1].lstrip(b"\xef\xbb\xbf").strip():
            raise FileRejected(_("The file has no header row (after skipping %(n)d lines).")
                               % {"n": self.mapping.skip_rows})
        return lines[-1].rstrip(b"\r\n")

    def _parse(self, block: bytes, has_header: bool = False) -> pl.DataFrame:
        try:
            if has_header:
                return pl.read_csv(block + b"\n", infer_schema=False, separator=self.delimiter, n_rows=0)
            return pl.read_csv(block, has_header=False, new_columns=self.names, infer_schema=False,
                               separator=self.delimiter, raise_if_empty=False,
                               schema={n: pl.String for n in self.names})
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise FileRejected(_ragged_line(self.path, self.mapping.skip_rows, self.delimiter)
                               or _("The file cannot be read as a table: %(why)s") % {"why": _first_line(exc)}) from None

    def one_batch(self, rows: int | None) -> bool:
        return rows is None or self.data_bytes <= rows * self.line_bytes

    def batches(self, rows: int | None) -> Iterator[Table]:
        renames = dict(zip(self.names, self.headers, strict=True))
        offset = self.mapping.skip_rows + 2   # the first data row as the user numbers it
        size = self.data_bytes if self.one_batch(rows) else rows * self.line_bytes
        for block in _record_blocks(self.path, self.data_start, max(size, 1)):
            frame = self._parse(block)
            yield Table(_clean(frame.rename(renames).with_row_index(ROW, offset=offset)), self.headers, self.encoding)
            offset += frame.height


def _record_blocks(path: Path, start: int, size: int) -> Iterator[bytes]:
    """The file from `start` in blocks of about `size` bytes, each ending where a record ends (after a
    newline outside quotes); a record longer than a block makes its block longer."""
    pending, rest, given = b"", b"", False
    with open(path, "rb") as handle:
        handle.seek(start)
        while block := handle.read(size):
            data = rest + block
            cut = _record_end(data)
            rest = data[cut:]
            if cut:
                if pending:
                    yield pending
                    given = True
                pending = data[:cut]
    if rest.strip():   # the last record, without a newline, stays with the last block
        pending += rest
    if pending or not given:   # a file without rows is one empty block
        yield pending


def _record_end(data: bytes) -> int:
    """Where the last complete record of `data` ends (0: none does): after its last newline that has an
    even number of quote characters before it (a quoted field's quotes come in pairs, "" inside it too)."""
    if b'"' not in data:
        return data.rfind(b"\n") + 1
    raw = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(raw == ord("\n"))
    quotes_before = np.searchsorted(np.flatnonzero(raw == ord('"')), newlines)
    outside = newlines[quotes_before % 2 == 0]
    return int(outside[-1]) + 1 if outside.size else 0


def _transcoded(encoding: str) -> bool:
    """Whether polars (UTF-8 only) needs a UTF-8 copy of a file in `encoding`."""
    return codecs.lookup(encoding).name not in {"utf-8", "utf-8-sig"}


def _ragged_line(path: Path, skip_rows: int, delimiter: str) -> str | None:
    """Name the first line with more cells than the header (only run when polars refused the file)."""
    with open(path, encoding="utf-8-sig", newline="") as text:
        for _i in range(skip_rows):
            text.readline()
        rows = csv.reader(text, delimiter=delimiter)
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

class WorkbookSource(Source):
    """An XLSX workbook, checked for zip bombs before it is opened, read with openpyxl's read-only (streaming)
    reader: rows are turned into frames a batch at a time, never listed whole."""

    encoding = "xlsx"

    def __init__(self, path: Path, mapping: Mapping):
        check_zip_is_safe(path)
        self.path, self.mapping = path, mapping
        with self._sheet_rows() as rows:
            header = next(rows, None)
        if not header or not any(header):
            raise FileRejected(_("The sheet has no header row."))
        headers = [(_cell_text(h) or "").strip() for h in header]
        width = len(headers)
        while width and not headers[width - 1]:
            width -= 1
        self.headers = headers[:width]
        self.names = _unique_names(self.headers)
        self.estimated_rows = self._max_row

    @contextmanager
    def _sheet_rows(self) -> Iterator[Iterator[tuple]]:
        """The sheet's rows from the header on (values only), the workbook closed afterwards."""
        with open_sheet(self.path, self.mapping.sheet) as sheet:
            self._max_row = sheet.max_row
            yield itertools.islice(sheet.iter_rows(values_only=True), self.mapping.skip_rows, None)

    def batches(self, rows: int | None) -> Iterator[Table]:
        width, offset = len(self.names), self.mapping.skip_rows + 2
        rows = None if self.one_batch(rows) else rows
        schema = {n: pl.String for n in self.names}
        with self._sheet_rows() as sheet_rows:
            next(sheet_rows, None)  # the header
            while True:
                body = [[_cell_text(v) for v in (row + (None,) * width)[:width]]
                        for row in itertools.islice(sheet_rows, rows)]
                if not body and offset > self.mapping.skip_rows + 2:
                    return
                frame = pl.DataFrame(body, schema=schema, orient="row")
                yield Table(_clean(frame.with_row_index(ROW, offset=offset)), self.headers, self.encoding)
                offset += len(body)
                if rows is None or len(body) < rows:
                    return


@contextmanager
def open_sheet(path: Path, name: str | None):
    """A workbook's sheet (`name`, default the first) in openpyxl's read-only mode, closed afterwards."""
    with open(path, "rb") as handle:  # a file object: openpyxl would refuse a path not named .xlsx
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a damaged workbook
            raise FileRejected(_("The Excel workbook cannot be opened: %(why)s")
                               % {"why": _first_line(exc)}) from None
        try:
            yield _sheet(book, name)
        finally:
            book.close()


def check_zip_is_safe(file: Path | IO[bytes]) -> None:
    """Refuse a damaged zip, a zip bomb (from the sizes its directory declares) or a zip that is no workbook."""
    try:
        with zipfile.ZipFile(file) as archive:
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


def _unique_names(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for i, header in enumerate(headers):
        name = header or f"column {i + 1}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return names


# --- the first rows, as they stand (where a preset looks for its header row) ------------------------

PEEK_BYTES = 256 * 1024


def peek_rows(path: Path, file_name: str, rows: int, mapping: Mapping | None = None) -> list[list[str]]:
    """The first `rows` physical rows of a CSV or XLSX export, every cell as trimmed text ("" for empty),
    before any header is chosen: a title, a preamble and the header row alike. Read from the file's first
    PEEK_BYTES (CSV) or through openpyxl's streaming reader (XLSX); a file that cannot be read gives []
    (open_source then says why)."""
    mapping = mapping or Mapping()
    try:
        with open(path, "rb") as handle:
            head = handle.read(PEEK_BYTES)
    except OSError:
        return []
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            check_zip_is_safe(path)
            with open_sheet(path, mapping.sheet) as sheet:
                return [[(_cell_text(v) or "").strip() for v in row]
                        for row in itertools.islice(sheet.iter_rows(values_only=True), rows)]
        except FileRejected:
            return []
    lines = _peek_text(head, mapping.encoding).split("\n")[:rows]
    return [_peek_cells(line.rstrip("\r"), mapping.delimiter) for line in lines]


def _peek_cells(line: str, delimiter: str | None) -> list[str]:
    """One line's cells; a line csv cannot read (a binary file's) has none."""
    try:
        return [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter or sniff_delimiter(line)), [])]
    except csv.Error:
        return []


def _peek_text(head: bytes, encoding: str | None) -> str:
    """The start of a text file decoded as the importer will decode it (a character cut at the end is dropped)."""
    if encoding:
        try:
            return head.decode(encoding, errors="ignore")
        except LookupError:   # an unknown encoding: the mapping's check names it
            return ""
    if head.startswith(b"\xef\xbb\xbf"):
        return head[3:].decode("utf-8", errors="ignore")
    for candidate in ("utf-8", "gb18030"):
        try:
            return head.decode(candidate)
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:   # only the last character is cut by the peek
                return head[:exc.start].decode(candidate)
    return head.decode("utf-8", errors="ignore")
