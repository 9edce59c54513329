"""The pages that need the front-end files, in a real headless Chromium cut off from the network.

Chromium is Debian's ``chromium``; the files (YASGUI, Swagger UI, axe-core) are the npm packages
``make install`` puts in node_modules/ (``npm ci``). Both are needed: these tests fail, never
skip, without them, saying how to install them.

Chromium is driven through the DevTools protocol over its websocket (a small client below, on
the standard library). It can reach nothing but the loopback interface: every host name resolves
to nothing except 127.0.0.1, and anything else goes to a proxy on a closed port. Every request the
page makes is recorded; a request to another host fails the test even though it could not leave.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from jaif_kg.api.app import create_app
from jaif_kg.api.routes.assets import AXE_JS, YASGUI_JS, asset_file
from jaif_kg.settings import Settings
from jaif_kg.store import Store
from tests.api.conftest import start_live
from tests.publish.conftest import Server

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
REPO = Path(__file__).resolve().parents[2]
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class DevTools:
    """One Chromium, and a DevTools protocol session on one of its pages."""

    def __init__(self, width: int = 1280, height: int = 900) -> None:
        path = "/usr/bin/chromium"
        if not os.access(path, os.X_OK):
            pytest.fail(
                "Chromium is not installed, so the pages cannot be checked in a browser: install "
                "the Debian package (apt-get install -y chromium), or run `make test` as root."
            )
        self.width, self.height = width, height
        self.profile = tempfile.TemporaryDirectory()
        self.process = subprocess.Popen(
            [
                path,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--hide-scrollbars",
                f"--window-size={width},{height}",
                f"--user-data-dir={self.profile.name}",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                f"--proxy-server=http://127.0.0.1:{closed_port()}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.sock = self._connect()
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Network", "Runtime"):
            self.send(f"{domain}.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 600,
        )

    # -- the websocket (RFC 6455), client side ---------------------------------------------

    def _connect(self) -> socket.socket:
        assert self.process.stderr is not None
        deadline = time.monotonic() + 60
        url = ""
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line and self.process.poll() is not None:
                break
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                url = found.group(1)
                break
        if not url:
            pytest.fail("Chromium did not open its DevTools port")
        parts = urlsplit(url)
        sock = socket.create_connection((parts.hostname, parts.port), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(
            (
                f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(1)
            if not chunk:
                pytest.fail("Chromium closed the DevTools connection")
            head += chunk
        assert head.startswith(b"HTTP/1.1 101"), head
        return sock

    def _read(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("Chromium closed the DevTools connection")
            data += chunk
        return data

    def _frame(self) -> str:
        message = b""
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(length)
            if first & 0x0F == 0x8:
                raise ConnectionError("Chromium closed the DevTools connection")
            message += payload
            if first & 0x80:
                return message.decode()

    def _write(self, text: str) -> None:
        payload = text.encode()
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            head = struct.pack(">BB", 0x81, 0x80 | n)
        elif n < 1 << 16:
            head = struct.pack(">BBH", 0x81, 0x80 | 126, n)
        else:
            head = struct.pack(">BBQ", 0x81, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    # -- the protocol -----------------------------------------------------------------------

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command; return its result (events that arrive meanwhile are kept)."""
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self._write(json.dumps(message))
        while True:
            answer = json.loads(self._frame())
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            self.events.append(answer)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """A command to the page."""
        return self.call(method, self.session, **params)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression on the page (promises awaited)."""
        result = self.send(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 60) -> None:
        """Poll until ``expression`` is truthy."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(f"!!({expression})"):
                return
            time.sleep(0.2)
        raise AssertionError(
            f"still false after {timeout} s: {expression}; page errors: {self.errors()}"
        )

    def errors(self) -> list[str]:
        """The page's uncaught exceptions and console errors so far."""
        found = []
        for e in self.events:
            if e.get("method") == "Runtime.exceptionThrown":
                found.append(str(e["params"]["exceptionDetails"].get("exception", {})))
            elif e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] == "error":
                found.append(str([a.get("value") for a in e["params"]["args"]]))
        return found

    def open(self, url: str) -> None:
        """Load ``url`` and wait until it has loaded."""
        self.send("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete' && location.href !== 'about:blank'")

    def requests(self) -> list[str]:
        """Every URL the page has asked for."""
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def elsewhere(self) -> list[str]:
        """The requests to any host but the loopback one (data: and blob: URLs stay local)."""
        return [
            url
            for url in self.requests()
            if not url.startswith(("data:", "blob:", "about:"))
            and urlsplit(url).hostname != "127.0.0.1"
        ]

    def screenshot(self, name: str) -> None:
        """The whole page, as a PNG in tests/artifacts/."""
        height = self.evaluate("document.documentElement.scrollHeight")
        shot = self.send(
            "Page.captureScreenshot",
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": self.width, "height": min(height, 6000), "scale": 1},
        )
        png = base64.b64decode(shot["data"])
        assert len(png) > 10_000, f"the screenshot {name} looks empty"
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"{name}.png").write_bytes(png)

    def close(self) -> None:
        self.sock.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        # Chromium's helper processes may still write into the profile for a moment after the
        # browser process ended ("Directory not empty"): try again before giving up
        for _ in range(20):
            try:
                self.profile.cleanup()
                return
            except OSError:
                time.sleep(0.25)
        shutil.rmtree(self.profile.name, ignore_errors=True)


