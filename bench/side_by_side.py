#!/usr/bin/env python3
"""CPU per message of this tree against another checkout of contentlint, measured side by side.

    git worktree add --detach /tmp/cl-base 5704b0a          # the tree to compare with
    .venv/bin/python bench/side_by_side.py --base /tmp/cl-base
    .venv/bin/python bench/side_by_side.py --base /tmp/cl-base --every 4 --rounds 5 --ignore client-,html-lang
    .venv/bin/python bench/side_by_side.py --base /tmp/cl-base --warm-fr --cold 21   # and cold starts
    .venv/bin/python bench/side_by_side.py --base /tmp/cl-base --same-rules          # the engines alone
    .venv/bin/python bench/side_by_side.py --base /tmp/cl-base --rounds 0 --instructions   # noise-free count

Each round runs both trees one after the other, each in a fresh process (its tree first on PYTHONPATH, this
venv's packages for both; the package each one imported is checked), over the same corpus files (every ``--every``-th file of ``--corpus``): it reads each
file with ``read_bytes`` and checks each message with ``Linter.check``, and reports the CPU seconds spent
reading, in the rules, and building findings (their exact places); the start-up, the first message and, with
``--warm-fr``, the French tagger's one-time load are outside the clock. With ``--same-rules`` this tree runs
only the rule ids the base tree has (the rules added since are ignored, and both runs are checked to have
the same rule ids), which compares the engines rather than the rule sets. The minimum over the rounds is the
figure least disturbed by other load on the machine (wall-clock figures of a busy machine are not). A
benchmark, never a unit test.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent

_LOOP = r"""
import glob, json, os, sys, time
from contentlint.api import Linter
from contentlint.readers import read_bytes
corpus, every, ignore, warm = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
limit = int(sys.argv[5]) if len(sys.argv) > 5 else None       # only the first N files (0: the set-up alone)
files = [f for f in sorted(glob.glob(os.path.join(corpus, "**", "*"), recursive=True))
         if os.path.isfile(f) and f.endswith((".eml", ".html", ".txt", ".mbox", ".json"))][::every]
datas = [(f, open(f, "rb").read()) for f in files]
linter = Linter(ignore=[x for x in ignore.split(",") if x]) if ignore else Linter()
linter.check_bytes(datas[0][1], source=datas[0][0])           # packs compiled, caches warm
if warm:
    try:
        from contentlint.engine.morph import pipeline
        pipeline("fr")
    except ImportError:
        pass
rs = linter.ruleset
spent = [0.0]
inner = rs._finding
def timed(*a, **k):
    t = time.process_time()
    try:
        return inner(*a, **k)
    finally:
        spent[0] += time.process_time() - t
rs._finding = timed
read = check = 0.0
messages = errors = 0
for path, data in datas[:limit]:
    t0 = time.process_time()
    try:
        items = list(read_bytes(data, path))
    except Exception:
        errors += 1          # counted and reported: the two trees must read the same messages
        continue
    t1 = time.process_time()
    for m in items:
        if hasattr(m, "source"):
            messages += 1
            try:
                linter.check(m)
            except Exception:
                errors += 1
    read += t1 - t0
    check += time.process_time() - t1
import contentlint
print(json.dumps({"package": os.path.dirname(contentlint.__file__), "rule_ids": sorted(r.id for r in rs.rules), "messages": messages, "errors": errors, "read": read, "rules": check - spent[0], "findings": spent[0],
                  "total": read + check}))
