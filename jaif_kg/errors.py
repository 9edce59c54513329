"""Typed errors. Each carries what a user needs to fix the input."""

from __future__ import annotations


class JaifError(Exception):
    """Base class of every error jaif-kg raises on purpose."""


class InputError(JaifError):
    """Unreadable input: malformed RDF, unknown file, unknown format.

    Attributes:
        path: the file (or other source) that could not be read, if known.
        line: 1-based line of the problem, if the parser said.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = path or ""
        if line is not None:
            where = f"{where}:{line}" if where else f"line {line}"
        super().__init__(f"{where}: {message}" if where else message)


class InputErrors(InputError):
    """Several unusable inputs found in one run (every syntax error of every file, not only the
    first). The message lists them one per line; :attr:`errors` holds each.

    >>> e = InputErrors([InputError("bad", path="a.ttl", line=3), InputError("x", path="b.nt")])
    >>> print(e)
    a.ttl:3: bad
    b.nt: x
    """

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors
        first = errors[0] if errors else None
        JaifError.__init__(self, "\n".join(str(e) for e in errors))
        self.path = first.path if first else None
        self.line = first.line if first else None


class QuerySyntaxError(JaifError):
    """A SPARQL query that does not parse; the message is the parser's."""


class QueryRefused(JaifError):
    """A query that is valid but not allowed (SPARQL Update, FROM, SERVICE, LOAD...)."""


class QueryTimeout(JaifError):
    """A query that ran past its time limit and was stopped."""


class ResultTooLarge(JaifError):
    """A query whose result exceeds the configured cap."""


class UnknownQuery(JaifError):
    """A named query that does not exist."""


class ParameterError(JaifError):
    """A named-query parameter that is missing, unknown or of the wrong type."""


class StoreError(JaifError):
    """A store backend failed (unreachable server, failed write...)."""


class QueryTooComplex(QueryRefused):
    """A query nested more deeply than the engine can parse safely (refused before it runs)."""


class OutOfMemory(JaifError):
    """A query that needed more memory than a query worker may use; the worker was replaced."""


class WorkerFailure(JaifError):
    """The query engine failed on a query (a panic or a crash); the worker was replaced."""
