"""``smb-eco dashboard``: serve the classroom dashboard of :mod:`ecosystem.interface.app` with Solara.

The Solara server runs as a child process (``python -m solara run ecosystem.interface.app``) in production
mode, with no browser opened, no version check against PyPI and no telemetry, so it works
offline. It needs the ``dashboard`` extra: ``pip install 'smb-ecosystem[dashboard]'``.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import threading

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "serve", "solara_command"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
APP = "ecosystem.interface.app"
#: Modules the dashboard imports that the core package does not install.
NEEDS = ("solara", "matplotlib", "altair", "ipyvuetify")


def solara_command(host: str, port: int) -> list[str]:
    """The command line that runs the Solara server of the dashboard.

    >>> solara_command("127.0.0.1", 8765)[1:5]
    ['-m', 'solara', 'run', 'ecosystem.interface.app']
    """
    return [
        sys.executable,
        "-m",
        "solara",
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


def _problem(host: str, port: int) -> str | None:
    """Why the dashboard cannot start, in one line, or None."""
    missing = [name for name in NEEDS if importlib.util.find_spec(name) is None]
    if missing:
        return (
            f"the dashboard needs {', '.join(missing)}; install the extra with "
            "pip install 'smb-ecosystem[dashboard]'"
        )
    if not 0 < port < 65536:
        return f"--port must be in 1..65535, got {port}"
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        return f"cannot listen on {host}:{port} ({error.strerror}); choose another --port or --host"
    return None


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> int:
    """Run the dashboard server on ``host:port`` until interrupted; print its address first.

    Returns the exit code: 0 after Ctrl+C or SIGTERM, 2 when it cannot start (reported in one line
    on standard error), otherwise the server's own.
    """
    problem = _problem(host, port)
    if problem is not None:
        sys.stderr.write(f"smb-eco dashboard: error: {problem}\n")
        return 2
    shown = f"[{host}]" if ":" in host else host
    print(f"Classroom dashboard at http://{shown}:{port}/  (Ctrl+C to stop)", flush=True)
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    server = subprocess.Popen(solara_command(host, port), env=env)

    def stop(signum, frame):
        raise KeyboardInterrupt

    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, stop) if in_main else None
    try:
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
