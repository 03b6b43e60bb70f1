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
