"""Validation against empirical targets: run the model, measure every target, compare, report.

:func:`validate` runs replications of one parameter setting (the defaults, or a config) as a sweep
(:func:`experiments.run_sweep`, so runs go to worker processes and every run has its own seed),
measures each target of a targets file (:mod:`experiments.targets`) in every run, and writes:

* ``validation.md``: the table (target, empirical value and range, simulated mean and 95 %
  confidence interval across replications, inside or outside the range, share of runs inside),
  the setting, and one figure per target with its fact, population and source;
* ``validation.csv`` (the table) and ``runs.csv`` (each run's value of each target);
* ``figures/<target>.png`` and ``.svg``: the target's monthly series across runs (mean and 95 %
  band) with the empirical range and the months it is read over, and each run's value;
* ``sweep/``: the sweep folder of the runs (``smb-eco analyze`` reads it too).

Missing a target is a finding, not an error: the command that calls this exits 0 either way.
The verdict is *inside* when the simulated mean lies in the empirical range; the interval says
how sure that mean is, and the share of runs inside how much single runs scatter.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from scipy import stats

from ecosystem.parameters import format_value, validate_parameters
from experiments import run_sweep, spec_from_dict
from experiments.targets import BUILTIN_TARGETS, Target, Targets, load_targets, measure

from .figures import _figure, _style, label, save_figure
from .load import load
from .statistics import summarize

__all__ = ["DEFAULT_REPLICATIONS", "VALIDATION_SEED", "Validation", "validate", "validation_table"]

DEFAULT_REPLICATIONS = 10
#: Base seed of the validation runs' replication seeds.
VALIDATION_SEED = 2000


@dataclass
class Validation:
    """What :func:`validate` measured and wrote."""

    targets: Targets
    params: dict[str, Any]
    table: pd.DataFrame  # one row per target (see validation_table)
    runs: pd.DataFrame  # one row per run, a column per target
    report: Path

    @property
    def inside(self) -> int:
        """Targets whose simulated mean lies in the empirical range."""
        return int(self.table["inside"].sum())


def validate(
    out_dir: str | Path,
    params: dict[str, Any] | None = None,
    *,
    targets: str | Path | Targets = BUILTIN_TARGETS,
    replications: int = DEFAULT_REPLICATIONS,
    workers: int = 1,
    seed: int = VALIDATION_SEED,
) -> Validation:
    """Run ``replications`` of the setting ``params`` (defaults where not given), measure every
    target and write the report to ``out_dir`` (a new or empty folder).

    Raises
    ------
    TargetError
        If the targets file is invalid; ValueError if a parameter is; both before anything runs.
    FileExistsError
        If ``out_dir`` holds files.
    """
    if not isinstance(targets, Targets):
        targets = load_targets(targets)
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 2:
        raise ValueError(
            f"replications must be an integer of at least 2 (for an interval), got {replications!r}"
        )
    given = dict(params or {})
    complete = validate_parameters(given)
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out} already holds files; choose a new folder")
    spec = spec_from_dict(
        {
            "name": f"validate-{targets.name}",
            "description": f"Replications of one setting, measured against {targets.source}.",
            "seed": seed,
            "fixed": given,
            "design": "grid",
            "factors": {},
            "replications": replications,
            "steps": targets.steps,
            "metrics": targets.reporters,
            "record_every": 1,
        },
        source=f"validate({targets.source})",
    )
    run_sweep(spec, out / "sweep", workers=workers)
    frame = load(out / "sweep").frame
    runs = per_run_values(targets, frame)
    table = validation_table(targets, runs)
    figures = out / "figures"
    for target in targets.targets:
        save_figure(target_figure(target, frame, runs[target.name]), figures / target.name)
    table.to_csv(out / "validation.csv", index=False)
    runs.to_csv(out / "runs.csv", index=False)
    report = out / "validation.md"
    report.write_text(_markdown(targets, given, complete, table, replications, seed), encoding="utf-8")
    return Validation(targets=targets, params=complete, table=table, runs=runs, report=report)


def per_run_values(targets: Targets, frame: pd.DataFrame) -> pd.DataFrame:
    """One row per run (``run_id``, ``seed``) with each target's value in that run."""
    rows = []
    for (run_id, seed), series in frame.groupby(["run_id", "seed"], sort=True):
        rows.append({"run_id": run_id, "seed": seed, **{t.name: measure(t, series) for t in targets.targets}})
    return pd.DataFrame(rows)


