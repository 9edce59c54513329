"""HTTP caching on a live server: ``ETag`` from the dataset version and the variant,
``Cache-Control``, ``Vary``, ``304`` on ``If-None-Match``, full answers on stale or malformed tags,
none of it on ``POST`` or errors; with httpx and, where installed, curl (``--etag-compare``)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from jaif_kg.api.caching import MAX_AGE, dataset_version
from jaif_kg.store import Store
from tests.api.conftest import Live, api_settings, shipped

QUERY = "SELECT ?s WHERE { ?s a <https://w3id.org/jaif-kg/ontology#WorkPlan> } ORDER BY ?s"

#: One GET of every kind of answer: (path, Accept).
ANSWERS = [
    ("/", "text/html"),
    ("/page/country/KHM", "text/html"),
    ("/data/country/KHM", "text/turtle"),
    ("/data/country/KHM", "application/ld+json"),
    ("/dumps/jaif-kg.ttl", "*/*"),
    ("/dumps/jaif-kg.jsonld", "*/*"),
    ("/void", "text/turtle"),
    ("/ontology", "text/html"),
    ("/api/queries/work-plans", "application/json"),
    ("/api/queries/projects?country=KHM", "text/csv"),
    ("/sparql?query=" + quote(QUERY), "application/sparql-results+json"),
    ("/sparql", "text/turtle"),
]


@pytest.fixture(scope="module")
def store() -> Store:
    return shipped(api_settings())


@pytest.fixture(scope="module")
def server(live_factory: Callable[..., Live], store: Store) -> Live:
    return live_factory(api_settings(), store)


@pytest.fixture(scope="module")
def client(server: Live) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=30)


@pytest.mark.parametrize(("path", "accept"), ANSWERS)
def test_every_get_is_tagged_and_revalidates(client: httpx.Client, path: str, accept: str) -> None:
    first = client.get(path, headers={"Accept": accept})
    assert first.status_code == 200, first.text[:300]
    tag = first.headers["etag"]
    assert tag.startswith('"') and tag.endswith('"')
    assert first.headers["cache-control"] == f"public, max-age={MAX_AGE}"
    if not path.startswith("/dumps/"):
        assert "accept" in first.headers["vary"].lower()
    again = client.get(path, headers={"Accept": accept, "If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    assert again.headers["cache-control"] == first.headers["cache-control"]
    # one of several tags, and the weak form, match too (weak comparison)
    listed = client.get(path, headers={"Accept": accept, "If-None-Match": f'"x", W/{tag}'})
    assert listed.status_code == 304
    head = client.head(path, headers={"Accept": accept})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == tag
    head_304 = client.head(path, headers={"Accept": accept, "If-None-Match": tag})
    assert head_304.status_code == 304


def test_the_tag_names_the_dataset_version_and_the_variant(
    client: httpx.Client, store: Store
) -> None:
    version = dataset_version(store, api_settings().base_iri)
    turtle = client.get("/data/country/KHM", headers={"Accept": "text/turtle"})
    jsonld = client.get("/data/country/KHM", headers={"Accept": "application/ld+json"})
    page = client.get("/page/country/KHM")
    tags = {turtle.headers["etag"], jsonld.headers["etag"], page.headers["etag"]}
    assert len(tags) == 3
    assert all(t.startswith(f'"{version}-') for t in tags)
    # a JSON-LD tag does not validate the Turtle variant
    crossed = client.get(
        "/data/country/KHM",
        headers={"Accept": "text/turtle", "If-None-Match": jsonld.headers["etag"]},
    )
    assert crossed.status_code == 200 and crossed.content == turtle.content


def test_a_dump_keeps_its_content_hash_as_its_tag(client: httpx.Client) -> None:
    import hashlib

    dump = client.get("/dumps/jaif-kg.nt")
    assert dump.headers["etag"] == f'"{hashlib.sha256(dump.content).hexdigest()}"'
    assert (
        client.get("/dumps/jaif-kg.nt", headers={"If-None-Match": dump.headers["etag"]}).status_code
        == 304
    )


@pytest.mark.parametrize(
    "condition",
    ['"stale"', "not-a-tag", '"unterminated', 'W/"0000", "1111"', ""],
)
def test_a_stale_or_malformed_tag_gets_the_full_answer(
    client: httpx.Client, condition: str
) -> None:
    full = client.get("/page/country/KHM")
    answer = client.get("/page/country/KHM", headers={"If-None-Match": condition})
    assert answer.status_code == 200
    assert answer.content == full.content
    assert answer.headers["etag"] == full.headers["etag"]


def test_star_matches_an_existing_resource(client: httpx.Client) -> None:
    assert client.get("/page/country/KHM", headers={"If-None-Match": "*"}).status_code == 304


def test_another_server_version_or_dataset_gives_other_tags(
    live_factory: Callable[..., Live], client: httpx.Client, tmp_path: Path
) -> None:
    """A tag from a server over other data does not validate: the version is the data's."""
    data = tmp_path / "data"
    shutil.copytree(api_settings().data_dir, data)
    countries = data / "countries.ttl"
    countries.write_text(
        countries.read_text(encoding="utf-8").replace(
            '"Cambodia"@en', '"Kingdom of Cambodia"@en', 1
        ),
        encoding="utf-8",
    )
    settings = api_settings(data_dir=data)
    other = live_factory(settings, shipped(settings))
    with httpx.Client(base_url=other.url, timeout=30) as changed:
        theirs = changed.get("/page/country/KHM")
        ours = client.get("/page/country/KHM")
        assert theirs.headers["etag"] != ours.headers["etag"]
        again = changed.get("/page/country/KHM", headers={"If-None-Match": ours.headers["etag"]})
        assert again.status_code == 200 and b"Kingdom of Cambodia" in again.content


