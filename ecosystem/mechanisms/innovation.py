"""Collaborative innovation: relationships that yield innovations, and in-house innovation.

The essay's double edge: outsourcing brings in vendor expertise and trusted partners to
innovate with, but it erodes the in-house capability that an SMB needs to absorb what a partner
knows (Cohen & Levinthal 1990, absorptive capacity).
"""

from __future__ import annotations

__all__ = ["collaborative_innovation_odds", "inhouse_innovation_odds"]


def collaborative_innovation_odds(
    innovation_rate, relational_capital, vendor_expertise, absorptive_capacity, share
):
    r"""Monthly chance that a relationship yields an innovation.

    .. math:: P = \rho \, r \, \theta \, a \, s

    with the base rate :math:`\rho`, relational capital *r*, vendor expertise (true quality)
    :math:`\theta`, the SMB's absorptive capacity *a* (its remaining capability in the function)
    and the contract's share *s* of the function.

    >>> round(collaborative_innovation_odds(0.1, 0.5, 0.8, 0.5, 1.0), 6)
    0.02
    """
    return innovation_rate * relational_capital * vendor_expertise * absorptive_capacity * share


def inhouse_innovation_odds(innovation_rate, capability, factor):
    """Monthly chance that a function kept in-house yields an innovation on its own.

    ``factor`` (the advanced parameter ``inhouse_innovation_factor``) is the in-house odds
    relative to a perfect partnership.

    >>> round(inhouse_innovation_odds(0.1, 0.8, 0.25), 6)
    0.02
    """
    return innovation_rate * factor * capability
