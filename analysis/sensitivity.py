"""Global sensitivity indices of a sobol or morris sweep, by SALib, from the sweep's own sample.

The steps are SALib's, kept apart: the sample is the one the sweep ran
(:func:`experiments.design.sample_matrix`, SALib's order, never re-drawn), the evaluation is the
sweep's results averaged over replications per sample point (SALib assumes a deterministic
model, and ``Y`` must stay in sample order), and the analysis is :func:`sobol_indices` or
:func:`morris_indices`, pure functions usable on any ``problem`` and ``Y``.

Bootstrap intervals use :data:`SALIB_SEED`: SALib ignores ``seed=0`` (it tests ``if seed:``), so
the seed is fixed and non-zero and the same results always give the same intervals.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from experiments.design import salib_problem, sample_matrix

from .load import AnalysisError, SweepResults
from .statistics import per_run

__all__ = [
    "S1_CI_LIMIT",
    "SALIB_SEED",
    "S1Precision",
    "complete_trajectories",
    "morris_ranking",
    "morris_indices",
    "point_means",
    "s1_precision",
    "sensitivity",
    "sobol_indices",
]

#: Seed of SALib's bootstrap intervals (non-zero: SALib ignores 0).
SALIB_SEED = 20251128
#: Width below which a first-order index's 95 % bootstrap interval counts as narrow enough.
S1_CI_LIMIT = 0.1


class S1Precision(NamedTuple):
    """Whether every first-order index's 95 % interval is narrower than ``limit``, and the widest."""

    narrow: bool
    widest: float
    parameter: str
    limit: float

    def line(self) -> str:
        """The verdict in one line, for the report.

        >>> S1Precision(False, 0.13, "lemon_share", 0.1).line()
        'All first-order CIs are narrower than 0.1: no (widest 0.13 for lemon_share)'
        """
        verdict = "yes" if self.narrow else "no"
        return (
            f"All first-order CIs are narrower than {self.limit:g}: {verdict} "
            f"(widest {self.widest:.2g} for {self.parameter})"
        )


def s1_precision(table: pd.DataFrame, limit: float = S1_CI_LIMIT) -> S1Precision:
    """Whether the 95 % bootstrap interval of every first-order Sobol index is narrower than ``limit``.

    An interval's width is twice SALib's half-width ``S1_conf`` (S1 ± S1_conf); a missing
    half-width counts as infinitely wide.

    >>> table = pd.DataFrame({"parameter": ["a", "b"], "S1": [0.6, 0.1], "S1_conf": [0.03, 0.045]})
    >>> s1_precision(table)
    S1Precision(narrow=True, widest=0.09, parameter='b', limit=0.1)
    """
    widths = 2.0 * pd.to_numeric(table["S1_conf"], errors="coerce").to_numpy(float)
    widths = np.where(np.isfinite(widths), widths, np.inf)
    at = int(np.argmax(widths))
    return S1Precision(
        bool((widths < limit).all()), float(widths[at]), str(table["parameter"].iloc[at]), limit
    )


def morris_ranking(table: pd.DataFrame) -> pd.DataFrame:
    """A Morris table ranked by ``mu_star`` (largest first), with its rank and the interval
    ``mu_star ± mu_star_conf``.

    >>> table = pd.DataFrame({"parameter": ["a", "b"], "mu_star": [1.0, 4.0], "mu_star_conf": [0.5, 1.0],
    ...                       "sigma": [0.1, 0.2]})
    >>> ranked = morris_ranking(table)
    >>> ranked["parameter"].tolist(), ranked["rank"].tolist(), ranked["mu_star_low"].tolist()
    (['b', 'a'], [1, 2], [3.0, 0.5])
    """
    ranked = table.sort_values("mu_star", ascending=False, kind="stable").reset_index(drop=True)
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
    ranked["mu_star_low"] = ranked["mu_star"] - ranked["mu_star_conf"]
    ranked["mu_star_high"] = ranked["mu_star"] + ranked["mu_star_conf"]
    return ranked


