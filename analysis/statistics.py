"""Summaries and hypothesis tests over a sweep's tidy results table: pure functions of DataFrames.

Two kinds of question are answered here:

*How large is each outcome?* :func:`summarize` gives the mean of every metric across
replications with a 95 % confidence interval that respects the metric's bounds (shares on the
logit scale, counts and amounts on the log scale, others Student-t; :func:`bounded_interval`),
per factor combination (and month); :func:`final_state` and :func:`time_averaged` do the same
for each run's last or average value.

*Does the hypothesis hold?* :func:`test_hypothesis` tests one :class:`~experiments.spec.Expectation`
of the spec. Each run's time-averaged value is one observation; other factors are pooled. Runs at
different design points share replication seeds (common random numbers, see
:mod:`experiments.design`), so where seeds are shared the test compares runs within their seed:
an OLS regression with seed fixed effects and HC3 robust errors (the slope of a numeric factor,
the Wald F test of a categorical factor's levels). Without shared seeds, rank tests: Spearman for
a numeric factor, Kruskal-Wallis (or Mann-Whitney for two levels) for a categorical one. An
interaction claim is tested by :func:`test_interaction`. :func:`test_hypotheses` tests a whole
spec and adjusts the p-values by Holm's method (:func:`holm`). A verdict is ``supported`` or
``contradicted`` only at p < 0.05, otherwise ``not detected``: no effect is claimed, which is not
the same as showing there is none. :class:`Adequacy` says whether the replications resolve the
effect and how many more would.

Notes
-----
Bootstrap intervals use a fixed seed (:data:`BOOTSTRAP_SEED`), so the same results always give
the same report. The rank-based effect sizes and their intervals treat runs as independent; they
describe the size of an effect, while the seed-blocked test judges it. The interval of Spearman's
rho is a percentile bootstrap up to :data:`ANALYTIC_SPEARMAN_ABOVE` runs and above that Fisher's
z interval with Bonett & Wright's (2000) variance ``(1 + rho**2 / 2) / (n - 3)``
(:func:`_fisher_spearman`), which a trend's summary then names (:data:`FISHER_Z_CI`).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.multitest import multipletests

from ecosystem.reporters import KIND_BOUNDS, metric_kind
from experiments.spec import Expectation

from .load import AnalysisError, SweepResults

__all__ = [
    "ALPHA",
    "BOOTSTRAP_SEED",
    "Adequacy",
    "HypothesisResult",
    "bounded_interval",
    "default_expectations",
    "final_state",
    "holm",
    "hypotheses_frame",
    "index_to_columns",
    "per_run",
    "summarize",
    "test_hypotheses",
    "test_hypothesis",
    "test_interaction",
    "time_averaged",
]

#: Significance level of every verdict.
ALPHA = 0.05
#: Seed of every bootstrap interval (non-zero, fixed: reports are reproducible).
BOOTSTRAP_SEED = 20251128
#: Bootstrap resamples per interval.
BOOTSTRAP_RESAMPLES = 1000
#: Below this many runs a trend's p-value comes from permutations, not from the t approximation.
EXACT_BELOW = 20
#: Above this many runs the 95 % interval of a trend's Spearman rho is Fisher's z interval with
#: Bonett & Wright's variance, not the bootstrap: at tens of thousands of runs (a Sobol design) the
#: two agree to the third decimal and the bootstrap would rank a thousand copies of every run.
ANALYTIC_SPEARMAN_ABOVE = 2000
#: How a trend's summary names rho's interval when it is Fisher's z (above that many runs).
FISHER_Z_CI = "95 % CI (Fisher z, Bonett-Wright)"
#: Most resampled values a bootstrap of rho holds at once (resamples are ranked in blocks).
_BOOTSTRAP_CHUNK = 2**22
#: Random pairings of a permutation p-value (exact enumeration when there are fewer).
PERMUTATIONS = 9999
#: Columns that identify a run rather than describe it.
ID_COLUMNS = ("run_id", "point", "replication", "seed")
_SUMMARY = ["metric", "mean", "sd", "n", "ci_low", "ci_high"]


# --- summaries -------------------------------------------------------------------------------------


def summarize(
    frame: pd.DataFrame, factors: Sequence[str], metrics: Sequence[str], *, by_step: bool = True
) -> pd.DataFrame:
    """Mean, SD and 95 % CI of each metric across runs, per factor combination (and step).

    Parameters
    ----------
    frame : DataFrame
        A tidy results table: one row per run and recorded step (or one row per run).
    factors : sequence of str
        Columns to group by; empty for one group over every run.
    metrics : sequence of str
        Metric columns to summarise.
    by_step : bool
        Group by ``step`` as well (a time series per combination).

    Returns
    -------
    DataFrame
        Columns: the factors, ``step`` (if ``by_step``), ``metric``, ``mean``, ``sd``, ``n``,
        ``ci_low``, ``ci_high``; one row per group and metric, metrics in the given order. ``n``
        counts non-missing values; the interval is ``mean ± t(0.975, n-1) · sd / √n`` for an
        unbounded metric and respects the bounds of shares ([0, 1]) and of counts and amounts
        (>= 0) otherwise (:func:`bounded_interval`); ``sd`` and the interval are NaN when ``n`` is 1.

    Examples
    --------
    >>> frame = pd.DataFrame({"rule": ["a"] * 4 + ["b"], "x": [1.0, 2, 3, 4, 7]})
    >>> summarize(frame, ["rule"], ["x"], by_step=False).round(4)
      rule metric  mean     sd  n  ci_low  ci_high
    0    a      x   2.5  1.291  4  0.4457   4.5543
    1    b      x   7.0    NaN  1     NaN      NaN
    """
    keys = [*factors, "step"] if by_step else list(factors)
    _require(frame, [*keys, *metrics])
    long = frame[[*keys, *metrics]].melt(id_vars=keys, value_vars=list(metrics), var_name="metric")
    long["value"] = pd.to_numeric(long["value"], errors="coerce").astype(float)
    long["metric"] = pd.Categorical(long["metric"], categories=list(metrics), ordered=True)
    grouped = long.groupby(["metric", *keys], sort=True, dropna=False, observed=True)["value"]
    out = index_to_columns(grouped.agg(mean="mean", sd="std", n="count"))
    out["n"] = out["n"].astype(int)
    out["metric"] = out["metric"].astype(str)
    out["ci_low"], out["ci_high"] = np.nan, np.nan
    for metric, rows in out.groupby("metric", sort=False).groups.items():
        values = long.loc[long["metric"] == metric, "value"].to_numpy(float)
        low, high = bounded_interval(
            out.loc[rows, "mean"].to_numpy(float),
            out.loc[rows, "sd"].to_numpy(float),
            out.loc[rows, "n"].to_numpy(int),
            _respected_bounds(metric, values),
        )
        out.loc[rows, "ci_low"], out.loc[rows, "ci_high"] = low, high
    return out[[*keys, *_SUMMARY]]


def _respected_bounds(metric: str, values: np.ndarray) -> tuple[float, float]:
    """The bounds of ``metric``'s kind (:data:`ecosystem.reporters.METRIC_KINDS`), if its values
    keep them (a table of made-up values may not), else none."""
    low, high = KIND_BOUNDS[metric_kind(metric)]
    finite = values[np.isfinite(values)]
    if finite.size and (finite.min() < low or finite.max() > high):
        return KIND_BOUNDS["real"]
    return low, high


def bounded_interval(
    mean: np.ndarray, sd: np.ndarray, n: np.ndarray, bounds: tuple[float, float] = KIND_BOUNDS["real"]
) -> tuple[np.ndarray, np.ndarray]:
    """95 % confidence interval of a mean that respects the metric's bounds.

    Unbounded: the Student-t interval ``mean ± t(0.975, n-1) · sd / √n``. Bounded in [0, 1] (a
    share): the same interval on the logit scale, ``logit(mean) ± t · se / (mean (1 - mean))`` (the
    delta method), mapped back, so it lies inside (0, 1). Bounded below by 0 (a count, an
    amount): on the log scale, ``log(mean) ± t · se / mean``, mapped back, so it stays above 0. A
    mean on a bound (every value there) gets the interval [mean, mean]; NaN where ``n < 2``.

    Examples
    --------
    >>> low, high = bounded_interval(np.array([0.02]), np.array([0.03]), np.array([5]), (0.0, 1.0))
    >>> bool(0 < low[0] < 0.02 < high[0] < 1)
    True
    >>> [round(float(v[0]), 4) for v in bounded_interval(np.array([2.5]), np.array([1.291]), np.array([4]))]
    [0.4457, 4.5543]
    """
    mean = np.asarray(mean, dtype=float)
    se_t = _half_width(sd, n)  # t · se
    low_bound, high_bound = bounds
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if np.isfinite(low_bound) and np.isfinite(high_bound):  # logit scale
            width = high_bound - low_bound
            p = (mean - low_bound) / width
            scale = se_t / width / (p * (1 - p))
            logit = np.log(p / (1 - p))
            low = low_bound + width * _expit(logit - scale)
            high = low_bound + width * _expit(logit + scale)
            inside = (p > 0) & (p < 1)
        elif np.isfinite(low_bound):  # log scale
            shifted = mean - low_bound
            scale = se_t / shifted
            low = low_bound + shifted * np.exp(-scale)
            high = low_bound + shifted * np.exp(scale)
            inside = shifted > 0
        else:
            return mean - se_t, mean + se_t
    on_bound = ~inside & np.isfinite(se_t)
    low = np.where(inside, low, np.where(on_bound, mean, np.nan))
    high = np.where(inside, high, np.where(on_bound, mean, np.nan))
    return low, high


def _expit(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # 1 / (1 + exp(-x)) without overflow


def index_to_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame.reset_index()`` built in one piece: resetting an index of many levels (a screening
    of 128 factors) column by column leaves pandas a frame of as many blocks.

    >>> wide = pd.DataFrame({"x": [1.0]}, index=pd.MultiIndex.from_tuples([("a", 2)], names=["f", "g"]))
    >>> index_to_columns(wide)
       f  g    x
    0  a  2  1.0
    """
    levels = frame.index.to_frame(index=False)
    return pd.concat([levels, frame.reset_index(drop=True)], axis=1).copy()


