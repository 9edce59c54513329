"""The command line, ``jaif-kg <command>``: parse arguments, call the library, print.

Each command is two functions: ``_add_<name>(subparsers)`` declares its arguments and
``_cmd_<name>(args) -> int`` runs it; :func:`build_parser` lists the adders. Exit codes: 0 success,
1 the data does not pass (validate, fmt --check), 2 unusable input (unreadable file, unknown
query, bad parameter, bad arguments or setting), 3 a failure while running (store, timeout, out of
memory), 70 a bug (an error jaif-kg did not expect), 130 interrupted (Ctrl-C), 141 the reader of
stdout went away (``| head``; nothing is printed). Every error is one line on stderr, ``jaif-kg
<command>: error: ...`` (exit 2) or ``... failed: ...`` (exit 3), naming the file and line, the
option or the setting at fault; never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import re
import socket
import sys
import urllib.parse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError

from jaif_kg import __version__
from jaif_kg.errors import (
    InputError,
    JaifError,
    ParameterError,
    QueryRefused,
    QuerySyntaxError,
    UnknownQuery,
)
from jaif_kg.settings import Settings, get_settings

#: The type of ``parser.add_subparsers()``'s result, for the adders' signatures.
Subparsers = Any

#: Errors that mean "fix what you typed or gave me" (exit 2); other errors exit 3.
_INPUT_ERRORS = (InputError, ParameterError, UnknownQuery, QuerySyntaxError, QueryRefused)
#: Exit code of an error jaif-kg did not expect: a bug (EX_SOFTWARE of sysexits.h).
EXIT_INTERNAL = 70
#: Exit code after Ctrl-C (128 + SIGINT, as a shell reports it).
EXIT_INTERRUPTED = 130
#: Exit code when the reader of stdout went away (128 + SIGPIPE, as a shell reports it).
EXIT_BROKEN_PIPE = 141
#: Longest error line printed; a server's answer quoted in a message can be a whole web page.
MESSAGE_WIDTH = 2000
#: Most query worker processes ``serve --workers`` starts: more is a typing error, not a plan.
MAX_WORKERS = 256


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, like every other error."""

    def error(self, message: str) -> NoReturn:
        """Print ``<prog>: error: <message>`` and a pointer to ``--help``; exit 2."""
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (see: {self.prog} --help)\n")


def _one_line(text: str) -> str:
    r"""``text`` on one line, cut at :data:`MESSAGE_WIDTH` characters.

    >>> _one_line("a server said:\n  <html>\r\n</html>")
    'a server said: <html> </html>'
    """
    line = re.sub(r"\s*[\r\n]+\s*", " ", text.strip())
    return line if len(line) <= MESSAGE_WIDTH else line[: MESSAGE_WIDTH - 1] + "…"


# -- argument types: each refuses a bad value with a message that says what is wanted ---------


