"""Schemathesis runs every operation of /api/v1 against a live server, as a risk manager and as a
collector, and fails on a 5xx or on any answer the OpenAPI schema does not promise (issue 20 finding 8):
an undocumented status, a wrong content type, a body that does not fit its documented schema, or a
request the schema calls valid refused with 422 by a rule the schema could have stated.

The book has one object of every kind a path names (a Chongqing customer the collector sees too, its
invoice, alert, held credit check, limit proposal, a proposed policy, a promotion request, a pending
change); about half the generated cases take those keys instead of their own, so the answers of real
objects are checked as well as the 404s of made-up ones. Writes are included: the live server's data is
flushed after each persona. Bounded so the file stays quick (about a minute): the schema's examples and
15 generated cases per operation (examples and fuzzing phases; no coverage or stateful phase),
derandomized so a run repeats itself. Run it alone:
`.venv/bin/pytest -p no:cacheprovider tests/api/test_schemathesis.py` (on PostgreSQL the risk manager only).
"""

from __future__ import annotations

import re
import zlib

import pytest
import schemathesis
from django.conf import settings as settings_module
from hypothesis import HealthCheck, settings
from schemathesis import checks
from tests import matrix_targets as targets
from tests.credit.approvals_fixtures import pending_proposal

from fengkong.accounts.choices import Role
from fengkong.credit.choices import CheckStatus
from fengkong.monitoring.models import Alert

# Both personas on SQLite; on PostgreSQL (the suite's second pass) the risk manager, who writes: the
# collector's answers are mostly scoping refusals, decided before the database is asked anything it could
# answer differently, and the persona took a tenth of that pass.
PERSONAS = [Role.RISK_MANAGER] if settings_module.DATABASES["default"]["ENGINE"].endswith("postgresql") \
    else [Role.RISK_MANAGER, Role.COLLECTOR]
CONFIG = {
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    "generation": {"max-examples": 15, "deterministic": True, "database": "none"},
}
# Rules no OpenAPI schema can state: a request the schema calls valid may still get a 422 for one of these
# (location, field, message), and the 422 is documented. Any other 422 on schema-valid data fails the test.
UNSTATABLE = [
    ("query", "filters", re.compile(r" is after ")),  # a date range that runs backwards
    ("body", "customer", re.compile(r"in your portfolio")),  # a credit check of a customer you do not see
    ("body", "config", re.compile(r"")),  # a credit policy's settings, each judged with the others
    # collections: what the customer owes now, dates against today, who works which portfolio
    ("body", "amount", re.compile(r"more than .*owe")),
    ("body", "due_date", re.compile(r"in the past|days ahead")),
    ("body", "invoices", re.compile(r"is paid|has no invoice|is not .*'s|wholly in dispute")),
    ("body", "items", re.compile(r"has no invoice|not yet in dispute|nothing open|named twice|is not .*'s")),
    ("body", "at", re.compile(r"in the future")),
    ("body", "next_follow_up", re.compile(r"in the past")),
    ("body", "owner", re.compile(r"no active user|does not work the portfolio|may resolve disputes")),
    # dunning: what is overdue today, whether dunning is held, an address or EMS number that only looks right
    ("body", "customer", re.compile(r"nothing overdue and undisputed")),
    ("body", "channel", re.compile(r"No letter is sent")),
    ("body", "recipient", re.compile(r"no email address|not an email address")),
    ("body", "ems_number", re.compile(r"not an EMS number")),
    # instalment plans: the schedule against today and the amount, the customer's case and its other plans
    ("body", "instalments", re.compile(r"add up to|in the past|is not after|days ahead|at most \d+ instalments|"
                                       r"has passed|must be more than 0")),
    ("body", "customer", re.compile(r"no open collection case|already has a plan")),
    # acceptance bills: a number recorded before, a maturity within the policy's term, a valid credit code
    ("body", "number", re.compile(r"already recorded|is required")),
    ("body", "maturity_date", re.compile(r"is not after the issue date|days after the issue date")),
    ("body", "acceptor_uscc", re.compile(r"统一社会信用代码")),
    ("body", "acceptor_name", re.compile(r"is required")),
    ("body", "endorsers", re.compile(r"at most \d+ endorsements")),
    ("body", "until", re.compile(r"in the past|at most \d+ days|already paused")),
    ("body", "delivered_on", re.compile(r"between the day it was sent")),
    ("body", "period", re.compile(r"last day of its period")),  # an indicator's period: its month's, quarter's or year's end
    ("form", "file", re.compile(r"")),  # a contract document's content: a scan, a password, a zip bomb, a PNG
    # evidence stored: a customer or a subject, the two together, an invoice of that customer (EvidenceIn's
    # anyOf and dependentRequired, which django-ninja leaves out of the flattened multipart body)
    ("form", "customer", re.compile(r"give the customer's code|concerns customer")),
    ("form", "subject_type", re.compile(r"together")),
    ("form", "subject_id", re.compile(r"together")),
    ("form", "invoice", re.compile(r"has no invoice")),
]


