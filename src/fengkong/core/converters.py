"""The `key` path converter: a natural key (customer code, invoice number, order reference) as one URL segment.

ERP codes are whatever the ERP allowed: ``K/10086``, ``重庆客户/七``, ``Ｋ／８＃``, ``..``. Django's ``str``
converter cannot take a ``/`` (reverse() fails with NoReverseMatch and the page answers 500), and a
percent-encoded ``%2F`` does not help: the WSGI server decodes the path before Django sees it. A segment
that is ``.`` or ``..`` is removed by every browser and HTTP client before it is sent.

So a key is written into a URL with a small escape of our own, reversible whatever the text:
``~`` → ``~7E``, ``/`` → ``~2F``, ``\\`` → ``~5C`` (some proxies turn it into ``/``) and a leading ``.``
→ ``~2E``. Everything else (``?``, ``#``, ``%``, spaces, Chinese, full-width characters) is left to
reverse(), which percent-encodes it as usual. Decoding never fails: a ``~`` not followed by one of our
codes stays as it is, so a hand-typed URL of a plain code still opens.

In templates and code nothing changes: ``{% url 'customer-detail' customer.code %}`` and
``reverse(..., args=[code])`` escape; the view gets the code as it is stored. API clients escape the same
way (docs/api.md, "Keys in paths").
"""

from __future__ import annotations

import re

from django.urls import register_converter

_ESCAPES = {"~": "~7E", "/": "~2F", "\\": "~5C"}
_CODES = {code: char for char, code in _ESCAPES.items()} | {"~2E": "."}
_ESCAPE = re.compile(r"[~/\\]")
_UNESCAPE = re.compile(r"~(?:7E|2F|5C|2E)", re.IGNORECASE)


def escape_key(value: str) -> str:
    """The key as one path segment (before reverse()'s percent-encoding)."""
    text = _ESCAPE.sub(lambda m: _ESCAPES[m.group()], str(value))
    return "~2E" + text[1:] if text.startswith(".") else text


def unescape_key(segment: str) -> str:
    return _UNESCAPE.sub(lambda m: _CODES[m.group().upper()], segment)


class KeyConverter:
    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return unescape_key(value)

    def to_url(self, value: str) -> str:
        return escape_key(value)


register_converter(KeyConverter, "key")
