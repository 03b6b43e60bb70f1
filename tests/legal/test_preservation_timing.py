"""When to act (article §6): each open case and each danger-zone customer shows the signs that argue for
property preservation now — broken promises, litigation by others, unreachable, assets moving, an industry
alarm, the danger zone — each with its evidence, and a legal officer's decision (apply now / wait / not needed,
why, who, when) is kept append-only and audited."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from tests.conftest import make_customer, make_invoice

from fengkong.collections.models import CollectionCase, Contact, PromiseToPay
from fengkong.core.models import AuditEvent
from fengkong.credit.actions.flags import set_flags
from fengkong.credit.models import RiskFeedback
from fengkong.industry.actions import set_outlook
from fengkong.legal import firms, queries
from fengkong.legal.actions import Claim, decide_preservation, move_case, open_case
from fengkong.legal.exceptions import IllegalMove, StageDetailsInvalid
from fengkong.legal.firms import FeeArrangement
from fengkong.legal.models import CaseEvent, LawFirm, PreservationDecision
from fengkong.legal.preservation import LOOKBACK_DAYS, signs_of
from fengkong.monitoring.choices import Zone
from fengkong.monitoring.models import CustomerSnapshot, MonitoringDay

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
TODAY = timezone.localdate()


@pytest.fixture
def officer(users):
    return users["legal_officer"]


def snapshot(customer, zone: int, overdue: str = "120000.00", as_of=TODAY) -> None:
    MonitoringDay.objects.get_or_create(as_of=as_of, defaults={"edges": [0, 30, 60, 90, 180, 365]})
    CustomerSnapshot.objects.create(as_of=as_of, customer=customer, zone=zone, overdue_amount=Decimal(overdue),
                                    open_amount=Decimal(overdue), max_days_overdue=95 if zone == Zone.DANGER else 20)


def collection_case(customer) -> CollectionCase:
    return CollectionCase.objects.create(customer=customer, opened_on=TODAY - timedelta(days=60), updated_on=TODAY)


def broken_promise(customer, days_ago: int = 10, case=None) -> PromiseToPay:
    judged = TODAY - timedelta(days=days_ago)
    return PromiseToPay.objects.create(customer=customer, case=case, amount=Decimal("50000.00"),
                                       due_date=judged - timedelta(days=1), taken_on=judged - timedelta(days=20),
                                       owed_at_promise=Decimal("120000.00"), state="broken", evaluated_on=judged)


def contact(customer, outcome: str, days_ago: int, case=None) -> Contact:
    return Contact.objects.create(customer=customer, case=case, channel="phone", outcome=outcome,
                                  at=timezone.now() - timedelta(days=days_ago))


@pytest.fixture
def troubled(debtor, users, officer):
    """The debtor with every sign: two broken promises, three calls unanswered after one that reached them,
    the litigation flag, sales' report of a relocation, an alarm on manufacturing, the danger zone."""
    case = collection_case(debtor)
    broken_promise(debtor, 10, case)
    broken_promise(debtor, 40, case)
    contact(debtor, "reached", 30, case)
    for days in (9, 6, 3):
        contact(debtor, "no_answer", days, case)
    set_flags(actor=officer, customer=debtor, blacklisted=False, litigation=True, reason="被供应商起诉 (2026)渝0103民初1234号")
    RiskFeedback.objects.create(customer=debtor, category="operations", text="厂房设备正在搬往外地", author=users["sales"])
    set_outlook(actor=users["industry_analyst"], industry="C", outlook="adverse", alarm=True, note="产能过剩")
    snapshot(debtor, Zone.DANGER)
    return debtor


def test_each_sign_is_read_from_the_companys_own_data_with_its_evidence(troubled, officer):
    signs = signs_of([troubled], officer)[troubled.pk]
    by_kind = {s.kind: s for s in signs.signs}
    assert signs.score == 100 and signs.count == 6 and signs.overdue == Decimal("120000.00")
    assert by_kind["broken_promises"].count == 2
    assert "50,000.00 promised" in by_kind["broken_promises"].evidence[0].what
    assert by_kind["broken_promises"].evidence[0].link.startswith("/collections/cases/")
    assert [e.when for e in by_kind["unreachable"].evidence] == [TODAY - timedelta(days=d) for d in (3, 6, 9)]
    assert "渝0103民初1234号" in by_kind["litigation"].evidence[0].what
    assert by_kind["litigation"].evidence[0].link == f"/customers/{troubled.code}/"
    assert "搬往外地" in by_kind["assets_moving"].evidence[0].what
    assert "产能过剩" in by_kind["industry_alarm"].evidence[0].what
    assert by_kind["industry_alarm"].evidence[0].when == TODAY
    assert "120,000.00 overdue" in by_kind["danger_zone"].evidence[0].what


