"""The OpenAPI document, made honest about the parameters FastAPI cannot see.

Routes read their parameters Mastodon style, through ``core.http.params(Model)``: query
string and body (JSON or form) merged, ``key[]`` for arrays. FastAPI sees only a
dependency taking a ``Request``, so this fills in, from each route's models, what it
reads: query parameters for GET, a request body in JSON and form encoding otherwise.
Path parameters named ``*_id`` are documented as ids. The document is built once, on
the first request for it; nothing here runs while serving the API.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from roost.core.http import DESCRIBED, Described

ID_PATH_SCHEMA = {"type": "string", "pattern": "^[0-9]{1,19}$"}
_REF = "#/components/schemas/{model}"


def describe_parameters(app: FastAPI) -> None:
    """Make ``app.openapi()`` include what every route's parameter models read."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            describe_routes(schema, app.routes)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Error",
    "required": ["error"],
    "properties": {
        "error": {"type": "string"},
        "error_description": {"type": "string", "description": "OAuth errors only"},
        "details": {"type": "object", "description": "Per field, where a form was invalid"},
    },
}
_ERROR_RESPONSE = {
    "description": "Refused: the error in words (OAuth endpoints: an RFC 6749 error code)",
    "content": {"application/json": {"schema": {"$ref": _REF.format(model="Error")}}},
}


def describe_routes(schema: dict[str, Any], routes: list[Any]) -> None:
    components: dict[str, Any] = schema.setdefault("components", {}).setdefault("schemas", {})
    # Every refusal is ``{"error": ...}`` (app.py), not FastAPI's ``{"detail": [...]}``.
    components["Error"] = ERROR_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for context in iter_route_contexts(routes):  # through included routers
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        path_item = schema["paths"].get(context.path_format or route.path_format, {})
        described = [DESCRIBED[call] for call in _calls(route.dependant) if call in DESCRIBED]
        for method in route.methods or ():
            operation = path_item.get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            if "application/json" in responses.get("200", {}).get("content", {}):
                responses["4XX"] = _ERROR_RESPONSE
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"].endswith("_id"):
                    parameter["schema"] = {**parameter["schema"], **ID_PATH_SCHEMA}
            for reads in described:
                _describe(operation, reads, method, components)


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def _describe(
    operation: dict[str, Any], reads: Described, method: str, components: dict[str, Any]
) -> None:
    model_schema = _model_schema(reads.model, components)
    if reads.body and method not in {"GET", "HEAD"}:
        form = reads.form_fields or _flat(model_schema)
        operation["requestBody"] = {
            "required": bool(model_schema.get("required")),
            "content": {
                "application/json": {"schema": {"$ref": _REF.format(model=reads.model.__name__)}},
                "application/x-www-form-urlencoded": {"schema": form},
            },
        }
        return
    known = {p["name"] for p in operation.get("parameters", [])}
    required = set(model_schema.get("required", []))
    for name, prop in model_schema.get("properties", {}).items():
        items = _array_items(prop)
        parameter: dict[str, Any] = (
            {"name": name, "in": "query", "required": name in required, "schema": prop}
            if items is None
            else {
                "name": f"{name}[]",
                "in": "query",
                "required": False,
                "schema": {"type": "array", "items": items},
                "style": "form",
                "explode": True,
            }
        )
        if parameter["name"] not in known:
            operation.setdefault("parameters", []).append(parameter)


def _model_schema(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    """The model's JSON schema (kept in ``components`` too), nested models as refs."""
    schema = model.model_json_schema(ref_template=_REF, mode="validation")
    components.update(schema.pop("$defs", {}))
    components[model.__name__] = schema
    return schema


def _array_items(prop: dict[str, Any]) -> dict[str, Any] | None:
    """The item schema if ``prop`` may be an array (``key[]`` in a query or form)."""
    for option in [prop, *prop.get("anyOf", [])]:
        if option.get("type") == "array":
            items: dict[str, Any] = option.get("items", {})
            return items
    return None


def _flat(model_schema: dict[str, Any]) -> dict[str, Any]:
    """The model as a form: arrays as ``key[]`` fields."""
    properties: dict[str, Any] = {}
    for name, prop in model_schema.get("properties", {}).items():
        items = _array_items(prop)
        if items is None:
            properties[name] = prop
        else:
            properties[f"{name}[]"] = {"type": "array", "items": items}
    flat: dict[str, Any] = {"type": "object", "properties": properties}
    if model_schema.get("required"):
        flat["required"] = model_schema["required"]
    return flat
