"""The classroom dashboard: a Mesa SolaraViz page over :class:`ecosystem.EcosystemModel`.

Start it with ``smb-eco dashboard`` (or ``solara run ecosystem.interface.app``). SolaraViz gives
the sidebar: step, play/pause and reset, and controls generated from the parameter schema; the page
adds a chooser of the classroom scenarios of :mod:`ecosystem.interface.presets`, a summary of the
running model's settings, and its own main area (:func:`Views`): the month, then named tabs with
the relationship network, live plots with units and monitors, and the parameter guide.

Display only: every default comes from the schema (:mod:`ecosystem.parameters`), every label from
the reporter schema (:func:`ecosystem.labels.label`), every scenario from
:mod:`ecosystem.interface.presets`, the seed from the command line's default. Everything is drawn
with matplotlib on the server (:mod:`ecosystem.interface.live_views`), so the page needs no CDN
(see ``docs/classroom.md``).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from html import escape
from typing import Any

import numpy as np
import solara
import solara.lab
from mesa.visualization import Slider, SolaraViz
from mesa.visualization.utils import update_counter
from solara.alias import rw

from ..labels import label, money_units
from ..mechanisms.decision_rules import DECISION_RULES
from ..model import EcosystemModel
from ..parameters import FOCAL_PREFIX, Parameter, defaults, format_value, parameter, parse_value
from .cli import DEFAULT_SEED
from .live_views import FOCAL_COLOUR, TIE_FILTERS, LivePlot, NetworkState, NetworkView, monitor
from .presets import DEFAULT_PRESET, PRESETS, preset_parameters

__all__ = [
    "CONTROLS",
    "PLOTS",
    "TABS",
    "DashboardModel",
    "Page",
    "model_params",
    "network_image",
    "new_model",
    "plot_view",
    "scenario_view",
]

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

#: The tabs of the main area, in order; the plots name theirs.
MARKET_TAB, GUIDE_TAB = "Market", "Guide"
TABS = (MARKET_TAB, "Outsourcing and governance", "Money and risk", "Innovation and strategies", GUIDE_TAB)
#: The plots: title, the reporter(s) drawn with their colours, the tab, and whether the values are
#: shares or qualities in [0, 1] (a fixed y-axis).
PLOTS: tuple[tuple[str, dict[str, str], str, bool], ...] = (
    ("Outsourcing share", {"outsourcing_share": "tab:blue"}, TABS[1], True),
    ("Shirking rate", {"shirking_rate": "tab:red"}, TABS[1], True),
    (
        "Delivered vs true quality",
        {"mean_delivered_quality": "tab:blue", "mean_contracted_vendor_quality": "tab:orange"},
        TABS[1],
        True,
    ),
    ("Relational capital", {"mean_relational_capital": "tab:green"}, TABS[1], True),
    ("SMB profit", {"mean_smb_profit": "tab:blue"}, TABS[2], False),
    ("Vendor profit", {"mean_vendor_profit": "tab:red"}, TABS[2], False),
    ("Disruption losses", {"mean_disruption_loss": "tab:purple"}, TABS[2], False),
    ("Hold-up: fee raise at renewal", {"renewal_fee_change": "tab:brown"}, TABS[2], False),
    (
        "Innovations per month",
        {"innovations": "tab:green", "collaborative_innovations": "tab:purple"},
        TABS[3],
        False,
    ),
    (
        "Decision rules: share of SMBs",
        {f"share_rule_{rule}": f"C{k}" for k, rule in enumerate(DECISION_RULES)},
        TABS[3],
        True,
    ),
    ("Focal firm: profit", {"focal_profit": FOCAL_COLOUR}, TABS[3], False),
)
#: Every reporter a plot draws, in plot order.
PLOTTED = tuple(measure for _, measures, _, _ in PLOTS for measure in measures)
#: The network's tie filters, the default first.
TIE_CHOICES = list(TIE_FILTERS)

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
    new month's number with the old month's state.

    The run keeps its live views (:attr:`views`, drawn once and then updated) and, after a Reset,
    the previous run's series (:attr:`previous_run`) for the faint comparison curves.
    """

    def __init__(self, *, rng: Any = None, scenario: Any = None, **params: Any) -> None:
        if params.get(FOCAL_CONTROL) == NO_FOCAL:
            del params[FOCAL_CONTROL]
        params = {  # a mix chosen in a control arrives as its text
            name: parse_value(name, value) if isinstance(value, str) and ":" in value else value
            for name, value in params.items()
        }
        super().__init__(rng=rng, **params)
        self.seed = rng
        self.lock = threading.RLock()
        self.views: dict[str, Any] = {}
        self.previous_run: dict[str, np.ndarray] | None = None
        month, read = self.step, self.datacollector.get_model_vars_dataframe

        def whole_month() -> None:
            with self.lock:
                month()

        def read_whole_months():
            with self.lock:
                return read()

        self.step = whole_month
        self.datacollector.get_model_vars_dataframe = read_whole_months

    def series(self, measures: tuple[str, ...] = PLOTTED) -> dict[str, np.ndarray]:
        """Each of ``measures`` from month 1 (the first recorded) to now, read between months."""
        with self.lock:
            columns = self.datacollector.model_vars
            return {m: np.asarray(columns[m], float) for m in measures}

    def network_state(self) -> NetworkState:
        """What the network view draws of this month, read between months."""
        with self.lock:
            return NetworkState(self)

    def record(self) -> dict[str, np.ndarray] | None:
        """What a run after this one shows as its previous run: this run's plotted series, or, if
        this run never stepped, the run before it."""
        return self.series() if self.steps > 0 else self.previous_run


