"""The lookup parser (:mod:`jaif_kg.sparql.lookup`): what it accepts, what it declines.

``tests/fixtures/lookups/accepted/*.rq`` and ``declined/*.rq``: add a file, get a test. Every
hostile query of ``tests/fixtures/hostile`` and every named query is declined too (the named
queries are no single pattern). What an accepted lookup answers is compared with a worker's
answer in ``tests/workers/test_inline.py``.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from jaif_kg.sparql.lookup import MAX_LOOKUP_CHARS, parse_lookup

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ACCEPTED = sorted((FIXTURES / "lookups" / "accepted").glob("*.rq"))
DECLINED = sorted((FIXTURES / "lookups" / "declined").glob("*.rq"))
HOSTILE = sorted((FIXTURES / "hostile").glob("*.rq"))
NAMED = sorted((Path(__file__).resolve().parents[2] / "queries").glob("*.rq"))


def test_the_corpora_are_there() -> None:
    assert len(ACCEPTED) >= 10 and len(DECLINED) >= 40 and HOSTILE and NAMED


@pytest.mark.parametrize("case", ACCEPTED, ids=[p.stem for p in ACCEPTED])
def test_a_lookup_is_accepted_and_written_for_the_engine(case: Path) -> None:
    lookup = parse_lookup(case.read_text(encoding="utf-8"))
    assert lookup is not None
    # what the engine is given parses, and again to the same text (a fixed point)
    ox.Store().query(lookup.text)
    again = parse_lookup(lookup.text)
    assert again is not None and again.text == lookup.text


@pytest.mark.parametrize(
    "case",
    DECLINED + HOSTILE + NAMED,
    ids=[f"{p.parent.name}-{p.stem}" for p in DECLINED + HOSTILE + NAMED],
)
def test_any_other_query_is_declined(case: Path) -> None:
    assert parse_lookup(case.read_text(encoding="utf-8")) is None


def test_a_long_text_is_not_read() -> None:
    prefixes = "".join(f"PREFIX p{i}: <http://e.org/{i}/>\n" for i in range(100))
    text = prefixes + "SELECT * WHERE { ?s ?p ?o }"
    assert len(text) > MAX_LOOKUP_CHARS
    assert parse_lookup(text) is None
    assert parse_lookup(text[-MAX_LOOKUP_CHARS:].split("\n", 1)[1]) is not None


def test_the_parts_are_read() -> None:
    lookup = parse_lookup("PREFIX : <http://e.org/>\nSELECT ?o $p { :s ?p ?o } LIMIT 7")
    assert lookup is not None
    assert lookup.pattern == ("<http://e.org/s>", "?p", "?o")
    assert lookup.variables == ("?o", "$p")
    assert lookup.limit == 7
