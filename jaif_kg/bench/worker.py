"""In-process measurements for :mod:`jaif_kg.bench.run`, each run in its own process.

``python -m jaif_kg.bench.worker '<json spec>'`` measures one backend on one data folder and
prints one JSON object: load time, validation times, the latency of every named query (and of
raw pyoxigraph on the same bound query), and the peak memory of the process (``VmHWM``); or the
cost of each step of ``jaif-kg validate`` and of each report format (:func:`run_formats`). A
process per run keeps the memory figures apart and the runs independent.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any


def peak_memory_mb() -> float:
    """Peak resident memory of this process in MB (``VmHWM``), 0 where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, by linear interpolation.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 0.5)
    2.5
    """
    ordered = sorted(values)
    if not ordered:
        return 0.0
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def timed(run: Callable[[], object], budget: float, least: int = 3, most: int = 25) -> list[float]:
    """Latencies (ms) of ``run`` after one warm-up: at least ``least`` runs, at most ``most``,
    stopping when ``budget`` seconds are spent."""
    run()
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < most and (len(times) < least or time.perf_counter() - started < budget):
        t = time.perf_counter()
        run()
        times.append((time.perf_counter() - t) * 1000)
    return times


def timed_pair(
    first: Callable[[], object],
    second: Callable[[], object],
    budget: float,
    least: int = 3,
    most: int = 401,
) -> tuple[list[float], list[float]]:
    """Latencies (ms) of ``first`` and ``second`` run by turns (first, second, first...) after
    one warm-up each, until ``budget`` seconds are spent (at least ``least``, at most ``most``
    runs of each): a change of the machine's pace while they are measured (another process, the
    CPU's clock) falls on both alike, and a cheap query gets enough runs for its median.

    >>> a, b = timed_pair(lambda: None, lambda: None, 0.001, most=5)
    >>> 3 <= len(a) == len(b) <= 5
    True
    """
    first()
    second()
    mine: list[float] = []
    theirs: list[float] = []
    started = time.perf_counter()
    while len(mine) < most and (len(mine) < least or time.perf_counter() - started < budget):
        for run, times in ((first, mine), (second, theirs)):
            t = time.perf_counter()
            run()
            times.append((time.perf_counter() - t) * 1000)
    return mine, theirs


def _summary(times: list[float]) -> dict[str, float]:
    return {
        "p50": statistics.median(times),
        "p95": percentile(times, 0.95),
        "runs": len(times),
    }


def run_backend(spec: dict[str, Any]) -> dict[str, Any]:
    """Measure one backend (see the module docstring); ``spec`` keys: backend, data_dir,
    store_path, remote_url, graph_store_url, validate_fast, budget."""

    import pyoxigraph as ox

    from jaif_kg.api.server import StartupReport, build_store
    from jaif_kg.catalog import Catalog, run_named
    from jaif_kg.rdf.graph import shapes_paths, shipped_paths
    from jaif_kg.settings import Settings
    from jaif_kg.store.graphs import meta_graph

    backend = spec["backend"]
    updates: dict[str, Any] = {"data_dir": Path(spec["data_dir"]), "query_timeout": 600.0}
    if backend == "oxigraph-disk":
        updates |= {"store": "oxigraph", "store_path": Path(spec["store_path"])}
    elif backend == "remote":
        updates |= {"store": spec["remote_url"], "graph_store_url": spec.get("graph_store_url")}
    else:
        updates["store"] = backend
    settings = Settings().model_copy(update=updates)
    out: dict[str, Any] = {"backend": backend}

    started = time.perf_counter()
    report = StartupReport()
    store = build_store(settings, (), report)
    if backend == "remote":
        from jaif_kg.store.shipped import push

        push(shipped_paths(settings), store)
        report.triples = store.count()
    out["load_s"] = time.perf_counter() - started
    out["triples"] = report.triples

    raw = store.raw
    # jaif-kg's default graph: the store's own and every data graph (the shipped graph is a
    # named graph), the metadata graph left out; raw pyoxigraph validates and queries the same
    meta = meta_graph(settings.base_iri)
    default: list[ox.NamedNode | ox.DefaultGraph] = [ox.DefaultGraph()]
    default += [ox.NamedNode(g) for g in store.named_graphs() if g != meta]
    if spec.get("validate_fast"):
        from jaif_kg.rdf.graph import read_graph
        from jaif_kg.shacl.fast import validate_rows, validate_store

        shapes = read_graph(shapes_paths(settings))
        started = time.perf_counter()
        if raw is not None:
            result = validate_store(raw, shapes, default_graph=default)
        else:
            result = validate_rows(lambda q: store.query(q).rows, shapes)
        out["validate_fast_s"] = time.perf_counter() - started
        out["validate_fast_results"] = len(result.results)
        if raw is not None and result.triples != out["triples"]:
            # the graph validated is the graph served, or the figure measures nothing
            raise RuntimeError(
                f"validated {result.triples:,} triples of the {out['triples']:,} loaded"
            )

    catalog = Catalog.from_dir(settings.queries_dir)
    queries: dict[str, Any] = {}
    budget = float(spec.get("budget", 2.0))
    skip: dict[str, str] = spec.get("skip", {})
    cap = float(spec.get("cap", 20.0))
    for query in catalog:
        if query.name in skip:
            queries[query.name] = {"skipped": skip[query.name]}
            continue
        values = dict(query.example)
        text = query.bind(values)
        first = time.perf_counter()
        entry: dict[str, Any] = {"rows": len(run_named(store, query, values))}
        single = time.perf_counter() - first
        if single > cap:  # not repeated: one run is the measurement
            entry["jaif"] = {"p50": single * 1000, "p95": single * 1000, "runs": 1}
            queries[query.name] = entry
            continue
        # binding parses the query: measured apart, it is part of run_named's time
        entry["bind"] = _summary(timed(lambda q=query, v=values: q.bind(v), budget / 4))  # type: ignore[misc]
        _measure(entry, partial(run_named, store, query, values), raw, text, default, budget)
        queries[query.name] = entry
    out["queries"] = queries
    store.close()
    out["peak_mb"] = peak_memory_mb()
    return out


def _once(seconds: float) -> dict[str, float]:
    """The summary of one run of ``seconds``."""
    return {"p50": seconds * 1000, "p95": seconds * 1000, "runs": 1}


def _measure(
    entry: dict[str, Any],
    run: Callable[[], object],
    raw: Any,
    text: str,
    default: list[Any],
    budget: float,
) -> None:
    """``entry["jaif"]`` (``run``: the named query through jaif-kg) and, when the store is
    pyoxigraph's, ``entry["raw"]`` and ``entry["raw_rows"]`` (the bound ``text`` on ``raw`` over
    the same ``default`` graphs), measured by turns (:func:`timed_pair`)."""
    if raw is None:
        entry["jaif"] = _summary(timed(run, budget))
        return

    def run_raw() -> int:
        return _consume(raw.query(text, default_graph=default))

    entry["raw_rows"] = run_raw()
    mine, theirs = timed_pair(run, run_raw, 2 * budget)
    entry["jaif"], entry["raw"] = _summary(mine), _summary(theirs)


def _consume(result: object) -> int:
    """Read every value of a pyoxigraph result, as a caller of the raw API would."""
    import pyoxigraph as ox

    count = 0
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        for solution in result:
            for name in names:
                solution[name]
            count += 1
    elif isinstance(result, ox.QueryTriples):
        count = sum(1 for _ in result)
    return count


def _timed_validation(
    spec: dict[str, Any], load: Callable[[list[Path]], Any], check: Callable[[Any, Any], Any]
) -> dict[str, Any]:
    """Load the data folder with ``load``, validate it with ``check``; time both apart."""
    from jaif_kg.rdf.graph import read_graph, shapes_paths, shipped_paths
    from jaif_kg.settings import Settings

    settings = Settings().model_copy(update={"data_dir": Path(spec["data_dir"])})
    started = time.perf_counter()
    data = load(shipped_paths(settings))
    shapes = read_graph(shapes_paths(settings))
    loaded = time.perf_counter()
    report = check(data, shapes)
    done = time.perf_counter()
    return {
        "load_s": loaded - started,
        "validate_s": done - loaded,
        "results": len(report.results),
        "peak_mb": peak_memory_mb(),
    }


def run_pyshacl(spec: dict[str, Any]) -> dict[str, Any]:
    """pySHACL on the data folder, read from the files (load into rdflib, then validate)."""
    from jaif_kg.rdf.graph import read_graph
    from jaif_kg.shacl.pyshacl_engine import validate_graphs

    return _timed_validation(spec, read_graph, validate_graphs)


def run_fast_files(spec: dict[str, Any]) -> dict[str, Any]:
    """The fast engine from the files, as ``jaif-kg validate --engine fast`` runs it."""
    from jaif_kg.rdf.files import load_oxigraph
    from jaif_kg.shacl.fast import validate_store

    return _timed_validation(spec, load_oxigraph, validate_store)


#: The formats of ``jaif-kg validate --format``, text first (the others are compared with it).
REPORT_FORMATS = ("text", "json", "junit", "sarif", "github", "markdown", "turtle")


def run_formats(spec: dict[str, Any]) -> dict[str, Any]:
    """The steps of ``jaif-kg validate FILE --format F``, timed apart with the library: read the
    file (``read_inputs``), validate (``jaif_kg.shacl.validate``, engine auto, vocabulary check
    included), locate the results (``locate``, file:line) and render the located report in each
    format. Each step: the median of at least 3 runs after a warm-up (``spec["budget"]`` s each).
    ``spec`` keys: data_file, budget."""
    from jaif_kg.rdf.files import project_contexts, read_inputs
    from jaif_kg.rdf.graph import ontology_path, shapes_paths
    from jaif_kg.settings import Settings
    from jaif_kg.shacl import validate
    from jaif_kg.shacl.locate import locate
    from jaif_kg.shacl.render import render

    settings = Settings()
    base = settings.base_iri
    budget = float(spec.get("budget", 2.0))
    source = [Path(spec["data_file"])]
    contexts = project_contexts(base, settings.public_url)
    shapes = shapes_paths(settings)
    ontology = [ontology_path(settings)]

    def read() -> Any:
        return read_inputs(source, base=base, contexts=contexts)

    files = read()
    report = validate(files, shapes, ontology, engine="auto", base=base)
    located = locate(report, files, base=base)
    out: dict[str, Any] = {
        "triples": report.triples,
        "results": len(report.results),
        "located": sum(1 for r in located.results if r.line is not None),
        "read": _summary(timed(read, budget)),
        "validate": _summary(
            timed(lambda: validate(files, shapes, ontology, engine="auto", base=base), budget)
        ),
        "locate": _summary(timed(lambda: locate(report, files, base=base), budget)),
        "render": {},
        "bytes": {},
    }
    for fmt in REPORT_FORMATS:
        out["render"][fmt] = _summary(
            timed(lambda f=fmt: render(located, f, "violation"), budget)  # type: ignore[misc]
        )
        out["bytes"][fmt] = len(render(located, fmt, "violation").encode("utf-8"))
    out["peak_mb"] = peak_memory_mb()
    return out


def run_turtle(spec: dict[str, Any]) -> dict[str, Any]:
    """Write ``spec["data_file"]`` as canonical Turtle (``jaif-kg fmt``'s writer,
    :func:`jaif_kg.rdf.canonical.canonical_turtle`) to ``spec["out"]``; the time it took."""
    from jaif_kg.rdf.canonical import canonical_turtle

    started = time.perf_counter()
    text = canonical_turtle(spec["data_file"])
    Path(spec["out"]).write_text(text, encoding="utf-8")
    return {
        "seconds": time.perf_counter() - started,
        "bytes": len(text.encode("utf-8")),
        "lines": text.count("\n"),
    }


def run_import(spec: dict[str, Any]) -> dict[str, Any]:
    """``jaif-kg import`` as :func:`jaif_kg.imports.bench.measure` runs it: ``spec["rows"]`` rows
    of generated WDI CSV (``spec["filled_years"]`` non-empty years each) and
    ``spec["activities"]`` IATI activities, each converted (the engine in its own process) and
    put into a new on-disk store. Peak memory of this process and of its largest child (the
    engine), from ``getrusage``; ``{"missing": why}`` without the engine."""
    import resource

    from jaif_kg.imports import EngineMissing
    from jaif_kg.imports.bench import measure
    from jaif_kg.imports.engine import engine_python

    try:
        python = engine_python()
    except EngineMissing as exc:
        return {"missing": str(exc)}
    started = time.perf_counter()
    measured = measure(int(spec["rows"]), int(spec["activities"]), int(spec["filled_years"]))
    imports = [
        {
            "kind": m.kind,
            "rows": m.rows,
            "observations": m.observations,
            "triples": m.triples,
            "convert_s": m.convert_seconds,
            "store_s": m.store_seconds,
            "rows_per_s": m.rows_per_second,
        }
        for m in measured
    ]
    return {
        "engine": python,
        "imports": imports,
        "seconds": time.perf_counter() - started,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "engine_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def run_imported(spec: dict[str, Any]) -> dict[str, Any]:
    """Generate the sources of :func:`jaif_kg.bench.synth.import_sources` for about
    ``spec["triples"]`` triples in ``spec["folder"]``, convert each with ``jaif-kg import``'s
    library and write its graph as N-Quads there; the files, graphs and times."""
    from jaif_kg.bench import synth
    from jaif_kg.imports import CountryTable, EngineMissing, convert, write_rdf

    folder = Path(spec["folder"])
    started = time.perf_counter()
    sources = synth.import_sources(folder / "sources", int(spec["triples"]))
    generated = time.perf_counter() - started
    graphs: list[dict[str, Any]] = []
    for source in sources:
        try:
            conversion = convert(source.kind, source.path, CountryTable.of(source.countries))
        except EngineMissing as exc:
            return {"missing": str(exc)}
        out = folder / f"{source.path.stem}.nq"
        write_rdf(conversion, out)
        graphs.append(
            {
                "kind": source.kind,
                "graph": conversion.graph,
                "file": str(out),
                "rows": conversion.mapped,
                "triples": len(conversion.quads),
                "convert_s": conversion.seconds,
            }
        )
    return {"graphs": graphs, "generate_s": generated, "seconds": time.perf_counter() - started}


def run_crossqueries(spec: dict[str, Any]) -> dict[str, Any]:
    """The cross-dataset named queries on one backend (``memory`` or ``remote``): the data
    folder ``spec["data_dir"]`` in the shipped graph and each N-Quads file of ``spec["graphs"]``
    in its graph, recorded in the metadata graph (in memory by
    :func:`~jaif_kg.api.server.build_store`, on a server by
    :func:`~jaif_kg.store.shipped.push_dataset`). Each query of ``spec["queries"]`` runs with
    its example parameters; when they find nothing and ``spec["fallback"]`` has a query for it
    (``{name: [parameter, SELECT ?value ...]}``), with the first value that query finds. In
    memory, raw pyoxigraph runs the same bound text on the same default graph. A query whose
    first run takes over ``spec["cap"]`` seconds is not repeated (one run is its figure)."""
    import pyoxigraph as ox

    from jaif_kg.api.server import StartupReport, build_store
    from jaif_kg.catalog import Catalog, run_named
    from jaif_kg.settings import Settings
    from jaif_kg.store.graphs import meta_graph

    remote = spec["backend"] == "remote"
    updates: dict[str, Any] = {"data_dir": Path(spec["data_dir"]), "query_timeout": 600.0}
    if remote:
        updates |= {"store": spec["remote_url"], "graph_store_url": spec.get("graph_store_url")}
    else:
        updates["store"] = "oxigraph"
    settings = Settings().model_copy(update=updates)
    graphs: list[tuple[str | None, Path]] = [(None, Path(f)) for f in spec["graphs"]]
    started = time.perf_counter()
    report = StartupReport()
    if remote:
        from jaif_kg.store.shipped import push_dataset

        store = build_store(settings, (), report)
        push_dataset(store, settings, graphs)
    else:
        store = build_store(settings, graphs, report)
    meta = meta_graph(settings.base_iri)
    out: dict[str, Any] = {
        "backend": spec["backend"],
        "load_s": time.perf_counter() - started,
        "triples": store.count() - store.count(meta),
        "graphs": sorted(store.named_graphs()),
    }
    raw = store.raw
    default: list[ox.NamedNode | ox.DefaultGraph] = [ox.DefaultGraph()]
    default += [ox.NamedNode(g) for g in out["graphs"] if g != meta]
    catalog = Catalog.from_dir(settings.queries_dir)
    budget = float(spec.get("budget", 2.0))
    cap = float(spec.get("cap", 20.0))
    fallback: dict[str, list[str]] = spec.get("fallback", {})
    queries: dict[str, Any] = {}
    for name in spec["queries"]:
        query = catalog[name]
        values = dict(query.example)
        first = time.perf_counter()
        entry: dict[str, Any] = {"rows": len(run_named(store, query, values)), "example": True}
        if entry["rows"] == 0 and name in fallback:
            parameter, finder = fallback[name]
            found = store.query(finder).rows
            if found:
                values[parameter] = str(found[0]["value"])
                first = time.perf_counter()
                entry = {"rows": len(run_named(store, query, values)), "example": False}
        single = time.perf_counter() - first
        entry["params"] = values
        text = query.bind(values)
        entry["bind"] = _summary(timed(lambda q=query, v=values: q.bind(v), budget / 4))  # type: ignore[misc]
        if single > cap:  # not repeated: one run is the measurement
            entry["jaif"] = _once(single)
            if raw is not None:
                began = time.perf_counter()
                entry["raw_rows"] = _consume(raw.query(text, default_graph=default))  # type: ignore[arg-type]
                entry["raw"] = _once(time.perf_counter() - began)
        else:
            _measure(entry, partial(run_named, store, query, values), raw, text, default, budget)
        queries[name] = entry
    out["queries"] = queries
    store.close()
    out["peak_mb"] = peak_memory_mb()
    return out


RUNNERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "backend": run_backend,
    "pyshacl": run_pyshacl,
    "fast": run_fast_files,
    "formats": run_formats,
    "turtle": run_turtle,
    "import": run_import,
    "imported": run_imported,
    "crossqueries": run_crossqueries,
}


def main(argv: list[str] | None = None) -> int:
    """Run the measurement that the JSON argument describes; print the result as JSON."""
    spec = json.loads((argv or sys.argv[1:])[0])
    result = RUNNERS[spec["kind"]](spec)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
