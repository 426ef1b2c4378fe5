"""SMB beliefs about vendors: Bayesian updating of a two-type prior with precision-weighted evidence.

An SMB does not see a vendor's quality. It knows the market only as population facts: a share
``lemon_share`` of vendors are lemons, good vendors and lemons deliver around known means, and a
vendor's location (hence its communication friction) is public. Its belief about a vendor's
*delivered* quality is a mixture of two Gaussians, one per type, updated with three kinds of
evidence, each a Gaussian measurement weighted by its precision:

* the **screening signal** of due diligence (:func:`screening_evidence`), biased upwards by a
  lemon's overstatement unless screening is complete; under the lemon hypothesis the SMB
  subtracts the bias it would have;
* its **own observations**: each month's measured quality of the vendor's deliveries, kept as
  sufficient statistics (precision-weighted sum and precision) that fade by a factor a
  month (``belief_forgetting``), so that beliefs follow a vendor that changes its effort;
* **peers' reports**: the same sufficient statistics of the peers it asks, good and bad
  experience alike, scaled by ``referral_weight`` (how far it trusts second-hand experience).

The posterior (:func:`posterior`) gives the expected delivered quality, its variance and the
probability that the vendor is a lemon. This is the Bayesian learning of Bergemann & Välimäki
(2006) on a Gaussian-mixture prior (the conjugate two-type case of Akerlof's market), with word of
mouth as in Ellison & Fudenberg (1995).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import ndtr

__all__ = [
    "Belief",
    "chance_below",
    "decay_factors",
    "TypePrior",
    "faded",
    "posterior",
    "screening_evidence",
    "type_prior",
]


class Belief(NamedTuple):
    """A posterior: expected delivered quality, its variance, the chance of a lemon, and the
    mean and variance of each type's component (good first)."""

    mean: np.ndarray
    variance: np.ndarray
    lemon: np.ndarray
    type_means: tuple[np.ndarray, np.ndarray]
    type_variances: tuple[np.ndarray, np.ndarray]


class TypePrior:
    """The two-type prior on a vendor's delivered quality, given its friction (arrays) and the
    market's ``good_quality``, ``lemon_quality`` and ``quality_concentration`` (in ``market``)."""

    def __init__(self, lemon_share: float, friction, market) -> None:
        good, lemon = market["good_quality"], market["lemon_quality"]
        keep = 1.0 - np.asarray(friction, dtype=float)
        self.lemon = float(lemon_share)
        self.mean = (good * keep, lemon * keep)
        keep2 = keep * keep
        # variance of a Beta of this concentration, per q(1 - q)
        spread = 1.0 / (market["quality_concentration"] + 1)
        self.var = (
            good * (1 - good) * spread * keep2,
            lemon * (1 - lemon) * spread * keep2,
        )

    @property
    def expected(self) -> np.ndarray:
        """The prior mean of delivered quality: what a vendor of unknown type is expected to deliver."""
        return (1.0 - self.lemon) * self.mean[0] + self.lemon * self.mean[1]


def type_prior(lemon_share: float, friction, market) -> TypePrior:
    """The prior an SMB holds about a vendor it knows nothing of but its location.

    >>> from ecosystem.parameters import defaults
    >>> prior = type_prior(0.3, 0.0, defaults())
    >>> round(float(prior.expected), 3)
    0.672
    """
    return TypePrior(lemon_share, friction, market)


def screening_evidence(signal, friction, *, due_diligence, signal_noise, lemon_overstatement, min_variance):
    r"""The screening signal as evidence on delivered quality: value, precision, lemon bias.

    The signal is :math:`\theta + (1 - d)(o\,\mathbb{1}_{lemon} + \sigma z)`; on the delivered
    scale it is multiplied by :math:`1 - \phi`. Its precision is
    :math:`1 / \max(v_{min}, [(1 - d)(1 - \phi)\sigma]^2)` (:math:`v_{min}` is ``min_variance``: a
    complete screening is exact up to it) and, were the vendor a lemon, it would be
    biased upwards by :math:`(1 - d)(1 - \phi)\,o`.

    >>> value, precision, bias = screening_evidence(0.7, 0.0, due_diligence=0.5, signal_noise=0.2,
    ...                                             lemon_overstatement=0.3, min_variance=1e-4)
    >>> float(value), round(float(precision), 1), float(bias)
    (0.7, 100.0, 0.15)
    """
    keep = 1.0 - np.asarray(friction, dtype=float)
    spread = (1.0 - due_diligence) * keep * signal_noise
    precision = 1.0 / np.maximum(min_variance, spread**2)
    return signal * keep, precision, (1.0 - due_diligence) * keep * lemon_overstatement


def faded(info, precision, months, forgetting):
    """Observation statistics after ``months`` of forgetting: old observations lose the weight
    ``1 - forgetting`` a month (``belief_forgetting``, 0.97: a half-life of about 23 months).

    >>> [float(x) for x in faded(1.0, 2.0, 1, 0.97)]
    [0.97, 1.94]
    """
    factor = decay_factors(forgetting, months)
    return info * factor, precision * factor


