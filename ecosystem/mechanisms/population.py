"""Heterogeneous populations: turning a parameter's population mix into one choice per agent.

A mixable parameter (see :mod:`ecosystem.parameters`) is either one choice for everyone or a mix of
choices with shares. The mix is realised in *exact* proportions (largest-remainder rounding), and
the agents that get each choice are drawn at random, so that a mix of 50/50 over 100 SMBs gives
exactly 50 of each in every replication: between-run variation then comes from the dynamics, not
from the luck of the draw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["allocate_mix", "mix_counts"]


def mix_counts(n: int, value: str | Mapping[str, float], choices: Sequence[str]) -> np.ndarray:
    """How many of ``n`` agents take each choice: exact shares, remainders to the largest fractions.

    Ties in the fractional parts go to the choice listed first.

    >>> mix_counts(10, {"a": 0.25, "b": 0.75}, ("a", "b")).tolist()
    [3, 7]
    >>> mix_counts(4, "b", ("a", "b", "c")).tolist()
    [0, 4, 0]
    """
    shares = np.zeros(len(choices))
    if isinstance(value, str):
        shares[list(choices).index(value)] = 1.0
    else:
        for key, share in value.items():
            shares[list(choices).index(key)] = share
    exact = shares * n
    counts = np.floor(exact).astype(np.int64)
    left = n - int(counts.sum())
    order = np.lexsort((np.arange(len(choices)), -(exact - counts)))
    counts[order[:left]] += 1
    return counts


def allocate_mix(
    rng: np.random.Generator, n: int, value: str | Mapping[str, float], choices: Sequence[str]
) -> np.ndarray:
    """One choice (an index into ``choices``) per agent, in the exact proportions of the mix.

    >>> codes = allocate_mix(np.random.default_rng(1), 8, {"x": 0.5, "y": 0.5}, ("x", "y"))
    >>> sorted(codes.tolist())
    [0, 0, 0, 0, 1, 1, 1, 1]
    """
    codes = np.repeat(np.arange(len(choices)), mix_counts(n, value, choices))
    return codes[rng.permutation(n)] if len(choices) > 1 else codes
