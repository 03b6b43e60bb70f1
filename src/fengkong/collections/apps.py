from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionsConfig(AppConfig):
    """The app is `fengkong.collections`; its label `collections` names only its tables and permissions
    (collections_collectioncase, collections.add_contact), never a module, so Python's own `collections`
    is untouched: `from collections import ...` anywhere still imports the standard library."""

    name = "fengkong.collections"
    label = "collections"
    verbose_name = _("Collections")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Dunning (monitoring's customer reminders and letters) waits while a promise to pay is pending.
        from fengkong.monitoring.dispatch import register_dunning_hold

        from .queries import customers_with_pending_promises

        register_dunning_hold(customers_with_pending_promises)

        # ... and while a dunning pause runs (a reason and an end date: collections.dunning).
        from .dunning import paused_customers

        register_dunning_hold(paused_customers)

        # Evidence can be stored on a collection case, a contact or a dispute (evidence.subjects).
        from fengkong.evidence.subjects import register_subject

        from .models import CollectionCase, Contact, Dispute

        for name, model in (("collection_case", CollectionCase), ("contact", Contact), ("dispute", Dispute)):
            register_subject(name, find=lambda user, pk, model=model: model.objects.for_user(user).filter(pk=pk).first())
