"""The pages for people: ``/`` (what the service is, with links), the SPARQL query editor (what
``GET /sparql`` answers a browser) and ``/docs`` (the API docs); ``/healthz`` (readiness) and
``/livez`` (liveness).

The editor (YASGUI) and the docs (Swagger UI) are served by jaif-kg itself from ``/assets/``
(:mod:`jaif_kg.api.routes.assets`); without them the pages fall back to plain HTML and say how to
install them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from jaif_kg import __version__
from jaif_kg.api.deps import (
    endpoint_url,
    get_app_settings,
    get_executor,
    get_store,
    public_base,
)
from jaif_kg.api.routes.assets import (
    HOW_TO_INSTALL,
    SWAGGER_CSS,
    SWAGGER_ICON,
    SWAGGER_JS,
    YASGUI_CSS,
    YASGUI_JS,
    asset_url,
    have_assets,
)
from jaif_kg.catalog import Catalog
from jaif_kg.errors import JaifError
from jaif_kg.publish.pages import Site, render
from jaif_kg.rdf.namespaces import project_prefixes

router = APIRouter()

#: The editor's query when no named query is there to start from.
START_QUERY = """SELECT ?class (COUNT(?s) AS ?instances) WHERE {
  ?s a ?class .
} GROUP BY ?class ORDER BY DESC(?instances) LIMIT 20"""


def _site(request: Request) -> Site:
    return Site(
        get_app_settings(request).base_iri,
        request.scope.get("root_path", "").rstrip("/") + "/",
    )


def examples(catalog: Catalog | None) -> list[dict[str, str]]:
    """The named queries as the editor's examples: name, summary, description, the example
    values and the query text with them bound (the text as written when they do not bind)."""
    found: list[dict[str, str]] = []
    for query in catalog or ():
        try:
            text = query.bind(query.example)
        except JaifError:  # an example that does not bind is the catalog's test to catch
            text = query.text
        found.append(
            {
                "name": query.name,
                "summary": query.summary,
                "description": query.description,
                "values": ", ".join(f"{k} = {v}" for k, v in query.example.items()),
                "query": text,
            }
        )
    return found


@router.get("/", response_class=HTMLResponse, summary="About this service", tags=["service"])
def home(request: Request) -> HTMLResponse:
    """An HTML page: what the service is, and links to the endpoint, the API and the data."""
    store = get_store(request)
    catalog = getattr(request.app.state, "catalog", None)
    queries = [(q.name, q.summary) for q in catalog] if catalog is not None else []
    page = render(
        "home.html",
        title="Home",
        site=_site(request),
        base=public_base(request),
        endpoint=endpoint_url(request),
        version=__version__,
        named_graphs=store.named_graphs(),
        queries=queries,
        settings=request.app.state.settings,
        paths=set(request.app.openapi().get("paths", {})),
    )
    return HTMLResponse(page)


def editor(request: Request) -> HTMLResponse:
    """The SPARQL query editor, what ``GET /sparql`` without a query answers a browser: YASGUI
    on this endpoint, with the named queries as examples and the project's prefixes; the plain
    form (a text area sent to ``/sparql``) when YASGUI is not installed."""
    settings = get_app_settings(request)
    endpoint = endpoint_url(request)
    found = examples(getattr(request.app.state, "catalog", None))
    prefixes = project_prefixes(settings.base_iri)
    start = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(prefixes.items()))
    config: dict[str, Any] = {
        "endpoint": endpoint,
        "prefixes": prefixes,
        "examples": found,
        "initial": found[0]["query"] if found else start + START_QUERY,
        "start": start + START_QUERY,
    }
    ready = have_assets(request, YASGUI_JS, YASGUI_CSS)
    page = render(
        "sparql.html",
        title="SPARQL query editor",
        site=_site(request),
        endpoint=endpoint,
        config=config,
        examples=found,
        editor=ready,
        yasgui_js=asset_url(YASGUI_JS),
        yasgui_css=asset_url(YASGUI_CSS),
        how_to_install=HOW_TO_INSTALL,
        settings=settings,
    )
    return HTMLResponse(page, headers={"vary": "Accept"})


@router.get("/docs", include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    """The OpenAPI documentation in Swagger UI, served from ``/assets/`` (nothing from a CDN);
    a plain page pointing at ``/openapi.json`` when Swagger UI is not installed."""
    root = request.scope.get("root_path", "").rstrip("/")
    openapi = root + (request.app.openapi_url or "/openapi.json")
    if have_assets(request, SWAGGER_JS, SWAGGER_CSS, SWAGGER_ICON):
        # FastAPI's get_swagger_ui_html, with the page's language and readable colours
        return HTMLResponse(
            render(
                "swagger.html",
                openapi=openapi,
                title="jaif-kg: the HTTP API",
                js=root + asset_url(SWAGGER_JS),
                css=root + asset_url(SWAGGER_CSS),
                icon=root + asset_url(SWAGGER_ICON),
            )
        )
    page = render(
        "api-docs.html",
        title="The HTTP API",
        site=_site(request),
        openapi=openapi,
        how_to_install=HOW_TO_INSTALL,
    )
    return HTMLResponse(page)


@router.get(
    "/healthz",
    summary="Readiness: can the server take a query now?",
    tags=["service"],
    response_class=JSONResponse,
    responses={503: {"description": "Degraded: every query worker is busy"}},
)
async def healthz(request: Request) -> JSONResponse:
    """``{"status": "ok"}`` while a query worker is free (idle, or one more may be started);
    ``503`` with ``{"status": "degraded", "reason": ...}`` while all are busy, so that a load
    balancer sends new queries elsewhere. ``/livez`` says whether the process runs at all."""
    executor = get_executor(request)
    if executor.free_workers > 0:
        return JSONResponse({"status": "ok"})
    gate = getattr(request.app.state, "admission", None)
    return JSONResponse(
        {
            "status": "degraded",
            "reason": f"all {executor.max_workers} query workers are busy; new queries wait "
            "for one",
            "waiting": gate.waiting if gate is not None else None,
        },
        status_code=503,
        headers={"retry-after": "1"},
    )


@router.get("/livez", summary="Liveness: is the process running?", tags=["service"])
async def livez() -> dict[str, str]:
    """``{"status": "ok"}`` whenever the server answers at all (busy workers or not)."""
    return {"status": "ok"}
