"""The evidence store in /api/v1/evidence: the items you may see, one item, and the ledger's check.

Items come through `queries.visible_items` (core.permissions.scope): an item of a customer outside the
caller's portfolio is a 404 like one that does not exist. Storing goes through the legal case's documents
(and, later, the collection case's attachments), which check the subject too.
"""

from __future__ import annotations

from typing import Annotated

from django.http import Http404
from ninja import Path, Query, Router

from fengkong.core.permissions import require
from fengkong.core.schemas import answers, caller, page

from . import ledger, queries
from .schemas import EvidenceFilters, EvidenceItemOut, EvidenceItemPage, VerifyOut

router = Router(tags=["evidence"])

ItemId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The evidence item's id")]


@router.get("/evidence/items", response=answers(EvidenceItemPage, 403, 422), url_name="evidence_item_list")
def list_items(request, filters: Query[EvidenceFilters]):
    """Evidence items of the customers you may see, oldest first."""
    user = caller(request)
    require(user, "evidence.view_evidenceitem")
    items = queries.visible_items(user)
    if filters.customer:
        items = items.filter(customer__code=filters.customer)
    return page(items, filters.limit, filters.offset)


@router.get("/evidence/items/{item_id}", response=answers(EvidenceItemOut, 403, 404, 422),
            url_name="evidence_item_detail")
def get_item(request, item_id: ItemId):
    """One item: its file's SHA-256, size and sniffed type, its place in the ledger."""
    user = caller(request)
    require(user, "evidence.view_evidenceitem")
    item = queries.visible_items(user).filter(pk=item_id).first()
    if item is None:
        raise Http404(f"No evidence item {item_id} in your portfolio.")
    return item


@router.get("/evidence/verify", response=answers(VerifyOut, 403, 422), url_name="evidence_verify")
def verify(request):
    """Check every stored file, row, link and anchor of the ledger (as `fengkong evidence verify`)."""
    user = caller(request)
    require(user, "evidence.verify_evidence")
    result = ledger.verify()
    return {**vars(result), "ok": result.ok, "problems": [vars(p) for p in result.problems]}
