"""The customer list's search and filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fengkong.core import industries, regions

from .choices import CustomerStatus


def _with_blank(choices, blank_label):
    return [("", blank_label), *choices]


class CustomerFilterForm(forms.Form):
    """Search and filters of the customer list. Invalid values are dropped, never an error page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                                      "placeholder": _("Code, name or credit code")}))
    industry = forms.ChoiceField(label=_("Industry"), required=False)
    province = forms.ChoiceField(label=_("Region"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].choices = _with_blank(industries.choices(), _("All industries"))
        self.fields["province"].choices = _with_blank(regions.province_choices(), _("All regions"))
        self.fields["status"].choices = _with_blank(CustomerStatus.choices, _("All statuses"))

    def filters(self) -> dict[str, str]:
        """The valid, non-empty filter values (invalid fields are ignored)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}
