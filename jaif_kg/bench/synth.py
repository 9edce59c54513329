"""Synthetic data shaped like the shipped graph, at any size, for benchmarks and scale tests.

:func:`generate` writes N-Triples (one triple a line, which is also valid Turtle) directly as
text, without building a graph, so a million triples take a few seconds. The output is:

* a fixed part imitating the reference data of ``graph_data/``: the ASEAN member states and
  Japan (ISO 3166-1 and UN M49 codes as typed ``skos:notation``, Wikidata and GeoNames links,
  each identifier also recorded as a sourced fact, an ``rdf:Statement`` with PROV), their ASEAN
  memberships with OWL-Time periods as hash IRIs, the CLMV group, ASEAN and its secretariat,
  the fund, the IAI with its four work plans (periods and adoptions as precise as a year, a
  month or a day), the SKOS schemes (strategic areas, project roles, statuses, membership
  roles), the Attachment Programme and its two streams, and the source documents;
* ``projects`` synthetic projects, each with beneficiaries that were ASEAN members when it
  started, a work plan and (for work plans III and IV) a strategic area of that plan's scheme,
  participations of implementing agencies, dated status assertions, its own source document,
  sometimes its own period and a sourced fact about its title, and, for one project in 40, a
  numbered batch of an attachment stream.

The IRIs of the fixed part are those of the shipped graph (``id/country/KHM``,
``id/attachment-stream/aec-ascc``...), so the named queries' example parameters find data.
Everything conforms to ``ontology/shapes/`` (checked by ``tests/test_synth.py``), integers are
``xsd:integer`` only (Oxigraph canonicalises derived integer types), and the same arguments
give the same bytes: the only source of variation is :class:`random.Random` seeded with
``seed``.

``faults`` injects that many known violations (see :data:`FAULT_KINDS`), spread over the
projects, for differential tests of the validation engines.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from jaif_kg.errors import InputError
from jaif_kg.rdf.namespaces import DEFAULT_BASE

_ID = DEFAULT_BASE + "id/"
_JAIF = DEFAULT_BASE + "ontology#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_DCT = "http://purl.org/dc/terms/"
_PROV = "http://www.w3.org/ns/prov#"
_ORG = "http://www.w3.org/ns/org#"
_TIME = "http://www.w3.org/2006/time#"
_SCHEMA = "https://schema.org/"

_TYPE = f"<{_RDF}type>"
_LABEL = f"<{_RDFS}label>"
_PREF = f"<{_SKOS}prefLabel>"
_PRIMARY = f"<{_PROV}hadPrimarySource>"
_DERIVED = f"<{_PROV}wasDerivedFrom>"

#: The countries of the fixed part: ISO alpha-3, alpha-2, M49, name, Wikidata Q-id, GeoNames id,
#: and the date each joined ASEAN (``None`` for Japan), as in ``graph_data/countries.ttl``.
COUNTRIES: tuple[tuple[str, str, str, str, str, str, str | None], ...] = (
    ("BRN", "BN", "096", "Brunei Darussalam", "Q921", "1820814", "1984-01-07"),
    ("IDN", "ID", "360", "Indonesia", "Q252", "1643084", "1967-08-08"),
    ("JPN", "JP", "392", "Japan", "Q17", "1861060", None),
    ("KHM", "KH", "116", "Cambodia", "Q424", "1831722", "1999-04-30"),
    ("LAO", "LA", "418", "Lao PDR", "Q819", "1655842", "1997-07-23"),
    ("MMR", "MM", "104", "Myanmar", "Q836", "1327865", "1997-07-23"),
    ("MYS", "MY", "458", "Malaysia", "Q833", "1733045", "1967-08-08"),
    ("PHL", "PH", "608", "Philippines", "Q928", "1694008", "1967-08-08"),
    ("SGP", "SG", "702", "Singapore", "Q334", "1880251", "1967-08-08"),
    ("THA", "TH", "764", "Thailand", "Q869", "1605651", "1967-08-08"),
    ("TLS", "TL", "626", "Timor-Leste", "Q574", "1966436", "2025-10-26"),
    ("VNM", "VN", "704", "Viet Nam", "Q881", "1562822", "1995-07-28"),
)
_FOUNDING = "1967-08-08"
_CLMV = ("KHM", "LAO", "MMR", "VNM")

#: Work plans: number, roman numeral, period start and end (as precise as the sources), adoption
#: date, occasion, and whether the strategic-area scheme applies.
WORK_PLANS: tuple[tuple[int, str, str, str, str, str, bool], ...] = (
    (1, "I", "2002-07", "2008-06", "2002", "8th ASEAN Summit", False),
    (2, "II", "2009", "2015", "2009-03-01", "14th ASEAN Summit", False),
    (3, "III", "2016", "2020-12", "2016-09-06", "28th and 29th ASEAN Summits", True),
    (4, "IV", "2021-01-01", "2025", "2020-11-12", "37th ASEAN Summit", True),
)
#: First and last year in which a project of each work plan may start.
_PLAN_YEARS = {1: (2002, 2008), 2: (2009, 2015), 3: (2016, 2020), 4: (2021, 2025)}

STRATEGIC_AREAS = (
    "food-and-agriculture",
    "trade-facilitation",
    "msmes",
    "education",
    "health-and-well-being",
)
PROJECT_ROLES = ("proponent", "implementing-agency", "monitoring")
STATUSES = ("ongoing", "supported")
STREAMS = ("junior-diplomats", "aec-ascc")

_TOPICS = (
    "Capacity Building",
    "Regional Workshop",
    "Training Programme",
    "Policy Dialogue",
    "Study Visit",
    "Pilot Project",
    "Needs Assessment",
    "Knowledge Sharing",
)
_SUBJECTS = (
    "Rice Production",
    "Customs Modernisation",
    "Small and Medium Enterprises",
    "Vocational Education",
    "Maternal Health",
    "Irrigation Water Management",
    "Trade Facilitation",
    "Digital Skills",
    "Food Safety",
    "Disaster Risk Reduction",
)

#: The kinds of violation ``faults`` injects, in turn: name -> what the shapes report.
FAULT_KINDS: dict[str, str] = {
    "missing-title": "ProjectShape-title, sh:MinCountConstraintComponent",
    "two-titles": "ProjectShape-title, sh:MaxCountConstraintComponent",
    "status-date-as-string": "StatusAssertionShape-asOf, sh:DatatypeConstraintComponent",
    "beneficiary-not-member": "ProjectBeneficiaryMemberShape, sh:SPARQLConstraintComponent",
    "area-outside-scheme": "ProjectAreaSchemeShape, sh:SPARQLConstraintComponent",
    "role-not-a-concept": "ProjectParticipationShape-role, sh:ClassConstraintComponent",
    "participant-undescribed": "ProjectParticipationShape-participant, sh:NodeConstraintComponent",
    "period-ends-before-start": "IntervalOrderShape, sh:SPARQLConstraintComponent",
    "instant-two-precisions": "InstantShape, sh:XoneConstraintComponent",
    "fact-not-asserted": "StatementAssertedShape, sh:SPARQLConstraintComponent",
    "source-without-url": "SourceDocumentShape-url, sh:MinCountConstraintComponent",
    "duplicate-batch-number": "AttachmentBatchUniqueNumberShape, sh:SPARQLConstraintComponent",
    "batch-number-zero": "AttachmentBatchShape-number, sh:MinInclusiveConstraintComponent",
    "no-primary-source": "ProvenanceShape-primarySource, sh:MinCountConstraintComponent",
    "label-twice-in-english": "OrganizationShape-label, sh:UniqueLangConstraintComponent",
    "bad-alpha2": "CountryShape-alpha2, sh:QualifiedMinCountConstraintComponent",
    "status-without-label": "ConceptShape-prefLabel (a warning)",
}


def escape(text: str) -> str:
    r"""Escape a string for an N-Triples literal.

    >>> escape('a "b"\n')
    'a \\"b\\"\\n'
    """
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _iri(path: str) -> str:
    return f"<{_ID}{path}>"


def _en(text: str) -> str:
    return f'"{escape(text)}"@en'


def _typed(value: str, datatype: str) -> str:
    return f'"{escape(value)}"^^<{datatype}>'


def _int(value: int) -> str:
    return f'"{value}"^^<{_XSD}integer>'


def _date_literal(value: str) -> str:
    """A date as precise as written: ``2016`` (gYear), ``2016-09`` (gYearMonth) or a date."""
    kind = {4: "gYear", 7: "gYearMonth"}.get(len(value), "date")
    return _typed(value, _XSD + kind)


def _precision(value: str) -> str:
    return {4: "inXSDgYear", 7: "inXSDgYearMonth"}.get(len(value), "inXSDDate")


#: The project's own class of each shared class the data uses (the project's shapes target
#: these, so that other datasets' resources of the shared class are not checked); a
#: ``skos:Concept`` gets its project class by kind (``_concept``).
_PROJECT_CLASS = {
    f"<{_SCHEMA}Country>": f"<{_JAIF}Country>",
    f"<{_ORG}FormalOrganization>": f"<{_JAIF}Organisation>",
    f"<{_ORG}OrganizationalUnit>": f"<{_JAIF}Organisation>",
    f"<{_ORG}Membership>": f"<{_JAIF}Membership>",
    f"<{_SCHEMA}FundingScheme>": f"<{_JAIF}Fund>",
    f"<{_SKOS}ConceptScheme>": f"<{_JAIF}ConceptScheme>",
    f"<{_RDF}Statement>": f"<{_JAIF}SourcedFact>",
    f"<{_TIME}ProperInterval>": f"<{_JAIF}Period>",
    f"<{_TIME}Instant>": f"<{_JAIF}Instant>",
}


class _Writer:
    """Collects N-Triples lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} {p} {o} .\n")
        if p == _TYPE and o in _PROJECT_CLASS:
            self.lines.append(f"{s} {p} {_PROJECT_CLASS[o]} .\n")

    def many(self, s: str, pairs: Iterable[tuple[str, str]]) -> None:
        for p, o in pairs:
            self.add(s, p, o)

    def sourced(self, s: str, primary: str, *others: str) -> None:
        self.add(s, _PRIMARY, primary)
        self.add(s, _DERIVED, primary)
        for other in others:
            self.add(s, _DERIVED, other)

    def period(self, owner: str, begin: str | None, end: str | None) -> str:
        """An OWL-Time interval ``owner#period`` with instants ``#period-start``/``#period-end``."""
        base = owner[:-1]
        period = f"{base}#period>"
        self.add(period, _TYPE, f"<{_TIME}ProperInterval>")
        self.add(period, _TYPE, f"<{_DCT}PeriodOfTime>")
        for word, value, link in (("start", begin, "hasBeginning"), ("end", end, "hasEnd")):
            if value is None:
                continue
            instant = f"{base}#period-{word}>"
            self.add(period, f"<{_TIME}{link}>", instant)
            self.add(instant, _TYPE, f"<{_TIME}Instant>")
            self.add(instant, f"<{_TIME}{_precision(value)}>", _date_literal(value))
        return period

    def fact(self, subject: str, name: str, predicate: str, obj: str, source: str) -> None:
        """Assert ``subject predicate obj``; record it as a sourced fact ``subject#fact-name``."""
        self.add(subject, predicate, obj)
        statement = f"{subject[:-1]}#fact-{name}>"
        self.many(
            statement,
            (
                (_TYPE, f"<{_RDF}Statement>"),
                (f"<{_RDF}subject>", subject),
                (f"<{_RDF}predicate>", predicate),
                (f"<{_RDF}object>", obj),
            ),
        )
        self.sourced(statement, source)


