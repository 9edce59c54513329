"""The application factory: ``create_app(settings, store)`` builds the HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from jaif_kg import __version__
from jaif_kg.api.admission import Admission, AdmissionGate
from jaif_kg.api.caching import HttpCaching
from jaif_kg.api.counts import Counts
from jaif_kg.api.errors import on_error, on_http_error
from jaif_kg.api.fastlane import FastLane
from jaif_kg.api.guard import HttpGuard
from jaif_kg.api.routes import (
    assets,
    graph_store,
    home,
    linked_data,
    pictures,
    queries,
    sparql,
)
from jaif_kg.catalog import Catalog
from jaif_kg.errors import JaifError
from jaif_kg.settings import Settings, get_settings
from jaif_kg.store import Store, open_store
from jaif_kg.workers.pool import QueryExecutor, Zygote


class JaifApi(FastAPI):
    """FastAPI with :class:`~jaif_kg.api.guard.HttpGuard` around the whole middleware stack.

    The guard sits outside Starlette's own error middleware, so that its ``500`` answers carry
    ``nosniff`` too and nothing at all runs on a URL that is not UTF-8.
    """

    def build_middleware_stack(self) -> ASGIApp:
        """Starlette's stack (error handling, the app's middleware, routes) inside the guard,
        behind the SPARQL endpoint's fast lane (:class:`jaif_kg.api.fastlane.FastLane`)."""
        return FastLane(HttpGuard(super().build_middleware_stack()), self.state)


#: The CORS policy of every answer: any origin may read them, no credentials.
CORS: dict[str, Any] = {
    "allow_origins": ["*"],
    "allow_credentials": False,
    "allow_methods": ["GET", "HEAD", "POST", "OPTIONS"],
    "allow_headers": ["*"],
    "expose_headers": ["X-Jaif-Graph-Names", "ETag"],
    "max_age": 86400,
}


async def _nothing(scope: Scope, receive: Receive, send: Send) -> None:
    """The app inside the copies of the middleware the fast lane uses for their methods."""
    raise RuntimeError("not an application")


def create_app(
    settings: Settings | None = None,
    store: Store | None = None,
    *,
    counts: Counts | None = None,
    running_limit: int | None = None,
    zygote: Zygote | None = None,
) -> FastAPI:
    """Build the app over ``store`` (opened from ``settings`` when not given).

    ``counts`` and ``running_limit`` are those of a server of several HTTP processes
    (:func:`jaif_kg.api.server.serve`): the admission counts they share, and the query workers
    of all of them together (default: this app's own pool's maximum); ``zygote``, its query
    workers' zygote when forked ahead (:func:`jaif_kg.workers.pool.fork_zygote`).

    The caller loads the store; the app never writes to it. Queries run in worker processes
    (:class:`jaif_kg.workers.pool.QueryExecutor`) started with the app (its lifespan) or at the
    first query, from the store as loaded then.
    """
    settings = settings or get_settings()
    store = store if store is not None else open_store(settings)
    executor = QueryExecutor.from_settings(store, settings, zygote)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        executor.start()
        try:
            yield
        finally:
            executor.close()

    app = JaifApi(
        title="jaif-kg",
        version=__version__,
        summary="Japan's support, through JAIF, for the Initiative for ASEAN Integration: "
        "a linked-data knowledge graph with a SPARQL 1.1 endpoint and named queries.",
        lifespan=lifespan,
        # /docs is served by the home router from Swagger UI installed here (nothing from a CDN);
        # ReDoc comes only from a CDN, so it is left out
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.executor = executor
    app.state.sd_cache = {}
    # The last added wraps the others: CORS, then caching, then admission (its 429/503 get CORS
    # headers, so browser clients can read them), then the routes. A SPARQL query is answered
    # before all of them by the fast lane, with the same gate, caching and CORS policy.
    app.state.admission = AdmissionGate(
        client_queries=settings.client_queries,
        running_limit=running_limit or executor.max_workers,
        queue_limit=settings.queue_limit,
        client_queue=settings.client_queue,
        client_wait=settings.query_timeout,
        counts=counts,
    )
    app.add_middleware(Admission, gate=app.state.admission)
    # ETag, Cache-Control and 304s, outside admission: a 304 it answers takes no query slot
    app.add_middleware(HttpCaching, store=store, base=settings.base_iri)
    app.add_middleware(CORSMiddleware, **CORS)
    app.state.caching = HttpCaching(_nothing, store=store, base=settings.base_iri)
    app.state.cors = CORSMiddleware(_nothing, **CORS)
    app.add_exception_handler(JaifError, on_error)
    # a browser's 404 is a page of the site; programs keep FastAPI's JSON
    app.add_exception_handler(StarletteHTTPException, on_http_error)

    app.include_router(home.router)
    app.include_router(assets.router)
    app.include_router(sparql.router)
    if settings.queries_dir.is_dir():
        catalog = Catalog.from_dir(
            settings.queries_dir, base=settings.base_iri, rdflib=settings.store == "rdflib"
        )
        app.state.catalog = catalog
        app.include_router(queries.build_router(catalog))

    app.include_router(linked_data.router)
    app.include_router(pictures.router)
    app.include_router(graph_store.router)
    return app
