"""``jaif-kg import KIND FILE``: map a CSV, JSON or XML file to RDF (:mod:`jaif_kg.imports`) and
put it, as one named graph, into the store or a file."""

from __future__ import annotations

import argparse
from pathlib import Path

from jaif_kg.cli.args import (
    Subparsers,
    add_store_options,
    add_write_options,
    check_store_setting,
    check_write_urls,
    load_settings,
    say,
    store_updates,
    utf8_text,
    write_updates,
)
from jaif_kg.errors import InputError, StoreError
from jaif_kg.store import is_url


def add(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "import",
        help="map CSV, JSON or XML (World Bank WDI, IATI, a CSV by country) into a named graph",
        description=(
            "Read FILE as KIND, map it to RDF with the shipped RML mapping (engine: morph-kgc, "
            "JAIF_RML_PYTHON), and replace one named graph with it, all at once: in the store "
            "(--store/--store-path: the embedded store, or a SPARQL server: its query URL, "
            "with --update-url or --graph-store-url where it takes writes), or in a file (--out "
            "FILE.nq, which `serve --graph IRI=FILE` loads). KIND: wdi-csv (World Bank "
            "API_<CODE>_DS2 CSV), wdi-json (World Bank API JSON), iati (IATI 2.03 activity XML), "
            "csv (one column names the country by ISO alpha-2, alpha-3 or M49; the others become "
            "properties under --namespace). docs/IMPORT.md has the output of each. Exit 0 "
            "imported, 2 bad input (file and line; nothing written), 3 the store failed."
        ),
    )
    p.add_argument("kind", choices=("wdi-csv", "wdi-json", "iati", "csv"), metavar="KIND")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument(
        "--graph",
        type=utf8_text,
        metavar="IRI",
        help="the named graph (default: {base}graph/wdi-<code>, graph/iati, graph/csv-<file>)",
    )
    p.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="write the graph to FILE (.nq, .trig with its name; .nt, .ttl...) instead of a store",
    )
    p.add_argument(
        "--skip-unknown",
        action="store_true",
        help="leave out rows whose country code the graph does not describe (World Bank "
        "aggregates such as EAS, WLD) and count them, instead of failing",
    )
    p.add_argument(
        "--namespace",
        type=utf8_text,
        metavar="IRI",
        help="csv: the IRI (ending in / or #) the columns' properties go under",
    )
    p.add_argument(
        "--key", type=utf8_text, metavar="COLUMN", help="csv: the column naming the country"
    )
    p.add_argument(
        "--source",
        type=utf8_text,
        metavar="URL",
        help="wdi-*: where the file was downloaded from (dcterms:source; default: its file URL)",
    )
    add_store_options(p)
    add_write_options(p, for_store=True)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from jaif_kg.imports import convert, graph_countries, import_into, write_rdf

    updates = store_updates(args)
    if (
        args.store is not None
        and args.store not in ("oxigraph", "rdflib")
        and not is_url(args.store)
    ):
        updates.update(store="oxigraph", store_path=Path(args.store))  # --store DIR
    updates.update(write_updates(args))
    settings = load_settings().model_copy(update=updates)
    if args.out is None:
        check_store_setting(settings)
        check_write_urls(settings)
        if not is_url(settings.store) and settings.store_path is None:
            raise InputError(
                "the import would go to a store in memory and be lost: name where it goes "
                "(--store-path DIR or JAIF_STORE_PATH, --store URL, or --out FILE)"
            )
    conversion = convert(
        args.kind,
        args.file,
        graph_countries(settings),
        base=settings.base_iri,
        graph=args.graph,
        namespace=args.namespace,
        key=args.key,
        skip_unknown=args.skip_unknown,
        source=args.source,
    )
    skipped = ""
    if conversion.skipped:
        codes = ", ".join(f"{code} {n}" for code, n in sorted(conversion.skipped.items()))
        skipped = f"; skipped {sum(conversion.skipped.values()):,} of unknown countries ({codes})"
    read = f"{conversion.rows:,} rows read, {conversion.mapped:,} mapped{skipped}"
    if args.out is not None:
        write_rdf(conversion, args.out)
        say(
            f"{args.file}: {read}; {len(conversion.quads):,} triples of <{conversion.graph}> "
            f"written to {args.out}"
        )
        return 0
    from jaif_kg.store import open_store

    store = open_store(settings)
    try:
        held = import_into(store, conversion, base=settings.base_iri)
    except StoreError as exc:
        if is_url(settings.store) and not (settings.update_url or settings.graph_store_url):
            # many servers (Oxigraph: /query, /update, /store) take no writes at the query URL
            raise StoreError(
                f"{exc} (the write went to the query URL {settings.store}: name the server's "
                "update URL with --update-url or JAIF_UPDATE_URL, or its Graph Store URL with "
                "--graph-store-url or JAIF_GRAPH_STORE_URL)"
            ) from None
        raise
    finally:
        store.close()
    say(
        f"{args.file}: {read}; <{conversion.graph}> replaced with {len(conversion.quads):,} "
        f"triples in {store.where()} (it holds {held:,})"
    )
    return 0
