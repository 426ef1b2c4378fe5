"""Analysis of experiment sweeps: load a sweep folder, summarise it, test its hypotheses.

The steps mirror the sweep's own: :func:`load` reads a folder written by
:func:`experiments.run_sweep` back with its spec (:mod:`.load`); :func:`summarize`,
:func:`final_state` and :func:`time_averaged` describe the outcomes, and :func:`test_hypotheses`
tests the spec's ``expect:`` claims, interactions included, with Holm-adjusted p-values
(:mod:`.statistics`); :func:`sensitivity` gives Sobol or
Morris indices of a sobol or morris sweep (:mod:`.sensitivity`). All but :func:`load` are pure
functions of tables.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"run_id": ["r0", "r1"], "rule": ["a", "a"], "step": [1, 1], "x": [1.0, 3.0]})
>>> summarize(frame, ["rule"], ["x"], by_step=False)[["rule", "metric", "mean", "n"]]
  rule metric  mean  n
0    a      x   2.0  2
"""

from .load import AnalysisError, SweepResults, load
from .sensitivity import morris_indices, point_means, sensitivity, sobol_indices
from .statistics import (
    Adequacy,
    HypothesisResult,
    bounded_interval,
    default_expectations,
    final_state,
    holm,
    hypotheses_frame,
    per_run,
    summarize,
    test_hypotheses,
    test_hypothesis,
    test_interaction,
    time_averaged,
)

__all__ = [
    "Adequacy",
    "AnalysisError",
    "HypothesisResult",
    "SweepResults",
    "bounded_interval",
    "default_expectations",
    "final_state",
    "holm",
    "hypotheses_frame",
    "load",
    "morris_indices",
    "per_run",
    "point_means",
    "sensitivity",
    "sobol_indices",
    "summarize",
    "test_hypotheses",
    "test_hypothesis",
    "test_interaction",
    "time_averaged",
]
