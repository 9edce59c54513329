"""Typed settings, read from the environment (prefix ``JAIF_``) through :func:`get_settings`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.sparql.safety import normalise_endpoint

#: Most SPARQL endpoints ``JAIF_ALLOW_SERVICE`` may list (a longer list is a mistake, not a plan).
MAX_ALLOWED_SERVICES = 64


def allowed_services(value: Any) -> tuple[str, ...]:
    """Read a SERVICE allow-list: URLs separated by commas or white space (or a sequence of
    them), each normalised (:func:`jaif_kg.sparql.safety.normalise_endpoint`), sorted, unique.

    >>> allowed_services("HTTPS://Query.Wikidata.org:443/sparql, http://127.0.0.1:7878/query")
    ('http://127.0.0.1:7878/query', 'https://query.wikidata.org/sparql')
    >>> allowed_services("")
    ()

    Raises:
        ValueError: a URL that is not an allowed endpoint's, or more than 64 of them.
    """
    if value is None:
        return ()
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    if len(items) > MAX_ALLOWED_SERVICES:
        raise ValueError(f"at most {MAX_ALLOWED_SERVICES} endpoints, not {len(items)}")
    return tuple(sorted({normalise_endpoint(str(item)) for item in items}))


#: The project checkout (ontology/, graph_data/, queries/ live here).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Where an installed package (a wheel) carries ``ontology/`` and ``queries/`` (see ``setup.py``).
INSTALLED_FILES = Path(__file__).resolve().parent / "project_files"


def in_checkout() -> bool:
    """Whether jaif-kg runs from the repository checkout (an editable install or the source tree)
    rather than from an installed package."""
    return (PROJECT_ROOT / "ontology" / "jaif.ttl").is_file() and (
        PROJECT_ROOT / "pyproject.toml"
    ).is_file()


#: Where the ontology and the named queries are found: the checkout, else the installed package.
FILES_ROOT = PROJECT_ROOT if in_checkout() else INSTALLED_FILES
#: The default data folder: the checkout's ``graph_data/``; for an installed package,
#: ``graph_data/`` of the current directory (it carries no instance data).
DEFAULT_DATA_DIR = PROJECT_ROOT / "graph_data" if in_checkout() else Path("graph_data")
#: The default folder of the front-end files (the query editor, the API docs' Swagger UI): the
#: checkout's ``node_modules/`` that ``make install`` fills (``npm ci``); for an installed
#: package, ``node_modules/`` of the current directory.
DEFAULT_ASSETS_DIR = PROJECT_ROOT / "node_modules" if in_checkout() else Path("node_modules")


class Settings(BaseSettings):
    """Every knob of jaif-kg, each overridable by an environment variable ``JAIF_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="JAIF_", extra="ignore")

    base_iri: str = Field(DEFAULT_BASE, description="Base IRI of the dataset's resources.")
    ontology_dir: Path = Field(
        FILES_ROOT / "ontology",
        description="Folder of the OWL ontology (jaif.ttl) and its SHACL shapes (shapes/); "
        "default: the checkout's ontology/, or the copy inside the installed package.",
    )
    data_dir: Path = Field(
        DEFAULT_DATA_DIR,
        description="Folder of the instance data (every RDF file in it, by suffix) that serve, "
        "load and build read; default: the checkout's graph_data/, or ./graph_data for an "
        "installed package. `validate` without paths reads ./graph_data unless this is set.",
    )
    queries_dir: Path = Field(
        FILES_ROOT / "queries",
        description="Folder of named queries (*.rq); default: the checkout's queries/, or the "
        "copy inside the installed package.",
    )
    store: str = Field(
        "oxigraph",
        description="Store backend: 'oxigraph', 'rdflib', or the query URL of a SPARQL endpoint.",
    )
    store_path: Path | None = Field(
        None, description="Folder of a persistent on-disk Oxigraph store (default: in memory)."
    )
    update_url: str | None = Field(
        None, description="SPARQL Update URL of a remote store (default: the query URL)."
    )
    graph_store_url: str | None = Field(
        None, description="Graph Store Protocol URL of a remote store, if it has one."
    )
    union_default_graph: bool = Field(
        True,
        description="The default graph of a query that names no dataset is the union of the "
        "dataset's data graphs (the shipped graph and every loaded or imported graph, the "
        "metadata graph left out); false: the shipped graph alone.",
    )
    remote_user: str | None = Field(None, description="User name for a remote store.")
    remote_password: str | None = Field(None, description="Password for a remote store.")
    remote_chunk_triples: int = Field(
        50_000,
        description="Triples per SPARQL Update request when writing to a remote store; larger "
        "writes are staged in a temporary graph, then swapped in by one request.",
        gt=0,
    )
    query_timeout: float = Field(
        10.0, description="Seconds a query may run before it is stopped.", gt=0
    )
    max_results: int = Field(
        100_000, description="Most rows (or triples) a query may return.", gt=0
    )
    max_body_bytes: int = Field(
        1_000_000, description="Largest request body accepted, in bytes.", gt=0
    )
    public_url: str | None = Field(
        None,
        description="Public URL of the server; defaults to the URL the request came to.",
    )
    http_processes: int = Field(
        0,
        description="HTTP server processes of `jaif-kg serve`, sharing the loaded store, the "
        "listening port and the admission limits (each runs its own query workers); 0 (the "
        "default): one per CPU core this process may use.",
        ge=0,
        le=64,
    )
    inline_lookups: bool = Field(
        True,
        description="Answer lookups (a SELECT of one triple pattern, jaif_kg.sparql.lookup) in "
        "the HTTP process when the answer is at most 64 KiB, without the hop to a query worker; "
        "false: every query runs in a worker.",
    )
    query_workers: int = Field(
        2,
        description="Query worker processes started with the server (the SPARQL endpoint).",
        ge=1,
        le=256,
    )
    query_workers_max: int = Field(
        8,
        description="Most query worker processes alive at once (grown when all are busy).",
        ge=1,
        le=256,
    )
    max_result_bytes: int = Field(
        64 * 1024 * 1024,
        description="Largest serialised query answer, in bytes; a larger one is a 413.",
        gt=0,
    )
    worker_memory_mb: int = Field(
        1024,
        description="Memory a query worker may add to what it shares with the server, in MiB "
        "(an address-space limit set by the kernel); a query that needs more is a 507.",
        ge=0,
    )
    worker_recycle_mb: int = Field(
        256,
        description="A query worker whose resident memory grew by more than this (MiB) while "
        "answering is replaced by a fresh one.",
        ge=0,
    )
    worker_idle_seconds: float = Field(
        5.0,
        description="Seconds a query worker beyond JAIF_QUERY_WORKERS may stay idle before it "
        "is stopped (the pool grows for a burst, then returns to its size).",
        gt=0,
    )
    sandbox: Literal["required", "off"] = Field(
        "required",
        description="Kernel sandbox of the query workers (seccomp: no network sockets). "
        "'required' refuses to start without it; 'off' accepts the risk and runs without.",
    )
    client_queries: int = Field(
        4,
        description="Most queries one client (IP address) may run at once; more wait for "
        "their turn (JAIF_CLIENT_QUEUE).",
        ge=1,
    )
    client_queue: int = Field(
        32,
        description="Most queries of one client waiting for one of its JAIF_CLIENT_QUERIES "
        "slots (in order, up to the query time limit); more get 429 with Retry-After.",
        ge=0,
    )
    queue_limit: int = Field(
        16,
        description="Most queries waiting for a free worker, all clients together; more get 503 "
        "with Retry-After.",
        ge=0,
    )
    max_header_bytes: int = Field(
        16 * 1024,
        description="Largest request head (request line and headers), in bytes (431).",
        ge=1024,
    )
    trusted_proxies: str | None = Field(
        None,
        description="Comma-separated IP addresses of reverse proxies whose X-Forwarded-For "
        "header names the client (per-client limits then apply to it); none by default.",
    )
    allow_service: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="SPARQL endpoints a query's SERVICE may call (http:// or https:// URLs "
        "separated by commas or spaces; matched exactly after lower-casing scheme and host and "
        "dropping a default port); empty (the default): every SERVICE is refused.",
    )
    rml_python: Path | None = Field(
        None,
        description="Python interpreter of the environment holding morph-kgc, the mapping engine "
        "of `jaif-kg import` (default: .venv-rml of the checkout, made by `make install`).",
    )
    read_timeout: float = Field(
        15.0,
        description="Seconds a client may take to send a request's head or body before the "
        "connection is closed with 408.",
        gt=0,
    )

    assets_dir: Path = Field(
        DEFAULT_ASSETS_DIR,
        description="Folder of the npm packages of package.json (node_modules/, filled by "
        "`npm ci`) whose listed files are served under /assets/: the SPARQL query editor, "
        "the offline API docs; default: the checkout's node_modules/, or ./node_modules for "
        "an installed package. Without them those pages fall back to plain HTML.",
    )

    @field_validator("allow_service", mode="before")
    @classmethod
    def _allow_service(cls, value: Any) -> tuple[str, ...]:
        return allowed_services(value)


@lru_cache
def get_settings() -> Settings:
    """Return the settings read from the environment (cached; build ``Settings()`` to override)."""
    return Settings()


def settings_table() -> list[tuple[str, str, str]]:
    """Every setting as ``(JAIF_NAME, default, description)``, from the fields of
    :class:`Settings`: what ``jaif-kg --help`` and ``docs/VALIDATION.md`` list.

    >>> settings_table()[0][0]
    'JAIF_BASE_IRI'
    """
    rows: list[tuple[str, str, str]] = []
    for name, info in Settings.model_fields.items():
        # a folder's default depends on where jaif-kg runs: its description says it
        default = "" if info.default is None or isinstance(info.default, Path) else info.default
        rows.append((f"JAIF_{name.upper()}", str(default), info.description or ""))
    return rows
