"""Named queries: ``queries/<kebab-name>.rq``, each with a grlc-style ``#+`` YAML header.

A header (the ``#+`` lines before the query)::

    #+ summary: JAIF projects, filterable by beneficiary country
    #+ description: Longer text.
    #+ tags: [projects]
    #+ parameters:
    #+   country: {type: iri, description: "Beneficiary country", required: false}
    #+   as_of: {type: date, default: today, description: "Date of the facts"}
    #+   stream: {type: string, enum: [junior-diplomats, aec-ascc]}
    #+ example: {country: "https://w3id.org/jaif-kg/id/country/KHM"}

``summary`` is required; each parameter needs a ``type`` (``iri``, ``string``, ``date``,
``integer``, ``decimal``, ``boolean``) and a ``description``; a parameter is optional unless it
says ``required: true``; ``default: today`` is the current date.

Binding: each given value is converted to a typed RDF term (:meth:`Parameter.convert`, which
refuses anything malformed), written in SPARQL syntax by this module (never user text pasted
as is), and bound through one inline ``VALUES (?p1 ?p2) { (t1 t2) }`` block inserted as the first
element of the query's top-level ``WHERE`` group. A parameter left unbound is simply absent, so a
query can test ``!BOUND(?country)``. A VALUES block means the same on every SPARQL 1.1 engine
(SPARQL 1.1 section 10.2.2); pyoxigraph's ``substitutions`` need the variable to be projected and
do not reach FILTERs under GROUP BY, and rdflib's ``initBindings`` exist only in rdflib. A
parameter used only inside a sub-SELECT is not reached by the block: use it in the top-level
group.

Base IRI: the files name things under the default base; read under another base
(``settings.base_iri``), a file's text (header and query) has every occurrence of the default base
rewritten under it before it is parsed, and ``prefix:local`` parameter values expand under it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pyoxigraph as ox
import yaml
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.term import Identifier

from jaif_kg.errors import InputError, ParameterError, UnknownQuery
from jaif_kg.rdf.graph import expand
from jaif_kg.rdf.namespaces import DEFAULT_BASE, rebase_text
from jaif_kg.sparql.results import JsonValue, literal_value
from jaif_kg.store.base import QueryResult, Store

XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

#: The parameter types a header may declare.
PARAMETER_TYPES = ("iri", "string", "date", "integer", "decimal", "boolean")
#: The kinds of query a catalog holds.
QUERY_KINDS = ("select", "ask", "construct", "describe")

_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_VARNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HEADER_KEYS = {"summary", "description", "tags", "parameters", "example"}
_PARAMETER_KEYS = {"type", "description", "required", "default", "enum"}

# An absolute IRI we accept as a parameter: http(s) or urn, and none of the characters SPARQL's
# IRIREF excludes (https://www.w3.org/TR/sparql11-query/#rIRIREF) nor any control character.
_IRI_SCHEME = re.compile(r"(?:https?://[^/?#]+|urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:)\S*", re.I)
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f]')
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _plain(value: Any) -> str:
    """A YAML scalar as the text a user would have typed (``true``, ``2022-06-30``, ``3``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Parameter:
    """A declared parameter of a named query.

    Attributes:
        name: the SPARQL variable it binds (without ``?``).
        type: one of :data:`PARAMETER_TYPES`.
        description: what it means, for people (shown by the CLI and the API docs).
        required: a value must be given (and there is no default).
        default: the value used when none is given (``today`` for the current date), if any.
        enum: the only values allowed, if restricted.
        base: the base IRI the project prefixes of ``iri`` values expand under.
    """

    name: str
    type: str
    description: str
    required: bool
    default: str | None
    enum: tuple[str, ...] | None
    base: str = DEFAULT_BASE

    def convert(self, raw: str) -> Identifier:
        """Convert a value given as text to the RDF term it stands for.

        ``iri``: an absolute http(s) or urn IRI, or ``prefix:local`` with a project prefix
        (``id:country/KHM``, under the parameter's base), or ``<iri>``; ``string``: an
        ``xsd:string``; ``date``: ``YYYY-MM-DD`` or ``today``; ``integer``, ``decimal``, ``boolean``
        (``true``/``false``/``1``/``0``): the XSD types.

        >>> Parameter("n", "integer", "", False, None, None).convert("+7")
        rdflib.term.Literal('7', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
        >>> Parameter("c", "iri", "", False, None, None).convert("id:country/KHM")
        rdflib.term.URIRef('https://w3id.org/jaif-kg/id/country/KHM')

        Raises:
            ParameterError: the value is not of the parameter's type or not in its enum; the
                message names the parameter, the value and what is expected.
        """
        if self.enum is not None and raw not in self.enum:
            self._fail(raw, f"one of {', '.join(self.enum)}")
        if self.type == "iri":
            iri = expand(raw, self.base) if not _IRI_SCHEME.fullmatch(raw) else raw
            if iri is None or not _IRI_SCHEME.fullmatch(iri) or _IRI_FORBIDDEN.search(iri):
                self._fail(
                    raw,
                    "an absolute http(s) or urn IRI without spaces, quotes, <>{}|^`\\ or "
                    "control characters (or prefix:local with a project prefix)",
                )
            return URIRef(iri)
        if self.type == "string":
            return Literal(raw)
        if self.type == "date":
            if raw == "today":
                return Literal(dt.date.today().isoformat(), datatype=XSD.date)
            if not _DATE.fullmatch(raw):
                self._fail(raw, "a date YYYY-MM-DD (or today)")
            try:
                dt.date.fromisoformat(raw)
            except ValueError:
                self._fail(raw, "a real calendar date YYYY-MM-DD")
            return Literal(raw, datatype=XSD.date, normalize=False)
        if self.type == "integer":
            if not _INTEGER.fullmatch(raw):
                self._fail(raw, "an integer")
            return Literal(int(raw), datatype=XSD.integer)
        if self.type == "decimal":
            if not _DECIMAL.fullmatch(raw):
                self._fail(raw, "a decimal number such as 12.5")
            return Literal(raw, datatype=XSD.decimal, normalize=False)
        if self.type == "boolean":
            if raw.lower() not in _BOOLEANS:
                self._fail(raw, "true or false")
            return Literal(_BOOLEANS[raw.lower()])
        raise ParameterError(f"parameter {self.name!r} has an unknown type {self.type!r}")

    def _fail(self, raw: str, expected: str) -> NoReturn:
        raise ParameterError(
            f"parameter {self.name!r} ({self.type}): {raw!r} is not valid; expected {expected}"
        )


def sparql_term(term: Identifier) -> str:
    """A term in SPARQL syntax, escaped so that it is one term whatever its text.

    Strings are always one line, with ``\\``, ``"``, line feed and carriage return escaped
    (SPARQL ``ECHAR``). rdflib's ``Literal.n3()`` is not used: it writes a multi-line string that
    ends in a backslash and a quote as an unterminated literal.

    >>> sparql_term(Literal('a "b" } >'))
    '"a \\\\"b\\\\" } >"'
    >>> sparql_term(Literal("2022-06-30", datatype=XSD.date))
    '"2022-06-30"^^<http://www.w3.org/2001/XMLSchema#date>'
    """
    if isinstance(term, URIRef):
        if _IRI_FORBIDDEN.search(str(term)):
            raise ParameterError(f"not a valid IRI: {str(term)!r}")
        return f"<{term}>"
    if isinstance(term, Literal):
        text = '"' + "".join(_ESCAPES.get(c, c) for c in str(term)) + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None and str(term.datatype) != str(XSD.string):
            return f"{text}^^{sparql_term(URIRef(term.datatype))}"
        return text
    raise ParameterError(f"cannot bind a {type(term).__name__} ({term!r})")


# -- where to insert the VALUES block ---------------------------------------------------------

# Strings, IRIs and comments, to blank out before looking for keywords and variables. IRIREF
# excludes spaces, so "?a < ?b" is not taken for an IRI.
_MASKED = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*",
    re.S,
)
_WHERE = re.compile(r"\bWHERE\s*\{", re.I)
_PREFIX = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^<>\s]*)>", re.I)


