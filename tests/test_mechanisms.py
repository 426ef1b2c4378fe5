"""Unit tests of each mechanism, called directly as the array functions they are."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecosystem.mechanisms.capabilities import core_focus_growth, develop_capability
from ecosystem.mechanisms.contracts import CONTRACT_TERMS, ContractBook, monthly_bill
from ecosystem.mechanisms.decision_rules import (
    DECISION_RULES,
    ReviewInputs,
    buy_cost,
    cost_rule,
    decide,
    hybrid_rule,
    make_cost,
    rbv_rule,
    tce_rule,
    transaction_cost_rate,
)
from ecosystem.mechanisms.economics import function_weights, monthly_revenue
from ecosystem.mechanisms.functions import BUSINESS_FUNCTIONS, draw_function_profiles
from ecosystem.mechanisms.innovation import collaborative_innovation_odds, inhouse_innovation_odds
from ecosystem.mechanisms.moral_hazard import delivered_quality, detection_chance, shirks
from ecosystem.mechanisms.network import PeerNetwork, peer_graph
from ecosystem.mechanisms.relational_capital import TieBook, decay_trust, update_trust
from ecosystem.mechanisms.selection import Shortlist, draw_shortlist, quality_signal, rank_candidates
from ecosystem.mechanisms.shocks import breach_chance, covered_share, failure_hazard
from ecosystem.mechanisms.vendors import draw_vendors
from ecosystem.parameters import defaults

PARAMS = defaults()
COSTS = dict(
    transaction_cost_rate_base=PARAMS["transaction_cost_rate"],
    governance_cost_rate=PARAMS["governance_cost_rate"],
)
RBV = dict(rbv_margin=PARAMS["rbv_margin"], core_threshold=PARAMS["core_threshold"])


def review(n=1, **overrides) -> ReviewInputs:
    """Review inputs for ``n`` rows: a middling function unless overridden (scalars broadcast)."""
    values = dict(
        inhouse_cost=1.0,
        capability=0.5,
        importance=0.3,
        specificity=0.3,
        uncertainty=0.3,
        frequency=0.5,
        price=0.7,
        vendor_quality=0.7,
        relational_capital=0.0,
        monitoring_rate=0.03,
    )
    values.update(overrides)
    arrays = {k: np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy() for k, v in values.items()}
    return ReviewInputs(**arrays)


def random_review(rng, n) -> ReviewInputs:
    """``n`` random review rows spanning all attributes."""
    u = lambda: rng.random(n)  # noqa: E731
    return ReviewInputs(
        inhouse_cost=rng.lognormal(0, 0.25, n),
        capability=u(),
        importance=u(),
        specificity=u(),
        uncertainty=u(),
        frequency=u(),
        price=rng.uniform(0.3, 1.3, n),
        vendor_quality=u(),
        relational_capital=u(),
        monitoring_rate=0.1 * u(),
    )


# --- decision rules ----------------------------------------------------------------------------


def test_transaction_costs_rise_with_specificity_and_uncertainty_and_fall_with_trust():
    grid = np.linspace(0, 1, 11)
    by_specificity = transaction_cost_rate(grid, 0.3, 0.5, 0.0, 0.15)
    by_uncertainty = transaction_cost_rate(0.3, grid, 0.5, 0.0, 0.15)
    by_trust = transaction_cost_rate(0.3, 0.3, 0.5, grid, 0.15)
    assert np.all(np.diff(by_specificity) > 0)
    assert np.all(np.diff(by_uncertainty) > 0)
    assert np.all(np.diff(by_trust) < 0)
    assert by_trust[-1] == pytest.approx(0.5 * by_trust[0])  # full trust halves them


def test_making_gets_cheaper_with_frequency():
    assert np.all(np.diff(make_cost(1.0, np.linspace(0, 1, 11), 0.1)) < 0)


def test_tce_buy_falls_with_specificity():
    """Same function, rising specificity: the rule buys up to a threshold and makes above it."""
    specificity = np.linspace(0, 1, 101)
    buy = tce_rule(review(101, specificity=specificity), **COSTS)
    assert buy[0] and not buy[-1]
    assert np.all(np.diff(buy.astype(int)) <= 0)  # once made, always made at higher specificity
    assert np.all(np.diff(buy_cost(review(101, specificity=specificity), 0.15)) > 0)

    rng = np.random.default_rng(0)
    inputs = random_review(rng, 5000)
    low = tce_rule(ReviewInputs(**{**vars(inputs), "specificity": np.full(5000, 0.1)}), **COSTS)
    high = tce_rule(ReviewInputs(**{**vars(inputs), "specificity": np.full(5000, 0.9)}), **COSTS)
    assert low.mean() > high.mean() + 0.1  # measured 0.58 vs 0.40
    assert not np.any(high & ~low)


def test_tce_ignores_quality():
    a = tce_rule(review(2, vendor_quality=[0.0, 1.0]), **COSTS)
    assert a[0] == a[1]


def test_rbv_keeps_strategic_functions():
    """Above the core threshold nothing is bought, however good and cheap the vendor."""
    importance = np.linspace(0, 1, 101)
    buy = rbv_rule(review(101, importance=importance, vendor_quality=1.0, capability=0.0, price=0.0), **RBV)
    assert np.array_equal(buy, importance < RBV["core_threshold"])


def test_rbv_buys_only_superior_quality_and_ignores_cost():
    quality = np.array([0.55, 0.65, 0.9])  # capability 0.5, margin 0.1
    cheap = rbv_rule(review(3, vendor_quality=quality, price=0.01), **RBV)
    dear = rbv_rule(review(3, vendor_quality=quality, price=100.0), **RBV)
    assert cheap.tolist() == [False, True, True]
    assert np.array_equal(cheap, dear)


def test_cost_rule_ignores_transaction_costs():
    rng = np.random.default_rng(1)
    inputs = random_review(rng, 2000)
    buy = cost_rule(inputs)
    assert np.array_equal(buy, inputs.price < inputs.inhouse_cost)
    hostile = ReviewInputs(
        **{
            **vars(inputs),
            "specificity": np.ones(2000),
            "uncertainty": np.ones(2000),
            "relational_capital": np.zeros(2000),
            "monitoring_rate": np.ones(2000),
            "importance": np.ones(2000),
            "vendor_quality": np.zeros(2000),
        }
    )
    assert np.array_equal(cost_rule(hostile), buy)
    # where the fee is just below in-house cost, TCE sees the governance cost and makes
    tight = review(1, price=0.95, specificity=0.9, uncertainty=0.9)
    assert cost_rule(tight)[0] and not tce_rule(tight, **COSTS)[0]


def test_hybrid_is_tce_with_rbv_vetoes():
    rng = np.random.default_rng(2)
    inputs = random_review(rng, 5000)
    tce = tce_rule(inputs, **COSTS)
    hybrid = hybrid_rule(inputs, **RBV, **COSTS)
    strategic = inputs.importance >= RBV["core_threshold"]
    downgrade = inputs.vendor_quality < inputs.capability - RBV["rbv_margin"]
    assert np.array_equal(hybrid, tce & ~strategic & ~downgrade)
    assert (tce & strategic).any() and (tce & downgrade).any()  # both vetoes actually bite here
    # a cheap, good vendor for a strategic function: TCE buys, the hybrid vetoes
    strategic_row = review(1, importance=0.9, price=0.3, vendor_quality=0.9)
    assert tce_rule(strategic_row, **COSTS)[0] and not hybrid_rule(strategic_row, **RBV, **COSTS)[0]


def test_decide_dispatches_by_name_with_model_parameters():
    rng = np.random.default_rng(3)
    inputs = random_review(rng, 500)
    expected = {
        "tce": tce_rule(inputs, **COSTS),
        "rbv": rbv_rule(inputs, **RBV),
        "cost": cost_rule(inputs),
        "hybrid": hybrid_rule(inputs, **RBV, **COSTS),
    }
    assert set(DECISION_RULES) == set(expected)
    for name, buy in expected.items():
        assert np.array_equal(decide(name, inputs, PARAMS), buy)
    assert not np.array_equal(expected["cost"], expected["rbv"])


# --- selection under adverse selection -------------------------------------------------------


def test_due_diligence_removes_lemon_overstatement():
    rng = np.random.default_rng(4)
    n = 20_000
    true = rng.uniform(0.3, 0.9, n)
    lemon = rng.random(n) < 0.5
    noise = rng.standard_normal(n)
    kw = dict(lemon_overstatement=0.3, signal_noise=0.2)
    full = quality_signal(true, lemon, noise, due_diligence=1.0, **kw)
    np.testing.assert_array_equal(full, true)
    bias = []
    for d in (0.0, 0.5, 0.9):
        signal = quality_signal(true, lemon, noise, due_diligence=d, **kw)
        lemon_bias = (signal - true)[lemon].mean()
        assert lemon_bias == pytest.approx((1 - d) * 0.3, abs=0.01)
        assert abs((signal - true)[~lemon].mean()) < 0.01  # honest vendors: noise only
        assert (signal - true)[~lemon].std() == pytest.approx((1 - d) * 0.2, rel=0.05)
        bias.append(lemon_bias)
    assert bias[0] > bias[1] > bias[2]


def test_shortlist_holds_offering_vendors_and_referrals():
    """Each row: ``shortlist_size`` market draws among the vendors offering its function, plus the
    peers' referrals with the quality the peers report (column order is not part of the contract)."""
    rng = np.random.default_rng(5)
    offering = [np.array([0, 2]), np.array([1]), np.array([], dtype=np.int64)]
    functions = np.array([0, 1, 2, 0])
    peer_vendor = np.array([[7, -1], [-1, -1], [3, 4], [-1, 9]])
    peer_quality = np.where(
        peer_vendor >= 0, np.array([[0.6, 0.0], [0.0, 0.0], [0.3, 0.4], [0.0, 0.9]]), np.nan
    )
    sl = draw_shortlist(functions, peer_vendor, peer_quality, offering, 3, rng)
    assert sl.vendors.shape == sl.referred_quality.shape == (4, 5)
    for row, function in enumerate(functions):
        entries = sl.vendors[row].tolist()
        for referral in peer_vendor[row].tolist():
            entries.remove(referral)  # every referral is on the list
        assert len(entries) == 3
        offered = set(offering[function].tolist()) or {-1}  # -1: nobody offers the function
        assert set(entries) <= offered
        # referred quality sits with the referred vendors, and only there
        reported = {
            (int(v), float(q))
            for v, q in zip(sl.vendors[row], sl.referred_quality[row], strict=True)
            if not np.isnan(q)
        }
        expected = {
            (int(v), float(q)) for v, q in zip(peer_vendor[row], peer_quality[row], strict=True) if v >= 0
        }
        assert reported == expected


