"""What credit does when a lower app tells it something changed (a lower app sends a signal, never calls up).

- customers.signals.financial_statements_changed: the customers are re-assessed (§2, trigger "new
  financial statements") once the change commits, whether the statements came by import or by an edit.
- industry.signals.alarm_raised: the customers of the industry are re-assessed at once (trigger "industry
  alarm"), so the policy's alarm cap reaches the whole affected book.

`connect_receivers()` is called once, from CreditConfig.ready().
"""

from __future__ import annotations

from fengkong.customers.signals import financial_statements_changed
from fengkong.industry.signals import alarm_raised

from .actions import assessments
from .actions.assessments import reassess_later
from .choices import Trigger


def reassess_on_new_financials(sender, *, customer_ids, actor=None, **_kwargs) -> None:
    reassess_later(customer_ids, Trigger.NEW_FINANCIALS, actor)


def reassess_on_industry_alarm(sender, *, customer_ids, actor=None, **_kwargs) -> None:
    assessments.reassess_later(customer_ids, Trigger.INDUSTRY_ALARM, actor=actor)


def connect_receivers() -> None:
    financial_statements_changed.connect(reassess_on_new_financials, dispatch_uid="credit.new_financials")
    alarm_raised.connect(reassess_on_industry_alarm, dispatch_uid="credit.industry_alarm")
