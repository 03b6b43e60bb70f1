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
- Dual review (fengkong.reviews, docs/dual-review.md): a save that changes a sensitive field of a customer
  or contact (`<Model>.SENSITIVE_FIELDS`) saves the other fields at once and holds the sensitive ones as a
  pending change for a second person; so does the credit code of a new customer (`HELD_ON_CREATE`). The
  row is left with the stored values and `row.held_change` is the PendingChange (None: nothing held).
  A confirmed change is written by `apply_customer_change` / `apply_contact_change` with the usual
  `customer.changed` / `contact.changed` event, by the confirmer.
- Not durable: the Django admin calls these inside its own transaction.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction

from fengkong.core.audit import record, snapshot
from fengkong.core.models import AuditEvent
from fengkong.core.permissions import require
from fengkong.reviews.actions import request_change, withhold
from fengkong.reviews.exceptions import ChangeInvalid
from fengkong.reviews.targets import Reviewed

from .exceptions import MasterDataInvalid
from .models import Contact, Customer, CustomerGroup, FinancialStatement, mask_account
from .signals import financial_statements_changed


def save_customer(*, actor, customer: Customer, via: str = "") -> Customer:
    """Save the customer; its sensitive fields wait for review (`customer.held_change`, see above)."""
    _save(actor, customer, "customer", Customer.AUDITED_FIELDS, review=CUSTOMER_REVIEW, via=via)
    return customer


def delete_customer(*, actor, customer: Customer) -> None:
    """Delete the customer (and, by cascade, what hangs on it: the admin lists that before asking)."""
    _delete(actor, customer, "customer", Customer.AUDITED_FIELDS)


def save_contact(*, actor, contact: Contact, via: str = "") -> Contact:
    """Save the contact; a change of its phone, email or address waits for review (`contact.held_change`)."""
    _save(actor, contact, "contact", review=CONTACT_REVIEW, via=via)
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


def apply_customer_change(*, actor, row: Customer, values: dict) -> None:
    """Write a confirmed change of a customer's sensitive fields (reviews.actions.confirm_change)."""
    _apply(actor, row, values, "customer", Customer.AUDITED_FIELDS)


def apply_contact_change(*, actor, row: Contact, values: dict) -> None:
    """Write a confirmed change of a contact's phone, email or address (reviews.actions.confirm_change)."""
    _apply(actor, row, values, "contact")


CUSTOMER_REVIEW = Reviewed("customer", Customer, Customer.SENSITIVE_FIELDS, apply_customer_change, customer_path="",
                           held_on_create=Customer.HELD_ON_CREATE, masks={"bank_account": mask_account})
CONTACT_REVIEW = Reviewed("contact", Contact, Contact.SENSITIVE_FIELDS, apply_contact_change)


def _save(actor, row: models.Model, name: str, fields: tuple[str, ...] = (), review: Reviewed | None = None,
          via: str = "") -> AuditEvent | None:
    """Save `row` with its audit event; None (and nothing written) when no audited field changed. With
    `review`, its sensitive fields are held for a second person instead (`row.held_change`)."""
    created = row._state.adding
    require(actor, _permission(row, "add" if created else "change"))
    _clean(row)
    with transaction.atomic():
        stored = None if created else type(row)._base_manager.select_for_update().filter(pk=row.pk).first()
        held = withhold(review, row, stored) if review else {}
        event = _write(actor, row, name, fields, stored)
        if review:
            row.held_change = request_change(actor=actor, reviewed=review, row=row, changes=held, via=via)
        return event


def _apply(actor, row: models.Model, values: dict, name: str, fields: tuple[str, ...] = ()) -> None:
    with transaction.atomic(savepoint=False):
        stored = type(row)._base_manager.select_for_update().get(pk=row.pk)
        for field, value in values.items():
            setattr(row, field, value)
        try:
            _clean(row)
        except MasterDataInvalid as exc:
            raise ChangeInvalid(str(exc)) from exc
        _write(actor, row, name, fields, stored)


def _clean(row: models.Model) -> None:
    try:
        row.full_clean()
    except ValidationError as exc:
        raise MasterDataInvalid(exc.message_dict) from exc


def _write(actor, row: models.Model, name: str, fields: tuple[str, ...], stored) -> AuditEvent | None:
    fields = _fields(row, fields)
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
