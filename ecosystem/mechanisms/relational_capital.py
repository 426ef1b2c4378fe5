"""Relational capital (network theory): trust on each SMB-vendor tie.

Trust is built slowly by good deliveries and lost fast on failures (``trust_gain`` <
``trust_loss`` by default), and decays on ties with no active contract. It lowers monitoring and
transaction costs (so it enters both the make-or-buy decision and the ranking of candidate
vendors), is part of what an SMB loses by switching (and so of what a vendor can hold up), and
raises the odds of joint innovation (Dyer & Singh 1998; Uzzi 1997). Trust lives on the SMB-vendor
pairs of :class:`ecosystem.mechanisms.relationships.PairBook`.
"""

from __future__ import annotations

from .beliefs import decay_factors

__all__ = ["governance_relief", "update_trust"]


def update_trust(trust, good_deliveries, failures, trust_gain, trust_loss):
    r"""Trust after a month with ``good_deliveries`` and ``failures`` on each tie.

    .. math:: r' = \big(1 - (1 - r)(1 - g)^{n_{good}}\big)\,(1 - l)^{n_{fail}}

    Each good delivery closes a share *g* of the gap to full trust; each failure removes a share
    *l* of what there is. The closed form keeps trust in [0, 1] for any counts (whole numbers:
    the powers are read from a table, see :func:`~ecosystem.mechanisms.beliefs.decay_factors`).

    >>> float(update_trust(0.5, 1, 0, 0.1, 0.3)), float(update_trust(0.5, 0, 1, 0.1, 0.3))
    (0.55, 0.35)
    """
    built = 1.0 - (1.0 - trust) * decay_factors(1.0 - trust_gain, good_deliveries)
    return built * decay_factors(1.0 - trust_loss, failures)


def governance_relief(relational_capital, trust_relief):
    """Factor on transaction and monitoring costs: trusted partners need fewer safeguards.

    ``trust_relief`` (the advanced parameter of that name) is the largest share of governance
    (transaction and monitoring) costs that full trust saves.

    >>> governance_relief(0.0, 0.5), governance_relief(1.0, 0.5)
    (1.0, 0.5)
    """
    return 1.0 - trust_relief * relational_capital
