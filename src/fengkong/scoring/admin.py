"""Admin pages of the model registry: read-only. Models change only through scoring.registry
(register, promotion requests and decisions, rollback), so every change is checked and audited."""

from __future__ import annotations

from django.contrib import admin

from fengkong.core.admin import ReadOnlyAdmin

from .models import (
    CashForecast,
    CustomerModelScore,
    InvoicePrediction,
    ModelMonitor,
    ModelVersion,
    PromotionRequest,
)


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyAdmin):
    list_display = ("use", "version", "kind", "status", "registered_by", "registered_at", "promoted_at", "retired_at")
    list_filter = ("use", "kind", "status")
    search_fields = ("note", "data_sha256", "directory")


@admin.register(PromotionRequest)
class PromotionRequestAdmin(ReadOnlyAdmin):
    list_display = ("model", "status", "requested_by", "requested_at", "decided_by", "decided_at")
    list_filter = ("status",)


@admin.register(ModelMonitor)
class ModelMonitorAdmin(ReadOnlyAdmin):
    list_display = ("model", "as_of", "rows", "score_psi", "drifted")
    list_filter = ("drifted",)
    date_hierarchy = "as_of"


@admin.register(CustomerModelScore)
class CustomerModelScoreAdmin(ReadOnlyAdmin):
    customer_path = "customer"
    list_display = ("customer", "model", "as_of", "probability", "score")
    search_fields = ("customer__code", "customer__name")


@admin.register(InvoicePrediction)
class InvoicePredictionAdmin(ReadOnlyAdmin):
    customer_path = "customer"
    list_display = ("invoice", "customer", "as_of", "open_amount", "p_late", "expected_date", "expected_loss")
    search_fields = ("invoice__number", "customer__code", "customer__name")


@admin.register(CashForecast)
class CashForecastAdmin(ReadOnlyAdmin):
    list_display = ("model", "as_of", "open_amount", "created_at")
    date_hierarchy = "as_of"
