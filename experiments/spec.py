"""Experiment specs: what a sweep varies, what it holds fixed, and what it records, read from YAML.

The user's reference of every field is ``docs/specs.md`` (checked against this module by
``tests/test_spec_docs.py``).

A spec is checked completely before any run starts, because a typo found after three hours of
simulation costs three hours. Every problem is raised as one :class:`SpecError` line naming the
file, the field and what is allowed. Parameter values are checked by the model's own schema
(:mod:`ecosystem.parameters`), so a spec can never allow what the model would refuse, and metric
names by :data:`ecosystem.reporters.MODEL_REPORTERS`.

A spec file looks like this::

    name: specificity-vs-uncertainty
    description: Make-or-buy under TCE's two main cost drivers.
    hypothesis: Outsourcing falls as asset specificity and uncertainty rise (Williamson 1985).
    seed: 20251128              # base seed of every replication seed; default 1
    fixed:
      n_smbs: 200
      decision_rule: tce
    design: grid                # or {type: sobol, samples: 64}; see below
    factors:
      asset_specificity: [0.1, 0.5, 0.9]                   # grid: a list of levels ...
      uncertainty: {start: 0.1, stop: 0.9, step: 0.2}      # ... or a range (stop included)
    replications: 10
    steps: 120                  # months
    metrics: [outsourcing_share, mean_smb_profit]          # default: every model reporter
    record_every: 12            # keep every 12th month (and the last); default 1
    expect:                     # optional: the hypothesis in a form the analysis can test
      - {metric: outsourcing_share, factor: asset_specificity, direction: decreasing}
    contexts:                   # optional: the expectations must hold across these backgrounds
      {design: lhs, samples: 10, over: {lemon_share: [0.0, 0.3], transaction_cost_rate: [0.1, 0.25]}}

Designs and the form their ``factors`` take:

``grid``
    Each factor a list of levels or a range ``{start, stop, step}``; the runs are the cross
    product. No factors at all gives one point (replications of the fixed setting).
``list``
    ``factors`` is a list of explicit combinations, each a mapping with the same names.

A parameter the schema declares mixable (``contract_type``) also takes a *population mix* as a
value or level: a mapping of choices to shares summing to 1, e.g. ``contract_type: [fixed_price,
{fixed_price: 0.5, performance_based: 0.5}]``, or its text ``fixed_price:0.5,performance_based:0.5``.
The results store a mix as that text. A number the schema declares mixable (``due_diligence``,
``monitoring_intensity``, ``referral_weight``) takes a mix of values the same way, e.g.
``due_diligence: {0.1: 0.5, 0.6: 0.5}`` or ``0.1:0.5,0.6:0.5``.

The focal firm (one SMB with a strategy the experimenter fixes, see ``EcosystemModel``) is set
with the names ``focal.FIELD`` for the strategy fields, in ``fixed`` or as factors, e.g.
``fixed: {focal.monitoring_intensity: 0.4}`` and ``factors: {focal.sourcing_policy: [single,
dual, multi]}``; each is checked like its field, without mixes, and stored as its own column.
``lhs``, ``sobol``, ``morris``
    Each factor ``[low, high]``; ``design`` is a mapping with ``type`` and ``samples`` (N; a
    power of 2 for ``sobol``, which gives N(2D+2) points with second-order terms, N(D+2) with
    ``second_order: false``; ``morris`` gives N(D+1) points on ``levels`` levels, default 4).
    Only numeric parameters can be factors here; integers are rounded to the nearest integer.

Expectations
------------
``expect`` lists the hypothesis as testable claims, each ``{metric, factor, direction, level}``:
``direction`` is ``increasing`` or ``decreasing`` (the metric moves with a numeric factor, or,
for a categorical factor, ``level`` is the level where the metric is highest / lowest) or
``differs`` (the metric differs between the factor's values, in no stated direction; takes no
``level``). The metric must be one the spec records and the factor one it varies.

An *interaction* (moderation) claim is ``{metric, interaction: [focal, moderator], sign}`` with
two numeric factors of the spec and ``sign`` ``positive`` or ``negative``: the sign of the
coefficient of ``focal × moderator`` in an OLS regression of the metric on both standardised
factors and their product (:func:`analysis.statistics.test_interaction`). A positive sign says
the slope of the metric on the focal factor rises as the moderator rises. Two levers that both
lower a metric are *substitutes* when the interaction is positive (each weakens the other's
effect) and *complements* when it is negative; for levers that both raise it, the reverse.

Contexts
--------
``contexts`` (grid and list designs) asks that the expectations hold across background settings:
``{design: lhs, samples: N, over: {parameter: [low, high], ...}}`` draws N settings of those
parameters by Latin hypercube sampling (SALib, seeded from the spec's seed) and runs every design
point in each; ``over`` may also list names of shares and chances, which then range over [0, 1].
A background parameter is neither fixed nor a factor. The analysis tests each expectation within
each context and reports the share of contexts in which it is supported
(:func:`analysis.statistics.context_tests`, :func:`analysis.statistics.robustness`).
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ecosystem.parameters import Parameter, format_value, parameter, parse_value, validate_parameters
from ecosystem.reporters import MODEL_REPORTERS

__all__ = [
    "CONTEXT_KEYS",
    "CONTINUOUS_DESIGNS",
    "DEFAULT_SEED",
    "DESIGNS",
    "DESIGN_SETTINGS",
    "DIRECTIONS",
    "EXPECT_KEYS",
    "FIELDS",
    "INTERACTION_KEYS",
    "REQUIRED_FIELDS",
    "SIGNS",
    "Contexts",
    "Design",
    "Expectation",
    "Spec",
    "SpecError",
    "load_spec",
    "spec_from_dict",
]

DESIGNS = ("grid", "list", "lhs", "sobol", "morris")
#: Designs that sample factors from bounds; they cannot vary categorical parameters.
CONTINUOUS_DESIGNS = ("lhs", "sobol", "morris")
#: Base seed when a spec names none; written to the manifest either way.
DEFAULT_SEED = 1
#: Directions an expectation may state.
DIRECTIONS = ("increasing", "decreasing", "differs")
#: Signs an interaction expectation may state (of the coefficient of the product term).
SIGNS = ("positive", "negative")
#: Most levels one grid range may expand to; guards against a step of 1e-9.
MAX_LEVELS = 10_000

#: Every top-level field a spec may have (docs/specs.md documents each; tests/test_docs.py checks).
FIELDS = (
    "name",
    "description",
    "hypothesis",
    "seed",
    "fixed",
    "design",
    "factors",
    "replications",
    "steps",
    "metrics",
    "record_every",
    "expect",
    "contexts",
)
_FIELDS = FIELDS
#: Fields every spec must have.
REQUIRED_FIELDS = ("name", "design", "replications", "steps")
#: Keys of an ``expect`` item: a main-effect claim, and an interaction claim.
EXPECT_KEYS = ("metric", "factor", "direction", "level")
INTERACTION_KEYS = ("metric", "interaction", "sign")
#: Keys of ``contexts``.
CONTEXT_KEYS = ("design", "samples", "over")
#: The settings each design takes in its mapping form ``design: {type: ..., ...}``.
DESIGN_SETTINGS = _DESIGN_KEYS = {
    "grid": {"type"},
    "list": {"type"},
    "lhs": {"type", "samples"},
    "sobol": {"type", "samples", "second_order"},
    "morris": {"type", "samples", "levels"},
}


class SpecError(ValueError):
    """A spec that cannot run, said in one line: ``<file>: <field>: <problem and what is allowed>``.

    Attributes
    ----------
    source : str
        The spec file (or ``"<dict>"`` for a spec given as a mapping).
    field : str
        The dotted field at fault, e.g. ``"fixed.lemon_share"`` or ``"design.samples"``.
    """

    def __init__(self, source: str, field: str, problem: str) -> None:
        self.source = source
        self.field = field
        one_line = " ".join(str(problem).split())
        super().__init__(f"{source}: {field}: {one_line}")


@dataclass(frozen=True)
class Design:
    """How points are chosen: the design ``kind`` and the sampler's settings (continuous designs)."""

    kind: str
    samples: int | None = None
    levels: int = 4
    second_order: bool = True

    def to_dict(self) -> dict[str, Any]:
        """The design as it would be written in a spec, with only the settings its kind uses."""
        out: dict[str, Any] = {"type": self.kind}
        if self.kind in CONTINUOUS_DESIGNS:
            out["samples"] = self.samples
        if self.kind == "morris":
            out["levels"] = self.levels
        if self.kind == "sobol":
            out["second_order"] = self.second_order
        return out


