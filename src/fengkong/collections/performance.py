"""Collector performance over a period: money collected, promises kept, the CEI, cases closed, contacts and how
many reached somebody, and how long disputes took to resolve; per collector, per portfolio and for the team.

Design decisions:
- A collector is a case's owner, and every figure is counted for the owner of the case it belongs to (as the
  case stands now: a reassigned case takes its history to its new owner). Money collected is the receipts of
  a case's customer dated in the period while the case was open (from its opening day to its closing day).
  Promises taken count by the day they were taken, kept / partially kept / broken by the day they were
  judged; the kept rate is kept over judged. Contacts count by their time in the business time zone;
  "reached" is every outcome that reached somebody (choices.REACHED_OUTCOMES). Disputes count by the day
  they were resolved, with the days from opening to resolution.
- The CEI is the standard one (engine.dso.collection_effectiveness) from the aging snapshots of the risk
  cycle: beginning receivables are those of the last monitored day before the period, ending receivables
  (total and current, i.e. not yet due) those of the last monitored day in it, credit sales the invoices
  issued between the two days. A collector's CEI is over the customers whose last case in the period they
  own; a portfolio's and the team's over all their customers. Without two monitored days there is no CEI.
- Amounts are in the functional currency: receipts and invoices summed per currency and converted at the
  rates of the period's last day (receivables.fx; a currency without a rate is refused with MissingRate);
  snapshots are in the functional currency already.
- Everything is read with a fixed number of grouped queries, whatever the size of the book: each figure
  grouped by (owner, portfolio), then added up per collector, per portfolio and for the team in Python over
  those few groups. Every query is scoped (core.permissions.scope): a collector's team totals and portfolio
  lines are those of the customers they may see; a collector without `view_team_performance` sees only their
  own line beside them.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum

from fengkong.accounts.models import Portfolio
from fengkong.core import dates
from fengkong.core.money import quantize, to_fen
from fengkong.core.permissions import require, scope
from fengkong.engine.dso import collection_effectiveness
from fengkong.monitoring.models import CustomerSnapshot, MonitoringDay
from fengkong.receivables.fx import as_decimal, rates_on
from fengkong.receivables.models import Invoice, Payment

from .choices import REACHED_OUTCOMES, CaseStatus, DisputeStatus, PromiseState
from .exceptions import CollectionsError
from .models import CollectionCase, Contact, Dispute, PromiseToPay

COUNTS = ("promises_taken", "promises_kept", "promises_partially_kept", "promises_broken", "cases_closed",
          "contacts", "contacts_reached", "disputes_resolved", "dispute_days")
MONEY = ("collected", "beginning", "credit_sales", "ending_total", "ending_current")


@dataclass
class Line:
    """One row of the table: a collector, a portfolio or the team. `with_cei`: the period has the two
    monitored days the CEI needs."""

    collector: str | None = None
    portfolio: str | None = None
    label: str = ""
    with_cei: bool = False
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    amounts: dict[str, Decimal] = field(default_factory=lambda: {k: Decimal("0.00") for k in MONEY})

    def add(self, figures: dict) -> None:
        for key, value in figures.items():
            (self.counts if key in self.counts else self.amounts)[key] += value

    def __getattr__(self, name: str):
        figures = {**self.__dict__.get("counts", {}), **self.__dict__.get("amounts", {})}
        if name in figures:
            return figures[name]
        raise AttributeError(name)

    @property
    def promises_judged(self) -> int:
        return self.promises_kept + self.promises_partially_kept + self.promises_broken

    @property
    def kept_rate(self) -> float | None:
        return self.promises_kept / self.promises_judged if self.promises_judged else None

    @property
    def reached_rate(self) -> float | None:
        return self.contacts_reached / self.contacts if self.contacts else None

    @property
    def average_days_to_resolve(self) -> float | None:
        return self.dispute_days / self.disputes_resolved if self.disputes_resolved else None

    @property
    def cei(self) -> float | None:
        if not self.with_cei:
            return None
        fen = {k: to_fen(v) for k, v in self.amounts.items()}
        return collection_effectiveness(fen["beginning"], fen["credit_sales"], fen["ending_total"],
                                        fen["ending_current"])


@dataclass
class Performance:
    date_from: date
    date_to: date
    receivables_from: date | None   # the monitored day the beginning receivables are of
    receivables_to: date | None     # the monitored day the ending receivables are of
    collectors: list[Line]
    portfolios: list[Line]
    team: Line
    sees_team: bool


def last_full_month(today: date | None = None) -> tuple[date, date]:
    """The default period: the calendar month before today's."""
    today = today or dates.business_today()
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def period(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """The period asked for: the last full month when neither day is given, one given day completing the
    other (to the month's end or from its first day); refused when it runs backwards."""
    if date_from is None and date_to is None:
        return last_full_month()
    if date_from is None:
        date_from = date_to.replace(day=1)
    if date_to is None:
        date_to = date_from.replace(day=calendar.monthrange(date_from.year, date_from.month)[1])
    if date_from > date_to:
        raise CollectionsError(f"the period runs backwards: from ({date_from}) is after to ({date_to})", "from")
    return date_from, date_to


def collector_performance(user, date_from: date | None = None, date_to: date | None = None) -> Performance:
    """The figures of the period `user` may see (403 without `collections.view_performance`)."""
    require(user, "collections.view_performance")
    start, end = period(date_from, date_to)
    rates = rates_on(end)
    cases = scope(CollectionCase.objects.all(), user).filter(opened_on__lte=end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=start))
    activity: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))   # (owner, portfolio) -> figures
    for key, figures in _activity(user, cases, start, end, rates):
        for name, value in figures.items():
            activity[key][name] += value
    receivables: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))   # (collector, portfolio, worked)
    first, last = _monitored_days(start, end)
    if first is not None:
        for key, figures in _receivables(user, cases, first, last, rates):
            for name, value in figures.items():
                receivables[key][name] += value
    return _roll_up(user, activity, receivables, Performance(start, end, first, last, [], [], Line(), False))


