"""Benchmark: POST /api/v1/credit-checks under load against the bare JSON view /healthz, same server, same run.

    .venv/bin/python benchmarks/bench_credit_check.py --db both        # sqlite, then postgres
    .venv/bin/python benchmarks/bench_credit_check.py --db sqlite --duration 10 --connections 16
    .venv/bin/python benchmarks/bench_credit_check.py --db sqlite --profile   # queries and time per check

What is measured, per database, on a fresh one (a SQLite file in a temporary directory, or a PostgreSQL
database `fk_bench_check` created and dropped here):
  1. setup: migrations and roles, --customers customers with a credit profile (a limit big enough that
     checks approve and reserve), --invoices open invoices each and an open sales order, an ERP user with
     the sales role whose portfolio holds every customer (so portfolio scoping is on the path, as for a
     real client), and a bearer token for it;
  2. gunicorn started as `fengkong serve` starts it (fengkong.wsgi, sync workers, --workers), on loopback;
  3. wrk (Debian package `wrk`) with --connections connections for --duration seconds: first GET /healthz,
     then POST /api/v1/credit-checks with the bearer token, a random customer and a unique order reference
     per request (a Lua script), after a short warm-up of each.
Prints requests/s, p50 and p99 of both, the ratio of the credit check's requests/s to /healthz's, the
share of non-2xx answers, and whether the targets hold (issue 4: ratio >= 0.6, p99 < 25 ms).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "fk_bench_check"
ROOT = Path(__file__).resolve().parent.parent

LUA = r"""
local counter = 0
local thread_id = 0
local customers = {}
local key = os.getenv("FK_TOKEN")
local n = tonumber(os.getenv("FK_CUSTOMERS"))
local run = os.getenv("FK_RUN")
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + thread_id * 7919)
  wrk.headers["Authorization"] = "Bearer " .. key
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local code = string.format("B%06d", math.random(1, n))
  local body = string.format('{"customer":"%s","amount":"%d.00","currency":"CNY","reference":"%s-%d-%d"}',
                             code, math.random(100, 99999), run, thread_id, counter)
  return wrk.format("POST", "/api/v1/credit-checks", nil, body)
end
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--duration", type=int, default=10, help="Seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (fengkong serve's default)")
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--invoices", type=int, default=20, help="Open invoices per customer")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--profile", action="store_true", help="Only count queries and time one check in-process")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: seed | profile
    return parser.parse_args()


def env_for(db: str, data_dir: Path, pg_db: str = PG_BENCH_DB) -> dict[str, str]:
    env = {**os.environ, "FENGKONG_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "fengkong.settings",
           "DEBUG": "0", "PYTHONPATH": str(ROOT / "src")}
    env.setdefault("AUDIT_KEY", "benchmark-audit-key-" + "x" * 32)  # required with DEBUG off
    env.pop("REDIS_URL", None)
    if db == "postgres":
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{pg_db}"
    else:
        env.pop("DATABASE_URL", None)
    return env


def postgres(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


# --- in the child process: seed the database, or profile one check ------------------------------------

def seed(customers: int, invoices: int) -> str:
    """Customers with limits, invoices and orders, an ERP user and its token; returns the token key."""
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from fengkong.accounts.actions import create_token
    from fengkong.accounts.choices import PortfolioKind, Role
    from fengkong.accounts.models import Portfolio
    from fengkong.accounts.setup import setup_database
    from fengkong.credit.models import CreditProfile
    from fengkong.customers.models import Customer
    from fengkong.receivables.models import Invoice, SalesOrder

    setup_database(verbosity=0)
    today = timezone.localdate()
    portfolio = Portfolio.objects.create(code="BENCH", name="Bench", kind=PortfolioKind.REGION, region_prefixes="50")
    Customer.objects.bulk_create([Customer(code=f"B{n:06d}", name=f"基准客户{n}", region="500103", industry="C",
                                           portfolio=portfolio) for n in range(1, customers + 1)])
    ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    CreditProfile.objects.bulk_create([CreditProfile(customer_id=pk, limit=Decimal("900000000000.00"), grade="A",
                                                     term_days=60, next_review=today + timedelta(days=90))
                                       for pk in ids])
    rows = []
    for pk in ids:
        for i in range(invoices):
            due = today - timedelta(days=(i * 7) % 60 - 20)
            rows.append(Invoice(number=f"INV-{pk}-{i}", customer_id=pk, issue_date=due - timedelta(days=30),
                                due_date=due, amount=Decimal("10000.00"), open_amount=Decimal("5000.00")))
    Invoice.objects.bulk_create(rows, batch_size=5000)
    SalesOrder.objects.bulk_create([SalesOrder(number=f"SO-{pk}", customer_id=pk, order_date=today,
                                               amount=Decimal("3000.00"), open_amount=Decimal("3000.00"))
                                    for pk in ids], batch_size=5000)
    user = get_user_model().objects.create_user(username="erp", password=None)
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name=Role.SALES))
    portfolio.members.add(user)
    _token, key = create_token(actor="cli:bench", user=user, name="bench ERP")
    return key


