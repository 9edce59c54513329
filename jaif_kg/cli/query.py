"""``jaif-kg query``: run a named query on the shipped graph and print its answer as a table,
JSON or CSV."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from jaif_kg.cli.args import (
    Subparsers,
    add_store_options,
    check_store_setting,
    load_settings,
    say,
    store_updates,
    utf8_text,
)
from jaif_kg.errors import ParameterError, UnknownQuery

if TYPE_CHECKING:
    from jaif_kg.catalog import Catalog

#: Widest column of a table; longer values end with "…" (json and csv give them whole).
TABLE_CELL_WIDTH = 60


def add(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "query",
        help="run a named query of queries/",
        description=(
            "Run a named query (queries/NAME.rq) on the shipped graph, in the embedded store. "
            "Values are checked against the query's typed parameters; an iri may be written "
            "prefix:local with a project prefix (id:country/KHM). `--list` shows the queries and "
            "their parameters."
        ),
        epilog=(
            "Output: table (default) aligns the columns and shortens IRIs with the project "
            "prefixes, and cuts values longer than 60 characters; json is an array with one "
            "object per row, every variable a key: IRIs and literals as plain strings (language "
            "tags and datatypes dropped), except that XSD "
            "integers, decimals and doubles are JSON numbers and booleans are true/false, and "
            "unbound values are null; csv is RFC 4180 with a header row, IRIs in full. ASK prints "
            "true or false. CONSTRUCT and DESCRIBE print Turtle (table), or one row per triple "
            "(subject, predicate, object) in json and csv."
        ),
    )
    p.add_argument("name", nargs="?", type=utf8_text, metavar="NAME", help="the query's name")
    p.add_argument(
        "--param",
        "-p",
        action="append",
        type=utf8_text,
        default=[],
        metavar="KEY=VALUE",
        help="a parameter value (repeat for several)",
    )
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--list", action="store_true", help="list the named queries and exit")
    add_store_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from jaif_kg.catalog import Catalog, run_named
    from jaif_kg.rdf.canonical import graph_turtle
    from jaif_kg.rdf.graph import new_graph
    from jaif_kg.rdf.namespaces import project_prefixes
    from jaif_kg.sparql.results import plain_value
    from jaif_kg.store import load_shipped, open_store

    settings = load_settings().model_copy(update=store_updates(args))
    check_store_setting(settings)
    catalog = Catalog.from_dir(
        settings.queries_dir, base=settings.base_iri, rdflib=settings.store == "rdflib"
    )
    if args.list:
        say(_list_queries(catalog))
        return 0
    if not args.name:
        raise UnknownQuery(f"name a query; known: {', '.join(catalog.names())}")
    query = catalog[args.name]
    values = _parse_params(args.param)
    query.bind(values)  # refuse bad parameters before loading anything
    store = open_store(settings)
    load_shipped(store, settings)
    try:
        result = run_named(store, query, values)
    finally:
        store.close()
    if result.kind == "boolean":
        say("true" if result.boolean else "false")
        return 0
    if result.kind == "graph":
        variables = ["subject", "predicate", "object"]
        rows = [dict(zip(variables, t, strict=True)) for t in result.triples]
        if args.format == "table":
            graph = new_graph(query.prefixes(), base=settings.base_iri)
            for t in result.triples:
                graph.add(t)
            say(graph_turtle(graph))
            return 0
    else:
        variables, rows = result.variables, result.rows
    if args.format == "json":
        objects = [{v: plain_value(row.get(v)) for v in variables} for row in rows]
        say(json.dumps(objects, indent=2, ensure_ascii=False))
    elif args.format == "csv":
        sys.stdout.write(format_csv(variables, rows))
    else:
        say(format_table(variables, rows, prefixes=project_prefixes(settings.base_iri)))
    return 0


def _parse_params(items: Sequence[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ParameterError(f"--param {item!r}: write KEY=VALUE")
        if key in values:
            raise ParameterError(f"--param {key!r} is given twice")
        values[key] = value
    return values


def _list_queries(catalog: Catalog) -> str:
    lines = []
    for q in catalog:
        lines.append(f"{q.name}  ({q.kind})  {q.summary}")
        for p in q.parameters:
            need = "required" if p.required else "optional"
            extra = f", default {p.default}" if p.default is not None else ""
            choices = f" one of {'|'.join(p.enum)};" if p.enum else ""
            lines.append(
                f"    --param {p.name}=…  {p.type}, {need}{extra};{choices} {p.description}"
            )
    return "\n".join(lines) + "\n"


def _cell(value: Any, width: int, prefixes: dict[str, str] | None = None) -> str:
    from jaif_kg.rdf.graph import term_text

    text = term_text(value, prefixes=prefixes).replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(
    variables: Sequence[str],
    rows: Sequence[dict[str, Any]],
    width: int = TABLE_CELL_WIDTH,
    prefixes: dict[str, str] | None = None,
) -> str:
    """Aligned columns with a header; IRIs shortened (with ``prefixes``, default the project's),
    long values cut at ``width``. Ends with the row count."""
    cells = [[_cell(row.get(v), width, prefixes) for v in variables] for row in rows]
    widths = [max([len(v), *(len(r[i]) for r in cells)]) for i, v in enumerate(variables)]
    lines = [
        "  ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _csv_text(term: Any) -> str:
    from rdflib import BNode

    if term is None:
        return ""
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def format_csv(variables: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    """RFC 4180 CSV with a header row; IRIs in full, literals as their text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_csv_text(row.get(v)) for v in variables])
    return buffer.getvalue()
