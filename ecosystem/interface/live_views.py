"""The dashboard's live views: plots of reporters over months and the relationship network,
each drawn in full once and then redrawn only where the month changed them.

A view keeps its matplotlib figure for the life of a run. Axes, labels, legend and the previous
run's faint curves form a background, drawn when the axis limits change (a new year of months,
values outside the range so far) and otherwise restored from a saved copy; only this run's lines,
ties and nodes are drawn again each month (matplotlib's blitting). That keeps a step plus redraw
of a whole tab within the classroom budget of 150 ms at 100 SMBs (``benchmarks/bench_dashboard.py``).

Labels come from the reporter schema (:func:`ecosystem.labels.label`, with the units of
:mod:`ecosystem.units`). The model records its reporters at the end of each month, from month 1
on; the x-axis counts those months, so the last point of every plot is the month shown in the
page's header (the model's step count).
"""

from __future__ import annotations

import io
import math
import textwrap
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from PIL import Image

from ..labels import label, money_units

__all__ = [
    "TIE_FILTERS",
    "LivePlot",
    "NetworkState",
    "NetworkView",
    "axis_unit",
    "monitor",
    "month_span",
]

#: Size (inches) and resolution of a plot; the axes' box within it (fixed: no layout engine, so
#: every frame has the same geometry and the background can be reused).
PLOT_SIZE, PLOT_DPI, PLOT_BOX = (6.0, 3.2), 90, (0.13, 0.16, 0.84, 0.78)
NETWORK_SIZE, NETWORK_DPI = (7.6, 5.2), 80
#: Characters per line of a y-axis label (longer ones wrap, to fit the axis' height).
LABEL_WIDTH = 34
#: Months on the x-axis: whole years, at least one.
YEAR = 12
#: The previous run's curves: dashed and faint.
PREVIOUS_STYLE = {"alpha": 0.35, "linestyle": "--", "linewidth": 1.3}

# --- network colours and the tie filters
SMB_COLOUR = "#4c72b0"
FOCAL_COLOUR = "#ff9f1c"
VENDOR_COLOURS = {"hidden": "#9a9a9a", "good": "#2ca02c", "lemon": "#d62728"}
VENDOR_LABELS = {"hidden": "vendor, type hidden", "good": "vendor, good", "lemon": "vendor, lemon"}
PEER_COLOUR = "#c8c8c8"
TRUST_CMAP = mpl.colormaps["viridis"]
#: Relational capital from which a contract tie counts as strong.
STRONG_TIE = 0.5
#: Which ties the network shows: a choice of the page, the first the default.
TIE_FILTERS = {
    "contracts": "every SMB-vendor contract tie",
    "strong ties": f"contract ties with relational capital of at least {STRONG_TIE}",
    "focal firms": "the contract and peer ties of the focal firms",
    "contracts and peers": "contract ties and the SMBs' peer (referral) ties",
}


def month_span(last_month: int) -> int:
    """The x-axis' last month: whole years, enough for ``last_month``.

    >>> month_span(0), month_span(12), month_span(13)
    (12, 12, 24)
    """
    return YEAR * max(1, math.ceil(last_month / YEAR))


def axis_unit(measures: Sequence[str], title: str = "") -> str:
    """The y-axis label of plot ``title`` of ``measures``: the measure with its unit, or, for
    several measures (each named in the legend), the title with the unit they share.

    >>> axis_unit(["outsourcing_share"])
    'Outsourcing share (share of functions)'
    >>> axis_unit(["innovations", "collaborative_innovations"], "Innovations per month")
    'Innovations per month'
    >>> axis_unit(["mean_delivered_quality", "mean_contracted_vendor_quality"], "Quality")
    'Quality (0–1)'
    """
    if len(measures) == 1:
        return label(measures[0])
    unit = " / ".join(dict.fromkeys(_unit(m) for m in measures))
    return title if unit in title else f"{title} ({unit})"


def _unit(measure: str) -> str:
    text = label(measure)
    return text[text.rindex("(") + 1 : -1] if text.endswith(")") else ""


