"""HTML pages for people: entity pages, the list of things, "not found", ontology and dumps pages.

Pages are rendered on the server from the store with the Jinja2 templates in
``jaif_kg/templates/ld/`` (no JavaScript). Links to resources under the dataset's base point to the
server's own paths (see :mod:`jaif_kg.publish.iris`), so browsing works on a local server.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS

from jaif_kg import __version__
from jaif_kg.publish import describe as ds
from jaif_kg.publish.describe import DESCRIPTION_FORMATS
from jaif_kg.publish.iris import data_path, local_path, split_fragment
from jaif_kg.publish.text import (
    EM_DASH,
    capitalise,
    decapitalise,
    format_literal,
    format_period,
    natural_key,
    plural,
    shorten,
)
from jaif_kg.publish.vocab import KNOWN_LABELS, Ref, curie, humanise, link_target
from jaif_kg.rdf.formats import rdf_format
from jaif_kg.rdf.namespaces import (
    JAIF,
    ORG,
    PREFIXES,
    SCHEMA,
    TIME,
    project_prefixes,
    rebase,
    unrebase,
)
from jaif_kg.sparql.escape import is_valid_iri, sparql_iri, sparql_string
from jaif_kg.store import Store
from jaif_kg.store.base import Term

_RDFS = str(RDFS)
_SKOS = str(SKOS)
_DCT = str(DCTERMS)
_PROV = str(PROV)
_TIME = str(TIME)
_SCHEMA = str(SCHEMA)
_XSD = PREFIXES["xsd"]  # rdflib's XSD is a closed namespace that warns when probed
_RDF_NS = str(RDF)
_ORG = str(ORG)
_FOAF_NAME = str(FOAF.name)

TYPE = str(RDF.type)
SOURCE_PROPERTIES = (_PROV + "hadPrimarySource", _PROV + "wasDerivedFrom")
DESCRIPTION_PROPERTIES = (
    _RDFS + "comment",
    _SKOS + "definition",
    _DCT + "description",
    _SCHEMA + "description",
)
ALT_LABEL_PROPERTIES = (_SKOS + "altLabel",)
TITLE_PROPERTIES = (_SKOS + "prefLabel", _RDFS + "label")
#: Properties whose values are names: a row of them that only repeats the page's title or its
#: other names is left out.
NAME_PROPERTIES = (
    *TITLE_PROPERTIES,
    _DCT + "title",
    _DCT + "alternative",
    _SCHEMA + "name",
    _FOAF_NAME,
)
#: Rows shown last, in this order: identifiers and links to other datasets.
LAST_ROWS = (
    _SKOS + "notation",
    _SCHEMA + "identifier",
    _DCT + "identifier",
    _SCHEMA + "sameAs",
    str(OWL.sameAs),
    _SKOS + "exactMatch",
    _SKOS + "closeMatch",
    _SKOS + "relatedMatch",
    _SKOS + "broadMatch",
    _SKOS + "narrowMatch",
    _SCHEMA + "url",
    _RDFS + "seeAlso",
)
_INSTANT_VALUES = set(ds.INSTANT_VALUE_PROPERTIES)
_PERIOD_PARTS = (_TIME + "hasBeginning", _TIME + "hasEnd")
_STATEMENT_PARTS = (_RDF_NS + "subject", _RDF_NS + "predicate", _RDF_NS + "object")
#: Headings of incoming-link groups for reused properties; {things}, {this} are filled in.
#: The ontology's terms are keyed under the default base (looked up with ``unrebase``).
INVERSE_PHRASES: dict[str, str] = {
    _PROV + "wasDerivedFrom": "{things} taken from {this}",
    _PROV + "hadPrimarySource": "{things} whose primary source is {this}",
    _ORG + "member": "Memberships of {this}",
    _ORG + "organization": "{things} in {this}",
    _ORG + "hasMember": "{things} that have {this} as a member",
    _DCT + "publisher": "{things} published by {this}",
    _SKOS + "inScheme": "{things} in {this}",
    _SKOS + "broader": "Narrower {things}",
    _DCT + "isPartOf": "Parts of {this}",
    _RDFS + "isDefinedBy": "Terms defined by {this}",
    _SKOS + "closeMatch": "{things} that closely match {this}",
    _SKOS + "exactMatch": "{things} that match {this}",
    _SKOS + "topConceptOf": "Top concepts of {this}",
    _SKOS + "hasTopConcept": "Schemes with {this} as a top concept",
    # The ontology's own relations, read backwards.
    str(JAIF.beneficiary): "{things} that benefit {this}",
    str(JAIF.includesCountry): "{things} that include {this}",
    str(JAIF.includesBatch): "{things} that include {this}",
    str(JAIF.conflictAbout): "Conflicting sources about {this}",
    str(JAIF.strategicArea): "{things} in {this}",
    str(JAIF.workPlan): "{things} under {this}",
    str(JAIF.participant): "Roles of {this} in projects",
    str(JAIF.role): "{things} in the role of {this}",
    str(JAIF.stream): "{things} of {this}",
    str(JAIF.fundedThrough): "{things} funded through {this}",
    str(JAIF.status): "{things} giving the status {this}",
    str(JAIF.emergingIssue): "{things} that take {this} into account",
}
#: Longest page title used inside a heading; longer ones become "this <type>".
MAX_TITLE_IN_HEADING = 60
#: Most "supports" entries listed under one source.
MAX_SUPPORTS = 6
#: What the sources list shows about a source (ontology terms under the default base).
SOURCE_DETAIL_PROPERTIES = (
    _SCHEMA + "url",
    str(JAIF.asOf),
    _DCT + "publisher",
    _DCT + "issued",
    _DCT + "date",
)
#: Most items listed on the "list of things" page for one type.
MAX_INDEX_ITEMS = 2000


@lru_cache
def environment() -> Environment:
    """The one Jinja2 environment of the package's templates (autoescaping on): the linked-data
    pages' (``templates/ld/``), then the others' (``templates/``: the home page)."""
    env = Environment(
        loader=ChoiceLoader(
            [PackageLoader("jaif_kg", "templates/ld"), PackageLoader("jaif_kg", "templates")]
        ),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = __version__
    return env


def render(template: str, **context: object) -> str:
    """Render one of the templates of :func:`environment`."""
    return environment().get_template(template).render(**context)


@dataclass(frozen=True)
class Site:
    """Where pages are served: the dataset's base IRI and the server's root path (``/``)."""

    base: str
    root: str = "/"

    def href(self, iri: str) -> str | None:
        """The local link for ``iri``, or ``None`` for an IRI outside the base."""
        path = local_path(iri, self.base)
        return None if path is None else self.root + path

    def link(self, path: str) -> str:
        """A link to a local path (``sparql``, ``dumps/``...)."""
        return self.root + path


@dataclass
class Value:
    """One value of a property as shown on a page."""

    text: str
    href: str | None = None
    external: bool = False
    note: str = ""
    title: str = ""
    lang: str = ""
    nested: Node | None = None
    sources: list[Ref] = field(default_factory=list)


@dataclass
class Row:
    """A property and its values."""

    label: str
    iri: str
    values: list[Value]


@dataclass
class Node:
    """A resource shown on a page: the page's subject or one of its hash sub-resources."""

    iri: str
    anchor: str
    label: str
    type_labels: list[str]
    summary: str
    rows: list[Row]
    sources: list[Ref] = field(default_factory=list)
    label_parts: list[Ref] = field(default_factory=list)


