"""The columns of a file that no field takes are named in the import's outcome, not dropped without a word."""

from __future__ import annotations

from .conftest import INVOICE_HEADER


def test_the_columns_no_field_takes_are_named_on_the_import_batch(db, write, run, book):
    text = f"{INVOICE_HEADER},Sales Region,备注\nAR9001,C000001,2025-01-05,2025-02-04,100,100,CNY,West,加急\n"
    batch = run("invoices", write("extra.csv", text))
    assert batch.status == "done", batch.errors
    assert "Columns not imported" in batch.message and "Sales Region, 备注." in batch.message


def test_a_dry_run_names_them_too_and_a_file_whose_columns_are_all_taken_says_nothing_of_it(db, write, run, book):
    extra = run("invoices", write("a.csv", f"{INVOICE_HEADER},x\nAR9001,C000001,2025-01-05,2025-02-04,1,1,CNY,7\n"),
                dry_run=True)
    plain = run("invoices", write("b.csv", f"{INVOICE_HEADER}\nAR9002,C000001,2025-01-05,2025-02-04,1,1,CNY\n"))
    assert extra.message.endswith("docs/import.md): x.")
    assert "not imported" not in plain.message


def test_the_cli_prints_them(db, write, book):
    from click.testing import CliRunner

    from fengkong.cli.commands import fengkong

    path = write("c.csv", f"{INVOICE_HEADER},Region\nAR9003,C000001,2025-01-05,2025-02-04,1,1,CNY,W\n")
    result = CliRunner().invoke(fengkong, ["--lang", "en", "import", "invoices", str(path), "--dry-run"],
                                terminal_width=400)
    assert result.exit_code == 0, result.output
    assert "Columns not imported" in result.output and "Region." in result.output


def test_the_upload_pages_result_names_them(book, sign_in, huey_immediate):
    from django.urls import reverse

    from fengkong.accounts.choices import Role

    from .test_import_pages import upload

    content = f"{INVOICE_HEADER},Sales Region\nWEB0009,C000001,2026-10-01,2026-10-31,15,15,CNY,West\n".encode()
    client = sign_in(Role.FINANCE)
    response = upload(client, content)
    assert response.status_code == 302 and response["Location"] != reverse("import-upload")
    html = client.get(response["Location"]).content.decode()
    assert "Sales Region" in html     # the note, in the language of the upload (the column is named only there)
