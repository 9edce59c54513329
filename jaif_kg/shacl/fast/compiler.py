"""The compiler: targets (https://www.w3.org/TR/shacl/#targets), the walk over the shapes that
hands each constraint component to its family's module, and the plan of queries. A shape that
raises :class:`~jaif_kg.shacl.fast.context.Unsupported` goes to ``ShapesPlan.unsupported``."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from rdflib import RDF, RDFS, BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import OWL, SH
from rdflib.term import Identifier, Node

from jaif_kg.rdf.graph import term_text
from jaif_kg.shacl.fast import (
    cardinality,
    logical,
    other,
    property_pair,
    shape_based,
    sparql_based,
    string_based,
    value_range,
    value_type,
)
from jaif_kg.shacl.fast.context import (
    RDF_TYPE,
    Context,
    Fails,
    Focus,
    Rows,
    Shape,
    ShapesPlan,
    Stack,
    Unsupported,
    term,
)
from jaif_kg.shacl.fast.declined import declined
from jaif_kg.shacl.fast.unusable import check_usable
from jaif_kg.shacl.report import ValidationResult

#: The components whose parameter's every value is tested on each value node, in this order.
FAILS: dict[URIRef, Fails] = {
    **value_type.FAILS,
    **value_range.FAILS,
    **string_based.FAILS,
    **other.FAILS,
    **shape_based.FAILS,
    **logical.FAILS,
}

#: Parameters that pySHACL acts on and this engine declines wherever they appear.
DECLINED = (*property_pair.DECLINED, SH.expression, SH.js, SH.target, SH.rule)

#: Runs a SELECT query on the data graph; rows as rdflib terms (unbound variables left out).
RunQuery = Callable[[str], Rows]


def _component_of(param: URIRef) -> str:
    local = str(param).rsplit("#", 1)[-1]
    return local[0].upper() + local[1:] + "ConstraintComponent"


def _generic_message(param: URIRef, value: Node) -> str:
    shown = term_text(value) if not isinstance(value, BNode) else "a list"
    return f"Value does not satisfy {term_text(param)} {shown}"


class Compiler(Context):
    """Compiles a shapes graph against the class hierarchy of one data graph."""

    def conforms(self, node: Identifier, x: str, stack: Stack = ()) -> str:
        """A SPARQL expression, true when the term ``x`` conforms to shape ``node``."""
        if node in stack:
            raise Unsupported(f"recursive shapes: {' -> '.join(term_text(s) for s in stack)}")
        stack = (*stack, node)
        shape = self.shape(node)
        if shape.deactivated:
            return "true"
        if next(self.g.objects(node, SH.sparql), None) is not None:
            raise Unsupported(
                f"{term_text(node)}: sh:sparql in a shape used as a condition (sh:node, sh:or...)"
            )
        self._decline(shape)
        parts: list[str] = []
        if shape.is_property:
            parts += cardinality.conditions(self, shape, x)
            for param, fails in FAILS.items():
                for value in self.objects(node, param):
                    v = self.var()
                    cond = fails(self, value, v, stack)
                    parts.append(f"NOT EXISTS {{ {x} {shape.path_sparql} {v} . FILTER ({cond}) }}")
            for value in self.objects(node, SH.hasValue):
                parts.append(other.has_value_condition(shape, x, value))
            if string_based.unique_lang(self, shape):
                parts.append(string_based.unique_lang_condition(self, shape, x))
            parts += shape_based.qualified_conditions(self, shape, x, stack)
        else:
            for param, fails in FAILS.items():
                for value in self.objects(node, param):
                    parts.append(f"!({fails(self, value, x, stack)})")
            for value in self.objects(node, SH.hasValue):
                parts.append(other.has_value_condition(shape, x, value))
            closed = other.closed_pattern(self, node, x, self.var("p"), self.var("o"))
            if closed:
                parts.append(f"NOT EXISTS {{ {closed} }}")
        for prop in self.objects(node, SH.property):
            parts.append(self.conforms(cast(Identifier, prop), x, stack))
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def results(self, node: Identifier, focus: Focus, stack: Stack = ()) -> None:
        """Add the checks that report ``node``'s results for the focus nodes that ``focus(var)``
        binds to ``var`` (a SPARQL group pattern)."""
        if node in stack:
            raise Unsupported(f"recursive shapes: {' -> '.join(term_text(s) for s in stack)}")
        stack = (*stack, node)
        shape = self.shape(node)
        if shape.deactivated:
            return
        self._decline(shape)
        for param in FAILS:
            for value in self.objects(node, param):
                self._value_check(shape, focus, param, value)
        for value in self.objects(node, SH.hasValue):
            other.has_value_check(self, shape, focus, value)
        if shape.is_property:
            cardinality.checks(self, shape, focus)
            if string_based.unique_lang(self, shape):
                string_based.unique_lang_check(self, shape, focus)
            shape_based.qualified_checks(self, shape, focus)
        other.closed_check(self, shape, focus)
        for prop in self.objects(node, SH.property):
            self.results(cast(Identifier, prop), shape_based.value_focus(self, shape, focus), stack)
        for constraint in self.objects(node, SH.sparql):
            sparql_based.sparql_check(self, shape, focus, cast(Identifier, constraint))

    def _value_check(self, shape: Shape, focus: Focus, param: URIRef, value: Node) -> None:
        """The check of one value of a :data:`FAILS` parameter: one result per value node that
        fails it."""
        component = _component_of(param)
        if shape.is_property:
            v = "?value"
            pattern = f"{focus('?this')} ?this {shape.path_sparql} ?value ."
        else:
            v = "?this"
            pattern = focus("?this")
        cond = FAILS[param](self, value, v, ())
        selected = "?this ?value" if shape.is_property else "?this"
        sparql = f"SELECT DISTINCT {selected} WHERE {{ {pattern} FILTER ({cond}) }}"
        generic = _generic_message(param, value)

        def to_results(rows: Rows) -> list[ValidationResult]:
            return [
                self.result(shape, r["this"], component, r.get("value", r["this"]), generic)
                for r in rows
            ]

        self.add(sparql, to_results, f"{term_text(shape.node)} {component}")

    def _decline(self, shape: Shape) -> None:
        params = list(DECLINED)
        if not shape.is_property:
            # pySHACL refuses or ignores these on node shapes
            params += [SH.minCount, SH.maxCount, SH.uniqueLang, SH.qualifiedValueShape]
        elif self.one(shape.node, SH.closed) == RdfLiteral(True):
            params.append(SH.closed)
        for param in params:
            if next(self.g.objects(shape.node, param), None) is not None:
                raise Unsupported(f"{term_text(shape.node)}: {term_text(param)}")


# -- targets (SHACL 2.1.3) --------------------------------------------------------------------


def _subclasses(run: RunQuery) -> dict[Identifier, set[Identifier]]:
    """Class -> every class below it by ``rdfs:subClassOf`` (in the data graph)."""
    direct: dict[Identifier, set[Identifier]] = {}
    for row in run(f"SELECT ?sub ?super WHERE {{ ?sub {term(RDFS.subClassOf)} ?super }}"):
        direct.setdefault(row["super"], set()).add(row["sub"])
    closure: dict[Identifier, set[Identifier]] = {}
    for cls in direct:
        seen: set[Identifier] = set()
        todo = [cls]
        while todo:
            for sub in direct.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        seen.discard(cls)
        closure[cls] = seen
    return closure


def _implicit_classes(shapes: Graph) -> set[Node]:
    """The types that make a shape an implicit class target (2.1.3.3): ``rdfs:Class`` and its
    direct subclasses in the shapes graph, and ``owl:Class``, which pySHACL declares a subclass
    of ``rdfs:Class`` (as OWL does)."""
    return {RDFS.Class, OWL.Class, *shapes.subjects(RDFS.subClassOf, RDFS.Class)}


def _shapes(shapes: Graph) -> set[Node]:
    """The nodes pySHACL takes for shapes (SHACL 2.1, https://www.w3.org/TR/shacl/#shapes):
    typed as one, subjects of ``sh:property`` or ``sh:node``, values of the shape-expecting
    parameters and members of the shape lists."""
    found: set[Node] = {
        *shapes.subjects(RDF.type, SH.NodeShape),
        *shapes.subjects(RDF.type, SH.PropertyShape),
        *shapes.subjects(SH.property, None),
        *shapes.subjects(SH.node, None),
    }
    for predicate in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape):
        found.update(shapes.objects(None, predicate))
    for predicate in (SH["and"], SH["or"], SH.xone):
        for members in shapes.objects(None, predicate):
            found.update(shapes.items(members))
    return found


def _target_shapes(shapes: Graph) -> list[Identifier]:
    """Shapes that have targets, in a stable order."""
    found: set[Node] = set()
    for predicate in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        found.update(shapes.subjects(predicate, None))
    classes = _implicit_classes(shapes)
    for shape in _shapes(shapes):
        if any(t in classes for t in shapes.objects(shape, RDF.type)):
            found.add(shape)
    return sorted((cast(Identifier, s) for s in found), key=lambda n: n.n3())


def _target_focus(c: Context, shape: Identifier) -> Focus:
    """The focus nodes of ``shape``: class targets (with the ``rdfs:subClassOf`` closure of the
    data graph), implicit class targets, node targets, subjects-of and objects-of targets."""
    g = c.g
    branches: list[str] = []
    classes = [*g.objects(shape, SH.targetClass)]
    implicit = _implicit_classes(g)
    if any(t in implicit for t in g.objects(shape, RDF.type)):
        classes.append(shape)
    if classes:
        listed = " ".join(sorted({t for cls in classes for t in c.class_terms(cls)}))
        branches.append(f"{{ VALUES ?_c {{ {listed} }} ?this {RDF_TYPE} ?_c }}")
    nodes = sorted(g.objects(shape, SH.targetNode), key=lambda n: n.n3())
    if nodes:
        branches.append(f"{{ VALUES ?this {{ {' '.join(term(n) for n in nodes)} }} }}")
    for p in sorted(g.objects(shape, SH.targetSubjectsOf), key=lambda n: n.n3()):
        branches.append(f"{{ ?this {term(p)} ?_o }}")
    for p in sorted(g.objects(shape, SH.targetObjectsOf), key=lambda n: n.n3()):
        branches.append(f"{{ ?_s {term(p)} ?this }}")
    union = " UNION ".join(branches)

    def focus(var: str) -> str:
        if var == "?this":
            return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"
        return f"{{ SELECT DISTINCT (?this AS {var}) WHERE {{ {union} }} }}"

    return focus


def _nullable(shapes: Graph, path: Node) -> bool:
    """Whether the SHACL path ``path`` can have length zero (its value set from a node holds
    the node itself): ``sh:zeroOrMorePath``, ``sh:zeroOrOnePath``, and sequences,
    alternatives and inverses built from such paths."""
    if not isinstance(path, BNode):
        return False
    if shapes.value(path, RDF.first) is not None:
        return all(_nullable(shapes, m) for m in shapes.items(path))
    if shapes.value(path, SH.zeroOrMorePath) is not None:
        return True
    if shapes.value(path, SH.zeroOrOnePath) is not None:
        return True
    for alternatives in shapes.objects(path, SH.alternativePath):
        if any(_nullable(shapes, m) for m in shapes.items(alternatives)):
            return True
    inverse = shapes.value(path, SH.inversePath)
    return inverse is not None and _nullable(shapes, inverse)


def _absent_target_nodes(shapes: Graph, run: RunQuery) -> list[str]:
    """Why the engine declines target nodes that are in no triple of the data graph, when the
    shapes use a path that may have length zero (:func:`_nullable`) or a SPARQL constraint:
    pySHACL starts the path (or pre-binds ``$this``) at the focus node itself, and the value
    set of ``ex:p*`` from it is itself (SHACL 2.3.1); Oxigraph's evaluation of
    ``?this ex:p* ?v`` only yields the terms of the graph, so such a node would have none."""
    nullable = any(_nullable(shapes, path) for path in set(shapes.objects(None, SH.path)))
    if not nullable and next(shapes.subjects(SH.sparql, None), None) is None:
        return []
    nodes = sorted(set(shapes.objects(None, SH.targetNode)), key=lambda n: n.n3())
    if not nodes:
        return []
    try:
        listed = " ".join(term(n) for n in nodes)
    except Unsupported as exc:
        return [str(exc)]
    rows = run(
        f"SELECT ?n WHERE {{ VALUES ?n {{ {listed} }} "
        "FILTER NOT EXISTS { ?n ?_p ?_o } FILTER NOT EXISTS { ?_s ?_p ?n } }"
    )
    return [
        f"sh:targetNode {term_text(r['n'])} is in no triple of the data graph, and the shapes "
        "use a path of length zero or a SPARQL constraint"
        for r in rows
    ]


def compile_shapes(shapes: Graph, run: RunQuery) -> ShapesPlan:
    """Compile ``shapes`` into queries for the data graph that ``run`` queries."""
    check_usable(shapes, parse_queries=False)
    compiler = Compiler(shapes, _subclasses(run), run)
    compiler.plan.unsupported.extend(declined(shapes))
    compiler.plan.unsupported.extend(_absent_target_nodes(shapes, run))
    for shape in _target_shapes(shapes):
        before = len(compiler.plan.checks)
        try:
            compiler.results(shape, _target_focus(compiler, shape))
        except Unsupported as exc:
            del compiler.plan.checks[before:]
            compiler.plan.unsupported.append(str(exc))
    return compiler.plan
