"""The language of one `fengkong` run: --lang, else the LANGUAGE_CODE environment variable, else the shell's locale.

Design decision: a terminal is not a web page with a user's preference, so the default follows the shell
(LC_ALL, then LC_MESSAGES, then LANG, as the C library reads them): a zh_* locale speaks Chinese, any
other English. LANGUAGE_CODE set in the environment (the site's language, the one the web UI and the
nightly messages use) wins over the locale; --lang wins over both. The language is activated once, before
the command runs (and deactivated after it), so every translated message of the run (progress, results, refusals) is in it.
"""

from __future__ import annotations

import os

import click
from django.utils import translation

LANGUAGES = ("zh-hans", "en")
SPELLINGS = {"zh-hans": "zh-hans", "zh": "zh-hans", "zh-cn": "zh-hans", "zh_cn": "zh-hans", "cn": "zh-hans",
             "en": "en", "en-us": "en", "en_us": "en", "en-gb": "en"}


def normalise(value: str) -> str | None:
    """The language a spelling means (zh, zh_CN, zh-hans → zh-hans; en, en_US → en), None if neither."""
    return SPELLINGS.get(value.strip().lower())


def from_locale(environ=os.environ) -> str:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if value := environ.get(name):
            return "zh-hans" if value.lower().startswith("zh") else "en"
    return "en"


def run_language(option: str | None, environ=os.environ) -> str:
    """--lang, else LANGUAGE_CODE from the environment, else the shell's locale."""
    if option:
        return option
    stated = environ.get("LANGUAGE_CODE")
    if stated and (language := normalise(stated)):
        return language
    return from_locale(environ)


def lang_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback of --lang: a known spelling, else a usage error naming the choices (exit 2)."""
    if value is None:
        return None
    language = normalise(value)
    if language is None:
        raise click.BadParameter(f"{value!r} is not a language of Fengkong; use zh-hans or en.", ctx, param)
    return language


def activate(ctx: click.Context, option: str | None) -> str:
    """The run's language, active until the command ends (click closes the override with its context)."""
    language = run_language(option)
    ctx.with_resource(translation.override(language))
    return language
