"""The audit trail is append-only, keyed and anchored, on both databases: an edit of any field, a chain
recomputed without the key, deleted last events, a forged anchor and a key rotation are all told apart."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from click.testing import CliRunner
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from fengkong.cli.commands import fengkong
from fengkong.core import anchors
from fengkong.core.audit import (
    GENESIS,
    KEYED,
    SIGNED_FIELDS,
    UNKEYED,
    Change,
    key_id,
    new_mac,
    record,
    record_many,
    seal_unkeyed_chain,
    signature,
    unkeyed_hash,
    verify,
    write_anchor,
)
from fengkong.core.models import AuditEvent
from fengkong.core.nightly import steps
from fengkong.cycle.actions import run_cycle

KEY_A = "audit-key-A-" + "a" * 40
KEY_B = "audit-key-B-" + "b" * 40


def write_some_events(n: int = 5, actor=None):
    record_many(actor, [Change("test.event", "thing", str(i), before={"v": i}, after={"v": i + 1})
                        for i in range(n)])


def tamper(sql: str, params=()) -> None:
    """Change stored events behind the application's back (as an attacker with DB access would)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # superuser: skip triggers
            cursor.execute(sql, params)
            cursor.execute("SET LOCAL session_replication_role = origin")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_delete")
            cursor.execute(sql, params)


def set_field(seq: int, name: str, value) -> None:
    """Store `value` in one field of event #seq, adapted for the database as Django would."""
    model_field = AuditEvent._meta.get_field(name.removesuffix("_id") if name == "actor_id" else name)
    stored = model_field.get_db_prep_value(value, connection, prepared=False)
    tamper(f"UPDATE core_auditevent SET {model_field.column} = %s WHERE seq = %s", [stored, seq])  # noqa: S608


def rehash_from(seq: int, sign) -> None:
    """Recompute the stored hashes from event #seq onwards with `sign(event)`, relinking each event."""
    events = list(AuditEvent.objects.order_by("seq"))
    prev = events[seq - 2].hash if seq > 1 else GENESIS
    for event in events[seq - 1:]:
        event.prev_hash = prev
        event.hash = prev = sign(event)
        tamper("UPDATE core_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s",
               [event.prev_hash, event.hash, event.seq])


def kinds(result) -> dict[int | None, set[str]]:
    found: dict[int | None, set[str]] = {}
    for problem in result.problems:
        found.setdefault(problem.seq, set()).add(problem.kind)
    return found


# --- the chain ------------------------------------------------------------------------------------------

def test_a_fresh_chain_verifies(db):
    write_some_events()
    result = verify()
    assert result.ok and result.checked == 5


def test_events_link_each_to_the_previous_one_and_name_their_key(db, settings):
    write_some_events(3)
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert {(e.scheme, e.key_id) for e in events} == {(KEYED, key_id(settings.AUDIT_KEY))}


