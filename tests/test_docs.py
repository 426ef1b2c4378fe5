"""docs/ODD.md stays in step with the code.

The parameter table must be exactly the schema's table (regenerate it with
``python docs/generate_parameter_table.py``); the documented schedule, decision rules, reporters,
contract terms and hard-coded constants must match the model. The constants are discovered from
the source of ``ecosystem/model.py`` and ``ecosystem/mechanisms/*.py``, so a constant added there
cannot go undocumented.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import importlib
import importlib.util
import inspect
import math
import pkgutil
import re
from pathlib import Path

import numpy as np
import pytest

import ecosystem.mechanisms
from ecosystem import model as model_module
from ecosystem.mechanisms.contracts import CONTRACT_TERMS, ContractTerms
from ecosystem.mechanisms.decision_rules import DECISION_RULES
from ecosystem.model import EcosystemModel
from ecosystem.parameters import ADVANCED, STRUCTURAL_CONSTANTS, advanced_table, defaults, schema_table
from ecosystem.reporters import MODEL_REPORTERS

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(model_module.__file__).parent
ODD = ROOT / "docs" / "ODD.md"
SCRIPT = ROOT / "docs" / "generate_parameter_table.py"
START = "<!-- parameters:start -->"
END = "<!-- parameters:end -->"
REGENERATE = "run `python docs/generate_parameter_table.py` to regenerate it"
REPORTERS_HEADER = "| Reporter | Definition |"


@pytest.fixture(scope="module")
def odd_text() -> str:
    return ODD.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location("generate_parameter_table", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _section(text: str, heading: str) -> str:
    """The text of a section from its heading to the next heading of the same or a higher level."""
    assert heading in text, f"docs/ODD.md has no heading {heading!r}"
    level = heading.split(" ")[0]
    rest = text[text.index(heading) + len(heading) :]
    pattern = "^#{1," + str(len(level)) + "} "
    ends = [m.start() for m in re.finditer(pattern, rest, flags=re.MULTILINE)]
    return rest[: ends[0]] if ends else rest


def _table_after(text: str, header: str) -> list[str]:
    """The body rows of the Markdown table whose header line is ``header``."""
    assert header in text, f"docs/ODD.md has no table with the header {header!r}"
    lines = text[text.index(header) :].splitlines()[2:]  # skip the header and the |---| line
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split(" | ")]


# --- the parameter table ---------------------------------------------------------------------------


def _between_markers(text: str) -> str:
    assert text.count(START) == 1 and text.count(END) == 1, (
        f"docs/ODD.md must contain {START!r} and {END!r} exactly once each"
    )
    return text[text.index(START) + len(START) : text.index(END)]


def test_parameter_table_matches_schema(odd_text):
    expected = "\n\n" + schema_table(markdown=True) + "\n\n"
    actual = _between_markers(odd_text)
    if actual != expected:
        diff = "\n".join(
            list(
                difflib.unified_diff(
                    actual.splitlines(), expected.splitlines(), "docs/ODD.md", "schema", lineterm=""
                )
            )[:40]
        )
        pytest.fail(f"The parameter table in docs/ODD.md differs from the schema; {REGENERATE}.\n{diff}")


def test_parameter_table_is_the_generated_one(generator, odd_text):
    """The generator leaves docs/ODD.md as it is: the table in it is the generated one."""
    assert generator.replace_block(odd_text) == odd_text, f"The parameter table is stale; {REGENERATE}."
    assert generator.main([str(ODD), "--check"]) == 0


def test_generator_agrees_with_test_and_leaves_the_rest_alone(generator, tmp_path):
    assert (generator.START, generator.END) == (START, END)
    assert generator.parameter_block() == "\n\n" + schema_table(markdown=True) + "\n\n"
    stale = f"# Title\n\nbefore\n\n{START}\n| old | table |\n{END}\n\nafter\n"
    path = tmp_path / "ODD.md"
    path.write_text(stale, encoding="utf-8")
    assert generator.main([str(path), "--check"]) == 1
    assert path.read_text(encoding="utf-8") == stale  # --check does not write
    assert generator.main([str(path)]) == 0
    rewritten = path.read_text(encoding="utf-8")
    assert rewritten == f"# Title\n\nbefore\n\n{START}{generator.parameter_block()}{END}\n\nafter\n"
    assert generator.main([str(path), "--check"]) == 0
    assert generator.replace_block(rewritten) == rewritten  # idempotent


@pytest.mark.parametrize(
    "text", ["no markers", f"{START} twice {START} {END}", f"{END} wrong order {START}"], ids=str
)
def test_generator_rejects_bad_markers(generator, tmp_path, text):
    with pytest.raises(ValueError):
        generator.replace_block(text)
    path = tmp_path / "ODD.md"
    path.write_text(text, encoding="utf-8")
    assert generator.main([str(path)]) == 2
    assert path.read_text(encoding="utf-8") == text


# --- schedule, decision rules, reporters -----------------------------------------------------------


def test_process_overview_lists_the_phases_of_step_in_order(odd_text):
    phases = re.findall(r"self\.([\w.]+)\(", inspect.getsource(EcosystemModel.step))
    assert len(phases) > 10
    section = _section(odd_text, "### 1.3 Process overview and scheduling")
    positions = []
    for phase in phases:
        mark = f"`{phase}()`"
        assert mark in section, f"phase {phase} of EcosystemModel.step() is missing from ODD.md 1.3"
        positions.append(section.index(mark))
    assert positions == sorted(positions), "ODD.md 1.3 lists the phases in a different order than step()"


def test_every_decision_rule_is_documented(odd_text):
    section = _section(odd_text, "### 2.2 Individual decision making")
    missing = [name for name in DECISION_RULES if f"| `{name}` |" not in section]
    assert not missing, f"decision rules without a row in ODD.md 2.2: {missing}"


def test_every_model_reporter_is_documented(odd_text):
    section = _section(odd_text, "### 2.10 Observation")
    missing = [name for name in MODEL_REPORTERS if f"| `{name}` |" not in section]
    assert not missing, f"model reporters not documented in ODD.md 2.10: {missing}"


def test_no_documented_reporter_is_stale(odd_text):
    rows = _table_after(_section(odd_text, "### 2.10 Observation"), REPORTERS_HEADER)
    documented = [_cells(row)[0].strip("`") for row in rows]
    assert sorted(documented) == sorted(MODEL_REPORTERS), "ODD.md 2.10 lists reporters the model lacks"


# --- contract terms --------------------------------------------------------------------------------


def test_contract_terms_table_has_a_column_per_field(odd_text):
    columns = " | ".join(f"`{f.name}`" for f in dataclasses.fields(ContractTerms))
    header = f"| `contract_type` | {columns} |"
    assert header in odd_text, f"ODD.md should contain the contract-terms header {header!r}"


@pytest.mark.parametrize("name", sorted(CONTRACT_TERMS))
def test_contract_terms_are_documented(odd_text, name):
    terms = CONTRACT_TERMS[name]
    values = " | ".join(str(getattr(terms, f.name)) for f in dataclasses.fields(ContractTerms))
    row = f"| `{name}` | {values} |"
    assert row in odd_text, f"ODD.md should contain the contract-terms row {row!r}"


# --- advanced parameters and structural constants --------------------------------------------------

#: Every numeric named constant of the model's code before the mechanisms' constants became advanced
#: parameters (module under ecosystem/, name): value, as the former table of ODD 3.6 listed them.
FORMER_CONSTANTS = {
    ("model.py", "N_FUNCTIONS"): 6,
    ("model.py", "SLOTS"): {"single": 1, "dual": 2, "multi": 3},
    ("model.py", "NEVER"): 9223372036854775807,
    ("model.py", "CAPACITY_REVIEW"): 3,
    ("mechanisms/beliefs.py", "OBSERVATION_NOISE"): 0.0707107,
    ("mechanisms/beliefs.py", "FORGETTING"): 0.97,
    ("mechanisms/beliefs.py", "MIN_VARIANCE"): 0.0001,
    ("mechanisms/contracts.py", "BILL_FLOOR"): 0.3,
    ("mechanisms/contracts.py", "FAILURE_HORIZON"): 24,
    ("mechanisms/economics.py", "FUNCTION_WEIGHT"): 0.5,
    ("mechanisms/economics.py", "CORE_COST_SPREAD"): 0.05,
    ("mechanisms/functions.py", "_CONCENTRATION"): 8.0,
    ("mechanisms/functions.py", "INHOUSE_COST_SPREAD"): 0.25,
    ("mechanisms/holdup.py", "TRANSITION_BASE"): 0.5,
    ("mechanisms/innovation.py", "INHOUSE_INNOVATION_FACTOR"): 0.25,
    ("mechanisms/moral_hazard.py", "DELIVERY_NOISE"): 0.05,
    ("mechanisms/moral_hazard.py", "MEASUREMENT_NOISE"): 0.05,
    ("mechanisms/moral_hazard.py", "TEMPTATION_SPREAD"): 0.5,
    ("mechanisms/moral_hazard.py", "DETECTION_ACCURACY"): 0.9,
    ("mechanisms/moral_hazard.py", "RENEWAL_BELIEF"): 0.85,
    ("mechanisms/relational_capital.py", "TRUST_RELIEF"): 0.5,
    ("mechanisms/shocks.py", "SOURCING_SLOTS"): {"single": 1, "dual": 2, "multi": 3},
    ("mechanisms/shocks.py", "SURGE_CAPACITY"): 0.5,
    ("mechanisms/shocks.py", "HAZARD_SCALE"): 2.0,
    ("mechanisms/shocks.py", "BREACH_SCALE"): 2.0,
    ("mechanisms/vendor_economics.py", "TARGET_UTILISATION"): 0.8,
    ("mechanisms/vendor_economics.py", "MARKUP_STEP"): 0.02,
    ("mechanisms/vendor_economics.py", "REPUTATION_PREMIUM"): 1.0,
    ("mechanisms/vendor_economics.py", "MARKUP_MIN"): 0.1,
    ("mechanisms/vendor_economics.py", "MARKUP_MAX"): 1.5,
    ("mechanisms/vendor_economics.py", "CAPACITY_STEP"): 0.1,
    ("mechanisms/vendor_economics.py", "SMOOTHING"): 0.2,
    ("mechanisms/vendor_economics.py", "NEWCOMER_SHARE"): 0.6,
    ("mechanisms/vendor_economics.py", "GROW_UTILISATION"): 0.9,
    ("mechanisms/vendor_economics.py", "SHRINK_UTILISATION"): 0.6,
    ("mechanisms/vendors.py", "LOCATION_COST"): [1.0, 0.8, 0.6],
    ("mechanisms/vendors.py", "LOCATION_FRICTION"): [0.0, 0.06, 0.15],
    ("mechanisms/vendors.py", "GOOD_QUALITY"): 0.78,
    ("mechanisms/vendors.py", "LEMON_QUALITY"): 0.42,
    ("mechanisms/vendors.py", "QUALITY_CONCENTRATION"): 20.0,
    ("mechanisms/vendors.py", "COST_BASE"): 0.5,
    ("mechanisms/vendors.py", "COST_SLOPE"): 0.65,
    ("mechanisms/vendors.py", "FIXED_COST"): 0.1,
    ("mechanisms/vendors.py", "START_CASH_MONTHS"): 12.0,
    ("mechanisms/vendors.py", "PATIENCE_CONCENTRATION"): 40.0,
    ("mechanisms/vendors.py", "MAX_PATIENCE"): 0.999,
    ("mechanisms/vendors.py", "MARKET_ROOM"): 2,
    ("mechanisms/vendors.py", "VENDOR_COST_SPREAD"): 0.1,
    ("mechanisms/vendors.py", "MARKUP_SPREAD"): 0.2,
    ("mechanisms/vendors.py", "OFFER_CHANCE"): 0.5,
    ("mechanisms/vendors.py", "SECURITY_BETA"): (4.0, 2.0),
    ("mechanisms/vendors.py", "STABILITY_BETA"): (5.0, 5.0),
    ("mechanisms/decision_rules.py", "TC_SPECIFICITY"): 3.0,
    ("mechanisms/decision_rules.py", "TC_SPECIFICITY_UNCERTAINTY"): 3.0,
    ("mechanisms/decision_rules.py", "TC_SPECIFICITY_FREQUENCY"): 1.5,
    ("mechanisms/decision_rules.py", "MAKE_OVERHEAD_BASE"): 1.5,
}
#: Former literal numbers of formulas that became advanced parameters: symbol in the schema: value.
FORMER_LITERALS = {"1 + distressed (literal)": 1.0}
#: Entries of former constant arrays that stay in the code as the numéraire of the others.
NUMERAIRES = {("LOCATION_COST", 0): 1.0, ("LOCATION_FRICTION", 0): 0.0}
#: Former constants computed from advanced parameters: name: how, from the defaults.
DERIVED = {"OBSERVATION_NOISE": lambda d: float(np.hypot(d["delivery_noise"], d["measurement_noise"]))}
STRUCTURAL_HEADER = "| Constant | Module | Value | Why it is not a model constant |"
ADVANCED_START, ADVANCED_END = "<!-- advanced:start -->", "<!-- advanced:end -->"


def _model_modules() -> list:
    names = ["ecosystem.model"] + [
        f"ecosystem.mechanisms.{m.name}" for m in pkgutil.iter_modules(ecosystem.mechanisms.__path__)
    ]
    return [importlib.import_module(name) for name in names]


def _assigned_names(module) -> list[str]:
    """UPPERCASE names (a leading underscore allowed) assigned at the top level of the module's source."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    names = []
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        for target in targets:
            for name in target.elts if isinstance(target, ast.Tuple) else [target]:
                if isinstance(name, ast.Name) and name.id.lstrip("_").isupper():
                    names.append(name.id)
    return names


