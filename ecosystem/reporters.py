"""Model reporters: the outcome measures collected every month.

Each reporter is a function of the model named after what it measures; the DataCollector calls
them once per step. Means over an empty set (no contracts yet) are NaN, not zero, so that a
chart never shows a quality of 0 that nobody delivered.

The strategy reporters are made from the registries, one per decision rule
(:data:`~ecosystem.mechanisms.decision_rules.DECISION_RULES`), contract type and sourcing policy:
``share_rule_tce``, ``mean_profit_rule_tce``, ``survival_rule_tce``, ``share_contract_fixed_price``,
``share_sourcing_dual`` and so on, so that a new rule gets its reporters without an edit here. The
``outsourcing_share_<function>`` reporters (one per business function) and the survey measures
(``share_smbs_outsourcing``, ``relationship_failure_share``...) feed the empirical targets of
``smb-eco validate``. The ``focal_*`` reporters follow the focal firm (NaN in a model without
one, and after it exits).

Every money reporter says whom its money belongs to and over what time: per SMB (a mean over the
SMBs in business, or the focal firm's own), a total over all SMBs, per vendor or per outsourced
function; per month or a stock at the month's end. :data:`MONEY_SCOPE` records this for the
labels of reports and summaries (:mod:`ecosystem.units`), which state money in the ``currency``
and ``money_unit`` of the run (``EUR k / firm / month``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .agents import SMB, Vendor
from .mechanisms.contracts import CONTRACT_KINDS
from .mechanisms.decision_rules import DECISION_RULES
from .mechanisms.functions import BUSINESS_FUNCTIONS
from .mechanisms.shocks import SOURCING_SLOTS

if TYPE_CHECKING:
    from .model import EcosystemModel

__all__ = [
    "AGENT_REPORTERS",
    "FUNCTION_REPORTERS",
    "KIND_BOUNDS",
    "METRIC_KINDS",
    "MODEL_REPORTERS",
    "MONEY_SCOPE",
    "STRATEGY_REPORTERS",
    "focal_report",
    "metric_kind",
]


def _shared(model: EcosystemModel, key: str, compute):
    """``compute(model)``, once per collection when several reporters need it
    (:meth:`~ecosystem.model.EcosystemModel.collect` opens ``model.reporting``); fresh otherwise."""
    memo = getattr(model, "reporting", None)
    if memo is None:
        return compute(model)
    if key not in memo:
        memo[key] = compute(model)
    return memo[key]


def _mean(values: np.ndarray) -> float:
    """``float(values.mean())`` of a non-empty array, bit for bit (the same pairwise sum divided
    by the count), without ``mean``'s per-call overhead: the DataCollector calls dozens a month."""
    return float(np.add.reduce(values, axis=None, dtype=np.float64)) / values.size


def _active(model: EcosystemModel) -> np.ndarray:
    """Indices of the SMBs in business."""
    return _shared(model, "active", lambda m: np.flatnonzero(m.smb_active))


def _bought(model: EcosystemModel) -> np.ndarray:
    """The active SMBs' rows of ``outsourced`` (SMB × function)."""
    return _shared(model, "bought", lambda m: m.outsourced.take(_active(m), axis=0))


def outsourcing_share(model: EcosystemModel) -> float:
    """Share of the active SMBs' functions that are bought rather than made."""
    bought = _bought(model)
    return _mean(bought) if len(bought) else float("nan")


def active_contracts(model: EcosystemModel) -> int:
    """Contracts in force at the end of the month."""
    return int(len(model.contracts.active_index()))


def shirking_rate(model: EcosystemModel) -> float:
    """Share of this month's deliveries on which the vendor shirked."""
    flows = model.flows
    return flows["shirking"] / flows["deliveries"] if flows["deliveries"] else float("nan")


def mean_delivered_quality(model: EcosystemModel) -> float:
    """Mean quality vendors delivered this month."""
    return float(model.flows["delivered_quality"])


def mean_contracted_vendor_quality(model: EcosystemModel) -> float:
    """Mean true quality of the vendors under contract: the adverse-selection gauge."""
    act = model.contracts.active_index()
    if not len(act):
        return float("nan")
    return _mean(model.vendors.true_quality[model.contracts.vendor[act]])


