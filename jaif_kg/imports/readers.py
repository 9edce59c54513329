"""The readers: each checks one kind of input and writes the tables its mapping reads.

A reader is where bad input is found, with the file and the row (or line) at fault: a layout that
is not the one its mapping expects, a country code the graph does not describe, a value that is
not a number. It writes what the mapping needs into ``workdir`` (CSV tables, or the JSON records to
map) and returns a :class:`Prepared`; the engine (:mod:`jaif_kg.imports.engine`) does the rest.
Nothing is written to any store here.

Every kind is held to the same rules: a number is written as
:data:`DECIMAL_PATTERN` allows (no ``1_000``, ``nan`` or ``Infinity``, which Python's ``Decimal``
takes); a country code is written as ISO 3166 writes it (upper case: ``khm`` is refused, naming
``KHM``); a row (record, activity) that says again what an earlier one said (the same country and
year, the same activity) is refused with both places, since RDF would silently merge the two; a
file without any data row is refused, since importing it would empty its graph.

Country codes that the graph does not describe (World Bank aggregates such as ``EAS`` or ``WLD``,
a regional IATI recipient) are an error, unless ``skip_unknown``: then their rows (an IATI
activity's link to that country) are left out and counted by code.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO
from xml.etree import ElementTree as ET
from xml.parsers import expat

from jaif_kg.errors import InputError
from jaif_kg.imports.countries import CountryTable
from jaif_kg.rdf.files import document_iri, read_input

#: Columns of the World Bank indicator CSV before the years.
WDI_COLUMNS = ("Country Name", "Country Code", "Indicator Name", "Indicator Code")
#: Lines of a WDI CSV searched for its header (the download has 4 metadata lines before it).
WDI_HEADER_SEARCH = 10
#: The attribute of an element's language, as expat names it without namespace processing.
XML_LANG = "xml:lang"
#: Column names taken for the country column of a generic CSV when ``--key`` is not given.
KEY_NAMES: tuple[str, ...] = ("iso3", "iso_a3", "alpha3", "alpha-3", "iso2", "iso_a2", "alpha2")
KEY_NAMES += ("alpha-2", "m49", "country code", "country_code", "countrycode", "country", "code")
#: A number as every reader takes it: the lexical space of ``xsd:decimal`` (XSD 1.1 part 2,
#: section 3.3.3, https://www.w3.org/TR/xmlschema11-2/#decimal) plus an exponent, which the WDI
#: download writes (``1.5e-05``). Python's ``Decimal`` is laxer (``1_000``, ``nan``, ``Infinity``).
DECIMAL_PATTERN = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"


@dataclass
class Prepared:
    """What a reader found and wrote.

    Attributes:
        mapping: the shipped mapping to run.
        tables: placeholder -> file (or value) for the mapping.
        graph_name: the graph's name below ``{base}graph/`` (``wdi-ny-gdp-pcap-cd``, ``iati``).
        title: what the import is, in words (the data set's or the file's name).
        rows: data rows (records, activities) read.
        mapped: rows that become RDF (observations, activities, cells).
        skipped: unknown country code -> rows left out (with ``skip_unknown``).
    """

    mapping: str
    tables: dict[str, str]
    graph_name: str
    title: str
    rows: int = 0
    mapped: int = 0
    skipped: Counter[str] = field(default_factory=Counter)


class _Table:
    """A CSV table for the engine, written as rows come."""

    def __init__(self, path: Path, header: tuple[str, ...]) -> None:
        self.path = path
        self._file: TextIO = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow(header)
        self.rows = 0

    def add(self, *values: str) -> None:
        self._writer.writerow(values)
        self.rows += 1

    def close(self) -> str:
        self._file.close()
        return str(self.path)


def _text(path: Path) -> str:
    """The file as text (UTF-8, a byte-order mark dropped)."""
    data = read_input(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text (byte {exc.start})", path=str(path), line=line) from None


def decimal_text(value: str | Decimal | int) -> str | None:
    """``value`` as the lexical form of an ``xsd:decimal``, or ``None`` if it is no number
    (text must match :data:`DECIMAL_PATTERN`).

    >>> decimal_text("1.5e-05"), decimal_text(" 12.50 "), decimal_text(Decimal("3E+2"))
    ('0.000015', '12.50', '300')
    >>> [decimal_text(v) for v in ("n/a", "nan", "1_000", "Infinity", "0x10", True)]
    [None, None, None, None, None, None]
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not re.fullmatch(DECIMAL_PATTERN, value.strip()):
            return None
        value = value.strip()
    try:
        number = value if isinstance(value, Decimal) else Decimal(value)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return format(number, "f")


