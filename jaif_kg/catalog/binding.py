"""Binding parameter values into a named query: one inline ``VALUES`` block, never pasted text.

Each given value is converted to a typed RDF term (:meth:`Parameter.convert`, which refuses
anything malformed), written in SPARQL syntax by THE escaper (:mod:`jaif_kg.sparql.escape`), and
bound through one inline ``VALUES (?p1 ?p2) { (t1 t2) }`` block inserted as the first element of
the query's ``WHERE`` group, found with THE lexer (:mod:`jaif_kg.sparql.lexer`). A parameter left
unbound is simply absent, so a query can test ``!BOUND(?country)``. A VALUES block means the same
on every SPARQL 1.1 engine (SPARQL 1.1 section 10.2.2); pyoxigraph's ``substitutions`` need the
variable to be projected and do not reach FILTERs under GROUP BY, and rdflib's ``initBindings``
exist only in rdflib. A parameter used only inside a sub-SELECT is not reached by the block: use
it in the top-level group.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib.term import Identifier

from jaif_kg.catalog.parameters import Parameter
from jaif_kg.errors import ParameterError
from jaif_kg.sparql import escape
from jaif_kg.sparql.lexer import scan
from jaif_kg.sparql.prepare import read_prologue, syntax_error

#: How many bound texts each named query keeps (:meth:`NamedQuery.bind`).
BIND_CACHE_SIZE = 1024


def values_insertion_point(text: str) -> int | None:
    """Offset just after the ``{`` that follows the first ``WHERE`` keyword, or ``None``.

    >>> q = "SELECT ?x # WHERE {\\nWHERE { ?x ?p ?o }"
    >>> q[: values_insertion_point(q)]
    'SELECT ?x # WHERE {\\nWHERE {'
    >>> values_insertion_point('SELECT ?where { ?where ?p "WHERE {" }') is None
    True
    """
    tokens = scan(text)
    for word, brace in itertools.pairwise(tokens):
        if word.kind == "word" and word.text.upper() == "WHERE" and brace.text == "{":
            return brace.end
    return None


def variables(text: str) -> frozenset[str]:
    """The names of the variables a query mentions (``?x`` and ``$x`` are both ``x``).

    >>> sorted(variables("SELECT ?a WHERE { ?a <p> $b . FILTER(?a-1 > 0) } # ?c"))
    ['a', 'b']
    """
    return frozenset(t.text[1:] for t in scan(text) if t.kind == "var")


def sparql_term(term: Identifier) -> str:
    """A bound value in SPARQL syntax: :func:`jaif_kg.sparql.escape.sparql_term`, with its
    refusal raised as the catalog's error.

    >>> sparql_term(Parameter("d", "date", "", False, None, None).convert("2022-06-30"))
    '"2022-06-30"^^<http://www.w3.org/2001/XMLSchema#date>'

    Raises:
        ParameterError: the term cannot be written as one term (a blank node, an IRI holding a
            character that could end ``<...>``).
    """
    try:
        return escape.sparql_term(term)
    except escape.TermError as exc:
        raise ParameterError(str(exc)) from None


def bound_text(name: str, text: str, bound: tuple[tuple[str, Identifier], ...]) -> str:
    """``text`` with a VALUES block binding ``bound`` (variable name, term) inserted.

    Not cached here: :meth:`NamedQuery.bind` keeps what it makes (checking that the result
    parses costs more than the query itself for the quickest queries).

    >>> from rdflib import Literal
    >>> bound_text("q", "ASK WHERE { ?s ?p ?o }", (("o", Literal("x")),))
    'ASK WHERE { VALUES (?o) { ("x") } ?s ?p ?o }'

    Raises:
        ParameterError: ``text`` has no ``WHERE {``, a term cannot be written, or the bound
            query does not parse (a bug).
    """
    at = values_insertion_point(text)
    if at is None:  # the catalog refuses such queries; only a hand-made NamedQuery gets here
        raise ParameterError(f"query {name!r} has no top-level WHERE {{ to bind into")
    names = " ".join(f"?{n}" for n, _ in bound)
    row = " ".join(sparql_term(t) for _, t in bound)
    # no line break, so the parser's line numbers still match the file
    result = f"{text[:at]} VALUES ({names}) {{ ({row}) }}{text[at:]}"
    error = syntax_error(result)
    if error is not None:
        raise ParameterError(f"query {name!r} does not parse once bound: {error}")
    return result


@dataclass(frozen=True)
class NamedQuery:
    """A query of the catalog.

    Attributes:
        name: the file name without ``.rq`` (kebab-case): the CLI name and the API route.
        summary: one line saying what it answers.
        description: more, if the header has it.
        tags: labels to group queries by.
        parameters: the declared parameters, in header order.
        example: parameter values that show the query at work (they must bind).
        text: the SPARQL text (the header lines removed).
        kind: ``select``, ``ask``, ``construct`` or ``describe``.
        path: the file it was read from, if any.
    """

    name: str
    summary: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    example: dict[str, str]
    text: str
    kind: str
    path: Path | None = field(default=None, compare=False)

    def prefixes(self) -> dict[str, str]:
        """The ``PREFIX`` declarations of the query (prefix -> namespace IRI).

        >>> q = NamedQuery("q", "", "", (), (), {}, "PREFIX ex: <http://e/>\\nASK {}", "ask")
        >>> q.prefixes()
        {'ex': 'http://e/'}
        """
        return read_prologue(scan(self.text)).prefixes

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name``.

        Raises:
            ParameterError: the query has no such parameter (the message lists those it has).
        """
        for p in self.parameters:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise ParameterError(
            f"query {self.name!r} has no parameter {name!r}; its parameters: {known}"
        )

    def terms(self, values: Mapping[str, str]) -> dict[str, Identifier]:
        """Validate ``values`` and convert them (and defaults) to RDF terms, by parameter name.

        An empty value counts as not given.

        Raises:
            ParameterError: an unknown parameter name, a missing required value, or a value
                that does not convert.
        """
        for key in values:
            self.parameter(key)
        bound: dict[str, Identifier] = {}
        for p in self.parameters:
            raw = values.get(p.name)
            if raw is None or raw == "":
                if p.default is not None:
                    raw = p.default
                elif p.required:
                    raise ParameterError(
                        f"query {self.name!r} needs parameter {p.name!r} ({p.type}): "
                        f"{p.description}"
                    )
                else:
                    continue
            bound[p.name] = p.convert(raw)
        return bound

    @functools.cached_property
    def _bound(self) -> dict[tuple[object, ...], str]:
        """The texts :meth:`bind` made, by date and values (a cache of this query's own)."""
        return {}

    def bind(self, values: Mapping[str, str]) -> str:
        """The query text with ``values`` bound by an inline VALUES block (see the module doc).

        Cached per query, by the values given and today's date (``today`` is a value, and the
        default of a ``date`` parameter): the same values come back often (an API's popular
        requests), checking that the bound text parses costs more than the quickest queries,
        and even converting the values to terms again cost up to 5% of them. Only values that
        bind are kept, up to :data:`BIND_CACHE_SIZE` sets of them; then the cache starts again.

        >>> q = NamedQuery("q", "", "", (), (Parameter("n", "integer", "", False, None, None),),
        ...                {}, "ASK WHERE { ?s ?p ?n }", "ask")
        >>> q.bind({"n": "+7"})
        'ASK WHERE { VALUES (?n) { ("7"^^<http://www.w3.org/2001/XMLSchema#integer>) } ?s ?p ?n }'
        >>> q.bind({"n": "+7"}) is q.bind({"n": "+7"}), q.bind({})
        (True, 'ASK WHERE { ?s ?p ?n }')

        Raises:
            ParameterError: as :meth:`terms`; or the bound query does not parse (a bug).
        """
        key = (dt.date.today(), *sorted(values.items()))
        cache = self._bound
        text = cache.get(key)
        if text is not None:
            return text
        bound = self.terms(values)
        text = bound_text(self.name, self.text, tuple(bound.items())) if bound else self.text
        if len(cache) >= BIND_CACHE_SIZE:
            cache.clear()
        cache[key] = text
        return text
