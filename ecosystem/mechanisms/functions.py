"""Business functions: the six support functions every SMB may make or buy.

The core activity is never outsourced, so it is not among them. Each SMB draws, per function,
its in-house capability and cost and the function's TCE attributes around the model-level means,
so that SMBs differ and the decision rules meet a spread of cases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BUSINESS_FUNCTIONS", "FunctionProfiles", "beta_around", "draw_function_profiles"]

BUSINESS_FUNCTIONS: tuple[str, ...] = (
    "it",
    "accounting",
    "hr",
    "marketing",
    "customer_service",
    "logistics",
)


def beta_around(rng: np.random.Generator, mean: float, size, concentration: float):
    """Draw values in [0, 1] scattered around ``mean`` (a Beta draw with that mean and
    ``concentration``, the "a + b" of the Beta distribution).

    A mean of exactly 0 or 1 gives that value everywhere.

    >>> rng = np.random.default_rng(1)
    >>> x = beta_around(rng, 0.3, 10_000, 8.0)
    >>> bool(abs(x.mean() - 0.3) < 0.01), bool(x.min() >= 0), bool(x.max() <= 1)
    (True, True, True)
    """
    if mean <= 0.0 or mean >= 1.0:
        return np.full(size, float(np.clip(mean, 0.0, 1.0)))
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, size)


@dataclass
class FunctionProfiles:
    """Per SMB and function (arrays of shape ``(n_smbs, 6)``)."""

    capability: np.ndarray
    inhouse_cost: np.ndarray
    importance: np.ndarray
    specificity: np.ndarray
    uncertainty: np.ndarray
    frequency: np.ndarray


def _specificity(rng: np.random.Generator, params: dict, shape: tuple[int, int]) -> np.ndarray:
    """Asset specificity around each function's mean: ``asset_specificity`` times the function's
    factor ``specificity_<function>`` (capped at 1), concentrated by ``function_concentration``."""
    concentration = params["function_concentration"]
    factors = np.array([params.get(f"specificity_{f}", 1.0) for f in BUSINESS_FUNCTIONS])
    if (factors == 1.0).all():  # one mean for all functions: a single draw
        return beta_around(rng, params["asset_specificity"], shape, concentration)
    means = np.minimum(params["asset_specificity"] * factors, 1.0)
    if ((means <= 0.0) | (means >= 1.0)).any():  # degenerate means: each function on its own
        columns = [beta_around(rng, m, shape[0], concentration) for m in means]
        return np.stack(columns, axis=1)
    return rng.beta(means * concentration, (1.0 - means) * concentration, shape)


def draw_function_profiles(rng: np.random.Generator, n_smbs: int, params: dict) -> FunctionProfiles:
    """Draw every SMB's function profiles around the model-level means in ``params``: Beta draws
    of concentration ``function_concentration``, in-house costs log-normal with sigma
    ``inhouse_cost_spread`` around ``inhouse_cost``."""
    shape = (n_smbs, len(BUSINESS_FUNCTIONS))
    concentration = params["function_concentration"]
    return FunctionProfiles(
        capability=beta_around(rng, params["initial_capability"], shape, concentration),
        inhouse_cost=params["inhouse_cost"] * rng.lognormal(0.0, params["inhouse_cost_spread"], shape),
        importance=beta_around(rng, params["strategic_importance"], shape, concentration),
        specificity=_specificity(rng, params, shape),
        uncertainty=beta_around(rng, params["uncertainty"], shape, concentration),
        frequency=beta_around(rng, params["transaction_frequency"], shape, concentration),
    )
