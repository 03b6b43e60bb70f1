"""Preparing a table for modelling: cleaning its text cells, inferring its column types, validating the
target, splitting it.

Design decisions:
- Pure functions of frames: the file is read on the Django side (`fengkong.scoring.storage.read_data`,
  which decodes CSV and XLSX with the ERP importer's `fengkong.integrations.sources`).
- Text is read as strings and typed here: a column whose every value parses as a number is numeric,
  as a date is a date, otherwise it is categorical. Dates are not features; one may be the time column.
- ID-like columns (text with a different value on every row, or on every row of each time value when
  there are many rows per time value, or whole numbers that count the rows) and constant columns carry no information about the target: they are dropped and reported, not modelled.
- The time-based split puts the latest quarter of the rows (by the time column) in the test set, and
  every row sharing a time value on the same side, so the test period starts after training ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from .exceptions import DataError, TargetError

NUMERIC, CATEGORICAL, DATE = "numeric", "categorical", "date"
NULL_TEXT = ["", "NA", "N/A", "n/a", "NULL", "null", "NaN", "nan", "None"]
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S"]
POSITIVE_WORDS = ("1", "bad", "yes", "y", "true", "default", "defaulted", "overdue", "坏", "是", "违约", "逾期")
MIN_ROWS = 50
MIN_PER_CLASS = 10
TEST_SHARE = 0.25


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
                 exclude: tuple[str, ...] = ()) -> Schema:
    """Type every column but the target; drop ID-like and constant columns, saying why."""
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
        why = _uninformative(frame[name], kind) or _panel_key(frame, name, kind, time_column)
        if why:
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
    if _parse_dates(values).null_count() == 0:
        return DATE
    return CATEGORICAL


def _parse_dates(values: pl.Series) -> pl.Series:
    parsed = [values.str.to_datetime(fmt, strict=False) for fmt in DATE_FORMATS]
    return pl.select(pl.coalesce(parsed)).to_series()


def _uninformative(series: pl.Series, kind: str) -> str | None:
    values = series.drop_nulls()
    distinct = values.n_unique()
    if distinct <= 1:
        return "constant (one value)" if distinct else "empty (no values)"
    if series.len() < 20 or distinct < series.len():
        return None
    if kind == CATEGORICAL:
        return "ID-like (a different text value on every row)"
    numbers = values.cast(pl.Float64)
    whole = bool((numbers.round(0) == numbers).all())
    if whole and (numbers.diff().drop_nulls() > 0).all():
        return "ID-like (whole numbers increasing row by row)"
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


def prepare(frame: pl.DataFrame, schema: Schema) -> pl.DataFrame:
    """The features cast to their types (numeric Float64, categorical String), time column as Datetime."""
    exprs = [pl.col(c).cast(pl.Float64, strict=False) for c in schema.numeric]
    exprs += [pl.col(c).cast(pl.String) for c in schema.categorical]
    if schema.time_column:
        exprs.append(time_values(frame[schema.time_column]).alias(schema.time_column))
    return frame.select(exprs)


def time_values(series: pl.Series) -> pl.Series:
    if series.dtype == pl.String:
        if column_kind(series) == NUMERIC:
            return series.cast(pl.Float64)
        return _parse_dates(series)
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
               test_share: float = TEST_SHARE) -> Split:
    """Hold out a test set: the latest rows by time when `times` is given, else a stratified random share."""
    if times is None:
        from sklearn.model_selection import train_test_split

        train, test = train_test_split(np.arange(len(y)), test_size=test_share, stratify=y, random_state=seed)
        split = Split(np.sort(train), np.sort(test), "stratified",
                      f"stratified random {1 - test_share:.0%}/{test_share:.0%} (seed {seed})")
    else:
        split = _time_split(times, test_share)
    for part, rows in (("training", split.train), ("test", split.test)):
        classes = np.unique(y[rows])
        if len(rows) == 0 or len(classes) < 2:
            raise DataError(f"The {part} set of the {split.kind} split ({split.description}) has "
                            f"{len(rows)} rows and not both classes; it cannot be used.")
    return split


def _time_split(times: pl.Series, test_share: float) -> Split:
    name = times.name
    if times.null_count():
        raise DataError(f"The time column {name!r} has {times.null_count()} empty or unreadable values.")
    order = times.to_numpy()
    ranked = np.sort(order)
    cutoff = ranked[min(int(len(ranked) * (1 - test_share)), len(ranked) - 1)]
    test = np.flatnonzero(order >= cutoff)
    train = np.flatnonzero(order < cutoff)
    if len(train) == 0:
        raise DataError(f"The time column {name!r} has one value only ({cutoff}); it cannot split by time.")
    last_train = ranked[len(train) - 1]
    return Split(train, test, "time", f"by {name}: train up to {_show(last_train)}, test from {_show(cutoff)}")


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
