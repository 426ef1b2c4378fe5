"""Vendor search and selection under adverse selection (agency theory, network theory).

An SMB sourcing a function draws a bounded shortlist: a sample of the market plus the vendors
its peers use for that function (referrals). It sees each candidate only through a noisy
quality signal. Lemons overstate their quality; due diligence shrinks both the noise and the
overstatement, at a cost per screened candidate; a peer's own experience, weighted by
``referral_weight``, narrows the estimate further. The SMB ranks candidates by expected value:
the revenue its expected delivered quality brings minus the fee.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Shortlist", "draw_shortlist", "quality_signal", "rank_candidates"]


def quality_signal(true_quality, is_lemon, noise, *, lemon_overstatement, due_diligence, signal_noise):
    r"""The quality an SMB believes a vendor has after screening.

    .. math:: \hat\theta = \theta + (1 - d)\,(o\,\mathbb{1}_{lemon} + \sigma z), \quad z \sim N(0, 1)

    At full due diligence *d* = 1 the SMB sees the true quality :math:`\theta`; without it, a
    lemon's overstatement *o* and noise of size :math:`\sigma` pass through unfiltered.

    >>> float(quality_signal(0.4, True, 0.0, lemon_overstatement=0.3, due_diligence=0.0, signal_noise=0.2))
    0.7
    >>> float(quality_signal(0.4, True, 1.0, lemon_overstatement=0.3, due_diligence=1.0, signal_noise=0.2))
    0.4
    """
    return true_quality + (1.0 - due_diligence) * (lemon_overstatement * is_lemon + signal_noise * noise)


@dataclass
class Shortlist:
    """Candidate vendors per row (``-1`` = empty) and, for referred ones, the peer's experience."""

    vendors: np.ndarray  # (rows, slots) market places
    referred_quality: np.ndarray  # (rows, slots) peer-observed delivered quality, NaN if none


def draw_shortlist(functions, peer_vendor, peer_quality, offering, shortlist_size, rng) -> Shortlist:
    """Market sample plus referrals for each row.

    Parameters
    ----------
    functions : (rows,) the function being sourced.
    peer_vendor, peer_quality : (rows, referral_count) the vendor a random peer uses for that
        function (-1 if none) and the quality the peer observes from it.
    offering : list of arrays, per function, of the vendor places that offer it.
    """
    rows = len(functions)
    market = np.full((rows, shortlist_size), -1, dtype=np.int64)
    for function, places in enumerate(offering):
        mine = np.flatnonzero(functions == function)
        if len(mine) and len(places):
            market[mine] = places[rng.integers(0, len(places), (len(mine), shortlist_size))]
    # referrals first, so that a referred vendor also drawn from the market keeps the peer's report
    vendors = np.concatenate([peer_vendor, market], axis=1)
    referred = np.concatenate([peer_quality, np.full(market.shape, np.nan)], axis=1)
    return Shortlist(vendors, referred)


def rank_candidates(
    shortlist: Shortlist,
    usable: np.ndarray,
    expected_quality: np.ndarray,
    value_of_quality: np.ndarray,
    price: np.ndarray,
):
    r"""Rank each row's usable candidates by expected value, best first.

    .. math:: EV = V_f\,\hat q - p

    with :math:`V_f` the monthly revenue one unit of quality in the function brings and *p* the
    fee. Duplicates in a row count once. Returns the ranked places (``-1`` past the usable ones)
    and, in the same order, the expected delivered quality.

    >>> sl = Shortlist(np.array([[3, 5, 3]]), np.full((1, 3), np.nan))
    >>> ranked, q = rank_candidates(sl, np.ones((1, 3), bool), np.array([[0.5, 0.9, 0.5]]),
    ...                             np.array([1.0]), np.array([[0.2, 0.2, 0.2]]))
    >>> ranked.tolist(), q.tolist()
    ([[5, 3, -1]], [[0.9, 0.5, 0.0]])
    """
    vendors = shortlist.vendors
    duplicate = np.zeros(vendors.shape, dtype=bool)
    for j in range(1, vendors.shape[1]):
        duplicate[:, j] = (vendors[:, j : j + 1] == vendors[:, :j]).any(axis=1)
    valid = usable & ~duplicate & (vendors >= 0)
    value = np.where(valid, value_of_quality[:, None] * expected_quality - price, -np.inf)
    order = np.argsort(-value, axis=1, kind="stable")
    ranked = np.take_along_axis(np.where(valid, vendors, -1), order, axis=1)
    quality = np.take_along_axis(np.where(valid, expected_quality, 0.0), order, axis=1)
    return ranked, quality