def test_a_customer_without_trouble_shows_no_sign(debtor, officer):
    signs = signs_of([debtor], officer)[debtor.pk]
    assert signs.score == 0 and signs.present == [] and all(s.evidence == [] for s in signs.signs)


def test_unreachable_takes_three_calls_in_a_row_after_the_last_that_reached_somebody(debtor, officer):
    def unreachable() -> bool:
        return signs_of([debtor], officer)[debtor.pk].signs[2].present

    contact(debtor, "no_answer", 8)
    contact(debtor, "wrong_number", 6)
    assert not unreachable()
    contact(debtor, "no_answer", 4)
    assert unreachable()
    contact(debtor, "promised", 1)  # they answered at last
    assert not unreachable()


def test_a_promise_broken_long_ago_no_longer_argues_for_acting_now(debtor, officer):
    broken_promise(debtor, LOOKBACK_DAYS + 5)
    assert not signs_of([debtor], officer)[debtor.pk].present


def test_a_firm_user_sees_the_evidence_without_links_into_the_company_pages(troubled, users):
    signs = signs_of([troubled], users["law_firm"])[troubled.pk]
    assert signs.score == 100 and all(e.link is None for s in signs.signs for e in s.evidence)


@pytest.fixture
def two_cases(officer, troubled, portfolios):
    calm = make_customer("C000003", "510104", portfolios["SC"], name="成都锦江电子有限公司", industry="F")
    make_invoice(calm, "AR0009", amount="900000.00", days_overdue=100)
    snapshot(calm, Zone.WARNING, "900000.00")
    large = open_case(actor=officer, customer=calm, claim=Claim(Decimal("900000.00")))
    small = open_case(actor=officer, customer=troubled, claim=Claim(Decimal("1000.00")))
    return small, large


def test_the_worklist_puts_the_strongest_signs_first_then_the_amount_at_risk(two_cases, officer, sign_in):
    small, large = two_cases
    assert [r.case for r in queries.ranked_cases(officer)] == [small, large]
    page = sign_in("legal_officer").get("/legal/", **EN).content.decode()
    assert page.index(small.number) < page.index(large.number)
    assert 'data-score="100"' in page and "Litigation by others" in page


def test_a_danger_zone_customer_without_a_case_is_on_the_worklist_and_its_page(troubled, portfolios, sign_in):
    quiet = make_customer("C000004", "500104", portfolios["CQ"], name="重庆两江物流有限公司", industry="G")
    snapshot(quiet, Zone.DANGER, "5000.00")
    client = sign_in("legal_officer")
    page = client.get("/legal/", **EN).content.decode()
    assert page.index(troubled.code) < page.index(quiet.code) and "Danger-zone customers without a case" in page
    customer_page = client.get(f"/customers/{troubled.code}/", **EN).content.decode()
    assert 'id="preservation"' in customer_page and "厂房设备正在搬往外地" in customer_page
    assert "Record the decision" in customer_page
    assert 'id="preservation"' not in sign_in("collector").get(f"/customers/{troubled.code}/", **EN).content.decode()


def test_a_legal_officer_decides_on_a_case_and_apply_now_links_the_application(troubled, officer, sign_in):
    case = open_case(actor=officer, customer=troubled, claim=Claim(Decimal("120000.00")))
    waited = decide_preservation(actor=officer, case=case, decision="wait", reason="他们答应月底还款")
    move_case(actor=officer, case=case, stage="preservation",
              details={"applied_on": TODAY.isoformat(), "court": "渝中区法院"})
    applied = decide_preservation(actor=officer, case=case, decision="apply_now", reason="设备在搬走：申请查封")
    assert applied.preservation == case.stages.get(stage="preservation") and waited.preservation is None
    assert applied.score == 100 and {s["kind"] for s in applied.signs if s["present"]} >= {"assets_moving"}
    event = AuditEvent.objects.get(action="preservation.decided", object_id=str(applied.pk))
    assert event.after["decision"] == "apply_now" and event.after["case"] == case.number
    assert event.actor == officer
    assert CaseEvent.objects.filter(case=case, kind="preservation_decision").count() == 2
    assert [d.decision for d in queries.decisions_of(officer, case=case)] == ["apply_now", "wait"]
    page = sign_in("legal_officer").get(f"/legal/{case.pk}/", **EN).content.decode()
    assert "When to act: property preservation" in page and "设备在搬走" in page
    assert "the preservation application of" in page
    applied.reason = "changed"
    with pytest.raises(PermissionError):
        applied.save()
    with pytest.raises(PermissionError):
        applied.delete()


