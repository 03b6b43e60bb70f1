"""The audit trail is append-only and tamper-evident, on both databases."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from fengkong.core.audit import Change, record, record_many, verify
from fengkong.core.models import AuditEvent


def write_some_events(n: int = 5):
    record_many(None, [Change("test.event", "thing", str(i), before={"v": i}, after={"v": i + 1})
                       for i in range(n)])


def tamper(sql: str, params) -> None:
    """Change a stored event behind the application's back (as an attacker with DB access would)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # superuser: skip triggers
            cursor.execute(sql, params)
            cursor.execute("SET LOCAL session_replication_role = origin")
        else:
            cursor.execute("DROP TRIGGER audit_no_update")
            cursor.execute("DROP TRIGGER audit_no_delete")
            cursor.execute(sql, params)


def test_a_fresh_chain_verifies(db):
    write_some_events()
    result = verify()
    assert result.ok and result.checked == 5


def test_events_link_each_to_the_previous_one(db):
    write_some_events(3)
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash


def test_the_model_refuses_to_change_or_delete_an_event(db):
    event = record(None, "test.event", "thing", 1, after={"a": 1})
    event.action = "forged"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_the_database_refuses_update_and_delete(db):
    record(None, "test.event", "thing", 1, after={"a": 1})
    for sql in ("UPDATE core_auditevent SET action = 'forged'", "DELETE FROM core_auditevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.get().action == "test.event"


def test_a_changed_event_is_detected_with_its_number(db):
    write_some_events(5)
    tamper("UPDATE core_auditevent SET after = %s WHERE seq = 3", ['{"v": 999}'])
    result = verify()
    assert not result.ok and result.broken_at == 3 and "changed" in result.reason


def test_a_deleted_event_is_detected(db):
    write_some_events(5)
    tamper("DELETE FROM core_auditevent WHERE seq = 2", [])
    result = verify()
    assert not result.ok and result.broken_at == 2 and "missing" in result.reason


def test_audit_values_keep_chinese_decimal_and_dates(db):
    from datetime import date
    from decimal import Decimal

    record(None, "customer.updated", "customer", "C1", before={"name": "重庆机械"},
           after={"limit": Decimal("100.50"), "since": date(2020, 1, 2)})
    event = AuditEvent.objects.get()
    assert event.after == {"limit": "100.50", "since": "2020-01-02"} and event.before["name"] == "重庆机械"
    assert verify().ok
