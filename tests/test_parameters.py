"""The parameter schema: defaults, validation with helpful errors, and ``--set`` parsing."""

from __future__ import annotations

import re

import pytest

from ecosystem import EcosystemModel
from ecosystem.mechanisms.decision_rules import DECISION_RULES
from ecosystem.parameters import (
    ORDERED_PAIRS,
    PARAMETERS,
    STRATEGY_FIELDS,
    defaults,
    format_value,
    parameter,
    parse_value,
    validate_focal,
    validate_parameters,
)

CONTRACT_TYPES = parameter("contract_type").choices


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
        ("vendor_cost_ratio", 0.01),
        ("lemon_share", float("nan")),
        ("trust_gain", float("inf")),
    ],
)
def test_out_of_range_is_rejected(name, value):
    with pytest.raises(ValueError, match=rf"parameter '{name}' must be .* in \["):
        validate_parameters({name: value})


def test_range_ends_are_allowed():
    # a parameter of an ordered pair goes with its partner at the partner's far end
    partner = {low: (high, "high") for low, high in ORDERED_PAIRS} | {
        high: (low, "low") for low, high in ORDERED_PAIRS
    }
    for p in PARAMETERS:
        if p.kind in (int, float):
            other = {}
            if p.name in partner:
                name, end = partner[p.name]
                other = {name: getattr(parameter(name), end)}
            assert validate_parameters({p.name: p.low, **other})[p.name] == p.low
            if p.name not in ("offshore_share", "nearshore_share"):
                assert validate_parameters({p.name: p.high, **other})[p.name] == p.high


@pytest.mark.parametrize("low, high", ORDERED_PAIRS)
def test_ordered_pairs_are_checked_with_one_clear_line(low, high):
    # a value in both ranges (they overlap, so that the check has something to do)
    middle = (
        max(parameter(low).low, parameter(high).low) + min(parameter(low).high, parameter(high).high)
    ) / 2
    with pytest.raises(
        ValueError, match=f"^parameter '{low}' must be below '{high}', got [0-9.]+ >= [0-9.]+$"
    ):
        validate_parameters({low: middle, high: middle})
    assert validate_parameters({low: middle - 0.01, high: middle})[low] == middle - 0.01


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


# --- population mixes ----------------------------------------------------------------------------


def test_decision_rule_choices_are_the_registry():
    assert parameter("decision_rule").choices == tuple(DECISION_RULES)


def test_the_mixable_parameters_are_the_strategy_fields():
    mixable = {p.name for p in PARAMETERS if p.mixable}
    assert mixable == set(STRATEGY_FIELDS)
    assert all(parameter(name).choices or parameter(name).kind is float for name in mixable)


def test_a_mix_is_accepted_and_put_in_the_schemas_order():
    mix = {"performance_based": 0.5, "fixed_price": 0.25, "time_and_materials": 0.25}
    value = validate_parameters({"contract_type": mix})["contract_type"]
    assert value == {"fixed_price": 0.25, "time_and_materials": 0.25, "performance_based": 0.5}
    assert list(value) == list(CONTRACT_TYPES)
    assert all(type(share) is float for share in value.values())
    # choices with share 0 are dropped; integer shares become floats
    value = validate_parameters(
        {"contract_type": {"performance_based": 0, "fixed_price": 1, "time_and_materials": 0}}
    )
    assert value["contract_type"] == "fixed_price"


@pytest.mark.parametrize("choice", CONTRACT_TYPES)
def test_a_mix_of_one_choice_is_that_choice(choice):
    assert validate_parameters({"contract_type": {choice: 1.0}})["contract_type"] == choice
    assert parse_value("contract_type", f"{choice}:1") == choice


@pytest.mark.parametrize(
    "text",
    [
        "fixed_price:0.5,performance_based:0.5",
        " fixed_price : 0.5 , performance_based : 0.5 ",
        "{fixed_price: 0.5, performance_based: 0.5}",
        "performance_based:0.5,fixed_price:0.5",
    ],
)
def test_parse_value_reads_a_mix(text):
    assert parse_value("contract_type", text) == {"fixed_price": 0.5, "performance_based": 0.5}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"fixed_price": 0.5, "performance_based": 0.4}, r"the shares sum to 0\.9, not 1"),
        ({"fixed_price": 0.7, "performance_based": 0.7}, r"the shares sum to 1\.4, not 1"),
        ({"fixed_price": 0.5, "cost_plus": 0.5}, r"unknown choice 'cost_plus'"),
        (
            {"fixed_price": 1.5, "performance_based": -0.5},
            r"the share of 'fixed_price' must be a number in \[0, 1\]",
        ),
        (
            {"fixed_price": 0.5, "performance_based": "0.5"},
            r"the share of 'performance_based' must be a number",
        ),
        ({"fixed_price": float("nan"), "performance_based": 1.0}, r"the share of 'fixed_price'"),
        ({"fixed_price": True}, r"the share of 'fixed_price' must be a number"),
        ({}, r"must be one of fixed_price, time_and_materials, performance_based \(or a mix"),
    ],
)
def test_a_bad_mix_is_refused_in_one_line_naming_the_parameter(value, message):
    with pytest.raises(ValueError, match=message) as error:
        validate_parameters({"contract_type": value})
    text = str(error.value)
    assert text.startswith("parameter 'contract_type'") and "\n" not in text


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("contract_type", "fixed_price:0.5,performance_based:0.4", "shares sum to 0.9"),
        ("contract_type", "fixed_price:-0.5,performance_based:1.5", "share of 'fixed_price'"),
        ("contract_type", "fixed_price:0.5,cost_plus:0.5", "unknown choice 'cost_plus'"),
        ("contract_type", "fixed_price:half,performance_based:0.5", "a mix is written CHOICE:SHARE"),
        ("contract_type", "fixed_price:0.5;performance_based:0.5", "a mix is written CHOICE:SHARE"),
        ("contract_type", "fixed_price:0.5,performance_based", "a mix is written CHOICE:SHARE"),
        ("contract_type", "fixed_price:", "a mix is written CHOICE:SHARE"),
        *(
            (name, text, f"must be one of {', '.join(parameter(name).choices)}, got")
            for name, text in [
                ("adaptation", "none:0.5,imitation:0.5"),
                ("entrant_strategy", "initial:0.5,current:0.5"),
            ]
        ),
        ("decision_rule", "tce:0.5,williamson:0.5", "unknown choice 'williamson'"),
        ("decision_rule", "tce:0.5,rbv:0.4", "shares sum to 0.9"),
        ("due_diligence", "0.1:0.5,1.6:0.5", "the value 1.6 is not a number in [0, 1]"),
        ("due_diligence", "0.1:0.5,0.6:0.4", "shares sum to 0.9"),
        ("monitoring_intensity", "0.1:half,0.6:0.5", "a mix is written VALUE:SHARE,VALUE:SHARE"),
        ("referral_weight", "low:0.5,0.6:0.5", "a mix is written VALUE:SHARE,VALUE:SHARE"),
    ],
)
def test_parse_value_refuses_a_bad_mix_in_one_line(name, text, message):
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        parse_value(name, text)
    assert str(error.value).startswith(f"parameter '{name}'") and "\n" not in str(error.value)


