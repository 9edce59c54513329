"""Shapes that no engine can use: what pySHACL crashes on, checked before either engine runs, so
that both answer with the same :class:`~jaif_kg.errors.InputError` naming the shape.

* A ``sh:pattern`` that is not a valid regular expression (with the ``sh:flags`` pySHACL applies,
  ``i`` and ``m``), https://www.w3.org/TR/shacl/#PatternConstraintComponent: SHACL requires a
  valid XPath regular expression; pySHACL compiles it with Python's ``re`` and stops with a
  traceback when it does not compile.
* A ``sh:flags`` or a range bound (``sh:minInclusive``...) that is not a literal, or a
  ``sh:select``/``sh:ask`` query that does not parse as a SELECT/ASK query (with every prefix
  the shapes graph declares): pySHACL stops with a traceback.
* A property shape pySHACL cannot load (SHACL 2.3): one that is also a ``sh:NodeShape``, one with
  several ``sh:path`` values, a sequence or ``sh:alternativePath`` of fewer than two paths.
* ``$shapesGraph`` in a SPARQL constraint or validator (https://www.w3.org/TR/shacl/#pre-binding):
  pySHACL does not support it and stops with a traceback. pySHACL finds it with a regular
  expression over the query text, which is imitated here so that both engines refuse the same
  shapes.
"""

from __future__ import annotations

import re
import warnings

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from jaif_kg.errors import InputError
from jaif_kg.rdf.graph import term_text

_FORMS = {SH.select: "SelectQuery", SH.ask: "AskQuery"}
#: Parameters whose values SHACL requires to be literals (sections 4.3 and 4.4).
_LITERAL_PARAMETERS = (SH.minExclusive, SH.minInclusive, SH.maxExclusive, SH.maxInclusive)
_PYSHACL_SHAPES_GRAPH = re.compile(r"([\s{}()])[$?]shapesGraph", flags=re.M)


def python_flags(flags: Node | None) -> int:
    """The ``re`` flags pySHACL derives from a ``sh:flags`` value (it reads ``i`` and ``m``).

    >>> from rdflib import Literal
    >>> python_flags(None), python_flags(Literal("sx")), python_flags(Literal("I")) == re.I
    (0, 0, True)
    """
    text = str(flags).lower() if flags is not None else ""
    return (re.I if "i" in text else 0) | (re.M if "m" in text else 0)


def pattern_error(pattern: Node, flags: Node | None) -> str | None:
    """Why ``pattern`` (with ``flags``) is not a usable regular expression, or ``None``.

    >>> from rdflib import Literal
    >>> pattern_error(Literal("[a-z"), None)
    "sh:pattern '[a-z' is not a valid regular expression: unterminated character set at position 0"
    >>> pattern_error(Literal("^[a-z]+$"), Literal("i")) is None
    True
    """
    try:
        with warnings.catch_warnings():  # a nested set is valid; the fast engine declines it
            warnings.simplefilter("ignore", FutureWarning)
            re.compile(str(pattern), python_flags(flags))
    except re.error as exc:
        return f"sh:pattern {str(pattern)!r} is not a valid regular expression: {exc}"
    return None


def describe_shape(shapes: Graph, node: Node) -> str:
    """A shape as a user can find it: its IRI, or for a blank node the shape that holds it and
    its path.

    >>> g = Graph().parse(format="turtle", data="@prefix sh: <http://www.w3.org/ns/shacl#> ."
    ...                   "<urn:S> sh:property [ sh:path <urn:p> ] .")
    >>> describe_shape(g, g.value(URIRef("urn:S"), SH.property))
    'the property shape of <urn:S> with sh:path <urn:p>'
    """
    if not isinstance(node, BNode):
        return term_text(node)
    parent = next(iter(sorted(shapes.subjects(None, node), key=lambda n: n.n3())), None)
    path = shapes.value(node, SH.path)
    kind = "property shape" if path is not None else "shape"
    where = f" of {describe_shape(shapes, parent)}" if parent is not None else ""
    with_path = f" with sh:path {term_text(path)}" if isinstance(path, URIRef) else ""
    return f"the {kind}{where}{with_path}"