@pytest.fixture(scope="module")
def assets() -> Path:
    """The checkout's node_modules/, with the files the pages use."""
    folder = REPO / "node_modules"
    if asset_file(folder, YASGUI_JS) is None or asset_file(folder, AXE_JS) is None:
        pytest.fail(
            "the front-end files are not installed, so the query editor and the API docs "
            "cannot be checked: run `make install` (or `npm ci`) in the checkout"
        )
    return folder


@pytest.fixture(scope="module")
def browser(assets: Path) -> Iterator[DevTools]:
    tools = DevTools()
    yield tools
    tools.close()


@pytest.fixture(scope="module")
def phone(assets: Path) -> Iterator[DevTools]:
    tools = DevTools(375, 800)
    yield tools
    tools.close()


def table_text(browser: DevTools) -> str:
    return str(browser.evaluate("document.querySelector('.yasr').innerText"))


def test_the_editor_runs_a_named_query_offline(server: Server, browser: DevTools) -> None:
    browser.open(server.url + "/sparql")
    assert browser.evaluate("document.title").startswith("SPARQL query editor")
    browser.wait_for("window.jaifEditor && document.querySelector('.yasqe .CodeMirror')")
    names = browser.evaluate(
        "Array.from(document.querySelectorAll('#examples option')).map(o => o.textContent)"
    )
    index = next(i for i, name in enumerate(names) if name.startswith("member-states:"))
    browser.evaluate(
        f"(() => {{ const s = document.getElementById('examples'); s.value = '{index}';"
        " s.dispatchEvent(new Event('change')); document.getElementById('run-example').click();"
        " return true; })()"
    )
    browser.wait_for("document.querySelectorAll('.yasr table tbody tr').length >= 10")
    text = table_text(browser)
    assert "Cambodia" in text and "Viet Nam" in text
    assert "member-states" in browser.evaluate("jaifEditor.getTab().getQuery()") or "PREFIX" in (
        browser.evaluate("jaifEditor.getTab().getQuery()")
    )
    # the query went to this server's own endpoint
    assert browser.evaluate("jaifEditor.getTab().getEndpoint()") == server.url + "/sparql"
    assert any(url.endswith("/assets/" + YASGUI_JS) for url in browser.requests())
    browser.screenshot("editor-member-states")
    assert browser.elsewhere() == []


def test_a_bad_query_shows_the_endpoints_message(server: Server, browser: DevTools) -> None:
    bad = "SELECT ?x WHERE { ?x ?y }"
    expected = server.client.get("/sparql", params={"query": bad})
    assert expected.status_code == 400
    message = expected.text.strip().splitlines()[0]
    browser.open(server.url + "/sparql")
    browser.wait_for("window.jaifEditor && jaifEditor.getTab().getYasqe()")
    before = len(browser.events)
    # the page's own runner (what "Open and run" calls): false for a refused query
    assert browser.evaluate(f"jaifRun({json.dumps(bad)})") is False
    browser.wait_for(f"document.querySelector('.yasr').innerText.includes({json.dumps(message)})")
    browser.screenshot("editor-bad-query")
    assert browser.elsewhere() == []
    # the refusal is shown, not thrown: nothing reaches the console
    time.sleep(0.5)
    seen = browser.events[before:]
    thrown = [e for e in seen if e.get("method") == "Runtime.exceptionThrown"]
    assert thrown == [], thrown


