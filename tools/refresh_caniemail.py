"""Regenerate ``contentlint/data/caniemail.json.gz`` from a Can I Email ``data.json`` (offline).

    python tools/refresh_caniemail.py PATH/TO/caniemail.json [--out contentlint/data/caniemail.json.gz]

The input is the data file of Can I Email (https://www.caniemail.com, MIT licence, © Avi Goldman and Andrew
Powell), for example ``data/caniemail.json`` inside the ``caniemail`` package
of the npm registry (``npm pack caniemail`` then ``tar xzf caniemail-*.tgz``).  Nothing is downloaded here.

What is kept (the file shipped is about a tenth of the original): for every HTML, CSS and image feature, its
slug, title, page URL, category and notes, and for each platform of the mail clients contentlint knows
(``FAMILIES`` below) the support found by the *latest* test only ("y", "n", "a" partial, "u" unknown, "x"
prefixed or any other value as given, followed by its note numbers such as "a #1").
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

#: Client families kept: those the brief names (Gmail, Outlook, Apple Mail, Yahoo, Samsung, Thunderbird and the
#: French webmails Orange, SFR, La Poste) plus AOL (Yahoo's sibling) and Free.fr.
FAMILIES = ("apple-mail", "gmail", "outlook", "yahoo", "aol", "samsung-email", "thunderbird", "orange", "sfr",
            "laposte", "free-fr")
CATEGORIES = ("html", "css", "image")
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "contentlint" / "data" / "caniemail.json.gz"


def trim(data: dict) -> dict:
    nicenames = data.get("nicenames") or {}
    features = {}
    for feat in data.get("data") or []:
        if feat.get("category") not in CATEGORIES or not feat.get("slug"):
            continue
        support = {}
        for family in FAMILIES:
            for platform, versions in ((feat.get("stats") or {}).get(family) or {}).items():
                if isinstance(versions, dict) and versions:
                    support[f"{family}.{platform}"] = str(list(versions.values())[-1]).strip()
        features[feat["slug"]] = {
            "title": feat.get("title") or feat["slug"],
            "url": feat.get("url") or "",
            "category": feat["category"],
            "notes": {str(k): v for k, v in (feat.get("notes_by_num") or {}).items() if v},
            "support": support,
        }
    families = nicenames.get("family") or {}
    platforms = nicenames.get("platform") or {}
    return {
        "about": "Trimmed from Can I Email data (https://www.caniemail.com), MIT licence: see CANIEMAIL-LICENSE.md. "
                 "Regenerate with tools/refresh_caniemail.py.",
        "last_update_date": data.get("last_update_date"),
        "api_version": data.get("api_version"),
        "families": {f: families.get(f, f) for f in FAMILIES},
        "platforms": platforms,
        "features": dict(sorted(features.items())),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data_json", type=Path, help="Can I Email data.json (e.g. caniemail/data/caniemail.json)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    try:
        data = json.loads(args.data_json.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"{args.data_json}: cannot read Can I Email data: {exc}", file=sys.stderr)
        return 2
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        print(f"{args.data_json}: not a Can I Email data file (no 'data' list)", file=sys.stderr)
        return 2
    out = trim(data)
    text = json.dumps(out, ensure_ascii=False, separators=(",", ":"), indent=None) + "\n"
    # mtime=0: the same data gives the same bytes
    args.out.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{args.out}: {len(out['features'])} features, data of {out['last_update_date']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