def new_model(preset: str) -> DashboardModel:
    """A fresh model of scenario ``preset`` on the default seed."""
    return DashboardModel(rng=DEFAULT_SEED, **preset_parameters(preset))


# --- the views ------------------------------------------------------------------------------


def plot_view(model: DashboardModel, title: str) -> LivePlot:
    """The live plot ``title`` of :data:`PLOTS` for ``model``'s run, made on first use."""
    view = model.views.get(title)
    if view is None:
        _, measures, _, unit_interval = next(p for p in PLOTS if p[0] == title)
        view = model.views[title] = LivePlot(
            title, measures, unit_interval=unit_interval, params=model.params, previous=model.previous_run
        )
    return view


def network_image(model: DashboardModel, ties: str = TIE_CHOICES[0]) -> tuple[bytes, str]:
    """The network of ``model`` this month with ``ties`` shown, as a PNG, and its one-line summary."""
    view = model.views.get("network")
    if view is None:
        view = model.views["network"] = NetworkView(
            len(model.smb_agents), len(model.vendor_agents), model.params["n_vendors"]
        )
    state = model.network_state()
    return view.png(state, ties), state.summary


def _number(value: float) -> str:
    """A readout: three significant figures, a dash for none.

    >>> _number(0.123456), _number(1234.5), _number(float("nan")), _number(-0.0004)
    ('0.123', '1.23e+03', '–', '-0.0004')
    """
    return "–" if not math.isfinite(value) else f"{value:.3g}"


def monitor_rows(model: DashboardModel, measures: Mapping[str, str] | tuple[str, ...]) -> str:
    """HTML table rows of the readouts of ``measures``: name and unit, this month, the mean of the
    last 12 months and the previous run's value at the same month."""
    series, previous = model.series(tuple(measures)), model.previous_run or {}
    month = model.steps
    rows = []
    with money_units(model.params):
        for measure in measures:
            now, mean = monitor(series[measure])
            before = previous.get(measure)
            known = before is not None and 0 < month <= len(before)
            then = float(before[month - 1]) if known else float("nan")  # month k is row k - 1
            rows.append(
                f'<tr data-measure="{measure}"><td>{escape(label(measure))}</td>'
                f'<td class="now"><b>{_number(now)}</b></td><td>{_number(mean)}</td>'
                f"<td>{_number(then)}</td></tr>"
            )
    return "".join(rows)


