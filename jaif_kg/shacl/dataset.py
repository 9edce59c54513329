"""Validating a merged dataset: the shipped graph and named graphs of other data, each with the
shapes that govern it.

SHACL validates one data graph and has no notion of named graphs, so a dataset is validated as
a few SHACL runs through the front door (:func:`jaif_kg.shacl.validate`), one per set of shapes:

* **The project's shapes** run on the shipped data (with the ontology), the whole of each graph
  named under ``{base}graph/`` (the project's own: what ``jaif-kg import`` writes), and the
  *project part* of every other graph (:func:`project_part`): what describes the project's
  own resources (IRIs under ``{base}id/``, or typed with a class of the project's namespaces),
  their blank nodes, and the descriptions of the resources they refer to. An integrator's own
  SKOS concepts, organisations or countries are not the project's data: the project's shapes
  never see them.
* **Each graph's own shapes** (``--graph-shapes IRI=FILE``) run on that graph plus the shipped
  data (so that its shapes can check references into the project's resources, e.g. that a
  concept matches a described country), never on the other extra graphs: a graph's owner
  states rules about its graph, not about a third party's. Only results whose focus node the
  graph describes (a subject of one of its triples) are kept: shapes that target a shared class
  would otherwise report on the shipped data, which the project's shapes already check.

Results are located in the files (:func:`jaif_kg.shacl.locate.locate`), and a result about an
extra graph names the graph at the end of its message (``(graph <IRI>)``). A result found by
two runs (the vocabulary check, say) is reported once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from jaif_kg.rdf.files import Contexts, ParsedFile
from jaif_kg.rdf.graph import to_rdflib_term
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.shacl import Engine, read_files, validate
from jaif_kg.shacl.locate import locate
from jaif_kg.shacl.report import ValidationReport, ValidationResult

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass(frozen=True)
class DataGraph:
    """A named graph of extra data and the shapes its owner validates it with.

    Attributes:
        iri: the graph's name (``serve --graph IRI=FILE``, ``validate --graph IRI=FILE``).
        files: its files, to read or already read.
        shapes: shapes files for this graph alone (``--graph-shapes IRI=FILE``); none: only the
            project's shapes check it, on its project part.
    """

    iri: str
    files: tuple[Path | str | ParsedFile, ...]
    shapes: tuple[Path | str, ...] = ()


def graphs_from_options(
    graph_options: Iterable[tuple[str, Path]], shapes_options: Iterable[tuple[str, Path]]
) -> list[DataGraph]:
    """The ``--graph IRI=FILE`` and ``--graph-shapes IRI=FILE`` options as :class:`DataGraph`
    objects, one per IRI, in the order the IRIs first appear among ``--graph``.

    >>> g = graphs_from_options([("urn:g", Path("a.ttl")), ("urn:g", Path("b.ttl"))],
    ...                         [("urn:g", Path("g.shapes.ttl"))])
    >>> [(x.iri, [str(f) for f in x.files], [str(s) for s in x.shapes]) for x in g]
    [('urn:g', ['a.ttl', 'b.ttl'], ['g.shapes.ttl'])]

    Raises:
        ValueError: shapes for an IRI that no ``--graph`` names.
    """
    files: dict[str, list[Path]] = {}
    for iri, file in graph_options:
        files.setdefault(iri, []).append(file)
    shapes: dict[str, list[Path]] = {}
    for iri, file in shapes_options:
        if iri not in files:
            raise ValueError(f"--graph-shapes {iri}: no --graph {iri}=FILE to apply them to")
        shapes.setdefault(iri, []).append(file)
    return [DataGraph(iri, tuple(fs), tuple(shapes.get(iri, ()))) for iri, fs in files.items()]


def is_project_iri(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, base: str) -> bool:
    """``term`` is an IRI under ``base`` (an instance, a class or property of the project).

    >>> is_project_iri(ox.NamedNode("https://w3id.org/jaif-kg/id/country/KHM"), DEFAULT_BASE)
    True
    >>> is_project_iri(ox.NamedNode("http://example.org/country/KH"), DEFAULT_BASE)
    False
    """
    return isinstance(term, ox.NamedNode) and term.value.startswith(base)


def project_part(quads: Sequence[ox.Quad], base: str = DEFAULT_BASE) -> list[ox.Quad]:
    """The quads of an extra graph that the project's shapes validate, in their order.

    They describe: the project's resources (subjects under ``{base}id/``, or typed with a class
    under ``base``, such as an imported ``jaif:IatiActivity``); the blank nodes they reach; and
    the resources they refer to (one step: their description is what ``sh:class`` and
    ``sh:node`` read, so it is validated as the project's data would be).

    >>> def q(s, p, o):
    ...     return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o))
    >>> T = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    >>> ours = q("urn:a", T, "https://w3id.org/jaif-kg/ontology#IatiActivity")
    >>> ref = q("urn:a", "urn:p", "urn:org")
    >>> org = q("urn:org", T, "http://www.w3.org/ns/org#Organization")
    >>> theirs = q("urn:c", T, "http://www.w3.org/2004/02/skos/core#Concept")
    >>> project_part([ours, ref, org, theirs]) == [ours, ref, org]
    True
    """
    seeds: set[ox.NamedNode | ox.BlankNode | ox.Triple] = set()
    instances = base + "id/"
    for q in quads:
        s = q.subject
        typed_ours = q.predicate.value == _RDF_TYPE and is_project_iri(q.object, base)
        if typed_ours or (isinstance(s, ox.NamedNode) and s.value.startswith(instances)):
            seeds.add(s)
    by_subject: dict[ox.NamedNode | ox.BlankNode | ox.Triple, list[int]] = {}
    for n, q in enumerate(quads):
        by_subject.setdefault(q.subject, []).append(n)
    kept: set[int] = set()
    todo = list(seeds)
    seen = set(seeds)
    referred: set[ox.NamedNode] = set()
    while todo:
        node = todo.pop()
        for n in by_subject.get(node, []):
            kept.add(n)
            o = quads[n].object
            if isinstance(o, ox.BlankNode) and o not in seen:
                seen.add(o)
                todo.append(o)
            elif (
                isinstance(o, ox.NamedNode)
                and o not in seen
                and quads[n].predicate.value != (_RDF_TYPE)
            ):
                referred.add(o)
    for node in referred - seen:
        kept.update(by_subject.get(node, []))
    return [quads[n] for n in sorted(kept)]


def validate_dataset(
    shipped: Sequence[Path | str | ParsedFile],
    graphs: Sequence[DataGraph],
    shapes: Sequence[Path | str],
    ontology: Sequence[Path | str | ParsedFile] = (),
    engine: Engine | str = "auto",
    *,
    base: str = DEFAULT_BASE,
    contexts: Contexts | None = None,
) -> ValidationReport:
    """Validate the shipped data and the extra ``graphs``, each with its shapes (module
    docstring), in one located report.

    Args:
        shipped: the project's data files (``graph_data/``), to read or read.
        graphs: the extra named graphs, with their own shapes.
        shapes: the project's shapes files (``ontology/shapes/*.shapes.ttl``).
        ontology: the ontology files, added to every run (``rdfs:subClassOf`` for targets).
        engine: as :func:`jaif_kg.shacl.validate`, for every run.
        base: the base IRI the files are read under.
        contexts: JSON-LD contexts by URL.

    Raises:
        InputError: as :func:`jaif_kg.shacl.validate` (every unreadable file of every graph).
    """
    onto = read_files(ontology, base=base, contexts=contexts)
    ours = read_files(shipped, base=base, contexts=contexts)
    theirs = [read_files(g.files, base=base, contexts=contexts) for g in graphs]
    project_data = [*ours]
    for graph, files in zip(graphs, theirs, strict=True):
        if graph.iri.startswith(base + "graph/"):
            project_data += files  # a graph of the project's own (what `jaif-kg import` writes)
        else:
            project_data += [
                dataclasses.replace(pf, quads=project_part(pf.quads, base)) for pf in files
            ]
    first = validate(project_data, shapes, onto, engine, base=base, contexts=contexts)
    # a graph file with no project part is not empty: only a file without triples is named
    empty = {f"{pf.path}: no triples in it" for files in theirs for pf in files if pf.quads}
    first.warnings = [w for w in first.warnings if w not in empty]
    reports = [first]
    # a result's graph: the graph whose files describe its focus node (shipped first)
    owner: dict[str, str] = {}
    for graph, files in zip(graphs, theirs, strict=True):
        described = _subjects(files)
        if graph.shapes:
            report = validate([*ours, *files], graph.shapes, onto, engine, base=base)
            report.results = [r for r in report.results if r.focus_node in described]
            reports.append(report)
        for node in described - _subjects(ours):
            owner.setdefault(str(node), graph.iri)
    merged = _merge(reports)
    merged = locate(merged, [*ours, *(pf for files in theirs for pf in files)], base=base)
    merged.results = [_named(r, owner) for r in merged.results]
    return merged


def _subjects(files: Iterable[ParsedFile]) -> set[object]:
    """The subjects of the files' triples, as rdflib terms (as results name focus nodes)."""
    return {to_rdflib_term(q.subject) for pf in files for q in pf.quads}


def _merge(reports: Sequence[ValidationReport]) -> ValidationReport:
    """One report of several runs: each result once, warnings once, counts added."""
    results: dict[tuple[object, ...], ValidationResult] = {}
    for report in reports:
        for r in report.results:
            results.setdefault(r.sort_key(), r)
    warnings = list(dict.fromkeys(w for report in reports for w in report.warnings))
    engines = list(dict.fromkeys(report.engine for report in reports))
    return ValidationReport(
        results=list(results.values()),
        triples=reports[0].triples,
        shapes=sum(report.shapes for report in reports),
        engine=", ".join(engines),
        shapes_graph=reports[0].shapes_graph,
        warnings=warnings,
    )


def _named(r: ValidationResult, owner: dict[str, str]) -> ValidationResult:
    """``r`` with its graph at the end of its message, when its focus node is an extra
    graph's."""
    graph = owner.get(str(r.focus_node))
    if graph is None:
        return r
    return dataclasses.replace(r, message=f"{r.message} (graph <{graph}>)")
