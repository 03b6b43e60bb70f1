"""The contracts' step of the night: contracts past their end date become expired."""

from __future__ import annotations

from django.db import transaction

from fengkong.core.nightly import Night, nightly_step

from .actions import expire_contracts


@nightly_step("contracts.expire", order=58)
def expire(night: Night) -> None:
    with transaction.atomic():
        night.checkpoint()
        night.checkpoint({"contracts_expired": expire_contracts(actor=night.actor, as_of=night.as_of)})
