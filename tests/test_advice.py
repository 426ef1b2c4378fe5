"""The policy advisor (`smb-eco advise`) and money in business units.

The advisor's analysis is tested on constructed outcome tables whose answers are known by hand
(break-even, regret, satisficing, the PRIM box); a tiny real run checks the command end to end.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import advice
from analysis import figures as fg
from ecosystem import labels, reporters, units
from ecosystem.interface.cli import main
from tests.helpers import series

SOURCING = "focal.sourcing_policy"
RATES = (0.0, 0.02, 0.04, 0.06, 0.08)


def _question(**changes) -> advice.Question:
    return advice.Question(
        conditions={"vendor_failure_rate": RATES},
        policies={"sourcing_policy": ("single", "dual")},
        current={"sourcing_policy": "single"},
        replications=3,
        **changes,
    )


def _table(single, dual, fails=None, replications=3) -> pd.DataFrame:
    """Runs of single and dual sourcing at each rate: profit from the given functions of the rate,
    plus a shock shared by both policies in each replication (common random numbers)."""
    shock = np.array([-0.3, 0.1, 0.5])[:replications]
    rows = []
    for rate in RATES:
        for policy, profit in (("single", single), ("dual", dual)):
            for r in range(replications):
                rows.append(
                    {
                        "vendor_failure_rate": rate,
                        SOURCING: policy,
                        "replication": r,
                        "profit": profit(rate) + shock[r],
                        "cost": 1.0 + (0.25 if policy == "dual" else 0.0) + shock[r],
                        "functions": 2.0,
                        "disruption_months": 10 * rate if policy == "single" else 2 * rate,
                        "output_lost": 0.0,
                        "survived": 1.0,
                        "cash": 5.0,
                        "fails": int(fails(rate, r)) if fails and policy == "single" else 0,
                    }
                )
    return pd.DataFrame(rows)


def test_break_even_found_within_one_grid_step_where_dual_dominates_at_high_failure_rates():
    # single earns 2 - 40 r, dual 1.6 - 10 r: dual pays above r = 0.4 / 30 = 0.0133
    table = _table(lambda r: 2 - 40 * r, lambda r: 1.6 - 10 * r)
    found = advice.analyse(table, _question())
    row = found.break_even.set_index("policy").loc["dual"]
    assert row["status"] == "crosses"
    assert abs(row["break_even"] - 0.4 / 30) < RATES[1] - RATES[0]  # within one grid step
    assert row["break_even"] == pytest.approx(0.4 / 30)  # linear gains interpolate exactly
    best = found.best.set_index("vendor_failure_rate")[SOURCING]
    assert best[0.0] == "single" and (best[[0.02, 0.04, 0.06, 0.08]] == "dual").all()
    # the paired gain over the current (single) policy has no noise: the shock cancels
    dual = found.decision[
        (found.decision[SOURCING] == "dual") & (found.decision["vendor_failure_rate"] == 0.08)
    ]
    assert dual["gain"].iloc[0] == pytest.approx((1.6 - 0.8) - (2 - 3.2))
    assert dual["gain_low"].iloc[0] == pytest.approx(dual["gain_high"].iloc[0])
    assert dual["premium"].iloc[0] == pytest.approx(0.25)
    assert "starts to pay above a vendor failure rate of 0.013" in advice.answer(found)


def test_break_even_says_when_diversification_never_or_always_pays():
    never = advice.analyse(_table(lambda r: 2.0, lambda r: 1.0), _question()).break_even
    assert never["status"].tolist() == ["none_in_range"] and math.isnan(never["break_even"].iloc[0])
    always = advice.analyse(_table(lambda r: 1.0, lambda r: 2.0), _question())
    assert always.break_even["status"].tolist() == ["below_range"]
    assert "does not pay" in advice._break_even_text(
        advice.analyse(_table(lambda r: 2.0, lambda r: 1.0), _question())
    )


def test_regret_and_satisficing_match_a_hand_computed_table():
    decision = pd.DataFrame(
        {
            "condition": ["calm"] * 3 + ["stormy"] * 3,
            "policy": ["single", "dual", "multi"] * 2,
            "profit": [3.0, 2.5, 2.0, -1.0, 1.0, 1.5],
            "disruption_months": [0.0, 0.0, 0.0, 5.0, 2.0, 1.0],
            "survival": [1.0, 1.0, 1.0, 0.5, 0.8, 1.0],
        }
    )
    robust = advice.robustness(decision, advice.Question(min_profit=1.0, max_disruption_months=2.0))
    # regrets: calm best 3 -> 0, 0.5, 1; stormy best 1.5 -> 2.5, 0.5, 0
    assert robust["max_regret"].to_dict() == {"single": 2.5, "dual": 0.5, "multi": 1.0}
    assert robust["expected_profit"].to_dict() == {"single": 1.0, "dual": 1.75, "multi": 1.75}
    # single fails stormy on every count; dual meets both (profit 1 >= 1, 2 months <= 2, 0.8 >= 0.75)
    assert robust["satisficing"].to_dict() == {"single": 0.5, "dual": 1.0, "multi": 1.0}
    assert robust["worst_profit"].to_dict() == {"single": -1.0, "dual": 1.0, "multi": 1.5}


def test_prim_box_isolates_the_failures_of_the_current_policy_with_coverage_and_density():
    # the current (single) policy fails in every history at rates 0.06 and above, never below
    table = _table(lambda r: 1.0, lambda r: 1.0, fails=lambda rate, r: rate >= 0.06)
    found = advice.analyse(table, _question())
    box = found.discovery
    assert box["status"] == "box" and box["runs"] == 15 and box["failures"] == 6
    assert box["limits"]["vendor_failure_rate"]["levels"] == [0.06, 0.08]
    assert box["coverage"] == pytest.approx(1.0) and box["density"] == pytest.approx(1.0)
    assert box["mass"] == pytest.approx(6 / 15)
    assert box["histories"] == 3 and box["all_or_nothing"] == 0  # each history fails at 2 of 5 rates
    text = advice.markdown(found)
    assert "Coverage 100%" in text and "density 100%" in text and "0.06, 0.08" in text
    # with one false alarm inside the box, density falls to 5 of 6 while coverage stays whole
    noisy = _table(
        lambda r: 1.0, lambda r: 1.0, fails=lambda rate, r: rate >= 0.06 and not (rate == 0.08 and r == 0)
    )
    loose = advice.prim_box(noisy, _question(), min_density=0.8)
    assert loose["coverage"] == pytest.approx(1.0) and loose["density"] == pytest.approx(5 / 6)
    calm = advice.prim_box(_table(lambda r: 1.0, lambda r: 1.0), _question())
    assert calm["status"] == "never fails" and calm["failures"] == 0


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"vendor_failure_rate": "0.05..0.01"}, "LOW < HIGH"),
        ({"vendor_failure_rate": "0.01,2"}, "parameter 'vendor_failure_rate' must be a number in [0, 1]"),
        ({"policies.colour": "red"}, "a policy lever is one of"),
        ({"focal.sourcing_policy": "triple"}, "one of single, dual, multi"),
        ({"replications": "1"}, "replications must be an integer in [2, 1000]"),
        ({"threshold.cash": "lots"}, "threshold.cash must be a number"),
        ({"threshold.loss": "1"}, "unknown threshold"),
        ({"vendor_failure_rate": "0.02"}, "give a range"),
        ({"colour": "red"}, "unknown parameter 'colour'"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(settings, message):
    with pytest.raises(advice.AdviceError, match=message.replace("[", r"\[").replace("]", r"\]")):
        advice.question_from_settings(settings)


def test_current_policy_is_always_a_candidate_and_ranges_expand():
    q = advice.question_from_settings(
        {"vendor_failure_rate": "0.0..0.06", "focal.monitoring_intensity": "0.45", "lemon_share": [0.1, 0.3]}
    )
    assert q.conditions == {"vendor_failure_rate": (0.0, 0.02, 0.04, 0.06), "lemon_share": (0.1, 0.3)}
    assert q.current["monitoring_intensity"] == 0.45 and 0.45 in q.policies["monitoring_intensity"]
    assert q.runs() == 4 * 2 * 3 * 3 * 2 * q.replications


TINY = [
    "--set", "n_smbs=10", "--set", "n_vendors=4", "--set", "months=6", "--set", "replications=2",
    "--set", "vendor_failure_rate=0.01,0.2", "--set", "lemon_share=0.15",
    "--set", "policies.sourcing_policy=single,dual", "--set", "policies.monitoring_intensity=0.3",
    "--set", "policies.contract_type=fixed_price", "--set", "currency=EUR", "--set", "money_unit=1000",
]  # fmt: skip


def test_advise_end_to_end_writes_the_advice_in_business_units(tmp_path, capsys):
    out = tmp_path / "advice"
    assert main(["advise", *TINY, "--workers", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "most robust choice is" in printed and "EUR" in printed
    text = (out / "advice.md").read_text()
    assert text.index("## The answer") < text.index("## Decision table")
    assert (
        "EUR k / month" in text
        and "money units" not in text.split("## Decision table")[0].split("Money is in")[0]
    )
    decision = pd.read_csv(out / "decision_table.csv")
    assert len(decision) == 2 * 2  # conditions x policies
    single = decision[decision[SOURCING] == "single"]
    assert (single["premium"] == 0).all() and (single["gain"] == 0).all()  # against itself
    assert (out / "advice.html").exists() and (out / "figures" / "robustness.png").exists()
    outcomes = pd.read_csv(out / "outcomes.csv")
    assert len(outcomes) == 8 and set(outcomes["replication"]) == {0, 1}


def test_a_yaml_config_may_nest_the_current_policy_candidates_and_thresholds(tmp_path):
    config = tmp_path / "firm.yaml"
    config.write_text(
        "vendor_failure_rate: [0.01, 0.05]\nfocal: {sourcing_policy: dual}\n"
        "policies: {sourcing_policy: [single, dual]}\nthreshold: {disruption_months: 4}\n"
    )
    from ecosystem.interface.cli import _read_config

    q = advice.question_from_settings(_read_config(config))
    assert q.current["sourcing_policy"] == "dual" and q.policies["sourcing_policy"] == ("single", "dual")
    assert q.max_disruption_months == 4 and q.conditions["vendor_failure_rate"] == (0.01, 0.05)


def test_advise_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "advice"
    assert main(["advise", "--set", "lemon_share=0.1..2", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "lemon_share" in err and "Traceback" not in err
    assert not out.exists()


# --- money in business units ---------------------------------------------------------------------
def test_business_units_change_no_simulation_result():
    small = {"n_smbs": 20, "n_vendors": 6, "vendor_failure_rate": 0.05, "focal.sourcing_policy": "dual"}
    plain = series(12, 3, **small)
    labelled = series(12, 3, **small, currency="EUR", money_unit=1000.0)
    pd.testing.assert_frame_equal(plain, labelled)


def test_per_firm_money_and_months_of_lost_output_are_consistent():
    frame = series(
        36, 4, n_smbs=30, n_vendors=8, vendor_failure_rate=0.08, **{"focal.sourcing_policy": "single"}
    )
    active = frame["disruption_loss"] / frame["mean_disruption_loss"]
    hit = frame["disruption_loss"] > 0
    assert hit.any() and (frame["output_months_lost"][hit] > 0).all()
    assert np.allclose(active[hit], np.round(active[hit]))  # a total over a whole number of SMBs
    assert (frame["output_months_lost"].dropna() <= 1).all()
    lost = frame["focal_output_months_lost"].dropna()
    assert (np.diff(lost) >= 0).all()  # cumulative
    assert (lost <= frame.loc[lost.index, "focal_disruption_months"] + 1e-12).all()  # < 1 month per month
    bought = frame["focal_outsourced_functions"].dropna()
    assert bought.between(0, 6).all()


def test_every_money_reporter_states_whom_and_when():
    for name, (per, period) in reporters.MONEY_SCOPE.items():
        assert name in reporters.MODEL_REPORTERS
        assert per in ("firm", "all SMBs", "vendor", "outsourced function") and period in ("month", "stock")
    assert units.unit_text("mean_smb_profit", "EUR", 1000) == "EUR k / firm / month"
    assert units.unit_text("disruption_loss", "EUR", 1000) == "EUR k / month, all SMBs"
    with labels.money_units({"currency": "USD", "money_unit": 1e6}):
        assert fg.label("mean_outsourcing_cost") == "Outsourcing cost per SMB (USD m / firm / month)"
    assert fg.label("disruption_loss") == "Total disruption loss (money units / month, all SMBs)"


def test_run_summary_labels_money_in_business_units(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["run", "--steps", "2", "--set", "n_smbs=10", "--set", "currency=EUR", "--set", "money_unit=1000"]
    assert main([*args, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "[EUR k / firm / month]" in printed and "[EUR k / month, all SMBs]" in printed
