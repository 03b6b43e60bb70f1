"""The learned best time and channel to reach a customer on the worklist, the case page and the API: the
customer's own contacts smoothed towards its segment's, only of the contacts the reader may see."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from click.testing import CliRunner
from django.contrib.auth import get_user_model
from django.utils import timezone, translation

from fengkong.cli.commands import fengkong
from fengkong.collections import actions
from fengkong.collections.models import CollectionCase
from fengkong.collections.queries import best_contacts

from .conftest import day, night

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def called(customer, n: int, hour: int, channel: str, outcome: str):
    at = timezone.make_aware(datetime.combine(day(n), time(hour, 15)))
    collector = get_user_model().objects.get(username="risk_manager")
    actions.log_contact(actor=collector, customer=customer, data=actions.ContactIn(
        channel=channel, outcome=outcome, at=at), today=day(40))


@pytest.fixture
def logged(ledger, clock, cq, sc):
    night(day(40))
    called(cq, 36, 10, "phone", "reached")    # Tuesday 2026-07-07, 10:15
    called(cq, 37, 9, "phone", "promised")    # Wednesday
    called(cq, 35, 14, "email", "no_answer")  # Monday
    for n in (32, 39, 39):                    # Sichuan, same industry, another portfolio: Fridays by email
        called(sc, n, 16, "email", "reached")
    return ledger


def test_the_worklist_and_the_case_page_show_the_best_slot_with_its_evidence(logged, sign_in, cq):
    client = sign_in("collector")
    text = client.get("/collections/", **EN).content.decode()
    assert "Best time to reach" in text and "Phone call, Tue–Thu 9–11, 2 of 2 reached" in text
    case = CollectionCase.objects.get(customer=cq)
    page = client.get(f"/collections/cases/{case.pk}/", **EN).content.decode()
    assert 'id="best-contact"' in page and "Phone call, Tue–Thu 9–11, 2 of 2 reached" in page


def test_the_api_case_has_best_contact(logged, sign_in, cq):
    case = CollectionCase.objects.get(customer=cq)
    client = sign_in("collector")
    best = client.get(f"/api/v1/collections/cases/{case.pk}").json()["best_contact"]
    assert {k: best[k] for k in ("channel", "weekdays", "hours", "reached", "tried")} == {
        "channel": "phone", "weekdays": [2, 3, 4], "hours": [9, 11], "reached": 2, "tried": 2}
    # the segment in the collector's portfolio is cq alone: 2 of 3 overall; phone Tue–Thu 9–11, prior
    # strength 8: (2 + 8·2/3) / (2 + 8), and the customer's (2 + 8·that) / (2 + 8)
    assert best["segment_rate"] == pytest.approx((2 + 8 * 2 / 3) / 10)
    assert best["rate"] == pytest.approx((2 + 8 * best["segment_rate"]) / 10)
    listed = client.get("/api/v1/collections/cases").json()["items"]
    assert listed[0]["best_contact"]["channel"] == "phone"


def test_the_command_line_worklist_shows_it(logged):
    with translation.override("en"):
        listed = CliRunner().invoke(fengkong, ["collections", "worklist", "--user", "collector"])
    assert listed.exit_code == 0 and "best phone Tue–Thu 9–11 2/2" in " ".join(listed.output.split())  # wrapped


def test_the_segment_counts_only_the_contacts_the_reader_may_see(logged, users, cq, sc):
    mine = best_contacts(users["collector"], [cq])[cq.pk]
    everyone = best_contacts(users["risk_manager"], [cq, sc])
    assert mine.segment_rate == pytest.approx((2 + 8 * 2 / 3) / 10)  # Sichuan's 3 emails do not count
    assert everyone[sc.pk].channel == "email" and (everyone[sc.pk].reached, everyone[sc.pk].tried) == (3, 3)
    assert everyone[cq.pk].segment_rate != mine.segment_rate  # with Sichuan's: 5 of 6 overall
    assert best_contacts(users["collector"], []) == {}
    assert everyone[sc.pk].weekday_from == everyone[sc.pk].weekday_to == 4 and everyone[sc.pk].hours == "15–17"


def test_a_customer_without_contacts_of_the_last_year_has_none(ledger, clock, sign_in, cq):
    night(day(40))
    called(cq, 40 - 366, 10, "phone", "reached")  # more than a year before today: does not count
    case = CollectionCase.objects.get(customer=cq)
    assert sign_in("collector").get(f"/api/v1/collections/cases/{case.pk}").json()["best_contact"] is None
    assert "Phone call," not in sign_in("collector").get("/collections/", **EN).content.decode()
