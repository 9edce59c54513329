"""``jaif-kg validate``: check RDF files against the SHACL shapes (:mod:`jaif_kg.shacl`).

What it reads (files, folders, standard input, every RDF syntax, JSON-LD contexts) is described
in ``docs/VALIDATION.md``; the reading itself is :func:`jaif_kg.rdf.files.read_inputs`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from jaif_kg.cli.args import Subparsers, key_file, load_settings, say
from jaif_kg.errors import InputError
from jaif_kg.settings import Settings

if TYPE_CHECKING:
    from jaif_kg.rdf.files import ParsedFile
    from jaif_kg.shacl.report import ValidationReport

#: The folder ``validate`` reads when no path is named, in the current directory.
DATA_FOLDER = "graph_data"


#: ``--context URL=FILE`` (also ``jaif-kg diff``'s).
context_option = key_file("URL")
#: ``--graph IRI=FILE`` and ``--graph-shapes IRI=FILE``.
graph_option = key_file("IRI")


def add(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "validate",
        help="check the graph against the SHACL shapes",
        description=(
            "Validate RDF data against the SHACL shapes of jaif-kg (ontology/shapes/). PATH is a "
            "file, a folder (every RDF file under it, by suffix) or - for standard input; "
            "without PATH, ./graph_data/ of the current directory (or JAIF_DATA_DIR when set). "
            "The project's ontology is included, so that rdfs:subClassOf reaches sh:targetClass "
            "(with --only-shapes, only when --with-ontology is given). "
            "Exit 0 when no result is at or above --fail-on, 1 when some are, 2 when an input "
            "cannot be read (every such error on stderr, file:line). See docs/VALIDATION.md."
        ),
    )
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="RDF files, folders, or - (standard input); default: ./graph_data/",
    )
    p.add_argument(
        "--shapes",
        action="append",
        type=Path,
        metavar="PATH",
        help="a SHACL shapes file checked besides the project's shapes (repeat for several)",
    )
    p.add_argument(
        "--only-shapes",
        action="append",
        type=Path,
        metavar="PATH",
        help="a SHACL shapes file checked instead of the project's shapes (repeat for several); "
        "the project's ontology is then left out of the data (see --with-ontology)",
    )
    p.add_argument(
        "--with-ontology",
        action="store_true",
        help="with --only-shapes, still add the project's ontology to the data validated (it is "
        "always added otherwise, so that rdfs:subClassOf reaches sh:targetClass)",
    )
    p.add_argument(
        "--graph",
        action="append",
        type=graph_option,
        default=[],
        metavar="IRI=FILE",
        help="extra data in the named graph IRI (a file or folder; repeatable): the project's "
        "shapes check only what in it describes the project's resources (see "
        "docs/VALIDATION.md, 'Validating a merged dataset')",
    )
    p.add_argument(
        "--graph-shapes",
        action="append",
        type=graph_option,
        default=[],
        metavar="IRI=SHAPES",
        help="SHACL shapes for the --graph IRI alone (repeatable): run on that graph plus the "
        "project's data, reporting on what the graph describes",
    )
    p.add_argument(
        "--input-format",
        metavar="NAME",
        help="the syntax of standard input and of the files named (not of those found in a "
        "folder): turtle, ntriples, nquads, trig, jsonld, rdfxml or n3 (default: by suffix)",
    )
    p.add_argument(
        "--stdin-base",
        metavar="IRI",
        help="the IRI relative IRIs of standard input are resolved against (default: "
        "file:///dev/stdin; a file's are resolved against its own file:// URL)",
    )
    p.add_argument(
        "--context",
        action="append",
        type=context_option,
        default=[],
        metavar="URL=FILE",
        help="read the JSON-LD context URL from the local FILE (repeat for several); the "
        "network is never used, and the project's own context is known already",
    )
    p.add_argument(
        "--format",
        choices=("text", "turtle", "json", "junit", "sarif", "github", "markdown"),
        default="text",
        help="text (default): one block per result (with file:line) and a summary; turtle: the "
        "SHACL report graph; json: an object with the verdict, counts and typed results, each "
        "with a stable id; junit: JUnit XML, one test suite per shape; sarif: SARIF 2.1.0 for "
        "code scanning; github: GitHub Actions annotations; markdown: a summary for "
        "$GITHUB_STEP_SUMMARY or a merge-request comment. On exit 2, json, junit and sarif "
        "still print a document that describes every input error, github one ::error "
        "annotation each and markdown a list of them",
    )
    p.add_argument(
        "--fail-on",
        choices=("violation", "warning", "info"),
        default="violation",
        help="the least severe result that fails the run (default: violation)",
    )
    p.add_argument(
        "--changed-since",
        metavar="REV",
        help="report only results about resources that the change since git revision REV "
        "touched (subjects and objects of statements added or removed in the files validated; "
        "a blank node counts for the resource that owns it); the whole graph is still "
        "validated, and the exit code reflects only the results reported",
    )
    p.add_argument(
        "--baseline",
        type=Path,
        metavar="REPORT",
        help="report only results that are not in REPORT, an earlier `--format json` output "
        "(matched on what they say, not where); the exit code reflects only those reported",
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


def default_inputs(settings: Settings) -> list[Path]:
    """What ``validate`` reads when no path is named: ``JAIF_DATA_DIR`` when it is set, else
    ``./graph_data`` of the current directory (never the data of the installed package).

    Raises:
        InputError: there is no such folder.
    """
    if "data_dir" in settings.model_fields_set:
        if not settings.data_dir.is_dir():
            raise InputError("no such folder (JAIF_DATA_DIR)", path=str(settings.data_dir))
        return [settings.data_dir]
    folder = Path(DATA_FOLDER)
    if not folder.is_dir():
        raise InputError(
            f"no {DATA_FOLDER}/ folder in the current directory ({Path.cwd()}): name the files "
            "or folders to validate (jaif-kg validate PATH...)"
        )
    return [folder]


def read_contexts(pairs: list[tuple[str, Path]]) -> dict[str, bytes]:
    """The ``--context`` files, read.

    Raises:
        InputError: a file that cannot be read (named, with the option).
    """
    from jaif_kg.rdf.files import read_input

    contexts: dict[str, bytes] = {}
    for url, file in pairs:
        try:
            contexts[url] = read_input(file)
        except InputError as exc:
            raise InputError(f"{exc} (--context {url}=FILE)") from None
    return contexts


def run(args: argparse.Namespace) -> int:
    """Validate, print the report in ``--format``; on an unusable input (exit 2), every format
    but text and turtle still prints what describes it (:func:`render_error`), and the error
    goes on to the one-line messages on stderr."""
    from jaif_kg.rdf.graph import quiet_ill_typed_literals
    from jaif_kg.shacl.render import render_error

    try:
        with quiet_ill_typed_literals():  # sh:datatype reports them; rdflib need not
            return run_report(args)
    except InputError as exc:
        document = render_error(exc, args.format)
        if document is not None:
            say(document)
        raise


def run_report(args: argparse.Namespace) -> int:
    from jaif_kg.rdf.files import STDIN_BASE, project_contexts, read_inputs
    from jaif_kg.rdf.formats import input_format_named
    from jaif_kg.rdf.graph import shapes_paths
    from jaif_kg.shacl import validate
    from jaif_kg.shacl.locate import locate
    from jaif_kg.shacl.render import render

    settings = load_settings()
    sources = args.paths or default_inputs(settings)
    shapes = [*(args.only_shapes or shapes_paths(settings)), *(args.shapes or [])]
    fmt = None if args.input_format is None else input_format_named(args.input_format)
    contexts = {
        **project_contexts(settings.base_iri, settings.public_url),
        **read_contexts(args.context),
    }
    files = read_inputs(
        sources,
        base=settings.base_iri,
        fmt=fmt,
        contexts=contexts,
        stdin_base=args.stdin_base or STDIN_BASE,
    )
    ontology = project_ontology(args, settings)
    if args.graph:
        report, graph_files = validate_graphs(args, files, shapes, ontology, settings, contexts)
        files = [*files, *graph_files]
    else:
        report = validate(files, shapes, ontology, engine=args.engine, base=settings.base_iri)
        report = locate(report, files, base=settings.base_iri)
    report, notes = only_changes(report, args, files, settings.base_iri)
    for warning in report.warnings:
        print(f"jaif-kg validate: warning: {warning}", file=sys.stderr)
    say(render(report, args.format, args.fail_on))
    for note in notes:  # in the text output; on stderr with the other formats
        if args.format == "text":
            say(note)
        else:
            print(f"jaif-kg validate: {note}", file=sys.stderr)
    return 0 if report.conforms_at(args.fail_on) else 1


def project_ontology(args: argparse.Namespace, settings: Settings) -> list[Path]:
    """The ontology merged into the data: the project's, so that ``rdfs:subClassOf`` reaches the
    project shapes' ``sh:targetClass``; none with ``--only-shapes`` (a user's shapes use their
    own ontology, passed as data) unless ``--with-ontology``."""
    from jaif_kg.rdf.graph import ontology_path

    if args.only_shapes and not args.with_ontology:
        return []
    return [ontology_path(settings)]


def validate_graphs(
    args: argparse.Namespace,
    files: list[ParsedFile],
    shapes: list[Path],
    ontology: list[Path],
    settings: Settings,
    contexts: dict[str, bytes],
) -> tuple[ValidationReport, list[ParsedFile]]:
    """``--graph`` and ``--graph-shapes``: the dataset validated and located
    (:func:`jaif_kg.shacl.dataset.validate_dataset`), and the files of the extra graphs."""
    from jaif_kg.rdf.files import read_inputs
    from jaif_kg.shacl.dataset import DataGraph, graphs_from_options, validate_dataset

    try:
        named = graphs_from_options(args.graph, args.graph_shapes)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    read = [
        read_inputs(
            [f for f in g.files if isinstance(f, Path | str)],  # paths: the options name files
            base=settings.base_iri,
            contexts=contexts,
        )
        for g in named
    ]
    graphs = [DataGraph(g.iri, tuple(fs), g.shapes) for g, fs in zip(named, read, strict=True)]
    report = validate_dataset(
        files, graphs, shapes, ontology, args.engine, base=settings.base_iri, contexts=contexts
    )
    return report, [pf for fs in read for pf in fs]


def only_changes(
    report: ValidationReport, args: argparse.Namespace, files: list[ParsedFile], base: str
) -> tuple[ValidationReport, list[str]]:
    """``report`` filtered by ``--changed-since`` and ``--baseline``
    (:mod:`jaif_kg.shacl.changes`), with one note per filter saying how many results it left
    out."""
    from jaif_kg.shacl.changes import keep_new, keep_touched, read_baseline, touched_since

    notes: list[str] = []
    if args.changed_since is not None:
        touched = touched_since(args.changed_since, files, base=base)
        report, count = keep_touched(report, touched)
        notes.append(
            f"{count} result(s) left out: about resources unchanged since {args.changed_since}."
        )
    if args.baseline is not None:
        report, count = keep_new(report, read_baseline(args.baseline))
        notes.append(f"{count} result(s) left out: already in the baseline {args.baseline}.")
    return report, notes
