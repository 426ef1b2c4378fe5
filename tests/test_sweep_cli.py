"""Sweeps end to end: built-in specs, `smb-eco sweep` / `smb-eco experiments`, and a real Dask
cluster (a scheduler and two worker processes on 127.0.0.1) giving the same results as local
processes. Stopped sweeps (signals, a killed parent, a full disk) are in test_stopping.py.
"""

from __future__ import annotations

import os
import signal
import sys

import pandas as pd
import pytest
import yaml
from processes import signals_fail_the_test

from analysis.load import load
from analysis.sensitivity import morris_ranking, sensitivity
from ecosystem.interface.cli import main
from ecosystem.parameters import ADVANCED, PARAMETERS
from ecosystem.reporters import MODEL_REPORTERS
from experiments import build_runs, runner, spec_from_dict, storage
from experiments.catalog import builtin_spec, builtin_specs, resolve_spec, shrink

BUILTIN = sorted(builtin_specs())
EXPECTED = {
    "tce_make_or_buy",
    "agency_moral_hazard",
    "adverse_selection",
    "relational_capital",
    "diversification",
    "innovation",
    "theory_comparison",
    "sobol_screening",
    "morris_all",
    "theory_tournament",
    "focal_diversification",
    "relational_contracting",
    "holdup",
    "relational_governance",
}
TINY = {"n_smbs": 20, "n_vendors": 5}
# offshore 0.9 + default nearshore 0.3 > 1: the spec accepts each value, the model refuses the pair.
WITH_FAILURE = [{"offshore_share": 0.3}, {"offshore_share": 0.9}, {"offshore_share": 0.5}]


def spec_data(**changes):
    data = {
        "name": "cli-tiny",
        "hypothesis": "Offshore vendors change outsourcing.",
        "seed": 11,
        "fixed": dict(TINY),
        "design": "list",
        "factors": [{"offshore_share": 0.3}, {"offshore_share": 0.5}],
        "replications": 2,
        "steps": 4,
        "metrics": ["outsourcing_share", "active_contracts", "mean_smb_profit"],
    }
    data.update(changes)
    return data


def write_spec(tmp_path, data, name="spec.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def results_by_file(out_dir):
    return {p.name: pd.read_parquet(p) for p in sorted((out_dir / storage.RUNS).glob("[!.]*.parquet"))}


def assert_same_results(first, second):
    assert first.keys() == second.keys() and first
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name], check_exact=True)


def python_m_ecosystem(*args):
    return [sys.executable, "-m", "ecosystem", *map(str, args)]


# --- built-in specs ------------------------------------------------------------------------------


def test_the_built_in_experiments_are_all_there():
    assert set(BUILTIN) == EXPECTED


@pytest.mark.parametrize("name", BUILTIN)
def test_every_built_in_spec_validates_states_its_hypothesis_and_is_laptop_sized(name):
    spec = builtin_spec(name)
    assert spec.name == name and resolve_spec(name) == spec
    assert len(spec.hypothesis.split()) >= 10 and spec.description
    assert set(spec.metrics) <= set(MODEL_REPORTERS)
    # the two global sensitivity analyses are larger: the Morris screening of every parameter
    # (~25 core-minutes) and the Sobol indices at the N that makes their intervals narrower than 0.1
    # (~80 core-hours; docs/validation.md)
    largest = {"morris_all": 1300, "sobol_screening": 8192 * 12 * 2}.get(name, 400)
    assert 10 <= len(build_runs(spec)) <= largest and spec.replications >= 2


@pytest.mark.parametrize("name", BUILTIN)
def test_a_shrunk_version_of_every_built_in_spec_runs(tmp_path, name):
    small = shrink(builtin_spec(name), points=2, steps=3, n_smbs=15)
    assert small.fixed["n_smbs"] == 15 and small.steps == 3 and small.replications == 1
    assert small.hypothesis == builtin_spec(name).hypothesis
    summary = runner.run_sweep(small, tmp_path / "out")
    runs = 2 * (2 if small.contexts is not None else 1)  # two points, in two contexts if it has any
    assert len(build_runs(small)) == runs and (summary.done, summary.failed) == (runs, 0)
    frame = storage.read_results(tmp_path / "out")
    assert set(small.metrics) <= set(frame.columns) and frame["step"].max() == 3


def test_resolve_spec_prefers_an_existing_file_and_explains_an_unknown_name(tmp_path):
    path = write_spec(tmp_path, spec_data(name="from-file"))
    assert resolve_spec(path).name == "from-file"
    with pytest.raises(ValueError, match="no such file or built-in spec; built-in specs: adverse_selection"):
        resolve_spec("no_such_experiment")


# --- the command line ----------------------------------------------------------------------------


