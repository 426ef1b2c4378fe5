"""The classroom dashboard: presets and controls against the schema, the page built in-process,
the server's end (SIGTERM or a killed command frees the port), and the real page served by
``smb-eco dashboard`` and driven in headless Chromium.

The browser test uses Debian's ``chromium`` (``/usr/bin/chromium``) through Playwright; no browser
is ever downloaded. With ``CI`` set it must run; elsewhere it skips when Chromium is absent.
"""

from __future__ import annotations

import html
import io
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import ipyvuetify as v
import ipywidgets
import numpy as np
import PIL.Image
import pytest
import solara
from helpers import CHROMIUM, CHROMIUM_ARGS, free_port
from mesa.visualization import Slider, SolaraViz
from processes import session_processes, wait_for

from ecosystem.interface import app, live_views
from ecosystem.interface.cli import main
from ecosystem.interface.presets import DEFAULT_PRESET, PRESETS, preset_parameters
from ecosystem.labels import label
from ecosystem.parameters import defaults, parameter, validate_parameters

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_dashboard as bm_dash  # noqa: E402  (the step timer the benchmark uses)

CHOOSERS = ("decision_rule", "contract_type", "sourcing_policy")
#: Milliseconds a step (model, network and every plot re-rendered and sent) may take in the browser
#: test; generous, because CI machines and shared workstations may be busy with other work.
STEP_WAIT = 60_000
WAIT_S = STEP_WAIT / 1000


# --- presets and controls against the schema ---------------------------------------------------


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_validates_against_the_schema_and_changes_something(name):
    preset = PRESETS[name]
    validate_parameters(preset.overrides)  # raises on an unknown name or a value out of range
    standard = defaults()
    changed = [k for k, value in preset.overrides.items() if value != standard[k]]
    # a preset may pin a value its lesson depends on, but only the baseline changes nothing
    assert bool(changed) == (name != DEFAULT_PRESET), name
    assert preset.question and preset.theory and preset.try_this


def test_an_unknown_preset_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown preset 'lemons'"):
        preset_parameters("lemons")


@pytest.mark.parametrize("name", list(PRESETS))
def test_controls_come_from_the_schema_within_its_ranges(name):
    params = app.model_params(name)
    values = preset_parameters(name)
    assert set(CHOOSERS) <= set(app.CONTROLS)
    for key in app.CONTROLS:
        spec, control = parameter(key), params[key]
        if spec.choices is not None:
            assert control["type"] == "Select"
            mixes = [app.equal_mix(spec)] if spec.mixable else []  # a preset mix of all choices
            assert control["values"] == list(spec.choices) + mixes and control["value"] == values[key]
            continue
        assert isinstance(control, Slider), key
        assert spec.low <= control.min < control.max <= spec.high, key
        assert control.min <= control.value <= control.max, key
        assert control.value == values[key], f"{key} shows {control.value}, the scenario has {values[key]}"
        assert control.is_float_slider == (spec.kind is float), key
        on_grid = (control.value - control.min) / control.step
        assert math.isclose(on_grid, round(on_grid), abs_tol=1e-9), f"{key}={control.value} is off the slider"
    assert params[app.FOCAL_CONTROL]["values"] == [app.NO_FOCAL, *parameter("sourcing_policy").choices]
    fixed = {k: v for k, v in params.items() if k not in app.CONTROLS and k not in ("rng", app.FOCAL_CONTROL)}
    assert fixed == {k: v for k, v in PRESETS[name].overrides.items() if k not in app.CONTROLS}
    assert 0 <= params["rng"].value <= params["rng"].max


def test_scenario_view_is_a_solaraviz_page():
    element = app.scenario_view(DEFAULT_PRESET, solara.Reactive(app.new_model(DEFAULT_PRESET)))
    assert element.component is SolaraViz


# --- the page, built and clicked in-process (no browser) ---------------------------------------


def _time(rc) -> str:
    return next(
        child
        for widget in rc.find(v.Html, tag="span").widgets
        for child in widget.children
        if isinstance(child, str) and child.startswith("Time:")
    )


