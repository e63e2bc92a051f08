#!/usr/bin/env python3
"""contentlint benchmark: cold start, throughput, --jobs scaling and memory, side by side with the tools
people would otherwise use (yamllint for start-up, Apache SpamAssassin for throughput).

    .venv/bin/python bench/bench.py                   # everything (about 8 minutes on 2 cores)
    .venv/bin/python bench/bench.py --quick           # fewer repetitions, SA on 200 messages, RSS at 1k/10k
    .venv/bin/python bench/bench.py --sa-sample 0     # SpamAssassin on the whole corpus (about 5 more minutes)
    .venv/bin/python bench/bench.py --skip memory     # skip a section (cold, throughput, jobs, memory)

What is measured, and how:

* cold start: wall time of ``contentlint check <template>`` and of ``yamllint <small.yaml>``, alternated,
  median of N runs after warm-up runs.  Both run **without PYTHONDONTWRITEBYTECODE** (removed from the
  environment even when the calling shell sets it) so Python writes and reuses its ``.pyc`` files, and
  contentlint's user cache (compiled packs, placeholder patterns, public-suffix tables) is warm: the
  situation of a pre-commit hook run after the first.  The first run after an edit of a pack, and a run
  with ``CONTENTLINT_NO_CACHE=1``, are shown too.
* throughput: messages/second of one process checking ``../shared/corpora/*.eml`` with the library
  (read + HTML analysis + rules + score; start-up excluded: the rule set and the French tagger are loaded
  before the clock starts, and the tagger's one-time load is measured apart in a fresh process), on the
  whole corpus and on the sample given
  to SpamAssassin.  SpamAssassin 4.0.1 runs in one Perl process through ``../shared/baselines/sa_score.pl``
  (local tests only, Bayes off); its rate is the one it reports for its check loop (rule compilation
  excluded), measured on a deterministic sample of ``--sa-sample`` messages stratified by source (every
  k-th file of each source in name order) because the whole corpus takes it about 5 minutes.
* ``--jobs``: wall time of the CLI with ``--jobs 1`` and ``--jobs 2`` over the corpus, ``--format jsonl``;
  the two outputs must be byte-identical.
* memory: peak RSS (``/usr/bin/time -f %M``) of ``contentlint check --format jsonl -`` reading an mbox of
  1,000 and of 100,000 messages streamed on standard input (corpus messages repeated, round robin
  over all sources).

Writes bench/results.json and bench/results.md (quoted by the README) with the date and the machine.
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
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpora"
BASELINES = SHARED / "baselines"
BIN = Path(sys.executable).parent
CONTENTLINT = [str(BIN / "contentlint")] if (BIN / "contentlint").exists() else [sys.executable, "-m", "contentlint.cli"]
# the user's situation: .pyc files written and reused (this environment may set PYTHONDONTWRITEBYTECODE=1)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def log(msg: str) -> None:
    print(msg, flush=True)


def run_timed(cmd, env=None, **kw) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env or ENV, **kw)
    return time.perf_counter() - t0


def children_cpu() -> float:
    """CPU seconds (user + system) used so far by this process's finished children."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


