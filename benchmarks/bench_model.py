"""Throughput, scaling and memory benchmark of :class:`ecosystem.EcosystemModel`.

What it measures
----------------
For each size (default 200, 2,000, 8,000 and 10,000 SMBs, with ``n_vendors = n_smbs // 5``) the model
is built and stepped for ``--steps`` months (default 120, ten simulated years) and timed, with
construction timed apart from stepping. As a yardstick, Mesa's own example Boltzmann wealth
model (``mesa.examples.basic.boltzmann_wealth_model``, built as
``BoltzmannWealth(BoltzmannScenario(n=n, rng=seed))``) is timed at the same agent counts.

Reported per size: construction time, stepping time, SMB-steps per second of our model,
agent-steps per second of the Boltzmann model, their ratio (each model timed in its own separate
processes, the "separate-process ratio"), and the peak memory of our model's run. Every run
happens in a fresh child process, so that sizes and repeats do not share heap, caches or
allocator state; the memory figures are:

* peak RSS: ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of the child at the end of the run
  (the whole process: interpreter, numpy, pandas, Mesa and the model);
* RSS growth: that peak minus the child's resident set (``VmRSS``) just before construction,
  i.e. what building and running the model added;
* tracemalloc peak (unless ``--no-tracemalloc``): peak of Python-and-numpy allocations traced
  by :mod:`tracemalloc` in a separate, untimed child run (tracing slows the code down).

At 2,000 SMBs (if among the sizes), ``--repeats`` more children measure the **same-process ratio**:
one fresh process builds both models (untimed), then steps them in alternating timed blocks of
``--block`` steps (default 10), ours first and the order flipping in each pair of blocks
(ours-Boltzmann, Boltzmann-ours, ...), until each has done ``--steps`` steps. Its ratio is
(our SMB-steps / our total block time) / (Boltzmann agent-steps / Boltzmann total block time).
Why pairing: on a shared or virtual machine the host's speed drifts by tens of per cent over
seconds, so the ratio of two separately timed processes is mostly that drift; interleaving short
blocks of both models within one process exposes both to the same drift, which cancels in the
ratio, though not fully: a busy host slows Boltzmann's pure-Python step more than our array code,
which lifts the ratio in slow processes. The median over the processes, with its range, is
reported, and the target reads the quietest process (the one where Boltzmann ran fastest).

Why
---
The model keeps its state in arrays so that one month runs vectorised over all SMBs and
contracts; the point is that this keeps it at least as fast per agent as a minimal Mesa model
and lets it scale to populations of tens of thousands of firms on a laptop. The targets are:

* speed: our SMB-steps/s at least the Boltzmann agent-steps/s at 2,000 agents in the same
  process (same-process ratio of the quietest process >= 1; if it was not measured, the best-of
  separate-process ratio is used, labelled as such);
* scaling: cost per SMB-step at 8,000 SMBs within ``--linearity-tolerance`` (default 1.3x)
  of the cost at 2,000 SMBs, i.e. run time growing linearly in the number of SMBs;
* memory: a 10,000-SMB, 120-step run peaking under 500 MB RSS (whole process).

Each separate-process timing is the best (minimum) of ``--repeats`` runs; the median is shown
alongside. It is a report, not a test: the exit code is 0 unless something errors; targets are
marked PASS/FAIL.

``--profile N`` instead profiles one N-SMB run: wall-clock time per phase of
``EcosystemModel.step`` (timed without a profiler) and the top functions under cProfile.

Usage::

    python benchmarks/bench_model.py [--sizes 200 2000 8000 10000] [--steps 120] [--repeats 3] [--block 10]
    python benchmarks/bench_model.py --profile 10000
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import inspect
import json
import math
import os
import platform
import pstats
import re
import resource
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from memory import rss_bytes  # benchmarks/ is on the path when run as a script

Kind = Literal["model", "boltzmann"]

DEFAULT_SIZES = (200, 2000, 8000, 10000)
SPEED_SIZE = 2000  # where our model must be at least as fast per agent as Boltzmann
#: The host counts as busy during the same-process runs when Boltzmann's quietest one ran below
#: this share of its best separate run.
BUSY_HOST = 0.9
LINEAR_BASE, LINEAR_TOP = 2000, 8000  # cost per SMB-step compared between these sizes
MEMORY_SIZE, MEMORY_STEPS, MEMORY_LIMIT_MB = 10000, 120, 500.0
MB = 1024 * 1024


# ---------------------------------------------------------------------------------- child side
def _maxrss_bytes() -> int:
    """Peak RSS of this process so far (``ru_maxrss`` is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _builder(kind: Kind, settings: Sequence[str] = ()) -> Callable[[int, int], Any]:
    """A function ``(n, seed) -> model`` for the given kind; imports happen here, untimed.

    ``settings`` are ``NAME=VALUE`` texts for our model's parameters (as ``smb-eco run --set``)."""
    if kind == "model":
        from ecosystem import EcosystemModel
        from ecosystem.parameters import parse_value

        params = {}
        for setting in settings:
            name, _, text = setting.partition("=")
            params[name] = parse_value(name, text)

        def build(n: int, seed: int) -> Any:
            return EcosystemModel(rng=seed, **{"n_smbs": n, "n_vendors": max(1, n // 5), **params})

    else:
        from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth

        def build(n: int, seed: int) -> Any:
            return BoltzmannWealth(BoltzmannScenario(n=n, rng=seed))

    return build


def run_child(
    kind: Kind, n: int, steps: int, seed: int, trace: bool, settings: Sequence[str] = ()
) -> dict[str, Any]:
    """Build and step one model in this process; return timings and memory as a dict."""
    warnings.simplefilter("ignore")  # Mesa's experimental-feature warnings would clutter output
    build = _builder(kind, settings)
    if trace:
        import tracemalloc

        tracemalloc.start()
    rss_before = rss_bytes()
    maxrss_before = _maxrss_bytes()
    t0 = time.perf_counter()
    model = build(n, seed)
    t1 = time.perf_counter()
    for _ in range(steps):
        model.step()
    t2 = time.perf_counter()
    result: dict[str, Any] = {
        "kind": kind,
        "n": n,
        "steps": steps,
        "construct_s": t1 - t0,
        "step_s": t2 - t1,
        "peak_rss_bytes": _maxrss_bytes(),
        "rss_before_bytes": rss_before if rss_before is not None else maxrss_before,
    }
    if trace:
        import tracemalloc

        result["tracemalloc_peak_bytes"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    if kind == "model":
        result["active_contracts"] = int(len(model.contracts.active_index()))
        result["smb_survival"] = float(model.smb_active.mean())
    return result


def block_plan(steps: int, block: int) -> list[int]:
    """Steps per block: ``steps`` cut into blocks of ``block``, the last one possibly shorter."""
    return [block] * (steps // block) + ([steps % block] if steps % block else [])


def paired_ratio(result: dict[str, Any]) -> float:
    """(our SMB-steps / our time) / (Boltzmann agent-steps / Boltzmann time) of one paired child."""
    ours_rate = result["n"] * sum(result["model_block_steps"]) / result["model_step_s"]
    boltz_rate = result["n"] * sum(result["boltzmann_block_steps"]) / result["boltzmann_step_s"]
    return ours_rate / boltz_rate


def run_paired(n: int, steps: int, block: int, seed: int, settings: Sequence[str] = ()) -> dict[str, Any]:
    """Build both models in this process (untimed), then step them in alternating timed blocks.

    Blocks of ``block`` steps (the last one possibly shorter) alternate between the two models
    until each has done ``steps`` steps: ours first, and the order within each pair of blocks
    flips (ours-Boltzmann, Boltzmann-ours, ...), so neither model always runs right after the
    other. Drift of the host's speed over seconds then hits both models alike and cancels in
    the ratio of their rates."""
    warnings.simplefilter("ignore")
    build_ours, build_boltz = _builder("model", settings), _builder("boltzmann")
    models = {"model": build_ours(n, seed), "boltzmann": build_boltz(n, seed)}
    start_steps = {kind: int(m.steps) for kind, m in models.items()}
    gc.collect()  # start both from a clean heap; construction garbage is not charged to a block
    times: dict[str, list[float]] = {"model": [], "boltzmann": []}
    done: dict[str, list[int]] = {"model": [], "boltzmann": []}
    order: list[str] = []
    for i, size in enumerate(block_plan(steps, block)):
        for kind in ("model", "boltzmann") if i % 2 == 0 else ("boltzmann", "model"):
            model = models[kind]
            t0 = time.perf_counter()
            for _ in range(size):
                model.step()
            times[kind].append(time.perf_counter() - t0)
            done[kind].append(size)
            order.append(kind)
    result: dict[str, Any] = {
        "kind": "paired",
        "n": n,
        "steps": steps,
        "block": block,
        "order": order,
        "model_steps_counted": int(models["model"].steps) - start_steps["model"],
        "boltzmann_steps_counted": int(models["boltzmann"].steps) - start_steps["boltzmann"],
    }
    for kind in ("model", "boltzmann"):
        result[f"{kind}_block_steps"] = done[kind]
        result[f"{kind}_block_s"] = times[kind]
        result[f"{kind}_step_s"] = sum(times[kind])
    result["ratio"] = paired_ratio(result)
    return result


# --------------------------------------------------------------------------------- parent side
@dataclass
class Runs:
    """Repeated runs of one kind at one size."""

    results: list[dict[str, Any]] = field(default_factory=list)

    def best(self, key: str) -> float:
        return min(r[key] for r in self.results)

    def median(self, key: str) -> float:
        return statistics.median(r[key] for r in self.results)

    def peak(self, key: str) -> float:
        return max(r[key] for r in self.results)


def _spawn_child(
    kind: str, n: int, steps: int, seed: int, extra: Sequence[str], settings: Sequence[str]
) -> Any:
    """Run ``--child KIND N`` of this script in a fresh interpreter and parse its JSON result."""
    command = [
        sys.executable,
        os.path.abspath(__file__),
        "--child",
        kind,
        str(n),
        "--steps",
        str(steps),
        "--seed",
        str(seed),
        *extra,
    ]
    for setting in settings:
        command += ["--set", setting]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"child {kind} n={n} failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def spawn(
    kind: Kind, n: int, steps: int, seed: int, trace: bool = False, settings: Sequence[str] = ()
) -> dict[str, Any]:
    """Run :func:`run_child` in a fresh interpreter and parse its JSON result."""
    return _spawn_child(kind, n, steps, seed, ["--trace"] if trace else [], settings)


def spawn_paired(n: int, steps: int, block: int, seed: int, settings: Sequence[str] = ()) -> dict[str, Any]:
    """Run :func:`run_paired` in a fresh interpreter and parse its JSON result."""
    return _spawn_child("paired", n, steps, seed, ["--block", str(block)], settings)


def paired_summary(runs: dict[int, dict[str, Runs]]) -> dict[str, Any] | None:
    """Median and range of the same-process ratios at :data:`SPEED_SIZE`, or None if not run."""
    paired = runs.get(SPEED_SIZE, {}).get("paired")
    if paired is None or not paired.results:
        return None
    ratios = [paired_ratio(r) for r in paired.results]
    boltzmann_rates = [
        SPEED_SIZE * sum(r["boltzmann_block_steps"]) / r["boltzmann_step_s"] for r in paired.results
    ]
    quietest = max(range(len(ratios)), key=boltzmann_rates.__getitem__)
    return {
        "n": SPEED_SIZE,
        "block": paired.results[0]["block"],
        "processes": len(ratios),
        "ratios": ratios,
        "median": statistics.median(ratios),
        "min": min(ratios),
        "max": max(ratios),
        "quietest": ratios[quietest],
        "quietest_process": quietest + 1,
        "quietest_boltzmann_rate": boltzmann_rates[quietest],
    }


def fmt_rate(x: float) -> str:
    return f"{x / 1000:,.0f}k"


def verdict(ok: bool | None) -> str:
    return "n/a " if ok is None else ("PASS" if ok else "FAIL")


def benchmark(
    sizes: Sequence[int],
    steps: int,
    repeats: int,
    seed: int,
    trace: bool,
    settings: Sequence[str] = (),
    block: int = 10,
) -> dict[int, Any]:
    """Run all sizes and kinds, printing progress to stderr; return the runs per size.

    At :data:`SPEED_SIZE`, ``repeats`` paired same-process children (:func:`run_paired`) follow
    the separate runs; their results are under the key ``"paired"``."""
    runs: dict[int, dict[str, Runs]] = {}
    for n in sizes:
        runs[n] = {"model": Runs(), "boltzmann": Runs(), "trace": Runs(), "paired": Runs()}
        for r in range(repeats):
            for kind in ("model", "boltzmann"):  # interleaved, so background load hits both alike
                progress = f"  n={n:>6} {kind:<9} repeat {r + 1}/{repeats} ..."
                print(progress, end="", file=sys.stderr, flush=True)
                res = spawn(kind, n, steps, seed, settings=settings if kind == "model" else ())
                runs[n][kind].results.append(res)
                print(f" {res['construct_s']:.3f}s build, {res['step_s']:.3f}s steps", file=sys.stderr)
        if n == SPEED_SIZE:
            for r in range(repeats):
                progress = (
                    f"  n={n:>6} paired    repeat {r + 1}/{repeats} (same process, blocks of {block}) ..."
                )
                print(progress, end="", file=sys.stderr, flush=True)
                res = spawn_paired(n, steps, block, seed, settings=settings)
                runs[n]["paired"].results.append(res)
                print(
                    f" ours {res['model_step_s']:.3f}s, Boltzmann {res['boltzmann_step_s']:.3f}s, "
                    f"ratio {res['ratio']:.2f}",
                    file=sys.stderr,
                )
        if trace:
            print(f"  n={n:>6} model     tracemalloc run (untimed) ...", end="", file=sys.stderr, flush=True)
            res = spawn("model", n, steps, seed, trace=True, settings=settings)
            runs[n]["trace"].results.append(res)
            print(f" peak {res['tracemalloc_peak_bytes'] / MB:.1f} MB", file=sys.stderr)
    return runs


def report(runs: dict[int, dict[str, Runs]], steps: int, repeats: int, tolerance: float) -> None:
    """Print the results table, the same-process speed ratio, the linearity check and the targets."""
    sizes = sorted(runs)
    print()
    print(
        f"EcosystemModel vs Mesa BoltzmannWealth: {steps} steps, n_vendors = n_smbs // 5, "
        f"best of {repeats} run(s) (median in brackets), each run in a fresh process"
    )
    load = f", load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""
    print(f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPU(s){load}")
    print()
    header = (
        f"{'SMBs':>7} | {'build s':>7} {'step s':>16} {'SMB-steps/s':>12} | {'build s':>7} "
        f"{'step s':>16} {'agent-steps/s':>13} | {'sep. ratio':>10} | {'peak RSS':>8} {'growth':>7} "
        f"{'traced':>7}"
    )
    print(
        f"{'':>7} | {'EcosystemModel':<38} | {'Boltzmann wealth':<39} | {'':>10} | "
        f"{'memory of our run, MB':<24}"
    )
    print(header)
    print("-" * len(header))
    rates: dict[int, tuple[float, float]] = {}
    for n in sizes:
        ours, boltz, traced = runs[n]["model"], runs[n]["boltzmann"], runs[n]["trace"]
        ours_rate = n * steps / ours.best("step_s")
        boltz_rate = n * steps / boltz.best("step_s")
        rates[n] = (ours_rate, boltz_rate)
        growth = max(r["peak_rss_bytes"] - r["rss_before_bytes"] for r in ours.results)
        traced_mb = f"{traced.peak('tracemalloc_peak_bytes') / MB:7.1f}" if traced.results else f"{'-':>7}"
        print(
            f"{n:>7,} | {ours.best('construct_s'):7.3f} "
            f"{ours.best('step_s'):7.3f} [{ours.median('step_s'):6.3f}] {fmt_rate(ours_rate):>12} | "
            f"{boltz.best('construct_s'):7.3f} "
            f"{boltz.best('step_s'):7.3f} [{boltz.median('step_s'):6.3f}] {fmt_rate(boltz_rate):>13} | "
            f"{ours_rate / boltz_rate:10.2f} | {ours.peak('peak_rss_bytes') / MB:8.1f} {growth / MB:7.1f} "
            f"{traced_mb}"
        )
    print()
    print("'sep. ratio' = our SMB-steps/s over Boltzmann's agent-steps/s, each the best of its own separate")
    print(
        "processes; the host's speed drifts between processes, so it is noisy (see the same-process ratio)."
    )
    print("Memory: 'peak RSS' = ru_maxrss (getrusage RUSAGE_SELF) of the child process that built and ran")
    print("the model (whole process incl. interpreter and libraries, max over repeats); 'growth' = that")
    print("peak minus the child's VmRSS just before construction; 'traced' = tracemalloc peak of")
    print("Python/numpy allocations during construction + run, in a separate untimed child.")
    ends = [
        f"{n:,}: {runs[n]['model'].results[0]['active_contracts']:,} contracts, "
        f"{runs[n]['model'].results[0]['smb_survival']:.0%} SMBs alive"
        for n in sizes
    ]
    print("Work done (end of first run): " + "; ".join(ends))

    # same-process (paired) speed ratio
    paired = paired_summary(runs)
    if paired is not None:
        processes = f"{paired['processes']} process{'es' if paired['processes'] != 1 else ''}"
        print()
        print(
            f"Same-process speed ratio at {SPEED_SIZE:,} SMBs: median {paired['median']:.2f} "
            f"(range {paired['min']:.2f}\u2013{paired['max']:.2f} over {processes}, "
            f"blocks of {paired['block']} steps alternating)"
        )
        for i, res in enumerate(runs[SPEED_SIZE]["paired"].results, 1):
            n_ours, n_boltz = sum(res["model_block_steps"]), sum(res["boltzmann_block_steps"])
            print(
                f"  process {i}: ours {fmt_rate(SPEED_SIZE * n_ours / res['model_step_s'])} SMB-steps/s "
                f"({res['model_step_s']:.3f}s), Boltzmann "
                f"{fmt_rate(SPEED_SIZE * n_boltz / res['boltzmann_step_s'])} agent-steps/s "
                f"({res['boltzmann_step_s']:.3f}s) -> {paired_ratio(res):.2f}"
            )
        print("  Both models built untimed in one fresh process, then stepped in alternating timed blocks")
        print(
            "  (order flipping each pair), so drift of the host's speed hits both alike. It does not cancel"
        )
        print("  fully: a busy host slows Boltzmann's pure-Python step more than our array code, which lifts")
        print(
            f"  the ratio. The target therefore reads the quietest process (Boltzmann fastest): process "
            f"{paired['quietest_process']}, {paired['quietest']:.2f}."
        )

    # linearity
    print()
    per_step = {n: runs[n]["model"].best("step_s") / (n * steps) for n in sizes}
    base, top = (LINEAR_BASE, LINEAR_TOP) if {LINEAR_BASE, LINEAR_TOP} <= set(sizes) else (None, None)
    if base is None and len(sizes) >= 2:
        base, top = sizes[-2], sizes[-1]
    linear_ok: bool | None = None
    if base is not None:
        growth_ratio = per_step[top] / per_step[base]
        linear_ok = growth_ratio <= tolerance
        print(
            f"Linearity: time per SMB-step {per_step[base] * 1e6:.2f} us at {base:,} SMBs, "
            f"{per_step[top] * 1e6:.2f} us at {top:,} SMBs -> ratio {growth_ratio:.2f} "
            f"(1.00 = linear; target <= {tolerance:.2f})"
        )
        if len(sizes) >= 3:
            xs = [math.log(n) for n in sizes]
            ys = [math.log(runs[n]["model"].best("step_s")) for n in sizes]
            mx, my = statistics.fmean(xs), statistics.fmean(ys)
            slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
                (x - mx) ** 2 for x in xs
            )
            print(f"           log-log slope of stepping time over all sizes: {slope:.2f} (1.00 = linear)")
    else:
        print("Linearity: needs at least two sizes")

    # targets
    print()
    print("Targets")
    if paired is not None:
        ratio = paired["quietest"]
        print(
            f"  [{verdict(ratio >= 1.0)}] speed ratio >= 1 at {SPEED_SIZE:,} SMBs (same process, quietest of "
            f"{paired['processes']}, Boltzmann at {fmt_rate(paired['quietest_boltzmann_rate'])} "
            f"agent-steps/s): {ratio:.2f}"
        )
        if SPEED_SIZE in rates and paired["quietest_boltzmann_rate"] < BUSY_HOST * rates[SPEED_SIZE][1]:
            print(
                "         (host busy: Boltzmann ran at "
                f"{fmt_rate(paired['quietest_boltzmann_rate'])} agent-steps/s in its quietest same-process "
                f"run, against {fmt_rate(rates[SPEED_SIZE][1])} in its best separate run; a busy host "
                "flatters our model, so rerun on a quiet machine)"
            )
    elif SPEED_SIZE in rates:
        ratio = rates[SPEED_SIZE][0] / rates[SPEED_SIZE][1]
        print(
            f"  [{verdict(ratio >= 1.0)}] speed ratio >= 1 at {SPEED_SIZE:,} SMBs "
            f"(separate processes, best of {repeats} each): {ratio:.2f}"
        )
    else:
        print(f"  [{verdict(None)}] speed ratio >= 1 at {SPEED_SIZE:,} SMBs: size not run")
    if linear_ok is None:
        print("  [n/a ] cost growing linearly: not enough sizes")
    else:
        print(
            f"  [{verdict(linear_ok)}] cost growing linearly ({top:,} vs {base:,} SMBs, per SMB-step "
            f"ratio <= {tolerance:.2f}): {per_step[top] / per_step[base]:.2f}"
        )
    if MEMORY_SIZE in runs:
        peak_mb = runs[MEMORY_SIZE]["model"].peak("peak_rss_bytes") / MB
        note = "" if steps == MEMORY_STEPS else f" (NB: ran {steps} steps, target is for {MEMORY_STEPS})"
        print(
            f"  [{verdict(peak_mb < MEMORY_LIMIT_MB)}] {MEMORY_SIZE:,} SMBs x {steps} steps under "
            f"{MEMORY_LIMIT_MB:.0f} MB peak RSS: {peak_mb:.1f} MB{note}"
        )
    else:
        print(f"  [{verdict(None)}] {MEMORY_SIZE:,} SMBs under {MEMORY_LIMIT_MB:.0f} MB: size not run")
    print()
    print(
        "Note: BoltzmannScenario keeps its default 10x10 grid, so its agents per cell (and its cost per "
        "agent-step) rise with n."
    )


# ----------------------------------------------------------------------------------- profiling
def step_phases(model: Any) -> list[str]:
    """The calls ``EcosystemModel.step`` makes on ``self`` (e.g. ``assess_needs``), in order."""
    source = inspect.getsource(type(model).step)
    return list(dict.fromkeys(re.findall(r"self\.([\w.]+)\(", source)))


def profile(n: int, steps: int, seed: int, top: int) -> None:
    """Per-phase wall-clock of one run, then cProfile's top functions of a second run."""
    warnings.simplefilter("ignore")
    build = _builder("model")

    # phase timing without a profiler: wrap each phase on the instance
    model = build(n, seed)
    totals: dict[str, float] = {}
    for path in step_phases(model):
        *parents, name = path.split(".")
        owner = model
        for part in parents:
            owner = getattr(owner, part)
        original = getattr(owner, name)

        def timed(*args: Any, _f: Callable[..., Any] = original, _p: str = path, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return _f(*args, **kwargs)
            finally:
                totals[_p] = totals.get(_p, 0.0) + time.perf_counter() - t

        totals[path] = 0.0
        setattr(owner, name, timed)
    t0 = time.perf_counter()
    for _ in range(steps):
        model.step()
    wall = time.perf_counter() - t0
    print(f"Phases of EcosystemModel.step, {n:,} SMBs x {steps} steps, {wall:.3f}s wall (no profiler)")
    print(f"{'phase':<40} {'seconds':>8} {'share':>6} {'us/SMB-step':>11}")
    for path, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"{path:<40} {seconds:8.3f} {seconds / wall:6.1%} {seconds / (n * steps) * 1e6:11.3f}")
    rest = wall - sum(totals.values())
    print(f"{'(step overhead)':<40} {rest:8.3f} {rest / wall:6.1%}")

    # cProfile of a fresh run, construction included
    profiler = cProfile.Profile()
    profiler.enable()
    model = build(n, seed)
    for _ in range(steps):
        model.step()
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = [
        (calls, tottime, cumtime, _short_location(*where))
        for where, (_, calls, tottime, cumtime, _) in stats.stats.items()  # type: ignore[attr-defined]
    ]
    for order, column in (("cumulative", 2), ("tottime", 1)):
        print()
        print(f"cProfile, construction + {steps} steps ({total:.3f}s profiled), top {top} by {order}")
        print(f"{'calls':>9} {'tottime':>8} {'cumtime':>8} {'cum %':>6}  function")
        for calls, tottime, cumtime, name in sorted(rows, key=lambda r: -r[column])[:top]:
            print(f"{calls:>9} {tottime:8.3f} {cumtime:8.3f} {cumtime / total:6.1%}  {name}")


def _short_location(filename: str, line: int, function: str) -> str:
    """``package/module.py:line(function)``, unambiguous but without the long install prefix."""
    if filename.startswith("~") or filename.startswith("<"):
        return function  # built-in
    marker = "site-packages" + os.sep
    if marker in filename:
        filename = filename.split(marker, 1)[1]
    else:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        if filename.startswith(root + os.sep):
            filename = os.path.relpath(filename, root)
    return f"{filename}:{line}({function})"


# ---------------------------------------------------------------------------------------- main
def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time EcosystemModel against Mesa's Boltzmann wealth model; check scaling and memory.",
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), help="numbers of SMBs")
    parser.add_argument("--steps", type=int, default=120, help="months per run (default 120)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per size and model; best is kept")
    parser.add_argument("--seed", type=int, default=42, help="rng seed for both models")
    parser.add_argument(
        "--block",
        type=int,
        default=10,
        help=f"steps per timed block of the same-process comparison at {SPEED_SIZE:,} SMBs (default 10)",
    )
    parser.add_argument(
        "--linearity-tolerance",
        type=float,
        default=1.3,
        help="max ratio of per-SMB-step time at 8,000 vs 2,000 SMBs still counted linear (default 1.3)",
    )
    parser.add_argument(
        "--no-tracemalloc", action="store_true", help="skip the extra untimed tracemalloc run per size"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the raw per-run results to PATH")
    parser.add_argument(
        "--profile", type=int, metavar="N", help="instead: profile one N-SMB run (phases and cProfile)"
    )
    parser.add_argument("--top", type=int, default=15, help="functions shown by --profile (default 15)")
    parser.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter of our model, as for `smb-eco run` (repeatable), e.g. "
        "--set decision_rule=tce:0.25,rbv:0.25,cost:0.25,hybrid:0.25 --set adaptation=imitation",
    )
    parser.add_argument("--child", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.steps < 1 or args.block < 1 or min(args.sizes) < 1:
        parser.error("--repeats, --steps, --block and --sizes must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        kind, n = args.child
        if kind == "paired":
            print(json.dumps(run_paired(int(n), args.steps, args.block, args.seed, args.settings)))
            return 0
        if kind not in ("model", "boltzmann"):
            raise SystemExit(f"unknown child kind {kind!r}")
        print(json.dumps(run_child(kind, int(n), args.steps, args.seed, args.trace, args.settings)))
        return 0
    if args.profile:
        profile(args.profile, args.steps, args.seed, args.top)
        return 0
    sizes = sorted(set(args.sizes))
    print(f"Running sizes {sizes}, {args.steps} steps, {args.repeats} repeat(s) ...", file=sys.stderr)
    if args.settings:
        print(f"Our model with {' '.join(args.settings)}", file=sys.stderr)
    runs = benchmark(
        sizes,
        args.steps,
        args.repeats,
        args.seed,
        trace=not args.no_tracemalloc,
        settings=args.settings,
        block=args.block,
    )
    report(runs, args.steps, args.repeats, args.linearity_tolerance)
    if args.json:
        raw = {str(n): {k: r.results for k, r in by_kind.items()} for n, by_kind in runs.items()}
        with open(args.json, "w") as out:
            meta = {"steps": args.steps, "repeats": args.repeats, "seed": args.seed, "block": args.block}
            json.dump({**meta, "runs": raw, "paired": paired_summary(runs)}, out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
