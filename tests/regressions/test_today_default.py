"""``default: today`` in a named query's header is the current date, on the CLI and the API.

Guards: ``member-states`` (``queries/member-states.rq``) with its ``as_of`` default changed from
``today`` to a fixed date passed every test, and so did a ``today`` resolved to a fixed date in
``jaif_kg/catalog/__init__.py``. Timor-Leste joined ASEAN on 2025-10-26 as its eleventh member
(``graph_data/memberships.ttl``): run without ``as_of``, the query must list it. A query that only
echoes its ``today`` parameter pins the exact date on both doors.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Literal

from jaif_kg.api.app import create_app
from jaif_kg.catalog import Catalog, Parameter
from tests.api.conftest import REPO, Live, api_settings, shipped, start_live

TLS = "https://w3id.org/jaif-kg/id/country/TLS"
TLS_JOINED = "2025-10-26"

ECHO = """\
#+ summary: Today's date, as the catalog resolves a date parameter's default
#+ parameters:
#+   day: {type: date, default: today, description: "The date to echo"}
SELECT ?day
WHERE { }
"""


@pytest.fixture(scope="module")
def queries_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped queries plus ``echo-today``."""
    folder = tmp_path_factory.mktemp("queries")
    for path in (REPO / "queries").glob("*.rq"):
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "echo-today.rq").write_text(ECHO, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def server(queries_dir: Path) -> Iterator[Live]:
    settings = api_settings(queries_dir=queries_dir)
    live = start_live(create_app(settings, shipped(settings)))
    yield live
    live.stop()


def cli(queries_dir: Path, *args: str) -> Any:
    """``jaif-kg query ARGS --format json`` on the shipped graph; the parsed output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAIF_")}
    env["JAIF_QUERIES_DIR"] = str(queries_dir)
    script = Path(sys.executable).with_name("jaif-kg")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "jaif_kg.cli"]
    run = subprocess.run(
        [*command, "query", *args, "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def api(live: Live, path: str) -> Any:
    with urllib.request.urlopen(live.url + path, timeout=30) as response:
        assert response.status == 200
        assert response.headers["content-type"].startswith("application/json")
        return json.loads(response.read())


def today_around(run: Any) -> tuple[set[str], Any]:
    """Run ``run()``; the dates that count as today while it ran (two around midnight)."""
    before = dt.date.today()
    result = run()
    return {before.isoformat(), dt.date.today().isoformat()}, result


# -- the date itself --------------------------------------------------------------------------


def test_the_catalog_resolves_today_to_the_current_date() -> None:
    p = Parameter("day", "date", "The date", False, "today", None)
    days, term = today_around(lambda: p.convert("today"))
    assert isinstance(term, Literal)
    assert str(term.datatype) == "http://www.w3.org/2001/XMLSchema#date"
    assert str(term) in days


def test_member_states_declares_today_as_the_default_of_as_of(catalog: Catalog) -> None:
    (as_of,) = catalog["member-states"].parameters
    assert (as_of.name, as_of.type, as_of.default) == ("as_of", "date", "today")
    days, terms = today_around(lambda: catalog["member-states"].terms({}))
    assert str(terms["as_of"]) in days


def test_the_cli_echoes_today(queries_dir: Path) -> None:
    days, rows = today_around(lambda: cli(queries_dir, "echo-today"))
    assert len(rows) == 1 and rows[0]["day"] in days


def test_the_api_echoes_today(server: Live) -> None:
    days, rows = today_around(lambda: api(server, "/api/queries/echo-today"))
    assert len(rows) == 1 and rows[0]["day"] in days


# -- member-states without as_of: Timor-Leste is a member now ---------------------------------


def _check_members_today(rows: list[dict[str, Any]]) -> None:
    by_country = {row["country"]: row for row in rows}
    assert TLS in by_country, "Timor-Leste (member since 2025-10-26) is missing: as_of is not today"
    assert by_country[TLS]["joined"] == TLS_JOINED
    assert by_country[TLS]["name"] == "Timor-Leste"
    assert len(rows) == 11


def test_the_cli_lists_timor_leste_without_as_of(queries_dir: Path) -> None:
    rows = cli(queries_dir, "member-states")
    _check_members_today(rows)
    assert rows == cli(queries_dir, "member-states", "-p", f"as_of={dt.date.today()}")
    # the day before it joined: ten members (the date decides, not the data)
    before = cli(queries_dir, "member-states", "-p", "as_of=2025-10-25")
    assert TLS not in {row["country"] for row in before} and len(before) == 10


def test_the_api_lists_timor_leste_without_as_of(server: Live) -> None:
    rows = api(server, "/api/queries/member-states")
    _check_members_today(rows)
    assert rows == api(server, f"/api/queries/member-states?as_of={dt.date.today()}")
    before = api(server, "/api/queries/member-states?as_of=2025-10-25")
    assert TLS not in {row["country"] for row in before} and len(before) == 10
