"""What is under dual review: each app that owns a reviewed row registers it here at start-up.

Why a registry: the queue lives below the apps whose rows it holds changes for (a guarantee is credit's,
floor 6), and a lower app never imports a higher one. So `customers.apps` registers customers and
contacts, `credit.apps` guarantees; each gives the model's declared list of sensitive fields
(`<Model>.SENSITIVE_FIELDS`, the one place that list is written), where the row's customer is, and the
function that writes a confirmed change with the owner's own audit event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models

Apply = Callable[..., None]  # apply(*, actor, row, values: {field: new value as stored in JSON})


@dataclass(frozen=True)
class Reviewed:
    kind: str  # "customer", "contact", "guarantee": PendingChange.kind and the audit trail's object type
    model: type[models.Model]
    fields: tuple[str, ...]  # the sensitive fields (attnames: group_id, portfolio_id)
    apply: Apply
    customer_path: str = "customer"  # "" for Customer itself
    held_on_create: tuple[str, ...] = ()  # sensitive fields held even on a new row (a customer's credit code)
    masks: dict[str, Callable[[str], str]] = field(default_factory=dict)  # field -> how it is shown masked

    def customer_id_of(self, row: models.Model) -> int:
        return row.pk if not self.customer_path else getattr(row, f"{self.customer_path}_id")

    def model_field(self, name: str) -> models.Field:
        return next(f for f in self.model._meta.concrete_fields if f.attname == name)

    def label(self, name: str) -> str:
        return str(self.model_field(name).verbose_name)

    def python(self, name: str, value: Any) -> Any:
        """A value as held in JSON, turned back into what the model's field stores."""
        return None if value is None else self.model_field(name).to_python(value)

    def shown(self, name: str, value: Any, masked: bool = False) -> str:
        """A held value as people read it: a related row by its name, a masked field masked, blank as "—"."""
        if value in (None, ""):
            return "—"
        model_field = self.model_field(name)
        if model_field.is_relation:
            related = model_field.related_model._base_manager.filter(pk=value).first()
            return str(related) if related is not None else f"#{value}"
        if masked and name in self.masks:
            return self.masks[name](str(value))
        return str(value)


REVIEWED: dict[str, Reviewed] = {}


def register_reviewed(reviewed: Reviewed) -> None:
    REVIEWED[reviewed.kind] = reviewed


def reviewed(kind: str) -> Reviewed:
    return REVIEWED[kind]


def reviewed_for(model: type[models.Model]) -> Reviewed | None:
    return next((r for r in REVIEWED.values() if r.model is model), None)
