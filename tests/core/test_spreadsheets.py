"""The one spreadsheet writer: a cell that starts like a formula is escaped, a plain number stays a number,
the same rule in Python, in polars expressions, in CSV and in XLSX."""

from __future__ import annotations

import csv

import openpyxl
import polars as pl
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st

from fengkong.core.spreadsheets import copy_csv, safe_cell, safe_frame, write_frame_csv, write_text

HOSTILE = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x","click")', "@SUM(1+1)", "+1+1", "-1+1", "\t=1", "\r=1",
           "\n=1", "＝1", "＋1+1", "－1", "＠SUM(1)", " =1+1", "\u3000=1", "-", "=", "-A1"]
NUMBERS = ["-12.50", "+3", "1,234.5", "-1,234,567.89", "-1e5", "0", "12", "-.5", "+0.25E-3"]
ORDINARY = ["上海机电有限公司", "K/10086", "AR-0001", "C000001", "", "a=b", "1-2", "'=already escaped", "—"]


def test_a_cell_that_starts_like_a_formula_gets_an_apostrophe():
    assert [safe_cell(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]


def test_plain_numbers_and_ordinary_text_stay_as_they_are():
    assert [safe_cell(v) for v in NUMBERS + ORDINARY] == NUMBERS + ORDINARY
    assert safe_cell(None) == "" and safe_cell(-12.5) == "-12.5"


def test_the_escape_is_idempotent():
    assert [safe_cell(safe_cell(v)) for v in HOSTILE] == [safe_cell(v) for v in HOSTILE]


CHARS = st.sampled_from(list("=+-@＝＋－＠ \t\r\n\u3000.,eE0123456789aZ'中\""))


@given(st.lists(st.text(CHARS, max_size=8), min_size=1, max_size=30))
def test_the_polars_expressions_escape_exactly_like_safe_cell(values):
    frame = pl.DataFrame({"text": values})
    assert safe_frame(frame)["text"].to_list() == [safe_cell(v) for v in values]


def test_a_frame_keeps_its_numbers_and_nulls_and_escapes_its_column_names():
    frame = pl.DataFrame({"=name": ["=1+1", None, "ok"], "amount": [-12.5, 3.0, None]})
    safe = safe_frame(frame)
    assert safe.columns == ["'=name", "amount"]
    assert safe["'=name"].to_list() == ["'=1+1", None, "ok"] and safe["amount"].to_list() == [-12.5, 3.0, None]
    lazy = safe_frame(frame.lazy()).collect()
    assert lazy.equals(safe)


def test_a_categorical_column_is_escaped_too():
    frame = pl.DataFrame({"industry": pl.Series(["@SUM(1)", "制造业"], dtype=pl.Categorical)})
    assert safe_frame(frame)["industry"].to_list() == ["'@SUM(1)", "制造业"]


def test_the_csv_has_a_bom_quotes_text_and_leaves_numbers_unquoted(tmp_path):
    out = tmp_path / "x.csv"
    write_frame_csv(pl.DataFrame({"value": ["=1+1", "x;=2", "-12.50"], "amount": [-12.5, 1.0, 2.0]}), out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").splitlines() == ['"value","amount"', "\"'=1+1\",-12.5", '"x;=2",1.0',
                                                    '"-12.50",2.0']


def test_a_lazy_frame_is_streamed_to_the_same_csv(tmp_path):
    frame = pl.DataFrame({"value": HOSTILE, "n": range(len(HOSTILE))})
    write_frame_csv(frame, tmp_path / "eager.csv")
    write_frame_csv(frame.lazy(), tmp_path / "lazy.csv")
    assert (tmp_path / "eager.csv").read_bytes() == (tmp_path / "lazy.csv").read_bytes()


def test_copying_a_raw_csv_escapes_what_it_holds(tmp_path):
    raw = tmp_path / "raw.csv"
    with open(raw, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([["=head", "value"], *[["1", v] for v in HOSTILE]])
    copy_csv(raw, tmp_path / "safe.csv")
    with open(tmp_path / "safe.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["'=head", "value"]
    assert [r[1] for r in rows[1:]] == ["'" + v for v in HOSTILE]


def test_xlsx_text_is_an_escaped_string_cell(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"), {"constant_memory": True})
    sheet = book.add_worksheet()
    for row, value in enumerate([*HOSTILE, *NUMBERS, None]):
        write_text(sheet, row, 0, value)
    book.close()
    cells = [c for (c,) in openpyxl.load_workbook(tmp_path / "x.xlsx").active.iter_rows(max_col=1)]
    texts = ["'" + v for v in HOSTILE] + NUMBERS
    # xlsxwriter stores a CR as _x000D_, which openpyxl reads back as written
    assert [c.value.replace("_x000D_", "\r") for c in cells[:len(texts)]] == texts
    assert {c.data_type for c in cells[:len(texts)]} == {"s"}
