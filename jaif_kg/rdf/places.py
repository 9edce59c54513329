"""Where each triple of a parsed file was written: its line.

:func:`file_lines` gives, for a :class:`~jaif_kg.rdf.files.ParsedFile`, the 1-based line of each
of its triples (aligned with :attr:`ParsedFile.quads`), or says why it cannot:

* N-Triples and N-Quads: exact, one statement per line
  (https://www.w3.org/TR/n-triples/#n-triples-grammar): the n-th triple is on the n-th line
  that is neither blank nor a comment.
* Turtle and TriG: a scanner splits the text into statements and each statement into
  predicate-object pieces (one per object; a subject written as ``[ ]`` or ``( )`` keeps its
  statement whole), then pyoxigraph re-parses every piece, in order and under the file's own
  directives, each piece in a named graph that carries its line. The pieces must reproduce the
  file's triples exactly, in order (blank nodes matched one to one by position, since the
  reader renames them); otherwise the scanner declines for the file (lines unknown, and the
  reason says so): it never gives a line it has not checked. A triple inside a ``[ ]`` or
  ``( )`` gets the line of the predicate-object piece that holds it.
* RDF/XML, JSON-LD and N3: the file only; their parsers give no line per triple.

The work is done once per file, when a place is first asked for (:class:`FilePlaces`): a run
whose report has no result pays nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import pyoxigraph as ox

from jaif_kg.rdf.files import ParsedFile
from jaif_kg.rdf.formats import rdf_format_for_path
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.rdf.rebasing import rebase_quads

_LINE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
_SCANNED_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)
#: The graph names that carry a piece's line in the re-parsed text (no file can clash: the
#: comparison with the file's own triples would fail and the scanner decline).
_LINE_GRAPH = "urn:x-jaif-kg-line:"
_RUN_GRAPH = "urn:x-jaif-kg-run:"

_NAME_CHAR = r"[^\s<>\"'\[\](){};,#^.\\]"
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<star><<|>>|\{\|)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<long>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*''')
  | (?P<string>"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<punct>\^\^|[\[\](){};,])
  | (?P<word>(?:"""
    + _NAME_CHAR
    + r"|\\.|\.(?="
    + _NAME_CHAR
    + r"""))+)
  | (?P<dot>\.)
    """,
    re.VERBOSE | re.DOTALL,
)


_IRI = r"<[^<>\"{}|^`\\\x00-\x20]*+>"
_BLANK = r"_:[A-Za-z0-9_]++"
_LITERAL = r'"(?:[^"\\\n\r]++|\\.)*+"(?:@[A-Za-z]++(?:-[A-Za-z0-9]++)*+|\^\^' + _IRI + ")?"
#: Lines that each hold one statement of one triple with nothing but terms written in full
#: (N-Triples written as Turtle): read as one piece, their count checked, for speed.
_RUN = re.compile(
    rf"(?:[ \t]*+(?:{_IRI}|{_BLANK})[ \t]++{_IRI}[ \t]++(?:{_IRI}|{_BLANK}|{_LITERAL})"
    r"[ \t]*+\.[ \t]*+(?:#[^\n]*+)?\n)++"
)


class ScanDeclined(Exception):
    """The scanner met text it does not fully understand: lines stay unknown for the file."""


@dataclass(frozen=True)
class _Token:
    kind: str
    start: int
    end: int
    line: int
    text: str


def _tokens(text: str) -> list[_Token]:
    """The tokens of a Turtle or TriG text, with their lines (comments and spaces dropped)."""
    tokens: list[_Token] = []
    pos, line = 0, 1
    size = len(text)
    depth = 0
    while pos < size:
        if (
            depth == 0
            and (pos == 0 or text[pos - 1] == "\n")
            and (not tokens or tokens[-1].kind == "dot" or tokens[-1].text in "{}")
        ):
            run = _RUN.match(text, pos)
            if run is not None:
                end = run.end()
                tokens.append(_Token("run", pos, end, line, run.group()))
                line += text.count("\n", pos, end)
                pos = end
                continue
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ScanDeclined(f"line {line}: a character the scanner does not know")
        kind = m.lastgroup or ""
        end = m.end()
        if kind == "star":
            raise ScanDeclined(f"line {line}: RDF-star syntax")
        if kind == "punct" and m.group() in "[(":
            depth += 1
        elif kind == "punct" and m.group() in "])":
            depth -= 1
        if kind not in ("ws", "comment"):
            tokens.append(_Token(kind, pos, end, line, m.group()))
        if kind in ("ws", "long"):
            line += text.count("\n", pos, end)
        pos = end
    return tokens


def _is_directive(token: _Token) -> bool:
    return token.kind == "word" and token.text.lower() in ("@prefix", "@base", "prefix", "base")


