"""Unit tests of each mechanism, called directly as the pure array functions they are.

Every expected value here is either computed by hand (an explicit loop, a brute-force integral,
the equation written out again) or a direction the theory fixes; nothing only checks that a call
returns.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import norm

from ecosystem.mechanisms import decision_rules as dr
from ecosystem.mechanisms.beliefs import (
    chance_below,
    decay_factors,
    faded,
    posterior,
    screening_evidence,
    type_prior,
)
from ecosystem.mechanisms.capabilities import core_focus_growth, develop_capability
from ecosystem.mechanisms.contracts import (
    CONTRACT_KINDS,
    ContractBook,
    expected_bill_factor,
    monthly_bill,
    term_arrays,
)
from ecosystem.mechanisms.decision_rules import (
    DECISION_RULES,
    ReviewInputs,
    _example,
    buy_cost,
    cost_rule,
    decide,
    discount_factor,
    hybrid_rule,
    make_cost,
    present_values,
    rbv_rule,
    tce_rule,
    transaction_cost_rate,
)
from ecosystem.mechanisms.economics import (
    core_cost,
    function_share,
    function_weights,
    lost_output_value,
    monthly_revenue,
    performance,
)
from ecosystem.mechanisms.functions import BUSINESS_FUNCTIONS, beta_around, draw_function_profiles
from ecosystem.mechanisms.holdup import (
    haggling_cost,
    holdup_raise,
    renewal_discounts,
    switching_cost,
    transition_cost,
)
from ecosystem.mechanisms.innovation import (
    collaborative_innovation_odds,
    inhouse_innovation_odds,
)
from ecosystem.mechanisms.moral_hazard import (
    PowerTable,
    annuity,
    breach_probability,
    delivered_quality,
    detection_chance,
    overbills,
    relationship_values,
    shirks,
    strike_stake,
)
from ecosystem.mechanisms.network import PeerNetwork, peer_graph
from ecosystem.mechanisms.population import allocate_mix, mix_counts
from ecosystem.mechanisms.relational_capital import governance_relief, update_trust
from ecosystem.mechanisms.relationships import PairBook
from ecosystem.mechanisms.selection import draw_shortlist, quality_signal, rank_candidates
from ecosystem.mechanisms.shocks import (
    breach_chance,
    breach_damage,
    covered_share,
    failure_hazard,
    ip_leak_chance,
)
from ecosystem.mechanisms.vendor_economics import (
    adjust_capacity,
    adjust_markup,
    entry_profit,
    smooth,
)
from ecosystem.mechanisms.vendors import (
    draw_vendors,
    variable_cost,
    with_room,
)
from ecosystem.parameters import defaults

PARAMS = defaults()
# the mechanisms' constants at their defaults (advanced parameters of the schema)
FORGETTING = PARAMS["belief_forgetting"]
MIN_VARIANCE = PARAMS["min_evidence_variance"]
OBSERVATION_NOISE = float(np.hypot(PARAMS["delivery_noise"], PARAMS["measurement_noise"]))
BILL_FLOOR = PARAMS["bill_floor"]
FUNCTION_WEIGHT = PARAMS["function_weight"]
INHOUSE_INNOVATION_FACTOR = PARAMS["inhouse_innovation_factor"]
DETECTION_ACCURACY = PARAMS["detection_accuracy"]
RENEWAL_BELIEF = PARAMS["renewal_belief"]
SURGE_CAPACITY = PARAMS["surge_capacity"]
MARKUP_MIN, MARKUP_MAX = PARAMS["markup_min"], PARAMS["markup_max"]
MARKUP_STEP = PARAMS["markup_step"]
NEWCOMER_SHARE = PARAMS["newcomer_share"]
TARGET_UTILISATION = PARAMS["target_utilisation"]
GOOD_QUALITY, LEMON_QUALITY = PARAMS["good_quality"], PARAMS["lemon_quality"]
QUALITY_CONCENTRATION = PARAMS["quality_concentration"]
LOCATION_COST = np.array([1.0, PARAMS["nearshore_cost_factor"], PARAMS["offshore_cost_factor"]])
MAX_PATIENCE = PARAMS["max_patience"]
FIELDS = tuple(ReviewInputs.__dataclass_fields__)
BOOLEAN_FIELDS = ("bought",)


def review(n: int = 1, **overrides) -> ReviewInputs:
    """``n`` review rows of a middling function, with ``overrides`` (scalars or arrays) broadcast."""
    values = {name: column[0] for name, column in vars(_example()).items()}  # the docstrings' row
    values.update(overrides)
    arrays = {}
    for name, value in values.items():
        dtype = bool if name in BOOLEAN_FIELDS else float
        arrays[name] = np.broadcast_to(np.asarray(value, dtype=dtype), (n,)).copy()
    return ReviewInputs(**arrays)


def random_review(rng: np.random.Generator, n: int) -> ReviewInputs:
    """``n`` random review rows spanning every attribute."""
    return ReviewInputs(
        inhouse_cost=rng.lognormal(0.0, 0.25, n),
        capability=rng.random(n),
        importance=rng.random(n),
        specificity=rng.random(n),
        uncertainty=rng.random(n),
        frequency=rng.random(n),
        price=rng.uniform(0.3, 1.3, n),
        vendor_quality=rng.random(n),
        relational_capital=rng.random(n),
        monitoring_rate=0.1 * rng.random(n),
        bought=rng.random(n) < 0.5,
        switch_in=rng.uniform(0.0, 2.0, n),
        switch_out=rng.uniform(0.0, 2.0, n),
        holdup=rng.uniform(0.0, 0.05, n),
        haggling=rng.uniform(0.0, 0.3, n),
    )


def replaced(inputs: ReviewInputs, **values) -> ReviewInputs:
    """``inputs`` with some fields replaced (scalars broadcast to the rows)."""
    n = len(inputs.price)
    fields = {name: getattr(inputs, name) for name in FIELDS}
    for name, value in values.items():
        fields[name] = np.broadcast_to(np.asarray(value, dtype=fields[name].dtype), (n,)).copy()
    return ReviewInputs(**fields)


# --- decision rules: TCE ------------------------------------------------------------------------


def test_transaction_cost_rate_is_its_equation():
    s, u, f, r, base = 0.4, 0.5, 0.6, 0.2, 0.15
    expected = base * (1 + 3 * s + 3 * s * u + 1.5 * s * f) * (1 - 0.5 * r)
    assert transaction_cost_rate(s, u, f, r, base, PARAMS) == pytest.approx(expected, rel=1e-12)


def test_uncertainty_and_frequency_matter_only_where_assets_are_specific():
    grid = np.linspace(0.0, 1.0, 11)
    assert_allclose(transaction_cost_rate(0.0, grid, 0.7, 0.0, 0.15, PARAMS), 0.15, rtol=1e-15)
    assert_allclose(transaction_cost_rate(0.0, 0.7, grid, 0.0, 0.15, PARAMS), 0.15, rtol=1e-15)
    assert np.all(np.diff(transaction_cost_rate(0.5, grid, 0.7, 0.0, 0.15, PARAMS)) > 0)
    assert np.all(np.diff(transaction_cost_rate(0.5, 0.7, grid, 0.0, 0.15, PARAMS)) > 0)
    assert np.all(np.diff(transaction_cost_rate(grid, 0.3, 0.5, 0.0, 0.15, PARAMS)) > 0)


def test_relational_capital_halves_transaction_costs_at_most():
    grid = np.linspace(0.0, 1.0, 11)
    rate = transaction_cost_rate(0.3, 0.3, 0.5, grid, 0.15, PARAMS)
    assert np.all(np.diff(rate) < 0)
    assert rate[-1] == pytest.approx(0.5 * rate[0], rel=1e-12)


def test_make_cost_is_its_equation_and_falls_with_frequency():
    frequency = np.linspace(0.0, 1.0, 11)
    assert_allclose(make_cost(2.0, frequency, 0.1, 1.5), 2.0 * (1 + 0.1 * (1.5 - frequency)), rtol=1e-15)
    assert np.all(np.diff(make_cost(1.0, frequency, 0.1, 1.5)) < 0)


def test_buy_cost_is_fee_plus_transaction_and_monitoring():
    inputs = review(specificity=0.4, uncertainty=0.5, frequency=0.6, relational_capital=0.2, price=0.9)
    tau = 0.15 * (1 + 3 * 0.4 + 3 * 0.4 * 0.5 + 1.5 * 0.4 * 0.6) * 0.9
    assert buy_cost(inputs, 0.15, PARAMS)[0] == pytest.approx(0.9 * (1 + tau + 0.03), rel=1e-12)


def test_discount_factor_compounds_to_the_annual_rate():
    assert discount_factor(0.1) ** 12 == pytest.approx(1 / 1.1, rel=1e-12)
    assert discount_factor(0.0) == 1.0


def test_present_values_are_the_discounted_sums_over_the_horizon():
    params = {**PARAMS, "planning_horizon": 36, "contract_duration": 12, "smb_discount_rate": 0.1}
    row = dict(holdup=0.02, haggling=0.1, switch_in=0.8, switch_out=0.5)
    delta = 1.1 ** (-1 / 12)
    c_make = float(make_cost(1.0, 0.5, params["governance_cost_rate"], 1.5))
    c_buy = buy_cost(review(), params["transaction_cost_rate"], PARAMS)[0]
    make_new = sum(delta**t * c_make for t in range(1, 37))
    buy_new = sum(delta**t * (c_buy + row["holdup"] * ((t - 1) // 12 >= 1)) for t in range(1, 37))
    buy_new += row["switch_in"] + row["haggling"] * (delta**12 + delta**24)  # renewals at 12 and 24
    make, buy = present_values(review(2, bought=[False, True], **row), params)
    assert make == pytest.approx([make_new, make_new + row["switch_out"]], rel=1e-12)
    assert buy == pytest.approx([buy_new, buy_new - row["switch_in"]], rel=1e-12)


def test_present_values_without_discounting_are_plain_sums():
    """smb_discount_rate = 0 is inside the schema's range: the PVs must be H months of cost."""
    params = {**PARAMS, "smb_discount_rate": 0.0, "planning_horizon": 48}
    make, buy = present_values(review(), params)
    c_make = make_cost(1.0, 0.5, params["governance_cost_rate"], 1.5)
    assert make[0] == pytest.approx(48 * c_make, rel=1e-12)
    assert np.isfinite(buy).all()
    assert tce_rule(review(specificity=0.1), params)[0]  # as at the default rate of 0.1


