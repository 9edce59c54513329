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

Specifications: https://www.w3.org/TR/sparql11-protocol/ ,
https://www.w3.org/TR/sparql11-http-rdf-update/ , https://www.w3.org/TR/sparql11-update/ .
"""

from __future__ import annotations

import ast
import base64
import contextlib
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from typing import ClassVar

import pyoxigraph as ox
from SPARQLWrapper import BASIC, POST, POSTDIRECTLY, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
    URITooLong,
)

from jaif_kg.errors import (
    InputError,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    StoreError,
)
from jaif_kg.rdf.formats import RdfFormat, ResultsFormat, rdf_format, results_format
from jaif_kg.sparql.escape import sparql_iri
from jaif_kg.sparql.prepare import has_dataset_clause
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
#: What :meth:`RemoteStore.check_endpoint` asks for: SPARQL results, nothing else.
_ASK_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
#: HTTP statuses that say "no SPARQL query endpoint here" rather than "a server in trouble".
_NOT_AN_ENDPOINT = frozenset({400, 404, 405, 406, 415, 501})


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
        user: user name for HTTP basic authentication.
        password: its password.
        timeout: seconds to wait for a query's answer.
        write_timeout: seconds to wait for a write's answer.
        chunk_triples: writes larger than this are staged in chunks (see the module docs).
        dataset: what a query that names no dataset sees (default: the server's default graph).
            The union of the data graphs, or the shipped graph, is sent as ``default-graph-uri``
            values (so the server needs no union setting, and the metadata graph stays out);
            when the server holds none of those graphs, its own default graph is used (a graph
            pushed there by an earlier jaif-kg).
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

    def __repr__(self) -> str:
        return f"RemoteStore({self.query_url!r})"

    # -- HTTP ---------------------------------------------------------------------------------

    def _wrapper(self, text: str, timeout: float) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(self.query_url, updateEndpoint=self.update_url)
        wrapper.setOnlyConneg(True)  # no format=/output= parameters: plain content negotiation
        wrapper.setMethod(POST)
        # setTimeout() truncates to whole seconds (0.5 would mean none); urlopen takes a float
        wrapper.timeout = timeout  # type: ignore[assignment]
        if self._user is not None:
            wrapper.setHTTPAuth(BASIC)
            wrapper.setCredentials(self._user, self._password or "")
        wrapper.setQuery(text)
        return wrapper

    def _fail(self, exc: Exception, url: str, what: str) -> Exception:
        """The typed error for a failed request, with the server's own message."""
        if isinstance(exc, QueryBadFormed):
            return QuerySyntaxError(_server_message(exc) or f"the server refused the {what}")
        if isinstance(exc, Unauthorized):
            return StoreError(f"{url} refused the credentials (401): set remote_user/password")
        if isinstance(exc, EndPointNotFound):
            return StoreError(f"no SPARQL endpoint at {url} (404)")
        if isinstance(exc, URITooLong):
            return StoreError(f"{url} found the request too long (414)")
        if isinstance(exc, EndPointInternalError):
            return StoreError(f"{url} failed on the {what} (500): {_server_message(exc)}")
        if isinstance(exc, urllib.error.HTTPError):
            body = _read_error(exc)
            if exc.code == 400:
                return QuerySyntaxError(body or f"the server refused the {what}")
            if exc.code == 406:
                return InputError(f"{url} cannot write the result in the requested format: {body}")
            return StoreError(f"{url} answered {exc.code} {exc.reason} to the {what}: {body}")
        if isinstance(exc, TimeoutError | socket.timeout) or (
            isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, TimeoutError)
        ):
            return QueryTimeout(f"{url} did not answer the {what} in time")
        if isinstance(exc, urllib.error.URLError):
            return StoreError(f"cannot reach the SPARQL server at {url}: {exc.reason}")
        if isinstance(exc, OSError | SPARQLWrapperException):
            return StoreError(f"the {what} to {url} failed: {exc}")
        return exc

    def _query(
        self,
        sparql: str,
        accept: str,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
    ) -> tuple[bytes, str]:
        """Send a query; return the body and the media type of the answer."""
        refuse_service(sparql)  # the server would call the URL itself
        wrapper = self._wrapper(sparql, self.timeout)
        if wrapper.queryType in _UPDATE_FORMS:
            raise QuerySyntaxError("this is a SPARQL Update, not a query")
        wrapper.setRequestMethod(URLENCODED)
        wrapper.addCustomHttpHeader("Accept", accept)
        default_graphs, named_graphs = self._dataset(default_graphs, named_graphs)
        for graph in default_graphs or ():
            sparql_iri(graph, _GRAPH)
            wrapper.addParameter("default-graph-uri", graph)
        for graph in named_graphs or ():
            sparql_iri(graph, _GRAPH)
            wrapper.addParameter("named-graph-uri", graph)
        try:
            response = wrapper.query().response
            body: bytes = response.read()
        except (SPARQLWrapperException, OSError) as exc:
            raise self._fail(exc, self.query_url, "query") from exc
        return body, _media_type(response.headers.get("Content-Type"))

    def _default_dataset(
        self, sparql: str, default_graphs: Sequence[str] | None
    ) -> Sequence[str] | None:
        """``default_graphs``, or the graphs of :attr:`dataset` that the server holds when the
        caller and the query name none (``None``: the server's own default graph)."""
        if default_graphs is not None or self.dataset.raw or has_dataset_clause(sparql):
            return default_graphs
        held = self._held_graphs()
        merged = [g for g in self.dataset.default_graphs(held) or () if g in held]
        return merged or None

    def _held_graphs(self) -> list[str]:
        """The server's named graphs, listed at most every :data:`GRAPH_LIST_SECONDS` seconds
        (writes by this store list them again)."""
        now = time.monotonic()
        if self._graphs_seen is None or now - self._graphs_seen[0] > GRAPH_LIST_SECONDS:
            self._graphs_seen = (now, self.named_graphs())
        return self._graphs_seen[1]

    def _dataset(
        self, default_graphs: Sequence[str] | None, named_graphs: Sequence[str] | None
    ) -> tuple[Sequence[str] | None, Sequence[str] | None]:
        """Map the store contract onto the protocol, where naming one part of the dataset
        empties the other.

        ``named_graphs=None`` means all named graphs: they are listed and sent. The server's own
        default graph has no IRI, so it cannot be kept while named graphs are selected.
        """
        if default_graphs is not None and named_graphs is None:
            named_graphs = self.named_graphs()
        if named_graphs is not None and default_graphs is None:
            raise StoreError(
                "a SPARQL server's own default graph cannot be named in the protocol: pass "
                "default_graphs too when selecting named_graphs on a remote store"
            )
        return default_graphs, named_graphs

    def _update(self, update: str) -> None:
        self._graphs_seen = None
        wrapper = self._wrapper(update, self.write_timeout)
        wrapper.setRequestMethod(POSTDIRECTLY)  # application/sparql-update: no form encoding
        try:
            wrapper.query().response.read()
        except (SPARQLWrapperException, OSError) as exc:
            raise self._fail(exc, self.update_url, "update") from exc

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
        if self._user is not None:
            token = base64.b64encode(f"{self._user}:{self._password or ''}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=self.write_timeout) as response:
                data: bytes = response.read()
                return data
        except OSError as exc:
            raise self._fail(exc, self.graph_store_url, f"Graph Store {method}") from exc

    # -- writing ------------------------------------------------------------------------------

    def _write(self, quads: list[ox.Quad], graph: str | None, replace: bool) -> None:
        groups: dict[str | None, list[ox.Triple]] = {}
        if replace:
            groups[graph] = []
        for quad in quads:
            name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else None
            groups.setdefault(name, []).append(ox.Triple(quad.subject, quad.predicate, quad.object))
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
            parts.append("INSERT DATA {\n" + "\n".join(blocks) + "}")
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
                    self._update(f"INSERT DATA {{ GRAPH {stage} {{\n{_ntriples(chunk)}}} }}")
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
            body, media_type = self._query("ASK {}", _ASK_ACCEPT, None, None)
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
        """Drop every graph on the server (``DROP ALL``)."""
        self._update("DROP ALL")

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
        fmt = _find_format(media_type)
        try:
            if isinstance(fmt, ResultsFormat):
                return pyoxigraph_result(ox.parse_query_results(body, format=fmt.oxigraph))
            return pyoxigraph_result(ox.parse(body, fmt.oxigraph))
        except (SyntaxError, ValueError) as exc:
            raise StoreError(
                f"{self.query_url} sent an unreadable {media_type} answer: {exc}"
            ) from exc

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
        """Ask the server for ``media_type`` (and ``graph_media_type``, a little less preferred)
        and pass its bytes through unchanged."""
        accept = _find_format(media_type).media_type
        if graph_media_type is not None and graph_media_type != media_type:
            accept += f", {_find_format(graph_media_type).media_type};q=0.9"
        default_graphs = self._default_dataset(sparql, default_graphs)
        body, answered = self._query(sparql, accept, default_graphs, named_graphs)
        if max_bytes is not None and len(body) > max_bytes:
            raise ResultTooLarge(BoundedBuffer(max_bytes).message())
        return body, answered

    def _count(self, where: str) -> int:
        result = self._raw_query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
        return int(str(result.rows[0]["n"])) if result.rows else 0

    def count(self, graph: str | None = None) -> int:
        if graph is not None:
            return self._count(f"GRAPH {sparql_iri(graph, _GRAPH)} {{ ?s ?p ?o }}")
        return self._count("{ ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }")

    def _raw_query(self, sparql: str) -> QueryResult:
        """A query on the server's own dataset (no graphs sent: the whole store's answer)."""
        body, media_type = self._query(sparql, _QUERY_ACCEPT, None, None)
        return self._answer(body, media_type)

    def named_graphs(self) -> list[str]:
        result = self._raw_query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(str(row["g"]) for row in result.rows if "g" in row)

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


def _server_message(exc: SPARQLWrapperException) -> str:
    """The body the server sent, which SPARQLWrapper keeps only as a ``repr`` in its message."""
    text = str(exc)
    _, found, raw = text.partition("Response:\n")
    if found:
        try:
            body = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            return raw.strip()
        if isinstance(body, bytes):
            return body.decode("utf-8", "replace").strip()
    return text


def _http_status(exc: BaseException | None) -> int | None:
    """The HTTP status behind a failed request, if it got one."""
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code
    # SPARQLWrapper turns these statuses into its own exceptions, which do not keep the number
    statuses: tuple[tuple[type[Exception], int], ...] = (
        (QueryBadFormed, 400),
        (Unauthorized, 401),
        (EndPointNotFound, 404),
        (URITooLong, 414),
        (EndPointInternalError, 500),
    )
    return next((code for kind, code in statuses if isinstance(exc, kind)), None)


def _read_error(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""
