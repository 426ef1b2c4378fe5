"""From a spec to the list of runs: design points times replications, each with its seed.

Everything here is a pure function of the spec, so the same spec always gives the same runs with
the same ids and seeds; that is what lets a sweep be resumed, split across machines or re-run
years later from its manifest.

Seeds
-----
All randomness comes from the spec's one base seed through :class:`numpy.random.SeedSequence`:
``SeedSequence(seed).spawn(2)`` gives one child for the sampler of continuous designs and one
whose children seed the replications. Replication *r* has the **same seed at every design
point** (common random numbers): two points then differ only by their parameters, not by luck,
which shrinks the noise in every comparison and in sensitivity indices. The price is that runs at
different points are correlated; average replications per point before treating points as
independent. A replication's seed does not depend on how many replications there are, so raising
``replications`` later keeps the earlier runs valid.
"""

from __future__ import annotations

import itertools
from typing import Any, NamedTuple

import numpy as np

from ecosystem.parameters import parameter

from .spec import CONTINUOUS_DESIGNS, Spec

__all__ = [
    "Run",
    "build_runs",
    "context_points",
    "design_points",
    "replication_seeds",
    "salib_problem",
    "sample_matrix",
    "sampling_seed",
]


class Run(NamedTuple):
    """One simulation to do: which design point and replication, its parameters and its seed.

    ``params`` holds the fixed values and this point's factor values (the model fills in the
    defaults of the rest).
    """

    run_id: str
    point: int
    replication: int
    params: dict[str, Any]
    seed: int
    context: int | None = None


def _as_int(sequence: np.random.SeedSequence) -> int:
    """A 63-bit integer seed: fits Parquet's int64 and JSON, and feeds ``Model(rng=...)``."""
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def replication_seeds(base_seed: int, replications: int) -> list[int]:
    """The model seed of each replication, shared by every design point.

    Examples
    --------
    >>> seeds = replication_seeds(42, 3)
    >>> len(set(seeds)), seeds[:2] == replication_seeds(42, 2)
    (3, True)
    """
    children = np.random.SeedSequence(base_seed).spawn(2)[1].spawn(replications)
    return [_as_int(child) for child in children]


def sampling_seed(base_seed: int) -> int:
    """The seed for SALib's samplers: 32-bit and never 0 (SALib code tests ``if seed:``).

    Examples
    --------
    >>> sampling_seed(42) == sampling_seed(42), 0 < sampling_seed(42) < 2**32
    (True, True)
    """
    state = np.random.SeedSequence(base_seed).spawn(2)[0].generate_state(1, dtype=np.uint32)[0]
    return max(1, int(state))


def salib_problem(spec: Spec) -> dict[str, Any]:
    """The SALib ``problem`` of a continuous design: factor names and ``[low, high]`` bounds.

    Examples
    --------
    >>> from experiments.spec import spec_from_dict
    >>> spec = spec_from_dict({"name": "s", "design": {"type": "lhs", "samples": 4},
    ...     "factors": {"lemon_share": [0.1, 0.5]}, "replications": 1, "steps": 1})
    >>> salib_problem(spec)
    {'num_vars': 1, 'names': ['lemon_share'], 'bounds': [[0.1, 0.5]]}
    """
    if spec.design.kind not in CONTINUOUS_DESIGNS:
        raise ValueError(f"a {spec.design.kind} design has no SALib problem; only {CONTINUOUS_DESIGNS}")
    names = list(spec.factors)
    bounds = [[float(low), float(high)] for low, high in spec.factors.values()]
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def design_points(spec: Spec) -> list[dict[str, Any]]:
    """The factor values at each design point, in design order (SALib's sample order).

    Continuous designs round integer parameters to the nearest integer, so the end levels of an
    integer factor get half the weight of inner ones.

    Examples
    --------
    >>> from experiments.spec import spec_from_dict
    >>> spec = spec_from_dict({"name": "g", "design": "grid", "replications": 1, "steps": 1,
    ...     "factors": {"decision_rule": ["tce", "rbv"], "n_smbs": [10, 20]}})
    >>> design_points(spec)  # doctest: +NORMALIZE_WHITESPACE
    [{'decision_rule': 'tce', 'n_smbs': 10}, {'decision_rule': 'tce', 'n_smbs': 20},
     {'decision_rule': 'rbv', 'n_smbs': 10}, {'decision_rule': 'rbv', 'n_smbs': 20}]
    """
    names = list(spec.factors)
    kind = spec.design.kind
    if kind == "grid":
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*spec.factors.values())]
    if kind == "list":
        columns = list(spec.factors.values())
        return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
    return [_typed(names, row, spec.factors) for row in _sample(spec)]


