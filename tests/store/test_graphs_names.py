"""Which names a loaded graph may take (:func:`jaif_kg.store.graphs.check_graph_name`): the
shipped graph's, the metadata graph's and its records' are reserved, however they are spelled."""

from __future__ import annotations

import pytest

from jaif_kg.errors import InputError
from jaif_kg.store.graphs import check_graph_name
from jaif_kg.store.shipped import check_shipped_target

BASE = "https://w3id.org/jaif-kg/"


@pytest.mark.parametrize(
    "iri",
    [
        "https://w3id.org/jaif-kg/graph/meta",
        "https://w3id.org/jaif-kg/graph/jaif",
        "HTTPS://w3id.org/jaif-kg/graph/meta",
        "https://W3ID.ORG/jaif-kg/graph/meta",
        "Https://W3id.org/jaif-kg/graph/jaif",
        "https://w3id.org/jaif-kg/graph/meta/wdi",
        "https://w3id.org/jaif-kg/graph/meta/x-d81c7dc6d81c7dc6",
        "https://w3id.org/jaif-kg/graph/jaif#x",
        "https://w3id.org/jaif-kg/graph/meta#records",
    ],
)
def test_a_reserved_name_is_refused_however_spelled(iri: str) -> None:
    with pytest.raises(InputError, match="is reserved"):
        check_graph_name(iri, BASE)


@pytest.mark.parametrize(
    "iri",
    [
        "https://w3id.org/jaif-kg/graph/metadata",
        "https://w3id.org/jaif-kg/graph/jaif-2",
        "https://w3id.org/jaif-kg/graph/wdi",
        "https://w3id.org/jaif-kg/Graph/meta",  # the path is case-sensitive: another graph
        "http://example.org/graph/meta",
    ],
)
def test_a_name_near_but_not_reserved_is_accepted(iri: str) -> None:
    assert check_graph_name(iri, BASE) == iri


@pytest.mark.parametrize(
    "iri", ["HTTPS://W3ID.ORG/jaif-kg/graph/meta", "https://w3id.org/jaif-kg/graph/meta/jaif"]
)
def test_the_shipped_graph_is_not_pushed_to_the_metadata_graph(iri: str) -> None:
    with pytest.raises(InputError, match="metadata graph"):
        check_shipped_target(iri, BASE)
