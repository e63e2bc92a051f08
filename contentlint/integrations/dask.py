"""Scale contentlint past one machine with Dask.

A ``Linter`` is picklable, so Dask ships one copy to each worker and every worker checks its own
partition of files.  Results come back as the same dictionaries ``Report.to_dict()`` gives in a
single process (and input errors as ``{"source", "message"}`` dictionaries), in input order.

    from dask.distributed import Client
    from contentlint.integrations.dask import check_paths_bag

    client = Client("tcp://scheduler:8786")          # or LocalCluster() on one machine
    bag = check_paths_bag(paths, npartitions=64)     # lazy dask.bag of result dictionaries
    bag.map(json.dumps).to_textfiles("out/*.jsonl")  # stream results to storage

Deployment: install contentlint (same version) on the scheduler's workers, e.g. in the worker image
or with ``client.upload_file``; messages are read by the workers, so paths must be visible to them
(shared filesystem or object-store mount).
"""
from __future__ import annotations

from typing import Iterable, Optional


def _check_partition(paths: Iterable[str], linter) -> list[dict]:
    out: list[dict] = []
    for path in paths:
        for item in linter.iter_path(path):
            out.append(_as_dict(item))
    return out


def _as_dict(item) -> dict:
    if hasattr(item, "to_dict"):
        return item.to_dict()
    # an input error
    return {"source": item.source, "message": item.message, "error": True,
            **({"index": item.index} if getattr(item, "index", None) is not None else {})}


def check_paths_bag(paths: Iterable[str], linter=None, *, npartitions: Optional[int] = None, **linter_kwargs):
    """A lazy ``dask.bag.Bag`` of result dictionaries for the files in ``paths`` (in order).

    ``linter`` defaults to ``Linter(**linter_kwargs)``; it is built once here, pickled once per task.
    """
    import dask.bag as db

    if linter is None:
        from ..api import Linter

        linter = Linter(**linter_kwargs)
    paths = [str(p) for p in paths]
    if npartitions is None:
        npartitions = max(1, min(len(paths), 100))
    bag = db.from_sequence(paths, npartitions=max(1, min(npartitions, len(paths) or 1)))
    return bag.map_partitions(_check_partition, linter)


def check_paths(paths: Iterable[str], linter=None, *, npartitions: Optional[int] = None, **linter_kwargs) -> list[dict]:
    """Compute ``check_paths_bag`` on the current Dask scheduler (a ``distributed.Client`` if one is active)."""
    return check_paths_bag(paths, linter, npartitions=npartitions, **linter_kwargs).compute()
