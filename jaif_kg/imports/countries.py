"""The countries of the graph, found by the codes imports name them by.

A country of the graph is a resource ``{base}id/country/{ISO3}`` with typed codes
(``skos:notation "KH"^^jaif:ISO3166Alpha2``, ``"KHM"^^jaif:ISO3166Alpha3``, ``"116"^^jaif:UNM49``,
see ``graph_data/countries.ttl``). Imports check every code against this table, so that no
observation or activity points at a country the graph does not describe.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from jaif_kg.rdf.files import load_oxigraph
from jaif_kg.rdf.namespaces import DEFAULT_BASE

#: The schemes a country code can be written in.
SCHEMES = ("alpha2", "alpha3", "m49")

_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?country ?code ?type WHERE {
  ?country skos:notation ?code .
  BIND(DATATYPE(?code) AS ?type)
  FILTER(STRSTARTS(STR(?country), "%s"))
}
"""


@dataclass(frozen=True)
class CountryTable:
    """ISO3 codes of the graph's countries, by each code that names them.

    Attributes:
        by_alpha2: ``"KH"`` -> ``"KHM"``.
        by_alpha3: ``"KHM"`` -> ``"KHM"``.
        by_m49: ``"116"`` -> ``"KHM"`` (three digits, zero-padded).
    """

    by_alpha2: Mapping[str, str] = field(default_factory=dict)
    by_alpha3: Mapping[str, str] = field(default_factory=dict)
    by_m49: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[tuple[str, str, str]]) -> CountryTable:
        """A table from ``(iso3, alpha2, m49)`` rows (what tests and the benchmark make).

        >>> CountryTable.of([("KHM", "KH", "116")]).iso3("KH")
        'KHM'
        """
        rows = list(rows)
        return cls(
            by_alpha2={a2: a3 for a3, a2, _ in rows},
            by_alpha3={a3: a3 for a3, _, _ in rows},
            by_m49={m49: a3 for a3, _, m49 in rows},
        )

    def __len__(self) -> int:
        return len(self.by_alpha3)

    def iso3(self, code: str, scheme: str | None = None) -> str | None:
        """The ISO3 code of the country ``code`` names (in ``scheme``, or guessed from its form:
        two letters alpha-2, three letters alpha-3, digits M49); ``None`` if none.

        Codes are matched as ISO 3166 writes them, in upper case: ``"khm"`` names no country
        (the readers say which code was meant).

        >>> t = CountryTable.of([("KHM", "KH", "116"), ("BRN", "BN", "096")])
        >>> t.iso3("BN"), t.iso3("96"), t.iso3("KHM"), t.iso3("EAS"), t.iso3("khm")
        ('BRN', 'BRN', 'KHM', None, None)
        """
        code = code.strip()
        scheme = scheme or scheme_of(code)
        if scheme == "alpha2":
            return self.by_alpha2.get(code)
        if scheme == "alpha3":
            return self.by_alpha3.get(code)
        if scheme == "m49" and code.isdigit():
            return self.by_m49.get(code.zfill(3))
        return None


def scheme_of(code: str) -> str | None:
    """The scheme a code is written in, from its form.

    >>> scheme_of("KH"), scheme_of("khm"), scheme_of("116"), scheme_of("K1")
    ('alpha2', 'alpha3', 'm49', None)
    """
    if re.fullmatch(r"[A-Za-z]{2}", code):
        return "alpha2"
    if re.fullmatch(r"[A-Za-z]{3}", code):
        return "alpha3"
    if re.fullmatch(r"[0-9]{1,3}", code):
        return "m49"
    return None


def country_table(paths: Iterable[Path], *, base: str = DEFAULT_BASE) -> CountryTable:
    """The countries described in the RDF files ``paths`` (the shipped graph), under ``base``.

    Raises:
        jaif_kg.errors.InputError: a file does not parse.
    """
    store = load_oxigraph(paths, base=base)
    prefix = base + "id/country/"
    by: dict[str, dict[str, str]] = {"alpha2": {}, "alpha3": {}, "m49": {}}
    kinds = {"ISO3166Alpha2": "alpha2", "ISO3166Alpha3": "alpha3", "UNM49": "m49"}
    for row in store.query(_QUERY % prefix):  # type: ignore[union-attr]
        iso3 = str(row["country"].value)[len(prefix) :]
        kind = kinds.get(str(row["type"].value).rsplit("#", 1)[-1])
        if kind:
            by[kind][str(row["code"].value).upper()] = iso3
    return CountryTable(by["alpha2"], by["alpha3"], by["m49"])
