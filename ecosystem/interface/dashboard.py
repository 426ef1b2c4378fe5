"""``smb-eco dashboard``: serve the classroom dashboard of :mod:`ecosystem.interface.app` with Solara.

The Solara server runs as a child process (Solara's ``solara run ecosystem.interface.app``) in
production mode, with no browser opened, no version check against PyPI and no telemetry, so it
works offline. It needs the ``dashboard`` extra: ``pip install 'smb-ecosystem[dashboard]'``.

Ctrl-C or SIGTERM stops the server (SIGTERM first, SIGKILL if it has not ended within
:data:`STOP_TIMEOUT_S` seconds) and frees the port; if the ``smb-eco dashboard`` process itself
is killed, the server process ends with it (:func:`~ecosystem.interface.lifetime.die_with_parent`).
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys

from .lifetime import STOP_SIGNALS, handle_signals, signals_raise

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "STOP_TIMEOUT_S", "serve", "solara_command"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
APP = "ecosystem.interface.app"
#: Modules the dashboard imports that the core package does not install.
NEEDS = ("solara", "matplotlib", "altair", "ipyvuetify")
#: Seconds the server gets to end after SIGTERM before it is killed.
STOP_TIMEOUT_S = 10.0
#: What the server process runs: first tie its life to the parent (whose process id is its first
#: argument), then Solara's own command line with the remaining arguments.
_SERVER_BOOT = (
    "import sys; from ecosystem.interface.lifetime import die_with_parent; "
    "die_with_parent(int(sys.argv.pop(1))); from solara.__main__ import main; main()"
)


def solara_command(host: str, port: int, parent: int | None = None) -> list[str]:
    """The command line that runs the Solara server of the dashboard as a child of ``parent``.

    ``parent`` (default: this process) is the process whose end ends the server.

    >>> solara_command("127.0.0.1", 8765, parent=4321)[3:6]
    ['4321', 'run', 'ecosystem.interface.app']
    """
    return [
        sys.executable,
        "-c",
        _SERVER_BOOT,
        str(os.getpid() if parent is None else parent),
        "run",
        APP,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
    ]


def startup_problem(what: str, needs: tuple[str, ...], host: str, port: int) -> str | None:
    """Why a local web server (``what``: the dashboard, the classroom game) cannot start, in one
    line, or None: a module of ``needs`` missing, a port out of range, or one taken."""
    missing = [name for name in needs if importlib.util.find_spec(name) is None]
    if missing:
        return (
            f"{what} needs {', '.join(missing)}; install the extra with "
            "pip install 'smb-ecosystem[dashboard]'"
        )
    if not 0 < port < 65536:
        return f"--port must be in 1..65535, got {port}"
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        return f"cannot listen on {host}:{port} ({reason}); choose another --port or --host"
    return None


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> int:
    """Run the dashboard server on ``host:port`` until interrupted; print its address first.

    Returns the exit code: 0 after Ctrl+C or SIGTERM (the server is stopped and the port free
    again), 2 when it cannot start (reported in one line on standard error), otherwise the
    server's own.
    """
    problem = startup_problem("the dashboard", NEEDS, host, port)
    if problem is not None:
        sys.stderr.write(f"smb-eco dashboard: error: {problem}\n")
        return 2
    shown = f"[{host}]" if ":" in host else host
    print(f"Classroom dashboard at http://{shown}:{port}/  (Ctrl+C to stop)", flush=True)
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    server = subprocess.Popen(solara_command(host, port), env=env)
    try:
        with signals_raise():
            return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        with handle_signals(signal.SIG_IGN, STOP_SIGNALS):  # a second Ctrl+C must not cut this short
            _stop(server)


def _stop(server: subprocess.Popen) -> None:
    """End ``server``: SIGTERM, then SIGKILL after :data:`STOP_TIMEOUT_S` seconds; reap it."""
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
