"""Golden results of the named queries: the YAML form, and printing a query's current result.

Print what a query answers now, to check by hand against the sources before saving it as
``tests/fixtures/queries/<name>[.<case>].yaml``::

    .venv/bin/python -m tests.golden projects country=KHM

A golden file::

    params: {country: KHM}        # the --param values (optional)
    ordered: true                 # compare rows in order (default: as a multiset)
    rows:                         # SELECT: every row, every bound variable
    - project: id:project/x       # IRIs as prefix:local (project prefixes) or <iri>
      title: A title              # literals as their text (YAML numbers, dates... as text)
    boolean: true                 # ASK, instead of rows
    triples:                      # CONSTRUCT/DESCRIBE, instead of rows (always a set)
    - [id:country/KHM, rdfs:label, Cambodia]

Blank nodes are written ``_:`` and match any blank node.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from rdflib import BNode, URIRef
from rdflib.term import Identifier

from jaif_kg.catalog import Catalog, NamedQuery, run_named
from jaif_kg.rdf.graph import expand, shipped_paths, shorten
from jaif_kg.settings import Settings
from jaif_kg.sparql.lexer import code_mask
from jaif_kg.store import QueryResult, Store, open_store
from jaif_kg.store.loading import load_files as load_store

REPO = Path(__file__).resolve().parent.parent
GOLDEN_DIR = REPO / "tests" / "fixtures" / "queries"

#: A value in comparable form: ("iri", iri), ("literal", text) or ("bnode", "").
Value = tuple[str, str]


def actual_value(term: Identifier) -> Value:
    """A result term in comparable form."""
    if isinstance(term, URIRef):
        return ("iri", str(term))
    if isinstance(term, BNode):
        return ("bnode", "")
    return ("literal", str(term))


def expected_value(written: Any) -> Value:
    """A golden file's value in comparable form (``<iri>`` and ``prefix:local`` are IRIs)."""
    if isinstance(written, bool):
        return ("literal", "true" if written else "false")
    if isinstance(written, dt.date | dt.datetime):
        return ("literal", written.isoformat())
    text = str(written)
    if text == "_:":
        return ("bnode", "")
    iri = expand(text)
    return ("iri", iri) if iri is not None else ("literal", text)


def written_value(term: Identifier) -> str:
    """How the helper writes a term in a golden file."""
    if isinstance(term, URIRef):
        return shorten(str(term))
    if isinstance(term, BNode):
        return "_:"
    return str(term)


def compare(result: QueryResult, golden: Mapping[str, Any]) -> list[str]:
    """Differences between a result and a golden file (empty when they match)."""
    if result.kind == "boolean":
        if "boolean" not in golden:
            return ["the query is an ASK: the golden file needs 'boolean: true|false'"]
        return [] if result.boolean == golden["boolean"] else [f"boolean is {result.boolean}"]
    if result.kind == "graph":
        got_t = Counter(tuple(actual_value(t) for t in triple) for triple in result.triples)
        want_t = Counter(tuple(expected_value(v) for v in t) for t in golden.get("triples") or [])
        return _diff(got_t, want_t)
    got = [tuple(sorted((k, actual_value(v)) for k, v in row.items())) for row in result.rows]
    want = [
        tuple(sorted((str(k), expected_value(v)) for k, v in row.items() if v is not None))
        for row in golden.get("rows") or []
    ]
    if golden.get("ordered"):
        if got == want:
            return []
        if Counter(got) == Counter(want):
            return ["the same rows, in another order"]
    return _diff(Counter(got), Counter(want))


def _diff(got: Counter[Any], want: Counter[Any]) -> list[str]:
    problems = [f"missing: {row}" for row in sorted(want - got)]
    problems += [f"unexpected: {row}" for row in sorted(got - want)]
    return problems


def golden_of(query: NamedQuery, result: QueryResult, params: Mapping[str, str]) -> dict[str, Any]:
    """The golden-file form of a result."""
    data: dict[str, Any] = {}
    if params:
        data["params"] = dict(params)
    if result.kind == "boolean":
        data["boolean"] = result.boolean
    elif result.kind == "graph":
        data["triples"] = sorted([written_value(t) for t in triple] for triple in result.triples)
    else:
        if "ORDER BY" in " ".join(code_mask(query.text).upper().split()):
            data["ordered"] = True
        data["rows"] = [
            {v: written_value(row[v]) for v in result.variables if v in row} for row in result.rows
        ]
    return data


def shipped_store(settings: Settings) -> Store:
    store = open_store(settings)
    load_store(store, shipped_paths(settings))
    return store


def main(argv: Sequence[str]) -> int:
    if not argv or argv[0].startswith("-"):
        print(__doc__)
        return 2
    settings = Settings(store="oxigraph", store_path=None)
    query = Catalog.from_dir(settings.queries_dir)[argv[0]]
    params = dict(item.split("=", 1) for item in argv[1:])
    result = run_named(shipped_store(settings), query, params)
    text = yaml.safe_dump(
        golden_of(query, result, params), sort_keys=False, allow_unicode=True, width=1000
    )
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
