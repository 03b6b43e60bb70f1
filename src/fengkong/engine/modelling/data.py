"""Preparing a table for modelling: cleaning its text cells, inferring its column types, validating the
target, splitting it.

Design decisions:
- Pure functions of frames: the file is read on the Django side (`fengkong.scoring.storage.read_data`,
  which decodes CSV and XLSX with the ERP importer's `fengkong.integrations.sources`).
- Text is read as strings and typed here: a column whose every value parses as a number is numeric,
  as a date is a date, otherwise it is categorical. Dates are not features; one may be the time column.
- ID-like columns (text with a different value on every row, or on every row of each time value when
  there are many rows per time value, or whole numbers that count the rows) and constant columns carry no information about the target: they are dropped and reported, not modelled.
- Dates: ISO and Y/M/D (with "-", "/" or "."), 2024年3月5日, and day-month-year or month-day-year with
  "/", "-" or ".". A column that reads only one way round (a day above 12 somewhere) is read that way; one
  that reads both ways (every day 12 or less) is ambiguous and needs the date format stated
  (`date_format`, the CLI's --date-format: a strftime pattern, or "dayfirst"/"monthfirst"). A time column
  that does not read is refused with the accepted formats and the first offending values with their rows.
- ID-like columns also include codes that are nearly unique (90 % or more distinct) and made of a
  prefix and a number (INV-00123), and whole numbers that are nearly unique and rise with the rows or with
  the time column (invoice numbers): `include` forces such a column in when the user means it.
- The time-based split puts the latest quarter of the rows (by the time column) in the test set, and
  every row sharing a time value on the same side, so the test period starts after training ends; when
  that test period has only one class, the boundary moves earlier (up to half the rows) until it has
  both, and the split is refused, saying so, when no boundary gives both classes on each side.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from .exceptions import DataError, TargetError

NUMERIC, CATEGORICAL, DATE = "numeric", "categorical", "date"
NULL_TEXT = ["", "NA", "N/A", "n/a", "NULL", "null", "NaN", "nan", "None"]
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S", "%Y%m%d", "%Y年%m月%d日"]
MONTH_FIRST = ["%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y"]
DAY_FIRST = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
DATE_HINTS = {"monthfirst": MONTH_FIRST, "dayfirst": DAY_FIRST}
ACCEPTED_DATES = ("2024-03-05, 2024/03/05, 2024.03.05, 20240305, 2024年3月5日 (with or without a time), "
                  "and 03/05/2024 or 5/3/2024 with /, - or . (month first or day first; when every day is "
                  "12 or less, say which with --date-format monthfirst, dayfirst or a pattern such as %d/%m/%Y)")
MAX_SHOWN = 5
NEARLY_UNIQUE = 0.9  # a share of distinct values from which a code or whole number is an identifier
MONOTONE_SHARE = 0.95  # steps in one direction (or rank correlation with time) that make numbers a sequence
CODE_PATTERN = r"^[A-Za-z#_/-]*[-_/#]?\d{3,}$"
POSITIVE_WORDS = ("1", "bad", "yes", "y", "true", "default", "defaulted", "overdue", "坏", "是", "违约", "逾期")
MIN_ROWS = 50
MIN_PER_CLASS = 10
TEST_SHARE = 0.25
MAX_TEST_SHARE = 0.5  # how far the time split's boundary may move back


# --- text cells ---------------------------------------------------------------------------------------

def clean_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells trimmed, the words for "no value" (NULL_TEXT: "", NA, NULL, nan …) as missing, and rows
    with nothing in them dropped: a table read from a file (all text) made ready for `infer_schema`."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    frame = frame.with_columns(pl.col(c).str.strip_chars().replace(NULL_TEXT, None) for c in text)
    return frame.filter(~pl.all_horizontal(pl.all().is_null())) if frame.width else frame


# --- column types -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Schema:
    """The modelling role of every column: features by type, the target, the time column, the dropped."""

    target: str
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    dates: tuple[str, ...]
    time_column: str | None = None
    dropped: dict[str, str] = field(default_factory=dict)  # column -> why it is not a feature

    @property
    def features(self) -> list[str]:
        return [*self.numeric, *self.categorical]

    def types(self) -> dict[str, str]:
        return {**{c: NUMERIC for c in self.numeric}, **{c: CATEGORICAL for c in self.categorical},
                **{c: DATE for c in self.dates}}


def infer_schema(frame: pl.DataFrame, target: str, time_column: str | None = None,
                 exclude: tuple[str, ...] = (), include: tuple[str, ...] = (),
                 date_format: str | None = None) -> Schema:
    """Type every column but the target; drop ID-like and constant columns, saying why (an ID-like
    column named in `include` stays a feature: the user says it means something)."""
    require_columns(frame, list(include))
    require_columns(frame, [target] + ([time_column] if time_column else []))
    numeric, categorical, dates, dropped = [], [], [], {}
    for name in frame.columns:
        if name == target or name in exclude:
            continue
        kind = column_kind(frame[name])
        if kind == DATE or name == time_column:
            dates.append(name)
            if name != time_column:
                dropped[name] = "date column (not a feature; use it as --time-column to split by time)"
            continue
        why = (_uninformative(frame[name], kind) or _panel_key(frame, name, kind, time_column)
               or _rises_with_time(frame, name, kind, time_column, date_format))
        if why and not (name in include and why.startswith("ID-like")):
            dropped[name] = why
        else:
            (numeric if kind == NUMERIC else categorical).append(name)
    if not numeric and not categorical:
        raise DataError(f"No usable feature column besides the target {target!r}: "
                        + "; ".join(f"{c}: {w}" for c, w in dropped.items()))
    return Schema(target, tuple(numeric), tuple(categorical), tuple(dates), time_column, dropped)


def require_columns(frame: pl.DataFrame, columns: list[str]) -> None:
    for name in columns:
        if name not in frame.columns:
            shown = ", ".join(frame.columns[:30]) + (" …" if frame.width > 30 else "")
            raise DataError(f"Column {name!r} is not in the data; its columns are: {shown}")


def column_kind(series: pl.Series) -> str:
    dtype = series.dtype
    if dtype.is_numeric():
        return NUMERIC
    if dtype in (pl.Date, pl.Datetime) or isinstance(dtype, pl.Datetime):
        return DATE
    if dtype != pl.String:
        return CATEGORICAL
    values = series.drop_nulls()
    if values.len() == 0:
        return CATEGORICAL
    if values.cast(pl.Float64, strict=False).null_count() == 0:
        return NUMERIC
    if _parse_with(values, DATE_FORMATS + MONTH_FIRST + DAY_FIRST).null_count() == 0:
        return DATE
    return CATEGORICAL


def _parse_with(values: pl.Series, formats: list[str]) -> pl.Series:
    """The first format that reads each value (years 1900–2199 only: "3/5/24" is not the year 24)."""
    parsed = [values.str.to_datetime(fmt, strict=False) for fmt in formats]
    read = pl.select(pl.coalesce(parsed) if len(parsed) > 1 else parsed[0]).to_series()
    return pl.select(pl.when(read.dt.year().is_between(1900, 2199)).then(read)).to_series().alias(values.name)


def parse_dates(series: pl.Series, date_format: str | None = None, rows: np.ndarray | None = None) -> pl.Series:
    """The dates of a text column as Datetime, read as `date_format` says (a strftime pattern, "dayfirst" or
    "monthfirst") or, without one, by the unambiguous formats and whichever of month-first and day-first
    reads every value; a DataError names the formats accepted and the first values that do not read, with
    their rows (`rows`: the file's row number of each value, default header row 1 and then one a value)."""
    rows = np.arange(2, series.len() + 2) if rows is None else rows
    values = series.str.strip_chars()
    if date_format:
        formats = DATE_HINTS.get(date_format.lower())
        parsed = _parse_with(values, DATE_FORMATS + formats if formats else [date_format])
        return _all_read(series, parsed, date_format, rows)
    plain = _parse_with(values, DATE_FORMATS)
    missing = plain.is_null() & values.is_not_null()
    if not missing.any():
        return plain
    rest = values.filter(missing)
    month_first, day_first = (_parse_with(rest, f).null_count() == 0 for f in (MONTH_FIRST, DAY_FIRST))
    if month_first and day_first:
        shown = ", ".join(repr(v) for v in rest.unique(maintain_order=True).head(MAX_SHOWN).to_list())
        raise DataError(f"The dates of column {series.name!r} read both as month/day/year and as day/month/year "
                        f"(every day is 12 or less, e.g. {shown}): say which with --date-format monthfirst "
                        "or --date-format dayfirst (or a pattern such as %d/%m/%Y).")
    chosen = MONTH_FIRST if month_first else DAY_FIRST if day_first else []
    parsed = pl.select(pl.coalesce([plain, _parse_with(values, chosen)]) if chosen else plain).to_series()
    return _all_read(series, parsed.alias(series.name), None, rows)


def _all_read(series: pl.Series, parsed: pl.Series, date_format: str | None, rows: np.ndarray) -> pl.Series:
    bad = np.flatnonzero((parsed.is_null() & series.is_not_null()).to_numpy())
    empty = int(series.null_count())
    if not len(bad) and not empty:
        return parsed
    how = f"with --date-format {date_format}" if date_format else f"in the formats accepted: {ACCEPTED_DATES}"
    if len(bad):
        shown = "; ".join(f"row {rows[i]}: {series[int(i)]!r}" for i in bad[:MAX_SHOWN])
        more = f" and {len(bad) - MAX_SHOWN} more" if len(bad) > MAX_SHOWN else ""
        empties = f", and {empty} empty" if empty else ""
        raise DataError(f"The time column {series.name!r} has {len(bad)} value(s) that are not dates "
                        f"{how}{empties} ({shown}{more}).")
    where = "; ".join(f"row {rows[i]}" for i in np.flatnonzero(series.is_null().to_numpy())[:MAX_SHOWN])
    raise DataError(f"The time column {series.name!r} has {empty} empty value(s) ({where}"
                    f"{' …' if empty > MAX_SHOWN else ''}): every row needs its date to split by time.")


def _uninformative(series: pl.Series, kind: str) -> str | None:
    values = series.drop_nulls()
    distinct = values.n_unique()
    if distinct <= 1:
        return "constant (one value)" if distinct else "empty (no values)"
    if series.len() < 20:
        return None
    if distinct == series.len() and kind == CATEGORICAL:
        return "ID-like (a different text value on every row)"
    if distinct < NEARLY_UNIQUE * values.len():
        return None
    if kind == CATEGORICAL:
        if values.str.contains(CODE_PATTERN).all():
            return f"ID-like (codes such as {values[0]!r}, {distinct / values.len():.0%} of them distinct)"
        return None
    numbers = values.cast(pl.Float64)
    if not bool((numbers.round(0) == numbers).all()):
        return None
    steps = numbers.diff().drop_nulls()
    if distinct == series.len() and (steps > 0).all():
        return "ID-like (whole numbers increasing row by row)"
    if (steps >= 0).mean() >= MONOTONE_SHARE or (steps <= 0).mean() >= MONOTONE_SHARE:
        return (f"ID-like (whole numbers, {distinct / values.len():.0%} distinct, "
                "rising or falling with the rows like invoice numbers)")
    return None


def _rises_with_time(frame: pl.DataFrame, name: str, kind: str, time_column: str | None,
                     date_format: str | None) -> str | None:
    """Nearly unique whole numbers that follow the time column (invoice numbers in a file sorted otherwise)."""
    if kind != NUMERIC or time_column is None or frame.height < 20:
        return None
    numbers = frame[name].cast(pl.Float64, strict=False)
    if numbers.drop_nulls().n_unique() < NEARLY_UNIQUE * numbers.drop_nulls().len():
        return None
    if not bool((numbers.drop_nulls().round(0) == numbers.drop_nulls()).all()):
        return None
    try:
        times = time_values(frame[time_column], date_format)
    except DataError:
        return None
    pair = pl.DataFrame({"t": times.cast(pl.Float64) if times.dtype != pl.Float64 else times, "n": numbers})
    rho = pair.drop_nulls().select(pl.corr("t", "n", method="spearman")).item()
    if rho is not None and abs(rho) >= MONOTONE_SHARE:
        return f"ID-like (whole numbers, nearly unique, following {time_column} like invoice numbers)"
    return None


def _panel_key(frame: pl.DataFrame, name: str, kind: str, time_column: str | None) -> str | None:
    """A text column that never repeats within one time value identifies the row's entity (a customer
    code in a table of customers observed at several dates): an ID, not a category."""
    if kind != CATEGORICAL or time_column is None:
        return None
    pairs = frame.select(time_column, name).drop_nulls()
    periods = pairs[time_column].n_unique()
    if periods < 2 or pairs.height < 20 * periods or pairs.is_duplicated().any():  # 20+ rows a period
        return None
    return f"ID-like (a different text value on every row of each {time_column})"


def prepare(frame: pl.DataFrame, schema: Schema, date_format: str | None = None,
            rows: np.ndarray | None = None) -> pl.DataFrame:
    """The features cast to their types (numeric Float64, categorical String), time column as Datetime
    (read as `date_format` says; `rows`: the file's row number of each row, for the error)."""
    exprs = [pl.col(c).cast(pl.Float64, strict=False) for c in schema.numeric]
    exprs += [pl.col(c).cast(pl.String) for c in schema.categorical]
    if schema.time_column:
        exprs.append(time_values(frame[schema.time_column], date_format, rows).alias(schema.time_column))
    return frame.select(exprs)


def time_values(series: pl.Series, date_format: str | None = None, rows: np.ndarray | None = None) -> pl.Series:
    if series.dtype == pl.String:
        if column_kind(series) == NUMERIC and not date_format:
            return series.cast(pl.Float64)
        return parse_dates(series, date_format, rows)
    if series.dtype == pl.Date:
        return series.cast(pl.Datetime)
    return series


# --- the target -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    column: str
    positive: str  # the value that counts as the event (bad, default), as text
    negative: str
    positives: int
    negatives: int
    dropped_missing: int  # rows without a target value, left out of training


def validate_target(frame: pl.DataFrame, target: str, positive: str | None = None) -> tuple[np.ndarray, Target]:
    """(y as 0/1 int8 with null rows removed → mask via `target_mask`, the Target description)."""
    require_columns(frame, [target])
    column = frame[target]
    missing = column.null_count()
    text = column.drop_nulls().cast(pl.String)
    text = pl.Series([_canonical(v) for v in text.to_list()], dtype=pl.String) if text.len() else text
    counts = dict(text.value_counts().iter_rows()) if text.len() else {}
    found = ", ".join(f"{v!r} ({n})" for v, n in sorted(counts.items(), key=lambda kv: -kv[1])[:10])
    if not counts:
        raise TargetError(f"The target column {target!r} has no values.")
    if len(counts) > 2:
        raise TargetError(f"The target column {target!r} is not binary: it has {len(counts)} distinct values "
                          f"({found}{' …' if len(counts) > 10 else ''}). It must have exactly two, e.g. 0/1.")
    if len(counts) == 1:
        raise TargetError(f"The target column {target!r} has one class only ({found}); "
                          "a model needs both outcomes.")
    pos = _positive_class(list(counts), positive, target)
    neg = next(v for v in counts if v != pos)
    if counts[pos] + counts[neg] < MIN_ROWS or min(counts.values()) < MIN_PER_CLASS:
        raise TargetError(f"Too few rows to train on: the target column {target!r} has {found}; at least "
                          f"{MIN_ROWS} rows with {MIN_PER_CLASS} of each class are needed.")
    y = (text == pos).cast(pl.Int8).to_numpy()
    return y, Target(target, pos, neg, counts[pos], counts[neg], missing)


def _canonical(value: str) -> str:
    """'1.0' and '1' are the same class (Excel writes numbers as floats)."""
    try:
        number = float(value)
    except ValueError:
        return value
    return str(int(number)) if number.is_integer() else value


def _positive_class(values: list[str], positive: str | None, target: str) -> str:
    if positive is not None:
        stated = _canonical(str(positive))
        if stated not in values:
            raise TargetError(f"The positive class {positive!r} is not a value of the target column "
                              f"{target!r}; its values are {sorted(values)!r}.")
        return stated
    for word in POSITIVE_WORDS:
        for value in values:
            if value.lower() == word:
                return value
    raise TargetError(f"The target column {target!r} has the values {sorted(values)!r}; say which one is the "
                      "event (the bad outcome) with --positive.")


def target_mask(frame: pl.DataFrame, target: str) -> np.ndarray:
    return frame[target].is_not_null().to_numpy()


# --- the split --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Split:
    train: np.ndarray  # row indices
    test: np.ndarray
    kind: str  # "time" or "stratified"
    description: str


def split_rows(y: np.ndarray, *, times: pl.Series | None = None, seed: int = 42,
               test_share: float = TEST_SHARE, event: str = "events") -> Split:
    """Hold out a test set: the latest rows by time when `times` is given (moved earlier until the test set
    has both classes), else a stratified random share. `event` names the positive class in a refusal."""
    if times is None:
        from sklearn.model_selection import train_test_split

        train, test = train_test_split(np.arange(len(y)), test_size=test_share, stratify=y, random_state=seed)
        split = Split(np.sort(train), np.sort(test), "stratified",
                      f"stratified random {1 - test_share:.0%}/{test_share:.0%} (seed {seed})")
    else:
        split = _time_split(times, y, test_share, event)
    for part, rows in (("training", split.train), ("test", split.test)):
        classes = np.unique(y[rows])
        if len(rows) == 0 or len(classes) < 2:
            raise DataError(f"The {part} set of the {split.kind} split ({split.description}) has "
                            f"{len(rows)} rows and not both classes; it cannot be used.")
    return split


def _time_split(times: pl.Series, y: np.ndarray, test_share: float, event: str = "events") -> Split:
    name = times.name
    if times.null_count():
        raise DataError(f"The time column {name!r} has {times.null_count()} empty values: every row needs its "
                        "time to split by time.")
    order = times.to_numpy()
    ranked = np.sort(order)
    cutoff = ranked[min(int(len(ranked) * (1 - test_share)), len(ranked) - 1)]
    first = cutoff
    if len(np.unique(y[order >= cutoff])) < 2:
        # the latest period has one class only: move the boundary back, a time value at a time, until the
        # test set has both classes; never more than half the rows, and training keeps both classes
        for earlier in np.unique(order[order < cutoff])[::-1]:
            test = order >= earlier
            if test.sum() > len(order) * MAX_TEST_SHARE or len(np.unique(y[~test])) < 2:
                break
            if len(np.unique(y[test])) == 2:
                cutoff = earlier
                break
    test = np.flatnonzero(order >= cutoff)
    train = np.flatnonzero(order < cutoff)
    if len(train) == 0:
        raise DataError(f"The time column {name!r} has one value only ({_show(cutoff)}); it cannot split by time.")
    held = y[test]
    if len(np.unique(held)) < 2:
        present = int(held.sum())
        which = f"no {event}" if present == 0 else f"only {event}"
        raise DataError(
            f"The hold-out (rows from {_show(first)} on {name}) has {which}: {present} of its {len(held):,} rows "
            f"are {event}, and moving its start earlier (up to half the rows) finds no period with both outcomes. "
            "Use a longer history, a larger test share, or leave out --time-column for a stratified random split.")
    last_train = ranked[len(train) - 1]
    moved = f" (moved back from {_show(first)} so that the test set has both outcomes)" if cutoff != first else ""
    return Split(train, test, "time",
                 f"by {name}: train up to {_show(last_train)}, test from {_show(cutoff)}{moved}")


def _show(value) -> str:
    if isinstance(value, np.datetime64):
        text = str(value.astype("datetime64[s]"))
        return text[:10] if text.endswith("T00:00:00") else text.replace("T", " ")
    return f"{value:g}" if isinstance(value, float | np.floating) else str(value)


# --- summary ----------------------------------------------------------------------------------------

def summarise(frame: pl.DataFrame, schema: Schema, target: Target) -> dict:
    columns = []
    types = schema.types()
    for name in frame.columns:
        series = frame[name]
        role = ("target" if name == target.column else "time" if name == schema.time_column
                else "dropped" if name in schema.dropped else "feature")
        columns.append({"name": name, "type": types.get(name, "target" if role == "target" else "other"),
                        "role": role, "missing_share": round(series.null_count() / max(series.len(), 1), 6),
                        "distinct": series.n_unique(), "note": schema.dropped.get(name, "")})
    return {"rows": frame.height, "columns": frame.width, "features": len(schema.features),
            "numeric": list(schema.numeric), "categorical": list(schema.categorical),
            "dropped": dict(schema.dropped), "target": {
                "column": target.column, "positive": target.positive, "negative": target.negative,
                "positives": target.positives, "negatives": target.negatives,
                "event_rate": round(target.positives / (target.positives + target.negatives), 6),
                "rows_without_target": target.dropped_missing},
            "column_details": columns}
