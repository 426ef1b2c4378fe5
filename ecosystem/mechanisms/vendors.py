"""The vendor market: hidden quality types, prices, locations, security and finances.

Vendors are held as arrays over a fixed number of market places; a place whose vendor exits
may later be taken by a new entrant (see ``vendor_entry_rate``). A share ``lemon_share`` of
vendors are *lemons* (Akerlof 1970): low true quality, more opportunistic, and overstating their
quality in what they claim.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .functions import BUSINESS_FUNCTIONS, beta_around

__all__ = ["LOCATIONS", "LOCATION_FRICTION", "LOCATION_PRICE", "VendorPool", "draw_vendors"]

LOCATIONS: tuple[str, ...] = ("onshore", "nearshore", "offshore")
#: Price multiplier by location: cheaper further away.
LOCATION_PRICE = np.array([1.0, 0.8, 0.6])
#: Share of delivered quality lost to communication friction (language, time zones, culture).
LOCATION_FRICTION = np.array([0.0, 0.06, 0.15])

_GOOD_QUALITY, _LEMON_QUALITY = 0.78, 0.42


@dataclass
class VendorPool:
    """Vendor attributes, one entry per market place (arrays of length ``n_vendors``)."""

    alive: np.ndarray
    true_quality: np.ndarray
    is_lemon: np.ndarray
    claimed_quality: np.ndarray
    opportunism: np.ndarray
    location: np.ndarray
    friction: np.ndarray
    price: np.ndarray  # monthly fee for a whole function, before contract terms
    security: np.ndarray
    stability: np.ndarray
    capacity: np.ndarray
    offers: np.ndarray  # (n_vendors, 6) bool
    idle_months: np.ndarray

    def replace(self, places: np.ndarray, fresh: VendorPool) -> None:
        """Put the vendors of ``fresh`` into the market ``places`` (new entrants)."""
        for field in fields(self):
            getattr(self, field.name)[places] = getattr(fresh, field.name)


def draw_vendors(rng: np.random.Generator, n: int, params: dict) -> VendorPool:
    """Draw ``n`` new vendors from the market's type distribution."""
    is_lemon = rng.random(n) < params["lemon_share"]
    true_quality = np.where(
        is_lemon, beta_around(rng, _LEMON_QUALITY, n, 20.0), beta_around(rng, _GOOD_QUALITY, n, 20.0)
    )
    claimed = np.clip(true_quality + is_lemon * params["lemon_overstatement"], 0.0, 1.0)
    opportunism = np.where(is_lemon, rng.beta(5.0, 2.0, n), rng.beta(2.0, 5.0, n))
    offshore, nearshore = params["offshore_share"], params["nearshore_share"]
    location = rng.choice(3, size=n, p=[1.0 - offshore - nearshore, nearshore, offshore])
    price = (
        params["vendor_price_ratio"]
        * params["inhouse_cost"]
        * LOCATION_PRICE[location]
        * (0.85 + 0.3 * claimed)  # vendors price what they claim, not what they are
        * rng.lognormal(0.0, 0.1, n)
    )
    offers = rng.random((n, len(BUSINESS_FUNCTIONS))) < 0.5
    offers[np.arange(n), rng.integers(0, len(BUSINESS_FUNCTIONS), n)] = True  # at least one
    capacity = np.maximum(1, rng.poisson(params["vendor_capacity"], n))
    return VendorPool(
        alive=np.ones(n, dtype=bool),
        true_quality=true_quality,
        is_lemon=is_lemon,
        claimed_quality=claimed,
        opportunism=opportunism,
        location=location,
        friction=LOCATION_FRICTION[location],
        price=price,
        security=rng.beta(4.0, 2.0, n),
        stability=rng.beta(5.0, 5.0, n),
        capacity=capacity,
        offers=offers,
        idle_months=np.zeros(n, dtype=np.int64),
    )
