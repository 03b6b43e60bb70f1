"""The inbox page's form: how one's alerts arrive (a daily digest or each alert)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import AlertDelivery


class PreferenceForm(forms.Form):
    alerts = forms.ChoiceField(label=_("My alerts arrive as"), choices=AlertDelivery.choices,
                               widget=forms.RadioSelect)
