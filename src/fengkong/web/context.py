"""Template context for every page: the user's roles and the plotly version (for its cache-busting URL)."""

import plotly

from fengkong.accounts.roles import roles_of


def navigation(request):
    user = getattr(request, "user", None)
    return {"user_roles": roles_of(user) if user is not None else [], "plotly_version": plotly.__version__}
