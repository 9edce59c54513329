"""The pictures of ``/timeline`` and ``/network``: the rows of the named queries
``picture-timeline`` and ``picture-network`` (``queries/``), shaped for the page.

The pages draw them with vis-timeline and cytoscape (installed from npm, served under
``/assets/``) and list the same items as plain HTML, which is all a reader gets without those
files. Dates stay as precise as their sources: a year, a month or a day, written as such
(:func:`date_text`); the picture places a year or month over its whole span (:func:`span`).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from jaif_kg.publish.pages import Site

#: What each kind of timeline item is called on the page.
TIMELINE_KINDS = {
    "work-plan": "IAI work plan",
    "adoption": "Adoption",
    "fund": "Establishment",
    "project": "Project",
    "batch": "Attachment Programme batch",
}
#: The kinds whose start is a period's beginning (a work plan's, a batch's, a project's): without
#: an end, the period is open-ended. Adoptions and establishments are dated events.
OPEN_KINDS = ("work-plan", "batch", "project")
#: What each kind of network node is called on the page.
NETWORK_KINDS = {
    "project": "Project",
    "country": "Country",
    "organisation": "Organisation",
    "work-plan": "IAI work plan",
    "strategic-area": "Strategic area",
}


def precision(lexical: str) -> str:
    """How precise a date of the graph is, from its lexical form (``xsd:gYear``,
    ``xsd:gYearMonth`` or ``xsd:date``).

    >>> precision("2009"), precision("2002-07"), precision("2021-01-01")
    ('year', 'month', 'day')
    """
    return {4: "year", 7: "month"}.get(len(lexical), "day")


def date_text(lexical: str) -> str:
    """A date as a reader writes it, no more precise than the source.

    >>> date_text("2009"), date_text("2002-07"), date_text("2021-01-01")
    ('2009', 'July 2002', '1 January 2021')
    """
    kind = precision(lexical)
    if kind == "year":
        return lexical
    month = calendar.month_name[int(lexical[5:7])]
    if kind == "month":
        return f"{month} {lexical[:4]}"
    return f"{int(lexical[8:10])} {month} {lexical[:4]}"


def span(lexical: str, *, end: bool = False) -> str:
    """The first day of a date's span, or (``end``) the first day after it: where the picture
    places it (ISO 8601 dates, which vis-timeline reads).

    >>> span("2009"), span("2009", end=True)
    ('2009-01-01', '2010-01-01')
    >>> span("2020-12", end=True), span("2021-01-01", end=True)
    ('2021-01-01', '2021-01-02')
    """
    year = int(lexical[:4])
    kind = precision(lexical)
    if kind == "year":
        return f"{year + 1 if end else year:04d}-01-01"
    month = int(lexical[5:7])
    if kind == "month":
        if not end:
            return f"{year:04d}-{month:02d}-01"
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return f"{year:04d}-{month:02d}-01"
    if not end:
        return lexical[:10]
    day = int(lexical[8:10])
    last = calendar.monthrange(year, month)[1]
    if day < last:
        return f"{year:04d}-{month:02d}-{day + 1:02d}"
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year:04d}-{month:02d}-01"


@dataclass
class TimelineItem:
    """One item of the timeline: a period (``start`` to ``end``) or a dated thing."""

    id: str
    kind: str
    kind_label: str
    label: str
    href: str | None
    start: str | None = None
    end: str | None = None
    when: str = "no date stated by its source"
    status: str | None = None
    number: int | None = None
    #: A period whose source gives a beginning and no end ("from July 2012").
    open_ended: bool = False

    @property
    def dated(self) -> bool:
        """Whether the picture can place it."""
        return self.start is not None


def timeline_items(rows: Iterable[Mapping[str, str]], site: Site) -> list[TimelineItem]:
    """The timeline's items from the ``picture-timeline`` rows (values as their text), in the
    query's order (by date; undated items first, then listed apart by the page).

    >>> rows = [{"kind": "work-plan", "item": "https://w3id.org/jaif-kg/id/work-plan/iai-work-plan-2",
    ...          "label": "IAI Work Plan II", "number": "2", "start": "2009", "end": "2015"}]
    >>> item = timeline_items(rows, Site("https://w3id.org/jaif-kg/"))[0]
    >>> item.href, item.when, item.start, item.end
    ('/page/work-plan/iai-work-plan-2', '2009 to 2015', '2009-01-01', '2016-01-01')
    """
    items = []
    for row in rows:
        kind = row["kind"]
        start, end = row.get("start"), row.get("end")
        as_of = row.get("statusAsOf")
        status = f"{row['status']} as of {date_text(as_of)}" if row.get("status") and as_of else ""
        if start and end:
            when = f"{date_text(start)} to {date_text(end)}"
            when += f"; {status}" if status else ""
        elif start and kind == "project" and status:
            when = status
        elif start and kind in OPEN_KINDS:
            # the start of a period the source does not end (a project's, when it has no
            # status: its start is then its period's)
            when = f"from {date_text(start)}"
        elif start:
            when = date_text(start)
        else:
            when = "no date stated by its source"
        number = row.get("number")
        items.append(
            TimelineItem(
                id=row["item"],
                kind=kind,
                kind_label=TIMELINE_KINDS.get(kind, kind),
                label=row["label"],
                href=site.href(row["item"]),
                start=span(start) if start else None,
                end=span(end, end=True) if end else None,
                when=when,
                status=row.get("status"),
                number=int(number) if number else None,
                open_ended=bool(start and not end and kind in OPEN_KINDS and not status),
            )
        )
    return items


def timeline_data(items: list[TimelineItem]) -> dict[str, Any]:
    """What the page's script draws: the dated items, grouped by kind. An open-ended period is
    a range to the timeline's end (the latest date it shows), marked ``open``; one that starts
    there is a point.

    >>> timeline_data([])["items"]
    []
    >>> rows = [{"kind": "batch", "item": "https://w3id.org/jaif-kg/id/b", "label": "B",
    ...          "start": "2012-07"},
    ...         {"kind": "fund", "item": "https://w3id.org/jaif-kg/id/f", "label": "F",
    ...          "start": "2020"}]
    >>> batch = timeline_data(timeline_items(rows, Site("https://w3id.org/jaif-kg/")))["items"][0]
    >>> batch["when"], batch["type"], batch["end"], batch["open"]
    ('from July 2012', 'range', '2020-01-01', True)
    """
    dated = [i for i in items if i.dated]
    horizon = max((i.end or i.start or "" for i in dated), default="")
    groups = [k for k in TIMELINE_KINDS if any(i.kind == k for i in dated)]
    shown = []
    for i in dated:
        end = i.end
        if i.open_ended and i.start is not None and horizon > i.start:
            end = horizon
        shown.append(
            {
                **asdict(i),
                "end": end,
                "group": i.kind,
                "type": "range" if end else "point",
                "open": i.open_ended,
            }
        )
    return {"groups": [{"id": k, "content": TIMELINE_KINDS[k]} for k in groups], "items": shown}


@dataclass
class NetworkNode:
    """A thing of the network, with the links to its neighbours."""

    id: str
    kind: str
    kind_label: str
    label: str
    href: str | None
    links: list[tuple[str, str]] = field(default_factory=list)


def network(rows: Iterable[Mapping[str, str]], site: Site) -> dict[str, NetworkNode]:
    """The network's nodes by IRI, from the ``picture-network`` rows; each node lists its links
    as (relation, neighbour IRI), both ways.

    >>> rows = [{"source": "https://w3id.org/jaif-kg/id/project/p", "sourceKind": "project",
    ...          "sourceLabel": "P", "relation": "benefits",
    ...          "target": "https://w3id.org/jaif-kg/id/country/KHM", "targetKind": "country",
    ...          "targetLabel": "Cambodia"}]
    >>> nodes = network(rows, Site("https://w3id.org/jaif-kg/"))
    >>> nodes["https://w3id.org/jaif-kg/id/country/KHM"].links
    [('benefits', 'https://w3id.org/jaif-kg/id/project/p')]
    """
    nodes: dict[str, NetworkNode] = {}
    for row in rows:
        for end in ("source", "target"):
            iri, kind = row[end], row[f"{end}Kind"]
            if iri not in nodes:
                nodes[iri] = NetworkNode(
                    iri, kind, NETWORK_KINDS.get(kind, kind), row[f"{end}Label"], site.href(iri)
                )
        nodes[row["source"]].links.append((row["relation"], row["target"]))
        nodes[row["target"]].links.append((row["relation"], row["source"]))
    return nodes


def network_data(nodes: Mapping[str, NetworkNode]) -> dict[str, Any]:
    """cytoscape's elements: one node per thing, one edge per link (as the query gave it).

    >>> network_data({})
    {'nodes': [], 'edges': []}
    """
    edges: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for node in nodes.values():
        for relation, other in node.links:
            key = (min(node.id, other), max(node.id, other), relation)
            if key in seen:
                continue
            seen.add(key)
            edges.append(
                {
                    "data": {
                        "id": f"e{len(edges)}",
                        "source": node.id,
                        "target": other,
                        "label": relation,
                    }
                }
            )
    return {
        "nodes": [
            {
                "data": {
                    "id": n.id,
                    "label": n.label,
                    "kind": n.kind,
                    "kindLabel": n.kind_label,
                    "href": n.href,
                }
            }
            for n in nodes.values()
        ],
        "edges": edges,
    }