MONITOR_HEAD = (
    '<table class="monitors"><tr><th>measure (unit)</th><th>this month</th>'
    "<th>12-month mean</th><th>previous run, same month</th></tr>"
)


def describe(view: LivePlot) -> str:
    """What a plot shows, in words, from its axes (the image's tooltip, for readers and tests)."""
    axes = view.axes
    low, high = axes.get_xlim()
    ylabel = axes.get_ylabel().replace("\n", " ")  # long labels wrap on the image
    return f"{view.title}: {ylabel} by {axes.get_xlabel().lower()}, months {low:g} to {high:g}"


def _image(png: bytes, text: str, month: int) -> solara.Element:
    """A PNG sent as binary (no base64) and marked with the month it shows (a CSS class
    ``month-N``: the image and its mark change in one message), in a frame that ``text`` describes
    (its tooltip and label for screen readers)."""
    image = rw.Image(value=png, format="png", _dom_classes=["view", f"month-{month}"])
    return solara.v.Html(tag="div", attributes={"title": text, "aria-label": text}, children=[image])


@solara.component
def PlotCard(model: DashboardModel, title: str, month: int):  # noqa: N802 (Solara names components like classes)
    """One plot with its monitors, drawn for ``month`` (a new month redraws it)."""
    view = plot_view(model, title)
    png = view.png(model.series(tuple(view.measures)))
    with solara.Card(title, margin=0, style={"min-width": "420px"}):
        _image(png, describe(view), month)
        _html(MONITOR_HEAD + monitor_rows(model, view.measures) + "</table>")


@solara.component
def NetworkCard(model: DashboardModel, month: int):  # noqa: N802 (Solara names components like classes)
    """The network with its tie filter, and the readouts of every plotted measure, for ``month``."""
    ties = solara.use_reactive(TIE_CHOICES[0])
    png, summary = network_image(model, ties.value)
    with solara.Columns([3, 2]):
        with solara.Card("Relationship network", margin=0):
            solara.ToggleButtonsSingle(value=ties, values=TIE_CHOICES, dense=True)
            _html(f"<p>{escape(summary)}. Showing {escape(TIE_FILTERS[ties.value])}.</p>")
            _image(png, f"Relationship network: {summary}", month)
        with solara.Card("Key numbers", margin=0):
            _html(MONITOR_HEAD + monitor_rows(model, PLOTTED) + "</table>")


@solara.component
def Views(model: DashboardModel):  # noqa: N802 (Solara names components like classes)
    """The main area: the month, then named tabs; only the open tab is drawn.

    The only view that follows SolaraViz's update counter: every listener of that counter costs
    the page a render pass of its own after each step, so the cards get the month instead.
    """
    update_counter.get()
    month = model.steps
    _html(f'<h2 class="month">Month {month}</h2>')
    with solara.lab.Tabs(lazy=True):
        with solara.lab.Tab(MARKET_TAB):
            NetworkCard(model, month)
        for tab in TABS[1:-1]:
            with solara.lab.Tab(tab), solara.ColumnsResponsive(12, large=6):
                for title, _, where, _ in PLOTS:
                    if where == tab:
                        PlotCard(model, title, month)
        with solara.lab.Tab(GUIDE_TAB):
            ParameterGuide()


# --- the run summary and the parameter guide --------------------------------------------------


def _html(text: str) -> solara.Element:
    """Static HTML (Solara's Markdown would fetch KaTeX from a CDN, which fails offline)."""
    return solara.HTML(tag="div", unsafe_innerHTML=text, style={"font-size": "0.9rem"})


def _scenario_html(chosen) -> str:
    return (
        f"<p><b>{escape(chosen.question)}</b></p><p>{escape(chosen.theory)}</p>"
        f"<p><i>Try:</i> {escape(chosen.try_this)}</p>"
    )


