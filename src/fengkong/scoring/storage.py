"""Model directories on disk, and the data files of the model tool: the only place the models touch files.

Design decisions:
- The engine (`fengkong.engine.modelling`) turns models into values and back — dicts, JSON text, LightGBM's
  own model text, the report's HTML as a string — and has no files and no clock; this module owns the
  directory layout and does the reading and writing.
- The layout is format 1, unchanged from the directories written before this module existed, so every one
  of them still loads:

      metadata.json                 format, models, target, columns and types, parameters, metrics, data
                                    fingerprint, library versions (credit models); format, use, features,
                                    hold-out figures and back-test summary (the payment-delay model)
      scorecard.json                the points table: everything the scorecard needs to score
      scorecard.joblib              the fitted optbinning and scikit-learn objects, for inspection only
      gbm.txt, gbm.json             the LightGBM challenger (its own text format) and its category lists
      delay_late.txt, delay_week.txt, delay.json   the payment-delay boosters and their categories
      report.json, report.html      the training report, and the page rendered from it

- Scoring reads only JSON and LightGBM text, never a pickle: a model directory from elsewhere can be scored
  without running its code. joblib is used here only, to write scorecard.joblib.
- Data files: CSV and XLSX are decoded by `fengkong.integrations.sources` (the ERP importer's decoder:
  UTF-8, UTF-8 or UTF-16 with a BOM, GB18030; the line and byte named when a file is none of them);
  Parquet, which carries its own types, is read by polars. Their problems are DataErrors naming the file.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from fengkong.engine.modelling import delay, model_dir
from fengkong.engine.modelling.data import clean_text
from fengkong.engine.modelling.delay import DelayModel, TrainedDelay
from fengkong.engine.modelling.exceptions import DataError, ModelDirError
from fengkong.engine.modelling.gbm import GbmChallenger
from fengkong.engine.modelling.report import render_html, to_json
from fengkong.engine.modelling.scorecard import ScorecardTable
from fengkong.engine.modelling.train import TrainedModels
from fengkong.integrations.exceptions import FileRejected, NotText
from fengkong.integrations.sources import ROW, decode_table

METADATA = "metadata.json"
SCORECARD = "scorecard.json"
SCORECARD_OBJECTS = "scorecard.joblib"
GBM_MODEL, GBM_META = "gbm.txt", "gbm.json"
DELAY_LATE, DELAY_WEEK, DELAY_META = "delay_late.txt", "delay_week.txt", "delay.json"
REPORT_JSON, REPORT_HTML = "report.json", "report.html"
PARQUET_MAGIC = b"PAR1"


# --- credit models: scorecard and LightGBM challenger -------------------------------------------

def save_model(trained: TrainedModels, directory: str | Path, *, html: bool = True) -> Path:
    """Write a training run (`train.train_models`) as a model directory; its path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    _write(directory / METADATA, to_json(model_dir.metadata(trained)))
    if trained.scorecard is not None:
        card = trained.scorecard
        _write(directory / SCORECARD, to_json(card.table_.to_dict()))
        _dump_objects({"binnings": card.binnings_, "logistic": card.logistic_, "selected": card.selected_,
                       "iv": card.iv_, "dropped": card.dropped_}, directory / SCORECARD_OBJECTS)
    if trained.gbm is not None:
        _write(directory / GBM_MODEL, trained.gbm.model_text())
        _write(directory / GBM_META, to_json(trained.gbm.to_dict()))
    _write_report(directory, trained.report, html, render_html)
    return directory


def load_model(directory: str | Path) -> model_dir.LoadedModel:
    """A model directory ready to score (`model_dir.predict`); ModelDirError when it is not one, is of
    another format, or is incomplete or damaged."""
    directory = Path(directory)
    meta_path = directory / METADATA
    if not meta_path.is_file():
        raise ModelDirError(f"{directory} is not a model directory (no {METADATA} in it).")
    try:
        metadata = _read_json(meta_path)
    except (OSError, ValueError) as exc:
        raise ModelDirError(f"{meta_path} cannot be read: {exc}") from None
    model_dir.check_format(metadata, str(directory))
    scorecard = gbm = None
    try:
        if "scorecard" in metadata["models"]:
            scorecard = ScorecardTable.from_dict(_read_json(directory / SCORECARD))
        if "gbm" in metadata["models"]:
            gbm = GbmChallenger.from_dict(_read_json(directory / GBM_META), _read(directory / GBM_MODEL))
    except (OSError, KeyError, ValueError) as exc:   # ModelDirError is a ValueError: a damaged LightGBM file
        raise ModelDirError(f"{directory} is incomplete or damaged: {exc}") from None
    return model_dir.LoadedModel(metadata, scorecard, gbm)


