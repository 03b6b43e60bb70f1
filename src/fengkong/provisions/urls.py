from django.urls import path

from . import views

urlpatterns = [
    path("", views.run_list, name="provisions-runs"),
    path("propose/", views.run_propose, name="provisions-propose"),
    path("<int:pk>/", views.run_detail, name="provisions-run"),
    path("<int:pk>/decide/", views.run_decide, name="provisions-decide"),
    path("<int:pk>/<str:what>.<str:fmt>", views.run_download, name="provisions-download"),
]
