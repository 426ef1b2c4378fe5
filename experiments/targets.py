"""Empirical targets: published facts with the model quantity that measures each, read from YAML.

A targets file (the built-in one is ``experiments/targets/outsourcing_facts.yaml``) names the months
to simulate and lists targets; each has a ``name``, the ``fact`` in words, a ``measure`` (a monthly
model reporter, the months it is read over and the statistic of each run: ``mean`` over those
months, skipping months with nothing to measure, or ``last``, its value in the last of them), the
``empirical`` value and the range the simulated mean must fall in, the ``population`` the figure
describes and its ``source`` (``confirmed``: read in the source's own text, or only reported).

The file is checked completely before anything runs; every problem is one :class:`TargetError`
line naming the file, the target and what is allowed. :func:`measure` turns a run's monthly
series into the target's value for that run, so the same definition serves ``smb-eco validate``
and the calibration.

Examples
--------
>>> targets = load_targets(BUILTIN_TARGETS)
>>> [t.name for t in targets.targets][:2]
['relationship_failure', 'brought_back_in_house']
>>> frame = pd.DataFrame({"step": [1, 2, 3], "x": [0.2, float("nan"), 0.4]})
>>> t = Target("t", "", "x", 1, 3, "mean", 0.3, 0.2, 0.4, "", "", True)
>>> measure(t, frame), t.inside(0.45)
(0.30000000000000004, False)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ecosystem.reporters import MODEL_REPORTERS

__all__ = ["BUILTIN_TARGETS", "STATISTICS", "Target", "TargetError", "Targets", "load_targets", "measure"]

#: The model's built-in targets: stylised facts of outsourcing (docs/validation.md).
BUILTIN_TARGETS = Path(__file__).with_name("targets") / "outsourcing_facts.yaml"
#: How a run's monthly series becomes one value.
STATISTICS = ("mean", "last")
MAX_STEPS = 100_000

_FILE_KEYS = {"name", "description", "steps", "targets"}
_TARGET_KEYS = {"name", "fact", "measure", "empirical", "population", "source", "confirmed"}
_MEASURE_KEYS = {"reporter", "months", "statistic"}
_EMPIRICAL_KEYS = {"value", "low", "high"}


class TargetError(ValueError):
    """A targets file that cannot be used, said in one line naming the file, target and field."""


@dataclass(frozen=True)
class Target:
    """One published fact and the model quantity that measures it."""

    name: str
    fact: str
    reporter: str
    first_month: int
    last_month: int
    statistic: str
    value: float
    low: float
    high: float
    population: str
    source: str
    confirmed: bool

    def inside(self, simulated: float) -> bool:
        """Whether a simulated value lies in the empirical range (a NaN never does)."""
        return bool(self.low <= simulated <= self.high)


@dataclass(frozen=True)
class Targets:
    """A checked targets file."""

    name: str
    description: str
    steps: int
    targets: tuple[Target, ...]
    source: str

    @property
    def reporters(self) -> list[str]:
        """The reporters the targets read, each once, in target order."""
        return list(dict.fromkeys(t.reporter for t in self.targets))


def measure(target: Target, frame: pd.DataFrame) -> float:
    """The target's value in one run, from its monthly series (columns ``step`` and the reporter).

    ``mean``: the mean over the target's months, months with nothing to measure (NaN) skipped;
    ``last``: the value in its last month. NaN if there is nothing to measure.
    """
    months = frame[(frame["step"] >= target.first_month) & (frame["step"] <= target.last_month)]
    values = pd.to_numeric(months[target.reporter], errors="coerce").astype(float)
    if target.statistic == "last":
        last = months.loc[months["step"] == target.last_month, target.reporter]
        return float(last.iloc[-1]) if len(last) else float("nan")
    return float(values.mean()) if values.notna().any() else float("nan")


def load_targets(path: str | Path) -> Targets:
    """Read and check a targets file; raise :class:`TargetError` (one line) on any problem."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TargetError(f"{path}: cannot read ({error.strerror})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise TargetError(f"{path}: not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise TargetError(f"{path}: must be a mapping with name, steps and targets")
    _known(data, _FILE_KEYS, f"{path}")
    steps = data.get("steps")
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise TargetError(f"{path}: steps must be an integer in [1, {MAX_STEPS}], got {steps!r}")
    entries = data.get("targets")
    if not isinstance(entries, list) or not entries:
        raise TargetError(f"{path}: targets must be a non-empty list")
    targets = tuple(_target(entry, i, steps, path) for i, entry in enumerate(entries))
    names = [t.name for t in targets]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise TargetError(f"{path}: target names must be unique; repeated: {', '.join(repeated)}")
    return Targets(
        name=str(data.get("name", path.stem)),
        description=" ".join(str(data.get("description", "")).split()),
        steps=steps,
        targets=targets,
        source=str(path),
    )


def _known(mapping: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(map(str, mapping)) - allowed)
    if unknown:
        raise TargetError(f"{where}: unknown field {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}")


def _target(entry: Any, i: int, steps: int, path: Path) -> Target:
    if not isinstance(entry, dict):
        raise TargetError(f"{path}: target {i + 1} must be a mapping")
    name = entry.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        raise TargetError(
            f"{path}: target {i + 1}: name must be an identifier (letters, digits, _), got {name!r}"
        )
    where = f"{path}: target {name}"
    _known(entry, _TARGET_KEYS, where)
    missing = sorted(_TARGET_KEYS - set(entry))
    if missing:
        raise TargetError(f"{where}: missing field {missing[0]!r}")
    spec, empirical = entry["measure"], entry["empirical"]
    if not isinstance(spec, dict):
        raise TargetError(f"{where}: measure must be a mapping with reporter, months and statistic")
    _known(spec, _MEASURE_KEYS, f"{where}: measure")
    reporter = spec.get("reporter")
    if reporter not in MODEL_REPORTERS:
        raise TargetError(
            f"{where}: measure.reporter {reporter!r} is no model reporter (see docs/ODD.md 2.10)"
        )
    months = spec.get("months")
    if (
        not isinstance(months, list)
        or len(months) != 2
        or any(isinstance(m, bool) or not isinstance(m, int) for m in months)
        or not 1 <= months[0] <= months[1] <= steps
    ):
        raise TargetError(f"{where}: measure.months must be [first, last] with 1 <= first <= last <= {steps}")
    statistic = spec.get("statistic", "mean")
    if statistic not in STATISTICS:
        raise TargetError(
            f"{where}: measure.statistic must be one of {', '.join(STATISTICS)}, got {statistic!r}"
        )
    if not isinstance(empirical, dict):
        raise TargetError(f"{where}: empirical must be a mapping with value, low and high")
    _known(empirical, _EMPIRICAL_KEYS, f"{where}: empirical")
    numbers = {}
    for key in ("value", "low", "high"):
        number = empirical.get(key)
        if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
            raise TargetError(f"{where}: empirical.{key} must be a number, got {number!r}")
        numbers[key] = float(number)
    if not numbers["low"] <= numbers["value"] <= numbers["high"] or not numbers["low"] < numbers["high"]:
        raise TargetError(f"{where}: empirical needs low <= value <= high and low < high, got {numbers}")
    if not isinstance(entry["confirmed"], bool):
        raise TargetError(f"{where}: confirmed must be true or false")
    return Target(
        name=name,
        fact=" ".join(str(entry["fact"]).split()),
        reporter=reporter,
        first_month=months[0],
        last_month=months[1],
        statistic=statistic,
        value=numbers["value"],
        low=numbers["low"],
        high=numbers["high"],
        population=" ".join(str(entry["population"]).split()),
        source=" ".join(str(entry["source"]).split()),
        confirmed=entry["confirmed"],
    )