def test_each_link_is_an_hmac_under_the_audit_key(db, settings):
    record(None, "test.event", "thing", 1, after={"a": 1})
    event = AuditEvent.objects.get()
    content = json.dumps(["fengkong.audit/2", *[event.at.isoformat(timespec="microseconds") if f == "at"
                                                else getattr(event, f) for f in SIGNED_FIELDS]],
                         sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert event.hash == hmac.new(settings.AUDIT_KEY.encode(), content.encode(), hashlib.sha256).hexdigest()
    assert event.hash != hashlib.sha256(content.encode()).hexdigest()


def test_the_signature_covers_every_stored_field_of_an_event():
    stored = {f.attname for f in AuditEvent._meta.concrete_fields}
    assert stored == {*SIGNED_FIELDS, "hash"}, "a new AuditEvent field must be signed (core.audit.SIGNED_FIELDS)"


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


def test_writing_thousands_of_events_takes_no_query_per_event(db, django_assert_max_num_queries):
    with django_assert_max_num_queries(100):  # SQLite inserts 71 rows a statement (999 parameters), PostgreSQL 2000
        write_some_events(5000)
    assert AuditEvent.objects.count() == 5000 and verify().ok


def test_audit_values_keep_chinese_decimal_and_dates(db):
    record(None, "customer.updated", "customer", "C1", before={"name": "重庆机械"},
           after={"limit": Decimal("100.50"), "since": date(2020, 1, 2)})
    event = AuditEvent.objects.get()
    assert event.after == {"limit": "100.50", "since": "2020-01-02"} and event.before["name"] == "重庆机械"
    assert verify().ok


# --- edits of each field ----------------------------------------------------------------------------

def edited_value(event: AuditEvent, name: str, other_user):
    return {
        "id": event.id + 1000, "seq": event.seq + 100, "at": event.at + timedelta(seconds=1),
        "actor_id": other_user.pk, "actor_name": "mallory", "action": "forged", "object_type": "other",
        "object_id": "999", "before": {"v": -1}, "after": {"v": 999}, "prev_hash": "f" * 64,
        "key_id": "0" * 16, "scheme": UNKEYED if event.scheme == KEYED else KEYED, "hash": "e" * 64,
    }[name]


@pytest.mark.parametrize("name", [*SIGNED_FIELDS, "hash"])
def test_an_edit_of_any_field_is_reported_with_the_event_number(db, django_user_model, name):
    actor = django_user_model.objects.create_user("alice")
    other = django_user_model.objects.create_user("bob")
    write_some_events(5, actor=actor)
    event = AuditEvent.objects.get(seq=3)
    set_field(3, name, edited_value(event, name, other))
    result = verify()
    assert not result.ok
    assert 3 in kinds(result), result.problems
    assert all(p.seq >= 3 for p in result.problems), result.problems  # the events before it still verify


@pytest.mark.parametrize("name", ["actor_id", "actor_name", "action", "object_type", "object_id", "before",
                                  "after", "at", "id"])
def test_an_edited_content_field_is_named_as_a_broken_signature(db, django_user_model, name):
    write_some_events(5, actor=django_user_model.objects.create_user("alice"))
    event = AuditEvent.objects.get(seq=3)
    set_field(3, name, edited_value(event, name, django_user_model.objects.create_user("bob")))
    action = AuditEvent.objects.get(seq=3).action  # as stored: "forged" when the action was edited
    assert [p.message for p in verify().problems] == [f"content of event #3 (action {action}) does not match "
                                                      "its signature"]


def test_who_acted_cannot_be_changed_or_removed(db, django_user_model):
    alice = django_user_model.objects.create_user("alice")
    mallory = django_user_model.objects.create_user("mallory")
    write_some_events(4, actor=alice)
    set_field(2, "actor_id", mallory.pk)
    set_field(3, "actor_id", None)
    assert kinds(verify()) == {2: {"content"}, 3: {"content"}}


def test_a_changed_hash_breaks_its_signature_and_the_next_link(db):
    write_some_events(5)
    set_field(3, "hash", "e" * 64)
    assert kinds(verify()) == {3: {"content"}, 4: {"link"}}


def test_a_deleted_event_is_detected(db):
    write_some_events(5)
    tamper("DELETE FROM core_auditevent WHERE seq = 2")
    result = verify()
    assert not result.ok and result.broken_at == 2 and "missing" in result.reason


def test_a_key_id_nobody_configured_is_reported(db):
    write_some_events(3)
    set_field(2, "key_id", "deadbeefdeadbeef")
    result = verify()
    assert kinds(result) == {2: {"unknown_key"}}
    assert "key id 'deadbeefdeadbeef'" in result.reason and "AUDIT_KEYS_RETIRED" in result.reason


# --- rewriting the chain -----------------------------------------------------------------------------

def test_an_edit_with_the_chain_recomputed_without_the_key_is_reported_as_a_rehash(db):
    write_some_events(6)
    set_field(3, "after", {"v": 999})
    rehash_from(3, lambda e: hashlib.sha256(repr([e.seq, e.after, e.prev_hash]).encode()).hexdigest())
    result = verify()
    assert [p.kind for p in result.problems] == ["rehash"]
    assert result.reason == ("events #3–#6 do not match their signatures although each links to the one before: "
                             "the chain was recomputed from #3 (action test.event) without the audit key")


def test_a_chain_recomputed_with_a_guessed_key_is_a_rehash_too(db):
    write_some_events(4)
    set_field(2, "actor_name", "mallory")
    guessed = new_mac(KEY_B.encode())
    rehash_from(2, lambda e: signature(guessed, e))
    assert kinds(verify()) == {2: {"rehash"}}


def test_recomputing_with_the_old_unkeyed_scheme_is_a_downgrade(db):
    write_some_events(4)
    set_field(3, "after", {"v": 999})
    for seq in (3, 4):
        set_field(seq, "scheme", UNKEYED)
        set_field(seq, "key_id", "")
    rehash_from(3, unkeyed_hash)
    assert kinds(verify()) == {3: {"downgrade"}, 4: {"downgrade"}}


# --- anchors ----------------------------------------------------------------------------------------

def anchor_lines() -> list[dict]:
    return [json.loads(line) for line in anchors.anchor_file().read_text().splitlines()]


def test_an_anchor_is_a_signed_line_outside_the_database_and_an_audited_event(db, settings):
    write_some_events(4)
    anchor = write_anchor()
    assert anchors.anchor_file().parent == settings.AUDIT_ANCHOR_DIR
    (line,) = anchor_lines()
    head = AuditEvent.objects.order_by("-seq").first()
    assert head.action == "audit.anchored" and (line["seq"], line["hash"]) == (head.seq, head.hash) == (5, anchor.hash)
    assert line["key_id"] == key_id(settings.AUDIT_KEY) and len(line["mac"]) == 64
    result = verify()
    assert result.ok and result.anchors == 1


@pytest.mark.parametrize("keep", [0, 3, 7])
def test_deleting_the_last_events_is_detected_through_the_anchor(db, keep):
    write_some_events(8)
    write_anchor()  # event #9
    tamper("DELETE FROM core_auditevent WHERE seq > %s", [keep])
    result = verify()
    assert [p.kind for p in result.problems] == ["truncated"]
    assert result.reason.startswith(f"the chain ends at #{keep} but the anchor written at ")
    assert result.reason.endswith(f"records event #9: events #{keep + 1}–#9 were deleted")


def test_events_after_the_last_anchor_are_only_covered_by_the_next_one(db):
    write_some_events(3)
    write_anchor()  # event #4
    write_some_events(3)
    tamper("DELETE FROM core_auditevent WHERE seq > 4")
    assert verify().ok  # the limit of anchoring: anchor often (every night, and `fengkong audit anchor`)


def test_a_chain_rewritten_up_to_an_anchor_even_with_the_key_no_longer_matches_it(db, settings):
    write_some_events(5)
    write_anchor()  # event #6
    set_field(2, "after", {"v": 999})
    mac = new_mac(settings.AUDIT_KEY.encode())
    rehash_from(2, lambda e: signature(mac, e))
    result = verify()
    assert kinds(result) == {6: {"rewritten"}}
    assert "event #6 (action audit.anchored) does not match the anchor written at" in result.reason


def test_an_edited_forged_or_unreadable_anchor_line_is_reported(db):
    write_some_events(2)
    write_anchor()
    good = anchor_lines()[0]
    with anchors.anchor_file().open("a") as out:
        out.write(json.dumps({**good, "seq": 2}) + "\n")  # edited: its signature no longer matches
        out.write(json.dumps({**good, "key_id": "feedfacefeedface"}) + "\n")  # signed by a stranger
        out.write("not json\n")
    messages = [p.message for p in verify().problems]
    assert len(messages) == 3
    assert "anchor line 2 (event #2, written " in messages[0] and "does not match its signature" in messages[0]
    assert "anchor line 3" in messages[1] and "key id feedfacefeedface" in messages[1]
    assert "anchor line 4 of " in messages[2] and "cannot be read" in messages[2]


def test_a_lost_anchor_file_is_reported_by_the_anchored_events(db):
    write_some_events(2)
    write_anchor()
    anchors.anchor_file().unlink()
    result = verify()
    assert kinds(result) == {3: {"anchor_missing"}} and "records an anchor written at" in result.reason


def test_an_anchor_that_cannot_be_written_records_no_event(db, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.AUDIT_ANCHOR_DIR = blocker  # not a directory
    write_some_events(2)
    with pytest.raises(OSError):
        write_anchor()
    assert AuditEvent.objects.count() == 2


def test_the_night_anchors_the_trail_after_its_last_step(db):
    assert steps(after_done=True)[-1].name == "core.audit_anchor"
    run = run_cycle(as_of=date(2026, 11, 28))
    head = AuditEvent.objects.order_by("-seq").first()
    assert head.action == "audit.anchored" and run.counts["core.audit_anchor"] == {"anchored_seq": head.seq}
    assert anchor_lines()[-1]["seq"] == head.seq and verify().ok


# --- key rotation -----------------------------------------------------------------------------------

def test_events_and_anchors_signed_before_and_after_a_rotation_verify(db, settings):
    settings.AUDIT_KEY, settings.AUDIT_KEYS_RETIRED = KEY_A, []
    write_some_events(3)
    write_anchor()  # #4, under A
    settings.AUDIT_KEY, settings.AUDIT_KEYS_RETIRED = KEY_B, [KEY_A]
    write_some_events(3)
    write_anchor()  # #8, under B
    assert list(AuditEvent.objects.order_by("seq").values_list("key_id", flat=True)) == \
        [key_id(KEY_A)] * 4 + [key_id(KEY_B)] * 4
    assert [line["key_id"] for line in anchor_lines()] == [key_id(KEY_A), key_id(KEY_B)]
    result = verify()
    assert result.ok and result.checked == 8 and result.anchors == 2


def test_a_retired_key_left_out_of_the_settings_is_reported_for_each_event_it_signed(db, settings):
    settings.AUDIT_KEY, settings.AUDIT_KEYS_RETIRED = KEY_A, []
    write_some_events(2)
    write_anchor()
    settings.AUDIT_KEY = KEY_B  # rotated, but A not kept in AUDIT_KEYS_RETIRED
    write_some_events(1)
    result = verify()
    assert kinds(result) == {None: {"anchor"}, 1: {"unknown_key"}, 2: {"unknown_key"}, 3: {"unknown_key"}}
    assert f"signed with key id '{key_id(KEY_A)}'" in result.problems[1].message


# --- events written before the chain was keyed ------------------------------------------------------------

def write_unkeyed_events(n: int) -> None:
    """Events as the trail stored them before migration core 0003: scheme 1, plain SHA-256, no key id."""
    prev, events, at = GENESIS, [], timezone.now()
    for seq in range(1, n + 1):
        event = AuditEvent(id=seq, seq=seq, at=at, actor_name="system", action="old.event", object_type="thing",
                           object_id=str(seq), after={"v": seq}, prev_hash=prev, key_id="", scheme=UNKEYED)
        event.hash = prev = unkeyed_hash(event)
        events.append(event)
    AuditEvent.objects.bulk_create(events)


def test_unkeyed_events_are_sealed_by_a_keyed_one_and_verified_as_they_were_written(db):
    write_unkeyed_events(4)
    seal_unkeyed_chain(AuditEvent)
    seal_unkeyed_chain(AuditEvent)  # once only
    write_some_events(2)
    seal = AuditEvent.objects.get(seq=5)
    assert seal.action == "audit.chain_sealed" and seal.scheme == KEYED and seal.after["unkeyed_events"] == 4
    assert AuditEvent.objects.filter(scheme=UNKEYED).count() == 4 and verify().ok


def test_an_unkeyed_event_edited_before_the_upgrade_is_still_reported(db):
    write_unkeyed_events(4)
    set_field(2, "after", {"v": 999})
    seal_unkeyed_chain(AuditEvent)
    assert [p.message for p in verify().problems] == ["content of event #2 (action old.event) does not match its hash"]


def test_rewriting_the_unkeyed_events_after_the_seal_breaks_the_keyed_link(db):
    write_unkeyed_events(4)
    seal_unkeyed_chain(AuditEvent)
    set_field(2, "after", {"v": 999})
    events = list(AuditEvent.objects.filter(scheme=UNKEYED).order_by("seq"))
    prev = events[0].hash
    for event in events[1:]:
        event.prev_hash = prev
        event.hash = prev = unkeyed_hash(event)
        tamper("UPDATE core_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s",
               [event.prev_hash, event.hash, event.seq])
    assert kinds(verify()) == {5: {"link"}}


# --- the command --------------------------------------------------------------------------------------

def run(*args: str):
    return CliRunner().invoke(fengkong, ["audit", *args])


def test_the_command_anchors_and_verifies_and_exits_1_listing_each_problem(db):
    write_some_events(5)
    anchored = run("anchor")
    assert anchored.exit_code == 0 and "Anchored event #6" in anchored.output
    assert AuditEvent.objects.get(seq=6).actor_name.startswith("cli:")
    intact = run("verify")
    assert intact.exit_code == 0 and "Audit trail intact: 6 events verified, 1 anchors matched." in intact.output
    set_field(2, "object_id", "forged")
    tamper("DELETE FROM core_auditevent WHERE seq > 4")
    broken = run("verify")
    output = " ".join(broken.output.split())
    assert broken.exit_code == 1
    assert "content of event #2 (action test.event) does not match its signature" in output
    assert "the chain ends at #4 but the anchor written at" in output and "events #5–#6 were deleted" in output
    assert "Audit trail NOT intact: 2 problems in 4 events and 0 anchors." in output

