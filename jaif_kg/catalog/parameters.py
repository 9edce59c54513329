"""Typed parameters of a named query: what a value given as text means as an RDF term.

``iri``: an absolute http(s) or urn IRI, or ``prefix:local`` with a project prefix, or ``<iri>``;
``string``: an ``xsd:string``; ``date``: ``YYYY-MM-DD`` or ``today`` (the date when the value is
converted, so a server never serves yesterday's date); ``integer``, ``decimal``, ``boolean``
(``true``/``false``/``1``/``0``, any case): the XSD types, with the lexical forms of the JSON value
convention (:mod:`jaif_kg.sparql.results`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import NoReturn

from rdflib import Literal, Namespace, URIRef
from rdflib.term import Identifier

from jaif_kg.errors import ParameterError
from jaif_kg.rdf.graph import expand
from jaif_kg.rdf.namespaces import DEFAULT_BASE, PREFIXES
from jaif_kg.sparql.escape import is_valid_iri
from jaif_kg.sparql.results import BOOLEAN_FORMS, DECIMAL_FORM, INTEGER_FORM

_XSD = Namespace(PREFIXES["xsd"])

#: The parameter types a header may declare.
PARAMETER_TYPES = ("iri", "string", "date", "integer", "decimal", "boolean")

# An absolute IRI we accept as a parameter: http(s) or urn; that it holds none of the characters
# SPARQL's IRIREF excludes is THE escaper's test (jaif_kg.sparql.escape.is_valid_iri).
_IRI_SCHEME = re.compile(r"(?:https?://[^/?#]+|urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:)\S*", re.I)
_DATE = re.compile(r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Parameter:
    """A declared parameter of a named query.

    Attributes:
        name: the SPARQL variable it binds (without ``?``).
        type: one of :data:`PARAMETER_TYPES`.
        description: what it means, for people (shown by the CLI and the API docs).
        required: a value must be given (and there is no default).
        default: the value used when none is given (``today`` for the current date), if any.
        enum: the only values allowed, if restricted.
        base: the base IRI the project prefixes of ``iri`` values expand under.
    """

    name: str
    type: str
    description: str
    required: bool
    default: str | None
    enum: tuple[str, ...] | None
    base: str = DEFAULT_BASE

    def convert(self, raw: str) -> Identifier:
        """Convert a value given as text to the RDF term it stands for (see the module doc).

        >>> Parameter("n", "integer", "", False, None, None).convert("+7")
        rdflib.term.Literal('7', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
        >>> Parameter("c", "iri", "", False, None, None).convert("id:country/KHM")
        rdflib.term.URIRef('https://w3id.org/jaif-kg/id/country/KHM')

        Raises:
            ParameterError: the value is not of the parameter's type or not in its enum; the
                message names the parameter, the value and what is expected.
        """
        if self.enum is not None and raw not in self.enum:
            self._fail(raw, f"one of {', '.join(self.enum)}")
        if self.type == "iri":
            iri = expand(raw, self.base) if not _IRI_SCHEME.fullmatch(raw) else raw
            if iri is None or not _IRI_SCHEME.fullmatch(iri) or not is_valid_iri(iri):
                self._fail(
                    raw,
                    "an absolute http(s) or urn IRI without spaces, quotes, <>{}|^`\\ or "
                    "control characters (or prefix:local with a project prefix)",
                )
            return URIRef(iri)
        if self.type == "string":
            return Literal(raw)
        if self.type == "date":
            if raw == "today":
                return Literal(dt.date.today().isoformat(), datatype=_XSD.date)
            if not _DATE.fullmatch(raw):
                self._fail(raw, "a date YYYY-MM-DD (or today)")
            try:
                dt.date.fromisoformat(raw)
            except ValueError:
                self._fail(raw, "a real calendar date YYYY-MM-DD")
            return Literal(raw, datatype=_XSD.date, normalize=False)
        if self.type == "integer":
            if not INTEGER_FORM.fullmatch(raw):
                self._fail(raw, "an integer")
            return Literal(int(raw), datatype=_XSD.integer)
        if self.type == "decimal":
            if not DECIMAL_FORM.fullmatch(raw):
                self._fail(raw, "a decimal number such as 12.5")
            return Literal(raw, datatype=_XSD.decimal, normalize=False)
        if self.type == "boolean":
            if raw.lower() not in BOOLEAN_FORMS:
                self._fail(raw, "true or false")
            return Literal(BOOLEAN_FORMS[raw.lower()])
        raise ParameterError(f"parameter {self.name!r} has an unknown type {self.type!r}")

    def _fail(self, raw: str, expected: str) -> NoReturn:
        raise ParameterError(
            f"parameter {self.name!r} ({self.type}): {raw!r} is not valid; expected {expected}"
        )
