"""Reading the whole ../shared/corpora development set: one result per file, no exception, no internal error."""
from __future__ import annotations

from test_readers_helpers import ensure_analysis_modules

ensure_analysis_modules()

from contentlint.model import Message  # noqa: E402
from contentlint.readers import InputError, iter_messages  # noqa: E402


def test_every_corpus_file_gives_exactly_one_message(shared_corpora):
    rows = [line.split("\t") for line in (shared_corpora / "labels.tsv").read_text().splitlines()[1:] if line]
    paths = [str(shared_corpora / row[0]) for row in rows]
    results = list(iter_messages(paths))
    assert len(results) == len(paths)
    assert [r.source for r in results] == paths
    errors = [r for r in results if isinstance(r, InputError)]
    assert errors == []
    assert all(isinstance(r, Message) and r.index == 0 for r in results)
    # every message has something to check, except the rare one whose only part is an attachment
    empty = [r.source for r in results if r.html is None and r.text is None]
    assert len(empty) <= 2, empty
