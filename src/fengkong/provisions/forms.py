from django import forms
from django.utils.translation import gettext_lazy as _


class ProposeForm(forms.Form):
    as_of = forms.DateField(label=_("Month-end"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("approve", _("Approve and lock the period")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
