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
    #: Other file suffixes read as this syntax (``.owl`` for RDF/XML); never written.
    other_suffixes: tuple[str, ...] = ()


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
        ("owl",),
    ),
    RdfFormat("nquads", "application/n-quads", "nq", "nquads", ox.RdfFormat.N_QUADS, True),
    RdfFormat("trig", "application/trig", "trig", "trig", ox.RdfFormat.TRIG, True),
)


#: Notation3 (https://w3c.github.io/N3/spec/), for reading only: a ``.n3`` file is read as Turtle
#: when it is Turtle-compatible (:mod:`jaif_kg.rdf.files`). Not offered as an output format.
N3 = RdfFormat("n3", "text/n3", "n3", "n3", ox.RdfFormat.N3, False)

#: Every syntax an input file may be in: the output formats, and N3.
INPUT_FORMATS: tuple[RdfFormat, ...] = (*RDF_FORMATS, N3)

#: Suffixes that might be RDF but are as often something else (package.json, pom.xml): read
#: only when the syntax is named (``--input-format``).
AMBIGUOUS_SUFFIXES: dict[str, str] = {"json": "jsonld", "xml": "rdfxml"}


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


def input_format_named(key: str) -> RdfFormat:
    """Find the syntax of an input by name, media type or suffix (N3 included).

    >>> input_format_named("n3").media_type
    'text/n3'
    >>> input_format_named("json-ld").name
    'jsonld'

    Raises:
        InputError: no such syntax (the message lists the known names).
    """
    k = _norm(key).lstrip(".")
    for f in INPUT_FORMATS:
        if k in (f.name, f.media_type, f.suffix, f.rdflib_name, *f.aliases, *f.other_suffixes):
            return f
    raise InputError(
        f"unknown RDF syntax {key!r}; known: {', '.join(f.name for f in INPUT_FORMATS)}"
    )


def suffix_of(name: str) -> str:
    """The suffix of a file name, lower case, without the dot (``""`` when there is none).

    >>> suffix_of("graph_data/Projects.TTL"), suffix_of("README"), suffix_of(".hidden")
    ('ttl', '', '')
    """
    base = name.rsplit("/", 1)[-1]
    stem, dot, suffix = base.rpartition(".")
    return suffix.lower() if dot and stem else ""


#: Every file suffix read as RDF, without the dot (a folder is searched for these).
RDF_SUFFIXES: frozenset[str] = frozenset(
    s for f in INPUT_FORMATS for s in (f.suffix, *f.other_suffixes)
)


def rdf_format_for_path(path: str) -> RdfFormat:
    """The syntax of an input file, from the suffix of its name.

    >>> rdf_format_for_path("graph_data/projects.ttl").name
    'turtle'
    >>> rdf_format_for_path("ontology.owl").name, rdf_format_for_path("rules.n3").name
    ('rdfxml', 'n3')
    >>> rdf_format_for_path("data.json")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    jaif_kg.errors.InputError: a .json file is not read as RDF by its suffix alone: ...

    Raises:
        InputError: the suffix names no RDF syntax, or one that is ambiguous (``.json``,
            ``.xml``).
    """
    suffix = suffix_of(path)
    if suffix in AMBIGUOUS_SUFFIXES:
        raise InputError(
            f"a .{suffix} file is not read as RDF by its suffix alone: name its syntax "
            f"(--input-format {AMBIGUOUS_SUFFIXES[suffix]}) if it is RDF"
        )
    if suffix not in RDF_SUFFIXES:
        known = " ".join(f".{s}" for s in sorted(RDF_SUFFIXES))
        what = f"the suffix .{suffix}" if suffix else "no suffix"
        raise InputError(
            f"{what} names no RDF syntax (known: {known}); name one with --input-format"
        )
    return input_format_named(suffix)
