"""Reader-facing labels of the model's reporters and parameters: words and units, never column names.

One place for every label the project shows — the analysis reports' axes
(:mod:`analysis.figures`), the validation and calibration figures, and the dashboard's plots and
monitors (:mod:`ecosystem.interface.app`). Reporters have a curated label each; money reporters
get their unit from :data:`~ecosystem.reporters.MONEY_SCOPE` and the business units of
:mod:`ecosystem.units`; parameters come from a curated list or else the schema's unit or range.

Examples
--------
>>> label("shirking_rate")
'Shirking rate (share of deliveries)'
>>> label("vendor_failure_rate")
'Vendor failure rate (1/month)'
>>> label("sourcing_policy", unit=False)
'Sourcing policy'
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from . import units
from .mechanisms.contracts import CONTRACT_KINDS
from .mechanisms.decision_rules import DECISION_RULES
from .mechanisms.functions import BUSINESS_FUNCTIONS
from .mechanisms.shocks import SOURCING_SLOTS
from .parameters import parameter
from .reporters import MODEL_REPORTERS, MONEY_SCOPE

__all__ = ["METRIC_LABELS", "PARAMETER_LABELS", "label", "money_units"]

#: Reader-facing name and unit of each model reporter; money reporters get their unit from
#: :data:`~ecosystem.reporters.MONEY_SCOPE` and the report's business units (:func:`money_units`).
METRIC_LABELS = {
    "outsourcing_share": "Outsourcing share (share of functions)",
    "active_contracts": "Active contracts (contracts)",
    "shirking_rate": "Shirking rate (share of deliveries)",
    "mean_delivered_quality": "Delivered quality (0–1)",
    "mean_contracted_vendor_quality": "True quality of contracted vendors (0–1)",
    "mean_relational_capital": "Relational capital (trust, 0–1)",
    "innovations": "Innovations (per month)",
    "collaborative_innovations": "Joint SMB–vendor innovations (per month)",
    "cumulative_innovations": "Cumulative innovations (count)",
    "mean_inhouse_capability": "In-house capability (0–1)",
    "disruption_loss": "Total disruption loss",
    "breaches": "Data breaches (per month)",
    "vendor_failures": "Vendor failures (per month)",
    "total_outsourcing_cost": "Total outsourcing cost",
    "mean_smb_profit": "SMB profit",
    "smb_survival_rate": "SMB survival (share of initial SMBs)",
    "vendor_hhi": "Vendor concentration (HHI, 0–1)",
    "active_smbs": "Active SMBs (SMBs)",
    "smb_exits": "SMB exits (per month)",
    "mean_smb_margin": "SMB net margin (share of revenue)",
    "active_vendors": "Active vendors (vendors)",
    "mean_vendor_profit": "Vendor profit",
    "vendor_exits": "Vendor exits (per month)",
    "vendor_entries": "Vendor entries (per month)",
    "renewal_fee_change": "Fee raise at renewal (share of the old fee)",
    "holdup_transfer": "Total hold-up transfer",
    "lemon_share_new_contracts": "Lemons among new contracts (share of signings)",
    "rehired_fired_vendor": "Fired vendors re-hired (contracts per month)",
    "contracts_ended_early": "Contracts ended before their term (per month)",
    "overbilling": "Total overbilling",
    "share_smbs_outsourcing": "SMBs buying a function (share of SMBs)",
    "share_small_smbs_outsourcing": "Small SMBs buying a function (share)",
    "share_medium_smbs_outsourcing": "Medium SMBs buying a function (share)",
    "share_smbs_brought_back": "Buyers that back-sourced (share)",
    "share_smbs_ended_early": "Buyers that ended a contract early (share)",
    "referred_signing_share": "Referred new contracts (share of signings)",
    "relationship_failure_share": "Relationships ended within 2 years (share)",
    **{
        f"outsourcing_share_{f}": f"SMBs buying {f.replace('_', ' ')} (share of SMBs)"
        for f in BUSINESS_FUNCTIONS
    },
    **{f"share_rule_{rule}": f"SMBs deciding by the {rule} rule (share of SMBs)" for rule in DECISION_RULES},
    **{
        f"share_contract_{kind}": f"SMBs on {kind.replace('_', ' ')} contracts (share of SMBs)"
        for kind in CONTRACT_KINDS
    },
    **{f"share_sourcing_{policy}": f"SMBs sourcing {policy} (share of SMBs)" for policy in SOURCING_SLOTS},
    **{f"mean_profit_rule_{rule}": f"Profit of {rule}-rule SMBs" for rule in DECISION_RULES},
    **{
        f"survival_rule_{rule}": f"Survival of SMBs that began with {rule} (share)" for rule in DECISION_RULES
    },
    "mean_due_diligence": "Due diligence, mean over SMBs (0–1)",
    "mean_monitoring_intensity": "Monitoring intensity, mean over SMBs (0–1)",
    "mean_referral_weight": "Referral weight, mean over SMBs (0–1)",
    "focal_profit": "Focal firm's profit",
    "focal_cash": "Focal firm's cash",
    "focal_outsourcing_cost": "Focal firm's outsourcing cost",
    "focal_disruption_months": "Focal firm's months of disruption (months, cumulative)",
    "focal_survived": "Focal firm in business (1 yes, 0 exited)",
    "mean_disruption_loss": "Disruption loss per SMB",
    "output_months_lost": "Output lost per SMB (months of output / firm / month)",
    "mean_outsourcing_cost": "Outsourcing cost per SMB",
    "outsourcing_cost_per_function": "Outsourcing cost per outsourced function",
    "focal_disruption_loss": "Focal firm's disruption loss",
    "focal_output_months_lost": "Focal firm's output lost (months of output, cumulative)",
    "focal_outsourced_functions": "Functions the focal firm buys (of 6)",
    "focal_cost_per_function": "Focal firm's outsourcing cost per outsourced function",
}

#: Reader-facing name and unit of parameters whose schema unit alone would not say what they measure.
PARAMETER_LABELS = {
    "n_smbs": "Number of SMBs",
    "n_vendors": "Number of vendors",
    "asset_specificity": "Asset specificity (0–1)",
    "uncertainty": "Uncertainty (0–1)",
    "transaction_frequency": "Transaction frequency (0–1)",
    "strategic_importance": "Strategic importance (0–1)",
    "initial_capability": "Initial in-house capability (0–1)",
    "lemon_share": "Lemon share (share of vendors)",
    "due_diligence": "Due diligence (screening effort, 0–1)",
    "monitoring_intensity": "Monitoring intensity (share of deliveries audited)",
    "referral_weight": "Referral weight (0–1)",
    "trust_gain": "Trust gain (share of the gap per good delivery)",
    "trust_loss": "Trust loss (share lost per failure)",
    "vendor_cost_ratio": "Vendor cost ratio (onshore variable cost / in-house cost)",
    "vendor_markup": "Vendor markup (share of variable cost)",
    "vendor_patience": "Vendor patience (monthly discount factor, 0–0.999)",
    "vendor_exit_patience": "Vendor exit patience (months of negative cash)",
    "holdup_share": "Hold-up share (share of switching cost × specificity)",
    "haggling_cost_rate": "Haggling cost (months of fee at specificity × uncertainty = 1)",
    "planning_horizon": "Planning horizon (months)",
    "core_cost_share": "Core cost share (share of revenue)",
    "cash_buffer_months": "Cash buffer (months of revenue)",
    "smb_entry_rate": "SMB entry rate (1/month)",
    "smb_discount_rate": "SMB discount rate (1/year)",
    "blacklist_months": "Blacklist period (months)",
    "overbilling_share": "Overbilling share (share of fee)",
    "offshore_share": "Offshore vendors (share of vendors)",
    "nearshore_share": "Nearshore vendors (share of vendors)",
    "diversification_premium": "Diversification premium (share of fee per extra vendor)",
    "transaction_cost_rate": "Transaction cost rate (share of fee)",
    "monitoring_cost_rate": "Monitoring cost rate (share of fee)",
    "vendor_failure_rate": "Vendor failure rate (1/month)",
    "focal.sourcing_policy": "Focal firm's sourcing policy",
    "focal.monitoring_intensity": "Focal firm's monitoring intensity (0–1)",
    "focal.due_diligence": "Focal firm's due diligence (0–1)",
    "focal.decision_rule": "Focal firm's decision rule",
    "focal.contract_type": "Focal firm's contract type",
    "focal.referral_weight": "Focal firm's referral weight (0–1)",
}


_MONEY: contextvars.ContextVar[tuple[str, float]] = contextvars.ContextVar("money", default=("model", 1.0))


@contextmanager
def money_units(params: Mapping[str, Any] | None) -> Iterator[None]:
    """Label money in the ``currency`` and ``money_unit`` of ``params`` (a sweep's fixed values, a
    run's parameters) within the block; plain money units outside."""
    token = _MONEY.set(units.settings(params))
    try:
        yield
    finally:
        _MONEY.reset(token)


def label(name: str, unit: bool = True) -> str:
    """The axis label of a metric or parameter: its name in words and, with ``unit``, its unit.

    Metrics come from :data:`METRIC_LABELS` or else the first sentence of the reporter's
    docstring; parameters from :data:`PARAMETER_LABELS` or else the name in words with the
    schema's unit (or its range, for a unitless number). Any other name is returned in words.

    Examples
    --------
    >>> label("disruption_loss")
    'Total disruption loss (money units / month, all SMBs)'
    >>> with money_units({"currency": "EUR", "money_unit": 1000}):
    ...     label("mean_smb_profit")
    'SMB profit (EUR k / firm / month)'
    >>> label("capability_decay")
    'Capability decay (1/month)'
    >>> label("mean_smb_profit", unit=False)
    'SMB profit'
    >>> label("step")
    'Month'
    """
    if name == "step":
        return "Month"
    text = METRIC_LABELS.get(name) or PARAMETER_LABELS.get(name)
    if name in MONEY_SCOPE:
        return f"{text} ({units.unit_text(name, *_MONEY.get())})" if unit else text
    if text is None and name in MODEL_REPORTERS:
        doc = (MODEL_REPORTERS[name].__doc__ or name).strip()
        text = " ".join(doc.split(".")[0].split())
    if text is None:
        text = _parameter_label(name)
    return text if unit else text.split(" (")[0]


def _parameter_label(name: str) -> str:
    words = name.replace("_", " ")
    words = words[:1].upper() + words[1:]
    try:
        spec = parameter(name)
    except ValueError:
        return words
    if spec.unit:
        return f"{words} ({spec.unit})"
    if spec.kind is float and spec.low is not None:
        return f"{words} ({spec.low:g}–{spec.high:g})"
    return words
