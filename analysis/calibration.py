"""Calibration to empirical targets by approximate Bayesian computation (ABC-SMC, pyabc).

:func:`calibrate` estimates the parameters given as ``name=(low, high)`` (uniform priors) from a
targets file (:mod:`experiments.targets`): pyabc's ABC-SMC (Toni et al. 2009; Klinger et al.
2018) simulates the model at parameter values drawn from the prior and then from successively
narrower proposals, keeping the values whose simulated targets lie close to the empirical ones.
The distance is the Euclidean distance over the targets, each scaled by the half-width of its
empirical range, so that a miss by a whole range counts 1 whatever the target's units; it is
measured from the empirical values (``distance_kind="point"``, the default) or from the ranges
(``"range"``: 0 inside a range, for sources that give a range rather than a value).

Where the runs go: a Dask distributed cluster (``scheduler=``, pyabc's
``DaskDistributedSampler``, the cluster sweeps use), local processes (``workers > 1``, pyabc's
``MulticoreEvalParallelSampler``) or this process (pyabc's ``SingleCoreSampler``).

Seeds. Each simulation's seed is derived from the base seed and the parameter values it runs
(:func:`simulation_seed`), so a simulation is a function of its parameters. The proposals are
drawn by pyabc: in this process from NumPy's global generator, which :func:`calibrate` seeds, so
a calibration with ``workers=1`` reproduces bit for bit; pyabc's parallel and Dask samplers draw
proposals in their workers from fresh entropy, so those calibrations reproduce in distribution
only (the same posterior up to Monte Carlo error), which the written summary states.

Written to ``out_dir``:

* ``calibration.db``: pyabc's database (every generation; a later call with ``resume=True``
  continues it up to ``generations``);
* ``posterior.parquet``: the last generation's particles and weights; ``posterior.csv``: the
  posterior mean, SD and 5-95 % credible interval per parameter;
* ``posterior_mean.yaml``: the fixed parameters and the posterior means (integers rounded), a
  config that ``smb-eco run --config`` and ``smb-eco validate --config`` take;
* ``figures/posterior_pairs.png``: pyabc's kernel density matrix of the posterior;
  ``figures/epsilons.png``: the acceptance threshold by generation;
* ``predictive/``: the posterior predictive check, a sweep of runs at parameter values drawn
  from the posterior, and ``predictive.csv``: per target, the predictive mean and 90 % interval
  and the share of runs inside the empirical range; ``figures/predictive.png`` shows them;
* ``calibration.md``: the report of all this, with the command that reproduces it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import math
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ecosystem.model import run_simulation
from ecosystem.parameters import format_value, parameter, validate_parameters
from experiments import run_sweep, spec_from_dict
from experiments.targets import Targets, load_targets, measure

from .figures import _figure, _style, label, save_figure
from .load import load

__all__ = [
    "DEFAULT_GENERATIONS",
    "DEFAULT_POPULATION",
    "Calibration",
    "CalibrationError",
    "Simulator",
    "calibrate",
    "check_request",
    "parse_bounds",
    "simulation_seed",
]

DEFAULT_POPULATION = 100
DEFAULT_GENERATIONS = 5
#: Runs of the posterior predictive check at most (fewer if the posterior has fewer particles).
PREDICTIVE_RUNS = 50
#: A simulated target that is NaN (nothing to measure) counts as this many range half-widths off.
NAN_DISTANCE = 10.0
DATABASE = "calibration.db"
#: NumPy's global generator state after the last generation, for a resume.
RNG_STATE = "rng_state.json"


class CalibrationError(ValueError):
    """A calibration request that cannot be run, said in one line naming what to fix."""


def parse_bounds(texts: list[str]) -> dict[str, tuple[float, float]]:
    """``["name=low:high", ...]`` as checked bounds of numeric model parameters.

    >>> parse_bounds(["lemon_share=0.1:0.4"])
    {'lemon_share': (0.1, 0.4)}
    >>> parse_bounds(["lemon_share=0.4:0.1"])
    Traceback (most recent call last):
    ...
    analysis.calibration.CalibrationError: --params lemon_share=0.4:0.1: needs low < high
    """
    bounds: dict[str, tuple[float, float]] = {}
    for text in texts:
        name, sep, span = text.partition("=")
        low, colon, high = span.partition(":")
        name = name.strip()
        if not sep or not colon:
            raise CalibrationError(f"--params {text}: expected NAME=LOW:HIGH")
        try:
            schema = parameter(name)
        except ValueError as error:
            raise CalibrationError(f"--params {text}: {error}") from None
        if schema.kind not in (int, float) or schema.choices:
            raise CalibrationError(f"--params {text}: {name} is not numeric; only numbers can be calibrated")
        try:
            lo, hi = float(low), float(high)
        except ValueError:
            raise CalibrationError(f"--params {text}: LOW and HIGH must be numbers") from None
        if not lo < hi:
            raise CalibrationError(f"--params {text}: needs low < high")
        for end in (lo, hi):
            try:
                schema.check(round(end) if schema.kind is int else end)
            except ValueError as error:
                raise CalibrationError(f"--params {text}: {error}") from None
        if name in bounds:
            raise CalibrationError(f"--params {text}: {name} is given twice")
        bounds[name] = (lo, hi)
    if not bounds:
        raise CalibrationError("--params: give at least one NAME=LOW:HIGH to calibrate")
    return bounds


def simulation_seed(base: int, values: dict[str, float], replication: int = 0) -> int:
    """The seed of the simulation of ``values`` (a function of the base seed and the values).

    >>> simulation_seed(1, {"a": 0.5}) == simulation_seed(1, {"a": 0.5}) != simulation_seed(2, {"a": 0.5})
    True
    """
    text = json.dumps([base, replication, sorted((k, float(v)) for k, v in values.items())])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little") >> 1


def _model_values(values: dict[str, float]) -> dict[str, Any]:
    """Parameter values as the model takes them: integers rounded."""
    return {k: (round(float(v)) if parameter(k).kind is int else float(v)) for k, v in values.items()}


def check_request(
    bounds: dict[str, tuple[float, float]],
    fixed: dict[str, Any],
    population: int = DEFAULT_POPULATION,
    generations: int = DEFAULT_GENERATIONS,
    replications: int = 1,
) -> None:
    """Raise :class:`CalibrationError` (one line) for a request that cannot run: counts, a
    parameter both fixed and calibrated, or a corner of the prior box the model refuses."""
    overlap = sorted(set(fixed) & set(bounds))
    if overlap:
        raise CalibrationError(f"{overlap[0]} is both fixed and calibrated; drop one")
    for name, value in (
        ("population", population),
        ("generations", generations),
        ("replications", replications),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise CalibrationError(f"--{name} must be a positive integer, got {value!r}")
    if population < 2:
        raise CalibrationError(f"--population must be at least 2, got {population}")
    for corner in itertools.product(*[(lo, hi) for lo, hi in bounds.values()]):
        values = _model_values(dict(zip(bounds, corner, strict=True)))
        try:  # every corner of the prior box must be a valid model (joint constraints included)
            validate_parameters({**fixed, **values})
        except ValueError as error:
            at = ", ".join(f"{k}={format_value(v)}" for k, v in values.items())
            raise CalibrationError(f"--params: at {at} the model refuses the setting: {error}") from None


class Simulator:
    """The model as pyabc sees it: parameter values in, one value per target out.

    Picklable (it goes to worker processes and to Dask workers). Each call runs
    ``replications`` simulations with seeds from :func:`simulation_seed` and returns the mean of
    each target over them.
    """

    def __init__(self, targets: Targets, fixed: dict[str, Any], seed: int, replications: int = 1) -> None:
        self.targets, self.fixed, self.seed, self.replications = targets, dict(fixed), seed, replications

    def __call__(self, values: dict[str, float]) -> dict[str, float]:
        values = {k: float(v) for k, v in dict(values).items()}
        params = {**self.fixed, **_model_values(values)}
        sums = dict.fromkeys((t.name for t in self.targets.targets), 0.0)
        for r in range(self.replications):
            model = run_simulation(params, self.targets.steps, simulation_seed(self.seed, values, r))
            frame = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
            frame.insert(0, "step", range(1, len(frame) + 1))
            for t in self.targets.targets:
                sums[t.name] += measure(t, frame)
        return {name: total / self.replications for name, total in sums.items()}


#: What the distance measures from: the empirical value, or the empirical range (0 inside it).
DISTANCES = ("point", "range")


def distance(targets: Targets, kind: str = "point"):
    """Euclidean distance over targets scaled by their ranges' half-widths (NaN: far away).

    ``kind="point"`` measures each target's gap to its empirical value; ``kind="range"`` its gap
    to the nearest bound of its empirical range, 0 inside it, so that every simulated value the
    sources cannot tell apart counts as a perfect fit (the posterior is then the prior restricted
    to the parameters consistent with every range, once the threshold reaches 0).
    """
    if kind not in DISTANCES:
        raise CalibrationError(f"distance must be one of {', '.join(DISTANCES)}, got {kind!r}")
    scale = {t.name: max((t.high - t.low) / 2.0, 1e-12) for t in targets.targets}
    bounds = {t.name: (t.low, t.high) for t in targets.targets}

    def scaled(simulated: dict, observed: dict) -> float:
        total = 0.0
        for name, s in scale.items():
            value = simulated[name]
            if kind == "point":
                gap = (value - observed[name]) / s
            else:
                low, high = bounds[name]
                inside = low <= value <= high  # False for NaN, which keeps its gap
                gap = 0.0 if inside else (low - value if value < low else value - high) / s
            total += NAN_DISTANCE**2 if gap != gap else gap * gap
        return math.sqrt(total)

    return scaled


@dataclass
class Calibration:
    """What :func:`calibrate` estimated and wrote."""

    posterior: pd.DataFrame  # particles: a column per parameter, and ``weight``
    summary: pd.DataFrame  # per parameter: mean, sd, q05, q95, prior bounds
    predictive: pd.DataFrame  # per target: predictive mean, q05, q95, share inside
    generations: int
    report: Path


def calibrate(
    targets: str | Path | Targets,
    bounds: dict[str, tuple[float, float]],
    out_dir: str | Path,
    *,
    fixed: dict[str, Any] | None = None,
    population: int = DEFAULT_POPULATION,
    generations: int = DEFAULT_GENERATIONS,
    replications: int = 1,
    workers: int = 1,
    scheduler: str | None = None,
    seed: int = 1,
    resume: bool = False,
    predictive_runs: int = PREDICTIVE_RUNS,
    command: str = "",
    distance_kind: str = "point",
) -> Calibration:
    """Estimate ``bounds``' parameters from ``targets`` by ABC-SMC and write the results.

    Raises
    ------
    CalibrationError
        If an argument is invalid, ``out_dir`` holds files (without ``resume``) or holds no
        calibration of these parameters (with ``resume``); before anything runs.
    """
    import pyabc

    if not isinstance(targets, Targets):
        targets = load_targets(targets)
    fixed = dict(fixed or {})
    check_request(bounds, fixed, population, generations, replications)
    if distance_kind not in DISTANCES:
        raise CalibrationError(f"distance must be one of {', '.join(DISTANCES)}, got {distance_kind!r}")
    out = Path(out_dir)
    db_path = out / DATABASE
    settings = {
        "targets": targets.source,
        "bounds": {k: list(v) for k, v in bounds.items()},
        "fixed": {k: format_value(v) for k, v in fixed.items()},
        "population": population,
        "replications": replications,
        "seed": seed,
        "distance": distance_kind,
    }
    if resume:
        if not db_path.exists():
            raise CalibrationError(f"{out} holds no calibration to resume ({DATABASE} missing)")
        stored = json.loads((out / "settings.json").read_text(encoding="utf-8"))
        stored.setdefault("distance", "point")  # calibrations written before the choice existed
        differ = [k for k in settings if stored.get(k) != settings[k]]
        if differ:
            raise CalibrationError(
                f"{out} holds a calibration with another {differ[0]} ({stored.get(differ[0])!r}, now "
                f"{settings[differ[0]]!r}); resume it with the same settings"
            )
    elif out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise CalibrationError(f"{out} already holds files; choose a new folder (or --resume)")
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / "predictive", ignore_errors=True)  # a resume redoes the check on the new posterior
    (out / "settings.json").write_text(json.dumps(settings, indent=2), encoding="utf-8")

    logging.getLogger("ABC").setLevel(logging.WARNING)  # pyabc's per-generation chatter
    prior = pyabc.Distribution(**{k: pyabc.RV("uniform", lo, hi - lo) for k, (lo, hi) in bounds.items()})
    simulator = Simulator(targets, fixed, seed, replications)
    client = None
    if scheduler is not None:
        from distributed import Client

        client = Client(scheduler, timeout=10)
        sampler = pyabc.sampler.DaskDistributedSampler(dask_client=client)
    elif workers > 1:
        sampler = pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers)
    else:
        sampler = pyabc.sampler.SingleCoreSampler()
    state_path = out / RNG_STATE
    try:
        # pyabc draws proposals from NumPy's global generator: seeded here, and carried over a
        # resume, so that a calibration stopped and resumed in one process gives the same posterior
        if resume and state_path.exists():
            np.random.set_state(_state_from_json(json.loads(state_path.read_text(encoding="utf-8"))))
        elif not resume:
            np.random.seed(seed)
        measure = distance(targets, distance_kind)
        abc = pyabc.ABCSMC(simulator, prior, measure, population_size=population, sampler=sampler)
        db = f"sqlite:///{db_path.resolve()}"
        observed = {t.name: t.value for t in targets.targets}
        history = abc.load(db, 1) if resume else abc.new(db, observed)
        done = history.max_t + 1
        if generations > done:
            history = abc.run(max_nr_populations=generations - done)
        state_path.write_text(json.dumps(_state_to_json(np.random.get_state())), encoding="utf-8")
    finally:
        if client is not None:
            client.close()
    particles, weights = history.get_distribution(m=0, t=history.max_t)
    posterior = particles[list(bounds)].reset_index(drop=True).assign(weight=np.asarray(weights))
    posterior.to_parquet(out / "posterior.parquet", index=False)
    summary = posterior_summary(posterior, bounds)
    summary.to_csv(out / "posterior.csv", index=False)
    means = _model_values(dict(zip(summary["parameter"], summary["mean"], strict=True)))
    config = {**fixed, **means}
    (out / "posterior_mean.yaml").write_text(
        "# Posterior means of a calibration (smb-eco calibrate); use with --config.\n"
        + yaml.safe_dump({k: _plain(v) for k, v in config.items()}, sort_keys=False),
        encoding="utf-8",
    )
    figures = out / "figures"
    _pair_figure(history, bounds, figures / "posterior_pairs")
    _epsilon_figure(history, figures / "epsilons")
    predictive = predictive_check(
        targets,
        posterior,
        fixed,
        out / "predictive",
        min(predictive_runs, len(posterior)),
        seed,
        workers,
        scheduler,
    )
    predictive.to_csv(out / "predictive.csv", index=False)
    save_figure(_predictive_figure(targets, out / "predictive"), figures / "predictive")
    report = out / "calibration.md"
    report.write_text(
        _markdown(targets, settings, summary, predictive, history, workers, scheduler, command),
        encoding="utf-8",
    )
    return Calibration(posterior, summary, predictive, history.max_t + 1, report)


def _state_to_json(state: tuple) -> list:
    kind, keys, position, has_gauss, cached = state
    return [kind, keys.tolist(), int(position), int(has_gauss), float(cached)]


def _state_from_json(data: list) -> tuple:
    kind, keys, position, has_gauss, cached = data
    return kind, np.array(keys, dtype=np.uint32), position, has_gauss, cached


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def posterior_summary(posterior: pd.DataFrame, bounds: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Weighted mean, SD and 5 % and 95 % quantiles of each parameter over the particles.

    >>> frame = pd.DataFrame({"a": [0.0, 1.0, 2.0], "weight": [0.25, 0.5, 0.25]})
    >>> posterior_summary(frame, {"a": (0, 2)})[["parameter", "mean", "q05", "q95"]].to_dict("records")
    [{'parameter': 'a', 'mean': 1.0, 'q05': 0.0, 'q95': 2.0}]
    """
    w = posterior["weight"].to_numpy(float)
    w = w / w.sum()
    rows = []
    for name, (lo, hi) in bounds.items():
        x = posterior[name].to_numpy(float)
        mean = float(np.sum(w * x))
        order = np.argsort(x, kind="stable")
        cumulative = np.cumsum(w[order])
        q05 = float(x[order][np.searchsorted(cumulative, 0.05 - 1e-12)])
        q95 = float(x[order][min(np.searchsorted(cumulative, 0.95 - 1e-12), len(x) - 1)])
        sd = float(np.sqrt(np.sum(w * (x - mean) ** 2)))
        rows.append(
            {
                "parameter": name,
                "mean": mean,
                "sd": sd,
                "q05": q05,
                "q95": q95,
                "prior_low": lo,
                "prior_high": hi,
            }
        )
    return pd.DataFrame(rows)


