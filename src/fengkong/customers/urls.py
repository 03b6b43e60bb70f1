"""The customer list and the customer page under /customers/ (included by fengkong.urls)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.customer_list, name="customer-list"),
    path("<key:code>/", views.customer_detail, name="customer-detail"),
]
