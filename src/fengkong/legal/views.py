"""Legal pages: the worklist (amount at risk, next deadline), a case with its timeline and its evidence tab
(each item's file and ledger entry checked), and the deadline calendar. Scoped by portfolio: a case outside
it is "not found"."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from . import queries, stages

PAGE_SIZE = 50


@login_required
@permission_required("legal.view_legalcase", raise_exception=True)
def legal_worklist(request):
    page = Paginator(queries.worklist(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "legal/worklist.html", {"page": page})


@login_required
@permission_required("legal.view_legalcase", raise_exception=True)
def legal_case(request, pk: int):
    case = get_object_or_404(queries.visible_cases(request.user), pk=pk)
    items, check = queries.case_evidence(request.user, case) if request.user.has_perm(
        "evidence.view_evidenceitem") else ([], None)
    return render(request, "legal/case.html", {
        "case": case, "events": case.events.select_related("user"), "stages": case.stages.select_related("by"),
        "deadlines": case.deadlines.filter(done=False), "seizures": case.seizures.all(), "items": items,
        "check": check, "next": [(s, stages.label(s)) for s in stages.allowed(case.stage)]})


@login_required
@permission_required("legal.view_legaldeadline", raise_exception=True)
def legal_calendar(request):
    page = Paginator(queries.calendar(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "legal/calendar.html", {"page": page})
