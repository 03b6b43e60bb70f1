"""Every role against every page and endpoint: allowed, forbidden, hidden or scoped.

The matrix is defined here; its GET half runs in tests/test_permission_reads.py and its writes in
tests/test_permission_writes.py (each on one world made once for the module), its aggregates here.

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

Aggregates
----------
Totals obey the same scoping as rows: every page the collector or the sales persona may read (OK or
SCOPED above) is rendered twice, once on the book and once with a marker invoice of 8,765,432.10, 95 days
overdue, of a new customer of the other portfolio with a credit limit of the same amount; what the
persona sees must be identical apart from CSRF tokens, nonces and times of day
(`test_aggregates_leave_out_the_other_portfolio`: a total that included the marker would change), and
the marker's amount never appears. Figures the product stores for the whole company
(at training, when proposing, in the night) are made again after the marker by the makers named in
STORED_FIGURES (tests/matrix_targets.py): a new page showing such a stored figure adds its key there, and
the check insists that the marker does move the company's figure for a risk manager, so the entry
cannot pass by showing nothing. Figures computed at read time need nothing: a new page is covered as
soon as it has its MATRIX entry.

Writes
------
Every URL that takes a POST (PUT, PATCH, DELETE) also has an entry in WRITES, and every persona sends
it the payload that would succeed. Which URLs take writes is found, not listed: django-ninja's own
OpenAPI schema for the API; for pages, a class-based view's verb methods, a require_POST /
require_http_methods decorator, or a function view that reads request.POST, request.FILES or
request.method. A new one without an entry fails `test_every_write_url_has_a_write_entry` with
"add '<name>' to WRITES" ("<name> PUT" for a verb other than POST).

How to add a write entry
~~~~~~~~~~~~~~~~~~~~~~~~
    "credit-check-release": web_write(ORDER_TAKERS, targets.credit_check("reserved"), reference_of,
                                      {"reason": "..."}, audit="credit_check.released"),
    "api:credit_check_release": api_write(ORDER_TAKERS, ...same...),
1. The roles that succeed; every other signed-in persona is DENIED (403), anonymous LOGIN (web) or
   UNAUTHORIZED (API). Override single personas by name (nobody=HIDDEN).
2. The target: a maker in tests/matrix_targets.py taking a Scene (the customer of the persona's own
   portfolio, the colleague who made the object) and returning the object acted on, made per case
   without the risk cycle; `kwargs` turns it into the URL's kwargs; `data` is the form data (web_write)
   or JSON body (api_write) that succeeds, or a callable (scene, target) -> it.
3. What success writes: the target row changes (the default), `creates=Model` (a new row), or
   `written=` for a mark outside the database; `audit=` the AuditEvent action it records.
4. `scoped` (default True): the object belongs to a portfolio, so collector and sales are also sent it
   for an object of the other portfolio: HIDDEN (404) unless `foreign` says otherwise (DENIED where the
   role may not take the step at all and the view says so before it looks the object up).
   `maker={persona: outcome}`: also tried on an object that persona made (maker-checker: self-approval).
Outcomes: ALLOWED (2xx or a redirect, the change is made and audited), NO_CHANGE (2xx or a redirect but
nothing written: a refusal shown on the page, a request silently ignored), DENIED, HIDDEN, LOGIN,
UNAUTHORIZED, ADMIN_LOGIN and INVALID (400/422: the API's answer to a customer code it does not know). Anything but ALLOWED must leave every
table's row count, the audit trail and the target row as they were.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook
from tests import matrix_targets as targets
from tests.conftest import AS_OF, PASSWORD, make_customer, make_invoice, make_world

from fengkong.accounts.choices import Role
from fengkong.accounts.models import Portfolio
from fengkong.collections.models import (
    AcceptanceBill,
    Contact,
    Dispute,
    DunningLetter,
    DunningPause,
    InstalmentPlan,
    PromiseToPay,
)
from fengkong.contracts.models import Contract, ContractDocument
from fengkong.core import dates
from fengkong.core.models import AuditEvent
from fengkong.credit.models import (
    Assessment,
    CreditCheck,
    CreditPolicy,
    CreditProfile,
    LimitProposal,
    RiskFeedback,
)
from fengkong.evidence.models import EvidenceItem
from fengkong.industry.models import Indicator, IndustryOutlook, Observation
from fengkong.integrations.models import ImportBatch
from fengkong.legal.models import (
    CaseCost,
    CaseDocument,
    Engagement,
    FirmInvoice,
    LawFirm,
    LegalCase,
    LegalDeadline,
    PreservationDecision,
    Recovery,
    Seizure,
)
from fengkong.notifications.models import NotificationPreference
from fengkong.provisions.models import ProvisionRun, WriteOffRequest
from fengkong.provisions.models import Recovery as WriteOffRecovery
from fengkong.receivables.models import FxRate
from fengkong.scoring.models import PromotionRequest

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
RATE_READERS = set(Role.values) - {Role.SALES}   # exchange rates: not portfolio data (docs/currencies.md)
RECONCILERS = {Role.RISK_MANAGER, Role.RISK_COMMITTEE, Role.FINANCE, Role.AUDITOR}


@dataclass
class Entry:
    expect: dict[str, str]
    kwargs: dict[str, object] = field(default_factory=dict)
    sample: str | None = None  # for "<namespace>:*" entries: the URL name actually requested
    monitored: bool = False  # the book as a risk cycle leaves it (snapshots, alerts, tasks, flags)


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


def a_digest(world) -> int:
    """The risk manager's digest of the day, listing the Chongqing customer's attention alert."""
    from fengkong.monitoring.models import Alert
    from fengkong.notifications.models import Digest, DigestEntry

    digest = Digest.objects.get_or_create(user=world["users"][Role.RISK_MANAGER], as_of=AS_OF)[0]
    customer = world["customers"][0]
    alert = Alert.objects.get_or_create(dedup_key=f"matrix-digest:{customer.code}", defaults={
        "kind": "zone_attention", "level": 2, "customer": customer, "as_of": AS_OF,
        "title": f"{customer.code} entered the attention zone"})[0]
    DigestEntry.objects.get_or_create(digest=digest, alert=alert, defaults={
        "customer_id": alert.customer_id, "title": alert.title})
    return digest.pk


def cq_task(world) -> int:
    from fengkong.monitoring.models import ActionItem

    return ActionItem.objects.filter(customer__portfolio__code="CQ").order_by("pk").first().pk


def monitoring(readers: set[str] | None = None, web: bool = True, kwargs=None, **overrides) -> Entry:
    """Monitoring data as a risk cycle leaves it (targets.monitored): `readers` (default every role) may
    read it, collectors and sales only their portfolio's; everybody else signed in gets 403."""
    roles = set(Role.values) if readers is None else readers
    expect = {p: OK if p in roles else DENIED for p in PERSONAS}
    expect[ANONYMOUS] = LOGIN if web else UNAUTHORIZED
    return Entry({**expect, **overrides}, kwargs or {}, monitored=True)


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

# Collections (fengkong.collections): who reads cases, contacts and promises; disputes also their owners (sales)
CASE_READERS = {Role.RISK_MANAGER, Role.CREDIT_ANALYST, Role.COLLECTOR, Role.LEGAL_OFFICER, Role.FINANCE,
                Role.AUDITOR}
DISPUTE_READERS = CASE_READERS | {Role.SALES}
PERFORMANCE_READERS = {Role.RISK_MANAGER, Role.COLLECTOR}  # a collector their own line, a manager everyone's


def cq_case(world) -> int:
    from fengkong.collections.models import CollectionCase

    customer = world["customers"][0]
    return CollectionCase.objects.get_or_create(customer=customer, status="open", defaults={
        "opened_on": AS_OF, "updated_on": AS_OF, "overdue_amount": "3000.00"})[0].pk


def sc_dispute(world) -> int:
    """A dispute on the Sichuan customer, answered by the sales persona (who works Sichuan)."""
    customer = world["customers"][2]
    scene = targets.Scene(world, "system", None, customer, world["users"]["collector"], world["users"]["sales"])
    return targets.open_dispute(scene).pk


def cq_attachment(world) -> int:
    from django.core.files.base import ContentFile

    from fengkong.collections.models import Attachment, CollectionCase

    attachment = Attachment(case=CollectionCase.objects.get(pk=cq_case(world)), name="letter.txt", size=6,
                            sha256="0" * 64)
    attachment.file.save("letter.txt", ContentFile(b"letter"), save=True)
    return attachment.pk


def cq_plan(world) -> int:
    """A proposed instalment plan on the Chongqing customer, proposed by the collector."""
    customer = world["customers"][0]
    scene = targets.Scene(world, "system", None, customer, world["users"]["collector"], None)
    return (InstalmentPlan.objects.filter(customer=customer).first() or targets.proposed_plan(scene)).pk


def cq_bill(world) -> int:
    """A held acceptance bill of the Chongqing customer, recorded by the collector."""
    customer = world["customers"][0]
    scene = targets.Scene(world, "system", None, customer, world["users"]["collector"], None)
    return (AcceptanceBill.objects.filter(customer=customer).first() or targets.held_bill(scene)).pk


def cq_with_case(world) -> str:
    customer = world["customers"][0]
    return targets.with_open_case(targets.Scene(world, "system", None, customer, None, None)).code


# the propose form: the collectors and managers; a customer of another portfolio (or none at all) is not found
PLAN_FORM = web_only({Role.RISK_MANAGER, Role.COLLECTOR}, {"code": cq_with_case})
PLAN_FORM.expect.update({"sales": HIDDEN, "nobody": HIDDEN, Role.LAW_FIRM: HIDDEN})
BILL_WRITERS = {Role.RISK_MANAGER, Role.COLLECTOR, Role.FINANCE}  # collections.add_acceptancebill
BILL_FORM = web_only(BILL_WRITERS, {"code": cq_with_case})
BILL_FORM.expect.update({"sales": HIDDEN, "nobody": HIDDEN, Role.LAW_FIRM: HIDDEN})
PROVISION_READERS = {Role.FINANCE, Role.RISK_MANAGER, Role.AUDITOR}
INDUSTRY_READERS = set(Role.values) - {Role.SALES}   # industry data belongs to no portfolio
INDUSTRY_KEEPERS = {Role.INDUSTRY_ANALYST}


def an_indicator(world) -> str:
    from tests.matrix_targets import indicator

    return indicator().code


def a_write_off(world) -> int:
    from tests.matrix_targets import Scene, proposed_write_off

    from fengkong.provisions.models import WriteOffRequest

    found = WriteOffRequest.objects.first()
    scene = Scene(world, "system", None, world["customers"][0], world["users"][Role.FINANCE], None)
    return (found or proposed_write_off(scene)).pk


def a_provision(world) -> int:
    from tests.matrix_targets import provision_run

    return (ProvisionRun.objects.filter(status="proposed").first() or provision_run(world["users"][Role.FINANCE])).pk


