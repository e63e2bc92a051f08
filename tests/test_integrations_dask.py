"""The Dask adapter on a real distributed cluster (2 worker processes) gives exactly the single-process results."""
from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

pytest.importorskip("dask.bag")
distributed = pytest.importorskip("distributed")

from contentlint import Linter  # noqa: E402
from contentlint.integrations.dask import as_dict, check_paths, check_paths_bag, expand_paths  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _folder(tmp_path: Path) -> Path:
    """~10 real messages: SpamAssassin corpus samples, MIT/Apache templates, the bundled examples
    (an mbox-free set plus a Send API payload holding several messages), in two sub-folders."""
    box = tmp_path / "mail"
    (box / "corpus").mkdir(parents=True)
    (box / "examples").mkdir()
    picked = sorted((ROOT / "corpora").glob("sa_*.eml"))[:5] + sorted((ROOT / "corpora").glob("tpl_*.html"))[:2]
    assert len(picked) >= 5, "corpora/ should hold SpamAssassin samples and templates"
    for p in picked:
        shutil.copy(p, box / "corpus" / p.name)
    for name in ("newsletter-en.eml", "promo-fr.eml", "template-fr.html", "mailjet-payload.json"):
        shutil.copy(ROOT / "examples" / name, box / "examples" / name)
    # inputs that cannot be used must come through as errors, in their place
    (box / "examples" / "empty.eml").write_bytes(b"")
    (box / "examples" / "not-a-payload.json").write_text('{"name": "package.json, not a message"}')
    return box


def _single_process(linter: Linter, paths) -> list[dict]:
    return [as_dict(item) for path in paths for item in linter.iter_path(path)]


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                                  silence_logs=40) as cluster, distributed.Client(cluster) as c:
        yield c


def test_linter_pickles_with_its_settings():
    linter = Linter(kind="transactional", ignore=["all-caps"], thresholds={"warn": 2.0, "fail": 4.0})
    clone = pickle.loads(pickle.dumps(linter))
    assert (clone.kind, clone.ignore, clone.thresholds) == (linter.kind, linter.ignore, linter.thresholds)
    assert [r.id for r in clone.rules] == [r.id for r in linter.rules]


def test_cluster_results_equal_single_process_results(tmp_path, client):
    box = _folder(tmp_path)
    missing = str(tmp_path / "no-such-file.eml")
    paths = [str(box / "corpus"), str(box / "examples"), missing]
    linter = Linter()
    expected = _single_process(linter, paths)

    got = check_paths(paths, linter, npartitions=4)

    assert got == expected                       # same dicts, same order
    reports = [d for d in got if not d.get("error")]
    errors = [d for d in got if d.get("error")]
    assert len(reports) >= 10
    assert {Path(d["source"]).name for d in errors} >= {"empty.eml", "no-such-file.eml"}
    # several messages of one Send API payload keep their index order
    payload = [d["index"] for d in reports if d["source"].endswith("mailjet-payload.json")]
    assert len(payload) >= 2 and payload == sorted(payload)
    # the work really ran on the two worker processes
    assert len(client.scheduler_info()["workers"]) == 2


def test_settings_travel_to_the_workers(tmp_path, client):
    box = _folder(tmp_path)
    linter = Linter(kind="transactional", ignore=["missing-unsubscribe"])
    got = check_paths_bag([box], linter, npartitions=3).compute()
    assert got == _single_process(linter, [box])
    assert all(d["kind"] == "transactional" for d in got if not d.get("error"))
    assert not any(f["rule"] == "missing-unsubscribe" for d in got if not d.get("error") for f in d["findings"])


def test_folders_are_expanded_in_iter_path_order(tmp_path):
    box = _folder(tmp_path)
    units = expand_paths([box])
    walked = [p for p, w, _ in units if w]
    assert walked and all(w for _, w, _ in units)
    # the order iter_path reads the folder in
    single = [d["source"] for d in _single_process(Linter(), [box])]
    assert list(dict.fromkeys(single)) == [p for p in walked if p in single]
