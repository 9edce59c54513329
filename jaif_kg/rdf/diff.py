"""What changed between two versions of the graph, statement by statement, per resource.

A version is a file, a folder (every RDF file below it) or a git revision of either
(``REV:PATH``, read with ``git``; see :func:`read_version`). Both versions are merged graphs: a
statement moved from one file to another is no change.

Statements without blank nodes are compared as they are. Statements with a blank node are
grouped under the IRI resource that owns the blank node (the IRI subject it hangs from, through
any chain of blank nodes; the smallest IRI when several do), and each resource's group is
relabelled by W3C RDF Dataset Canonicalization (RDFC-1.0, https://www.w3.org/TR/rdf-canon/)
before the groups are compared: a reordered or relabelled file shows no change, and a change
inside one resource's blank nodes does not relabel another's. Blank nodes that no IRI reaches
form one group of their own (resource ``None``).

Within a resource, a predicate that lost exactly one value and gained exactly one is shown as
one *changed* statement (old value -> new value); everything else is *added* or *removed*.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from jaif_kg.errors import InputError, InputErrors
from jaif_kg.rdf.canonical import canonical_triples
from jaif_kg.rdf.files import Contexts, parse_file, raise_all, read_inputs
from jaif_kg.rdf.formats import rdf_format_for_path
from jaif_kg.rdf.namespaces import DEFAULT_BASE

_RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_SKOS_PREF_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
#: The predicates a resource's label is read from, preferred first.
LABEL_PREDICATES = (_SKOS_PREF_LABEL, _RDFS_LABEL)

#: A resource key: the IRI of a resource, or ``None`` for blank nodes no IRI reaches.
Resource = str | None


@dataclass
class ResourceChange:
    """The statements about one resource that differ between the two versions.

    Attributes:
        resource: the IRI, or ``None`` for blank nodes that no IRI reaches.
        label: its label in the new version (else the old), if it has one.
        added: statements only in the new version.
        removed: statements only in the old version.
        changed: ``(old, new)`` pairs: same subject and predicate, one value replaced.
    """

    resource: Resource
    label: str | None = None
    added: list[ox.Triple] = field(default_factory=list)
    removed: list[ox.Triple] = field(default_factory=list)
    changed: list[tuple[ox.Triple, ox.Triple]] = field(default_factory=list)

    def statements(self) -> Iterator[ox.Triple]:
        """Every statement added or removed (both sides of a change)."""
        yield from self.added
        yield from self.removed
        for old, new in self.changed:
            yield old
            yield new


@dataclass
class GraphDiff:
    """The difference between two graphs.

    Attributes:
        old_triples: number of statements in the old version.
        new_triples: number of statements in the new version.
        resources: one entry per resource with a difference, by IRI (``None`` last).
    """

    old_triples: int
    new_triples: int
    resources: list[ResourceChange]

    @property
    def same(self) -> bool:
        """True when the two versions hold the same statements."""
        return not self.resources

    def counts(self) -> dict[str, int]:
        """Number of added, removed and changed statements, and of resources touched."""
        return {
            "added": sum(len(r.added) for r in self.resources),
            "removed": sum(len(r.removed) for r in self.resources),
            "changed": sum(len(r.changed) for r in self.resources),
            "resources": len(self.resources),
        }

    def touched(self) -> set[str]:
        """IRIs of the resources the difference touches: each resource with a change (a blank
        node stands for its owner) and every IRI in object position of a changed statement."""
        found: set[str] = set()
        for change in self.resources:
            if change.resource is not None:
                found.add(change.resource)
            for t in change.statements():
                for term in (t.subject, t.object):
                    if isinstance(term, ox.NamedNode):
                        found.add(term.value)
        return found


@dataclass
class _Parts:
    """A graph split for comparison."""

    ground: set[ox.Triple]
    groups: dict[Resource, frozenset[ox.Triple]]
    labels: dict[str, str]
    size: int


def _label_rank(literal: ox.Literal, predicate: ox.NamedNode) -> tuple[int, int, str]:
    language = literal.language
    return (
        LABEL_PREDICATES.index(predicate),
        0 if language in (None, "en") else 1,
        literal.value,
    )


def _owners(blank: Sequence[ox.Triple]) -> dict[ox.BlankNode, str]:
    """For each blank node an IRI reaches, the smallest IRI subject it hangs from."""
    owner: dict[ox.BlankNode, str] = {}
    children: dict[ox.BlankNode, list[ox.BlankNode]] = defaultdict(list)
    for t in blank:
        s, o = t.subject, t.object
        if not isinstance(o, ox.BlankNode):
            continue
        if isinstance(s, ox.BlankNode):
            children[s].append(o)
        elif isinstance(s, ox.NamedNode) and (o not in owner or s.value < owner[o]):
            owner[o] = s.value
    queue = deque(owner)
    while queue:  # a smaller owner flows down the chains (cycles settle: owners only shrink)
        node = queue.popleft()
        for child in children.get(node, ()):
            if child not in owner or owner[node] < owner[child]:
                owner[child] = owner[node]
                queue.append(child)
    return owner


def split_graph(triples: Iterable[ox.Triple]) -> _Parts:
    """Split statements into those without blank nodes and, per owning resource, those with
    one (each group canonicalized by RDFC-1.0); also read the labels."""
    ground: set[ox.Triple] = set()
    blank: list[ox.Triple] = []
    best: dict[str, tuple[tuple[int, int, str], str]] = {}
    size = 0
    for t in triples:
        size += 1
        s, p, o = t.subject, t.predicate, t.object
        if isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode):
            blank.append(t)
            continue
        ground.add(t)
        if p in LABEL_PREDICATES and isinstance(o, ox.Literal):
            rank = _label_rank(o, p)
            key = s.value if isinstance(s, ox.NamedNode) else str(s)
            if key not in best or rank < best[key][0]:
                best[key] = (rank, o.value)
    owner = _owners(blank)
    grouped: dict[Resource, list[ox.Triple]] = defaultdict(list)
    for t in blank:
        s = t.subject
        group: Resource = owner.get(s) if isinstance(s, ox.BlankNode) else _subject_key(t)
        grouped[group].append(t)
    groups = {key: frozenset(canonical_triples(ts)) for key, ts in grouped.items()}
    return _Parts(ground, groups, {k: v for k, (_, v) in best.items()}, size)


def _subject_key(t: ox.Triple) -> str:
    s = t.subject
    return s.value if isinstance(s, ox.NamedNode) else str(s)


def _sort_key(t: ox.Triple) -> tuple[str, str, str]:
    return (str(t.subject), t.predicate.value, str(t.object))


def _pair(change: ResourceChange) -> None:
    """Turn one removed and one added value of the same subject and predicate into a change."""
    removed: dict[tuple[str, str], list[ox.Triple]] = defaultdict(list)
    added: dict[tuple[str, str], list[ox.Triple]] = defaultdict(list)
    for t in change.removed:
        removed[(str(t.subject), t.predicate.value)].append(t)
    for t in change.added:
        added[(str(t.subject), t.predicate.value)].append(t)
    pairs = {
        k: (ts[0], added[k][0])
        for k, ts in removed.items()
        if len(ts) == 1 and len(added.get(k, ())) == 1
    }
    paired = {t for pair in pairs.values() for t in pair}
    change.removed = sorted((t for t in change.removed if t not in paired), key=_sort_key)
    change.added = sorted((t for t in change.added if t not in paired), key=_sort_key)
    change.changed = sorted(pairs.values(), key=lambda pair: _sort_key(pair[0]))


def diff_graphs(old: Iterable[ox.Triple], new: Iterable[ox.Triple]) -> GraphDiff:
    """The difference between two graphs, per resource.

    >>> s, p = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p")
    >>> d = diff_graphs([ox.Triple(s, p, ox.Literal("1"))], [ox.Triple(s, p, ox.Literal("2"))])
    >>> d.counts()
    {'added': 0, 'removed': 0, 'changed': 1, 'resources': 1}
    >>> diff_graphs([ox.Triple(s, p, ox.BlankNode("a"))], [ox.Triple(s, p, ox.BlankNode("b"))]).same
    True
    """
    before, after = split_graph(old), split_graph(new)
    changes: dict[Resource, ResourceChange] = {}

    def entry(key: Resource) -> ResourceChange:
        if key not in changes:
            changes[key] = ResourceChange(key)
        return changes[key]

    for t in before.ground - after.ground:
        entry(_subject_key(t)).removed.append(t)
    for t in after.ground - before.ground:
        entry(_subject_key(t)).added.append(t)
    for key in before.groups.keys() | after.groups.keys():
        old_group = before.groups.get(key, frozenset())
        new_group = after.groups.get(key, frozenset())
        if old_group != new_group:
            entry(key).removed.extend(old_group - new_group)
            entry(key).added.extend(new_group - old_group)
    for key, change in changes.items():
        _pair(change)
        if key is not None:
            change.label = after.labels.get(key, before.labels.get(key))
    ordered = sorted(changes.values(), key=lambda c: (c.resource is None, c.resource or ""))
    return GraphDiff(before.size, after.size, ordered)


# -- reading a version ---------------------------------------------------------------------


def read_path(
    path: Path, *, base: str = DEFAULT_BASE, contexts: Contexts | None = None
) -> list[ox.Triple]:
    """The statements of a file, or of every RDF file below a folder, read as ``jaif-kg
    validate`` reads them (:func:`jaif_kg.rdf.files.read_inputs`: a folder without an RDF file
    is an error, JSON-LD contexts come from ``contexts``).

    Raises:
        InputError: no such file or folder, a folder without RDF files, or a file that cannot
            be read (file and line); :class:`InputErrors` for several.
    """
    if not path.exists() and not path.is_symlink():
        raise InputError("no such file or folder", path=str(path))
    return [
        t for parsed in read_inputs([path], base=base, contexts=contexts) for t in parsed.triples
    ]


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise InputError("git is not installed; it is needed to read a revision") from None


def repository_root(cwd: Path) -> Path:
    """The top folder of the git work tree ``cwd`` is in.

    Raises:
        InputError: ``cwd`` is not in a git work tree.
    """
    done = _git(cwd, "rev-parse", "--show-toplevel")
    if done.returncode != 0:
        raise InputError("not a git repository, so no revision can be read", path=str(cwd))
    return Path(done.stdout.decode().strip())


def is_revision(spec: str, cwd: Path) -> bool:
    """Whether ``spec`` names a commit in the git repository of ``cwd``."""
    done = _git(cwd, "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}")
    return done.returncode == 0


def repository_path(path: Path, cwd: Path) -> str:
    """``path`` relative to the top of the repository (``/``-separated), as ``REV:PATH`` wants.

    Raises:
        InputError: ``path`` is outside the repository.
    """
    top = repository_root(cwd).resolve()
    full = (cwd / path).resolve()
    try:
        return full.relative_to(top).as_posix() or "."
    except ValueError:
        raise InputError(f"is outside the git repository {top}", path=str(path)) from None


def _object_type(spec: str, cwd: Path) -> str | None:
    done = _git(cwd, "cat-file", "-t", spec)
    return done.stdout.decode().strip() if done.returncode == 0 else None


def export_revision(spec: str, into: Path, cwd: Path) -> Path | None:
    """Write the file or folder ``REV:PATH`` (git's syntax) under ``into``; ``None`` if the
    revision has no such path.

    Returns:
        The file or folder written.

    Raises:
        InputError: git is missing, ``cwd`` is not in a repository, or git failed.
    """
    repository_root(cwd)
    kind = _object_type(spec, cwd)
    if kind is None:
        return None
    name = Path(spec.partition(":")[2]).name or "root"
    target = into / name
    if kind == "blob":
        done = _git(cwd, "cat-file", "blob", spec)
        if done.returncode == 0:
            target.write_bytes(done.stdout)
            return target
    elif kind == "tree":
        done = _git(cwd, "archive", "--format=tar", spec)
        if done.returncode == 0:
            target.mkdir()
            with tempfile.TemporaryFile() as tar_file:
                tar_file.write(done.stdout)
                tar_file.seek(0)
                with tarfile.open(fileobj=tar_file) as tar:
                    tar.extractall(target, filter="data")
            return target
    else:
        raise InputError(f"{spec!r} is a git {kind}, not a file or folder")
    raise InputError(f"git could not read {spec!r}: {done.stderr.decode().strip()}")


@contextmanager
def _renamed(errors_from: Path, shown_as: str) -> Iterator[None]:
    """Errors about files under a temporary folder name the revision's path instead (each
    error of an :class:`InputErrors`)."""

    def renamed(exc: InputError) -> InputError:
        if exc.path is None or not exc.path.startswith(str(errors_from)):
            return exc
        where = exc.path + (f":{exc.line}" if exc.line is not None else "")
        message = str(exc)[len(where) + 2 :]
        path = shown_as + exc.path[len(str(errors_from)) :]
        return InputError(message, path=path, line=exc.line)

    try:
        yield
    except InputErrors as exc:
        raise InputErrors([renamed(e) for e in exc.errors]) from None
    except InputError as exc:
        raise renamed(exc) from None


def read_version(
    spec: str,
    *,
    other: str | None = None,
    cwd: Path | None = None,
    base: str = DEFAULT_BASE,
    contexts: Contexts | None = None,
) -> list[ox.Triple]:
    """The statements of one version of the graph.

    ``spec`` is, in this order: an existing file or folder; ``REV:PATH``, a file or folder at a
    git revision (git's syntax: ``PATH`` from the top of the repository, ``REV:./PATH`` from
    ``cwd``); or a bare revision ``REV``, which means ``other`` (a path) at that revision.

    Raises:
        InputError: nothing of that name, a file that cannot be read (named as ``REV:PATH``
            when it is in a revision), or git is missing or fails.
    """
    cwd = cwd or Path.cwd()
    local = cwd / spec
    if local.exists() or local.is_symlink():  # a broken link or a loop: read_path says which
        return read_path(Path(spec) if cwd == Path.cwd() else local, base=base, contexts=contexts)
    rev, colon, path = spec.partition(":")
    if not colon:
        if other is None or not is_revision(spec, cwd):
            raise InputError("no such file, folder or git revision", path=spec)
        path = repository_path(Path(other), cwd)
        spec = f"{rev}:{path}"
    elif not is_revision(rev, cwd):
        raise InputError(f"no such git revision {rev!r}", path=spec)
    into = Path(tempfile.mkdtemp(prefix="jaif-kg-diff-"))
    try:
        exported = export_revision(spec, into, cwd)
        if exported is None:
            raise InputError(f"revision {rev} has no such file or folder", path=spec)
        with _renamed(exported, spec):
            return read_path(exported, base=base, contexts=contexts)
    finally:
        shutil.rmtree(into, ignore_errors=True)


def diff_versions(
    old: str,
    new: str,
    *,
    cwd: Path | None = None,
    base: str = DEFAULT_BASE,
    contexts: Contexts | None = None,
) -> GraphDiff:
    """The difference between two versions named as :func:`read_version` reads them (a bare
    revision on one side means the other side's path at that revision).

    Raises:
        InputError: as :func:`read_version`; every error of both sides at once
            (:class:`InputErrors`).
    """
    sides: list[list[ox.Triple]] = []
    errors: list[InputError] = []
    for spec, other in ((old, new), (new, old)):
        try:
            sides.append(read_version(spec, other=other, cwd=cwd, base=base, contexts=contexts))
        except InputError as exc:
            errors.append(exc)
    raise_all(errors)
    return diff_graphs(sides[0], sides[1])


def files_at_revision(
    rev: str,
    paths: Sequence[Path],
    *,
    cwd: Path | None = None,
    base: str = DEFAULT_BASE,
    contexts: Contexts | None = None,
) -> list[ox.Triple]:
    """The statements of ``paths`` as they were at revision ``rev``, together with the RDF
    files of their folders that ``rev`` had (a file deleted since counts); a path the revision
    did not have counts as empty.

    Raises:
        InputError: ``rev`` is no revision, a path is outside the repository, or a file of
            the revision cannot be read.
    """
    cwd = cwd or Path.cwd()
    if not is_revision(rev, cwd):
        repository_root(cwd)  # outside a repository, say so rather than "no such revision"
        raise InputError(f"no such git revision {rev!r}")
    wanted: set[str] = set()
    folders: set[str] = set()
    for path in paths:
        where = repository_path(path, cwd)
        wanted.add(where)
        folders.add(where.rpartition("/")[0])
    for folder in sorted(folders):
        listing = _git(cwd, "ls-tree", "--name-only", f"{rev}:{folder}" if folder else rev)
        for name in listing.stdout.decode().splitlines():
            try:
                rdf_format_for_path(name)
            except InputError:
                continue
            wanted.add(f"{folder}/{name}" if folder else name)
    triples: list[ox.Triple] = []
    into = Path(tempfile.mkdtemp(prefix="jaif-kg-diff-"))
    try:
        for number, where in enumerate(sorted(wanted)):
            spec = f"{rev}:{where}"
            folder_for_file = into / str(number)
            folder_for_file.mkdir()
            exported = export_revision(spec, folder_for_file, cwd)
            if exported is None or exported.is_dir():
                continue
            with _renamed(exported, spec):
                triples.extend(parse_file(exported, base=base, contexts=contexts).triples)
    finally:
        shutil.rmtree(into, ignore_errors=True)
    return triples
