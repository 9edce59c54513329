"""THE writer of RDF terms into SPARQL text: every place that puts a term into a query calls it.

A term written here is exactly one SPARQL term, whatever its text: an IRI is refused when it holds a
character that could end the ``<IRIREF>`` (SPARQL 1.1 grammar [139]: ``<>"{}|^`\\`` and anything up
to the space), and a string is one line with ``\\``, ``"``, line feed and carriage return escaped
(``ECHAR``, [160]). rdflib's ``Literal.n3()`` is not used: it writes a multi-line string ending in a
backslash and a quote as an unterminated literal.
"""

from __future__ import annotations

import re

from rdflib.term import BNode, Identifier, Literal, URIRef

from jaif_kg.errors import InputError
from jaif_kg.rdf.namespaces import PREFIXES

_XSD_STRING = PREFIXES["xsd"] + "string"
#: Characters an IRIREF may not hold (grammar [139]), plus the C1 controls.
IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f]')
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
_LANGUAGE = re.compile(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*")


class TermError(InputError):
    """A term that cannot be written into a query as one term (the message says why)."""


def is_valid_iri(iri: str) -> bool:
    """Whether ``iri`` is absolute and can be written as a SPARQL IRI reference.

    >>> is_valid_iri("https://w3id.org/jaif-kg/id/country/KHM"), is_valid_iri("a b:c")
    (True, False)
    """
    return bool(iri) and ":" in iri and IRI_FORBIDDEN.search(iri) is None


def sparql_iri(iri: str, what: str = "IRI") -> str:
    """Write an absolute IRI as ``<iri>``, refusing any that could break out of it.

    >>> sparql_iri("https://w3id.org/jaif-kg/id/country/KHM")
    '<https://w3id.org/jaif-kg/id/country/KHM>'
    >>> sparql_iri("http://x/> } ; DROP ALL ; INSERT DATA { <a", "graph IRI")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    jaif_kg.sparql.escape.TermError: not a valid graph IRI: 'http://x/> } ...' (it holds '>')
    """
    bad = IRI_FORBIDDEN.search(iri)
    if bad is not None:
        shown = iri if len(iri) <= 20 else iri[:16] + " ..."
        raise TermError(f"not a valid {what}: {shown!r} (it holds {bad.group()!r})")
    if ":" not in iri:
        raise TermError(f"not a valid {what}: {iri!r} (not absolute: no scheme)")
    return f"<{iri}>"


def sparql_string(text: str) -> str:
    """A one-line SPARQL string literal of ``text``.

    >>> print(sparql_string('a "b" } >\\n\\\\'))
    "a \\"b\\" } >\\n\\\\"
    """
    return '"' + "".join(_ECHAR.get(c, c) for c in text) + '"'


def sparql_term(term: Identifier) -> str:
    """A term in SPARQL syntax, escaped so that it is one term whatever its text.

    >>> sparql_term(Literal('a "b" } >'))
    '"a \\\\"b\\\\" } >"'
    >>> sparql_term(Literal("2022-06-30", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")))
    '"2022-06-30"^^<http://www.w3.org/2001/XMLSchema#date>'
    >>> sparql_term(Literal("x", lang="en"))
    '"x"@en'

    Raises:
        TermError: a blank node (a query cannot name a node of the data by its label), an IRI
            that could break out of ``<...>``, or a malformed language tag.
    """
    if isinstance(term, URIRef):
        return sparql_iri(str(term))
    if isinstance(term, Literal):
        text = sparql_string(str(term))
        if term.language:
            if not _LANGUAGE.fullmatch(term.language):
                raise TermError(f"not a valid language tag: {term.language!r}")
            return f"{text}@{term.language}"
        if term.datatype is not None and str(term.datatype) != _XSD_STRING:
            return f"{text}^^{sparql_iri(str(term.datatype), 'datatype IRI')}"
        return text
    if isinstance(term, BNode):
        raise TermError(f"a blank node ({term.n3()}) cannot be written into a query")
    raise TermError(f"not an RDF term: {term!r}")