def predictive_check(
    targets: Targets,
    posterior: pd.DataFrame,
    fixed: dict[str, Any],
    sweep_dir: Path,
    runs: int,
    seed: int,
    workers: int,
    scheduler: str | None,
) -> pd.DataFrame:
    """Run the model at ``runs`` parameter values drawn from the posterior (by weight), each with
    a fresh seed, and summarise each target: mean, 5-95 % interval, share of runs inside."""
    names = [c for c in posterior.columns if c != "weight"]
    w = posterior["weight"].to_numpy(float)
    draws = np.random.default_rng(seed).choice(len(posterior), size=runs, replace=True, p=w / w.sum())
    points = [_model_values(posterior.loc[int(i), names].to_dict()) for i in draws]
    spec = spec_from_dict(
        {
            "name": f"predictive-{targets.name}",
            "description": "Posterior predictive check: one run per draw from the posterior.",
            "seed": seed + 1,
            "fixed": fixed,
            "design": "list",
            "factors": [{k: _plain(v) for k, v in p.items()} for p in points],
            "replications": 1,
            "steps": targets.steps,
            "metrics": targets.reporters,
            "record_every": 1,
        },
        source=f"predictive({targets.source})",
    )
    run_sweep(spec, sweep_dir, workers=workers, scheduler=scheduler)
    frame = load(sweep_dir).frame
    values = pd.DataFrame(
        [
            {t.name: measure(t, series) for t in targets.targets}
            for _, series in frame.groupby("run_id", sort=True)
        ]
    )
    rows = []
    for t in targets.targets:
        v = values[t.name].dropna().to_numpy(float)
        rows.append(
            {
                "target": t.name,
                "empirical": t.value,
                "low": t.low,
                "high": t.high,
                "mean": float(v.mean()) if len(v) else math.nan,
                "q05": float(np.quantile(v, 0.05)) if len(v) else math.nan,
                "q95": float(np.quantile(v, 0.95)) if len(v) else math.nan,
                "mean_inside": t.inside(float(v.mean())) if len(v) else False,
                "runs_inside": float(np.mean([t.inside(x) for x in v])) if len(v) else math.nan,
            }
        )
    return pd.DataFrame(rows)


