"""The AR reconciliation report under /reconciliation/ (included by fengkong.urls)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.reconciliation_page, name="reconciliation"),
    path("reconciliation.csv", views.reconciliation_csv, name="reconciliation-csv"),
    path("reconciliation.xlsx", views.reconciliation_xlsx, name="reconciliation-xlsx"),
]
