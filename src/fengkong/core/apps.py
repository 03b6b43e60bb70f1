from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fengkong.core"
    label = "core"
    verbose_name = "Fengkong core"
