from django.urls import include, path

from fengkong.accounts.admin import admin_urls
from fengkong.api.urls import api

urlpatterns = [
    path("admin/", admin_urls()),  # the admin, signing in through accounts' throttled sign-in
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("monitoring/", include("fengkong.monitoring.urls")),
    path("industry/", include("fengkong.industry.urls")),
    path("collections/", include("fengkong.collections.urls")),
    path("credit/", include("fengkong.credit.urls")),
    path("models/", include("fengkong.scoring.urls")),
    path("provisions/", include("fengkong.provisions.urls")),
    path("inbox/", include("fengkong.notifications.urls")),
    path("", include("fengkong.accounts.urls")),
    path("customers/", include("fengkong.customers.urls")),
    path("imports/", include("fengkong.integrations.urls")),
    path("", include("fengkong.receivables.urls")),   # /fx-rates/, /reconciliation/
    path("reviews/", include("fengkong.reviews.urls")),
    path("evidence/", include("fengkong.evidence.urls")),
    path("legal/", include("fengkong.legal.urls")),
    path("contracts/", include("fengkong.contracts.urls")),
    path("", include("fengkong.web.urls")),
]
