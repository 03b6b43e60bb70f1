"""Who sees which customers: the one place where portfolio scoping is decided.

Every view, export and API endpoint asks `scope(queryset, user)` (or customers.queries.visible_customers,
which is `scope` on the customers); nothing
else filters by portfolio. A user needs the model's view permission at all; with
`customers.view_all_customers` they see the whole book, without it only the customers of the
portfolios they are a member of.

Aggregates obey the same rule as rows (docs/permissions.md, "Totals"): a sum or count a page shows is
taken over `scope(...)`'d rows at read time; a figure stored once for the whole company (a back-test made
at training, a policy's what-if made when it was proposed) is stored per portfolio as well, and a scoped
user gets the sum of `own_portfolios(user)`'s parts; a stored figure without parts is withheld from them.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet


def sees_all(user) -> bool:
    return bool(user and user.is_active and user.has_perm("customers.view_all_customers"))


def scope(queryset: QuerySet, user, customer_path: str = "customer") -> QuerySet:
    """Restrict `queryset` to rows whose customer (at `customer_path`, '' for Customer itself) the user may see."""
    model = queryset.model
    perm = f"{model._meta.app_label}.view_{model._meta.model_name}"
    if not (user and user.is_authenticated and user.is_active and user.has_perm(perm)):
        return queryset.none()
    if sees_all(user):
        return queryset
    prefix = f"{customer_path}__" if customer_path else ""
    return queryset.filter(**{f"{prefix}portfolio__members": user})


def own_portfolios(user) -> list[int] | None:
    """None for a user who sees the whole book; otherwise the ids of the portfolios they are a member of
    (the parts of a stored per-portfolio figure they may add up; none for an inactive or anonymous user)."""
    if sees_all(user):
        return None
    if not (user and user.is_authenticated and user.is_active):
        return []
    return sorted(user.portfolios.values_list("pk", flat=True))


def require(user, perm: str) -> None:
    if not (user and user.is_authenticated and user.has_perm(perm)):
        raise PermissionDenied(perm)


def users_with_perm(perm: str) -> QuerySet:
    """Active users granted `perm` through a group or directly (superusers are not counted as members)."""
    app_label, codename = perm.split(".", 1)
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    users = get_user_model().objects.filter(is_active=True)
    if permission is None:
        return users.none()
    return users.filter(Q(groups__permissions=permission) | Q(user_permissions=permission)).distinct()
