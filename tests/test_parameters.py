"""The parameter schema: defaults, validation with helpful errors, and ``--set`` parsing."""

from __future__ import annotations

import re

import pytest

from ecosystem import EcosystemModel
from ecosystem.parameters import PARAMETERS, defaults, parameter, parse_value, validate_parameters


def test_schema_is_consistent_and_defaults_are_valid():
    names = [p.name for p in PARAMETERS]
    assert len(names) == len(set(names))
    for p in PARAMETERS:
        assert p.check(p.default) == p.default, p.name
        assert p.description and p.perspective
        if p.kind in (int, float):
            assert p.low is not None and p.high is not None and p.low <= p.default <= p.high, p.name
        if p.kind is str:
            assert p.choices and p.default in p.choices, p.name
    assert validate_parameters({}) == defaults()


def test_validation_completes_and_converts():
    values = validate_parameters({"n_smbs": 10.0, "lemon_share": 1, "collect_agent_data": 1})
    assert values["n_smbs"] == 10 and type(values["n_smbs"]) is int
    assert values["lemon_share"] == 1.0 and type(values["lemon_share"]) is float
    assert values["collect_agent_data"] is True
    assert values["n_vendors"] == parameter("n_vendors").default


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("lemon_shar", "lemon_share"), ("monitoring_intensty", "monitoring_intensity"), ("n_smb", "n_smbs")],
)
def test_unknown_name_is_named_with_a_suggestion(typo, meant):
    with pytest.raises(ValueError, match=rf"unknown parameter '{typo}'.*did you mean '{meant}'\?"):
        validate_parameters({typo: 0.5})
    with pytest.raises(ValueError, match=rf"'{typo}'.*'{meant}'"):
        EcosystemModel(rng=1, **{typo: 0.5})


def test_unknown_name_without_a_close_match_gets_no_suggestion():
    with pytest.raises(ValueError, match="unknown parameter 'zzzzqqq'") as error:
        validate_parameters({"zzzzqqq": 1})
    assert "did you mean" not in str(error.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("lemon_share", "0.5"),  # text where a number belongs
        ("lemon_share", True),  # a bool is not a number here
        ("n_smbs", 2.5),  # not an integer
        ("decision_rule", "williamson"),  # not a choice
        ("decision_rule", 1),
        ("collect_agent_data", "yes"),  # text where a bool belongs (parse_value handles text)
        ("collect_agent_data", 2),
    ],
)
def test_wrong_type_is_rejected_saying_what_is_allowed(name, value):
    allowed = re.escape(parameter(name).allowed())
    with pytest.raises(ValueError, match=rf"parameter '{name}' must be {allowed}, got"):
        validate_parameters({name: value})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("lemon_share", 1.0001),
        ("lemon_share", -0.1),
        ("n_smbs", 0),
        ("vendor_price_ratio", 0.01),
        ("lemon_share", float("nan")),
        ("trust_gain", float("inf")),
    ],
)
def test_out_of_range_is_rejected(name, value):
    with pytest.raises(ValueError, match=rf"parameter '{name}' must be .* in \["):
        validate_parameters({name: value})


def test_range_ends_are_allowed():
    for p in PARAMETERS:
        if p.kind in (int, float):
            assert validate_parameters({p.name: p.low})[p.name] == p.low
            if p.name not in ("offshore_share", "nearshore_share"):
                assert validate_parameters({p.name: p.high})[p.name] == p.high


def test_location_shares_must_not_exceed_one():
    with pytest.raises(ValueError, match="'offshore_share' \\+ 'nearshore_share' must not exceed 1"):
        validate_parameters({"offshore_share": 0.6, "nearshore_share": 0.5})
    with pytest.raises(ValueError, match="offshore_share"):
        validate_parameters({"offshore_share": 0.8})  # with the default nearshore share of 0.3
    fine = validate_parameters({"offshore_share": 0.7, "nearshore_share": 0.3})
    assert fine["offshore_share"] + fine["nearshore_share"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("lemon_share", "0.5", 0.5),
        ("lemon_share", " 1 ", 1.0),
        ("lemon_share", "5e-1", 0.5),
        ("n_smbs", "250", 250),
        ("n_smbs", "1e3", 1000),
        ("n_smbs", "40.0", 40),
        ("decision_rule", "tce", "tce"),
        ("sourcing_policy", " multi", "multi"),
        ("collect_agent_data", "true", True),
        ("collect_agent_data", "Yes", True),
        ("collect_agent_data", "on", True),
        ("collect_agent_data", "1", True),
        ("collect_agent_data", "false", False),
        ("collect_agent_data", "OFF", False),
        ("collect_agent_data", "0", False),
    ],
)
def test_parse_value_turns_text_into_typed_values(name, text, expected):
    value = parse_value(name, text)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("n_smbs", "2.5", "must be an integer"),
        ("n_smbs", "many", "must be an integer"),
        ("lemon_share", "1.5", r"must be a number in \[0, 1\]"),
        ("lemon_share", "half", "must be a number"),
        ("decision_rule", "TCE", "must be one of tce, rbv, cost, hybrid"),
        ("collect_agent_data", "maybe", "must be true or false"),
        ("lemon_shar", "0.5", "did you mean 'lemon_share'"),
    ],
)
def test_parse_value_rejects_bad_text(name, text, message):
    with pytest.raises(ValueError, match=message):
        parse_value(name, text)
