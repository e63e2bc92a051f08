"""Scale contentlint past one machine with Dask (``pip install "contentlint[dask]"``).

A ``Linter`` pickles as its settings, so Dask ships it to every worker once per task; each worker
rebuilds the rule set once (from its own compiled-pack cache) and checks its partition of files.
Results are the dictionaries ``Report.to_dict()`` gives in a single process, in input order; an input
that cannot be used gives ``{"source", "message", ["index",] "error": True}`` (``InputError.to_dict()``
plus the flag) in its place, as ``Linter.iter_path`` yields it.

    from dask.distributed import Client
    from contentlint.integrations.dask import check_paths_bag

    client = Client("tcp://scheduler:8786")          # or Client(LocalCluster()) on one machine
    bag = check_paths_bag(["archive/2024/"])         # lazy dask.bag of result dictionaries
    bag.map(json.dumps).to_textfiles("out/*.jsonl")  # results stream to storage, partition by partition

Folders are walked on the client (same order and rules as ``iter_path``: recursive, by extension, name
order) so their files spread over the workers; a single huge mbox stays one task (split it first).

Deployment: install the same contentlint version on the workers (worker image, or
``client.upload_file`` of the wheel); the workers read the messages, so the paths must be visible to
them (shared filesystem or object-store mount).  No network access is needed beyond Dask's own.
"""
from __future__ import annotations

import os
from typing import Any, Iterable, Optional

__all__ = ["check_paths_bag", "check_paths", "expand_paths", "as_dict"]


def as_dict(item: Any) -> dict:
    """A ``Report`` as ``Report.to_dict()``; an ``InputError`` as its dict with ``"error": True``."""
    if hasattr(item, "score") and hasattr(item, "to_dict"):
        return item.to_dict()
    out = {"source": item.source, "message": item.message}
    if getattr(item, "index", None) is not None:
        out["index"] = item.index
    out["error"] = True
    return out


def expand_paths(paths: Iterable[Any]) -> list[tuple[str, bool, Optional[str]]]:
    """``(path, walked, error)`` units: folders replaced by their files (``walked=True``) in the order
    ``iter_path`` reads them; a folder entry that cannot be read keeps its error message."""
    from ..readers.walk import walk

    units: list[tuple[str, bool, Optional[str]]] = []
    for p in paths:
        path = os.fspath(p)
        if path != "-" and os.path.isdir(path):
            units.extend((fpath, True, error) for fpath, error in walk(path))
        else:
            units.append((path, False, None))
    return units


def _check_unit(linter, path: str, walked: bool, error: Optional[str]) -> list[dict]:
    from ..readers import InputError

    if error is not None:
        return [as_dict(InputError(path, error))]
    if not walked:
        return [as_dict(item) for item in linter.iter_path(path)]
    from .. import readers

    out: list[dict] = []
    # a file found in a folder walk is read as iter_path reads it inside that walk
    for item in readers._guard(path, lambda: readers._read_path(path, linter.read_options, from_walk=True)):
        if isinstance(item, InputError):
            out.append(as_dict(item))
        else:
            out.extend(as_dict(result) for result in linter.check_items(item))
    return out


def _check_partition(units: Iterable[tuple], linter) -> list[dict]:
    out: list[dict] = []
    for path, walked, error in units:
        out.extend(_check_unit(linter, path, walked, error))
    return out


def check_paths_bag(paths: Iterable[Any], linter=None, *, npartitions: Optional[int] = None, **linter_kwargs):
    """A lazy ``dask.bag.Bag`` of result dictionaries for ``paths`` (files and folders), in input order.

    ``linter`` defaults to ``Linter(**linter_kwargs)``.  ``npartitions`` defaults to about 4 files per
    partition, at most 1,000 partitions (each partition is one task: a few hundred files per task keep
    the scheduler's overhead small on big archives).
    """
    import dask.bag as db

    if linter is None:
        from ..api import Linter

        linter = Linter(**linter_kwargs)
    elif linter_kwargs:
        raise TypeError("give either a Linter or Linter keyword arguments, not both")
    units = expand_paths(paths)
    if not units:
        return db.from_sequence([], npartitions=1)
    if npartitions is None:
        npartitions = min(1000, max(1, len(units) // 4))
    bag = db.from_sequence(units, npartitions=max(1, min(int(npartitions), len(units))))
    return bag.map_partitions(_check_partition, linter)


def check_paths(paths: Iterable[Any], linter=None, *, npartitions: Optional[int] = None, **linter_kwargs) -> list[dict]:
    """``check_paths_bag(...).compute()``: on the active ``distributed.Client`` if there is one, else on
    Dask's local scheduler."""
    return check_paths_bag(paths, linter, npartitions=npartitions, **linter_kwargs).compute()
