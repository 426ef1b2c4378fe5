"""Empirical targets and `smb-eco validate`: the targets file, the survey measures, the report."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.validation import validate
from ecosystem.interface.cli import main
from ecosystem.mechanisms.contracts import _FIELDS, FAILURE_HORIZON, ContractBook
from ecosystem.model import EcosystemModel
from ecosystem.reporters import MODEL_REPORTERS
from experiments.targets import BUILTIN_TARGETS, Target, TargetError, load_targets, measure

#: A short targets file for the end-to-end runs: two targets over 30 months.
SMALL_TARGETS = {
    "name": "small",
    "description": "Two targets on a short run.",
    "steps": 30,
    "targets": [
        {
            "name": "buying",
            "fact": "Most SMBs buy something.",
            "measure": {"reporter": "share_smbs_outsourcing", "months": [10, 30], "statistic": "mean"},
            "empirical": {"value": 0.7, "low": 0.65, "high": 0.81},
            "population": "UK SMBs.",
            "source": "A survey.",
            "confirmed": True,
        },
        {
            "name": "ended_early",
            "fact": "Half have ended a contract early.",
            "measure": {"reporter": "share_smbs_ended_early", "months": [30, 30], "statistic": "last"},
            "empirical": {"value": 0.48, "low": 0.0, "high": 1.0},
            "population": "Buyers.",
            "source": "Another survey.",
            "confirmed": False,
        },
    ],
}
SMALL_MARKET = ["--set", "n_smbs=30", "--set", "n_vendors=8"]


def write_targets(path, data) -> str:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(path)


# --- the targets file --------------------------------------------------------------------------------


def test_the_builtin_targets_cover_the_published_facts_with_sources():
    targets = load_targets(BUILTIN_TARGETS)
    assert [t.reporter for t in targets.targets] == [
        "relationship_failure_share",
        "share_smbs_brought_back",
        "share_smbs_ended_early",
        "share_smbs_outsourcing",
        "outsourcing_share_accounting",
        "outsourcing_share_it",
        "referred_signing_share",
    ]
    for t in targets.targets:
        assert t.low <= t.value <= t.high and t.source and t.population and t.fact
        assert t.last_month <= targets.steps
    by_name = {t.name: t for t in targets.targets}
    assert (by_name["ended_contract_early"].value, by_name["accounting_outsourced"].value) == (0.48, 0.37)
    assert by_name["relationship_failure"].low == 0.20 and not by_name["relationship_failure"].confirmed


def _broken(**changes):
    data = yaml.safe_load(yaml.safe_dump(SMALL_TARGETS))
    for key, value in changes.items():
        if key == "file":
            data.update(value)
        else:
            data["targets"][0].setdefault(key, {})
            if isinstance(value, dict):
                data["targets"][0][key].update(value)
            else:
                data["targets"][0][key] = value
    return data


@pytest.mark.parametrize(
    "data, message",
    [
        (
            _broken(measure={"reporter": "outsorcing_share"}),
            "target buying: measure.reporter 'outsorcing_share'",
        ),
        (_broken(measure={"months": [0, 30]}), "target buying: measure.months must be [first, last]"),
        (_broken(measure={"months": [10, 31]}), "with 1 <= first <= last <= 30"),
        (_broken(measure={"statistic": "median"}), "measure.statistic must be one of mean, last"),
        (_broken(empirical={"low": 0.7, "high": 0.7}), "and low < high"),
        (_broken(empirical={"low": 0.75}), "empirical needs low <= value <= high"),
        (_broken(empirical={"high": "high"}), "empirical.high must be a number"),
        (_broken(sorce="x"), "target buying: unknown field 'sorce'"),
        (_broken(confirmed="yes"), "confirmed must be true or false"),
        (_broken(name="two words"), "name must be an identifier"),
        (_broken(file={"steps": 0}), "steps must be an integer in [1, 100000]"),
        (_broken(file={"targets": []}), "targets must be a non-empty list"),
        ({**SMALL_TARGETS, "targets": [SMALL_TARGETS["targets"][0]] * 2}, "repeated: buying"),
    ],
)
def test_a_bad_targets_file_is_refused_in_one_line_naming_the_file_and_target(tmp_path, data, message):
    path = write_targets(tmp_path / "targets.yaml", data)
    with pytest.raises(TargetError) as caught:
        load_targets(path)
    text = str(caught.value)
    assert message in text and text.startswith(path) and "\n" not in text


def test_a_missing_field_and_unreadable_files_are_named(tmp_path):
    data = yaml.safe_load(yaml.safe_dump(SMALL_TARGETS))
    del data["targets"][1]["source"]
    with pytest.raises(TargetError, match="target ended_early: missing field 'source'"):
        load_targets(write_targets(tmp_path / "a.yaml", data))
    with pytest.raises(TargetError, match="cannot read"):
        load_targets(tmp_path / "none.yaml")
    (tmp_path / "b.yaml").write_text("targets: [", encoding="utf-8")
    with pytest.raises(TargetError, match="not valid YAML at line"):
        load_targets(tmp_path / "b.yaml")


def test_a_measure_averages_its_months_skipping_nan_or_reads_the_last():
    frame = pd.DataFrame({"step": [1, 2, 3, 4, 5], "x": [9.0, 0.2, np.nan, 0.5, 7.0]})
    mean = Target("m", "", "x", 2, 4, "mean", 0.3, 0.0, 1.0, "", "", True)
    last = Target("l", "", "x", 2, 4, "last", 0.3, 0.0, 1.0, "", "", True)
    assert measure(mean, frame) == pytest.approx(0.35) and measure(last, frame) == 0.5
    assert math.isnan(measure(mean, frame.assign(x=np.nan)))
    assert mean.inside(0.0) and mean.inside(1.0) and not mean.inside(1.01) and not mean.inside(math.nan)


# --- the survey measures in the model ---------------------------------------------------------------


def _book_with(starts: list[int]) -> ContractBook:
    book = ContractBook()
    for month in sorted(set(starts)):
        n = starts.count(month)
        columns = {k: np.zeros(n, dtype=t) for k, t in _FIELDS.items()}
        columns["start"] = np.full(n, month)
        book.sign(**columns)
    return book


def test_the_failure_share_counts_the_latest_cohorts_whose_two_years_have_passed():
    # begun: two in month 0, one in 5, two in 13. Ended: one of month 0 in month 23 (within 24
    # months: failed), the one of month 5 in month 29 (after exactly 24: not failed), one of
    # month 13 in month 14 (failed)
    book = _book_with([0, 0, 5, 13, 13])
    book.terminate(np.array([0]), 23, "poor_performance")
    book.terminate(np.array([2]), 29, "not_renewed")
    book.terminate(np.array([3]), 14, "brought_in_house")
    assert math.isnan(book.recent_failure_share(FAILURE_HORIZON - 1))  # no cohort complete yet
    assert book.recent_failure_share(24) == 0.5  # starts of month 0: 1 of 2
    assert book.recent_failure_share(29) == pytest.approx(1 / 3)  # months 0..5: 1 of 3
    assert book.recent_failure_share(36) == 0.0  # months 1..12: the one of month 5
    assert book.recent_failure_share(37) == pytest.approx(1 / 3)  # months 2..13: 5, 13, 13
    assert book.recent_failure_share(24, window=1) == 0.5
    assert math.isnan(book.recent_failure_share(60))  # months 25..36: nothing begun


def test_relationships_ended_by_their_buyers_exit_are_outside_the_surveyed_population():
    # four begun in month 0: one ended by the SMB's exit (left out of both counts), one by the
    # vendor's exit (a failure), one brought in-house after the horizon (not a failure), one open
    book = _book_with([0, 0, 0, 0])
    book.terminate(np.array([0]), 3, "smb_exit")
    book.terminate(np.array([1]), 10, "vendor_exit")
    book.terminate(np.array([2]), 30, "brought_in_house")
    assert book.recent_failure_share(24) == pytest.approx(1 / 3)
    book.terminate(np.array([3]), 31, "smb_exit")  # after the horizon: still surveyed, not failed
    assert book.recent_failure_share(24) == pytest.approx(1 / 3)
    only_exits = _book_with([0])
    only_exits.terminate(np.array([0]), 1, "smb_exit")
    assert math.isnan(only_exits.recent_failure_share(24))  # nobody left to ask


def test_relationships_begun_before_the_run_are_left_out():
    book = _book_with([0, 0, 0])
    book.backdate(np.arange(3), np.array([0, 3, 30]))
    assert list(book.start[:3]) == [0, -3, -30] and list(book.begun_by_month) == [1]
    book.terminate(np.arange(3), 5, "vendor_exit")
    assert book.recent_failure_share(24) == 1.0  # the one begun in month 0; the backdated ones not at all


def test_the_histories_behind_the_survey_shares_follow_the_decisions():
    """Brought back: a function a vendor served since it was last outsourced is made in-house
    again (at a review, with a contract in force or not, or because the market has no vendor
    left for it). Ended early: a contract ended before its term for poor performance or to
    bring the function back. Both are observed here from the signings, the month-end sourcing
    table and the endings, independently of the model's own bookkeeping."""
    model = EcosystemModel(rng=5, n_smbs=60, n_vendors=15)
    brought_back = np.zeros(60, bool)
    ended_early = np.zeros(60, bool)
    served = np.zeros((60, 6), bool)  # rows a vendor has served since they were last outsourced
    sign, end = model.contracts.sign, model._end
    back_without_contract = 0

    def spy_sign(**columns):
        served[columns["smb"], columns["function"]] = True
        return sign(**columns)

    def spy_end(contracts, reason):
        c = model.contracts
        live = contracts[c.active[contracts]]
        if reason in ("poor_performance", "brought_in_house"):
            ended_early[c.smb[live[c.end[live] > model.month]]] = True
        return end(contracts, reason)

    model.contracts.sign, model._end = spy_sign, spy_end

    def identities():
        return np.array([model.smb_agents[i].unique_id for i in range(60)])

    for _ in range(60):
        before = identities()
        had_contract = np.zeros((60, 6), bool)
        c = model.contracts
        act = c.active_index()
        had_contract[c.smb[act], c.function[act]] = True
        model.step()
        back = served & ~model.outsourced  # served rows now made in-house (exits included)
        back_without_contract += int((back & ~had_contract & model.smb_active[:, None]).sum())
        brought_back[back.any(axis=1)] = True
        served[back] = False
        fresh = identities() != before  # a place taken by an entrant this month
        brought_back[fresh] = ended_early[fresh] = False  # an entrant starts without a history
        assert not (model.ever_ended_early & ~model.ever_bought).any()
        assert not (model.ever_brought_back & ~model.ever_bought).any()
    assert back_without_contract > 0  # the case the survey measure must not miss did occur
    active = model.smb_active
    assert (model.ever_brought_back[active] == brought_back[active]).all()
    assert (model.ever_ended_early[active] == ended_early[active]).all()
    assert model.ever_brought_back.any() and model.ever_ended_early.any()
    frame = model.datacollector.get_model_vars_dataframe()
    buyers = active & model.ever_bought
    assert frame["share_smbs_ended_early"].iloc[-1] == pytest.approx(model.ever_ended_early[buyers].mean())
    share = frame["referred_signing_share"].dropna()
    assert ((share >= 0) & (share <= 1)).all() and share.mean() > 0
    functions = frame[[f"outsourcing_share_{f}" for f in ("it", "accounting", "hr", "marketing")]]
    assert ((functions >= 0) & (functions <= 1)).all().all()


