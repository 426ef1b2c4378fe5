"""The money of one month's deliveries, pinned on hand-computed cases through the model's own phase.

Each test builds a tiny :class:`~ecosystem.EcosystemModel`, replaces its contracts by hand-signed
ones, sets the vendors' quality, friction, cost and patience, and replaces the model's random
generator by a script of the month's draws (temptation shock, delivery and measurement noise,
audit, cost shock), so that what each vendor does and what the SMB measures are known. Then it
runs :meth:`~ecosystem.EcosystemModel.deliver_services` and checks the exact amounts booked on both
sides: a broken penalty, refund, bonus cap or bill floor shows as a wrong amount, not only as an
unbalanced ledger.

The bill is (``ecosystem.mechanisms.contracts.monthly_bill``)
``fee * max(0.3, 1 + pass_through * u * eps + clip(slope * (measured - sla), -cap, cap))``;
a caught vendor (audit finds shirking or overbilling) pays ``penalty_rate * fee`` and is not paid
for extra hours; uncaught overbilling adds ``overbilling_share * fee``.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from ecosystem import EcosystemModel
from ecosystem.mechanisms.contracts import CONTRACT_KINDS, ContractBook

SLA = 0.5
SHIRK_LOSS = 0.35
OVERBILLING = 0.15


class ScriptedDraws:
    """Stands in for the model's generator during one ``deliver_services``: each draw is scripted.

    ``temptation`` scales what shirking saves (0: nothing to gain, the vendor works); ``audit`` is
    compared with the detection chance (below it: audited); ``cost_shock`` is the standard normal of
    the time-and-materials bill; both normal noises (delivery, measurement) come from ``noise``.
    Every draw must be asked for exactly once (the normal twice) and with one value per contract.
    """

    def __init__(self, temptation, audit, cost_shock, noise=((), ())):
        self.temptation = np.asarray(temptation, dtype=float)
        self.audit = np.asarray(audit, dtype=float)
        self.cost_shock = np.asarray(cost_shock, dtype=float)
        k = len(self.temptation)
        self.noise = [np.asarray(n, dtype=float) if len(n) else np.zeros(k) for n in noise]
        self.calls: list[str] = []

    def _give(self, name, values, size):
        self.calls.append(name)
        assert np.shape(values) == (size,), f"{name}: scripted {np.shape(values)}, drawn {size}"
        return values.copy()

    def lognormal(self, mean, sigma, size):
        return self._give("lognormal", self.temptation, size)

    def normal(self, loc, scale, size):
        return self._give("normal", self.noise[self.calls.count("normal")], size)

    def random(self, size):
        return self._give("random", self.audit, size)

    def standard_normal(self, size):
        return self._give("standard_normal", self.cost_shock, size)


def market(n_smbs: int = 1, n_vendors: int = 1, **params) -> EcosystemModel:
    """A tiny model with no contracts, ready for the month's delivery phase.

    Vendors deliver exactly their true quality (no friction), are impatient (patience 0: nothing
    at stake in the relationship) and cost 0.2 a month unless a test sets otherwise.
    """
    settings = dict(
        sla_threshold=SLA,
        shirk_quality_loss=SHIRK_LOSS,
        shirk_saving=1.0,
        overbilling_share=OVERBILLING,
        referral_weight=0.0,
        sourcing_policy="single",
        contract_duration=24,
        sla_breach_limit=3,
    )
    settings.update(params)
    model = EcosystemModel(rng=1, n_smbs=n_smbs, n_vendors=n_vendors, **settings)
    model.contracts = ContractBook()
    model.outsourced[:] = False
    model.functions.uncertainty[:] = 0.5
    vp = model.vendors
    vp.friction[:] = 0.0
    vp.patience[:] = 0.0
    vp.unit_cost[:] = 0.2
    vp.signings[:] = 0
    vp.referred_signings[:] = 0
    model._start_month()
    return model


def sign(model, smb, vendor, kind, fee, *, function=0, holdup=0.0, end=12):
    """Sign one whole-function contract by hand (the fee includes ``holdup``)."""
    pair = model.pairs.ensure(np.array([smb]), np.array([vendor]))
    index = model.contracts.sign(
        smb=np.array([smb]),
        function=np.array([function]),
        vendor=np.array([vendor]),
        pair=pair,
        kind=np.array([CONTRACT_KINDS.index(kind)]),
        share=np.ones(1),
        fee=np.array([fee]),
        start=np.array([model.month]),
        end=np.array([end]),
        referred=np.zeros(1, dtype=bool),
    )
    model.contracts.holdup[index] = holdup
    model.outsourced[smb, function] = True
    return int(index[0])


def deliver(model, draws: ScriptedDraws) -> None:
    """Run the delivery phase on the scripted draws, checking that each was used as scripted."""
    model.rng = draws
    model.deliver_services()
    assert sorted(draws.calls) == sorted(["lognormal", "normal", "normal", "random", "standard_normal"])


# kind, monitoring, fee, true quality, uncertainty, temptation, audit, cost shock -> paid, strike, overbilled
CASES = {
    # fixed price: the fee, whatever the cost shock and the measured quality
    "fixed_price_honest": ("fixed_price", 1.0, 1.0, 0.8, 0.5, 0.0, 0.0, 2.0, 1.0, 0, 0.0),
    # shirking (saving 2.0 > 0.9 x 0.75) caught by the audit: fee - 0.75 x fee
    "fixed_price_shirk_caught": ("fixed_price", 1.0, 1.0, 0.8, 0.5, 1.0, 0.0, 0.0, 0.25, 1, 0.0),
    # the same shirk unaudited: full fee, measured 0.8 x 0.65 = 0.52 >= SLA, no strike
    "fixed_price_shirk_unseen": ("fixed_price", 1.0, 1.0, 0.8, 0.5, 1.0, 0.95, 0.0, 1.0, 0, 0.0),
    # performance based: 1 + clip(2 (q - 0.5), -0.4, 0.4)
    "performance_capped_bonus": ("performance_based", 1.0, 1.0, 0.9, 0.5, 0.0, 0.5, 3.0, 1.4, 0, 0.0),
    "performance_bonus": ("performance_based", 1.0, 1.0, 0.55, 0.5, 0.0, 0.5, 0.0, 1.1, 0, 0.0),
    "performance_capped_malus": ("performance_based", 1.0, 1.0, 0.3, 0.5, 0.0, 0.5, -3.0, 0.6, 1, 0.0),
    "performance_fee_0.8": ("performance_based", 1.0, 0.8, 0.9, 0.5, 0.0, 0.5, 0.0, 1.12, 0, 0.0),
    # shirking caught: measured 0.52 bills 1.04, less the penalty 0.75
    "performance_shirk_caught": ("performance_based", 1.0, 1.0, 0.8, 0.5, 1.0, 0.0, 0.0, 0.29, 1, 0.0),
    # caught on a poor month: the bill 1 - 2 x 0.175 = 0.65 less the penalty leaves the vendor paying
    "performance_shirk_caught_poor": ("performance_based", 1.0, 1.0, 0.5, 0.5, 1.0, 0.0, 0.0, -0.1, 1, 0.0),
    # time and materials: 1 + 0.4 u eps; with detection 0.9 overbilling does not pay (0.15 < 0.9 x 0.4)
    "time_materials_honest": ("time_and_materials", 1.0, 1.0, 0.8, 0.5, 0.0, 0.0, 1.0, 1.2, 0, 0.0),
    "time_materials_cheap_month": ("time_and_materials", 1.0, 1.0, 0.8, 0.5, 0.0, 0.5, -1.0, 0.8, 0, 0.0),
    "time_materials_bill_floor": ("time_and_materials", 1.0, 1.0, 0.8, 1.0, 0.0, 0.5, -3.0, 0.3, 0, 0.0),
    # detection 0.09: overbilling pays (0.15 > 0.09 x 0.4); unaudited it adds 0.15 x fee
    "time_materials_overbill_unseen": (
        "time_and_materials",
        0.1,
        1.0,
        0.8,
        0.5,
        0.0,
        0.5,
        1.0,
        1.35,
        0,
        0.15,
    ),
    # audited: the extra hours are refunded and the penalty 0.25 x fee paid
    "time_materials_overbill_caught": ("time_and_materials", 0.1, 1.0, 0.8, 0.5, 0.0, 0.0, 1.0, 0.95, 1, 0.0),
}


@pytest.mark.parametrize("case", CASES)
def test_one_contract_pays_the_hand_computed_amount(case):
    kind, monitoring, fee, quality, u, temptation, audit, shock, paid, strike, overbilled = CASES[case]
    model = market(monitoring_intensity=monitoring)
    model.functions.uncertainty[0, 0] = u
    model.vendors.true_quality[0] = quality
    if temptation:
        model.vendors.unit_cost[0] = 2.0  # shirking saves 2.0: more than any expected penalty here
    index = sign(model, 0, 0, kind, fee)
    deliver(model, ScriptedDraws([temptation], [audit], [shock]))

    assert model.ledger["smb_paid"][0] == pytest.approx(paid, abs=1e-12)
    assert model.ledger["vendor_received"][0] == pytest.approx(paid, abs=1e-12)
    assert model.flows["vendor_income"][0] == pytest.approx(paid, abs=1e-12)
    assert model.outsourcing_cost[0] >= paid  # the fee is part of what buying cost this month
    assert model.flows["overbilling"] == pytest.approx(overbilled, abs=1e-12)
    assert model.flows["shirking"] == (temptation > 0)
    assert model.contracts.strikes[index] == strike and model.contracts.term_strikes[index] == strike
    shirked = temptation > 0
    delivered = quality * (1 - SHIRK_LOSS * shirked)
    assert model.flows["delivered_quality"] == pytest.approx(delivered, abs=1e-12)
    # the vendor's variable cost: its cost of serving the function, less what shirking saved
    assert model.flows["vendor_costs"][0] == pytest.approx(0.0 if shirked else 0.2, abs=1e-12)


def test_hold_up_part_of_the_fee_is_booked_on_both_sides():
    model = market(monitoring_intensity=0.0)
    sign(model, 0, 0, "fixed_price", 1.25, holdup=0.25)
    deliver(model, ScriptedDraws([0.0], [0.5], [0.0]))
    assert model.ledger["smb_paid"][0] == pytest.approx(1.25)
    assert model.ledger["smb_holdup_paid"][0] == pytest.approx(0.25)
    assert model.ledger["vendor_holdup_received"][0] == pytest.approx(0.25)
    assert model.flows["holdup_transfer"] == pytest.approx(0.25)


def test_measured_quality_adds_delivery_and_measurement_noise_before_billing():
    model = market(monitoring_intensity=0.0)
    model.vendors.true_quality[0] = 0.5
    sign(model, 0, 0, "performance_based", 1.0)
    deliver(model, ScriptedDraws([0.0], [0.5], [0.0], noise=([0.02], [0.03])))
    # measured 0.5 + 0.02 + 0.03 = 0.55: bonus 2 x 0.05
    assert model.ledger["smb_paid"][0] == pytest.approx(1.1, abs=1e-12)


def test_several_smbs_and_vendors_each_pay_and_receive_their_own_bills():
    """Five contracts, three SMBs, two vendors; detection 0.09 (monitoring 0.1).

    c0 SMB0-V0 fixed price 1.0, unaudited            -> 1.00
    c1 SMB1-V0 T&M 0.8, eps 0.5, overbills, audited   -> 0.8 x 1.1 - 0.25 x 0.8 = 0.68
    c2 SMB2-V1 performance 1.0, quality 0.9           -> 1.40
    c3 SMB2-V1 T&M 0.5, eps -1, patient vendor honest -> 0.5 x 0.8 = 0.40
    c4 SMB0-V0 T&M 1.0, eps 0, overbills unaudited    -> 1.0 + 0.15 = 1.15
    """
    model = market(n_smbs=3, n_vendors=2, monitoring_intensity=0.1)
    vp = model.vendors
    vp.true_quality[:2] = [0.8, 0.9]
    vp.patience[1] = 0.99  # V1 has a relationship to lose: overbilling does not pay it
    sign(model, 0, 0, "fixed_price", 1.0, function=0)
    sign(model, 1, 0, "time_and_materials", 0.8, function=0)
    sign(model, 2, 1, "performance_based", 1.0, function=0)
    sign(model, 2, 1, "time_and_materials", 0.5, function=1)
    sign(model, 0, 0, "time_and_materials", 1.0, function=1)
    draws = ScriptedDraws(np.zeros(5), [0.5, 0.0, 0.5, 0.5, 0.5], [0.0, 0.5, 0.0, -1.0, 0.0])
    deliver(model, draws)

    assert_allclose(model.ledger["smb_paid"], [2.15, 0.68, 1.8], atol=1e-12)
    assert_allclose(model.ledger["vendor_received"][:2], [2.83, 1.8], atol=1e-12)
    assert_allclose(model.flows["vendor_income"][:2], [2.83, 1.8], atol=1e-12)
    assert_allclose(model.ledger["vendor_received"][2:], 0.0)
    assert model.flows["overbilling"] == pytest.approx(0.15, abs=1e-12)
    assert model.contracts.strikes[:5].tolist() == [0, 1, 0, 0, 0]
    assert model.check_ledger()["transfers"] < 1e-12
