"""Typed settings, read from the environment (prefix ``JAIF_``) through :func:`get_settings`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from jaif_kg.namespaces import DEFAULT_BASE

#: The project checkout (ontology/, graph_data/, queries/ live here).
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every knob of jaif-kg, each overridable by an environment variable ``JAIF_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="JAIF_", extra="ignore")

    base_iri: str = Field(DEFAULT_BASE, description="Base IRI of the dataset's resources.")
    ontology_dir: Path = Field(
        PROJECT_ROOT / "ontology", description="Folder of the OWL ontology (and shapes/)."
    )
    data_dir: Path = Field(PROJECT_ROOT / "graph_data", description="Folder of the instance data.")
    queries_dir: Path = Field(PROJECT_ROOT / "queries", description="Folder of named queries.")
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
    remote_user: str | None = Field(None, description="User name for a remote store.")
    remote_password: str | None = Field(None, description="Password for a remote store.")
    remote_chunk_triples: int = Field(
        50_000,
        description="Triples per SPARQL Update request when writing to a remote store; larger "
        "writes are staged in a temporary graph, then swapped in by one request.",
    )
    query_timeout: float = Field(10.0, description="Seconds a query may run before it is stopped.")
    max_results: int = Field(100_000, description="Most rows (or triples) a query may return.")
    max_body_bytes: int = Field(1_000_000, description="Largest request body accepted, in bytes.")
    public_url: str | None = Field(
        None,
        description="Public URL of the server; defaults to the URL the request came to.",
    )
    query_workers: int = Field(
        2, description="Query worker processes started with the server (the SPARQL endpoint)."
    )
    query_workers_max: int = Field(
        8, description="Most query worker processes alive at once (grown when all are busy)."
    )


@lru_cache
def get_settings() -> Settings:
    """Return the settings read from the environment (cached; build ``Settings()`` to override)."""
    return Settings()
