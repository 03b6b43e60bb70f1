from django.urls import path

from .views import assets, health, imports, overview

urlpatterns = [
    path("", overview.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("imports/", imports.import_list, name="import-list"),
    path("imports/new/", imports.import_upload, name="import-upload"),
    path("imports/<int:pk>/", imports.import_detail, name="import-detail"),
    path("imports/<int:pk>/status/", imports.import_progress, name="import-progress"),
    path("imports/<int:pk>/problems.csv", imports.import_problems_csv, name="import-problems"),
    path("vendor/plotly-<str:version>.min.js", assets.plotly_js, name="plotly-js"),
]
