"""Every role against every page and endpoint: allowed, forbidden, hidden or scoped.

The project's URLs are found by walking `django.urls.get_resolver()`, so a new URL without an entry here
fails `test_every_url_has_a_matrix_entry` with the message "add '<name>' to the permission matrix".

How to add an entry
-------------------
1. Find the URL's name as reported by the failing test ("home", "customer-detail", "api:invoice_list";
   a whole namespace can be covered by "<namespace>:*", which is tested through its `sample`).
2. Add it to MATRIX below, built with one of the defaults per class of URL, and override what differs:
       "customer-detail": web_ledger(kwargs={"code": CQ_CUSTOMER}, sales=HIDDEN),
       "api:invoice_list": api_ledger(),
       "import-upload": web_only(IMPORTERS),
   `kwargs` values may be callables taking the `world` dict (the book, an import batch) for objects
   made per test.
3. Outcomes: OK (200), SCOPED (200, shows rows of its own portfolio and none of another), DENIED
   (403), HIDDEN (404: exists, but not in the caller's portfolio), LOGIN (anonymous web visitor sent to
   the login page), UNAUTHORIZED (401, API without credentials), ADMIN_LOGIN (sent to the admin login:
   not staff), REDIRECT (any 302), NOT_FOUND (404 for everybody), NOT_ALLOWED (405: GET not accepted).

Whenever a portfolio-bound persona (collector: Chongqing, sales: Sichuan) gets an HTML or JSON page
(200), the page must not show a customer or invoice of the other portfolio, whatever the entry says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from tests.conftest import AS_OF

from fengkong.accounts.choices import Role
from fengkong.accounts.roles import ROLE_PERMISSIONS, ensure_roles
from fengkong.integrations.models import ImportBatch

ANONYMOUS = "anonymous"
PERSONAS = [ANONYMOUS, *Role.values, "nobody"]

OK, SCOPED, DENIED, HIDDEN = "ok", "scoped", "denied", "hidden"
LOGIN, UNAUTHORIZED, ADMIN_LOGIN, REDIRECT, NOT_FOUND, NOT_ALLOWED = (
    "login", "unauthorized", "admin-login", "redirect", "not-found", "not-allowed")

# What each portfolio-bound persona must see, and must never see, in the `book` fixture.
OWN = {"collector": ["C000001", "C000002", "AR0001", "AR0002", "AR0003"], "sales": ["C000003", "AR0004"]}
FOREIGN = {"collector": ["C000003", "AR0004", "AR0005", "成都锦江电子有限公司"],
           "sales": ["C000001", "C000002", "AR0001", "AR0002", "AR0003", "重庆渝中精密机械有限公司"]}
CQ_CUSTOMER, CQ_INVOICE = "C000001", "AR0001"

IMPORT_VIEWERS = {Role.ADMIN, Role.RISK_MANAGER, Role.CREDIT_ANALYST, Role.FINANCE, Role.AUDITOR}
IMPORTERS = {Role.ADMIN, Role.RISK_MANAGER, Role.CREDIT_ANALYST, Role.FINANCE}
STAFF = {Role.ADMIN, Role.AUDITOR}


@dataclass
class Entry:
    expect: dict[str, str]
    kwargs: dict[str, object] = field(default_factory=dict)
    sample: str | None = None  # for "<namespace>:*" entries: the URL name actually requested
    cycle: bool = False  # run the daily risk cycle on the book first (snapshots, alerts, tasks, flags)


def _everyone(outcome: str, **overrides) -> dict[str, str]:
    return {persona: overrides.get(persona, outcome) for persona in PERSONAS}


def public(outcome: str = OK, kwargs=None, **overrides) -> Entry:
    """Open to everybody, signed in or not."""
    return Entry(_everyone(outcome, **overrides), kwargs or {})


def signed_in(web: bool = True, kwargs=None, **overrides) -> Entry:
    """Any signed-in user, with or without a role."""
    return Entry(_everyone(OK, anonymous=LOGIN if web else UNAUTHORIZED, **overrides), kwargs or {})


def ledger(web: bool, kwargs=None, **overrides) -> Entry:
    """Customer and receivable data: every role reads it, collectors and sales only their portfolio."""
    expect = _everyone(OK, anonymous=LOGIN if web else UNAUTHORIZED, nobody=DENIED, collector=SCOPED,
                       sales=SCOPED)
    return Entry({**expect, **overrides}, kwargs or {})


def web_ledger(kwargs=None, **overrides) -> Entry:
    return ledger(True, kwargs, **overrides)


def api_ledger(kwargs=None, **overrides) -> Entry:
    return ledger(False, kwargs, **overrides)


def web_only(roles: set[str], kwargs=None, web: bool = True) -> Entry:
    """Only the named roles; every other signed-in user gets 403."""
    expect = {p: OK if p in roles else DENIED for p in PERSONAS}
    expect[ANONYMOUS] = LOGIN if web else UNAUTHORIZED
    return Entry(expect, kwargs or {})


def staff_only(sample: str) -> Entry:
    return Entry({p: OK if p in STAFF else ADMIN_LOGIN for p in PERSONAS}, sample=sample)


def import_batch(world) -> int:
    return world["batch"].pk


def plotly_version(world) -> str:
    from fengkong.web.views.assets import PLOTLY_VERSION

    return PLOTLY_VERSION


IMPORT = {"pk": import_batch}


def cq_alert(world) -> int:
    from fengkong.monitoring.models import Alert

    return Alert.objects.get(customer__code=CQ_CUSTOMER, kind="zone_attention").pk


def cq_task(world) -> int:
    from fengkong.monitoring.models import ActionItem

    return ActionItem.objects.filter(customer__portfolio__code="CQ").order_by("pk").first().pk


def monitoring(readers: set[str] | None = None, web: bool = True, kwargs=None, **overrides) -> Entry:
    """Monitoring data after a risk cycle: `readers` (default every role) may read it, collectors and
    sales only their portfolio's; everybody else signed in gets 403."""
    roles = set(Role.values) if readers is None else readers
    expect = {p: OK if p in roles else DENIED for p in PERSONAS}
    expect[ANONYMOUS] = LOGIN if web else UNAUTHORIZED
    return Entry({**expect, **overrides}, kwargs or {}, cycle=True)


