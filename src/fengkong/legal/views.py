"""Legal pages: the worklist (amount at risk, next deadline), a case with its timeline and its evidence tab
(each item's file and ledger entry checked), and the deadline calendar. Scoped by portfolio: a case outside
it is "not found"."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengkong.core.files import written_download
from fengkong.customers.queries import visible_customers
from fengkong.evidence.actions import Description, export_bundle
from fengkong.evidence.exceptions import EvidenceError
from fengkong.evidence.queries import items_of
from fengkong.evidence.views import serve_item
from fengkong.monitoring.choices import ActionKind
from fengkong.monitoring.models import ActionItem

from . import actions, firms, queries, stages
from .choices import CostKind
from .exceptions import LegalError
from .forms import (
    CostForm,
    DocumentForm,
    EndEngagementForm,
    EngageForm,
    FirmForm,
    FirmInvoiceForm,
    HearingForm,
    MoveForm,
    NoteForm,
    OpenCaseForm,
    PreservationDecisionForm,
    RecoveryForm,
    SeizureForm,
)
from .limitations import visible_limitations
from .models import LawFirm, works_for_firm
from .performance import case_money, firm_performance
from .preservation import signs_of

PAGE_SIZE = 50
INPUTS = {"date": "date", "money": "number", "bool": "checkbox"}


@login_required
@permission_required("legal.view_legalcase", raise_exception=True)
def legal_worklist(request):
    """The open cases, the strongest signs for property preservation now first (legal.preservation), then
    the largest amount at risk and the nearest deadline; the danger-zone customers without a case, by their
    signs; the referrals waiting."""
    user = request.user
    page = Paginator(queries.ranked_cases(user), PAGE_SIZE).get_page(request.GET.get("page"))
    referrals = (ActionItem.objects.for_user(user).open().filter(kind=ActionKind.LEGAL_REFERRAL,
                                                                  legal_case__isnull=True)
                 .select_related("customer").order_by("due_date", "pk")[:PAGE_SIZE])
    danger = queries.danger_zone_without_case(user) if user.has_perm("legal.view_preservationdecision") else []
    return render(request, "legal/worklist.html", {"page": page, "referrals": referrals, "danger": danger[:PAGE_SIZE],
                                                   "danger_count": len(danger),
                                                   "opens": user.has_perm("legal.open_case")})


@login_required
@permission_required("legal.view_legalcase", raise_exception=True)
def legal_case(request, pk: int):
    case = get_object_or_404(queries.visible_cases(request.user), pk=pk)
    firm_user = works_for_firm(request.user)
    allowed = [s for s in stages.allowed(case.stage) if not (firm_user and s in actions.COMPANY_DECIDES)]
    items, check = queries.case_evidence(request.user, case) if firm_user or request.user.has_perm(
        "evidence.view_evidenceitem") else ([], None)
    return render(request, "legal/case.html", {
        "case": case, "events": case.events.select_related("user"), "stages": case.stages.select_related("by"),
        "deadlines": case.deadlines.filter(done=False), "seizures": case.seizures.all(), "items": items,
        "check": check, "next": [(s, stages.label(s)) for s in allowed],
        "moves": [{"stage": s, "label": stages.label(s), "fields": [(name, INPUTS.get(kind, "text"), required)
                                                                     for name, (kind, required) in stages.FIELDS[s].items()]}
                  for s in allowed],
        "works": request.user.has_perm("legal.change_legalcase"),
        "approves": request.user.has_perm("legal.approve_restructuring"),
        "exports": request.user.has_perm("evidence.export_evidence"), "documents": DocumentForm(),
        "seizure": SeizureForm(), "hearing": HearingForm(), "firm_user": firm_user,
        "money": None if firm_user else case_money(case), "invoices": case.firm_invoices.all(),
        "manages": request.user.has_perm("legal.manage_firms"), "invoice_form": FirmInvoiceForm(),
        "cost_form": CostForm(), "recovery_form": RecoveryForm(), "cost_kinds": CostKind.choices,
        "books": request.user.has_perm("legal.add_casecost") and not firm_user,
        # a firm's user sees its own engagement, not the firms before it nor why they left
        "engagements": [] if firm_user else queries.engagement_history(case), "end_form": EndEngagementForm(),
        **preservation_context(request.user, case)})


def preservation_context(user, case) -> dict:
    """The signs for preservation now and the decisions of a case, for those who may read them."""
    if not user.has_perm("legal.view_preservationdecision"):
        return {}
    return {"signs": signs_of([case.customer], user)[case.customer_id],
            "decisions": queries.decisions_of(user, case=case),
            "decides": user.has_perm("legal.decide_preservation") and case.stage != "closed",
            "decision_form": PreservationDecisionForm(),
            "preservation_move": next((s for s in stages.allowed(case.stage) if s == "preservation"), None)}


@require_POST
@login_required
@permission_required("legal.decide_preservation", raise_exception=True)
def legal_preservation_case(request, pk: int):
    form = PreservationDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(reverse("legal-case", args=[pk]) + "#preservation")
    data = form.cleaned_data
    case = get_object_or_404(queries.visible_cases(request.user), pk=pk)
    try:
        actions.decide_preservation(actor=request.user, case=case, decision=data["decision"], reason=data["reason"])
    except LegalError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("The preservation decision is recorded."))
    return redirect(reverse("legal-case", args=[case.pk]) + "#preservation")


@require_POST
@login_required
@permission_required("legal.decide_preservation", raise_exception=True)
def legal_preservation_customer(request, code: str):
    customer = get_object_or_404(visible_customers(request.user), code=code)
    back = reverse("customer-detail", kwargs={"code": customer.code}) + "#preservation"
    form = PreservationDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(back)
    data = form.cleaned_data
    try:
        actions.decide_preservation(actor=request.user, customer=customer, decision=data["decision"],
                                    reason=data["reason"])
    except LegalError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("The preservation decision is recorded."))
    return redirect(back)


@login_required
@permission_required("legal.view_legaldeadline", raise_exception=True)
def legal_calendar(request):
    page = Paginator(queries.calendar(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    ending = [] if works_for_firm(request.user) else visible_limitations(request.user, timezone.localdate())[:PAGE_SIZE]
    return render(request, "legal/calendar.html", {"page": page, "limitations": ending})


def refused(request, exc: Exception) -> None:
    problems = getattr(exc, "problems", None)
    messages.error(request, "; ".join(problems) if problems else str(exc))


def form_errors(form) -> str:
    return "; ".join(f"{form.fields[name].label if name in form.fields else name}: {' '.join(errors)}"
                     for name, errors in form.errors.items())


@require_POST
@login_required
@permission_required("legal.open_case", raise_exception=True)
def legal_open(request):
    form = OpenCaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("legal-worklist")
    data = form.cleaned_data
    customer = get_object_or_404(visible_customers(request.user), code=data["customer"])
    referral = None
    if data["referral"]:
        referral = get_object_or_404(ActionItem.objects.for_user(request.user), pk=data["referral"])
    zero = Decimal("0.00")
    principal = data["principal"]
    if principal is None and referral is not None:
        principal = actions.open_referral_claim(referral).principal
    claim = actions.Claim(principal if principal is not None else zero, data["interest"] or zero,
                          data["liquidated_damages"] or zero, data["costs"] or zero)
    try:
        case = actions.open_case(actor=request.user, customer=customer, claim=claim, summary=data["summary"],
                                 referral=referral)
    except LegalError as exc:
        refused(request, exc)
        return redirect("legal-worklist")
    messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
    return redirect("legal-case", case.pk)


def case_step(request, pk: int, step, done: str):
    case = get_object_or_404(queries.visible_cases(request.user), pk=pk)
    try:
        step(case)
    except (LegalError, EvidenceError) as exc:
        refused(request, exc)
    else:
        messages.success(request, done)
    return redirect("legal-case", case.pk)


@require_POST
@login_required
@permission_required("legal.change_legalcase", raise_exception=True)
def legal_move(request, pk: int):
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("legal-case", pk)
    stage = form.cleaned_data["stage"]
    details = {name: request.POST[name] for name in stages.FIELDS.get(stage, {}) if request.POST.get(name)}
    return case_step(request, pk, lambda case: actions.move_case(actor=request.user, case=case, stage=stage,
                                                                 details=details, note=form.cleaned_data["note"]),
                     _("The case moved to “%(stage)s”.") % {"stage": stages.label(stage)})


@require_POST
@login_required
@permission_required("legal.change_legalcase", raise_exception=True)
def legal_document(request, pk: int):
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("legal-case", pk)
    data, upload = form.cleaned_data, form.cleaned_data["file"]
    description = Description(title=data["title"], source=data["source"], shows=data["shows"],
                              occurred_on=data["occurred_on"], pages=data["pages"])
    return case_step(request, pk, lambda case: actions.attach_document(
        actor=request.user, case=case, chunks=upload.chunks(), filename=upload.name, description=description),
        _("The document is kept as evidence."))


@require_POST
@login_required
@permission_required("legal.change_legalcase", raise_exception=True)
def legal_seizure(request, pk: int):
    form = SeizureForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("legal-case", pk)
    return case_step(request, pk, lambda case: actions.record_seizure(actor=request.user, case=case,
                                                                      **form.cleaned_data),
                     _("The seizure is recorded, with its renewal reminder."))


@require_POST
@login_required
@permission_required("legal.change_legalcase", raise_exception=True)
def legal_hearing(request, pk: int):
    form = HearingForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("legal-case", pk)
    return case_step(request, pk, lambda case: actions.add_hearing(actor=request.user, case=case,
                                                                   **form.cleaned_data),
                     _("The hearing is on the calendar."))


@require_POST
@login_required
@permission_required("legal.approve_restructuring", raise_exception=True)
def legal_approve(request, pk: int):
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return case_step(request, pk, lambda case: actions.approve_restructuring(actor=request.user, case=case,
                                                                             note=note),
                     _("The restructuring is approved."))


@login_required
@permission_required(["legal.view_legalcase", "evidence.export_evidence"], raise_exception=True)
def legal_bundle(request, pk: int):
    """The case's court bundle (evidence.bundle) as a download; the export is audited."""
    case = get_object_or_404(queries.visible_cases(request.user), pk=pk)
    items = list(items_of(request.user, case))
    if not items:
        messages.error(request, _("There is no evidence to put in a bundle."))
        return redirect("legal-case", case.pk)
    title = f"{case.number} {case.customer.name}"
    try:
        return written_download(lambda path: export_bundle(actor=request.user, items=items, title=title, out=path),
                                filename=f"{case.number}-bundle.zip", content_type="application/zip")
    except EvidenceError as exc:
        refused(request, exc)
        return redirect("legal-case", case.pk)


