"""Law firms: the register, engagements per case or per batch under fee arrangements, invoices checked
against the arrangement, the costs of a case and its recovery net of them, each firm's performance, and the
`law_firm` role that sees and works its own firm's cases only."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from tests.conftest import make_customer, make_user
from tests.evidence.conftest import PDF

from fengkong.core.models import AuditEvent
from fengkong.engine import firm_fees
from fengkong.legal import firms
from fengkong.legal.actions import Claim, move_case, open_case
from fengkong.legal.exceptions import FeeMismatch, LegalError, StageDetailsInvalid
from fengkong.legal.firms import FeeArrangement
from fengkong.legal.models import CaseCost, FirmInvoice, LawFirm, LegalCase
from fengkong.legal.performance import case_money, firm_performance

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
TODAY = timezone.localdate()
CONTINGENCY = FeeArrangement("contingency", contingency_share=Decimal("15"))
MIXED = FeeArrangement("mixed", fixed_fee=Decimal("5000.00"), contingency_share=Decimal("10"))


@pytest.fixture
def officer(users):
    return users["legal_officer"]


@pytest.fixture
def case(officer, debtor):
    return open_case(actor=officer, customer=debtor, claim=Claim(Decimal("150000.00"), Decimal("2000.00")))


@pytest.fixture
def firm(users):
    return LawFirm.objects.get(members=users["law_firm"])


@pytest.fixture
def engaged(officer, firm, case):
    firms.engage_firm(actor=officer, firm=firm, cases=[case], fees=MIXED, engaged_on=TODAY - timedelta(days=30))
    return LegalCase.objects.get(pk=case.pk)


def test_the_fee_arithmetic_gives_each_part_once():
    terms = firm_fees.Arrangement(fixed_fen=500_000, hourly_rate_fen=80_000, share_bp=1_000)
    first = firm_fees.allowed(terms, hours_centi=250, recovered_fen=3_000_000, before=firm_fees.Invoiced())
    assert (first.fixed_fen, first.hourly_fen, first.contingency_fen) == (500_000, 200_000, 300_000)
    taken = firm_fees.allot(900_000, first)
    assert (taken.fixed_fen, taken.hourly_fen, taken.contingency_fen) == (500_000, 200_000, 200_000)
    again = firm_fees.allowed(terms, hours_centi=0, recovered_fen=3_000_000, before=taken)
    assert again.total_fen == 100_000  # only the contingency's rest: the fixed fee is invoiced in full


def test_a_legal_officer_registers_a_firm_and_a_bad_credit_code_is_named(officer):
    firm = firms.register_firm(actor=officer, name="北京大成（重庆）律师事务所")
    assert AuditEvent.objects.filter(action="law_firm.registered", object_id=str(firm.pk)).exists()
    with pytest.raises(StageDetailsInvalid) as refused:
        firms.register_firm(actor=officer, name="北京大成（重庆）律师事务所", credit_code="91500000ABCDEFGH12")
    assert "registered already" in str(refused.value) and "not a valid unified social credit code" in str(refused.value)


def test_only_the_legal_officer_registers_and_engages(users, firm, case):
    for role in ("risk_manager", "finance", "auditor", "collector", "law_firm"):
        with pytest.raises(PermissionDenied):
            firms.engage_firm(actor=users[role], firm=firm, cases=[case], fees=CONTINGENCY, engaged_on=TODAY)
    assert LegalCase.objects.get(pk=case.pk).engagement is None


def test_a_batch_of_standard_cases_is_engaged_at_once_and_not_twice(officer, firm, case, portfolios):
    other = make_customer("C000005", "500104", portfolios["CQ"])
    second = open_case(actor=officer, customer=other, claim=Claim(Decimal("8000.00")))
    batch = firms.engage_firm(actor=officer, firm=firm, cases=[case, second], fees=CONTINGENCY, engaged_on=TODAY)
    assert batch.scope == "batch" and set(batch.cases.values_list("number", flat=True)) == {case.number, second.number}
    with pytest.raises(StageDetailsInvalid) as refused:
        firms.engage_firm(actor=officer, firm=firm, cases=[case], fees=CONTINGENCY, engaged_on=TODAY)
    assert f"{case.number} is engaged to 重庆渝律律师事务所 already" in str(refused.value)


@pytest.mark.parametrize(("fees", "problem"), [
    (FeeArrangement("fixed"), "needs the fixed fee"),
    (FeeArrangement("contingency", contingency_share=Decimal("120")), "at most 100"),
    (FeeArrangement("hourly", hourly_rate=Decimal("800"), fixed_fee=Decimal("100")), "choose a mixed arrangement"),
    (FeeArrangement("mixed", fixed_fee=Decimal("100")), "at least two"),
    (FeeArrangement("barter"), "unknown fee arrangement"),
])
def test_an_arrangement_that_does_not_add_up_is_refused(officer, firm, case, fees, problem):
    with pytest.raises(StageDetailsInvalid) as refused:
        firms.engage_firm(actor=officer, firm=firm, cases=[case], fees=fees, engaged_on=TODAY)
    assert problem in str(refused.value)
    assert LegalCase.objects.get(pk=case.pk).engagement is None


def test_an_invoice_over_the_arrangement_is_refused_naming_the_expected_amount(officer, engaged):
    firms.record_recovery(actor=officer, case=engaged, amount=Decimal("40000.00"), received_on=TODAY)
    with pytest.raises(FeeMismatch) as refused:
        firms.record_firm_invoice(actor=officer, case=LegalCase.objects.get(pk=engaged.pk), number="F-1",
                                  issued_on=TODAY, amount=Decimal("12000.00"))
    assert "asks for 12,000.00" in str(refused.value) and "gives 9,000.00" in str(refused.value)
    assert "10% of 40,000.00 recovered" in str(refused.value) and refused.value.expected == Decimal("9000.00")
    assert not FirmInvoice.objects.exists() and not CaseCost.objects.filter(kind="lawyer_fee").exists()


def test_an_invoice_within_the_arrangement_becomes_the_case_lawyers_fees(officer, engaged):
    firms.record_recovery(actor=officer, case=engaged, amount=Decimal("40000.00"), received_on=TODAY)
    case = LegalCase.objects.get(pk=engaged.pk)
    invoice = firms.record_firm_invoice(actor=officer, case=case, number="F-1", issued_on=TODAY,
                                        amount=Decimal("9000.00"))
    assert (invoice.fixed_part, invoice.contingency_part) == (Decimal("5000.00"), Decimal("4000.00"))
    with pytest.raises(FeeMismatch) as refused:  # all of it is invoiced: nothing more until more is recovered
        firms.record_firm_invoice(actor=officer, case=case, number="F-2", issued_on=TODAY, amount=Decimal("0.01"))
    assert "gives 0.00" in str(refused.value)
    firms.record_cost(actor=officer, case=case, kind="court_fee", amount=None, incurred_on=TODAY)
    firms.record_cost(actor=officer, case=case, kind="preservation_guarantee", amount=Decimal("760.00"),
                      incurred_on=TODAY)
    money = case_money(LegalCase.objects.get(pk=case.pk))
    assert money.costs["lawyer_fee"] == Decimal("9000.00")
    assert money.costs["court_fee"] == Decimal("3340.00")  # 50 + 2.5% of 90,000 + 2% of 52,000
    assert money.net == Decimal("40000.00") - Decimal("9000.00") - Decimal("3340.00") - Decimal("760.00")


def test_hours_on_an_arrangement_without_a_rate_and_a_future_date_are_named(officer, engaged):
    with pytest.raises(StageDetailsInvalid) as refused:
        firms.record_firm_invoice(actor=officer, case=engaged, number="F-1", issued_on=TODAY + timedelta(days=3),
                                  amount=Decimal("100.00"), hours=Decimal("2"))
    assert "has no hourly rate" in str(refused.value) and "in the future" in str(refused.value)


def test_a_recovery_past_the_claim_and_a_lawyers_fee_as_a_cost_are_refused(officer, engaged):
    with pytest.raises(StageDetailsInvalid, match="would pass the claim of 152,000.00"):
        firms.record_recovery(actor=officer, case=engaged, amount=Decimal("152000.01"), received_on=TODAY)
    with pytest.raises(LegalError, match="come from the firm's invoices"):
        firms.record_cost(actor=officer, case=engaged, kind="lawyer_fee", amount=Decimal("1.00"), incurred_on=TODAY)


def test_each_firm_performance_reads_recovery_rate_days_to_judgment_and_cost_per_yuan(officer, engaged):
    case = engaged
    move_case(actor=officer, case=case, stage="litigation",
              details={"filed_on": str(TODAY - timedelta(days=20)), "court": "渝中区法院", "procedure": "ordinary"})
    move_case(actor=officer, case=case, stage="judgment",
              details={"judgment_on": str(TODAY - timedelta(days=6)), "served_on": str(TODAY - timedelta(days=5))})
    firms.record_recovery(actor=officer, case=case, amount=Decimal("38000.00"), received_on=TODAY)
    firms.record_firm_invoice(actor=officer, case=LegalCase.objects.get(pk=case.pk), number="F-1", issued_on=TODAY,
                              amount=Decimal("5000.00"))
    (row,) = firm_performance(officer, [case.engagement.firm])
    assert (row.cases, row.recovery_rate, row.days_to_judgment) == (1, Decimal("0.2500"), Decimal("24.0"))
    assert row.cost_per_yuan == Decimal("0.1316") and row.net == Decimal("33000.00")
    assert row.by_stage == {"judgment": 1}


def test_the_firms_page_and_api_show_the_performance(engaged, sign_in):
    page = sign_in("finance").get("/legal/firms/", **EN).content.decode()
    assert "重庆渝律律师事务所" in page and "Recovery rate" in page
    listed = sign_in("risk_manager").get("/api/v1/legal/firms").json()
    assert listed["items"][0]["name"] == "重庆渝律律师事务所" and listed["items"][0]["by_stage"] == {"opened": 1}


def test_the_api_refuses_an_invoice_over_the_arrangement_with_409(engaged, sign_in):
    client = sign_in("legal_officer")
    refused = client.post(f"/api/v1/legal/cases/{engaged.pk}/firm-invoices",
                          {"number": "F-9", "issued_on": str(TODAY), "amount": "6000.00"},
                          content_type="application/json", **EN)
    assert refused.status_code == 409 and "gives 5,000.00" in refused.json()["detail"]
    accepted = client.post(f"/api/v1/legal/cases/{engaged.pk}/firm-invoices",
                           {"number": "F-9", "issued_on": str(TODAY), "amount": "5000.00"},
                           content_type="application/json")
    assert accepted.status_code == 200 and accepted.json()["expected"] == "5000.00"
    money = client.get(f"/api/v1/legal/cases/{engaged.pk}/costs").json()
    assert money["costs"]["lawyer_fee"] == "5000.00" and money["net"] == "-5000.00"


# --- the law_firm role -------------------------------------------------------------------------------

@pytest.fixture
def foreign_case(officer, portfolios, users, roles):
    """A case engaged to another firm."""
    customer = make_customer("C000003", "510104", portfolios["SC"], name="成都锦江电子有限公司")
    case = open_case(actor=officer, customer=customer, claim=Claim(Decimal("9000.00")))
    other = firms.register_firm(actor=officer, name="四川蜀都律师事务所")
    firms.engage_firm(actor=officer, firm=other, cases=[case], fees=CONTINGENCY, engaged_on=TODAY)
    return case


def test_a_firm_user_sees_only_its_firm_cases(engaged, foreign_case, users, sign_in):
    client = sign_in("law_firm")
    worklist = client.get("/legal/", **EN).content.decode()
    assert engaged.number in worklist and foreign_case.number not in worklist
    assert client.get(f"/legal/{foreign_case.pk}/").status_code == 404
    assert client.get(f"/api/v1/legal/cases/{foreign_case.pk}").status_code == 404
    assert [c["number"] for c in client.get("/api/v1/legal/cases").json()["items"]] == [engaged.number]
    assert set(LegalCase.objects.for_user(users["law_firm"])) == {engaged}


def test_a_firm_user_is_refused_everything_else(engaged, sign_in):
    client = sign_in("law_firm")
    for url in ("/customers/", "/legal/firms/", "/api/v1/legal/limitations", "/api/v1/evidence/items",
                f"/api/v1/legal/cases/{engaged.pk}/costs", "/api/v1/customers", f"/legal/{engaged.pk}/bundle/"):
        assert client.get(url).status_code == 403, url


def test_a_firm_user_moves_its_case_and_keeps_a_document_but_does_not_close_it(engaged, users, sign_in):
    client = sign_in("law_firm")
    moved = client.post(f"/legal/{engaged.pk}/move/", {"stage": "demand_letter", "sent_on": str(TODAY)})
    assert moved.status_code == 302 and LegalCase.objects.get(pk=engaged.pk).stage == "demand_letter"
    kept = client.post(f"/legal/{engaged.pk}/documents/", {"file": SimpleUploadedFile("律师函.pdf", PDF),
                                                           "title": "律师函", "source": "letter"})
    assert kept.status_code == 302 and engaged.documents.count() == 1
    item = engaged.documents.get().item
    assert client.get(f"/legal/{engaged.pk}/documents/{item.pk}/").status_code == 200
    page = client.get(f"/legal/{engaged.pk}/", **EN).content.decode()
    assert "律师函" in page and "Recovered net of costs" not in page
    with pytest.raises(PermissionDenied, match="decided by the company"):
        move_case(actor=users["law_firm"], case=engaged, stage="closed",
                  details={"closed_on": str(TODAY), "outcome": "written_off"})


def test_a_firm_user_cannot_touch_another_firm_case(foreign_case, users, sign_in):
    client = sign_in("law_firm")
    answer = client.post(f"/api/v1/legal/cases/{foreign_case.pk}/move",
                         {"stage": "demand_letter", "details": {"sent_on": str(TODAY)}}, content_type="application/json")
    assert answer.status_code == 404 and LegalCase.objects.get(pk=foreign_case.pk).stage == "opened"
    assert client.post(f"/legal/{foreign_case.pk}/hearings/", {"on": "2027-01-15"}).status_code == 404


def test_an_ended_engagement_or_another_role_does_not_open_the_cases(engaged, users, roles):
    outsider = make_user("lawyer2", "law_firm", roles)  # the role without a firm sees nothing
    assert not LegalCase.objects.for_user(outsider).exists()
    with pytest.raises(LegalError, match="does not have the law-firm role"):
        firms.add_firm_user(actor=users["legal_officer"], firm=engaged.engagement.firm, username="collector")
    engagement = engaged.engagement
    engagement.ended_on = date(2026, 12, 1)
    engagement.save(update_fields=["ended_on"])
    assert not LegalCase.objects.for_user(users["law_firm"]).exists()
