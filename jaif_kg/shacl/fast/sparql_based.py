"""SPARQL-based constraints: ``sh:sparql`` with ``sh:select`` and ``sh:prefixes``
(https://www.w3.org/TR/shacl/#sparql-constraints).

The ``sh:select`` query, with ``$PATH`` replaced by the property shape's path, is evaluated once
for all focus nodes by joining it with them on ``?this``. That equals pre-binding ``$this`` to
each focus node in turn (section 5.6) only where ``$this`` occurs in positions a join treats as
a substitution would (:func:`_check_pattern`): ``$this`` in a triple pattern that every solution
matches, and elsewhere only in triple patterns joined with it and in expressions over solutions
that bind it; no sub-select, ``MINUS``, ``VALUES``, aggregation, ``LIMIT`` or ``OFFSET``. This is
checked on rdflib's algebra, and a query that does not qualify is declined.

Results follow pySHACL: ``$this``, ``?path`` and ``?value`` come from the solution and fill the
message templates (``{?var}``, ``{$this}``). The query text is read with THE lexer
(:mod:`jaif_kg.sparql.lexer`), except where pySHACL reads it with a regular expression
(``$PATH``, ``$currentShape``, ``$shapesGraph``), which is imitated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, cast

from rdflib import RDF, URIRef, Variable
from rdflib import Literal as RdfLiteral
from rdflib.namespace import OWL, SH
from rdflib.term import Identifier

from jaif_kg.errors import InputError
from jaif_kg.rdf.graph import term_text
from jaif_kg.shacl.fast.context import Context, Focus, Rows, Shape, Unsupported, term
from jaif_kg.shacl.report import ValidationResult, choose_message
from jaif_kg.sparql.lexer import Token, scan

#: Algebra nodes that make running the query once for all focus nodes differ from pre-binding.
_UNSAFE_ALGEBRA = frozenset(
    {"Minus", "MinusGraphPattern", "SubSelect", "ToMultiSet", "Slice", "Group", "AggregateJoin"}
    | {"values", "InlineData", "InlineDataOneVar", "InlineDataFull"}
    | {"ServiceGraphPattern", "Service"}
)
_PYSHACL_UNBOUND = re.compile(r"[$?]currentShape\b")
_PYSHACL_PATH = re.compile(r"([\s{}()])[$?]PATH\b")


def fill_message(template: str, bindings: dict[str, Identifier]) -> str:
    """Fill ``{?var}`` and ``{$var}`` in a SPARQL constraint's message (SHACL 5.3.2).

    >>> fill_message("{?value} of {$this}", {"value": RdfLiteral(3), "this": URIRef("urn:a")})
    '3 of urn:a'
    """
    for name, value in bindings.items():
        template = re.sub(r"\{[?$]" + re.escape(name) + r"\}", _replacement(str(value)), template)
    return template


def _replacement(text: str) -> Callable[[re.Match[str]], str]:
    return lambda _match: text


def _words(tokens: list[Token], k: int, *words: str) -> bool:
    """Whether the tokens from ``k`` on are the keywords ``words`` (in any case)."""
    found = tokens[k : k + len(words)]
    return len(found) == len(words) and all(
        t.kind == "word" and t.text.upper() == w for t, w in zip(found, words, strict=True)
    )


def _prefixes(c: Context, constraint: Identifier) -> dict[str, str]:
    """Prefixes of a constraint: its ``sh:prefixes`` nodes' ``sh:declare`` (pySHACL also adds
    those of the shapes graph's ontologies when the node is not one)."""
    ontologies = set(c.g.subjects(RDF.type, OWL.Ontology))
    global_declares = {d for o in ontologies for d in c.g.objects(o, SH.declare)}
    found: dict[str, str] = {}
    for holder in c.objects(constraint, SH.prefixes):
        own = set(c.g.objects(cast(Identifier, holder), SH.declare))
        declares = own if (own and holder in ontologies) else own | global_declares
        for declare in sorted(declares, key=lambda d: d.n3()):
            prefix = c.g.value(cast(Identifier, declare), SH.prefix)
            namespace = c.g.value(cast(Identifier, declare), SH.namespace)
            if prefix is None or namespace is None:
                raise InputError(
                    f"sh:declare {term_text(declare)} needs sh:prefix and sh:namespace"
                )
            found[str(prefix)] = str(namespace)
    return found


