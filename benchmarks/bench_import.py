"""Benchmark: importing a 1,000,000-row invoice CSV with full validation, against a bare load of the same file.

    .venv/bin/python benchmarks/bench_import.py --db sqlite [--rows 1000000] [--customers 50000]
    .venv/bin/python benchmarks/bench_import.py --db postgres   # needs PostgreSQL at 127.0.0.1:5432

What is measured, in one run on a fresh database (SQLite file in a temporary directory, or a PostgreSQL
database `fk_bench` created and dropped here):
  1. the customers file (GBK, Chinese headers) is imported first, not timed;
  2. full import: `import_file(invoices.csv, "invoices")` — encoding detection, header recognition, every
     row check, customer resolution, comparison with stored rows, upsert, audit — timed;
  3. re-import of the same file (every row unchanged), timed, as a figure for idempotency;
  4. bare load: the invoice table is emptied, then polars reads the same file and the same DB-API path
     inserts the rows (SQLite: executemany INSERT; PostgreSQL: COPY) with no checks at all — timed.
It prints rows/s for each and the ratio full / bare. The issue's target: >= 300,000 rows/s on SQLite and
within 3x of the bare load. Runs outside the test suite.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "fk_bench"
INVOICE_HEADERS = ["单据编号", "客户编码", "单据日期", "到期日", "金额", "未核销金额", "币种", "合同号", "争议"]


def main() -> None:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="fk-bench-"))
    configure(args.db, work)
    try:
        run(args, work)
    finally:
        if args.db == "postgres":
            from django.db import connections

            connections.close_all()
            drop_postgres_database()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def configure(db: str, work: Path) -> None:
    """Environment before django.setup(): a private data directory and the chosen database."""
    os.environ["FENGKONG_DATA_DIR"] = str(work / "data")
    os.environ["DJANGO_SETTINGS_MODULE"] = "fengkong.settings"
    os.environ.setdefault("AUDIT_KEY", "benchmark-audit-key-" + "x" * 32)  # required with DEBUG off
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    if db == "postgres":
        create_postgres_database()
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_BENCH_DB}"
    import django

    django.setup()


def create_postgres_database(name: str = PG_BENCH_DB) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def drop_postgres_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        for name in (PG_BENCH_DB, f"{PG_BENCH_DB}_full", f"{PG_BENCH_DB}_bare"):
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# --- the files --------------------------------------------------------------------------------------

def write_customers(path: Path, n: int, seed: int) -> None:
    from fengkong.core import uscc

    rng = np.random.default_rng(seed)
    regions = rng.choice(["500103", "500112", "510100", "510700", "440300"], n)
    industries = rng.choice(list("CEFGK"), n)
    codes = [f"C{i:06d}" for i in range(1, n + 1)]
    frame = pl.DataFrame({
        "客户编码": codes,
        "客户名称": [f"测试客户{i}有限公司" for i in range(1, n + 1)],
        "统一社会信用代码": [uscc.make("9", "1", r, f"{i:08d}") for i, r in enumerate(regions, start=1)],
        "行业": industries, "行政区划代码": regions, "状态": ["正常"] * n,
    })
    path.write_bytes(frame.write_csv().encode("gbk"))


def write_invoices(path: Path, rows: int, customers: int, seed: int) -> None:
    """A realistic invoice export: UTF-8 with BOM, Chinese headers, amounts with thousands separators."""
    rng = np.random.default_rng(seed)
    issue = np.datetime64("2025-01-01") + rng.integers(0, 365, rows).astype("timedelta64[D]")
    due = issue + rng.choice([30, 45, 60, 90], rows).astype("timedelta64[D]")
    fen = rng.integers(10_000, 50_000_000, rows)
    open_fen = np.where(rng.random(rows) < 0.6, fen, (fen * rng.random(rows)).astype(np.int64))
    frame = pl.DataFrame({
        "单据编号": _prefixed("AR", pl.int_range(1, rows + 1, eager=True), 9),
        "客户编码": _prefixed("C", pl.Series(rng.integers(1, customers + 1, rows)), 6),
        "单据日期": pl.Series(issue).dt.to_string("%Y-%m-%d"),
        "到期日": pl.Series(due).dt.to_string("%Y/%m/%d"),
        "金额": _money_text(fen), "未核销金额": _money_text(open_fen),
        "币种": ["CNY"] * rows,
        "合同号": _prefixed("HT", pl.Series(rng.integers(1, 20_000, rows)), 5),
        "争议": pl.Series(np.where(rng.random(rows) < 0.02, "是", "否")),
    })
    with open(path, "wb") as out:
        out.write(b"\xef\xbb\xbf")
        frame.write_csv(out)


def _prefixed(prefix: str, numbers: pl.Series, width: int) -> pl.Series:
    return pl.DataFrame({"n": numbers}).select(
        pl.concat_str(pl.lit(prefix), pl.col("n").cast(pl.String).str.zfill(width))).to_series()


def _money_text(fen: np.ndarray) -> pl.Series:
    series = pl.Series(fen)
    return pl.DataFrame({"f": series}).select(
        pl.format("{}.{}", (pl.col("f") // 100), (pl.col("f") % 100).cast(pl.String).str.zfill(2))).to_series()


# --- the measurements -------------------------------------------------------------------------------

def run(args: argparse.Namespace, work: Path) -> None:
    from fengkong.integrations.importer import import_file

    customers_csv, invoices_csv = work / "customers.csv", work / "invoices.csv"
    write_customers(customers_csv, args.customers, args.seed)
    write_invoices(invoices_csv, args.rows, args.customers, args.seed)
    size_mb = invoices_csv.stat().st_size / 2**20
    print(f"{args.db}: {args.customers:,} customers; invoice file {args.rows:,} rows, {size_mb:.0f} MB")

    use_fresh_database(args.db, "full", work, customers_csv)
    full, batch = timed(lambda: import_file(invoices_csv, "invoices", actor=None))
    assert batch.status == "done" and batch.rows_created == args.rows, (batch.status, batch.message)
    again, batch2 = timed(lambda: import_file(invoices_csv, "invoices", actor=None))
    assert batch2.rows_unchanged == args.rows, batch2.message

    use_fresh_database(args.db, "bare", work, customers_csv)
    bare, _ = timed(lambda: bare_load(invoices_csv))
    report(args, full, again, bare)


def use_fresh_database(db: str, label: str, work: Path, customers_csv: Path) -> None:
    """Point Django at a new, identical database (migrated, customers imported) so that neither the full
    import nor the bare load writes into pages the other freed."""
    from django.core.management import call_command
    from django.db import connections

    from fengkong.integrations.importer import import_file

    connections.close_all()
    settings_dict = connections["default"].settings_dict
    if db == "postgres":
        name = f"{PG_BENCH_DB}_{label}"
        create_postgres_database(name)
        settings_dict["NAME"] = name
    else:
        settings_dict["NAME"] = str(work / f"{label}.sqlite3")
    call_command("migrate", verbosity=0)
    loaded = import_file(customers_csv, "customers", actor=None)
    assert loaded.status == "done", loaded.message


def timed(work):
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def empty_invoices() -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM receivables_invoice")


def bare_load(path: Path) -> int:
    """polars reads the file; the same DB-API path inserts it; no checks (only what a load cannot skip:
    customer codes to ids, text amounts to numbers)."""
    from django.db import connection, transaction

    from fengkong.integrations import db

    frame = pl.read_csv(path, infer_schema=False).rename(dict(zip(INVOICE_HEADERS, [
        "number", "code", "issue_date", "due_date", "amount", "open_amount", "currency", "contract_ref",
        "disputed"], strict=True)))
    frame = frame.join(db.customer_ids(), on="code").select(
        "number", "customer_id", "issue_date", pl.col("due_date").str.replace_all("/", "-"), "amount",
        "open_amount", "currency", "contract_ref", (pl.col("disputed") == "是").alias("disputed"),
        pl.lit("").alias("source"), pl.lit(str(connection.ops.adapt_datetimefield_value(_now()))).alias("updated_at"))
    columns = frame.columns
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql":
            db.copy_rows(raw, "receivables_invoice", columns, frame)
        else:  # the same connection settings the importer uses (a large page cache)
            cursor.execute(f"PRAGMA cache_size = -{db.SQLITE_CACHE_KIB}")
            frame = frame.with_columns(pl.col("disputed").cast(pl.Int8))
            sql = (f"INSERT INTO receivables_invoice ({', '.join(columns)}) "  # noqa: S608
                   f"VALUES ({', '.join('?' * len(columns))})")
            for start in range(0, frame.height, db.CHUNK):
                raw.executemany(sql, frame.slice(start, db.CHUNK).iter_rows())
    return frame.height


def _now():
    from django.utils import timezone

    return timezone.now()


def report(args: argparse.Namespace, full: float, again: float, bare: float) -> None:
    n = args.rows
    print(f"full import (validated):   {full:7.2f} s  {n / full:>12,.0f} rows/s")
    print(f"re-import (all unchanged): {again:7.2f} s  {n / again:>12,.0f} rows/s")
    print(f"bare load (no checks):     {bare:7.2f} s  {n / bare:>12,.0f} rows/s")
    print(f"ratio full / bare:         {full / bare:7.2f} x   (target <= 3x; >= 300,000 rows/s on SQLite)")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    main()
