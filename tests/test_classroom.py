"""The classroom game: several focal firms in one model, the game's state (joining, checking
submissions, rounds played with missing submissions, the timer, the CSV export), the command
line, and the real ``smb-eco classroom`` server with three students and a teacher in headless
Chromium.

The browser test uses Debian's ``chromium`` (``/usr/bin/chromium``) through Playwright; no browser
is ever downloaded. With ``CI`` set it must run; elsewhere it skips when Chromium is absent.
"""

from __future__ import annotations

import csv
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
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from helpers import CHROMIUM, CHROMIUM_ARGS, free_port

from ecosystem.interface.classroom import CSV_COLUMNS, RULE_FIRMS, DecisionError, Game
from ecosystem.interface.cli import main
from ecosystem.mechanisms.functions import BUSINESS_FUNCTIONS
from ecosystem.model import EcosystemModel, _put_first
from ecosystem.reporters import focal_report

SMALL = dict(n_smbs=30, n_vendors=10)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- several focal firms in one model ------------------------------------------------------------


def test_one_focal_firm_by_name_is_the_same_run_as_the_single_focal_api():
    strategy = {"sourcing_policy": "dual", "monitoring_intensity": 0.4}
    a = EcosystemModel(rng=5, **SMALL, focal=strategy)
    b = EcosystemModel(rng=5, **SMALL, focal_firms={"focal": strategy})
    for model in (a, b):
        for _ in range(14):
            model.step()
    frame = a.datacollector.get_model_vars_dataframe()
    assert frame.equals(b.datacollector.get_model_vars_dataframe())
    # the per-firm report of the first focal firm is what the focal_* reporters give
    report, last = focal_report(a, "focal"), frame.iloc[-1]
    for name in ("profit", "cash", "outsourcing_cost", "disruption_months", "survived"):
        assert report[name] == last[f"focal_{name}"], name
    assert report["total_profit"] == pytest.approx(frame["focal_profit"].sum(), rel=1e-12)
    with pytest.raises(ValueError, match="either focal= .* or focal_firms="):
        EcosystemModel(rng=1, **SMALL, focal={}, focal_firms={"a": {}})


def test_several_focal_firms_keep_their_own_strategies_and_records():
    firms = {"Ann": {"contract_type": "performance_based"}, "Bob": {"sourcing_policy": "dual"}, "Cy": {}}
    model = EcosystemModel(rng=2, **SMALL, focal_firms=firms)
    assert model.focal_names == ["Ann", "Bob", "Cy"]
    assert model.focal_indices.tolist() == [30, 31, 32] and model.is_focal.sum() == 3
    assert model.smb_agents[31].strategy["sourcing_policy"] == "dual"
    assert model.smb_agents[30].strategy["contract_type"] == "performance_based"
    shirked = np.zeros(3)
    for _ in range(24):
        model.step()
    for j, name in enumerate(model.focal_names):
        report = focal_report(model, name)
        assert report["shirking_suffered"] == model.focal_shirked[j] >= shirked[j]
        if report["survived"]:
            assert report["cash"] == model.cash[model.focal_place(name)]
        else:  # closed: no cash to report, the counts stay
            assert math.isnan(report["cash"]) and not model.smb_active[model.focal_place(name)]
    with pytest.raises(ValueError, match="no focal firm called 'Dan'"):
        model.focal_place("Dan")


