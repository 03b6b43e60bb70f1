"""Collections endpoints of /api/v1: cases (take, reassign), contacts (a call-centre posts its calls), promises to
pay and disputes (resolve); dunning (dunning_api), instalment plans (plan_api) and
acceptance bills (bill_api) are added below.

As everywhere in the API, rows come from the `for_user` querysets (core.permissions.scope): a case or customer of
another portfolio is a 404 like one that does not exist. State changes call the actions, which check the
permission (403) and audit; what an action refuses for its data (a promise above what is owed) is a 422, a step
the object's state no longer allows (a case somebody took first) a 409.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404
from ninja import Path, Query, Router, Status
from ninja.errors import HttpError

from fengkong.core import dates
from fengkong.core.currencies import functional_currency
from fengkong.core.permissions import require
from fengkong.core.schemas import answers, caller, page
from fengkong.customers.api import visible_customer
from fengkong.receivables.models import Invoice

from . import actions, strategies
from .bill_api import router as bill_router
from .choices import ContactSource
from .dunning_api import router as dunning_router
from .exceptions import CaseTaken, CollectionsError, ContactInvalid, DisputeClosed
from .forms import ANYONE, filter_cases
from .models import CollectionCase, Contact, Dispute, PromiseToPay
from .performance import collector_performance
from .plan_api import router as plan_router
from .queries import best_contacts
from .schemas import (
    BehaviourIn,
    CaseFilters,
    CaseOut,
    CasePage,
    CollectorPerformanceFilters,
    CollectorPerformanceOut,
    ContactFilters,
    ContactLogIn,
    ContactLogOut,
    ContactLogPage,
    DisputeFilters,
    DisputeIn,
    DisputeOut,
    DisputePage,
    DisputeResolveIn,
    PromiseFilters,
    PromiseIn,
    PromiseOut,
    PromisePage,
    ReassignIn,
)

router = Router(tags=["collections"])

CaseId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The case's id")]
DisputeId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The dispute's id")]


def _cases(user):
    require(user, "collections.view_collectioncase")
    return CollectionCase.objects.for_user(user).select_related("customer", "owner")


def _case(user, case_id: int) -> CollectionCase:
    case = _cases(user).filter(pk=case_id).first()
    if case is None:
        raise Http404(f"No collection case {case_id} in your portfolio.")
    return _with_best_contact(user, [case])[0]


def _with_best_contact(user, cases: list[CollectionCase]) -> list[CollectionCase]:
    """The cases with their customer's learned `best_contact` (queries.best_contacts), for CaseOut."""
    best = best_contacts(user, [case.customer for case in cases])
    for case in cases:
        case.best_contact = best.get(case.customer_id)
    return cases


def _refused(exc: CollectionsError) -> Exception:
    """409 for a step the object's state no longer allows; else a 422 naming the body field at fault (rules
    no schema can state: what the customer owes, a date in the past)."""
    if isinstance(exc, CaseTaken | DisputeClosed):
        return HttpError(409, str(exc))
    if isinstance(exc, ContactInvalid):
        return ValidationError({field: [message] for field, message in exc.problems})
    return ValidationError({exc.field or NON_FIELD_ERRORS: [str(exc)]})


@router.get("/collections/cases", response=answers(CasePage, 403, 422), url_name="collection_case_list")
def list_cases(request, filters: Query[CaseFilters]):
    """Cases you may see, by the worklist's priority: expected loss, zone, broken promises, next action due."""
    user = caller(request)
    wanted = {"status": ANYONE if filters.status == "all" else ("" if filters.status == "open" else filters.status),
              "owner": filters.owner, "zone": filters.zone, "promise": filters.promise, "due": filters.due,
              "q": filters.q or ""}
    cases = filter_cases(_cases(user), wanted, user, dates.business_today())
    out = page(cases.by_priority(), filters.limit, filters.offset)
    _with_best_contact(user, out["items"])
    return out


@router.get("/collections/cases/{case_id}", response=answers(CaseOut, 403, 404, 422), url_name="collection_case_detail")
def get_case(request, case_id: CaseId):
    return _case(caller(request), case_id)


@router.post("/collections/cases/{case_id}/take", response=answers(CaseOut, 403, 404, 409, 422),
             url_name="collection_case_take")