_POWERS: dict[float, np.ndarray] = {}


def decay_factors(rate: float, months):
    """``rate ** months`` for whole months, read from a table (a gather is cheaper than a power).

    >>> decay_factors(0.5, np.array([0, 1, 3])).tolist()
    [1.0, 0.5, 0.125]
    """
    months = np.asarray(months)
    table = _POWERS.get(rate)
    if table is not None:
        try:
            return table[months]
        except IndexError:  # a longer run than the table covers
            pass
    top = int(months.max()) if months.size else 0
    table = _POWERS[rate] = rate ** np.arange(max(2 * top, 256) + 1, dtype=float)
    return table[months]


def posterior(prior: TypePrior, screening, own, reports):
    r"""Posterior mean and variance of delivered quality, and the probability of a lemon.

    Each evidence is a pair (value-weighted sum, precision) or, for screening, a triple (value,
    precision, lemon bias); a precision of 0 means no evidence. For each type
    :math:`t \in \{good, lemon\}` with prior :math:`N(m_t, v_t)` and measurements :math:`z_{i,t}`
    of precision :math:`p_i` (the screening value less the type's bias, the mean of the own and of
    the reported observations), the conjugate update gives

    .. math::
        P_t = 1/v_t + \textstyle\sum_i p_i, \qquad
        \mu_t = \big(m_t / v_t + \sum_i p_i z_{i,t}\big) / P_t,

        \log L_t = -\tfrac12 \big[\log(v_t P_t) + m_t^2/v_t + \textstyle\sum_i p_i z_{i,t}^2
                    - P_t \mu_t^2\big]

    (the marginal likelihood up to terms equal for both types). The type weights are the prior
    shares times :math:`L_t`; the posterior is the weighted mixture.

    >>> from ecosystem.parameters import defaults
    >>> prior = type_prior(0.3, np.zeros(2), defaults())
    >>> none = (np.zeros(2), np.zeros(2))
    >>> good = (np.array([0.8, 0.45]) * 400, np.full(2, 400.0))   # two months' worth each
    >>> mean, var, lemon, *_ = posterior(prior, (np.zeros(2), np.zeros(2), np.zeros(2)), good, none)
    >>> mean.round(2).tolist(), (lemon < 0.01).tolist(), (lemon > 0.9).tolist()
    ([0.8, 0.45], [True, False], [False, True])
    """
    value, precision, bias = screening
    own_info, own_precision = own
    heard_info, heard_precision = reports
    # evidence that does not depend on the type: own and reported observations
    common_precision = own_precision + heard_precision
    common_info = own_info + heard_info
    common_square = _square(own_info, own_precision) + _square(heard_info, heard_precision)
    means, variances, logs = [], [], []
    for t, share in enumerate((1.0 - prior.lemon, prior.lemon)):
        m, v = prior.mean[t], prior.var[t]
        z = value - bias if t == 1 else value
        total = 1.0 / v + precision + common_precision
        mean = (m / v + precision * z + common_info) / total
        log_like = -0.5 * (
            np.log(v * total) + m * m / v + precision * z * z + common_square - total * mean * mean
        )
        means.append(mean)
        variances.append(1.0 / total)
        logs.append(log_like + (np.log(share) if share > 0 else -np.inf))
    top = np.maximum(logs[0], logs[1])
    w_good, w_lemon = np.exp(logs[0] - top), np.exp(logs[1] - top)
    lemon = w_lemon / (w_good + w_lemon)
    mean = (1.0 - lemon) * means[0] + lemon * means[1]
    second = (1.0 - lemon) * (variances[0] + means[0] ** 2) + lemon * (variances[1] + means[1] ** 2)
    return Belief(mean, np.maximum(second - mean**2, 0.0), lemon, tuple(means), tuple(variances))


def chance_below(belief: Belief, threshold) -> np.ndarray:
    r"""Believed chance that the vendor's delivered quality is below ``threshold``.

    .. math:: P(q < q^*) = \sum_t w_t\, \Phi\big((q^* - \mu_t)/\sqrt{V_t}\big)

    For the SLA level this is the chance that the vendor cannot meet the SLA and will be lost to
    strikes: the risk an SMB weighs when it ranks candidates.

    >>> from ecosystem.parameters import defaults
    >>> prior = type_prior(0.5, np.zeros(1), defaults())
    >>> nothing = (np.zeros(1), np.zeros(1))
    >>> round(float(chance_below(posterior(prior, (np.zeros(1),) * 3, nothing, nothing), 0.5)[0]), 2)
    0.39
    """
    good = ndtr((threshold - belief.type_means[0]) / np.sqrt(belief.type_variances[0]))
    bad = ndtr((threshold - belief.type_means[1]) / np.sqrt(belief.type_variances[1]))
    return (1.0 - belief.lemon) * good + belief.lemon * bad


def _square(info, precision):
    """:math:`p z^2` of a measurement given as (precision-weighted sum, precision); 0 without one."""
    return np.divide(
        info * info, precision, out=np.zeros(np.broadcast(info, precision).shape), where=precision > 0
    )
