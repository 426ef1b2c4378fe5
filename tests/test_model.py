"""Model-level tests: reproducibility, the relationship network, agents, reporters, batch runs."""

from __future__ import annotations

import mesa
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from helpers import run_model

from ecosystem import EcosystemModel
from ecosystem.agents import SMB, Vendor
from ecosystem.mechanisms.functions import BUSINESS_FUNCTIONS
from ecosystem.reporters import MODEL_REPORTERS

REPORTERS = (
    "outsourcing_share",
    "mean_vendor_profit",
    "vendor_exits",
    "vendor_entries",
    "smb_exits",
    "mean_smb_margin",
    "renewal_fee_change",
    "holdup_transfer",
    "lemon_share_new_contracts",
    "rehired_fired_vendor",
    "contracts_ended_early",
    "overbilling",
    "active_contracts",
    "shirking_rate",
    "mean_delivered_quality",
    "mean_contracted_vendor_quality",
    "mean_relational_capital",
    "innovations",
    "cumulative_innovations",
    "mean_inhouse_capability",
    "disruption_loss",
    "breaches",
    "total_outsourcing_cost",
    "mean_smb_profit",
    "smb_survival_rate",
    "vendor_hhi",
)

#: Busy enough that every mechanism fires within 30 months: failures, breaches, SMB and vendor exits
#: and entries, renewals, overbilling.
BUSY = dict(  # churn everywhere: exits, failures, entries; every SMB of median size
    smb_size_spread=0.0,
    vendor_management_cost=0.0,
    n_smbs=80,
    n_vendors=15,
    vendor_failure_rate=0.03,
    breach_rate=0.1,
    sourcing_policy="dual",
    core_cost_share=0.5,
    initial_cash=2.0,
    contract_duration=6,
    contract_type={"time_and_materials": 0.5, "fixed_price": 0.5},
    monitoring_intensity=0.1,
    lemon_share=0.4,
)


def _edges(graph: nx.Graph):
    edges = graph.edges(data=True)
    return sorted((min(a, b), max(a, b), tuple(sorted(data.items()))) for a, b, data in edges)


# --- reproducibility ---------------------------------------------------------------------------


def test_same_seed_same_run_bit_for_bit():
    one, two = run_model(30, 42, **BUSY), run_model(30, 42, **BUSY)
    frame = one.datacollector.get_model_vars_dataframe()
    pd.testing.assert_frame_equal(frame, two.datacollector.get_model_vars_dataframe(), check_exact=True)
    assert frame["vendor_failures"].sum() > 0 and frame["breaches"].sum() > 0  # a run with events
    assert _edges(one.network) == _edges(two.network)
    assert sorted(one.network.nodes(data=True)) == sorted(two.network.nodes(data=True))
    np.testing.assert_array_equal(one.cash, two.cash)
    np.testing.assert_array_equal(one.pairs.column("trust"), two.pairs.column("trust"))
    np.testing.assert_array_equal(one.vendors.cash, two.vendors.cash)


def test_seed_may_be_a_generator():
    one = run_model(10, np.random.default_rng(5), n_smbs=40)
    two = run_model(10, np.random.default_rng(5), n_smbs=40)
    pd.testing.assert_frame_equal(
        one.datacollector.get_model_vars_dataframe(), two.datacollector.get_model_vars_dataframe()
    )


def test_different_seed_different_run():
    one, two = run_model(30, 42, **BUSY), run_model(30, 43, **BUSY)
    a, b = one.datacollector.get_model_vars_dataframe(), two.datacollector.get_model_vars_dataframe()
    assert not a.equals(b)
    assert not np.allclose(a["total_outsourcing_cost"], b["total_outsourcing_cost"])
    assert _edges(one.network) != _edges(two.network)
    assert sorted(one.peers.graph.edges) != sorted(two.peers.graph.edges)


