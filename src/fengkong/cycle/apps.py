from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CycleConfig(AppConfig):
    name = "fengkong.cycle"
    label = "cycle"
    verbose_name = _("The daily risk cycle")
    default_auto_field = "django.db.models.BigAutoField"
