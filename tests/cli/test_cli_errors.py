"""Every failure of ``jaif-kg`` is one line on stderr with its documented exit code.

The command runs as a real subprocess, as a user runs it, on the small world of
``tests/fixtures/cli/`` and on hostile input made in a temporary folder: a 50 MB literal, binary
garbage, a file that is not UTF-8, a folder, argv bytes that are not UTF-8, out-of-range numbers,
a web server that is not a SPARQL server. Each case checks the exit code (0 ok, 1 the data does not
pass, 2 unusable input, 3 failure, 70 a bug, 130 interrupted, see ``jaif_kg/cli/__init__.py``), a
phrase of
the message, that stderr is exactly one line, and that no traceback leaked.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from jaif_kg.errors import StoreError
from jaif_kg.store.remote import RemoteStore
from jaif_kg.store.shipped import count_graph
from tests.oxigraph_server import OxigraphServer, free_port
from tests.store.http_probe import Behaviour, Probe

REPO = Path(__file__).resolve().parents[2]
WORLD = REPO / "tests" / "fixtures" / "cli"
#: A literal this long (50 MB) is more than pyoxigraph's parser reads in one piece (16 MiB).
BIG_LITERAL_BYTES = 50_000_000
#: A multi-line literal of this many newlines fits the parser in Turtle (9 MB) but not once
#: written as N-Triples, where each newline is two bytes (18 MB).
ESCAPED_NEWLINES = 9_000_000


def jaif_kg(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m jaif_kg.cli`` with ``args`` in the small world, plus ``env``."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("JAIF_")}
    environment |= {
        "JAIF_ONTOLOGY_DIR": str(WORLD / "ontology"),
        "JAIF_DATA_DIR": str(WORLD / "graph_data"),
        "JAIF_QUERIES_DIR": str(WORLD / "queries"),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "jaif_kg.cli", *args],
        capture_output=True,
        text=True,
        errors="backslashreplace",
        env=environment,
        cwd=REPO,
        timeout=timeout,
        check=False,
    )


def assert_one_line(run: subprocess.CompletedProcess[str], code: int, phrase: str) -> None:
    """``run`` exited with ``code`` and said ``phrase`` in exactly one line of stderr."""
    said = run.stderr
    assert run.returncode == code, f"exit {run.returncode}, stderr:\n{said}"
    assert "Traceback" not in said, said
    assert said.count("\n") == 1 and said.endswith("\n"), f"not one line:\n{said}"
    assert said.startswith("jaif-kg"), said
    assert phrase in said, said


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of hostile input files (written once for the module)."""
    folder = tmp_path_factory.mktemp("hostile")
    with (folder / "big.ttl").open("wb") as out:
        out.write(b'<http://e/s> <http://e/p> "')
        out.write(b"a" * BIG_LITERAL_BYTES)
        out.write(b'" .\n')
    (folder / "escaped.ttl").write_bytes(
        b'<http://e/s> <http://e/p> """' + b"\n" * ESCAPED_NEWLINES + b'""" .\n'
    )
    (folder / "garbage.ttl").write_bytes(bytes(range(256)) * 64)
    (folder / "latin1.ttl").write_bytes('<http://e/s> <http://e/p> "café" .\n'.encode("latin-1"))
    (folder / "fine.xyz").write_text('<http://e/s> <http://e/p> "x" .\n')
    (folder / "a-folder").mkdir()
    (folder / "a-file").write_text("not a folder\n")
    return folder


