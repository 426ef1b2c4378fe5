"""The parameter schema: the single source for defaults, validation, the CLI and the docs.

Every parameter of :class:`ecosystem.EcosystemModel` is declared once here, with its type,
default, allowed range or choices, a description in words, its unit and the theory perspective
it belongs to. Validation, ``smb-eco params``, ``--set NAME=VALUE`` parsing and the parameter
table of ``docs/ODD.md`` all read this list, so nothing restates a default.

Money is counted in *money units* per month, where one unit is the monthly in-house cost of an
average business function; time is counted in months (one model step).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "PARAMETERS",
    "Parameter",
    "defaults",
    "parameter",
    "parse_value",
    "schema_table",
    "validate_parameters",
]

PERSPECTIVES = ("scale", "TCE", "RBV", "agency", "network", "risk", "innovation", "economics")


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

    def allowed(self) -> str:
        """Describe the allowed values in words, for error messages and tables."""
        if self.choices is not None:
            return "one of " + ", ".join(self.choices)
        if self.kind is bool:
            return "true or false"
        noun = "an integer" if self.kind is int else "a number"
        return f"{noun} in [{_fmt(self.low)}, {_fmt(self.high)}]"

    def check(self, value: Any) -> Any:
        """Return ``value`` as this parameter's type, or raise ``ValueError`` saying what is allowed."""
        problem = f"parameter {self.name!r} must be {self.allowed()}, got {value!r}"
        if self.kind is bool:
            if not isinstance(value, bool | int) or value not in (0, 1):
                raise ValueError(problem)
            return bool(value)
        if self.kind is str:
            if not isinstance(value, str) or value not in (self.choices or ()):
                raise ValueError(problem)
            return value
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


def _fmt(number: float | None) -> str:
    return f"{number:g}" if isinstance(number, float) else str(number)


def _p(name, kind, default, perspective, description, low=None, high=None, choices=None, unit=""):
    return Parameter(name, kind, default, description, perspective, low, high, choices, unit)


