"""A policy advisor for one firm: which sourcing, monitoring and contract policy to choose when the
vendor market's risks are uncertain (``smb-eco advise``).

The firm is the model's *focal firm*: one SMB whose strategy is fixed while the market follows its
own. The advisor crosses the uncertain *conditions* (by default the vendors' failure rate and the
share of lemons among vendors) with the candidate *policies* (by default sourcing policy ×
monitoring intensity × contract type), runs every pair over the same replication seeds (common
random numbers: policies are compared on the same market histories) with the sweep machinery of
:mod:`experiments`, and answers in business terms:

* a decision table: per condition, each policy's expected monthly profit, its outsourcing cost
  premium over the single-sourced policy with the same monitoring and contract, its months of
  disruption and its chance to survive, with 95 % confidence intervals;
* the best policy per condition and the *break-even* vendor failure rate above which dual (or
  multi) sourcing earns more than single sourcing, interpolated on the grid;
* robustness across conditions: expected value (conditions weighted equally), maximum regret
  (Savage's minimax regret) and a satisficing score (the share of conditions in which the policy
  meets the firm's thresholds);
* scenario discovery: a PRIM box (Friedman & Fisher 1999; the ``prim`` package) describing the
  conditions under which the firm's current policy fails its threshold (cash below a floor, too
  many months of disruption, or exit), with its coverage and density.

Sweep (:func:`run`) → outcome table, one row per run (:func:`outcome_table`) → analysis
(:func:`analyse`) → report (:func:`write`): each step works alone, so the analysis can be tested on
a constructed table.
"""

from __future__ import annotations

import math
import textwrap
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from ecosystem import units
from ecosystem.parameters import FOCAL_PREFIX, STRATEGY_FIELDS, format_value, parameter, parse_value

__all__ = [
    "Advice",
    "AdviceError",
    "Question",
    "advise",
    "analyse",
    "break_even",
    "outcome_table",
    "prim_box",
    "question_from_settings",
    "robustness",
    "run",
    "write",
]

#: The policy levers the advisor varies by default, and their candidate levels.
DEFAULT_POLICIES = {
    "sourcing_policy": ("single", "dual", "multi"),
    "monitoring_intensity": (0.3, 0.6),
    "contract_type": ("fixed_price", "performance_based"),
}
#: The uncertain conditions swept by default (the firm's risk ranges).
DEFAULT_CONDITIONS = {"vendor_failure_rate": (0.005, 0.02, 0.04, 0.06), "lemon_share": (0.15, 0.4)}
#: The market the firm sits in by default, small enough that the defaults run in under two minutes
#: on two cores (96 design points × 6 replications × 48 months), and the firm's size: twice the
#: median SMB's, a firm that buys about two of its six functions (a firm of random size often buys
#: none, and then its sourcing policy cannot matter).
DEFAULT_MARKET = {"n_smbs": 40, "n_vendors": 12, "focal_size": 2.0}
#: Advisor settings (not model parameters) and their defaults.
DEFAULT_SETTINGS = {
    "months": 48,
    "replications": 6,
    "seed": 2024,
    "threshold.cash": 0.0,  # the current policy fails where the firm's final cash is below this
    "threshold.disruption_months": 2.0,  # ... or it had more months of disruption than this
    "threshold.profit": 0.0,  # satisficing: expected monthly profit at least this
    "threshold.survival": 0.5,  # ... and survival probability at least this
}
#: Levels a ``LOW..HIGH`` range of a condition is expanded to.
RANGE_LEVELS = 4
#: Reporters the sweep records for the focal firm.
METRICS = (
    "focal_profit",
    "focal_cash",
    "focal_outsourcing_cost",
    "focal_disruption_months",
    "focal_output_months_lost",
    "focal_outsourced_functions",
    "focal_survived",
)
SOURCING_ORDER = ("single", "dual", "multi")


class AdviceError(ValueError):
    """Bad advisor input, said in one line naming the setting and what is allowed."""


@dataclass(frozen=True)
class Question:
    """The firm's situation and what it may choose.

    ``conditions`` maps each uncertain parameter to its levels (a grid); ``policies`` maps each
    strategy field of the firm to its candidate levels; ``current`` is the firm's present policy
    (one level per field of ``policies``), always among the candidates; ``market`` holds fixed
    model parameters (market size, cash, business units...).
    """

    conditions: dict[str, tuple[Any, ...]] = field(default_factory=lambda: dict(DEFAULT_CONDITIONS))
    policies: dict[str, tuple[Any, ...]] = field(default_factory=lambda: dict(DEFAULT_POLICIES))
    current: dict[str, Any] = field(
        default_factory=lambda: {
            "sourcing_policy": "single",
            "monitoring_intensity": 0.3,
            "contract_type": "fixed_price",
        }
    )
    market: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_MARKET))
    months: int = 48
    replications: int = 6
    seed: int = 2024
    cash_floor: float = 0.0
    max_disruption_months: float = 2.0
    min_profit: float = 0.0
    min_survival: float = 0.5

    @property
    def policy_columns(self) -> list[str]:
        return [FOCAL_PREFIX + name for name in self.policies]

    @property
    def currency(self) -> tuple[str, float]:
        return units.settings(self.market)

    def spec_dict(self) -> dict[str, Any]:
        """The sweep as an experiment spec: conditions × policies on a grid, common seeds."""
        return {
            "name": "advice",
            "description": "Policy advice for one firm (smb-eco advise).",
            "seed": self.seed,
            "fixed": dict(self.market),
            "design": "grid",
            "factors": {
                **{name: list(levels) for name, levels in self.conditions.items()},
                **{FOCAL_PREFIX + name: list(levels) for name, levels in self.policies.items()},
            },
            "replications": self.replications,
            "steps": self.months,
            "record_every": 1,
            "metrics": list(METRICS),
        }

    def runs(self) -> int:
        """Simulations the question takes."""
        return (
            math.prod(len(v) for v in self.conditions.values())
            * math.prod(len(v) for v in self.policies.values())
            * self.replications
        )


