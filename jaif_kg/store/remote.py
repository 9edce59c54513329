"""Any SPARQL 1.1 server as a store: Oxigraph server, Apache Jena Fuseki, GraphDB, QLever...

Queries go through SPARQLWrapper (SPARQL 1.1 Protocol, POST form-encoded, content negotiation
only). Writes use the Graph Store HTTP Protocol when a Graph Store URL is configured, else SPARQL
1.1 Update. Input is parsed here first with the same parser as the embedded stores, so malformed
data is refused with its line number and never reaches the server.

Atomicity of writes: a small write is one HTTP request (a Graph Store ``PUT``/``POST``, or one
update request such as ``DROP SILENT GRAPH <g> ; INSERT DATA { ... }``), which Oxigraph, Fuseki
(TDB2) and GraphDB apply in one transaction. A write larger than ``chunk_triples`` is sent through
SPARQL Update in chunks into a fresh staging graph, then swapped in by a single final request
(``MOVE`` for a replacement, ``ADD`` for an addition); when a chunk fails the staging graph is
dropped and the target graph was never touched. Triples that share a blank node always travel in
the same chunk, since each request gets fresh blank nodes.

Authentication answers the server's challenge (``WWW-Authenticate``): HTTP Digest when the server
asks for Digest (Virtuoso's ``/sparql-auth``), Basic when it asks for Basic; the password is
never sent before the server has said which, so a Digest server never sees it in the clear.

Servers differ from the protocol in ways this module makes up for (:class:`ServerDialect`). On
Virtuoso Open-Source 7, whose default graph is the union of all its graphs and which holds
graphs of its own: the store's own default graph is the named graph :data:`DEFAULT_GRAPH_IRI`,
every query is sent with its whole dataset (``default-graph-uri`` and ``named-graph-uri``), its
own graphs are left out, and what it cannot do (override a query's ``FROM`` by the protocol) is
refused. docs/STORES.md lists the differences.

Specifications: https://www.w3.org/TR/sparql11-protocol/ ,
https://www.w3.org/TR/sparql11-http-rdf-update/ , https://www.w3.org/TR/sparql11-update/ ,
Digest: https://www.rfc-editor.org/rfc/rfc7616 ,
Virtuoso's endpoints: https://vos.openlinksw.com/owiki/wiki/VOS/VirtSPARQLProtocol .
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email.message import Message
from typing import ClassVar

import pyoxigraph as ox
from SPARQLWrapper import POST, POSTDIRECTLY, URLENCODED, SPARQLWrapper

from jaif_kg.errors import (
    InputError,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    StoreError,
)
from jaif_kg.rdf.formats import RdfFormat, ResultsFormat, rdf_format, results_format
from jaif_kg.sparql.escape import sparql_iri
from jaif_kg.sparql.prepare import has_dataset_clause, query_graphs
from jaif_kg.sparql.safety import refuse_service
from jaif_kg.store.base import (
    STAGING_PREFIX,
    BoundedBuffer,
    DefaultDataset,
    QueryResult,
    Store,
    pyoxigraph_result,
)
from jaif_kg.store.oxigraph import parse_quads

#: Triples per request beyond which writes are staged in chunks (about 6 MB of N-Triples).
DEFAULT_CHUNK_TRIPLES = 50_000
#: How long the list of the server's named graphs (what the default dataset is made of) is kept.
GRAPH_LIST_SECONDS = 5.0

#: What a graph IRI is called in the error that refuses it.
_GRAPH = "graph IRI"
_UPDATE_FORMS = {"INSERT", "DELETE", "CREATE", "CLEAR", "DROP", "LOAD", "COPY", "MOVE", "ADD"}
_QUERY_ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "application/n-triples;q=0.9, text/turtle;q=0.8"
)
#: What a SELECT/ASK asks for (a server may answer a CONSTRUCT in a results format: Virtuoso).
_RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
#: What a CONSTRUCT/DESCRIBE asks for.
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.8"
_GRAPH_FORMS = {"CONSTRUCT", "DESCRIBE"}
#: What :meth:`RemoteStore.check_endpoint` asks for: SPARQL results, nothing else.
_ASK_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
#: HTTP statuses that say "no SPARQL query endpoint here" rather than "a server in trouble".
_NOT_AN_ENDPOINT = frozenset({400, 404, 405, 406, 415, 501})

#: The named graph that holds the store's own default graph on a server that has none of its own
#: (Virtuoso, whose default graph is the union of all graphs).
DEFAULT_GRAPH_IRI = "urn:jaif-kg:default-graph"
#: A graph that never holds anything: sent as ``named-graph-uri`` (or ``default-graph-uri``) to
#: ask for no named graphs (an empty default graph), which leaving the parameter out cannot say.
NO_GRAPH_IRI = "urn:jaif-kg:no-graph"
#: Graphs Virtuoso Open-Source 7 creates for itself (its RDF views, the LDP vocabulary, the
#: service description of its endpoint before URIQA's DefaultHost is set): never data.
VIRTUOSO_GRAPHS = frozenset(
    {
        "http://www.openlinksw.com/schemas/virtrdf#",
        "http://www.w3.org/ns/ldp#",
        "http://localuriqaserver/sparql",
    }
)
_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


@dataclass(frozen=True)
class ServerDialect:
    """How a SPARQL server departs from the protocol, as far as this store must know.

    Attributes:
        name: the server, in words.
        union_default_graph: the server's default graph is the union of all its graphs, so the
            store's own default graph is kept in :data:`DEFAULT_GRAPH_IRI` and every query is sent
            with its dataset spelt out.
        merges_dataset: ``default-graph-uri``/``named-graph-uri`` are added to a query's own
            ``FROM``/``FROM NAMED`` instead of replacing them (SPARQL 1.1 Protocol 2.1.4 says
            replace), and ``FROM`` alone leaves every graph visible to ``GRAPH``.
        clears_with_drop_all: ``DROP ALL`` empties the store (Virtuoso answers it and drops
            nothing).
        boolean_digits: ``xsd:boolean`` comes back as ``1``/``0`` (Virtuoso keeps values, not
            lexical forms).
        mends_answers: answers are asked for in JSON results or N-Triples, mended (blank node
            labels, booleans) and written in the requested format by pyoxigraph, not passed
            through (Virtuoso writes ``"c"`` as a TSV header and ``1`` for true).
    """

    name: str = "a SPARQL 1.1 server"
    union_default_graph: bool = False
    merges_dataset: bool = False
    clears_with_drop_all: bool = True
    boolean_digits: bool = False
    mends_answers: bool = False

    def system_graph(self, graph: str) -> bool:
        """Whether ``graph`` is one the server keeps for itself (never listed as data).

        >>> VIRTUOSO.system_graph("http://www.w3.org/ns/ldp#"), PLAIN.system_graph("http://a")
        (True, False)
        >>> VIRTUOSO.system_graph("http://localhost:8890/sparql")  # its service description
        True
        """
        if graph in (DEFAULT_GRAPH_IRI, NO_GRAPH_IRI):
            return True
        if not self.union_default_graph:
            return False
        parts = urllib.parse.urlsplit(graph)
        # Virtuoso names the service description of its endpoint after URIQA's DefaultHost
        own_description = parts.path == "/sparql" and not parts.query and not parts.fragment
        return graph in VIRTUOSO_GRAPHS or own_description


#: A server that follows the protocol (Oxigraph server, Fuseki, GraphDB...).
PLAIN = ServerDialect()
#: Virtuoso Open-Source 7 (tested with 7.2.5, Debian's virtuoso-opensource).
VIRTUOSO = ServerDialect(
    "Virtuoso",
    union_default_graph=True,
    merges_dataset=True,
    clears_with_drop_all=False,
    boolean_digits=True,
    mends_answers=True,
)


def dialect_of(server_header: str | None) -> ServerDialect:
    """The dialect of the server that sent this ``Server`` response header.

    >>> dialect_of("Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu").name
    'Virtuoso'
    >>> dialect_of("Oxigraph/0.4.9") is PLAIN, dialect_of(None) is PLAIN
    (True, True)
    """
    product = (server_header or "").split("/", 1)[0].strip().lower()
    return VIRTUOSO if product == "virtuoso" else PLAIN


class _BasicOnChallenge(urllib.request.HTTPBasicAuthHandler):
    """Answers a Basic challenge, and tells the store that the server takes Basic, so that later
    requests send it at once (urllib's own "prior auth" also does so after a Digest success)."""

    def __init__(self, passwords: urllib.request.HTTPPasswordMgr, store: RemoteStore) -> None:
        super().__init__(passwords)
        self._store = store

    def http_error_401(
        self,
        req: urllib.request.Request,
        fp: object,
        code: int,
        msg: str,
        headers: Message,
    ) -> object:
        """Only a Basic challenge is this handler's: urllib's would raise ``ValueError`` on a
        Digest one that the Digest handler gave up on (wrong password), instead of letting the
        401 through as the error that says so."""
        challenges = headers.get_all("WWW-Authenticate") or []
        if not any(c.strip().lower().startswith("basic") for c in challenges):
            return None
        return super().http_error_401(req, fp, code, msg, headers)  # type: ignore[arg-type]

    def retry_http_basic_auth(self, host: str, req: urllib.request.Request, realm: str) -> object:
        response = super().retry_http_basic_auth(host, req, realm)
        if response is not None and 200 <= getattr(response, "status", 0) < 300:
            self._store._basic_accepted = True
        return response


_DIGITS = {"1": "true", "0": "false"}
_Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def _canonical_boolean(term: _Node) -> _Node:
    """``"1"^^xsd:boolean`` as ``"true"^^xsd:boolean`` (Virtuoso answers the value's digit).

    >>> _canonical_boolean(ox.Literal("0", datatype=ox.NamedNode(_XSD_BOOLEAN))).value
    'false'
    """
    if isinstance(term, ox.Literal) and term.datatype.value == _XSD_BOOLEAN:
        return ox.Literal(_DIGITS.get(term.value, term.value), datatype=term.datatype)
    return term


def _mend_json_results(body: bytes, boolean_digits: bool) -> bytes:
    """SPARQL JSON results that pyoxigraph reads and that say what the data says.

    Virtuoso labels blank nodes ``nodeID://b10000``, which the results format allows (a label
    is any string) but no RDF parser takes: each distinct label gets a new valid one. With
    ``boolean_digits``, ``"1"^^xsd:boolean`` becomes ``"true"``. A body that needs neither is
    returned as it came.

    >>> _mend_json_results(b'{"head":{"vars":["b"]},"results":{"bindings":'
    ...     b'[{"b":{"type":"bnode","value":"nodeID://b1"}}]}}', False)
    b'{"head": {"vars": ["b"]}, "results": {"bindings": [{"b": {"type": "bnode", "value": "b0"}}]}}'
    """
    if b'"bnode"' not in body and not (boolean_digits and _XSD_BOOLEAN.encode() in body):
        return body
    document = json.loads(body)
    labels: dict[str, str] = {}
    for row in document.get("results", {}).get("bindings", []):
        for value in row.values():
            if not isinstance(value, dict):
                continue
            if value.get("type") == "bnode":
                value["value"] = labels.setdefault(value["value"], f"b{len(labels)}")
            elif boolean_digits and value.get("datatype") == _XSD_BOOLEAN:
                value["value"] = _DIGITS.get(value["value"], value["value"])
    return json.dumps(document).encode()


def _graph_ref(graph: str | None) -> str:
    """``DEFAULT`` or ``GRAPH <iri>``, as SPARQL Update's GraphOrDefault.

    >>> _graph_ref(None), _graph_ref("http://example.org/g")
    ('DEFAULT', 'GRAPH <http://example.org/g>')
    """
    return "DEFAULT" if graph is None else f"GRAPH {sparql_iri(graph, _GRAPH)}"


def _components(triples: Sequence[ox.Triple]) -> list[list[ox.Triple]]:
    """Group triples so that all those sharing a blank node stay together (union-find).

    >>> b = ox.BlankNode("b")
    >>> t1 = ox.Triple(ox.NamedNode("http://a"), ox.NamedNode("http://p"), b)
    >>> t2 = ox.Triple(b, ox.NamedNode("http://q"), ox.Literal("x"))
    >>> t3 = ox.Triple(ox.NamedNode("http://c"), ox.NamedNode("http://p"), ox.Literal("y"))
    >>> sorted(len(c) for c in _components([t1, t3, t2]))
    [1, 2]
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for t in triples:
        labels = [n.value for n in (t.subject, t.object) if isinstance(n, ox.BlankNode)]
        for other in labels[1:]:
            parent[find(other)] = find(labels[0])
    groups: dict[str, list[ox.Triple]] = {}
    singles: list[list[ox.Triple]] = []
    for t in triples:
        node = t.subject if isinstance(t.subject, ox.BlankNode) else t.object
        if isinstance(node, ox.BlankNode):
            groups.setdefault(find(node.value), []).append(t)
        else:
            singles.append([t])
    return [*groups.values(), *singles]


def _chunks(triples: Sequence[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """Chunks of about ``size`` triples; a blank-node component is never split."""
    chunk: list[ox.Triple] = []
    for component in _components(triples):
        if chunk and len(chunk) + len(component) > size:
            yield chunk
            chunk = []
        chunk.extend(component)
    if chunk:
        yield chunk


def _ntriples(triples: Sequence[ox.Triple]) -> str:
    return (ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b"").decode()


def _media_type(header: str | None) -> str:
    return (header or "").split(";", 1)[0].strip().lower()


def _find_format(media_type: str) -> RdfFormat | ResultsFormat:
    """The format a server answered in (results formats first: ``application/xml`` is both)."""
    try:
        return results_format(media_type)
    except InputError:
        return rdf_format(media_type)


class RemoteStore(Store):
    """A SPARQL 1.1 server reached over HTTP(S).

    Args:
        query_url: the SPARQL query endpoint (e.g. Oxigraph ``http://host:7878/query``).
        update_url: the SPARQL Update endpoint; defaults to ``query_url``.
        graph_store_url: the Graph Store Protocol endpoint (e.g. Oxigraph ``.../store``), if any;
            when set, single-graph writes use it (``PUT`` to replace, ``POST`` to add).
        user: user name, sent when the server asks for it (HTTP Digest or Basic, as the
            server's ``WWW-Authenticate`` challenge says).
        password: its password.
        timeout: seconds to wait for a query's answer.
        write_timeout: seconds to wait for a write's answer.
        chunk_triples: writes larger than this are staged in chunks (see the module docs).
        dataset: what a query that names no dataset sees (default: the server's default graph).
            The union of the data graphs, or the shipped graph, is sent as ``default-graph-uri``
            values (so the server needs no union setting, and the metadata graph stays out);
            when the server holds none of those graphs, its own default graph is used (a graph
            pushed there by an earlier jaif-kg).
        dialect: the server's departures from the protocol; found from the ``Server`` header of
            its first answer when not given (:func:`dialect_of`).
    """

    name: ClassVar[str] = "remote"
    persistent: ClassVar[bool] = True
    context_aware: ClassVar[bool] = True
    remote: ClassVar[bool] = True

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        graph_store_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
        write_timeout: float = 300.0,
        chunk_triples: int = DEFAULT_CHUNK_TRIPLES,
        dataset: DefaultDataset | None = None,
        dialect: ServerDialect | None = None,
    ) -> None:
        for url in (query_url, update_url, graph_store_url):
            if url is not None and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise StoreError(f"not an http(s) URL of a SPARQL server: {url!r}")
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.graph_store_url = graph_store_url
        self._user = user
        self._password = password
        self.timeout = timeout
        self.write_timeout = write_timeout
        self.chunk_triples = max(1, chunk_triples)
        if dataset is not None:
            self.dataset = dataset
        self._graphs_seen: tuple[float, list[str]] | None = None
        self._dialect = dialect
        self._passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        if user is not None:
            for url in {self.query_url, self.update_url, graph_store_url}:
                if url is not None:
                    self._passwords.add_password(None, url, user, password or "")
        #: the server asked for Basic and took it: send it at once from now on
        self._basic_accepted = False

    def __repr__(self) -> str:
        return f"RemoteStore({self.query_url!r})"

    # -- HTTP ---------------------------------------------------------------------------------

    def _wrapper(self, text: str) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(self.query_url, updateEndpoint=self.update_url)
        wrapper.setOnlyConneg(True)  # no format=/output= parameters: plain content negotiation
        wrapper.setMethod(POST)
        wrapper.setQuery(text)
        return wrapper

    def _open(
        self, request: urllib.request.Request, timeout: float, what: str
    ) -> tuple[bytes, str]:
        """Send one request; return the body and the media type of the answer.

        Credentials are sent only in answer to the server's challenge (Digest or Basic, through
        urllib's handlers, a fresh pair per request since the Digest one counts nonces); Basic
        is sent at once only after the server has asked for it and taken it.
        """
        if self._user is not None and self._basic_accepted:
            token = base64.b64encode(f"{self._user}:{self._password or ''}".encode()).decode()
            request.add_unredirected_header("Authorization", f"Basic {token}")
        opener = urllib.request.build_opener(
            urllib.request.HTTPDigestAuthHandler(self._passwords),
            _BasicOnChallenge(self._passwords, self),
        )
        url = request.full_url.split("?", 1)[0]
        try:
            with opener.open(request, timeout=timeout) as response:
                self._note_server(response.headers)
                cut = response.headers.get("X-SPARQL-MaxRows")
                if cut is not None:
                    # Virtuoso cuts the answer at ResultSetMaxRows with a 200: never pass it on
                    raise ResultTooLarge(
                        f"{url} cut the answer at {cut} rows (Virtuoso's ResultSetMaxRows, "
                        "[SPARQL] in virtuoso.ini): add a LIMIT, or page with LIMIT and OFFSET"
                    )
                body: bytes = response.read()
                return body, _media_type(response.headers.get("Content-Type"))
        except urllib.error.HTTPError as exc:
            self._note_server(exc.headers)
            raise self._fail(exc, url, what) from exc
        except OSError as exc:
            raise self._fail(exc, url, what) from exc

    def _note_server(self, headers: Message | None) -> None:
        if self._dialect is None and headers is not None:
            self._dialect = dialect_of(headers.get("Server"))

    @property
    def dialect(self) -> ServerDialect:
        """The server's dialect, asking it (``ASK {}``) when no answer has said yet."""
        if self._dialect is None:
            wrapper = self._wrapper("ASK {}")
            wrapper.setRequestMethod(URLENCODED)
            wrapper.addCustomHttpHeader("Accept", _ASK_ACCEPT)
            self._open(wrapper._createRequest(), self.timeout, "query")
        return self._dialect or PLAIN

    def _fail(self, exc: Exception, url: str, what: str) -> Exception:
        """The typed error for a failed request, with the server's own message."""
        if isinstance(exc, urllib.error.HTTPError):
            body = _read_error(exc)
            if exc.code == 400:
                return QuerySyntaxError(body or f"the server refused the {what}")
            if exc.code == 401:
                return StoreError(f"{url} refused the credentials (401): set remote_user/password")
            if exc.code == 404:
                return StoreError(f"no SPARQL endpoint at {url} (404)")
            if exc.code == 406:
                return InputError(f"{url} cannot write the result in the requested format: {body}")
            if exc.code == 414:
                return StoreError(f"{url} found the request too long (414)")
            if exc.code == 500:
                return StoreError(f"{url} failed on the {what} (500): {body}")
            return StoreError(f"{url} answered {exc.code} {exc.reason} to the {what}: {body}")
        if isinstance(exc, TimeoutError | socket.timeout) or (
            isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, TimeoutError)
        ):
            return QueryTimeout(f"{url} did not answer the {what} in time")
        if isinstance(exc, urllib.error.URLError):
            return StoreError(f"cannot reach the SPARQL server at {url}: {exc.reason}")
        if isinstance(exc, OSError):
            return StoreError(f"the {what} to {url} failed: {exc}")
        return exc

    def _query(
        self,
        sparql: str,
        accept: str,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        *,
        raw: bool = False,
    ) -> tuple[bytes, str]:
        """Send a query; return the body and the media type of the answer.

        ``raw``: send no dataset at all (the server's own, system graphs included), for listing
        graphs and for the endpoint check.
        """
        refuse_service(sparql)  # the server would call the URL itself
        wrapper = self._wrapper(sparql)
        if wrapper.queryType in _UPDATE_FORMS:
            raise QuerySyntaxError("this is a SPARQL Update, not a query")
        wrapper.setRequestMethod(URLENCODED)
        if accept == _QUERY_ACCEPT:
            accept = _GRAPH_ACCEPT if wrapper.queryType in _GRAPH_FORMS else _RESULTS_ACCEPT
        wrapper.addCustomHttpHeader("Accept", accept)
        for graph in (*(default_graphs or ()), *(named_graphs or ())):
            sparql_iri(graph, _GRAPH)  # before anything is sent, the dialect probe included
        if not raw:
            default_graphs, named_graphs = self._dataset(sparql, default_graphs, named_graphs)
        for graph in default_graphs or ():
            sparql_iri(graph, _GRAPH)
            wrapper.addParameter("default-graph-uri", graph)
        for graph in named_graphs or ():
            sparql_iri(graph, _GRAPH)
            wrapper.addParameter("named-graph-uri", graph)
        # SPARQLWrapper builds the request (form, headers); _open sends it with our own opener,
        # as wrapper.query() would install a global one for Digest authentication
        return self._open(wrapper._createRequest(), self.timeout, "query")

    def _default_dataset(
        self, sparql: str, default_graphs: Sequence[str] | None
    ) -> Sequence[str] | None:
        """``default_graphs``, or the graphs of :attr:`dataset` that the server holds when the
        caller and the query name none (``None``: the server's own default graph)."""
        if default_graphs is not None or self.dataset.raw or has_dataset_clause(sparql):
            return default_graphs
        held = self._held_graphs()
        merged = [g for g in self.dataset.default_graphs(held) or () if g in held]
        if self.dialect.union_default_graph:
            return [DEFAULT_GRAPH_IRI, *merged]
        return merged or None

    def _held_graphs(self) -> list[str]:
        """The server's named graphs, listed at most every :data:`GRAPH_LIST_SECONDS` seconds
        (writes by this store list them again)."""
        now = time.monotonic()
        if self._graphs_seen is None or now - self._graphs_seen[0] > GRAPH_LIST_SECONDS:
            self._graphs_seen = (now, self.named_graphs())
        return self._graphs_seen[1]

    def _dataset(
        self,
        sparql: str,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
    ) -> tuple[Sequence[str] | None, Sequence[str] | None]:
        """Map the store contract onto the protocol, where naming one part of the dataset
        empties the other (https://www.w3.org/TR/sparql11-protocol/#dataset).

        ``named_graphs=None`` means all named graphs: they are listed and sent. The server's own
        default graph has no IRI, so it cannot be kept while named graphs are selected, except
        on a server whose default graph is the union (Virtuoso), where it is
        :data:`DEFAULT_GRAPH_IRI` and the whole dataset goes with every query. An empty part is
        sent as :data:`NO_GRAPH_IRI`, since leaving the parameter out would mean "the server's".

        Raises:
            StoreError: the caller selects graphs for a query with its own ``FROM``, on a server
                that would add them to the query's instead of replacing them.
        """
        dialect = self.dialect
        own = has_dataset_clause(sparql)
        if own and dialect.merges_dataset:
            if default_graphs is not None or named_graphs is not None:
                raise StoreError(
                    f"{dialect.name} adds default-graph-uri/named-graph-uri to a query's own "
                    "FROM/FROM NAMED instead of replacing them: select the graphs either in "
                    "the query or in the request, not both"
                )
            # sent again, so that FROM alone does not leave every graph visible to GRAPH
            named = query_graphs(sparql)
            default_graphs, named_graphs = named.default, named.named
        elif dialect.union_default_graph and not own:
            if default_graphs is None:
                default_graphs = [DEFAULT_GRAPH_IRI]
            if named_graphs is None:
                # Virtuoso counts one solution for GRAPH <iri> {...} when <iri> is left out of
                # named-graph-uri (COUNT(*) = 1 over nothing): such graphs go too, empty or not
                held = self._held_graphs()
                named_graphs = [
                    *held,
                    *(g for g in query_graphs(sparql).patterns if g not in held),
                ]
        else:
            if default_graphs is not None and named_graphs is None:
                named_graphs = self.named_graphs()
            if named_graphs is not None and default_graphs is None:
                raise StoreError(
                    "a SPARQL server's own default graph cannot be named in the protocol: pass "
                    "default_graphs too when selecting named_graphs on a remote store"
                )
        if default_graphs is not None:
            default_graphs = list(default_graphs) or [NO_GRAPH_IRI]
        if named_graphs is not None:
            named_graphs = list(named_graphs) or [NO_GRAPH_IRI]
        return default_graphs, named_graphs

    def _update(self, update: str) -> None:
        self._graphs_seen = None
        wrapper = self._wrapper(update)
        wrapper.setRequestMethod(POSTDIRECTLY)  # application/sparql-update: no form encoding
        self._open(wrapper._createRequest(), self.write_timeout, "update")

    def _graph_store(
        self, method: str, graph: str | None, body: bytes | None = None, accept: str | None = None
    ) -> bytes:
        """One Graph Store Protocol request on ``graph`` (the default graph when ``None``)."""
        assert self.graph_store_url is not None
        self._graphs_seen = None
        param = "default" if graph is None else "graph=" + urllib.parse.quote(graph, safe="")
        sep = "&" if "?" in self.graph_store_url else "?"
        request = urllib.request.Request(
            f"{self.graph_store_url}{sep}{param}", data=body, method=method
        )
        if body is not None:
            request.add_header("Content-Type", "application/n-triples")
        if accept is not None:
            request.add_header("Accept", accept)
        data, _ = self._open(request, self.write_timeout, f"Graph Store {method}")
        return data

    # -- writing ------------------------------------------------------------------------------

    def _write(self, quads: list[ox.Quad], graph: str | None, replace: bool) -> None:
        groups: dict[str | None, list[ox.Triple]] = {}
        if replace:
            groups[graph] = []
        for quad in quads:
            name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else None
            groups.setdefault(name, []).append(ox.Triple(quad.subject, quad.predicate, quad.object))
        if self.dialect.union_default_graph:  # the store's own default graph is a named one
            graph = graph or DEFAULT_GRAPH_IRI
            groups = {name or DEFAULT_GRAPH_IRI: triples for name, triples in groups.items()}
        for name in groups:
            if name is not None:
                sparql_iri(name, _GRAPH)
        total = sum(len(t) for t in groups.values())
        if self.graph_store_url is not None and len(groups) == 1:
            ((name, triples),) = groups.items()
            if triples or replace:
                body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
                self._graph_store("PUT" if replace else "POST", name, body)
        elif total <= self.chunk_triples:
            self._update_in_one(groups, graph if replace else None, replace)
        else:
            self._update_staged(groups, graph if replace else None, replace)

    def _update_in_one(
        self, groups: dict[str | None, list[ox.Triple]], target: str | None, replace: bool
    ) -> None:
        parts = [f"DROP SILENT {_graph_ref(target)}"] if replace else []
        blocks = []
        for name, triples in groups.items():
            if triples:
                text = _ntriples(triples)
                blocks.append(
                    text if name is None else f"GRAPH {sparql_iri(name, _GRAPH)} {{\n{text}}}"
                )
        if blocks:
            blank = any(_blank_nodes(triples) for triples in groups.values())
            parts.append(_insert("\n".join(blocks), blank))
        if parts:
            self._update(" ;\n".join(parts))

    def _update_staged(
        self, groups: dict[str | None, list[ox.Triple]], target: str | None, replace: bool
    ) -> None:
        staging = {name: f"{STAGING_PREFIX}{uuid.uuid4()}" for name in groups}
        try:
            for name, triples in groups.items():
                for chunk in _chunks(triples, self.chunk_triples):
                    stage = sparql_iri(staging[name], _GRAPH)
                    self._update(
                        _insert(f"GRAPH {stage} {{\n{_ntriples(chunk)}}}", _blank_nodes(chunk))
                    )
            final = []
            for name, triples in groups.items():
                stage, dest = sparql_iri(staging[name], _GRAPH), _graph_ref(name)
                if replace and name == target:
                    final.append(
                        f"MOVE GRAPH {stage} TO {dest}" if triples else f"DROP SILENT {dest}"
                    )
                elif triples:
                    final.append(f"ADD GRAPH {stage} TO {dest} ; DROP GRAPH {stage}")
            self._update(" ;\n".join(final))
        except BaseException:
            for stage in staging.values():
                # if the server is gone, its staging graph cannot be reached either
                with contextlib.suppress(StoreError, QueryTimeout, QuerySyntaxError):
                    self._update(f"DROP SILENT GRAPH {sparql_iri(stage, _GRAPH)}")
            raise

    def load(self, data: bytes, media_type: str, graph: str | None = None) -> None:
        """Add ``data`` on the server; malformed data raises :class:`InputError`, sends nothing."""
        self._write(parse_quads(data, media_type, graph), graph, replace=False)

    def replace_graph(self, data: bytes, media_type: str, graph: str | None = None) -> None:
        """Replace ``graph`` on the server in one transaction (see the module docs)."""
        self.replace_quads(parse_quads(data, media_type, graph), graph)

    def replace_quads(self, quads: list[ox.Quad], graph: str | None = None) -> None:
        self._write(quads, graph, replace=True)

    def where(self) -> str:
        return self.query_url

    def write_plan(self, triples: int) -> str:
        if self.graph_store_url is not None:
            return f"one Graph Store Protocol request to {self.graph_store_url}"
        if triples <= self.chunk_triples:
            return f"one SPARQL Update request to {self.update_url}"
        chunks = -(-triples // self.chunk_triples)
        return (
            f"about {chunks} SPARQL Update requests to {self.update_url} into a staging graph, "
            "then one request that swaps it in"
        )

    def check_endpoint(self) -> None:
        """Make sure that ``query_url`` is a SPARQL query endpoint, before anything is written.

        Sends ``ASK {}``, which every SPARQL server answers true (the empty group pattern has
        one solution, https://www.w3.org/TR/sparql11-query/#ask), and wants a SPARQL results
        document that says so. A web page, an RDF graph, rows, or a status such as 404 or 405
        mean that the URL names something else, where a write must not go.

        Raises:
            InputError: the URL answered, but not as a SPARQL query endpoint does.
            StoreError: the server cannot be reached, refuses the credentials, or fails.
            QueryTimeout: no answer in time.
        """
        url = self.query_url

        def not_an_endpoint(answer: str) -> InputError:
            return InputError(
                f"{url} is not a SPARQL query endpoint: it answered ASK {{}} {answer}"
            )

        try:
            body, media_type = self._query("ASK {}", _ASK_ACCEPT, None, None, raw=True)
        except (QuerySyntaxError, InputError) as exc:  # 400, 406
            raise not_an_endpoint(f"with an error: {exc}") from exc
        except StoreError as exc:
            status = _http_status(exc.__cause__)
            if status not in _NOT_AN_ENDPOINT:
                raise
            raise not_an_endpoint(f"with HTTP status {status}") from exc
        except ValueError as exc:  # http.client.InvalidURL: a space or control character
            raise InputError(f"not a URL that can be requested: {url!r} ({exc})") from exc
        try:
            fmt = results_format(media_type)
        except InputError:
            raise not_an_endpoint(
                f"with {media_type or 'a body without a Content-Type'}, not SPARQL results"
            ) from None
        try:
            parsed = ox.parse_query_results(body, format=fmt.oxigraph)
        except (SyntaxError, ValueError) as exc:
            raise not_an_endpoint(f"with an unreadable {media_type} document ({exc})") from None
        if not isinstance(parsed, ox.QueryBoolean):
            raise not_an_endpoint("with rows, not with true")
        if not bool(parsed):
            raise not_an_endpoint("with false; a SPARQL server answers true")

    def drop_staging_graphs(self) -> list[str]:
        """Drop the staging graphs that chunked writes interrupted by a lost server left behind.

        Run it when no other write is under way (``jaif-kg load`` does, before it pushes).
        """
        leftovers = [g for g in self.named_graphs() if g.startswith(STAGING_PREFIX)]
        if leftovers:
            self._update(
                " ;\n".join(f"DROP SILENT GRAPH {sparql_iri(g, _GRAPH)}" for g in leftovers)
            )
        return leftovers

    def clear(self) -> None:
        """Drop every graph on the server (``DROP ALL``), or on a server that ignores it
        (Virtuoso) every graph this store can see, one by one, leaving the server's own."""
        if self.dialect.clears_with_drop_all:
            self._update("DROP ALL")
            return
        graphs = [DEFAULT_GRAPH_IRI, *self.named_graphs()]
        self._update(" ;\n".join(f"DROP SILENT GRAPH {sparql_iri(g, _GRAPH)}" for g in graphs))

    def close(self) -> None:
        """Nothing to release: every request opens and closes its own connection."""

    # -- reading ------------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        default_graphs = self._default_dataset(sparql, default_graphs)
        body, media_type = self._query(sparql, _QUERY_ACCEPT, default_graphs, named_graphs)
        return self._answer(body, media_type)

    def _answer(self, body: bytes, media_type: str) -> QueryResult:
        return pyoxigraph_result(self._parse(body, media_type))

    def _parse(
        self, body: bytes, media_type: str
    ) -> ox.QueryBoolean | ox.QuerySolutions | list[ox.Triple]:
        """The server's answer read with pyoxigraph, with what the dialect needs mended: blank
        node labels no parser takes, and boolean digits (in triples and in JSON results)."""
        fmt = _find_format(media_type)
        digits = self.dialect.boolean_digits
        try:
            if isinstance(fmt, ResultsFormat):
                if fmt.media_type == "application/sparql-results+json":
                    body = _mend_json_results(body, digits)
                return ox.parse_query_results(body, format=fmt.oxigraph)
            quads = ox.parse(body, fmt.oxigraph)
            triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        except (SyntaxError, ValueError) as exc:
            raise StoreError(
                f"{self.query_url} sent an unreadable {media_type} answer: {exc}"
            ) from exc
        if digits:
            triples = [
                ox.Triple(t.subject, t.predicate, _canonical_boolean(t.object)) for t in triples
            ]
        return triples

    def query_serialized(
        self,
        sparql: str,
        media_type: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        graph_media_type: str | None = None,
        max_bytes: int | None = None,
    ) -> tuple[bytes, str]:
        """Ask the server for ``media_type`` (``graph_media_type`` for a ``CONSTRUCT`` or
        ``DESCRIBE``) and pass its bytes through unchanged; from a server whose answers need
        mending (Virtuoso), ask for JSON results or N-Triples and write the format with
        pyoxigraph.

        Raises:
            InputError: a results format (CSV...) for a ``CONSTRUCT``/``DESCRIBE`` answer, or a
                graph format for a ``SELECT``/``ASK`` one.
        """
        graph_form = self._wrapper(sparql).queryType in _GRAPH_FORMS
        fmt: RdfFormat | ResultsFormat = (
            rdf_format(graph_media_type or media_type) if graph_form else results_format(media_type)
        )
        default_graphs = self._default_dataset(sparql, default_graphs)
        if self.dialect.mends_answers:
            accept = _GRAPH_ACCEPT if graph_form else _RESULTS_ACCEPT
            body, answered = self._query(sparql, accept, default_graphs, named_graphs)
            parsed = self._parse(body, answered)
            if isinstance(parsed, list):
                assert isinstance(fmt, RdfFormat)  # a graph form is parsed into triples
                body = ox.serialize(parsed, format=fmt.oxigraph) or b""
            else:
                assert isinstance(fmt, ResultsFormat)
                body = parsed.serialize(format=fmt.oxigraph) or b""
            answered = fmt.media_type
        else:
            body, answered = self._query(sparql, fmt.media_type, default_graphs, named_graphs)
        if max_bytes is not None and len(body) > max_bytes:
            raise ResultTooLarge(BoundedBuffer(max_bytes).message())
        return body, answered

    def _count(self, where: str) -> int:
        result = self._raw_query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
        return int(str(result.rows[0]["n"])) if result.rows else 0

    def count(self, graph: str | None = None) -> int:
        if graph is not None:
            where = f"GRAPH {sparql_iri(graph, _GRAPH)} {{ ?s ?p ?o }}"
            # the server's own dataset: the graph alone, wherever the store keeps its own
            body, media_type = self._query(
                f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}", _QUERY_ACCEPT, None, None, raw=True
            )
            result = self._answer(body, media_type)
            return int(str(result.rows[0]["n"])) if result.rows else 0
        return self._count("{ ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }")

    def _raw_query(self, sparql: str) -> QueryResult:
        """A query on the store's own dataset (its default graph and all its named graphs)."""
        body, media_type = self._query(sparql, _QUERY_ACCEPT, None, None)
        return self._answer(body, media_type)

    def named_graphs(self) -> list[str]:
        """The server's named graphs that hold data (not those it keeps for itself)."""
        body, media_type = self._query(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            _QUERY_ACCEPT,
            None,
            None,
            raw=True,
        )
        dialect = self.dialect
        graphs = (str(row["g"]) for row in self._answer(body, media_type).rows if "g" in row)
        return sorted(g for g in graphs if not dialect.system_graph(g))

    def _graph_triples(self, graph: str | None) -> list[ox.Triple]:
        where = "?s ?p ?o" if graph is None else f"GRAPH {sparql_iri(graph, _GRAPH)} {{ ?s ?p ?o }}"
        body, media_type = self._query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}", "application/n-triples", None, None
        )
        parsed = ox.parse(body, rdf_format(media_type).oxigraph)
        return [ox.Triple(q.subject, q.predicate, q.object) for q in parsed]

    def dump(self, media_type: str, graph: str | None = None) -> bytes:
        """Read the graphs with ``CONSTRUCT`` queries and serialise them with pyoxigraph."""
        fmt = rdf_format(media_type)
        if fmt.datasets and graph is None:
            quads = [ox.Quad(t.subject, t.predicate, t.object) for t in self._graph_triples(None)]
            for name in self.named_graphs():
                node = ox.NamedNode(name)
                quads.extend(
                    ox.Quad(t.subject, t.predicate, t.object, node)
                    for t in self._graph_triples(name)
                )
            return ox.serialize(quads, format=fmt.oxigraph) or b""
        return ox.serialize(self._graph_triples(graph), format=fmt.oxigraph) or b""


def _blank_nodes(triples: Sequence[ox.Triple]) -> bool:
    return any(isinstance(n, ox.BlankNode) for t in triples for n in (t.subject, t.object))


def _insert(block: str, blank_nodes: bool) -> str:
    """An update that adds ``block`` (triples, ``GRAPH`` blocks): ``INSERT DATA``, or with blank
    nodes ``INSERT {...} WHERE {}``, which means the same (fresh blank nodes, SPARQL 1.1 Update
    3.1.1 and 3.1.3) and which servers that refuse blank nodes in ``INSERT DATA`` (Virtuoso:
    "Blank node is not allowed in a constant clause") take.

    >>> _insert("<http://a> <http://b> _:c .", blank_nodes=True).startswith("INSERT {")
    True
    """
    if blank_nodes:
        return "INSERT {\n" + block + "} WHERE {}"
    return "INSERT DATA {\n" + block + "}"


def _http_status(exc: BaseException | None) -> int | None:
    """The HTTP status behind a failed request, if it got one."""
    return exc.code if isinstance(exc, urllib.error.HTTPError) else None


def _read_error(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""