def profile(key: str, rounds: int = 200) -> None:
    """Queries per check and in-process time per check (Django test client, no network)."""
    import json

    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(headers={"Authorization": f"Bearer {key}"})

    def post(i: int):
        body = json.dumps({"customer": f"B{1 + i % 50:06d}", "amount": "100.00", "currency": "CNY",
                           "reference": f"PROF-{time.time_ns()}-{i}"})
        response = client.post("/api/v1/credit-checks", body, content_type="application/json")
        assert response.status_code == 201, response.content

    post(0)
    with CaptureQueriesContext(connection) as queries:
        post(1)
    print(f"queries per check: {len(queries)}")
    for q in queries.captured_queries:
        print(f"    {float(q['time']) * 1000:7.2f} ms  {' '.join(q['sql'].split())[:110]}")
    reset_queries()
    if os.environ.get("FK_CPROFILE"):
        import cProfile
        import pstats

        with cProfile.Profile() as prof:
            for i in range(50):
                post(10_000 + i)
        pstats.Stats(prof).sort_stats(os.environ["FK_CPROFILE"]).print_stats(40)
    start = time.perf_counter()
    for i in range(rounds):
        post(i + 2)
    print(f"in-process: {(time.perf_counter() - start) / rounds * 1000:.2f} ms per check ({connection.vendor})")
    health = Client()
    start = time.perf_counter()
    for _ in range(rounds):
        health.get("/healthz")
    print(f"in-process: {(time.perf_counter() - start) / rounds * 1000:.2f} ms per /healthz")


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    if args.child == "seed":
        print(seed(args.customers, args.invoices))
    else:
        profile(os.environ["FK_TOKEN"])


# --- in the parent: servers and wrk --------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not listen on port {port}")


def to_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(url: str, args, lua: Path | None = None, duration: int | None = None, env=None) -> dict:
    command = ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{duration or args.duration}s",
               "--latency"]
    if lua:
        command += ["-s", str(lua)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True, env=env).stdout
    percentiles = dict(re.findall(r"^\s+(\d+)(?:\.0+)?%\s+(\S+)\s*$", out, re.M))
    if "99" not in percentiles:
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)$", out, re.M)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": to_ms(percentiles["50"]),
            "p99": to_ms(percentiles["99"]), "requests": requests, "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1) if errors else ""}


def run_db(db: str, args) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"fk-bench-check-{db}-"))
    env = env_for(db, work)
    if db == "postgres":
        postgres(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
        postgres(f"CREATE DATABASE {PG_BENCH_DB}")
    server = None
    try:
        me = [sys.executable, __file__, "--customers", str(args.customers), "--invoices", str(args.invoices)]
        key = subprocess.run([*me, "--child", "seed"], env=env, capture_output=True, text=True,
                             check=True).stdout.strip().splitlines()[-1]
        env["FK_TOKEN"], env["FK_CUSTOMERS"] = key, str(args.customers)
        if args.profile:
            subprocess.run([*me, "--child", "profile"], env=env, check=True)
            return {}
        port = args.port or free_port()
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "fengkong.wsgi:application", "--bind",
                                   f"127.0.0.1:{port}", "--workers", str(args.workers), "--timeout", "120",
                                   "--log-level", "warning"], env=env, cwd=work, start_new_session=True)
        wait_for(port)
        lua = work / "credit_check.lua"
        lua.write_text(LUA)
        base = f"http://127.0.0.1:{port}"
        wrk(f"{base}/healthz", args, duration=2)
        health = wrk(f"{base}/healthz", args)
        env["FK_RUN"] = "warm"
        wrk(base, args, lua, duration=2, env=env)
        env["FK_RUN"] = "run"
        check = wrk(base, args, lua, env=env)
        return {"health": health, "check": check}
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        if db == "postgres":
            postgres(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
        shutil.rmtree(work, ignore_errors=True)


def report(db: str, result: dict, args) -> None:
    health, check = result["health"], result["check"]
    ratio = check["rps"] / health["rps"]
    print(f"\n{db}: {args.connections} connections, {args.duration} s, gunicorn --workers {args.workers}, "
          f"{args.customers} customers x {args.invoices} open invoices, {os.cpu_count()} CPUs")
    print(f"  {'':22}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'requests':>10}{'non-2xx':>9}")
    for name, r in (("GET /healthz", health), ("POST /credit-checks", check)):
        print(f"  {name:22}{r['rps']:>10.0f}{r['p50']:>10.2f}{r['p99']:>10.2f}{r['requests']:>10}{r['non_2xx']:>9}"
              + (f"  socket errors: {r['socket_errors']}" if r["socket_errors"] else ""))
    print(f"  ratio credit check / healthz: {ratio:.2f} (target >= 0.6: {'met' if ratio >= 0.6 else 'MISSED'}); "
          f"p99 {check['p99']:.1f} ms (target < 25 ms: {'met' if check['p99'] < 25 else 'MISSED'})")


def main() -> None:
    args = parse_args()
    if args.child:
        return child(args)
    if not args.profile and shutil.which("wrk") is None:
        sys.exit("wrk is missing: install the Debian package (scripts/_env.sh apt_install wrk)")
    for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        result = run_db(db, args)
        if result:
            report(db, result, args)


if __name__ == "__main__":
    main()