@dataclass
class IncomingItem:
    """A resource that links to the page's subject."""

    text: str
    href: str | None
    note: str = ""


@dataclass
class IncomingGroup:
    """The resources that link to the page's subject through one property."""

    heading: str
    property_iri: str
    items: list[IncomingItem]


@dataclass
class SourceItem:
    """A source document of facts shown on the page."""

    iri: str
    title: str
    href: str | None
    url: str | None = None
    as_of: str = ""
    publisher: str = ""
    publisher_href: str | None = None
    used_for: list[str] = field(default_factory=list)
    primary: bool = False


@dataclass
class EntityPage:
    """Everything an entity page shows."""

    iri: str
    title: str
    type_labels: list[str]
    alt_labels: list[str]
    descriptions: list[str]
    main: Node
    others: list[Node]
    incoming: list[IncomingGroup]
    sources: list[SourceItem]
    formats: list[tuple[str, str]]
    truncated: bool
    graphs: list[GraphItem] = field(default_factory=list)


@dataclass
class GraphItem:
    """A loaded graph (not the shipped one) that holds facts shown on the page."""

    iri: str
    source: str
    facts: int


class Labeller:
    """Labels of IRIs, looked up in the store in one go, with fallbacks for unlabelled terms."""

    def __init__(self, store: Store, site: Site, iris: Iterable[str]) -> None:
        self.store = store
        self.site = site
        self.found = ds.labels(store, iris, site.base)

    def add(self, iris: Iterable[str]) -> None:
        """Look up more IRIs."""
        missing = [i for i in iris if i not in self.found]
        if missing:
            self.found.update(ds.labels(self.store, missing, self.site.base))

    def term(self, iri: str) -> str:
        """Label of a class, property or datatype (ontology label, known label, or its name)."""
        return self.found.get(iri) or KNOWN_LABELS.get(iri) or humanise(iri)

    def thing(self, iri: str) -> str:
        """Label of an instance (its label, or a readable stand-in)."""
        if iri in self.found:
            return self.found[iri]
        if iri in KNOWN_LABELS:  # a reused term as a value (the property a conflict is about)
            return f"{KNOWN_LABELS[iri]} ({curie(iri, project_prefixes(self.site.base))})"
        target = link_target(iri, self.site.base)
        if target is not None:
            tail = iri.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
            return f"{target.entity_label} {tail}"
        if iri.startswith(self.site.base):
            document, fragment = split_fragment(iri)
            name = document.rstrip("/").rsplit("/", 1)[-1]
            if fragment:
                owner = self.found.get(document, name)
                return f"{owner}: {humanise(fragment)}"
            return name
        return iri


