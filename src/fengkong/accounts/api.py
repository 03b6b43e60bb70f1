"""GET /me: who the API thinks you are. Open to every signed-in user, even one without a role, so a
client can tell "wrong token" (401) from "no role yet" (roles: [])."""

from __future__ import annotations

from ninja import Router

from fengkong.core.permissions import sees_all
from fengkong.core.schemas import answers, caller

from .roles import roles_of
from .schemas import MeOut

router = Router(tags=["me"])


@router.get("/me", response=answers(MeOut), url_name="me",
            operation_id="fengkong_api_me_me")  # the id clients were generated with
def me(request):
    user = caller(request)
    return {"username": user.username, "name": user.get_full_name(), "email": user.email,
            "roles": roles_of(user), "portfolios": list(user.portfolios.order_by("code")),
            "sees_all_customers": sees_all(user)}
