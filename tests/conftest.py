"""Shared fixtures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from helpers import CHROMIUM, run_model

from ecosystem import EcosystemModel


@pytest.fixture(scope="module")
def small_model() -> EcosystemModel:
    """A small default model after 24 months: contracts, ties and exits have had time to happen.

    Module-scoped: tests must only read it.
    """
    return run_model(24, 7, n_smbs=60, n_vendors=12)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A real Dask scheduler and two single-thread worker processes on 127.0.0.1; its address.

    Module-scoped, so that no cluster process outlives the module that uses it (other modules
    check that sweeps leave no child process behind).
    """
    from distributed import Client

    tmp_path = tmp_path_factory.mktemp("dask")
    env = {
        **os.environ,
        "DASK_DISTRIBUTED__DIAGNOSTICS__NVML": "False",
        "DASK_DISTRIBUTED__WORKER__DAEMON": "False",
        "DASK_LOGGING__DISTRIBUTED": "error",
    }
    scheduler_file = tmp_path / "scheduler.json"
    common = {"cwd": tmp_path, "env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0"]
            + ["--no-dashboard", "--scheduler-file", str(scheduler_file)],
            **common,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        address = json.loads(scheduler_file.read_text())["address"]
        for number in range(2):
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1"]
                    + ["--nworkers", "1", "--host", "127.0.0.1", "--no-dashboard", "--name", f"w{number}"]
                    + ["--local-directory", str(tmp_path / f"w{number}")],
                    **common,
                )
            )
        with Client(address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=60)
            assert len(client.nthreads()) == 2
        yield address
    finally:
        for process in processes[1:]:  # workers hold no state worth a graceful shutdown
            process.kill()
        processes[0].terminate()
        for process in reversed(processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def pytest_sessionfinish(session, exitstatus):
    """With SMB_ECO_MEASURED=path, write what the theory tests measured (``theory_runs.record``)."""
    path = os.environ.get("SMB_ECO_MEASURED")
    runs = sys.modules.get("theory_runs")
    if path and runs is not None and runs.MEASURED:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(runs.MEASURED, out, indent=1, sort_keys=True)


@pytest.fixture
def sync_playwright():
    """Playwright's sync API, or a skip (a failure under CI) naming what is missing."""
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is absent (apt-get install chromium)"
    else:
        try:
            from playwright.sync_api import sync_playwright as api
        except ImportError:
            problem = "playwright is not installed (pip install -e '.[dev]')"
    if problem is None:
        return api
    if os.environ.get("CI"):
        pytest.fail(f"browser test cannot run under CI: {problem}")
    pytest.skip(f"browser test skipped: {problem}")
