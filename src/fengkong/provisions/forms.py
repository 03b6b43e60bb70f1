from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import WriteOffGround


class ProposeForm(forms.Form):
    as_of = forms.DateField(label=_("Month-end"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("approve", _("Approve and lock the period")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class WriteOffForm(forms.Form):
    invoice = forms.CharField(label=_("Invoice number"), max_length=60)
    amount = forms.CharField(label=_("Amount to write off"), max_length=24,
                             help_text=_("All or part of the invoice's open amount, such as 12345.67."))
    ground = forms.ChoiceField(label=_("Ground"), choices=WriteOffGround.choices)
    evidence = forms.CharField(label=_("Evidence items"), max_length=500,
                               help_text=_("The numbers of the evidence items that prove the ground, such as 12, 15."))
    statement = forms.CharField(label=_("Statement"), max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("What happened and what was done to collect (the special statement "
                                            "the tax office asks for)."))

    def clean_evidence(self) -> list[int]:
        parts = [p for p in self.cleaned_data["evidence"].replace("，", ",").replace("#", "").split(",") if p.strip()]
        try:
            return [int(p) for p in parts]
        except ValueError:
            raise forms.ValidationError(_("Give the evidence items' numbers separated by commas, such as 12, 15.")) \
                from None


class RecoveryForm(forms.Form):
    amount = forms.CharField(label=_("Amount recovered"), max_length=24)
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class WriteOffDecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
