"""Classroom scenarios: named sets of parameter overrides, the one place they are defined.

Each preset changes a few parameters from their schema defaults (everything it does not name
keeps its default) to set up one lesson of ``docs/classroom.md``; the dashboard offers them in
its "Classroom scenario" chooser, and a test validates every preset against the schema.

Examples
--------
>>> sorted(PRESETS)[:3]
['baseline', 'hold-up', 'market for lemons']
>>> preset_parameters("single-vendor dependency")["sourcing_policy"]
'single'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..parameters import validate_parameters

__all__ = ["DEFAULT_PRESET", "PRESETS", "Preset", "preset_parameters"]


@dataclass(frozen=True)
class Preset:
    """A classroom scenario: the question it raises, the theory it shows, what it changes."""

    question: str
    theory: str
    try_this: str
    overrides: Mapping[str, Any] = field(default_factory=dict)


PRESETS: Mapping[str, Preset] = MappingProxyType(
    {
        "baseline": Preset(
            question="How much do SMBs outsource when every parameter is at its default?",
            theory="All four perspectives at once: the reference run the other scenarios are compared with.",
            try_this="Step a few years and note the levels of each plot; they are the yardstick.",
        ),
        "market for lemons": Preset(
            question="What happens to quality when many vendors are lemons that overstate their quality?",
            theory="Agency theory, adverse selection (Akerlof 1970): hidden quality types and screening.",
            try_this="Raise due_diligence to 1.0 and press Reset: watch delivered and true contracted "
            "quality and the share of red (lemon) vendors.",
            overrides={"lemon_share": 0.6, "lemon_overstatement": 0.5, "due_diligence": 0.0},
        ),
        "monitoring vs trust": Preset(
            question="Do vendors shirk less because they are watched or because they are trusted?",
            theory="Agency theory, moral hazard (monitoring, contract incentives) against relational "
            "governance and network theory (trust on ties; Dyer & Singh 1998).",
            try_this="Raise monitoring_intensity to 0.5 and Reset; then go back to 0.1 and raise "
            "trust_gain to 0.2 instead, or switch contract_type to performance_based.",
            overrides={"monitoring_intensity": 0.1, "trust_gain": 0.02},
        ),
        "patient vs impatient vendors": Preset(
            question="Will vendors shirk when nobody watches them?",
            theory="Relational contracting and the shadow of the future (Klein & Leffler 1981; Baker, "
            "Gibbons & Murphy 2002): a vendor that values future business keeps its effort up to keep "
            "its contracts, renewals and referrals; an impatient one takes today's saving.",
            try_this="Step a year with no monitoring and impatient vendors and watch the shirking rate "
            "and delivered quality; then raise vendor_patience to 0.95 and Reset, or keep it low and "
            "raise monitoring_intensity to 0.6 instead: which works as well at no audit cost?",
            overrides={"vendor_patience": 0.6, "monitoring_intensity": 0.0},
        ),
        "hold-up": Preset(
            question="What happens when an SMB outsources functions that are specific to it?",
            theory="Transaction cost economics (Williamson 1985): after the fundamental transformation "
            "switching is costly, so the vendor raises the fee at each renewal (hold-up); the cost rule "
            "does not see it coming, the tce rule counts it in.",
            try_this="Step two or three years and watch the fee raise at renewal and the SMBs' profit; "
            "raise holdup_share to 1 and Reset; then switch decision_rule to tce and Reset: how much "
            "does it still outsource?",
            overrides={"asset_specificity": 0.8, "decision_rule": "cost"},
        ),
        "single-vendor dependency": Preset(
            question="How exposed is an SMB that relies on one vendor per function when vendors fail?",
            theory="Risk and resource dependence: diversification (dual or multi sourcing) against "
            "its cost premium.",
            try_this="Switch sourcing_policy to dual, then multi, pressing Reset each time: compare "
            "the disruption losses and the outsourcing share.",
            overrides={"sourcing_policy": "single", "vendor_failure_rate": 0.05, "resourcing_delay": 6},
        ),
        "theory showdown": Preset(
            question="Which theory of the firm outsources most, and who pays for it later?",
            theory="Transaction cost economics (Williamson) against the resource-based view "
            "(Barney) and pure cost minimisation, on specific and uncertain functions.",
            try_this="Switch decision_rule between tce, rbv, cost and hybrid, pressing Reset each "
            "time: compare outsourcing share, disruption losses and innovations.",
            overrides={"decision_rule": "tce", "asset_specificity": 0.6, "uncertainty": 0.5},
        ),
    }
)

#: The scenario the dashboard opens with.
DEFAULT_PRESET = "baseline"


def preset_parameters(name: str) -> dict[str, Any]:
    """Every parameter value of preset ``name``: its overrides on top of the schema defaults.

    Raises
    ------
    ValueError
        If ``name`` is not a preset, or an override is not allowed by the schema.
    """
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return validate_parameters(PRESETS[name].overrides)
