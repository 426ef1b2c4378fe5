"""Experiments: sweeps of the ecosystem model described by a YAML spec, run and stored resumably.

The workflow has three separate steps, each usable alone: a spec (:mod:`.spec`) becomes a list
of runs (:mod:`.design`), the runs are evaluated in worker processes and stored one Parquet file
each (:mod:`.runner`, :mod:`.storage`), and the stored results are read back for analysis.

Examples
--------
>>> from experiments import build_runs, spec_from_dict
>>> spec = spec_from_dict({"name": "demo", "design": "grid", "replications": 3, "steps": 12,
...                        "factors": {"decision_rule": ["tce", "rbv"]}})
>>> len(build_runs(spec))
6
"""

from .design import Run, build_runs, design_points, replication_seeds
from .runner import SweepInterrupted, SweepSummary, run_sweep
from .spec import Expectation, Spec, SpecError, load_spec, spec_from_dict
from .storage import StorageError, read_index, read_manifest, read_results

__all__ = [
    "Expectation",
    "Run",
    "Spec",
    "SpecError",
    "StorageError",
    "SweepInterrupted",
    "SweepSummary",
    "build_runs",
    "design_points",
    "load_spec",
    "read_index",
    "read_manifest",
    "read_results",
    "replication_seeds",
    "run_sweep",
    "spec_from_dict",
]
