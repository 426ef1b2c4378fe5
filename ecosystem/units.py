"""Money in business units: what the model's money means in a currency, for labels and summaries.

The simulation counts money in *money units*, one being the monthly in-house cost of an average
business function. The parameters ``currency`` and ``money_unit`` say what a unit is in real
money (``currency=EUR``, ``money_unit=1000``: one unit is 1,000 EUR). They are labels only: the
model never reads them. Every money reporter declares whose money it counts and over what time
(:data:`ecosystem.reporters.MONEY_SCOPE`), so a label reads ``EUR k / firm / month``.

Values stay in money units wherever a label carries the scale (``EUR k`` over numbers in
thousands of euros); :func:`amount` turns a value into real money for prose.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .reporters import MONEY_SCOPE

__all__ = ["amount", "money_label", "settings", "unit_text"]

#: Suffixes of the money scales a label shows by name (1000 -> ``EUR k``).
SCALES = ((1e9, "bn"), (1e6, "m"), (1e3, "k"))


def settings(params: Mapping[str, Any] | None) -> tuple[str, float]:
    """``(currency, money_unit)`` from a parameter mapping (defaults where it has none).

    >>> settings({"currency": "EUR", "money_unit": 1000, "n_smbs": 10}), settings(None)
    (('EUR', 1000.0), ('model', 1.0))
    """
    params = params or {}
    return str(params.get("currency", "model")), float(params.get("money_unit", 1.0))


def money_label(currency: str = "model", money_unit: float = 1.0) -> str:
    """What one money unit is, as a label over numbers in money units.

    Examples
    --------
    >>> money_label(), money_label("EUR", 1000), money_label("USD", 1), money_label("GBP", 1e6)
    ('money units', 'EUR k', 'USD', 'GBP m')
    >>> money_label("EUR", 2500), money_label("EUR", 0.5)
    ('EUR 2.5k', 'EUR 0.5')
    """
    if currency == "model":
        return "money units"
    if money_unit == 1:
        return currency
    for scale, suffix in SCALES:
        if money_unit >= scale:
            mantissa = money_unit / scale
            return f"{currency} {suffix}" if mantissa == 1 else f"{currency} {mantissa:g}{suffix}"
    return f"{currency} {money_unit:g}"


def unit_text(metric: str, currency: str = "model", money_unit: float = 1.0) -> str:
    """The unit of a money reporter: money, whose money (per firm, all SMBs...), per month or not.

    Examples
    --------
    >>> unit_text("mean_smb_profit", "EUR", 1000)
    'EUR k / firm / month'
    >>> unit_text("disruption_loss")
    'money units / month, all SMBs'
    >>> unit_text("focal_cash", "EUR", 1000), unit_text("outsourcing_cost_per_function")
    ('EUR k / firm', 'money units / outsourced function / month')
    """
    per, period = MONEY_SCOPE[metric]
    money = money_label(currency, money_unit)
    if per == "all SMBs":
        return f"{money} / month, all SMBs" if period == "month" else f"{money}, all SMBs"
    return f"{money} / {per} / month" if period == "month" else f"{money} / {per}"


def amount(value: float, currency: str = "model", money_unit: float = 1.0) -> str:
    """A value in money units as real money for prose: ``EUR 1,060``, ``-0.42 money units``.

    Examples
    --------
    >>> amount(1.06, "EUR", 1000), amount(-0.4234), amount(12.5, "USD", 1), amount(float("nan"))
    ('EUR 1,060', '-0.42 money units', 'USD 12.5', '–')
    """
    if value != value:
        return "–"
    if currency == "model":
        return f"{value:,.2f} money units"
    money = value * money_unit
    text = f"{money:,.0f}" if abs(money) >= 100 else f"{money:,.3g}"
    return f"{currency} {text}"
