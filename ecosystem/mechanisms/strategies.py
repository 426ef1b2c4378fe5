"""Strategies that compete and adapt: imitation by pairwise comparison, and reinforcement learning.

An SMB's *strategy* is the vector of its governance levers (:data:`ecosystem.parameters.
STRATEGY_FIELDS`: decision rule, due diligence, monitoring intensity, contract type, sourcing
policy, referral weight). The population starts from the mixes of the parameters; with
``adaptation`` on, each SMB reconsiders its strategy at its reviews, from its *recent profit*
(its monthly profit, smoothed over a review interval) and what it senses of its peers':

* **imitation** (pairwise comparison, Szabó & Tőke 1998; Traulsen, Nowak & Pacheco 2006): the SMB
  compares its recent profit with that of one random peer on the network and copies the peer's
  whole strategy with the Fermi probability :func:`fermi_probability`; with a small chance it
  mutates to a random strategy of the strategy space instead (exploration);
* **reinforcement** (experience-weighted attraction, Camerer & Ho 1999): the SMB keeps an
  attraction for every strategy of the space, updated by :func:`ewa_update` with its own profit
  and, weighted by delta, the profits its peers earn with the strategies it does not use; it then
  chooses a strategy by the logit rule :func:`logit_choice`.

Klos & Nooteboom (2001) adapt trust weights by realised profit in the same spirit. Exits and
entries are the selection force on top (organisational ecology): the strategies of firms that run
out of cash leave the population, and entrants bring the initial mix or copy the present one.

The *strategy space* (:class:`StrategySpace`) is the product of the levels each lever takes in
the initial mix: a scalar lever has one level, a mix has its values. Mutation and reinforcement
move within it, so a lever the user fixed for everyone stays fixed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["StrategySpace", "ewa_update", "fermi_probability", "logit_choice", "smooth_profit"]


def fermi_probability(own_profit, peer_profit, strength):
    r"""Chance of copying a peer's strategy: the Fermi function of the profit gap.

    .. math:: P(i \leftarrow j) = \frac{1}{1 + e^{-\beta\,(\pi_j - \pi_i)}}

    with selection strength :math:`\beta`. A much better peer is copied almost surely, an equal
    one with chance 1/2, a much worse one almost never (imitation with errors, Traulsen et al.
    2006); :math:`\beta = 0` is neutral drift.

    >>> float(fermi_probability(1.0, 1.5, 2.0))  # 1 / (1 + e^-1)
    0.7310585786300049
    >>> float(fermi_probability(1.0, 1.0, 2.0)), float(fermi_probability(0.0, -1e6, 2.0))
    (0.5, 0.0)
    """
    gap = np.asarray(peer_profit, dtype=float) - np.asarray(own_profit, dtype=float)
    return 0.5 * (1.0 + np.tanh(0.5 * strength * gap))  # the logistic function, without overflow


def smooth_profit(recent, profit, interval):
    r"""Recent profit: an exponential average over about one review interval *T*.

    .. math:: \bar\pi_t = \bar\pi_{t-1} + (\pi_t - \bar\pi_{t-1}) / T

    starting from the first month's profit (NaN marks an SMB without a month yet).

    >>> smooth_profit(np.array([np.nan, 1.0]), np.array([2.0, 2.0]), 4).tolist()
    [2.0, 1.25]
    """
    return np.where(np.isnan(recent), profit, recent + (profit - recent) / interval)


def ewa_update(attraction, experience, payoff, observed, chosen, *, phi, delta, rho):
    r"""Experience-weighted attraction (Camerer & Ho 1999), one update per learner.

    .. math::
        N_t = \rho\,N_{t-1} + 1

        A^j_t = \frac{\phi\,N_{t-1}\,A^j_{t-1} + [\delta + (1 - \delta)\,\mathbb{1}(j = s_t)]\,
                \pi^j_t}{N_t}

    :math:`\pi^j_t` is the payoff strategy *j* earned: the learner's own recent profit for the
    strategy it used, its peers' mean recent profit for the others (forgone payoffs it senses on
    the network). A strategy no peer used this time (``observed`` false) keeps its attraction:
    there is nothing to learn about it. ``delta`` = 0 is pure reinforcement, 1 belief learning.

    Parameters
    ----------
    attraction : (learners, strategies) attractions before the update.
    experience : (learners,) experience weights N.
    payoff : (learners, strategies) payoffs; read where ``observed``.
    observed : (learners, strategies) whether a payoff was seen (always for the chosen strategy).
    chosen : (learners,) index of the strategy each learner used.

    Examples
    --------
    Hand-computed: N = 0.9 * 1 + 1 = 1.9; A_used = (0.9 * 1 * 1 + 2) / 1.9, A_seen = (0.9 * 1 * 0
    + 0.5 * 3) / 1.9; the unseen strategy keeps its attraction 4.

    >>> a, n = ewa_update(np.array([[1.0, 0.0, 4.0]]), np.array([1.0]), np.array([[2.0, 3.0, 0.0]]),
    ...                   np.array([[True, True, False]]), np.array([0]), phi=0.9, delta=0.5, rho=0.9)
    >>> np.round(a, 6).tolist(), n.tolist()
    ([[1.526316, 0.789474, 4.0]], [1.9])
    """
    attraction = np.asarray(attraction, dtype=float)
    learners = np.arange(len(attraction))
    weight = np.where(observed, delta, 0.0)
    weight[learners, chosen] = 1.0
    new_experience = rho * experience + 1.0
    updated = (phi * experience[:, None] * attraction + weight * np.where(observed, payoff, 0.0)) / (
        new_experience[:, None]
    )
    seen = observed.copy()
    seen[learners, chosen] = True
    return np.where(seen, updated, attraction), new_experience


def logit_choice(attraction, sensitivity, uniform):
    r"""Choose a strategy by the logit rule, given one uniform draw per learner.

    .. math:: P^j = \frac{e^{\lambda A^j}}{\sum_k e^{\lambda A^k}}

    >>> logit_choice(np.array([[0.0, 0.0], [0.0, 5.0]]), 2.0, np.array([0.6, 0.5])).tolist()
    [1, 1]
    """
    scaled = sensitivity * np.asarray(attraction, dtype=float)
    weights = np.exp(scaled - scaled.max(axis=1, keepdims=True))
    cumulative = np.cumsum(weights, axis=1)
    threshold = np.asarray(uniform)[:, None] * cumulative[:, -1:]
    return np.minimum((cumulative <= threshold).sum(axis=1), attraction.shape[1] - 1)


class StrategySpace:
    """The strategies SMBs can move between: the product of each lever's levels in the initial mix.

    ``levels`` maps each strategy field to the numeric values its lever array holds in the model
    (rule and contract-type codes, vendor slots, or numbers), sorted. A strategy's index is the
    mixed-radix number of its levels' positions.

    >>> space = StrategySpace({"decision_rule": (0, 2), "sourcing_policy": (1,), "due_diligence": (0.1, 0.6)})
    >>> space.size, space.index({"decision_rule": np.array([2]), "sourcing_policy": np.array([1]),
    ...                          "due_diligence": np.array([0.1])}).tolist()
    (4, [2])
    >>> {k: v.tolist() for k, v in space.values(np.array([3])).items()}
    {'decision_rule': [2], 'sourcing_policy': [1], 'due_diligence': [0.6]}
    """

    def __init__(self, levels: Mapping[str, Sequence[Any]]) -> None:
        self.levels = {field: np.array(sorted(values)) for field, values in levels.items()}
        self.shape = tuple(len(v) for v in self.levels.values())
        self.size = int(np.prod(self.shape))

    def index(self, levers: Mapping[str, np.ndarray]) -> np.ndarray:
        """Each SMB's strategy index, or -1 where a lever is outside the space (a focal firm's)."""
        positions, inside = [], None
        for field, values in self.levels.items():
            lever = np.asarray(levers[field])
            where = np.minimum(np.searchsorted(values, lever), len(values) - 1)
            ok = values[where] == lever
            inside = ok if inside is None else inside & ok
            positions.append(where)
        flat = np.ravel_multi_index(positions, self.shape)
        return np.where(inside, flat, -1)

    def values(self, index: np.ndarray) -> dict[str, np.ndarray]:
        """The lever values of strategies given by index."""
        positions = np.unravel_index(np.asarray(index), self.shape)
        return {
            field: values[pos] for (field, values), pos in zip(self.levels.items(), positions, strict=True)
        }
