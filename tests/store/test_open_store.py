"""``open_store`` turns settings into the right backend, with its declared capabilities."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from jaif_kg.errors import InputError, StoreError
from jaif_kg.settings import Settings
from jaif_kg.store import Store, open_store


@pytest.mark.parametrize(
    ("settings", "name", "persistent", "remote"),
    [
        ({"store": "oxigraph"}, "oxigraph", False, False),
        ({"store": "rdflib"}, "rdflib", False, False),
        ({"store": "http://127.0.0.1:1/query"}, "remote", True, True),
        (
            {"store": "https://example.org/sparql", "update_url": "https://example.org/u"},
            "remote",
            True,
            True,
        ),
    ],
)
def test_backends_and_capabilities(
    settings: dict[str, str], name: str, persistent: bool, remote: bool
) -> None:
    store = open_store(Settings(**settings))  # a remote store is not contacted when opened
    assert isinstance(store, Store)
    assert (store.name, store.persistent, store.remote, store.context_aware) == (
        name,
        persistent,
        remote,
        True,
    )


def test_an_on_disk_store_is_persistent(tmp_path: Path) -> None:
    store = open_store(Settings(store="oxigraph", store_path=tmp_path / "db"))
    assert store.persistent and not store.remote
    assert store.path == tmp_path / "db"
    store.close()


@pytest.mark.parametrize("kind", ["oxigraph", "rdflib", "http://127.0.0.1:1/query"])
def test_only_a_store_on_disk_can_be_reopened_by_a_worker(kind: str, tmp_path: Path) -> None:
    """What the query pool asks instead of looking at the backend's class or attributes."""
    store = open_store(Settings(store=kind))
    assert store.path is None
    assert store.read_only_opener() is None
    store.close()
    on_disk = open_store(Settings(store="oxigraph", store_path=tmp_path / "db"))
    on_disk.load(b"<http://e/s> <http://e/p> 1 .", "text/turtle")
    on_disk.close()
    opener = on_disk.read_only_opener()
    assert opener is not None
    reader = pickle.loads(pickle.dumps(opener))()  # as a worker process gets it
    assert reader.count() == 1
    reader.close()


def test_what_a_push_asks_of_an_embedded_store() -> None:
    store = open_store(Settings(store="oxigraph"))
    assert store.where() == "oxigraph"
    assert store.write_plan(10) == "replace_graph on oxigraph"
    store.check_endpoint()
    assert store.drop_staging_graphs() == []


def test_a_store_folder_held_by_another_store_is_a_store_error(tmp_path: Path) -> None:
    first = open_store(Settings(store="oxigraph", store_path=tmp_path / "db"))
    with pytest.raises(StoreError, match="cannot open the Oxigraph store"):
        open_store(Settings(store="oxigraph", store_path=tmp_path / "db"))
    first.close()


@pytest.mark.parametrize("kind", ["bogus", "file:///etc/passwd", "ftp://example.org/sparql"])
def test_unknown_stores_are_refused(kind: str) -> None:
    with pytest.raises(InputError, match="unknown store"):
        open_store(Settings(store=kind))
