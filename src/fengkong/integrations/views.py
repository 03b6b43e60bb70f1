"""Imports: history, upload, a batch page that follows progress, and the problems as CSV."""

from __future__ import annotations

import csv
import io
import logging
import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .actions import start_import
from .choices import ImportStatus
from .forms import ImportUploadForm
from .models import ImportBatch
from .queries import progress_of
from .reports import write_errors_csv

log = logging.getLogger(__name__)
PAGE_SIZE = 30
PROBLEM_COLUMNS = ("row", "column", "value", "problem")
NUMBER = re.compile(r"[+-]?[\d,]*\.?\d+")


@login_required
@permission_required("integrations.view_importbatch", raise_exception=True)
def import_list(request):
    batches = ImportBatch.objects.order_by("-started_at", "-pk")
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "integrations/list.html", {"page": page})


@login_required
@permission_required("integrations.run_import", raise_exception=True)
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        batch = start_import(actor=request.user, upload=data["file"], kind=data["kind"],
                             mapping_text=data["mapping"], mode=data["mode"], dry_run=data["dry_run"])
        return redirect("import-detail", pk=batch.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "integrations/upload.html", {"form": form}, status=status)


def batch_context(batch: ImportBatch) -> dict:
    return {
        "batch": batch,
        "running": batch.status == ImportStatus.RUNNING,
        "progress": progress_of(batch),
        "problems": [problem_row(p) for p in (batch.errors or [])],
    }


@login_required
@permission_required("integrations.view_importbatch", raise_exception=True)
def import_detail(request, pk: int):
    batch = get_object_or_404(ImportBatch, pk=pk)
    return render(request, "integrations/detail.html", batch_context(batch))


@login_required
@permission_required("integrations.view_importbatch", raise_exception=True)
def import_progress(request, pk: int):
    """The htmx fragment polled every second while the batch runs; once finished it carries no poll."""
    batch = get_object_or_404(ImportBatch, pk=pk)
    return render(request, "integrations/_status.html", batch_context(batch))


def problem_row(problem) -> dict:
    """One problem as {row, column, value, problem}, whatever shape the importer stored it in."""
    if isinstance(problem, dict):
        return {"row": problem.get("row", ""), "column": problem.get("column", ""),
                "value": problem.get("value", ""),
                "problem": problem.get("problem") or problem.get("reason") or problem.get("message", "")}
    if isinstance(problem, list | tuple):
        return dict(zip(PROBLEM_COLUMNS, [*problem, "", "", "", ""][:4], strict=True))
    return {"row": "", "column": "", "value": "", "problem": str(problem)}


@login_required
@permission_required("integrations.view_importbatch", raise_exception=True)
def import_problems_csv(request, pk: int):
    batch = get_object_or_404(ImportBatch, pk=pk)
    filename = f"import-{batch.pk}-problems.csv"
    if stored := stored_problems_file(batch) or report_from_importer(batch):
        return FileResponse(stored.open("rb"), as_attachment=True, filename=filename,
                            content_type="text/csv; charset=utf-8")
    response = HttpResponse(problems_csv(batch), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def stored_problems_file(batch: ImportBatch) -> Path | None:
    """The importer's full problems file, if it wrote one inside the data directory."""
    if not batch.errors_file:
        return None
    data_dir = Path(settings.DATA_DIR).resolve()
    path = Path(batch.errors_file)
    path = (path if path.is_absolute() else data_dir / path).resolve()
    return path if path.is_relative_to(data_dir) and path.is_file() else None


def report_from_importer(batch: ImportBatch) -> Path | None:
    """Ask the importer to write its full problems report; None if it cannot."""
    path = Path(settings.DATA_DIR) / "reports" / f"import-{batch.pk}-problems.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_errors_csv(batch, path)
    except Exception:
        log.exception("could not write the problems report of import %s", batch.pk)
        return None
    return path if path.is_file() else None


def spreadsheet_safe(value) -> str:
    """Text that Excel will not run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def problems_csv(batch: ImportBatch) -> str:
    """The stored problems as CSV with a BOM, so Excel opens the Chinese text correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_("Row"), _("Column"), _("Value"), _("Problem")])
    for problem in batch.errors or []:
        row = problem_row(problem)
        writer.writerow([spreadsheet_safe(row[c]) for c in PROBLEM_COLUMNS])
    return out.getvalue()
