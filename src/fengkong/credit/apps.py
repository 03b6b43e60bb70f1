from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "fengkong.credit"
    verbose_name = _("Credit")
    default_auto_field = "django.db.models.BigAutoField"
