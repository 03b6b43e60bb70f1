"""Row problems in invoice files: every one reported with row, column, value and reason; the modes."""

from __future__ import annotations

from fengkong.receivables.models import Invoice

from .conftest import invoices_csv, messages, problem_at

GOOD = "AR9001,C000001,2025-01-05,2025-02-04,\"1,234.50\",234.50,CNY"


def test_unparseable_date_names_the_formats_tried(db, write, run, book):
    batch = run("invoices", write("d.csv", invoices_csv("AR9001,C000001,05-Jan-2025,2025-02-04,100,100,CNY")))
    [problem] = problem_at(batch, 2)
    assert problem["column"] == "单据日期" and problem["value"] == "05-Jan-2025"
    assert "YYYY-MM-DD" in problem["message"]


def test_negative_and_non_numeric_amounts_are_reported(db, write, run, book):
    text = invoices_csv("AR9001,C000001,2025-01-05,2025-02-04,-100,0,CNY",
                        "AR9002,C000001,2025-01-05,2025-02-04,abc,0,CNY")
    batch = run("invoices", write("a.csv", text))
    assert problem_at(batch, 2)[0]["message"] == "negative amount"
    assert problem_at(batch, 3)[0]["value"] == "abc" and "not an amount" in problem_at(batch, 3)[0]["message"]


def test_duplicate_invoice_numbers_are_reported_on_both_rows(db, write, run, book):
    batch = run("invoices", write("dup.csv", invoices_csv(GOOD, GOOD.replace("AR9001", "AR9002"), GOOD)))
    duplicated = [p for p in batch.errors if "more than once" in p["message"]]
    assert [p["row"] for p in duplicated] == [2, 4]
    assert all("rows 2, 4" in p["message"] for p in duplicated)


def test_unknown_customer_code_is_reported(db, write, run, book):
    batch = run("invoices", write("c.csv", invoices_csv(GOOD.replace("C000001", "C999999"))))
    [problem] = batch.errors
    assert problem["column"] == "客户编码" and problem["value"] == "C999999" and "unknown customer" in problem["message"]


def test_open_amount_above_amount_and_due_before_issue_are_reported(db, write, run, book):
    batch = run("invoices", write("r.csv", invoices_csv("AR9001,C000001,2025-03-05,2025-02-04,100,200,CNY")))
    assert sorted(p["column"] for p in batch.errors) == ["到期日", "未核销金额"]


def test_unknown_currency_and_required_value_missing(db, write, run, book):
    batch = run("invoices", write("m.csv", invoices_csv("AR9001,C000001,2025-01-05,,100,100,XYZ")))
    assert {p["column"] for p in batch.errors} == {"到期日", "币种"}
    assert "required value is missing" in messages(batch)


def test_every_problem_of_the_file_is_reported_not_only_the_first(db, write, run, book):
    lines = [f"X{i},C999999,bad,2025-02-04,-1,0,CNY" for i in range(50)]
    batch = run("invoices", write("many.csv", invoices_csv(*lines)))
    assert batch.error_count == 200 and batch.rows_rejected == 50  # code, date, negative, open > amount


def test_all_or_nothing_writes_no_row_when_one_is_bad(db, write, run, book):
    before = Invoice.objects.count()
    batch = run("invoices", write("mix.csv", invoices_csv(GOOD, "AR9002,C000001,2025-01-05,2025-02-04,-5,0,CNY")))
    assert batch.status == "rejected" and Invoice.objects.count() == before


def test_valid_rows_only_writes_the_good_rows_and_reports_the_rest(db, write, run, book):
    batch = run("invoices", write("mix.csv", invoices_csv(GOOD, "AR9002,C000001,2025-01-05,2025-02-04,-5,0,CNY")),
                valid_rows_only=True)
    assert batch.status == "partial" and batch.rows_created == 1 and batch.rows_rejected == 1
    invoice = Invoice.objects.get(number="AR9001")
    assert str(invoice.amount) == "1234.50" and str(invoice.open_amount) == "234.50"
    assert not Invoice.objects.filter(number="AR9002").exists()


def test_dry_run_checks_everything_and_writes_nothing(db, write, run, book):
    batch = run("invoices", write("ok.csv", invoices_csv(GOOD)), dry_run=True)
    assert batch.status == "dry_run" and batch.rows_valid == 1 and batch.error_count == 0
    assert not Invoice.objects.filter(number="AR9001").exists()


def test_upsert_updates_a_changed_invoice_and_counts_it(db, write, run, book):
    run("invoices", write("v1.csv", invoices_csv(GOOD)))
    batch = run("invoices", write("v2.csv", invoices_csv(GOOD.replace(",234.50,CNY", ",0,CNY"))))
    assert (batch.rows_created, batch.rows_updated, batch.rows_unchanged) == (0, 1, 0)
    assert Invoice.objects.get(number="AR9001").open_amount == 0


def test_reimporting_the_same_file_changes_nothing(db, write, run, book):
    path = write("same.csv", invoices_csv(GOOD, GOOD.replace("AR9001", "AR0001")))
    first = run("invoices", path)
    stamps = dict(Invoice.objects.values_list("number", "updated_at"))
    again = run("invoices", path)
    assert (first.rows_created, first.rows_updated) == (1, 1)
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, 2)
    assert dict(Invoice.objects.values_list("number", "updated_at")) == stamps
    assert Invoice.objects.filter(number="AR9001").count() == 1


def test_absent_open_amount_column_means_fully_open_for_new_invoices(db, write, run, book):
    text = "单据编号,客户编码,单据日期,到期日,金额\nAR9001,C000001,2025-01-05,2025-02-04,500\n"
    batch = run("invoices", write("noopen.csv", text))
    assert batch.status == "done" and Invoice.objects.get(number="AR9001").open_amount == 500
