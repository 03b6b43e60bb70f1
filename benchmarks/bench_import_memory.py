"""Benchmark: peak memory and rows/s of `fengkong import invoices` on big files, against plain polars.

    .venv/bin/python benchmarks/bench_import_memory.py --sizes 250 1024 [--db sqlite|postgres] [--modes dry-run real]
    .venv/bin/python benchmarks/bench_import_memory.py --sizes 250 --src /tmp/fk-head/src   # another source tree

For each size (MB) it writes an invoice export like the demo's ERP file (UTF-8 with BOM, Chinese headers,
9 columns, ~95 bytes a row) in pieces, so the generator itself stays small; sets up a fresh database
(SQLite file in the work directory, or PostgreSQL database `fk_stream` when --db postgres) with
`fengkong setup` and the customers file; then runs, each under `/usr/bin/time -v`:
  - `fengkong import invoices FILE --dry-run` (every check, nothing written),
  - `fengkong import invoices FILE` (checked and written in one transaction),
  - the references: polars reading the whole file at once (`pl.read_csv`, all strings), and polars
    reading it in batches (`scan_csv(...).collect_batches()`), which is the floor of a streaming reader.
It prints the peak resident set size ("Maximum resident set size") and rows/s of each. The issue's aim:
a 1 GB file imports with peak RSS well under 1 GB, about the same at 250 MB and at 1 GB. The big files
and the database are deleted at the end (the disk is shared) unless --keep.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
PYTHON = Path(sys.executable)
FENGKONG = PYTHON.parent / "fengkong"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "fk_stream"
HEADER = "单据编号,客户编码,单据日期,到期日,金额,未核销金额,币种,合同号,争议\n"
PIECE_ROWS = 500_000


def main() -> None:
    args = parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="fk-bench-memory-"))
    work.mkdir(parents=True, exist_ok=True)
    env = environment(args, work)
    print(f"source tree: {args.src or ROOT / 'src'}; database: {args.db}; work: {work}")
    print(f"{'file':>10} {'rows':>11} {'what':<26} {'peak RSS':>10} {'seconds':>8} {'rows/s':>10}")
    try:
        customers = work / "customers.csv"
        write_customers(customers, args.customers)
        for size in args.sizes:
            path = work / f"invoices-{size}mb.csv"
            rows = write_invoices(path, size * 2**20, args.customers)
            label = f"{path.stat().st_size / 2**20:.0f} MB"
            for mode in args.modes:
                fresh_database(args, work, env, customers)
                command = [str(FENGKONG), "import", "invoices", str(path)] + (["--dry-run"] if mode == "dry-run" else [])
                show(label, rows, f"fengkong import {mode}", measure(command, env))
            for name, code in REFERENCES.items():
                show(label, rows, name, measure([str(PYTHON), "-c", code, str(path)], env))
            if not args.keep:
                path.unlink()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
            if args.db == "postgres":
                drop_postgres()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 1024], help="file sizes in MB")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--modes", nargs="+", choices=["dry-run", "real"], default=["dry-run", "real"])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--src", help="run the importer of this source tree (PYTHONPATH), e.g. a copy of HEAD")
    parser.add_argument("--work", help="work directory (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the files and the database")
    return parser.parse_args()


def environment(args: argparse.Namespace, work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PYTHONPATH"}}
    env |= {"FENGKONG_DATA_DIR": str(work / "data"), "DJANGO_SETTINGS_MODULE": "fengkong.settings",
            "IMPORT_CLI_MAX_BYTES": str(64 * 2**30), "AUDIT_KEY": os.environ.get("AUDIT_KEY") or secrets.token_urlsafe(48)}
    if args.src:
        env["PYTHONPATH"] = args.src
    if args.db == "postgres":
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    return env


# --- the files --------------------------------------------------------------------------------------

def write_customers(path: Path, n: int) -> None:
    codes = [f"C{i:06d}" for i in range(1, n + 1)]
    frame = pl.DataFrame({"客户编码": codes, "客户名称": [f"测试客户{i}有限公司" for i in range(1, n + 1)],
                          "行政区划代码": ["500103"] * n, "行业": ["C"] * n})
    path.write_bytes(frame.write_csv().encode("gbk"))


def write_invoices(path: Path, size: int, customers: int) -> int:
    """Pieces of PIECE_ROWS rows until the file reaches `size` bytes; returns the number of rows."""
    rng = np.random.default_rng(1)
    rows = 0
    with open(path, "wb") as out:
        out.write(b"\xef\xbb\xbf" + HEADER.encode())
        while out.tell() < size:
            piece = invoice_piece(rng, rows, PIECE_ROWS, customers)
            piece.write_csv(out, include_header=False)
            rows += piece.height
    return rows


def invoice_piece(rng: np.random.Generator, start: int, n: int, customers: int) -> pl.DataFrame:
    issue = np.datetime64("2025-01-01") + rng.integers(0, 365, n).astype("timedelta64[D]")
    due = issue + rng.choice([30, 45, 60, 90], n).astype("timedelta64[D]")
    fen = rng.integers(10_000, 50_000_000, n)
    open_fen = np.where(rng.random(n) < 0.6, fen, (fen * rng.random(n)).astype(np.int64))
    return pl.DataFrame({
        "n": np.arange(start + 1, start + n + 1), "c": rng.integers(1, customers + 1, n), "issue": issue,
        "due": due, "fen": fen, "open": open_fen, "contract": rng.integers(1, 20_000, n),
        "disputed": np.where(rng.random(n) < 0.02, "是", "否"),
    }).select(
        pl.format("AR{}", pl.col("n").cast(pl.String).str.zfill(10)),
        pl.format("C{}", pl.col("c").cast(pl.String).str.zfill(6)),
        pl.col("issue").dt.to_string("%Y-%m-%d"), pl.col("due").dt.to_string("%Y/%m/%d"),
        money("fen"), money("open"), pl.lit("CNY"),
        pl.format("HT{}", pl.col("contract").cast(pl.String).str.zfill(5)), pl.col("disputed"),
    )


def money(column: str) -> pl.Expr:
    return pl.format("{}.{}", pl.col(column) // 100, (pl.col(column) % 100).cast(pl.String).str.zfill(2)).alias(column)


# --- the database -----------------------------------------------------------------------------------

def fresh_database(args: argparse.Namespace, work: Path, env: dict[str, str], customers: Path) -> None:
    if args.db == "postgres":
        drop_postgres()
        psql(f"CREATE DATABASE {PG_DB}")
    else:
        shutil.rmtree(work / "data", ignore_errors=True)
    subprocess.run([str(FENGKONG), "setup"], env=env, check=True, capture_output=True)
    done = subprocess.run([str(FENGKONG), "import", "customers", str(customers)], env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def drop_postgres() -> None:
    psql(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


# --- measuring --------------------------------------------------------------------------------------

REFERENCES = {
    "polars read_csv (whole)": "import sys, polars as pl; print(pl.read_csv(sys.argv[1], infer_schema=False).height)",
    "polars scan_csv (batches)": ("import sys, polars as pl\n"
                                  "n = 0\n"
                                  "for b in pl.scan_csv(sys.argv[1], infer_schema=False).collect_batches("
                                  "chunk_size=200_000): n += b.height\n"
                                  "print(n)"),
}


def measure(command: list[str], env: dict[str, str]) -> tuple[int, float, str]:
    """(peak RSS in bytes, wall-clock seconds, the command's last output line) from /usr/bin/time -v."""
    done = subprocess.run(["/usr/bin/time", "-v", *command], env=env, capture_output=True, text=True)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1)) * 1024
    clock = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    seconds = int(clock.group(1) or 0) * 3600 + int(clock.group(2)) * 60 + float(clock.group(3))
    lines = [line for line in done.stdout.splitlines() if re.search(r"rows|^\d+$", line)]
    return rss, seconds, (lines[-1] if lines else "") if done.returncode == 0 else f"exit {done.returncode}: {lines[-3:]}"


def show(label: str, rows: int, what: str, result: tuple[int, float, str]) -> None:
    rss, seconds, last = result
    print(f"{label:>10} {rows:>11,} {what:<26} {rss / 2**20:>7.0f} MB {seconds:>8.1f} {rows / seconds:>10,.0f}"
          f"   {last.strip()[:100]}", flush=True)


if __name__ == "__main__":
    main()
