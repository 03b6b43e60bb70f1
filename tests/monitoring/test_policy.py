"""The monitoring policy: the article's defaults, versions, and bad configs refused with clear messages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from fengkong.core.models import AuditEvent
from fengkong.cycle.actions import run_cycle
from fengkong.cycle.models import CycleRun
from fengkong.monitoring import policy
from fengkong.monitoring.actions import publish_policy
from fengkong.monitoring.exceptions import PolicyInvalid
from fengkong.monitoring.models import Alert, MonitoringDay, MonitoringPolicy

from .conftest import day, invoice


def problems(config) -> list[str]:
    with pytest.raises(PolicyInvalid) as caught:
        policy.parse(config)
    return caught.value.problems


def test_the_defaults_are_the_articles():
    p = policy.parse(None)
    assert (p.attention_days, p.warning_days, p.danger_days) == (30, 60, 90)
    assert p.report_edges == (0, 30, 60, 90, 180, 365)
    assert p.rule("zone_attention").actions == ("customer_reminder", "collector_notice")
    assert p.rule("zone_warning").actions == ("phone_call", "reminder_letter")
    assert p.rule("zone_danger").actions == ("legal_referral", "stop_supply")
    assert (p.utilisation_attention_percent, p.utilisation_exceeded_percent) == (90, 100)


def test_zones_that_do_not_increase_are_refused():
    assert problems({"zones": {"attention": 60, "warning": 30}}) == [
        "zone days must increase: attention < warning < danger (got 60, 30, 90)"]


def test_every_problem_is_reported_not_only_the_first():
    found = problems({"zonez": 1, "report_edges": [0, 30], "materiality_cny": "1.234", "escalation_days": 0,
                      "rules": {"zone_danger": {"enabled": "yes", "actions": ["sue_everybody"]}, "frobnicate": {}},
                      "utilisation": {"attention_percent": 100, "exceeded_percent": 90}})
    assert "unknown setting 'zonez'" in found
    assert any(p.startswith("report_edges must be a list of 6 whole numbers") for p in found)
    assert "materiality_cny has more than two decimals: 1.234" in found
    assert "escalation_days must be between 1 and 365, not 0" in found
    assert "rules.zone_danger.enabled must be true or false, not 'yes'" in found
    assert any(p.startswith("rules.zone_danger.actions: unknown action(s) sue_everybody") for p in found)
    assert any(p.startswith("unknown rule 'frobnicate'") for p in found)
    assert "utilisation.attention_percent must be below utilisation.exceeded_percent" in found


def test_money_and_edges_are_checked():
    assert problems({"large_overdue_cny": "0"}) == ["large_overdue_cny must be more than 0, not 0"]
    assert problems({"materiality_cny": "abc"}) == ['materiality_cny must be an amount in yuan such as "100.00", not \'abc\'']
    assert problems({"report_edges": [5, 30, 60, 90, 180, 365]}) == [
        "report_edges must start at 0 (the first bucket holds what is not yet overdue)"]
    assert problems("not an object") == ["the policy must be a JSON object of settings"]


@pytest.mark.django_db
def test_publishing_creates_the_next_version_audited_and_immutable(users):
    first = publish_policy(actor=users["risk_manager"], config={"zones": {"danger": 120}}, note="tighter later")
    second = publish_policy(actor=users["admin"], config={}, note="back to defaults")
    assert (first.version, second.version) == (1, 2)
    assert MonitoringPolicy.current() == second and first.parsed().danger_days == 120
    assert AuditEvent.objects.filter(action="monitoring_policy.published").count() == 2
    first.note = "edited"
    with pytest.raises(ValueError, match="immutable"):
        first.save()


@pytest.mark.django_db
def test_a_bad_config_is_not_published_and_auditors_cannot_publish(users):
    with pytest.raises(PolicyInvalid, match="zone days must increase"):
        publish_policy(actor=users["risk_manager"], config={"zones": {"attention": 90}})
    with pytest.raises(PermissionDenied):
        publish_policy(actor=users["auditor"], config={})
    assert not MonitoringPolicy.objects.exists()


@pytest.mark.django_db
def test_the_cycle_uses_the_current_policy_and_records_its_version(users, customer, notified):
    publish_policy(actor=users["risk_manager"], config={"zones": {"attention": 10, "warning": 20, "danger": 40}})
    invoice(customer, "AR-POLICY-1")
    run_cycle(as_of=day(25))
    monitored = MonitoringDay.objects.get(as_of=day(25))
    assert monitored.policy_version == 1 and monitored.edges == [0, 30, 60, 90, 180, 365]
    alert = Alert.objects.get()
    assert (alert.kind, alert.policy_version) == ("zone_warning", 1)
    assert CycleRun.objects.get().counts["alerts_raised"] == 1


@pytest.mark.django_db
def test_a_disabled_rule_raises_nothing(users, customer, notified):
    publish_policy(actor=users["risk_manager"], config={"rules": {"zone_attention": {"enabled": False}}})
    invoice(customer, "AR-POLICY-2")
    run_cycle(as_of=day(35))
    assert not Alert.objects.exists() and not notified.calls
