"""``jaif-kg diff``: the statements added, removed and changed between two versions of the graph
(:mod:`jaif_kg.rdf.diff`)."""

from __future__ import annotations

import argparse
import json
from typing import Any

import pyoxigraph as ox

from jaif_kg.cli.args import Subparsers, load_settings, say
from jaif_kg.cli.validate import context_option, read_contexts
from jaif_kg.rdf.diff import GraphDiff, ResourceChange, diff_versions
from jaif_kg.rdf.graph import shorten

_XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")


def add(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "diff",
        help="what changed between two versions of the graph",
        description=(
            "List the statements added, removed and changed between two versions of the graph, "
            "per resource, with labels. OLD and NEW are each a file, a folder (every RDF file "
            "below it), REV:PATH (a file or folder at a git revision, PATH from the top of the "
            "repository, or REV:./PATH from here), or a bare revision, which means the other "
            "side's path at that revision: `jaif-kg diff HEAD~1 graph_data`. Blank nodes are "
            "compared after RDFC-1.0 canonicalization, so reordering or relabelling is no "
            "change. Exit 0 when the graphs are the same, 1 when they differ, 2 when a version "
            "cannot be read (every error of both versions; a folder without RDF files is one)."
        ),
    )
    p.add_argument("old", metavar="OLD", help="the old version")
    p.add_argument("new", metavar="NEW", help="the new version")
    p.add_argument(
        "--context",
        action="append",
        type=context_option,
        default=[],
        metavar="URL=FILE",
        help="read the JSON-LD context URL from the local FILE (repeat for several), as "
        "`jaif-kg validate --context` does; the network is never used",
    )
    p.add_argument(
        "--format",
        choices=("text", "markdown", "json"),
        default="text",
        help="text (default), markdown (for a pull request or a CI summary) or json",
    )
    p.set_defaults(func=run)


def term(node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """A term as a person reads it: IRIs shortened with the project prefixes, blank nodes as
    ``_:label``, literals in N-Triples form (quoted, with language or datatype).

    >>> term(ox.NamedNode("https://w3id.org/jaif-kg/id/country/KHM"))
    'id:country/KHM'
    >>> term(ox.Literal("Cambodia", language="en"))
    '"Cambodia"@en'
    >>> term(ox.Literal("8", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    '"8"^^xsd:integer'
    """
    if isinstance(node, ox.NamedNode):
        return shorten(node.value)
    if isinstance(node, ox.Literal) and node.language is None and node.datatype != _XSD_STRING:
        return f"{ox.Literal(node.value)}^^{shorten(node.datatype.value)}"
    return str(node)


def _heading(change: ResourceChange) -> str:
    if change.resource is None:
        return "(blank nodes that no IRI reaches)"
    name = shorten(change.resource)
    return f"{name} ({change.label})" if change.label else name


def _lines(change: ResourceChange) -> list[str]:
    """``+``/``-`` lines of one resource: removed, added, then each change as ``-`` and ``+``."""
    lines: list[str] = []

    def line(sign: str, t: ox.Triple) -> str:
        subject = "" if _owned(change, t) else term(t.subject) + " "
        return f"{sign} {subject}{term(t.predicate)} {term(t.object)}"

    lines.extend(line("-", t) for t in change.removed)
    lines.extend(line("+", t) for t in change.added)
    for old, new in change.changed:
        lines.extend((line("-", old), line("+", new)))
    return lines


def _owned(change: ResourceChange, t: ox.Triple) -> bool:
    """Whether ``t``'s subject is the resource itself (so the line need not repeat it)."""
    return isinstance(t.subject, ox.NamedNode) and t.subject.value == change.resource


def summary(diff: GraphDiff) -> str:
    """``3 resources differ: 2 added, 1 removed, 1 changed (1,000 -> 1,002 triples)``."""
    if diff.same:
        return f"No difference ({diff.old_triples:,} triples on each side)."
    c = diff.counts()
    noun = "resource differs" if c["resources"] == 1 else "resources differ"
    return (
        f"{c['resources']:,} {noun}: {c['added']:,} added, {c['removed']:,} removed, "
        f"{c['changed']:,} changed statements ({diff.old_triples:,} -> {diff.new_triples:,} "
        "triples)."
    )


def render_text(diff: GraphDiff) -> str:
    """One block per resource (its name and label, then ``-``/``+`` lines), then a summary."""
    blocks = [
        "\n".join([_heading(c), *("  " + line for line in _lines(c))]) for c in diff.resources
    ]
    return "\n\n".join([*blocks, summary(diff)]) + "\n"


def render_markdown(diff: GraphDiff) -> str:
    """A heading per resource with a ``diff`` code block (coloured by GitHub and GitLab)."""
    parts = ["## Graph changes", "", summary(diff)]
    for change in diff.resources:
        heading = _heading(change).replace("`", "'")
        parts += ["", f"### {heading}", "", "```diff", *_lines(change), "```"]
    return "\n".join(parts) + "\n"


def _nt(t: ox.Triple) -> list[str]:
    return [str(t.subject), str(t.predicate), str(t.object)]


def diff_dict(diff: GraphDiff) -> dict[str, Any]:
    """The difference as JSON-ready values; terms in N-Triples form (``<iri>``, ``"text"@en``,
    ``_:c14n0``), statements as ``[subject, predicate, object]``."""
    return {
        "same": diff.same,
        "counts": diff.counts(),
        "old_triples": diff.old_triples,
        "new_triples": diff.new_triples,
        "resources": [
            {
                "resource": c.resource,
                "label": c.label,
                "added": [_nt(t) for t in c.added],
                "removed": [_nt(t) for t in c.removed],
                "changed": [{"old": _nt(old), "new": _nt(new)} for old, new in c.changed],
            }
            for c in diff.resources
        ],
    }


def run(args: argparse.Namespace) -> int:
    from jaif_kg.rdf.files import project_contexts

    settings = load_settings()
    contexts = {
        **project_contexts(settings.base_iri, settings.public_url),
        **read_contexts(args.context),
    }
    diff = diff_versions(args.old, args.new, base=settings.base_iri, contexts=contexts)
    if args.format == "json":
        say(json.dumps(diff_dict(diff), indent=2, ensure_ascii=False))
    elif args.format == "markdown":
        say(render_markdown(diff))
    else:
        say(render_text(diff))
    return 0 if diff.same else 1