def test_tce_buy_falls_with_specificity():
    specificity = np.linspace(0.0, 1.0, 101)
    inputs = review(101, specificity=specificity)
    make, buy = present_values(inputs, PARAMS)
    assert np.all(np.diff(buy) > 0)
    assert np.ptp(make) == 0.0
    decision = tce_rule(inputs, PARAMS)
    assert decision[0] and not decision[-1]
    assert np.all(np.diff(decision.astype(int)) <= 0)  # once made, made at every higher specificity


def test_tce_ignores_quality_and_importance():
    rng = np.random.default_rng(11)
    inputs = random_review(rng, 400)
    other = replaced(inputs, vendor_quality=rng.random(400), importance=rng.random(400), capability=0.0)
    assert_array_equal(tce_rule(inputs, PARAMS), tce_rule(other, PARAMS))


def test_switching_costs_create_inertia():
    """Buying costs 0.2 more than making over the horizon, switching either way costs 1.0: the bought
    function stays bought and the made one stays made."""
    months = annuity(discount_factor(PARAMS["smb_discount_rate"]), PARAMS["planning_horizon"])
    c_make = make_cost(1.0, 0.5, PARAMS["governance_cost_rate"], 1.5)
    per_unit_fee = buy_cost(review(price=1.0), PARAMS["transaction_cost_rate"], PARAMS)[0]  # 1 + tau + m
    price = (c_make + 0.2 / months) / per_unit_fee
    rows = review(2, price=price, bought=[True, False], switch_in=1.0, switch_out=1.0)
    make, buy = present_values(rows, PARAMS)
    assert buy - make == pytest.approx([0.2 - 1.0, 0.2 + 1.0], rel=1e-9)
    assert tce_rule(rows, PARAMS).tolist() == [True, False]
    free = replaced(rows, switch_in=0.0, switch_out=0.0)
    assert tce_rule(free, PARAMS).tolist() == [False, False]  # without switching costs, no inertia


def test_holdup_and_haggling_raise_the_present_value_of_buying():
    params = PARAMS
    delta = discount_factor(params["smb_discount_rate"])
    raises, rounds = renewal_discounts(params["planning_horizon"], params["contract_duration"], delta)
    assert raises > 0 and rounds > 0
    make0, buy0 = present_values(review(price=0.7), params)
    make1, buy1 = present_values(review(price=0.7, holdup=0.03, haggling=0.2), params)
    assert_array_equal(make1, make0)
    assert buy1[0] - buy0[0] == pytest.approx(0.03 * raises + 0.2 * rounds, rel=1e-12)
    # enough expected hold-up turns a buy into a make
    gap = make0[0] - buy0[0]
    assert gap > 0 and tce_rule(review(price=0.7), params)[0]
    assert tce_rule(review(price=0.7, holdup=0.99 * gap / raises), params)[0]
    assert not tce_rule(review(price=0.7, holdup=1.01 * gap / raises), params)[0]


# --- decision rules: RBV, cost, hybrid, the registry -------------------------------------------


def test_rbv_keeps_strategic_functions():
    importance = np.linspace(0.0, 1.0, 101)
    inputs = review(101, importance=importance, vendor_quality=1.0, capability=0.0, price=0.0)
    assert_array_equal(rbv_rule(inputs, PARAMS), importance < PARAMS["core_threshold"])


def test_rbv_buys_only_clearly_superior_quality_and_ignores_cost():
    quality = np.array([0.55, 0.65, 0.9])  # capability 0.5, margin 0.1
    cheap = rbv_rule(review(3, vendor_quality=quality, price=0.01), PARAMS)
    assert cheap.tolist() == [False, True, True]
    rng = np.random.default_rng(12)
    inputs = random_review(rng, 500)
    dear = replaced(inputs, price=100.0, inhouse_cost=0.01, specificity=1.0, holdup=5.0, bought=False)
    assert_array_equal(rbv_rule(inputs, PARAMS), rbv_rule(dear, PARAMS))


def test_cost_rule_ignores_everything_but_price():
    rng = np.random.default_rng(13)
    inputs = random_review(rng, 2000)
    buy = cost_rule(inputs, PARAMS)
    assert_array_equal(buy, inputs.price < inputs.inhouse_cost)
    scrambled = random_review(np.random.default_rng(14), 2000)
    scrambled = replaced(scrambled, price=inputs.price, inhouse_cost=inputs.inhouse_cost)
    assert_array_equal(cost_rule(scrambled, PARAMS), buy)
    tight = review(price=0.95, specificity=0.9, uncertainty=0.9)
    assert cost_rule(tight, PARAMS)[0] and not tce_rule(tight, PARAMS)[0]