def test_an_owner_decides_make_or_buy_and_levers_by_hand_at_the_next_review():
    model = EcosystemModel(rng=4, **SMALL, focal_firms={"Ann": {}, "Bob": {}})
    for _ in range(3):
        model.step()
    ann, bob = model.focal_place("Ann"), model.focal_place("Bob")
    model.decide_by_hand("Ann", dict.fromkeys(BUSINESS_FUNCTIONS, "make"))
    model.decide_by_hand("Bob", dict.fromkeys(BUSINESS_FUNCTIONS, "buy"))
    model.set_focal_strategy("Bob", {"monitoring_intensity": 0.8, "sourcing_policy": "dual"})
    assert model.monitoring[bob] == 0.8 and model.slots[bob] == 2 and model.slot_count is None
    model.review_next_month(["Ann", "Bob"])
    model.step()  # the review: Ann brings every function in-house, Bob tenders every one
    assert not model.outsourced[ann].any()
    assert model.outsourced[bob].any()
    assert model.next_review[ann] == model.steps + model.params["review_interval"]
    for _ in range(5):
        model.step()
    assert not model.outsourced[ann].any()  # no rule overrides the owner between reviews
    assert max(model.check_ledger().values()) < 1e-6
    with pytest.raises(ValueError, match="choices make, buy or rule"):
        model.decide_by_hand("Ann", {"it": "perhaps"})
    with pytest.raises(ValueError, match="no vendor in the market at place 999"):
        model.decide_by_hand("Ann", {"it": "buy"}, {"it": 999})
    assert (model.make_or_buy[ann] == 0).all()  # a refused decision changes nothing


def test_a_chosen_vendor_is_approached_first():
    ranked = np.array([[4, 7, 2, -1], [4, 7, 2, -1], [5, 1, -1, -1]])
    assert _put_first(ranked, np.array([2, -1, 9])).tolist() == [[2, 4, 7, -1], [4, 7, 2, -1], [5, 1, -1, -1]]
    model = EcosystemModel(rng=3, **SMALL, focal_firms={"Ann": {}})
    ann = model.focal_place("Ann")
    j = BUSINESS_FUNCTIONS.index("marketing")
    offering = np.flatnonzero(model.vendors.alive & model.vendors.offers[:, j])
    c = model.contracts
    act = c.active_index()
    serving = set(c.vendor[act][(c.smb[act] == ann) & (c.function[act] == j)].tolist())
    chosen = int(next(v for v in offering[::-1] if v not in serving))
    model.decide_by_hand("Ann", {"marketing": "make"})
    model.review_next_month(["Ann"])
    model.step()
    assert not model.outsourced[ann, j]
    model.decide_by_hand("Ann", {"marketing": "buy"}, {"marketing": chosen})
    model.review_next_month(["Ann"])
    model.step()  # tendered at the review, signed the month after
    model.step()
    act = c.active_index()
    mine = act[(c.smb[act] == ann) & (c.function[act] == j)]
    assert chosen in c.vendor[mine].tolist()


# --- the game's state ------------------------------------------------------------------------------


def _game(**kwargs) -> tuple[Game, Clock, dict[str, str]]:
    clock = Clock()
    game = Game(seed=3, n_smbs=30, n_vendors=10, clock=clock, **kwargs)
    tokens = {name: game.join(name)["token"] for name in ("Ann", "Bob", "Cy")}
    return game, clock, tokens


def test_joining_checks_names_and_late_students_wait_for_the_next_run():
    game, _, tokens = _game()
    for bad, message in (
        ("", "name: 1-24 letters"),
        ("rule: tce", "name: 1-24 letters"),
        ("x" * 25, "name: 1-24 letters"),
        (7, "name: 1-24 letters"),
        ("ann", "name: 'ann' is taken"),
    ):
        with pytest.raises(DecisionError, match=message):
            game.join(bad)
    assert len(game.players) == 3 and game.phase == "lobby"
    game.start()
    assert game.model.focal_names == ["Ann", "Bob", "Cy", *RULE_FIRMS]
    late = game.join("Dan")["token"]
    assert game.player_view(late)["waiting"]
    with pytest.raises(DecisionError, match="no round is open for your firm"):
        game.submit(late, 1, {})
    game.start("market for lemons")  # a new run takes everyone who has joined
    assert game.model.focal_names == ["Ann", "Bob", "Cy", "Dan", *RULE_FIRMS]
    assert game.model.params["lemon_share"] == 0.6 and game.run == 2 and game.round == 1
    with pytest.raises(DecisionError, match="scenario: unknown preset 'nope'"):
        game.start("nope")
    assert game.scenario == "market for lemons" and game.run == 2


