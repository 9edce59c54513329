"""rdflib's parse of a named query is asked for only where the rdflib backend will run it."""

from __future__ import annotations

from pathlib import Path

import pytest

from jaif_kg.catalog import Catalog, load_query
from jaif_kg.errors import InputError

#: RDF-star: pyoxigraph reads it, rdflib's parser does not.
STAR = """#+ summary: Statements about statements
#+ example: {}
SELECT ?s ?q ?r WHERE { <<?s ?p ?o>> ?q ?r }
"""


def test_a_query_rdflib_cannot_read_is_refused_for_the_rdflib_backend(tmp_path: Path) -> None:
    path = tmp_path / "star.rq"
    path.write_text(STAR, encoding="utf-8")
    assert load_query(path).kind == "select"  # Oxigraph runs it
    with pytest.raises(InputError, match=r"does not parse \(rdflib\)"):
        load_query(path, rdflib=True)
    with pytest.raises(InputError, match=r"star\.rq"):
        Catalog.from_dir(tmp_path, rdflib=True)


@pytest.mark.parametrize("form", ["select", "ask", "construct", "describe"])
def test_both_ways_read_the_same_form(tmp_path: Path, form: str) -> None:
    body = {
        "select": "SELECT ?s WHERE { ?s ?p ?o }",
        "ask": "ASK WHERE { ?s ?p ?o }",
        "construct": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "describe": "DESCRIBE ?s WHERE { ?s ?p ?o }",
    }[form]
    path = tmp_path / f"{form}.rq"
    path.write_text(f"#+ summary: a {form}\n#+ example: {{}}\nPREFIX ex: <http://e/>\n{body}\n")
    assert load_query(path).kind == load_query(path, rdflib=True).kind == form


def test_the_shipped_queries_all_parse_in_rdflib(settings_queries: Path) -> None:
    """What the rdflib backend runs: every shipped query, read by rdflib too."""
    catalog = Catalog.from_dir(settings_queries, rdflib=True)
    assert len(catalog) == len(list(settings_queries.glob("*.rq")))


@pytest.fixture
def settings_queries() -> Path:
    return Path(__file__).resolve().parents[2] / "queries"
