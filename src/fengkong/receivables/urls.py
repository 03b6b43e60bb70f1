"""The exchange-rate page under /fx-rates/ (included by fengkong.urls)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.fx_rates, name="fx-rates"),
]
