"""Plain-English formatting of RDF values for pages: dates, numbers, plurals."""

from __future__ import annotations

import re

from rdflib import Literal

from jaif_kg.rdf.namespaces import PREFIXES

_XSD = PREFIXES["xsd"]
#: The dash between the ends of a period, with spaces (typographic convention for ranges).
EN_DASH = " \u2013 "
#: The dash between a thing and its part ("Project \u2014 Monitoring: ASEAN Secretariat").
EM_DASH = " \u2014 "
_ELLIPSIS = "\u2026"
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DATE = re.compile(r"^(-?\d{4,})-(\d{2})-(\d{2})")
_YEAR_MONTH = re.compile(r"^(-?\d{4,})-(\d{2})")
_INTEGER_TYPES = {
    _XSD + name
    for name in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "positiveInteger",
        "nonNegativeInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
    )
}


def format_date(value: str) -> str:
    """Write an ``xsd:date`` (or the date of an ``xsd:dateTime``) the way people read it.

    >>> format_date("1999-04-30")
    '30 April 1999'
    >>> format_date("2023-02-01T09:30:00+07:00")
    '1 February 2023, 09:30'
    >>> format_date("not a date")
    'not a date'
    """
    match = _DATE.match(value)
    if not match:
        return value
    year, month, day = match.groups()
    if not 1 <= int(month) <= 12:
        return value
    text = f"{int(day)} {MONTHS[int(month) - 1]} {int(year)}"
    rest = value[match.end() :]
    if rest.startswith("T") and len(rest) >= 6:
        text += f", {rest[1:6]}"
    return text


def format_year_month(value: str) -> str:
    """Write an ``xsd:gYearMonth``.

    >>> format_year_month("2012-07")
    'July 2012'
    """
    match = _YEAR_MONTH.match(value)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return value
    return f"{MONTHS[int(match.group(2)) - 1]} {int(match.group(1))}"


def format_literal(literal: Literal) -> str:
    """Write a literal for a person: dates in words, numbers with separators, yes/no.

    >>> from rdflib import XSD
    >>> format_literal(Literal("1999-04-30", datatype=XSD.date))
    '30 April 1999'
    >>> format_literal(Literal("7500000000", datatype=XSD.integer))
    '7,500,000,000'
    >>> format_literal(Literal("true", datatype=XSD.boolean))
    'yes'
    >>> format_literal(Literal("2002", datatype=XSD.gYear))
    '2002'
    >>> format_literal(Literal("Cambodia", lang="en"))
    'Cambodia'
    """
    text = str(literal)
    datatype = str(literal.datatype) if literal.datatype is not None else ""
    if datatype in (_XSD + "date", _XSD + "dateTime", _XSD + "dateTimeStamp"):
        return format_date(text)
    if datatype == _XSD + "gYearMonth":
        return format_year_month(text)
    if datatype == _XSD + "gYear":
        return text.lstrip("0") or text
    if datatype in _INTEGER_TYPES:
        try:
            return f"{int(text):,}"
        except ValueError:
            return text
    if datatype == _XSD + "boolean":
        return {"true": "yes", "1": "yes", "false": "no", "0": "no"}.get(text, text)
    return text


def format_period(begin: Literal | None, end: Literal | None) -> str:
    """Summarise a period from its beginning and end.

    >>> from rdflib import XSD
    >>> format_period(Literal("1999-04-30", datatype=XSD.date), None)
    'from 30 April 1999'
    >>> start = Literal("2023-02-01", datatype=XSD.date)
    >>> end = Literal("2024-01", datatype=XSD.gYearMonth)
    >>> format_period(start, end) == f"1 February 2023{EN_DASH}January 2024"
    True
    >>> format_period(None, None)
    ''
    """
    if begin is not None and end is not None:
        return f"{format_literal(begin)}{EN_DASH}{format_literal(end)}"
    if begin is not None:
        return f"from {format_literal(begin)}"
    if end is not None:
        return f"until {format_literal(end)}"
    return ""


def plural(noun: str) -> str:
    """The plural of an English noun phrase (its last word), good enough for headings.

    >>> plural("attachment batch"), plural("country"), plural("membership"), plural("work plan")
    ('attachment batches', 'countries', 'memberships', 'work plans')
    >>> plural("status")
    'statuses'
    """
    if not noun:
        return noun
    if re.search(r"(s|x|z|ch|sh)$", noun):
        return noun + "es"
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    return noun + "s"


def capitalise(text: str) -> str:
    """Upper-case the first letter only (``ISO code`` stays, ``member state`` -> ``Member state``).

    >>> capitalise("member state")
    'Member state'
    """
    return text[:1].upper() + text[1:]


def shorten(text: str, limit: int = 70) -> str:
    """Cut ``text`` at a word boundary to at most ``limit`` characters, with an ellipsis.

    >>> shorten("Training on Writing Business Plan for Entrepreneurs", 30)
    'Training on Writing Business\u2026'
    >>> shorten("Cambodia")
    'Cambodia'
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + _ELLIPSIS


def decapitalise(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym.

    >>> decapitalise("Country"), decapitalise("JAIF project")
    ('country', 'JAIF project')
    """
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders numbers by value ("2nd batch" before "12th batch").

    >>> sorted(["12th batch", "2nd batch", "1st batch"], key=natural_key)
    ['1st batch', '2nd batch', '12th batch']
    """
    parts = re.split(r"(\d+)", text.lower())
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)