@dataclass(frozen=True)
class Contexts:
    """Background settings an effect must hold across: ``samples`` parameter sets drawn by Latin
    hypercube sampling over the ``over`` bounds (SALib), each crossed with every design point.

    Examples
    --------
    >>> Contexts(20, {"lemon_share": (0.0, 0.5)}).to_dict()
    {'design': 'lhs', 'samples': 20, 'over': {'lemon_share': [0.0, 0.5]}}
    """

    samples: int
    over: dict[str, tuple[Any, Any]]
    kind: str = "lhs"

    def to_dict(self) -> dict[str, Any]:
        """The contexts as written in a spec."""
        return {
            "design": self.kind,
            "samples": self.samples,
            "over": {n: list(b) for n, b in self.over.items()},
        }


@dataclass(frozen=True)
class Expectation:
    """One testable claim of a spec's hypothesis: how ``metric`` responds to ``factor``.

    ``direction`` is one of :data:`DIRECTIONS`. ``level`` (categorical factors only) names the
    level expected to give the highest (``increasing``) or lowest (``decreasing``) metric; without
    it, ``increasing`` means rising along the factor's levels in the order the spec lists them.
    An interaction claim has ``moderator`` set and ``direction`` ``positive`` or ``negative``
    (:data:`SIGNS`), the sign of the ``factor × moderator`` coefficient.

    Examples
    --------
    >>> claim = Expectation("shirking_rate", "contract_type", "decreasing", "performance_based")
    >>> claim.to_dict()["level"], Expectation("breaches", "lemon_share", "increasing").to_dict()
    ('performance_based', {'metric': 'breaches', 'factor': 'lemon_share', 'direction': 'increasing'})
    """

    metric: str
    factor: str
    direction: str
    level: Any = None
    #: The second factor of an interaction claim (``factor`` is then the focal one), else None.
    moderator: str | None = None

    @property
    def is_interaction(self) -> bool:
        """Whether this is an interaction claim (``direction`` is then its sign)."""
        return self.moderator is not None

    def to_dict(self) -> dict[str, Any]:
        """The expectation as written in a spec (``level`` only when given)."""
        if self.moderator is not None:
            return {
                "metric": self.metric,
                "interaction": [self.factor, self.moderator],
                "sign": self.direction,
            }
        out = {"metric": self.metric, "factor": self.factor, "direction": self.direction}
        if self.level is not None:
            out["level"] = self.level
        return out


