"""The analysis report of a sweep: tables, figures and a Markdown and HTML report, from one call.

:func:`analyze` loads a sweep folder (:func:`analysis.load`), summarises and tests it
(:mod:`analysis.statistics`, :mod:`analysis.sensitivity`), draws the figures
(:mod:`analysis.figures`) and writes, into the analysis folder (``<results>/analysis`` unless told
otherwise)::

    report.md, report.html      the question, hypothesis, design, verdicts, figures, tables, and how
                                to reproduce it all; every path in them is relative to the report
    summary_by_step.csv         mean, SD, n and 95 % CI of each metric per design cell and month
    final_state.csv             the same for each run's last recorded month
    time_averaged.csv           the same for each run's mean over its recorded months
    hypothesis_tests.csv        one row per expectation: test, statistic, p, effect, verdict, adequacy
    sensitivity_<metric>.csv    Sobol or Morris indices (sobol and morris designs only)
    spec.yaml                   the sweep's spec as its manifest records it (re-runs the same sweep)
    figures/*.png, *.svg        every figure at 300 dpi and as vector graphics

The folder may hold other files: :func:`analyze` replaces only the files it owns (the names
above), removes its own files left from an earlier analysis that this one does not produce, and
leaves everything else alone. Everything is computed and drawn in a hidden staging folder first
and moved in at the end, so bad input, a full disk, Ctrl-C or SIGTERM on the way change nothing
(an earlier report stays whole) and the staging folder is removed. Moving in takes milliseconds,
with SIGINT and SIGTERM held back until it is done; it removes the earlier ``report.md`` and
``report.html`` first and puts the new ones in last, so even a failure or a SIGKILL in between
never leaves a report that looks complete next to files it does not describe.

Which figures: for every expectation's metric and factor, and for the first metric with every
factor, a time series (mean and 95 % CI band per factor level over the months) and the outcome
against the factor; a heatmap per such metric when a grid has exactly two numeric factors; a
small-multiples comparison of all metrics across each categorical (policy) factor; Sobol or
Morris bars for a sobol or morris design; and the relationship network at the end of the run with
the lowest run id, re-simulated from its parameters and seed.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ecosystem.labels import money_units
from ecosystem.model import run_simulation
from ecosystem.parameters import parameter
from experiments.catalog import builtin_specs
from experiments.design import build_runs
from experiments.spec import Expectation, SpecError, load_spec
from experiments.storage import StorageError

from . import figures as fg
from .load import AnalysisError, SweepResults, load
from .sensitivity import morris_ranking, point_means, s1_precision, sensitivity
from .statistics import (
    ANALYTIC_SPEARMAN_ABOVE,
    FISHER_Z_CI,
    HypothesisResult,
    context_tests,
    default_expectations,
    final_state,
    hypotheses_frame,
    index_to_columns,
    robustness,
    summarize,
    test_hypotheses,
    time_averaged,
)

__all__ = ["OWNED_FILES", "Analysis", "analyze", "compute", "markdown_to_html", "planned_figures"]

#: Files :func:`analyze` owns in its folder (besides ``sensitivity_*.csv`` and ``figures/*``).
OWNED_FILES = (
    "report.md",
    "report.html",
    "summary_by_step.csv",
    "final_state.csv",
    "time_averaged.csv",
    "hypothesis_tests.csv",
    "context_tests.csv",
    "robustness.csv",
    "spec.yaml",
)
#: The owned files written only for a sweep with background contexts.
CONTEXT_FILES = ("context_tests.csv", "robustness.csv")
FIGURES = "figures"
#: A second factor with at most this many levels becomes panels or series instead of being pooled.
MAX_SPLIT_LEVELS = 6
#: Most factors of a screening design (sobol or morris) that get figures of their own.
MAX_SCREENED_FIGURES = 10
#: The network snapshot is drawn only for markets up to this many agents.
MAX_NETWORK_NODES = 1500
#: Design cells up to which the report shows the outcome table inline (larger ones: CSV only).
MAX_TABLE_ROWS = 40
#: Shown in the report for the values the level comparisons and tests use.
WHEN = "mean over the months"


@dataclass
class Analysis:
    """Everything computed from a sweep before anything is drawn or written."""

    results: SweepResults
    summary: pd.DataFrame
    final: pd.DataFrame
    averaged: pd.DataFrame
    tests: list[HypothesisResult]
    expectations: list[Expectation]
    sensitivity: dict[str, pd.DataFrame] = field(default_factory=dict)
    sensitivity_errors: dict[str, str] = field(default_factory=dict)
    context_tests: pd.DataFrame = field(default_factory=pd.DataFrame)  # per expectation and context
    robustness: pd.DataFrame = field(default_factory=pd.DataFrame)  # per expectation, over contexts


@dataclass
class PlannedFigure:
    """One figure of the report: its file stem, its caption, and how to draw it."""

    name: str
    caption: str
    draw: Callable[[], Any]


# --- the entry point -----------------------------------------------------------------------------


def analyze(
    results_dir: str | Path, out_dir: str | Path | None = None, *, allow_partial: bool = False
) -> Path:
    """Analyse the sweep in ``results_dir`` and write its report; return the path of ``report.md``.

    Parameters
    ----------
    results_dir : path
        A sweep folder written by ``smb-eco sweep`` / :func:`experiments.run_sweep`.
    out_dir : path, optional
        Folder of the report, tables and figures; default ``<results_dir>/analysis``. It may
        exist: only the files this function owns are replaced (see the module docstring).
    allow_partial : bool
        Analyse a half-finished sweep (the report then says so at the top) instead of refusing it.

    Returns
    -------
    Path
        ``<out_dir>/report.md``; ``report.html`` lies beside it.

    Raises
    ------
    AnalysisError
        If ``results_dir`` is not a sweep folder, is half finished and ``allow_partial`` is false,
        lacks a metric of its spec, or ``out_dir`` is a file; nothing is written then.
    StorageError
        If ``out_dir`` cannot be written (a full disk, no permission); ``filename`` names it.
    """
    results = load(results_dir, allow_partial=allow_partial)
    out = Path(out_dir) if out_dir is not None else results.path / "analysis"
    if out.exists() and not out.is_dir():
        raise AnalysisError(f"{out} is a file, not a folder; choose a folder for the report (--out)")
    analysis = compute(results)
    staging = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
        with money_units(results.spec.fixed):
            _write(analysis, staging, out)
        with _signals_held():
            _install(staging, out)
    except OSError as error:
        raise StorageError.wrap(error, out) from error
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return out / "report.md"


def compute(results: SweepResults) -> Analysis:
    """The summaries, hypothesis tests and sensitivity indices of a loaded sweep (no files)."""
    factors, metrics = list(results.factors), list(results.metrics)
    missing = [m for m in metrics if m not in results.frame.columns]
    if missing:
        raise AnalysisError(f"{results.path}: metric {missing[0]!r} of the spec is missing from the results")
    frame = results.frame
    tests = test_hypotheses(results)
    expectations = list(results.spec.expect or default_expectations(results))
    analysis = Analysis(
        results=results,
        summary=summarize(frame, factors, metrics, by_step=True),
        final=final_state(frame, factors, metrics),
        averaged=time_averaged(frame, factors, metrics),
        tests=tests,
        expectations=expectations if len(expectations) == len(tests) else [None] * len(tests),
    )
    if results.spec.contexts is not None:
        analysis.context_tests = context_tests(results)
        analysis.robustness = robustness(analysis.context_tests)
    if results.spec.design.kind in ("sobol", "morris"):
        for metric in metrics:
            try:
                values = point_means(results, metric, allow_missing=results.spec.design.kind == "morris")
                values = values[np.isfinite(values)]
                if values.size and np.ptp(values) == 0:
                    raise AnalysisError(
                        f"it does not vary across the design (every point gives {_number(values[0])}), so "
                        "no parameter explains any of its variance"
                    )
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # SALib on near-constant outputs
                    analysis.sensitivity[metric] = sensitivity(results, metric)
            except AnalysisError as error:
                analysis.sensitivity_errors[metric] = str(error)
    return analysis


# --- figures -------------------------------------------------------------------------------------


def _categorical(name: str) -> bool:
    return parameter(name).kind in (str, bool)


def _pairs(analysis: Analysis) -> list[tuple[str, str]]:
    """(metric, factor) pairs that get their own figures: the expectations', then the first metric's.

    A screening design (sobol or morris) of more than :data:`MAX_SCREENED_FIGURES` factors draws
    the factors of its stated expectations and the :data:`MAX_SCREENED_FIGURES` most influential
    factors of the first metric (:func:`_screened_factors`) only."""
    results = analysis.results
    shown = _screened_factors(analysis)
    tested = analysis.tests if results.spec.expect else []  # without claims: the first metric's figures
    pairs = [(t.metric, t.factor) for t in tested if t.kind != "interaction"]
    if results.metrics:
        pairs += [(results.metrics[0], f) for f in shown]
    return list(dict.fromkeys(pairs))


def _screened_factors(analysis: Analysis) -> list[str]:
    """The factors whose figures a report draws: all, or for a screening design of many factors the
    :data:`MAX_SCREENED_FIGURES` with the largest index (``mu_star`` or ``ST``) of the first metric."""
    results = analysis.results
    factors = list(results.factors)
    if results.spec.design.kind not in ("sobol", "morris") or len(factors) <= MAX_SCREENED_FIGURES:
        return factors
    table = analysis.sensitivity.get(results.metrics[0]) if results.metrics else None
    if table is None:
        return factors[:MAX_SCREENED_FIGURES]
    column = "mu_star" if "mu_star" in table.columns else "ST"
    ranked = table.sort_values(column, ascending=False, kind="stable")["parameter"]
    return list(ranked[:MAX_SCREENED_FIGURES])


def _split(results: SweepResults, factor: str) -> str | None:
    """The other factor of a two-factor grid, when it has few enough levels to draw as panels/series."""
    factors = list(results.factors)
    if results.spec.design.kind != "grid" or len(factors) != 2:
        return None
    other = factors[1 - factors.index(factor)]
    return other if results.frame[other].nunique() <= MAX_SPLIT_LEVELS else None


def planned_figures(analysis: Analysis) -> list[PlannedFigure]:
    """The report's figures in order, each with its caption and a function that draws it."""
    results = analysis.results
    spec, frame = results.spec, results.frame
    factors = list(results.factors)
    continuous = spec.design.kind in ("lhs", "sobol", "morris")
    series = frame["step"].nunique() > 1
    reps = _replication_text(results)
    planned: list[PlannedFigure] = []

    def add(name: str, caption: str, draw: Callable[[], Any]) -> None:
        planned.append(PlannedFigure(f"fig{len(planned) + 1:02d}-{name}", caption, draw))

    for prefix, what in (("share_rule_", "decision rule"), ("share_sourcing_", "sourcing policy")):
        shares = [m for m in results.metrics if m.startswith(prefix)]
        if series and len(shares) > 1 and not continuous:
            cells = f"one panel per combination of {_names(factors)}" if factors else "all runs"
            add(
                f"{prefix.rstrip('_').replace('_', '-')}",
                f"Shares of the SMBs by {what} over the months, stacked: {cells}, mean over {reps}. "
                "Which strategy takes over where is the tournament's result.",
                lambda s=shares: fg.share_area_figure(frame, s, factors),
            )

    if series and (continuous or not factors):
        overall = dict.fromkeys(m for m, _ in _pairs(analysis)) if factors else results.metrics[:6]
        spread = " and includes the spread across the design" if factors else ""
        for metric in overall:
            table = summarize(frame, [], [metric], by_step=True)
            add(
                f"timeseries-{metric}",
                f"{fg.label(metric)} over the months, mean over every run ({reps} per design point); the "
                f"band is its 95 % confidence interval{spread}.",
                lambda t=table, m=metric: fg.timeseries_figure(t, m),
            )
    for metric, factor in _pairs(analysis):
        other = _split(results, factor)
        pooled = [f for f in factors if f not in (factor, other)]
        pooling = f" Other factors ({_names(pooled)}) are pooled." if pooled else ""
        if series and not continuous:
            if other:
                table = analysis.summary
                caption_split = f", one panel per {fg.label(other, unit=False).lower()}"
            else:
                table = summarize(frame, [factor], [metric], by_step=True)
                caption_split = ""
            add(
                f"timeseries-{metric}-by-{factor}",
                f"{fg.label(metric)} over the months, one line per {fg.label(factor, unit=False).lower()}"
                f"{caption_split}: mean of {reps} with its 95 % confidence band.{pooling}",
                lambda t=table, m=metric, f=factor, o=other: fg.timeseries_figure(t, m, f, facet=o),
            )
        table = time_averaged(frame, [factor] + ([other] if other else []), [metric])
        hue = f", one series per {fg.label(other, unit=False).lower()}" if other else ""
        what = "sampled value" if continuous else "level"
        add(
            f"outcome-{metric}-by-{factor}",
            f"{fg.label(metric)} against {fg.label(factor, unit=False).lower()}{hue}: each run's mean over "
            f"the recorded months (the value the hypothesis tests use), averaged per {what} with 95 % "
            f"confidence intervals over {reps}.{pooling}",
            lambda t=table, m=metric, f=factor, o=other: fg.final_value_figure(t, m, f, hue=o, when=WHEN),
        )
    for number, test in enumerate(analysis.tests, start=1):
        if test.kind != "interaction":
            continue
        focal, moderator = test.factor, test.moderator
        table = time_averaged(_binned(frame, [focal, moderator]), [focal, moderator], [test.metric])
        add(
            f"interaction-{test.metric}-{focal}-by-{moderator}",
            f"Interaction plot of expectation {number}: {fg.label(test.metric)} against "
            f"{fg.label(focal, unit=False).lower()}, one line per level of "
            f"{fg.label(moderator, unit=False).lower()} (the moderator); each point the mean over {reps} of "
            "each run's mean over the months, with 95 % confidence intervals. Lines that converge or "
            "cross show the moderation the interaction coefficient measures; parallel lines show none."
            + (
                " Sampled values are grouped into quantile bins (shown at each bin's median)."
                if continuous
                else ""
            ),
            lambda t=table, m=test.metric, f=focal, o=moderator: fg.final_value_figure(
                t, m, f, hue=o, when=WHEN
            ),
        )
    numeric = [f for f in factors if not _categorical(f)]
    if spec.design.kind == "grid" and len(factors) == 2 and len(numeric) == 2:
        x, y = numeric
        for metric in dict.fromkeys(m for m, _ in _pairs(analysis)):
            add(
                f"heatmap-{metric}",
                f"{fg.label(metric)} on the grid of {fg.label(x, unit=False).lower()} and "
                f"{fg.label(y, unit=False).lower()}: each cell the mean over {reps} of each run's "
                "mean over the months.",
                lambda m=metric: fg.heatmap_figure(analysis.averaged, m, x, y, when=WHEN),
            )
    if not continuous:
        for factor in (f for f in factors if _categorical(f)):
            other = _split(results, factor)
            table = time_averaged(frame, [factor] + ([other] if other else []), list(results.metrics))
            hue = f", one series per {fg.label(other, unit=False).lower()}" if other else ""
            add(
                f"policy-{factor}",
                f"Every recorded outcome across the levels of {fg.label(factor, unit=False).lower()}{hue}: "
                f"mean over {reps} of each run's mean over the months, with 95 % confidence intervals.",
                lambda t=table, f=factor, o=other: fg.policy_comparison_figure(
                    t, list(results.metrics), f, hue=o, when=WHEN
                ),
            )
    for metric, indices in analysis.sensitivity.items():
        if spec.design.kind == "sobol":
            text = (
                "first-order (S1, the variance share of the parameter alone) and total (ST, including its "
                "interactions) Sobol indices"
            )
        else:
            text = (
                "Morris screening: μ* (mean absolute elementary effect) and σ (its spread; high for "
                "interactions)"
            )
        add(
            f"sensitivity-{metric}",
            f"Sensitivity of {fg.label(metric, unit=False).lower()} (each point's mean over replications "
            f"of each run's mean over the months): {text}, with 95 % bootstrap intervals.",
            lambda i=indices, m=metric: fg.sensitivity_figure(i, m),
        )
    if not analysis.context_tests.empty:
        for number, group in analysis.context_tests.groupby("expectation", sort=True):
            first = group.iloc[0]
            add(
                f"contexts-{number}",
                f"Expectation {number} ({fg.label(first['metric'], unit=False).lower()} against "
                f"{fg.label(first['factor'], unit=False).lower()}) in each background context: the effect "
                f"({first['effect_name']}) with its 95 % "
                + (
                    f"interval (bootstrap; for rho on more than {ANALYTIC_SPEARMAN_ABOVE:,} runs Fisher's z "
                    "with Bonett & Wright's variance)"
                    if first["effect_name"] == "Spearman rho"
                    and int(group["runs"].max()) > ANALYTIC_SPEARMAN_ABOVE
                    else "bootstrap interval"
                )
                + ", contexts sorted by effect and coloured by verdict.",
                lambda g=group: fg.context_effect_figure(g),
            )
    snapshot = _network_run(results)
    if snapshot is not None:
        run, values = snapshot
        model = run_simulation(run.params, spec.steps, run.seed)
        check = _same_as_stored(model, results, run.run_id)
        add(
            f"network-{run.run_id}",
            f"The relationship network at the end of run {run.run_id} ({values}seed {run.seed}), "
            f"re-simulated from its parameters and seed{check}: SMBs (circles), vendors (squares) and "
            "lemon vendors (diamonds); grey lines are peer ties between SMBs, coloured lines contracts, "
            "shaded by their relational capital.",
            lambda g=model.network: fg.network_figure(g, seed=0),
        )
    return planned