def check_usable(shapes: Graph, *, parse_queries: bool = True) -> None:
    """Refuse shapes that pySHACL cannot run (see the module docstring).

    Args:
        shapes: the shapes graph.
        parse_queries: also parse every ``sh:select`` and ``sh:ask`` (a fifth of a second for
            the project's shapes); the fast engine leaves it out, since it parses the queries
            it runs and declines one that does not parse (pySHACL then reports it).

    Raises:
        InputError: the first problem found, naming the shape.
    """
    for shape in sorted(set(shapes.subjects(SH.path, None)), key=lambda n: n.n3()):
        problem = _shape_path_problem(shapes, shape)
        if problem:
            raise InputError(f"{describe_shape(shapes, shape)}: {problem}")
    for parameter in _LITERAL_PARAMETERS:
        for shape, bound in sorted(shapes.subject_objects(parameter), key=lambda t: t[0].n3()):
            if not isinstance(bound, Literal):
                raise InputError(
                    f"{describe_shape(shapes, shape)}: {term_text(parameter)} must be a literal"
                )
    for shape, flags in sorted(shapes.subject_objects(SH.flags), key=lambda t: t[0].n3()):
        if not isinstance(flags, Literal):
            raise InputError(f"{describe_shape(shapes, shape)}: sh:flags must be a string")
    for shape, pattern in sorted(shapes.subject_objects(SH.pattern), key=lambda t: t[0].n3()):
        problem = pattern_error(pattern, shapes.value(shape, SH.flags))
        if problem:
            raise InputError(f"{describe_shape(shapes, shape)}: {problem}")
    declared = {
        str(shapes.value(d, SH.prefix)): str(shapes.value(d, SH.namespace))
        for d in shapes.objects(None, SH.declare)
    }
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(declared.items()))
    for predicate in (SH.select, SH.ask):
        for holder, text in sorted(shapes.subject_objects(predicate), key=lambda t: t[0].n3()):
            users = sorted(
                {*shapes.subjects(SH.sparql, holder), *shapes.subjects(None, holder)},
                key=lambda n: n.n3(),
            )
            where = describe_shape(shapes, users[0] if users else holder)
            syntax = (
                _syntax_error(prologue + str(text), _FORMS[predicate]) if parse_queries else None
            )
            if syntax:
                raise InputError(
                    f"{where}: its {term_text(predicate)} query does not parse: {syntax}"
                )
            if _PYSHACL_SHAPES_GRAPH.search(str(text)):
                raise InputError(
                    f"{where}: $shapesGraph in a SPARQL query is not supported "
                    "(pySHACL cannot pre-bind it)"
                )


def _shape_path_problem(shapes: Graph, shape: Node) -> str | None:
    """Why pySHACL refuses to load the property shape ``shape``: a node shape with ``sh:path``,
    several ``sh:path`` values, or a path it cannot read (:func:`_path_problem`)."""
    if (shape, RDF.type, SH.NodeShape) in shapes:
        return "a sh:NodeShape cannot have a sh:path (pySHACL refuses it)"
    paths = list(shapes.objects(shape, SH.path))
    if len(paths) > 1:
        return "a property shape has exactly one sh:path (SHACL 2.3)"
    return _path_problem(shapes, paths[0], set())


def _path_problem(shapes: Graph, path: Node, seen: set[Node]) -> str | None:
    """Why pySHACL cannot read ``path`` (SHACL 2.3.1): a sequence or ``sh:alternativePath``
    list of fewer than two paths, anywhere in the path.

    >>> g = Graph().parse(format="turtle", data="@prefix sh: <http://www.w3.org/ns/shacl#> ."
    ...     "<urn:S> sh:path [ sh:zeroOrMorePath [ sh:alternativePath ( <urn:p> ) ] ] .")
    >>> _path_problem(g, g.value(URIRef("urn:S"), SH.path), set())
    'sh:alternativePath needs a list of at least two paths (SHACL 2.3.1.4)'
    """
    if not isinstance(path, BNode) or path in seen:
        return None
    seen.add(path)
    if shapes.value(path, RDF.first) is not None:
        members = list(Collection(shapes, path))
        if len(members) < 2:
            return "a sequence path needs a list of at least two paths (SHACL 2.3.1.1)"
        inner: list[Node] = members
    else:
        inner = []
        for alternatives in shapes.objects(path, SH.alternativePath):
            members = list(Collection(shapes, alternatives))
            if len(members) < 2:
                return "sh:alternativePath needs a list of at least two paths (SHACL 2.3.1.4)"
            inner += members
        for step in (SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
            inner += list(shapes.objects(path, step))
    for member in inner:
        problem = _path_problem(shapes, member, seen)
        if problem:
            return problem
    return None


def _syntax_error(query: str, form: str) -> str | None:
    """rdflib's complaint about a SPARQL query's syntax (pySHACL parses with it), or that it is
    not of the ``form`` expected (``SelectQuery``, ``AskQuery``), or ``None``."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(query)
    except ParseException as exc:
        return str(exc)
    found = getattr(parsed[1], "name", None)
    if found != form:
        return f"a {form.removesuffix('Query').upper()} query is expected, not {found}"
    return None
