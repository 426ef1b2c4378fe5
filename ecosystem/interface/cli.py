"""The ``smb-eco`` command line: run a simulation, list the parameters, run, list and analyse sweeps.

``smb-eco demo`` does the whole job on a laptop-sized sample: it runs a built-in experiment,
analyses it and prints where the report is. ``smb-eco analyze DIR`` writes the statistics,
figures and report of a finished sweep (:func:`analysis.report.analyze`).

Bad input (an unknown parameter, a value out of range, an unreadable config file, an output
folder that already holds results, a folder that is no sweep or a half-finished one) ends with
one line on standard error naming what to fix and exit code 2; nothing is written. A sweep in
which some runs failed ends with exit code 1 after listing them (they are retried by
``smb-eco sweep SPEC --out DIR --resume``); so does a sweep or an analysis whose folder cannot
be written (a full disk), after one line naming the file; what was written before stays intact.

Ctrl-C (SIGINT) and SIGTERM end every command but the dashboard with one line on standard error
and the shell's status for the signal (130 and 143): the ``smb-eco`` process ends by that signal,
as shells expect of an interrupted program, once ``finally`` blocks have run. A sweep first
records the runs that finish within a few seconds and prints the command that continues it. The
dashboard, a server, stops its server process and ends with status 0.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import textwrap
from pathlib import Path
from typing import Any, NoReturn

import yaml

from .. import reporters
from ..model import run_simulation
from ..parameters import (
    ADVANCED,
    FOCAL_PREFIX,
    STRATEGY_FIELDS,
    advanced_table,
    basic_parameters,
    format_value,
    parse_value,
    schema_table,
    validate_focal,
    validate_parameters,
)
from ..units import settings as money_settings
from ..units import unit_text
from .classroom_server import DEFAULT_PORT as CLASSROOM_PORT
from .classroom_server import serve as serve_classroom
from .dashboard import DEFAULT_HOST as DASHBOARD_HOST
from .dashboard import DEFAULT_PORT as DASHBOARD_PORT
from .dashboard import serve as serve_dashboard
from .lifetime import Interrupted, exit_status, signals_raise
from .outputs import timeseries, write_run
from .presets import DEFAULT_PRESET, PRESETS

__all__ = ["console", "main"]

DEFAULT_STEPS = 120
DEFAULT_SEED = 42
MAX_STEPS = 100_000
#: Reporters shown in the run summary, in this order: make or buy, agency, relationships and
#: capabilities, hold-up, the SMBs' and the vendors' economics.
SUMMARY = (
    "outsourcing_share",
    "active_contracts",
    "shirking_rate",
    "mean_delivered_quality",
    "mean_contracted_vendor_quality",
    "lemon_share_new_contracts",
    "contracts_ended_early",
    "mean_relational_capital",
    "cumulative_innovations",
    "mean_inhouse_capability",
    "disruption_loss",
    "mean_disruption_loss",
    "output_months_lost",
    "renewal_fee_change",
    "holdup_transfer",
    "mean_smb_margin",
    "mean_smb_profit",
    "smb_exits",
    "smb_survival_rate",
    "mean_vendor_profit",
    "vendor_entries",
    "vendor_exits",
    "active_vendors",
    "vendor_hhi",
)


#: The built-in experiment ``smb-eco demo`` runs, and what it changes to fit a laptop (45 s on 2 cores).
DEMO_EXPERIMENT = "agency_moral_hazard"
DEMO_CHANGES = {"fixed": {"n_smbs": 100, "n_vendors": 30}, "replications": 3, "steps": 60, "contexts": None}
DEMO_WORKERS = max(1, min(2, os.cpu_count() or 1))
#: Replications of ``smb-eco validate`` (analysis.validation.DEFAULT_REPLICATIONS, without importing it).
VALIDATION_REPLICATIONS = 10


class UsageError(Exception):
    """Bad input from the user: reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def _add_settings(
    command: argparse.ArgumentParser,
    config_help: str = "YAML file mapping parameter names to values",
    set_help: str = "set a parameter (repeatable; see `smb-eco params`)",
) -> None:
    """The ``--config`` file and repeatable ``--set NAME=VALUE`` of the commands that take parameters."""
    command.add_argument("--config", type=Path, help=config_help)
    command.add_argument(
        "--set", dest="settings", action="append", default=[], metavar="NAME=VALUE", help=set_help
    )


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="smb-eco", description="Agent-based simulation of SMB-vendor outsourcing.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("run", help="run one simulation and write its outputs")
    _add_settings(run)
    run.add_argument(
        "--focal",
        dest="focal",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="add a focal firm with this strategy field fixed (repeatable; fields: "
        + ", ".join(STRATEGY_FIELDS)
        + ")",
    )
    run.add_argument("--steps", type=int, help=f"months to simulate (default {DEFAULT_STEPS})")
    run.add_argument("--seed", type=int, help=f"random seed (default {DEFAULT_SEED})")
    run.add_argument(
        "--out", type=Path, help="new folder for the outputs (default runs/seed-S-Nm, numbered if taken)"
    )

    params = commands.add_parser("params", help="list every parameter with its default and range")
    params.add_argument("--markdown", action="store_true", help="print a Markdown table")
    params.add_argument(
        "--all",
        action="store_true",
        help="also list the advanced parameters: the mechanisms' constants (settable like any other)",
    )

    sweep = commands.add_parser("sweep", help="run an experiment sweep described by a YAML spec")
    sweep.add_argument("spec", metavar="SPEC", help="a YAML spec file, or a built-in (`smb-eco experiments`)")
    sweep.add_argument("--out", type=Path, help="sweep folder (default runs/sweeps/NAME, numbered if taken)")
    sweep.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    sweep.add_argument(
        "--scheduler", metavar="ADDRESS", help="send the runs to the Dask scheduler at tcp://HOST:PORT"
    )
    sweep.add_argument(
        "--resume", action="store_true", help="continue the sweep in --out, skipping done runs"
    )
    sweep.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="fix a parameter the spec does not vary (repeatable; recorded in the manifest)",
    )
    sweep.add_argument("--replications", type=int, help="replications per design point instead of the spec's")
    sweep.add_argument("--steps", type=int, help="months per run instead of the spec's")

    commands.add_parser("experiments", help="list the built-in experiment specs and their hypotheses")

    analyze = commands.add_parser(
        "analyze", help="analyse a sweep: statistics, hypothesis tests, figures, report"
    )
    analyze.add_argument(
        "results", metavar="RESULTS_DIR", type=Path, help="a folder written by `smb-eco sweep`"
    )
    analyze.add_argument("--out", type=Path, help="folder for the report (default RESULTS_DIR/analysis)")
    analyze.add_argument(
        "--allow-partial", action="store_true", help="analyse a half-finished sweep anyway (the report warns)"
    )

    demo = commands.add_parser(
        "demo", help=f"run the {DEMO_EXPERIMENT} experiment on a laptop-sized sample and write its report"
    )
    demo.add_argument(
        "--out", type=Path, help="new folder for the demo (default runs/demo, numbered if taken)"
    )
    demo.add_argument(
        "--workers", type=int, default=DEMO_WORKERS, help=f"local worker processes (default {DEMO_WORKERS})"
    )

    validate = commands.add_parser(
        "validate", help="measure the model against empirical targets (defaults, or a config)"
    )
    _add_settings(validate)
    validate.add_argument(
        "--replications",
        type=int,
        default=VALIDATION_REPLICATIONS,
        help=f"runs of the setting, each with its own seed (default {VALIDATION_REPLICATIONS})",
    )
    validate.add_argument(
        "--targets", type=Path, help="a targets YAML file (default: the built-in outsourcing facts)"
    )
    validate.add_argument(
        "--out", type=Path, help="new folder for the report (default runs/validation, numbered if taken)"
    )
    validate.add_argument(
        "--workers", type=int, default=DEMO_WORKERS, help=f"local worker processes (default {DEMO_WORKERS})"
    )
    validate.set_defaults(focal=[])

    calibrate = commands.add_parser(
        "calibrate", help="estimate parameters from empirical targets by ABC-SMC (pyabc)"
    )
    calibrate.add_argument(
        "targets", metavar="TARGETS", help="a targets YAML file, or outsourcing_facts (the built-in one)"
    )
    calibrate.add_argument(
        "--params",
        dest="bounds",
        action="append",
        default=[],
        metavar="NAME=LOW:HIGH",
        help="a numeric parameter to estimate, with its uniform prior (repeatable)",
    )
    _add_settings(calibrate, "YAML file of the parameters held fixed", "hold a parameter fixed (repeatable)")
    calibrate.add_argument(
        "--population", type=int, default=100, help="particles per generation (default 100)"
    )
    calibrate.add_argument("--generations", type=int, default=5, help="ABC-SMC generations (default 5)")
    calibrate.add_argument(
        "--replications", type=int, default=1, help="runs averaged per particle (default 1)"
    )
    calibrate.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    calibrate.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler, e.g. tcp://HOST:8786")
    calibrate.add_argument("--seed", type=int, default=1, help="base seed (default 1)")
    calibrate.add_argument(
        "--distance",
        choices=("point", "range"),
        default="point",
        help="measure each target's miss from its empirical value (point, default) "
        "or from its range (range: 0 inside)",
    )
    calibrate.add_argument(
        "--out",
        type=Path,
        help="new folder for the calibration (default runs/calibration, numbered if taken)",
    )
    calibrate.add_argument(
        "--resume", action="store_true", help="continue the calibration in --out up to --generations"
    )
    calibrate.set_defaults(focal=[])

    advise = commands.add_parser(
        "advise", help="advise one firm on its sourcing, monitoring and contract policy under uncertain risks"
    )
    _add_settings(
        advise,
        config_help="YAML file of the firm's situation (parameters, ranges, policies.*, threshold.*)",
        set_help="NAME=VALUE, NAME=a,b,c or NAME=LOW..HIGH (a range to advise over); focal.FIELD: the firm's "
        "current policy; policies.FIELD=a,b: candidates; threshold.cash / .disruption_months / .profit / "
        ".survival; months, replications, seed",
    )
    advise.add_argument(
        "--out", type=Path, help="new folder for the advice (default runs/advice, numbered if taken)"
    )
    advise.add_argument(
        "--workers", type=int, default=DEMO_WORKERS, help="worker processes (default %(default)s)"
    )
    dashboard = commands.add_parser("dashboard", help="serve the interactive classroom dashboard")
    dashboard.add_argument("--port", type=int, default=DASHBOARD_PORT, help=f"default {DASHBOARD_PORT}")
    dashboard.add_argument("--host", default=DASHBOARD_HOST, help=f"default {DASHBOARD_HOST} (this machine)")

    classroom = commands.add_parser(
        "classroom", help="serve the participatory classroom game (students run firms in one market)"
    )
    classroom.add_argument("--port", type=int, default=CLASSROOM_PORT, help=f"default {CLASSROOM_PORT}")
    classroom.add_argument(
        "--host",
        default=DASHBOARD_HOST,
        help=f"default {DASHBOARD_HOST} (this machine); 0.0.0.0 lets students' machines join",
    )
    classroom.add_argument(
        "--seed", type=int, default=1, help="the market's seed, for every scenario (default 1)"
    )
    classroom.add_argument(
        "--scenario",
        default=DEFAULT_PRESET,
        help=f"the first scenario (default {DEFAULT_PRESET!r}): " + ", ".join(PRESETS),
    )
    classroom.add_argument(
        "--smbs", type=int, default=30, help="SMBs besides the students' firms (default 30)"
    )
    classroom.add_argument("--vendors", type=int, default=10, help="vendors at the start (default 10)")
    classroom.add_argument("--rounds", type=int, default=3, help="rounds per scenario (default 3)")
    return parser