# -- corpus --------------------------------------------------------------------------------------------
def corpus_eml() -> list[tuple[str, str, str]]:
    """(file name, label, source) of every .eml of the corpus, in labels.tsv order."""
    rows = []
    with open(CORPUS / "labels.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3 and parts[0].endswith(".eml"):
                rows.append((parts[0], parts[1], parts[2]))
    return rows


def stratified_sample(rows, n: int):
    """About ``n`` rows, every k-th file of each source in name order (deterministic, all sources kept)."""
    if n <= 0 or n >= len(rows):
        return list(rows)
    by_source: dict[str, list] = {}
    for row in sorted(rows):
        by_source.setdefault(row[2], []).append(row)
    out = []
    for source, items in sorted(by_source.items()):
        share = max(1, round(n * len(items) / len(rows)))
        step = len(items) / share
        out.extend(items[int(i * step)] for i in range(share))
    return out


# -- cold start ----------------------------------------------------------------------------------------
def cold_start(results: dict, repeat: int) -> None:
    template = ROOT / "examples" / "template-fr.html"
    yamllint = shutil.which("yamllint", path=str(BIN)) or shutil.which("yamllint")
    with tempfile.TemporaryDirectory() as tmp:
        yml = Path(tmp) / "small.yaml"
        yml.write_text("---\nname: newsletter\nsubject: Hello\nitems:\n  - one\n  - two\n")
        ours_cmd = [*CONTENTLINT, "check", "--no-color", str(template)]
        theirs_cmd = [yamllint, str(yml)] if yamllint else None
        for _ in range(3):           # writes .pyc files and contentlint's user cache
            run_timed(ours_cmd)
            if theirs_cmd:
                run_timed(theirs_cmd)
        ours, theirs = [], []
        for _ in range(repeat):      # alternated, so both see the same machine load
            ours.append(run_timed(ours_cmd))
            if theirs_cmd:
                theirs.append(run_timed(theirs_cmd))
        no_cache = [run_timed(ours_cmd, env=dict(ENV, CONTENTLINT_NO_CACHE="1")) for _ in range(max(3, repeat // 3))]
        # the first run after a pack changed: a fresh cache folder
        first = []
        for _ in range(3):
            with tempfile.TemporaryDirectory() as cache:
                first.append(run_timed(ours_cmd, env=dict(ENV, CONTENTLINT_CACHE_DIR=cache)))
    results["cold_start_s"] = round(statistics.median(ours), 4)
    results["cold_start_min_s"] = round(min(ours), 4)
    results["cold_start_no_cache_s"] = round(statistics.median(no_cache), 4)
    results["cold_start_first_run_s"] = round(statistics.median(first), 4)
    line = f"cold start (median of {repeat}, .pyc and user cache warm): contentlint {results['cold_start_s']:.3f} s"
    if theirs:
        results["yamllint_cold_start_s"] = round(statistics.median(theirs), 4)
        results["cold_start_ratio_vs_yamllint"] = round(results["cold_start_s"] / results["yamllint_cold_start_s"], 2)
        line += (f", yamllint {results['yamllint_cold_start_s']:.3f} s → ratio "
                 f"{results['cold_start_ratio_vs_yamllint']:.2f}x (target ≤ 2x)")
    else:
        line += " (yamllint not installed: pip install 'contentlint[bench]')"
    log(line)
    log(f"  with CONTENTLINT_NO_CACHE=1: {results['cold_start_no_cache_s']:.3f} s; "
        f"first run with an empty cache (after a pack edit): {results['cold_start_first_run_s']:.3f} s")


# -- throughput ------------------------------------------------------------------------------------------
def _ours_rate(files: list[Path]) -> tuple[int, float]:
    sys.path.insert(0, str(ROOT))
    from contentlint import Linter

    linter = Linter()
    for item in linter.iter_path(str(files[0])):   # rule set loaded before the clock starts
        pass
    _french_tagger()                                # and the French tagger (its one-time load is measured apart)
    n = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for path in files:
        for _ in linter.iter_path(str(path)):
            n += 1
    return n, time.perf_counter() - t0, time.process_time() - c0


def _french_tagger() -> None:
    """Load the French part-of-speech tagger in this process (a few corpus messages need it; its one-time load
    is measured apart, in a fresh process, by ``throughput``)."""
    try:
        from contentlint.engine.morph import pipeline
    except ImportError:
        return
    pipeline("fr")


def throughput(results: dict, sa_sample: int) -> None:
    # the tagger's one-time load, in a fresh process (a run that meets a French "prêt" or "cadeau" no context
    # exception decides pays it once; SpamAssassin's own start-up is outside its rate too)
    probe = subprocess.run([sys.executable, "-c", "import sys, time; sys.path.insert(0, sys.argv[1]); "
                            "t = time.perf_counter(); from contentlint.engine.morph import pipeline; "
                            "pipeline('fr'); print(time.perf_counter() - t)", str(ROOT)],
                           capture_output=True, text=True, env=ENV)
    try:
        results["french_tagger_load_s"] = round(float(probe.stdout.strip().splitlines()[-1]), 2)
        log(f"French tagger, one-time load in a fresh process: {results['french_tagger_load_s']} s")
    except (ValueError, IndexError):
        log("French tagger not loadable: " + probe.stderr[-300:])
    rows = corpus_eml()
    files = [CORPUS / name for name, _, _ in rows]
    n, wall, cpu = _ours_rate(files)
    results["corpus_messages"] = n
    results["msgs_per_s"] = round(n / wall, 1)
    results["msgs_per_cpu_s"] = round(n / cpu, 1)
    log(f"throughput, whole corpus: {n} messages in {wall:.1f} s = {n / wall:.0f} msg/s (one process, one core; "
        f"{n / cpu:.0f} messages per CPU second)")

    sample = stratified_sample(rows, sa_sample)
    n_s, wall_s, cpu_s = _ours_rate([CORPUS / name for name, _, _ in sample])
    results["sa_sample_messages"] = len(sample)
    results["msgs_per_s_on_sa_sample"] = round(n_s / wall_s, 1)
    results["msgs_per_cpu_s_on_sa_sample"] = round(n_s / cpu_s, 1)
    log(f"throughput, SpamAssassin's sample ({len(sample)} messages): {n_s / wall_s:.0f} msg/s "
        f"({n_s / cpu_s:.0f} per CPU second)")

    if not (shutil.which("spamassassin") and shutil.which("perl") and (BASELINES / "sa_score.pl").exists()):
        log("SpamAssassin not installed: skipped (apt-get install spamassassin)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        labels = Path(tmp) / "labels.tsv"
        labels.write_text("file\tlabel\tsource\n" + "".join(f"{a}\t{b}\t{c}\n" for a, b, c in sample))
        log(f"SpamAssassin on {len(sample)} messages (about {len(sample) / 12 + 10:.0f} s)…")
        t0, c0 = time.perf_counter(), children_cpu()
        proc = subprocess.run(["perl", str(BASELINES / "sa_score.pl"), str(BASELINES / "sa-prefs.cf"), str(labels),
                               str(CORPUS)], capture_output=True, text=True, cwd=BASELINES)
        sa_wall, sa_cpu = time.perf_counter() - t0, children_cpu() - c0
    scored = sum(1 for line in proc.stdout.splitlines()[1:] if line.strip())
    reported = None
    for part in proc.stderr.split():
        if part.startswith("msg_per_s="):
            reported = float(part.split("=", 1)[1])
    if not scored or not reported:
        log("SpamAssassin run produced no scores: " + proc.stderr[-500:])
        return
    results["spamassassin_msgs_per_s"] = round(reported, 1)
    results["spamassassin_msgs_per_s_with_startup"] = round(scored / sa_wall, 1)
    results["throughput_ratio_vs_spamassassin"] = round(results["msgs_per_s_on_sa_sample"] / reported, 1)
    results["throughput_ratio_whole_corpus_vs_spamassassin"] = round(results["msgs_per_s"] / reported, 1)
    results["spamassassin_msgs_per_cpu_s_with_startup"] = round(scored / sa_cpu, 1) if sa_cpu else None
    if sa_cpu:
        results["cpu_ratio_vs_spamassassin"] = round(results["msgs_per_cpu_s_on_sa_sample"] / (scored / sa_cpu), 1)
    log(f"SpamAssassin 4.0.1 (local tests, Bayes off): {reported:.1f} msg/s in its check loop "
        f"({scored / sa_wall:.1f} msg/s counting its start-up) → ratio {results['throughput_ratio_vs_spamassassin']}x "
        f"on the same messages (target ≥ 20x)")


# -- --jobs ----------------------------------------------------------------------------------------------
def jobs_scaling(results: dict, tmpdir: Path) -> None:
    listing = [str(CORPUS / name) for name, _, _ in corpus_eml()]
    timings, cpus = {}, {}
    load = load_average()
    for jobs in (1, 2):
        out = tmpdir / f"j{jobs}.jsonl"
        cmd = [*CONTENTLINT, "check", "--format", "jsonl", "--jobs", str(jobs), "--output", str(out), *listing]
        c0 = children_cpu()
        timings[jobs] = run_timed(cmd)
        cpus[jobs] = children_cpu() - c0
    same = (tmpdir / "j1.jsonl").read_bytes() == (tmpdir / "j2.jsonl").read_bytes()
    results["jobs1_s"] = round(timings[1], 2)
    results["jobs2_s"] = round(timings[2], 2)
    results["jobs2_speedup"] = round(timings[1] / timings[2], 2)
    results["jobs2_identical_output"] = same
    # on a machine other processes keep busy the wall-clock speed-up says little: CPU seconds used per
    # wall second (parallelism obtained) and the extra CPU the worker processes cost say what scales
    results["jobs1_cpu_s"] = round(cpus[1], 2)
    results["jobs2_cpu_s"] = round(cpus[2], 2)
    results["jobs2_cpu_overhead"] = round(cpus[2] / cpus[1], 2) if cpus[1] else None
    results["jobs_load_average_before"] = load
    log(f"--jobs over {len(listing)} files (CLI, jsonl): 1 job {timings[1]:.1f} s, 2 jobs {timings[2]:.1f} s, "
        f"speed-up {timings[1] / timings[2]:.2f}x on {os.cpu_count()} cores; byte-identical output: {same}")
    log(f"  CPU: 1 job {cpus[1]:.1f} s ({cpus[1] / timings[1]:.2f} cores busy), 2 jobs {cpus[2]:.1f} s "
        f"({cpus[2] / timings[2]:.2f} cores busy); load average before: {load}")


# -- memory ----------------------------------------------------------------------------------------------
def _mbox_messages(count: int = 300) -> list[bytes]:
    rows = stratified_sample(corpus_eml(), count)
    out = []
    for name, _, _ in rows:
        data = (CORPUS / name).read_bytes()
        if data.startswith(b"From "):
            data = data.split(b"\n", 1)[1] if b"\n" in data else b""
        body = data.replace(b"\r\n", b"\n").replace(b"\nFrom ", b"\n>From ")
        out.append(b"From bench@example.com Thu Jan  1 00:00:00 2026\n" + body.rstrip(b"\n") + b"\n\n")
    return out


def peak_rss(cmd, feed) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of ``cmd`` with ``feed()``'s chunks written to its standard input."""
    with tempfile.NamedTemporaryFile("r") as tf:
        full = ["/usr/bin/time", "-f", "%M", "-o", tf.name, *cmd] if Path("/usr/bin/time").exists() else cmd
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=ENV)

        def writer():
            try:
                for chunk in feed():
                    proc.stdin.write(chunk)
                proc.stdin.close()
            except BrokenPipeError:
                pass

        t = threading.Thread(target=writer, daemon=True)
        t.start()
        proc.wait()
        wall = time.perf_counter() - t0
        t.join(timeout=5)
        if full is cmd:
            import resource

            return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return wall, int(tf.read().strip().splitlines()[-1]) / 1024


def memory(results: dict, sizes) -> None:
    raws = _mbox_messages()
    for n in sizes:
        def feed(n=n):
            for i in range(n):
                yield raws[i % len(raws)]

        size_mb = sum(len(raws[i % len(raws)]) for i in range(min(n, len(raws)))) * (n / min(n, len(raws))) / 1e6
        log(f"memory: streaming an mbox of {n:,} messages (~{size_mb:,.0f} MB) on stdin…")
        wall, rss = peak_rss([*CONTENTLINT, "check", "--format", "jsonl", "--output", os.devnull, "-"], feed)
        results[f"rss_mb_{n}"] = round(rss, 1)
        results[f"mbox_{n}_msgs_per_s"] = round(n / wall, 1)
        log(f"  peak RSS {rss:.0f} MB, {n / wall:.0f} msg/s (whole run, start-up included)")
    if len(sizes) >= 2:
        a, b = results[f"rss_mb_{sizes[0]}"], results[f"rss_mb_{sizes[-1]}"]
        results["rss_growth_mb"] = round(b - a, 1)
        log(f"  growth from {sizes[0]:,} to {sizes[-1]:,} messages: {b - a:+.1f} MB")


# -- report ------------------------------------------------------------------------------------------------
def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"


ROWS = [
    ("Cold start, one template (median)", "cold_start_s", "s", "yamllint, one small YAML file", "yamllint_cold_start_s",
     "cold_start_ratio_vs_yamllint", "≤ 2x"),
    ("Messages/s, one process (SA's sample)", "msgs_per_s_on_sa_sample", "msg/s", "SpamAssassin 4.0.1, same messages",
     "spamassassin_msgs_per_s", "throughput_ratio_vs_spamassassin", "≥ 20x"),
    ("Messages/s, one process (whole corpus)", "msgs_per_s", "msg/s", "SpamAssassin (its sample rate)",
     "spamassassin_msgs_per_s", "throughput_ratio_whole_corpus_vs_spamassassin", "≥ 20x"),
]


def write(results: dict, args) -> None:
    if not getattr(args, "markdown_only", False):
        now = datetime.now(timezone.utc)
        results["date"] = now.strftime("%Y-%m-%d %H:%M UTC")
        results["machine"] = machine()
        results["command"] = "bench/bench.py " + " ".join(sys.argv[1:])
        (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    lines = [f"# contentlint benchmark ({results['date']})", "", f"Machine: {results['machine']}.",
             f"Command: `.venv/bin/python {results['command'].strip()}` (see the docstring of bench/bench.py).",
             f"Load average when it started: {results.get('load_average_at_start', 'n/a')} (other processes share "
             "the cores; wall-clock figures of one run are comparable with each other).", "",
             "| measure | contentlint | compared with | theirs | ratio | target |", "|---|---|---|---|---|---|"]
    for title, ours, unit, who, theirs, ratio, target in ROWS:
        if ours in results:
            lines.append(f"| {title} | {results[ours]} {unit} | {who} | {results.get(theirs, 'n/a')} {unit} | "
                         f"{results.get(ratio, 'n/a')}x | {target} |")
    if "jobs2_speedup" in results:
        lines.append(f"| `--jobs 2` speed-up (CLI, corpus) | {results['jobs1_s']} s → {results['jobs2_s']} s | "
                     f"`--jobs 1` | | {results['jobs2_speedup']}x | ≈ 2x on 2 idle cores; identical output: "
                     f"{results['jobs2_identical_output']} |")
        if results.get("jobs1_cpu_s"):
            lines.append(f"| `--jobs` CPU seconds (cores kept busy) | 1 job {results['jobs1_cpu_s']} s "
                         f"({results['jobs1_cpu_s'] / results['jobs1_s']:.2f}), 2 jobs {results['jobs2_cpu_s']} s "
                         f"({results['jobs2_cpu_s'] / results['jobs2_s']:.2f}) | | | "
                         f"{results['jobs2_cpu_overhead']}x CPU | ≈ 1x CPU |")
    rss = sorted(int(k.split("_")[-1]) for k in results if k.startswith("rss_mb_"))
    if rss:
        lines.append(f"| Peak RSS, streamed mbox, jsonl | " + " / ".join(f"{results[f'rss_mb_{n}']} MB at {n:,}" for n in rss)
                     + " messages | | | | flat |")
    lines += ["", "All figures:", "", "| key | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in results.items() if k not in ("date", "machine", "command")]
    (ROOT / "bench" / "results.md").write_text("\n".join(lines) + "\n")
    log("wrote bench/results.json and bench/results.md")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer repetitions, SA on 200 messages, RSS at 1k and 10k")
    ap.add_argument("--repeat", type=int, default=None, help="cold-start runs per tool (default 21; 7 with --quick)")
    ap.add_argument("--sa-sample", type=int, default=None, metavar="N",
                    help="messages given to SpamAssassin, stratified by source (default 600; 0 = whole corpus)")
    ap.add_argument("--rss-sizes", default=None, help="comma-separated mbox sizes (default 1000,100000)")
    ap.add_argument("--skip", action="append", default=[], choices=["cold", "throughput", "jobs", "memory"])
    ap.add_argument("--markdown-only", action="store_true", help="rewrite bench/results.md from bench/results.json")
    args = ap.parse_args()
    if args.markdown_only:
        write(json.loads((ROOT / "bench" / "results.json").read_text()), args)
        return 0
    repeat = args.repeat or (7 if args.quick else 21)
    sa_sample = args.sa_sample if args.sa_sample is not None else (200 if args.quick else 600)
    sizes = tuple(int(x) for x in args.rss_sizes.split(",")) if args.rss_sizes else \
        ((1_000, 10_000) if args.quick else (1_000, 100_000))
    results: dict = {"load_average_at_start": load_average()}
    log(f"contentlint benchmark on {machine()}; load average {results['load_average_at_start']} "
        "(other busy processes slow every wall-clock figure: compare ratios measured in the same run)")
    log("(PYTHONDONTWRITEBYTECODE is removed from the tools' environment: .pyc files are written and used)")
    if "cold" not in args.skip:
        cold_start(results, repeat)
    if not (CORPUS / "labels.tsv").exists():
        log("../shared/corpora not found: throughput, --jobs and memory need it")
    else:
        if "throughput" not in args.skip:
            throughput(results, sa_sample)
        if "jobs" not in args.skip:
            with tempfile.TemporaryDirectory() as tmp:
                jobs_scaling(results, Path(tmp))
        if "memory" not in args.skip:
            memory(results, sizes)
    write(results, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
