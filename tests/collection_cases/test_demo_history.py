"""The demo's quarter of collection history, end to end on a small book through the real actions: calls logged,
promises taken and judged by the following cycles, disputes opened and answered."""

from __future__ import annotations

import pytest
from django.db.models import Count

from fengkong.collections.models import CollectionCase, Contact, Dispute, PromiseToPay
from fengkong.monitoring.models import Alert

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_collector_s_quarter(settings, tmp_path, flushable_audit_trail, subtests):
    from fengkong.demo.load import load_demo

    settings.DATA_DIR = tmp_path
    demo = load_demo(customers=60, years=2, seed=5)
    worked = demo.collections
    with subtests.test(msg="the collector called the top of the worklist each week"):
        assert worked.contacts == Contact.objects.count() > 0
        assert "calls logged" in demo.summary()
    with subtests.test(msg="promises were taken and the following cycles judged them"):
        states = dict(PromiseToPay.objects.values_list("state").annotate(n=Count("pk")))
        assert sum(states.values()) == worked.promises > 0
        assert set(states) - {"pending"}, states
    with subtests.test(msg="a broken promise raised an alert and moved its case"):
        broken = PromiseToPay.objects.filter(state="broken").count()
        assert Alert.objects.filter(kind="promise_broken").count() == broken
        if broken:
            assert CollectionCase.objects.filter(broken_promises__gt=0).exists()
    with subtests.test(msg="disputes were answered after three weeks"):
        assert Dispute.objects.count() == worked.disputes
        assert Dispute.objects.filter(status="resolved").count() == worked.resolved
    with subtests.test(msg="today's worklist opens on the collector's cases"):
        assert CollectionCase.objects.open().filter(owner__username="collector").exists()
