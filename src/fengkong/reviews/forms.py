"""The queue's filters and the decision forms (a rejection needs a reason)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import MAX_NOTE, ChangeStatus

ALL = "all"
KINDS = [("customer", _("Customer")), ("contact", _("Contact")), ("guarantee", _("Guarantee"))]


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("What"), required=False)
    customer = forms.CharField(label=_("Customer code"), required=False, max_length=40)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["status"].choices = [*ChangeStatus.choices, (ALL, _("All statuses"))]
        self.fields["kind"].choices = [("", _("Everything")), *KINDS]

    def filters(self) -> dict:
        self.is_valid()  # invalid values are dropped, never an error page
        return {k: v for k, v in self.cleaned_data.items() if v}


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Reason"), required=False, max_length=MAX_NOTE, strip=True,
                           widget=forms.Textarea(attrs={"rows": 2}))
