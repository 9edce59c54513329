"""Data-driven SHACL shape tests: every shape has valid and invalid cases (see
``tests/fixtures/shapes/README.md``).

A *suite* is a folder of cases with the shapes and ontology they run against:

* ``tests/fixtures/shapes/`` runs against the real shapes (``ontology/shapes/*.shapes.ttl``) and
  ontology (``ontology/jaif.ttl``);
* ``tests/fixtures/shapes/_selftest/`` runs against its own ``*.shapes.ttl`` and other ``*.ttl``
  files (the ontology), and proves the runner works.

A case ``<suite>/<ShapeName>/valid/<case>.ttl`` must conform (no result of any severity); a case
``<suite>/<ShapeName>/invalid/<case>.ttl`` must produce, for each ``expect-focus:`` block of its
header comments, a result with that focus node, shape and constraint component (and path and
severity, when given). ``# with-data: shipped`` adds ``graph_data/`` to the case's data graph;
such a case is validated only at the nodes it describes (the shipped data is checked as a whole
by ``tests/shacl/test_pyshacl_engine.py``), which keeps each run to a tenth of a second.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rdflib import RDF, BNode, Graph, URIRef
from rdflib.namespace import SH

from jaif_kg.rdf.graph import expand, read_graph
from jaif_kg.shacl.pyshacl_engine import validate_graphs
from jaif_kg.shacl.report import ValidationReport, ValidationResult, severity
from jaif_kg.shacl.vocabulary import VOCABULARY_SHAPES

REPO = Path(__file__).resolve().parents[2]
ROOT = REPO / "tests" / "fixtures" / "shapes"
SELFTEST = ROOT / "_selftest"

_EXPECT_KEYS = ("expect-shape", "expect-component", "expect-path", "expect-severity")
_EXPECT_KEYS += ("expect-message",)
_DIRECTIVE = re.compile(r"^#\s*(expect-[a-z]+|with-data)\s*:\s*(.+?)\s*$")


@dataclass(frozen=True)
class Suite:
    """Where a suite's cases live and what they run against."""

    root: Path
    shapes: tuple[Path, ...]
    ontology: tuple[Path, ...]
    data: tuple[Path, ...] = ()


def real_suite() -> Suite:
    return Suite(
        root=ROOT,
        shapes=tuple(sorted((REPO / "ontology" / "shapes").glob("*.shapes.ttl"))),
        ontology=(REPO / "ontology" / "jaif.ttl",),
        data=tuple(sorted((REPO / "graph_data").glob("*.ttl"))),
    )


def selftest_suite() -> Suite:
    shapes = tuple(sorted(SELFTEST.glob("*.shapes.ttl")))
    ontology = tuple(p for p in sorted(SELFTEST.glob("*.ttl")) if p not in shapes)
    return Suite(root=SELFTEST, shapes=shapes, ontology=ontology)


SUITES = {"shapes": real_suite(), "_selftest": selftest_suite()}


@dataclass
class Expectation:
    """One ``expect-focus:`` block."""

    focus: str
    shape: str | None = None
    component: str | None = None
    path: str | None = None
    severity: str | None = None
    message: str | None = None

    def matches(self, r: ValidationResult) -> bool:
        return (
            _iri(self.focus) == str(r.focus_node)
            and _iri(self.shape) == str(r.source_shape)
            and _iri(self.component) == str(r.constraint_component)
            and (self.path is None or _iri(self.path) == str(r.result_path))
            and (self.severity is None or severity(self.severity) == r.severity)
            and (self.message is None or self.message == r.message)
        )


@dataclass
class Case:
    """A fixture file and what its header says."""

    suite: str
    path: Path
    valid: bool
    with_shipped_data: bool = False
    expectations: list[Expectation] = field(default_factory=list)

    @property
    def shape(self) -> str:
        return self.path.parent.parent.name

    @property
    def id(self) -> str:
        return str(self.path.relative_to(ROOT))


def _iri(name: str | None) -> str:
    if name is None:
        raise ValueError("incomplete expect block: needs expect-focus, -shape and -component")
    iri = expand(name.strip())
    if iri is None:
        raise ValueError(f"write {name!r} as <iri> or prefix:local with a project prefix")
    return iri


def read_case(suite: str, path: Path) -> Case:
    case = Case(suite, path, valid=path.parent.name == "valid")
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _DIRECTIVE.match(line.strip())
        if not match:
            continue
        key, value = match.groups()
        if key == "with-data":
            if value != "shipped":
                raise ValueError(f"{path}: with-data must be 'shipped'")
            case.with_shipped_data = True
        elif key == "expect-focus":
            case.expectations.append(Expectation(focus=value))
        elif not case.expectations:
            raise ValueError(f"{path}: {key} before any expect-focus")
        elif key in _EXPECT_KEYS:
            setattr(case.expectations[-1], key.removeprefix("expect-"), value)
        else:
            raise ValueError(f"{path}: unknown directive {key}")
    return case


def cases(suite: str) -> list[Case]:
    root = SUITES[suite].root
    found = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("_")):
        for kind in ("valid", "invalid"):
            for path in sorted((folder / kind).glob("*.ttl")):
                found.append(read_case(suite, path))
    return found


ALL_CASES = [c for suite in SUITES for c in cases(suite)]


@functools.cache
def _graph(paths: tuple[Path, ...]) -> Graph:
    return read_graph(paths)


@functools.cache
def run(case_path: Path, suite: str) -> ValidationReport:
    """Validate one case (once per session)."""
    s = SUITES[suite]
    case = read_case(suite, case_path)
    fixture = read_graph([case_path])
    data = Graph()
    data += _graph(s.ontology)
    if case.with_shipped_data:
        data += _graph(s.data)
    data += fixture
    focus = None
    if case.with_shipped_data:
        focus = sorted({n for n in fixture.subjects() if isinstance(n, URIRef | BNode)})
    return validate_graphs(data, _graph(s.shapes), focus_nodes=focus)


