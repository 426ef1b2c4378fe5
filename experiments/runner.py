"""Running a sweep: every run of a spec in local worker processes, each result on disk as it ends.

The design (:mod:`experiments.design`), the evaluation of one run (:func:`execute_run`) and the
bookkeeping (:mod:`experiments.storage`) are separate, so each can be used alone. Workers write
their run's Parquet file themselves and send back only a small record, so the parent never holds
results and memory stays flat however long the sweep. The parent appends each record to the
index as it arrives and keeps at most two runs per worker in flight.

A run that raises is recorded with its error and the sweep goes on; a worker process that dies
(e.g. out of memory) fails the runs in flight and a fresh pool takes the rest. Failed runs have
no results file, so ``resume=True`` retries them.

How a sweep ends early:

* SIGINT (Ctrl-C) or SIGTERM (``kill PID``, a batch scheduler's time limit): no run is started
  after it; runs in flight in worker processes get :data:`GRACE_S` seconds to finish, are written
  and indexed; the others are abandoned (a results file is never half-written), the index is
  closed and :func:`run_sweep` raises :class:`SweepInterrupted`. A run in this process
  (``workers=1``) and everything after a second signal are abandoned at once; a run written
  in that instant, too late for its record, is indexed as recovered before the call returns.
* SIGKILL or any other death of the sweep's process: the worker processes end with it (they
  are tied to it by :func:`ecosystem.interface.lifetime.die_with_parent`); every run already
  indexed has its file.
* A full disk or any other error writing the folder: :class:`~experiments.storage.StorageError`
  naming the file; every run written before is intact, and one that a second worker wrote
  beside the failed write is indexed as recovered on the way out (if the index takes the line).

In each case ``resume=True`` finishes the sweep with the same results as an uninterrupted one.
Worker processes ignore SIGINT (Ctrl-C reaches the whole process group; the parent decides).

With ``scheduler=`` the runs go to an existing Dask distributed cluster instead (started with
``dask scheduler`` and ``dask worker``; nothing here starts one). There the workers only simulate
and return each run's small table, and the parent writes it at once, exactly as a local worker
would have, so the folder layout, failure isolation and resume behave the same and the workers
need no access to ``out_dir``. The cluster's workers live as long as the cluster; a stopped sweep
cancels its runs there.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import queue as queues
import signal
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

from ecosystem.interface import lifetime
from ecosystem.interface.outputs import versions
from ecosystem.model import run_simulation
from ecosystem.parameters import format_value, parameter

from . import storage
from .design import Run, build_runs, replication_seeds
from .spec import Spec, load_spec

__all__ = [
    "GRACE_S",
    "RunTask",
    "SweepInterrupted",
    "SweepSummary",
    "connect",
    "execute_run",
    "run_sweep",
    "simulate_run",
]

#: Seconds a sweep stopped by SIGINT or SIGTERM gives its runs in flight to finish (``docker stop``
#: and most batch schedulers send SIGKILL 10 to 30 s after SIGTERM).
GRACE_S = 5.0
#: Longest wait, in seconds, for a result before the parent looks for a stop request again;
#: results themselves are taken the moment they arrive.
POLL_S = 0.2
#: Seconds to wait for killed worker processes to be gone.
JOIN_S = 10.0


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


class SweepInterrupted(lifetime.Interrupted):
    """A sweep stopped by SIGINT or SIGTERM once its finished runs were written and indexed.

    ``signum`` is the signal and ``summary`` the :class:`SweepSummary` of what the call did; a
    call with ``resume=True`` does the rest. A :class:`KeyboardInterrupt`, like Ctrl-C itself.
    """

    def __init__(self, signum: int, summary: SweepSummary) -> None:
        super().__init__(signum)
        self.summary = summary


class _Abandon(BaseException):
    """Raised by the signal handler to abandon the sweep at once (see :class:`_StopRequest`)."""


class _StopRequest:
    """The handler of SIGINT and SIGTERM during a sweep, and what it was asked.

    The first signal asks the sweep to stop: the loops start no further run and give the runs in
    flight in worker processes ``grace`` seconds. It raises :class:`_Abandon` (abandon at once)
    on a second signal, or when a run is executing in this process (``running_here``), which
    cannot be waited for. Only the main thread runs signal handlers, so no lock is needed.
    """

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self.signum: int | None = None
        self.running_here = False

    @property
    def requested(self) -> bool:
        return self.signum is not None

    def __call__(self, signum: int, frame: Any) -> None:
        again = self.signum is not None
        if not again:
            self.signum = signum
        if again or self.running_here:
            raise _Abandon(signum)


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
    if task.run.context is not None:
        columns["context"] = np.full(rows, task.run.context, dtype=np.int64)
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

    Raises
    ------
    StorageError
        If the results file cannot be written (a full disk): that concerns the whole sweep, not
        this run. No partial file is left.
    """
    record, table = simulate_run(task)
    return record if table is None else _store(task, record, table)


