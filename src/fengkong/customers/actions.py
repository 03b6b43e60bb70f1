"""State changes of customer master data, one function each: customers, their contacts, customer groups
and financial statements, saved or deleted (what the Django admin does).

Design decisions:
- Each takes a keyword-only `actor`, who needs the model's add, change or delete permission; checks the
  row as the model defines it (MasterDataInvalid); and writes the row and its audit event in one
  transaction: `<name>.created` / `.changed` with the fields before and after (Customer.AUDITED_FIELDS for
  customers, every field for the others), `<name>.deleted` with the fields before. A save that changes
  no audited field writes nothing.
- A financial statement saved or deleted sends customers.signals.financial_statements_changed, as an
  import of statements does (integrations.importer), so the customer is re-assessed once it commits.
- Not durable: the Django admin calls these inside its own transaction.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction

from fengkong.core.audit import record, snapshot
from fengkong.core.models import AuditEvent
from fengkong.core.permissions import require

from .exceptions import MasterDataInvalid
from .models import Contact, Customer, CustomerGroup, FinancialStatement
from .signals import financial_statements_changed


def save_customer(*, actor, customer: Customer) -> Customer:
    _save(actor, customer, "customer", Customer.AUDITED_FIELDS)
    return customer


def delete_customer(*, actor, customer: Customer) -> None:
    """Delete the customer (and, by cascade, what hangs on it: the admin lists that before asking)."""
    _delete(actor, customer, "customer", Customer.AUDITED_FIELDS)


def save_contact(*, actor, contact: Contact) -> Contact:
    _save(actor, contact, "contact")
    return contact


def delete_contact(*, actor, contact: Contact) -> None:
    _delete(actor, contact, "contact")


def save_customer_group(*, actor, group: CustomerGroup) -> CustomerGroup:
    _save(actor, group, "customer_group")
    return group


def delete_customer_group(*, actor, group: CustomerGroup) -> None:
    _delete(actor, group, "customer_group")


def save_financial_statement(*, actor, statement: FinancialStatement) -> FinancialStatement:
    """Save the statement; its customer (both, if it moved to another) is re-assessed after commit."""
    with transaction.atomic():
        if event := _save(actor, statement, "financial_statement"):
            _statements_changed(actor, event.after["customer_id"], (event.before or {}).get("customer_id"))
    return statement


def delete_financial_statement(*, actor, statement: FinancialStatement) -> None:
    with transaction.atomic():
        _delete(actor, statement, "financial_statement")
        _statements_changed(actor, statement.customer_id)


def _statements_changed(actor, *customer_ids: int | None) -> None:
    ids = sorted({pk for pk in customer_ids if pk is not None})
    financial_statements_changed.send(sender=FinancialStatement, customer_ids=ids, actor=actor)


def _save(actor, row: models.Model, name: str, fields: tuple[str, ...] = ()) -> AuditEvent | None:
    """Save `row` with its audit event; None (and nothing written) when no audited field changed."""
    created = row._state.adding
    require(actor, _permission(row, "add" if created else "change"))
    try:
        row.full_clean()
    except ValidationError as exc:
        raise MasterDataInvalid(exc.message_dict) from exc
    fields = _fields(row, fields)
    with transaction.atomic():
        stored = None if created else type(row)._base_manager.select_for_update().filter(pk=row.pk).first()
        before = snapshot(stored, fields) if stored is not None else None
        if before is not None and before == snapshot(row, fields):
            return None
        row.save()
        return record(actor, f"{name}.{'created' if before is None else 'changed'}", name, row.pk, before=before,
                      after=snapshot(row, fields))


def _delete(actor, row: models.Model, name: str, fields: tuple[str, ...] = ()) -> None:
    require(actor, _permission(row, "delete"))
    with transaction.atomic():
        before, pk = snapshot(row, _fields(row, fields)), row.pk
        row.delete()
        record(actor, f"{name}.deleted", name, pk, before=before)


def _fields(row: models.Model, declared: tuple[str, ...]) -> tuple[str, ...]:
    """The fields audited: those declared, else every concrete field but the primary key (as core.admin)."""
    return declared or tuple(f.attname for f in row._meta.concrete_fields if not f.primary_key)


def _permission(row: models.Model, verb: str) -> str:
    return f"{row._meta.app_label}.{verb}_{row._meta.model_name}"