def _binned(frame: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """``frame`` with each named factor that takes more than :data:`MAX_SPLIT_LEVELS` values (a
    continuous design) replaced by the median of its quantile bin (:data:`MAX_SPLIT_LEVELS` bins,
    three for all but the first name), so the values can be drawn as lines and series."""
    out = frame.copy()
    for i, name in enumerate(names):
        if out[name].nunique() > MAX_SPLIT_LEVELS:
            bins = pd.qcut(out[name], MAX_SPLIT_LEVELS if i == 0 else 3, duplicates="drop")
            out[name] = out.groupby(bins, observed=True)[name].transform("median")
    return out


def _network_run(results: SweepResults):
    """The finished run with the lowest run id and its factor values in words, if small enough to draw."""
    finished = set(results.frame["run_id"])
    runs = [r for r in build_runs(results.spec) if r.run_id in finished]
    if not runs:
        return None
    run = min(runs, key=lambda r: r.run_id)
    size = run.params.get("n_smbs", parameter("n_smbs").default) + run.params.get(
        "n_vendors", parameter("n_vendors").default
    )
    if size > MAX_NETWORK_NODES:
        return None
    values = "".join(
        f"{fg.label(f, unit=False).lower()} {fg.level_text(run.params[f])}, " for f in results.factors
    )
    return run, values


def _same_as_stored(model, results: SweepResults, run_id: str) -> str:
    """Whether the re-simulated run reproduces the stored one, as words for the caption."""
    stored = results.frame[results.frame["run_id"] == run_id].set_index("step")
    again = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    again.index = again.index + 1
    metrics = list(results.metrics)
    try:
        same = np.allclose(
            again.loc[stored.index, metrics].to_numpy(float),
            stored[metrics].to_numpy(float),
            rtol=0,
            atol=0,
            equal_nan=True,
        )
    except KeyError:
        same = False
    if same:
        return " (its recorded outcomes match the stored run exactly)"
    return " (warning: its outcomes differ from the stored run, which another version may have made)"


def _replication_text(results: SweepResults) -> str:
    counts = results.frame.groupby("point")["run_id"].nunique()
    low, high = int(counts.min()), int(counts.max())
    number = str(low) if low == high else f"{low}–{high}"
    return f"{number} replication{'s' if high > 1 else ''}"


def _names(names: Sequence[str]) -> str:
    return ", ".join(fg.label(n, unit=False).lower() for n in names)


# --- writing -------------------------------------------------------------------------------------


def _write(analysis: Analysis, staging: Path, out: Path) -> None:
    """Write every file of the analysis into ``staging`` (the report names its final paths relatively)."""
    results = analysis.results
    analysis.summary.to_csv(staging / "summary_by_step.csv", index=False)
    analysis.final.to_csv(staging / "final_state.csv", index=False)
    analysis.averaged.to_csv(staging / "time_averaged.csv", index=False)
    tests = hypotheses_frame(analysis.tests) if analysis.tests else pd.DataFrame(columns=["metric", "factor"])
    tests.to_csv(staging / "hypothesis_tests.csv", index=False)
    for metric, table in analysis.sensitivity.items():
        table.to_csv(staging / f"sensitivity_{metric}.csv", index=False)
    if not analysis.context_tests.empty:
        analysis.context_tests.to_csv(staging / "context_tests.csv", index=False)
        analysis.robustness.to_csv(staging / "robustness.csv", index=False)
    spec_text = yaml.safe_dump(results.manifest["spec"], sort_keys=False, allow_unicode=True)
    (staging / "spec.yaml").write_text(spec_text, encoding="utf-8")
    drawn = []
    for item in planned_figures(analysis):
        paths = fg.save_figure(item.draw(), staging / FIGURES / item.name)
        drawn.append((item, [p.relative_to(staging) for p in paths]))
    text = report_markdown(analysis, drawn, out)
    (staging / "report.md").write_text(text, encoding="utf-8")
    title = f"{results.spec.name}: sweep analysis"
    (staging / "report.html").write_text(markdown_to_html(text, title=title), encoding="utf-8")


def _owned(folder: Path) -> list[Path]:
    """The files in ``folder`` that :func:`analyze` wrote (and may replace or remove)."""
    found = [folder / name for name in OWNED_FILES if (folder / name).is_file()]
    found += sorted(folder.glob("sensitivity_*.csv"))
    figures = folder / FIGURES
    if figures.is_dir():
        found += sorted(p for p in figures.iterdir() if p.suffix in (".png", ".svg") and p.is_file())
    return found


#: Moved in last, removed first: while they exist, every file they name is in place.
REPORTS = ("report.html", "report.md")


def _install(staging: Path, out: Path) -> None:
    """Move the staged files into ``out``, first removing this function's files of an earlier run.

    The reports go first and come back last, so a report is never next to files it does not
    describe, whatever step fails or is killed.
    """
    old = _owned(out)
    for stale in sorted(old, key=lambda path: path.name not in REPORTS):
        stale.unlink()
    (out / FIGURES).mkdir(parents=True, exist_ok=True)
    for path in sorted(_owned(staging), key=lambda path: (path.name in REPORTS, path.name == "report.md")):
        os.replace(path, out / path.relative_to(staging))


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait (blocked) until the block ends; in the main thread of POSIX systems."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


# --- the report ----------------------------------------------------------------------------------


def report_markdown(analysis: Analysis, drawn: list, out: Path) -> str:
    """The report in Markdown: ``drawn`` lists (figure, [png, svg] paths relative to the report)."""
    results = analysis.results
    spec = results.spec
    lines: list[str] = [f"# {spec.name}: analysis of a sweep", ""]
    if not results.complete:
        lines += _partial_warning(results)
    lines += ["## Question", "", _para(spec.description or "(The spec states no question.)"), ""]
    lines += ["## Hypothesis", "", _para(spec.hypothesis or "(The spec states no hypothesis.)"), ""]
    lines += _design_section(results)
    lines += _verdict_section(analysis)
    lines += _robustness_section(analysis)
    lines += _adequacy_section(analysis)
    lines += ["## Figures", ""]
    if drawn:
        lines += [
            "Each figure is also saved as SVG (vector graphics, for publication) next to its PNG.",
            "",
        ]
    for number, (item, paths) in enumerate(drawn, start=1):
        png, svg = (p.as_posix() for p in paths)
        lines += [
            f"![Figure {number}]({png})",
            "",
            f"*Figure {number}.* {item.caption} ([PNG]({png}), [SVG]({svg}))",
            "",
        ]
    lines += _sensitivity_section(analysis)
    lines += _outcome_section(analysis)
    lines += _files_section(analysis)
    lines += _reproduce_section(results, out)
    return "\n".join(lines).rstrip() + "\n"


def _para(text: str) -> str:
    return " ".join(str(text).split())


def _partial_warning(results: SweepResults) -> list[str]:
    total = len(results.missing_runs) + results.frame["run_id"].nunique()
    failed = len(results.failed_runs)
    shown = ", ".join(results.missing_runs[:10]) + (" ..." if len(results.missing_runs) > 10 else "")
    return [
        f"> **Warning: half-finished sweep.** Only {total - len(results.missing_runs)} of {total} runs have "
        f"results ({len(results.missing_runs)} missing, {failed} of them failed: {shown}). Every number "
        "below comes from the finished runs only; design cells may be missing or thinner than planned, "
        "so means, tests and indices can be biased towards the runs that happened to finish. Finish the "
        "sweep with `--resume` and analyse it again before drawing conclusions.",
        "",
    ]


def _levels_text(spec, name: str) -> str:
    values = spec.factors[name]
    if spec.design.kind in ("lhs", "sobol", "morris"):
        return f"[{fg.level_text(values[0])}, {fg.level_text(values[1])}] (bounds)"
    if spec.design.kind == "list":
        return ", ".join(fg.level_text(v) for v in values) + " (per point)"
    return ", ".join(fg.level_text(v) for v in values)


def _design_section(results: SweepResults) -> list[str]:
    spec = results.spec
    manifest = results.manifest
    points = manifest.get("points") or len(build_runs(spec)) // spec.replications
    planned = manifest.get("runs") or points * spec.replications
    done = results.frame["run_id"].nunique()
    design = spec.design.kind
    if spec.design.samples is not None:
        design += f" (N = {spec.design.samples} samples)"
    lines = [
        "## Design",
        "",
        f"A **{design}** design: {points} design points × {spec.replications} replications = "
        f"**{planned} runs** ({done} with results), each simulating {spec.steps} months, recorded every "
        f"{spec.record_every} month{'s' if spec.record_every > 1 else ''}. Base seed {spec.seed}; "
        "replication *r* uses the same seed at every design point (common random numbers).",
        "",
    ]
    overrides = manifest.get("overrides")
    if overrides:
        changed = [f"`{n}` = {v}" for n, v in (overrides.get("set") or {}).items()]
        changed += [f"{k} = {overrides[k]}" for k in ("replications", "steps") if k in overrides]
        lines += [
            f"Run with overrides of the spec `{overrides.get('spec', '?')}` at the command line "
            f"(`{' '.join(overrides.get('arguments', []))}`): {', '.join(changed)}. The values above are "
            "the ones used; `spec.yaml` beside this report is the spec with the overrides applied.",
            "",
        ]
    if spec.factors:
        lines += ["| factor | meaning | levels |", "|---|---|---|"]
        for name in spec.factors:
            lines.append(
                f"| {fg.label(name)} (`{name}`) | {_cell(fg.describe(name))} | {_levels_text(spec, name)} |"
            )
        lines.append("")
    else:
        lines += ["No factors: every run is a replication of the fixed setting.", ""]
    if spec.fixed:
        fixed = ", ".join(f"`{k}` = {fg.level_text(v)}" for k, v in spec.fixed.items())
        lines += [f"Fixed parameters: {fixed}; every other parameter has its default (`smb-eco params`).", ""]
    lines += ["| metric | meaning |", "|---|---|"]
    lines += [f"| {fg.label(m)} (`{m}`) | {_cell(fg.describe(m))} |" for m in spec.metrics]
    lines.append("")
    return lines


def _cell(text: Any) -> str:
    return _para(str(text)).replace("|", "\\|")


def _claim(expectation: Expectation | None, result: HypothesisResult) -> str:
    """The expectation in words, e.g. 'Disruption loss rises with vendor failure rate'."""
    metric = fg.label(result.metric, unit=False)
    factor = fg.label(result.factor, unit=False).lower()
    level = getattr(expectation, "level", None)
    if result.kind == "interaction":
        moderator = fg.label(result.moderator, unit=False).lower()
        return (
            f"{metric}: the {factor} × {moderator} interaction is {result.direction} (the slope on "
            f"{factor} {'rises' if result.direction == 'positive' else 'falls'} as {moderator} rises)"
        )
    if result.direction == "differs":
        return f"{metric} differs between the levels of {factor}"
    if level is not None:
        extreme = "highest" if result.direction == "increasing" else "lowest"
        return f"{metric} is {extreme} when {factor} is {fg.level_text(level)}"
    moves = "rises" if result.direction == "increasing" else "falls"
    if result.kind == "comparison":  # a categorical factor: along its levels as listed, not a trend
        return f"{metric} {moves} along the listed levels of {factor}"
    return f"{metric} {moves} with {factor}"


VERDICT_WORDS = {
    "supported": "**Supported**",
    "contradicted": "**Contradicted**",
    "not detected": "**Not detected** (no effect claimed)",
}


def _number(x: Any) -> str:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    if not np.isfinite(x):
        return "–"
    return f"{x:.3g}"


def _p_text(p: float) -> str:
    if not np.isfinite(p):
        return "–"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _verdict_section(analysis: Analysis) -> list[str]:
    lines = ["## Verdicts", ""]
    if not analysis.tests:
        return lines + ["The sweep varies no factor, so there is nothing to test.", ""]
    if not analysis.results.spec.expect:
        lines += [
            "The spec states no `expect:` claims, so every metric is tested two-sided against every factor "
            "(does it make a difference at all?), each with its own verdict.",
            "",
        ]
    tests = dict.fromkeys(r.test for r in analysis.tests)
    blocked = any("seed fixed effects" in t for t in tests)
    lines += [
        "Each run's mean over its recorded months is one observation. "
        + (
            "Replication *r* has the same seed at every design point (common random numbers), so runs "
            "sharing a seed are not independent: the tests compare runs within their seed, by an OLS "
            "regression with one fixed effect per seed and HC3 robust standard errors (the slope's t test "
            "for a numeric factor, the Wald F test of the level effects for a categorical one). "
            if blocked
            else "A numeric factor is tested for a monotone trend (Spearman rank correlation), a "
            "categorical one by comparing its levels (Kruskal-Wallis, or Mann-Whitney for two levels). "
        )
        + "Effect sizes are rank-based (Spearman's rho, epsilon squared, rank-biserial correlation) with "
        "bootstrap 95 % intervals"
        + (_fisher_z_text() if any(FISHER_Z_CI in r.summary for r in analysis.tests) else "")
        + ". An interaction claim is tested by an OLS regression on both "
        "standardised factors and their product (HC3 errors"
        + (", seed fixed effects" if blocked else "")
        + "); its effect is the product term's coefficient. The p-values are adjusted for the "
        f"{len(analysis.tests)} tests of this report by Holm's method, and a claim is *supported* or "
        "*contradicted* only at an adjusted p < 0.05; otherwise no effect is claimed, which is not "
        "evidence that there is none. Tests used: " + "; ".join(tests) + ".",
        "",
        "| # | expectation | verdict | test | statistic | p | p (Holm) | effect (95 % CI) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for i, (expectation, result) in enumerate(zip(analysis.expectations, analysis.tests, strict=True), 1):
        ci = f"[{_number(result.effect_ci[0])}, {_number(result.effect_ci[1])}]"
        lines.append(
            f"| {i} | {_claim(expectation, result)} | {VERDICT_WORDS.get(result.verdict, result.verdict)} | "
            f"{result.test} | {_number(result.statistic)} | {_p_text(result.p_value)} | "
            f"{_p_text(result.p_adjusted)} | {_cell(result.effect_name)} {_number(result.effect)} {ci} |"
        )
    lines.append("")
    for i, (expectation, result) in enumerate(zip(analysis.expectations, analysis.tests, strict=True), 1):
        verdict = VERDICT_WORDS.get(result.verdict, result.verdict)
        lines.append(f"{i}. {_claim(expectation, result)}: {verdict}. {_cell(result.summary)}")
    lines.append("")
    return lines


def _fisher_z_text() -> str:
    """How rho's interval is computed on a large sweep, for the verdict section's method paragraph."""
    return (
        f"; above {ANALYTIC_SPEARMAN_ABOVE:,} runs the interval of Spearman's rho is instead Fisher's z "
        "interval, tanh(artanh(rho) ± 1.96 √((1 + rho²/2) / (n − 3))) with the variance of Bonett & "
        'Wright (2000), marked "Fisher z" in the summaries: at that size it is within 0.01 of the '
        "bootstrap's bounds"
    )


def _robustness_section(analysis: Analysis) -> list[str]:
    if analysis.robustness.empty:
        return []
    contexts = analysis.results.spec.contexts
    over = ", ".join(
        f"{fg.label(n, unit=False).lower()} in [{fg.level_text(lo)}, {fg.level_text(hi)}]"
        for n, (lo, hi) in contexts.over.items()
    )
    lines = [
        "## Robustness across contexts",
        "",
        f"Every design point was also run in {contexts.samples} background settings (contexts), drawn by "
        f"Latin hypercube sampling over {over}. Each expectation is tested again within each context "
        "alone (same test as above, on that context's runs); the table gives the share of contexts in "
        "which the effect is supported (expected direction, p < 0.05), contradicted, or not detected. "
        "An effect that is supported in most contexts does not hinge on the background values the "
        "spec happened to fix. A context holds few runs, so trends there are tested by permutation "
        "(exact up to 7 runs), and runs share their seeds across contexts and design points, which "
        "makes the contexts' verdicts correlated: read the shares as robustness, not as "
        "independent replications.",
        "",
        "| # | expectation | contexts | supported | contradicted | not detected |",
        "|---|---|---|---|---|---|",
    ]
    for row in analysis.robustness.itertuples(index=False):
        i = row.expectation - 1
        claim = _claim(analysis.expectations[i], analysis.tests[i]) if i < len(analysis.tests) else row.metric
        lines.append(
            f"| {row.expectation} | {claim} | {row.contexts} | {row.supported:.0%} | "
            f"{row.contradicted:.0%} | {row.not_detected:.0%} |"
        )
    lines += [
        "",
        "Per context: [`context_tests.csv`](context_tests.csv); the figures show each effect by context.",
        "",
    ]
    return lines


def _adequacy_section(analysis: Analysis) -> list[str]:
    if not analysis.tests:
        return []
    lines = [
        "## Are there enough replications?",
        "",
        "An effect is resolved when the 95 % confidence interval of a design point's mean is at most "
        "half the effect between factor levels.",
        "",
        "| # | metric | factor | replications | CI half-width | effect | enough? |",
        "|---|---|---|---|---|---|---|",
    ]
    for i, result in enumerate(analysis.tests, 1):
        a = result.adequacy
        lines.append(
            f"| {i} | {fg.label(result.metric, unit=False)} | {fg.label(result.factor, unit=False)} | "
            f"{a.replications} | {_number(a.ci_half_width)} | {_number(a.effect_size)} | "
            f"{'yes' if a.sufficient else 'no'} |"
        )
    lines.append("")
    advice = list(dict.fromkeys(r.adequacy.advice for r in analysis.tests))
    lines += [f"- {_para(text)}" for text in advice]
    lines.append("")
    return lines


def _sensitivity_section(analysis: Analysis) -> list[str]:
    if not analysis.sensitivity and not analysis.sensitivity_errors:
        return []
    kind = analysis.results.spec.design.kind
    lines = ["## Sensitivity indices", ""]
    if kind == "sobol":
        lines += [
            "Sobol indices from each design point's mean over replications (each run's mean over the "
            "months): S1 is the share of the output variance due to a parameter alone, ST includes its "
            "interactions; `conf` columns are 95 % bootstrap half-widths, so an interval is twice as "
            "wide. With a small N the indices are rough: a negative or > 1 value is noise.",
            "",
        ]
    else:
        lines += [
            "Morris screening from each design point's mean over replications, ranked by μ* (`mu_star`: "
            "the mean absolute elementary effect, in the metric's unit) with its 95 % bootstrap "
            "interval (`mu_star_low` to `mu_star_high`); σ is high where effects depend on other "
            "parameters.",
            "",
        ]
    if len(analysis.results.factors) > MAX_SCREENED_FIGURES:
        lines += [
            f"With {len(analysis.results.factors)} factors, figures of single factors are drawn for the "
            f"{MAX_SCREENED_FIGURES} with the largest index of the first metric only.",
            "",
        ]
    for metric, table in analysis.sensitivity.items():
        lines += [f"**{fg.label(metric)}** (`sensitivity_{metric}.csv`)", ""]
        if kind == "sobol":
            lines += [f"{s1_precision(table).line()}.", ""]
        else:
            used, total = table.attrs.get("trajectories", (None, None))
            if used is not None and used < total:
                lines += [
                    f"From {used} of the {total} trajectories: the others pass through points where "
                    f"{fg.label(metric, unit=False).lower()} has no value (nothing to measure in any "
                    "recorded month).",
                    "",
                ]
            table = morris_ranking(table)
        lines += _table(table.assign(parameter=[fg.label(p, unit=False) for p in table["parameter"]]))
        lines.append("")
    for metric, error in analysis.sensitivity_errors.items():
        lines += [f"No indices for {fg.label(metric, unit=False).lower()}: {_para(error)}", ""]
    return lines


def _table(frame: pd.DataFrame) -> list[str]:
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = [
        "| " + " | ".join(_cell(_number(v) if not isinstance(v, str) else v) for v in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return [header, rule, *body]


def _outcome_section(analysis: Analysis) -> list[str]:
    results = analysis.results
    factors = list(results.factors)
    table = analysis.averaged
    lines = ["## Outcomes per design cell", ""]
    cells = table[factors].drop_duplicates() if factors else table.iloc[:1]
    if len(cells) > MAX_TABLE_ROWS:
        return lines + [
            f"{len(cells)} design cells: too many to list here; see `time_averaged.csv` (each run's mean "
            "over the months), `final_state.csv` (each run's last recorded month) and "
            "`summary_by_step.csv` (every recorded month).",
            "",
        ]
    lines += [
        "Mean over replications of each run's mean over the recorded months, with its 95 % confidence "
        "interval in brackets (`time_averaged.csv`; final-month values are in `final_state.csv`). "
        "Intervals respect a metric's bounds: those of shares are computed on the logit scale and "
        "those of counts and amounts of money on the log scale, so they stay within [0, 1] and above 0.",
        "",
    ]
    text = table.assign(
        value=[
            f"{_number(m)} [{_number(lo)}, {_number(hi)}]"
            for m, lo, hi in zip(table["mean"], table["ci_low"], table["ci_high"], strict=True)
        ]
    )
    if factors:
        wide = text.pivot_table(index=factors, columns="metric", values="value", aggfunc="first", sort=False)
        wide = index_to_columns(wide.reindex(columns=list(results.metrics)))
        order = {f: {v: i for i, v in enumerate(fg.levels(f, wide[f]))} for f in factors}
        wide = wide.sort_values(factors, key=lambda column: column.map(order[column.name]), kind="stable")
        for f in factors:
            wide[f] = wide[f].map(fg.level_text)
    else:
        wide = text.set_index("metric")["value"].reindex(list(results.metrics)).to_frame().T
    wide.columns = [fg.label(c, unit=False) for c in wide.columns]
    return lines + _table(wide) + [""]


def _files_section(analysis: Analysis) -> list[str]:
    files = [
        ("summary_by_step.csv", "mean, SD, n and 95 % CI of each metric per design cell and recorded month"),
        ("final_state.csv", "the same for each run's last recorded month"),
        ("time_averaged.csv", "the same for each run's mean over the recorded months"),
        ("hypothesis_tests.csv", "every test: statistic, p-value, effect and its CI, verdict, adequacy"),
    ]
    files += [(f"sensitivity_{m}.csv", f"sensitivity indices of {m}") for m in analysis.sensitivity]
    files += [("spec.yaml", "the sweep's spec, as recorded in its manifest")]
    lines = ["## Tables", ""]
    lines += [f"- [`{name}`]({name}): {what}" for name, what in files]
    return lines + [""]


def _spec_argument(results: SweepResults, out: Path) -> str:
    """How to name the sweep's spec on the command line: a built-in, the original file, or spec.yaml."""
    source = str(results.manifest.get("spec_source") or "")
    digest = results.manifest.get("spec_hash")
    overrides = results.manifest.get("overrides")
    if overrides:  # the spec it came from, if it is still the same, and the same overrides
        digest = overrides.get("spec_hash")
        words = " ".join(_shell_word(w) for w in overrides.get("arguments", []))
        builtin = builtin_specs().get(Path(source).stem) if source else None
        if builtin is not None and Path(source).resolve() == builtin.resolve() and _digest(builtin) == digest:
            return f"{builtin.stem} {words}"
        if source and Path(source).is_file() and _digest(Path(source)) == digest:
            return f"{_shell_path(Path(source))} {words}"
        return _shell_path(out / "spec.yaml")
    builtin = builtin_specs().get(Path(source).stem) if source else None
    if builtin is not None and Path(source).resolve() == builtin.resolve() and _digest(builtin) == digest:
        return builtin.stem
    if source and Path(source).is_file() and _digest(Path(source)) == digest:
        return _shell_path(Path(source))
    return _shell_path(out / "spec.yaml")


def _shell_word(word: str) -> str:
    return word if re.fullmatch(r"[\w./@%+=:,-]+", word) else "'" + word.replace("'", "'\\''") + "'"


def _digest(path: Path) -> str | None:
    try:
        return load_spec(path).digest()
    except SpecError:
        return None


def _shell_path(path: Path) -> str:
    """``path`` relative to the working folder when it lies inside it, quoted if it needs it."""
    if path.resolve().is_relative_to(Path.cwd().resolve()):
        path = path.resolve().relative_to(Path.cwd().resolve())
    text = path.as_posix()
    return text if re.fullmatch(r"[\w./@%+=:,-]+", text) else "'" + text.replace("'", "'\\''") + "'"


def _reproduce_section(results: SweepResults, out: Path) -> list[str]:
    manifest = results.manifest
    spec_arg = _spec_argument(results, out)
    folder = _shell_path(results.path)
    default_out = results.path / "analysis"
    out_flag = "" if out.resolve() == default_out.resolve() else f" --out {_shell_path(out)}"
    partial = " --allow-partial" if not results.complete else ""
    lines = [
        "## Reproduce",
        "",
        "From the folder `smb-eco analyze` was run in:",
        "",
        "```",
        f"smb-eco sweep {spec_arg} --out {folder}",
        f"smb-eco analyze {folder}{out_flag}{partial}",
        "```",
        "",
        "The first command refuses a folder that already holds results: to repeat the sweep, give a new "
        "folder to both commands. The same spec gives the same runs with the same seeds, so the same "
        "numbers bit for bit, whatever the number of workers; the spec is also saved beside this report "
        "as [`spec.yaml`](spec.yaml).",
        "",
        f"- Spec hash (SHA-256 of the normalised spec): `{manifest.get('spec_hash', 'unknown')}`",
        f"- Replication seeds: {', '.join(str(s) for s in manifest.get('replication_seeds', []))}",
        f"- Sweep sessions: {len(manifest.get('sessions', []))} (started "
        + ", ".join(str(s.get("started", "?")) for s in manifest.get("sessions", []))
        + ")",
        f"- Analysed: {datetime.now(UTC).isoformat(timespec='seconds')}",
        "",
        "| package | version (sweep) |",
        "|---|---|",
    ]
    lines += [f"| {name} | {version} |" for name, version in (manifest.get("versions") or {}).items()]
    lines.append("")
    analysis_versions = {}
    for package in ("matplotlib", "seaborn", "scipy", "salib"):
        try:
            analysis_versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            analysis_versions[package] = "not installed"
    lines += [
        "Analysed with " + ", ".join(f"{k} {v}" for k, v in analysis_versions.items()) + ".",
        "",
    ]
    return lines


# --- Markdown to HTML ----------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.5; color: #1d1d1f; }
h1, h2, h3 { line-height: 1.2; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; display: block; overflow-x: auto; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } img { max-width: 100%; height: auto; }
pre { background: #f6f6f6; padding: 0.8rem; overflow-x: auto; } code { font-size: 0.9em; }
blockquote { border-left: 4px solid #d55e00; background: #fff4ec; margin: 1rem 0; padding: 0.5rem 1rem; }
"""


def markdown_to_html(text: str, title: str = "Report") -> str:
    """A standalone HTML page from the small Markdown subset the report uses.

    Headings, paragraphs, pipe tables, images, bullet and numbered lists, block quotes, fenced
    code, and inline code, bold, italics and links; text is HTML-escaped.

    Examples
    --------
    >>> page = markdown_to_html("# Title\\n\\nSome *text* with `code`.\\n\\n| a |\\n|---|\\n| 1 |\\n")
    >>> "<h1>Title</h1>" in page, "<em>text</em>" in page, "<td>1</td>" in page
    (True, True, True)
    """
    body: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.startswith("```"):
            end = i + 1
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            body.append("<pre><code>" + html.escape("\n".join(lines[i + 1 : end])) + "</code></pre>")
            i = end + 1
        elif match := re.match(r"(#{1,6}) (.*)", line):
            level = len(match.group(1))
            body.append(f"<h{level}>{_inline(match.group(2))}</h{level}>")
            i += 1
        elif line.startswith("|"):
            block, i = _take(lines, i, lambda s: s.startswith("|"))
            body.append(_html_table(block))
        elif line.startswith("> "):
            block, i = _take(lines, i, lambda s: s.startswith(">"))
            body.append(
                "<blockquote><p>" + _inline(" ".join(s[1:].strip() for s in block)) + "</p></blockquote>"
            )
        elif re.match(r"(- |\d+\. )", line):
            tag = "ul" if line.startswith("- ") else "ol"
            block, i = _take(lines, i, lambda s: bool(re.match(r"(- |\d+\. )", s)))
            items = "".join(f"<li>{_inline(re.sub(r'^(- |\d+\. )', '', s))}</li>" for s in block)
            body.append(f"<{tag}>{items}</{tag}>")
        else:
            block, i = _take(
                lines, i, lambda s: bool(s.strip()) and not re.match(r"(#|\||> |- |\d+\. |```)", s)
            )
            body.append("<p>" + _inline(" ".join(block)) + "</p>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _take(lines: list[str], start: int, keep: Callable[[str], bool]) -> tuple[list[str], int]:
    end = start + 1
    while end < len(lines) and keep(lines[end]):
        end += 1
    return lines[start:end], end


def _cells(row: str) -> list[str]:
    row = row.strip().removeprefix("|").removesuffix("|")
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", row)]


def _html_table(block: list[str]) -> str:
    head, rows = _cells(block[0]), [_cells(r) for r in block[2:]]
    out = [
        "<table>",
        "<thead><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr></thead>",
        "<tbody>",
    ]
    out += ["<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in rows]
    return "\n".join([*out, "</tbody>", "</table>"])


def _inline(text: str) -> str:
    """Inline Markdown to HTML: images and links first (their labels may hold code), then spans."""
    out, position = [], 0
    for match in re.finditer(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)", text):
        out.append(_spans(text[position : match.start()]))
        bang, words, url = match.groups()
        if bang:
            out.append(f'<img src="{html.escape(url)}" alt="{html.escape(words)}" loading="lazy">')
        else:
            out.append(f'<a href="{html.escape(url)}">{_spans(words)}</a>')
        position = match.end()
    out.append(_spans(text[position:]))
    return "".join(out)


def _spans(text: str) -> str:
    """Code spans (literal content), bold and italics; everything else escaped."""
    out = []
    for part in re.split(r"(`[^`]*`)", text):
        if len(part) >= 2 and part.startswith("`") and part.endswith("`"):
            out.append(f"<code>{html.escape(part[1:-1])}</code>")
            continue
        part = html.escape(part, quote=False)
        part = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", part)
        part = re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"<em>\1</em>", part)
        out.append(part)
    return "".join(out)
