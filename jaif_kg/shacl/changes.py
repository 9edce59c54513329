"""Only what changed: keep the validation results a change is responsible for.

Two filters of a :class:`~jaif_kg.shacl.report.ValidationReport`, for ``jaif-kg validate``:

* :func:`keep_touched`: the results about resources that a change touched (see
  :func:`touched_since`: the subjects and IRI objects of statements added or removed since a
  git revision, a blank node standing for the IRI resource that owns it). A result is kept
  when its focus node or its value is such a resource. A result whose focus node is a blank node
  is always kept: the validated graph labels blank nodes its own way, so there is no telling
  which resource owns it, and hiding a result on a guess is worse than showing one too many.
* :func:`keep_new`: the results not in a baseline (an earlier ``jaif-kg validate --format
  json`` report), matched by :func:`jaif_kg.shacl.render.result_id`, which leaves out where a
  file shows the result: moving a statement to another line or file does not make an old result
  new.

The whole graph is always validated: a change can break a shape on a resource it did not touch
only through that resource's links, and those links are what :func:`touched_since` follows.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from rdflib import BNode, URIRef

from jaif_kg.errors import InputError
from jaif_kg.rdf.diff import diff_graphs, files_at_revision
from jaif_kg.rdf.files import ParsedFile
from jaif_kg.rdf.namespaces import DEFAULT_BASE
from jaif_kg.shacl.render import result_id
from jaif_kg.shacl.report import ValidationReport, ValidationResult


def touched_since(
    rev: str, files: Sequence[ParsedFile], *, cwd: Path | None = None, base: str = DEFAULT_BASE
) -> set[str]:
    """IRIs of the resources touched by the change from git revision ``rev`` to ``files`` as
    they were read now (see :meth:`jaif_kg.rdf.diff.GraphDiff.touched`). The old side is the
    files of the same names at ``rev``, with the RDF files their folders had then (a file
    deleted since counts); what was not read from a file on disk (standard input) has no old
    side, so all of it counts as added.

    Raises:
        InputError: ``rev`` is no revision, a file is outside the repository, or a file of the
            revision cannot be read.
    """
    on_disk = [f.path for f in files if f.path.is_file()]
    old = files_at_revision(rev, on_disk, cwd=cwd, base=base)
    new = [t for parsed in files for t in parsed.triples]
    return diff_graphs(old, new).touched()


def _filtered(
    report: ValidationReport, kept: list[ValidationResult]
) -> tuple[ValidationReport, int]:
    return dataclasses.replace(report, results=kept), len(report.results) - len(kept)


def keep_touched(report: ValidationReport, touched: Iterable[str]) -> tuple[ValidationReport, int]:
    """The report with only the results about ``touched`` resources, and how many were left out.

    >>> from rdflib.namespace import SH
    >>> r = ValidationResult(URIRef("urn:a"), None, URIRef("urn:b"), "m", URIRef("urn:S"),
    ...                      "Violation", SH.ClassConstraintComponent)
    >>> [len(keep_touched(ValidationReport([r]), t)[0].results) for t in ([], ["urn:b"])]
    [0, 1]
    """
    names = set(touched)

    def keep(result: ValidationResult) -> bool:
        if isinstance(result.focus_node, BNode):
            return True
        if str(result.focus_node) in names:
            return True
        return isinstance(result.value, URIRef) and str(result.value) in names

    return _filtered(report, [r for r in report.results if keep(r)])


def read_baseline(path: Path) -> set[str]:
    """The result ids (:func:`jaif_kg.shacl.render.result_id`) of a ``jaif-kg validate --format
    json`` report.

    Raises:
        InputError: the file is missing, not JSON, or not such a report (the error names it).
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("no such file", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the baseline: {exc}", path=str(path)) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg}", path=str(path), line=exc.lineno) from None
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list) or not all(
        isinstance(r, dict) and isinstance(r.get("id"), str) for r in results
    ):
        raise InputError(
            "not a report of `jaif-kg validate --format json` (an object whose results each "
            "have an id)",
            path=str(path),
        )
    return {r["id"] for r in results}


def keep_new(report: ValidationReport, baseline: set[str]) -> tuple[ValidationReport, int]:
    """The report with only the results whose id is not in ``baseline`` (see
    :func:`read_baseline`), and how many were left out.

    >>> from rdflib.namespace import SH
    >>> r = ValidationResult(URIRef("urn:a"), None, None, "m", URIRef("urn:S"), "Violation",
    ...                      SH.MinCountConstraintComponent)
    >>> [keep_new(ValidationReport([r]), b)[1] for b in (set(), {result_id(r)})]
    [0, 1]
    """
    shapes = report.shapes_graph
    return _filtered(report, [r for r in report.results if result_id(r, shapes) not in baseline])
