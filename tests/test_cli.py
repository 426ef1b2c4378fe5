"""The `smb-eco` command line: outputs of a run, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys

import networkx as nx
import pandas as pd
import pytest

from ecosystem import reporters
from ecosystem.interface.cli import main
from ecosystem.parameters import PARAMETERS, basic_parameters


def run_cli(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ecosystem", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_run_writes_every_output_and_a_summary(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["run", "--steps", "6", "--seed", "3", "--set", "n_smbs=30", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "outsourcing_share" in printed and str(out) in printed
    frame = pd.read_parquet(out / "timeseries.parquet")
    assert list(frame["step"]) == [1, 2, 3, 4, 5, 6]
    assert set(reporters.MODEL_REPORTERS) <= set(frame.columns)
    pd.testing.assert_frame_equal(frame, pd.read_csv(out / "timeseries.csv"), check_dtype=False)
    graph = nx.read_graphml(out / "network.graphml")
    kinds = {data["kind"] for _, data in graph.nodes(data=True)}
    assert kinds == {"smb", "vendor"}
    record = json.loads((out / "params.json").read_text())
    assert record["seed"] == 3 and record["steps"] == 6
    assert record["parameters"]["n_smbs"] == 30
    assert set(record["parameters"]) == {p.name for p in PARAMETERS}
    assert record["versions"]["mesa"].startswith("3.")


def test_same_seed_through_the_cli_gives_identical_files(tmp_path):
    for name in ("a", "b"):
        assert main(["run", "--steps", "5", "--set", "n_smbs=25", "--out", str(tmp_path / name)]) == 0
    first = (tmp_path / "a" / "timeseries.csv").read_bytes()
    assert first == (tmp_path / "b" / "timeseries.csv").read_bytes()


def test_config_file_and_set_combine_with_set_winning(tmp_path):
    config = tmp_path / "scenario.yaml"
    config.write_text("n_smbs: 20\nlemon_share: 0.6\nsteps: 4\nseed: 9\n")
    out = tmp_path / "run"
    assert main(["run", "--config", str(config), "--set", "lemon_share=0.1", "--out", str(out)]) == 0
    record = json.loads((out / "params.json").read_text())
    assert record["parameters"]["lemon_share"] == 0.1
    assert record["parameters"]["n_smbs"] == 20
    assert (record["steps"], record["seed"]) == (4, 9)


def test_a_mix_of_contract_types_runs_end_to_end(tmp_path, capsys):
    out = tmp_path / "run"
    mix = "fixed_price:0.5,performance_based:0.5"
    settings = ["--set", "n_smbs=40", "--set", f"contract_type={mix}"]
    code = main(["run", "--steps", "4", *settings, "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert f"{mix} contracts" in printed.splitlines()[0]
    record = json.loads((out / "params.json").read_text())
    assert record["parameters"]["contract_type"] == {"fixed_price": 0.5, "performance_based": 0.5}
    graph = nx.read_graphml(out / "network.graphml")
    kinds = [data["contract_type"] for _, data in graph.nodes(data=True) if data["kind"] == "smb"]
    assert len(kinds) > 30 and {"fixed_price", "performance_based"} == set(kinds)
    assert abs(kinds.count("fixed_price") - kinds.count("performance_based")) <= 10  # exact halves at start
    config = tmp_path / "mix.yaml"  # the same mix from a config file, as YAML writes it
    config.write_text("n_smbs: 40\nsteps: 4\ncontract_type: {fixed_price: 0.5, performance_based: 0.5}\n")
    assert main(["run", "--config", str(config), "--out", str(tmp_path / "again")]) == 0
    assert (tmp_path / "again" / "timeseries.csv").read_bytes() == (out / "timeseries.csv").read_bytes()


def test_the_summary_shows_the_headline_reporters(tmp_path, capsys):
    assert main(["run", "--steps", "3", "--set", "n_smbs=20", "--out", str(tmp_path / "run")]) == 0
    rows = {line.split()[0] for line in capsys.readouterr().out.splitlines() if line.strip()}
    headline = {
        "mean_smb_margin",
        "mean_vendor_profit",
        "smb_exits",
        "vendor_exits",
        "vendor_entries",
        "renewal_fee_change",
        "holdup_transfer",
        "lemon_share_new_contracts",
    }
    assert headline <= rows


def test_default_output_folder_is_numbered_rather_than_overwritten(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        assert main(["run", "--steps", "2", "--set", "n_smbs=10"]) == 0
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["seed-42-2m", "seed-42-2m-2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "lemon_shar=0.2"], "did you mean 'lemon_share'"),
        (["--set", "lemon_share=2"], "'lemon_share' must be a number in [0, 1]"),
        (["--set", "decision_rule=magic"], "one of tce, rbv, cost, hybrid"),
        (["--set", "n_smbs=ten"], "'n_smbs' must be an integer"),
        (["--set", "n_smbs"], "expected NAME=VALUE"),
        (["--set", "contract_type=fixed_price:0.7,performance_based:0.5"], "the shares sum to 1.2, not 1"),
        (["--set", "contract_type=fixed:0.5,performance_based:0.5"], "unknown choice 'fixed'"),
        (["--set", "contract_type=fixed_price:half"], "a mix is written CHOICE:SHARE,CHOICE:SHARE"),
        (["--config", "bad_mix.yaml"], "the shares sum to 0.9, not 1"),
        (["--set", "decision_rule=tce:0.25,rbv:0.25,cost:0.25"], "the shares sum to 0.75, not 1"),
        (["--set", "decision_rule=tce:0.5,williamson:0.5"], "unknown choice 'williamson'"),
        (["--set", "due_diligence=0.1:0.5,1.5:0.5"], "the value 1.5 is not a number in [0, 1]"),
        (["--set", "adaptation=learning"], "one of none, imitation, reinforcement"),
        (["--focal", "sourcing_policy=triple"], "'focal.sourcing_policy' must be one of single, dual, multi"),
        (["--focal", "colour=red"], "unknown focal firm field 'colour'"),
        (["--focal", "monitoring_intensity"], "expected FIELD=VALUE"),
        (["--steps", "0"], "steps must be an integer in [1,"),
        (["--steps", "x"], "invalid int value"),
        (["--seed", "-1"], "seed must be a non-negative integer"),
        (["--config", "missing.yaml"], "missing.yaml: cannot read"),
        (["--config", "broken.yaml"], "broken.yaml: not valid YAML"),
        (["--config", "list.yaml"], "must be a mapping"),
        (["--config", "unknown.yaml"], "unknown parameter 'speed'"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, args, message):
    (tmp_path / "broken.yaml").write_text("n_smbs: [1\n")
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    (tmp_path / "unknown.yaml").write_text("speed: 3\n")
    (tmp_path / "bad_mix.yaml").write_text("contract_type: {fixed_price: 0.5, performance_based: 0.4}\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run_cli("run", "--steps", "2", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_rule_mix_with_imitation_and_a_focal_firm_runs_end_to_end(tmp_path, capsys):
    monkey = pytest.MonkeyPatch()
    monkey.chdir(tmp_path)
    rules = "tce:0.25,rbv:0.25,cost:0.25,hybrid:0.25"
    settings = ["--set", "n_smbs=20", "--set", "n_vendors=6", "--set", f"decision_rule={rules}"]
    settings += ["--set", "adaptation=imitation", "--set", "monitoring_intensity=0.1:0.5,0.5:0.5"]
    focal = ["--focal", "sourcing_policy=dual", "--focal", "monitoring_intensity=0.4"]
    try:
        assert main(["run", "--steps", "3", "--out", "out", *settings, *focal]) == 0
    finally:
        monkey.undo()
    printed = capsys.readouterr().out
    assert "Focal firm: sourcing_policy=dual, monitoring_intensity=0.4." in printed.splitlines()[0]
    assert "share_rule_tce" in printed and "focal_disruption_months" in printed
    record = json.loads((tmp_path / "out" / "params.json").read_text())
    assert record["focal"] == {"sourcing_policy": "dual", "monitoring_intensity": 0.4}
    assert record["parameters"]["monitoring_intensity"] == {"0.1": 0.5, "0.5": 0.5}


def test_existing_results_are_never_overwritten(tmp_path):
    out = tmp_path / "done"
    out.mkdir()
    (out / "timeseries.csv").write_text("precious")
    result = run_cli("run", "--steps", "2", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2 and "already holds results" in result.stderr
    assert (out / "timeseries.csv").read_text() == "precious"


def test_params_lists_every_parameter(capsys):
    assert main(["params", "--markdown"]) == 0
    table = capsys.readouterr().out
    for spec in basic_parameters():  # the advanced ones come with --all (tests/test_advanced.py)
        assert f"`{spec.name}`" in table


def test_params_in_words_shows_every_default_and_how_to_write_a_mix(capsys):
    assert main(["params"]) == 0
    text = capsys.readouterr().out
    for spec in basic_parameters():
        assert f"  {spec.name} = " in text
    assert "e.g. --set contract_type=fixed_price:0.5,performance_based:0.5" in text
    assert max(len(line) for line in text.splitlines()) <= 120
