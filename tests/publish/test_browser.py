"""The pages in a real headless Chromium: what a person sees, with screenshots in tests/artifacts/.

Chromium is Debian's ``chromium`` (``make test`` installs it when missing and run as root). These
tests fail, never skip, when it is missing: the pages must be checked in a browser.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.publish.conftest import Server

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail(
            "Chromium is not installed, so the pages cannot be checked in a browser: install the "
            "Debian package (apt-get install -y chromium), or run `make test` as root, which does."
        )
    return path


def run_chromium(*args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )


class Page(HTMLParser):
    """The rendered DOM as text, with its links."""

    def __init__(self, dom: str) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._anchor: list[str] = []
        self._skip = 0
        self.feed(dom)
        self.text = re.sub(r"\s+", " ", " ".join(self.parts))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "head"):
            self._skip += 1
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._anchor = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head"):
            self._skip -= 1
        if tag == "a" and self._href is not None:
            self.links.append((self._href, re.sub(r"\s+", " ", "".join(self._anchor)).strip()))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.parts.append(data)
        if self._href is not None:
            self._anchor.append(data)


def screenshot(url: str, height: int) -> bytes:
    """A PNG of ``url`` as Chromium renders it (written in a private folder first, so that two
    runs of the suite in one checkout cannot trip over each other's files)."""
    errors = []
    for _ in range(2):  # one more try: a loaded machine can make headless Chromium give up
        with tempfile.TemporaryDirectory() as folder:
            shot = Path(folder) / "page.png"
            done = run_chromium(f"--screenshot={shot}", f"--window-size=1280,{height}", url)
            if shot.is_file():
                return shot.read_bytes()
            errors.append(done.stderr[-1500:])
    pytest.fail(f"Chromium wrote no screenshot of {url}: {errors}")


def render(server: Server, path: str, name: str, height: int = 1600) -> Page:
    """Load ``path`` in Chromium: save a screenshot in tests/artifacts/, return the rendered DOM."""
    url = server.url + path
    png = screenshot(url, height)
    assert len(png) > 20_000, f"the screenshot of {url} looks empty"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{name}.png").write_bytes(png)
    dom = run_chromium("--dump-dom", url).stdout
    return Page(dom)


def reads_well(page: Page) -> None:
    """No RDF jargon where a person reads: links to things are named, not IRIs or CURIEs."""
    for href, text in page.links:
        if href.startswith(("/page/", "/ontology#")):
            assert text and not text.startswith(("http", "_:")), (href, text)
            assert not re.fullmatch(r"[a-z]+:[A-Za-z]+", text), (href, text)
    for jargon in ("rdf:type", "rdfs:label", "prov:wasDerivedFrom", "xsd:date", "^^"):
        assert jargon not in page.text, jargon


def test_a_member_states_page(server: Server) -> None:
    page = render(server, "/id/country/KHM", "page-country-KHM", 1800)  # follows the 303
    text = page.text
    assert "Cambodia" in text and "Country" in text
    assert "Memberships of Cambodia" in text and "from 30 April 1999" in text
    assert "Things that benefit Cambodia" in text
    assert (
        "/page/project/training-business-plan-smes-clv",
        "Training on Writing Business Plan for Entrepreneurs, and Small and Medium "
        "Enterprises (SMEs) in Cambodia, Lao PDR, and Viet Nam (CLV)",
    ) in page.links
    assert "KHM (ISO 3166-1 alpha-3 code)" in text
    assert ("http://www.wikidata.org/entity/Q424", "Wikidata Q424") in page.links
    assert "source: GeoNames country information" in text  # a fact with its own source
    assert "As of 30 June 2022" in text and "primary source" in text
    assert ("/data/country/KHM.ttl", "Turtle") in page.links
    reads_well(page)


def test_a_projects_page(server: Server) -> None:
    page = render(
        server,
        "/id/project/irrigation-water-management-gravity-irrigation",
        "page-project-gravity-irrigation",
        1800,
    )
    text = page.text
    assert "Efficiency Enhancement of Regional Irrigation Water Management in Gravity" in text
    assert "JAIF project" in text
    assert (
        "Also known as: Efficiency Enhancement of Regional Irrigation Water Management "
        "through Gravity Irrigation System" in text
    )
    assert ("/page/work-plan/iai-work-plan-3", "IAI Work Plan III") in page.links
    assert ("/page/strategic-area/food-and-agriculture", "Food and Agriculture") in page.links
    # the role and the organisation are two links now: the DOM text puts a space between parts
    assert "Proponent : Ministry of Agriculture and Rural Development, Viet Nam" in text
    assert "ongoing as of 30 June 2022" in text
    assert "Conflicting sources about this JAIF project" in text
    reads_well(page)


def test_a_batchs_page(server: Server) -> None:
    page = render(
        server, "/id/attachment-stream/junior-diplomats/batch/17", "page-batch-junior-17", 1400
    )
    text = page.text
    assert "17th batch, junior-diplomat stream" in text
    assert "Batch number 17" in text
    assert "Period 1 February 2023 \u2013 31 January 2024" in text
    assert (
        "/page/attachment-stream/junior-diplomats",
        "IAI Attachment Programme at the ASEAN Secretariat for Junior Diplomats of CLMV",
    ) in page.links
    assert "JAIF projects that include 17th batch, junior-diplomat stream" in text
    reads_well(page)


def test_the_ontology_and_shapes_pages(server: Server) -> None:
    ontology = render(server, "/ontology", "page-ontology", 2400)
    assert "JAIF-IAI ontology" in ontology.text and "Attachment batch" in ontology.text
    assert ("/shapes#AttachmentBatchShape", "Attachment batch") in ontology.links or any(
        href == "/shapes#AttachmentBatchShape" for href, _ in ontology.links
    )
    shapes = render(server, "/shapes", "page-shapes", 2400)
    assert "Violation" in shapes.text and "Warning" in shapes.text
    assert "A batch belongs to exactly one attachment stream" in shapes.text


def test_an_unknown_iri(server: Server) -> None:
    page = render(server, "/id/country/khm", "page-not-found", 900)
    assert "Nothing is known about this" in page.text
    assert ("/page/country/KHM", "Cambodia") in page.links  # did you mean
    assert any(href == "/page/" for href, _ in page.links)
