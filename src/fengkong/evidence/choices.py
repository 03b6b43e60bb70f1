"""What a piece of evidence is, and the kinds of problem `fengkong evidence verify` reports."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EvidenceSource(models.TextChoices):
    CALL_RECORDING = "call_recording", _("Call recording")
    LETTER = "letter", _("Letter")
    MEETING_MINUTES = "meeting_minutes", _("Meeting minutes")
    DELIVERY_NOTE = "delivery_note", _("Signed delivery note")
    PHOTO = "photo", _("Site-visit photo")
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Chat export")
    CONTRACT = "contract", _("Contract")
    COURT_DOCUMENT = "court_document", _("Court document")
    OTHER = "other", _("Other")


class ProblemKind(models.TextChoices):
    FILE_CHANGED = "file_changed", _("File changed on disk")
    FILE_MISSING = "file_missing", _("File missing")
    ITEM_EDITED = "item_edited", _("Evidence row edited")
    ENTRY_EDITED = "entry_edited", _("Ledger entry edited")
    MISSING = "missing", _("Ledger entry missing")
    ORDER = "order", _("Ledger order changed")
    LINK = "link", _("Ledger link broken")
    UNLEDGERED = "unledgered", _("Evidence not in the ledger")
    WRONG_KEY = "wrong_key", _("Anchor signed with a wrong key")
    BAD_SIGNATURE = "bad_signature", _("Anchor signature invalid")
    REWRITTEN = "rewritten", _("Ledger rewritten since its anchor")
    TRUNCATED = "truncated", _("Ledger entries deleted")
