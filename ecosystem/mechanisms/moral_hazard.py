"""Moral hazard: each month, each vendor on each contract chooses its effort.

Agency theory (Jensen & Meckling 1976; Eisenhardt 1989): the vendor (agent) shirks when what it
saves beats what it expects to lose. Its expected loss comes from monitoring (the chance of being
caught), the contract (penalty, performance-linked pay) and the future business it would risk,
which relational capital makes larger.
"""

from __future__ import annotations

import numpy as np

__all__ = ["DETECTION_ACCURACY", "RELATIONSHIP_STAKE", "delivered_quality", "detection_chance", "shirks"]

#: Chance that an audit of a shirking delivery reveals it.
DETECTION_ACCURACY = 0.9
#: Months of fee of future business a caught vendor puts at risk, at relational capital 0.5.
RELATIONSHIP_STAKE = 1.0


def detection_chance(monitoring_intensity: float) -> float:
    """Chance a month's shirking is detected: the SMB audits that share of deliveries.

    >>> detection_chance(0.5)
    0.45
    """
    return monitoring_intensity * DETECTION_ACCURACY


def shirks(
    fee,
    opportunism,
    shock,
    *,
    shirk_saving,
    detection,
    penalty_rate,
    performance_link,
    quality_at_risk,
    relational_capital,
):
    r"""The vendor's effort choice: ``True`` where it shirks this month.

    .. math::
        2\,o\,\sigma\,F\,\varepsilon \;>\;
        d\,F\,\big(\pi + S\,(0.5 + r)\big) + \lambda\,F\,\Delta q

    Temptation (left): the saving :math:`\sigma F` weighted by the vendor's opportunism *o* and a
    monthly log-normal shock :math:`\varepsilon`. Expected loss (right): detection chance *d*
    times the penalty :math:`\pi` and the future business at stake *S*, raised by relational
    capital *r*; plus, under performance-based pay, the pay lost with the quality drop
    :math:`\Delta q`.

    >>> kw = dict(shirk_saving=0.3, penalty_rate=0.75, performance_link=0.0,
    ...           quality_at_risk=0.25, relational_capital=0.3)
    >>> bool(shirks(1.0, 0.7, 1.0, detection=0.0, **kw)), bool(shirks(1.0, 0.7, 1.0, detection=0.9, **kw))
    (True, False)
    """
    temptation = 2.0 * opportunism * shirk_saving * fee * shock
    expected_loss = (
        detection * fee * (penalty_rate + RELATIONSHIP_STAKE * (0.5 + relational_capital))
        + performance_link * fee * quality_at_risk
    )
    return temptation > expected_loss


def delivered_quality(true_quality, friction, shirking, shirk_quality_loss, noise):
    r"""Quality delivered this month, in [0, 1].

    .. math:: q = \mathrm{clip}\big(\theta\,(1 - \phi)\,(1 - \ell\,\mathbb{1}_{shirk}) + \eta\big)

    with true quality :math:`\theta`, location friction :math:`\phi`, the shirking loss
    :math:`\ell` and noise :math:`\eta`.

    >>> float(delivered_quality(0.8, 0.0, False, 0.35, 0.0))
    0.8
    >>> float(delivered_quality(0.8, 0.0, True, 0.5, 0.0))
    0.4
    """
    return np.clip(true_quality * (1.0 - friction) * (1.0 - shirk_quality_loss * shirking) + noise, 0.0, 1.0)
