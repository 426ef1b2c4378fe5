"""Running one simulation and writing what it produced, so that a run can be cited and redone.

A run folder holds ``timeseries.parquet`` and ``timeseries.csv`` (one row per month, one column
per model reporter), ``network.graphml`` (the final relationship record; opens in Gephi),
``params.json`` (every parameter value, the seed, the number of steps and the package, Mesa,
NumPy, NetworkX and Python versions) and, when agent data was requested,
``agents_smb.parquet`` and ``agents_vendor.parquet``.

The folder is written under a temporary name and renamed at the end, so an interrupted run
leaves no half-written results, and an existing results folder is never overwritten.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from ..model import EcosystemModel

__all__ = ["timeseries", "versions", "write_run"]


def timeseries(model: EcosystemModel) -> pd.DataFrame:
    """The model reporters as a table with a ``step`` column (month 1 is the first step)."""
    frame = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    frame.insert(0, "step", range(1, len(frame) + 1))
    return frame


def versions() -> dict[str, str]:
    """Versions of everything that determines a run's numbers."""
    found = {"python": platform.python_version()}
    for package in ("smb-ecosystem", "mesa", "numpy", "networkx", "pandas"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def write_run(model: EcosystemModel, out: Path, *, seed: int, steps: int, command: list[str]) -> Path:
    """Write a finished run's outputs to the new folder ``out`` (which must not hold files)."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"--out {out} already holds files; choose a new folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        frame = timeseries(model)
        frame.to_parquet(staging / "timeseries.parquet", index=False)
        frame.to_csv(staging / "timeseries.csv", index=False)
        nx.write_graphml(model.network, staging / "network.graphml")
        if model.params["collect_agent_data"]:
            for kind in model.datacollector.agenttype_reporters:
                agents = model.datacollector.get_agenttype_vars_dataframe(kind).reset_index()
                agents.to_parquet(staging / f"agents_{kind.__name__.lower()}.parquet", index=False)
        record = {
            "parameters": {name: _jsonable(value) for name, value in model.params.items()},
            "focal": model.focal,
            "seed": seed,
            "steps": steps,
            "versions": versions(),
            "command": command,
        }
        (staging / "params.json").write_text(json.dumps(record, indent=2) + "\n")
        if out.exists():
            out.rmdir()
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def _jsonable(value: Any) -> Any:
    """A parameter value for params.json: a mix of numbers keeps its values as text keys."""
    return {str(key): share for key, share in value.items()} if isinstance(value, dict) else value