def take_case(request, case_id: CaseId):
    """Become the owner of a case nobody owns. 409 if somebody took it first."""
    user = caller(request)
    try:
        return _with_best_contact(user, [actions.take_case(actor=user, case=_case(user, case_id))])[0]
    except CollectionsError as exc:
        raise _refused(exc) from None


@router.post("/collections/cases/{case_id}/reassign", response=answers(CaseOut, 400, 403, 404, 422),
             url_name="collection_case_reassign")
def reassign_case(request, case_id: CaseId, body: ReassignIn):
    """Give the case to another collector (a manager's step)."""
    user = caller(request)
    case = _case(user, case_id)
    require(user, "collections.reassign_case")
    owner = get_user_model().objects.filter(username=body.owner, is_active=True).first()
    if owner is None:
        raise ValidationError({"owner": [f"no active user {body.owner}"]})
    try:
        actions.reassign_cases(actor=user, cases=[case], owner=owner)
    except CollectionsError as exc:
        raise _refused(exc) from None
    return _case(user, case_id)


@router.get("/collections/contacts", response=answers(ContactLogPage, 403, 422), url_name="collection_contact_list")
def list_contacts(request, filters: Query[ContactFilters]):
    user = caller(request)
    require(user, "collections.view_contact")
    contacts = Contact.objects.for_user(user).select_related("customer", "logged_by")
    if filters.customer:
        contacts = contacts.filter(customer__code=filters.customer)
    if filters.outcome:
        contacts = contacts.filter(outcome=filters.outcome)
    return page(contacts.order_by("-at", "-pk"), filters.limit, filters.offset)


@router.post("/collections/contacts", response=answers({201: ContactLogOut}, 400, 403, 404, 409, 422),
             url_name="collection_contact_create")
def create_contact(request, body: ContactLogIn):
    """Log a call, visit, email, message or letter (a call-centre integration posts each call here)."""
    user = caller(request)
    customer = visible_customer(user, body.customer)
    if body.external_id and Contact.objects.filter(source=ContactSource.API, external_id=body.external_id).exists():
        raise HttpError(409, f"The call record {body.external_id} is already logged.")
    data = actions.ContactIn(channel=body.channel, outcome=body.outcome, at=body.at, person=body.person,
                             duration_seconds=body.duration_seconds, notes=body.notes,
                             next_follow_up=body.next_follow_up, external_id=body.external_id)
    try:
        contact = actions.log_contact(actor=user, customer=customer, data=data, source=ContactSource.API)
    except CollectionsError as exc:
        raise _refused(exc) from None
    return Status(201, contact)


@router.get("/collections/promises", response=answers(PromisePage, 403, 422), url_name="collection_promise_list")
def list_promises(request, filters: Query[PromiseFilters]):
    user = caller(request)
    require(user, "collections.view_promisetopay")
    promises = PromiseToPay.objects.for_user(user).select_related("customer", "taken_by").prefetch_related("invoices")
    if filters.customer:
        promises = promises.filter(customer__code=filters.customer)
    if filters.state:
        promises = promises.filter(state=filters.state)
    return page(promises.order_by("-due_date", "-pk"), filters.limit, filters.offset)


def _invoices(customer, numbers: list[str], field: str = "invoices") -> list[Invoice]:
    found = {i.number: i for i in Invoice.objects.filter(customer=customer, number__in=numbers)}
    missing = [n for n in numbers if n not in found]
    if missing:
        raise ValidationError({field: [f"{customer.code} has no invoice {', '.join(missing[:10])}"]})
    return [found[n] for n in numbers]


@router.post("/collections/promises", response=answers({201: PromiseOut}, 400, 403, 404, 422),
             url_name="collection_promise_create")
def create_promise(request, body: PromiseIn):
    """Record a promise to pay on the named invoices, or the oldest open ones."""
    user = caller(request)
    customer = visible_customer(user, body.customer)
    try:
        promise = actions.record_promise(actor=user, customer=customer, amount=Decimal(str(body.amount)),
                                         due_date=body.due_date, invoices=_invoices(customer, body.invoices))
    except CollectionsError as exc:
        raise _refused(exc) from None
    return Status(201, promise)


def _disputes(user):
    require(user, "collections.view_dispute")
    return Dispute.objects.for_user(user).select_related("customer", "owner").prefetch_related("items__invoice")