def test_apply_now_before_the_application_links_to_the_one_made_after(troubled, officer):
    case = open_case(actor=officer, customer=troubled, claim=Claim(Decimal("120000.00")))
    decided = decide_preservation(actor=officer, case=case, decision="apply_now", reason="马上申请")
    assert decided.preservation is None and queries.decisions_of(officer, case=case)[0].application is None
    move_case(actor=officer, case=case, stage="preservation",
              details={"applied_on": TODAY.isoformat(), "court": "渝中区法院"})
    assert queries.decisions_of(officer, case=case)[0].application == case.stages.get(stage="preservation")


def test_a_decision_on_a_customer_with_an_open_case_is_the_cases(troubled, officer):
    case = open_case(actor=officer, customer=troubled, claim=Claim(Decimal("120000.00")))
    decided = decide_preservation(actor=officer, customer=troubled, decision="not_needed", reason="担保足额")
    assert decided.case == case
    bare = decide_preservation(actor=officer, customer=make_customer("C000007", "500104", troubled.portfolio, industry="G"),
                               decision="wait", reason="观察一周")
    assert bare.case is None and bare.score == 0


def test_bad_input_is_refused_naming_it_and_nothing_is_written(troubled, officer):
    case = open_case(actor=officer, customer=troubled, claim=Claim(Decimal("120000.00")))
    with pytest.raises(StageDetailsInvalid) as refused:
        decide_preservation(actor=officer, case=case, decision="maybe", reason="  ")
    assert refused.value.problems == ["decision must be one of apply_now, wait, not_needed, not 'maybe'",
                                      "say why (the reason is kept with the decision)"]
    with pytest.raises(StageDetailsInvalid, match="2001 characters long: at most 2000"):
        decide_preservation(actor=officer, case=case, decision="wait", reason="x" * 2001)
    move_case(actor=officer, case=case, stage="closed", details={"closed_on": TODAY.isoformat(),
                                                                 "outcome": "written_off"})
    with pytest.raises(IllegalMove, match="The case is closed"):
        decide_preservation(actor=officer, case=case, decision="wait", reason="太晚了")
    assert not PreservationDecision.objects.exists()
    assert not AuditEvent.objects.filter(action="preservation.decided").exists()


def test_only_a_legal_officer_decides(troubled, officer, users, sign_in):
    case = open_case(actor=officer, customer=troubled, claim=Claim(Decimal("120000.00")))
    for role in ("risk_manager", "finance", "auditor", "collector", "admin", "law_firm"):
        with pytest.raises(PermissionDenied):
            decide_preservation(actor=users[role], case=case, decision="apply_now", reason="我来定")
    client = sign_in("risk_manager")
    assert client.post(f"/legal/{case.pk}/preservation/", {"decision": "wait", "reason": "x"}).status_code == 403
    assert client.post(f"/api/v1/legal/cases/{case.pk}/preservation", {"decision": "wait", "reason": "x"},
                       content_type="application/json").status_code == 403
    assert not PreservationDecision.objects.exists()


def test_the_page_form_records_a_decision_and_names_bad_input(troubled, officer, sign_in):
    case = open_case(actor=officer, customer=troubled, claim=Claim(Decimal("120000.00")))
    client = sign_in("legal_officer")
    answer = client.post(f"/legal/{case.pk}/preservation/", {"decision": "later", "reason": ""}, follow=True, **EN)
    assert "Decision:" in answer.content.decode() and not PreservationDecision.objects.exists()
    client.post(f"/legal/{case.pk}/preservation/", {"decision": "apply_now", "reason": "资产转移迹象明显"})
    client.post(f"/legal/customers/{troubled.code}/preservation/", {"decision": "wait", "reason": "等法院排期"})
    assert list(PreservationDecision.objects.values_list("decision", "case", "decided_by")) == [
        ("wait", case.pk, officer.pk), ("apply_now", case.pk, officer.pk)]