def graph_slug(text: str) -> str:
    """A graph name's last part: lower case, dots and other signs as dashes.

    >>> graph_slug("NY.GDP.PCAP.CD"), graph_slug("My data (2024)")
    ('ny-gdp-pcap-cd', 'my-data-2024')
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "data"


def _csv_rows(text: str, where: str) -> Iterator[tuple[int, list[str]]]:
    r"""The rows of a CSV text with the line each starts on (a quoted cell may span lines).

    Strict: an unterminated quote or text after a closing quote is an error, not a guess.

    >>> list(_csv_rows('a,b\n"x\ny",2\n', "f.csv"))
    [(1, ['a', 'b']), (2, ['x\ny', '2'])]
    """
    reader = csv.reader(io.StringIO(text), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(
                f"not CSV: {exc} (a quote opened on this line is not closed?)",
                path=where,
                line=start,
            ) from None
        yield start, row


def _no_extra_cells(row: list[str], header: list[str], where: str, line: int) -> None:
    """Raise if ``row`` has a non-empty cell in a column the header does not name (beyond its
    end, or under an empty name such as the WDI download's trailing comma)."""
    for i, cell in enumerate(row):
        if cell.strip() and (i >= len(header) or not header[i].strip()):
            raise InputError(
                f"a value in column {i + 1}, which the header does not name (the row has "
                f"{len(row)} cells, the header {len(header)})",
                path=where,
                line=line,
            )


def _first_place(
    seen: dict[Any, str], key: Any, here: str, what: str, where: str, line: int | None
) -> None:
    """Remember where ``key`` was first seen; raise if it was seen before."""
    if key in seen:
        raise InputError(f"{what} again (first at {seen[key]})", path=where, line=line)
    seen[key] = here


def _unknown(
    code: str,
    countries: CountryTable,
    skip: bool,
    prepared: Prepared,
    where: tuple[str, int | None],
) -> None:
    """Count an unknown country code, or raise for it (a code in lower case is refused with the
    upper-case code it would be: ISO 3166 codes are upper case, and guessing is not our place)."""
    path, line = where
    if code != code.upper() and countries.iso3(code.upper()) is not None:
        raise InputError(
            f"country code {code!r} is not upper case: ISO 3166 writes it {code.upper()!r}",
            path=path,
            line=line,
        )
    if skip:
        prepared.skipped[code or "(empty)"] += 1
        return
    raise InputError(
        f"unknown country code {code!r}: not a country of the graph (it has {len(countries)}; "
        "--skip-unknown leaves such rows out)",
        path=path,
        line=line,
    )


# -- World Bank WDI, CSV download ------------------------------------------------------------------


def _wdi_header(
    rows: Iterator[tuple[int, list[str]]], path: Path
) -> tuple[list[str], int, list[tuple[int, str]]]:
    """The header of a WDI CSV, its line and its year columns, searched in the first lines.

    Every column after the four named ones must be a year (four digits), each once, or have no
    name (the download ends each line with a comma).
    """
    where = str(path)
    for line, row in rows:
        if row[: len(WDI_COLUMNS)] == list(WDI_COLUMNS):
            years: list[tuple[int, str]] = []
            first: dict[str, str] = {}
            for i, name in enumerate(row[len(WDI_COLUMNS) :], len(WDI_COLUMNS)):
                name = name.strip()
                if not name:
                    continue
                if not re.fullmatch(r"\d{4}", name):
                    raise InputError(
                        f"column {i + 1} {name!r} is neither a year (four digits) nor one of "
                        f"{', '.join(WDI_COLUMNS)}",
                        path=where,
                        line=line,
                    )
                _first_place(first, name, f"column {i + 1}", f"year column {name}", where, line)
                years.append((i, name))
            if not years:
                raise InputError(
                    "not a World Bank WDI indicator CSV: no year columns", path=where, line=line
                )
            return row, line, years
        if line >= WDI_HEADER_SEARCH:
            break
    raise InputError(
        "not a World Bank WDI indicator CSV: no header line starting "
        f"{','.join(WDI_COLUMNS)} in its first {WDI_HEADER_SEARCH} lines",
        path=where,
    )


def read_wdi_csv(
    path: Path,
    workdir: Path,
    countries: CountryTable,
    *,
    skip_unknown: bool = False,
    source: str | None = None,
) -> Prepared:
    """Check a World Bank indicator CSV (``API_<CODE>_DS2_en_csv``: metadata lines, then
    ``Country Name,Country Code,Indicator Name,Indicator Code,1960,...``) and write one row per
    non-empty year: ``code,iso3,year,value``.

    Raises:
        InputError: no such header, no year column, a column that is no year, a year twice,
            not CSV (an unclosed quote), a row longer than the header, several indicators in one
            file, a country twice, an unknown country code (unless ``skip_unknown``), a value
            that is not a number, no data row (file and line).
    """
    where = str(path)
    rows = _csv_rows(_text(path), where)
    header, header_line, years = _wdi_header(rows, path)
    observations = _Table(workdir / "observations.csv", ("code", "iso3", "year", "value"))
    prepared = Prepared("wdi-csv", {}, "", "")
    code = name = ""
    first: dict[str, str] = {}
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(WDI_COLUMNS):
            raise InputError(
                f"a row of {len(row)} fields, expected {len(header)}", path=where, line=line
            )
        _no_extra_cells(row, header, where, line)
        prepared.rows += 1
        row_code, row_name = row[3].strip(), row[2].strip()
        if not code:
            code, name = row_code, row_name
        elif row_code != code:
            raise InputError(
                f"a second indicator {row_code!r} (the file's first is {code!r}): import one "
                "indicator per file",
                path=where,
                line=line,
            )
        iso3 = countries.iso3(row[1], "alpha3")
        if iso3 is None:
            _unknown(row[1].strip(), countries, skip_unknown, prepared, (where, line))
            continue
        _first_place(first, iso3, f"line {line}", f"country {iso3} of {code}", where, line)
        for column, year in years:
            cell = row[column].strip() if column < len(row) else ""
            if not cell:
                continue
            value = decimal_text(cell)
            if value is None:
                raise InputError(
                    f"{year}: {cell!r} is not a number (column {column + 1})", path=where, line=line
                )
            observations.add(code, iso3, year, value)
    if not code:
        raise InputError(
            "a World Bank WDI indicator CSV without any data row after its header",
            path=where,
            line=header_line,
        )
    prepared.mapped = observations.rows
    dataset = _Table(workdir / "dataset.csv", ("code", "name", "source"))
    dataset.add(code, name, source or document_iri(path))
    prepared.tables = {"observations": observations.close(), "dataset": dataset.close()}
    prepared.graph_name = "wdi-" + graph_slug(code)
    prepared.title = f"World Bank WDI {code}: {name}"
    return prepared


# -- World Bank WDI, API JSON ----------------------------------------------------------------------


def read_wdi_json(
    path: Path,
    workdir: Path,
    countries: CountryTable,
    *,
    skip_unknown: bool = False,
    source: str | None = None,
) -> Prepared:
    """Check a World Bank indicator API answer (``[ {page...}, [ {indicator: {id, value},
    countryiso3code, date, value...} ] ]``) and write the records to map, in the same layout.

    Records are numbered from 1 in messages (JSON has no rows). A record whose ``value`` is null
    is no observation.

    Raises:
        InputError: not JSON, not that layout, a record without its fields, several indicators,
            a date that is not a year, a second record of one country and year (null or not),
            an unknown country code (unless ``skip_unknown``), no record.
    """
    where = str(path)
    try:
        document = json.loads(_text(path), parse_float=Decimal, parse_int=Decimal)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not JSON: {exc.msg} (column {exc.colno})", path=where, line=exc.lineno
        ) from None
    if not (
        isinstance(document, list)
        and len(document) == 2
        and isinstance(document[0], dict)
        and isinstance(document[1], list)
    ):
        raise InputError(
            "not a World Bank API indicator answer: expected [ {page...}, [ {indicator, "
            "countryiso3code, date, value...} ] ]",
            path=where,
        )
    prepared = Prepared("wdi-json", {}, "", "")
    code = name = ""
    records: list[dict[str, Any]] = []
    first: dict[tuple[str, str], str] = {}
    for number, record in enumerate(document[1], start=1):
        at = f"record {number}"
        prepared.rows += 1
        indicator = record.get("indicator") if isinstance(record, dict) else None
        if not isinstance(indicator, dict) or not isinstance(indicator.get("id"), str):
            raise InputError(f"{at}: no indicator.id", path=where)
        missing = [k for k in ("countryiso3code", "date", "value") if k not in record]
        if missing:
            raise InputError(f"{at}: no {', '.join(missing)}", path=where)
        if not code:
            code, name = indicator["id"], str(indicator.get("value") or indicator["id"])
        elif indicator["id"] != code:
            raise InputError(
                f"{at}: a second indicator {indicator['id']!r} (the file's first is {code!r}): "
                "import one indicator per file",
                path=where,
            )
        date = str(record["date"])
        code_seen = str(record["countryiso3code"] or "")
        if code_seen:  # the API leaves it empty for some aggregates: those are unknown anyway
            _first_place(
                first, (code_seen, date), at, f"{at}: {code_seen} {date} of {code}", where, None
            )
        if record["value"] is None:
            continue
        iso3 = countries.iso3(code_seen, "alpha3")
        if iso3 is None:
            if code_seen != code_seen.upper() and countries.iso3(code_seen.upper(), "alpha3"):
                raise InputError(
                    f"{at}: country code {code_seen!r} is not upper case: ISO 3166 writes it "
                    f"{code_seen.upper()!r}",
                    path=where,
                )
            if not skip_unknown:
                raise InputError(
                    f"{at}: unknown country code {code_seen!r}: not a country of the graph "
                    "(--skip-unknown leaves such rows out)",
                    path=where,
                )
            prepared.skipped[code_seen or "(empty)"] += 1
            continue
        if not re.fullmatch(r"\d{4}", date):
            raise InputError(f"{at}: date {date!r} is not a year", path=where)
        value = decimal_text(record["value"])
        if value is None:
            raise InputError(f"{at}: value {record['value']!r} is not a number", path=where)
        records.append(
            {"indicator": {"id": code}, "countryiso3code": iso3, "date": date, "value": value}
        )
    if not code:
        raise InputError("a World Bank API indicator answer without any record", path=where)
    prepared.mapped = len(records)
    out = workdir / "records.json"
    out.write_text(json.dumps([{}, records]), encoding="utf-8")
    dataset = _Table(workdir / "dataset.csv", ("code", "name", "source"))
    dataset.add(code, name, source or document_iri(path))
    prepared.tables = {"records": str(out), "dataset": dataset.close()}
    prepared.graph_name = "wdi-" + graph_slug(code)
    prepared.title = f"World Bank WDI {code}: {name}"
    return prepared