def _source(w: _Writer, slug: str, title: str, url: str | None, as_of: str | None = None) -> str:
    s = _iri(f"source/{slug}")
    w.many(
        s,
        ((_TYPE, f"<{_JAIF}SourceDocument>"), (_LABEL, _en(title)), (f"<{_DCT}title>", _en(title))),
    )
    if url is not None:
        w.add(s, f"<{_SCHEMA}url>", f"<{url}>")
    if as_of is not None:
        w.add(s, f"<{_JAIF}asOf>", _typed(as_of, _XSD + "date"))
    return s


def _concept(
    w: _Writer, iri: str, label: str, scheme: str, source: str, kind: str, *types: str
) -> None:
    w.add(iri, _TYPE, f"<{_SKOS}Concept>")
    w.add(iri, _TYPE, f"<{_JAIF}{kind}>")
    for t in types:
        w.add(iri, _TYPE, t)
    w.many(iri, ((_LABEL, _en(label)), (_PREF, _en(label)), (f"<{_SKOS}inScheme>", scheme)))
    w.add(scheme, f"<{_SKOS}hasTopConcept>", iri)
    w.sourced(iri, source)


def _scheme(w: _Writer, slug: str, label: str, source: str) -> str:
    s = _iri(f"scheme/{slug}")
    w.many(s, ((_TYPE, f"<{_SKOS}ConceptScheme>"), (_LABEL, _en(label)), (_PREF, _en(label))))
    w.sourced(s, source)
    return s


