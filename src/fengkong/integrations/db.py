"""Bulk reads and writes for the importer, on Django's own connection (so `transaction.atomic` applies).

Design decisions:
- No ORM row by row. Lookups are one query each, returned as polars frames. Key lists travel as one
  parameter: a JSON array read with `json_each` on SQLite, an array with `= ANY(%s)` on PostgreSQL.
- Writes are upserts by natural key. SQLite: `executemany` of INSERT … ON CONFLICT DO UPDATE … WHERE
  something changed. PostgreSQL: COPY into a temporary table, then one set-based INSERT … SELECT … ON
  CONFLICT … DO UPDATE … WHERE … IS DISTINCT FROM. Only the columns the file carries are updated.
- Rows are compared with what is stored before writing (one bulk read), so created / updated /
  unchanged are counted exactly and unchanged rows are never written (their updated_at stays).
- Money crosses the boundary as integer fen inside Python and as exact decimal text into the database.
- A file written batch by batch (`one_file_into(table)`): if its table was empty when the first batch was
  compared, every later batch's rows are new too (its keys are unique in the file, checked beforehand), so
  they are not looked up again; without that, each batch would search an index growing with the file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import polars as pl
from django.db import connection
from django.utils import timezone

from .parsing import fen_to_text

INT, TEXT, DATE, MONEY, BOOL, STAMP, RATE = "int", "text", "date", "money", "bool", "stamp", "rate"
POLARS_TYPES = {INT: pl.Int64, TEXT: pl.String, DATE: pl.Date, MONEY: pl.Int64, BOOL: pl.Boolean, RATE: pl.Int64}
RATE_UNITS = 10**8  # an exchange rate travels as an integer of 1e-8 (eight decimal places, FxRate.rate)
CHUNK = 50_000
SQLITE_CACHE_KIB = 512 * 1024  # page cache for the import's connection: index updates stay in memory


@dataclass(frozen=True)
class Target:
    """A table written by the importer: its natural key, its columns and their kinds."""

    table: str
    key: tuple[str, ...]
    columns: dict[str, str]
    stamps: tuple[str, ...] = ()  # set to now on insert; updated_at also on update
    batch_column: str | None = "import_batch_id"

    def data_columns(self) -> list[str]:
        return [c for c in self.columns if c not in self.key]


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def fetch(sql: str, params: Iterable = (), schema: dict | None = None) -> pl.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        rows = cursor.fetchall()
        names = [d[0] for d in cursor.description]
    schema = schema or {n: pl.String for n in names}
    return pl.DataFrame(rows, schema=schema, orient="row")


def key_filter(column: str, values: pl.Series) -> tuple[str, list]:
    """A WHERE fragment matching `column` against many values, with its one parameter."""
    items = values.drop_nulls().unique().to_list()
    if is_postgres():
        return f"{column} = ANY(%s)", [items]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(items, ensure_ascii=False)]  # noqa: S608 - table and column names come from our import targets, never from the file; values are parameters or COPY data  # nosec B608


# --- lookups ----------------------------------------------------------------------------------------

def customer_ids() -> pl.DataFrame:
    return fetch("SELECT code, id FROM customers_customer", schema={"code": pl.String, "customer_id": pl.Int64})


def portfolio_ids() -> pl.DataFrame:
    return fetch("SELECT code, id FROM accounts_portfolio", schema={"code": pl.String, "portfolio_id": pl.Int64})


def invoice_ids(numbers: pl.Series) -> pl.DataFrame:
    where, params = key_filter("number", numbers)
    return fetch(f"SELECT number, id, customer_id, currency FROM receivables_invoice WHERE {where}", params,  # noqa: S608 - table and column names come from our import targets, never from the file; values are parameters or COPY data  # nosec B608
                 schema={"number": pl.String, "id": pl.Int64, "customer_id": pl.Int64, "currency": pl.String})


def allocation_room(invoice_ids: pl.Series, receipt_numbers: pl.Series) -> pl.DataFrame:
    """invoice_id, ~amount_fen (the invoice's amount), ~other_fen (what receipts other than `receipt_numbers`
    already allocate to it): what a receipts file may still allocate to each invoice."""
    invoices, invoice_params = key_filter("invoice_id", invoice_ids)
    receipts, receipt_params = key_filter("p.number", receipt_numbers)
    ids, id_params = key_filter("i.id", invoice_ids)
    other = ("SELECT a.invoice_id, SUM(CAST(ROUND(a.amount * 100) AS BIGINT)) AS fen "  # noqa: S608 - table and column names come from our import targets, never from the file; values are parameters or COPY data  # nosec B608
             "FROM receivables_paymentallocation a JOIN receivables_payment p ON p.id = a.payment_id "
             f"WHERE {invoices.replace('invoice_id', 'a.invoice_id', 1)} AND NOT ({receipts}) GROUP BY a.invoice_id")
    return fetch(f"SELECT i.id, CAST(ROUND(i.amount * 100) AS BIGINT), COALESCE(o.fen, 0) FROM receivables_invoice i "  # noqa: S608 - table and column names come from our import targets, never from the file; values are parameters or COPY data  # nosec B608
                 f"LEFT JOIN ({other}) o ON o.invoice_id = i.id WHERE {ids}",
                 [*invoice_params, *receipt_params, *id_params],
                 schema={"invoice_id": pl.Int64, "~amount_fen": pl.Int64, "~other_fen": pl.Int64})


def credit_code_owners(codes: pl.Series) -> pl.DataFrame:
    where, params = key_filter("credit_code", codes)
    return fetch(f"SELECT credit_code, code FROM customers_customer WHERE {where}", params,  # noqa: S608 - table and column names come from our import targets, never from the file; values are parameters or COPY data  # nosec B608
                 schema={"credit_code": pl.String, "~owner": pl.String})


def ids_by_key(table: str, key: str, values: pl.Series, id_name: str) -> pl.DataFrame:
    where, params = key_filter(key, values)
    return fetch(f"SELECT {key}, id FROM {table} WHERE {where}", params,  # noqa: S608 - table and column names come from our import targets, never from the file; values are parameters or COPY data  # nosec B608
                 schema={key: pl.String, id_name: pl.Int64})


def table_is_empty(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")  # noqa: S608 - table and column names come from our import targets, never from the file; values are parameters or COPY data  # nosec B608
        return cursor.fetchone() is None


# --- comparing with what is stored -----------------------------------------------------------------

def _select_expr(column: str, kind: str) -> str:
    """Stored values in the shape the file's frame has: fen for money, ISO text for dates, 0/1 for flags."""
    if kind == MONEY:
        return f"CAST(ROUND({column} * 100) AS BIGINT)"
    if kind == RATE:
        return f"CAST(ROUND({column} * {RATE_UNITS}) AS BIGINT)"
    if kind == DATE:
        return f"CAST({column} AS TEXT)"
    if kind == BOOL:
        return f"CAST({column} AS INTEGER)"
    return column


