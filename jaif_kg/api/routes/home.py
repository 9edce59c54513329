"""``/`` (what the service is, with links), ``/healthz`` (readiness) and ``/livez`` (liveness)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from jaif_kg import __version__
from jaif_kg.api.deps import endpoint_url, get_executor, get_store, public_base
from jaif_kg.publish.pages import render

router = APIRouter()

#: The example on the home page: a query that runs on the shipped graph.
EXAMPLE_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?class (COUNT(?s) AS ?instances) WHERE {
  ?s a ?class .
} GROUP BY ?class ORDER BY DESC(?instances) LIMIT 20"""


@router.get("/", response_class=HTMLResponse, summary="About this service", tags=["service"])
def home(request: Request) -> HTMLResponse:
    """An HTML page: what the service is, and links to the endpoint, the API and the data."""
    store = get_store(request)
    catalog = getattr(request.app.state, "catalog", None)
    queries = [(q.name, q.summary) for q in catalog] if catalog is not None else []
    page = render(
        "home.html",
        base=public_base(request),
        endpoint=endpoint_url(request),
        version=__version__,
        named_graphs=store.named_graphs(),
        queries=queries,
        example=EXAMPLE_QUERY,
        settings=request.app.state.settings,
        paths=set(request.app.openapi().get("paths", {})),
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