def per_run(frame: pd.DataFrame, metrics: Sequence[str], how: str = "final") -> pd.DataFrame:
    """One row per run: its value of each metric at its last recorded step or averaged over steps.

    The factor columns are the columns before ``step`` other than the run's identifiers, as in
    the layout of :func:`experiments.storage.read_results`.

    Parameters
    ----------
    frame : DataFrame
        A tidy results table with ``run_id`` and ``step``.
    metrics : sequence of str
        Metric columns to keep.
    how : {"final", "mean"}
        The value at the run's last recorded step, or the mean over its recorded steps
        (missing values skipped).

    Returns
    -------
    DataFrame
        Identifier columns present in ``frame``, the factor columns and ``metrics``, in run id order.

    Examples
    --------
    >>> frame = pd.DataFrame({"run_id": ["r0", "r0", "r1", "r1"], "rule": ["a", "a", "b", "b"],
    ...                       "step": [1, 2, 1, 2], "x": [1.0, 3.0, 5.0, 9.0]})
    >>> per_run(frame, ["x"], "final")
      run_id rule    x
    0     r0    a  3.0
    1     r1    b  9.0
    >>> per_run(frame, ["x"], "mean")["x"].tolist()
    [2.0, 7.0]
    """
    if how not in ("final", "mean"):
        raise AnalysisError(f"how must be 'final' or 'mean', got {how!r}")
    _require(frame, ["run_id", "step", *metrics])
    columns = list(frame.columns)
    ids = [c for c in columns[: columns.index("step")] if c in ID_COLUMNS]
    factors = [c for c in columns[: columns.index("step")] if c not in ID_COLUMNS]
    if how == "final":
        last = frame.groupby("run_id", sort=True)["step"].idxmax()
        out = frame.loc[last, [*ids, *factors, *metrics]]
    else:
        out = frame.groupby("run_id", sort=True).agg(
            {**{c: "first" for c in [*ids, *factors] if c != "run_id"}, **{m: "mean" for m in metrics}}
        )
        out = index_to_columns(out)[[*ids, *factors, *metrics]]
    return out.reset_index(drop=True)


def final_state(frame: pd.DataFrame, factors: Sequence[str], metrics: Sequence[str]) -> pd.DataFrame:
    """:func:`summarize` of each run's value at its last recorded step (no ``step`` column).

    Examples
    --------
    >>> frame = pd.DataFrame({"run_id": ["r0", "r0", "r1", "r1"], "rule": ["a"] * 4,
    ...                       "step": [1, 2, 1, 2], "x": [1.0, 3.0, 5.0, 9.0]})
    >>> final_state(frame, ["rule"], ["x"])[["rule", "metric", "mean", "n"]]
      rule metric  mean  n
    0    a      x   6.0  2
    """
    return summarize(per_run(frame, metrics, "final"), factors, metrics, by_step=False)


def time_averaged(frame: pd.DataFrame, factors: Sequence[str], metrics: Sequence[str]) -> pd.DataFrame:
    """:func:`summarize` of each run's mean over its recorded steps (no ``step`` column).

    Examples
    --------
    >>> frame = pd.DataFrame({"run_id": ["r0", "r0", "r1", "r1"], "rule": ["a"] * 4,
    ...                       "step": [1, 2, 1, 2], "x": [1.0, 3.0, 5.0, 9.0]})
    >>> time_averaged(frame, ["rule"], ["x"])[["rule", "metric", "mean", "n"]]
      rule metric  mean  n
    0    a      x   4.5  2
    """
    return summarize(per_run(frame, metrics, "mean"), factors, metrics, by_step=False)