@router.get("/collections/disputes", response=answers(DisputePage, 403, 422), url_name="collection_dispute_list")
def list_disputes(request, filters: Query[DisputeFilters]):
    """Disputes of your portfolio, and those you answer."""
    user = caller(request)
    disputes = _disputes(user)
    if filters.status != "all":
        disputes = disputes.filter(status=filters.status)
    if filters.customer:
        disputes = disputes.filter(customer__code=filters.customer)
    if filters.mine:
        disputes = disputes.filter(owner=user)
    return page(disputes.order_by("status", "due_date", "pk"), filters.limit, filters.offset)


@router.post("/collections/disputes", response=answers({201: DisputeOut}, 400, 403, 404, 422),
             url_name="collection_dispute_create")
def create_dispute(request, body: DisputeIn):
    """Open a dispute on invoices (or part of one), answered by `owner` outside collections."""
    user = caller(request)
    customer = visible_customer(user, body.customer)
    owner = get_user_model().objects.filter(username=body.owner, is_active=True).first()
    if owner is None:
        raise ValidationError({"owner": [f"no active user {body.owner}"]})
    invoices = _invoices(customer, [i.invoice for i in body.items], "items")
    items = [actions.DisputedInvoice(inv, None if i.amount is None else Decimal(str(i.amount)))
             for inv, i in zip(invoices, body.items, strict=True)]
    try:
        dispute = actions.open_dispute(actor=user, customer=customer, reason=body.reason, team=body.team, owner=owner,
                                       items=items, description=body.description, due_date=body.due_date)
    except CollectionsError as exc:
        raise _refused(exc) from None
    return Status(201, _disputes(user).get(pk=dispute.pk))


@router.post("/collections/disputes/{dispute_id}/resolve", response=answers(DisputeOut, 400, 403, 404, 409, 422),
             url_name="collection_dispute_resolve")
def resolve_dispute(request, dispute_id: DisputeId, body: DisputeResolveIn):
    """Resolve a dispute you answer (or, as a manager, any of your portfolio's). 409 if already resolved."""
    user = caller(request)
    dispute = _disputes(user).filter(pk=dispute_id).first()
    if dispute is None:
        raise Http404(f"No dispute {dispute_id} for you.")
    try:
        actions.resolve_dispute(actor=user, dispute=dispute, resolution=body.resolution, root_cause=body.root_cause,
                                note=body.note)
    except CollectionsError as exc:
        raise _refused(exc) from None
    return _disputes(user).get(pk=dispute_id)


@router.post("/collections/cases/{case_id}/behaviour", response=answers(CaseOut, 400, 403, 404, 409, 422),
             url_name="collection_case_behaviour")
def set_behaviour(request, case_id: CaseId, body: BehaviourIn):
    """Set why the customer does not pay (short of cash, wilful, unknown) with a reason: the case's strategy is
    chosen again from its segment. 409 if the case is closed."""
    user = caller(request)
    case = _case(user, case_id)
    try:
        strategies.set_behaviour(actor=user, case=case, behaviour=body.behaviour, reason=body.reason)
    except CollectionsError as exc:
        raise _refused(exc) from None
    return _case(user, case_id)



@router.get("/collections/performance", response=answers(CollectorPerformanceOut, 403, 409, 422),
            url_name="collection_performance")
def performance(request, filters: Query[CollectorPerformanceFilters]):
    """Collector performance over a period (default: the last full month): money collected, promises taken,
    kept, partially kept and broken, the CEI, cases closed, contacts and how many reached somebody, days to
    resolve disputes; per collector (only your own line unless you may read the team's), per portfolio and for
    the team, over the customers you may see. 422 for a period that runs backwards; 409 for an amount in a
    currency without an exchange rate."""
    try:
        result = collector_performance(caller(request), filters.date_from, filters.date_to)
    except CollectionsError as exc:
        raise _refused(exc) from None
    return {**vars(result), "currency": functional_currency()}

# Dunning (collections.dunning_api): the letters of today's figures, their log, pauses.

router.add_router("", dunning_router)

# Instalment plans (collections.plan_api): propose, read, approve and reject.

router.add_router("", plan_router)

# Acceptance bills (collections.bill_api): record, read, paid, dishonoured.

router.add_router("", bill_router)
