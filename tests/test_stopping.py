"""How sweeps and analyses end early: signals, a killed parent, a full disk.

The sweep tests start real ``smb-eco sweep --workers 2`` processes in a session of their own, so
every process of a sweep (its forked workers included, even once re-parented) is found by its
session id. Nothing waits a fixed time: the tests poll for files and process states with
generous deadlines. A full disk is made two ways: a writer that raises ENOSPC, injected at the
storage layer (always runs), and a real tiny tmpfs (runs where this process may mount one).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys

import pandas as pd
import psutil
import pytest
import yaml
from processes import session_processes, signals_fail_the_test, wait_for

from analysis import figures as fg
from analysis.report import CONTEXT_FILES, OWNED_FILES, analyze
from ecosystem.interface.cli import main
from experiments import build_runs, runner, spec_from_dict, storage

#: A sweep of 32 short runs (about 0.1 s each): long enough to be stopped half way on two workers.
SPEC = {
    "name": "stopped",
    "hypothesis": "Lemons lower delivered quality.",
    "seed": 3,
    "fixed": {"n_smbs": 100, "n_vendors": 15},
    "design": "grid",
    "factors": {"lemon_share": [0.1, 0.3, 0.5, 0.7]},
    "replications": 8,
    "steps": 48,
    "record_every": 12,
    "metrics": ["outsourcing_share", "active_contracts", "mean_smb_profit"],
}
#: A small one (8 runs) for the tests that run in this process.
SMALL = {**SPEC, "name": "small", "fixed": {"n_smbs": 20, "n_vendors": 5}, "replications": 2}
SMALL.update(steps=6, record_every=2)
RUN_IDS = sorted(run.run_id for run in build_runs(spec_from_dict(SPEC)))
DEADLINE_S = 60.0


def results_by_file(out_dir):
    return {p.name: pd.read_parquet(p) for p in sorted((out_dir / storage.RUNS).glob("[!.]*.parquet"))}


def assert_same_results(first, second):
    assert first.keys() == second.keys() and first
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name], check_exact=True)


def assert_folder_consistent(out):
    """No temporary file; every index line whole; every run file whole and indexed as done."""
    assert not list(out.rglob(".*.tmp"))
    lines = (out / storage.INDEX).read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]  # raises on a line cut short
    done = {r["run_id"] for r in records if r["status"] == "done"}
    finished = storage.completed_run_ids(out)
    assert finished <= done, f"runs written but not indexed: {sorted(finished - done)}"
    for run_id in finished:
        assert len(pd.read_parquet(storage.run_path(out, run_id))) > 0


def smb_eco(*args, **options) -> subprocess.Popen:
    """``python -m ecosystem ARGS`` in a new session (its own process group)."""
    return subprocess.Popen(
        [sys.executable, "-m", "ecosystem", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **options,
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The spec file of :data:`SPEC` and the folder of its uninterrupted sweep."""
    root = tmp_path_factory.mktemp("reference")
    path = root / "spec.yaml"
    path.write_text(yaml.safe_dump(SPEC, sort_keys=False))
    runner.run_sweep(spec_from_dict(SPEC), root / "out", workers=2)
    return path, root / "out"


@pytest.fixture
def signal_guard():
    """SIGINT and SIGTERM sent to this process fail the test instead of ending pytest."""
    with signals_fail_the_test():
        yield


# --- a killed, terminated or interrupted `smb-eco sweep --workers 2` ----------------------------


