"""Figures of a sweep: time series, final values, heatmaps, policy comparisons, sensitivity, networks.

Every function takes one of the tidy tables of :mod:`analysis.statistics` (one row per design cell
and metric, with ``mean``, ``ci_low`` and ``ci_high``) or a result of :mod:`analysis.sensitivity`,
and returns a :class:`matplotlib.figure.Figure`; :func:`save_figure` writes it as PNG (300 dpi) and
SVG and closes it. Figures are built on :class:`~matplotlib.figure.Figure` directly rather than
through ``pyplot``, so nothing here opens a window or needs a display: files are rendered with
Matplotlib's Agg (PNG) and SVG back ends, and a figure left unsaved is freed like any object.

Axes are labelled in words with units, never with column names: :func:`label`
(:mod:`ecosystem.labels`, shared with the dashboard) turns a metric or parameter name into its
reader-facing label, from a curated list for the model's reporters and the usual factors, and
otherwise from the reporter's docstring or the parameter schema.

Examples
--------
>>> level_text("time_and_materials")
'time and materials'
"""

from __future__ import annotations

import math
import re
import sys
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib as mpl
import networkx as nx
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ecosystem.labels import label
from ecosystem.parameters import parameter
from ecosystem.reporters import MODEL_REPORTERS

__all__ = [
    "share_area_figure",
    "context_effect_figure",
    "DPI",
    "final_value_figure",
    "heatmap_figure",
    "label",
    "level_text",
    "levels",
    "network_figure",
    "policy_comparison_figure",
    "save_figure",
    "sensitivity_figure",
    "timeseries_figure",
]

#: Resolution of the PNG files, in dots per inch (print quality).
DPI = 300
#: Columns of the statistics tables that are not factors.
STAT_COLUMNS = frozenset({"metric", "step", "mean", "sd", "n", "ci_low", "ci_high", "sem", "median"})
#: Above this many distinct values a numeric factor is drawn as a scatter, not as levels.
MAX_LEVELS = 12


def describe(name: str) -> str:
    """The full meaning of a metric (reporter docstring) or parameter (schema description).

    Examples
    --------
    >>> describe("shirking_rate")
    "Share of this month's deliveries on which the vendor shirked."
    """
    if name in MODEL_REPORTERS:
        return " ".join((MODEL_REPORTERS[name].__doc__ or "").split())
    try:
        return parameter(name).description
    except ValueError:
        return ""


def level_text(value: Any) -> str:
    """A factor level as text for legends and ticks: ``time_and_materials`` -> ``time and materials``.

    Examples
    --------
    A population mix, as a mapping or as its stored text, reads as its shares:

    >>> level_text(0.05), level_text(True), level_text("fixed_price")
    ('0.05', 'yes', 'fixed price')
    >>> level_text("fixed_price:0.5,performance_based:0.5")
    'fixed price 50 % + performance based 50 %'
    """
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, float | np.floating):
        return f"{float(value):g}"
    if isinstance(value, str) and _MIX.fullmatch(value):
        value = {key: float(share) for key, share in (item.split(":") for item in value.split(","))}
    if isinstance(value, Mapping):
        return " + ".join(f"{level_text(key)} {100 * share:.3g} %" for key, share in value.items())
    return str(value).replace("_", " ")


#: The text of a population mix, as :func:`ecosystem.parameters.format_value` writes it.
_MIX = re.compile(r"\w+:[0-9.eE+-]+(,\w+:[0-9.eE+-]+)*")


def levels(name: str, values: Iterable[Any]) -> list[Any]:
    """The distinct ``values`` of factor ``name`` in reading order.

    Categorical parameters keep the schema's order of choices (single, dual, multi), everything
    else is sorted.

    Examples
    --------
    >>> levels("sourcing_policy", ["multi", "single", "dual", "single"])
    ['single', 'dual', 'multi']
    >>> levels("lemon_share", [0.6, 0.0, 0.3])
    [0.0, 0.3, 0.6]
    """
    present = list(dict.fromkeys(pd.Series(list(values)).tolist()))
    try:
        choices = parameter(name).choices
    except ValueError:
        choices = None
    if choices:
        return [c for c in choices if c in present] + sorted(v for v in present if v not in choices)
    try:
        return sorted(present)
    except TypeError:
        return present