BAD_DECISIONS = [
    ("not a mapping", "decision: a JSON object"),
    (
        {"strategy": {"monitoring_intensity": 5}},
        "'focal.monitoring_intensity' must be a number in \\[0, 1\\], got 5",
    ),
    ({"strategy": {"contract_type": "handshake"}}, "'focal.contract_type' must be one of"),
    ({"strategy": {"colour": "red"}}, "unknown focal firm field 'colour'"),
    ({"strategy": {"decision_rule": {"tce": 0.5, "cost": 0.5}}}, "focal.decision_rule"),
    ({"make_or_buy": {"it": "maybe"}}, "make_or_buy.it: make, buy or rule, got 'maybe'"),
    ({"make_or_buy": {"payroll": "buy"}}, "make_or_buy: unknown function 'payroll'"),
    ({"vendors": {"it": 99999}}, "vendors.it: a vendor in the market offering it"),
    ({"vendors": {"it": "V3"}}, "vendors.it: a vendor in the market offering it"),
    ({"plans": {}}, "decision: unknown part 'plans'"),
]


@pytest.mark.parametrize(("decision", "message"), BAD_DECISIONS)
def test_a_bad_submission_is_refused_in_one_line_and_changes_nothing(decision, message):
    game, _, tokens = _game()
    game.start()
    good = {"strategy": {"monitoring_intensity": 0.7}, "make_or_buy": {"hr": "make"}}
    game.submit(tokens["Ann"], 1, good)
    before = json.dumps(game.players[tokens["Ann"]].decision, sort_keys=True)
    with pytest.raises(DecisionError, match=message) as refused:
        game.submit(tokens["Ann"], 1, decision)
    assert "\n" not in str(refused.value)
    assert json.dumps(game.players[tokens["Ann"]].decision, sort_keys=True) == before
    with pytest.raises(DecisionError, match="no round is open|round: the class is in round 1, got 2"):
        game.submit(tokens["Bob"], 2, good)
    assert game.players[tokens["Bob"]].submitted_round == 0 and game.round == 1


def test_a_round_is_played_with_the_standing_decisions_of_students_who_did_not_submit():
    game, _, tokens = _game()
    game.start()
    model = game.model
    market_monitoring = float(model.monitoring[0])
    game.submit(
        tokens["Ann"],
        1,
        {"strategy": {"monitoring_intensity": 0.9}, "make_or_buy": dict.fromkeys(BUSINESS_FUNCTIONS, "make")},
    )
    game.submit(tokens["Bob"], 1, {"strategy": {"contract_type": "performance_based"}})
    game.advance()  # Cy never submitted
    months = model.params["review_interval"]
    assert game.round == 2 and model.steps == months and len(game.round_seconds) == 1
    ann, cy = model.focal_place("Ann"), model.focal_place("Cy")
    assert model.monitoring[ann] == 0.9 and not model.outsourced[ann].any()
    assert model.monitoring[cy] == market_monitoring  # Cy plays the market's strategy
    rows = {r["firm"]: r for r in game.history}
    assert rows["Ann"]["submitted"] is True and rows["Cy"]["submitted"] is False
    assert rows["Cy"]["make_or_buy_it"] == "rule" and rows["Bob"]["contract_type"] == "performance_based"
    # round 2: Bob's tab is closed, nobody submits; the round plays with last round's decisions
    game.leave(tokens["Bob"])
    game.advance()
    assert model.steps == 2 * months
    assert model.smb_agents[model.focal_place("Bob")].strategy["contract_type"] == "performance_based"
    assert model.monitoring[ann] == 0.9 and not model.outsourced[ann].any()
    game.advance()
    assert game.phase == "over"
    with pytest.raises(DecisionError, match="no round is open"):
        game.advance()


