"""`fengkong model train` and `fengkong model predict` on files, and their refusals of bad input."""

from __future__ import annotations

import json

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner
from django.utils import translation

from fengkong.cli.commands import fengkong


@pytest.fixture(autouse=True)
def english():
    """The file decoder's messages are asserted in English; the zh-hans catalogue translates them."""
    with translation.override("en"):
        yield


def run(*args):
    return CliRunner().invoke(fengkong, ["model", *map(str, args)])


def test_train_on_a_gbk_csv_with_chinese_headers_then_predict_to_a_csv(gbk_csv, tmp_path):
    out = tmp_path / "模型"
    result = run("train", "--data", gbk_csv, "--target", "违约", "--time-column", "观察日期", "--out", out,
                 "--pdo", "40", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert "scorecard test AUC" in result.output and "gbm       test AUC" in result.output
    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["parameters"]["pdo"] == 40 and metadata["split"]["kind"] == "time"
    assert len(metadata["source"]["sha256"]) == 64
    scored_csv = tmp_path / "scored.csv"
    result = run("predict", "--model", out, "--data", gbk_csv, "--out", scored_csv)
    assert result.exit_code == 0, result.output
    scored = pl.read_csv(scored_csv)
    assert scored.height == 800 and {"score", "scorecard_probability", "gbm_probability"} <= set(scored.columns)


def test_train_a_scorecard_alone_on_an_xlsx_workbook(frame, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(frame.columns)
    for row in frame.head(400).iter_rows():
        sheet.append(list(row))
    book.save(tmp_path / "客户.xlsx")
    result = run("train", "--data", tmp_path / "客户.xlsx", "--target", "违约", "--model", "scorecard",
                 "--out", tmp_path / "m")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "m" / "metadata.json").read_text())["models"] == ["scorecard"]
    assert not (tmp_path / "m" / "gbm.txt").exists()


@pytest.mark.parametrize(("change", "args", "message"), [
    (None, ["--target", "不存在"], "Column '不存在' is not in the data"),
    (lambda f: f.with_columns(pl.Series("违约", ["甲", "乙", "丙", "丁"] * 200)), ["--target", "违约"],
     "is not binary"),
    (lambda f: f.with_columns(pl.lit(0).alias("违约")), ["--target", "违约"], "one class only"),
    (lambda f: f.head(0), ["--target", "违约"], "no data rows"),
    (None, ["--target", "违约", "--model", "forest"], "Invalid value for '--model'"),
    (None, ["--target", "违约", "--time-column", "客户"], "Column '客户' is not in the data"),
])
def test_bad_input_is_one_clear_message_and_exit_code_2(frame, tmp_path, change, args, message):
    path = tmp_path / "data.csv"
    (change(frame) if change else frame).write_csv(path)
    result = run("train", "--data", path, *args, "--out", tmp_path / "m")
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_an_empty_file_and_a_non_model_directory_are_refused_with_exit_code_2(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    result = run("train", "--data", tmp_path / "empty.csv", "--target", "y")
    assert result.exit_code == 2 and "empty.csv: The file is empty (0 bytes)." in result.output
    (tmp_path / "notamodel").mkdir()
    result = run("predict", "--model", tmp_path / "notamodel", "--data", tmp_path / "empty.csv")
    assert result.exit_code == 2 and "not a model directory" in " ".join(result.output.split())


def test_a_file_in_neither_utf8_nor_gbk_is_refused_naming_the_line_and_byte(tmp_path):
    (tmp_path / "乱码.csv").write_bytes("客户,违约\n".encode() + b"C1,\xff\xfe\x80\n")
    result = run("train", "--data", tmp_path / "乱码.csv", "--target", "违约")
    assert result.exit_code == 2, result.output
    assert "乱码.csv is neither UTF-8 nor GBK/GB18030 text: as UTF-8, line 2 byte 4" in " ".join(
        result.output.split())


def test_one_run_speaks_one_language(gbk_csv, tmp_path):
    out = tmp_path / "model"
    result = CliRunner().invoke(fengkong, ["--lang", "zh-hans", "model", "train", "--data", str(gbk_csv), "--target",
                                           "违约", "--time-column", "观察日期", "--out", str(out), "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "测试集 AUC" in result.output and "已用" in result.output and "Trained" not in result.output
    result = CliRunner().invoke(fengkong, ["--lang", "en", "model", "predict", "--model", str(out), "--data",
                                           str(gbk_csv), "--out", str(tmp_path / "scored.csv")])
    assert result.exit_code == 0, result.output
    assert "Scored 800 rows" in result.output
