"""Why a customers action refuses to go on; the message is written for the person who asked."""

from __future__ import annotations


class CustomersError(Exception):
    """Base of the customers errors."""


class MasterDataInvalid(CustomersError):
    """A customer, contact, group or statement the model's checks refuse; `errors` maps field -> messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items()))
