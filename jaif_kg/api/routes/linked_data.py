"""Linked-data publishing over HTTP: dereferenceable IRIs, entity pages, dumps, VoID, ontology docs.

Conventions (documented in docs/LINKED-DATA.md):

* ``/id/{kind}/{slug}`` names a thing (the IRI ``{base}id/{kind}/{slug}``). A request for it answers
  ``303 See Other``, DBpedia style: to ``/page/{kind}/{slug}`` for a browser (HTML), to
  ``/data/{kind}/{slug}.ttl`` (``.jsonld .nt .rdf``) for a program, by the ``Accept`` header.
  Unknown IRIs answer 404 with a helpful page.
* ``/page/...`` and ``/data/...`` are documents about the thing and answer 200 directly, with a
  ``Link`` header naming the other formats (``rel="alternate"``) and the thing
  (``rel="describes"``).
  ``/data/{kind}/{slug}`` without a suffix negotiates the format (and says so in
  ``Content-Location``).
* ``/ontology`` and ``/shapes`` are documents whose terms are hash IRIs
  (``{base}ontology#Project``),
  so they answer 200 with content negotiation (HTML documentation or RDF); ``/ontology.ttl``... pick
  a format directly.
* ``/dumps/`` lists the dumps, ``/dumps/{file}`` serves them (the bytes ``jaif-kg build`` writes);
  ``/.well-known/void`` and ``/void`` serve the VoID/DCAT description.
* ``/graph/...``: a graph of the dataset (``{base}graph/jaif``, an imported graph) redirects
  (303) to its Graph Store read (``/graph-store?graph=IRI``); the names of the TriG dump's graphs
  redirect to what each graph holds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from rdflib import Graph
from rdflib.namespace import OWL

from jaif_kg.api.deps import get_app_settings, get_store
from jaif_kg.publish import describe as ds
from jaif_kg.publish.describe import DESCRIPTION_FORMATS
from jaif_kg.publish.dumps import (
    CHECKSUMS_FILE,
    CONTEXT_FILE,
    GRAPH_STORE_PATH,
    Bundle,
    build_bundle,
    dataset_graph_name,
    ontology_graph_name,
    serialize,
)
from jaif_kg.publish.iris import resource_iri
from jaif_kg.publish.ontology_doc import ontology_doc, shapes_doc
from jaif_kg.publish.pages import (
    Site,
    render,
    render_entity,
    render_index,
    render_message,
    render_not_found,
)
from jaif_kg.publish.void import summary as void_summary
from jaif_kg.publish.void import void_iri
from jaif_kg.rdf.canonical import sectioned_turtle
from jaif_kg.rdf.formats import RdfFormat, rdf_format
from jaif_kg.rdf.graph import read_graph, shapes_paths
from jaif_kg.rdf.negotiation import HTML, content_type, negotiate
from jaif_kg.settings import Settings
from jaif_kg.sparql.escape import is_valid_iri, sparql_iri
from jaif_kg.store import Store

router = APIRouter(tags=["linked data"])

StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]

#: The RDF formats offered for descriptions, the ontology, the shapes and the VoID.
OFFERED: tuple[RdfFormat, ...] = tuple(rdf_format(name) for name in DESCRIPTION_FORMATS)
_BY_SUFFIX = {f.suffix: f for f in OFFERED}
_METHODS = ["GET", "HEAD"]
_LOCK = threading.RLock()


def _site(request: Request, settings: Settings) -> Site:
    return Site(settings.base_iri, request.scope.get("root_path", "").rstrip("/") + "/")


def _raw_tail(request: Request, prefix: str) -> str:
    """The request path after ``prefix``, still percent-encoded as the client sent it.

    IRIs are rebuilt from the raw path so that ``%2F`` or ``%20`` in a slug stay as in the data.
    """
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) else request.url.path
    root = request.scope.get("root_path", "").rstrip("/")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path[len(prefix) :] if path.startswith(prefix) else ""


def _link_header(targets: list[tuple[str, str, str]]) -> str:
    """An RFC 8288 ``Link`` header; an empty media type leaves ``type`` out."""
    return ", ".join(
        f'<{href}>; rel="{rel}"' + (f'; type="{media}"' if media else "")
        for href, rel, media in targets
    )


def _alternates(site: Site, data_path: str, page_path: str | None) -> list[tuple[str, str, str]]:
    links = [(site.link(f"{data_path}.{f.suffix}"), "alternate", f.media_type) for f in OFFERED]
    if page_path is not None:
        links.insert(0, (site.link(page_path), "alternate", HTML))
    return links


def _not_found(request: Request, site: Site, store: Store, iri: str) -> Response:
    accept = request.headers.get("accept")
    if negotiate(accept, [HTML, "text/plain"]) == HTML:
        page = render_not_found(store, site, iri, request.url.path)
        return HTMLResponse(page, status_code=404)
    return Response(
        f"Not found: the dataset has no description of <{iri}>.\n"
        f"See {site.link('page/')} for the list of things.\n",
        status_code=404,
        media_type="text/plain; charset=utf-8",
    )


def _not_acceptable(site: Site, offers: list[str]) -> HTMLResponse:
    message = "This resource is available as " + ", ".join(offers) + "."
    return HTMLResponse(
        render_message(site, "Not acceptable", message),
        status_code=406,
        headers={"Vary": "Accept"},
    )


def _exists(store: Store, iri: str) -> bool:
    if not is_valid_iri(iri):
        return False
    term = sparql_iri(iri)
    result = store.query(f"ASK {{ {{ {term} ?p ?o }} UNION {{ ?s ?p {term} }} }}")
    return bool(result.boolean)


# -- /id/ : the things themselves (303) -----------------------------------------------------------
@router.api_route("/id/{path:path}", methods=_METHODS, summary="Resolve a resource IRI (303)")
def resolve(path: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """Redirect (303) to the page (HTML) or the data (RDF) about ``{base}id/{path}``."""
    site = _site(request, settings)
    tail = _raw_tail(request, "/id/")
    if not tail:
        return RedirectResponse(site.link("page/"), status_code=303)
    iri = resource_iri(tail, settings.base_iri)
    if not _exists(store, iri):
        return _not_found(request, site, store, iri)
    offers = [HTML, *(f.media_type for f in OFFERED)]
    choice = negotiate(request.headers.get("accept"), offers)
    if choice is None:
        return _not_acceptable(site, offers)
    if choice == HTML:
        target = site.link(f"page/{tail}")
    else:
        target = site.link(f"data/{tail}.{rdf_format(choice).suffix}")
    headers = {
        "Vary": "Accept",
        "Link": _link_header(_alternates(site, f"data/{tail}", f"page/{tail}")),
    }
    return RedirectResponse(target, status_code=303, headers=headers)


# -- /page/ : HTML --------------------------------------------------------------------------------
@router.api_route("/page/", methods=_METHODS, response_class=HTMLResponse, summary="List of things")
def index(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=200, description="Words to look for in names")] = "",
) -> HTMLResponse:
    """Every thing in the dataset grouped by kind, with a search box."""
    return HTMLResponse(render_index(store, _site(request, settings), q))


@router.api_route(
    "/page/{path:path}", methods=_METHODS, response_class=HTMLResponse, summary="Entity page"
)
def page(path: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """The HTML page about ``{base}id/{path}``."""
    site = _site(request, settings)
    tail = _raw_tail(request, "/page/")
    iri = resource_iri(tail, settings.base_iri)
    html = render_entity(store, site, iri) if is_valid_iri(iri) else None
    if html is None:
        return _not_found(request, site, store, iri)
    links = [(iri, "describes", ""), *_alternates(site, f"data/{tail}", None)]
    return HTMLResponse(html, headers={"Link": _link_header(links)})


# -- /data/ : RDF ---------------------------------------------------------------------------------
def _split_suffix(tail: str) -> tuple[str, RdfFormat | None]:
    stem, dot, suffix = tail.rpartition(".")
    if dot and suffix in _BY_SUFFIX and "/" not in suffix:
        return stem, _BY_SUFFIX[suffix]
    return tail, None


def _description(store: Store, iri: str) -> ds.Description | None:
    description = ds.describe(store, iri)
    return description if description.exists else None


@router.api_route("/data/{path:path}", methods=_METHODS, summary="Resource description (RDF)")
def data(path: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """The RDF description of ``{base}id/{path}``: the suffix picks the format, else ``Accept``."""
    site = _site(request, settings)
    tail = _raw_tail(request, "/data/")
    stem, fmt = _split_suffix(tail)
    found = None
    if fmt is not None and is_valid_iri(resource_iri(stem, settings.base_iri)):
        found = _description(store, resource_iri(stem, settings.base_iri))
    if found is None:
        # No suffix, or the "suffix" is part of the slug.
        stem, fmt = tail, None
        iri = resource_iri(stem, settings.base_iri)
        found = _description(store, iri) if is_valid_iri(iri) else None
    iri = resource_iri(stem, settings.base_iri)
    if found is None:
        return _not_found(request, site, store, iri)
    headers = {
        "Link": _link_header(
            [(iri, "describes", ""), *_alternates(site, f"data/{stem}", f"page/{stem}")]
        )
    }
    if fmt is None:
        choice = negotiate(request.headers.get("accept"), [f.media_type for f in OFFERED])
        if choice is None:
            return _not_acceptable(site, [f.media_type for f in OFFERED])
        fmt = rdf_format(choice)
        headers["Vary"] = "Accept"
        headers["Content-Location"] = site.link(f"data/{stem}.{fmt.suffix}")
    base = settings.base_iri
    if fmt.name == "turtle":
        # the thing first, for people reading it
        body = sectioned_turtle(found.sections(base), base=base).encode("utf-8")
    else:
        body = serialize(found.graph(base=base), fmt.name, base=base)
    return Response(body, media_type=content_type(fmt.media_type), headers=headers)


# -- /ontology and /shapes ------------------------------------------------------------------------
def _cached(request: Request, key: str, build: Callable[[], object]) -> object:
    """What ``build()`` returns, built once per app (the store is read-only while served)."""
    with _LOCK:
        cache: dict[str, object] | None = getattr(request.app.state, "linked_data_cache", None)
        if cache is None:
            cache = {}
            request.app.state.linked_data_cache = cache
        if key not in cache:
            cache[key] = build()
        return cache[key]


def _ontology_graph(request: Request, store: Store, settings: Settings) -> Graph:
    iri = settings.base_iri + "ontology"

    def build() -> Graph:
        description = ds.describe(store, iri, incoming=False, scan_fragments=True)
        return description.graph(base=settings.base_iri)

    graph = _cached(request, "ontology-graph", build)
    assert isinstance(graph, Graph)
    return graph


def _shapes_graph(request: Request, settings: Settings) -> Graph:
    graph = _cached(
        request,
        "shapes-graph",
        lambda: read_graph(shapes_paths(settings), base=settings.base_iri),
    )
    assert isinstance(graph, Graph)
    return graph


def _instance_counts(store: Store) -> dict[str, int]:
    rows = store.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c").rows
    return {str(r["c"]): int(r["n"]) for r in rows}


def _document(
    request: Request,
    settings: Settings,
    name: str,
    suffix: str | None,
    graph: Graph,
    html: Callable[[], str],
) -> Response:
    """Answer for a hash-IRI document (``/ontology``, ``/shapes``): HTML or RDF, 200."""
    site = _site(request, settings)
    links = [(settings.base_iri + name, "describes", "")]
    links += [(site.link(f"{name}.{f.suffix}"), "alternate", f.media_type) for f in OFFERED]
    links.append((site.link(f"{name}.html"), "alternate", HTML))
    headers = {"Link": _link_header(links)}
    if suffix is None:
        offers = [HTML, *(f.media_type for f in OFFERED)]
        choice = negotiate(request.headers.get("accept"), offers)
        if choice is None:
            return _not_acceptable(site, offers)
        headers["Vary"] = "Accept"
        suffix = "html" if choice == HTML else rdf_format(choice).suffix
        headers["Content-Location"] = site.link(f"{name}.{suffix}")
    if suffix == "html":
        return HTMLResponse(html(), headers=headers)
    fmt = _BY_SUFFIX[suffix]
    body = serialize(graph, fmt.name, base=settings.base_iri)
    return Response(body, media_type=content_type(fmt.media_type), headers=headers)


def _ontology_response(
    request: Request, store: Store, settings: Settings, suffix: str | None
) -> Response:
    site = _site(request, settings)
    graph = _ontology_graph(request, store, settings)

    def html() -> str:
        doc = ontology_doc(
            graph,
            settings.base_iri + "ontology",
            settings.base_iri,
            site.root,
            shapes=_shapes_graph(request, settings),
            instance_counts=_instance_counts(store),
        )
        return render(
            "ontology.html",
            doc=doc,
            site=site,
            title=doc.title,
            formats=[
                (DESCRIPTION_FORMATS[f.name], site.link(f"ontology.{f.suffix}")) for f in OFFERED
            ],
        )

    return _document(request, settings, "ontology", suffix, graph, html)


def _shapes_response(request: Request, settings: Settings, suffix: str | None) -> Response:
    site = _site(request, settings)
    graph = _shapes_graph(request, settings)

    def html() -> str:
        files = [p.name for p in shapes_paths(settings)]
        doc = shapes_doc(graph, settings.base_iri, site.root, files)
        return render(
            "shapes.html",
            doc=doc,
            site=site,
            title="SHACL shapes",
            formats=[
                (DESCRIPTION_FORMATS[f.name], site.link(f"shapes.{f.suffix}")) for f in OFFERED
            ],
        )

    return _document(request, settings, "shapes", suffix, graph, html)


@router.api_route("/ontology", methods=_METHODS, summary="The ontology (HTML or RDF)")
def ontology(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """The ontology: documentation for browsers, RDF for programs (content negotiation)."""
    return _ontology_response(request, store, settings, None)


@router.api_route("/ontology.{suffix}", methods=_METHODS, summary="The ontology in one format")
def ontology_as(suffix: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """The ontology as ``html``, ``ttl``, ``jsonld``, ``nt`` or ``rdf``."""
    if suffix != "html" and suffix not in _BY_SUFFIX:
        return _not_found(request, _site(request, settings), store, settings.base_iri + "ontology")
    return _ontology_response(request, store, settings, suffix)


@router.api_route("/ontology/{version}", methods=_METHODS, summary="A version of the ontology")
def ontology_version(
    version: str, request: Request, store: StoreDep, settings: SettingsDep
) -> Response:
    """The ontology at its version IRI (``owl:versionIRI``), while that version is served."""
    iri = settings.base_iri + "ontology/" + version
    ontology_iri = settings.base_iri + "ontology"
    served = is_valid_iri(iri) and bool(
        store.query(
            f"ASK {{ {sparql_iri(ontology_iri)} {sparql_iri(str(OWL.versionIRI))} "
            f"{sparql_iri(iri)} }}"
        ).boolean
    )
    if not served:
        return _not_found(request, _site(request, settings), store, iri)
    return _ontology_response(request, store, settings, None)


@router.api_route("/shapes", methods=_METHODS, summary="The SHACL shapes (HTML or RDF)")
def shapes(request: Request, settings: SettingsDep) -> Response:
    """The shapes: documentation for browsers, RDF for programs (content negotiation)."""
    return _shapes_response(request, settings, None)


@router.api_route("/shapes.{suffix}", methods=_METHODS, summary="The SHACL shapes in one format")
def shapes_as(suffix: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """The shapes as ``html``, ``ttl``, ``jsonld``, ``nt`` or ``rdf``."""
    if suffix != "html" and suffix not in _BY_SUFFIX:
        return _not_found(request, _site(request, settings), store, settings.base_iri + "shapes")
    return _shapes_response(request, settings, suffix)


# -- dumps and the dataset description ------------------------------------------------------------
def bundle(request: Request, store: Store, settings: Settings) -> Bundle:
    """The dumps, built on first use and kept for the life of the app."""
    built = _cached(request, "bundle", lambda: build_bundle(store, settings))
    assert isinstance(built, Bundle)
    return built


@router.api_route("/dumps/", methods=_METHODS, response_class=HTMLResponse, summary="Downloads")
def dumps_index(request: Request, store: StoreDep, settings: SettingsDep) -> HTMLResponse:
    """The downloads page: every dump with its size and SHA-256, and the dataset's figures."""
    site = _site(request, settings)
    built = bundle(request, store, settings)
    return HTMLResponse(
        render(
            "dumps.html",
            site=site,
            title="Downloads",
            files=list(built.files.values()),
            summary=void_summary(built.void, settings),
        )
    )


