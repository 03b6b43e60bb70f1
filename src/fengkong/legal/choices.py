"""The stages of a legal case and the kinds of its dates, with their labels and colours."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    OPENED = "opened", _("Opened")
    DEMAND_LETTER = "demand_letter", _("Demand letter")
    PAYMENT_ORDER = "payment_order", _("Payment order")
    PRESERVATION = "preservation", _("Property preservation")
    LITIGATION = "litigation", _("Litigation")
    JUDGMENT = "judgment", _("First-instance judgment")
    APPEAL = "appeal", _("Second instance")
    ENFORCEMENT = "enforcement", _("Enforcement")
    MEDIATION = "mediation", _("Mediation or settlement")
    RESTRUCTURING = "restructuring", _("Restructuring or debt-to-equity")
    BANKRUPTCY = "bankruptcy", _("Bankruptcy claim")
    CLOSED = "closed", _("Closed")


STAGE_COLOURS = {Stage.OPENED: "neutral", Stage.CLOSED: "ok", Stage.ENFORCEMENT: "warning",
                 Stage.BANKRUPTCY: "danger"}


class Origin(models.TextChoices):
    REFERRAL = "referral", _("Danger-zone referral")
    PERSON = "person", _("Opened by a person")


class Outcome(models.TextChoices):
    RECOVERED = "recovered", _("Recovered")
    PARTLY = "partly", _("Partly recovered")
    WRITTEN_OFF = "written_off", _("Written off")


class DeadlineKind(models.TextChoices):
    OBJECTION = "objection", _("Payment-order objection window ends")
    HEARING = "hearing", _("Hearing")
    APPEAL = "appeal", _("Appeal window ends")
    ENFORCEMENT = "enforcement", _("Last day to apply for enforcement")
    SEIZURE_EXPIRY = "seizure_expiry", _("Seizure expires")
    SEIZURE_RENEWAL = "seizure_renewal", _("Apply to renew the seizure")
    SUIT_AFTER_PRESERVATION = "suit_after_preservation", _("File suit after pre-suit preservation")
    CLAIM_FILING = "claim_filing", _("Bankruptcy claim filing deadline")
    CREDITORS_MEETING = "creditors_meeting", _("Creditors' meeting")
    LIMITATION = "limitation", _("Limitation period ends")


class SeizureKind(models.TextChoices):
    DEPOSIT = "deposit", _("Bank deposit (1 year)")
    MOVABLE = "movable", _("Movable property (2 years)")
    PROPERTY = "property", _("Real or other property (3 years)")


class Procedure(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary procedure")
    SUMMARY = "summary", _("Summary procedure")


class RestructuringKind(models.TextChoices):
    RESTRUCTURING = "restructuring", _("Restructuring")
    DEBT_TO_EQUITY = "debt_to_equity", _("Debt-to-equity")


class FeeKind(models.TextChoices):
    """A law firm's fee arrangement (engine.firm_fees): which of its parts it has."""

    FIXED = "fixed", _("Fixed fee")
    HOURLY = "hourly", _("Hourly")
    CONTINGENCY = "contingency", _("Contingency share of recoveries")
    MIXED = "mixed", _("Mixed")


class EngagementScope(models.TextChoices):
    CASE = "case", _("One case")
    BATCH = "batch", _("A batch of standard cases")


class CostKind(models.TextChoices):
    LAWYER_FEE = "lawyer_fee", _("Lawyers' fees")
    COURT_FEE = "court_fee", _("Court fees")
    PRESERVATION_GUARANTEE = "preservation_guarantee", _("Preservation guarantee")
    OTHER = "other", _("Other costs")


class PreservationChoice(models.TextChoices):
    """A legal officer's answer to "apply for property preservation now?" (article §6), with a reason."""

    APPLY_NOW = "apply_now", _("Apply now")
    WAIT = "wait", _("Wait")
    NOT_NEEDED = "not_needed", _("Not needed")


class SignKind(models.TextChoices):
    """The signs that argue for property preservation now, each read from the company's own data
    (legal.preservation)."""

    BROKEN_PROMISES = "broken_promises", _("Broken promises to pay")
    LITIGATION = "litigation", _("Litigation by others")
    UNREACHABLE = "unreachable", _("Cannot be reached")
    ASSETS_MOVING = "assets_moving", _("Assets moving")
    INDUSTRY_ALARM = "industry_alarm", _("Industry alarm")
    DANGER_ZONE = "danger_zone", _("Danger zone")
