"""The reference engine: pySHACL (https://github.com/RDFLib/pySHACL). The only module that imports
pySHACL.

Choices:

* ``inference="none"``: the data graph is merged with the ontology, and SHACL's notion of
  "instance" already follows ``rdfs:subClassOf`` in the data graph (section 3.2), which is all
  the shapes' ``sh:targetClass`` needs; RDFS inference would add triples nobody asserted.
* SPARQL-based constraints (``sh:sparql``, section 5) are core SHACL and always run;
  SHACL Advanced Features (custom targets, rules, functions) are switched on only when the
  shapes use them.
* Severity: the threshold of a run (``--fail-on``) is applied by the caller, not by pySHACL, so
  the report always holds every result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rdflib import RDF, RDFS, Graph
from rdflib.namespace import SH
from rdflib.term import Node

from jaif_kg.errors import InputError
from jaif_kg.shacl.fast.unusable import check_usable
from jaif_kg.shacl.report import ValidationReport, count_shapes, results_from_graph

_ADVANCED_PREDICATES = (SH.target, SH.rule, SH.condition)
_ADVANCED_TYPES = (SH.SPARQLFunction, SH.SPARQLTarget, SH.SPARQLTargetType, SH.JSTarget)


def _needs_advanced(shapes: Graph) -> bool:
    if any(next(shapes.triples((None, p, None)), None) for p in _ADVANCED_PREDICATES):
        return True
    return any(next(shapes.triples((None, RDF.type, t)), None) for t in _ADVANCED_TYPES)


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def _instances(data: Graph, cls: Node) -> set[Node]:
    """SHACL instances of ``cls``: ``rdf:type/rdfs:subClassOf*`` (SHACL section 2.1.3.1)."""
    classes = set(data.transitive_subjects(RDFS.subClassOf, cls))
    return {s for c in classes for s in data.subjects(RDF.type, c)}


def retarget(data: Graph, shapes: Graph, focus_nodes: Iterable[Node]) -> Graph:
    """A copy of ``shapes`` whose shapes target only those of ``focus_nodes`` they targeted.

    Each shape's targets (SHACL section 2.1.3) are evaluated on ``data`` and replaced by
    ``sh:targetNode`` statements for the focus nodes among them; the shapes' constraints,
    nested shapes included, are untouched.
    """
    wanted = set(focus_nodes)
    out = Graph()
    for prefix, namespace in shapes.namespaces():
        out.bind(prefix, namespace)
    for triple in shapes:
        if triple[1] not in _TARGETS:
            out.add(triple)
    for shape in {s for target in _TARGETS for s in shapes.subjects(target, None)}:
        targeted: set[Node] = set(shapes.objects(shape, SH.targetNode))
        for cls in shapes.objects(shape, SH.targetClass):
            targeted |= _instances(data, cls)
        for prop in shapes.objects(shape, SH.targetSubjectsOf):
            targeted |= set(data.subjects(prop, None))
        for prop in shapes.objects(shape, SH.targetObjectsOf):
            targeted |= set(data.objects(None, prop))
        for node in targeted & wanted:
            out.add((shape, SH.targetNode, node))
    return out


def validate_graphs(
    data: Graph, shapes: Graph, *, focus_nodes: Sequence[Node] | None = None
) -> ValidationReport:
    """Validate ``data`` (already merged with the ontology) against ``shapes`` with pySHACL.

    Args:
        data: the data graph.
        shapes: the shapes graph.
        focus_nodes: validate only these nodes (against the shapes that target them), for
            checking a few new nodes in a large graph; ``None`` validates every target. The
            shapes are re-targeted (see :func:`retarget`) rather than passed to pySHACL's own
            ``focus_nodes`` option, which also filters the values that nested shapes
            (``sh:node``, ``sh:qualifiedValueShape``) check, and so changes their results.

    Raises:
        InputError: the shapes graph is not valid SHACL (pySHACL cannot load a shape), uses what
            pySHACL cannot run (an invalid ``sh:pattern``, ``$shapesGraph``: see
            :func:`~jaif_kg.shacl.fast.unusable.check_usable`, named as the fast engine names
            them), or pySHACL fails in any other way (never a traceback).
    """
    import pyshacl  # the only pySHACL import; deferred so that other commands start faster
    from pyshacl.errors import ReportableRuntimeError, ShapeLoadError

    check_usable(shapes)
    if focus_nodes is not None:
        shapes = retarget(data, shapes, focus_nodes)
    try:
        _, report_graph, report_text = pyshacl.validate(
            data,
            shacl_graph=shapes,
            inference="none",
            advanced=_needs_advanced(shapes),
            abort_on_first=False,
            allow_warnings=False,
        )
    except (ShapeLoadError, ReportableRuntimeError) as exc:
        raise InputError(f"the shapes cannot be used: {exc.message}") from None
    except Exception as exc:  # any failure of pySHACL is a verdict it cannot give
        raise InputError(
            f"the shapes cannot be used: pySHACL failed ({type(exc).__name__}: {exc})"
        ) from None
    if not isinstance(report_graph, Graph):
        # pySHACL reports a failure of its own (e.g. a constraint query it rejects) this way
        raise InputError(f"the shapes cannot be used: {str(report_text).strip()}")
    return ValidationReport(
        results=results_from_graph(report_graph, shapes),
        triples=len(data),
        shapes=count_shapes(shapes),
        engine="pyshacl",
        shapes_graph=shapes,
    )
