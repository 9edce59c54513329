"""``jaif-kg synth``: write synthetic data shaped like the graph (:mod:`jaif_kg.bench.synth`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from jaif_kg.cli.args import Subparsers, whole


def add(subparsers: Subparsers) -> None:
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
        type=whole("a number of projects", 0),
        metavar="N",
        help="number of projects (0 or more)",
    )
    size.add_argument(
        "--triples",
        type=whole("a number of triples", 1),
        metavar="N",
        help="about this many triples (picks --projects)",
    )
    p.add_argument("--out", required=True, type=Path, metavar="FILE", help="a .nt or .ttl file")
    p.add_argument("--seed", type=int, default=0, help="seed of the random choices (default 0)")
    p.add_argument(
        "--faults",
        type=whole("a number of faults", 0),
        default=0,
        metavar="K",
        help="inject K known violations, at most one per project (default 0)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from jaif_kg.bench import synth

    projects = args.projects
    if projects is None:
        projects = synth.projects_for_triples(args.triples, args.seed)
    triples = synth.write(args.out, projects, args.seed, args.faults)
    print(f"jaif-kg synth: {triples:,} triples, {projects} projects -> {args.out}", file=sys.stderr)
    return 0
