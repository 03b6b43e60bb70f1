from django.urls import path

from . import views

urlpatterns = [
    path("", views.run_list, name="provisions-runs"),
    path("propose/", views.run_propose, name="provisions-propose"),
    path("write-offs/", views.write_off_list, name="provisions-write-offs"),
    path("write-offs/new/", views.write_off_create, name="provisions-write-off-create"),
    path("write-offs/<int:pk>/", views.write_off_detail, name="provisions-write-off"),
    path("write-offs/<int:pk>/decide/", views.write_off_decide, name="provisions-write-off-decide"),
    path("write-offs/<int:pk>/recovery/", views.write_off_recovery, name="provisions-write-off-recovery"),
    path("<int:pk>/", views.run_detail, name="provisions-run"),
    path("<int:pk>/decide/", views.run_decide, name="provisions-decide"),
    path("<int:pk>/<str:what>.<str:fmt>", views.run_download, name="provisions-download"),
]