REVIEW_READERS = {Role.ADMIN, Role.RISK_MANAGER, Role.CREDIT_ANALYST, Role.FINANCE, Role.AUDITOR}
CONTRACT_WORKERS = {Role.RISK_MANAGER, Role.CREDIT_ANALYST, Role.LEGAL_OFFICER}  # analyse, register, submit
CONTRACT_READERS = CONTRACT_WORKERS | {Role.RISK_COMMITTEE, Role.AUDITOR}
CONTRACT_APPROVERS = {Role.RISK_MANAGER, Role.LEGAL_OFFICER}  # maker-checker; legal up to the large value


def a_contract(world) -> int:
    from fengkong.contracts.models import Contract

    return Contract.objects.create(customer=world["customers"][0], number="HT-2026-001",
                                   created_by=world["users"]["credit_analyst"]).pk



def a_pending_change(world) -> int:
    from fengkong.reviews.models import PendingChange

    customer = world["customers"][0]
    return PendingChange.objects.create(kind="customer", object_id=customer.pk, customer=customer,
                                        old={"name": customer.name}, new={"name": "重庆渝中精密机械集团有限公司"},
                                        requested_by=world["users"]["credit_analyst"]).pk


EVIDENCE_READERS = {Role.ADMIN, Role.RISK_MANAGER, Role.CREDIT_ANALYST, Role.COLLECTOR, Role.LEGAL_OFFICER, Role.FINANCE,
                    Role.AUDITOR}
EVIDENCE_VERIFIERS = {Role.ADMIN, Role.RISK_MANAGER, Role.LEGAL_OFFICER, Role.AUDITOR}
LEGAL_READERS = {Role.ADMIN, Role.RISK_MANAGER, Role.LEGAL_OFFICER, Role.FINANCE, Role.AUDITOR}


def an_evidence_item(world) -> int:
    from fengkong.evidence.actions import Description, keep

    return keep(actor=None, chunks=[b"%PDF-1.4\n%%EOF\n"], filename="letter.pdf", customer=world["customers"][0],
                description=Description(title="催款函", source="letter")).pk


def a_legal_case(world) -> int:
    from fengkong.legal.actions import Claim, open_case

    return open_case(actor=world["users"]["legal_officer"], customer=world["customers"][0],
                     claim=Claim(principal=Decimal("1000.00"))).pk


FIRM_READERS = {Role.ADMIN, Role.RISK_MANAGER, Role.LEGAL_OFFICER, Role.FINANCE, Role.AUDITOR}


def legal_page(roles: set[str], kwargs=None, web: bool = True, law_firm: str = OK) -> Entry:
    """A legal page or endpoint: the named roles, and a law firm's user with `law_firm` (OK for the lists,
    which show its firm's cases only; HIDDEN for a case not engaged to its firm)."""
    entry = web_only(roles, kwargs, web=web)
    entry.expect[Role.LAW_FIRM] = law_firm
    return entry


def a_case_document(world) -> tuple[int, int]:
    """A legal officer's case with one document (made once per test: the URL needs both ids)."""
    if "case_document" not in world:
        from fengkong.legal.models import CaseDocument

        document = CaseDocument.objects.get(case_id=a_legal_case_with_evidence(world))
        world["case_document"] = (document.case_id, document.item_id)
    return world["case_document"]


def a_legal_case_with_evidence(world) -> int:
    from fengkong.evidence.actions import Description
    from fengkong.legal.actions import attach_document
    from fengkong.legal.models import LegalCase

    case = LegalCase.objects.get(pk=a_legal_case(world))
    attach_document(actor=world["users"]["legal_officer"], case=case, chunks=[b"%PDF-1.4\n%%EOF\n"],
                    filename="律师函.pdf", description=Description(title="律师函", source="letter"))
    return case.pk


