"""The classroom dashboard: presets and controls against the schema, the page built in-process,
the server's end (SIGTERM or a killed command frees the port), and the real page served by
``smb-eco dashboard`` and driven in headless Chromium.

The browser test uses Debian's ``chromium`` (``/usr/bin/chromium``) through Playwright; no browser
is ever downloaded. With ``CI`` set it must run; elsewhere it skips when Chromium is absent.
"""

from __future__ import annotations

import io
import math
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import ipyvuetify as v
import ipywidgets
import numpy as np
import pytest
import solara
from helpers import CHROMIUM, CHROMIUM_ARGS, free_port
from mesa.visualization import Slider, SolaraViz
from processes import session_processes, wait_for

from ecosystem.interface import app
from ecosystem.interface.cli import main
from ecosystem.interface.presets import DEFAULT_PRESET, PRESETS, preset_parameters
from ecosystem.parameters import defaults, parameter, validate_parameters

CHOOSERS = ("decision_rule", "contract_type", "sourcing_policy")
#: Network view and the reporter plots.
IMAGES = 1 + len(app.PLOTS)
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


def _run_line(rc) -> str:
    html = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets]
    (line,) = [text for text in html if "This run" in text]
    return line


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


def test_page_builds_steps_and_resets_in_a_preset_without_a_browser(rendered):
    rc = rendered
    images = rc.find(ipywidgets.Image).widgets
    assert len(images) == IMAGES and all(bytes(i.value).startswith(b"\x89PNG") for i in images)
    before = bytes(images[1].value)
    _click(rc, "Step")
    _click(rc, "Step")
    assert _time(rc) == "Time: 2.0"
    assert bytes(rc.find(ipywidgets.Image).widgets[1].value) != before
    app.preset.value = "market for lemons"
    assert _time(rc) == "Time: 0.0"
    assert "lemon_share <b>0.6</b>" in _run_line(rc)
    _click(rc, "Step")
    _click(rc, "Reset")  # Reset keeps the scenario's settings, including the fixed ones
    assert _time(rc) == "Time: 0.0"
    assert "lemon_share <b>0.6</b>" in _run_line(rc) and "due_diligence <b>0.0</b>" in _run_line(rc)


def test_network_marks_vendors_once_they_have_served_and_draws_200_smbs_fast():
    model = app.new_model(DEFAULT_PRESET)
    assert not app._revealed(model)  # contracts are in place at month 0, but nothing delivered yet
    for _ in range(12):
        model.step()
    revealed = app._revealed(model)
    contracts = model.contracts
    places = np.unique(contracts.vendor[contracts.active_index()])
    serving = {model.vendor_agents[p].unique_id for p in places}
    in_market = {a.unique_id for a in model.vendor_agents if a is not None}
    assert serving and serving <= revealed <= in_market  # every contract in force has delivered
    assert None in model.vendor_agents  # empty market places are drawn as nothing
    app.draw_network(model)
    big = app.DashboardModel(rng=1, n_smbs=200, n_vendors=60)
    for _ in range(12):
        big.step()
    app.draw_network(big)  # warm-up: font cache, colormaps
    # The CPU time of this process, not the wall clock: other processes on a busy machine
    # cannot push it over the budget (a wall-clock bound failed under load).
    start = time.process_time()
    figure = app.draw_network(big)
    figure.savefig(io.BytesIO(), format="png")
    assert time.process_time() - start < 2.0
    assert figure.axes[0].collections  # nodes and edges drawn


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
        app.network_view(model)
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


def test_dashboard_in_headless_chromium(sync_playwright, server, tmp_path):
    from playwright.sync_api import expect

    # Every wait below is for a condition, with a deadline long enough for a busy machine.
    expect.set_options(timeout=STEP_WAIT)
    local = server.rstrip("/")
    outside, failed = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1200})
            page.set_default_timeout(STEP_WAIT)
            page.on(
                "request",
                lambda r: None if r.url.startswith((local, "data:", "blob:")) else outside.append(r.url),
            )
            page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.goto(server)
            step = page.get_by_role("button", name="Step")
            expect(step).to_be_enabled(timeout=30_000)
            images = page.locator(".vue-grid-item img")
            expect(images).to_have_count(IMAGES)
            widths = "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)"
            wait_for(
                lambda: all(w > 100 for w in images.evaluate_all(widths)), "every view to render", WAIT_S
            )
            expect(page.get_by_text("Time: 0.0")).to_be_visible()
            plot_before = images.nth(1).screenshot()
            network_before = images.nth(0).screenshot()

            for month in (1, 2, 3):
                step.click()
                expect(page.get_by_text(f"Time: {month}.0")).to_be_visible(timeout=STEP_WAIT)
            expect(images).to_have_count(IMAGES)
            # the month's number shows before every view's image is replaced: compare until it changes
            wait_for(
                lambda: images.nth(1).screenshot() != plot_before, "the outsourcing plot to change", WAIT_S
            )
            wait_for(lambda: images.nth(0).screenshot() != network_before, "the network to change", WAIT_S)

            page.locator(".v-select").filter(has_text="Scenario").click()
            page.get_by_role("option", name="market for lemons").click()
            lemons = page.get_by_text(re.compile(r"This run: .*lemon_share 0\.6"))
            expect(lemons).to_be_visible(timeout=STEP_WAIT)
            expect(page.get_by_text("Time: 0.0")).to_be_visible()
            expect(step).to_be_enabled()
            step.click()
            expect(page.get_by_text("Time: 1.0")).to_be_visible(timeout=STEP_WAIT)
            page.get_by_role("button", name="Reset").click()
            expect(page.get_by_text("Time: 0.0")).to_be_visible(timeout=STEP_WAIT)
            expect(page.get_by_text(re.compile(r"This run: .*due_diligence 0\.0"))).to_be_visible()
            page.get_by_role("button", name="▶").click()  # play a few months, then pause
            later = page.get_by_text(re.compile(r"Time: ([4-9]|\d\d+)\.0"))
            expect(later).to_be_visible(timeout=3 * STEP_WAIT)
            page.get_by_role("button", name="❚❚").click()
            expect(step).to_be_enabled(timeout=STEP_WAIT)
            expect(images).to_have_count(IMAGES)

            shot = tmp_path / "dashboard.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            print(f"screenshot: {shot}")
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
    focal = [n for n, d in model.network.nodes(data=True) if d.get("focal")]
    assert len(focal) == 1 and model.network.nodes[focal[0]]["sourcing_policy"] == "dual"
    figure = app.draw_network(model)
    assert "focal firm" in [t.get_text() for t in figure.legends[0].get_texts()]
    none = app.DashboardModel(rng=3, n_smbs=20, n_vendors=6, **{app.FOCAL_CONTROL: app.NO_FOCAL})
    assert none.focal is None
