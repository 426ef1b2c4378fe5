"""The vendor market: hidden quality types, costs and prices, patience, locations, security, finances.

Vendors are held as arrays over a fixed number of market places, twice ``n_vendors``: the initial
vendors take the first half, and entrants take places left empty (by exits, or never filled) when
they expect a profit (:mod:`ecosystem.mechanisms.vendor_economics`). A share ``lemon_share`` of
vendors are *lemons* (Akerlof 1970): low true quality, overstating it in what they claim, and
pricing what they claim rather than what they are.

Each vendor draws its own monthly discount factor (*patience*, around ``vendor_patience``): how
much it values the future business a relationship brings against what it saves today by
shirking. An impatient vendor is an opportunistic one (Williamson's opportunism as a short
horizon; Klein & Leffler 1981).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .functions import BUSINESS_FUNCTIONS, beta_around

__all__ = [
    "LOCATIONS",
    "VendorPool",
    "draw_vendors",
    "location_costs",
    "location_frictions",
    "variable_cost",
    "with_room",
]

LOCATIONS: tuple[str, ...] = ("onshore", "nearshore", "offshore")


def location_costs(params) -> np.ndarray:
    """Cost multiplier by location, cheaper further away: onshore is the numéraire (1), nearshore
    and offshore are ``nearshore_cost_factor`` and ``offshore_cost_factor``."""
    return np.array([1.0, params["nearshore_cost_factor"], params["offshore_cost_factor"]])


def location_frictions(params) -> np.ndarray:
    """Share of delivered quality lost to communication friction (language, time zones, culture) by
    location: none onshore, ``nearshore_friction`` and ``offshore_friction`` further away."""
    return np.array([0.0, params["nearshore_friction"], params["offshore_friction"]])


@dataclass
class VendorPool:
    """Vendor attributes and state, one entry per market place (arrays over all places)."""

    alive: np.ndarray
    true_quality: np.ndarray
    is_lemon: np.ndarray
    claimed_quality: np.ndarray
    patience: np.ndarray  # monthly discount factor
    location: np.ndarray
    friction: np.ndarray
    unit_cost: np.ndarray  # variable cost of serving a whole function for a month
    price_base: np.ndarray  # cost the vendor prices from: that of the quality it claims
    markup: np.ndarray
    security: np.ndarray
    stability: np.ndarray
    capacity: np.ndarray
    offers: np.ndarray  # (places, 6) bool
    cash: np.ndarray
    loss_months: np.ndarray  # consecutive months with negative cash
    utilisation: np.ndarray  # smoothed share of capacity in use
    profit_trend: np.ndarray  # smoothed monthly profit
    reputation: np.ndarray  # smoothed mean quality its clients measured (NaN before its first delivery)
    signings: np.ndarray  # relationships begun
    referred_signings: np.ndarray  # of which the client came through a peer's referral
    entered: np.ndarray  # month of entry

    @property
    def price(self) -> np.ndarray:
        """List price of a whole function for a month: the pricing base plus the markup."""
        return self.price_base * (1.0 + self.markup)

    def fixed_cost(self, share: float) -> np.ndarray:
        """Monthly fixed cost of each place's capacity: ``share`` (``fixed_cost_share``) of the
        variable cost per unit of capacity."""
        return share * self.unit_cost * self.capacity

    def replace(self, places: np.ndarray, fresh: VendorPool) -> None:
        """Put the vendors of ``fresh`` into the market ``places`` (new entrants)."""
        for field in fields(self):
            getattr(self, field.name)[places] = getattr(fresh, field.name)


def variable_cost(quality, location, params, noise=1.0):
    """Monthly variable cost of serving a whole function at ``quality`` from ``location``.

    .. math:: c = \\kappa_v \\, c_{in} \\, \\ell_{loc} \\, (0.5 + 0.65\\,\\theta)\\, \\epsilon

    with the location's cost multiplier (:func:`location_costs`) and the quality factor
    ``cost_base + cost_slope * quality`` (quality costs money).

    >>> from ecosystem.parameters import defaults
    >>> params = {**defaults(), "vendor_cost_ratio": 0.6, "inhouse_cost": 1.0}
    >>> round(float(variable_cost(0.78, 0, params)), 4), round(float(variable_cost(0.78, 2, params)), 4)
    (0.6042, 0.3625)
    """
    return (
        params["vendor_cost_ratio"]
        * params["inhouse_cost"]
        * location_costs(params)[location]
        * (params["cost_base"] + params["cost_slope"] * quality)
        * noise
    )


def draw_vendors(rng: np.random.Generator, n: int, params: dict, month: int = 0) -> VendorPool:
    """Draw ``n`` new vendors from the market's type distribution (entering in ``month``).

    True quality is a Beta of concentration ``quality_concentration`` around ``good_quality`` or
    ``lemon_quality``; patience a Beta of concentration ``patience_concentration`` around
    ``vendor_patience``, at most ``max_patience`` (a discount factor of 1 would value the future
    without end); variable cost and markup log-normal with sigmas ``vendor_cost_spread`` and
    ``markup_spread``; each function offered with chance ``offer_chance`` (at least one); security
    Beta(``security_beta_a``, ``security_beta_b``) (mean 2/3: how well it guards its clients'
    data) and financial stability Beta(``stability_beta_a``, ``stability_beta_b``) (mean 1/2:
    lowers the failure hazard); starting cash ``vendor_start_cash_months`` months of fixed cost.
    """
    is_lemon = rng.random(n) < params["lemon_share"]
    concentration = params["quality_concentration"]
    true_quality = np.where(
        is_lemon,
        beta_around(rng, params["lemon_quality"], n, concentration),
        beta_around(rng, params["good_quality"], n, concentration),
    )
    claimed = np.clip(true_quality + is_lemon * params["lemon_overstatement"], 0.0, 1.0)
    patience = np.minimum(
        beta_around(rng, params["vendor_patience"], n, params["patience_concentration"]),
        params["max_patience"],
    )
    offshore, nearshore = params["offshore_share"], params["nearshore_share"]
    location = rng.choice(3, size=n, p=[1.0 - offshore - nearshore, nearshore, offshore])
    noise = rng.lognormal(0.0, params["vendor_cost_spread"], n)
    unit_cost = variable_cost(true_quality, location, params, noise)
    markup = params["vendor_markup"] * rng.lognormal(0.0, params["markup_spread"], n)
    offers = rng.random((n, len(BUSINESS_FUNCTIONS))) < params["offer_chance"]
    offers[np.arange(n), rng.integers(0, len(BUSINESS_FUNCTIONS), n)] = True  # at least one
    capacity = np.maximum(1, rng.poisson(params["vendor_capacity"], n))
    return VendorPool(
        alive=np.ones(n, dtype=bool),
        true_quality=true_quality,
        is_lemon=is_lemon,
        claimed_quality=claimed,
        patience=patience,
        location=location,
        friction=location_frictions(params)[location],
        unit_cost=unit_cost,
        price_base=variable_cost(claimed, location, params, noise),  # lemons price what they claim
        markup=markup,
        security=rng.beta(params["security_beta_a"], params["security_beta_b"], n),
        stability=rng.beta(params["stability_beta_a"], params["stability_beta_b"], n),
        capacity=capacity,
        offers=offers,
        cash=params["vendor_start_cash_months"] * params["fixed_cost_share"] * unit_cost * capacity,
        loss_months=np.zeros(n, dtype=np.int64),
        utilisation=np.zeros(n),
        profit_trend=np.zeros(n),
        reputation=np.full(n, np.nan),
        signings=np.zeros(n, dtype=np.int64),
        referred_signings=np.zeros(n, dtype=np.int64),
        entered=np.full(n, month, dtype=np.int64),
    )


def with_room(pool: VendorPool, places: int) -> VendorPool:
    """``pool`` followed by empty market places (``alive`` false) up to ``places`` in all."""
    extra = places - len(pool.alive)
    grown = {}
    for field in fields(pool):
        column = getattr(pool, field.name)
        grown[field.name] = np.concatenate([column, np.zeros((extra, *column.shape[1:]), column.dtype)])
    return VendorPool(**grown)
