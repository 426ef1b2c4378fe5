"""Theory tests: the model shows the effects its four perspectives predict.

Each test runs a stated scenario over the seeds in ``helpers.THEORY_SEEDS`` (everything else at
its default), averages over seeds and asserts the predicted direction with a margin well inside
the measured effect (measured sizes are noted in each docstring, seeds 1-5). Runs are kept small
(100-150 SMBs, 24-72 months) so the whole module takes a few seconds.
"""

from __future__ import annotations

import numpy as np
from helpers import THEORY_SEEDS, per_seed, run_model

from ecosystem.mechanisms.functions import BUSINESS_FUNCTIONS
from ecosystem.mechanisms.relational_capital import update_trust


def _late_outsourcing_share(frame):
    """Outsourcing share after two full review cycles (months 25-48): decisions have settled."""
    return frame["outsourcing_share"].iloc[24:].mean()


def _mean_shirking_rate(frame):
    return np.nanmean(frame["shirking_rate"])


def test_tce_outsourcing_falls_as_asset_specificity_rises():
    """TCE (Williamson): specific assets raise the cost of market governance, so firms make more.

    Scenario: decision_rule="tce", 150 SMBs, 48 months; outsourcing share over months 25-48 at
    mean asset_specificity 0.1, 0.5 and 0.9. Measured: 0.55, 0.37, 0.24 (each seed in the same order).
    """
    shares = [
        per_seed(_late_outsourcing_share, 48, n_smbs=150, decision_rule="tce", asset_specificity=s)
        for s in (0.1, 0.5, 0.9)
    ]
    low, mid, high = (s.mean() for s in shares)
    assert low > mid + 0.08
    assert mid > high + 0.06
    assert np.all(shares[0] > shares[1]) and np.all(shares[1] > shares[2])


def test_monitoring_reduces_shirking():
    """Agency theory: a higher chance of being caught makes shirking a worse bet for the vendor.

    Scenario: defaults (fixed price), 100 SMBs, 36 months; mean monthly shirking rate at
    monitoring_intensity 0, 0.3, 0.6, 0.9. Measured: 1.00, 0.16, 0.028, 0.008.
    """
    levels = (0.0, 0.3, 0.6, 0.9)
    rates = [per_seed(_mean_shirking_rate, 36, n_smbs=100, monitoring_intensity=m) for m in levels]
    means = [r.mean() for r in rates]
    assert means[0] > 0.9  # unmonitored fixed-price vendors always shirk: nothing to lose
    for looser, tighter in zip(means, means[1:], strict=False):
        assert tighter < 0.5 * looser
    for looser, tighter in zip(rates, rates[1:], strict=False):
        assert np.all(tighter < looser)


def test_performance_based_contracts_reduce_shirking():
    """Agency theory (Eisenhardt 1989): outcome-based pay aligns the agent's interest.

    Scenario: defaults (monitoring 0.3), 100 SMBs, 36 months; mean monthly shirking rate by
    contract_type. Measured: performance_based 0.10, fixed_price 0.16, time_and_materials 0.34.
    """
    rate = {
        kind: per_seed(_mean_shirking_rate, 36, n_smbs=100, contract_type=kind)
        for kind in ("performance_based", "fixed_price", "time_and_materials")
    }
    performance = rate["performance_based"].mean()
    assert performance < 0.8 * rate["fixed_price"].mean()
    assert performance < 0.5 * rate["time_and_materials"].mean()
    assert np.all(rate["performance_based"] < rate["fixed_price"])


def test_due_diligence_counters_adverse_selection():
    """Agency theory (Akerlof 1970): screening keeps overstating lemons out of the contract book.

    Scenario: lemon_share=0.6, 150 SMBs, 24 months (the first two rounds of sourcing), and
    vendor_capacity=60 so that good vendors are not rationed - otherwise, with 60 % lemons, the
    few good vendors fill up and the contracted quality is set by capacity, not by information.
    Mean contracted vendor (true) quality over the run at due_diligence 0.0 vs 0.9.
    Measured: 0.709 vs 0.763 (+0.054; every seed higher).
    """
    quality = {
        d: per_seed(
            lambda f: np.nanmean(f["mean_contracted_vendor_quality"]),
            24,
            n_smbs=150,
            lemon_share=0.6,
            vendor_capacity=60,
            due_diligence=d,
        )
        for d in (0.0, 0.9)
    }
    assert quality[0.9].mean() > quality[0.0].mean() + 0.03
    assert np.all(quality[0.9] > quality[0.0])


# --- trust: built slowly, lost fast ---------------------------------------------------------------


def _months_to_cross(start, target, good):
    """Months of only good (or only failed) deliveries, one a month, to move trust past ``target``."""
    trust, months = start, 0
    while (trust < target) if good else (trust >= target):
        trust = float(update_trust(trust, int(good), int(not good), 0.05, 0.3))
        months += 1
    return months