def test_hybrid_is_tce_and_the_rbv_vetoes():
    inputs = random_review(np.random.default_rng(15), 5000)
    tce = tce_rule(inputs, PARAMS)
    strategic = inputs.importance >= PARAMS["core_threshold"]
    downgrade = inputs.vendor_quality < inputs.capability - PARAMS["rbv_margin"]
    assert_array_equal(hybrid_rule(inputs, PARAMS), tce & ~strategic & ~downgrade)
    assert (tce & strategic).any() and (tce & downgrade & ~strategic).any()  # both vetoes bite


def test_decide_dispatches_through_the_registry():
    inputs = random_review(np.random.default_rng(16), 500)
    assert tuple(DECISION_RULES) == ("tce", "rbv", "cost", "hybrid")
    results = {}
    for name, rule in DECISION_RULES.items():
        results[name] = decide(name, inputs, PARAMS)
        assert_array_equal(results[name], rule(inputs, PARAMS))
    assert len({r.tobytes() for r in results.values()}) == 4  # four different answers on these rows
    with pytest.raises(KeyError):
        decide("williamson", inputs, PARAMS)


def test_registering_a_rule_is_enough_for_decide(monkeypatch):
    inputs = random_review(np.random.default_rng(17), 200)

    def cheap_and_good(rows, params):
        return (rows.price < 0.8) & (rows.vendor_quality > 0.5)

    monkeypatch.setitem(DECISION_RULES, "cheap_and_good", cheap_and_good)
    assert_array_equal(
        decide("cheap_and_good", inputs, PARAMS), (inputs.price < 0.8) & (inputs.vendor_quality > 0.5)
    )
    monkeypatch.setitem(DECISION_RULES, "tce", lambda rows, params: np.zeros(len(rows.price), bool))
    assert not decide("tce", inputs, PARAMS).any()  # looked up at call time, not bound at import
    assert dr.DECISION_RULES is DECISION_RULES


# --- beliefs -------------------------------------------------------------------------------------


def grid_posterior(lemon_share, friction, screening, observations, reports, thresholds=()):
    """Brute force: the posterior on a fine grid from the raw evidence (one row).

    ``observations`` and ``reports`` are lists of (measured value, precision) pairs; screening is
    (value, precision, lemon bias) with precision 0 for none.
    """
    q = np.linspace(-1.0, 2.0, 300_001)
    keep = 1.0 - friction
    spread = 1.0 / (QUALITY_CONCENTRATION + 1)
    logs = []
    for t, (mean, share) in enumerate(((GOOD_QUALITY, 1 - lemon_share), (LEMON_QUALITY, lemon_share))):
        if share == 0:
            logs.append(np.full(q.shape, -np.inf))
            continue
        sd = np.sqrt(mean * (1 - mean) * spread) * keep
        log = np.log(share) + norm.logpdf(q, mean * keep, sd)
        value, precision, bias = screening
        if precision > 0:
            log += norm.logpdf(value - (bias if t == 1 else 0.0), q, 1 / np.sqrt(precision))
        for x, p in list(observations) + list(reports):
            log += norm.logpdf(x, q, 1 / np.sqrt(p))
        logs.append(log)
    top = max(log.max() for log in logs)
    dens = [np.exp(log - top) for log in logs]
    total = dens[0] + dens[1]
    mass = total.sum()
    mean = (q * total).sum() / mass
    var = ((q - mean) ** 2 * total).sum() / mass
    lemon = dens[1].sum() / mass
    below = [total[q < th].sum() / mass for th in thresholds]
    return mean, var, lemon, below


def as_statistics(pairs):
    """(precision-weighted sum, precision) of a list of (value, precision) measurements, as 1-arrays."""
    info = sum(x * p for x, p in pairs) if pairs else 0.0
    precision = sum(p for _, p in pairs) if pairs else 0.0
    return np.array([info]), np.array([precision])


@pytest.mark.parametrize("seed", range(8))
def test_posterior_matches_brute_force_integration(seed):
    rng = np.random.default_rng(seed)
    lemon_share = float(rng.uniform(0.05, 0.95))
    friction = float(rng.choice([0.0, 0.06, 0.15]))
    screened = rng.random() < 0.75
    screening = (
        float(rng.uniform(0.2, 1.0)),
        float(rng.uniform(20.0, 400.0)) if screened else 0.0,
        float(rng.uniform(0.0, 0.3)),
    )
    precision = 1 / OBSERVATION_NOISE**2
    own = [(float(x), precision * 0.97 ** int(rng.integers(0, 5))) for x in rng.uniform(0.2, 0.9, 3)]
    own = own[: int(rng.integers(0, 4))]
    heard = [(float(x), 0.5 * precision) for x in rng.uniform(0.2, 0.9, int(rng.integers(0, 3)))]
    belief = posterior(
        type_prior(lemon_share, np.array([friction]), PARAMS),
        tuple(np.array([v]) for v in screening),
        as_statistics(own),
        as_statistics(heard),
    )
    mean, var, lemon, below = grid_posterior(lemon_share, friction, screening, own, heard, (0.5, 0.6))
    assert belief.mean[0] == pytest.approx(mean, abs=1e-7)
    assert belief.variance[0] == pytest.approx(var, rel=1e-5, abs=1e-9)
    assert belief.lemon[0] == pytest.approx(lemon, abs=1e-7)
    assert chance_below(belief, 0.5)[0] == pytest.approx(below[0], abs=1e-4)
    assert chance_below(belief, 0.6)[0] == pytest.approx(below[1], abs=1e-4)


def test_one_type_posterior_equals_sequential_gaussian_updates():
    rng = np.random.default_rng(21)
    prior = type_prior(0.0, np.zeros(1), PARAMS)
    m, v = GOOD_QUALITY, GOOD_QUALITY * (1 - GOOD_QUALITY) / (QUALITY_CONCENTRATION + 1)
    screening = (np.array([0.7]), np.array([50.0]), np.array([0.1]))
    v_seq = 1 / (1 / v + 50.0)
    m_seq = v_seq * (m / v + 50.0 * 0.7)  # the good type ignores the lemon bias
    measurements = [
        (float(x), float(p)) for x, p in zip(rng.uniform(0, 1, 6), rng.uniform(10, 300, 6), strict=True)
    ]
    for x, p in measurements:
        v_new = 1 / (1 / v_seq + p)
        m_seq, v_seq = v_new * (m_seq / v_seq + p * x), v_new
    belief = posterior(prior, screening, as_statistics(measurements), (np.zeros(1), np.zeros(1)))
    assert belief.mean[0] == pytest.approx(m_seq, rel=1e-12)
    assert belief.variance[0] == pytest.approx(v_seq, rel=1e-10)
    assert belief.lemon[0] == 0.0


def test_more_observations_shrink_the_variance():
    nothing = (np.zeros(1), np.zeros(1), np.zeros(1))
    none = (np.zeros(1), np.zeros(1))
    precision = 1 / OBSERVATION_NOISE**2
    for lemon_share in (0.0, 0.3):
        prior = type_prior(lemon_share, np.zeros(1), PARAMS)
        variances = [
            posterior(prior, nothing, as_statistics([(0.75, precision)] * n), none).variance[0]
            for n in range(12)
        ]
        assert np.all(np.diff(variances) < 0), lemon_share


def test_a_lemon_looking_record_convinces_the_smb():
    prior = type_prior(0.15, np.zeros(1), PARAMS)
    nothing = (np.zeros(1), np.zeros(1), np.zeros(1))
    none = (np.zeros(1), np.zeros(1))
    precision = 1 / OBSERVATION_NOISE**2
    lemons = [
        posterior(prior, nothing, as_statistics([(0.38, precision)] * n), none).lemon[0]
        for n in (0, 1, 3, 12)
    ]
    assert lemons[0] == pytest.approx(0.15)
    assert np.all(np.diff(lemons) > 0) and lemons[-1] > 0.999
    good = posterior(prior, nothing, as_statistics([(GOOD_QUALITY, precision)] * 12), none)
    assert good.lemon[0] < 1e-3


