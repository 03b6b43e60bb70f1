"""Benchmark: `fengkong evidence verify` (evidence.ledger.verify) against `sha256sum` over the same files.

    .venv/bin/python benchmarks/bench_evidence_verify.py [--items 200] [--size 10000] [--db sqlite|postgres]
    .venv/bin/python benchmarks/bench_evidence_verify.py --items 100000 --size 10000   # the issue's 1 GB

One run on a fresh database (SQLite in a temporary directory, or a PostgreSQL database `fk_bench_evidence`
created and dropped here): N files of random bytes (each a different PDF-looking file of --size bytes) are
stored through the real action (`evidence.actions.keep`: intake checks, content-addressed store, ledger,
audit), the ledger anchored, then timed: `sha256sum` over every stored file (one process, the files given
by xargs), and `verify()` (every file hashed, every row, link and anchor checked). The page cache is warmed
by a first `sha256sum` pass so both read from memory; the reference is the faster of two passes. Prints
the wall seconds of each and the ratio verify / sha256sum (the issue's target: within 1.5×); then the court
bundle of the last min(N, 500) items (catalogue XLSX and PDF, files, manifest, chain proof): time and size.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess  # sha256sum, the reference  # nosec B404
import tempfile
import time
from pathlib import Path

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "fk_bench_evidence"


def main() -> None:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="fk-bench-evidence-"))
    configure(args.db, work)
    try:
        run(args.items, args.size)
    finally:
        if args.db == "postgres":
            from django.db import connections

            connections.close_all()
            postgres_database("DROP")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--size", type=int, default=10_000, help="bytes per file")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    return parser.parse_args()


def configure(db: str, work: Path) -> None:
    os.environ["FENGKONG_DATA_DIR"] = str(work / "data")
    os.environ["DJANGO_SETTINGS_MODULE"] = "fengkong.settings"
    os.environ.setdefault("AUDIT_KEY", "benchmark-audit-key-" + "x" * 32)
    os.environ.setdefault("EVIDENCE_SIGNING_KEY", secrets.token_hex(32))
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
        conn.execute(f"{verb} DATABASE {'IF EXISTS ' if verb == 'DROP' else ''}{PG_BENCH_DB}")


def run(items: int, size: int) -> None:
    from fengkong.core import uscc
    from fengkong.customers.models import Customer
    from fengkong.evidence import ledger
    from fengkong.evidence.actions import Description, anchor_ledger, keep

    customer = Customer.objects.create(code="C000001", name="重庆渝中精密机械有限公司", region="500103",
                                       industry="C", credit_code=uscc.make("9", "1", "500103", "00000001"))
    started = time.perf_counter()
    for n in range(items):
        keep(actor=None, chunks=[b"%PDF-1.4\n" + secrets.token_bytes(size - 9)], filename=f"{n}.pdf",
             customer=customer, description=Description(title=f"evidence {n}", source="letter"))
    anchor_ledger(actor=None)
    stored = time.perf_counter() - started
    root = Path(ledger.storage().location)
    files = sorted(str(p) for p in root.rglob("*") if p.is_file())
    listing = "\0".join(files).encode()
    reference = min(sha256sum(listing) for _pass in range(3))
    started = time.perf_counter()
    result = ledger.verify()
    verified = time.perf_counter() - started
    assert result.ok, result.problems[:3]
    total = items * size
    print(f"stored {items:,} items ({total / 1e6:,.1f} MB) through keep() in {stored:.1f}s ({items / stored:,.0f}/s)")
    print(f"sha256sum over the same files: {reference:.2f}s")
    print(f"verify (files, rows, links, anchors): {verified:.2f}s ({result.entries / verified:,.0f} items/s, "
          f"{result.bytes / verified / 1e6:,.0f} MB/s)")
    print(f"ratio verify / sha256sum: {verified / reference:.2f}× (target ≤ 1.5×)")
    bundle(min(items, 500))


def bundle(count: int) -> None:
    """The court bundle of `count` items (the issue's figure: a 500-item case): time and size."""
    from django.db import transaction

    from fengkong.evidence.bundle import write_bundle
    from fengkong.evidence.models import EvidenceItem

    chosen = list(EvidenceItem.objects.select_related("file").order_by("-pk")[:count])[::-1]
    target = Path(tempfile.mkdtemp(prefix="fk-bench-bundle-")) / "bundle.zip"
    started = time.perf_counter()
    with transaction.atomic():
        write_bundle(chosen, title="benchmark", out=target)
    took = time.perf_counter() - started
    print(f"court bundle of {count} items: {took:.2f}s, {target.stat().st_size / 1e6:,.1f} MB "
          f"(files {sum(i.file.size for i in chosen) / 1e6:,.1f} MB)")


def sha256sum(listing: bytes) -> float:
    started = time.perf_counter()
    subprocess.run(["xargs", "-0", "sha256sum"], input=listing, stdout=subprocess.DEVNULL, check=True)  # nosec B603 B607
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
