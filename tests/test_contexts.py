"""Robust theory effects: background contexts in a spec, their runs, and the share of contexts
in which each expectation holds."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from analysis.load import load
from analysis.report import analyze
from analysis.statistics import context_tests, robustness, test_hypothesis
from experiments import build_runs, run_sweep, spec_from_dict
from experiments.catalog import builtin_spec, shrink
from experiments.design import context_points, replication_seeds
from experiments.spec import SpecError

SPEC = {
    "name": "robust-monitoring",
    "seed": 5,
    "fixed": {"n_smbs": 30, "n_vendors": 10, "contract_type": "fixed_price"},
    "design": "grid",
    "factors": {"monitoring_intensity": [0.0, 0.6]},
    "replications": 3,
    "steps": 18,
    "record_every": 6,
    "metrics": ["shirking_rate", "outsourcing_share"],
    "expect": [{"metric": "shirking_rate", "factor": "monitoring_intensity", "direction": "decreasing"}],
    "contexts": {
        "design": "lhs",
        "samples": 3,
        "over": {"lemon_share": [0.0, 0.4], "vendor_patience": [0.8, 0.95]},
    },
}


def test_contexts_cross_every_design_point_with_common_seeds():
    spec = spec_from_dict(SPEC)
    runs = build_runs(spec)
    assert len(runs) == 3 * 2 * 3  # contexts x points x replications
    assert runs[0].run_id == "c00-p0000-r00" and runs[-1].run_id == "c02-p0005-r02"
    contexts = context_points(spec)
    for run in runs:
        background = contexts[run.context]
        assert {k: run.params[k] for k in background} == background
        assert run.params["monitoring_intensity"] == [0.0, 0.6][run.point % 2]
    # the replication seeds are those of the spec without contexts: common random numbers
    assert {r.seed for r in runs} == set(replication_seeds(5, 3))
    without = spec_from_dict({k: v for k, v in SPEC.items() if k != "contexts"})
    assert [r.seed for r in build_runs(without)] == [r.seed for r in runs[:6]]
    assert without.digest() != spec.digest() and spec_from_dict(spec.to_dict()) == spec
    # a Latin hypercube: one context in each third of each range
    assert sorted(int(c["lemon_share"] // (0.4 / 3)) for c in contexts) == [0, 1, 2]


@pytest.mark.parametrize(
    "contexts, message",
    [
        ({"samples": 1, "over": {"lemon_share": [0, 0.4]}}, "contexts.samples: must be an integer >= 2"),
        ({"samples": 3, "over": {"monitoring_intensity": [0, 0.4]}}, "is a factor or fixed"),
        ({"samples": 3, "over": {"n_smbs": [5, 9]}}, "is a factor or fixed"),
        ({"samples": 3, "over": ["switching_cost"]}, "a name alone stands for a share or chance"),
        ({"samples": 3, "over": {"lemon_share": [0.4, 0.1]}}, "low must be below high"),
        ({"samples": 3, "design": "sobol", "over": {"lemon_share": [0, 0.4]}}, "must be lhs"),
        ({"samples": 3, "over": {"lemon_share": [0, 0.4]}, "seed": 3}, "contexts.seed: unknown key"),
        ({"over": {"lemon_share": [0, 0.4]}}, "contexts.samples: is required"),
    ],
)
def test_bad_contexts_are_refused_in_one_line(contexts, message):
    with pytest.raises(SpecError) as caught:
        spec_from_dict({**SPEC, "contexts": contexts})
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_contexts_must_give_valid_settings_over_their_whole_box():
    data = {**SPEC, "fixed": {**SPEC["fixed"], "nearshore_share": 0.5}}
    with pytest.raises(SpecError, match="at offshore_share=0.9 the model refuses the setting"):
        spec_from_dict({**data, "contexts": {"samples": 2, "over": {"offshore_share": [0.0, 0.9]}}})


def test_contexts_take_grid_and_list_designs_only_and_shares_by_name():
    with pytest.raises(SpecError, match="are for grid and list designs"):
        spec_from_dict(
            {**SPEC, "design": {"type": "lhs", "samples": 4}, "factors": {"monitoring_intensity": [0, 1]}}
        )
    spec = spec_from_dict({**SPEC, "contexts": {"samples": 2, "over": ["lemon_share"]}})
    assert spec.contexts.over == {"lemon_share": (0.0, 1.0)}


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("contexts") / "sweep"
    run_sweep(spec_from_dict(SPEC), out, workers=2)
    return out


def test_each_context_is_tested_alone_and_the_shares_count_its_verdicts(sweep):
    results = load(sweep)
    assert set(results.frame["context"]) == {0, 1, 2} and "lemon_share" in results.frame.columns
    tests = context_tests(results)
    assert list(tests["context"]) == [0, 1, 2]
    expectation = results.spec.expect[0]
    for row in tests.itertuples(index=False):
        alone = dataclasses.replace(results, frame=results.frame[results.frame["context"] == row.context])
        assert alone.frame["run_id"].nunique() == 6
        result = test_hypothesis(alone, expectation)
        assert (row.effect, row.p_value, row.verdict) == (result.effect, result.p_value, result.verdict)
    shares = robustness(tests).iloc[0]
    counts = tests["verdict"].value_counts(normalize=True)
    assert shares["contexts"] == 3
    for verdict, column in (
        ("supported", "supported"),
        ("contradicted", "contradicted"),
        ("not detected", "not_detected"),
    ):
        assert shares[column] == pytest.approx(counts.get(verdict, 0.0))
    assert shares["supported"] + shares["contradicted"] + shares["not_detected"] == pytest.approx(1.0)


def test_the_report_gives_the_robustness_table_and_a_figure_per_expectation(sweep):
    report = analyze(sweep).read_text()
    assert (
        "## Robustness across contexts" in report
        and "| 1 | Shirking rate falls with monitoring intensity | 3 |" in report
    )
    folder = sweep / "analysis"
    assert list(pd.read_csv(folder / "robustness.csv")["contexts"]) == [3]
    assert len(pd.read_csv(folder / "context_tests.csv")) == 3
    assert list((folder / "figures").glob("*contexts-1.png"))


def test_the_built_in_theory_experiments_test_their_effects_across_contexts():
    names = (
        "tce_make_or_buy",
        "agency_moral_hazard",
        "adverse_selection",
        "relational_contracting",
        "holdup",
    )
    for name in names:
        spec = builtin_spec(name)
        assert spec.contexts is not None and spec.contexts.samples >= 6 and spec.expect, name
        assert shrink(spec).contexts.samples == 2
