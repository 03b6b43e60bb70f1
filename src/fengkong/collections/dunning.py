"""Dunning that is current: one letter per customer and level listing every overdue, undisputed item as of the
day it is sent or downloaded, in the customer's language, kept as evidence, with its sending tracked.

Design decisions:
- A letter is never stored to be sent later: each send or download writes it anew from the ledger of that day
  (open amounts less what open disputes hold), so a letter can never ask for what the customer owed three
  months ago. Both files (DOCX to edit and stamp, PDF to send as it is) go to the evidence store, linked to the
  letter row, which is the dunning log (what was listed, to whom, how, sent, delivered).
- The words are notifications.letters' (the warning zone's letter, in three levels): collections adds the
  choice of level, the figures of the day and the tracking, and does not write a second letter.
- Email is sent after commit, and the row records whether the mail server took it (sent) or not (failed, with
  the error); paper goes by EMS, its number recorded when posted, its delivery when the receipt comes back.
- A pause needs a reason and an end date, and holds every letter and monitoring's automatic reminders
  (registered as a dunning hold) until that date or until somebody ends it; so does a pending promise to pay.
  Downloading a letter to read it stays possible while dunning is held; sending it does not.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from fengkong.core import dates
from fengkong.core.audit import record
from fengkong.core.permissions import require, scope
from fengkong.customers.models import Customer
from fengkong.evidence.actions import Description, keep
from fengkong.evidence.choices import EvidenceSource
from fengkong.notifications.channels.email import send_email
from fengkong.notifications.exceptions import DeliveryError
from fengkong.notifications.letters import LetterContent, letter_content, letter_docx, letter_pdf, letter_text
from fengkong.notifications.rendering import Message
from fengkong.receivables.models import Invoice

from .actions import event
from .choices import DunningLevel, EventKind, LetterChannel, LetterLanguage, LetterStatus
from .exceptions import DunningRefused
from .models import CollectionCase, DunningLetter, DunningPause, InstalmentPlan, PromiseToPay
from .queries import billed_on, disputed_on

EMS_NUMBER = re.compile(r"^(?:[A-Z]{2}\d{9}[A-Z]{2}|\d{13})$")  # UPU S10 (EA123456789CN) or domestic 13 digits
MAX_PAUSE_DAYS = 180
LISTED = 200  # a letter lists at most this many invoices, the oldest first
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NEXT_LEVEL = {None: DunningLevel.FIRST, DunningLevel.FIRST: DunningLevel.SECOND,
              DunningLevel.SECOND: DunningLevel.FINAL, DunningLevel.FINAL: DunningLevel.FINAL}


# --- reads -------------------------------------------------------------------------------------------

def customer_language(customer: Customer) -> str:
    """The customer's language: Chinese for a name in Chinese characters, else English."""
    cjk = any(unicodedata.east_asian_width(ch) in "WF" for ch in customer.name)
    return LetterLanguage.CHINESE if cjk else LetterLanguage.ENGLISH


def dunning_items(customer: Customer, as_of: date) -> list[dict]:
    """The customer's overdue invoices as of `as_of`, oldest first, each with what is open less what open
    disputes hold and acceptance bills settle; an invoice wholly in dispute or settled is left out."""
    invoices = list(Invoice.objects.overdue(as_of).filter(customer=customer).order_by("due_date", "number")[:LISTED])
    ids = [i.pk for i in invoices]
    held, billed = disputed_on(ids), billed_on(ids)
    items = []
    for invoice in invoices:
        chased = invoice.open_amount - Decimal(held.get(invoice.pk) or 0) - Decimal(billed.get(invoice.pk) or 0)
        if chased > 0:
            items.append({"number": invoice.number, "due_date": invoice.due_date, "open_amount": chased,
                          "currency": invoice.currency, "days_overdue": (as_of - invoice.due_date).days,
                          "contract_ref": invoice.contract_ref, "issue_date": invoice.issue_date})
    return items


def totals_of(items: list[dict]) -> dict[str, str]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for item in items:
        sums[item["currency"]] += item["open_amount"]
    return {currency: str(amount) for currency, amount in sorted(sums.items())}


def last_sent_level(customer: Customer) -> str | None:
    letter = DunningLetter.objects.filter(customer=customer).sent().order_by("-created_at", "-pk").first()
    return letter.level if letter else None


def suggested_level(customer: Customer) -> str:
    """The level after the last letter sent: first, then second, then the final demand."""
    return NEXT_LEVEL[last_sent_level(customer)]


def active_pause(customer: Customer, day: date | None = None) -> DunningPause | None:
    return DunningPause.objects.active(day or dates.business_today()).filter(customer=customer).first()


