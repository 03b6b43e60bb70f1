from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "fengkong.credit"
    verbose_name = _("Credit")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The owners of credit limits receive the manager's messages about their customers (monitoring).
        from fengkong.monitoring.dispatch import register_accountable

        from .queries import limit_owners

        register_accountable(limit_owners)
        from .receivers import connect_receivers
        connect_receivers()
        # A guarantee's value is under dual review (fengkong.reviews).
        from fengkong.reviews.targets import register_reviewed

        from .actions.guarantees import GUARANTEE_REVIEW

        register_reviewed(GUARANTEE_REVIEW)