def test_a_referred_vendor_drawn_from_the_market_too_keeps_the_peer_report():
    rng = np.random.default_rng(6)
    sl = draw_shortlist(np.array([0]), np.array([[5]]), np.array([[0.9]]), [np.array([5])], 3, rng)
    assert sorted(sl.vendors[0].tolist()) == [5, 5, 5, 5]
    own_screening, peer_report = 0.5, 0.9
    expected = np.where(np.isnan(sl.referred_quality), own_screening, peer_report)
    ranked, quality = rank_candidates(sl, np.ones((1, 4), bool), expected, np.array([1.0]), np.zeros((1, 4)))
    assert ranked[0].tolist() == [5, -1, -1, -1]  # the duplicates count once ...
    assert quality[0, 0] == peer_report  # ... and the one kept is the referral


def test_ranking_orders_by_expected_value_and_drops_unusable_and_duplicates():
    sl = Shortlist(np.array([[4, 6, 8, 4, -1]]), np.full((1, 5), np.nan))
    usable = np.array([[True, True, False, True, True]])
    quality = np.array([[0.5, 0.9, 1.0, 0.5, 0.9]])
    fee = np.array([[0.1, 0.6, 0.0, 0.1, 0.1]])
    ranked, ranked_quality = rank_candidates(sl, usable, quality, np.array([1.0]), fee)
    # EV: vendor 4 = 0.4, vendor 6 = 0.3; 8 unusable, second 4 a duplicate, -1 empty
    assert ranked.tolist() == [[4, 6, -1, -1, -1]]
    assert ranked_quality[0, :2].tolist() == [0.5, 0.9]


