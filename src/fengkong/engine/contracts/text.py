"""Decoding, language and script: UTF-8 or GBK text, Chinese or English, traditional characters converted.

Traditional characters are converted to simplified with OpenCC (its dictionaries ship in the wheel) and the
result says so, so the clause text shown is the converted one and the reader is told.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import opencc
from charset_normalizer import from_bytes

from .refusals import DocumentRefused

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
HALF_WIDTH = {**{0xFF10 + i: 0x30 + i for i in range(10)}, **{0xFF21 + i: 0x41 + i for i in range(26)},
              **{0xFF41 + i: 0x61 + i for i in range(26)}, 0xFF05: 0x25, 0xFF0E: 0x2E, 0x3000: 0x20, 0xA0: 0x20}
TRADITIONAL_SHARE = 0.02   # share of CJK characters that change under t2s above which a text is traditional


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK), then a guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    guess = from_bytes(data).best()
    if guess is None:
        raise DocumentRefused("undecodable_text")
    return str(guess), guess.encoding


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def language_of(text: str) -> str:
    """zh when Chinese characters outweigh English words, else en."""
    cjk = len(CJK.findall(text))
    words = len(LATIN_WORD.findall(text))
    return "zh" if cjk and cjk >= words else "en"


@dataclass(frozen=True)
class Normalised:
    text: str
    language: str
    converted_from_traditional: bool


def normalise(text: str) -> Normalised:
    """Full-width digits, letters and ％ to half-width (Chinese punctuation stays), line endings, no-break
    spaces, and traditional → simplified."""
    text = text.translate(HALF_WIDTH).replace("\r\n", "\n").replace("\r", "\n")
    language = language_of(text)
    converted = False
    if language == "zh":
        simplified = _t2s().convert(text)
        cjk = len(CJK.findall(text)) or 1
        changed = sum(1 for a, b in zip(text, simplified, strict=False) if a != b)
        if len(simplified) == len(text) and changed / cjk > TRADITIONAL_SHARE:
            text, converted = simplified, True
        elif len(simplified) != len(text):
            # OpenCC's phrase tables can change length; keep spans honest by converting character by character
            per_char = "".join(_t2s().convert(ch) if len(_t2s().convert(ch)) == 1 else ch for ch in text)
            changed = sum(1 for a, b in zip(text, per_char, strict=True) if a != b)
            if changed / cjk > TRADITIONAL_SHARE:
                text, converted = per_char, True
    return Normalised(text, language, converted)
