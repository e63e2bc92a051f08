"""Lemma tables: lowercase form → lemma, from spaCy's language data (spacy-lookups-data).

contentlint never imports spaCy at run time.  ``tools/build_lemmas.py`` reads spacy-lookups-data's
``{lang}_lemma_lookup.json.gz`` tables and keeps only the forms whose lemma belongs to the vocabulary of
the shipped packs; the result ships as ``contentlint/data/lemmas.json.gz`` (a few KB, loads in well under
a millisecond).  When a user pack lists a word the shipped table was not built for, the full table of
that language is read from spacy-lookups-data (only then), and the forms of the new lemmas are added.

The spaCy tables are case-sensitive (``WINNERS`` is not found): always look up the lowercased form.
French values are 1-element lists; they are normalised to strings here.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Iterable

SHIPPED_NAME = "lemmas.json.gz"
FORMAT_VERSION = 1


def shipped_path() -> Path:
    from contentlint.paths import data_dir  # a plain path: importlib.resources costs ~10 ms at start-up

    return data_dir() / SHIPPED_NAME


@lru_cache(maxsize=1)
def load_shipped() -> dict:
    """{"vocabulary": {lang: [word, …]}, "tables": {lang: {form: lemma}}, …}; empty tables if absent."""
    import gzip
    import json

    path = shipped_path()
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {"format": FORMAT_VERSION, "vocabulary": {}, "tables": {}}
    return data


def spacy_table_path(lang: str) -> Path | None:
    try:
        import spacy_lookups_data  # noqa: PLC0415  (only when a user word is not covered)
    except ImportError:
        return None
    path = Path(spacy_lookups_data.__file__).parent / "data" / f"{lang}_lemma_lookup.json.gz"
    return path if path.is_file() else None


@lru_cache(maxsize=8)
def full_table(lang: str) -> dict[str, str]:
    """The whole lookup table of ``lang`` from spacy-lookups-data ({} when unavailable)."""
    path = spacy_table_path(lang)
    if path is None:
        return {}
    import gzip
    import json

    with gzip.open(path, "rt", encoding="utf-8") as fh:
        raw = json.load(fh)
    out = {}
    for form, lemma in raw.items():
        if isinstance(lemma, list):
            if not lemma:
                continue
            lemma = lemma[0]
        out[form] = lemma
    return out


def trim(table: dict[str, str], words: Iterable[str]) -> dict[str, str]:
    """Forms of ``table`` whose lemma is the lemma of one of ``words`` (plus the words themselves)."""
    words = set(words)
    lemmas = {table.get(w, w) for w in words}
    out = {form: lemma for form, lemma in table.items() if lemma in lemmas}
    for w in words:
        out[w] = table.get(w, w)
    return out


def tables_for(vocabulary: dict[str, set[str]]) -> dict[str, dict[str, str]]:
    """Runtime tables covering ``vocabulary`` ({lang: lowercase words}).

    Starts from the shipped table; words it was not built for are looked up in spacy-lookups-data
    (loaded lazily, only for the languages that need it).
    """
    shipped = load_shipped()
    tables = {lang: dict(t) for lang, t in shipped.get("tables", {}).items()}
    covered = {lang: set(v) for lang, v in shipped.get("vocabulary", {}).items()}
    for lang, words in vocabulary.items():
        missing = set(words) - covered.get(lang, set())
        if not missing:
            continue
        full = full_table(lang)
        table = tables.setdefault(lang, {})
        if not full:
            continue
        table.update(trim(full, missing))
    return tables
