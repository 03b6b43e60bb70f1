from django.urls import path

from .views import assets, health, overview

urlpatterns = [
    path("", overview.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("vendor/plotly-<str:version>.min.js", assets.plotly_js, name="plotly-js"),
]
