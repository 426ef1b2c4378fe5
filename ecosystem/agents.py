"""Mesa agents: the readable face of the model's array state.

The model keeps SMB and vendor state in arrays so that monthly work runs vectorised; each
:class:`SMB` and :class:`Vendor` reads its own entries, so users inspect agents the Mesa way
(``model.agents_by_type[SMB]``) and agent reporters see current values. An SMB that exits and a
vendor that leaves the market are removed from the model; an entrant taking their place is a new
agent with a new ``unique_id``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from .mechanisms.contracts import CONTRACT_KINDS
from .mechanisms.decision_rules import DECISION_RULES
from .mechanisms.functions import BUSINESS_FUNCTIONS
from .mechanisms.shocks import SOURCING_SLOTS
from .mechanisms.vendors import LOCATIONS

if TYPE_CHECKING:
    from .model import EcosystemModel

__all__ = ["SMB", "Vendor"]


class SMB(mesa.Agent):
    """A small or medium business that makes or buys its six support functions."""

    def __init__(self, model: EcosystemModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def cash(self) -> float:
        return float(self.model.cash[self.index])

    @property
    def profit(self) -> float:
        """This month's profit."""
        return float(self.model.profit[self.index])

    @property
    def core_performance(self) -> float:
        return float(self.model.core_performance[self.index])

    @property
    def contract_type(self) -> str:
        return CONTRACT_KINDS[int(self.model.contract_kind[self.index])]

    @property
    def strategy(self) -> dict[str, str | float]:
        """The SMB's strategy: decision rule, due diligence, monitoring intensity, contract type,
        sourcing policy and referral weight."""
        m, i = self.model, self.index
        policy = {slots: name for name, slots in SOURCING_SLOTS.items()}
        return {
            "decision_rule": tuple(DECISION_RULES)[int(m.rule[i])],
            "due_diligence": float(m.diligence[i]),
            "monitoring_intensity": float(m.monitoring[i]),
            "contract_type": self.contract_type,
            "sourcing_policy": policy[int(m.slots[i])],
            "referral_weight": float(m.referral[i]),
        }

    @property
    def focal(self) -> bool:
        """Whether this is the focal firm, whose strategy the user fixed."""
        return bool(self.model.is_focal[self.index])

    @property
    def outsourced_functions(self) -> list[str]:
        """Names of the functions this SMB currently buys."""
        row = self.model.outsourced[self.index]
        return [name for name, bought in zip(BUSINESS_FUNCTIONS, row, strict=True) if bought]

    @property
    def outsourced_count(self) -> int:
        return int(self.model.outsourced[self.index].sum())

    @property
    def capability(self) -> dict[str, float]:
        """In-house capability per function."""
        row = self.model.functions.capability[self.index]
        return {name: float(value) for name, value in zip(BUSINESS_FUNCTIONS, row, strict=True)}

    @property
    def mean_capability(self) -> float:
        return float(self.model.functions.capability[self.index].mean())

    @property
    def vendors(self) -> list[Vendor]:
        """The vendors this SMB has contracts with."""
        c = self.model.contracts
        act = c.active_index()
        places = sorted(set(c.vendor[act][c.smb[act] == self.index].tolist()))
        return [self.model.vendor_agents[place] for place in places]


class Vendor(mesa.Agent):
    """A vendor at a market place, offering some functions at a hidden true quality."""

    def __init__(self, model: EcosystemModel, place: int) -> None:
        super().__init__(model)
        self.place = place

    def _get(self, name: str):
        return getattr(self.model.vendors, name)[self.place]

    @property
    def true_quality(self) -> float:
        return float(self._get("true_quality"))

    @property
    def is_lemon(self) -> bool:
        return bool(self._get("is_lemon"))

    @property
    def patience(self) -> float:
        """Monthly discount factor: how much the vendor values future business."""
        return float(self._get("patience"))

    @property
    def location(self) -> str:
        return LOCATIONS[int(self._get("location"))]

    @property
    def price(self) -> float:
        """List price of a whole function for a month."""
        return float(self.model.vendors.price[self.place])

    @property
    def capacity(self) -> int:
        return int(self._get("capacity"))

    @property
    def cash(self) -> float:
        return float(self._get("cash"))

    @property
    def offered_functions(self) -> list[str]:
        row = self._get("offers")
        return [name for name, offered in zip(BUSINESS_FUNCTIONS, row, strict=True) if offered]

    @property
    def client_count(self) -> int:
        """Active contracts this vendor serves."""
        c = self.model.contracts
        act = c.active_index()
        return int((c.vendor[act] == self.place).sum())

    @property
    def income(self) -> float:
        """What this vendor received this month."""
        return float(self.model.flows["vendor_income"][self.place])

    @property
    def profit(self) -> float:
        """This month's profit: income minus variable and fixed costs."""
        return float(self.model.flows["vendor_profit"][self.place])