# --- moral hazard ------------------------------------------------------------------------------


def _shirk_draws(n=20_000, seed=6):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.5, 1.5, n), rng.beta(2, 3, n), rng.lognormal(0, 0.5, n), rng.random(n)


def _shirks(fee, opportunism, shock, trust, *, detection, link=0.0, terms="fixed_price"):
    return shirks(
        fee,
        opportunism,
        shock,
        shirk_saving=0.3,
        detection=detection,
        penalty_rate=CONTRACT_TERMS[terms].penalty_rate,
        performance_link=link,
        quality_at_risk=0.25,
        relational_capital=trust,
    )


def test_more_detection_means_less_shirking():
    draws = _shirk_draws()
    rates, previous = [], None
    for monitoring in (0.0, 0.3, 0.6, 0.9):
        shirking = _shirks(*draws, detection=detection_chance(monitoring))
        if previous is not None:
            assert not np.any(shirking & ~previous)  # nobody starts shirking when watched more
        rates.append(shirking.mean())
        previous = shirking
    assert rates[0] == 1.0  # unwatched under a fixed price: shirking costs nothing
    assert all(a > b for a, b in zip(rates, rates[1:], strict=False))
    assert rates[-1] < 0.1


def test_performance_link_reduces_shirking():
    draws = _shirk_draws()
    detection = detection_chance(0.3)
    fixed = _shirks(*draws, detection=detection)
    linked = _shirks(*draws, detection=detection, link=CONTRACT_TERMS["performance_based"].performance_link)
    assert not np.any(linked & ~fixed)
    assert linked.mean() < 0.8 * fixed.mean()


