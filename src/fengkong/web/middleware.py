"""Security headers Django does not set itself; a page whose amounts cannot be converted says why."""

from django.conf import settings
from django.shortcuts import render

from fengkong.receivables.exceptions import MissingRate

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-eval'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)


class ContentSecurityPolicyMiddleware:
    """Everything is served from this machine, so the policy allows only 'self'.

    plotly.js needs 'unsafe-eval' for some trace types; inline scripts are not allowed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(getattr(settings, "CSP_EXEMPT_PREFIX", "/admin/")):
            response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class MissingRateMiddleware:
    """A page summing amounts in a currency without an exchange rate (receivables.fx) answers 409 with the
    refusal's message (currency, date, how to add the rate) instead of a 500 or a wrong total."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, MissingRate):
            return render(request, "web/missing_rate.html", {"message": str(exception)}, status=409)
        return None
