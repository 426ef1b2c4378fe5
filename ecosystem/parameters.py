"""The parameter schema: the single source for defaults, validation, the CLI and the docs.

Every parameter of :class:`ecosystem.EcosystemModel` is declared once here, with its type,
default, allowed range or choices, a description in words, its unit and the theory perspective
it belongs to. Validation, ``smb-eco params``, ``--set NAME=VALUE`` parsing and the parameter
table of ``docs/ODD.md`` all read this list, so nothing restates a default.

Money is counted in *money units* per month, where one unit is the monthly in-house cost of an
average business function; time is counted in months (one model step). ``currency`` and ``money_unit``
say what a unit is in real money, for reports only: the simulation never reads them.

A parameter declared ``mixable`` takes either one of its choices (every SMB the same) or a
*population mix*: a mapping of choices to shares that sum to 1, e.g. ``{fixed_price: 0.5,
performance_based: 0.5}`` in YAML or ``--set contract_type=fixed_price:0.5,performance_based:0.5``
on the command line. Each SMB then gets one choice, in exactly those proportions (see
:func:`ecosystem.mechanisms.population.allocate_mix`). A mixable *number* (``due_diligence``,
``monitoring_intensity``, ``referral_weight``) takes a mix of values the same way:
``--set due_diligence=0.1:0.5,0.6:0.5`` gives half the SMBs 0.1 and half 0.6.

The six mixable parameters of :data:`STRATEGY_FIELDS` are an SMB's *strategy*; with
``adaptation`` on, SMBs change them by imitation or reinforcement learning
(:mod:`ecosystem.mechanisms.strategies`). The *focal firm* is one extra SMB whose strategy the
user fixes: its fields are named ``focal.FIELD`` (e.g. ``focal.sourcing_policy``) wherever a
parameter name is read (specs, sweeps), and checked like the field itself, without mixes
(:func:`validate_focal`).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .mechanisms.contracts import CONTRACT_KINDS
from .mechanisms.decision_rules import DECISION_RULES
from .mechanisms.functions import BUSINESS_FUNCTIONS
from .mechanisms.shocks import SOURCING_SLOTS

__all__ = [
    "ADVANCED",
    "FOCAL_PREFIX",
    "ORDERED_PAIRS",
    "PARAMETERS",
    "STRUCTURAL_CONSTANTS",
    "STRATEGY_FIELDS",
    "Parameter",
    "advanced_table",
    "basic_parameters",
    "defaults",
    "format_value",
    "parameter",
    "parse_value",
    "schema_table",
    "validate_focal",
    "validate_parameters",
]

PERSPECTIVES = ("scale", "TCE", "RBV", "agency", "network", "risk", "innovation", "economics", "learning")

#: The levers that make up an SMB's strategy (all mixable; adaptation changes them together).
STRATEGY_FIELDS = (
    "decision_rule",
    "due_diligence",
    "monitoring_intensity",
    "contract_type",
    "sourcing_policy",
    "referral_weight",
)
#: Prefix of the focal firm's strategy fields in parameter mappings (``focal.sourcing_policy``).
FOCAL_PREFIX = "focal."
#: Currencies money can be labelled in (``currency``); ``model`` keeps plain money units.
CURRENCIES = (
    "model",
    "EUR",
    "USD",
    "GBP",
    "CHF",
    "JPY",
    "CAD",
    "AUD",
    "SEK",
    "NOK",
    "DKK",
    "PLN",
    "CZK",
    "INR",
)


@dataclass(frozen=True)
class Parameter:
    """One model parameter: what it means, what it may be, and which theory it speaks for."""

    name: str
    kind: type
    default: Any
    description: str
    perspective: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    unit: str = ""
    mixable: bool = False
    #: hidden from the dashboard and from plain ``smb-eco params``: a mechanism's constant
    advanced: bool = False
    #: an advanced parameter's former hard-coded symbol (or literal), and its module under ecosystem/
    symbol: str = ""
    module: str = ""

    def allowed(self) -> str:
        """Describe the allowed values in words, for error messages and tables."""
        if self.choices is not None:
            one = "one of " + ", ".join(self.choices)
            return one + " (or a mix of them with shares summing to 1)" if self.mixable else one
        if self.kind is bool:
            return "true or false"
        noun = "an integer" if self.kind is int else "a number"
        one = f"{noun} in [{_fmt(self.low)}, {_fmt(self.high)}]"
        return one + " (or a mix VALUE:SHARE,VALUE:SHARE with shares summing to 1)" if self.mixable else one

    def check(self, value: Any) -> Any:
        """Return ``value`` as this parameter's type, or raise ``ValueError`` saying what is allowed."""
        problem = f"parameter {self.name!r} must be {self.allowed()}, got {value!r}"
        if self.kind is bool:
            if not isinstance(value, bool | int) or value not in (0, 1):
                raise ValueError(problem)
            return bool(value)
        if self.kind is str:
            if self.mixable and isinstance(value, Mapping):
                return self._check_mix(value, problem)
            if not isinstance(value, str) or value not in (self.choices or ()):
                raise ValueError(problem)
            return value
        if self.mixable and isinstance(value, Mapping):
            return self._check_number_mix(value, problem)
        return self._check_number(value, problem)

    def _check_number(self, value: Any, problem: str) -> int | float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(problem)
        if self.kind is int:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(problem)
            value = int(value)
        else:
            value = float(value)
        if not (self.low <= value <= self.high):  # also rejects NaN
            raise ValueError(problem)
        return value

    def _check_mix(self, value: Mapping, problem: str) -> dict[str, float] | str:
        """A population mix in the order of ``choices``; a mix of one choice is that choice."""
        unknown = [key for key in value if key not in self.choices]
        if unknown or not value:
            raise ValueError(f"{problem}: unknown choice {unknown[0]!r}" if unknown else problem)
        shares = {}
        for key in self.choices:
            share = value.get(key, 0.0)
            if isinstance(share, bool) or not isinstance(share, int | float) or not 0.0 <= share <= 1.0:
                raise ValueError(f"{problem}: the share of {key!r} must be a number in [0, 1]")
            if share > 0:
                shares[key] = float(share)
        if not math.isclose(sum(shares.values()), 1.0, abs_tol=1e-9):
            raise ValueError(f"{problem}: the shares sum to {sum(shares.values()):g}, not 1")
        return next(iter(shares)) if len(shares) == 1 else shares

    def _check_number_mix(self, value: Mapping, problem: str) -> dict[float, float] | float:
        """A mix of numbers, ordered by value; a mix of one value is that value."""
        if not value:
            raise ValueError(problem)
        shares: dict[float, float] = {}
        for key, share in value.items():
            try:
                number = self._check_number(float(key) if isinstance(key, str) else key, problem)
            except (ValueError, TypeError):
                raise ValueError(
                    f"{problem}: the value {key!r} is not {self.allowed().split(' (')[0]}"
                ) from None
            if isinstance(share, bool) or not isinstance(share, int | float) or not 0.0 <= share <= 1.0:
                raise ValueError(f"{problem}: the share of {key!r} must be a number in [0, 1]")
            if share > 0:
                shares[number] = shares.get(number, 0.0) + float(share)
        if not math.isclose(sum(shares.values()), 1.0, abs_tol=1e-9):
            raise ValueError(f"{problem}: the shares sum to {sum(shares.values()):g}, not 1")
        ordered = dict(sorted(shares.items()))
        return next(iter(ordered)) if len(ordered) == 1 else ordered