def test_full_due_diligence_makes_screening_precise_and_unbiased():
    value, precision, bias = screening_evidence(
        np.array([0.62]),
        np.zeros(1),
        due_diligence=1.0,
        signal_noise=0.2,
        lemon_overstatement=0.3,
        min_variance=MIN_VARIANCE,
    )
    assert precision[0] == 1 / MIN_VARIANCE and bias[0] == 0.0
    prior = type_prior(0.3, np.zeros(1), PARAMS)
    none = (np.zeros(1), np.zeros(1))
    belief = posterior(prior, (value, precision, bias), none, none)
    assert belief.mean[0] == pytest.approx(0.62, abs=0.01)
    assert belief.variance[0] < 2 * MIN_VARIANCE
    precisions = [
        screening_evidence(
            0.6, 0.1, due_diligence=d, signal_noise=0.2, lemon_overstatement=0.3, min_variance=MIN_VARIANCE
        )[1]
        for d in (0.0, 0.3, 0.6, 0.9)
    ]
    assert np.all(np.diff(precisions) > 0)
    value, precision, bias = screening_evidence(
        0.6, 0.1, due_diligence=0.0, signal_noise=0.2, lemon_overstatement=0.3, min_variance=MIN_VARIANCE
    )
    assert value == pytest.approx(0.54) and bias == pytest.approx(0.27)
    assert precision == pytest.approx(1 / (0.9 * 0.2) ** 2)


def test_peers_reports_count_by_their_weight():
    nothing = (np.zeros(1), np.zeros(1), np.zeros(1))
    none = (np.zeros(1), np.zeros(1))
    info, precision = as_statistics([(0.45, 400.0)] * 2)
    weights = (0.0, 0.25, 0.5, 1.0)
    for lemon_share in (0.0, 0.2):
        prior = type_prior(lemon_share, np.zeros(1), PARAMS)
        alone = posterior(prior, nothing, none, none)
        heard = [posterior(prior, nothing, none, (w * info, w * precision)) for w in weights]
        assert heard[0].mean[0] == pytest.approx(alone.mean[0], rel=1e-15)
        assert heard[0].variance[0] == pytest.approx(alone.variance[0], rel=1e-15)
        lemon = [b.lemon[0] for b in heard]
        assert lemon_share == 0 or np.all(np.diff(lemon) > 0)  # a poor report weighs more with weight
    # one type: the mean moves towards the report, never past it, and the variance shrinks
    means = [b.mean[0] for b in heard[:1]] + [
        posterior(type_prior(0.0, np.zeros(1), PARAMS), nothing, none, (w * info, w * precision)).mean[0]
        for w in weights[1:]
    ]
    variances = [
        posterior(type_prior(0.0, np.zeros(1), PARAMS), nothing, none, (w * info, w * precision)).variance[0]
        for w in weights
    ]
    assert np.all(np.diff(means[1:]) < 0) and means[-1] > 0.45
    assert np.all(np.diff(variances) < 0)
    # a report is as good as the same experience of one's own
    prior = type_prior(0.2, np.zeros(1), PARAMS)
    as_report = posterior(prior, nothing, none, (info, precision))
    as_own = posterior(prior, nothing, (info, precision), none)
    assert_allclose(
        [as_report.mean, as_report.variance, as_report.lemon],
        [as_own.mean, as_own.variance, as_own.lemon],
        rtol=1e-12,
    )


def test_chance_below_is_a_distribution_function():
    prior = type_prior(0.3, np.zeros(5), PARAMS)
    nothing = (np.zeros(5), np.zeros(5), np.zeros(5))
    info, precision = np.array([0.2, 0.4, 0.6, 0.8, 1.0]) * 200, np.full(5, 200.0)
    belief = posterior(prior, nothing, (info, precision), (np.zeros(5), np.zeros(5)))
    grid = np.linspace(-1, 2, 61)
    values = np.array([chance_below(belief, t) for t in grid])
    assert np.all(np.diff(values, axis=0) >= 0)
    assert_allclose(values[0], 0.0, atol=1e-12)
    assert_allclose(values[-1], 1.0, atol=1e-12)
    # it falls as the record improves
    assert np.all(np.diff(chance_below(belief, 0.5)) < 0)


def test_type_prior_expects_the_population_mean():
    prior = type_prior(0.3, np.array([0.0, 0.15]), PARAMS)
    expected = (0.7 * GOOD_QUALITY + 0.3 * LEMON_QUALITY) * np.array([1.0, 0.85])
    assert_allclose(prior.expected, expected, rtol=1e-12)


def test_fading_and_decay_factors():
    assert_allclose(
        decay_factors(FORGETTING, np.array([0, 1, 5, 1000])), FORGETTING ** np.array([0, 1, 5, 1000])
    )
    info, precision = faded(np.array([2.0]), np.array([4.0]), np.array([3]), FORGETTING)
    assert_allclose([info[0], precision[0]], [2.0 * 0.97**3, 4.0 * 0.97**3], rtol=1e-12)


# --- the book of SMB-vendor pairs ---------------------------------------------------------------


def test_pair_book_ensures_finds_and_orders_pairs():
    book = PairBook(places=10, capacity=2, forgetting=FORGETTING)  # grows past its capacity
    rows = book.ensure(np.array([3, 1, 3, 0, 3]), np.array([7, 2, 7, 9, 1]))
    assert rows[0] == rows[2] and len(set(rows.tolist())) == 4 and len(book) == 4
    found = book.find(np.array([3, 1, 0, 3, 2]), np.array([7, 2, 9, 1, 2]))
    assert found.tolist() == [rows[0], rows[1], rows[3], rows[4], -1]
    assert_array_equal(book.ensure(np.array([1, 3]), np.array([2, 1])), rows[[1, 4]])  # no duplicates
    assert len(book) == 4
    new = rows[1]
    assert book.trust[new] == 0 and book.fired_month[new] == -1 and book.alive[new]
    assert book.obs_precision[new] == 0 and book.screen_precision[new] == 0 and book.banned_until[new] == 0
    start, end = book.runs(np.array([0, 1, 2, 3]))
    assert (end - start).tolist() == [1, 1, 0, 2]
    smb3 = book.index_rows[start[3] : end[3]]
    assert book.smb[smb3].tolist() == [3, 3] and book.vendor[smb3].tolist() == [1, 7]


def test_retired_pairs_are_forgotten_and_compaction_remaps_rows():
    book = PairBook(places=5, forgetting=FORGETTING)
    smb = np.repeat(np.arange(4), 5)
    vendor = np.tile(np.arange(5), 4)
    rows = book.ensure(smb, vendor)
    book.trust[rows] = np.linspace(0.0, 0.95, 20)
    assert book.compact() is None  # nothing ended yet
    book.retire(book.column("vendor") < 3)  # 12 of 20 pairs end
    assert (book.find(smb, vendor) >= 0).tolist() == (vendor >= 3).tolist()
    start, end = book.runs(np.arange(4))
    assert (end - start).tolist() == [2, 2, 2, 2]
    remap = book.compact()
    assert len(book) == 8
    kept = vendor >= 3
    assert_array_equal(remap[rows[~kept]], -1)
    assert_array_equal(remap[rows[kept]], np.arange(8))
    found = book.find(smb[kept], vendor[kept])
    assert_array_equal(found, np.arange(8))
    assert_allclose(book.trust[found], np.linspace(0.0, 0.95, 20)[kept])
    assert_array_equal(book.smb[found], smb[kept])
    again = book.ensure(np.array([0]), np.array([0]))  # a retired pair met again starts afresh
    assert again[0] == 8 and book.trust[again[0]] == 0


