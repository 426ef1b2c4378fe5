"""How fast the classroom dashboard answers a Step, measured in a real browser.

Starts ``smb-eco dashboard`` on a free port, opens it in headless Chromium (Debian's
``/usr/bin/chromium`` through Playwright) and times, in the page, each click on Step until the
page shows the new month and every image of the open tab shows it and has been decoded: the
model's month, the server's redraw, the transfer and the browser's paint, at the dashboard's
default market (100 SMBs). It does so

* on the *Market* tab (the network and the key numbers) and on the *Outsourcing and governance*
  tab (four plots with their monitors), one browser tab at a time;
* with three browser tabs stepping at once (three students on one server), recording the CPU
  seconds of the server and of the browser: the server is one Python process (one core), and the
  three pages need the browser's CPU as well, so each step takes longer; what must not grow is
  the wall time beyond what that CPU work explains (the server's CPU on one core, or all CPU over
  the machine's cores, whichever is longer).

The targets: a median step plus redraw of at most 150 ms alone; with three tabs, wall time over
CPU-explained time at most 1.25 times that of one tab. The report prints the median and worst
step, the CPU seconds and that ratio for each case. Exit code 0 unless something fails: a
measurement, not a test (``tests/test_dashboard.py`` drives the same timer and checks what the
page shows).

Usage::

    .venv/bin/python benchmarks/bench_dashboard.py [--steps 30] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

#: Debian's Chromium, never a downloaded browser (``.ci/run`` installs it); the browser tests use
#: it too (``tests/helpers.py``).
CHROMIUM = Path("/usr/bin/chromium")
#: Flags for a headless Chromium on a machine with a closed network (../shared/PITFALLS.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: The budget of one step plus redraw at 100 SMBs (milliseconds, median).
TARGET_MS = 150.0
#: How much more the wall time of three tabs stepping at once may exceed what their CPU work
#: explains than one tab's does: beyond it, sessions would wait on each other, not on the CPU.
SHARING_TOLERANCE = 1.25
TABS = ("Market", "Outsourcing and governance")

#: In the page: click Step ``steps`` times, each after the last has been drawn, and return each
#: step's milliseconds from the click until the header shows the new month and every image of the
#: open tab is marked with that month (the page sends an image and its mark in one message) and
#: decoded.
STEP_TIMER_JS = """
async (steps) => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const month = () => {
    const header = document.querySelector("h2.month");
    return header ? parseInt(header.textContent.replace("Month", "")) : NaN;
  };
  const images = () => [...document.querySelectorAll(".v-window-item--active img.view")].filter(
    (img) => img.offsetParent !== null);
  const button = [...document.querySelectorAll("button")].find(
    (b) => b.textContent.trim().toUpperCase() === "STEP");
  const times = [];
  for (let k = 0; k < steps; k++) {
    const next = month() + 1;
    const t0 = performance.now();
    button.click();
    for (;;) {
      await frame();
      const now = images();
      const drawn = now.filter((img) => img.classList.contains(`month-${next}`) &&
                                        img.complete && img.naturalWidth > 0);
      if (month() === next && now.length > 0 && drawn.length === now.length) break;
      if (performance.now() - t0 > 60000) {
        throw new Error(`month ${next} was not drawn within 60 s: the page shows month ${month()}, ` +
          `${drawn.length} of ${now.length} images drawn`);
      }
    }
    times.push(performance.now() - t0);
  }
  return times;
}
"""


def summary(times: list[float]) -> dict[str, float]:
    """Median and worst of a list of step times (ms).

    >>> summary([120.0, 80.0, 100.0, 300.0])
    {'steps': 4, 'median_ms': 110.0, 'worst_ms': 300.0}
    """
    return {"steps": len(times), "median_ms": statistics.median(times), "worst_ms": max(times)}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_dashboard(port: int) -> subprocess.Popen:
    """``python -m ecosystem dashboard`` on ``port``, once it answers."""
    process = subprocess.Popen(
        [sys.executable, "-m", "ecosystem", "dashboard", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the dashboard exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return process
        except OSError:
            time.sleep(0.3)
    stop(process)
    raise RuntimeError("the dashboard did not answer within 90 s")


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


async def open_page(browser, url: str, tab: str):
    page = await browser.new_page(viewport={"width": 1600, "height": 1100})
    await page.goto(url)
    await page.get_by_role("button", name="Step").wait_for(timeout=90_000)
    await page.wait_for_selector("h2.month", timeout=90_000)
    await page.get_by_role("tab", name=tab).click()
    await page.wait_for_selector(".v-window-item--active img", timeout=90_000)
    await page.evaluate(STEP_TIMER_JS, 2)  # warm-up: first figures, fonts
    return page


def cpu_seconds(processes: list) -> float:
    """User plus system CPU seconds used so far by ``processes`` (psutil), each counted once."""
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


async def timed(case: str, pages: list, steps: int, server, results: dict) -> None:
    """Step every page of ``pages`` at once, ``steps`` times, and record the step times, the CPU
    seconds of the server (the dashboard command and its Solara process) and of the browser (every
    other process this one started: Playwright's driver and Chromium's), and the wall time over
    the time that CPU work explains: the server's CPU on its one core (one Python process), or all
    CPU spread over the machine's cores, whichever is longer."""
    served = [server, *server.children(recursive=True)]
    ids = {p.pid for p in served}
    browser = [c for c in psutil.Process().children(recursive=True) if c.pid not in ids]
    server_before, browser_before = cpu_seconds(served), cpu_seconds(browser)
    start = time.perf_counter()
    runs = await asyncio.gather(*(p.evaluate(STEP_TIMER_JS, steps) for p in pages))
    wall = time.perf_counter() - start
    server_cpu = cpu_seconds(served) - server_before
    browser_cpu = cpu_seconds(browser) - browser_before
    explained = max(server_cpu, (server_cpu + browser_cpu) / (os.cpu_count() or 1))
    results[case] = {
        **summary([t for run in runs for t in run]),
        "wall_s": wall,
        "server_cpu_s": server_cpu,
        "browser_cpu_s": browser_cpu,
        "wall_over_explained": wall / explained if explained else float("nan"),
    }


