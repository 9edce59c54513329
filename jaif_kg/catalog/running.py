"""The catalog at work: reading ``queries/*.rq`` into named queries, and running them bound."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from jaif_kg.catalog.binding import NamedQuery, values_insertion_point, variables
from jaif_kg.catalog.header import read_header
from jaif_kg.errors import InputError, ParameterError, UnknownQuery
from jaif_kg.rdf.namespaces import DEFAULT_BASE, rebase_text
from jaif_kg.sparql.prepare import prepare_query, syntax_error
from jaif_kg.store.base import QueryResult, Store

#: The kinds of query a catalog holds.
QUERY_KINDS = ("select", "ask", "construct", "describe")

_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _query_kind(text: str, path: Path, *, rdflib: bool) -> str:
    """The form of a query (one of :data:`QUERY_KINDS`): its first keyword after the prologue,
    read by the project's lexer (:func:`jaif_kg.sparql.prepare.prepare_query`). With ``rdflib``,
    rdflib's parser must accept the query too, and agree on the form.
    """
    form = prepare_query(text).form
    if form is None:
        raise InputError("the query is not a SELECT, ASK, CONSTRUCT or DESCRIBE", path=str(path))
    if not rdflib:
        return form
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepared = prepareQuery(text)
    except Exception as exc:  # rdflib raises pyparsing and assorted errors for bad SPARQL
        raise InputError(f"the query does not parse (rdflib): {exc}", path=str(path)) from None
    kind = str(prepared.algebra.name).removesuffix("Query").lower()
    if kind != form:
        raise InputError(f"unsupported query form {prepared.algebra.name}", path=str(path))
    return kind


def load_query(path: Path, *, base: str = DEFAULT_BASE, rdflib: bool = False) -> NamedQuery:
    """Read one ``.rq`` file into a :class:`NamedQuery`, checking everything that can be.

    Under another ``base`` than the default, the file's text (header and query) has every
    occurrence of the default base rewritten under it before it is parsed, so the query, its
    example and its defaults name things under ``base``; ``prefix:local`` parameter values expand
    under it too.

    Raises:
        InputError: naming the file: a bad name, header, parameter or example, a query that
            does not parse (rdflib's and pyoxigraph's parsers both must accept it), a declared
            parameter the query does not use, or no top-level ``WHERE {`` to bind into.
    """
    name = path.stem
    if not _NAME.fullmatch(name):
        raise InputError(
            "a query file name must be kebab-case: lower-case words and digits, joined by '-'",
            path=str(path),
        )
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the file: {exc}", path=str(path)) from None
    header, body = read_header(rebase_text(source, base), path, base)

    # the body has blank lines where the header was: drop them, but count them for errors
    text = body.lstrip("\n")
    leading = len(body) - len(text)
    error = syntax_error(text)
    if error is not None:
        # pyoxigraph says "error at 4:1: ..." (line:column of the text)
        at = re.search(r"\bat (\d+):\d+", str(error))
        line = int(at.group(1)) + leading if at else None
        raise InputError(
            f"the query does not parse (pyoxigraph): {error}", path=str(path), line=line
        )
    kind = _query_kind(text, path, rdflib=rdflib)
    if values_insertion_point(text) is None:
        raise InputError(
            "cannot find the top-level 'WHERE {' (write the WHERE keyword)", path=str(path)
        )
    used = variables(text)
    for p in header.parameters:
        if p.name not in used:
            raise InputError(
                f"parameter {p.name!r} is declared but ?{p.name} is not in the query",
                path=str(path),
            )
    query = NamedQuery(
        name=name,
        summary=header.summary,
        description=header.description,
        tags=header.tags,
        parameters=header.parameters,
        example=header.example,
        text=text,
        kind=kind,
        path=path,
    )
    try:
        query.bind(header.example)
    except ParameterError as exc:
        raise InputError(f"the example does not bind: {exc}", path=str(path)) from None
    return query


class Catalog:
    """The named queries of a folder, by name."""

    def __init__(self, queries: Mapping[str, NamedQuery]) -> None:
        self._queries = dict(sorted(queries.items()))

    @classmethod
    def from_dir(cls, path: Path, *, base: str = DEFAULT_BASE, rdflib: bool = False) -> Catalog:
        """Load every ``*.rq`` file of ``path`` (not its sub-folders, e.g. ``checks/``), read
        under ``base`` (see :func:`load_query`; ``rdflib``: rdflib must parse them too).

        Raises:
            InputError: the folder does not exist, or a query file is invalid (see
                :func:`load_query`).
        """
        if not path.is_dir():
            raise InputError("no such folder of named queries", path=str(path))
        queries = (load_query(p, base=base, rdflib=rdflib) for p in sorted(path.glob("*.rq")))
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
