"""Relational capital (network theory): trust on each SMB-vendor tie.

Trust is built slowly by good deliveries and lost fast on failures (``trust_gain`` <
``trust_loss`` by default), and decays on ties with no active contract. It lowers monitoring and
transaction costs, raises the vendor's stake in the relationship and the odds of joint
innovation (Dyer & Singh 1998; Uzzi 1997).
"""

from __future__ import annotations

import numpy as np

__all__ = ["TieBook", "decay_trust", "update_trust"]


def update_trust(trust, good_deliveries, failures, trust_gain, trust_loss):
    r"""Trust after a month with ``good_deliveries`` and ``failures`` on each tie.

    .. math:: r' = \big(1 - (1 - r)(1 - g)^{n_{good}}\big)\,(1 - l)^{n_{fail}}

    Each good delivery closes a share *g* of the gap to full trust; each failure removes a share
    *l* of what there is. The closed form keeps trust in [0, 1] for any counts.

    >>> float(update_trust(0.5, 1, 0, 0.1, 0.3)), float(update_trust(0.5, 0, 1, 0.1, 0.3))
    (0.55, 0.35)
    """
    built = 1.0 - (1.0 - trust) * (1.0 - trust_gain) ** good_deliveries
    return built * (1.0 - trust_loss) ** failures


def decay_trust(trust, idle, trust_decay):
    """Trust on idle ties (no contract this month) fades by ``trust_decay`` a month.

    >>> decay_trust(np.array([0.5, 0.5]), np.array([True, False]), 0.1)
    array([0.45, 0.5 ])
    """
    return np.where(idle, trust * (1.0 - trust_decay), trust)


class TieBook:
    """SMB-vendor ties and their relational capital, as arrays with a lookup by pair.

    A tie is created with an SMB's first contract with a vendor and outlives the contract (its
    trust decays while idle, and a renewed relationship starts from what is left). It ends
    when either side leaves the market.
    """

    def __init__(self) -> None:
        self._id: dict[tuple[int, int], int] = {}
        self.smb = np.zeros(0, dtype=np.int64)
        self.vendor = np.zeros(0, dtype=np.int64)
        self.trust = np.zeros(0)
        self.alive = np.zeros(0, dtype=bool)

    def __len__(self) -> int:
        return len(self.trust)

    def ties(self, smbs: np.ndarray, vendors: np.ndarray) -> np.ndarray:
        """The tie id of each (SMB, vendor) pair, creating new ties with zero trust."""
        ids = np.empty(len(smbs), dtype=np.int64)
        new_smbs, new_vendors = [], []
        for k, key in enumerate(zip(smbs.tolist(), vendors.tolist(), strict=True)):
            tie = self._id.get(key)
            if tie is None:
                tie = self._id[key] = len(self.trust) + len(new_smbs)
                new_smbs.append(key[0])
                new_vendors.append(key[1])
            ids[k] = tie
        if new_smbs:
            self.smb = np.concatenate([self.smb, new_smbs])
            self.vendor = np.concatenate([self.vendor, new_vendors])
            self.trust = np.concatenate([self.trust, np.zeros(len(new_smbs))])
            self.alive = np.concatenate([self.alive, np.ones(len(new_smbs), dtype=bool)])
        return ids

    def retire(self, dead: np.ndarray) -> None:
        """End the ties flagged in the boolean array ``dead`` (a side left the market)."""
        for tie in np.flatnonzero(dead & self.alive):
            del self._id[(int(self.smb[tie]), int(self.vendor[tie]))]
        self.alive &= ~dead