@login_required
@permission_required("legal.view_legalcase", raise_exception=True)
def legal_document_download(request, pk: int, item_id: int):
    """A document of a case, for whoever may see the case (a law firm's user included); as an attachment of
    the type sniffed from its bytes, like the evidence store's own download."""
    if not (works_for_firm(request.user) or request.user.has_perm("evidence.view_evidenceitem")):
        raise PermissionDenied("evidence.view_evidenceitem")
    case = get_object_or_404(queries.visible_cases(request.user), pk=pk)
    return serve_item(get_object_or_404(queries.case_items(request.user, case), pk=item_id))


@login_required
@permission_required("legal.view_lawfirm", raise_exception=True)
def legal_firms(request):
    """The register of law firms and how each does (recovery rate, days to judgment, cost per yuan)."""
    performance = firm_performance(request.user)
    engage = EngageForm()
    engage.fields["firm"].widget.choices = [(f.pk, f.name) for f in LawFirm.objects.filter(active=True)]
    return render(request, "legal/firms.html", {
        "rows": performance, "stages": [(s, stages.label(s)) for s in stages.ORDER],
        "manages": request.user.has_perm("legal.manage_firms"), "firm_form": FirmForm(), "engage_form": engage})


@require_POST
@login_required
@permission_required("legal.manage_firms", raise_exception=True)
def legal_firm_register(request):
    form = FirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("legal-firms")
    try:
        firm = firms.register_firm(actor=request.user, **form.cleaned_data)
    except LegalError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("%(firm)s is registered.") % {"firm": firm.name})
    return redirect("legal-firms")


