"""统一社会信用代码 (unified social credit code) per GB 32100-2015.

Eighteen characters: registration authority (1), organisation type (1), GB/T 2260 region of
registration (6), organisation code with its own GB 11714 check character (9), check character (1).
The alphabet has 31 characters: digits and upper-case letters without I, O, Z, S and V.
"""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def check_character(first17: str) -> str:
    """The 18th character for the first seventeen."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_code_check(first8: str) -> str:
    """GB 11714 check character of the nine-character organisation code (digits or letters)."""
    total = sum(_org_value(c) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def _org_value(c: str) -> int:
    return int(c) if c.isdigit() else ord(c) - ord("A") + 10


def problem(code: str) -> str | None:
    """Why `code` is not a valid credit code, in words; None when it is valid."""
    if len(code) != 18:
        return f"must be 18 characters, got {len(code)}"
    if not _SHAPE.match(code):
        bad = next((c for c in code if c not in ALPHABET), None)
        if bad is not None:
            return f"character {bad!r} is not allowed (I, O, Z, S, V and lower case never appear)"
        return "characters 3-8 must be the 6-digit region code"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"check character should be {expected!r}, not {code[17]!r}"
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None


def make(authority: str, org_type: str, region: str, org_base: str) -> str:
    """Build a valid code from its parts; `org_base` is the first 8 characters of the organisation code."""
    first17 = f"{authority}{org_type}{region}{org_base}{org_code_check(org_base)}"
    return first17 + check_character(first17)