def mask(text: str) -> str:
    """The query with strings, IRIs and comments blanked (same length, same offsets).

    >>> mask('SELECT * WHERE { ?s <http://x/#a> "WHERE {" } # WHERE {')
    'SELECT * WHERE { ?s                        }          '
    """

    return _MASKED.sub(lambda match: " " * len(match.group(0)), text)


def values_insertion_point(text: str) -> int | None:
    """Offset just after the ``{`` of the top-level ``WHERE`` group, or ``None``.

    >>> q = "SELECT ?x # WHERE {\\nWHERE { ?x ?p ?o }"
    >>> q[: values_insertion_point(q)]
    'SELECT ?x # WHERE {\\nWHERE {'
    """
    match = _WHERE.search(mask(text))
    return match.end() if match else None


def _uses_variable(masked: str, name: str) -> bool:
    return (
        re.search(rf"[?$]{re.escape(name)}(?![A-Za-z0-9_\u00b7\u0300-\u036f\u203f\u2040])", masked)
        is not None
    )


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
        masked = mask(self.text)
        return {
            m.group(1) or "": m.group(2)
            for m in _PREFIX.finditer(self.text)
            if masked[m.start()] == "P" or masked[m.start()] == "p"  # not in a comment or string
        }

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

    def bind(self, values: Mapping[str, str]) -> str:
        """The query text with ``values`` bound by an inline VALUES block (see module doc).

        Raises:
            ParameterError: as :meth:`terms`; or the bound query does not parse (a bug).
        """
        bound = self.terms(values)
        if not bound:
            return self.text
        return _bound_text(self.name, self.text, tuple(bound.items()))