def test_auto_advance_waits_only_for_present_students_and_the_timer_plays_the_round():
    game, clock, tokens = _game()
    game.start()
    game.settings(auto_advance=True)
    clock.now += 5
    for token in tokens.values():
        game.seen(token)
    game.submit(tokens["Ann"], 1, {})
    game.submit(tokens["Bob"], 1, {})
    assert game.round == 1  # Cy is present and has not submitted
    game.tick()
    assert game.round == 1
    clock.now += 11  # Cy's page has stopped polling: away
    game.seen(tokens["Ann"])
    game.seen(tokens["Bob"])
    game.tick()
    assert game.round == 2
    game.settings(auto_advance=False, timer_s=30)
    assert game.deadline == clock.now + 30
    clock.now += 29
    game.tick()
    assert game.round == 2
    clock.now += 2
    game.tick()
    assert game.round == 3 and game.deadline == clock.now + 30
    for bad, message in (
        ({"timer_s": -1}, "timer_s: seconds in 0..3600"),
        ({"auto_advance": "yes"}, "auto_advance"),
    ):
        with pytest.raises(DecisionError, match=message):
            game.settings(**bad)


def test_the_csv_export_has_every_firm_and_round_with_the_models_figures():
    game, _, tokens = _game(rounds=2)
    game.start()
    game.submit(tokens["Ann"], 1, {"strategy": {"sourcing_policy": "dual"}, "make_or_buy": {"it": "buy"}})
    game.advance()
    game.advance()
    rows = list(csv.DictReader(io.StringIO(game.csv_text())))
    assert tuple(rows[0]) == CSV_COLUMNS
    firms = ["Ann", "Bob", "Cy", *RULE_FIRMS]
    assert [(r["round"], r["firm"]) for r in rows] == [(str(k), f) for k in (1, 2) for f in firms]
    assert {r["kind"] for r in rows if r["firm"] in RULE_FIRMS} == {"rule"}
    assert [r["submitted"] for r in rows[:3]] == ["True", "False", "False"]
    assert rows[0]["sourcing_policy"] == "dual" and rows[0]["make_or_buy_it"] == "buy"
    assert rows[0]["make_or_buy_hr"] == "rule"
    assert {r["decision_rule"] for r in rows if r["firm"] == "rule: tce"} == {"tce"}
    for firm in firms:
        mine = [r for r in rows if r["firm"] == firm]
        report = focal_report(game.model, firm)
        total = sum(float(r["round_profit"]) for r in mine)
        assert float(mine[-1]["total_profit"]) == pytest.approx(report["total_profit"], rel=1e-5)
        assert total == pytest.approx(report["total_profit"], rel=1e-4, abs=1e-4)
        if report["survived"]:
            assert float(mine[-1]["cash"]) == pytest.approx(report["cash"], rel=1e-5)
        assert int(mine[-1]["shirking_suffered"]) == report["shirking_suffered"]
    debrief = game.debrief()
    assert [f["kind"] for f in debrief["firms"]][:3] == ["student"] * 3 and len(debrief["firms"]) == 7


# --- the command line --------------------------------------------------------------------------


def test_classroom_refuses_bad_options_in_one_line(capsys):
    for argv, message in (
        (["--scenario", "nope"], "--scenario: unknown preset 'nope'"),
        (["--port", "70000"], "--port must be in 1..65535, got 70000"),
        (["--smbs", "0"], "--smbs must be in 1..2000, got 0"),
    ):
        assert main(["classroom", *argv]) == 2
        error = capsys.readouterr().err
        assert error.startswith("smb-eco classroom: error: ") and message in error
        assert error.count("\n") == 1
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        assert main(["classroom", "--port", str(port)]) == 2
    error = capsys.readouterr().err
    assert error == (
        f"smb-eco classroom: error: cannot listen on 127.0.0.1:{port} (Address already in use); "
        "choose another --port or --host\n"
    )


# --- the real server with three students and a teacher in headless Chromium ------------------------

WAIT_MS = 30_000
#: Set to a folder to keep the pages' screenshots there (docs/figures for the docs).
SCREENSHOTS = os.environ.get("SMB_ECO_SCREENSHOTS")


