"""Running a sweep: every run of a spec in local worker processes, each result on disk as it ends.

The design (:mod:`experiments.design`), the evaluation of one run (:func:`execute_run`) and the
bookkeeping (:mod:`experiments.storage`) are separate, so each can be used alone. Workers write
their run's Parquet file themselves and send back only a small record, so the parent never holds
results and memory stays flat however long the sweep. The parent appends each record to the
index as it arrives and keeps at most two runs per worker in flight.

A run that raises is recorded with its error and the sweep goes on; a worker process that dies
(e.g. out of memory) fails the runs in flight and a fresh pool takes the rest. Failed runs have
no results file, so ``resume=True`` retries them.

With ``scheduler=`` the runs go to an existing Dask distributed cluster instead (started with
``dask scheduler`` and ``dask worker``; nothing here starts one). There the workers only simulate
and return each run's small table, and the parent writes it at once, exactly as a local worker
would have, so the folder layout, failure isolation and resume behave the same and the workers
need no access to ``out_dir``.
"""

from __future__ import annotations

import itertools
import multiprocessing
import sys
import threading
import time
import traceback
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ecosystem.interface.outputs import versions
from ecosystem.model import run_simulation
from ecosystem.parameters import format_value, parameter

from . import storage
from .design import Run, build_runs, replication_seeds
from .spec import Spec, load_spec

__all__ = ["RunTask", "SweepSummary", "connect", "execute_run", "run_sweep", "simulate_run"]


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one run; small and picklable."""

    run: Run
    factors: tuple[str, ...]
    steps: int
    metrics: tuple[str, ...]
    record_every: int
    out_dir: str


@dataclass(frozen=True)
class SweepSummary:
    """What a call of :func:`run_sweep` did: runs done, failed and skipped (already done)."""

    done: int
    failed: int
    skipped: int
    total: int
    out_dir: str
    wall_time_s: float

    def to_dict(self) -> dict[str, Any]:
        """The summary as plain data."""
        return asdict(self)


def run_table(task: RunTask, model_vars: dict[str, list]) -> pa.Table:
    """One run's results in the sweep's fixed schema: ids, seed, factor values, month, metrics.

    Built straight from the DataCollector's columns (``model_vars``): a pandas detour costs
    about as much as a short model run. Types come from the parameter schema and are forced per
    column, so every run file of a sweep has the same schema even when a metric is NaN
    throughout one run. A categorical factor is a string column; a population mix (e.g.
    ``{fixed_price: 0.5, performance_based: 0.5}``) is stored as its text,
    ``fixed_price:0.5,performance_based:0.5`` (:func:`ecosystem.parameters.format_value`).
    """
    steps = np.arange(1, len(model_vars[task.metrics[0]]) + 1, dtype=np.int64)
    keep = (steps % task.record_every == 0) | (steps == task.steps)
    rows = int(keep.sum())
    columns: dict[str, Any] = {
        "run_id": pa.array([task.run.run_id] * rows, pa.string()),
        "point": np.full(rows, task.run.point, dtype=np.int64),
        "replication": np.full(rows, task.run.replication, dtype=np.int64),
        "seed": np.full(rows, task.run.seed, dtype=np.int64),
    }
    for name in task.factors:
        kind, value = parameter(name).kind, task.run.params[name]
        if kind is str:
            columns[name] = pa.array([format_value(value)] * rows, pa.string())
        else:
            columns[name] = np.full(rows, value, dtype=_NUMPY_TYPE[kind])
    columns["step"] = steps[keep]
    for metric in task.metrics:
        values = np.asarray(model_vars[metric])[keep]
        integer = np.issubdtype(values.dtype, np.integer)
        columns[metric] = values.astype(np.int64 if integer else np.float64)
    return pa.table(columns)


_NUMPY_TYPE = {int: np.int64, float: np.float64, bool: np.bool_}


def simulate_run(task: RunTask) -> tuple[dict[str, Any], pa.Table | None]:
    """Simulate one run and return its index record and results table (``None`` if it failed).

    Writes nothing, so it suits workers that cannot see ``out_dir`` (a Dask cluster); never
    raises for a failing model: the error goes into the record.
    """
    started = time.perf_counter()
    record = _identity(task)
    try:
        model = run_simulation(task.run.params, task.steps, task.run.seed)
        table = run_table(task, model.datacollector.model_vars)
    except Exception as error:
        return {**record, **_failure(error, time.perf_counter() - started)}, None
    return {**record, "status": "done", "wall_time_s": time.perf_counter() - started, "error": None}, table


def execute_run(task: RunTask) -> dict[str, Any]:
    """Simulate one run, write its results file and return its index record.

    Never raises for a failing model: the error goes into the record, so one bad point cannot
    stop a sweep. Runs in a worker process, so it must stay a module-level function.
    """
    record, table = simulate_run(task)
    return record if table is None else _store(task, record, table)


def _store(task: RunTask, record: dict[str, Any], table: pa.Table) -> dict[str, Any]:
    """Write a finished run's table atomically; a failed write turns the record into a failure."""
    try:
        storage.write_parquet_atomic(table, storage.run_path(task.out_dir, task.run.run_id))
    except Exception as error:
        return {**_identity(task), **_failure(error, record["wall_time_s"])}
    return record