def mean_relational_capital(model: EcosystemModel) -> float:
    """Mean trust over the ties that carry a contract in force."""
    c = model.contracts
    act = c.active_index()
    if not len(act):
        return float("nan")
    ties = model.pairs.distinct(c.pair[act])
    return _mean(model.pairs.trust_at(ties, model.month, model.params["trust_decay"]))


def innovations(model: EcosystemModel) -> int:
    """Innovations this month, joint and in-house."""
    return int(model.flows["innovations"])


def collaborative_innovations(model: EcosystemModel) -> int:
    """Innovations this month that came out of an SMB-vendor relationship."""
    return int(model.flows["collaborative_innovations"])


def cumulative_innovations(model: EcosystemModel) -> int:
    """Innovations since the start."""
    return int(model.cumulative_innovations)


def mean_inhouse_capability(model: EcosystemModel) -> float:
    """Mean in-house capability over the active SMBs' functions, made or bought."""
    active = _active(model)
    return _mean(model.functions.capability.take(active, axis=0)) if len(active) else float("nan")


def disruption_loss(model: EcosystemModel) -> float:
    """Revenue lost this month to output missing after vendor failures and terminations: the
    total over all SMBs, per month (:func:`mean_disruption_loss` is the per-SMB mean)."""
    return float(model.flows["disruption_loss"])


def breaches(model: EcosystemModel) -> int:
    """Data breaches at vendors this month."""
    return int(model.flows["breaches"])


def vendor_failures(model: EcosystemModel) -> int:
    """Vendors that failed this month at random (their hazard rises with weak finances)."""
    return int(model.flows["vendor_failures"])


def total_outsourcing_cost(model: EcosystemModel) -> float:
    """What SMBs spent on buying this month: fees, monitoring, transaction, screening,
    transition and exit costs; the total over all SMBs, per month (:func:`mean_outsourcing_cost`
    is the per-SMB mean)."""
    return float(model.outsourcing_cost.sum())


def mean_smb_profit(model: EcosystemModel) -> float:
    """Mean monthly profit of the SMBs active this month: per SMB, per month."""
    active = _active(model)
    return _mean(model.profit.take(active)) if len(active) else float("nan")


def smb_survival_rate(model: EcosystemModel) -> float:
    """Share of the initial SMBs (the first cohort) still in business."""
    return float((model.smb_active & model.cohort).sum() / len(model.cohort))


def active_smbs(model: EcosystemModel) -> int:
    """SMBs in business at the end of the month, entrants included."""
    return int(model.smb_active.sum())


def smb_exits(model: EcosystemModel) -> int:
    """SMBs that ran out of cash and left this month."""
    return int(model.flows["smb_exits"])


def mean_smb_margin(model: EcosystemModel) -> float:
    """Mean net margin (profit / revenue) of the SMBs active this month."""
    active = model.smb_active & (model.revenue > 0)
    return _mean(model.profit[active] / model.revenue[active]) if active.any() else float("nan")


def mean_vendor_profit(model: EcosystemModel) -> float:
    """Mean monthly profit of the vendors in the market (income minus variable and fixed costs): per
    vendor, per month."""
    alive = model.vendors.alive
    return _mean(model.flows["vendor_profit"][alive]) if alive.any() else float("nan")


def active_vendors(model: EcosystemModel) -> int:
    """Vendors in the market at the end of the month."""
    return int(model.vendors.alive.sum())


def vendor_exits(model: EcosystemModel) -> int:
    """Vendors that left the market this month: random failures and exits after sustained losses."""
    return int(model.flows["vendor_exits"])


def vendor_entries(model: EcosystemModel) -> int:
    """Vendors that entered the market this month, expecting a profit."""
    return int(model.flows["vendor_entries"])


def renewal_fee_change(model: EcosystemModel) -> float:
    """Mean relative fee change at this month's contract renewals (hold-up); NaN without renewals."""
    return float(model.flows["renewal_fee_change"])


def holdup_transfer(model: EcosystemModel) -> float:
    """Money SMBs paid this month on the hold-up part of their fees: total over all SMBs, per month."""
    return float(model.flows["holdup_transfer"])