def _fmt(number: float | None) -> str:
    return f"{number:g}" if isinstance(number, float) else str(number)


def _p(
    name, kind, default, perspective, description, low=None, high=None, choices=None, unit="", mixable=False
):
    return Parameter(name, kind, default, description, perspective, low, high, choices, unit, mixable)


#: Function factors of asset specificity set by calibration to the small-firm outsourcing rates of
#: IT support and accounting (docs/validation.md); the other functions keep the market's mean.
CALIBRATED_SPECIFICITY = {"it": 1.45, "accounting": 0.66}

_BASIC: tuple[Parameter, ...] = (
    # --- scale and timing ---------------------------------------------------------------------
    _p(
        "n_smbs",
        int,
        100,
        "scale",
        "Number of small and medium businesses (SMB places; exits may be refilled, see smb_entry_rate).",
        1,
        100_000,
        unit="SMBs",
    ),
    _p(
        "n_vendors",
        int,
        30,
        "scale",
        "Number of vendors at the start. The market has room for twice "
        "as many: entrants take empty places where they expect a profit.",
        1,
        50_000,
        unit="vendors",
    ),
    _p(
        "review_interval",
        int,
        12,
        "scale",
        "Months between an SMB's needs assessments, at which it takes "
        "its make-or-buy decisions; first reviews are staggered over this interval.",
        1,
        120,
        unit="months",
    ),
    # --- transaction cost economics -------------------------------------------------------------
    _p(
        "decision_rule",
        str,
        "hybrid",
        "TCE",
        "Theory perspective behind the make-or-buy decision: tce "
        "(Williamson's comparison of discounted production and governance costs, switching and hold-up "
        "included), rbv (keep what is strategic or where the SMB is capable), cost (cheapest fee only) or "
        "hybrid (the TCE comparison with an RBV veto on strategic functions and clear quality downgrades). "
        "A mix (e.g. tce:0.25,rbv:0.25,cost:0.25,hybrid:0.25) gives each SMB one rule in those proportions.",
        choices=tuple(DECISION_RULES),
        mixable=True,
    ),
    _p(
        "asset_specificity",
        float,
        0.3,
        "TCE",
        "Mean asset specificity of the business functions: how far "
        "the investments and knowledge a function needs are specific to this SMB. Raises transaction, "
        "switching and hold-up costs and the damage of a data breach.",
        0.0,
        1.0,
    ),
    _p(
        "uncertainty",
        float,
        0.3,
        "TCE",
        "Mean environmental and behavioural uncertainty of the functions. "
        "Raises governance and haggling costs where assets are specific, and makes time-and-materials "
        "bills volatile.",
        0.0,
        1.0,
    ),
    _p(
        "transaction_frequency",
        float,
        0.5,
        "TCE",
        "Mean frequency of transactions in a function (0 "
        "occasional, 1 continuous). Frequent specific transactions favour hierarchy.",
        0.0,
        1.0,
    ),
    _p(
        "transaction_cost_rate",
        float,
        0.15,
        "TCE",
        "Transaction (governance) cost of buying, as a share of the vendor fee, at zero specificity.",
        0.0,
        2.0,
    ),
    _p(
        "governance_cost_rate",
        float,
        0.1,
        "TCE",
        "Bureaucratic overhead of making in-house, as a share of "
        "the in-house cost at transaction frequency 0.5 (overhead g (1.5 - f) falls as frequency f rises).",
        0.0,
        2.0,
    ),
    _p(
        "holdup_share",
        float,
        0.5,
        "TCE",
        "Share of the SMB's switching cost, times the function's asset "
        "specificity, that a vendor charges above the market fee over each renewed term, spread "
        "over its months (hold-up after the fundamental transformation; renegotiated at each "
        "renewal, not stacked; 0 = no hold-up).",
        0.0,
        1.0,
    ),
    _p(
        "haggling_cost_rate",
        float,
        1.0,
        "TCE",
        "Cost of renegotiating a contract at renewal, in months of "
        "fee at asset specificity x uncertainty = 1 (bilateral haggling).",
        0.0,
        24.0,
        unit="months of fee",
    ),
    _p(
        "vendor_management_cost",
        float,
        0.28,
        "TCE",
        "Monthly cost of managing one vendor contract (coordination, invoices, reviews) for an SMB of "
        "median size. It does not grow with the volume bought, so per unit bought it weighs on small "
        "SMBs more (divided by smb_size); the tce and hybrid rules count it.",
        0.0,
        100.0,
        unit="money units",
    ),
    _p(
        "smb_size_spread",
        float,
        2.1,
        "TCE",
        "Log-normal sigma of SMBs' relative size (median 1): the volume of each function an SMB buys or "
        "makes, over which fixed vendor management costs are spread. 0: every SMB the same size.",
        0.0,
        3.0,
    ),
    _p(
        "inhouse_scale_elasticity",
        float,
        0.0,
        "TCE",
        "In-house economies of scale: an SMB of relative size z produces a function in-house at "
        "z ** -elasticity times its drawn in-house cost (a larger SMB spreads its specialists and "
        "systems over more volume), while vendors' prices do not depend on the buyer's size. "
        "0: in-house cost independent of size.",
        0.0,
        1.0,
    ),
    *(
        _p(
            f"specificity_{function}",
            float,
            CALIBRATED_SPECIFICITY.get(function, 1.0),
            "TCE",
            f"Mean asset specificity of the {function} function relative to asset_specificity "
            "(a factor; the mean is capped at 1): functions differ in how firm-specific their work is.",
            0.0,
            5.0,
        )
        for function in BUSINESS_FUNCTIONS
    ),
    _p(
        "planning_horizon",
        int,
        48,
        "TCE",
        "Months over which the make-or-buy decision compares the "
        "discounted costs of making and buying, one-off switching costs and expected hold-up included.",
        1,
        240,
        unit="months",
    ),
    _p(
        "switching_cost",
        float,
        1.0,
        "TCE",
        "One-off transition cost of moving a function to a new vendor "
        "or back in-house, in months of in-house cost (scaled up by asset specificity).",
        0.0,
        24.0,
        unit="months of cost",
    ),
    _p(
        "exit_fee_months",
        float,
        2.0,
        "TCE",
        "Fee an SMB pays a vendor when it ends a contract before its "
        "term for its own convenience, in months of fee.",
        0.0,
        24.0,
        unit="months of fee",
    ),
    # --- resource-based view --------------------------------------------------------------------
    _p(
        "strategic_importance",
        float,
        0.4,
        "RBV",
        "Mean strategic importance of the support functions to "
        "the SMB's competitive position (the core activity is never outsourced).",
        0.0,
        1.0,
    ),
    _p(
        "initial_capability",
        float,
        0.6,
        "RBV",
        "Mean in-house capability (0-1) of each function at the "
        "start; it is also the quality the SMB delivers itself.",
        0.0,
        1.0,
    ),
    _p(
        "capability_decay",
        float,
        0.02,
        "RBV",
        "Monthly share of in-house capability lost in a function "
        "while it is outsourced (skills and knowledge erode).",
        0.0,
        0.5,
        unit="1/month",
    ),
    _p(
        "capability_learning",
        float,
        0.01,
        "RBV",
        "Monthly share of the remaining gap to full capability "
        "closed in a function kept in-house (learning by doing).",
        0.0,
        0.5,
        unit="1/month",
    ),
    _p(
        "rbv_margin",
        float,
        0.1,
        "RBV",
        "How far the expected quality of a vendor must exceed in-house capability before the rbv rule buys.",
        0.0,
        1.0,
    ),
    _p(
        "core_threshold",
        float,
        0.7,
        "RBV",
        "Strategic importance above which the rbv and hybrid rules always keep a function in-house.",
        0.0,
        1.0,
    ),
    _p(
        "core_focus_gain",
        float,
        0.004,
        "RBV",
        "Monthly growth of core performance per unit outsourced "
        "share: outsourcing frees resources and attention for the core.",
        0.0,
        0.1,
        unit="1/month",
    ),
    # --- agency theory --------------------------------------------------------------------------
    _p(
        "lemon_share",
        float,
        0.15,
        "agency",
        "Share of vendors of low true quality that overstate their "
        "quality (adverse selection); SMBs know this share only as a population fact.",
        0.0,
        1.0,
    ),
    _p(
        "lemon_overstatement",
        float,
        0.3,
        "agency",
        "How much a low-quality vendor adds to its claimed quality.",
        0.0,
        1.0,
    ),
    _p(
        "due_diligence",
        float,
        0.5,
        "agency",
        "Screening effort on shortlisted vendors (0 none, 1 full): "
        "shrinks the noise and the lemons' overstatement in the screening signal, and so raises its weight "
        "in the SMB's belief.",
        0.0,
        1.0,
        mixable=True,
    ),
    _p(
        "due_diligence_cost",
        float,
        0.3,
        "agency",
        "Cost of screening one shortlisted vendor at full due diligence (scaled by due_diligence).",
        0.0,
        10.0,
        unit="money units",
    ),
    _p(
        "signal_noise",
        float,
        0.2,
        "agency",
        "Standard deviation of the noise in an unscreened quality signal.",
        0.0,
        1.0,
    ),
    _p(
        "monitoring_intensity",
        float,
        0.3,
        "agency",
        "Monitoring effort: the SMB pays for auditing this share of vendor deliveries, and an "
        "audit catches shirking and overbilling 9 times in 10 (detection chance 0.9 times this).",
        0.0,
        1.0,
        mixable=True,
    ),
    _p(
        "monitoring_cost_rate",
        float,
        0.1,
        "agency",
        "Monitoring cost at full intensity, as a share of the vendor fee (relational capital lowers it).",
        0.0,
        1.0,
    ),
    _p(
        "shirk_saving",
        float,
        0.3,
        "agency",
        "Share of its cost of serving a contract that a vendor saves "
        "in a month by shirking (withholding effort).",
        0.0,
        1.0,
    ),
    _p(
        "shirk_quality_loss",
        float,
        0.35,
        "agency",
        "Share of delivered quality lost when a vendor shirks.",
        0.0,
        1.0,
    ),
    _p(
        "vendor_patience",
        float,
        0.95,
        "agency",
        "Mean monthly discount factor of vendors (each draws its "
        "own): how much a vendor values future business against today's saving from shirking. Impatient "
        "vendors are the opportunistic ones.",
        0.0,
        0.999,
    ),
    _p(
        "contract_type",
        str,
        "fixed_price",
        "agency",
        "Contract and pricing model of each SMB: fixed_price "
        "(vendor prices in uncertainty; detected shirking costs it 0.75 months of fee), time_and_materials "
        "(SMB bears cost uncertainty, vendors may overbill hours; penalty 0.25) or performance_based "
        "(bonus-malus: pay moves 2 x the measured quality's distance from the SLA level, at most +/-40 %; "
        "penalty 0.75). A mix gives each SMB one type in those proportions.",
        choices=CONTRACT_KINDS,
        mixable=True,
    ),
    _p(
        "overbilling_share",
        float,
        0.15,
        "agency",
        "Share of the fee a time-and-materials vendor adds in "
        "unworked hours when it overbills; an audit finds it with the detection chance.",
        0.0,
        1.0,
    ),
    _p(
        "sla_threshold",
        float,
        0.5,
        "agency",
        "Service-level agreement: the measured delivered quality "
        "below which a month counts as an SLA breach (a strike).",
        0.0,
        1.0,
    ),
    _p(
        "sla_breach_limit",
        int,
        3,
        "agency",
        "Consecutive strikes (SLA breaches or detected shirking or "
        "overbilling) after which the SMB terminates a contract for poor performance.",
        1,
        60,
        unit="months",
    ),
    _p(
        "contract_duration",
        int,
        24,
        "agency",
        "Length of a contract term; at its end the SMB renews an "
        "incumbent with a clean record that it still believes in, or re-tenders.",
        1,
        240,
        unit="months",
    ),
    _p(
        "blacklist_months",
        int,
        36,
        "agency",
        "Months an SMB refuses to re-hire a vendor it ended for poor performance (memory of bad experience).",
        0,
        1200,
        unit="months",
    ),
    # --- network theory -------------------------------------------------------------------------
    _p(
        "referral_weight",
        float,
        0.5,
        "network",
        "Weight an SMB gives to peers' experience of a vendor, as a "
        "share of the precision of its own experience (0: peers are not asked). Peers report good and bad "
        "experience; the vendors they rate best join the shortlist.",
        0.0,
        1.0,
        mixable=True,
    ),
    _p(
        "referral_count",
        int,
        2,
        "network",
        "Peers asked for their experience when a function is sourced.",
        0,
        20,
    ),
    _p(
        "peer_degree",
        int,
        4,
        "network",
        "Peer ties per SMB in the small-world graph (Watts-Strogatz k; rounded down to even).",
        0,
        50,
    ),
    _p(
        "peer_rewiring",
        float,
        0.1,
        "network",
        "Rewiring probability of the small-world peer graph.",
        0.0,
        1.0,
    ),
    _p(
        "shortlist_size",
        int,
        4,
        "network",
        "Vendors drawn from the market for each sourcing search (referred vendors come on top).",
        1,
        50,
        unit="vendors",
    ),
    _p(
        "trust_gain",
        float,
        0.05,
        "network",
        "Share of the remaining gap to full relational capital gained with each good delivery.",
        0.0,
        1.0,
    ),
    _p(
        "trust_loss",
        float,
        0.3,
        "network",
        "Share of relational capital lost with each failure (strike, data breach).",
        0.0,
        1.0,
    ),
    _p(
        "trust_decay",
        float,
        0.02,
        "network",
        "Monthly share of relational capital lost on an SMB-vendor tie with no active contract.",
        0.0,
        1.0,
        unit="1/month",
    ),
    # --- shocks and diversification -------------------------------------------------------------
    _p(
        "sourcing_policy",
        str,
        "single",
        "risk",
        "How many vendors share an outsourced function: single "
        "(1), dual (2) or multi (3) - diversification at a cost premium. A changed policy applies "
        "to a function once its current contracts have run out.",
        choices=tuple(SOURCING_SLOTS),
        mixable=True,
    ),
    _p(
        "diversification_premium",
        float,
        0.05,
        "risk",
        "Fee premium per additional vendor on a function (lost volume discount, coordination).",
        0.0,
        1.0,
    ),
    _p(
        "vendor_failure_rate",
        float,
        0.005,
        "risk",
        "Monthly failure hazard of a solvent vendor of average "
        "financial stability (weak and loss-making vendors fail more often).",
        0.0,
        1.0,
        unit="1/month",
    ),
    _p(
        "resourcing_delay",
        int,
        2,
        "risk",
        "Months an SMB needs to re-source a function whose vendor failed "
        "or was terminated; its share of output is lost meanwhile.",
        0,
        24,
        unit="months",
    ),
    _p(
        "breach_rate",
        float,
        0.01,
        "risk",
        "Monthly chance of a data breach on a contract with a vendor of "
        "zero security (falls linearly with the vendor's security level).",
        0.0,
        1.0,
        unit="1/month",
    ),
    _p(
        "breach_cost",
        float,
        4.0,
        "risk",
        "Cost to the SMB of a data breach on a whole function of asset "
        "specificity 0.5 (scales linearly with specificity).",
        0.0,
        1000.0,
        unit="money units",
    ),
    _p(
        "ip_leak_loss",
        float,
        0.02,
        "risk",
        "Share of core performance lost when a breach leaks the SMB's "
        "intellectual property (chance rises with asset specificity).",
        0.0,
        1.0,
    ),
    # --- vendor market --------------------------------------------------------------------------
    _p(
        "offshore_share",
        float,
        0.3,
        "economics",
        "Share of vendors located offshore: cheapest, with the most communication friction.",
        0.0,
        1.0,
    ),
    _p(
        "nearshore_share",
        float,
        0.3,
        "economics",
        "Share of vendors located nearshore (the rest are onshore).",
        0.0,
        1.0,
    ),
    _p(
        "vendor_cost_ratio",
        float,
        0.7,
        "economics",
        "Onshore vendor's variable cost of serving a whole "
        "function, relative to the mean in-house cost (economies of scale and specialisation).",
        0.05,
        5.0,
    ),
    _p(
        "vendor_markup",
        float,
        0.3,
        "economics",
        "Mean markup of vendors' list prices over their variable "
        "cost at entry; each vendor then adjusts it to its load and reputation.",
        0.0,
        3.0,
    ),
    _p(
        "vendor_capacity",
        int,
        20,
        "economics",
        "Mean number of whole functions a vendor can serve at entry (a dual- or multi-sourced share "
        "takes its part); vendors add capacity when full and profitable and cut it when idle.",
        1,
        10_000,
        unit="functions",
    ),
    _p(
        "vendor_entry_rate",
        float,
        0.05,
        "economics",
        "Monthly chance that an empty market place sees an "
        "entry attempt; the entrant comes in only if it expects a profit.",
        0.0,
        1.0,
        unit="1/month",
    ),
    _p(
        "vendor_exit_patience",
        int,
        6,
        "economics",
        "Consecutive months of negative cash after which a vendor leaves the market (sustained losses).",
        1,
        240,
        unit="months",
    ),
    # --- innovation -----------------------------------------------------------------------------
    _p(
        "innovation_rate",
        float,
        0.02,
        "innovation",
        "Monthly chance of a joint innovation on a "
        "relationship with full relational capital, vendor expertise and absorptive capacity.",
        0.0,
        1.0,
        unit="1/month",
    ),
    _p(
        "innovation_value",
        float,
        0.03,
        "innovation",
        "Permanent gain in core performance from one innovation.",
        0.0,
        1.0,
    ),
    # --- SMB economics --------------------------------------------------------------------------
    _p(
        "base_revenue",
        float,
        12.0,
        "economics",
        "Mean monthly revenue of the active SMBs: revenue is relative, an SMB earns this times its "
        "performance (core performance times function quality) over the market's mean performance.",
        0.0,
        1e6,
        unit="money units",
    ),
    _p(
        "core_cost_share",
        float,
        0.45,
        "economics",
        "Operating cost of the core activity (staff, premises, "
        "materials), as a share of base revenue times the SMB's core performance over the market's "
        "mean core performance; SMBs scatter around it.",
        0.0,
        2.0,
    ),
    _p(
        "inhouse_cost",
        float,
        1.0,
        "economics",
        "Median monthly cost of running a function in-house (SMBs "
        "and functions scatter log-normally around it).",
        0.01,
        1e4,
        unit="money units",
    ),
    _p(
        "initial_cash",
        float,
        12.0,
        "economics",
        "Cash each SMB (and each entrant) starts with: about a month of revenue.",
        0.0,
        1e7,
        unit="money units",
    ),
    _p(
        "cash_buffer_months",
        float,
        1.0,
        "economics",
        "Cash an SMB keeps, in months of its revenue; what it earns beyond that is paid out to its "
        "owners (small firms hold about a month of revenue in cash).",
        0.0,
        120.0,
        unit="months of revenue",
    ),
    _p(
        "exit_patience",
        int,
        6,
        "economics",
        "Consecutive months of negative cash after which an SMB exits.",
        1,
        120,
        unit="months",
    ),
    _p(
        "smb_entry_rate",
        float,
        0.1,
        "economics",
        "Monthly chance that the place of an exited SMB is taken by a new SMB (0: exits are never replaced).",
        0.0,
        1.0,
        unit="1/month",
    ),
    _p(
        "smb_discount_rate",
        float,
        0.1,
        "economics",
        "Annual rate at which SMBs discount future costs in the make-or-buy decision.",
        0.0,
        1.0,
        unit="1/year",
    ),
    # --- learning: strategies that adapt ---------------------------------------------------------
    _p(
        "adaptation",
        str,
        "none",
        "learning",
        "How SMBs change their strategy (decision rule, due diligence, monitoring, contract type, "
        "sourcing policy, referral weight) at their reviews: none (never), imitation (compare recent "
        "profit with a random peer's and copy its strategy with the Fermi probability) or reinforcement "
        "(experience-weighted attraction over the strategies of the initial mix, chosen by logit).",
        choices=("none", "imitation", "reinforcement"),
    ),
    _p(
        "imitation_strength",
        float,
        2.0,
        "learning",
        "Selection strength of imitation: the Fermi rule copies a peer with probability "
        "1 / (1 + exp(-strength x profit gap)), the gap in money units per month (0: a coin toss).",
        0.0,
        100.0,
        unit="1/money unit",
    ),
    _p(
        "mutation_rate",
        float,
        0.01,
        "learning",
        "Chance per review that an imitating SMB tries a random strategy of the initial mix instead.",
        0.0,
        1.0,
        unit="1/review",
    ),
    _p(
        "ewa_phi",
        float,
        0.9,
        "learning",
        "Reinforcement (EWA): decay of past attractions per review (Camerer & Ho's phi).",
        0.0,
        1.0,
    ),
    _p(
        "ewa_delta",
        float,
        0.5,
        "learning",
        "Reinforcement (EWA): weight of the forgone payoffs of strategies the SMB does not use, "
        "seen in its peers' profits (0 pure reinforcement, 1 belief learning).",
        0.0,
        1.0,
    ),
    _p(
        "ewa_rho",
        float,
        0.9,
        "learning",
        "Reinforcement (EWA): decay of the experience weight per review (Camerer & Ho's rho).",
        0.0,
        1.0,
    ),
    _p(
        "ewa_lambda",
        float,
        2.0,
        "learning",
        "Reinforcement (EWA): sensitivity of the logit choice to attractions (0: strategies at random).",
        0.0,
        100.0,
        unit="1/money unit",
    ),
    _p(
        "entrant_strategy",
        str,
        "initial",
        "learning",
        "Where an entrant SMB's strategy comes from: initial (drawn from the initial mix) or current "
        "(copied from a random SMB in business: the market's present mix).",
        choices=("initial", "current"),
    ),
    # --- business units: labels of money for reports, never read by the simulation -------------
    _p(
        "currency",
        str,
        "model",
        "scale",
        "Currency in which reports, summaries and `smb-eco advise` state money (model: plain money "
        "units). A label only: no simulation result depends on it.",
        choices=CURRENCIES,
    ),
    _p(
        "money_unit",
        float,
        1.0,
        "scale",
        "Amount of the currency one money unit stands for (1000: one unit is 1,000 EUR, and money "
        "is labelled EUR k). A label only: no simulation result depends on it.",
        1e-6,
        1e12,
        unit="currency per money unit",
    ),
    # --- the focal firm's own circumstances -----------------------------------------------------
    _p(
        "focal_size",
        float,
        0.0,
        "scale",
        "Relative size of the focal firm (median SMB 1; see smb_size_spread): the volume over which it "
        "spreads fixed vendor management costs. 0: drawn like any SMB's. Ignored without a focal firm.",
        0.0,
        1000.0,
    ),
    # --- output ---------------------------------------------------------------------------------
    _p(
        "collect_agent_data",
        bool,
        False,
        "scale",
        "Also collect per-agent data every step (cash, "
        "outsourced functions, clients, profit); off by default because it is large.",
    ),
)