FETCHED_AS = {DATE: pl.String, BOOL: pl.Int64}


@dataclass
class OneFile:
    table: str
    empty_before: bool | None = None  # found at the first comparison


_one_file: ContextVar[OneFile | None] = ContextVar("integrations_one_file", default=None)


@contextmanager
def one_file_into(table: str | None) -> Iterator[None]:
    """While one file whose keys are unique in it is written into `table` batch by batch (see above)."""
    token = _one_file.set(OneFile(table) if table else None)
    try:
        yield
    finally:
        _one_file.reset(token)


def _new_rows_only(target: Target) -> bool:
    """Whether `target` is the table of the file being written and was empty before its first batch."""
    state = _one_file.get()
    if state is None or state.table != target.table:
        return False
    if state.empty_before is None:
        state.empty_before = table_is_empty(target.table)
    return state.empty_before


def stored_rows(target: Target, columns: list[str], frame: pl.DataFrame) -> pl.DataFrame:
    """The stored values of `columns` for the keys in `frame`, typed like the frame, plus `~stored`."""
    wanted = list(dict.fromkeys([*target.key, *columns]))
    kinds = {c: target.columns[c] for c in wanted}
    if table_is_empty(target.table):
        return _nothing_stored(kinds)
    where, params = key_filter(target.key[0], frame.get_column(target.key[0]))
    select = ", ".join(f"{_select_expr(c, k)} AS {c}" for c, k in kinds.items())
    fetched = fetch(f"SELECT {select} FROM {target.table} WHERE {where}", params,  # noqa: S608 - table and column names come from our import targets, never from the file; values are parameters or COPY data  # nosec B608
                    schema={c: FETCHED_AS.get(k, POLARS_TYPES[k]) for c, k in kinds.items()})
    return fetched.with_columns(
        *[pl.col(c).str.slice(0, 10).str.to_date("%Y-%m-%d") for c, k in kinds.items() if k == DATE],
        *[pl.col(c).cast(pl.Boolean) for c, k in kinds.items() if k == BOOL],
        pl.lit(True).alias("~stored"))


