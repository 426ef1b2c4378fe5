"""Helpers shared by the test modules: run small models and read their time series."""

from __future__ import annotations

import socket
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
#: Debian's Chromium, never a downloaded browser; ``.ci/run`` installs it.
CHROMIUM = Path("/usr/bin/chromium")
#: Flags for a headless Chromium on a machine with a closed network (../shared/PITFALLS.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
