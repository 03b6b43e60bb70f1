"""A small book whose invoices carry the ERP's open amounts, and receipts some of which disagree."""

from __future__ import annotations

import pytest
from django.utils import translation
from tests.conftest import make_customer

from fengkong.integrations.importer import import_file

INVOICES = ("单据编号,客户编码,单据日期,到期日,金额,未核销金额\n"
            "A1,C000001,2026-09-01,2026-10-01,1000.00,1000.00\n"   # ERP: all open; receipts: all paid
            "A2,C000001,2026-09-01,2026-10-01,500.00,0.00\n"       # agrees
            "A3,C000003,2026-09-05,2026-10-05,800.00,300.00\n"     # agrees
            "A4,C000003,2026-09-05,2026-10-05,200.00,200.00\n")    # ERP: open; receipts: half paid
RECEIPTS = ("收款单号,客户编码,收款日期,收款金额,核销单据号,核销金额\n"
            "R1,C000001,2026-10-10,1500.00,A1,1000.00\n"
            "R1,C000001,2026-10-10,1500.00,A2,500.00\n"
            "R2,C000003,2026-10-20,600.00,A3,500.00\n"
            "R2,C000003,2026-10-20,600.00,A4,100.00\n")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def erp_book(portfolios, tmp_path):
    """C000001 in CQ, C000003 in SC; invoices with 未核销金额 and the receipts; the two import batches."""
    make_customer("C000001", "500103", portfolios["CQ"], name="重庆渝中精密机械有限公司")
    make_customer("C000003", "510100", portfolios["SC"], name="成都锦江电子有限公司")
    (tmp_path / "ar.csv").write_text(INVOICES, encoding="utf-8")
    (tmp_path / "receipts.csv").write_text(RECEIPTS, encoding="utf-8")
    invoices = import_file(tmp_path / "ar.csv", "invoices", actor=None)
    receipts = import_file(tmp_path / "receipts.csv", "payments", actor=None)
    assert (invoices.status, receipts.status) == ("done", "done"), (invoices.errors, receipts.errors)
    return {"invoices": invoices, "receipts": receipts}