def sobol_indices(problem: dict[str, Any], Y: np.ndarray, *, second_order: bool, seed: int) -> pd.DataFrame:
    """First-order and total Sobol indices of each parameter, with 95 % bootstrap half-widths.

    Parameters
    ----------
    problem : dict
        SALib problem (``num_vars``, ``names``, ``bounds``).
    Y : array
        Model outputs in the order of ``SALib.sample.sobol.sample(problem, N, calc_second_order=...)``.
    second_order : bool
        Whether the sample was drawn with second-order terms (N(2D+2) rows, else N(D+2)).
    seed : int
        Seed of the bootstrap; must be non-zero (SALib ignores 0).

    Returns
    -------
    DataFrame
        Columns ``parameter``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf``; one row per parameter.

    Examples
    --------
    >>> from SALib.sample import sobol
    >>> problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    >>> X = sobol.sample(problem, 256, calc_second_order=False, seed=3)
    >>> table = sobol_indices(problem, 4 * X[:, 0] + X[:, 1], second_order=False, seed=3)
    >>> table["parameter"].tolist(), bool(table.loc[0, "ST"] > table.loc[1, "ST"])
    (['a', 'b'], True)
    """
    from SALib.analyze import sobol

    Y = _outputs(Y)
    d = problem["num_vars"]
    rows = 2 * d + 2 if second_order else d + 2
    if Y.size % rows:
        raise AnalysisError(
            f"Sobol analysis needs N·{'(2D+2)' if second_order else '(D+2)'} = N·{rows} outputs in sample "
            f"order, got {Y.size}; the outputs do not match the sample"
        )
    found = sobol.analyze(
        problem, Y, calc_second_order=second_order, seed=_seed(seed), print_to_console=False
    )
    return pd.DataFrame(
        {
            "parameter": list(problem["names"]),
            "S1": found["S1"],
            "S1_conf": found["S1_conf"],
            "ST": found["ST"],
            "ST_conf": found["ST_conf"],
        }
    )


def morris_indices(
    problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, *, seed: int, levels: int = 4
) -> pd.DataFrame:
    """Morris elementary-effect measures of each parameter.

    Parameters
    ----------
    problem : dict
        SALib problem.
    X : array
        The Morris sample (``SALib.sample.morris.sample``), N(D+1) rows.
    Y : array
        Model outputs in sample order.
    seed : int
        Seed of the bootstrap interval of ``mu_star``; non-zero.
    levels : int
        ``num_levels`` the sample was drawn with.

    Returns
    -------
    DataFrame
        Columns ``parameter``, ``mu_star``, ``mu_star_conf``, ``sigma``; one row per parameter.

    Examples
    --------
    >>> from SALib.sample import morris
    >>> problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    >>> X = morris.sample(problem, 20, num_levels=4, seed=3)
    >>> table = morris_indices(problem, X, 4 * X[:, 0] + X[:, 1], seed=3)
    >>> table[["parameter", "mu_star"]].round(6)
      parameter  mu_star
    0         a      4.0
    1         b      1.0
    """
    from SALib.analyze import morris

    Y = _outputs(Y)
    X = np.asarray(X, dtype=float)
    if X.shape[0] != Y.size:
        raise AnalysisError(
            f"Morris analysis needs one output per sample row: {X.shape[0]} rows, {Y.size} outputs"
        )
    found = morris.analyze(problem, X, Y, num_levels=levels, seed=_seed(seed), print_to_console=False)
    return pd.DataFrame(
        {
            "parameter": list(problem["names"]),
            "mu_star": np.asarray(found["mu_star"], dtype=float),
            "mu_star_conf": np.asarray(found["mu_star_conf"], dtype=float),
            "sigma": np.asarray(found["sigma"], dtype=float),
        }
    )


