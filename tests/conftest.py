"""Shared test helpers. Tests that need ../shared/ skip when it is absent (a clean clone without it)."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "corpora"
SHARED = ROOT.parent / "shared"
SHARED_CORPORA = SHARED / "corpora"


@pytest.fixture
def shared_corpora() -> Path:
    if not (SHARED_CORPORA / "labels.tsv").is_file():
        pytest.skip("../shared/corpora is not available on this machine")
    return SHARED_CORPORA
