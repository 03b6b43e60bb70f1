from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules

# Modules each app may have that register something when imported: background tasks (core.later), steps of
# the night (core.nightly) and sections of shared pages (core.panels). Importing them at start-up makes
# every registration known in every process (web, worker, command), as the admin finds each app's admin.py.
REGISTERING_MODULES = ("tasks", "nightly", "panels")


class CoreConfig(AppConfig):
    name = "fengkong.core"
    label = "core"
    verbose_name = "Fengkong core"

    def ready(self) -> None:
        from . import converters  # noqa: F401 - registers the `key` path converter before any URLconf loads

        autodiscover_modules(*REGISTERING_MODULES)
