"""Differential corpus: for every case under ``tests/fixtures/shacl-parity/``, the fast engine
gives exactly pySHACL's results, or declines and ``auto`` gives pySHACL's.

A case is one TriG file with a ``<urn:shapes>`` graph and a ``<urn:data>`` graph, and a header
(see the folder's README) that says what must happen: ``# parity: same`` (the fast engine runs
and agrees with pySHACL), ``# parity: decline`` (it declines, ``fast`` refuses, ``auto`` gives
pySHACL's results) or ``# parity: error`` (pySHACL and ``auto`` answer with an
:class:`InputError` whose message matches ``# error:``, and the fast engine with the same error
or its refusal). ``# conforms:`` states pySHACL's verdict, so that a case
meant to violate cannot silently conform. Results are compared as a multiset of (focus node,
path, value with its term type, component, source shape, severity, and for SPARQL-based
constraints the message filled from the solution).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from jaif_kg.errors import InputError
from jaif_kg.rdf.graph import to_oxigraph_term, to_rdflib_term
from jaif_kg.shacl import validate
from jaif_kg.shacl.fast import oxigraph_rows, validate_rows, validate_store
from jaif_kg.shacl.fast.compiler import compile_shapes
from jaif_kg.shacl.fast.declined import data_declined
from jaif_kg.shacl.pyshacl_engine import validate_graphs
from jaif_kg.shacl.report import ValidationReport

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "shacl-parity"
SHAPES_GRAPH = URIRef("urn:shapes")
DATA_GRAPH = URIRef("urn:data")

Key = tuple[str, str, str, str, str, str, str]


@dataclass
class Case:
    """One fixture: its graphs and what its header expects."""

    path: Path
    shapes: Graph
    data: Graph
    parity: str
    conforms: bool | None
    error: str | None


def load(path: Path) -> Case:
    text = path.read_text(encoding="utf-8")
    header = dict(re.findall(r"^# (parity|conforms|error): (.+)$", text, flags=re.M))
    dataset = Dataset()
    dataset.parse(data=text, format="trig")
    shapes, data = Graph(), Graph()
    for prefix, namespace in dataset.namespaces():
        shapes.bind(prefix, namespace)
        data.bind(prefix, namespace)
    for triple in dataset.graph(SHAPES_GRAPH):
        shapes.add(triple)
    # The data as jaif-kg reads it (pyoxigraph's parser keeps every lexical form; rdflib's would
    # rewrite "01"^^xsd:integer as "1" and hide what Oxigraph's store canonicalises).
    for quad in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TRIG):
        if quad.graph_name == ox.NamedNode(str(DATA_GRAPH)):
            s, p, o = (to_rdflib_term(t) for t in (quad.subject, quad.predicate, quad.object))
            data.add((s, p, o))
    assert header.get("parity") in ("same", "decline", "error"), f"{path.name}: no # parity:"
    conforms = header.get("conforms")
    return Case(
        path=path,
        shapes=shapes,
        data=data,
        parity=header["parity"],
        conforms=None if conforms is None else conforms.strip() == "true",
        error=header.get("error"),
    )


def _canonical(term: Node | None) -> Node | None:
    """A literal in the lexical form Oxigraph stores (it canonicalises valid numbers and
    dates), with its own data type (a type Oxigraph rewrites must show as a difference)."""
    if not isinstance(term, Literal):
        return term
    store = ox.Store()
    s = ox.NamedNode("urn:s")
    store.add(ox.Quad(s, s, to_oxigraph_term(term)))
    stored = to_rdflib_term(next(iter(store)).object)
    return Literal(str(stored), lang=term.language, datatype=term.datatype)


def _show(term: Node | None, blank: bool) -> str:
    """A term with its type: blank nodes as ``_:`` alone when ``blank`` (different parses)."""
    if term is None:
        return ""
    if isinstance(term, BNode) and blank:
        return "_:"
    return f"{type(term).__name__} {term.n3()}"


def keys(report: ValidationReport, *, blank: bool = False) -> Counter[Key]:
    """The results as a multiset of comparable keys."""
    return Counter(
        (
            _show(r.focus_node, blank),
            r.result_path.n3() if r.result_path is not None else "",
            _show(_canonical(r.value), blank),
            str(r.constraint_component),
            _show(r.source_shape, blank),
            r.severity,
            # SPARQL constraints fill their message from the solution: compared too
            r.message if r.constraint_component == SH.SPARQLConstraintComponent else "",
        )
        for r in report.results
    )


def to_store(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.extend(
        ox.Quad(to_oxigraph_term(s), to_oxigraph_term(p), to_oxigraph_term(o))  # type: ignore[arg-type]
        for s, p, o in graph
    )
    return store


def assert_same(fast: Counter[Key], reference: Counter[Key]) -> None:
    only_fast, only_pyshacl = fast - reference, reference - fast
    assert not only_fast and not only_pyshacl, (
        f"only the fast engine: {sorted(only_fast.elements())}\n"
        f"only pySHACL: {sorted(only_pyshacl.elements())}"
    )


def _files(case: Case, tmp_path: Path) -> tuple[Path, Path]:
    shapes, data = tmp_path / "case.shapes.ttl", tmp_path / "case.nt"
    case.shapes.serialize(shapes, format="turtle")
    case.data.serialize(data, format="nt", encoding="utf-8")  # (Turtle cannot sort a NaN)
    return data, shapes


@pytest.mark.parametrize("path", sorted(CASES.glob("*.trig")), ids=lambda p: p.stem)
def test_fast_engine_gives_pyshacl_verdict_or_declines(path: Path, tmp_path: Path) -> None:
    case = load(path)
    data, shapes = _files(case, tmp_path)
    if case.parity == "error":
        pattern = case.error or ""
        with pytest.raises(InputError, match=pattern):
            validate_graphs(case.data, case.shapes)
        for engine in ("pyshacl", "auto"):
            with pytest.raises(InputError, match=pattern):
                validate([data], [shapes], engine=engine)
        # the fast engine raises the same error, or declines (and then refuses to run)
        with pytest.raises(InputError, match=f"{pattern}|cannot evaluate"):
            validate([data], [shapes], engine="fast")
        return
    plan = compile_shapes(case.shapes, oxigraph_rows(to_store(case.data)))
    reference = validate_graphs(case.data, case.shapes)
    assert reference.conforms is case.conforms, f"pySHACL's verdict is not the case's {path.name}"
    # what the fast engine declines: the shapes, and data whose literals its store rewrites
    declines = [
        *plan.unsupported,
        *data_declined(
            (to_oxigraph_term(o) for _, _, o in case.data), case.shapes.objects(None, SH.datatype)
        ),
    ]
    if case.parity == "same":
        assert not declines, declines
        fast = validate_store(to_store(case.data), case.shapes, plan)
        assert_same(keys(fast), keys(reference))
        assert validate([data], [shapes], engine="auto").engine == "fast"
    else:
        assert declines, "the fast engine should decline these shapes on this data"
        if plan.unsupported:
            with pytest.raises(InputError, match="cannot evaluate"):
                validate_rows(oxigraph_rows(to_store(case.data)), case.shapes, plan=plan)
        auto = validate([data], [shapes], engine="auto")
        assert auto.engine == "pyshacl"
        assert_same(keys(auto, blank=True), keys(reference, blank=True))


def test_the_corpus_covers_every_outcome() -> None:
    parities = Counter(load(p).parity for p in CASES.glob("*.trig"))
    assert parities["same"] >= 30 and parities["decline"] >= 5 and parities["error"] >= 2
