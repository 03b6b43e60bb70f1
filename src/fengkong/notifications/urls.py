"""The in-app inbox under /inbox/ (included by fengkong.urls)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_all_read, name="inbox-mark-all-read"),
    path("<int:pk>/read/", views.mark_read, name="inbox-mark-read"),
    path("preferences/", views.preferences, name="inbox-preferences"),
    path("digests/<int:pk>/", views.digest, name="inbox-digest"),
]
