"""Every failure the API can meet becomes a JSON answer with a status a client can act on.

401 not signed in, 403 signed in but not allowed, 404 not there or not visible to you (a customer
outside your portfolio is indistinguishable from one that does not exist), 422 bad parameters with the
field at fault (a credit policy: every problem), 409 a credit object no longer in a state that allows the
step (credit.exceptions.Conflict), and 500 only for real bugs, which are logged with their traceback.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from fengkong.credit.exceptions import Conflict, CreditError, NotAllowed, PolicyInvalid, SelfApproval
from fengkong.receivables.exceptions import MissingRate

logger = logging.getLogger("fengkong.api")


def install(api: NinjaAPI) -> None:
    api.add_exception_handler(ValidationError, lambda r, e: invalid_parameters(api, r, e))
    api.add_exception_handler(DjangoValidationError, lambda r, e: invalid_values(api, r, e))
    api.add_exception_handler(AuthenticationError, lambda r, e: not_signed_in(api, r, e))
    api.add_exception_handler(HttpError, lambda r, e: http_error(api, r, e))
    api.add_exception_handler(PermissionDenied, lambda r, e: forbidden(api, r, e))
    api.add_exception_handler(Http404, lambda r, e: not_found(api, r, e))
    api.add_exception_handler(CreditError, lambda r, e: credit_refused(api, r, e))
    api.add_exception_handler(PolicyInvalid, lambda r, e: policy_invalid(api, r, e))
    api.add_exception_handler(MissingRate, lambda r, e: api.create_response(r, {"detail": str(e)}, status=409))
    api.add_exception_handler(Exception, lambda r, e: bug(api, r, e))


def invalid_parameters(api: NinjaAPI, request: HttpRequest, exc: ValidationError):
    errors = [_error_entry(error) for error in exc.errors]
    return api.create_response(request, {"detail": _("Some request parameters are not valid."),
                                         "errors": errors}, status=422)


def _error_entry(error: dict) -> dict:
    loc = [str(part) for part in error.get("loc", ())]
    location = loc[0] if loc else ""
    field = ".".join(loc[1:]) if len(loc) > 1 else location
    message = str(error.get("msg", "invalid value"))
    return {"location": location, "field": field, "message": message.removeprefix("Value error, ")}


def invalid_values(api: NinjaAPI, request: HttpRequest, exc: DjangoValidationError):
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    errors = [{"location": "body", "field": name, "message": msg} for name, msgs in fields.items() for msg in msgs]
    return api.create_response(request, {"detail": _("Some values are not valid."), "errors": errors},
                               status=422)


def not_signed_in(api: NinjaAPI, request: HttpRequest, exc: AuthenticationError):
    message = exc.message if exc.message != "Unauthorized" else _(
        "Sign in, or send an API token as 'Authorization: Bearer fk_…'.")
    response = api.create_response(request, {"detail": message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="fengkong"'
    return response


def http_error(api: NinjaAPI, request: HttpRequest, exc: HttpError):
    response = api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
    for name, value in getattr(exc, "headers", {}).items():  # a 429's Retry-After (api.auth.TooManyAttempts)
        response[name] = value
    return response


def forbidden(api: NinjaAPI, request: HttpRequest, exc: PermissionDenied):
    return api.create_response(request, {"detail": _("Your role does not allow this.")}, status=403)


def not_found(api: NinjaAPI, request: HttpRequest, exc: Http404):
    detail = str(exc) if exc.args else _("Not found, or not in your portfolio.")
    return api.create_response(request, {"detail": detail}, status=404)


def credit_refused(api: NinjaAPI, request: HttpRequest, exc: CreditError):
    """A credit step refused: 403 for who may not take it (self-approval, the wrong role), 409 for an
    object no longer in a state that allows it (decided, voted already, replayed reference)."""
    status = 403 if isinstance(exc, SelfApproval | NotAllowed) else 409 if isinstance(exc, Conflict) else 422
    return api.create_response(request, {"detail": str(exc)}, status=status)


def policy_invalid(api: NinjaAPI, request: HttpRequest, exc: PolicyInvalid):
    errors = [{"location": "body", "field": "config", "message": problem} for problem in exc.problems]
    return api.create_response(request, {"detail": _("The credit policy has problems."), "problems": exc.problems,
                                         "errors": errors}, status=422)


def bug(api: NinjaAPI, request: HttpRequest, exc: Exception):
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return api.create_response(request, {"detail": _("Internal error; it has been logged.")}, status=500)
