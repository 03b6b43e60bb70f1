from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    name = "fengkong.legal"
    label = "legal"
    verbose_name = _("Legal recovery")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Evidence stored through the API on a legal case is the case's document (evidence.subjects).
        from fengkong.evidence.subjects import register_subject

        from .actions import store_case_document
        from .models import LegalCase

        register_subject("legal_case", find=lambda user, pk: LegalCase.objects.for_user(user).filter(pk=pk).first(),
                         store=store_case_document)
