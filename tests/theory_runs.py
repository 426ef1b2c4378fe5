"""Runs for the theory tests: one simulation per (scenario, seed), cached and run two at a time.

A scenario is a dict of parameters changed from the defaults, run for as many months as the
tests that use it need; a statistic over the first *m* months of a run equals the statistic of an
*m*-month run with the same seed (the model is deterministic given its seed), so one run serves
every test that uses the same scenario. Runs go to a pool of worker processes (forked on Linux)
and are cached for the test session.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from ecosystem import EcosystemModel
from ecosystem.mechanisms.contracts import ENDINGS

#: Seeds of the theory tests: every arm of every test runs once per seed (paired across arms).
SEEDS = (1, 2, 3, 4, 5, 6)
#: Months a scenario is simulated unless a test asks for more or fewer; tests use prefixes.
MONTHS = 60

_CACHE: dict[tuple[str, int], tuple[pd.DataFrame, dict]] = {}
#: What the theory tests measured (means over the seeds), by pattern of docs/ODD.md 1.1; written
#: to the JSON file named by the environment variable SMB_ECO_MEASURED at the end of a session.
MEASURED: dict[str, dict[str, float]] = {}


def record(pattern: str, **values) -> None:
    """Note a test's statistics for the ODD's "Measured" column: each value an array over the
    seeds (its mean is kept) or a number."""
    MEASURED.setdefault(pattern, {}).update(
        {name: round(float(np.mean(value)), 4) for name, value in values.items()}
    )


def _key(scenario: Mapping) -> str:
    return json.dumps(dict(sorted(scenario.items())), sort_keys=True)


def _simulate(job: tuple[str, int, int]) -> tuple[tuple[str, int], tuple[pd.DataFrame, dict]]:
    key, seed, length = job
    model = EcosystemModel(rng=seed, **json.loads(key))
    extras: dict = {}
    f = model.functions
    # functions classified by what the SMBs start with, not by what their choices made of them
    importance0, capability0 = f.importance.copy(), f.capability.copy()
    for month in range(1, length + 1):
        model.step()
        founders = (model.cohort & model.smb_active)[:, None]  # places never refilled by an entrant
        if month == 84:
            extras["ended_within_24_of_1_60"] = model.contracts.ended_within(24, 1, 60)
        if month == 48:
            capable = capability0 > np.median(capability0)
            kept = ~model.outsourced[(importance0 > 0.5) & capable & founders]
            extras["strategic_capable_kept_48"] = float(kept.mean())
        if month == 60:
            change = f.capability - capability0
            for name, rows in (("outsourced", model.outsourced), ("made", ~model.outsourced)):
                extras[f"capability_change_{name}_60"] = float(change[rows & founders].mean())
    reasons = model.contracts.endings()["reason"]
    fired = [ENDINGS.index("poor_performance"), ENDINGS.index("not_renewed")]
    extras["fired"] = int(np.isin(reasons, fired).sum())
    return (key, seed), (model.datacollector.get_model_vars_dataframe().reset_index(drop=True), extras)


def ensure(scenarios: Iterable[Mapping], length: int = MONTHS) -> None:
    """Simulate every (scenario, seed) not yet cached for ``length`` months, two processes at a time.

    ``scenarios`` holds dicts of parameters, or (dict, months) pairs for other run lengths.
    """
    jobs = {}
    for item in scenarios:
        scenario, months_ = item if isinstance(item, tuple) else (item, length)
        for seed in SEEDS:
            key = (_key(scenario), seed)
            cached = _CACHE.get(key)
            if cached is None or len(cached[0]) < months_:
                jobs[key] = max(months_, jobs.get(key, 0))
    todo = [(key, seed, months_) for (key, seed), months_ in jobs.items()]
    if not todo:
        return
    workers = min(2, os.cpu_count() or 1, len(todo))
    if workers > 1 and sys.platform == "linux":
        with warnings.catch_warnings():  # the only other threads at a fork are NumPy's native pools
            warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                results = pool.map(_simulate, sorted(todo, key=lambda job: -job[2]), chunksize=1)
    else:
        results = [_simulate(job) for job in todo]
    _CACHE.update(results)


def per_seed(
    statistic: Callable[[pd.DataFrame, dict], float], months_: int = MONTHS, **scenario
) -> np.ndarray:
    """``statistic(frame, extras)`` of the scenario's run (at least ``months_`` long) for each seed,
    in :data:`SEEDS` order."""
    ensure([(scenario, months_)])
    key = _key(scenario)
    return np.array([statistic(*_CACHE[(key, seed)]) for seed in SEEDS])


def months(frame: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """Rows of months ``first..last`` (1-based, inclusive)."""
    return frame.iloc[first - 1 : last]
