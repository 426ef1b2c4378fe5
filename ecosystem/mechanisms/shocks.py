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
    "breach_chance",
    "breach_damage",
    "covered_share",
    "failure_hazard",
    "ip_leak_chance",
]

#: The sourcing policies and the number of vendors each puts on an outsourced function.
SOURCING_SLOTS = {"single": 1, "dual": 2, "multi": 3}


def failure_hazard(vendor_failure_rate, stability, distressed=False, *, scale, distress_increase):
    r"""Monthly failure hazard of a vendor.

    .. math:: h = \min\big(1,\; 2\,h_0\,(1 - \text{stability})\,(1 + 1\cdot\mathbb{1}_{distress})\big)

    Financial stability is Beta(5, 5) distributed (mean 0.5), so with the ``scale`` 2
    (``hazard_scale``) the average solvent vendor fails at the base rate and weak finances fail
    first; a vendor with negative cash (distressed) fails ``1 + distress_increase`` times as
    often (``distress_hazard_increase``, 1: twice).

    >>> kw = dict(scale=2.0, distress_increase=1.0)
    >>> float(failure_hazard(0.01, 0.5, **kw)), float(failure_hazard(0.01, 0.5, True, **kw))
    (0.01, 0.02)
    >>> bool(failure_hazard(0.01, 0.9, **kw) < failure_hazard(0.01, 0.1, **kw))
    True
    """
    hazard = (
        scale * vendor_failure_rate * (1.0 - stability) * (1.0 + distress_increase * np.asarray(distressed))
    )
    return np.minimum(1.0, hazard)


def covered_share(delivered_share, surge_capacity):
    r"""Share of a function's output delivered once the vendors still serving it cover for missing ones.

    .. math:: s' = \min\big(1,\; s\,(1 + \kappa)\big)

    with *s* the contracted share delivered this month and :math:`\kappa` the surge capacity
    (``surge_capacity``: the share of its own volume a vendor can add at short notice, volume
    flexibility bought with the diversification premium).
    Until the SMB re-sources, the remaining vendors of a dual- or multi-sourced function scale up
    (contingent rerouting, Tomlin 2006); a single-sourced function has no one to fall back on.
    This is why diversification lowers the expected disruption loss, not just its variance.

    >>> covered_share(np.array([0.0, 1 / 3, 0.5, 2 / 3, 1.0]), 0.5)
    array([0.  , 0.5 , 0.75, 1.  , 1.  ])
    """
    return np.minimum(1.0, delivered_share * (1.0 + surge_capacity))


def breach_chance(breach_rate, security):
    """Monthly chance of a data breach on a contract: falls linearly with vendor security.

    >>> breach_chance(0.02, 0.75)
    0.005
    """
    return breach_rate * (1.0 - security)


def breach_damage(breach_cost, specificity, share, scale):
    """Cost of one breach: more specific (sensitive) functions leak more valuable data.

    With ``scale`` 2 (``breach_scale``), a breach of a whole function at specificity 1/2 costs
    ``breach_cost``.

    >>> breach_damage(4.0, 0.5, 1.0, 2.0)
    4.0
    """
    return breach_cost * scale * specificity * share


def ip_leak_chance(specificity):
    """Chance that a breach also leaks intellectual property: the function's specificity.

    >>> ip_leak_chance(0.3)
    0.3
    """
    return specificity