def _is_categorical(name: str, values: pd.Series) -> bool:
    try:
        return parameter(name).kind in (str, bool)
    except ValueError:
        return not pd.api.types.is_numeric_dtype(values)


def _wrap(text: str, width: int = 38) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _ticks(values: Sequence[Any]) -> list[str]:
    """Tick labels of factor levels, long ones broken over lines so neighbours do not collide."""
    return [_wrap(level_text(v), 12) for v in values]


# --- style ---------------------------------------------------------------------------------------


@contextmanager
def _style():
    """Seaborn's white grid and paper context for the figures made inside, without global changes."""
    with (
        sns.axes_style("whitegrid"),
        sns.plotting_context("paper", font_scale=1.25),
        mpl.rc_context({"axes.titleweight": "bold", "legend.frameon": False}),
    ):
        yield


def _palette(name: str, values: Sequence[Any], categorical: bool) -> dict[Any, Any]:
    """Colours per level: colour-blind safe hues for categories, a sequential scale for numbers."""
    if categorical:
        colours = sns.color_palette("colorblind", max(len(values), 1))
    else:
        colours = sns.color_palette("viridis", max(len(values), 1))
    return dict(zip(values, colours, strict=False))


def _figure(panels: int, ncols: int, width: float = 3.6, height: float = 3.0) -> tuple[Figure, list]:
    ncols = max(1, min(ncols, panels))
    nrows = math.ceil(panels / ncols)
    fig = Figure(figsize=(max(5.5, width * ncols + 1.6), height * nrows + 0.9), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=False).ravel().tolist()
    for extra in axes[panels:]:
        extra.set_visible(False)
    return fig, axes[:panels]


def _select(table: pd.DataFrame, metric: str, used: Iterable[str | None], what: str) -> pd.DataFrame:
    """The rows of ``metric``; refuses a table whose other factor columns still vary."""
    if "metric" in table.columns:
        if metric not in set(table["metric"]):
            found = ", ".join(map(str, pd.unique(table["metric"])))
            raise ValueError(f"{what}: no rows for metric {metric!r}; the table holds {found}")
        table = table[table["metric"] == metric]
    for column in ("mean", "ci_low", "ci_high"):
        if column not in table.columns:
            raise ValueError(f"{what}: the table needs a {column!r} column (see analysis.statistics)")
    used = {u for u in used if u is not None}
    for name in used:
        if name not in table.columns:
            raise ValueError(f"{what}: the table has no column {name!r}")
    varying = [c for c in table.columns if c not in STAT_COLUMNS and c not in used and table[c].nunique() > 1]
    if varying:
        raise ValueError(
            f"{what}: the table still varies {varying}; summarise it over only {sorted(used)} "
            "(e.g. final_state(frame, [factor], metrics)) or pass them as hue/facet"
        )
    return table


# --- strategy shares ------------------------------------------------------------------------------


def share_area_figure(frame: pd.DataFrame, shares: Sequence[str], factors: Sequence[str]) -> Figure:
    """Shares of a population over the months as stacked areas, one panel per cell of the design.

    ``frame`` holds one row per run and recorded month, with the ``factors`` and the ``shares``
    (columns summing to 1 in each row, e.g. ``share_rule_*``); each panel stacks the shares'
    means over the cell's replications. This is how a tournament of strategies is read: which
    strategy takes over where.

    Examples
    --------
    >>> rows = pd.DataFrame({"cell": [0, 0, 1, 1], "step": [1, 2, 1, 2],
    ...                      "share_rule_a": [0.5, 0.8, 0.5, 0.2], "share_rule_b": [0.5, 0.2, 0.5, 0.8]})
    >>> fig = share_area_figure(rows, ["share_rule_a", "share_rule_b"], ["cell"])
    >>> len([ax for ax in fig.axes if ax.get_visible()])
    2
    >>> _close(fig)
    """
    factors = list(factors)
    means = frame.groupby([*factors, "step"], dropna=False)[list(shares)].mean().reset_index()
    cells = means[factors].drop_duplicates().to_dict("records") if factors else [{}]
    colours = sns.color_palette("colorblind", len(shares))
    with _style():
        fig, axes = _figure(len(cells), ncols=min(4, len(cells)), width=3.2, height=2.6)
        for ax, cell in zip(axes, cells, strict=True):
            rows = means
            for name, value in cell.items():
                rows = rows[rows[name] == value]
            ax.stackplot(
                rows["step"], *(rows[s].to_numpy() for s in shares), colors=colours, alpha=0.9, linewidth=0
            )
            ax.set_ylim(0, 1)
            ax.set_xlim(rows["step"].min(), rows["step"].max())
            ax.set_title(
                _wrap(", ".join(f"{_short(n)} {level_text(v)}" for n, v in cell.items()), 44), fontsize=9
            )
            ax.set_xlabel("Month")
            ax.set_ylabel("Share of SMBs")
        handles = [Patch(color=c) for c in colours]
        names = [
            s.removeprefix("share_rule_").removeprefix("share_contract_").removeprefix("share_sourcing_")
            for s in shares
        ]
        fig.legend(handles, names, loc="outside right upper", title="Strategy")
    return fig