def lemon_share_new_contracts(model: EcosystemModel) -> float:
    """Share of this month's new contracts signed with lemons; NaN without signings."""
    signings = model.flows["signings"]
    return model.flows["lemon_signings"] / signings if signings else float("nan")


def rehired_fired_vendor(model: EcosystemModel) -> int:
    """New contracts this month with a vendor the SMB ended for poor performance less than
    ``blacklist_months`` ago (0 while SMBs remember)."""
    return int(model.flows["rehired_fired_vendor"])


def contracts_ended_early(model: EcosystemModel) -> int:
    """Contracts that ended this month before their term: terminations, vendor exits,
    functions brought in-house and SMB exits."""
    return int(model.flows["ended_early"])


# --- what outsourcing surveys ask (the empirical targets, docs/validation.md) ------------------------
def share_smbs_outsourcing(model: EcosystemModel) -> float:
    """Share of the active SMBs that buy at least one function."""
    buying = _buying(model)
    return np.count_nonzero(buying) / len(buying) if len(buying) else float("nan")


def _buying(model: EcosystemModel) -> np.ndarray:
    """Per active SMB: whether it buys at least one function."""

    def compute(m: EcosystemModel) -> np.ndarray:
        bought = _bought(m)
        if not len(bought):
            return np.zeros(0, dtype=bool)
        buying = bought[:, 0].copy()  # column by column: numpy's any over six columns is slower
        for column in range(1, bought.shape[1]):
            buying |= bought[:, column]
        return buying

    return _shared(model, "buying", compute)


#: SMBs above this quantile of size count as medium-sized (UK: about 15 % of the SMEs with 10 or
#: more employees have 50-249), the rest as small: the survey's size classes.
MEDIUM_QUANTILE = 0.85


def _quantile(values: np.ndarray, q: float) -> float:
    """``np.quantile(values, q)`` of a 1-d array without NaN, bit for bit (numpy's default
    "linear" method: the two order statistics around ``(n - 1) q``, found by one partition, then
    interpolated as numpy does), without ``np.quantile``'s per-call overhead: entries and exits
    change the SMBs' sizes, and so this threshold, nearly every month.

    >>> values = np.array([4.0, 1.0, 3.0, 2.0])
    >>> _quantile(values, 0.85) == float(np.quantile(values, 0.85)), _quantile(values, 1.0)
    (True, 4.0)
    """
    n = len(values)
    virtual = (n - 1) * q
    below = math.floor(virtual)
    if virtual >= n - 1:  # at or past the largest value: numpy takes the largest
        return float(values.max())
    low, high = np.partition(values, (below, below + 1))[below : below + 2].tolist()
    gamma = virtual - below
    step = high - low
    return high - step * (1.0 - gamma) if gamma >= 0.5 else low + step * gamma


def _buying_by_class(model: EcosystemModel) -> tuple[float, float]:
    """Shares buying anything among the small and the medium-sized active SMBs (NaN if none)."""

    def compute(m: EcosystemModel) -> tuple[float, float]:
        active = _active(m)
        if not len(active):
            return float("nan"), float("nan")
        size = m.smb_size[active]
        # the threshold changes only with entries and exits: computed again when the sizes differ
        cached = getattr(m, "_medium_size", None)
        if cached is None or not np.array_equal(cached[0], size):
            m._medium_size = cached = size, _quantile(size, MEDIUM_QUANTILE)
        medium = size > cached[1]
        buying = _buying(m)
        shares = [_mean(buying[group]) if group.any() else np.nan for group in (~medium, medium)]
        return float(shares[0]), float(shares[1])

    return _shared(model, "buying_by_class", compute)


def share_small_smbs_outsourcing(model: EcosystemModel) -> float:
    """Share of the small SMBs in business (size up to the 85th percentile) that buy at least one
    function."""
    return _buying_by_class(model)[0]


def share_medium_smbs_outsourcing(model: EcosystemModel) -> float:
    """Share of the medium-sized SMBs in business (the largest 15 % by size) that buy at least one
    function; NaN when all SMBs are of one size."""
    return _buying_by_class(model)[1]