def paused_customers(customer_ids: list[int]) -> set[int]:
    """Of `customer_ids`, those whose dunning is paused today (monitoring's dunning hold)."""
    today, out = dates.business_today(), set()
    for start in range(0, len(customer_ids), 5000):
        out |= set(DunningPause.objects.active(today).filter(customer_id__in=customer_ids[start:start + 5000])
                   .values_list("customer_id", flat=True))
    return out


def held_because(customer: Customer, day: date) -> str | None:
    """Why no letter may be sent to the customer on `day`, or None."""
    pause = active_pause(customer, day)
    if pause is not None:
        return _("dunning is paused until %(until)s: %(reason)s") % {"until": pause.until, "reason": pause.reason}
    promise = PromiseToPay.objects.pending().filter(customer=customer).order_by("due_date").first()
    if promise is not None and InstalmentPlan.objects.followed().filter(customer=customer).exists():
        return _("an instalment plan is on track (next instalment %(amount)s by %(date)s); dunning waits while it "
                 "is") % {"amount": promise.amount, "date": promise.due_date}
    if promise is not None:
        return _("a promise to pay %(amount)s by %(date)s is pending; dunning waits until it is judged") % {
            "amount": promise.amount, "date": promise.due_date}
    return None


# --- writes ------------------------------------------------------------------------------------------

def _visible(actor, customer: Customer) -> None:
    if not scope(Customer.objects.filter(pk=customer.pk), actor, customer_path="").exists():
        raise PermissionDenied("this customer is not in your portfolio")


def _check_request(customer: Customer, level: str, language: str, channel: str, recipient: str,
                   ems_number: str, today: date) -> tuple[str, str]:
    if level not in DunningLevel.values:
        raise DunningRefused(f"level must be one of {', '.join(DunningLevel.values)}, not {level!r}", field="level")
    if language not in LetterLanguage.values:
        raise DunningRefused(f"language must be one of {', '.join(LetterLanguage.values)}, not {language!r}",
                             field="language")
    if channel not in LetterChannel.values:
        raise DunningRefused(f"channel must be one of {', '.join(LetterChannel.values)}, not {channel!r}",
                             field="channel")
    if channel == LetterChannel.DOWNLOAD:
        return "", ""
    held = held_because(customer, today)
    if held:
        raise DunningRefused(_("No letter is sent: %(why)s.") % {"why": held}, field="channel")
    if channel == LetterChannel.EMAIL:
        recipient = (recipient or primary_email(customer)).strip().lower()
        if not recipient:
            raise DunningRefused(_("%(customer)s has no email address: give one, or send the letter by post.")
                                 % {"customer": customer.code}, field="recipient")
        try:
            validate_email(recipient)
        except ValidationError:
            raise DunningRefused(_("“%(value)s” is not an email address.") % {"value": recipient[:100]},
                                 field="recipient") from None
        return recipient[:254], ""
    ems = re.sub(r"\s+", "", ems_number or "").upper()
    if not EMS_NUMBER.match(ems):
        raise DunningRefused(_("“%(value)s” is not an EMS number (13 digits, or two letters, nine digits and two "
                               "letters such as EA123456789CN).") % {"value": (ems_number or "")[:40]},
                             field="ems_number")
    return (recipient or primary_address(customer))[:254], ems


def primary_email(customer: Customer) -> str:
    contact = customer.contacts.filter(is_primary=True).first() or customer.contacts.exclude(email="").first()
    return contact.email if contact else ""


def primary_address(customer: Customer) -> str:
    contact = customer.contacts.filter(is_primary=True).first()
    return (contact.address or "") if contact else ""


