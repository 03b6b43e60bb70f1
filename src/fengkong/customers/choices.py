from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


STATUS_COLOURS = {"active": "green", "suspended": "amber", "closed": "grey"}

# How ERP exports spell a status, mapped to ours.
STATUS_ALIASES = {
    "active": "active", "正常": "active", "启用": "active", "有效": "active", "": "active",
    "suspended": "suspended", "停用": "suspended", "冻结": "suspended", "暂停": "suspended",
    "closed": "closed", "注销": "closed", "关闭": "closed", "已注销": "closed",
}