@dataclass(frozen=True)
class _Fixed:
    """IRIs of the fixed part that the projects refer to."""

    register: str
    fund: str
    secretariat: str
    members: tuple[str, ...]
    work_plans: tuple[str, ...]
    areas: tuple[str, ...]
    roles: tuple[str, ...]
    statuses: tuple[str, ...]
    streams: tuple[str, ...]


def _fixed_part(w: _Writer) -> _Fixed:
    register = _source(
        w,
        "synthetic-register",
        "Synthetic register of JAIF projects",
        "https://example.org/jaif-kg/synthetic/register",
        # after every synthetic date (the latest period ends in 2028): a source is never
        # credited with a date later than its own (jaifsh:SourceDateShape)
        "2030-12-31",
    )
    codes = _source(
        w, "synthetic-codes", "Synthetic country code list", "https://example.org/jaif-kg/codes"
    )
    asean = _iri("organisation/asean")
    secretariat = _iri("organisation/asean-secretariat")
    japan = _iri("organisation/government-of-japan")
    team = _iri("organisation/jaif-management-team")
    for org, kind, label in (
        (asean, "FormalOrganization", "Association of Southeast Asian Nations"),
        (japan, "FormalOrganization", "Government of Japan"),
        (secretariat, "OrganizationalUnit", "ASEAN Secretariat"),
        (team, "OrganizationalUnit", "JAIF Management Team"),
    ):
        w.many(org, ((_TYPE, f"<{_ORG}{kind}>"), (_LABEL, _en(label)), (_PREF, _en(label))))
        w.sourced(org, register)
    w.add(secretariat, f"<{_ORG}unitOf>", asean)
    w.add(team, f"<{_ORG}unitOf>", secretariat)
    w.add(secretariat, f"<{_SCHEMA}location>", _iri("country/IDN"))

    roles_scheme = _scheme(w, "asean-membership-roles", "ASEAN membership roles", register)
    for slug, label in (("founding-member", "founding member"), ("member", "member")):
        _concept(
            w,
            _iri(f"role/{slug}"),
            label,
            roles_scheme,
            register,
            "MembershipRole",
            f"<{_ORG}Role>",
        )

    members = []
    for alpha3, alpha2, m49, name, qid, geonames, joined in COUNTRIES:
        c = _iri(f"country/{alpha3}")
        w.many(c, ((_TYPE, f"<{_SCHEMA}Country>"), (_LABEL, _en(name)), (_PREF, _en(name))))
        w.sourced(c, register)
        notation = f"<{_SKOS}notation>"
        same = f"<{_SCHEMA}sameAs>"
        w.fact(c, "iso-alpha2", notation, _typed(alpha2, _JAIF + "ISO3166Alpha2"), codes)
        w.fact(c, "iso-alpha3", notation, _typed(alpha3, _JAIF + "ISO3166Alpha3"), codes)
        w.fact(c, "m49", notation, _typed(m49, _JAIF + "UNM49"), codes)
        w.fact(c, "wikidata", same, f"<http://www.wikidata.org/entity/{qid}>", codes)
        w.fact(c, "geonames", same, f"<https://sws.geonames.org/{geonames}/>", codes)
        if joined is None:
            continue
        m = _iri(f"membership/asean-{alpha3}")
        role = "founding-member" if joined == _FOUNDING else "member"
        w.many(
            m,
            (
                (_TYPE, f"<{_ORG}Membership>"),
                (_LABEL, _en(f"{name}: member of ASEAN")),
                (f"<{_ORG}member>", c),
                (f"<{_ORG}organization>", asean),
                (f"<{_ORG}role>", _iri(f"role/{role}")),
                (f"<{_ORG}memberDuring>", w.period(m, joined, None)),
            ),
        )
        w.sourced(m, register)
        if joined < "2002":  # every state that joined before the first work plan
            members.append(c)

    clmv = _iri("group/clmv")
    w.many(clmv, ((_TYPE, f"<{_JAIF}CountryGroup>"), (_LABEL, _en("CLMV")), (_PREF, _en("CLMV"))))
    for alpha3 in _CLMV:
        w.add(clmv, f"<{_JAIF}includesCountry>", _iri(f"country/{alpha3}"))
    w.sourced(clmv, register)

    fund = _iri("fund/jaif")
    w.many(
        fund,
        (
            (_TYPE, f"<{_SCHEMA}FundingScheme>"),
            (_LABEL, _en("Japan-ASEAN Integration Fund")),
            (_PREF, _en("Japan-ASEAN Integration Fund")),
            (f"<{_SCHEMA}funder>", japan),
            (f"<{_JAIF}managedBy>", team),
        ),
    )
    w.sourced(fund, register)

    iai = _iri("initiative/iai")
    w.many(
        iai,
        (
            (_TYPE, f"<{_JAIF}Initiative>"),
            (_LABEL, _en("Initiative for ASEAN Integration")),
            (_PREF, _en("Initiative for ASEAN Integration")),
            (
                f"<{_JAIF}adoption>",
                _adoption(w, iai, "2000-11", "4th ASEAN Informal Summit", register),
            ),
        ),
    )
    w.sourced(iai, register)

    areas_scheme = _scheme(w, "iai-strategic-areas", "IAI strategic areas", register)
    areas = []
    for n, slug in enumerate(STRATEGIC_AREAS, start=1):
        area = _iri(f"strategic-area/{slug}")
        _concept(
            w, area, slug.replace("-", " ").capitalize(), areas_scheme, register, "StrategicArea"
        )
        w.add(area, f"<{_SKOS}notation>", f'"{n}"')
        areas.append(area)

    plans = []
    for number, roman, start, end, adopted, occasion, has_scheme in WORK_PLANS:
        plan = _iri(f"work-plan/iai-work-plan-{number}")
        label = f"IAI Work Plan {roman}"
        w.many(
            plan,
            (
                (_TYPE, f"<{_JAIF}WorkPlan>"),
                (_LABEL, _en(label)),
                (_PREF, _en(label)),
                (f"<{_DCT}isPartOf>", iai),
                (f"<{_SCHEMA}position>", _int(number)),
                (f"<{_DCT}temporal>", w.period(plan, start, end)),
                (f"<{_JAIF}adoption>", _adoption(w, plan, adopted, occasion, register)),
            ),
        )
        if has_scheme:
            w.add(plan, f"<{_JAIF}strategicAreaScheme>", areas_scheme)
        w.sourced(plan, register)
        plans.append(plan)

    project_roles = _scheme(w, "project-roles", "Roles in JAIF projects", register)
    roles = []
    for slug in PROJECT_ROLES:
        role = _iri(f"role/{slug}")
        _concept(w, role, slug.replace("-", " "), project_roles, register, "ParticipationRole")
        roles.append(role)
    status_scheme = _scheme(w, "project-status", "Project status", register)
    statuses = []
    for slug in STATUSES:
        status = _iri(f"status/{slug}")
        _concept(w, status, slug, status_scheme, register, "ProjectStatus")
        statuses.append(status)

    programme = _iri("programme/attachment-programme")
    w.many(
        programme,
        (
            (_TYPE, f"<{_JAIF}Programme>"),
            (_LABEL, _en("Attachment Programme")),
            (f"<{_JAIF}fundedThrough>", fund),
        ),
    )
    w.sourced(programme, register)
    streams = []
    for slug in STREAMS:
        stream = _iri(f"attachment-stream/{slug}")
        w.many(
            stream,
            (
                (_TYPE, f"<{_JAIF}AttachmentStream>"),
                (_LABEL, _en(f"Attachment stream: {slug.replace('-', ' ')}")),
                (f"<{_DCT}isPartOf>", programme),
            ),
        )
        for alpha3 in _CLMV:
            w.add(stream, f"<{_JAIF}beneficiary>", _iri(f"country/{alpha3}"))
        w.sourced(stream, register)
        streams.append(stream)
    return _Fixed(
        register=register,
        fund=fund,
        secretariat=secretariat,
        members=tuple(members),
        work_plans=tuple(plans),
        areas=tuple(areas),
        roles=tuple(roles),
        statuses=tuple(statuses),
        streams=tuple(streams),
    )