def test_parameters_reach_the_model():
    model = EcosystemModel(rng=1, n_smbs=33, n_vendors=7, sourcing_policy="multi")
    assert model.params["n_smbs"] == 33 and (model.slots == 3).all()
    assert model.outsourced.shape == (33, len(BUSINESS_FUNCTIONS))
    assert len(model.vendors.alive) == 14 and model.vendors.alive.sum() == 7  # room for entrants
    with pytest.raises(ValueError, match="lemon_share"):
        EcosystemModel(rng=1, lemon_share=1.5)


def test_seed_keyword_points_to_rng():
    with pytest.raises(TypeError, match="rng="):
        EcosystemModel(seed=1)


def test_a_contract_mix_is_realised_in_exact_proportions():
    mix = {"fixed_price": 0.25, "time_and_materials": 0.25, "performance_based": 0.5}
    model = EcosystemModel(rng=3, n_smbs=40, n_vendors=10, contract_type=mix)
    assert np.bincount(model.contract_kind, minlength=3).tolist() == [10, 10, 20]
    other = EcosystemModel(rng=4, n_smbs=40, n_vendors=10, contract_type=mix)
    assert not np.array_equal(model.contract_kind, other.contract_kind)  # who gets which is drawn
    for _ in range(6):
        model.step()
    c = model.contracts
    act = c.active_index()
    assert np.array_equal(c.kind[act], model.contract_kind[c.smb[act]])  # contracts follow their SMB


def test_the_run_starts_from_the_smbs_own_arrangements():
    """Warm start: at month 0 the SMBs already buy what their rules choose, from vendors found by
    their own search, on contracts of staggered ages; nothing of it was paid during the run."""
    model = EcosystemModel(rng=2)
    c = model.contracts
    act = c.active_index()
    assert model.outsourced.mean() > 0.1 and len(act) > 50
    assert (c.start[act] <= 0).all() and (c.end[act] >= 1).all()
    assert len(np.unique(c.end[act])) > 12  # renewals spread over the first term
    assert model.ledger["smb_paid"].sum() == 0 and (model.cash == model.params["initial_cash"]).all()
    assert all((months <= 0).all() for months in c.signed_months)  # begun before the run


# --- the relationship network ------------------------------------------------------------------


def test_network_is_a_graph_of_smbs_vendors_peers_and_contracts():
    model = run_model(30, 3, **BUSY)
    graph = model.network
    assert isinstance(graph, nx.Graph)
    kind = nx.get_node_attributes(graph, "kind")
    smbs = {n for n, k in kind.items() if k == "smb"}
    vendors = {n for n, k in kind.items() if k == "vendor"}
    assert smbs | vendors == set(graph.nodes) and not smbs & vendors
    assert smbs == {a.unique_id for a in model.agents_by_type[SMB]}
    assert vendors == {a.unique_id for a in model.agents_by_type[Vendor]}
    assert len(smbs) == model.smb_active.sum()
    assert model.datacollector.get_model_vars_dataframe()["smb_exits"].sum() > 0  # some exited, some replaced

    edge_kinds = {data["kind"] for _, _, data in graph.edges(data=True)}
    assert edge_kinds == {"peer", "contract"}
    c = model.contracts
    act = c.active_index()
    pairs = {(int(s), int(v)) for s, v in zip(c.smb[act], c.vendor[act], strict=True)}
    contract_edges = 0
    for a, b, data in graph.edges(data=True):
        if data["kind"] == "peer":
            assert a in smbs and b in smbs
            continue
        contract_edges += 1
        assert {a, b} & smbs and {a, b} & vendors
        assert 0.0 <= data["relational_capital"] <= 1.0
        assert 0.0 < data["share"] <= len(BUSINESS_FUNCTIONS)
        assert set(data["functions"].split(",")) <= set(BUSINESS_FUNCTIONS)
        assert data["contract_type"] in BUSY["contract_type"]
    assert contract_edges == len(pairs) > 0
    trust = [d["relational_capital"] for _, _, d in graph.edges(data=True) if d["kind"] == "contract"]
    assert max(trust) > 0.2  # relationships have built trust, not just zeros


def test_network_follows_the_model_month_by_month():
    model = run_model(2, 4, n_smbs=40)
    before = model.network
    assert model.network is before  # built once a month, on first access
    model.step()
    assert model.network is not before and model.network.graph["month"] == 3


