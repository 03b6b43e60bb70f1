"""Sections that higher apps add to a lower app's page: the credit profile and the models' view on the
customer page, the last night's run on the monitoring dashboard, the cash forecast above the worklist.

Why: a page belongs to the app that owns its subject (the customer page to `customers`), but what other
apps know of that subject must appear on it, and a lower app never imports a higher one. So the owner page
asks for the panels registered under its name and renders them in order; each app registers its panels in
its `panels.py` (imported at start-up, core.apps), as Wagtail's hooks add to the admin's pages.

A panel is a template and a function `context(request, **objects) -> dict | None` (None: nothing to show,
for instance because the user may not see it). The page passes its objects by keyword (`customer=...`).
A panel stands in one of its page's slots (`main` unless it says otherwise; the customer page also has
`banner`, above everything, and `after_invoices`); the page renders `panels.slots.<slot>` where that slot
is. Its context may ask for the page's head: `stylesheet` (a static path) and `charts` (plotly is loaded).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

Context = Callable[..., dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    page: str
    name: str
    order: int
    template: str
    context: Context
    slot: str = "main"


@dataclass(frozen=True)
class Rendered:
    name: str
    slot: str
    context: dict[str, Any]
    html: SafeString


class Panels(dict[str, Rendered]):
    """The rendered panels of one page by name, in order, with what the page needs to place and load them."""

    @property
    def slots(self) -> dict[str, list[Rendered]]:
        out: dict[str, list[Rendered]] = {}
        for rendered in self.values():
            out.setdefault(rendered.slot, []).append(rendered)
        return out

    @property
    def stylesheets(self) -> list[str]:
        return list(dict.fromkeys(r.context["stylesheet"] for r in self.values() if r.context.get("stylesheet")))

    @property
    def charts(self) -> bool:
        return any(r.context.get("charts") for r in self.values())


PANELS: dict[str, dict[str, Panel]] = {}


def panel(page: str, name: str, *, order: int, template: str, slot: str = "main") -> Callable[[Context], Context]:
    """Register the decorated context function as the panel `name` of `page`, shown at `order` in `slot`."""

    def register(context: Context) -> Context:
        PANELS.setdefault(page, {})[name] = Panel(page, name, order, template, context, slot)
        return context

    return register


def panels_of(page: str) -> list[Panel]:
    return sorted(PANELS.get(page, {}).values(), key=lambda p: (p.order, p.name))


def render_panels(page: str, request, **objects: Any) -> Panels:
    """Every panel of `page` that has something to show, rendered in order, by name."""
    out = Panels()
    for item in panels_of(page):
        context = item.context(request, **objects)
        if context is not None:
            out[item.name] = Rendered(item.name, item.slot, context,
                                      render_to_string(item.template, context, request))
    return out