def _short(name: str) -> str:
    return label(name, unit=False).lower()


# --- time series ---------------------------------------------------------------------------------


def timeseries_figure(summary: pd.DataFrame, metric: str, factor: str | None = None, *, facet=None) -> Figure:
    """The mean of ``metric`` over the months, one line per level of ``factor``, with 95 % CI bands.

    Parameters
    ----------
    summary : DataFrame
        :func:`analysis.statistics.summarize` output (``by_step=True``): ``step``, ``metric``,
        ``mean``, ``ci_low``, ``ci_high`` and the factor columns.
    metric : str
        The metric to draw.
    factor : str, optional
        The factor whose levels are the lines; ``None`` draws one line.
    facet : str, optional
        A second factor, one panel per level (small multiples, shared y axis).

    Raises
    ------
    ValueError
        If the table has no rows for ``metric``, or another factor column still varies (summarise
        over fewer factors first).
    """
    data = _select(summary, metric, [factor, facet, "step"], "timeseries_figure")
    panels = levels(facet, data[facet]) if facet else [None]
    lines = levels(factor, data[factor]) if factor else [None]
    categorical = factor is not None and _is_categorical(factor, data[factor])
    colours = _palette(factor or "", lines, categorical or factor is None)
    few = data["step"].nunique() <= 24
    with _style():
        nrows = math.ceil(len(panels) / 4)
        fig, axes = _figure(len(panels), math.ceil(len(panels) / nrows))
        for ax, panel in zip(axes, panels, strict=True):
            part = data if panel is None else data[data[facet] == panel]
            for line in lines:
                rows = part if line is None else part[part[factor] == line]
                rows = rows.sort_values("step")
                colour = colours[line]
                ax.plot(
                    rows["step"],
                    rows["mean"],
                    color=colour,
                    lw=1.8,
                    marker="o" if few else None,
                    ms=3,
                    label=level_text(line) if line is not None else "mean",
                )
                ax.fill_between(rows["step"], rows["ci_low"], rows["ci_high"], color=colour, alpha=0.2, lw=0)
            if panel is not None:
                ax.set_title(_wrap(f"{label(facet, unit=False)}: {level_text(panel)}", 30), fontsize="medium")
            ax.set_xlabel("Month")
        _share_y(axes)
        if len(axes) > 1:
            fig.supylabel(_wrap(label(metric), 48), fontsize="medium")
        else:
            axes[0].set_ylabel(_wrap(label(metric)))
        if factor is not None:
            _legend(fig, axes[0], label(factor))
        else:
            axes[0].legend(["mean, 95 % CI band"], loc="best")
        if facet is None:
            title = f"{label(metric, unit=False)} over time"
            axes[0].set_title(title + (f" by {label(factor, unit=False).lower()}" if factor else ""))
    return fig


def _share_y(axes: list) -> None:
    """One y range for every panel, and y tick labels only on the left column."""
    if len(axes) < 2:
        return
    low = min(ax.get_ylim()[0] for ax in axes)
    high = max(ax.get_ylim()[1] for ax in axes)
    for ax in axes:
        ax.set_ylim(low, high)
    left = axes[0].get_position().x0
    for ax in axes[1:]:
        if abs(ax.get_position().x0 - left) > 1e-6:
            ax.tick_params(labelleft=False)


