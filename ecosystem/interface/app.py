"""The classroom dashboard: a Mesa SolaraViz page over :class:`ecosystem.EcosystemModel`.

Start it with ``smb-eco dashboard`` (or ``solara run ecosystem.interface.app``). The page shows the
relationship network, live plots of the key reporters, controls generated from the parameter
schema and a chooser of the classroom scenarios of :mod:`ecosystem.interface.presets`; SolaraViz adds
step, play/pause and reset.

Display only: every default comes from the schema (:mod:`ecosystem.parameters`), every scenario
from :mod:`ecosystem.interface.presets`, the seed from the command line's default. Everything is drawn
with matplotlib on the server, so the page needs no CDN (see ``docs/classroom.md``).
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Mapping
from functools import lru_cache
from html import escape
from typing import Any

import matplotlib as mpl
import networkx as nx
import numpy as np
import solara
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from mesa.visualization import Slider, SolaraViz, make_plot_component

from ..mechanisms.decision_rules import DECISION_RULES
from ..model import EcosystemModel
from ..parameters import FOCAL_PREFIX, Parameter, format_value, parameter, parse_value
from .cli import DEFAULT_SEED
from .presets import DEFAULT_PRESET, PRESETS, preset_parameters

__all__ = ["CONTROLS", "DashboardModel", "Page", "draw_network", "model_params", "new_model", "scenario_view"]

TITLE = "SMB-vendor outsourcing ecosystem"

#: The parameters students steer, in the order shown. ``None`` gives a slider over the schema's
#: whole range (or a chooser of its choices); a ``(low, high, step)`` narrows the slider to a
#: classroom range inside the schema's, where the full range would be too wide to steer.
CONTROLS: dict[str, tuple[float, float, float] | None] = {
    "n_smbs": (10, 200, 10),
    "n_vendors": (5, 60, 1),
    "decision_rule": None,
    "adaptation": None,
    "asset_specificity": None,
    "uncertainty": None,
    "strategic_importance": None,
    "lemon_share": None,
    "due_diligence": None,
    "monitoring_intensity": None,
    "vendor_patience": (0.3, 0.99, 0.01),
    "contract_type": None,
    "holdup_share": None,
    "trust_gain": (0.0, 0.3, 0.01),
    "referral_weight": None,
    "sourcing_policy": None,
    "vendor_failure_rate": (0.0, 0.1, 0.005),
    "innovation_rate": (0.0, 0.1, 0.005),
}
#: The focal firm's control: its sourcing policy, or no focal firm.
FOCAL_CONTROL = FOCAL_PREFIX + "sourcing_policy"
NO_FOCAL = "no focal firm"
#: Slider step over the schema's range of a float parameter, as a share of that range.
FLOAT_STEP_SHARE = 0.05
#: Highest seed offered by the seed slider.
MAX_SEED = 999

#: The plots: title, and the reporter(s) drawn (a dict gives each line its colour).
PLOTS: tuple[tuple[str, str | dict[str, str]], ...] = (
    ("Outsourcing share", "outsourcing_share"),
    ("Shirking rate", "shirking_rate"),
    (
        "Delivered vs true quality",
        {"mean_delivered_quality": "tab:blue", "mean_contracted_vendor_quality": "tab:orange"},
    ),
    ("Relational capital", "mean_relational_capital"),
    ("Innovations per month", {"innovations": "tab:green", "collaborative_innovations": "tab:purple"}),
    ("Disruption losses", "disruption_loss"),
    ("Hold-up: fee raise at renewal", "renewal_fee_change"),
    ("Monthly profit: SMBs and vendors", {"mean_smb_profit": "tab:blue", "mean_vendor_profit": "tab:red"}),
    (
        "Decision rules: share of SMBs",
        {f"share_rule_{rule}": f"C{k}" for k, rule in enumerate(DECISION_RULES)},
    ),
    ("Focal firm: profit", "focal_profit"),
)
#: Plots whose measures are shares or qualities in [0, 1].
UNIT_INTERVAL_PLOTS = frozenset(
    {
        "Outsourcing share",
        "Shirking rate",
        "Delivered vs true quality",
        "Relational capital",
        "Decision rules: share of SMBs",
    }
)

# --- network colours
SMB_COLOUR = "#4c72b0"
FOCAL_COLOUR = "#ff9f1c"
VENDOR_COLOURS = {"hidden": "#9a9a9a", "good": "#2ca02c", "lemon": "#d62728"}
PEER_COLOUR = "#c8c8c8"
TRUST_CMAP = mpl.colormaps["viridis"]
#: Size in inches of every figure: wide enough to fill a SolaraViz grid cell without cropping.
FIGURE_SIZE = (6.4, 3.9)

# --- controls -------------------------------------------------------------------------------


def _control(spec: Parameter, value: Any, span: tuple[float, float, float] | None):
    """A SolaraViz input for one schema parameter, showing ``value``."""
    if spec.choices is not None:
        values = list(spec.choices) + ([equal_mix(spec)] if spec.mixable else [])
        value = format_value(value)
        if value not in values:
            values.append(value)
        return {"type": "Select", "value": value, "values": values, "label": spec.name}
    if spec.kind is bool:
        return {"type": "Checkbox", "value": value, "label": spec.name}
    if span is None:
        step = 1 if spec.kind is int else (spec.high - spec.low) * FLOAT_STEP_SHARE
        span = (spec.low, spec.high, step)
    low, high, step = span
    return Slider(spec.name, value=value, min=low, max=high, step=step, dtype=spec.kind)


def equal_mix(spec: Parameter) -> str:
    """The mix giving every choice of a mixable parameter the same share, as text (a preset mix).

    >>> equal_mix(parameter("decision_rule"))
    'tce:0.25,rbv:0.25,cost:0.25,hybrid:0.25'
    """
    return format_value({choice: 1 / len(spec.choices) for choice in spec.choices})


def model_params(preset: str) -> dict[str, Any]:
    """SolaraViz's ``model_params`` for a scenario: the seed, a control per :data:`CONTROLS`
    entry showing the scenario's value, and the scenario's other overrides as fixed values (so
    that Reset keeps them)."""
    values = preset_parameters(preset)
    params: dict[str, Any] = {
        "rng": Slider("random seed", value=DEFAULT_SEED, min=0, max=MAX_SEED, step=1, dtype=int)
    }
    params.update({name: _control(parameter(name), values[name], span) for name, span in CONTROLS.items()})
    params[FOCAL_CONTROL] = {
        "type": "Select",
        "value": NO_FOCAL,
        "values": [NO_FOCAL, *parameter(FOCAL_CONTROL).choices],
        "label": "focal firm: sourcing policy",
    }
    params.update({k: v for k, v in PRESETS[preset].overrides.items() if k not in CONTROLS})
    return params


class DashboardModel(EcosystemModel):
    """:class:`EcosystemModel` as SolaraViz's Reset re-creates it, safe to draw while it plays.

    Mesa 3.5's Reset passes every model that takes ``**kwargs`` an empty Mesa ``scenario`` next to
    the parameters; the ecosystem's parameters all come as keywords, so that scenario carries
    nothing and is dropped here (passed on, it would clash with ``rng``).

    While playing, SolaraViz steps the model in a worker thread and renders the page in another,
    so a render could read the model half way through a month (reporter columns of unequal
    length in the middle of the data collection, a vendor that has entered but has no agent
    yet). :attr:`lock` makes a month and a read exclusive: ``step()`` holds it, and so do the
    network view and every read of the collected data. It wraps the ``step`` Mesa installs on the
    instance, which counts the step before the month's work begins, so that no reader sees the
    new month's number with the old month's state (the network is cached per step).
    """

    def __init__(self, *, rng: Any = None, scenario: Any = None, **params: Any) -> None:
        if params.get(FOCAL_CONTROL) == NO_FOCAL:
            del params[FOCAL_CONTROL]
        params = {  # a mix chosen in a control arrives as its text
            name: parse_value(name, value) if isinstance(value, str) and ":" in value else value
            for name, value in params.items()
        }
        super().__init__(rng=rng, **params)
        self.lock = threading.RLock()
        month, read = self.step, self.datacollector.get_model_vars_dataframe

        def whole_month() -> None:
            with self.lock:
                month()

        def read_whole_months():
            with self.lock:
                return read()

        self.step = whole_month
        self.datacollector.get_model_vars_dataframe = read_whole_months


def new_model(preset: str) -> DashboardModel:
    """A fresh model of scenario ``preset`` on the default seed."""
    return DashboardModel(rng=DEFAULT_SEED, **preset_parameters(preset))


# --- the relationship network ---------------------------------------------------------------


@lru_cache(maxsize=32)
def _ring(count: int, radius: float) -> np.ndarray:
    """``count`` points evenly spaced on a circle, the first at the top."""
    angle = np.pi / 2 - 2 * np.pi * np.arange(count) / max(count, 1)
    return radius * np.column_stack([np.cos(angle), np.sin(angle)])


def _layout(model: EcosystemModel) -> dict[int, np.ndarray]:
    """Fixed positions: SMBs on the outer ring in peer-lattice order, vendors on the inner ring by
    market place, so nothing moves between steps and an entrant takes its predecessor's spot.

    The market has room for several times the initial vendors; the initial places are spread
    evenly round the ring and the places for entrants lie between them (empty places, ``None``
    in ``vendor_agents``, are not drawn)."""
    places = len(model.vendor_agents)
    initial = max(1, min(model.params["n_vendors"], places))
    room = -(-places // initial)  # places per initial vendor, rounded up
    slot = [(k % initial) * room + k // initial for k in range(places)]
    smbs, vendors = _ring(len(model.smb_agents), 1.0), _ring(initial * room, 0.45)
    pos = {agent.unique_id: smbs[i] for i, agent in enumerate(model.smb_agents)}
    for k, agent in enumerate(model.vendor_agents):
        if agent is not None:
            pos[agent.unique_id] = vendors[slot[k]]
    return pos


def _revealed(model: EcosystemModel) -> set[int]:
    """Vendors in the market (``unique_id``) whose quality SMBs have seen: those that have
    delivered on a contract, and so have a reputation (measured quality) to show."""
    vp = model.vendors
    places = np.flatnonzero(vp.alive & ~np.isnan(vp.reputation))
    return {model.vendor_agents[place].unique_id for place in places.tolist()}


def _vendor_status(data: Mapping[str, Any], revealed: bool) -> str:
    if not revealed:
        return "hidden"
    return "lemon" if data["lemon"] else "good"


def draw_network(model: EcosystemModel) -> Figure:
    """The relationship network as a matplotlib figure.

    SMBs are blue circles on the outer ring (the focal firm, if any, an orange star), vendors
    squares on the inner ring (grey until they have served a contract, then green for good and red
    for lemons, sized by their clients); contract ties are coloured and thickened by relational
    capital, peer ties faint grey.
    """
    graph = model.network
    pos = _layout(model)
    seen = _revealed(model)
    fig = Figure(figsize=FIGURE_SIZE)
    ax = fig.add_axes((0.0, 0.0, 0.64, 0.92))
    peer = [(u, v) for u, v, kind in graph.edges(data="kind") if kind == "peer"]
    contract = [
        (u, v, d["relational_capital"]) for u, v, d in graph.edges(data=True) if d["kind"] == "contract"
    ]
    nx.draw_networkx_edges(graph, pos, edgelist=peer, ax=ax, edge_color=PEER_COLOUR, width=0.4)
    if contract:
        trust = [rc for _, _, rc in contract]
        nx.draw_networkx_edges(
            graph,
            pos,
            edgelist=[(u, v) for u, v, _ in contract],
            ax=ax,
            edge_color=trust,
            edge_cmap=TRUST_CMAP,
            edge_vmin=0.0,
            edge_vmax=1.0,
            width=[0.3 + 1.5 * rc for rc in trust],
            alpha=0.7,
        )
    smbs = [n for n, kind in graph.nodes(data="kind") if kind == "smb"]
    focal = [n for n, d in graph.nodes(data=True) if d.get("focal")]
    nx.draw_networkx_nodes(
        graph,
        pos,
        nodelist=smbs,
        ax=ax,
        node_shape="o",
        node_color=SMB_COLOUR,
        node_size=max(6.0, 1500.0 / max(len(model.smb_agents), 1)),
        linewidths=0,
    )
    if focal:  # the focal firm, highlighted
        nx.draw_networkx_nodes(
            graph,
            pos,
            nodelist=focal,
            ax=ax,
            node_shape="*",
            node_color=FOCAL_COLOUR,
            node_size=260,
            edgecolors="black",
            linewidths=0.6,
        )
    for status, colour in VENDOR_COLOURS.items():
        vendors = [
            n
            for n, d in graph.nodes(data=True)
            if d["kind"] == "vendor" and _vendor_status(d, n in seen) == status
        ]
        if vendors:
            clients = [sum(1 for _, _, k in graph.edges(n, data="kind") if k == "contract") for n in vendors]
            nx.draw_networkx_nodes(
                graph,
                pos,
                nodelist=vendors,
                ax=ax,
                node_shape="s",
                node_color=colour,
                node_size=[30 + 12 * math.sqrt(c) for c in clients],
                edgecolors="black",
                linewidths=0.5,
            )
    vendor_labels = {"hidden": "vendor, type hidden", "good": "vendor, good", "lemon": "vendor, lemon"}
    legend = [
        Line2D([], [], marker="o", ls="", color=SMB_COLOUR, label="SMB"),
        *(
            [Line2D([], [], marker="*", ls="", mec="black", color=FOCAL_COLOUR, label="focal firm")]
            if focal
            else []
        ),
        *(
            Line2D([], [], marker="s", ls="", mec="black", color=VENDOR_COLOURS[s], label=label)
            for s, label in vendor_labels.items()
        ),
        Line2D([], [], color=PEER_COLOUR, label="peer tie"),
    ]
    fig.legend(handles=legend, loc="upper left", bbox_to_anchor=(0.66, 0.86), fontsize=8, frameon=False)
    colorbar_axes = fig.add_axes((0.68, 0.2, 0.28, 0.035))
    trust_scale = ScalarMappable(norm=Normalize(0.0, 1.0), cmap=TRUST_CMAP)
    fig.colorbar(trust_scale, cax=colorbar_axes, orientation="horizontal")
    colorbar_axes.set_title("relational capital\nof a contract tie", fontsize=8)
    colorbar_axes.tick_params(labelsize=7)
    fig.suptitle(
        f"Month {model.steps}: {len(smbs)} SMBs, {graph.number_of_nodes() - len(smbs)} vendors, "
        f"{len(contract)} SMB-vendor ties",
        fontsize=10,
    )
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig


def network_view(model: EcosystemModel):
    """The network as an image (SolaraViz re-renders it after every step), drawn between months."""
    with getattr(model, "lock", contextlib.nullcontext()):
        figure = draw_network(model)
    return solara.FigureMatplotlib(figure, format="png", bbox_inches="tight", dpi=90)


# --- plots and the parameter guide -----------------------------------------------------------


def _plot(title: str, measure: str | dict[str, str]):
    def post_process(ax) -> None:
        ax.figure.set_size_inches(*FIGURE_SIZE)
        ax.set_title(title, fontsize=11)
        months = max((len(line.get_xdata()) for line in ax.lines), default=0)
        ax.set_xlim(0, max(months - 1, 1))
        for line in ax.lines:
            if months == 1 or np.isnan(np.asarray(line.get_ydata(), float)).any():
                line.set_marker("o")  # a point between gaps (months without renewals) would be invisible
                line.set_markersize(3)
        if title in UNIT_INTERVAL_PLOTS:
            ax.set_ylim(0.0, 1.0)

    return make_plot_component(measure, post_process=post_process)


def _html(text: str) -> solara.Element:
    """Static HTML (Solara's Markdown would fetch KaTeX from a CDN, which fails offline)."""
    return solara.HTML(tag="div", unsafe_innerHTML=text, style={"font-size": "0.9rem"})


def _scenario_html(chosen) -> str:
    return (
        f"<p><b>{escape(chosen.question)}</b></p><p>{escape(chosen.theory)}</p>"
        f"<p><i>Try:</i> {escape(chosen.try_this)}</p>"
    )


def run_summary(model: EcosystemModel) -> str:
    """The control values the running model was built with (sliders show them only when dragged)."""
    values = " &middot; ".join(
        f"{name} <b>{escape(format_value(model.params[name]))}</b>" for name in CONTROLS
    )
    return f"<p>This run: {values}. Move a control and press <b>Reset</b> to start a run with it.</p>"


def parameter_guide(model: EcosystemModel):
    """What each control means and which scenario does what, from the schema and the presets."""
    rows = "".join(
        f"<tr><td><code>{name}</code></td><td>{escape(parameter(name).allowed())}</td>"
        f"<td>{escape(parameter(name).description)}</td></tr>"
        for name in CONTROLS
    )
    scenarios = "".join(f"<h4>{escape(name)}</h4>{_scenario_html(p)}" for name, p in PRESETS.items())
    return _html(
        "<h3>Controls</h3><p>Move a control, then press <b>Reset</b> to start a new run with it.</p>"
        f"<table><tr><th>parameter</th><th>allowed</th><th>meaning</th></tr>{rows}</table>"
        f"<h3>Classroom scenarios</h3>{scenarios}"
    )


COMPONENTS = [network_view, *(_plot(title, measure) for title, measure in PLOTS), (parameter_guide, 1)]

# --- the page -------------------------------------------------------------------------------

#: The scenario chosen in this browser session (Solara keeps one value per session).
preset = solara.reactive(DEFAULT_PRESET)


def scenario_view(name: str, model: solara.Reactive) -> solara.Element:
    """The SolaraViz of scenario ``name`` over the reactive ``model``."""
    return SolaraViz(model, components=COMPONENTS, model_params=model_params(name), name=TITLE)


@solara.component
def ScenarioChooser():  # noqa: N802 (Solara names components like classes)
    """Choosing a scenario starts a fresh run with its settings shown in the controls."""
    with solara.Card("Classroom scenario"):
        solara.Select(label="Scenario", value=preset, values=list(PRESETS))
        _html(_scenario_html(PRESETS[preset.value]))


@solara.component
def Scenario(name: str):  # noqa: N802 (Solara names components like classes)
    """One scenario's dashboard; mounted afresh (keyed by name) when the scenario changes."""
    initial = solara.use_memo(lambda: new_model(name), [])
    model = solara.use_reactive(initial)

    def stop_on_leave():
        # a run still playing when the scenario changes ends with it (Mesa's `running` flag)
        return lambda: setattr(model.value, "running", False)

    solara.use_effect(stop_on_leave, [])
    _html(run_summary(model.value))
    scenario_view(name, model)


@solara.component
def Page():  # noqa: N802 (Solara names components like classes)
    """The whole page: the scenario chooser in the sidebar and the scenario's dashboard.

    A new scenario is shown after one render without any: SolaraViz's controls live in the
    sidebar, where they would otherwise be kept (with the old scenario's settings for Reset)
    instead of built afresh.
    """
    shown, set_shown = solara.use_state(preset.value)
    solara.use_effect(lambda: set_shown(preset.value), [preset.value])
    with solara.Sidebar():
        ScenarioChooser()
    if shown == preset.value:
        Scenario(shown).key(f"scenario-{shown}")
    else:
        solara.Text(f"Loading the scenario {preset.value!r} ...")
