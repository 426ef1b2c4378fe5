"""SMB-vendor pairs: what each SMB knows of, and feels about, each vendor it has met.

A pair comes into being when an SMB first screens or hires a vendor. It holds the SMB's own
evidence about the vendor (the screening signal and the faded statistics of its observations,
see :mod:`ecosystem.mechanisms.beliefs`), the relational capital of the tie
(:mod:`ecosystem.mechanisms.relational_capital`) and the SMB's memory of having ended the vendor
for poor performance (it will not re-hire it before ``banned_until``). Pairs outlive contracts and
end when either side leaves the market.

The book is a structure of arrays with a sorted key index (``smb * places + place``), so lookups
of many pairs at once are one ``searchsorted``, and all pairs of an SMB are a contiguous run of the
index (what a peer can report on).
"""

from __future__ import annotations

import numpy as np

from .beliefs import decay_factors, faded
from .contracts import reserve_columns

__all__ = ["PairBook", "unique_sorted"]

_FIELDS = {
    "smb": np.int64,
    "vendor": np.int64,
    "trust": np.float64,  # relational capital at the end of month trust_month
    "trust_month": np.int64,  # last month with a delivery on the tie (idle months after it decay)
    "obs_info": np.float64,  # precision-weighted sum of measured qualities (faded)
    "obs_precision": np.float64,  # their total precision (faded)
    "obs_month": np.int64,  # month the two above were last faded to
    "screen_value": np.float64,  # screening signal on the delivered scale
    "screen_precision": np.float64,  # 0 = never screened
    "screen_bias": np.float64,  # the signal's upward bias were the vendor a lemon
    "banned_until": np.int64,  # no re-hiring before this month
    "fired_month": np.int64,  # last month the SMB ended the vendor for poor performance (-1: never)
    "alive": np.bool_,
}


