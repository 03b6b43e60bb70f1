"""Model directories on disk and the model tool's data files (fengkong.scoring.storage).

tests/scoring/data/format-1/ holds directories written by `fengkong model train` and the payment-delay
training before the storage moved out of the engine (scorecard.joblib left out: it is never read), with
the frames they scored and their predictions then: they must load and score the same, byte for byte.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from tests.modelling.conftest import CREATED_AT, borrowers, loaded
from tests.modelling.test_delay import FAST, synthetic_ledger

from fengkong.engine.modelling import delay, model_dir
from fengkong.engine.modelling.exceptions import DataError, ModelDirError
from fengkong.engine.modelling.train import TrainConfig, train_models
from fengkong.scoring import storage

FORMAT_1 = Path(__file__).parent / "data" / "format-1"
CREDIT_FILES = {"metadata.json", "scorecard.json", "scorecard.joblib", "gbm.txt", "gbm.json", "report.json",
                "report.html"}
DELAY_FILES = {"metadata.json", "delay_late.txt", "delay_week.txt", "delay.json", "report.json", "report.html"}


@pytest.fixture(scope="module")
def credit():
    frame = borrowers()
    return frame, train_models(frame, "违约", TrainConfig(time_column="观察日期", gbm_estimators=40),
                               created_at=CREATED_AT, fingerprint="ab" * 32, source="客户.csv")


@pytest.fixture(scope="module")
def delay_run():
    book = synthetic_ledger()
    return book, delay.train_delay(book, created_at=CREATED_AT, backtest_origins=1, params=FAST)


# --- credit models -------------------------------------------------------------------------------

def test_a_saved_model_directory_holds_the_format_1_files_and_scores_as_the_trained_models_do(credit, tmp_path):
    frame, trained = credit
    directory = storage.save_model(trained, tmp_path / "模型")
    assert {p.name for p in directory.iterdir()} == CREDIT_FILES
    metadata = json.loads((directory / "metadata.json").read_text(encoding="utf-8"))
    assert metadata == json.loads(json.dumps(model_dir.metadata(trained)))
    assert metadata["created_at"] == "2026-11-28T09:30:00+00:00"
    assert_frame_equal(model_dir.predict(storage.load_model(directory), frame),
                       model_dir.predict(loaded(trained), frame))


def test_the_html_report_is_written_as_utf8_and_fetches_nothing(credit, tmp_path):
    _, trained = credit
    page = (storage.save_model(trained, tmp_path / "m") / "report.html").read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in page and "逾期天数" in page
    assert "<script src=" not in page and 'src="http' not in page


def test_a_scorecard_alone_writes_no_lightgbm_files_and_html_can_be_skipped(tmp_path):
    trained = train_models(borrowers(), "违约", TrainConfig(model="scorecard"), created_at=CREATED_AT)
    directory = storage.save_model(trained, tmp_path / "m", html=False)
    assert {p.name for p in directory.iterdir()} == CREDIT_FILES - {"gbm.txt", "gbm.json", "report.html"}
    assert storage.load_model(directory).gbm is None


def test_a_directory_that_is_not_a_model_or_of_another_format_is_refused(tmp_path):
    with pytest.raises(ModelDirError, match="is not a model directory \\(no metadata.json in it\\)"):
        storage.load_model(tmp_path)
    (tmp_path / "metadata.json").write_text(json.dumps({"format": 2}), encoding="utf-8")
    with pytest.raises(ModelDirError, match="has model format 2; this version reads 1"):
        storage.load_model(tmp_path)


def test_a_damaged_or_incomplete_model_directory_is_refused(credit, tmp_path):
    _, trained = credit
    directory = storage.save_model(trained, tmp_path / "m", html=False)
    (directory / "gbm.txt").write_text("tree\nnot a model", encoding="utf-8")
    with pytest.raises(ModelDirError, match="incomplete or damaged: the LightGBM model cannot be read"):
        storage.load_model(directory)
    (directory / "scorecard.json").unlink()
    with pytest.raises(ModelDirError, match="incomplete or damaged"):
        storage.load_model(directory)


def test_a_credit_model_directory_of_format_1_still_loads_and_scores_the_same():
    model = storage.load_model(FORMAT_1 / "credit")
    scored = model_dir.predict(model, pl.read_parquet(FORMAT_1 / "credit-input.parquet"))
    assert_frame_equal(scored, pl.read_parquet(FORMAT_1 / "credit-scored.parquet"))


# --- the payment-delay model ----------------------------------------------------------------------

def test_a_saved_delay_model_loads_and_predicts_as_the_trained_one_does(delay_run, tmp_path):
    book, trained = delay_run
    directory = storage.save_delay(trained, tmp_path / "延迟")
    assert {p.name for p in directory.iterdir()} == DELAY_FILES
    assert "<script src=" not in (directory / "report.html").read_text(encoding="utf-8")   # plotly inlined
    model = storage.load_delay(directory)
    as_of = book.last_date()
    frame = delay.open_invoices(book, as_of)
    assert_frame_equal(model.predict(frame, as_of), trained.model.predict(frame, as_of))
    assert model.features_ == trained.model.features_
    metadata = json.loads((directory / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["use"] == "payment_delay" and metadata["created_at"] == "2026-11-28T09:30:00+00:00"


def test_a_damaged_or_foreign_delay_directory_is_refused(delay_run, credit, tmp_path):
    _, trained = delay_run
    directory = storage.save_delay(trained, tmp_path / "m", html=False)
    (directory / "delay_week.txt").unlink()
    with pytest.raises(ModelDirError, match="not a readable payment-delay model"):
        storage.load_delay(directory)
    with pytest.raises(ModelDirError, match="not a readable payment-delay model"):
        storage.load_delay(tmp_path / "nowhere")
    credit_model = storage.save_model(credit[1], tmp_path / "credit", html=False)
    with pytest.raises(ModelDirError, match="is not a payment-delay model directory of format 1"):
        storage.load_delay(credit_model)


def test_a_delay_model_directory_of_format_1_still_loads_and_predicts_the_same():
    model = storage.load_delay(FORMAT_1 / "delay")
    predicted = model.predict(pl.read_parquet(FORMAT_1 / "delay-input.parquet"), date(2025, 6, 30))
    assert_frame_equal(predicted, pl.read_parquet(FORMAT_1 / "delay-scored.parquet"))


# --- data files ------------------------------------------------------------------------------------

def test_a_gbk_csv_with_chinese_headers_reads_as_it_was_written_with_its_fingerprint(tmp_path):
    import hashlib

    frame = borrowers()
    (tmp_path / "客户.csv").write_bytes(frame.write_csv().encode("gbk"))
    read = storage.read_data(tmp_path / "客户.csv")
    assert read.frame.columns == frame.columns and read.frame.height == frame.height
    assert read.frame["行业"].to_list() == frame["行业"].to_list()
    assert read.sha256 == hashlib.sha256((tmp_path / "客户.csv").read_bytes()).hexdigest()


def test_a_utf16_or_bom_csv_reads_and_the_words_for_no_value_are_missing(tmp_path):
    text = "金额;类别\n12.5; 甲 \nNA;乙\n;\n"
    for encoding in ("utf-16", "utf-8-sig"):
        (tmp_path / "t.csv").write_bytes(text.encode(encoding))
        assert storage.read_data(tmp_path / "t.csv").frame.to_dicts() == [
            {"金额": "12.5", "类别": "甲"}, {"金额": None, "类别": "乙"}]


def test_an_xlsx_workbook_reads_with_numbers_dates_and_blanks(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["金额", "开票日期", "类别", "坏账"])
    sheet.append([1200.5, "2024-01-31", "甲", 1])
    sheet.append([None, "2024-02-29", "乙", 0])
    book.save(tmp_path / "t.xlsx")
    assert storage.read_data(tmp_path / "t.xlsx").frame.to_dicts() == [
        {"金额": "1200.5", "开票日期": "2024-01-31", "类别": "甲", "坏账": "1"},
        {"金额": None, "开票日期": "2024-02-29", "类别": "乙", "坏账": "0"}]


def test_a_parquet_file_keeps_its_types(tmp_path):
    frame = borrowers()
    frame.write_parquet(tmp_path / "t.parquet")
    assert storage.read_data(tmp_path / "t.parquet").frame.equals(frame)


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty.csv: The file is empty (0 bytes)."),
    (b"  \n", "empty.csv: The file has no header row"),
    (b"a,b,target\n", "The file empty.csv has a header but no data rows."),
    (b"a,b\n1,\xff\xfe\x80\n", "empty.csv is neither UTF-8 nor GBK/GB18030 text: as UTF-8, line 2 byte 3 cannot "
                               "be read; as GB18030, line 2 byte 3. Save it as \"CSV UTF-8\" from Excel."),
    (b"PAR1 not really", "empty.csv cannot be read as Parquet"),
])
def test_an_unreadable_file_is_refused_naming_it_and_where(tmp_path, content, message):
    (tmp_path / "empty.csv").write_bytes(content)
    with pytest.raises(DataError) as refused:
        storage.read_data(tmp_path / "empty.csv")
    assert message in str(refused.value)


def test_a_file_that_cannot_be_opened_is_refused(tmp_path):
    with pytest.raises(DataError, match="Cannot read"):
        storage.read_data(tmp_path / "nowhere.csv")