@router.api_route("/dumps", methods=_METHODS, include_in_schema=False)
def dumps_redirect(request: Request, settings: SettingsDep) -> Response:
    """``/dumps`` -> ``/dumps/``."""
    return RedirectResponse(_site(request, settings).link("dumps/"), status_code=301)


@router.api_route("/dumps/{name}", methods=_METHODS, summary="One dump file")
def dump_file(name: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """A file of the dumps folder (the same bytes ``jaif-kg build`` writes)."""
    built = bundle(request, store, settings)
    item = built.files.get(name)
    if item is None:
        site = _site(request, settings)
        return HTMLResponse(
            render_message(
                site,
                "Not found",
                f"There is no dump called {name!r}; see the downloads page for the list.",
            ),
            status_code=404,
        )
    media = item.media_type
    if media.startswith("text/") or name in (CHECKSUMS_FILE,):
        media += "; charset=utf-8"
    headers = {"ETag": f'"{item.sha256}"'}
    if name != CONTEXT_FILE:
        headers["Content-Disposition"] = f'inline; filename="{item.name}"'
    return Response(item.data, media_type=media, headers=headers)


def _void_response(request: Request, store: Store, settings: Settings) -> Response:
    site = _site(request, settings)
    offers = [*(f.media_type for f in OFFERED), HTML]
    choice = negotiate(request.headers.get("accept"), offers)
    if choice is None:
        return _not_acceptable(site, offers)
    links = [(void_iri(settings), "describes", "")]
    links += [(site.link("dumps/void.ttl"), "alternate", "text/turtle")]
    headers = {"Vary": "Accept", "Link": _link_header(links)}
    if choice == HTML:
        return RedirectResponse(site.link("dumps/"), status_code=303, headers=headers)
    built = bundle(request, store, settings)
    fmt = rdf_format(choice)
    # Turtle is the very file of the dumps; other formats are written from the same graph.
    body = (
        built.files["void.ttl"].data
        if fmt.name == "turtle"
        else serialize(built.void, fmt.name, base=settings.base_iri)
    )
    return Response(body, media_type=content_type(fmt.media_type), headers=headers)


@router.api_route("/.well-known/void", methods=_METHODS, summary="Dataset description (VoID)")
def well_known_void(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """The VoID + DCAT description of the dataset (RFC 8615 well-known location)."""
    return _void_response(request, store, settings)


@router.api_route("/void", methods=_METHODS, summary="Dataset description (VoID)")
def void(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """The VoID + DCAT description of the dataset at its own IRI (``{base}void``)."""
    return _void_response(request, store, settings)


# -- /graph/ : names of the dataset's graphs and of the TriG dump's --------------------------------
@router.api_route("/graph/{path:path}", methods=_METHODS, summary="A named graph")
def graph_name(path: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """Redirect a graph name to what it holds: a graph of the dataset to its Graph Store read;
    a graph of the TriG dump to a source's page, the ontology, or the downloads."""
    site = _site(request, settings)
    iri = settings.base_iri + "graph/" + _raw_tail(request, "/graph/")
    if iri in store.named_graphs():
        target = f"{GRAPH_STORE_PATH}?graph={quote(iri, safe='')}"
        return RedirectResponse(site.link(target), status_code=303)
    if iri == ontology_graph_name(settings.base_iri):
        return RedirectResponse(site.link("ontology"), status_code=303)
    if iri == dataset_graph_name(settings.base_iri):
        return RedirectResponse(site.link("dumps/"), status_code=303)
    tail = _raw_tail(request, "/graph/")
    if _exists(store, resource_iri(tail, settings.base_iri)):
        return RedirectResponse(site.link(f"page/{tail}"), status_code=303)
    return _not_found(request, site, store, iri)
