"""The dual-review queue under /reviews/ (included by fengkong.urls)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.review_queue, name="review-queue"),
    path("<int:pk>/confirm/", views.review_confirm, name="review-confirm"),
    path("<int:pk>/reject/", views.review_reject, name="review-reject"),
    path("<int:pk>/withdraw/", views.review_withdraw, name="review-withdraw"),
]