def _is_number(value) -> bool:
    numeric = isinstance(value, int | float | np.integer | np.floating)
    return numeric and not isinstance(value, bool | np.bool_)


def _is_numeric_constant(value) -> bool:
    """A number, a tuple or list of numbers, a numeric array, or a non-empty mapping to numbers."""
    if _is_number(value):
        return True
    if isinstance(value, tuple | list):
        return len(value) > 0 and all(_is_number(v) for v in value)
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "iuf"
    if isinstance(value, dict):
        return len(value) > 0 and all(_is_number(v) for v in value.values())
    return False


def _constants() -> list[tuple[str, str, object]]:
    """(module path relative to ecosystem/, name, value) of every numeric module-level constant."""
    found = []
    for module in _model_modules():
        path = Path(module.__file__).relative_to(PACKAGE).as_posix()
        for name in _assigned_names(module):
            value = getattr(module, name)
            if _is_numeric_constant(value):
                found.append((path, name, value))
    return found


CONSTANTS = _constants()
BY_SYMBOL = {(p.module, p.symbol): p for p in ADVANCED}


def test_constants_are_discovered():
    """The discovery itself works: it finds the structural constants of the model and mechanisms."""
    names = {name for _, name, _ in CONSTANTS}
    assert {"N_FUNCTIONS", "SLOTS", "NEVER", "SOURCING_SLOTS", "FAILURE_HORIZON"} <= names
    assert {path for path, _, _ in CONSTANTS} >= {
        "model.py",
        "mechanisms/shocks.py",
        "mechanisms/contracts.py",
    }


