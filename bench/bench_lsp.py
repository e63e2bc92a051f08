#!/usr/bin/env python3
"""Benchmark of ``contentlint lsp``: how long a re-check takes while a template is edited.

    .venv/bin/python bench/bench_lsp.py              # about 30 seconds
    .venv/bin/python bench/bench_lsp.py --edits 100

What is measured:

* re-check in the worker: ``contentlint.lsp.worker.Checker.check`` on the text of a typical template
  (what the worker process does for each change: read, rules, suppressions, score, mechanical fixes),
  median over ``--edits`` runs after warm-up, packs already compiled;
* edit to diagnostics over stdio: the real server (``contentlint lsp --debounce-ms 0``) driven by pygls'
  client; the time from sending ``textDocument/didChange`` to receiving the ``publishDiagnostics`` of that
  version, median over ``--edits`` edits (the debounce, 300 ms by default, comes on top in an editor);
* hover while a 1 MiB document is checked: the time to answer a hover on the template right after a
  1 MiB document was opened (its check is running in the worker process meanwhile).

Writes bench/results-lsp.json and prints a Markdown table (quoted by the README).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = [ROOT / "examples" / "template-fr.html", ROOT / "tests" / "data" / "lsp" / "promo-fr.html",
             ROOT / "examples" / "promo-fr.eml"]


def worker_recheck(edits: int) -> dict[str, float]:
    from contentlint.lsp.worker import CheckRequest, Checker

    checker = Checker()
    out = {}
    for path in TEMPLATES:
        text = path.read_bytes().decode("utf-8", "surrogateescape") if path.suffix != ".eml" \
            else path.read_bytes().decode("latin-1")
        times = []
        for i in range(edits + 3):
            edited = text.replace("Bonjour", "Bonjour" + " " * (i % 2), 1)
            started = time.perf_counter()
            result = checker.check(CheckRequest(text=edited, source=str(path), hint_ext=path.suffix))
            times.append(time.perf_counter() - started)
            assert result.reports and not result.errors, result.errors
        out[path.relative_to(ROOT).as_posix()] = statistics.median(times[3:]) * 1000
    return out


async def over_stdio(edits: int) -> dict[str, float]:
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("bench", "1")
    arrived: dict[tuple[str, int], float] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params):
        arrived[(params.uri, params.version)] = time.perf_counter()

    async def wait(key, timeout=60.0):
        deadline = time.perf_counter() + timeout
        while key not in arrived:
            if time.perf_counter() > deadline:
                raise TimeoutError(key)
            await asyncio.sleep(0.0005)
        return arrived[key]

    await client.start_io(sys.executable, "-m", "contentlint.cli", "lsp", "--debounce-ms", "0", cwd=str(ROOT))
    drain = asyncio.ensure_future(client._server.stderr.read())
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(),
                                                         root_uri=ROOT.as_uri()))
    client.initialized(types.InitializedParams())
    path = TEMPLATES[0]
    uri = path.as_uri()
    text = path.read_text(encoding="utf-8")
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="html", version=1, text=text)))
    await wait((uri, 1))
    line = text.split("\n").index(next(x for x in text.split("\n") if "Bonjour" in x))
    times = []
    for version in range(2, edits + 2):
        at = types.Position(line, 0)   # type a space at the start of the greeting line, then delete it
        if version % 2 == 0:
            change = types.TextDocumentContentChangePartial(range=types.Range(at, at), text=" ")
        else:
            change = types.TextDocumentContentChangePartial(range=types.Range(at, types.Position(line, 1)), text="")
        started = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[change]))
        times.append(await wait((uri, version)) - started)

    big_uri = (ROOT / "big-bench.html").as_uri()
    paragraph = "<p>Bonjour, voici nos nouvelles du mois avec des livres, des balades et des rencontres.</p>\n"
    big = text.replace("<body", "<body>" + paragraph * (1024 * 1024 // len(paragraph)) + "<div", 1)
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=big_uri, language_id="html", version=1, text=big)))
    started = time.perf_counter()
    await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(1, 12)))
    hover = time.perf_counter() - started
    big_started = started
    big_done = await wait((big_uri, 1), 300) - big_started
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    drain.cancel()
    return {"edit_to_diagnostics_ms": statistics.median(times) * 1000,
            "edit_to_diagnostics_p90_ms": sorted(times)[int(len(times) * 0.9)] * 1000,
            "hover_during_1mib_check_ms": hover * 1000, "check_1mib_s": big_done}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edits", type=int, default=40)
    args = parser.parse_args()
    recheck = worker_recheck(args.edits)
    stdio = asyncio.run(over_stdio(args.edits))
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    results = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "python": platform.python_version(),
               "cpus": os.cpu_count(), "load_average": load, "edits": args.edits,
               "worker_recheck_ms": recheck, **stdio}
    (ROOT / "bench" / "results-lsp.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"contentlint lsp benchmark ({results['date']}, {results['cpus']} CPUs, load {load})\n")
    print("| measure | median |\n|---|---|")
    for name, ms in recheck.items():
        print(f"| re-check in the worker, `{name}` | {ms:.1f} ms |")
    print(f"| edit → diagnostics over stdio, `{TEMPLATES[0].relative_to(ROOT).as_posix()}` (debounce 0) | "
          f"{stdio['edit_to_diagnostics_ms']:.1f} ms (p90 {stdio['edit_to_diagnostics_p90_ms']:.1f} ms) |")
    print(f"| hover answered while a 1 MiB document is checked | {stdio['hover_during_1mib_check_ms']:.1f} ms "
          f"(the 1 MiB check: {stdio['check_1mib_s']:.1f} s) |")


if __name__ == "__main__":
    main()
