"""The contracts' section on the customer page (customers.detail): the customer's contracts and their status."""

from __future__ import annotations

from fengkong.core.panels import panel

from .queries import visible_contracts


@panel("customers.detail", "contracts", order=25, template="contracts/_customer.html", slot="after_invoices")
def customer_contracts(request, *, customer, **_objects) -> dict | None:
    """None for a role that does not read contracts; the register of this customer otherwise (empty too, with
    the way to register one for those who may)."""
    user = request.user
    if not user.has_perm("contracts.view_contract"):
        return None
    contracts = list(visible_contracts(user).filter(customer=customer).prefetch_related("documents")[:50])
    rows = []
    for contract in contracts:
        document = max(contract.documents.all(), key=lambda d: d.version, default=None)
        rows.append({"contract": contract, "flags": len(document.flags) if document else None})
    return {"customer": customer, "rows": rows, "may_add": user.has_perm("contracts.add_contract")}
