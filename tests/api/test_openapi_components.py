"""Every component of the OpenAPI schema names one class: django-ninja files each model's schema under its
class name and a second class of the same name silently overwrites the first (issue 20 finding 8: two
`ReasonOut`, so the credit-check and assessment answers were documented with each other's reasons)."""

from __future__ import annotations

import typing
from collections import defaultdict

import pydantic
from ninja import Schema

from fengkong.api.urls import api


def _models_used():
    """Every pydantic model an operation reads or answers with, and the models inside them."""
    found: set[type] = set()

    def walk(tp) -> None:
        if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
            if tp in found:
                return
            found.add(tp)
            for field in tp.model_fields.values():
                walk(field.annotation)
            return
        for arg in typing.get_args(tp):
            walk(arg)

    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in [*operation.models, *operation.response_models.values()]:
                    walk(model)
    return found


def test_no_two_schema_classes_share_a_component_name():
    components = set(api.get_openapi_schema()["components"]["schemas"])
    classes = defaultdict(set)
    for model in _models_used():
        if issubclass(model, Schema) and model.__name__ in components:
            classes[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    shared = {name: sorted(where) for name, where in classes.items() if len(where) > 1}
    assert shared == {}

