"""THE reader of RDF files: whatever jaif-kg reads from an RDF file, it reads here.

The format comes from the file's suffix; the file is read whole and parsed completely by
pyoxigraph (strict, and its errors carry a line), blank nodes renamed apart so that the triples
of several files merge safely. Every failure is one :class:`~jaif_kg.errors.InputError` naming
the file (and the line where there is one): a missing file, a folder, an unreadable file, an
unknown suffix, a syntax error, or a piece longer than the parser reads (:data:`PARSER_LIMIT`).

The files name things under the default base; under another ``base`` (``settings.base_iri``)
they are rebased term by term as they are read (:mod:`jaif_kg.rdf.rebasing`); with the default
base nothing extra is done.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from jaif_kg.errors import InputError
from jaif_kg.rdf.formats import RdfFormat, rdf_format_for_path
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.rdf.rebasing import rebase_prefixes, rebase_quads

#: The most bytes pyoxigraph's parsers hold in one piece (a literal, an IRI, a comment, or a whole
#: line of N-Triples): a longer one fails with ``MemoryError: Reached the buffer maximal size``.
PARSER_LIMIT = 16 * 1024 * 1024


def input_format(path: Path) -> RdfFormat:
    """The RDF format of an input file, from its suffix, once the file is known to be there.

    The file is looked at before its suffix, so that a missing file or a folder is called so
    rather than "unknown RDF format"; it is not read (a device such as ``/dev/zero`` never ends).

    >>> input_format(Path("/"))
    Traceback (most recent call last):
    ...
    jaif_kg.errors.InputError: /: is a folder, not a file

    Raises:
        InputError: no such file, a folder, or a suffix that names no RDF format (the error
            names the file).
    """
    if not path.exists():
        raise InputError("no such file", path=str(path))
    if path.is_dir():
        raise InputError("is a folder, not a file", path=str(path))
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
        path: the file.
        data: its bytes, as read.
        quads: its triples, as quads of the default graph (the quads of a dataset format lose
            their graph name), read under the base asked for.
        prefixes: prefix -> namespace IRI, as declared in the file (Turtle, TriG).
        fmt: the syntax it was read as (``None``: from the suffix of ``path``).
    """

    path: Path
    data: bytes
    quads: list[ox.Quad]
    prefixes: dict[str, str] = field(default_factory=dict)
    fmt: RdfFormat | None = None

    @property
    def triples(self) -> list[ox.Triple]:
        """The triples of :attr:`quads`."""
        return [q.triple for q in self.quads]


def parse_file(path: Path | str, *, base: str = DEFAULT_BASE) -> ParsedFile:
    """Read and parse one RDF file completely, under ``base``.

    >>> parse_file("/no/such/file.ttl")
    Traceback (most recent call last):
    ...
    jaif_kg.errors.InputError: /no/such/file.ttl: no such file

    Raises:
        InputError: the file is missing, a folder or unreadable, its suffix names no RDF format,
            it does not parse, or it holds a piece longer than the parser reads (the error
            names the file and the line).
    """
    path = Path(path)
    fmt = input_format(path)
    return _parse(path, fmt, read_input(path), base)


def _parse(path: Path, fmt: RdfFormat, data: bytes, base: str) -> ParsedFile:
    with parsing(path, data):
        parser = ox.parse(data, fmt.oxigraph, rename_blank_nodes=True)
        quads = list(parser)
    if fmt.datasets:
        quads = [ox.Quad(q.subject, q.predicate, q.object) for q in quads]
    prefixes = rebase_prefixes(parser.prefixes or {}, base)
    return ParsedFile(path, data, rebase_quads(quads, base), prefixes, fmt)


def unique_paths(paths: Iterable[Path | str]) -> list[Path]:
    """``paths`` without the files already named (by their resolved path), in order.

    >>> unique_paths(["a.ttl", "./a.ttl", "b.ttl"])
    [PosixPath('a.ttl'), PosixPath('b.ttl')]
    """
    seen: set[Path] = set()
    result: list[Path] = []
    for p in paths:
        path = Path(p)
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            result.append(path)
    return result


def parse_files(paths: Iterable[Path | str], *, base: str = DEFAULT_BASE) -> list[ParsedFile]:
    """Parse every file (each once, even if named twice) before anything uses them."""
    return [parse_file(p, base=base) for p in unique_paths(paths)]


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
    for path in unique_paths(paths):
        fmt = input_format(path)
        data = read_input(path)
        if base == DEFAULT_BASE and not fmt.datasets and b"_:" not in data:
            with parsing(path, data):
                store.load(data, fmt.oxigraph)
        else:
            store.extend(_parse(path, fmt, data, base).quads)
    return store