def _same(documented, value) -> bool:
    if isinstance(value, dict):
        return isinstance(documented, dict) and documented == value
    if isinstance(value, np.ndarray | tuple | list):
        expected = np.asarray(value, dtype=float)
        shown = np.asarray(documented, dtype=float)
        return shown.shape == expected.shape and np.allclose(shown, expected, rtol=1e-6, atol=0.0)
    if isinstance(value, int | np.integer) and isinstance(documented, int):
        return documented == int(value)
    return _is_number(documented) and math.isclose(documented, float(value), rel_tol=1e-6)


@pytest.mark.parametrize("path, name, value", CONSTANTS, ids=[f"{p}:{n}" for p, n, _ in CONSTANTS])
def test_every_constant_left_in_the_code_is_an_advanced_parameter_or_structural(path, name, value):
    """A numeric constant in model.py or a mechanism is either an advanced parameter's former
    symbol with the same default (it should then be read from the parameters instead) or one
    of the documented structural exclusions."""
    if (path, name) in STRUCTURAL_CONSTANTS:
        return
    spec = BY_SYMBOL.get((path, name))
    assert spec is not None, (
        f"{path}:{name} = {value!r} is a numeric constant of the model's code: make it an advanced "
        "parameter in ecosystem/parameters.py or add it to STRUCTURAL_CONSTANTS with the reason"
    )
    assert _same(spec.default, value), (
        f"{name} = {value!r} but the parameter {spec.name} defaults to {spec.default!r}"
    )


