"""Helpers for tests that start ``smb-eco`` processes: poll with a deadline, find a session's processes."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psutil
import pytest


def wait_for(condition, what: str, deadline_s: float = 60.0) -> None:
    """Poll ``condition`` until it is true; fail naming ``what`` after ``deadline_s`` seconds."""
    deadline = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {deadline_s:.0f} s for {what}")
        time.sleep(0.01)


def session_processes(session: int) -> list[psutil.Process]:
    """The live processes of ``session`` (started with ``start_new_session=True``, its id is the
    first process's pid). Children stay in it when re-parented; zombies have ended and only wait
    to be reaped, so they are left out."""
    found = []
    for process in psutil.process_iter(["status"]):
        try:
            if os.getsid(process.pid) == session and process.info["status"] != psutil.STATUS_ZOMBIE:
                found.append(process)
        except (ProcessLookupError, PermissionError):
            continue
    return found


@contextmanager
def signals_fail_the_test() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM sent to this process fail the test, not end pytest.

    Code under test that handles these signals replaces the handlers while it runs; a signal that
    reaches them is one it did not handle.
    """

    def unhandled(signum, frame):
        raise AssertionError(f"{signal.Signals(signum).name} reached the test, not the code under test")

    previous = {number: signal.signal(number, unhandled) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
