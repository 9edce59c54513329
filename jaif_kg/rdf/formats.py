"""RDF and SPARQL-results formats: media types, file suffixes and their pyoxigraph equivalents.

One table serves the CLI, the API's content negotiation, the dumps and every backend.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from jaif_kg.errors import InputError


@dataclass(frozen=True)
class RdfFormat:
    """An RDF serialisation."""

    name: str
    media_type: str
    suffix: str
    rdflib_name: str
    oxigraph: ox.RdfFormat
    datasets: bool
    aliases: tuple[str, ...] = ()


RDF_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat(
        "turtle",
        "text/turtle",
        "ttl",
        "turtle",
        ox.RdfFormat.TURTLE,
        False,
        ("application/x-turtle",),
    ),
    RdfFormat(
        "ntriples",
        "application/n-triples",
        "nt",
        "nt",
        ox.RdfFormat.N_TRIPLES,
        False,
        ("text/plain",),
    ),
    RdfFormat(
        "jsonld",
        "application/ld+json",
        "jsonld",
        "json-ld",
        ox.RdfFormat.JSON_LD,
        True,
        ("application/json+ld",),
    ),
    RdfFormat(
        "rdfxml",
        "application/rdf+xml",
        "rdf",
        "xml",
        ox.RdfFormat.RDF_XML,
        False,
        ("application/xml", "text/xml"),
    ),
    RdfFormat("nquads", "application/n-quads", "nq", "nquads", ox.RdfFormat.N_QUADS, True),
    RdfFormat("trig", "application/trig", "trig", "trig", ox.RdfFormat.TRIG, True),
)


@dataclass(frozen=True)
class ResultsFormat:
    """A SPARQL query results serialisation."""

    name: str
    media_type: str
    suffix: str
    oxigraph: ox.QueryResultsFormat
    aliases: tuple[str, ...] = ()


RESULTS_FORMATS: tuple[ResultsFormat, ...] = (
    ResultsFormat(
        "json",
        "application/sparql-results+json",
        "srj",
        ox.QueryResultsFormat.JSON,
        ("application/json",),
    ),
    ResultsFormat(
        "xml",
        "application/sparql-results+xml",
        "srx",
        ox.QueryResultsFormat.XML,
        ("application/xml", "text/xml"),
    ),
    ResultsFormat("csv", "text/csv", "csv", ox.QueryResultsFormat.CSV),
    ResultsFormat("tsv", "text/tab-separated-values", "tsv", ox.QueryResultsFormat.TSV),
)


def _norm(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def rdf_format(key: str) -> RdfFormat:
    """Find an RDF format by media type, name or file suffix.

    >>> rdf_format("text/turtle; charset=utf-8").name
    'turtle'
    >>> rdf_format("nt").media_type
    'application/n-triples'
    """
    k = _norm(key).lstrip(".")
    for f in RDF_FORMATS:
        if k in (f.name, f.media_type, f.suffix, *f.aliases):
            return f
    raise InputError(f"unknown RDF format {key!r}; known: {', '.join(f.name for f in RDF_FORMATS)}")


def results_format(key: str) -> ResultsFormat:
    """Find a SPARQL results format by media type, name or suffix.

    >>> results_format("text/csv").name
    'csv'
    """
    k = _norm(key).lstrip(".")
    for f in RESULTS_FORMATS:
        if k in (f.name, f.media_type, f.suffix, *f.aliases):
            return f
    raise InputError(
        f"unknown results format {key!r}; known: {', '.join(f.name for f in RESULTS_FORMATS)}"
    )


def rdf_format_for_path(path: str) -> RdfFormat:
    """Guess an RDF format from a file name.

    >>> rdf_format_for_path("graph_data/projects.ttl").name
    'turtle'
    """
    suffix = path.rsplit(".", 1)[-1] if "." in path else ""
    return rdf_format(suffix)
