"""SMB economics: revenue from core performance and function quality.

Revenue depends on the core activity's performance (raised by innovation and focus, lowered by
IP leakage) and on how well the six support functions are delivered, each weighted by its
strategic importance. Output lost to a failed vendor delivers zero quality for its share.
"""

from __future__ import annotations

import numpy as np

__all__ = ["FUNCTION_WEIGHT", "function_weights", "lost_output_value", "monthly_revenue"]

#: Share of revenue that depends on the quality of the support functions.
FUNCTION_WEIGHT = 0.5


def function_weights(importance):
    """Each function's weight in revenue: its share of the SMB's total strategic importance.

    >>> function_weights(np.array([[1.0, 3.0]]))
    array([[0.25, 0.75]])
    """
    return importance / np.maximum(importance.sum(axis=1, keepdims=True), 1e-12)


def monthly_revenue(base_revenue, core_performance, weights, function_quality):
    r"""Monthly revenue of each SMB.

    .. math:: R = R_0\,P\,\big(1 - w + w \textstyle\sum_f \omega_f q_f\big)

    with core performance *P*, the function weight *w* (``FUNCTION_WEIGHT``), importance weights
    :math:`\omega_f` and delivered function quality :math:`q_f`.

    >>> float(monthly_revenue(10.0, np.array([1.0]), np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]]))[0])
    7.5
    """
    quality = (weights * function_quality).sum(axis=1)
    return base_revenue * core_performance * (1.0 - FUNCTION_WEIGHT + FUNCTION_WEIGHT * quality)


def lost_output_value(base_revenue, core_performance, weights, missing_share, reference_quality):
    r"""Revenue lost to output missing after a vendor failure or termination.

    .. math:: L = R_0\,P\,w \textstyle\sum_f \omega_f\, m_f\, q_{ref}

    The missing share :math:`m_f` of a function is valued at the quality the SMB contracted for
    (the SLA threshold :math:`q_{ref}`): what the SMB would have earned had the output arrived.

    >>> weights, missing = np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]])
    >>> float(lost_output_value(10.0, np.array([1.0]), weights, missing, 0.6)[0])
    1.5
    """
    share = (weights * missing_share).sum(axis=1)
    return base_revenue * core_performance * FUNCTION_WEIGHT * share * reference_quality