def _dump_objects(objects: dict, path: Path) -> None:
    import joblib  # imported here: only saving a scorecard needs it (scoring never unpickles)

    joblib.dump(objects, path)


# --- the payment-delay model --------------------------------------------------------------------

def save_delay(trained: TrainedDelay, directory: str | Path, *, html: bool = True) -> Path:
    """Write a payment-delay training run (`delay.train_delay`) as a model directory: metadata.json,
    delay_late.txt, delay_week.txt, delay.json, and with its report report.json and report.html."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    texts = trained.model.model_texts()
    _write(directory / DELAY_LATE, texts["late"])
    _write(directory / DELAY_WEEK, texts["week"])
    _write(directory / DELAY_META, to_json(trained.model.to_dict()))
    _write(directory / METADATA, to_json(delay.metadata(trained.model, trained.report)))
    if trained.report:
        _write_report(directory, trained.report, html, delay.render_html)
    return directory


def load_delay(directory: str | Path) -> DelayModel:
    """The payment-delay model of a directory; ModelDirError when it is not one or cannot be read."""
    directory = Path(directory)
    try:
        metadata = _read_json(directory / METADATA)
    except (OSError, ValueError) as exc:
        raise _unreadable_delay(directory, exc) from None
    delay.check_metadata(metadata, str(directory))
    try:
        return DelayModel.from_dict(_read_json(directory / DELAY_META), _read(directory / DELAY_LATE),
                                    _read(directory / DELAY_WEEK))
    except (OSError, KeyError, ValueError, TypeError) as exc:   # ModelDirError too: a damaged LightGBM file
        raise _unreadable_delay(directory, exc) from None


def _unreadable_delay(directory: Path, exc: Exception) -> ModelDirError:
    return ModelDirError(f"{directory} is not a readable payment-delay model directory: {exc}")


# --- files ---------------------------------------------------------------------------------------

def _write_report(directory: Path, report: dict, html: bool, render) -> None:
    _write(directory / REPORT_JSON, to_json(report))
    if html:
        _write(directory / REPORT_HTML, render(report))


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _read_json(path: Path) -> dict:
    return json.loads(_read(path))


# --- data files of the model tool ----------------------------------------------------------------

@dataclass(frozen=True)
class DataFile:
    frame: pl.DataFrame   # text columns still text (CSV, XLSX), Parquet's own types
    sha256: str           # of the file's bytes: the data a model was trained on, recorded beside the model


def read_data(path: str | Path) -> DataFile:
    """A CSV (UTF-8, GBK/GB18030 or UTF-16), XLSX or Parquet file as a frame; the content decides, not
    the name. DataError naming the file when it cannot be read or holds no data rows."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"Cannot read {path}: {exc.strerror or exc}") from None
    if data.startswith(PARQUET_MAGIC):
        frame = _read_parquet(data, path.name)
    else:
        try:
            frame = clean_text(decode_table(data, path.name).frame.drop(ROW))
        except NotText as exc:   # the importer's advice (name the encoding in a mapping file) does not apply
            (l1, b1), (l2, b2) = exc.positions["utf-8"], exc.positions["gb18030"]
            raise DataError(f"{path.name} is neither UTF-8 nor GBK/GB18030 text: as UTF-8, line {l1} byte {b1} "
                            f"cannot be read; as GB18030, line {l2} byte {b2}. Save it as \"CSV UTF-8\" from "
                            "Excel.") from None
        except FileRejected as exc:
            raise DataError(f"{path.name}: {exc.message}") from None
    if frame.height == 0 or frame.width == 0:
        raise DataError(f"The file {path.name} has a header but no data rows.")
    return DataFile(frame, hashlib.sha256(data).hexdigest())


def _read_parquet(data: bytes, name: str) -> pl.DataFrame:
    try:
        return pl.read_parquet(io.BytesIO(data))
    except pl.exceptions.PolarsError as exc:
        raise DataError(f"{name} cannot be read as Parquet: {str(exc)[:300]}") from None
