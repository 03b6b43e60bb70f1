from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    OPEN = "open", _("Not shipped")
    PARTIAL = "partial", _("Partly shipped")
    SHIPPED = "shipped", _("Shipped")
    CANCELLED = "cancelled", _("Cancelled")


ORDER_STATUS_ALIASES = {
    "open": "open", "未发货": "open", "": "open", "partial": "partial", "部分发货": "partial",
    "shipped": "shipped", "已发货": "shipped", "全部发货": "shipped", "cancelled": "cancelled", "已取消": "cancelled",
    "关闭": "cancelled",
}


class OpenBasis(models.TextChoices):
    """Where an invoice's open amount comes from: the ERP's 未核销金额, or Fengkong's own derivation from
    the dated allocations of receipts and the credit notes (receivables.ledger.derive_open_amounts)."""

    ERP = "erp", _("from the ERP")
    DERIVED = "derived", _("derived from receipts and credit notes")