def _store(task: RunTask, record: dict[str, Any], table: pa.Table) -> dict[str, Any]:
    """Write a finished run's table atomically; a table that cannot be written fails the run.

    A :class:`~experiments.storage.StorageError` (the folder takes no more files) is raised.
    """
    try:
        storage.write_parquet_atomic(table, storage.run_path(task.out_dir, task.run.run_id))
    except storage.StorageError:
        raise
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


def _in_process(tasks: Iterable[RunTask], stop: _StopRequest) -> Iterator[dict[str, Any]]:
    for task in tasks:
        if stop.requested:
            return
        stop.running_here = True
        try:
            record = execute_run(task)
        finally:
            stop.running_here = False
        yield record


def _start_worker(parent: int) -> None:
    """Initializer of every local worker process: end with the sweep's process; leave Ctrl-C to it.

    A forked worker inherits the parent's Python signal handlers, so both are reset: SIGINT is
    ignored (Ctrl-C reaches the whole process group; the parent stops the sweep in order) and
    SIGTERM ends the worker, as the pool expects when it terminates a broken pool.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    lifetime.die_with_parent(parent)


def _in_pool(tasks: Iterable[RunTask], workers: int, stop: _StopRequest) -> Iterator[dict[str, Any]]:
    """Records in completion order from a process pool, with a fresh pool after a crash.

    When a worker dies the pool breaks and every run in flight fails with it (which one killed
    it cannot be told); once the pool's other workers are gone too, those runs are recorded
    (:func:`_crashed`) and the rest go to a new pool. After a stop request no run is submitted;
    the runs in flight get ``stop.grace`` seconds, and a run cut short by the stop is not
    recorded. Whenever runs are left in flight (a stop, a broken pool, an error, the consumer
    closing this generator) the workers are killed before the pool is shut down.
    """
    queue = iter(tasks)
    context = multiprocessing.get_context(_start_method())
    waiting: RunTask | None = next(queue, None)
    while waiting is not None and not stop.requested:
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)
        )
        pending: dict[Future, RunTask] = {}
        recorded = 0
        broken: BrokenProcessPool | None = None
        deadline: float | None = None  # set by a stop request
        crashed: list[RunTask] = []  # in flight when the pool broke
        finished_cleanly = False
        try:
            while broken is None and (pending or (waiting is not None and deadline is None)):
                if deadline is None and stop.requested:
                    deadline = time.monotonic() + stop.grace
                    pending = {f: task for f, task in pending.items() if not f.cancel()}
                    continue
                if deadline is None:
                    try:
                        waiting = _submit(pool, pending, waiting, queue, 2 * workers)
                    except BrokenProcessPool as error:
                        broken = error
                        break
                timeout = POLL_S if deadline is None else min(POLL_S, deadline - time.monotonic())
                if timeout <= 0:
                    break
                finished, _ = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
                unwritable: storage.StorageError | None = None
                for future in finished:
                    task = pending.pop(future)
                    try:
                        record = future.result()
                    except BrokenProcessPool as error:
                        broken = error
                        if deadline is None:  # else cut short by the stop (a SIGTERM to the group)
                            crashed.append(task)
                        continue
                    except storage.StorageError as error:
                        unwritable = unwritable or error
                        continue
                    except Exception as error:  # the task or its record failed to (un)pickle
                        record = {**_identity(task), **_failure(error, None)}
                    recorded += 1
                    yield record
                if unwritable is not None:
                    raise unwritable
            if broken is not None and deadline is None:
                crashed += pending.values()
                pending.clear()
            finished_cleanly = not pending and broken is None
        finally:
            _close_pool(pool, kill=not finished_cleanly)
        # Only now that no worker of the pool is left can a run that was never written be told
        # from one that is being written.
        for task in crashed:
            recorded += 1
            yield _crashed(task, broken)
        if broken is not None and not recorded and not stop.requested:
            raise RuntimeError(f"worker processes die before running anything: {broken}") from broken


def _submit(pool: ProcessPoolExecutor, pending: dict, waiting: RunTask | None, queue, limit: int):
    """Submit runs until ``limit`` are in flight; return the next run not yet submitted."""
    with warnings.catch_warnings():
        # the only other threads at a fork are NumPy's and Arrow's native pools, both fork-safe
        warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
        while waiting is not None and len(pending) < limit:
            pending[pool.submit(execute_run, waiting)] = waiting
            waiting = next(queue, None)
    return waiting


def _close_pool(pool: ProcessPoolExecutor, kill: bool) -> None:
    """Shut ``pool`` down; with ``kill``, first kill its workers and wait until they are gone.

    ``ProcessPoolExecutor.kill_workers`` does the killing from Python 3.14 on; this does the same
    (copy the worker list, shut down without waiting, kill) and also reaps the workers.
    """
    if not kill:
        pool.shutdown(wait=True)
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(ValueError, OSError):  # already gone or closed
            process.kill()
    for process in processes:
        with contextlib.suppress(ValueError, OSError):
            process.join(JOIN_S)


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


def _on_dask(tasks: Iterable[RunTask], client, stop: _StopRequest) -> Iterator[dict[str, Any]]:
    """Records in completion order from a Dask cluster; the parent writes each table as it arrives.

    Workers only simulate (:func:`simulate_run`) and send the table back, so they need not see
    ``out_dir``; the parent writes it at once and drops it, with at most two runs per worker
    thread in flight, so its memory stays flat. Each task carries its own seed and a unique key
    (and ``pure=False``), so Dask never merges two replications. A run whose worker died too
    often (Dask's ``KilledWorker``) or whose result cannot be fetched is recorded as failed.
    After a stop request no run is submitted, the runs in flight get ``stop.grace`` seconds, and
    the rest are cancelled on the cluster.
    """
    limit = 2 * max(1, sum(client.nthreads().values()))
    queue = iter(tasks)
    pending: dict[Any, RunTask] = {}
    arrived: queues.SimpleQueue = queues.SimpleQueue()  # futures, as they finish (Dask's callback thread)

    def submit(task: RunTask) -> None:
        key = f"smb-eco-{task.run.run_id}-{uuid.uuid4().hex}"
        future = client.submit(simulate_run, task, key=key, pure=False, retries=0)
        pending[future] = task
        future.add_done_callback(arrived.put)

    for task in itertools.islice(queue, limit):
        submit(task)
    deadline: float | None = None
    try:
        while pending:
            if deadline is None and stop.requested:
                deadline = time.monotonic() + stop.grace
            timeout = POLL_S if deadline is None else min(POLL_S, deadline - time.monotonic())
            if timeout <= 0:
                break
            try:
                future = arrived.get(timeout=timeout)
            except queues.Empty:
                continue
            task = pending.pop(future)
            try:
                record, table = future.result()
            except Exception as error:  # KilledWorker, a lost connection, an unpicklable result
                record, table = {**_identity(task), **_failure(error, None)}, None
            future.release()
            yield record if table is None else _store(task, record, table)
            del table
            following = next(queue, None) if deadline is None else None
            if following is not None:
                submit(following)
    finally:
        if pending:
            client.cancel(list(pending))


#: The index record of a run whose file was written but whose record was lost (its sweep was
#: killed, or the disk filled up, in between); added when the sweep is resumed.
_RECOVERED = {"status": "done", "wall_time_s": None, "error": None, "recovered": True}


def _unrecorded(out: Path, runs: list[Run]) -> list[Run]:
    """The runs of ``runs`` whose results file exists but that the index does not list as done."""
    index = storage.read_index(out)
    recorded = set() if index.empty else set(index.loc[index["status"] == "done", "run_id"])
    written = storage.completed_run_ids(out)
    return [run for run in runs if run.run_id in written and run.run_id not in recorded]


def _index_unrecorded(index: storage.IndexWriter, out: Path, runs: list[Run], task) -> int:
    """Index as recovered the runs of ``runs`` written but not indexed; return how many."""
    unrecorded = _unrecorded(out, runs)
    for run in unrecorded:
        index.append({**_identity(task(run)), **_RECOVERED, "finished": _now()})
    return len(unrecorded)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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
    """The record of a run in flight when its pool broke: failed, unless its file was written.

    A worker can write a run's file and then be killed (with the pool) before its record reaches
    the parent; the file is whole (written atomically), so the run is done.
    """
    if storage.run_path(task.out_dir, task.run.run_id).exists():
        return {**_identity(task), "status": "done", "wall_time_s": None, "error": None}
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
    spec: Spec,
    out: Path,
    resume: bool,
    runs: list[Run],
    workers: int,
    scheduler: str | None,
    overrides: dict[str, Any] | None = None,
) -> None:
    """Refuse a folder holding other results; write or extend the manifest."""
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} is a file, not a folder; choose a folder for the sweep")
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
        if overrides:
            manifest["overrides"] = overrides
    try:
        (out / storage.RUNS).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise storage.StorageError.wrap(error, out / storage.RUNS) from error
    storage.remove_stale_temporaries(out)
    storage.write_json_atomic(manifest, out / storage.MANIFEST)


def run_sweep(
    spec: Spec | str | Path,
    out_dir: str | Path,
    workers: int = 1,
    resume: bool = False,
    on_result: Callable[[dict[str, Any]], None] | None = None,
    scheduler: str | None = None,
    grace: float = GRACE_S,
    overrides: dict[str, Any] | None = None,
) -> SweepSummary:
    """Run every run of ``spec`` and write the sweep folder ``out_dir`` (layout in :mod:`.storage`).

    Called in the main thread, it handles SIGINT (Ctrl-C) and SIGTERM itself until it returns:
    the sweep stops in order (see the module docstring) and :class:`SweepInterrupted` is raised.

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
    grace : float
        Seconds the runs in flight get to finish after SIGINT or SIGTERM (default
        :data:`GRACE_S`).
    overrides : dict, optional
        How ``spec`` was changed from the spec it came from (``smb-eco sweep --set``,
        ``--replications``, ``--steps``; :func:`experiments.catalog.override`): recorded as the
        manifest's ``overrides`` so the report can show it. ``spec`` is already the changed one.

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
    StorageError
        If a file of ``out_dir`` cannot be written (a full disk, no permission); the sweep stops,
        everything written before is intact and ``resume=True`` goes on from there.
    SweepInterrupted
        If SIGINT or SIGTERM stopped the sweep; the finished runs are written and indexed.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    if not isinstance(spec, Spec):
        spec = load_spec(spec)
    started = time.perf_counter()
    out = Path(out_dir)
    runs = build_runs(spec)
    stop = _StopRequest(grace)
    done = failed = skipped = 0
    # the background parameters of contexts are stored as columns too, after the factors
    factors = tuple(spec.factors) + (tuple(spec.contexts.over) if spec.contexts is not None else ())

    def task(run: Run) -> RunTask:
        return RunTask(run, factors, spec.steps, spec.metrics, spec.record_every, str(out))

    client = connect(scheduler) if scheduler is not None else None
    prepared = False  # the folder is this sweep's: its temporary files may be removed
    todo: list[Run] = []
    unwritable: storage.StorageError | None = None
    try:
        with lifetime.handle_signals(stop):
            _prepare(spec, out, resume, runs, workers, scheduler, overrides)
            prepared = True
            finished = storage.completed_run_ids(out) if resume else set()
            todo = [run for run in runs if run.run_id not in finished]
            skipped = len(runs) - len(todo)
            tasks = (task(run) for run in todo)
            if client is not None:
                records = _on_dask(tasks, client, stop)
            else:
                records = _in_process(tasks, stop) if workers == 1 else _in_pool(tasks, workers, stop)
            with storage.IndexWriter(out) as index, contextlib.closing(records):
                if resume:
                    _index_unrecorded(index, out, [run for run in runs if run.run_id in finished], task)
                for record in records:
                    record["finished"] = _now()
                    index.append(record)
                    if record["status"] == "done":
                        done += 1
                    else:
                        failed += 1
                    if on_result is not None:
                        on_result(record)
    except _Abandon:
        pass  # a second signal, or one during a run in this process: stop.signum says which
    except storage.StorageError as error:
        unwritable = error
    finally:
        if client is not None:
            client.close()
        if prepared:
            # Local workers are gone by now (killed and reaped when a stop or an error left runs
            # in flight), so a temporary file still here is a write cut short: remove it.
            with contextlib.suppress(OSError):
                storage.remove_stale_temporaries(out)
    if unwritable is not None:
        if prepared:
            # A run beside the one that could not be written may have written its file before
            # the workers were killed: index it now if the index still takes lines (as resuming
            # would).
            with contextlib.suppress(OSError), storage.IndexWriter(out) as index:
                _index_unrecorded(index, out, todo, task)
        raise unwritable
    if prepared and stop.requested:
        # Nothing writes runs any more (local workers are killed and reaped), but a run may have
        # been written between the stop and that end, too late for its record: index it now, as
        # resuming would, so every results file has its index line.
        with storage.IndexWriter(out) as index:
            done += _index_unrecorded(index, out, todo, task)
    summary = SweepSummary(
        done=done,
        failed=failed,
        skipped=skipped,
        total=len(runs),
        out_dir=str(out),
        wall_time_s=time.perf_counter() - started,
    )
    if stop.requested:
        raise SweepInterrupted(stop.signum, summary)
    return summary
