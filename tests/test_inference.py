"""Statistics a referee accepts: interactions, Holm, bounded intervals, seed blocks, wording; and
the command-line errors and batch-run stop that go with them.

Tests run on synthetic run tables whose effects are known, and on tiny real runs.
"""

from __future__ import annotations

from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from analysis import SweepResults, summarize, test_hypotheses, test_hypothesis
from analysis.report import _claim
from analysis.statistics import bounded_interval, holm, test_interaction
from ecosystem import EcosystemModel
from ecosystem.interface.cli import main
from ecosystem.reporters import KIND_BOUNDS, METRIC_KINDS, MODEL_REPORTERS
from experiments.catalog import builtin_spec
from experiments.design import build_runs, design_points
from experiments.spec import Expectation, SpecError, spec_from_dict

GRID = {"monitoring_intensity": [0.0, 0.25, 0.5, 0.75, 1.0], "trust_gain": [0.02, 0.1, 0.2]}
CONTRACTS = {"contract_type": ["fixed_price", "time_and_materials", "performance_based"]}


def grid_spec(factors, replications=4, metrics=("shirking_rate",), expect=None):
    data = {
        "name": "synthetic",
        "design": "grid",
        "factors": factors,
        "replications": replications,
        "steps": 2,
        "metrics": list(metrics),
    }
    if expect is not None:
        data["expect"] = expect
    return spec_from_dict(data)


def synthetic(spec, value, noise=0.01, seed=3, seed_effect=0.0, shared_seeds=True):
    """SweepResults whose metric is ``value(point) + seed_effect · z_seed + noise`` in each month."""
    rng = np.random.default_rng(seed)
    points = design_points(spec)
    offsets = {}
    rows = []
    for number, run in enumerate(build_runs(spec)):
        run_seed = run.seed if shared_seeds else number
        offset = offsets.setdefault(run_seed, seed_effect * rng.standard_normal())
        for step in (1, 2):
            row = {"run_id": run.run_id, "point": run.point, "replication": run.replication, "seed": run_seed}
            row.update(points[run.point])
            row["step"] = step
            for metric in spec.metrics:
                row[metric] = value(points[run.point]) + offset + noise * rng.standard_normal()
            rows.append(row)
    return SweepResults(
        path=Path("synthetic"),
        spec=spec,
        manifest={"spec": spec.to_dict()},
        index=pd.DataFrame(),
        frame=pd.DataFrame(rows),
        complete=True,
        missing_runs=(),
        failed_runs=(),
    )


def substitutes(sign):
    """Shirking that monitoring and trust both lower; ``sign`` +1: each weakens the other's effect."""
    return lambda p: (
        0.5
        - 0.3 * p["monitoring_intensity"]
        - p["trust_gain"]
        + sign * 1.2 * p["monitoring_intensity"] * p["trust_gain"]
    )


POSITIVE = Expectation("shirking_rate", "monitoring_intensity", "positive", moderator="trust_gain")
NEGATIVE = Expectation("shirking_rate", "monitoring_intensity", "negative", moderator="trust_gain")


# --- interactions ----------------------------------------------------------------------------------


def test_an_interaction_of_known_sign_is_found_with_that_sign():
    results = synthetic(grid_spec(GRID), substitutes(+1))
    found = test_interaction(results, POSITIVE)
    assert found.kind == "interaction" and found.moderator == "trust_gain"
    assert found.test == "OLS interaction with seed fixed effects (HC3)"
    assert found.verdict == "supported" and found.effect > 0 and found.effect_ci[0] > 0
    assert found.p_value < 0.001
    assert "weakens as trust_gain rises" in found.summary
    assert test_interaction(results, NEGATIVE).verdict == "contradicted"


def test_the_mirrored_table_gives_the_opposite_sign():
    results = synthetic(grid_spec(GRID), substitutes(-1))
    found = test_interaction(results, NEGATIVE)
    assert found.verdict == "supported" and found.effect < 0 and found.effect_ci[1] < 0
    assert "strengthens as trust_gain rises" in found.summary
    assert test_interaction(results, POSITIVE).verdict == "contradicted"


def test_parallel_lines_claim_no_interaction():
    results = synthetic(grid_spec(GRID), substitutes(0), noise=0.05)
    found = test_interaction(results, POSITIVE)
    assert found.verdict == "not detected" and found.effect_ci[0] < 0 < found.effect_ci[1]


