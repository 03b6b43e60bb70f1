"""`fengkong model …`: train a scorecard and a LightGBM challenger on any table, and score a file with them.

Thin verbs over fengkong.engine.modelling and fengkong.scoring.storage. `train`, `predict` need no database:
Django is set up for the importer's file decoder (fengkong.integrations.sources) and its translated
messages, and no query is made; the registry verbs (train-ledger, register, list, promote, approve, reject,
rollback, score-book) use the database. Bad input (a missing column, a target that is not binary, an
unreadable file, a model that does not fit its use, a step the user may not take) is a one-line message and
exit code 2. The CSVs they write are opened in Excel, so they go through core.spreadsheets (UTF-8 with a
BOM, text that starts like a formula escaped; numbers stay numbers).
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from fengkong.core.console import Stages, console, progress_bar, refuse, user_or_system
from fengkong.core.spreadsheets import write_frame_csv
from fengkong.engine.modelling import model_dir
from fengkong.engine.modelling.exceptions import ModellingError
from fengkong.engine.modelling.ledger import observation_dates
from fengkong.engine.modelling.train import TrainConfig, train_models

from . import actions, storage
from .book_scores import score_book
from .choices import PromotionStatus
from .dataset import build_dataset, last_date
from .exceptions import ScoringError
from .models import ModelVersion, PromotionRequest

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def model() -> None:
    """Credit models on tabular data: WOE scorecard and LightGBM challenger (see docs/models.md)."""


def _fail(message: str, code: int = 2):
    refuse(message, code)


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
@click.option("--include", multiple=True, help="An ID-like column to use as a feature all the same (repeatable).")
@click.option("--date-format", default=None, help="How the time column's dates read when month and day could be "
              "either way round: monthfirst (3/5/2024 is 5 March), dayfirst, or a pattern such as %d/%m/%Y.")
def train_cmd(data_file: Path, target: str, kind: str, time_column: str | None, out_dir: Path | None,
              positive: str | None, seed: int, base_score: float, base_odds: float, pdo: float, min_iv: float,
              exclude: tuple[str, ...], include: tuple[str, ...], date_format: str | None) -> None:
    """Train, validate on a held-out split and write the model directory with its JSON and HTML report."""
    out_dir = out_dir or Path(f"model-{data_file.stem}")
    started = time.perf_counter()
    try:
        config = TrainConfig(model=kind, time_column=time_column, positive=positive, seed=seed, min_iv=min_iv,
                             base_score=base_score, base_odds=base_odds, pdo=pdo, exclude=exclude,
                             include=include, date_format=date_format)
        with progress_bar() as bar:
            stages = Stages(bar)
            stages("reading", 0, 1)
            read = storage.read_data(data_file)
            stages("reading", 1, 1)
            trained = train_models(read.frame, target, config, created_at=timezone.now(), fingerprint=read.sha256,
                                   source=data_file.name, progress=stages)
            storage.save_model(trained, out_dir)
    except ModellingError as exc:
        _fail(str(exc))
    except Exception as exc:  # a bug or a library failure: still one line, but exit 1, not 2
        _fail(_("training failed: %(kind)s: %(why)s") % {"kind": type(exc).__name__, "why": exc}, code=1)
    report = trained.report
    for name, block in report["models"].items():
        test = block["test"]
        console.print(f"{name:9} " + _("test AUC %(auc).4f  KS %(ks).4f  Gini %(gini).4f  Brier %(brier).4f  "
                                       "score PSI %(psi).4f") % {**test, "psi": block["psi_score"]}, highlight=False)
    dropped = report["data"]["dropped"]
    if dropped:
        console.print(_("Not used: ") + "; ".join(f"{c} ({w})" for c, w in dropped.items()), highlight=False)
        if any(w.startswith("ID-like") for w in dropped.values()):
            console.print(_("An ID-like column that does mean something can be kept with --include COLUMN."),
                          highlight=False)
    console.print(_("Trained %(models)s on %(train)s rows, tested on %(test)s (%(split)s) in %(seconds).1f s; "
                    "model and report in %(dir)s/") % {
        "models": ", ".join(report["models"]), "train": f"{report['split']['train_rows']:,}",
        "test": f"{report['split']['test_rows']:,}", "split": report["split"]["description"],
        "seconds": time.perf_counter() - started, "dir": out_dir}, highlight=False)


@model.command("predict")
@click.option("--model", "model_path", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A model directory written by `fengkong model train`.")
@click.option("--data", "data_file", required=True, type=FILE, help="CSV, XLSX or Parquet file to score.")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CSV to write (UTF-8 with BOM, opens in Excel); default: print the first rows.")
@click.option("--no-reasons", is_flag=True, help="Skip the reason codes (faster on millions of rows).")
def predict_cmd(model_path: Path, data_file: Path, out_file: Path | None, no_reasons: bool) -> None:
    """Score a file: probability of the event, score in points and the top reasons per row."""
    started = time.perf_counter()
    try:
        loaded = storage.load_model(model_path)
        scored = model_dir.predict(loaded, storage.read_data(data_file).frame, reasons=not no_reasons)
    except ModellingError as exc:
        _fail(str(exc))
    except Exception as exc:  # a bug or a library failure: still one line, but exit 1, not 2
        _fail(_("scoring failed: %(kind)s: %(why)s") % {"kind": type(exc).__name__, "why": exc}, code=1)
    if out_file is None:
        click.echo(scored.head(20))
    else:
        write_frame_csv(scored, out_file)
    values = {"rows": f"{scored.height:,}", "models": ", ".join(loaded.metadata["models"]), "file": out_file,
              "seconds": time.perf_counter() - started}
    console.print((_("Scored %(rows)s rows with %(models)s to %(file)s in %(seconds).1f s.") if out_file else
                   _("Scored %(rows)s rows with %(models)s in %(seconds).1f s.")) % values, highlight=False)


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

    if out_file.suffix.lower() not in (".parquet", ".csv"):
        _fail("--out must end in .parquet or .csv")
    if bool(as_of) == bool(every):
        _fail("Give either --as-of dates or --every with --from (and optionally --to).")
    if every and start is None:
        _fail("--every needs --from, the first observation date.")

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
        write_frame_csv(built.frame, out_file)
    else:
        built.frame.write_parquet(out_file)
    console.print(f"Wrote {out_file}: {built.summary()}; in {time.perf_counter() - started:.1f} s.",
                  highlight=False)


# --- the registry: models trained on the ledger, their promotion and the book's scoring ---------------

USES = click.Choice(["customer_risk", "payment_delay"])
DAY = click.DateTime(["%Y-%m-%d"])


def _registry_call(call):
    """Run a registry action; a refusal (a rule, a conflict, the wrong role) is one line and exit 2."""
    try:
        return call()
    except ScoringError as exc:
        _fail(str(exc))
    except PermissionDenied as exc:
        _fail(f"your role does not allow this ({exc}).")


def _actor(username: str | None, *, needed: bool = False):
    if needed and not username:
        _fail("this step needs --user (a person decides, the system does not).")
    return user_or_system(username)


def _auc(model) -> str:
    """The test AUC of a registered model; a model registered before hold-outs were required to have both
    classes may have none, and says why."""
    auc = ((model.metrics or {}).get("test") or {}).get("auc")
    return f"AUC {auc:.4f}" if isinstance(auc, int | float) else "no AUC (its hold-out had one outcome only)"


def _versions(versions) -> str:
    return ", ".join(f"#{v.pk} {v.use} v{v.version} ({v.kind})" for v in versions)


@model.command("train-ledger")
@click.option("--use", required=True, type=USES)
@click.option("--as-of", "as_of", type=DAY, default=None, help="Train on the ledger as of this date "
              "(default: its last date).")
@click.option("--user", "username", default=None, help="Register the model as this user.")
def train_ledger_cmd(use: str, as_of, username: str | None) -> None:
    """Train a model on the ledger and register it as a challenger."""
    started = time.perf_counter()
    actor = _actor(username)
    with progress_bar() as bar:
        versions = _registry_call(lambda: actions.train_and_register(
            actor=actor, use=use, as_of=as_of.date() if as_of else None, progress=Stages(bar)))
    figures = "; ".join(f"{v.kind} test {_auc(v)}" for v in versions)
    console.print(f"Registered {_versions(versions)} ({figures}) in {time.perf_counter() - started:.1f} s.",
                  highlight=False)


@model.command("register")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--use", required=True, type=USES)
@click.option("--note", default="", help="A note kept with the model.")
@click.option("--user", "username", default=None)
def register_cmd(directory: Path, use: str, note: str, username: str | None) -> None:
    """Register a model directory (from `fengkong model train`) as a challenger for USE."""
    actor = _actor(username)
    versions = _registry_call(lambda: actions.register(actor=actor, directory=directory, use=use, note=note))
    console.print(f"Registered {_versions(versions)} from {directory}.", highlight=False)


@model.command("list")
@click.option("--use", type=USES, default=None)
def list_cmd(use: str | None) -> None:
    """The registered models, newest first, with their test figures and pending promotions."""
    models = ModelVersion.objects.order_by("use", "-version")
    if use:
        models = models.filter(use=use)
    pending = dict(PromotionRequest.objects.filter(status=PromotionStatus.PENDING).values_list("model_id", "pk"))
    for m in models:
        auc = _auc(m)
        ask = f"  promotion request #{pending[m.pk]} pending" if m.pk in pending else ""
        click.echo(f"#{m.pk:<5} {m.use:14} v{m.version:<4} {m.kind:10} {m.status:11} {auc}  "
                   f"{m.registered_at:%Y-%m-%d %H:%M}{ask}")
    if not models:
        click.echo("No models registered yet: `fengkong model train-ledger --use customer_risk`.")


@model.command("promote")
@click.argument("model_id", type=int)
@click.option("--reason", required=True)
@click.option("--user", "username", required=True)
def promote_cmd(model_id: int, reason: str, username: str) -> None:
    """Ask for model MODEL_ID to become the champion (someone else approves)."""
    found = _model_version(model_id)
    asked = _registry_call(lambda: actions.request_promotion(actor=_actor(username, needed=True), model=found,
                                                               reason=reason))
    console.print(f"Promotion request #{asked.pk} of {found.label} waits for approval.", highlight=False)


def _model_version(model_id: int):
    return ModelVersion.objects.filter(pk=model_id).first() or _fail(f"no model #{model_id}.")


@model.command("retire")
@click.argument("model_id", type=int)
@click.option("--reason", required=True)
@click.option("--user", "username", required=True)
def retire_cmd(model_id: int, reason: str, username: str) -> None:
    """Retire challenger MODEL_ID: it is no longer scored in the shadow of the champion."""
    found = _model_version(model_id)
    _registry_call(lambda: actions.retire(actor=_actor(username, needed=True), model=found, reason=reason))
    console.print(f"Retired {found.label}.", highlight=False)


def _decide(request_id: int, username: str, approve: bool, comment: str) -> None:


    found = PromotionRequest.objects.filter(pk=request_id).first() or _fail(f"no promotion request #{request_id}.")
    decided = _registry_call(lambda: actions.decide_promotion(actor=_actor(username, needed=True), request=found,
                                                                approve=approve, comment=comment))
    outcome = "is now the champion" if approve else "stays a challenger"
    console.print(f"Promotion request #{decided.pk} {decided.status}: {decided.model.label} {outcome}.",
                  highlight=False)


@model.command("approve")
@click.argument("request_id", type=int)
@click.option("--user", "username", required=True)
@click.option("--comment", default="")
def approve_cmd(request_id: int, username: str, comment: str) -> None:
    """Approve promotion request REQUEST_ID: its model becomes the champion."""
    _decide(request_id, username, True, comment)


@model.command("reject")
@click.argument("request_id", type=int)
@click.option("--user", "username", required=True)
@click.option("--comment", required=True, help="Why the promotion is rejected.")
def reject_cmd(request_id: int, username: str, comment: str) -> None:
    """Reject promotion request REQUEST_ID."""
    _decide(request_id, username, False, comment)


@model.command("rollback")
@click.option("--use", required=True, type=USES)
@click.option("--reason", required=True)
@click.option("--user", "username", required=True)
def rollback_cmd(use: str, reason: str, username: str) -> None:
    """Bring back the previous champion of USE."""
    restored = _registry_call(lambda: actions.rollback(actor=_actor(username, needed=True), use=use, reason=reason))
    console.print(f"Rolled back: {restored.label} is the champion again.", highlight=False)


@model.command("score-book")
@click.option("--as-of", "as_of", type=DAY, default=None, help="Business date (default: today).")
@click.option("--use", "uses", type=USES, multiple=True, help="Only this use (repeatable; default: all).")
def score_book_cmd(as_of, uses: tuple[str, ...]) -> None:
    """Score the book with the live models now (the daily risk cycle does this after its run)."""
    day = as_of.date() if as_of else timezone.localdate()
    started = time.perf_counter()
    with progress_bar() as bar:
        counts = _registry_call(lambda: score_book(as_of=day, uses=list(uses) or None, progress=Stages(bar)))
    shown = ", ".join(f"{k} {v}" for k, v in counts.items()) or "no live model"
    console.print(f"Scored the book as of {day}: {shown}; in {time.perf_counter() - started:.1f} s.", highlight=False)
