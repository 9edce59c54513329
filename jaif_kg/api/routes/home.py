"""``/`` (what the service is, with links) and ``/healthz`` (for load balancers)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from jaif_kg import __version__
from jaif_kg.api.deps import endpoint_url, get_store, public_base

router = APIRouter()

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent.parent.parent / "templates"),
    autoescape=select_autoescape(["html"]),
)

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
    page = _TEMPLATES.get_template("home.html").render(
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


@router.get("/healthz", summary="Health check", tags=["service"])
def healthz() -> dict[str, str]:
    """``{"status": "ok"}`` while the server runs."""
    return {"status": "ok"}