def test_post_sparql_is_not_cached(client: httpx.Client) -> None:
    get = client.get("/sparql", params={"query": QUERY}, headers={"Accept": "text/csv"})
    post = client.post(
        "/sparql",
        content=QUERY,
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "text/csv",
            "If-None-Match": get.headers["etag"],
        },
    )
    assert post.status_code == 200 and post.content == get.content
    assert "etag" not in post.headers
    assert "max-age" not in post.headers.get("cache-control", "")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/page/country/XXX", 404),
        ("/sparql?query=SELEC", 400),
        ("/api/queries/projects?status=nonsense", 422),
        ("/dumps/nothing.ttl", 404),
    ],
)
def test_errors_carry_no_tag_and_are_not_stored(
    client: httpx.Client, path: str, status: int
) -> None:
    answer = client.get(path, headers={"If-None-Match": "*"})
    assert answer.status_code == status
    assert "etag" not in answer.headers
    assert answer.headers["cache-control"] == "no-store"


def test_a_remote_store_answers_carry_no_tag() -> None:
    """Over a store whose data can change under the server, nothing is tagged (documented)."""
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from jaif_kg.api.caching import HttpCaching

    class Remote:
        remote = True

    inner = Starlette(routes=[Route("/x", lambda request: PlainTextResponse("x"))])
    app = HttpCaching(inner, store=Remote(), base="https://example.org/")  # type: ignore[arg-type]
    with TestClient(app) as test:
        answer = test.get("/x", headers={"If-None-Match": "*"})
    assert answer.status_code == 200 and "etag" not in answer.headers
    assert answer.headers["cache-control"] == "no-cache"


curl = shutil.which("curl")


@pytest.mark.skipif(curl is None, reason="curl is not installed")
def test_curl_etag_save_and_compare(server: Live, tmp_path: Path) -> None:
    """curl's own conditional requests: ``--etag-save`` then ``--etag-compare`` gets a 304."""
    assert curl is not None
    etag = tmp_path / "etag"
    url = server.url + "/api/queries/work-plans"

    def fetch(*args: str) -> tuple[str, bytes]:
        out = tmp_path / "body"
        out.unlink(missing_ok=True)
        done = subprocess.run(
            [curl, "-sS", "--noproxy", "*", "-o", str(out), "-w", "%{http_code}", *args, url],
            capture_output=True,
            check=True,
            timeout=60,
        )
        return done.stdout.decode(), out.read_bytes() if out.exists() else b""

    status, body = fetch("--etag-save", str(etag))
    assert status == "200" and body.startswith(b"[")
    assert etag.read_text().strip().startswith('"')
    status, body = fetch("--etag-compare", str(etag))
    assert status == "304" and body == b""
    etag.write_text('"stale"\n')
    status, body = fetch("--etag-compare", str(etag))
    assert status == "200" and body.startswith(b"[")


#: Error answers of every kind, method and route: (method, path, request keywords, status).
ERRORS: list[tuple[str, str, dict[str, object], int]] = [
    ("POST", "/sparql", {"content": b"x" * (1024 * 1024 + 1)}, 413),
    ("POST", "/sparql", {"content": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415),
    ("POST", "/sparql", {"data": {"query": "SELEC"}}, 400),
    ("POST", "/sparql", {"data": {"update": "CLEAR ALL"}}, 403),
    ("PUT", "/sparql", {"content": b"ASK {}"}, 405),
    ("POST", "/assets/axe-core/axe.min.js", {}, 405),
    ("GET", "/assets/nope", {}, 404),
    ("HEAD", "/assets/nope", {}, 404),
    ("GET", "/nothing-here", {}, 404),
    ("DELETE", "/page/country/KHM", {}, 405),
    ("GET", "/page/%FF", {}, 400),
    ("GET", "/", {"headers": {"X-Long": "x" * 70_000}}, 431),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), ERRORS)
def test_every_error_is_not_stored(
    client: httpx.Client, method: str, path: str, kwargs: dict[str, object], status: int
) -> None:
    """Whatever the method, route or layer that writes it (the routes, the middleware, the
    guard's 400, the connection's 431), an error says ``no-store`` and carries no ``ETag``."""
    answer = client.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert answer.status_code == status, answer.text[:200]
    assert answer.headers.get("cache-control") == "no-store", answer.headers
    assert "etag" not in answer.headers and "last-modified" not in answer.headers


def test_the_connections_own_errors_are_not_stored() -> None:
    """The 408 (and 431) the connection writes itself, before any app runs."""
    from jaif_kg.api.connection import _error_response

    for status in (408, 431):
        assert b"\r\ncache-control: no-store\r\n" in _error_response(status, "too slow", [])
