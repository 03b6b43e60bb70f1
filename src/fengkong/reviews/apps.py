from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "fengkong.reviews"
    label = "reviews"
    verbose_name = _("Dual review")
    default_auto_field = "django.db.models.BigAutoField"