MATRIX: dict[str, Entry] = {
    # Web pages (fengkong.web, accounts, customers and integrations urls)
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
    "fx-rates": web_only(RATE_READERS),
    "import-detail": web_only(IMPORT_VIEWERS, IMPORT),
    "import-progress": web_only(IMPORT_VIEWERS, IMPORT),
    "import-problems": web_only(IMPORT_VIEWERS, IMPORT),
    # The AR reconciliation report (fengkong.receivables.urls): finance and the risk roles
    "reconciliation": web_only(RECONCILERS),
    "reconciliation-csv": web_only(RECONCILERS),
    "reconciliation-xlsx": web_only(RECONCILERS),
    # Monitoring pages (fengkong.monitoring.urls), on the book as a risk cycle leaves it
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
    "inbox-preferences": POST_ONLY,
    # a digest is its person's own (the risk manager's here): "not found" for everybody else
    "inbox-digest": Entry({**_everyone(HIDDEN, anonymous=LOGIN), Role.RISK_MANAGER: OK}, {"pk": a_digest}),
    # Dual review (fengkong.reviews): the queue of changes waiting and the steps on them
    "review-queue": web_only(REVIEW_READERS),
    # Evidence and legal recovery (fengkong.evidence, fengkong.legal)
    "evidence-verify": web_only(EVIDENCE_VERIFIERS),
    "evidence-download": web_only(EVIDENCE_READERS, {"pk": an_evidence_item}),
    "legal-worklist": legal_page(LEGAL_READERS),
    "legal-calendar": legal_page(LEGAL_READERS),
    "legal-case": legal_page(LEGAL_READERS, {"pk": a_legal_case}, law_firm=HIDDEN),
    "legal-document-download": legal_page(LEGAL_READERS & EVIDENCE_READERS, {"pk": lambda w: a_case_document(w)[0],
                                                          "item_id": lambda w: a_case_document(w)[1]}, law_firm=HIDDEN),
    "legal-firms": web_only(FIRM_READERS),
    "legal-firm-register": POST_ONLY,
    "legal-engage": POST_ONLY,
    "legal-firm-invoice": post_only(pk=1),
    "legal-cost": post_only(pk=1),
    "legal-end-engagement": post_only(pk=1),
    "api:legal_engagement_end": post_only(engagement_id=1),
    "legal-recovery": post_only(pk=1),
    "api:legal_firm_list": web_only(FIRM_READERS, web=False),
    "api:legal_firm_register": web_only(FIRM_READERS, web=False),  # GET on the same path lists the firms
    "api:legal_engage": post_only(),
    "api:legal_firm_invoice": post_only(case_id=1),
    "api:legal_case_recovery": post_only(case_id=1),
    "api:legal_case_money": web_only(FIRM_READERS, {"case_id": a_legal_case}, web=False),
    "api:legal_case_cost": web_only(FIRM_READERS, {"case_id": a_legal_case}, web=False),  # GET: the costs
    "legal-open": POST_ONLY,
    "legal-bundle": web_only({Role.LEGAL_OFFICER, Role.RISK_MANAGER}, {"pk": a_legal_case_with_evidence}),
    "legal-move": post_only(pk=1),
    "legal-document": post_only(pk=1),
    "legal-seizure": post_only(pk=1),
    "legal-hearing": post_only(pk=1),
    "legal-approve": post_only(pk=1),
    "api:legal_case_move": post_only(case_id=1),
    "api:legal_case_open": legal_page(LEGAL_READERS, web=False),  # GET on the same path lists the cases
    "api:evidence_item_list": web_only(EVIDENCE_READERS, web=False),
    "api:evidence_item_store": web_only(EVIDENCE_READERS, web=False),  # GET on the same path lists the items
    "api:evidence_item_detail": web_only(EVIDENCE_READERS, {"item_id": an_evidence_item}, web=False),
    "api:evidence_verify": web_only(EVIDENCE_VERIFIERS, web=False),
    "api:legal_case_list": legal_page(LEGAL_READERS, web=False),
    "api:legal_case_detail": legal_page(LEGAL_READERS, {"case_id": a_legal_case}, web=False, law_firm=HIDDEN),
    "api:legal_deadline_list": legal_page(LEGAL_READERS, web=False),
    "api:legal_court_fee": legal_page(LEGAL_READERS, web=False),  # the scale: no data of anybody's
    "api:legal_limitation_list": web_only(LEGAL_READERS, web=False),
    # when to act: whoever reads the cases reads the signs for preservation and the decisions, a law firm's
    # user those of its firm's cases (another firm's is "not found"; a customer, which is never theirs, 403)
    "legal-preservation-case": post_only(pk=1),
    "legal-preservation-customer": post_only(code=CQ_CUSTOMER),
    "api:legal_preservation_list": legal_page(LEGAL_READERS, web=False),
    "api:legal_case_preservation": legal_page(LEGAL_READERS, {"case_id": a_legal_case}, web=False, law_firm=HIDDEN),
    "api:legal_case_preservation_decide": legal_page(LEGAL_READERS, {"case_id": a_legal_case}, web=False,
                                                     law_firm=HIDDEN),  # GET on the same path: the signs
    "api:legal_customer_preservation": legal_page(LEGAL_READERS, {"code": CQ_CUSTOMER}, web=False, law_firm=DENIED),
    "api:legal_customer_preservation_decide": legal_page(LEGAL_READERS, {"code": CQ_CUSTOMER}, web=False,
                                                         law_firm=DENIED),
    "review-confirm": post_only(pk=1),
    "review-reject": post_only(pk=1),
    "review-withdraw": post_only(pk=1),
    "api:pending_change_list": web_only(REVIEW_READERS, web=False),
    "api:pending_change_detail": web_only(REVIEW_READERS, {"change_id": a_pending_change}, web=False),
    "api:pending_change_confirm": post_only(change_id=1),
    "api:pending_change_reject": post_only(change_id=1),
    "api:pending_change_withdraw": post_only(change_id=1),
    # Collections (fengkong.collections.urls): the worklist, a case, disputes; writes are POST only
    "collections-worklist": web_only(CASE_READERS),
    "collections-case": web_only(CASE_READERS, {"pk": cq_case}),
    "collections-case-take": post_only(pk=1),
    "collections-case-reassign": post_only(pk=1),
    "collections-contact": post_only(code=CQ_CUSTOMER),
    "collections-promise": post_only(code=CQ_CUSTOMER),
    "collections-dispute-open": post_only(code=CQ_CUSTOMER),
    "collections-attachment": Entry({**web_only(CASE_READERS, {"pk": cq_attachment}).expect},
                                    {"pk": cq_attachment}),
    "collections-disputes": web_only(DISPUTE_READERS),
    "collections-dispute": Entry({**web_only(DISPUTE_READERS).expect, "collector": HIDDEN}, {"pk": sc_dispute}),
    "collections-dispute-resolve": post_only(pk=1),
    "api:collection_case_list": web_only(CASE_READERS, web=False),
    "api:collection_case_detail": web_only(CASE_READERS, {"case_id": cq_case}, web=False),
    "api:collection_case_take": post_only(case_id=1),
    "api:collection_case_reassign": post_only(case_id=1),
    "api:collection_contact_list": web_only(CASE_READERS, web=False),
    "api:collection_contact_create": web_only(CASE_READERS, web=False),  # GET on the same path lists
    "api:collection_promise_list": web_only(CASE_READERS, web=False),
    "api:collection_promise_create": web_only(CASE_READERS, web=False),  # GET on the same path lists
    "api:collection_dispute_list": web_only(DISPUTE_READERS, web=False),
    "api:collection_dispute_create": web_only(DISPUTE_READERS, web=False),  # GET on the same path lists
    "api:collection_dispute_resolve": post_only(dispute_id=1),
    "collections-case-behaviour": post_only(pk=1),
    "collections-performance": web_only(PERFORMANCE_READERS),
    "api:collection_performance": web_only(PERFORMANCE_READERS, web=False),
    "api:collection_case_behaviour": post_only(case_id=1),
    # Dunning (fengkong.collections.dunning_views, dunning_api): the letter of today's figures, its log, pauses
    "collections-dunning": web_only(CASE_READERS, {"code": CQ_CUSTOMER}),
    "collections-dunning-send": post_only(code=CQ_CUSTOMER),
    "collections-dunning-download": post_only(code=CQ_CUSTOMER),
    "collections-dunning-pause": post_only(code=CQ_CUSTOMER),
    "collections-dunning-resume": post_only(pk=1),
    "collections-dunning-delivered": post_only(pk=1),
    # Instalment plans (fengkong.collections.plan_views, plan_api): proposed on a case, approved by level
    "collections-plans": web_only(CASE_READERS),
    "collections-plan": web_only(CASE_READERS, {"pk": cq_plan}),
    "collections-plan-new": PLAN_FORM,
    "collections-plan-approve": post_only(pk=1),
    "collections-plan-reject": post_only(pk=1),
    "collections-plan-cancel": post_only(pk=1),
    "api:collection_plan_list": web_only(CASE_READERS, web=False),
    "api:collection_plan_create": web_only(CASE_READERS, web=False),  # GET on the same path lists
    "api:collection_plan_detail": web_only(CASE_READERS, {"plan_id": cq_plan}, web=False),
    "api:collection_plan_approve": post_only(plan_id=1),
    "api:collection_plan_reject": post_only(plan_id=1),
    # Acceptance bills (fengkong.collections.bill_views, bill_api): recorded, presented, paid, dishonoured
    "collections-bills": web_only(CASE_READERS),
    "collections-bill": web_only(CASE_READERS, {"pk": cq_bill}),
    "collections-bill-new": BILL_FORM,
    "collections-bill-present": post_only(pk=1),
    "collections-bill-paid": post_only(pk=1),
    "collections-bill-dishonour": post_only(pk=1),
    "api:collection_bill_list": web_only(CASE_READERS, web=False),
    "api:collection_bill_create": web_only(CASE_READERS, web=False),  # GET on the same path lists
    "api:collection_bill_detail": web_only(CASE_READERS, {"bill_id": cq_bill}, web=False),
    "api:collection_bill_paid": post_only(bill_id=1),
    "api:collection_bill_dishonour": post_only(bill_id=1),
    "api:dunning_letter_list": web_only(CASE_READERS, web=False),
    "api:dunning_letter_create": web_only(CASE_READERS, web=False),  # GET on the same path lists
    "api:dunning_letter_delivered": post_only(letter_id=1),
    "api:dunning_pause_list": web_only(CASE_READERS, web=False),
    "api:dunning_pause_create": web_only(CASE_READERS, web=False),  # GET on the same path lists
    "api:dunning_pause_end": post_only(pause_id=1),
    # Contracts (fengkong.contracts): the register, a contract's page, its steps; the clause analysis
    "contract-list": web_only(CONTRACT_READERS),
    "contract-new": web_only(CONTRACT_WORKERS),
    "contract-detail": web_only(CONTRACT_READERS, {"pk": a_contract}),
    "contract-upload": post_only(pk=1),
    "contract-submit": post_only(pk=1),
    "contract-approve": post_only(pk=1),
    "contract-checklist-sign-off": post_only(pk=1, code="litigation_search"),
    "contract-signed": post_only(pk=1),
    "api:contract_analyze": POST_ONLY,
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
    "api:fx_rate_list": web_only(RATE_READERS, web=False),
    "api:invoice_list": api_ledger(),
    "api:invoice_detail": api_ledger({"number": CQ_INVOICE}, sales=HIDDEN),
    "api:aging": monitoring(web=False),
    "api:reconciliation": web_only(RECONCILERS, web=False),
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
    # Industry risk (fengkong.industry): the indicator library and the outlooks, read by all but sales
    "industry-indicators": web_only(INDUSTRY_READERS),
    "industry-indicator": web_only(INDUSTRY_READERS, {"code": an_indicator}),
    "industry-indicator-new": POST_ONLY,
    "industry-indicator-edit": post_only(code="e-cement"),
    "industry-observation-add": post_only(code="e-cement"),
    "industry-import": web_only(INDUSTRY_KEEPERS),
    "industry-outlooks": web_only(INDUSTRY_READERS),
    "industry-outlook-set": POST_ONLY,
    "api:industry_indicator_list": web_only(INDUSTRY_READERS, web=False),
    "api:industry_indicator_detail": web_only(INDUSTRY_READERS, {"indicator_code": an_indicator}, web=False),
    "api:industry_observation_add": post_only(indicator_code="e-cement"),
    "api:industry_outlook_list": web_only(INDUSTRY_READERS, web=False),
    "api:industry_outlook_set": web_only(INDUSTRY_READERS, web=False),  # GET on the path lists
    # Bad-debt provisions (fengkong.provisions): company-wide figures, for finance, risk manager and auditor
    "provisions-runs": web_only(PROVISION_READERS),
    "provisions-run": web_only(PROVISION_READERS, {"pk": a_provision}),
    "provisions-download": web_only(PROVISION_READERS, {"pk": a_provision, "what": "journal", "fmt": "xlsx"}),
    "provisions-propose": POST_ONLY,
    "provisions-decide": post_only(pk=1),
    "api:provision_run_list": web_only(PROVISION_READERS, web=False),
    "api:provision_run_propose": web_only(PROVISION_READERS, web=False),  # GET on the path lists
    "api:provision_run_detail": web_only(PROVISION_READERS, {"run_id": a_provision}, web=False),
    "api:provision_run_decide": post_only(run_id=1),
    "provisions-write-offs": web_only(PROVISION_READERS),
    "provisions-write-off": web_only(PROVISION_READERS, {"pk": a_write_off}),
    "provisions-write-off-create": POST_ONLY,
    "provisions-write-off-decide": post_only(pk=1),
    "provisions-write-off-recovery": post_only(pk=1),
    "api:write_off_list": web_only(PROVISION_READERS, web=False),
    "api:write_off_request": web_only(PROVISION_READERS, web=False),  # GET on the path lists
    "api:write_off_detail": web_only(PROVISION_READERS, {"write_off_id": a_write_off}, web=False),
    "api:write_off_decide": post_only(write_off_id=1),
    "api:write_off_recovery": post_only(write_off_id=1),
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


def law_firm_as_nobody(entries: dict) -> None:
    """A law firm's user is, outside the legal cases, nobody: every other page and endpoint answers them as
    it answers a signed-in user without a role. The legal entries say what they get themselves."""
    for key, entry in entries.items():
        if not key.startswith(("legal-", "api:legal_")):
            entry.expect[Role.LAW_FIRM] = entry.expect["nobody"]


law_firm_as_nobody(MATRIX)


@dataclass(frozen=True)
class ProjectUrl:
    name: str  # namespaced ("api:me"); an unnamed pattern shows its route
    route: str  # the whole route, "api/v1/alerts/<alert_id>/acknowledge"
    view: Callable


def project_urls(patterns=None, namespace: tuple[str, ...] = (), prefix: str = "") -> list[ProjectUrl]:
    """Every URL of the project, found by walking the resolver."""
    urls = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + ((pattern.namespace,) if pattern.namespace else ())
            urls += project_urls(pattern.url_patterns, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            name = ":".join([*namespace, pattern.name or f"<unnamed {pattern.pattern}>"])
            urls.append(ProjectUrl(name, prefix + str(pattern.pattern), pattern.callback))
    return urls


def project_url_names() -> list[str]:
    return [url.name for url in project_urls()]


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
def world(book, users):
    return make_world(book, users)


def url_of(key: str, world) -> str:
    entry = MATRIX[key]
    kwargs = {k: v(world) if isinstance(v, Callable) else v for k, v in entry.kwargs.items()}
    return reverse(entry.sample or key, kwargs=kwargs)


CASES = [(key, persona) for key in MATRIX for persona in PERSONAS]


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


# =====================================================================================================
# Writes: every page and endpoint that takes a POST (PUT, PATCH, DELETE), as every persona sends it.
# =====================================================================================================

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
ALLOWED, NO_CHANGE, INVALID = "allowed", "no-change", "invalid"
BOUND = ("collector", "sales")  # the portfolio-bound personas
COLLEAGUE = "colleague"  # a credit analyst who made the proposals, requests and checks the personas act on


@dataclass
class Write:
    """One write URL: what it acts on, what it is sent, and what each persona gets."""

    expect: dict[str, str]  # persona -> outcome, on an object of the persona's own portfolio
    target: Callable | None = None  # Scene -> the object acted on, made per case
    kwargs: Callable = lambda target: {}  # the target -> the URL's kwargs
    data: dict | Callable = field(default_factory=dict)  # the payload that succeeds, or (Scene, target) -> it
    api: bool = False  # a JSON body (django-ninja), not form data
    creates: type | None = None  # success adds a row of this model; otherwise the target row changes
    audit: str | None = None  # the AuditEvent action a success writes
    written: Callable | None = None  # (Scene, target, response, client) -> a mark outside the database
    foreign: dict[str, str] = field(default_factory=dict)  # persona -> outcome on another portfolio's object
    maker: dict[str, str] = field(default_factory=dict)  # persona -> outcome on an object the persona made
    sample: str | None = None  # for "<namespace>:*" entries: the URL name actually posted to


def _roles_expect(roles: set[str], anonymous: str, **overrides) -> dict[str, str]:
    expect = {p: ALLOWED if p in roles else DENIED for p in PERSONAS}
    return {**expect, ANONYMOUS: anonymous, **overrides}


def web_write(roles: set[str], target=None, kwargs=None, data=None, *, scoped: bool = True, foreign=None,
              maker=None, **options) -> Write:
    """A form target: the named roles succeed, other signed-in users get 403, visitors the login page.
    `scoped`: the object belongs to a portfolio, so collector and sales are also tried on the other one's
    (404 unless `foreign` says otherwise). Persona names in `options` override their outcome."""
    overrides = {p: options.pop(p) for p in list(options) if p in PERSONAS}
    return Write(_roles_expect(roles, LOGIN, **overrides), target, kwargs or (lambda t: {}), data or {},
                 foreign={**({p: HIDDEN for p in BOUND} if scoped else {}), **(foreign or {})},
                 maker=maker or {}, **options)


def api_write(roles: set[str], target=None, kwargs=None, data=None, **options) -> Write:
    """An API operation: as web_write, with 401 for a caller without credentials and a JSON body."""
    entry = web_write(roles, target, kwargs, data, api=True, **options)
    entry.expect[ANONYMOUS] = UNAUTHORIZED
    return entry


def code_of(customer) -> dict:
    return {"code": customer.code}


def pk_of(target) -> dict:
    return {"pk": target.pk}


def change_id_of(change) -> dict:
    return {"change_id": change.pk}


def reference_of(check) -> dict:
    return {"reference": check.reference}


def itself(scene):
    """The customer itself: for writes that add a row to it (a proposal, an assessment, feedback)."""
    return scene.customer


def signs_in(scene, target) -> dict:
    return {"username": target.get_username(), "password": PASSWORD}


def signed_out(scene, target, response, client) -> bool:
    return scene.actor is not None and "_auth_user_id" not in client.session


def language_set(scene, target, response, client) -> bool:
    return settings.LANGUAGE_COOKIE_NAME in response.cookies


def queued(scene, target, response, client) -> bool:
    return bool(scene.world["queued"])


def upload(scene, target) -> dict:
    return {"kind": "invoices", "mode": "all",
            "file": SimpleUploadedFile("ar.csv", b"number,customer,amount\nAR9001,C000001,100.00\n")}


MONITOR_WORKERS = {Role.RISK_MANAGER, Role.CREDIT_ANALYST, Role.COLLECTOR, Role.LEGAL_OFFICER}
MONITOR_MANAGERS = {Role.ADMIN, Role.RISK_MANAGER}
ANALYSTS = {Role.RISK_MANAGER, Role.CREDIT_ANALYST}
ORDER_TAKERS = {Role.RISK_MANAGER, Role.CREDIT_ANALYST, Role.SALES}  # credit.request_check
MANAGER = {Role.RISK_MANAGER}
FINANCE = {Role.FINANCE}
DECIDERS = {Role.RISK_MANAGER, Role.RISK_COMMITTEE}  # scoring.approve_promotion
SIGNED_IN = [p for p in PERSONAS if p != ANONYMOUS]
CONFIRMERS = {Role.ADMIN, Role.RISK_MANAGER}  # reviews.confirm_change
# permission_required before the lookup: another portfolio's object is a 403 like one's own
PERMISSION_FIRST = {p: DENIED for p in BOUND}
# Who works a legal case: the legal officers, and a law firm's user on a case engaged to its firm; another
# firm's case is "not found" for them (legal.models.works_for_firm).
CASE_WORKERS = {Role.LEGAL_OFFICER, Role.LAW_FIRM}
OTHER_FIRM = {**PERMISSION_FIRST, Role.LAW_FIRM: HIDDEN}
# the maker may not decide their own proposal or request: a form says why, the API answers 403
OWN_WEB, OWN_API = {Role.RISK_MANAGER: NO_CHANGE}, {Role.RISK_MANAGER: DENIED}
OTHER_USERS_MESSAGE = {p: NO_CHANGE for p in SIGNED_IN}  # silently ignored, like an id that does not exist

COLLECTION_WORKERS = {Role.RISK_MANAGER, Role.COLLECTOR}  # collections.add_contact, take_case
DISPUTE_RESOLVERS = {Role.RISK_MANAGER, Role.SALES}  # a manager, or the dispute's owner (the sales persona's own)
# the case or dispute is looked up first: who may not read cases (disputes) at all gets "not found"
NO_CASE_VIEW = {p: HIDDEN for p in PERSONAS if p not in CASE_READERS and p != ANONYMOUS}
NO_DISPUTE_VIEW = {p: HIDDEN for p in PERSONAS if p not in DISPUTE_READERS and p != ANONYMOUS}


def promise_form(scene, customer) -> dict:
    return {"amount": "100.00", "due_date": (dates.business_today() + timedelta(days=5)).isoformat()}


def dispute_form(scene, customer) -> dict:
    return {"invoices": [str(targets.open_invoice(customer).pk)], "reason": "price", "team": "sales",
            "owner": scene.world["users"]["sales"].pk}


def plan_body() -> dict:
    today = dates.business_today()
    return {"amount": "100.00", "instalments": [{"due_date": str(today + timedelta(days=5)), "amount": "50.00"},
                                                {"due_date": str(today + timedelta(days=10)), "amount": "50.00"}]}


def plan_form(scene, customer) -> dict:
    rows = plan_body()["instalments"]
    return {"amount": "100.00", "due_date_1": rows[0]["due_date"], "amount_1": "50.00",
            "due_date_2": rows[1]["due_date"], "amount_2": "50.00"}


def bill_body() -> dict:
    today = dates.business_today()
    return {"number": f"MXB-{AcceptanceBill.objects.count() + 1:05d}", "acceptor_name": "重庆承兑人有限公司",
            "amount": "1.00", "issue_date": str(today), "maturity_date": str(today + timedelta(days=90))}


def bill_form(scene, customer) -> dict:
    return bill_body()


LETTER_BY_POST = {"level": "first", "language": "en", "channel": "post", "ems_number": "1012345678901"}


def pause_form(scene, customer) -> dict:
    return {"reason": "reconciling first", "until": (dates.business_today() + timedelta(days=5)).isoformat()}


def delivered_today(scene, letter) -> dict:
    return {"delivered_on": dates.business_today().isoformat()}


def reassign_to_collector(scene, case) -> dict:
    return {"owner": scene.world["users"]["collector"].pk}


def contract_document(scene, target) -> dict:
    return {"document": SimpleUploadedFile("合同.txt", "第一条 付款方式 甲方应于收到发票后60日内付款。".encode("gbk"))}


def new_contract(scene, target) -> dict:
    return {"customer": scene.customer.code, "number": f"HT-{scene.persona}", "kind": "sales", "value": "1000.00",
            **contract_document(scene, target)}


def contract_analysis(scene, target) -> dict:
    return {"grade": "C", **{"file": contract_document(scene, target)["document"]}}


def analysed(scene, target, response, client) -> bool:
    return response.status_code == 200 and "clauses" in response.json()


CONTRACT_ANALYSIS = web_write(CONTRACT_WORKERS, data=contract_analysis, written=analysed, scoped=False)
CONTRACT_ANALYSIS.expect[ANONYMOUS] = UNAUTHORIZED   # multipart, not JSON: sent as a form
EVIDENCE_STORERS = {Role.RISK_MANAGER, Role.CREDIT_ANALYST, Role.COLLECTOR, Role.LEGAL_OFFICER}


def evidence_upload(scene, customer) -> dict:
    return {"file": SimpleUploadedFile("催款函.pdf", b"%PDF-1.4\n%%EOF\n"), "title": "催款函", "source": "letter",
            "customer": customer.code}


# a law firm's user stores on its firm's cases only (a legal case as subject), never on a bare customer
EVIDENCE_UPLOAD = web_write(EVIDENCE_STORERS, itself, data=evidence_upload, creates=EvidenceItem,
                            audit="evidence.stored", foreign={"sales": DENIED})
EVIDENCE_UPLOAD.expect[ANONYMOUS] = UNAUTHORIZED   # multipart, not JSON: sent as a form


def end_engagement_form(scene, engagement) -> dict:
    return {"ended_on": timezone.localdate().isoformat(), "reason": "换所"}

WRITES: dict[str, Write] = {
    # Sign-in, sign-out, language (fengkong.accounts, django.conf.urls.i18n)
    "login": Write({p: NO_CHANGE if p != ANONYMOUS else ALLOWED for p in PERSONAS},  # signed in: sent on
                   target=lambda s: s.actor or s.maker, data=signs_in, audit="auth.login"),
    "logout": Write({p: ALLOWED if p != ANONYMOUS else NO_CHANGE for p in PERSONAS}, written=signed_out),
    "set_language": Write({p: ALLOWED for p in PERSONAS}, data={"language": "en", "next": "/"},
                          written=language_set),
    "import-upload": web_write(IMPORTERS, data=upload, creates=ImportBatch, audit="import.started", scoped=False),
    "fx-rates": web_write({Role.FINANCE}, data={"date": "2026-11-30", "currency": "USD", "rate": "7.1234"},
                          creates=FxRate, audit="fx_rate.created", scoped=False),
    # Monitoring (fengkong.monitoring)
    "monitoring-alerts-acknowledge": web_write(MONITOR_WORKERS, targets.alert,
                                               data=lambda s, alert: {"alert": [alert.pk]},
                                               audit="alert.acknowledged",
                                               foreign={"collector": NO_CHANGE, "sales": DENIED}),
    "monitoring-alert-acknowledge": web_write(MONITOR_WORKERS, targets.alert, pk_of, audit="alert.acknowledged",
                                              nobody=HIDDEN),
    "monitoring-alert-resolve": web_write(MONITOR_WORKERS, targets.alert, pk_of, {"resolution": "paid in full"},
                                          audit="alert.resolved", nobody=HIDDEN),
    "monitoring-action-done": web_write(MONITOR_WORKERS, targets.task, pk_of, {"note": "called the CFO"},
                                        audit="action_item.done", nobody=HIDDEN, sales=HIDDEN),
    "monitoring-stop-supply-lift": web_write(MONITOR_MANAGERS, targets.stop_supply, pk_of, {"reason": "paid"},
                                             audit="stop_supply.lifted", nobody=HIDDEN),
    "api:alert_acknowledge": api_write(MONITOR_WORKERS, targets.alert, lambda a: {"alert_id": a.pk},
                                       audit="alert.acknowledged"),
    "api:alert_resolve": api_write(MONITOR_WORKERS, targets.alert, lambda a: {"alert_id": a.pk},
                                   {"note": "paid in full"}, audit="alert.resolved"),
    # Collections (fengkong.collections): collectors and managers work cases; a dispute's owner resolves it
    "collections-contact": web_write(COLLECTION_WORKERS, itself, code_of, {"channel": "phone", "outcome": "reached"},
                                     creates=Contact, audit="contact.logged", nobody=HIDDEN),
    "collections-promise": web_write(COLLECTION_WORKERS, itself, code_of, promise_form, creates=PromiseToPay,
                                     audit="promise.recorded", nobody=HIDDEN),
    "collections-dispute-open": web_write(COLLECTION_WORKERS, itself, code_of, dispute_form, creates=Dispute,
                                          audit="dispute.opened", nobody=HIDDEN),
    "collections-case-take": web_write(COLLECTION_WORKERS, targets.collection_case, pk_of,
                                       audit="collection_case.taken", **NO_CASE_VIEW),
    "collections-case-reassign": web_write(MANAGER, targets.collection_case, pk_of, reassign_to_collector,
                                           audit="collection_case.reassigned", **NO_CASE_VIEW),
    "collections-dispute-resolve": web_write(DISPUTE_RESOLVERS, targets.open_dispute, pk_of,
                                             {"resolution": "rejected", "root_cause": "the price was agreed"},
                                             audit="dispute.resolved", **NO_DISPUTE_VIEW),
    "api:collection_contact_create": api_write(COLLECTION_WORKERS, itself, data=lambda s, customer: {
        "customer": customer.code, "channel": "phone", "outcome": "reached"}, creates=Contact, audit="contact.logged"),
    "api:collection_promise_create": api_write(COLLECTION_WORKERS, itself, data=lambda s, customer: {
        "customer": customer.code, "amount": "100.00", "due_date": str(dates.business_today() + timedelta(days=5))},
        creates=PromiseToPay, audit="promise.recorded"),
    "api:collection_dispute_create": api_write(COLLECTION_WORKERS, itself, data=lambda s, customer: {
        "customer": customer.code, "reason": "price", "team": "sales", "owner": "sales",
        "items": [{"invoice": targets.open_invoice(customer).number}]}, creates=Dispute, audit="dispute.opened"),
    "api:collection_case_take": api_write(COLLECTION_WORKERS, targets.collection_case, lambda c: {"case_id": c.pk},
                                          audit="collection_case.taken", foreign={"sales": DENIED}),
    "api:collection_case_reassign": api_write(MANAGER, targets.collection_case, lambda c: {"case_id": c.pk},
                                              {"owner": "collector"}, audit="collection_case.reassigned",
                                              foreign={"sales": DENIED}),
    "api:collection_dispute_resolve": api_write(DISPUTE_RESOLVERS, targets.open_dispute,
                                                lambda d: {"dispute_id": d.pk},
                                                {"resolution": "rejected", "root_cause": "the price was agreed"},
                                                audit="dispute.resolved"),
    "collections-case-behaviour": web_write(COLLECTION_WORKERS, targets.collection_case, pk_of,
                                            {"behaviour": "wilful", "reason": "refuses to talk"},
                                            audit="collection_case.behaviour_set", **NO_CASE_VIEW),
    "api:collection_case_behaviour": api_write(COLLECTION_WORKERS, targets.collection_case,
                                               lambda c: {"case_id": c.pk}, {"behaviour": "short_of_cash",
                                                                             "reason": "a customer paid late"},
                                               audit="collection_case.behaviour_set", foreign={"sales": DENIED}),
    # Dunning: collectors and managers write and send letters and pause dunning; a final demand is a manager's
    "collections-dunning-send": web_write(COLLECTION_WORKERS, itself, code_of, LETTER_BY_POST, creates=DunningLetter,
                                          audit="dunning_letter.written", nobody=HIDDEN),
    "collections-dunning-download": web_write(COLLECTION_WORKERS, itself, code_of,
                                              {"level": "first", "language": "en", "format": "pdf"},
                                              creates=DunningLetter, audit="dunning_letter.written", nobody=HIDDEN),
    "collections-dunning-pause": web_write(COLLECTION_WORKERS, itself, code_of, pause_form, creates=DunningPause,
                                           audit="dunning.paused", nobody=HIDDEN),
    "collections-dunning-resume": web_write(COLLECTION_WORKERS, targets.dunning_pause, pk_of, audit="dunning.resumed",
                                            **NO_CASE_VIEW),
    "collections-dunning-delivered": web_write(COLLECTION_WORKERS, targets.sent_letter, pk_of, delivered_today,
                                               audit="dunning_letter.delivered", **NO_CASE_VIEW),
    # Instalment plans: collectors and managers propose; the risk manager (collections manager's level too)
    # decides, never their own proposal; its proposer withdraws a proposal, a manager cancels any plan
    "collections-plan-new": web_write(COLLECTION_WORKERS, targets.with_open_case, code_of, plan_form,
                                      creates=InstalmentPlan, audit="instalment_plan.proposed", nobody=HIDDEN,
                                      law_firm=HIDDEN),
    "collections-plan-approve": web_write(MANAGER, targets.proposed_plan, pk_of, audit="instalment_plan.approved",
                                          maker={Role.RISK_MANAGER: DENIED}, **NO_CASE_VIEW),
    "collections-plan-reject": web_write(MANAGER, targets.proposed_plan, pk_of, {"reason": "too long"},
                                         audit="instalment_plan.rejected", maker={Role.RISK_MANAGER: DENIED},
                                         **NO_CASE_VIEW),
    "collections-plan-cancel": web_write(MANAGER, targets.proposed_plan, pk_of, {"reason": "paid otherwise"},
                                         audit="instalment_plan.cancelled", maker={Role.COLLECTOR: ALLOWED},
                                         **NO_CASE_VIEW),
    "api:collection_plan_create": api_write(COLLECTION_WORKERS, targets.with_open_case, data=lambda s, customer: {
        "customer": customer.code, **plan_body()}, creates=InstalmentPlan, audit="instalment_plan.proposed"),
    "api:collection_plan_approve": api_write(MANAGER, targets.proposed_plan, lambda p: {"plan_id": p.pk},
                                             audit="instalment_plan.approved", maker={Role.RISK_MANAGER: DENIED},
                                             foreign={"sales": DENIED}),
    "api:collection_plan_reject": api_write(MANAGER, targets.proposed_plan, lambda p: {"plan_id": p.pk},
                                            {"reason": "too long"}, audit="instalment_plan.rejected",
                                            maker={Role.RISK_MANAGER: DENIED}, foreign={"sales": DENIED}),
    # Acceptance bills: collectors, managers and finance record a bill and mark it presented, paid, dishonoured
    "collections-bill-new": web_write(BILL_WRITERS, targets.with_open_case, code_of, bill_form,
                                      creates=AcceptanceBill, audit="acceptance_bill.recorded", nobody=HIDDEN,
                                      law_firm=HIDDEN),
    "collections-bill-present": web_write(BILL_WRITERS, targets.held_bill, pk_of, audit="acceptance_bill.presented",
                                          **NO_CASE_VIEW),
    "collections-bill-paid": web_write(BILL_WRITERS, targets.held_bill, pk_of, audit="acceptance_bill.paid",
                                       **NO_CASE_VIEW),
    "collections-bill-dishonour": web_write(BILL_WRITERS, targets.held_bill, pk_of, {"reason": "余额不足"},
                                            audit="acceptance_bill.dishonoured", **NO_CASE_VIEW),
    "api:collection_bill_create": api_write(BILL_WRITERS, targets.with_open_case, data=lambda s, customer: {
        "customer": customer.code, **bill_body()}, creates=AcceptanceBill, audit="acceptance_bill.recorded"),
    "api:collection_bill_paid": api_write(BILL_WRITERS, targets.held_bill, lambda b: {"bill_id": b.pk},
                                          audit="acceptance_bill.paid", foreign={"sales": DENIED}),
    "api:collection_bill_dishonour": api_write(BILL_WRITERS, targets.held_bill, lambda b: {"bill_id": b.pk},
                                               {"reason": "余额不足"}, audit="acceptance_bill.dishonoured",
                                               foreign={"sales": DENIED}),
    "api:dunning_letter_create": api_write(COLLECTION_WORKERS, itself, data=lambda s, customer: {
        "customer": customer.code, **LETTER_BY_POST}, creates=DunningLetter, audit="dunning_letter.written"),
    "api:dunning_letter_delivered": api_write(COLLECTION_WORKERS, targets.sent_letter, lambda t: {"letter_id": t.pk},
                                              delivered_today, audit="dunning_letter.delivered",
                                              foreign={"sales": DENIED}),
    "api:dunning_pause_create": api_write(COLLECTION_WORKERS, itself, data=lambda s, customer: {
        "customer": customer.code, **pause_form(s, customer)}, creates=DunningPause, audit="dunning.paused"),
    "api:dunning_pause_end": api_write(COLLECTION_WORKERS, targets.dunning_pause, lambda t: {"pause_id": t.pk},
                                       audit="dunning.resumed", foreign={"sales": DENIED}),
    # The in-app inbox (fengkong.notifications): one's own messages only
    "inbox-mark-read": web_write(SIGNED_IN, targets.inbox_message, pk_of, scoped=False,
                                 foreign=OTHER_USERS_MESSAGE),
    "inbox-mark-all-read": web_write(SIGNED_IN, targets.inbox_message, scoped=False, foreign=OTHER_USERS_MESSAGE),
    "inbox-preferences": web_write(SIGNED_IN, data={"alerts": "each"}, scoped=False, creates=NotificationPreference,
                                   audit="notification_preference.changed"),
    # Credit: flags, assessments, limit proposals and votes, policy versions
    "credit-flags": web_write(ANALYSTS | {Role.LEGAL_OFFICER}, itself, code_of,
                              {"blacklisted": "on", "reason": "court ruling"}, creates=CreditProfile,
                              audit="credit_flags.changed", foreign=PERMISSION_FIRST),
    "credit-assess": web_write(ANALYSTS, itself, code_of, creates=Assessment, audit="credit.assessed",
                               foreign=PERMISSION_FIRST),
    "api:customer_assess": api_write(ANALYSTS, itself, code_of, creates=Assessment, audit="credit.assessed"),
    "credit-propose": web_write(ANALYSTS, itself, code_of, {"proposed_limit": "200000.00", "proposed_term_days": "60",
                                                             "reason": "first limit"},
                                creates=LimitProposal, audit="limit_proposal.proposed", foreign=PERMISSION_FIRST),
    "api:limit_proposal_create": api_write(ANALYSTS, itself, code_of, {"proposed_limit": "200000.00",
                                                                       "proposed_term_days": 60,
                                                                       "reason": "first limit"},
                                           creates=LimitProposal, audit="limit_proposal.proposed"),
    "credit-proposal-vote": web_write(MANAGER, targets.proposal, pk_of, {"vote": "approve", "comment": "fine"},
                                      audit="limit_proposal.voted", maker=OWN_WEB, foreign={"sales": DENIED}),
    "api:limit_proposal_vote": api_write(MANAGER, targets.proposal, lambda p: {"proposal_id": p.pk},
                                         {"vote": "approve"}, audit="limit_proposal.voted", maker=OWN_API,
                                         foreign={"sales": DENIED}),
    "credit-proposal-withdraw": web_write(MANAGER, targets.proposal, pk_of, {"reason": "no longer needed"},
                                          audit="limit_proposal.withdrawn", maker={Role.CREDIT_ANALYST: ALLOWED},
                                          foreign={"sales": DENIED}),
    "api:limit_proposal_withdraw": api_write(MANAGER, targets.proposal, lambda p: {"proposal_id": p.pk},
                                             {"reason": "no longer needed"}, audit="limit_proposal.withdrawn",
                                             maker={Role.CREDIT_ANALYST: ALLOWED}, foreign={"sales": DENIED}),
    "credit-policy-new": web_write(MANAGER, data={"config": "{}", "note": "as the article", "action": "propose"},
                                   creates=CreditPolicy, audit="credit_policy.proposed", scoped=False),
    "api:credit_policy_create": api_write(MANAGER, data={"config": {}, "note": "as the article"},
                                          creates=CreditPolicy, audit="credit_policy.proposed", scoped=False),
    "credit-policy-decide": web_write(MANAGER, targets.proposed_policy, lambda p: {"version": p.version},
                                      {"decision": "approve"}, audit="credit_policy.approved", scoped=False,
                                      maker=OWN_WEB),
    "api:credit_policy_decision": api_write(MANAGER, targets.proposed_policy, lambda p: {"version": p.version},
                                            {"approve": True}, audit="credit_policy.approved", scoped=False,
                                            maker=OWN_API),
    # Industry risk: the industry analyst keeps the library and the outlooks
    "industry-indicator-new": web_write(INDUSTRY_KEEPERS, data={
        "code": "k-sales", "name": "商品房销售面积", "industry": "K", "unit": "万平方米", "frequency": "monthly",
        "source": "国家统计局", "direction": "lower"}, creates=Indicator, audit="indicator.added", scoped=False),
    "industry-indicator-edit": web_write(INDUSTRY_KEEPERS, targets.indicator, lambda i: {"code": i.code}, {
        "code": "e-cement", "name": "水泥产量", "industry": "E", "unit": "万吨", "frequency": "monthly",
        "source": "中国水泥协会", "direction": "lower"}, audit="indicator.changed", scoped=False),
    "industry-observation-add": web_write(INDUSTRY_KEEPERS, targets.indicator, lambda i: {"code": i.code},
                                          {"period": "2026-10-31", "value": "1300"}, creates=Observation,
                                          audit="observation.entered", scoped=False),
    "api:industry_observation_add": api_write(INDUSTRY_KEEPERS, targets.indicator, lambda i: {"indicator_code": i.code},
                                              {"period": "2026-10-31", "value": "1300"}, creates=Observation,
                                              audit="observation.entered", scoped=False),
    "industry-import": web_write(INDUSTRY_KEEPERS, targets.indicator, data=lambda scene, target: {
        "file": SimpleUploadedFile("release.csv", "指标,2026年10月\n水泥产量,1300\n".encode("gbk"))},
        creates=Observation, audit="observations.imported", scoped=False),
    "industry-outlook-set": web_write(INDUSTRY_KEEPERS, data={"industry": "E", "outlook": "adverse", "note": "下行"},
                                      creates=IndustryOutlook, audit="industry_outlook.changed", scoped=False),
    "api:industry_outlook_set": api_write(INDUSTRY_KEEPERS, data={"industry": "E", "outlook": "adverse", "note": "下行"},
                                          creates=IndustryOutlook, audit="industry_outlook.changed", scoped=False),
    # Bad-debt provisions: finance proposes; another finance user approves (never their own)
    "provisions-propose": web_write(FINANCE, data={"as_of": "2026-10-31", "note": "October"}, creates=ProvisionRun,
                                    audit="provision_run.proposed", scoped=False),
    "api:provision_run_propose": api_write(FINANCE, data={"as_of": "2026-10-31", "note": "October"},
                                           creates=ProvisionRun, audit="provision_run.proposed", scoped=False),
    "provisions-decide": web_write(FINANCE, targets.proposed_provision, pk_of, {"decision": "approve"},
                                   audit="provision_run.approved", scoped=False, maker={Role.FINANCE: NO_CHANGE}),
    "api:provision_run_decide": api_write(FINANCE, targets.proposed_provision, lambda r: {"run_id": r.pk},
                                          {"approve": True}, audit="provision_run.approved", scoped=False,
                                          maker={Role.FINANCE: DENIED}),
    # Write-offs: finance requests; another finance user approves (never their own); finance records recoveries
    "provisions-write-off-create": web_write(FINANCE, data=lambda scene, target: targets.write_off_request(scene),
                                             creates=WriteOffRequest, audit="write_off.requested", scoped=False),
    "api:write_off_request": api_write(FINANCE, data=lambda scene, target: {
        **targets.write_off_request(scene), "evidence": [int(targets.write_off_request(scene)["evidence"])]},
        creates=WriteOffRequest, audit="write_off.requested", scoped=False),
    "provisions-write-off-decide": web_write(FINANCE, targets.proposed_write_off, pk_of, {"decision": "approve"},
                                             audit="write_off.posted", scoped=False,
                                             maker={Role.FINANCE: NO_CHANGE}),
    "api:write_off_decide": api_write(FINANCE, targets.proposed_write_off, lambda r: {"write_off_id": r.pk},
                                      {"approve": True}, audit="write_off.posted", scoped=False,
                                      maker={Role.FINANCE: DENIED}),
    "provisions-write-off-recovery": web_write(FINANCE, targets.posted_write_off, pk_of,
                                               lambda scene, target: {"amount": "0.50",
                                                                      "received_on": target.posted.written_off_on},
                                               creates=WriteOffRecovery, audit="write_off.recovered", scoped=False),
    "api:write_off_recovery": api_write(FINANCE, targets.posted_write_off, lambda r: {"write_off_id": r.pk},
                                        lambda scene, target: {"amount": "0.50",
                                                               "received_on": str(target.posted.written_off_on)},
                                        creates=WriteOffRecovery, audit="write_off.recovered", scoped=False),
    # Credit: checks on sales orders
    "api:credit_check_create": api_write(ORDER_TAKERS, itself, data=lambda s, customer: {
        "customer": customer.code, "amount": "5000.00", "reference": "SO-NEW"}, creates=CreditCheck,
        audit="credit_check.run", foreign={"collector": DENIED, "sales": INVALID}),  # unknown code: 422
    "credit-check-override": web_write(ORDER_TAKERS, targets.credit_check("held"), reference_of,
                                       {"reason": "a loyal customer"}, audit="credit_check.override_requested"),
    "api:credit_check_override": api_write(ORDER_TAKERS, targets.credit_check("held"), reference_of,
                                           {"reason": "a loyal customer"}, audit="credit_check.override_requested"),
    "credit-check-override-approve": web_write(MANAGER, targets.credit_check("override_requested"), reference_of,
                                               audit="credit_check.override_approved", maker=OWN_WEB),
    "api:credit_check_override_approve": api_write(MANAGER, targets.credit_check("override_requested"),
                                                   reference_of, audit="credit_check.override_approved",
                                                   maker=OWN_API),
    "credit-check-override-reject": web_write(MANAGER, targets.credit_check("override_requested"), reference_of,
                                              {"note": "pay first"}, audit="credit_check.override_rejected",
                                              maker=OWN_WEB),
    "api:credit_check_override_reject": api_write(MANAGER, targets.credit_check("override_requested"),
                                                  reference_of, {"note": "pay first"},
                                                  audit="credit_check.override_rejected", maker=OWN_API),
    "credit-check-release": web_write(ORDER_TAKERS, targets.credit_check("reserved"), reference_of,
                                      audit="credit_check.released"),
    "api:credit_check_release": api_write(ORDER_TAKERS, targets.credit_check("reserved"), reference_of,
                                          audit="credit_check.released"),
    "credit-check-cancel": web_write(ORDER_TAKERS, targets.credit_check("reserved"), reference_of,
                                     {"reason": "order cancelled"}, audit="credit_check.cancelled"),
    "api:credit_check_cancel": api_write(ORDER_TAKERS, targets.credit_check("reserved"), reference_of,
                                         {"reason": "order cancelled"}, audit="credit_check.cancelled"),
    # Credit: risk feedback from sales, reviewed by the analysts
    "credit-feedback-submit": web_write({Role.SALES}, itself, code_of, {"category": "payment", "text": "half empty"},
                                        creates=RiskFeedback, audit="risk_feedback.submitted",
                                        foreign={"collector": DENIED}),
    "credit-feedback-review": web_write(ANALYSTS, targets.feedback, pk_of, {"note": "called them"},
                                        audit="risk_feedback.reviewed", nobody=HIDDEN, sales=HIDDEN),
    # Credit models (fengkong.scoring): training, promotion (maker-checker), rollback, retirement
    "scoring-train": web_write(ANALYSTS, data={"use": "customer_risk"}, written=queued, scoped=False),
    "scoring-rollback": web_write(MANAGER, targets.previous_champion, data={"use": "customer_risk", "reason": "drift"},
                                  audit="model.rolled_back", scoped=False),
    "api:model_rollback": api_write(MANAGER, targets.previous_champion, data={"use": "customer_risk",
                                                                              "reason": "drift"},
                                    audit="model.rolled_back", scoped=False),
    "scoring-promote": web_write(ANALYSTS, targets.challenger, pk_of, {"reason": "better AUC"},
                                 creates=PromotionRequest, audit="model.promotion_requested", scoped=False),
    "api:model_promotion": api_write(ANALYSTS, targets.challenger, lambda m: {"model_id": m.pk},
                                     {"reason": "better AUC"}, creates=PromotionRequest,
                                     audit="model.promotion_requested", scoped=False),
    "scoring-retire": web_write(MANAGER, targets.challenger, pk_of, {"reason": "weak"}, audit="model.retired",
                                scoped=False),
    "api:model_retire": api_write(MANAGER, targets.challenger, lambda m: {"model_id": m.pk}, {"reason": "weak"},
                                  audit="model.retired", scoped=False),
    "scoring-decide": web_write(DECIDERS, targets.promotion, pk_of, {"decision": "approve"},
                                audit="model.promotion_approved", scoped=False, maker=OWN_WEB),
    "api:promotion_decision": api_write(DECIDERS, targets.promotion, lambda r: {"request_id": r.pk},
                                        {"approve": True}, audit="model.promotion_approved", scoped=False,
                                        maker=OWN_API),
    # only the person who asked withdraws a promotion request
    "scoring-withdraw": web_write(set(), targets.promotion, pk_of, audit="model.promotion_withdrawn", scoped=False,
                                  maker={Role.RISK_MANAGER: ALLOWED, Role.CREDIT_ANALYST: ALLOWED}),
    "api:promotion_withdraw": api_write(set(), targets.promotion, lambda r: {"request_id": r.pk},
                                        audit="model.promotion_withdrawn", scoped=False,
                                        maker={Role.RISK_MANAGER: ALLOWED, Role.CREDIT_ANALYST: ALLOWED}),
    # Legal recovery (fengkong.legal): the legal officers open and work cases; a risk manager approves a
    # restructuring another person proposed
    "legal-open": web_write({Role.LEGAL_OFFICER}, data=lambda s, t: {"customer": s.customer.code, "principal": "1000.00"},
                            creates=LegalCase, audit="legal_case.opened", scoped=False),
    "api:legal_case_open": api_write({Role.LEGAL_OFFICER}, data=lambda s, t: {"customer": s.customer.code,
                                                                              "principal": "1000.00"},
                                     creates=LegalCase, audit="legal_case.opened", scoped=False),
    "legal-move": web_write(CASE_WORKERS, targets.legal_case, pk_of, {"stage": "demand_letter",
                                                                              "sent_on": "2026-11-01"},
                            audit="legal_case.moved", foreign=OTHER_FIRM),
    "api:legal_case_move": api_write(CASE_WORKERS, targets.legal_case, lambda c: {"case_id": c.pk},
                                     {"stage": "demand_letter", "details": {"sent_on": "2026-11-01"}},
                                     audit="legal_case.moved", foreign=OTHER_FIRM),
    "legal-document": web_write(CASE_WORKERS, targets.legal_case, pk_of, lambda s, t: {
        "file": SimpleUploadedFile("律师函.pdf", b"%PDF-1.4\n%%EOF\n"), "title": "律师函", "source": "letter"},
        creates=CaseDocument, audit="legal_case.document_attached", foreign=OTHER_FIRM),
    "legal-seizure": web_write(CASE_WORKERS, targets.preserved_case, pk_of, lambda s, t: {
        "kind": "deposit", "description": "工行账户", "amount": "1000.00", "seized_on": timezone.localdate().isoformat()},
        creates=Seizure, audit="legal_case.seizure_recorded", foreign=OTHER_FIRM),
    "legal-hearing": web_write(CASE_WORKERS, targets.litigated_case, pk_of, {"on": "2027-01-15"},
                               creates=LegalDeadline, audit="legal_case.hearing_added", foreign=OTHER_FIRM),
    "legal-firm-register": web_write({Role.LEGAL_OFFICER}, data={"name": "重庆新律所"}, creates=LawFirm,
                                     audit="law_firm.registered", scoped=False),
    "api:legal_firm_register": api_write({Role.LEGAL_OFFICER}, data={"name": "重庆新律所"}, creates=LawFirm,
                                         audit="law_firm.registered", scoped=False),
    "legal-engage": web_write({Role.LEGAL_OFFICER}, targets.legal_case, data=lambda s, t: {
        "firm": targets.law_firm("重庆新律所").pk, "cases": t.number, "fee_kind": "contingency",
        "contingency_share": "15", "engaged_on": timezone.localdate().isoformat()},
        creates=Engagement, audit="law_firm.engaged", foreign=PERMISSION_FIRST),
    "api:legal_engage": api_write({Role.LEGAL_OFFICER}, targets.legal_case, data=lambda s, t: {
        "firm": targets.law_firm("重庆新律所").pk, "cases": [t.number], "fee_kind": "contingency",
        "contingency_share": "15", "engaged_on": timezone.localdate().isoformat()},
        creates=Engagement, audit="law_firm.engaged", foreign=PERMISSION_FIRST),
    "legal-firm-invoice": web_write({Role.LEGAL_OFFICER}, targets.engaged_case, pk_of, lambda s, t: {
        "number": "F-1", "issued_on": timezone.localdate().isoformat(), "amount": "1000.00"},
        creates=FirmInvoice, audit="firm_invoice.recorded", foreign=PERMISSION_FIRST),
    "api:legal_firm_invoice": api_write({Role.LEGAL_OFFICER}, targets.engaged_case, lambda c: {"case_id": c.pk},
                                        lambda s, t: {"number": "F-1", "issued_on": timezone.localdate().isoformat(),
                                                      "amount": "1000.00"},
                                        creates=FirmInvoice, audit="firm_invoice.recorded", foreign=PERMISSION_FIRST),
    "legal-end-engagement": web_write({Role.LEGAL_OFFICER}, targets.engagement, lambda e: {"pk": e.cases.first().pk},
                                      end_engagement_form, audit="law_firm.engagement_ended",
                                      foreign=PERMISSION_FIRST),
    "api:legal_engagement_end": api_write({Role.LEGAL_OFFICER}, targets.engagement,
                                          lambda e: {"engagement_id": e.pk}, end_engagement_form,
                                          audit="law_firm.engagement_ended", foreign=PERMISSION_FIRST),
    "api:evidence_item_store": EVIDENCE_UPLOAD,
    "legal-cost": web_write({Role.LEGAL_OFFICER}, targets.legal_case, pk_of, lambda s, t: {
        "kind": "other", "amount": "100.00", "incurred_on": timezone.localdate().isoformat()},
        creates=CaseCost, audit="legal_case.cost_recorded", foreign=PERMISSION_FIRST),
    "api:legal_case_cost": api_write({Role.LEGAL_OFFICER}, targets.legal_case, lambda c: {"case_id": c.pk},
                                     lambda s, t: {"kind": "court_fee", "incurred_on": timezone.localdate().isoformat()},
                                     creates=CaseCost, audit="legal_case.cost_recorded", foreign=PERMISSION_FIRST),
    "legal-recovery": web_write({Role.LEGAL_OFFICER}, targets.legal_case, pk_of, lambda s, t: {
        "amount": "100.00", "received_on": timezone.localdate().isoformat()},
        creates=Recovery, audit="legal_case.recovery_recorded", foreign=PERMISSION_FIRST),
    "api:legal_case_recovery": api_write({Role.LEGAL_OFFICER}, targets.legal_case, lambda c: {"case_id": c.pk},
                                         lambda s, t: {"amount": "100.00",
                                                       "received_on": timezone.localdate().isoformat()},
                                         creates=Recovery, audit="legal_case.recovery_recorded",
                                         foreign=PERMISSION_FIRST),
    # when to act: only a legal officer records a preservation decision (a law firm's user reads them)
    "legal-preservation-case": web_write({Role.LEGAL_OFFICER}, targets.legal_case, pk_of,
                                         {"decision": "apply_now", "reason": "设备在搬走"}, creates=PreservationDecision,
                                         audit="preservation.decided", foreign=PERMISSION_FIRST),
    "api:legal_case_preservation_decide": api_write({Role.LEGAL_OFFICER}, targets.legal_case,
                                                    lambda c: {"case_id": c.pk},
                                                    {"decision": "wait", "reason": "等法院排期"},
                                                    creates=PreservationDecision, audit="preservation.decided",
                                                    foreign=PERMISSION_FIRST),
    "legal-preservation-customer": web_write({Role.LEGAL_OFFICER}, itself, code_of,
                                             {"decision": "wait", "reason": "观察一周"}, creates=PreservationDecision,
                                             audit="preservation.decided", foreign=PERMISSION_FIRST),
    "api:legal_customer_preservation_decide": api_write({Role.LEGAL_OFFICER}, itself, code_of,
                                                        {"decision": "not_needed", "reason": "担保足额"},
                                                        creates=PreservationDecision, audit="preservation.decided",
                                                        foreign=PERMISSION_FIRST),
    "legal-approve": web_write({Role.RISK_MANAGER}, targets.restructuring_case, pk_of,
                               audit="legal_case.restructuring_approved", maker={Role.RISK_MANAGER: DENIED},
                               foreign=PERMISSION_FIRST),
    # Contracts (fengkong.contracts): register with a document, new versions, submit; approve is maker-checker
    "contract-new": web_write(CONTRACT_WORKERS, data=new_contract, creates=Contract, audit="contract.registered",
                              scoped=False),
    "contract-upload": web_write(CONTRACT_WORKERS, targets.contract("draft"), pk_of, contract_document,
                                 creates=ContractDocument, audit="contract.document_uploaded",
                                 foreign=PERMISSION_FIRST),
    "contract-submit": web_write(CONTRACT_WORKERS, targets.contract("draft"), pk_of, audit="contract.submitted",
                                 foreign=PERMISSION_FIRST),
    "contract-approve": web_write(CONTRACT_APPROVERS, targets.contract("in_review"), pk_of, {"note": "ok"},
                                  audit="contract.approved", foreign=PERMISSION_FIRST,
                                  maker={Role.RISK_MANAGER: NO_CHANGE, Role.LEGAL_OFFICER: NO_CHANGE}),
    "contract-checklist-sign-off": web_write(CONTRACT_WORKERS, targets.checklist_item,
                                             lambda item: {"pk": item.contract_id, "code": item.code},
                                             {"note": "无诉讼记录"}, audit="contract.checklist_signed_off",
                                             foreign=PERMISSION_FIRST),
    "contract-signed": web_write(CONTRACT_WORKERS, targets.contract("approved"), pk_of, {"signed_on": "2026-12-01"},
                                 audit="contract.signed", foreign=PERMISSION_FIRST),
    "api:contract_analyze": CONTRACT_ANALYSIS,
    # Dual review (fengkong.reviews): a second person confirms or rejects; only the requester withdraws
    "review-confirm": web_write(CONFIRMERS, targets.pending_change, pk_of, audit="change.confirmed",
                                maker=OWN_WEB, foreign=PERMISSION_FIRST),
    "api:pending_change_confirm": api_write(CONFIRMERS, targets.pending_change, change_id_of, audit="change.confirmed",
                                            maker=OWN_API, foreign=PERMISSION_FIRST),
    "review-reject": web_write(CONFIRMERS, targets.pending_change, pk_of, {"note": "与营业执照不符"},
                               audit="change.rejected", maker=OWN_WEB, foreign=PERMISSION_FIRST),
    "api:pending_change_reject": api_write(CONFIRMERS, targets.pending_change, change_id_of, {"note": "与营业执照不符"},
                                           audit="change.rejected", maker=OWN_API, foreign=PERMISSION_FIRST),
    "review-withdraw": web_write(set(), targets.pending_change, pk_of, audit="change.withdrawn",
                                 maker={Role.RISK_MANAGER: ALLOWED, Role.CREDIT_ANALYST: ALLOWED},
                                 foreign=PERMISSION_FIRST),
    "api:pending_change_withdraw": api_write(set(), targets.pending_change, change_id_of, audit="change.withdrawn",
                                             maker={Role.RISK_MANAGER: ALLOWED, Role.CREDIT_ANALYST: ALLOWED},
                                             foreign=PERMISSION_FIRST),
    # Django admin: staff only; tested through adding a portfolio (the auditor is staff but may only read)
    "admin:*": Write({**{p: ADMIN_LOGIN for p in PERSONAS}, Role.ADMIN: ALLOWED, Role.AUDITOR: DENIED},
                     data={"code": "GZ", "name": "广州", "kind": "region", "region_prefixes": "44",
                           "industry_sections": ""},
                     creates=Portfolio, audit="portfolio.created", sample="admin:accounts_portfolio_add"),
}

law_firm_as_nobody(WRITES)


# --- which URLs take writes ----------------------------------------------------------------------------

def api_write_methods() -> dict[str, set[str]]:
    """Route -> write methods of every django-ninja operation, from the API's own OpenAPI schema."""
    from fengkong.api.urls import api

    paths = api.get_openapi_schema()["paths"]
    return {path: {m.upper() for m in operations} & set(WRITE_METHODS) for path, operations in paths.items()}


def as_schema_path(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def decorated_methods(view) -> set[str] | None:
    """The methods a require_POST / require_http_methods decorator lets through, wherever it sits."""
    while view is not None:
        code = getattr(view, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            return set(view.__closure__[code.co_freevars.index("request_method_list")].cell_contents)
        view = getattr(view, "__wrapped__", None)
    return None


def handles_a_post(view) -> bool:
    """A plain function view that reads request.POST, request.FILES or request.method handles a POST.
    (One that hands the request to a helper to read its POST is not seen: give it require_http_methods.)"""
    view = inspect.unwrap(view.func if isinstance(view, functools.partial) else view)
    return bool(re.search(r"request\.(POST|FILES|method)\b", inspect.getsource(view)))


def write_methods_of(url: ProjectUrl, api_paths: dict[str, set[str]]) -> set[str]:
    if (path := as_schema_path(url.route)) in api_paths:
        return api_paths[path]
    view_class = getattr(url.view, "view_class", None)
    if view_class is not None:  # a class-based view answers the verbs it has a method for
        return {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)} & set(WRITE_METHODS)
    declared = decorated_methods(url.view)
    if declared is not None:
        return declared & set(WRITE_METHODS)
    return {"POST"} if handles_a_post(url.view) else set()


def write_key(name: str, method: str) -> str:
    """A write entry's key: the URL name for a POST, "<name> <METHOD>" for another verb."""
    return name if method == "POST" else f"{name} {method}"


def split_key(key: str) -> tuple[str, str]:
    name, _space, method = key.partition(" ")
    return name, method or "POST"


def namespace_entry(name: str) -> str | None:
    key = name.split(":", 1)[0] + ":*" if ":" in name else ""
    return key if key in WRITES else None


def project_writes() -> dict[str, list[str]]:
    """(route, method) -> the URL names of that route, for every write the project accepts; a namespace
    with a "<namespace>:*" entry (the admin) is covered by that entry's sample."""
    api_paths = api_write_methods()
    found: dict[str, list[str]] = {}
    for url in project_urls():
        if namespace_entry(url.name):
            continue
        for method in sorted(write_methods_of(url, api_paths)):
            found.setdefault(f"{method} /{url.route}", []).append(url.name)
    return found


def test_every_write_url_has_a_write_entry():
    missing = [f"add {write_key(names[0], route.split()[0])!r} to WRITES in {__name__}"
               + (f" (or one of its other names: {names[1:]})" if len(names) > 1 else "")
               + f": {route} takes writes; say what it acts on, what it is sent and what each persona gets"
               for route, names in sorted(project_writes().items())
               if not any(write_key(name, route.split()[0]) in WRITES for name in names)]
    assert not missing, "\n".join(missing)


def test_every_write_entry_is_a_write_of_the_project():
    accepted = {write_key(name, route.split()[0]) for route, names in project_writes().items() for name in names}
    stale = [key for key in WRITES if key not in accepted and not key.endswith(":*")]
    assert not stale, f"remove {stale} from WRITES: no such URL takes that method any more"


def test_the_write_finder_sees_every_url_the_get_matrix_knows_to_refuse_a_get():
    writes = {name for names in project_writes().values() for name in names}
    refusing = [key for key, entry in MATRIX.items() if set(entry.expect.values()) == {NOT_ALLOWED}]
    unseen = [key for key in refusing if key not in writes]
    assert refusing and not unseen, f"the write finder misses {unseen}: teach write_methods_of their kind of view"


def test_the_write_finder_finds_every_api_write_of_the_schema_among_the_urls():
    routes = {as_schema_path(url.route) for url in project_urls()}
    unmatched = {path for path, methods in api_write_methods().items() if methods} - routes
    assert not unmatched, f"as_schema_path no longer turns the API's routes into {sorted(unmatched)}"


def test_every_write_entry_names_every_persona():
    assert {key: sorted(set(PERSONAS) - set(e.expect)) for key, e in WRITES.items()
            if set(e.expect) != set(PERSONAS)} == {}


# --- the write matrix itself ---------------------------------------------------------------------------

def _write_cases() -> list[tuple[str, str, str]]:
    cases = []
    for key, entry in WRITES.items():
        cases += [(key, persona, "own") for persona in PERSONAS]
        # in PERSONAS' order, not the dicts' (built from sets, whose order differs between xdist's workers)
        cases += [(key, persona, "foreign") for persona in PERSONAS if persona in entry.foreign]
        cases += [(key, persona, "maker") for persona in PERSONAS if persona in entry.maker]
    return cases


WRITE_CASES = _write_cases()


def scene_for(world, persona: str, case: str) -> targets.Scene:
    """Own case: the object is in the persona's portfolio (Sichuan for sales, else Chongqing) and made by
    the colleague; foreign: in the other portfolio, or another user's; maker: made by the persona."""
    actor = world["users"].get(persona)
    chongqing, _second, sichuan = world["customers"]
    own = sichuan if persona == "sales" else chongqing
    customer = (chongqing if own is sichuan else sichuan) if case == "foreign" else own
    colleague = world["colleague"]
    return targets.Scene(world, persona, actor, customer, maker=actor if case == "maker" else colleague,
                         owner=colleague if case == "foreign" or actor is None else actor)


CENSUS_APPS = ("auth", "admin")  # besides the project's own apps (not sessions: signing in writes one)


@functools.cache
def census_models() -> tuple:
    return tuple(m for m in apps.get_models()
                 if m._meta.app_config.name.startswith("fengkong.") or m._meta.app_label in CENSUS_APPS)


def row_counts() -> dict[str, int]:
    """The number of rows of every table, in one query."""
    quote = connection.ops.quote_name
    # table names from the models, not from any input
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in census_models())  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        return dict(zip((m._meta.label for m in census_models()), cursor.fetchone(), strict=True))


@dataclass
class Footprint:
    """What a request could have written: the rows of every table, the audit trail, the target row."""

    rows: dict[str, int]
    last_audit: int
    target: dict | None

    @classmethod
    def take(cls, target) -> Footprint:
        row = None
        if isinstance(target, Model):
            row = type(target)._base_manager.filter(pk=target.pk).values().first()
        return cls(row_counts(), AuditEvent.objects.aggregate(last=Max("pk"))["last"] or 0, row)

    def new_audit_actions(self) -> list[str]:
        return list(AuditEvent.objects.filter(pk__gt=self.last_audit).values_list("action", flat=True))

    def grown(self, before: Footprint) -> dict[str, tuple[int, int]]:
        return {label: (before.rows[label], n) for label, n in self.rows.items() if n != before.rows[label]}


def send(client: Client, method: str, url: str, data: dict, api: bool):
    if api:
        return client.generic(method, url, json.dumps(data), content_type="application/json")
    if method == "POST":
        return client.post(url, data)
    return client.generic(method, url, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded")


def assert_write_status(response, expected: str, where: str) -> None:
    status = response.status_code
    if expected in {LOGIN, ADMIN_LOGIN}:
        login = reverse("admin:login") if expected == ADMIN_LOGIN else reverse("login")
        assert status == 302 and response.url.startswith(login), f"{where} (to {response.get('Location')})"
    elif expected in {ALLOWED, NO_CHANGE}:
        sent_to_sign_in = status == 302 and "next=" in response.url  # logout's own redirect is no refusal
        assert 200 <= status < 400 and not sent_to_sign_in, f"{where} {response.get('Location', '')}"
    else:
        statuses = {DENIED: {403}, HIDDEN: {404}, UNAUTHORIZED: {401}, INVALID: {400, 422}}
        assert status in statuses[expected], f"{where}: {response.content[:300]!r}"


def assert_written(entry: Write, before: Footprint, after: Footprint, mark, where: str) -> None:
    if entry.written is not None:
        assert mark, f"{where}, but left no mark"
    elif entry.creates is not None:
        label = entry.creates._meta.label
        assert after.rows[label] > before.rows[label], f"{where}, but wrote no {label}"
    else:
        assert after.target is not None and after.target != before.target, f"{where}, but the target is unchanged"
    if entry.audit:
        actions = before.new_audit_actions()
        assert entry.audit in actions, f"{where}, but audited {actions}, not {entry.audit!r}"


def assert_nothing_written(before: Footprint, after: Footprint, mark, where: str) -> None:
    assert not after.grown(before), f"{where}, and rows changed: {after.grown(before)}"
    assert not before.new_audit_actions(), f"{where}, and audited {before.new_audit_actions()}"
    assert after.target == before.target, f"{where}, and the target changed: {before.target} -> {after.target}"
    assert not mark, f"{where}, and left its mark all the same"


# =====================================================================================================
# Aggregates: the totals a portfolio-bound persona sees are its own portfolio's, never the company's.
# =====================================================================================================

# URL name -> the makers of the company-wide figures it shows that the product stores rather than computes
# when the page is read (see "Aggregates" at the top of this module).
STORED_FIGURES: dict[str, tuple[Callable, ...]] = {
    "scoring-forecast": (targets.forecast_figures,),
    "api:cash_forecast": (targets.forecast_figures,),
    "monitoring-actions": (targets.forecast_figures,),  # the worklist shows the portfolio's cash forecast
    "credit-policy-version": (targets.policy_figures,),
    "api:credit_policy_detail": (targets.policy_figures,),
}
MARKER_CUSTOMER, MARKER_NUMBER, MARKER_AMOUNT = "C999999", "AR-MARKER", "8765432.10"
MARKER_SHOWN = (MARKER_CUSTOMER, MARKER_NUMBER, "8,765,432.10", "8765432.10", "876543210", "8765432.1")
OTHER_PORTFOLIO = {"collector": "SC", "sales": "CQ"}
REGION_OF = {"CQ": "500101", "SC": "510104"}
VOLATILE = [re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*'), re.compile(r'(nonce=")[^"]*'),
            re.compile(r'("X-CSRFToken": ")[^"]*'), re.compile(r'(data-csrf-token=")[^"]*'),
            re.compile(r"()\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"),  # when made
            re.compile(r"()\b\d{1,2}:\d{2}(:\d{2})?\b")]
AGGREGATE_CASES = [(key, persona) for key, entry in MATRIX.items() if entry.sample is None
                   for persona in BOUND if entry.expect[persona] in {OK, SCOPED}]


def shown(response) -> str:
    """What a response shows: its text (volatile tokens blanked), or a spreadsheet's cell values."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = load_workbook(BytesIO(body), read_only=True)
        return "\n".join(f"{sheet.title}: {row}" for sheet in book.worksheets
                         for row in sheet.iter_rows(values_only=True))
    text = body.decode("utf-8", errors="replace")
    for pattern in VOLATILE:
        text = pattern.sub(r"\1", text)
    return text


def figures_seen(world, key: str, viewer: str, other: str, marker: bool) -> tuple[int, str]:
    """`viewer`'s view of `key` on the book; with `marker`, a customer of portfolio `other` with one large
    invoice 95 days overdue is added first. Everything made here is rolled back, so both views start from
    one book. The marker customer has a credit limit of the same amount."""
    with transaction.atomic():
        world = {**world, "customers": list(world["customers"])}
        if marker:
            customer = make_customer(MARKER_CUSTOMER, REGION_OF[other], Portfolio.objects.get(code=other))
            make_invoice(customer, MARKER_NUMBER, MARKER_AMOUNT, days_overdue=95)
            CreditProfile.objects.create(customer=customer, grade="A", limit=MARKER_AMOUNT)
            world["customers"].append(customer)
        if MATRIX[key].monitored:
            targets.monitored(world)
        url = url_of(key, world)
        for make in STORED_FIGURES.get(key, ()):
            make(world)
        cache.clear()
        client = Client()
        client.force_login(world["users"][viewer])
        response = client.get(url)
        seen = (response.status_code, shown(response))
        transaction.set_rollback(True)
    cache.clear()
    restart_sequences()
    return seen


def restart_sequences() -> None:
    """Ids continue after the highest row again, as SQLite's do after a rollback (a PostgreSQL sequence
    keeps what a rolled-back insert took): both views then give the rows they make the same ids."""
    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def first_difference(before: str, after: str) -> str:
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), "without the marker", "with it", n=1,
                                 lineterm="")
    return "\n".join(list(lines)[:20])


def test_every_stored_figure_entry_is_a_matrix_entry():
    assert set(STORED_FIGURES) <= set(MATRIX)


@pytest.mark.parametrize(("key", "persona"), AGGREGATE_CASES, ids=[f"{k}-{p}" for k, p in AGGREGATE_CASES])
def test_aggregates_leave_out_the_other_portfolio(world, key, persona):
    other = OTHER_PORTFOLIO[persona]
    before = figures_seen(world, key, persona, other, marker=False)
    after = figures_seen(world, key, persona, other, marker=True)
    where = f"{persona} GET {key}"
    leaked = [m for m in MARKER_SHOWN if m in after[1]]
    assert not leaked, f"{where} shows the other portfolio's marker invoice ({leaked})"
    assert after == before, (f"{where} changes when an invoice is added to the other portfolio: a figure "
                             f"includes it\n{first_difference(before[1], after[1])}")
    if key in STORED_FIGURES:  # the marker does move the company's figure: the check is not vacuous
        assert figures_seen(world, key, Role.RISK_MANAGER, other, marker=True) != figures_seen(
            world, key, Role.RISK_MANAGER, other, marker=False), f"the marker changes no figure of {key}"