def _png(canvas: FigureCanvasAgg) -> bytes:
    """The canvas as a PNG, opaque and quickly compressed: the image is sent every month."""
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def _finite_range(arrays: Sequence[np.ndarray]) -> tuple[float, float] | None:
    values = [a[np.isfinite(a)] for a in arrays if len(a)]
    values = [v for v in values if len(v)]
    if not values:
        return None
    return float(min(v.min() for v in values)), float(max(v.max() for v in values))


def _nice(low: float, high: float) -> tuple[float, float]:
    """Round limits around ``low``..``high`` (at tick values), never an empty range.

    >>> _nice(0.03, 0.91), _nice(-3.2, 41.0), _nice(5.0, 5.0), _nice(0.0, 0.0)
    ((0.0, 1.0), (-10.0, 50.0), (4.4, 5.6000000000000005), (-0.1, 0.1))
    """
    if high - low < 1e-9:
        pad = abs(low) * 0.1 or 0.1
        low, high = low - pad, high + pad
    ticks = MaxNLocator(nbins=5, steps=[1, 2, 5, 10]).tick_values(low, high)
    return float(ticks[0]), float(ticks[-1])


class LivePlot:
    """One plot of reporters over the months of a run, with the previous run's curves faint.

    ``measures`` maps each reporter to its colour; ``params`` (the run's parameters) give money
    its currency; ``previous`` holds the previous run's series of the same reporters, drawn dashed
    and faint. :meth:`png` draws the series so far and returns the image.
    """

    def __init__(
        self,
        title: str,
        measures: Mapping[str, str],
        *,
        unit_interval: bool = False,
        params: Mapping[str, Any] | None = None,
        previous: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        self.title, self.measures, self.unit_interval = title, dict(measures), unit_interval
        self.previous = {m: np.asarray(previous[m], float) for m in measures} if previous else {}
        self.lock = threading.Lock()
        self.figure = Figure(figsize=PLOT_SIZE, dpi=PLOT_DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        ax = self.axes = self.figure.add_axes(PLOT_BOX)
        with money_units(params):
            ax.set_ylabel(textwrap.fill(axis_unit(list(measures), title), LABEL_WIDTH), fontsize=9)
            names = {m: label(m, unit=False) for m in measures}
        ax.set_xlabel("Month", fontsize=9)
        ax.tick_params(labelsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
        ax.grid(alpha=0.25)
        self.lines = {
            m: ax.plot([], [], color=colour, linewidth=1.8, label=names[m], animated=True)[0]
            for m, colour in measures.items()
        }
        for m, values in self.previous.items():
            ax.plot(np.arange(1, len(values) + 1), values, color=measures[m], **PREVIOUS_STYLE)
        handles = list(self.lines.values()) if len(measures) > 1 else []
        if self.previous:
            handles.append(Line2D([], [], color="grey", **PREVIOUS_STYLE, label="previous run"))
        if handles:
            ax.legend(handles=handles, fontsize=7, loc="upper left", framealpha=0.8)
        self.limits: tuple[int, tuple[float, float]] | None = None
        self.background = None

    def _y_limits(self, series: Mapping[str, np.ndarray]) -> tuple[float, float]:
        if self.unit_interval:
            return 0.0, 1.0
        span = _finite_range([*series.values(), *self.previous.values()])
        if span is None:
            return (0.0, 1.0) if self.limits is None else self.limits[1]
        low, high = _nice(*span)
        if self.limits is not None:  # grow only: the axes do not jump back and forth
            low, high = min(low, self.limits[1][0]), max(high, self.limits[1][1])
        return low, high

    def png(self, series: Mapping[str, np.ndarray]) -> bytes:
        """The plot with ``series`` (each reporter's values from month 1 on) as a PNG image."""
        with self.lock:
            months = len(next(iter(series.values())))
            shown = max([months, *(len(v) for v in self.previous.values())])
            limits = (month_span(shown), self._y_limits(series))
            if limits != self.limits or self.background is None:
                self.axes.set_xlim(0, limits[0])
                self.axes.set_ylim(*limits[1])
                self.canvas.draw()  # everything but this run's lines (animated)
                self.background = self.canvas.copy_from_bbox(self.figure.bbox)
                self.limits = limits
            else:
                self.canvas.restore_region(self.background)
            x = np.arange(1, months + 1)
            for measure, line in self.lines.items():
                y = np.asarray(series[measure], float)
                line.set_data(x, y)
                gaps = months == 1 or bool(np.isnan(y).any())
                line.set_marker("o" if gaps else "")  # a point between gaps would be invisible
                line.set_markersize(3)
                self.axes.draw_artist(line)
            return _png(self.canvas)


def monitor(values: np.ndarray) -> tuple[float, float]:
    """A reporter's readouts: this month's value and the mean of the last 12 months (NaN months
    skipped; NaN when there are none, as before month 1).

    >>> monitor(np.array([1.0, 2.0, np.nan, 4.0])), monitor(np.array([]))
    ((4.0, 2.3333333333333335), (nan, nan))
    """
    values = np.asarray(values, float)
    if not len(values):
        return float("nan"), float("nan")
    last = values[-YEAR:]
    finite = last[np.isfinite(last)]
    return float(values[-1]), float(finite.mean()) if len(finite) else float("nan")


class NetworkView:
    """The relationship network of one run, laid out once and redrawn each month.

    SMBs sit on the outer ring at their place in the market (an entrant takes its predecessor's
    spot), vendors on the inner ring at theirs; the places are computed once. Vendors are squares
    sized by their clients, grey until they have delivered on a contract, then green (good) or red
    (lemon); focal firms are orange stars; contract ties are coloured and thickened by relational
    capital. :meth:`png` draws a month with the ties that ``ties`` (a key of :data:`TIE_FILTERS`)
    selects.
    """

    def __init__(self, smb_places: int, vendor_places: int, initial_vendors: int) -> None:
        self.lock = threading.Lock()
        self.smb_xy = _ring(smb_places, 1.0)
        initial = max(1, min(initial_vendors, vendor_places))
        room = -(-vendor_places // initial)  # places per initial vendor, rounded up
        slots = [(k % initial) * room + k // initial for k in range(vendor_places)]
        self.vendor_xy = _ring(initial * room, 0.45)[slots]
        self.figure = Figure(figsize=NETWORK_SIZE, dpi=NETWORK_DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        ax = self.axes = self.figure.add_axes((0.0, 0.0, 0.66, 1.0))
        ax.set_xlim(-1.08, 1.08)
        ax.set_ylim(-1.08, 1.08)
        ax.set_aspect("equal")
        ax.set_axis_off()
        self.peer_ties = LineCollection([], colors=PEER_COLOUR, linewidths=0.4, animated=True)
        self.contract_ties = LineCollection(
            [], cmap=TRUST_CMAP, norm=Normalize(0.0, 1.0), alpha=0.75, animated=True
        )
        ax.add_collection(self.peer_ties)
        ax.add_collection(self.contract_ties)
        smb_size = max(8.0, 1500.0 / max(smb_places, 1))
        self.smbs = ax.scatter(*self.smb_xy.T, s=smb_size, c=SMB_COLOUR, linewidths=0, animated=True)
        self.vendors = ax.scatter(
            *self.vendor_xy.T, s=0.0, marker="s", edgecolors="black", linewidths=0.5, animated=True
        )
        self.focal = ax.scatter(
            [], [], s=260, marker="*", c=FOCAL_COLOUR, edgecolors="black", linewidths=0.6, animated=True
        )
        legend = [
            Line2D([], [], marker="o", ls="", color=SMB_COLOUR, label="SMB"),
            Line2D([], [], marker="*", ls="", mec="black", color=FOCAL_COLOUR, ms=10, label="focal firm"),
            *(
                Line2D([], [], marker="s", ls="", mec="black", color=VENDOR_COLOURS[s], label=text)
                for s, text in VENDOR_LABELS.items()
            ),
            Line2D([], [], color=PEER_COLOUR, label="peer tie"),
        ]
        self.figure.legend(
            handles=legend,
            loc="upper left",
            bbox_to_anchor=(0.67, 0.9),
            fontsize=8,
            frameon=False,
            title="vendor size: clients",
            title_fontsize=8,
        )
        colorbar_axes = self.figure.add_axes((0.69, 0.22, 0.27, 0.035))
        self.figure.colorbar(
            ScalarMappable(norm=Normalize(0.0, 1.0), cmap=TRUST_CMAP),
            cax=colorbar_axes,
            orientation="horizontal",
        )
        colorbar_axes.set_title("relational capital\nof a contract tie", fontsize=8)
        colorbar_axes.tick_params(labelsize=7)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.figure.bbox)

    def png(self, state: NetworkState, ties: str = "contracts") -> bytes:
        """The network in ``state`` with the ties ``ties`` selects, as a PNG image."""
        if ties not in TIE_FILTERS:
            raise ValueError(f"ties must be one of {', '.join(TIE_FILTERS)}, got {ties!r}")
        with self.lock:
            self.canvas.restore_region(self.background)
            contract = state.contracts
            if ties == "strong ties":
                contract = contract[state.trust >= STRONG_TIE]
                trust = state.trust[state.trust >= STRONG_TIE]
            elif ties == "focal firms":
                keep = state.focal_smb[contract[:, 0]]
                contract, trust = contract[keep], state.trust[keep]
            else:
                trust = state.trust
            peers = state.peers
            if ties == "focal firms":
                peers = peers[state.focal_smb[peers[:, 0]] | state.focal_smb[peers[:, 1]]]
            elif ties != "contracts and peers":
                peers = peers[:0]
            self.peer_ties.set_segments(
                np.stack([self.smb_xy[peers[:, 0]], self.smb_xy[peers[:, 1]]], axis=1)
            )
            self.contract_ties.set_segments(
                np.stack([self.smb_xy[contract[:, 0]], self.vendor_xy[contract[:, 1]]], axis=1)
            )
            self.contract_ties.set_array(trust)
            self.contract_ties.set_linewidths(0.3 + 1.5 * trust)
            colours = np.tile(to_rgba(SMB_COLOUR), (len(self.smb_xy), 1))
            colours[:, 3] = state.smb_active  # exited places are not drawn
            self.smbs.set_facecolors(colours)
            sizes = np.where(state.vendor_active, 30.0 + 12.0 * np.sqrt(state.clients), 0.0)
            self.vendors.set_sizes(sizes)
            self.vendors.set_facecolors([VENDOR_COLOURS[s] for s in state.vendor_status])
            self.focal.set_offsets(self.smb_xy[state.focal_smb & state.smb_active].reshape(-1, 2))
            for artist in (self.peer_ties, self.contract_ties, self.smbs, self.vendors, self.focal):
                self.axes.draw_artist(artist)
            return _png(self.canvas)


class NetworkState:
    """What the network view draws of one month, read from the model's arrays: contract ties as
    (SMB place, vendor place) with their relational capital, peer ties as SMB place pairs, who is
    in business, focal, and each vendor's clients and shown type."""

    def __init__(self, model: Any) -> None:
        c, vp = model.contracts, model.vendors
        active = c.active_index()
        pairs = np.column_stack([c.smb[active], c.vendor[active]]).astype(np.intp).reshape(-1, 2)
        pairs, first = np.unique(pairs, axis=0, return_index=True)  # one tie per SMB-vendor pair
        self.contracts = pairs
        self.trust = np.clip(np.asarray(model._trust(c.pair[active[first]]), float), 0.0, 1.0)
        self.smb_active = np.asarray(model.smb_active, bool)
        peers = np.array(list(model.peers.graph.edges), dtype=np.intp).reshape(-1, 2)
        self.peers = peers[self.smb_active[peers[:, 0]] & self.smb_active[peers[:, 1]]]
        self.focal_smb = np.asarray(model.is_focal, bool)
        self.vendor_active = np.asarray(vp.alive, bool)
        self.clients = np.bincount(pairs[:, 1], minlength=len(vp.alive))
        revealed = self.vendor_active & ~np.isnan(vp.reputation)
        self.vendor_status = np.where(
            revealed, np.where(np.asarray(vp.is_lemon, bool), "lemon", "good"), "hidden"
        )
        self.month = model.steps

    @property
    def summary(self) -> str:
        return (
            f"Month {self.month}: {int(self.smb_active.sum())} SMBs in business, "
            f"{int(self.vendor_active.sum())} vendors, {len(self.contracts)} SMB-vendor contract ties"
        )


def _ring(count: int, radius: float) -> np.ndarray:
    """``count`` points evenly spaced on a circle, the first at the top."""
    angle = np.pi / 2 - 2 * np.pi * np.arange(count) / max(count, 1)
    return radius * np.column_stack([np.cos(angle), np.sin(angle)])
