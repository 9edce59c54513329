"""``jaif-kg validate``: check RDF files against the SHACL shapes (:mod:`jaif_kg.shacl`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from jaif_kg.cli.args import Subparsers, load_settings, say


def add(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "validate",
        help="check the graph against the SHACL shapes",
        description=(
            "Validate RDF files (default: the shipped ontology and graph_data/) against the SHACL "
            "shapes (default: ontology/shapes/*.shapes.ttl). The ontology is always included, so "
            "that rdfs:subClassOf reaches sh:targetClass. Exit 0 when no result is at or above "
            "--fail-on, 1 when some are, 2 when a file cannot be read (file:line on stderr)."
        ),
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="RDF files to validate")
    p.add_argument(
        "--shapes",
        action="append",
        type=Path,
        metavar="PATH",
        help="a SHACL shapes file, instead of ontology/shapes/ (repeat for several)",
    )
    p.add_argument(
        "--format",
        choices=("text", "turtle", "json"),
        default="text",
        help="text (default): one block per result and a summary; turtle: the SHACL report "
        "graph; json: an array of results",
    )
    p.add_argument(
        "--fail-on",
        choices=("violation", "warning", "info"),
        default="violation",
        help="the least severe result that fails the run (default: violation)",
    )
    p.add_argument(
        "--engine",
        choices=("auto", "fast", "pyshacl"),
        default="auto",
        help="fast: every constraint as a SPARQL query on Oxigraph (seconds for a million "
        "triples); pyshacl: the reference engine; auto (default): fast when it supports every "
        "constraint of the shapes, else pyshacl",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from jaif_kg.rdf.graph import ontology_path, shapes_paths, shipped_paths
    from jaif_kg.shacl import render_json, render_text, render_turtle, validate

    settings = load_settings()
    paths = args.paths or shipped_paths(settings)
    shapes = args.shapes or shapes_paths(settings)
    ontology = [ontology_path(settings)]
    report = validate(paths, shapes, ontology, engine=args.engine, base=settings.base_iri)
    if args.format == "json":
        say(render_json(report))
    elif args.format == "turtle":
        say(render_turtle(report))
    else:
        say(render_text(report, args.fail_on))
    return 0 if report.conforms_at(args.fail_on) else 1
