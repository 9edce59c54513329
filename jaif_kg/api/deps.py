"""FastAPI dependencies. Tests override them with ``app.dependency_overrides``."""

from __future__ import annotations

from fastapi import Request

from jaif_kg.settings import Settings
from jaif_kg.store import Store


def get_app_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> Store:
    """The store the app serves."""
    store: Store = request.app.state.store
    return store