def run_summary(model: DashboardModel) -> str:
    """The running model's settings: the seed, every control's value (sliders show theirs too), and
    every parameter that differs from the model's defaults, whether a control or the scenario set it."""
    values = " &middot; ".join(
        f"{name} <b>{escape(format_value(model.params[name]))}</b>" for name in CONTROLS
    )
    schema = defaults()
    changed = [
        f"{escape(name)} <b>{escape(format_value(value))}</b> (default {escape(format_value(schema[name]))})"
        for name, value in model.params.items()
        if name in schema and value != schema[name]
    ]
    if model.focal is not None:
        changed.append(
            "a focal firm: " + escape(", ".join(f"{k} {format_value(v)}" for k, v in model.focal.items()))
        )
    differs = "; ".join(changed) if changed else "nothing"
    return (
        f"<p>This run: seed <b>{escape(str(model.seed))}</b> &middot; {values}.</p>"
        f"<p>Different from the defaults: {differs}.</p>"
        "<p>Move a control and press <b>Reset</b> to start a run with it; the last run's curves "
        "stay, dashed and faint, for comparison.</p>"
    )


@solara.component
def ParameterGuide():  # noqa: N802 (Solara names components like classes)
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


#: Slider values always in sight (Vuetify shows a slider's value only while it is dragged), and
#: compact monitor tables.
CSS = """
.v-slider__thumb-label-container { display: block !important; }
.v-input__slider { padding-top: 22px; }
table.monitors { border-collapse: collapse; font-size: 0.8rem; }
table.monitors td, table.monitors th { padding: 1px 6px; text-align: right; }
table.monitors td:first-child, table.monitors th:first-child { text-align: left; }
h2.month { margin: 4px 0 8px 0; }
"""

# --- the page -------------------------------------------------------------------------------

#: The scenario chosen in this browser session (Solara keeps one value per session).
preset = solara.reactive(DEFAULT_PRESET)


def scenario_view(name: str, model: solara.Reactive) -> solara.Element:
    """SolaraViz's controls (step, play, reset, parameters) for scenario ``name`` over the reactive
    ``model``; the views are this page's own (:func:`Views`), so SolaraViz gets none."""
    return SolaraViz(model, components=[], model_params=model_params(name), name=TITLE)


@solara.component
def ScenarioChooser():  # noqa: N802 (Solara names components like classes)
    """Choosing a scenario starts a fresh run with its settings shown in the controls."""
    with solara.Card("Classroom scenario"):
        solara.Select(label="Scenario", value=preset, values=list(PRESETS))
        _html(_scenario_html(PRESETS[preset.value]))


@solara.component
def Scenario(name: str, last_run: Any):  # noqa: N802 (Solara names components like classes)
    """One scenario's dashboard; mounted afresh (keyed by name) when the scenario changes.

    ``last_run`` (a ref kept by the page) holds the run shown before this one, whose series the
    new run draws faintly: after a Reset, and after a change of scenario.
    """
    initial = solara.use_memo(lambda: new_model(name), [])
    model = solara.use_reactive(initial)
    current = model.value
    if last_run.current is not current:
        if last_run.current is not None and current.previous_run is None and current.steps == 0:
            current.previous_run = last_run.current.record()
        last_run.current = current

    def stop_on_leave():
        # a run still playing when the scenario changes ends with it (Mesa's `running` flag)
        return lambda: setattr(model.value, "running", False)

    solara.use_effect(stop_on_leave, [])
    _html(run_summary(current))
    scenario_view(name, model)
    Views(current)


@solara.component
def Page():  # noqa: N802 (Solara names components like classes)
    """The whole page: the scenario chooser in the sidebar and the scenario's dashboard.

    A new scenario is shown after one render without any: SolaraViz's controls live in the
    sidebar, where they would otherwise be kept (with the old scenario's settings for Reset)
    instead of built afresh.
    """
    shown, set_shown = solara.use_state(preset.value)
    last_run = solara.use_ref(None)
    solara.use_effect(lambda: set_shown(preset.value), [preset.value])
    solara.Style(CSS)
    with solara.Sidebar():
        ScenarioChooser()
    if shown == preset.value:
        Scenario(shown, last_run).key(f"scenario-{shown}")
    else:
        solara.Text(f"Loading the scenario {preset.value!r} ...")
