"""docs/specs.md stays in step with the spec checker (experiments/spec.py).

Every field, design and design setting, expectation key and contexts key the checker accepts has
its own heading in the reference, no heading names something the checker does not accept, and
every complete YAML example there passes the checker.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from experiments import spec as spec_module
from experiments.spec import spec_from_dict

DOC = Path(__file__).resolve().parents[1] / "docs" / "specs.md"
TEXT = DOC.read_text(encoding="utf-8")
HEADINGS = set(re.findall(r"^#{3,4} `([^`]+)`$", TEXT, flags=re.MULTILINE))
EXAMPLES = re.findall(r"```yaml\n(.*?)```", TEXT, flags=re.DOTALL)


def accepted_names() -> set[str]:
    """Every name the checker accepts somewhere in a spec."""
    names = set(spec_module.FIELDS)
    names |= set(spec_module.DESIGNS)
    names |= {key for keys in spec_module.DESIGN_SETTINGS.values() for key in keys}
    names |= set(spec_module.EXPECT_KEYS) | set(spec_module.INTERACTION_KEYS) | set(spec_module.CONTEXT_KEYS)
    return names


def test_every_name_the_checker_accepts_has_a_heading():
    missing = accepted_names() - HEADINGS
    assert not missing, f"docs/specs.md does not document {sorted(missing)}"


def test_no_heading_names_something_the_checker_refuses():
    stale = HEADINGS - accepted_names()
    assert not stale, f"docs/specs.md documents {sorted(stale)}, which the checker does not accept"


def test_every_allowed_value_of_a_closed_choice_is_named():
    for value in (*spec_module.DIRECTIONS, *spec_module.SIGNS, "true", "false"):
        assert f"`{value}`" in TEXT, value


def test_required_fields_are_said_to_be_required():
    for name in spec_module.REQUIRED_FIELDS:
        section = TEXT.split(f"### `{name}`", 1)[1].split("\n### ", 1)[0]
        assert "Required" in section, name


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"example{i}" for i in range(len(EXAMPLES))])
def test_every_example_passes_the_checker(example):
    spec = spec_from_dict(yaml.safe_load(example), source="docs/specs.md")
    assert spec_from_dict(spec.to_dict()) == spec


def test_the_examples_use_every_field_and_every_design():
    data = [yaml.safe_load(example) for example in EXAMPLES]
    used = {key for item in data for key in item}
    assert used == set(spec_module.FIELDS)
    kinds = {item["design"] if isinstance(item["design"], str) else item["design"]["type"] for item in data}
    assert {"grid", "list", "sobol", "morris"} <= kinds
