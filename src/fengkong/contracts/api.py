"""Contracts in /api/v1: analyse a contract document (PDF, DOCX or TXT) and flag it against a grade.

The upload is refused past CONTRACTS_MAX_UPLOAD_BYTES (413) and when it cannot be read (422, saying why:
a scan without text, a password, a zip bomb, an empty document). Nothing is stored: registering a contract
and its versions is the register's work (actions.upload_document).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from fengkong.core.permissions import require
from fengkong.core.schemas import answers, caller

from . import reading
from .exceptions import DocumentUnreadable
from .schemas import AnalysisOut, AnalyzeIn

router = Router(tags=["contracts"])


@router.post("/contracts/analyze", response=answers(AnalysisOut, 400, 403, 413, 422), url_name="contract_analyze")
def analyze(request, file: File[UploadedFile], form: Form[AnalyzeIn]):
    """The clauses of one contract document and, with `grade` (A, B or C), its flags against that grade.
    A document that cannot be read (a scan without text, a password, a zip bomb, empty) is a 422 saying why."""
    require(caller(request), "contracts.analyze_contract")
    grade = form.grade
    if file.size > settings.CONTRACTS_MAX_UPLOAD_BYTES:
        return Status(413, {"detail": _("The document is larger than %(limit)s MB.") % {
            "limit": settings.CONTRACTS_MAX_UPLOAD_BYTES // (1024 * 1024)}})
    data = file.read()
    try:
        analysis = reading.analyze(data, file.name or "")
    except DocumentUnreadable as refused:
        return Status(422, {"detail": str(refused),
                            "errors": [{"location": "form", "field": "file", "message": refused.code}]})
    return reading.report(analysis, grade or None)