def test_survey_reporters_are_registered():
    for name in ("share_smbs_outsourcing", "relationship_failure_share", "outsourcing_share_logistics"):
        assert name in MODEL_REPORTERS


# --- smb-eco validate --------------------------------------------------------------------------------


def test_validate_measures_every_target_reproducibly_and_writes_the_report(tmp_path, capsys):
    targets = write_targets(tmp_path / "targets.yaml", SMALL_TARGETS)
    args = ["validate", "--targets", targets, "--replications", "3", *SMALL_MARKET, "--workers", "1"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    printed = capsys.readouterr().out
    assert "buying" in printed and "of 2 targets inside their empirical range" in printed
    out = tmp_path / "a"
    table = pd.read_csv(out / "validation.csv")
    runs = pd.read_csv(out / "runs.csv")
    assert list(table["target"]) == ["buying", "ended_early"] and len(runs) == 3
    # the table is the runs' values summarised, and each run's value is its series measured
    sweep = pd.concat(pd.read_parquet(p) for p in sorted((out / "sweep" / "runs").glob("*.parquet")))
    for run_id, series in sweep.groupby("run_id"):
        row = runs.set_index("run_id").loc[run_id]
        months = series[(series["step"] >= 10) & (series["step"] <= 30)]
        assert row["buying"] == pytest.approx(months["share_smbs_outsourcing"].mean())
        assert row["ended_early"] == series.loc[series["step"] == 30, "share_smbs_ended_early"].iloc[0]
    buying = table.set_index("target").loc["buying"]
    assert buying["mean"] == pytest.approx(runs["buying"].mean())
    assert buying["ci_low"] < buying["mean"] < buying["ci_high"]
    assert bool(buying["inside"]) == (0.65 <= buying["mean"] <= 0.81)
    assert table.set_index("target").loc["ended_early", "inside"]  # the range is [0, 1]
    report = (out / "validation.md").read_text()
    assert "| buying |" in report and "figures/buying.png" in report and "not confirmed" in report
    assert (out / "figures" / "buying.png").stat().st_size > 10_000
    assert main([*args, "--out", str(tmp_path / "b"), "--workers", "2"]) == 0
    assert (out / "validation.csv").read_bytes() == (tmp_path / "b" / "validation.csv").read_bytes()


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--replications", "1"], "--replications must be at least 2"),
        (["--set", "n_smbs=0"], "n_smbs"),
        (["--targets", "no_such.yaml"], "no_such.yaml: cannot read"),
        (["--workers", "0"], "--workers must be a positive integer"),
    ],
)
def test_bad_validate_input_is_one_line_exit_2_and_writes_nothing(tmp_path, capsys, extra, message):
    targets = write_targets(tmp_path / "targets.yaml", SMALL_TARGETS)
    out = tmp_path / "out"
    code = main(["validate", "--targets", targets, "--out", str(out), *SMALL_MARKET, *extra])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1 and not out.exists()