def scan_pieces(text: str) -> tuple[list[str], dict[int, int]]:
    """Rewrite a Turtle or TriG text as TriG whose graph names carry lines: every
    predicate-object piece becomes ``<urn:x-jaif-kg-line:N> { subject predicate object . }``,
    directives stay where they are, graph blocks are dropped (their triples are wanted, not
    their graph).

    Lines that each hold one triple written in full (N-Triples as Turtle) are kept together as
    one run, ``<urn:x-jaif-kg-run:N> { ... }``, N its first line; the second value returned
    gives each run's number of lines, which must be its number of triples.

    >>> print("".join(scan_pieces('@prefix e: <http://e/> .\\ne:s e:p 1 ;\\n  e:q 2, 3 .\\n')[0]))
    @prefix e: <http://e/> .
    <urn:x-jaif-kg-line:2> { e:s e:p 1 . }
    <urn:x-jaif-kg-line:3> { e:s e:q 2 . }
    <urn:x-jaif-kg-line:3> { e:s e:q 3 . }
    <BLANKLINE>

    Raises:
        ScanDeclined: text the scanner does not understand (RDF-star, an unknown character, an
            unbalanced bracket).
    """
    tokens = _tokens(text)
    out: list[str] = []
    runs: dict[int, int] = {}
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if tok.kind == "run":
            out.append(f"<{_RUN_GRAPH}{tok.line}> {{\n{tok.text}}}\n")
            runs[tok.line] = tok.text.count("\n")
            i += 1
            continue
        if _is_directive(tok):
            # "@prefix p: <iri> ." / "@base <iri> ." / "PREFIX p: <iri>" / "BASE <iri>"
            size = 3 if tok.text.lower().endswith("prefix") else 2
            if tok.text.startswith("@"):
                size += 1
            end = tokens[min(i + size, n) - 1]
            out.append(text[tok.start : end.end] + "\n")
            i += size
            continue
        if tok.kind == "punct" and tok.text == "}":
            i += 1
            continue
        # a TriG graph block: "GRAPH? label {" or "{"
        j = i
        if tok.kind == "word" and tok.text.lower() == "graph":
            j += 1
        if j < n and tokens[j].text == "{":
            i = j + 1
            continue
        if j + 1 < n and tokens[j + 1].text == "{" and tokens[j].kind in ("iri", "word"):
            i = j + 2
            continue
        i = _statement(text, tokens, i, out)
    return out, runs


def _statement(text: str, tokens: list[_Token], i: int, out: list[str]) -> int:
    """Write the pieces of the triple statement starting at token ``i``; return the index
    after it (past its ``.``, or at a closing ``}``)."""
    depth, end = 0, i
    n = len(tokens)
    while end < n:
        t = tokens[end]
        if t.kind == "punct" and t.text in "[(":
            depth += 1
        elif t.kind == "punct" and t.text in "])":
            depth -= 1
            if depth < 0:
                raise ScanDeclined(f"line {t.line}: an unbalanced {t.text}")
        elif depth == 0 and (t.kind == "dot" or t.text == "}"):
            break
        end += 1
    if depth != 0:
        raise ScanDeclined(f"line {tokens[i].line}: an unclosed bracket")
    after = end + 1 if end < n and tokens[end].kind == "dot" else end
    body = tokens[i:end]
    if not body:
        raise ScanDeclined(f"line {tokens[i].line}: a statement without a subject")
    if body[0].text in ("[", "("):
        # the subject is a blank node or a list written in place: it cannot be repeated
        out.append(_piece(body[0].line, text[body[0].start : body[-1].end]))
        return after
    subject = text[body[0].start : body[0].end]
    for group in _split(body[1:], ";"):
        if not group:
            continue
        predicate, objects = group[0], _split(group[1:], ",")
        for k, obj in enumerate(objects):
            if not obj:
                raise ScanDeclined(f"line {predicate.line}: a predicate without an object")
            line = predicate.line if k == 0 else obj[0].line
            piece = f"{subject} {predicate.text} {text[obj[0].start : obj[-1].end]}"
            out.append(_piece(line, piece))
    return after


def _piece(line: int, triples: str) -> str:
    return f"<{_LINE_GRAPH}{line}> {{ {triples} . }}\n"


def _split(tokens: list[_Token], sep: str) -> list[list[_Token]]:
    """``tokens`` cut at ``sep`` outside brackets."""
    groups: list[list[_Token]] = [[]]
    depth = 0
    for t in tokens:
        if t.kind == "punct" and t.text in "[(":
            depth += 1
        elif t.kind == "punct" and t.text in "])":
            depth -= 1
        if depth == 0 and t.kind == "punct" and t.text == sep:
            groups.append([])
        else:
            groups[-1].append(t)
    return groups


