"""Benchmark: appending audit events in bulk (`record_many`, as an import does) and verifying the chain.

    .venv/bin/python benchmarks/bench_audit.py --db sqlite [--events 100000]
    .venv/bin/python benchmarks/bench_audit.py --db postgres   # needs PostgreSQL at 127.0.0.1:5432

One run on a fresh database (SQLite file in a temporary directory, or a PostgreSQL database
`fk_bench_audit` created and dropped here): `record_many` of N events in batches of 10,000 (one
transaction each, like an import's chunks), timed; then `verify()` of the whole chain, timed.
Prints wall and CPU seconds and events/s for both (CPU time is steadier on a busy machine). Runs outside the test suite.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "fk_bench_audit"
BATCH = 10_000


def main() -> None:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="fk-bench-audit-"))
    configure(args.db, work)
    try:
        run(args.events)
    finally:
        if args.db == "postgres":
            from django.db import connections

            connections.close_all()
            postgres_database("DROP")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--events", type=int, default=100_000)
    return parser.parse_args()


def configure(db: str, work: Path) -> None:
    """Environment before django.setup(): a private data directory, the chosen database, a throwaway key."""
    os.environ["FENGKONG_DATA_DIR"] = str(work / "data")
    os.environ["DJANGO_SETTINGS_MODULE"] = "fengkong.settings"
    os.environ.setdefault("AUDIT_KEY", "benchmark-audit-key-" + "x" * 32)
    os.environ.pop("DATABASE_URL", None)
    if db == "postgres":
        postgres_database("DROP")
        postgres_database("CREATE")
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_BENCH_DB}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def postgres_database(verb: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)" if verb == "DROP"
                     else f"CREATE DATABASE {PG_BENCH_DB}")


def run(events: int) -> None:
    from fengkong.core.audit import Change, record_many, verify

    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, events, BATCH):
        record_many(None, [Change("invoice.imported", "invoice", f"AR{i:09d}",
                                  after={"amount": "12345.67", "customer": f"C{i % 5000:06d}", "due": "2026-12-31"})
                           for i in range(start, min(events, start + BATCH))])
    written, written_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    result = verify()
    checked, checked_cpu = time.perf_counter() - started, time.process_time() - cpu
    assert result.ok, result
    print(f"record_many: {events:,} events in {written:.2f} s ({written_cpu:.2f} s CPU of this process) = "
          f"{events / written:,.0f} events/s")
    print(f"verify:      {result.checked:,} events in {checked:.2f} s ({checked_cpu:.2f} s CPU) = "
          f"{result.checked / checked:,.0f} events/s")


if __name__ == "__main__":
    main()