def _legend(fig: Figure, ax, title: str) -> None:
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    fig.legend(handles, labels, title=_wrap(title, 28), loc="outside right center")


# --- final values --------------------------------------------------------------------------------


def final_value_figure(
    final: pd.DataFrame, metric: str, factor: str, *, hue: str | None = None, when: str = "final month"
) -> Figure:
    """The value of ``metric`` against ``factor`` with 95 % CI error bars, optionally one series per ``hue``.

    A categorical factor (or a numeric one with few levels and a ``hue``) is drawn as dodged points
    per level; a numeric factor as lines over its actual values, so unequal spacing shows; a numeric
    factor with more than :data:`MAX_LEVELS` values (continuous designs) as a scatter of the design
    points.

    Parameters
    ----------
    final : DataFrame
        :func:`analysis.statistics.final_state` or ``time_averaged`` output: the factor columns,
        ``metric``, ``mean``, ``ci_low``, ``ci_high``.
    metric, factor : str
        The outcome (y) and the factor (x).
    hue : str, optional
        A second factor drawn as separate series (an interaction plot).
    when : str
        What the values are, for the title: ``"final month"`` or ``"mean over the months"``.
    """
    data = _select(final, metric, [factor, hue], "final_value_figure")
    categorical = _is_categorical(factor, data[factor])
    xs = levels(factor, data[factor])
    series = levels(hue, data[hue]) if hue else [None]
    colours = _palette(hue or "", series, hue is None or _is_categorical(hue, data[hue]))
    with _style():
        fig, (ax,) = _figure(1, 1, width=5.2, height=3.8)
        if not categorical and len(xs) > MAX_LEVELS:
            _scatter(ax, data, factor)
        else:
            width = 0.5 if len(series) > 1 else 0.0
            for j, item in enumerate(series):
                rows = data if item is None else data[data[hue] == item]
                rows = rows.set_index(factor).reindex(xs)
                if categorical:
                    x = np.arange(len(xs)) + (j - (len(series) - 1) / 2) * width / max(len(series), 1)
                else:
                    x = np.asarray(xs, dtype=float)
                ax.errorbar(
                    x,
                    rows["mean"],
                    yerr=_yerr(rows),
                    color=colours[item],
                    marker="o",
                    ms=5,
                    capsize=3,
                    lw=1.5 if not categorical else 0,
                    elinewidth=1.2,
                    label=level_text(item) if item is not None else None,
                )
            if categorical:
                ax.set_xticks(range(len(xs)), _ticks(xs))
        ax.set_xlabel(_wrap(label(factor), 48))
        ax.set_ylabel(_wrap(label(metric)))
        ax.set_title(f"{label(metric, unit=False)}, {when}")
        if hue:
            _legend(fig, ax, label(hue))
    return fig


def _yerr(rows: pd.DataFrame) -> np.ndarray:
    low = (rows["mean"] - rows["ci_low"]).to_numpy(dtype=float)
    high = (rows["ci_high"] - rows["mean"]).to_numpy(dtype=float)
    return np.nan_to_num(np.vstack([low, high]), nan=0.0).clip(min=0.0)


