"""Giving each validation result a place: the file and line of the triple that shows the problem.

:func:`locate` fills :attr:`ValidationResult.file` and :attr:`ValidationResult.line` from the
files that were validated (:mod:`jaif_kg.rdf.places` knows the line of each of their triples):

1. the offending value's triple, when the result has one: (focus, path, value) for a path that
   is a predicate, (value, predicate, focus) for an inverse one (``^p``);
2. else the focus node's first triple as a subject, in the first file that has one;
3. else, for a blank node, the first triple that mentions it at all (as an object).

Files are searched in the order given; within a file, the first triple wins. Blank nodes are
matched by their label: the reader gives every blank node a fresh random label
(``rename_blank_nodes``), and the engines keep the labels of the triples they were given, so a
label found in a file is that very node; a blank node whose label no file has (an engine that
read the files again) is left without a place rather than guessed. A file whose lines cannot
be known (RDF/XML, JSON-LD, a Turtle file the scanner declined) gives the file and no line; the
scanner's reason goes into the report's warnings.

A result left without a place, or without a line, says why in
:attr:`ValidationResult.place_note`: a literal focus node is in no file as a subject, a node no
data file mentions (a ``sh:targetNode`` absent from the data, a term of the ontology), or the
file's lines unknown (see :func:`line_note`).
"""

from __future__ import annotations

import dataclasses
import itertools
import operator
from collections.abc import Iterator, Sequence

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.paths import InvPath
from rdflib.term import Identifier

from jaif_kg.rdf.files import ParsedFile
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.rdf.places import FilePlaces
from jaif_kg.rdf.terms import to_oxigraph
from jaif_kg.shacl.report import ValidationReport, ValidationResult

_Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
_Key = tuple[_Term, _Term, _Term]


def _term(node: Identifier | None) -> _Term | None:
    if node is None:
        return None
    try:
        return to_oxigraph(node)
    except (TypeError, ValueError):
        return None


def _value_triple(result: ValidationResult) -> _Key | None:
    """The triple that holds the offending value, when the path says which it is."""
    focus, value = _term(result.focus_node), _term(result.value)
    if focus is None or value is None:
        return None
    path = result.result_path
    if isinstance(path, URIRef):
        return (focus, ox.NamedNode(str(path)), value)
    if (
        isinstance(path, InvPath)
        and isinstance(path.arg, URIRef)
        and not isinstance(value, ox.Literal)
    ):
        return (value, ox.NamedNode(str(path.arg)), focus)
    return None


@dataclasses.dataclass
class _Found:
    """What one pass over a file found: the first index of each wanted triple, subject, and
    blank node mentioned as an object."""

    triples: dict[_Key, int]
    subjects: dict[_Term, int]
    objects: dict[_Term, int]


def _indices(quads: list[ox.Quad], position: str, terms: set[_Term]) -> Iterator[int]:
    """The index of each quad whose term at ``position`` is one of ``terms``, in order (the
    loop over every quad runs in C: only the quads found reach Python)."""
    if not terms:
        return iter(())
    found = map(terms.__contains__, map(operator.attrgetter(position), quads))
    return itertools.compress(itertools.count(), found)


def _search(parsed: ParsedFile, triples: set[_Key], subjects: set[_Term]) -> _Found:
    found = _Found({}, {}, {})
    quads = parsed.quads
    for index in _indices(quads, "subject", subjects):
        q = quads[index]
        s = q.subject
        found.subjects.setdefault(s, index)
        key = (s, q.predicate, q.object)
        if key in triples:
            found.triples.setdefault(key, index)
    blanks: set[_Term] = {s for s in subjects if isinstance(s, ox.BlankNode)}
    for index in _indices(quads, "object", blanks):
        found.objects.setdefault(quads[index].object, index)
    return found


#: Why a result has no place: its focus node is a literal, or no data file mentions it.
LITERAL_NOTE = "a literal is not in any file"
ABSENT_NOTE = "not in any data file"


def line_note(reason: str | None) -> str | None:
    """Why a located result has no line, from :attr:`FilePlaces.reason`: a declining line finder
    in short (the warning names the file and the details), else the reason itself.

    >>> line_note("lines unknown: the scanner declined (a nested list)")
    'the line finder declined for this file'
    >>> line_note("RDF/XML gives no line per triple")
    'RDF/XML gives no line per triple'
    """
    if reason is None:
        return None
    if "declined" in reason:
        return "the line finder declined for this file"
    return reason


def locate(
    report: ValidationReport, parsed_files: Sequence[ParsedFile], *, base: str = DEFAULT_BASE
) -> ValidationReport:
    """``report`` with each result's ``file`` and ``line`` filled from ``parsed_files`` (the
    files that were validated, read under ``base``), in the same order; where either is
    unknown, ``place_note`` says why.

    A report without results is returned as it is: nothing is read.
    """
    if not report.results:
        return report
    wanted_triples: set[_Key] = set()
    wanted_subjects: set[_Term] = set()
    for r in report.results:
        key = _value_triple(r)
        if key is not None:
            wanted_triples.add(key)
            wanted_subjects.add(key[0])
        focus = _term(r.focus_node)
        if focus is not None:
            wanted_subjects.add(focus)
    places = [FilePlaces(p, base) for p in parsed_files]
    searched = [_search(p, wanted_triples, wanted_subjects) for p in parsed_files]

    def place(r: ValidationResult) -> tuple[int, int] | None:
        """The file (its position) and the index of the triple that shows ``r``."""
        key = _value_triple(r)
        focus = _term(r.focus_node)
        for lookup in ("triples", "subjects", "objects"):
            for n, found in enumerate(searched):
                if lookup == "triples":
                    index = found.triples.get(key) if key is not None else None
                elif focus is None:
                    index = None
                elif lookup == "subjects":
                    index = found.subjects.get(focus)
                else:
                    index = found.objects.get(focus) if isinstance(r.focus_node, BNode) else None
                if index is not None:
                    return n, index
        return None

    chosen = [place(r) for r in report.results]
    asked: dict[int, set[int]] = {}
    for where in chosen:
        if where is not None:
            asked.setdefault(where[0], set()).add(where[1])
    # each file's lines are worked out once, for all the triples asked of it
    lines = {n: places[n].lines_at(indices) for n, indices in sorted(asked.items())}
    results = []
    for r, where in zip(report.results, chosen, strict=True):
        note: str | None
        if where is None:
            note = LITERAL_NOTE if isinstance(r.focus_node, Literal) else ABSENT_NOTE
            results.append(dataclasses.replace(r, file=None, line=None, place_note=note))
        else:
            n, index = where
            line = lines[n][index]
            note = line_note(places[n].reason) if line is None else None
            results.append(dataclasses.replace(r, file=places[n].path, line=line, place_note=note))
    warnings = list(report.warnings)
    for n in sorted(asked):
        reason = places[n].reason
        if reason is not None and "declined" in reason:
            warnings.append(f"{places[n].path}: {reason}")
    return dataclasses.replace(report, results=results, warnings=warnings)
