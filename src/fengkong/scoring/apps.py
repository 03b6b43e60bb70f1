from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "fengkong.scoring"
    verbose_name = _("Credit models")
    default_auto_field = "django.db.models.BigAutoField"
