"""The exchange-rate form: finance adds or corrects one rate (receivables.actions.save_fx_rate checks it)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class FxRateForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    currency = forms.CharField(label=_("Currency"), max_length=12,
                               help_text=_("ISO 4217 code, e.g. USD, EUR, HKD, JPY, GBP"))
    rate = forms.CharField(label=_("Rate to the functional currency"), max_length=30,
                           help_text=_("Units of the functional currency for one unit of the currency"))
    source = forms.CharField(label=_("Source"), max_length=80, required=False)
