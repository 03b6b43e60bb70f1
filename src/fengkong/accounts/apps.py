from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fengkong.accounts"
    label = "accounts"
    verbose_name = _("Users, roles and portfolios")
