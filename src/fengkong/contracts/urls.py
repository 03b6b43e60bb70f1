"""The contract register under /contracts/ (included by fengkong.urls)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.contract_list, name="contract-list"),
    path("new/", views.contract_new, name="contract-new"),
    path("<int:pk>/", views.contract_detail, name="contract-detail"),
    path("<int:pk>/upload/", views.contract_upload, name="contract-upload"),
    path("<int:pk>/submit/", views.contract_submit, name="contract-submit"),
    path("<int:pk>/approve/", views.contract_approve, name="contract-approve"),
    path("<int:pk>/signed/", views.contract_signed, name="contract-signed"),
    path("<int:pk>/checklist/<slug:code>/", views.checklist_sign_off, name="contract-checklist-sign-off"),
]
