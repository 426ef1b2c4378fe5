"""Make-or-buy decision rules, one per theory perspective, as pure functions over arrays.

Each rule receives one entry per (SMB, business function) under review and returns a boolean
array: ``True`` where the SMB buys (outsources), ``False`` where it makes (keeps in-house).
The rules read like their equations; the model applies them at once to every needs
assessment due in a month.

All money is per month, in money units (one unit = the monthly in-house cost of an average
function).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "DECISION_RULES",
    "ReviewInputs",
    "buy_cost",
    "cost_rule",
    "decide",
    "hybrid_rule",
    "make_cost",
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
    price : monthly vendor fee the SMB expects (quote or current contract).
    vendor_quality : quality the SMB expects a vendor to deliver, friction included.
    relational_capital : trust with the current or referred vendor (0-1).
    monitoring_rate : monitoring cost as a share of the fee at the chosen intensity.
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
    monitoring_rate: np.ndarray | float


def transaction_cost_rate(specificity, uncertainty, frequency, relational_capital, base_rate):
    r"""Transaction cost of market governance, as a share of the vendor fee.

    .. math:: \tau = \tau_0 \,(1 + 3s + 1.5u + 1.5 s f)\,(1 - 0.5\,r)

    Williamson (1985): the costs of writing, monitoring and enforcing a contract rise with asset
    specificity *s* (hold-up risk), with uncertainty *u* (incomplete contracts) and with
    frequency *f* where assets are specific (recurrent bilateral haggling). Relational capital
    *r* (trust) halves them at most, because trusted partners need fewer safeguards.

    Examples
    --------
    >>> float(transaction_cost_rate(0.0, 0.0, 0.0, 0.0, 0.1))
    0.1
    >>> bool(transaction_cost_rate(0.9, 0.3, 0.5, 0.0, 0.1) > transaction_cost_rate(0.1, 0.3, 0.5, 0.0, 0.1))
    True
    """
    return (
        base_rate
        * (1.0 + 3.0 * specificity + 1.5 * uncertainty + 1.5 * specificity * frequency)
        * (1.0 - 0.5 * relational_capital)
    )


def make_cost(inhouse_cost, frequency, governance_cost_rate):
    r"""Monthly cost of making: production plus bureaucratic governance.

    .. math:: C_{make} = c\,(1 + g\,(1.5 - f))

    Hierarchy's overhead *g* is spread over more transactions when frequency *f* is high, which
    is why frequent transactions favour making (Williamson).

    >>> float(make_cost(1.0, 0.5, 0.1))
    1.1
    """
    return inhouse_cost * (1.0 + governance_cost_rate * (1.5 - frequency))


def buy_cost(inputs: ReviewInputs, base_rate: float):
    r"""Monthly cost of buying: fee plus transaction and monitoring costs.

    .. math:: C_{buy} = p\,(1 + \tau + m)
    """
    tau = transaction_cost_rate(
        inputs.specificity,
        inputs.uncertainty,
        inputs.frequency,
        inputs.relational_capital,
        base_rate,
    )
    return inputs.price * (1.0 + tau + inputs.monitoring_rate)


def tce_rule(
    inputs: ReviewInputs, *, transaction_cost_rate_base: float, governance_cost_rate: float, **_
) -> np.ndarray:
    """Transaction cost economics: buy when buying costs less than making, governance included.

    Compares production plus governance costs of the two modes for the same output; quality
    does not enter (Williamson 1985, *The Economic Institutions of Capitalism*).

    Examples
    --------
    >>> from ecosystem.mechanisms.decision_rules import ReviewInputs
    >>> one = lambda v: np.array([v])
    >>> low = ReviewInputs(one(1.0), one(0.5), one(0.3), one(0.1), one(0.3), one(0.5),
    ...                    one(0.7), one(0.7), one(0.0), 0.03)
    >>> high = ReviewInputs(one(1.0), one(0.5), one(0.3), one(0.9), one(0.3), one(0.5),
    ...                     one(0.7), one(0.7), one(0.0), 0.03)
    >>> kw = dict(transaction_cost_rate_base=0.15, governance_cost_rate=0.1)
    >>> tce_rule(low, **kw), tce_rule(high, **kw)
    (array([ True]), array([False]))
    """
    make = make_cost(inputs.inhouse_cost, inputs.frequency, governance_cost_rate)
    return buy_cost(inputs, transaction_cost_rate_base) < make


def rbv_rule(inputs: ReviewInputs, *, rbv_margin: float, core_threshold: float, **_) -> np.ndarray:
    """Resource-based view: keep what is strategic or where we are capable; buy superior skill.

    Buy only a function below the strategic-importance threshold whose expected vendor quality
    beats in-house capability by at least ``rbv_margin`` (Barney 1991; Quinn & Hilmer 1994).
    Cost does not enter.

    >>> one = lambda v: np.array([v])
    >>> inputs = ReviewInputs(one(1.0), one(0.4), one(0.3), one(0.3), one(0.3), one(0.5),
    ...                       one(2.0), one(0.7), one(0.0), 0.03)
    >>> rbv_rule(inputs, rbv_margin=0.1, core_threshold=0.7)
    array([ True])
    """
    return (inputs.importance < core_threshold) & (inputs.vendor_quality > inputs.capability + rbv_margin)


def cost_rule(inputs: ReviewInputs, **_) -> np.ndarray:
    """Naive cost minimisation: buy whenever the fee is below the in-house cost.

    Ignores transaction costs, strategic importance and quality; the benchmark against which the
    theory-informed rules are judged.

    >>> one = lambda v: np.array([v])
    >>> inputs = ReviewInputs(one(1.0), one(0.9), one(0.9), one(0.9), one(0.9), one(0.9),
    ...                       one(0.8), one(0.1), one(0.0), 0.03)
    >>> cost_rule(inputs)
    array([ True])
    """
    return inputs.price < inputs.inhouse_cost


def hybrid_rule(inputs: ReviewInputs, *, rbv_margin: float, core_threshold: float, **costs) -> np.ndarray:
    """TCE decides on cost; the RBV vetoes strategic functions and clear quality downgrades.

    Buy where buying is cheaper with governance costs included (TCE), the function is below the
    strategic threshold, and the vendor is not expected to deliver clearly worse than the SMB
    itself (vendor quality at least capability minus ``rbv_margin``).

    >>> one = lambda v: np.array([v])
    >>> strategic = ReviewInputs(one(1.0), one(0.5), one(0.9), one(0.1), one(0.1), one(0.5),
    ...                          one(0.5), one(0.8), one(0.0), 0.03)
    >>> hybrid_rule(strategic, rbv_margin=0.1, core_threshold=0.7,
    ...             transaction_cost_rate_base=0.15, governance_cost_rate=0.1)
    array([False])
    """
    return (
        tce_rule(inputs, **costs)
        & (inputs.importance < core_threshold)
        & (inputs.vendor_quality >= inputs.capability - rbv_margin)
    )


DECISION_RULES = {"tce": tce_rule, "rbv": rbv_rule, "cost": cost_rule, "hybrid": hybrid_rule}


def decide(rule: str, inputs: ReviewInputs, params: dict) -> np.ndarray:
    """Apply the named decision rule with its parameters taken from the model parameters."""
    return DECISION_RULES[rule](
        inputs,
        transaction_cost_rate_base=params["transaction_cost_rate"],
        governance_cost_rate=params["governance_cost_rate"],
        rbv_margin=params["rbv_margin"],
        core_threshold=params["core_threshold"],
    )
