"""Evidence pages: a stored file downloaded (scoped by portfolio), and the ledger's check.

A file is served from the store by the digest its row names, never by a path the request gives; the type
sent is the one sniffed from the bytes, as an attachment, so a browser never runs what was uploaded.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from . import ledger, queries


@login_required
@permission_required("evidence.view_evidenceitem", raise_exception=True)
def evidence_download(request, pk: int):
    return serve_item(get_object_or_404(queries.visible_items(request.user), pk=pk))


def serve_item(item) -> FileResponse:
    """An evidence item's file as an attachment of its sniffed type (for the pages of the apps that attach
    evidence, once they have found the item in the caller's scope); 404 when the store lacks it."""
    try:
        stream = ledger.storage().open(item.file.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("the file is missing from the store") from None
    return FileResponse(stream, as_attachment=True, filename=item.filename, content_type=item.file.mime)


@login_required
@permission_required("evidence.verify_evidence", raise_exception=True)
def evidence_verify(request):
    result = ledger.verify()
    return render(request, "evidence/verify.html", {"result": result, "anchor": queries.last_anchor()})
