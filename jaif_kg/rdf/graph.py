"""The shipped graph: which files make it up, reading them into rdflib, naming terms for people.

The shipped graph is the ontology (``ontology/jaif.ttl``) plus every RDF file of ``graph_data/``
(any syntax, at any depth: :func:`jaif_kg.rdf.files.rdf_files_in`); the SHACL shapes
(``ontology/shapes/*.shapes.ttl``) are kept apart. Files are read by
:mod:`jaif_kg.rdf.files` (pyoxigraph: fast, strict, and its errors carry a line and column) and,
where rdflib is needed (pySHACL, the Turtle serialiser), converted term by term. Every reader
takes the deployment's ``base`` (``settings.base_iri``), under which the files are read rebased.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.term import Identifier, Node

from jaif_kg.errors import InputError
from jaif_kg.rdf.files import Contexts, ParsedFile, parse_files, rdf_files_in
from jaif_kg.rdf.namespaces import DEFAULT_BASE, PREFIXES, project_prefixes, rebase
from jaif_kg.rdf.terms import to_oxigraph, to_rdflib
from jaif_kg.settings import Settings


class _QuietIllTypedLiterals(logging.Filter):
    """Drop rdflib's warning (with a traceback) for an ill-typed literal such as
    ``"abc"^^xsd:integer``: the literal is kept as written, and SHACL's ``sh:datatype``
    reports it properly."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal lexical form")


logging.getLogger("rdflib.term").addFilter(_QuietIllTypedLiterals())

#: What rdflib says through :mod:`warnings` about an ill-typed literal it parses or writes
#: (``"yes"^^xsd:boolean``, ``"1,5"^^xsd:decimal``, ``"1d"^^xsd:double``).
_ILL_TYPED_WARNINGS = r"(Parsing weird boolean|Serializing weird numerical)"


