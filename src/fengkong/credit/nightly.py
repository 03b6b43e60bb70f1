"""Credit's steps of the night (core.nightly), between monitoring's:

- danger_zone (after monitoring's transitions): customers with an item newly in the danger zone are
  re-assessed in the background (§2: event-triggered review); a customer already re-assessed for it on
  or after the night's date is not queued again, so a forced re-run adds nothing.
- knockouts (after monitoring's rules, which raise stop-supply flags; the danger zone comes from its
  transitions): pending limit proposals granting credit to a customer now under a knock-out are withdrawn
  with the reason (actions.limits.withdraw_contradicted), and a customer under one whose grade is still
  above the policy's cap is re-assessed at once (trigger knockout: grade capped, limit 0 proposed), so the
  morning's pages never show a stop-supplied B; a forced re-run finds nothing left to do.
- limit_utilisation (after monitoring's rules): exposure against the approved credit limit; above the
  monitoring policy's attention and exceeded percentages an alert is raised once (an open one absorbs
  later ones, and an exceeded alert absorbs the attention one), with its records written at once and its
  messages in monitoring's messages step.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from fengkong.core.money import from_fen
from fengkong.core.nightly import Night, nightly_step
from fengkong.customers.queries import customer_labels
from fengkong.monitoring.alerts import in_site_language, new_alert, open_alert_keys, raise_alerts
from fengkong.monitoring.choices import AlertKind, Zone
from fengkong.monitoring.nightly import monitored
from fengkong.monitoring.queries import customers_entering_zone

from .actions.assessments import assess_customers, reassess_later
from .actions.limits import withdraw_contradicted
from .choices import Trigger
from .models import Assessment
from .queries import credit_limits_frame, graded_above_knockout_cap

UTILISATION_TITLE = _("%(customer)s: credit limit %(pct)s %% used")


@nightly_step("credit.danger_zone", order=35)
def danger_zone(night: Night) -> None:
    entered = customers_entering_zone(night.as_of, Zone.DANGER)
    done = set(Assessment.objects.filter(trigger=Trigger.DANGER_ZONE, as_of__gte=night.as_of,
                                         customer_id__in=entered).values_list("customer_id", flat=True))
    with transaction.atomic():
        night.checkpoint({"danger_zone_reassessments": len(entered) - len(done)})
        reassess_later([c for c in entered if c not in done], Trigger.DANGER_ZONE)


@nightly_step("credit.knockouts", order=52)
def knockouts(night: Night) -> None:
    with transaction.atomic():
        night.checkpoint()
        night.checkpoint({"proposals_withdrawn": withdraw_contradicted(None, actor=night.actor)})
    above = graded_above_knockout_cap()
    if above:
        assess_customers(above, as_of=night.as_of, trigger=Trigger.KNOCKOUT, actor=night.actor)
    with transaction.atomic():
        night.checkpoint({"knockout_reassessments": len(above)})


@nightly_step("credit.limit_utilisation", order=55)
def limit_utilisation(night: Night) -> None:
    m = monitored(night)
    with transaction.atomic():
        night.checkpoint()
        wanted = utilisation_alerts(m.book.customers.select("customer_id", "exposure"), m.policy, night.as_of)
        counts = raise_alerts(wanted, policy=m.policy, as_of=night.as_of, actor=night.actor,
                              people=m.recipients(), send_messages=False)
        night.checkpoint(added=counts)


def utilisation_alerts(exposures: pl.DataFrame, policy, as_of) -> list:
    """Exposure against the credit limit, for customers whose limit is known and above zero."""
    limits = credit_limits_frame()
    if limits.is_empty():
        return []
    frame = (exposures.join(limits.filter(pl.col("limit_fen") > 0), on="customer_id", how="inner")
             .with_columns((pl.col("exposure") * 10000 // pl.col("limit_fen")).alias("basis_points")))
    open_ = open_alert_keys([AlertKind.UTILISATION_90, AlertKind.UTILISATION_100])
    high, low = policy.utilisation_exceeded_percent * 100, policy.utilisation_attention_percent * 100
    names = customer_labels(frame.get_column("customer_id").to_list())
    alerts, template = [], in_site_language(UTILISATION_TITLE)
    for cid, exposure_fen, limit_fen, bp in frame.iter_rows():
        kind = (AlertKind.UTILISATION_100 if bp >= high else AlertKind.UTILISATION_90 if bp >= low else None)
        if kind is None or not policy.rule(kind).enabled or (cid, kind) in open_ or (
                kind == AlertKind.UTILISATION_90 and (cid, AlertKind.UTILISATION_100) in open_):
            continue
        pct = str(Decimal(bp) / 100)
        title = template % {"customer": names.get(cid, str(cid)), "pct": pct}
        alerts.append(new_alert(kind, customer_id=cid, key=f"{kind}:c{cid}:{as_of}", title=title, as_of=as_of,
                                policy=policy, details={"exposure": str(from_fen(exposure_fen)),
                                                        "limit": str(from_fen(limit_fen)), "utilisation": pct}))
    return alerts
