"""jaif_kg.catalog: loading named queries, typed parameters, and binding that cannot be subverted.

Fixtures: ``tests/fixtures/catalog/good/*.rq`` (a valid catalog over ``data.ttl``) and
``tests/fixtures/catalog/bad/*.rq`` (each states the error it must raise in an
``# expect-error:`` comment).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from rdflib import Literal, Namespace, URIRef
from rdflib.plugins.sparql import prepareQuery

from jaif_kg.catalog import Catalog, NamedQuery, Parameter, binding, load_query, run_named
from jaif_kg.errors import InputError, ParameterError, UnknownQuery
from jaif_kg.rdf.namespaces import PREFIXES
from jaif_kg.settings import Settings
from jaif_kg.store import Store, open_store
from jaif_kg.store.loading import load_files as load_store

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "catalog"
BAD = sorted((HERE / "bad").glob("*.rq"))
EX = "http://example.org/"
XSD = Namespace(PREFIXES["xsd"])

# Values that would break out of a naively built query.
HOSTILE = [
    'x" } ; DROP ALL ; #',
    "x' } UNION { ?s ?p ?o } #",
    "a > b",
    "} } }",
    "line\nbreak",
    "x\r\n} # hidden",
    'ends with backslash-quote \\"',
    'multi\nline ending \\"',
    '"""',
    "\\",
    "<http://example.org/a>",
    "?text",
    "\u0000nul",
    "naïve ✓ 日本",
]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.from_dir(HERE / "good")


@pytest.fixture(scope="module")
def store() -> Store:
    s = open_store(Settings(store="oxigraph", store_path=None))
    load_store(s, [HERE / "data.ttl"])
    return s