def test_an_interaction_coefficient_matches_a_hand_computed_regression():
    # Without noise the fitted coefficient of the standardised product is exact: 1.2 · sd(m) · sd(t).
    results = synthetic(grid_spec(GRID, replications=2), substitutes(+1), noise=0.0)
    runs = results.frame.drop_duplicates("run_id")
    expected = 1.2 * runs["monitoring_intensity"].std(ddof=0) * runs["trust_gain"].std(ddof=0)
    assert test_interaction(results, POSITIVE).effect == pytest.approx(expected, rel=1e-6)


def test_a_list_where_a_factor_is_expected_is_one_line_pointing_to_interaction():
    claim = {
        "metric": "shirking_rate",
        "factor": ["trust_gain", "monitoring_intensity"],
        "direction": "increasing",
    }
    with pytest.raises(SpecError, match=r"expect\[0\]\.factor: names one factor.*interaction") as error:
        grid_spec(GRID, expect=[claim])
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("claim", "field"),
    [
        ({"metric": "shirking_rate", "interaction": ["trust_gain"], "sign": "positive"}, "interaction"),
        (
            {"metric": "shirking_rate", "interaction": ["trust_gain", "nope"], "sign": "positive"},
            "interaction[1]",
        ),
        (
            {"metric": "shirking_rate", "interaction": ["trust_gain", "contract_type"], "sign": "positive"},
            "interaction[1]",
        ),
        (
            {"metric": "shirking_rate", "interaction": ["trust_gain", "monitoring_intensity"], "sign": "up"},
            "sign",
        ),
        ({"metric": "shirking_rate", "interaction": ["trust_gain", "monitoring_intensity"]}, "sign"),
    ],
)
def test_a_bad_interaction_claim_names_its_field(claim, field):
    with pytest.raises(SpecError, match=rf"expect\[0\]\.{field.replace('[', r'\[').replace(']', r'\]')}:"):
        grid_spec({**GRID, **CONTRACTS}, expect=[claim])


def test_an_interaction_claim_round_trips_through_the_manifest_form():
    claim = {
        "metric": "shirking_rate",
        "interaction": ["monitoring_intensity", "trust_gain"],
        "sign": "positive",
    }
    spec = grid_spec(GRID, expect=[claim])
    assert spec.expect == (POSITIVE,) and spec.to_dict()["expect"] == [claim]
    assert spec_from_dict(spec.to_dict()) == spec


def test_the_relational_governance_experiment_states_the_substitution_as_an_interaction():
    spec = builtin_spec("relational_governance")
    moderation = [e for e in spec.expect if e.is_interaction]
    assert [(e.metric, e.factor, e.moderator, e.direction) for e in moderation] == [
        ("shirking_rate", "monitoring_intensity", "trust_gain", "positive"),
        ("total_outsourcing_cost", "monitoring_intensity", "trust_gain", "negative"),
    ]
    assert not {"n_smbs", "n_vendors"} & set(spec.fixed)  # the default market


# --- Holm ------------------------------------------------------------------------------------------


def test_holm_matches_statsmodels_and_skips_untestable_claims():
    p = [0.001, 0.04, float("nan"), 0.03, 0.2]
    expected = multipletests([0.001, 0.04, 0.03, 0.2], method="holm")[1]
    got = holm(p)
    assert np.isnan(got[2]) and got[[0, 1, 3, 4]] == pytest.approx(expected)
    assert got[[0, 1, 3, 4]] == pytest.approx([0.004, 0.09, 0.09, 0.2])  # by hand: 4p, 3p, max(..), 1p


def test_verdicts_are_judged_on_holm_adjusted_p_values():
    spec = grid_spec({**GRID, **CONTRACTS}, replications=3, metrics=("shirking_rate", "breaches"))
    results = synthetic(spec, lambda p: 0.3 - 0.02 * p["monitoring_intensity"], noise=0.05, seed=8)
    found = test_hypotheses(results)
    raw = np.array([r.p_value for r in found])
    assert np.array([r.p_adjusted for r in found]) == pytest.approx(multipletests(raw, method="holm")[1])
    for result in found:
        assert (result.verdict != "not detected") == (result.p_adjusted < 0.05)
        assert "Holm-adjusted" in result.summary
    alone = [test_hypothesis(results, Expectation(r.metric, r.factor, r.direction)) for r in found]
    assert [a.p_value for a in alone] == pytest.approx(raw.tolist())  # one claim alone: no adjustment
    assert any(a.verdict != r.verdict for a, r in zip(alone, found, strict=True))  # adjusting matters here


