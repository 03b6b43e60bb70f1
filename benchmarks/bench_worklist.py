"""Benchmark: the collections worklist page at 100,000 customers and 20,000 open cases (issue 12), against the bare
JSON view /healthz in the same process, same run.

    .venv/bin/python benchmarks/bench_worklist.py --db both              # sqlite, then postgres
    .venv/bin/python benchmarks/bench_worklist.py --db sqlite --customers 10000 --cases 2000 --requests 20

What is measured, per database, on a fresh one (a SQLite file in a temporary directory, or a PostgreSQL database
`fk_bench_worklist` created and dropped here):
  1. setup: migrations and roles; --customers customers in one region portfolio; --cases open collection cases
     spread over ten collectors (expected loss, zone, broken promises and next action drawn), two of every three
     customers in a case with a pending promise; ten collectors in the portfolio and a risk manager (who manages collections);
  2. --requests GET /collections/ per reader, signed in (Django's test client: the whole server side —
     middleware, session, permission and portfolio scope, the queries, the template — without a network):
     the risk manager (every case, the workload per collector) on page 1, a deep page, and filtered by zone and
     "due"; a collector on their own cases. /healthz is timed the same way.
Prints p50 and p95 per reader and for /healthz, the ratio of the worklist's p50 to /healthz's, the queries one
page costs, and whether the target holds (issue 12: p95 under 300 ms).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_credit_check import env_for, postgres

PG_BENCH_DB = "fk_bench_worklist"
TARGET_P95_MS = 300


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=50, help="Requests per reader")
    parser.add_argument("--slowest", type=int, default=0, help="Print the N slowest queries of each page")
    parser.add_argument("--profile", action="store_true", help="Profile five requests of the manager's page 1")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def seed(customers: int, cases: int) -> None:
    import random
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from fengkong.accounts.choices import PortfolioKind, Role
    from fengkong.accounts.models import Portfolio
    from fengkong.accounts.setup import setup_database
    from fengkong.collections.choices import CasePromise
    from fengkong.collections.models import CollectionCase
    from fengkong.core import dates
    from fengkong.customers.models import Customer

    setup_database(verbosity=0)
    today, rng = dates.business_today(), random.Random(12)
    portfolio = Portfolio.objects.create(code="BENCH", name="Bench", kind=PortfolioKind.REGION, region_prefixes="50")
    Customer.objects.bulk_create([Customer(code=f"B{n:06d}", name=f"基准客户{n}", region="500103", industry="C",
                                           portfolio=portfolio) for n in range(1, customers + 1)], batch_size=5000)
    users = get_user_model()
    collectors = [users.objects.create_user(username=f"collector{i}", password=None) for i in range(10)]
    manager = users.objects.create_user(username="manager", password=None)
    Group.objects.get(name=Role.COLLECTOR).user_set.add(*collectors)
    Group.objects.get(name=Role.RISK_MANAGER).user_set.add(manager)  # manages collections, sees every case
    portfolio.members.add(*collectors, manager)
    ids = rng.sample(list(Customer.objects.values_list("pk", flat=True)), cases)
    rows = []
    for n, pk in enumerate(ids):
        zone, overdue = rng.choice([0, 1, 1, 2, 2, 3]), Decimal(rng.randint(1_000, 5_000_000))
        rows.append(CollectionCase(
            customer_id=pk, owner=collectors[n % 10], opened_on=today - timedelta(days=rng.randint(1, 200)),
            updated_on=today, zone=zone, max_days_overdue=zone * 30 + rng.randint(1, 29), overdue_items=rng.randint(1, 9),
            overdue_amount=overdue, amount_warning=overdue, expected_loss=(overdue * rng.randint(1, 60) / 100).quantize(
                Decimal("0.01")), broken_promises=rng.choice([0, 0, 0, 1, 2]),
            promise_status=CasePromise.PENDING if n % 3 else CasePromise.NONE,
            next_action_on=today + timedelta(days=rng.randint(-10, 10))))
    CollectionCase.objects.bulk_create(rows, batch_size=5000)


def timed(client, url: str, n: int) -> list[float]:
    response = client.get(url)  # warm: templates compiled, caches filled
    assert response.status_code == 200, (url, response.status_code)
    out = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return out


def counting(queries: list[tuple[float, str]]):
    """An execute wrapper noting each query with its time in ms."""
    def wrapper(run, sql, params, many, context):
        start = time.perf_counter()
        try:
            return run(sql, params, many, context)
        finally:
            queries.append(((time.perf_counter() - start) * 1000, sql))

    return wrapper


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    start = time.perf_counter()
    seed(args.customers, args.cases)
    print(f"  seeded {args.customers:,} customers, {args.cases:,} open cases in {time.perf_counter() - start:.0f} s"
          f" ({connection.vendor})")
    users = get_user_model().objects
    manager, collector = Client(), Client()
    manager.force_login(users.get(username="manager"))
    collector.force_login(users.get(username="collector3"))
    pages = args.cases // 50
    readers = [("manager, page 1", manager, "/collections/"),
               (f"manager, page {pages // 2}", manager, f"/collections/?page={pages // 2}"),
               ("manager, danger zone, due", manager, "/collections/?zone=3&due=on"),
               ("manager, search 'B0012'", manager, "/collections/?q=B0012"),
               ("collector, own cases", collector, "/collections/?owner=mine")]
    if args.profile:
        import cProfile
        import pstats

        manager.get("/collections/")
        with cProfile.Profile() as prof:
            for _ in range(5):
                manager.get("/collections/")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
        return
    health = timed(Client(), "/healthz", args.requests)
    print(f"  {'GET /healthz':34} p50 {p(health, 50):7.1f} ms  p95 {p(health, 95):7.1f} ms")
    worst = 0.0
    for label, client, url in readers:
        queries: list[tuple[float, str]] = []
        with connection.execute_wrapper(counting(queries)):
            assert client.get(url).status_code == 200
        times = timed(client, url, args.requests)
        worst = max(worst, p(times, 95))
        print(f"  {label:34} p50 {p(times, 50):7.1f} ms  p95 {p(times, 95):7.1f} ms"
              f"  ({p(times, 50) / p(health, 50):5.1f}x /healthz, {len(queries)} queries)")
        if args.slowest:
            for ms, sql in sorted(queries, reverse=True)[:args.slowest]:
                print(f"      {ms:7.1f} ms  {' '.join(sql.split())[:150]}")
    verdict = "holds" if worst < TARGET_P95_MS else "MISSED"
    print(f"  worst p95 {worst:.1f} ms: target p95 < {TARGET_P95_MS} ms {verdict}")


def main() -> None:
    args = parse_args()
    if args.child:
        child(args)
        return
    for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        print(f"== {db}")
        work = Path(tempfile.mkdtemp(prefix=f"fk-bench-worklist-{db}-"))
        env = env_for(db, work, pg_db=PG_BENCH_DB)
        if db == "postgres":
            postgres(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
            postgres(f"CREATE DATABASE {PG_BENCH_DB}")
        try:
            me = [sys.executable, __file__, "--customers", str(args.customers), "--cases", str(args.cases),
                  "--requests", str(args.requests), "--slowest", str(args.slowest), "--child",
                  *(["--profile"] if args.profile else [])]
            subprocess.run(me, env=env, check=True, cwd=work)
        finally:
            if db == "postgres":
                postgres(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
