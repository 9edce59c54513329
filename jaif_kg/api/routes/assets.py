"""``/assets/<package>/<file>``: the front-end files jaif-kg serves itself, from node_modules/.

The query editor (YASGUI), the API docs (Swagger UI), the pictures (vis-timeline, cytoscape) and
the accessibility checker of the browser tests (axe-core) come from the npm registry through
``package.json`` and ``package-lock.json``, installed by ``make install`` (``npm ci``) into the
checkout's ``node_modules/`` (or the folder ``JAIF_ASSETS_DIR`` names). Nothing is fetched at run
time, and no page asks another host for anything.

Only the files of :data:`ASSETS` are served: the URL is looked up in that set, never joined to a
folder, so ``..``, encoded dots and absolute paths name nothing; a listed file that is a symbolic
link leading out of the folder is refused too.

Each file is tagged with its content's SHA-256 (computed once per file version) and its
``Last-Modified``; ``If-None-Match`` naming that tag (or ``*``), or, without ``If-None-Match``,
``If-Modified-Since`` no earlier than the file's time, gets ``304 Not Modified``
(:rfc:`9110#section-13.1.2`, :rfc:`9110#section-13.1.3`). The HTTP caching middleware leaves
``/assets/`` alone for its answers that succeed (:mod:`jaif_kg.api.caching`).
"""

from __future__ import annotations

import hashlib
from email.utils import formatdate, parsedate_to_datetime
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response

from jaif_kg.api.caching import matches
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


#: How long a browser keeps a file before it revalidates it.
CACHE_CONTROL = "public, max-age=86400"


@lru_cache(maxsize=64)
def _content_tag(path: Path, mtime_ns: int, size: int) -> str:
    """The strong ``ETag`` of a file's bytes (one per file version: path, time and size)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return f'"{digest.hexdigest()}"'


def file_tag(path: Path) -> str:
    """The strong ``ETag`` of ``path``: its content's SHA-256, in quotes."""
    info = path.stat()
    return _content_tag(path, info.st_mtime_ns, info.st_size)


def not_modified(
    if_none_match: str | None, if_modified_since: str | None, tag: str, mtime: float
) -> bool:
    """Whether a conditional ``GET`` is answered with ``304``: ``If-None-Match`` decides when
    present (:rfc:`9110#section-13.2.2`), else ``If-Modified-Since`` (a date no earlier than
    the file's, to the second; a malformed date is ignored).

    >>> not_modified('"a"', None, '"a"', 0), not_modified("*", None, '"a"', 0)
    (True, True)
    >>> not_modified('"b"', "Thu, 01 Jan 2099 00:00:00 GMT", '"a"', 0)
    False
    >>> not_modified(None, "Thu, 01 Jan 2099 00:00:00 GMT", '"a"', 0)
    True
    >>> not_modified(None, "Thu, 01 Jan 1970 00:00:00 GMT", '"a"', 60)
    False
    >>> not_modified(None, "yesterday", '"a"', 0)
    False
    """
    if if_none_match is not None:
        return matches(if_none_match, tag)
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since).timestamp()
    except (TypeError, ValueError, IndexError):
        return False
    return int(mtime) <= since


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
    tag = file_tag(path)
    mtime = path.stat().st_mtime
    headers = {
        "cache-control": CACHE_CONTROL,
        "etag": tag,
        "last-modified": formatdate(mtime, usegmt=True),
    }
    if not_modified(
        request.headers.get("if-none-match"), request.headers.get("if-modified-since"), tag, mtime
    ):
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type=MEDIA_TYPES[Path(name).suffix], headers=headers)