# --- agents ------------------------------------------------------------------------------------


def test_agents_by_type_match_active_smbs_and_vendors():
    model = EcosystemModel(rng=5, **BUSY)
    for _ in range(30):
        model.step()
        assert len(model.agents_by_type[SMB]) == model.smb_active.sum()
        assert len(model.agents_by_type[Vendor]) == model.vendors.alive.sum()
    frame = model.datacollector.get_model_vars_dataframe()
    assert (
        frame["smb_exits"].sum() > 0 and frame["vendor_exits"].sum() > 0 and frame["vendor_entries"].sum() > 0
    )
    assert all(model.smb_active[a.index] for a in model.agents_by_type[SMB])
    assert all(model.vendors.alive[a.place] for a in model.agents_by_type[Vendor])
    assert all(model.vendor_agents[k] is None for k in np.flatnonzero(~model.vendors.alive))
    ids = [a.unique_id for a in model.agents]
    assert len(ids) == len(set(ids))  # entrants are new agents


def test_agents_read_the_model_state(small_model):
    model = small_model
    smb = max(model.agents_by_type[SMB], key=lambda a: a.outsourced_count)
    assert smb.outsourced_count == len(smb.outsourced_functions) == model.outsourced[smb.index].sum() > 0
    assert smb.cash == model.cash[smb.index]
    assert set(smb.capability) == set(BUSINESS_FUNCTIONS)
    c = model.contracts
    act = c.active_index()
    served = {int(v) for v in c.vendor[act][c.smb[act] == smb.index]}
    assert {v.place for v in smb.vendors} == served
    clients = sum(v.client_count for v in model.agents_by_type[Vendor])
    assert clients == len(act)
    for vendor in model.agents_by_type[Vendor]:
        assert vendor.true_quality == model.vendors.true_quality[vendor.place]
        assert vendor.location in ("onshore", "nearshore", "offshore")
        assert vendor.offered_functions


# --- reporters ---------------------------------------------------------------------------------


def test_every_reporter_is_collected_each_month(small_model):
    frame = small_model.datacollector.get_model_vars_dataframe()
    assert set(REPORTERS) <= set(frame.columns) and set(REPORTERS) <= set(MODEL_REPORTERS)
    assert len(frame) == 24
    assert not frame[["outsourcing_share", "active_contracts", "smb_survival_rate"]].isna().any().any()


def test_reporters_measure_what_they_say(small_model):
    model = small_model
    frame = model.datacollector.get_model_vars_dataframe()
    last = frame.iloc[-1]
    c = model.contracts
    act = c.active_index()
    active = model.smb_active
    assert last["outsourcing_share"] == model.outsourced[active].mean()
    assert last["active_contracts"] == len(act) > 0
    assert last["smb_survival_rate"] == (active & model.cohort).mean()
    assert last["active_smbs"] == active.sum()
    earning = active & (model.revenue > 0)  # entrants of this month have no revenue yet
    margin = model.profit[earning] / model.revenue[earning]
    assert last["mean_smb_margin"] == pytest.approx(margin.mean())
    alive = model.vendors.alive
    assert last["mean_vendor_profit"] == pytest.approx(model.flows["vendor_profit"][alive].mean())
    assert last["rehired_fired_vendor"] == 0
    contracted = model.vendors.true_quality[c.vendor[act]]
    assert last["mean_contracted_vendor_quality"] == pytest.approx(contracted.mean())
    assert last["mean_inhouse_capability"] == pytest.approx(model.functions.capability[active].mean())
    assert last["cumulative_innovations"] == model.cumulative_innovations
    np.testing.assert_array_equal(frame["cumulative_innovations"], frame["innovations"].cumsum())
    assert 0 < last["vendor_hhi"] <= 1
    fees = np.bincount(c.vendor[act], weights=c.fee[act])
    assert last["vendor_hhi"] == pytest.approx(((fees / fees.sum()) ** 2).sum())
    assert (frame["total_outsourcing_cost"] > 0).all() and (frame["disruption_loss"] >= 0).all()
    assert frame["shirking_rate"].dropna().between(0, 1).all()
    assert frame["mean_relational_capital"].dropna().between(0, 1).all()
    assert frame["mean_relational_capital"].iloc[-1] > frame["mean_relational_capital"].dropna().iloc[0]
    assert (frame["holdup_transfer"] >= 0).all() and (frame["overbilling"] >= 0).all()
    assert frame["renewal_fee_change"].dropna().ge(0).all()
    assert frame["lemon_share_new_contracts"].dropna().between(0, 1).all()


