"""The contract register's forms: register a contract with its first document, upload a new version."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .choices import ContractKind


class DocumentField(forms.FileField):
    def validate(self, value):
        super().validate(value)
        if value and value.size > settings.CONTRACTS_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The document is larger than %(limit)s MB.") % {
                "limit": settings.CONTRACTS_MAX_UPLOAD_BYTES // (1024 * 1024)})


class ContractForm(forms.Form):
    customer = forms.CharField(label=_("Customer code"), max_length=40)
    number = forms.CharField(label=_("Contract number"), max_length=80)
    kind = forms.ChoiceField(label=_("Contract type"), choices=ContractKind.choices, initial=ContractKind.SALES)
    value = forms.DecimalField(label=_("Contract value"), min_value=0, max_digits=18, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    payment_term_days = forms.IntegerField(label=_("Payment term (days)"), min_value=0, max_value=3650, required=False)
    starts_on = forms.DateField(label=_("Starts on"), required=False)
    ends_on = forms.DateField(label=_("Ends on"), required=False)
    document = DocumentField(label=_("Document (PDF, DOCX or TXT)"))


class UploadForm(forms.Form):
    document = DocumentField(label=_("New version (PDF, DOCX or TXT)"))


class ApproveForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class SignOffForm(forms.Form):
    note = forms.CharField(label=_("What was found"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=4000)
    attachment = DocumentField(label=_("Evidence (file)"), required=False)
    registration_status = forms.CharField(label=_("Registration status"), required=False, max_length=40)
    legal_representative = forms.CharField(label=_("Legal representative"), required=False, max_length=80)
    registered_capital = forms.CharField(label=_("Registered capital"), required=False, max_length=40)

    def evidence(self) -> dict:
        return {k: self.cleaned_data.get(k, "") for k in ("registration_status", "legal_representative",
                                                          "registered_capital")}


class SignedForm(forms.Form):
    signed_on = forms.DateField(label=_("Signed on"))