def _ever(model: EcosystemModel, history: np.ndarray) -> float:
    """Share of the active SMBs that have ever bought a function whose ``history`` flag is set."""
    buyers = _shared(model, "ever_bought", lambda m: np.flatnonzero(m.smb_active & m.ever_bought))
    return _mean(history.take(buyers)) if len(buyers) else float("nan")


def share_smbs_brought_back(model: EcosystemModel) -> float:
    """Share of the active SMBs that have ever bought a function which have brought one back
    in-house since they entered."""
    return _ever(model, model.ever_brought_back)


def share_smbs_ended_early(model: EcosystemModel) -> float:
    """Share of the active SMBs that have ever bought a function which have ended a contract
    before its term since they entered (for poor performance or to bring the function back)."""
    return _ever(model, model.ever_ended_early)


def referred_signing_share(model: EcosystemModel) -> float:
    """Share of this month's new contracts signed with a vendor a peer referred; NaN without
    signings."""
    signings = model.flows["signings"]
    return model.flows["referred_signings"] / signings if signings else float("nan")


def relationship_failure_share(model: EcosystemModel) -> float:
    """Share of the relationships begun 24 to 35 months ago that ended, for any reason, within
    24 months of their start (the surveys' failed relationships); NaN before month 24."""
    return model.contracts.recent_failure_share(model.month)


def overbilling(model: EcosystemModel) -> float:
    """Money paid this month for hours time-and-materials vendors billed but did not work: total over
    all SMBs, per month."""
    return float(model.flows["overbilling"])


def vendor_hhi(model: EcosystemModel) -> float:
    """Herfindahl-Hirschman index of vendors' shares of contract fees (1 = one vendor)."""
    c = model.contracts
    act = c.active_index()
    if not len(act):
        return float("nan")
    fees = np.bincount(c.vendor[act], weights=c.fee[act])
    shares = fees / fees.sum()
    return float((shares**2).sum())


# --- money and disruption per SMB -----------------------------------------------------------------
def mean_disruption_loss(model: EcosystemModel) -> float:
    """Revenue lost this month to missing output, per SMB in business: per SMB, per month."""
    settled = model.flows["settled_smbs"]
    return model.flows["disruption_loss"] / settled if settled else float("nan")


def output_months_lost(model: EcosystemModel) -> float:
    """Months of output lost this month per SMB in business: the lost revenue as a share of the
    month's output (revenue earned plus lost), averaged over the SMBs; per SMB, per month."""
    settled = model.flows["settled_smbs"]
    return model.flows["output_months_lost"] / settled if settled else float("nan")


def mean_outsourcing_cost(model: EcosystemModel) -> float:
    """What an SMB in business spent on buying this month: per SMB, per month."""
    active = _active(model)
    return float(model.outsourcing_cost.take(active).mean()) if len(active) else float("nan")


def outsourcing_cost_per_function(model: EcosystemModel) -> float:
    """What buying costs per outsourced function this month: the active SMBs' outsourcing cost over
    the functions they buy (NaN if none); per outsourced function, per month. Unlike the totals it
    does not fall merely because SMBs buy fewer functions."""
    bought = int(np.count_nonzero(_bought(model)))
    return float(model.outsourcing_cost.take(_active(model)).sum() / bought) if bought else float("nan")


# --- strategies in the population ---------------------------------------------------------------
def _reporter(name: str, doc: str, function):
    function.__name__, function.__qualname__, function.__doc__ = name, name, doc
    return function


def _share(lever: str, code: int):
    def share(model: EcosystemModel) -> float:
        active = _active(model)
        if not len(active):
            return float("nan")
        counts = _shared(model, f"counts_{lever}", lambda m: np.bincount(getattr(m, lever).take(active)))
        return float(counts[code]) / len(active) if code < len(counts) else 0.0

    return share


def _mean_profit_by_rule(code: int):
    def mean_profit(model: EcosystemModel) -> float:
        mine = model.smb_active & (model.rule == code)
        return _mean(model.profit[mine]) if mine.any() else float("nan")

    return mean_profit


