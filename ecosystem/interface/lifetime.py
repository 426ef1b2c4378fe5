"""How the processes of ``smb-eco`` end: children never outlive their parent, signals stop in order.

A sweep's local worker processes and the dashboard's server process call :func:`die_with_parent`
first thing, so they end when the ``smb-eco`` process that started them ends, however it ends:
Ctrl-C, ``kill PID``, a batch scheduler's time limit, or the SIGKILL of an out-of-memory killer,
which gives the parent no chance to clean up. On Linux the kernel sends the signal
(``prctl(PR_SET_PDEATHSIG)``); elsewhere a watchdog thread notices that the parent has gone.

:func:`signals_raise` turns SIGINT and SIGTERM into an :class:`Interrupted` exception in the main
thread, so ``finally`` blocks run (temporary files are removed, files are closed) and the command
line can end with one line and the shell's exit code for the signal (:func:`exit_status`).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["STOP_SIGNALS", "Interrupted", "die_with_parent", "exit_status", "handle_signals", "signals_raise"]

#: The signals that ask a ``smb-eco`` command to stop: Ctrl-C and ``kill`` (or a scheduler's limit).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: ``prctl`` option from ``<linux/prctl.h>``: the signal this process gets when its parent ends.
PR_SET_PDEATHSIG = 1
#: How often the watchdog thread (systems without ``prctl``) checks that the parent lives, in seconds.
WATCHDOG_INTERVAL_S = 0.5


class Interrupted(KeyboardInterrupt):
    """Raised in the main thread when SIGINT or SIGTERM arrives; ``signum`` says which.

    A subclass of :class:`KeyboardInterrupt`, so code that handles Ctrl-C handles SIGTERM too.

    >>> Interrupted(signal.SIGTERM).signum == signal.SIGTERM
    True
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = int(signum)


def exit_status(signum: int) -> int:
    """The exit status a shell reports for a process ended by ``signum``: 128 + its number.

    >>> exit_status(signal.SIGINT), exit_status(signal.SIGTERM)
    (130, 143)
    """
    return 128 + int(signum)


def die_with_parent(parent: int, signum: int = signal.SIGKILL) -> None:
    """Have this process receive ``signum`` as soon as its parent process ``parent`` ends.

    Call it first thing in a child process (a pool's initializer, a server's start-up), with the
    parent's process id as the parent saw it (``os.getpid()`` before starting the child). If the
    parent has already ended by then, this process ends at once. On Linux the kernel delivers the
    signal when the parent dies, even of SIGKILL; elsewhere, or where a sandbox refuses
    ``prctl``, a daemon thread polls :func:`os.getppid` every :data:`WATCHDOG_INTERVAL_S` seconds.
    """
    if not (sys.platform.startswith("linux") and _set_parent_death_signal(signum)):
        threading.Thread(target=_watch, args=(parent, signum), name="die-with-parent", daemon=True).start()
    if os.getppid() != parent:  # the parent ended before the signal was arranged
        os.kill(os.getpid(), signum)


def _set_parent_death_signal(signum: int) -> bool:
    """``prctl(PR_SET_PDEATHSIG, signum)``; whether it worked."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):  # no C library to load, or no prctl in it
        return False


def _watch(parent: int, signum: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCHDOG_INTERVAL_S)
    os.kill(os.getpid(), signum)


@contextmanager
def handle_signals(handler: Callable[[int, Any], Any], signals=STOP_SIGNALS) -> Iterator[bool]:
    """Within the block, ``handler`` handles ``signals``; the previous handlers come back after it.

    Signal handlers can only be set in the main thread: elsewhere nothing changes and the block
    gets ``False`` (it gets ``True`` when the handler is in place).
    """
    if threading.current_thread() is not threading.main_thread():
        yield False
        return
    previous = {number: signal.signal(number, handler) for number in signals}
    try:
        yield True
    finally:
        for number, old in previous.items():
            signal.signal(number, old if old is not None else signal.SIG_DFL)


def _raise_interrupted(signum: int, frame: Any) -> None:
    raise Interrupted(signum)


@contextmanager
def signals_raise(signals=STOP_SIGNALS) -> Iterator[bool]:
    """Within the block, SIGINT and SIGTERM raise :class:`Interrupted` in the main thread.

    >>> with signals_raise():
    ...     try:
    ...         os.kill(os.getpid(), signal.SIGTERM)
    ...         time.sleep(5)  # the handler interrupts this at once
    ...     except Interrupted as stop:
    ...         print(signal.Signals(stop.signum).name)
    SIGTERM
    """
    with handle_signals(_raise_interrupted, signals) as installed:
        yield installed