def _anchor(iri: str) -> str:
    return split_fragment(iri)[1]


def _link_label(label: str, rows: Sequence[Row]) -> list[Ref]:
    """Split ``label`` into text and links when every row's values are links named in it.

    "Proponent: Ministry of Health, Lao PDR" with rows role -> proponent and participant ->
    Ministry of Health, Lao PDR becomes two links; an empty list means the rows say more.
    """
    links: list[tuple[int, int, Value]] = []
    lower = label.lower()
    for row in rows:
        for value in row.values:
            if value.href is None or value.nested is not None or not value.text:
                return []
            start = lower.find(value.text.lower())
            if start < 0:
                return []
            links.append((start, start + len(value.text), value))
    links.sort(key=lambda item: item[0])
    parts: list[Ref] = []
    position = 0
    for start, end, value in links:
        if start < position:
            return []
        if start > position:
            parts.append(Ref(label[position:start]))
        parts.append(Ref(label[start:end], value.href))
        position = end
    if position < len(label):
        parts.append(Ref(label[position:]))
    return parts if links else []


def _datatype_note(literal: Literal, labeller: Labeller) -> str:
    if literal.language and not literal.language.lower().startswith("en"):
        return literal.language
    datatype = str(literal.datatype) if literal.datatype is not None else ""
    if not datatype or datatype.startswith((_XSD, _RDF_NS)):
        return ""
    return labeller.term(datatype)


