"""The country crosswalk (SSSOM TSV and RDF linkset) from the shipped graph.

The ``sssom`` package is not installed: it would add about 70 packages to the shared
environment (linkml, pandas, Sphinx, a pytest plugin, rdflib-jsonld); the file is checked here
against the SSSOM schema's required slots instead (mapping set: ``mapping_set_id``, ``license``;
mapping: ``subject_id``, ``predicate_id``, ``object_id``, ``mapping_justification``; every CURIE's
prefix in ``curie_map``).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from jaif_kg.publish.crosswalk import (
    LINKSET_FILE,
    SSSOM_FILE,
    crosswalk_files,
    link_counts,
    linkset_void,
)
from jaif_kg.rdf.namespaces import VOID
from jaif_kg.store import Store

BASE = "https://w3id.org/jaif-kg/"
REQUIRED_SET = ("mapping_set_id", "license", "curie_map")
REQUIRED_ROW = ("subject_id", "predicate_id", "object_id", "mapping_justification")


def read_sssom(data: bytes) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The metadata block and the rows of an SSSOM TSV file."""
    text = data.decode("utf-8")
    header = "".join(line[1:] + "\n" for line in text.splitlines() if line.startswith("#"))
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return yaml.safe_load(header), list(csv.DictReader(io.StringIO(body), delimiter="\t"))


def expand(curie: str, curie_map: dict[str, str]) -> str:
    prefix, local = curie.split(":", 1)
    assert prefix in curie_map, f"{curie}: prefix not in curie_map"
    return curie_map[prefix] + local


@pytest.fixture(scope="module")
def files(shipped_store: Store) -> dict[str, bytes]:
    return crosswalk_files(shipped_store, BASE)


def test_sssom_has_the_required_metadata_and_columns(files: dict[str, bytes]) -> None:
    metadata, rows = read_sssom(files[SSSOM_FILE])
    for key in REQUIRED_SET:
        assert metadata.get(key), key
    assert rows
    for row in rows:
        for column in REQUIRED_ROW:
            assert row[column], (column, row)
        for column in ("subject_id", "predicate_id", "object_id", "mapping_justification"):
            expand(row[column], metadata["curie_map"])
        assert row["mapping_justification"] == "semapv:ManualMappingCuration"


def test_every_country_maps_to_seven_identifiers(files: dict[str, bytes]) -> None:
    _metadata, rows = read_sssom(files[SSSOM_FILE])
    by_country: dict[str, set[str]] = {}
    for row in rows:
        by_country.setdefault(row["subject_id"], set()).add(row["object_id"])
    assert len(by_country) == 12  # ten ASEAN members, Timor-Leste and Japan
    assert all(len(objects) == 7 for objects in by_country.values()), by_country
    assert by_country["jaif-country:KHM"] == {
        "wikidata:Q424",
        "geonames:1831722/",
        "eu-country:KHM",
        "iso3166-1-alpha-2:KH",
        "iso3166-1-alpha-3:KHM",
        "un-m49:116",
        "iati-country:KH",
    }
    codes = {r["object_label"] for r in rows if r["subject_id"] == "jaif-country:BRN"}
    assert codes == {"", "BN", "BRN", "096"}  # M49 keeps its leading zero


def test_the_linkset_says_what_the_tsv_says(files: dict[str, bytes]) -> None:
    metadata, rows = read_sssom(files[SSSOM_FILE])
    from_tsv = {
        (
            URIRef(expand(r["subject_id"], metadata["curie_map"])),
            URIRef(expand(r["predicate_id"], metadata["curie_map"])),
            URIRef(expand(r["object_id"], metadata["curie_map"])),
        )
        for r in rows
    }
    graph = Graph().parse(data=files[LINKSET_FILE], format="turtle")
    assert set(graph) == from_tsv
    assert (
        URIRef(BASE + "id/country/KHM"),
        SKOS.exactMatch,
        URIRef("http://www.wikidata.org/entity/Q424"),
    ) in graph


def test_linkset_void_describes_both_dumps(shipped_store: Store) -> None:
    graph = Graph()
    for triple in linkset_void(BASE, link_counts(shipped_store, BASE)):
        graph.add(triple)
    linksets = set(graph.subjects(RDF.type, VOID.Linkset))
    assert len(linksets) == 7
    for linkset in linksets:
        dumps = {str(o) for o in graph.objects(linkset, VOID.dataDump)}
        assert dumps == {BASE + "dumps/" + SSSOM_FILE, BASE + "dumps/" + LINKSET_FILE}
        assert int(graph.value(linkset, VOID.triples)) == 12  # type: ignore[arg-type]
        assert graph.value(linkset, VOID.linkPredicate) == SKOS.exactMatch
