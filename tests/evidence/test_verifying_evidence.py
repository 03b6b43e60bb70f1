"""`fengkong evidence verify` finds every kind of tampering and names it: a file changed or removed on disk,
an item row or ledger entry edited in the database, the ledger's order changed or entries deleted, and an
anchor signed with another key."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fengkong.cli.commands import fengkong
from fengkong.evidence.actions import Description, anchor_ledger, store_evidence
from fengkong.evidence.choices import ProblemKind
from fengkong.evidence.ledger import anchor_message, entry_hash, file_name, public_hex, verify
from fengkong.evidence.models import EvidenceAnchor, EvidenceItem, LedgerEntry

from .conftest import PDF, PNG

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(users, customers):
    """Three items (two sharing a file) and an anchor over them."""
    actor = users["legal_officer"]
    items = [store_evidence(actor=actor, chunks=[data], filename=name, customer=customers["CQ"],
                            description=Description(title=title, source="letter"))
             for data, name, title in [(PDF, "a.pdf", "律师函"), (PNG, "site.png", "现场照片"),
                                       (PDF, "b.pdf", "律师函副本")]]
    anchor_ledger(actor=actor)
    return items


def kinds(result) -> list[str]:
    return [p.kind for p in result.problems]


def test_an_untouched_store_verifies(stored):
    result = verify()
    assert result.ok, result.problems
    assert (result.entries, result.files, result.anchors) == (3, 2, 1)


def test_a_file_changed_on_disk_is_named(stored, evidence_store):
    path = evidence_store / file_name(stored[1].file.sha256)
    os.chmod(path, 0o600)
    path.write_bytes(PNG + b"edited")
    result = verify()
    assert kinds(result) == [ProblemKind.FILE_CHANGED]
    assert f"evidence item #{stored[1].pk} “现场照片”" in result.problems[0].message
    assert "changed on disk" in result.problems[0].message


def test_a_file_removed_from_the_store_is_named(stored, evidence_store):
    (evidence_store / file_name(stored[0].file.sha256)).unlink()
    result = verify()
    assert kinds(result) == [ProblemKind.FILE_MISSING, ProblemKind.FILE_MISSING]  # both items of that file


def test_an_item_row_edited_in_the_database_is_named_with_its_fields(stored):
    EvidenceItem.objects.filter(pk=stored[0].pk).update(title="伪造", shows="something else")
    result = verify()
    assert kinds(result) == [ProblemKind.ITEM_EDITED]
    assert "shows, title changed" in result.problems[0].message


def test_a_ledger_entry_edited_and_rehashed_without_the_key_is_caught_by_the_anchor(stored):
    entry = LedgerEntry.objects.get(seq=2)
    LedgerEntry.objects.filter(pk=entry.pk).update(content={**entry.content, "title": "x"})
    assert ProblemKind.ENTRY_EDITED in kinds(verify())


def test_the_order_changed_is_named(stored):
    one, two = LedgerEntry.objects.get(seq=1), LedgerEntry.objects.get(seq=2)
    LedgerEntry.objects.filter(pk=one.pk).update(seq=-1)
    LedgerEntry.objects.filter(pk=two.pk).update(seq=1)
    LedgerEntry.objects.filter(pk=one.pk).update(seq=2)
    result = verify()
    assert ProblemKind.ORDER in kinds(result)
    assert "order was changed" in " ".join(p.message for p in result.problems)


def test_deleted_entries_are_found_by_the_anchor(stored):
    LedgerEntry.objects.filter(seq=3).delete()  # the queryset's delete, as a database writer would
    result = verify()
    assert ProblemKind.TRUNCATED in kinds(result) and ProblemKind.UNLEDGERED in kinds(result)


def test_an_anchor_signed_with_the_wrong_key_is_named(stored):
    wrong = Ed25519PrivateKey.generate()
    head = LedgerEntry.objects.get(seq=3)
    anchor = EvidenceAnchor.objects.get()
    message = anchor_message(3, head.hash, anchor.signed_at.isoformat(timespec="seconds"))
    EvidenceAnchor.objects.create(seq=3, hash=head.hash, signed_at=anchor.signed_at,
                                  public_key=public_hex(wrong.public_key()), signature=wrong.sign(message).hex())
    result = verify()
    assert kinds(result) == [ProblemKind.WRONG_KEY]
    assert "not EVIDENCE_SIGNING_KEY's" in result.problems[0].message


def test_an_edited_anchor_is_named(stored):
    EvidenceAnchor.objects.update(seq=2)
    assert kinds(verify()) == [ProblemKind.BAD_SIGNATURE]


def test_a_rewritten_chain_no_longer_matches_its_anchor(stored):
    """Whoever edits an entry and recomputes every hash after it still does not have the signing key."""
    prev = "0" * 64
    for entry in LedgerEntry.objects.order_by("seq"):
        entry.prev_hash = prev
        if entry.seq == 2:
            entry.content = {**entry.content, "shows": "forged"}
        entry.hash = prev = entry_hash(entry)
        LedgerEntry.objects.filter(pk=entry.pk).update(prev_hash=entry.prev_hash, content=entry.content, hash=entry.hash)
    result = verify()
    assert ProblemKind.REWRITTEN in kinds(result) and ProblemKind.ITEM_EDITED in kinds(result)


def test_the_command_names_the_problem_and_fails(stored, evidence_store):
    runner = CliRunner()
    assert runner.invoke(fengkong, ["--lang", "en", "evidence", "verify"]).exit_code == 0
    path = evidence_store / file_name(stored[1].file.sha256)
    os.chmod(path, 0o600)
    path.write_bytes(b"tampered")
    run = runner.invoke(fengkong, ["--lang", "en", "evidence", "verify"])
    assert run.exit_code == 1 and "changed on disk" in run.output and "NOT intact" in run.output