def _nothing_stored(kinds: dict[str, str]) -> pl.DataFrame:
    empty = pl.DataFrame(schema={c: POLARS_TYPES[k] for c, k in kinds.items()})
    return empty.with_columns(pl.lit(True).alias("~stored"))


def classify(target: Target, frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Add `~change`: "created", "updated" or "unchanged", comparing `columns` with the stored rows."""
    if _new_rows_only(target):
        stored = _nothing_stored({c: target.columns[c] for c in dict.fromkeys([*target.key, *columns])})
    else:
        stored = stored_rows(target, columns, frame)
    stored = stored.rename({c: f"{c}~db" for c in columns if c not in target.key})
    joined = frame.join(stored, on=list(target.key), how="left")
    same = pl.all_horizontal([pl.col(c).eq_missing(pl.col(f"{c}~db")) for c in columns if c not in target.key]
                             or [pl.lit(True)])
    change = (pl.when(pl.col("~stored").is_null()).then(pl.lit("created"))
              .when(same).then(pl.lit("unchanged")).otherwise(pl.lit("updated")))
    return joined.with_columns(change.alias("~change")).drop([c for c in joined.columns if c.endswith("~db")]
                                                              + ["~stored"])


# --- writing ----------------------------------------------------------------------------------------

def upsert(target: Target, frame: pl.DataFrame, update: list[str], batch_id: int | None,
           progress: Callable[[int, int], None] | None = None) -> None:
    """Insert or update `frame` (all target columns present) by the target's natural key.

    With a `~change` column (from `classify`, inside the same transaction) SQLite inserts the created
    rows and updates the changed ones with plain statements: the IMMEDIATE transaction has held the
    write lock since before the comparison, so nothing can have slipped in between.
    """
    if frame.height == 0:
        return
    update = [c for c in update if c not in target.key]
    if is_postgres():
        columns, rows = _database_rows(target, frame, batch_id)
        _upsert_postgres(target, columns, rows, update, progress)
    elif "~change" in frame.columns:
        _insert_sqlite(target, frame.filter(pl.col("~change") == "created"), batch_id, progress)
        _update_sqlite(target, frame.filter(pl.col("~change") == "updated"), update, batch_id)
    else:
        columns, rows = _database_rows(target, frame, batch_id)
        _upsert_sqlite(target, columns, rows, update, progress)


def _database_rows(target: Target, frame: pl.DataFrame, batch_id: int | None) -> tuple[list[str], pl.DataFrame]:
    now = timezone.now()
    stamp = now.isoformat() if is_postgres() else connection.ops.adapt_datetimefield_value(now)
    exprs = [_to_database(c, kind) for c, kind in target.columns.items()]
    exprs += [pl.lit(stamp, pl.String).alias(s) for s in target.stamps]
    if target.batch_column:
        exprs.append(pl.lit(batch_id, pl.Int64).alias(target.batch_column))
    out = frame.select(exprs)
    return out.columns, out


def _to_database(column: str, kind: str) -> pl.Expr:
    if kind == MONEY:
        return fen_to_text(pl.col(column)).alias(column)
    if kind == RATE:
        return pl.concat_str([(pl.col(column) // RATE_UNITS).cast(pl.String), pl.lit("."),
                              (pl.col(column) % RATE_UNITS).cast(pl.String).str.zfill(8)]).alias(column)
    if kind == DATE:
        return pl.col(column).dt.to_string("%Y-%m-%d").alias(column)
    if kind == BOOL and not is_postgres():
        return pl.col(column).cast(pl.Int8).alias(column)
    return pl.col(column)


def _set_clause(target: Target, update: list[str]) -> tuple[list[str], list[str]]:
    sets = [f"{c} = excluded.{c}" for c in update]
    sets += [f"{s} = excluded.{s}" for s in target.stamps if s == "updated_at"]
    if target.batch_column:
        sets.append(f"{target.batch_column} = excluded.{target.batch_column}")
    return sets, update


def _upsert_sqlite(target: Target, columns: list[str], rows: pl.DataFrame, update: list[str],
                   progress) -> None:
    sql = _insert_sql(target, columns)
    sets, compared = _set_clause(target, update)
    conflict = f" ON CONFLICT ({', '.join(target.key)}) DO "
    if sets and compared:
        changed = " OR ".join(f"{target.table}.{c} IS NOT excluded.{c}" for c in compared)
        sql += conflict + f"UPDATE SET {', '.join(sets)} WHERE {changed}"  # noqa: S608 - table and column names come from our import targets, never from the file; values are parameters or COPY data  # nosec B608
    else:
        sql += conflict + "NOTHING"
    _execute_chunks(sql, rows.sort(list(target.key)), progress)


def _insert_sql(target: Target, columns: list[str]) -> str:
    return f"INSERT INTO {target.table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608 - table and column names come from our import targets, never from the file; values are parameters or COPY data  # nosec B608


def _insert_sqlite(target: Target, frame: pl.DataFrame, batch_id, progress) -> None:
    if frame.height:
        columns, rows = _database_rows(target, frame, batch_id)
        _execute_chunks(_insert_sql(target, columns), rows.sort(list(target.key)), progress)


def _update_sqlite(target: Target, frame: pl.DataFrame, update: list[str], batch_id) -> None:
    if not frame.height or not update:
        return
    columns, rows = _database_rows(target, frame, batch_id)
    sets, _compared = _set_clause(target, update)
    assigned = [s.split(" = ")[0] for s in sets]
    sql = (f"UPDATE {target.table} SET {', '.join(f'{c} = ?' for c in assigned)} "  # noqa: S608 - table and column names come from our import targets, never from the file; values are parameters or COPY data  # nosec B608
           f"WHERE {' AND '.join(f'{k} = ?' for k in target.key)}")
    _execute_chunks(sql, rows.select(*assigned, *target.key), None)


def _execute_chunks(sql: str, rows: pl.DataFrame, progress) -> None:
    """executemany on the sqlite3 cursor itself, in chunks so progress can be shown."""
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        raw = cursor.cursor
        for start in range(0, rows.height, CHUNK):
            raw.executemany(sql, rows.slice(start, CHUNK).iter_rows())
            if progress:
                progress(min(start + CHUNK, rows.height), rows.height)


def _upsert_postgres(target: Target, columns: list[str], rows: pl.DataFrame, update: list[str],
                     progress) -> None:
    stage = f"fk_stage_{target.table}"
    names = ", ".join(columns)
    sets, compared = _set_clause(target, update)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute(f"DROP TABLE IF EXISTS {stage}")
        raw.execute(f"CREATE TEMP TABLE {stage} AS SELECT {names} FROM {target.table} WITH NO DATA")  # noqa: S608 - table and column names come from our import targets, never from the file; values are parameters or COPY data  # nosec B608
        copy_rows(raw, stage, columns, rows, progress)
        sql = f"INSERT INTO {target.table} ({names}) SELECT {names} FROM {stage} ON CONFLICT ({', '.join(target.key)}) DO "  # noqa: S608 - table and column names come from our import targets, never from the file; values are parameters or COPY data  # nosec B608
        if sets and compared:
            old = ", ".join(f"{target.table}.{c}" for c in compared)
            new = ", ".join(f"excluded.{c}" for c in compared)
            sql += f"UPDATE SET {', '.join(sets)} WHERE ({old}, NULL) IS DISTINCT FROM ({new}, NULL)"  # noqa: S608 - table and column names come from our import targets, never from the file; values are parameters or COPY data  # nosec B608
        else:
            sql += "NOTHING"
        raw.execute(sql)
        raw.execute(f"DROP TABLE {stage}")


def copy_rows(raw_cursor, table: str, columns: list[str], rows: pl.DataFrame, progress=None) -> None:
    """COPY a frame into a table as CSV (NULL written as \\N, so empty text stays empty text)."""
    with raw_cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy:
        for start in range(0, rows.height, CHUNK * 4):
            chunk = rows.slice(start, CHUNK * 4)
            copy.write(chunk.write_csv(include_header=False, null_value="\\N").encode())
            if progress:
                progress(min(start + CHUNK * 4, rows.height), rows.height)


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Plain INSERT of many new rows: COPY on PostgreSQL, executemany on SQLite (a few µs a row, where
    building ORM objects for bulk_create costs ten times that). JSON values come as text; dates and
    Decimals are written the way Django stores them."""
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if is_postgres():
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" for _column in columns)
        cursor.cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 - table and column names come from our import targets, never from the file; values are parameters or COPY data  # nosec B608
                                  (tuple(_sqlite_value(v) for v in row) for row in rows))


def _sqlite_value(value):
    if isinstance(value, date):  # datetime is a date too: Django's SQLite format is ISO with a space
        return value.isoformat(" ") if isinstance(value, datetime) else value.isoformat()
    return str(value) if isinstance(value, Decimal) else value