def _monitored_days(start: date, end: date) -> tuple[date | None, date | None]:
    """The last monitored day before the period and the last one in it; (None, None) without both."""
    first = MonitoringDay.objects.filter(as_of__lt=start).order_by("-as_of").values_list("as_of", flat=True).first()
    last = MonitoringDay.objects.filter(as_of__gte=start, as_of__lte=end).order_by("-as_of") \
        .values_list("as_of", flat=True).first()
    return (first, last) if first is not None and last is not None else (None, None)


def _activity(user, cases, start: date, end: date, rates):
    """(owner, portfolio), figures: every figure but the CEI, in five grouped queries."""
    key = ("owner", "customer__portfolio")
    for row in cases.filter(status=CaseStatus.CLOSED, closed_on__range=(start, end)).values(*key) \
            .annotate(n=Count("pk")).order_by():
        yield (row["owner"], row["customer__portfolio"]), {"cases_closed": row["n"]}
    in_window = Q(customer__collection_cases__opened_on__lte=F("payment_date")) & (
        Q(customer__collection_cases__closed_on__isnull=True)
        | Q(customer__collection_cases__closed_on__gte=F("payment_date")))
    for row in scope(Payment.objects.all(), user).filter(in_window, payment_date__range=(start, end)) \
            .values("customer__collection_cases__owner", "customer__portfolio", "currency") \
            .annotate(total=Sum("amount")).order_by():
        yield ((row["customer__collection_cases__owner"], row["customer__portfolio"]),
               {"collected": rates.to_functional(as_decimal(row["total"]), row["currency"])})
    yield from _promises(user, start, end)
    yield from _contacts(user, start, end)
    yield from _disputes(user, start, end)


def _promises(user, start: date, end: date):
    taken, judged = Q(taken_on__range=(start, end)), Q(evaluated_on__range=(start, end))
    states = {"promises_kept": PromiseState.KEPT, "promises_partially_kept": PromiseState.PARTIALLY_KEPT,
              "promises_broken": PromiseState.BROKEN}
    rows = scope(PromiseToPay.objects.all(), user).filter(taken | judged).values("case__owner", "customer__portfolio") \
        .annotate(promises_taken=Count("pk", filter=taken),
                  **{name: Count("pk", filter=judged & Q(state=state)) for name, state in states.items()}).order_by()
    for row in rows:
        yield (row.pop("case__owner"), row.pop("customer__portfolio")), row