@functools.lru_cache(maxsize=4096)
def _bound_text(name: str, text: str, bound: tuple[tuple[str, Identifier], ...]) -> str:
    """The text of ``text`` with ``bound`` inserted; cached, as the same values come back often
    (an API's popular requests) and checking that the result parses costs more than the query
    itself for the quickest queries."""
    at = values_insertion_point(text)
    if at is None:  # the catalog refuses such queries; only a hand-made NamedQuery gets here
        raise ParameterError(f"query {name!r} has no top-level WHERE {{ to bind into")
    names = " ".join(f"?{n}" for n, _ in bound)
    row = " ".join(sparql_term(t) for _, t in bound)
    # no line break, so the parser's line numbers still match the file
    bound_text = f"{text[:at]} VALUES ({names}) {{ ({row}) }}{text[at:]}"
    _check_parses(bound_text, name)
    return bound_text


_EMPTY = ox.Store()


def _check_parses(text: str, name: str) -> None:
    # pyoxigraph has no parse-only call; running on an empty store parses and returns at once
    try:
        _EMPTY.query(text)
    except SyntaxError as exc:
        raise ParameterError(f"query {name!r} does not parse once bound: {exc}") from None


def _header_and_body(text: str, path: Path) -> tuple[str, str]:
    header: list[str] = []
    body: list[str] = []
    in_body = False
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if stripped.startswith("#+"):
            if in_body:
                raise InputError(
                    "'#+' header lines must come before the query", path=str(path), line=number
                )
            header.append(stripped[2:] + "\n")
            body.append("\n")  # keep line numbers of the body
        else:
            if stripped and not stripped.startswith("#"):
                in_body = True
            body.append(line)
    return "".join(_dedent(header)), "".join(body)


def _dedent(lines: list[str]) -> list[str]:
    indents = [len(x) - len(x.lstrip(" ")) for x in lines if x.strip()]
    cut = min(indents) if indents else 0
    return [x[cut:] for x in lines]


def _fail(path: Path, message: str) -> InputError:
    return InputError(message, path=str(path))


