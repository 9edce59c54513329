"""``make bench`` (``python -m jaif_kg.bench.run``): measure jaif-kg at several sizes and write
``docs/BENCHMARKS.md``.

A script, not a test: it prints tables as it goes and writes the report at the end. For each
size (synthetic data from :mod:`jaif_kg.bench.synth`, 10^3 to 10^6 triples by default) and backend
(Oxigraph in memory, Oxigraph on disk, rdflib in memory up to ``--rdflib-max``, and a remote
``oxigraph serve`` through the remote backend), one subprocess (:mod:`jaif_kg.bench.worker`)
measures load time, validation time with the fast engine, the p50/p95 latency of every named
query with its example parameters, raw pyoxigraph on the same bound query, and its peak
memory. pySHACL is measured up to ``--pyshacl-max`` triples. Over HTTP on loopback, at one
size, jaif-kg (``jaif-kg serve``), ``oxigraph serve`` and ``rdflib-endpoint`` serve the same
data and answer the same queries under a bounded load (:mod:`jaif_kg.bench.http`). Then
``jaif-kg serve`` is restarted on a 10^6-triple on-disk store and its start-up timed.

Then what a user runs, on the same synthetic data with one fault of each kind injected: ``jaif-kg
validate FILE`` end to end (the CLI in a subprocess, engine auto and pySHACL) at each size from
10^4; the cost of each step of ``validate`` and of each ``--format`` at ``--formats-size``
(10^5), with the data as N-Triples and as canonical Turtle; and ``jaif-kg diff`` between the
largest data and a second version with ``--diff-changes`` statements deleted, modified or added.

``--quick`` runs 10^3 and 10^4 only (a couple of minutes); ``--sizes`` picks sizes; ``--only``
runs some sections and keeps the others from the saved ``docs/BENCHMARKS.json``.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import math
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from jaif_kg.bench import synth
from jaif_kg.bench.http import Server
from jaif_kg.settings import PROJECT_ROOT

Result = dict[str, Any]

#: Named queries used over HTTP (the heavier and the lighter ones).
HTTP_NAMED = ("member-states", "project-beneficiaries", "projects-by-beneficiary", "sources-of")

#: Representative /sparql queries: an IRI lookup, a join on a country, a GROUP BY.
PREFIXES = (
    "PREFIX jaif: <https://w3id.org/jaif-kg/ontology#>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
)
HTTP_SPARQL = {
    "IRI lookup": "SELECT ?p ?o WHERE { <https://w3id.org/jaif-kg/id/project/synthetic-0000001> "
    "?p ?o }",
    "country join": PREFIXES
    + "SELECT ?project ?title ?name WHERE { ?project jaif:beneficiary ?country ; "
    "dcterms:title ?title . ?country skos:prefLabel ?name ; "
    'skos:notation "KHM"^^jaif:ISO3166Alpha3 }',
    "GROUP BY": PREFIXES
    + "SELECT ?name (COUNT(?project) AS ?projects) WHERE { ?project jaif:beneficiary ?c . "
    "?c skos:prefLabel ?name } GROUP BY ?name ORDER BY ?name",
}
JSON_RESULTS = {"Accept": "application/sparql-results+json"}
#: The row of the IRI lookup whose IRI changes with every request (over the synthetic projects).
VARIED_LABEL = "IRI lookup, varied IRI"

#: The parts of a run (``--only``), each with the key of the results it writes.
SECTIONS: dict[str, str] = {
    "sizes": "sizes",
    "cli": "cli_validate",
    "formats": "formats",
    "diff": "diff",
    "http": "http",
    "startup": "startup",
    "checks": "checks",
    "import": "import",
    "crossqueries": "crossqueries",
}

#: The cross-dataset named queries (``crossqueries``), on the synthetic graph and imported ones.
CROSS_QUERIES = ("projects-with-indicator", "related-activities", "facts-about")

#: Parameters for a cross-dataset query whose example finds nothing in synthetic data: the
#: parameter and a query for its value. The example project of ``related-activities`` is not
#: synthetic; a synthetic project in the education area meets the generated IATI activities
#: (their sectors 111xx are under the area's DAC code 11110 at 111).
CROSS_FALLBACK = {
    "related-activities": [
        "project",
        "SELECT ?value WHERE { ?value <https://w3id.org/jaif-kg/ontology#strategicArea> "
        "<https://w3id.org/jaif-kg/id/strategic-area/education> } ORDER BY ?value LIMIT 1",
    ]
}

#: The target of the import section: seconds for 10^5 WDI rows (convert and store).
IMPORT_TARGET_S = 30.0
IMPORT_TARGET_ROWS = 100_000

#: Faults injected into the data of the ``cli``, ``formats`` and ``diff`` sections: one of each
#: kind :mod:`jaif_kg.bench.synth` knows, so that validation has results to locate and render.
FAULTS = len(synth.FAULT_KINDS)

#: The size ``--huge`` adds, measured on the on-disk store only.
HUGE_SIZE = 10_000_000

#: The smallest size ``jaif-kg validate`` is run at end to end.
CLI_MIN_SIZE = 10_000

#: A CLI run shorter than this (s) is repeated twice more and the median kept.
CLI_REPEAT_BELOW = 5.0

#: The targets of the sections on what a user runs (seconds, fraction).
DIFF_TARGET_S = 30.0
FORMATS_TARGET = 0.10


def log(text: str) -> None:
    """Print progress at once (the run is long)."""
    print(text, flush=True)


def parse_size(text: str) -> int:
    """``1e5``, ``100000`` or ``100k`` as a number of triples.

    >>> parse_size("1e5"), parse_size("10k"), parse_size("2M")
    (100000, 10000, 2000000)
    """
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    if factor != 1:
        text = text[:-1]
    return int(float(text) * factor)


def size_label(n: int) -> str:
    """``10^5`` for a power of ten, else the number.

    >>> size_label(100000), size_label(25000)
    ('10^5', '25,000')
    """
    exponent = math.log10(n) if n > 0 else 0
    return f"10^{round(exponent)}" if exponent == round(exponent) else f"{n:,}"


def worker(spec: Result, timeout: float = 3600) -> Result:
    """Run :mod:`jaif_kg.bench.worker` on ``spec`` in a new process; its JSON result."""
    done = subprocess.run(
        [sys.executable, "-m", "jaif_kg.bench.worker", json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        return {"error": " / ".join(tail) or f"exit {done.returncode}"}
    result: Result = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def make_data(root: Path, target: int, seed: int, faults: int = 0) -> tuple[Path, int, int]:
    """A data folder with one synthetic file of about ``target`` triples, with up to ``faults``
    known violations (no more than there are projects)."""
    folder = root / (f"data-{target}-faults" if faults else f"data-{target}")
    folder.mkdir(parents=True, exist_ok=True)
    projects = synth.projects_for_triples(target, seed)
    # N-Triples is Turtle: the shipped-graph loader reads graph_data/*.ttl
    triples = synth.write(folder / "synthetic.ttl", projects, seed, min(faults, projects))
    return folder, projects, triples


# -- what a user runs: jaif-kg validate, the report formats, jaif-kg diff ---------------------


def run_cli(args: Sequence[str], workdir: Path) -> Result:
    """Run ``jaif-kg ARGS`` as a user does, in a new process; its wall-clock seconds, exit code,
    peak memory (the child's ``ru_maxrss``), the size of its output, and the summary line of
    ``validate`` (else the last line of its output, or of stderr when it printed nothing)."""
    from jaif_kg.bench.http import tool_path

    workdir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = workdir / "cli.out", workdir / "cli.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [tool_path("jaif-kg"), *args], stdin=subprocess.DEVNULL, stdout=out, stderr=err
        )
        # wait4, not wait: the resource usage of this child alone
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    text = out_path.read_text(encoding="utf-8", errors="replace")
    lines = text.splitlines()
    summary = next(
        (line for line in reversed(lines) if line.startswith(("Conforms", "Does not conform"))),
        None,
    )
    if summary is None:
        tail = lines or err_path.read_text(encoding="utf-8", errors="replace").splitlines()
        summary = tail[-1] if tail else ""
    return {
        "seconds": seconds,
        "exit": process.returncode,
        "peak_mb": usage.ru_maxrss / 1024,
        "stdout_bytes": out_path.stat().st_size,
        "stdout_lines": len(lines),
        "summary": summary,
    }


def run_cli_timed(args: Sequence[str], workdir: Path) -> Result:
    """:func:`run_cli`; when a run takes under :data:`CLI_REPEAT_BELOW` s, two more runs and
    the median time (the exit code and output of the first, the highest peak memory)."""
    first = run_cli(args, workdir)
    times = [first["seconds"]]
    peak = first["peak_mb"]
    if first["seconds"] < CLI_REPEAT_BELOW:
        for _ in range(2):
            again = run_cli(args, workdir)
            times.append(again["seconds"])
            peak = max(peak, again["peak_mb"])
    return first | {"seconds": sorted(times)[len(times) // 2], "runs": len(times), "peak_mb": peak}


def cli_round(
    root: Path, data: Callable[[int], tuple[Path, int, int]], sizes: Iterable[int], pyshacl_max: int
) -> list[Result]:
    """``jaif-kg validate FILE --engine auto|pyshacl`` on the data of each size (pySHACL up to
    ``pyshacl_max`` triples; beyond, ``None``)."""
    rows: list[Result] = []
    for target in sizes:
        folder, projects, triples = data(target)
        file = folder / "synthetic.ttl"
        row: Result = {
            "target": target,
            "triples": triples,
            "faults": min(FAULTS, projects),
            "engines": {},
        }
        log(f"\n== jaif-kg validate on {triples:,} triples ({row['faults']} faults injected)")
        for engine in ("auto", "pyshacl"):
            if engine == "pyshacl" and target > pyshacl_max:
                row["engines"][engine] = None
                continue
            r = run_cli_timed(["validate", str(file), "--engine", engine], root / "cli")
            row["engines"][engine] = r
            log(
                f"  --engine {engine:8} {r['seconds']:8.2f} s  exit {r['exit']}  peak "
                f"{r['peak_mb']:.0f} MB  {r['summary']}"
            )
        rows.append(row)
    return rows


def formats_round(
    root: Path, data: Callable[[int], tuple[Path, int, int]], target: int, budget: float
) -> Result:
    """The steps of ``jaif-kg validate`` and each report format (:func:`worker.run_formats
    <jaif_kg.bench.worker.run_formats>`) at one size, with the data as N-Triples (``.nt``), as
    the same text named ``.ttl`` (the file of :func:`cli_round`), and as canonical Turtle."""
    folder, projects, triples = data(target)
    source = folder / "synthetic.ttl"
    here = root / f"formats-{target}"
    here.mkdir(parents=True, exist_ok=True)
    ntriples = here / "synthetic.nt"
    shutil.copyfile(source, ntriples)
    turtle = here / "synthetic-canonical.ttl"
    log(f"\n== report formats at {triples:,} triples")
    written = worker({"kind": "turtle", "data_file": str(source), "out": str(turtle)})
    log(f"  canonical Turtle: {written}")
    inputs = [
        ("N-Triples (.nt)", ntriples),
        ("N-Triples text named .ttl (read as Turtle)", source),
        ("canonical Turtle (.ttl)", turtle),
    ]
    out: Result = {
        "target": target,
        "triples": triples,
        "faults": min(FAULTS, projects),
        "turtle": written,
        "inputs": {},
    }
    for label, path in inputs:
        if path == turtle and "error" in written:
            continue
        r = worker({"kind": "formats", "data_file": str(path), "budget": budget})
        out["inputs"][label] = r
        if "error" in r:
            log(f"  {label}: failed: {r['error']}")
            continue
        log(
            f"  {label}: read {r['read']['p50']:.0f} ms, validate {r['validate']['p50']:.0f} ms, "
            f"locate {r['locate']['p50']:.1f} ms, render "
            + ", ".join(f"{f} {v['p50']:.1f}" for f, v in r["render"].items())
            + " ms"
        )
    return out


def changed_version(src: Path, dst: Path, changes: int, seed: int) -> dict[str, int]:
    """Write to ``dst`` a second version of the N-Triples file ``src``: about ``changes``
    statements, a third deleted, a third modified (an English literal replaced) and a third
    added (an ``rdfs:comment`` on an existing subject), chosen with ``seed``. The counts."""
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    rng = random.Random(seed)
    third = changes // 3
    literals = [i for i, line in enumerate(lines) if line.rstrip().endswith("@en .")]
    modified = set(rng.sample(literals, min(third, len(literals))))
    others = [i for i in range(len(lines)) if i not in modified]
    deleted = set(rng.sample(others, min(third, len(others))))
    out: list[str] = []
    for i, line in enumerate(lines):
        if i in deleted:
            continue
        if i in modified:
            subject, predicate, _ = line.split(" ", 2)
            line = f'{subject} {predicate} "revised in the second version ({i})"@en .\n'
        out.append(line)
    comment = "<http://www.w3.org/2000/01/rdf-schema#comment>"
    subjects = [lines[i].split(" ", 1)[0] for i in rng.sample(range(len(lines)), third)]
    for k, subject in enumerate(subjects):
        out.append(f'{subject} {comment} "added in the second version ({k})"@en .\n')
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text("".join(out), encoding="utf-8")
    return {"deleted": len(deleted), "modified": len(modified), "added": len(subjects)}


def diff_round(
    root: Path, data: Callable[[int], tuple[Path, int, int]], target: int, changes: int, seed: int
) -> Result:
    """``jaif-kg diff OLD NEW``: the data of ``target`` triples and a second version of it
    (:func:`changed_version`)."""
    folder, _, triples = data(target)
    old = folder / "synthetic.ttl"
    new = root / f"diff-{target}" / "synthetic.ttl"
    counts = changed_version(old, new, changes, seed)
    log(f"\n== jaif-kg diff at {triples:,} triples: {counts}")
    r = run_cli_timed(["diff", str(old), str(new)], root / "cli")
    log(f"  {r['seconds']:.2f} s  exit {r['exit']}  peak {r['peak_mb']:.0f} MB")
    return {"target": target, "triples": triples, "changes": counts} | r


# -- HTTP ------------------------------------------------------------------------------------


#: The IRI lookup with the project number left to the load generator (:data:`load.NUMBER_MARK
#: <jaif_kg.bench.load.NUMBER_MARK>`): the "varied IRI" row.
VARIED_LOOKUP = HTTP_SPARQL["IRI lookup"].replace("0000001", "__N__")


def http_jobs(
    server: str, sparql_path: str, named: dict[str, Any], projects: int
) -> list[tuple[str, str, str, int]]:
    """What one server is asked, in order: (section, label, path, projects to vary over, 0 for
    a fixed path). jaif-kg answers named queries on ``/api/queries/<name>``; the other servers
    get the same query bound to the same parameters on their SPARQL endpoint."""
    jobs: list[tuple[str, str, str, int]] = []
    for label, text in HTTP_SPARQL.items():
        jobs.append(("sparql", label, f"{sparql_path}?query={urllib.parse.quote(text)}", 0))
        if label == "IRI lookup" and projects:
            varied = f"{sparql_path}?query={urllib.parse.quote(VARIED_LOOKUP)}"
            jobs.append(("sparql", VARIED_LABEL, varied, projects))
    for qname, query in named.items():
        if server == "jaif-kg":
            params = urllib.parse.urlencode(query.example)
            path = f"/api/queries/{qname}" + (f"?{params}" if params else "")
        else:
            text = query.bind(dict(query.example))
            path = f"{sparql_path}?query={urllib.parse.quote(text)}"
        jobs.append(("named", qname, path, 0))
    return jobs


def http_round(root: Path, data_dir: Path, projects: int, seconds: int, warmup: int) -> Result:
    """Serve the same data with the three servers and drive each with the same queries
    (:func:`jaif_kg.bench.load.measure`: wrk, else the Python fallback), reading the CPU time
    of each server's process tree around each run. jaif-kg runs with its default settings
    (no ``JAIF_*`` variable passed on but its data folder)."""
    from jaif_kg.bench import http as h
    from jaif_kg.bench import load
    from jaif_kg.catalog import Catalog
    from jaif_kg.rdf.graph import ontology_path
    from jaif_kg.settings import Settings

    settings = Settings().model_copy(update={"data_dir": data_dir})
    files = [ontology_path(settings), data_dir / "synthetic.ttl"]
    root.mkdir(parents=True, exist_ok=True)
    catalog = Catalog.from_dir(settings.queries_dir)
    named = {name: catalog[name] for name in HTTP_NAMED if name in catalog}
    generator = load.WRK_GENERATOR if load.have_wrk() else load.PYTHON_GENERATOR
    out: Result = {
        "sparql": {},
        "named": {},
        "startup": {},
        "generator": generator,
        "seconds": seconds,
        "warmup": warmup,
        "projects": projects,
        "jaif_settings": "defaults (JAIF_DATA_DIR only)",
    }
    env = {"XDG_CACHE_HOME": str(root / "cache")}
    servers: list[tuple[str, Callable[[int], Server], str]] = [
        (
            "jaif-kg",
            lambda p: h.jaif_server(data_dir, p, env, root / "jaif.log", defaults=True),
            "/sparql",
        ),
        (
            "oxigraph",
            lambda p: h.oxigraph_server(files, root / "oxi-http", p, root / "oxigraph.log"),
            "/query",
        ),
        (
            "rdflib-endpoint",
            lambda p: h.rdflib_endpoint_server(files, p, root / "rdflib-endpoint.log"),
            "/",
        ),
    ]
    log(f"  load generator: {generator}; {warmup} s warm-up, then {seconds} s per query")
    for name, make, sparql_path in servers:
        port = h.free_port()
        log(f"  starting {name} on 127.0.0.1:{port}")
        try:
            server = make(port)
            with server:
                assert server.process is not None
                out["startup"][name] = server.startup_s
                for section, label, path, count in http_jobs(name, sparql_path, named, projects):
                    accept = (
                        JSON_RESULTS["Accept"] if section == "sparql" or name != "jaif-kg" else ""
                    )
                    r = load.measure(
                        port,
                        path,
                        accept,
                        server.process.pid,
                        seconds=seconds,
                        warmup=warmup,
                        count=count,
                    ).as_result()
                    out[section].setdefault(label, {})[name] = r
                    log(
                        f"    {name:16} {label:26} {r['requests']:7} req {r['rps']:9.1f} req/s  "
                        f"p50 {r['p50_ms']:8.2f} ms  p99 {r['p99_ms']:8.2f} ms  server CPU "
                        f"{_f(r['server_cpu_us'], 0)} us/req  errors {r['errors']}"
                    )
        except (OSError, RuntimeError, TimeoutError, subprocess.CalledProcessError) as exc:
            log(f"  {name} failed: {exc}")
            out.setdefault("failed", {})[name] = str(exc)
    return out


def tree_peak_mb(pid: int) -> float:
    """The sum of the peak resident memory (``VmHWM``) of ``pid`` and its live descendants, MB
    (an upper bound of the tree's peak: the processes need not have peaked at once, and pages
    they share count in each)."""
    from jaif_kg.bench.soak import process_tree, status_kb

    return sum(status_kb(f"/proc/{p}/status", "VmHWM") or 0 for p in process_tree(pid)) / 1024


def startup_round(root: Path, data_dir: Path, store_path: Path | None = None) -> Result:
    """Start ``jaif-kg serve`` (default settings) twice on an on-disk store (``store_path``, by
    default a new one under ``root``): the first start loads (unless the store already holds
    these files) and validates, the second finds the store filled and the verdict cached.
    Times to the first answer, and the peak memory of the server's process tree."""
    from jaif_kg.bench import http as h

    root.mkdir(parents=True, exist_ok=True)
    store_path = store_path or root / "startup-store"
    env = {"XDG_CACHE_HOME": str(root / "startup-cache"), "JAIF_STORE_PATH": str(store_path)}
    out: Result = {}
    for run in ("first", "restart"):
        port = h.free_port()
        logfile = root / f"startup-{run}.log"
        with h.jaif_server(data_dir, port, env, logfile, defaults=True) as server:
            out[run] = server.startup_s
            assert server.process is not None
            out[f"{run}_peak_mb"] = tree_peak_mb(server.process.pid)
        lines = [line for line in logfile.read_text().splitlines() if "triples" in line]
        out[f"{run}_line"] = lines[0] if lines else ""
        log(
            f"  {run}: {out[run]:.2f} s to the first answer, tree peak "
            f"{out[f'{run}_peak_mb']:.0f} MB; {out[f'{run}_line'][:160]}"
        )
    return out


# -- jaif-kg import and the cross-dataset named queries ---------------------------------------


def import_round(rows: int, activities: int, filled_years: int) -> Result:
    """``jaif-kg import`` of ``rows`` WDI rows and ``activities`` IATI activities in a new
    process (:func:`worker.run_import <jaif_kg.bench.worker.run_import>`); ``missing`` says why
    it was not run."""
    spec = {"kind": "import", "rows": rows, "activities": activities, "filled_years": filled_years}
    result = worker(spec)
    result |= {"rows": rows, "activities": activities, "filled_years": filled_years}
    if "missing" in result:
        log(f"  not run: {result['missing']}")
    for m in result.get("imports", []):
        log(
            f"  {m['kind']:8} {m['rows']:8,} rows  {m['triples']:9,} triples  convert "
            f"{m['convert_s']:6.1f} s  store {m['store_s']:5.1f} s  {m['rows_per_s']:8,.0f} rows/s"
        )
    if "peak_mb" in result:
        log(f"  peak {result['peak_mb']:.0f} MB, engine {result['engine_peak_mb']:.0f} MB")
    return result


def _remote_server(root: Path, name: str) -> Server:
    """``oxigraph serve`` on a new on-disk store under ``root``, as the sizes section's remote
    store (not started)."""
    from jaif_kg.bench import http as h

    port = h.free_port()
    return h.Server(
        f"oxigraph (remote store, {name})",
        [
            h.tool_path("oxigraph"),
            "serve",
            "--location",
            str(root / f"{name}-store"),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        port,
        "/query?query=" + urllib.parse.quote("ASK {}"),
        log=root / f"{name}.log",
    )


def crossqueries_round(
    root: Path, sizes: Iterable[int], seed: int, budget: float, cap: float
) -> list[Result]:
    """The cross-dataset named queries (:data:`CROSS_QUERIES`) at each size: about half the
    triples synthetic (with the strategic areas' DAC links, :func:`synth.write_area_links
    <jaif_kg.bench.synth.write_area_links>`), half imported by ``jaif-kg import``'s library from
    generated WDI and IATI files; on Oxigraph in memory and on ``oxigraph serve``."""
    rows: list[Result] = []
    for target in sizes:
        here = root / f"cross-{target}"
        data_dir = here / "data"
        data_dir.mkdir(parents=True, exist_ok=True)
        projects = synth.projects_for_triples(target // 2, seed)
        synthetic = synth.write(data_dir / "synthetic.ttl", projects, seed)
        synthetic += synth.write_area_links(data_dir / "area-dac-links.ttl")
        log(f"\n== cross-dataset queries at {size_label(target)} triples")
        log(f"  synthetic: {projects} projects, {synthetic:,} triples; importing the rest")
        imported = worker({"kind": "imported", "folder": str(here), "triples": target - synthetic})
        row: Result = {"target": target, "synthetic": synthetic, "imported": imported}
        rows.append(row)
        if "graphs" not in imported:
            why = imported.get("missing") or imported.get("error", "?")
            log(f"  not run: {why}")
            continue
        for g in imported["graphs"]:
            log(f"  {g['graph']}: {g['triples']:,} triples, converted in {g['convert_s']:.1f} s")
        files = [g["file"] for g in imported["graphs"]]
        spec: Result = {
            "kind": "crossqueries",
            "data_dir": str(data_dir),
            "graphs": files,
            "queries": list(CROSS_QUERIES),
            "fallback": CROSS_FALLBACK,
            "budget": budget,
            "cap": cap,
        }
        row["backends"] = []
        memory = worker(spec | {"backend": "memory"})
        memory["name"] = "oxigraph (memory)"
        row["backends"].append(memory)
        try:
            with _remote_server(here, "remote") as server:
                url = f"http://127.0.0.1:{server.port}"
                remote = worker(
                    spec
                    | {
                        "backend": "remote",
                        "remote_url": f"{url}/query",
                        "graph_store_url": f"{url}/store",
                    }
                )
        except (OSError, RuntimeError, TimeoutError, subprocess.CalledProcessError) as exc:
            remote = {"error": str(exc)}
        remote["name"] = "remote (oxigraph serve)"
        row["backends"].append(remote)
        for b in row["backends"]:
            if "error" in b:
                log(f"  {b['name']}: failed: {b['error']}")
                continue
            log(f"  {b['name']}: {b['triples']:,} triples loaded in {b['load_s']:.1f} s")
            for qname, q in b["queries"].items():
                raw = f", raw {q['raw']['p50']:.2f} ms" if "raw" in q else ""
                log(f"    {qname:24} {q['rows']:6} rows  p50 {q['jaif']['p50']:9.2f} ms{raw}")
    return rows


# -- the report ------------------------------------------------------------------------------


def _f(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def _growth(points: list[tuple[int, float]]) -> str:
    """The exponent k of cost ~ size^k between the two largest sizes (1 = linear)."""
    points = [(n, t) for n, t in points if t and t > 0]
    if len(points) < 2:
        return "-"
    (n1, t1), (n2, t2) = points[-2], points[-1]
    return f"{math.log(t2 / t1) / math.log(n2 / n1):.2f}"


def machine_facts() -> list[str]:
    """Cores, memory, versions and date, as bullet lines."""
    from importlib.metadata import version

    import pyoxigraph
    import rdflib

    def run(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return "?"

    memory = run("free", "-h").splitlines()
    oxigraph = run(str(Path(sys.executable).parent / "oxigraph"), "--version")
    try:
        endpoint = version("rdflib-endpoint")
    except Exception:  # not installed: the HTTP round says so
        endpoint = "not installed"
    return [
        f"- Date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"- CPU cores (`nproc`): {run('nproc')}; {platform.machine()}, {platform.system()}",
        f"- Memory (`free -h`): {memory[1] if len(memory) > 1 else '?'}",
        f"- Python {platform.python_version()}, pyoxigraph {pyoxigraph.__version__}, "
        f"rdflib {rdflib.__version__}, pySHACL {version('pyshacl')}, {oxigraph or 'oxigraph ?'}, "
        f"rdflib-endpoint {endpoint}",
    ]


def render(results: Result) -> str:
    """``docs/BENCHMARKS.md`` from the collected results."""
    sizes: list[Result] = results["sizes"]
    lines = [
        "# Benchmarks",
        "",
        _provenance(results),
        "",
        "## Machine",
        "",
        *_machine(results),
        "",
        f"Data: `jaif-kg synth` with seed {results['seed']}. A named query through jaif-kg "
        "and on raw pyoxigraph: one warm-up of each, then one run of each by turns for about "
        f"{2 * results['budget']:g} s (3 to 401 runs each; sizes measured before 2026-11-30 "
        f"09:00 UTC: 3 to 25 runs each within about {results['budget']} s, one after the "
        "other). How each figure is measured, what limits each target and what would meet it: "
        "`docs/PERFORMANCE.md`.",
        "",
    ]
    lines += ["## Load, validation and memory", ""]
    lines += [
        "| triples | backend | load (s) | fast validation (s) | results | peak memory (MB) |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for s in sizes:
        for b in s["backends"]:
            if "error" in b:
                lines.append(f"| {s['triples']:,} | {b['name']} | failed: {b['error']} | | | |")
                continue
            lines.append(
                f"| {s['triples']:,} | {b['name']} | {_f(b.get('load_s'))} | "
                f"{_f(b.get('validate_fast_s'))} | {b.get('validate_fast_results', '-')} | "
                f"{_f(b.get('peak_mb'), 0)} |"
            )
        for skipped in s.get("skipped", []):
            lines.append(f"| {s['triples']:,} | {skipped} | not run (see notes) | | | |")
    lines += ["", "### Validating files: fast engine and pySHACL", ""]
    lines += [
        "| triples | engine | read files (s) | validate (s) | results | peak memory (MB) |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for s in sizes:
        for engine in ("fast", "pyshacl"):
            r = s.get(engine)
            if r is None:
                lines.append(f"| {s['triples']:,} | {engine} | not run (see notes) | | | |")
            elif "error" in r:
                lines.append(f"| {s['triples']:,} | {engine} | failed: {r['error']} | | | |")
            else:
                lines.append(
                    f"| {s['triples']:,} | {engine} | {_f(r['load_s'])} | {_f(r['validate_s'])} "
                    f"| {r['results']} | {_f(r['peak_mb'], 0)} |"
                )
    lines += _growth_section(sizes)
    lines += _queries_section(sizes)
    if results.get("http"):
        lines += _http_section(results["http"])
    if results.get("checks"):
        lines += _checks_section(results["checks"])
    if results.get("startup"):
        st = results["startup"]
        lines += [
            "",
            f"## Start-up on {st['triples']:,} triples from the on-disk store",
            "",
            "`jaif-kg serve` with `JAIF_STORE_PATH`, timed from the process start to its first "
            "answer on `/healthz` (Python start, imports, store, validation verdict, 2 query "
            "workers, uvicorn).",
            "",
            "| start | seconds | the server's own account |",
            "|---|---:|---|",
            f"| first (loads the store, validates) | {_f(st['first'])} | {st['first_line']} |",
            f"| restart (store filled, verdict cached) | {_f(st['restart'])} | "
            f"{st['restart_line']} |",
        ]
    if results.get("cli_validate"):
        lines += _cli_section(results["cli_validate"])
    if results.get("formats"):
        lines += _formats_section(results["formats"])
    if results.get("diff"):
        lines += _diff_section(results["diff"])
    if results.get("import"):
        lines += _import_section(results["import"])
    if results.get("crossqueries"):
        lines += _crossqueries_section(results["crossqueries"])
    lines += ["", "## Targets", ""]
    lines += _targets(results)
    lines += [
        "",
        "Why a target is not met, measured, and what would meet it: docs/PERFORMANCE.md, "
        '"What limits each target" (written after each run, by hand, from this report and '
        "profiles of the same build).",
    ]
    lines += ["", "## Notes", "", *results.get("notes", [])]
    return "\n".join(lines) + "\n"


def _command(argv: Sequence[str]) -> str:
    return "`python -m jaif_kg.bench.run" + (f" {' '.join(argv)}" if argv else "") + "`"


def _provenance(results: Result) -> str:
    """Which run wrote the figures: one, or (``--only``) each run and the sections it measured."""
    runs: list[Result] = results.get("runs") or []
    if len(runs) <= 1:
        return (
            f"Written by `make bench` ({_command(results['argv'])}); the run took "
            f"{results['elapsed_s'] / 60:.1f} minutes. Re-run it to refresh every figure; nothing "
            "here is typed by hand except the notes marked as such."
        )
    parts = [
        f"{', '.join(r['sections'])}: {_command(r['argv'])}"
        + (f" on {r['date']}" if r.get("date") else " (an earlier run)")
        + f", {r['elapsed_s'] / 60:.1f} minutes"
        for r in runs
    ]
    return (
        "Written by `make bench` over several runs (`--only` runs some sections and keeps the "
        "others): " + "; ".join(parts) + ". Re-run `make bench` to refresh every figure at "
        "once; nothing here is typed by hand except the notes marked as such."
    )


def _machine(results: Result) -> list[str]:
    """The machine facts each run recorded (older results: the facts of the render's machine)."""
    runs: list[Result] = results.get("runs") or []
    recorded = [r for r in runs if r.get("machine")]
    if not recorded:
        return machine_facts()
    if len(runs) == 1:
        return list(recorded[0]["machine"])
    lines: list[str] = []
    for r in runs:
        lines += ["", f"Run of {', '.join(r['sections'])}:", ""]
        lines += r.get("machine") or ["- not recorded"]
    return lines[1:]


def machine_lines(report: str) -> list[str]:
    r"""The bullet lines of a written report's ``## Machine`` section.

    >>> machine_lines("# B\n\n## Machine\n\n- Date: D\n- CPU\n\nData: ...\n")
    ['- Date: D', '- CPU']
    """
    lines = report.splitlines()
    if "## Machine" not in lines:
        return []
    found = []
    for line in lines[lines.index("## Machine") + 1 :]:
        if line.startswith("- "):
            found.append(line)
        elif found:
            break
    return found


def _cli_section(rows: list[Result]) -> list[str]:
    faults = rows[0]["faults"] if rows else 0
    lines = [
        "",
        "## `jaif-kg validate FILE` end to end",
        "",
        "The CLI in a new process, as a user runs it (`jaif-kg validate FILE --engine E`, text "
        "output): Python start and imports, reading the file and the ontology, validation, the "
        "vocabulary check, locating each result (file:line) and rendering; wall-clock seconds "
        f"from start to exit (the median of 3 runs when one takes under {CLI_REPEAT_BELOW:.0f} "
        "s, else one run), the exit code (1: violations found) and the peak memory of the "
        f"process. Data: the synthetic file of each size with {faults} faults injected "
        "(`jaif-kg synth --faults`, one of each kind).",
        "",
        "| triples (data file) | engine | seconds | exit code | peak memory (MB) | summary line |",
        "|---:|---|---:|---:|---:|---|",
    ]
    for row in rows:
        for engine, r in row["engines"].items():
            head = f"| {row['triples']:,} | {engine} |"
            if r is None:
                lines.append(f"{head} not run (see notes) | | | |")
            else:
                lines.append(
                    f"{head} {_f(r['seconds'])} | {r['exit']} | {_f(r['peak_mb'], 0)} | "
                    f"{r['summary']} |"
                )
    return lines


def format_costs(entry: Result) -> list[Result]:
    """Per report format, from a :func:`worker.run_formats <jaif_kg.bench.worker.run_formats>`
    result (medians, ms): ``render``, ``added`` (locate + render), ``total`` (read + validate +
    locate + render), ``vs_text`` (total / the text format's total) and ``added_share``
    (locate + render over read + validate).

    >>> step = {"p50": 10.0}
    >>> costs = format_costs({"read": step, "validate": {"p50": 90.0}, "locate": {"p50": 4.0},
    ...                       "render": {"text": {"p50": 1.0}, "json": {"p50": 6.0}}})
    >>> [(c["format"], c["total"], round(c["vs_text"], 3), c["added_share"]) for c in costs]
    [('text', 105.0, 1.0, 0.05), ('json', 110.0, 1.048, 0.1)]
    """
    validation = entry["read"]["p50"] + entry["validate"]["p50"]
    locate = entry["locate"]["p50"]
    rows = [
        {
            "format": fmt,
            "render": r["p50"],
            "added": locate + r["p50"],
            "total": validation + locate + r["p50"],
            "added_share": (locate + r["p50"]) / validation if validation else 0.0,
        }
        for fmt, r in entry["render"].items()
    ]
    text = next((r["total"] for r in rows if r["format"] == "text"), None)
    for r in rows:
        r["vs_text"] = r["total"] / text if text else 0.0
    return rows


def _formats_section(fm: Result) -> list[str]:
    turtle = fm.get("turtle", {})
    made = (
        f"written by `jaif-kg fmt`'s writer (`jaif_kg.rdf.canonical.canonical_turtle`) in "
        f"{_f(turtle['seconds'])} s, {turtle['lines']:,} lines"
        if "seconds" in turtle
        else f"not written: {turtle.get('error', '?')}"
    )
    lines = [
        "",
        f"## Report formats at {fm['triples']:,} triples",
        "",
        "The steps of `jaif-kg validate FILE --format F` timed apart in one process per input "
        "(`jaif_kg.bench.worker.run_formats`): read = `read_inputs`, validate = "
        "`jaif_kg.shacl.validate` (engine auto, vocabulary check included), locate = "
        "`jaif_kg.shacl.locate.locate` (file:line), render = `jaif_kg.shacl.render.render`; each "
        "the median of 3 to 25 runs after a warm-up. Validation = read + validate; total = "
        "validation + locate + render; added = (locate + render) / validation. Data: the file "
        f"of the end-to-end table ({fm['faults']} faults) as N-Triples, the same text named "
        f".ttl (read as Turtle), and as canonical Turtle ({made}).",
    ]
    for label, entry in fm["inputs"].items():
        lines += ["", f"### {label}", ""]
        if "error" in entry:
            lines.append(f"failed: {entry['error']}")
            continue
        lines += [
            f"read {_f(entry['read']['p50'], 0)} ms, validate {_f(entry['validate']['p50'], 0)} "
            f"ms, locate {_f(entry['locate']['p50'], 1)} ms ({entry['located']} of "
            f"{entry['results']} results given a line); peak memory "
            f"{_f(entry['peak_mb'], 0)} MB.",
            "",
            "| format | render (ms) | locate + render (ms) | total (s) | vs text | added over "
            "validation | output (bytes) |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for c in format_costs(entry):
            lines.append(
                f"| {c['format']} | {_f(c['render'], 1)} | {_f(c['added'], 1)} | "
                f"{_f(c['total'] / 1000)} | {c['vs_text']:.3f} | {c['added_share']:.1%} | "
                f"{entry['bytes'][c['format']]:,} |"
            )
    return lines


def _diff_section(d: Result) -> list[str]:
    c = d["changes"]
    return [
        "",
        f"## `jaif-kg diff` of two versions at {d['triples']:,} triples",
        "",
        "`jaif-kg diff OLD NEW` in a new process (timed as `validate` above): OLD is the "
        "synthetic file of the end-to-end table, NEW a copy with statements deleted, literals "
        "modified and `rdfs:comment`s added at random (`jaif_kg.bench.run.changed_version`).",
        "",
        "| old (triples) | deleted / modified / added | seconds | exit code | peak memory (MB) "
        "| output lines | summary line |",
        "|---:|---|---:|---:|---:|---:|---|",
        f"| {d['triples']:,} | {c['deleted']} / {c['modified']} / {c['added']} | "
        f"{_f(d['seconds'])} | {d['exit']} | {_f(d['peak_mb'], 0)} | {d['stdout_lines']:,} | "
        f"{d['summary']} |",
    ]


def _user_targets(results: Result) -> list[str]:
    """The target rows of the sections on what a user runs (formats, diff)."""
    lines: list[str] = []
    fm = results.get("formats")
    if fm:
        worst: tuple[float, str] | None = None
        for label, entry in fm["inputs"].items():
            if "error" in entry:
                continue
            for c in format_costs(entry):
                if worst is None or c["added_share"] > worst[0]:
                    worst = (c["added_share"], f"{c['format']}, {label}")
        if worst is not None:
            lines.append(
                f"| report formats add < {FORMATS_TARGET:.0%} to validation ({fm['triples']:,} "
                f"triples; locate + render over read + validate) | worst {worst[0]:.1%} "
                f"({worst[1]}) | {'met' if worst[0] < FORMATS_TARGET else 'not met'} |"
            )
    d = results.get("diff")
    if d:
        lines.append(
            f"| `jaif-kg diff` of two {d['triples']:,}-triple versions < {DIFF_TARGET_S:.0f} s "
            f"| {d['seconds']:.1f} s | {'met' if d['seconds'] < DIFF_TARGET_S else 'not met'} |"
        )
    return lines


def _import_section(im: Result) -> list[str]:
    lines = [
        "",
        f"## `jaif-kg import`: {im['rows']:,} WDI rows and {im['activities']:,} IATI activities",
        "",
        "`jaif_kg.imports.bench.measure` in a new process: generated WDI-like CSV "
        f"({im['filled_years']} non-empty year a row) and IATI XML, each converted "
        "(`jaif_kg.imports.convert`: the reader, then morph-kgc in its own process, then the "
        "engine's N-Triples read back) and put into a new on-disk store (`import_into`, the "
        "graph replaced and recorded). Rows/s over convert + store.",
        "",
    ]
    if "missing" in im or "error" in im:
        return [*lines, f"not run: {im.get('missing') or im.get('error')}"]
    lines += [
        "| input | rows | mapped | triples | convert (s) | store (s) | rows/s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for m in im["imports"]:
        lines.append(
            f"| {m['kind']} | {m['rows']:,} | {m['observations']:,} | {m['triples']:,} | "
            f"{_f(m['convert_s'])} | {_f(m['store_s'])} | {m['rows_per_s']:,.0f} |"
        )
    lines += [
        "",
        f"Peak memory: {_f(im['peak_mb'], 0)} MB in the importing process, "
        f"{_f(im['engine_peak_mb'], 0)} MB in its largest child (the engine's Python, "
        "`getrusage(RUSAGE_CHILDREN)`; Linux counts a child from its parent's resident size "
        "at the fork, so the engine's own peak is at most this).",
    ]
    return lines


def _crossqueries_section(rows: list[Result]) -> list[str]:
    lines = [
        "",
        "## Cross-dataset named queries (p50 / p95 ms)",
        "",
        "The queries over the shipped graph and imported ones, through `jaif_kg.catalog."
        "run_named`; raw pyoxigraph runs the same bound text on the same default graph (the "
        "union of the data graphs). Data: about half the triples synthetic (`{base}graph/jaif`, "
        "with the strategic areas' DAC links), half imported by `jaif-kg import`'s library from "
        "generated WDI downloads and IATI XML (each graph recorded in `{base}graph/meta`).",
        "",
    ]
    for row in rows:
        imported = row["imported"]
        if "graphs" not in imported:
            why = imported.get("missing") or imported.get("error", "?")
            lines += [f"### {size_label(row['target'])} triples", "", f"not run: {why}", ""]
            continue
        backends = [b for b in row["backends"] if "queries" in b]
        triples = backends[0]["triples"] if backends else row["target"]
        made = ", ".join(
            f"`{g['graph'].rsplit('/', 1)[-1]}` {g['triples']:,}" for g in imported["graphs"]
        )
        lines += [
            f"### {triples:,} triples",
            "",
            f"Synthetic {row['synthetic']:,} triples; imported: {made} (converted in "
            f"{_f(sum(g['convert_s'] for g in imported['graphs']))} s).",
            "",
        ]
        for b in row["backends"]:
            if "error" in b:
                lines += [f"{b['name']}: failed: {b['error']}", ""]
        if not backends:
            continue
        memory = next((b for b in backends if "raw" in next(iter(b["queries"].values()))), None)
        head = "| query | parameters | rows |" + "".join(f" {b['name']} |" for b in backends)
        head += " raw pyoxigraph (memory) | jaif / raw | of which binding (p50) |"
        lines += [head, "|---|---|---:|" + "---:|" * (len(backends) + 3)]
        for qname, first in backends[0]["queries"].items():
            params = ", ".join(f"{k}={v}" for k, v in first["params"].items())
            if not first["example"]:
                params += " (not the example: it finds nothing here)"
            cells = []
            for b in backends:
                q = b["queries"].get(qname, {}).get("jaif")
                once = " (1 run)" if q and q.get("runs") == 1 else ""
                cells.append(f"{_f(q['p50'])} / {_f(q['p95'])}{once}" if q else "-")
            entry = memory["queries"][qname] if memory else {}
            raw = entry.get("raw")
            raw_text = f"{_f(raw['p50'])} / {_f(raw['p95'])}" if raw else "-"
            ratio = f"{entry['jaif']['p50'] / raw['p50']:.2f}" if raw and raw["p50"] else "-"
            bind = _f(entry["bind"]["p50"]) if entry.get("bind") else "-"
            lines.append(
                f"| {qname} | {params} | {first['rows']} | {' | '.join(cells)} | {raw_text} | "
                f"{ratio} | {bind} |"
            )
        lines.append("")
    return lines


def _import_targets(results: Result) -> list[str]:
    """The target rows of the import and cross-dataset query sections."""
    lines: list[str] = []
    im = results.get("import")
    if im:
        wdi = next((m for m in im.get("imports", []) if m["kind"] == "wdi-csv"), None)
        if wdi is None:
            why = im.get("missing") or im.get("error", "?")
            lines.append(
                f"| `jaif-kg import` of {IMPORT_TARGET_ROWS:,} WDI rows < {IMPORT_TARGET_S:.0f} s "
                f"| not run: {why} | - |"
            )
        else:
            seconds = wdi["convert_s"] + wdi["store_s"]
            verdict = "met" if seconds < IMPORT_TARGET_S else "not met"
            if wdi["rows"] != IMPORT_TARGET_ROWS:  # a reduced run says nothing of the target
                verdict = f"- (measured at {wdi['rows']:,} rows, not {IMPORT_TARGET_ROWS:,})"
            lines.append(
                f"| `jaif-kg import` of {IMPORT_TARGET_ROWS:,} WDI rows < {IMPORT_TARGET_S:.0f} "
                f"s (convert + store) | {seconds:.1f} s, {wdi['rows_per_s']:,.0f} rows/s | "
                f"{verdict} |"
            )
    measured = [r for r in results.get("crossqueries") or [] if r.get("backends")]
    if measured:
        largest = measured[-1]
        memory = largest["backends"][0]
        ratios = {
            q: v["jaif"]["p50"] / v["raw"]["p50"]
            for q, v in memory.get("queries", {}).items()
            if v.get("raw") and v["raw"]["p50"] > 0
        }
        if ratios:
            over = sorted((q for q, r in ratios.items() if r > 1.5), key=lambda q: -ratios[q])
            lines.append(
                f"| cross-dataset named queries in memory within 1.5x raw pyoxigraph "
                f"({memory['triples']:,} triples, p50) | worst {max(ratios.values()):.2f}x; "
                f"over 1.5x: {', '.join(over) or 'none'} | "
                f"{'met' if not over else f'not met for {len(over)} of {len(ratios)}'} |"
            )
    return lines


def _growth_section(sizes: list[Result]) -> list[str]:
    by_backend: dict[str, list[tuple[int, float]]] = {}
    by_validation: dict[str, list[tuple[int, float]]] = {}
    for s in sizes:
        for b in s["backends"]:
            if "load_s" in b:
                by_backend.setdefault(b["name"], []).append((s["triples"], b["load_s"]))
            if "validate_fast_s" in b:
                by_validation.setdefault(b["name"], []).append((s["triples"], b["validate_fast_s"]))
        for engine in ("fast", "pyshacl"):
            r = s.get(engine)
            if r and "validate_s" in r:
                by_validation.setdefault(f"{engine} (files)", []).append(
                    (s["triples"], r["validate_s"])
                )
    by_queries: dict[str, list[tuple[int, float]]] = {}
    for s in sizes:
        for b in s["backends"]:
            timed = [q["jaif"]["p50"] for q in b.get("queries", {}).values() if "jaif" in q]
            if timed and len(timed) == len(b["queries"]):  # a skipped query breaks the sum
                by_queries.setdefault(b["name"], []).append((s["triples"], sum(timed)))
    lines = [
        "",
        "### How load and validation grow",
        "",
        "Between the two largest sizes measured on each backend.",
        "",
        "| cost | sizes | k (size^k) |",
        "|---|---|---:|",
    ]

    def row(label: str, pts: list[tuple[int, float]]) -> str:
        shown = " and ".join(f"{n:,}" for n, _ in pts[-2:])
        return f"| {label} | {shown} | {_growth(pts)} |"

    for name, pts in by_backend.items():
        lines.append(row(f"load, {name}", pts))
    for name, pts in by_validation.items():
        lines.append(row(f"validation, {name}", pts))
    for name, pts in by_queries.items():
        lines.append(row(f"named queries (sum of p50), {name}", pts))
    served = [s for s in sizes if s.get("serve_startup")]
    if served:
        lines += [
            "",
            "Start-up of `jaif-kg serve` (default settings) on the on-disk store the sizes "
            "section filled, to the first answer on `/healthz`; peak memory: the sum of each "
            "process's `VmHWM` in the server's tree (an upper bound).",
            "",
            "| triples | start | seconds | peak memory (MB) | the server's own account |",
            "|---:|---|---:|---:|---|",
        ]
        for s in served:
            st = s["serve_startup"]
            for run, label in (("first", "first (validates)"), ("restart", "restart")):
                lines.append(
                    f"| {s['triples']:,} | {label} | {_f(st[run])} | "
                    f"{_f(st.get(f'{run}_peak_mb'), 0)} | {st[f'{run}_line']} |"
                )
    return lines


def _queries_section(sizes: list[Result]) -> list[str]:
    lines = ["", "## Named queries in process (p50 / p95 ms)", ""]
    for s in sizes:
        backends = [b for b in s["backends"] if "queries" in b]
        if not backends:
            continue
        lines += [f"### {s['triples']:,} triples", ""]
        head = "| query | rows |" + "".join(f" {b['name']} |" for b in backends)
        head += " raw pyoxigraph (memory) | jaif / raw | of which binding (p50) |"
        lines += [head, "|---|---:|" + "---:|" * (len(backends) + 3)]
        memory = next((b for b in backends if b["name"] == "oxigraph (memory)"), None)
        for qname in sorted(backends[0]["queries"]):
            cells = []
            for b in backends:
                entry = b["queries"].get(qname, {})
                q = entry.get("jaif")
                if q:
                    cells.append(
                        f"{_f(q['p50'])} / {_f(q['p95'])}"
                        + (" (1 run)" if q.get("runs") == 1 else "")
                    )
                else:
                    cells.append(entry.get("skipped", "-"))
            raw = memory["queries"][qname].get("raw") if memory else None
            ratio = "-"
            if memory and raw and "jaif" in memory["queries"][qname]:
                ratio = f"{memory['queries'][qname]['jaif']['p50'] / raw['p50']:.2f}"
                raw_rows = memory["queries"][qname].get("raw_rows")
                if raw_rows is not None and raw_rows != memory["queries"][qname].get("rows"):
                    ratio += f" (raw read {raw_rows} rows: not the same work)"
            rows = backends[0]["queries"][qname].get("rows", "-")
            raw_text = f"{_f(raw['p50'])} / {_f(raw['p95'])}" if raw else "-"
            bind = memory["queries"][qname].get("bind") if memory else None
            bind_text = _f(bind["p50"]) if bind else "-"
            lines.append(
                f"| {qname} | {rows} | {' | '.join(cells)} | {raw_text} | {ratio} | {bind_text} |"
            )
        lines.append("")
    return lines


#: The generator of HTTP figures recorded before the generator was named (the Python client).
LEGACY_GENERATOR = "Python client (8 http.client processes; recorded before generators were named)"

#: The servers of the HTTP section, as the report names them.
HTTP_SERVERS = {
    "jaif-kg": "jaif-kg serve",
    "oxigraph": "oxigraph serve-read-only",
    "rdflib-endpoint": "rdflib-endpoint serve",
}


def generator_of(http: Result, entry: Result) -> str:
    """The load generator that produced ``entry`` (one server and query of the HTTP section).

    >>> generator_of({}, {"generator": "wrk 2 threads x 8 connections"})
    'wrk 2 threads x 8 connections'
    >>> generator_of({}, {})[:13]
    'Python client'
    """
    found: str = entry.get("generator") or http.get("generator") or LEGACY_GENERATOR
    return found


def _errors(r: Result) -> str:
    """``0``, or the count with the statuses other than 200 (``12 (503: 12)``)."""
    others = {k: v for k, v in (r.get("statuses") or {}).items() if k != "200"}
    detail = ", ".join(f"{k}: {v:,}" for k, v in others.items())
    return f"{r['errors']:,}" + (f" ({detail})" if detail else "")


def _http_ratio(per: Result, other: str) -> float | None:
    """jaif-kg's requests/s over ``other``'s on one query, or None when either is missing."""
    jaif = (per.get("jaif-kg") or {}).get("rps")
    theirs = (per.get(other) or {}).get("rps")
    return jaif / theirs if jaif and theirs else None


def _http_section(http: Result) -> list[str]:
    generators = sorted(
        {
            generator_of(http, r)
            for sec in ("sparql", "named")
            for per in http[sec].values()
            for r in per.values()
            if r
        }
    )
    timing = (
        f"{http['warmup']} s of unmeasured warm-up, then {http['seconds']} s measured per server "
        "and query"
        if "seconds" in http
        else "a fixed request count per server and query"
    )
    lines = [
        "",
        f"## HTTP on loopback, {http['triples']:,} triples",
        "",
        f"Load generator: {'; '.join(generators) or '-'} ({timing}; the generator of each figure "
        "is in its row). Server CPU: user + system time of the server's whole process tree "
        "(`/proc/<pid>/stat`, children reaped included) over the measured run, per request "
        "answered; generator CPU: wrk's own (`wait4`). Errors: answers other than 200 and socket "
        "errors. jaif-kg: "
        + http.get("jaif_settings", "settings not recorded")
        + ". Start-up to the first answer: "
        + ", ".join(f"{k} {_f(v)} s" for k, v in http["startup"].items())
        + ".",
        "",
    ]
    if http.get("projects"):
        lines += [
            f"The varied-IRI lookup asks for a different one of the {http['projects']:,} "
            "synthetic projects with each request (in turn, each wrk thread from its own "
            "offset); the fixed one always for the same project.",
            "",
        ]
    for name, reason in (http.get("failed") or {}).items():
        lines += [f"{name} failed: {reason}", ""]
    for section, title in (("sparql", "/sparql"), ("named", "Named queries")):
        lines += [
            f"### {title}",
            "",
            "| query | server | req/s | p50 / p99 ms | requests | errors | server CPU µs/req "
            "| generator CPU µs/req | generator |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for label, per in http[section].items():
            for server, shown in HTTP_SERVERS.items():
                r = per.get(server)
                if not r:
                    continue
                if not r["requests"]:
                    lines.append(
                        f"| {label} | {shown} | none answered in {r['seconds']:.0f} s | - | 0 | "
                        f"{_errors(r)} | - | - | {generator_of(http, r)} |"
                    )
                    continue
                lines.append(
                    f"| {label} | {shown} | {_f(r['rps'], 1)} | {_f(r['p50_ms'])} / "
                    f"{_f(r['p99_ms'])} | {r['requests']:,} | {_errors(r)} | "
                    f"{_f(r.get('server_cpu_us'), 0)} | {_f(r.get('client_cpu_us'), 0)} | "
                    f"{generator_of(http, r)} |"
                )
        lines += [
            "",
            "| query | jaif / oxigraph (req/s) | jaif / rdflib-endpoint (req/s) |",
            "|---|---:|---:|",
        ]
        for label, per in http[section].items():
            r1, r2 = _http_ratio(per, "oxigraph"), _http_ratio(per, "rdflib-endpoint")
            lines.append(
                f"| {label} | {f'{r1:.2f}' if r1 else '-'} | {f'{r2:.1f}' if r2 else '-'} |"
            )
        lines.append("")
    return lines


#: The HTTP targets: least jaif-kg / oxigraph serve per /sparql query, and the least jaif-kg /
#: rdflib-endpoint on every query.
OXIGRAPH_TARGETS = {"IRI lookup": 0.6, VARIED_LABEL: 0.6, "country join": 1.0, "GROUP BY": 1.0}
RDFLIB_ENDPOINT_TARGET = 5.0
#: Named queries in process at 10^6 triples: at most this times raw pyoxigraph (p50).
NAMED_TARGET = 1.2
NAMED_TARGET_SIZE = 1_000_000
#: Restart of jaif-kg serve on the 10^6-triple on-disk store to its first answer, seconds.
RESTART_TARGET_S = 1.0


def _verdict(met: bool) -> str:
    return "met" if met else "not met"


def _http_targets(http: Result) -> list[str]:
    """One row per /sparql query against oxigraph serve, and one per query (/sparql and named)
    against rdflib-endpoint; a missing figure is "not measured"."""
    lines: list[str] = []
    for label, least in OXIGRAPH_TARGETS.items():
        per = http["sparql"].get(label)
        ratio = _http_ratio(per, "oxigraph") if per else None
        gen = generator_of(http, per["jaif-kg"]) if per and per.get("jaif-kg") else ""
        lines.append(
            f"| /sparql {label}: >= {least:g}x oxigraph serve (req/s) | "
            + (
                f"{ratio:.2f}x ({gen}) | {_verdict(ratio >= least)} |"
                if ratio
                else "not measured | not met |"
            )
        )
    for section in ("sparql", "named"):
        for label, per in http[section].items():
            ratio = _http_ratio(per, "rdflib-endpoint")
            where = "/sparql" if section == "sparql" else "named query"
            gen = generator_of(http, per["jaif-kg"]) if per.get("jaif-kg") else ""
            slow, jaif = per.get("rdflib-endpoint") or {}, per.get("jaif-kg") or {}
            if slow and not slow["requests"] and jaif.get("rps"):
                # none answered within the run: its rate is below 1 / the run's length
                bound = jaif["rps"] * slow["seconds"]
                lines.append(
                    f"| {where} {label}: >= {RDFLIB_ENDPOINT_TARGET:g}x rdflib-endpoint (req/s) "
                    f"| > {bound:.0f}x (rdflib-endpoint answered none in {slow['seconds']:.0f} "
                    f"s; {gen}) | {_verdict(bound >= RDFLIB_ENDPOINT_TARGET)} |"
                )
                continue
            lines.append(
                f"| {where} {label}: >= {RDFLIB_ENDPOINT_TARGET:g}x rdflib-endpoint (req/s) | "
                + (
                    f"{ratio:.1f}x ({gen}) | {_verdict(ratio >= RDFLIB_ENDPOINT_TARGET)} |"
                    if ratio
                    else "not measured | not met |"
                )
            )
    return lines


def _named_target(results: Result) -> list[str]:
    """The named queries in process against raw pyoxigraph at 10^6 (the size of that target)."""
    at = next((s for s in results.get("sizes") or [] if s.get("target") == NAMED_TARGET_SIZE), None)
    memory = next(
        (
            b
            for b in (at or {}).get("backends", [])
            if b["name"] == "oxigraph (memory)" and "queries" in b
        ),
        None,
    )
    name = (
        f"all named queries in process <= {NAMED_TARGET:g}x raw pyoxigraph at "
        f"{size_label(NAMED_TARGET_SIZE)} triples (memory, p50; the jaif / raw column)"
    )
    if at is None or memory is None:
        return [f"| {name} | not measured at {size_label(NAMED_TARGET_SIZE)} | not met |"]
    ratios = {
        q: v["jaif"]["p50"] / v["raw"]["p50"]
        for q, v in memory["queries"].items()
        if v.get("jaif") and v.get("raw") and v["raw"]["p50"] > 0
    }
    over = sorted((q for q, r in ratios.items() if r > NAMED_TARGET), key=lambda q: -ratios[q])
    unmeasured = sorted(q for q in memory["queries"] if q not in ratios)
    worst = max(ratios.values(), default=0.0)
    measured = (
        f"{len(ratios)} queries at {at['triples']:,} triples; worst {worst:.2f}x; over "
        f"{NAMED_TARGET:g}x: " + (", ".join(f"{q} {ratios[q]:.2f}x" for q in over) or "none")
    )
    if unmeasured:
        measured += f"; not measured: {', '.join(unmeasured)}"
    differ = sorted(
        q
        for q, v in memory["queries"].items()
        if v.get("raw_rows") is not None and v["raw_rows"] != v.get("rows")
    )
    if differ:
        measured += f"; raw read other rows (not the same work): {', '.join(differ)}"
    return [f"| {name} | {measured} | {_verdict(not over and not unmeasured and not differ)} |"]


def _targets(results: Result) -> list[str]:
    lines: list[str] = []
    runs = results.get("runs") or []
    if len(runs) > 1:
        lines += [
            f"These verdicts combine {len(runs)} runs (see the first line of this page): a "
            "verdict holds only when the figures it compares come from one run (`make bench`) "
            "on a quiet machine.",
            "",
        ]
    lines += ["| target | measured | met? |", "|---|---|---|"]
    http = results.get("http")
    if http:
        lines += _http_targets(http)
    lines += _named_target(results)
    validated = [s for s in results.get("sizes") or [] if (s.get("fast") or {}).get("validate_s")]
    if validated:
        largest = validated[-1]
        total = largest["fast"]["load_s"] + largest["fast"]["validate_s"]
        lines.append(
            f"| validate {largest['triples']:,} triples well under a minute (files read + "
            f"fast engine) | {total:.1f} s | {_verdict(total < 60)} |"
        )
    st = results.get("startup")
    if st:
        lines.append(
            f"| restart of jaif-kg serve on the {st['triples']:,}-triple on-disk store < "
            f"{RESTART_TARGET_S:g} s to the first answer | {st['restart']:.2f} s | "
            f"{_verdict(st['restart'] < RESTART_TARGET_S)} |"
        )
    return lines + _user_targets(results) + _import_targets(results)


# -- main ------------------------------------------------------------------------------------


_LOOKUP = "SELECT * WHERE { <https://w3id.org/jaif-kg/id/country/KHM> ?p ?o }"


def check_costs(repeat: int = 200) -> list[Result]:
    """Microseconds per distinct query of each check the endpoint runs in a query worker before
    the engine: the exact SERVICE pre-filter, the lexer's rewrite (``prepare_query``), and
    rdflib's parse for a text that may use SERVICE (uncached, then cached)."""
    from jaif_kg.sparql.prepare import prepare_query
    from jaif_kg.sparql.safety import inspect, may_use_service

    projects = (PROJECT_ROOT / "queries" / "projects.rq").read_text(encoding="utf-8")
    service = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"

    def per_call(fn: Callable[[str], object], texts: list[str]) -> float:
        begin = time.perf_counter()
        for text in texts:
            fn(text)
        return (time.perf_counter() - begin) / len(texts) * 1e6

    def distinct(text: str) -> list[str]:
        return [f"{text} # {i}" for i in range(repeat)]

    rows: list[Result] = []
    for label, text in (
        ("IRI lookup", _LOOKUP),
        (f"named query `projects` ({projects.count(chr(10))} lines)", projects),
        ("a query with SERVICE", service),
    ):
        texts = distinct(text)
        needs_parse = may_use_service(text)
        inspect(text)  # warm the cache for the "cached" column
        rows.append(
            {
                "query": label,
                "prefilter_us": per_call(may_use_service, texts),
                "prepare_us": per_call(lambda t: prepare_query(t, max_results=100_000), texts),
                "parse_us": per_call(inspect.__wrapped__, texts[:50]),
                "cached_us": per_call(inspect, [text] * repeat),
                "parsed": needs_parse,
            }
        )
    return rows


def _checks_section(rows: list[Result]) -> list[str]:
    lines = [
        "",
        "## The endpoint's query checks (cost per distinct query, in the query worker)",
        "",
        "Measured in one process (`jaif_kg.bench.run.check_costs`), each text made distinct by a "
        "trailing comment. rdflib's parse runs only when the pre-filter finds the letters of "
        "SERVICE (raw or escaped); its verdict is then cached per text in each worker.",
        "",
        "| query | SERVICE pre-filter (µs) | scan and rewrite (µs) | rdflib parse, uncached (µs) "
        "| cached (µs) | parse needed? |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['query']} | {_f(r['prefilter_us'], 1)} | {_f(r['prepare_us'], 0)} | "
            f"{_f(r['parse_us'], 0)} | {_f(r['cached_us'], 1)} | {'yes' if r['parsed'] else 'no'} |"
        )
    return lines


def run(args: argparse.Namespace) -> Result:
    """Every measurement; returns the collected results."""
    started = time.perf_counter()
    root = Path(args.workdir or tempfile.mkdtemp(prefix="jaif-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    results: Result = {
        "argv": args.argv,
        "seed": args.seed,
        "budget": args.budget,
        "sizes": [],
        "notes": [],
    }
    want = set(args.only)
    if "sizes" in want:
        sizes_round(args, root, results)
    faulty = functools.cache(lambda target: make_data(root, target, args.seed, FAULTS))
    if "cli" in want:
        cli_sizes = [t for t in args.sizes if t >= CLI_MIN_SIZE]
        results["cli_validate"] = cli_round(root, faulty, cli_sizes, args.pyshacl_max)
    if "formats" in want:
        results["formats"] = formats_round(root, faulty, args.formats_size, args.budget)
    if "diff" in want:
        results["diff"] = diff_round(root, faulty, args.diff_size, args.diff_changes, args.seed)
    if "http" in want and args.http_size:
        data_dir, projects, triples = make_data(root, args.http_size, args.seed)
        log(f"\n== HTTP at {size_label(args.http_size)} triples")
        results["http"] = http_round(
            root / "http", data_dir, projects, args.http_seconds, args.http_warmup
        )
        results["http"]["triples"] = triples
    if "startup" in want and args.startup_size:
        data_dir, _, triples = make_data(root, args.startup_size, args.seed)
        log(f"\n== start-up on {size_label(args.startup_size)} triples from the on-disk store")
        results["startup"] = startup_round(root / "startup", data_dir)
        results["startup"]["triples"] = triples
    if "checks" in want:
        log("\n== cost of the endpoint's query checks")
        results["checks"] = check_costs()
    if "import" in want:
        log(
            f"\n== jaif-kg import: {args.import_rows:,} WDI rows, "
            f"{args.import_activities:,} IATI activities"
        )
        results["import"] = import_round(args.import_rows, args.import_activities, 1)
    if "crossqueries" in want:
        results["crossqueries"] = crossqueries_round(
            root, args.cross_sizes, args.seed, args.budget, args.cap
        )
    results["elapsed_s"] = time.perf_counter() - started
    results["notes"] = _notes(args)
    results["runs"] = [
        {
            "argv": args.argv,
            "date": f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
            "elapsed_s": results["elapsed_s"],
            "sections": [name for name in SECTIONS if name in want],
            "machine": machine_facts(),
        }
    ]
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return results


def sizes_round(args: argparse.Namespace, root: Path, results: Result) -> None:
    """Each size and backend in process, from files, and pySHACL: ``results["sizes"]``."""
    oxigraph_server = None
    try:
        from jaif_kg.bench import http as h

        port = h.free_port()
        oxigraph_server = h.Server(
            "oxigraph (remote store)",
            [
                h.tool_path("oxigraph"),
                "serve",
                "--location",
                str(root / "remote-store"),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            port,
            "/query?query=" + urllib.parse.quote("ASK {}"),
            log=root / "remote.log",
        )
        oxigraph_server.__enter__()
        remote = f"http://127.0.0.1:{port}"
        # latencies per backend; a run of large sizes alone (--sizes 1e7) projects from the
        # smaller sizes of the saved results
        saved = args.out.with_suffix(".json")
        histories = {b: saved_history(saved, min(args.sizes), b) for b in ("oxigraph", DISK)}
        if any(histories.values()):
            log(f"  latencies of the smaller sizes taken from {saved.name}")
        for target in args.sizes:
            data_dir, projects, triples = make_data(root, target, args.seed)
            disk_only = target > args.disk_only_above
            # a size on disk alone is projected from the disk's own latencies (slower)
            skip = _too_slow(histories[DISK if disk_only else "oxigraph"], target, args.cap)
            log(f"\n== {size_label(target)} triples: {projects} projects, {triples:,} triples")
            size: Result = {"target": target, "projects": projects, "backends": [], "skipped": []}
            specs: list[tuple[str, Result]] = [
                ("oxigraph (memory)", {"backend": "oxigraph"}),
                ("oxigraph (disk)", {"backend": "oxigraph-disk", "store_path": ""}),
                ("rdflib", {"backend": "rdflib"}),
                (
                    "remote (oxigraph serve)",
                    {
                        "backend": "remote",
                        "remote_url": f"{remote}/query",
                        "graph_store_url": f"{remote}/store",
                    },
                ),
            ]
            if disk_only:
                log("  on the on-disk Oxigraph store only (--disk-only-above)")
                size["disk_only"] = True
            for name, spec in specs:
                if spec["backend"] == "rdflib" and target > args.rdflib_max:
                    size["skipped"].append(name)
                    continue
                if disk_only and spec["backend"] != "oxigraph-disk":
                    size["skipped"].append(name)
                    continue
                spec |= {
                    "kind": "backend",
                    "data_dir": str(data_dir),
                    "validate_fast": spec["backend"] != "rdflib",
                    "budget": args.budget,
                    "skip": skip,
                    "cap": args.cap,
                }
                if spec["backend"] == "oxigraph-disk":
                    spec["store_path"] = str(root / f"disk-{target}")
                result = worker(spec)
                result["name"] = name
                if spec["backend"] in histories:
                    history = histories[spec["backend"]]
                    for qname, entry in result.get("queries", {}).items():
                        if "jaif" in entry:
                            history.setdefault(qname, []).append((target, entry["jaif"]["p50"]))
                if spec["backend"] == "oxigraph":
                    # a query over the cap in memory is not repeated on the slower backends
                    for qname, entry in result.get("queries", {}).items():
                        if entry.get("jaif", {}).get("runs") == 1:
                            skip[qname] = (
                                f"one run took {entry['jaif']['p50'] / 1000:.0f} s in memory"
                            )
                size["backends"].append(result)
                log(
                    f"  {name:24} load {_f(result.get('load_s'))} s  validate "
                    f"{_f(result.get('validate_fast_s'))} s  peak {_f(result.get('peak_mb'), 0)} MB"
                    + (f"  ERROR {result['error']}" if "error" in result else "")
                )
            size["triples"] = next(
                (b["triples"] for b in size["backends"] if "triples" in b), triples
            )
            if disk_only:
                # the store the worker filled: jaif-kg serve finds it holding these files
                log("  jaif-kg serve on that store:")
                size["serve_startup"] = startup_round(
                    root / f"serve-{target}", data_dir, root / f"disk-{target}"
                )
                results["sizes"].append(size)
                continue
            size["fast"] = worker({"kind": "fast", "data_dir": str(data_dir)})
            log(f"  fast engine from files: {size['fast']}")
            if target <= args.pyshacl_max:
                size["pyshacl"] = worker({"kind": "pyshacl", "data_dir": str(data_dir)})
                log(f"  pySHACL: {size['pyshacl']}")
            results["sizes"].append(size)
    finally:
        if oxigraph_server is not None:
            oxigraph_server.__exit__(None, None, None)


def merge(saved: Result, fresh: Result, sections: Iterable[str]) -> Result:
    """``fresh`` (a run of some ``sections``) with every other section kept from ``saved`` (an
    earlier run's results); ``runs`` lists the runs that measured what is kept.

    >>> old = {"argv": [], "elapsed_s": 60, "sizes": [1], "http": {"a": 1}, "seed": 1}
    >>> new = {"argv": ["--only", "http"], "elapsed_s": 6, "sizes": [], "http": {"a": 2},
    ...        "seed": 1, "runs": [{"sections": ["http"]}]}
    >>> both = merge(old, new, ["http"])
    >>> both["sizes"], both["http"], [r["sections"] for r in both["runs"]]
    ([1], {'a': 2}, [['sizes'], ['http']])
    """
    sections = set(sections)
    merged = dict(fresh)
    for name, key in SECTIONS.items():
        if name not in sections and key in saved:
            merged[key] = saved[key]
    # sizes measured now replace the same sizes only; the others are kept (--sizes 1e7 adds)
    kept_sizes: list[Result] = []
    if "sizes" in sections:
        measured = {s["target"] for s in fresh.get("sizes") or []}
        kept_sizes = [s for s in saved.get("sizes") or [] if s.get("target") not in measured]
    if kept_sizes:
        merged["sizes"] = sorted(kept_sizes + list(fresh["sizes"]), key=lambda s: s["target"])
    if "sizes" not in sections:  # the seed and budget of the run that measured the sizes
        for key in ("seed", "budget"):
            if key in saved:
                merged[key] = saved[key]
    earlier = saved.get("runs") or [
        {
            "argv": saved.get("argv", []),
            "date": None,
            "elapsed_s": saved.get("elapsed_s", 0),
            "sections": [n for n, k in SECTIONS.items() if k in saved],
            "machine": saved.get("machine", []),
        }
    ]
    kept = []
    for r in earlier:
        left = [n for n in r["sections"] if n not in sections or (n == "sizes" and kept_sizes)]
        if left:
            kept.append(r | {"sections": left})
    merged["runs"] = kept + list(fresh.get("runs", []))
    return merged


#: The on-disk backend's name in the benchmark's specs and results.
DISK = "oxigraph-disk"


def saved_history(
    results: Path, below: int, backend: str = "oxigraph"
) -> dict[str, list[tuple[int, float]]]:
    """Each named query's latencies (size, ms) on ``backend`` at the sizes below ``below`` in a
    saved ``BENCHMARKS.json`` (none when there is no such file), for :func:`_too_slow`.

    >>> saved_history(Path("/nonexistent.json"), 10)
    {}
    """
    try:
        saved = json.loads(results.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    history: dict[str, list[tuple[int, float]]] = {}
    for size in sorted(saved.get("sizes") or [], key=lambda s: s.get("target", 0)):
        if size.get("target", below) >= below:
            continue
        for entry_backend in size.get("backends", []):
            if entry_backend.get("backend") != backend:
                continue
            for name, entry in (entry_backend.get("queries") or {}).items():
                if "jaif" in entry:
                    history.setdefault(name, []).append((size["target"], entry["jaif"]["p50"]))
    return history


def _too_slow(
    history: dict[str, list[tuple[int, float]]], target: int, cap: float
) -> dict[str, str]:
    """Queries whose latency, projected from the smaller sizes (cost ~ size^k, k from the last
    two sizes and at least 1), would exceed ``cap`` seconds at ``target``: they are skipped."""
    skip = {}
    for name, points in history.items():
        n2, t2 = points[-1]
        k = 1.0
        if len(points) >= 2:
            n1, t1 = points[-2]
            if t1 > 0 and t2 > 0 and n2 > n1:
                k = max(1.0, math.log(t2 / t1) / math.log(n2 / n1))
        projected = t2 / 1000 * (target / n2) ** k
        if projected > cap:
            skip[name] = (
                f"skipped: {t2 / 1000:.1f} s at {n2:,} triples, growing as size^{k:.1f}, "
                f"projects to about {projected:,.0f} s (an extrapolation)"
            )
    return skip


def _notes(args: argparse.Namespace) -> list[str]:
    return [
        f"- Sizes above {args.disk_only_above:,} triples (`--huge` adds 10^7) run on the "
        "on-disk Oxigraph store only: load, fast validation, named queries and the start-up of "
        "`jaif-kg serve` on that store; the in-memory backends, the remote store, rdflib, the "
        "validation from files and pySHACL are not run there.",
        f"- rdflib is measured up to {args.rdflib_max:,} triples and pySHACL up to "
        f"{args.pyshacl_max:,}: beyond, rdflib needs about 30 s and 1 GB to load 10^6 triples "
        "and pySHACL grows at least linearly from its last measured size (see the growth table; "
        "any figure beyond is an extrapolation, not a measurement). `--rdflib-max` and "
        "`--pyshacl-max` raise the limits.",
        "- Literals: Oxigraph canonicalises valid numeric and date literals; both validation "
        "engines agree on every case of `tests/shacl/fast/test_fast.py`.",
    ]


def build_parser() -> argparse.ArgumentParser:
    """Arguments of ``python -m jaif_kg.bench.run``."""
    p = argparse.ArgumentParser(prog="python -m jaif_kg.bench.run", description=__doc__)
    p.add_argument("--quick", action="store_true", help="10^3 and 10^4 only; HTTP at 10^4")
    p.add_argument(
        "--sizes", help="comma-separated sizes in triples (e.g. 1e3,1e4,1e5,1e6, the default)"
    )
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--budget", type=float, default=1.5, help="seconds per latency measurement")
    p.add_argument(
        "--cap",
        type=float,
        default=20.0,
        help="a named query slower than this (s) runs once, and is skipped at larger sizes",
    )
    p.add_argument(
        "--huge",
        action="store_true",
        help="add 10^7 triples to the sizes, on the on-disk Oxigraph store only (load, fast "
        "validation, named queries, jaif-kg serve's start-up, jaif-kg validate): about 40 more "
        "minutes on 2 quiet cores, at most 16 GB (see docs/PERFORMANCE.md)",
    )
    p.add_argument(
        "--disk-only-above",
        type=parse_size,
        default=2_000_000,
        help="sizes above this run on the on-disk Oxigraph store only, without the files-only "
        "validation and pySHACL (default 2e6)",
    )
    p.add_argument("--rdflib-max", type=parse_size, default=100_000)
    p.add_argument("--pyshacl-max", type=parse_size, default=10_000)
    p.add_argument("--http-size", type=parse_size, help="size of the HTTP round (default 10^5)")
    p.add_argument(
        "--http-seconds",
        type=int,
        help="seconds of load per server and query, after the warm-up (default 8; --quick 3)",
    )
    p.add_argument(
        "--http-warmup",
        type=int,
        help="seconds of unmeasured load before each (default 2; --quick 1)",
    )
    p.add_argument("--no-http", action="store_true", help="skip the HTTP round")
    p.add_argument(
        "--startup-size", type=parse_size, help="size of the start-up round (default 10^6)"
    )
    p.add_argument("--no-startup", action="store_true", help="skip the start-up round")
    p.add_argument(
        "--formats-size",
        type=parse_size,
        help="size at which each step of validate and each report format is timed (default 10^5)",
    )
    p.add_argument(
        "--diff-size", type=parse_size, help="size of the two versions diffed (default 10^6)"
    )
    p.add_argument(
        "--diff-changes",
        type=int,
        default=300,
        help="statements deleted, modified or added in the second version (a third each)",
    )
    p.add_argument(
        "--import-rows", type=parse_size, help="WDI rows of the import section (default 10^5)"
    )
    p.add_argument(
        "--import-activities",
        type=parse_size,
        help="IATI activities of the import section (default 10^4)",
    )
    p.add_argument(
        "--cross-sizes",
        help="comma-separated sizes of the cross-dataset queries section (default 1e5,1e6)",
    )
    p.add_argument(
        "--only",
        help="comma-separated sections to run, of: " + ", ".join(SECTIONS) + "; the others "
        "are kept from the --out report's saved .json (default: every section)",
    )
    p.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "BENCHMARKS.md")
    p.add_argument("--workdir", type=Path, help="keep data and stores here (default: a temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    p.add_argument(
        "--render", type=Path, metavar="JSON", help="only rewrite --out from a saved results file"
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the tables, write the report."""
    args = build_parser().parse_args(argv)
    args.argv = list(argv if argv is not None else sys.argv[1:])
    if args.sizes:
        args.sizes = [parse_size(s) for s in args.sizes.split(",")]
    elif args.quick:
        args.sizes = [1_000, 10_000]
    else:
        args.sizes = [1_000, 10_000, 100_000, 1_000_000]
    if args.huge and HUGE_SIZE not in args.sizes:
        args.sizes.append(HUGE_SIZE)
    if args.http_size is None:
        args.http_size = 10_000 if args.quick else 100_000
    if args.no_http:
        args.http_size = 0
    if args.http_seconds is None:
        args.http_seconds = 3 if args.quick else 8
    if args.http_warmup is None:
        args.http_warmup = 1 if args.quick else 2
    if args.http_seconds < 1 or args.http_warmup < 0:
        build_parser().error("--http-seconds must be >= 1 and --http-warmup >= 0")
    if args.startup_size is None:
        args.startup_size = 10_000 if args.quick else 1_000_000
    if args.no_startup:
        args.startup_size = 0
    if args.formats_size is None:
        args.formats_size = 10_000 if args.quick else 100_000
    if args.diff_size is None:
        args.diff_size = 10_000 if args.quick else 1_000_000
    if args.import_rows is None:
        args.import_rows = 10_000 if args.quick else 100_000
    if args.import_activities is None:
        args.import_activities = 1_000 if args.quick else 10_000
    if args.cross_sizes:
        args.cross_sizes = [parse_size(s) for s in args.cross_sizes.split(",")]
    else:
        args.cross_sizes = [10_000] if args.quick else [100_000, 1_000_000]
    args.only = args.only.split(",") if args.only else list(SECTIONS)
    unknown = sorted(set(args.only) - set(SECTIONS))
    if unknown:
        build_parser().error(f"--only: no section {', '.join(unknown)} (of {', '.join(SECTIONS)})")
    os.environ.setdefault("JAIF_QUERY_WORKERS", "2")
    if args.render:
        saved: Result = json.loads(args.render.read_text(encoding="utf-8"))
        args.out.write_text(render(saved), encoding="utf-8")
        log(f"wrote {args.out} from {args.render}")
        return 0
    results = run(args)
    saved_path = args.out.with_suffix(".json")
    if set(args.only) != set(SECTIONS) and saved_path.is_file():
        saved = json.loads(saved_path.read_text(encoding="utf-8"))
        if not saved.get("runs") and args.out.is_file():
            # results saved before runs were recorded: their machine facts are in the report
            saved["machine"] = machine_lines(args.out.read_text(encoding="utf-8"))
        results = merge(saved, results, args.only)
    report = render(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    (args.out.with_suffix(".json")).write_text(json.dumps(results, indent=1), encoding="utf-8")
    log(f"\nwrote {args.out} ({results['elapsed_s'] / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
