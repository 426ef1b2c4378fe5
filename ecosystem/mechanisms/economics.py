"""SMB economics: competitive revenue from core performance and function quality, costs, selection.

SMBs sell in a common product market. What a customer gets from an SMB is its *performance*: the
core activity's performance (raised by innovation and focus, lowered by IP leakage) times how
well the six support functions are delivered, each weighted by its strategic importance. Revenue
is the SMB's performance relative to the market's mean, times the revenue of an average firm: a
firm gains by being better than its rivals, not by an improvement every rival shares (market
shares follow relative fitness, as in evolutionary models of industry, Nelson & Winter 1982; and
outsourcing a commodity function brings competitive parity, not advantage, Barney 1991). Output
lost to a failed vendor delivers zero quality for its share.

Running the core activity costs a share of an average firm's revenue, in proportion to the firm's
scale, and that share scatters across SMBs (productivity differs, Syverson 2011), so that net
margins are those of small firms, a few per cent of revenue, and bad outsourcing outcomes can sink
a firm: an SMB whose cash stays negative for ``exit_patience`` months exits (economic selection;
Jovanovic 1982).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "core_cost",
    "function_share",
    "function_sum",
    "function_weights",
    "lost_output_value",
    "monthly_revenue",
    "performance",
]


def function_weights(importance):
    """Each function's weight in revenue: its share of the SMB's total strategic importance.

    >>> function_weights(np.array([[1.0, 3.0]]))
    array([[0.25, 0.75]])
    """
    return importance / np.maximum(importance.sum(axis=1, keepdims=True), 1e-12)


def function_sum(table):
    """Sum over the functions (columns) of an SMBs x functions table.

    The same sums, added in the same order, as ``table.sum(axis=1)``, column by column: numpy's
    reduction over a row of six is several times slower than five vector additions.

    >>> function_sum(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).tolist()
    [6.0, 15.0]
    """
    if table.shape[1] < 2:
        return table.sum(axis=1)
    total = table[:, 0] + table[:, 1]
    for column in range(2, table.shape[1]):
        total += table[:, column]
    return total


def function_share(flags):
    """Share of each SMB's functions flagged in a boolean SMBs x functions table:
    ``flags.mean(axis=1)`` bit for bit (the count is exact; then divided by the number of
    functions), counted by :func:`function_sum`.

    >>> function_share(np.array([[True, False, True], [False, False, False]])).tolist()
    [0.6666666666666666, 0.0]
    """
    return function_sum(flags.view(np.int8)) / flags.shape[1]


def performance(core_performance, weights, function_quality, function_weight):
    r"""What an SMB offers its customers: :math:`\pi = P\,\big(1 - w + w \textstyle\sum_f \omega_f q_f\big)`.

    with core performance *P*, the function weight *w* (``function_weight``: the share of
    revenue that depends on the support functions), importance weights :math:`\omega_f` and
    delivered function quality :math:`q_f`.

    >>> float(performance(np.array([1.0]), np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]]), 0.5)[0])
    0.75
    """
    quality = function_sum(weights * function_quality)
    return core_performance * (1.0 - function_weight + function_weight * quality)


def monthly_revenue(base_revenue, firm_performance, market_performance):
    r"""Monthly revenue: :math:`R = R_0\,\pi / \bar\pi`, the firm's performance against the market's mean.

    >>> monthly_revenue(10.0, np.array([0.9, 0.6]), 0.75).tolist()
    [12.0, 8.0]
    """
    return base_revenue * firm_performance / market_performance


def lost_output_value(
    base_revenue,
    core_performance,
    weights,
    missing_share,
    reference_quality,
    market_performance,
    function_weight,
):
    r"""Revenue lost to output missing after a vendor failure or termination.

    .. math:: L = R_0\,P\,w \textstyle\sum_f \omega_f\, m_f\, q_{ref} / \bar\pi

    The missing share :math:`m_f` of a function is valued at the quality the SMB contracted for
    (the SLA threshold :math:`q_{ref}`): what the SMB would have earned had the output arrived.

    >>> weights, missing = np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]])
    >>> float(lost_output_value(10.0, np.array([1.0]), weights, missing, 0.6, 1.0, 0.5)[0])
    1.5
    """
    share = function_sum(weights * missing_share)
    return base_revenue * core_performance * function_weight * share * reference_quality / market_performance


def core_cost(base_revenue, relative_scale, core_cost_factor):
    r"""Monthly operating cost of the core activity: :math:`K = k\,R_0\,P / \bar P`.

    It is proportional to the firm's scale, its core performance *P* against the market's mean.

    >>> round(float(core_cost(10.0, 1.2, 0.3)), 6)
    3.6
    """
    return core_cost_factor * base_revenue * relative_scale