def sparql_check(c: Context, shape: Shape, focus: Focus, constraint: Identifier) -> None:
    """The check of the SPARQL-based constraint ``constraint`` of ``shape``."""
    if c.g.value(constraint, SH.deactivated) == RdfLiteral(True):
        return
    select = c.one(constraint, SH.select)
    where = term_text(shape.node)
    if select is None:
        raise Unsupported(f"{where}: a sh:sparql constraint without sh:select")
    text = str(select)
    tokens = scan(text)
    if _words(tokens, 0, "PREFIX") or _words(tokens, 0, "BASE"):
        raise Unsupported(f"{where}: PREFIX or BASE inside sh:select")
    # pySHACL finds these variables, and replaces $PATH, with regular expressions over the whole
    # text (strings and comments included): this engine does the same, to give the same results.
    if _PYSHACL_UNBOUND.search(text):
        raise Unsupported(f"{where}: $currentShape (pre-bound to the shape)")
    if shape.is_property:
        text = _PYSHACL_PATH.sub(lambda m: m.group(1) + str(shape.path_sparql), text)
    prefixes = _prefixes(c, constraint)
    prologue = "".join(f"PREFIX {p}: {term(URIRef(ns))}\n" for p, ns in sorted(prefixes.items()))
    projected = _check_prebinding(prologue + text, where)
    if "this" not in projected:
        tokens = scan(text)
        head = 2 if _words(tokens, 1, "DISTINCT") or _words(tokens, 1, "REDUCED") else 1
        if not _words(tokens, 0, "SELECT") or head >= len(tokens):
            raise Unsupported(f"{where}: cannot read the SELECT clause")
        text = text[: tokens[head].start] + "?this " + text[tokens[head].start :]
    text = _decorrelate(prologue, text)
    sparql = f"{prologue}SELECT * WHERE {{ {focus('?this')} {{ {text} }} }}"
    messages = [m for m in c.g.objects(constraint, SH.message) if isinstance(m, RdfLiteral)]

    def to_results(rows: Rows) -> list[ValidationResult]:
        return _results(shape, constraint, projected, messages, rows)

    c.add(sparql, to_results, f"{where} sparql")


def _results(
    shape: Shape,
    constraint: Identifier,
    projected: set[str],
    messages: list[RdfLiteral],
    rows: Rows,
) -> list[ValidationResult]:
    """Results of a SPARQL constraint's solutions, as pySHACL makes them (one per distinct
    solution; ``?failure``, ``?this``, ``?path`` and ``?value`` read from it)."""
    results = []
    seen: set[tuple[Any, ...]] = set()
    for row in rows:
        focus = row["this"]
        bound = {k: row[k] for k in sorted(projected) if k in row}
        default_value = None if shape.is_property else focus
        failure = bound.pop("failure", None)
        if failure is not None:
            key: tuple[Any, ...] = (focus, "failure")
            path, value, this = None, default_value, None
            fill = dict(bound)
        else:
            path, value, this = (
                bound.pop("path", None),
                bound.pop("value", None),
                bound.pop("this", None),
            )
            if path is None and value is None and this is None:
                continue  # pySHACL reports nothing for such a solution
            key = (focus, this, path, value, tuple(sorted(bound.items())))
            if value is None:
                value = default_value
            fill = dict(bound)
            for name, bound_term in (("this", this), ("path", path), ("value", value)):
                if bound_term is not None:
                    fill[name] = bound_term
        if key in seen:
            continue
        seen.add(key)
        texts = [RdfLiteral(fill_message(str(m), fill)) for m in [*messages, *shape.messages]]
        results.append(
            ValidationResult(
                focus_node=this or focus,
                result_path=cast(URIRef, path) if path is not None else shape.result_path,
                value=value,
                message=choose_message(texts),
                source_shape=shape.node,
                severity=shape.severity,
                constraint_component=SH.SPARQLConstraintComponent,
                source_constraint=constraint,
            )
        )
    return results


def _check_prebinding(query: str, where: str) -> set[str]:
    """The variables a SPARQL constraint's query projects, after checking that running it once
    for all focus nodes equals pre-binding ``$this`` (see the module docstring).

    Raises:
        Unsupported: the query does not parse with rdflib, or does not qualify.
    """
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        algebra = translateQuery(parseQuery(query)).algebra
    except Exception as exc:  # rdflib raises several unrelated types for a bad query
        raise Unsupported(f"{where}: the sh:select query cannot be analysed ({exc})") from None
    if algebra.name != "SelectQuery":
        raise Unsupported(f"{where}: sh:select is not a SELECT query")
    this = Variable("this")
    for node in _algebra_nodes(algebra):
        if node.name in _UNSAFE_ALGEBRA:
            raise Unsupported(f"{where}: the sh:select query uses {node.name}")
        if node.name == "Extend" and node.get("var") == this:
            raise Unsupported(f"{where}: the sh:select query binds $this")
    if not _binds_this(algebra.p):
        raise Unsupported(f"{where}: $this is not in a triple pattern that every solution matches")
    _check_pattern(algebra.p, where)
    return {str(v) for v in algebra.PV}


