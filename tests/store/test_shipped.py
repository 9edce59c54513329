"""``load_shipped``: the shipped graph into whichever store ``serve`` or ``query`` opened."""

from __future__ import annotations

from pathlib import Path

from jaif_kg.settings import Settings
from jaif_kg.store import load_shipped, meta_graph, open_store, shipped_graph
from jaif_kg.store.loading import SOURCES_FILE

EX = "http://example.org/"


def test_an_in_memory_store_is_loaded_with_the_named_graphs(
    settings: Settings, tmp_path: Path
) -> None:
    extra = tmp_path / "extra.ttl"
    extra.write_text(f"<{EX}a> <{EX}p> 1, 2 .\n", encoding="utf-8")
    store = open_store(settings.model_copy(update={"store": "oxigraph"}))
    triples = load_shipped(store, settings, [(EX + "g", extra)])
    assert triples is not None and triples > 1000
    jaif, meta = shipped_graph(settings.base_iri), meta_graph(settings.base_iri)
    assert store.named_graphs() == sorted([EX + "g", jaif, meta])
    assert store.count(None) == store.count(jaif) + 2 + store.count(meta)
    assert store.count(jaif) + 2 == triples  # no triple is stated twice in the shipped files


def test_a_persistent_store_is_synchronised(settings: Settings, tmp_path: Path) -> None:
    disk = settings.model_copy(update={"store": "oxigraph", "store_path": tmp_path / "db"})
    store = open_store(disk)
    assert load_shipped(store, disk) is None
    assert (tmp_path / "db" / SOURCES_FILE).is_file()
    count = store.count()
    store.close()
    del store  # the folder's lock goes with the handle
    reopened = open_store(disk)
    assert load_shipped(reopened, disk) is None
    assert reopened.count() == count
    reopened.close()


def test_a_servers_store_is_left_alone(settings: Settings) -> None:
    remote = settings.model_copy(update={"store": "http://127.0.0.1:1/query"})
    store = open_store(remote)  # nothing listens there: any request would fail
    assert load_shipped(store, remote) is None


def test_a_persistent_store_says_its_size_from_the_records(
    settings: Settings, tmp_path: Path
) -> None:
    """A restart prints how many triples it serves without counting them: the records' sum,
    the count itself whenever a record is missing or the store's own default graph holds any."""
    from jaif_kg.store.graphs import recorded_triples

    extra = tmp_path / "extra.ttl"
    extra.write_text(f"<{EX}a> <{EX}p> 1, 2, 3 .\n", encoding="utf-8")
    disk = settings.model_copy(update={"store": "oxigraph", "store_path": tmp_path / "db"})
    store = open_store(disk)
    load_shipped(store, disk, [(EX + "g", extra)])
    base = settings.base_iri
    counted = store.count() - store.count(meta_graph(base))
    assert recorded_triples(store, base) == counted == store.count(shipped_graph(base)) + 3
    store.load(f"<{EX}a> <{EX}p> 4 .".encode(), "text/turtle", EX + "unrecorded")
    assert recorded_triples(store, base) is None
    store.replace_quads([], EX + "unrecorded")
    assert recorded_triples(store, base) == counted
    store.load(f"<{EX}a> <{EX}p> 5 .".encode(), "text/turtle")  # the store's default graph
    assert recorded_triples(store, base) is None
    store.close()
    memory = open_store(settings.model_copy(update={"store": "oxigraph"}))
    load_shipped(memory, settings)
    assert recorded_triples(memory, base) is None
