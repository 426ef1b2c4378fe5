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

Every write that fails (a full disk, a read-only file system, no permission) raises
:class:`StorageError`, naming the file, after leaving the folder as it was before that write: a
temporary file is removed, and an index line cut short is taken back. So a sweep stopped by a full
disk keeps every run it finished, and resumes once there is space again.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "INDEX",
    "MANIFEST",
    "RUNS",
    "IndexWriter",
    "StorageError",
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


class StorageError(OSError):
    """A file of a sweep folder could not be written: ``filename`` is the file, ``strerror`` why.

    Raised for a full disk, a read-only file system, missing permission and other operating
    system errors while writing; what the folder held before the failed write is intact.

    >>> error = StorageError.wrap(OSError(28, "No space left on device"), "sweep/index.jsonl")
    >>> error.errno, error.filename, str(error)
    (28, 'sweep/index.jsonl', 'cannot write sweep/index.jsonl: No space left on device')
    """

    def __str__(self) -> str:
        return f"cannot write {self.filename}: {self.strerror}"

    @classmethod
    def wrap(cls, error: OSError, path: str | Path) -> StorageError:
        """``error`` (raised while writing ``path``) as a StorageError naming ``path``."""
        if isinstance(error, StorageError):
            return error
        reason = os.strerror(error.errno) if error.errno else " ".join(str(error).split())
        return cls(error.errno, reason, str(path))


def _temporary(path: Path) -> Path:
    # Hidden, unique per process, and in the same folder so that os.replace stays atomic.
    return path.with_name(f".{path.name}.{os.getpid()}{_TEMP_SUFFIX}")


def write_parquet_atomic(table: pa.Table | pd.DataFrame, path: str | Path) -> Path:
    """Write ``table`` to ``path`` so that readers see the whole file or none of it.

    Raises
    ------
    StorageError
        If the file cannot be written; no temporary file is left and an earlier ``path`` is kept.
    """
    path = Path(path)
    temporary = _temporary(path)
    if isinstance(table, pd.DataFrame):
        table = pa.Table.from_pandas(table, preserve_index=False)
    try:
        pq.write_table(table, temporary)
        os.replace(temporary, path)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise StorageError.wrap(error, path) from error
        raise
    return path


def write_json_atomic(data: Mapping[str, Any], path: str | Path) -> Path:
    """Write ``data`` as indented JSON to ``path``, whole or not at all.

    Raises
    ------
    StorageError
        If the file cannot be written; no temporary file is left and an earlier ``path`` is kept.
    """
    path = Path(path)
    temporary = _temporary(path)
    try:
        temporary.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise StorageError.wrap(error, path) from error
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
    """Append run records to ``index.jsonl``, one line each, on disk before the next run is recorded.

    Use as a context manager. Each record is written with one ``write`` and synced, so the index
    never lags the run files by more than the run being recorded. A record that cannot be written
    whole (a full disk) is taken back, and a line cut short by an earlier crash is removed on
    opening, so the file holds only whole lines and later records start on a line of their own.

    Raises
    ------
    StorageError
        From ``with`` or :meth:`append` when the index cannot be opened or written.
    """

    def __init__(self, out_dir: str | Path) -> None:
        self.path = Path(out_dir) / INDEX
        self._fd: int | None = None

    def __enter__(self) -> IndexWriter:
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
            self._drop_partial_line()
        except OSError as error:
            self._close()
            raise StorageError.wrap(error, self.path) from error
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    def _close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):  # every record is already synced
                os.close(fd)

    def _drop_partial_line(self) -> None:
        size = os.fstat(self._fd).st_size
        if size == 0 or os.pread(self._fd, 1, size - 1) == b"\n":
            return
        text = os.pread(self._fd, size, 0)
        os.ftruncate(self._fd, text.rfind(b"\n") + 1)

    def append(self, record: Mapping[str, Any]) -> None:
        """Write one record as a JSON line and push it to disk; on failure the index is as before."""
        if self._fd is None:
            raise RuntimeError("IndexWriter.append outside its `with` block")
        line = memoryview((json.dumps(record, sort_keys=True, allow_nan=True) + "\n").encode("utf-8"))
        try:
            start = os.fstat(self._fd).st_size
        except OSError as error:
            raise StorageError.wrap(error, self.path) from error
        try:
            _write_all(self._fd, line)
            os.fsync(self._fd)
        except BaseException as error:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, start)
            if isinstance(error, OSError):
                raise StorageError.wrap(error, self.path) from error
            raise


def _write_all(fd: int, data: memoryview) -> None:
    """Write all of ``data`` to ``fd`` (``os.write`` may write part of it, e.g. on a full disk)."""
    while data:
        data = data[os.write(fd, data) :]


def read_index(out_dir: str | Path, all_attempts: bool = False) -> pd.DataFrame:
    """The run index as a table, one row per run (its last attempt) unless ``all_attempts``.

    A line cut short by a crash is ignored.
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