def test_the_api_lists_signs_and_records_decisions(troubled, officer, portfolios, sign_in):
    case = open_case(actor=officer, customer=troubled, claim=Claim(Decimal("120000.00")))
    quiet = make_customer("C000004", "500104", portfolios["CQ"], industry="G")
    snapshot(quiet, Zone.DANGER, "5000.00")
    client = sign_in("legal_officer")
    listed = client.get("/api/v1/legal/preservation").json()
    assert [(r["customer"], r["case"], r["score"]) for r in listed["items"]] == [
        (troubled.code, case.number, 100), (quiet.code, None, 10)]
    made = client.post(f"/api/v1/legal/cases/{case.pk}/preservation",
                       {"decision": "apply_now", "reason": "资产转移"}, content_type="application/json")
    assert made.status_code == 200 and made.json()["case"] == case.number and made.json()["decided_by"] == officer.username
    detail = client.get(f"/api/v1/legal/cases/{case.pk}/preservation").json()
    assert detail["decision"]["decision"] == "apply_now" and len(detail["decisions"]) == 1
    assert {s["kind"]: s["present"] for s in detail["signs"]}["unreachable"] is True
    bare = client.post(f"/api/v1/legal/customers/{quiet.code}/preservation", {"decision": "wait", "reason": "观察"},
                       content_type="application/json")
    assert bare.status_code == 200 and bare.json()["case"] is None
    assert client.get(f"/api/v1/legal/customers/{quiet.code}/preservation").json()["decisions"][0]["reason"] == "观察"
    for body in ({"decision": "maybe", "reason": "x"}, {"decision": "wait", "reason": "   "},
                 {"decision": "wait", "reason": "x" * 2001}, {"decision": "wait"}):
        assert client.post(f"/api/v1/legal/cases/{case.pk}/preservation", body,
                           content_type="application/json").status_code == 422
    assert client.get("/api/v1/legal/customers/NOPE/preservation").status_code == 404
    assert client.get("/api/v1/legal/cases/999999/preservation").status_code == 404
    assert PreservationDecision.objects.count() == 2


def test_a_firm_user_reads_its_own_cases_signs_and_nothing_else(troubled, officer, portfolios, users, sign_in):
    own = open_case(actor=officer, customer=troubled, claim=Claim(Decimal("120000.00")))
    other_customer = make_customer("C000003", "510104", portfolios["SC"])
    other = open_case(actor=officer, customer=other_customer, claim=Claim(Decimal("9000.00")))
    fees = FeeArrangement("contingency", contingency_share=Decimal("15"))
    firms.engage_firm(actor=officer, firm=LawFirm.objects.get(members=users["law_firm"]), cases=[own], fees=fees,
                      engaged_on=TODAY)
    firms.engage_firm(actor=officer, firm=firms.register_firm(actor=officer, name="四川蜀都律师事务所"), cases=[other],
                      fees=fees, engaged_on=TODAY)
    decide_preservation(actor=officer, case=own, decision="apply_now", reason="申请查封")
    decide_preservation(actor=officer, case=other, decision="wait", reason="观察")
    client = sign_in("law_firm")
    assert client.get(f"/api/v1/legal/cases/{own.pk}/preservation").json()["decisions"][0]["reason"] == "申请查封"
    assert client.get(f"/api/v1/legal/cases/{other.pk}/preservation").status_code == 404
    assert [r["case"] for r in client.get("/api/v1/legal/preservation").json()["items"]] == [own.number]
    assert client.get(f"/api/v1/legal/customers/{troubled.code}/preservation").status_code == 403
    assert client.post(f"/api/v1/legal/cases/{own.pk}/preservation", {"decision": "wait", "reason": "x"},
                       content_type="application/json").status_code == 403
    page = client.get(f"/legal/{own.pk}/", **EN).content.decode()
    assert "When to act: property preservation" in page and "Record the decision" not in page
    assert client.get(f"/legal/{other.pk}/").status_code == 404


def test_the_command_lists_cases_and_danger_zone_customers_by_score(troubled, officer, portfolios):
    from click.testing import CliRunner

    from fengkong.cli.commands import fengkong

    case = open_case(actor=officer, customer=troubled, claim=Claim(Decimal("120000.00")))
    decide_preservation(actor=officer, case=case, decision="apply_now", reason="申请查封")
    quiet = make_customer("C000004", "500104", portfolios["CQ"], industry="G")
    snapshot(quiet, Zone.DANGER, "5000.00")
    result = CliRunner().invoke(fengkong, ["--lang", "en", "legal", "preservation", "--user", "legal_officer"])
    assert result.exit_code == 0, result.output
    assert result.output.index(case.number) < result.output.index(quiet.code) and "apply_now" in result.output
    assert "2 cases and danger-zone customers; 2 with signs." in result.output
