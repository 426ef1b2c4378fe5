"""Helpers for tests that start ``smb-eco`` processes: poll with a deadline, find a session's processes."""

from __future__ import annotations

import os
import time

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
