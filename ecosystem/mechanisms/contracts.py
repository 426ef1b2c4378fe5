"""Contracts and service-level agreements, held as a book of arrays.

A contract binds one SMB's business function, or a share of it under dual or multi sourcing,
to one vendor for ``contract_duration`` months, at a monthly fee set by the SMB's contract type.
The three types differ in who bears cost risk, how the bill follows measured quality and what a
caught vendor pays (Eisenhardt 1989; Bajari & Tadelis 2001):

* **fixed price** — the vendor bears cost uncertainty and prices it in (a risk markup);
* **time and materials** — the SMB bears cost uncertainty (the bill moves with it) and pays for
  hours, which the vendor may inflate (overbilling; Bajari & Tadelis 2001);
* **performance based** — a bonus-malus: the bill moves ``bonus_slope`` times the measured
  quality's distance from the SLA level, within ``± bonus_cap`` of the fee, so that quality, and
  with it shirking, is paid for (Holmström 1979).

A vendor signs only if the contract's expected bill covers its cost (participation). Every
contract that ends is logged with its start, end and reason, so that relationship survival can be
measured (:meth:`ContractBook.ended_within`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "CONTRACT_KINDS",
    "CONTRACT_TERMS",
    "ENDINGS",
    "FAILURE_HORIZON",
    "ContractBook",
    "ContractTerms",
    "expected_bill_factor",
    "monthly_bill",
    "reserve_columns",
    "term_arrays",
]


@dataclass(frozen=True)
class ContractTerms:
    """How a contract type prices, bills and punishes.

    risk_markup : fee markup per unit uncertainty (the vendor prices in the risk it bears).
    penalty_rate : penalty, in months of fee, the vendor refunds when shirking or overbilling is
        detected.
    bonus_slope : how strongly the bill follows measured quality around the SLA level.
    bonus_cap : the largest bonus or malus, as a share of the fee.
    cost_pass_through : how strongly the bill follows cost uncertainty (time and materials).
    billed_hours : whether the vendor bills hours, and so can overbill them.
    """

    risk_markup: float
    penalty_rate: float
    bonus_slope: float
    bonus_cap: float
    cost_pass_through: float
    billed_hours: bool


CONTRACT_TERMS: dict[str, ContractTerms] = {
    "fixed_price": ContractTerms(0.3, 0.75, 0.0, 0.0, 0.0, False),
    "time_and_materials": ContractTerms(0.0, 0.25, 0.0, 0.0, 0.4, True),
    "performance_based": ContractTerms(0.1, 0.75, 2.0, 0.4, 0.0, False),
}
#: Contract types in code order (a contract's ``kind`` indexes this tuple).
CONTRACT_KINDS: tuple[str, ...] = tuple(CONTRACT_TERMS)
#: Why a contract ended (its ``reason`` in the log indexes this tuple).
ENDINGS: tuple[str, ...] = ("not_renewed", "poor_performance", "vendor_exit", "brought_in_house", "smb_exit")
#: Months within which an ended relationship counts as failed (the surveys' two years,
#: Dun & Bradstreet 2000); :meth:`ContractBook.recent_failure_share` reads it each month.
FAILURE_HORIZON = 24


_TERM_TABLE = {
    name: np.array([getattr(CONTRACT_TERMS[k], name) for k in CONTRACT_KINDS])
    for name in ContractTerms.__dataclass_fields__
}


class _Terms(dict):
    """Term columns gathered on first use (most callers read two or three of the six)."""

    def __init__(self, kind: np.ndarray) -> None:
        super().__init__()
        self.kind = kind

    def __missing__(self, name: str) -> np.ndarray:
        column = self[name] = _TERM_TABLE[name][self.kind]
        return column


def term_arrays(kind: np.ndarray) -> dict[str, np.ndarray]:
    """The terms of each contract, by its kind, as arrays.

    >>> term_arrays(np.array([0, 2]))["bonus_slope"].tolist()
    [0.0, 2.0]
    """
    return _Terms(np.asarray(kind))


def _bonus(slope, cap, measured, sla_threshold):
    return np.minimum(np.maximum(slope * (measured - sla_threshold), -cap), cap)


def monthly_bill(fee, terms, uncertainty, measured, sla_threshold, shock, floor):
    r"""What the vendor bills this month for the work done (overbilling comes on top).

    .. math:: B = F\,\max\big(0.3,\; 1 + \kappa\,u\,\varepsilon
              + \mathrm{clip}(\lambda\,(\hat q - q_{SLA}), -b, b)\big)

    with :math:`\kappa` the cost pass-through (time and materials: the SMB bears cost uncertainty
    *u*, :math:`\varepsilon \sim N(0, 1)`), :math:`\lambda` the bonus slope and *b* the cap of the
    bonus-malus around the SLA level on measured quality :math:`\hat q`; the floor 0.3 is
    ``floor`` (the advanced parameter ``bill_floor``).

    >>> t = term_arrays(np.array([0, 2, 2]))
    >>> monthly_bill(1.0, t, 0.5, np.array([0.9, 0.9, 0.4]), 0.5, 0.0, 0.3).round(3).tolist()
    [1.0, 1.4, 0.8]
    """
    factor = (
        1.0
        + terms["cost_pass_through"] * uncertainty * shock
        + _bonus(terms["bonus_slope"], terms["bonus_cap"], measured, sla_threshold)
    )
    return fee * np.maximum(floor, factor)


def expected_bill_factor(terms, quality, sla_threshold, floor):
    """The bill as a share of the fee a vendor expects at delivered ``quality`` (no cost shock).

    >>> expected_bill_factor(term_arrays(np.array([0, 2])), np.array([0.3, 0.3]), 0.5, 0.3).round(2).tolist()
    [1.0, 0.6]
    """
    return np.maximum(floor, 1.0 + _bonus(terms["bonus_slope"], terms["bonus_cap"], quality, sla_threshold))


_FIELDS = {
    "smb": np.int64,
    "function": np.int64,
    "vendor": np.int64,
    "pair": np.int64,
    "kind": np.int64,  # index into CONTRACT_KINDS
    "share": np.float64,
    "fee": np.float64,  # monthly fee now, hold-up raises included
    "holdup": np.float64,  # the part of the fee added by hold-up at renewals
    "start": np.int64,  # month the relationship began (renewals keep it)
    "end": np.int64,  # month the current term expires
    "strikes": np.int64,  # consecutive months with a strike (SLA breach, detected shirking or overbilling)
    "term_strikes": np.int64,  # strikes in the current term
    "referred": np.bool_,  # the SMB found the vendor through a peer's referral
    "active": np.bool_,
}


def reserve_columns(book, fields, needed: int) -> None:
    """Grow the column arrays ``fields`` of ``book`` (by doubling) to hold at least ``needed`` rows."""
    capacity = len(getattr(book, next(iter(fields))))
    if needed <= capacity:
        return
    new_capacity = max(needed, 2 * capacity)
    for name in fields:
        old = getattr(book, name)
        grown = np.zeros(new_capacity, dtype=old.dtype)
        grown[: len(old)] = old
        setattr(book, name, grown)


class ContractBook:
    """All contracts in force (and recently ended) in a run; ``active`` marks those in force.

    Columns are numpy arrays of equal length (see ``_FIELDS``); ended contracts are dropped by
    :meth:`compact` once they make up most of the book, so indices are valid within a month only.
    Every ending is logged (start, month ended, term end, reason) for relationship statistics.
    """

    def __init__(self, capacity: int = 1024) -> None:
        self.size = 0
        for name, dtype in _FIELDS.items():
            setattr(self, name, np.zeros(capacity, dtype=dtype))
        self._active_cache: np.ndarray | None = None
        self.log_start: list[np.ndarray] = []
        self.log_ended: list[np.ndarray] = []
        self.log_term_end: list[np.ndarray] = []
        self.log_reason: list[np.ndarray] = []
        self.signed_months: list[np.ndarray] = []
        # per start month: relationships begun, those of them ended within FAILURE_HORIZON, and
        # those ended within it because the SMB left the market (outside the surveys' population)
        self.begun_by_month = np.zeros(0, dtype=np.int64)
        self.failed_by_month = np.zeros(0, dtype=np.int64)
        self.buyer_gone_by_month = np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return self.size

    def sign(self, **columns: np.ndarray) -> np.ndarray:
        """Append new active contracts given as equal-length columns; return their indices."""
        n = len(columns["smb"])
        self._reserve(self.size + n)
        new = slice(self.size, self.size + n)  # the appended rows
        for name in _FIELDS:
            if name == "active":
                self.active[new] = True
            elif name in ("strikes", "term_strikes", "holdup"):
                getattr(self, name)[new] = 0
            else:
                getattr(self, name)[new] = columns[name]
        index = np.arange(self.size, self.size + n)
        self.size += n
        self._active_cache = None
        started = np.asarray(columns["start"], dtype=np.int64)
        self.signed_months.append(started)
        self._count_by_month("begun_by_month", started)
        return index

    def active_index(self) -> np.ndarray:
        """Indices of the contracts in force (read-only; recomputed after signings and endings)."""
        if self._active_cache is None:
            self._active_cache = np.flatnonzero(self.active[: self.size])
            self._active_cache.flags.writeable = False
        return self._active_cache

    def terminate(self, index: np.ndarray, month: int, reason: str) -> None:
        """End the given active contracts in ``month`` for ``reason`` (one of :data:`ENDINGS`)."""
        index = np.asarray(index, dtype=np.int64)
        index = index[self.active[index]]
        if not len(index):
            return
        self.active[index] = False
        self._active_cache = None
        self.log_start.append(self.start[index].copy())
        self.log_ended.append(np.full(len(index), month, dtype=np.int64))
        self.log_term_end.append(self.end[index].copy())
        self.log_reason.append(np.full(len(index), ENDINGS.index(reason), dtype=np.int64))
        started = self.start[index]
        within = started[month - started < FAILURE_HORIZON]
        self._count_by_month("buyer_gone_by_month" if reason == "smb_exit" else "failed_by_month", within)

    def backdate(self, index: np.ndarray, age: np.ndarray) -> None:
        """Move the given contracts, the only ones signed so far, ``age`` months into the past
        (the arrangements in place when a run begins)."""
        self.start[index] -= age
        self.end[index] -= age
        self.signed_months[:] = [self.start[index].copy()]
        self.begun_by_month = np.zeros(0, dtype=np.int64)
        self._count_by_month("begun_by_month", self.start[index])

    def _count_by_month(self, name: str, months: np.ndarray) -> None:
        """Add ``months`` to the per-month counts ``name``; months before the run (< 0) are left
        out, as their relationships' earlier endings were never seen."""
        months = months[months >= 0]
        if not len(months):
            return
        counts = np.bincount(months)
        table = getattr(self, name)
        if len(counts) > len(table):
            table = np.concatenate([table, np.zeros(len(counts) - len(table), dtype=np.int64)])
            setattr(self, name, table)
        table[: len(counts)] += counts

    def recent_failure_share(self, month: int, window: int = 12) -> float:
        """Share of the relationships begun in the ``window`` months that ended
        :data:`FAILURE_HORIZON` months before ``month`` which ended within that horizon of their
        start: the survey measure of failed relationships, on the latest cohorts whose outcome is
        known. Relationships ended because their SMB left the market are in neither count: the
        surveys asked buyers still in business about their relationships. Any other ending
        counts as a failure (not renewed, poor performance, the vendor's exit, brought back
        in-house). NaN before any such relationship.

        >>> book = ContractBook()
        >>> _ = book.sign(**{k: np.zeros(2, dtype=t) for k, t in _FIELDS.items()})
        >>> book.terminate(np.array([0]), 10, "poor_performance")
        >>> book.recent_failure_share(FAILURE_HORIZON), book.recent_failure_share(FAILURE_HORIZON - 1)
        (0.5, nan)
        """
        last = month - FAILURE_HORIZON  # the latest start month whose horizon has passed
        first = max(last - window + 1, 0)
        begun = int(self.begun_by_month[first : last + 1].sum()) if last >= 0 else 0
        begun -= int(self.buyer_gone_by_month[first : last + 1].sum()) if last >= 0 else 0
        if not begun:
            return float("nan")
        return float(self.failed_by_month[first : last + 1].sum() / begun)

    def endings(self) -> dict[str, np.ndarray]:
        """Every ended relationship: ``start``, ``ended``, ``term_end`` (months) and ``reason`` (code)."""

        def joined(parts):
            return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

        return {
            "start": joined(self.log_start),
            "ended": joined(self.log_ended),
            "term_end": joined(self.log_term_end),
            "reason": joined(self.log_reason),
        }

    def ended_within(self, months: int, signed_from: int, signed_to: int) -> float:
        r"""Share of the relationships begun in months ``signed_from..signed_to`` that ended within
        ``months`` of their start (renewals continue a relationship).

        The survey measure of failed outsourcing relationships (the share of relationships that
        end within two years): ended early, not renewed, vendor gone, brought back in-house or
        the SMB gone.
        """
        started = np.concatenate(self.signed_months) if self.signed_months else np.zeros(0, np.int64)
        begun = ((started >= signed_from) & (started <= signed_to)).sum()
        if not begun:
            return float("nan")
        e = self.endings()
        ended = (e["start"] >= signed_from) & (e["start"] <= signed_to) & (e["ended"] - e["start"] < months)
        return float(ended.sum() / begun)

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
        self._active_cache = None

    def _reserve(self, needed: int) -> None:
        reserve_columns(self, _FIELDS, needed)
