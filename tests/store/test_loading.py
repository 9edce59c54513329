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


# -- an on-disk store loads straight from the files ---------------------------------------------

STREAM_SOURCES = {
    "a.ttl": '@prefix ex: <http://example.org/> .\n_:b ex:p <rel> ; ex:q "x"@en .\n',
    "b.nt": '_:b <http://example.org/p> "same label" .\n<http://example.org/s> '
    '<http://example.org/p> "2"^^<http://www.w3.org/2001/XMLSchema#integer> .\n',
    "c.rdf": '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
    'syntax-ns#" xmlns:ex="http://example.org/"><rdf:Description rdf:nodeID="b">'
    '<ex:p rdf:resource="#frag"/></rdf:Description></rdf:RDF>\n',
}


def _isomorphic_dump(store: object, graph: str | None) -> object:
    from rdflib import Graph
    from rdflib.compare import to_isomorphic

    data = store.dump("application/n-triples", graph)  # type: ignore[attr-defined]
    return to_isomorphic(Graph().parse(data=data, format="nt"))


@pytest.mark.parametrize("graph", [None, EX + "g"])
def test_a_store_on_disk_loads_from_the_files_the_same_triples(
    tmp_path: Path, graph: str | None
) -> None:
    """Turtle, N-Triples and RDF/XML loaded from the files (pyoxigraph's bulk loader) give the
    triples the in-memory path gives: relative IRIs against each file, blank nodes apart."""
    from jaif_kg.store.loading import _streamable

    paths = [write(tmp_path / name, text) for name, text in STREAM_SOURCES.items()]
    disk = open_store(disk_settings(tmp_path))
    assert _streamable(disk, paths, "https://w3id.org/jaif-kg/") is not None
    memory = open_store(Settings(store="oxigraph"))
    assert _streamable(memory, paths, "https://w3id.org/jaif-kg/") is None
    sync_graph(disk, paths, graph)
    sync_graph(memory, paths, graph)
    assert disk.count(graph) == memory.count(graph) == 5
    assert _isomorphic_dump(disk, graph) == _isomorphic_dump(memory, graph)
    assert recorded_sources(disk) == {graph or "": fingerprint(paths)}
    disk.close()


def test_files_that_need_a_whole_read_are_not_streamed(tmp_path: Path) -> None:
    from jaif_kg.store.loading import _streamable

    disk = open_store(disk_settings(tmp_path))
    ttl = write(tmp_path / "a.ttl", "<http://example.org/a> <http://example.org/p> 1 .\n")
    jsonld = write(tmp_path / "b.jsonld", "{}")
    n3 = write(tmp_path / "c.n3", "")
    base = "https://w3id.org/jaif-kg/"
    assert _streamable(disk, [ttl], base) is not None
    assert _streamable(disk, [ttl, jsonld], base) is None
    assert _streamable(disk, [n3], base) is None
    assert _streamable(disk, [ttl], "http://example.org/kg/") is None  # rebased in Python
    disk.close()


def test_a_malformed_file_on_disk_names_every_error_and_adds_nothing(
    sources: list[Path], tmp_path: Path
) -> None:
    from jaif_kg.errors import InputErrors

    store = open_store(disk_settings(tmp_path))
    sync_graph(store, sources)
    bad = write(
        tmp_path / "bad.ttl",
        "<http://e/a> <http://e/p> .\n<http://e/a> <http://e/p> <http://e/b> .\n<x> <y> .\n",
    )
    with pytest.raises(InputErrors) as caught:
        sync_graph(store, [sources[0], bad])
    assert [(e.path, e.line) for e in caught.value.errors] == [(str(bad), 1), (str(bad), 3)]
    assert store.count() == 25
    assert recorded_sources(store) == {"": fingerprint(sources)}
    store.close()


def test_a_store_on_disk_never_holds_the_file_in_memory(tmp_path: Path) -> None:
    """100,000 triples loaded from the file: the Python heap grows by far less than the triples
    would take as quads (about 30 MB) or as the file's bytes (about 8 MB)."""
    import tracemalloc

    big = tmp_path / "big.nt"
    with big.open("w", encoding="utf-8") as out:
        for i in range(100_000):
            out.write(f'<http://example.org/s{i}> <http://example.org/p> "v{i}" .\n')
    store = open_store(disk_settings(tmp_path))
    tracemalloc.start()
    try:
        sync_graph(store, [big], EX + "g")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert store.count(EX + "g") == 100_000
    assert peak < 3 * 2**20, f"the load held {peak / 2**20:.1f} MB of Python objects"
    store.close()


