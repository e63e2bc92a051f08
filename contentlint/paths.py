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


# -- the user cache (compiled rule packs, placeholder specs, public-suffix tables) ------------------
# Every cache is a pickle named after a checksum of a *fingerprint*: the paths, sizes and modification
# times of the files it was built from (plus a format version).  The full fingerprint is stored inside
# the pickle and compared on load, so an edited file, a checksum collision or a stale/corrupt/foreign
# file only means a rebuild.  CONTENTLINT_NO_CACHE=1 disables caching; a missing or read-only cache
# folder just means nothing is stored.  Nothing here imports anything heavy (no hashlib, no yaml).

def cache_dir():
    """``$CONTENTLINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/contentlint``, else ``~/.cache/contentlint``;
    None when ``CONTENTLINT_NO_CACHE`` is set."""
    import os

    if os.environ.get("CONTENTLINT_NO_CACHE"):
        return None
    own = os.environ.get("CONTENTLINT_CACHE_DIR")
    if own:
        return Path(own)
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "contentlint"


def fingerprint(files, version: str) -> str:
    """Text identifying ``files`` as they are now: version, then path|size|mtime of each file."""
    import os

    lines = [version]
    for f in files:
        path = os.path.abspath(os.fspath(f))
        try:
            st = os.stat(path)
            lines.append(f"{path}|{st.st_size}|{st.st_mtime_ns}")
        except OSError:
            lines.append(f"{path}|missing")
    return "\n".join(lines)


def _cache_file(kind: str, fp: str):
    import zlib

    d = cache_dir()
    if d is None:
        return None
    data = fp.encode("utf-8", "surrogatepass")
    return d / f"{kind}-{zlib.crc32(data):08x}{zlib.adler32(data):08x}.pickle"


def cache_load(kind: str, fp: str):
    """The value stored by ``cache_store(kind, fp, value)``, or None (missing, stale, corrupt, disabled)."""
    path = _cache_file(kind, fp)
    if path is None:
        return None
    try:
        import pickle

        with open(path, "rb") as fh:
            stored_fp, value = pickle.load(fh)
    except Exception:  # missing, unreadable, corrupt or from another version: rebuild
        return None
    return value if stored_fp == fp else None


def cache_store(kind: str, fp: str, value) -> None:
    """Store ``value`` for ``fp``, atomically; silently does nothing when the folder is not writable.
    Caches of the same kind not used for a week are removed (edited packs leave old ones behind)."""
    path = _cache_file(kind, fp)
    if path is None:
        return
    import os
    import pickle

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            pickle.dump((fp, value), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception:  # read-only or full disk, unpicklable value: run without the cache
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return
    try:
        import time

        week_ago = time.time() - 7 * 86400
        for old in path.parent.glob(f"{kind}-*.pickle"):
            if old != path and old.stat().st_mtime < week_ago:
                old.unlink()
    except OSError:
        pass