async def measure(url: str, steps: int, server) -> dict[str, dict[str, float]]:
    from playwright.async_api import async_playwright

    results = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for tab in TABS:
                page = await open_page(browser, url, tab)
                await timed(f"{tab}, one browser tab", [page], steps, server, results)
                await page.close()
            pages = [await open_page(browser, url, TABS[0]) for _ in range(3)]
            await timed(f"{TABS[0]}, three browser tabs at once", pages, steps, server, results)
        finally:
            await browser.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=30, help="timed steps per case (default 30)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error("--steps must be at least 1")
    if not CHROMIUM.exists():
        parser.error(f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    port = free_port()
    process = start_dashboard(port)
    try:
        results = asyncio.run(measure(f"http://127.0.0.1:{port}/", args.steps, psutil.Process(process.pid)))
    finally:
        stop(process)
    print(
        f"{'case':<46} {'median ms':>9} {'worst ms':>9} {'server CPU s':>12} "
        f"{'browser CPU s':>13} {'wall/CPU':>8}"
    )
    for case, f in results.items():
        print(
            f"{case:<46} {f['median_ms']:>9.0f} {f['worst_ms']:>9.0f} {f['server_cpu_s']:>12.1f} "
            f"{f['browser_cpu_s']:>13.1f} {f['wall_over_explained']:>8.2f}"
        )
    alone, shared = results[f"{TABS[0]}, one browser tab"], results[f"{TABS[0]}, three browser tabs at once"]
    worst_alone = max(results[f"{tab}, one browser tab"]["median_ms"] for tab in TABS)
    print(
        f"target: median step + redraw <= {TARGET_MS:.0f} ms alone: "
        f"{'met' if worst_alone <= TARGET_MS else 'missed'} ({worst_alone:.0f} ms on the slower tab)"
    )
    excess = shared["wall_over_explained"] / alone["wall_over_explained"]
    print(
        f"three tabs at once: each step {shared['median_ms'] / alone['median_ms']:.2f} times as long "
        "as alone; "
        f"wall time over what the CPU work explains {shared['wall_over_explained']:.2f} against "
        f"{alone['wall_over_explained']:.2f} alone ({excess:.2f}): "
        f"{'met' if excess <= SHARING_TOLERANCE else 'missed'} (target <= {SHARING_TOLERANCE:g}: "
        "the tabs slow each other no more than their CPU share explains)"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
