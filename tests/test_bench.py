"""The speed benchmark's same-process measurement: block plan, paired children, and which ratio
the speed target reads (behaviour only; no timing is asserted)."""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_model as bm  # noqa: E402


def _check_paired(result, n, steps, block):
    assert result["kind"] == "paired" and result["n"] == n and result["block"] == block
    for kind in ("model", "boltzmann"):
        assert result[f"{kind}_block_steps"] == bm.block_plan(steps, block)
        assert sum(result[f"{kind}_block_steps"]) == steps == result[f"{kind}_steps_counted"]
        assert all(t > 0 for t in result[f"{kind}_block_s"])
        assert result[f"{kind}_step_s"] == sum(result[f"{kind}_block_s"])
    ours = n * steps / result["model_step_s"]
    boltzmann = n * steps / result["boltzmann_step_s"]
    assert result["ratio"] == ours / boltzmann
    pairs = [tuple(result["order"][i : i + 2]) for i in range(0, len(result["order"]), 2)]
    assert pairs == [
        ("model", "boltzmann") if i % 2 == 0 else ("boltzmann", "model") for i in range(len(pairs))
    ]


def test_block_plan_cuts_the_steps_into_blocks():
    assert bm.block_plan(4, 2) == [2, 2]
    assert bm.block_plan(5, 2) == [2, 2, 1]
    assert bm.block_plan(3, 10) == [3]


def test_a_paired_child_steps_both_models_in_alternating_blocks():
    _check_paired(bm.spawn_paired(20, 4, 2, seed=1), 20, 4, 2)
    _check_paired(bm.run_paired(20, 5, 2, seed=1), 20, 5, 2)  # the last block is shorter


def _runs(n, steps, paired):
    def one(kind, seconds):
        return {
            "kind": kind,
            "n": n,
            "steps": steps,
            "construct_s": 0.1,
            "step_s": seconds,
            "peak_rss_bytes": 2e8,
            "rss_before_bytes": 1e8,
            "active_contracts": 1,
            "smb_survival": 0.9,
        }

    runs = {
        n: {
            "model": bm.Runs([one("model", 2.0)]),
            "boltzmann": bm.Runs([one("boltzmann", 1.0)]),
            "trace": bm.Runs(),
            "paired": bm.Runs(),
        }
    }
    if paired:
        for ours, boltzmann in ((1.0, 1.1), (1.0, 0.9), (1.0, 1.3)):
            runs[n]["paired"].results.append(
                {
                    "kind": "paired",
                    "n": n,
                    "steps": steps,
                    "block": 2,
                    "model_block_steps": [2, 2],
                    "boltzmann_block_steps": [2, 2],
                    "model_step_s": ours,
                    "boltzmann_step_s": boltzmann,
                }
            )
    return runs


def _report(runs):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        bm.report(runs, 4, 3, 1.3)
    return out.getvalue()


def test_the_speed_target_reads_the_same_process_median_else_says_it_fell_back():
    text = _report(_runs(2000, 4, paired=True))
    assert (
        "Same-process speed ratio at 2,000 SMBs: median 1.10 (range 0.90\u20131.30 over 3 processes" in text
    )
    # the quietest process is the one where Boltzmann ran fastest (0.9 s): ratio 0.90
    assert "[FAIL] speed ratio >= 1 at 2,000 SMBs (same process, quietest of 3, Boltzmann at 9k" in text
    assert text.split("Targets")[1].split("\n")[1].endswith(": 0.90")
    summary = bm.paired_summary(_runs(2000, 4, paired=True))
    assert summary["median"] == 1.1 and summary["processes"] == 3
    assert summary["quietest_process"] == 2 and summary["quietest"] == 0.9
    # quietest paired Boltzmann run: 8.9k agent-steps/s, its best separate run 8k: not busy
    assert "host busy" not in text
    slow = _runs(2000, 4, paired=True)
    slow[2000]["boltzmann"].results[0]["step_s"] = 0.5  # its best separate run was twice as fast
    assert "host busy: Boltzmann ran at 9k agent-steps/s" in _report(slow)
    text = _report(_runs(2000, 4, paired=False))
    assert "[FAIL] speed ratio >= 1 at 2,000 SMBs (separate processes, best of 3 each): 0.50" in text
    assert "Same-process" not in text
