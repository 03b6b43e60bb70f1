"""Acceptance bill endpoints of /api/v1: list and record bills, read one, mark it paid or dishonoured.

Scoped as the other collections endpoints: another portfolio's customer or bill is a 404; a role that may not
record or move bills a 403 (the actions); a bill the action refuses (a number already recorded, a maturity not
after its issue, a bad 统一社会信用代码, more than is owed, a dishonour without a reason) a 422 naming the field;
a bill already paid or dishonoured (or moved by somebody first) a 409."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Path, Query, Router, Status

from fengkong.core.permissions import require
from fengkong.core.schemas import answers, caller
from fengkong.customers.api import visible_customer
from fengkong.receivables.models import Invoice

from . import bills
from .api_answers import acting, filtered_page
from .exceptions import BillClosed
from .models import AcceptanceBill
from .schemas import BillFilters, BillIn, BillOut, BillPage, BillReasonIn

router = Router(tags=["collections"])

BillId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The acceptance bill's id")]


def _bills(user):
    require(user, "collections.view_acceptancebill")
    return (AcceptanceBill.objects.for_user(user).select_related("customer", "recorded_by", "closed_by")
            .prefetch_related("allocations__invoice"))


def _bill(user, bill_id: int) -> AcceptanceBill:
    bill = _bills(user).filter(pk=bill_id).first()
    if bill is None:
        raise Http404(f"No acceptance bill {bill_id} in your portfolio.")
    return bill


@router.get("/collections/bills", response=answers(BillPage, 403, 422), url_name="collection_bill_list")
def list_bills(request, filters: Query[BillFilters]):
    """Acceptance bills of your portfolio, the soonest maturing first."""
    return filtered_page(_bills(caller(request)), filters, "maturity_date", "pk")


@router.post("/collections/bills", response=answers({201: BillOut}, 400, 403, 404, 422),
             url_name="collection_bill_create")
def create_bill(request, body: BillIn):
    """Record a commercial acceptance bill the customer handed over: it settles the named invoices (else the
    oldest open ones) by its amount."""
    user = caller(request)
    customer = visible_customer(user, body.customer)
    found = {i.number: i for i in Invoice.objects.filter(customer=customer, number__in=body.invoices)}
    missing = [n for n in body.invoices if n not in found]
    if missing:
        raise ValidationError({"invoices": [f"{customer.code} has no invoice {', '.join(missing[:10])}"]})
    draft = bills.BillDraft(number=body.number, acceptor_name=body.acceptor_name, acceptor_uscc=body.acceptor_uscc,
                            amount=Decimal(str(body.amount)), issue_date=body.issue_date,
                            maturity_date=body.maturity_date, endorsers=tuple(body.endorsers))
    bill = acting(bills.record_bill, BillClosed, actor=user, customer=customer, draft=draft,
                  invoices=[found[n] for n in body.invoices], note=body.note)
    return Status(201, _bill(user, bill.pk))


@router.get("/collections/bills/{bill_id}", response=answers(BillOut, 403, 404, 422),
            url_name="collection_bill_detail")
def get_bill(request, bill_id: BillId):
    return _bill(caller(request), bill_id)


@router.post("/collections/bills/{bill_id}/paid", response=answers(BillOut, 403, 404, 409, 422),
             url_name="collection_bill_paid")
def bill_paid(request, bill_id: BillId):
    """The acceptor honoured the bill. 409 if it is already paid or dishonoured."""
    user = caller(request)
    acting(bills.mark_paid, BillClosed, actor=user, bill=_bill(user, bill_id))
    return _bill(user, bill_id)


@router.post("/collections/bills/{bill_id}/dishonour", response=answers(BillOut, 400, 403, 404, 409, 422),
             url_name="collection_bill_dishonour")
def bill_dishonour(request, bill_id: BillId, body: BillReasonIn):
    """The acceptor refused to pay (拒付), with the reason: the debt is open again and an alert is raised. 409 if
    the bill is already paid or dishonoured."""
    user = caller(request)
    acting(bills.dishonour_bill, BillClosed, actor=user, bill=_bill(user, bill_id), reason=body.reason)
    return _bill(user, bill_id)