def _pair_figure(history, bounds: dict[str, tuple[float, float]], path: Path) -> None:
    import matplotlib.pyplot as plt
    import pyabc

    particles, weights = history.get_distribution(m=0, t=history.max_t)
    limits = {k: (lo, hi) for k, (lo, hi) in bounds.items()}
    with _style():
        if len(bounds) == 1:
            (name,) = bounds
            fig, ax = plt.subplots(figsize=(5, 3.5))
            pyabc.visualization.plot_kde_1d(
                particles, weights, x=name, xmin=limits[name][0], xmax=limits[name][1], ax=ax
            )
            ax.set(xlabel=label(name), ylabel="Posterior density")
        else:
            arr = pyabc.visualization.plot_kde_matrix(particles, weights, limits=limits)
            fig = np.ravel(arr)[0].figure
        fig.subplots_adjust(top=0.9)  # room for the title (pyabc's matrix has colour bars of its own)
        fig.suptitle("Posterior (last generation, weighted kernel density)")
        save_figure(fig, path)


def _epsilon_figure(history, path: Path) -> None:
    populations = history.get_all_populations()
    populations = populations[populations["t"] >= 0]
    with _style():
        fig, (ax,) = _figure(1, 1, width=4.5)
        ax.plot(populations["t"] + 1, populations["epsilon"], marker="o")
        ax.set(xlabel="Generation", ylabel="Acceptance threshold ε (scaled distance)", yscale="log")
    save_figure(fig, path)


