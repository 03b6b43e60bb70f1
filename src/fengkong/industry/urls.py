from django.urls import path

from . import views

urlpatterns = [
    path("", views.indicator_list, name="industry-indicators"),
    path("indicators/new/", views.indicator_new, name="industry-indicator-new"),
    path("indicators/<slug:code>/", views.indicator_detail, name="industry-indicator"),
    path("indicators/<slug:code>/edit/", views.indicator_edit, name="industry-indicator-edit"),
    path("indicators/<slug:code>/observations/", views.observation_add, name="industry-observation-add"),
    path("import/", views.release_import, name="industry-import"),
    path("outlooks/", views.outlook_list, name="industry-outlooks"),
    path("outlooks/set/", views.outlook_set, name="industry-outlook-set"),
]