def test_every_transfer_is_booked_twice():
    model = run_model(30, 8, **BUSY)
    errors = model.check_ledger()
    assert max(errors.values()) < 1e-8, errors
    frame = model.datacollector.get_model_vars_dataframe()
    assert frame["overbilling"].sum() > 0 and frame["holdup_transfer"].sum() > 0  # both channels moved money
    assert model.ledger["smb_paid"].sum() > 0 and model.ledger["vendor_costs"].sum() > 0


def test_contract_endings_are_logged_with_their_reasons():
    model = run_model(30, 9, **BUSY)
    endings = model.contracts.endings()
    reasons = set(np.unique(endings["reason"]).tolist())
    from ecosystem.mechanisms.contracts import ENDINGS

    assert {ENDINGS.index("poor_performance"), ENDINGS.index("vendor_exit")} <= reasons
    assert (endings["ended"] >= endings["start"]).all()
    frame = model.datacollector.get_model_vars_dataframe()
    early = (endings["ended"] < endings["term_end"]).sum()
    assert frame["contracts_ended_early"].sum() == early
    share = model.contracts.ended_within(24, 1, 30)
    assert 0 < share <= 1


def test_means_over_nothing_are_nan_not_zero():
    # nobody can buy: the only vendor offers nothing the SMBs would take at a fee above their cost
    model = EcosystemModel(rng=1, n_smbs=5, n_vendors=1, vendor_cost_ratio=5.0, vendor_entry_rate=0.0)
    model.step()
    last = model.datacollector.get_model_vars_dataframe().iloc[-1]
    assert last["active_contracts"] == 0
    for name in (
        "shirking_rate",
        "mean_contracted_vendor_quality",
        "mean_relational_capital",
        "vendor_hhi",
        "renewal_fee_change",
        "lemon_share_new_contracts",
    ):
        assert np.isnan(last[name]), name


def test_agent_data_only_when_asked():
    quiet = run_model(3, 1, n_smbs=20, n_vendors=6)
    assert not quiet.datacollector.agenttype_reporters
    with pytest.warns(UserWarning, match="No agent-type reporters"):
        assert quiet.datacollector.get_agenttype_vars_dataframe(SMB).empty

    verbose = run_model(3, 1, n_smbs=20, n_vendors=6, collect_agent_data=True)
    smbs = verbose.datacollector.get_agenttype_vars_dataframe(SMB)
    vendors = verbose.datacollector.get_agenttype_vars_dataframe(Vendor)
    assert {"cash", "core_performance", "outsourced_functions", "mean_capability"} <= set(smbs.columns)
    assert {"true_quality", "clients", "income", "profit", "price", "capacity"} <= set(vendors.columns)
    assert len(smbs) == 3 * 20
    assert smbs.xs(3, level="Step")["cash"].tolist() == verbose.cash.tolist()
    # collecting agent data must not change the run
    pd.testing.assert_frame_equal(
        quiet.datacollector.get_model_vars_dataframe(), verbose.datacollector.get_model_vars_dataframe()
    )


# --- batch runs --------------------------------------------------------------------------------