class PageBuilder:
    """Builds the view of one entity page from a :class:`~jaif_kg.publish.describe.Description`."""

    def __init__(self, store: Store, site: Site, description: ds.Description) -> None:
        self.store = store
        self.site = site
        self.d = description
        self.inside = set(description.resources)
        self.by_subject: dict[str, list[ds.Triple]] = {}
        for triple in description.triples:
            if not isinstance(triple[0], BNode):
                self.by_subject.setdefault(str(triple[0]), []).append(triple)
        wanted: set[str] = set()
        for s, p, o in (*description.triples, *description.incoming):
            wanted.add(str(p))
            for term in (s, o):
                if isinstance(term, URIRef):
                    wanted.add(str(term))
                    wanted.add(split_fragment(str(term))[0])  # owners name their parts
                elif isinstance(term, Literal) and term.datatype is not None:
                    wanted.add(str(term.datatype))
        self.labeller = Labeller(store, site, wanted)
        # Reified statements (rdf:Statement) that give one fact of the page its own source are
        # not shown as things: their sources are attached to the value they are about.
        self.statements: dict[tuple[str, str, Term], list[str]] = {}
        for iri in description.resources:
            parts = {str(p): o for _, p, o in self.by_subject.get(iri, [])}
            subject, predicate = parts.get(_RDF_NS + "subject"), parts.get(_RDF_NS + "predicate")
            obj = parts.get(_RDF_NS + "object")
            if subject is not None and predicate is not None and obj is not None:
                key = (str(subject), str(predicate), obj)
                self.statements.setdefault(key, []).append(iri)
        self.folded = {iri for iris in self.statements.values() for iri in iris}

    # -- values --------------------------------------------------------------------------------
    def source_refs(self, iri: str) -> list[Ref]:
        """The sources a resource of the page cites (``prov:wasDerivedFrom``)."""
        found = sorted(
            {str(o) for _, p, o in self.by_subject.get(iri, []) if str(p) in SOURCE_PROPERTIES}
        )
        return [
            Ref(
                shorten(self.labeller.thing(src), 60),
                self.site.href(src) or src,
                title=self.labeller.thing(src),
            )
            for src in found
        ]

    def value(self, term: Term, depth: int, subject: str = "", prop: str = "") -> Value:
        """How one object term is shown (``subject`` and ``prop`` find a statement's sources)."""
        value = self._value(term, depth)
        for statement in self.statements.get((subject, prop, term), []):
            value.sources.extend(self.source_refs(statement))
        value.sources.extend(self.graph_refs((URIRef(subject), URIRef(prop), term)))
        return value

    def loaded_graphs(self, triple: ds.Triple) -> list[str]:
        """The loaded graphs (not the shipped graph) that hold ``triple``."""
        shipped = self.site.base + ds.SHIPPED_GRAPH
        return [g for g in self.d.graphs.get(triple, ()) if g != shipped]

    def graph_note(self, graph: str) -> str:
        """ "from graph <iri>, source <source>" for a loaded graph."""
        source = self.d.graph_sources.get(graph)
        return f"from graph {graph}" + (f", source {source}" if source else "")

    def graph_refs(self, triple: ds.Triple) -> list[Ref]:
        """Links to the sources of the loaded graphs that hold ``triple``."""
        refs = []
        for graph in self.loaded_graphs(triple):
            source = self.d.graph_sources.get(graph)
            refs.append(Ref(f"graph {graph}", source or graph, title=self.graph_note(graph)))
        return refs

    def _value(self, term: Term, depth: int) -> Value:
        if isinstance(term, Literal):
            text = format_literal(term)
            note = _datatype_note(term, self.labeller)
            if str(term.datatype or "") == _XSD + "anyURI":
                return Value(text, href=str(term), external=True, note=note)
            title = str(term) if text != str(term) else ""
            return Value(text, note=note, title=title, lang=term.language or "")
        if isinstance(term, BNode):
            return Value(self.blank_summary(term), note="unnamed node")
        iri = str(term)
        if iri in self.inside and iri != self.d.iri and iri not in self.folded and depth < 4:
            nested = self.node(iri, depth + 1)
            text = nested.summary or nested.label
            return Value(text, href="#" + nested.anchor, nested=nested)
        href = self.site.href(iri)
        if href is None:
            target = link_target(iri, self.site.base)
            return Value(
                self.labeller.thing(iri),
                href=iri,
                external=True,
                title=iri,
                note=target.title if target and iri not in self.labeller.found else "",
            )
        return Value(self.labeller.thing(iri), href=href, title=iri)

    def blank_summary(self, node: BNode) -> str:
        """A one-line summary of a blank node (its labelled values)."""
        parts = []
        for s, p, o in self.d.triples:
            if s == node and str(p) != TYPE:
                shown = format_literal(o) if isinstance(o, Literal) else self.labeller.thing(str(o))
                parts.append(f"{self.labeller.term(str(p))}: {shown}")
        return "; ".join(sorted(parts)) or "(empty)"

    # -- nodes ---------------------------------------------------------------------------------
    def instant_text(self, iri: str) -> str:
        """The date of an OWL-Time instant, if ``iri`` is one."""
        for _, p, o in self.by_subject.get(iri, []):
            if str(p) in _INSTANT_VALUES and isinstance(o, Literal):
                return format_literal(o)
        return ""

    def summary(self, iri: str) -> str:
        """A short summary of a sub-resource: a date for an instant, the span for a period."""
        instant = self.instant_text(iri)
        if instant:
            return instant
        begin = end = None
        for _, p, o in self.by_subject.get(iri, []):
            if str(p) in _PERIOD_PARTS and isinstance(o, URIRef):
                for _, p2, value in self.by_subject.get(str(o), []):
                    if str(p2) in _INSTANT_VALUES and isinstance(value, Literal):
                        if str(p) == _TIME + "hasBeginning":
                            begin = value
                        else:
                            end = value
        return format_period(begin, end)

    def rows(self, iri: str, depth: int, *, main: bool) -> list[Row]:
        """The property rows of ``iri``; sources, types, names and descriptions are shown
        elsewhere on the page."""
        grouped: dict[str, list[Term]] = {}
        for _, p, o in self.by_subject.get(iri, []):
            grouped.setdefault(str(p), []).append(o)
        summarised = bool(self.summary(iri))
        shown_elsewhere = {TYPE, *SOURCE_PROPERTIES}
        if main:
            shown_elsewhere |= {*DESCRIPTION_PROPERTIES, *ALT_LABEL_PROPERTIES}
        rows = []
        for prop, objects in grouped.items():
            if prop in shown_elsewhere:
                continue
            names = {self.labeller.thing(iri), *(self.alt_labels(iri) if main else ())}
            if prop in NAME_PROPERTIES and all(
                isinstance(o, Literal) and str(o) in names for o in objects
            ):
                continue
            if summarised and (prop in _INSTANT_VALUES or prop in _PERIOD_PARTS):
                continue
            values = sorted(
                (self.value(o, depth, iri, prop) for o in objects), key=lambda v: v.text.lower()
            )
            rows.append(Row(capitalise(self.labeller.term(prop)), prop, values))

        def order(row: Row) -> tuple[int, int, str]:
            if row.iri in LAST_ROWS:
                return (1, LAST_ROWS.index(row.iri), row.label)
            return (0, 0, row.label.lower())

        return sorted(rows, key=order)

    def type_labels(self, iri: str) -> list[str]:
        """Labels of the classes of ``iri``, most specific (ontology's own) first."""
        found = [str(o) for _, p, o in self.by_subject.get(iri, []) if str(p) == TYPE]
        own = sorted(t for t in found if t.startswith(self.site.base))
        rest = sorted(t for t in found if not t.startswith(self.site.base))
        labels: list[str] = []
        for t in own + rest:
            label = capitalise(self.labeller.term(t))
            if label not in labels:
                labels.append(label)
        return labels

    def node(self, iri: str, depth: int = 0) -> Node:
        """The view of the page's subject (depth 0) or of one of its sub-resources."""
        main = depth == 0
        label = self.labeller.thing(iri)
        if not main and iri not in self.labeller.found:
            types = self.type_labels(iri)
            label = types[0] if types else capitalise(humanise(_anchor(iri)))
        summary = "" if main else self.summary(iri)
        rows = self.rows(iri, depth, main=main)
        parts: list[Ref] = []
        if not main and iri in self.labeller.found:
            parts = _link_label(label, rows)
            if parts:
                rows = []
        return Node(
            iri,
            _anchor(iri) or "top",
            label,
            self.type_labels(iri),
            summary,
            rows,
            [] if main else self.source_refs(iri),
            parts,
        )

    def alt_labels(self, iri: str) -> list[str]:
        """Other English names of ``iri`` than its title (``skos:altLabel``, other labels)."""
        title = self.labeller.thing(iri)
        own = self.by_subject.get(iri, [])
        alt = sorted({str(o) for _, p, o in own if str(p) in ALT_LABEL_PROPERTIES} - {title})
        for _, p, o in own:
            english = isinstance(o, Literal) and (o.language or "en").startswith("en")
            if str(p) in TITLE_PROPERTIES and english and str(o) != title and str(o) not in alt:
                alt.append(str(o))
        return alt

    def reachable(self, iri: str) -> set[str]:
        """The sub-resources shown inside the main facts: those its values lead to."""
        seen: set[str] = set()
        todo = [iri]
        while todo:
            current = todo.pop()
            for _, p, o in self.by_subject.get(current, []):
                target = str(o)
                if str(p) in SOURCE_PROPERTIES or target not in self.inside or target in seen:
                    continue
                seen.add(target)
                todo.append(target)
        return seen

    # -- incoming links ------------------------------------------------------------------------
    def incoming_text(self, iri: str) -> str:
        """How a linking resource is named; a hash sub-resource is named with its owner."""
        owner, fragment = split_fragment(iri)
        if fragment and owner != self.d.iri:
            self.labeller.add([owner])
            if iri in self.labeller.found:
                return f"{shorten(self.labeller.thing(owner))}{EM_DASH}{self.labeller.thing(iri)}"
        return self.labeller.thing(iri)

    def incoming(self, title: str, this_type: str) -> list[IncomingGroup]:
        """The incoming links, grouped by property."""
        subjects = sorted({str(s) for s, _, _ in self.d.incoming})
        kinds = ds.types(self.store, subjects, self.site.base)
        self.labeller.add([t for ts in kinds.values() for t in ts])
        spans = ds.periods(self.store, subjects)
        groups: dict[str, list[str]] = {}
        from_graphs: dict[tuple[str, str], list[str]] = {}
        for s, p, o in self.d.incoming:
            if str(p) in _STATEMENT_PARTS:
                continue  # a statement that sources a fact; the fact itself is listed
            if str(s) not in groups.setdefault(str(p), []):
                groups[str(p)].append(str(s))
            for graph in self.loaded_graphs((s, p, o)):
                notes = from_graphs.setdefault((str(p), str(s)), [])
                if graph not in notes:
                    notes.append(graph)
        result = []
        for prop, members in groups.items():
            type_names = Counter(
                self.labeller.term(kinds[m][0]) if m in kinds else "" for m in members
            )
            common = type_names.most_common(1)[0][0] if len(type_names) == 1 else ""
            things = capitalise(plural(common)) if common else "Things"
            phrase = INVERSE_PHRASES.get(
                unrebase(prop, self.site.base), "{things} with {this} as {prop}"
            )
            this = title if len(title) <= MAX_TITLE_IN_HEADING else f"this {this_type}"
            heading = phrase.format(things=things, this=this, prop=self.labeller.term(prop))
            items = []
            for member in members:
                notes = []
                if not common and member in kinds:
                    notes.append(capitalise(self.labeller.term(kinds[member][0])))
                if member in spans:
                    notes.append(format_period(*spans[member]))
                notes.extend(self.graph_note(g) for g in from_graphs.get((prop, member), []))
                items.append(
                    IncomingItem(
                        self.incoming_text(member),
                        self.site.href(member) or member,
                        " · ".join(n for n in notes if n),
                    )
                )
            items.sort(key=lambda i: natural_key(i.text))
            result.append(IncomingGroup(capitalise(heading), prop, items))
        result.sort(key=lambda g: (g.property_iri in SOURCE_PROPERTIES, g.heading.lower()))
        return result

    # -- sources -------------------------------------------------------------------------------
    def sources(self, title: str) -> list[SourceItem]:
        """The source documents of the facts on the page, with what each one supports."""
        used: dict[str, list[str]] = {}
        primary: set[str] = set()

        def note(source: str, what: str) -> None:
            what = shorten(what)
            if what not in used.setdefault(source, []):
                used[source].append(what)

        about = {iri: key for key, iris in self.statements.items() for iri in iris}
        for s, p, o in self.d.triples:
            if str(p) in SOURCE_PROPERTIES and isinstance(o, URIRef) and not isinstance(s, BNode):
                if str(s) == self.d.iri:
                    what = title
                    if str(p) == _PROV + "hadPrimarySource":
                        primary.add(str(o))
                elif str(s) in about:
                    _, predicate, obj = about[str(s)]
                    what = f"{self.labeller.term(predicate)} {self._value(obj, 9).text}"
                else:
                    node = self.node(str(s), 1)
                    what = node.summary or node.label
                note(str(o), what)
        linked = sorted({str(s) for s, p, _ in self.d.incoming if str(p) not in SOURCE_PROPERTIES})
        if linked:
            props = " ".join(sparql_iri(p) for p in SOURCE_PROPERTIES)
            for chunk_start in range(0, len(linked), 300):
                chunk = linked[chunk_start : chunk_start + 300]
                query = (
                    "SELECT ?s ?p ?src WHERE { VALUES ?s { "
                    + " ".join(sparql_iri(i) for i in chunk)
                    + " } VALUES ?p { "
                    + props
                    + " } ?s ?p ?src . FILTER(isIRI(?src)) }"
                )
                rows = self.store.query(query).rows
                self.labeller.add(str(r["s"]) for r in rows)
                for row in rows:
                    note(str(row["src"]), self.incoming_text(str(row["s"])))
        if not used:
            return []
        details = self.source_details(sorted(used))
        items = []
        for iri, whats in used.items():
            info = details.get(iri, {})
            publisher = info.get(_DCT + "publisher")
            as_of = (
                info.get(rebase(str(JAIF.asOf), self.site.base))
                or info.get(_DCT + "issued")
                or info.get(_DCT + "date")
            )
            url = info.get(_SCHEMA + "url")
            items.append(
                SourceItem(
                    iri=iri,
                    title=self.labeller.thing(iri),
                    href=self.site.href(iri) or iri,
                    url=str(url) if url is not None else None,
                    as_of=format_literal(as_of) if isinstance(as_of, Literal) else "",
                    publisher=self.labeller.thing(str(publisher)) if publisher is not None else "",
                    publisher_href=self.site.href(str(publisher))
                    if publisher is not None
                    else None,
                    used_for=whats[:MAX_SUPPORTS]
                    + (
                        [f"and {len(whats) - MAX_SUPPORTS} more"]
                        if len(whats) > MAX_SUPPORTS
                        else []
                    ),
                    primary=iri in primary,
                )
            )
        items.sort(key=lambda i: (not i.primary, i.title.lower()))
        return items

    def source_details(self, sources: Sequence[str]) -> dict[str, dict[str, Term]]:
        """Web address, as-of date and publisher of each source document."""
        props = " ".join(sparql_iri(rebase(p, self.site.base)) for p in SOURCE_DETAIL_PROPERTIES)
        query = (
            "SELECT ?s ?p ?o WHERE { VALUES ?s { "
            + " ".join(sparql_iri(s) for s in sources)
            + " } VALUES ?p { "
            + props
            + " } ?s ?p ?o }"
        )
        details: dict[str, dict[str, Term]] = {}
        for row in self.store.query(query).rows:
            details.setdefault(str(row["s"]), {}).setdefault(str(row["p"]), row["o"])
        self.labeller.add([*sources, *(str(v) for d in details.values() for v in d.values())])
        return details

    # -- the page ------------------------------------------------------------------------------
    def page(self) -> EntityPage:
        """The whole entity page."""
        iri = self.d.iri
        title = self.labeller.thing(iri)
        main = self.node(iri)
        type_labels = main.type_labels
        shown = self.reachable(iri)
        others = [self.node(r, 1) for r in self.d.resources[1:] if r not in shown | self.folded]
        own = self.by_subject.get(iri, [])
        alt = self.alt_labels(iri)
        descriptions = sorted(
            {
                str(o)
                for _, p, o in own
                if str(p) in DESCRIPTION_PROPERTIES
                and isinstance(o, Literal)
                and (o.language or "en").startswith("en")
            }
        )
        this_type = decapitalise(type_labels[0]) if type_labels else "resource"
        formats = []
        for name, format_title in DESCRIPTION_FORMATS.items():
            path = data_path(iri, self.site.base, rdf_format(name).suffix)
            if path is not None:
                formats.append((format_title, self.site.link(path)))
        return EntityPage(
            iri=iri,
            title=title,
            type_labels=type_labels,
            alt_labels=alt,
            descriptions=descriptions,
            main=main,
            others=others,
            incoming=self.incoming(title, this_type),
            sources=self.sources(title),
            formats=formats,
            truncated=self.d.truncated,
            graphs=self.graphs(),
        )

    def graphs(self) -> list[GraphItem]:
        """The loaded graphs that hold facts of the page, with their sources and fact counts."""
        counts: Counter[str] = Counter()
        for triple in (*self.d.triples, *self.d.incoming):
            counts.update(self.loaded_graphs(triple))
        return [
            GraphItem(graph, self.d.graph_sources.get(graph, ""), count)
            for graph, count in sorted(counts.items())
        ]