PARAMETERS: tuple[Parameter, ...] = (
    # --- scale and timing ---------------------------------------------------------------------
    _p(
        "n_smbs",
        int,
        100,
        "scale",
        "Number of small and medium businesses at the start.",
        1,
        100_000,
        unit="SMBs",
    ),
    _p(
        "n_vendors",
        int,
        30,
        "scale",
        "Number of vendors at the start (exited vendors may be replaced, see vendor_entry_rate).",
        1,
        50_000,
        unit="vendors",
    ),
    _p(
        "review_interval",
        int,
        12,
        "scale",
        "Months between an SMB's needs assessments, at which "
        "it takes its make-or-buy decisions; first reviews are staggered over this interval.",
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
        "Theory perspective behind the make-or-buy "
        "decision: tce (Williamson's comparison of governance costs), rbv (keep what is strategic "
        "or where we are capable), cost (cheapest option only) or hybrid (TCE cost comparison "
        "with an RBV veto on strategic functions and on clear quality downgrades).",
        choices=("tce", "rbv", "cost", "hybrid"),
    ),
    _p(
        "asset_specificity",
        float,
        0.3,
        "TCE",
        "Mean asset specificity of the business "
        "functions: how far the investments and knowledge a function needs are specific to this "
        "SMB. Raises transaction costs, switching costs and the damage of a data breach.",
        0.0,
        1.0,
    ),
    _p(
        "uncertainty",
        float,
        0.3,
        "TCE",
        "Mean environmental and behavioural uncertainty of "
        "the functions. Raises transaction costs and makes time-and-materials bills volatile.",
        0.0,
        1.0,
    ),
    _p(
        "transaction_frequency",
        float,
        0.5,
        "TCE",
        "Mean frequency of transactions in a "
        "function (0 occasional, 1 continuous). Frequent specific transactions favour hierarchy.",
        0.0,
        1.0,
    ),
    _p(
        "transaction_cost_rate",
        float,
        0.15,
        "TCE",
        "Transaction (governance) cost of buying, as "
        "a share of the vendor fee, at zero specificity, uncertainty and frequency.",
        0.0,
        2.0,
    ),
    _p(
        "governance_cost_rate",
        float,
        0.1,
        "TCE",
        "Bureaucratic overhead of making in-house, as a share of the in-house cost at transaction "
        "frequency 0.5 (overhead g (1.5 - f) falls as frequency f rises).",
        0.0,
        2.0,
    ),
    # --- resource-based view --------------------------------------------------------------------
    _p(
        "strategic_importance",
        float,
        0.4,
        "RBV",
        "Mean strategic importance of the support "
        "functions to the SMB's competitive position (the core activity is never outsourced).",
        0.0,
        1.0,
    ),
    _p(
        "initial_capability",
        float,
        0.5,
        "RBV",
        "Mean in-house capability (0-1) of each function "
        "at the start; it is also the quality the SMB delivers itself.",
        0.0,
        1.0,
    ),
    _p(
        "capability_decay",
        float,
        0.02,
        "RBV",
        "Monthly share of in-house capability lost in a "
        "function while it is outsourced (skills and knowledge erode).",
        0.0,
        0.5,
        unit="1/month",
    ),
    _p(
        "capability_learning",
        float,
        0.01,
        "RBV",
        "Monthly share of the remaining gap to full "
        "capability closed in a function kept in-house (learning by doing).",
        0.0,
        0.5,
        unit="1/month",
    ),
    _p(
        "rbv_margin",
        float,
        0.1,
        "RBV",
        "How far a vendor's expected quality must exceed in-house capability before the rbv rule buys.",
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
        "Monthly growth of core performance per unit "
        "outsourced share: outsourcing frees resources and attention for the core.",
        0.0,
        0.1,
        unit="1/month",
    ),
    # --- agency theory --------------------------------------------------------------------------
    _p(
        "lemon_share",
        float,
        0.3,
        "agency",
        "Share of vendors of low true quality that overstate their quality (adverse selection).",
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
        0.3,
        "agency",
        "Screening effort on shortlisted vendors (0 none, "
        "1 full): shrinks the noise and the lemons' overstatement in quality signals.",
        0.0,
        1.0,
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
        "Share of vendor deliveries the SMB audits; a shirking month is detected with 0.9 times "
        "this chance. Costs the SMB.",
        0.0,
        1.0,
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
        "Share of the fee a vendor saves in a month by shirking (withholding effort).",
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
        "contract_type",
        str,
        "fixed_price",
        "agency",
        "Contract and pricing model: fixed_price "
        "(vendor prices in uncertainty; detected shirking costs it 0.75 months of fee), "
        "time_and_materials (SMB bears cost uncertainty; penalty 0.25) or performance_based (pay "
        "follows measured quality around the SLA level; penalty 0.75).",
        choices=("fixed_price", "time_and_materials", "performance_based"),
    ),
    _p(
        "sla_threshold",
        float,
        0.5,
        "agency",
        "Service-level agreement: the observed delivered "
        "quality below which a month counts as an SLA breach.",
        0.0,
        1.0,
    ),
    _p(
        "sla_breach_limit",
        int,
        3,
        "agency",
        "Consecutive SLA breaches after which the SMB terminates a contract for poor performance.",
        1,
        60,
        unit="months",
    ),
    _p(
        "contract_duration",
        int,
        24,
        "agency",
        "Length of a contract; at its end the SMB renews a well-performing incumbent or re-tenders.",
        1,
        240,
        unit="months",
    ),
    _p(
        "switching_cost",
        float,
        1.0,
        "agency",
        "One-off transition cost of moving a function to a "
        "new vendor or back in-house, in months of in-house cost (scaled up by asset specificity).",
        0.0,
        24.0,
        unit="months of cost",
    ),
    _p(
        "exit_fee_months",
        float,
        2.0,
        "agency",
        "Fee an SMB pays a vendor when it ends a contract early for its own convenience, in months of fee.",
        0.0,
        24.0,
        unit="months of fee",
    ),
    # --- network theory -------------------------------------------------------------------------
    _p(
        "referral_weight",
        float,
        0.5,
        "network",
        "Weight SMBs give to peers' experience of a "
        "vendor against their own screening signal; referred vendors also join the shortlist.",
        0.0,
        1.0,
    ),
    _p("referral_count", int, 2, "network", "Peers asked for a referral when a function is sourced.", 0, 20),
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
        "Share of relational capital lost with each failure (SLA breach, detected shirking, data breach).",
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
        "How many vendors share an outsourced function: "
        "single (1), dual (2) or multi (3) - diversification at a cost premium.",
        choices=("single", "dual", "multi"),
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
        "Monthly failure hazard of a vendor of average financial stability (weak vendors fail first).",
        0.0,
        1.0,
        unit="1/month",
    ),
    _p(
        "resourcing_delay",
        int,
        2,
        "risk",
        "Months an SMB needs to re-source a function whose "
        "vendor failed or was terminated; its share of output is lost meanwhile.",
        0,
        24,
        unit="months",
    ),
    _p(
        "breach_rate",
        float,
        0.01,
        "risk",
        "Monthly chance of a data breach on a contract with a "
        "vendor of zero security (falls linearly with the vendor's security level).",
        0.0,
        1.0,
        unit="1/month",
    ),
    _p(
        "breach_cost",
        float,
        4.0,
        "risk",
        "Cost to the SMB of a data breach on a whole function of asset specificity 0.5 (scales "
        "linearly with specificity).",
        0.0,
        1000.0,
        unit="money units",
    ),
    _p(
        "ip_leak_loss",
        float,
        0.02,
        "risk",
        "Share of core performance lost when a breach leaks "
        "the SMB's intellectual property (chance rises with asset specificity).",
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
        "vendor_price_ratio",
        float,
        0.8,
        "economics",
        "Onshore vendor price relative to the mean in-house cost (economies of scale).",
        0.05,
        5.0,
    ),
    _p(
        "vendor_capacity",
        int,
        20,
        "economics",
        "Mean number of contracts a vendor can serve.",
        1,
        10_000,
        unit="contracts",
    ),
    _p(
        "vendor_entry_rate",
        float,
        0.05,
        "economics",
        "Monthly chance that a market place left by an exited vendor is taken by a new vendor.",
        0.0,
        1.0,
        unit="1/month",
    ),
    _p(
        "vendor_idle_exit",
        int,
        24,
        "economics",
        "Months a vendor survives without clients before it leaves the market.",
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
        "Monthly revenue of an SMB with core performance 1 and perfect function quality.",
        0.0,
        1e6,
        unit="money units",
    ),
    _p(
        "inhouse_cost",
        float,
        1.0,
        "economics",
        "Median monthly cost of running a function in-house (SMBs and functions scatter "
        "log-normally around it).",
        0.01,
        1e4,
        unit="money units",
    ),
    _p("initial_cash", float, 24.0, "economics", "Cash each SMB starts with.", 0.0, 1e7, unit="money units"),
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
    # --- output ---------------------------------------------------------------------------------
    _p(
        "collect_agent_data",
        bool,
        False,
        "scale",
        "Also collect per-agent data every step (cash, "
        "outsourced functions, clients); off by default because it is large.",
    ),
)

_BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}


def parameter(name: str) -> Parameter:
    """Return the declaration of ``name``, or raise ``ValueError`` suggesting a close name."""
    try:
        return _BY_NAME[name]
    except KeyError:
        close = difflib.get_close_matches(name, _BY_NAME, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown parameter {name!r}{hint} (`smb-eco params` lists them all)") from None


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
    return complete


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
        try:
            number = float(text) if spec.kind is float else int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return spec.check(text)
        return spec.check(number)
    return spec.check(text)


def schema_table(markdown: bool = True) -> str:
    """The schema as a table: name, type, default, allowed values, unit, perspective, meaning."""
    header = ("name", "type", "default", "allowed", "unit", "perspective", "description")
    rows = [
        (
            p.name,
            p.kind.__name__,
            repr(p.default) if p.kind is str else str(p.default),
            p.allowed(),
            p.unit,
            p.perspective,
            p.description,
        )
        for p in PARAMETERS
    ]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += [
            "| " + " | ".join(f"`{r[0]}`" if i == 0 else r[i] for i in range(len(r))) + " |" for r in rows
        ]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for r in [header, *rows]:
        cells = [r[i].ljust(widths[i]) for i in range(len(header) - 1)]
        lines.append("  ".join(cells) + "  " + r[-1])
    return "\n".join(lines)
