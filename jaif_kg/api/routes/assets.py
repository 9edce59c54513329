"""``/assets/<package>/<file>``: the front-end files jaif-kg serves itself, from node_modules/.

The query editor (YASGUI), the API docs (Swagger UI), the pictures (vis-timeline, cytoscape) and
the accessibility checker of the browser tests (axe-core) come from the npm registry through
``package.json`` and ``package-lock.json``, installed by ``make install`` (``npm ci``) into the
checkout's ``node_modules/`` (or the folder ``JAIF_ASSETS_DIR`` names). Nothing is fetched at run
time, and no page asks another host for anything.

Only the files of :data:`ASSETS` are served: the URL is looked up in that set, never joined to a
folder, so ``..``, encoded dots and absolute paths name nothing; a listed file that is a symbolic
link leading out of the folder is refused too.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response

from jaif_kg.api.deps import get_app_settings

router = APIRouter()

#: Where the files are served from.
PREFIX = "/assets/"

#: YASGUI, the SPARQL query editor of ``/sparql``.
YASGUI_JS = "@zazuko/yasgui/build/yasgui.min.js"
YASGUI_CSS = "@zazuko/yasgui/build/yasgui.min.css"
#: Swagger UI, the API docs of ``/docs``.
SWAGGER_JS = "swagger-ui-dist/swagger-ui-bundle.js"
SWAGGER_CSS = "swagger-ui-dist/swagger-ui.css"
SWAGGER_ICON = "swagger-ui-dist/favicon-32x32.png"
#: vis-timeline (standalone: vis-data inside), for the timeline page.
TIMELINE_JS = "vis-timeline/standalone/umd/vis-timeline-graph2d.min.js"
TIMELINE_CSS = "vis-timeline/styles/vis-timeline-graph2d.min.css"
#: cytoscape, for the network page.
CYTOSCAPE_JS = "cytoscape/dist/cytoscape.min.js"
#: axe-core, the accessibility checker the browser tests inject.
AXE_JS = "axe-core/axe.min.js"

#: Every file served, as its path under node_modules/ (which is also its URL under /assets/).
ASSETS: frozenset[str] = frozenset(
    {
        YASGUI_JS,
        YASGUI_CSS,
        SWAGGER_JS,
        SWAGGER_CSS,
        SWAGGER_ICON,
        TIMELINE_JS,
        TIMELINE_CSS,
        CYTOSCAPE_JS,
        AXE_JS,
    }
)

#: Media types by suffix (only the kinds :data:`ASSETS` holds).
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
}

#: How to get the files when they are missing.
HOW_TO_INSTALL = (
    "run `make install` in the jaif-kg checkout (or `npm ci` there), or point JAIF_ASSETS_DIR "
    "at a node_modules folder installed from jaif-kg's package.json"
)


def asset_url(name: str) -> str:
    """The URL path of a listed file.

    >>> asset_url("axe-core/axe.min.js")
    '/assets/axe-core/axe.min.js'

    Raises:
        KeyError: a file that is not listed in :data:`ASSETS`.
    """
    if name not in ASSETS:
        raise KeyError(name)
    return PREFIX + name


def asset_file(root: Path, name: str) -> Path | None:
    """The file of ``name`` under ``root`` (a node_modules folder), or ``None`` when it is not
    listed in :data:`ASSETS`, missing, not a regular file, or (through symbolic links) outside
    ``root``.

    >>> asset_file(Path("/nonexistent"), "../../etc/passwd") is None
    True
    """
    if name not in ASSETS:
        return None
    try:
        base = root.resolve(strict=True)
        path = (base / name).resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a loop of symbolic links
        return None
    if not path.is_relative_to(base) or not path.is_file():
        return None
    return path


def have_assets(request: Request, *names: str) -> bool:
    """Whether the app can serve every one of ``names`` (the page then uses them, else it falls
    back to plain HTML and says how to get them)."""
    root = get_app_settings(request).assets_dir
    return all(asset_file(root, name) is not None for name in names)


@router.api_route(
    PREFIX + "{name:path}",
    methods=["GET", "HEAD"],
    include_in_schema=False,
)
def asset(name: str, request: Request) -> Response:
    """One listed file, with its media type; ``404`` for anything else."""
    path = asset_file(get_app_settings(request).assets_dir, name)
    if path is None:
        missing = name in ASSETS
        return PlainTextResponse(
            f"{PREFIX}{name} is not installed: {HOW_TO_INSTALL}\n"
            if missing
            else "Not found: /assets/ serves only the files jaif-kg lists.\n",
            status_code=404,
        )
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[Path(name).suffix],
        headers={"cache-control": "public, max-age=86400"},
    )
