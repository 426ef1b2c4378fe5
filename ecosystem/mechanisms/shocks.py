"""Shocks and dependency: vendor failures, data breaches and IP leakage.

Dependence on one vendor is the essay's named risk: when a vendor goes under, its clients lose
that function's output until they re-source (``resourcing_delay``); splitting a function over
several vendors limits the share lost, and the remaining vendors cover part of it meanwhile.
Weak security exposes the SMB's data and know-how.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "SOURCING_SLOTS",
    "SURGE_CAPACITY",
    "breach_chance",
    "breach_damage",
    "covered_share",
    "failure_hazard",
    "ip_leak_chance",
]

#: Share of its own volume a vendor on a dual- or multi-sourced function can add at short notice
#: to cover for a missing co-supplier (volume flexibility bought with the diversification premium).
SURGE_CAPACITY = 0.5
#: Scale of the random failure hazard: at the mean stability (1/2) the hazard equals ``vendor_failure_rate``.
HAZARD_SCALE = 2.0
#: Scale of breach damage: at asset specificity 1/2 a breach of a whole function costs ``breach_cost``.
BREACH_SCALE = 2.0
#: The sourcing policies and the number of vendors each puts on an outsourced function.
SOURCING_SLOTS = {"single": 1, "dual": 2, "multi": 3}


def failure_hazard(vendor_failure_rate, stability, distressed=False):
    r"""Monthly failure hazard of a vendor.

    .. math:: h = \min\big(1,\; 2\,h_0\,(1 - \text{stability})\,(1 + \mathbb{1}_{distress})\big)

    Financial stability is Beta(5, 5) distributed (mean 0.5), so the average solvent vendor fails
    at the base rate and weak finances fail first; a vendor with negative cash (distressed) fails
    twice as often.

    >>> float(failure_hazard(0.01, 0.5)), float(failure_hazard(0.01, 0.5, True))
    (0.01, 0.02)
    >>> bool(failure_hazard(0.01, 0.9) < failure_hazard(0.01, 0.1))
    True
    """
    hazard = HAZARD_SCALE * vendor_failure_rate * (1.0 - stability) * (1.0 + np.asarray(distressed))
    return np.minimum(1.0, hazard)


def covered_share(delivered_share, surge_capacity=SURGE_CAPACITY):
    r"""Share of a function's output delivered once the vendors still serving it cover for missing ones.

    .. math:: s' = \min\big(1,\; s\,(1 + \kappa)\big)

    with *s* the contracted share delivered this month and :math:`\kappa` the surge capacity.
    Until the SMB re-sources, the remaining vendors of a dual- or multi-sourced function scale up
    (contingent rerouting, Tomlin 2006); a single-sourced function has no one to fall back on.
    This is why diversification lowers the expected disruption loss, not just its variance.

    >>> covered_share(np.array([0.0, 1 / 3, 0.5, 2 / 3, 1.0]))
    array([0.  , 0.5 , 0.75, 1.  , 1.  ])
    """
    return np.minimum(1.0, delivered_share * (1.0 + surge_capacity))


def breach_chance(breach_rate, security):
    """Monthly chance of a data breach on a contract: falls linearly with vendor security.

    >>> breach_chance(0.02, 0.75)
    0.005
    """
    return breach_rate * (1.0 - security)


def breach_damage(breach_cost, specificity, share):
    """Cost of one breach: more specific (sensitive) functions leak more valuable data.

    >>> breach_damage(4.0, 0.5, 1.0)
    4.0
    """
    return breach_cost * BREACH_SCALE * specificity * share


def ip_leak_chance(specificity):
    """Chance that a breach also leaks intellectual property: the function's specificity.

    >>> ip_leak_chance(0.3)
    0.3
    """
    return specificity
