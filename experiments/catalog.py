"""The built-in experiments: one YAML spec per theory question, shipped in ``experiments/specs``.

Each spec states its hypothesis and is sized for a laptop (minutes, not hours). They are package
data, found relative to this module, so they work from a source checkout and after ``pip install``.
:func:`shrink` cuts any spec down to a handful of tiny runs, for tests and for a quick look
before committing to a full sweep.

Examples
--------
>>> "theory_comparison" in builtin_specs()
True
>>> small = shrink(builtin_spec("tce_make_or_buy"), points=2, steps=3, n_smbs=10)
>>> len(design_points(small)), small.steps, small.replications, small.fixed["n_smbs"]
(2, 3, 1, 10)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .design import design_points
from .spec import Spec, SpecError, load_spec, spec_from_dict

__all__ = ["SPECS_DIR", "builtin_spec", "builtin_specs", "override", "resolve_spec", "shrink"]

#: Folder of the built-in specs, next to this module.
SPECS_DIR = Path(__file__).resolve().parent / "specs"


def builtin_specs() -> dict[str, Path]:
    """Name (the file's stem) and path of every built-in spec, sorted by name."""
    return {path.stem: path for path in sorted(SPECS_DIR.glob("*.yaml"))}


def builtin_spec(name: str) -> Spec:
    """The checked built-in spec called ``name``.

    Raises
    ------
    KeyError
        If there is no built-in spec of that name.
    """
    specs = builtin_specs()
    if name not in specs:
        raise KeyError(f"no built-in spec {name!r}; built-in specs: {', '.join(specs)}")
    return load_spec(specs[name])


def resolve_spec(spec: str | Path) -> Spec:
    """Load ``spec`` from a file if one exists at that path, else the built-in spec of that name.

    Raises
    ------
    SpecError
        If the file is not a valid spec, or there is neither such a file nor such a built-in.
    """
    path = Path(spec)
    if path.exists() or path.suffix in (".yaml", ".yml") or len(path.parts) > 1:
        return load_spec(path)
    specs = builtin_specs()
    if str(spec) in specs:
        return load_spec(specs[str(spec)])
    raise SpecError(str(spec), "(file)", f"no such file or built-in spec; built-in specs: {', '.join(specs)}")


def shrink(spec: Spec, points: int = 2, steps: int = 4, n_smbs: int = 20, n_vendors: int = 5) -> Spec:
    """A tiny version of ``spec``: a few of its design points, one replication, few SMBs and months.

    The design becomes a ``list`` of ``points`` design points spread evenly over the original
    design order (first and last included), so every factor keeps varying; background contexts
    shrink to two. Scale parameters that
    are factors are capped at ``n_smbs`` / ``n_vendors``; the hypothesis is kept, and so are its
    expectations, except those naming a categorical level that none of the chosen points has.
    """
    chosen = design_points(spec)
    if chosen:
        picks = np.unique(np.linspace(0, len(chosen) - 1, min(points, len(chosen))).round().astype(int))
        chosen = [chosen[i] for i in picks]
    caps = {"n_smbs": n_smbs, "n_vendors": n_vendors}
    for point in chosen:
        for name, cap in caps.items():
            if name in point:
                point[name] = min(point[name], cap)
    fixed: dict[str, Any] = {
        **spec.fixed,
        **{n: c for n, c in caps.items() if not chosen or n not in chosen[0]},
    }
    data = spec.to_dict()
    if "expect" in data:
        data["expect"] = [
            e for e in data["expect"] if "level" not in e or any(p[e["factor"]] == e["level"] for p in chosen)
        ]
    if "contexts" in data:
        data["contexts"] = {**data["contexts"], "samples": 2}
    steps = min(steps, spec.steps)
    data.update(
        name=f"{spec.name}-small",
        fixed=fixed,
        design="list" if chosen else "grid",
        factors=chosen or {},
        replications=1,
        steps=steps,
        record_every=min(spec.record_every, steps),
    )
    return spec_from_dict(data, source=f"shrink({spec.source})")


def override(
    spec: Spec,
    settings: dict[str, Any] | None = None,
    replications: int | None = None,
    steps: int | None = None,
) -> Spec:
    """``spec`` with parameters fixed at other values, or other replications or months.

    ``settings`` maps parameter names to values (checked by the model's schema, like ``fixed``);
    a name the spec varies, as a factor or a background of its contexts, is refused. With fewer
    ``steps`` than ``record_every``, the record interval shrinks to ``steps``. The result is
    checked whole, like a spec file (``smb-eco sweep SPEC --set NAME=VALUE --replications N
    --steps M``).

    Raises
    ------
    SpecError
        Naming the override at fault (``--set NAME``, ``--replications``, ``--steps``).

    Examples
    --------
    >>> spec = override(builtin_spec("relational_governance"), {"n_smbs": 50}, replications=2, steps=24)
    >>> spec.fixed["n_smbs"], spec.replications, spec.steps, spec.record_every
    (50, 2, 24, 12)
    """
    settings = dict(settings or {})
    varied = set(spec.factors) | (set(spec.contexts.over) if spec.contexts is not None else set())
    for name in settings:
        if name in varied:
            raise SpecError(
                spec.source,
                f"--set {name}",
                f"{name!r} is varied by this spec (a factor or a background of its contexts); "
                "--set fixes parameters the spec does not vary",
            )
    for flag, value in (("--replications", replications), ("--steps", steps)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise SpecError(spec.source, flag, f"must be a positive integer, got {value!r}")
    data = spec.to_dict()
    data["fixed"] = {**data["fixed"], **settings}
    if replications is not None:
        data["replications"] = replications
    if steps is not None:
        data["steps"] = steps
        data["record_every"] = min(data["record_every"], steps)
    return spec_from_dict(data, source=spec.source)