# -- fingerprints remembered by the files' identities -------------------------------------------


def _hashes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the times files are hashed (the real function runs)."""
    from jaif_kg.store import loading

    calls: list[int] = []
    real = loading.fingerprint

    def counted(*args: object, **kwargs: object) -> str:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(loading, "fingerprint", counted)
    return calls


def test_unchanged_settled_files_are_not_hashed_again(
    sources: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jaif_kg.store.loading import stored_fingerprint

    folder = tmp_path / "memo"
    folder.mkdir()
    calls = _hashes(monkeypatch)
    first = stored_fingerprint(folder, sources, settled_ns=0)
    assert first == fingerprint(sources) and len(calls) == 1
    assert stored_fingerprint(folder, sources, settled_ns=0) == first
    assert len(calls) == 1  # remembered: not hashed
    # another base, another order, a changed file: hashed again
    assert stored_fingerprint(folder, sources, base="http://e.org/kg/", settled_ns=0) != first
    assert stored_fingerprint(folder, sources[::-1], settled_ns=0) != first
    assert len(calls) == 3
    sources[1].write_text(sources[1].read_text() + "\n# same size? no: one more line\n")
    changed = stored_fingerprint(folder, sources, settled_ns=0)
    assert changed != first and changed == fingerprint(sources)


def test_a_file_written_just_before_it_was_hashed_is_hashed_again(
    sources: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its times could stay the same through a second write within the clock's tick."""
    from jaif_kg.store.loading import stored_fingerprint

    calls = _hashes(monkeypatch)
    for _ in range(3):
        stored_fingerprint(tmp_path, sources)  # written a moment ago: not settled
    assert len(calls) == 3


def test_a_same_size_rewrite_is_seen_by_its_change_time(
    sources: list[Path], tmp_path: Path
) -> None:
    """Same bytes count, modification time put back: the kernel's change time still moves."""
    import os

    from jaif_kg.store.loading import stored_fingerprint

    first = stored_fingerprint(tmp_path, sources, settled_ns=0)
    before = sources[0].stat()
    text = sources[0].read_text()
    sources[0].write_text(text.replace("KHM", "XYZ", 1))
    os.utime(sources[0], ns=(before.st_atime_ns, before.st_mtime_ns))
    assert sources[0].stat().st_size == before.st_size
    assert stored_fingerprint(tmp_path, sources, settled_ns=0) != first


def test_a_store_on_disk_restarts_without_hashing_settled_files(
    sources: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(disk_settings(tmp_path))
    calls = _hashes(monkeypatch)
    sync_graph(store, sources)
    assert len(calls) == 1
    assert sync_graph(store, sources) is False  # the files changed a moment ago: hashed
    assert len(calls) == 2
    monkeypatch.setattr("jaif_kg.store.loading.SETTLED_NS", 0)  # as if they had settled
    assert sync_graph(store, sources) is False
    assert sync_graph(store, sources) is False
    assert len(calls) == 2  # the memo of the last hashing is trusted now: not hashed
    store.close()


def test_files_too_fresh_to_trust_are_hashed_once_more_when_settled(
    sources: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``jaif-kg serve`` settles them after its start-up: the restart after a change reads none."""
    import time

    from jaif_kg.store.loading import settle_fingerprints, stored_fingerprint

    monkeypatch.setattr("jaif_kg.store.loading._unsettled", {})
    calls = _hashes(monkeypatch)
    settled_ns = 300_000_000  # the files were written a moment ago
    first = stored_fingerprint(tmp_path, sources, settled_ns=settled_ns)
    assert settle_fingerprints() == 0  # not settled yet: left for a later call
    assert stored_fingerprint(tmp_path, sources, settled_ns=settled_ns) == first
    assert len(calls) == 2  # too fresh: hashed at each start
    time.sleep(0.35)
    assert settle_fingerprints() == 1 and len(calls) == 3
    assert settle_fingerprints() == 0 and len(calls) == 3  # once
    assert stored_fingerprint(tmp_path, sources, settled_ns=settled_ns) == first
    assert len(calls) == 3  # the restart: remembered
