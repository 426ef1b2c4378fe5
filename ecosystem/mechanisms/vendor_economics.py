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
    "adjust_capacity",
    "adjust_markup",
    "entry_profit",
    "smooth",
]


def smooth(trend, newest, weight):
    """Exponential smoothing: ``(1 - weight) * trend + weight * newest``.

    >>> float(smooth(1.0, 0.0, 0.25))
    0.75
    """
    return (1.0 - weight) * trend + weight * newest


def adjust_markup(markup, utilisation, reputation_gap, params):
    r"""Next month's markup: up with load and reputation, down with idleness and bad reports.

    .. math:: \mu' = \mathrm{clip}\big(\mu + \eta\,[(u - u^*) + \rho\,\Delta_{rep}],\;
              \mu_{min}, \mu_{max}\big)

    with utilisation *u*, the target :math:`u^*` (``target_utilisation``), the step :math:`\eta`
    (``markup_step``) and the vendor's reputation gap :math:`\Delta_{rep}` (the smoothed quality
    its clients measure, minus the market's mean), weighted by :math:`\rho` (``reputation_premium``),
    kept within ``markup_min`` and ``markup_max``: all read from ``params``.

    >>> from ecosystem.parameters import defaults
    >>> markup = adjust_markup(np.array([0.3, 0.3]), np.array([1.0, 0.3]), np.array([0.0, 0.0]), defaults())
    >>> markup.round(3).tolist()
    [0.304, 0.29]
    """
    change = params["markup_step"] * (
        (utilisation - params["target_utilisation"]) + params["reputation_premium"] * reputation_gap
    )
    return np.clip(markup + change, params["markup_min"], params["markup_max"])


def adjust_capacity(capacity, load, utilisation, profit_trend, params):
    r"""Capacity after a quarterly review.

    Capacity is counted in whole functions. A vendor that is nearly full (smoothed utilisation
    above ``grow_utilisation``, 0.9) and profitable adds a share ``capacity_step`` (at least one);
    one that is mostly idle (below ``shrink_utilisation``, 0.6) cuts that share, but never below
    its current load or one function.

    >>> from ecosystem.parameters import defaults
    >>> adjust_capacity(np.array([20, 20, 20]), np.array([19, 10, 5]), np.array([0.95, 0.7, 0.3]),
    ...                 np.array([1.0, 1.0, -1.0]), defaults()).tolist()
    [22, 20, 18]
    """
    step = np.maximum(1, np.floor(params["capacity_step"] * capacity)).astype(capacity.dtype)
    grow = (utilisation > params["grow_utilisation"]) & (profit_trend > 0)
    shrink = utilisation < params["shrink_utilisation"]
    new = np.where(grow, capacity + step, np.where(shrink, capacity - step, capacity))
    return np.maximum(new, np.maximum(np.ceil(load - 1e-9), 1)).astype(capacity.dtype)


def entry_profit(capacity, unit_cost, price, fixed_cost, market_utilisation, newcomer_share):
    r"""Monthly profit a potential entrant expects at the market's utilisation.

    .. math:: E[\pi] = K\,\nu\,U\,(p - c) - F

    with capacity *K* (in whole functions), the market's utilisation *U* (unmet demand included),
    the newcomer's share :math:`\nu` of it (``newcomer_share``: a newcomer without clients or
    reputation wins business more slowly than the incumbents, the liability of newness), list
    price *p*, variable cost *c* and fixed cost *F*.

    >>> round(float(entry_profit(20, 0.6, 0.8, 1.2, 1.0, 0.6)), 6)
    1.2
    """
    return capacity * newcomer_share * market_utilisation * (price - unit_cost) - fixed_cost
