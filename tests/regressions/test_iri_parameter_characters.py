"""An ``iri`` parameter of a named query refuses every character SPARQL's IRIREF excludes, itself.

Guards: dropping ``>`` from the characters the parameter check refuses (``_IRI_FORBIDDEN`` in
``jaif_kg/catalog/__init__.py``) passed the suite, because a later check (the bound query must
parse)
refused the value anyway, with another message. The check on the value is the guarantee: a
value is never written into a query unless it is one IRI term
(https://www.w3.org/TR/sparql11-query/#rIRIREF). So the conversion itself is called here, and
the message must be the parameter's own, not "does not parse once bound".
"""

from __future__ import annotations

import pytest
from rdflib import URIRef

from jaif_kg.catalog import Catalog, Parameter, sparql_term
from jaif_kg.errors import ParameterError

#: Each refused character, and how the message describes it to the user.
REFUSED = {
    "<": "<>",
    ">": "<>",
    '"': "quotes",
    "{": "{}",
    "}": "{}",
    "|": "|",
    "^": "^",
    "\\": "\\",
    "`": "`",
    " ": "spaces",
    "\t": "control characters",
    "\n": "control characters",
    "\x00": "control characters",
    "\x7f": "control characters",
}
IDS = [f"U+{ord(c):04X}" for c in REFUSED]
EXPECTED = (
    "an absolute http(s) or urn IRI without spaces, quotes, <>{}|^`\\ or control characters "
    "(or prefix:local with a project prefix)"
)

THING = Parameter("thing", "iri", "The thing", False, None, None)


@pytest.mark.parametrize("spelling", ["http://example.org/a{}b", "urn:x-test:a{}b", "id:a{}b"])
@pytest.mark.parametrize(("char", "described"), REFUSED.items(), ids=IDS)
def test_the_parameter_check_refuses_the_character(
    char: str, described: str, spelling: str
) -> None:
    raw = spelling.format(char)
    with pytest.raises(ParameterError) as caught:
        THING.convert(raw)
    message = str(caught.value)
    assert message == f"parameter 'thing' (iri): {raw!r} is not valid; expected {EXPECTED}"
    assert described in message.partition("expected")[2]


@pytest.mark.parametrize("char", list(REFUSED), ids=IDS)
def test_the_term_writer_refuses_the_character(char: str) -> None:
    """The second guard, where a term is written into the text: it must refuse on its own."""
    with pytest.raises(ParameterError, match="not a valid IRI"):
        sparql_term(URIRef(f"http://example.org/a{char}b"))


@pytest.mark.parametrize("char", list(REFUSED), ids=IDS)
def test_binding_reports_the_parameter_not_a_parse_error(catalog: Catalog, char: str) -> None:
    """``describe`` takes ``iri`` (iri): the refusal names the parameter and its value."""
    raw = f"https://w3id.org/jaif-kg/id/country/KH{char}M"
    with pytest.raises(ParameterError) as caught:
        catalog["describe"].bind({"iri": raw})
    assert str(caught.value).startswith(f"parameter 'iri' (iri): {raw!r} is not valid")
    assert "does not parse" not in str(caught.value)


def test_a_clean_iri_is_accepted() -> None:
    """The refusals above are about the characters, not about every value."""
    assert THING.convert("http://example.org/a-b_c~d") == URIRef("http://example.org/a-b_c~d")
    assert THING.convert("urn:x-test:a") == URIRef("urn:x-test:a")
    assert THING.convert("id:country/KHM") == URIRef("https://w3id.org/jaif-kg/id/country/KHM")
