"""Experiment sweeps: spec checking, design sizes, determinism, resume and failure isolation.

Every simulated run here is tiny (at most 30 SMBs, 6 months) so the file stays fast.
"""

from __future__ import annotations

import os

import pandas as pd
import pytest
import yaml

from experiments import runner, storage
from experiments.design import build_runs, design_points, replication_seeds
from experiments.spec import SpecError, load_spec, spec_from_dict

TINY = {"n_smbs": 20, "n_vendors": 5}


def spec_dict(**changes):
    """A small valid grid spec, with ``changes`` applied (a value of None deletes the field)."""
    data = {
        "name": "tiny",
        "hypothesis": "Lemons lower delivered quality.",
        "seed": 7,
        "fixed": dict(TINY),
        "design": "grid",
        "factors": {"lemon_share": [0.1, 0.6], "contract_type": ["fixed_price", "performance_based"]},
        "replications": 2,
        "steps": 5,
        "metrics": ["outsourcing_share", "active_contracts", "mean_delivered_quality"],
        "record_every": 2,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def write_yaml(tmp_path, data, name="spec.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def results_by_file(out_dir):
    return {p.name: pd.read_parquet(p) for p in sorted((out_dir / storage.RUNS).glob("*.parquet"))}


# --- specs -----------------------------------------------------------------------------------------


def test_yaml_spec_loads_normalises_and_round_trips(tmp_path):
    text = """
name: ranges
seed: 3
fixed: {n_smbs: 20, breach_rate: 1e-3}    # PyYAML reads 1e-3 as text; the schema parses it
design: grid
factors:
  uncertainty: {start: 0.1, stop: 0.5, step: 0.2}
  referral_count: {start: 0, stop: 4, step: 2}
replications: 1
steps: 4
"""
    path = tmp_path / "ranges.yaml"
    path.write_text(text)
    spec = load_spec(path)
    assert spec.fixed == {"n_smbs": 20, "breach_rate": 0.001}
    assert spec.factors == {"uncertainty": (0.1, 0.3, 0.5), "referral_count": (0, 2, 4)}
    assert spec.record_every == 1 and spec.seed == 3
    assert len(spec.metrics) > 5  # all model reporters by default
    again = spec_from_dict(spec.to_dict())
    assert again == spec and again.digest() == spec.digest()


BAD_SPECS = [
    ("unknown parameter in fixed", {"fixed": {"lemon_shar": 0.2}}, "fixed.lemon_shar", "lemon_share"),
    ("unknown parameter as factor", {"factors": {"vendor_count": [1, 2]}}, "factors.vendor_count", "unknown"),
    ("fixed value out of range", {"fixed": {"lemon_share": 2}}, "fixed.lemon_share", "[0, 1]"),
    ("level out of range", {"factors": {"lemon_share": [0.1, 1.5]}}, "factors.lemon_share[1]", "[0, 1]"),
    ("unknown category", {"factors": {"contract_type": ["fixed"]}}, "factors.contract_type[0]", "one of"),
    ("integer given a fraction", {"fixed": {"n_smbs": 2.5}}, "fixed.n_smbs", "integer"),
    (
        "bound out of range",
        {"design": {"type": "lhs", "samples": 4}, "factors": {"lemon_share": [0.1, 3]}},
        "factors.lemon_share[1]",
        "[0, 1]",
    ),
    ("unknown design", {"design": "factorial"}, "design.type", "grid"),
    (
        "factor also fixed",
        {"fixed": {**TINY, "lemon_share": 0.2}},
        "factors.lemon_share",
        "either fixed or varied",
    ),
    ("unknown metric", {"metrics": ["profit"]}, "metrics[0]", "mean_smb_profit"),
    ("zero replications", {"replications": 0}, "replications", "positive integer"),
    ("negative steps", {"steps": -3}, "steps", "positive integer"),
    ("fractional steps", {"steps": 2.5}, "steps", "positive integer"),
    ("record_every beyond steps", {"record_every": 12}, "record_every", "at most"),
    (
        "categorical factor in sobol",
        {"design": {"type": "sobol", "samples": 4}, "factors": {"contract_type": [0, 1]}},
        "factors.contract_type",
        "grid and list designs only",
    ),
    (
        "sobol samples not a power of 2",
        {"design": {"type": "sobol", "samples": 6}, "factors": {"lemon_share": [0.1, 0.5]}},
        "design.samples",
        "power of 2",
    ),
    ("continuous design without samples", {"design": {"type": "lhs"}}, "design.samples", "required"),
    (
        "mix shares not summing to 1",
        {"factors": {"contract_type": ["fixed_price", {"fixed_price": 0.7, "performance_based": 0.5}]}},
        "factors.contract_type[1]",
        "the shares sum to 1.2, not 1",
    ),
    (
        "mix of an unknown choice",
        {"factors": {"contract_type": [{"fixed": 0.5, "performance_based": 0.5}]}},
        "factors.contract_type[0]",
        "unknown choice 'fixed'",
    ),
    (
        "a mix of one choice repeats that choice",
        {"factors": {"contract_type": ["fixed_price", {"fixed_price": 1.0}]}},
        "factors.contract_type",
        "lists a level twice",
    ),
    ("misspelt field", {"replication": 3}, "replication", "replications"),
    ("missing steps", {"steps": None}, "steps", "required"),
]


@pytest.mark.parametrize(("case", "changes", "field", "allowed"), BAD_SPECS, ids=[c[0] for c in BAD_SPECS])
def test_bad_spec_is_one_line_naming_file_field_and_what_is_allowed(tmp_path, case, changes, field, allowed):
    path = write_yaml(tmp_path, spec_dict(**changes))
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    message = str(caught.value)
    assert caught.value.field == field
    assert message.startswith(f"{path}: {field}: ")
    assert allowed in message
    assert "\n" not in message


def test_malformed_yaml_names_file_and_position(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: broken\nfixed: {n_smbs: 20\nsteps: 3\n")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert caught.value.field == "(yaml)"
    assert str(caught.value).startswith(f"{path}: (yaml): malformed YAML at line")
    assert "\n" not in str(caught.value)


MIX = {"fixed_price": 0.5, "performance_based": 0.5}


def test_population_mixes_are_factor_levels_stored_as_text(tmp_path):
    text = """
name: mixes
fixed: {n_smbs: 20, n_vendors: 5}
design: grid
factors:
  contract_type: [fixed_price, {fixed_price: 0.5, performance_based: 0.5},
                  "time_and_materials:0.25,performance_based:0.75"]
replications: 1
steps: 3
metrics: [shirking_rate, outsourcing_share]
expect:
  - {metric: shirking_rate, factor: contract_type, direction: decreasing,
     level: {fixed_price: 0.5, performance_based: 0.5}}
"""
    path = tmp_path / "mixes.yaml"
    path.write_text(text)
    spec = load_spec(path)
    levels = ("fixed_price", MIX, {"time_and_materials": 0.25, "performance_based": 0.75})
    assert spec.factors == {"contract_type": levels}  # the text form is read as the mix it names
    assert spec.expect[0].level == MIX
    assert spec_from_dict(spec.to_dict()) == spec
    runner.run_sweep(spec, tmp_path / "out")
    frame = storage.read_results(tmp_path / "out")
    assert frame["contract_type"].map(type).eq(str).all()  # a string column in every run file
    assert list(dict.fromkeys(frame["contract_type"])) == [
        "fixed_price",
        "fixed_price:0.5,performance_based:0.5",
        "time_and_materials:0.25,performance_based:0.75",
    ]
    index = storage.read_index(tmp_path / "out").set_index("run_id")
    assert index.loc["p0001-r00", "params"]["contract_type"] == MIX  # the model got the mix itself


def test_run_table_writes_a_mix_as_text_and_keeps_the_column_type():
    run = build_runs(spec_from_dict(spec_dict(factors={"contract_type": [MIX]}, replications=1)))[0]
    task = runner.RunTask(run, ("contract_type",), 2, ("shirking_rate",), 1, "unused")
    table = runner.run_table(task, {"shirking_rate": [0.1, float("nan")]})
    assert str(table.schema.field("contract_type").type) == "string"
    assert table.column("contract_type").to_pylist() == ["fixed_price:0.5,performance_based:0.5"] * 2


def test_a_spec_that_is_not_a_mapping_is_refused(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- name: x\n")
    with pytest.raises(SpecError, match="mapping"):
        load_spec(path)


def test_bad_spec_is_refused_before_anything_is_written(tmp_path):
    path = write_yaml(tmp_path, spec_dict(steps=0))
    with pytest.raises(SpecError):
        runner.run_sweep(path, tmp_path / "out")
    assert not (tmp_path / "out").exists()


# --- designs ---------------------------------------------------------------------------------------


def continuous(kind, samples, factors, **design):
    return spec_from_dict(
        spec_dict(design={"type": kind, "samples": samples, **design}, factors=factors, replications=3)
    )


BOUNDS = {"lemon_share": [0.0, 0.5], "due_diligence": [0.1, 0.9], "vendor_capacity": [3, 8]}


@pytest.mark.parametrize(
    ("spec", "points"),
    [
        (spec_from_dict(spec_dict(replications=3)), 2 * 2),
        (
            spec_from_dict(
                spec_dict(
                    replications=3,
                    factors={"lemon_share": {"start": 0, "stop": 0.4, "step": 0.1}, "peer_degree": [2, 4, 6]},
                )
            ),
            5 * 3,
        ),
        (spec_from_dict(spec_dict(replications=3, factors={})), 1),
        (
            spec_from_dict(
                spec_dict(
                    design="list",
                    replications=3,
                    factors=[{"lemon_share": 0.1, "peer_degree": 4}, {"lemon_share": 0.3, "peer_degree": 6}],
                )
            ),
            2,
        ),
        (continuous("lhs", 10, BOUNDS), 10),
        (continuous("sobol", 8, BOUNDS), 8 * (2 * 3 + 2)),
        (continuous("sobol", 8, BOUNDS, second_order=False), 8 * (3 + 2)),
        (continuous("morris", 5, BOUNDS), 5 * (3 + 1)),
    ],
    ids=["grid", "grid-ranges", "grid-no-factors", "list", "lhs", "sobol", "sobol-first-order", "morris"],
)
def test_run_count_is_points_times_replications(spec, points):
    runs = build_runs(spec)
    assert len(design_points(spec)) == points
    assert len(runs) == points * spec.replications
    assert len({r.run_id for r in runs}) == len(runs)
    assert sorted(r.run_id for r in runs) == [r.run_id for r in runs]


def test_continuous_designs_stay_in_bounds_and_round_integers():
    for kind, samples in (("lhs", 16), ("sobol", 8), ("morris", 4)):
        for point in design_points(continuous(kind, samples, BOUNDS)):
            assert 0.0 <= point["lemon_share"] <= 0.5 and 0.1 <= point["due_diligence"] <= 0.9
            assert isinstance(point["vendor_capacity"], int) and 3 <= point["vendor_capacity"] <= 8


def test_design_and_seeds_are_deterministic_and_common_across_points():
    spec = continuous("sobol", 4, BOUNDS)
    assert build_runs(spec) == build_runs(spec)
    seeds = replication_seeds(spec.seed, spec.replications)
    assert [r.seed for r in build_runs(spec) if r.point == 5] == seeds
    assert replication_seeds(spec.seed, 5)[:3] == seeds  # more replications keep the old seeds
    other = spec_from_dict({**spec.to_dict(), "seed": spec.seed + 1})
    assert design_points(other) != design_points(spec)


# --- running ---------------------------------------------------------------------------------------


def test_sweep_writes_runs_index_and_manifest(tmp_path):
    spec = spec_from_dict(spec_dict())
    summary = runner.run_sweep(spec, tmp_path / "out")
    assert (summary.done, summary.failed, summary.skipped, summary.total) == (8, 0, 0, 8)
    frame = storage.read_results(tmp_path / "out")
    assert list(frame.columns) == [
        "run_id",
        "point",
        "replication",
        "seed",
        "lemon_share",
        "contract_type",
        "step",
        *spec.metrics,
    ]
    assert sorted(set(frame["step"])) == [2, 4, 5]  # every 2nd month and the last
    index = storage.read_index(tmp_path / "out")
    assert list(index["status"]) == ["done"] * 8 and index["error"].isna().all()
    assert (index["wall_time_s"] > 0).all()
    assert index.loc[0, "params"] == {**TINY, "lemon_share": 0.1, "contract_type": "fixed_price"}
    manifest = storage.read_manifest(tmp_path / "out")
    assert manifest["spec_hash"] == spec.digest() and manifest["spec"] == spec.to_dict()
    assert manifest["versions"]["mesa"] and manifest["versions"]["python"]
    assert manifest["replication_seeds"] == replication_seeds(spec.seed, spec.replications)


def test_one_worker_and_two_workers_give_identical_results(tmp_path):
    spec = spec_from_dict(spec_dict())
    runner.run_sweep(spec, tmp_path / "one", workers=1)
    runner.run_sweep(spec, tmp_path / "two", workers=2)
    one, two = results_by_file(tmp_path / "one"), results_by_file(tmp_path / "two")
    assert one.keys() == two.keys() and len(one) == 8
    for name in one:
        pd.testing.assert_frame_equal(one[name], two[name], check_exact=True)


def test_resume_reruns_only_missing_runs_and_ends_identical(tmp_path):
    spec = spec_from_dict(spec_dict())
    out = tmp_path / "out"
    runner.run_sweep(spec, out)
    before = results_by_file(out)
    for run_id in ("p0001-r00", "p0003-r01"):
        storage.run_path(out, run_id).unlink()
    with pytest.raises(FileExistsError, match="resume=True"):
        runner.run_sweep(spec, out)
    rerun = []
    summary = runner.run_sweep(spec, out, resume=True, on_result=lambda r: rerun.append(r["run_id"]))
    assert (summary.done, summary.failed, summary.skipped) == (2, 0, 6)
    assert sorted(rerun) == ["p0001-r00", "p0003-r01"]
    after = results_by_file(out)
    assert after.keys() == before.keys()
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], check_exact=True)
    assert len(storage.read_index(out, all_attempts=True)) == 10
    assert len(storage.read_manifest(out)["sessions"]) == 2


def test_resume_refuses_a_folder_of_another_spec(tmp_path):
    runner.run_sweep(spec_from_dict(spec_dict(replications=1)), tmp_path / "out")
    with pytest.raises(ValueError, match="different spec"):
        runner.run_sweep(spec_from_dict(spec_dict(replications=2)), tmp_path / "out", resume=True)


FAILING_POINTS = [{"offshore_share": 0.3}, {"offshore_share": 0.9}, {"offshore_share": 0.5}]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path, workers):
    # offshore 0.9 + default nearshore 0.3 > 1: each value passes the spec, the model refuses the pair.
    spec = spec_from_dict(spec_dict(design="list", factors=FAILING_POINTS))
    out = tmp_path / "out"
    summary = runner.run_sweep(spec, out, workers=workers)
    assert (summary.done, summary.failed) == (4, 2)
    index = storage.read_index(out).set_index("run_id")
    failed = index[index["status"] == "failed"]
    assert list(failed.index) == ["p0001-r00", "p0001-r01"]
    assert failed["error"].str.startswith("ValueError:").all()
    assert failed["error"].str.contains("offshore_share").all()
    assert storage.completed_run_ids(out) == {"p0000-r00", "p0000-r01", "p0002-r00", "p0002-r01"}
    retry = runner.run_sweep(spec, out, resume=True)
    assert (retry.done, retry.failed, retry.skipped) == (0, 2, 4)


EXECUTE_RUN = runner.execute_run  # the real one, also inside forked workers that inherit the patch


def crash_at_point_one(task):
    """A stand-in for a worker that dies (as out of memory would) on one design point."""
    if task.run.point == 1:
        os._exit(3)
    return EXECUTE_RUN(task)


def test_a_dying_worker_fails_only_the_runs_in_flight(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "execute_run", crash_at_point_one)
    spec = spec_from_dict(spec_dict(design="list", factors=FAILING_POINTS[:1] * 10, replications=1))
    out = tmp_path / "out"
    summary = runner.run_sweep(spec, out, workers=2)
    index = storage.read_index(out)
    assert len(index) == summary.done + summary.failed == 10
    failed = index[index["status"] == "failed"]
    assert "p0001-r00" in set(failed["run_id"])
    assert failed["error"].str.contains("worker process died").all()
    assert len(failed) <= 2 * 2  # at most two runs per worker are in flight when the pool breaks
    monkeypatch.undo()
    retry = runner.run_sweep(spec, out, workers=2, resume=True)
    assert (retry.done, retry.failed) == (len(failed), 0)
    assert len(storage.completed_run_ids(out)) == 10
