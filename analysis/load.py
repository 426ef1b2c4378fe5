"""Reading a sweep folder back for analysis, checked: whole, from its own spec, with every metric.

:func:`load` rebuilds the spec from the folder's ``manifest.json`` (never from a spec file that
may have changed since), works out from it which runs the sweep should have, and refuses a
half-finished sweep unless asked not to, because statistics on a partial design are biased
towards whatever ran first. Every refusal is one :class:`AnalysisError` line naming the folder
or file and saying what to do.

Examples
--------
>>> load("no/such/folder")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
analysis.load.AnalysisError: no/such/folder is not a sweep results folder (no manifest.json); ...
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from experiments import storage
from experiments.design import build_runs
from experiments.spec import Spec, SpecError, spec_from_dict

__all__ = ["AnalysisError", "SweepResults", "load"]


class AnalysisError(ValueError):
    """A sweep or request that cannot be analysed, said in one line naming what and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


@dataclass
class SweepResults:
    """A loaded sweep: where it is, its spec and manifest, its run index and its results.

    Attributes
    ----------
    path : Path
        The sweep folder.
    spec : Spec
        The spec rebuilt from ``manifest.json``.
    manifest : dict
        The manifest as stored.
    index : DataFrame
        The run index, last attempt per run (:func:`experiments.storage.read_index`).
    frame : DataFrame
        The tidy long table of :func:`experiments.storage.read_results`: ``run_id``, ``point``,
        ``replication``, ``seed``, the factor columns, ``step``, the metric columns; one row per
        run and recorded month, in run id (design) order.
    complete : bool
        Whether every run of the design has its results file.
    missing_runs : tuple of str
        Runs of the design without a results file (failed ones included), in design order.
    failed_runs : tuple of str
        The missing runs whose last attempt failed (the rest were never attempted).
    """

    path: Path
    spec: Spec
    manifest: dict
    index: pd.DataFrame
    frame: pd.DataFrame
    complete: bool
    missing_runs: tuple[str, ...]
    failed_runs: tuple[str, ...]

    @property
    def factors(self) -> tuple[str, ...]:
        """The names of the parameters the sweep varies, in spec order."""
        return tuple(self.spec.factors)

    @property
    def metrics(self) -> tuple[str, ...]:
        """The names of the metrics the sweep recorded, in spec order."""
        return tuple(self.spec.metrics)


def load(results_dir: str | Path, *, allow_partial: bool = False) -> SweepResults:
    """Load the sweep folder ``results_dir`` written by :func:`experiments.run_sweep`.

    Parameters
    ----------
    results_dir : path
        The sweep folder (holding ``manifest.json``, ``index.jsonl`` and ``runs/``).
    allow_partial : bool
        Load a half-finished sweep (some runs missing or failed) instead of refusing it;
        ``complete`` and ``missing_runs`` then say what is missing.

    Returns
    -------
    SweepResults

    Raises
    ------
    AnalysisError
        If the folder has no manifest or an unreadable spec; if runs are missing and
        ``allow_partial`` is false; if no run has finished at all; if a metric of the spec is
        missing from a run file.
    """
    path = Path(results_dir)
    if not path.is_dir() or not (path / storage.MANIFEST).is_file():
        raise AnalysisError(
            f"{path} is not a sweep results folder (no {storage.MANIFEST}); "
            "point at a folder written by `smb-eco sweep`"
        )
    manifest = _manifest(path)
    spec = _spec(path, manifest)
    expected = [run.run_id for run in build_runs(spec)]
    finished = storage.completed_run_ids(path)
    index = storage.read_index(path)
    missing = tuple(run_id for run_id in expected if run_id not in finished)
    failed = _failed(index, set(missing))
    done = len(expected) - len(missing)
    if done == 0:
        raise AnalysisError(
            f"{path} has no finished runs yet (0 of {len(expected)}); "
            f"run it with `{_resume_command(path, manifest, spec)}` first"
        )
    if missing and not allow_partial:
        failures = f", {len(failed)} failed" if failed else ""
        raise AnalysisError(
            f"{path} is half finished: {done} of {len(expected)} runs have results{failures}; "
            f"finish it with `{_resume_command(path, manifest, spec)}` or pass --allow-partial"
        )
    frame = _results(path, spec, [run_id for run_id in expected if run_id in finished])
    return SweepResults(
        path=path,
        spec=spec,
        manifest=manifest,
        index=index,
        frame=frame,
        complete=not missing,
        missing_runs=missing,
        failed_runs=failed,
    )


def _manifest(path: Path) -> dict[str, Any]:
    where = path / storage.MANIFEST
    try:
        manifest = storage.read_manifest(path)
    except (OSError, ValueError) as error:
        raise AnalysisError(f"{where}: cannot be read ({error}); the sweep folder is damaged") from None
    if not isinstance(manifest, dict) or "spec" not in manifest:
        raise AnalysisError(f"{where}: holds no 'spec'; it was not written by `smb-eco sweep`")
    return manifest


def _spec(path: Path, manifest: dict[str, Any]) -> Spec:
    where = path / storage.MANIFEST
    try:
        return spec_from_dict(manifest["spec"], source=str(where))
    except SpecError as error:
        raise AnalysisError(
            f"{where}: its spec no longer checks ({error}); analyse it with the version of "
            "smb-eco that wrote it"
        ) from None


def _failed(index: pd.DataFrame, missing: set[str]) -> tuple[str, ...]:
    if index.empty or "status" not in index:
        return ()
    bad = index[(index["status"] != "done") & index["run_id"].isin(missing)]
    return tuple(sorted(bad["run_id"]))


def _resume_command(path: Path, manifest: dict[str, Any], spec: Spec) -> str:
    source = manifest.get("spec_source") or spec.name
    if source.startswith("<") or source.startswith("shrink("):
        source = "SPEC"
    return f"smb-eco sweep {source} --out {path} --resume"


def _results(path: Path, spec: Spec, run_ids: list[str]) -> pd.DataFrame:
    """The finished runs' tables, concatenated in design order, each checked for the spec's metrics.

    Each file is opened once and its columns are checked on the table read (reading the schema
    first as well cost 11 of the 82 s of loading the 24,576 files of a Sobol sweep).
    """
    tables = []
    for run_id in run_ids:
        file = storage.run_path(path, run_id)
        try:
            table = pd.read_parquet(file)
        except (OSError, ValueError) as error:
            raise AnalysisError(f"{file}: cannot be read ({error}); delete it and resume the sweep") from None
        for metric in spec.metrics:
            if metric not in table.columns:
                raise AnalysisError(
                    f"{file}: metric {metric!r} of the spec is missing from the run file; the folder "
                    "mixes results of different specs or versions: re-run the sweep into a new folder"
                )
        tables.append(table)
    return pd.concat(tables, ignore_index=True)