def _same(a: ox.Triple | ox.Quad, b: ox.Triple | ox.Quad, blanks: dict[str, str]) -> bool:
    """Whether ``a`` (the file's) and ``b`` (the pieces') are the same triple, their blank
    nodes matched one to one (``blanks``: a's label -> b's, extended as they are met)."""
    if a.predicate != b.predicate:
        return False
    for x, y in ((a.subject, b.subject), (a.object, b.object)):
        if isinstance(x, ox.BlankNode) and isinstance(y, ox.BlankNode):
            seen = blanks.setdefault(x.value, y.value)
            if seen != y.value:
                return False
        elif x != y:
            return False
    return True


def turtle_lines(parsed: ParsedFile, fmt: ox.RdfFormat, base: str = DEFAULT_BASE) -> list[int]:
    """The line of each triple of a Turtle or TriG file, checked against its triples.

    Raises:
        ScanDeclined: the scanner did not understand the text, or its pieces do not reproduce
            the file's triples exactly.
    """
    try:
        text = parsed.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScanDeclined("not UTF-8 text") from None
    pieces, runs = scan_pieces(text)
    try:
        quads = list(ox.parse("".join(pieces).encode("utf-8"), ox.RdfFormat.TRIG))
    except (SyntaxError, ValueError) as exc:
        raise ScanDeclined(f"the pieces do not parse ({exc})") from None
    lines: list[int] = []
    seen: dict[int, int] = {}
    graphs: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, int] = {}
    for q in quads:
        g = q.graph_name
        first = graphs.get(g)
        if first is None:
            first = graphs[g] = _first_line(g)
        if first > 0:
            lines.append(first)
        else:  # a run: one triple per line, from line -first on
            start = -first
            k = seen.get(start, 0)
            seen[start] = k + 1
            lines.append(start + k)
    if seen != runs:
        raise ScanDeclined("a run of lines does not hold one triple per line")
    triples = rebase_quads([ox.Quad(q.subject, q.predicate, q.object) for q in quads], base)
    if len(triples) != len(parsed.quads):
        raise ScanDeclined(f"the pieces hold {len(triples)} triples, the file {len(parsed.quads)}")
    blanks: dict[str, str] = {}
    for index, (mine, theirs) in enumerate(zip(parsed.quads, triples, strict=True)):
        if mine != theirs and not _same(mine, theirs, blanks):
            raise ScanDeclined(f"the pieces differ from the file's triples at line {lines[index]}")
    if len(set(blanks.values())) != len(blanks):
        raise ScanDeclined("the pieces merge blank nodes the file keeps apart")
    return lines


def _first_line(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> int:
    """The line a piece's graph name carries; negative for a run."""
    name = graph.value if isinstance(graph, ox.NamedNode) else ""
    for prefix, sign in ((_LINE_GRAPH, 1), (_RUN_GRAPH, -1)):
        if name.startswith(prefix):
            return sign * int(name[len(prefix) :])
    raise ScanDeclined("a triple outside the pieces")


def statement_lines(data: bytes) -> list[int]:
    r"""The line of each statement of an N-Triples or N-Quads text (lines neither blank nor a
    comment).

    >>> statement_lines(b"# head\n<a:s> <a:p> <a:o> .\n\n<a:s> <a:p> <a:q> . # c\n")
    [2, 4]
    """
    lines = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        stripped = raw.strip()
        if stripped and not stripped.startswith(b"#"):
            lines.append(number)
    return lines


@dataclass
class FilePlaces:
    """The lines of one parsed file's triples, worked out when first asked for.

    Attributes:
        parsed: the file.
        base: the base its triples were read under (its pieces are rebased the same way).
    """

    parsed: ParsedFile
    base: str = DEFAULT_BASE
    _reason: str | None = field(default=None, init=False, repr=False)

    @property
    def path(self) -> str:
        """The file, as it was named."""
        return str(self.parsed.path)

    def _format(self) -> ox.RdfFormat:
        fmt = self.parsed.fmt or rdf_format_for_path(self.parsed.path.name)
        return fmt.oxigraph

    @cached_property
    def lines(self) -> list[int] | None:
        """The line of each triple (aligned with ``parsed.quads``), or ``None`` when unknown
        (:attr:`reason` says why)."""
        fmt = self._format()
        if fmt in _LINE_FORMATS:
            found = statement_lines(self.parsed.data)
            if len(found) == len(self.parsed.quads):
                return found
            self._reason = "its lines do not hold one statement each"
            return None
        if fmt in _SCANNED_FORMATS:
            try:
                return turtle_lines(self.parsed, fmt, self.base)
            except ScanDeclined as exc:
                self._reason = f"lines unknown: the scanner declined ({exc})"
                return None
        self._reason = f"{fmt.name} gives no line per triple"
        return None

    @property
    def reason(self) -> str | None:
        """Why :attr:`lines` is ``None``: a scanner that declined, or a syntax without lines."""
        _ = self.lines
        return self._reason

    def line(self, index: int) -> int | None:
        """The line of the ``index``-th triple, if known."""
        lines = self.lines
        return None if lines is None else lines[index]
