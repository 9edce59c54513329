"""FastAPI dependencies. Tests override them with ``app.dependency_overrides``."""

from __future__ import annotations

from fastapi import Request

from jaif_kg.settings import Settings
from jaif_kg.store import Store
from jaif_kg.workers.pool import QueryExecutor


def get_app_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> Store:
    """The store the app serves."""
    store: Store = request.app.state.store
    return store


def get_executor(request: Request) -> QueryExecutor:
    """The worker pool that runs queries under the time limit."""
    executor: QueryExecutor = request.app.state.executor
    return executor


def endpoint_url(request: Request) -> str:
    """The public URL of the SPARQL endpoint (``public_url`` setting, else the request's own)."""
    settings = get_app_settings(request)
    if settings.public_url:
        return settings.public_url.rstrip("/") + "/sparql"
    url = request.url
    return f"{url.scheme}://{url.netloc}/sparql"


def public_base(request: Request) -> str:
    """The public base URL of the service, ending with ``/``."""
    settings = get_app_settings(request)
    if settings.public_url:
        return settings.public_url.rstrip("/") + "/"
    return str(request.base_url)
