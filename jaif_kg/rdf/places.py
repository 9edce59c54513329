"""Where each triple of a parsed file was written: its line.

:class:`FilePlaces` gives, for a :class:`~jaif_kg.rdf.files.ParsedFile`, the 1-based line of
its triples (by their index in :attr:`ParsedFile.quads`), or says why it cannot:

* N-Triples and N-Quads: exact, one statement per line
  (https://www.w3.org/TR/n-triples/#n-triples-grammar): the n-th triple is on the n-th line
  that is neither blank nor a comment.
* Turtle and TriG, in two steps, each checked by pyoxigraph:

  1. *Statements.* One regular expression cuts the text after each ``.`` that ends a
     statement (a ``.`` outside strings, IRIs and comments followed by a space, a comment or
     the end: https://www.w3.org/TR/turtle/#grammar-production-triples). pyoxigraph parses the
     text again with a marker statement ``<m> <m> <m> .`` written at every cut. A marker comes
     out as a triple only where the parser stands between two statements (inside a string or a
     comment it is swallowed; anywhere else in a statement it is a syntax error), so when every
     marker comes out, in order, the triples between two markers are exactly those of the text
     between the two cuts: the index of the first triple of every statement is known. Only
     markers are looked at, so this costs one parse and no comparison of triples.
  2. *Pieces*, for the statements that hold a triple asked for (all of them for
     :attr:`FilePlaces.lines`): a scanner splits each statement into one piece per triple,
     on the line of its predicate (of its object after a ``,``; of its item in a list): a
     ``[ ]`` or ``( )`` becomes a labelled blank node whose own triples are pieces on their
     own lines (:class:`_Flattener`). pyoxigraph re-parses the pieces, in one call, under the
     directives written before them, each piece in a named graph that carries its statement
     and line. The pieces of a
     statement must reproduce the file's triples at its indices exactly, in order (blank nodes
     matched one to one by position, since the reader renames them); otherwise the scanner
     declines for that statement (its lines unknown, and the reason says so): it never gives a
     line it has not checked.

  When step 1 fails (a cut the parser does not confirm, a triple count that differs from the
  file's), no line of the file is known.
* RDF/XML, JSON-LD and N3: the file only; their parsers give no line per triple.

The work is done when a place is first asked for, and step 2 only for the statements asked
about: a run whose report has no result pays nothing, one with a few results pays about one
parse of each file that holds them.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import pyoxigraph as ox

from jaif_kg.rdf.files import STDIN_BASE, STDIN_NAME, ParsedFile, document_iri
from jaif_kg.rdf.formats import rdf_format_for_path
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.rdf.rebasing import rebase_quads

_LINE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
_SCANNED_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)
#: The graph names that carry a piece's statement and line in the re-parsed text,
#: ``<urn:x-jaif-kg-piece:S:L>`` (no file can clash: the comparison with the file's own triples
#: would fail and the scanner decline).
_PIECE_GRAPH = "urn:x-jaif-kg-piece:"
#: The marker written after each statement in step 1; a file that uses it as a predicate is
#: declined (its count of markers is off).
_MARK = ox.NamedNode("urn:x-jaif-kg-mark")
_MARK_QUAD = ox.Quad(_MARK, _MARK, _MARK)
#: on a line of its own: after a last statement that ends in a comment, it is not swallowed
_MARK_STATEMENT = f"\n{_MARK} {_MARK} {_MARK} .\n".encode()
_PREDICATE = operator.attrgetter("predicate")

_IRI = r"<(?:[^<>\"{}|^`\\\x00-\x20]++|\\.)*+>"
_LONG = r'"""(?:(?:""?)?(?:[^"\\]++|\\.))*+"""' + r"|'''(?:(?:''?)?(?:[^'\\]++|\\.))*+'''"
_SHORT = r'"(?:[^"\\\n\r]++|\\.)*+"' + r"|'(?:[^'\\\n\r]++|\\.)*+'"
#: One statement, from where the last ended to the ``.`` that ends it: a ``.`` followed by a
#: space, a comment or the end. A ``.`` followed by anything else is read as part of a name or
#: number (``ex:a.b``, ``1.5``) and the statements around it stay together, which costs
#: precision, never correctness. Text it cannot read (``<<``, a string it does not close) ends
#: the cutting: the rest of the text is one statement. Read on the file's bytes (UTF-8: every
#: byte of a character beyond ASCII is beyond ASCII, so none is taken for a quote or a dot).
_STATEMENT = re.compile(
    rb"(?:"
    + rf"""(?:[^"'<#.\\]++|\\.|{_LONG}|{_SHORT}|{_IRI}|\#[^\n\r]*+|\.(?![\s#]|\Z))*+""".encode()
    + rb"\.(?=[\s#]|\Z)|(?s:.+))"
)
#: What may come before a directive's keyword on its line (``@`` aside): a statement's end.
_BEFORE_DIRECTIVE = frozenset(b"\n\r.}")

#: A character of a name, a number or a keyword (``@`` only starts one: ``@prefix``, ``@en``)
_NAME_CHAR = r"[^\s<>\"'\[\](){};,#^.\\@]"
_TOKEN = re.compile(
    rf"""
    (?P<skip>\s++|\#[^\n\r]*+)
  | (?P<star><<|>>|\{{\|)
  | (?P<iri>{_IRI})
  | (?P<long>{_LONG})
  | (?P<string>{_SHORT})
  | (?P<punct>\^\^|[\[\](){{}};,])
  | (?P<word>(?:@|{_NAME_CHAR}|\\.|\.[0-9])(?:{_NAME_CHAR}|\\.|\.(?={_NAME_CHAR}|\\))*+)
  | (?P<dot>\.)
  | (?P<bad>.)
    """,
    re.VERBOSE | re.DOTALL,
)
#: A line that is blank or a comment (its ``\n`` before it; the first line is looked at alone).
_NOT_A_STATEMENT = re.compile(rb"\n[ \t\r\x0b\x0c]*+(?=[#\n]|\Z)")
_FIRST_NOT_A_STATEMENT = re.compile(rb"[ \t\r\x0b\x0c]*+(?:[#\n]|\Z)")


class ScanDeclined(Exception):
    """The scanner met text it does not fully understand: lines stay unknown."""


#: A token: its kind, start and end in the statement's text.
_Token = tuple[str, int, int]


class _Scanner:
    """The tokens of one statement's text (or of a whole text), and its pieces."""

    def __init__(self, text: str, first_line: int = 1) -> None:
        self.text = text
        self.first_line = first_line
        self.tokens: list[_Token] = []
        for m in _TOKEN.finditer(text):
            kind = m.lastgroup or ""
            if kind == "skip":
                continue
            if kind == "star":
                raise ScanDeclined(f"line {self.line(m.start())}: RDF-star syntax")
            if kind == "bad":
                raise ScanDeclined(
                    f"line {self.line(m.start())}: a character the scanner does not know"
                )
            self.tokens.append((kind, m.start(), m.end()))

    @cached_property
    def _newlines(self) -> list[int]:
        return [m.start() for m in re.finditer("\n", self.text)]

    def line(self, offset: int) -> int:
        """The line of a place in the text."""
        return self.first_line + bisect.bisect_left(self._newlines, offset)

    def word(self, token: _Token) -> str:
        return self.text[token[1] : token[2]]

    def items(self) -> list[tuple[int, str]]:
        """The text rewritten as pieces, ``(line, "subject predicate object")``, and
        directives, ``(0, directive)``, in order; graph blocks are dropped (their triples are
        wanted, not their graph).

        Raises:
            ScanDeclined: an unbalanced bracket, a statement without subject or object.
        """
        tokens, word = self.tokens, self.word
        out: list[tuple[int, str]] = []
        i, n = 0, len(tokens)
        while i < n:
            tok = tokens[i]
            text = word(tok).lower()
            if tok[0] == "word" and text in ("@prefix", "@base", "prefix", "base"):
                # "@prefix p: <iri> ." / "@base <iri> ." / "PREFIX p: <iri>" / "BASE <iri>"
                size = (3 if text.endswith("prefix") else 2) + text.startswith("@")
                end = tokens[min(i + size, n) - 1]
                out.append((0, self.text[tok[1] : end[2]]))
                i += size
                continue
            if text == "}":
                i += 1
                continue
            # a TriG graph block: "GRAPH? label {" or "{"
            j = i + (tok[0] == "word" and text == "graph")
            if j < n and word(tokens[j]) == "{":
                i = j + 1
                continue
            if j + 1 < n and word(tokens[j + 1]) == "{" and tokens[j][0] in ("iri", "word"):
                i = j + 2
                continue
            i = self._statement(i, out)
        return out

    def _statement(self, i: int, out: list[tuple[int, str]]) -> int:
        """Write the pieces of the triple statement starting at token ``i``; return the index
        after it (past its ``.``, or at a closing ``}``)."""
        tokens, word = self.tokens, self.word
        depth, end = 0, i
        n = len(tokens)
        while end < n:
            t = tokens[end]
            if t[0] == "punct":
                text = word(t)
                if text in "[(":
                    depth += 1
                elif text in "])":
                    depth -= 1
                    if depth < 0:
                        raise ScanDeclined(f"line {self.line(t[1])}: an unbalanced {text}")
                elif depth == 0 and text == "}":
                    break
            elif depth == 0 and t[0] == "dot":
                break
            end += 1
        if depth != 0:
            raise ScanDeclined(f"line {self.line(tokens[i][1])}: an unclosed bracket")
        after = end + 1 if end < n and tokens[end][0] == "dot" else end
        if end == i:
            raise ScanDeclined(f"line {self.line(tokens[i][1])}: a statement without a subject")
        _Flattener(self, end, out).statement(i)
        return after


#: The IRIs of a collection's triples (https://www.w3.org/TR/turtle/#collections).
_FIRST = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first>"
_REST = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#rest>"
_NIL = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#nil>"
#: Labels of the blank nodes written for ``[ ]`` and ``( )``, never used twice in a process (the
#: pieces of several statements are parsed together).
_LABELS = itertools.count()


class _Flattener:
    """One statement written as one piece per triple, ``(line, "s p o")``, each on the line of
    its own triple: a ``[ ]`` or ``( )`` becomes a labelled blank node whose triples are
    pieces of their own, on the lines of their predicates (of their items, in a list).

    The pieces come in the order pyoxigraph's Turtle parser gives the triples (a triple when
    its object is complete: the inside of a ``[ ]`` before the triple that points to it; a
    list's head after its first item, each ``rdf:rest`` when the next item starts; a string
    without language or datatype once the next token is read, after what that token gives).
    The comparison with the file's triples checks that order: where it is not met, the scanner
    declines rather than give a line.
    """

    def __init__(self, scanner: _Scanner, end: int, out: list[tuple[int, str]]) -> None:
        self.s, self.end, self.out = scanner, end, out
        #: a plain string's triple, given after what the next token gives
        self.pending: tuple[int, str] | None = None

    def _flush(self) -> None:
        if self.pending is not None:
            self.out.append(self.pending)
            self.pending = None

    def _plain_string(self, i: int) -> bool:
        """Whether the token at ``i`` is a string without language or datatype."""
        if self._at(i)[0] not in ("string", "long"):
            return False
        if i + 1 >= self.end:
            return True
        after = self._at(i + 1)
        return self._punct(i + 1) != "^^" and not (
            after[0] == "word" and self.s.word(after).startswith("@")
        )

    @staticmethod
    def _label() -> str:
        return f"_:x-jaif-kg-{next(_LABELS)}"

    def _at(self, i: int) -> _Token:
        if i >= self.end:
            raise ScanDeclined(f"line {self.s.line(self.s.tokens[self.end - 1][2])}: cut short")
        return self.s.tokens[i]

    def _punct(self, i: int) -> str:
        t = self._at(i) if i < self.end else ("", 0, 0)
        return self.s.word(t) if t[0] == "punct" else ""

    def statement(self, i: int) -> None:
        first = self._at(i)
        if self._punct(i) == "[":
            label = self._label()
            i = self._property_list(label, i + 1, "]") + 1
            self._flush()
        elif self._punct(i) == "(":
            label = self._label()
            i = self._items(None, "", 0, label, i + 1)
        else:
            label, i = self.s.word(first), i + 1
        if i < self.end:
            i = self._property_list(label, i, None)
        self._flush()
        if i != self.end:
            raise ScanDeclined(f"line {self.s.line(self._at(i)[1])}: text after a statement")

    def _property_list(self, subject: str, i: int, close: str | None) -> int:
        """``predicate object, object ; ...`` of ``subject`` up to ``close`` (or the end of
        the statement); the index of the closing token."""
        while True:
            while self._punct(i) == ";":
                i += 1
            if (close is not None and self._punct(i) == close) or (close is None and i >= self.end):
                return i
            predicate = self._at(i)
            if predicate[0] not in ("iri", "word"):
                raise ScanDeclined(f"line {self.s.line(predicate[1])}: not a predicate")
            i += 1
            line = self.s.line(predicate[1])
            while True:
                i = self._object(subject, self.s.word(predicate), line, i)
                if i >= self.end or self._punct(i) in (",", ";"):
                    self._flush()
                if self._punct(i) != ",":
                    break
                i += 1
                line = self.s.line(self._at(i)[1])

    def _object(self, subject: str, predicate: str, line: int, i: int) -> int:
        """Write ``subject predicate`` the object at ``i`` (and what is inside it); the index
        after the object."""
        tok = self._at(i)
        bracket = self._punct(i)
        if bracket == "[":
            label = self._label()
            i = self._property_list(label, i + 1, "]") + 1
            self.out.append((line, f"{subject} {predicate} {label}"))
            self._flush()
            return i
        if bracket == "(":
            if self._punct(i + 1) == ")":
                self.out.append((line, f"{subject} {predicate} {_NIL}"))
                self._flush()
                return i + 2
            return self._items(subject, predicate, line, self._label(), i + 1)
        if tok[0] not in ("iri", "word", "string", "long"):
            raise ScanDeclined(f"line {self.s.line(tok[1])}: not an object")
        j = i + 1
        if tok[0] in ("string", "long") and j < self.end:
            if self._at(j)[0] == "word" and self.s.word(self._at(j)).startswith("@"):
                j += 1
            elif self._punct(j) == "^^":
                j += 2
        last = self._at(j - 1)
        piece = (line, f"{subject} {predicate} {self.s.text[tok[1] : last[2]]}")
        if self._plain_string(i):
            self._flush()
            self.pending = piece
        else:
            self.out.append(piece)
        return j

    def _items(self, subject: str | None, predicate: str, line: int, label: str, i: int) -> int:
        """The items of a list (from ``i``, after its ``(``) whose head is ``label``, and the
        triple ``subject predicate label`` after the first item (none for a list subject);
        the index after its ``)``."""
        k = 0
        while self._punct(i) != ")":
            here = self.s.line(self._at(i)[1])
            link: tuple[int, str] | None = None
            if k:
                node = self._label()
                link = (here, f"{label} {_REST} {node}")
                label = node
            elif subject is not None:
                link = (line, f"{subject} {predicate} {label}")
            # the parser links an item written in brackets or a string (which a language or
            # datatype may follow) when it starts, another when it is done
            early = self._punct(i) in ("[", "(") or self._at(i)[0] in ("string", "long")
            if early:
                if link is not None:
                    self.out.append(link)
                self._flush()
            i = self._object(label, _FIRST, here, i)
            if not early:
                if link is not None:
                    self.out.append(link)
                self._flush()
            k += 1
        self.out.append((self.s.line(self._at(i)[1]), f"{label} {_REST} {_NIL}"))
        self._flush()
        return i + 1


def _piece(graph: str, line: int, triples: str) -> str:
    return f"<{_PIECE_GRAPH}{graph}:{line}> {{ {triples} . }}\n"


def scan_pieces(text: str) -> list[str]:
    """Rewrite a Turtle or TriG text as TriG whose graph names carry lines: every
    triple becomes ``<urn:x-jaif-kg-piece:0:N> { subject predicate object . }``,
    directives stay where they are, graph blocks are dropped.

    >>> print("".join(scan_pieces('@prefix e: <http://e/> .\\ne:s e:p 1 ;\\n  e:q 2, 3 .\\n')))
    @prefix e: <http://e/> .
    <urn:x-jaif-kg-piece:0:2> { e:s e:p 1 . }
    <urn:x-jaif-kg-piece:0:3> { e:s e:q 2 . }
    <urn:x-jaif-kg-piece:0:3> { e:s e:q 3 . }
    <BLANKLINE>

    Raises:
        ScanDeclined: text the scanner does not understand (RDF-star, an unknown character, an
            unbalanced bracket).
    """
    return [
        item + "\n" if line == 0 else _piece("0", line, item)
        for line, item in _Scanner(text).items()
    ]


def statement_ends(data: bytes) -> list[int]:
    """Where each statement of a Turtle or TriG text ends (after its ``.``); the last may be
    the rest of the text, which nothing ends.

    >>> data = b'e:s e:p "a. b" . # c.\\ne:s e:p 1.5.\\ne:s e:p e:o.e:x'
    >>> [data[:end][-5:] for end in statement_ends(data)]
    [b' b" .', b' 1.5.', b'o.e:x']
    """
    return list(map(re.Match.end, _STATEMENT.finditer(data)))


def directive_places(data: bytes) -> list[int]:
    """Where a directive may start: ``@prefix``, ``@base``, ``PREFIX`` or ``BASE`` (any case)
    at the start of a line or after the end of a statement. A find inside a string is harmless
    (its statement is scanned for directives and holds none); a directive not found
    (``ex:a ex:b ex:c.@prefix``) leaves the pieces after it that need it unparsed: the scanner
    declines for them.

    >>> directive_places(b"@prefix e: <http://e/> .\\ne:base e:p 1 . PREFIX f: <http://f/>")
    [0, 40]
    """
    low = data.lower()
    found: list[int] = []
    for word in (b"prefix", b"base"):
        i = low.find(word)
        while i >= 0:
            j = i - 1 if i > 0 and low[i - 1] == 64 else i  # 64: "@"
            k = j - 1
            while k >= 0 and low[k] in b" \t":
                k -= 1
            if k < 0 or low[k] in _BEFORE_DIRECTIVE:
                found.append(j)
            i = low.find(word, i + 1)
    return sorted(found)


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


def statement_lines(data: bytes) -> list[int]:
    r"""The line of each statement of an N-Triples or N-Quads text (lines neither blank nor a
    comment).

    >>> statement_lines(b"# head\n<a:s> <a:p> <a:o> .\n\n<a:s> <a:p> <a:q> . # c\n")
    [2, 4]
    """
    skipped: set[int] = set()
    if _FIRST_NOT_A_STATEMENT.match(data):
        skipped.add(1)
    line, pos = 1, 0
    for m in _NOT_A_STATEMENT.finditer(data):
        line += data.count(b"\n", pos, m.end())  # the line after the \n
        pos = m.end()
        skipped.add(line)
    total = data.count(b"\n") + 1
    if not skipped:
        return list(range(1, total + 1))
    return [n for n in range(1, total + 1) if n not in skipped]


@dataclass
class _Statements:
    """A Turtle or TriG file's bytes cut into statements (step 1), with what step 2 found so
    far."""

    data: bytes
    #: where each statement starts; the last one runs to the end of the text
    starts: list[int]
    #: the index of the first triple of each statement, and the number of triples at the end
    first: list[int]
    #: the statements that may hold a directive
    directives: list[int]
    #: the line of each triple of a statement (``None``: declined), once scanned
    lines: dict[int, list[int] | None] = field(default_factory=dict)
    #: the pieces of a statement, once scanned
    items: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    #: the line where a statement starts, once asked for
    first_lines: dict[int, int] = field(default_factory=dict)
    #: the blank nodes of the statements checked: the file's label -> the pieces', and back
    blanks: dict[str, str] = field(default_factory=dict)
    blanks_back: dict[str, str] = field(default_factory=dict)

    def statement_of(self, index: int) -> int:
        """The statement that holds the ``index``-th triple."""
        return bisect.bisect_right(self.first, index) - 1

    def span(self, statement: int) -> tuple[int, int]:
        """Where the statement starts and ends in the text."""
        starts = self.starts
        end = starts[statement + 1] if statement + 1 < len(starts) else len(self.data)
        return starts[statement], end

    def count_lines(self, statements: list[int]) -> None:
        """Find the first line of these statements (sorted), counting lines once."""
        pos, line = 0, 1
        for s in statements:
            if s in self.first_lines:
                pos, line = self.starts[s], self.first_lines[s]
                continue
            start = self.starts[s]
            line += self.data.count(b"\n", pos, start)
            pos = start
            self.first_lines[s] = line

    def scanned(self, statement: int) -> list[tuple[int, str]]:
        """The pieces and directives of a statement (its first line counted already)."""
        items = self.items.get(statement)
        if items is None:
            start, end = self.span(statement)
            try:  # a statement starts and ends at a character's boundary (an ASCII one)
                text = self.data[start:end].decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ScanDeclined("not UTF-8 text") from None
            scanner = _Scanner(text, self.first_lines[statement])
            items = self.items[statement] = scanner.items()
        return items


def _cut(data: bytes, fmt: ox.RdfFormat, base_iri: str, size: int) -> _Statements:
    """Step 1: ``data`` cut into statements, the cuts checked by pyoxigraph; ``size``: the
    file's number of triples.

    Raises:
        ScanDeclined: a cut inside a statement, or a count of triples that differs.
    """
    ends = statement_ends(data)
    statements = map(data.__getitem__, map(slice, [0, *ends], ends))
    marked = _MARK_STATEMENT.join(statements) + _MARK_STATEMENT if ends else b""
    try:
        parser = ox.parse(marked, fmt, base_iri=base_iri)
        # only the markers are looked at: a flag per triple, the triples themselves dropped
        if fmt == ox.RdfFormat.TRIG:  # a marker inside a graph block is in that graph
            flags = list(map(_MARK.__eq__, map(_PREDICATE, parser)))
        else:
            flags = list(map(_MARK_QUAD.__eq__, parser))
    except (SyntaxError, ValueError) as exc:
        raise ScanDeclined(f"the statements do not parse once cut ({exc})") from None
    marks = list(itertools.compress(itertools.count(), flags))
    if len(marks) != len(ends):
        raise ScanDeclined("a cut between statements is not one")
    # the k-th marker follows the triples of the statements before it, and k markers
    first = [0, *(p - k for k, p in enumerate(marks))]
    if len(flags) - len(marks) != size or first[-1] != size:
        found = len(flags) - len(marks)
        raise ScanDeclined(f"the statements hold {found} triples, the file {size}")
    starts = [0, *ends[:-1]] if ends else []
    directives = {bisect.bisect_right(starts, i) - 1 for i in directive_places(data)}
    return _Statements(data, starts, first, sorted(directives))


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
    _cut_done: bool = field(default=False, init=False, repr=False)
    _statements: _Statements | None = field(default=None, init=False, repr=False)
    _nt_lines: list[int] | None = field(default=None, init=False, repr=False)

    @property
    def path(self) -> str:
        """The file, as it was named."""
        return str(self.parsed.path)

    def _format(self) -> ox.RdfFormat:
        fmt = self.parsed.fmt or rdf_format_for_path(self.parsed.path.name)
        return fmt.oxigraph

    def _document(self) -> str:
        """The IRI the file's relative IRIs were resolved against, as the reader says
        (:attr:`ParsedFile.document`: ``--stdin-base`` for standard input), else the file's
        URL (standard input: the default base)."""
        if self.parsed.document is not None:
            return self.parsed.document
        if str(self.parsed.path) == STDIN_NAME:
            return STDIN_BASE
        return document_iri(self.parsed.path)

    def _decline(self, reason: str) -> None:
        if self._reason is None:
            self._reason = reason

    def _prepare(self) -> None:
        """Step 1 (or the lines of N-Triples), once."""
        if self._cut_done:
            return
        self._cut_done = True
        fmt = self._format()
        if fmt in _LINE_FORMATS:
            found = statement_lines(self.parsed.data)
            if len(found) == len(self.parsed.quads):
                self._nt_lines = found
            else:
                self._decline("its lines do not hold one statement each")
        elif fmt in _SCANNED_FORMATS:
            try:
                data = self.parsed.data
                self._statements = _cut(data, fmt, self._document(), len(self.parsed.quads))
            except ScanDeclined as exc:
                self._decline(f"lines unknown: the scanner declined ({exc})")
        else:
            self._decline(f"{fmt.name} gives no line per triple")

    def lines_at(self, indices: Iterable[int]) -> dict[int, int | None]:
        """The line of each of these triples (by index in ``parsed.quads``), ``None`` where
        unknown (:attr:`reason` says why)."""
        wanted = sorted(set(indices))
        self._prepare()
        if self._nt_lines is not None:
            return {i: self._nt_lines[i] for i in wanted}
        done = self._statements
        if done is None:
            return dict.fromkeys(wanted)
        statements = {done.statement_of(i) for i in wanted}
        self._scan(done, sorted(s for s in statements if s not in done.lines))
        found: dict[int, int | None] = {}
        for i in wanted:
            s = done.statement_of(i)
            lines = done.lines[s]
            found[i] = None if lines is None else lines[i - done.first[s]]
        return found

    def line(self, index: int) -> int | None:
        """The line of the ``index``-th triple, if known."""
        return self.lines_at([index])[index]

    @cached_property
    def lines(self) -> list[int] | None:
        """The line of every triple (aligned with ``parsed.quads``), or ``None`` when one is
        unknown (:attr:`reason` says why)."""
        found = self.lines_at(range(len(self.parsed.quads)))
        if (self._nt_lines is None and self._statements is None) or None in found.values():
            return None
        return [line for line in found.values() if line is not None]

    @property
    def reason(self) -> str | None:
        """Why a line asked for is unknown: a scanner that declined, or a syntax without lines
        (``None`` while every line asked for is known)."""
        return self._reason

    def _scan(self, done: _Statements, statements: list[int]) -> None:
        """Step 2 for these statements (sorted): all in one parse; when it fails, one by one."""
        if not statements:
            return
        try:
            self._check(done, statements)
        except ScanDeclined as exc:
            if len(statements) == 1:
                done.lines[statements[0]] = None
                self._decline(f"some lines unknown: the scanner declined ({exc})")
                return
            for s in statements:
                self._scan(done, [s])

    def _check(self, done: _Statements, statements: list[int]) -> None:
        """Parse the pieces of ``statements`` (sorted) under the directives before them, and
        keep the lines of each statement whose pieces reproduce its triples.

        Raises:
            ScanDeclined: the pieces do not parse (which statement is at fault is not known).
        """
        wanted = set(statements)
        before = [d for d in done.directives if d <= statements[-1] and d not in wanted]
        order = sorted(wanted.union(before))
        done.count_lines(order)
        parts: list[str] = []
        for s in order:
            for line, item in done.scanned(s):
                if line == 0:
                    parts.append(item + "\n")
                elif s in wanted:
                    parts.append(_piece(str(s), line, item))
        try:
            quads = list(ox.parse("".join(parts), ox.RdfFormat.TRIG, base_iri=self._document()))
        except (SyntaxError, ValueError) as exc:
            raise ScanDeclined(f"the pieces do not parse ({exc})") from None
        by_statement: dict[int, tuple[list[int], list[ox.Quad]]] = {s: ([], []) for s in wanted}
        graphs: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, tuple[int, int]] = {}
        for q in quads:
            g = q.graph_name
            place = graphs.get(g)
            if place is None:
                place = graphs[g] = _piece_place(g)
            if place[0] not in by_statement:
                raise ScanDeclined("a triple outside the pieces")
            lines, triples = by_statement[place[0]]
            lines.append(place[1])
            triples.append(ox.Quad(q.subject, q.predicate, q.object))
        for s, (lines, triples) in by_statement.items():
            try:
                self._compare(done, s, triples, lines)
                done.lines[s] = lines
            except ScanDeclined as exc:
                done.lines[s] = None
                self._decline(f"some lines unknown: the scanner declined ({exc})")

    def _compare(
        self, done: _Statements, statement: int, triples: list[ox.Quad], lines: list[int]
    ) -> None:
        start, end = done.first[statement], done.first[statement + 1]
        mine = self.parsed.quads[start:end]
        theirs = rebase_quads(triples, self.base)
        where = done.first_lines[statement]
        if len(theirs) != len(mine):
            raise ScanDeclined(
                f"the pieces of the statement at line {where} hold {len(theirs)} triples, "
                f"the file {len(mine)}"
            )
        blanks: dict[str, str] = {}
        for index, (a, b) in enumerate(zip(mine, theirs, strict=True)):
            if a != b and not _same(a, b, blanks):
                raise ScanDeclined(
                    f"the pieces differ from the file's triples at line {lines[index]}"
                )
        # one to one, here and with the statements checked before (a label may link them)
        back = {theirs: mine for mine, theirs in blanks.items()}
        if len(back) != len(blanks) or any(
            done.blanks.get(a, b) != b or done.blanks_back.get(b, a) != a for a, b in blanks.items()
        ):
            raise ScanDeclined(f"the pieces at line {where} merge blank nodes the file keeps apart")
        done.blanks.update(blanks)
        done.blanks_back.update(back)


def _piece_place(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> tuple[int, int]:
    """The statement and line a piece's graph name carries."""
    name = graph.value if isinstance(graph, ox.NamedNode) else ""
    if not name.startswith(_PIECE_GRAPH):
        raise ScanDeclined("a triple outside the pieces")
    statement, line = name[len(_PIECE_GRAPH) :].split(":")
    return int(statement), int(line)
