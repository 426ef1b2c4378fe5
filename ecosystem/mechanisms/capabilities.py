"""Capabilities (resource-based view): skills erode when outsourced and grow when used.

In-house capability in an outsourced function decays by ``capability_decay`` a month, which
makes bringing it back harder (lock-in) and starves absorptive capacity; kept functions learn
slowly. Outsourcing frees resources and attention for the core activity, whose performance grows
with the share of functions outsourced (Prahalad & Hamel 1990; Quinn & Hilmer 1994).
"""

from __future__ import annotations

import numpy as np

__all__ = ["core_focus_growth", "develop_capability"]


def develop_capability(capability, outsourced, capability_decay, capability_learning):
    r"""Capability after one month.

    .. math:: c' = \begin{cases} c\,(1 - \delta) & \text{outsourced} \\
              c + \lambda\,(1 - c) & \text{in-house} \end{cases}

    >>> develop_capability(np.array([0.5, 0.5]), np.array([True, False]), 0.1, 0.1)
    array([0.45, 0.55])
    """
    return np.where(
        outsourced,
        capability * (1.0 - capability_decay),
        capability + capability_learning * (1.0 - capability),
    )


def core_focus_growth(outsourced_share, core_focus_gain):
    """Monthly growth factor of core performance from resources freed by outsourcing.

    >>> core_focus_growth(0.5, 0.01)
    1.005
    """
    return 1.0 + core_focus_gain * outsourced_share