def point_means(
    results: SweepResults, metric: str, how: str = "mean", *, allow_missing: bool = False
) -> np.ndarray:
    """The metric per design point, averaged over replications, in point (SALib sample) order.

    ``how`` reduces each run first: ``"mean"`` over its recorded steps or ``"final"``, its last.
    With ``allow_missing``, a point without any value is NaN instead of an error.

    Raises
    ------
    AnalysisError
        If the metric is unknown, or a point has no run with a value (unless ``allow_missing``).
    """
    if metric not in results.frame.columns:
        raise AnalysisError(
            f"{results.path}: no metric {metric!r} in the results; metrics: {', '.join(results.metrics)}"
        )
    runs = per_run(results.frame, [metric], how)
    means = runs.groupby("point")[metric].mean()
    points = len(sample_matrix(results.spec))
    means = means.reindex(range(points))
    empty = np.flatnonzero(~np.isfinite(means.to_numpy(float)))
    if empty.size and not allow_missing:
        raise AnalysisError(
            f"{results.path}: {metric!r} has no value at {empty.size} of {points} points (first: point "
            f"{empty[0]}); sensitivity indices need every point: finish the sweep or pick another metric"
        )
    return means.to_numpy(float)


def sensitivity(results: SweepResults, metric: str, *, how: str = "mean") -> pd.DataFrame:
    """Sobol or Morris indices of ``metric`` over the factors of a sobol or morris sweep.

    Replications are averaged per sample point first (see :func:`point_means`), keeping SALib's
    sample order. A sobol design gives :func:`sobol_indices` (with second-order terms as the
    spec sampled them; only first-order and total indices are returned), a morris design
    :func:`morris_indices` on the sweep's own sample.

    Parameters
    ----------
    results : SweepResults
        A loaded, complete sobol or morris sweep.
    metric : str
        One of the sweep's metrics.
    how : {"mean", "final"}
        Each run's metric averaged over its recorded steps, or at its last.

    Returns
    -------
    DataFrame
        One row per factor: ``parameter, S1, S1_conf, ST, ST_conf`` (sobol) or
        ``parameter, mu_star, mu_star_conf, sigma`` (morris).

    Raises
    ------
    AnalysisError
        For another design, an unknown metric, or a sample point without results.
    """
    spec = results.spec
    kind = spec.design.kind
    if kind not in ("sobol", "morris"):
        raise AnalysisError(
            f"{results.path}: sensitivity indices need a sobol or morris design, this sweep is {kind}; "
            "use the hypothesis tests (test_hypotheses) instead"
        )
    problem = salib_problem(spec)
    if kind == "sobol":
        Y = point_means(results, metric, how)
        return sobol_indices(problem, Y, second_order=spec.design.second_order, seed=SALIB_SEED)
    X, Y = complete_trajectories(
        results, sample_matrix(spec), point_means(results, metric, how, allow_missing=True)
    )
    table = morris_indices(problem, X, Y, seed=SALIB_SEED, levels=spec.design.levels)
    table.attrs["trajectories"] = (len(Y) // (len(spec.factors) + 1), spec.design.samples)
    return table


def complete_trajectories(
    results: SweepResults, X: np.ndarray, Y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The Morris trajectories (D + 1 consecutive points each) in which the metric has a value at
    every point: where a run has nothing to measure (no contract in force at any recorded month,
    say), the trajectory through it has no elementary effects there, and Morris' measures come
    from the other trajectories, as long as at least two are complete.

    Raises
    ------
    AnalysisError
        If fewer than two trajectories are complete.
    """
    per = len(results.spec.factors) + 1
    total = len(Y) // per
    complete = [t for t in range(total) if np.isfinite(Y[t * per : (t + 1) * per]).all()]
    if len(complete) == total:
        return X, Y
    if len(complete) < 2:
        missing = int((~np.isfinite(Y)).sum())
        raise AnalysisError(
            f"{results.path}: the metric has no value at {missing} of {len(Y)} points, leaving "
            f"{len(complete)} of {total} Morris trajectories complete; Morris measures need at least two"
        )
    keep = np.concatenate([np.arange(t * per, (t + 1) * per) for t in complete])
    return X[keep], Y[keep]


def _outputs(Y: Any) -> np.ndarray:
    Y = np.asarray(Y, dtype=float).ravel()
    if not np.isfinite(Y).all():
        raise AnalysisError(
            f"the outputs hold {int((~np.isfinite(Y)).sum())} missing values; SALib needs every one"
        )
    return Y


def _seed(seed: int) -> int:
    if seed is None or int(seed) == 0:
        raise AnalysisError(
            "the seed must be a non-zero integer: SALib ignores seed=0 and its intervals then vary"
        )
    return int(seed)
