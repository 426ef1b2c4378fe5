"""docs/ODD.md stays in step with the code.

The parameter table must be exactly the schema's table (regenerate it with
``python docs/generate_parameter_table.py``); the documented schedule, reporters and hard-coded
constants must match the model.
"""

from __future__ import annotations

import difflib
import importlib.util
import inspect
import re
from pathlib import Path

import numpy as np
import pytest

from ecosystem import model as model_module
from ecosystem.mechanisms import economics, functions, innovation, moral_hazard, shocks, vendors
from ecosystem.mechanisms.contracts import CONTRACT_TERMS
from ecosystem.model import EcosystemModel
from ecosystem.parameters import schema_table
from ecosystem.reporters import MODEL_REPORTERS

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "ODD.md"
SCRIPT = ROOT / "docs" / "generate_parameter_table.py"
START = "<!-- parameters:start -->"
END = "<!-- parameters:end -->"
REGENERATE = "run `python docs/generate_parameter_table.py` to regenerate it"


@pytest.fixture(scope="module")
def odd_text() -> str:
    return ODD.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location("generate_parameter_table", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


def test_process_overview_lists_the_phases_of_step_in_order(odd_text):
    phases = re.findall(r"self\.([\w.]+)\(", inspect.getsource(EcosystemModel.step))
    assert len(phases) > 10
    section = odd_text[odd_text.index("### 1.3 Process overview and scheduling") :]
    section = section[: section.index("\n## ")]
    positions = []
    for phase in phases:
        mark = f"`{phase}()`"
        assert mark in section, f"phase {phase} of EcosystemModel.step() is missing from ODD.md 1.3"
        positions.append(section.index(mark))
    assert positions == sorted(positions), "ODD.md 1.3 lists the phases in a different order than step()"


def test_every_model_reporter_is_documented(odd_text):
    section = odd_text[odd_text.index("### 2.10 Observation") :]
    missing = [name for name in MODEL_REPORTERS if f"| `{name}` |" not in section]
    assert not missing, f"model reporters not documented in ODD.md 2.10: {missing}"


def _shown(value) -> str:
    if isinstance(value, np.ndarray):
        return str([float(x) for x in value])
    return repr(value)


@pytest.mark.parametrize(
    "module, name",
    [
        (moral_hazard, "DETECTION_ACCURACY"),
        (moral_hazard, "RELATIONSHIP_STAKE"),
        (economics, "FUNCTION_WEIGHT"),
        (innovation, "INHOUSE_INNOVATION_FACTOR"),
        (vendors, "LOCATION_PRICE"),
        (vendors, "LOCATION_FRICTION"),
        (vendors, "_GOOD_QUALITY"),
        (vendors, "_LEMON_QUALITY"),
        (functions, "_CONCENTRATION"),
        (model_module, "DELIVERY_NOISE"),
        (model_module, "MEASUREMENT_NOISE"),
        (model_module, "OBSERVATION_WEIGHT"),
        (model_module, "SLOTS"),
        (shocks, "SURGE_CAPACITY"),
    ],
    ids=lambda x: x if isinstance(x, str) else x.__name__,
)
def test_hard_coded_constants_are_documented_with_their_values(odd_text, module, name):
    file = Path(module.__file__).relative_to(Path(model_module.__file__).parent).as_posix()
    row = f"| `{name}` | `{file}` | {_shown(getattr(module, name))} |"
    assert row in odd_text, f"ODD.md 3.6 should contain the row {row!r}"


@pytest.mark.parametrize("name", sorted(CONTRACT_TERMS))
def test_contract_terms_are_documented(odd_text, name):
    t = CONTRACT_TERMS[name]
    row = f"| `{name}` | {t.risk_markup} | {t.penalty_rate} | {t.performance_link} | {t.cost_pass_through} |"
    assert row in odd_text, f"ODD.md 3.4.4 should contain the row {row!r}"
