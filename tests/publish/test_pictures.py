"""``/timeline`` and ``/network`` in a real headless Chromium cut off from the network.

The browser is the DevTools-protocol client of :mod:`tests.publish.test_editor` (every host but
127.0.0.1 resolves to nothing, the rest goes to a closed proxy, every request is recorded); the
pictures' files are the npm packages in node_modules/ (``make install``). Screenshots go to
tests/artifacts/. Without Chromium or the files these tests fail, saying how to install them.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from jaif_kg.api.app import create_app
from jaif_kg.api.routes.assets import AXE_JS, CYTOSCAPE_JS, TIMELINE_CSS, TIMELINE_JS, asset_file
from jaif_kg.settings import Settings
from jaif_kg.store import Store, open_store
from tests.api.conftest import start_live
from tests.publish.conftest import Server
from tests.publish.test_editor import DevTools

REPO = Path(__file__).resolve().parents[2]
SERIOUS = ("serious", "critical")
WORK_PLANS = ["IAI Work Plan I", "IAI Work Plan II", "IAI Work Plan III", "IAI Work Plan IV"]
#: The timeline is drawn: the four work plans are laid out (vis-timeline lays out asynchronously).
TIMELINE_READY = (
    "window.jaifTimeline && (() => { const l = Array.from(document.querySelectorAll("
    "'#timeline .vis-item.kind-work-plan')).map(e => Math.round(e.getBoundingClientRect().left));"
    " return l.length === 4 && new Set(l).size === 4; })()"
)
NETWORK_READY = "window.jaifNetwork && window.jaifNetwork.nodes().length > 0"
KHM_PROJECTS = {
    "/page/project/attachment-programme-2022-2023",
    "/page/project/industrial-electronics-curriculum-clmv",
    "/page/project/on-farm-irrigation-water-user-groups-clmv",
    "/page/project/training-business-plan-smes-clv",
}


@pytest.fixture(scope="module")
def browser() -> Iterator[DevTools]:
    folder = REPO / "node_modules"
    for name in (TIMELINE_JS, TIMELINE_CSS, CYTOSCAPE_JS, AXE_JS):
        if asset_file(folder, name) is None:
            pytest.fail(
                f"node_modules/{name} is not installed, so the pictures cannot be checked: run "
                "`make install` (or `npm ci`) in the checkout"
            )
    tools = DevTools()
    yield tools
    tools.close()


def click(browser: DevTools, x: float, y: float) -> None:
    """A real mouse click (press and release) at a point of the viewport."""
    for kind in ("mousePressed", "mouseReleased"):
        browser.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)


def wait_for_page(browser: DevTools, path: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if browser.evaluate("location.pathname") == path and browser.evaluate(
            "document.readyState === 'complete'"
        ):
            return
        time.sleep(0.2)
    raise AssertionError(f"did not reach {path}: at {browser.evaluate('location.href')}")


def test_the_timeline_shows_the_work_plans_in_order_and_opens_their_pages(
    server: Server, browser: DevTools
) -> None:
    browser.open(server.url + "/timeline")
    browser.wait_for(TIMELINE_READY)
    browser.screenshot("timeline")
    plans = browser.evaluate(
        "Array.from(document.querySelectorAll('#timeline .vis-item.kind-work-plan'))"
        ".map(e => ({text: e.textContent.trim(), left: e.getBoundingClientRect().left,"
        " right: e.getBoundingClientRect().right}))"
    )
    ordered = sorted(plans, key=lambda p: p["left"])
    assert [p["text"] for p in ordered] == WORK_PLANS
    # periods, not points, one after the other
    assert all(p["right"] - p["left"] > 20 for p in ordered)
    assert all(a["right"] <= b["left"] + 1 for a, b in itertools.pairwise(ordered))
    shown = browser.evaluate(
        "Array.from(document.querySelectorAll('#timeline .vis-item')).map(e => e.className)"
    )
    for kind in ("adoption", "fund", "project", "batch"):
        assert any(f"kind-{kind}" in c for c in shown), kind
    assert browser.elsewhere() == []
    # click the first work plan's box (not its link: the picture's own click handler)
    box = browser.evaluate(
        "(() => { const r = Array.from(document.querySelectorAll("
        "'#timeline .vis-item.kind-work-plan')).sort((a, b) => a.getBoundingClientRect().left"
        " - b.getBoundingClientRect().left)[0].getBoundingClientRect();"
        " return {x: r.left + 4, y: r.top + r.height / 2}; })()"
    )
    click(browser, box["x"], box["y"])
    wait_for_page(browser, "/page/work-plan/iai-work-plan-1")
    assert "IAI Work Plan I" in browser.evaluate("document.querySelector('h1').textContent")


OPEN_BATCH = "12th batch, junior-diplomat stream"


def test_an_open_ended_period_says_from_and_runs_to_the_end(
    server: Server, browser: DevTools
) -> None:
    """The 12th batch's source gives a start (July 2012) and no end: listed "from July 2012",
    drawn as a range to the timeline's end with an open right edge, not as a point."""
    browser.open(server.url + "/timeline")
    browser.wait_for(TIMELINE_READY)
    when = browser.evaluate(
        "Array.from(document.querySelectorAll('table.items tbody tr'))"
        f".filter(r => r.cells[2].textContent.trim() === {json.dumps(OPEN_BATCH)})"
        ".map(r => r.cells[0].textContent.trim())"
    )
    assert when == ["from July 2012"]
    drawn = browser.evaluate(
        "Array.from(document.querySelectorAll('#timeline .vis-item.kind-batch'))"
        f".filter(e => e.textContent.trim() === {json.dumps(OPEN_BATCH)})"
        ".map(e => ({cls: e.className, width: e.getBoundingClientRect().width}))"
    )
    assert len(drawn) == 1, drawn
    assert "vis-range" in drawn[0]["cls"] and "open-ended" in drawn[0]["cls"], drawn
    assert drawn[0]["width"] > 20, drawn


