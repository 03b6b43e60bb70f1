"""What the OpenAPI schema calls valid, the server accepts (issue 20 finding 8: an outside probe had 16
schema-valid requests answered 422 by rules the schema did not state). Each property test reads a rule
from the published schema, with jsonschema_rs (JSON Schema 2020-12, ECMA-262 patterns, as a client's
validator reads it), and holds it to the validator or action the server runs."""

from __future__ import annotations

import json

import jsonschema_rs
import pydantic
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from fengkong.api.urls import api
from fengkong.credit.actions.checks import clean_amount, clean_reference
from fengkong.credit.api.approvals import PolicyDecisionIn, ProposalIn, VoteIn, WithdrawIn
from fengkong.customers.schemas import CustomerFilters
from fengkong.monitoring.schemas import ResolveIn
from fengkong.reviews.schemas import ReviewRejectIn
from fengkong.scoring.api import DecisionIn

SCHEMA = api.get_openapi_schema()
# Text as people and probes type it: control characters, the spaces str.strip() removes and those it keeps.
TRICKY = st.sampled_from(["\x00", "\t", "\n", "\r", "\x0b", "\x1c", "\x1f", "\x7f", "\x85", "\xa0", "\u2028",
                          "\u3000", "\ufeff", "\u200b", " ", "a", "中", "/", "%", "."])
TEXT = st.text(st.one_of(TRICKY, st.characters(codec="utf-8")), max_size=12)


def validator(schema: dict):
    return jsonschema_rs.validator_for({"$schema": "https://json-schema.org/draft/2020-12/schema", **schema,
                                        "components": SCHEMA["components"]})


def component(name: str):
    return validator({"$ref": f"#/components/schemas/{name}"})


def parameter(path: str, name: str):
    found = [p for p in SCHEMA["paths"][path]["get"]["parameters"] if p["name"] == name]
    return validator(found[0]["schema"])


def accepts(model, body) -> bool:
    """The model's answer to `body` as sent on the wire (JSON: 30.0 is a float there, "30" a string)."""
    try:
        model.model_validate_json(json.dumps(body))
    except pydantic.ValidationError:
        return False
    return True


def action_accepts(clean, value) -> bool:
    try:
        clean(value)
    except ValidationError:
        return False
    return True


@given(TEXT)
def test_text_parameters_say_no_control_characters(text):
    q = parameter("/api/v1/customers", "q")
    assert q.is_valid(text) == accepts(CustomerFilters, {"q": text})


@given(st.one_of(TEXT, st.text("0123456789", max_size=8)))
def test_the_region_filter_says_its_digits(text):
    assert parameter("/api/v1/customers", "region").is_valid(text) == accepts(CustomerFilters, {"region": text})


@pytest.mark.parametrize(("model", "body"), [
    (ProposalIn, {"proposed_limit": "1.00", "proposed_term_days": 30}), (WithdrawIn, {}), (ResolveIn, {}),
], ids=["limit proposal", "withdrawal", "resolution"])
@given(text=TEXT)
def test_a_required_reason_says_it_needs_more_than_spaces_and_no_control_characters(model, body, text):
    field = "note" if model is ResolveIn else "reason"
    body = {**body, field: text}
    assert component(model.__name__).is_valid(body) == accepts(model, body)


@pytest.mark.parametrize(("model", "yes", "no"), [
    (VoteIn, {"vote": "approve"}, {"vote": "reject"}), (PolicyDecisionIn, {"approve": True}, {"approve": False}),
    (DecisionIn, {"approve": True}, {"approve": False}),
], ids=["vote", "policy decision", "promotion decision"])
@given(text=TEXT)
def test_a_rejection_says_it_needs_a_reason(model, yes, no, text):
    field = "comment" if "comment" in model.model_fields else "note"
    for decision in (yes, no):
        body = {**decision, field: text}
        assert component(model.__name__).is_valid(body) == accepts(model, body), body


@given(TEXT)
def test_rejecting_a_pending_change_says_it_needs_a_note(text):
    assert component("ReviewRejectIn").is_valid({"note": text}) <= accepts(ReviewRejectIn, {"note": text})
    assert not component("ReviewRejectIn").is_valid({"note": " "})


AMOUNTS = st.one_of(st.decimals(allow_nan=True, places=3).map(str), st.text("0123456789.+-e ", max_size=8),
                    st.integers(), st.floats(), st.floats(0, 10**16).map(lambda f: round(f, 2)))


@given(AMOUNTS)
def test_an_order_amount_the_schema_calls_valid_is_accepted(amount):
    schema = validator(SCHEMA["components"]["schemas"]["CheckIn"]["properties"]["amount"])
    if schema.is_valid(amount):
        assert action_accepts(clean_amount, amount)


@pytest.mark.parametrize("amount", ["125000.00", "0.01", "0.5", 7, 99.99, "999999999999999.99"])
def test_the_order_amounts_a_client_sends_are_valid_to_the_schema(amount):
    schema = validator(SCHEMA["components"]["schemas"]["CheckIn"]["properties"]["amount"])
    assert schema.is_valid(amount) and action_accepts(clean_amount, amount)


@pytest.mark.parametrize("amount", ["0", "0.00", "-1", "1.234", "1e3", "1000000000000000", 0, -5, 0.001])
def test_order_amounts_the_server_refuses_are_invalid_to_the_schema(amount):
    schema = validator(SCHEMA["components"]["schemas"]["CheckIn"]["properties"]["amount"])
    assert not schema.is_valid(amount)


@given(AMOUNTS)
def test_a_proposed_limit_the_schema_calls_valid_is_accepted(amount):
    body = {"proposed_limit": amount, "proposed_term_days": 30, "reason": "首次授信"}
    if component("ProposalIn").is_valid(body):
        assert accepts(ProposalIn, body)


@pytest.mark.parametrize(("days", "valid"), [(30, True), (30.0, True), (30.5, False), ("30", False), (True, False)])
def test_a_term_of_30_0_days_is_30_days(days, valid):
    body = {"proposed_limit": "800000.00", "proposed_term_days": days, "reason": "首次授信"}
    assert component("ProposalIn").is_valid(body) == accepts(ProposalIn, body) == valid


@given(TEXT)
def test_a_credit_check_reference_says_what_it_may_hold(text):
    reference = validator(SCHEMA["components"]["schemas"]["CheckIn"]["properties"]["reference"])
    if reference.is_valid(text):
        assert action_accepts(clean_reference, text)


def test_the_schemas_bounds_are_written_in_json_schema_words():
    """pydantic writes a bound it cannot place (after a BeforeValidator) under its own name: `ge`."""
    found = []

    def walk(node, parent=""):
        if isinstance(node, dict):
            for key, value in node.items():
                if parent != "properties" and key in {"ge", "gt", "le", "lt", "min_length", "max_length",
                                                      "max_digits", "decimal_places"}:
                    found.append(key)
                walk(value, key)
        elif isinstance(node, list):
            for item in node:
                walk(item, parent)

    walk(SCHEMA)
    assert found == []