def press(browser: DevTools, key: str, code: int, shift: bool = False) -> None:
    """One key pressed and released, as the keyboard sends it."""
    for kind in ("rawKeyDown", "keyUp"):
        browser.send(
            "Input.dispatchKeyEvent",
            type=kind,
            key=key,
            code=key,
            windowsVirtualKeyCode=code,
            nativeVirtualKeyCode=code,
            modifiers=8 if shift else 0,
        )


FOCUSED = (
    "(() => { const e = document.activeElement; return e ? e.tagName + '.' + e.className"
    " + (e.closest('.CodeMirror') ? ' in-editor' : '') : ''; })()"
)


def test_the_keyboard_is_never_trapped_in_the_editor(server: Server, browser: DevTools) -> None:
    """Nothing takes the focus on load, so the first Tab reaches the skip link; in the query
    box, Tab and Shift+Tab move the focus on instead of indenting (WCAG 2.1.2, no keyboard
    trap)."""
    browser.open(server.url + "/sparql")
    browser.wait_for("window.jaifEditor && document.querySelector('.yasqe .CodeMirror')")
    time.sleep(0.5)  # YASGUI draws its tab after load; it must not take the focus then either
    assert "in-editor" not in browser.evaluate(FOCUSED)
    press(browser, "Tab", 9)
    assert browser.evaluate("document.activeElement.className") == "skip"
    query = browser.evaluate("jaifEditor.getTab().getQuery()")
    for shift in (False, True):
        browser.evaluate("jaifEditor.getTab().getYasqe().focus()")
        assert "in-editor" in browser.evaluate(FOCUSED)
        press(browser, "Tab", 9, shift=shift)
        # out of the text, onto the next stop: the query's scroll area (focusable, so that
        # the keyboard can scroll it), its buttons, then the rest of the page
        assert not browser.evaluate(FOCUSED).startswith("TEXTAREA"), shift
        for _ in range(4):
            if "in-editor" not in browser.evaluate(FOCUSED):
                break
            press(browser, "Tab", 9, shift=shift)
        assert "in-editor" not in browser.evaluate(FOCUSED), shift
        assert browser.evaluate("jaifEditor.getTab().getQuery()") == query


def test_the_api_docs_render_offline(server: Server, browser: DevTools) -> None:
    browser.open(server.url + "/docs")
    browser.wait_for("document.querySelectorAll('.swagger-ui .opblock').length > 5")
    text = browser.evaluate("document.querySelector('.swagger-ui').innerText")
    assert "/sparql" in text and "/api/queries" in text
    browser.screenshot("docs")
    assert browser.elsewhere() == []


SERIOUS = ("serious", "critical")


