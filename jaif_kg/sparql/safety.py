"""Keep query engines from reaching the network: the structural ``SERVICE`` check.

Both embedded engines would follow a ``SERVICE <url>`` clause with an HTTP request (pyoxigraph
does it natively; rdflib through ``urlopen``), and a remote SPARQL server runs the query itself,
so it would too (Oxigraph server follows SERVICE anywhere). This module decides on a **real parse**
of the query (rdflib's SPARQL 1.1 parser), never on tokens:

* :func:`may_use_service` is an exact pre-filter in the safe direction: the ``SERVICE`` keyword can
  only be written with the letters ``s e r v i c e`` (any case), literally or as ``\\u`` / ``\\U``
  code point escapes, which SPARQL 1.1 (§19.2) expands before parsing. A text in which neither
  the raw nor the expanded form contains them cannot call a service, and needs no parse.
* :func:`inspect` parses the text and walks the parse tree for ``ServiceGraphPattern``. Verdicts
  are cached per text.
* :func:`refuse_service` refuses a query whose parse has a ``SERVICE``, and, by default
  (``strict``), a text that may use ``SERVICE`` but that the parser cannot read: rdflib rejects
  some valid queries Oxigraph accepts (the escaped local name ``:a\\#``), and an unread text is
  never passed on. The parser could still disagree with an engine the other way (read a text
  without SERVICE where the engine finds one); in the query workers the kernel sandbox
  (:mod:`jaif_kg.workers.sandbox`) covers that case, since it blocks every network socket whatever
  the
  text says. A remote server has no such layer: there this check is the only one.

Federation, opt in (``serve --allow-service URL``): :func:`service_endpoints` reads the endpoint of
every ``SERVICE`` in the parse and accepts a query only when each one is written as an absolute
``http``/``https`` IRI (or a prefixed name whose namespace is absolute) that is, after
:func:`normalise_endpoint`, exactly one of the allowed URLs. A variable endpoint, a relative IRI,
a prefix declared twice with different IRIs, or any other endpoint is refused with its reason.
The allow-list is passed explicitly, or set once for a whole process by
:func:`permit_services` (the federation workers of :mod:`jaif_kg.workers.pool`, so that a
backend's own call of :func:`refuse_service` accepts the same endpoints); every other process
keeps an empty list, and refuses every ``SERVICE`` as before.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from jaif_kg.errors import QueryRefused

#: SPARQL 1.1 §19.2 code point escapes, expanded before parsing.
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

SERVICE_MESSAGE = (
    "SERVICE is not supported: this endpoint never calls other SPARQL services (federated "
    "queries are refused); query the other service yourself"
)
UNVERIFIED_MESSAGE = (
    "this query mentions SERVICE and the safety check's SPARQL parser cannot read it, so it is "
    "not sent to the SPARQL server (which would follow a SERVICE clause): {reason}"
)


NESTED_SERVICE_REASON = "a SERVICE inside a SERVICE is not supported"
NESTED_SERVICE_MESSAGE = (
    NESTED_SERVICE_REASON + " (the allowed service would be asked to call another one): "
    "query the inner service yourself"
)
NOT_ALLOWED_MESSAGE = (
    "SERVICE {what} is not allowed ({why}): this endpoint calls only the SPARQL services its "
    "operator listed, each written as an absolute IRI: {allowed}"
)
#: Ports an endpoint's scheme implies (dropped by :func:`normalise_endpoint`).
DEFAULT_PORTS = {"http": 80, "https": 443}
#: Characters that never occur in an IRI (RFC 3987 ``IRIREF`` of SPARQL 1.1, §19.8), nor in a URL.
_NOT_IN_IRI = frozenset('<>"{}|^`\\ ')
#: The allow-list of this process (:func:`permit_services`): empty, every SERVICE is refused.
_PERMITTED: list[tuple[str, ...]] = []


def normalise_endpoint(url: str) -> str:
    """The canonical form of a SPARQL endpoint's URL, against which SERVICE IRIs are matched.

    The scheme (``http`` or ``https``) and the host are lower-cased, the scheme's default port
    and an empty port are dropped, an empty path becomes ``/``; the path and the query string are
    kept byte for byte (no percent-decoding, no case change). Refused (``ValueError``): another
    scheme, user information (``user@``), a fragment, a non-ASCII host, ``.`` or ``..`` path
    segments, characters that no IRI holds (spaces, controls, ``<>"{}|^`\\``).

    >>> normalise_endpoint("HTTP://Example.ORG:80")
    'http://example.org/'
    >>> normalise_endpoint("https://query.wikidata.org:443/sparql?format=json")
    'https://query.wikidata.org/sparql?format=json'
    >>> normalise_endpoint("http://[::1]:7878/query")
    'http://[::1]:7878/query'
    >>> normalise_endpoint("http://user@example.org/")
    Traceback (most recent call last):
    ...
    ValueError: http://user@example.org/: an endpoint URL carries no user information (user@)
    """
    bad = sorted({c for c in url if c in _NOT_IN_IRI or ord(c) < 0x21 or 0x7F <= ord(c) < 0xA0})
    if bad:
        raise ValueError(f"{url!r}: an IRI cannot hold {''.join(bad)!r}")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"{url}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"{url}: a SPARQL endpoint is an http:// or https:// URL")
    if "@" in parts.netloc:
        raise ValueError(f"{url}: an endpoint URL carries no user information (user@)")
    if "#" in url:
        raise ValueError(f"{url}: an endpoint URL has no fragment (#)")
    host = parts.hostname or ""
    if not host or not host.isascii():
        raise ValueError(f"{url}: the host must be written in ASCII (punycode for a name)")
    if ":" in host:
        host = f"[{host}]"
    path = parts.path or "/"
    if any(segment in (".", "..") for segment in path.split("/")):
        raise ValueError(f"{url}: the path has . or .. segments")
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = f"?{parts.query}" if "?" in url else ""
    return f"{scheme}://{netloc}{path}{query}"


def endpoint_port(endpoint: str) -> int:
    """The TCP port a (normalised) endpoint is reached on.

    >>> endpoint_port("https://example.org/sparql"), endpoint_port("http://h:7878/query")
    (443, 7878)
    """
    parts = urlsplit(endpoint)
    return parts.port or DEFAULT_PORTS[parts.scheme]


def permit_services(endpoints: tuple[str, ...]) -> None:
    """Set this process's allow-list (once: a process cannot widen it afterwards).

    Raises:
        RuntimeError: the process already has another allow-list.
    """
    normal = tuple(sorted({normalise_endpoint(e) for e in endpoints}))
    if _PERMITTED and _PERMITTED[0] != normal:
        raise RuntimeError("this process already has its SERVICE allow-list")
    if not _PERMITTED:
        _PERMITTED.append(normal)


def permitted_services() -> tuple[str, ...]:
    """This process's allow-list (empty unless :func:`permit_services` ran here or in the
    process this one was forked from).

    >>> permitted_services()
    ()
    """
    return _PERMITTED[0] if _PERMITTED else ()


def _expand_one(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def expand_escapes(text: str) -> str:
    """Expand ``\\uXXXX`` and ``\\UXXXXXXXX`` code point escapes (SPARQL 1.1 §19.2); linear.

    >>> expand_escapes(r"SERVI\\u0043E <x>")
    'SERVICE <x>'
    """
    return _ESCAPE.sub(_expand_one, text) if "\\" in text else text


def may_use_service(text: str) -> bool:
    """Whether the text could contain a ``SERVICE`` clause (an exact test in the safe direction).

    >>> may_use_service("SELECT * WHERE { ?s ?p ?o }")
    False
    >>> may_use_service(r"SELECT * WHERE { SeRvI\\u0063e <http://x/> {} }")
    True
    """
    if "service" in text.lower():
        return True
    return "\\" in text and "service" in expand_escapes(text).lower()


@dataclass(frozen=True)
class Inspection:
    """What the parse of a query shows.

    Attributes:
        parsed: the parser read the text (``reason`` says why not, otherwise).
        service: the parse tree has a ``SERVICE`` graph pattern.
        reason: the parser's message when it could not read the text.
        endpoints: each SERVICE's endpoint (:func:`_endpoint_of`).
        nested_service: the parser could not read the text because a ``SERVICE`` pattern is
            inside another one (then ``service`` is true and ``endpoints`` empty).
    """

    parsed: bool
    service: bool = False
    reason: str = ""
    endpoints: tuple[tuple[str, str, str], ...] = ()
    nested_service: bool = False


def _is_absolute(iri: str) -> bool:
    scheme = iri.split(":", 1)[0] if ":" in iri else ""
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme))


def _endpoint_of(term: Any, prefixes: dict[str, set[str]]) -> tuple[str, str, str]:
    """What a SERVICE term names: ``(as written, the absolute IRI, "")``, or ``(as written, "",
    why it names no fixed endpoint)``."""
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import URIRef, Variable

    if isinstance(term, Variable):
        return f"?{term}", "", "its endpoint is a variable, not an IRI"
    if isinstance(term, CompValue) and term.name == "pname":
        prefix, local = str(term.get("prefix") or ""), str(term.get("localname") or "")
        namespaces = prefixes.get(prefix, set())
        written = f"{prefix}:{local}"
        if len(namespaces) != 1:
            why = "is not declared" if not namespaces else "is declared with different IRIs"
            return written, "", f"the prefix {prefix}: {why}"
        (namespace,) = namespaces
        if not _is_absolute(namespace):
            return written, "", f"the prefix's IRI <{namespace}> is relative (resolved by BASE)"
        return written, namespace + local, ""
    if isinstance(term, URIRef):
        if not _is_absolute(str(term)):
            return f"<{term}>", "", "a relative IRI (resolved by BASE)"
        return f"<{term}>", str(term), ""
    return repr(term), "", "not an IRI"


def _endpoints(tree: Any) -> tuple[tuple[str, str, str], ...]:
    """Each SERVICE's endpoint (see :func:`_endpoint_of`), in no particular order."""
    from rdflib.plugins.sparql.parserutils import CompValue

    prefixes: dict[str, set[str]] = {}
    for decl in tree[0] if len(tree) else ():
        if isinstance(decl, CompValue) and decl.name == "PrefixDecl":
            prefixes.setdefault(str(decl.get("prefix") or ""), set()).add(str(decl["iri"]))
    return tuple(_endpoint_of(term, prefixes) for term in _service_terms(tree))


