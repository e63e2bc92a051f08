"""Where contentlint finds its built-in data files, in a checkout or once installed.

In a source checkout the rule packs live in ``<repo>/rules``; an installed wheel maps that
folder to the package ``contentlint._packs`` (see ``[tool.setuptools.package-dir]`` in
pyproject.toml).  Nothing here imports anything heavy.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PKG_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def builtin_rules_dir() -> Path:
    """The folder holding the shipped ``*.yaml`` rule packs (``rules/`` in a checkout)."""
    checkout = _PKG_DIR.parent / "rules"
    if checkout.is_dir() and (_PKG_DIR.parent / "pyproject.toml").is_file():
        return checkout
    installed = _PKG_DIR / "_packs"
    if installed.is_dir():
        return installed
    try:  # an unusual layout (zip import, editable install elsewhere): ask the import system
        import importlib.util

        spec = importlib.util.find_spec("contentlint._packs")
        if spec is not None and spec.submodule_search_locations:
            return Path(list(spec.submodule_search_locations)[0])
    except (ImportError, ValueError):
        pass
    return checkout


def data_dir() -> Path:
    """``contentlint/data`` (generated tables shipped inside the package)."""
    return _PKG_DIR / "data"