@pytest.fixture
def classroom(tmp_path):
    """``python -m ecosystem classroom`` on a free port; yields (base URL, teacher URL)."""
    port = free_port()
    out, err = tmp_path / "server.out", tmp_path / "server.err"
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "ecosystem", "classroom", "--port", str(port), "--seed", "3"],
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"classroom exited with {process.returncode}: {err.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(base + "/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"classroom did not answer at {base} within 30 s: {err.read_text()[-2000:]}")
            time.sleep(0.1)
        printed = out.read_text()
        assert printed.startswith(f"Classroom game: students join at {base}/")
        teacher = re.search(r"Teacher page: (\S+)", printed).group(1)
        yield base, teacher
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0 and "Traceback" not in err.read_text()


def _get(url: str, key: str | None = None):
    request = urllib.request.Request(url, headers={"X-Teacher-Key": key} if key else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _post(url: str, data: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_server_answers_in_json_and_refuses_bad_requests_in_one_line(classroom):
    base, teacher_url = classroom
    key = teacher_url.split("key=", 1)[1]
    status, joined = _post(f"{base}/api/join", json.dumps({"name": "Ada"}).encode())
    assert status == 200 and joined["name"] == "Ada"
    assert _post(f"{base}/api/join", b'{"name": "ada"}') == (
        400,
        {"error": "name: 'ada' is taken in this class; choose another"},
    )
    assert _post(f"{base}/api/join", b"[1]") == (400, {"error": "request body: a JSON object"})
    for path in ("/api/teacher", "/export.csv"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            _get(base + path, "wrong")
        assert refused.value.code == 403 and b"teacher key missing or wrong" in refused.value.read()
    start = urllib.request.Request(f"{base}/api/teacher/start", data=b"{}", headers={"X-Teacher-Key": key})
    with urllib.request.urlopen(start, timeout=10) as response:
        assert json.loads(response.read()) == {"ok": True}
    token = joined["token"]
    stale = {"token": token, "round": 2, "decision": {}}
    status, answer = _post(f"{base}/api/submit", json.dumps(stale).encode())
    assert status == 400 and answer["error"].startswith("round: the class is in round 1, got 2")
    status, answer = _post(f"{base}/api/submit", json.dumps({"token": "nobody", "round": 1}).encode())
    assert (status, answer["error"]) == (400, "unknown student: join the class first")
    status, _ = _post(f"{base}/api/submit", json.dumps({**stale, "round": 1}).encode())
    assert status == 200 and _get(f"{base}/api/teacher", key)["players"][0]["submitted"]
    board, reporters = _get(f"{base}/api/leaderboard"), _get(f"{base}/api/reporters")
    assert [row["name"] for row in board] == ["Ada"] and reporters["month"] == 0
    assert set(reporters["firms"]) == {"Ada", *RULE_FIRMS}
    assert board[0]["cash"] == reporters["firms"]["Ada"]["cash"]


def _submit(page, expect, round_: int) -> None:
    page.get_by_role("button", name="Submit my decisions").click()
    expect(page.locator("#message")).to_have_text(f"Decisions for round {round_} received.")
    expect(page.locator("#banner")).to_contain_text(f"Round {round_}: your decisions are in")


def test_three_students_and_a_teacher_play_two_rounds_in_chromium(sync_playwright, classroom, tmp_path):
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    base, teacher_url = classroom
    key = teacher_url.split("key=", 1)[1]
    requested, failed, script_errors = [], [], []
    names = ["Ada", "Ben", "Cleo"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            contexts = [browser.new_context(viewport={"width": 1360, "height": 900}) for _ in range(4)]
            for context in contexts:
                context.on("request", lambda r: requested.append(r.url))
                context.on(
                    "response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None
                )
            students = [context.new_page() for context in contexts[:3]]
            teacher = contexts[3].new_page()
            for page in (*students, teacher):
                page.on("pageerror", lambda error: script_errors.append(str(error)))
            for page, name in zip(students, names, strict=True):
                page.goto(base + "/")
                page.locator("#name").fill(name)
                page.get_by_role("button", name="Join").click()
                expect(page.locator("#banner")).to_contain_text("Waiting for the teacher to start")
            teacher.goto(teacher_url)
            for name in names:
                expect(teacher.locator(f'[data-player="{name}"]')).to_be_visible()
            teacher.get_by_role("button", name="Start scenario").click()
            expect(teacher.locator("#status")).to_contain_text("round 1 of 3 open")

            # round 1: three different decisions
            ada, ben, cleo = students
            for page in students:
                expect(page.locator("#banner")).to_contain_text("Round 1 of 3 is open")
            ada.locator('[data-lever="contract_type"]').select_option("performance_based")
            ada.locator('[data-lever="monitoring_intensity"]').fill("0.6")
            for function in BUSINESS_FUNCTIONS:
                ada.locator(f'[data-mob="{function}"]').select_option("make")
            _submit(ada, expect, 1)
            ben.locator('[data-lever="sourcing_policy"]').select_option("dual")
            ben.locator('[data-mob="it"]').select_option("buy")
            vendor = ben.locator('[data-vendor="it"] option').nth(1).get_attribute("value")
            ben.locator('[data-vendor="it"]').select_option(vendor)
            _submit(ben, expect, 1)
            cleo.locator('[data-lever="decision_rule"]').select_option("tce")
            cleo.locator('[data-lever="due_diligence"]').fill("1")
            _submit(cleo, expect, 1)
            for name in names:
                expect(teacher.locator(f'[data-player="{name}"]')).to_contain_text("submitted")
            teacher.get_by_role("button", name="Play round").click()
            expect(teacher.locator("#status")).to_contain_text("round 2 of 3 open")

            # a malformed submission, straight to the server: refused with one line, nothing changes
            token = ada.evaluate("localStorage.getItem('smb-eco-classroom-token')")
            before = _get(f"{base}/api/me?token={token}")
            bad = {"token": token, "round": 2, "decision": {"strategy": {"monitoring_intensity": 5}}}
            status, answer = _post(f"{base}/api/submit", json.dumps(bad).encode())
            assert status == 400
            assert (
                answer["error"] == "parameter 'focal.monitoring_intensity' must be a number in [0, 1], got 5"
            )
            status, answer = _post(f"{base}/api/submit", b"{not json")
            assert (status, answer["error"]) == (400, "request body: not valid JSON")
            after = _get(f"{base}/api/me?token={token}")
            assert after["decision"] == before["decision"] and not after["submitted"]
            assert after["decision"]["strategy"]["monitoring_intensity"] == 0.6

            # round 2, played as soon as every student still present has submitted: Cleo closes
            # her tab mid-round and does not hold the others up
            for page in students:
                expect(page.locator("#banner")).to_contain_text("Round 2 of 3 is open")
            teacher.get_by_label("play the round when every present student has submitted").check()
            expect(teacher.locator("#message")).to_contain_text("Rounds are played when every present")
            cleo.close(run_before_unload=True)  # as a closed tab: its pagehide tells the server
            expect(teacher.locator('[data-player="Cleo"]')).to_contain_text("away")
            ada.locator('[data-lever="monitoring_intensity"]').fill("0.2")
            ada.locator('[data-mob="marketing"]').select_option("buy")
            _submit(ada, expect, 2)  # Ben is still deciding: the round waits for him
            expect(teacher.locator('[data-player="Ada"]')).to_contain_text("submitted")
            expect(teacher.locator("#status")).to_contain_text("round 2 of 3 open")
            ben.locator('[data-lever="contract_type"]').select_option("time_and_materials")
            ben.get_by_role("button", name="Submit my decisions").click()
            expect(teacher.locator("#status")).to_contain_text("round 3 of 3 open")  # nobody pressed Play
            expect(ada.locator("#banner")).to_contain_text("Round 3 of 3 is open")
            expect(ben.locator("#banner")).to_contain_text("Round 3 of 3 is open")

            # the leaderboard shows the three students with the model's own figures
            rows = teacher.locator("#leaderboard tr[data-firm]")
            expect(rows).to_have_count(3)
            reporters = _get(f"{base}/api/reporters")
            assert reporters["month"] == 24
            shown = {}
            for k in range(3):
                row = rows.nth(k)
                cells = {
                    c: row.locator(f'[data-col="{c}"]').inner_text()
                    for c in ("total_profit", "cash", "survived", "disruption_months", "shirking_suffered")
                }
                shown[row.get_attribute("data-firm")] = cells
            assert set(shown) == set(names)
            for name, cells in shown.items():
                model = reporters["firms"][name]
                assert math.isclose(float(cells["total_profit"]), model["total_profit"], abs_tol=0.051), name
                if model["survived"]:
                    assert cells["survived"] == "yes"
                    assert math.isclose(float(cells["cash"]), model["cash"], abs_tol=0.051), name
                assert int(cells["disruption_months"]) == model["disruption_months"]
                assert int(cells["shirking_suffered"]) == model["shirking_suffered"]
            profits = [
                reporters["firms"][
                    teacher.locator("#leaderboard tr[data-firm]").nth(k).get_attribute("data-firm")
                ]["total_profit"]
                for k in range(3)
            ]
            assert profits == sorted(profits, reverse=True) or any(
                not reporters["firms"][n]["survived"] for n in names
            )

            # the decisions reached the model and the record
            export = urllib.request.Request(f"{base}/export.csv", headers={"X-Teacher-Key": key})
            with urllib.request.urlopen(export, timeout=10) as response:
                rows_csv = list(csv.DictReader(io.StringIO(response.read().decode())))
            record = {(r["round"], r["firm"]): r for r in rows_csv}
            assert record[("1", "Ada")]["contract_type"] == "performance_based"
            assert record[("1", "Ada")]["monitoring_intensity"] == "0.6"
            assert record[("1", "Ada")]["functions_bought"] == ""  # all made in-house
            assert (
                record[("1", "Ben")]["sourcing_policy"] == "dual"
                and record[("1", "Ben")]["vendor_it"] == vendor
            )
            assert (
                record[("1", "Cleo")]["decision_rule"] == "tce"
                and record[("1", "Cleo")]["due_diligence"] == "1"
            )
            assert (
                record[("2", "Cleo")]["submitted"] == "False" and record[("2", "Ada")]["submitted"] == "True"
            )
            assert record[("2", "Ada")]["make_or_buy_marketing"] == "buy"
            assert record[("2", "Ben")]["contract_type"] == "time_and_materials"
            assert record[("2", "rule: tce")]["kind"] == "rule"
            times = _get(f"{base}/api/teacher", key)["round_seconds"]
            assert len(times) == 2
            print(f"model time per round of 12 months: {', '.join(f'{t:.3f} s' for t in times)}")

            expect(teacher.locator("#debrief tr.student")).to_have_count(3)
            expect(teacher.locator("#debrief tr.rule")).to_have_count(len(RULE_FIRMS))
            expect(ada.locator("#vendors tr")).to_have_count(
                len(_get(f"{base}/api/me?token={token}")["vendors"]) + 1
            )
            for page, name in ((ada, "classroom_student.png"), (teacher, "classroom_teacher.png")):
                shot = tmp_path / name
                page.screenshot(path=str(shot), full_page=True)
                assert shot.stat().st_size > 10_000
                if SCREENSHOTS:
                    shutil.copy(shot, Path(SCREENSHOTS) / name)
        finally:
            browser.close()
    local = (base + "/", "data:", "blob:")
    outside = [url for url in requested if not url.startswith(local)]
    assert requested and not outside, f"requests left the local server: {outside}"
    assert not failed, f"requests failed: {failed}"
    assert not script_errors, f"the pages' scripts failed: {script_errors}"
