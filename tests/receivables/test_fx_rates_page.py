"""The exchange-rate page and API (docs/currencies.md): finance adds and corrects a rate, audited; other
roles read the rates and cannot change them; sales do not see them; the page and the book's sums in the
functional currency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from tests.conftest import PASSWORD

from fengkong.core.models import AuditEvent
from fengkong.integrations.importer import import_file
from fengkong.receivables.exceptions import MissingRate
from fengkong.receivables.models import FxRate, Invoice
from fengkong.receivables.queries import book_overview

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_finance_adds_then_corrects_a_rate_and_each_change_is_audited(users):
    client = signed_in(users["finance"])
    client.post("/fx-rates/", {"date": "2026-11-30", "currency": "美元", "rate": "7.1"})
    client.post("/fx-rates/", {"date": "2026-11-30", "currency": "USD", "rate": "7.2", "source": "PBOC"})
    assert FxRate.objects.get().rate == Decimal("7.2")
    assert list(AuditEvent.objects.filter(action__startswith="fx_rate.").values_list("action", flat=True)
                .order_by("pk")) == ["fx_rate.created", "fx_rate.changed"]
    page = client.get("/fx-rates/?currency=USD")
    assert page.status_code == 200 and "7.2" in page.content.decode()


def test_a_zero_rate_or_the_functional_currency_is_refused_on_the_form(users):
    client = signed_in(users["finance"])
    zero = client.post("/fx-rates/", {"date": "2026-11-30", "currency": "USD", "rate": "0"}, HTTP_ACCEPT_LANGUAGE="en")
    functional = client.post("/fx-rates/", {"date": "2026-11-30", "currency": "CNY", "rate": "1"},
                             HTTP_ACCEPT_LANGUAGE="en")
    assert zero.status_code == functional.status_code == 400
    assert "more than zero" in zero.content.decode() and "functional currency" in functional.content.decode()
    assert not FxRate.objects.exists()


def test_a_risk_manager_reads_the_rates_but_cannot_change_them_and_sales_cannot_see_them(users):
    FxRate.objects.create(date=date(2026, 11, 30), currency="USD", rate=Decimal("7.1"))
    manager = signed_in(users["risk_manager"])
    assert manager.get("/fx-rates/").status_code == 200
    assert manager.post("/fx-rates/", {"date": "2026-11-30", "currency": "USD", "rate": "9"}).status_code == 403
    assert FxRate.objects.get().rate == Decimal("7.1")
    assert signed_in(users["sales"]).get("/fx-rates/").status_code == 403
    assert signed_in(users["sales"]).get("/api/v1/fx-rates").status_code == 403
    answer = manager.get("/api/v1/fx-rates?currency=USD").json()
    assert answer["functional_currency"] == "CNY" and answer["items"][0]["rate"] == "7.1"


def test_importing_rates_needs_the_finance_permission(users, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("date,currency,rate\n2026-11-30,USD,7.1\n", encoding="utf-8")
    assert import_file(path, "fx-rates", actor=users["credit_analyst"]).status == "rejected"
    assert import_file(path, "fx-rates", actor=users["finance"]).status == "done"


def test_the_book_overview_sums_usd_items_in_cny_and_refuses_without_a_rate(users, book):
    Invoice.objects.filter(number="AR0003").update(currency="USD", amount=Decimal("1000.00"),
                                                    open_amount=Decimal("1000.00"))
    with pytest.raises(MissingRate):
        book_overview(users["risk_manager"], date(2026, 12, 1))
    home = signed_in(users["risk_manager"]).get("/", HTTP_ACCEPT_LANGUAGE="en")     # the page says which rate is missing, no wrong total
    assert home.status_code == 409 and "No exchange rate for USD" in home.content.decode()
    FxRate.objects.create(date=date(2026, 1, 1), currency="USD", rate=Decimal("7.0"))
    overview = book_overview(users["risk_manager"], date(2026, 12, 1))
    assert overview.open_receivables == Decimal("12000.00") + Decimal("3000.00") + Decimal("7000.00") + Decimal("20000.00")
