"""SHACL validation (https://www.w3.org/TR/shacl/): the front door.

:func:`validate` reads the files and runs an engine: ``fast`` (:mod:`jaif_kg.shacl.fast`, the
shapes compiled to SPARQL on Oxigraph), ``pyshacl`` (:mod:`jaif_kg.shacl.pyshacl_engine`, the
reference), or ``auto``: fast when it supports every constraint of the shapes, else pySHACL.
Either gives a :class:`~jaif_kg.shacl.report.ValidationReport`, written by
:mod:`jaif_kg.shacl.render`. ``jaif-kg validate``, ``serve`` and ``load`` all validate here.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from jaif_kg.errors import InputError
from jaif_kg.rdf.files import load_oxigraph
from jaif_kg.rdf.graph import read_graph
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.shacl.fast import oxigraph_rows, validate_store
from jaif_kg.shacl.fast.compiler import compile_shapes
from jaif_kg.shacl.pyshacl_engine import validate_graphs
from jaif_kg.shacl.render import render_json, render_text, render_turtle, summary_line
from jaif_kg.shacl.report import ValidationReport

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
    data_paths: Sequence[Path | str],
    shapes_paths: Sequence[Path | str],
    ontology_paths: Sequence[Path | str] = (),
    engine: Engine | str = "auto",
    *,
    base: str = DEFAULT_BASE,
) -> ValidationReport:
    """Validate the merge of ``data_paths`` and ``ontology_paths`` against the shapes files.

    Every file is read under ``base`` (rebased when it is not the default base, the shapes'
    SPARQL text included). ``pyshacl`` runs pySHACL; ``fast`` runs the fast engine and refuses
    shapes it does not support; ``auto`` runs the fast engine when it supports the shapes on
    this data, else pySHACL.

    Raises:
        InputError: a file is missing or malformed (file and line), no shapes, an unknown
            engine, shapes that cannot be used, or (``fast``) shapes the fast engine does not
            support.
    """
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; use one of: {', '.join(ENGINES)}")
    if not shapes_paths:
        raise InputError("no shapes to validate against")
    data_and_ontology = [*ontology_paths, *data_paths]
    if engine == "pyshacl":
        data = read_graph(data_and_ontology, base=base)
        return validate_graphs(data, read_graph(shapes_paths, base=base))
    shapes = read_graph(shapes_paths, base=base)
    store = load_oxigraph(data_and_ontology, base=base)
    plan = compile_shapes(shapes, oxigraph_rows(store))
    if engine == "auto" and plan.unsupported:
        return validate_graphs(read_graph(data_and_ontology, base=base), shapes)
    return validate_store(store, shapes, plan)


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
