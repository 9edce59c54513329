"""Push the shipped graph to a SPARQL server (``jaif-kg load``).

The graph (ontology and ``graph_data/``) is validated first, then sent as one graph that replaces
the target graph on the server (the default graph unless ``graph`` is given), then counted on the
server. How it is sent, and why a failure leaves the previous graph in place, is the remote
store's business (:mod:`jaif_kg.store.remote`): a Graph Store Protocol ``PUT``, or one SPARQL
Update request, or chunks into a staging graph swapped in by one ``MOVE``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jaif_kg.errors import InputError, QueryTimeout, StoreError
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.store import Store, read_triples
from jaif_kg.store.files import escaped_parser_limit


@dataclass(frozen=True)
class PushReport:
    """What a push did.

    Attributes:
        target: where the graph went, in words (``the default graph of URL`` or ``<IRI> on URL``).
        sent: distinct triples sent.
        on_server: triples the target graph holds afterwards, as the server counts them.
        method: how the graph was sent, in words.
        dropped_staging: staging graphs of an earlier interrupted push, dropped first.
    """

    target: str
    sent: int
    on_server: int
    method: str
    dropped_staging: tuple[str, ...] = ()

    @property
    def verified(self) -> bool:
        """Whether the server counts as many triples as were sent."""
        return self.sent == self.on_server


def _where(store: Store) -> str:
    return str(getattr(store, "query_url", store.name))


def _target(store: Store, graph: str | None) -> str:
    where = _where(store)
    return f"the default graph of {where}" if graph is None else f"<{graph}> on {where}"


def count_graph(store: Store, graph: str | None) -> int:
    """Triples in one graph (``graph=None``: the default graph alone).

    Raises:
        StoreError: the server answered the count with something other than a number.
    """
    if graph is not None:
        return store.count(graph)
    rows = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
    if not rows:
        return 0
    value = str(rows[0].get("n", ""))
    if not value.isdigit():
        raise StoreError(f"{_where(store)} answered a COUNT with {value or 'no value'!r}")
    return int(value)


def push(
    paths: Sequence[Path], store: Store, graph: str | None = None, *, base: str = DEFAULT_BASE
) -> PushReport:
    """Replace ``graph`` in ``store`` with the triples of ``paths`` (read under ``base``), then
    count it there.

    A server is first asked a harmless query (``ASK {}``, see
    :meth:`~jaif_kg.store.remote.RemoteStore.check_endpoint`): a URL that answers like
    something else than a SPARQL server gets no write at all.

    Raises:
        InputError: a file is missing or malformed, or the store is not a SPARQL server
            (nothing is sent).
        StoreError: the server failed or could not be reached; the message says what became
            of the target graph.
    """
    merged = read_triples(paths, base=base)
    target = _target(store, graph)
    describe = getattr(store, "write_plan", None)
    method = describe(merged.triples) if callable(describe) else f"replace_graph on {store.name}"
    try:
        check = getattr(store, "check_endpoint", None)
        if callable(check):
            try:
                check()
            except InputError as exc:
                raise InputError(f"{exc}; nothing was pushed") from exc
            except QueryTimeout as exc:  # nothing was sent: not the timeout of a push
                raise StoreError(str(exc)) from exc
        drop = getattr(store, "drop_staging_graphs", None)
        dropped = tuple(drop()) if callable(drop) else ()
        with escaped_parser_limit(paths, base=base):
            store.replace_graph(merged.ntriples, merged.media_type, graph)
    except QueryTimeout as exc:
        raise StoreError(
            f"{exc}; the server may still finish the push: check {target} before pushing again"
        ) from exc
    except StoreError as exc:
        raise StoreError(f"{exc}; {target} was left as it was") from exc
    return PushReport(target, merged.triples, count_graph(store, graph), method, dropped)
