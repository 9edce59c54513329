"""Make a query safe to hand to any backend: nothing it says may make a backend fetch a URL or
read a file.

* SPARQL Update, hence ``LOAD``, is refused (403). ``SERVICE`` is refused on a real parse by
  :mod:`jaif_kg.sparql.safety` and, in the query workers, by the kernel
  (:mod:`jaif_kg.workers.sandbox`).
* ``FROM`` / ``FROM NAMED`` clauses are taken out of the text and turned into a dataset selection
  over the graphs already in the store (`SPARQL 1.1 Query §13.2
  <https://www.w3.org/TR/sparql11-query/#specifyingDataset>`_), so no backend ever dereferences
  them; a dataset given by the protocol overrides them, as §2.1.4 of the protocol requires.
* Relative IRIs are resolved against the endpoint's URL (a ``BASE`` is added when the query has
  none). A top-level ``LIMIT`` of ``max_results + 1`` bounds what a query can return.

The text is read with THE lexer (:mod:`jaif_kg.sparql.lexer`), a tokenizer, not a parser: it never
decides whether a query is valid (the engine does, and its message reaches the client); it only
finds keywords outside strings, IRIs and comments, and the nesting depth of each token.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin

import pyoxigraph as ox

from jaif_kg.errors import QuerySyntaxError
from jaif_kg.sparql.escape import sparql_iri
from jaif_kg.sparql.lexer import Token, scan
from jaif_kg.sparql.protocol import READ_ONLY_MESSAGE, QueryForm, UpdateRefused

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")

#: Words that start a SPARQL 1.1 Update operation.
UPDATE_KEYWORDS = frozenset(
    {"insert", "delete", "load", "clear", "drop", "create", "add", "move", "copy", "with"}
)
QUERY_FORMS: frozenset[str] = frozenset({"select", "ask", "construct", "describe"})


@dataclass(frozen=True)
class Prologue:
    """The ``BASE`` and ``PREFIX`` declarations that open a query (SPARQL 1.1 grammar [4]-[6]).

    Attributes:
        prefixes: prefix (without the colon) -> namespace IRI, resolved against the base.
        base: the base IRI relative IRIs resolve against after the prologue: the query's own
            ``BASE``, else the one given to :func:`read_prologue` (``None`` if neither).
        has_base: the query declares a ``BASE`` itself.
        end: the index of the first token after the prologue.
    """

    prefixes: dict[str, str]
    base: str | None
    has_base: bool
    end: int


def _expand(token: Token, prefixes: dict[str, str], base: str | None) -> str | None:
    """The IRI an IRI or prefixed-name token stands for (``None`` for other tokens or an
    undeclared prefix)."""
    if token.kind == "iri":
        iri = token.text[1:-1]
        return iri if _SCHEME.match(iri) or base is None else urljoin(base, iri)
    if token.kind == "pname":
        prefix, local = token.text.split(":", 1)
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None


def read_prologue(tokens: Sequence[Token], base_iri: str | None = None) -> Prologue:
    """Read the prologue of a scanned query.

    Args:
        tokens: the query's tokens (:func:`jaif_kg.sparql.lexer.scan`).
        base_iri: the IRI relative IRIs resolve against when the query has no ``BASE``.

    >>> p = read_prologue(scan("BASE <http://e/> PREFIX ex: <ns/> PREFIX : <http://f/> ASK {}"))
    >>> p.prefixes, p.base, p.has_base, p.end
    ({'ex': 'http://e/ns/', '': 'http://f/'}, 'http://e/', True, 8)
    >>> read_prologue(scan("PREFIX ex: <ns/> ASK {}"), "http://h/sparql").prefixes
    {'ex': 'http://h/ns/'}
    """
    prefixes: dict[str, str] = {}
    base: str | None = None
    has_base = False
    i = 0
    n = len(tokens)
    while i < n and tokens[i].kind == "word" and tokens[i].text.lower() in ("base", "prefix"):
        word = tokens[i].text.lower()
        if word == "base" and i + 1 < n and tokens[i + 1].kind == "iri":
            has_base = True
            base = _expand(tokens[i + 1], prefixes, base or base_iri)
            i += 2
        elif word == "prefix" and i + 2 < n and tokens[i + 1].kind == "pname":
            ns = _expand(tokens[i + 2], prefixes, base or base_iri)
            if ns is not None:
                prefixes[tokens[i + 1].text.rstrip(":").split(":", 1)[0]] = ns
            i += 3
        else:
            break
    return Prologue(prefixes, base or base_iri, has_base, i)


@dataclass(frozen=True)
class PreparedQuery:
    """A query made safe to hand to any backend.

    Attributes:
        form: ``select``, ``ask``, ``construct`` or ``describe``; ``None`` when the scanner cannot
            tell (the engine will report the syntax error).
        text: the text to run: ``FROM`` clauses blanked out, a ``BASE`` added when needed, a
            ``LIMIT`` capping the result when ``max_results`` is set. Line numbers are kept.
        default_graphs: the dataset's default graph IRIs (``None``: the store's default graph).
        named_graphs: the dataset's named graph IRIs (``None``: every named graph).
        capped: the result may exceed ``max_results`` and must be counted.
    """

    form: QueryForm | None
    text: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    capped: bool = False
    from_clauses: tuple[str, ...] = field(default=(), repr=False)
    depth: int = field(default=0, repr=False)
    unions: int = field(default=0, repr=False)


def prepare_query(
    text: str,
    *,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    base_iri: str | None = None,
    max_results: int | None = None,
) -> PreparedQuery:
    """Check a query and rewrite it so that no backend can fetch anything for it.

    Args:
        text: the query text.
        default_graphs: the protocol's ``default-graph-uri`` values.
        named_graphs: the protocol's ``named-graph-uri`` values.
        base_iri: the IRI relative IRIs resolve against (the endpoint's URL).
        max_results: most rows a SELECT may return; a top-level ``LIMIT max_results + 1``
            is added (or lowered to it) so that a larger result is never built.

    Raises:
        UpdateRefused: the text is a SPARQL Update (including ``LOAD``).
        TermError: ``base_iri`` cannot be written as an IRI (it holds a space, ``>``...).

    >>> q = prepare_query("SELECT * FROM <http://g> FROM NAMED <http://n> { ?s ?p ?o }")
    >>> q.form, q.default_graphs, q.named_graphs, "FROM" in q.text
    ('select', ('http://g',), ('http://n',), False)
    >>> prepare_query("ASK FROM <file:///etc/passwd> {}", named_graphs=["http://x"]).default_graphs
    ()
    >>> prepare_query("SELECT * { ?s ?p ?o }", max_results=10).text
    'SELECT * { ?s ?p ?o }\\nLIMIT 11'
    >>> prepare_query("CONSTRUCT { <s> <p> 1 } WHERE {}", base_iri="http://h/sparql").text
    'BASE <http://h/sparql> CONSTRUCT { <s> <p> 1 } WHERE {}'
    """
    tokens = scan(text)
    n = len(tokens)
    prologue = read_prologue(tokens, base_iri)
    i = prologue.end
    first = tokens[i].text.lower() if i < n and tokens[i].kind == "word" else ""
    if first in UPDATE_KEYWORDS:
        raise UpdateRefused(READ_ONLY_MESSAGE)
    form: QueryForm | None = first if first in QUERY_FORMS else None  # type: ignore[assignment]

    from_default: list[str] = []
    from_named: list[str] = []
    blanks: list[tuple[int, int]] = []
    relative = False
    limit_token: Token | None = None
    values_token: Token | None = None
    depth = unions = 0
    for j, tok in enumerate(tokens):
        if tok.kind == "punct" and tok.text in "{([":
            depth = max(depth, tok.braces + tok.parens + 1)
        if tok.kind == "word":
            word = tok.text.lower()
            if word == "union":
                unions += 1
            if word == "from":
                k = j + 1
                named = k < n and tokens[k].kind == "word" and tokens[k].text.lower() == "named"
                if named:
                    k += 1
                if k < n:
                    iri = _expand(tokens[k], prologue.prefixes, prologue.base)
                    if iri is not None:
                        (from_named if named else from_default).append(iri)
                        blanks.append((tok.start, tokens[k].end))
            elif tok.braces == 0 and tok.parens == 0:
                if word == "limit" and j + 1 < n and tokens[j + 1].kind == "number":
                    limit_token = tokens[j + 1]
                elif word == "values":
                    values_token = tok
            if word in UPDATE_KEYWORDS and tok.braces == 0 and j > i and tokens[j - 1].text == ";":
                raise UpdateRefused(READ_ONLY_MESSAGE)
        elif tok.kind == "iri" and not _SCHEME.match(tok.text[1:-1]):
            relative = True

    # Dataset: the protocol's, else the query's FROM / FROM NAMED (SPARQL 1.1 Query §13.2:
    # FROM NAMED alone leaves an empty default graph; FROM alone leaves no named graphs).
    dg: tuple[str, ...] | None = None
    ng: tuple[str, ...] | None = None
    if default_graphs or named_graphs:
        dg, ng = tuple(default_graphs), tuple(named_graphs)
    elif from_default or from_named:
        dg, ng = tuple(from_default), tuple(from_named)

    out = text
    # Edits from the end so that earlier offsets stay valid.
    edits: list[tuple[int, int, str]] = [
        (s, e, re.sub(r"[^\n]", " ", text[s:e])) for s, e in blanks
    ]
    capped = False
    opened = sum(
        1 if t.text in ("{", "(") else -1 if t.text in ("}", ")") else 0
        for t in tokens
        if t.kind == "punct"
    )
    balanced = opened == 0
    if max_results is not None and form in ("select", "construct", "describe") and balanced:
        cap = max_results + 1
        if limit_token is not None:
            if int(float(limit_token.text)) > max_results:
                edits.append((limit_token.start, limit_token.end, str(cap)))
                capped = True
            else:
                capped = form != "select"
        elif values_token is not None:
            edits.append((values_token.start, values_token.start, f"LIMIT {cap} "))
            capped = True
        else:
            edits.append((len(text), len(text), f"\nLIMIT {cap}"))
            capped = True
    for s, e, repl in sorted(edits, reverse=True):
        out = out[:s] + repl + out[e:]
    if relative and not prologue.has_base and base_iri:
        out = f"BASE {sparql_iri(base_iri, 'base IRI')} " + out
    return PreparedQuery(form, out, dg, ng, capped, tuple(from_default + from_named), depth, unions)


@lru_cache(maxsize=2048)
def has_dataset_clause(text: str) -> bool:
    """Whether a query has a ``FROM`` or ``FROM NAMED`` clause of its own (outside strings,
    IRIs and comments, read by THE lexer), so that a store leaves the dataset to it.

    >>> has_dataset_clause("SELECT * FROM <http://g> { ?s ?p ?o }")
    True
    >>> has_dataset_clause("SELECT * { ?s <http://e/from> 'FROM <x>' } # FROM <y>")
    False
    """
    return any(t.kind == "word" and t.text.lower() == "from" for t in scan(text))


@dataclass(frozen=True)
class QueryGraphs:
    """The graphs a query names itself, read from its algebra (prefixes and base resolved).

    Attributes:
        default: the IRIs of its ``FROM`` clauses.
        named: the IRIs of its ``FROM NAMED`` clauses.
        patterns: the IRIs of its ``GRAPH <iri> { ... }`` patterns (in ``EXISTS`` too).
    """

    default: list[str]
    named: list[str]
    patterns: list[str]


def query_graphs(text: str) -> QueryGraphs:
    """The graphs ``text`` names, for a server that must be sent them in the protocol.

    >>> query_graphs("PREFIX e: <http://e/> SELECT * FROM e:a FROM NAMED <http://b> "
    ...              "{ GRAPH e:c { ?s ?p ?o } GRAPH ?g {} }")
    QueryGraphs(default=['http://e/a'], named=['http://b'], patterns=['http://e/c'])

    Raises:
        QuerySyntaxError: the query does not parse.
    """
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import URIRef

    try:
        query = translateQuery(parseQuery(text))
    except Exception as exc:  # pyparsing and rdflib raise errors of no common base
        raise QuerySyntaxError(str(exc)) from exc
    found = QueryGraphs([], [], [])
    for clause in query.algebra.get("datasetClause") or ():
        if "default" in clause:
            found.default.append(str(clause["default"]))
        else:
            found.named.append(str(clause["named"]))
    stack: list[object] = [query.algebra]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            term = node.get("term") if node.name == "Graph" else None
            if isinstance(term, URIRef) and str(term) not in found.patterns:
                found.patterns.append(str(term))
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return found


_EMPTY = ox.Store()


def syntax_error(text: str) -> SyntaxError | None:
    """Oxigraph's error for a query that does not parse, else ``None``.

    pyoxigraph has no parse-only call; a query on an empty store parses and returns at once.
    Any failure after parsing (a query that runs) is not a syntax error and gives ``None``. Call
    it only on texts already checked for ``SERVICE`` or inside a confined worker: evaluation on
    an empty store would still try a SERVICE call.

    >>> syntax_error("ASK {}") is None, str(syntax_error("ASK {")).startswith("error at 1:")
    (True, True)
    """
    try:
        _EMPTY.query(text)
    except SyntaxError as exc:
        return exc
    except (OSError, RuntimeError):
        return None
    return None
