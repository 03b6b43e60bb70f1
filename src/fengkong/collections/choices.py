"""Choices of the collections app, with translated labels and the colours the pages draw them in."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class PromiseState(models.TextChoices):
    PENDING = "pending", _("Pending")
    KEPT = "kept", _("Kept")
    PARTIALLY_KEPT = "partially_kept", _("Partially kept")
    BROKEN = "broken", _("Broken")
    CANCELLED = "cancelled", _("Cancelled")  # an instalment of a plan broken or cancelled before its date


PROMISE_COLOURS = {PromiseState.PENDING: "#1565c0", PromiseState.KEPT: "#2e7d32",
                   PromiseState.PARTIALLY_KEPT: "#f9a825", PromiseState.BROKEN: "#c62828",
                   PromiseState.CANCELLED: "#757575"}


class CasePromise(models.TextChoices):
    """A case's promise status: its latest promise's state, or none."""

    NONE = "none", _("No promise")
    PENDING = "pending", _("Promise pending")
    KEPT = "kept", _("Promise kept")
    PARTIALLY_KEPT = "partially_kept", _("Promise partially kept")
    BROKEN = "broken", _("Promise broken")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    VISIT = "visit", _("Visit")
    EMAIL = "email", _("Email")
    WECOM = "wecom", _("WeCom message")
    DINGTALK = "dingtalk", _("DingTalk message")
    LETTER = "letter", _("Letter")


class Outcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    PROMISED = "promised", _("Promised to pay")
    DISPUTED = "disputed", _("Disputed")
    REFUSED = "refused", _("Refused")
    CALL_BACK = "call_back", _("Asked to call back")
    PAID = "paid", _("Paid")


# The outcomes that reached somebody at the customer (best-contact-time counts these).
REACHED_OUTCOMES = frozenset({Outcome.REACHED, Outcome.PROMISED, Outcome.DISPUTED, Outcome.REFUSED,
                              Outcome.CALL_BACK, Outcome.PAID})


class ContactSource(models.TextChoices):
    WEB = "web", _("Logged on a page")
    API = "api", _("API")
    IMPORT = "import", _("Call-record import")


class DisputeReason(models.TextChoices):
    PRICE = "price", _("Price")
    QUANTITY = "quantity", _("Quantity")
    QUALITY = "quality", _("Quality")
    DELIVERY = "delivery", _("Delivery")
    DUPLICATE_BILLING = "duplicate_billing", _("Duplicate billing")
    NOT_RECEIVED = "not_received", _("Goods not received")
    OTHER = "other", _("Other")


class DisputeTeam(models.TextChoices):
    """Who outside collections answers a dispute."""

    SALES = "sales", _("Sales")
    QUALITY = "quality", _("Quality")
    WAREHOUSE = "warehouse", _("Warehouse")
    FINANCE = "finance", _("Finance")
    OTHER = "other", _("Other")


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class DisputeResolution(models.TextChoices):
    CREDIT_NOTE = "credit_note", _("Credit note")
    PARTIAL_WRITE_OFF = "partial_write_off", _("Partial write-off")
    REJECTED = "rejected", _("Rejected: the customer must pay")


class EventKind(models.TextChoices):
    """What a case's timeline records."""

    OPENED = "opened", _("Case opened")
    CLOSED = "closed", _("Case closed")
    REOPENED = "reopened", _("Case reopened")
    TAKEN = "taken", _("Case taken")
    REASSIGNED = "reassigned", _("Case reassigned")
    CONTACT = "contact", _("Contact logged")
    PROMISE = "promise", _("Promise to pay taken")
    PROMISE_EVALUATED = "promise_evaluated", _("Promise evaluated")
    STEP = "step", _("Strategy step moved")
    DISPUTE_OPENED = "dispute_opened", _("Dispute opened")
    DISPUTE_RESOLVED = "dispute_resolved", _("Dispute resolved")
    STRATEGY = "strategy", _("Strategy chosen")
    BEHAVIOUR = "behaviour", _("Behaviour set")
    LETTER = "letter", _("Dunning letter")
    DUNNING_PAUSED = "dunning_paused", _("Dunning paused")
    DUNNING_RESUMED = "dunning_resumed", _("Dunning resumed")
    PLAN_PROPOSED = "plan_proposed", _("Instalment plan proposed")
    PLAN_APPROVED = "plan_approved", _("Instalment plan approved")
    PLAN_REJECTED = "plan_rejected", _("Instalment plan rejected")
    PLAN_CANCELLED = "plan_cancelled", _("Instalment plan cancelled")
    PLAN_COMPLETED = "plan_completed", _("Instalment plan completed")
    PLAN_BROKEN = "plan_broken", _("Instalment plan broken")
    BILL_RECORDED = "bill_recorded", _("Acceptance bill recorded")
    BILL_PRESENTED = "bill_presented", _("Acceptance bill presented")
    BILL_PAID = "bill_paid", _("Acceptance bill paid")
    BILL_DISHONOURED = "bill_dishonoured", _("Acceptance bill dishonoured")
    BILL_FLAGGED = "bill_flagged", _("Acceptance bill flagged")