# --- bounded confidence intervals ------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=12))
def test_a_share_interval_never_leaves_zero_one(values):
    row = summarize(pd.DataFrame({"shirking_rate": values}), [], ["shirking_rate"], by_step=False).iloc[0]
    assert 0.0 <= row["ci_low"] <= row["mean"] + 1e-12 and row["mean"] - 1e-12 <= row["ci_high"] <= 1.0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=2, max_size=12))
def test_a_count_interval_never_goes_below_zero(values):
    row = summarize(pd.DataFrame({"breaches": values}), [], ["breaches"], by_step=False).iloc[0]
    assert 0.0 <= row["ci_low"] <= row["mean"] + 1e-12 <= row["ci_high"] + 2e-12


def test_a_small_share_gets_an_asymmetric_logit_interval_and_a_real_metric_the_t_interval():
    values = [0.0, 0.0, 0.0, 0.1]  # mean 0.025, sd 0.05: the t interval would reach -0.055
    row = summarize(pd.DataFrame({"shirking_rate": values}), [], ["shirking_rate"], by_step=False).iloc[0]
    assert row["ci_low"] > 0 and row["ci_high"] - row["mean"] > row["mean"] - row["ci_low"]
    half = 3.182446305 * 0.05 / 2
    se_logit = half / (0.025 * 0.975)
    logit = np.log(0.025 / 0.975)
    assert row["ci_low"] == pytest.approx(1 / (1 + np.exp(-(logit - se_logit))), rel=1e-6)
    profit = summarize(pd.DataFrame({"mean_smb_profit": values}), [], ["mean_smb_profit"], by_step=False)
    assert profit["ci_low"].iloc[0] == pytest.approx(0.025 - half, rel=1e-6)


def test_values_on_a_bound_give_a_point_interval():
    low, high = bounded_interval(np.array([0.0, 1.0]), np.array([0.0, 0.0]), np.array([5, 5]), (0.0, 1.0))
    assert low.tolist() == [0.0, 1.0] and high.tolist() == [0.0, 1.0]


def test_every_reporter_has_a_kind_whose_bounds_its_values_keep():
    assert set(METRIC_KINDS) == set(MODEL_REPORTERS) and set(METRIC_KINDS.values()) <= set(KIND_BOUNDS)
    model = EcosystemModel(rng=3, n_smbs=40, n_vendors=10, adaptation="imitation", max_months=12)
    model.run_model()
    frame = model.datacollector.get_model_vars_dataframe()
    for name, kind in METRIC_KINDS.items():
        values = frame[name].to_numpy(float)
        values = values[np.isfinite(values)]
        low, high = KIND_BOUNDS[kind]
        assert ((values >= low) & (values <= high)).all(), name
        if kind == "count":
            assert (values == np.round(values)).all(), name
    assert METRIC_KINDS["shirking_rate"] == "share" and METRIC_KINDS["breaches"] == "count"


# --- seed blocks and wording -----------------------------------------------------------------------


def test_shared_seeds_are_blocked_so_a_small_effect_under_large_seed_noise_is_found():
    # Each seed shifts every run by a lot (sd 1); the effect is a small, steady 0.05 across the levels.
    spec = grid_spec({"monitoring_intensity": GRID["monitoring_intensity"]}, replications=6)
    claim = Expectation("shirking_rate", "monitoring_intensity", "decreasing")
    results = synthetic(spec, lambda p: -0.05 * p["monitoring_intensity"], seed_effect=1.0, seed=4)
    blocked = test_hypothesis(results, claim)
    assert blocked.test == "OLS slope with seed fixed effects (HC3)" and blocked.verdict == "supported"
    assert "6 seed blocks" in blocked.summary
    independent = results.frame.assign(seed=results.frame["run_id"])  # pretend every run had its own seed
    unblocked = test_hypothesis(SweepResults(**{**results.__dict__, "frame": independent}), claim)
    assert unblocked.test == "Spearman rank correlation" and unblocked.verdict == "not detected"


