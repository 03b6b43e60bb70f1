"""Benchmark: `run_cycle` end to end on a 1,000,000-invoice demo company, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/bench_cycle.py --db sqlite [--customers 50000] [--years 1] [--seed 1]
    .venv/bin/python benchmarks/bench_cycle.py --db postgres   # needs PostgreSQL at 127.0.0.1:5432

What is measured, in one run on a fresh database (SQLite file in a temporary directory, or a PostgreSQL
database `fk_bench_cycle` created and dropped here):
  1. the demo company is generated (`fengkong.demo.generator.generate`, ~20 invoices per customer-year:
     50,000 customers x 1 year = ~1 M invoices) into --company (kept, reused when it is already there);
  2. the demo people are created and every file is imported with `import_file`, not timed;
  3. in a fresh child process (so its peak memory is the cycle's own), `run_cycle` for the company's
     date is timed end to end: reading the book, the engine, snapshots, zone transitions, alerts and their
     actions (notifications queued through the real outbox), resolutions, rules, escalations, audit;
  4. for information: the worker's message step on a sample of the alerts (rendering and queueing each
     alert's messages through the notifications outbox happens after commit, outside the cycle), the same
     date again (a done cycle: nothing to do) and once more with --force (every step redone, nothing
     changed).
Prints wall time, peak RSS (resource.getrusage / VmHWM), invoices/s and open items/s, and the per-step times.
Target (issue 3): under 15 s on both databases. Runs outside the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "fk_bench_cycle"
FILES = [("customers", "customers.csv"), ("invoices", "invoices.csv"), ("credit-notes", "credit_notes.csv"),
         ("payments", "payments.csv"), ("orders", "orders.csv"), ("financials", "financials.csv")]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--company", type=Path, default=None,
                        help="Directory of the generated company (default: a cache under the temp directory).")
    parser.add_argument("--drain-sample", type=int, default=1000,
                        help="After the timed cycle, time the worker's message step on this many alerts (0: skip).")
    parser.add_argument("--second-currency", type=float, default=0.0, metavar="SHARE",
                        help="Put this share of the invoices and orders in USD, with a USD rate (issue 11).")
    parser.add_argument("--keep", action="store_true", help="Keep the PostgreSQL database afterwards (to profile).")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: run the timed cycle for this date
    return parser.parse_args()


def configure(db: str, data_dir: Path, pg_db: str = PG_BENCH_DB) -> None:
    """Point Django at the benchmark's data directory and database (SQLite there, or PostgreSQL `pg_db`)."""
    os.environ["FENGKONG_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "fengkong.settings"
    os.environ.setdefault("AUDIT_KEY", "benchmark-audit-key-" + "x" * 32)  # required with DEBUG off
    os.environ.pop("REDIS_URL", None)
    if db == "postgres":
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{pg_db}"
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def postgres(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    args = parse_args()
    if args.child:
        return child(args)
    work = Path(tempfile.mkdtemp(prefix="fk-bench-cycle-"))
    company = args.company or Path(tempfile.gettempdir()) / f"fk-company-c{args.customers}-y{args.years}-s{args.seed}"
    if args.db == "postgres":
        postgres(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
        postgres(f"CREATE DATABASE {PG_BENCH_DB}")
    try:
        configure(args.db, work / "data")
        as_of = load(args, company)
        from django.db import connections

        connections.close_all()
        env = dict(os.environ)
        result = subprocess.run([sys.executable, __file__, "--db", args.db, "--child", as_of.isoformat(),
                                 "--drain-sample", str(args.drain_sample)],
                                env=env, check=False)
        sys.exit(result.returncode)
    finally:
        if args.db == "postgres" and not args.keep:
            postgres(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")


def load(args: argparse.Namespace, company: Path) -> date:
    from fengkong.accounts.demo import ensure_demo_people
    from fengkong.accounts.setup import setup_database
    from fengkong.demo.generator import generate
    from fengkong.integrations.importer import import_file

    if not (company / "truth.csv").exists():
        started = time.perf_counter()
        summary = generate(company, customers=args.customers, years=args.years, seed=args.seed)
        print(f"generated {summary} in {time.perf_counter() - started:.1f} s")
    (company / "as_of.txt").exists() or (company / "as_of.txt").write_text(_as_of_of(company).isoformat())
    setup_database(verbosity=0)
    ensure_demo_people()
    started = time.perf_counter()
    for kind, name in FILES:
        batch = import_file(company / name, kind, actor=None)
        print(f"  imported {name}: {batch.rows_total:,} rows ({batch.status})")
    print(f"import (not timed for the benchmark): {time.perf_counter() - started:.1f} s")
    as_of = date.fromisoformat((company / "as_of.txt").read_text().strip())
    if args.second_currency:
        second_currency(args.second_currency, as_of)
    return as_of


def second_currency(share: float, as_of: date) -> None:
    """A share of the ledger in USD (every tenth id below share x 10), with one USD rate before `as_of`:
    the cycle then converts in its reads (receivables.fx)."""
    from decimal import Decimal

    from django.db import connection

    from fengkong.receivables.models import FxRate

    tenths = int(round(share * 10))
    with connection.cursor() as cursor:
        for table in ("receivables_invoice", "receivables_salesorder"):
            cursor.execute(f"UPDATE {table} SET currency = 'USD' WHERE id % 10 < %s", [tenths])  # noqa: S608 - our table names  # nosec B608
    FxRate.objects.create(date=as_of.replace(day=1), currency="USD", rate=Decimal("7.1234"))
    print(f"  {tenths * 10} % of invoices and orders in USD, rate 7.1234")


def _as_of_of(company: Path) -> date:
    """The date the company was generated as of: the latest invoice date is before it; default today."""
    from django.utils import timezone

    return timezone.localdate()


def peak_rss_mib() -> float:
    """Peak resident memory of this process. resource.getrusage's ru_maxrss survives fork + exec on Linux,
    so a child started by the (large) importing parent would report the parent's peak; VmHWM belongs to
    this process image alone. Both are read; the smaller is this process's own."""
    rusage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        status = Path("/proc/self/status").read_text()
        hwm = next(int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return rusage
    return min(rusage, hwm)


def child(args: argparse.Namespace) -> None:
    configure(args.db, Path(os.environ["FENGKONG_DATA_DIR"]))
    from django.db import connection

    from fengkong.cycle.actions import run_cycle
    from fengkong.receivables.models import Invoice

    as_of = date.fromisoformat(args.child)
    invoices = Invoice.objects.count()
    started = time.perf_counter()
    run = run_cycle(as_of=as_of)
    wall = time.perf_counter() - started
    peak_mib = peak_rss_mib()
    counts = run.counts
    print(f"\nrun_cycle on {connection.vendor} as of {as_of}: {run.status}")
    print(f"  wall time        {wall:8.2f} s   (target < 15 s)")
    print(f"  peak memory      {peak_mib:8.0f} MiB (the cycle's own process, from the start of the run)")
    print(f"  invoices         {invoices:>10,}  -> {invoices / wall:>12,.0f} invoices/s")
    print(f"  open items       {counts.get('open_items', 0):>10,}  -> {counts.get('open_items', 0) / wall:>12,.0f} items/s")
    steps = counts.pop("step_seconds", {})
    print(f"  steps (s)        {json.dumps(steps)}")
    print(f"  counts           {json.dumps(counts, ensure_ascii=False)}")
    if args.drain_sample:
        from fengkong.monitoring.dispatch import messages_pending, send_pending_messages

        pending = messages_pending()
        started = time.perf_counter()
        queued = send_pending_messages(limit=args.drain_sample)
        took = time.perf_counter() - started
        print(f"  worker's message step (not part of the cycle): {args.drain_sample} of {pending:,} alerts -> "
              f"{queued:,} deliveries in {took:.1f} s ({took / args.drain_sample * 1000:.1f} ms per alert)")
    started = time.perf_counter()
    run_cycle(as_of=as_of)
    print(f"  second run, same day (done: nothing to do)  {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    forced = run_cycle(as_of=as_of, force=True)
    print(f"  forced rerun of every step (changes nothing) {time.perf_counter() - started:.2f} s; "
          f"alerts raised in total {forced.counts.get('alerts_raised')}")


if __name__ == "__main__":
    main()
