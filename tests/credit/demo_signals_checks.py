"""The demo company has no customer whose signals contradict: whoever is in the danger zone or under
stop-supply has a grade no better than the knock-out cap, no credit available (page, API and figures), no
pending proposal granting credit, and a red block said above its master-data status. A subtest of
tests/demo/test_demo_company.py, which builds the demo once."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from fengkong.credit.choices import ProposalStatus
from fengkong.credit.features import knockouts
from fengkong.credit.figures import standing_many
from fengkong.credit.models import CreditProfile, LimitProposal
from fengkong.credit.policy import current
from fengkong.engine.expert import GRADES


def _no_customer_in_the_danger_zone_or_under_stop_supply_has_contradicting_signals(demo):
    frame = knockouts()
    blocked = {row["customer_id"] for row in frame.iter_rows(named=True)
               if row["ko_danger_zone"] or row["ko_stop_supply"]}
    assert blocked, "the demo should have customers in the danger zone or under stop-supply"
    cap = GRADES.index(current().knockout_cap)
    grades = dict(CreditProfile.objects.filter(customer_id__in=blocked).values_list("customer_id", "grade"))
    assert all(grades[c] and GRADES.index(grades[c]) >= cap for c in blocked), grades
    live = standing_many(blocked, timezone.localdate())
    assert all(s.available <= 0 and s.blocked for s in live.values())
    assert not LimitProposal.objects.filter(customer_id__in=blocked, status=ProposalStatus.PENDING,
                                            proposed_limit__gt=0).exists()
    some = CreditProfile.objects.filter(customer_id__in=blocked).select_related("customer").first().customer
    pages = []
    for user in get_user_model().objects.filter(is_active=True):
        if user.has_perm("credit.view_creditprofile"):
            client = Client()
            client.force_login(user)
            response = client.get(f"/customers/{some.code}/")
            if response.status_code == 200:
                pages.append(response.content.decode())
                break
    assert pages, "a demo user who reads credit sees the customer"
    assert 'id="credit-block-banner"' in pages[0] and 'id="credit-utilisation"' not in pages[0]


CHECKS = [_no_customer_in_the_danger_zone_or_under_stop_supply_has_contradicting_signals]