def test_retiring_smbs_ends_exactly_their_pairs():
    rng = np.random.default_rng(4)
    smb, vendor = rng.integers(0, 30, 200), rng.integers(0, 12, 200)

    def book_with_pairs():
        book = PairBook(places=12, forgetting=FORGETTING)
        book.ensure(smb, vendor)
        book.retire(book.column("smb") % 7 == 0)  # some pairs have ended already
        return book

    for leaving_smbs in (np.array([3, 8, 9, 21]), np.array([0, 7]), np.array([], dtype=np.int64)):
        by_runs, by_mask = book_with_pairs(), book_with_pairs()
        by_runs.retire_smbs(leaving_smbs)
        by_mask.retire(np.isin(by_mask.column("smb"), leaving_smbs))
        assert_array_equal(by_runs.column("alive"), by_mask.column("alive"))
        assert_array_equal(by_runs.find(smb, vendor), by_mask.find(smb, vendor))
        assert not (by_runs.find(smb, vendor)[np.isin(smb, leaving_smbs)] >= 0).any()
        assert_array_equal(by_runs.find(smb, vendor) >= 0, ~np.isin(smb, leaving_smbs) & (smb % 7 != 0))


def test_observations_fade_lazily_and_accumulate():
    book = PairBook(places=4, forgetting=FORGETTING)
    rows = book.ensure(np.array([0, 1]), np.array([2, 3]))
    book.observe(rows, np.array([0.8, 0.4]), 200.0, month=2)
    info, precision = book.observation(np.array([rows[0], rows[1], -1]), month=7)
    assert_allclose(info, [0.8 * 200 * 0.97**5, 0.4 * 200 * 0.97**5, 0.0], rtol=1e-12)
    assert_allclose(precision, [200 * 0.97**5, 200 * 0.97**5, 0.0], rtol=1e-12)
    # the same pair twice in one month: each measurement counts, after fading the old ones
    book.observe(np.array([rows[0], rows[0]]), np.array([0.6, 0.7]), 100.0, month=4)
    info, precision = book.observation(rows[:1], month=4)
    assert info[0] == pytest.approx(0.8 * 200 * 0.97**2 + 60 + 70, rel=1e-12)
    assert precision[0] == pytest.approx(200 * 0.97**2 + 200, rel=1e-12)


def test_trust_fades_lazily_after_the_last_delivery():
    book = PairBook(places=4, forgetting=FORGETTING)
    rows = book.ensure(np.array([0, 1]), np.array([1, 2]))
    book.trust[rows] = [0.5, 0.8]
    book.trust_month[rows] = [3, 5]
    assert_allclose(book.trust_at(rows, 3, 0.1), [0.5, 0.8])
    assert_allclose(book.trust_at(rows, 6, 0.1), [0.5 * 0.9**3, 0.8 * 0.9])
    assert_allclose(book.trust_at(rows, 1, 0.1), [0.5, 0.8])  # never decays backwards
    assert_array_equal(book.trust_at(np.array([-1]), 6, 0.1), [0.0])


# --- moral hazard ---------------------------------------------------------------------------------


@given(patience=st.floats(0.0, 0.999), months=st.integers(0, 120))
@settings(max_examples=50, deadline=None)
def test_annuity_is_the_discounted_sum(patience, months):
    assert float(annuity(patience, months)) == pytest.approx(
        sum(patience**t for t in range(1, months + 1)), rel=1e-9, abs=1e-12
    )


def test_relationship_values_are_the_hand_computed_sums():
    m, delta, left, clean, duration = 0.3, 0.95, 7, 0.9, 12
    rest, renew, new = relationship_values(m, delta, left, clean, duration, renewal_belief=RENEWAL_BELIEF)
    per_term = sum(m * delta**t for t in range(1, duration + 1))
    # a new relationship: this term, then renewals each with the belief RENEWAL_BELIEF, forever
    new_by_hand = sum(per_term * (RENEWAL_BELIEF * delta**duration) ** k for k in range(2000))
    assert rest == pytest.approx(sum(m * delta**t for t in range(1, left + 1)), rel=1e-12)
    assert new == pytest.approx(new_by_hand, rel=1e-12)
    assert renew == pytest.approx(delta**left * RENEWAL_BELIEF * clean * new_by_hand, rel=1e-12)


def test_power_table_is_numpys_power_bit_for_bit():
    rng = np.random.default_rng(11)
    table = PowerTable(top=24)
    base = rng.uniform(0.3, 1.0, 40)
    base[[3, 7]] = [0.0, 1.0]
    for month in range(4):
        if month == 2:  # entrants take some places: their rows are computed afresh
            base[rng.integers(0, 40, 5)] = rng.uniform(0.3, 1.0, 5)
        of = rng.integers(0, 40, 500)
        months = rng.integers(0, 25, 500)
        assert_array_equal(table(base, of, months), base[of] ** months)
    beyond = np.array([0, 30, 24])  # months outside the table: raised directly
    assert_array_equal(table(base, of[:3], beyond), base[of[:3]] ** beyond)
    empty = np.zeros(0, dtype=np.int64)
    assert table(base, empty, empty).shape == (0,)


def test_strike_stake_adds_what_a_strike_loses():
    assert strike_stake(6.0, 2.0, 8.0, True, False, 0.25) == pytest.approx(2.0 + 2.0)
    assert strike_stake(6.0, 2.0, 8.0, False, False, 0.25) == pytest.approx(2.0)
    assert strike_stake(6.0, 2.0, 8.0, True, True, 0.0) == pytest.approx(8.0)
    assert strike_stake(6.0, 2.0, 8.0, False, True, 0.5) == pytest.approx(10.0)


def test_shirking_falls_with_detection_stake_and_patience():
    kw = dict(penalty=0.75, pay_loss=0.05, strike_rise=0.3)
    detection = np.linspace(0.0, 0.9, 10)
    by_detection = shirks(0.3, detection=detection, stake=0.2, **kw)
    assert by_detection[0] and not by_detection[-1] and np.all(np.diff(by_detection.astype(int)) <= 0)
    stake = np.linspace(0.0, 5.0, 11)
    by_stake = shirks(0.3, detection=0.1, stake=stake, **kw)
    assert by_stake[0] and not by_stake[-1] and np.all(np.diff(by_stake.astype(int)) <= 0)
    patience = np.linspace(0.3, 0.99, 24)
    rest, renew, new = relationship_values(0.2, patience, 12, 0.95, 24, renewal_belief=RENEWAL_BELIEF)
    patient_stake = strike_stake(rest, renew, new, True, False, 0.1)
    assert np.all(np.diff(patient_stake) > 0)
    by_patience = shirks(0.3, detection=0.1, stake=patient_stake, **kw)
    assert by_patience[0] and not by_patience[-1] and np.all(np.diff(by_patience.astype(int)) <= 0)


def test_shirking_needs_a_saving_strictly_above_the_expected_loss():
    # the loss: 0.5 * 0.4 + 0.1 + 0.5 * 0.2 = 0.4
    kw = dict(detection=0.5, penalty=0.4, pay_loss=0.1, strike_rise=0.5, stake=0.2)
    assert not shirks(0.4, **kw) and shirks(0.4001, **kw) and not shirks(0.0, **kw)


