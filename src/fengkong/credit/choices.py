"""Choices of the credit app: grades, dimensions, guarantees, proposals, votes and credit checks."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    """The article's three grades (§2); the policy sets the cut-offs."""

    A = "A", _("A (good)")
    B = "B", _("B (acceptable)")
    C = "C", _("C (high risk)")


GRADE_ORDER = {Grade.A: 0, Grade.B: 1, Grade.C: 2}  # higher is worse
GRADE_COLOURS = {Grade.A: "#2e7d32", Grade.B: "#f9a825", Grade.C: "#c62828"}


class Dimension(models.TextChoices):
    """The five dimensions of the expert assessment (§2)."""

    FINANCIAL = "financial", _("Financial health")
    PAYMENT = "payment", _("Payment history")
    INDUSTRY = "industry", _("Industry position")
    GUARANTEE = "guarantee", _("Guarantees and collateral")
    COOPERATION = "cooperation", _("Years of cooperation")


class GuaranteeRequirement(models.TextChoices):
    """What a grade asks for (§3): credit guarantee for good customers, collateral for high risk."""

    CREDIT_GUARANTEE = "credit_guarantee", _("Credit guarantee accepted")
    AS_POLICY = "as_policy", _("As policy requires")
    COLLATERAL_OR_THIRD_PARTY = "collateral_or_third_party", _("Collateral or third-party guarantee required")


class GuaranteeKind(models.TextChoices):
    CREDIT_GUARANTEE = "credit_guarantee", _("Credit guarantee (信用担保)")
    THIRD_PARTY = "third_party", _("Third-party guarantee (第三方保证)")
    COLLATERAL = "collateral", _("Collateral (抵押/质押)")
    CREDIT_INSURANCE = "credit_insurance", _("Credit insurance (信用保险)")


# Kinds that satisfy "collateral or third-party guarantee required" (grade C).
SECURED_KINDS = (GuaranteeKind.THIRD_PARTY, GuaranteeKind.COLLATERAL)


class Trigger(models.TextChoices):
    """Why an assessment was made (§2: quarterly, and at once when something happens)."""

    INITIAL = "initial", _("First assessment")
    QUARTERLY = "quarterly", _("Quarterly review")
    MANUAL = "manual", _("Requested by a user")
    DANGER_ZONE = "danger_zone", _("Entered the danger zone")
    NEW_FINANCIALS = "new_financials", _("New financial statements")
    LARGE_ORDER = "large_order", _("Large order")
    LITIGATION = "litigation", _("Litigation flag")
    INDUSTRY_ALARM = "industry_alarm", _("Industry alarm")
    POLICY_CHANGE = "policy_change", _("New credit policy")
    GUARANTEE = "guarantee", _("Guarantee or collateral changed")
    KNOCKOUT = "knockout", _("Knock-out (danger zone, stop-supply, litigation, blacklist)")


class PolicyStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUPERSEDED = "superseded", _("Superseded")


OPEN_PROPOSAL_STATUSES = (ProposalStatus.PENDING,)


class ApprovalLevel(models.TextChoices):
    """Who must approve a proposal, by amount (policy `approval_levels`)."""

    MANAGER = "manager", _("Risk manager")
    COMMITTEE = "committee", _("Risk committee (collective review)")


class Vote(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


class Decision(models.TextChoices):
    """A credit check's answer for a sales order (§9, §16)."""

    APPROVE = "approve", _("Approve")
    HOLD = "hold", _("Hold")
    BLOCK = "block", _("Block")


class CheckStatus(models.TextChoices):
    RESERVED = "reserved", _("Exposure reserved")
    HELD = "held", _("Held")
    BLOCKED = "blocked", _("Blocked")
    OVERRIDE_REQUESTED = "override_requested", _("Override requested")
    RELEASED = "released", _("Released (invoiced)")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_CHECK_STATUSES = (CheckStatus.RESERVED,)  # statuses whose amount counts toward exposure


class CheckReason(models.TextChoices):
    """Why a credit check did not simply approve; each is shown with its figures."""

    OVER_LIMIT = "over_limit", _("Over the available credit limit")
    NO_LIMIT = "no_limit", _("No approved credit limit")
    OVERDUE = "overdue", _("Overdue beyond policy")
    GRADE_C_UNSECURED = "grade_c_unsecured", _("Grade C without collateral or third-party guarantee")
    STOP_SUPPLY = "stop_supply", _("Stop-supply flag")
    BLACKLISTED = "blacklisted", _("Blacklisted")
    REVIEW_EXPIRED = "review_expired", _("Credit review expired")
    INACTIVE = "inactive", _("Customer not active")
    KNOCKOUT = "knockout", _("Knock-out: no credit available")


class FeedbackCategory(models.TextChoices):
    """Risk feedback from sales (§7): what they saw at the customer."""

    OPERATIONS = "operations", _("Operations abnormal (停产/裁员/搬迁)")
    PAYMENT = "payment", _("Payment difficulty (资金紧张)")
    MANAGEMENT = "management", _("Management change (高管变动)")
    LITIGATION = "litigation", _("Litigation or enforcement (涉诉/被执行)")
    CONTACT = "contact", _("Cannot be reached (失联)")
    OTHER = "other", _("Other")


class FeedbackStatus(models.TextChoices):
    NEW = "new", _("New")
    REVIEWED = "reviewed", _("Reviewed")
