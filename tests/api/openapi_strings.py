"""Every place a client can put a string, read from an OpenAPI schema: for the text fuzz.

A ``Slot`` is one string parameter or one string inside a JSON body (found by walking the body's schema through
``$ref``, ``anyOf``, objects, arrays and ``additionalProperties``), with a function that builds a whole request body
holding a given value there and valid example values everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

Body = Callable[[str], Any]


@dataclass(frozen=True)
class Slot:
    """One string a client controls: a parameter (``where`` is "path" or "query") or a place in the JSON body."""

    method: str
    path: str
    where: str
    name: str
    free: bool  # free text (no enum): a bad value must come back as 422 invalid_text
    checked: bool  # the route reads it; False for extra fields a route accepts and ignores
    body: Body | None = None  # for body slots: the body holding the value


def operations(openapi: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) for every operation in the schema."""
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method.upper(), path, operation


def json_body_schema(operation: dict[str, Any]) -> dict[str, Any] | None:
    """The operation's JSON request body schema, if it takes one."""
    content = operation.get("requestBody", {}).get("content", {})
    return content.get("application/json", {}).get("schema")


class Walker:
    """Finds the string slots of one schema document; ``ignored_extras`` names the object schemas (by title) whose
    extra fields a route accepts but never reads."""

    def __init__(self, openapi: dict[str, Any], ignored_extras: frozenset[str]) -> None:
        self.openapi = openapi
        self.ignored_extras = ignored_extras

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The schema a ``$ref`` points at (itself when it is none)."""
        while "$ref" in schema:
            node: Any = self.openapi
            for part in schema["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def alternatives(self, schema: dict[str, Any]) -> list[dict[str, Any]]:
        """The non-null alternatives of a schema (``anyOf``/``oneOf``), resolved."""
        schema = self.resolve(schema)
        options = schema.get("anyOf") or schema.get("oneOf") or [schema]
        return [self.resolve(option) for option in options if self.resolve(option).get("type") != "null"]

    def example(self, schema: dict[str, Any]) -> Any:
        """A small valid instance of a schema: its example or default, else built from required fields."""
        schema = self.resolve(schema)
        if schema.get("examples"):
            return schema["examples"][0]
        if "default" in schema and schema["default"] is not None:
            return schema["default"]
        if schema.get("enum"):
            return schema["enum"][0]
        options = self.alternatives(schema)
        if len(options) != 1 or options[0] is not schema:
            return self.example(options[0]) if options else None
        kind = schema.get("type")
        if kind == "string":
            return "메타버스 서울"
        if kind in ("integer", "number"):
            return schema.get("minimum", 1)
        if kind == "boolean":
            return False
        if kind == "array":
            return [self.example(schema["items"])] if schema.get("minItems") else []
        if kind == "object":
            props = schema.get("properties", {})
            return {name: self.example(props[name]) for name in schema.get("required", [])}
        return None

    def slots(self, schema: dict[str, Any], instance: Any, label: str, checked: bool = True) -> Iterator[
        tuple[str, bool, bool, Body]
    ]:  # fmt: skip
        """(label, free, checked, body) for every string at or below ``schema``; ``instance`` is the valid value
        the other parts of the body keep."""
        for option in self.alternatives(schema):
            kind = option.get("type")
            if kind == "string" and option.get("format") != "binary":
                yield label, "enum" not in option and "const" not in option, checked, lambda value: value
            elif kind == "array" and "items" in option:
                item = instance[0] if isinstance(instance, list) and instance else self.example(option["items"])
                for inner, free, inner_checked, build in self.slots(option["items"], item, f"{label}[0]", checked):
                    yield inner, free, inner_checked, lambda value, build=build: [build(value)]  # type: ignore[misc]
            elif kind == "object":
                yield from self._object_slots(option, instance, label, checked)

    def _object_slots(
        self, schema: dict[str, Any], instance: Any, label: str, checked: bool
    ) -> Iterator[tuple[str, bool, bool, Body]]:
        base = instance if isinstance(instance, dict) else self.example(schema)
        dot = f"{label}." if label else ""
        for name, prop in schema.get("properties", {}).items():
            child = base.get(name, self.example(prop))  # FastAPI names fields by alias (userRequest, callbackUrl)
            for inner, free, inner_checked, build in self.slots(prop, child, dot + name, checked):
                yield inner, free, inner_checked, lambda value, n=name, b=build: {**base, n: b(value)}
        if schema.get("additionalProperties") not in (None, False):
            read = checked and schema.get("title") not in self.ignored_extras
            yield dot + "<extra value>", True, read, lambda value: {**base, "fuzz_extra": value}
            yield dot + "<extra name>", True, read, lambda value: {**base, value: "값"}

    def all_slots(self) -> Iterator[Slot]:
        """Every string parameter and body string of every operation."""
        for method, path, operation in operations(self.openapi):
            for parameter in operation.get("parameters", []):
                if parameter["in"] not in ("path", "query"):
                    continue
                for option in self.alternatives(parameter["schema"]):
                    if option.get("type") == "string":
                        free = "enum" not in option
                        yield Slot(method, path, parameter["in"], parameter["name"], free, True)
                        break
            schema = json_body_schema(operation)
            if schema is not None:
                for label, free, checked, build in self.slots(schema, self.example(schema), ""):
                    yield Slot(method, path, "body", label, free, checked, build)
