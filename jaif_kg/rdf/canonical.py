# rdflib's serializer classes have no type annotations; the subclass below calls into them.
# mypy: disable-error-code="no-untyped-call"
"""Canonical Turtle: one byte-exact way to write a graph, so a diff shows a change of meaning.

The writer is rdflib's ``longturtle`` serialiser (sorted subjects, predicates and objects, one
predicate per line) with three changes, each found by round-trip tests:

* blank nodes are first renamed by W3C RDF Dataset Canonicalization (RDFC-1.0, computed by
  pyoxigraph), so their order no longer depends on parse order; rdflib's own ``canon=True`` does
  the same job but took 8.6 s on a file with 1,000 blank nodes, RDFC-1.0 takes 0.04 s;
* literals are written by :func:`turtle_literal`, which keeps the lexical form: ``longturtle``
  writes ``"1"^^xsd:boolean`` as the integer ``1``, ``"1.0e3"^^xsd:double`` as ``1e+03``, and a
  multi-line string that ends in ``\\"`` as invalid Turtle;
* objects are ordered by a total key (rdflib's comparison of literals is by value and leaves
  ties, e.g. ``"01"`` and ``"1"``, in input order).

Prefixes: the project prefixes (:data:`jaif_kg.rdf.namespaces.PREFIXES`) and those the file
declares; only the ones used are written. Every output is re-parsed and compared with the input
(as canonicalized datasets) before it is returned, so a serialiser bug can never change the data.

This is the one Turtle writer: ``jaif-kg fmt``, the dumps, the resource descriptions and the
documents the server publishes all call it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.plugins.serializers.longturtle import (
    OBJECT,
    SUBJECT,
    LongTurtleSerializer,
)
from rdflib.term import Node

from jaif_kg.errors import InputError
from jaif_kg.rdf.files import parse_file
from jaif_kg.rdf.graph import new_graph, to_oxigraph_term, to_rdflib_term
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.settings import Settings

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# Literals Turtle may write bare (https://www.w3.org/TR/turtle/#abbrev), by datatype: the bare
# form is used only when the lexical form is exactly such a token, so the lexical form survives.
_BARE = {
    _XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    _XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    _XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+"),
    _XSD + "boolean": re.compile(r"true|false"),
}

_SHORT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}


def turtle_string(value: str) -> str:
    """Quote a string for Turtle (and SPARQL) so that it reads back exactly.

    One-line strings use ``"..."``; strings with line breaks use ``\"\"\"...\"\"\"`` (readable
    SPARQL in shapes) with backslashes escaped and every quote escaped that could close the
    string: one followed by another quote, or the last character.

    >>> print(turtle_string('say "hi"'))
    "say \\"hi\\""
    >>> print(turtle_string('a\\nb "c"'))
    \"\"\"a
    b "c\\\"\"\"\"
    """
    if "\n" not in value:
        return '"' + "".join(_SHORT_ESCAPES.get(c, c) for c in value) + '"'
    out = []
    last = len(value) - 1
    for i, c in enumerate(value):
        if c == "\\":
            out.append("\\\\")
        elif c == "\r":
            out.append("\\r")
        elif c == '"' and (i == last or value[i + 1] == '"'):
            out.append('\\"')
        else:
            out.append(c)
    return '"""' + "".join(out) + '"""'


def _is_bare(literal: Literal) -> bool:
    bare = _BARE.get(str(literal.datatype)) if literal.datatype is not None else None
    return bare is not None and bare.fullmatch(str(literal)) is not None


def turtle_literal(literal: Literal, datatype_name: str | None = None) -> str:
    """Write a literal in Turtle, keeping its lexical form exactly.

    Args:
        literal: the literal.
        datatype_name: the datatype as a prefixed name, if it has one (else ``<iri>``).

    >>> from rdflib import XSD
    >>> turtle_literal(Literal("01", datatype=XSD.integer, normalize=False))
    '01'
    >>> turtle_literal(Literal("1", datatype=XSD.boolean, normalize=False), "xsd:boolean")
    '"1"^^xsd:boolean'
    >>> turtle_literal(Literal("chat", lang="fr"))
    '"chat"@fr'
    """
    text = str(literal)
    if literal.language:
        return turtle_string(text) + "@" + literal.language
    datatype = str(literal.datatype) if literal.datatype is not None else _XSD + "string"
    if _is_bare(literal):
        return text
    if datatype in (_XSD + "string", _RDF_LANG_STRING):
        return turtle_string(text)
    return turtle_string(text) + "^^" + (datatype_name or f"<{datatype}>")


class CanonicalTurtleSerializer(LongTurtleSerializer):
    """rdflib's longturtle with lexical-form-preserving literals, a total object order, and no
    trailing blanks before nested blank nodes."""

    def _key(self, node: Node) -> tuple[int, str, str, str]:
        """A total order on terms: IRIs, then blank nodes by what they say, then literals."""
        if isinstance(node, URIRef):
            return (0, str(node), "", "")
        if isinstance(node, BNode):
            return (1, self._signature(node, frozenset()), str(node), "")
        if isinstance(node, Literal):
            return (2, str(node.datatype or ""), node.language or "", str(node))
        return (3, str(node), "", "")

    def _signature(self, node: BNode, visiting: frozenset[BNode]) -> str:
        # The content of a blank node, nested blank nodes included: nested blank nodes are
        # ordered by what they say, so adding one elsewhere in the file does not reorder them.
        cache: dict[BNode, str] = self.__dict__.setdefault("_signatures", {})
        if node in cache:
            return cache[node]
        if node in visiting:
            return "_:" + str(node)
        parts = []
        for _, p, o in self.store.triples((node, None, None)):
            if isinstance(o, BNode):
                text = "[" + self._signature(o, visiting | {node}) + "]"
            else:
                text = o.n3()
            parts.append(p.n3() + " " + text)
        signature = " ; ".join(sorted(parts))
        if not visiting:
            cache[node] = signature
        return signature

    def preprocessTriple(self, triple: tuple[Node, Node, Node]) -> None:
        """As longturtle, but a literal written bare (``3``, ``true``) needs no datatype prefix."""
        s, p, o = triple
        if isinstance(o, Literal) and _is_bare(o):
            o = Literal(str(o))
        super().preprocessTriple((s, p, o))

    def label(self, node: Node, position: int) -> str:
        """Write one term; literals through :func:`turtle_literal`."""
        if isinstance(node, Literal):
            datatype_name = None
            if node.datatype is not None and not node.language:
                datatype_name = self.get_pname(node.datatype, False)
            return turtle_literal(node, datatype_name)
        text: str = super().label(node, position)
        return text

    def sortProperties(self, properties: Mapping[Node, list[Node]]) -> list[Node]:
        """Order the predicates as longturtle does (``a`` first), each object list by a total
        key (rdflib's own sort compares literal values and fails on some, e.g. NaN)."""
        for objects in properties.values():
            objects.sort(key=self._key)
        first = [p for p in self.predicateOrder if p in properties]
        rest = sorted((p for p in properties if p not in first), key=self._key)
        return [*first, *rest]

    def objectList(self, objects: list[Node]) -> None:
        """As longturtle, but a nested blank node starts its own line without a blank before."""
        if len(objects) == 0:
            return
        # longturtle's "(count == 1) and 0 or 1" is always 1
        self.depth += 1
        first_nl = False
        if len(objects) > 1:
            if not isinstance(objects[0], BNode):
                self.write("\n" + self.indent(1))
            first_nl = True
        self.path(objects[0], OBJECT, newline=first_nl)
        for obj in objects[1:]:
            self.write(" ,")
            if not isinstance(obj, BNode):
                self.write("\n" + self.indent(1))
            self.path(obj, OBJECT, newline=True)
        self.depth -= 1

    def s_squared(self, subject: Node) -> bool:
        """An unreferenced blank-node subject: ``[]`` on its own line, like a named subject."""
        if self._references[subject] > 0 or not isinstance(subject, BNode):
            return False
        self.write("\n" + self.indent() + "[]\n" + self.indent())
        self.predicateList(subject)
        self.write("\n.")
        return True

    def p_squared(self, node: Node, position: int) -> bool:
        """As longturtle, but a list opens with ``(`` alone and :meth:`doList` breaks lines."""
        if (
            not isinstance(node, BNode)
            or node in self._serialized
            or self._references[node] > 1
            or position == SUBJECT
        ):
            return False
        if self.isValidList(node):
            self.write(" (")
            self.doList(node)
            self.write("\n" + self.indent() + ")")
        else:
            self.subjectDone(node)
            self.write("\n" + self.indent(1) + "[\n")
            self.depth += 1
            self.predicateList(node)
            self.depth -= 1
            self.write("\n" + self.indent(1) + "]")
        return True

    def doList(self, l_: Node | None) -> None:
        """Each list item on its own line (a nested blank node breaks its own line)."""
        while l_:
            item = self.store.value(l_, RDF.first)
            if item is not None:
                if not (isinstance(item, BNode) and self._will_nest(item)):
                    self.write("\n" + self.indent(1))
                self.path(item, OBJECT, newline=True)
                self.subjectDone(l_)
            l_ = self.store.value(l_, RDF.rest)

    def _will_nest(self, node: BNode) -> bool:
        # p_squared writes a blank node inline (with its own line break) in these cases only
        return node not in self._serialized and self._references[node] <= 1


def _canonical_dataset(triples: Iterable[ox.Triple | ox.Quad]) -> ox.Dataset:
    dataset = ox.Dataset(
        q if isinstance(q, ox.Quad) else ox.Quad(q.subject, q.predicate, q.object) for q in triples
    )
    # RDFC-1.0 is the W3C algorithm, so labels do not change with the pyoxigraph version.
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def canonical_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """``triples`` with their blank nodes relabelled by RDF Dataset Canonicalization (RDFC-1.0),
    so that one graph always gets the same labels, whatever order it was read in.

    >>> p = ox.NamedNode("http://example.org/p")
    >>> canonical_triples([ox.Triple(ox.BlankNode("x"), p, ox.Literal("1"))])[0].subject
    <BlankNode value=c14n0>
    """
    return [ox.Triple(q.subject, q.predicate, q.object) for q in _canonical_dataset(triples)]


def _write(triples: Iterable[ox.Triple], prefixes: Mapping[str, str] | None, base: str) -> str:
    """Write triples (blank nodes already labelled) with :class:`CanonicalTurtleSerializer`."""
    graph = new_graph(prefixes, base=base)
    for t in triples:
        graph.add(
            (to_rdflib_term(t.subject), to_rdflib_term(t.predicate), to_rdflib_term(t.object))
        )
    stream = io.BytesIO()
    serializer: Any = CanonicalTurtleSerializer(graph)
    serializer.serialize(stream, encoding="utf-8")
    text = stream.getvalue().decode("utf-8")
    return text.strip("\n") + "\n" if text.strip() else ""


def serialize_canonical(
    triples: Iterable[ox.Triple],
    prefixes: Mapping[str, str] | None = None,
    *,
    base: str = DEFAULT_BASE,
) -> str:
    """Write triples as canonical Turtle (no check; see :func:`canonical_turtle_of`); the project
    prefixes are those under ``base``."""
    return _write(canonical_triples(triples), prefixes, base)


def _quad_text(quads: ox.Dataset) -> set[str]:
    return {str(q) for q in quads}


def _check(text: str, triples: Iterable[ox.Triple], source: str | None) -> str:
    """``text`` if it reads back as the graph of ``triples``; else an :class:`InputError`."""
    try:
        back = list(ox.parse(text.encode("utf-8"), ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        raise InputError(f"canonical Turtle does not parse back ({exc})", path=source) from None
    before = _quad_text(_canonical_dataset(triples))
    after = _quad_text(_canonical_dataset(back))
    if before != after:
        lost = sorted(before - after)[:3]
        gained = sorted(after - before)[:3]
        raise InputError(
            f"canonical Turtle would change the graph (lost {lost}, gained {gained})", path=source
        )
    return text


def canonical_turtle_of(
    triples: Sequence[ox.Triple],
    prefixes: Mapping[str, str] | None = None,
    *,
    source: str | None = None,
    base: str = DEFAULT_BASE,
) -> str:
    """Canonical Turtle of ``triples``, checked to read back as the same graph.

    Raises:
        InputError: the output would not be the same graph (named after ``source``): a
            literal the writer cannot keep, or a serialiser bug.
    """
    return _check(serialize_canonical(triples, prefixes, base=base), triples, source)


def _ox_triple(s: Node, p: Node, o: Node) -> ox.Triple:
    terms: list[Any] = [to_oxigraph_term(s), to_oxigraph_term(p), to_oxigraph_term(o)]
    return ox.Triple(*terms)


def _prefixes(graph: Graph) -> dict[str, str]:
    return {str(prefix): str(namespace) for prefix, namespace in graph.namespaces()}


def graph_turtle(graph: Graph, *, base: str = DEFAULT_BASE) -> str:
    """Canonical Turtle of an rdflib graph, with the prefixes bound in it (the project's under
    ``base``)."""
    triples = [_ox_triple(s, p, o) for s, p, o in graph]
    return canonical_turtle_of(triples, _prefixes(graph), base=base)


def sectioned_turtle(sections: Sequence[tuple[str, Graph]], *, base: str = DEFAULT_BASE) -> str:
    """Canonical Turtle in sections, each under a ``# title`` comment, one prefix block on top.

    Used for a resource's description, so that the resource comes first, then its parts, then
    the links to it (one canonical Turtle would sort them together). Blank nodes are labelled
    once for the whole text (RDFC-1.0 over the sections as named graphs), so a label means the
    same node in every section; empty sections are left out. The text is checked to read back
    as the merge of the sections.
    """
    names = [ox.NamedNode(f"urn:jaif-kg:section:{i}") for i in range(len(sections))]
    quads: list[ox.Quad] = []
    prefixes: dict[str, str] = {}
    for name, (_, graph) in zip(names, sections, strict=True):
        for s, p, o in graph:
            t = _ox_triple(s, p, o)
            quads.append(ox.Quad(t.subject, t.predicate, t.object, name))
        prefixes.update(_prefixes(graph))
    by_section: dict[ox.NamedNode, list[ox.Triple]] = {}
    for q in _canonical_dataset(quads):
        triple = ox.Triple(q.subject, q.predicate, q.object)
        by_section.setdefault(q.graph_name, []).append(triple)
    heads: set[str] = set()
    bodies: list[str] = []
    for name, (title, _) in zip(names, sections, strict=True):
        triples = by_section.get(name)
        if not triples:
            continue
        lines = _write(triples, prefixes, base).splitlines()
        heads.update(line for line in lines if line.startswith("PREFIX "))
        body = "\n".join(line for line in lines if not line.startswith("PREFIX ")).strip()
        bodies.append(f"# {title}\n\n{body}\n")
    text = "\n".join(sorted(heads)) + "\n\n" + "\n".join(bodies)
    return _check(text, (ox.Triple(q.subject, q.predicate, q.object) for q in quads), None)


def canonical_turtle(path: Path | str) -> str:
    """The canonical Turtle of an RDF file, keeping the prefixes it declares.

    Raises:
        InputError: the file is missing or malformed (file and line), or cannot be written
            canonically without changing it.
    """
    parsed = parse_file(path)
    return canonical_turtle_of(parsed.triples, parsed.prefixes, source=str(path))


def default_fmt_paths(settings: Settings) -> list[Path]:
    """What ``jaif-kg fmt`` formats by default: ``ontology/*.ttl``, ``ontology/shapes/*.ttl``
    and ``graph_data/*.ttl``."""
    return [
        *sorted(settings.ontology_dir.glob("*.ttl")),
        *sorted((settings.ontology_dir / "shapes").glob("*.ttl")),
        *sorted(settings.data_dir.glob("*.ttl")),
    ]


def format_files(paths: Iterable[Path | str], check: bool) -> list[Path]:
    """Rewrite Turtle files canonically, or (``check``) only report which are not canonical.

    Every file is read and formatted before any is written, so a malformed file leaves all of
    them untouched.

    Returns:
        The files that changed (or would change), in the order given.

    Raises:
        InputError: a file is not Turtle (by suffix), is missing, or is malformed.
    """
    pending: list[tuple[Path, str]] = []
    for p in paths:
        path = Path(p)
        if path.suffix != ".ttl":
            raise InputError("only Turtle files (.ttl) are formatted", path=str(path))
        text = canonical_turtle(path)
        if path.read_bytes() != text.encode("utf-8"):
            pending.append((path, text))
    if not check:
        for path, text in pending:
            path.write_bytes(text.encode("utf-8"))
    return [path for path, _ in pending]