def _survival_by_rule(code: int):
    def survival(model: EcosystemModel) -> float:
        started = model.cohort_by_rule[code]
        alive = _shared(
            model,
            "cohort_alive_by_rule",
            lambda m: np.bincount(m.initial_rule[m.smb_active & m.cohort], minlength=len(DECISION_RULES)),
        )[code]
        return float(alive / started) if started else float("nan")

    return survival


def _mean_lever(lever: str):
    def mean(model: EcosystemModel) -> float:
        active = _active(model)
        return _mean(getattr(model, lever).take(active)) if len(active) else float("nan")

    return mean


def _function_share(j: int):
    def share(model: EcosystemModel) -> float:
        bought = _bought(model)
        if not len(bought):
            return float("nan")
        counts = _shared(model, "bought_per_function", lambda m: _column_counts(bought))
        return float(counts[j]) / len(bought)

    return share


def _column_counts(flags: np.ndarray) -> list[int]:
    """``np.count_nonzero(flags, axis=0)`` of a boolean table, column by column: numpy's count
    along the first axis of a table six wide is several times slower."""
    return [np.count_nonzero(flags[:, column]) for column in range(flags.shape[1])]


def _strategy_reporters() -> dict:
    reporters = {}
    for code, rule in enumerate(DECISION_RULES):
        reporters[f"share_rule_{rule}"] = _reporter(
            f"share_rule_{rule}",
            f"Share of the SMBs in business deciding by the {rule} rule.",
            _share("rule", code),
        )
    for code, kind in enumerate(CONTRACT_KINDS):
        reporters[f"share_contract_{kind}"] = _reporter(
            f"share_contract_{kind}",
            f"Share of the SMBs in business signing {kind} contracts.",
            _share("contract_kind", code),
        )
    for policy, slots in SOURCING_SLOTS.items():
        reporters[f"share_sourcing_{policy}"] = _reporter(
            f"share_sourcing_{policy}",
            f"Share of the SMBs in business with the {policy} sourcing policy.",
            _share("slots", slots),
        )
    for code, rule in enumerate(DECISION_RULES):
        reporters[f"mean_profit_rule_{rule}"] = _reporter(
            f"mean_profit_rule_{rule}",
            f"Mean monthly profit of the SMBs in business deciding by the {rule} rule (NaN if none): "
            "per SMB, per month.",
            _mean_profit_by_rule(code),
        )
    for code, rule in enumerate(DECISION_RULES):
        reporters[f"survival_rule_{rule}"] = _reporter(
            f"survival_rule_{rule}",
            f"Share of the initial SMBs that started with the {rule} rule still in business.",
            _survival_by_rule(code),
        )
    for field, lever in (
        ("due_diligence", "diligence"),
        ("monitoring_intensity", "monitoring"),
        ("referral_weight", "referral"),
    ):
        reporters[f"mean_{field}"] = _reporter(
            f"mean_{field}", f"Mean {field} of the SMBs in business.", _mean_lever(lever)
        )
    return reporters


#: Reporters of the population's strategies, derived from the registries.
STRATEGY_REPORTERS = _strategy_reporters()

#: Per business function, the share of the SMBs in business that buy it (``outsourcing_share_it``...).
FUNCTION_REPORTERS = {
    f"outsourcing_share_{function}": _reporter(
        f"outsourcing_share_{function}",
        f"Share of the SMBs in business that buy their {function} function.",
        _function_share(j),
    )
    for j, function in enumerate(BUSINESS_FUNCTIONS)
}


# --- the focal firm -----------------------------------------------------------------------------
def _focal(model: EcosystemModel):
    """The focal firm's index while it is in business, else None."""
    i = model.focal_index
    return i if i is not None and model.smb_active[i] else None


def focal_profit(model: EcosystemModel) -> float:
    """The focal firm's profit this month (NaN without a focal firm or after it exits): one firm, per
    month."""
    i = _focal(model)
    return float(model.profit[i]) if i is not None else float("nan")


def focal_cash(model: EcosystemModel) -> float:
    """The focal firm's cash at the end of the month: one firm, a stock (not per month)."""
    i = _focal(model)
    return float(model.cash[i]) if i is not None else float("nan")