class PairBook:
    """All SMB-vendor pairs, as equal-length arrays, with a sorted key index for lookups.

    Examples
    --------
    >>> book = PairBook(places=10, forgetting=0.97)
    >>> book.ensure(np.array([3, 1, 3]), np.array([7, 2, 7])).tolist()
    [1, 0, 1]
    >>> book.find(np.array([1, 3, 4]), np.array([2, 7, 7])).tolist()
    [0, 1, -1]
    >>> book.retire(book.vendor == 7); book.find(np.array([3]), np.array([7])).tolist()
    [-1]
    """

    def __init__(self, places: int, capacity: int = 1024, *, forgetting: float) -> None:
        self.places = int(places)
        #: monthly factor by which old observations lose weight (``belief_forgetting``)
        self.forgetting = float(forgetting)
        self.size = 0
        for name, dtype in _FIELDS.items():
            setattr(self, name, np.zeros(capacity, dtype=dtype))
        self._keys = np.zeros(0, dtype=np.int64)  # sorted keys of the live pairs
        self._rows = np.zeros(0, dtype=np.int64)  # the row of each sorted key

    def __len__(self) -> int:
        return self.size

    def column(self, name: str) -> np.ndarray:
        """The filled part of a column (a view)."""
        return getattr(self, name)[: self.size]

    def distinct(self, rows: np.ndarray) -> np.ndarray:
        """The distinct pair rows among ``rows`` (all >= 0), sorted: :func:`unique_sorted` by
        marking a table of all rows, cheaper than sorting the thousands of a month.

        >>> book = PairBook(places=10, forgetting=0.97)
        >>> _ = book.ensure(np.array([3, 1, 2]), np.array([7, 2, 7]))
        >>> book.distinct(np.array([2, 0, 2])).tolist()
        [0, 2]
        """
        marked = np.zeros(self.size, dtype=bool)
        marked[rows] = True
        return np.flatnonzero(marked)

    # --- lookups ---------------------------------------------------------------------------------
    def find(self, smb: np.ndarray, vendor: np.ndarray) -> np.ndarray:
        """Row of each (SMB, vendor) pair, or -1 where the SMB has never met the vendor."""
        key = np.asarray(smb, dtype=np.int64) * self.places + np.asarray(vendor, dtype=np.int64)
        if not len(self._keys):
            return np.full(key.shape, -1, dtype=np.int64)
        position = np.minimum(np.searchsorted(self._keys, key), len(self._keys) - 1)
        return np.where(self._keys[position] == key, self._rows[position], -1)

    def ensure(self, smb: np.ndarray, vendor: np.ndarray) -> np.ndarray:
        """Row of each pair, creating the missing ones (no trust, no evidence, no ban)."""
        rows = self.find(smb, vendor)
        missing = rows < 0
        if missing.any():
            key = np.asarray(smb, dtype=np.int64)[missing] * self.places + np.asarray(vendor)[missing]
            new_keys = unique_sorted(key)
            n = len(new_keys)
            self._reserve(self.size + n)
            new_rows = np.arange(self.size, self.size + n)
            new = slice(self.size, self.size + n)  # the appended rows
            for name in _FIELDS:
                getattr(self, name)[new] = 0
            self.smb[new], self.vendor[new] = np.divmod(new_keys, self.places)
            self.fired_month[new] = -1
            self.alive[new] = True
            self.size += n
            self._keys, self._rows = _merge(self._keys, self._rows, new_keys, new_rows)
            rows[missing] = new_rows[np.searchsorted(new_keys, key)]
        return rows

    def runs(self, smbs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each SMB, the start and end (exclusive) of its pairs in :attr:`index_rows` order."""
        smbs = np.asarray(smbs, dtype=np.int64)
        return (
            np.searchsorted(self._keys, smbs * self.places),
            np.searchsorted(self._keys, (smbs + 1) * self.places),
        )

    @property
    def index_rows(self) -> np.ndarray:
        """Rows of the live pairs, ordered by SMB then vendor."""
        return self._rows

    # --- evidence --------------------------------------------------------------------------------
    def observation(self, rows: np.ndarray, month: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows' observation statistics faded to ``month`` (zeros for ``rows < 0``)."""
        safe = np.maximum(rows, 0)
        info, precision = self._faded(safe, month)
        known = rows >= 0
        return np.where(known, info, 0.0), np.where(known, precision, 0.0)

    def _faded(self, rows: np.ndarray, month: int) -> tuple[np.ndarray, np.ndarray]:
        return faded(
            self.obs_info[rows], self.obs_precision[rows], month - self.obs_month[rows], self.forgetting
        )

    def observe(self, rows: np.ndarray, measured: np.ndarray, precision: float, month: int) -> None:
        """Add one month's measured quality per row (rows may repeat: each measurement counts)."""
        info, prec = self._faded(rows, month)  # repeated rows write the same faded values
        self.obs_info[rows], self.obs_precision[rows] = info, prec
        self.obs_month[rows] = month
        np.add.at(self.obs_info, rows, measured * precision)
        np.add.at(self.obs_precision, rows, precision)

    def trust_at(self, rows: np.ndarray, month: int, decay: float) -> np.ndarray:
        """Relational capital of the rows as of the end of ``month`` (0 for ``rows < 0``).

        Trust decays by ``decay`` in each month without a delivery on the tie after
        ``trust_month``; the decay is applied when trust is read, so idle ties cost nothing.
        """
        known = rows >= 0
        everywhere = known.all()  # pairs of contracts: no masking needed
        safe = rows if everywhere else np.maximum(rows, 0)
        idle = np.maximum(month - self.trust_month[safe], 0)
        trust = self.trust[safe] * decay_factors(1.0 - decay, idle)
        return trust if everywhere else np.where(known, trust, 0.0)

    # --- endings ---------------------------------------------------------------------------------
    def retire(self, dead: np.ndarray) -> None:
        """End the pairs flagged in the boolean array ``dead`` (over rows): a side left the market."""
        self._retire_listed(np.asarray(dead)[self._rows])

    def retire_vendors(self, leaving: np.ndarray) -> None:
        """End all pairs of the vendors flagged in the boolean array ``leaving`` (over places)."""
        self._retire_listed(leaving[self.vendor[self._rows]])

    def _retire_listed(self, gone: np.ndarray) -> None:
        """End the live pairs flagged in ``gone`` (over the index, in its order)."""
        if not gone.any():
            return
        self.alive[self._rows[gone]] = False
        keep = ~gone
        self._keys, self._rows = self._keys[keep], self._rows[keep]

    def retire_smbs(self, smbs: np.ndarray) -> None:
        """End all pairs of the given SMBs (they left the market); they are runs of the index."""
        start, end = self.runs(smbs)
        lengths = end - start
        if not lengths.sum():
            return
        position = np.arange(lengths.sum()) + np.repeat(start - (np.cumsum(lengths) - lengths), lengths)
        self.alive[self._rows[position]] = False
        keep = np.ones(len(self._keys), dtype=bool)
        keep[position] = False
        self._keys, self._rows = self._keys[keep], self._rows[keep]

    def compact(self) -> np.ndarray | None:
        """Drop ended pairs once they are most of the book; return the old-to-new row map (-1: dropped).

        Returns None when nothing was dropped. Holders of row numbers (contracts) must remap.
        """
        alive = self.alive[: self.size]
        if alive.sum() * 2 >= self.size:
            return None
        new_row = np.cumsum(alive) - 1
        new_row[~alive] = -1
        keep = np.flatnonzero(alive)
        for name in _FIELDS:
            column = getattr(self, name)
            column[: len(keep)] = column[keep]
        self.size = len(keep)
        self._rows = new_row[self._rows]
        return new_row

    def _reserve(self, needed: int) -> None:
        reserve_columns(self, _FIELDS, needed)


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted: ``np.unique`` for 1-d integers, by sorting (numpy's hash-based
    ``unique`` costs ten times more on the few thousand keys a month brings).

    >>> unique_sorted(np.array([5, 2, 5, 9, 2])).tolist()
    [2, 5, 9]
    """
    ordered = np.sort(values, kind="stable")  # the same values; numpy's stable sort is the faster here
    distinct = np.empty(len(ordered), dtype=bool)
    distinct[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=distinct[1:])
    return ordered[distinct]


def _merge(keys, rows, new_keys, new_rows):
    """Insert sorted ``new_keys`` (absent from sorted ``keys``) and their rows, keeping the order."""
    total = len(keys) + len(new_keys)
    at = np.searchsorted(keys, new_keys) + np.arange(len(new_keys))
    old = np.ones(total, dtype=bool)
    old[at] = False
    merged_keys, merged_rows = np.empty(total, dtype=np.int64), np.empty(total, dtype=np.int64)
    merged_keys[old], merged_rows[old] = keys, rows
    merged_keys[at], merged_rows[at] = new_keys, new_rows
    return merged_keys, merged_rows