def post_only(**kwargs) -> Entry:
    """A form target or an API action: GET is 405 for everybody, before any lookup."""
    return public(NOT_ALLOWED, kwargs)


POST_ONLY = post_only()
TASK_READERS = set(Role.values) - {Role.SALES}
MODEL_READERS = {Role.ADMIN, Role.RISK_MANAGER, Role.RISK_COMMITTEE, Role.CREDIT_ANALYST, Role.AUDITOR}
FORECAST_READERS = MODEL_READERS | {Role.COLLECTOR, Role.FINANCE}


def a_model(world) -> int:
    from fengkong.scoring.models import ModelVersion

    return ModelVersion.objects.get_or_create(use="customer_risk", version=1, defaults={
        "kind": "scorecard", "directory": "models/customer_risk-v1", "data_sha256": "0" * 64})[0].pk

MATRIX: dict[str, Entry] = {
    # Web pages (fengkong.web.urls)
    "home": signed_in(),
    "healthz": public(),
    "login": public(OK, **{p: REDIRECT for p in PERSONAS if p != ANONYMOUS}),
    "logout": public(NOT_ALLOWED),  # Django's LogoutView accepts POST only
    "set_language": public(REDIRECT),
    "plotly-js": public(OK, {"version": plotly_version}),
    "customer-list": web_ledger(),
    "customer-detail": web_ledger({"code": CQ_CUSTOMER}, sales=HIDDEN),
    "import-list": web_only(IMPORT_VIEWERS),
    "import-upload": web_only(IMPORTERS),
    "import-detail": web_only(IMPORT_VIEWERS, IMPORT),
    "import-progress": web_only(IMPORT_VIEWERS, IMPORT),
    "import-problems": web_only(IMPORT_VIEWERS, IMPORT),
    # Monitoring pages (fengkong.monitoring.urls), after a risk cycle on the book
    "monitoring-dashboard": monitoring(collector=SCOPED, sales=SCOPED),
    "monitoring-aging-xlsx": monitoring(),
    "monitoring-alerts": monitoring(collector=SCOPED),
    "monitoring-alerts-acknowledge": POST_ONLY,
    "monitoring-alert": monitoring(kwargs={"pk": cq_alert}, collector=SCOPED, sales=HIDDEN),
    "monitoring-alert-acknowledge": post_only(pk=1),
    "monitoring-alert-resolve": post_only(pk=1),
    "monitoring-actions": monitoring(TASK_READERS, collector=SCOPED),
    "monitoring-action-done": post_only(pk=1),
    # the task has no document yet: "not found" for whoever may see the task
    "monitoring-action-document": monitoring(TASK_READERS, kwargs={"pk": cq_task},
                                             **{p: HIDDEN for p in TASK_READERS}),
    "monitoring-stop-supply": monitoring(collector=SCOPED),
    "monitoring-stop-supply-lift": post_only(pk=1),
    # The in-app inbox (fengkong.notifications.urls): every signed-in user reads their own messages
    "inbox": signed_in(),
    "inbox-mark-read": post_only(pk=1),
    "inbox-mark-all-read": POST_ONLY,
    # Django admin: staff only (the admin and auditor personas); tested through its index page.
    "admin:*": staff_only(sample="admin:index"),
    # REST API (fengkong.api.urls)
    "api:api-root": public(NOT_FOUND),
    "api:openapi-json": public(),
    "api:openapi-view": public(),
    "api:me": signed_in(web=False),
    "api:customer_list": api_ledger(),
    "api:customer_detail": api_ledger({"code": CQ_CUSTOMER}, sales=HIDDEN),
    "api:customer_invoices": api_ledger({"code": CQ_CUSTOMER}, sales=HIDDEN),
    "api:invoice_list": api_ledger(),
    "api:invoice_detail": api_ledger({"number": CQ_INVOICE}, sales=HIDDEN),
    "api:aging": monitoring(web=False),
    "api:customer_aging": monitoring(web=False, kwargs={"code": CQ_CUSTOMER}, collector=SCOPED, sales=HIDDEN),
    "api:alert_list": monitoring(web=False, collector=SCOPED),
    "api:alert_detail": monitoring(web=False, kwargs={"alert_id": cq_alert}, collector=SCOPED, sales=HIDDEN),
    "api:alert_acknowledge": post_only(alert_id=1),
    "api:alert_resolve": post_only(alert_id=1),
    "api:stop_supply_list": monitoring(web=False, collector=SCOPED),
    # Credit (fengkong.credit): profiles and assessments
    "api:customer_credit": api_ledger({"code": CQ_CUSTOMER}, sales=HIDDEN),
    "api:customer_assessments": api_ledger({"code": CQ_CUSTOMER}, sales=HIDDEN),
    "api:customer_assess": api_ledger({"code": CQ_CUSTOMER}, sales=HIDDEN),  # its GET is the history
    "credit-overview": web_ledger(),
    "credit-flags": web_only({Role.RISK_MANAGER, Role.CREDIT_ANALYST, Role.LEGAL_OFFICER}, {"code": CQ_CUSTOMER}),
    "credit-assess": post_only(code=CQ_CUSTOMER),
    # Credit: approvals (limit proposals, votes, policy versions)
    "credit-approvals": web_only(set(Role.values) - {Role.SALES}),
    "credit-proposal": Entry({**web_only(set(Role.values) - {Role.SALES}).expect, "collector": SCOPED},
                             {"pk": lambda world: __import__("tests.credit.approvals_fixtures",
                                                             fromlist=["cq_proposal"]).cq_proposal(world)}),
    "credit-proposal-vote": post_only(pk=1),
    "credit-proposal-withdraw": post_only(pk=1),
    "credit-propose": web_only({Role.RISK_MANAGER, Role.CREDIT_ANALYST}, {"code": CQ_CUSTOMER}),
    "credit-policy": web_only(set(Role.values) - {Role.SALES}),
    "credit-policy-new": web_only({Role.RISK_MANAGER}),
    "credit-policy-version": web_only(set(Role.values) - {Role.SALES}, {
        "version": lambda world: __import__("tests.credit.approvals_fixtures",
                                            fromlist=["proposed_policy"]).proposed_policy(world)}),
    "credit-policy-decide": post_only(version=1),
    "api:limit_proposal_list": web_only(set(Role.values) - {Role.SALES}, web=False),
    "api:limit_proposal_detail": Entry(
        {**web_only(set(Role.values) - {Role.SALES}, web=False).expect, "collector": SCOPED},
        {"proposal_id": lambda world: __import__("tests.credit.approvals_fixtures",
                                                 fromlist=["cq_proposal"]).cq_proposal(world)}),
    "api:limit_proposal_create": post_only(code=CQ_CUSTOMER),
    "api:limit_proposal_vote": post_only(proposal_id=1),
    "api:limit_proposal_withdraw": post_only(proposal_id=1),
    "api:credit_policy_list": web_only(set(Role.values) - {Role.SALES}, web=False),
    "api:credit_policy_create": web_only(set(Role.values) - {Role.SALES}, web=False),  # GET on the path lists
    "api:credit_policy_detail": web_only(set(Role.values) - {Role.SALES}, {
        "version": lambda world: __import__("tests.credit.approvals_fixtures",
                                            fromlist=["proposed_policy"]).proposed_policy(world)}, web=False),
    "api:credit_policy_decision": post_only(version=1),
    # Credit: credit checks on sales orders
    "credit-checks": web_ledger(collector=OK, sales=OK),  # no check in the book: an empty, scoped list
    "credit-check": web_ledger({"reference": lambda world: world["customers"][0].credit_checks.get_or_create(
        reference="SO-MATRIX", defaults={"amount": 1, "decision": "approve", "status": "reserved"})[0].reference},
        sales=HIDDEN),
    "credit-check-override": post_only(reference="SO-MATRIX"),
    "credit-check-override-approve": post_only(reference="SO-MATRIX"),
    "credit-check-override-reject": post_only(reference="SO-MATRIX"),
    "credit-check-release": post_only(reference="SO-MATRIX"),
    "credit-check-cancel": post_only(reference="SO-MATRIX"),
    "api:credit_check_create": api_ledger(collector=OK, sales=OK),  # GET on the same path lists
    "api:credit_check_list": api_ledger(collector=OK, sales=OK),
    "api:credit_check_detail": api_ledger({"reference": lambda world: world["customers"][0].credit_checks.get_or_create(
        reference="SO-MATRIX", defaults={"amount": 1, "decision": "approve", "status": "reserved"})[0].reference},
        sales=HIDDEN),
    "api:credit_check_release": post_only(reference="SO-MATRIX"),
    "api:credit_check_cancel": post_only(reference="SO-MATRIX"),
    "api:credit_check_override": post_only(reference="SO-MATRIX"),
    "api:credit_check_override_approve": post_only(reference="SO-MATRIX"),
    "api:credit_check_override_reject": post_only(reference="SO-MATRIX"),
    "api:customer_standing": api_ledger({"code": CQ_CUSTOMER}, sales=HIDDEN),
    # Credit: sales page and risk feedback
    "credit-sales": web_ledger(),
    "credit-sales-customer": web_ledger({"code": CQ_CUSTOMER}, sales=HIDDEN),
    "credit-feedback-submit": post_only(code=CQ_CUSTOMER),
    "credit-feedback": web_only(set(Role.values) - {Role.SALES}),
    "credit-feedback-review": post_only(pk=1),
    # Credit models (fengkong.scoring): the registry, customer scores, invoice predictions, the cash forecast
    "api:model_list": web_only(MODEL_READERS, web=False),
    "api:model_detail": web_only(MODEL_READERS, {"model_id": a_model}, web=False),
    "api:model_promotion": post_only(model_id=1),
    "api:promotion_decision": post_only(request_id=1),
    "api:promotion_withdraw": post_only(request_id=1),
    "api:model_rollback": POST_ONLY,
    "api:model_retire": post_only(model_id=1),
    "api:customer_model_scores": Entry({**web_only(MODEL_READERS, web=False).expect},
                                       {"code": CQ_CUSTOMER}),
    "api:invoice_prediction_list": web_only(MODEL_READERS | {Role.COLLECTOR}, web=False),  # none yet: empty, scoped
    "api:cash_forecast": web_only(FORECAST_READERS, web=False),
    "scoring-models": web_only(MODEL_READERS),
    "scoring-model": web_only(MODEL_READERS, {"pk": a_model}),
    "scoring-report": Entry({**{p: NOT_FOUND if p in MODEL_READERS else DENIED for p in PERSONAS},
                             ANONYMOUS: LOGIN}, {"pk": a_model}),  # this model has no report written
    "scoring-forecast": web_only(FORECAST_READERS),  # no forecast yet: the page says so
    "scoring-train": POST_ONLY,
    "scoring-rollback": POST_ONLY,
    "scoring-promote": post_only(pk=1),
    "scoring-retire": post_only(pk=1),
    "scoring-decide": post_only(pk=1),
    "scoring-withdraw": post_only(pk=1),
}