# --- reading the firm's situation ----------------------------------------------------------------
def question_from_settings(values: Mapping[str, Any]) -> Question:
    """A checked :class:`Question` from ``--config``/``--set`` settings (text or YAML values).

    Keys: any model parameter (one value fixes it; a list ``a,b,c`` or a range ``LOW..HIGH`` makes
    it an uncertain condition); ``focal.FIELD`` the firm's current policy; ``policies.FIELD`` the
    candidate levels of a policy lever (``policies.sourcing_policy=single,dual``; in YAML also
    nested, ``policies: {sourcing_policy: [single, dual]}``); ``months``,
    ``replications``, ``seed``; ``threshold.cash``, ``threshold.disruption_months``,
    ``threshold.profit``, ``threshold.survival``.

    Raises
    ------
    AdviceError
        Naming the first bad setting and what is allowed.

    Examples
    --------
    >>> q = question_from_settings({"vendor_failure_rate": "0.01..0.04", "lemon_share": "0.2",
    ...                             "policies.sourcing_policy": "single,dual"})
    >>> q.conditions, q.market["lemon_share"], q.policies["sourcing_policy"]
    ({'vendor_failure_rate': (0.01, 0.02, 0.03, 0.04)}, 0.2, ('single', 'dual'))
    >>> question_from_settings({"months": "0"})
    Traceback (most recent call last):
    ...
    analysis.advice.AdviceError: months must be an integer in [2, 600], got '0'
    """
    settings = {**DEFAULT_SETTINGS}
    conditions = dict(DEFAULT_CONDITIONS)
    market = dict(DEFAULT_MARKET)
    policies = dict(DEFAULT_POLICIES)
    current: dict[str, Any] = {}
    flat: dict[str, Any] = {}
    for key, value in values.items():  # a YAML config may nest focal:, policies: and threshold:
        if str(key) in ("focal", "policies", "threshold") and isinstance(value, Mapping):
            flat.update({f"{key}.{name}": level for name, level in value.items()})
        else:
            flat[str(key)] = value
    for key, value in flat.items():
        key = str(key).strip()
        if key in DEFAULT_SETTINGS:
            settings[key] = value
        elif key.startswith("policies."):
            name = key.removeprefix("policies.")
            if name not in STRATEGY_FIELDS:
                raise AdviceError(f"{key}: a policy lever is one of {', '.join(STRATEGY_FIELDS)}")
            policies[name] = _levels(FOCAL_PREFIX + name, value, key)
        elif key.startswith(FOCAL_PREFIX):
            current[key.removeprefix(FOCAL_PREFIX)] = _one(key, value)
        elif key.startswith("threshold."):
            raise AdviceError(f"{key}: unknown threshold; thresholds are {', '.join(_thresholds())}")
        else:
            levels = _levels(key, value, key)
            conditions.pop(key, None)
            market.pop(key, None)
            if len(levels) > 1:
                conditions[key] = levels
            else:
                market[key] = levels[0]
    months = _integer("months", settings["months"], 2, 600)
    replications = _integer("replications", settings["replications"], 2, 1000)
    seed = _integer("seed", settings["seed"], 0, 2**63 - 1)
    thresholds = {name: _number(name, settings[name]) for name in _thresholds()}
    if not 0.0 <= thresholds["threshold.survival"] <= 1.0:
        raise AdviceError(
            f"threshold.survival must be a probability in [0, 1], got {thresholds['threshold.survival']!r}"
        )
    if "vendor_failure_rate" not in conditions:
        raise AdviceError(
            "vendor_failure_rate: give a range (LOW..HIGH) or several levels (a,b,c) to advise on"
        )
    for name in current:
        if name not in policies:
            policies[name] = (current[name],)
    current = {
        name: current.get(name, _market_level(name, market, levels)) for name, levels in policies.items()
    }
    for name, level in current.items():
        if level not in policies[name]:
            policies[name] = (*policies[name], level)
    try:
        from ecosystem.parameters import validate_parameters

        validate_parameters({**market, **{n: v[0] for n, v in conditions.items()}})
    except ValueError as error:
        raise AdviceError(str(error)) from None
    return Question(
        conditions=conditions,
        policies=policies,
        current=current,
        market=market,
        months=months,
        replications=replications,
        seed=seed,
        cash_floor=thresholds["threshold.cash"],
        max_disruption_months=thresholds["threshold.disruption_months"],
        min_profit=thresholds["threshold.profit"],
        min_survival=thresholds["threshold.survival"],
    )


def _thresholds() -> list[str]:
    return [k for k in DEFAULT_SETTINGS if k.startswith("threshold.")]


def _market_level(name: str, market: Mapping[str, Any], levels: Sequence[Any]) -> Any:
    """The firm's current level of a lever it did not name: the market's, if a candidate."""
    value = market.get(name, parameter(name).default)
    return value if not isinstance(value, Mapping) and value in levels else levels[0]


def _one(key: str, value: Any) -> Any:
    try:
        return parse_value(key, value) if isinstance(value, str) else parameter(key).check(value)
    except ValueError as error:
        raise AdviceError(f"{key}: {error}") from None


def _levels(name: str, value: Any, key: str) -> tuple[Any, ...]:
    """Levels of a setting: a YAML list, ``a,b,c``, ``LOW..HIGH`` (numbers) or one value."""
    try:
        spec = parameter(name)
    except ValueError as error:
        raise AdviceError(str(error)) from None
    if isinstance(value, str) and ".." in value and spec.kind in (int, float):
        low, _, high = value.partition("..")
        low, high = _one(name, low), _one(name, high)
        if not low < high:
            raise AdviceError(f"{key}: a range is LOW..HIGH with LOW < HIGH, got {value!r}")
        grid = np.linspace(low, high, RANGE_LEVELS)
        return tuple(int(round(x)) if spec.kind is int else float(round(x, 10)) for x in grid)
    if isinstance(value, str) and "," in value and ":" not in value:
        items: list[Any] = [v for v in value.split(",") if v.strip()]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        items = [value]
    levels = tuple(dict.fromkeys(_one(name, item) for item in items))
    if not levels:
        raise AdviceError(f"{key}: give at least one value")
    return levels


