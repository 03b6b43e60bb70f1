"""The refusals of the clause analysis: a document it cannot read, and why."""

from __future__ import annotations


class DocumentRefused(ValueError):
    """The document cannot be read; `code` says why (one of REFUSALS), `detail` adds numbers."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


REFUSALS = ("unknown_format", "scanned_pdf", "encrypted_pdf", "broken_pdf", "too_many_pages", "zip_bomb",
            "broken_docx", "empty_document", "undecodable_text")