def project_url_names(patterns=None, namespace: tuple[str, ...] = ()) -> list[str]:
    """Every URL name in the project, namespaced ("api:me"); unnamed patterns show their route."""
    names = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + ((pattern.namespace,) if pattern.namespace else ())
            names += project_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            names.append(":".join([*namespace, pattern.name or f"<unnamed {pattern.pattern}>"]))
    return names


def entry_for(name: str) -> Entry | None:
    return MATRIX.get(name) or MATRIX.get(name.split(":", 1)[0] + ":*" if ":" in name else "")


def test_every_url_has_a_matrix_entry():
    missing = sorted({name for name in project_url_names() if entry_for(name) is None})
    assert not missing, "\n".join(f"add {name!r} to the permission matrix in {__name__}" for name in missing)


def test_every_matrix_entry_is_a_url_of_the_project():
    names = set(project_url_names())
    stale = [key for key in MATRIX
             if not (key in names or (key.endswith(":*") and any(n.startswith(key[:-1]) for n in names)))]
    assert not stale, f"remove {stale} from the permission matrix: no such URL any more"


def test_every_entry_names_every_persona():
    assert {key: sorted(set(PERSONAS) - set(e.expect)) for key, e in MATRIX.items() if set(e.expect) != set(PERSONAS)} == {}


