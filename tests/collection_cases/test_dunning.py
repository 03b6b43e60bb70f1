"""Dunning that is current: one letter per customer and level, listing today's overdue and undisputed items, as
DOCX and PDF, kept as evidence, sent by email or post with its tracking; a pause needs a reason and an end date."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import translation
from docx import Document

from fengkong.collections import dunning
from fengkong.collections.exceptions import DunningRefused
from fengkong.collections.models import DunningLetter, DunningPause, PromiseToPay
from fengkong.core.models import AuditEvent
from fengkong.customers.models import Contact
from fengkong.evidence.models import EvidenceItem
from fengkong.monitoring.dispatch import dunning_held

from .conftest import day, pay

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def english():
    """Refusals are asserted in English; the zh-hans catalogue translates them."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def evidence_store(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "ev")}}}
    from django.core.files.storage import storages

    storages._storages.pop("evidence", None)
    yield
    storages._storages.pop("evidence", None)


@pytest.fixture
def contact(cq):
    return Contact.objects.create(customer=cq, name="王会计", email="Finance@LiangJiang.example", is_primary=True,
                                  address="重庆市渝北区两江大道1号")


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def write(user, customer, **options):
    args = {"level": "first", "language": "zh-hans", "channel": "download", **options}
    return dunning.write_letter(actor=user, customer=customer, **args)


def test_a_letter_lists_todays_overdue_undisputed_amounts_and_is_kept_as_evidence(ledger, users, cq, clock):
    pay(ledger["a1"], "2500.00", day(35))
    letter, files = write(users["collector"], cq)
    text = docx_text(files[next(n for n in files if n.endswith(".docx"))])
    assert "付 款 提 醒 函" in text and "CL-A1" in text and "7,500.00 CNY" in text and "CL-A3" not in text
    assert "11,500.00 CNY" in text  # 7,500 + 4,000, as of today, not what it was
    pdf = files[next(n for n in files if n.endswith(".pdf"))]
    assert pdf.startswith(b"%PDF")
    assert letter.totals == {"CNY": "11500.00"} and [i["number"] for i in letter.items] == ["CL-A1", "CL-A2"]
    kept = EvidenceItem.objects.filter(pk__in=[letter.docx_id, letter.pdf_id])
    assert kept.count() == 2 and {k.source for k in kept} == {"letter"}
    assert AuditEvent.objects.filter(action="dunning_letter.written").count() == 1
    clock.today = day(41)  # a day later, paid more: the next letter says so
    pay(ledger["a2"], "4000.00", day(41))
    later, files = write(users["collector"], cq, level="second", language="en")
    assert later.totals == {"CNY": "7500.00"}
    assert "PAYMENT REMINDER" in docx_text(files[next(n for n in files if n.endswith(".docx"))])


def test_disputed_money_is_left_out_of_the_letter(ledger, users, cq):
    dunning_items = dunning.dunning_items(cq, day(40))
    assert [i["open_amount"] for i in dunning_items] == [Decimal("10000.00"), Decimal("4000.00")]
    from fengkong.collections.actions import DisputedInvoice, open_dispute

    open_dispute(actor=users["collector"], customer=cq, reason="price", team="sales", owner=users["sales"],
                 items=[DisputedInvoice(ledger["a1"], Decimal("6000.00"))], description="")
    open_dispute(actor=users["collector"], customer=cq, reason="quality", team="sales", owner=users["sales"],
                 items=[DisputedInvoice(ledger["a2"], None)], description="")
    letter, _files = write(users["collector"], cq)
    assert letter.items == [{"number": "CL-A1", "due_date": "2026-06-01", "days_overdue": 40,
                             "open_amount": "4000.00", "currency": "CNY"}]


