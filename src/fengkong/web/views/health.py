"""A liveness probe for load balancers and the process supervisor: JSON, no database, no session.

It is also the "bare Django JSON view" the credit-check benchmark compares against: the same server,
middleware and JSON rendering, with no work behind it.
"""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})
