"""Splitting a contract into clauses, each with its span in the (normalised) text.

A clause starts at a numbered heading (第五条, 五、, 5.2, (3), （三）, Article 7, Section 7.1, 7.) or, in a text
with no numbering, at a paragraph. A heading standing alone on its line is joined to the body that follows;
a very long clause is cut at sentence ends so one clause carries one subject.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CN_NUM = "一二三四五六七八九十百零〇两"
HEADING = re.compile(
    rf"^\s*(第[{CN_NUM}\d]+[条章节款]|[{CN_NUM}]+[、.．]|\d+(?:\.\d+)*\s*[、.．)）]?(?=\s*\D)|"
    rf"[(（][{CN_NUM}\d]+[)）]|(?:Article|ARTICLE|Section|SECTION|Clause|CLAUSE)\s+\d+(?:\.\d+)*|"
    r"\([a-z]\))"
)
SENTENCE_END = re.compile(r"(?<=[。；;!?！？])|(?<=\.)\s+(?=[A-Z(])")
MAX_CLAUSE = 700
HEADING_ONLY = 40   # a numbered line this short without a full stop is a heading for the lines after it


@dataclass(frozen=True)
class Clause:
    start: int
    end: int
    text: str


def split_clauses(text: str) -> list[Clause]:
    lines = _lines(text)
    numbered = sum(1 for _, _, line in lines if HEADING.match(line))
    blocks: list[list[int]] = []   # [start, end] of each clause
    for start, end, line in lines:
        new = bool(HEADING.match(line)) if numbered >= 3 else True
        if new and blocks and _is_heading_only(text[blocks[-1][0]:blocks[-1][1]]):
            new = False
        if new or not blocks:
            blocks.append([start, end])
        else:
            blocks[-1][1] = end
    clauses: list[Clause] = []
    for start, end in blocks:
        clauses.extend(_cut_long(text, start, end))
    return clauses


def _lines(text: str) -> list[tuple[int, int, str]]:
    out, pos = [], 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            out.append((pos + lead, pos + lead + len(stripped), stripped))
        pos += len(raw) + 1
    return out


def _is_heading_only(block: str) -> bool:
    block = block.strip()
    return "\n" not in block and len(block) <= HEADING_ONLY and bool(HEADING.match(block)) and not re.search(
        r"[。；;:：,，]\s*$|[。；;]", block[:-1] if block else block)


def _cut_long(text: str, start: int, end: int) -> list[Clause]:
    if end - start <= MAX_CLAUSE:
        return [Clause(start, end, text[start:end])]
    pieces, piece_start = [], start
    cuts = [start + m.end() for m in SENTENCE_END.finditer(text[start:end])] + [end]
    last = start
    for cut in cuts:
        if cut - piece_start > MAX_CLAUSE and last > piece_start:
            pieces.append((piece_start, last))
            piece_start = last
        last = cut
    pieces.append((piece_start, end))
    out = []
    for a, b in pieces:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append(Clause(a, b, text[a:b]))
    return out
