"""The mapping file: how to read an ERP layout the built-in headers do not cover.

A mapping is TOML (or JSON with the same shape), see docs/mapping-example.toml:

    [file]       encoding, sheet, skip_rows, delimiter
    [columns]    "header in the file" = "field", or = ["field", "other field"] (one column, two fields)
    [dates]      formats = ["%d/%m/%Y", "excel"]
    [numbers]    thousands = ".", decimal = ","
    [constants]  field = value, for every row (e.g. currency = "EUR")

Design decision: a mapping is checked completely before any row is read, and every mistake in it is
one clear sentence (unknown section, unknown field, wrong type), because the person writing it is a
credit manager with an ERP export, not a programmer.
"""

from __future__ import annotations

import codecs
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .exceptions import FileRejected
from .fields import fields_of

DEFAULT_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
SECTIONS = {"file", "columns", "dates", "numbers", "constants"}
FILE_KEYS = {"encoding", "sheet", "skip_rows", "delimiter"}


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # header → the field(s) it fills
    date_formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
    thousands: str = ","
    decimal: str = "."
    encoding: str | None = None
    sheet: str | None = None
    skip_rows: int = 0
    delimiter: str | None = None
    constants: dict[str, str] = field(default_factory=dict)


def load_mapping(source: Path | dict | str | None, kind: str) -> Mapping:
    """A checked Mapping from a file path, a dict, TOML/JSON text, or None (built-in headers only)."""
    raw = raw_mapping(source)
    return Mapping() if raw is None else _build(raw, kind)


def raw_mapping(source: Path | dict | str | None) -> dict | None:
    """A mapping as read, not yet checked (None for none): from a file path, a dict, or TOML/JSON text."""
    if source is None or isinstance(source, dict):
        return source
    if isinstance(source, str) and "\n" not in source and len(source) < 1000 and Path(source).is_file():
        source = Path(source)
    return parse_mapping_text(_read_text(source))


def _read_text(source: Path | str) -> str:
    if isinstance(source, Path):
        try:
            return source.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise FileRejected(_("The mapping file cannot be read: %(why)s") % {"why": exc}) from None
    return source


def parse_mapping_text(text: str) -> dict:
    if text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise FileRejected(_("The mapping file is not valid JSON: %(why)s") % {"why": exc}) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FileRejected(_("The mapping file is not valid TOML: %(why)s") % {"why": exc}) from None


def _build(raw: dict, kind: str) -> Mapping:
    unknown = set(raw) - SECTIONS
    if unknown:
        raise _bad(_("unknown section(s) %(found)s; the sections are %(known)s"),
                   found=_names(unknown), known=_names(SECTIONS))
    file_opts = _section(raw, "file")
    if bad := set(file_opts) - FILE_KEYS:
        raise _bad(_("unknown key(s) %(found)s in [file]; the keys are %(known)s"),
                   found=_names(bad), known=_names(FILE_KEYS))
    return Mapping(
        columns=_columns(_section(raw, "columns"), kind),
        date_formats=_date_formats(_section(raw, "dates")),
        **_numbers(_section(raw, "numbers")),
        encoding=_encoding(file_opts.get("encoding")),
        sheet=_optional_str(file_opts, "sheet"),
        skip_rows=_skip_rows(file_opts.get("skip_rows", 0)),
        delimiter=_delimiter(file_opts.get("delimiter")),
        constants=_constants(_section(raw, "constants"), kind),
    )


def _section(raw: dict, name: str) -> dict:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise _bad(_("[%(name)s] must be a table of key = value lines"), name=name)
    return value


def _columns(columns: dict[str, Any], kind: str) -> dict[str, tuple[str, ...]]:
    """header → its field(s); a header may fill several fields (a list), a field comes from one header only."""
    known = fields_of(kind)
    built, taken = {}, {}
    for header, target in columns.items():
        targets = target if isinstance(target, list) and target else [target]
        for name in targets:
            if not isinstance(name, str) or name not in known:
                raise _bad(_("column %(header)r maps to %(target)r, which is not a field of %(kind)s; the fields "
                             "are %(known)s"), header=header, target=name, kind=kind, known=_names(known))
            if name in taken:
                raise _bad(_("field %(field)s is mapped twice, from column %(first)r and from column %(second)r; "
                             "a field takes one column"), field=name, first=taken[name], second=header)
            taken[name] = header
        built[str(header)] = tuple(dict.fromkeys(targets))
    return built


def _date_formats(dates: dict) -> tuple[str, ...]:
    formats = dates.get("formats", list(DEFAULT_DATE_FORMATS))
    if isinstance(formats, str):
        formats = [formats]
    if not formats or not all(isinstance(f, str) and ("%" in f or f == "excel") for f in formats):
        raise _bad(_('[dates] formats must be a list like ["%%d/%%m/%%Y", "excel"]'))
    return tuple(formats)


def _numbers(numbers: dict) -> dict[str, str]:
    thousands, decimal = numbers.get("thousands", ","), numbers.get("decimal", ".")
    if thousands not in {",", ".", " ", "'", ""} or decimal not in {".", ","} or thousands == decimal:
        raise _bad(_('[numbers] needs a decimal mark "." or "," and a different thousands separator '
                     '(",", ".", " ", "\'" or "")'))
    return {"thousands": thousands, "decimal": decimal}


def _encoding(value) -> str | None:
    if value is None:
        return None
    try:
        return codecs.lookup(str(value)).name
    except LookupError:
        raise _bad(_("unknown encoding %(value)r (try utf-8, gb18030 or gbk)"), value=value) from None


def _optional_str(options: dict, key: str) -> str | None:
    value = options.get(key)
    return None if value is None else str(value)


def _skip_rows(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1000:
        raise _bad(_("skip_rows must be a whole number of lines above the header, 0 to 1000"))
    return value


def _delimiter(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) != 1:
        raise _bad(_('delimiter must be one character, e.g. "," or ";" or "\\t"'))
    return value


def _constants(constants: dict, kind: str) -> dict[str, str]:
    known = fields_of(kind)
    for name, value in constants.items():
        if name not in known:
            raise _bad(_("constant %(name)r is not a field of %(kind)s; the fields are %(known)s"),
                       name=name, kind=kind, known=_names(known))
        if not isinstance(value, str | int | float | bool):
            raise _bad(_("constant %(name)r must be a single value"), name=name)
    return {name: str(value) for name, value in constants.items()}


def _names(names) -> str:
    return ", ".join(sorted(str(n) for n in names))


def _bad(message: str, **params) -> FileRejected:
    return FileRejected(_("Mapping file: ") + message % params)