def validation_table(targets: Targets, runs: pd.DataFrame) -> pd.DataFrame:
    """Per target: empirical value and range, simulated mean, 95 % CI, verdict, runs inside.

    >>> from experiments.targets import Target, Targets
    >>> t = Target("x", "", "outsourcing_share", 1, 2, "mean", 0.5, 0.4, 0.6, "", "", True)
    >>> table = validation_table(Targets("t", "", 2, (t,), ""), pd.DataFrame({"x": [0.5, 0.55, 0.62]}))
    >>> table[["target", "mean", "inside", "verdict", "runs_inside"]].round(3).to_dict("records")
    [{'target': 'x', 'mean': 0.557, 'inside': True, 'verdict': 'inside (uncertain)', 'runs_inside': 0.667}]
    """
    summary = summarize(runs, [], [t.name for t in targets.targets], by_step=False).set_index("metric")
    rows = []
    for t in targets.targets:
        s = summary.loc[t.name]
        values = runs[t.name].to_numpy(float)
        measured = values[~np.isnan(values)]
        rows.append(
            {
                "target": t.name,
                "reporter": t.reporter,
                "empirical": t.value,
                "low": t.low,
                "high": t.high,
                "mean": s["mean"],
                "ci_low": s["ci_low"],
                "ci_high": s["ci_high"],
                "n": int(s["n"]),
                "inside": t.inside(s["mean"]),
                "verdict": _verdict(t, s["mean"], s["ci_low"], s["ci_high"]),
                "runs_inside": float(np.mean([t.inside(v) for v in measured])) if len(measured) else math.nan,
            }
        )
    return pd.DataFrame(rows)


def _verdict(target: Target, mean: float, low: float, high: float) -> str:
    """``inside`` or ``outside`` by the mean; ``(uncertain)`` when the 95 % CI crosses a bound.

    >>> t = Target("x", "", "r", 1, 2, "mean", 0.5, 0.4, 0.6, "", "", True)
    >>> _verdict(t, 0.5, 0.45, 0.55), _verdict(t, 0.55, 0.5, 0.62), _verdict(t, 0.7, 0.65, 0.75)
    ('inside', 'inside (uncertain)', 'outside')
    """
    verdict = "inside" if target.inside(mean) else "outside"
    crossed = (
        not (math.isfinite(low) and math.isfinite(high))
        or low < target.low <= high
        or low <= target.high < high
    )
    return f"{verdict} (uncertain)" if crossed else verdict


