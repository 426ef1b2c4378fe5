"""Hold-up and the fundamental transformation (transaction cost economics).

Before a contract, many vendors compete for it; once the SMB has moved a function out and made
investments specific to the relationship, the bidding is bilateral (Williamson 1985, ch. 2, "the
fundamental transformation"). At renewal the incumbent can raise the fee up to what it would cost
the SMB to walk away: the one-off transition to another vendor or back in-house, plus either the
relational capital it leaves behind (another vendor) or the quality it loses with its decayed
capability (in-house), whichever is cheaper. How much of that quasi-rent the vendor can take rises
with the function's asset specificity (Klein, Crawford & Alchian 1978). Renegotiating costs the
SMB haggling time (the vendor's side is not modelled), which grows where assets are specific *and*
the future is uncertain
(incomplete contracts need more rewriting; Williamson 1985, ch. 3).

The make-or-buy rule of transaction cost economics (:mod:`ecosystem.mechanisms.decision_rules`)
anticipates both, so the buy decision compares discounted costs with one-off switching costs,
expected hold-up and haggling included.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "haggling_cost",
    "holdup_raise",
    "renewal_discounts",
    "switching_cost",
    "transition_cost",
]


def transition_cost(switching_cost, inhouse_cost, specificity, share, base):
    r"""One-off cost of moving (a share of) a function to a vendor or back in-house.

    .. math:: T = \varsigma\, c_{in}\, (0.5 + s)\, x

    Specific assets (knowledge, interfaces, data) cost more to move. The base 0.5 of the
    specificity factor is ``base`` (the advanced parameter ``transition_base``).

    >>> float(transition_cost(1.0, 2.0, 0.5, 0.5, 0.5))
    1.0
    """
    return switching_cost * inhouse_cost * (base + specificity) * share


def switching_cost(transition, relational_capital_value, capability_gap_value):
    r"""What walking away from the incumbent costs the SMB: its best way out.

    .. math:: S = T + \min(L_r,\; G)

    with the transition cost *T*, the relational capital left behind with the incumbent
    :math:`L_r` (if it moves to another vendor) and the value of the quality lost while its
    decayed capability regrows *G* (if it brings the function back in-house).

    >>> float(switching_cost(1.0, 0.5, 2.0)), float(switching_cost(1.0, 0.5, 0.1))
    (1.5, 1.1)
    """
    return transition + np.minimum(relational_capital_value, capability_gap_value)


def holdup_raise(specificity, switching, holdup_share, duration):
    r"""Held-up part of the monthly fee the incumbent asks at renewal, above the market fee.

    .. math:: F^h = h\, s\, S / D

    Over the new term of *D* months the vendor takes the share :math:`h\,s` of the SMB's
    switching cost *S*: nothing where assets are generic, up to ``holdup_share`` of it where they
    are fully specific. Each renewal renegotiates this part (it replaces the one of the last term,
    it is not added to it), so over a term the SMB never pays more than its switching cost above
    the market fee and renewing stays its best reply.

    >>> round(float(holdup_raise(0.5, 2.4, 0.5, 24)), 6)
    0.025
    """
    return holdup_share * specificity * switching / duration


def haggling_cost(rate, specificity, uncertainty, fee):
    r"""One-off cost to the SMB of renegotiating at renewal: :math:`H = \kappa_h\, s\, u\, F`.

    >>> round(float(haggling_cost(0.2, 0.5, 0.5, 1.0)), 3)
    0.05
    """
    return rate * specificity * uncertainty * fee


def renewal_discounts(horizon: int, duration: int, discount: float) -> tuple[float, float]:
    r"""Discounted weights of hold-up and haggling over a planning horizon of a new contract.

    Returns :math:`\sum_{t=1}^{H} \delta^t\,\mathbb{1}[n(t) \ge 1]` (a held-up part of one unit
    a month from the first renewal on: *n(t)* renewals have happened by month *t*, and each renewal
    renegotiates the held-up part rather than adding to it) and :math:`\sum_{k \ge 1,\,kD < H}
    \delta^{kD}` (one haggling round at each renewal).

    >>> raises, rounds = renewal_discounts(48, 24, 1.0)
    >>> raises, rounds
    (24.0, 1.0)
    """
    months = np.arange(1, horizon + 1)
    held_up = (months - 1) // duration >= 1
    weight = discount**months
    renewal_months = np.arange(duration, horizon, duration)
    return float((weight * held_up).sum()), float((discount**renewal_months).sum())
