"""Reading a process's current memory, shared by the benchmark scripts."""

from __future__ import annotations

__all__ = ["rss_bytes"]


def rss_bytes() -> int | None:
    """Resident set size of this process now (Linux ``/proc``), or None where unavailable."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None