def _describe(report: ValidationReport) -> str:
    from jaif_kg.shacl.render import render_text

    return render_text(report, "Info")


@pytest.mark.parametrize("case", [c for c in ALL_CASES if c.valid], ids=lambda c: c.id)
def test_valid_case_conforms(case: Case) -> None:
    assert not case.expectations, "a valid case expects no result: remove its expect lines"
    report = run(case.path, case.suite)
    assert report.conforms, _describe(report)


@pytest.mark.parametrize("case", [c for c in ALL_CASES if not c.valid], ids=lambda c: c.id)
def test_invalid_case_reports_what_it_states(case: Case) -> None:
    assert case.expectations, "an invalid case must state its expected results (expect-focus...)"
    report = run(case.path, case.suite)
    for expected in case.expectations:
        assert any(expected.matches(r) for r in report.results), (
            f"expected {expected} among:\n{_describe(report)}"
        )


_TEMPLATE = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_no_message_shows_an_unfilled_template(suite: str) -> None:
    """A ``{?var}`` left in a result's message is a variable the solution did not bind."""
    unfilled = sorted(
        f"{c.id}: {r.message}"
        for c in ALL_CASES
        if c.suite == suite and not c.valid
        for r in run(c.path, c.suite).results
        if _TEMPLATE.search(r.message)
    )
    assert not unfilled, "messages with unfilled templates:\n" + "\n".join(unfilled)


def _projected(select: str, prefixes: dict[str, str]) -> set[str]:
    from rdflib.plugins.sparql import prepareQuery

    # pySHACL substitutes $PATH before parsing; any IRI stands for it here.
    query = prepareQuery(select.replace("$PATH", "<urn:path>"), initNs=prefixes)
    return {str(v) for v in query.algebra["PV"]}


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_sparql_messages_use_only_projected_variables(suite: str) -> None:
    """Every ``{?var}`` of a ``sh:sparql`` constraint's message is a variable its SELECT
    projects (``this``, ``path`` and ``value`` included), checked on the parsed query."""
    from jaif_kg.rdf.namespaces import PREFIXES

    g = _graph(SUITES[suite].shapes)
    problems = []
    for constraint in sorted(set(g.objects(None, SH.sparql)), key=str):
        select = g.value(constraint, SH.select)
        assert select is not None, f"{constraint}: no sh:select"
        projected = _projected(str(select), PREFIXES)
        shapes = [*g.subjects(SH.sparql, constraint)]
        messages = [*g.objects(constraint, SH.message)]
        messages += [m for shape in shapes for m in g.objects(shape, SH.message)]
        for message in messages:
            for name in _TEMPLATE.findall(str(message)):
                if name not in projected:
                    problems.append(f"{_local(constraint)}: {{?{name}}} is not projected")
    assert not problems, problems


def _node_shapes(shapes: Graph) -> set[URIRef]:
    return {s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}


def _local(iri: URIRef) -> str:
    return re.split(r"[#/]", str(iri))[-1]


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_every_node_shape_has_valid_and_invalid_cases(suite: str) -> None:
    s = SUITES[suite]
    assert s.shapes, f"suite {suite} has no shapes"
    # jaif_kg.shacl.vocabulary checks these, not a SHACL engine; tests/fixtures/vocabulary/
    # holds their cases.
    vocabulary = {_local(n) for n in VOCABULARY_SHAPES}
    names = {_local(n) for n in _node_shapes(_graph(s.shapes))} - vocabulary
    have = {(c.shape, c.valid) for c in ALL_CASES if c.suite == suite}
    missing = sorted(
        f"{name}/{'valid' if valid else 'invalid'}/"
        for name in names
        for valid in (True, False)
        if (name, valid) not in have
    )
    assert not missing, f"shapes without cases in {s.root}: {missing}"


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_every_case_folder_names_a_shape(suite: str) -> None:
    s = SUITES[suite]
    names = {_local(n) for n in _node_shapes(_graph(s.shapes))}
    folders = {c.shape for c in ALL_CASES if c.suite == suite}
    assert folders <= names, f"folders that name no sh:NodeShape: {sorted(folders - names)}"


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_every_sparql_constraint_is_exercised(suite: str) -> None:
    s = SUITES[suite]
    constraints = set(_graph(s.shapes).objects(None, SH.sparql))
    reported = {
        r.source_constraint
        for c in ALL_CASES
        if c.suite == suite and not c.valid
        for r in run(c.path, c.suite).results
    }
    missing = sorted(str(c) for c in constraints - reported)
    assert not missing, f"sh:sparql constraints that no invalid case triggers: {missing}"


def test_selftest_runner_catches_a_wrong_expectation() -> None:
    """The runner is not vacuous: a case whose expectation is wrong fails to match."""
    case = read_case("_selftest", SELFTEST / "ThingShape" / "invalid" / "missing-name.ttl")
    report = run(case.path, case.suite)
    right = case.expectations[0]
    assert any(right.matches(r) for r in report.results)
    for wrong in (
        Expectation(right.focus, right.shape, "sh:MaxCountConstraintComponent"),
        Expectation("<http://example.org/a>", right.shape, right.component),
        Expectation(right.focus, "jaifsh:ThingShape-note", right.component),
        Expectation(right.focus, right.shape, right.component, severity="Warning"),
    ):
        assert not any(wrong.matches(r) for r in report.results), wrong
    valid = run(SELFTEST / "ThingShape" / "valid" / "named-thing.ttl", "_selftest")
    assert valid.conforms