def test_relational_capital_raises_the_stake_in_the_relationship():
    fee, opportunism, shock, _ = _shirk_draws()
    detection = detection_chance(0.3)
    stranger = _shirks(fee, opportunism, shock, 0.0, detection=detection)
    partner = _shirks(fee, opportunism, shock, 1.0, detection=detection)
    assert not np.any(partner & ~stranger) and partner.mean() < stranger.mean()


def test_detection_and_delivered_quality():
    assert detection_chance(0.0) == 0.0
    assert detection_chance(1.0) == pytest.approx(0.9)
    honest = delivered_quality(0.8, 0.15, False, 0.35, 0.0)
    shirked = delivered_quality(0.8, 0.15, True, 0.35, 0.0)
    assert honest == pytest.approx(0.68) and shirked == pytest.approx(0.68 * 0.65)
    clipped = delivered_quality(np.array([0.99, 0.01]), 0.0, False, 0.35, np.array([0.5, -0.5]))
    assert clipped.tolist() == [1.0, 0.0]


# --- contracts ---------------------------------------------------------------------------------


def test_monthly_bill_follows_the_contract_type():
    quality = np.array([0.2, 0.5, 0.9])
    fixed = monthly_bill(CONTRACT_TERMS["fixed_price"], 2.0, 0.5, quality, 0.5, np.array([-2.0, 0.0, 2.0]))
    assert fixed.tolist() == [2.0, 2.0, 2.0]
    performance = monthly_bill(CONTRACT_TERMS["performance_based"], 2.0, 0.5, quality, 0.5, 0.0)
    assert np.all(np.diff(performance) > 0) and performance[1] == pytest.approx(2.0)
    tm = monthly_bill(CONTRACT_TERMS["time_and_materials"], 2.0, 0.5, 0.5, 0.5, np.array([-1.0, 1.0]))
    assert tm[0] < 2.0 < tm[1]
    floor = monthly_bill(CONTRACT_TERMS["time_and_materials"], 2.0, 1.0, 0.5, 0.5, -100.0)
    assert floor == pytest.approx(0.6)