#: argv (``{dir}``: the hostile folder, ``{port}``: a free port) -> exit code, phrase of the message
CASES: list[tuple[tuple[str, ...], int, str]] = [
    # 1. a 50 MB literal: pyoxigraph's MemoryError becomes the file, the line and the reason
    (("validate", "{dir}/big.ttl"), 2, "big.ttl:1: a literal, IRI or comment is longer than 16"),
    (("validate", "--engine", "pyshacl", "{dir}/big.ttl"), 2, "big.ttl:1: a literal, IRI"),
    (("serve", "--port", "{port}", "--graph", "http://e/g={dir}/big.ttl"), 2, "big.ttl:1: a"),
    (
        (
            "serve",
            "--port",
            "{port}",
            "--store-path",
            "{dir}/store",
            "--graph",
            "http://e/g={dir}/big.ttl",
        ),
        2,
        "big.ttl:1: a literal, IRI",
    ),
    # (`serve --graph` of escaped.ttl is no failure: the embedded store takes parsed quads, with
    # no N-Triples round trip; pushing it to a server still is one, tested below.)
    # 2. argv bytes that are not UTF-8 arrive as surrogates
    (("query", "things", "--param", "kind=\udcff\udcfe"), 2, r"b'kind=\xff\xfe' is not UTF-8"),
    (("query", "\udcff"), 2, "NAME: b'\\xff' is not UTF-8 text"),
    (("load", "--endpoint", "http://e/\udcff"), 2, "--endpoint: b'http://e/\\xff' is not UTF-8"),
    # 4. numbers out of range
    (("serve", "--port", "70000"), 2, "argument --port: 70000 is not a TCP port (1 to 65535)"),
    (("serve", "--port", "0"), 2, "argument --port: 0 is not a TCP port"),
    (("serve", "--port", "-1"), 2, "argument --port: -1 is not a TCP port"),
    (("serve", "--port", "http"), 2, "argument --port: 'http' is not a whole number"),
    (("serve", "--timeout", "0"), 2, "argument --timeout: 0 is not a time limit"),
    (("serve", "--timeout", "-1"), 2, "argument --timeout: -1 is not a time limit"),
    (("serve", "--timeout", "nan"), 2, "argument --timeout: nan is not a time limit"),
    (("serve", "--timeout", "inf"), 2, "argument --timeout: inf is not a time limit"),
    (("serve", "--workers", "0"), 2, "argument --workers: 0 is not a number of query workers"),
    (("serve", "--workers", "100000"), 2, "--workers: 100000 is not a number of query workers"),
    (("synth", "--projects", "-1", "--out", "{dir}/s.nt"), 2, "--projects: -1 is not a number"),
    (("synth", "--triples", "0", "--out", "{dir}/s.nt"), 2, "--triples: 0 is not a number"),
    (("synth", "--projects", "3", "--faults", "-1", "--out", "{dir}/s.nt"), 2, "--faults: -1"),
    # 5. what a new user tries
    (("validate", "{dir}/missing.ttl"), 2, "missing.ttl: no such file"),
    (("validate", "{dir}/missing.xyz"), 2, "missing.xyz: no such file"),
    (("validate", "{dir}/a-folder"), 2, "a-folder: no RDF file in this folder"),
    (("validate", "--shapes", "{dir}/a-folder"), 2, "a-folder: is a folder, not a file"),
    (("validate", "{dir}/latin1.ttl"), 2, "latin1.ttl:1: syntax error"),
    (("validate", "{dir}/fine.xyz"), 2, "fine.xyz: the suffix .xyz names no RDF syntax"),
    (("validate", "--format", "xml"), 2, "argument --format: invalid choice: 'xml'"),
    (("fmt", "{dir}/a-folder"), 2, "a-folder"),
    (("query", "no-such-query"), 2, "no named query 'no-such-query'"),
    (("query", "things", "--param", "kind"), 2, "--param 'kind': write KEY=VALUE"),
    (("query", "things", "--param", "=x"), 2, "write KEY=VALUE"),
    (("query", "thing", "--param", "thing=http://e/a b"), 2, "'http://e/a b' is not valid"),
    (("query", "things", "--format", "xml"), 2, "argument --format: invalid choice: 'xml'"),
    ((), 2, "jaif-kg: error: name a command"),
    (("no-such-command",), 2, "invalid choice: 'no-such-command'"),
    (("build", "--out", "{dir}/a-file"), 2, "a-file: is a file, not a folder (--out)"),
    (("load", "--endpoint", "http://exa mple/"), 2, "(a space or control character in it)"),
    (("load", "--endpoint", "oxigraph"), 2, "--endpoint wants the http(s) URL"),
    (("load", "--endpoint", "http://127.0.0.1:99999/"), 2, "(a port out of range)"),
    (("serve", "--graph", "no-equals-sign"), 2, "--graph wants IRI=FILE"),
]


@pytest.mark.parametrize(("argv", "code", "phrase"), CASES, ids=lambda v: str(v)[:60])
def test_each_failure_is_one_line(
    hostile: Path, argv: tuple[str, ...], code: int, phrase: str
) -> None:
    port = str(free_port())
    args = [a.replace("{dir}", str(hostile)).replace("{port}", port) for a in argv]
    assert_one_line(jaif_kg(*args, timeout=60), code, phrase)


def test_every_syntax_error_of_a_file_is_one_line_each(hostile: Path) -> None:
    run = jaif_kg("validate", str(hostile / "garbage.ttl"), timeout=60)
    assert run.returncode == 2 and run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) > 1  # not only the first error
    for line in lines:
        assert line.startswith(f"jaif-kg validate: error: {hostile / 'garbage.ttl'}:"), line
        assert "syntax error" in line and "Traceback" not in line
        assert line.isprintable(), line


