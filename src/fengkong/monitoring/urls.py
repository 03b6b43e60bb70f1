"""Monitoring pages under /monitoring/ (included by fengkong.urls)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="monitoring-dashboard"),
    path("aging.xlsx", views.aging_xlsx, name="monitoring-aging-xlsx"),
    path("alerts/", views.alert_list, name="monitoring-alerts"),
    path("alerts/acknowledge/", views.alert_bulk_acknowledge, name="monitoring-alerts-acknowledge"),
    path("alerts/<int:pk>/", views.alert_detail, name="monitoring-alert"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="monitoring-alert-acknowledge"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="monitoring-alert-resolve"),
    path("actions/", views.action_list, name="monitoring-actions"),
    path("actions/<int:pk>/done/", views.action_done, name="monitoring-action-done"),
    path("actions/<int:pk>/document/", views.action_document, name="monitoring-action-document"),
    path("stop-supply/", views.stop_supply_list, name="monitoring-stop-supply"),
    path("stop-supply/<int:pk>/lift/", views.stop_supply_lift, name="monitoring-stop-supply-lift"),
]
