"""Files into stores: loading, merging, fingerprints, and a persistent store that reloads only
on change."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from jaif_kg.errors import InputError
from jaif_kg.settings import Settings
from jaif_kg.store import open_store, read_triples, sync_graph
from jaif_kg.store.loading import SOURCES_FILE, fingerprint, load_files, recorded_sources
from tests.store.conftest import DATA

PREFIX = "PREFIX ex: <http://example.org/>\n"
EX = "http://example.org/"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def sources(tmp_path: Path) -> list[Path]:
    """Two Turtle files in a folder of their own (tests change them)."""
    folder = tmp_path / "src"
    folder.mkdir()
    shutil.copy(DATA / "sample.ttl", folder / "a.ttl")
    shutil.copy(DATA / "replacement.ttl", folder / "b.ttl")
    return [folder / "a.ttl", folder / "b.ttl"]


def test_load_files_is_all_or_nothing(tmp_path: Path, settings: Settings) -> None:
    good = write(tmp_path / "good.ttl", f"<{EX}a> <{EX}p> <{EX}b> .\n")
    bad = write(tmp_path / "bad.ttl", f"<{EX}a> <{EX}p> .\n")
    store = open_store(settings)
    with pytest.raises(InputError) as info:
        load_files(store, [good, bad])
    assert info.value.path == str(bad) and info.value.line == 1
    assert store.count() == 0
    assert load_files(store, [good]) == 1
    assert store.count() == 1


def test_load_files_into_a_named_graph(tmp_path: Path, settings: Settings) -> None:
    good = write(tmp_path / "good.ttl", f"<{EX}a> <{EX}p> _:x .\n_:x <{EX}q> 1 .\n")
    store = open_store(settings)
    assert load_files(store, [good], graph=EX + "g") == 2
    assert store.named_graphs() == [EX + "g"]
    assert store.count(EX + "g") == 2


def test_read_triples_merges_files_and_counts_distinct_triples(sources: list[Path]) -> None:
    merged = read_triples([*sources, sources[1]])  # the same file twice adds nothing
    assert merged.triples == 22 + 3
    assert merged.media_type == "application/n-triples"
    assert len(merged.ntriples.splitlines()) == 25


def test_blank_nodes_of_different_files_stay_apart(tmp_path: Path) -> None:
    for name in ("x.ttl", "y.ttl"):
        (tmp_path / name).write_text('_:b <http://example.org/p> "same label" .\n')
    merged = read_triples([tmp_path / "x.ttl", tmp_path / "y.ttl"])
    assert merged.triples == 2


def test_read_errors_name_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_triples([DATA / "sample.ttl", DATA / "malformed.ttl"])
    assert caught.value.path is not None and caught.value.path.endswith("malformed.ttl")
    assert caught.value.line == 5
    with pytest.raises(InputError, match=r"missing\.ttl"):
        read_triples([tmp_path / "missing.ttl"])


def test_fingerprint_follows_names_contents_and_order(sources: list[Path]) -> None:
    first = fingerprint(sources)
    assert fingerprint(sources) == first
    assert fingerprint(list(reversed(sources))) != first
    assert fingerprint(sources[:1]) != first
    sources[1].write_text(sources[1].read_text() + "\n# a comment\n")
    assert fingerprint(sources) != first
    assert read_triples(sources).fingerprint == fingerprint(sources)


def disk_settings(tmp_path: Path) -> Settings:
    return Settings(store="oxigraph", store_path=tmp_path / "store")


def test_persistent_store_loads_once_and_reopens_without_reloading(
    sources: list[Path], tmp_path: Path
) -> None:
    store = open_store(disk_settings(tmp_path))
    assert sync_graph(store, sources) is True
    assert store.count() == 25
    store.close()
    del store

    reopened = open_store(disk_settings(tmp_path))
    assert sync_graph(reopened, sources) is False  # unchanged: nothing parsed, nothing written
    assert reopened.count() == 25
    assert reopened.query(PREFIX + "ASK { ex:BRN ex:code 'BRN' }").boolean
    assert recorded_sources(reopened) == {"": fingerprint(sources)}
    reopened.close()


def test_a_changed_file_reloads_the_graph(sources: list[Path], tmp_path: Path) -> None:
    store = open_store(disk_settings(tmp_path))
    sync_graph(store, sources)
    store.close()
    del store
    sources[1].write_text(
        "@prefix ex: <http://example.org/> .\nex:TLS ex:code 'TLS' .\n", encoding="utf-8"
    )
    store = open_store(disk_settings(tmp_path))
    assert sync_graph(store, sources) is True
    assert store.count() == 22 + 1  # replaced, not added: BRN is gone
    assert not store.query(PREFIX + "ASK { ex:BRN ?p ?o }").boolean
    assert store.query(PREFIX + "ASK { ex:TLS ex:code 'TLS' }").boolean
    store.close()


def test_a_malformed_change_keeps_the_loaded_graph(sources: list[Path], tmp_path: Path) -> None:
    store = open_store(disk_settings(tmp_path))
    sync_graph(store, sources)
    shutil.copy(DATA / "malformed.ttl", sources[1])
    with pytest.raises(InputError):
        sync_graph(store, sources)
    assert store.count() == 25
    store.close()


def test_an_interrupted_reload_is_redone(sources: list[Path], tmp_path: Path) -> None:
    """The record is removed before a reload: a store whose record is gone reloads."""
    store = open_store(disk_settings(tmp_path))
    sync_graph(store, sources)
    marker = tmp_path / "store" / SOURCES_FILE
    marker.write_text(json.dumps({}), encoding="utf-8")
    assert sync_graph(store, sources) is True
    marker.write_text("not json", encoding="utf-8")
    assert sync_graph(store, sources) is True
    assert json.loads(marker.read_text(encoding="utf-8")) == {"": fingerprint(sources)}
    store.close()


def test_named_graphs_are_recorded_apart(sources: list[Path], tmp_path: Path) -> None:
    store = open_store(disk_settings(tmp_path))
    sync_graph(store, sources[:1])
    sync_graph(store, sources[1:], "http://example.org/extra")
    assert sync_graph(store, sources[:1]) is False
    assert sync_graph(store, sources[1:], "http://example.org/extra") is False
    assert store.named_graphs() == ["http://example.org/extra"]
    assert set(recorded_sources(store)) == {"", "http://example.org/extra"}
    store.close()


@pytest.mark.parametrize("kind", ["oxigraph", "rdflib"])
def test_memory_stores_always_load(kind: str, sources: list[Path]) -> None:
    store = open_store(Settings(store=kind))
    assert sync_graph(store, sources) is True
    assert sync_graph(store, sources) is True
    assert store.count() == 25


def test_a_remote_store_is_never_loaded_at_start_up(
    oxigraph_server: object, sources: list[Path]
) -> None:
    server = oxigraph_server
    store = open_store(Settings(store=server.query_url, update_url=server.update_url))  # type: ignore[attr-defined]
    assert store.remote
    assert sync_graph(store, sources) is False
    assert store.count() == 0