#: environment -> argv, exit code, phrase: settings are input too
SETTINGS_CASES: list[tuple[dict[str, str], tuple[str, ...], int, str]] = [
    ({"JAIF_QUERY_TIMEOUT": "abc"}, ("validate",), 2, "JAIF_QUERY_TIMEOUT='abc': Input should"),
    ({"JAIF_QUERY_TIMEOUT": "0"}, ("serve", "--port", "{port}"), 2, "JAIF_QUERY_TIMEOUT='0'"),
    ({"JAIF_QUERY_WORKERS": "-3"}, ("serve", "--port", "{port}"), 2, "JAIF_QUERY_WORKERS='-3'"),
    ({"JAIF_BASE_IRI": "not an iri"}, ("validate",), 2, "JAIF_BASE_IRI='not an iri' is not an"),
    ({"JAIF_STORE": "http://a b/"}, ("query", "things"), 2, "--store (JAIF_STORE) wants"),
    ({"JAIF_UPDATE_URL": "ftp://x/"}, ("load", "--endpoint", "http://e/"), 2, "JAIF_UPDATE_URL"),
]


@pytest.mark.parametrize(("env", "argv", "code", "phrase"), SETTINGS_CASES)
def test_each_bad_setting_is_one_line(
    env: dict[str, str], argv: tuple[str, ...], code: int, phrase: str
) -> None:
    port = str(free_port())
    run = jaif_kg(*(a.replace("{port}", port) for a in argv), env=env, timeout=60)
    assert_one_line(run, code, phrase)


def test_serve_on_a_port_in_use_fails_before_loading() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = jaif_kg("serve", "--port", str(port), timeout=60)
    assert_one_line(run, 2, f"cannot listen on 127.0.0.1:{port}: Address already in use")


# -- load: a server that is not a SPARQL server gets no write -----------------------------------

