"""Labels made from IRIs for terms nobody labelled (:func:`jaif_kg.publish.vocab.humanise`)."""

from __future__ import annotations

import pytest

from jaif_kg.publish.vocab import humanise


@pytest.mark.parametrize(
    ("iri", "label"),
    [
        ("https://example.org/my-data#Example%20area%20share", "example area share"),
        ("https://example.org/my-data#GDP%20%28US%24%29", "GDP (US$)"),
        ("https://example.org/my-data#caf%C3%A9%20count", "café count"),
        ("https://w3id.org/jaif-kg/ontology#numberOfOfficers", "number of officers"),
    ],
)
def test_a_local_name_is_read_percent_decoded(iri: str, label: str) -> None:
    """A property of an imported CSV's column shows as words, never as ``%20``."""
    assert humanise(iri) == label