def _html_texts(rc) -> list[str]:
    return [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets]


def _run_line(rc) -> str:
    (line,) = [text for text in _html_texts(rc) if "This run" in text]
    return line


def _month(rc) -> str:
    (header,) = [text for text in _html_texts(rc) if 'class="month"' in text]
    return re.sub("<[^>]+>", "", header)


def _readouts(table: str) -> dict[str, list[str]]:
    """The monitor rows of an HTML table: reporter -> the cells' texts."""
    return {
        measure: [
            html.unescape(re.sub("<[^>]+>", "", cell)) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)
        ]
        for measure, row in re.findall(r'<tr data-measure="(\w+)">(.*?)</tr>', table)
    }


def _click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


@pytest.fixture
def rendered():
    app.preset.value = DEFAULT_PRESET
    _, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    try:
        yield rc
    finally:
        rc.close()
        app.preset.value = DEFAULT_PRESET


def _expected(preset: str, months: int) -> app.DashboardModel:
    """The run the page shows after ``months`` steps of ``preset`` (same seed, same results)."""
    model = app.new_model(preset)
    for _ in range(months):
        model.step()
    return model


def test_page_shows_named_tabs_months_and_monitors_and_resets_in_a_preset_without_a_browser(rendered):
    rc = rendered
    tabs = [w.children[0] for w in rc.find(v.Tab).widgets]
    assert tabs == list(app.TABS) and not any(str(t).startswith("Page") for t in tabs)
    (network,) = rc.find(ipywidgets.Image).widgets
    before = bytes(network.value)
    assert before.startswith(b"\x89PNG") and "month-0" in network._dom_classes
    assert _month(rc) == "Month 0"
    _click(rc, "Step")
    _click(rc, "Step")
    assert _time(rc) == "Time: 2.0" and _month(rc) == "Month 2"
    (network,) = rc.find(ipywidgets.Image).widgets
    assert bytes(network.value) != before and "month-2" in network._dom_classes
    # the key numbers are the reporters of the same run, this month and the 12-month mean
    expected = _expected(DEFAULT_PRESET, 2).datacollector.get_model_vars_dataframe()
    (table,) = [t for t in _html_texts(rc) if "data-measure" in t]
    readouts = _readouts(table)
    assert set(readouts) == set(app.PLOTTED)
    for measure, (name, now, mean, previous) in readouts.items():
        assert name == label(measure)  # the unit is in the name: "SMB profit (money units / firm / month)"
        assert now == app._number(expected[measure].iloc[-1]), measure
        assert mean == app._number(expected[measure].mean()), measure
        assert previous == "–"  # no previous run yet
    app.preset.value = "market for lemons"
    assert _time(rc) == "Time: 0.0" and _month(rc) == "Month 0"
    assert "lemon_share <b>0.6</b>" in _run_line(rc)
    # a scenario's change that no control shows is in the summary, with its default
    assert "lemon_overstatement <b>0.5</b> (default 0.3)" in _run_line(rc)
    _click(rc, "Step")
    _click(rc, "Reset")  # Reset keeps the scenario's settings, including the fixed ones
    assert _time(rc) == "Time: 0.0"
    assert "lemon_share <b>0.6</b>" in _run_line(rc) and "due_diligence <b>0.0</b>" in _run_line(rc)
    _click(rc, "Step")  # the same seed again: the previous run's month 1 is this run's month 1
    (table,) = [t for t in _html_texts(rc) if "data-measure" in t]
    lemons = _expected("market for lemons", 1).datacollector.get_model_vars_dataframe()
    for measure, (_, now, _, previous) in _readouts(table).items():
        assert previous == now == app._number(lemons[measure].iloc[0]), measure


# --- the live views ----------------------------------------------------------------------------


def _png_pixels(png: bytes) -> np.ndarray:
    return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGB"))


