"""The evidence API and the night's anchor: scoped like the ledger they show, and an anchor only when the head
moved."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from fengkong.evidence.actions import Description, keep
from fengkong.evidence.ledger import file_name
from fengkong.evidence.models import EvidenceAnchor
from fengkong.evidence.tasks import anchor_evidence_ledger

from .conftest import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(customers):
    return {code: keep(actor=None, chunks=[PDF + code.encode()], filename=f"{code}.pdf", customer=customer,
                       description=Description(title=f"函 {code}", source="letter"))
            for code, customer in customers.items()}


def test_a_collector_lists_and_reads_only_the_evidence_of_the_portfolio(items, sign_in):
    client = sign_in("collector")
    listed = client.get("/api/v1/evidence/items").json()
    assert [i["customer"] for i in listed["items"]] == ["C000001"] and listed["count"] == 1
    assert client.get(f"/api/v1/evidence/items/{items['CQ'].pk}").json()["sha256"] == items["CQ"].file.sha256
    assert client.get(f"/api/v1/evidence/items/{items['SC'].pk}").status_code == 404
    assert client.get(f"/evidence/{items['SC'].pk}/download/").status_code == 404
    download = client.get(f"/evidence/{items['CQ'].pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF + b"CQ"


def test_the_api_check_names_the_problem(items, sign_in, evidence_store):
    assert sign_in("auditor").get("/api/v1/evidence/verify").json()["ok"] is True
    path = evidence_store / file_name(items["SC"].file.sha256)
    path.chmod(0o600)
    path.write_bytes(b"x")
    answer = sign_in("auditor").get("/api/v1/evidence/verify").json()
    assert answer["ok"] is False and answer["problems"][0]["kind"] == "file_changed"
    assert sign_in("collector").get("/api/v1/evidence/verify").status_code == 403


def test_the_night_anchors_the_head_once(items, settings):
    night = SimpleNamespace(actor=None)  # the step reads only who runs it (core.nightly.Night)
    assert anchor_evidence_ledger(night)["evidence_anchored_seq"] == 2
    assert anchor_evidence_ledger(night)["evidence_anchored_seq"] == 2 and EvidenceAnchor.objects.count() == 1
    keep(actor=None, chunks=[PDF + b"3"], filename="3.pdf", customer=items["CQ"].customer,
         description=Description(title="第三份"))
    settings.EVIDENCE_SIGNING_KEY = ""
    assert "EVIDENCE_SIGNING_KEY is not set" in anchor_evidence_ledger(night)["evidence_anchor_skipped"]