def _a(name, kind, default, symbol, module, perspective, low, high, unit, description):
    """An advanced parameter: a constant of a mechanism, once hard-coded as ``symbol`` in ``module``."""
    return Parameter(
        name,
        kind,
        default,
        description,
        perspective,
        low,
        high,
        unit=unit,
        advanced=True,
        symbol=symbol,
        module=module,
    )


#: The mechanisms' constants, once hard-coded as named module constants and literal numbers. They
#: are settable like any parameter but hidden from the dashboard and from plain ``smb-eco params``
#: (``smb-eco params --all`` shows them). Their ranges are what the model accepts and still makes
#: sense of, not claims about real markets; the global screening
#: (``experiments/specs/morris_all.yaml``) varies them over plausible ranges around the defaults
#: inside these. Their defaults are the former constants, so results at the defaults are unchanged.
ADVANCED: tuple[Parameter, ...] = (
    # model.py
    _a(
        "capacity_review_interval",
        int,
        3,
        "CAPACITY_REVIEW",
        "model.py",
        "economics",
        1,
        12,
        "months",
        "Months between vendors' capacity reviews.",
    ),
    # beliefs.py
    _a(
        "belief_forgetting",
        float,
        0.97,
        "FORGETTING",
        "mechanisms/beliefs.py",
        "learning",
        0.8,
        1.0,
        "",
        "Monthly factor by which an SMB's old observations of a vendor lose weight "
        "(0.97: half-life about 23 months).",
    ),
    _a(
        "min_evidence_variance",
        float,
        1e-4,
        "MIN_VARIANCE",
        "mechanisms/beliefs.py",
        "agency",
        1e-6,
        1e-2,
        "",
        "Smallest variance of the screening evidence (a complete screening is exact up to this).",
    ),
    # contracts.py
    _a(
        "bill_floor",
        float,
        0.3,
        "BILL_FLOOR",
        "mechanisms/contracts.py",
        "agency",
        0.0,
        1.0,
        "share of fee",
        "Smallest bill as a share of the fee, whatever the penalties.",
    ),
    # economics.py
    _a(
        "function_weight",
        float,
        0.5,
        "FUNCTION_WEIGHT",
        "mechanisms/economics.py",
        "economics",
        0.0,
        1.0,
        "",
        "W: share of an SMB's performance that depends on its support functions' quality.",
    ),
    _a(
        "core_cost_spread",
        float,
        0.05,
        "CORE_COST_SPREAD",
        "mechanisms/economics.py",
        "economics",
        0.0,
        0.3,
        "",
        "Log-normal sigma of SMBs' core cost factors around core_cost_share.",
    ),
    # functions.py
    _a(
        "function_concentration",
        float,
        8.0,
        "_CONCENTRATION",
        "mechanisms/functions.py",
        "scale",
        2.0,
        50.0,
        "",
        "Beta concentration (a + b) of the functions' attributes (capability, importance, specificity, "
        "uncertainty, frequency) around their means.",
    ),
    _a(
        "inhouse_cost_spread",
        float,
        0.25,
        "INHOUSE_COST_SPREAD",
        "mechanisms/functions.py",
        "economics",
        0.0,
        0.6,
        "",
        "Log-normal sigma of a function's in-house cost around inhouse_cost.",
    ),
    # holdup.py
    _a(
        "transition_base",
        float,
        0.5,
        "TRANSITION_BASE",
        "mechanisms/holdup.py",
        "TCE",
        0.0,
        2.0,
        "",
        "T0: base of the specificity factor (T0 + s) of transition (switching) costs.",
    ),
    # innovation.py
    _a(
        "inhouse_innovation_factor",
        float,
        0.25,
        "INHOUSE_INNOVATION_FACTOR",
        "mechanisms/innovation.py",
        "innovation",
        0.0,
        1.0,
        "",
        "In-house innovation odds relative to a perfect partnership.",
    ),
    # moral_hazard.py
    _a(
        "delivery_noise",
        float,
        0.05,
        "DELIVERY_NOISE",
        "mechanisms/moral_hazard.py",
        "agency",
        0.01,
        0.2,
        "",
        "Standard deviation of the noise on delivered quality.",
    ),
    _a(
        "measurement_noise",
        float,
        0.05,
        "MEASUREMENT_NOISE",
        "mechanisms/moral_hazard.py",
        "agency",
        0.01,
        0.2,
        "",
        "Standard deviation of the SMB's noise in measuring delivered quality.",
    ),
    _a(
        "temptation_spread",
        float,
        0.5,
        "TEMPTATION_SPREAD",
        "mechanisms/moral_hazard.py",
        "agency",
        0.0,
        1.5,
        "",
        "sigma_T: log-normal spread of the monthly shock to what shirking saves (mean one).",
    ),
    _a(
        "detection_accuracy",
        float,
        0.9,
        "DETECTION_ACCURACY",
        "mechanisms/moral_hazard.py",
        "agency",
        0.0,
        1.0,
        "probability",
        "Chance that an audit reveals shirking or overbilling.",
    ),
    _a(
        "renewal_belief",
        float,
        0.85,
        "RENEWAL_BELIEF",
        "mechanisms/moral_hazard.py",
        "agency",
        0.0,
        1.0,
        "probability",
        "pi_R: chance a vendor expects a clean contract to be renewed (its shadow of the future).",
    ),
    # relational_capital.py
    _a(
        "trust_relief",
        float,
        0.5,
        "TRUST_RELIEF",
        "mechanisms/relational_capital.py",
        "network",
        0.0,
        1.0,
        "",
        "t_r: largest share of governance costs that full trust saves.",
    ),
    # shocks.py
    _a(
        "surge_capacity",
        float,
        0.5,
        "SURGE_CAPACITY",
        "mechanisms/shocks.py",
        "risk",
        0.0,
        2.0,
        "",
        "kappa_surge: share of its own volume a co-supplier adds to cover a missing one.",
    ),
    _a(
        "hazard_scale",
        float,
        2.0,
        "HAZARD_SCALE",
        "mechanisms/shocks.py",
        "risk",
        0.0,
        4.0,
        "",
        "Scale of the random vendor failure hazard 2 h0 (1 - stability)(1 + distressed): at the mean "
        "stability 1/2 and 2 it equals vendor_failure_rate.",
    ),
    _a(
        "distress_hazard_increase",
        float,
        1.0,
        "1 + distressed (literal)",
        "mechanisms/shocks.py",
        "risk",
        0.0,
        3.0,
        "",
        "Relative increase of a vendor's failure hazard while its cash is negative (1: doubled).",
    ),
    _a(
        "breach_scale",
        float,
        2.0,
        "BREACH_SCALE",
        "mechanisms/shocks.py",
        "risk",
        0.0,
        4.0,
        "",
        "Scale of data-breach damage 2 c_b s x: at specificity 1/2 and 2 a breach of a whole function costs "
        "breach_cost.",
    ),
    # vendor_economics.py
    _a(
        "target_utilisation",
        float,
        0.8,
        "TARGET_UTILISATION",
        "mechanisms/vendor_economics.py",
        "economics",
        0.5,
        1.0,
        "share of capacity",
        "Utilisation at which a vendor's markup holds steady.",
    ),
    _a(
        "markup_step",
        float,
        0.02,
        "MARKUP_STEP",
        "mechanisms/vendor_economics.py",
        "economics",
        0.0,
        0.1,
        "1/month",
        "Monthly markup change per unit of utilisation gap.",
    ),
    _a(
        "reputation_premium",
        float,
        1.0,
        "REPUTATION_PREMIUM",
        "mechanisms/vendor_economics.py",
        "economics",
        0.0,
        3.0,
        "",
        "Weight of the reputation gap in the markup change.",
    ),
    _a(
        "markup_min",
        float,
        0.1,
        "MARKUP_MIN",
        "mechanisms/vendor_economics.py",
        "economics",
        0.0,
        0.5,
        "",
        "Lowest markup a vendor's pricing may reach (below markup_max).",
    ),
    _a(
        "markup_max",
        float,
        1.5,
        "MARKUP_MAX",
        "mechanisms/vendor_economics.py",
        "economics",
        0.5,
        3.0,
        "",
        "Highest markup a vendor's pricing may reach (above markup_min).",
    ),
    _a(
        "capacity_step",
        float,
        0.1,
        "CAPACITY_STEP",
        "mechanisms/vendor_economics.py",
        "economics",
        0.0,
        0.5,
        "share of capacity",
        "Share of capacity added or cut at a capacity review (at least one function).",
    ),
    _a(
        "smoothing",
        float,
        0.2,
        "SMOOTHING",
        "mechanisms/vendor_economics.py",
        "economics",
        0.01,
        1.0,
        "",
        "Weight of the newest month in a vendor's smoothed utilisation, profit and reputation.",
    ),
    _a(
        "newcomer_share",
        float,
        0.6,
        "NEWCOMER_SHARE",
        "mechanisms/vendor_economics.py",
        "economics",
        0.0,
        1.0,
        "",
        "nu: share of the market's utilisation a would-be entrant expects.",
    ),
    _a(
        "grow_utilisation",
        float,
        0.9,
        "GROW_UTILISATION",
        "mechanisms/vendor_economics.py",
        "economics",
        0.5,
        1.0,
        "share of capacity",
        "Smoothed utilisation above which a profitable vendor grows its capacity at a review "
        "(above shrink_utilisation).",
    ),
    _a(
        "shrink_utilisation",
        float,
        0.6,
        "SHRINK_UTILISATION",
        "mechanisms/vendor_economics.py",
        "economics",
        0.0,
        0.9,
        "share of capacity",
        "Smoothed utilisation below which a vendor cuts its capacity at a review (below grow_utilisation).",
    ),
    # vendors.py
    _a(
        "nearshore_cost_factor",
        float,
        0.8,
        "LOCATION_COST[1]",
        "mechanisms/vendors.py",
        "economics",
        0.3,
        1.2,
        "",
        "Cost multiplier of nearshore vendors (onshore is the numeraire, 1).",
    ),
    _a(
        "offshore_cost_factor",
        float,
        0.6,
        "LOCATION_COST[2]",
        "mechanisms/vendors.py",
        "economics",
        0.2,
        1.2,
        "",
        "Cost multiplier of offshore vendors (onshore is the numeraire, 1).",
    ),
    _a(
        "nearshore_friction",
        float,
        0.06,
        "LOCATION_FRICTION[1]",
        "mechanisms/vendors.py",
        "economics",
        0.0,
        0.3,
        "share of quality",
        "Share of delivered quality lost to communication friction nearshore (onshore: none).",
    ),
    _a(
        "offshore_friction",
        float,
        0.15,
        "LOCATION_FRICTION[2]",
        "mechanisms/vendors.py",
        "economics",
        0.0,
        0.5,
        "share of quality",
        "Share of delivered quality lost to communication friction offshore (onshore: none).",
    ),
    _a(
        "good_quality",
        float,
        0.78,
        "GOOD_QUALITY",
        "mechanisms/vendors.py",
        "agency",
        0.5,
        0.95,
        "",
        "Mean true quality of good vendors (above lemon_quality).",
    ),
    _a(
        "lemon_quality",
        float,
        0.42,
        "LEMON_QUALITY",
        "mechanisms/vendors.py",
        "agency",
        0.1,
        0.7,
        "",
        "Mean true quality of lemons (below good_quality).",
    ),
    _a(
        "quality_concentration",
        float,
        20.0,
        "QUALITY_CONCENTRATION",
        "mechanisms/vendors.py",
        "agency",
        2.0,
        100.0,
        "",
        "Beta concentration of vendors' true quality around their type's mean.",
    ),
    _a(
        "cost_base",
        float,
        0.5,
        "COST_BASE",
        "mechanisms/vendors.py",
        "economics",
        0.1,
        1.0,
        "",
        "Base of the quality factor (cost_base + cost_slope x quality) of a vendor's variable cost.",
    ),
    _a(
        "cost_slope",
        float,
        0.65,
        "COST_SLOPE",
        "mechanisms/vendors.py",
        "economics",
        0.0,
        1.5,
        "",
        "Slope of the quality factor of a vendor's variable cost (quality costs money).",
    ),
    _a(
        "fixed_cost_share",
        float,
        0.1,
        "FIXED_COST",
        "mechanisms/vendors.py",
        "economics",
        0.0,
        0.5,
        "share of variable cost",
        "Monthly fixed cost per unit of a vendor's capacity, as a share of its variable cost.",
    ),
    _a(
        "vendor_start_cash_months",
        float,
        12.0,
        "START_CASH_MONTHS",
        "mechanisms/vendors.py",
        "economics",
        0.0,
        36.0,
        "months",
        "Starting cash of a vendor, in months of its fixed cost.",
    ),
    _a(
        "patience_concentration",
        float,
        40.0,
        "PATIENCE_CONCENTRATION",
        "mechanisms/vendors.py",
        "agency",
        2.0,
        200.0,
        "",
        "Beta concentration of vendors' patience around vendor_patience.",
    ),
    _a(
        "max_patience",
        float,
        0.999,
        "MAX_PATIENCE",
        "mechanisms/vendors.py",
        "agency",
        0.9,
        0.9999,
        "",
        "Highest patience (monthly discount factor) a vendor may draw.",
    ),
    _a(
        "market_room",
        int,
        2,
        "MARKET_ROOM",
        "mechanisms/vendors.py",
        "economics",
        1,
        5,
        "places per vendor",
        "Market places per initial vendor: room for entrants.",
    ),
    _a(
        "vendor_cost_spread",
        float,
        0.1,
        "VENDOR_COST_SPREAD",
        "mechanisms/vendors.py",
        "economics",
        0.0,
        0.4,
        "",
        "Log-normal sigma of a vendor's variable cost around its location's and quality's level.",
    ),
    _a(
        "markup_spread",
        float,
        0.2,
        "MARKUP_SPREAD",
        "mechanisms/vendors.py",
        "economics",
        0.0,
        0.6,
        "",
        "Log-normal sigma of a vendor's initial markup around vendor_markup.",
    ),
    _a(
        "offer_chance",
        float,
        0.5,
        "OFFER_CHANCE",
        "mechanisms/vendors.py",
        "economics",
        0.0,
        1.0,
        "probability",
        "Chance that a vendor offers a given business function (each offers at least one).",
    ),
    _a(
        "security_beta_a",
        float,
        4.0,
        "SECURITY_BETA[0]",
        "mechanisms/vendors.py",
        "risk",
        0.5,
        10.0,
        "",
        "Shape a of the Beta(a, b) of vendors' security level (default mean 2/3).",
    ),
    _a(
        "security_beta_b",
        float,
        2.0,
        "SECURITY_BETA[1]",
        "mechanisms/vendors.py",
        "risk",
        0.5,
        10.0,
        "",
        "Shape b of the Beta(a, b) of vendors' security level.",
    ),
    _a(
        "stability_beta_a",
        float,
        5.0,
        "STABILITY_BETA[0]",
        "mechanisms/vendors.py",
        "risk",
        0.5,
        10.0,
        "",
        "Shape a of the Beta(a, b) of vendors' financial stability (default mean 1/2).",
    ),
    _a(
        "stability_beta_b",
        float,
        5.0,
        "STABILITY_BETA[1]",
        "mechanisms/vendors.py",
        "risk",
        0.5,
        10.0,
        "",
        "Shape b of the Beta(a, b) of vendors' financial stability.",
    ),
    # decision_rules.py
    _a(
        "tc_specificity_weight",
        float,
        3.0,
        "TC_SPECIFICITY",
        "mechanisms/decision_rules.py",
        "TCE",
        0.0,
        6.0,
        "",
        "Weight of asset specificity s in the transaction cost rate tau0 (1 + 3s + 3su + 1.5sf).",
    ),
    _a(
        "tc_uncertainty_weight",
        float,
        3.0,
        "TC_SPECIFICITY_UNCERTAINTY",
        "mechanisms/decision_rules.py",
        "TCE",
        0.0,
        6.0,
        "",
        "Weight of specificity x uncertainty su in the transaction cost rate.",
    ),
    _a(
        "tc_frequency_weight",
        float,
        1.5,
        "TC_SPECIFICITY_FREQUENCY",
        "mechanisms/decision_rules.py",
        "TCE",
        0.0,
        3.0,
        "",
        "Weight of specificity x frequency sf in the transaction cost rate.",
    ),
    _a(
        "make_overhead_base",
        float,
        1.5,
        "MAKE_OVERHEAD_BASE",
        "mechanisms/decision_rules.py",
        "TCE",
        1.0,
        2.0,
        "",
        "Frequency offset of the hierarchy's overhead g (1.5 - f) of the in-house cost: lower for frequent "
        "transactions.",
    ),
)

