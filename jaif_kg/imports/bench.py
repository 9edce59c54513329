"""How fast ``jaif-kg import`` is: generated WDI-like CSV and IATI XML, converted and put into an
embedded store, with rows/s and peak memory (for :mod:`jaif_kg.bench`).

Run it: ``python -m jaif_kg.imports.bench [ROWS] [ACTIVITIES] [YEARS]`` (default 100000, 10000
and 1 filled year per row).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from jaif_kg.imports import CountryTable, convert, import_into
from jaif_kg.store.oxigraph import OxigraphStore

#: Year columns of the generated WDI CSV (the download has 1960-2023).
YEARS = tuple(range(1960, 2024))


@dataclass(frozen=True)
class ImportMeasure:
    """One measured import.

    Attributes:
        kind: what was imported.
        rows: rows (activities) in the file.
        observations: rows that became RDF (observations, activities).
        triples: triples made.
        convert_seconds: reading, mapping and parsing the engine's output.
        store_seconds: replacing the graph in an on-disk store.
        peak_rss_mib: the peak resident memory of this process so far (the engine's is apart:
            a forked child's count starts from its parent's, so it is not told here).
    """

    kind: str
    rows: int
    observations: int
    triples: int
    convert_seconds: float
    store_seconds: float
    peak_rss_mib: float

    @property
    def rows_per_second(self) -> float:
        """Rows of the file per second, conversion and store together."""
        return self.rows / (self.convert_seconds + self.store_seconds)


def synthetic_countries(count: int) -> CountryTable:
    """``count`` made-up countries for big files (four-letter "alpha-3" codes ``AAAA``, ``AAAB``...,
    up to 26**4 of them: no real code can clash).

    >>> synthetic_countries(2).iso3("AAAB", "alpha3")
    'AAAB'
    """
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    rows = []
    for n in range(count):
        code = "".join(letters[n // 26**k % 26] for k in (3, 2, 1, 0))
        rows.append((code, code[2:], str(n % 1000).zfill(3)))
    return CountryTable.of(rows)


def write_wdi_csv(path: Path, rows: int, filled_years: int = 10) -> None:
    """A WDI download of ``rows`` countries (:func:`synthetic_countries`), each with
    ``filled_years`` non-empty years of the last ones (the rest empty, as in the real files)."""
    table = synthetic_countries(rows)
    codes = sorted(table.by_alpha3)
    with path.open("w", encoding="utf-8") as out:
        out.write('"Data Source","World Development Indicators",\n\n"Last Updated Date",""\n\n')
        out.write('"Country Name","Country Code","Indicator Name","Indicator Code",')
        out.write(",".join(f'"{y}"' for y in YEARS) + ",\n")
        empty = ['""'] * (len(YEARS) - filled_years)
        for n, code in enumerate(codes):
            values = [f'"{n % 997 + y / 10:.2f}"' for y in range(filled_years)]
            cells = [f'"EXAMPLE {code}"', f'"{code}"', '"EXAMPLE indicator"', '"EX.AMPLE"']
            out.write(",".join(cells + empty + values) + ",\n")


def write_iati(path: Path, activities: int) -> None:
    """IATI XML of ``activities`` activities, each with a title, two recipients, two sectors."""
    countries = ("KH", "LA", "MM", "VN", "TH", "PH")
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n')
        for n in range(activities):
            out.write(
                f'<iati-activity xml:lang="en"><iati-identifier>XM-EXAMPLE-1-{n}</iati-identifier>'
                '<reporting-org ref="XM-EXAMPLE-1"><narrative>EXAMPLE Org</narrative>'
                f"</reporting-org><title><narrative>EXAMPLE activity {n}</narrative></title>"
                f'<recipient-country code="{countries[n % 6]}"/>'
                f'<recipient-country code="{countries[(n + 1) % 6]}"/>'
                f'<sector code="{11110 + n % 50}"/><sector vocabulary="1" code="15110"/>'
                "</iati-activity>\n"
            )
        out.write("</iati-activities>\n")


def _peak() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_import(
    kind: str, path: Path, countries: CountryTable, rows: int, workdir: Path
) -> ImportMeasure:
    """Convert ``path`` and replace its graph in a new on-disk store under ``workdir``."""
    conversion = convert(kind, path, countries)
    store = OxigraphStore(workdir / f"store-{kind}")
    started = time.perf_counter()
    try:
        import_into(store, conversion)
    finally:
        store.close()
    return ImportMeasure(
        kind,
        rows,
        conversion.mapped,
        len(conversion.quads),
        conversion.seconds,
        time.perf_counter() - started,
        _peak(),
    )


def measure(
    rows: int = 100_000, activities: int = 10_000, filled_years: int = 1
) -> list[ImportMeasure]:
    """Import ``rows`` rows of generated WDI CSV (``filled_years`` non-empty years each) and
    ``activities`` IATI activities.

    Peak memory is of the whole process so far (run each size in a fresh process for exact
    figures).
    """
    with tempfile.TemporaryDirectory(prefix="jaif-import-bench-") as tmp:
        folder = Path(tmp)
        wdi, iati = folder / "wdi.csv", folder / "iati.xml"
        write_wdi_csv(wdi, rows, filled_years)
        write_iati(iati, activities)
        graph_countries = CountryTable.of(
            [
                ("KHM", "KH", "116"),
                ("LAO", "LA", "418"),
                ("MMR", "MM", "104"),
                ("VNM", "VN", "704"),
                ("THA", "TH", "764"),
                ("PHL", "PH", "608"),
            ]
        )
        return [
            measure_import("wdi-csv", wdi, synthetic_countries(rows), rows, folder),
            measure_import("iati", iati, graph_countries, activities, folder),
        ]


def main(argv: list[str]) -> int:
    """Print one line per measured import."""
    rows = int(argv[0]) if argv else 100_000
    activities = int(argv[1]) if len(argv) > 1 else 10_000
    years = int(argv[2]) if len(argv) > 2 else 1
    for m in measure(rows, activities, years):
        print(
            f"{m.kind}: {m.rows:,} rows, {m.observations:,} mapped, {m.triples:,} triples; "
            f"convert {m.convert_seconds:.1f} s, store {m.store_seconds:.1f} s, "
            f"{m.rows_per_second:,.0f} rows/s; peak RSS so far {m.peak_rss_mib:.0f} MiB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