@given(
    gain=st.floats(0.01, 1.0),
    penalty=st.floats(0.0, 1.0),
    stake=st.floats(0.0, 50.0),
    slack=st.floats(0.01, 1.0),
)
@settings(max_examples=60, deadline=None)
def test_overbilling_stops_once_detection_is_high_enough(gain, penalty, stake, slack):
    threshold = gain / (gain + penalty + stake)
    assert overbills(gain, detection=0.0, penalty=penalty, stake=stake)
    assert overbills(gain, detection=threshold * (1 - slack), penalty=penalty, stake=stake)
    assert not overbills(gain, detection=min(1.0, threshold * (1 + slack)), penalty=penalty, stake=stake)


def test_breach_probability_and_detection():
    assert breach_probability(0.5, 0.5, 0.07) == pytest.approx(0.5)
    q = np.linspace(0.3, 0.7, 9)
    chance = breach_probability(q, 0.5, 0.07)
    assert_allclose(chance, norm.cdf((0.5 - q) / 0.07), rtol=1e-12)
    assert np.all(np.diff(chance) < 0)
    assert breach_probability(0.6, 0.5, 0.0) == 0.0 and breach_probability(0.4, 0.5, 0.0) == 1.0
    assert detection_chance(0.5, DETECTION_ACCURACY) == pytest.approx(0.5 * DETECTION_ACCURACY)


def test_delivered_quality_is_its_equation_and_clipped():
    quality = delivered_quality(
        np.array([0.8, 0.8, 0.9, 0.1]),
        np.array([0.15, 0.0, 0.0, 0.0]),
        np.array([False, True, False, False]),
        0.35,
        np.array([0.01, 0.0, 0.2, -0.3]),
    )
    assert_allclose(quality, [0.8 * 0.85 + 0.01, 0.8 * 0.65, 1.0, 0.0], rtol=1e-12)


# --- hold-up --------------------------------------------------------------------------------------


def test_transition_and_switching_costs():
    assert transition_cost(1.5, 2.0, 0.3, 0.5, 0.5) == pytest.approx(1.5 * 2.0 * 0.8 * 0.5)
    assert_allclose(
        switching_cost(np.array([1.0, 1.0]), np.array([0.5, 0.5]), np.array([2.0, 0.1])), [1.5, 1.1]
    )


@given(
    specificity=st.floats(0.0, 1.0),
    share=st.floats(0.0, 1.0),
    switching=st.floats(0.0, 100.0),
    duration=st.integers(1, 240),
    factor=st.floats(0.0, 1.0),
)
@settings(max_examples=60, deadline=None)
def test_holdup_raise_is_proportional_to_specificity_and_never_above_switching(
    specificity, share, switching, duration, factor
):
    raise_ = holdup_raise(specificity, switching, share, duration)
    assert raise_ == pytest.approx(share * specificity * switching / duration)
    assert raise_ * duration <= switching * (1 + 1e-12)
    assert holdup_raise(factor * specificity, switching, share, duration) == pytest.approx(
        factor * raise_, rel=1e-12, abs=1e-15
    )
    assert holdup_raise(0.0, switching, share, duration) == 0.0


def test_haggling_cost_needs_specific_and_uncertain():
    assert haggling_cost(0.2, 0.5, 0.5, 1.0) == pytest.approx(0.05)
    assert haggling_cost(1.0, 0.0, 1.0, 3.0) == 0.0 and haggling_cost(1.0, 1.0, 0.0, 3.0) == 0.0


@pytest.mark.parametrize(
    ("horizon", "duration", "delta"),
    [(48, 24, 0.99), (36, 12, 0.95), (50, 7, 0.9), (12, 24, 0.99), (24, 24, 1.0), (1, 1, 0.5)],
)
def test_renewal_discounts_match_an_explicit_loop(horizon, duration, delta):
    # the held-up part is paid from the first renewal on, renegotiated (not stacked) at later ones
    raises = rounds = 0.0
    renewals = 0
    for t in range(1, horizon + 1):
        raises += delta**t * (renewals >= 1)
        if t % duration == 0 and t < horizon:
            renewals += 1
            rounds += delta**t
    got = renewal_discounts(horizon, duration, delta)
    assert got == pytest.approx((raises, rounds), rel=1e-12, abs=1e-15)


# --- vendor economics -----------------------------------------------------------------------------


def test_markup_follows_load_and_reputation_within_bounds():
    markup = np.full(5, 0.5)
    utilisation = np.array([1.0, 0.3, TARGET_UTILISATION, TARGET_UTILISATION, 1.0])
    gap = np.array([0.0, 0.0, 0.1, -0.1, -0.2])
    new = adjust_markup(markup, utilisation, gap, PARAMS)
    assert_allclose(new, 0.5 + MARKUP_STEP * (utilisation - TARGET_UTILISATION + gap), rtol=1e-12)
    assert new[0] > 0.5 > new[1] and new[2] > 0.5 > new[3]
    edges = adjust_markup(
        np.array([MARKUP_MAX, MARKUP_MIN, 0.0, 5.0]), np.array([1.0, 0.0, 0.8, 0.8]), 0.0, PARAMS
    )
    assert_allclose(edges, [MARKUP_MAX, MARKUP_MIN, MARKUP_MIN, MARKUP_MAX])


def test_capacity_grows_when_full_and_profitable_and_shrinks_never_below_load():
    capacity = np.array([20, 20, 20, 20, 5, 3, 1])
    load = np.array([19.0, 19.0, 10.0, 18.5, 1.0, 2.5, 0.0])
    utilisation = np.array([0.95, 0.95, 0.7, 0.3, 0.2, 0.1, 0.0])
    profit = np.array([1.0, -1.0, 1.0, -1.0, -1.0, -1.0, -1.0])
    new = adjust_capacity(capacity, load, utilisation, profit, PARAMS)
    assert new.tolist() == [22, 20, 20, 19, 4, 3, 1]
    assert new.dtype == capacity.dtype and (new >= np.ceil(load)).all() and (new >= 1).all()


def test_entry_profit_and_smoothing():
    assert entry_profit(20, 0.6, 0.8, 1.2, 0.5, NEWCOMER_SHARE) == pytest.approx(
        20 * NEWCOMER_SHARE * 0.5 * 0.2 - 1.2
    )
    assert entry_profit(20, 0.6, 0.8, 1.2, 0.0, NEWCOMER_SHARE) == pytest.approx(-1.2)
    assert entry_profit(20, 0.9, 0.8, 0.0, 1.0, NEWCOMER_SHARE) < 0  # priced below cost: never enters
    assert smooth(1.0, 0.0, 0.2) == pytest.approx(0.8) and smooth(1.0, 0.0, 0.25) == pytest.approx(0.75)


# --- population mixes -----------------------------------------------------------------------------


def test_mix_counts_use_largest_remainders():
    assert mix_counts(7, {"a": 0.1, "b": 0.3, "c": 0.6}, ("a", "b", "c")).tolist() == [1, 2, 4]
    assert mix_counts(6, {"a": 0.25, "b": 0.25, "c": 0.5}, ("a", "b", "c")).tolist() == [
        2,
        1,
        3,
    ]  # tie: first
    assert mix_counts(6, {"c": 0.5, "b": 0.25, "a": 0.25}, ("a", "b", "c")).tolist() == [2, 1, 3]
    assert mix_counts(5, "b", ("a", "b", "c")).tolist() == [0, 5, 0]
    assert mix_counts(0, {"a": 0.5, "b": 0.5}, ("a", "b")).tolist() == [0, 0]


@given(
    weights=st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3).filter(lambda w: sum(w) > 0.01),
    n=st.integers(0, 500),
)
@settings(max_examples=80, deadline=None)
def test_mix_counts_are_exact_proportions(weights, n):
    shares = np.array(weights) / sum(weights)
    counts = mix_counts(n, dict(zip("xyz", shares.tolist(), strict=True)), ("x", "y", "z"))
    assert counts.sum() == n
    assert (np.abs(counts - shares * n) < 1).all()
    assert counts[shares == 0].sum() == 0