def _failure(error: BaseException, wall_time: float | None) -> dict[str, Any]:
    return {
        "status": "failed",
        "wall_time_s": wall_time,
        "error": " ".join(f"{type(error).__name__}: {error}".split()),
        "traceback": "".join(traceback.format_exception(error)),
    }


def _in_process(tasks: Iterable[RunTask]) -> Iterator[dict[str, Any]]:
    for task in tasks:
        yield execute_run(task)


def _in_pool(tasks: Iterable[RunTask], workers: int) -> Iterator[dict[str, Any]]:
    """Records in completion order from a process pool, with a fresh pool after a crash.

    When a worker dies the pool breaks and every run in flight fails with it (which one killed
    it cannot be told); those runs are recorded as failed and the rest go to a new pool.
    """
    queue = iter(tasks)
    context = multiprocessing.get_context(_start_method())
    waiting: RunTask | None = next(queue, None)
    while waiting is not None:
        pending: dict[Future, RunTask] = {}
        recorded = 0
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool, warnings.catch_warnings():
            # the only other threads at a fork are NumPy's and Arrow's native pools, both fork-safe
            warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
            broken: BrokenProcessPool | None = None
            while broken is None and (waiting is not None or pending):
                try:
                    while waiting is not None and len(pending) < 2 * workers:
                        pending[pool.submit(execute_run, waiting)] = waiting
                        waiting = next(queue, None)
                except BrokenProcessPool as error:
                    broken = error
                    break
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    task = pending.pop(future)
                    recorded += 1
                    try:
                        record = future.result()
                    except BrokenProcessPool as error:
                        broken = error
                        record = _crashed(task, error)
                    except Exception as error:  # the task or its record failed to (un)pickle
                        record = {**_identity(task), **_failure(error, None)}
                    yield record
            for task in pending.values():
                recorded += 1
                yield _crashed(task, broken)
        if broken is not None and not recorded:
            raise RuntimeError(f"worker processes die before running anything: {broken}") from broken


def _start_method() -> str:
    """``fork`` on Linux while this process has no other thread, else ``spawn``.

    A forked worker inherits the imported model, so a pool starts in milliseconds; a spawned one
    re-imports NumPy, pandas and Mesa first (about 0.8 s each), which alone costs a sweep of short
    runs a quarter of its parallel efficiency on two cores. Forking a process that runs other
    Python threads (a Dask client, a progress-bar monitor) can deadlock, so then workers are
    spawned. The native thread pools of OpenBLAS and Arrow, which Python 3.12 also counts when it
    warns about forking, reset themselves in the child through at-fork handlers. Results do not
    depend on the choice: every run carries its own seed.
    """
    if sys.platform == "linux" and threading.active_count() == 1:
        return "fork"
    return "spawn"