def target_figure(target: Target, frame: pd.DataFrame, values: pd.Series):
    """The target's monthly series across runs with the empirical range, and each run's value."""
    with _style():
        fig, (series_ax, runs_ax) = _figure(2, 2, width=4.2)
        summary = summarize(frame, [], [target.reporter], by_step=True)
        band = {"color": "tab:green", "alpha": 0.18, "lw": 0}
        series_ax.axhspan(target.low, target.high, **band)
        series_ax.axvspan(target.first_month - 0.5, target.last_month + 0.5, color="0.5", alpha=0.08, lw=0)
        series_ax.fill_between(
            summary["step"], summary["ci_low"], summary["ci_high"], color="tab:blue", alpha=0.25
        )
        series_ax.plot(summary["step"], summary["mean"], color="tab:blue", lw=1.5)
        series_ax.set(xlabel="Month", ylabel=label(target.reporter), title="Monthly, mean of runs")
        measured = values.dropna().to_numpy(float)
        runs_ax.axhspan(target.low, target.high, **band)
        runs_ax.axhline(target.value, color="tab:green", lw=1.2)
        jitter = np.linspace(-0.15, 0.15, len(measured)) if len(measured) > 1 else np.zeros(len(measured))
        runs_ax.scatter(jitter, measured, color="tab:blue", s=18, alpha=0.8)
        if len(measured):
            mean = measured.mean()
            n = len(measured)
            half = (
                stats.t.ppf(0.975, n - 1) * measured.std(ddof=1) / math.sqrt(n) if n > 1 else 0.0
            )  # as the table
            runs_ax.errorbar([0.35], [mean], yerr=[[half], [half]], fmt="o", color="black", capsize=4)
        runs_ax.set_xlim(-0.5, 0.6)
        runs_ax.set_xticks([])
        when = (
            f"month {target.last_month}"
            if target.statistic == "last"
            else f"mean of months {target.first_month}–{target.last_month}"
        )
        runs_ax.set(ylabel=label(target.reporter), title=f"Each run ({when})")
        fig.legend(
            handles=[
                Patch(color="tab:green", alpha=0.3, label="empirical range"),
                Line2D([], [], color="tab:green", label="empirical value"),
                Patch(color="tab:blue", alpha=0.5, label="simulated (95 % CI of the monthly mean)"),
                Line2D([], [], color="black", marker="o", label="simulated mean, 95 % CI"),
            ],
            loc="outside lower center",
            ncols=4,
        )
        fig.suptitle(textwrap.fill(target.fact, 90), fontsize="medium")
    return fig


def _number(x: float) -> str:
    return "–" if x != x else f"{x:.3f}"


def _markdown(
    targets: Targets,
    given: dict[str, Any],
    complete: dict[str, Any],
    table: pd.DataFrame,
    replications: int,
    seed: int,
) -> str:
    setting = (
        ", ".join(f"`{k}` = {format_value(v)}" for k, v in given.items()) or "every parameter at its default"
    )
    inside = int(table["inside"].sum())
    lines = [
        f"# Validation against {targets.name}",
        "",
        targets.description,
        "",
        f"Setting: {setting} ({complete['n_smbs']} SMBs, {complete['n_vendors']} vendors); "
        f"{replications} replications of {targets.steps} months (replication seeds from base seed {seed}). "
        f"Targets file: `{targets.source}`.",
        "",
        f"**{inside} of {len(table)} targets inside their empirical range** (the simulated mean across "
        "replications lies in the range; the 95 % confidence interval is Student's t across replications, "
        "and a verdict is *uncertain* when that interval crosses a bound of the range; "
        "'runs inside' is the share of single runs in the range).",
        "",
        "| Target | Measure | Empirical (range) | Simulated mean [95 % CI] | Verdict | Runs inside |",
        "|---|---|---|---|---|---|",
    ]
    for t, row in zip(targets.targets, table.itertuples(index=False), strict=True):
        when = (
            f"month {t.last_month}"
            if t.statistic == "last"
            else f"mean, months {t.first_month}–{t.last_month}"
        )
        lines.append(
            f"| {t.name} | `{t.reporter}` ({when}) | {t.value:.2f} ({t.low:.2f}–{t.high:.2f}) | "
            f"{_number(row.mean)} [{_number(row.ci_low)}, {_number(row.ci_high)}] | "
            f"{row.verdict} | {_number(row.runs_inside)} |"
        )
    lines += ["", "## The targets", ""]
    for t in targets.targets:
        lines += [
            f"### {t.name}",
            "",
            f"{t.fact} Population: {t.population} Source: {t.source}"
            f"{'' if t.confirmed else ' (figure not confirmed in the source itself)'}",
            "",
            f"![{t.name}](figures/{t.name}.png)",
            "",
        ]
    return "\n".join(lines)
