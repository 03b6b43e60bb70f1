"""One `fengkong` run speaks one language: --lang, else LANGUAGE_CODE in the environment, else the shell's locale."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from django.utils import translation

from fengkong.cli.commands import fengkong
from fengkong.cli.language import run_language

INVOICES = "单据编号,客户编码,单据日期,到期日,金额,未核销金额,币种\nAR9001,C000001,2025-01-05,2025-02-04,1,1,CNY\n"


@pytest.mark.parametrize(("option", "environ", "language"), [
    ("en", {"LANGUAGE_CODE": "zh-hans", "LANG": "zh_CN.UTF-8"}, "en"),   # --lang wins
    (None, {"LANGUAGE_CODE": "en", "LANG": "zh_CN.UTF-8"}, "en"),        # then the setting's variable
    (None, {"LANG": "zh_CN.UTF-8"}, "zh-hans"),                          # then the shell's locale
    (None, {"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh-hans"),  # LC_ALL before LANG
    (None, {"LANG": "C.UTF-8"}, "en"),
    (None, {}, "en"),
])
def test_the_language_of_a_run_is_lang_else_language_code_else_the_locale(option, environ, language):
    assert run_language(option, environ) == language


def test_an_unknown_lang_is_a_usage_error_naming_the_languages():
    result = CliRunner().invoke(fengkong, ["--lang", "fr", "import", "--help"])
    assert result.exit_code == 2 and "'fr' is not a language of Fengkong; use zh-hans or en." in result.output


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


@pytest.mark.parametrize(("args", "env", "language"), [
    (["--lang", "zh-hans"], {"LANG": "C.UTF-8"}, "zh-hans"),
    (["--lang", "en"], {"LANG": "zh_CN.UTF-8"}, "en"),
    ([], {"LANG": "zh_CN.UTF-8"}, "zh-hans"),
    ([], {"LANG": "en_GB.UTF-8"}, "en"),
])
def test_every_message_of_an_import_run_is_in_the_run_language(db, tmp_path, book, args, env, language, monkeypatch):
    monkeypatch.delenv("LANGUAGE_CODE", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    path = tmp_path / "invoices.csv"
    path.write_text(INVOICES.replace("2025-01-05", "5.1.2025"), encoding="utf-8")  # one problem, shown in a table
    before = translation.get_language()
    result = CliRunner().invoke(fengkong, [*args, "import", "invoices", str(path), "--dry-run"], env=env,
                                terminal_width=400)
    other = "en" if language == "zh-hans" else "zh-hans"
    for text in ("Reading the file", "Checking rows", "Problems"):
        assert in_language(language, text) in result.output
        if in_language(other, text) != in_language(language, text):
            assert in_language(other, text) not in result.output
    assert translation.get_language() == before  # the run's language does not outlive the run