def _contacts(user, start: date, end: date):
    # the day in the business time zone, in the query: no datetime is built (9999-12-31 has no next day)
    rows = scope(Contact.objects.all(), user).filter(at__date__range=(start, end)) \
        .values("case__owner", "customer__portfolio") \
        .annotate(contacts=Count("pk"), contacts_reached=Count("pk", filter=Q(outcome__in=sorted(REACHED_OUTCOMES)))) \
        .order_by()
    for row in rows:
        yield (row.pop("case__owner"), row.pop("customer__portfolio")), row


def _disputes(user, start: date, end: date):
    took = ExpressionWrapper(F("resolved_on") - F("opened_on"), output_field=DurationField())
    rows = scope(Dispute.objects.all(), user).exclude(status=DisputeStatus.OPEN) \
        .filter(resolved_on__range=(start, end)).values("case__owner", "customer__portfolio") \
        .annotate(n=Count("pk"), took=Sum(took)).order_by()
    for row in rows:
        days = row["took"].days if row["took"] is not None else 0
        yield (row["case__owner"], row["customer__portfolio"]), {"disputes_resolved": row["n"], "dispute_days": days}


def _receivables(user, cases, first: date, last: date, rates):
    """The CEI's parts by (collector, portfolio, in a collector's CEI): two grouped queries, each customer given
    to the owner of its last case in the period (no owner and not in one when it had none)."""
    last_case = cases.filter(customer=OuterRef("customer")).order_by("-opened_on", "-pk")
    owner, worked = Subquery(last_case.values("owner")[:1]), Exists(last_case)
    snapshots = scope(CustomerSnapshot.objects.all(), user).filter(as_of__in=[first, last]) \
        .annotate(collector=owner, worked=worked).values("collector", "customer__portfolio", "worked") \
        .annotate(beginning=Sum("open_amount", filter=Q(as_of=first)),
                  ending_total=Sum("open_amount", filter=Q(as_of=last)),
                  ending_current=Sum("bucket_0", filter=Q(as_of=last))).order_by()
    for row in snapshots:
        yield ((row["collector"], row["customer__portfolio"], row["worked"]),
               {part: quantize(as_decimal(row[part])) for part in ("beginning", "ending_total", "ending_current")})
    issued = Q(issue_date__gt=first) & Q(issue_date__lte=last)
    sales = scope(Invoice.objects.all(), user).filter(issued).annotate(collector=owner, worked=worked) \
        .values("collector", "customer__portfolio", "worked", "currency").annotate(total=Sum("amount")).order_by()
    for row in sales:
        yield ((row["collector"], row["customer__portfolio"], row["worked"]),
               {"credit_sales": rates.to_functional(as_decimal(row["total"]), row["currency"])})


def _roll_up(user, activity: dict, receivables: dict, result: Performance) -> Performance:
    """The groups added up per collector (their line only, without `view_team_performance`), per portfolio and
    for the team."""
    with_cei = result.receivables_from is not None
    result.sees_team = user.has_perm("collections.view_team_performance")
    owners = {key[0] for key in [*activity, *receivables] if key[0] is not None} | {user.pk}
    names = dict(get_user_model().objects.filter(pk__in=owners).values_list("pk", "username"))
    codes = dict(Portfolio.objects.filter(pk__in={key[1] for key in [*activity, *receivables] if key[1]})
                 .values_list("pk", "code"))
    collectors = {} if result.sees_team else {user.pk: Line(names[user.pk], None, names[user.pk], with_cei)}
    portfolios: dict = {}
    result.team = Line(label="", with_cei=with_cei)
    for (owner, portfolio, *worked), figures in [*activity.items(), *receivables.items()]:
        result.team.add(figures)
        code = codes.get(portfolio)
        portfolios.setdefault(portfolio, Line(None, code, code or "", with_cei)).add(figures)
        if (worked and not worked[0]) or not (result.sees_team or owner == user.pk):
            continue   # customers out of every case count in their portfolio's and the team's CEI only
        name = names.get(owner)
        collectors.setdefault(owner, Line(name, None, name or "", with_cei)).add(figures)
    result.collectors = sorted(collectors.values(), key=_by_label)
    result.portfolios = sorted(portfolios.values(), key=_by_label)
    return result


def _by_label(line: Line) -> tuple:
    return (not line.label, line.label)
