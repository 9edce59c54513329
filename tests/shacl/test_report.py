"""jaif_kg.shacl.report: the report model, its thresholds and severities."""

from __future__ import annotations

from pathlib import Path

import pytest

from jaif_kg.errors import InputError
from jaif_kg.shacl.report import ValidationReport, severity


def test_thresholds(report: ValidationReport, data: Path) -> None:
    assert not report.conforms
    assert not report.conforms_at("violation")
    warnings_only = ValidationReport([r for r in report.results if r.severity != "Violation"])
    assert warnings_only.conforms_at("Violation")
    assert not warnings_only.conforms_at("warning")
    assert not warnings_only.conforms_at("info")
    assert [r.severity for r in warnings_only.at_or_above("Warning")] == ["Warning"]
    assert ValidationReport([]).conforms_at("info")


def test_severity_names() -> None:
    assert [severity(n) for n in ("violation", "WARNING", "sh:Info")] == [
        "Violation",
        "Warning",
        "Info",
    ]
    with pytest.raises(InputError, match="unknown severity"):
        severity("fatal")
