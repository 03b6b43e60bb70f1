"""The forms of the legal pages: parse what a legal officer typed; the actions decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from fengkong.evidence.choices import EvidenceSource

from .choices import CostKind, FeeKind, PreservationChoice, SeizureKind, Stage

MONEY = {"max_digits": 18, "decimal_places": 2, "min_value": Decimal("0")}


class OpenCaseForm(forms.Form):
    customer = forms.CharField(label=_("Customer code"), max_length=40)
    referral = forms.IntegerField(label=_("Referral task"), required=False, min_value=1,
                                  help_text=_("The danger-zone referral this case takes over, if any."))
    principal = forms.DecimalField(label=_("Principal"), required=False, **MONEY,
                                   help_text=_("Empty for a referral: its customer's overdue amount."))
    interest = forms.DecimalField(label=_("Interest"), required=False, **MONEY)
    liquidated_damages = forms.DecimalField(label=_("Liquidated damages"), required=False, **MONEY)
    costs = forms.DecimalField(label=_("Costs"), required=False, **MONEY)
    summary = forms.CharField(label=_("Summary"), required=False, max_length=2000, widget=forms.Textarea)


class MoveForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=[c for c in Stage.choices if c[0] != Stage.OPENED])
    note = forms.CharField(label=_("Decision"), required=False, max_length=2000)


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    title = forms.CharField(label=_("Name"), max_length=200)
    source = forms.ChoiceField(label=_("Source"), choices=EvidenceSource.choices)
    shows = forms.CharField(label=_("What it proves"), required=False, max_length=2000)
    occurred_on = forms.DateField(label=_("Date"), required=False)
    pages = forms.IntegerField(label=_("Pages"), required=False, min_value=1, max_value=100_000)


class SeizureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SeizureKind.choices)
    description = forms.CharField(label=_("What was seized"), max_length=200)
    amount = forms.DecimalField(label=_("Amount"), **MONEY)
    seized_on = forms.DateField(label=_("Seized on"))
    expires_on = forms.DateField(label=_("Expires on"), required=False,
                                 help_text=_("Leave empty for the longest the law allows."))


class HearingForm(forms.Form):
    on = forms.DateField(label=_("Hearing date"))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class FirmForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, required=False)
    contact = forms.CharField(label=_("Contact person"), max_length=60, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)


class EngageForm(forms.Form):
    firm = forms.IntegerField(label=_("Law firm"), min_value=1, widget=forms.Select)
    cases = forms.CharField(label=_("Case numbers"), max_length=4000,
                            help_text=_("One case, or a batch of standard cases separated by commas or spaces."))
    fee_kind = forms.ChoiceField(label=_("Fee arrangement"), choices=FeeKind.choices)
    fixed_fee = forms.DecimalField(label=_("Fixed fee per case"), required=False, **MONEY)
    hourly_rate = forms.DecimalField(label=_("Hourly rate"), required=False, **MONEY)
    contingency_share = forms.DecimalField(label=_("Contingency share of recoveries (%)"), required=False,
                                           max_digits=5, decimal_places=2, min_value=Decimal("0"),
                                           max_value=Decimal("100"))
    engaged_on = forms.DateField(label=_("Engaged on"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class EndEngagementForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"))
    reason = forms.CharField(label=_("Why"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class FirmInvoiceForm(forms.Form):
    number = forms.CharField(label=_("Invoice number"), max_length=40)
    issued_on = forms.DateField(label=_("Issued on"))
    amount = forms.DecimalField(label=_("Amount"), **MONEY)
    hours = forms.DecimalField(label=_("Hours"), required=False, max_digits=8, decimal_places=2,
                               min_value=Decimal("0"))


class CostForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[c for c in CostKind.choices if c[0] != CostKind.LAWYER_FEE])
    amount = forms.DecimalField(label=_("Amount"), required=False, **MONEY,
                                help_text=_("Empty for a court fee: the scale's acceptance fee of the claim."))
    incurred_on = forms.DateField(label=_("Date"))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class RecoveryForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), **MONEY)
    received_on = forms.DateField(label=_("Received on"))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class PreservationDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=PreservationChoice.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Why"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