def test_plots_have_units_months_that_match_the_header_and_redraw_like_a_full_drawing():
    model = _expected(DEFAULT_PRESET, 14)
    for title, measures, _, unit_interval in app.PLOTS:
        view = app.plot_view(model, title)
        png = view.png(model.series(tuple(measures)))
        assert view.axes.get_xlabel() == "Month"
        unit = live_views.axis_unit(list(measures), title)
        assert view.axes.get_ylabel().replace("\n", " ") == unit
        assert "(" in unit or len(measures) > 1, f"{title}: no unit in {unit!r}"
        for measure, line in view.lines.items():
            x, y = line.get_data()
            assert list(x) == list(range(1, model.steps + 1))  # the last point is the header's month
            np.testing.assert_array_equal(y, model.datacollector.get_model_vars_dataframe()[measure])
        assert view.axes.get_xlim() == (0.0, 24.0)  # whole years
        if unit_interval:
            assert view.axes.get_ylim() == (0.0, 1.0)
        # blitting (background restored, lines drawn again) gives the same image as a fresh drawing
        model.step()
        again = view.png(model.series(tuple(measures)))
        fresh = live_views.LivePlot(title, measures, unit_interval=unit_interval, params=model.params)
        assert (_png_pixels(again) == _png_pixels(fresh.png(model.series(tuple(measures))))).all(), title
        assert (_png_pixels(again) != _png_pixels(png)).any(), title
    assert app.describe(app.plot_view(model, "SMB profit")) == (
        "SMB profit: SMB profit (money units / firm / month) by month, months 0 to 24"
    )
    euros = app.DashboardModel(rng=1, n_smbs=20, n_vendors=5, currency="EUR", money_unit=1000)
    assert "(EUR k / firm / month)" in app.describe(app.plot_view(euros, "SMB profit"))


def test_a_plots_y_axis_only_grows_and_the_previous_run_is_drawn_faintly():
    view = live_views.LivePlot("SMB profit", {"mean_smb_profit": "C0"})
    view.png({"mean_smb_profit": np.array([0.1, 0.4])})
    low, high = view.axes.get_ylim()
    assert low <= 0.1 and 0.4 <= high < 1.0
    view.png({"mean_smb_profit": np.array([0.1, 0.4, -2.3])})
    grown = view.axes.get_ylim()
    assert grown[0] <= -2.3 and grown[1] >= high
    view.png({"mean_smb_profit": np.array([0.1, 0.4, -2.3, 0.2])})
    assert view.axes.get_ylim() == grown
    view.png({"mean_smb_profit": np.array([0.2])})  # a run's values far inside: the axis stays
    assert view.axes.get_ylim() == grown
    previous = {"mean_smb_profit": np.arange(30.0)}
    overlay = live_views.LivePlot("SMB profit", {"mean_smb_profit": "C0"}, previous=previous)
    overlay.png({"mean_smb_profit": np.array([0.5])})
    (faint,) = [line for line in overlay.axes.lines if line not in overlay.lines.values()]
    assert list(faint.get_xdata()) == list(range(1, 31)) and faint.get_alpha() < 0.5
    assert overlay.axes.get_xlim() == (0.0, 36.0)  # room for the whole previous run
    assert overlay.axes.get_ylim()[1] >= 29  # and for its values
    assert "previous run" in [t.get_text() for t in overlay.axes.get_legend().get_texts()]


def test_monitors_give_this_month_and_the_mean_of_the_last_twelve():
    values = np.array([5.0] * 3 + [1.0] * 11 + [np.nan, 2.0])
    now, mean = live_views.monitor(values)
    assert now == 2.0 and mean == pytest.approx((1.0 * 10 + 2.0) / 11)  # the last 12: 10 ones, NaN, 2
    assert all(math.isnan(x) for x in live_views.monitor(np.array([])))


