"""Contract pages (/contracts/): the register, a contract with its document and flags side by side (the
clauses highlighted), registering a contract with its document, new versions, submit and approve.

Contracts are read through queries.visible_contracts (core.permissions.scope): a contract of a customer
outside the user's portfolio is "not found". The actions check the role, the portfolio and maker-checker,
and audit; a refusal is shown on the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fengkong.customers.queries import visible_customers

from . import actions, queries
from .choices import SEVERITY_COLOURS, ContractStatus
from .exceptions import ContractError
from .forms import ApproveForm, ContractForm, SignedForm, SignOffForm, UploadForm
from .wording import CLAUSE_NAMES


@login_required
@permission_required("contracts.view_contract", raise_exception=True)
def contract_list(request):
    contracts = queries.visible_contracts(request.user)
    if status := request.GET.get("status"):
        contracts = contracts.filter(status=status)
    if code := request.GET.get("customer"):
        contracts = contracts.filter(customer__code=code)
    return render(request, "contracts/list.html", {
        "contracts": contracts[:500], "statuses": ContractStatus.choices, "status": status or "",
        "may_add": request.user.has_perm("contracts.add_contract")})


@login_required
@permission_required("contracts.view_contract", raise_exception=True)
def contract_detail(request, pk: int):
    contract = get_object_or_404(queries.visible_contracts(request.user), pk=pk)
    document = contract.latest_document()
    clauses = []
    if document:
        clauses = [{**f, "name": CLAUSE_NAMES.get(f["type"], f["type"])} for f in document.findings]
    user = request.user
    return render(request, "contracts/detail.html", {
        "contract": contract, "document": document, "clauses": clauses,
        "pieces": queries.marked_text(document.text, document.findings) if document else [],
        "flags": [{**f, "colour": SEVERITY_COLOURS.get(f["severity"], "")} for f in (document.flags if document else [])],
        "versions": contract.documents.all(), "upload_form": UploadForm(), "approve_form": ApproveForm(),
        "may_upload": user.has_perm("contracts.change_contract") and contract.status in (
            ContractStatus.DRAFT, ContractStatus.IN_REVIEW),
        "may_submit": user.has_perm("contracts.submit_contract") and contract.status == ContractStatus.DRAFT,
        "may_approve": user.has_perm("contracts.approve_contract") and contract.status == ContractStatus.IN_REVIEW
        and user.pk not in (contract.created_by_id, contract.submitted_by_id),
        "may_mark_signed": user.has_perm("contracts.change_contract") and contract.status == ContractStatus.APPROVED,
        "signed_form": SignedForm(),
        "checklist": contract.checklist.select_related("signed_off_by"), "sign_off_form": SignOffForm(),
        "may_sign_off": user.has_perm("contracts.change_contract") and contract.status in (
            ContractStatus.DRAFT, ContractStatus.IN_REVIEW),
        "invoices": contract.invoices().order_by("-issue_date")[:50] if contract.customer_id else [],
    })


@login_required
@permission_required("contracts.add_contract", raise_exception=True)
def contract_new(request):
    form = ContractForm(request.POST or None, request.FILES or None,
                        initial={"customer": request.GET.get("customer", "")[:40]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = visible_customers(request.user).filter(code=data["customer"]).first()
        if customer is None:
            form.add_error("customer", _("No customer %(code)s in your portfolios.") % {"code": data["customer"]})
        else:
            upload = data["document"]
            try:
                with transaction.atomic():
                    contract = actions.register_contract(
                        actor=request.user, customer=customer, number=data["number"], kind=data["kind"],
                        value=data["value"], currency=data["currency"] or None,
                        payment_term_days=data["payment_term_days"], starts_on=data["starts_on"],
                        ends_on=data["ends_on"])
                    actions.upload_document(actor=request.user, contract=contract, data=upload.read(),
                                            filename=upload.name)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except ContractError as exc:
                form.add_error("document", str(exc))
            else:
                return redirect("contract-detail", pk=contract.pk)
    return render(request, "contracts/new.html", {"form": form})


@require_POST
@login_required
@permission_required("contracts.change_contract", raise_exception=True)
def contract_upload(request, pk: int):
    contract = get_object_or_404(queries.visible_contracts(request.user), pk=pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("contract-detail", pk=pk)
    upload = form.cleaned_data["document"]
    return _step(request, contract, lambda: actions.upload_document(
        actor=request.user, contract=contract, data=upload.read(), filename=upload.name),
        _("The new version has been analysed."))


@require_POST
@login_required
@permission_required("contracts.submit_contract", raise_exception=True)
def contract_submit(request, pk: int):
    contract = get_object_or_404(queries.visible_contracts(request.user), pk=pk)
    return _step(request, contract, lambda: actions.submit_for_review(actor=request.user, contract=contract),
                 _("Submitted for review: another person approves it."))


@require_POST
@login_required
@permission_required("contracts.approve_contract", raise_exception=True)
def contract_approve(request, pk: int):
    contract = get_object_or_404(queries.visible_contracts(request.user), pk=pk)
    form = ApproveForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _step(request, contract, lambda: actions.approve_contract(actor=request.user, contract=contract, note=note),
                 _("Approved, with the flags of the latest version recorded."))


@require_POST
@login_required
@permission_required("contracts.change_contract", raise_exception=True)
def contract_signed(request, pk: int):
    contract = get_object_or_404(queries.visible_contracts(request.user), pk=pk)
    form = SignedForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("contract-detail", pk=pk)
    return _step(request, contract, lambda: actions.mark_signed(
        actor=request.user, contract=contract, signed_on=form.cleaned_data["signed_on"]), _("Marked as signed."))


@require_POST
@login_required
@permission_required("contracts.change_contract", raise_exception=True)
def checklist_sign_off(request, pk: int, code: str):
    contract = get_object_or_404(queries.visible_contracts(request.user), pk=pk)
    form = SignOffForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("contract-detail", pk=pk)
    return _step(request, contract, lambda: actions.sign_off_item(
        actor=request.user, contract=contract, code=code, evidence=form.evidence(), note=form.cleaned_data["note"],
        attachment=form.cleaned_data["attachment"]), _("Signed off."))


def _step(request, contract, step, done: str):
    try:
        step()
    except (ContractError, ValidationError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, done)
    return redirect("contract-detail", pk=contract.pk)
