"""Collector performance on a small book whose every figure is worked out by hand below: money collected while a
case was open, promises taken and judged, the CEI from the aging snapshots, cases closed, contacts and how many
reached somebody, days to resolve disputes; per collector, per portfolio and for the team, scoped by role and
portfolio, with a fixed number of queries; the page, the API and the command.

The book (November 2026; business today 2026-12-08, so November is the default period):
- A (Chongqing), case of `collector` opened 10-15, open. Receipts: 500 on 10-20 (before the period), 3,000 on
  11-10 and USD 100 on 11-12 (7.10 on 11-30, the period's last day: 710.00) -> 3,710.00. Promises: taken 11-02 kept (judged 11-11),
  taken 11-12 broken (11-22), taken 10-20 partially kept (judged 11-01), taken 11-25 pending -> 3 taken, 1 kept,
  1 partially, 1 broken, kept rate 1/3. Contacts: 5 in November (reached, no answer, promised, wrong number,
  paid at 23:30 on 11-30), one at 00:30 on 12-01 (out) -> 5, 3 reached. Disputes resolved in 10 days (10-25 to
  11-04) and 4 days (11-10 to 11-14) -> 2, 7.0 days; one still open.
- B (Chongqing), case of `wang` opened 11-05, closed 11-20. Receipts 2,000 on 11-03 (before the case), 4,000
  on 11-18, 1,000 on 11-25 (after it closed) -> 4,000.00. One promise taken 11-06, kept 11-17. Contacts: refused,
  call back -> 2, 2 reached. One case closed.
- C (Sichuan), case of `li` opened 10-01, open. Receipt 5,000 on 11-30. A promise of October (not counted).
  A dispute 11-01 to 11-21 -> 1, 20.0 days.
- D (Chongqing), no case: a receipt (no collector's), one contact reached on no case (the "no owner" line).
CEI (monitored days 10-31, 11-15 and 11-30: the first and the last count), open / current on 10-31 and 11-30,
credit sales issued after 10-31 up to 11-30:
  A 10,000 -> 6,000 / 2,000, sales 1,000 (an invoice of 10-31 does not count): (10,000+1,000-6,000) /
    (10,000+1,000-2,000) = 5,000/9,000 = 55.56 %
  B 0 -> 1,000 / 1,000, sales 1,000: 0/0, no CEI
  C 8,000 -> 5,000 / 0: 3,000/8,000 = 37.5 %
  D 2,000 -> 3,000 / 3,000, sales 3,000 + USD 100 (710.00) = 3,710
  Chongqing (A, B, D): 12,000 + 5,710 - 10,000 over 12,000 + 5,710 - 6,000 = 7,710/11,710 = 65.84 %
  team: 20,000 + 5,710 - 15,000 over 20,000 + 5,710 - 6,000 = 10,710/19,710 = 54.34 %
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from tests.conftest import make_customer, make_user
from tests.web import test_browser as ui

from fengkong.accounts.choices import Role
from fengkong.cli.commands import fengkong as cli
from fengkong.collections.exceptions import CollectionsError
from fengkong.collections.models import CollectionCase, Contact, Dispute, PromiseToPay
from fengkong.collections.performance import collector_performance, last_full_month, period
from fengkong.monitoring.models import CustomerSnapshot, MonitoringDay
from fengkong.receivables.models import FxRate, Invoice, Payment

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 8)
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = date


def nov(day: int) -> date:
    return date(2026, 11, day)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr("fengkong.core.dates.business_today", lambda: TODAY)


class Book:
    """Makes the rows of the book, numbering receipts and invoices."""

    def __init__(self, series: str = "A"):
        self.series, self.n = series, 0

    def number(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}-{self.series}{self.n:04d}"

    def receipt(self, customer, on: date, amount: str, currency: str = "CNY") -> None:
        Payment.objects.create(number=self.number("RC"), customer=customer, payment_date=on, amount=Decimal(amount),
                               currency=currency)

    def invoice(self, customer, issued: date, amount: str, currency: str = "CNY") -> None:
        Invoice.objects.create(number=self.number("AR"), customer=customer, issue_date=issued,
                               due_date=issued + timedelta(days=30), amount=Decimal(amount),
                               open_amount=Decimal(amount), currency=currency)

    @staticmethod
    def promise(case, taken: date, state: str = "pending", judged: date | None = None) -> None:
        PromiseToPay.objects.create(case=case, customer=case.customer, amount=Decimal("100.00"),
                                    due_date=taken + timedelta(days=7), taken_on=taken,
                                    owed_at_promise=Decimal("1000.00"), state=state, evaluated_on=judged)

    @staticmethod
    def contact(customer, case, at: datetime, outcome: str) -> None:
        Contact.objects.create(customer=customer, case=case, channel="phone", at=at, outcome=outcome)

    @staticmethod
    def dispute(case, opened: date, resolved: date | None) -> None:
        Dispute.objects.create(case=case, customer=case.customer, reason="price", team="sales", opened_on=opened,
                               due_date=opened + timedelta(days=30), status="resolved" if resolved else "open",
                               resolution="credit_note" if resolved else "", resolved_on=resolved)

    @staticmethod
    def snapshot(customer, as_of: date, open_amount: str, current: str) -> None:
        CustomerSnapshot.objects.create(customer=customer, as_of=as_of, open_amount=Decimal(open_amount),
                                        bucket_0=Decimal(current),
                                        overdue_amount=Decimal(open_amount) - Decimal(current))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def case(customer, owner, opened: date, closed: date | None = None) -> CollectionCase:
    return CollectionCase.objects.create(customer=customer, owner=owner, opened_on=opened, updated_on=opened,
                                         status="closed" if closed else "open", closed_on=closed)


@pytest.fixture
def team(roles, users, portfolios):
    return {"collector": users[Role.COLLECTOR],
            "wang": make_user("wang", Role.COLLECTOR, roles, [portfolios["CQ"]]),
            "li": make_user("li", Role.COLLECTOR, roles, [portfolios["SC"]])}


@pytest.fixture
def small_book(team, portfolios):
    rows = Book()
    a = make_customer("C000301", "500103", portfolios["CQ"])
    b = make_customer("C000302", "500112", portfolios["CQ"])
    c = make_customer("C000303", "510100", portfolios["SC"])
    d = make_customer("C000304", "500103", portfolios["CQ"])
    case_a = case(a, team["collector"], D(2026, 10, 15))
    case_b = case(b, team["wang"], nov(5), closed=nov(20))
    case_c = case(c, team["li"], D(2026, 10, 1))
    FxRate.objects.create(date=D(2026, 10, 1), currency="USD", rate=Decimal("7.00"))
    FxRate.objects.create(date=nov(30), currency="USD", rate=Decimal("7.10"))
    for customer, on, amount, *currency in [
            (a, D(2026, 10, 20), "500.00"), (a, nov(10), "3000.00"), (a, nov(12), "100.00", "USD"),
            (b, nov(3), "2000.00"), (b, nov(18), "4000.00"), (b, nov(25), "1000.00"),
            (c, nov(30), "5000.00"), (d, nov(15), "800.00")]:
        rows.receipt(customer, on, amount, *currency)
    rows.promise(case_a, nov(2), "kept", nov(11))
    rows.promise(case_a, nov(12), "broken", nov(22))
    rows.promise(case_a, D(2026, 10, 20), "partially_kept", nov(1))
    rows.promise(case_a, nov(25))
    rows.promise(case_b, nov(6), "kept", nov(17))
    rows.promise(case_c, D(2026, 10, 5), "broken", D(2026, 10, 12))
    for outcome, when in [("reached", at(nov(2), 10)), ("no_answer", at(nov(3), 10)), ("promised", at(nov(12), 9)),
                          ("wrong_number", at(nov(20), 15)), ("paid", at(nov(30), 23, 30)),
                          ("reached", at(D(2026, 12, 1), 0, 30))]:
        rows.contact(a, case_a, when, outcome)
    rows.contact(b, case_b, at(nov(6), 11), "refused")
    rows.contact(b, case_b, at(nov(8), 11), "call_back")
    rows.contact(d, None, at(nov(9), 11), "reached")
    rows.dispute(case_a, D(2026, 10, 25), nov(4))
    rows.dispute(case_a, nov(10), nov(14))
    rows.dispute(case_a, nov(16), None)
    rows.dispute(case_c, nov(1), nov(21))
    for day in (D(2026, 10, 31), nov(15), nov(30)):
        MonitoringDay.objects.create(as_of=day)
    for customer, begin, end, current in [(a, "10000.00", "6000.00", "2000.00"), (b, None, "1000.00", "1000.00"),
                                          (c, "8000.00", "5000.00", "0.00"), (d, "2000.00", "3000.00", "3000.00")]:
        if begin:
            rows.snapshot(customer, D(2026, 10, 31), begin, begin)
        rows.snapshot(customer, nov(15), "99999.00", "0.00")   # a day between: never read
        rows.snapshot(customer, nov(30), end, current)
    rows.invoice(a, D(2026, 10, 31), "9999.00")   # issued on the first monitored day: in its receivables already
    rows.invoice(a, nov(5), "1000.00")
    rows.invoice(b, nov(22), "1000.00")
    rows.invoice(d, nov(10), "3000.00")
    rows.invoice(d, nov(12), "100.00", "USD")
    return {"a": a, "b": b, "c": c, "d": d}


def by_label(lines) -> dict:
    return {line.label: line for line in lines}


def test_a_manager_sees_every_collector_with_figures_worked_out_by_hand(small_book, users):
    result = collector_performance(users[Role.RISK_MANAGER])
    assert (result.date_from, result.date_to) == (nov(1), nov(30))
    assert (result.receivables_from, result.receivables_to) == (D(2026, 10, 31), nov(30))
    lines = by_label(result.collectors)
    assert list(lines) == ["collector", "li", "wang", ""]
    mine, li, wang, nobody = lines["collector"], lines["li"], lines["wang"], lines[""]
    assert (mine.collected, wang.collected, li.collected, nobody.collected) == (
        Decimal("3710.00"), Decimal("4000.00"), Decimal("5000.00"), Decimal("0.00"))
    assert (mine.promises_taken, mine.promises_kept, mine.promises_partially_kept, mine.promises_broken) == (3, 1, 1, 1)
    assert mine.kept_rate == pytest.approx(1 / 3)
    assert (wang.promises_taken, wang.promises_kept, wang.kept_rate) == (1, 1, 1.0)
    assert (li.promises_taken, li.promises_broken, li.kept_rate) == (0, 0, None)
    assert mine.cei == pytest.approx(5000 / 9000 * 100)
    assert li.cei == pytest.approx(37.5)
    assert wang.cei is None   # nothing was collectible: 0 / 0
    assert (mine.cases_closed, wang.cases_closed, li.cases_closed) == (0, 1, 0)
    assert (mine.contacts, mine.contacts_reached, mine.reached_rate) == (5, 3, pytest.approx(0.6))
    assert (wang.contacts, wang.reached_rate) == (2, 1.0)
    assert (nobody.contacts, nobody.contacts_reached) == (1, 1)
    assert (mine.disputes_resolved, mine.average_days_to_resolve) == (2, 7.0)
    assert (li.disputes_resolved, li.average_days_to_resolve) == (1, 20.0)


def test_portfolios_and_the_team_add_up_every_case_and_every_customer(small_book, users):
    result = collector_performance(users[Role.RISK_MANAGER])
    portfolios = by_label(result.portfolios)
    assert list(portfolios) == ["CQ", "SC"]
    cq, sc, team = portfolios["CQ"], portfolios["SC"], result.team
    assert (cq.collected, sc.collected, team.collected) == (Decimal("7710.00"), Decimal("5000.00"),
                                                            Decimal("12710.00"))
    assert cq.cei == pytest.approx(7710 / 11710 * 100)
    assert sc.cei == pytest.approx(37.5)
    assert team.cei == pytest.approx(10710 / 19710 * 100)
    assert (team.beginning, team.credit_sales, team.ending_total, team.ending_current) == (
        Decimal("20000.00"), Decimal("5710.00"), Decimal("15000.00"), Decimal("6000.00"))
    assert (team.promises_taken, team.promises_kept, team.promises_partially_kept, team.promises_broken) == (4, 2, 1, 1)
    assert team.kept_rate == 0.5
    assert (team.contacts, team.contacts_reached, team.cases_closed) == (8, 6, 1)
    assert (team.disputes_resolved, team.average_days_to_resolve) == (3, pytest.approx(34 / 3))


def test_a_collector_sees_their_own_line_and_the_team_of_their_portfolio(small_book, users):
    result = collector_performance(users[Role.COLLECTOR])
    assert not result.sees_team
    assert [line.label for line in result.collectors] == ["collector"]
    assert result.collectors[0].collected == Decimal("3710.00")
    assert [line.label for line in result.portfolios] == ["CQ"]
    team = result.team
    assert (team.collected, team.promises_taken, team.contacts, team.disputes_resolved) == (
        Decimal("7710.00"), 4, 8, 2)
    assert team.cei == pytest.approx(7710 / 11710 * 100)   # Chongqing only: Sichuan's figures are not theirs


def test_a_collector_with_nothing_in_the_period_still_sees_their_own_empty_line(small_book, team):
    result = collector_performance(team["li"], nov(1), nov(2))
    assert [(line.label, line.collected, line.kept_rate) for line in result.collectors] == [
        ("li", Decimal("0.00"), None)]
    assert result.team.cei is None   # no monitored day in the period


def test_a_chosen_period_counts_only_its_days(small_book, users):
    result = collector_performance(users[Role.RISK_MANAGER], nov(10), nov(18))
    lines = by_label(result.collectors)
    assert lines["collector"].collected == Decimal("3700.00")   # USD at the rate of 11-18: 7.00
    assert lines["wang"].collected == Decimal("4000.00")
    assert (lines["li"].collected, lines["li"].disputes_resolved) == (Decimal("0.00"), 0)   # her case: its CEI only
    assert (result.receivables_from, result.receivables_to) == (D(2026, 10, 31), nov(15))


def test_the_figures_take_a_fixed_number_of_queries_whatever_the_book(small_book, users, team, portfolios):
    manager = users[Role.RISK_MANAGER]
    with CaptureQueriesContext(connection) as small:
        collector_performance(manager)
    rows = Book("B")
    for n in range(12):
        customer = make_customer(f"C0004{n:02d}", "500103", portfolios["CQ"])
        worked = case(customer, team["wang"] if n % 2 else team["collector"], D(2026, 10, 1))
        rows.receipt(customer, nov(1 + n), "10.00")
        rows.promise(worked, nov(1 + n), "kept", nov(9 + n))
        rows.contact(customer, worked, at(nov(1 + n), 10), "reached")
        rows.dispute(worked, nov(1), nov(2 + n))
        rows.snapshot(customer, D(2026, 10, 31), "100.00", "100.00")
    manager = type(manager).objects.get(pk=manager.pk)   # the permission cache empty again, as before
    with CaptureQueriesContext(connection) as big:
        result = collector_performance(manager)
    assert len(big) == len(small) <= 16
    assert by_label(result.collectors)["collector"].contacts == 5 + 6


def test_the_default_period_is_the_last_full_month():
    assert last_full_month(D(2026, 12, 8)) == (nov(1), nov(30))
    assert last_full_month(D(2027, 1, 1)) == (D(2026, 12, 1), D(2026, 12, 31))
    assert period(nov(5), None) == (nov(5), nov(30))
    assert period(None, D(2026, 2, 10)) == (D(2026, 2, 1), D(2026, 2, 10))


def test_a_period_that_runs_backwards_is_refused_naming_it():
    with pytest.raises(CollectionsError, match="runs backwards") as refused:
        period(nov(30), nov(1))
    assert refused.value.field == "from"


# --- who sees what ---------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", [Role.CREDIT_ANALYST, Role.FINANCE, Role.AUDITOR, Role.SALES, Role.ADMIN,
                                     Role.LEGAL_OFFICER, "nobody"])
def test_other_roles_are_refused_on_the_page_the_api_and_the_command(small_book, sign_in, persona):
    client = sign_in(persona)
    assert client.get("/collections/performance/").status_code == 403
    assert client.get("/api/v1/collections/performance").status_code == 403
    answer = CliRunner().invoke(cli, ["collections", "performance", "--user", persona])
    assert answer.exit_code != 0 and "performance" in answer.output


def test_the_page_shows_the_table_and_the_chart(small_book, sign_in):
    with translation.override("en"):
        page = sign_in("risk_manager").get("/collections/performance/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="collector-table"' in body and 'data-chart="performance-chart"' in body
    assert "3,710.00" in body and "12,710.00" in body and "55.6%" in body and "wang" in body
    assert 'href="/collections/performance/"' in body   # the tab
    assert 'value="2026-11-01"' in body and 'value="2026-11-30"' in body   # the default period, in the form


def test_a_collector_page_names_only_them(small_book, sign_in):
    body = sign_in("collector").get("/collections/performance/?from=2026-11-01&to=2026-11-30").content.decode()
    assert "3,710.00" in body and "7,710.00" in body
    assert "wang" not in body and "12,710.00" not in body and ">SC<" not in body


def test_the_page_says_when_the_period_runs_backwards(small_book, sign_in):
    with translation.override("en"):
        page = sign_in("collector").get("/collections/performance/?from=2026-11-30&to=2026-11-01",
                                        HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400 and "runs backwards" in page.content.decode()


def test_the_api_answers_the_figures(small_book, sign_in):
    answer = sign_in("risk_manager").get("/api/v1/collections/performance?from=2026-11-01&to=2026-11-30")
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert (data["date_from"], data["date_to"], data["currency"]) == ("2026-11-01", "2026-11-30", "CNY")
    mine = next(line for line in data["collectors"] if line["collector"] == "collector")
    assert mine["collected"] == "3710.00" and mine["promises_kept"] == 1
    assert mine["cei"] == pytest.approx(55.5556, abs=1e-3)
    assert mine["average_days_to_resolve"] == 7.0
    assert data["team"]["collected"] == "12710.00" and data["team"]["beginning_receivables"] == "20000.00"
    assert [line["portfolio"] for line in data["portfolios"]] == ["CQ", "SC"]


def test_the_api_shows_a_collector_only_their_line(small_book, sign_in):
    data = sign_in("collector").get("/api/v1/collections/performance").json()
    assert [line["collector"] for line in data["collectors"]] == ["collector"]
    assert data["team"]["collected"] == "7710.00" and data["sees_team"] is False


def test_the_api_refuses_a_period_that_runs_backwards(small_book, sign_in):
    answer = sign_in("collector").get("/api/v1/collections/performance?from=2026-11-30&to=2026-11-01",
                                      HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 422
    assert "from (2026-11-30) is after to (2026-11-01)" in answer.content.decode()


@pytest.mark.parametrize(("query", "field", "message"), [
    ("from=2026-11-30&to=2026-11-01", "from", "is after"),
    ("from=2026-02-30", "from", "out of range"),
])
def test_a_bad_period_is_a_422_naming_it(small_book, sign_in, query, field, message):
    answer = sign_in("risk_manager").get(f"/api/v1/collections/performance?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 422, answer.content
    assert message in answer.content.decode() and field in answer.content.decode()


@pytest.mark.parametrize("query", ["from=0001-01-01", "to=9999-12-31", "from=1900-01-01&to=2999-12-31"])
def test_any_period_the_schema_allows_is_answered(small_book, sign_in, query):
    answer = sign_in("collector").get(f"/api/v1/collections/performance?{query}")
    assert answer.status_code == 200, answer.content


@pytest.fixture
def wide_console(monkeypatch):
    """Room for the table's eleven columns (the console is 80 wide when not a terminal)."""
    from fengkong.core.console import console

    monkeypatch.setattr(console, "_width", 250)


