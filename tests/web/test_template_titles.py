"""A page's title block is its title: text only, never a section of the page (four pages once carried their
forms and tables inside <title>, where a browser shows them as raw text and the page itself lacks them)."""

from __future__ import annotations

import re
from pathlib import Path

import fengkong

TITLE = re.compile(r"{% block title %}(.*?){% endblock %}", re.S)


def test_every_title_block_is_one_line_of_text():
    root = Path(fengkong.__file__).parent
    wrong = [str(p.relative_to(root)) for p in root.glob("**/templates/**/*.html")
             if (m := TITLE.search(p.read_text(encoding="utf-8"))) and ("\n" in m.group(1) or "<" in m.group(1))]
    assert wrong == []