def test_trust_builds_slower_than_it_falls_in_the_update_rule():
    """Relational capital at the default trust_gain=0.05 < trust_loss=0.3 (Uzzi 1997; Slovic 1993).

    Crossing the same band [0.25, 0.5) takes 8 good months upwards but 2 failures downwards.
    """
    build = _months_to_cross(0.25, 0.5, good=True)
    lose = _months_to_cross(0.5, 0.25, good=False)
    assert (build, lose) == (8, 2)


def _trust_history(seed, steps, **params):
    """(months, ties) array of every tie's trust at each month end; NaN before the tie exists."""
    model = run_model(0, seed, **params)
    history = []
    for _ in range(steps):
        model.step()
        history.append(model.ties.trust.copy())
    out = np.full((steps, len(history[-1])), np.nan)
    for month, trust in enumerate(history):
        out[month, : len(trust)] = trust
    return out


def _band_crossings(trajectory, low, high):
    """Months each crossing of the band [low, high) took, upwards and downwards."""
    up, down = [], []
    last_low = last_high = None
    for month, trust in enumerate(trajectory):
        if np.isnan(trust):
            continue
        if trust < low:
            if last_high is not None:
                down.append(month - last_high)
                last_high = None
            last_low = month
        elif trust >= high:
            if last_low is not None:
                up.append(month - last_low)
                last_low = None
            last_high = month
    return up, down


def _trust_steps(history, low=0.25, high=0.5):
    """Mean size of the monthly rises and falls of trust on ties that start the month in [low, high).

    Conditioning on the level compares like with like: a rise closes a share of the gap to 1 and
    a fall takes a share of what there is, so raw step sizes depend on where trust stands.
    """
    start, change = history[:-1], np.diff(history, axis=0)
    in_band = (start >= low) & (start < high)
    return change[in_band & (change > 1e-12)].mean(), -change[in_band & (change < -1e-12)].mean()


def test_trust_builds_slower_than_it_falls_in_the_model():
    """Model-level check of the trust asymmetry (relational capital, network theory).

    Scenario: defaults but trust_decay=0 (so trust falls only on failures, not while idle),
    100 SMBs, 72 months, four seeds pooled. Every tie's trust path is recorded.
    (1) Crossing [0.25, 0.5): median months upwards vs downwards; measured 9 vs 5.
    (2) Mean monthly rise vs fall of trust on ties starting the month in [0.25, 0.5); measured
        0.033 vs 0.106. With the parameters reversed (trust_gain=0.3, trust_loss=0.05) the steps
        reverse too (measured 0.206 vs 0.018), so the asymmetry is the parameters' doing, not an
        artefact of the measurement.
    """
    up, down, rises, falls = [], [], [], []
    for seed in THEORY_SEEDS[:4]:
        history = _trust_history(seed, 72, n_smbs=100, trust_decay=0.0)
        for tie in history.T:
            u, d = _band_crossings(tie, 0.25, 0.5)
            up += u
            down += d
        rise, fall = _trust_steps(history)
        rises.append(rise)
        falls.append(fall)
    assert len(up) > 100 and len(down) > 20
    assert np.median(up) >= 1.5 * np.median(down)
    assert np.mean(falls) > 2.5 * np.mean(rises)

    reversed_history = _trust_history(1, 72, n_smbs=100, trust_decay=0.0, trust_gain=0.3, trust_loss=0.05)
    rise, fall = _trust_steps(reversed_history)
    assert rise > 2.5 * fall


def test_multi_sourcing_limits_disruption_from_vendor_failures():
    """Risk and dependency: spreading a function over vendors limits what one failure takes away.

    Scenario: vendor_failure_rate=0.05 (a vendor of average stability fails every 20 months),
    150 SMBs, 60 months, in a market deep enough to multi-source (n_vendors=60,
    vendor_capacity=50; with the default 30 x 20, half of the places stand empty at this failure
    rate and multi-sourced functions cannot find three vendors). Cumulative disruption loss in
    total and per outsourced function-month, single vs dual vs multi.
    Measured total: single 1425, dual 681, multi 338; per outsourced function-month:
    0.061, 0.032, 0.019.
    """
    market = dict(n_smbs=150, n_vendors=60, vendor_capacity=50, vendor_failure_rate=0.05)

    def per_function(frame):
        active_smbs = frame["smb_survival_rate"] * market["n_smbs"]
        function_months = (frame["outsourcing_share"] * active_smbs * len(BUSINESS_FUNCTIONS)).sum()
        return frame["disruption_loss"].sum() / function_months

    total, relative = {}, {}
    for policy in ("single", "dual", "multi"):
        total[policy] = per_seed(lambda f: f["disruption_loss"].sum(), 60, sourcing_policy=policy, **market)
        relative[policy] = per_seed(per_function, 60, sourcing_policy=policy, **market)
    assert total["single"].mean() > 0  # failures do disrupt single-sourced functions
    assert total["multi"].mean() < 0.5 * total["single"].mean()
    assert relative["multi"].mean() < 0.5 * relative["single"].mean()
    assert relative["dual"].mean() < relative["single"].mean()
    assert np.all(relative["multi"] < relative["single"])
