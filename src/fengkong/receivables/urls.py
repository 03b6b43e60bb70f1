"""The ledger's pages: exchange rates under /fx-rates/, the AR reconciliation report under /reconciliation/
(included at the root by fengkong.urls)."""

from django.urls import path

from . import views

urlpatterns = [
    path("fx-rates/", views.fx_rates, name="fx-rates"),
    path("reconciliation/", views.reconciliation_page, name="reconciliation"),
    path("reconciliation/reconciliation.csv", views.reconciliation_csv, name="reconciliation-csv"),
    path("reconciliation/reconciliation.xlsx", views.reconciliation_xlsx, name="reconciliation-xlsx"),
]
