"""Evidence pages under /evidence/ (included by fengkong.urls)."""

from django.urls import path

from . import views

urlpatterns = [
    path("verify/", views.evidence_verify, name="evidence-verify"),
    path("<int:pk>/download/", views.evidence_download, name="evidence-download"),
]
