"""The OpenAPI schema and the Swagger page: public, complete, and served without any external URL."""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.test import Client

PATHS = {"/api/v1/me", "/api/v1/customers", "/api/v1/customers/{code}", "/api/v1/customers/{code}/invoices",
         "/api/v1/invoices", "/api/v1/invoices/{number}", "/api/v1/aging", "/api/v1/customers/{code}/aging",
         "/api/v1/fx-rates", "/api/v1/reconciliation",  # exchange rates, the AR reconciliation (issue 11)
         "/api/v1/alerts", "/api/v1/alerts/{alert_id}", "/api/v1/alerts/{alert_id}/acknowledge",
         "/api/v1/alerts/{alert_id}/resolve", "/api/v1/stop-supply",
         # credit (issue 4)
         "/api/v1/customers/{code}/credit", "/api/v1/customers/{code}/assessments",
         "/api/v1/customers/{code}/standing", "/api/v1/customers/{code}/limit-proposals",
         "/api/v1/limit-proposals", "/api/v1/limit-proposals/{proposal_id}",
         "/api/v1/limit-proposals/{proposal_id}/votes", "/api/v1/limit-proposals/{proposal_id}/withdraw",
         "/api/v1/credit-policies", "/api/v1/credit-policies/{version}", "/api/v1/credit-policies/{version}/decision",
         "/api/v1/credit-checks", "/api/v1/credit-checks/{reference}", "/api/v1/credit-checks/{reference}/release",
         "/api/v1/credit-checks/{reference}/cancel", "/api/v1/credit-checks/{reference}/override",
         "/api/v1/credit-checks/{reference}/override/approve", "/api/v1/credit-checks/{reference}/override/reject",
         "/api/v1/contracts/analyze",  # contracts (issue 14)
         # bad-debt provisions (issue 15)
         "/api/v1/provisions/runs", "/api/v1/provisions/runs/{run_id}", "/api/v1/provisions/runs/{run_id}/decision",
         # credit models (issue 5)
         "/api/v1/models", "/api/v1/models/rollback", "/api/v1/models/{model_id}", "/api/v1/models/{model_id}/promotion",
         "/api/v1/models/{model_id}/retire", "/api/v1/promotions/{request_id}/decision",
         "/api/v1/promotions/{request_id}/withdraw", "/api/v1/customers/{code}/model-scores",
         "/api/v1/invoice-predictions", "/api/v1/cash-forecast",
         # evidence and legal recovery (issue 13)
         "/api/v1/evidence/items", "/api/v1/evidence/items/{item_id}", "/api/v1/evidence/verify",
         "/api/v1/legal/cases", "/api/v1/legal/cases/{case_id}", "/api/v1/legal/deadlines", "/api/v1/legal/court-fee",
         "/api/v1/legal/cases/{case_id}/move", "/api/v1/legal/limitations",
         # dual review (issue 20)
         "/api/v1/pending-changes", "/api/v1/pending-changes/{change_id}",
         "/api/v1/pending-changes/{change_id}/confirm", "/api/v1/pending-changes/{change_id}/reject",
         "/api/v1/pending-changes/{change_id}/withdraw",
         # collections (issue 12)
         "/api/v1/collections/cases", "/api/v1/collections/cases/{case_id}", "/api/v1/collections/cases/{case_id}/take",
         "/api/v1/collections/cases/{case_id}/reassign", "/api/v1/collections/contacts",
         "/api/v1/collections/promises", "/api/v1/collections/disputes",
         "/api/v1/collections/disputes/{dispute_id}/resolve", "/api/v1/collections/cases/{case_id}/behaviour",
         "/api/v1/collections/performance",
         # industry risk (issue 15)
         "/api/v1/industry/indicators", "/api/v1/industry/indicators/{indicator_code}",
         "/api/v1/industry/indicators/{indicator_code}/observations", "/api/v1/industry/outlooks",
         # dunning letters and pauses (issue 12)
         "/api/v1/collections/dunning/letters", "/api/v1/collections/dunning/letters/{letter_id}/delivered",
         "/api/v1/collections/dunning/pauses", "/api/v1/collections/dunning/pauses/{pause_id}/end",
         # instalment plans (issue 12)
         "/api/v1/collections/plans", "/api/v1/collections/plans/{plan_id}", "/api/v1/collections/plans/{plan_id}/approve",
         "/api/v1/collections/plans/{plan_id}/reject",
         # acceptance bills (issue 12)
         "/api/v1/collections/bills", "/api/v1/collections/bills/{bill_id}", "/api/v1/collections/bills/{bill_id}/paid",
         "/api/v1/collections/bills/{bill_id}/dishonour",
         # law firms and costs (issue 13)
         "/api/v1/legal/cases/{case_id}/costs", "/api/v1/legal/cases/{case_id}/firm-invoices",
         "/api/v1/legal/cases/{case_id}/recoveries", "/api/v1/legal/engagements", "/api/v1/legal/firms",
         "/api/v1/legal/engagements/{engagement_id}/end",
         # when to act: the signs for property preservation and the decisions (issue 13)
         "/api/v1/legal/preservation", "/api/v1/legal/cases/{case_id}/preservation",
         "/api/v1/legal/customers/{code}/preservation",
         # write-offs (issue 15)
         "/api/v1/provisions/write-offs", "/api/v1/provisions/write-offs/{write_off_id}",
         "/api/v1/provisions/write-offs/{write_off_id}/decision",
         "/api/v1/provisions/write-offs/{write_off_id}/recoveries"}


def test_openapi_schema_loads_without_signing_in_and_lists_every_path(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Fengkong API"
    assert set(schema["paths"]) == PATHS
    assert {"BearerToken", "ActiveSession"} <= set(schema["components"]["securitySchemes"])


def test_schema_says_money_is_a_decimal_string(db):
    invoice = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]["InvoiceOut"]
    assert invoice["properties"]["amount"]["type"] == "string"
    assert invoice["properties"]["amount"]["format"] == "decimal"


def test_docs_page_uses_only_local_static_files(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    urls = re.findall(r"""(?:src|href)=["']([^"']+)""", html)
    assert urls, "the docs page should load its scripts and styles"
    external = [u for u in urls if re.match(r"^(?:[a-z]+:)?//", u)]
    assert external == []
    assert "cdn" not in html.lower()


def test_docs_static_files_are_served(db):
    client = Client()
    html = client.get("/api/v1/docs").content.decode()
    script = re.search(r'src="([^"]*swagger-ui-bundle\.js)"', html).group(1)
    response = client.get(script)
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content])[:10]


def test_docs_page_has_no_inline_script_so_the_csp_holds(db):
    html = Client().get("/api/v1/docs").content.decode()
    inline = [s for s in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
              if "src=" not in s[0] and "application/json" not in s[0] and s[1].strip()]
    assert inline == []


def test_every_operation_keeps_the_id_clients_were_generated_with(db):
    """Operation ids name the methods of generated clients; django-ninja derives them from the module an
    endpoint lives in, so moving code would rename them silently. A new operation is added to the file."""
    schema = Client().get("/api/v1/openapi.json").json()
    ids = {f"{method.upper()} {path}": operation["operationId"]
           for path, operations in schema["paths"].items() for method, operation in operations.items()}
    known = json.loads((Path(__file__).parent / "operation_ids.json").read_text(encoding="utf-8"))
    assert ids == known
