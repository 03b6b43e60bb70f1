"""Admin pages of the industry app. Outlooks are set here through the same action as on the pages (the
alarm re-assesses the industry's customers); indicators and observations are read-only here: they change
through their actions on the industry pages, the API and `fengkong industry import`."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from fengkong.core import industries
from fengkong.core.admin import ReadOnlyAdmin

from .actions import set_outlook
from .models import Indicator, IndustryOutlook, Observation, OutlookChange


class IndustryOutlookForm(forms.ModelForm):
    industry = forms.ChoiceField(choices=industries.choices)

    class Meta:
        model = IndustryOutlook
        fields = ("industry", "outlook", "alarm", "note")


@admin.register(IndustryOutlook)
class IndustryOutlookAdmin(admin.ModelAdmin):
    form = IndustryOutlookForm
    list_display = ("industry", "outlook", "alarm", "note", "updated_by", "updated_at")
    list_filter = ("outlook", "alarm")
    fields = ("industry", "outlook", "alarm", "note")

    def get_readonly_fields(self, request, obj=None):
        return ("industry",) if obj else ()

    def save_model(self, request, obj, form, change):
        saved = set_outlook(actor=request.user, industry=obj.industry, outlook=obj.outlook, alarm=obj.alarm,
                            note=obj.note)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutlookChange)
class OutlookChangeAdmin(ReadOnlyAdmin):
    list_display = ("changed_at", "industry", "outlook", "alarm", "source", "changed_by")
    list_filter = ("industry", "outlook", "alarm")


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "industry", "region", "unit", "frequency", "direction")
    list_filter = ("industry", "frequency")
    search_fields = ("code", "name")


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "period", "value", "source", "entered_by")
    list_filter = ("source",)
