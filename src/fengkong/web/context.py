"""Template context for every page: the user's roles, the plotly version (for its cache-busting URL), the
functional currency (the code of every sum shown) and the signed-in user's unread inbox count (for the
navigation badge)."""

import plotly
from django.conf import settings
from django.utils.functional import SimpleLazyObject

from fengkong.accounts.roles import roles_of
from fengkong.notifications.models import InboxMessage


def _unread_count(user) -> int:
    return InboxMessage.objects.unread_count(user)


def navigation(request):
    user = getattr(request, "user", None)
    context = {"user_roles": roles_of(user) if user is not None else [], "plotly_version": plotly.__version__,
               "functional_currency": settings.FUNCTIONAL_CURRENCY}  # the code every sum shown is in
    if user is not None and user.is_authenticated:
        # one COUNT query, and only when a template actually shows the badge
        context["inbox_unread"] = SimpleLazyObject(lambda: _unread_count(user))
    return context