def test_validate_never_writes_into_a_folder_that_holds_files(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert main(["validate", "--out", str(out)]) == 2
    assert "already holds files" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    with pytest.raises(FileExistsError):
        validate(out, targets=BUILTIN_TARGETS)


def test_the_size_class_shares_split_the_smbs_at_the_85th_percentile_of_size():
    model = EcosystemModel(rng=4, n_smbs=200, n_vendors=40)
    for _ in range(12):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    active = model.smb_active
    size = model.smb_size[active]
    medium = size > np.quantile(size, 0.85)
    buying = model.outsourced[active].any(axis=1)
    assert frame["share_small_smbs_outsourcing"].iloc[-1] == pytest.approx(buying[~medium].mean())
    assert frame["share_medium_smbs_outsourcing"].iloc[-1] == pytest.approx(buying[medium].mean())
    assert 25 <= medium.sum() <= 35
    same = EcosystemModel(rng=4, n_smbs=50, n_vendors=10, smb_size_spread=0.0)
    same.step()
    last = same.datacollector.get_model_vars_dataframe().iloc[-1]
    assert math.isnan(last["share_medium_smbs_outsourcing"]) and not math.isnan(
        last["share_small_smbs_outsourcing"]
    )


def test_the_held_out_targets_load_and_read_model_reporters():
    held_out = load_targets(BUILTIN_TARGETS.with_name("held_out_size_classes.yaml"))
    assert [t.reporter for t in held_out.targets] == [
        "share_small_smbs_outsourcing",
        "share_medium_smbs_outsourcing",
    ]
    assert (held_out.targets[0].value, held_out.targets[1].value) == (0.65, 0.81)