def _sign(book, smbs, vendor=0, start=0):
    n = len(smbs)
    return book.sign(
        smb=np.asarray(smbs),
        function=np.arange(n) % len(BUSINESS_FUNCTIONS),
        vendor=np.full(n, vendor),
        pair=np.arange(n),
        share=np.ones(n),
        fee=np.arange(n) + 1.0,
        start=np.full(n, start),
        end=np.full(n, start + 12),
        observed_quality=np.full(n, 0.7),
    )


def test_contract_book_sign_terminate_compact():
    book = ContractBook(capacity=2)
    first = _sign(book, [10, 11, 12, 13, 14])  # grows beyond its initial capacity
    assert first.tolist() == [0, 1, 2, 3, 4] and len(book) == 5
    assert book.active_index().tolist() == [0, 1, 2, 3, 4]
    book.breaches[first] = 2
    second = _sign(book, [15])
    assert second.tolist() == [5] and book.breaches[5] == 0 and book.active[5]

    book.terminate(np.array([0, 2]))
    assert book.active_index().tolist() == [1, 3, 4, 5]
    book.compact()  # 2 of 6 ended: not worth it yet
    assert len(book) == 6

    book.terminate(np.array([1, 3]))
    book.compact()  # 4 of 6 ended: dropped, survivors keep their data and order
    assert len(book) == 2
    assert book.column("smb").tolist() == [14, 15]
    assert book.column("fee").tolist() == [5.0, 1.0]
    assert book.column("breaches").tolist() == [2, 0]
    assert book.active_index().tolist() == [0, 1]

    third = _sign(book, [16])
    assert third.tolist() == [2] and book.column("smb").tolist() == [14, 15, 16]


# --- relational capital ------------------------------------------------------------------------


@given(
    trust=st.floats(0, 1),
    good=st.integers(0, 50),
    failures=st.integers(0, 50),
    gain=st.floats(0, 1),
    loss=st.floats(0, 1),
)
def test_trust_update_is_bounded(trust, good, failures, gain, loss):
    updated = float(update_trust(trust, good, failures, gain, loss))
    assert 0.0 <= updated <= 1.0
    if failures == 0:
        assert updated >= trust - 1e-12  # good news never hurts
    if good == 0:
        assert updated <= trust + 1e-12  # bad news never helps


def test_trust_is_gained_slower_than_it_is_lost():
    gain, loss = PARAMS["trust_gain"], PARAMS["trust_loss"]
    assert gain < loss
    for trust in (0.2, 0.5, 0.8):
        up = update_trust(trust, 1, 0, gain, loss) - trust
        down = trust - update_trust(trust, 0, 1, gain, loss)
        assert 0 < up < down
    # one failure undoes several months of good work
    trust = 0.5
    after = update_trust(update_trust(trust, 6, 0, gain, loss), 0, 1, gain, loss)
    assert after < trust


def test_idle_ties_decay():
    trust = np.array([0.8, 0.8, 0.0])
    decayed = decay_trust(trust, np.array([True, False, True]), 0.1)
    assert decayed.tolist() == pytest.approx([0.72, 0.8, 0.0])