def entity_page(store: Store, site: Site, iri: str) -> EntityPage | None:
    """Build the page of ``iri``; ``None`` when the dataset does not mention it."""
    description = ds.describe(store, iri, base=site.base)
    if not description.exists:
        return None
    return PageBuilder(store, site, description).page()


def render_entity(store: Store, site: Site, iri: str) -> str | None:
    """The HTML page of ``iri``; ``None`` when the dataset does not mention it."""
    page = entity_page(store, site, iri)
    if page is None:
        return None
    return render("entity.html", page=page, site=site, title=page.title)


# -- the list of things and "not found" ----------------------------------------------------------
@dataclass
class IndexGroup:
    """The things of one type on the list of things."""

    label: str
    items: list[IncomingItem]
    more: int = 0


def index_groups(store: Store, site: Site, query: str = "") -> list[IndexGroup]:
    """Every instance under ``{base}id/`` grouped by type, optionally filtered by ``query``
    (case-insensitive, on the label or the IRI)."""
    prefix = site.base + "id/"
    sparql_iri(prefix)
    under = sparql_string(prefix)
    sparql = (
        "SELECT ?s ?t WHERE { ?s a ?t . "
        f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), {under}) && !CONTAINS(STR(?s), "#")) }}'
    )
    rows = store.query(sparql).rows
    kinds: dict[str, list[str]] = {}
    for row in rows:
        kinds.setdefault(str(row["s"]), []).append(str(row["t"]))
    # Concepts are listed by their scheme ("IAI strategic areas") rather than as "Concepts".
    schemes: dict[str, str] = {}
    scheme_rows = store.query(
        f"SELECT ?s ?scheme WHERE {{ ?s {sparql_iri(str(SKOS.inScheme))} ?scheme . "
        f"FILTER(STRSTARTS(STR(?s), {under})) }}"
    ).rows
    for row in scheme_rows:
        schemes.setdefault(str(row["s"]), str(row["scheme"]))
    labeller = Labeller(
        store,
        site,
        [*kinds, *{t for ts in kinds.values() for t in ts}, *set(schemes.values())],
    )
    needle = query.strip().lower()
    grouped: dict[str, list[IncomingItem]] = {}
    for iri, ts in kinds.items():
        label = labeller.thing(iri)
        if needle and needle not in label.lower() and needle not in iri.lower():
            continue
        own = sorted(t for t in ts if t.startswith(site.base)) or sorted(ts)
        if own == [_SKOS + "Concept"] and iri in schemes:
            group = capitalise(labeller.thing(schemes[iri]))
        else:
            group = capitalise(plural(labeller.term(own[0])))
        grouped.setdefault(group, []).append(
            IncomingItem(label, site.href(iri), iri[len(prefix) :])
        )
    groups = []
    for label, items in sorted(grouped.items(), key=lambda item: natural_key(item[0])):
        items.sort(key=lambda i: natural_key(i.text))
        groups.append(
            IndexGroup(label, items[:MAX_INDEX_ITEMS], max(0, len(items) - MAX_INDEX_ITEMS))
        )
    return groups