def test_an_email_letter_is_sent_with_both_files_and_logged(ledger, users, cq, contact, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        letter, _files = write(users["collector"], cq, channel="email")
    letter.refresh_from_db()
    assert letter.status == "sent" and letter.sent_at and letter.recipient == "finance@liangjiang.example"
    [message] = mail.outbox
    assert message.to == ["finance@liangjiang.example"] and "付款提醒函" in message.subject
    assert sorted(a[0].rsplit(".", 1)[-1] for a in message.attachments) == ["docx", "pdf"]
    assert dunning.suggested_level(cq) == "second"
    assert AuditEvent.objects.filter(action="dunning_letter.sent").count() == 1


def test_a_refused_email_is_recorded_as_failed(ledger, users, cq, contact, settings,
                                               django_capture_on_commit_callbacks, monkeypatch):
    from fengkong.notifications.exceptions import DeliveryError

    def refuse(*args, **kwargs):
        raise DeliveryError("SMTP: connection refused")

    monkeypatch.setattr("fengkong.collections.dunning.send_email", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        letter, _files = write(users["collector"], cq, channel="email")
    letter.refresh_from_db()
    assert (letter.status, letter.last_error) == ("failed", "SMTP: connection refused")
    assert letter.pdf_id  # the letter is kept all the same
    assert dunning.suggested_level(cq) == "first"  # nothing was sent


def test_a_posted_letter_needs_an_ems_number_and_its_delivery_is_recorded(ledger, users, cq, clock):
    with pytest.raises(DunningRefused, match="not an EMS number"):
        write(users["collector"], cq, channel="post", ems_number="12345")
    assert not DunningLetter.objects.exists() and not EvidenceItem.objects.exists()
    letter, _files = write(users["collector"], cq, channel="post", ems_number="ea 123456789 cn")
    assert (letter.status, letter.ems_number) == ("sent", "EA123456789CN")
    with pytest.raises(DunningRefused, match="between the day it was sent"):
        dunning.mark_delivered(actor=users["collector"], letter=letter, on=day(39))
    with pytest.raises(DunningRefused, match="between the day it was sent"):
        dunning.mark_delivered(actor=users["collector"], letter=letter, on=day(41))
    delivered = dunning.mark_delivered(actor=users["collector"], letter=letter, on=day(40))
    assert (delivered.status, delivered.delivered_on) == ("delivered", day(40))
    with pytest.raises(DunningRefused, match="Only a sent letter"):
        dunning.mark_delivered(actor=users["collector"], letter=letter, on=day(40))


@pytest.mark.parametrize("options, message", [
    ({"level": "third"}, "level must be one of"),
    ({"language": "fr"}, "language must be one of"),
    ({"channel": "fax"}, "channel must be one of"),
    ({"channel": "email"}, "has no email address"),
    ({"channel": "email", "recipient": "not-an-address"}, "is not an email address"),
])
def test_bad_letter_requests_are_refused_with_the_reason(ledger, users, cq, options, message):
    with pytest.raises(DunningRefused, match=message):
        write(users["collector"], cq, **options)
    assert not DunningLetter.objects.exists()


def test_nothing_overdue_means_no_letter(users, cq, clock):
    with pytest.raises(DunningRefused, match="nothing overdue and undisputed"):
        write(users["collector"], cq)


def test_a_final_demand_is_a_managers_and_roles_and_portfolios_are_checked(ledger, users, cq, sc):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        write(users["collector"], cq, level="final")
    letter, files = write(users["risk_manager"], cq, level="final")
    assert "律 师 函" in docx_text(files[next(n for n in files if n.endswith(".docx"))])
    for persona, customer in (("collector", sc), ("sales", cq), ("auditor", cq)):
        with pytest.raises(PermissionDenied):
            write(users[persona], customer)


def test_a_pause_needs_a_reason_and_an_end_date_and_holds_letters_and_reminders(ledger, users, cq, contact, clock):
    collector = users["collector"]
    for reason, until, message in (("", day(50), "Say why"), ("reconciling", None, "end date"),
                                   ("reconciling", day(39), "in the past"),
                                   ("reconciling", day(40 + 181), "at most 180 days")):
        with pytest.raises(DunningRefused, match=message):
            dunning.pause_dunning(actor=collector, customer=cq, reason=reason, until=until)
    assert not DunningPause.objects.exists()
    pause = dunning.pause_dunning(actor=collector, customer=cq, reason="the CFO asked to reconcile first",
                                  until=day(50))
    assert dunning_held([cq.pk]) == {cq.pk}  # monitoring's automatic reminders wait too
    with pytest.raises(DunningRefused, match="paused until 2026-07-21"):
        write(collector, cq, channel="email")
    write(collector, cq)  # reading the letter is still possible
    with pytest.raises(DunningRefused, match="already paused"):
        dunning.pause_dunning(actor=collector, customer=cq, reason="again", until=day(45))
    dunning.end_pause(actor=collector, pause=pause)
    assert dunning_held([cq.pk]) == set()
    clock.today = day(41)
    write(collector, cq, channel="email")
    with pytest.raises(DunningRefused, match="already ended"):
        dunning.end_pause(actor=collector, pause=pause)


def test_a_pending_promise_holds_the_letters(ledger, users, cq, contact):
    from fengkong.collections.actions import record_promise

    record_promise(actor=users["collector"], customer=cq, amount=Decimal("1000.00"), due_date=day(45))
    assert PromiseToPay.objects.pending().count() == 1
    with pytest.raises(DunningRefused, match="promise to pay"):
        write(users["collector"], cq, channel="email")


# --- the page ----------------------------------------------------------------------------------------

def test_the_dunning_page_shows_todays_figures_and_sends_a_letter(ledger, sign_in, cq, contact,
                                                                  django_capture_on_commit_callbacks):
    client = sign_in("collector")
    page = client.get(f"/collections/customers/{cq.code}/dunning/", **EN)
    text = page.content.decode()
    assert page.status_code == 200 and "CL-A1" in text and "14000.00 CNY" in text
    assert 'value="first" checked' in text or 'value="first"\n' in text or 'checked' in text
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/collections/customers/{cq.code}/dunning/send/",
                             {"level": "first", "language": "zh-hans", "channel": "email",
                              "recipient": "finance@liangjiang.example"})
    assert answer.status_code == 302
    assert DunningLetter.objects.get().status == "sent" and len(mail.outbox) == 1
    download = client.post(f"/collections/customers/{cq.code}/dunning/download/",
                           {"level": "second", "language": "en", "format": "docx"})
    assert download.status_code == 200 and download["Content-Disposition"].endswith('.docx"')
    assert DunningLetter.objects.count() == 2
    log = client.get(f"/collections/customers/{cq.code}/dunning/", **EN).content.decode()
    assert "Downloaded" in log and "finance@liangjiang.example" in log


def test_the_page_refuses_bad_input_with_the_reason(ledger, sign_in, cq):
    client = sign_in("collector")
    answer = client.post(f"/collections/customers/{cq.code}/dunning/send/",
                         {"level": "first", "language": "en", "channel": "post", "ems_number": "nope"}, **EN)
    assert answer.status_code == 400 and "is not an EMS number" in answer.content.decode()
    answer = client.post(f"/collections/customers/{cq.code}/dunning/pause/", {"reason": "asked", "until": ""}, **EN)
    assert answer.status_code == 400 and not DunningPause.objects.exists()
    answer = client.post(f"/collections/customers/{cq.code}/dunning/send/", {"level": "final", "language": "en",
                                                                             "channel": "post",
                                                                             "ems_number": "1012345678901"})
    assert answer.status_code == 403 and not DunningLetter.objects.exists()


def test_another_portfolios_customer_is_not_found(ledger, sign_in, sc):
    client = sign_in("collector")
    assert client.get(f"/collections/customers/{sc.code}/dunning/").status_code == 404
    assert client.post(f"/collections/customers/{sc.code}/dunning/download/",
                       {"level": "first", "language": "en"}).status_code == 404
    assert not DunningLetter.objects.exists()


def test_pause_and_resume_from_the_page(ledger, sign_in, cq):
    client = sign_in("collector")
    answer = client.post(f"/collections/customers/{cq.code}/dunning/pause/",
                         {"reason": "waiting for the reconciliation", "until": str(day(40) + timedelta(days=7))})
    assert answer.status_code == 302
    pause = DunningPause.objects.get()
    page = client.get(f"/collections/customers/{cq.code}/dunning/", **EN).content.decode()
    assert "Paused until 2026-07-18" in page and "waiting for the reconciliation" in page
    assert client.post(f"/collections/dunning/pauses/{pause.pk}/end/").status_code == 302
    pause.refresh_from_db()
    assert pause.ended_at is not None


# --- the API -----------------------------------------------------------------------------------------

def api_post(client, path, body):
    return client.post(f"/api/v1/collections/dunning/{path}", body, content_type="application/json",
                       HTTP_ACCEPT_LANGUAGE="en")


def test_the_api_writes_sends_lists_and_tracks_letters(ledger, sign_in, cq, clock):
    client = sign_in("collector")
    answer = api_post(client, "letters", {"customer": cq.code, "level": "first", "channel": "post",
                                          "ems_number": "1012345678901"})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["language"], body["status"], body["totals"]) == ("zh-hans", "sent", {"CNY": "14000.00"})
    assert body["pdf"] and body["docx"]
    listed = client.get(f"/api/v1/collections/dunning/letters?customer={cq.code}").json()
    assert listed["count"] == 1
    delivered = api_post(client, f"letters/{body['id']}/delivered", {"delivered_on": str(day(40))})
    assert delivered.status_code == 200 and delivered.json()["status"] == "delivered"
    again = api_post(client, f"letters/{body['id']}/delivered", {"delivered_on": str(day(40))})
    assert again.status_code == 409


