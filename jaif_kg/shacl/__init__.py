"""SHACL validation (https://www.w3.org/TR/shacl/): the front door.

:func:`validate` reads the files (each once; or takes files the caller has read) and runs an
engine: ``fast`` (:mod:`jaif_kg.shacl.fast`, the shapes compiled to SPARQL on Oxigraph),
``pyshacl`` (:mod:`jaif_kg.shacl.pyshacl_engine`, the reference), or ``auto``: fast when it
supports every constraint of the shapes, else pySHACL. Either gives a
:class:`~jaif_kg.shacl.report.ValidationReport`, written by :mod:`jaif_kg.shacl.render`.
``jaif-kg validate``, ``serve`` and ``load`` all validate here.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import pyoxigraph as ox
from rdflib.namespace import SH

from jaif_kg.errors import InputError
from jaif_kg.rdf.files import STDIN_NAME, Contexts, ParsedFile, parse_file, raise_all
from jaif_kg.rdf.graph import graph_of, read_graph
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.shacl.fast import oxigraph_rows, validate_store
from jaif_kg.shacl.fast.compiler import compile_shapes
from jaif_kg.shacl.fast.declined import data_declined
from jaif_kg.shacl.pyshacl_engine import validate_graphs
from jaif_kg.shacl.render import render_json, render_text, render_turtle, summary_line
from jaif_kg.shacl.report import ValidationReport
from jaif_kg.shacl.vocabulary import with_vocabulary_results

__all__ = [
    "ENGINES",
    "Engine",
    "ValidationReport",
    "engine_id",
    "render_json",
    "render_text",
    "render_turtle",
    "summary_line",
    "validate",
]

Engine = Literal["auto", "fast", "pyshacl"]

#: The engines :func:`validate` knows.
ENGINES: tuple[Engine, ...] = ("auto", "fast", "pyshacl")


def validate(
    data: Sequence[Path | str | ParsedFile],
    shapes_paths: Sequence[Path | str],
    ontology_paths: Sequence[Path | str | ParsedFile] = (),
    engine: Engine | str = "auto",
    *,
    base: str = DEFAULT_BASE,
    contexts: Contexts | None = None,
) -> ValidationReport:
    """Validate the merge of ``data`` and ``ontology_paths`` against the shapes files.

    ``data`` and ``ontology_paths`` are files to read or files already read
    (:class:`~jaif_kg.rdf.files.ParsedFile`, e.g. by a caller that afterwards locates the
    results in them); either way each file is read once, and a file given both as data and as
    ontology counts once. Every file is read under ``base`` (rebased when it is not the default
    base, the shapes' SPARQL text included); ``contexts`` are JSON-LD contexts by URL
    (:func:`~jaif_kg.rdf.files.parse_file`). ``pyshacl`` runs pySHACL; ``fast`` runs the fast
    engine and refuses shapes it does not support; ``auto`` runs the fast engine when it
    supports the shapes on this data, else pySHACL.

    A data file without a single triple is not an error: the report's
    :attr:`~ValidationReport.warnings` name it.

    Raises:
        InputError: a file is missing or malformed (file and line;
            :class:`~jaif_kg.errors.InputErrors` listing every error of every file), no shapes,
            an unknown engine, shapes that cannot be used, or (``fast``) shapes the fast engine
            does not support.
    """
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; use one of: {', '.join(ENGINES)}")
    if not shapes_paths:
        raise InputError("no shapes to validate against")
    merged = read_files([*ontology_paths, *data], base=base, contexts=contexts)
    warnings = [f"{pf.path}: no triples in it" for pf in merged if not pf.quads]
    shapes = read_graph(shapes_paths, base=base)
    # The fast engine and the vocabulary check (typos, undescribed instances) read this store.
    store = ox.Store()
    for pf in merged:
        store.extend(pf.quads)
    if engine == "pyshacl":
        report = validate_graphs(graph_of(merged, base=base), shapes)
    else:
        plan = compile_shapes(shapes, oxigraph_rows(store))
        # Literals Oxigraph's store rewrites ("01"^^xsd:integer is stored as "1") or whose
        # well-formedness it judges unlike pySHACL: the fast engine declines such data.
        plan.unsupported.extend(
            data_declined(
                (q.object for pf in merged for q in pf.quads), shapes.objects(None, SH.datatype)
            )
        )
        if engine == "auto" and plan.unsupported:
            report = validate_graphs(graph_of(merged, base=base), shapes)
        else:
            report = validate_store(store, shapes, plan)
    report = with_vocabulary_results(report, store, shapes, base=base)
    report.warnings.extend(warnings)
    return report


def read_files(
    files: Sequence[Path | str | ParsedFile],
    *,
    base: str = DEFAULT_BASE,
    contexts: Contexts | None = None,
) -> list[ParsedFile]:
    """``files`` read (those given as paths), in order, each once (:func:`unique_files`); every
    error of every file is raised at once (:func:`~jaif_kg.rdf.files.raise_all`)."""
    parsed: list[ParsedFile] = []
    errors: list[InputError] = []
    for f in files:
        if isinstance(f, ParsedFile):
            parsed.append(f)
            continue
        try:
            parsed.append(parse_file(f, base=base, contexts=contexts))
        except InputError as exc:
            errors.append(exc)
    raise_all(errors)
    return unique_files(parsed)


def unique_files(files: Sequence[ParsedFile]) -> list[ParsedFile]:
    """``files`` without a file already there (by resolved path; standard input is kept)."""
    seen: set[Path] = set()
    result: list[ParsedFile] = []
    for pf in files:
        key = pf.path.resolve()
        if key not in seen or str(pf.path) == STDIN_NAME:
            seen.add(key)
            result.append(pf)
    return result


def engine_id(engine: Literal["fast", "pyshacl"] | str) -> str:
    """The engine that produced a report (:attr:`ValidationReport.engine`) with what decides its
    results: pySHACL's installed version, or nothing more for the fast engine (its version is
    jaif-kg's). For keys of cached verdicts; pySHACL is not imported.

    >>> engine_id("fast")
    'fast'
    >>> engine_id("pyshacl")  # doctest: +ELLIPSIS
    'pyshacl ...'
    """
    if engine == "pyshacl":
        return f"pyshacl {importlib.metadata.version('pyshacl')}"
    return engine
