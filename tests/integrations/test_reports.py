"""The error report: every problem with row, column, value and message, in a CSV Excel opens."""

from __future__ import annotations

import csv
import io

from rich.console import Console

from fengkong.integrations.importer import progress_key
from fengkong.integrations.reports import print_batch, write_errors_csv

from .conftest import invoices_csv


def test_errors_csv_has_row_column_value_and_problem_with_a_bom(db, write, run, book, tmp_path):
    batch = run("invoices", write("bad.csv", invoices_csv("AR9001,C999999,2025-01-05,2025-02-04,-1,0,CNY")))
    out = tmp_path / "problems.csv"
    write_errors_csv(batch, out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == ["row", "column", "value", "problem"]
    assert {(r["row"], r["column"], r["value"]) for r in rows} == {("2", "客户编码", "C999999"), ("2", "金额", "-1"),
                                                                 ("2", "未核销金额", "0")}


def test_only_the_first_200_problems_are_kept_on_the_batch_but_all_are_in_the_file(db, write, run, book):
    lines = [f"X{i},C999999,2025-01-05,2025-02-04,1,1,CNY" for i in range(250)]
    batch = run("invoices", write("many.csv", invoices_csv(*lines)))
    assert batch.error_count == 250 and len(batch.errors) == 200
    with open(batch.errors_file, encoding="utf-8-sig") as handle:
        assert sum(1 for _ in handle) == 251


def test_print_batch_shows_counts_and_problems(db, write, run, book):
    batch = run("invoices", write("bad.csv", invoices_csv("AR9001,C999999,2025-01-05,2025-02-04,1,1,CNY")))
    console = Console(file=io.StringIO(), width=200)
    print_batch(batch, console)
    shown = console.file.getvalue()
    assert "C999999" in shown and "bad.csv" in shown


def test_progress_is_published_to_the_cache(db, write, run, book):
    from django.core.cache import cache

    batch = run("invoices", write("ok.csv", invoices_csv("AR9001,C000001,2025-01-05,2025-02-04,1,1,CNY")))
    assert cache.get(progress_key(batch.pk))["done"] == 1
