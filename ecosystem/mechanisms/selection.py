"""Vendor search and selection under adverse selection (agency theory, network theory).

An SMB sourcing a function draws a bounded shortlist: a sample of the market plus the vendors its
asked peers rate best for that function (referrals). It screens the candidates it has not
screened before (the cost grows with due diligence) and forms a belief about each from the
screening signal, its own history with the vendor and what the asked peers report, good or bad
(:mod:`ecosystem.mechanisms.beliefs`). Vendors it ended for poor performance less than
``blacklist_months`` ago are out. It ranks the rest by expected value: the revenue its expected
delivered quality brings, minus the fee and the governance costs that relational capital with the
vendor lowers (Dyer & Singh 1998), and signs with the best that have capacity and accept.
"""

from __future__ import annotations

import numpy as np

__all__ = ["draw_shortlist", "quality_signal", "rank_candidates"]


def quality_signal(true_quality, is_lemon, noise, *, lemon_overstatement, due_diligence, signal_noise):
    r"""The screening signal of a vendor's quality.

    .. math:: s = \theta + (1 - d)\,(o\,\mathbb{1}_{lemon} + \sigma z), \quad z \sim N(0, 1)

    At full due diligence *d* = 1 the SMB sees the true quality :math:`\theta`; without it, a
    lemon's overstatement *o* and noise of size :math:`\sigma` pass through unfiltered.

    >>> float(quality_signal(0.4, True, 0.0, lemon_overstatement=0.3, due_diligence=0.0, signal_noise=0.2))
    0.7
    >>> float(quality_signal(0.4, True, 1.0, lemon_overstatement=0.3, due_diligence=1.0, signal_noise=0.2))
    0.4
    """
    return true_quality + (1.0 - due_diligence) * (lemon_overstatement * is_lemon + signal_noise * noise)


def draw_shortlist(functions, referred, offering, shortlist_size, rng) -> np.ndarray:
    """Referred vendors, then a market sample, for each row (-1 = empty slot).

    Parameters
    ----------
    functions : (rows,) the function being sourced.
    referred : (rows, r) vendors the asked peers recommend for it (-1 if none).
    offering : list of arrays, per function, of the vendor places that offer it.

    >>> rng = np.random.default_rng(0)
    >>> short = draw_shortlist(np.array([0]), np.array([[7]]), [np.array([1, 2])], 3, rng)
    >>> short.shape, int(short[0, 0]), set(short[0, 1:].tolist()) <= {1, 2}
    ((1, 4), 7, True)
    """
    rows = len(functions)
    market = np.full((rows, shortlist_size), -1, dtype=np.int64)
    by_function = np.argsort(functions, kind="stable")  # the rows of each function, in row order
    counts = np.bincount(functions, minlength=len(offering))
    ends = np.cumsum(counts)
    for function, places in enumerate(offering):
        mine = by_function[ends[function] - counts[function] : ends[function]]
        if len(mine) and len(places):
            market[mine] = places[rng.integers(0, len(places), (len(mine), shortlist_size))]
    return np.concatenate([referred, market], axis=1)


def rank_candidates(vendors: np.ndarray, usable: np.ndarray, value: np.ndarray) -> np.ndarray:
    r"""Rank each row's usable candidates by expected value, best first.

    ``value`` is :math:`EV = V_f\,\hat q - F\,(1 + \tau(r) + m(r))`: the monthly revenue the
    expected delivered quality brings minus the fee and the governance costs at the tie's
    relational capital. Duplicates in a row count once. Returns the ranked places, ``-1`` past
    the usable ones.

    >>> rank_candidates(np.array([[3, 5, 3]]), np.ones((1, 3), bool), np.array([[0.2, 0.9, 0.2]])).tolist()
    [[5, 3, -1]]
    """
    k = vendors.shape[1]
    earlier = np.tri(k, k, -1, dtype=bool)  # [j, i]: candidate i comes before candidate j
    duplicate = ((vendors[:, :, None] == vendors[:, None, :]) & earlier).any(axis=2)
    valid = usable & ~duplicate & (vendors >= 0)
    order = np.argsort(-np.where(valid, value, -np.inf), axis=1, kind="stable")
    return np.take_along_axis(np.where(valid, vendors, -1), order, axis=1)