#: What a URL that is not a SPARQL query endpoint may answer to anything.
NOT_SPARQL = {
    "html page": Behaviour(body=b"<html><body>hello</body></html>", content_type="text/html"),
    "empty turtle": Behaviour(body=b"", content_type="text/turtle"),
    "rows without n": Behaviour(body=b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'),
    "false": Behaviour(body=b'{"head":{},"boolean":false}'),
    "plain json": Behaviour(body=b"{}", content_type="application/json"),
    "404": Behaviour(status=404, body=b"<html>not found</html>", content_type="text/html"),
    "405": Behaviour(status=405, body=b"", content_type="text/plain"),
}


@pytest.mark.parametrize("graph_store", [False, True], ids=["update", "graph-store"])
@pytest.mark.parametrize("answer", sorted(NOT_SPARQL))
def test_load_writes_nothing_to_a_server_that_is_not_sparql(answer: str, graph_store: bool) -> None:
    """Before the check, an empty Turtle answer or rows without ``?n`` let ``load`` POST (or PUT)
    the whole graph there, then fail with ``KeyError: 'n'``."""
    behaviour = NOT_SPARQL[answer]
    behaviour = Behaviour(behaviour.status, behaviour.body, behaviour.content_type)
    with Probe(behaviour) as probe:
        args = ["load", "--endpoint", probe.url + "/"]
        if graph_store:
            args += ["--graph-store-url", probe.url + "/store"]
        run = jaif_kg(*args)
        seen = list(probe.seen)
    assert_one_line(run, 2, "is not a SPARQL query endpoint: it answered ASK {} with")
    assert "nothing was pushed" in run.stderr
    assert [(s.method, s.body) for s in seen] == [("POST", b"query=ASK+%7B%7D")]


def test_load_asks_first_and_then_pushes_to_a_real_server(
    oxigraph_server: OxigraphServer,
) -> None:
    behaviour = Behaviour(upstream=oxigraph_server.base_url)
    with Probe(behaviour) as proxy:
        run = jaif_kg(
            "load", "--endpoint", proxy.url + "/query", "--update-url", proxy.url + "/update"
        )
        seen = list(proxy.seen)
    assert run.returncode == 0, run.stderr
    assert seen[0].body == b"query=ASK+%7B%7D"
    assert any(s.path.startswith("/update") and b"INSERT DATA" in s.body for s in seen[1:])


def test_load_of_a_literal_too_long_for_n_triples_writes_nothing(
    oxigraph_server: OxigraphServer, hostile: Path, tmp_path: Path
) -> None:
    """The graph goes to the server as N-Triples, parsed again first: a literal that fit the
    parser in Turtle can be too long there, and that was a ``MemoryError`` traceback."""
    data = tmp_path / "graph_data"
    shutil.copytree(WORLD / "graph_data", data)
    shutil.copy(hostile / "escaped.ttl", data)
    run = jaif_kg("load", "--endpoint", oxigraph_server.query_url, env={"JAIF_DATA_DIR": str(data)})
    assert_one_line(run, 2, "escaped.ttl: a literal or IRI is longer than 16 MiB once written")
    assert RemoteStore(oxigraph_server.query_url).count() == 0


def test_a_count_without_a_number_is_a_store_error() -> None:
    """``count_graph`` read ``rows[0]["n"]`` and failed with ``KeyError: 'n'``."""
    with Probe(Behaviour(body=b'{"head":{"vars":["x"]},"results":{"bindings":[{}]}}')) as probe:
        store = RemoteStore(probe.url + "/query")
        with pytest.raises(StoreError, match="answered a COUNT with 'no value'"):
            count_graph(store, None)


def test_a_servers_page_long_error_is_one_line() -> None:
    page = b"<html>\n<body>\n<h1>Internal error</h1>\n" + b"<p>stack</p>\n" * 2000 + b"</html>\n"
    with Probe(Behaviour(status=500, body=page, content_type="text/html")) as probe:
        run = jaif_kg("query", "things", "--store", probe.url + "/query")
    assert_one_line(run, 3, "failed on the query (500): <html> <body> <h1>Internal error</h1>")
    assert len(run.stderr) < 2100


# -- the last resorts -------------------------------------------------------------------------


def test_an_unexpected_error_is_one_line_and_exit_70() -> None:
    """Fault injection: the command's code raises what nothing expects (a bug)."""
    code = (
        "import sys\n"
        "import jaif_kg.cli as cli\n"
        "import jaif_kg.cli.build as build\n"
        "def broken(args):\n"
        "    raise ZeroDivisionError('division by zero\\nsecond line')\n"
        "build.run = broken\n"
        "sys.exit(cli.main(['build']))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert_one_line(run, 70, "internal error: ZeroDivisionError: division by zero second line")
    assert "this is a bug in jaif-kg" in run.stderr


def _ctrl_c_as_in_a_terminal() -> None:
    """In the child: SIGINT's default disposition. A shell without job control starts a
    background job (``make test &``) with SIGINT ignored, children inherit that, and Python then
    installs no KeyboardInterrupt handler: Ctrl-C would never reach the command under test."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_is_one_line_and_exit_130(tmp_path: Path) -> None:
    """``synth`` of two million projects takes minutes; Ctrl-C stops it."""
    command = [sys.executable, "-m", "jaif_kg.cli", "synth", "--projects", "2000000"]
    process = subprocess.Popen(
        [*command, "--out", str(tmp_path / "huge.nt")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    try:
        time.sleep(3)  # past the imports, into the generation
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    run = subprocess.CompletedProcess(process.args, process.returncode, "", err)
    assert_one_line(run, 130, "jaif-kg synth: interrupted")


@pytest.fixture
def faulty_data(tmp_path: Path) -> Iterator[Path]:
    """Data whose validation report is far larger than a pipe holds."""
    path = tmp_path / "faulty.nt"
    done = jaif_kg("synth", "--projects", "300", "--faults", "300", "--out", str(path))
    assert done.returncode == 0, done.stderr
    yield path


def test_a_reader_that_goes_away_is_no_error(faulty_data: Path) -> None:
    """``jaif-kg validate ... | head``: exit 141 (as a shell reports SIGPIPE), nothing on stderr."""
    command = [sys.executable, "-m", "jaif_kg.cli", "validate", "--format", "json"]
    process = subprocess.Popen(
        [*command, str(REPO / "ontology" / "jaif.ttl"), str(faulty_data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before anything is written
    err = process.stderr.read()
    process.wait(timeout=120)
    assert process.returncode == 141, err
    assert err == b""


@pytest.mark.parametrize(
    "name, value",
    [
        ("JAIF_MAX_RESULTS", "-1"),
        ("JAIF_MAX_RESULT_BYTES", "0"),
        ("JAIF_WORKER_MEMORY_MB", "-5"),
        ("JAIF_CLIENT_QUERIES", "0"),
        ("JAIF_READ_TIMEOUT", "0"),
        ("JAIF_MAX_HEADER_BYTES", "10"),
        ("JAIF_SANDBOX", "maybe"),
    ],
)
def test_out_of_range_settings_are_one_line(name: str, value: str) -> None:
    result = jaif_kg("query", "member-states", env={name: value})
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and name in result.stderr
