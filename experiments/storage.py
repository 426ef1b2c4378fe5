"""The on-disk layout of a sweep, written so that a crash at any moment loses at most the runs in flight.

A sweep folder holds::

    manifest.json          the spec, its hash, the seeds, package versions, one entry per session
    index.jsonl            one JSON line per finished run attempt: parameters, seed, status,
                           wall time, error; appended and flushed as each run ends
    runs/<run_id>.parquet  one file per successful run: one row per recorded month

A Parquet file is readable only once closed (its footer holds the metadata), so each run file is
written under a temporary name and renamed with :func:`os.replace`, which is atomic on one file
system: a run file either exists whole or not at all, and its existence is what "done" means when
a sweep is resumed. The index is append-only; a resumed sweep appends new attempts, and
:func:`read_index` keeps the last attempt of each run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "INDEX",
    "MANIFEST",
    "RUNS",
    "IndexWriter",
    "completed_run_ids",
    "read_index",
    "read_manifest",
    "read_results",
    "remove_stale_temporaries",
    "run_path",
    "write_json_atomic",
    "write_parquet_atomic",
]

MANIFEST = "manifest.json"
INDEX = "index.jsonl"
RUNS = "runs"
_TEMP_SUFFIX = ".tmp"


def run_path(out_dir: str | Path, run_id: str) -> Path:
    """Where the results of ``run_id`` live.

    Examples
    --------
    >>> run_path("sweep", "p0001-r02").as_posix()
    'sweep/runs/p0001-r02.parquet'
    """
    return Path(out_dir) / RUNS / f"{run_id}.parquet"


def _temporary(path: Path) -> Path:
    # Hidden, unique per process, and in the same folder so that os.replace stays atomic.
    return path.with_name(f".{path.name}.{os.getpid()}{_TEMP_SUFFIX}")


def write_parquet_atomic(table: pa.Table | pd.DataFrame, path: str | Path) -> Path:
    """Write ``table`` to ``path`` so that readers see the whole file or none of it."""
    path = Path(path)
    temporary = _temporary(path)
    if isinstance(table, pd.DataFrame):
        table = pa.Table.from_pandas(table, preserve_index=False)
    try:
        pq.write_table(table, temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def write_json_atomic(data: Mapping[str, Any], path: str | Path) -> Path:
    """Write ``data`` as indented JSON to ``path``, whole or not at all."""
    path = Path(path)
    temporary = _temporary(path)
    try:
        temporary.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def remove_stale_temporaries(out_dir: str | Path) -> int:
    """Delete temporary files an interrupted sweep left behind; return how many."""
    removed = 0
    for folder in (Path(out_dir), Path(out_dir) / RUNS):
        if folder.is_dir():
            for path in folder.glob(f".*{_TEMP_SUFFIX}"):
                path.unlink(missing_ok=True)
                removed += 1
    return removed


class IndexWriter:
    """Append run records to ``index.jsonl``, one line each, flushed to disk before the next run.

    Use as a context manager. Flushing and syncing per record means the index never lags the run
    files by more than the run being recorded.
    """

    def __init__(self, out_dir: str | Path) -> None:
        self.path = Path(out_dir) / INDEX
        self._file: TextIO | None = None

    def __enter__(self) -> IndexWriter:
        self._file = self.path.open("a", encoding="utf-8")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def append(self, record: Mapping[str, Any]) -> None:
        """Write one record as a JSON line and push it to disk."""
        if self._file is None:
            raise RuntimeError("IndexWriter.append outside its `with` block")
        self._file.write(json.dumps(record, sort_keys=True, allow_nan=True) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())


def read_index(out_dir: str | Path, all_attempts: bool = False) -> pd.DataFrame:
    """The run index as a table, one row per run (its last attempt) unless ``all_attempts``.

    A line cut short by a crash (the last one only) is ignored.
    """
    path = Path(out_dir) / INDEX
    records = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    frame = pd.DataFrame.from_records(records)
    if frame.empty or all_attempts:
        return frame
    return frame.drop_duplicates("run_id", keep="last").sort_values("run_id").reset_index(drop=True)


def read_manifest(out_dir: str | Path) -> dict[str, Any] | None:
    """The sweep's manifest, or ``None`` if the folder has none yet."""
    path = Path(out_dir) / MANIFEST
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def completed_run_ids(out_dir: str | Path) -> set[str]:
    """Ids of the runs whose results file exists: the runs a resumed sweep skips."""
    folder = Path(out_dir) / RUNS
    return {p.stem for p in folder.glob("*.parquet") if not p.name.startswith(".")}


def read_results(out_dir: str | Path) -> pd.DataFrame:
    """All finished runs' results in one long table, in run id (design) order."""
    paths = sorted((Path(out_dir) / RUNS).glob("[!.]*.parquet"))
    if not paths:
        return pd.DataFrame()
    return pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)
