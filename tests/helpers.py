"""Helpers shared by the test modules: run small models and read their time series."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from ecosystem import EcosystemModel

#: Seeds over which the theory tests average; each scenario runs once per seed.
THEORY_SEEDS = (1, 2, 3, 4, 5)


def run_model(steps: int, seed: int, **params) -> EcosystemModel:
    """A model with ``params`` run for ``steps`` months from ``seed``."""
    model = EcosystemModel(rng=seed, **params)
    for _ in range(steps):
        model.step()
    return model


def series(steps: int, seed: int, **params) -> pd.DataFrame:
    """The model-level time series of one run."""
    return run_model(steps, seed, **params).datacollector.get_model_vars_dataframe()


def per_seed(statistic, steps: int, seeds=THEORY_SEEDS, **params) -> np.ndarray:
    """``statistic(frame)`` of one run per seed, as an array with one entry per seed."""
    return np.array([statistic(series(steps, seed, **params)) for seed in seeds])


# --- browser tests -------------------------------------------------------------------------------
# Debian's Chromium, its headless flags and a free port: one definition, the dashboard benchmark's.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from bench_dashboard import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "THEORY_SEEDS", "free_port", "per_seed", "run_model", "series"]
