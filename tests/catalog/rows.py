"""Rows of a named query as the CLI's ``--format json`` writes them, for tests that compare a door
against the library."""

from __future__ import annotations

from jaif_kg.sparql.results import JsonValue, plain_value
from jaif_kg.store.base import QueryResult


def plain_rows(result: QueryResult) -> list[dict[str, JsonValue]]:
    """SELECT rows as JSON objects, one key per variable (null when unbound)."""
    return [{v: plain_value(row.get(v)) for v in result.variables} for row in result.rows]