def test_cli_sweep_succeeds_with_exit_0_and_a_summary(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["sweep", str(write_spec(tmp_path, spec_data())), "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 0
    assert "4 runs; 4 done, 0 failed, 0 skipped" in printed.out and str(out) in printed.out
    assert printed.err == ""  # no progress bar when stderr is not a terminal
    assert len(storage.completed_run_ids(out)) == 4


def test_cli_sweep_with_a_failed_run_exits_1_and_lists_it(tmp_path, capsys):
    out = tmp_path / "out"
    path = write_spec(tmp_path, spec_data(factors=WITH_FAILURE, replications=1))
    assert main(["sweep", str(path), "--out", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "2 done, 1 failed" in printed and "Failed runs" in printed
    assert "p0001-r00  ValueError:" in printed and "--resume" in printed
    assert main(["sweep", str(path), "--out", str(out), "--resume"]) == 1  # retried, fails again
    assert "1 failed, 2 skipped" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{spec}"], "replications: must be a positive integer, got 0"),
        (["no_such_experiment"], "no such file or built-in spec"),
        (["{good}", "--workers", "0"], "--workers must be a positive integer"),
        (["{good}", "--resume"], "--resume needs --out"),
    ],
)
def test_cli_sweep_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, capsys, args, message):
    bad = write_spec(tmp_path, spec_data(replications=0), name="bad.yaml")
    good = write_spec(tmp_path, spec_data(), name="good.yaml")
    out = tmp_path / "out"
    argv = ["sweep", *(a.format(spec=bad, good=good) for a in args)]
    if "--resume" not in args:
        argv += ["--out", str(out)]
    before = sorted(tmp_path.iterdir())
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("smb-eco sweep: error: ") and message in err and err.count("\n") == 1
    assert sorted(tmp_path.iterdir()) == before and not out.exists()


def test_cli_sweep_refuses_a_folder_of_other_results(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["sweep", str(write_spec(tmp_path, spec_data())), "--out", str(out)]) == 2
    assert "already holds files" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_cli_sweep_refuses_an_out_that_is_a_file(tmp_path, capsys):
    out = tmp_path / "out"
    out.write_text("mine")
    assert main(["sweep", str(write_spec(tmp_path, spec_data())), "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"smb-eco sweep: error: {out} is a file, not a folder; choose a folder for the sweep\n"
    )
    assert out.read_text() == "mine"


def test_cli_experiments_lists_every_built_in_with_its_hypothesis(capsys):
    assert main(["experiments"]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    for name in EXPECTED:
        spec = builtin_spec(name)
        assert name in printed
        assert " ".join(spec.hypothesis.split()) in printed


# --- Dask ----------------------------------------------------------------------------------------


def test_a_dask_cluster_gives_the_same_results_as_local_processes(tmp_path, dask_cluster):
    spec = spec_from_dict(spec_data(factors=WITH_FAILURE, replications=3, record_every=2))
    local_one = runner.run_sweep(spec, tmp_path / "one", workers=1)
    local_two = runner.run_sweep(spec, tmp_path / "two", workers=2)
    on_dask = runner.run_sweep(spec, tmp_path / "dask", scheduler=dask_cluster)
    for summary in (local_one, local_two, on_dask):
        assert (summary.done, summary.failed) == (6, 3)
    one, two, dask = (results_by_file(tmp_path / n) for n in ("one", "two", "dask"))
    assert_same_results(one, two)
    assert_same_results(one, dask)
    index = storage.read_index(tmp_path / "dask")
    assert list(index.loc[index["status"] == "failed", "run_id"]) == ["p0001-r00", "p0001-r01", "p0001-r02"]
    assert index["error"].dropna().str.contains("offshore_share").all()
    assert storage.read_manifest(tmp_path / "dask")["sessions"][0]["scheduler"] == dask_cluster

    storage.run_path(tmp_path / "dask", "p0002-r01").unlink()
    rerun = []
    resumed = runner.run_sweep(
        spec, tmp_path / "dask", resume=True, scheduler=dask_cluster, on_result=lambda r: rerun.append(r)
    )
    assert (resumed.done, resumed.failed, resumed.skipped) == (1, 3, 5)
    assert sorted(r["run_id"] for r in rerun if r["status"] == "done") == ["p0002-r01"]
    assert_same_results(one, results_by_file(tmp_path / "dask"))


def test_the_cli_sends_a_sweep_to_a_dask_scheduler(tmp_path, dask_cluster, capsys):
    out = tmp_path / "out"
    path = write_spec(tmp_path, spec_data())
    assert main(["sweep", str(path), "--out", str(out), "--scheduler", dask_cluster]) == 0
    assert "4 done, 0 failed" in capsys.readouterr().out
    runner.run_sweep(resolve_spec(path), tmp_path / "local")
    assert_same_results(results_by_file(tmp_path / "local"), results_by_file(out))


def test_a_dask_sweep_stopped_by_sigterm_resumes_to_the_local_result(tmp_path, dask_cluster):
    spec = spec_from_dict(spec_data(replications=4))
    seen = []

    def stop_after_two(record):
        seen.append(record["run_id"])
        if len(seen) == 2:
            os.kill(os.getpid(), signal.SIGTERM)

    with signals_fail_the_test(), pytest.raises(runner.SweepInterrupted) as caught:
        runner.run_sweep(spec, tmp_path / "dask", scheduler=dask_cluster, on_result=stop_after_two)
    summary = caught.value.summary
    assert caught.value.signum == signal.SIGTERM and 2 <= summary.done == len(seen) < summary.total
    assert storage.completed_run_ids(tmp_path / "dask") == set(seen)  # this process writes the files
    resumed = runner.run_sweep(spec, tmp_path / "dask", resume=True, scheduler=dask_cluster)
    assert (resumed.done, resumed.skipped) == (summary.total - len(seen), len(seen))
    runner.run_sweep(spec, tmp_path / "local")
    assert_same_results(results_by_file(tmp_path / "local"), results_by_file(tmp_path / "dask"))


def test_a_calibration_runs_on_the_dask_cluster_that_sweeps_use(tmp_path, dask_cluster):
    import pyabc
    from test_calibration import MARKET, targets_file

    from analysis.calibration import Simulator, calibrate
    from experiments.targets import load_targets

    targets = load_targets(targets_file(tmp_path, 1.0, 0.8, 1.2))
    result = calibrate(
        targets,
        {"vendor_failure_rate": (0.005, 0.08), "lemon_share": (0.0, 0.5)},  # two: the pair figure's matrix
        tmp_path / "out",
        fixed=MARKET,
        population=4,
        generations=1,
        scheduler=dask_cluster,
        seed=2,
        predictive_runs=2,
    )
    assert len(result.posterior) == 4 and "Dask cluster at tcp://127.0.0.1" in result.report.read_text()
    assert (tmp_path / "out" / "figures" / "posterior_pairs.png").stat().st_size > 5_000
    # every accepted particle's statistics, simulated on the cluster, are those this process
    # computes for its parameters: the simulations are functions of their parameters and the seed
    history = pyabc.History(f"sqlite:///{tmp_path / 'out' / 'calibration.db'}")
    particles, _ = history.get_distribution(m=0, t=0)
    _, stats = history.get_weighted_sum_stats_for_model(m=0, t=0)
    simulator = Simulator(targets, MARKET, seed=2)
    simulated = sorted(s["failures"] for s in stats)
    assert simulated == sorted(
        simulator({"vendor_failure_rate": v, "lemon_share": w})["failures"]
        for v, w in zip(particles["vendor_failure_rate"], particles["lemon_share"], strict=True)
    )


def test_morris_all_screens_every_parameter_end_to_end_at_a_tiny_budget(tmp_path):
    """The global screening with one trajectory, two months and ten SMBs: every numeric basic
    parameter but the documented exclusions, and every advanced one, gets a mu* in each ranking."""
    spec = builtin_spec("morris_all")
    excluded = {
        "n_smbs",
        "inhouse_cost",
        "imitation_strength",
        "mutation_rate",
        "money_unit",
        "focal_size",
    } | {f"ewa_{x}" for x in ("phi", "delta", "rho", "lambda")}
    numeric = {p.name for p in PARAMETERS if p.kind in (int, float)}
    assert set(spec.factors) == numeric - excluded
    assert {p.name for p in ADVANCED} <= set(spec.factors)
    for name in excluded - {"n_smbs"}:
        assert name in spec.description
    data = spec.to_dict()
    data.update(
        name="morris_all-tiny",
        design={"type": "morris", "samples": 1, "levels": 4},
        replications=1,
        steps=2,
        record_every=2,
        fixed={"n_smbs": 10},
    )
    tiny = spec_from_dict(data)
    summary = runner.run_sweep(tiny, tmp_path / "sweep")
    assert (summary.done, summary.failed) == (len(spec.factors) + 1, 0)
    results = load(tmp_path / "sweep")
    # the report's Morris measures (the whole report of 127 factors takes minutes: its statistics
    # and figures are tested on small screenings in test_analysis_report)
    for metric in ("outsourcing_share", "mean_smb_margin", "smb_survival_rate"):
        ranked = morris_ranking(sensitivity(results, metric))
        assert set(ranked["parameter"]) == set(spec.factors) and (ranked["mu_star"] >= 0).all()
        assert ranked["mu_star"].is_monotonic_decreasing
        assert ranked["rank"].tolist() == list(range(1, len(spec.factors) + 1))
