"""Imports: history, upload, a batch page that follows progress, and the problems as CSV."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from fengkong.core.files import written_download

from .actions import start_import
from .choices import ImportStatus
from .forms import upload_form
from .models import ImportBatch
from .queries import progress_of
from .reports import problem_row, write_errors_csv

PAGE_SIZE = 30


@login_required
@permission_required("integrations.view_importbatch", raise_exception=True)
def import_list(request):
    batches = ImportBatch.objects.order_by("-started_at", "-pk")
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "integrations/list.html", {"page": page})


@login_required
@permission_required("integrations.run_import", raise_exception=True)
def import_upload(request):
    form = upload_form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        batch = start_import(actor=request.user, upload=data["file"], kind=data["kind"],
                             mapping_text=data["mapping"], mode=data["mode"], dry_run=data["dry_run"],
                             source=data.get("source"), currency=data.get("currency") or None,
                             preset=data.get("preset") or None, create_customers=bool(data.get("create_customers")))
        return redirect("import-detail", pk=batch.pk)
    status = (413 if form.refused else 400) if request.method == "POST" else 200
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


@login_required
@permission_required("integrations.view_importbatch", raise_exception=True)
def import_problems_csv(request, pk: int):
    """Every problem of the batch as CSV, escaped (reports.write_errors_csv); the stored path of the
    importer's file is trusted only inside the importer's own folder."""
    batch = get_object_or_404(ImportBatch, pk=pk)
    return written_download(lambda path: write_errors_csv(batch, path), filename=f"import-{batch.pk}-problems.csv",
                            content_type="text/csv; charset=utf-8")
