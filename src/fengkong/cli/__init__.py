"""The `fengkong` command: project-wide verbs here, each app's own in its `cli.py` (see commands.py).

Django is set up before the commands are loaded, because the apps' command modules import their models
and actions at module level like any other module.
"""

from __future__ import annotations

import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengkong.settings")
    import django

    django.setup()
    from .commands import fengkong  # only now: the apps' command modules import their models

    fengkong(prog_name="fengkong")