def _parse_parameter(name: Any, spec: Any, path: Path, base: str = DEFAULT_BASE) -> Parameter:
    if not isinstance(name, str) or not _VARNAME.fullmatch(name):
        raise _fail(path, f"parameter name {name!r} is not a SPARQL variable name")
    if not isinstance(spec, dict):
        raise _fail(path, f"parameter {name!r}: expected a mapping such as {{type: iri}}")
    unknown = set(spec) - _PARAMETER_KEYS
    if unknown:
        raise _fail(
            path,
            f"parameter {name!r}: unknown keys {sorted(unknown)}; "
            f"allowed: {sorted(_PARAMETER_KEYS)}",
        )
    ptype = spec.get("type")
    if ptype not in PARAMETER_TYPES:
        raise _fail(
            path, f"parameter {name!r}: type {ptype!r} is not one of {', '.join(PARAMETER_TYPES)}"
        )
    description = spec.get("description")
    if not isinstance(description, str) or not description.strip():
        raise _fail(path, f"parameter {name!r}: needs a description")
    required = spec.get("required", False)
    if not isinstance(required, bool):
        raise _fail(path, f"parameter {name!r}: required must be true or false")
    default = _plain(spec["default"]) if spec.get("default") is not None else None
    if required and default is not None:
        raise _fail(path, f"parameter {name!r}: a required parameter cannot have a default")
    enum = spec.get("enum")
    if enum is not None:
        if not isinstance(enum, list) or not enum:
            raise _fail(path, f"parameter {name!r}: enum must be a non-empty list")
        enum = tuple(_plain(v) for v in enum)
    parameter = Parameter(name, ptype, description.strip(), required, default, enum, base)
    for value in (*(enum or ()), *((default,) if default is not None else ())):
        try:
            parameter.convert(value)
        except ParameterError as exc:
            raise _fail(path, f"header: {exc}") from None
    return parameter


def _query_kind(text: str, path: Path) -> str:
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepared = prepareQuery(text)
    except Exception as exc:  # rdflib raises pyparsing and assorted errors for bad SPARQL
        raise _fail(path, f"the query does not parse (rdflib): {exc}") from None
    kind = str(prepared.algebra.name).removesuffix("Query").lower()
    if kind not in QUERY_KINDS:
        raise _fail(path, f"unsupported query form {prepared.algebra.name}")
    return kind


def load_query(path: Path, *, base: str = DEFAULT_BASE) -> NamedQuery:
    """Read one ``.rq`` file into a :class:`NamedQuery`, checking everything that can be.

    Under another ``base`` than the default, the file's text is rebased first (see the module
    doc), so the query, its example and its defaults name things under ``base``.

    Raises:
        InputError: naming the file: a bad name, header, parameter or example, a query that
            does not parse (rdflib's and pyoxigraph's parsers both must accept it), a declared
            parameter the query does not use, or no top-level ``WHERE {`` to bind into.
    """
    name = path.stem
    if not _NAME.fullmatch(name):
        raise _fail(
            path, "a query file name must be kebab-case: lower-case words and digits, joined by '-'"
        )
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(path, f"cannot read the file: {exc}") from None
    header_text, body = _header_and_body(rebase_text(source, base), path)
    try:
        header = yaml.safe_load(header_text) if header_text.strip() else None
    except yaml.YAMLError as exc:
        raise _fail(path, f"the '#+' header is not valid YAML: {exc}") from None
    if not isinstance(header, dict):
        raise _fail(path, "needs a '#+' YAML header with at least a summary")
    unknown = set(header) - _HEADER_KEYS
    if unknown:
        raise _fail(path, f"unknown header keys {sorted(unknown)}; allowed: {sorted(_HEADER_KEYS)}")
    summary = header.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        raise _fail(path, "the header needs a summary")
    description = header.get("description") or ""
    tags = header.get("tags") or []
    if not isinstance(description, str) or not isinstance(tags, list):
        raise _fail(path, "description must be text and tags a list")
    specs = header.get("parameters") or {}
    if not isinstance(specs, dict):
        raise _fail(path, "parameters must be a mapping of name to {type: ..., ...}")
    parameters = tuple(_parse_parameter(n, s, path, base) for n, s in specs.items())
    example_spec = header.get("example") or {}
    if not isinstance(example_spec, dict):
        raise _fail(path, "example must be a mapping of parameter name to value")
    example = {str(k): _plain(v) for k, v in example_spec.items()}

    # the body has blank lines where the header was: drop them, but count them for errors
    text = body.lstrip("\n")
    leading = len(body) - len(text)
    try:
        _EMPTY.query(text)
    except SyntaxError as exc:
        # pyoxigraph says "error at 4:1: ..." (line:column of the text)
        at = re.search(r"\bat (\d+):\d+", str(exc))
        line = int(at.group(1)) + leading if at else None
        raise InputError(
            f"the query does not parse (pyoxigraph): {exc}", path=str(path), line=line
        ) from None
    kind = _query_kind(text, path)
    masked = mask(text)
    if values_insertion_point(text) is None:
        raise _fail(path, "cannot find the top-level 'WHERE {' (write the WHERE keyword)")
    for p in parameters:
        if not _uses_variable(masked, p.name):
            raise _fail(path, f"parameter {p.name!r} is declared but ?{p.name} is not in the query")
    query = NamedQuery(
        name=name,
        summary=summary.strip(),
        description=description.strip(),
        tags=tuple(str(t) for t in tags),
        parameters=parameters,
        example=example,
        text=text,
        kind=kind,
        path=path,
    )
    try:
        query.bind(example)
    except ParameterError as exc:
        raise _fail(path, f"the example does not bind: {exc}") from None
    return query