def _not_utf8(value: str) -> str | None:
    r"""How ``value`` was typed, if it holds bytes that are not UTF-8; else ``None``.

    Such bytes reach Python as lone surrogates (PEP 383), which no query, URL or IRI can carry.

    >>> _not_utf8("KHM") is None
    True
    >>> _not_utf8("country=\udcff\udcfe")
    "b'country=\\xff\\xfe'"
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return repr(value.encode("utf-8", "surrogateescape"))
        except UnicodeEncodeError:
            return ascii(value)
    return None


def _text(value: str) -> str:
    """An argument that is text (a name, a value, a URL), not a file name: it must be UTF-8.

    File names keep type ``Path``: Linux allows any bytes in them.
    """
    raw = _not_utf8(value)
    if raw is not None:
        raise argparse.ArgumentTypeError(f"{raw} is not UTF-8 text")
    return value


def _whole(what: str, minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argument type for a whole number from ``minimum`` to ``maximum``; ``what`` names it.

    >>> _whole("a TCP port", 1, 65535)("8000")
    8000
    """
    bounds = f"{minimum} to {maximum}" if maximum is not None else f"{minimum} or more"

    def whole(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
        if number < minimum or (maximum is not None and number > maximum):
            raise argparse.ArgumentTypeError(f"{number} is not {what} ({bounds})")
        return number

    return whole


def _seconds(value: str) -> float:
    """A time limit: a finite number of seconds above 0 (0 would stop every query at once).

    >>> _seconds("2.5")
    2.5
    """
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not (math.isfinite(number) and number > 0):
        raise argparse.ArgumentTypeError(f"{value} is not a time limit (seconds, more than 0)")
    return number


def _url_problem(value: str) -> str | None:
    """What makes ``value`` unusable as the http(s) URL of a server, or ``None``.

    >>> _url_problem("http://127.0.0.1:7878/query") is None
    True
    >>> _url_problem("http://exa mple/")
    'a space or control character in it'
    >>> _url_problem("http://127.0.0.1:99999/")
    'a port out of range'
    """
    if _not_utf8(value) is not None:
        return "bytes that are not UTF-8 in it"
    if any(c <= " " or c == "\x7f" for c in value):
        return "a space or control character in it"
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https"):
        return "not http:// or https://"
    if not parts.hostname:
        return "no host name"
    try:
        parts.port  # noqa: B018  # reading it checks it
    except ValueError:
        return "a port out of range"
    return None


def _check_url(value: str, option: str) -> None:
    """Raise :class:`InputError` unless ``value`` is an http(s) URL a request can go to."""
    problem = _url_problem(value)
    if problem is not None:
        raise InputError(
            f"{option} wants the http(s) URL of a SPARQL server: {value!r} ({problem})"
        )


def _check_store_setting(settings: Settings) -> None:
    """A ``--store``/``JAIF_STORE`` that looks like a URL must be one."""
    if settings.store.startswith(("http:", "https:")):
        _check_url(settings.store, "--store (JAIF_STORE)")


def _settings() -> Settings:
    """The settings, with the base IRI checked: every file is read under it."""
    import pyoxigraph as ox

    settings = get_settings()
    try:
        ox.NamedNode(settings.base_iri)
    except ValueError as exc:
        raise InputError(
            f"JAIF_BASE_IRI={settings.base_iri!r} is not an absolute IRI: {exc}"
        ) from None
    return settings


def _print(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")


def _add_store_options(p: argparse.ArgumentParser) -> None:
    """``--store`` and ``--store-path``, for the commands that open the store."""
    p.add_argument(
        "--store",
        type=_text,
        metavar="KIND|URL",
        help="oxigraph (embedded, default), rdflib (pure Python), or the query URL of a SPARQL "
        "server that already holds the graph (see `jaif-kg load`) (JAIF_STORE)",
    )
    p.add_argument(
        "--store-path",
        type=Path,
        metavar="DIR",
        help="keep the embedded Oxigraph store on disk in DIR: a restart reloads only when the "
        "files changed (JAIF_STORE_PATH)",
    )


def _store_updates(args: argparse.Namespace) -> dict[str, Any]:
    """Settings changed by ``--store``/``--store-path``."""
    updates: dict[str, Any] = {}
    if getattr(args, "store", None) is not None:
        updates["store"] = args.store
    if getattr(args, "store_path", None) is not None:
        updates["store_path"] = args.store_path
    return updates


# -- validate -------------------------------------------------------------------------------


def _add_validate(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "validate",
        help="check the graph against the SHACL shapes",
        description=(
            "Validate RDF files (default: the shipped ontology and graph_data/) against the SHACL "
            "shapes (default: ontology/shapes/*.shapes.ttl). The ontology is always included, so "
            "that rdfs:subClassOf reaches sh:targetClass. Exit 0 when no result is at or above "
            "--fail-on, 1 when some are, 2 when a file cannot be read (file:line on stderr)."
        ),
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="RDF files to validate")
    p.add_argument(
        "--shapes",
        action="append",
        type=Path,
        metavar="PATH",
        help="a SHACL shapes file, instead of ontology/shapes/ (repeat for several)",
    )
    p.add_argument(
        "--format",
        choices=("text", "turtle", "json"),
        default="text",
        help="text (default): one block per result and a summary; turtle: the SHACL report "
        "graph; json: an array of results",
    )
    p.add_argument(
        "--fail-on",
        choices=("violation", "warning", "info"),
        default="violation",
        help="the least severe result that fails the run (default: violation)",
    )
    p.add_argument(
        "--engine",
        choices=("auto", "fast", "pyshacl"),
        default="auto",
        help="fast: every constraint as a SPARQL query on Oxigraph (seconds for a million "
        "triples); pyshacl: the reference engine; auto (default): fast when it supports every "
        "constraint of the shapes, else pyshacl",
    )
    p.set_defaults(func=_cmd_validate)


def _cmd_validate(args: argparse.Namespace) -> int:
    from jaif_kg.rdf.graph import ontology_path, shapes_paths, shipped_paths
    from jaif_kg.shacl import render_json, render_text, render_turtle, validate

    settings = _settings()
    paths = args.paths or shipped_paths(settings)
    shapes = args.shapes or shapes_paths(settings)
    ontology = [ontology_path(settings)]
    report = validate(paths, shapes, ontology, engine=args.engine, base=settings.base_iri)
    if args.format == "json":
        _print(render_json(report))
    elif args.format == "turtle":
        _print(render_turtle(report))
    else:
        _print(render_text(report, args.fail_on))
    return 0 if report.conforms_at(args.fail_on) else 1


# -- query ----------------------------------------------------------------------------------


def _add_query(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "query",
        help="run a named query of queries/",
        description=(
            "Run a named query (queries/NAME.rq) on the shipped graph, in the embedded store. "
            "Values are checked against the query's typed parameters; an iri may be written "
            "prefix:local with a project prefix (id:country/KHM). `--list` shows the queries and "
            "their parameters."
        ),
        epilog=(
            "Output: table (default) aligns the columns and shortens IRIs with the project "
            "prefixes, and cuts values longer than 60 characters; json is an array with one "
            "object per row, every variable a key: IRIs and literals as plain strings (language "
            "tags and datatypes dropped), except that XSD "
            "integers, decimals and doubles are JSON numbers and booleans are true/false, and "
            "unbound values are null; csv is RFC 4180 with a header row, IRIs in full. ASK prints "
            "true or false. CONSTRUCT and DESCRIBE print Turtle (table), or one row per triple "
            "(subject, predicate, object) in json and csv."
        ),
    )
    p.add_argument("name", nargs="?", type=_text, metavar="NAME", help="the query's name")
    p.add_argument(
        "--param",
        "-p",
        action="append",
        type=_text,
        default=[],
        metavar="KEY=VALUE",
        help="a parameter value (repeat for several)",
    )
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--list", action="store_true", help="list the named queries and exit")
    _add_store_options(p)
    p.set_defaults(func=_cmd_query)


def _parse_params(items: Sequence[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ParameterError(f"--param {item!r}: write KEY=VALUE")
        if key in values:
            raise ParameterError(f"--param {key!r} is given twice")
        values[key] = value
    return values


def _list_queries(catalog: Any) -> str:
    lines = []
    for q in catalog:
        lines.append(f"{q.name}  ({q.kind})  {q.summary}")
        for p in q.parameters:
            need = "required" if p.required else "optional"
            extra = f", default {p.default}" if p.default is not None else ""
            choices = f" one of {'|'.join(p.enum)};" if p.enum else ""
            lines.append(
                f"    --param {p.name}=…  {p.type}, {need}{extra};{choices} {p.description}"
            )
    return "\n".join(lines) + "\n"


#: Widest column of a table; longer values end with "…" (json and csv give them whole).
TABLE_CELL_WIDTH = 60


def _cell(value: Any, width: int, prefixes: dict[str, str] | None = None) -> str:
    from jaif_kg.rdf.graph import term_text

    text = term_text(value, prefixes=prefixes).replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(
    variables: Sequence[str],
    rows: Sequence[dict[str, Any]],
    width: int = TABLE_CELL_WIDTH,
    prefixes: dict[str, str] | None = None,
) -> str:
    """Aligned columns with a header; IRIs shortened (with ``prefixes``, default the project's),
    long values cut at ``width``. Ends with the row count."""
    cells = [[_cell(row.get(v), width, prefixes) for v in variables] for row in rows]
    widths = [max([len(v), *(len(r[i]) for r in cells)]) for i, v in enumerate(variables)]
    lines = [
        "  ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _csv_text(term: Any) -> str:
    from rdflib import BNode

    if term is None:
        return ""
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def format_csv(variables: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    """RFC 4180 CSV with a header row; IRIs in full, literals as their text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_csv_text(row.get(v)) for v in variables])
    return buffer.getvalue()


def _open_loaded_store(settings: Settings) -> Any:
    from jaif_kg.rdf.graph import load_store, shipped_paths
    from jaif_kg.store import open_store, sync_graph

    store = open_store(settings)
    # a server has the graph loaded beforehand; an on-disk store is reloaded only when the files
    # (or the base IRI they are read under) changed since it was loaded
    if getattr(store, "remote", False):
        return store
    if store.persistent:
        sync_graph(store, shipped_paths(settings), base=settings.base_iri)
    else:
        load_store(store, shipped_paths(settings), base=settings.base_iri)
    return store


def _cmd_query(args: argparse.Namespace) -> int:
    from jaif_kg.catalog import Catalog, run_named
    from jaif_kg.rdf.canonical import graph_turtle
    from jaif_kg.rdf.graph import new_graph
    from jaif_kg.rdf.namespaces import project_prefixes
    from jaif_kg.sparql.results import plain_value

    settings = _settings().model_copy(update=_store_updates(args))
    _check_store_setting(settings)
    catalog = Catalog.from_dir(settings.queries_dir, base=settings.base_iri)
    if args.list:
        _print(_list_queries(catalog))
        return 0
    if not args.name:
        raise UnknownQuery(f"name a query; known: {', '.join(catalog.names())}")
    query = catalog[args.name]
    values = _parse_params(args.param)
    query.bind(values)  # refuse bad parameters before loading anything
    store = _open_loaded_store(settings)
    try:
        result = run_named(store, query, values)
    finally:
        store.close()
    if result.kind == "boolean":
        _print("true" if result.boolean else "false")
        return 0
    if result.kind == "graph":
        variables = ["subject", "predicate", "object"]
        rows = [dict(zip(variables, t, strict=True)) for t in result.triples]
        if args.format == "table":
            graph = new_graph(query.prefixes(), base=settings.base_iri)
            for t in result.triples:
                graph.add(t)
            _print(graph_turtle(graph))
            return 0
    else:
        variables, rows = result.variables, result.rows
    if args.format == "json":
        objects = [{v: plain_value(row.get(v)) for v in variables} for row in rows]
        _print(json.dumps(objects, indent=2, ensure_ascii=False))
    elif args.format == "csv":
        sys.stdout.write(format_csv(variables, rows))
    else:
        _print(format_table(variables, rows, prefixes=project_prefixes(settings.base_iri)))
    return 0


# -- fmt ------------------------------------------------------------------------------------


def _add_fmt(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "fmt",
        help="write Turtle files in canonical form",
        description=(
            "Rewrite Turtle files as canonical Turtle (sorted longturtle, stable blank nodes), "
            "or with --check only list those that are not and exit 1. Default: ontology/*.ttl, "
            "ontology/shapes/*.ttl and graph_data/*.ttl. Comments are not kept (say it with "
            "rdfs:comment); the prefixes a file declares are kept when used."
        ),
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="Turtle files")
    p.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if any would change"
    )
    p.set_defaults(func=_cmd_fmt)


def _cmd_fmt(args: argparse.Namespace) -> int:
    from jaif_kg.rdf.canonical import default_fmt_paths, format_files

    paths = args.paths or default_fmt_paths(_settings())
    changed = format_files(paths, check=args.check)
    for path in changed:
        _print(f"{'would reformat' if args.check else 'reformatted'} {path}")
    if args.check:
        if changed:
            _print(f"{len(changed)} of {len(paths)} files are not canonical; run: jaif-kg fmt")
            return 1
        _print(f"{len(paths)} files are canonical")
    return 0


# -- serve ----------------------------------------------------------------------------------


def _add_serve(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "serve",
        help="validate the graph and serve it: SPARQL endpoint, named-query API, pages",
        description="Load the ontology and data into the embedded store (default graph) and any "
        "--graph files (named graphs), validate the shipped graph with SHACL (refuse to start on "
        "violations), then serve /sparql, /api/queries and the pages with uvicorn.",
    )
    p.add_argument(
        "--host", type=_text, default="127.0.0.1", help="address to listen on (127.0.0.1)"
    )
    p.add_argument(
        "--port",
        type=_whole("a TCP port", 1, 65535),
        default=8000,
        help="port to listen on, 1 to 65535 (8000)",
    )
    p.add_argument(
        "--graph",
        action="append",
        default=[],
        metavar="IRI=FILE",  # not _text: a file name may hold any bytes; the IRI is checked later
        help="also load FILE into the named graph IRI (repeatable)",
    )
    p.add_argument(
        "--allow-invalid", action="store_true", help="serve even when the graph has violations"
    )
    p.add_argument(
        "--timeout",
        type=_seconds,
        default=None,
        metavar="S",
        help="seconds a query may run before it is stopped, more than 0 (JAIF_QUERY_TIMEOUT, "
        "default 10)",
    )
    p.add_argument(
        "--workers",
        type=_whole("a number of query workers", 1, MAX_WORKERS),
        default=None,
        metavar="N",
        help=f"query worker processes started up front, 1 to {MAX_WORKERS} "
        "(JAIF_QUERY_WORKERS, default 2)",
    )
    p.add_argument("--access-log", action="store_true", help="log every request")
    _add_store_options(p)
    p.set_defaults(func=_cmd_serve)


def _cmd_serve(args: argparse.Namespace) -> int:
    from jaif_kg.api.server import parse_graph_option, serve

    updates: dict[str, Any] = _store_updates(args)
    if args.timeout is not None:
        updates["query_timeout"] = args.timeout
    if args.workers is not None:
        updates["query_workers"] = args.workers
    settings = _settings().model_copy(update=updates)
    _check_store_setting(settings)
    _check_serve_settings(settings)
    graphs = [parse_graph_option(value) for value in args.graph]
    for iri, _ in graphs:
        raw = _not_utf8(iri)
        if raw is not None:
            raise InputError(f"--graph: the IRI {raw} is not UTF-8 text")
    _check_can_listen(args.host, args.port)
    return serve(
        settings,
        host=args.host,
        port=args.port,
        graphs=graphs,
        allow_invalid=args.allow_invalid,
        access_log=args.access_log,
    )


def _check_serve_settings(settings: Settings) -> None:
    """What ``--timeout`` and ``--workers`` refuse, also refused from the environment."""
    timeout = settings.query_timeout
    if not (math.isfinite(timeout) and timeout > 0):
        raise InputError(
            f"JAIF_QUERY_TIMEOUT={timeout}: a query time limit is a number of seconds above 0"
        )
    if not 1 <= settings.query_workers <= MAX_WORKERS:
        raise InputError(
            f"JAIF_QUERY_WORKERS={settings.query_workers}: start 1 to {MAX_WORKERS} query workers"
        )


def _check_can_listen(host: str, port: int) -> None:
    """Fail now, in one line, if ``host:port`` cannot be listened on, rather than after the graph
    is loaded and validated, in the web server's log.

    The socket is closed at once; it takes the options uvicorn takes (``SO_REUSEADDR``), so a
    port that uvicorn could use passes.

    Raises:
        InputError: an unknown host, or an address in use or not allowed (a port below 1024).
    """
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(f"--host {host!r}: {getattr(exc, 'strerror', None) or exc}") from None
    family, kind, protocol, _, address = found[0]
    with socket.socket(family, kind, protocol) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            raise InputError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc} (--host, --port)"
            ) from None


# -- load -----------------------------------------------------------------------------------


def _add_load(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "load",
        help="validate the graph and push it to a SPARQL server",
        description=(
            "Validate the shipped graph (ontology and graph_data/) with SHACL, then replace one "
            "graph on a SPARQL 1.1 server with it: the default graph, which `jaif-kg serve "
            "--store URL` queries, unless --graph names another. The graph goes by one Graph "
            "Store Protocol PUT when --graph-store-url is set, else by SPARQL Update (one "
            "request, or chunks into a staging graph swapped in by one MOVE); either way a push "
            "that fails leaves the graph on the server as it was. Exit 0 pushed, 1 violations "
            "(nothing pushed), 2 unreadable files or bad arguments, 3 the server failed."
        ),
    )
    p.add_argument(
        "--endpoint",
        required=True,
        type=_text,
        metavar="URL",
        help="the server's SPARQL query URL, e.g. http://127.0.0.1:7878/query",
    )
    p.add_argument(
        "--graph",
        type=_text,
        metavar="IRI",
        help="replace this named graph instead of the server's default graph",
    )
    p.add_argument(
        "--update-url",
        type=_text,
        metavar="URL",
        help="SPARQL Update URL (JAIF_UPDATE_URL; default: URL)",
    )
    p.add_argument(
        "--graph-store-url",
        type=_text,
        metavar="URL",
        help="Graph Store Protocol URL (JAIF_GRAPH_STORE_URL), e.g. http://127.0.0.1:7878/store",
    )
    p.add_argument(
        "--user", type=_text, metavar="USER", help="HTTP basic user name (JAIF_REMOTE_USER)"
    )
    p.add_argument(
        "--password",
        type=_text,
        metavar="PASSWORD",
        help="its password; prefer JAIF_REMOTE_PASSWORD (a command line is visible to others)",
    )
    p.add_argument(
        "--allow-invalid", action="store_true", help="push even when the graph has violations"
    )
    p.set_defaults(func=_cmd_load)


def _cmd_load(args: argparse.Namespace) -> int:
    from jaif_kg.rdf.graph import ontology_path, shapes_paths, shipped_paths
    from jaif_kg.shacl import render_text, summary_line, validate
    from jaif_kg.store import open_store
    from jaif_kg.store.loader import push

    _check_url(args.endpoint, "--endpoint")
    updates: dict[str, Any] = {"store": args.endpoint}
    for key, value in (
        ("update_url", args.update_url),
        ("graph_store_url", args.graph_store_url),
        ("remote_user", args.user),
        ("remote_password", args.password),
    ):
        if value is not None:
            updates[key] = value
    settings = _settings().model_copy(update=updates)
    if settings.update_url is not None:
        _check_url(settings.update_url, "--update-url (JAIF_UPDATE_URL)")
    if settings.graph_store_url is not None:
        _check_url(settings.graph_store_url, "--graph-store-url (JAIF_GRAPH_STORE_URL)")
    paths = shipped_paths(settings)
    report = validate(
        paths, shapes_paths(settings), [ontology_path(settings)], base=settings.base_iri
    )
    if not report.conforms_at("Violation"):
        print(render_text(report), file=sys.stderr)
        if not args.allow_invalid:
            print(
                "jaif-kg load: the graph has violations; nothing was pushed "
                "(--allow-invalid pushes it anyway)",
                file=sys.stderr,
            )
            return 1
    _print(f"validated: {summary_line(report)}")
    store = open_store(settings)
    try:
        pushed = push(paths, store, args.graph, base=settings.base_iri)
    finally:
        store.close()
    if pushed.dropped_staging:
        _print(f"dropped {len(pushed.dropped_staging)} staging graph(s) of an interrupted push")
    _print(f"pushed {pushed.sent:,} triples to {pushed.target} by {pushed.method}")
    if pushed.verified:
        _print(f"the server now holds {pushed.on_server:,} triples there")
    else:
        print(
            f"jaif-kg load: warning: the server counts {pushed.on_server:,} triples there, "
            f"{pushed.sent:,} were sent (a server that merges equal values, or whose default "
            "graph is the union of all graphs, counts differently)",
            file=sys.stderr,
        )
    return 0


# -- synth ----------------------------------------------------------------------------------


def _add_synth(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "synth",
        help="write synthetic data shaped like the graph, at any size",
        description=(
            "Write synthetic data shaped like the shipped graph (member states, memberships, work "
            "plans, strategic areas, N projects with beneficiaries, participations, statuses and "
            "sources, attachment batches) as N-Triples, which is also Turtle. It conforms to the "
            "shapes unless --faults injects known violations. The same arguments give the same "
            "bytes. About 50 triples per project plus about 900: --projects 20000 gives about a "
            "million."
        ),
    )
    size = p.add_mutually_exclusive_group(required=True)
    size.add_argument(
        "--projects",
        type=_whole("a number of projects", 0),
        metavar="N",
        help="number of projects (0 or more)",
    )
    size.add_argument(
        "--triples",
        type=_whole("a number of triples", 1),
        metavar="N",
        help="about this many triples (picks --projects)",
    )
    p.add_argument("--out", required=True, type=Path, metavar="FILE", help="a .nt or .ttl file")
    p.add_argument("--seed", type=int, default=0, help="seed of the random choices (default 0)")
    p.add_argument(
        "--faults",
        type=_whole("a number of faults", 0),
        default=0,
        metavar="K",
        help="inject K known violations, at most one per project (default 0)",
    )
    p.set_defaults(func=_cmd_synth)


def _cmd_synth(args: argparse.Namespace) -> int:
    from jaif_kg.bench import synth

    projects = args.projects
    if projects is None:
        projects = synth.projects_for_triples(args.triples, args.seed)
    triples = synth.write(args.out, projects, args.seed, args.faults)
    print(f"jaif-kg synth: {triples:,} triples, {projects} projects -> {args.out}", file=sys.stderr)
    return 0


# -- main -----------------------------------------------------------------------------------


# -- build ----------------------------------------------------------------------------------


def _add_build(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "build",
        help="write the dumps and the dataset description",
        description=(
            "Write the shipped graph (ontology + graph_data/) as Turtle, sorted N-Triples, JSON-LD "
            "(with its context.jsonld), TriG (one named graph per source document) and RDF/XML, "
            "with the VoID/DCAT dataset description (void.ttl) and SHA256SUMS. The server offers "
            "the same files under /dumps/."
        ),
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("dist"),
        metavar="DIR",
        help="output folder (default: dist)",
    )
    p.set_defaults(func=_cmd_build)


def _cmd_build(args: argparse.Namespace) -> int:
    from jaif_kg.publish.dumps import shipped_bundle

    bundle = shipped_bundle(_settings())
    try:
        written = bundle.write(args.out)
    except FileExistsError as exc:  # mkdir of a name that a file holds
        where = exc.filename or args.out
        raise InputError("is a file, not a folder (--out)", path=str(where)) from None
    except OSError as exc:
        where = exc.filename or args.out
        raise InputError(f"cannot write: {exc.strerror or exc} (--out)", path=str(where)) from None
    for path in written:
        _print(f"{path}  {path.stat().st_size:>9,} bytes")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one sub-command per adder."""
    parser = _Parser(
        prog="jaif-kg",
        description="The JAIF-IAI knowledge graph: validate, query and format it.",
        epilog="Exit codes: 0 ok, 1 the data does not pass, 2 unusable input, 3 failure, "
        "70 a bug in jaif-kg, 130 interrupted, 141 stdout closed. Errors are one line on stderr.",
    )
    parser.add_argument("--version", action="version", version=f"jaif-kg {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    adders: list[Callable[[Subparsers], None]] = [
        _add_validate,
        _add_query,
        _add_fmt,
        _add_serve,
        _add_load,
        _add_synth,
        _add_build,
    ]
    for add in adders:
        add(subparsers)
    parser.set_defaults(known_commands=tuple(subparsers.choices))
    return parser


def _setting_error(exc: ValidationError) -> str:
    """A ``JAIF_*`` environment variable pydantic could not read, in one line."""
    first = exc.errors()[0]
    name = "JAIF_" + "_".join(str(part) for part in first["loc"]).upper()
    return f"{name}={first.get('input')!r}: {first['msg']}"


def _stdout_gone() -> None:
    """The reader of stdout went away (``| head``): send what is left to /dev/null, so that the
    interpreter's last flush does not fail too."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``jaif-kg`` with ``argv`` (default: the process arguments); return the exit code.

    Every error is one line on stderr, with the exit code of the module docs.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        commands = ", ".join(args.known_commands)
        print(f"jaif-kg: error: name a command: {commands} (see: jaif-kg --help)", file=sys.stderr)
        return 2
    prefix = f"jaif-kg {args.command}"
    try:
        code = func(args)
        sys.stdout.flush()  # here, where a closed pipe is still caught below
        return code
    except _INPUT_ERRORS as exc:
        code, message = 2, f"error: {exc}"
    except ValidationError as exc:  # a JAIF_* setting of the wrong type
        code, message = 2, f"error: {_setting_error(exc)}"
    except JaifError as exc:
        code, message = 3, f"failed: {exc}"
    except BrokenPipeError:
        _stdout_gone()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        code, message = EXIT_INTERRUPTED, "interrupted"
    except MemoryError:
        code, message = 3, "failed: out of memory"
    except Exception as exc:  # the last resort: a bug, but still one line and no traceback
        code = EXIT_INTERNAL
        message = (
            f"error: internal error: {type(exc).__name__}: {exc} (this is a bug in jaif-kg: "
            "please report it with the command that caused it)"
        )
    print(f"{prefix}: {_one_line(message)}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