"""


def _loop_command(tree: str | None, args, *extra: str) -> tuple[list, dict]:
    env = dict(os.environ)
    env["PYTHONPATH"] = tree or str(ROOT)
    return [sys.executable, "-c", _LOOP, args.corpus, str(args.every), "" if tree else args.ignore,
            "1" if args.warm_fr else "0", *extra], env


def run(tree: str | None, args) -> dict:
    cmd, env = _loop_command(tree, args)
    # from a neutral folder: "python -c" puts the current folder first on sys.path
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True, cwd=tempfile.gettempdir())
    got = json.loads(out.stdout.strip().splitlines()[-1])
    want = Path(tree or ROOT).resolve()
    if Path(got["package"]).resolve().parent != want:
        raise SystemExit(f"measured {got['package']}, not the tree in {want}")
    return got


def rule_ids(tree: Optional[str]) -> list[str]:
    """The ids of the rules a default ``Linter`` of ``tree`` runs."""
    env = dict(os.environ, PYTHONPATH=tree or str(ROOT))
    code = "from contentlint.api import Linter; print('\\n'.join(r.id for r in Linter().ruleset.rules))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd=tempfile.gettempdir())
    return sorted(out.stdout.split())


def instructions(args) -> None:
    """Instructions each tree executes for the messages (valgrind's callgrind count of the whole loop minus
    that of its set-up alone): the same figure on a quiet or a busy machine, where CPU seconds of this shared
    machine move by 10-25 % from one run to the next. The four runs go two at a time (~50x slower)."""
    import re
    import shutil
    from concurrent.futures import ThreadPoolExecutor

    if not shutil.which("valgrind"):
        raise SystemExit("--instructions needs valgrind (Debian: apt-get install valgrind)")

    def count(tree, limit):
        cmd, env = _loop_command(tree, args, str(limit))
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg", *cmd], env=env,
                                 capture_output=True, text=True, check=True, cwd=tempfile.gettempdir())
        return int(re.search(r"Collected : (\d+)", out.stderr).group(1))

    jobs = [(name, tree, limit) for name, tree in (("base", args.base), ("this", None)) for limit in (0, 1 << 30)]
    with ThreadPoolExecutor(2) as pool:
        got = dict(zip([(n, lim) for n, _, lim in jobs], pool.map(lambda j: count(j[1], j[2]), jobs)))
    loop = {name: got[(name, 1 << 30)] - got[(name, 0)] for name in ("base", "this")}
    print(f"instructions for the messages (callgrind, whole loop minus set-up): base {loop['base'] / 1e9:.2f} G, "
          f"this tree {loop['this'] / 1e9:.2f} G ({loop['this'] / loop['base']:.2f}x)")


_COLD = ("import sys; sys.argv[0] = 'contentlint'; import contentlint.cli as cli; "
         "getattr(cli, 'entry', cli.main)()")   # the installed command's entry (entry, or main before it)


def cold(tree: Optional[str], template: str, cache: str) -> tuple[float, float]:
    """(wall, CPU) seconds of one ``contentlint check <template>`` in a fresh process of ``tree``, .pyc files
    and the tree's own user cache warm (the pre-commit situation)."""
    import resource
    import time

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=tree or str(ROOT), CONTENTLINT_CACHE_DIR=cache)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", _COLD, "check", "--no-color", template], env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir())
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cold_starts(args) -> None:
    import statistics

    template = str(ROOT / "examples" / "template-fr.html")
    with tempfile.TemporaryDirectory() as tmp:
        trees = (("base", args.base), ("this", None))
        got: dict[str, list] = {name: [] for name, _ in trees}
        for r in range(args.cold + 3):                      # 3 warm-up rounds: .pyc and caches written
            for name, tree in trees:
                t = cold(tree, template, os.path.join(tmp, name))
                if r >= 3:
                    got[name].append(t)
    med = {name: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for name, v in got.items()}
    (bw, bc), (tw, tc) = med["base"], med["this"]
    print(f"cold start, one template, median of {args.cold} alternated runs: base {bw:.3f} s wall / {bc:.3f} s CPU, "
          f"this tree {tw:.3f} s / {tc:.3f} s ({tw / bw:.2f}x wall, {tc / bc:.2f}x CPU)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", required=True, help="a checkout (worktree) of the contentlint to compare with")
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora"))
    ap.add_argument("--every", type=int, default=8, help="every N-th corpus file (default 8)")
    ap.add_argument("--rounds", type=int, default=3, help="throughput rounds (0: cold starts only)")
    ap.add_argument("--ignore", default="", help="rule ids or prefixes left out of this tree's run (ablation)")
    ap.add_argument("--warm-fr", action="store_true", help="load the French tagger before the clock starts")
    ap.add_argument("--cold", type=int, default=0, metavar="N",
                    help="also time N alternated cold starts of each tree on examples/template-fr.html")
    ap.add_argument("--instructions", action="store_true",
                    help="also count the instructions of each tree's loop under valgrind (noise-free; ~50x slower)")
    ap.add_argument("--same-rules", action="store_true",
                    help="this tree runs only the rule ids the base tree has (compares the engines, not the rule sets)")
    args = ap.parse_args()
    if not Path(args.corpus).is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    if args.same_rules:
        base_ids, this_ids = rule_ids(args.base), rule_ids(None)
        added = sorted(set(this_ids) - set(base_ids))
        args.ignore = ",".join(x for x in [args.ignore, *added] if x)
        print(f"same rules: {len(base_ids)} rule ids; {len(added)} rules this tree added are left out")
    best: dict[str, dict] = {}
    for r in range(args.rounds):
        for name, tree in (("base", args.base), ("this", None)):
            got = run(tree, args)
            print(f"round {r + 1} {name:4}: {got['messages']} messages ({got['errors']} errors), read {got['read']:.2f} s, rules "
                  f"{got['rules']:.2f} s, findings {got['findings']:.2f} s, total {got['total']:.2f} s CPU")
            if args.same_rules and name == "this" and got["rule_ids"] != best.get("base", got)["rule_ids"]:
                raise SystemExit("--same-rules: the two trees did not run the same rule ids")
            if name not in best or got["total"] < best[name]["total"]:
                best[name] = got
    if best:
        b, t = best["base"], best["this"]
        print(f"minimum of {args.rounds}: base {b['total']:.2f} s, this tree {t['total']:.2f} s CPU "
              f"({t['total'] / b['total']:.2f}x); per message {1000 * b['total'] / b['messages']:.2f} ms vs "
              f"{1000 * t['total'] / t['messages']:.2f} ms")
    if args.instructions:
        instructions(args)
    if args.cold:
        cold_starts(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