def test_tie_book_creates_reuses_and_retires_ties():
    ties = TieBook()
    first = ties.ties(np.array([0, 1, 0]), np.array([5, 5, 5]))
    assert first.tolist() == [0, 1, 0]  # the repeated pair shares a tie
    assert len(ties) == 2 and ties.trust.tolist() == [0.0, 0.0] and ties.alive.all()
    ties.trust[:] = [0.6, 0.4]
    again = ties.ties(np.array([1, 2]), np.array([5, 6]))
    assert again.tolist() == [1, 2] and ties.trust.tolist() == [0.6, 0.4, 0.0]
    ties.retire(ties.smb == 0)  # SMB 0 leaves the market
    assert ties.alive.tolist() == [False, True, True]
    fresh = ties.ties(np.array([0]), np.array([5]))
    assert fresh.tolist() == [3] and ties.trust[3] == 0.0  # a returning pair starts from zero


# --- capabilities and innovation ---------------------------------------------------------------


def test_capability_erodes_when_outsourced_and_grows_in_house():
    capability = np.array([0.8, 0.8, 0.0, 1.0])
    outsourced = np.array([True, False, False, True])
    path = [capability]
    for _ in range(24):
        path.append(develop_capability(path[-1], outsourced, 0.02, 0.01))
    path = np.array(path)
    assert np.all(np.diff(path[:, 0]) < 0) and path[-1, 0] == pytest.approx(0.8 * 0.98**24)
    assert np.all(np.diff(path[:, 1]) > 0) and path[-1, 1] == pytest.approx(1 - 0.2 * 0.99**24)
    assert np.all(np.diff(path[:, 2]) > 0)  # learning from nothing
    assert path.min() >= 0.0 and path.max() <= 1.0


def test_core_focus_and_innovation_odds():
    assert core_focus_growth(0.0, 0.01) == 1.0
    assert core_focus_growth(1.0, 0.01) > core_focus_growth(0.5, 0.01) > 1.0
    base = collaborative_innovation_odds(0.1, 0.5, 0.8, 0.5, 1.0)
    for index in range(1, 5):
        args = [0.1, 0.5, 0.8, 0.5, 1.0]
        args[index] /= 2
        assert collaborative_innovation_odds(*args) == pytest.approx(base / 2)
    assert collaborative_innovation_odds(0.1, 0.0, 0.8, 0.5, 1.0) == 0.0  # no trust, no joint work
    assert inhouse_innovation_odds(0.1, 1.0) < collaborative_innovation_odds(0.1, 1.0, 1.0, 1.0, 1.0)


# --- shocks ------------------------------------------------------------------------------------


def test_failure_hazard_is_ordered_by_stability():
    stability = np.linspace(0, 1, 11)
    hazard = failure_hazard(0.01, stability)
    assert np.all(np.diff(hazard) < 0)
    assert hazard[5] == pytest.approx(0.01) and hazard[-1] == 0.0
    assert failure_hazard(0.8, 0.0) == 1.0  # a probability, capped
    # in a drawn market, the weak fail first
    rng = np.random.default_rng(7)
    pool = draw_vendors(rng, 20_000, {**PARAMS, "vendor_failure_rate": 0.05})
    failed = rng.random(20_000) < failure_hazard(0.05, pool.stability)
    assert pool.stability[failed].mean() < pool.stability[~failed].mean() - 0.03
    assert failed.mean() == pytest.approx(0.05, abs=0.005)


def test_breach_chance_falls_with_security():
    assert np.all(np.diff(breach_chance(0.02, np.linspace(0, 1, 5))) < 0)
    assert breach_chance(0.02, 1.0) == 0.0


def test_remaining_vendors_cover_part_of_a_missing_share():
    share = np.array([0.0, 1 / 3, 0.5, 2 / 3, 1.0])
    covered = covered_share(share)
    assert covered.tolist() == pytest.approx([0.0, 0.5, 0.75, 1.0, 1.0])
    assert np.all(covered >= share) and covered.max() <= 1.0
    np.testing.assert_array_equal(covered_share(share, 0.0), share)