@contextlib.contextmanager
def quiet_ill_typed_literals() -> Iterator[None]:
    """Inside this block, rdflib's warnings about ill-typed literals are not printed (the
    literal is kept as written, and SHACL's ``sh:datatype`` reports it); other warnings are,
    and outside the block nothing changes.

    >>> import warnings
    >>> from rdflib import Literal
    >>> boolean = URIRef("http://www.w3.org/2001/XMLSchema#boolean")
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     with quiet_ill_typed_literals():
    ...         _ = Literal("yes", datatype=boolean)
    ...     _ = Literal("no way", datatype=boolean)
    >>> [str(w.message)[:22] for w in seen]
    ['Parsing weird boolean,']
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_ILL_TYPED_WARNINGS, category=UserWarning)
        yield


#: The file of the OWL ontology, inside ``settings.ontology_dir``.
ONTOLOGY_FILE = "jaif.ttl"


def ontology_path(settings: Settings) -> Path:
    """The ontology file (``ontology/jaif.ttl``)."""
    return settings.ontology_dir / ONTOLOGY_FILE


def data_paths(settings: Settings) -> list[Path]:
    """The instance data: every RDF file of ``settings.data_dir`` (by suffix, at any depth,
    hidden ones skipped), sorted by path (:func:`~jaif_kg.rdf.files.rdf_files_in`)."""
    return rdf_files_in(settings.data_dir) if settings.data_dir.is_dir() else []


def shipped_paths(settings: Settings) -> list[Path]:
    """The files of the shipped graph: the ontology, then :func:`data_paths`.

    The shapes are not part of it (see :func:`shapes_paths`).
    """
    return [ontology_path(settings), *data_paths(settings)]


def shapes_paths(settings: Settings) -> list[Path]:
    """The SHACL shapes files: ``ontology/shapes/*.shapes.ttl`` sorted by name."""
    return sorted((settings.ontology_dir / "shapes").glob("*.shapes.ttl"))


def to_rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Identifier:
    """Convert a pyoxigraph term to rdflib, keeping a literal's lexical form exactly.

    (rdflib would otherwise normalise ``"01"^^xsd:integer`` to ``"1"``, which changes the term.)

    >>> to_rdflib_term(ox.Literal("01", datatype=ox.NamedNode(
    ...     "http://www.w3.org/2001/XMLSchema#integer")))  # doctest: +ELLIPSIS
    rdflib.term.Literal('01', datatype=rdflib.term.URIRef('...#integer'))
    """
    try:
        return to_rdflib(term)
    except TypeError as exc:
        raise InputError(str(exc)) from None


def to_oxigraph_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to pyoxigraph, keeping a literal's lexical form.

    >>> from rdflib import Literal
    >>> to_oxigraph_term(Literal("chat", lang="fr"))
    <Literal value=chat language=fr>
    """
    try:
        return to_oxigraph(term)  # type: ignore[arg-type]
    except TypeError as exc:
        raise InputError(str(exc)) from None


def new_graph(prefixes: Mapping[str, str] | None = None, *, base: str = DEFAULT_BASE) -> Graph:
    """An empty rdflib graph that knows the project prefixes (under ``base``), then ``prefixes``.

    A prefix of ``prefixes`` that clashes with a project prefix is renamed by rdflib.
    """
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in project_prefixes(base).items():
        graph.bind(prefix, namespace)
    for prefix, namespace in sorted((prefixes or {}).items()):
        graph.bind(prefix, namespace, override=False)
    return graph


def read_graph(
    paths: Iterable[Path | str], *, base: str = DEFAULT_BASE, contexts: Contexts | None = None
) -> Graph:
    """Read RDF files into one rdflib graph (their merge), with the project prefixes bound.

    Under another ``base`` than the default, the files are read rebased, and the project
    prefixes name the rebased namespaces.

    Raises:
        InputError: a file is missing or malformed; the error names the file and line
            (:class:`~jaif_kg.errors.InputErrors`: every error of every file).
    """
    return graph_of(parse_files(paths, base=base, contexts=contexts), base=base)


def graph_of(parsed: Iterable[ParsedFile], *, base: str = DEFAULT_BASE) -> Graph:
    """The merge of files already read, as one rdflib graph with the project prefixes (under
    ``base``) and then the files' own prefixes bound."""
    parsed = list(parsed)
    prefixes: dict[str, str] = {}
    for pf in parsed:
        for prefix, namespace in pf.prefixes.items():
            prefixes.setdefault(prefix, namespace)
    graph = new_graph(prefixes, base=base)
    with quiet_ill_typed_literals():
        for pf in parsed:
            for q in pf.quads:
                graph.add(
                    (
                        to_rdflib_term(q.subject),
                        to_rdflib_term(q.predicate),
                        to_rdflib_term(q.object),
                    )
                )
    return graph


# -- naming terms for people ----------------------------------------------------------------

_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


def shorten(iri: str, prefixes: Mapping[str, str] | None = None) -> str:
    """Write an IRI with the longest matching project prefix, for display (not Turtle).

    ``prefixes`` replaces the project prefixes (e.g. ``project_prefixes(base)``).

    >>> shorten("https://w3id.org/jaif-kg/id/country/KHM")
    'id:country/KHM'
    >>> shorten("http://www.w3.org/ns/shacl#MinCountConstraintComponent")
    'sh:MinCountConstraintComponent'
    >>> shorten("http://example.org/x")
    '<http://example.org/x>'
    """
    by_length = (
        _BY_LENGTH if prefixes is None else sorted(prefixes.items(), key=lambda item: -len(item[1]))
    )
    for prefix, namespace in by_length:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def expand(name: str, base: str = DEFAULT_BASE) -> str | None:
    """Expand ``prefix:local`` with the project prefixes (under ``base``), or ``<iri>`` (as
    written); ``None`` otherwise.

    >>> expand("id:country/KHM")
    'https://w3id.org/jaif-kg/id/country/KHM'
    >>> expand("id:country/KHM", "http://example.org/kg/")
    'http://example.org/kg/id/country/KHM'
    >>> expand("<http://example.org/x>")
    'http://example.org/x'
    >>> expand("https://example.org/x") is None
    True
    """
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return rebase(PREFIXES[prefix], base) + local
    return None


def term_text(
    term: Node | None, *, short: bool = True, prefixes: Mapping[str, str] | None = None
) -> str:
    """A term as a person reads it: IRIs shortened (with ``prefixes``, default the project's,
    or in full), literals as their text.

    >>> term_text(URIRef("https://w3id.org/jaif-kg/ontology#Project"))
    'jaif:Project'
    >>> from rdflib import Literal
    >>> term_text(Literal("Cambodia", lang="en"))
    'Cambodia'
    >>> term_text(None)
    ''
    """
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return shorten(str(term), prefixes) if short else str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)
