"""Moral hazard: each month, each vendor on each contract chooses its effort with the shadow of the future.

Agency theory (Jensen & Meckling 1976; Eisenhardt 1989) meets relational contracting (Klein &
Leffler 1981; Baker, Gibbons & Murphy 2002; Levin 2003). Shirking saves the vendor part of its cost
of serving the contract today. What it risks:

* the **audit penalty** — the SMB audits a share of deliveries and catches a shirking month with
  chance *d*; the contract type sets the penalty;
* **performance pay** — under a bonus-malus contract the bill falls with measured quality;
* the **relationship** — a shirk the SMB sees (caught by an audit, or measured quality below the
  SLA level) is a *strike*. The SMB renews only contracts with a clean term, terminates after
  ``sla_breach_limit`` strikes in a row and does not re-hire a vendor it ended for poor
  performance; the vendor's expected loss is the rise in the chance of a strike times the
  discounted value of what a strike costs it: the renewals (if its term is still clean) and, on
  the last strike before termination, the rest of the term;
* its **reputation** — an SMB that sees a strike tells its peers, who bring the vendor new
  business through referrals; the vendor values that by its own record of referred signings.

A vendor shirks iff today's saving exceeds the sum. Patience (the monthly discount factor) sets
how much the future counts, so impatient vendors are the opportunistic ones; a vendor whose
renewal is already lost, or who cannot meet the SLA even when working (most lemons), has
little future to lose and shirks — the end-game and fly-by-night behaviour of the theory.

Time-and-materials vendors face the same calculus for billing hours they did not work
(overbilling), which only an audit can find.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

__all__ = [
    "PowerTable",
    "annuity",
    "breach_probability",
    "delivered_quality",
    "detection_chance",
    "overbills",
    "relationship_values",
    "shirks",
    "strike_stake",
]


def detection_chance(monitoring_intensity, accuracy):
    """Chance a month's shirking (or overbilling) is detected: the SMB audits that share of
    deliveries, and an audit reveals it with chance ``accuracy`` (``detection_accuracy``).

    >>> detection_chance(0.5, 0.9)
    0.45
    """
    return monitoring_intensity * accuracy


def breach_probability(quality, sla_threshold, noise):
    r"""Chance that measured quality falls below the SLA level: :math:`\Phi((q_{SLA} - q)/\sigma)`.

    >>> round(float(breach_probability(0.5, 0.5, 0.07)), 3), float(breach_probability(0.9, 0.5, 0.0))
    (0.5, 0.0)
    """
    return ndtr((sla_threshold - np.asarray(quality, dtype=float)) / max(noise, 1e-12))


def annuity(patience, months, power=None):
    r"""Present value of one unit a month for ``months`` months: :math:`\sum_{t=1}^{T} \delta^t`.

    Without discounting (:math:`\delta = 1`) it is the plain count of months.
    ``power``, if given, is :math:`\delta^T` computed already (used where :math:`\delta < 1`).

    >>> round(float(annuity(0.5, 2)), 3), float(annuity(0.9, 0)), float(annuity(1.0, 24))
    (0.75, 0.0, 24.0)
    """
    patience = np.asarray(patience, dtype=float)
    months = np.asarray(months, dtype=float)
    flat = patience >= 1.0
    safe = np.where(flat, 0.5, patience)
    power = safe**months if power is None else power
    return np.where(flat, months, safe * (1.0 - power) / (1.0 - safe))


def relationship_values(
    margin, patience, months_left, clean_chance, duration, renewal_belief, of=None, discount=None
):
    r"""What a working vendor expects from a contract: the rest of the term and the renewals.

    .. math::
        V_{rest} = m\,A(T), \qquad
        V_{renew} = \delta^{T}\,\pi\,\frac{m\,A(D)}{1 - \rho\,\delta^{D}},\qquad \pi = \rho\,c

    with the monthly margin *m*, the annuity *A* at patience :math:`\delta`, the months left *T*,
    the term *D*, the chance :math:`c` that the rest of the term stays clean and the belief
    :math:`\rho` (``renewal_belief``; the SMB may still bring the function in-house, leave
    the market or change its sourcing) that a clean contract is renewed. Also returns the value of
    a new relationship like this one, :math:`V_{new} = m\,A(D) / (1 - \rho\,\delta^D)`.

    With ``of`` (each contract's vendor), ``patience`` is given per vendor, and what depends on
    the vendor alone is computed once per vendor. ``discount``, if given, is each contract's
    :math:`\delta^{T}` computed already (see :class:`PowerTable`).

    >>> rest, renew, new = relationship_values(1.0, 0.9, 12, 1.0, 24, 0.85)
    >>> round(float(rest), 2), round(float(renew), 2), round(float(new), 2)
    (6.46, 2.13, 8.88)
    """
    term_annuity, renewal_discount = annuity(patience, duration), 1.0 - renewal_belief * patience**duration
    if of is not None:
        patience, term_annuity, renewal_discount = patience[of], term_annuity[of], renewal_discount[of]
    new = margin * term_annuity / renewal_discount
    if discount is None:
        discount = patience**months_left
    rest = margin * annuity(patience, months_left, discount)
    renew = discount * renewal_belief * clean_chance * new
    return rest, renew, new


class PowerTable:
    """``base[of] ** months`` for a base per vendor place and whole months from 0 to ``top``, read
    from a table kept between months (a gather costs less than a power): a place's row is
    computed again only when its base changed, as when an entrant took the place. Months outside
    the table are raised to directly.

    >>> table = PowerTable(top=3)
    >>> table(np.array([0.5, 0.9]), np.array([1, 0, 1]), np.array([2, 3, 0])).tolist()
    [0.81, 0.125, 1.0]
    """

    def __init__(self, top: int) -> None:
        self.top = int(top)
        self._base = np.zeros(0)
        self._table = np.zeros((0, self.top + 1))

    def __call__(self, base: np.ndarray, of: np.ndarray, months: np.ndarray) -> np.ndarray:
        width = self.top + 1
        if len(months) and not (months.min() >= 0 and months.max() <= self.top):
            return base[of] ** months
        if len(base) != len(self._base):
            self._base = np.full(len(base), np.nan)
            self._table = np.empty((len(base), width))
        changed = np.flatnonzero(base != self._base)
        if len(changed):  # the same powers as base[of] ** months: float bases to float whole exponents
            exponent = np.tile(np.arange(width, dtype=float), len(changed))
            self._table[changed] = (np.repeat(base[changed], width) ** exponent).reshape(-1, width)
            self._base[changed] = base[changed]
        return self._table.take(of * width + months)


def strike_stake(rest, renew, new, clean_term, last_strike, referral_value):
    r"""What one more strike costs the vendor.

    .. math:: S = \mathbb{1}_{clean}\,V_{renew} + \mathbb{1}_{last}\,V_{rest} + \nu\,V_{new}

    A strike on a clean term loses the renewals; the strike that reaches the termination limit
    also loses the rest of the term; and the SMB's word to its peers costs the referred business
    :math:`\nu` new relationships' worth (:math:`\nu` = the vendor's referred signings per
    relationship, weighted by how much peers listen).

    >>> float(strike_stake(6.0, 2.0, 8.0, True, False, 0.25))
    4.0
    """
    return clean_term * renew + last_strike * rest + referral_value * new


def shirks(saving, *, detection, penalty, pay_loss, strike_rise, stake):
    r"""The vendor's effort choice: ``True`` where it shirks this month.

    .. math:: g \;>\; d\,\pi F + \Delta B + \Delta p_{strike}\,S

    Today's saving *g* against the expected audit penalty, the performance pay lost
    :math:`\Delta B`, and the rise in the chance of a strike times the stake *S* of a strike.

    >>> kw = dict(detection=0.0, penalty=0.75, pay_loss=0.0)
    >>> bool(shirks(0.2, strike_rise=0.5, stake=0.1, **kw))
    True
    >>> bool(shirks(0.2, strike_rise=0.5, stake=2.0, **kw))
    False
    """
    return saving > detection * penalty + pay_loss + strike_rise * stake


def overbills(gain, *, detection, penalty, stake):
    r"""Whether a time-and-materials vendor bills hours it did not work this month.

    .. math:: g_{ob} \;>\; d\,\big(g_{ob} + \pi F + S\big)

    An audit finds the extra hours with chance *d*: the vendor refunds them, pays the penalty and
    takes a strike (stake *S*). Without audits, nothing stops it.

    >>> bool(overbills(0.15, detection=0.0, penalty=0.25, stake=5.0))
    True
    >>> bool(overbills(0.15, detection=0.27, penalty=0.25, stake=5.0))
    False
    """
    return gain > detection * (gain + penalty + stake)


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
    return np.minimum(
        np.maximum(true_quality * (1.0 - friction) * (1.0 - shirk_quality_loss * shirking) + noise, 0.0), 1.0
    )
