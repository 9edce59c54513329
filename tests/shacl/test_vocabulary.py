"""Data-driven tests of :mod:`jaif_kg.shacl.vocabulary`: typos are results.

Each ``tests/fixtures/vocabulary/<case>.ttl`` is validated with the ontology
(``ontology/jaif.ttl``) against the real shapes, under the default base and under another one.
Its header comments state every result it must produce, one block per result starting with
``expect-focus`` (IRIs as ``<...>`` or with a project prefix), and nothing else may be reported:

```
# expect-focus: id:project/typo
# expect-shape: jaifsh:DefinedTermsShape
# expect-component: jaifsh:DefinedTermConstraintComponent
# expect-path: jaif:benefciary
# expect-value: id:country/KHM            (optional)
# expect-message: the whole message        (optional)
```

A case without blocks must produce no result.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from jaif_kg.rdf.files import load_oxigraph
from jaif_kg.rdf.graph import expand, read_graph
from jaif_kg.rdf.namespaces import DEFAULT_BASE, rebase
from jaif_kg.shacl.report import ValidationResult
from jaif_kg.shacl.vocabulary import (
    DEFINED_TERMS_SHAPE,
    VOCABULARY_SHAPES,
    vocabulary_results,
    with_vocabulary_results,
)

REPO = Path(__file__).resolve().parents[2]
ROOT = REPO / "tests" / "fixtures" / "vocabulary"
SHAPES = tuple(sorted((REPO / "ontology" / "shapes").glob("*.shapes.ttl")))
ONTOLOGY = REPO / "ontology" / "jaif.ttl"
SELFTEST_SHAPES = tuple(sorted((REPO / "tests/fixtures/shapes/_selftest").glob("*.shapes.ttl")))
OTHER_BASE = "http://example.org/kg/"
BASES = (DEFAULT_BASE, OTHER_BASE)

_DIRECTIVE = re.compile(r"^#\s*(expect-[a-z]+)\s*:\s*(.+?)\s*$")
_KEYS = ("shape", "component", "path", "value", "message")


@dataclass
class Expected:
    """One ``expect-focus`` block."""

    focus: str
    shape: str | None = None
    component: str | None = None
    path: str | None = None
    value: str | None = None
    message: str | None = None

    def matches(self, r: ValidationResult, base: str) -> bool:
        return (
            _iri(self.focus, base) == str(r.focus_node)
            and _iri(self.shape, base) == str(r.source_shape)
            and _iri(self.component, base) == str(r.constraint_component)
            and _iri(self.path, base) == str(r.result_path)
            and (self.value is None or _iri(self.value, base) == str(r.value))
            and (self.message is None or self.message == r.message)
        )


@dataclass
class Case:
    path: Path
    expected: list[Expected] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.path.stem


def _iri(name: str | None, base: str) -> str:
    if name is None:
        raise ValueError("incomplete expect block: needs expect-focus, -shape, -component, -path")
    iri = expand(name, base)
    if iri is None:
        raise ValueError(f"write {name!r} as <iri> or prefix:local with a project prefix")
    return rebase(iri, base)


def read_case(path: Path) -> Case:
    case = Case(path)
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _DIRECTIVE.match(line.strip())
        if not match:
            continue
        key, value = match.group(1).removeprefix("expect-"), match.group(2)
        if key == "focus":
            case.expected.append(Expected(focus=value))
        elif not case.expected:
            raise ValueError(f"{path}: expect-{key} before any expect-focus")
        elif key in _KEYS:
            setattr(case.expected[-1], key, value)
        else:
            raise ValueError(f"{path}: unknown directive expect-{key}")
    return case


CASES = [read_case(p) for p in sorted(ROOT.glob("*.ttl"))]


@functools.cache
def shapes(base: str, paths: tuple[Path, ...] = SHAPES) -> Graph:
    return read_graph(paths, base=base)


def run(case: Case, base: str, shape_paths: tuple[Path, ...] = SHAPES) -> list[ValidationResult]:
    store = load_oxigraph([ONTOLOGY, case.path], base=base)
    return vocabulary_results(store, shapes(base, shape_paths), base=base)


def _describe(results: list[ValidationResult]) -> str:
    return "\n".join(
        f"  {r.focus_node} {r.result_path} {r.value} {r.source_shape}: {r.message}" for r in results
    )


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case_reports_exactly_what_it_states(case: Case, base: str) -> None:
    results = run(case, base)
    unmatched = list(results)
    for expected in case.expected:
        found = next((r for r in unmatched if expected.matches(r, base)), None)
        assert found is not None, f"expected {expected} among:\n{_describe(results)}"
        unmatched.remove(found)
    assert not unmatched, f"results the case does not state:\n{_describe(unmatched)}"


def test_the_cases_cover_every_check_and_a_clean_file() -> None:
    stated = {_iri(e.shape, DEFAULT_BASE) for c in CASES for e in c.expected}
    assert stated == {str(s) for s in VOCABULARY_SHAPES}
    assert any(not c.expected for c in CASES), "no case states that a file has no result"


def test_the_shipped_graph_has_no_typo() -> None:
    store = load_oxigraph([ONTOLOGY, *sorted((REPO / "graph_data").glob("*.ttl"))])
    assert vocabulary_results(store, shapes(DEFAULT_BASE)) == []


def test_the_checks_run_only_for_shapes_that_declare_them() -> None:
    """Custom shapes (here the self-test's) leave the vocabulary checks out."""
    typo = next(c for c in CASES if c.expected)
    assert run(typo, DEFAULT_BASE)
    assert run(typo, DEFAULT_BASE, SELFTEST_SHAPES) == []


def test_the_shape_decides_the_severity() -> None:
    typo = next(c for c in CASES if c.id == "predicate-typo")
    relaxed = Graph()
    relaxed += shapes(DEFAULT_BASE)
    relaxed.set((DEFINED_TERMS_SHAPE, SH.severity, SH.Warning))
    store = load_oxigraph([ONTOLOGY, typo.path])
    assert {r.severity for r in vocabulary_results(store, relaxed)} == {"Warning"}


def test_results_merge_into_a_report() -> None:
    from jaif_kg.shacl.report import ValidationReport

    typo = next(c for c in CASES if c.id == "class-typo")
    store = load_oxigraph([ONTOLOGY, typo.path])
    report = with_vocabulary_results(ValidationReport(results=[]), store, shapes(DEFAULT_BASE))
    assert not report.conforms
    assert [r.source_shape for r in report.results] == [URIRef(DEFINED_TERMS_SHAPE)]
