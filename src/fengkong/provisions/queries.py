"""Reads of provisions for pages, the API and exports. A provision is a figure for the whole company, so
only users who see the whole book read it (core.permissions: a stored company total has no per-portfolio
parts to give a portfolio-bound user)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from fengkong.core import charts
from fengkong.core.money import format_amount, from_fen
from fengkong.core.permissions import require, sees_all
from fengkong.engine.aging import AgingBucket, bucket_bounds

from .choices import ALLOWANCE, IMPAIRMENT_LOSS, RECEIVABLES
from .models import ProvisionLine, ProvisionRun, WriteOffRequest


def require_reader(user) -> None:
    require(user, "provisions.view_provisionrun")
    if not sees_all(user):
        raise PermissionDenied("provisions are company-wide figures")


def runs(user):
    require_reader(user)
    return ProvisionRun.objects.select_related("proposed_by", "decided_by")


def run_for(user, pk: int) -> ProvisionRun:
    return get_object_or_404(runs(user), pk=pk)


def bucket_labels(edges) -> list[str]:
    return [charts.bucket_label(AgingBucket(low, high, 0, 0)) for low, high in bucket_bounds(tuple(edges))]


def matrix_rows(run: ProvisionRun) -> list[dict]:
    """Per bucket: balance, roll rate to the next, loss rate, adjusted rate, provision (IFRS 7.35N's columns)."""
    m = run.matrix
    labels = bucket_labels(m["edges"])
    rolls = [*m["roll_rates"], None]
    return [{"bucket": i, "label": labels[i], "balance": from_fen(m["balance_fen"][i]),
             "rolled": from_fen(m["rolled_fen"][i]), "collected": from_fen(m["collected_fen"][i]),
             "roll_rate": rolls[i], "loss_rate": m["loss_rates"][i], "adjusted_rate": m["adjusted_rates"][i],
             "provision": from_fen(m["provision_fen"][i]), "roll_text": rate_text(rolls[i]),
             "loss_text": rate_text(m["loss_rates"][i]), "adjusted_text": rate_text(m["adjusted_rates"][i])}
            for i in range(len(labels))]


def rate_text(rate: float | None) -> str:
    """A rate as a percentage to four decimals, as the disclosure gives it."""
    return "—" if rate is None else f"{rate * 100:.4f}%"


def matrix_figure(run: ProvisionRun) -> dict:
    rows = matrix_rows(run)
    labels = [r["label"] for r in rows]
    return charts.figure([
        {"type": "bar", "name": _("Gross carrying amount"), "x": labels, "y": [float(r["balance"]) for r in rows],
         "text": [format_amount(r["balance"]) for r in rows], "textposition": "none",
         "hovertemplate": "%{x}<br>%{text}<extra></extra>", "marker": {"color": "#a0aec0"}},
        {"type": "bar", "name": _("Provision"), "x": labels, "y": [float(r["provision"]) for r in rows],
         "text": [format_amount(r["provision"]) for r in rows], "textposition": "none",
         "hovertemplate": "%{x}<br>%{text}<extra></extra>", "marker": {"color": "#c53030"}},
        {"type": "scatter", "mode": "lines+markers", "name": _("Expected loss rate"), "x": labels,
         "y": [r["adjusted_rate"] for r in rows], "yaxis": "y2", "marker": {"color": "#2b6cb0"},
         "hovertemplate": "%{x}<br>%{y:.2%}<extra></extra>"},
    ], charts.layout(320, barmode="group", showlegend=True, legend={"orientation": "h"},
                     yaxis={"tickformat": ",.0f", "rangemode": "tozero", "automargin": True},
                     yaxis2={"overlaying": "y", "side": "right", "tickformat": ".0%", "rangemode": "tozero"}))


def journal_rows(run: ProvisionRun) -> list[dict]:
    """The period's entries for the ERP: the charge (or reversal) between credit impairment loss and the
    provision for bad debts; written-off and recovered amounts against the provision."""
    day, rows = run.as_of.isoformat(), []

    def entry(text, debit, credit, amount):
        rows.append({"date": day, "description": text, "account": str(debit), "debit": amount, "credit": None})
        rows.append({"date": day, "description": text, "account": str(credit), "debit": None, "credit": amount})

    if run.charge:
        entry(_("Bad-debt provision charged for %(day)s") % {"day": day}, IMPAIRMENT_LOSS, ALLOWANCE, run.charge)
    if run.reversal:
        entry(_("Bad-debt provision reversed for %(day)s") % {"day": day}, ALLOWANCE, IMPAIRMENT_LOSS, run.reversal)
    if run.write_off:
        entry(_("Bad debts written off to %(day)s") % {"day": day}, ALLOWANCE, RECEIVABLES, run.write_off)
    if run.recoveries:
        entry(_("Written-off debts recovered to %(day)s") % {"day": day}, RECEIVABLES, ALLOWANCE, run.recoveries)
    return rows


def write_off_requests(user):
    """Write-off requests for those who read provisions (finance, risk, audit: the whole book)."""
    require_reader(user)
    return (WriteOffRequest.objects.select_related("invoice", "invoice__customer", "proposed_by", "posted")
            .prefetch_related("approvals__approver"))


def write_off_for(user, pk: int) -> WriteOffRequest:
    return get_object_or_404(write_off_requests(user), pk=pk)


def top_lines(run: ProvisionRun, limit: int = 50):
    return (ProvisionLine.objects.filter(run=run, provision__gt=0).select_related("customer")
            .order_by("-provision", "customer_id", "bucket")[:limit])
