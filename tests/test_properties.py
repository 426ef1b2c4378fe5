"""Property-based tests: invariants that hold for every valid parameter set, month by month.

Parameter sets are drawn from the schema itself (each parameter's range or choices in
``ecosystem.parameters.PARAMETERS``), so a parameter added later is covered without edits here.
Only the scale is kept small (at most 40 SMBs and 15 vendors), runs are a few months long, and
the review interval is at most the run length, so that every SMB takes its make-or-buy
decisions at least once within the run (otherwise most examples would never sign a contract).
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecosystem import EcosystemModel
from ecosystem.mechanisms.functions import BUSINESS_FUNCTIONS
from ecosystem.model import SLOTS
from ecosystem.parameters import PARAMETERS

STEPS = 10
#: Scale kept small so that each example runs in milliseconds; reviews due within the run.
SMALL = {"n_smbs": (1, 40), "n_vendors": (1, 15), "review_interval": (1, STEPS)}

#: Reporters that are shares or qualities in [0, 1]; NaN where they average over nothing.
UNIT_REPORTERS = (
    "shirking_rate",
    "mean_delivered_quality",
    "mean_contracted_vendor_quality",
    "mean_relational_capital",
    "mean_inhouse_capability",
    "vendor_hhi",
)


def _value(p):
    """Any allowed value of ``p``, or its default (so that examples mix extremes with the usual
    market in which SMBs do buy: with every parameter at a random extreme, most never sign)."""
    if p.name in SMALL:
        return st.integers(*SMALL[p.name])
    if p.choices is not None:
        return st.sampled_from(p.choices)
    if p.kind is bool:
        return st.booleans()
    if p.kind is int:
        anything = st.integers(int(p.low), int(p.high))
    else:
        anything = st.floats(p.low, p.high, allow_nan=False, allow_infinity=False)
    return st.one_of(st.just(p.default), anything)


@st.composite
def parameter_sets(draw):
    values = {p.name: draw(_value(p)) for p in PARAMETERS if p.name != "nearshore_share"}
    # nearshore within what offshore leaves, so that the two location shares sum to at most 1
    room = 1.0 - values["offshore_share"]
    values["nearshore_share"] = draw(st.sampled_from([min(0.3, room)]) | st.floats(0.0, room))
    return values


def check_invariants(model: EcosystemModel) -> None:
    """Everything that must hold at every month end, whatever the parameters."""
    c, vp = model.contracts, model.vendors
    act = c.active_index()

    # contracts only bind parties still in the market, and only outsourced functions
    assert vp.alive[c.vendor[act]].all()
    assert model.smb_active[c.smb[act]].all()
    assert model.outsourced[c.smb[act], c.function[act]].all()

    # no row holds more contracts than the sourcing policy has slots, nor one vendor twice
    per_row = np.zeros(model.outsourced.shape, dtype=np.int64)
    np.add.at(per_row, (c.smb[act], c.function[act]), 1)
    assert per_row.max(initial=0) <= SLOTS[model.params["sourcing_policy"]]
    keys = (c.smb[act] * len(BUSINESS_FUNCTIONS) + c.function[act]) * len(vp.alive) + c.vendor[act]
    assert len(np.unique(keys)) == len(act)
    # nor any vendor more contracts than its capacity
    assert (np.bincount(c.vendor[act], minlength=len(vp.alive)) <= vp.capacity).all()

    # every payment is booked on both sides of the ledger
    paid, received = model.paid_by_smb.sum(), model.received_by_vendor.sum()
    scale = np.abs(model.paid_by_smb).sum()
    assert math.isclose(paid, received, rel_tol=1e-9, abs_tol=1e-12 * scale)

    # shares, trust and capability stay in [0, 1]
    assert ((model.ties.trust >= 0) & (model.ties.trust <= 1)).all()
    capability = model.functions.capability
    assert ((capability >= 0) & (capability <= 1)).all()
    assert ((model.row_delivered_share >= 0) & (model.row_delivered_share <= 1 + 1e-12)).all()
    # the exited hold nothing
    assert not model.outsourced[~model.smb_active].any()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=parameter_sets(), seed=st.integers(0, 2**32 - 1))
def test_invariants_hold_for_any_valid_parameters(params, seed):
    model = EcosystemModel(rng=seed, **params)
    for _ in range(STEPS):
        model.step()
        check_invariants(model)

    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == STEPS
    assert frame["smb_survival_rate"].between(0, 1).all()
    # the outsourcing share is a share of the active SMBs' functions: NaN exactly when none is left
    nobody = frame["smb_survival_rate"] == 0
    assert frame.loc[~nobody, "outsourcing_share"].between(0, 1).all()
    assert frame.loc[nobody, "outsourcing_share"].isna().all()
    assert frame["smb_survival_rate"].is_monotonic_decreasing  # no SMB comes back
    for name in UNIT_REPORTERS:
        values = frame[name].dropna()
        assert values.between(0, 1).all(), name
    contracts = frame["active_contracts"]
    assert (contracts >= 0).all()
    assert (contracts <= params["n_smbs"] * len(BUSINESS_FUNCTIONS) * SLOTS[params["sourcing_policy"]]).all()
    # NaN only where there is nothing to average: no contract in force, no delivery
    no_contracts = contracts == 0
    assert frame.loc[no_contracts, "mean_contracted_vendor_quality"].isna().all()
    assert frame.loc[~no_contracts, "mean_contracted_vendor_quality"].notna().all()
    for name in ("innovations", "breaches", "disruption_loss", "total_outsourcing_cost"):
        assert (frame[name] >= 0).all(), name
    np.testing.assert_array_equal(frame["cumulative_innovations"], frame["innovations"].cumsum())


@settings(max_examples=15, deadline=None)
@given(params=parameter_sets(), seed=st.integers(0, 2**32 - 1))
def test_any_valid_parameter_set_is_reproducible(params, seed):
    frames = []
    for _ in range(2):
        model = EcosystemModel(rng=seed, **params)
        for _ in range(4):
            model.step()
        frames.append(model.datacollector.get_model_vars_dataframe())
    assert frames[0].equals(frames[1])