def sample_matrix(spec: Spec) -> np.ndarray:
    """SALib's raw sample of a continuous design: one row per design point, factors in spec order.

    These are the values before integer factors are rounded (:func:`design_points` rounds them),
    so they are what SALib's analysers expect as ``X`` (Morris finds each step in them).

    Examples
    --------
    >>> from experiments.spec import spec_from_dict
    >>> spec = spec_from_dict({"name": "m", "design": {"type": "morris", "samples": 2},
    ...     "factors": {"lemon_share": [0.1, 0.5], "n_smbs": [10, 20]}, "replications": 1, "steps": 1})
    >>> X = sample_matrix(spec)
    >>> X.shape, len(design_points(spec))
    ((6, 2), 6)
    """
    if spec.design.kind not in CONTINUOUS_DESIGNS:
        raise ValueError(f"a {spec.design.kind} design has no SALib sample; only {CONTINUOUS_DESIGNS}")
    return _sample(spec)


def _sample(spec: Spec) -> np.ndarray:
    from SALib.sample import latin, morris, sobol  # optional dependency, needed only here

    problem, n, seed = salib_problem(spec), spec.design.samples, sampling_seed(spec.seed)
    if spec.design.kind == "lhs":
        return latin.sample(problem, n, seed=seed)
    if spec.design.kind == "sobol":
        return sobol.sample(problem, n, calc_second_order=spec.design.second_order, seed=seed)
    return morris.sample(problem, n, num_levels=spec.design.levels, seed=seed)


def context_seed(base_seed: int) -> int:
    """The seed of the contexts' sampler: the third child of the base seed, so that adding
    contexts to a spec changes neither its replication seeds nor its design's sample."""
    state = np.random.SeedSequence(base_seed).spawn(3)[2].generate_state(1, dtype=np.uint32)[0]
    return max(1, int(state))


def context_points(spec: Spec) -> list[dict[str, Any]]:
    """The background parameter values of each context (none without ``contexts``).

    Examples
    --------
    >>> from experiments.spec import spec_from_dict
    >>> spec = spec_from_dict({"name": "c", "design": "grid", "replications": 1, "steps": 1,
    ...     "factors": {"lemon_share": [0.1, 0.5]},
    ...     "contexts": {"samples": 3, "over": {"vendor_failure_rate": [0.0, 0.1], "n_vendors": [5, 9]}}})
    >>> points = context_points(spec)
    >>> len(points), all(0 <= p["vendor_failure_rate"] <= 0.1 and 5 <= p["n_vendors"] <= 9 for p in points)
    (3, True)
    >>> sorted(int(p["vendor_failure_rate"] // (0.1 / 3)) for p in points)  # one per stratum
    [0, 1, 2]
    """
    if spec.contexts is None:
        return []
    from SALib.sample import latin

    names = list(spec.contexts.over)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(map(float, b)) for b in spec.contexts.over.values()],
    }
    rows = latin.sample(problem, spec.contexts.samples, seed=context_seed(spec.seed))
    return [_typed(names, row, spec.contexts.over) for row in rows]


def _typed(names: list[str], row: np.ndarray, bounds: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    point = {}
    for name, value in zip(names, row, strict=True):
        low, high = bounds[name]
        if parameter(name).kind is int:
            point[name] = int(min(max(round(float(value)), low), high))
        else:
            point[name] = float(min(max(float(value), low), high))
    return point


def build_runs(spec: Spec) -> list[Run]:
    """Every run of the sweep: each design point times each replication, point by point.

    A run id is ``p<point>-r<replication>`` zero-padded to the sweep's size, so it names the
    run's Parquet file and sorts in design order.

    Examples
    --------
    >>> from experiments.spec import spec_from_dict
    >>> spec = spec_from_dict({"name": "g", "design": "grid", "replications": 2, "steps": 1,
    ...     "fixed": {"n_smbs": 10}, "factors": {"lemon_share": [0.1, 0.2]}})
    >>> runs = build_runs(spec)
    >>> [r.run_id for r in runs]
    ['p0000-r00', 'p0000-r01', 'p0001-r00', 'p0001-r01']
    >>> runs[2].params
    {'n_smbs': 10, 'lemon_share': 0.2}
    >>> runs[0].seed == runs[2].seed  # common random numbers across points
    True
    """
    points = design_points(spec)
    seeds = replication_seeds(spec.seed, spec.replications)
    rep_width = max(2, len(str(spec.replications - 1)))
    contexts = context_points(spec)
    if not contexts:
        point_width = max(4, len(str(len(points) - 1)))
        return [
            Run(
                run_id=f"p{p:0{point_width}d}-r{r:0{rep_width}d}",
                point=p,
                replication=r,
                params={**spec.fixed, **values},
                seed=seed,
            )
            for p, values in enumerate(points)
            for r, seed in enumerate(seeds)
        ]
    # each context crossed with every design point; ``point`` numbers the pairs, context by context
    point_width = max(4, len(str(len(points) * len(contexts) - 1)))
    context_width = max(2, len(str(len(contexts) - 1)))
    return [
        Run(
            run_id=f"c{c:0{context_width}d}-p{c * len(points) + p:0{point_width}d}-r{r:0{rep_width}d}",
            point=c * len(points) + p,
            replication=r,
            params={**spec.fixed, **background, **values},
            seed=seed,
            context=c,
        )
        for c, background in enumerate(contexts)
        for p, values in enumerate(points)
        for r, seed in enumerate(seeds)
    ]
