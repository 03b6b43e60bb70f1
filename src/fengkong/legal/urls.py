"""Legal pages under /legal/ (included by fengkong.urls)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.legal_worklist, name="legal-worklist"),
    path("calendar/", views.legal_calendar, name="legal-calendar"),
    path("firms/", views.legal_firms, name="legal-firms"),
    path("firms/register/", views.legal_firm_register, name="legal-firm-register"),
    path("firms/engage/", views.legal_engage, name="legal-engage"),
    path("open/", views.legal_open, name="legal-open"),
    path("<int:pk>/", views.legal_case, name="legal-case"),
    path("<int:pk>/move/", views.legal_move, name="legal-move"),
    path("<int:pk>/bundle/", views.legal_bundle, name="legal-bundle"),
    path("<int:pk>/documents/", views.legal_document, name="legal-document"),
    path("<int:pk>/seizures/", views.legal_seizure, name="legal-seizure"),
    path("<int:pk>/hearings/", views.legal_hearing, name="legal-hearing"),
    path("<int:pk>/documents/<int:item_id>/", views.legal_document_download, name="legal-document-download"),
    path("<int:pk>/firm-invoices/", views.legal_firm_invoice, name="legal-firm-invoice"),
    path("<int:pk>/end-engagement/", views.legal_end_engagement, name="legal-end-engagement"),
    path("<int:pk>/costs/", views.legal_cost, name="legal-cost"),
    path("<int:pk>/recoveries/", views.legal_recovery, name="legal-recovery"),
    path("<int:pk>/approve-restructuring/", views.legal_approve, name="legal-approve"),
    path("<int:pk>/preservation/", views.legal_preservation_case, name="legal-preservation-case"),
    path("customers/<key:code>/preservation/", views.legal_preservation_customer, name="legal-preservation-customer"),
]
