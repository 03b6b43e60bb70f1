"""Bringing a database up to date: migrations, then the role groups."""

from django.core.management import call_command

from .roles import ensure_roles


def setup_database(verbosity: int = 1) -> None:
    call_command("migrate", interactive=False, verbosity=verbosity)
    ensure_roles()