def _predictive_figure(targets: Targets, sweep_dir: Path):
    frame = load(sweep_dir).frame
    values = {
        t.name: np.array([measure(t, s) for _, s in frame.groupby("run_id", sort=True)], dtype=float)
        for t in targets.targets
    }
    with _style():
        fig, axes = _figure(len(targets.targets), 4, width=3.0, height=2.6)
        for ax, t in zip(axes, targets.targets, strict=True):
            v = values[t.name][~np.isnan(values[t.name])]
            ax.axvspan(t.low, t.high, color="tab:green", alpha=0.2, lw=0)
            ax.axvline(t.value, color="tab:green")
            if len(v):
                ax.hist(v, bins=min(15, max(5, len(v) // 3)), color="tab:blue", alpha=0.7)
            ax.set(
                title=textwrap.shorten(t.name.replace("_", " "), 30), xlabel=label(t.reporter), ylabel="Runs"
            )
        fig.suptitle("Posterior predictive check: runs at posterior draws (green: empirical range)")
    return fig


def _markdown(targets, settings, summary, predictive, history, workers, scheduler, command) -> str:
    fixed, population = settings["fixed"], settings["population"]
    replications, seed = settings["replications"], settings["seed"]
    generations = history.max_t + 1
    populations = history.get_all_populations()
    simulations = int(populations["samples"].sum())
    where = (
        f"the Dask cluster at {scheduler}"
        if scheduler
        else (f"{workers} local processes" if workers > 1 else "one process")
    )
    if workers == 1 and not scheduler:
        reproducible = "It ran in one process with its seed: the same command reproduces it bit for bit."
    else:
        reproducible = (
            "pyabc's parallel samplers draw proposals in their workers from fresh entropy, so it "
            "reproduces in distribution only (each simulation is still a function of its parameters "
            "and the seed)."
        )
    runs = f"{replications} run{'s' if replications > 1 else ''} per particle"
    held = ", ".join(f"`{k}` = {v}" for k, v in fixed.items())  # already formatted in settings
    lines = [
        f"# Calibration to {targets.name}",
        "",
        f"ABC-SMC (pyabc) on {len(targets.targets)} targets of `{targets.source}`: {generations} "
        f"generations of {population} particles, {simulations} simulations of {targets.steps} months "
        f"({runs}), on {where}; base seed {seed}. Distance: Euclidean over the targets, each scaled "
        f"by half its empirical range. Priors uniform on the bounds below. {reproducible}",
        "",
        f"Fixed: {held or 'every other parameter at its default'}.",
        "",
        f"Command: `{command}`" if command else "",
        "",
        "## Posterior",
        "",
        "| Parameter | Prior | Posterior mean | SD | 90 % credible interval |",
        "|---|---|---|---|---|",
    ]
    for row in summary.itertuples(index=False):
        lines.append(
            f"| `{row.parameter}` | U({row.prior_low:g}, {row.prior_high:g}) | {row.mean:.4g} | "
            f"{row.sd:.3g} | [{row.q05:.4g}, {row.q95:.4g}] |"
        )
    lines += [
        "",
        "![posterior](figures/posterior_pairs.png)",
        "",
        "![epsilons](figures/epsilons.png)",
        "",
        "`posterior_mean.yaml` holds these means with the fixed parameters, for `--config`.",
        "",
        "## Posterior predictive check",
        "",
        "Runs at parameter values drawn from the posterior (by weight), each with a fresh seed:",
        "",
        "| Target | Empirical (range) | Predictive mean | 90 % interval | Mean inside | Runs inside |",
        "|---|---|---|---|---|---|",
    ]
    for row in predictive.itertuples(index=False):
        lines.append(
            f"| {row.target} | {row.empirical:.2f} ({row.low:.2f}–{row.high:.2f}) | {row.mean:.3f} | "
            f"[{row.q05:.3f}, {row.q95:.3f}] | {'yes' if row.mean_inside else 'no'} | {row.runs_inside:.2f} |"
        )
    lines += ["", "![predictive](figures/predictive.png)", ""]
    return "\n".join(lines)