def test_allocate_mix_same_seed_same_result():
    mix = {"a": 0.25, "b": 0.75}
    one = allocate_mix(np.random.default_rng(5), 40, mix, ("a", "b"))
    two = allocate_mix(np.random.default_rng(5), 40, mix, ("a", "b"))
    other = allocate_mix(np.random.default_rng(6), 40, mix, ("a", "b"))
    assert_array_equal(one, two)
    assert np.bincount(one).tolist() == [10, 30] and np.bincount(other).tolist() == [10, 30]
    assert not np.array_equal(one, other)
    assert_array_equal(allocate_mix(np.random.default_rng(5), 4, "b", ("a", "b")), [1, 1, 1, 1])


# --- selection ------------------------------------------------------------------------------------


def test_shortlist_puts_referrals_first_and_samples_offering_vendors():
    functions = np.array([0, 1, 2, 0])
    referred = np.array([[7, -1], [-1, -1], [3, 4], [9, 9]])
    offering = [np.array([1, 2]), np.array([5]), np.array([], dtype=np.int64)]
    short = draw_shortlist(functions, referred, offering, 6, np.random.default_rng(1))
    assert short.shape == (4, 8)
    assert_array_equal(short[:, :2], referred)
    assert set(short[[0, 3], 2:].ravel().tolist()) == {1, 2}
    assert_array_equal(short[1, 2:], 5)
    assert_array_equal(short[2, 2:], -1)  # nobody offers the function
    again = draw_shortlist(functions, referred, offering, 6, np.random.default_rng(1))
    assert_array_equal(short, again)


def test_ranking_drops_duplicates_and_unusable_and_orders_by_value():
    vendors = np.array([[3, 5, 3, -1, 8, 2], [4, 4, 4, 4, 4, 4]])
    usable = np.array([[True, True, True, True, False, True], [True, True, True, True, True, True]])
    value = np.array([[0.2, 0.9, 0.95, 5.0, 9.0, 0.5], [1.0, 0.1, 0.2, 0.3, 0.4, 0.5]])
    ranked = rank_candidates(vendors, usable, value)
    # row 0: a duplicate counts once (its first appearance), -1 and the unusable vendor 8 go
    assert ranked.tolist() == [[5, 2, 3, -1, -1, -1], [4, -1, -1, -1, -1, -1]]


def test_quality_signal_is_its_equation():
    signal = quality_signal(
        np.array([0.4, 0.4, 0.8]),
        np.array([True, True, False]),
        np.array([0.5, 0.5, -1.0]),
        lemon_overstatement=0.3,
        due_diligence=np.array([0.0, 1.0, 0.5]),
        signal_noise=0.2,
    )
    assert_allclose(signal, [0.4 + 0.3 + 0.1, 0.4, 0.8 + 0.5 * (-0.2)], rtol=1e-12)


# --- shocks, capabilities, innovation -------------------------------------------------------------


def test_failure_hazard_breaches_and_cover():
    stability = np.array([0.1, 0.5, 0.9])
    assert_allclose(
        failure_hazard(0.01, stability, scale=2.0, distress_increase=1.0), 2 * 0.01 * (1 - stability)
    )
    assert_allclose(
        failure_hazard(0.01, stability, True, scale=2.0, distress_increase=1.0), 4 * 0.01 * (1 - stability)
    )
    assert failure_hazard(0.9, 0.0, True, scale=2.0, distress_increase=1.0) == 1.0
    assert breach_chance(0.02, 0.75) == pytest.approx(0.005)
    assert breach_damage(4.0, 0.25, 0.5, 2.0) == pytest.approx(1.0)
    assert ip_leak_chance(0.3) == 0.3
    share = np.array([0.0, 0.2, 0.5, 0.9, 1.0])
    assert_allclose(covered_share(share, SURGE_CAPACITY), np.minimum(1.0, share * (1 + SURGE_CAPACITY)))


def test_capability_erodes_outsourced_grows_in_house_and_stays_in_bounds():
    capability = np.array([0.0, 0.5, 1.0, 0.0, 0.5, 1.0])
    outsourced = np.array([True, True, True, False, False, False])
    new = develop_capability(capability, outsourced, 0.1, 0.2)
    assert_allclose(new, [0.0, 0.45, 0.9, 0.2, 0.6, 1.0])
    assert ((new >= 0) & (new <= 1)).all()
    assert core_focus_growth(0.5, 0.01) == pytest.approx(1.005)


def test_innovation_odds():
    assert collaborative_innovation_odds(0.1, 0.5, 0.8, 0.5, 0.5) == pytest.approx(0.01)
    assert collaborative_innovation_odds(0.1, 0.0, 0.8, 0.5, 1.0) == 0.0  # no trust, no joint innovation
    assert inhouse_innovation_odds(0.1, 0.8, INHOUSE_INNOVATION_FACTOR) == pytest.approx(
        0.1 * INHOUSE_INNOVATION_FACTOR * 0.8
    )


# --- networks and relational capital -------------------------------------------------------------


def test_peer_graph_same_seed_same_edges():
    one = peer_graph(30, 4, 0.3, np.random.default_rng(3))
    two = peer_graph(30, 4, 0.3, np.random.default_rng(3))
    other = peer_graph(30, 4, 0.3, np.random.default_rng(4))
    assert sorted(one.edges) == sorted(two.edges)
    assert sorted(one.edges) != sorted(other.edges)
    assert one.number_of_edges() == 60


def test_peer_graph_degree_rounding():
    assert peer_graph(20, 5, 0.0, np.random.default_rng(0)).number_of_edges() == 40  # 5 -> 4
    assert peer_graph(3, 4, 0.0, np.random.default_rng(0)).number_of_edges() == 3  # capped at n - 1 = 2
    assert peer_graph(10, 1, 0.0, np.random.default_rng(0)).number_of_edges() == 0
    assert peer_graph(1, 4, 0.0, np.random.default_rng(0)).number_of_nodes() == 1


def test_random_peers_are_neighbours():
    graph = nx.Graph([(0, 1), (0, 2), (3, 4)])
    graph.add_node(5)
    peers = PeerNetwork(graph).random_peers(np.array([0, 3, 5, 1]), 50, np.random.default_rng(2))
    assert set(peers[0].tolist()) == {1, 2}
    assert set(peers[1].tolist()) == {4} and set(peers[3].tolist()) == {0}
    assert_array_equal(peers[2], -1)


@given(
    trust=st.floats(0.0, 1.0),
    good=st.integers(0, 50),
    bad=st.integers(0, 50),
    gain=st.floats(0.0, 1.0),
    loss=st.floats(0.0, 1.0),
)
@settings(max_examples=80, deadline=None)
def test_trust_stays_in_bounds(trust, good, bad, gain, loss):
    new = update_trust(trust, good, bad, gain, loss)
    assert 0.0 <= new <= 1.0
    if bad == 0:
        assert new >= trust - 1e-12
    if good == 0:
        assert new <= trust + 1e-12


def test_trust_is_built_slowly_and_lost_fast():
    gain, loss = PARAMS["trust_gain"], PARAMS["trust_loss"]
    trust = np.linspace(0.1, 0.9, 9)
    up = update_trust(trust, 1, 0, gain, loss) - trust
    down = trust - update_trust(trust, 0, 1, gain, loss)
    assert_allclose(up, gain * (1 - trust), rtol=1e-12)
    assert_allclose(down, loss * trust, rtol=1e-12)
    assert (down[trust > gain / (gain + loss)] > up[trust > gain / (gain + loss)]).all()
    # at the default rates, one failure from trust 0.5 takes six good deliveries to undo
    after = update_trust(0.5, 0, 1, gain, loss)
    recovered = [update_trust(after, n, 0, gain, loss) for n in range(8)]
    assert [r >= 0.5 for r in recovered].index(True) == 6
    assert update_trust(0.5, 2, 1, 0.1, 0.3) == pytest.approx((1 - 0.5 * 0.81) * 0.7)
    assert_allclose(governance_relief(np.array([0.0, 0.5, 1.0]), 0.5), [1.0, 0.75, 0.5])


