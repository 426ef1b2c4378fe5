"""Figures, the analysis report and `smb-eco analyze` / `smb-eco demo`, on tiny sweeps.

Every figure function writes a readable, non-blank PNG and an SVG; the report embeds every figure
it drew and links only files that exist; every built-in experiment, shrunk, goes through sweep and
analysis; bad input to `smb-eco analyze` is one line, exit code 2 and no files.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis import figures as fg
from analysis.report import CONTEXT_FILES, OWNED_FILES, analyze, markdown_to_html
from analysis.sensitivity import morris_ranking, s1_precision
from analysis.statistics import final_state, summarize, time_averaged
from ecosystem import labels
from ecosystem.interface.cli import main
from ecosystem.model import run_simulation
from ecosystem.parameters import parameter
from ecosystem.reporters import MODEL_REPORTERS
from experiments import run_sweep, spec_from_dict, storage
from experiments.catalog import builtin_spec, builtin_specs, shrink

ROOT = Path(__file__).resolve().parents[1]
TINY = {"n_smbs": 15, "n_vendors": 5}


def tiny_grid(name="tiny-grid", **changes):
    data = {
        "name": name,
        "description": "Does monitoring curb shirking under each contract type?",
        "hypothesis": "Shirking falls as monitoring rises, least under performance-based contracts.",
        "seed": 5,
        "fixed": dict(TINY),
        "design": "grid",
        "factors": {
            "contract_type": ["fixed_price", "performance_based"],
            "monitoring_intensity": [0.0, 1.0],
        },
        "replications": 2,
        "steps": 6,
        "metrics": ["shirking_rate", "mean_delivered_quality", "mean_smb_profit"],
        "expect": [
            {"metric": "shirking_rate", "factor": "monitoring_intensity", "direction": "decreasing"},
            {
                "metric": "shirking_rate",
                "factor": "contract_type",
                "direction": "decreasing",
                "level": "performance_based",
            },
        ],
    }
    data.update(changes)
    return spec_from_dict(data)


def assert_readable_figure(paths):
    png, svg = paths
    assert png.suffix == ".png" and svg.suffix == ".svg"
    assert png.stat().st_size > 0 and svg.stat().st_size > 0
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    image = mpimg.imread(png)
    assert image.ndim == 3 and min(image.shape[:2]) > 300, image.shape  # 300 dpi: well over 300 px
    ink = (image[..., :3] < 0.9).any(axis=-1).mean()
    assert 0.005 < ink < 0.95, f"{png.name} looks blank or solid ({ink:.3f} of pixels drawn)"


def links(markdown: str) -> list[str]:
    """Every local target of a Markdown image or link."""
    targets = re.findall(r"!?\[[^\]]*\]\(([^)\s]+)\)", markdown)
    return [t for t in targets if not re.match(r"[a-z]+://", t)]


# --- figures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    """A synthetic tidy results table: 2 rules x 3 lemon shares x 2 due diligences, 3 runs each, 5 months."""
    rng = np.random.default_rng(3)
    rows = []
    run = 0
    for rule in ("tce", "rbv"):
        for lemons in (0.0, 0.3, 0.6):
            for diligence in (0.0, 1.0):
                for replication in range(3):
                    for step in range(1, 6):
                        quality = 0.8 - 0.5 * lemons + 0.1 * diligence + (0.05 if rule == "rbv" else 0)
                        rows.append(
                            {
                                "run_id": f"r{run}",
                                "point": run // 3,
                                "replication": replication,
                                "seed": replication,
                                "decision_rule": rule,
                                "lemon_share": lemons,
                                "due_diligence": diligence,
                                "step": step,
                                "mean_contracted_vendor_quality": quality + rng.normal(0, 0.03),
                                "mean_smb_profit": 5 + step * 0.1 + rng.normal(0, 0.2),
                            }
                        )
                    run += 1
    return pd.DataFrame(rows)


METRICS = ["mean_contracted_vendor_quality", "mean_smb_profit"]


def test_labels_are_words_with_units():
    assert fg.label("outsourcing_share") == "Outsourcing share (share of functions)"
    assert fg.label("disruption_loss") == "Total disruption loss (money units / month, all SMBs)"
    assert fg.label("mean_smb_profit") == "SMB profit (money units / firm / month)"
    assert fg.label("lemon_share") == "Lemon share (share of vendors)"
    assert fg.label("vendor_failure_rate") == "Vendor failure rate (1/month)"
    assert fg.label("switching_cost") == "Switching cost (months of cost)"  # from the schema's unit
    assert "_" not in fg.label("collaborative_innovations")
    assert fg.label("vendor_patience") == "Vendor patience (monthly discount factor, 0–0.999)"
    assert fg.label("renewal_fee_change") == "Fee raise at renewal (share of the old fee)"
    assert fg.label("mean_smb_margin", unit=False) == "SMB net margin"
    mix = "fixed_price:0.5,performance_based:0.5"
    assert fg.level_text(mix) == "fixed price 50 % + performance based 50 %"
    # every reporter has a curated label with its unit, and no label names a parameter that is gone
    assert set(labels.METRIC_LABELS) == set(MODEL_REPORTERS)
    assert all(" (" in fg.label(name) and fg.label(name).endswith(")") for name in labels.METRIC_LABELS)
    for name in labels.PARAMETER_LABELS:
        parameter(name)  # raises for a name the schema no longer has
    assert fg.levels("contract_type", ["performance_based", "fixed_price"]) == [
        "fixed_price",
        "performance_based",
    ]


def test_every_figure_function_writes_a_readable_png_and_svg(frame, tmp_path):
    factors = ["decision_rule", "lemon_share", "due_diligence"]
    by_lemons = summarize(frame, ["lemon_share"], METRICS)
    two = summarize(frame, ["decision_rule", "lemon_share"], METRICS)
    outcome = final_state(frame, ["lemon_share", "decision_rule"], METRICS)
    grid = time_averaged(frame, ["lemon_share", "due_diligence"], METRICS)
    policy = time_averaged(frame, ["decision_rule"], METRICS)
    sobol = pd.DataFrame(
        {
            "parameter": factors[1:],
            "S1": [0.6, 0.1],
            "S1_conf": [0.1, 0.05],
            "ST": [0.7, 0.2],
            "ST_conf": [0.1, 0.1],
        }
    )
    morris = pd.DataFrame(
        {"parameter": factors[1:], "mu_star": [0.3, 0.05], "mu_star_conf": [0.05, 0.02], "sigma": [0.1, 0.01]}
    )
    graph = run_simulation({"n_smbs": 30, "n_vendors": 8, "lemon_share": 0.5}, 12, 1).network
    made = {
        "timeseries": fg.timeseries_figure(by_lemons, METRICS[0], "lemon_share"),
        "timeseries-facets": fg.timeseries_figure(two, METRICS[0], "lemon_share", facet="decision_rule"),
        "final": fg.final_value_figure(outcome, METRICS[0], "lemon_share", hue="decision_rule"),
        "final-categorical": fg.final_value_figure(policy, METRICS[1], "decision_rule"),
        "heatmap": fg.heatmap_figure(grid, METRICS[0], "lemon_share", "due_diligence"),
        "policy": fg.policy_comparison_figure(policy, METRICS, "decision_rule"),
        "sobol": fg.sensitivity_figure(sobol, METRICS[0]),
        "morris": fg.sensitivity_figure(morris, METRICS[0]),
        "network": fg.network_figure(graph, seed=1),
    }
    labels = [t.get_text() for ax in made["final"].axes for t in (ax.xaxis.label, ax.yaxis.label)]
    assert "Lemon share (share of vendors)" in labels and not any("_" in text for text in labels)
    for name, figure in made.items():
        paths = fg.save_figure(figure, tmp_path / "figs" / name)
        assert paths == [tmp_path / "figs" / f"{name}.png", tmp_path / "figs" / f"{name}.svg"]
        assert_readable_figure(paths)


def test_a_table_still_varying_another_factor_is_refused(frame):
    table = summarize(frame, ["decision_rule", "lemon_share"], METRICS)
    with pytest.raises(ValueError, match="still varies"):
        fg.timeseries_figure(table, METRICS[0], "lemon_share")


def test_figures_are_the_same_bytes_every_time(frame, tmp_path):
    table = time_averaged(frame, ["decision_rule"], METRICS)
    first = fg.save_figure(fg.policy_comparison_figure(table, METRICS, "decision_rule"), tmp_path / "a")
    second = fg.save_figure(fg.policy_comparison_figure(table, METRICS, "decision_rule"), tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()


# --- the report ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    """A tiny grid sweep (2 contract types x 2 monitoring levels x 2 replications) and its analysis."""
    out = tmp_path_factory.mktemp("report") / "sweep"
    run_sweep(tiny_grid(), out)
    return out, analyze(out)


def test_the_report_embeds_every_figure_and_links_only_existing_files(analysed):
    out, report = analysed
    assert report == out / "analysis" / "report.md"
    text = report.read_text(encoding="utf-8")
    targets = links(text)
    for target in targets:
        assert (report.parent / target).is_file(), target
    embedded = set(re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text))
    drawn = {p.relative_to(report.parent).as_posix() for p in (report.parent / "figures").glob("*.png")}
    assert embedded == drawn and len(drawn) >= 5
    assert all(Path(t).with_suffix(".svg").as_posix() in targets for t in embedded)
    kinds = {re.sub(r"fig\d+-([a-z]+)-.*", r"\1", Path(t).stem) for t in embedded}
    assert {"timeseries", "outcome", "policy", "network"} <= kinds
    for png in (report.parent / "figures").glob("*.png"):
        assert_readable_figure([png, png.with_suffix(".svg")])
    html = (report.parent / "report.html").read_text(encoding="utf-8")
    for target in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert (report.parent / target).is_file(), target
    assert html.count("<img ") == len(embedded)


def test_the_report_says_question_hypothesis_design_verdicts_and_how_to_reproduce(analysed):
    out, report = analysed
    text = report.read_text(encoding="utf-8")
    spec = tiny_grid()
    for heading in ("## Question", "## Hypothesis", "## Design", "## Verdicts", "## Reproduce"):
        assert heading in text
    assert spec.description in text and spec.hypothesis in text
    assert "**grid** design: 4 design points × 2 replications = **8 runs**" in text
    assert "Shirking rate falls with monitoring intensity" in text
    assert "Shirking rate is lowest when contract type is performance based" in text
    assert "replications" in text.split("## Are there enough replications?")[1]
    manifest = storage.read_manifest(out)
    assert manifest["spec_hash"] in text and manifest["versions"]["mesa"] in text
    assert f"smb-eco sweep {out / 'analysis' / 'spec.yaml'} --out {out}" in text
    assert f"smb-eco analyze {out}" in text
    assert "half-finished" not in text
    tests = pd.read_csv(report.parent / "hypothesis_tests.csv")
    assert list(tests["metric"]) == ["shirking_rate", "shirking_rate"]
    assert set(tests["verdict"]) <= {"supported", "contradicted", "not detected"}
    for name in ("summary_by_step.csv", "final_state.csv", "time_averaged.csv"):
        assert len(pd.read_csv(report.parent / name)) > 0


def test_the_saved_spec_reruns_the_same_sweep(analysed, tmp_path):
    out, report = analysed
    from experiments import load_spec

    assert load_spec(report.parent / "spec.yaml").digest() == storage.read_manifest(out)["spec_hash"]


def test_a_grid_of_two_numeric_factors_gets_a_heatmap(tmp_path):
    spec = tiny_grid(
        "tiny-tce",
        factors={"asset_specificity": [0.1, 0.9], "uncertainty": [0.1, 0.9]},
        metrics=["outsourcing_share"],
        replications=1,
        steps=3,
        expect=[],
    )
    run_sweep(spec, tmp_path / "sweep")
    report = analyze(tmp_path / "sweep")
    assert list((report.parent / "figures").glob("*heatmap-outsourcing_share.png"))


def test_a_sweep_without_factors_gets_time_series_and_no_tests(tmp_path):
    spec = tiny_grid("tiny-replicas", factors={}, expect=[], steps=4)
    run_sweep(spec, tmp_path / "sweep")
    report = analyze(tmp_path / "sweep")
    drawn = sorted(p.name for p in (report.parent / "figures").glob("*.png"))
    assert [name.split("-")[1] for name in drawn] == ["timeseries"] * 3 + ["network"]
    assert "nothing to test" in report.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(builtin_specs()))
def test_each_built_in_experiment_runs_through_sweep_and_analysis(name, tmp_path):
    small = shrink(builtin_spec(name), points=2, steps=4, n_smbs=12, n_vendors=4)
    small = spec_from_dict({**small.to_dict(), "replications": 2})
    summary = run_sweep(small, tmp_path / "sweep")
    assert summary.failed == 0
    report = analyze(tmp_path / "sweep")
    text = report.read_text(encoding="utf-8")
    assert all((report.parent / t).is_file() for t in links(text))
    drawn = {p.name.split("-")[1] for p in (report.parent / "figures").glob("*.png")}
    assert {"outcome", "network"} <= drawn
    assert ("timeseries" in drawn) == (small.record_every < small.steps)  # months recorded besides the last
    tests = pd.read_csv(report.parent / "hypothesis_tests.csv")
    assert len(tests) == (len(small.expect) or len(small.factors) * len(small.metrics))


@pytest.mark.parametrize("kind", ["sobol", "morris"])
def test_sobol_and_morris_sweeps_get_sensitivity_tables_and_bars(kind, tmp_path):
    data = builtin_spec("sobol_screening").to_dict()
    data.update(
        name=f"tiny-{kind}",
        design={"type": kind, "samples": 2, **({"second_order": False} if kind == "sobol" else {})},
        factors={"asset_specificity": [0.0, 1.0], "vendor_cost_ratio": [0.4, 1.0]},
        metrics=["outsourcing_share"],
        replications=1,
        steps=3,
        record_every=3,
        fixed=dict(TINY),
    )
    run_sweep(spec_from_dict(data), tmp_path / "sweep")
    report = analyze(tmp_path / "sweep")
    indices = pd.read_csv(report.parent / "sensitivity_outsourcing_share.csv")
    assert list(indices["parameter"]) == ["asset_specificity", "vendor_cost_ratio"]
    assert list((report.parent / "figures").glob("*sensitivity-outsourcing_share.png"))
    text = report.read_text(encoding="utf-8")
    assert "## Sensitivity indices" in text
    if kind == "sobol":  # the verdict on the intervals' widths, from this sweep's own table
        assert f"{s1_precision(indices).line()}." in text
        assert re.search(
            r"All first-order CIs are narrower than 0\.1: (yes|no) \(widest [0-9.e+]+ for ", text
        )
    else:  # ranked by mu_star, with its interval
        assert "| rank | parameter | mu_star | mu_star_conf | sigma | mu_star_low | mu_star_high |" in text
        assert "All first-order CIs" not in text


def _sobol_table(half_widths):
    names = [f"p{i}" for i in range(len(half_widths))]
    return pd.DataFrame({"parameter": names, "S1": 0.1, "S1_conf": half_widths, "ST": 0.2, "ST_conf": 0.01})


def test_the_s1_verdict_says_yes_when_every_interval_is_narrower_than_0_1():
    verdict = s1_precision(_sobol_table([0.01, 0.049, 0.02]))
    assert verdict.narrow and verdict.parameter == "p1" and verdict.widest == pytest.approx(0.098)
    assert verdict.line() == "All first-order CIs are narrower than 0.1: yes (widest 0.098 for p1)"


def test_the_s1_verdict_says_no_and_names_the_widest_interval():
    verdict = s1_precision(_sobol_table([0.01, 0.065, 0.051]))  # 0.13 and 0.102 are too wide
    assert not verdict.narrow and verdict.parameter == "p1"
    assert verdict.line() == "All first-order CIs are narrower than 0.1: no (widest 0.13 for p1)"
    assert not s1_precision(_sobol_table([0.01, float("nan")])).narrow  # no interval: not narrow
    assert not s1_precision(_sobol_table([0.05])).narrow  # exactly 0.1 wide is not narrower


def test_morris_ranking_orders_by_mu_star_with_its_interval():
    table = pd.DataFrame(
        {
            "parameter": ["a", "b", "c"],
            "mu_star": [0.2, 0.9, 0.5],
            "mu_star_conf": [0.1, 0.3, 0.2],
            "sigma": 0.0,
        }
    )
    ranked = morris_ranking(table)
    assert ranked["parameter"].tolist() == ["b", "c", "a"] and ranked["rank"].tolist() == [1, 2, 3]
    assert ranked["mu_star_low"].tolist() == pytest.approx([0.6, 0.3, 0.1])
    assert ranked["mu_star_high"].tolist() == pytest.approx([1.2, 0.7, 0.3])


def test_markdown_to_html_handles_the_report_subset():
    page = markdown_to_html(
        "# T\n\n> **Warning:** careful\n\n- a `x_y`\n- [b](b.csv)\n\n```\nsmb-eco sweep s --out d\n```\n\n"
        "| a | b |\n|---|---|\n| 1 \\| 2 | 3 |\n\n![Figure 1](f.png)\n"
    )
    assert "<blockquote><p><strong>Warning:</strong> careful</p></blockquote>" in page
    assert "<li>a <code>x_y</code></li>" in page and '<a href="b.csv">b</a>' in page
    assert "<pre><code>smb-eco sweep s --out d</code></pre>" in page
    assert "<td>1 | 2</td>" in page and '<img src="f.png" alt="Figure 1"' in page


# --- the command line ----------------------------------------------------------------------------


@pytest.fixture
def half_finished(tmp_path):
    """A finished tiny sweep with one run's results deleted, as if stopped before the end."""
    out = tmp_path / "sweep"
    run_sweep(tiny_grid(replications=1, steps=3), out)
    storage.run_path(out, "p0003-r00").unlink()
    return out


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