def test_mesa_batch_run():
    results = mesa.batch_run(
        EcosystemModel,
        parameters={"n_smbs": 30, "n_vendors": 8, "sourcing_policy": ["single", "dual"]},
        rng=[1, 2],
        max_steps=5,
        number_processes=1,
        display_progress=False,
    )
    frame = pd.DataFrame(results)
    assert len(frame) == 4
    assert sorted(zip(frame["sourcing_policy"], frame["rng"], strict=True)) == [
        ("dual", 1),
        ("dual", 2),
        ("single", 1),
        ("single", 2),
    ]
    assert (frame["Step"] == 5).all() and set(REPORTERS) <= set(frame.columns)
    # a batch run is the same run as a direct one with that seed
    row = frame[(frame["sourcing_policy"] == "single") & (frame["rng"] == 2)].iloc[0]
    direct = run_model(5, 2, n_smbs=30, n_vendors=8, sourcing_policy="single")
    expected = direct.datacollector.get_model_vars_dataframe().iloc[-1]
    for name in REPORTERS:
        assert row[name] == expected[name] or (np.isnan(row[name]) and np.isnan(expected[name])), name


def test_holdup_is_renegotiated_at_each_renewal_not_stacked():
    """The held-up part of a renewed contract's fee is set anew from today's switching cost: a
    held-up part inflated before renewal (as stacking would carry it) leaves no trace on it."""
    params = dict(
        n_smbs=60,
        n_vendors=18,
        holdup_share=1.0,
        asset_specificity=0.9,
        contract_duration=6,
        vendor_management_cost=0.0,
    )
    inflate_at, extra = 13, 5.0
    after = {}
    for name, inflate in (("plain", False), ("inflated", True)):
        model = EcosystemModel(rng=11, **params)
        original = model.renew_or_end_expiring_contracts

        def renew(model=model, original=original, name=name, inflate=inflate):
            c = model.contracts
            act = c.active_index()
            expiring = act[c.end[act] == model.month]
            if model.month == inflate_at and inflate:
                c.fee[expiring] += extra
                c.holdup[expiring] += extra
            original()
            if model.month == inflate_at:
                renewed = expiring[c.active[expiring]]
                after[name] = (renewed, c.fee[renewed].copy(), c.holdup[renewed].copy())

        model.renew_or_end_expiring_contracts = renew
        for _ in range(inflate_at):
            model.step()
    renewed, fee, holdup = after["plain"]
    assert len(renewed) > 0 and (holdup > 0).all()
    assert np.array_equal(after["inflated"][0], renewed)
    np.testing.assert_allclose(after["inflated"][2], holdup, rtol=1e-12)
    np.testing.assert_allclose(after["inflated"][1], fee, rtol=1e-12)


def test_entrants_start_their_accounts_at_zero():
    """An SMB or vendor entering a place vacated this month does not report its predecessor's
    profit: its profit (and an SMB's revenue) for the month of entry is 0."""
    model = EcosystemModel(
        rng=4, n_smbs=60, n_vendors=18, initial_cash=0.2, smb_entry_rate=1.0, vendor_failure_rate=0.05
    )
    smb_entrants = vendor_entrants = 0
    for _ in range(24):
        smbs_before, vendors_before = list(model.smb_agents), list(model.vendor_agents)
        model.step()
        # places taken by a new agent this month (a place may be vacated and refilled in one month)
        new_smb = np.array([i for i, a in enumerate(model.smb_agents) if a is not smbs_before[i]], int)
        vendors = model.vendor_agents
        new_vendor = np.array([k for k, a in enumerate(vendors) if a and a is not vendors_before[k]], int)
        assert (model.profit[new_smb] == 0).all() and (model.revenue[new_smb] == 0).all()
        assert (model.flows["vendor_profit"][new_vendor] == 0).all()
        smb_entrants += len(new_smb)
        vendor_entrants += len(new_vendor)
    assert smb_entrants > 0 and vendor_entrants > 0


def test_size_threshold_is_numpys_quantile_bit_for_bit():
    from ecosystem.reporters import _quantile

    rng = np.random.default_rng(3)
    samples = [rng.lognormal(0.0, 0.8, n) for n in (1, 2, 3, 7, 20, 2001)]
    samples += [np.repeat(rng.random(5), 4), np.ones(9), rng.integers(0, 4, 50).astype(float)]
    for values in samples:
        for q in (0.0, 0.1, 0.5, 0.85, 0.999, 1.0):
            before = values.copy()
            assert _quantile(values, q) == float(np.quantile(values, q)), (len(values), q)
            np.testing.assert_array_equal(values, before)  # the sizes are left as they were
