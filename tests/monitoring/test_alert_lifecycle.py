"""Alert lifecycle: acknowledge and resolve, with who and when; collectors act on their portfolio only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from tests.conftest import make_customer

from fengkong.core.models import AuditEvent
from fengkong.cycle.actions import run_cycle
from fengkong.monitoring.actions import (
    acknowledge_alert,
    acknowledge_alerts,
    complete_action_item,
    lift_stop_supply,
    resolve_alert,
)
from fengkong.monitoring.choices import ActionStatus, AlertStatus
from fengkong.monitoring.exceptions import AlertStateError, MonitoringError
from fengkong.monitoring.models import ActionItem, Alert, CustomerSnapshot, StopSupply

from .conftest import day, invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts(users, customer, portfolios, notified):
    sichuan = make_customer("C000301", "510100", portfolios["SC"])
    invoice(customer, "AR-LIFE-CQ")
    invoice(sichuan, "AR-LIFE-SC")
    run_cycle(as_of=day(95))
    return {"CQ": Alert.objects.get(customer=customer), "SC": Alert.objects.get(customer=sichuan)}


def test_a_collector_acknowledges_an_alert_of_their_portfolio(users, alerts):
    alert = acknowledge_alert(actor=users["collector"], alert=alerts["CQ"])
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == users["collector"]
    assert alert.acknowledged_at is not None
    assert AuditEvent.objects.filter(action="alert.acknowledged", object_id=str(alert.pk)).exists()


def test_a_collector_cannot_acknowledge_an_alert_of_another_portfolio(users, alerts):
    with pytest.raises(PermissionDenied):
        acknowledge_alert(actor=users["collector"], alert=alerts["SC"])
    assert Alert.objects.get(pk=alerts["SC"].pk).status == AlertStatus.NEW


def test_a_collector_sees_only_the_alerts_and_snapshots_of_their_portfolio(users, alerts):
    assert list(Alert.objects.for_user(users["collector"])) == [alerts["CQ"]]
    assert {s.customer_id for s in CustomerSnapshot.objects.for_user(users["collector"])} == {alerts["CQ"].customer_id}
    assert Alert.objects.for_user(users["auditor"]).count() == 2
    assert Alert.objects.for_user(users["nobody"]).count() == 0


def test_auditors_cannot_acknowledge_or_resolve(users, alerts):
    with pytest.raises(PermissionDenied):
        acknowledge_alert(actor=users["auditor"], alert=alerts["CQ"])
    with pytest.raises(PermissionDenied):
        resolve_alert(actor=users["auditor"], alert=alerts["CQ"], resolution="looked fine")


def test_resolving_records_who_when_and_how_and_cannot_happen_twice(users, alerts):
    alert = resolve_alert(actor=users["risk_manager"], alert=alerts["SC"], resolution="instalment plan agreed")
    assert (alert.status, alert.resolved_by, alert.resolution) == (AlertStatus.RESOLVED, users["risk_manager"],
                                                                   "instalment plan agreed")
    with pytest.raises(AlertStateError):
        resolve_alert(actor=users["risk_manager"], alert=alert, resolution="again")
    with pytest.raises(AlertStateError):
        acknowledge_alert(actor=users["risk_manager"], alert=alert)
    with pytest.raises(MonitoringError):
        resolve_alert(actor=users["risk_manager"], alert=alerts["CQ"], resolution="  ")


def test_bulk_acknowledge_skips_alerts_the_user_cannot_see(users, alerts):
    assert acknowledge_alerts(actor=users["collector"], alerts=list(alerts.values())) == 1
    assert Alert.objects.get(pk=alerts["SC"].pk).status == AlertStatus.NEW


def test_an_acknowledged_alert_does_not_escalate(users, alerts, notified):
    acknowledge_alert(actor=users["collector"], alert=alerts["CQ"])
    run_cycle(as_of=day(99))
    escalated = Alert.objects.filter(kind="escalation")
    assert [a.details["escalated_alert"] for a in escalated] == [alerts["SC"].pk]


def test_the_legal_officer_completes_the_referral_and_a_risk_manager_lifts_stop_supply(users, alerts):
    item = ActionItem.objects.get(alert=alerts["CQ"])
    done = complete_action_item(actor=users["legal_officer"], item=item, note="case opened with 律师事务所")
    assert done.status == ActionStatus.DONE and done.done_by == users["legal_officer"]
    stop = StopSupply.objects.get(customer=alerts["CQ"].customer)
    with pytest.raises(PermissionDenied):
        lift_stop_supply(actor=users["sales"], stop=stop, reason="they promised")
    lifted = lift_stop_supply(actor=users["risk_manager"], stop=stop, reason="paid in full")
    assert not lifted.active and lifted.lifted_by == users["risk_manager"]
    assert StopSupply.objects.active().count() == 1


def test_sales_see_the_stop_supply_flags_of_their_portfolio(users, alerts):
    assert [s.customer.code for s in StopSupply.objects.for_user(users["sales"])] == ["C000301"]
