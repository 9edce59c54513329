"""Skip, or fail under CI, when something a test needs from outside the repository is missing."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def require(reason: str) -> NoReturn:
    """Skip with ``reason`` (what is missing and how to provide it), or fail when
    ``JAIF_REQUIRE_SUITES=1`` (set by ``.ci/run``), where nothing may be left out."""
    if os.environ.get("JAIF_REQUIRE_SUITES") == "1":
        pytest.fail(reason + " (JAIF_REQUIRE_SUITES=1 makes it mandatory)", pytrace=False)
    pytest.skip(reason)
