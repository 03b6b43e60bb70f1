"""What credit does when a lower app tells it something changed (a lower app sends a signal, never calls up).

- customers.signals.financial_statements_changed: the customers are re-assessed (§2, trigger "new
  financial statements") once the change commits, whether the statements came by import or by an edit.

`connect_receivers()` is called once, from CreditConfig.ready().
"""

from __future__ import annotations

from fengkong.customers.signals import financial_statements_changed

from .actions.assessments import reassess_later
from .choices import Trigger


def reassess_on_new_financials(sender, *, customer_ids, actor=None, **_kwargs) -> None:
    reassess_later(customer_ids, Trigger.NEW_FINANCIALS, actor)


def connect_receivers() -> None:
    financial_statements_changed.connect(reassess_on_new_financials, dispatch_uid="credit.new_financials")
