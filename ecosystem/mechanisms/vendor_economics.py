"""Vendor economics: profit, pricing, capacity, exit after sustained losses, entry where it pays.

Vendors earn their bills and pay a variable cost on each contract they serve (less when they
shirk) and a fixed cost on their capacity. Their markup responds to load and reputation, as in
the customer-market pricing of evolutionary industry models (Phelps & Winter 1970; Dosi et al.
2010): busy vendors and well-reputed ones raise prices, idle and ill-reputed ones cut them.
Capacity follows demand quarterly. A vendor whose cash stays negative for ``vendor_exit_patience``
months leaves; a potential entrant takes an empty place only if it expects a profit at the
market's current utilisation (free entry, Jovanovic 1982).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "CAPACITY_STEP",
    "MARKUP_MAX",
    "MARKUP_MIN",
    "MARKUP_STEP",
    "NEWCOMER_SHARE",
    "REPUTATION_PREMIUM",
    "SMOOTHING",
    "TARGET_UTILISATION",
    "adjust_capacity",
    "adjust_markup",
    "entry_profit",
    "smooth",
]

#: Utilisation at which a vendor's markup holds steady.
TARGET_UTILISATION = 0.8
#: Monthly markup change per unit of utilisation gap.
MARKUP_STEP = 0.02
#: Weight of reputation (the smoothed quality its clients measure, against the market's mean) in the
#: markup's adjustment, relative to utilisation.
REPUTATION_PREMIUM = 1.0
#: Bounds of the markup over the pricing base.
MARKUP_MIN, MARKUP_MAX = 0.1, 1.5
#: Share of capacity added (when full and profitable) or cut (when idle) at a quarterly review.
CAPACITY_STEP = 0.1
#: Smoothed utilisation above which a profitable vendor grows its capacity at a review.
GROW_UTILISATION = 0.9
#: Smoothed utilisation below which a vendor cuts its capacity at a review.
SHRINK_UTILISATION = 0.6
#: Weight of the newest month in the smoothed utilisation and profit.
SMOOTHING = 0.2
#: Share of the market's utilisation an entrant expects for itself: a newcomer without clients or
#: reputation wins business more slowly than the incumbents (the liability of newness).
NEWCOMER_SHARE = 0.6


def smooth(trend, newest, weight=SMOOTHING):
    """Exponential smoothing: ``(1 - weight) * trend + weight * newest``.

    >>> float(smooth(1.0, 0.0, 0.25))
    0.75
    """
    return (1.0 - weight) * trend + weight * newest


def adjust_markup(markup, utilisation, reputation_gap):
    r"""Next month's markup: up with load and reputation, down with idleness and bad reports.

    .. math:: \mu' = \mathrm{clip}\big(\mu + \eta\,[(u - u^*) + \rho\,\Delta_{rep}],\;
              \mu_{min}, \mu_{max}\big)

    with utilisation *u*, the target :math:`u^*` (``TARGET_UTILISATION``), the step :math:`\eta`
    (``MARKUP_STEP``) and the vendor's reputation gap :math:`\Delta_{rep}` (the smoothed quality
    its clients measure, minus the market's mean), weighted by :math:`\rho` (``REPUTATION_PREMIUM``).

    >>> adjust_markup(np.array([0.3, 0.3]), np.array([1.0, 0.3]), np.array([0.0, 0.0])).round(3).tolist()
    [0.304, 0.29]
    """
    change = MARKUP_STEP * ((utilisation - TARGET_UTILISATION) + REPUTATION_PREMIUM * reputation_gap)
    return np.clip(markup + change, MARKUP_MIN, MARKUP_MAX)


def adjust_capacity(capacity, load, utilisation, profit_trend):
    r"""Capacity after a quarterly review.

    Capacity is counted in whole functions. A vendor that is nearly full (smoothed utilisation
    above 0.9) and profitable adds a share ``CAPACITY_STEP`` (at least one); one that is mostly
    idle (below 0.6) cuts that share, but never below its current load or one function.

    >>> adjust_capacity(np.array([20, 20, 20]), np.array([19, 10, 5]), np.array([0.95, 0.7, 0.3]),
    ...                 np.array([1.0, 1.0, -1.0])).tolist()
    [22, 20, 18]
    """
    step = np.maximum(1, np.floor(CAPACITY_STEP * capacity)).astype(capacity.dtype)
    grow = (utilisation > GROW_UTILISATION) & (profit_trend > 0)
    shrink = utilisation < SHRINK_UTILISATION
    new = np.where(grow, capacity + step, np.where(shrink, capacity - step, capacity))
    return np.maximum(new, np.maximum(np.ceil(load - 1e-9), 1)).astype(capacity.dtype)


def entry_profit(capacity, unit_cost, price, fixed_cost, market_utilisation):
    r"""Monthly profit a potential entrant expects at the market's utilisation.

    .. math:: E[\pi] = K\,\nu\,U\,(p - c) - F

    with capacity *K* (in whole functions), the market's utilisation *U* (unmet demand included),
    the newcomer's share :math:`\nu` of it (``NEWCOMER_SHARE``), list price *p*, variable cost *c*
    and fixed cost *F*.

    >>> round(float(entry_profit(20, 0.6, 0.8, 1.2, 1.0)), 6)
    1.2
    """
    return capacity * NEWCOMER_SHARE * market_utilisation * (price - unit_cost) - fixed_cost
