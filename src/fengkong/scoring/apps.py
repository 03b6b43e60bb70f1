from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "fengkong.scoring"
    verbose_name = _("Credit models")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The collectors' worklist (monitoring) can be ranked by the payment-delay model's expected loss.
        from fengkong.monitoring.worklist import register_ranking

        from .worklist import EXPECTED_LOSS

        register_ranking(EXPECTED_LOSS)
