"""`fengkong demo`: set up the database, the demo people, generate the demo company and import it
through the same importer a customer's ERP files go through."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings

from fengkong.accounts.demo import Login, ensure_demo_people
from fengkong.accounts.setup import setup_database
from fengkong.core import dates
from fengkong.core.money import from_fen
from fengkong.cycle.actions import run_cycle
from fengkong.cycle.models import CycleRun
from fengkong.demo.collection_history import Worked, work_the_cases
from fengkong.demo.contract_drafts import load_contracts
from fengkong.demo.credit import load_credit
from fengkong.demo.credit_models import load_models
from fengkong.demo.generator import generate
from fengkong.integrations.importer import import_file
from fengkong.monitoring.actions import acknowledge_alerts
from fengkong.monitoring.choices import AlertStatus
from fengkong.monitoring.models import Alert
from fengkong.receivables.models import Invoice
from fengkong.receivables.queries import aging_of

# Import order matters: customers first, then what refers to them and to invoices.
FILES = [
    ("customers", "customers.csv"),
    ("invoices", "invoices.csv"),
    ("credit-notes", "credit_notes.csv"),
    ("payments", "payments.csv"),
    ("orders", "orders.csv"),
    ("financials", "financials.csv"),
]

Progress = Callable[[str, int, int], None]
HISTORY_WEEKS = 12
UNWORKED_WEEKS = 2  # the demo team has not yet acknowledged the alerts of the last two weekly cycles


@dataclass
class DemoResult:
    directory: Path
    logins_: list[Login]
    batches: list = field(default_factory=list)
    cycle: object = None  # the monitoring CycleRun run after the load
    credit: dict = field(default_factory=dict)  # counts of demo.credit.load_credit
    models: dict = field(default_factory=dict)  # counts of demo.credit_models.load_models
    collections: Worked = field(default_factory=Worked)  # the collector's quarter (demo.collection_history)
    contracts: int = 0  # drafts registered by demo.contract_drafts.load_contracts

    def summary(self) -> str:
        parts = [f"{b.get_kind_display()}: {b.rows_total:,} rows ({b.get_status_display()})" for b in self.batches]
        cycle = f"\n{self.cycle.summary()}" if self.cycle is not None else ""
        c = self.credit
        credit = (f"\nCredit: {c['assessed']:,} customers assessed, {c['limits_approved']:,} first limits approved, "
                  f"{c['reviewed']:,} reviewed today, {c['guarantees']:,} guarantees on file, "
                  f"{c['pending']:,} limit proposals awaiting approval (from the review, and {c['pending_raises']} raises "
                  f"asked by the analyst), {c['credit_checks']} orders checked"
                  if c else "")
        skipped = [f"{use}: {why}" for use, why in self.models.get("not_trained", {}).items()]
        models = ("\nModels: " + ("; ".join(f"not trained ({s})" for s in skipped) if skipped else
                                  "customer-risk scorecard champion with a LightGBM challenger, payment-delay "
                                  "champion; the worklist is ordered by expected loss and the 13-week cash "
                                  "forecast is made") if self.models else "")
        w = self.collections
        collected = (f"\nCollections: {w.contacts:,} calls logged, {w.promises:,} promises to pay taken, "
                     f"{w.disputes:,} disputes opened, {w.resolved:,} resolved" if w.contacts else "")
        contracts = (f"\nContracts: {self.contracts} drafts registered and analysed against their customers' grades"
                     if self.contracts else "")
        return (f"Demo company loaded from {self.directory}\n  " + "\n  ".join(parts) + "\n" + self.book()
                + credit + contracts + cycle + collected + models)

    def book(self) -> str:
        """Open and overdue money of the loaded book, aged by the engine."""
        profile = aging_of(Invoice.objects.all(), dates.business_today())
        overdue_90 = sum(b.amount_fen for b in profile.buckets if b.low is not None and b.low > 90)
        total = profile.total_fen or 1
        return (f"Open receivables ¥{from_fen(profile.total_fen):,}; overdue ¥{from_fen(profile.overdue_fen):,} "
                f"({profile.overdue_fen / total:.1%}); more than 90 days ¥{from_fen(overdue_90):,} "
                f"({overdue_90 / total:.1%})")

    def logins(self, url: str = "http://127.0.0.1:8000") -> list[str]:
        lines = [f"Log in at {url} with one of:"]
        lines += [f"  {login.username:<10} {login.role:<18} password: {login.password}" for login in self.logins_]
        return lines


def load_demo(*, customers: int, years: int, seed: int, progress: Progress | None = None) -> DemoResult:
    setup_database(verbosity=0)
    logins = ensure_demo_people()
    directory = settings.DATA_DIR / "demo" / f"c{customers}-y{years}-s{seed}"
    if not (directory / "truth.csv").exists():
        generate(directory, customers=customers, years=years, seed=seed, progress=progress)
    result = DemoResult(directory, logins)
    for kind, name in FILES:
        batch = import_file(directory / name, kind, actor=None, progress=_prefixed(progress, name),
                            max_bytes=settings.IMPORT_CLI_MAX_BYTES)   # the command line's limit, as `fengkong import`
        result.batches.append(batch)
        if batch.status not in {"done", "partial"}:
            raise RuntimeError(f"demo import of {name} was {batch.status}: {batch.message or batch.errors[:3]}")
    result.credit = load_credit(dates.business_today(), seed, progress)
    result.contracts = load_contracts(seed)
    result.cycle = run_cycles(dates.business_today(), progress, seed, result.collections)
    result.models = load_models(dates.business_today(), progress)
    return result


def run_cycles(as_of, progress: Progress | None, seed: int = 0, worked: Worked | None = None):
    """Today's risk cycle; on a fresh database first the weekly cycles of the last quarter, oldest first,
    so the dashboard opens on a trend and an inbox with history rather than on a single day, and the
    collector works each week's cases (their promises are judged by the following cycles)."""
    if not CycleRun.objects.exists():
        for weeks in range(HISTORY_WEEKS, 0, -1):
            run_cycle(as_of=as_of - timedelta(weeks=weeks), progress=progress)
            if weeks > UNWORKED_WEEKS:
                work_the_inbox(as_of - timedelta(weeks=weeks))
            done = work_the_cases(as_of - timedelta(weeks=weeks), seed)
            if worked is not None:
                worked.add(done)
    return run_cycle(as_of=as_of, progress=progress)


def work_the_inbox(day) -> int:
    """The demo credit team acknowledges each week's new alerts, as a team does; only the last weeks' are
    left waiting (and escalate), so the inbox shows a working team rather than a quarter of neglect."""
    from django.contrib.auth import get_user_model

    manager = get_user_model().objects.get(username="manager")
    return acknowledge_alerts(actor=manager, alerts=Alert.objects.filter(as_of=day, status=AlertStatus.NEW))


def _prefixed(progress: Progress | None, name: str) -> Progress | None:
    if progress is None:
        return None
    return lambda stage, done, total: progress(f"{name}: {stage}", done, total)