def render_index(store: Store, site: Site, query: str = "") -> str:
    """The list of things (``/page/``), with a search box."""
    groups = index_groups(store, site, query)
    return render(
        "index.html",
        groups=groups,
        query=query,
        site=site,
        title="Things in the dataset",
        total=sum(len(g.items) + g.more for g in groups),
    )


def suggestions(store: Store, site: Site, iri: str) -> list[IncomingItem]:
    """Resources whose IRI is like ``iri`` (same last segment, ignoring case) for a 404 page."""
    tail = iri.rstrip("/").rsplit("/", 1)[-1].lower()
    if not tail:
        return []
    found: list[IncomingItem] = []
    for group in index_groups(store, site, tail):
        found.extend(i for i in group.items if i.note.rsplit("/", 1)[-1].lower() == tail)
    return found[:10]


def render_not_found(store: Store, site: Site, iri: str, path: str) -> str:
    """The helpful 404 page for an IRI (or path) the dataset does not know."""
    tail = iri.rstrip("/").rsplit("/", 1)[-1]
    similar = suggestions(store, site, iri) if is_valid_iri(iri) else []
    return render(
        "not_found.html",
        iri=iri,
        path=path,
        tail=tail,
        similar=similar,
        site=site,
        title="Not found",
    )


def render_message(site: Site, title: str, message: str) -> str:
    """A plain page with a heading and a message (for 406 and similar answers)."""
    return render("message.html", site=site, title=title, message=message)


__all__ = [
    "EntityPage",
    "Site",
    "entity_page",
    "render",
    "render_entity",
    "render_index",
    "render_not_found",
]
