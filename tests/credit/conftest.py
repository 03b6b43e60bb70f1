"""The credit tests read messages in English (the source language), whatever the site's default: an
assertion on "own proposal" pins the rule, not its translation. Tests of the Chinese text switch
explicitly (translation.override("zh-hans") or an Accept-Language header)."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