@require_POST
@login_required
@permission_required("legal.manage_firms", raise_exception=True)
def legal_engage(request):
    form = EngageForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("legal-firms")
    data = form.cleaned_data
    firm = get_object_or_404(LawFirm, pk=data["firm"])
    numbers = [n for n in data["cases"].replace(",", " ").replace("，", " ").split() if n]
    cases = list(queries.visible_cases(request.user).filter(number__in=numbers))
    missing = sorted(set(numbers) - {c.number for c in cases})
    if missing:
        messages.error(request, _("No legal case %(numbers)s in your portfolio.") % {"numbers": ", ".join(missing)})
        return redirect("legal-firms")
    zero = Decimal("0.00")
    fees = firms.FeeArrangement(data["fee_kind"], data["fixed_fee"] or zero, data["hourly_rate"] or zero,
                                data["contingency_share"] or zero)
    try:
        engagement = firms.engage_firm(actor=request.user, firm=firm, cases=cases, fees=fees,
                                       engaged_on=data["engaged_on"], note=data["note"])
    except LegalError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("%(firm)s is engaged on %(count)s cases (%(number)s).") % {
            "firm": firm.name, "count": len(cases), "number": engagement.number})
    return redirect("legal-firms")


@require_POST
@login_required
@permission_required("legal.manage_firms", raise_exception=True)
def legal_firm_invoice(request, pk: int):
    form = FirmInvoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("legal-case", pk)
    data = form.cleaned_data
    return case_step(request, pk, lambda case: firms.record_firm_invoice(
        actor=request.user, case=case, number=data["number"], issued_on=data["issued_on"], amount=data["amount"],
        hours=data["hours"] or Decimal("0.00")), _("The firm's invoice is recorded as lawyers' fees."))