@pytest.mark.parametrize(
    "key, value", FORMER_CONSTANTS.items(), ids=[f"{p}:{n}" for p, n in FORMER_CONSTANTS]
)
def test_every_former_constant_is_an_advanced_parameter_with_its_value_or_structural(key, value):
    path, name = key
    if key in STRUCTURAL_CONSTANTS:
        assert any(p == path and n == name and _same(value, v) for p, n, v in CONSTANTS), (
            f"the structural constant {name} should still be in {path} with the value {value!r}"
        )
        return
    if name in DERIVED:
        assert math.isclose(DERIVED[name](defaults()), value, rel_tol=1e-6)
        return
    if isinstance(value, list | tuple):
        for i, entry in enumerate(value):
            if (name, i) in NUMERAIRES:
                assert entry == NUMERAIRES[name, i]
                continue
            spec = BY_SYMBOL.get((path, f"{name}[{i}]"))
            assert spec is not None, f"{name}[{i}] of {path} is neither an advanced parameter nor a numéraire"
            assert spec.default == entry, (
                f"{spec.name} defaults to {spec.default!r}, {name}[{i}] was {entry!r}"
            )
        return
    spec = BY_SYMBOL.get(key)
    assert spec is not None, f"the former constant {name} of {path} is not an advanced parameter"
    assert spec.default == value and type(spec.default) is type(value), (
        f"{spec.name} defaults to {spec.default!r}, the former constant {name} was {value!r}"
    )


