"""Where the import's word on open amounts is read: the batch page, the import history and `fengkong import`."""

from __future__ import annotations

from click.testing import CliRunner
from django.urls import reverse
from tests.conftest import make_customer

from fengkong.accounts.choices import Role
from fengkong.cli.commands import fengkong
from fengkong.integrations.models import ImportBatch

SAID = "Open amounts derived from 1 allocations for 1 invoice."


def test_the_command_the_batch_page_and_the_history_say_what_the_open_amounts_came_from(
        portfolios, write, run, sign_in):
    make_customer("C000001", "500103", portfolios["CQ"])
    run("invoices", write("ar.csv", "单据编号,客户编码,单据日期,到期日,金额\nD1,C000001,2026-09-01,2026-10-01,1000.00\n"))
    receipts = write("r.csv", "收款单号,客户编码,收款日期,收款金额,核销单据号,核销金额\n"
                              "R1,C000001,2026-10-01,600.00,D1,600.00\n")
    result = CliRunner().invoke(fengkong, ["import", "payments", str(receipts)])
    assert result.exit_code == 0, result.output
    batch = ImportBatch.objects.filter(kind="payments").get()
    assert SAID in batch.message or "推算" in batch.message  # the command speaks one language, en or zh-hans
    assert " ".join(batch.message.split()) in " ".join(result.output.split())
    client = sign_in(Role.FINANCE)
    assert batch.message in client.get(reverse("import-detail", args=[batch.pk])).content.decode()
    assert batch.message in client.get(reverse("import-list")).content.decode()