@dataclass(frozen=True)
class Spec:
    """A checked experiment spec; build it with :func:`load_spec` or :func:`spec_from_dict`.

    ``factors`` maps each varied parameter to a tuple: its levels (``grid``), its value at each
    point in order (``list``), or its ``(low, high)`` bounds (continuous designs). ``fixed``
    holds checked values in the parameter's type. ``source`` names the file for messages and is
    not part of the spec's identity (:meth:`digest`).
    """

    name: str
    design: Design
    replications: int
    steps: int
    metrics: tuple[str, ...]
    factors: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    fixed: dict[str, Any] = field(default_factory=dict)
    record_every: int = 1
    seed: int = DEFAULT_SEED
    description: str = ""
    hypothesis: str = ""
    expect: tuple[Expectation, ...] = ()
    contexts: Contexts | None = None
    source: str = field(default="<dict>", compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The normalised spec as plain JSON-able data (ranges expanded, defaults filled in).

        ``spec_from_dict(spec.to_dict())`` gives an equal spec, so the manifest can be re-run.
        ``expect`` appears only when the spec has expectations, so specs without any keep the
        digest they had before the field existed (and their sweeps stay resumable).
        """
        if self.design.kind == "list":
            names = list(self.factors)
            count = len(next(iter(self.factors.values()))) if names else 0
            factors: Any = [{n: self.factors[n][i] for n in names} for i in range(count)]
        else:
            factors = {n: list(v) for n, v in self.factors.items()}
        out = {
            "name": self.name,
            "description": self.description,
            "hypothesis": self.hypothesis,
            "seed": self.seed,
            "fixed": dict(self.fixed),
            "design": self.design.to_dict(),
            "factors": factors,
            "replications": self.replications,
            "steps": self.steps,
            "metrics": list(self.metrics),
            "record_every": self.record_every,
        }
        if self.expect:
            out["expect"] = [e.to_dict() for e in self.expect]
        if self.contexts is not None:
            out["contexts"] = self.contexts.to_dict()
        return out

    def digest(self) -> str:
        """SHA-256 of the normalised spec, which a resumed sweep checks against its manifest.

        Comments, key order and ``range`` versus list spelling do not change it; every field
        does, the hypothesis and description included, since a sweep is evidence for the
        hypothesis it was started with.
        """
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def load_spec(path: str | Path) -> Spec:
    """Read and check the YAML spec at ``path``.

    Raises
    ------
    SpecError
        For an unreadable or malformed file and every problem :func:`spec_from_dict` finds.
    """
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SpecError(source, "(file)", f"cannot be read: {error.strerror or error}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise SpecError(source, "(yaml)", f"malformed YAML{where}: {problem}") from None
    return spec_from_dict(data, source=source)


def spec_from_dict(data: Any, source: str = "<dict>") -> Spec:
    """Check a spec given as parsed data and return it normalised.

    Parameters
    ----------
    data : mapping
        The spec's fields, as :func:`yaml.safe_load` gives them.
    source : str
        Where the spec came from, for error messages.

    Raises
    ------
    SpecError
        At the first problem: an unknown field, parameter, design or metric; a value outside the
        parameter's range; a factor that is also fixed; a non-positive count.

    Examples
    --------
    >>> spec = spec_from_dict({"name": "demo", "design": "grid", "replications": 2, "steps": 6,
    ...                        "factors": {"lemon_share": {"start": 0.1, "stop": 0.3, "step": 0.1}}})
    >>> spec.factors
    {'lemon_share': (0.1, 0.2, 0.3)}
    >>> spec_from_dict({"name": "demo", "design": "grid", "replications": 0, "steps": 6})
    Traceback (most recent call last):
    ...
    experiments.spec.SpecError: <dict>: replications: must be a positive integer, got 0
    """
    if not isinstance(data, Mapping):
        raise SpecError(source, "(top level)", f"must be a mapping of fields, got {type(data).__name__}")
    for key in data:
        if key not in _FIELDS:
            raise SpecError(source, str(key), f"unknown field{_hint(str(key), _FIELDS)}; allowed: {_FIELDS}")
    for key in REQUIRED_FIELDS:
        if key not in data:
            raise SpecError(source, key, "is required")

    def fail(where: str, problem: str) -> SpecError:
        return SpecError(source, where, problem)

    name = _text(data["name"], "name", fail, required=True)
    description = _text(data.get("description", ""), "description", fail)
    hypothesis = _text(data.get("hypothesis", ""), "hypothesis", fail)
    seed = _count(data.get("seed", DEFAULT_SEED), "seed", fail, minimum=0)
    replications = _count(data["replications"], "replications", fail)
    steps = _count(data["steps"], "steps", fail)
    record_every = _count(data.get("record_every", 1), "record_every", fail)
    if record_every > steps:
        raise fail("record_every", f"must be at most steps ({steps}) months, got {record_every}")
    design = _design(data["design"], fail)
    fixed = _fixed(data.get("fixed") or {}, fail)
    factors = _factors(data.get("factors") or {}, design, fail)
    for name_ in factors:
        if name_ in fixed:
            raise fail(f"factors.{name_}", "is also in fixed; a parameter is either fixed or varied")
    metrics = _metrics(data.get("metrics"), fail)
    expect = _expect(data.get("expect") or [], metrics, factors, fail)
    contexts = _contexts(data.get("contexts"), design, factors, fixed, fail)
    return Spec(
        name=name,
        description=description,
        hypothesis=hypothesis,
        seed=seed,
        fixed=fixed,
        design=design,
        factors=factors,
        replications=replications,
        steps=steps,
        metrics=metrics,
        record_every=record_every,
        expect=expect,
        contexts=contexts,
        source=source,
    )


# --- field checks --------------------------------------------------------------------------------


def _hint(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _text(value: Any, where: str, fail, required: bool = False) -> str:
    if not isinstance(value, str) or (required and not value.strip()):
        raise fail(where, f"must be {'non-empty ' if required else ''}text, got {value!r}")
    return value


def _count(value: Any, where: str, fail, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        noun = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise fail(where, f"must be {noun}, got {value!r}")
    return value


def _design(value: Any, fail) -> Design:
    settings = {"type": value} if isinstance(value, str) else value
    if not isinstance(settings, Mapping) or "type" not in settings:
        raise fail("design", f"must be one of {DESIGNS} or a mapping with 'type', got {value!r}")
    kind = settings["type"]
    if kind not in DESIGNS:
        raise fail("design.type", f"unknown design {kind!r}{_hint(str(kind), DESIGNS)}; allowed: {DESIGNS}")
    for key in settings:
        if key not in _DESIGN_KEYS[kind]:
            allowed = sorted(_DESIGN_KEYS[kind])
            raise fail(f"design.{key}", f"is not a setting of the {kind} design; allowed: {allowed}")
    if kind not in CONTINUOUS_DESIGNS:
        return Design(kind)
    if "samples" not in settings:
        raise fail("design.samples", f"is required for the {kind} design (a positive integer N)")
    samples = _count(settings["samples"], "design.samples", fail)
    if kind == "sobol" and samples & (samples - 1):
        raise fail("design.samples", f"must be a power of 2 for the sobol design, got {samples}")
    levels = _count(settings.get("levels", 4), "design.levels", fail, minimum=2)
    second_order = settings.get("second_order", True)
    if not isinstance(second_order, bool):
        raise fail("design.second_order", f"must be true or false, got {second_order!r}")
    return Design(kind, samples, levels, second_order)


def _declared(name: str, where: str, fail) -> Parameter:
    """The schema's declaration of ``name``, or a SpecError at ``where`` suggesting a close name."""
    try:
        return parameter(name)
    except ValueError as error:
        raise fail(where, str(error)) from None


def _value(name: str, value: Any, where: str, fail) -> Any:
    """One parameter value checked by the schema; YAML text such as ``1e-3`` is parsed."""
    spec = _declared(name, where, fail)
    try:
        if isinstance(value, str) and (spec.kind is not str or (spec.mixable and ":" in value)):
            return parse_value(name, value)
        return spec.check(value)
    except ValueError as error:
        raise fail(where, str(error)) from None


def _fixed(values: Any, fail) -> dict[str, Any]:
    if not isinstance(values, Mapping):
        raise fail("fixed", f"must be a mapping of parameter: value, got {values!r}")
    fixed = {str(n): _value(str(n), v, f"fixed.{n}", fail) for n, v in values.items()}
    try:
        validate_parameters(fixed)
    except ValueError as error:
        raise fail("fixed", str(error)) from None
    return fixed


def _factors(values: Any, design: Design, fail) -> dict[str, tuple[Any, ...]]:
    if design.kind == "list":
        return _list_factors(values, fail)
    if not isinstance(values, Mapping):
        raise fail("factors", f"must be a mapping of parameter: levels for the {design.kind} design")
    if design.kind in CONTINUOUS_DESIGNS and not values:
        raise fail("factors", f"the {design.kind} design needs at least one factor with [low, high]")
    factors = {}
    for name, levels in values.items():
        where = f"factors.{name}"
        _declared(str(name), where, fail)
        if design.kind == "grid":
            factors[str(name)] = _grid_levels(str(name), levels, where, fail)
        else:
            factors[str(name)] = _bounds(str(name), levels, design.kind, where, fail)
    return factors


def _grid_levels(name: str, levels: Any, where: str, fail) -> tuple[Any, ...]:
    if isinstance(levels, Mapping):
        return _expand_range(name, levels, where, fail)
    if not isinstance(levels, list) or not levels:
        raise fail(where, "must be a non-empty list of levels or a range {start, stop, step}")
    checked = tuple(_value(name, v, f"{where}[{i}]", fail) for i, v in enumerate(levels))
    if len({format_value(v) for v in checked}) != len(checked):  # mixes (dicts) compared as text
        raise fail(where, f"lists a level twice: {list(levels)}")
    return checked


def _expand_range(name: str, levels: Mapping, where: str, fail) -> tuple[Any, ...]:
    """``{start, stop, step}`` as levels, ``stop`` included when it falls on the grid."""
    kind = parameter(name).kind
    if kind not in (int, float):
        raise fail(where, f"a range needs a numeric parameter; {name!r} takes a list of levels")
    if set(levels) != {"start", "stop", "step"}:
        raise fail(where, f"a range must have exactly start, stop and step, got {sorted(levels)}")
    start = _value(name, levels["start"], f"{where}.start", fail)
    stop = _value(name, levels["stop"], f"{where}.stop", fail)
    step = levels["step"]
    if isinstance(step, str):
        step = _number(step)
    if isinstance(step, bool) or not isinstance(step, int | float) or not step > 0:
        raise fail(f"{where}.step", f"must be a positive number, got {levels['step']!r}")
    if kind is int and not float(step).is_integer():
        raise fail(f"{where}.step", f"must be an integer for the integer parameter {name!r}, got {step!r}")
    if stop < start:
        raise fail(where, f"stop ({stop}) must not be below start ({start})")
    count = math.floor((stop - start) / step + 1e-9) + 1
    if count > MAX_LEVELS:
        raise fail(where, f"expands to {count} levels; at most {MAX_LEVELS} allowed")
    values = (start + i * step for i in range(count))
    return tuple(int(round(v)) if kind is int else round(float(v), 12) for v in values)


def _number(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


def _bounds(name: str, bounds: Any, kind: str, where: str, fail) -> tuple[Any, Any]:
    spec = parameter(name)
    if spec.kind not in (int, float):
        raise fail(
            where,
            f"{name!r} is categorical ({spec.allowed()}); categorical factors are allowed in "
            "grid and list designs only",
        )
    if not isinstance(bounds, list) or len(bounds) != 2:
        raise fail(where, f"the {kind} design needs bounds [low, high], got {bounds!r}")
    low = _value(name, bounds[0], f"{where}[0]", fail)
    high = _value(name, bounds[1], f"{where}[1]", fail)
    if not low < high:
        raise fail(where, f"low must be below high, got [{low}, {high}]")
    return (low, high)


def _list_factors(points: Any, fail) -> dict[str, tuple[Any, ...]]:
    if not isinstance(points, list) or not points or not all(isinstance(p, Mapping) for p in points):
        raise fail("factors", "the list design needs a non-empty list of combinations {parameter: value}")
    names = [str(n) for n in points[0]]
    columns: dict[str, list[Any]] = {n: [] for n in names}
    for i, point in enumerate(points):
        if sorted(map(str, point)) != sorted(names):
            raise fail(f"factors[{i}]", f"must name the same parameters as factors[0]: {sorted(names)}")
        for n, v in point.items():
            columns[str(n)].append(_value(str(n), v, f"factors[{i}].{n}", fail))
    return {n: tuple(v) for n, v in columns.items()}


def _metrics(values: Any, fail) -> tuple[str, ...]:
    if values is None:
        return tuple(MODEL_REPORTERS)
    if not isinstance(values, list) or not values:
        raise fail("metrics", "must be a non-empty list of model reporter names")
    for i, name in enumerate(values):
        if name not in MODEL_REPORTERS:
            raise fail(
                f"metrics[{i}]",
                f"unknown metric {name!r}{_hint(str(name), MODEL_REPORTERS)}; allowed: "
                + ", ".join(MODEL_REPORTERS),
            )
    if len(set(values)) != len(values):
        raise fail("metrics", f"names a metric twice: {values}")
    return tuple(values)


def _contexts(value: Any, design: Design, factors: dict, fixed: dict, fail) -> Contexts | None:
    """``contexts: {design: lhs, samples: N, over: {name: [low, high], ...}}``, or ``over`` as a
    list of names of parameters whose whole allowed range lies in [0, 1] (shares and chances)."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise fail("contexts", "must be a mapping {design: lhs, samples: N, over: {parameter: [low, high]}}")
    for key in value:
        if key not in CONTEXT_KEYS:
            raise fail(f"contexts.{key}", "unknown key; allowed: design, samples, over")
    if design.kind not in ("grid", "list"):
        raise fail(
            "contexts", f"are for grid and list designs, whose expectations they test; not {design.kind}"
        )
    if value.get("design", "lhs") != "lhs":
        raise fail("contexts.design", f"must be lhs (Latin hypercube), got {value.get('design')!r}")
    if "samples" not in value:
        raise fail("contexts.samples", "is required (the number of background settings, at least 2)")
    samples = _count(value["samples"], "contexts.samples", fail, minimum=2)
    over = value.get("over")
    if isinstance(over, list):
        named = {}
        for name in over:
            declared = _declared(str(name), f"contexts.over.{name}", fail)
            if declared.kind is not float or declared.low is None or declared.low < 0 or declared.high > 1:
                raise fail(
                    f"contexts.over.{name}",
                    "a name alone stands for a share or chance in [0, 1]; give bounds: over: {"
                    f"{name}: [low, high]}}",
                )
            named[str(name)] = [declared.low, declared.high]
        over = named
    if not isinstance(over, Mapping) or not over:
        raise fail("contexts.over", "must map each background parameter to [low, high] (or list shares)")
    bounds = {}
    for name, span in over.items():
        where = f"contexts.over.{name}"
        if name in factors or name in fixed:
            raise fail(
                where, f"{name!r} is a factor or fixed in this spec; a background parameter is neither"
            )
        bounds[str(name)] = _bounds(str(name), span, "contexts", where, fail)
    if design.kind == "grid":
        points = [dict(zip(factors, combo, strict=True)) for combo in itertools.product(*factors.values())]
    else:  # a list design: its rows
        points = [{n: factors[n][i] for n in factors} for i in range(len(next(iter(factors.values()), ())))]
    for corner, point in itertools.product(itertools.product(*bounds.values()), points or [{}]):
        values = dict(zip(bounds, corner, strict=True))  # joint constraints hold over the whole box
        try:
            validate_parameters({**fixed, **point, **values})
        except ValueError as error:
            at = ", ".join(f"{k}={format_value(v)}" for k, v in values.items())
            raise fail("contexts.over", f"at {at} the model refuses the setting: {error}") from None
    return Contexts(samples, bounds)


def _expect(values: Any, metrics: tuple[str, ...], factors: dict[str, tuple[Any, ...]], fail):
    if not isinstance(values, list) or not all(isinstance(v, Mapping) for v in values):
        raise fail("expect", "must be a list of {metric, factor, direction, level (optional)}")
    keys = EXPECT_KEYS
    found = []
    for i, item in enumerate(values):
        where = f"expect[{i}]"
        if "interaction" in item:
            found.append(_interaction(item, metrics, factors, where, fail))
            continue
        for key in item:
            if key not in keys:
                allowed = (*keys, "interaction", "sign")
                raise fail(f"{where}.{key}", f"unknown key{_hint(str(key), allowed)}; allowed: {keys}")
        for key in keys[:3]:
            if key not in item:
                raise fail(f"{where}.{key}", "is required")
        metric, factor, direction = item["metric"], item["factor"], item["direction"]
        _expected_metric(metric, metrics, f"{where}.metric", fail)
        if isinstance(factor, list):
            raise fail(
                f"{where}.factor",
                f"names one factor, got a list {factor!r}; for a moderation claim write "
                f"{{metric: {metric}, interaction: {factor!r}, sign: positive or negative}}",
            )
        _expected_factor(factor, factors, f"{where}.factor", fail)
        if direction not in DIRECTIONS:
            raise fail(f"{where}.direction", f"unknown direction {direction!r}; allowed: {DIRECTIONS}")
        level = item.get("level")
        if level is not None:
            level = _expected_level(factor, level, direction, factors[factor], f"{where}.level", fail)
        found.append(Expectation(str(metric), str(factor), str(direction), level))
    return tuple(found)


def _expected_metric(metric: Any, metrics: tuple[str, ...], where: str, fail) -> None:
    if not isinstance(metric, str) or metric not in metrics:
        raise fail(
            where,
            f"{metric!r} is not a metric of this spec{_hint(str(metric), metrics)}; "
            f"its metrics: {', '.join(metrics)}",
        )


def _expected_factor(factor: Any, factors: dict[str, tuple[Any, ...]], where: str, fail) -> None:
    if not isinstance(factor, str) or factor not in factors:
        names = ", ".join(factors) or "none"
        raise fail(
            where,
            f"{factor!r} is not a factor of this spec{_hint(str(factor), factors)}; its factors: {names}",
        )


def _interaction(item: Mapping, metrics, factors, where: str, fail) -> Expectation:
    """``{metric, interaction: [focal, moderator], sign}``: two numeric factors and a sign."""
    keys = INTERACTION_KEYS
    for key in item:
        if key not in keys:
            raise fail(
                f"{where}.{key}", f"unknown key{_hint(str(key), keys)} of an interaction; allowed: {keys}"
            )
    for key in keys:
        if key not in item:
            raise fail(f"{where}.{key}", "is required")
    metric, pair, sign = item["metric"], item["interaction"], item["sign"]
    _expected_metric(metric, metrics, f"{where}.metric", fail)
    if not isinstance(pair, list) or len(pair) != 2 or pair[0] == pair[1]:
        raise fail(
            f"{where}.interaction", f"must list two different factors [focal, moderator], got {pair!r}"
        )
    for j, name in enumerate(pair):
        _expected_factor(name, factors, f"{where}.interaction[{j}]", fail)
        if parameter(name).kind not in (int, float):
            raise fail(
                f"{where}.interaction[{j}]",
                f"{name!r} is categorical; an interaction is tested between numeric factors",
            )
    if sign not in SIGNS:
        raise fail(
            f"{where}.sign", f"unknown sign {sign!r}; allowed: {SIGNS} (of the focal × moderator term)"
        )
    return Expectation(str(metric), str(pair[0]), str(sign), moderator=str(pair[1]))


def _expected_level(factor: str, level: Any, direction: str, levels: tuple[Any, ...], where: str, fail):
    if parameter(factor).kind not in (str, bool):
        raise fail(where, f"a level is for categorical factors only; {factor!r} is numeric (drop the level)")
    if direction == "differs":
        raise fail(where, "names the highest (increasing) or lowest (decreasing) level; 'differs' takes none")
    level = _value(factor, level, where, fail)
    if level not in levels:
        raise fail(where, f"{level!r} is not a level of {factor!r} in this spec; its levels: {list(levels)}")
    return level
