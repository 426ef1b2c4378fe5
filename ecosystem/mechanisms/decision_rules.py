"""Make-or-buy decision rules, one per theory perspective, as pure functions over arrays.

Each rule receives one entry per (SMB, business function) under review and the model's parameters,
and returns a boolean array: ``True`` where the SMB buys (outsources), ``False`` where it makes
(keeps in-house). The rules read like their equations; the model applies them at once to every
needs assessment due in a month.

Vendor quality enters every rule only as the SMB's *belief* (:mod:`ecosystem.mechanisms.beliefs`),
never as a vendor's claim. All money is per month, in money units (one unit = the monthly
in-house cost of an average function), or one-off where stated.

**Adding a rule** takes one function ``rule(inputs, params) -> bool array`` and one entry in
:data:`DECISION_RULES`; the parameter schema, the command line, the dashboard and the tests read
the registry (see ``docs/extending.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .holdup import renewal_discounts
from .moral_hazard import annuity
from .relational_capital import governance_relief

__all__ = [
    "DECISION_RULES",
    "ReviewInputs",
    "buy_cost",
    "cost_rule",
    "decide",
    "discount_factor",
    "hybrid_rule",
    "make_cost",
    "present_values",
    "rbv_rule",
    "tce_rule",
    "transaction_cost_rate",
]


@dataclass(frozen=True)
class ReviewInputs:
    """What an SMB knows about one function at a needs assessment (arrays of equal length).

    Attributes
    ----------
    inhouse_cost : monthly cost of producing the function in-house.
    capability : in-house capability (0-1), also the quality the SMB delivers itself.
    importance : strategic importance of the function (0-1).
    specificity, uncertainty, frequency : the function's TCE attributes (0-1).
    price : monthly fee for the whole function: the current contracts' or the market's quote.
    vendor_quality : the SMB's belief about the quality a vendor would deliver (friction included).
    relational_capital : trust with the current vendors (0 for a function not bought).
    monitoring_rate : monitoring cost as a share of the fee at the SMB's intensity (trust included).
    bought : whether the function is bought now.
    switch_in : one-off cost of starting to buy (transition and screening).
    switch_out : one-off cost of stopping (transition back in-house, exit fee for the rest of the term).
    holdup : expected fee raise a month at each renewal (hold-up).
    haggling : expected one-off haggling cost at each renewal.
    management : monthly cost of managing the function's vendor contracts, fixed per contract
        and so heavier per unit bought for a small SMB (0 by default).
    """

    inhouse_cost: np.ndarray
    capability: np.ndarray
    importance: np.ndarray
    specificity: np.ndarray
    uncertainty: np.ndarray
    frequency: np.ndarray
    price: np.ndarray
    vendor_quality: np.ndarray
    relational_capital: np.ndarray
    monitoring_rate: np.ndarray
    bought: np.ndarray
    switch_in: np.ndarray
    switch_out: np.ndarray
    holdup: np.ndarray
    haggling: np.ndarray
    management: np.ndarray | float = 0.0


def transaction_cost_rate(specificity, uncertainty, frequency, relational_capital, base_rate, params):
    r"""Transaction (governance) cost of market exchange, as a share of the vendor fee.

    .. math:: \tau = \tau_0 \,(1 + 3s + 3su + 1.5 s f)\,(1 - 0.5\,r)

    Williamson (1985): the costs of writing, monitoring and enforcing a contract rise with asset
    specificity *s* (small-numbers bargaining), and with uncertainty *u* and frequency *f* only
    where assets are specific (without specificity, uncertainty is handled by the market at no
    extra governance cost). Relational capital *r* halves them at most, because trusted partners
    need fewer safeguards. The weights 3, 3 and 1.5 are the advanced parameters
    ``tc_specificity_weight``, ``tc_uncertainty_weight`` and ``tc_frequency_weight`` of ``params``:
    specificity drives governance costs, and uncertainty and frequency matter where assets are
    specific (Williamson 1985); the relief by trust is ``trust_relief``.

    Examples
    --------
    >>> from ecosystem.parameters import defaults
    >>> float(transaction_cost_rate(0.0, 0.9, 0.9, 0.0, 0.1, defaults()))
    0.1
    >>> rate = lambda s: transaction_cost_rate(s, 0.3, 0.5, 0.0, 0.1, defaults())
    >>> bool(rate(0.9) > rate(0.1))
    True
    """
    return (
        base_rate
        * (
            1.0
            + params["tc_specificity_weight"] * specificity
            + params["tc_uncertainty_weight"] * specificity * uncertainty
            + params["tc_frequency_weight"] * specificity * frequency
        )
        * governance_relief(relational_capital, params["trust_relief"])
    )


def make_cost(inhouse_cost, frequency, governance_cost_rate, overhead_base):
    r"""Monthly cost of making: production plus bureaucratic governance.

    .. math:: C_{make} = c\,(1 + g\,(1.5 - f))

    Hierarchy's overhead *g* is spread over more transactions when frequency *f* is high, which
    is why frequent transactions favour making (Williamson). The offset 1.5 is
    ``overhead_base`` (the advanced parameter ``make_overhead_base``).

    >>> float(make_cost(1.0, 0.5, 0.1, 1.5))
    1.1
    """
    return inhouse_cost * (1.0 + governance_cost_rate * (overhead_base - frequency))


def buy_cost(inputs: ReviewInputs, base_rate: float, params: Mapping[str, Any]):
    r"""Monthly cost of buying: fee plus transaction and monitoring costs, plus the fixed cost of
    managing the vendor contracts.

    .. math:: C_{buy} = p\,(1 + \tau + m) + M

    >>> from ecosystem.parameters import defaults
    >>> float(buy_cost(_example(price=1.0, monitoring_rate=0.0, management=0.2), 0.0, defaults())[0])
    1.2
    """
    tau = transaction_cost_rate(
        inputs.specificity, inputs.uncertainty, inputs.frequency, inputs.relational_capital, base_rate, params
    )
    return inputs.price * (1.0 + tau + inputs.monitoring_rate) + inputs.management


def discount_factor(annual_rate: float) -> float:
    """Monthly discount factor of an annual rate.

    >>> round(discount_factor(0.1), 5)
    0.99209
    """
    return (1.0 + annual_rate) ** (-1.0 / 12.0)


def present_values(inputs: ReviewInputs, params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    r"""Discounted cost of making and of buying over the planning horizon *H*.

    .. math::
        PV_{make} = A(H)\,C_{make} + \mathbb{1}_{bought}\,X_{out}

        PV_{buy} = A(H)\,C_{buy} + \mathbb{1}_{\neg bought}\,X_{in}
                   + W_{raise}\,\Delta F + W_{renew}\,H_{hag}

    with the annuity *A* at the SMB's monthly discount factor, the one-off costs of switching in
    :math:`X_{in}` and out :math:`X_{out}` (whichever mode the SMB would leave), and the expected
    hold-up raise :math:`\Delta F` and haggling cost :math:`H_{hag}` at each renewal, weighted by
    :func:`ecosystem.mechanisms.holdup.renewal_discounts`. The incumbent mode carries no switching
    cost, so sunk transition costs create inertia: the fundamental transformation in the decision.
    """
    delta = discount_factor(params["smb_discount_rate"])
    horizon = params["planning_horizon"]
    months = annuity(delta, horizon)
    raises, rounds = renewal_discounts(horizon, params["contract_duration"], delta)
    make = months * make_cost(
        inputs.inhouse_cost, inputs.frequency, params["governance_cost_rate"], params["make_overhead_base"]
    )
    make = make + inputs.bought * inputs.switch_out
    buy = (
        months * buy_cost(inputs, params["transaction_cost_rate"], params) + ~inputs.bought * inputs.switch_in
    )
    buy = buy + raises * inputs.holdup + rounds * inputs.haggling
    return make, buy


def tce_rule(inputs: ReviewInputs, params: Mapping[str, Any]) -> np.ndarray:
    """Transaction cost economics: buy when buying costs less than making, over the horizon.

    Production, governance, switching, hold-up and haggling costs of the two modes for the same
    output; quality does not enter (Williamson 1985, *The Economic Institutions of Capitalism*).

    Examples
    --------
    >>> from ecosystem.parameters import defaults
    >>> generic = _example(specificity=0.1)
    >>> specific = _example(specificity=0.9)
    >>> tce_rule(generic, defaults()), tce_rule(specific, defaults())
    (array([ True]), array([False]))
    """
    make, buy = present_values(inputs, params)
    return buy < make


def rbv_rule(inputs: ReviewInputs, params: Mapping[str, Any]) -> np.ndarray:
    """Resource-based view: keep what is strategic or where we are capable; buy superior skill.

    Buy only a function below the strategic-importance threshold whose expected vendor quality
    beats in-house capability by at least ``rbv_margin`` (Barney 1991; Quinn & Hilmer 1994).
    Cost does not enter.

    >>> from ecosystem.parameters import defaults
    >>> rbv_rule(_example(capability=0.4, vendor_quality=0.7), defaults())
    array([ True])
    """
    return (inputs.importance < params["core_threshold"]) & (
        inputs.vendor_quality > inputs.capability + params["rbv_margin"]
    )


def cost_rule(inputs: ReviewInputs, params: Mapping[str, Any]) -> np.ndarray:
    """Naive cost minimisation: buy whenever the fee is below the in-house cost.

    Ignores transaction, switching and hold-up costs, strategic importance and quality; the
    benchmark against which the theory-informed rules are judged.

    >>> from ecosystem.parameters import defaults
    >>> cost_rule(_example(price=0.8, vendor_quality=0.1, importance=0.9), defaults())
    array([ True])
    """
    return inputs.price < inputs.inhouse_cost


def hybrid_rule(inputs: ReviewInputs, params: Mapping[str, Any]) -> np.ndarray:
    """TCE decides on cost; the RBV vetoes strategic functions and clear quality downgrades.

    Buy where buying is cheaper over the horizon (TCE), the function is below the strategic
    threshold, and the vendor is not expected to deliver clearly worse than the SMB itself
    (believed vendor quality at least capability minus ``rbv_margin``).

    >>> from ecosystem.parameters import defaults
    >>> hybrid_rule(_example(importance=0.9), defaults())
    array([False])
    """
    return (
        tce_rule(inputs, params)
        & (inputs.importance < params["core_threshold"])
        & (inputs.vendor_quality >= inputs.capability - params["rbv_margin"])
    )


#: The make-or-buy rules by name: the one place a rule is registered.
DECISION_RULES = {"tce": tce_rule, "rbv": rbv_rule, "cost": cost_rule, "hybrid": hybrid_rule}


def decide(rule: str, inputs: ReviewInputs, params: Mapping[str, Any]) -> np.ndarray:
    """Apply the named decision rule with the model's parameters."""
    return DECISION_RULES[rule](inputs, params)


def _example(**values) -> ReviewInputs:
    """One middling review row (for the examples), with ``values`` overriding its fields."""
    row = dict(
        inhouse_cost=1.0,
        capability=0.5,
        importance=0.3,
        specificity=0.3,
        uncertainty=0.3,
        frequency=0.5,
        price=0.8,
        vendor_quality=0.65,
        relational_capital=0.0,
        monitoring_rate=0.03,
        bought=False,
        switch_in=0.8,
        switch_out=0.8,
        holdup=0.0,
        haggling=0.0,
        management=0.0,
    )
    row.update(values)
    return ReviewInputs(**{k: np.atleast_1d(np.asarray(v)) for k, v in row.items()})
