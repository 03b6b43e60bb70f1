"""Ending a law firm's engagement: a date (not before it started, not ahead) and a reason, audited and on each
case's timeline; from then on the firm's users neither see nor work the case, the case page keeps the history,
and the case can be engaged to another firm. From the page, the API and the command."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from click.testing import CliRunner
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from tests.evidence.conftest import PDF

from fengkong.cli.commands import fengkong
from fengkong.core.models import AuditEvent
from fengkong.legal import firms
from fengkong.legal.actions import Claim, open_case
from fengkong.legal.exceptions import LegalError, StageDetailsInvalid
from fengkong.legal.firms import FeeArrangement
from fengkong.legal.models import CaseEvent, Engagement, LawFirm, LegalCase

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
TODAY = timezone.localdate()
STARTED = TODAY - timedelta(days=30)
CONTINGENCY = FeeArrangement("contingency", contingency_share=Decimal("15"))


@pytest.fixture
def officer(users):
    return users["legal_officer"]


@pytest.fixture
def case(officer, debtor):
    return open_case(actor=officer, customer=debtor, claim=Claim(Decimal("150000.00")))


@pytest.fixture
def engagement(officer, users, case):
    return firms.engage_firm(actor=officer, firm=LawFirm.objects.get(members=users["law_firm"]), cases=[case],
                             fees=CONTINGENCY, engaged_on=STARTED)


def end(officer, engagement, on=TODAY, reason="律所更换承办律师，服务不达标"):
    return firms.end_engagement(actor=officer, engagement=engagement, ended_on=on, reason=reason)


def test_ending_records_the_date_the_reason_and_who_and_audits_it(officer, engagement, case):
    ended = end(officer, engagement)
    assert (ended.ended_on, ended.end_reason, ended.ended_by) == (TODAY, "律所更换承办律师，服务不达标", officer)
    audit = AuditEvent.objects.get(action="law_firm.engagement_ended", object_id=str(engagement.pk))
    assert audit.after["cases"] == [case.number] and audit.after["reason"] == "律所更换承办律师，服务不达标"
    event = CaseEvent.objects.get(case=case, kind="engagement_ended")
    assert event.params["engagement"] == engagement.number and event.params["ended_on"] == TODAY.isoformat()


@pytest.mark.parametrize(("on", "reason", "problem"), [
    (STARTED - timedelta(days=1), "换律所", "is before the engagement started"),
    (TODAY + timedelta(days=1), "换律所", "is in the future"),
    (TODAY, "   ", "say why the engagement ends"),
    (TODAY, "理" * 2001, "at most 2000"),
], ids=["before-it-started", "in-the-future", "no-reason", "too-long"])
def test_a_bad_date_or_reason_is_refused_and_nothing_changes(officer, engagement, on, reason, problem):
    with pytest.raises(StageDetailsInvalid, match=problem):
        end(officer, engagement, on, reason)
    assert Engagement.objects.get(pk=engagement.pk).ended_on is None
    assert not AuditEvent.objects.filter(action="law_firm.engagement_ended").exists()


def test_it_ends_once_and_on_its_first_day_if_need_be(officer, engagement):
    end(officer, engagement, on=STARTED)
    with pytest.raises(LegalError, match="ended on .* already"):
        end(officer, engagement)


def test_only_the_company_legal_roles_end_an_engagement(users, engagement):
    for persona in ("law_firm", "risk_manager", "collector", "auditor"):
        with pytest.raises(PermissionDenied):
            end(users[persona], engagement)
    assert Engagement.objects.get(pk=engagement.pk).ended_on is None


def test_after_the_end_the_firm_user_no_longer_sees_nor_works_the_case(officer, engagement, case, sign_in):
    client = sign_in("law_firm")
    assert client.get(f"/legal/{case.pk}/").status_code == 200
    end(officer, engagement)
    assert client.get(f"/legal/{case.pk}/").status_code == 404
    assert client.get(f"/api/v1/legal/cases/{case.pk}").status_code == 404
    assert client.get("/api/v1/legal/cases").json()["items"] == []
    assert case.number not in client.get("/legal/", **EN).content.decode()
    moved = client.post(f"/api/v1/legal/cases/{case.pk}/move", {"stage": "demand_letter",
                                                                "details": {"sent_on": str(TODAY)}},
                        content_type="application/json")
    assert moved.status_code == 404 and LegalCase.objects.get(pk=case.pk).stage == "opened"
    assert client.post(f"/legal/{case.pk}/documents/", {"file": SimpleUploadedFile("律师函.pdf", PDF),
                                                        "title": "律师函", "source": "letter"}).status_code == 404
    stored = client.post("/api/v1/evidence/items", {"file": SimpleUploadedFile("律师函.pdf", PDF), "title": "律师函",
                                                    "subject_type": "legal_case", "subject_id": str(case.pk)})
    assert stored.status_code == 404 and not case.documents.exists()


def test_the_case_can_then_be_engaged_to_another_firm_and_keeps_its_history(officer, engagement, case, sign_in):
    other = firms.register_firm(actor=officer, name="重庆新律所")
    with pytest.raises(StageDetailsInvalid, match="engaged to .* already"):
        firms.engage_firm(actor=officer, firm=other, cases=[case], fees=CONTINGENCY, engaged_on=TODAY)
    end(officer, engagement, reason="换所")
    second = firms.engage_firm(actor=officer, firm=other, cases=[case], fees=CONTINGENCY, engaged_on=TODAY)
    assert LegalCase.objects.get(pk=case.pk).engagement == second
    assert list(case.engagements.order_by("engaged_on", "pk")) == [engagement, second]
    page = sign_in("legal_officer").get(f"/legal/{case.pk}/", **EN).content.decode()
    assert f'data-engagement="{engagement.number}"' in page and f'data-engagement="{second.number}"' in page
    assert "换所" in page and "Engagement history" in page and "End the engagement" in page


def test_a_batch_engagement_ends_on_every_case_it_covers(officer, users, debtor):
    cases = [open_case(actor=officer, customer=debtor, claim=Claim(Decimal("1000.00"))) for _ in range(3)]
    batch = firms.engage_firm(actor=officer, firm=LawFirm.objects.get(members=users["law_firm"]), cases=cases,
                              fees=CONTINGENCY, engaged_on=STARTED)
    end(officer, batch)
    assert CaseEvent.objects.filter(kind="engagement_ended").count() == 3
    assert not LegalCase.objects.for_user(users["law_firm"]).exists()


# --- the page, the API, the command -------------------------------------------------------------------

def test_the_case_page_ends_it_for_a_legal_officer_and_names_a_bad_date(engagement, case, sign_in):
    client = sign_in("legal_officer")
    assert 'id="end-engagement"' in client.get(f"/legal/{case.pk}/", **EN).content.decode()
    early = client.post(f"/legal/{case.pk}/end-engagement/", {"ended_on": str(STARTED - timedelta(days=1)),
                                                              "reason": "换所"}, follow=True, **EN)
    assert "is before the engagement started" in early.content.decode()
    assert Engagement.objects.get(pk=engagement.pk).ended_on is None
    done = client.post(f"/legal/{case.pk}/end-engagement/", {"ended_on": str(TODAY), "reason": "换所"}, **EN)
    assert done.status_code == 302 and Engagement.objects.get(pk=engagement.pk).ended_on == TODAY
    assert 'id="end-engagement"' not in client.get(f"/legal/{case.pk}/", **EN).content.decode()


def test_the_button_is_for_the_legal_roles_only(engagement, case, sign_in):
    for persona in ("risk_manager", "law_firm"):
        client = sign_in(persona)
        assert 'id="end-engagement"' not in client.get(f"/legal/{case.pk}/", **EN).content.decode()
        assert client.post(f"/legal/{case.pk}/end-engagement/", {"ended_on": str(TODAY),
                                                                 "reason": "x"}).status_code == 403
    assert Engagement.objects.get(pk=engagement.pk).ended_on is None


def test_the_api_ends_it_and_answers_409_the_second_time(engagement, case, sign_in):
    client = sign_in("legal_officer")
    url = f"/api/v1/legal/engagements/{engagement.pk}/end"
    bad = client.post(url, {"ended_on": str(STARTED - timedelta(days=2)), "reason": "换所"},
                      content_type="application/json", **EN)
    assert bad.status_code == 422 and "is before the engagement started" in bad.json()["detail"]
    answer = client.post(url, {"ended_on": str(TODAY), "reason": "换所"}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["ended_on"], body["end_reason"], body["ended_by"], body["cases"]) == (str(TODAY), "换所",
                                                                                       "legal_officer", [case.number])
    again = client.post(url, {"ended_on": str(TODAY), "reason": "换所"}, content_type="application/json", **EN)
    assert again.status_code == 409 and "already" in again.json()["detail"]
    assert client.post("/api/v1/legal/engagements/999999/end", {"ended_on": str(TODAY), "reason": "x"},
                       content_type="application/json").status_code == 404
    assert sign_in("law_firm").post(url, {"ended_on": str(TODAY), "reason": "x"},
                                    content_type="application/json").status_code == 403


def run(*args):
    return CliRunner().invoke(fengkong, ["--lang", "en", "legal", *args])


def test_the_command_ends_it_and_names_a_refusal(engagement, case):
    early = run("end-engagement", engagement.number, "--on", str(STARTED - timedelta(days=1)), "--reason", "换所",
                "--user", "legal_officer")
    assert early.exit_code == 2 and "is before the engagement started" in early.output
    assert run("end-engagement", "WT-1999-0001", "--reason", "换所", "--user", "legal_officer").exit_code == 2
    assert run("end-engagement", engagement.number, "--reason", "换所", "--user", "collector").exit_code == 2
    done = run("end-engagement", engagement.number, "--reason", "换所", "--user", "legal_officer")
    assert done.exit_code == 0 and f"Ended {engagement.number}" in done.output and case.number in done.output
    assert Engagement.objects.get(pk=engagement.pk).ended_on == TODAY
