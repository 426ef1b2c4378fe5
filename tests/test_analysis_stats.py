"""Analysis core: spec expectations, summaries and CIs, hypothesis tests, adequacy, loading, sensitivity.

Hypothesis tests run on synthetic sweeps whose effect is known; loading and sensitivity run on
tiny real sweeps (10 SMBs, a few months) so the file stays fast.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Ishigami

import analysis
from analysis import (
    AnalysisError,
    SweepResults,
    final_state,
    load,
    per_run,
    sensitivity,
    sobol_indices,
    summarize,
    test_hypotheses,
    test_hypothesis,
    time_averaged,
)
from experiments import runner, storage
from experiments.catalog import builtin_spec, builtin_specs, shrink
from experiments.design import build_runs, design_points
from experiments.spec import Expectation, SpecError, spec_from_dict

# --- synthetic sweeps ------------------------------------------------------------------------------


def grid_spec(factors, replications=5, metrics=("outsourcing_share",), expect=None):
    data = {
        "name": "synthetic",
        "design": "grid",
        "factors": factors,
        "replications": replications,
        "steps": 3,
        "metrics": list(metrics),
    }
    if expect is not None:
        data["expect"] = expect
    return spec_from_dict(data)


def synthetic(spec, value, noise=0.05, seed=11, steps=3):
    """SweepResults of ``spec`` whose metric is ``value(point) + noise``, in the stored layout."""
    rng = np.random.default_rng(seed)
    points = design_points(spec)
    rows = []
    for run in build_runs(spec):
        for step in range(1, steps + 1):
            row = {"run_id": run.run_id, "point": run.point, "replication": run.replication, "seed": run.seed}
            row.update(points[run.point])
            row["step"] = step
            for metric in spec.metrics:
                row[metric] = value(points[run.point]) + noise * rng.standard_normal()
            rows.append(row)
    frame = pd.DataFrame(rows)
    return SweepResults(
        path=Path("synthetic"),
        spec=spec,
        manifest={"spec": spec.to_dict()},
        index=pd.DataFrame(),
        frame=frame,
        complete=True,
        missing_runs=(),
        failed_runs=(),
    )


LEMONS = {"lemon_share": [0.0, 0.2, 0.4, 0.6, 0.8]}
CONTRACTS = {"contract_type": ["fixed_price", "time_and_materials", "performance_based"]}


# --- expect: in specs ------------------------------------------------------------------------------


def test_expect_is_stored_checked_and_round_trips_through_the_manifest_form():
    claims = [
        {"metric": "shirking_rate", "factor": "monitoring_intensity", "direction": "decreasing"},
        {
            "metric": "shirking_rate",
            "factor": "contract_type",
            "direction": "decreasing",
            "level": "performance_based",
        },
    ]
    factors = {"monitoring_intensity": [0.0, 1.0], **CONTRACTS}
    spec = grid_spec(factors, metrics=["shirking_rate"], expect=claims)
    assert spec.expect == (
        Expectation("shirking_rate", "monitoring_intensity", "decreasing"),
        Expectation("shirking_rate", "contract_type", "decreasing", "performance_based"),
    )
    assert spec.to_dict()["expect"] == claims
    again = spec_from_dict(spec.to_dict())
    assert again == spec and again.digest() == spec.digest()
    plain = grid_spec(factors, metrics=["shirking_rate"])
    assert plain.expect == () and "expect" not in plain.to_dict()  # old sweeps keep their digest
    assert plain.digest() != spec.digest()


BAD_EXPECT = [
    ("unknown metric", {"metric": "profit", "factor": "lemon_share", "direction": "increasing"}, "metric"),
    (
        "unknown factor",
        {"metric": "outsourcing_share", "factor": "uncertainty", "direction": "increasing"},
        "factor",
    ),
    (
        "bad direction",
        {"metric": "outsourcing_share", "factor": "lemon_share", "direction": "up"},
        "direction",
    ),
    (
        "level of a numeric factor",
        {"metric": "outsourcing_share", "factor": "lemon_share", "direction": "increasing", "level": 0.2},
        "level",
    ),
    (
        "level not in the spec",
        {
            "metric": "outsourcing_share",
            "factor": "contract_type",
            "direction": "increasing",
            "level": "cost",
        },
        "level",
    ),
    (
        "level with differs",
        {
            "metric": "outsourcing_share",
            "factor": "contract_type",
            "direction": "differs",
            "level": "fixed_price",
        },
        "level",
    ),
    (
        "unknown key",
        {"metric": "outsourcing_share", "factor": "lemon_share", "direction": "increasing", "x": 1},
        "x",
    ),
    ("missing direction", {"metric": "outsourcing_share", "factor": "lemon_share"}, "direction"),
]


@pytest.mark.parametrize(("case", "claim", "field"), BAD_EXPECT, ids=[c[0] for c in BAD_EXPECT])
def test_a_bad_expectation_is_one_line_naming_its_field(case, claim, field):
    with pytest.raises(SpecError) as caught:
        grid_spec({**LEMONS, **CONTRACTS}, expect=[claim])
    assert caught.value.field == f"expect[0].{field}"
    assert "\n" not in str(caught.value)


def test_expect_must_be_a_list_of_mappings():
    with pytest.raises(SpecError, match="expect: must be a list"):
        grid_spec(LEMONS, expect={"metric": "outsourcing_share"})


def test_every_builtin_spec_states_its_hypothesis_as_expectations_except_the_screenings():
    for name in builtin_specs():
        spec = builtin_spec(name)
        assert bool(spec.expect) == (name not in ("sobol_screening", "morris_all")), name
        assert spec_from_dict(spec.to_dict()) == spec
    tce = builtin_spec("tce_make_or_buy").expect
    assert Expectation("outsourcing_share", "asset_specificity", "decreasing") in tce
    agency = builtin_spec("agency_moral_hazard").expect
    assert Expectation("shirking_rate", "contract_type", "decreasing", "performance_based") in agency


def test_shrink_keeps_expectations_whose_level_it_keeps():
    spec = builtin_spec("theory_comparison")
    assert shrink(spec, points=4).expect == spec.expect
    agency = builtin_spec("agency_moral_hazard")
    small = shrink(agency, points=2)  # the first and last points: fixed price and performance based
    assert {p["contract_type"] for p in design_points(small)} == {"fixed_price", "performance_based"}
    assert {e.level for e in small.expect} == {None, "performance_based"}
    assert [e for e in agency.expect if e.level != "time_and_materials"] == list(small.expect)


# --- summaries -------------------------------------------------------------------------------------


def test_ci_matches_a_hand_computation():
    frame = pd.DataFrame({"rule": ["a"] * 4, "x": [1.0, 2.0, 3.0, 4.0]})
    row = summarize(frame, ["rule"], ["x"], by_step=False).iloc[0]
    half = 3.18245 * 1.29099 / np.sqrt(4)  # t(0.975, 3) * sd / sqrt(n) = 2.0543
    assert row["mean"] == 2.5 and row["n"] == 4
    assert row["sd"] == pytest.approx(1.29099, abs=1e-5)
    assert row["ci_high"] - row["mean"] == pytest.approx(half, abs=1e-4)
    assert row["mean"] - row["ci_low"] == pytest.approx(2.0543, abs=1e-3)


def test_summaries_have_the_agreed_columns_and_nan_for_one_run():
    results = synthetic(grid_spec(LEMONS, replications=1), lambda p: p["lemon_share"])
    by_step = summarize(results.frame, results.factors, results.metrics)
    assert list(by_step.columns) == ["lemon_share", "step", "metric", "mean", "sd", "n", "ci_low", "ci_high"]
    assert len(by_step) == 5 * 3 and (by_step["n"] == 1).all()
    assert by_step[["sd", "ci_low", "ci_high"]].isna().all().all()
    for table in (final_state, time_averaged):
        out = table(results.frame, results.factors, results.metrics)
        assert list(out.columns) == ["lemon_share", "metric", "mean", "sd", "n", "ci_low", "ci_high"]
        assert len(out) == 5


def test_per_run_takes_the_last_step_or_the_mean():
    results = synthetic(grid_spec(LEMONS, replications=2), lambda p: 0.0, noise=1.0)
    frame = results.frame
    final = per_run(frame, ["outsourcing_share"], "final")
    mean = per_run(frame, ["outsourcing_share"], "mean")
    assert list(final.columns) == [
        "run_id",
        "point",
        "replication",
        "seed",
        "lemon_share",
        "outsourcing_share",
    ]
    assert len(final) == len(mean) == 10
    first = frame[frame["run_id"] == final["run_id"][0]]
    assert final["outsourcing_share"][0] == first["outsourcing_share"].iloc[-1]
    assert mean["outsourcing_share"][0] == pytest.approx(first["outsourcing_share"].mean())
    with pytest.raises(AnalysisError, match="how"):
        per_run(frame, ["outsourcing_share"], "median")


# --- hypothesis tests ------------------------------------------------------------------------------


def test_a_known_trend_is_supported_with_the_right_sign():
    results = synthetic(grid_spec(LEMONS), lambda p: 0.2 + 0.5 * p["lemon_share"])
    found = test_hypothesis(results, Expectation("outsourcing_share", "lemon_share", "increasing"))
    # replications share their seeds across points: the slope is tested within seed blocks
    assert found.kind == "trend" and found.test == "OLS slope with seed fixed effects (HC3)"
    assert found.verdict == "supported" and found.p_value < 0.001
    assert found.effect > 0.8 and found.effect_ci[0] > 0.5 and found.effect_ci[0] <= found.effect_ci[1]
    assert "slope" in found.summary and "0.5" in found.summary


def test_a_reversed_trend_is_contradicted():
    results = synthetic(grid_spec(LEMONS), lambda p: 0.9 - 0.5 * p["lemon_share"])
    found = test_hypothesis(results, Expectation("outsourcing_share", "lemon_share", "increasing"))
    assert found.verdict == "contradicted" and found.effect < 0
    assert "contrary" in found.summary


NOISE = [
    Expectation("outsourcing_share", "lemon_share", "decreasing"),
    Expectation("outsourcing_share", "contract_type", "decreasing", "performance_based"),
]


@pytest.mark.parametrize("seed", [1, 2])
def test_pure_noise_claims_no_effect(seed):
    results = synthetic(
        grid_spec({**LEMONS, **CONTRACTS}, replications=3), lambda p: 0.5, noise=0.2, seed=seed
    )
    for claim in NOISE:
        found = test_hypothesis(results, claim)
        assert found.verdict == "not detected" and found.p_value >= 0.05
        assert "no effect claimed" in found.summary
        assert "pooled" in found.summary  # the other factor is pooled, and it says so


@pytest.mark.parametrize("claim", NOISE, ids=["trend", "comparison"])
def test_noise_gives_a_verdict_about_as_often_as_alpha(claim):
    # A verdict on pure noise is a false positive: it should come about 5 % of the time, not more.
    spec = grid_spec({**LEMONS, **CONTRACTS}, replications=3)
    verdicts = [
        test_hypothesis(synthetic(spec, lambda p: 0.5, noise=0.2, seed=seed, steps=1), claim).verdict
        for seed in range(100)
    ]
    assert sum(v != "not detected" for v in verdicts) <= 10


def test_a_categorical_effect_by_kruskal_wallis_names_the_lowest_level():
    shirking = {"fixed_price": 0.5, "time_and_materials": 0.45, "performance_based": 0.2}
    results = synthetic(grid_spec(CONTRACTS), lambda p: shirking[p["contract_type"]])
    found = test_hypothesis(
        results, Expectation("outsourcing_share", "contract_type", "decreasing", "performance_based")
    )
    assert (found.kind, found.test, found.effect_name) == (
        "comparison",
        "OLS with seed fixed effects (HC3), Wald F of the levels",
        "epsilon squared",
    )
    assert found.verdict == "supported" and 0.5 < found.effect <= 1
    wrong = test_hypothesis(
        results, Expectation("outsourcing_share", "contract_type", "decreasing", "fixed_price")
    )
    assert wrong.verdict == "contradicted"
    either = test_hypothesis(results, Expectation("outsourcing_share", "contract_type", "differs"))
    assert either.verdict == "supported"


def test_a_two_level_effect_by_mann_whitney_with_rank_biserial():
    factors = {"contract_type": ["fixed_price", "performance_based"]}
    results = synthetic(
        grid_spec(factors), lambda p: 1.0 if p["contract_type"] == "performance_based" else 0.0
    )
    found = test_hypothesis(results, Expectation("outsourcing_share", "contract_type", "increasing"))
    assert found.test.startswith("OLS with seed fixed effects") and found.effect_name.startswith(
        "rank-biserial"
    )
    assert found.verdict == "supported" and found.effect == pytest.approx(1.0)
    lowest = test_hypothesis(
        results, Expectation("outsourcing_share", "contract_type", "decreasing", "performance_based")
    )
    assert lowest.verdict == "contradicted" and lowest.effect == pytest.approx(1.0)


def test_without_expectations_each_metric_and_factor_is_tested_two_sided():
    spec = grid_spec({**LEMONS, **CONTRACTS}, replications=2, metrics=("outsourcing_share", "breaches"))
    results = synthetic(spec, lambda p: p["lemon_share"])
    found = test_hypotheses(results)
    assert [(r.metric, r.factor, r.direction) for r in found] == [
        ("outsourcing_share", "lemon_share", "differs"),
        ("outsourcing_share", "contract_type", "differs"),
        ("breaches", "lemon_share", "differs"),
        ("breaches", "contract_type", "differs"),
    ]
    assert [r.verdict for r in found] == ["supported", "not detected"] * 2
    table = analysis.hypotheses_frame(found)
    assert {"verdict", "effect_ci_low", "adequacy_sufficient"} <= set(table.columns)


def test_the_test_function_is_not_collected_by_pytest():
    assert test_hypothesis.__test__ is False and test_hypotheses.__test__ is False


def test_adequacy_flags_too_few_replications_for_a_noisy_small_effect():
    noisy = synthetic(
        grid_spec(LEMONS, replications=2), lambda p: 0.05 * p["lemon_share"], noise=0.3, steps=1
    )
    found = test_hypothesis(noisy, Expectation("outsourcing_share", "lemon_share", "increasing"))
    adequacy = found.adequacy
    assert adequacy.replications == 2 and not adequacy.sufficient
    assert adequacy.ci_half_width > adequacy.effect_size / 2
    assert "raise replications to about" in adequacy.advice
    clear = synthetic(grid_spec(LEMONS, replications=5), lambda p: p["lemon_share"], noise=0.02)
    good = test_hypothesis(clear, Expectation("outsourcing_share", "lemon_share", "increasing")).adequacy
    assert good.sufficient and "enough" in good.advice


# --- Sobol indices on Ishigami ---------------------------------------------------------------------


def test_sobol_indices_recover_the_ishigami_values():
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    X = sobol_sample.sample(problem, 4096, calc_second_order=False, seed=5)
    table = sobol_indices(problem, Ishigami.evaluate(X), second_order=False, seed=5)
    assert list(table.columns) == ["parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert table["S1"].to_numpy() == pytest.approx([0.314, 0.442, 0.0], abs=0.04)
    assert table["ST"].to_numpy() == pytest.approx([0.558, 0.442, 0.244], abs=0.04)
    again = sobol_indices(problem, Ishigami.evaluate(X), second_order=False, seed=5)
    pd.testing.assert_frame_equal(table, again)  # a fixed non-zero seed: the same intervals


def test_sobol_indices_refuse_outputs_out_of_step_with_the_sample():
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    with pytest.raises(AnalysisError, match="sample order"):
        sobol_indices(problem, np.ones(7), second_order=False, seed=5)


# --- loading real sweeps ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_sweep(tmp_path_factory):
    small = shrink(builtin_spec("agency_moral_hazard"), points=3, steps=3, n_smbs=10, n_vendors=4)
    spec = spec_from_dict({k: v for k, v in small.to_dict().items() if k != "contexts"})  # see test_contexts
    out = tmp_path_factory.mktemp("sweeps") / "agency"
    runner.run_sweep(spec, out, workers=1)
    return spec, out


def test_a_finished_sweep_loads_whole_with_its_spec_and_columns(tiny_sweep):
    spec, out = tiny_sweep
    results = load(out)
    assert results.complete and results.missing_runs == () and results.failed_runs == ()
    assert results.spec == spec and results.factors == tuple(spec.factors) and results.metrics == spec.metrics
    expected = ["run_id", "point", "replication", "seed", *spec.factors, "step", *spec.metrics]
    assert list(results.frame.columns) == expected
    assert results.frame["run_id"].nunique() == len(build_runs(spec))
    found = test_hypotheses(results)
    assert len(found) == len(spec.expect)
    assert {r.verdict for r in found} <= {"supported", "contradicted", "not detected"}


def test_a_folder_without_manifest_is_refused(tmp_path):
    with pytest.raises(AnalysisError, match="not a sweep results folder"):
        load(tmp_path)
    with pytest.raises(AnalysisError, match="no manifest.json"):
        load(tmp_path / "missing")


def test_a_half_finished_sweep_is_refused_unless_partial_is_allowed(tiny_sweep, tmp_path):
    _, out = tiny_sweep
    copy = shutil.copytree(out, tmp_path / "half")
    victim = sorted((copy / storage.RUNS).glob("*.parquet"))[1]
    victim.unlink()
    with pytest.raises(AnalysisError) as caught:
        load(copy)
    message = str(caught.value)
    assert "half finished" in message and "--allow-partial" in message and "--resume" in message
    assert "2 of 3 runs" in message and "\n" not in message
    results = load(copy, allow_partial=True)
    assert not results.complete and results.missing_runs == (victim.stem,)
    assert victim.stem not in set(results.frame["run_id"])
    for path in (copy / storage.RUNS).glob("*.parquet"):
        path.unlink()
    with pytest.raises(AnalysisError, match="no finished runs"):
        load(copy, allow_partial=True)


def test_a_run_file_missing_a_metric_is_refused(tiny_sweep, tmp_path):
    _, out = tiny_sweep
    copy = shutil.copytree(out, tmp_path / "damaged")
    victim = sorted((copy / storage.RUNS).glob("*.parquet"))[0]
    pd.read_parquet(victim).drop(columns="breaches").to_parquet(victim)
    with pytest.raises(AnalysisError, match="'breaches'") as caught:
        load(copy)
    assert victim.name in str(caught.value)


# --- sensitivity on a real sobol sweep -------------------------------------------------------------


def test_sensitivity_of_a_small_sobol_screening_sweep(tmp_path):
    data = builtin_spec("sobol_screening").to_dict()
    data.update(
        name="sobol-small",
        design={"type": "sobol", "samples": 2, "second_order": False},
        fixed={"n_smbs": 10, "n_vendors": 4},
        replications=2,
        steps=2,
        record_every=2,
    )
    spec = spec_from_dict(data)
    runner.run_sweep(spec, tmp_path / "sobol", workers=1)
    results = load(tmp_path / "sobol")
    table = sensitivity(results, "mean_smb_margin")
    assert list(table.columns) == ["parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert table["parameter"].tolist() == list(spec.factors)
    assert np.isfinite(table[["S1", "ST"]].to_numpy()).all()
    pd.testing.assert_frame_equal(table, sensitivity(results, "mean_smb_margin"))


def test_sensitivity_refuses_a_grid_sweep(tiny_sweep):
    with pytest.raises(AnalysisError, match="sobol or morris"):
        sensitivity(load(tiny_sweep[1]), "shirking_rate")


def test_large_sweeps_get_fishers_interval_of_spearmans_rho_which_matches_the_bootstrap(monkeypatch):
    """Above ANALYTIC_SPEARMAN_ABOVE runs a trend's rho interval is Fisher's z with Bonett and
    Wright's variance; on 3,000 correlated pairs it agrees with the percentile bootstrap within
    0.01 at each bound, and the switch happens exactly above the threshold."""
    from scipy import stats as sps

    from analysis import statistics as st

    rng = np.random.default_rng(3)
    x = rng.normal(size=3000)
    y = 0.4 * x + rng.normal(size=3000)
    rho = float(sps.spearmanr(x, y)[0])
    low, high = st._fisher_spearman(rho, len(x))
    boot_low, boot_high = st._bootstrap_spearman(x, y)
    assert low < rho < high
    assert abs(low - boot_low) < 0.01 and abs(high - boot_high) < 0.01
    used = []
    monkeypatch.setattr(st, "_bootstrap_spearman", lambda a, b: used.append("bootstrap") or (0.0, 0.0))
    monkeypatch.setattr(st, "ANALYTIC_SPEARMAN_ABOVE", 3000)
    st._spearman_interval(x, y, rho)
    assert used == ["bootstrap"]  # 3,000 runs: not above the threshold
    monkeypatch.setattr(st, "ANALYTIC_SPEARMAN_ABOVE", 2999)
    assert st._spearman_interval(x, y, rho) == (low, high)
    assert used == ["bootstrap"]
    assert st._fisher_spearman(1.0, 50) == (1.0, 1.0)
    assert all(np.isnan(v) for v in st._fisher_spearman(float("nan"), 50))


def test_hypotheses_tested_together_equal_each_tested_alone():
    """test_hypotheses groups the runs once per metric (_averaged_runs); every result must be the
    one test_hypothesis gives on its own, which groups them afresh."""
    spec = grid_spec(
        {"lemon_share": [0.0, 0.4, 0.8], "contract_type": ["fixed_price", "performance_based"]},
        replications=4,
        metrics=("outsourcing_share", "shirking_rate"),
    )
    results = synthetic(spec, lambda p: p["lemon_share"] + (p["contract_type"] == "fixed_price"), noise=0.3)
    together = test_hypotheses(results)
    assert len(together) == 4
    for expectation, result in zip(analysis.default_expectations(results), together, strict=True):
        alone = test_hypothesis(results, expectation, p_adjusted=result.p_adjusted)
        assert alone.to_dict() == result.to_dict()


def test_an_unreadable_run_file_is_one_line_naming_it(tiny_sweep, tmp_path):
    _, out = tiny_sweep
    copy = shutil.copytree(out, tmp_path / "garbled")
    victim = sorted((copy / storage.RUNS).glob("*.parquet"))[0]
    victim.write_bytes(b"not a parquet file")
    with pytest.raises(AnalysisError, match="cannot be read") as caught:
        load(copy)
    assert victim.name in str(caught.value) and "\n" not in str(caught.value)


def _many_runs(n, seed=5):
    """SweepResults of ``n`` runs, one month each, every run its own seed (so the trend test is
    Spearman's), whose outsourcing share rises with the lemon share, with ties."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 0.8, n)
    frame = pd.DataFrame(
        {
            "run_id": [f"p{i:05d}-r00" for i in range(n)],
            "point": np.arange(n),
            "replication": 0,
            "seed": np.arange(n) + 1000,
            "lemon_share": x,
            "step": 1,
            "outsourcing_share": np.round(np.clip(0.3 + 0.2 * x + 0.1 * rng.standard_normal(n), 0, 1), 2),
        }
    )
    spec = grid_spec({"lemon_share": [0.0, 0.8]})
    return SweepResults(Path("many"), spec, {}, pd.DataFrame(), frame, True, (), ())


def test_a_trend_names_fishers_interval_exactly_above_the_threshold_and_the_report_says_how():
    from types import SimpleNamespace

    from analysis import statistics as st
    from analysis.report import _verdict_section

    claim = Expectation("outsourcing_share", "lemon_share", "increasing")
    at = test_hypothesis(_many_runs(st.ANALYTIC_SPEARMAN_ABOVE), claim)
    above = test_hypothesis(_many_runs(st.ANALYTIC_SPEARMAN_ABOVE + 1), claim)
    assert at.test == above.test == "Spearman rank correlation"
    x, y = (
        _many_runs(st.ANALYTIC_SPEARMAN_ABOVE).frame[c].to_numpy(float)
        for c in ("lemon_share", "outsourcing_share")
    )
    assert at.effect_ci == st._bootstrap_spearman(x, y)
    assert above.effect_ci == st._fisher_spearman(above.effect, st.ANALYTIC_SPEARMAN_ABOVE + 1)
    assert above.effect_ci[0] < above.effect < above.effect_ci[1]
    assert st.FISHER_Z_CI not in at.summary and "rho = " in at.summary and "95 % CI [" in at.summary
    assert st.FISHER_Z_CI in above.summary

    def method(result):
        analysis_ = SimpleNamespace(
            tests=[result],
            expectations=[claim],
            results=SimpleNamespace(spec=SimpleNamespace(expect=(claim,))),
        )
        return " ".join(_verdict_section(analysis_))

    assert "Bonett & Wright" in method(above) and "above 2,000 runs" in method(above)
    assert "Bonett & Wright" not in method(at)


def test_the_bootstrap_of_rho_is_the_same_in_any_blocks_of_resamples():
    from analysis import statistics as st

    rng = np.random.default_rng(8)
    x = rng.normal(size=301)
    y = np.round(x + rng.normal(size=301), 1)  # ties
    whole = st._bootstrap_spearman(x, y, chunk=301 * st.BOOTSTRAP_RESAMPLES)
    assert st._bootstrap_spearman(x, y) == whole
    assert st._bootstrap_spearman(x, y, chunk=1) == whole  # one resample a block
    assert st._bootstrap_spearman(x, y, chunk=301 * 7 + 5) == whole  # blocks of 7 and a shorter last one