class Catalog:
    """The named queries of a folder, by name."""

    def __init__(self, queries: Mapping[str, NamedQuery]) -> None:
        self._queries = dict(sorted(queries.items()))

    @classmethod
    def from_dir(cls, path: Path, *, base: str = DEFAULT_BASE) -> Catalog:
        """Load every ``*.rq`` file of ``path`` (not its sub-folders, e.g. ``checks/``), read
        under ``base`` (see :func:`load_query`).

        Raises:
            InputError: the folder does not exist, or a query file is invalid (see
                :func:`load_query`).
        """
        if not path.is_dir():
            raise InputError("no such folder of named queries", path=str(path))
        queries = (load_query(p, base=base) for p in sorted(path.glob("*.rq")))
        return cls({q.name: q for q in queries})

    def __getitem__(self, name: str) -> NamedQuery:
        try:
            return self._queries[name]
        except KeyError:
            known = ", ".join(self._queries) or "none"
            raise UnknownQuery(f"no named query {name!r}; known: {known}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._queries

    def __iter__(self) -> Iterator[NamedQuery]:
        return iter(self._queries.values())

    def __len__(self) -> int:
        return len(self._queries)

    def names(self) -> list[str]:
        """The query names, sorted."""
        return list(self._queries)


def run_named(store: Store, query: NamedQuery, values: Mapping[str, str]) -> QueryResult:
    """Bind ``values`` into ``query`` and run it on ``store``.

    Raises:
        ParameterError: a value is unknown, missing or malformed.
    """
    return store.query(query.bind(values))


# -- rows as plain JSON values ------------------------------------------------------------


def plain_value(term: Identifier | None) -> JsonValue:
    """A term as a plain JSON value (:func:`jaif_kg.sparql.results.literal_value`'s convention).

    >>> plain_value(Literal(3))
    3
    >>> plain_value(Literal("2022-06-30", datatype=XSD.date))
    '2022-06-30'
    >>> plain_value(URIRef("https://w3id.org/jaif-kg/id/country/KHM"))
    'https://w3id.org/jaif-kg/id/country/KHM'
    """
    if term is None:
        return None
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return literal_value(str(term), str(term.datatype) if term.datatype else None)
    return str(term)


def plain_rows(result: QueryResult) -> list[dict[str, JsonValue]]:
    """SELECT rows as JSON objects, one key per variable (null when unbound)."""
    return [{v: plain_value(row.get(v)) for v in result.variables} for row in result.rows]