#: Rules axe cannot pass on a page for a reason outside jaif-kg, by page.
EXCLUDED = {
    # Swagger UI's own markup puts the copy and expand buttons inside each operation's summary
    # button; only patching swagger-ui-bundle.js would change that.
    "/docs": ["nested-interactive"],
}


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/", "home"),
        ("/page/country/KHM", "page-country-KHM"),
        ("/sparql", "editor"),
        ("/docs", "docs"),
    ],
)
def test_no_serious_accessibility_violation(
    server: Server, browser: DevTools, path: str, name: str
) -> None:
    browser.open(server.url + path)
    if path == "/sparql":
        browser.wait_for("window.jaifEditor && document.querySelector('.yasqe .CodeMirror')")
    if path == "/docs":
        browser.wait_for("document.querySelectorAll('.swagger-ui .opblock').length > 5")
    browser.evaluate(
        "new Promise((ok, fail) => { const s = document.createElement('script');"
        f" s.src = '/assets/{AXE_JS}'; s.onload = () => ok(true); s.onerror = fail;"
        " document.head.appendChild(s); })"
    )
    violations = browser.evaluate(
        f"axe.run(document, {{rules: Object.fromEntries({json.dumps(EXCLUDED.get(path, []))}"
        ".map(id => [id, {enabled: false}]))}).then(r => r.violations.map(v => ({id: v.id,"
        " impact: v.impact,"
        " help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"
    )
    serious = [v for v in violations if v["impact"] in SERIOUS]
    assert serious == [], json.dumps(serious, indent=1)
    assert browser.elsewhere() == []


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/", "home"),
        ("/page/country/KHM", "page-country-KHM"),
        ("/page/project/irrigation-water-management-gravity-irrigation", "page-project"),
        ("/ontology", "ontology"),
        ("/shapes", "shapes"),
        ("/sparql", "editor"),
    ],
)
def test_pages_fit_a_phone(server: Server, phone: DevTools, path: str, name: str) -> None:
    phone.open(server.url + path)
    if path == "/sparql":
        phone.wait_for("window.jaifEditor && document.querySelector('.yasqe .CodeMirror')")
    overflow = phone.evaluate(
        "Array.from(document.querySelectorAll('body *')).filter(e => "
        "e.getBoundingClientRect().right > 376 && e.closest('.skip') === null)"
        ".slice(-5).map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40))"
    )
    # wider content would widen the layout viewport past the screen (the page zooms out)
    width = phone.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
    assert width == [375, 375], (width, overflow)
    # one layout: the same navigation on every page
    nav = phone.evaluate(
        "Array.from(document.querySelectorAll('header.site nav a')).map(a => a.textContent)"
    )
    assert {"Things", "Timeline", "Network", "SPARQL", "API"} <= set(nav)
    phone.screenshot(f"phone-{name}")


# -- browsers and programs at /sparql, with and without the files ------------------------------


def test_browsers_get_the_editor_and_programs_the_service_description(server: Server) -> None:
    page = server.client.get("/sparql", headers={"accept": BROWSER_ACCEPT})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "/assets/" + YASGUI_JS in page.text and "Accept" in page.headers["vary"]
    for accept in (None, "*/*", "text/turtle", "application/ld+json, text/html;q=0.5"):
        headers = {"accept": accept} if accept else {}
        answer = server.client.get("/sparql", headers=headers)
        assert answer.status_code == 200
        assert not answer.headers["content-type"].startswith("text/html"), accept
        assert "sd:" in answer.text or "service-description" in answer.text, accept
    # a browser asking for a format, or sending a query, gets the protocol's answer
    asked = server.client.get(
        "/sparql", params={"format": "turtle"}, headers={"accept": "text/html"}
    )
    assert asked.headers["content-type"].startswith("text/turtle")
    query = server.client.get(
        "/sparql", params={"query": "ASK {}", "format": "json"}, headers={"accept": BROWSER_ACCEPT}
    )
    assert query.json() == {"head": {}, "boolean": True}


@pytest.mark.parametrize("path", ["/redoc", "/foo", "/api/nothing/here"])
def test_an_unknown_path_is_a_page_for_browsers_and_json_for_programs(
    server: Server, path: str
) -> None:
    page = server.client.get(path, headers={"accept": BROWSER_ACCEPT})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>No page here</h1>" in page.text and path in page.text
    assert 'href="/sparql"' in page.text and page.headers["cache-control"] == "no-store"
    for accept in (None, "*/*", "application/json"):
        headers = {"accept": accept} if accept else {}
        answer = server.client.get(path, headers=headers)
        assert answer.status_code == 404
        assert answer.json() == {"detail": "Not Found"}, accept


def test_without_the_files_the_pages_fall_back_to_plain_html(
    tmp_path: Path, settings: Settings, shipped_store: Store
) -> None:
    live = start_live(
        create_app(settings.model_copy(update={"assets_dir": tmp_path}), shipped_store)
    )
    try:
        page = httpx.get(live.url + "/sparql", headers={"accept": BROWSER_ACCEPT})
        assert page.status_code == 200
        assert "<script" not in page.text and "/assets/" not in page.text
        assert '<textarea id="query" name="query"' in page.text
        assert "make install" in page.text and "npm ci" in page.text
        docs = httpx.get(live.url + "/docs")
        assert docs.status_code == 200 and "<script" not in docs.text
        assert "make install" in docs.text and "/openapi.json" in docs.text
    finally:
        live.stop()