def connect(scheduler: str, timeout: float = 10.0):
    """A Dask client attached to the running cluster at ``scheduler`` (e.g. ``tcp://host:8786``).

    The cluster is started elsewhere (``dask scheduler`` and ``dask worker tcp://host:8786``, or
    a ``LocalCluster``); this module never starts one.

    Raises
    ------
    ConnectionError
        If no scheduler answers at ``scheduler`` within ``timeout`` seconds.
    """
    from distributed import Client  # optional at import time, needed only for Dask sweeps

    try:
        return Client(scheduler, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        message = " ".join(f"{type(error).__name__}: {error}".split())
        raise ConnectionError(f"cannot reach the Dask scheduler at {scheduler!r}: {message}") from None


def _on_dask(tasks: Iterable[RunTask], client) -> Iterator[dict[str, Any]]:
    """Records in completion order from a Dask cluster; the parent writes each table as it arrives.

    Workers only simulate (:func:`simulate_run`) and send the table back, so they need not see
    ``out_dir``; the parent writes it at once and drops it, with at most two runs per worker
    thread in flight, so its memory stays flat. Each task carries its own seed and a unique key
    (and ``pure=False``), so Dask never merges two replications. A run whose worker died too
    often (Dask's ``KilledWorker``) or whose result cannot be fetched is recorded as failed.
    """
    from distributed import as_completed

    limit = 2 * max(1, sum(client.nthreads().values()))
    queue = iter(tasks)
    pending: dict[Any, RunTask] = {}

    def submit(task: RunTask):
        key = f"smb-eco-{task.run.run_id}-{uuid.uuid4().hex}"
        future = client.submit(simulate_run, task, key=key, pure=False, retries=0)
        pending[future] = task
        return future

    first = [submit(task) for task in itertools.islice(queue, limit)]
    if not first:
        return
    stream = as_completed(first, loop=client.loop)
    for future in stream:
        task = pending.pop(future)
        try:
            record, table = future.result()
        except Exception as error:  # KilledWorker, a lost connection, an unpicklable result
            record, table = {**_identity(task), **_failure(error, None)}, None
        future.release()
        yield record if table is None else _store(task, record, table)
        del table
        following = next(queue, None)
        if following is not None:
            stream.add(submit(following))


def _identity(task: RunTask) -> dict[str, Any]:
    run = task.run
    return {
        "run_id": run.run_id,
        "point": run.point,
        "replication": run.replication,
        "seed": run.seed,
        "params": run.params,
    }


def _crashed(task: RunTask, error: BaseException) -> dict[str, Any]:
    failure = _failure(error, None)
    failure["error"] = "worker process died while this run was in flight: " + failure["error"]
    return {**_identity(task), **failure}


def _provenance() -> dict[str, str]:
    found = versions()
    for package in ("pyarrow", "pyyaml", "salib"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def _prepare(
    spec: Spec, out: Path, resume: bool, runs: list[Run], workers: int, scheduler: str | None
) -> None:
    """Refuse a folder holding other results; write or extend the manifest."""
    manifest = storage.read_manifest(out) if out.exists() else None
    holds_files = out.exists() and any(out.iterdir())
    if holds_files and not resume:
        raise FileExistsError(
            f"{out} already holds files; pass resume=True to continue that sweep or choose a new folder"
        )
    if holds_files and manifest is None:
        raise FileExistsError(f"{out} holds files but no {storage.MANIFEST}; it is not a sweep folder")
    session = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "resume": resume,
        "workers": workers,
        "scheduler": scheduler,
        "versions": _provenance(),
    }
    if manifest is not None:
        if manifest["spec_hash"] != spec.digest():
            raise ValueError(
                f"{out} holds a sweep of a different spec (hash {manifest['spec_hash'][:12]}, this "
                f"spec {spec.digest()[:12]}); resume it with its own spec or choose a new folder"
            )
        manifest["sessions"].append(session)
    else:
        manifest = {
            "name": spec.name,
            "spec": spec.to_dict(),
            "spec_hash": spec.digest(),
            "spec_source": spec.source,
            "runs": len(runs),
            "points": len(runs) // spec.replications,
            "replication_seeds": replication_seeds(spec.seed, spec.replications),
            "seed_scheme": "SeedSequence(seed).spawn(2)[1].spawn(replications); common random numbers",
            "versions": session["versions"],
            "sessions": [session],
        }
    (out / storage.RUNS).mkdir(parents=True, exist_ok=True)
    storage.remove_stale_temporaries(out)
    storage.write_json_atomic(manifest, out / storage.MANIFEST)


def run_sweep(
    spec: Spec | str | Path,
    out_dir: str | Path,
    workers: int = 1,
    resume: bool = False,
    on_result: Callable[[dict[str, Any]], None] | None = None,
    scheduler: str | None = None,
) -> SweepSummary:
    """Run every run of ``spec`` and write the sweep folder ``out_dir`` (layout in :mod:`.storage`).

    Parameters
    ----------
    spec : Spec or path
        A checked spec, or the path of a YAML spec to load (checked before anything is written).
    out_dir : path
        A new or empty folder; with ``resume``, the folder of an earlier call with the same spec.
    workers : int
        Worker processes. 1 runs in this process (easiest to debug); results do not depend on it.
        Ignored when ``scheduler`` is given (the cluster's workers do the runs).
    resume : bool
        Skip runs whose results file exists and run the rest, including earlier failures.
    on_result : callable, optional
        Called with each run's index record as it is written, e.g. for a progress bar.
    scheduler : str, optional
        Address of a running Dask distributed scheduler (``tcp://host:port``) to send the runs
        to instead of local processes. Its workers simulate and return each run's table; this
        process writes it at once (so workers need not share ``out_dir``'s file system).
        Results are identical to local runs: every run carries its own seed.

    Returns
    -------
    SweepSummary
        Counts of runs done, failed and skipped in this call.

    Raises
    ------
    SpecError
        If the spec file is invalid.
    FileExistsError
        If ``out_dir`` holds files and ``resume`` is false, or is no sweep folder.
    ValueError
        If resuming a folder made by a different spec, or ``workers`` < 1.
    ConnectionError
        If no Dask scheduler answers at ``scheduler`` (checked before anything is written).
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    if not isinstance(spec, Spec):
        spec = load_spec(spec)
    started = time.perf_counter()
    out = Path(out_dir)
    runs = build_runs(spec)
    client = connect(scheduler) if scheduler is not None else None
    try:
        _prepare(spec, out, resume, runs, workers, scheduler)
        finished = storage.completed_run_ids(out) if resume else set()
        todo = [run for run in runs if run.run_id not in finished]
        factors = tuple(spec.factors)
        tasks = (RunTask(r, factors, spec.steps, spec.metrics, spec.record_every, str(out)) for r in todo)
        if client is not None:
            records = _on_dask(tasks, client)
        else:
            records = _in_process(tasks) if workers == 1 else _in_pool(tasks, workers)
        done = failed = 0
        with storage.IndexWriter(out) as index:
            for record in records:
                record["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
                index.append(record)
                if record["status"] == "done":
                    done += 1
                else:
                    failed += 1
                if on_result is not None:
                    on_result(record)
    finally:
        if client is not None:
            client.close()
    return SweepSummary(
        done=done,
        failed=failed,
        skipped=len(runs) - len(todo),
        total=len(runs),
        out_dir=str(out),
        wall_time_s=time.perf_counter() - started,
    )
