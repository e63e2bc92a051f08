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


# A spammy and a clean HTML template shared by the API and CLI tests.
SPAMMY_HTML = """<html lang="en"><body>
<p>CLICK HERE NOW TO CLAIM YOUR AMAZING PRIZE!!! You are a WINNER!!!</p>
<p>Act now: 100% free cash bonus, limited time only!!!</p>
</body></html>
"""
CLEAN_HTML = """<html lang="en"><body>
<p>Hello {{ first_name }},</p>
<p>Here are the three soup recipes from our March workshop, with the shopping list you asked for.</p>
<p><a href="https://example.com/recipes/march">Read the recipes</a></p>
<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
</body></html>
"""