def _adoption(w: _Writer, owner: str, date: str, occasion: str, source: str) -> str:
    adoption = f"{owner[:-1]}#adoption>"
    w.many(
        adoption,
        (
            (_TYPE, f"<{_JAIF}Adoption>"),
            (_LABEL, _en(f"Adoption at the {occasion}")),
            (f"<{_DCT}date>", _date_literal(date)),
            (f"<{_JAIF}occasion>", _en(occasion)),
        ),
    )
    w.sourced(adoption, source)
    return adoption


def _agencies(w: _Writer, rng: random.Random, count: int, fixed: _Fixed) -> list[str]:
    agencies = []
    for k in range(count):
        agency = _iri(f"organisation/agency-{k:05d}")
        label = f"Implementing agency {k}"
        w.many(
            agency,
            (
                (_TYPE, f"<{_ORG}FormalOrganization>"),
                (_LABEL, _en(label)),
                (_PREF, _en(label)),
                (f"<{_SCHEMA}location>", rng.choice(fixed.members)),
            ),
        )
        w.sourced(agency, fixed.register)
        agencies.append(agency)
    return agencies


def _day(rng: random.Random, first: int, last: int) -> str:
    return f"{rng.randint(first, last)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _projects(
    w: _Writer, rng: random.Random, count: int, fixed: _Fixed, faults: dict[int, str]
) -> None:
    agencies = _agencies(w, rng, max(5, count // 20), fixed)
    batch_numbers = [0, 0]
    for i in range(count):
        fault = faults.get(i)
        slug = f"synthetic-{i:07d}"
        p = _iri(f"project/{slug}")
        brief = _source(
            w,
            f"project-brief-{i:07d}",
            f"Project brief {i}",
            None if fault == "source-without-url" else f"https://example.org/jaif-kg/briefs/{i}",
            # drawn for the random stream, but dated after every date it is credited with
            _day(rng, 2005, 2024) and "2030-06-30",
        )
        number = rng.randint(1, 4)
        plan = fixed.work_plans[number - 1]
        title = f"{rng.choice(_TOPICS)} on {rng.choice(_SUBJECTS)} ({i})"
        w.many(p, ((_TYPE, f"<{_JAIF}Project>"), (_LABEL, _en(title))))
        if fault != "missing-title":
            w.add(p, f"<{_DCT}title>", _en(title))
        if fault == "two-titles":
            w.add(p, f"<{_DCT}title>", _en(title + ", second edition"))
        if fault != "no-primary-source":
            w.add(p, _PRIMARY, fixed.register)
        w.add(p, _DERIVED, fixed.register)
        w.add(p, _DERIVED, brief)
        w.add(p, f"<{_JAIF}fundedThrough>", fixed.fund)
        w.add(p, f"<{_JAIF}workPlan>", plan)
        if (number >= 3 and rng.random() < 0.8) or fault == "area-outside-scheme":
            if fault == "area-outside-scheme":
                plan = fixed.work_plans[0]  # work plan I has no strategic-area scheme
                w.lines[-1] = f"{p} <{_JAIF}workPlan> {plan} .\n"
            w.add(p, f"<{_JAIF}strategicArea>", rng.choice(fixed.areas))
        for c in rng.sample(fixed.members, rng.randint(1, 4)):
            w.add(p, f"<{_JAIF}beneficiary>", c)
        if fault == "beneficiary-not-member":
            w.add(p, f"<{_JAIF}beneficiary>", _iri("country/TLS"))
        first, last = _PLAN_YEARS[number]
        if rng.random() < 0.4 or fault in ("period-ends-before-start", "instant-two-precisions"):
            begin = _day(rng, first, last)
            end = f"{int(begin[:4]) + rng.randint(1, 3)}{begin[4:]}"
            if fault == "period-ends-before-start":
                end = f"{int(begin[:4]) - 1}"
            w.add(p, f"<{_DCT}temporal>", w.period(p, begin, end))
            if fault == "instant-two-precisions":
                w.add(f"{p[:-1]}#period-start>", f"<{_TIME}inXSDgYear>", _date_literal(begin[:4]))
        for k in range(rng.randint(1, 3)):
            _participation(w, rng, p, k, agencies, fixed, brief, fault if k == 0 else None)
        for k in range(rng.randint(1, 2)):
            s = f"{p[:-1]}#status-{k}>"
            as_of = _day(rng, max(first, 2006), 2024)
            w.many(
                s,
                (
                    (_TYPE, f"<{_JAIF}StatusAssertion>"),
                    (_LABEL, _en(f"status as of {as_of}")),
                    (f"<{_JAIF}status>", rng.choice(fixed.statuses)),
                ),
            )
            if fault == "status-date-as-string" and k == 0:
                w.add(s, f"<{_JAIF}asOf>", f'"{as_of}"')
            else:
                w.add(s, f"<{_JAIF}asOf>", _typed(as_of, _XSD + "date"))
            w.sourced(s, brief)
            w.add(p, f"<{_JAIF}statusAssertion>", s)
        if fault != "missing-title" and (rng.random() < 0.5 or fault == "fact-not-asserted"):
            statement = f"{p[:-1]}#fact-title>"
            w.many(
                statement,
                (
                    (_TYPE, f"<{_RDF}Statement>"),
                    (f"<{_RDF}subject>", p),
                    (f"<{_RDF}predicate>", f"<{_DCT}title>"),
                    (
                        f"<{_RDF}object>",
                        _en(title + (" (draft)" if fault == "fact-not-asserted" else "")),
                    ),
                ),
            )
            w.sourced(statement, brief)
        if i % 40 == 39 or fault in ("duplicate-batch-number", "batch-number-zero"):
            _batch(w, rng, p, i, fixed, brief, batch_numbers, fault)
        _other_faults(w, fault, i, fixed)


def _participation(
    w: _Writer,
    rng: random.Random,
    project: str,
    k: int,
    agencies: Sequence[str],
    fixed: _Fixed,
    source: str,
    fault: str | None,
) -> None:
    part = f"{project[:-1]}#participation-{k}>"
    role = fixed.roles[k % len(fixed.roles)]
    participant = fixed.secretariat if role.endswith("monitoring>") else rng.choice(agencies)
    if fault == "role-not-a-concept":
        role = _iri("country/JPN")
    if fault == "participant-undescribed":
        participant = f"{project[:-1]}#unknown-organisation>"
        w.add(participant, _TYPE, f"<{_ORG}FormalOrganization>")
        w.sourced(participant, fixed.register)
    w.many(
        part,
        (
            (_TYPE, f"<{_JAIF}ProjectParticipation>"),
            (_LABEL, _en(f"participation {k}")),
            (f"<{_JAIF}participant>", participant),
            (f"<{_JAIF}role>", role),
        ),
    )
    w.sourced(part, source)
    w.add(project, f"<{_JAIF}participation>", part)


def _batch(
    w: _Writer,
    rng: random.Random,
    project: str,
    i: int,
    fixed: _Fixed,
    source: str,
    numbers: list[int],
    fault: str | None,
) -> None:
    which = i % 2
    numbers[which] += 1
    number = numbers[which]
    if fault == "batch-number-zero":
        number = 0
    stream = fixed.streams[which]
    year = rng.randint(2007, 2024)
    suffixes = ("", "-bis") if fault == "duplicate-batch-number" else ("",)
    for suffix in suffixes:
        _one_batch(
            w,
            rng,
            project,
            f"{stream[:-1]}/batch/{numbers[which]}{suffix}>",
            stream,
            number,
            year,
            source,
            STREAMS[which],
        )


def _one_batch(
    w: _Writer,
    rng: random.Random,
    project: str,
    batch: str,
    stream: str,
    number: int,
    year: int,
    source: str,
    stream_name: str,
) -> None:
    w.many(
        batch,
        (
            (_TYPE, f"<{_JAIF}AttachmentBatch>"),
            (_LABEL, _en(f"Batch {number} of {stream_name}")),
            (f"<{_JAIF}stream>", stream),
            (f"<{_JAIF}batchNumber>", _int(number)),
            (f"<{_JAIF}numberOfOfficers>", _int(rng.randint(4, 16))),
            (f"<{_DCT}temporal>", w.period(batch, f"{year}-02-01", f"{year + 1}-01-31")),
        ),
    )
    w.sourced(batch, source)
    w.add(project, f"<{_JAIF}includesBatch>", batch)


def _other_faults(w: _Writer, fault: str | None, i: int, fixed: _Fixed) -> None:
    """Faults on entities other than the project (each on its own new entity)."""
    if fault == "label-twice-in-english":
        org = _iri(f"organisation/twice-labelled-{i}")
        w.many(
            org,
            (
                (_TYPE, f"<{_ORG}FormalOrganization>"),
                (_LABEL, _en(f"Organisation {i}")),
                (_LABEL, _en(f"The organisation {i}")),
            ),
        )
        w.sourced(org, fixed.register)
    elif fault == "bad-alpha2":
        c = _iri(f"country/X{i}")
        w.many(c, ((_TYPE, f"<{_SCHEMA}Country>"), (_LABEL, _en(f"Country {i}"))))
        w.sourced(c, fixed.register)
        w.add(c, f"<{_SKOS}notation>", _typed("xx", _JAIF + "ISO3166Alpha2"))
        w.add(c, f"<{_SKOS}notation>", _typed("XXX", _JAIF + "ISO3166Alpha3"))
        w.add(c, f"<{_SKOS}notation>", _typed("999", _JAIF + "UNM49"))
        w.add(c, f"<{_SCHEMA}sameAs>", "<http://www.wikidata.org/entity/Q1>")
        w.add(c, f"<{_SCHEMA}sameAs>", "<https://sws.geonames.org/1/>")
    elif fault == "status-without-label":
        concept = _iri(f"status/unlabelled-{i}")
        w.many(
            concept,
            (
                (_TYPE, f"<{_SKOS}Concept>"),
                (_TYPE, f"<{_JAIF}ProjectStatus>"),
                (f"<{_SKOS}inScheme>", _iri("scheme/project-status")),
            ),
        )
        w.sourced(concept, fixed.register)


def fault_positions(projects: int, faults: int) -> dict[int, str]:
    """Which project carries which fault: ``faults`` kinds in turn, spread evenly.

    >>> fault_positions(10, 3)
    {0: 'missing-title', 3: 'two-titles', 6: 'status-date-as-string'}

    Raises:
        InputError: more faults than projects.
    """
    if faults > projects:
        raise InputError(f"--faults {faults} needs at least as many projects (got {projects})")
    if faults <= 0:
        return {}
    kinds = list(FAULT_KINDS)
    step = projects / faults
    return {int(j * step): kinds[j % len(kinds)] for j in range(faults)}


def generate(projects: int, seed: int = 0, faults: int = 0) -> bytes:
    """Synthetic data with ``projects`` projects, as N-Triples (also valid Turtle).

    Args:
        projects: number of projects (each adds about 50 triples to a fixed part of about 900).
        seed: the seed of the random choices; the same arguments give the same bytes.
        faults: number of known violations to inject (0: the data conforms to the shapes).

    >>> data = generate(2, seed=1)
    >>> data == generate(2, seed=1), data.count(b"\\n") > 800
    (True, True)

    Raises:
        InputError: a negative number of projects, or more faults than projects.
    """
    if projects < 0:
        raise InputError(f"--projects must be 0 or more, got {projects}")
    rng = random.Random(seed)
    w = _Writer()
    fixed = _fixed_part(w)
    _projects(w, rng, projects, fixed, fault_positions(projects, faults))
    return "".join(w.lines).encode("utf-8")


def count_triples(data: bytes) -> int:
    """Number of triples in :func:`generate`'s output (one a line).

    >>> count_triples(b'<a> <b> <c> .\\n<a> <b> <d> .\\n')
    2
    """
    return data.count(b"\n")


def projects_for_triples(triples: int, seed: int = 0) -> int:
    """The number of projects whose synthetic data has about ``triples`` triples (at least 0).

    Measured on two small generations (the output grows linearly with the projects).

    >>> projects_for_triples(2000)
    19
    """
    small, large = 200, 400
    a = count_triples(generate(small, seed))
    b = count_triples(generate(large, seed))
    per_project = (b - a) / (large - small)
    fixed = a - per_project * small
    return max(0, round((triples - fixed) / per_project))


def write(out: Path | str, projects: int, seed: int = 0, faults: int = 0) -> int:
    """Write :func:`generate`'s output to ``out`` (``.nt`` or ``.ttl``); returns the triples.

    Raises:
        InputError: the file name names another format, or the file cannot be written.
    """
    path = Path(out)
    if path.suffix not in (".nt", ".ttl"):
        raise InputError("write synthetic data to a .nt or .ttl file", path=str(path))
    data = generate(projects, seed, faults)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", path=str(path)) from None
    return count_triples(data)


# -- sources for imported graphs (the cross-dataset named queries) ----------------------------

#: WDI indicators of the generated downloads, the first the example of
#: ``queries/projects-with-indicator.rq``.
WDI_INDICATORS = (
    ("NY.GDP.PCAP.CD", "GDP per capita (current US$)"),
    ("SP.POP.TOTL", "Population, total"),
    ("SE.PRM.ENRR", "School enrollment, primary (% gross)"),
    ("SH.DYN.MORT", "Mortality rate, under-5 (per 1,000 live births)"),
    ("EG.ELC.ACCS.ZS", "Access to electricity (% of population)"),
    ("IT.NET.USER.ZS", "Individuals using the Internet (% of population)"),
)
#: Year columns of a WDI download (1960-2023), every one filled in the generated files.
WDI_YEARS = tuple(range(1960, 2024))
#: Triples per WDI observation (type, data set, area, period, value) and per generated IATI
#: activity (:func:`jaif_kg.imports.bench.write_iati`, measured on the importer's output).
WDI_TRIPLES_PER_OBSERVATION = 5
IATI_TRIPLES_PER_ACTIVITY = 8.1
#: The links of ``graph_data/strategic-areas.ttl`` from each strategic area to its DAC purpose
#: code (the synthetic areas have the same IRIs, without the links).
AREA_DAC_CODES = {
    "education": "11110",
    "food-and-agriculture": "31110",
    "health-and-well-being": "12110",
    "msmes": "32130",
    "trade-facilitation": "33120",
}


def made_up_codes(count: int) -> list[str]:
    """``count`` four-letter country codes no real ISO code can equal (``AAAA``, ``AAAB``...).

    >>> made_up_codes(3)
    ['AAAA', 'AAAB', 'AAAC']
    """
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return ["".join(letters[n // 26**k % 26] for k in (3, 2, 1, 0)) for n in range(count)]


def write_wdi_download(path: Path, code: str, name: str, areas: Sequence[str]) -> int:
    """A WDI CSV download of indicator ``code`` with a row per ISO3 code of ``areas`` and a
    value in every year of :data:`WDI_YEARS`; returns the values written."""
    with path.open("w", encoding="utf-8") as out:
        out.write('"Data Source","World Development Indicators",\n\n"Last Updated Date",""\n\n')
        out.write('"Country Name","Country Code","Indicator Name","Indicator Code",')
        out.write(",".join(f'"{y}"' for y in WDI_YEARS) + ",\n")
        for n, area in enumerate(areas):
            values = [f'"{(n * 37 + y) % 997 + y / 100:.2f}"' for y in WDI_YEARS]
            cells = [f'"EXAMPLE {area}"', f'"{area}"', f'"{name}"', f'"{code}"']
            out.write(",".join(cells + values) + ",\n")
    return len(areas) * len(WDI_YEARS)


@dataclass(frozen=True)
class ImportSource:
    """One generated file for ``jaif-kg import``: its kind, path and the country codes
    (ISO3, alpha-2, M49) it is checked against."""

    kind: str
    path: Path
    countries: tuple[tuple[str, str, str], ...]


def import_sources(folder: Path, triples: int) -> list[ImportSource]:
    """Files that ``jaif-kg import`` turns into about ``triples`` triples, half WDI observations
    (:data:`WDI_INDICATORS` in turn, each of the countries of :data:`COUNTRIES` and made-up
    ones, every year) and half IATI activities in the ASEAN members
    (:func:`jaif_kg.imports.bench.write_iati`)."""
    from jaif_kg.imports.bench import write_iati

    folder.mkdir(parents=True, exist_ok=True)
    real = tuple((a3, a2, m49) for a3, a2, m49, *_ in COUNTRIES)
    per_file = len(WDI_YEARS) * (len(COUNTRIES) + 250)
    observations = max(1, triples // 2 // WDI_TRIPLES_PER_OBSERVATION)
    files = min(len(WDI_INDICATORS), -(-observations // per_file))
    areas_per_file = max(len(COUNTRIES), -(-observations // files // len(WDI_YEARS)))
    made_up = made_up_codes(areas_per_file - len(COUNTRIES))
    areas = [a3 for a3, *_ in real] + made_up
    # made-up codes need no alpha-2 or M49: the WDI download names areas by ISO3
    wdi_countries = real + tuple((code, "", "") for code in made_up)
    sources = []
    for code, name in WDI_INDICATORS[:files]:
        path = folder / f"API_{code}_DS2_en_csv_v2_SYNTHETIC.csv"
        write_wdi_download(path, code, name, areas)
        sources.append(ImportSource("wdi-csv", path, wdi_countries))
    iati = folder / "iati-activities.xml"
    write_iati(iati, max(1, round(triples / 2 / IATI_TRIPLES_PER_ACTIVITY)))
    sources.append(ImportSource("iati", iati, real))
    return sources


def write_area_links(path: Path) -> int:
    """The ``skos:closeMatch`` links of :data:`AREA_DAC_CODES` as N-Triples (what
    ``queries/related-activities.rq`` follows); returns the triples."""
    lines = [
        f"{_iri('strategic-area/' + slug)} <{_SKOS}closeMatch> {_iri('dac-sector/' + code)} .\n"
        for slug, code in AREA_DAC_CODES.items()
    ]
    path.write_text("".join(lines), encoding="utf-8")
    return len(lines)
