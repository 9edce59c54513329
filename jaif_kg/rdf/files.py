"""THE reader of RDF files: whatever jaif-kg reads from an RDF file, it reads here.

The syntax comes from the file's suffix (:data:`~jaif_kg.rdf.formats.RDF_SUFFIXES`), or is named
by the caller; the file is read whole and parsed completely by pyoxigraph (strict, and its errors
carry a line), blank nodes renamed apart so that the triples of several files merge safely. A
folder stands for every RDF file under it (:func:`rdf_files_in`); standard input is read by
:func:`read_stdin`.

* Relative IRIs (``<>``, ``<foo>``) are resolved against the file's own URL
  (``file:///abs/path``), as RDF says (RFC 3986 section 5.1.3); standard input has a base given
  by the caller (:data:`STDIN_BASE` by default).
* A ``.n3`` file is read as Turtle, which Turtle-compatible N3 is; N3-only syntax (formulas,
  ``=>``, variables...) is refused with the line where it starts (:func:`parse_data`).
* A JSON-LD ``@context`` given by URL is never fetched: it is taken from ``contexts`` (URL ->
  document), which always holds this project's own context (:func:`project_contexts`); another
  URL is an error naming it.

Every failure is an :class:`~jaif_kg.errors.InputError` naming the file (and the line where there
is one): a missing file, a folder without RDF files, an unreadable file, an unknown suffix, a
syntax error, a remote JSON-LD context, or a piece longer than the parser reads
(:data:`PARSER_LIMIT`). A file with several syntax errors, or several files with errors, give
one :class:`~jaif_kg.errors.InputErrors` listing every one (pyoxigraph's Turtle-family parsers
go on after an error, so later errors are found too), one per line at most, and none after a string
literal left open at the end of its line (:data:`RUNS_ON`: what follows it is misread).

The files name things under the default base; under another ``base`` (``settings.base_iri``)
they are rebased term by term as they are read (:mod:`jaif_kg.rdf.rebasing`); with the default
base nothing extra is done.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import os
import re
import sys
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from jaif_kg.errors import InputError, InputErrors
from jaif_kg.publish.vocab import VOCABULARIES
from jaif_kg.rdf.formats import (
    N3,
    RDF_SUFFIXES,
    RdfFormat,
    input_format_named,
    rdf_format_for_path,
    suffix_of,
)
from jaif_kg.rdf.namespaces import DEFAULT_BASE, project_prefixes
from jaif_kg.rdf.rebasing import rebase_prefixes, rebase_quads

#: The most bytes pyoxigraph's parsers hold in one piece (a literal, an IRI, a comment, or a whole
#: line of N-Triples): a longer one fails with ``MemoryError: Reached the buffer maximal size``.
PARSER_LIMIT = 16 * 1024 * 1024
#: The most syntax errors reported for one file, at most one per line (a parser that goes on after
#: an error finds one per character of a file that is not RDF at all).
MAX_ERRORS_PER_FILE = 10
#: pyoxigraph's error for a string literal still open at the end of its line. Every later error
#: of that file follows from it (its closing quote opens a string), so it is the last reported.
RUNS_ON = "Line jumps are not allowed in string literals"
#: How standard input is named in messages and in :attr:`ParsedFile.path`.
STDIN_NAME = "<stdin>"
#: The IRI relative IRIs of standard input are resolved against, unless the caller gives one.
STDIN_BASE = "file:///dev/stdin"
#: Where the project publishes its JSON-LD context, under the published base (the JSON-LD dump
#: names ``<base>dumps/context.jsonld`` as its ``@context``).
CONTEXT_PATH = "dumps/context.jsonld"
#: How deep JSON-LD contexts may refer to other contexts (a loop would never end).
MAX_CONTEXT_DEPTH = 8

#: JSON-LD contexts known without the network: URL -> the context document (JSON bytes).
Contexts = Mapping[str, bytes]

_TURTLE = input_format_named("turtle")


def project_context(base: str = DEFAULT_BASE) -> bytes:
    """This project's JSON-LD context (the one its JSON-LD dump names): every prefix its RDF
    output uses, under ``base``, as a term.

    >>> json.loads(project_context())["@context"]["org"]
    'http://www.w3.org/ns/org#'
    """
    known = project_prefixes(base)
    for namespace, (prefix, _, _) in VOCABULARIES.items():
        if prefix not in known and namespace not in known.values():
            known[prefix] = namespace
    return json.dumps({"@context": dict(sorted(known.items()))}, sort_keys=True).encode()


def project_contexts(base: str = DEFAULT_BASE, public_url: str | None = None) -> dict[str, bytes]:
    """The project's JSON-LD context under the URLs a dump may name it by: under ``base``, and
    under ``public_url`` when the deployment publishes elsewhere.

    >>> sorted(project_contexts())
    ['https://w3id.org/jaif-kg/dumps/context.jsonld']
    """
    document = project_context(base)
    roots = [base, *([public_url] if public_url else [])]
    return {(r if r.endswith("/") else r + "/") + CONTEXT_PATH: document for r in roots}


def document_iri(path: Path) -> str:
    """The URL of a file, against which its relative IRIs are resolved.

    >>> document_iri(Path("/data/a b.ttl"))
    'file:///data/a%20b.ttl'
    """
    return path.resolve().as_uri()


def path_key(path: Path) -> Path:
    """``path`` resolved, to tell whether two names are one file; a name that cannot be resolved
    (a symbolic link loop) is its own absolute path, and reading it then says why.

    >>> path_key(Path("/a/../b.ttl"))
    PosixPath('/b.ttl')
    """
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # RuntimeError: a symlink loop, before Python 3.13
        return Path(os.path.abspath(path))


def path_error(path: Path) -> InputError | None:
    """Why ``path`` cannot be opened, if it cannot: no such file (a dangling symbolic link too),
    a symbolic link loop, or what the system says.

    >>> path_error(Path("/no/such.ttl"))
    InputError('/no/such.ttl: no such file')
    >>> path_error(Path("/")) is None
    True
    """
    try:
        path.stat()
    except FileNotFoundError:
        return InputError("no such file", path=str(path))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return InputError("symlink loop", path=str(path))
        return InputError(f"cannot read the file: {exc.strerror or exc}", path=str(path))
    return None


def input_format(path: Path, fmt: RdfFormat | None = None) -> RdfFormat:
    """The RDF format of an input file (``fmt`` if given, else from its suffix), once the file is
    known to be there.

    The file is looked at before its suffix, so that a missing file or a folder is called so
    rather than "unknown RDF format"; it is not read (a device such as ``/dev/zero`` never ends).

    >>> input_format(Path("/"))
    Traceback (most recent call last):
    ...
    jaif_kg.errors.InputError: /: is a folder, not a file

    Raises:
        InputError: no such file, a symbolic link loop, a folder, or a suffix that names no RDF
            format (the error names the file).
    """
    problem = path_error(path)
    if problem is not None:
        raise problem
    if path.is_dir():
        raise InputError("is a folder, not a file", path=str(path))
    if fmt is not None:
        return fmt
    try:
        return rdf_format_for_path(path.name)
    except InputError as exc:
        raise InputError(str(exc), path=str(path)) from None


def read_input(path: Path) -> bytes:
    """The bytes of one input file.

    Raises:
        InputError: no such file, a folder, or an unreadable file (the error names the file).
    """
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", path=str(path)) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError("symlink loop", path=str(path)) from None
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=str(path)) from None


def first_long_line(data: bytes, limit: int = PARSER_LIMIT) -> int | None:
    r"""The number (from 1) of the first line of ``data`` longer than ``limit`` bytes, if any.

    >>> first_long_line(b"short\nmuch too long\nshort", limit=8)
    2
    >>> first_long_line(b"short\nshort", limit=8) is None
    True
    """
    if len(data) <= limit:
        return None
    start, number = 0, 1
    while start <= len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        if end - start > limit:
            return number
        start, number = end + 1, number + 1
    return None


def parser_limit_hit(exc: MemoryError) -> bool:
    """Whether ``exc`` is pyoxigraph's refusal of an over-long piece, not a lack of memory.

    >>> parser_limit_hit(MemoryError("Reached the buffer maximal size")), parser_limit_hit(
    ...     MemoryError())
    (True, False)
    """
    return "buffer maximal size" in str(exc)


def syntax_error(exc: SyntaxError, path: Path | str | None) -> InputError:
    """pyoxigraph's syntax error as an :class:`InputError` naming ``path`` and the line.

    >>> syntax_error(SyntaxError("Parser error at line 3 column 5: oops", (None, 3, 5, None)),
    ...              "a.ttl")
    InputError('a.ttl:3: syntax error at line 3 column 5: oops')
    """
    message = exc.msg if isinstance(exc.msg, str) and exc.msg else str(exc)
    # a control character quoted from a binary file would break the one-line message
    message = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", message)
    # pyoxigraph says "Parser error at line 3 column 5: ..."; the line also goes into the
    # InputError's "file:line:" prefix, and the column stays in the text.
    message = re.sub(r"^Parser error\b", "syntax error", message)
    return InputError(message, path=None if path is None else str(path), line=exc.lineno)


@contextlib.contextmanager
def parsing(path: Path | str | None, data: bytes | None = None) -> Iterator[None]:
    """Parse ``data`` (the bytes of ``path``) with pyoxigraph inside this block.

    A syntax error becomes an :class:`InputError` naming ``path`` and the line; a piece longer
    than :data:`PARSER_LIMIT` too (the line is found in ``data``). A real lack of memory is left
    alone: it is no fault of the file.

    >>> with parsing("a.nt"):
    ...     _ = list(ox.parse(b"<http://e/s> <http://e/p> .", ox.RdfFormat.N_TRIPLES))
    Traceback (most recent call last):
    ...
    jaif_kg.errors.InputError: a.nt:1: syntax error at line 1 column 27: The object of a triple
    must be an IRI, a blank node or a literal
    """
    try:
        yield
    except SyntaxError as exc:
        raise syntax_error(exc, path) from None
    except MemoryError as exc:
        if not parser_limit_hit(exc):
            raise
        raise InputError(
            f"a literal, IRI or comment is longer than {PARSER_LIMIT // 2**20} MiB, the most the "
            "RDF parser reads in one piece",
            path=None if path is None else str(path),
            line=None if data is None else first_long_line(data),
        ) from None


@dataclass(frozen=True)
class ParsedFile:
    """The triples of one RDF file, with the prefixes it declares.

    Attributes:
        path: the file (:data:`STDIN_NAME` for standard input).
        data: its bytes, as read.
        quads: its triples, as quads of the default graph (the quads of a dataset format lose
            their graph name unless read with ``keep_graphs``), read under the base asked for.
        prefixes: prefix -> namespace IRI, as declared in the file (Turtle, TriG).
        fmt: the syntax it was read as (``None``: from the suffix of ``path``); Turtle for a
            ``.n3`` file, which is read as Turtle.
        document: the IRI its relative IRIs were resolved against (``None``: the URL of
            ``path``); the line finder parses its pieces against the same.
    """

    path: Path
    data: bytes
    quads: list[ox.Quad]
    prefixes: dict[str, str] = field(default_factory=dict)
    fmt: RdfFormat | None = None
    document: str | None = None

    @property
    def triples(self) -> list[ox.Triple]:
        """The triples of :attr:`quads`."""
        return [q.triple for q in self.quads]


def parse_file(
    path: Path | str,
    *,
    base: str = DEFAULT_BASE,
    fmt: RdfFormat | None = None,
    contexts: Contexts | None = None,
    keep_graphs: bool = False,
) -> ParsedFile:
    """Read and parse one RDF file completely, under ``base``; its relative IRIs are resolved
    against its URL.

    >>> parse_file("/no/such/file.ttl")
    Traceback (most recent call last):
    ...
    jaif_kg.errors.InputError: /no/such/file.ttl: no such file

    Args:
        path: the file.
        base: the deployment's base IRI (the files are rebased onto it).
        fmt: the syntax to read it as (default: from its suffix).
        contexts: JSON-LD contexts by URL, besides the project's own (:func:`project_contexts`).
        keep_graphs: keep the graph names of a dataset format (TriG, N-Quads, JSON-LD) in the
            quads (rebased like any IRI); by default every quad is in the default graph.

    Raises:
        InputError: the file is missing, a folder or unreadable, its suffix names no RDF format,
            it does not parse, or it holds a piece longer than the parser reads (the error
            names the file and the line); :class:`InputErrors` for several syntax errors.
    """
    path = Path(path)
    fmt = input_format(path, fmt)
    return parse_data(
        read_input(path),
        path,
        fmt,
        base=base,
        document=document_iri(path),
        contexts=contexts,
        keep_graphs=keep_graphs,
    )


def read_stdin(
    fmt: RdfFormat,
    *,
    base: str = DEFAULT_BASE,
    document: str = STDIN_BASE,
    contexts: Contexts | None = None,
) -> ParsedFile:
    """Read and parse standard input (bytes) as ``fmt``; named :data:`STDIN_NAME`, its relative
    IRIs resolved against ``document``.

    Raises:
        InputError: ``document`` is not an absolute IRI; as :func:`parse_data`.
    """
    try:
        ox.NamedNode(document)
    except ValueError as exc:
        raise InputError(
            f"the base IRI of standard input, {document!r}, is not an absolute IRI: {exc}",
            path=STDIN_NAME,
        ) from None
    return parse_data(
        sys.stdin.buffer.read(),
        Path(STDIN_NAME),
        fmt,
        base=base,
        document=document,
        contexts=contexts,
    )


def parse_data(
    data: bytes,
    path: Path,
    fmt: RdfFormat,
    *,
    base: str = DEFAULT_BASE,
    document: str | None = None,
    contexts: Contexts | None = None,
    keep_graphs: bool = False,
) -> ParsedFile:
    """Parse the bytes of one RDF document named ``path`` (for messages) as ``fmt``; the quads
    of a dataset format keep their graph names only with ``keep_graphs``.

    Relative IRIs are resolved against ``document`` (default: the URL of ``path``). N3 is read as
    Turtle (:data:`~jaif_kg.rdf.formats.N3`): the :class:`ParsedFile` says Turtle, and N3 that is
    not Turtle is refused. A JSON-LD ``@context`` URL is taken from ``contexts`` or the project's
    own contexts, never fetched.

    >>> pf = parse_data(b"<> <p> <#x> .", Path("/d/a.ttl"), input_format_named("ttl"))
    >>> print(pf.quads[0].subject, pf.quads[0].object)
    <file:///d/a.ttl> <file:///d/a.ttl#x>

    Raises:
        InputError: a syntax error (file and line), N3-only syntax, a JSON-LD context that is not
            known, or a piece longer than the parser reads; :class:`InputErrors` for several
            syntax errors.
    """
    document = document or document_iri(path)
    if fmt == N3:
        return dataclasses.replace(_parse_n3(path, data, base, document), document=document)
    source = data
    if fmt.name == "jsonld":
        source = inline_contexts(
            data, path, document, {**project_contexts(base), **(contexts or {})}
        )
    quads, prefixes, errors = _parse_all(path, fmt, source, document)
    raise_all(errors)
    if fmt.datasets and not keep_graphs:
        quads = [ox.Quad(q.subject, q.predicate, q.object) for q in quads]
    return ParsedFile(
        path, data, rebase_quads(quads, base), rebase_prefixes(prefixes, base), fmt, document
    )


def _parse_all(
    path: Path, fmt: RdfFormat, data: bytes, document: str
) -> tuple[list[ox.Quad], dict[str, str], list[InputError]]:
    """Every quad of ``data``, its prefixes, and every syntax error the parser finds in it (up to
    :data:`MAX_ERRORS_PER_FILE`; the parser goes on after one where it can)."""
    quads: list[ox.Quad] = []
    errors: list[InputError] = []
    with parsing(path, data):
        parser = ox.parse(data, fmt.oxigraph, base_iri=document, rename_blank_nodes=True)
        while True:
            try:
                quads.extend(parser)  # items before an error stay in the list
                break
            except SyntaxError as exc:
                error = syntax_error(exc, path)
                if errors and (str(errors[-1]) == str(error)):
                    break  # a parser that cannot go on repeats its error
                if errors and errors[-1].line == error.line:
                    continue  # one error per line: the rest of a line follows from the first
                if len(errors) == MAX_ERRORS_PER_FILE:
                    errors.append(
                        InputError(
                            f"more syntax errors after line {errors[-1].line} are not listed",
                            path=str(path),
                        )
                    )
                    break
                if RUNS_ON in str(error):
                    # the parser goes on after the line jump, reads the literal's closing quote
                    # as an opening one and reports the rest of the file as errors of its own
                    errors.append(
                        InputError(
                            f"{_message(error)} (a string literal that runs on: the lines "
                            "after it are not checked)",
                            path=error.path,
                            line=error.line,
                        )
                    )
                    break
                errors.append(error)
    return quads, dict(parser.prefixes or {}), errors


def _parse_n3(path: Path, data: bytes, base: str, document: str) -> ParsedFile:
    """A ``.n3`` file read as Turtle; if Turtle fails where N3 does not, the file uses N3's own
    syntax (https://w3c.github.io/N3/spec/#grammar), which jaif-kg does not read."""
    quads, prefixes, errors = _parse_all(path, _TURTLE, data, document)
    if errors:
        _, _, n3_errors = _parse_all(path, N3, data, document)
        if not n3_errors or any("variable" in str(e) for e in n3_errors):
            raise InputError(
                "N3 that is not Turtle starts here (a formula { }, =>, =, a ?variable, a path "
                "with ! or ^, @forAll...): a .n3 file is read only when it is Turtle-compatible "
                f"N3 (Turtle's parser says: {_message(errors[0])})",
                path=str(path),
                line=errors[0].line,
            )
        raise_all(errors)
    return ParsedFile(
        path, data, rebase_quads(quads, base), rebase_prefixes(prefixes, base), _TURTLE
    )


def _message(error: InputError) -> str:
    """The text of ``error`` without its ``file:line:`` prefix."""
    text = str(error)
    prefix = str(InputError("", path=error.path, line=error.line))
    return text[len(prefix) :].strip() if text.startswith(prefix.rstrip()) else text


def raise_all(errors: Sequence[InputError]) -> None:
    """Raise ``errors``: nothing when there is none, the error itself when there is one,
    :class:`InputErrors` (each error of an :class:`InputErrors` listed) when there are more.

    >>> raise_all([InputError("a", path="x.ttl"), InputError("b", path="y.ttl")])
    Traceback (most recent call last):
    ...
    jaif_kg.errors.InputErrors: x.ttl: a
    y.ttl: b
    """
    flat = [
        e for error in errors for e in (error.errors if isinstance(error, InputErrors) else [error])
    ]
    if len(flat) == 1:
        raise flat[0]
    if flat:
        raise InputErrors(flat)


# -- JSON-LD contexts, from local copies only ------------------------------------------------


def inline_contexts(data: bytes, path: Path, document: str, contexts: Contexts) -> bytes:
    """The JSON-LD document ``data`` with every ``@context`` given by URL replaced by the context
    it names, taken from ``contexts`` (JSON-LD 1.1, section 3.1: a remote context's
    ``@context`` value stands in for the reference), and every ``@import`` of a URL replaced by
    the imported context's entries (section 4.1.10; its own entries win). The network is never
    used.

    ``data`` is returned as it is when it names no context by URL, or is not JSON (the parser
    then reports the syntax error with its line).

    >>> doc = b'{"@context": "http://e/c", "@id": "http://e/s", "p": 1}'
    >>> json.loads(inline_contexts(doc, Path("a.jsonld"), "file:///a.jsonld",
    ...     {"http://e/c": b'{"@context": {"p": "http://e/p"}}'}))["@context"]
    {'p': 'http://e/p'}

    Raises:
        InputError: a context URL that is not in ``contexts`` (the message names the URL and
            ``--context``), a context that is not JSON, or contexts nested too deep.
    """
    if b"@context" not in data:
        return data
    try:
        document_json = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return data
    replaced = False

    def load(value: str, where: str, depth: int) -> tuple[str, Any]:
        """The URL ``value`` names (resolved against ``where``) and its ``@context``."""
        nonlocal replaced
        url = urllib.parse.urljoin(where, value)
        if depth >= MAX_CONTEXT_DEPTH:
            raise InputError(
                f"JSON-LD contexts refer to each other more than {MAX_CONTEXT_DEPTH} deep "
                f"(at <{url}>)",
                path=str(path),
            )
        if url not in contexts:
            raise InputError(
                f"the JSON-LD @context <{url}> is not read from the network: give a local copy "
                f"with --context {url}=FILE",
                path=str(path),
            )
        try:
            loaded = json.loads(contexts[url])
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(
                f"the JSON-LD context <{url}> is not JSON: {exc}", path=str(path)
            ) from None
        replaced = True
        return url, loaded.get("@context", {}) if isinstance(loaded, dict) else {}

    def context(value: Any, where: str, depth: int) -> Any:
        if isinstance(value, list):
            return [context(v, where, depth) for v in value]
        if isinstance(value, dict):
            if isinstance(value.get("@import"), str):
                # JSON-LD 1.1, section 4.1.10: the imported context's entries, overridden by
                # the context's own (the parser would fetch it: it has no document loader)
                url, imported = load(value["@import"], where, depth)
                imported = context(imported, url, depth + 1)
                if not isinstance(imported, dict):
                    raise InputError(
                        f"the JSON-LD context <{url}> named by @import is not one object",
                        path=str(path),
                    )
                own = {k: v for k, v in value.items() if k != "@import"}
                value = {**imported, **own}
            return walk(value, where, depth)
        if not isinstance(value, str):
            return value
        url, inner = load(value, where, depth)
        return context(inner, url, depth + 1)

    def walk(node: Any, where: str, depth: int) -> Any:
        if isinstance(node, list):
            return [walk(v, where, depth) for v in node]
        if isinstance(node, dict):
            return {
                k: context(v, where, depth) if k == "@context" else walk(v, where, depth)
                for k, v in node.items()
            }
        return node

    result = walk(document_json, document, 0)
    return json.dumps(result, ensure_ascii=False, indent=1).encode() if replaced else data


# -- finding the files ------------------------------------------------------------------------


def rdf_files_in(folder: Path) -> list[Path]:
    """Every RDF file under ``folder`` (by its suffix, :data:`RDF_SUFFIXES`), at any depth,
    sorted by their path inside it. Hidden files and folders (a name starting with ``.``) are
    skipped, and so are files of any other suffix (``.json`` and ``.xml`` too: name such a file
    with its syntax to read it). Symbolic links to folders are not followed.
    """
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(
            Path(root, name)
            for name in files
            if not name.startswith(".") and suffix_of(name) in RDF_SUFFIXES
        )
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


def expand_folders(paths: Iterable[Path | str]) -> list[Path]:
    """``paths`` with every folder replaced by the RDF files under it (:func:`rdf_files_in`).

    Raises:
        InputError: a folder without any RDF file.
    """
    result: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files = rdf_files_in(path)
            if not files:
                known = " ".join(f".{s}" for s in sorted(RDF_SUFFIXES))
                raise InputError(f"no RDF file in this folder (by suffix: {known})", path=str(path))
            result.extend(files)
        else:
            result.append(path)
    return result


def read_inputs(
    sources: Sequence[Path | str],
    *,
    base: str = DEFAULT_BASE,
    fmt: RdfFormat | None = None,
    stdin_base: str = STDIN_BASE,
    contexts: Contexts | None = None,
) -> list[ParsedFile]:
    """Read what a user names: files, folders (every RDF file under them, by suffix) and ``-``
    (standard input, once), each file once, in order.

    ``fmt`` is the syntax of standard input and of the files named (those found in a folder go
    by their suffix); standard input needs it. Its relative IRIs are resolved against
    ``stdin_base``.

    Raises:
        InputError: as :func:`parse_file`, or standard input without ``fmt``; every error of
            every input is raised at once (:class:`~jaif_kg.errors.InputErrors`).
    """
    parsed: list[ParsedFile] = []
    errors: list[InputError] = []
    stdin_read = False
    seen: set[Path] = set()
    for source in sources:
        try:
            if str(source) == "-":
                if stdin_read:
                    continue
                stdin_read = True
                if fmt is None:
                    raise InputError(
                        "standard input (-) has no suffix to tell its syntax: name it with "
                        "--input-format",
                        path=STDIN_NAME,
                    )
                parsed.append(read_stdin(fmt, base=base, document=stdin_base, contexts=contexts))
                continue
            path = Path(source)
            named = not path.is_dir()
            for file in expand_folders([path]):
                key = path_key(file)
                if key in seen:
                    continue
                seen.add(key)
                try:
                    parsed.append(
                        parse_file(file, base=base, fmt=fmt if named else None, contexts=contexts)
                    )
                except InputError as exc:
                    errors.append(exc)
        except InputError as exc:
            errors.append(exc)
    raise_all(errors)
    return parsed


def unique_paths(paths: Iterable[Path | str]) -> list[Path]:
    """``paths`` without the files already named (by their resolved path), in order.

    >>> unique_paths(["a.ttl", "./a.ttl", "b.ttl"])
    [PosixPath('a.ttl'), PosixPath('b.ttl')]
    """
    seen: set[Path] = set()
    result: list[Path] = []
    for p in paths:
        path = Path(p)
        key = path_key(path)
        if key not in seen:
            seen.add(key)
            result.append(path)
    return result


def parse_files(
    paths: Iterable[Path | str], *, base: str = DEFAULT_BASE, contexts: Contexts | None = None
) -> list[ParsedFile]:
    """Parse every file (each once, even if named twice) before anything uses them.

    Raises:
        InputError: as :func:`parse_file`; when several files fail, or one has several syntax
            errors, an :class:`InputErrors` listing every error of every file.
    """
    parsed: list[ParsedFile] = []
    errors: list[InputError] = []
    for path in unique_paths(paths):
        try:
            parsed.append(parse_file(path, base=base, contexts=contexts))
        except InputError as exc:
            errors.append(exc)
    raise_all(errors)
    return parsed


def load_oxigraph(paths: Iterable[Path | str], *, base: str = DEFAULT_BASE) -> ox.Store:
    """The merge of RDF files (each once) in the default graph of a new in-memory pyoxigraph
    store, read under ``base``: for code that queries pyoxigraph directly.

    A file of triples without blank node labels, read under the default base, is parsed by
    pyoxigraph straight into the store (no Python object per triple); any other goes through
    :func:`parse_file`, so that labels stay apart between files.

    Raises:
        InputError: as :func:`parse_file`.
    """
    store = ox.Store()
    errors: list[InputError] = []
    for path in unique_paths(paths):
        try:
            fmt = input_format(path)
            data = read_input(path)
            if base == DEFAULT_BASE and not fmt.datasets and fmt != N3 and b"_:" not in data:
                try:
                    with parsing(path, data):
                        store.load(data, fmt.oxigraph, base_iri=document_iri(path))
                    continue
                except InputError:
                    pass  # parsed again below, to report every error of the file
            store.extend(parse_data(data, path, fmt, base=base).quads)
        except InputError as exc:
            errors.append(exc)
    raise_all(errors)
    return store
