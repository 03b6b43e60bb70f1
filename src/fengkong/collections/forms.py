"""Forms of the collections pages: the worklist's filters, a contact (two taps on a phone: the channel, then the
outcome button), a promise, a dispute, resolving a dispute, reassigning a case.

Filter forms never make an error page: invalid values are dropped. The other forms turn their input into
the actions' arguments; what only the action can judge (an amount above what is owed) comes back from it.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from fengkong.core.permissions import users_with_perm

from .actions import MAX_DURATION, ContactIn
from .choices import (
    Behaviour,
    CasePromise,
    CaseStatus,
    Channel,
    DisputeReason,
    DisputeResolution,
    DisputeTeam,
    Outcome,
)

MINE, UNOWNED, ANYONE = "mine", "unowned", "all"
MAX_INVOICES = 200


def _blank(choices, label):
    return [("", label), *choices]


class WorklistFilterForm(forms.Form):
    q = forms.CharField(label=_("Customer"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Code or name")}))
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    zone = forms.TypedChoiceField(label=_("Zone"), required=False, coerce=int, empty_value=None)
    promise = forms.ChoiceField(label=_("Promise"), required=False)
    due = forms.BooleanField(label=_("Next action due today or earlier"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["owner"].choices = [("", _("Anyone")), (MINE, _("Mine")), (UNOWNED, _("Nobody yet"))]
        self.fields["zone"].choices = _blank([(0, _("Normal")), (1, _("Attention")), (2, _("Warning")),
                                              (3, _("Danger"))], _("All zones"))
        self.fields["promise"].choices = _blank(CasePromise.choices, _("Any promise status"))
        self.fields["status"].choices = [("", _("Open")), (CaseStatus.CLOSED, _("Closed")), (ANYONE, _("All"))]

    def filters(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


def filter_cases(cases: QuerySet, filters: dict, user, today) -> QuerySet:
    """Apply the worklist's filters to an (already scoped) case queryset."""
    status = filters.get("status")
    if status != ANYONE:
        cases = cases.filter(status=status or CaseStatus.OPEN)
    if text := filters.get("q", "").strip():
        cases = cases.filter(Q(customer__code__icontains=text) | Q(customer__name__icontains=text))
    if filters.get("owner") == MINE:
        cases = cases.filter(owner=user)
    elif filters.get("owner") == UNOWNED:
        cases = cases.filter(owner__isnull=True)
    if (zone := filters.get("zone")) is not None:
        cases = cases.filter(zone=zone)
    if promise := filters.get("promise"):
        cases = cases.filter(promise_status=promise)
    if filters.get("due"):
        cases = cases.filter(next_action_on__lte=today)
    return cases


class ContactForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE,
                                widget=forms.RadioSelect)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    person = forms.CharField(label=_("Contact person"), required=False, max_length=80)
    at = forms.DateTimeField(label=_("Time (empty: now)"), required=False,
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), required=False, min_value=0,
                                          max_value=MAX_DURATION // 60)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    next_follow_up = forms.DateField(label=_("Next follow-up"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    attachment = forms.FileField(label=_("Attachment (letter, recording)"), required=False)

    def contact(self) -> ContactIn:
        data = self.cleaned_data
        return ContactIn(channel=data["channel"], outcome=data["outcome"], at=data.get("at"),
                         person=data.get("person") or "", duration_seconds=(data.get("duration_minutes") or 0) * 60,
                         notes=data.get("notes") or "", next_follow_up=data.get("next_follow_up"))