@pytest.fixture
def roles(db):
    """The role groups exactly as accounts.roles.ensure_roles makes them, in three queries: ensure_roles
    reads the whole permission table once per role, which was most of a case's time here, where the roles
    are made afresh for each of some two thousand cases (test_the_matrix_roles_are_those_of_ensure_roles)."""
    ids = {(app, code): pk for pk, app, code in Permission.objects.values_list("pk", "content_type__app_label",
                                                                              "codename")}
    groups = {role: Group(name=role) for role in ROLE_PERMISSIONS}
    Group.objects.bulk_create(groups.values())
    granted = Group.permissions.through
    granted.objects.bulk_create([granted(group_id=groups[role].pk, permission_id=ids[tuple(code.split(".", 1))])
                                 for role, codes in ROLE_PERMISSIONS.items() for code in sorted(set(codes))])
    return groups


def test_the_matrix_roles_are_those_of_ensure_roles(roles):
    def granted() -> dict[str, set[str]]:
        return {group.name: {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
                for group in Group.objects.prefetch_related("permissions__content_type")}

    made_here = granted()
    ensure_roles()
    assert granted() == made_here and set(made_here) == set(Role.values)


@pytest.fixture
def world(book, users):
    batch = ImportBatch.objects.create(kind="invoices", file_name="ar.csv", file_sha256="0" * 64,
                                       user=users["admin"], actor_name="admin")
    return {**book, "batch": batch, "users": users}


def url_of(key: str, world) -> str:
    entry = MATRIX[key]
    kwargs = {k: v(world) if isinstance(v, Callable) else v for k, v in entry.kwargs.items()}
    return reverse(entry.sample or key, kwargs=kwargs)


CASES = [(key, persona) for key in MATRIX for persona in PERSONAS]


@pytest.mark.parametrize(("key", "persona"), CASES, ids=[f"{k}-{p}" for k, p in CASES])
def test_permission_matrix(world, key, persona):
    client = Client()
    if persona != ANONYMOUS:
        client.force_login(world["users"][persona])
    if MATRIX[key].cycle:
        from fengkong.monitoring.cycle import run_cycle

        run_cycle(as_of=AS_OF)
    url = url_of(key, world)
    response = client.get(url)
    expected = MATRIX[key].expect[persona]
    assert_outcome(response, expected, persona, url)
    assert_no_foreign_rows(response, persona, url)


def assert_outcome(response, expected: str, persona: str, url: str) -> None:
    status = response.status_code
    where = f"{persona} GET {url} answered {status}, expected {expected}"
    if expected in {OK, SCOPED}:
        assert status == 200, where
    elif expected in {LOGIN, ADMIN_LOGIN}:
        login = reverse("admin:login") if expected == ADMIN_LOGIN else reverse("login")
        assert status == 302 and response.url.startswith(login), f"{where} (to {response.get('Location')})"
    else:
        statuses = {DENIED: 403, HIDDEN: 404, UNAUTHORIZED: 401, REDIRECT: 302, NOT_FOUND: 404, NOT_ALLOWED: 405}
        assert status == statuses[expected], where
    if expected == SCOPED:
        body = response.content.decode()
        assert any(marker in body for marker in OWN[persona]), f"{where}: shows none of its own portfolio"


def assert_no_foreign_rows(response, persona: str, url: str) -> None:
    content_type = response.get("Content-Type", "")
    if persona not in FOREIGN or response.status_code != 200 or response.streaming:
        return  # a 404 may echo the code that was asked for; that is not a leak
    if not content_type.startswith(("text/html", "application/json")):
        return
    body = response.content.decode()
    leaked = [marker for marker in FOREIGN[persona] if marker in body]
    assert not leaked, f"{persona} GET {url} shows another portfolio's {leaked}"
