"""The advanced parameters: the mechanisms' former constants, settable like any parameter.

Setting one moves the model in the direction its mechanism fixes by hand; they are listed by
``smb-eco params --all`` but not by plain ``smb-eco params``, and the dashboard does not show them.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from numpy.testing import assert_allclose

from ecosystem import EcosystemModel
from ecosystem.interface import app
from ecosystem.interface.cli import main
from ecosystem.parameters import ADVANCED, basic_parameters, parameter, parse_value, validate_parameters
from experiments.spec import spec_from_dict

ADVANCED_NAMES = {p.name for p in ADVANCED}


def _run(months: int, **params) -> tuple[EcosystemModel, dict[str, list]]:
    """A small market run for ``months``, with the flows of every month."""
    model = EcosystemModel(rng=11, n_smbs=80, n_vendors=25, **params)
    flows: dict[str, list] = {"caught": [], "vendor_failures": [], "shirking": []}
    for _ in range(months):
        model.step()
        for key in flows:
            flows[key].append(model.flows[key])
    return model, flows


def test_there_are_advanced_parameters_and_they_are_marked():
    assert len(ADVANCED) >= 50
    assert all(p.advanced and p.symbol and p.module for p in ADVANCED)
    assert not any(p.advanced for p in basic_parameters())
    assert {"detection_accuracy", "hazard_scale", "offshore_cost_factor", "security_beta_a"} <= ADVANCED_NAMES


def test_detection_accuracy_zero_reveals_no_shirking_or_overbilling():
    """Audits that never find anything: nothing is caught, however hard SMBs monitor."""
    setting = dict(monitoring_intensity=1.0, contract_type="time_and_materials", vendor_patience=0.6)
    _, default = _run(24, **setting)
    _, blind = _run(24, detection_accuracy=0.0, **setting)
    assert sum(default["caught"]) > 0  # at the default accuracy of 0.9 audits do find some
    assert sum(blind["caught"]) == 0
    # with detection gone, the expected audit penalty no longer deters: more shirking
    assert sum(blind["shirking"]) > sum(default["shirking"])


def test_location_cost_multipliers_and_frictions_set_the_vendors_costs_and_quality_losses():
    """All vendors offshore: halving the offshore cost multiplier halves every vendor's variable
    cost and price base (the same draws, only the multiplier differs)."""
    offshore = dict(offshore_share=1.0, nearshore_share=0.0)
    base = EcosystemModel(rng=5, n_smbs=20, n_vendors=10, **offshore).vendors
    cheap = EcosystemModel(rng=5, n_smbs=20, n_vendors=10, offshore_cost_factor=0.3, **offshore).vendors
    alive = base.alive
    assert (base.location[alive] == 2).all()
    assert_allclose(cheap.unit_cost[alive], 0.5 * base.unit_cost[alive], rtol=1e-12)
    assert_allclose(cheap.price_base[alive], 0.5 * base.price_base[alive], rtol=1e-12)
    far = EcosystemModel(rng=5, n_smbs=20, n_vendors=10, offshore_friction=0.3, **offshore).vendors
    assert (far.friction[alive] == 0.3).all() and (base.friction[alive] == 0.15).all()


def test_hazard_scale_zero_stops_random_vendor_failures():
    _, default = _run(36, vendor_failure_rate=0.03)
    _, safe = _run(36, vendor_failure_rate=0.03, hazard_scale=0.0)
    assert sum(default["vendor_failures"]) > 0
    assert sum(safe["vendor_failures"]) == 0


def test_market_room_sets_the_number_of_market_places():
    assert EcosystemModel(rng=1, n_smbs=10, n_vendors=7, market_room=3).places == 21
    assert EcosystemModel(rng=1, n_smbs=10, n_vendors=7).places == 14


def test_security_beta_shapes_set_the_vendors_mean_security():
    secure = EcosystemModel(rng=2, n_smbs=10, n_vendors=400, security_beta_a=9.0, security_beta_b=1.0)
    weak = EcosystemModel(rng=2, n_smbs=10, n_vendors=400, security_beta_a=1.0, security_beta_b=9.0)
    # Beta(9, 1) has mean 0.9, Beta(1, 9) mean 0.1; 400 draws put the sample means within 0.03
    assert abs(secure.vendors.security[secure.vendors.alive].mean() - 0.9) < 0.03
    assert abs(weak.vendors.security[weak.vendors.alive].mean() - 0.1) < 0.03


def test_advanced_parameters_are_set_like_any_other():
    assert parse_value("detection_accuracy", "0.5") == 0.5
    assert validate_parameters({"market_room": 3})["market_room"] == 3
    with pytest.raises(
        ValueError, match=r"^parameter 'detection_accuracy' must be a number in \[0, 1\], got 2$"
    ):
        validate_parameters({"detection_accuracy": 2})
    spec = spec_from_dict(
        {
            "name": "demo",
            "design": "grid",
            "replications": 1,
            "steps": 2,
            "fixed": {"hazard_scale": 1.0},
            "factors": {"detection_accuracy": [0.0, 0.9]},
        }
    )
    assert spec.factors == {"detection_accuracy": (0.0, 0.9)} and spec.fixed["hazard_scale"] == 1.0


def test_run_takes_advanced_parameters_from_set_and_config(tmp_path, capsys):
    config = tmp_path / "config.yaml"
    config.write_text("hazard_scale: 0.0\n", encoding="utf-8")
    out = tmp_path / "run"
    code = main(
        [
            "run",
            "--steps",
            "2",
            "--config",
            str(config),
            "--set",
            "detection_accuracy=0.25",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    recorded = json.loads((out / "params.json").read_text(encoding="utf-8"))["parameters"]
    assert recorded["hazard_scale"] == 0.0 and recorded["detection_accuracy"] == 0.25


def test_params_lists_advanced_parameters_only_with_all(capsys):
    assert main(["params"]) == 0
    plain = capsys.readouterr().out
    assert main(["params", "--all"]) == 0
    everything = capsys.readouterr().out
    for spec in ADVANCED:
        assert f"  {spec.name} = " not in plain, spec.name
        assert f"  {spec.name} = " in everything, spec.name
    for spec in basic_parameters():
        assert f"  {spec.name} = " in plain and f"  {spec.name} = " in everything
    assert "`smb-eco params --all` lists them" in plain
    assert main(["params", "--markdown"]) == 0
    table = capsys.readouterr().out
    assert "`detection_accuracy`" not in table
    assert main(["params", "--markdown", "--all"]) == 0
    assert "| `detection_accuracy` | `DETECTION_ACCURACY` | `mechanisms/moral_hazard.py` | 0.9 |" in (
        capsys.readouterr().out
    )


def test_the_dashboard_shows_no_advanced_parameter():
    assert not set(app.CONTROLS) & ADVANCED_NAMES
    assert not any(parameter(name).advanced for name in app.CONTROLS)
    for preset in app.PRESETS:
        assert not set(app.model_params(preset)) & ADVANCED_NAMES, preset


def test_the_same_seed_with_advanced_parameters_set_gives_the_same_run():
    a = EcosystemModel(rng=3, n_smbs=30, n_vendors=10, smoothing=0.5, markup_step=0.05)
    b = EcosystemModel(rng=3, n_smbs=30, n_vendors=10, smoothing=0.5, markup_step=0.05)
    for _ in range(6):
        a.step()
        b.step()
    assert np.array_equal(a.cash, b.cash) and np.array_equal(a.vendors.markup, b.vendors.markup)