# --- peer network ------------------------------------------------------------------------------


def test_peer_graph_same_seed_same_edges():
    one = peer_graph(200, 6, 0.2, np.random.default_rng(11))
    two = peer_graph(200, 6, 0.2, np.random.default_rng(11))
    other = peer_graph(200, 6, 0.2, np.random.default_rng(12))
    assert sorted(one.edges) == sorted(two.edges)
    assert sorted(one.edges) != sorted(other.edges)
    assert one.number_of_nodes() == 200 and one.number_of_edges() == 600


def test_peer_graph_degree_handling():
    assert peer_graph(50, 5, 0.0, np.random.default_rng(0)).number_of_edges() == 100  # 5 -> 4
    assert peer_graph(3, 8, 0.0, np.random.default_rng(0)).number_of_edges() == 3  # capped at n-1
    assert peer_graph(10, 1, 0.0, np.random.default_rng(0)).number_of_edges() == 0
    assert peer_graph(1, 4, 0.0, np.random.default_rng(0)).number_of_nodes() == 1


def test_referral_peers_are_neighbours():
    graph = peer_graph(40, 4, 0.3, np.random.default_rng(13))
    graph.add_node(40)  # an isolated SMB
    network = PeerNetwork(graph)
    smbs = np.arange(41)
    peers = network.random_peers(smbs, 5, np.random.default_rng(14))
    for smb in range(40):
        assert set(peers[smb].tolist()) <= set(graph.neighbors(smb))
    assert peers[40].tolist() == [-1] * 5
    values = np.arange(41, dtype=float)[:, None]
    means = network.peer_mean(smbs[:40], values)
    expected = [np.mean(sorted(graph.neighbors(s))) for s in range(40)]
    np.testing.assert_allclose(means[:, 0], expected)


def test_peer_mean_ignores_missing_values():
    network = PeerNetwork(nx.star_graph(3))  # 0 is the hub
    values = np.array([[np.nan], [0.2], [np.nan], [0.6]])
    assert network.peer_mean(np.array([0]), values)[0, 0] == pytest.approx(0.4)
    assert np.isnan(network.peer_mean(np.array([2]), values)[0, 0])  # its only peer knows nothing


# --- market and economics ----------------------------------------------------------------------


def test_vendor_market_draws():
    rng = np.random.default_rng(15)
    pool = draw_vendors(rng, 10_000, {**PARAMS, "lemon_share": 0.4, "offshore_share": 0.5})
    assert pool.is_lemon.mean() == pytest.approx(0.4, abs=0.02)
    assert pool.true_quality[pool.is_lemon].mean() < pool.true_quality[~pool.is_lemon].mean() - 0.2
    overstated = pool.claimed_quality - pool.true_quality
    assert np.all(overstated[~pool.is_lemon] == 0) and np.all(overstated[pool.is_lemon] >= 0)
    assert (pool.location == 2).mean() == pytest.approx(0.5, abs=0.02)
    assert pool.offers.any(axis=1).all() and np.all(pool.capacity >= 1)


def test_function_profiles_and_revenue():
    rng = np.random.default_rng(16)
    f = draw_function_profiles(rng, 500, {**PARAMS, "asset_specificity": 0.8})
    assert f.specificity.shape == (500, len(BUSINESS_FUNCTIONS))
    assert f.specificity.mean() == pytest.approx(0.8, abs=0.02)
    for values in (f.capability, f.importance, f.specificity, f.uncertainty, f.frequency):
        assert values.min() >= 0 and values.max() <= 1
    weights = function_weights(f.importance)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)
    perfect = monthly_revenue(12.0, np.ones(500), weights, np.ones_like(weights))
    nothing = monthly_revenue(12.0, np.ones(500), weights, np.zeros_like(weights))
    np.testing.assert_allclose(perfect, 12.0)
    np.testing.assert_allclose(nothing, 6.0)