def _require(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AnalysisError(f"the results table has no column {missing[0]!r}; columns: {list(frame.columns)}")


def _half_width(sd: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Half-width of the 95 % Student-t interval of a mean; NaN where ``n < 2``."""
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stats.t.ppf(0.975, np.where(n > 1, n - 1, np.nan))
        return t * np.asarray(sd, dtype=float) / np.sqrt(n)


# --- hypothesis tests ------------------------------------------------------------------------------


@dataclass
class Adequacy:
    """Whether the replications resolve an effect: per-point CI half-width against the effect.

    Attributes
    ----------
    replications : int
        Runs per design point (the median, if points differ).
    ci_half_width : float
        Mean half-width of the 95 % CI of the per-point means (NaN with one replication).
    effect_size : float
        The effect between factor levels in the metric's units: the fitted change across the
        factor's range (numeric factor) or the spread of the level means (categorical).
    sufficient : bool
        Whether the half-width is at most half the effect (then the CIs of the extreme levels
        do not overlap).
    advice : str
        In words: enough, or about how many replications would be.
    """

    replications: int
    ci_half_width: float
    effect_size: float
    sufficient: bool
    advice: str


@dataclass
class HypothesisResult:
    """The test of one expectation: which test, its numbers, the verdict and a sentence saying so.

    ``kind`` is ``'trend'`` (numeric factor), ``'comparison'`` (categorical) or ``'interaction'``
    (two numeric factors). ``verdict`` is ``'supported'``, ``'contradicted'`` or ``'not detected'``,
    judged on ``p_adjusted`` (Holm's adjustment over the report's expectations, by
    :func:`test_hypotheses`; the raw ``p_value`` when the result stands alone). ``effect`` is
    Spearman's rho (trend), epsilon squared (Kruskal-Wallis) or the rank-biserial correlation
    (Mann-Whitney), with a bootstrap 95 % interval ``effect_ci`` (for rho on more than
    :data:`ANALYTIC_SPEARMAN_ABOVE` runs Fisher's z interval with Bonett & Wright's variance), or
    the interaction coefficient with its HC3 interval. ``test`` names the test that gave
    ``p_value``: with seeds shared across design points (common random numbers) a regression with
    seed fixed effects.
    """

    metric: str
    factor: str
    direction: str
    kind: str
    test: str
    statistic: float
    p_value: float
    effect_name: str
    effect: float
    effect_ci: tuple[float, float]
    verdict: str
    summary: str
    adequacy: Adequacy
    p_adjusted: float = float("nan")
    moderator: str | None = None
    level: Any = None

    @property
    def claim(self) -> str:
        """The claim tested, in words fit for its kind: a categorical factor is never 'decreasing'.

        >>> adequacy = Adequacy(2, 0.1, 0.2, True, "")
        >>> HypothesisResult("m", "contract_type", "decreasing", "comparison", "t", 1.0, 0.01, "e", 0.5,
        ...     (0.1, 0.9), "supported", "", adequacy, level="performance_based").claim
        'lowest at performance_based'
        """
        if self.kind == "interaction":
            return f"{self.direction} interaction with {self.moderator}"
        if self.kind == "comparison" and self.direction != "differs":
            if self.level is not None:
                return f"{'highest' if self.direction == 'increasing' else 'lowest'} at {self.level}"
            return f"{'rising' if self.direction == 'increasing' else 'falling'} along the listed levels"
        return self.direction

    def to_dict(self) -> dict[str, Any]:
        """The result as one flat record, the adequacy fields prefixed ``adequacy_``."""
        out = asdict(self)
        out["claim"] = self.claim
        adequacy = out.pop("adequacy")
        out["effect_ci_low"], out["effect_ci_high"] = out.pop("effect_ci")
        out.update({f"adequacy_{k}": v for k, v in adequacy.items()})
        return out


def hypotheses_frame(results: Sequence[HypothesisResult]) -> pd.DataFrame:
    """The results of :func:`test_hypotheses` as a table, one row each (:meth:`HypothesisResult.to_dict`)."""
    return pd.DataFrame.from_records([r.to_dict() for r in results])


#: A test computed but not yet judged: its raw p-value, and the result given the p to judge by.
_Pending = tuple[float, Callable[[float | None], HypothesisResult]]


def test_hypothesis(
    results: SweepResults, expectation: Expectation, *, p_adjusted: float | None = None
) -> HypothesisResult:
    """Test one expectation on a sweep's results, with a test chosen by the factor's type.

    Each run contributes one observation: its metric averaged over its recorded steps (runs
    whose metric is missing throughout are dropped); the other factors are pooled.

    *Seed-blocked tests.* A sweep gives replication *r* the same seed at every design point
    (common random numbers), so runs sharing a seed are correlated. When seeds are shared across
    the factor's values, the p-value comes from an OLS regression of the metric on the factor
    with one fixed effect per seed (runs compared within their seed) and HC3 robust errors: the
    slope's t test for a numeric factor, the Wald F test of the level effects for a categorical
    one. Otherwise (every run its own seed) runs are independent and the rank tests below give it.

    * Numeric factor: Spearman rank correlation between factor and metric (two-sided p; by
      permutation below :data:`EXACT_BELOW` runs), with a 95 % CI of rho: a percentile bootstrap
      of the runs up to :data:`ANALYTIC_SPEARMAN_ABOVE` runs, above that Fisher's z interval with
      Bonett & Wright's (2000) variance ``(1 + rho**2 / 2) / (n - 3)``, which the summary then
      names (:data:`FISHER_Z_CI`); the OLS slope and its interval are reported in the summary.
    * Categorical factor: Kruskal-Wallis H over its levels (effect: epsilon squared = H / (n - 1)),
      or Mann-Whitney U for two levels (effect: rank-biserial correlation). With
      ``expectation.level``, the direction observed is whether that level's mean (median for the
      rank tests) is the highest (``increasing``) or lowest (``decreasing``); without, whether the
      metric rises along the levels in spec order.
    * Interaction: :func:`test_interaction`.

    The verdict is ``supported`` if p < :data:`ALPHA` and the observed direction matches (any
    difference for ``differs``), ``contradicted`` if p < :data:`ALPHA` and it does not, else
    ``not detected``; p is ``p_adjusted`` when given (Holm, from :func:`test_hypotheses`).

    Raises
    ------
    AnalysisError
        If the metric or factor is not in the results.
    """
    _, finish = _pending(results, expectation)
    return finish(p_adjusted)


test_hypothesis.__test__ = False  # a function under test, not a test: keep pytest from collecting it


def _pending(
    results: SweepResults, expectation: Expectation, averaged: dict[str, pd.DataFrame] | None = None
) -> _Pending:
    """The test of ``expectation``, pending its Holm adjustment; ``averaged`` may hold the per-run
    means of its metric already (:func:`_averaged_runs`)."""
    metric, factor = expectation.metric, expectation.factor
    where = results.path
    if metric not in results.frame.columns:
        raise AnalysisError(
            f"{where}: no metric {metric!r} in the results; metrics: {', '.join(results.metrics)}"
        )
    for name in (factor, expectation.moderator):
        if name is not None and name not in results.frame.columns:
            names = ", ".join(results.factors) or "none"
            raise AnalysisError(f"{where}: {name!r} is not a factor of this sweep; factors: {names}")
    runs = averaged[metric] if averaged and metric in averaged else per_run(results.frame, [metric], "mean")
    runs = runs[np.isfinite(runs[metric].to_numpy(float))]
    if expectation.is_interaction:
        return _interaction(runs, expectation)
    others = [f for f in results.factors if f != factor]
    column = results.frame[factor]
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    blocked = _seed_blocked(runs, factor)
    if numeric:
        pending = _trend(runs, expectation, blocked)
    else:
        pending = _comparison(runs, expectation, _levels(results, factor, runs), blocked)
    if not others:
        return pending
    p, finish = pending

    def pooled(p_adjusted: float | None) -> HypothesisResult:
        result = finish(p_adjusted)
        result.summary += (
            f" Other factors ({', '.join(others)}) are pooled: each run's time average counts once."
        )
        return result

    return p, pooled


def default_expectations(results: SweepResults) -> tuple[Expectation, ...]:
    """What a spec without ``expect:`` is tested for: every metric against every factor, two-sided."""
    return tuple(Expectation(m, f, "differs") for m in results.metrics for f in results.factors)


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm-adjusted p-values (statsmodels ``multipletests(method="holm")``); NaN stays NaN and
    does not count as a test.

    >>> holm([0.01, 0.04, float("nan"), 0.03]).round(3).tolist()
    [0.03, 0.06, nan, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    finite = np.isfinite(p)
    if finite.any():
        out[finite] = multipletests(p[finite], alpha=ALPHA, method="holm")[1]
    return out


def test_hypotheses(results: SweepResults) -> list[HypothesisResult]:
    """Test every expectation of the sweep's spec, judged on Holm-adjusted p-values.

    Without ``expect:``, every metric is tested against every factor, two-sided
    (:func:`default_expectations`). The p-values are adjusted by Holm's method over all the tests
    of the sweep (:func:`holm`), which keeps the chance of any false claim among them at
    :data:`ALPHA`; each result keeps its raw ``p_value`` and its ``p_adjusted``.

    Returns
    -------
    list of HypothesisResult
        In the order of ``spec.expect`` (or metric by metric, factor by factor); empty for a sweep
        without factors.
    """
    expectations = results.spec.expect or default_expectations(results)
    averaged = _averaged_runs(results, expectations)
    pending = [_pending(results, e, averaged) for e in expectations]
    adjusted = holm([p for p, _ in pending])
    return [finish(float(a)) for (_, finish), a in zip(pending, adjusted, strict=True)]


test_hypotheses.__test__ = False


def _averaged_runs(results: SweepResults, expectations: Sequence[Expectation]) -> dict[str, pd.DataFrame]:
    """Per metric of ``expectations`` (those in the results), the table of :func:`per_run` of its
    means: the same tables as one :func:`per_run` per expectation, from one grouping of the runs
    (on the 24,576-run Sobol sweep a grouping takes about 0.3 s, and its 60 expectations spent 20 s
    regrouping)."""
    metrics = [m for m in dict.fromkeys(e.metric for e in expectations) if m in results.frame.columns]
    if not metrics or "run_id" not in results.frame.columns or "step" not in results.frame.columns:
        return {}
    table = per_run(results.frame, metrics, "mean")
    keys = list(table.columns[: len(table.columns) - len(metrics)])
    return {m: table[[*keys, m]] for m in metrics}


def context_tests(results: SweepResults) -> pd.DataFrame:
    """Each expectation tested within each background context of the sweep (``contexts:``).

    One row per expectation and context: the expectation's index, metric, factor and direction,
    the context and its background values, and the test's effect, its 95 % interval, p-value and
    verdict (:func:`test_hypothesis` on that context's runs alone, on its raw p-value). Empty
    without contexts.
    """
    spec = results.spec
    if spec.contexts is None or "context" not in results.frame.columns:
        return pd.DataFrame()
    names = list(spec.contexts.over)
    expectations = spec.expect or default_expectations(results)
    rows = []
    for context, frame in results.frame.groupby("context", sort=True):
        background = frame.iloc[0][names].to_dict()
        subset = dataclasses.replace(results, frame=frame)
        averaged = _averaged_runs(subset, expectations)
        for i, expectation in enumerate(expectations):
            _, finish = _pending(subset, expectation, averaged)
            result = finish(None)  # as test_hypothesis: judged on the raw p
            rows.append(
                {
                    "expectation": i + 1,
                    "metric": expectation.metric,
                    "factor": expectation.factor,
                    "direction": expectation.direction,
                    "context": int(context),
                    "runs": int(frame["run_id"].nunique()),
                    **background,
                    "effect_name": result.effect_name,
                    "effect": result.effect,
                    "effect_ci_low": result.effect_ci[0],
                    "effect_ci_high": result.effect_ci[1],
                    "p_value": result.p_value,
                    "verdict": result.verdict,
                }
            )
    return pd.DataFrame(rows)


def robustness(tests: pd.DataFrame) -> pd.DataFrame:
    """Per expectation, over the contexts of :func:`context_tests`: how many, and the shares in
    which the effect is supported (expected direction, p < 0.05), contradicted, or not detected.

    >>> tests = pd.DataFrame({"expectation": [1, 1, 1, 1], "metric": "m", "factor": "f",
    ...     "direction": "increasing", "verdict": ["supported"] * 3 + ["not detected"]})
    >>> robustness(tests)[["expectation", "contexts", "supported", "not_detected"]].to_dict("records")
    [{'expectation': 1, 'contexts': 4, 'supported': 0.75, 'not_detected': 0.25}]
    """
    if tests.empty:
        return pd.DataFrame()
    rows = []
    for (number, metric, factor, direction), group in tests.groupby(
        ["expectation", "metric", "factor", "direction"], sort=True
    ):
        verdicts = group["verdict"]
        rows.append(
            {
                "expectation": int(number),
                "metric": metric,
                "factor": factor,
                "direction": direction,
                "contexts": len(group),
                "supported": float((verdicts == "supported").mean()),
                "contradicted": float((verdicts == "contradicted").mean()),
                "not_detected": float((verdicts == "not detected").mean()),
            }
        )
    return pd.DataFrame(rows)


def _expected_sign(direction: str) -> int:
    return {"increasing": 1, "decreasing": -1, "positive": 1, "negative": -1}.get(direction, 0)


def _seed_blocked(runs: pd.DataFrame, factor: str) -> bool:
    """Whether runs share seeds across the factor's values (common random numbers)."""
    if "seed" not in runs.columns or not len(runs):
        return False
    per_seed = runs.groupby("seed")[factor].nunique()
    return bool(len(per_seed) >= 2 and (per_seed >= 2).any())


def _fixed_effects_fit(y: np.ndarray, terms: pd.DataFrame, seeds: pd.Series):
    """OLS of ``y`` on ``terms`` and one fixed effect per seed, with HC3 errors; None if singular.

    Seeds seen once are dropped first: their own intercept fits them exactly and says nothing
    (and their leverage of 1 breaks HC3).
    """
    seeds = pd.Series(np.asarray(seeds), index=terms.index)
    keep = (seeds.map(seeds.value_counts()) >= 2).to_numpy()
    terms, seeds, y = terms[keep], seeds[keep], np.asarray(y, dtype=float)[keep]
    dummies = pd.get_dummies(seeds.astype(str), prefix="seed", drop_first=True, dtype=float)
    design = pd.concat([pd.DataFrame({"const": 1.0}, index=terms.index), terms, dummies], axis=1)
    matrix = design.to_numpy(float)
    if len(y) <= matrix.shape[1] or np.linalg.matrix_rank(matrix) < matrix.shape[1]:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = sm.OLS(y, design).fit(cov_type="HC3")
    return fit


def _permutation_p_spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Two-sided p-value of Spearman's rho by permutation: exact over every pairing up to 7 runs
    (7! < :data:`PERMUTATIONS`), else that many random pairings from a fixed seed (reports are
    reproducible).

    >>> x = np.array([0.0, 0.0, 0.0, 0.6, 0.6, 0.6]); y = np.array([5.0, 6, 7, 1, 2, 3])
    >>> round(_permutation_p_spearman(x, y), 3)  # perfectly separated 3 vs 3: 2 of 20 splits
    0.1
    """
    rx = stats.rankdata(x)
    rx = rx - rx.mean()

    def rho(ranks, axis):  # Spearman's rho: Pearson's r of the ranks (ties get mean ranks)
        centred = ranks - ranks.mean(axis=axis, keepdims=True)
        return (centred * rx).sum(axis=axis) / np.sqrt((centred**2).sum(axis=axis) * (rx**2).sum())

    result = stats.permutation_test(
        (stats.rankdata(y),),  # one sample permuted against fixed x: every pairing of the runs once
        rho,
        permutation_type="pairings",
        vectorized=True,
        n_resamples=PERMUTATIONS,
        alternative="two-sided",
        rng=np.random.default_rng(BOOTSTRAP_SEED),
    )
    return float(result.pvalue)


def _verdict(p_value: float, observed: int, expected: int) -> str:
    if not p_value < ALPHA:
        return "not detected"
    if expected == 0 or observed == expected:
        return "supported"
    return "contradicted"


def _judged(p: float, p_adjusted: float | None) -> tuple[float, float, str]:
    """The p-value a verdict is judged on, the adjusted p to store, and how to cite them."""
    if p_adjusted is None or not np.isfinite(p_adjusted):
        return p, (p if p_adjusted is None else float("nan")), _p(p)
    return p_adjusted, p_adjusted, f"{_p(p)}, Holm-adjusted {_p(p_adjusted)}"


def _fmt(x: float) -> str:
    return "nan" if not np.isfinite(x) else f"{x:.3g}"


def _p(p: float) -> str:
    return "p = nan" if not np.isfinite(p) else ("p < 0.001" if p < 0.001 else f"p = {p:.3f}")


def _trend(runs: pd.DataFrame, expectation: Expectation, blocked: bool) -> _Pending:
    metric, factor, direction = expectation.metric, expectation.factor, expectation.direction
    x = runs[factor].to_numpy(float)
    y = runs[metric].to_numpy(float)
    n = len(x)
    degenerate = n < 3 or np.unique(x).size < 2 or np.unique(y).size < 2
    fit = None
    if degenerate:
        rho = p = slope = low = high = statistic = float("nan")
        rho_ci = (float("nan"), float("nan"))
    else:
        rho = float(stats.spearmanr(x, y)[0])
        rho_ci = _spearman_interval(x, y, rho)
        fit = _fixed_effects_fit(y, pd.DataFrame({"x": x}), runs["seed"]) if blocked else None
        if fit is not None:
            slope, statistic, p = (float(v) for v in (fit.params["x"], fit.tvalues["x"], fit.pvalues["x"]))
            low, high = (float(v) for v in fit.conf_int().loc["x"])
        else:
            blocked = False
            statistic = rho
            p = float(stats.spearmanr(x, y)[1])
            if n < EXACT_BELOW:  # the t approximation of Spearman's p is too optimistic on few runs
                p = _permutation_p_spearman(x, y)
            line = stats.linregress(x, y)
            slope = float(line.slope)
            t = stats.t.ppf(0.975, n - 2)
            low, high = slope - t * line.stderr, slope + t * line.stderr
    expected = _expected_sign(direction)
    tested = slope if blocked else rho
    observed = int(np.sign(tested)) if np.isfinite(tested) else 0
    effect_size = abs(slope) * (np.ptp(x) if n else 0.0) if np.isfinite(slope) else float("nan")
    adequacy = _adequacy(runs, metric, factor, effect_size)
    if blocked:
        test = "OLS slope with seed fixed effects (HC3)"
        blocks = runs["seed"].nunique()
    else:
        test = "Spearman rank correlation"
    rho_label = FISHER_Z_CI if n > ANALYTIC_SPEARMAN_ABOVE else "95 % CI"

    def finish(p_adjusted: float | None) -> HypothesisResult:
        judged, stored, cite = _judged(p, p_adjusted)
        verdict = _verdict(judged, observed, expected)
        if blocked:
            numbers = (
                f"OLS slope with seed fixed effects {_fmt(slope)} per unit of {factor}, 95 % CI (HC3) "
                f"[{_fmt(low)}, {_fmt(high)}], t = {_fmt(statistic)}, {cite}, {n} runs in {blocks} seed "
                f"blocks; Spearman rho = {_fmt(rho)}, {rho_label} [{_fmt(rho_ci[0])}, {_fmt(rho_ci[1])}]"
            )
        else:
            numbers = (
                f"Spearman rho = {_fmt(rho)}, {rho_label} [{_fmt(rho_ci[0])}, {_fmt(rho_ci[1])}], {cite}, "
                f"{n} runs; OLS slope {_fmt(slope)} per unit of {factor}, 95 % CI [{_fmt(low)}, {_fmt(high)}]"
            )
        moves = "rises" if observed > 0 else "falls"
        if degenerate:
            summary = (
                f"Too little variation to test a trend of {metric} in {factor} ({n} runs); no effect claimed."
            )
        elif verdict == "supported":
            claim = "differs" if expected == 0 else direction
            summary = f"{metric} {moves} with {factor}, as expected ({claim}) ({numbers})."
        elif verdict == "contradicted":
            summary = (
                f"{metric} {moves} with {factor}, contrary to the expectation that it is {direction} "
                f"({numbers})."
            )
        else:
            summary = (
                f"No trend of {metric} in {factor} detected at the 5 % level ({numbers}); no effect claimed."
            )
        return HypothesisResult(
            metric=metric,
            factor=factor,
            direction=direction,
            kind="trend",
            test=test,
            statistic=statistic,
            p_value=p,
            effect_name="Spearman rho",
            effect=rho,
            effect_ci=rho_ci,
            verdict=verdict,
            summary=summary,
            adequacy=adequacy,
            p_adjusted=stored,
        )

    return p, finish


def _levels(results: SweepResults, factor: str, runs: pd.DataFrame) -> list[Any]:
    """The factor's levels present in ``runs``, in the order the spec lists them."""
    listed = list(dict.fromkeys(results.spec.factors.get(factor, ())))
    present = list(dict.fromkeys(runs[factor]))
    return [v for v in listed if v in present] + [v for v in present if v not in listed]


def _comparison(runs: pd.DataFrame, expectation: Expectation, levels: list[Any], blocked: bool) -> _Pending:
    metric, factor, direction, level = (
        expectation.metric,
        expectation.factor,
        expectation.direction,
        expectation.level,
    )
    listed = list(levels)
    if level is not None and level in levels:  # the named level last: effects read "level vs the rest"
        levels = [v for v in levels if v != level] + [level]
    groups = [runs.loc[runs[factor] == v, metric].to_numpy(float) for v in levels]
    n = sum(len(g) for g in groups)
    means = [float(np.mean(g)) if len(g) else float("nan") for g in groups]
    effect_size = max(means) - min(means) if means else float("nan")
    adequacy = _adequacy(runs, metric, factor, effect_size)
    flat = np.concatenate(groups) if groups else np.array([])
    two = len(groups) == 2
    if len(groups) < 2 or any(len(g) == 0 for g in groups) or np.unique(flat).size < 2:

        def degenerate(p_adjusted: float | None) -> HypothesisResult:
            return HypothesisResult(
                metric=metric,
                factor=factor,
                direction=direction,
                kind="comparison",
                test="Mann-Whitney U" if two else "Kruskal-Wallis H",
                statistic=float("nan"),
                p_value=float("nan"),
                effect_name="rank-biserial correlation" if two else "epsilon squared",
                effect=float("nan"),
                effect_ci=(float("nan"), float("nan")),
                verdict="not detected",
                summary=f"Too little variation to compare {metric} across {factor} ({len(groups)} "
                f"levels, {n} runs); no effect claimed.",
                adequacy=adequacy,
                p_adjusted=float("nan"),
            )

        return float("nan"), degenerate
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    if two:
        test, effect_name = "Mann-Whitney U", f"rank-biserial correlation ({levels[1]} vs {levels[0]})"
        u, p = stats.mannwhitneyu(groups[1], groups[0], alternative="two-sided")
        statistic = float(u)
        effect = _rank_biserial(groups[1][None, :], groups[0][None, :])[0]
        resampled = [g[rng.integers(0, len(g), (BOOTSTRAP_RESAMPLES, len(g)))] for g in groups]
        effect_ci = _percentile(_rank_biserial(resampled[1], resampled[0]))
    else:
        test, effect_name = "Kruskal-Wallis H", "epsilon squared"
        h, p = stats.kruskal(*groups)
        statistic = float(h)
        effect = statistic / (n - 1)
        effect_ci = _percentile(_bootstrap_epsilon_squared(groups, rng))
    p = float(p)
    fit = None
    if blocked:
        codes = pd.Categorical(runs[factor], categories=levels)
        dummies = pd.get_dummies(codes, prefix="level", drop_first=True, dtype=float)
        dummies.index = runs.index
        fit = _fixed_effects_fit(runs[metric].to_numpy(float), dummies, runs["seed"])
    if fit is not None:
        names = list(dummies.columns)
        restriction = np.zeros((len(names), len(fit.params)))
        for row, name in enumerate(names):
            restriction[row, list(fit.params.index).index(name)] = 1.0
        wald = fit.wald_test(restriction, use_f=True, scalar=True)
        statistic, p = float(wald.statistic), float(wald.pvalue)
        test = "OLS with seed fixed effects (HC3), Wald F of the levels"
        centres = dict(zip(levels, means, strict=True))
        centre_name = "means"
        blocks = runs["seed"].nunique()
    else:
        centres = {v: float(np.median(g)) for v, g in zip(levels, groups, strict=True)}
        centre_name = "medians"
    expected = _expected_sign(direction)
    lowest = min(listed, key=lambda v: centres[v])
    highest = max(listed, key=lambda v: centres[v])
    if level is not None:
        extreme = highest if direction == "increasing" else lowest
        observed = expected if centres[level] == centres[extreme] else -expected
    else:
        order = np.repeat(np.arange(len(listed)), [int((runs[factor] == v).sum()) for v in listed])
        ordered = np.concatenate([runs.loc[runs[factor] == v, metric].to_numpy(float) for v in listed])
        rho = stats.spearmanr(order, ordered)[0]
        observed = int(np.sign(rho)) if np.isfinite(rho) else 0
    listing = ", ".join(f"{v}: {_fmt(centres[v])}" for v in listed)
    sequence = " → ".join(str(v) for v in listed)

    def finish(p_adjusted: float | None) -> HypothesisResult:
        judged, stored, cite = _judged(p, p_adjusted)
        verdict = _verdict(judged, observed, expected)
        blocking = f" in {blocks} seed blocks" if fit is not None else ""
        numbers = (
            f"{test} = {_fmt(statistic)}, {cite}, {n} runs{blocking}; {effect_name} = {_fmt(effect)}, "
            f"95 % CI [{_fmt(effect_ci[0])}, {_fmt(effect_ci[1])}]; {centre_name} {listing}"
        )
        spread = f"lowest at {lowest} and highest at {highest}"
        if level is not None:
            extreme_word = "highest" if direction == "increasing" else "lowest"
            actual = highest if direction == "increasing" else lowest
            if verdict == "supported":
                summary = (
                    f"{metric} differs across {factor}, {extreme_word} at {level} as expected ({numbers})."
                )
            elif verdict == "contradicted":
                summary = (
                    f"{metric} differs across {factor}, but is {extreme_word} at {actual}, not at {level} "
                    f"as expected; {spread} ({numbers})."
                )
            else:
                summary = (
                    f"No difference of {metric} across {factor} detected at the 5 % level ({numbers}); "
                    "no effect claimed."
                )
        elif verdict == "supported" and expected == 0:
            summary = f"{metric} differs across {factor}, {spread} ({numbers})."
        elif verdict in ("supported", "contradicted"):
            moves = "rises" if observed > 0 else "falls"
            wanted = "rise" if expected > 0 else "fall"
            how = "as expected" if verdict == "supported" else f"where it was expected to {wanted}"
            summary = (
                f"{metric} differs across {factor}, {spread}; it {moves} along the listed levels "
                f"({sequence}) {how} ({numbers})."
            )
        else:
            summary = (
                f"No difference of {metric} across {factor} detected at the 5 % level ({numbers}); "
                "no effect claimed."
            )
        return HypothesisResult(
            metric=metric,
            factor=factor,
            direction=direction,
            kind="comparison",
            test=test,
            statistic=statistic,
            p_value=p,
            effect_name=effect_name,
            effect=float(effect),
            effect_ci=effect_ci,
            verdict=verdict,
            summary=summary,
            adequacy=adequacy,
            p_adjusted=stored,
            level=level,
        )

    return p, finish


def test_interaction(results: SweepResults, expectation: Expectation) -> HypothesisResult:
    """Test an interaction (moderation) claim: does the effect of one factor depend on another?

    OLS regression of each run's time-averaged metric on the focal factor ``a`` and the
    moderator ``b``, both standardised (z-scores), and their product::

        metric ~ a + b + a:b (+ one fixed effect per seed when seeds are shared across points)

    with HC3 robust standard errors (statsmodels' formula API). The coefficient of ``a:b`` is the
    change in the slope of the metric on ``a`` (per SD of ``a``) per SD of ``b``: positive means
    the metric's response to the focal factor rises as the moderator rises. For two levers that
    both lower a metric (monitoring and trust lowering shirking), a positive interaction says they
    are *substitutes* (each weakens the other's effect), a negative one *complements*. The verdict
    compares its sign with ``expectation.direction`` (``positive`` or ``negative``) at p <
    :data:`ALPHA`; the summary gives the slope on the focal factor at the moderator's lowest and
    highest values.
    """
    return test_hypothesis(results, expectation)


test_interaction.__test__ = False


def _interaction(runs: pd.DataFrame, expectation: Expectation) -> _Pending:
    metric, focal, moderator, sign = (
        expectation.metric,
        expectation.factor,
        expectation.moderator,
        expectation.direction,
    )
    a = runs[focal].to_numpy(float)
    b = runs[moderator].to_numpy(float)
    y = runs[metric].to_numpy(float)
    n = len(y)
    blocked = "seed" in runs.columns and runs["seed"].duplicated().any() and runs["seed"].nunique() >= 2
    fit = None
    if n >= 6 and np.std(a) > 0 and np.std(b) > 0 and np.unique(y).size > 1:
        data = pd.DataFrame({"y": y, "a": (a - a.mean()) / a.std(), "b": (b - b.mean()) / b.std()})
        formula = "y ~ a * b"
        if blocked:
            seeds = runs["seed"].astype(str).to_numpy()
            counts = pd.Series(seeds).map(pd.Series(seeds).value_counts()).to_numpy()
            data = data.assign(seed=seeds)[counts >= 2]
            formula += " + C(seed)"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            candidate = smf.ols(formula, data).fit(cov_type="HC3")
        if np.isfinite(candidate.pvalues["a:b"]) and candidate.df_resid > 0:
            fit = candidate
    if fit is not None:
        coef, statistic, p = (float(fit.params["a:b"]), float(fit.tvalues["a:b"]), float(fit.pvalues["a:b"]))
        low, high = (float(v) for v in fit.conf_int().loc["a:b"])
        b_low, b_high = (float((v - b.mean()) / b.std()) for v in (b.min(), b.max()))
        slope_low = float(fit.params["a"] + coef * b_low)
        slope_high = float(fit.params["a"] + coef * b_high)
        effect_size = abs(coef) * np.ptp((a - a.mean()) / a.std()) * (b_high - b_low)
    else:
        coef = statistic = p = low = high = slope_low = slope_high = effect_size = float("nan")
    expected = _expected_sign(sign)
    observed = int(np.sign(coef)) if np.isfinite(coef) else 0
    adequacy = _adequacy(runs, metric, focal, effect_size)
    test = "OLS interaction" + (" with seed fixed effects" if blocked else "") + " (HC3)"
    if abs(slope_high) < abs(slope_low) and np.sign(slope_high) == np.sign(slope_low):
        change = "weakens"
    elif np.sign(slope_high) != np.sign(slope_low) and slope_high != 0 and slope_low != 0:
        change = "reverses"
    else:
        change = "strengthens"

    def finish(p_adjusted: float | None) -> HypothesisResult:
        judged, stored, cite = _judged(p, p_adjusted)
        verdict = _verdict(judged, observed, expected)
        numbers = (
            f"{focal} × {moderator} coefficient {_fmt(coef)} (per SD of each), 95 % CI (HC3) "
            f"[{_fmt(low)}, {_fmt(high)}], t = {_fmt(statistic)}, {cite}, {n} runs; slope of {metric} per SD "
            f"of {focal}: {_fmt(slope_low)} at {moderator} = {_fmt(b.min() if n else np.nan)}, "
            f"{_fmt(slope_high)} at {moderator} = {_fmt(b.max() if n else np.nan)}"
        )
        if fit is None:
            summary = (
                f"Too little variation to test how {moderator} moderates the effect of {focal} on {metric} "
                f"({n} runs); no effect claimed."
            )
        elif verdict == "not detected":
            summary = (
                f"No interaction of {focal} and {moderator} on {metric} detected at the 5 % level "
                f"({numbers}); no moderation claimed."
            )
        else:
            how = "as expected" if verdict == "supported" else f"contrary to the expected {sign} sign"
            summary = (
                f"The effect of {focal} on {metric} {change} as {moderator} rises: the interaction is "
                f"{'positive' if observed > 0 else 'negative'}, {how} ({numbers})."
            )
        return HypothesisResult(
            metric=metric,
            factor=focal,
            direction=sign,
            kind="interaction",
            test=test,
            statistic=statistic,
            p_value=p,
            effect_name=f"interaction coefficient ({focal} × {moderator}, standardised)",
            effect=coef,
            effect_ci=(low, high),
            verdict=verdict,
            summary=summary,
            adequacy=adequacy,
            p_adjusted=stored,
            moderator=moderator,
        )

    return p, finish


# --- bootstrap and effect sizes --------------------------------------------------------------------


def _percentile(values: np.ndarray) -> tuple[float, float]:
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return (float("nan"), float("nan"))
    low, high = np.percentile(values, [2.5, 97.5])
    return (float(low), float(high))


def _spearman_interval(x: np.ndarray, y: np.ndarray, rho: float) -> tuple[float, float]:
    """95 % interval of Spearman's ``rho`` of (x, y): the percentile bootstrap up to
    :data:`ANALYTIC_SPEARMAN_ABOVE` runs, Fisher's z interval (:func:`_fisher_spearman`) above."""
    if len(x) > ANALYTIC_SPEARMAN_ABOVE:
        return _fisher_spearman(rho, len(x))
    return _bootstrap_spearman(x, y)


def _fisher_spearman(rho: float, n: int) -> tuple[float, float]:
    """95 % interval of Spearman's rho from ``n`` pairs: Fisher's z transform with the variance
    (1 + rho²/2) / (n − 3) of Bonett, D. G. & Wright, T. A. (2000), Sample size requirements for
    estimating Pearson, Kendall and Spearman correlations, *Psychometrika* 65: 23–28.

    >>> [round(v, 4) for v in _fisher_spearman(0.5, 10_000)]
    [0.4842, 0.5154]
    """
    if not np.isfinite(rho) or n <= 3:
        return (float("nan"), float("nan"))
    if abs(rho) >= 1.0:  # a perfect rank correlation: artanh is infinite
        return (float(rho), float(rho))
    half = stats.norm.ppf(0.975) * np.sqrt((1.0 + rho**2 / 2.0) / (n - 3))
    z = np.arctanh(rho)
    return (float(np.tanh(z - half)), float(np.tanh(z + half)))


def _bootstrap_spearman(x: np.ndarray, y: np.ndarray, chunk: int = _BOOTSTRAP_CHUNK) -> tuple[float, float]:
    """Percentile bootstrap 95 % CI of Spearman's rho, resampling (x, y) pairs, seeded.

    The resamples are drawn and ranked a block of rows at a time, at most ``chunk`` values a block
    (at least one resample), so memory stays bounded; the draws continue one random stream, so the
    interval is the same for every ``chunk``.
    """
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    n = len(x)
    rows = max(1, chunk // max(n, 1))
    rho = np.empty(BOOTSTRAP_RESAMPLES)
    for start in range(0, BOOTSTRAP_RESAMPLES, rows):
        stop = min(start + rows, BOOTSTRAP_RESAMPLES)
        picks = rng.integers(0, n, (stop - start, n))
        rx = stats.rankdata(x[picks], axis=1)
        ry = stats.rankdata(y[picks], axis=1)
        rx -= rx.mean(axis=1, keepdims=True)
        ry -= ry.mean(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            rho[start:stop] = (rx * ry).sum(axis=1) / np.sqrt((rx**2).sum(axis=1) * (ry**2).sum(axis=1))
    return _percentile(rho)


def _rank_biserial(b: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Rank-biserial correlation P(b > a) - P(b < a), row-wise over samples ``b`` and ``a`` (2-D)."""
    nb, na = b.shape[1], a.shape[1]
    ranks = stats.rankdata(np.concatenate([b, a], axis=1), axis=1)
    u_b = ranks[:, :nb].sum(axis=1) - nb * (nb + 1) / 2
    return 2 * u_b / (nb * na) - 1


def _bootstrap_epsilon_squared(groups: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Epsilon squared of Kruskal-Wallis on resamples drawn within each group.

    Uses the tie-corrected form H / (n - 1) = sum_g n_g (mean rank_g - mean rank)^2 / sum (rank -
    mean rank)^2, computed for every resample at once.
    """
    sample = np.concatenate(
        [g[rng.integers(0, len(g), (BOOTSTRAP_RESAMPLES, len(g)))] for g in groups], axis=1
    )
    ranks = stats.rankdata(sample, axis=1)
    centred = ranks - ranks.mean(axis=1, keepdims=True)
    edges = np.cumsum([0] + [len(g) for g in groups])
    between = sum(
        (hi - lo) * centred[:, lo:hi].mean(axis=1) ** 2 for lo, hi in zip(edges[:-1], edges[1:], strict=True)
    )
    total = (centred**2).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, between / total, np.nan)


# --- adequacy --------------------------------------------------------------------------------------


def _adequacy(runs: pd.DataFrame, metric: str, factor: str, effect_size: float) -> Adequacy:
    """Per-point CI half-width against the effect, and how many replications would resolve it."""
    by = "point" if "point" in runs.columns else factor
    counts = runs.groupby(by)[metric].agg(["std", "count"])
    replications = int(np.median(counts["count"])) if len(counts) else 0
    widths = _half_width(counts["std"].to_numpy(float), counts["count"].to_numpy(int))
    half = float(np.nanmean(widths)) if np.isfinite(widths).any() else float("nan")
    effect = float(abs(effect_size)) if np.isfinite(effect_size) else float("nan")
    sufficient = bool(np.isfinite(half) and np.isfinite(effect) and half <= effect / 2)
    if replications < 2 or not np.isfinite(half):
        advice = (
            f"With {replications} replication per design point the per-point means have no confidence "
            "interval; run at least 5 replications to judge an effect."
        )
    elif sufficient:
        advice = (
            f"{replications} replications give per-point 95 % CIs of ±{_fmt(half)}, at most half the "
            f"effect between factor levels ({_fmt(effect)}): enough to tell the levels apart."
        )
    else:
        sd = float(np.sqrt(np.nanmean(counts["std"].to_numpy(float) ** 2)))
        halving = _replications_for(sd, half / 2)
        needed = _replications_for(sd, effect / 2) if effect > 0 else None
        if needed is None:
            resolve = (
                f"the effect is too small to resolve point by point; raise replications to about {halving} "
                "to halve the CI width, or treat the effect as negligible"
            )
        else:
            resolve = (
                f"raise replications to about {needed} to resolve it ({halving} would halve the CI width)"
            )
        advice = (
            f"With {replications} replications the per-point 95 % CIs are ±{_fmt(half)}, more than half "
            f"the effect between factor levels ({_fmt(effect)}); {resolve}."
        )
    return Adequacy(
        replications=replications,
        ci_half_width=half,
        effect_size=effect,
        sufficient=sufficient,
        advice=advice,
    )


def _replications_for(sd: float, half_width: float, most: int = 10_000) -> int | None:
    """Fewest replications whose 95 % t interval of a mean with SD ``sd`` is at most ``half_width``.

    ``None`` if more than ``most`` would be needed.

    Examples
    --------
    >>> _replications_for(1.0, 1.0), _replications_for(1.0, 1e-3)
    (7, None)
    """
    if not half_width > 0 or not np.isfinite(sd):
        return None
    n = np.arange(2, most + 1)
    fits = stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n) <= half_width
    return int(n[np.argmax(fits)]) if fits.any() else None
