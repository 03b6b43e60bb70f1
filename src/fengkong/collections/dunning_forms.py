"""Forms of the dunning page: write a letter (level, language, how it goes), pause dunning (a reason and an end
date, both required), record a delivery. What only the action can judge (nothing to list, a pause running) comes
back from it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import DunningLevel, LetterChannel, LetterLanguage

SEND_CHANNELS = [(LetterChannel.EMAIL.value, LetterChannel.EMAIL.label), (LetterChannel.POST.value, LetterChannel.POST.label)]
FORMATS = [("pdf", "PDF"), ("docx", "DOCX")]


class LetterForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=DunningLevel.choices, widget=forms.RadioSelect)
    language = forms.ChoiceField(label=_("Language"), choices=LetterLanguage.choices, widget=forms.RadioSelect)
    channel = forms.ChoiceField(label=_("Send by"), choices=SEND_CHANNELS, required=False, widget=forms.RadioSelect)
    recipient = forms.CharField(label=_("Email address"), required=False, max_length=254,
                                widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    ems_number = forms.CharField(label=_("EMS number"), required=False, max_length=40,
                                 widget=forms.TextInput(attrs={"placeholder": "EA123456789CN", "inputmode": "text"}))
    format = forms.ChoiceField(label=_("File"), choices=FORMATS, required=False)


class PauseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300,
                             widget=forms.TextInput(attrs={"placeholder": _("e.g. the customer's CFO asked for a "
                                                                            "reconciliation first")}))
    until = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))


class DeliveredForm(forms.Form):
    delivered_on = forms.DateField(label=_("Delivered on"), widget=forms.DateInput(attrs={"type": "date"}))
