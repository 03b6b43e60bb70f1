from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    name = "fengkong.legal"
    label = "legal"
    verbose_name = _("Legal recovery")
    default_auto_field = "django.db.models.BigAutoField"