def schema_valid_request_accepted(ctx, response, case) -> None:
    """A request the schema calls valid is not refused with 422, but for a rule the schema cannot state."""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 422:
        return
    errors = response.json().get("errors", [])
    stated = [e for e in errors if not any(e["location"] == where and e["field"] == field and rule.search(e["message"])
                                           for where, field, rule in UNSTATABLE)]
    assert errors and not stated, f"a schema-valid request was refused: {response.text[:500]}"


def takes_known_keys(case) -> bool:
    """About half the cases, picked by what was generated, so a run repeats its choices. (`@schema.given`
    would draw the choice, but schemathesis refuses it beside the examples phase.)"""
    return zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode()) % 2 == 0


CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance, schema_valid_request_accepted]


@pytest.fixture
def known_keys(book, users) -> dict:
    """One object of each kind a path names, of the Chongqing customer C000001, made by a credit analyst
    (so the risk manager may decide on them): the path parameters' values."""
    customer, maker = book["customers"][0], users[Role.CREDIT_ANALYST]
    targets.monitored({"customers": book["customers"]})
    scene = targets.Scene({}, "schemathesis", None, customer, maker, None)
    promotion = targets.promotion(scene)
    return {"code": customer.code, "number": "AR0002", "alert_id": Alert.objects.get(customer=customer).pk,
            "reference": targets.credit_check(CheckStatus.HELD)(scene).reference,
            "proposal_id": pending_proposal(customer, maker).pk, "version": targets.proposed_policy(scene).version,
            "model_id": promotion.model_id, "request_id": promotion.pk, "change_id": targets.pending_change(scene).pk,
            "case_id": targets.legal_case(scene).pk, "collection_case_id": targets.collection_case(scene).pk,
            "dispute_id": targets.open_dispute(scene).pk, "run_id": targets.provision_run(maker).pk,
            "indicator_code": targets.indicator().code, "item_id": _evidence_item(customer),
            "write_off_id": targets.proposed_write_off(scene).pk,
            "letter_id": targets.sent_letter(scene).pk, "pause_id": targets.dunning_pause(scene).pk,
            "plan_id": targets.proposed_plan(scene).pk,  # after collection_case_id: the plan is on that case
            "bill_id": targets.held_bill(scene).pk,
            "engagement_id": targets.engagement(scene).pk}


def _evidence_item(customer) -> int:
    from fengkong.evidence.actions import Description, keep

    return keep(actor=None, chunks=[b"%PDF-1.4\n%%EOF\n"], filename="letter.pdf", customer=customer,
                description=Description(title="催款函", source="letter")).pk


@pytest.fixture(params=PERSONAS)
def api_schema(request, live_book, users, known_keys, token_for):
    _token, key = token_for(users[request.param])
    schema = schemathesis.openapi.from_url(f"{live_book.url}/api/v1/openapi.json",
                                          config=schemathesis.Config.from_dict(CONFIG))
    schema.config.update(base_url=live_book.url, headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"})
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


def _key(case, name: str) -> str:
    """A collection case and a legal case are both `case_id` in their paths."""
    return "collection_case_id" if name == "case_id" and "/collections/" in case.path else name


@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_every_operation_answers_as_its_schema_says(case, known_keys):
    if takes_known_keys(case):
        if case.path_parameters:
            case.path_parameters = {name: known_keys[_key(case, name)] for name in case.path_parameters}
        if isinstance(case.body, dict) and "customer" in case.body:  # a credit check of a customer you see
            case.body = {**case.body, "customer": known_keys["code"]}
    case.call_and_validate(checks=CHECKS)