# -- IATI 2.03 activities --------------------------------------------------------------------------


def _parse_xml(data: bytes, where: str) -> tuple[ET.Element, dict[ET.Element, int]]:
    """The XML document's root element, and the line where each ``iati-activity`` starts.

    Expat without namespace processing: names stay as written (``xml:lang``). IATI 2.03 XML is
    in no namespace and has no DTD, so a default namespace (``xmlns="..."``) anywhere and any
    ``<!DOCTYPE>`` are refused: an entity is never expanded (an external one would be dropped
    silently by expat, and an internal one can blow up), nor fetched.
    """
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate()
    lines: dict[ET.Element, int] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if attrs.get("xmlns"):
            raise InputError(
                f"<{tag}> is in the namespace {attrs['xmlns']!r}: IATI activity XML is in none",
                path=where,
                line=parser.CurrentLineNumber,
            )
        element = builder.start(tag, attrs)
        if tag == "iati-activity":
            lines[element] = parser.CurrentLineNumber

    def doctype(*_: object) -> None:
        raise InputError(
            "a document type declaration (<!DOCTYPE ...>): IATI activity XML has none, and "
            "its entities are not read",
            path=where,
            line=parser.CurrentLineNumber,
        )

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        message = expat.errors.messages.get(exc.code, str(exc))
        raise InputError(f"not well-formed XML: {message}", path=where, line=exc.lineno) from None
    return builder.close(), lines


