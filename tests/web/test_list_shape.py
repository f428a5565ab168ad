"""Every list endpoint answers one shape, `{"items": [...], "next_offset": n}` (docs/api.md),
read from the OpenAPI schema, so a new list endpoint that answers a bare array fails here."""

import pytest

PAGE_FIELDS = {"items", "next_offset", "next_before"}  # an object of other fields is one thing
# Lists that answer another shape: none. A list added here must say why in docs/api.md.
NOT_YET: set[str] = set()


def answer(spec: dict, operation: dict) -> dict:
    """The schema of an operation's 200 answer, with a top-level $ref followed."""
    schema = operation["responses"].get("200", {}).get("content", {})
    schema = schema.get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


@pytest.fixture
def lists(app) -> dict[str, dict]:
    """Every GET under /api whose answer is a list: a bare array or an object with items."""
    spec = app.openapi()
    found = {}
    for path, operations in spec["paths"].items():
        if "get" not in operations or not path.startswith("/api/"):
            continue
        schema = answer(spec, operations["get"])
        fields = set(schema.get("properties", {}))
        if schema.get("type") == "array" or ("items" in fields and fields <= PAGE_FIELDS):
            found[path] = schema
    return found


def test_there_are_list_endpoints_to_check(lists):
    assert {"/api/v1/tickets", "/api/v1/audit", "/api/v1/admin/accounts"} <= set(lists)


def test_every_list_endpoint_answers_items_and_next_offset(lists):
    wrong = [
        path
        for path, schema in sorted(lists.items())
        if schema.get("type") == "array"
        or {"items", "next_offset"} - set(schema.get("properties", {}))
    ]
    assert sorted(set(wrong) - NOT_YET) == []
    assert sorted(NOT_YET - set(wrong)) == []  # fixed: take it off the list
