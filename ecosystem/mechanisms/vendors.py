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
    "COST_BASE",
    "COST_SLOPE",
    "FIXED_COST",
    "GOOD_QUALITY",
    "LEMON_QUALITY",
    "LOCATIONS",
    "LOCATION_COST",
    "LOCATION_FRICTION",
    "MARKET_ROOM",
    "MAX_PATIENCE",
    "PATIENCE_CONCENTRATION",
    "QUALITY_CONCENTRATION",
    "START_CASH_MONTHS",
    "VendorPool",
    "draw_vendors",
    "variable_cost",
    "with_room",
]

LOCATIONS: tuple[str, ...] = ("onshore", "nearshore", "offshore")
#: Cost multiplier by location: cheaper further away.
LOCATION_COST = np.array([1.0, 0.8, 0.6])
#: Share of delivered quality lost to communication friction (language, time zones, culture).
LOCATION_FRICTION = np.array([0.0, 0.06, 0.15])
#: Mean true quality of good vendors and of lemons; the Beta concentration of true quality
#: around them (standard deviation about 0.09).
GOOD_QUALITY, LEMON_QUALITY, QUALITY_CONCENTRATION = 0.78, 0.42, 20.0
#: Variable cost of serving a whole function, relative to ``vendor_cost_ratio`` x in-house cost:
#: ``COST_BASE + COST_SLOPE * quality`` (quality costs money).
COST_BASE, COST_SLOPE = 0.5, 0.65
#: Monthly fixed cost of one unit of capacity (one contract's worth), as a share of the variable cost.
FIXED_COST = 0.1
#: Starting cash of a vendor, in months of its fixed costs.
START_CASH_MONTHS = 12.0
#: Beta concentration of the vendors' patience around ``vendor_patience``.
PATIENCE_CONCENTRATION = 40.0
#: Highest patience a vendor may draw (a discount factor of 1 would value the future without end).
MAX_PATIENCE = 0.999
#: Market places per initial vendor: room for entrants.
MARKET_ROOM = 2


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

    @property
    def fixed_cost(self) -> np.ndarray:
        """Monthly fixed cost of each place's capacity."""
        return FIXED_COST * self.unit_cost * self.capacity

    def replace(self, places: np.ndarray, fresh: VendorPool) -> None:
        """Put the vendors of ``fresh`` into the market ``places`` (new entrants)."""
        for field in fields(self):
            getattr(self, field.name)[places] = getattr(fresh, field.name)


def variable_cost(quality, location, params, noise=1.0):
    """Monthly variable cost of serving a whole function at ``quality`` from ``location``.

    .. math:: c = \\kappa_v \\, c_{in} \\, \\ell_{loc} \\, (0.5 + 0.65\\,\\theta)\\, \\epsilon

    >>> params = {"vendor_cost_ratio": 0.6, "inhouse_cost": 1.0}
    >>> round(float(variable_cost(0.78, 0, params)), 4), round(float(variable_cost(0.78, 2, params)), 4)
    (0.6042, 0.3625)
    """
    return (
        params["vendor_cost_ratio"]
        * params["inhouse_cost"]
        * LOCATION_COST[location]
        * (COST_BASE + COST_SLOPE * quality)
        * noise
    )


#: Log-normal spread (sigma) of a vendor's variable cost around its location's and quality's level.
VENDOR_COST_SPREAD = 0.1
#: Log-normal spread (sigma) of a vendor's markup around ``vendor_markup``.
MARKUP_SPREAD = 0.2
#: Chance that a vendor offers a given business function (each vendor offers at least one).
OFFER_CHANCE = 0.5
#: Beta(a, b) of vendors' security level (mean 2/3): how well it guards its clients' data.
SECURITY_BETA = (4.0, 2.0)
#: Beta(a, b) of vendors' financial stability (mean 1/2): lowers the random failure hazard.
STABILITY_BETA = (5.0, 5.0)


def draw_vendors(rng: np.random.Generator, n: int, params: dict, month: int = 0) -> VendorPool:
    """Draw ``n`` new vendors from the market's type distribution (entering in ``month``)."""
    is_lemon = rng.random(n) < params["lemon_share"]
    true_quality = np.where(
        is_lemon,
        beta_around(rng, LEMON_QUALITY, n, QUALITY_CONCENTRATION),
        beta_around(rng, GOOD_QUALITY, n, QUALITY_CONCENTRATION),
    )
    claimed = np.clip(true_quality + is_lemon * params["lemon_overstatement"], 0.0, 1.0)
    patience = np.minimum(
        beta_around(rng, params["vendor_patience"], n, PATIENCE_CONCENTRATION), MAX_PATIENCE
    )
    offshore, nearshore = params["offshore_share"], params["nearshore_share"]
    location = rng.choice(3, size=n, p=[1.0 - offshore - nearshore, nearshore, offshore])
    noise = rng.lognormal(0.0, VENDOR_COST_SPREAD, n)
    unit_cost = variable_cost(true_quality, location, params, noise)
    markup = params["vendor_markup"] * rng.lognormal(0.0, MARKUP_SPREAD, n)
    offers = rng.random((n, len(BUSINESS_FUNCTIONS))) < OFFER_CHANCE
    offers[np.arange(n), rng.integers(0, len(BUSINESS_FUNCTIONS), n)] = True  # at least one
    capacity = np.maximum(1, rng.poisson(params["vendor_capacity"], n))
    return VendorPool(
        alive=np.ones(n, dtype=bool),
        true_quality=true_quality,
        is_lemon=is_lemon,
        claimed_quality=claimed,
        patience=patience,
        location=location,
        friction=LOCATION_FRICTION[location],
        unit_cost=unit_cost,
        price_base=variable_cost(claimed, location, params, noise),  # lemons price what they claim
        markup=markup,
        security=rng.beta(*SECURITY_BETA, n),
        stability=rng.beta(*STABILITY_BETA, n),
        capacity=capacity,
        offers=offers,
        cash=START_CASH_MONTHS * FIXED_COST * unit_cost * capacity,
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
