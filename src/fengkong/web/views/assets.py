"""plotly.min.js served straight from the installed plotly package: no CDN, no copy in the repository.

The URL carries the package version, so the file can be cached for a year (`immutable`); upgrading
plotly changes the URL.
"""

from __future__ import annotations

from pathlib import Path

import plotly
from django.http import FileResponse, Http404
from django.views.decorators.http import condition, require_safe

PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
PLOTLY_VERSION = plotly.__version__
YEAR = 365 * 24 * 3600


@require_safe
@condition(etag_func=lambda request, version: f'"plotly-{PLOTLY_VERSION}"')
def plotly_js(request, version: str):
    if version != PLOTLY_VERSION or not PLOTLY_JS.is_file():
        raise Http404("plotly.min.js")
    response = FileResponse(PLOTLY_JS.open("rb"), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response
