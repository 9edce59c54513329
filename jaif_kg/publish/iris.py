"""How IRIs under the dataset's base map onto the server's own paths.

The data keeps its IRIs under the configured base (``https://w3id.org/jaif-kg/`` by default); the
server answers for them on its own paths, so a local server works with no redirect:

==========================================  ======================================================
IRI (under the base)                        local paths
==========================================  ======================================================
``{base}id/{kind}/{slug}``                  ``/id/{kind}/{slug}`` (303), ``/page/{kind}/{slug}``,
                                            ``/data/{kind}/{slug}.ttl`` (``.jsonld .nt .rdf``)
``{base}id/{kind}/{slug}#part``             described with its owner, at the owner's paths
``{base}ontology`` and ``{base}ontology#T`` ``/ontology`` (HTML or RDF), ``/ontology.ttl`` ...
``{base}shapes`` and ``{base}shapes#S``     ``/shapes`` (HTML or RDF), ``/shapes.ttl`` ...
``{base}graph/...``                         names of the TriG dump's graphs (``/graph/...``)
``{base}.well-known/void#...``              the dataset description
==========================================  ======================================================
"""

from __future__ import annotations

from jaif_kg.settings import Settings


def published_base(settings: Settings) -> str:
    """Where the dataset's files and services are published: ``public_url`` if set, else the base.

    >>> published_base(Settings(public_url="http://127.0.0.1:8000"))
    'http://127.0.0.1:8000/'
    >>> published_base(Settings())
    'https://w3id.org/jaif-kg/'
    """
    url = settings.public_url or settings.base_iri
    return url if url.endswith("/") else url + "/"


def split_fragment(iri: str) -> tuple[str, str]:
    """Split an IRI into the document part and the fragment (without ``#``).

    >>> split_fragment("https://w3id.org/jaif-kg/id/membership/asean-KHM#start")
    ('https://w3id.org/jaif-kg/id/membership/asean-KHM', 'start')
    >>> split_fragment("https://w3id.org/jaif-kg/id/country/KHM")
    ('https://w3id.org/jaif-kg/id/country/KHM', '')
    """
    document, _, fragment = iri.partition("#")
    return document, fragment


def resource_iri(path: str, base: str) -> str:
    """The IRI of the resource at local ``id/`` path ``path`` (``country/KHM``).

    >>> resource_iri("country/KHM", "https://w3id.org/jaif-kg/")
    'https://w3id.org/jaif-kg/id/country/KHM'
    """
    return f"{base}id/{path}"


def local_path(iri: str, base: str) -> str | None:
    """The local path (below the server root, no leading ``/``) of the page that shows ``iri``.

    ``None`` when the IRI is not under ``base``. Instances go to their HTML page (``page/...``, no
    redirect on the way); other IRIs under the base keep their path.

    >>> local_path("https://w3id.org/jaif-kg/id/country/KHM", "https://w3id.org/jaif-kg/")
    'page/country/KHM'
    >>> local_path("https://w3id.org/jaif-kg/id/membership/asean-KHM#start",
    ...            "https://w3id.org/jaif-kg/")
    'page/membership/asean-KHM#start'
    >>> local_path("https://w3id.org/jaif-kg/ontology#Project", "https://w3id.org/jaif-kg/")
    'ontology#Project'
    >>> local_path("http://www.wikidata.org/entity/Q424", "https://w3id.org/jaif-kg/") is None
    True
    """
    if not iri.startswith(base):
        return None
    rest = iri[len(base) :]
    if rest.startswith("id/"):
        return "page/" + rest[len("id/") :]
    return rest


def data_path(iri: str, base: str, suffix: str) -> str | None:
    """The local path of the RDF document that describes ``iri`` in the format of ``suffix``.

    >>> data_path("https://w3id.org/jaif-kg/id/country/KHM#x", "https://w3id.org/jaif-kg/", "ttl")
    'data/country/KHM.ttl'
    >>> data_path("https://w3id.org/jaif-kg/ontology#Project", "https://w3id.org/jaif-kg/", "nt")
    'ontology.nt'
    """
    document, _ = split_fragment(iri)
    if not document.startswith(base):
        return None
    rest = document[len(base) :]
    if rest.startswith("id/"):
        return f"data/{rest[len('id/') :]}.{suffix}"
    return f"{rest}.{suffix}"