def _mentions_this(node: Any) -> bool:
    """Whether ``?this`` occurs in an algebra or parse tree node (rdflib's ``_vars`` caches,
    which list the variables of a whole subtree, are not occurrences)."""
    if isinstance(node, Variable):
        return node == Variable("this")
    if isinstance(node, dict):
        # an EXISTS's translated pattern is an attribute (its item is the parse tree)
        exists = getattr(node, "name", None) in ("Builtin_EXISTS", "Builtin_NOTEXISTS")
        if exists and _mentions_this(getattr(node, "graph", None)):
            return True
        return any(_mentions_this(v) for k, v in node.items() if k != "_vars")
    if isinstance(node, list | tuple):
        return any(_mentions_this(item) for item in node)
    return False


_PASS_THROUGH = ("Project", "Distinct", "Reduced", "OrderBy")


def _check_pattern(node: Any, where: str) -> None:
    """Check that every occurrence of ``$this`` in the pattern ``node`` gives the same result
    whether ``$this`` is pre-bound (SHACL 5.6, https://www.w3.org/TR/shacl/#pre-binding) or the
    query is joined with the focus nodes on ``?this``.

    That holds for ``$this`` in a triple pattern joined with the rest (also on the right of an
    ``OPTIONAL`` whose left side binds it), and for ``$this`` in an expression (``FILTER``,
    ``BIND``, an ``OPTIONAL``'s filter, ``ORDER BY``) evaluated on solutions that all bind it.
    Anywhere else (a nested group that does not bind it, ``UNION``, ``GRAPH``...) the two can
    differ, and the query is declined.

    Raises:
        Unsupported: an occurrence of ``$this`` where the two can differ.
    """
    if not _mentions_this(node):
        return
    name = getattr(node, "name", None)
    if name == "BGP":
        return
    if name == "Join":
        _check_pattern(node.p1, where)
        _check_pattern(node.p2, where)
    elif name == "LeftJoin":
        _check_pattern(node.p1, where)
        if _mentions_this(node.p2) or _mentions_this(node.get("expr")):
            if not _binds_this(node.p1):
                raise Unsupported(f"{where}: $this in an OPTIONAL whose left side may not bind it")
            _check_pattern(node.p2, where)
            _check_expression(node.get("expr"), where)
    elif name in ("Filter", "Extend", *_PASS_THROUGH):
        _check_pattern(node.p, where)
        expr = node.get("expr")
        if _mentions_this(expr):
            if not _binds_this(node.p):
                raise Unsupported(
                    f"{where}: $this in an expression of a group that does not bind it "
                    "(pre-binding would substitute it there)"
                )
            _check_expression(expr, where)
    else:
        raise Unsupported(f"{where}: $this inside {name}")


def _check_expression(expr: Any, where: str) -> None:
    """``$this`` in an expression whose solutions bind it: only ``EXISTS`` patterns need a
    look, where SPARQL substitutes the solution's ``?this`` as pre-binding would, as long as
    it occurs only in the triple patterns and filters of the ``EXISTS`` group itself."""
    if isinstance(expr, dict):
        if getattr(expr, "name", None) in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            # the algebra is an attribute (the item is still the parse tree)
            _check_exists_group(getattr(expr, "graph", None), where)
            return
        for key, value in expr.items():
            if key != "_vars":
                _check_expression(value, where)
    elif isinstance(expr, list | tuple):
        for item in expr:
            _check_expression(item, where)


def _check_exists_group(graph: Any, where: str) -> None:
    """``$this`` inside an ``EXISTS`` group: only in its triple patterns and its own filters."""
    if getattr(graph, "name", None) == "Filter":
        if _has_exists(graph["expr"]) and _mentions_this(graph["expr"]):
            raise Unsupported(f"{where}: $this in an EXISTS nested in an EXISTS")
        graph = graph["p"]
    if not _joined_triples(graph) and _mentions_this(graph):
        raise Unsupported(f"{where}: $this nested inside an EXISTS group")


def _joined_triples(node: Any) -> bool:
    name = getattr(node, "name", None)
    if name == "BGP":
        return True
    return name == "Join" and _joined_triples(node["p1"]) and _joined_triples(node["p2"])