# --- SMB economics --------------------------------------------------------------------------------


def test_performance_is_its_equation():
    weights = np.array([[0.25, 0.75], [0.5, 0.5]])
    quality = np.array([[1.0, 0.6], [0.2, 0.4]])
    got = performance(np.array([1.2, 0.8]), weights, quality, FUNCTION_WEIGHT)
    expected = np.array(
        [
            1.2 * (1 - FUNCTION_WEIGHT + FUNCTION_WEIGHT * 0.7),
            0.8 * (1 - FUNCTION_WEIGHT + FUNCTION_WEIGHT * 0.3),
        ]
    )
    assert_allclose(got, expected, rtol=1e-12)
    assert_allclose(function_weights(np.array([[1.0, 3.0], [0.0, 0.0]])), [[0.25, 0.75], [0.0, 0.0]])


def test_relative_revenue_averages_to_the_base_revenue():
    rng = np.random.default_rng(31)
    offered = rng.uniform(0.3, 1.5, 200)
    revenue = monthly_revenue(12.0, offered, offered.mean())
    assert revenue.mean() == pytest.approx(12.0, rel=1e-12)
    assert_array_equal(np.argsort(revenue), np.argsort(offered))
    # an improvement every rival shares brings nobody more revenue
    assert_allclose(monthly_revenue(12.0, 1.1 * offered, 1.1 * offered.mean()), revenue, rtol=1e-12)


def test_lost_output_and_core_cost():
    weights, missing = np.array([[0.5, 0.5]]), np.array([[1.0, 0.5]])
    lost = lost_output_value(10.0, np.array([1.2]), weights, missing, 0.6, 0.9, FUNCTION_WEIGHT)
    assert lost[0] == pytest.approx(10.0 * 1.2 * FUNCTION_WEIGHT * 0.75 * 0.6 / 0.9, rel=1e-12)
    assert core_cost(10.0, 1.2, 0.3) == pytest.approx(3.6)


# --- contracts and vendors -------------------------------------------------------------------------


def test_monthly_bill_by_contract_type():
    kinds = np.array(
        [
            CONTRACT_KINDS.index(k)
            for k in (
                "fixed_price",
                "performance_based",
                "performance_based",
                "performance_based",
                "time_and_materials",
                "time_and_materials",
            )
        ]
    )
    measured = np.array([0.1, 0.9, 0.45, 0.1, 0.9, 0.9])
    shock = np.array([3.0, 3.0, 0.0, 0.0, 1.0, -5.0])
    bill = monthly_bill(2.0, term_arrays(kinds), 0.5, measured, 0.5, shock, BILL_FLOOR)
    assert_allclose(bill, 2.0 * np.array([1.0, 1.4, 0.9, 0.6, 1.2, BILL_FLOOR]), rtol=1e-12)
    assert_allclose(
        expected_bill_factor(term_arrays(kinds), measured, 0.5, BILL_FLOOR), [1.0, 1.4, 0.9, 0.6, 1.0, 1.0]
    )


def test_contract_book_signs_terminates_and_measures_endings():
    book = ContractBook(capacity=2)
    index = book.sign(
        smb=np.array([0, 1, 2]),
        function=np.array([0, 1, 2]),
        vendor=np.array([4, 4, 5]),
        pair=np.array([0, 1, 2]),
        kind=np.array([0, 1, 2]),
        share=np.ones(3),
        fee=np.array([1.0, 2.0, 3.0]),
        start=np.array([1, 2, 10]),
        end=np.array([25, 26, 34]),
        referred=np.array([False, True, False]),
    )
    assert index.tolist() == [0, 1, 2] and book.active_index().tolist() == [0, 1, 2]
    assert book.strikes[:3].tolist() == [0, 0, 0] and book.holdup[:3].tolist() == [0, 0, 0]
    book.terminate(np.array([1]), 12, "poor_performance")
    book.terminate(np.array([1, 2]), 40, "vendor_exit")  # an ended contract does not end twice
    assert book.active_index().tolist() == [0]
    endings = book.endings()
    assert endings["start"].tolist() == [2, 10] and endings["ended"].tolist() == [12, 40]
    assert endings["reason"].tolist() == [1, 2]
    assert book.ended_within(24, 0, 5) == pytest.approx(0.5)  # of the two begun in 0..5, one ended by 24
    assert book.ended_within(24, 6, 20) == 0.0 and np.isnan(book.ended_within(24, 50, 60))
    book.compact()
    assert len(book) == 1 and book.fee[0] == 1.0 and book.active_index().tolist() == [0]


def test_variable_cost_and_vendor_draws():
    params = {**PARAMS, "vendor_cost_ratio": 0.6, "inhouse_cost": 1.0}
    assert variable_cost(0.78, 2, params) == pytest.approx(0.6 * LOCATION_COST[2] * (0.5 + 0.65 * 0.78))
    params = {**PARAMS, "lemon_share": 0.5}
    pool = draw_vendors(np.random.default_rng(8), 400, params, month=3)
    again = draw_vendors(np.random.default_rng(8), 400, params, month=3)
    assert_array_equal(pool.true_quality, again.true_quality)
    lemon = pool.is_lemon
    assert 120 < lemon.sum() < 280
    assert pool.true_quality[lemon].mean() < pool.true_quality[~lemon].mean()
    assert_allclose(pool.claimed_quality, np.clip(pool.true_quality + 0.3 * lemon, 0, 1))
    assert (pool.price_base[lemon] > pool.unit_cost[lemon]).all()
    assert_allclose(pool.price_base[~lemon], pool.unit_cost[~lemon])  # good vendors price what they are
    assert (pool.patience <= MAX_PATIENCE).all() and (pool.capacity >= 1).all()
    assert pool.offers.any(axis=1).all() and (pool.entered == 3).all()
    roomy = with_room(pool, 500)
    assert len(roomy.alive) == 500 and roomy.alive.sum() == 400 and roomy.offers.shape == (500, 6)


def test_beta_draws_and_function_profiles():
    rng = np.random.default_rng(9)
    assert_array_equal(beta_around(rng, 0.0, 3, 8.0), [0.0, 0.0, 0.0])
    assert_array_equal(beta_around(rng, 1.0, 3, 8.0), [1.0, 1.0, 1.0])
    profiles = draw_function_profiles(np.random.default_rng(9), 50, PARAMS)
    assert profiles.capability.shape == (50, len(BUSINESS_FUNCTIONS))
    for name in ("capability", "importance", "specificity", "uncertainty", "frequency"):
        values = getattr(profiles, name)
        assert ((values >= 0) & (values <= 1)).all(), name
    assert (profiles.inhouse_cost > 0).all()


def test_function_shares_and_counts_are_numpys_bit_for_bit():
    from ecosystem.reporters import _column_counts

    rng = np.random.default_rng(5)
    for rows, chance in ((1, 0.5), (7, 0.0), (2000, 0.3), (333, 1.0)):
        flags = rng.random((rows, len(BUSINESS_FUNCTIONS))) < chance
        assert function_share(flags).tobytes() == flags.mean(axis=1).tobytes()
        assert _column_counts(flags) == np.count_nonzero(flags, axis=0).tolist()
