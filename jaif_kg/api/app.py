"""The application factory: ``create_app(settings, store)`` builds the HTTP API."""

from __future__ import annotations

from fastapi import FastAPI

from jaif_kg import __version__
from jaif_kg.settings import Settings, get_settings
from jaif_kg.store import Store, open_store


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """Build the app over ``store`` (opened from ``settings`` when not given).

    The caller loads the store; the app never writes to it.
    """
    settings = settings or get_settings()
    app = FastAPI(title="jaif-kg", version=__version__)
    app.state.settings = settings
    app.state.store = store if store is not None else open_store(settings)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