@transaction.atomic(durable=True)
def write_letter(*, actor, customer: Customer, level: str, language: str, channel: str, recipient: str = "",
                 ems_number: str = "", today: date | None = None) -> tuple[DunningLetter, dict[str, bytes]]:
    """Write the `level` letter from today's figures, keep its DOCX and PDF as evidence and log it; by email it
    is sent after commit, by post it is recorded as posted with its EMS number. Returns the letter and the
    files (name -> bytes)."""
    require(actor, "collections.send_dunning")
    if level == DunningLevel.FINAL:
        require(actor, "collections.send_final_demand")
    _visible(actor, customer)
    today = today or dates.business_today()
    recipient, ems = _check_request(customer, level, language, channel, recipient, ems_number, today)
    items = dunning_items(customer, today)
    if not items:
        raise DunningRefused(_("%(customer)s has nothing overdue and undisputed to ask for on %(day)s.")
                             % {"customer": customer.code, "day": today}, field="customer")
    content = letter_content(customer, items, today, language, level=level)
    files = {f"{content.file_stem}.docx": letter_docx(content), f"{content.file_stem}.pdf": letter_pdf(content)}
    now = timezone.now()
    status = {LetterChannel.EMAIL: LetterStatus.SENDING, LetterChannel.POST: LetterStatus.SENT}.get(
        channel, LetterStatus.GENERATED)
    case = CollectionCase.objects.open().filter(customer=customer).first()
    letter = DunningLetter.objects.create(
        customer=customer, case=case, level=level, language=language, channel=channel, as_of=today,
        reference=content.ref[:60], totals=totals_of(items), items=_listed(items), recipient=recipient,
        ems_number=ems, status=status, sent_at=now if channel == LetterChannel.POST else None, created_by=actor)
    kept = _keep_files(actor, letter, content, files, sent=channel != LetterChannel.DOWNLOAD)
    DunningLetter.objects.filter(pk=letter.pk).update(docx=kept[0], pdf=kept[1])
    letter.docx, letter.pdf = kept
    record(actor, "dunning_letter.written", "dunningletter", letter.pk, after={
        "customer": customer.code, "level": level, "language": language, "channel": channel, "as_of": today,
        "totals": letter.totals, "invoices": len(items), "recipient": recipient, "ems_number": ems,
        "evidence": [kept[0].pk, kept[1].pk]})
    _event(case, actor, letter)
    if channel == LetterChannel.EMAIL:
        subject = f"{content.company}: {content.title.replace(' ', '') if language == 'zh-hans' else content.title}"
        transaction.on_commit(lambda: send_letter_email(letter.pk, subject, content, files))
    return letter, files


def _listed(items: list[dict]) -> list[dict]:
    return [{"number": i["number"], "due_date": str(i["due_date"]), "days_overdue": i["days_overdue"],
             "open_amount": str(i["open_amount"]), "currency": i["currency"]} for i in items]


def _keep_files(actor, letter: DunningLetter, content: LetterContent, files: dict[str, bytes], *, sent: bool):
    level = DunningLevel(letter.level).label
    kept = []
    for name, data in files.items():
        kept.append(keep(actor=actor, chunks=[data], filename=name, customer=letter.customer, subject=letter,
                         description=Description(
                             title=f"{level} {letter.as_of.isoformat()} ({name.rsplit('.', 1)[-1].upper()})"[:200],
                             source=EvidenceSource.LETTER, occurred_on=letter.as_of if sent else None,
                             shows=_("%(n)d overdue invoices listed, %(totals)s; %(channel)s") % {
                                 "n": len(content.rows), "totals": letter.totals_text(),
                                 "channel": LetterChannel(letter.channel).label})))
    return kept[0], kept[1]


def _event(case, actor, letter: DunningLetter) -> None:
    if case is not None:
        event(case, EventKind.LETTER, user=actor, letter=letter.pk, level=letter.level, channel=letter.channel,
              totals=letter.totals_text())


def send_letter_email(letter_id: int, subject: str, content: LetterContent, files: dict[str, bytes]) -> bool | None:
    """Send a letter written for email (after its transaction committed); the row records the answer of the
    mail server. None when the letter is not waiting to be sent (already sent by another call)."""
    if not DunningLetter.objects.filter(pk=letter_id, status=LetterStatus.SENDING, sent_at__isnull=True).exists():
        return None
    letter = DunningLetter.objects.get(pk=letter_id)
    text = letter_text(content)
    message = Message(subject=subject[:300], text=text, html=linebreaks(escape(text)), markdown="")
    attachments = [(name, data, "application/pdf" if name.endswith(".pdf") else DOCX_TYPE)
                   for name, data in files.items()]
    try:
        send_email(letter.recipient, message, attachments=attachments)
    except DeliveryError as exc:
        with transaction.atomic():
            DunningLetter.objects.filter(pk=letter_id, status=LetterStatus.SENDING).update(
                status=LetterStatus.FAILED, last_error=str(exc)[:500])
            record(None, "dunning_letter.failed", "dunningletter", letter_id, after={"error": str(exc)[:500]})
        return False
    with transaction.atomic():
        DunningLetter.objects.filter(pk=letter_id, status=LetterStatus.SENDING).update(
            status=LetterStatus.SENT, sent_at=timezone.now())
        record(None, "dunning_letter.sent", "dunningletter", letter_id, after={"recipient": letter.recipient})
    return True


