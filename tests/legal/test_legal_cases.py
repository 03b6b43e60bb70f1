"""A legal case from the referral to the last yuan: opened from a danger-zone referral or by a person, moved
through its stages with their dates and deadlines, illegal moves refused with the reason."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from fengkong.core.models import AuditEvent
from fengkong.evidence.actions import Description
from fengkong.evidence.models import EvidenceItem
from fengkong.legal.actions import (
    Claim,
    add_hearing,
    approve_restructuring,
    attach_document,
    move_case,
    open_case,
    open_referral_claim,
    record_seizure,
)
from fengkong.legal.choices import DeadlineKind, Origin, Stage
from fengkong.legal.exceptions import IllegalMove, StageDetailsInvalid
from fengkong.legal.models import LegalCase, LegalDeadline
from fengkong.monitoring.choices import ActionStatus

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def case(users, debtor):
    return open_case(actor=users["legal_officer"], customer=debtor, claim=Claim(Decimal("150000.00"),
                                                                                Decimal("3200.50")))


def move(users, case, stage, **details):
    return move_case(actor=users["legal_officer"], case=case, stage=stage, details=details)


def deadlines(case) -> dict[str, date]:
    return {d.kind: d.due_on for d in LegalDeadline.objects.filter(case=case, done=False)}


def test_a_referral_becomes_a_case_with_the_overdue_amount_and_the_task_is_done(users, debtor, referral):
    claim = open_referral_claim(referral)
    assert claim.principal == Decimal("150000.00")
    case = open_case(actor=users["legal_officer"], customer=debtor, claim=claim, referral=referral)
    referral.refresh_from_db()
    assert case.origin == Origin.REFERRAL and case.number.startswith("FW-") and case.stage == Stage.OPENED
    assert referral.status == ActionStatus.DONE and case.number in referral.note
    assert AuditEvent.objects.filter(action="legal_case.opened", object_id=str(case.pk)).exists()
    with pytest.raises(Exception, match="has become case"):
        open_case(actor=users["legal_officer"], customer=debtor, claim=claim, referral=referral)


def test_a_claim_must_be_positive(users, debtor):
    with pytest.raises(StageDetailsInvalid, match="principal must be more than 0"):
        open_case(actor=users["legal_officer"], customer=debtor, claim=Claim(Decimal("0")))
    with pytest.raises(StageDetailsInvalid, match="interest must be at least 0"):
        open_case(actor=users["legal_officer"], customer=debtor, claim=Claim(Decimal("1"), Decimal("-1")))


def test_only_legal_officers_open_and_move_cases(users, debtor, case):
    for persona in ["collector", "sales", "credit_analyst", "auditor", "nobody"]:
        with pytest.raises(PermissionDenied):
            open_case(actor=users[persona], customer=debtor, claim=Claim(Decimal("1.00")))
        with pytest.raises(PermissionDenied):
            move_case(actor=users[persona], case=case, stage=Stage.DEMAND_LETTER, details={"sent_on": TODAY})


def test_a_payment_order_can_be_enforced_only_after_its_objection_window(users, case):
    move(users, case, Stage.DEMAND_LETTER, sent_on="2026-10-01")
    served = TODAY - timedelta(days=10)
    move(users, case, Stage.PAYMENT_ORDER, applied_on=str(served - timedelta(days=5)), court="重庆市渝中区人民法院",
         served_on=str(served))
    window = deadlines(case)[DeadlineKind.OBJECTION]
    with pytest.raises(IllegalMove, match=f"may object to the payment order until {window}"):
        move(users, case, Stage.ENFORCEMENT, applied_on=str(TODAY))
    move(users, case, Stage.ENFORCEMENT, applied_on=str(window + timedelta(days=1)))
    case.refresh_from_db()
    assert case.stage == Stage.ENFORCEMENT and DeadlineKind.OBJECTION not in deadlines(case)


def test_a_skipped_stage_is_refused_with_the_reason(users, case):
    with pytest.raises(IllegalMove, match="a judgment comes after litigation"):
        move(users, case, Stage.JUDGMENT, judgment_on="2026-11-01", served_on="2026-11-03")
    with pytest.raises(IllegalMove, match="enforceable title"):
        move(users, case, Stage.ENFORCEMENT, applied_on="2026-11-01")
    case.refresh_from_db()
    assert case.stage == Stage.OPENED and case.stages.count() == 1


def test_missing_or_bad_details_are_all_named(users, case):
    with pytest.raises(StageDetailsInvalid) as refused:
        move(users, case, Stage.LITIGATION, filed_on="yesterday", procedure="fast", colour="red")
    text = str(refused.value)
    assert "“filed_on”" in text and "needs “court”" in text and "“procedure”" in text and "“colour”" in text


def test_litigation_sets_the_appeal_window_and_the_enforcement_deadline(users, case):
    move(users, case, Stage.LITIGATION, filed_on="2026-09-01", court="重庆市渝中区人民法院", procedure="summary",
         court_case_number="(2026)渝0103民初1234号", judge="王法官")
    add_hearing(actor=users["legal_officer"], case=case, on=TODAY + timedelta(days=20), note="第一次开庭")
    move(users, case, Stage.JUDGMENT, judgment_on="2026-11-20", served_on="2026-11-23",
         performance_deadline="2026-12-10", awarded="153200.50")
    found = deadlines(case)
    assert found[DeadlineKind.APPEAL] == date(2026, 12, 8) and found[DeadlineKind.ENFORCEMENT] == date(2028, 12, 11)
    case.refresh_from_db()
    assert (case.court_case_number, case.procedure) == ("(2026)渝0103民初1234号", "summary")
    with pytest.raises(IllegalMove, match="appeal window ended on 2026-12-08"):
        move(users, case, Stage.APPEAL, filed_on="2026-12-09")


def test_a_seizure_expiry_in_the_past_is_refused_and_a_renewal_reminder_is_set(users, case):
    with pytest.raises(IllegalMove, match="application for property preservation"):
        record_seizure(actor=users["legal_officer"], case=case, kind="deposit", description="工行账户",
                       amount=Decimal("150000"), seized_on=TODAY)
    move(users, case, Stage.PRESERVATION, applied_on=str(TODAY - timedelta(days=400)), court="渝中区法院",
         before_suit=True)
    with pytest.raises(StageDetailsInvalid, match="would have expired"):
        record_seizure(actor=users["legal_officer"], case=case, kind="deposit", description="工行账户",
                       amount=Decimal("150000"), seized_on=TODAY - timedelta(days=380))
    seizure = record_seizure(actor=users["legal_officer"], case=case, kind="deposit", description="工行账户 6222…",
                             amount=Decimal("150000"), seized_on=TODAY)
    found = deadlines(case)
    assert seizure.expires_on == found[DeadlineKind.SEIZURE_EXPIRY] == TODAY.replace(year=TODAY.year + 1) - timedelta(days=1)
    assert found[DeadlineKind.SEIZURE_RENEWAL] == seizure.expires_on - timedelta(days=30)
    assert DeadlineKind.SUIT_AFTER_PRESERVATION in found


def test_a_restructuring_needs_a_second_persons_approval_before_closing(users, case):
    move(users, case, Stage.RESTRUCTURING, started_on="2026-11-01", kind="debt_to_equity")
    with pytest.raises(IllegalMove, match="approval of a second person"):
        move(users, case, Stage.CLOSED, closed_on=str(TODAY), outcome="partly", recovered="50000.00")
    users["legal_officer"].groups.add(*users["risk_manager"].groups.all())
    users["legal_officer"] = type(users["legal_officer"]).objects.get(pk=users["legal_officer"].pk)
    with pytest.raises(PermissionDenied, match="another person must approve"):
        approve_restructuring(actor=users["legal_officer"], case=case)
    approve_restructuring(actor=users["risk_manager"], case=case, note="董事会决议")
    move(users, case, Stage.CLOSED, closed_on=str(TODAY), outcome="partly", recovered="50000.00")
    case.refresh_from_db()
    assert (case.stage, case.outcome, case.recovered) == (Stage.CLOSED, "partly", Decimal("50000.00"))
    with pytest.raises(IllegalMove, match="closed"):
        move(users, case, Stage.LITIGATION, filed_on="2026-12-01", court="x", procedure="ordinary")


def test_closing_as_recovered_needs_the_whole_claim(users, case):
    with pytest.raises(IllegalMove, match="close it as partly recovered"):
        move(users, case, Stage.CLOSED, closed_on=str(TODAY), outcome="recovered", recovered="100.00")
    move(users, case, Stage.CLOSED, closed_on=str(TODAY), outcome="recovered", recovered="153200.50")
    assert LegalCase.objects.get(pk=case.pk).outcome == "recovered"


def test_a_case_document_is_kept_as_evidence_of_the_case(users, case):
    move(users, case, Stage.DEMAND_LETTER, sent_on="2026-10-01")
    document = attach_document(actor=users["legal_officer"], case=case, chunks=[b"%PDF-1.4\n%%EOF\n"],
                               filename="律师函.pdf", description=Description(title="律师函", source="letter"))
    assert document.stage_record.stage == Stage.DEMAND_LETTER
    assert list(EvidenceItem.objects.of_subject(case)) == [document.item]
    assert case.events.filter(kind="document").exists()