def test_analyze_prints_the_report_and_the_verdicts_and_replaces_only_its_own_files(analysed, capsys):
    out, _ = analysed
    target = out / "elsewhere"
    (target / "figures").mkdir(parents=True)
    (target / "notes.txt").write_text("mine")
    (target / "figures" / "sketch.pdf").write_bytes(b"mine")
    (target / "figures" / "fig99-stale.png").write_bytes(b"from an earlier analysis")
    assert main(["analyze", str(out), "--out", str(target)]) == 0
    printed = capsys.readouterr().out
    assert f"Report: {target / 'report.md'}" in printed
    assert "shirking_rate vs monitoring_intensity (decreasing" in printed
    assert re.search(r"(supported|contradicted|not detected) +shirking_rate vs contract_type", printed)
    assert (target / "notes.txt").read_text() == "mine" and (target / "figures" / "sketch.pdf").exists()
    assert not (target / "figures" / "fig99-stale.png").exists()
    assert all((target / name).is_file() for name in OWNED_FILES if name not in CONTEXT_FILES)
    assert not any((target / name).exists() for name in CONTEXT_FILES)  # a sweep without contexts
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging folder left


def test_analyze_refuses_a_folder_that_is_not_a_sweep(tmp_path):
    (tmp_path / "notes.txt").write_text("not a sweep")
    before = files_under(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "ecosystem", "analyze", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("smb-eco analyze: error: ") and result.stderr.count("\n") == 1
    assert "not a sweep results folder" in result.stderr
    assert files_under(tmp_path) == before


def test_analyze_refuses_a_half_finished_sweep_unless_allowed(half_finished, capsys):
    before = files_under(half_finished)
    assert main(["analyze", str(half_finished)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("smb-eco analyze: error: ") and error.count("\n") == 1
    assert "half finished" in error and "--allow-partial" in error
    assert files_under(half_finished) == before
    assert main(["analyze", str(half_finished), "--allow-partial"]) == 0
    assert "half-finished" in capsys.readouterr().out
    text = (half_finished / "analysis" / "report.md").read_text(encoding="utf-8")
    assert "Warning: half-finished sweep" in text and "p0003-r00" in text
    assert "--allow-partial" in text.split("## Reproduce")[1]


def test_analyze_refuses_a_run_file_missing_a_metric(half_finished, capsys):
    path = storage.run_path(half_finished, "p0000-r00")
    pq.write_table(pq.read_table(path).drop_columns(["mean_smb_profit"]), path)
    before = files_under(half_finished)
    assert main(["analyze", str(half_finished), "--allow-partial"]) == 2
    error = capsys.readouterr().err
    assert "mean_smb_profit" in error and error.count("\n") == 1
    assert files_under(half_finished) == before


def test_analyze_refuses_an_out_that_is_a_file(analysed, tmp_path, capsys):
    out, _ = analysed
    (tmp_path / "report").write_text("a file")
    assert main(["analyze", str(out), "--out", str(tmp_path / "report")]) == 2
    assert "is a file" in capsys.readouterr().err


def test_demo_runs_an_experiment_and_writes_its_report(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--workers", "2"]) == 0
    printed = capsys.readouterr().out
    report = out / "analysis" / "report.md"
    assert printed.rstrip().endswith(f"Open the report: {report}")
    assert report.is_file() and (out / "analysis" / "report.html").is_file()
    tests = pd.read_csv(out / "analysis" / "hypothesis_tests.csv")
    assert (tests["verdict"] == "supported").sum() >= 2  # the demo must show its effects clearly
    assert main(["demo", "--out", str(out)]) == 2  # never over an earlier demo
    assert "already holds files" in capsys.readouterr().err


def test_morris_uses_the_complete_trajectories_only():
    """A point without a value drops its trajectory; fewer than two complete ones is an error."""
    from types import SimpleNamespace

    from analysis.load import AnalysisError
    from analysis.sensitivity import complete_trajectories

    results = SimpleNamespace(spec=SimpleNamespace(factors={"a": (0, 1), "b": (0, 1)}), path="sweep")
    X = np.arange(12.0).reshape(4 * 3, 1).repeat(2, axis=1)  # four trajectories of three points
    Y = np.arange(12.0)
    assert complete_trajectories(results, X, Y)[1].tolist() == Y.tolist()
    Y[4] = np.nan  # in the second trajectory
    kept_X, kept_Y = complete_trajectories(results, X, Y)
    assert kept_Y.tolist() == [0, 1, 2, 6, 7, 8, 9, 10, 11] and kept_X[:, 0].tolist() == kept_Y.tolist()
    Y[[0, 7]] = np.nan  # only the fourth trajectory left complete
    with pytest.raises(AnalysisError, match="leaving 1 of 4 Morris trajectories complete"):
        complete_trajectories(results, X, Y)
