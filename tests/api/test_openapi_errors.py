"""Every operation of /api/v1 documents the errors it can give, each with the schema the API really sends
(issue 20 finding 8: an outside probe met 80 status codes the schema did not name). core.schemas.answers
builds each operation's `response=`; the schemas are ErrorOut (`detail`) and InvalidOut (422: `detail`,
`errors` naming each field, a policy's `problems`)."""

from __future__ import annotations

import pytest
from django.test import Client

from fengkong.api.urls import api
from fengkong.core.schemas import ErrorOut, InvalidOut

SCHEMA = api.get_openapi_schema()
OPERATIONS = [(f"{method.upper()} {path}", operation) for path, item in sorted(SCHEMA["paths"].items())
              for method, operation in sorted(item.items())]
IDS = [label for label, _operation in OPERATIONS]
OPEN_TO_EVERY_CALLER = {"GET /api/v1/me"}  # no role needed, no parameter


def documented(operation, status: int) -> str | None:
    """The component a status is documented with, or None."""
    answer = operation["responses"].get(status) or operation["responses"].get(str(status))
    return answer and answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]


@pytest.mark.parametrize(("label", "operation"), OPERATIONS, ids=IDS)
def test_every_operation_documents_the_refused_caller(label, operation):
    assert (documented(operation, 401), documented(operation, 429)) == ("ErrorOut", "ErrorOut")


@pytest.mark.parametrize(("label", "operation"), OPERATIONS, ids=IDS)
def test_every_operation_but_me_documents_403_and_422_with_the_fields_at_fault(label, operation):
    if label in OPEN_TO_EVERY_CALLER:
        assert (documented(operation, 403), documented(operation, 422)) == (None, None)
    else:
        assert (documented(operation, 403), documented(operation, 422)) == ("ErrorOut", "InvalidOut")


@pytest.mark.parametrize(("label", "operation"), OPERATIONS, ids=IDS)
def test_an_operation_on_one_object_documents_404_and_one_with_a_body_400(label, operation):
    if any(p["in"] == "path" for p in operation.get("parameters", [])):
        assert documented(operation, 404) == "ErrorOut"
    assert documented(operation, 400) == ("ErrorOut" if "requestBody" in operation else None)


@pytest.mark.parametrize("label", ["POST /api/v1/alerts/{alert_id}/acknowledge", "POST /api/v1/credit-checks",
                                   "POST /api/v1/limit-proposals/{proposal_id}/votes",
                                   "POST /api/v1/models/rollback", "POST /api/v1/pending-changes/{change_id}/confirm"])
def test_steps_that_meet_a_state_document_409(label):
    assert documented(dict(OPERATIONS)[label], 409) == "ErrorOut"


def fits(model, body: dict) -> bool:
    model.model_validate(body)
    return set(body) <= set(model.model_fields)


def test_the_error_bodies_fit_their_schemas(book, users, as_, with_token, token_for, settings):
    manager = as_(users["risk_manager"])
    assert fits(ErrorOut, Client().get("/api/v1/customers").json())  # 401
    assert fits(ErrorOut, as_(users["nobody"]).get("/customers").json())  # 403
    assert fits(ErrorOut, manager.get("/customers/C999999").json())  # 404
    assert fits(InvalidOut, manager.get("/invoices", limit=1000, as_of="2026-13-01").json())  # 422, fields
    assert fits(InvalidOut, manager.post("/credit-policies", {"config": {"no_such_setting": 1}}).json())
    body = Client().post("/api/v1/credit-checks", "{", content_type="application/json",
                         headers={"Authorization": f"Bearer {token_for(users['risk_manager'])[1]}"})
    assert body.status_code == 400 and fits(ErrorOut, body.json())
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 1
    answers = [with_token("fk_" + "x" * 43).get("/me") for _ in range(3)]
    assert answers[-1].status_code == 429 and fits(ErrorOut, answers[-1].json())