def test_a_mix_for_a_parameter_that_is_not_mixable_is_refused():
    for name, mix, allowed in [
        ("adaptation", {"none": 0.5, "imitation": 0.5}, "one of"),
        ("entrant_strategy", {"current": 1.0}, "one of"),
        ("lemon_share", {0.1: 0.5, 0.3: 0.5}, r"a number in \[0, 1\], got"),
    ]:
        with pytest.raises(ValueError, match=rf"parameter '{name}' must be {allowed}"):
            validate_parameters({name: mix})
    with pytest.raises(ValueError, match="must be a number in"):
        parse_value("lemon_share", "0.1:0.5,0.3:0.5")


def test_a_mix_of_rules_and_of_sourcing_policies_is_accepted():
    rules = {rule: 0.25 for rule in DECISION_RULES}
    checked = validate_parameters({"decision_rule": rules, "sourcing_policy": {"dual": 0.5, "single": 0.5}})
    assert checked["decision_rule"] == rules and list(checked["decision_rule"]) == list(DECISION_RULES)
    assert list(checked["sourcing_policy"]) == ["single", "dual"]
    text = ",".join(f"{rule}:0.25" for rule in DECISION_RULES)
    assert parse_value("decision_rule", text) == rules


def test_a_mix_of_numbers_is_accepted_ordered_by_value_and_round_trips():
    assert parse_value("due_diligence", "0.6:0.5,0.1:0.5") == {0.1: 0.5, 0.6: 0.5}
    value = validate_parameters({"monitoring_intensity": {0.4: 0.25, "0.1": 0.75}})["monitoring_intensity"]
    assert value == {0.1: 0.75, 0.4: 0.25} and list(value) == [0.1, 0.4]
    assert format_value(value) == "0.1:0.75,0.4:0.25"
    assert parse_value("monitoring_intensity", format_value(value)) == value
    assert validate_parameters({"referral_weight": {0.3: 1.0}})["referral_weight"] == 0.3
    assert parse_value("due_diligence", "0.5") == 0.5  # one number is still everyone's


@pytest.mark.parametrize(
    ("focal", "message"),
    [
        (
            {"sourcing_policy": "triple"},
            "parameter 'focal.sourcing_policy' must be one of single, dual, multi",
        ),
        ({"sourcing_policy": "single:0.5,dual:0.5"}, "parameter 'focal.sourcing_policy' must be one of"),
        ({"monitoring_intensity": 1.4}, "parameter 'focal.monitoring_intensity' must be a number in [0, 1]"),
        ({"monitoring_intensity": "0.1:0.5,0.6:0.5"}, "'focal.monitoring_intensity' must be a number"),
        ({"lemon_share": 0.1}, "unknown focal firm field 'lemon_share'"),
        ("dual", "the focal firm's strategy must be a mapping"),
    ],
)
def test_a_bad_focal_strategy_is_refused_in_one_line(focal, message):
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        validate_focal(focal)
    assert "\n" not in str(error.value)


def test_a_focal_strategy_is_checked_and_read_from_text():
    assert validate_focal({"decision_rule": "tce", "due_diligence": "0.8", "sourcing_policy": "multi"}) == {
        "decision_rule": "tce",
        "due_diligence": 0.8,
        "sourcing_policy": "multi",
    }
    assert validate_focal(None) is None


@pytest.mark.parametrize(
    "value",
    [
        "fixed_price",
        {"fixed_price": 0.5, "performance_based": 0.5},
        {"fixed_price": 0.25, "time_and_materials": 0.25, "performance_based": 0.5},
        {"fixed_price": 0.1, "time_and_materials": 0.2, "performance_based": 0.7},
        {"fixed_price": 1 / 3, "time_and_materials": 1 / 3, "performance_based": 1 / 3},
        {"fixed_price": 0.123456789, "performance_based": 0.876543211},
    ],
)
def test_format_value_round_trips_a_mix_through_parse_value(value):
    checked = validate_parameters({"contract_type": value})["contract_type"]
    assert parse_value("contract_type", format_value(checked)) == checked


def test_format_value_round_trips_every_default():
    for p in PARAMETERS:
        assert parse_value(p.name, format_value(p.default)) == p.default, p.name
