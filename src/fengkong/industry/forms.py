from django import forms
from django.utils.translation import gettext_lazy as _

from fengkong.core import industries

from .choices import Direction, Frequency, Outlook

MAX_RELEASE_BYTES = 20 * 1024 * 1024


class IndicatorForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=120)
    industry = forms.ChoiceField(label=_("Industry"), choices=industries.choices)
    region = forms.CharField(label=_("Region (GB/T 2260 code)"), max_length=6, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=30)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    source = forms.CharField(label=_("Source"), max_length=120)
    direction = forms.ChoiceField(label=_("Direction of risk"), choices=Direction.choices)
    warning_level = forms.DecimalField(label=_("Warning threshold"), max_digits=20, decimal_places=4, required=False)
    alarm_level = forms.DecimalField(label=_("Alarm threshold"), max_digits=20, decimal_places=4, required=False)
    description = forms.CharField(label=_("Description"), max_length=500, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))


class ObservationForm(forms.Form):
    period = forms.DateField(label=_("Period (its last day)"), widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.DecimalField(label=_("Value"), max_digits=20, decimal_places=4)


class ReleaseForm(forms.Form):
    file = forms.FileField(label=_("Release file (CSV or XLSX)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_RELEASE_BYTES:
            raise forms.ValidationError(_("The file is larger than %(mb)d MB.") % {"mb": MAX_RELEASE_BYTES // 2**20})
        return upload


class OutlookForm(forms.Form):
    industry = forms.ChoiceField(label=_("Industry"), choices=industries.choices)
    outlook = forms.ChoiceField(label=_("Outlook"), choices=Outlook.choices)
    alarm = forms.BooleanField(label=_("Systemic alarm"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


def form_problems(form) -> str:
    """A form's errors as one line for a message."""
    return "; ".join(f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}".lstrip(": ")
                     for f, e in form.errors.items())
