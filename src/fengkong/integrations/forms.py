"""The upload form: what the file contains, the file, an optional column mapping, the mode, dry run."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .choices import ImportKind, ImportMode
from .exceptions import FileRejected, NotText
from .models import ImportSource
from .presets import PRESETS
from .sources import detect_encoding
from .uploads import RefusedUpload, refused_upload

MAPPING_MAX_BYTES = 1024 * 1024
EMPTY_FILE = _("The file is empty (0 bytes). Export it again from your ERP.")


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file contains"), choices=ImportKind.choices)
    file = forms.FileField(label=_("ERP export (CSV or XLSX)"), error_messages={
        "empty": EMPTY_FILE, "required": _("Choose the file exported from your ERP.")})
    mapping = forms.FileField(label=_("Column mapping file (optional)"), required=False,
                              error_messages={"empty": _("A mapping file must be between 1 byte and 1 MB.")},
                              help_text=_("Only needed when your ERP's column headers are not recognised."))
    preset = forms.ChoiceField(
        label=_("ERP preset (optional)"), required=False,
        choices=[("", _("Detect from the headers"))] + [(p.name, f"{p.name}: {p.erp}") for p in PRESETS.values()],
        help_text=_("An export Fengkong knows (docs/import.md: ERPNext, SAP FBL5N, Odoo, Kingdee, Yonyou U8). "
                    "Without a preset or a mapping file, a preset whose headers the file has is used by itself; "
                    "a mapping file given with a preset adds to it."))
    create_customers = forms.BooleanField(
        label=_("Create the customers the file names that are not known yet"), required=False,
        help_text=_("Otherwise a row of an unknown customer is a problem. The customers created are listed in "
                    "the result."))
    currency = forms.CharField(
        label=_("Currency of the file (optional)"), required=False, max_length=12,
        help_text=_("For a file without a currency column: the ISO 4217 code its amounts are in (default: the "
                    "functional currency)."))
    mode = forms.ChoiceField(label=_("When some rows have problems"), choices=ImportMode.choices,
                             initial=ImportMode.ALL_OR_NOTHING, widget=forms.RadioSelect)
    dry_run = forms.BooleanField(label=_("Dry run: check the file without saving anything"), required=False)
    source = forms.ModelChoiceField(
        label=_("Source (optional)"), required=False, queryset=ImportSource.objects.all(),
        empty_label=_("Not named"),
        help_text=_("Where the file comes from. Unless an administrator has marked the source trusted, changes "
                    "of sensitive master data (credit code, legal name, group, portfolio, bank and contact "
                    "details) wait for a second person's review."))

    def __init__(self, *args, refused: RefusedUpload | None = None, **kwargs):
        """`refused`: an upload stopped while it was received (integrations.uploads), reported on its field."""
        super().__init__(*args, **kwargs)
        self.refused = refused
        if refused is not None:   # the fields after the stopped file were never received
            for field in self.fields.values():
                field.required = False

    def clean(self):
        if self.refused is not None:
            self.add_error(self.refused.field if self.refused.field in self.fields else None,
                           too_large(self.refused.size, self.refused.limit))
        return super().clean()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload is None:   # refused while it was received: clean() says so
            return upload
        if upload.size == 0:
            raise forms.ValidationError(EMPTY_FILE)
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise too_large(upload.size, settings.IMPORT_MAX_BYTES)
        return upload

    def clean_mapping(self) -> str:
        upload = self.cleaned_data.get("mapping")
        if not upload:
            return ""
        if upload.size == 0 or upload.size > MAPPING_MAX_BYTES:
            raise forms.ValidationError(_("A mapping file must be between 1 byte and 1 MB."))
        try:
            return detect_encoding(upload.read())[1]   # the ERP files' decoder: BOM, UTF-8, GB18030
        except NotText as exc:
            (l1, b1), (l2, b2) = exc.positions["utf-8"], exc.positions["gb18030"]
            raise forms.ValidationError(
                _("The mapping file is not text in UTF-8 or GBK: as UTF-8, line %(l1)d byte %(b1)d cannot be "
                  "read; as GB18030, line %(l2)d byte %(b2)d."),
                params={"l1": l1, "b1": b1, "l2": l2, "b2": b2}) from None
        except FileRejected as exc:   # a UTF-16 byte-order mark on bytes that are not UTF-16
            raise forms.ValidationError(exc.message) from None


def too_large(size: int, limit: int) -> forms.ValidationError:
    return forms.ValidationError(
        _("The file is %(size)s; the largest file that can be imported is %(limit)s. Split it into smaller files."),
        code="too_large", params={"size": filesizeformat(size), "limit": filesizeformat(limit)})


def upload_form(request) -> ImportUploadForm:
    """The upload form of a request: unbound for GET; bound to what was posted, with an upload that was
    refused while it was received (too large) as its file's error."""
    if request.method != "POST":
        return ImportUploadForm()
    return ImportUploadForm(request.POST, request.FILES, refused=refused_upload(request))
