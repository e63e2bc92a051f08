#!/usr/bin/env python3
"""Regenerate contentlint/data/lemmas.json.gz from spacy-lookups-data and the shipped rule packs.

    .venv/bin/python tools/build_lemmas.py           # write the table
    .venv/bin/python tools/build_lemmas.py --check   # exit 1 when the shipped table is out of date

The table keeps, per language, only the forms whose lemma is the lemma of a word of the packs' word
lists (and their exceptions), plus the vocabulary it was built for, so the engine can tell when a user
pack needs words the table does not cover (those are then read from spacy-lookups-data at run time).
"""
from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pack_vocabulary(rules_dir: Path | None = None) -> dict[str, list[str]]:
    from contentlint.engine.checkers import WordsChecker
    from contentlint.engine.packs import builtin_rules_dir, load_pack_file, pack_files

    vocab: dict[str, set[str]] = {}
    for path in pack_files(rules_dir or builtin_rules_dir(), builtin=True):
        for rule in load_pack_file(path, probe=False):
            if isinstance(rule.checker, WordsChecker):
                for lang, words in rule.checker.vocabulary().items():
                    vocab.setdefault(lang, set()).update(words)
    return {lang: sorted(words) for lang, words in sorted(vocab.items())}


def build(rules_dir: Path | None = None) -> dict:
    from contentlint.engine.lemmas import FORMAT_VERSION, full_table, trim

    vocab = pack_vocabulary(rules_dir)
    tables = {}
    for lang, words in vocab.items():
        full = full_table(lang)
        tables[lang] = dict(sorted(trim(full, words).items())) if full else {}
    try:
        from importlib.metadata import version
        source = f"spacy-lookups-data {version('spacy-lookups-data')}"
    except Exception:  # pragma: no cover - metadata missing
        source = "spacy-lookups-data"
    return {"format": FORMAT_VERSION, "source": source, "vocabulary": vocab, "tables": tables}


def encode(data: dict) -> bytes:
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9) as fh:
        fh.write(raw)
    return buf.getvalue()


def main(argv=None) -> int:
    from contentlint.engine.lemmas import shipped_path

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check that the shipped table is up to date")
    ap.add_argument("--output", type=Path, default=None)
    args = ap.parse_args(argv)
    data = build()
    out = args.output or shipped_path()
    if args.check:
        try:
            with gzip.open(out, "rt", encoding="utf-8") as fh:
                current = json.load(fh)
        except OSError:
            current = None
        if current != data:
            print(f"{out} is out of date: run tools/build_lemmas.py", file=sys.stderr)
            return 1
        print(f"{out} is up to date")
        return 0
    out.write_bytes(encode(data))
    n = {lang: len(t) for lang, t in data["tables"].items()}
    print(f"wrote {out} ({out.stat().st_size} bytes; forms per language: {n})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
