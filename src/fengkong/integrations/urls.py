"""The import pages under /imports/ (included by fengkong.urls): history, upload, a batch, its problems."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.import_list, name="import-list"),
    path("new/", views.import_upload, name="import-upload"),
    path("<int:pk>/", views.import_detail, name="import-detail"),
    path("<int:pk>/status/", views.import_progress, name="import-progress"),
    path("<int:pk>/problems.csv", views.import_problems_csv, name="import-problems"),
]
