"""Parallel efficiency, per-run overhead and parent memory of :func:`experiments.runner.run_sweep`.

What it measures
----------------
A grid spec of short runs (``n_smbs`` 50, ``--steps`` months, default 24; four levels of
``lemon_share`` and enough replications to reach ``--runs`` runs, default 200) is written to a
temporary folder and swept three ways, all in this process:

1. **bare**: every run of the spec evaluated directly, ``EcosystemModel(rng=seed, **params)``
   stepped ``steps`` times, one after another, no runner, nothing written;
2. **sweep, 1 worker**: ``run_sweep(spec, out, workers=1)`` (runs in this process; each run's
   time series is tabled and written to Parquet and its record appended to the index);
3. **sweep, 2 workers**: ``run_sweep(spec, out, workers=2)`` (worker processes, forked where the runner can).

From these:

* parallel efficiency = T1 / (2 · T2), target >= 85 %;
* runner overhead = (T_sweep,1 − T_bare) / T_bare on short runs, reported for information
  (the runner's fixed cost per run, about 1 ms for the results table, the Parquet file and the
  index line, is several per cent of a 17 ms run).

The overhead target (< 5 %) is judged on runs of the default size the built-in experiments use
(``n_smbs`` 100, 120 months; ``--overhead-runs`` of them, default 24), bare against
``run_sweep(..., workers=1)``, with the bare runs timed before and after the sweep and averaged.

Then (unless ``--skip-memory``) a sweep of ``--memory-runs`` tiny runs (default 1,000;
``n_smbs`` 20, 6 steps) on 2 workers, while a background thread reads this (the parent)
process's ``VmRSS`` from ``/proc/self/status`` every 50 ms. Reported: RSS before, peak during,
after, and the growth before → after; ``ru_maxrss`` as a cross-check. Target: peak < 300 MB and
flat (growth from before to after < 20 MB, i.e. nothing accumulates per run).

A short warm-up sweep runs first so that imports and first-call costs are not timed. Wall-clock
times include the pool start-up for 2 workers (that is part of what a user waits for).
It is a report, not a test: the exit code is 0 unless something errors; targets are marked
PASS/FAIL. Run it on an otherwise idle machine.

Usage::

    python benchmarks/bench_sweep.py [--runs 200] [--steps 24] [--memory-runs 1000] [--skip-memory]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from memory import rss_bytes  # benchmarks/ is on the path when run as a script

from ecosystem import EcosystemModel
from experiments.design import build_runs
from experiments.runner import run_sweep
from experiments.spec import Spec, spec_from_dict

MB = 1024 * 1024
LEVELS = [0.1, 0.2, 0.3, 0.4]  # lemon_share grid levels
EFFICIENCY_TARGET = 0.85
OVERHEAD_TARGET = 0.05
MEMORY_LIMIT_MB = 300.0
MEMORY_FLAT_MB = 20.0


def make_spec(name: str, n_smbs: int, steps: int, runs: int) -> Spec:
    """A grid spec over ``lemon_share`` with enough replications for at least ``runs`` runs."""
    return spec_from_dict(
        {
            "name": name,
            "seed": 7,
            "design": "grid",
            "fixed": {"n_smbs": n_smbs},
            "factors": {"lemon_share": LEVELS},
            "replications": math.ceil(runs / len(LEVELS)),
            "steps": steps,
        }
    )


class RssSampler(threading.Thread):
    """Background thread keeping the peak of this process's RSS, sampled every ``interval`` s."""

    def __init__(self, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak = rss_bytes() or 0
        self.samples = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.peak = max(self.peak, (rss_bytes() or 0))
            self.samples += 1
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def time_bare(spec: Spec) -> float:
    """Seconds to build and step every run of ``spec`` directly, in this process."""
    runs = build_runs(spec)
    started = time.perf_counter()
    for run in runs:
        model = EcosystemModel(rng=run.seed, **run.params)
        for _ in range(spec.steps):
            model.step()
    return time.perf_counter() - started


def time_sweep(spec: Spec, root: Path, label: str, workers: int) -> tuple[float, float]:
    """Seconds for ``run_sweep(spec, ..., workers)`` into a fresh folder, and to its first result.

    Raises if any run failed, so a broken sweep cannot pass for a fast one.
    """
    first: list[float] = []
    started = time.perf_counter()

    def seen(_record: dict[str, Any]) -> None:
        if not first:
            first.append(time.perf_counter() - started)

    summary = run_sweep(spec, root / label, workers=workers, on_result=seen)
    elapsed = time.perf_counter() - started
    if summary.failed or summary.done != summary.total:
        raise RuntimeError(f"{label}: {summary.failed} of {summary.total} runs failed")
    return elapsed, first[0]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Parallel efficiency, per-run overhead and parent memory of experiments.run_sweep."
    )
    parser.add_argument("--runs", type=int, default=200, help="runs in the timed sweeps (default 200)")
    parser.add_argument("--steps", type=int, default=24, help="months per timed run (default 24)")
    parser.add_argument(
        "--memory-runs", type=int, default=1000, help="tiny runs in the memory sweep (default 1000)"
    )
    parser.add_argument(
        "--overhead-runs", type=int, default=24, help="default-size runs timed for the overhead (default 24)"
    )
    parser.add_argument("--skip-memory", action="store_true", help="skip the memory sweep")
    args = parser.parse_args(argv)
    if min(args.runs, args.steps, args.memory_runs, args.overhead_runs) < 1:
        parser.error("--runs, --steps, --memory-runs and --overhead-runs must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    spec = make_spec("bench-sweep", 50, args.steps, args.runs)
    n_runs = len(build_runs(spec))
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs; {n_runs} runs of "
        f"n_smbs=50 x {args.steps} steps",
        file=sys.stderr,
    )
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        root = Path(tmp)
        warm = make_spec("warm-up", 50, args.steps, 8)
        time_bare(warm)
        time_sweep(warm, root, "warm-up", workers=1)

        print("Timing bare runs ...", file=sys.stderr)
        t_bare = time_bare(spec)
        print("Timing sweep, 1 worker ...", file=sys.stderr)
        t1, _ = time_sweep(spec, root, "w1", workers=1)
        print("Timing sweep, 2 workers ...", file=sys.stderr)
        t2, t2_first = time_sweep(spec, root, "w2", workers=2)
        full = make_spec("bench-sweep-default-size", 100, 120, args.overhead_runs)
        print(f"Timing {len(build_runs(full))} default-size runs bare and swept ...", file=sys.stderr)
        # bare runs timed before and after the sweep and averaged, so that drift in the machine's
        # speed over the minute this takes does not pass for runner overhead
        before_sweep = time_bare(full)
        t_full_sweep, _ = time_sweep(full, root, "default-size", workers=1)
        t_full_bare = (before_sweep + time_bare(full)) / 2

        memory: dict[str, Any] | None = None
        if not args.skip_memory:
            tiny = make_spec("bench-sweep-memory", 20, 6, args.memory_runs)
            print(f"Memory sweep, {len(build_runs(tiny))} tiny runs on 2 workers ...", file=sys.stderr)
            before = rss_bytes() or 0
            sampler = RssSampler(0.05)
            sampler.start()
            t_mem, _ = time_sweep(tiny, root, "memory", workers=2)
            sampler.stop()
            memory = {
                "runs": len(build_runs(tiny)),
                "seconds": t_mem,
                "before": before,
                "peak": max(sampler.peak, (rss_bytes() or 0)),
                "after": (rss_bytes() or 0),
                "samples": sampler.samples,
                "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,  # KiB on Linux
            }

    efficiency = t1 / (2 * t2)
    overhead = (t1 - t_bare) / t_bare
    print(f"Sweep benchmark: {n_runs} runs, n_smbs=50, {args.steps} steps, grid over lemon_share")
    print(f"{'':<22} {'wall s':>8} {'ms/run':>8}")
    rows = (("bare model runs", t_bare), ("run_sweep, 1 worker", t1), ("run_sweep, 2 workers", t2))
    for label, seconds in rows:
        print(f"{label:<22} {seconds:8.3f} {seconds / n_runs * 1e3:8.2f}")
    print(f"Parallel efficiency T1 / (2 * T2): {efficiency:.1%} (speed-up {t1 / t2:.2f}x)")
    steady = (t1 - t1 / n_runs) / (2 * (t2 - t2_first)) if t2 > t2_first else float("nan")
    print(
        f"  2 workers: first result after {t2_first:.2f} s (pool start-up + one run); efficiency "
        f"after it, (T1 - T1/runs) / (2 * (T2 - first)): {steady:.1%} (not the target figure)"
    )
    per_run_ms = (t1 - t_bare) / n_runs * 1e3
    print(
        f"Runner overhead on these short runs (T_sweep,1 - T_bare) / T_bare: {overhead:+.1%} "
        f"({per_run_ms:.2f} ms/run; for information)"
    )
    full_runs = len(build_runs(full))
    full_overhead = (t_full_sweep - t_full_bare) / t_full_bare
    print(
        f"Runner overhead on {full_runs} default-size runs (n_smbs=100, 120 steps): bare "
        f"{t_full_bare / full_runs * 1e3:.1f} ms/run, swept {t_full_sweep / full_runs * 1e3:.1f} ms/run, "
        f"overhead {full_overhead:+.1%}"
    )
    if memory is not None:
        growth = memory["after"] - memory["before"]
        print()
        print(
            f"Parent memory, {memory['runs']} runs (n_smbs=20, 6 steps) on 2 workers, "
            f"{memory['seconds']:.1f} s, {memory['samples']} VmRSS samples at 50 ms:"
        )
        print(
            f"  RSS before {memory['before'] / MB:.1f} MB, peak {memory['peak'] / MB:.1f} MB, "
            f"after {memory['after'] / MB:.1f} MB, growth {growth / MB:+.1f} MB; "
            f"ru_maxrss (whole life of the process) {memory['maxrss'] / MB:.1f} MB"
        )

    print()
    print("Targets")
    ok = efficiency >= EFFICIENCY_TARGET
    print(f"  [{verdict(ok)}] parallel efficiency >= 85 % on 2 workers: {efficiency:.1%}")
    print(
        f"  [{verdict(full_overhead < OVERHEAD_TARGET)}] runner overhead < 5 % of bare default-size runs: "
        f"{full_overhead:+.1%}"
    )
    if memory is None:
        print("  [n/a ] parent memory flat and < 300 MB: skipped (--skip-memory)")
    else:
        peak_mb, growth_mb = memory["peak"] / MB, (memory["after"] - memory["before"]) / MB
        ok = peak_mb < MEMORY_LIMIT_MB and growth_mb < MEMORY_FLAT_MB
        print(
            f"  [{verdict(ok)}] parent memory flat (growth < {MEMORY_FLAT_MB:.0f} MB) and peak < "
            f"{MEMORY_LIMIT_MB:.0f} MB over {memory['runs']:,} runs: peak {peak_mb:.1f} MB, "
            f"growth {growth_mb:+.1f} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
