"""Contract kinds and statuses, flag severities, with their translated labels and colours."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContractKind(models.TextChoices):
    FRAMEWORK = "framework", _("framework agreement")
    SALES = "sales", _("sales contract")
    SUPPLY = "supply", _("supply contract")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    IN_REVIEW = "in_review", _("in review")
    APPROVED = "approved", _("approved")
    SIGNED = "signed", _("signed")
    EXPIRED = "expired", _("expired")


class Severity(models.TextChoices):
    HIGH = "high", _("high")
    MEDIUM = "medium", _("medium")
    LOW = "low", _("low")


SEVERITY_COLOURS = {"high": "danger", "medium": "warning", "low": "attention"}
DOCUMENT_KINDS = ("pdf", "docx", "txt")


class ChecklistItem(models.TextChoices):
    """The pre-signing due-diligence items (the checklist policy says which a contract needs)."""

    BUSINESS_REGISTRATION = "business_registration", _("business registration verified")
    LITIGATION_SEARCH = "litigation_search", _("litigation search")
    DISHONEST_DEBTOR_CHECK = "dishonest_debtor_check", _("dishonest-debtor (失信被执行人) check")
    SITE_VISIT = "site_visit", _("site visit report with photos")
    FINANCIAL_STATEMENTS = "financial_statements", _("financial statements on file")
    GUARANTEES_IN_PLACE = "guarantees_in_place", _("guarantees required by the grade in place")