def test_the_api_refuses_bad_letters_and_pauses_naming_the_field(ledger, sign_in, cq, sc):
    client = sign_in("collector")
    answer = api_post(client, "letters", {"customer": cq.code, "level": "first", "channel": "post", "ems_number": "x"})
    assert answer.status_code == 422 and any(e["field"] == "ems_number" for e in answer.json()["errors"])
    answer = api_post(client, "letters", {"customer": cq.code, "level": "final", "channel": "download"})
    assert answer.status_code == 403
    assert api_post(client, "letters", {"customer": sc.code, "level": "first", "channel": "download"}).status_code == 404
    answer = api_post(client, "pauses", {"customer": cq.code, "reason": "  ", "until": str(day(45))})
    assert answer.status_code == 422
    answer = api_post(client, "pauses", {"customer": cq.code, "reason": "reconciling"})
    assert answer.status_code == 422
    assert not DunningLetter.objects.exists() and not DunningPause.objects.exists()
    answer = api_post(client, "pauses", {"customer": cq.code, "reason": "reconciling", "until": str(day(45))})
    assert answer.status_code == 201 and answer.json()["until"] == str(day(45))
    pause_id = answer.json()["id"]
    assert client.get("/api/v1/collections/dunning/pauses?active=true").json()["count"] == 1
    assert api_post(client, f"pauses/{pause_id}/end", {}).status_code == 200
    assert api_post(client, f"pauses/{pause_id}/end", {}).status_code == 409
    assert sign_in("sales").get("/api/v1/collections/dunning/letters").status_code == 403