@pytest.mark.parametrize(
    ("signum", "to_group", "status"),
    [(signal.SIGKILL, False, None), (signal.SIGTERM, False, 143), (signal.SIGINT, True, 130)],
    ids=["SIGKILL", "SIGTERM", "Ctrl-C"],
)
def test_a_stopped_sweep_leaves_no_process_and_resumes_to_the_uninterrupted_result(
    tmp_path, reference, signum, to_group, status
):
    spec_path, reference_out = reference
    out = tmp_path / "out"
    sweep = smb_eco("sweep", spec_path, "--out", out, "--workers", 2, cwd=tmp_path)
    try:
        wait_for(lambda: storage.completed_run_ids(out) or sweep.poll() is not None, "a first run file")
        assert sweep.poll() is None, f"the sweep ended before it could be stopped: {sweep.stderr.read()}"
        assert len(session_processes(sweep.pid)) >= 3, "expected the sweep and its two workers"
        if to_group:
            os.killpg(sweep.pid, signum)  # what Ctrl-C in a terminal does
        else:
            os.kill(sweep.pid, signum)  # kill PID, a batch scheduler, the out-of-memory killer
        stdout, stderr = sweep.communicate(timeout=DEADLINE_S)
    finally:
        if sweep.poll() is None:
            os.killpg(sweep.pid, signal.SIGKILL)
            sweep.wait()
    wait_for(lambda: not session_processes(sweep.pid), "every process of the sweep to end", 20)

    finished = storage.completed_run_ids(out)
    assert 1 <= len(finished) < len(RUN_IDS), "the signal came too late to test resuming"
    if status is not None:
        assert sweep.returncode in (status, -signum), stderr
        hint = (
            f"smb-eco sweep: interrupted by {signal.Signals(signum).name} after {len(finished)} of "
            f"{len(RUN_IDS)} runs; continue with: smb-eco sweep {spec_path} --out {out} --resume "
            "--workers 2\n"
        )
        assert stderr == hint and stdout == ""  # one line, no traceback
        assert_folder_consistent(out)  # the finished runs were indexed before it ended
    else:
        assert sweep.returncode == -signal.SIGKILL
    stats = {run_id: storage.run_path(out, run_id).stat() for run_id in finished}
    attempts_before = len(storage.read_index(out, all_attempts=True))

    resumed = subprocess.run(
        [sys.executable, "-m", "ecosystem", "sweep", spec_path, "--out", out, "--resume", "--workers", "2"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(finished)} skipped" in resumed.stdout
    assert_same_results(results_by_file(reference_out), results_by_file(out))
    for run_id, before in stats.items():  # finished runs were not rerun
        after = storage.run_path(out, run_id).stat()
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    new_attempts = storage.read_index(out, all_attempts=True).iloc[attempts_before:]
    # A run a worker wrote just before SIGKILL reached the sweep has a file but no index line:
    # resuming records it as recovered, without running it again. How many there are depends
    # on when the kill came, so they are told apart by that mark.
    recovered = new_attempts.get("recovered", pd.Series(False, index=new_attempts.index)).fillna(False)
    recovered = recovered.astype(bool)
    assert set(new_attempts["run_id"][recovered]) <= finished
    assert status is None or not recovered.any()  # SIGTERM and Ctrl-C index every finished run
    assert sorted(new_attempts["run_id"][~recovered]) == sorted(set(RUN_IDS) - finished)
    assert_folder_consistent(out)
    assert len(storage.read_manifest(out)["sessions"]) == 2


# --- processes end with their parent --------------------------------------------------------------

#: A parent that forks a child tied to it by die_with_parent, prints the child's pid and exits.
ORPHAN = """
import os, sys, time
from ecosystem.interface import lifetime
parent, (ready, tied) = os.getpid(), os.pipe()
if os.fork() == 0:
    os.close(1), os.close(2)  # the test reads the parent's output to its end
    if sys.argv[1] == "watchdog":
        sys.platform = "darwin"  # the thread that polls the parent, as on systems without prctl
    lifetime.die_with_parent(parent)
    os.write(tied, str(os.getpid()).encode())
    time.sleep(120)
    os._exit(0)
print(os.read(ready, 32).decode(), flush=True)
"""


@pytest.mark.parametrize("how", ["prctl", "watchdog"])
def test_a_child_tied_to_its_parent_ends_when_the_parent_ends(how):
    parent = subprocess.run(
        [sys.executable, "-c", ORPHAN, how], capture_output=True, text=True, check=True, timeout=DEADLINE_S
    )
    child = psutil.Process(int(parent.stdout))

    def ended() -> bool:
        try:
            return child.status() == psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return True

    wait_for(ended, f"the child to end after its parent ({how})", 20)


# --- the same stop, inside this process ------------------------------------------------------------


@pytest.mark.parametrize("signals", [1, 2], ids=["one signal", "a second signal"])
def test_a_stop_request_records_what_finished_and_resume_completes(tmp_path, signal_guard, signals):
    spec = spec_from_dict(SMALL)
    runner.run_sweep(spec, tmp_path / "reference")
    out = tmp_path / "out"
    seen = []

    def stop_after_two(record):
        seen.append(record["run_id"])
        if len(seen) == 2:
            for _ in range(signals):
                os.kill(os.getpid(), signal.SIGTERM)

    with pytest.raises(runner.SweepInterrupted) as caught:
        runner.run_sweep(spec, out, workers=2, on_result=stop_after_two)
    summary = caught.value.summary
    assert caught.value.signum == signal.SIGTERM and isinstance(caught.value, KeyboardInterrupt)
    if signals == 2:
        assert len(seen) == 2  # the second signal abandons the runs in flight at once
    # A worker may write its run between the last signal and its end: the sweep indexes that run
    # as recovered once the workers are gone. How many there are depends on timing.
    index = storage.read_index(out)
    recovered = index.get("recovered", pd.Series(False, index=index.index)).fillna(False).astype(bool)
    assert sorted(index["run_id"][~recovered]) == sorted(seen)
    assert 2 <= len(seen) <= summary.done == len(index) < summary.total == len(build_runs(spec))
    assert storage.completed_run_ids(out) == set(index["run_id"])
    assert_folder_consistent(out)
    assert not worker_processes(), "the sweep left worker processes behind"

    resumed = runner.run_sweep(spec, out, workers=2, resume=True)
    assert (resumed.done, resumed.skipped) == (summary.total - summary.done, summary.done)
    assert_same_results(results_by_file(tmp_path / "reference"), results_by_file(out))


def worker_processes() -> list[psutil.Process]:
    """This process's children but multiprocessing's resource tracker (started once, kept)."""
    return [p for p in psutil.Process().children() if "resource_tracker" not in " ".join(p.cmdline())]


EXECUTE_RUN = runner.execute_run


def interrupt_third_run(task):
    """A run that is interrupted by Ctrl-C while it computes (for runs in this process)."""
    if task.run.run_id == "p0001-r00":
        os.kill(os.getpid(), signal.SIGINT)
    return EXECUTE_RUN(task)


def test_a_run_in_this_process_is_abandoned_at_once(tmp_path, signal_guard, monkeypatch):
    spec = spec_from_dict(SMALL)
    monkeypatch.setattr(runner, "execute_run", interrupt_third_run)
    with pytest.raises(runner.SweepInterrupted) as caught:
        runner.run_sweep(spec, tmp_path / "out", workers=1)
    assert caught.value.signum == signal.SIGINT and caught.value.summary.done == 2
    assert storage.completed_run_ids(tmp_path / "out") == {"p0000-r00", "p0000-r01"}
    assert_folder_consistent(tmp_path / "out")
    monkeypatch.undo()
    assert runner.run_sweep(spec, tmp_path / "out", resume=True).done == len(build_runs(spec)) - 2
    runner.run_sweep(spec, tmp_path / "reference")
    assert_same_results(results_by_file(tmp_path / "reference"), results_by_file(tmp_path / "out"))


def write_then_interrupt(task):
    """A run in this process that is written just before Ctrl-C abandons the sweep."""
    record = EXECUTE_RUN(task)
    if task.run.run_id == "p0000-r01":
        os.kill(os.getpid(), signal.SIGINT)
    return record


def test_a_run_written_as_the_sweep_is_abandoned_is_indexed(tmp_path, signal_guard, monkeypatch):
    spec = spec_from_dict(SMALL)
    monkeypatch.setattr(runner, "execute_run", write_then_interrupt)
    seen = []
    with pytest.raises(runner.SweepInterrupted) as caught:
        runner.run_sweep(spec, tmp_path / "out", on_result=lambda record: seen.append(record["run_id"]))
    assert seen == ["p0000-r00"] and caught.value.summary.done == 2
    index = storage.read_index(tmp_path / "out").set_index("run_id")
    assert list(index.index) == ["p0000-r00", "p0000-r01"]
    assert index.loc["p0000-r01", "status"] == "done" and index.loc["p0000-r01", "recovered"] == True  # noqa: E712
    assert_folder_consistent(tmp_path / "out")
    monkeypatch.undo()
    resumed = runner.run_sweep(spec, tmp_path / "out", resume=True)
    assert (resumed.done, resumed.skipped) == (len(build_runs(spec)) - 2, 2)
    runner.run_sweep(spec, tmp_path / "reference")
    assert_same_results(results_by_file(tmp_path / "reference"), results_by_file(tmp_path / "out"))


def write_then_die(task):
    """A worker that writes its run's file and dies before its record reaches the sweep."""
    record = EXECUTE_RUN(task)
    if task.run.run_id == "p0000-r00":
        os._exit(3)
    return record


def test_a_run_written_before_its_worker_died_counts_as_done(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "execute_run", write_then_die)
    spec = spec_from_dict(SMALL)
    summary = runner.run_sweep(spec, tmp_path / "out", workers=2)
    index = storage.read_index(tmp_path / "out").set_index("run_id")
    assert index.loc["p0000-r00", "status"] == "done" and pd.isna(index.loc["p0000-r00", "error"])
    failed = set(index.index[index["status"] == "failed"])
    assert failed == set(storage.completed_run_ids(tmp_path / "out")) ^ set(index.index)
    monkeypatch.undo()
    retry = runner.run_sweep(spec, tmp_path / "out", workers=2, resume=True)
    assert (retry.done, retry.failed) == (len(failed), 0) and summary.failed == len(failed)


# --- a full disk -----------------------------------------------------------------------------------

WRITE_TABLE = storage.pq.write_table
#: The runs of :data:`SMALL` that fit on the disk of :class:`FullFromPoint` (points 0 and 1).
FITTING = {"p0000-r00", "p0000-r01", "p0001-r00", "p0001-r01"}


class FullFromPoint:
    """``pyarrow.parquet.write_table`` on a disk that takes the run files of points below ``point``."""

    def __init__(self, point: int) -> None:
        self.point = point

    def __call__(self, table, where, **options):
        run_id = os.path.basename(where).lstrip(".").split(".")[0]  # from the temporary file's name
        if int(run_id[1:5]) >= self.point:
            raise OSError(errno.ENOSPC, "Error writing bytes to file. Detail: [errno 28] No space left")
        return WRITE_TABLE(table, where, **options)


def execute_run_on_a_full_disk(task):
    """:func:`runner.execute_run` where the disk takes the run files of points 0 and 1 only.

    Patched in wherever the run executes (this process, a forked or a spawned worker).
    """
    storage.pq.write_table = FullFromPoint(2)
    try:
        return EXECUTE_RUN(task)
    finally:
        storage.pq.write_table = WRITE_TABLE


@pytest.mark.parametrize("workers", [1, 2])
def test_a_full_disk_stops_the_sweep_in_one_line_and_resume_completes_it(
    tmp_path, capsys, monkeypatch, workers
):
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(yaml.safe_dump(SMALL, sort_keys=False))
    out = tmp_path / "out"
    monkeypatch.setattr(runner, "execute_run", execute_run_on_a_full_disk)
    assert main(["sweep", str(spec_path), "--out", str(out), "--workers", str(workers)]) == 1
    printed = capsys.readouterr()
    assert printed.out == "" and printed.err.count("\n") == 1
    assert printed.err.startswith(f"smb-eco sweep: error: cannot write {out / 'runs'}/p000")
    assert ".parquet: No space left on device; the finished runs in" in printed.err
    resume = f"--out {out} --resume" + (f" --workers {workers}" if workers > 1 else "")
    assert printed.err.endswith(resume + "\n")
    finished = storage.completed_run_ids(out)
    if workers == 1:
        assert finished == FITTING
    else:  # the sweep stops at the first failed write; runs in flight beside it may be cut short
        assert finished and finished <= FITTING
    assert_folder_consistent(out)

    monkeypatch.undo()  # space is freed
    assert main(["sweep", str(spec_path), "--out", str(out), "--resume"]) == 0
    assert f"{len(finished)} skipped" in capsys.readouterr().out
    runner.run_sweep(spec_path, tmp_path / "reference")
    assert_same_results(results_by_file(tmp_path / "reference"), results_by_file(out))
    assert_folder_consistent(out)


def test_a_full_disk_while_indexing_takes_the_line_back(tmp_path, monkeypatch):
    spec = spec_from_dict(SMALL)
    out = tmp_path / "out"
    write_all = storage._write_all
    appended = []

    def half_then_full(fd, data):
        if len(appended) == 2:  # the third record: half of it fits, then the disk is full
            write_all(fd, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        appended.append(len(data))
        write_all(fd, data)

    monkeypatch.setattr(storage, "_write_all", half_then_full)
    with pytest.raises(storage.StorageError) as caught:
        runner.run_sweep(spec, out)
    assert str(caught.value) == f"cannot write {out / storage.INDEX}: No space left on device"
    assert len((out / storage.INDEX).read_text().splitlines()) == 2  # the half line was taken back
    assert storage.completed_run_ids(out) == {"p0000-r00", "p0000-r01", "p0001-r00"}  # all whole
    monkeypatch.undo()
    resumed = runner.run_sweep(spec, out, resume=True)
    assert (resumed.skipped, resumed.done) == (3, len(build_runs(spec)) - 3)
    index = storage.read_index(out).set_index("run_id")
    assert list(index.index[index["recovered"].eq(True)]) == ["p0001-r00"]  # its record was lost
    assert_folder_consistent(out)


def test_an_index_line_cut_short_by_a_crash_is_dropped_on_opening(tmp_path):
    index = tmp_path / storage.INDEX
    index.write_text('{"run_id": "a", "status": "done"}\n{"run_id": "b", "sta')
    with storage.IndexWriter(tmp_path) as writer:
        writer.append({"run_id": "c", "status": "done"})
    assert [json.loads(line)["run_id"] for line in index.read_text().splitlines()] == ["a", "c"]


@pytest.fixture
def tiny_tmpfs(tmp_path):
    """A 320 KiB tmpfs mounted at ``tmp_path / "disk"``, or a skip where mounting is not allowed.

    Mounting needs privileges (root, or a user namespace); without them the injected writer of
    the tests above covers the same path, so this test may skip even under CI.
    """
    disk = tmp_path / "disk"
    disk.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=320k,mode=0755", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "--lazy", str(disk)], check=False)


def test_a_sweep_on_a_full_tmpfs_ends_in_one_line_and_resumes_once_space_is_freed(tmp_path, tiny_tmpfs):
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(yaml.safe_dump({**SMALL, "replications": 8}, sort_keys=False))  # 32 runs
    ballast = tiny_tmpfs / "ballast"
    ballast.write_bytes(b"\0" * 256 * 1024)  # leaves 64 KiB: the manifest, the index and a few runs
    out = tiny_tmpfs / "out"
    command = [sys.executable, "-m", "ecosystem", "sweep", spec_path, "--out", out, "--workers", "2"]
    sweep = subprocess.run(command, capture_output=True, text=True, check=False)
    assert sweep.returncode == 1, sweep.stderr
    assert sweep.stdout == "" and sweep.stderr.count("\n") == 1, sweep.stderr
    assert sweep.stderr.startswith(f"smb-eco sweep: error: cannot write {out}/")
    assert "No space left on device" in sweep.stderr and "--resume" in sweep.stderr
    finished = storage.completed_run_ids(out)
    assert 1 <= len(finished) < 32
    assert_folder_consistent(out)

    ballast.unlink()
    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(finished)} skipped" in resumed.stdout
    runner.run_sweep(spec_path, tmp_path / "reference")
    assert_same_results(results_by_file(tmp_path / "reference"), results_by_file(out))
    assert_folder_consistent(out)


# --- analysis: never a half report that looks complete ----------------------------------------------


@pytest.fixture(scope="module")
def analysed_sweep(tmp_path_factory):
    """A small finished sweep and its analysis; tests copy it before changing anything."""
    root = tmp_path_factory.mktemp("analysed")
    spec = spec_from_dict({**SMALL, "fixed": {"n_smbs": 15, "n_vendors": 5}, "steps": 4})
    runner.run_sweep(spec, root / "sweep")
    analyze(root / "sweep")
    return root / "sweep"


def folder_bytes(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_interrupted_analysis_keeps_the_earlier_report_whole(
    tmp_path, analysed_sweep, capsys, monkeypatch, signal_guard
):
    sweep = shutil.copytree(analysed_sweep, tmp_path / "sweep")
    before = folder_bytes(sweep / "analysis")
    drawn = []
    save_figure = fg.save_figure

    def terminated_on_the_second_figure(figure, stem):
        drawn.append(stem)
        if len(drawn) == 2:
            os.kill(os.getpid(), signal.SIGTERM)
        return save_figure(figure, stem)

    monkeypatch.setattr(fg, "save_figure", terminated_on_the_second_figure)
    assert main(["analyze", str(sweep)]) == 143
    assert capsys.readouterr().err == "smb-eco analyze: interrupted by SIGTERM\n"
    assert len(drawn) == 2
    assert folder_bytes(sweep / "analysis") == before
    assert [p.name for p in sweep.iterdir() if p.name.startswith(".")] == []  # no staging folder left


def test_an_analysis_that_fails_while_moving_in_leaves_no_report(tmp_path, analysed_sweep, capsys):
    sweep = shutil.copytree(analysed_sweep, tmp_path / "sweep")
    analysis = sweep / "analysis"
    (analysis / "report.html").unlink()
    (analysis / "report.html").mkdir()  # a folder in the way: moving the new report.html in fails
    (analysis / "report.html" / "notes").write_text("mine")
    assert main(["analyze", str(sweep)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"smb-eco analyze: error: cannot write {analysis}: ") and err.count("\n") == 1
    assert not (analysis / "report.md").exists()  # no report that looks complete
    assert (analysis / "summary_by_step.csv").exists()  # the files moved in before the failure
    assert [p.name for p in sweep.iterdir() if p.name.startswith(".")] == []
    shutil.rmtree(analysis / "report.html")
    assert main(["analyze", str(sweep)]) == 0
    assert all((analysis / name).is_file() for name in OWNED_FILES if name not in CONTEXT_FILES)


def test_a_full_disk_during_analysis_is_one_line_and_keeps_the_earlier_report(
    tmp_path, analysed_sweep, capsys, monkeypatch
):
    sweep = shutil.copytree(analysed_sweep, tmp_path / "sweep")
    before = folder_bytes(sweep / "analysis")

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pd.DataFrame, "to_csv", no_space)
    assert main(["analyze", str(sweep)]) == 1
    assert capsys.readouterr().err == (
        f"smb-eco analyze: error: cannot write {sweep / 'analysis'}: No space left on device; free some "
        "space (or choose another --out) and run it again\n"
    )
    assert folder_bytes(sweep / "analysis") == before
    assert [p.name for p in sweep.iterdir() if p.name.startswith(".")] == []


def test_a_run_written_beside_the_unwritable_one_is_indexed_before_the_error(tmp_path, monkeypatch):
    """On two workers a run may write its file after another's write failed, before its record
    reaches the index: the sweep indexes it on the way out, so the folder stays consistent."""
    out = tmp_path / "out"

    def written_then_full(tasks, workers, stop):
        first, second = next(tasks), next(tasks)
        runner.execute_run(first)  # written, but its record never comes back
        full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        raise storage.StorageError.wrap(full, storage.run_path(out, second.run.run_id))
        yield  # a generator, like the pool's

    monkeypatch.setattr(runner, "_in_pool", written_then_full)
    with pytest.raises(storage.StorageError, match="p0000-r01"):
        runner.run_sweep(spec_from_dict(SMALL), out, workers=2)
    assert storage.completed_run_ids(out) == {"p0000-r00"}
    index = storage.read_index(out).set_index("run_id")
    assert list(index.index) == ["p0000-r00"] and bool(index.loc["p0000-r00", "recovered"])
    assert_folder_consistent(out)


def test_a_folder_that_cannot_be_made_raises_before_any_run(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(storage.StorageError, match="a-file/out/runs"):
        runner.run_sweep(spec_from_dict(SMALL), blocker / "out", workers=2)
    assert blocker.read_text() == "not a folder"
