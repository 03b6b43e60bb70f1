from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "fengkong.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        # Customers and contacts are under dual review (fengkong.reviews): their sensitive fields wait for a
        # second person.
        from fengkong.reviews.targets import register_reviewed

        from .actions import CONTACT_REVIEW, CUSTOMER_REVIEW

        register_reviewed(CUSTOMER_REVIEW)
        register_reviewed(CONTACT_REVIEW)