# --- the command line --------------------------------------------------------------------------------

def test_the_command_writes_a_letter_and_a_formula_safe_log(ledger, users, cq, tmp_path):
    from click.testing import CliRunner

    from fengkong.cli.commands import fengkong

    cq.name = "=HYPERLINK(\"http://x\")重庆"
    cq.save(update_fields=["name"])
    runner = CliRunner()
    result = runner.invoke(fengkong, ["collections", "dunning-letter", cq.code, "--user", "collector",
                                      "--ems", "EA123456789CN", "--out", str(tmp_path / "letters")])
    assert result.exit_code == 0, result.output
    assert "14,000" in result.output or "14000.00 CNY" in result.output
    assert sorted(p.suffix for p in (tmp_path / "letters").iterdir()) == [".docx", ".pdf"]
    refused = runner.invoke(fengkong, ["collections", "dunning-letter", cq.code, "--user", "collector",
                                       "--level", "final"])
    assert refused.exit_code != 0
    hidden = runner.invoke(fengkong, ["collections", "dunning-letter", "C000202", "--user", "collector"])
    assert hidden.exit_code != 0 and "no customer C000202" in hidden.output
    log = runner.invoke(fengkong, ["collections", "dunning-log", "--user", "collector", "--out",
                                   str(tmp_path / "log.csv")])
    assert log.exit_code == 0, log.output
    text = (tmp_path / "log.csv").read_text(encoding="utf-8-sig")
    assert "EA123456789CN" in text and "'=HYPERLINK" in text