def test_former_literals_are_advanced_parameters_with_their_values():
    for symbol, value in FORMER_LITERALS.items():
        (spec,) = [p for p in ADVANCED if p.symbol == symbol]
        assert spec.default == value


def test_every_advanced_parameter_replaces_a_former_constant():
    """No advanced parameter without a constant it replaced (so the two lists stay one)."""
    symbols = {(path, name) for path, name in FORMER_CONSTANTS}
    for spec in ADVANCED:
        base = spec.symbol.split("[")[0]
        assert (spec.module, base) in symbols or spec.symbol in FORMER_LITERALS, spec.name
        assert spec.low <= spec.default <= spec.high, spec.name


def test_advanced_table_is_the_generated_one(odd_text, generator):
    section = _section(odd_text, "### 3.6 Advanced parameters and structural constants")
    assert section.count(ADVANCED_START) == 1 and section.count(ADVANCED_END) == 1
    block = section[section.index(ADVANCED_START) + len(ADVANCED_START) : section.index(ADVANCED_END)]
    assert block == generator.advanced_block() == "\n\n" + advanced_table(markdown=True) + "\n\n", (
        f"The advanced parameters' table in docs/ODD.md differs from the schema; {REGENERATE}."
    )
    for spec in ADVANCED:
        assert f"| `{spec.name}` | `{spec.symbol}` | `{spec.module}` |" in block


def test_structural_constants_are_documented_with_their_values(odd_text):
    rows = _table_after(
        _section(odd_text, "### 3.6 Advanced parameters and structural constants"), STRUCTURAL_HEADER
    )
    documented = {(_cells(row)[1].strip("`"), _cells(row)[0].strip("`")): _cells(row)[2] for row in rows}
    assert set(documented) == set(STRUCTURAL_CONSTANTS)
    values = {(path, name): value for path, name, value in CONSTANTS}
    for key, shown in documented.items():
        assert _same(ast.literal_eval(shown), values[key]), f"ODD.md 3.6 documents {key[1]} = {shown}"
