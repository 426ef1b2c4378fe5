"""Property-based tests: invariants that hold for every valid parameter set, month by month.

Parameter sets are drawn from the schema itself (each parameter's range or choices in
``ecosystem.parameters.PARAMETERS``, population mixes for the parameters the schema declares
mixable), so a parameter added later is covered without edits here. Each value is either the
default or anything allowed, so that examples mix extremes with the usual market in which SMBs do
buy. Only the scale is kept small (at most 40 SMBs, 12 vendors and 24 months) and the review
interval at most a year, so that every SMB takes its make-or-buy decisions within the run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecosystem import EcosystemModel
from ecosystem.mechanisms.beliefs import posterior, type_prior
from ecosystem.mechanisms.functions import BUSINESS_FUNCTIONS
from ecosystem.model import SLOTS
from ecosystem.parameters import ORDERED_PAIRS, PARAMETERS, parameter

MAX_MONTHS = 24
#: Scale kept small so that each example runs in well under a second; reviews due within a year.
SMALL = {"n_smbs": (1, 40), "n_vendors": (1, 12), "review_interval": (1, 12)}

#: Shares and qualities in [0, 1], with when each may be NaN (a mean over nothing).
SHARES = {
    "outsourcing_share": "no_smbs",
    "mean_inhouse_capability": "no_smbs",
    "smb_survival_rate": "never",
    "shirking_rate": "no_deliveries",
    "mean_delivered_quality": "no_deliveries",
    "mean_contracted_vendor_quality": "no_contracts",
    "mean_relational_capital": "no_contracts",
    "vendor_hhi": "no_contracts",
    "lemon_share_new_contracts": "no_signings",
}
#: Counts: whole numbers, never NaN, never negative.
COUNTS = (
    "active_contracts",
    "innovations",
    "collaborative_innovations",
    "cumulative_innovations",
    "breaches",
    "vendor_failures",
    "active_smbs",
    "smb_exits",
    "active_vendors",
    "vendor_exits",
    "vendor_entries",
    "rehired_fired_vendor",
    "contracts_ended_early",
)
#: Money flows of the month: never NaN, never negative.
MONEY = ("disruption_loss", "total_outsourcing_cost", "holdup_transfer", "overbilling")


def _mix(choices):
    """A population mix over some of ``choices`` with shares summing to 1."""
    weights = st.lists(st.integers(0, 4), min_size=len(choices), max_size=len(choices))
    return weights.filter(lambda w: sum(w) > 0).map(
        lambda w: {c: n / sum(w) for c, n in zip(choices, w, strict=True) if n}
    )


def _value(p):
    """The default, or any allowed value of ``p`` (a mix where the schema allows one)."""
    if p.name in SMALL:
        return st.integers(*SMALL[p.name])
    if p.choices is not None:
        one = st.sampled_from(p.choices)
        return st.one_of(one, _mix(p.choices)) if p.mixable else one
    if p.kind is bool:
        return st.booleans()
    if p.kind is int:
        anything = st.integers(int(p.low), int(p.high))
    else:
        anything = st.floats(p.low, p.high, allow_nan=False, allow_infinity=False)
    if p.mixable:  # a mix of two or three numbers
        values = st.lists(st.floats(p.low, p.high, allow_nan=False), min_size=2, max_size=3, unique=True)
        return st.one_of(st.just(p.default), anything, values.flatmap(_mix))
    return st.one_of(st.just(p.default), anything)


@st.composite
def parameter_sets(draw):
    values = {p.name: draw(_value(p)) for p in PARAMETERS if p.name != "nearshore_share"}
    # nearshore within what offshore leaves, so that the two location shares sum to at most 1
    room = 1.0 - values["offshore_share"]
    values["nearshore_share"] = draw(st.sampled_from([min(0.3, room)]) | st.floats(0.0, room))
    # pairs that must be ordered (markup_min < markup_max, ...): out of order, both at their defaults
    for low, high in ORDERED_PAIRS:
        if not values[low] < values[high]:
            values[low], values[high] = parameter(low).default, parameter(high).default
    return values


def ledger_scale(model: EcosystemModel) -> float:
    """The size of the money that went through the ledger, for a relative tolerance."""
    return 1.0 + max(float(np.abs(column).sum()) for column in model.ledger.values())


def check_month(model: EcosystemModel) -> None:
    """Everything that must hold at every month end, whatever the parameters."""
    c, vp, pairs = model.contracts, model.vendors, model.pairs
    act = c.active_index()

    # money is conserved: every identity of the double-entry ledger holds
    errors = model.check_ledger()
    assert max(errors.values()) < 1e-6 * ledger_scale(model), errors

    # contracts bind parties in the market, outsourced functions, within slots and capacity
    assert vp.alive[c.vendor[act]].all()
    assert model.smb_active[c.smb[act]].all()
    assert model.outsourced[c.smb[act], c.function[act]].all()
    per_row = np.zeros(model.outsourced.shape, dtype=np.int64)
    np.add.at(per_row, (c.smb[act], c.function[act]), 1)
    share = np.zeros(model.outsourced.shape)
    np.add.at(share, (c.smb[act], c.function[act]), c.share[act])
    assert share.max(initial=0) <= 1 + 1e-9  # a function is never bought more than once over
    # within its SMB's vendor slots, unless served under a sourcing policy the SMB has since left
    assert max(SLOTS.values()) >= per_row.max(initial=0)
    settled = ~model._left_policy_rows() if model.slot_count is None else np.ones(per_row.shape, bool)
    assert (per_row[settled] <= np.broadcast_to(model.slots[:, None], per_row.shape)[settled]).all()
    keys = (c.smb[act] * len(BUSINESS_FUNCTIONS) + c.function[act]) * len(vp.alive) + c.vendor[act]
    assert len(np.unique(keys)) == len(act)
    load = np.bincount(c.vendor[act], weights=c.share[act], minlength=len(vp.alive))
    assert (load <= vp.capacity + 1e-9).all()
    assert (vp.capacity[vp.alive] >= 1).all()
    assert np.isfinite(c.fee[act]).all() and (c.fee[act] > 0).all()
    assert (c.holdup[act] >= 0).all() and (c.holdup[act] <= c.fee[act]).all()

    # trust, observations and beliefs stay in bounds
    live = np.flatnonzero(pairs.column("alive"))
    trust = pairs.trust_at(live, model.month, model.params["trust_decay"])
    assert ((trust >= 0) & (trust <= 1)).all()
    info, precision = pairs.observation(live, model.month)
    assert (precision >= 0).all()
    seen = precision > 0
    mean_seen = info[seen] / precision[seen]
    assert ((mean_seen >= -1e-9) & (mean_seen <= 1 + 1e-9)).all()  # a mean of measured qualities
    if len(act):
        pair = c.pair[act]
        belief = posterior(
            type_prior(model.params["lemon_share"], vp.friction[c.vendor[act]], model.params),
            (pairs.screen_value[pair], pairs.screen_precision[pair], pairs.screen_bias[pair]),
            pairs.observation(pair, model.month),
            (np.zeros(len(pair)), np.zeros(len(pair))),
        )
        assert np.isfinite(belief.mean).all() and np.isfinite(belief.variance).all()
        assert (belief.variance >= 0).all()
        assert ((belief.lemon >= 0) & (belief.lemon <= 1)).all()

    # capabilities, delivered shares and prices in bounds
    capability = model.functions.capability
    assert ((capability >= 0) & (capability <= 1)).all()
    assert ((model.row_delivered_share >= 0) & (model.row_delivered_share <= 1 + 1e-12)).all()
    settled = vp.alive & (vp.entered < model.month)  # entrants of this month are not repriced yet
    low, high = model.params["markup_min"], model.params["markup_max"]
    assert ((vp.markup[settled] >= low) & (vp.markup[settled] <= high)).all()
    # those who left hold nothing
    assert not model.outsourced[~model.smb_active].any()
    assert (model.cash[~model.smb_active] == 0).all() and (vp.cash[~vp.alive] == 0).all()


def check_frame(frame: pd.DataFrame, params: dict) -> None:
    """The reporters: shares in [0, 1] (NaN only over nothing), counts and money never NaN."""
    no = {
        "never": pd.Series(False, index=frame.index),
        "no_smbs": frame["active_smbs"] == 0,
        "no_contracts": frame["active_contracts"] == 0,
        "no_deliveries": frame["mean_delivered_quality"].isna(),
        "no_signings": frame["lemon_share_new_contracts"].isna(),
    }
    for name, when in SHARES.items():
        values, nothing = frame[name], no[when]
        assert values[~nothing].notna().all(), name
        assert values[nothing].isna().all(), name
        assert values.dropna().between(0.0, 1.0).all(), name
    assert (frame["shirking_rate"].isna() == frame["mean_delivered_quality"].isna()).all()
    for name in COUNTS:
        values = frame[name]
        assert values.notna().all() and (values >= 0).all(), name
        assert (values == np.round(values)).all(), name
    for name in MONEY:
        assert frame[name].notna().all() and (frame[name] >= 0).all(), name
    assert (frame["rehired_fired_vendor"] == 0).all()
    assert (frame["collaborative_innovations"] <= frame["innovations"]).all()
    assert (frame["vendor_failures"] <= frame["vendor_exits"]).all()
    assert (frame["mean_smb_profit"].isna() == (frame["active_smbs"] == 0)).all()
    assert (frame["mean_vendor_profit"].isna() == (frame["active_vendors"] == 0)).all()
    assert (frame["mean_smb_margin"].dropna() <= 1 + 1e-12).all()  # costs are never negative
    assert frame["renewal_fee_change"].dropna().ge(0).all()
    assert (frame["active_smbs"] <= params["n_smbs"]).all()
    room = params.get("market_room", parameter("market_room").default)  # market places per initial vendor
    assert (frame["active_vendors"] <= room * params["n_vendors"]).all()
    assert frame["smb_survival_rate"].is_monotonic_decreasing  # the first cohort never comes back
    np.testing.assert_array_equal(frame["cumulative_innovations"], frame["innovations"].cumsum())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=parameter_sets(), seed=st.integers(0, 2**32 - 1), months=st.integers(1, MAX_MONTHS))
def test_invariants_hold_for_any_valid_parameters(params, seed, months):
    model = EcosystemModel(rng=seed, **params)
    check_month(model)  # the warm start too
    for _ in range(months):
        model.step()
        check_month(model)
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == months
    check_frame(frame, params)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=parameter_sets(), seed=st.integers(0, 2**32 - 1), months=st.integers(1, 12))
def test_same_seed_gives_the_same_run_bit_for_bit(params, seed, months):
    runs = []
    for _ in range(2):
        model = EcosystemModel(rng=seed, **params)
        for _ in range(months):
            model.step()
        runs.append(model)
    one, two = runs
    pd.testing.assert_frame_equal(
        one.datacollector.get_model_vars_dataframe(),
        two.datacollector.get_model_vars_dataframe(),
        check_exact=True,
    )
    np.testing.assert_array_equal(one.cash, two.cash)
    np.testing.assert_array_equal(one.vendors.cash, two.vendors.cash)
    np.testing.assert_array_equal(one.pairs.column("trust"), two.pairs.column("trust"))
    np.testing.assert_array_equal(one.contracts.column("fee"), two.contracts.column("fee"))