def _narrative(element: ET.Element | None) -> str:
    """The first non-empty narrative of an element (its own text in IATI 1.x style), or ''."""
    if element is None:
        return ""
    for narrative in element.findall("narrative"):
        if (narrative.text or "").strip():
            return (narrative.text or "").strip()
    return (element.text or "").strip()


def read_iati(
    path: Path,
    workdir: Path,
    countries: CountryTable,
    *,
    skip_unknown: bool = False,
    source: str | None = None,
) -> Prepared:
    """Check IATI 2.03 activity XML (root ``iati-activities``) and extract the tables of the
    ``iati`` mapping (see its header). Sectors of another vocabulary than 1 (DAC 5-digit) are
    left out.

    Raises:
        InputError: not XML (line), a DTD, a namespace, another root element, no activity,
            an activity without ``iati-identifier`` or ``reporting-org/@ref``, an
            ``iati-identifier`` twice, a DAC sector code that is not five digits, an unknown
            recipient country (unless ``skip_unknown``): file and line.
    """
    del source  # the activities name their own publisher
    where = str(path)
    root, lines = _parse_xml(read_input(path), where)
    if root.tag != "iati-activities":
        raise InputError(
            f"not IATI activity XML: the root element is <{root.tag}>, expected <iati-activities>",
            path=where,
            line=1,
        )
    t = {
        "activities": _Table(workdir / "activities.csv", ("id", "org")),
        "organisations": _Table(workdir / "organisations.csv", ("ref", "name")),
        "titles": _Table(workdir / "titles.csv", ("id", "text", "lang")),
        "plain_titles": _Table(workdir / "plain-titles.csv", ("id", "text")),
        "recipients": _Table(workdir / "recipients.csv", ("id", "iso3")),
        "sectors": _Table(workdir / "sectors.csv", ("id", "code", "group")),
    }
    prepared = Prepared("iati", {}, "iati", f"IATI activities of {path.name}")
    organisations: dict[str, str] = {}
    first: dict[str, str] = {}
    for activity in root.iter("iati-activity"):
        line = lines.get(activity)
        prepared.rows += 1
        identifier = (activity.findtext("iati-identifier") or "").strip()
        if not identifier:
            raise InputError("an iati-activity without iati-identifier", path=where, line=line)
        _first_place(
            first, identifier, f"line {line}", f"iati-identifier {identifier}", where, line
        )
        org = activity.find("reporting-org")
        ref = (org.get("ref") or "").strip() if org is not None else ""
        if not ref:
            raise InputError(f"{identifier}: no reporting-org/@ref", path=where, line=line)
        t["activities"].add(identifier, ref)
        if ref not in organisations:
            organisations[ref] = _narrative(org)
            if organisations[ref]:
                t["organisations"].add(ref, organisations[ref])
        default_lang = activity.get(XML_LANG) or root.get(XML_LANG) or ""
        title = activity.find("title")
        for narrative in title.findall("narrative") if title is not None else []:
            text = (narrative.text or "").strip()
            lang = narrative.get(XML_LANG) or default_lang
            if lang and not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", lang):
                raise InputError(
                    f"{identifier}: xml:lang {lang!r} is not a language tag", path=where, line=line
                )
            if text and lang:
                t["titles"].add(identifier, text, lang)
            elif text:
                t["plain_titles"].add(identifier, text)
        for recipient in activity.findall("recipient-country"):
            code = (recipient.get("code") or "").strip()
            iso3 = countries.iso3(code, "alpha2")
            if iso3 is None:
                _unknown(code, countries, skip_unknown, prepared, (where, line))
                continue
            t["recipients"].add(identifier, iso3)
        for sector in activity.findall("sector"):
            if sector.get("vocabulary", "1").strip() not in ("1", ""):
                continue
            code = (sector.get("code") or "").strip()
            if not re.fullmatch(r"\d{5}", code):
                raise InputError(
                    f"{identifier}: sector code {code!r} is not a DAC 5-digit purpose code",
                    path=where,
                    line=line,
                )
            t["sectors"].add(identifier, code, code[:3])
        prepared.mapped += 1
    if prepared.rows == 0:
        raise InputError("IATI activity XML without any iati-activity", path=where)
    prepared.tables = {name: table.close() for name, table in t.items()}
    return prepared


