"""Firm size, fixed vendor management costs and function-specific asset specificity."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import run_model

from ecosystem.mechanisms.decision_rules import make_cost
from ecosystem.mechanisms.functions import (
    BUSINESS_FUNCTIONS,
    _specificity,
    beta_around,
    draw_function_profiles,
)
from ecosystem.model import EcosystemModel
from ecosystem.parameters import defaults


def test_each_function_has_its_own_mean_specificity_and_factors_of_one_change_nothing():
    uniform = {**defaults(), **{f"specificity_{f}": 1.0 for f in BUSINESS_FUNCTIONS}}
    shape = (20_000, len(BUSINESS_FUNCTIONS))
    concentration = uniform["function_concentration"]
    one_mean = beta_around(np.random.default_rng(4), uniform["asset_specificity"], shape, concentration)
    assert (_specificity(np.random.default_rng(4), uniform, shape) == one_mean).all()  # the draw of old
    factors = {"specificity_it": 2.0, "specificity_accounting": 0.5, "specificity_hr": 4.0}
    drawn = draw_function_profiles(np.random.default_rng(4), 20_000, {**uniform, **factors}).specificity
    means = drawn.mean(axis=0)
    expected = [
        min(uniform["asset_specificity"] * factors.get(f"specificity_{f}", 1.0), 1.0)
        for f in BUSINESS_FUNCTIONS
    ]
    assert means == pytest.approx(expected, abs=0.01)
    assert (drawn[:, BUSINESS_FUNCTIONS.index("hr")] == 1.0).all()  # 0.3 x 4 is capped at 1, without a draw
    calibrated = draw_function_profiles(np.random.default_rng(4), 20_000, defaults()).specificity.mean(axis=0)
    it, accounting = BUSINESS_FUNCTIONS.index("it"), BUSINESS_FUNCTIONS.index("accounting")
    assert calibrated[accounting] < calibrated[BUSINESS_FUNCTIONS.index("hr")] < calibrated[it]


def test_sizes_are_drawn_only_with_a_spread_and_renewed_for_entrants():
    assert (EcosystemModel(rng=1, n_smbs=50, smb_size_spread=0.0).smb_size == 1.0).all()
    model = EcosystemModel(rng=1, n_smbs=400, smb_size_spread=1.0)
    assert np.log(model.smb_size).std() == pytest.approx(1.0, abs=0.1)
    before = model.smb_size.copy()
    ids = [a.unique_id for a in model.smb_agents]
    for _ in range(40):
        model.step()
    entered = np.array([a.unique_id != i for a, i in zip(model.smb_agents, ids, strict=True)])
    assert entered.any() and (model.smb_size[~entered] == before[~entered]).all()
    assert (model.smb_size[entered] != before[entered]).all()


def test_a_delivery_costs_the_fixed_management_cost_over_the_smbs_size(monkeypatch):
    """With no monitoring and no transaction costs, what an SMB spends besides the bill on each
    delivery is exactly vendor_management_cost / size."""
    model = EcosystemModel(
        rng=3,
        n_smbs=40,
        n_vendors=12,
        smb_size_spread=0.8,
        vendor_management_cost=0.25,
        monitoring_intensity=0.0,
        transaction_cost_rate=0.0,
    )
    for _ in range(3):
        model.step()
    spent = []
    spend = model._spend
    monkeypatch.setattr(
        model,
        "_spend",
        lambda smb, amount, outsourcing=False: (spent.append((smb, amount)), spend(smb, amount, outsourcing))[
            1
        ],
    )
    model.deliver_services()
    smb, amount = spent[0]  # the governance spending of the deliveries
    assert len(smb) == len(model._delivery) > 0
    assert np.asarray(amount) == pytest.approx(0.25 / model.smb_size[smb], rel=1e-12)


def test_the_review_counts_the_management_of_every_vendor_slot(monkeypatch):
    from ecosystem.mechanisms import decision_rules

    model = EcosystemModel(
        rng=2,
        n_smbs=30,
        n_vendors=10,
        smb_size_spread=0.5,
        vendor_management_cost=0.4,
        sourcing_policy="dual",
    )
    seen = []
    decide = decision_rules.decide
    monkeypatch.setattr(
        "ecosystem.model.decide", lambda name, inputs, p: (seen.append(inputs), decide(name, inputs, p))[1]
    )
    model.assess_needs(due=np.arange(30))
    inputs = seen[0]
    smb = np.repeat(np.arange(30), len(BUSINESS_FUNCTIONS))
    assert inputs.management == pytest.approx(2 * 0.4 / model.smb_size[smb], rel=1e-12)


def test_larger_smbs_outsource_more_when_vendor_management_has_a_fixed_cost():
    """The size gradient of the surveys (65 % of small and 81 % of medium firms buy a service):
    on the default market with a fixed management cost and sizes that differ, the larger half of
    the SMBs buys more of its functions than the smaller half, in every seed; without the fixed
    cost, size makes no difference in the mean."""
    gaps, flat = [], []
    for seed in range(1, 5):
        for cost, into in ((0.3, gaps), (0.0, flat)):
            model = run_model(36, seed, smb_size_spread=1.0, vendor_management_cost=cost)
            active = model.smb_active
            large = active & (model.smb_size >= np.median(model.smb_size[active]))
            small = active & ~large
            into.append(model.outsourced[large].mean() - model.outsourced[small].mean())
    assert all(g > 0.05 for g in gaps)
    assert abs(np.mean(flat)) < 0.05 < np.mean(gaps)


def test_in_house_cost_falls_with_size_by_the_scale_elasticity_and_the_make_cost_follows():
    """Same seed, same draws: the elasticity only rescales each SMB's in-house costs by
    size ** -elasticity (an SMB four times the median at elasticity 0.5 makes at half the cost),
    the make costs are those of the rescaled costs, and entrants are rescaled too."""
    flat = EcosystemModel(rng=5, n_smbs=60, n_vendors=12, smb_size_spread=1.0)
    scaled = EcosystemModel(rng=5, n_smbs=60, n_vendors=12, smb_size_spread=1.0, inhouse_scale_elasticity=0.5)
    assert (scaled.smb_size == flat.smb_size).all()
    factor = flat.smb_size[:, None] ** -0.5
    assert (scaled.functions.inhouse_cost == flat.functions.inhouse_cost * factor).all()
    assert scaled.make_cost == pytest.approx(
        flat.make_cost * factor, rel=1e-12
    )  # linear in the in-house cost
    sized = EcosystemModel(rng=5, n_smbs=4, n_vendors=4, smb_size_spread=0.0, inhouse_scale_elasticity=0.5)
    sized.smb_size[:] = 4.0
    drawn = sized.functions.inhouse_cost.copy()
    sized._scale_inhouse_cost(np.arange(4))
    assert (sized.functions.inhouse_cost == drawn / 2).all()
    model = EcosystemModel(
        rng=6, n_smbs=80, n_vendors=16, smb_size_spread=1.0, inhouse_scale_elasticity=0.3, smb_entry_rate=1.0
    )
    ids = [a.unique_id for a in model.smb_agents]
    for _ in range(40):
        model.step()
    entered = np.array([a.unique_id != i for a, i in zip(model.smb_agents, ids, strict=True)])
    assert entered.any()
    p = model.params
    # the entrants' drawn costs are independent of their sizes, so after the rescaling their log
    # in-house costs fall with log size at slope -0.3 (slope 0 had they not been rescaled)
    log_cost = np.log(model.functions.inhouse_cost[entered]).mean(axis=1)
    slope = np.polyfit(np.log(model.smb_size[entered]), log_cost, 1)[0]
    assert slope == pytest.approx(-0.3, abs=0.1)
    expected = make_cost(
        model.functions.inhouse_cost,
        model.functions.frequency,
        p["governance_cost_rate"],
        p["make_overhead_base"],
    )
    assert (model.make_cost == expected).all()


def test_in_house_economies_of_scale_flatten_the_size_gradient_on_the_default_market():
    """On the default market, in-house economies of scale (elasticity 0.06) make the largest 15 %
    of the SMBs buy less and the smallest buy more, in every seed: the vendor's scale advantage
    matters less to a buyer with a scale of its own (the survey's medium-sized firms buy less
    often than the default market's largest SMBs do)."""
    medium_drop, small_rise = [], []
    for seed in range(1, 5):
        shares = []
        for elasticity in (0.0, 0.06):
            frame = run_model(
                48, seed, inhouse_scale_elasticity=elasticity
            ).datacollector.get_model_vars_dataframe()
            late = frame.iloc[24:]
            shares.append(
                (late["share_small_smbs_outsourcing"].mean(), late["share_medium_smbs_outsourcing"].mean())
            )
        (small0, medium0), (small1, medium1) = shares
        medium_drop.append(medium0 - medium1)
        small_rise.append(small1 - small0)
    assert all(d > 0.05 for d in medium_drop), medium_drop  # 0.11-0.24 in seeds 1-4
    assert all(r > 0 for r in small_rise), small_rise  # 0.07-0.20
