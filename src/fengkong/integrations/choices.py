from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    CUSTOMERS = "customers", _("Customers")
    INVOICES = "invoices", _("Invoices")
    PAYMENTS = "payments", _("Payments")
    CREDIT_NOTES = "credit-notes", _("Credit notes")
    ORDERS = "orders", _("Sales orders")
    FINANCIALS = "financials", _("Financial statements")
    FX_RATES = "fx-rates", _("Exchange rates")


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all", _("All or nothing")
    VALID_ROWS = "valid", _("Valid rows only")


class ImportStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Imported")
    PARTIAL = "partial", _("Imported valid rows")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")
    DRY_RUN = "dry_run", _("Checked (dry run)")