#: Every parameter: the basic ones first, then the advanced ones.
PARAMETERS: tuple[Parameter, ...] = _BASIC + ADVANCED

#: Numeric module-level constants of ``ecosystem/model.py`` and ``ecosystem/mechanisms/*.py`` that
#: are not model constants, and why ((module, name): reason). Every other numeric constant there
#: must be an advanced parameter (``tests/test_docs.py`` checks both lists against the source).
STRUCTURAL_CONSTANTS: dict[tuple[str, str], str] = {
    ("model.py", "N_FUNCTIONS"): "the number of business functions, len(BUSINESS_FUNCTIONS): the list "
    "of functions defines the model's SMB, and arrays are shaped by it",
    ("model.py", "NEVER"): "a sentinel for 'no re-sourcing due' (the largest int64), not a quantity",
    (
        "model.py",
        "SLOTS",
    ): "vendor slots per function under each sourcing_policy (single 1, dual 2, multi 3): "
    "the definition of the policies, not a quantity that could take another value",
    ("mechanisms/shocks.py", "SOURCING_SLOTS"): "the same definition of the sourcing policies as SLOTS",
    ("mechanisms/contracts.py", "FAILURE_HORIZON"): "24 months within which an ended relationship counts "
    "as failed in relationship_failure_share: the definition of the surveys' measure (two years), which "
    "the model's output is compared with, not a behaviour of the model",
}

_BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}


def parameter(name: str) -> Parameter:
    """Return the declaration of ``name``, or raise ``ValueError`` suggesting a close name.

    ``focal.FIELD`` names a strategy field of the focal firm: the field's declaration, without mixes.

    >>> parameter("focal.sourcing_policy").allowed()
    'one of single, dual, multi'
    """
    if name.startswith(FOCAL_PREFIX):
        field = name[len(FOCAL_PREFIX) :]
        if field not in STRATEGY_FIELDS:
            raise ValueError(
                f"unknown focal firm field {field!r}: "
                f"the focal firm's strategy has {', '.join(STRATEGY_FIELDS)}"
            )
        base = _BY_NAME[field]
        return dataclasses.replace(
            base, name=name, mixable=False, description="The focal firm's own " + field + "."
        )
    try:
        return _BY_NAME[name]
    except KeyError:
        close = difflib.get_close_matches(name, _BY_NAME, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown parameter {name!r}{hint} (`smb-eco params` lists them all)") from None


#: Pairs of parameters whose values must be strictly ordered (first below second).
ORDERED_PAIRS: tuple[tuple[str, str], ...] = (
    ("markup_min", "markup_max"),
    ("shrink_utilisation", "grow_utilisation"),
    ("lemon_quality", "good_quality"),
)


def defaults() -> dict[str, Any]:
    """All parameters at their default values."""
    return {p.name: p.default for p in PARAMETERS}


def validate_parameters(values: Mapping[str, Any]) -> dict[str, Any]:
    """Complete ``values`` with defaults and check every value against the schema.

    Raises
    ------
    ValueError
        Naming the first unknown parameter, wrongly typed or out-of-range value, or
        inconsistent combination, and what is allowed.

    Examples
    --------
    >>> validate_parameters({"n_smbs": 10})["n_smbs"]
    10
    >>> validate_parameters({"lemon_share": 2})
    Traceback (most recent call last):
    ...
    ValueError: parameter 'lemon_share' must be a number in [0, 1], got 2
    """
    complete = defaults()
    for name, value in values.items():
        complete[name] = parameter(name).check(value)
    if complete["offshore_share"] + complete["nearshore_share"] > 1.0 + 1e-12:
        raise ValueError(
            "parameters 'offshore_share' + 'nearshore_share' must not exceed 1, got "
            f"{complete['offshore_share']:g} + {complete['nearshore_share']:g}"
        )
    for low, high in ORDERED_PAIRS:
        if not complete[low] < complete[high]:
            raise ValueError(
                f"parameter {low!r} must be below {high!r}, got {complete[low]:g} >= {complete[high]:g}"
            )
    return complete


def validate_focal(focal: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Check the focal firm's strategy: a mapping of strategy fields to single values (no mixes).

    Values may be text, as written on the command line. ``None`` means no focal firm; an empty
    mapping is a focal firm that takes the market's strategy where the market has one.

    >>> validate_focal({"sourcing_policy": "dual", "monitoring_intensity": "0.4"})
    {'sourcing_policy': 'dual', 'monitoring_intensity': 0.4}
    >>> validate_focal({"colour": "red"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown focal firm field 'colour': the focal firm's strategy has decision_rule, ...
    """
    if focal is None:
        return None
    if not isinstance(focal, Mapping):
        raise ValueError(f"the focal firm's strategy must be a mapping of field: value, got {focal!r}")
    checked = {}
    for field, value in focal.items():
        name = FOCAL_PREFIX + str(field)
        checked[str(field)] = (
            parse_value(name, value) if isinstance(value, str) else parameter(name).check(value)
        )
    return checked


def parse_value(name: str, text: str) -> Any:
    """Turn the text of ``--set NAME=VALUE`` into a checked value of the parameter's type."""
    spec = parameter(name)
    text = text.strip()
    if spec.kind is bool:
        lowered = text.lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
        return spec.check(text)
    if spec.kind in (int, float):
        if spec.mixable and ":" in text:
            return spec.check(_parse_mix(name, text, numeric=True))
        try:
            number = float(text) if spec.kind is float else int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return spec.check(text)
        return spec.check(number)
    if spec.mixable and ":" in text:
        return spec.check(_parse_mix(name, text))
    return spec.check(text)


def _parse_mix(name: str, text: str, numeric: bool = False) -> dict:
    """``a:0.5,b:0.5`` (or YAML's ``{a: 0.5, b: 0.5}``) as a mapping of choices to shares; with
    ``numeric`` the choices are numbers (``0.1:0.5,0.6:0.5``).

    >>> _parse_mix("contract_type", "fixed_price:0.25, performance_based:0.75")
    {'fixed_price': 0.25, 'performance_based': 0.75}
    >>> _parse_mix("due_diligence", "0.1:0.5,0.6:0.5", numeric=True)
    {0.1: 0.5, 0.6: 0.5}
    """
    written = "VALUE:SHARE,VALUE:SHARE" if numeric else "CHOICE:SHARE,CHOICE:SHARE"
    body = text.strip().removeprefix("{").removesuffix("}")
    mix: dict[str, float] = {}
    for item in body.split(","):
        key, sep, share = item.partition(":")
        try:
            mix[float(key) if numeric else key.strip()] = float(share)
        except ValueError:
            raise ValueError(f"parameter {name!r}: a mix is written {written}, got {text!r}") from None
        if not sep:
            raise ValueError(f"parameter {name!r}: a mix is written {written}, got {text!r}")
    return mix


def format_value(value: Any) -> str:
    """A parameter value as text that :func:`parse_value` reads back (mixes as ``a:0.5,b:0.5``).

    >>> format_value({"fixed_price": 0.5, "performance_based": 0.5}), format_value(0.3)
    ('fixed_price:0.5,performance_based:0.5', '0.3')
    >>> format_value({0.1: 0.5, 0.6: 0.5})
    '0.1:0.5,0.6:0.5'
    """
    if isinstance(value, Mapping):
        return ",".join(
            f"{key!r}:{float(share)!r}" if not isinstance(key, str) else f"{key}:{float(share)!r}"
            for key, share in value.items()
        )
    return str(value)


def basic_parameters() -> tuple[Parameter, ...]:
    """The parameters shown by default (the dashboard's and plain ``smb-eco params``): not advanced."""
    return tuple(p for p in PARAMETERS if not p.advanced)


def advanced_table(markdown: bool = True) -> str:
    """The advanced parameters as a table: name, former constant, module, default, range, unit, meaning."""
    header = ("name", "former constant", "module", "default", "range", "unit", "perspective", "meaning")
    rows = [
        (
            p.name,
            p.symbol,
            p.module,
            format_value(p.default),
            f"[{_fmt(p.low)}, {_fmt(p.high)}]",
            p.unit,
            p.perspective,
            p.description,
        )
        for p in ADVANCED
    ]
    code = (0, 1, 2)
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += [
            "| " + " | ".join(f"`{c}`" if i in code and c else c for i, c in enumerate(r)) + " |"
            for r in rows
        ]
        return "\n".join(lines)
    return _aligned(header, rows)


def _aligned(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """Plain-text columns, the last one unpadded."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for r in [header, *rows]:
        cells = [r[i].ljust(widths[i]) for i in range(len(header) - 1)]
        lines.append("  ".join(cells) + "  " + r[-1])
    return "\n".join(lines)


def schema_table(markdown: bool = True) -> str:
    """The basic parameters as a table: name, type, default, allowed values, unit, perspective,
    meaning (:func:`advanced_table` has the advanced ones)."""
    header = ("name", "type", "default", "allowed", "unit", "perspective", "description")
    rows = [
        (
            p.name,
            p.kind.__name__,
            repr(p.default) if p.kind is str else format_value(p.default),
            p.allowed(),
            p.unit,
            p.perspective,
            p.description,
        )
        for p in basic_parameters()
    ]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += [
            "| " + " | ".join(f"`{r[0]}`" if i == 0 else r[i] for i in range(len(r))) + " |" for r in rows
        ]
        return "\n".join(lines)
    return _aligned(header, rows)
