"""The provision pages, downloads and API for finance, and who else may read them."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client

from fengkong.accounts.choices import Role
from fengkong.provisions import actions
from fengkong.provisions.models import ProvisionRun

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def proposed(worked_book, policy, finance_pair):
    return actions.propose_run(actor=finance_pair[0], as_of=AS_OF)


def test_the_run_page_shows_the_matrix_chart_movement_and_journal(proposed, finance_pair):
    page = client_of(finance_pair[1]).get(f"/provisions/{proposed.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-chart="provision-matrix"' in text and "plotly" in text
    assert "Provision matrix" in text and "265.05" in text and "Credit impairment loss" in text
    assert 'id="decide-form"' in text  # the other finance user decides
    own = client_of(finance_pair[0]).get(f"/provisions/{proposed.pk}/").content.decode()
    assert 'id="decide-form"' not in own and "another person approves it" in own


def test_approving_through_the_page_locks_the_period(proposed, finance_pair):
    response = client_of(finance_pair[1]).post(f"/provisions/{proposed.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 302
    assert ProvisionRun.objects.get(pk=proposed.pk).locked
    again = client_of(finance_pair[0]).post("/provisions/propose/", {"as_of": AS_OF.isoformat()}, follow=True)
    assert "approved and locked" in again.content.decode()
    assert ProvisionRun.objects.count() == 1


def test_downloads_are_formula_safe(proposed, finance_pair):
    client = client_of(finance_pair[1])
    lines = client.get(f"/provisions/{proposed.pk}/lines.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in lines and '"=HYPERLINK' not in lines.replace("'=", "")
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/provisions/{proposed.pk}/lines.xlsx").content))
    names = [row[1].value for row in book.active.iter_rows(min_row=2)]
    assert all(not str(n).startswith("=") for n in names) and any(str(n).startswith("'=") for n in names)
    journal = client.get(f"/provisions/{proposed.pk}/journal.csv").content.decode("utf-8-sig")
    assert "Credit impairment loss" in journal and "Provision for bad debts" in journal and "265.05" in journal
    disclosure = client.get(f"/provisions/{proposed.pk}/disclosure.csv").content.decode("utf-8-sig")
    assert "Lifetime expected credit loss" in disclosure and "160.00" in disclosure
    assert client.get(f"/provisions/{proposed.pk}/secrets.csv").status_code == 404


@pytest.mark.parametrize("persona", [Role.COLLECTOR, Role.SALES, Role.CREDIT_ANALYST, "nobody"])
def test_only_finance_risk_and_audit_read_provisions(proposed, users, persona):
    assert client_of(users[persona]).get(f"/provisions/{proposed.pk}/").status_code == 403
    assert client_of(users[persona]).get("/api/v1/provisions/runs").status_code == 403


def test_the_api_proposes_and_another_approves(worked_book, policy, finance_pair, users):
    maker, checker = client_of(finance_pair[0]), client_of(finance_pair[1])
    made = maker.post("/api/v1/provisions/runs", {"as_of": "2026-03-31"}, content_type="application/json")
    assert made.status_code == 201, made.content
    run = made.json()
    assert run["closing"] == "265.05" and [b["provision"] for b in run["buckets"]][-1] == "160.00"
    own = maker.post(f"/api/v1/provisions/runs/{run['id']}/decision", {"approve": True},
                     content_type="application/json")
    assert own.status_code == 403
    done = checker.post(f"/api/v1/provisions/runs/{run['id']}/decision", {"approve": True},
                        content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "approved"
    locked = maker.post("/api/v1/provisions/runs", {"as_of": "2026-03-31"}, content_type="application/json")
    assert locked.status_code == 422 and "locked" in locked.json()["detail"]
    listed = client_of(users[Role.AUDITOR]).get("/api/v1/provisions/runs").json()
    assert listed["count"] == 1 and listed["items"][0]["closing"] == "265.05"


def test_the_runs_page_lists_individual_provisions(worked_book, policy, finance_pair):
    actions.set_individual_provision(actor=finance_pair[0], customer=worked_book[2], amount=Decimal("123.45"),
                                     reason="bankruptcy filed")
    text = client_of(finance_pair[1]).get("/provisions/").content.decode()
    assert "Individual provisions" in text and "bankruptcy filed" in text and "123.45" in text