def _integer(name: str, value: Any, low: int, high: int) -> int:
    try:
        number = int(value) if not isinstance(value, bool) and float(value) == int(float(value)) else None
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise AdviceError(f"{name} must be an integer in [{low}, {high}], got {value!r}")
    return number


def _number(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if isinstance(value, bool) or not math.isfinite(number):
        raise AdviceError(f"{name} must be a number, got {value!r}")
    return number


# --- the sweep -----------------------------------------------------------------------------------
def run(question: Question, out_dir: str | Path, workers: int = 1) -> pd.DataFrame:
    """Run the question's sweep into ``out_dir`` (a new folder) and return its outcome table."""
    from analysis.load import load
    from experiments.runner import run_sweep
    from experiments.spec import spec_from_dict

    spec = spec_from_dict(question.spec_dict(), source="smb-eco advise")
    run_sweep(spec, out_dir, workers=workers)
    return outcome_table(load(out_dir).frame, question)


def outcome_table(frame: pd.DataFrame, question: Question) -> pd.DataFrame:
    """One row per run: its condition and policy, and the focal firm's outcomes over the horizon.

    ``profit`` is the mean monthly profit over the whole horizon, counting nothing earned after an
    exit; ``cost`` the mean monthly outsourcing cost while in business; ``disruption_months`` the
    months with lost output (at the horizon or at exit); ``survived`` 1 or 0; ``cash`` the final
    cash (NaN after an exit); ``fails`` whether the run fails the firm's threshold (exit, cash below
    the floor, or more months of disruption than allowed).
    """
    keys = [*question.conditions, *question.policy_columns, "replication"]
    rows = []
    for key, run in frame.sort_values("step", kind="stable").groupby(keys, sort=False):
        alive = run["focal_survived"].to_numpy() == 1
        rows.append(
            {
                **dict(zip(keys, key, strict=True)),
                "profit": float(np.nansum(run["focal_profit"]) / question.months),
                "cost": float(np.nanmean(run["focal_outsourcing_cost"])) if alive.any() else float("nan"),
                "functions": float(np.nanmean(run["focal_outsourced_functions"])) if alive.any() else 0.0,
                "disruption_months": _last(run["focal_disruption_months"]),
                "output_lost": _last(run["focal_output_months_lost"]),
                "survived": float(alive[-1]),
                "cash": float(run["focal_cash"].iloc[-1]),
            }
        )
    table = pd.DataFrame(rows)
    return add_failures(table, question)


def add_failures(table: pd.DataFrame, question: Question) -> pd.DataFrame:
    """Mark the runs that fail the firm's threshold: exit, final cash below the floor, or more
    months of disruption than allowed."""
    fails = (
        (table["survived"] < 1)
        | ~(table["cash"] >= question.cash_floor)
        | (table["disruption_months"] > question.max_disruption_months)
    )
    return table.assign(fails=fails.astype(int))


def _last(series: pd.Series) -> float:
    values = series.dropna()
    return float(values.iloc[-1]) if len(values) else float("nan")


# --- the analysis --------------------------------------------------------------------------------
@dataclass
class Advice:
    """Everything the advisor found; :func:`write` turns it into ``advice.md``/``advice.html``."""

    question: Question
    table: pd.DataFrame  # the outcome table, one row per run
    decision: pd.DataFrame  # per condition × policy: means and 95 % CIs
    best: pd.DataFrame  # per condition: the policy with the highest expected profit
    break_even: pd.DataFrame  # per other-condition slice and diversified policy: the break-even rate
    robust: pd.DataFrame  # per policy: expected value, maximum regret, satisficing score
    discovery: dict[str, Any]  # the PRIM box of the current policy's failures
    wall_time_s: float = float("nan")

    @property
    def recommended(self) -> str:
        """The policy with the least maximum regret (ties: the higher expected value)."""
        return self.robust.sort_values(["max_regret", "expected_profit"], ascending=[True, False]).index[0]


def policy_name(levels: Mapping[str, Any]) -> str:
    """A policy in words: ``dual sourcing, monitoring 0.6, performance-based``.

    >>> policy_name({"focal.sourcing_policy": "dual", "focal.monitoring_intensity": 0.6})
    'dual sourcing, monitoring 0.6'
    """
    parts = []
    for name, value in levels.items():
        field_name = name.removeprefix(FOCAL_PREFIX)
        if field_name == "sourcing_policy":
            parts.append(f"{value} sourcing")
        elif field_name == "monitoring_intensity":
            parts.append(f"monitoring {value:g}")
        elif field_name == "contract_type":
            parts.append(str(value).replace("_", "-"))
        else:
            parts.append(f"{field_name.replace('_', ' ')} {format_value(value)}")
    return ", ".join(parts)


def condition_name(levels: Mapping[str, Any]) -> str:
    """A condition in words: ``vendor failure rate 0.02, lemon share 0.4``."""
    return ", ".join(f"{name.replace('_', ' ')} {format_value(value)}" for name, value in levels.items())


def _mean_ci(values: np.ndarray) -> tuple[float, float, float]:
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return float("nan"), float("nan"), float("nan")
    if len(values) < 2 or np.ptp(values) == 0:
        return float(values.mean()), float(values.mean()), float(values.mean())
    low, high = DescrStatsW(values).tconfint_mean(alpha=0.05)
    return float(values.mean()), float(low), float(high)


def decision_table(table: pd.DataFrame, question: Question) -> pd.DataFrame:
    """Per condition and policy: expected profit, its gain over the current policy and the cost
    premium over single sourcing (both paired by replication: common random numbers, so the firm's
    own luck cancels), months of disruption and survival, each with a 95 % CI (t intervals; Wilson
    for survival)."""
    conditions, policies = list(question.conditions), question.policy_columns
    sourcing = FOCAL_PREFIX + "sourcing_policy"
    keys = conditions + policies
    cells = {key: group.set_index("replication") for key, group in table.groupby(keys, sort=False)}
    diversified = sourcing in policies and "single" in set(table[sourcing])
    rows = []
    for key, group in cells.items():
        row = dict(zip(keys, key, strict=True))
        profit = _mean_ci(group["profit"].to_numpy(float))
        disruption = _mean_ci(group["disruption_months"].to_numpy(float))
        premium = (float("nan"),) * 3
        if diversified:
            single = cells.get(tuple("single" if name == sourcing else row[name] for name in keys))
            if single is not None:
                premium = _mean_ci((group["cost"] - single["cost"]).to_numpy(float))
        current = cells.get(
            tuple(row[n] for n in conditions)
            + tuple(question.current[n.removeprefix(FOCAL_PREFIX)] for n in policies)
        )
        gain = (float("nan"),) * 3
        if current is not None:
            gain = _mean_ci((group["profit"] - current["profit"]).to_numpy(float))
        survivors, n = int(group["survived"].sum()), len(group)
        low, high = proportion_confint(survivors, n, alpha=0.05, method="wilson")
        rows.append(
            {
                **row,
                "profit": profit[0],
                "profit_low": profit[1],
                "profit_high": profit[2],
                "gain": gain[0],
                "gain_low": gain[1],
                "gain_high": gain[2],
                "premium": premium[0],
                "premium_low": premium[1],
                "premium_high": premium[2],
                "disruption_months": disruption[0],
                "disruption_low": max(disruption[1], 0.0),  # a count: the t interval may cross 0
                "disruption_high": disruption[2],
                "survival": survivors / n,
                "survival_low": float(low),
                "survival_high": float(high),
                "fail_share": float(group["fails"].mean()),
                "runs": n,
            }
        )
    decision = pd.DataFrame(rows)
    decision["policy"] = [policy_name({p: r[p] for p in policies}) for _, r in decision.iterrows()]
    decision["condition"] = [condition_name({c: r[c] for c in conditions}) for _, r in decision.iterrows()]
    return decision


def robustness(decision: pd.DataFrame, question: Question) -> pd.DataFrame:
    """Per policy: expected profit over conditions (weighted equally), maximum regret (the most it
    earns below the best policy of any condition: Savage's minimax regret picks the policy with the
    least), and the satisficing score (share of conditions where it meets the thresholds: expected
    profit at least ``min_profit``, months of disruption at most ``max_disruption_months``,
    survival at least ``min_survival``).

    Examples
    --------
    >>> d = pd.DataFrame({"condition": ["low", "low", "high", "high"], "policy": ["A", "B", "A", "B"],
    ...     "profit": [3.0, 2.0, 0.0, 1.5], "disruption_months": [0.0, 0.0, 3.0, 1.0],
    ...     "survival": [1.0, 1.0, 0.5, 1.0]})
    >>> robustness(d, Question()).round(2).to_dict("index")["A"]
    {'expected_profit': 1.5, 'max_regret': 1.5, 'satisficing': 0.5, 'worst_profit': 0.0}
    """
    wide = decision.pivot(index="condition", columns="policy", values="profit")
    regret = wide.max(axis=1).to_numpy()[:, None] - wide
    meets = (
        (decision["profit"] >= question.min_profit)
        & (decision["disruption_months"] <= question.max_disruption_months)
        & (decision["survival"] >= question.min_survival)
    )
    satisficing = meets.groupby(decision["policy"]).mean()
    robust = pd.DataFrame(
        {
            "expected_profit": wide.mean(axis=0),
            "max_regret": regret.max(axis=0),
            "satisficing": satisficing,
            "worst_profit": wide.min(axis=0),
        }
    )
    robust.index.name = "policy"
    return robust.loc[list(dict.fromkeys(decision["policy"]))]


def break_even(decision: pd.DataFrame, question: Question, rate: str = "vendor_failure_rate") -> pd.DataFrame:
    """The failure rate above which a diversified sourcing policy starts to pay.

    For each slice of the other conditions and each of ``dual`` and ``multi``: the gain is the
    expected profit of that sourcing policy's best variant (over monitoring and contract) minus
    single sourcing's best, at each failure rate of the grid. The break-even is where the gain
    first turns from not positive to positive, linearly interpolated between the two grid rates;
    ``below_range`` if it pays already at the lowest rate, NaN with ``none_in_range`` if it never
    does.

    Examples
    --------
    >>> d = pd.DataFrame({"vendor_failure_rate": [0.0, 0.0, 0.1, 0.1],
    ...     "focal.sourcing_policy": ["single", "dual"] * 2, "profit": [2.0, 1.0, 0.0, 1.0]})
    >>> q = Question(conditions={"vendor_failure_rate": (0.0, 0.1)},
    ...              policies={"sourcing_policy": ("single", "dual")})
    >>> break_even(d, q)[["policy", "break_even", "status"]].to_dict("records")
    [{'policy': 'dual', 'break_even': 0.05, 'status': 'crosses'}]
    """
    sourcing = FOCAL_PREFIX + "sourcing_policy"
    others = [c for c in question.conditions if c != rate]
    rows = []
    slices = decision.groupby(others, sort=False) if others else [((), decision)]
    for key, part in slices:
        key = key if isinstance(key, tuple) else (key,)
        best = part.groupby([rate, sourcing])["profit"].max().unstack(sourcing)
        if "single" not in best:
            continue
        for policy in (p for p in ("dual", "multi") if p in best):
            gain = (best[policy] - best["single"]).sort_index()
            rates, values = gain.index.to_numpy(float), gain.to_numpy(float)
            point, status = float("nan"), "none_in_range"
            if values[0] > 0:
                point, status = rates[0], "below_range"
            else:
                for i in range(1, len(values)):
                    if values[i - 1] <= 0 < values[i]:
                        share = -values[i - 1] / (values[i] - values[i - 1])
                        point, status = float(rates[i - 1] + share * (rates[i] - rates[i - 1])), "crosses"
                        break
            rows.append(
                {
                    **dict(zip(others, key, strict=True)),
                    "policy": policy,
                    "break_even": point,
                    "status": status,
                    "gain_low_rate": values[0],
                    "gain_high_rate": values[-1],
                }
            )
    return pd.DataFrame(rows)


def prim_box(table: pd.DataFrame, question: Question, min_density: float = 0.75) -> dict[str, Any]:
    """Scenario discovery for the current policy: the PRIM box of conditions where it fails.

    PRIM (the ``prim`` package) peels the condition space towards the runs that fail the firm's
    threshold; of its peeling trajectory, the box kept is the one with the most coverage (share of
    all failures inside it) among those whose density (share of runs inside it that fail) is at
    least ``min_density`` and at least halfway from the base rate of failure to 1, or the densest
    if none is. Returns the box's limits per restricted condition, its
    coverage, density and mass (share of runs inside), the base rate of failure, and the number of
    runs; ``status`` says if there was nothing to find (no failure, or failures everywhere).
    """
    import prim

    current = np.ones(len(table), dtype=bool)
    for name, level in question.current.items():
        current &= (table[FOCAL_PREFIX + name] == level).to_numpy()
    runs = table[current]
    x = runs[list(question.conditions)].astype(float).reset_index(drop=True)
    y = runs["fails"].to_numpy(int)
    by_history = runs.groupby("replication")["fails"].mean()
    found: dict[str, Any] = {
        "histories": len(by_history),
        "all_or_nothing": int(((by_history == 0) | (by_history == 1)).sum()),
        "runs": len(y),
        "failures": int(y.sum()),
        "base_rate": float(y.mean()) if len(y) else 0.0,
    }
    if not len(y) or y.sum() == 0:
        return {**found, "status": "never fails"}
    if y.sum() == len(y):
        return {**found, "status": "always fails"}
    box = prim.Prim(x, y, threshold=0.5, threshold_type=">").find_box()
    trajectory = box.peeling_trajectory.reset_index(drop=True)
    # a box must be dense and denser than failure is anyway: halfway from the base rate to 1 at least
    need = max(min_density, found["base_rate"] + 0.5 * (1 - found["base_rate"]))
    dense = trajectory[trajectory["density"] >= need]
    step = int(dense["coverage"].idxmax()) if len(dense) else int(trajectory["density"].idxmax())
    box.select(step)
    limits = {}
    for name, row in box.limits.iterrows() if step > 0 else ():
        low, high = float(row["min"]), float(row["max"])
        inside = sorted({float(v) for v in x[name] if low <= v <= high})
        limits[str(name)] = {"low": low, "high": high, "levels": inside}
    return {
        **found,
        "status": "box",
        "limits": limits,
        "coverage": float(trajectory.loc[step, "coverage"]),
        "density": float(trajectory.loc[step, "density"]),
        "mass": float(trajectory.loc[step, "mass"]),
    }


def analyse(table: pd.DataFrame, question: Question) -> Advice:
    """The whole analysis of an outcome table (see the module docstring)."""
    decision = decision_table(table, question)
    best = decision.loc[decision.groupby("condition", sort=False)["profit"].idxmax()].reset_index(drop=True)
    return Advice(
        question=question,
        table=table,
        decision=decision,
        best=best,
        break_even=break_even(decision, question),
        robust=robustness(decision, question),
        discovery=prim_box(table, question),
    )


# --- the report ----------------------------------------------------------------------------------
def _money(advice: Advice, value: float) -> str:
    return units.amount(value, *advice.question.currency)


def _fixed(value: float, digits: int = 2) -> str:
    return "–" if value != value else f"{value:.{digits}f}"


def _with_ci(mean: float, low: float, high: float, digits: int = 2) -> str:
    if mean != mean:
        return "–"
    if low != low or low == high:
        return _fixed(mean, digits)
    return f"{_fixed(mean, digits)} [{_fixed(low, digits)}, {_fixed(high, digits)}]"


def answer(advice: Advice) -> str:
    """The one-paragraph answer for a business reader."""
    q, robust = advice.question, advice.robust
    current = policy_name({FOCAL_PREFIX + k: v for k, v in q.current.items()})
    pick = advice.recommended
    best_ev = robust["expected_profit"].idxmax()
    rates = q.conditions["vendor_failure_rate"]
    text = [
        f"Across vendor failure rates of {min(rates):g} to {max(rates):g} a month"
        + (f" and {_others_text(q)}" if len(q.conditions) > 1 else "")
        + f", the most robust choice is **{pick}**: it earns "
        f"{_money(advice, robust.loc[pick, 'expected_profit'])} "
        "a month on average and never falls more than "
        f"{_money(advice, robust.loc[pick, 'max_regret'])} a month "
        f"below the best policy of any condition, and it meets your thresholds in "
        f"{robust.loc[pick, 'satisficing']:.0%} of the conditions."
    ]
    if best_ev != pick:
        text.append(
            f"The highest average ({_money(advice, robust.loc[best_ev, 'expected_profit'])} a month) is "
            f"{best_ev}, at a larger worst-case regret."
        )
    if current in robust.index:
        text.append(
            f"Your current policy ({current}) earns "
            f"{_money(advice, robust.loc[current, 'expected_profit'])} a month "
            f"on average and meets your thresholds in {robust.loc[current, 'satisficing']:.0%} of "
            "the conditions."
        )
    text.append(_break_even_text(advice))
    box = advice.discovery
    if box["status"] == "box" and box["limits"]:
        text.append(
            f"It fails your threshold mostly when {_box_text(box['limits'])} "
            f"({box['density']:.0%} of such runs fail; {box['coverage']:.0%} of all its failures lie there)."
        )
    elif box["status"] == "never fails":
        text.append("It never failed your threshold in any simulated condition.")
    elif box["status"] == "always fails":
        text.append("It failed your threshold in every simulated run.")
    return " ".join(text)


def _others_text(q: Question) -> str:
    return ", ".join(
        f"{name.replace('_', ' ')} {min(v):g} to {max(v):g}"
        for name, v in q.conditions.items()
        if name != "vendor_failure_rate"
    )


def _break_even_text(advice: Advice) -> str:
    frame = advice.break_even
    if frame.empty:
        return "Single sourcing is not among the candidates, so there is no break-even to report."
    parts = []
    for policy in ("dual", "multi"):
        rows = frame[frame["policy"] == policy]
        if rows.empty:
            continue
        crossing = rows[rows["status"] != "none_in_range"]
        if crossing.empty:
            low, high = rows["gain_low_rate"].mean(), rows["gain_high_rate"].mean()
            trend = "narrows" if high > low else "does not narrow"
            parts.append(
                f"{policy} sourcing does not pay at any failure rate in range (its best variant earns "
                f"{_money(advice, -low)} a month less than single sourcing's at the lowest rate and "
                f"{_money(advice, -high)} less at the highest: the gap {trend} as vendors fail more often)"
            )
        else:
            points = ", ".join(_slice_break_even(advice, r) for _, r in crossing.iterrows())
            missing = len(rows) - len(crossing)
            parts.append(
                f"{policy} sourcing starts to pay above a vendor failure rate of {points}"
                + (f" (and at no rate in range in {missing} of {len(rows)} slices)" if missing else "")
            )
    return "Break-even: " + "; ".join(parts) + "." if parts else ""


def _slice_break_even(advice: Advice, row: pd.Series) -> str:
    others = [c for c in advice.question.conditions if c != "vendor_failure_rate"]
    where = f" where {condition_name({c: row[c] for c in others})}" if others else ""
    if row["status"] == "below_range":
        return f"below {row['break_even']:g} (it already pays at the lowest rate){where}"
    return f"{row['break_even']:.3f}{where}"


def _box_text(limits: Mapping[str, Mapping[str, Any]]) -> str:
    parts = []
    for name, box in limits.items():
        levels = box["levels"]
        words = name.replace("_", " ")
        parts.append(
            f"{words} is {', '.join(f'{v:g}' for v in levels)}"
            if levels
            else f"{words} is in [{box['low']:g}, {box['high']:g}]"
        )
    return " and ".join(parts)


def markdown(advice: Advice, figures: Sequence[tuple[str, str]] = ()) -> str:
    """``advice.md``: the answer first, then the evidence, money in the business units."""
    q = advice.question
    money = units.money_label(*q.currency)
    conditions = list(q.conditions)
    current = policy_name({FOCAL_PREFIX + k: v for k, v in q.current.items()})
    lines = [
        "# Sourcing advice for your firm",
        "",
        "## The answer",
        "",
        answer(advice),
        "",
        "## What was simulated",
        "",
        f"Your firm is one SMB in a market of {q.market.get('n_smbs', parameter('n_smbs').default)} SMBs and "
        f"{q.market.get('n_vendors', parameter('n_vendors').default)} vendors that keep their own "
        "strategies, over "
        f"{q.months} months. Uncertain conditions: "
        + "; ".join(
            f"{n.replace('_', ' ')} {', '.join(format_value(v) for v in lv)}"
            for n, lv in q.conditions.items()
        )
        + ". Candidate policies: "
        + "; ".join(
            f"{n.replace('_', ' ')} {', '.join(format_value(v) for v in lv)}" for n, lv in q.policies.items()
        )
        + f" ({len(advice.robust)} policies). Your current policy: {current}. Each policy met each "
        "condition in "
        f"{q.replications} simulated market histories, the same histories for every policy (common "
        "random numbers), "
        f"{q.runs()} simulations in all"
        + (f", {advice.wall_time_s:.0f} s." if advice.wall_time_s == advice.wall_time_s else ".")
        + " "
        + (
            "Money is in model money units (one is the monthly in-house cost of an average business "
            "function); set `currency` and `money_unit` to read it in your currency."
            if q.currency[0] == "model"
            else f"Money is in {money} (one model money unit = {units.amount(1.0, *q.currency)})."
        ),
        "",
        f"Your thresholds: a policy *fails* a simulated history if the firm exits, ends with cash below "
        f"{_money(advice, q.cash_floor)}, or has more than {q.max_disruption_months:g} months of "
        "disruption; it "
        "*satisfies* a condition if its expected profit is at least "
        f"{_money(advice, q.min_profit)} a month, its "
        f"months of disruption at most {q.max_disruption_months:g} and its survival probability at least "
        f"{q.min_survival:.0%}.",
        "",
        "## Robustness across conditions",
        "",
        f"Expected profit: the mean over conditions, each weighted equally ({money} / month). "
        "Maximum regret: "
        "the most the policy earns below the best policy of a condition, over all conditions (the least is "
        "the minimax-regret choice). Satisficing: the share of conditions in which it meets your thresholds.",
        "",
        f"| policy | expected profit ({money} / month) | maximum regret ({money} / month) | satisficing | "
        f"worst condition's profit ({money} / month) |",
        "|---|---|---|---|---|",
    ]
    for policy, r in advice.robust.sort_values("max_regret").iterrows():
        mark = " (current)" if policy == current else ""
        lines.append(
            f"| {policy}{mark} | {_fixed(r['expected_profit'])} | {_fixed(r['max_regret'])} | "
            f"{r['satisficing']:.0%} | {_fixed(r['worst_profit'])} |"
        )
    lines += [
        "",
        "## Best policy in each condition",
        "",
        f"| condition | best policy | expected profit ({money} / month) | "
        f"gain over current ({money} / month) "
        "| survival |",
        "|---|---|---|---|---|",
    ]
    for _, r in advice.best.iterrows():
        lines.append(
            f"| {r['condition']} | {r['policy']} | "
            f"{_with_ci(r['profit'], r['profit_low'], r['profit_high'])} | "
            f"{_with_ci(r['gain'], r['gain_low'], r['gain_high'])} | "
            f"{r['survival']:.0%} |"
        )
    lines += ["", "## When diversified sourcing starts to pay", "", _break_even_text(advice), ""]
    if not advice.break_even.empty:
        lines += [
            "The gain is the best dual (or multi) variant's expected profit minus the best single-sourced "
            f"variant's ({money} / month), at the lowest and highest failure rate; the break-even is "
            "interpolated linearly between the two grid rates where the gain turns positive.",
            "",
            "| "
            + " | ".join(c.replace("_", " ") for c in conditions if c != "vendor_failure_rate")
            + (" | " if len(conditions) > 1 else "")
            + "policy | gain at lowest rate | gain at highest rate | break-even failure rate |",
            "|" + "---|" * (len(conditions) + 3),
        ]
        for _, r in advice.break_even.iterrows():
            cells = [format_value(r[c]) for c in conditions if c != "vendor_failure_rate"]
            point = {"none_in_range": "none in range", "below_range": f"below {r['break_even']:g}"}.get(
                r["status"], f"{r['break_even']:.4f}"
            )
            cells += [r["policy"], _fixed(r["gain_low_rate"]), _fixed(r["gain_high_rate"]), point]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    lines += ["## When your current policy fails", "", *_discovery_lines(advice), ""]
    for caption, path in figures:
        lines += [f"![{caption}]({path})", "", f"*{caption}*", ""]
    lines += [
        "## Decision table",
        "",
        f"Each policy in each condition: expected profit ({money} / month, over the whole horizon, nothing "
        "after an exit); its gain over your current policy and its outsourcing cost premium over the "
        "single-sourced policy with the same monitoring and contract (both paired on the same market "
        f"histories, so your firm's own luck cancels; {money} / month); months with lost output; and the "
        "survival probability. 95 % confidence intervals in brackets (t intervals over the histories; "
        "Wilson for survival; months of disruption cut at 0). A single firm's profit is noisy, so the "
        "level's interval is wide; the paired gain is much tighter. A negative cost premium means the "
        "firm buys fewer functions under that policy (splitting a function over several vendors makes "
        "buying it worth less), not that each costs less.",
        "",
        f"| condition | policy | expected profit ({money} / month) | gain over current ({money} / month) | "
        f"cost premium ({money} / month) | months of disruption | survival |",
        "|---|---|---|---|---|---|---|",
    ]
    for _, r in advice.decision.iterrows():
        lines.append(
            f"| {r['condition']} | {r['policy']} | "
            f"{_with_ci(r['profit'], r['profit_low'], r['profit_high'])} | "
            f"{_with_ci(r['gain'], r['gain_low'], r['gain_high'])} | "
            f"{_with_ci(r['premium'], r['premium_low'], r['premium_high'])} | "
            f"{_with_ci(r['disruption_months'], r['disruption_low'], r['disruption_high'], 1)} | "
            f"{r['survival']:.0%} [{r['survival_low']:.0%}, {r['survival_high']:.0%}] |"
        )
    lines += [
        "",
        "*Model: the SMB–vendor outsourcing ecosystem (`smb-eco`); the decision rests on its "
        "assumptions (docs/ODD.md).*",
        "",
    ]
    return "\n".join(lines)


def _discovery_lines(advice: Advice) -> list[str]:
    box = advice.discovery
    head = (
        f"Scenario discovery (PRIM) over the {box['runs']} simulated histories of your current policy, "
        f"{box['failures']} of which fail your threshold ({box['base_rate']:.0%})."
    )
    if box.get("histories"):
        head += (
            f" In {box['all_or_nothing']} of the {box['histories']} market histories your firm fails in "
            "every condition or in none: "
            + (
                "its failures follow its own fortunes (its own costs and performance) more than the market's."
                if box["all_or_nothing"] > box["histories"] / 2
                else "the conditions matter."
            )
        )
    if box["status"] != "box":
        return [
            head + {"never fails": " It never fails.", "always fails": " It always fails."}[box["status"]]
        ]
    if not box["limits"]:
        return [head + " No condition singles the failures out: they happen across the whole range."]
    lines = [
        head,
        "",
        f"**Box:** {_box_text(box['limits'])}. Coverage {box['coverage']:.0%} (share of all "
        f"failures inside the box), density {box['density']:.0%} (share of histories inside the box "
        "that fail), mass "
        f"{box['mass']:.0%} (share of histories inside).",
        "",
        "| condition | box from | box to | grid levels inside |",
        "|---|---|---|---|",
    ]
    for name, limit in box["limits"].items():
        lines.append(
            f"| {name.replace('_', ' ')} | {limit['low']:g} | {limit['high']:g} | "
            f"{', '.join(f'{v:g}' for v in limit['levels'])} |"
        )
    return lines


def figures(advice: Advice, folder: Path) -> list[tuple[str, str]]:
    """Draw the advice's figures into ``folder``; return (caption, relative path) pairs."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    from analysis.figures import save_figure

    q, decision = advice.question, advice.decision
    money = units.money_label(*q.currency)
    drawn = []
    rate, sourcing = "vendor_failure_rate", FOCAL_PREFIX + "sourcing_policy"
    others = [c for c in q.conditions if c != rate]
    slices = list(decision.groupby(others, sort=False)) if others else [((), decision)]
    if sourcing in decision:
        fig = Figure(figsize=(4.2 * len(slices), 3.6), layout="constrained")
        axes = fig.subplots(1, len(slices), squeeze=False)[0]
        for ax, (key, part) in zip(axes, slices, strict=True):
            key = key if isinstance(key, tuple) else (key,)
            for policy in [p for p in SOURCING_ORDER if p in set(part[sourcing])]:
                best = part[part[sourcing] == policy].groupby(rate)["profit"].max()
                ax.plot(best.index, best.to_numpy(), marker="o", label=f"{policy} (best variant)")
            ax.axhline(0, color="grey", lw=0.8)
            ax.set_xlabel("Vendor failure rate (1/month)")
            ax.set_title(
                condition_name(dict(zip(others, key, strict=True))) or "all conditions", fontsize="medium"
            )
        axes[0].set_ylabel(f"Expected profit ({money} / month)")
        axes[0].legend(fontsize="small")
        save_figure(fig, folder / "profit_by_failure_rate")
        drawn.append(
            (
                "Expected monthly profit of each sourcing policy's best variant against the vendor "
                "failure rate",
                "figures/profit_by_failure_rate.png",
            )
        )
    robust = advice.robust.sort_values("max_regret")
    fig = Figure(figsize=(8, 0.35 * len(robust) + 1.2), layout="constrained")
    left, right = fig.subplots(1, 2, sharey=True)
    y = np.arange(len(robust))
    left.barh(y, robust["max_regret"], color="tab:red")
    left.set_yticks(y, robust.index, fontsize="small")
    left.invert_yaxis()
    left.set_xlabel(f"Maximum regret ({money} / month)")
    right.barh(y, robust["satisficing"], color="tab:green")
    right.set_xlabel("Satisficing (share of conditions meeting thresholds)")
    right.set_xlim(0, 1)
    save_figure(fig, folder / "robustness")
    drawn.append(
        (
            "Maximum regret (smaller is more robust) and satisficing score of each policy",
            "figures/robustness.png",
        )
    )
    box = advice.discovery
    if len(q.conditions) >= 2 and box["status"] == "box":
        xname, yname = list(q.conditions)[:2]
        current = np.ones(len(advice.table), dtype=bool)
        for name, level in q.current.items():
            current &= (advice.table[FOCAL_PREFIX + name] == level).to_numpy()
        runs = advice.table[current]
        rng = np.random.default_rng(0)  # jitter only, for the eye
        fig = Figure(figsize=(5, 4), layout="constrained")
        ax = fig.subplots()
        spread = [np.ptp(np.asarray(q.conditions[n], float)) or 1.0 for n in (xname, yname)]
        for failed, colour, word in ((0, "tab:blue", "meets threshold"), (1, "tab:red", "fails")):
            part = runs[runs["fails"] == failed]
            ax.scatter(
                part[xname] + rng.normal(0, 0.015 * spread[0], len(part)),
                part[yname] + rng.normal(0, 0.015 * spread[1], len(part)),
                s=14,
                color=colour,
                label=word,
            )
        limits = box["limits"]
        x0, x1 = (limits[xname]["low"], limits[xname]["high"]) if xname in limits else ax.get_xlim()
        y0, y1 = (limits[yname]["low"], limits[yname]["high"]) if yname in limits else ax.get_ylim()
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, lw=1.5))
        ax.set_xlabel(xname.replace("_", " "))
        ax.set_ylabel(yname.replace("_", " "))
        ax.set_title("Current policy: where it fails (PRIM box)", fontsize="medium")
        ax.legend(fontsize="small")
        save_figure(fig, folder / "prim_box")
        drawn.append(
            (
                "The current policy's simulated histories by condition (jittered) and the PRIM box of "
                "its failures",
                "figures/prim_box.png",
            )
        )
    return drawn


def write(advice: Advice, out_dir: str | Path) -> Path:
    """Write ``advice.md``, ``advice.html``, ``decision_table.csv``, ``outcomes.csv`` and the
    figures into ``out_dir``; return the path of ``advice.md``."""
    from analysis.report import markdown_to_html

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    drawn = figures(advice, out / "figures")
    text = markdown(advice, drawn)
    (out / "advice.md").write_text(text, encoding="utf-8")
    (out / "advice.html").write_text(markdown_to_html(text, title="Sourcing advice"), encoding="utf-8")
    advice.decision.to_csv(out / "decision_table.csv", index=False)
    advice.table.to_csv(out / "outcomes.csv", index=False)
    return out / "advice.md"


def advise(question: Question, out_dir: str | Path, workers: int = 1) -> Advice:
    """Run the sweep into ``out_dir/sweep``, analyse it and write the advice into ``out_dir``."""
    started = time.perf_counter()
    table = run(question, Path(out_dir) / "sweep", workers=workers)
    advice = replace(analyse(table, question), wall_time_s=time.perf_counter() - started)
    write(advice, out_dir)
    return advice


def summary(advice: Advice, out: str | Path) -> str:
    """What ``smb-eco advise`` prints: the answer, the robustness table, the best policy per
    condition, the PRIM box and where the full advice is."""
    money = units.money_label(*advice.question.currency)
    width = max(len(p) for p in advice.robust.index) + 2
    lines = [
        textwrap.fill(answer(advice).replace("**", ""), 100),
        "",
        f"{'policy':{width}} "
        f"{'expected profit':>16} {'max regret':>11} {'satisficing':>12}   ({money} / month)",
    ]
    for policy, r in advice.robust.sort_values("max_regret").iterrows():
        lines.append(
            f"{policy:{width}} {_fixed(r['expected_profit']):>16} {_fixed(r['max_regret']):>11} "
            f"{r['satisficing']:>12.0%}"
        )
    lines += ["", "Best policy per condition (expected profit, 95 % CI):"]
    for _, r in advice.best.iterrows():
        lines.append(
            f"  {r['condition']}: {r['policy']}, {_with_ci(r['profit'], r['profit_low'], r['profit_high'])}"
        )
    found = _discovery_lines(advice)
    lines += ["", textwrap.fill(found[0], 100)]
    if len(found) > 2:  # the box and its coverage and density
        lines.append(textwrap.fill(found[2].replace("**", ""), 100))
    lines += ["", f"Advice in {Path(out) / 'advice.md'} (and advice.html, decision_table.csv, figures/)."]
    return "\n".join(lines)