class InvoiceChoiceForm(forms.Form):
    """A form naming some of the customer's open invoices."""

    invoices = forms.MultipleChoiceField(label=_("Invoices"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, data=None, *, invoices=(), **kwargs):
        super().__init__(data, **kwargs)
        self.open_invoices = {str(i.pk): i for i in invoices}
        self.fields["invoices"].choices = [(str(i.pk), f"{i.number} · {i.open_amount}") for i in invoices]

    def chosen(self) -> list:
        return [self.open_invoices[pk] for pk in self.cleaned_data.get("invoices", [])[:MAX_INVOICES]]


class PromiseForm(InvoiceChoiceForm):
    amount = forms.DecimalField(label=_("Amount promised"), max_digits=18, decimal_places=2)
    due_date = forms.DateField(label=_("Promised date"), widget=forms.DateInput(attrs={"type": "date"}))
    field_order = ["amount", "due_date", "invoices"]


class DisputeForm(InvoiceChoiceForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=DisputeReason.choices)
    team = forms.ChoiceField(label=_("Answered by"), choices=DisputeTeam.choices)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=get_user_model().objects.none())
    amount = forms.DecimalField(label=_("Amount in dispute (one invoice; empty: all it owes)"), required=False,
                                max_digits=18, decimal_places=2)
    due_date = forms.DateField(label=_("Answer by (empty: the policy's days)"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(label=_("What the customer says"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["invoices", "amount", "reason", "team", "owner", "due_date", "description"]

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["owner"].queryset = users_with_perm("collections.resolve_dispute").order_by("username")

    def clean(self):
        data = super().clean()
        if not data.get("invoices"):
            self.add_error("invoices", _("Name at least one invoice in dispute."))
        elif data.get("amount") is not None and len(data["invoices"]) != 1:
            self.add_error("amount", _("A part of an amount is disputed on one invoice at a time."))
        return data


class ResolveDisputeForm(forms.Form):
    resolution = forms.ChoiceField(label=_("Resolution"), choices=DisputeResolution.choices)
    root_cause = forms.CharField(label=_("Root cause"), max_length=200)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ReassignForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("New owner"), queryset=get_user_model().objects.none())

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["owner"].queryset = users_with_perm("collections.add_contact").order_by("username")


class BehaviourForm(forms.Form):
    """Why the customer does not pay, as the collector judges it; it chooses the case's strategy."""

    behaviour = forms.ChoiceField(label=_("Behaviour"), choices=Behaviour.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Why"), max_length=300,
                             widget=forms.TextInput(attrs={"placeholder": _("e.g. a big customer of theirs paid late")}))


class PerformanceForm(forms.Form):
    """The period of the performance page, as ?from=YYYY-MM-DD&to=YYYY-MM-DD (empty: the last full month)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # ISO in the value whatever the language: a date input shows nothing for another format
        self.fields["from"] = forms.DateField(label=_("From"), required=False,
                                              widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
        self.fields["to"] = forms.DateField(label=_("To"), required=False,
                                            widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("from") and data.get("to") and data["from"] > data["to"]:
            self.add_error("to", _("The period runs backwards: %(to)s is before %(start)s.")
                           % {"to": data["to"].isoformat(), "start": data["from"].isoformat()})
        return data


PLAN_ROWS = 12  # instalment rows on the propose form (the policy may allow more through the API)


class PlanForm(InvoiceChoiceForm):
    """A plan: the amount it covers, the invoices (none ticked: the oldest first) and up to PLAN_ROWS
    instalments, each a date and an amount; empty rows are left out."""

    amount = forms.DecimalField(label=_("Amount the plan covers"), max_digits=18, decimal_places=2, min_value=0)
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["amount", "invoices", "note"]

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        for n in range(1, PLAN_ROWS + 1):
            self.fields[f"due_date_{n}"] = forms.DateField(label=_("Instalment %(n)s: date") % {"n": n},
                                                           required=False,
                                                           widget=forms.DateInput(attrs={"type": "date"}))
            self.fields[f"amount_{n}"] = forms.DecimalField(label=_("Instalment %(n)s: amount") % {"n": n},
                                                            required=False, max_digits=18, decimal_places=2)

    def main_fields(self) -> list:
        return [self[name] for name in ("amount", "invoices", "note")]

    def rows(self) -> list[tuple[int, object, object]]:
        return [(n, self[f"due_date_{n}"], self[f"amount_{n}"]) for n in range(1, PLAN_ROWS + 1)]

    def clean(self):
        data = super().clean()
        for n in range(1, PLAN_ROWS + 1):
            due, amount = data.get(f"due_date_{n}"), data.get(f"amount_{n}")
            if (due is None) != (amount is None) and not self.errors.get(f"due_date_{n}") \
                    and not self.errors.get(f"amount_{n}"):
                self.add_error(f"amount_{n}" if amount is None else f"due_date_{n}",
                               _("Instalment %(n)s needs both a date and an amount.") % {"n": n})
        return data

    def schedule(self) -> list[tuple[object, object]]:
        """The filled rows as (date, amount), in the order given."""
        data = self.cleaned_data
        return [(data[f"due_date_{n}"], data[f"amount_{n}"]) for n in range(1, PLAN_ROWS + 1)
                if data.get(f"due_date_{n}") is not None and data.get(f"amount_{n}") is not None]


class PlanDecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class BillForm(InvoiceChoiceForm):
    """An acceptance bill the customer handed over; endorsers one a line; no invoice ticked: the oldest first."""

    number = forms.CharField(label=_("Bill number"), max_length=40)
    acceptor_name = forms.CharField(label=_("Acceptor"), max_length=200)
    acceptor_uscc = forms.CharField(label=_("Acceptor's unified social credit code"), max_length=18, required=False)
    amount = forms.DecimalField(label=_("Amount"), max_digits=18, decimal_places=2)
    issue_date = forms.DateField(label=_("Date of issue"), widget=forms.DateInput(attrs={"type": "date"}))
    maturity_date = forms.DateField(label=_("Maturity date"), widget=forms.DateInput(attrs={"type": "date"}))
    endorsers = forms.CharField(label=_("Endorsements (one endorser a line)"), required=False, max_length=4000,
                                widget=forms.Textarea(attrs={"rows": 3}))
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["number", "acceptor_name", "acceptor_uscc", "amount", "issue_date", "maturity_date", "endorsers",
                   "invoices", "note"]

    def endorser_list(self) -> tuple[str, ...]:
        return tuple(line.strip() for line in (self.cleaned_data.get("endorsers") or "").splitlines() if line.strip())


class BillReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason for dishonour"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
