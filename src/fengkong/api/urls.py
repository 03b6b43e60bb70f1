"""The REST API at /api/v1 (django-ninja). Routers live in each app's api.py.

Design decisions:
- Every endpoint needs a caller (bearer token or browser session, see api.auth); the OpenAPI schema
  (/api/v1/openapi.json) and its Swagger page (/api/v1/docs) are public: they describe the API's shape,
  hold no data, and client generators must fetch the schema without a session. Swagger UI is served
  from django-ninja's own static files ("ninja" in INSTALLED_APPS), so the page works offline and
  under the site's Content-Security-Policy (no inline script, no CDN).
- Errors are JSON with a `detail` (see api.errors); a 500 is a bug.
- JSON is written as UTF-8 without ASCII escapes, so Chinese names read as they are in curl and logs.
"""

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from fengkong.accounts.api import router as me_router
from fengkong.collections.api import router as collections_router
from fengkong.contracts.api import router as contracts_router
from fengkong.credit.api import routers as credit_routers
from fengkong.customers.api import router as customers_router
from fengkong.evidence.api import router as evidence_router
from fengkong.industry.api import router as industry_router
from fengkong.legal.api import router as legal_router
from fengkong.monitoring.api import router as monitoring_router
from fengkong.provisions.api import router as provisions_router
from fengkong.receivables.api import router as receivables_router
from fengkong.reviews.api import router as reviews_router
from fengkong.scoring import api as scoring_api

from . import errors
from .auth import api_auth


class Utf8JSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Fengkong API",
    version="1",
    urls_namespace="api",
    auth=api_auth(),
    renderer=Utf8JSONRenderer(),
    description="Customers, receivables, aging and alerts, scoped to your portfolios. See docs/api.md.",
)
errors.install(api)
scoring_api.install(api)
api.add_router("", me_router)
api.add_router("", customers_router)
api.add_router("", receivables_router)
api.add_router("", reviews_router)
api.add_router("", monitoring_router)
api.add_router("", industry_router)
for router in credit_routers:
    api.add_router("", router)
api.add_router("", scoring_api.router)
api.add_router("", evidence_router)
api.add_router("", legal_router)
api.add_router("", collections_router)
api.add_router("", contracts_router)
api.add_router("", provisions_router)