def focal_outsourcing_cost(model: EcosystemModel) -> float:
    """What the focal firm spent on buying this month: fees, governance, screening, transition; one
    firm, per month."""
    i = _focal(model)
    return float(model.outsourcing_cost[i]) if i is not None else float("nan")


def focal_disruption_months(model: EcosystemModel) -> float:
    """Months so far in which the focal firm lost output to missing vendors (failures, terminations)."""
    return float(model.focal_disruption_months) if _focal(model) is not None else float("nan")


def focal_disruption_loss(model: EcosystemModel) -> float:
    """Revenue the focal firm lost this month to missing output: one firm, per month."""
    return float(model.flows["focal_disruption_loss"]) if _focal(model) is not None else float("nan")


def focal_output_months_lost(model: EcosystemModel) -> float:
    """Months of output the focal firm has lost so far (each month's lost revenue as a share of that
    month's output, summed): one firm, cumulative."""
    return float(model.focal_output_months_lost) if _focal(model) is not None else float("nan")


def focal_outsourced_functions(model: EcosystemModel) -> float:
    """Business functions the focal firm buys at the end of the month (of six)."""
    i = _focal(model)
    return float(model.outsourced[i].sum()) if i is not None else float("nan")


def focal_cost_per_function(model: EcosystemModel) -> float:
    """The focal firm's outsourcing cost per function it buys (NaN if it buys none): per outsourced
    function, per month."""
    i = _focal(model)
    bought = int(model.outsourced[i].sum()) if i is not None else 0
    return float(model.outsourcing_cost[i] / bought) if bought else float("nan")


def focal_survived(model: EcosystemModel) -> float:
    """1 while the focal firm is in business, 0 once it has exited (NaN without a focal firm)."""
    i = model.focal_index
    return float(model.smb_active[i]) if i is not None else float("nan")


def focal_report(model: EcosystemModel, name: str) -> dict[str, float]:
    """Focal firm ``name``'s figures this month, as the ``focal_*`` reporters give them for the
    first focal firm, plus two kept per firm: ``shirking_suffered`` (deliveries so far on which
    its vendors shirked) and ``total_profit`` (its profit summed over the run).

    After the firm's exit ``survived`` is 0 and the monthly figures NaN; the counts and the total
    stay what they were.
    """
    i = model.focal_place(name)
    j = model.focal_names.index(name)
    active = bool(model.smb_active[i])
    nan = float("nan")
    return {
        "profit": float(model.profit[i]) if active else nan,
        "cash": float(model.cash[i]) if active else nan,
        "outsourcing_cost": float(model.outsourcing_cost[i]) if active else nan,
        "disruption_months": float(model.focal_disruptions[j]),
        "survived": float(active),
        "shirking_suffered": float(model.focal_shirked[j]),
        "total_profit": float(model.focal_total_profit[j]),
    }


MODEL_REPORTERS = {
    f.__name__: f
    for f in (
        outsourcing_share,
        active_contracts,
        shirking_rate,
        mean_delivered_quality,
        mean_contracted_vendor_quality,
        mean_relational_capital,
        innovations,
        collaborative_innovations,
        cumulative_innovations,
        mean_inhouse_capability,
        disruption_loss,
        breaches,
        vendor_failures,
        total_outsourcing_cost,
        mean_smb_profit,
        smb_survival_rate,
        active_smbs,
        smb_exits,
        mean_smb_margin,
        vendor_hhi,
        active_vendors,
        mean_vendor_profit,
        vendor_exits,
        vendor_entries,
        renewal_fee_change,
        holdup_transfer,
        lemon_share_new_contracts,
        rehired_fired_vendor,
        contracts_ended_early,
        overbilling,
        share_smbs_outsourcing,
        share_small_smbs_outsourcing,
        share_medium_smbs_outsourcing,
        share_smbs_brought_back,
        share_smbs_ended_early,
        referred_signing_share,
        relationship_failure_share,
        mean_disruption_loss,
        output_months_lost,
        mean_outsourcing_cost,
        outsourcing_cost_per_function,
        *FUNCTION_REPORTERS.values(),
        *STRATEGY_REPORTERS.values(),
        focal_profit,
        focal_cash,
        focal_outsourcing_cost,
        focal_disruption_months,
        focal_survived,
        focal_disruption_loss,
        focal_output_months_lost,
        focal_outsourced_functions,
        focal_cost_per_function,
    )
}

