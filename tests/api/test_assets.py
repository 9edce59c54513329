"""``/assets/``: only the listed front-end files, with their media types, and nothing else.

Requests are sent raw (``http.client``) to a live server, so that ``..`` and its encodings reach
the server as written instead of being folded by a client library.
"""

from __future__ import annotations

import hashlib
import http.client
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from jaif_kg.api.routes.assets import ASSETS, AXE_JS, YASGUI_CSS, YASGUI_JS, asset_file
from tests.api.conftest import REPO, Live, api_settings

NODE_MODULES = REPO / "node_modules"


def get(
    live: Live, target: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Send ``target`` exactly as written; the status, the headers (lower-cased) and the body."""
    parts = urlsplit(live.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return (
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            response.read(),
        )
    finally:
        conn.close()


@pytest.fixture(scope="module")
def installed() -> Path:
    """The checkout's node_modules/, which ``make install`` fills."""
    if not (NODE_MODULES / YASGUI_JS).is_file():
        pytest.fail(
            "the front-end files are not installed: run `make install` (or `npm ci`) in the "
            "checkout; npm comes from Debian's `npm` package"
        )
    return NODE_MODULES


def test_every_listed_file_is_installed_by_package_json(installed: Path) -> None:
    missing = sorted(name for name in ASSETS if asset_file(installed, name) is None)
    assert missing == []


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        (YASGUI_JS, "text/javascript; charset=utf-8"),
        (YASGUI_CSS, "text/css; charset=utf-8"),
        ("swagger-ui-dist/favicon-32x32.png", "image/png"),
    ],
)
def test_a_listed_file_is_served_with_its_media_type(
    installed: Path, live: Live, name: str, media_type: str
) -> None:
    status, headers, body = get(live, "/assets/" + name)
    assert status == 200
    assert headers["content-type"] == media_type
    assert headers["x-content-type-options"] == "nosniff"
    assert body == (installed / name).read_bytes()


def test_head_answers_without_a_body(installed: Path, live: Live) -> None:
    status, headers, body = get(live, "/assets/" + AXE_JS, method="HEAD")
    assert status == 200 and body == b""
    assert int(headers["content-length"]) == (installed / AXE_JS).stat().st_size


def test_a_file_is_tagged_by_its_content_and_revalidates(installed: Path, live: Live) -> None:
    """``If-None-Match`` with the file's own tag (or ``*``), or ``If-Modified-Since`` its
    ``Last-Modified``, gets ``304`` and no body; another tag gets the file."""
    status, headers, body = get(live, "/assets/" + YASGUI_CSS)
    assert status == 200
    assert headers["etag"] == f'"{hashlib.sha256(body).hexdigest()}"'
    assert "last-modified" in headers
    for condition in (
        {"If-None-Match": headers["etag"]},
        {"If-None-Match": f'"other", W/{headers["etag"]}'},
        {"If-None-Match": "*"},
        {"If-Modified-Since": headers["last-modified"]},
    ):
        again, again_headers, again_body = get(live, "/assets/" + YASGUI_CSS, headers=condition)
        assert (again, again_body) == (304, b""), condition
        assert again_headers["etag"] == headers["etag"]
        assert again_headers["cache-control"] == headers["cache-control"]
        assert get(live, "/assets/" + YASGUI_CSS, "HEAD", condition)[0] == 304
    for condition in (
        {"If-None-Match": '"stale"'},
        # If-None-Match decides when both are sent
        {"If-None-Match": '"stale"', "If-Modified-Since": headers["last-modified"]},
        {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"},
    ):
        again, _, again_body = get(live, "/assets/" + YASGUI_CSS, headers=condition)
        assert (again, again_body) == (200, body), condition


@pytest.mark.parametrize(
    "target",
    [
        # a file of an installed package that is not listed
        "/assets/swagger-ui-dist/package.json",
        "/assets/@zazuko/yasgui/package.json",
        "/assets/node_modules/axe-core/axe.min.js",
        # out of the folder, plainly and encoded
        "/assets/../pyproject.toml",
        "/assets/axe-core/../../pyproject.toml",
        "/assets/%2e%2e/pyproject.toml",
        "/assets/%2E%2E/%2E%2E/jaif_kg/settings.py",
        "/assets/axe-core/%2e%2e%2f%2e%2e%2fpyproject.toml",
        "/assets/..%2f..%2fpyproject.toml",
        "/assets/axe-core/..%5c..%5cpyproject.toml",
        # absolute paths
        "/assets//etc/passwd",
        "/assets/%2fetc%2fpasswd",
        "/assets/" + str(REPO / "pyproject.toml"),
        # a listed name with something after or before it
        "/assets/" + AXE_JS + "/",
        "/assets/" + AXE_JS + "%00",
        "/assets/./" + AXE_JS,
        "/assets/",
    ],
)
def test_nothing_else_is_served(installed: Path, live: Live, target: str) -> None:
    status, _, body = get(live, target)
    assert status in (400, 404), (target, status)
    assert b"[project]" not in body and b"root:" not in body and b"axe" not in body[:200]


def test_a_listed_file_leading_out_of_the_folder_is_refused(
    tmp_path: Path, live_factory: Callable[..., Live]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web\n", encoding="utf-8")
    folder = tmp_path / "node_modules"
    (folder / "axe-core").mkdir(parents=True)
    (folder / AXE_JS).symlink_to(secret)
    inside = folder / "@zazuko" / "yasgui" / "build"
    inside.mkdir(parents=True)
    (folder / "real.js").write_text("/* inside */\n", encoding="utf-8")
    (inside / "yasgui.min.js").symlink_to(folder / "real.js")
    live = live_factory(api_settings(assets_dir=folder))
    status, _, body = get(live, "/assets/" + AXE_JS)
    assert status == 404 and b"not for the web" not in body
    # a symbolic link that stays inside the folder is followed
    status, _, body = get(live, "/assets/" + YASGUI_JS)
    assert status == 200 and body == b"/* inside */\n"


def test_a_missing_install_says_how_to_get_it(
    tmp_path: Path, live_factory: Callable[..., Live]
) -> None:
    live = live_factory(api_settings(assets_dir=tmp_path / "nowhere"))
    status, _, body = get(live, "/assets/" + YASGUI_JS)
    assert status == 404
    assert b"make install" in body and b"npm ci" in body