@transaction.atomic(durable=True)
def mark_delivered(*, actor, letter: DunningLetter, on: date, today: date | None = None) -> DunningLetter:
    """Record that a sent letter arrived (the EMS receipt came back, the customer acknowledged the email)."""
    require(actor, "collections.send_dunning")
    _visible(actor, letter.customer)
    today = today or dates.business_today()
    letter = DunningLetter.objects.select_for_update().get(pk=letter.pk)
    if letter.status != LetterStatus.SENT:
        raise DunningRefused(_("Only a sent letter can be delivered; this one is %(status)s.")
                             % {"status": letter.get_status_display()}, field="status")
    sent_on = letter.as_of  # the business day it was written and sent
    if on < sent_on or on > today:
        raise DunningRefused(_("The delivery date %(on)s must be between the day it was sent (%(sent)s) and today.")
                             % {"on": on, "sent": sent_on}, field="delivered_on")
    letter.status, letter.delivered_on = LetterStatus.DELIVERED, on
    letter.save(update_fields=["status", "delivered_on"])
    record(actor, "dunning_letter.delivered", "dunningletter", letter.pk, after={"delivered_on": on})
    return letter


@transaction.atomic(durable=True)
def pause_dunning(*, actor, customer: Customer, reason: str, until: date | None,
                  today: date | None = None) -> DunningPause:
    """Hold every letter and automatic reminder to the customer until `until`, for `reason` (both required)."""
    require(actor, "collections.pause_dunning")
    _visible(actor, customer)
    today = today or dates.business_today()
    reason = (reason or "").strip()
    if not reason:
        raise DunningRefused(_("Say why dunning is paused."), field="reason")
    if until is None:
        raise DunningRefused(_("Give the end date of the pause."), field="until")
    if until < today:
        raise DunningRefused(_("The pause cannot end in the past (%(until)s).") % {"until": until}, field="until")
    if until > today + timedelta(days=MAX_PAUSE_DAYS):
        raise DunningRefused(_("A pause lasts at most %(days)d days, to %(last)s.") % {
            "days": MAX_PAUSE_DAYS, "last": today + timedelta(days=MAX_PAUSE_DAYS)}, field="until")
    Customer.objects.select_for_update().filter(pk=customer.pk).first()  # one pause at a time per customer
    running = active_pause(customer, today)
    if running is not None:
        raise DunningRefused(_("Dunning is already paused until %(until)s; end that pause first.")
                             % {"until": running.until}, field="until")
    pause = DunningPause.objects.create(customer=customer, reason=reason[:300], since=today, until=until,
                                        created_by=actor)
    record(actor, "dunning.paused", "dunningpause", pause.pk,
           after={"customer": customer.code, "reason": pause.reason, "until": until})
    case = CollectionCase.objects.open().filter(customer=customer).first()
    if case is not None:
        event(case, EventKind.DUNNING_PAUSED, user=actor, until=until, reason=pause.reason)
    return pause


@transaction.atomic(durable=True)
def end_pause(*, actor, pause: DunningPause) -> DunningPause:
    """Resume dunning before the pause's end date."""
    require(actor, "collections.pause_dunning")
    _visible(actor, pause.customer)
    if not DunningPause.objects.filter(pk=pause.pk, ended_at__isnull=True).update(ended_at=timezone.now(),
                                                                                 ended_by=actor):
        raise DunningRefused(_("This pause has already ended."))
    record(actor, "dunning.resumed", "dunningpause", pause.pk, after={"customer": pause.customer.code})
    case = CollectionCase.objects.open().filter(customer=pause.customer).first()
    if case is not None:
        event(case, EventKind.DUNNING_RESUMED, user=actor)
    pause.refresh_from_db()
    return pause


LOG_COLUMNS = ["written", "customer", "customer_name", "level", "language", "channel", "as_of", "reference",
               "totals", "invoices", "recipient", "ems_number", "status", "sent_at", "delivered_on", "last_error",
               "by"]


def log_frame(letters):
    """The dunning log as a frame of text columns (for a CSV a spreadsheet opens: core.spreadsheets escapes)."""
    rows = [[timezone.localtime(letter.created_at).strftime("%Y-%m-%d %H:%M"), letter.customer.code,
             letter.customer.name, letter.level, letter.language, letter.channel, letter.as_of.isoformat(),
             letter.reference, letter.totals_text(), " ".join(i["number"] for i in letter.items), letter.recipient,
             letter.ems_number, letter.status,
             timezone.localtime(letter.sent_at).strftime("%Y-%m-%d %H:%M") if letter.sent_at else "",
             letter.delivered_on.isoformat() if letter.delivered_on else "", letter.last_error,
             letter.created_by.get_username() if letter.created_by else ""] for letter in letters]
    return pl.DataFrame(rows, schema={name: pl.String for name in LOG_COLUMNS}, orient="row")
