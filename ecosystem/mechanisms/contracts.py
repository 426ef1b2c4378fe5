"""Contracts and service-level agreements, held as a book of arrays.

A contract binds one SMB's business function, or a share of it under dual or multi sourcing,
to one vendor for ``contract_duration`` months, at a monthly fee set by the contract type. The
book is a structure of arrays so that the monthly work on every contract runs vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CONTRACT_TERMS", "ContractBook", "ContractTerms", "monthly_bill"]


@dataclass(frozen=True)
class ContractTerms:
    """How a contract type prices, bills and punishes.

    risk_markup : fee markup per unit uncertainty (the vendor prices in the risk it bears).
    penalty_rate : penalty, in months of fee, the vendor refunds when shirking is detected.
    performance_link : how strongly the bill follows measured quality around the SLA level.
    cost_pass_through : how strongly the bill follows cost uncertainty (time and materials).
    """

    risk_markup: float
    penalty_rate: float
    performance_link: float
    cost_pass_through: float


CONTRACT_TERMS: dict[str, ContractTerms] = {
    "fixed_price": ContractTerms(0.3, 0.75, 0.0, 0.0),
    "time_and_materials": ContractTerms(0.0, 0.25, 0.0, 0.4),
    "performance_based": ContractTerms(0.1, 0.75, 0.6, 0.0),
}


def monthly_bill(terms: ContractTerms, fee, uncertainty, observed_quality, sla_threshold, shock):
    r"""What the vendor bills this month.

    .. math:: B = F\,\max(0.3,\; 1 + \kappa\,u\,\varepsilon + \lambda\,(\hat q - q_{SLA}))

    with :math:`\kappa` the cost pass-through (time and materials: the SMB bears cost
    uncertainty *u*, :math:`\varepsilon \sim N(0, 1)`), and :math:`\lambda` the performance link
    (performance-based pay rises and falls with measured quality :math:`\hat q`).

    >>> float(monthly_bill(CONTRACT_TERMS["fixed_price"], 1.0, 0.5, 0.9, 0.5, 2.0))
    1.0
    >>> float(monthly_bill(CONTRACT_TERMS["performance_based"], 1.0, 0.5, 0.9, 0.5, 0.0))
    1.24
    """
    factor = (
        1.0
        + terms.cost_pass_through * uncertainty * shock
        + terms.performance_link * (observed_quality - sla_threshold)
    )
    return fee * np.maximum(0.3, factor)


_FIELDS = {
    "smb": np.int64,
    "function": np.int64,
    "vendor": np.int64,
    "pair": np.int64,
    "share": np.float64,
    "fee": np.float64,
    "start": np.int64,
    "end": np.int64,
    "breaches": np.int64,
    "observed_quality": np.float64,
    "active": np.bool_,
}


class ContractBook:
    """All contracts ever signed in a run; ``active`` marks those in force.

    Columns are numpy arrays of equal length (see ``_FIELDS``); ended contracts are dropped by
    :meth:`compact` once they make up most of the book, so indices are valid within a month only.
    """

    def __init__(self, capacity: int = 1024) -> None:
        self.size = 0
        for name, dtype in _FIELDS.items():
            setattr(self, name, np.zeros(capacity, dtype=dtype))

    def __len__(self) -> int:
        return self.size

    def sign(self, **columns: np.ndarray) -> np.ndarray:
        """Append new active contracts given as equal-length columns; return their indices."""
        n = len(columns["smb"])
        self._reserve(self.size + n)
        index = np.arange(self.size, self.size + n)
        for name in _FIELDS:
            if name == "active":
                self.active[index] = True
            elif name == "breaches":
                self.breaches[index] = 0
            else:
                getattr(self, name)[index] = columns[name]
        self.size += n
        return index

    def active_index(self) -> np.ndarray:
        """Indices of the contracts in force."""
        return np.flatnonzero(self.active[: self.size])

    def terminate(self, index: np.ndarray) -> None:
        """End the given contracts."""
        self.active[index] = False

    def column(self, name: str) -> np.ndarray:
        """The filled part of a column (a view)."""
        return getattr(self, name)[: self.size]

    def compact(self) -> None:
        """Drop ended contracts when they make up more than half of the book."""
        keep = self.active_index()
        if len(keep) * 2 >= self.size:
            return
        for name in _FIELDS:
            column = getattr(self, name)
            column[: len(keep)] = column[keep]
        self.size = len(keep)

    def _reserve(self, needed: int) -> None:
        capacity = len(self.smb)
        if needed <= capacity:
            return
        new_capacity = max(needed, 2 * capacity)
        for name in _FIELDS:
            old = getattr(self, name)
            grown = np.zeros(new_capacity, dtype=old.dtype)
            grown[: len(old)] = old
            setattr(self, name, grown)