def test_the_network_is_laid_out_once_shows_what_was_revealed_and_filters_ties():
    model = app.new_model(DEFAULT_PRESET)
    state = model.network_state()
    assert (state.vendor_status[state.vendor_active] == "hidden").all()  # nothing delivered yet
    for _ in range(12):
        model.step()
    state = model.network_state()
    graph = model.network
    contract_edges = [(u, v, d) for u, v, d in graph.edges(data=True) if d["kind"] == "contract"]
    assert len(state.contracts) == len(contract_edges)
    smb_id = [a.unique_id for a in model.smb_agents]
    vendor_id = [a.unique_id if a is not None else None for a in model.vendor_agents]
    by_pair = {
        (smb_id[s], vendor_id[v]): t for (s, v), t in zip(state.contracts.tolist(), state.trust, strict=True)
    }
    for u, v_, d in contract_edges:
        key = (u, v_) if (u, v_) in by_pair else (v_, u)
        assert by_pair[key] == pytest.approx(d["relational_capital"])
    serving = np.unique(state.contracts[:, 1])
    assert (state.vendor_status[serving] != "hidden").all()  # every vendor with a contract has delivered
    assert (state.vendor_status[serving] == np.where(model.vendors.is_lemon[serving], "lemon", "good")).all()
    assert state.clients.sum() == len(state.contracts)
    app.network_image(model)
    view = model.views["network"]
    xy = view.smb_xy.copy()
    for ties in app.TIE_CHOICES:
        png, summary = app.network_image(model, ties)
        assert png.startswith(b"\x89PNG") and summary.startswith("Month 12: ")
    assert model.views["network"] is view and (view.smb_xy == xy).all()  # laid out once
    app.network_image(model, "strong ties")
    assert len(view.contract_ties.get_segments()) == int((state.trust >= live_views.STRONG_TIE).sum())
    app.network_image(model, "contracts and peers")
    assert len(view.peer_ties.get_segments()) == len(state.peers) > 0
    app.network_image(model, "contracts")
    assert len(view.peer_ties.get_segments()) == 0
    with pytest.raises(ValueError, match="ties must be one of contracts, strong ties"):
        view.png(state, "everything")


def test_a_playing_model_is_read_only_between_months():
    # SolaraViz steps the model in one thread while the page renders in another
    model = app.new_model(DEFAULT_PRESET)
    model.step()
    got = []
    with model.lock:  # a month in progress
        reader = threading.Thread(target=lambda: got.append(model.datacollector.get_model_vars_dataframe()))
        reader.start()
        reader.join(0.3)
        assert reader.is_alive() and not got  # the read waits for the month to end
    reader.join(10)
    assert len(got[0]) == 1
    stepping = threading.Thread(target=lambda: [model.step() for _ in range(40)])
    stepping.start()
    while stepping.is_alive():  # reads and drawings during play never see half a month
        frame = model.datacollector.get_model_vars_dataframe()
        assert frame.notna().any(axis=1).all()
        series = model.series()
        assert len({len(values) for values in series.values()}) == 1
        app.network_image(model)
    stepping.join()
    assert model.steps == 41


# --- the command line ----------------------------------------------------------------------