#: Words of the cells (split at spaces and after hyphens) that the layout broke across lines.
BROKEN_WORDS = """(() => { const bad = [];
  document.querySelectorAll('table.items th, table.items td').forEach(cell => {
    const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT); let node;
    while ((node = walk.nextNode())) { const re = /[^\\s-]+-?/g; let m;
      while ((m = re.exec(node.data))) { const r = document.createRange();
        r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
        const tops = new Set(Array.from(r.getClientRects()).filter(x => x.width > 0)
          .map(x => Math.round(x.top)));
        if (tops.size > 1) { bad.push(m[0]); } } } });
  return bad; })()"""


def test_the_timeline_list_reads_on_a_phone(server: Server) -> None:
    """At 375 px no cell breaks a word ("Whe/n", "Dece/mber"), and the page does not scroll
    sideways."""
    phone = DevTools(375, 800)
    try:
        phone.open(server.url + "/timeline")
        phone.wait_for("document.querySelectorAll('table.items tbody tr').length > 5")
        assert phone.evaluate(BROKEN_WORDS) == []
        heights = phone.evaluate(
            "Array.from(document.querySelectorAll('table.items thead th'))"
            ".map(th => th.getBoundingClientRect().height)"
        )
        line = phone.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('table.items th')).lineHeight)"
        )
        assert all(h < 2 * line for h in heights), (heights, line)
        width = phone.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
        assert width == [375, 375]
        phone.screenshot("phone-timeline")
    finally:
        phone.close()


