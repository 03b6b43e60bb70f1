"""`fengkong model …`: train a scorecard and a LightGBM challenger on any table, and score a file with them.

Thin verbs over fengkong.engine.modelling; no database, so Django is never set up here. Bad input (a
missing column, a target that is not binary, an unreadable file) is a one-line message and exit code 2.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from fengkong.engine.modelling.exceptions import ModellingError

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def model() -> None:
    """Credit models on tabular data: WOE scorecard and LightGBM challenger (see docs/models.md)."""


def _fail(message: str, code: int = 2):
    from fengkong.cli import console

    console.print(f"[red]Error[/red]: {message}", highlight=False, markup=True)
    sys.exit(code)


@model.command("train")
@click.option("--data", "data_file", required=True, type=FILE, help="CSV (UTF-8 or GBK), XLSX or Parquet file.")
@click.option("--target", required=True, help="The column holding the outcome (two values, e.g. 0/1).")
@click.option("--model", "kind", type=click.Choice(["scorecard", "gbm", "both"]), default="both",
              show_default=True)
@click.option("--time-column", default=None, help="Split by time on this column: the latest 25% is the test set.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Model directory to write (default: model-<file name>).")
@click.option("--positive", default=None, help="The target value that is the event (bad); needed unless 0/1, "
              "bad/good, yes/no.")
@click.option("--seed", default=42, show_default=True, type=int)
@click.option("--base-score", default=600.0, show_default=True, type=float, help="Points at the base odds.")
@click.option("--base-odds", default=50.0, show_default=True, type=float, help="Good:bad odds at the base score.")
@click.option("--pdo", default=20.0, show_default=True, type=float, help="Points to double the odds.")
@click.option("--min-iv", default=0.02, show_default=True, type=float,
              help="Features with a lower information value stay out of the scorecard.")
@click.option("--exclude", multiple=True, help="A column never to use as a feature (repeatable).")
def train_cmd(data_file: Path, target: str, kind: str, time_column: str | None, out_dir: Path | None,
              positive: str | None, seed: int, base_score: float, base_odds: float, pdo: float, min_iv: float,
              exclude: tuple[str, ...]) -> None:
    """Train, validate on a held-out split and write the model directory with its JSON and HTML report."""
    from fengkong.cli import Stages, console, progress_bar
    from fengkong.engine.modelling import data, model_dir
    from fengkong.engine.modelling.train import TrainConfig, train_models

    out_dir = out_dir or Path(f"model-{data_file.stem}")
    started = time.perf_counter()
    try:
        config = TrainConfig(model=kind, time_column=time_column, positive=positive, seed=seed, min_iv=min_iv,
                             base_score=base_score, base_odds=base_odds, pdo=pdo, exclude=exclude)
        with progress_bar() as bar:
            stages = Stages(bar)
            stages("reading", 0, 1)
            frame = data.read_table(data_file)
            stages("reading", 1, 1)
            trained = train_models(frame, target, config, fingerprint=data.file_fingerprint(data_file),
                                   source=data_file.name, progress=stages)
            model_dir.save(trained, out_dir)
    except ModellingError as exc:
        _fail(str(exc))
    except Exception as exc:  # a bug or a library failure: still one line, but exit 1, not 2
        _fail(f"training failed: {type(exc).__name__}: {exc}", code=1)
    report = trained.report
    for name, block in report["models"].items():
        test = block["test"]
        console.print(f"{name:9} test AUC {test['auc']:.4f}  KS {test['ks']:.4f}  Gini {test['gini']:.4f}  "
                      f"Brier {test['brier']:.4f}  score PSI {block['psi_score']:.4f}", highlight=False)
    dropped = report["data"]["dropped"]
    if dropped:
        console.print("Not used: " + "; ".join(f"{c} ({w})" for c, w in dropped.items()), highlight=False)
    console.print(f"Trained {', '.join(report['models'])} on {report['split']['train_rows']:,} rows, tested on "
                  f"{report['split']['test_rows']:,} ({report['split']['description']}) in "
                  f"{time.perf_counter() - started:.1f} s; model and report in {out_dir}/", highlight=False)


@model.command("predict")
@click.option("--model", "model_path", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A model directory written by `fengkong model train`.")
@click.option("--data", "data_file", required=True, type=FILE, help="CSV, XLSX or Parquet file to score.")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CSV to write (UTF-8 with BOM, opens in Excel); default: print the first rows.")
@click.option("--no-reasons", is_flag=True, help="Skip the reason codes (faster on millions of rows).")
def predict_cmd(model_path: Path, data_file: Path, out_file: Path | None, no_reasons: bool) -> None:
    """Score a file: probability of the event, score in points and the top reasons per row."""
    from fengkong.cli import console
    from fengkong.engine.modelling import data, model_dir

    started = time.perf_counter()
    try:
        loaded = model_dir.load(model_path)
        scored = model_dir.predict(loaded, data.read_table(data_file), reasons=not no_reasons)
    except ModellingError as exc:
        _fail(str(exc))
    except Exception as exc:  # a bug or a library failure: still one line, but exit 1, not 2
        _fail(f"scoring failed: {type(exc).__name__}: {exc}", code=1)
    if out_file is None:
        click.echo(scored.head(20))
    else:
        scored.write_csv(out_file, include_bom=True)
    where = f" to {out_file}" if out_file else ""
    console.print(f"Scored {scored.height:,} rows with {', '.join(loaded.metadata['models'])}{where} in "
                  f"{time.perf_counter() - started:.1f} s.", highlight=False)


def _months(text: str) -> int:
    """'3m' is 3 months, '1y' 12; a bare number is months."""
    value = text.strip().lower()
    unit = 12 if value.endswith("y") else 1
    number = value.rstrip("my")
    if not number.isdigit() or int(number) < 1:
        raise click.BadParameter(f"{text!r} is not a period such as 3m or 1y", param_hint="--every")
    return int(number) * unit


@model.command("dataset")
@click.option("--as-of", "as_of", multiple=True, type=click.DateTime(["%Y-%m-%d"]),
              help="An observation date (repeatable).")
@click.option("--every", default=None, help="Observation dates every period from --from to --to, e.g. 3m or 1y.")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), default=None, help="First observation date.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Last observation date (default: the ledger's last date).")
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Parquet or CSV file to write (by its suffix).")
def dataset_cmd(as_of: tuple, every: str | None, start, end, out_file: Path) -> None:
    """Build the training table from the ledger: point-in-time features per customer and observation date,
    and `bad` (danger zone or write-off within the next 12 months)."""
    from fengkong.cli import Stages, console, progress_bar, setup_django

    if out_file.suffix.lower() not in (".parquet", ".csv"):
        _fail("--out must end in .parquet or .csv")
    if bool(as_of) == bool(every):
        _fail("Give either --as-of dates or --every with --from (and optionally --to).")
    if every and start is None:
        _fail("--every needs --from, the first observation date.")
    setup_django()
    from fengkong.engine.modelling.ledger import observation_dates
    from fengkong.scoring.dataset import build_dataset, last_date

    started = time.perf_counter()
    if every:
        last = end.date() if end else last_date()
        if last is None:
            _fail("The ledger has no invoices, receipts or credit notes.")
        dates = observation_dates(start.date(), last, _months(every))
    else:
        dates = [d.date() for d in as_of]
    with progress_bar() as bar:
        built = build_dataset(dates, progress=Stages(bar))
    if built.frame.height == 0:
        _fail("No training rows: " + built.summary())
    out_file.parent.mkdir(parents=True, exist_ok=True)
    if out_file.suffix.lower() == ".csv":
        built.frame.write_csv(out_file, include_bom=True)
    else:
        built.frame.write_parquet(out_file)
    console.print(f"Wrote {out_file}: {built.summary()}; in {time.perf_counter() - started:.1f} s.",
                  highlight=False)
