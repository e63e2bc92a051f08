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


# A user rule pack of two regex rules (house-xyzzy: error, 6 points; house-plugh: warning, 3.5 points).
HOUSE_PACK = r"""pack: test-house
version: 1
description: House rules used by the CLI tests.
rules:
  - id: house-xyzzy
    title: The forbidden word xyzzy
    description: Our house style forbids the word xyzzy in mail.
    category: content
    level: error
    weight: 6.0
    type: regex
    scope: [body]
    pattern: '\bxyzzy\b'
    message: "“{match}” is forbidden here."
    suggestion: "Remove “{match}” from the text."
    examples:
      pass: ["A calm newsletter"]
      fail: ["say xyzzy twice"]
  - id: house-plugh
    title: The discouraged word plugh
    description: Our house style discourages the word plugh.
    category: content
    level: warning
    weight: 3.5
    type: regex
    scope: [body]
    pattern: '\bplugh\b'
    message: "“{match}” is discouraged."
    suggestion: "Say “hello” instead of “{match}”."
    examples:
      pass: ["A calm newsletter"]
      fail: ["say plugh once"]
"""
