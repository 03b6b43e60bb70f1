"""The demo's quarter of collection history, end to end on a small book through the real actions: calls logged,
promises taken and judged by the following cycles, disputes opened and answered. Each check is a subtest of
tests/demo/test_demo_company.py, which builds the demo once."""

from __future__ import annotations

from django.db.models import Count

from fengkong.collections.models import CollectionCase, Contact, Dispute, PromiseToPay
from fengkong.monitoring.models import Alert


def _the_collector_called_the_top_of_the_worklist_each_week(demo):
    assert demo.collections.contacts == Contact.objects.count() > 0
    assert "calls logged" in demo.summary()


def _promises_were_taken_and_the_following_cycles_judged_them(demo):
    states = dict(PromiseToPay.objects.values_list("state").annotate(n=Count("pk")))
    assert sum(states.values()) == demo.collections.promises > 0
    assert set(states) - {"pending"}, states


def _a_broken_promise_raised_an_alert_and_moved_its_case(demo):
    broken = PromiseToPay.objects.filter(state="broken").count()
    assert Alert.objects.filter(kind="promise_broken").count() == broken
    if broken:
        assert CollectionCase.objects.filter(broken_promises__gt=0).exists()


def _disputes_were_answered_after_three_weeks(demo):
    assert Dispute.objects.count() == demo.collections.disputes
    assert Dispute.objects.filter(status="resolved").count() == demo.collections.resolved


def _the_contacts_follow_hidden_patterns_and_teach_a_best_slot(demo):
    from django.contrib.auth import get_user_model

    from fengkong.collections.queries import best_contacts

    assert Contact.objects.values("channel").distinct().count() == 3  # phone, WeCom, email
    assert Contact.objects.filter(outcome="no_answer").exists()
    collector = get_user_model().objects.get(username="collector")
    cases = list(CollectionCase.objects.open().filter(owner=collector).select_related("customer")[:20])
    best = best_contacts(collector, [case.customer for case in cases])
    assert best and any(b.tried for b in best.values())


def _today_s_worklist_opens_on_the_collector_s_cases(demo):
    assert CollectionCase.objects.open().filter(owner__username="collector").exists()


CHECKS = [
    _the_collector_called_the_top_of_the_worklist_each_week,
    _promises_were_taken_and_the_following_cycles_judged_them,
    _a_broken_promise_raised_an_alert_and_moved_its_case,
    _disputes_were_answered_after_three_weeks,
    _today_s_worklist_opens_on_the_collector_s_cases,
    _the_contacts_follow_hidden_patterns_and_teach_a_best_slot,
]
