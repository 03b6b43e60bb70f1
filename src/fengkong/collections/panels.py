"""Collections' section of the customer page (customers.detail): the open case, the promise reliability, and
the contact form (two taps on a phone), shown to those who may see cases."""

from __future__ import annotations

from fengkong.core.panels import panel

from .forms import ContactForm
from .queries import open_case_of, promise_reliability


@panel("customers.detail", "collections", order=20, template="collections/_customer.html", slot="main")
def customer_collections(request, *, customer, **_objects) -> dict | None:
    user = request.user
    if not user.has_perm("collections.view_collectioncase"):
        return None
    return {"case": open_case_of(customer, user), "customer": customer, "reliability": promise_reliability(customer),
            "can_log": user.has_perm("collections.add_contact"), "contact_form": ContactForm(),
            "stylesheet": "collections/collections.css"}
