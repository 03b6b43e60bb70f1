"""store.claim: a limited claim takes at most `limit` alerts, the oldest first, and a second claim the next ones
(on PostgreSQL a LIMIT … FOR UPDATE SKIP LOCKED subquery in an UPDATE's WHERE may run once per row, and then
claims every row: the ids are picked once, before the update)."""

from __future__ import annotations

from datetime import date

import pytest

from fengkong.monitoring import store
from fengkong.monitoring.models import Alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(customer):
    return [Alert.objects.create(dedup_key=f"k{n}", kind="zone_attention", level=1, customer=customer, as_of=date(2026, 11, 28),
                                 title=f"alert {n}", dispatched_at="2026-11-28T01:00:00Z").pk for n in range(5)]


def test_a_limited_claim_takes_at_most_its_limit_oldest_first(pending):
    assert store.claim("notified_at", "dispatched_at IS NOT NULL", limit=2) == pending[:2]
    assert store.claim("notified_at", "dispatched_at IS NOT NULL", limit=2) == pending[2:4]
    assert store.claim("notified_at", "dispatched_at IS NOT NULL", limit=2) == pending[4:]
    assert store.claim("notified_at", "dispatched_at IS NOT NULL", limit=2) == []
    assert not Alert.objects.filter(notified_at__isnull=True).exists()


def test_an_unlimited_claim_takes_every_pending_alert_once(pending):
    assert store.claim("notified_at", "dispatched_at IS NOT NULL") == pending
    assert store.claim("notified_at", "dispatched_at IS NOT NULL") == []
