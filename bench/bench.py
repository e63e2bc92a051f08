#!/usr/bin/env python3
"""contentlint benchmark: cold start, throughput, --jobs scaling, memory; side by side with the tools
people would otherwise use (yamllint for start-up, Apache SpamAssassin for throughput).

    .venv/bin/python bench/bench.py                 # everything it can measure here
    .venv/bin/python bench/bench.py --quick         # fewer repetitions

Writes bench/results.json and bench/results.md (quoted by the README) with the date and machine.
Never run by the test suite: speed is measured here, not in unit tests.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpora"
BASELINES = SHARED / "baselines"
BIN = Path(sys.executable).parent
CONTENTLINT = [str(BIN / "contentlint")] if (BIN / "contentlint").exists() else [sys.executable, "-m", "contentlint.cli"]


def run_timed(cmd, **kw) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.perf_counter() - t0


def median_time(cmd, repeat: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        run_timed(cmd)
    return statistics.median(run_timed(cmd) for _ in range(repeat))


def peak_rss_mb(cmd) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of a child process, via /usr/bin/time when present else rusage."""
    t0 = time.perf_counter()
    if Path("/usr/bin/time").exists():
        with tempfile.NamedTemporaryFile("r") as tf:
            subprocess.run(["/usr/bin/time", "-f", "%M", "-o", tf.name, *cmd],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wall = time.perf_counter() - t0
            return wall, int(tf.read().strip().splitlines()[-1]) / 1024
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(before, after) / 1024


def corpus_eml_files() -> list[Path]:
    files = []
    with open(CORPUS / "labels.tsv") as f:
        next(f)
        for line in f:
            name = line.split("\t")[0]
            if name.endswith(".eml"):
                files.append(CORPUS / name)
    return files


def cold_start(results: dict, repeat: int) -> None:
    template = ROOT / "examples" / "template-fr.html"
    if not template.exists():
        template = next((ROOT / "examples").glob("*.html"))
    with tempfile.TemporaryDirectory() as tmp:
        yml = Path(tmp) / "small.yaml"
        yml.write_text("name: newsletter\nsubject: Hello\nitems:\n  - one\n  - two\n")
        ours = median_time([*CONTENTLINT, "check", "--no-color", str(template)], repeat)
        results["cold_start_s"] = round(ours, 4)
        yamllint = shutil.which("yamllint") or (str(BIN / "yamllint") if (BIN / "yamllint").exists() else None)
        if yamllint:
            theirs = median_time([yamllint, str(yml)], repeat)
            results["yamllint_cold_start_s"] = round(theirs, 4)
            results["cold_start_ratio_vs_yamllint"] = round(ours / theirs, 2)
    print(f"cold start: contentlint {results['cold_start_s']:.3f} s"
          + (f", yamllint {results['yamllint_cold_start_s']:.3f} s, ratio {results['cold_start_ratio_vs_yamllint']:.2f}x"
             if "yamllint_cold_start_s" in results else " (yamllint not installed)"))


def throughput(results: dict) -> None:
    files = corpus_eml_files()
    sys.path.insert(0, str(ROOT))
    from contentlint import Linter

    linter = Linter()
    # one process, one core: read + analyse + rules + score every message
    t0 = time.perf_counter()
    n = 0
    for path in files:
        for _ in linter.iter_path(str(path)):
            n += 1
    wall = time.perf_counter() - t0
    results["messages"] = n
    results["msgs_per_s"] = round(n / wall, 1)
    print(f"throughput: {n} messages in {wall:.2f} s = {n / wall:.0f} msg/s (one process)")

    # SpamAssassin on the same files, same run (local tests, Bayes off)
    if shutil.which("spamassassin") and (BASELINES / "sa_score.pl").exists():
        with tempfile.TemporaryDirectory() as tmp:
            labels = Path(tmp) / "labels.tsv"
            with open(CORPUS / "labels.tsv") as src, open(labels, "w") as dst:
                dst.write(next(src))
                for line in src:
                    if line.split("\t")[0].endswith(".eml"):
                        dst.write(line)
            t0 = time.perf_counter()
            proc = subprocess.run(["perl", str(BASELINES / "sa_score.pl"), str(BASELINES / "sa-prefs.cf"),
                                   str(labels), str(CORPUS)], capture_output=True, text=True, cwd=BASELINES)
            sa_wall = time.perf_counter() - t0
            scored = sum(1 for line in proc.stdout.splitlines()[1:] if line.strip())
            if scored:
                results["spamassassin_msgs_per_s"] = round(scored / sa_wall, 1)
                results["throughput_ratio_vs_spamassassin"] = round(results["msgs_per_s"] / results["spamassassin_msgs_per_s"], 1)
                print(f"SpamAssassin: {scored} messages in {sa_wall:.1f} s = {scored / sa_wall:.1f} msg/s; "
                      f"ratio {results['throughput_ratio_vs_spamassassin']}x")
            else:
                print("SpamAssassin run produced no scores:", proc.stderr[-500:])
    else:
        print("SpamAssassin not installed: skipped (apt-get install spamassassin)")


def jobs_scaling(results: dict, tmpdir: Path) -> None:
    files = corpus_eml_files()
    listing = [str(p) for p in files]
    timings = {}
    for jobs in (1, 2):
        cmd = [*CONTENTLINT, "check", "--format", "jsonl", "--jobs", str(jobs), "--output", str(tmpdir / f"j{jobs}.jsonl"), *listing]
        timings[jobs] = run_timed(cmd)
    results["jobs1_s"] = round(timings[1], 2)
    results["jobs2_s"] = round(timings[2], 2)
    results["jobs2_speedup"] = round(timings[1] / timings[2], 2)
    same = (tmpdir / "j1.jsonl").read_bytes() == (tmpdir / "j2.jsonl").read_bytes()
    results["jobs2_identical"] = same
    print(f"--jobs: 1 job {timings[1]:.1f} s, 2 jobs {timings[2]:.1f} s, speed-up {timings[1] / timings[2]:.2f}x, identical output: {same}")


def memory(results: dict, tmpdir: Path, sizes=(1_000, 100_000)) -> None:
    files = corpus_eml_files()[:200]
    raws = []
    for p in files:
        data = p.read_bytes()
        if not data.startswith(b"From "):
            data = b"From bench@example.com Thu Jan  1 00:00:00 2026\n" + data
        raws.append(data.rstrip(b"\n") + b"\n\n")
    for n in sizes:
        mbox = tmpdir / f"bench-{n}.mbox"
        with open(mbox, "wb") as f:
            for i in range(n):
                f.write(raws[i % len(raws)])
        wall, rss = peak_rss_mb([*CONTENTLINT, "check", "--format", "jsonl", "--output", os.devnull, str(mbox)])
        results[f"rss_mb_{n}"] = round(rss, 1)
        results[f"mbox_{n}_msgs_per_s"] = round(n / wall, 1)
        print(f"memory: mbox of {n} messages ({mbox.stat().st_size / 1e6:.0f} MB): peak RSS {rss:.0f} MB, {n / wall:.0f} msg/s")
        mbox.unlink()


def write(results: dict) -> None:
    results["date"] = date.today().isoformat()
    results["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [f"# Benchmark results ({results['date']}, {results['machine']})", "", "| measure | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in results.items() if k not in ("date", "machine")]
    (ROOT / "bench" / "results.md").write_text("\n".join(lines) + "\n")
    print(f"wrote bench/results.json and bench/results.md")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions, smaller memory test")
    ap.add_argument("--skip", action="append", default=[], help="cold|throughput|jobs|memory")
    args = ap.parse_args()
    results: dict = {}
    cold_start(results, repeat=5 if args.quick else 15) if "cold" not in args.skip else None
    if not (CORPUS / "labels.tsv").exists():
        print("../shared/corpora not found: throughput, --jobs and memory need it")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            tmpdir = Path(tmp)
            if "throughput" not in args.skip:
                throughput(results)
            if "jobs" not in args.skip:
                jobs_scaling(results, tmpdir)
            if "memory" not in args.skip:
                memory(results, tmpdir, sizes=(1_000, 10_000) if args.quick else (1_000, 100_000))
    write(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
