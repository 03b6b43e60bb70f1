"""Legal pages under /legal/ (included by fengkong.urls)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.legal_worklist, name="legal-worklist"),
    path("calendar/", views.legal_calendar, name="legal-calendar"),
    path("<int:pk>/", views.legal_case, name="legal-case"),
]