# -- a generic CSV keyed by country ----------------------------------------------------------------


def read_csv(
    path: Path,
    workdir: Path,
    countries: CountryTable,
    *,
    namespace: str,
    key: str | None = None,
    skip_unknown: bool = False,
) -> Prepared:
    r"""Check a CSV with one column naming the country (ISO alpha-2, alpha-3 or M49: ``key``, or
    the first column called like one of :data:`KEY_NAMES`) and write each non-empty cell of the
    other columns as ``iso3,column,value``, in one table per kind of value.

    A value is an integer (``[+-]?\d+``), else a decimal if it matches :data:`DECIMAL_PATTERN`
    (written without exponent), else text.

    Raises:
        InputError: no header, a column name twice, no such key column, not CSV (an unclosed
            quote), a row longer than the header, a country twice, an unknown country code
            (unless ``skip_unknown``), no data row: file and line.
    """
    where = str(path)
    rows = _csv_rows(_text(path), where)
    header_line, header = next(rows, (1, []))
    header = [name.strip() for name in header]
    if not any(header):
        raise InputError("an empty CSV: the first line must name the columns", path=where, line=1)
    names: dict[str, str] = {}
    for i, column_name in enumerate(header):
        if column_name:
            what = f"column name {column_name!r}"
            _first_place(names, column_name, f"column {i + 1}", what, where, header_line)
    if key is not None:
        if key not in header:
            raise InputError(
                f"no column {key!r} (the columns: {', '.join(header)})", path=where, line=1
            )
        key_at = header.index(key)
    else:
        found = [i for i, name in enumerate(header) if name.lower() in KEY_NAMES]
        if not found:
            raise InputError(
                "no country column (name it with --key; found: " + ", ".join(header) + ")",
                path=where,
                line=1,
            )
        key_at = found[0]
    tables = {
        kind: _Table(workdir / f"{kind}.csv", ("iso3", "column", "value"))
        for kind in ("integers", "decimals", "texts")
    }
    prepared = Prepared("csv", {}, "csv-" + graph_slug(path.stem), f"CSV {path.name}")
    first: dict[str, str] = {}
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        _no_extra_cells(row, header, where, line)
        prepared.rows += 1
        code = row[key_at].strip() if key_at < len(row) else ""
        iso3 = countries.iso3(code)
        if iso3 is None:
            _unknown(code, countries, skip_unknown, prepared, (where, line))
            continue
        _first_place(first, iso3, f"line {line}", f"country {iso3}", where, line)
        for column, cell in enumerate(row):
            value = cell.strip()
            if column == key_at or column >= len(header) or not value or not header[column]:
                continue
            if re.fullmatch(r"[+-]?\d+", value):
                tables["integers"].add(iso3, header[column], value)
            elif (number := decimal_text(value)) is not None:
                tables["decimals"].add(iso3, header[column], number)
            else:
                tables["texts"].add(iso3, header[column], value)
        prepared.mapped += 1
    if prepared.rows == 0:
        raise InputError(
            "a CSV without any data row after its header", path=where, line=header_line
        )
    prepared.tables = {kind: table.close() for kind, table in tables.items()}
    prepared.tables["namespace"] = namespace
    return prepared