def _scatter(ax, data: pd.DataFrame, factor: str) -> None:
    rows = data.sort_values(factor)
    ax.errorbar(
        rows[factor], rows["mean"], yerr=_yerr(rows), fmt="none", ecolor="0.7", elinewidth=0.8, zorder=1
    )
    ax.scatter(rows[factor], rows["mean"], s=14, color=sns.color_palette("colorblind")[0], zorder=2)
    if len(rows) >= 8:  # a running mean over bins of design points shows the trend
        bins = pd.qcut(rows[factor], q=min(8, len(rows) // 4 or 1), duplicates="drop")
        trend = rows.groupby(bins, observed=True).agg(x=(factor, "mean"), y=("mean", "mean"))
        ax.plot(trend["x"], trend["y"], color="0.2", lw=1.6, label="binned mean")
        ax.legend(loc="best")


# --- heatmap -------------------------------------------------------------------------------------


def heatmap_figure(
    final: pd.DataFrame, metric: str, factor_x: str, factor_y: str, *, when: str = "final month"
) -> Figure:
    """The mean of ``metric`` on the grid of two factors, each cell annotated with its value.

    The y factor grows upwards, as on a plot; cells without runs stay blank.
    """
    data = _select(final, metric, [factor_x, factor_y], "heatmap_figure")
    xs = levels(factor_x, data[factor_x])
    ys = levels(factor_y, data[factor_y])[::-1]
    grid = data.pivot_table(index=factor_y, columns=factor_x, values="mean", aggfunc="mean")
    grid = grid.reindex(index=ys, columns=xs)
    annot = grid.map(lambda v: "" if pd.isna(v) else f"{v:.3g}")
    with _style(), sns.axes_style("white"):
        fig, (ax,) = _figure(1, 1, width=max(4.4, 0.9 * len(xs) + 1.8), height=max(3.4, 0.6 * len(ys) + 1.6))
        sns.heatmap(
            grid,
            ax=ax,
            annot=annot.to_numpy(),
            fmt="",
            cmap="viridis",
            linewidths=0.5,
            linecolor="white",
            cbar_kws={"label": _wrap(label(metric), 30)},
            xticklabels=_ticks(xs),
            yticklabels=[level_text(v) for v in ys],
        )
        ax.set_xlabel(_wrap(label(factor_x), 48))
        ax.set_ylabel(_wrap(label(factor_y), 34))
        ax.tick_params(axis="y", rotation=0)
        ax.set_title(f"{label(metric, unit=False)}, {when}")
    return fig


# --- policy comparison ---------------------------------------------------------------------------


def policy_comparison_figure(
    final: pd.DataFrame,
    metrics: Sequence[str],
    factor: str,
    *,
    hue: str | None = None,
    when: str = "final month",
) -> Figure:
    """Small multiples: each outcome in ``metrics`` across the levels of a policy ``factor``.

    One panel per metric, the policy levels on the x axis with means and 95 % CI error bars; a
    ``hue`` factor (e.g. the failure rate a policy must cope with) adds one dodged series per level.
    Each panel keeps its own y scale, since the outcomes have different units.
    """
    if not metrics:
        raise ValueError("policy_comparison_figure: name at least one metric")
    xs = levels(factor, final[factor]) if factor in final.columns else []
    series = levels(hue, final[hue]) if hue and hue in final.columns else [None]
    colours = _palette(hue or "", series, hue is None or _is_categorical(hue, final[hue]))
    with _style():
        fig, axes = _figure(len(metrics), 3, width=3.4, height=2.9)
        for ax, metric in zip(axes, metrics, strict=True):
            data = _select(final, metric, [factor, hue], "policy_comparison_figure")
            width = 0.6 if len(series) > 1 else 0.0
            for j, item in enumerate(series):
                rows = data if item is None else data[data[hue] == item]
                rows = rows.set_index(factor).reindex(xs)
                x = np.arange(len(xs)) + (j - (len(series) - 1) / 2) * width / max(len(series), 1)
                ax.errorbar(
                    x,
                    rows["mean"],
                    yerr=_yerr(rows),
                    color=colours[item],
                    marker="o",
                    ms=4.5,
                    lw=0,
                    capsize=2.5,
                    elinewidth=1.1,
                    label=level_text(item) if item is not None else None,
                )
            ax.set_xticks(range(len(xs)), _ticks(xs))
            ax.set_xlabel(label(factor, unit=False))
            ax.set_title(_wrap(label(metric), 34), fontsize="medium")
        if hue:
            _legend(fig, axes[0], label(hue))
        fig.suptitle(f"Outcomes by {label(factor, unit=False).lower()} ({when}; mean and 95 % CI)")
    return fig


# --- sensitivity ---------------------------------------------------------------------------------


def sensitivity_figure(indices: pd.DataFrame, metric: str) -> Figure:
    """Sensitivity of ``metric`` to each parameter, largest first, with 95 % confidence intervals.

    Sobol indices (columns ``S1``, ``S1_conf``, ``ST``, ``ST_conf``) are drawn as paired bars of
    the first-order and total index, shares of the output variance; Morris screening (``mu_star``,
    ``mu_star_conf``, ``sigma``) as bars of mu* with its interval beside sigma, both in the
    metric's unit.
    """
    if "parameter" not in indices.columns:
        raise ValueError("sensitivity_figure: the table needs a 'parameter' column (analysis.sensitivity)")
    if {"S1", "ST"} <= set(indices.columns):
        bars = [("S1", "S1_conf", "first order (S1)"), ("ST", "ST_conf", "total (ST)")]
        order, xlabel = "ST", "Sobol index (share of output variance)"
    elif "mu_star" in indices.columns:
        bars = [("mu_star", "mu_star_conf", "mean |elementary effect| (μ*)"), ("sigma", None, "σ")]
        order, xlabel = "mu_star", _wrap(f"Elementary effect on {label(metric, unit=False).lower()}", 50)
    else:
        raise ValueError("sensitivity_figure: expected Sobol (S1, ST) or Morris (mu_star, sigma) columns")
    data = indices.sort_values(order, ascending=True)
    y = np.arange(len(data))
    colours = sns.color_palette("colorblind", 2)
    with _style():
        fig, (ax,) = _figure(1, 1, width=5.0, height=max(2.8, 0.45 * len(data) + 1.2))
        height = 0.38
        for k, (column, conf, name) in enumerate(bars):
            err = data[conf].to_numpy(dtype=float) if conf and conf in data.columns else None
            ax.barh(
                y + (k - 0.5) * height,
                data[column],
                height=height,
                xerr=err,
                color=colours[k],
                capsize=2.5,
                error_kw={"elinewidth": 1.0},
                label=name,
            )
        ax.set_yticks(y, [label(p, unit=False) for p in data["parameter"]])
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_xlabel(xlabel)
        ax.set_title(_wrap(f"Sensitivity of {label(metric, unit=False).lower()}", 50))
        ax.legend(loc="lower right")
    return fig


# --- network -------------------------------------------------------------------------------------


def context_effect_figure(tests: pd.DataFrame) -> Figure:
    """One expectation's effect in each background context (rows of
    :func:`analysis.statistics.context_tests`), sorted, with intervals, coloured by verdict."""
    colours = {"supported": "tab:green", "contradicted": "tab:red", "not detected": "0.55"}
    rows = tests.sort_values("effect", kind="stable").reset_index(drop=True)
    with _style():
        fig, (ax,) = _figure(1, 1, width=max(4.5, 0.25 * len(rows) + 2.5))
        for verdict, colour in colours.items():
            mine = rows[rows["verdict"] == verdict]
            if mine.empty:
                continue
            low = (mine["effect"] - mine["effect_ci_low"]).clip(lower=0)
            high = (mine["effect_ci_high"] - mine["effect"]).clip(lower=0)
            ax.errorbar(
                mine.index, mine["effect"], yerr=[low, high], fmt="o", color=colour, capsize=2, label=verdict
            )
        ax.axhline(0.0, color="black", lw=0.8)
        ax.set_xticks(rows.index, [str(c) for c in rows["context"]])
        ax.set(xlabel="Context (sorted by effect)", ylabel=_wrap(str(rows["effect_name"].iloc[0]), 30))
        ax.legend(title="Verdict", loc="best")
    return fig


def network_figure(graph: nx.Graph, *, seed: int = 0, title: str | None = None) -> Figure:
    """The relationship network: SMBs (circles), vendors (squares), lemon vendors (red diamonds).

    Peer ties between SMBs are thin grey lines; contract ties are coloured by their relational
    capital (0-1). The spring layout is seeded, so the same graph gives the same picture. Made for
    graphs of up to a few hundred nodes (``EcosystemModel.network``).
    """
    kinds = nx.get_node_attributes(graph, "kind")
    smbs = [n for n in graph if kinds.get(n) == "smb"]
    vendors = [n for n in graph if kinds.get(n) == "vendor" and not graph.nodes[n].get("lemon")]
    lemons = [n for n in graph if kinds.get(n) == "vendor" and graph.nodes[n].get("lemon")]
    peer = [(a, b) for a, b, d in graph.edges(data=True) if d.get("kind") == "peer"]
    contract = [(a, b) for a, b, d in graph.edges(data=True) if d.get("kind") == "contract"]
    trust = [graph.edges[e].get("relational_capital", 0.0) for e in contract]
    colours = sns.color_palette("colorblind")
    cmap = mpl.colormaps["viridis"]
    with _style(), sns.axes_style("white"):
        fig = Figure(figsize=(7.5, 6.4), layout="constrained")
        ax = fig.subplots()
        ax.set_axis_off()
        if len(graph) == 0:
            ax.text(0.5, 0.5, "no agents in the market", ha="center", va="center", transform=ax.transAxes)
            return fig
        pos = _layout(graph, seed)
        nx.draw_networkx_edges(graph, pos, edgelist=peer, ax=ax, edge_color="0.75", width=0.5, alpha=0.6)
        if contract:
            nx.draw_networkx_edges(
                graph,
                pos,
                edgelist=contract,
                ax=ax,
                edge_color=trust,
                edge_cmap=cmap,
                edge_vmin=0.0,
                edge_vmax=1.0,
                width=1.2,
                alpha=0.9,
            )
        draw = nx.draw_networkx_nodes
        draw(graph, pos, nodelist=smbs, ax=ax, node_shape="o", node_size=22, node_color=[colours[0]])
        draw(graph, pos, nodelist=vendors, ax=ax, node_shape="s", node_size=60, node_color=[colours[1]])
        draw(graph, pos, nodelist=lemons, ax=ax, node_shape="D", node_size=60, node_color=[colours[3]])
        for collection in ax.collections[-3:]:
            collection.set_edgecolor("0.15")
            collection.set_linewidth(0.5)
        mappable = mpl.cm.ScalarMappable(norm=mpl.colors.Normalize(0, 1), cmap=cmap)
        fig.colorbar(mappable, ax=ax, shrink=0.6, label="Relational capital of a contract tie (0–1)")
        handles = [
            Line2D([], [], ls="", marker="o", ms=6, mfc=colours[0], mec="0.15", label=f"SMB ({len(smbs)})"),
            Line2D(
                [], [], ls="", marker="s", ms=7, mfc=colours[1], mec="0.15", label=f"vendor ({len(vendors)})"
            ),
            Line2D(
                [],
                [],
                ls="",
                marker="D",
                ms=7,
                mfc=colours[3],
                mec="0.15",
                label=f"lemon vendor ({len(lemons)})",
            ),
            Line2D([], [], color="0.6", lw=1, label="peer tie"),
            Line2D([], [], color=cmap(0.8), lw=1.5, label="contract tie"),
        ]
        fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize="small")
        month = graph.graph.get("month")
        ax.set_title(title or (f"Relationship network at month {month}" if month is not None else "Network"))
    return fig


def _layout(graph: nx.Graph, seed: int) -> dict[Any, np.ndarray]:
    """A seeded spring layout of the connected nodes; agents with no tie on a ring around them.

    Laid out together, isolated vendors would be pushed far out and squeeze the rest into a dot.
    """
    isolated = [n for n in graph if graph.degree(n) == 0]
    linked = graph.subgraph(n for n in graph if graph.degree(n) > 0)
    pos: dict[Any, np.ndarray] = {}
    if len(linked):
        k = 1.5 / math.sqrt(len(linked))
        pos = nx.spring_layout(linked, seed=seed, k=k, iterations=100, scale=1.0)
    angles = np.linspace(0.0, 2 * np.pi, len(isolated), endpoint=False) + np.pi / 2
    radius = 1.25 if pos else 1.0
    for node, angle in zip(isolated, angles, strict=True):
        pos[node] = radius * np.array([np.cos(angle), np.sin(angle)])
    return pos


# --- files ---------------------------------------------------------------------------------------


def save_figure(fig: Figure, path: str | Path) -> list[Path]:
    """Write ``fig`` to ``path.png`` (300 dpi) and ``path.svg`` and close it; return both paths.

    ``path`` has no suffix; missing folders are made. The files carry no creation date and the
    SVG ids a fixed salt, so the same figure gives the same bytes on every run.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = [path.with_name(path.name + ".png"), path.with_name(path.name + ".svg")]
    try:
        with mpl.rc_context({"svg.hashsalt": "smb-eco", "svg.fonttype": "path"}):
            fig.savefig(written[0], dpi=DPI, metadata={"Software": None})
            fig.savefig(written[1], metadata={"Date": None, "Creator": None})
    finally:
        _close(fig)
    return written


def _close(fig: Figure) -> None:
    """Release ``fig``; a figure made through ``pyplot`` is also removed from pyplot's registry."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(fig)
    fig.clear()