@require_POST
@login_required
@permission_required("legal.manage_firms", raise_exception=True)
def legal_end_engagement(request, pk: int):
    """End the engagement of the case's firm (on every case it covers), with the date and the reason."""
    form = EndEngagementForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(reverse("legal-case", args=[pk]) + "#firm")
    case = get_object_or_404(queries.visible_cases(request.user), pk=pk)
    if case.engagement_id is None:
        messages.error(request, _("No law firm is engaged on this case."))
    else:
        try:
            ended = firms.end_engagement(actor=request.user, engagement=case.engagement, **form.cleaned_data)
        except LegalError as exc:
            refused(request, exc)
        else:
            messages.success(request, _("The engagement %(number)s of %(firm)s ended on %(day)s.") % {
                "number": ended.number, "firm": ended.firm.name, "day": ended.ended_on})
    return redirect(reverse("legal-case", args=[case.pk]) + "#firm")


@require_POST
@login_required
@permission_required("legal.add_casecost", raise_exception=True)
def legal_cost(request, pk: int):
    form = CostForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("legal-case", pk)
    return case_step(request, pk, lambda case: firms.record_cost(actor=request.user, case=case, **form.cleaned_data),
                     _("The cost is recorded."))


@require_POST
@login_required
@permission_required("legal.add_recovery", raise_exception=True)
def legal_recovery(request, pk: int):
    form = RecoveryForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("legal-case", pk)
    return case_step(request, pk, lambda case: firms.record_recovery(actor=request.user, case=case,
                                                                     **form.cleaned_data),
                     _("The recovery is recorded."))