def _read_config(path: Path) -> dict[str, Any]:
    """Parameter values (and optionally ``steps`` and ``seed``) from a YAML mapping."""
    try:
        loaded = yaml.safe_load(path.read_text())
    except OSError as error:
        raise UsageError(f"--config {path}: cannot read ({error.strerror})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise UsageError(f"--config {path}: not valid YAML{where}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise UsageError(f"--config {path}: must be a mapping of parameter names to values")
    spec_fields = [key for key in ("design", "factors", "replications", "expect", "metrics") if key in loaded]
    if spec_fields:
        raise UsageError(
            f"--config {path}: is a sweep spec (it has {', '.join(spec_fields)}), not a file of parameter "
            f"values; run it with `smb-eco sweep {path}`, or give --config a mapping of parameters to values"
        )
    return loaded


def _resolve_run(args: argparse.Namespace) -> tuple[dict[str, Any], int, int, Path]:
    """Parameters, steps, seed and output folder from the config, --set and flags, all checked."""
    values, steps, seed = _settings(args)
    steps = next(x for x in (args.steps, steps, DEFAULT_STEPS) if x is not None)
    seed = next(x for x in (args.seed, seed, DEFAULT_SEED) if x is not None)
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise UsageError(f"steps must be an integer in [1, {MAX_STEPS}], got {steps!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UsageError(f"seed must be a non-negative integer, got {seed!r}")
    params = validate_parameters(values)
    if args.out is None:
        return params, steps, seed, _fresh_folder(Path("runs") / f"seed-{seed}-{steps}m")
    if args.out.exists() and (not args.out.is_dir() or any(args.out.iterdir())):
        raise UsageError(f"--out {args.out} already holds results; choose a new folder")
    return params, steps, seed, args.out


def _settings(args: argparse.Namespace) -> tuple[dict[str, Any], Any, Any]:
    """The parameter values given by --config, --set and --focal (checked), and the config's
    ``steps`` and ``seed`` (None where it has none)."""
    values: dict[str, Any] = {}
    steps = seed = None
    if args.config is not None:
        config = _read_config(args.config)
        steps = config.pop("steps", None)
        seed = config.pop("seed", None)
        try:
            focal = validate_focal(config.pop("focal", None)) or {}
            config.update({FOCAL_PREFIX + field: value for field, value in focal.items()})
            validate_parameters(config)
        except ValueError as error:
            raise UsageError(f"--config {args.config}: {error}") from None
        values.update(config)
    for setting in args.settings:
        name, sep, text = setting.partition("=")
        if not sep:
            raise UsageError(f"--set {setting!r}: expected NAME=VALUE")
        try:
            values[name.strip()] = parse_value(name.strip(), text)
        except ValueError as error:
            raise UsageError(f"--set {setting}: {error}") from None
    for setting in args.focal:
        field, sep, text = setting.partition("=")
        if not sep:
            raise UsageError(f"--focal {setting!r}: expected FIELD=VALUE")
        try:
            values.update({FOCAL_PREFIX + k: v for k, v in validate_focal({field.strip(): text}).items()})
        except ValueError as error:
            raise UsageError(f"--focal {setting}: {error}") from None
    try:
        validate_parameters(values)
    except ValueError as error:
        raise UsageError(str(error)) from None
    return values, steps, seed


def _fresh_folder(base: Path) -> Path:
    """``base``, or ``base-2``, ``base-3``... : the first that does not exist yet."""
    candidate, number = base, 1
    while candidate.exists():
        number += 1
        candidate = base.with_name(f"{base.name}-{number}")
    return candidate


def _summary(model, out: Path, steps: int, seed: int) -> str:
    frame = timeseries(model)
    last_year = frame.tail(12)
    p = model.params
    lines = [
        f"Simulated {steps} months: {p['n_smbs']} SMBs, {p['n_vendors']} vendors, "
        f"decision rule {format_value(p['decision_rule'])}, {format_value(p['contract_type'])} contracts, "
        f"{format_value(p['sourcing_policy'])} sourcing, adaptation {p['adaptation']}, seed {seed}.",
        "",
        f"{'measure':34} {'final month':>12} {'last 12 mean':>13}  meaning",
    ]
    shown = list(SUMMARY)
    if p["adaptation"] != "none" or isinstance(p["decision_rule"], dict):
        shown += [name for name in reporters.STRATEGY_REPORTERS if name.startswith("share_rule_")]
    if model.focal is not None:
        lines[0] += (
            " Focal firm: " + ", ".join(f"{k}={format_value(v)}" for k, v in model.focal.items()) + "."
        )
        shown += [name for name in reporters.MODEL_REPORTERS if name.startswith("focal_")]
    for name in shown:
        meaning = " ".join(reporters.MODEL_REPORTERS[name].__doc__.split())
        meaning = meaning.split(". ")[0].split("; ")[0].split(": ")[0]
        final, mean = frame[name].iloc[-1], last_year[name].mean()  # NaN: nothing to measure (no renewals)
        if name in reporters.MONEY_SCOPE:  # money in the run's business units: EUR k / firm / month
            meaning = f"{meaning.rstrip('.')} [{unit_text(name, *money_settings(p))}]"
        lines.append(f"{name:34} {_cell(final):>12} {_cell(mean):>13}  {meaning.rstrip('.')}")
    files = ", ".join(sorted(path.name for path in out.iterdir()))
    lines += ["", f"Outputs in {out}/: {files}"]
    return "\n".join(lines)


def _cell(value: float) -> str:
    """A summary number with three decimals; a dash for NaN (nothing happened to measure)."""
    return "–" if value != value else f"{value:.3f}"


def _params_text(width: int = 100, advanced: bool = False) -> str:
    """Every basic parameter (with ``advanced`` also the advanced ones, after them) as a short
    block, grouped by theory perspective: name, default and unit, what is allowed (with a mix
    example for mixable ones), and what it means."""
    lines = [
        "Parameters (set them with --set NAME=VALUE or in a --config YAML file; `smb-eco params "
        "--markdown` gives a table):"
    ]
    if not advanced:
        lines.append(
            f"({len(ADVANCED)} advanced parameters, the mechanisms' constants, are not shown: "
            "`smb-eco params --all` lists them.)"
        )
    groups = [("", basic_parameters())]
    if advanced:
        groups.append((", advanced", ADVANCED))
    indent = " " * 6
    for label, shown in groups:
        for perspective in dict.fromkeys(p.perspective for p in shown):
            lines += ["", f"[{perspective}{label}]"]
            for p in (p for p in shown if p.perspective == perspective):
                lines += _parameter_block(p, width, indent)
    return "\n".join(lines)


def _parameter_block(p, width: int, indent: str) -> list[str]:
    """One parameter in words: name, default and unit, what is allowed, what it means."""
    lines = []
    unit = f" {p.unit}" if p.unit else ""
    lines.append(f"  {p.name} = {format_value(p.default)}{unit}")
    allowed = "allowed: " + p.allowed()
    if p.mixable and p.choices:
        allowed += f", e.g. --set {p.name}={p.choices[0]}:0.5,{p.choices[-1]}:0.5"
    elif p.mixable:
        allowed += f", e.g. --set {p.name}=0.1:0.5,0.6:0.5"
    for text in (allowed, p.description):
        lines += textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "  ")
    return lines


def _run(args: argparse.Namespace, argv: list[str]) -> int:
    params, steps, seed, out = _resolve_run(args)
    model = run_simulation(params, steps, seed)
    write_run(model, out, seed=seed, steps=steps, command=["smb-eco", *argv])
    print(_summary(model, out, steps, seed))
    return 0


def _sweep_setup(args: argparse.Namespace):
    """The checked spec and output folder of ``smb-eco sweep``; raises UsageError before writing."""
    from experiments import SpecError
    from experiments.catalog import override, resolve_spec

    settings = {}
    for setting in args.settings:
        name, sep, text = setting.partition("=")
        if not sep:
            raise UsageError(f"--set {setting!r}: expected NAME=VALUE")
        try:
            settings[name.strip()] = parse_value(name.strip(), text)
        except ValueError as error:
            raise UsageError(f"--set {setting}: {error}") from None
    try:
        base = resolve_spec(args.spec)
        spec = override(base, settings, args.replications, args.steps)
    except SpecError as error:
        raise UsageError(str(error)) from None
    if args.workers < 1:
        raise UsageError(f"--workers must be a positive integer, got {args.workers}")
    if args.resume and args.out is None:
        raise UsageError("--resume needs --out, the folder of the sweep to continue")
    out = args.out if args.out is not None else _fresh_folder(Path("runs") / "sweeps" / spec.name)
    if not args.resume and out.is_dir() and any(out.iterdir()):
        raise UsageError(
            f"--out {out} already holds files; to continue the sweep there, run the same command with "
            "--resume; to start afresh, choose a new folder"
        )
    overrides = _overrides(args, settings, base)
    return spec, out, overrides


def _overrides(args: argparse.Namespace, settings: dict[str, Any], base) -> dict[str, Any] | None:
    """What --set, --replications and --steps changed, for the manifest (None if nothing)."""
    if not settings and args.replications is None and args.steps is None:
        return None
    out: dict[str, Any] = {"spec": str(args.spec), "spec_hash": base.digest()}
    if settings:
        out["set"] = {name: format_value(value) for name, value in settings.items()}
    if args.replications is not None:
        out["replications"] = args.replications
    if args.steps is not None:
        out["steps"] = args.steps
    out["arguments"] = _override_arguments(args)
    return out


def _override_arguments(args: argparse.Namespace) -> list[str]:
    """The --set, --replications and --steps words of ``args``, as given."""
    words: list[str] = []
    for setting in getattr(args, "settings", []):
        words += ["--set", setting]
    for flag in ("replications", "steps"):
        if getattr(args, flag, None) is not None:
            words += [f"--{flag}", str(getattr(args, flag))]
    return words


def _sweep(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from experiments import build_runs, run_sweep, storage
    from experiments.runner import SweepInterrupted

    spec, out, overrides = _sweep_setup(args)
    run_ids = {run.run_id for run in build_runs(spec)}
    already = len(storage.completed_run_ids(out) & run_ids) if args.resume and out.is_dir() else 0
    failures: list[tuple[str, str]] = []
    tqdm.monitor_interval = 0  # no monitor thread, so local workers can be forked (runner._start_method)
    bar = tqdm(
        total=len(run_ids),
        initial=already,
        desc=spec.name,
        unit="run",
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
    )

    def on_result(record: dict[str, Any]) -> None:
        if record["status"] != "done":
            failures.append((record["run_id"], record["error"]))
        bar.update(1)

    try:
        summary = run_sweep(
            spec,
            out,
            workers=args.workers,
            resume=args.resume,
            on_result=on_result,
            scheduler=args.scheduler,
            overrides=overrides,
        )
    except SweepInterrupted as stop:
        bar.close()
        done = stop.summary.skipped + stop.summary.done
        failed = f" ({stop.summary.failed} failed)" if stop.summary.failed else ""
        sys.stderr.write(
            f"smb-eco sweep: interrupted by {signal.Signals(stop.signum).name} after {done} of "
            f"{len(run_ids)} runs{failed}; continue with: {_resume_command(args, out)}\n"
        )
        return exit_status(stop.signum)
    except storage.StorageError as error:
        bar.close()
        sys.stderr.write(
            f"smb-eco sweep: error: {error}; the finished runs in {out}/ are intact: free some space "
            f"(or fix the folder), then continue with: {_resume_command(args, out)}\n"
        )
        return 1
    except (FileExistsError, ValueError, ConnectionError) as error:
        raise UsageError(" ".join(str(error).split())) from None
    finally:
        bar.close()
    print(_sweep_summary(summary, spec.name, failures))
    return 1 if failures else 0


def _resume_command(args: argparse.Namespace, out: Path) -> str:
    """The command that continues the sweep of ``args`` in ``out``, quoted for a POSIX shell.

    >>> args = argparse.Namespace(spec="my spec.yaml", workers=2, scheduler=None)
    >>> _resume_command(args, Path("runs/sweeps/x"))
    "smb-eco sweep 'my spec.yaml' --out runs/sweeps/x --resume --workers 2"
    """
    words = ["smb-eco", "sweep", str(args.spec), *_override_arguments(args), "--out", str(out), "--resume"]
    if args.scheduler:
        words += ["--scheduler", args.scheduler]
    elif args.workers != 1:
        words += ["--workers", str(args.workers)]
    return shlex.join(words)


def _sweep_summary(summary, name: str, failures: list[tuple[str, str]], shown: int = 20) -> str:
    lines = [
        f"Sweep {name}: {summary.total} runs; {summary.done} done, {summary.failed} failed, "
        f"{summary.skipped} skipped (done before) in {summary.wall_time_s:.1f} s.",
        f"Results in {summary.out_dir}/ (runs/*.parquet, index.jsonl, manifest.json).",
    ]
    if failures:
        lines.append(f"Failed runs (retry them with --out {summary.out_dir} --resume):")
        lines += [f"  {run_id}  {error}" for run_id, error in failures[:shown]]
        if len(failures) > shown:
            lines.append(f"  ... and {len(failures) - shown} more (see index.jsonl)")
    return "\n".join(lines)


def _experiments() -> str:
    from experiments import build_runs
    from experiments.catalog import builtin_spec, builtin_specs

    blocks = ["Built-in experiments (run one with `smb-eco sweep NAME`):"]
    for name in builtin_specs():
        spec = builtin_spec(name)
        runs = len(build_runs(spec))
        head = f"{name}  ({spec.design.kind} design, {runs} runs of {spec.steps} months)"
        hypothesis = textwrap.fill(
            " ".join(spec.hypothesis.split()),
            width=96,
            initial_indent="    ",
            subsequent_indent="    ",
            break_on_hyphens=False,
        )
        blocks.append(f"\n{head}\n{hypothesis}")
    return "\n".join(blocks)


def _analyze(args: argparse.Namespace) -> int:
    from analysis.load import AnalysisError
    from analysis.report import analyze

    try:
        report = analyze(args.results, args.out, allow_partial=args.allow_partial)
    except AnalysisError as error:
        raise UsageError(str(error)) from None
    except OSError as error:  # a full disk, no permission (analysis.report.analyze names the folder)
        sys.stderr.write(
            f"smb-eco analyze: error: {' '.join(str(error).split())}; free some space (or choose another "
            "--out) and run it again\n"
        )
        return 1
    print(_analysis_summary(report))
    return 0


def _analysis_summary(report: Path) -> str:
    """Where the report is, and the verdicts in words, read back from the tables just written."""
    import pandas as pd

    folder = report.parent
    figures = len(list((folder / "figures").glob("*.png")))
    lines = [
        f"Report: {report} (and {report.with_suffix('.html').name}), {figures} figures in "
        f"{folder / 'figures'}/, tables (*.csv) in {folder}/.",
    ]
    text = report.read_text(encoding="utf-8")
    if "Warning: half-finished sweep" in text:
        lines.append("Warning: half-finished sweep; the numbers come from the finished runs only.")
    tests = pd.read_csv(folder / "hypothesis_tests.csv")
    if len(tests):
        lines.append("Verdicts (Holm-adjusted p < 0.05; each run's mean over the months is one observation):")
    for row in tests.itertuples(index=False):
        p = (
            "p = nan"
            if pd.isna(row.p_value)
            else ("p < 0.001" if row.p_value < 0.001 else f"p = {row.p_value:.3f}")
        )
        adjusted = getattr(row, "p_adjusted", float("nan"))
        if pd.notna(adjusted) and adjusted != row.p_value:
            p += ", Holm " + ("p < 0.001" if adjusted < 0.001 else f"p = {adjusted:.3f}")
        moderator = getattr(row, "moderator", None)
        factor = f"{row.factor} × {moderator}" if isinstance(moderator, str) else row.factor
        claim = getattr(row, "claim", row.direction)
        lines.append(f"  {row.verdict:13} {row.metric} vs {factor} ({claim}; {row.test}, {p})")
    return "\n".join(lines)


def demo_spec():
    """The demo's spec: the built-in :data:`DEMO_EXPERIMENT`, with :data:`DEMO_CHANGES` applied.

    The full grid and its hypothesis are kept; only the market, the replications and the months
    shrink, so the effects stay clear and the whole demo takes seconds.
    """
    from experiments import spec_from_dict
    from experiments.catalog import builtin_spec

    spec = builtin_spec(DEMO_EXPERIMENT)
    data = spec.to_dict()
    data.update({k: ({**data[k], **v} if isinstance(v, dict) else v) for k, v in DEMO_CHANGES.items()})
    data = {k: v for k, v in data.items() if v is not None}  # the demo tests the effects at one setting
    data["name"] = f"{spec.name}-demo"
    data["record_every"] = min(data["record_every"], data["steps"])
    return spec_from_dict(data, source=f"demo({spec.source})")


def _demo(args: argparse.Namespace) -> int:
    from analysis.report import analyze
    from experiments import run_sweep
    from experiments.storage import StorageError

    if args.workers < 1:
        raise UsageError(f"--workers must be a positive integer, got {args.workers}")
    if args.out is not None and args.out.exists() and (not args.out.is_dir() or any(args.out.iterdir())):
        raise UsageError(f"--out {args.out} already holds files; choose a new folder")
    out = args.out if args.out is not None else _fresh_folder(Path("runs") / "demo")
    spec = demo_spec()
    print(
        f"Demo: the {DEMO_EXPERIMENT} experiment ({len(spec.factors)} factors, "
        f"{spec.replications} replications, {spec.fixed['n_smbs']} SMBs, {spec.steps} months) "
        f"into {out}/ ...",
        flush=True,
    )
    try:
        summary = run_sweep(spec, out, workers=args.workers)
        print(_sweep_summary(summary, spec.name, []))
        report = analyze(out, allow_partial=summary.failed > 0)
    except StorageError as error:
        sys.stderr.write(f"smb-eco demo: error: {error}; free some space (or choose another --out)\n")
        return 1
    print(_analysis_summary(report))
    print(f"\nOpen the report: {report}")
    return 1 if summary.failed else 0


def _validate(args: argparse.Namespace) -> int:
    from analysis.validation import validate
    from experiments.storage import StorageError
    from experiments.targets import BUILTIN_TARGETS

    values, steps, seed = _settings(args)
    targets = _targets_file(str(args.targets or BUILTIN_TARGETS))
    if args.replications < 2:
        raise UsageError(f"--replications must be at least 2 (for an interval), got {args.replications}")
    if args.workers < 1:
        raise UsageError(f"--workers must be a positive integer, got {args.workers}")
    if args.out is not None and args.out.exists() and (not args.out.is_dir() or any(args.out.iterdir())):
        raise UsageError(f"--out {args.out} already holds files; choose a new folder")
    out = args.out if args.out is not None else _fresh_folder(Path("runs") / "validation")
    if steps is not None or seed is not None:
        print(
            f"Note: the config's steps and seed are not used: the targets file sets the months "
            f"({targets.steps}) and each replication has its own seed."
        )
    print(
        f"Validation: {len(targets.targets)} targets of {targets.name}, {args.replications} replications "
        f"of {targets.steps} months into {out}/ ...",
        flush=True,
    )
    try:
        result = validate(out, values, targets=targets, replications=args.replications, workers=args.workers)
    except StorageError as error:
        sys.stderr.write(f"smb-eco validate: error: {error}; free some space (or choose another --out)\n")
        return 1
    print(_validation_summary(result))
    return 0


def _targets_file(text: str):
    """A targets file by path, or a built-in one by name (``outsourcing_facts``)."""
    from experiments.targets import BUILTIN_TARGETS, TargetError, load_targets

    path = BUILTIN_TARGETS.with_name(f"{text}.yaml") if text == BUILTIN_TARGETS.stem else Path(text)
    try:
        return load_targets(path)
    except TargetError as error:
        raise UsageError(str(error)) from None


def _calibrate(args: argparse.Namespace, argv: list[str]) -> int:
    from analysis.calibration import CalibrationError, calibrate, check_request, parse_bounds
    from experiments.storage import StorageError

    targets = _targets_file(args.targets)
    fixed, _, _ = _settings(args)
    try:
        bounds = parse_bounds(args.bounds)
        check_request(bounds, fixed, args.population, args.generations, args.replications)
    except CalibrationError as error:
        raise UsageError(str(error)) from None
    if args.workers < 1:
        raise UsageError(f"--workers must be a positive integer, got {args.workers}")
    if args.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {args.seed}")
    if args.resume and args.out is None:
        raise UsageError("--resume needs --out, the folder of the calibration to continue")
    out = args.out if args.out is not None else _fresh_folder(Path("runs") / "calibration")
    where = f"the Dask cluster at {args.scheduler}" if args.scheduler else f"{args.workers} process(es)"
    print(
        f"Calibration: {', '.join(bounds)} on {len(targets.targets)} targets of {targets.name}; "
        f"{args.generations} generations of {args.population} particles on {where}, into {out}/ ...",
        flush=True,
    )
    try:
        result = calibrate(
            targets,
            bounds,
            out,
            fixed=fixed,
            population=args.population,
            generations=args.generations,
            replications=args.replications,
            workers=args.workers,
            scheduler=args.scheduler,
            seed=args.seed,
            resume=args.resume,
            distance_kind=args.distance,
            command=shlex.join(["smb-eco", *argv]),
        )
    except CalibrationError as error:
        raise UsageError(str(error)) from None
    except (StorageError, OSError) as error:
        sys.stderr.write(f"smb-eco calibrate: error: {' '.join(str(error).split())}\n")
        return 1
    lines = ["", "Posterior (mean, 90 % credible interval):"]
    for row in result.summary.itertuples(index=False):
        lines.append(f"  {row.parameter:28} {row.mean:10.4g}  [{row.q05:.4g}, {row.q95:.4g}]")
    lines += ["", "Posterior predictive check (runs at posterior draws):"]
    for row in result.predictive.itertuples(index=False):
        verdict = "inside" if row.mean_inside else "outside"
        lines.append(
            f"  {row.target:28} mean {_cell(row.mean)} in 90 % [{_cell(row.q05)}, {_cell(row.q95)}], "
            f"empirical {row.low:.2f}-{row.high:.2f}: {verdict}"
        )
    lines += [
        "",
        f"Report: {result.report}; posterior means as a config: "
        f"{result.report.parent / 'posterior_mean.yaml'}",
    ]
    print("\n".join(lines))
    return 0


def _validation_summary(result) -> str:
    table = result.table
    width = max(len("target"), *(len(t) for t in table["target"]))
    lines = [
        "",
        f"{'target':{width}}  {'empirical (range)':>20}  {'simulated mean [95% CI]':>27}  "
        f"{'verdict':18}  runs inside",
    ]
    for row in table.itertuples(index=False):
        empirical = f"{row.empirical:.2f} ({row.low:.2f}-{row.high:.2f})"
        simulated = f"{_cell(row.mean)} [{_cell(row.ci_low)}, {_cell(row.ci_high)}]"
        verdict = row.verdict
        inside = _cell(row.runs_inside)
        lines.append(f"{row.target:{width}}  {empirical:>20}  {simulated:>27}  {verdict:18}  {inside:>11}")
    lines += [
        "",
        f"{result.inside} of {len(table)} targets inside their empirical range.",
        f"Report: {result.report} (figures in {result.report.parent / 'figures'}/, runs in "
        f"{result.report.parent / 'sweep'}/).",
    ]
    return "\n".join(lines)


def _advise(args: argparse.Namespace) -> int:
    """``smb-eco advise``: the policy advisor for one firm (:mod:`analysis.advice`)."""
    from analysis import advice

    values = _read_config(args.config) if args.config is not None else {}
    for setting in args.settings:
        name, sep, text = setting.partition("=")
        if not sep:
            raise UsageError(f"--set {setting!r}: expected NAME=VALUE")
        values[name.strip()] = text
    try:
        question = advice.question_from_settings(values)
    except advice.AdviceError as error:
        source = f"--config {args.config}: " if args.config is not None else ""
        raise UsageError(f"{source}{error}") from None
    if isinstance(args.workers, bool) or args.workers < 1:
        raise UsageError(f"--workers must be a positive integer, got {args.workers}")
    if args.out is not None and args.out.exists() and (not args.out.is_dir() or any(args.out.iterdir())):
        raise UsageError(f"--out {args.out} already holds results; choose a new folder")
    out = args.out if args.out is not None else _fresh_folder(Path("runs") / "advice")
    print(f"Advising on {question.runs()} simulations into {out}/ ...", flush=True)
    from analysis.load import AnalysisError

    try:
        found = advice.advise(question, out, workers=args.workers)
    except AnalysisError as error:  # some simulations failed: sweep/index.jsonl says which
        sys.stderr.write(f"smb-eco advise: {error}\n")
        return 1
    print(advice.summary(found, out))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``smb-eco`` and ``python -m ecosystem``; returns the exit status.

    SIGINT and SIGTERM (outside a sweep, which handles them itself) raise
    :class:`~ecosystem.interface.lifetime.Interrupted`, so cleanup runs, and the status is 130 or
    143 after one line on standard error.
    """
    argv = sys.argv[1:] if argv is None else argv
    args = _build_parser().parse_args(argv)
    try:
        with signals_raise():
            return _command(args, argv)
    except (UsageError, FileExistsError) as error:
        sys.stderr.write(f"smb-eco {args.command}: error: {error}\n")
        return 2
    except KeyboardInterrupt as stop:
        signum = stop.signum if isinstance(stop, Interrupted) else signal.SIGINT
        sys.stderr.write(f"smb-eco {args.command}: interrupted by {signal.Signals(signum).name}\n")
        return exit_status(signum)


def _command(args: argparse.Namespace, argv: list[str]) -> int:
    if args.command == "run":
        return _run(args, argv)
    if args.command == "sweep":
        return _sweep(args)
    if args.command == "experiments":
        print(_experiments())
        return 0
    if args.command == "analyze":
        return _analyze(args)
    if args.command == "demo":
        return _demo(args)
    if args.command == "validate":
        return _validate(args)
    if args.command == "calibrate":
        return _calibrate(args, argv)
    if args.command == "dashboard":
        return serve_dashboard(args.host, args.port)
    if args.command == "classroom":
        for flag, value, low, high in (
            ("--smbs", args.smbs, 1, 2000),
            ("--vendors", args.vendors, 1, 500),
            ("--rounds", args.rounds, 1, 50),
        ):
            if not low <= value <= high:
                raise UsageError(f"{flag} must be in {low}..{high}, got {value}")
        return serve_classroom(
            args.host, args.port, args.seed, args.scenario, args.smbs, args.vendors, args.rounds
        )
    if args.command == "advise":
        return _advise(args)
    if args.markdown:
        print(schema_table(markdown=True))
        if args.all:
            print("\nAdvanced parameters (the mechanisms' constants):\n")
            print(advanced_table(markdown=True))
    else:
        print(_params_text(advanced=args.all))
    return 0


def console() -> None:
    """The ``smb-eco`` command: :func:`main`, then exit with its status.

    After SIGINT or SIGTERM (status 130 or 143) the process ends by that same signal, as POSIX
    shells expect of an interrupted program (a script running ``smb-eco`` stops too).
    """
    status = main()
    signum = status - 128
    if signum in (signal.SIGINT, signal.SIGTERM):
        sys.stdout.flush()
        sys.stderr.flush()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
    sys.exit(status)