def test_the_network_shows_cambodia_with_its_projects(server: Server, browser: DevTools) -> None:
    browser.open(server.url + "/network")
    browser.wait_for(NETWORK_READY)
    browser.screenshot("network")
    khm = "https://w3id.org/jaif-kg/id/country/KHM"
    linked = browser.evaluate(
        f"window.jaifNetwork.getElementById({json.dumps(khm)}).neighborhood('node')"
        ".map(n => n.data('href'))"
    )
    assert set(linked) == KHM_PROJECTS
    assert (
        browser.evaluate(f"window.jaifNetwork.getElementById({json.dumps(khm)}).data('label')")
        == "Cambodia"
    )
    assert browser.elsewhere() == []
    # a click on Cambodia's circle opens its page
    at = browser.evaluate(
        f"(() => {{ const p = window.jaifNetwork.getElementById({json.dumps(khm)})"
        ".renderedPosition(); const r = document.getElementById('network')"
        ".getBoundingClientRect(); window.scrollTo(0, 0);"
        " return {x: r.left + p.x, y: r.top + p.y, h: window.innerHeight}; })()"
    )
    assert 0 < at["y"] < at["h"], at
    click(browser, at["x"], at["y"])
    wait_for_page(browser, "/page/country/KHM")


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/timeline", TIMELINE_READY),
        ("/network", NETWORK_READY),
    ],
)
def test_no_serious_accessibility_violation_and_nothing_from_elsewhere(
    server: Server, browser: DevTools, path: str, ready: str
) -> None:
    before = len(browser.requests())
    browser.open(server.url + path)
    browser.wait_for(ready)
    browser.evaluate(
        "new Promise((ok, fail) => { const s = document.createElement('script');"
        f" s.src = '/assets/{AXE_JS}'; s.onload = () => ok(true); s.onerror = fail;"
        " document.head.appendChild(s); })"
    )
    violations = browser.evaluate(
        "axe.run(document).then(r => r.violations.map(v => ({id: v.id, impact: v.impact,"
        " help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"
    )
    serious = [v for v in violations if v["impact"] in SERIOUS]
    assert serious == [], json.dumps(serious, indent=1)
    asked = browser.requests()[before:]
    assert any(path in url for url in asked)
    assert browser.elsewhere() == []
    assert browser.errors() == []


@pytest.mark.parametrize("path", ["/timeline", "/network"])
def test_over_an_empty_store_there_is_nothing_to_show(
    settings: Settings, browser: DevTools, path: str
) -> None:
    empty = open_store(settings.model_copy(update={"store": "oxigraph", "store_path": None}))
    live = start_live(create_app(settings, empty))
    try:
        answer = httpx.get(live.url + path)
        assert answer.status_code == 200
        assert "Nothing to show" in answer.text
        browser.open(live.url + path)
        assert "Nothing to show" in browser.evaluate("document.body.innerText")
        browser.screenshot(f"{path[1:]}-empty")
    finally:
        live.stop()


@pytest.mark.parametrize("path", ["/timeline", "/network"])
def test_without_the_files_the_pictures_fall_back_to_lists(
    tmp_path: Path, settings: Settings, shipped_store: Store, path: str
) -> None:
    live = start_live(
        create_app(settings.model_copy(update={"assets_dir": tmp_path}), shipped_store)
    )
    try:
        page = httpx.get(live.url + path)
        assert page.status_code == 200
        assert "<script" not in page.text and "/assets/" not in page.text
        assert "make install" in page.text and "npm ci" in page.text
        if path == "/timeline":
            for plan in WORK_PLANS:
                assert f">{plan}</a>" in page.text
            assert "July 2002 to June 2008" in page.text  # as precise as the source
            assert "1 January 2021 to 2025" in page.text
            assert "supported as of 30 June 2022" in page.text
            # a project with a planned period: the period, then its status
            assert "2022 to 2023; supported as of 30 June 2022" in page.text
            assert "Not dated by their sources" in page.text
        else:
            assert '<a href="/page/country/KHM">Cambodia</a>' in page.text
            for project in KHM_PROJECTS:
                assert f'href="{project}"' in page.text
    finally:
        live.stop()