def test_a_categorical_factor_is_worded_by_its_levels_never_as_a_trend():
    shirking = {"fixed_price": 0.5, "time_and_materials": 0.45, "performance_based": 0.2}
    spec = grid_spec(CONTRACTS)
    results = synthetic(spec, lambda p: shirking[p["contract_type"]])
    claims = [
        Expectation("shirking_rate", "contract_type", "differs"),
        Expectation("shirking_rate", "contract_type", "decreasing"),
        Expectation("shirking_rate", "contract_type", "decreasing", "performance_based"),
        Expectation("shirking_rate", "contract_type", "increasing", "performance_based"),
    ]
    found = [test_hypothesis(results, c) for c in claims]
    assert [f.verdict for f in found] == ["supported", "supported", "supported", "contradicted"]
    assert found[0].summary.startswith(
        "shirking_rate differs across contract_type, lowest at performance_based and highest at fixed_price"
    )
    assert (
        "falls along the listed levels (fixed_price → time_and_materials → performance_based)"
        in found[1].summary
    )
    assert "lowest at performance_based as expected" in found[2].summary
    assert "is highest at fixed_price, not at performance_based" in found[3].summary
    assert [f.claim for f in found] == [
        "differs",
        "falling along the listed levels",
        "lowest at performance_based",
        "highest at performance_based",
    ]
    for claim, result in zip(claims, found, strict=True):
        words = f"{_claim(claim, result)} {result.summary} {result.claim} {result.to_dict()['claim']}"
        assert "decreasing" not in words and "increasing" not in words
        assert "OLS with seed fixed effects (HC3), Wald F of the levels" in result.summary


# --- command line and batch runs -------------------------------------------------------------------


def one_line_exit_2(argv, capsys, command):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"smb-eco {command}: error: ") and err.count("\n") == 1
    return err


def test_a_list_as_factor_in_a_spec_file_is_one_line_exit_2(tmp_path, capsys):
    data = builtin_spec("relational_governance").to_dict()
    data["expect"] = [
        {
            "metric": "shirking_rate",
            "factor": ["trust_gain", "monitoring_intensity"],
            "direction": "increasing",
        }
    ]
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data))
    err = one_line_exit_2(["sweep", str(path), "--out", str(tmp_path / "out")], capsys, "sweep")
    assert "expect[0].factor" in err and "interaction" in err and not (tmp_path / "out").exists()


def test_run_given_a_sweep_spec_says_so_and_suggests_sweep(tmp_path, capsys):
    spec = builtin_spec("relational_governance").source
    err = one_line_exit_2(["run", "--config", spec, "--out", str(tmp_path / "run")], capsys, "run")
    assert "is a sweep spec" in err and f"smb-eco sweep {spec}" in err and not (tmp_path / "run").exists()


def test_an_existing_sweep_folder_suggests_resume(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text("{}")
    err = one_line_exit_2(["sweep", "relational_governance", "--out", str(out)], capsys, "sweep")
    assert "--resume" in err and "resume=True" not in err


def test_sweep_overrides_are_applied_recorded_and_checked(tmp_path, capsys):
    out = tmp_path / "small"
    argv = ["sweep", "relational_governance", "--set", "n_smbs=8", "--set", "n_vendors=3"]
    argv += ["--replications", "1", "--steps", "2", "--out", str(out)]
    assert main(argv) == 0
    manifest = yaml.safe_load((out / "manifest.json").read_text())
    assert manifest["spec"]["fixed"] == {"n_smbs": 8, "n_vendors": 3}
    assert (
        manifest["spec"]["replications"],
        manifest["spec"]["steps"],
        manifest["spec"]["record_every"],
    ) == (1, 2, 2)
    assert manifest["overrides"]["set"] == {"n_smbs": "8", "n_vendors": "3"}
    assert manifest["overrides"]["arguments"] == argv[2:-2]
    capsys.readouterr()
    err = one_line_exit_2(
        ["sweep", "relational_governance", "--set", "trust_gain=0.1", "--out", str(tmp_path / "x")],
        capsys,
        "sweep",
    )
    assert "--set trust_gain" in err and "varied by this spec" in err
    err = one_line_exit_2(
        ["sweep", "relational_governance", "--replications", "0", "--out", str(tmp_path / "x")],
        capsys,
        "sweep",
    )
    assert "--replications" in err and not (tmp_path / "x").exists()


def test_max_months_stops_a_batch_run_and_run_model():
    results = mesa.batch_run(
        EcosystemModel,
        parameters={"n_smbs": 20, "n_vendors": 5, "max_months": 4},
        rng=[1],
        number_processes=1,
        display_progress=False,
    )
    assert pd.DataFrame(results)["Step"].max() == 4  # not mesa's default of 1,000 steps
    model = EcosystemModel(rng=1, n_smbs=20, n_vendors=5, max_months=3)
    model.run_model()
    assert model.steps == 3 and not model.running
    with pytest.raises(ValueError, match="max_months"):
        EcosystemModel(rng=1, max_months=0)
    with pytest.raises(TypeError, match="rng="):
        EcosystemModel(seed=1)
