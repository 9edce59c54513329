"""``/timeline`` and ``/network``: the dataset as pictures a person can click through.

Each page runs its named query (``picture-timeline``, ``picture-network``: the catalog's, so the
answer is right on any store), shapes the rows (:mod:`jaif_kg.publish.pictures`) and renders them
twice: as data for vis-timeline or cytoscape (from npm, under ``/assets/``) and as a plain HTML
list, which is all there is when those files are not installed (the page then says how to get
them). Over an empty store, or a catalog without the query, the page says there is nothing to show.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from jaif_kg.api.deps import get_app_settings, get_store
from jaif_kg.api.routes.assets import (
    CYTOSCAPE_JS,
    HOW_TO_INSTALL,
    TIMELINE_CSS,
    TIMELINE_JS,
    asset_url,
    have_assets,
)
from jaif_kg.catalog import Catalog
from jaif_kg.publish import pictures
from jaif_kg.publish.pages import Site, render
from jaif_kg.settings import Settings
from jaif_kg.store import Store

router = APIRouter(tags=["pictures"])

StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def _site(request: Request, settings: Settings) -> Site:
    return Site(settings.base_iri, request.scope.get("root_path", "").rstrip("/") + "/")


def _rows(request: Request, store: Store, name: str) -> list[dict[str, str]]:
    """The rows of a named query of the app's catalog, values as their text (none without it)."""
    catalog: Catalog | None = getattr(request.app.state, "catalog", None)
    if catalog is None or name not in catalog:
        return []
    result = store.query(catalog[name].bind({}))
    return [{k: str(v) for k, v in row.items()} for row in result.rows]


@router.get("/timeline", response_class=HTMLResponse, summary="The timeline, as a picture")
def timeline(request: Request, store: StoreDep, settings: SettingsDep) -> HTMLResponse:
    """The work plans, adoptions, JAIF's establishment, projects and batches on a timeline."""
    site = _site(request, settings)
    items = pictures.timeline_items(_rows(request, store, "picture-timeline"), site)
    ready = have_assets(request, TIMELINE_JS, TIMELINE_CSS)
    page = render(
        "timeline.html",
        site=site,
        title="Timeline",
        items=items,
        dated=[i for i in items if i.dated],
        undated=[i for i in items if not i.dated],
        data=pictures.timeline_data(items),
        script=site.link(asset_url(TIMELINE_JS)[1:]) if ready else None,
        style=site.link(asset_url(TIMELINE_CSS)[1:]) if ready else None,
        how_to_install=HOW_TO_INSTALL,
    )
    return HTMLResponse(page)


@router.get("/network", response_class=HTMLResponse, summary="The network, as a picture")
def network(request: Request, store: StoreDep, settings: SettingsDep) -> HTMLResponse:
    """Projects, the countries they benefit, the organisations taking part, work plans and
    strategic areas as a graph."""
    site = _site(request, settings)
    nodes = pictures.network(_rows(request, store, "picture-network"), site)
    ready = have_assets(request, CYTOSCAPE_JS)
    order = list(pictures.NETWORK_KINDS)
    listed = sorted(
        nodes.values(),
        key=lambda n: (order.index(n.kind) if n.kind in order else len(order), n.label),
    )
    page = render(
        "network.html",
        site=site,
        title="Network",
        nodes=listed,
        labels={iri: node.label for iri, node in nodes.items()},
        hrefs={iri: node.href for iri, node in nodes.items()},
        data=pictures.network_data(nodes),
        kinds=pictures.NETWORK_KINDS,
        script=site.link(asset_url(CYTOSCAPE_JS)[1:]) if ready else None,
        how_to_install=HOW_TO_INSTALL,
    )
    return HTMLResponse(page)
