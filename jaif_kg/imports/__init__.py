"""``jaif-kg import``: CSV, JSON and XML into RDF, by declarative mappings.

Each kind of input has a reader (:mod:`jaif_kg.imports.readers`: checks the file, finds bad rows
with their line, writes the tables its mapping reads) and a shipped RML mapping
(``mappings/<kind>.rml.ttl``) run by the mapping engine, morph-kgc
(:mod:`jaif_kg.imports.engine`). The front door:

* :func:`convert` turns one file into the quads of one named graph (a :class:`Conversion`);
* :func:`import_into` replaces that graph in a store, all at once (``Store.replace_quads``);
* :func:`write_rdf` writes it to a file (N-Quads, N-Triples, Turtle... by suffix).

Kinds (:data:`KINDS`): ``wdi-csv`` and ``wdi-json`` (World Bank indicators, the CSV download
and the API's JSON), ``iati`` (IATI 2.03 activity XML), ``csv`` (a CSV keyed by country). The
output model of each is in docs/IMPORT.md.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from jaif_kg.errors import InputError
from jaif_kg.imports.countries import CountryTable, country_table
from jaif_kg.imports.engine import EngineFailure, EngineMissing, engine_python, run_mapping
from jaif_kg.imports.readers import (
    Prepared,
    read_csv,
    read_iati,
    read_wdi_csv,
    read_wdi_json,
)
from jaif_kg.rdf.files import document_iri
from jaif_kg.rdf.formats import rdf_format_for_path
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.settings import Settings
from jaif_kg.store.base import Store
from jaif_kg.store.graphs import GraphRecord, check_graph_name, record_graph

__all__ = [
    "KINDS",
    "Conversion",
    "CountryTable",
    "EngineFailure",
    "EngineMissing",
    "convert",
    "graph_countries",
    "import_into",
    "write_rdf",
]

#: The kinds of input ``jaif-kg import`` reads, each with its reader and mapping.
KINDS = ("wdi-csv", "wdi-json", "iati", "csv")


@dataclass
class Conversion:
    """One input file as the quads of one named graph.

    Attributes:
        kind: what the file was read as (one of :data:`KINDS`).
        path: the file.
        source: where it came from (``--source``, else the file's URL), for the graph's record.
        graph: the named graph's IRI.
        quads: its triples, as quads of :attr:`graph`.
        title: what it is, in words.
        sha256: the file's SHA-256 (hex), for the graph's provenance.
        rows: rows (records, activities) read.
        mapped: rows that became RDF.
        skipped: unknown country code -> rows left out (``skip_unknown``).
        seconds: time taken (reading, mapping, parsing the engine's output).
    """

    kind: str
    path: Path
    source: str
    graph: str
    quads: list[ox.Quad]
    title: str
    sha256: str
    rows: int
    mapped: int
    skipped: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def graph_countries(settings: Settings) -> CountryTable:
    """The countries of the shipped graph (ontology and ``settings.data_dir``), under
    ``settings.base_iri``.

    Raises:
        InputError: a file of the graph does not parse.
    """
    from jaif_kg.rdf.graph import shipped_paths

    return country_table(shipped_paths(settings), base=settings.base_iri)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def convert(
    kind: str,
    path: Path | str,
    countries: CountryTable,
    *,
    base: str = DEFAULT_BASE,
    graph: str | None = None,
    namespace: str | None = None,
    key: str | None = None,
    skip_unknown: bool = False,
    source: str | None = None,
    python: str | None = None,
) -> Conversion:
    """Read ``path`` as ``kind`` and map it to RDF.

    Args:
        kind: one of :data:`KINDS`.
        path: the input file.
        countries: the countries codes are checked against (:func:`graph_countries`).
        base: the deployment's base IRI.
        graph: the named graph (default: ``{base}graph/<name>``, the name from the input:
            ``wdi-<indicator>``, ``iati``, ``csv-<file name>``).
        namespace: ``csv`` only, and required there: the IRI the columns' properties go under.
        key: ``csv`` only: the country column (default: found by its name).
        skip_unknown: leave out rows of unknown country codes (counted) instead of failing.
        source: ``wdi-*`` only: the data set's ``dcterms:source`` (default: the file's URL).
        python: the engine's interpreter (default: :func:`~jaif_kg.imports.engine.engine_python`).

    Raises:
        InputError: an unknown kind, a bad argument, or a file that does not fit its mapping
            (file and line); :class:`EngineMissing` without the engine.
        EngineFailure: the engine failed on what the reader accepted.
    """
    started = time.perf_counter()
    path = Path(path)
    if kind not in KINDS:
        raise InputError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    if kind == "csv":
        namespace = _check_namespace(namespace)
    elif namespace is not None or key is not None:
        raise InputError(f"--namespace and --key are for kind csv, not {kind}")
    if graph is not None:
        check_graph_name(graph, base, what="--graph")
    if source is not None:
        _check_iri(source, "--source")
    interpreter = python or engine_python()  # before reading: say early that it is missing
    with tempfile.TemporaryDirectory(prefix="jaif-import-") as tmp:
        workdir = Path(tmp)
        prepared: Prepared
        if kind == "wdi-csv":
            prepared = read_wdi_csv(
                path, workdir, countries, skip_unknown=skip_unknown, source=source
            )
        elif kind == "wdi-json":
            prepared = read_wdi_json(
                path, workdir, countries, skip_unknown=skip_unknown, source=source
            )
        elif kind == "iati":
            prepared = read_iati(path, workdir, countries, skip_unknown=skip_unknown)
        else:
            assert namespace is not None
            prepared = read_csv(
                path, workdir, countries, namespace=namespace, key=key, skip_unknown=skip_unknown
            )
        target = check_graph_name(graph or f"{base}graph/{prepared.graph_name}", base)
        quads = run_mapping(
            prepared.mapping,
            prepared.tables,
            workdir / "engine",
            base=base,
            graph=target,
            python=interpreter,
        )
    return Conversion(
        kind=kind,
        path=path,
        source=source or document_iri(path),
        graph=target,
        quads=quads,
        title=prepared.title,
        sha256=_sha256(path),
        rows=prepared.rows,
        mapped=prepared.mapped,
        skipped=prepared.skipped,
        seconds=time.perf_counter() - started,
    )


def _check_iri(value: str, option: str) -> None:
    """Raise unless ``value`` is an absolute IRI."""
    try:
        ox.NamedNode(value)
    except ValueError as exc:
        raise InputError(f"{option}: {value!r} is not an absolute IRI ({exc})") from None
    if ":" not in value:
        raise InputError(f"{option}: {value!r} is not an absolute IRI")


def _check_namespace(namespace: str | None) -> str:
    """The namespace of a generic CSV's properties: an absolute IRI ending in ``/`` or ``#``,
    without the characters an RML template reserves."""
    if not namespace:
        raise InputError(
            "kind csv needs --namespace IRI: the columns become properties under it "
            "(e.g. https://example.org/my-data#)"
        )
    _check_iri(namespace, "--namespace")
    if not namespace.endswith(("/", "#")) or any(c in namespace for c in '{}\\"'):
        raise InputError(
            f"--namespace: {namespace!r} must end in '/' or '#' and hold none of {{ }} \\ \""
        )
    return namespace


def import_into(store: Store, conversion: Conversion, *, base: str = DEFAULT_BASE) -> int:
    """Replace the conversion's graph in ``store`` with its quads, in one step (all or nothing:
    ``Store.replace_quads``), record its provenance in the metadata graph
    (:func:`jaif_kg.store.graphs.record_graph`: source, SHA-256, time, triples, title); return
    the triples the store then holds there.

    Args:
        store: the store (embedded, or a server through its replace-graph writes).
        conversion: what :func:`convert` made.
        base: the deployment's base IRI (where the metadata graph is).
    """
    store.replace_quads(conversion.quads, conversion.graph)
    held = store.count(conversion.graph)
    record = GraphRecord(
        graph=conversion.graph,
        source=conversion.source,
        sha256=conversion.sha256,
        triples=held,
        title=conversion.title,
    )
    record_graph(store, record, base=base)
    return held


def write_rdf(conversion: Conversion, out: Path) -> None:
    """Write the conversion to ``out`` in the syntax its suffix names (``.nq``, ``.trig``: the
    quads with their graph; others: the triples), written whole to a temporary file first and
    then moved, so that ``out`` is the old file or the new one, never half of one.

    Raises:
        InputError: a suffix that names no RDF syntax, or a file that cannot be written.
    """
    try:
        fmt = rdf_format_for_path(out.name)
    except InputError as exc:
        raise InputError(str(exc), path=str(out)) from None
    items: list[ox.Quad] | list[ox.Triple] = (
        conversion.quads if fmt.datasets else [q.triple for q in conversion.quads]
    )
    partial = out.with_name(f".{out.name}.partial")
    try:
        with partial.open("wb") as file:
            ox.serialize(items, file, fmt.oxigraph)
        partial.replace(out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InputError(f"cannot write: {exc.strerror or exc}", path=str(out)) from None