def test_the_command_prints_the_table(small_book, wide_console):
    answer = CliRunner().invoke(cli, ["collections", "performance", "--user", "risk_manager", "--from",
                                      "2026-11-01", "--to", "2026-11-30"])
    assert answer.exit_code == 0, answer.output
    assert "3,710.00" in answer.output and "55.6%" in answer.output and "12,710.00 collected" in answer.output


def test_the_command_refuses_a_period_that_runs_backwards(small_book):
    answer = CliRunner().invoke(cli, ["collections", "performance", "--user", "collector", "--from", "2026-11-30",
                                      "--to", "2026-11-01"])
    assert answer.exit_code != 0 and "runs backwards" in answer.output


# --- on a phone ----------------------------------------------------------------------------------

browser = ui.browser


@pytest.mark.browser
@pytest.mark.skipif(not ui.CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium")
def test_on_a_phone_the_chart_is_drawn_and_the_table_becomes_cards(live_book, small_book, browser):
    base = live_book.url
    page = ui.open_page(browser, viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                        has_touch=True)
    ui.sign_in(page, base, Role.RISK_MANAGER)
    page.goto(f"{base}/collections/performance/")
    page.wait_for_selector("[data-chart=performance-chart] .main-svg")
    assert page.locator("#collector-table thead").bounding_box()["height"] <= 1   # each cell carries its label
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=str(ui.SHOTS / "phone-collector-performance-zh.png"), full_page=True)
    assert page.errors == []