def _service_terms(node: Any) -> list[Any]:
    """The ``term`` of every SERVICE pattern in an rdflib parse tree (walked iteratively)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    found: list[Any] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name == "ServiceGraphPattern":
                found.append(item.get("term"))
            stack.extend(item.values())
        elif isinstance(item, list | tuple | ParseResults):
            stack.extend(item)
    return found


def _has_service(node: Any) -> bool:
    """Whether an rdflib parse tree has a SERVICE pattern (walked iteratively: a deep query must
    not overflow Python's stack)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name == "ServiceGraphPattern":
                return True
            stack.extend(item.values())
        elif isinstance(item, list | tuple | ParseResults):
            stack.extend(item)
    return False


def _service_in_service(exc: RecursionError) -> bool:
    """Whether rdflib's parser overflowed on a ``SERVICE`` pattern inside another one.

    rdflib's parse action for a finished ``SERVICE`` pattern (``Comp.postParse`` of
    ``ServiceGraphPattern``) searches the query text again for a ``SERVICE`` pattern to keep its
    text; the first it finds is the outer one, whose inner pattern runs the action again, without
    end. Its frame on the stack twice is that case; any other deep query has it once at most.
    """
    actions = 0
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_name != "postParse":
            continue
        if getattr(frame.f_locals.get("self"), "name", None) == "ServiceGraphPattern":
            actions += 1
            if actions == 2:
                return True
    return False


@lru_cache(maxsize=2048)
def inspect(text: str) -> Inspection:
    """Parse ``text`` with rdflib's SPARQL 1.1 parser and report what it contains (cached).

    >>> inspect("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }").service
    True
    >>> inspect("SELECT ?service WHERE { ?service <http://e/SERVICE> 'SERVICE' }").service
    False
    >>> inspect("SELECT * WHERE {").parsed
    False
    """
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except RecursionError as exc:
        if _service_in_service(exc):
            return Inspection(False, True, NESTED_SERVICE_REASON, nested_service=True)
        return Inspection(False, reason="the query is nested too deeply for the parser")
    except Exception as exc:  # pyparsing and rdflib raise several types for unreadable text
        return Inspection(False, reason=str(exc).splitlines()[0] if str(exc) else repr(exc))
    if not _has_service(tree):
        return Inspection(True)
    return Inspection(True, True, endpoints=_endpoints(tree))


def service_endpoints(
    sparql: str, *, strict: bool = True, allowed: tuple[str, ...] | None = None
) -> tuple[str, ...]:
    """The allowed endpoints the query calls (empty: it calls none); refuse any other SERVICE.

    Args:
        sparql: the query text.
        strict: refuse, too, a text that may use ``SERVICE`` but that the parser cannot read
            (for engines that nothing else confines).
        allowed: the normalised endpoint URLs a SERVICE may name (:func:`normalise_endpoint`);
            ``None``: this process's list (:func:`permitted_services`, empty unless set).

    Raises:
        QueryRefused: a SERVICE whose endpoint is not exactly one of ``allowed`` (every SERVICE
            when ``allowed`` is empty), or, when ``strict``, a text the parser cannot read.

    >>> service_endpoints("ASK { SERVICE <HTTP://H:80> {} }", allowed=("http://h/",))
    ('http://h/',)
    >>> service_endpoints("ASK { SERVICE <http://h/x> {} }", allowed=("http://h/",))
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    jaif_kg.errors.QueryRefused: SERVICE <http://h/x> is not allowed (not in the list): ...
    """
    if not may_use_service(sparql):
        return ()
    allowed = permitted_services() if allowed is None else allowed
    found = inspect(sparql)
    if found.service and not allowed:
        raise QueryRefused(SERVICE_MESSAGE)
    if found.nested_service:  # known from the parse, whether strict or not
        raise QueryRefused(NESTED_SERVICE_MESSAGE)
    if not found.parsed:
        if strict:
            raise QueryRefused(UNVERIFIED_MESSAGE.format(reason=found.reason))
        return ()
    calls: set[str] = set()
    listed = " ".join(f"<{url}>" for url in allowed)
    for written, iri, why in found.endpoints:
        normal = ""
        if iri:
            try:
                normal = normalise_endpoint(iri)
            except ValueError as exc:
                why = str(exc).removeprefix(f"{iri}: ").removeprefix(f"{iri!r}: ")
        if normal and normal not in allowed:
            why = "not in the list"
        if why:
            raise QueryRefused(NOT_ALLOWED_MESSAGE.format(what=written, why=why, allowed=listed))
        calls.add(normal)
    return tuple(sorted(calls))


def refuse_service(
    sparql: str, *, strict: bool = True, allowed: tuple[str, ...] | None = None
) -> None:
    """Raise :class:`QueryRefused` when the query has a ``SERVICE`` clause that is not allowed.

    Args:
        sparql: the query text.
        strict: refuse, too, a text that may use ``SERVICE`` but that the parser cannot read
            (for engines that nothing else confines).
        allowed: as :func:`service_endpoints` (by default this process's list: empty, so every
            ``SERVICE`` is refused, except in a federation worker).

    >>> refuse_service("ASK {}")
    >>> refuse_service("ASK { SERVICE <http://127.0.0.1:9/> {} }")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    jaif_kg.errors.QueryRefused: SERVICE is not supported: ...
    >>> refuse_service(r"PREFIX : <http://e/> ASK { BIND(:a\\# AS ?q) SERVICE <http://x/> {} }")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    jaif_kg.errors.QueryRefused: this query mentions SERVICE and the safety check's ...
    """
    service_endpoints(sparql, strict=strict, allowed=allowed)