def expected_error(path: Path) -> str:
    match = re.search(r"^# expect-error: (.+)$", path.read_text(encoding="utf-8"), re.M)
    assert match, f"{path} has no '# expect-error:' line"
    return match.group(1)


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_query_files_are_refused_with_a_precise_error(path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_query(path)
    assert info.value.path == str(path)
    assert expected_error(path) in str(info.value)


def test_a_folder_with_a_bad_query_does_not_load(tmp_path: Path) -> None:
    (tmp_path / "fine.rq").write_text((HERE / "good" / "echo.rq").read_text())
    (tmp_path / "broken.rq").write_text((HERE / "bad" / "bad-sparql.rq").read_text())
    with pytest.raises(InputError) as info:
        Catalog.from_dir(tmp_path)
    assert info.value.path == str(tmp_path / "broken.rq")
    with pytest.raises(InputError, match="no such folder"):
        Catalog.from_dir(tmp_path / "absent")


def test_syntax_error_line_is_the_file_line(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("#+ summary: ok\n\nSELECT * WHERE {\n  ?s ?p ?o .\n  BIND(1 AS)\n}\n")
    with pytest.raises(InputError) as info:
        load_query(path)
    assert info.value.line == 5


def test_header_is_read(catalog: Catalog) -> None:
    q = catalog["things"]
    assert q.summary.startswith("Things, filterable")
    assert q.description == (
        "A query over the catalog's test data (data.ttl) with one parameter of every type."
    )
    assert q.tags == ("test", "things")
    assert q.kind == "select"
    assert [(p.name, p.type, p.required, p.default) for p in q.parameters] == [
        ("kind", "iri", False, None),
        ("name", "string", False, None),
        ("min_size", "integer", False, None),
        ("max_weight", "decimal", False, None),
        ("made_before", "date", False, "today"),
        ("flag", "boolean", False, None),
    ]
    assert q.parameter("name").enum == ("Alpha", "Beta", "Gamma")
    assert q.example == {"kind": f"{EX}Gadget"}
    assert not q.text.startswith(("#+", "\n"))
    assert [x.kind for x in catalog] == ["select", "ask", "construct", "select"]
    assert catalog.names() == ["echo", "has-thing", "thing-graph", "things"]


def test_unknown_query_lists_the_known_ones(catalog: Catalog) -> None:
    with pytest.raises(UnknownQuery, match="no named query 'nope'; known: echo, has-thing"):
        catalog["nope"]


def names(store: Store, query: NamedQuery, **values: str) -> list[str]:
    return [str(row["name"]) for row in run_named(store, query, values)]


def test_parameters_filter(catalog: Catalog, store: Store) -> None:
    q = catalog["things"]
    assert names(store, q) == ["Alpha", "Beta"]  # made_before defaults to today
    assert names(store, q, made_before="2999-12-31") == ["Alpha", "Beta", "Gamma"]
    assert names(store, q, kind=f"{EX}Gadget") == ["Alpha"]
    assert names(store, q, name="Beta") == ["Beta"]
    assert names(store, q, min_size="5", made_before="3000-01-01") == ["Beta", "Gamma"]
    assert names(store, q, max_weight="2.0", made_before="3000-01-01") == ["Alpha", "Gamma"]
    assert names(store, q, flag="false") == ["Beta"]
    assert names(store, q, flag="1") == ["Alpha"]
    assert names(store, q, made_before="2021-01-01") == ["Alpha"]
    assert names(store, q, name="") == ["Alpha", "Beta"]  # empty counts as not given
    parts = {str(r["name"]): int(r["parts"]) for r in run_named(store, q, {})}
    assert parts == {"Alpha": 2, "Beta": 0}  # parameters reach the group under GROUP BY


def test_ask_and_construct(catalog: Catalog, store: Store) -> None:
    assert run_named(store, catalog["has-thing"], {"name": "Alpha"}).boolean is True
    assert run_named(store, catalog["has-thing"], {"name": "Zeta"}).boolean is False
    triples = run_named(store, catalog["thing-graph"], {"thing": "<http://example.org/b>"})
    assert len(triples.triples) == 6


def test_values_block_is_the_first_element_of_the_top_level_group(catalog: Catalog) -> None:
    text = catalog["things"].bind({"name": "Beta", "min_size": "2"})
    assert "# The VALUES block goes after the WHERE below, not into this comment: WHERE {\n" in text
    assert re.search(
        r"\nWHERE \{ VALUES \(\?name \?min_size \?made_before\) "
        r'\{ \("Beta" "2"\^\^<[^>]+#integer> "\d{4}-\d\d-\d\d"\^\^<[^>]+#date>\) \}\n',
        text,
    ), text
    echo = catalog["echo"].bind({"text": "t"})
    assert '("WHERE { not here" AS ?decoy)\nWHERE { VALUES (?text) { ("t") }\n}' in echo
    assert catalog["echo"].text.count("\n") == echo.count("\n")  # line numbers kept


@pytest.mark.parametrize("value", HOSTILE)
def test_a_string_value_stays_one_literal(catalog: Catalog, store: Store, value: str) -> None:
    query = catalog["echo"]
    bound = query.bind({"text": value})
    # the engine sees exactly one solution whose ?text is the value, unchanged
    result = run_named(store, query, {"text": value})
    assert result.variables == ["text", "iri", "decoy"]
    assert [str(row["text"]) for row in result.rows] == [value]
    assert isinstance(result.rows[0]["text"], Literal) and result.rows[0]["text"].datatype in (
        None,
        XSD.string,
    )
    # and rdflib's parser sees one VALUES block with one row of one term, the value
    algebra = prepareQuery(bound).algebra
    values = [n for n in _walk(algebra) if getattr(n, "name", None) == "values"]
    assert len(values) == 1
    assert [{str(k): str(v) for k, v in row.items()} for row in values[0]["res"]] == [
        {"text": value}
    ]


def _walk(node: object) -> list[object]:
    found = [node]
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    for child in children:
        if isinstance(child, dict | list):
            found += _walk(child)
    return found


@pytest.mark.parametrize(
    "value",
    [
        f"{EX}a> }} ; DROP ALL ; <{EX}b",
        f"{EX}a b",
        f'{EX}a"b',
        f"{EX}a}}",
        f"{EX}a\nb",
        f"{EX}a\\u003e",
        f"{EX}a{{b",
        f"{EX}a|b",
        f"{EX}a^b",
        f"{EX}a`b",
        f"{EX}a\x00",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "example.org/a",
        "relative/path",
        "",
        "nope:x",
    ],
)
def test_a_malformed_iri_is_refused(catalog: Catalog, value: str) -> None:
    if value == "":  # empty counts as not given
        assert "VALUES (?text) {" in catalog["echo"].bind({"text": "t", "iri": value})
        return
    with pytest.raises(ParameterError, match=r"parameter 'iri' \(iri\): .* is not valid"):
        catalog["echo"].bind({"text": "t", "iri": value})


@pytest.mark.parametrize(
    ("raw", "iri"),
    [
        (f"{EX}a", f"{EX}a"),
        ("https://w3id.org/jaif-kg/id/country/KHM", "https://w3id.org/jaif-kg/id/country/KHM"),
        ("id:country/KHM", "https://w3id.org/jaif-kg/id/country/KHM"),
        ("<http://example.org/x>", f"{EX}x"),
        ("urn:isbn:0451450523", "urn:isbn:0451450523"),
        ("http://example.org/a?b=c&d#e", "http://example.org/a?b=c&d#e"),
        ("http://example.org/naïve", "http://example.org/naïve"),
    ],
)
def test_iri_values(catalog: Catalog, store: Store, raw: str, iri: str) -> None:
    result = run_named(store, catalog["echo"], {"text": "t", "iri": raw})
    assert result.rows[0]["iri"] == URIRef(iri)


def param(ptype: str, **kw: object) -> Parameter:
    fields: dict[str, object] = {
        "description": "",
        "required": False,
        "default": None,
        "enum": None,
    }
    fields.update(kw)
    return Parameter("p", ptype, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("ptype", "raw", "term"),
    [
        ("string", "x", Literal("x")),
        ("integer", "42", Literal(42)),
        ("integer", "-007", Literal(-7)),
        ("decimal", "12.50", Literal("12.50", datatype=XSD.decimal, normalize=False)),
        ("decimal", "3", Literal("3", datatype=XSD.decimal, normalize=False)),
        ("date", "2022-06-30", Literal("2022-06-30", datatype=XSD.date)),
        ("boolean", "TRUE", Literal(True)),
        ("boolean", "0", Literal(False)),
    ],
)
def test_conversions(ptype: str, raw: str, term: Literal) -> None:
    converted = param(ptype).convert(raw)
    assert converted == term and str(converted) == str(term)


def test_today() -> None:
    assert param("date").convert("today") == Literal(dt.date.today().isoformat(), datatype=XSD.date)


@pytest.mark.parametrize(
    ("ptype", "raw", "expected"),
    [
        ("integer", "4.5", "an integer"),
        ("integer", "1e3", "an integer"),
        ("integer", " 4", "an integer"),
        ("decimal", "1e3", "a decimal number"),
        ("decimal", "abc", "a decimal number"),
        ("date", "2022-02-30", "a real calendar date"),
        ("date", "30/06/2022", "a date YYYY-MM-DD"),
        ("date", "2022-06-30T00:00:00", "a date YYYY-MM-DD"),
        ("boolean", "yes", "true or false"),
    ],
)
def test_conversion_errors_say_what_is_expected(ptype: str, raw: str, expected: str) -> None:
    with pytest.raises(ParameterError) as info:
        param(ptype).convert(raw)
    assert str(info.value).startswith(
        f"parameter 'p' ({ptype}): {raw!r} is not valid; expected {expected}"
    )


def test_enum() -> None:
    p = param("string", enum=("a", "b"))
    assert p.convert("a") == Literal("a")
    with pytest.raises(ParameterError, match="expected one of a, b"):
        p.convert("c")


def test_unknown_and_missing_parameters(catalog: Catalog) -> None:
    with pytest.raises(ParameterError, match="has no parameter 'colour'; its parameters: kind,"):
        catalog["things"].bind({"colour": "red"})
    with pytest.raises(ParameterError, match="needs parameter 'text' \\(string\\): Any text"):
        catalog["echo"].bind({})


def test_the_shipped_catalog_loads() -> None:
    assert len(Catalog.from_dir(Path(__file__).resolve().parents[2] / "queries")) >= 12


def test_binding_the_same_values_again_is_served_from_the_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bound text is cached per query and values; different values get their own text."""
    query = Catalog.from_dir(Settings().queries_dir)["projects"]
    first = query.bind({"country": "KHM"})
    made: list[str] = []
    monkeypatch.setattr(binding, "bound_text", lambda *a: made.append(a[0]) or "")
    assert query.bind({"country": "KHM"}) is first
    assert made == []
    assert query.bind({"country": "MMR"}) is query.bind({"country": "MMR"})  # the example's
    assert made == []
    query.bind({"country": "LAO"})
    assert made == ["projects"]


def test_the_cache_of_bound_texts_follows_the_date(monkeypatch: pytest.MonkeyPatch) -> None:
    """A text bound with ``today`` (given, or a date parameter's default) is not served from
    the cache the next day."""
    text = "ASK WHERE { ?s ?p ?day }"
    day = Parameter("day", "date", "A date", False, "today", None)
    query = NamedQuery("q", "", "", (), (day,), {}, text, "ask")
    today = dt.date.today()
    assert f'"{today.isoformat()}"' in query.bind({}) == query.bind({"day": "today"})

    class Tomorrow(dt.date):
        @classmethod
        def today(cls) -> Tomorrow:
            return cls.fromordinal(today.toordinal() + 1)

    monkeypatch.setattr(dt, "date", Tomorrow)
    tomorrow = Tomorrow.today().isoformat()
    assert f'"{tomorrow}"' in query.bind({}) == query.bind({"day": "today"})
    assert f'"{today.isoformat()}"' in query.bind({"day": today.isoformat()})
    for _ in range(2):  # a value refused is not kept: refused again
        with pytest.raises(ParameterError, match="a real calendar date"):
            query.bind({"day": "2022-02-30"})