def test_dashboard_refuses_a_bad_or_busy_port_in_one_line(capsys):
    assert main(["dashboard", "--port", "70000"]) == 2
    assert capsys.readouterr().err.strip().endswith("--port must be in 1..65535, got 70000")
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        assert main(["dashboard", "--port", str(port)]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("smb-eco dashboard: error: cannot listen on") and "\n" not in error


# --- stopping the server ----------------------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_the_server_ends_with_the_dashboard_command_and_frees_the_port(tmp_path, signum):
    process, url, port = _start_dashboard(tmp_path)
    try:
        server = session_processes(process.pid)
        assert len(server) >= 2, "expected the command and its Solara server process"
        os.kill(process.pid, signum)  # the command only, as `kill PID` or the out-of-memory killer
        process.wait(timeout=30)
        wait_for(lambda: not session_processes(process.pid), "the Solara server process to end", 30)
    finally:
        _stop(process)
    assert process.returncode == (0 if signum == signal.SIGTERM else -signal.SIGKILL)
    if signum == signal.SIGTERM:
        assert "Traceback" not in (tmp_path / "server.err").read_text()
    # The port is free again. A process killed by a signal may still be closing its sockets in
    # its last threads after its main thread shows as a zombie; that takes longer on a busy machine.
    wait_for(lambda: _can_bind(port), f"port {port} to be free", 30)


def _can_bind(port: int) -> bool:
    try:
        with socket.create_server(("127.0.0.1", port)):
            return True
    except OSError:
        return False


# --- the real page in headless Chromium ----------------------------------------------------------


def _start_dashboard(tmp_path) -> tuple[subprocess.Popen, str, int]:
    """``python -m ecosystem dashboard`` on a free port, answering; its process, URL and port."""
    port = free_port()
    out, err = tmp_path / "server.out", tmp_path / "server.err"
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "ecosystem", "dashboard", "--port", str(port)],
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,  # its own process group: the Solara child goes down with it
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 45
        while True:
            if process.poll() is not None:
                pytest.fail(f"dashboard exited with {process.returncode}: {err.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"dashboard did not answer at {url} within 45 s: {err.read_text()[-2000:]}")
            time.sleep(0.2)
        assert out.read_text().startswith(f"Classroom dashboard at {url}")
    except BaseException:
        _stop(process)
        raise
    return process, url, port


@pytest.fixture
def server(tmp_path):
    """``python -m ecosystem dashboard`` on a free port; yields its URL; always torn down."""
    process, url, _ = _start_dashboard(tmp_path)
    try:
        yield url
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _page_readouts(page) -> dict[str, list[str]]:
    """The monitor rows the page shows: reporter -> the cells' texts."""
    return page.eval_on_selector_all(
        "tr[data-measure]",
        "rows => Object.fromEntries(rows.map(r => "
        "[r.dataset.measure, [...r.cells].map(c => c.innerText.trim())]))",
    )


#: Set to a folder to keep the page's screenshots there (docs/figures for the docs).
SCREENSHOTS = os.environ.get("SMB_ECO_SCREENSHOTS")


def _screenshot(page, path: Path) -> None:
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    if SCREENSHOTS:
        shutil.copy(path, Path(SCREENSHOTS) / path.name)


def _same_as_previous(readouts: dict[str, list[str]]) -> bool:
    """Whether every readout of this month equals the previous run's, and some are numbers."""
    cells = list(readouts.values())
    return bool(cells) and all(c[1] == c[3] for c in cells) and any(c[1] != "–" for c in cells)


def test_dashboard_in_headless_chromium(sync_playwright, server, tmp_path):
    from playwright.sync_api import expect

    # Every wait below is for a condition, with a deadline long enough for a busy machine.
    expect.set_options(timeout=STEP_WAIT)
    local = server.rstrip("/")
    outside, failed = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1100})
            page.set_default_timeout(STEP_WAIT)
            page.on(
                "request",
                lambda r: None if r.url.startswith((local, "data:", "blob:")) else outside.append(r.url),
            )
            page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.goto(server)
            step = page.get_by_role("button", name="Step")
            expect(step).to_be_enabled(timeout=30_000)
            month = page.locator("h2.month")
            expect(month).to_have_text("Month 0")
            # named tabs, no "Page 0"; slider values in sight without touching them
            for tab in bm_dash.TABS:
                expect(page.get_by_role("tab", name=tab)).to_be_visible()
            expect(page.get_by_role("tab", name=re.compile("Page"))).to_have_count(0)
            seed = page.locator(".v-slider__thumb-label").filter(has_text=re.compile(r"^\s*42\s*$"))
            expect(seed.first).to_be_visible()

            # step + redraw, timed in the page (reported, not asserted: speed is a benchmark's)
            market = page.evaluate(bm_dash.STEP_TIMER_JS, 12)
            expect(month).to_have_text("Month 12")
            expected = _expected(DEFAULT_PRESET, 12).datacollector.get_model_vars_dataframe()
            shown = _page_readouts(page)
            assert set(shown) == set(app.PLOTTED)
            for measure, (name, now, mean, previous) in shown.items():
                assert name == label(measure), measure
                assert now == app._number(expected[measure].iloc[-1]), measure
                assert mean == app._number(expected[measure].iloc[-12:].mean()), measure
                assert previous == "–"
            network = page.locator(".v-window-item--active img.view")
            expect(network.locator("xpath=ancestor::div[@title][1]")).to_have_attribute(
                "title", re.compile(r"^Relationship network: Month 12: ")
            )
            _screenshot(page, tmp_path / "dashboard_market.png")

            page.get_by_role("tab", name="Outsourcing and governance").click()
            plots = page.locator(".v-window-item--active img.view")
            expect(plots).to_have_count(4)
            governance = page.evaluate(bm_dash.STEP_TIMER_JS, 6)
            expect(month).to_have_text("Month 18")
            alts = plots.evaluate_all("imgs => imgs.map(i => i.closest('[title]').title)")
            for (title, measures, _, _), alt in zip(
                [p for p in app.PLOTS if p[2] == "Outsourcing and governance"], alts, strict=True
            ):
                unit = live_views.axis_unit(list(measures), title)
                assert alt == f"{title}: {unit} by month, months 0 to 24", alt
            report = {
                "Market": bm_dash.summary(market),
                "Outsourcing and governance": bm_dash.summary(governance),
            }
            (tmp_path / "step_times.json").write_text(json.dumps(report, indent=2))
            for tab, figures in report.items():
                print(
                    f"step + redraw, {tab} tab: median {figures['median_ms']:.0f} ms, "
                    f"worst {figures['worst_ms']:.0f} ms"
                )

            page.locator(".v-select").filter(has_text="Scenario").click()
            page.get_by_role("option", name="market for lemons").click()
            lemons = page.get_by_text(re.compile(r"Different from the defaults: .*lemon_overstatement 0\.5"))
            expect(lemons).to_be_visible(timeout=STEP_WAIT)
            expect(month).to_have_text("Month 0")
            expect(step).to_be_enabled()
            page.get_by_role("button", name="▶").click()  # play a few months, then pause
            expect(month).to_have_text(re.compile(r"Month ([89]|\d\d+)$"), timeout=3 * STEP_WAIT)
            page.get_by_role("button", name="❚❚").click()
            expect(step).to_be_enabled(timeout=STEP_WAIT)
            page.get_by_role("button", name="Reset").click()
            expect(month).to_have_text("Month 0")
            expect(page.get_by_text(re.compile(r"This run: .*due_diligence 0\.0"))).to_be_visible()
            step.click()  # the previous run (same seed, same scenario) is shown beside this one
            expect(month).to_have_text("Month 1")
            wait_for(
                lambda: _same_as_previous(_page_readouts(page)),
                "the previous run's readouts",
                WAIT_S,
            )
            page.evaluate(bm_dash.STEP_TIMER_JS, 5)
            page.get_by_role("tab", name="Outsourcing and governance").click()
            expect(plots).to_have_count(4)  # this run's curves over the previous run's, faint
            page.wait_for_function("() => !document.querySelector('.v-window__container--is-active')")
            _screenshot(page, tmp_path / "dashboard_plots.png")
        finally:
            browser.close()
    assert not outside, f"the page asked for files outside the server (offline it would break): {outside}"
    assert not failed, f"requests failed: {failed}"


def test_a_rule_mix_and_a_focal_firm_chosen_in_the_controls_run_and_show():
    rules = app.equal_mix(parameter("decision_rule"))
    model = app.DashboardModel(
        rng=3,
        n_smbs=20,
        n_vendors=6,
        decision_rule=rules,
        adaptation="imitation",
        **{app.FOCAL_CONTROL: "dual"},
    )
    assert model.params["decision_rule"] == {rule: 0.25 for rule in parameter("decision_rule").choices}
    model.step()
    state = model.network_state()
    (focal,) = np.flatnonzero(state.focal_smb)
    assert model.slots[focal] == 2  # dual sourcing
    app.network_image(model, "focal firms")
    view = model.views["network"]
    np.testing.assert_array_equal(view.focal.get_offsets(), view.smb_xy[[focal]])  # the star
    shown = view.contract_ties.get_segments()
    assert len(shown) == int((state.contracts[:, 0] == focal).sum())
    assert "a focal firm: sourcing_policy dual" in app.run_summary(model)
    none = app.DashboardModel(rng=3, n_smbs=20, n_vendors=6, **{app.FOCAL_CONTROL: app.NO_FOCAL})
    assert none.focal is None