#: Bounds of each kind of metric: a share (or a quality or trust) lies in [0, 1], a count and an
#: amount of money that cannot be negative are >= 0; a profit, margin or change is unbounded.
KIND_BOUNDS = {
    "share": (0.0, 1.0),
    "count": (0.0, float("inf")),
    "amount": (0.0, float("inf")),
    "real": (float("-inf"), float("inf")),
}
_SHARES = {
    "outsourcing_share",
    "shirking_rate",
    "mean_delivered_quality",
    "mean_contracted_vendor_quality",
    "mean_relational_capital",
    "mean_inhouse_capability",
    "smb_survival_rate",
    "vendor_hhi",
    "lemon_share_new_contracts",
    "relationship_failure_share",
    "referred_signing_share",
    "focal_survived",
    "mean_due_diligence",
    "mean_monitoring_intensity",
    "mean_referral_weight",
}
_AMOUNTS = {
    "disruption_loss",
    "total_outsourcing_cost",
    "overbilling",
    "focal_outsourcing_cost",
    "mean_disruption_loss",
    "mean_outsourcing_cost",
    "outsourcing_cost_per_function",
    "output_months_lost",
    "focal_disruption_loss",
    "focal_output_months_lost",
    "focal_cost_per_function",
    "focal_outsourced_functions",
}


def _kind(name: str) -> str:
    if name in _SHARES or name.startswith(("share_", "survival_rule_", "outsourcing_share_")):
        return "share"
    if name in _AMOUNTS:
        return "amount"
    if name == "focal_disruption_months" or MODEL_REPORTERS[name].__annotations__.get("return") in (
        int,
        "int",
    ):
        return "count"
    return "real"


#: The kind of each model reporter (a key of :data:`KIND_BOUNDS`): the bounds its confidence
#: intervals respect (``analysis.statistics.summarize``).
METRIC_KINDS = {name: _kind(name) for name in MODEL_REPORTERS}


def metric_kind(name: str) -> str:
    """The kind of metric ``name`` (:data:`METRIC_KINDS`); ``"real"`` for a name not reported here.

    >>> metric_kind("shirking_rate"), metric_kind("breaches"), metric_kind("mean_smb_profit")
    ('share', 'count', 'real')
    """
    return METRIC_KINDS.get(name, "real")


#: Whose money a money reporter counts and over what time: (``firm`` — per SMB —, ``all SMBs``,
#: ``vendor`` or ``outsourced function``; ``month`` or ``stock``). Read by :mod:`ecosystem.units`.
MONEY_SCOPE: dict[str, tuple[str, str]] = {
    "disruption_loss": ("all SMBs", "month"),
    "total_outsourcing_cost": ("all SMBs", "month"),
    "holdup_transfer": ("all SMBs", "month"),
    "overbilling": ("all SMBs", "month"),
    "mean_smb_profit": ("firm", "month"),
    "mean_disruption_loss": ("firm", "month"),
    "mean_outsourcing_cost": ("firm", "month"),
    "outsourcing_cost_per_function": ("outsourced function", "month"),
    "mean_vendor_profit": ("vendor", "month"),
    **{f"mean_profit_rule_{rule}": ("firm", "month") for rule in DECISION_RULES},
    "focal_profit": ("firm", "month"),
    "focal_cash": ("firm", "stock"),
    "focal_outsourcing_cost": ("firm", "month"),
    "focal_disruption_loss": ("firm", "month"),
    "focal_cost_per_function": ("outsourced function", "month"),
}

AGENT_REPORTERS = {
    SMB: {
        "cash": "cash",
        "core_performance": "core_performance",
        "outsourced_functions": "outsourced_count",
        "mean_capability": "mean_capability",
        "profit": "profit",
        "contract_type": "contract_type",
    },
    Vendor: {
        "true_quality": "true_quality",
        "clients": "client_count",
        "income": "income",
        "profit": "profit",
        "price": "price",
        "capacity": "capacity",
    },
}
