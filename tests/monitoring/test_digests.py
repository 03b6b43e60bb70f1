"""With the real outbox: the cycle gives each person one digest a day, grouped by customer, instead of one
message per alert; re-running the day, or finishing a killed run, never gives a second one."""

from __future__ import annotations

import pytest
from django.utils import translation
from tests.conftest import make_customer

from fengkong.cycle.actions import run_cycle
from fengkong.monitoring.dispatch import send_pending_messages
from fengkong.monitoring.models import Alert
from fengkong.notifications import digests
from fengkong.notifications.actions import set_alert_delivery
from fengkong.notifications.digests import DigestLine
from fengkong.notifications.models import Delivery, Digest, DigestEntry, InboxMessage
from fengkong.notifications.outbox import notify

from .conftest import day, invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(users, customer, portfolios):
    """C000101 (Chongqing: a collector, no sales) with a danger and an attention item; C000102 (Sichuan)
    in danger. Everyone has an email address."""
    for user in users.values():
        user.email = f"{user.username}@example.cn"
        user.save()
    sc = make_customer("C000102", "510100", portfolios["SC"])
    invoice(customer, "AR-D1", due=day(0))
    invoice(customer, "AR-D2", due=day(50), amount="900000.00")
    invoice(sc, "AR-D3", due=day(-30))
    return customer, sc


def digest_of(user, as_of=None) -> Digest:
    return Digest.objects.get(user=user, as_of=as_of or day(95))


def everything() -> dict:
    return {
        "digests": sorted(Digest.objects.values_list("pk", "user_id", "as_of", "message_id")),
        "entries": sorted(DigestEntry.objects.values_list("digest_id", "alert_id", "customer_id")),
        "inbox": sorted(InboxMessage.objects.values_list("pk", "user_id", "template", "title")),
        "deliveries": sorted(Delivery.objects.values_list("pk", "template", "recipient")),
    }


def test_each_person_gets_one_digest_of_the_day_grouped_by_customer(users, book):
    cq, sc = book
    run_cycle(as_of=day(95))
    legal = digest_of(users["legal_officer"])  # both danger referrals, one per customer
    with translation.override("en"):
        groups, title = digests.summary(legal)
        zones = [(g.customer.code, g.zone_label, [e.alert.kind for e in g.entries]) for g in groups]
    assert title == "2 new alerts on 2 customers"
    assert zones == [("C000101", "Danger", ["zone_danger"]), ("C000102", "Danger", ["zone_danger"])]
    assert groups[0].link == f"/customers/{cq.code}/"
    collector = digest_of(users["collector"])  # the attention notice on the Chongqing customer only
    assert list(collector.entries.values_list("customer__code", "alert__kind")) == [("C000101", "zone_attention")]
    for person in ("legal_officer", "collector", "risk_manager", "sales"):
        user = users[person]
        digest = digest_of(user)
        assert list(InboxMessage.objects.filter(user=user).values_list("pk", "template", "link")) == [
            (digest.message_id, "alert_digest", f"/inbox/digests/{digest.pk}/")]
        assert Delivery.objects.filter(recipient=user.email).values_list("template", "digest_id").get() == (
            "alert_digest", digest.pk)  # one email, not one per alert
    assert not InboxMessage.objects.filter(alert__isnull=False).exists()
    assert Delivery.objects.filter(template="overdue_reminder", recipient="wang@example.cn").count() == 1
    assert Alert.objects.count() == 3


def test_re_running_the_day_keeps_the_same_digests_and_sends_nothing_again(users, book):
    run_cycle(as_of=day(95))
    before = everything()
    run_cycle(as_of=day(95))
    run_cycle(as_of=day(95), force=True)
    assert everything() == before


def test_a_run_killed_between_chunks_of_messages_gives_one_digest_per_person(users, book, monkeypatch):
    run_cycle(as_of=day(95), send_now=False)  # the messages wait for the worker
    assert not Digest.objects.exists()
    real_add, calls = digests.add, []

    def crash(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")  # the second alert's entries roll back with its claim
        return real_add(*args, **kwargs)

    monkeypatch.setattr(digests, "add", crash)
    with pytest.raises(RuntimeError):
        send_pending_messages(chunk=1)  # the worker sends one alert's messages (one chunk), then dies
    assert not InboxMessage.objects.filter(template="alert_digest").exists()  # not written before the day is in
    monkeypatch.undo()
    send_pending_messages()
    run_cycle(as_of=day(95), force=True)
    assert Digest.objects.filter(as_of=day(95)).count() == 4
    for person in ("legal_officer", "collector", "risk_manager", "sales"):
        assert InboxMessage.objects.filter(user=users[person]).count() == 1
        assert Delivery.objects.filter(recipient=users[person].email).count() == 1
    assert DigestEntry.objects.filter(digest__user=users["legal_officer"]).count() == 2


def test_alerts_added_later_that_day_update_the_same_digest_and_mark_it_unread(users, book, portfolios):
    run_cycle(as_of=day(95))
    legal = digest_of(users["legal_officer"])
    InboxMessage.objects.mark_read(users["legal_officer"])
    third = make_customer("C000103", "500104", portfolios["CQ"])
    invoice(third, "AR-D4", due=day(-10))
    run_cycle(as_of=day(95), force=True)
    legal.refresh_from_db()
    message = InboxMessage.objects.get(user=users["legal_officer"])
    assert message.pk == legal.message_id and not message.is_read
    with translation.override("en"):
        assert digests.summary(legal)[1] == "3 new alerts on 3 customers"
    assert Delivery.objects.filter(recipient=users["legal_officer"].email).count() == 1  # mailed once


def test_escalated_alerts_are_counted_apart_in_the_managers_digest(users, book):
    run_cycle(as_of=day(95))
    run_cycle(as_of=day(99))  # three days unacknowledged: every alert escalates to the risk managers
    digest = digest_of(users["risk_manager"], day(99))
    with translation.override("en"):
        groups, title = digests.summary(digest)
    assert title == "3 escalated alerts on 2 customers"
    assert {e.escalated for g in groups for e in g.entries} == {True}


def test_a_person_who_chose_each_alert_gets_them_one_by_one(users, book):
    set_alert_delivery(actor=users["legal_officer"], alerts="each")
    run_cycle(as_of=day(95))
    assert not Digest.objects.filter(user=users["legal_officer"]).exists()
    assert InboxMessage.objects.filter(user=users["legal_officer"], template="legal_referral").count() == 2
    assert Delivery.objects.filter(recipient=users["legal_officer"].email, template="legal_referral").count() == 2
    assert Digest.objects.filter(user=users["collector"]).count() == 1  # the others keep their digest


def test_a_digest_lists_only_customers_its_person_may_see(users, book):
    cq, sc = book
    run_cycle(as_of=day(95))
    alert = Alert.objects.get(customer=sc, kind="zone_danger")
    line = DigestLine(as_of=day(95), customer_id=sc.pk, portfolio_id=sc.portfolio_id, title=alert.title)
    # the Chongqing collector is not told of a Sichuan customer, not even in a digest
    assert notify(alert=alert, audience="collector", template="collector_notice", users=[users["collector"]],
                  digest=line) == 0
    assert not DigestEntry.objects.filter(digest__user=users["collector"], customer=sc).exists()
    # a customer moved out of the collector's portfolio leaves the collector's digest page too
    cq.portfolio = sc.portfolio
    cq.save()
    groups, _title = digests.summary(digest_of(users["collector"]))
    assert groups == []