def _has_exists(expr: Any) -> bool:
    return any(
        getattr(n, "name", None) in ("Builtin_EXISTS", "Builtin_NOTEXISTS")
        for n in _algebra_nodes(expr)
    )


def top_level_not_exists(text: str) -> list[tuple[int, int, int, int]]:
    """Each ``FILTER NOT EXISTS { ... }`` directly in the WHERE group of a query: its start, the
    start and end of the group's body, and its end.

    >>> q = 'SELECT ?x WHERE { ?x ?p "}" FILTER NOT EXISTS { ?x ?q 1 } }'
    >>> [q[a:b] + "|" + q[c:d] for a, c, d, b in top_level_not_exists(q)]
    ['FILTER NOT EXISTS { ?x ?q 1 }| ?x ?q 1 ']
    """
    tokens = scan(text)
    found: list[tuple[int, int, int, int]] = []
    k = 0
    while k < len(tokens):
        if tokens[k].braces == 1 and _words(tokens, k, "FILTER", "NOT", "EXISTS"):
            opening = k + 3
            if opening < len(tokens) and tokens[opening].text == "{":
                close = next(
                    (
                        j
                        for j in range(opening + 1, len(tokens))
                        if tokens[j].text == "}" and tokens[j].braces == 2
                    ),
                    None,
                )
                if close is not None:
                    start, end = tokens[k].start, tokens[close].end
                    found.append((start, tokens[opening].end, tokens[close].start, end))
                    k = close
        k += 1
    return found


def _variables(node: Any) -> set[Variable]:
    if isinstance(node, Variable):
        return {node}
    found: set[Variable] = set()
    if isinstance(node, dict):
        for value in node.values():
            found |= _variables(value)
    elif isinstance(node, list | tuple):
        for item in node:
            found |= _variables(item)
    return found


def _decorrelate(prologue: str, text: str) -> str:
    """Rewrite each ``FILTER NOT EXISTS { P }`` of the top-level group as
    ``OPTIONAL { P BIND (true AS ?found) } FILTER (!BOUND(?found))`` where that is equivalent.

    Oxigraph evaluates ``NOT EXISTS`` once per solution, planning ``P`` without the outer
    bindings (an ``OPTIONAL`` or a path inside ``P`` is then evaluated over the whole graph
    each time); the left join is planned once. The two agree (SPARQL 1.1, 18.6: substitution
    versus join) when every variable of ``P`` that is also used outside it either occurs in a
    triple pattern of ``P``'s own group or only in ``P``'s own filters (which the left join
    evaluates on the merged solution). Otherwise the filter is kept as written.
    """
    from rdflib.plugins.sparql.parser import parseQuery

    spans = top_level_not_exists(text)
    if not spans:
        return text
    query = parseQuery(prologue + text)[1]
    parts = list(query["where"].get("part") or [])
    filters = [
        k
        for k, part in enumerate(parts)
        if part.name == "Filter" and getattr(part.expr, "name", None) == "Builtin_NOTEXISTS"
    ]
    if len(filters) != len(spans):
        return text
    head = _variables(query.get("projection"))
    out, last = [], 0
    for n, (k, (start, body_start, body_end, end)) in enumerate(zip(filters, spans, strict=True)):
        group = parts[k].expr.graph
        outside = head | _variables([p for j, p in enumerate(parts) if j != k])
        mandatory: set[Variable] = set()
        loose: set[Variable] = set()
        for part in group.get("part") or []:
            if part.name == "TriplesBlock":
                mandatory |= _variables(part)
            elif part.name != "Filter":
                loose |= _variables(part)
        if (loose & outside) - mandatory:
            continue
        flag = f"?_notExists{n}"
        out.append(text[last:start])
        out.append(
            f"OPTIONAL {{ {text[body_start:body_end]} BIND (true AS {flag}) }} "
            f"FILTER (!BOUND({flag}))"
        )
        last = end
    out.append(text[last:])
    return "".join(out)


def _algebra_nodes(node: Any) -> Iterator[Any]:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _algebra_nodes(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _algebra_nodes(item)


def _binds_this(node: Any) -> bool:
    """True when ``?this`` occurs in a triple pattern on a path of the algebra that every
    solution goes through (joins, filters, projections, the left side of OPTIONAL)."""
    name = getattr(node, "name", None)
    if name == "BGP":
        return any(Variable("this") in triple for triple in node.triples)
    if name == "Join":
        return _binds_this(node.p1) or _binds_this(node.p2)
    if name == "LeftJoin":
        return _binds_this(node.p1)
    if name in ("Project", "Distinct", "Reduced", "OrderBy", "Filter", "Extend", "Graph"):
        return _binds_this(node.p)
    return False