# The steps a strategy is made of (policy.STEP_ACTIONS), as the worklist names them.
STEP_LABELS = {
    "reminder_email": _("Reminder email"), "call": _("Phone call"), "letter": _("Reminder letter"),
    "final_demand": _("Final demand"), "instalment_offer": _("Instalment offer"),
    "acceptance_bill": _("Acceptance bill"), "stop_supply": _("Stop supply"), "legal_referral": _("Legal referral"),
}


class Behaviour(models.TextChoices):
    """Why the customer does not pay, as the collector judges it: it chooses the case's strategy (policy segments)."""

    UNKNOWN = "unknown", _("Unknown")
    SHORT_OF_CASH = "short_of_cash", _("Temporarily short of cash")
    WILFUL = "wilful", _("Wilful")

# --- dunning (collections.dunning) -------------------------------------------------------------------

class DunningLevel(models.TextChoices):
    """The letters of dunning in turn (notifications.letters.LEVELS)."""

    FIRST = "first", _("First reminder")
    SECOND = "second", _("Second reminder")
    FINAL = "final", _("Final demand (lawyer's letter)")


class LetterLanguage(models.TextChoices):
    CHINESE = "zh-hans", _("Chinese")
    ENGLISH = "en", _("English")


class LetterChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    POST = "post", _("Post (EMS)")
    DOWNLOAD = "download", _("Downloaded")


class LetterStatus(models.TextChoices):
    GENERATED = "generated", _("Generated")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Sending failed")
    DELIVERED = "delivered", _("Delivered")



# --- instalment plans (collections.plans) ------------------------------------------------------------

class PlanStatus(models.TextChoices):
    """An instalment plan's life: proposed, then approved or rejected; approved, the night follows it: on track
    once an instalment is kept, completed when every one is, broken when one is missed; cancelled by hand."""

    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ACTIVE = "active", _("On track")
    COMPLETED = "completed", _("Completed")
    BROKEN = "broken", _("Broken")
    CANCELLED = "cancelled", _("Cancelled")


LIVE_PLAN = (PlanStatus.PROPOSED, PlanStatus.APPROVED, PlanStatus.ACTIVE)   # at most one per customer
FOLLOWED_PLAN = (PlanStatus.APPROVED, PlanStatus.ACTIVE)                     # judged by the night; dunning waits
PLAN_COLOURS = {PlanStatus.PROPOSED: "#1565c0", PlanStatus.APPROVED: "#2e7d32", PlanStatus.REJECTED: "#757575",
                PlanStatus.ACTIVE: "#2e7d32", PlanStatus.COMPLETED: "#2e7d32", PlanStatus.BROKEN: "#c62828",
                PlanStatus.CANCELLED: "#757575"}


class PlanLevel(models.TextChoices):
    """Who approves an instalment plan, by its amount (policy `plans.approval_levels`), lowest first."""

    COLLECTIONS_MANAGER = "collections_manager", _("Collections manager")
    RISK_MANAGER = "risk_manager", _("Risk manager")


# The permission each level needs; a higher level's permission approves the lower levels too.
PLAN_LEVEL_PERMISSIONS = {PlanLevel.COLLECTIONS_MANAGER: "collections.approve_plan",
                          PlanLevel.RISK_MANAGER: "collections.approve_large_plan"}


# --- commercial acceptance bills (collections.bills) -------------------------------------------------

class BillStatus(models.TextChoices):
    """A commercial acceptance bill's life: held by us, presented to the acceptor at maturity, then paid
    (honoured) or dishonoured (拒付), which reopens the debt it settled."""

    HELD = "held", _("Held by us")
    PRESENTED = "presented", _("Presented")
    PAID = "paid", _("Paid")
    DISHONOURED = "dishonoured", _("Dishonoured")


SETTLING_BILL = (BillStatus.HELD, BillStatus.PRESENTED, BillStatus.PAID)  # its allocation settles the invoices
BILL_COLOURS = {BillStatus.HELD: "#1565c0", BillStatus.PRESENTED: "#f9a825", BillStatus.PAID: "#2e7d32",
                BillStatus.DISHONOURED: "#c62828"}


class BillFlag(models.TextChoices):
    """What the night saw on a bill not yet paid: maturing within the policy's days, or past its maturity and
    not presented."""

    NONE = "", _("None")
    MATURING = "maturing", _("Maturing soon")
    UNPRESENTED = "unpresented", _("Past maturity, not presented")
