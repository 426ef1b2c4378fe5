"""The SMB-vendor outsourcing ecosystem model.

State lives in arrays (SMB x function profiles, the vendor pool, the contract book, the book of
SMB-vendor pairs) so that each month's work runs vectorised over all SMBs and contracts; the Mesa
agents :class:`~ecosystem.agents.SMB` and :class:`~ecosystem.agents.Vendor` are the readable face
of that state, and :attr:`EcosystemModel.network` the relationship record as a NetworkX graph.

``step()`` is one month and reads like the process overview of ``docs/ODD.md``; each phase is a
method below, which calls the pure functions of :mod:`ecosystem.mechanisms`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mesa
import networkx as nx
import numpy as np

from . import reporters
from .agents import SMB, Vendor
from .mechanisms.beliefs import chance_below, posterior, screening_evidence, type_prior
from .mechanisms.capabilities import core_focus_growth, develop_capability
from .mechanisms.contracts import (
    CONTRACT_KINDS,
    ContractBook,
    expected_bill_factor,
    monthly_bill,
    term_arrays,
)
from .mechanisms.decision_rules import DECISION_RULES, ReviewInputs, decide, make_cost, transaction_cost_rate
from .mechanisms.economics import (
    core_cost,
    function_share,
    function_sum,
    function_weights,
    lost_output_value,
    monthly_revenue,
    performance,
)
from .mechanisms.functions import BUSINESS_FUNCTIONS, draw_function_profiles
from .mechanisms.holdup import haggling_cost, holdup_raise, switching_cost, transition_cost
from .mechanisms.innovation import collaborative_innovation_odds, inhouse_innovation_odds
from .mechanisms.moral_hazard import (
    PowerTable,
    breach_probability,
    delivered_quality,
    detection_chance,
    overbills,
    relationship_values,
    shirks,
    strike_stake,
)
from .mechanisms.network import PeerNetwork, peer_graph
from .mechanisms.population import allocate_mix
from .mechanisms.relational_capital import governance_relief, update_trust
from .mechanisms.relationships import PairBook
from .mechanisms.selection import draw_shortlist, quality_signal, rank_candidates
from .mechanisms.shocks import (
    SOURCING_SLOTS,
    breach_chance,
    breach_damage,
    covered_share,
    failure_hazard,
    ip_leak_chance,
)
from .mechanisms.strategies import StrategySpace, ewa_update, fermi_probability, logit_choice, smooth_profit
from .mechanisms.vendor_economics import adjust_capacity, adjust_markup, entry_profit, smooth
from .mechanisms.vendors import LOCATIONS, draw_vendors, with_room
from .parameters import FOCAL_PREFIX, STRATEGY_FIELDS, validate_focal, validate_parameters

__all__ = ["EcosystemModel", "run_simulation"]

N_FUNCTIONS = len(BUSINESS_FUNCTIONS)
SLOTS = SOURCING_SLOTS
RULE_NAMES = tuple(DECISION_RULES)
#: sourcing policy by its number of vendor slots
POLICY_NAMES = {slots: name for name, slots in SLOTS.items()}
#: the model attribute holding each strategy lever, one value per SMB
_LEVERS = {
    "decision_rule": "rule",
    "due_diligence": "diligence",
    "monitoring_intensity": "monitoring",
    "contract_type": "contract_kind",
    "sourcing_policy": "slots",
    "referral_weight": "referral",
}
NEVER = np.iinfo(np.int64).max


#: Decision rule names by their code (the order of ``DECISION_RULES``).
DECISION_RULES_BY_CODE = tuple(DECISION_RULES)


class EcosystemModel(mesa.Model):
    """SMBs that make or buy six business functions from a market of strategic vendors.

    Parameters
    ----------
    rng : seed or numpy Generator
        The one source of randomness; same seed, same run, bit for bit.
    focal : mapping, optional
        A focal firm: one SMB added to the ``n_smbs`` of the market, whose strategy fields
        (:data:`ecosystem.parameters.STRATEGY_FIELDS`) the mapping fixes, e.g.
        ``{"sourcing_policy": "dual", "monitoring_intensity": 0.4}``; fields not given take the
        market's value (drawn from its mix if it has one). The focal firm never changes its
        strategy by itself, is never imitated, and its place is never refilled: if it exits,
        ``focal_survived`` becomes 0 and the other focal reporters NaN. ``focal.FIELD=value``
        keyword arguments are the same thing written flat (as sweeps write them).
    focal_firms : mapping of name to mapping, optional
        Several focal firms at once (a classroom game gives each student one), by name, each
        with its strategy as for ``focal``; they are appended to the market in this order. The
        ``focal_*`` model reporters follow the first; :func:`ecosystem.reporters.focal_report`
        reports any of them by name. ``focal=S`` is ``focal_firms={"focal": S}``.
    **params
        Any parameter of :data:`ecosystem.parameters.PARAMETERS` (``smb-eco params`` lists
        them); the rest take their defaults. Unknown names or values out of range raise
        ``ValueError``.
    max_months : int, optional
        Months after which ``model.running`` turns False, so that ``model.run_model()`` and
        ``mesa.batch_run`` stop there. Without it the model runs for as long as it is stepped:
        ``mesa.batch_run`` then stops at its ``max_steps``, whose default is 1,000 months (83
        years), so give ``max_steps=`` or ``parameters={"max_months": 120, ...}``.

    Examples
    --------
    >>> model = EcosystemModel(n_smbs=20, n_vendors=6, rng=1)
    >>> for _ in range(3):
    ...     model.step()
    >>> frame = model.datacollector.get_model_vars_dataframe()
    >>> len(frame), bool(0.0 <= frame["outsourcing_share"].iloc[-1] <= 1.0)
    (3, True)
    """

    def __init__(
        self,
        *,
        rng: Any = None,
        focal: Any = None,
        focal_firms: Any = None,
        max_months: int | None = None,
        **params: Any,
    ) -> None:
        if "seed" in params:
            raise TypeError("EcosystemModel takes its seed as rng= (e.g. EcosystemModel(rng=1)), not seed=")
        if max_months is not None and (
            isinstance(max_months, bool) or not isinstance(max_months, int) or max_months < 1
        ):
            raise ValueError(f"max_months must be a positive integer (months) or None, got {max_months!r}")
        #: months after which ``running`` turns False (None: never)
        self.max_months = max_months
        flat = {
            name[len(FOCAL_PREFIX) :]: params.pop(name)
            for name in list(params)
            if name.startswith(FOCAL_PREFIX)
        }
        if flat:
            focal = {**(focal or {}), **flat}
        #: each focal firm's fixed strategy fields, by name, in the order of their places
        self.focal_firms = _focal_firms(focal, focal_firms)
        #: the (first) focal firm's strategy fields, or None
        self.focal = next(iter(self.focal_firms.values()), None)
        self.params = validate_parameters(params)
        super().__init__(rng=rng)
        p = self.params
        market, v = p["n_smbs"], p["n_vendors"]
        n = market + len(self.focal_firms)
        #: the focal firms' names and their indices among the SMBs (the last ones)
        self.focal_names = list(self.focal_firms)
        self.focal_indices = np.arange(market, n)
        #: index of the (first) focal firm among the SMBs, or None
        self.focal_index = market if self.focal_firms else None
        self.is_focal = np.zeros(n, dtype=bool)
        self.is_focal[market:] = True
        self.places = p["market_room"] * v

        # SMBs, their functions and their governance choices
        self.peers = PeerNetwork(peer_graph(n, p["peer_degree"], p["peer_rewiring"], self.rng))
        self.functions = draw_function_profiles(self.rng, n, p)
        self.weights = function_weights(self.functions.importance)
        self._assign_strategies(market)
        self.core_cost_factor = p["core_cost_share"] * self.rng.lognormal(0.0, p["core_cost_spread"], n)
        self.smb_size = self._draw_sizes(n)
        if self.focal_index is not None and p["focal_size"] > 0:  # the user's firm, of a known size
            self.smb_size[self.focal_index] = p["focal_size"]
        self._scale_inhouse_cost(np.arange(n))
        self.make_cost = make_cost(
            self.functions.inhouse_cost,
            self.functions.frequency,
            p["governance_cost_rate"],
            p["make_overhead_base"],
        )
        self.outsourced = np.zeros((n, N_FUNCTIONS), dtype=bool)
        self.resource_due = np.full((n, N_FUNCTIONS), NEVER)
        self.smb_active = np.ones(n, dtype=bool)
        self.cohort = np.ones(n, dtype=bool)  # SMBs of the initial population, for survival
        # each SMB's outsourcing history, as surveys ask it: has it ever bought a function, brought
        # one back in-house, ended a contract before its term? (the empirical targets, 3.3)
        self.ever_bought = np.zeros(n, dtype=bool)
        self.ever_brought_back = np.zeros(n, dtype=bool)
        self.ever_ended_early = np.zeros(n, dtype=bool)
        # functions a vendor has served since they were last outsourced: making one of them
        # in-house again is bringing it back, whether or not a contract is still in force
        self.vendor_served = np.zeros((n, N_FUNCTIONS), dtype=bool)
        self.cash = np.full(n, p["initial_cash"])
        self.negative_months = np.zeros(n, dtype=np.int64)
        self.core_performance = np.ones(n)
        self.next_review = self.rng.integers(1, p["review_interval"] + 1, n)
        self.revenue = np.zeros(n)
        self.profit = np.zeros(n)
        self.recent_profit = np.full(n, np.nan)  # smoothed monthly profit, kept while strategies adapt
        self.initial_rule = self.rule.copy()
        #: SMBs of the initial cohort per decision rule they started with (survival by rule)
        self.cohort_by_rule = np.bincount(self.rule, minlength=len(RULE_NAMES))
        # per focal firm: months with output lost to missing vendors, months of output lost
        # (summed shares of a month's output), deliveries on which its vendors shirked, and
        # profit summed over the run
        self.focal_disruptions = np.zeros(len(self.focal_firms), dtype=np.int64)
        self.focal_months_lost = np.zeros(len(self.focal_firms))
        self.focal_shirked = np.zeros(len(self.focal_firms), dtype=np.int64)
        self.focal_total_profit = np.zeros(len(self.focal_firms))
        # what focal firms' owners decide by hand, per function: make (0), buy (1) or leave it to
        # the decision rule (-1); and the vendor place to approach first when sourcing (-1: none)
        self.make_or_buy = np.full((n, N_FUNCTIONS), -1, dtype=np.int8)
        self.preferred_vendor = np.full((n, N_FUNCTIONS), -1, dtype=np.int64)
        if p["adaptation"] == "reinforcement":
            self.attraction = np.zeros((n, self.strategy_space.size))
            self.experience = np.ones(n)
        # the product market's mean performance, which revenue is relative to (updated monthly)
        self.market_performance = float(
            performance(
                self.core_performance, self.weights, self.functions.capability, p["function_weight"]
            ).mean()
        )

        # the vendor market, contracts and what SMBs know of vendors
        self.vendors = with_room(draw_vendors(self.rng, v, p), self.places)
        self.contracts = ContractBook()
        self.pairs = PairBook(self.places, forgetting=p["belief_forgetting"])
        # per vendor place: patience and the chance of a clean month, to the power of the months left
        self._patience_powers = PowerTable(p["contract_duration"])
        self._clean_powers = PowerTable(p["contract_duration"])
        self.unmet_demand = 0.0

        # the money ledger: every transfer is booked on both sides (see check_ledger)
        self.ledger = {
            "smb_capital": self.cash.copy(),
            "smb_revenue": np.zeros(n),
            "smb_spending": np.zeros(n),
            "smb_cash_out": np.zeros(n),
            "smb_payout": np.zeros(n),
            "smb_paid": np.zeros(n),
            "smb_holdup_paid": np.zeros(n),
            "vendor_capital": self.vendors.cash.copy(),
            "vendor_received": np.zeros(self.places),
            "vendor_costs": np.zeros(self.places),
            "vendor_cash_out": np.zeros(self.places),
            "vendor_holdup_received": np.zeros(self.places),
        }
        self.cumulative_innovations = 0

        self.smb_agents = [SMB(self, i) for i in range(n)]
        self.vendor_agents: list[Vendor | None] = [Vendor(self, k) for k in range(v)] + [None] * (
            self.places - v
        )
        self._network: nx.Graph | None = None
        self._network_step = -1
        self.reporting: dict | None = None  # what reporters share during one collection
        self._start_month()
        self._initial_arrangements()
        self.datacollector = mesa.DataCollector(
            model_reporters=reporters.MODEL_REPORTERS,
            agenttype_reporters=reporters.AGENT_REPORTERS if p["collect_agent_data"] else None,
        )

    def _assign_strategies(self, market: int) -> None:
        """Each SMB's strategy: one level of each lever, in the exact proportions of its mix.

        A lever set to one value gives everyone that value and draws no random numbers (the
        decision rule and contract type draw their allocation as they always have). The focal
        firm, if any, is appended with its fixed fields.
        """
        p = self.params
        self.rule = allocate_mix(self.rng, market, p["decision_rule"], RULE_NAMES)
        self.contract_kind = allocate_mix(self.rng, market, p["contract_type"], CONTRACT_KINDS)
        for field in ("sourcing_policy", "due_diligence", "monitoring_intensity", "referral_weight"):
            value = p[field]
            if isinstance(value, Mapping):
                codes = allocate_mix(self.rng, market, value, tuple(value))
                lever = _encode(field, list(value))[codes]
            else:
                lever = np.full(market, _encode(field, [value])[0])
            setattr(self, _LEVERS[field], lever)
        for strategy in self.focal_firms.values():
            for field in STRATEGY_FIELDS:
                if field in strategy:
                    level = _encode(field, [strategy[field]])[0]
                else:
                    level = self._draw_levels(field, 1)[0]
                setattr(self, _LEVERS[field], np.append(getattr(self, _LEVERS[field]), level))
        self.strategy_space = StrategySpace(
            {
                field: _encode(field, list(p[field]) if isinstance(p[field], Mapping) else [p[field]])
                for field in STRATEGY_FIELDS
            }
        )
        self._note_uniform_levers()

    def _note_uniform_levers(self) -> None:
        """Note whether all SMBs share one sourcing policy for good, and one referral weight."""
        p = self.params
        slots, weights = self.slots, self.referral
        one_policy = slots.min() == slots.max() and self.strategy_space.levels["sourcing_policy"].size == 1
        #: the one sourcing policy of all SMBs for good (vendor slots), or None
        self.slot_count = int(slots[0]) if one_policy else None
        one_weight = weights.min() == weights.max() and not isinstance(p["referral_weight"], Mapping)
        self._market_referral = float(weights[0]) if one_weight else None

    def _draw_levels(self, field: str, k: int) -> np.ndarray:
        """``k`` levels of a lever drawn from its initial mix (no draw for a single value)."""
        value = self.params[field]
        if isinstance(value, Mapping):
            return _encode(field, list(value))[_draw_choice(self.rng, k, value, tuple(value))]
        return np.full(k, _encode(field, [value])[0])

    def levers(self) -> dict[str, np.ndarray]:
        """The SMBs' strategy levers, by strategy field: rule and contract-type codes, vendor slots
        of the sourcing policy, and the numeric levers (the model's own arrays, not copies)."""
        return {field: getattr(self, _LEVERS[field]) for field in STRATEGY_FIELDS}

    # ------------------------------------------------------------------ focal firms' owners
    @property
    def focal_disruption_months(self) -> int:
        """Months so far in which the (first) focal firm lost output to missing vendors."""
        return int(self.focal_disruptions[0]) if len(self.focal_disruptions) else 0

    @property
    def focal_output_months_lost(self) -> float:
        """Months of output the (first) focal firm has lost so far to missing vendors."""
        return float(self.focal_months_lost[0]) if len(self.focal_months_lost) else 0.0

    def focal_place(self, name: str) -> int:
        """Index among the SMBs of the focal firm called ``name``."""
        try:
            return int(self.focal_indices[self.focal_names.index(name)])
        except ValueError:
            raise ValueError(f"no focal firm called {name!r}") from None

    def set_focal_strategy(self, name: str, strategy: Mapping[str, Any]) -> None:
        """Change strategy fields of focal firm ``name`` between months, as its owner decides.

        The new levers act from the next month on: monitoring and referral weight at once, the
        contract type and sourcing policy on contracts signed from then on, due diligence on
        vendors screened from then on, the decision rule at the firm's next review.
        """
        i = self.focal_place(name)
        checked = validate_focal(strategy)
        for field, value in checked.items():
            getattr(self, _LEVERS[field])[i] = _encode(field, [value])[0]
        self.focal_firms[name].update(checked)
        self._note_uniform_levers()

    def decide_by_hand(
        self,
        name: str,
        make_or_buy: Mapping[str, str],
        vendors: Mapping[str, int | None] | None = None,
    ) -> None:
        """Focal firm ``name``'s owner decides per business function at its reviews.

        ``make_or_buy`` maps functions to "make", "buy" or "rule" (its decision rule decides);
        ``vendors`` maps functions to the vendor place to approach first whenever the function
        needs a vendor (None: the best-ranked of its search). A chosen vendor is approached if
        it offers the function and accepts the terms; the current contracts run on.
        """
        i = self.focal_place(name)
        codes = {"rule": -1, "make": 0, "buy": 1}
        vendors = dict(vendors or {})
        for function, choice in make_or_buy.items():  # all checked before anything changes
            if function not in BUSINESS_FUNCTIONS or choice not in codes:
                raise ValueError(
                    f"make_or_buy: {function!r}: {choice!r}; functions are {', '.join(BUSINESS_FUNCTIONS)}, "
                    "choices make, buy or rule"
                )
        for function, place in vendors.items():
            if function not in BUSINESS_FUNCTIONS:
                raise ValueError(f"vendors: unknown function {function!r}")
            if place is not None and not (0 <= place < self.places and self.vendors.alive[place]):
                raise ValueError(f"vendors: {function}: no vendor in the market at place {place!r}")
        for function, choice in make_or_buy.items():
            self.make_or_buy[i, BUSINESS_FUNCTIONS.index(function)] = codes[choice]
        for function, place in vendors.items():
            self.preferred_vendor[i, BUSINESS_FUNCTIONS.index(function)] = -1 if place is None else place

    def review_next_month(self, names) -> None:
        """The named focal firms take their make-or-buy review next month (and every
        ``review_interval`` months after it)."""
        for name in names:
            self.next_review[self.focal_place(name)] = self.steps + 1

    def _initial_arrangements(self) -> None:
        """The outsourcing in place at month 0: what each SMB's own rule buys, from vendors its own
        search finds, signed before the run began.

        Contract ages are staggered over a term, so renewals spread over the first months; the
        one-off costs of these arrangements were paid before the run (the month's spending is
        reset when the first step starts). The run thus starts from arrangements the model itself
        would make rather than from an economy without outsourcing.
        """
        self.assess_needs(due=np.flatnonzero(self.smb_active))
        self.source_vendors()
        c = self.contracts
        act = c.active_index()
        c.backdate(act, self.rng.integers(0, self.params["contract_duration"], len(act)))

    # ------------------------------------------------------------------ the monthly process
    def step(self) -> None:
        """One month, phase by phase (see docs/ODD.md, "Process overview and scheduling")."""
        self._start_month()
        self.renew_or_end_expiring_contracts()
        self.adapt_strategies()
        self.assess_needs()
        self.source_vendors()
        self.deliver_services()
        self.suffer_security_incidents()
        self.update_relational_capital()
        self.innovate()
        self.end_poor_performers()
        self.develop_capabilities()
        self.settle_vendor_accounts()
        self.fail_vendors()
        self.settle_accounts()
        self.enter_smbs()
        self.enter_vendors()
        self._compact()
        self.collect()
        if self.max_months is not None and self.steps >= self.max_months:
            self.running = False

    def collect(self) -> None:
        """Record the month's outcomes; the reporters share what several of them need (the active
        SMBs, say) for the length of one collection."""
        self.reporting = {}
        try:
            self.datacollector.collect(self)
        finally:
            self.reporting = None

    def _start_month(self) -> None:
        n, places = len(self.cash), self.places
        self.month = self.steps
        self.cost = np.zeros(n)  # everything an SMB spends this month
        self.outsourcing_cost = np.zeros(n)  # the part spent on buying
        self.row_quality = np.zeros((n, N_FUNCTIONS))  # quality delivered by vendors this month
        self.row_delivered_share = np.zeros((n, N_FUNCTIONS))
        self.flows = dict(
            shirking=0,
            caught=0,  # deliveries whose shirking or overbilling an audit revealed
            deliveries=0,
            delivered_quality=np.nan,
            innovations=0,
            collaborative_innovations=0,
            breaches=0,
            disruption_loss=0.0,
            output_months_lost=0.0,
            settled_smbs=0,
            focal_disruption_loss=np.nan,
            vendor_failures=0,
            vendor_exits=0,
            vendor_entries=0,
            smb_exits=0,
            smb_entries=0,
            vendor_income=np.zeros(places),
            vendor_costs=np.zeros(places),
            vendor_profit=np.zeros(places),
            renewal_fee_change=np.nan,
            holdup_transfer=0.0,
            signings=0,
            lemon_signings=0,
            referred_signings=0,
            rehired_fired_vendor=0,
            ended_early=0,
            overbilling=0.0,
        )
        self._delivery = np.zeros(0, dtype=np.int64)
        self._delivery_columns: dict[str, np.ndarray] = {}  # see _delivered
        self._failed = np.zeros(0, dtype=bool)
        # trust on each delivery's tie: as the delivery found it, then (once updated) as it ends
        # the month; the phases after delivery read it here rather than from the pair book
        self._delivery_trust = np.zeros(0)
        self._trust_updated = False

    # --- contracts ending and renewing
    def renew_or_end_expiring_contracts(self) -> None:
        """Renew incumbents with a clean term that the SMB still believes in, at a held-up fee;
        end the rest and re-tender their rows at once."""
        c, p = self.contracts, self.params
        act = c.active_index()
        expiring = act[c.end[act] == self.month]
        if not len(expiring):
            return
        smb, fn = c.smb[expiring], c.function[expiring]
        belief = self._own_belief(c.pair[expiring], c.vendor[expiring]).mean
        renew = (
            (c.term_strikes[expiring] == 0) & (belief >= p["sla_threshold"]) & _cell(self.outsourced, smb, fn)
        )
        fits = self._fits_policy(expiring)  # a contract of a sourcing policy the SMB left is not renewed
        renew &= fits
        kept = expiring[renew]
        if len(kept):
            old_fee = c.fee[kept].copy()
            switching = self._switching_cost(kept, belief[renew])
            held_up = holdup_raise(
                self.functions.specificity[c.smb[kept], c.function[kept]],
                switching,
                p["holdup_share"],
                p["contract_duration"],
            )
            # the held-up part is renegotiated, not stacked: over each term the vendor takes at
            # most h s S above the market fee, so renewing stays the SMB's best reply
            c.fee[kept] += held_up - c.holdup[kept]
            c.holdup[kept] = held_up
            raise_ = c.fee[kept] - old_fee
            c.end[kept] += p["contract_duration"]
            c.term_strikes[kept] = 0
            haggling = haggling_cost(
                p["haggling_cost_rate"],
                self.functions.specificity[c.smb[kept], c.function[kept]],
                self.functions.uncertainty[c.smb[kept], c.function[kept]],
                old_fee,
            )
            self._spend(c.smb[kept], haggling, outsourcing=True)
            self.flows["renewal_fee_change"] = float(np.mean(raise_ / old_fee))
        ended = expiring[~renew]
        self._ban(c.pair[expiring[~renew & fits]])  # not renewed for its record or the SMB's belief
        c.terminate(ended, self.month, "not_renewed")
        self.resource_due[c.smb[ended], c.function[ended]] = self.month

    # --- strategies: imitation or reinforcement learning
    def adapt_strategies(self) -> None:
        """SMBs whose review is due reconsider their strategy from recent profits (``adaptation``).

        Only SMBs with at least a month of profit learn; the focal firm never does.
        """
        p = self.params
        if p["adaptation"] == "none":
            return
        due = np.flatnonzero(
            self.smb_active
            & (self.next_review == self.month)
            & ~self.is_focal
            & ~np.isnan(self.recent_profit)
        )
        if not len(due):
            return
        if p["adaptation"] == "imitation":
            self._imitate(due)
        else:
            self._reinforce(due)

    def _imitate(self, due: np.ndarray) -> None:
        """Pairwise comparison: copy a random peer's strategy with the Fermi probability of the
        profit gap; with ``mutation_rate``, try a random strategy of the space instead."""
        p, recent = self.params, self.recent_profit
        peer = self.peers.random_peers(due, 1, self.rng)[:, 0]
        safe = np.maximum(peer, 0)
        valid = (peer >= 0) & self.smb_active[safe] & ~self.is_focal[safe] & ~np.isnan(recent[safe])
        chance = fermi_probability(recent[due], recent[safe], p["imitation_strength"])
        copy = valid & (self.rng.random(len(due)) < chance)
        mutate = self.rng.random(len(due)) < p["mutation_rate"]
        copy &= ~mutate
        mutants = due[mutate]
        fresh = self.strategy_space.values(self.rng.integers(0, self.strategy_space.size, len(mutants)))
        for field, lever in self.levers().items():
            lever[due[copy]] = lever[peer[copy]]
            lever[mutants] = fresh[field]

    def _reinforce(self, due: np.ndarray) -> None:
        """Experience-weighted attraction: update the attractions with the SMB's own recent profit
        and its peers' profits by strategy (forgone payoffs), then choose a strategy by logit."""
        p, space, recent = self.params, self.strategy_space, self.recent_profit
        levers = self.levers()
        own = space.index({field: lever[due] for field, lever in levers.items()})
        position = np.full(len(recent), -1)
        position[due] = np.arange(len(due))
        src = np.repeat(np.arange(len(self.peers.degree)), self.peers.degree)
        dst = self.peers.neighbours
        seen = (position[src] >= 0) & self.smb_active[dst] & ~self.is_focal[dst] & ~np.isnan(recent[dst])
        src, dst = src[seen], dst[seen]
        strategy = space.index({field: lever[dst] for field, lever in levers.items()})
        src, dst, strategy = src[strategy >= 0], dst[strategy >= 0], strategy[strategy >= 0]
        key = position[src] * space.size + strategy
        cells = len(due) * space.size
        total = np.bincount(key, weights=recent[dst], minlength=cells).reshape(len(due), space.size)
        count = np.bincount(key, minlength=cells).reshape(len(due), space.size)
        payoff = total / np.maximum(count, 1)
        observed = count > 0
        rows = np.arange(len(due))
        payoff[rows, own] = recent[due]
        observed[rows, own] = True
        self.attraction[due], self.experience[due] = ewa_update(
            self.attraction[due],
            self.experience[due],
            payoff,
            observed,
            own,
            phi=p["ewa_phi"],
            delta=p["ewa_delta"],
            rho=p["ewa_rho"],
        )
        choice = space.values(logit_choice(self.attraction[due], p["ewa_lambda"], self.rng.random(len(due))))
        for field, lever in levers.items():
            lever[due] = choice[field]

    # --- make or buy
    def assess_needs(self, due: np.ndarray | None = None) -> None:
        """SMBs whose review is due take the make-or-buy decision for each function."""
        p, f = self.params, self.functions
        if due is None:
            due = np.flatnonzero(self.smb_active & (self.next_review == self.month))
            self.next_review[due] += p["review_interval"]
        if not len(due):
            return
        smb = np.repeat(due, N_FUNCTIONS)
        fn = np.tile(np.arange(N_FUNCTIONS), len(due))
        current = self._current_sourcing(due)

        def rows(table):  # the due SMBs' six functions, in the order of (smb, fn)
            return table.take(due, axis=0).ravel()

        bought = rows(self.outsourced)
        has_contracts = current["filled"] > 0
        if self.slot_count is not None:
            share = np.maximum(current["filled"], 1e-12) / self.slot_count
        else:
            share = np.maximum(current["share"], 1e-12)
        quote, market_quality = self._market_quote(smb, fn)
        quality = np.where(has_contracts, current["belief"], market_quality)
        kind = self.contract_kind[smb]
        # the incumbents and the market priced alike: the fee without hold-up (which the rules
        # anticipate from the first renewal on) times the bill expected at the believed quality
        list_price = np.where(has_contracts, current["market_fee"] / share, quote)
        price = list_price * expected_bill_factor(
            term_arrays(kind), quality, p["sla_threshold"], p["bill_floor"]
        )
        trust = np.where(has_contracts, current["trust"], 0.0)
        transition = transition_cost(
            p["switching_cost"], rows(f.inhouse_cost), rows(f.specificity), 1.0, p["transition_base"]
        )
        screening = (
            self.diligence[smb] * p["due_diligence_cost"] * (p["shortlist_size"] + p["referral_count"])
        )
        trust_value = self._trust_value(price, trust, smb, fn)
        gap_value = self._capability_gap_value(smb, fn, quality, 1.0)
        holdup = holdup_raise(
            rows(f.specificity),
            switching_cost(transition, trust_value, gap_value),
            p["holdup_share"],
            p["contract_duration"],
        )
        inputs = ReviewInputs(
            inhouse_cost=rows(f.inhouse_cost),
            capability=rows(f.capability),
            importance=rows(f.importance),
            specificity=rows(f.specificity),
            uncertainty=rows(f.uncertainty),
            frequency=rows(f.frequency),
            price=price,
            vendor_quality=quality,
            relational_capital=trust,
            monitoring_rate=self.monitoring[smb]
            * p["monitoring_cost_rate"]
            * governance_relief(trust, p["trust_relief"]),
            bought=bought,
            switch_in=transition + screening,
            switch_out=transition + np.where(has_contracts, p["exit_fee_months"] * price * share, 0.0),
            holdup=holdup,
            haggling=haggling_cost(p["haggling_cost_rate"], rows(f.specificity), rows(f.uncertainty), price),
            management=self._management_cost(smb) * self.slots[smb],
        )
        rule = self.rule[smb]
        if (rule == rule[0]).all():  # one rule for all (a market without a mix): no subsets to take
            buy = decide(DECISION_RULES_BY_CODE[int(rule[0])], inputs, p)
        else:  # rows grouped by rule once, so that each rule reads a slice (a view), not a copy
            order = np.argsort(rule, kind="stable")
            grouped = _subset(inputs, order)
            bounds = np.searchsorted(rule[order], np.arange(len(DECISION_RULES) + 1))
            buy = np.empty(len(smb), dtype=bool)
            for code, name in enumerate(DECISION_RULES):
                mine = slice(bounds[code], bounds[code + 1])
                if mine.start < mine.stop:
                    buy[order[mine]] = decide(name, _subset(grouped, mine), p)
        decided = rows(self.make_or_buy)  # what focal firms' owners decided by hand
        if (decided >= 0).any():
            buy = np.where(decided >= 0, decided == 1, buy)
        self._bring_in_house(smb[bought & ~buy], fn[bought & ~buy])
        adopt = ~bought & buy
        self.outsourced[smb[adopt], fn[adopt]] = True
        self.resource_due[smb[adopt], fn[adopt]] = self.month

    def _bring_in_house(self, smb: np.ndarray, fn: np.ndarray) -> None:
        """Back-source: end the rows' contracts early (exit fee) and pay the transition cost."""
        if not len(smb):
            return
        c, p = self.contracts, self.params
        self.outsourced[smb, fn] = False
        self.resource_due[smb, fn] = NEVER
        self._made_again(smb, fn)
        act = c.active_index()
        rows = np.zeros(self.outsourced.size, dtype=bool)
        rows[smb * N_FUNCTIONS + fn] = True
        ending = act[rows[self._rows_of(act)]]
        self._transfer(c.smb[ending], c.vendor[ending], p["exit_fee_months"] * c.fee[ending])
        self._end(ending, "brought_in_house")
        cost = transition_cost(
            p["switching_cost"],
            _cell(self.functions.inhouse_cost, smb, fn),
            _cell(self.functions.specificity, smb, fn),
            1.0,
            p["transition_base"],
        )
        self._spend(smb, cost, outsourcing=True)

    def _made_again(self, smb: np.ndarray, fn: np.ndarray) -> None:
        """Record functions going back in-house: a function a vendor served since it was last
        outsourced counts as brought back, with a contract still in force (back-sourcing at a
        review) or without one (its vendor gone, and the review or the market leaves it in-house)."""
        served = self.vendor_served[smb, fn]
        self.ever_brought_back[smb[served]] = True
        self.vendor_served[smb, fn] = False

    # --- search, screening and selection
    def source_vendors(self) -> None:
        """Fill missing vendor slots of outsourced functions: shortlist (market and referrals),
        screen, believe, rank, sign."""
        p, vp = self.params, self.vendors
        in_force = self._rows_of(self.contracts.active_index())  # the row each contract in force serves
        filled = self._filled(in_force)
        need = self.outsourced & (filled < self.slots[:, None]) & (self.resource_due <= self.month)
        need &= self.smb_active[:, None]
        if self.slot_count is None:  # rows still served under a sourcing policy left behind wait
            need &= ~self._left_policy_rows()
        smb, fn = np.nonzero(need)
        self.unmet_demand = 0.0
        if not len(smb):
            return
        offering = [np.flatnonzero(vp.alive & vp.offers[:, j]) for j in range(N_FUNCTIONS)]
        peers, referred = self._referrals(smb, fn)
        preferred = _cell(self.preferred_vendor, smb, fn)
        choosing = (preferred >= 0).any()
        listed = np.concatenate([preferred[:, None], referred], axis=1) if choosing else referred
        shortlist = draw_shortlist(fn, listed, offering, p["shortlist_size"], self.rng)
        cand = np.maximum(shortlist, 0)
        signal_noise = self.rng.standard_normal(cand.shape)
        usable = (
            (shortlist >= 0)
            & vp.alive[cand]
            & _cell(vp.offers, cand, fn[:, None])
            & ~self._serving(smb, fn, cand, in_force)
        )
        # what the SMB knows: screening (once per vendor), its own history, its peers' reports
        known = np.where(usable, self.pairs.find(smb[:, None], cand), -1)
        usable &= ~((known >= 0) & (self.pairs.banned_until[np.maximum(known, 0)] > self.month))
        pair = np.full(cand.shape, -1, dtype=np.int64)
        pair[usable] = self.pairs.ensure(smb[np.nonzero(usable)[0]], cand[usable])
        self._screen(smb, pair, cand, signal_noise)
        belief = self._belief(smb, pair, cand, peers)
        # the offer: fee by contract type, expected bill at the believed quality; vendors decline
        # offers whose expected bill at their true quality does not cover their cost
        kind = self.contract_kind[smb][:, None]
        terms = term_arrays(kind)
        slots = self.slots[smb]
        fee = (
            vp.price[cand]
            * self._fee_factor(kind, _cell(self.functions.uncertainty, smb, fn)[:, None], slots[:, None])
            / slots[:, None]
        )
        true_delivered = vp.true_quality[cand] * (1.0 - vp.friction[cand])
        usable &= (
            fee * expected_bill_factor(terms, true_delivered, p["sla_threshold"], p["bill_floor"])
            >= vp.unit_cost[cand] / slots[:, None]
        )
        trust = self._trust(pair)
        value_of_quality = self._value_of_quality(smb, fn) / slots
        governance = transaction_cost_rate(
            *(
                _cell(a, smb, fn)[:, None]
                for a in (self.functions.specificity, self.functions.uncertainty, self.functions.frequency)
            ),
            trust,
            p["transaction_cost_rate"],
            p,
        ) + self.monitoring[smb][:, None] * p["monitoring_cost_rate"] * governance_relief(
            trust, p["trust_relief"]
        )
        expected_fee = fee * expected_bill_factor(terms, belief.mean, p["sla_threshold"], p["bill_floor"])
        # a vendor that cannot meet the SLA is lost to strikes within sla_breach_limit months:
        # the transition is wasted and output is lost until the row is re-sourced
        transition = transition_cost(
            p["switching_cost"],
            _cell(self.functions.inhouse_cost, smb, fn),
            _cell(self.functions.specificity, smb, fn),
            1 / slots,
            p["transition_base"],
        )
        breakdown = transition + p["resourcing_delay"] * value_of_quality * p["sla_threshold"]
        risk = chance_below(belief, p["sla_threshold"]) * (breakdown / p["sla_breach_limit"])[:, None]
        value = value_of_quality[:, None] * belief.mean - expected_fee * (1.0 + governance) - risk
        ranked = rank_candidates(shortlist, usable, value)
        if choosing:  # an owner's chosen vendor is approached first, if it is usable
            ranked = _put_first(ranked, preferred)
        self._sign_best(smb, fn, ranked, referred, _cell(filled, smb, fn))

    def _referrals(self, smb: np.ndarray, fn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The peers each row asks, and the vendor each recommends for the function (-1: none).

        A peer recommends the vendor of its own experience that it rates best for the function
        (mean measured quality), if that meets the SLA level and the vendor is still in the market.
        """
        p = self.params
        rows = len(smb)
        asking = self.referral[smb] > 0  # an SMB that gives peers' experience no weight asks nobody
        if p["referral_count"] <= 0 or not asking.any():
            empty = np.full((rows, 0), -1, dtype=np.int64)
            return empty, empty
        peers = self.peers.random_peers(smb, p["referral_count"], self.rng)
        peers = np.where((peers >= 0) & self.smb_active[np.maximum(peers, 0)] & asking[:, None], peers, -1)
        referred = np.full(peers.shape, -1, dtype=np.int64)
        asked = np.flatnonzero(peers.ravel() >= 0)
        if not len(asked):
            return peers, referred
        start, end = self.pairs.runs(peers.ravel()[asked])
        lengths = end - start
        owner = np.repeat(np.arange(len(asked)), lengths)
        position = (
            np.arange(lengths.sum())
            - np.repeat(np.cumsum(lengths) - lengths, lengths)
            + np.repeat(start, lengths)
        )
        pair = self.pairs.index_rows[position]
        vendor = self.pairs.vendor[pair]
        # the peer's own measurements; fading scales both alike, so it cancels in the mean
        info, precision = self.pairs.obs_info[pair], self.pairs.obs_precision[pair]
        rating = np.divide(info, precision, out=np.full(len(pair), -np.inf), where=precision > 0)
        function = np.repeat(fn, peers.shape[1])[asked][owner]
        eligible = self.vendors.alive[vendor] & _cell(self.vendors.offers, vendor, function)
        eligible &= rating >= p["sla_threshold"]
        if not eligible.any():
            return peers, referred
        owner, vendor, rating = owner[eligible], vendor[eligible], rating[eligible]
        order = np.lexsort((-rating, owner))
        first = np.concatenate([[True], owner[order][1:] != owner[order][:-1]])
        best = order[first]
        flat = referred.ravel()
        flat[asked[owner[best]]] = vendor[best]
        return peers, flat.reshape(peers.shape)

    def _screen(self, smb, pair, cand, noise) -> None:
        """Screen the candidates the SMB has never screened; pay once for each.

        A vendor can be on an SMB's shortlists for two functions in one month: it is screened,
        and paid for, once (the first shortlist's signal)."""
        p, vp = self.params, self.vendors
        new = (pair >= 0) & (self.pairs.screen_precision[np.maximum(pair, 0)] == 0)
        if not new.any():
            return
        _, first = np.unique(pair[new], return_index=True)
        where = np.flatnonzero(new.ravel())[np.sort(first)]
        new = np.zeros(new.size, dtype=bool)
        new[where] = True
        new = new.reshape(pair.shape)
        rows, k = pair[new], cand[new]
        screened = smb[np.nonzero(new)[0]]
        diligence = self.diligence[screened]
        signal = quality_signal(
            vp.true_quality[k],
            vp.is_lemon[k],
            noise[new],
            lemon_overstatement=p["lemon_overstatement"],
            due_diligence=diligence,
            signal_noise=p["signal_noise"],
        )
        value, precision, bias = screening_evidence(
            signal,
            vp.friction[k],
            due_diligence=diligence,
            signal_noise=p["signal_noise"],
            lemon_overstatement=p["lemon_overstatement"],
            min_variance=p["min_evidence_variance"],
        )
        self.pairs.screen_value[rows] = value
        self.pairs.screen_precision[rows] = precision
        self.pairs.screen_bias[rows] = bias
        self._spend(screened, diligence * p["due_diligence_cost"], outsourcing=True)

    def _belief(self, smb, pair, cand, peers):
        """Posterior belief of each row's SMB about each candidate: screening, own history and the
        asked peers' reports (weighted by ``referral_weight``)."""
        known = pair >= 0
        safe = np.maximum(pair, 0)
        screening = (
            np.where(known, self.pairs.screen_value[safe], 0.0),
            np.where(known, self.pairs.screen_precision[safe], 0.0),
            np.where(known, self.pairs.screen_bias[safe], 0.0),
        )
        own = self.pairs.observation(pair, self.month)
        heard_info = np.zeros(cand.shape)
        heard_precision = np.zeros(cand.shape)
        w = self.referral[smb][:, None]
        # each asked peer's own evidence on each candidate: rows x peers x candidates
        peer_pair = np.where(
            (peers >= 0)[:, :, None], self.pairs.find(np.maximum(peers, 0)[:, :, None], cand[:, None, :]), -1
        )
        info, precision = self.pairs.observation(peer_pair, self.month)
        for r in range(peers.shape[1]):
            heard_info += w * info[:, r]
            heard_precision += w * precision[:, r]
        prior = type_prior(self.params["lemon_share"], self.vendors.friction[cand], self.params)
        return posterior(prior, screening, own, (heard_info, heard_precision))

    def _own_belief(self, pair, vendor):
        """Belief from the SMB's own evidence only (screening and history), for given pairs."""
        screening = (
            self.pairs.screen_value[pair],
            self.pairs.screen_precision[pair],
            self.pairs.screen_bias[pair],
        )
        own = self.pairs.observation(pair, self.month)
        none = (np.zeros(len(pair)), np.zeros(len(pair)))
        return posterior(
            type_prior(self.params["lemon_share"], self.vendors.friction[vendor], self.params),
            screening,
            own,
            none,
        )

    def _sign_best(self, smb, fn, ranked, referred, filled) -> None:
        """Sign with the best-ranked candidates that have capacity, in rounds.

        In each round every row still missing vendors approaches the next candidate on its
        ranking; a vendor short of capacity takes the rows in a random order of precedence drawn
        for the month (so scarce capacity favours no SMB), and the rows it turns away try their
        next candidate in the following round.
        """
        p, vp, c = self.params, self.vendors, self.contracts
        slots = self.slots[smb]
        missing = slots - filled
        # capacity is counted in whole functions; a contract takes its share (1 / slots) of it,
        # counted here in units of the smallest share in use
        scale = self.slot_count if self.slot_count is not None else int(np.lcm.reduce(np.unique(slots)))
        units = scale // slots
        free = np.floor((vp.capacity - self._load()) * scale + 1e-9).astype(np.int64)
        precedence = self.rng.permutation(len(smb))
        chosen_rows, chosen_vendors = [], []
        for column in range(ranked.shape[1]):
            waiting = missing > 0
            if not waiting.any():
                break
            rows = np.flatnonzero(waiting & (ranked[:, column] >= 0))
            if not len(rows):
                continue
            vendor = ranked[rows, column]
            order = np.lexsort((precedence[rows], vendor))
            rows, vendor = rows[order], vendor[order]
            first = np.empty(len(rows), dtype=bool)  # first row in each vendor's queue
            first[0] = True
            np.not_equal(vendor[1:], vendor[:-1], out=first[1:])
            if self.slot_count is not None:
                position = np.arange(len(rows))
                queue = position - np.maximum.accumulate(np.where(first, position, 0))
                taken = queue < free[vendor]
            else:  # shares of different sizes: take the queue while the units fit
                used = np.cumsum(units[rows])
                before = np.maximum.accumulate(np.where(first, used - units[rows], 0))  # ahead of the queue
                taken = used - before <= free[vendor]
            rows, vendor = rows[taken], vendor[taken]
            free -= np.bincount(vendor, weights=units[rows], minlength=self.places).astype(np.int64)
            missing[rows] -= 1
            chosen_rows.append(rows)
            chosen_vendors.append(vendor)
        done = missing == 0
        none = missing == slots  # nobody to buy from: the function stays (or goes back) in-house
        self.resource_due[smb[done], fn[done]] = NEVER
        self.outsourced[smb[none], fn[none]] = False
        self.resource_due[smb[none], fn[none]] = NEVER
        self._made_again(smb[none], fn[none])
        partly = ~done & ~none
        self.resource_due[smb[partly], fn[partly]] = self.month + 1  # search again next month
        if self.slot_count is not None:
            self.unmet_demand = int(missing.sum()) / self.slot_count  # in whole functions
        else:
            self.unmet_demand = float((missing / slots).sum())
        rows, v = (
            np.concatenate(chosen_rows or [np.zeros(0, np.int64)]),
            np.concatenate(chosen_vendors or [np.zeros(0, np.int64)]),
        )
        if not len(rows):
            return
        s, j = smb[rows], fn[rows]
        slots = self.slots[s]
        kind = self.contract_kind[s]
        pair = self.pairs.ensure(s, v)
        was_referred = (
            (referred[rows] == v[:, None]).any(axis=1) if referred.shape[1] else np.zeros(len(s), bool)
        )
        fired = self.pairs.fired_month[pair]
        self.flows["rehired_fired_vendor"] += int(
            ((fired >= 0) & (self.month - fired < p["blacklist_months"])).sum()
        )
        c.sign(
            smb=s,
            function=j,
            vendor=v,
            pair=pair,
            kind=kind,
            share=1 / slots,
            fee=vp.price[v]
            * self._fee_factor(kind, _cell(self.functions.uncertainty, s, j), self.slots[s])
            / self.slots[s],
            start=np.full(len(s), self.month),
            end=np.full(len(s), self.month + p["contract_duration"]),
            referred=was_referred,
        )
        vp.signings += np.bincount(v, minlength=self.places)
        vp.referred_signings += np.bincount(v, weights=was_referred, minlength=self.places).astype(np.int64)
        self.flows["signings"] += len(s)
        self.flows["lemon_signings"] += int(vp.is_lemon[v].sum())
        self.flows["referred_signings"] += int(was_referred.sum())
        self.ever_bought[s] = True
        self.vendor_served[s, j] = True
        cost = transition_cost(
            p["switching_cost"],
            _cell(self.functions.inhouse_cost, s, j),
            _cell(self.functions.specificity, s, j),
            1 / self.slots[s],
            p["transition_base"],
        )
        self._spend(s, cost, outsourcing=True)

    # --- moral hazard, delivery, monitoring, payment
    def deliver_services(self) -> None:
        """Each vendor chooses effort (and, billing hours, honesty) on each contract, delivers, is
        measured, maybe caught, billed and paid; the SMB learns from what it measures."""
        p, c, vp, f = self.params, self.contracts, self.vendors, self.functions
        act = c.active_index()
        self._delivery, self._delivery_columns = act, {}
        self._failed = np.zeros(len(act), dtype=bool)
        if not len(act):
            return
        smb, fn, v = self._delivered("smb"), self._delivered("function"), self._delivered("vendor")
        fee, share = c.fee[act], self._delivered("share")
        row = smb * N_FUNCTIONS + fn
        terms = term_arrays(c.kind[act])
        k, d = len(act), detection_chance(self.monitoring[smb], p["detection_accuracy"])
        # the vendor's calculus (see moral_hazard); what depends on the vendor only is computed per vendor
        noise = float(np.hypot(p["delivery_noise"], p["measurement_noise"]))
        working_v = vp.true_quality * (1.0 - vp.friction)
        slacking_v = working_v * (1.0 - p["shirk_quality_loss"])
        breach_v = breach_probability(working_v, p["sla_threshold"], noise)
        clean_v = 1.0 - breach_probability(slacking_v, p["sla_threshold"], noise)
        working, slacking = working_v[v], slacking_v[v]
        strike_if_working, strike_if_shirking = breach_v[v], 1.0 - (1.0 - d) * clean_v[v]
        cost = vp.unit_cost[v] * share
        bill_working = expected_bill_factor(terms, working, p["sla_threshold"], p["bill_floor"])
        margin = np.maximum(fee * bill_working - cost, 0.0)
        months_left = np.maximum(c.end[act] - self.month, 0)
        rest, renew, new = relationship_values(
            margin,
            vp.patience,
            months_left,
            self._clean_powers(1.0 - breach_v, v, months_left),  # (1 - strike_if_working) ** months_left
            p["contract_duration"],
            p["renewal_belief"],
            of=v,
            discount=self._patience_powers(vp.patience, v, months_left),
        )
        referral_value = (self._referral_weight() * vp.referred_signings / np.maximum(vp.signings, 1))[v]
        stake = strike_stake(
            rest,
            renew,
            new,
            c.term_strikes[act] == 0,
            c.strikes[act] + 1 >= p["sla_breach_limit"],
            referral_value,
        )
        penalty = terms["penalty_rate"] * fee
        saving = np.minimum(
            cost,
            p["shirk_saving"]
            * cost
            * self.rng.lognormal(-0.5 * p["temptation_spread"] ** 2, p["temptation_spread"], k),
        )
        shirking = shirks(
            saving,
            detection=d,
            penalty=penalty,
            pay_loss=fee
            * (bill_working - expected_bill_factor(terms, slacking, p["sla_threshold"], p["bill_floor"])),
            strike_rise=np.maximum(strike_if_shirking - strike_if_working, 0.0),
            stake=stake,
        )
        if len(self.focal_indices):
            suffered = np.bincount(smb, weights=shirking, minlength=len(self.cash))
            self.focal_shirked += suffered[self.focal_indices].astype(np.int64)
        extra_hours = p["overbilling_share"] * fee
        overbilling = terms["billed_hours"] & overbills(
            extra_hours, detection=d, penalty=penalty, stake=stake
        )
        # delivery, measurement, audit
        quality = delivered_quality(
            vp.true_quality[v],
            vp.friction[v],
            shirking,
            p["shirk_quality_loss"],
            self.rng.normal(0.0, p["delivery_noise"], k),
        )
        measured = np.minimum(np.maximum(quality + self.rng.normal(0.0, p["measurement_noise"], k), 0.0), 1.0)
        audited = self.rng.random(k) < d
        caught = (shirking | overbilling) & audited
        uncertainty = f.uncertainty.ravel()[row]
        bill = monthly_bill(
            fee,
            terms,
            uncertainty,
            measured,
            p["sla_threshold"],
            self.rng.standard_normal(k),
            p["bill_floor"],
        )
        paid = bill + overbilling * extra_hours * ~caught - caught * penalty
        self._transfer(smb, v, paid)
        holdup = c.holdup[act]
        self._book_holdup(smb, v, holdup)
        self.flows["vendor_costs"] += _sum_by(v, cost - shirking * saving, self.places)
        pair = self._delivered("pair")
        trust = self._delivery_trust = self._trust(pair)
        monitoring = (
            self.monitoring[smb]
            * p["monitoring_cost_rate"]
            * fee
            * governance_relief(trust, p["trust_relief"])
        )
        governance = fee * transaction_cost_rate(
            f.specificity.ravel()[row],
            uncertainty,
            f.frequency.ravel()[row],
            trust,
            p["transaction_cost_rate"],
            p,
        )
        self._spend(smb, monitoring + governance + self._management_cost(smb), outsourcing=True)
        # strikes and what the SMB learns
        strike = (measured < p["sla_threshold"]) | caught
        c.strikes[act] = np.where(strike, c.strikes[act] + 1, 0)
        c.term_strikes[act] += strike
        self.pairs.observe(pair, measured, 1.0 / noise**2, self.month)
        delivered_to = np.bincount(v, minlength=self.places)
        mean_measured = np.bincount(v, weights=measured, minlength=self.places) / np.maximum(delivered_to, 1)
        vp.reputation = np.where(
            delivered_to > 0,
            np.where(
                np.isnan(vp.reputation), mean_measured, smooth(vp.reputation, mean_measured, p["smoothing"])
            ),
            vp.reputation,
        )
        self._failed = strike
        delivered = self._per_row(row, share)
        # vendors still serving a row cover for missing co-suppliers, at their own quality
        covered = covered_share(delivered, p["surge_capacity"])
        scale = covered / np.maximum(delivered, np.finfo(float).tiny)  # 0 where nothing was delivered
        self.row_quality = self._per_row(row, share * quality) * scale
        self.row_delivered_share = covered
        self.flows.update(
            shirking=int(shirking.sum()),
            caught=int(caught.sum()),
            deliveries=k,
            delivered_quality=float(quality.mean()),
            overbilling=float((overbilling * ~caught * extra_hours).sum()),
            holdup_transfer=float(holdup.sum()),
        )

    # --- breaches and IP leakage
    def suffer_security_incidents(self) -> None:
        """Vendors with weak security leak their clients' data (and sometimes their IP)."""
        p, c, vp, f = self.params, self.contracts, self.vendors, self.functions
        act = self._delivery
        if not len(act):
            return
        security = vp.security[self._delivered("vendor")]
        hit = self.rng.random(len(act)) < breach_chance(p["breach_rate"], security)
        leak_draw = self.rng.random(len(act))  # drawn for every delivery; it matters where a breach hit
        if hit.any():
            breached = act[hit]
            smb, specificity = c.smb[breached], f.specificity[c.smb[breached], c.function[breached]]
            leak = leak_draw[hit] < ip_leak_chance(specificity)
            self._spend(
                smb, breach_damage(p["breach_cost"], specificity, c.share[breached], p["breach_scale"])
            )
            np.multiply.at(self.core_performance, smb[leak], 1 - p["ip_leak_loss"])
        self._failed |= hit
        self.flows["breaches"] = int(hit.sum())

    # --- trust
    def update_relational_capital(self) -> None:
        """Good deliveries build trust slowly, failures destroy it fast, idle ties fade.

        Idle ties fade by ``trust_decay`` a month; the fading is applied when their trust is
        read (:meth:`PairBook.trust_at`), so only ties with deliveries are touched here.
        """
        p, pairs = self.params, self.pairs
        self._trust_updated = True
        pair = self._delivered("pair")
        if not len(pair):
            return
        rows = pairs.distinct(pair)  # the ties with deliveries this month
        position = np.empty(len(pairs), dtype=np.int64)
        position[rows] = np.arange(len(rows))
        tie = position[pair]  # each delivery's tie
        bad = np.bincount(tie[self._failed], minlength=len(rows))
        good = np.bincount(tie, minlength=len(rows)) - bad
        before = np.empty(len(rows))
        before[tie] = self._delivery_trust  # each tie's trust as its deliveries found it
        after = update_trust(before, good, bad, p["trust_gain"], p["trust_loss"])
        pairs.trust[rows] = after
        pairs.trust_month[rows] = self.month
        self._delivery_trust = after[tie]

    # --- innovation
    def innovate(self) -> None:
        """Relationships and in-house functions yield innovations that lift core performance."""
        p, vp, f = self.params, self.vendors, self.functions
        smb = self._delivered("smb")
        odds = collaborative_innovation_odds(
            p["innovation_rate"],
            self._delivery_trust,
            vp.true_quality[self._delivered("vendor")],
            _cell(f.capability, smb, self._delivered("function")),
            self._delivered("share"),
        )
        joint = smb[self.rng.random(len(smb)) < odds]
        inhouse_rows = ~self.outsourced & self.smb_active[:, None]
        inhouse = self.rng.random(inhouse_rows.shape) < inhouse_innovation_odds(
            p["innovation_rate"], f.capability, p["inhouse_innovation_factor"]
        )
        own = np.nonzero(inhouse & inhouse_rows)[0]
        winners = np.concatenate([joint, own])
        np.multiply.at(self.core_performance, winners, 1 + p["innovation_value"])
        self.flows.update(innovations=len(winners), collaborative_innovations=len(joint))
        self.cumulative_innovations += len(winners)

    # --- SLA enforcement
    def end_poor_performers(self) -> None:
        """Terminate contracts with ``sla_breach_limit`` strikes in a row; the SMB will not re-hire
        the vendor for ``blacklist_months``; re-source after a delay."""
        c = self.contracts
        act = c.active_index()
        poor = act[c.strikes[act] >= self.params["sla_breach_limit"]]
        self._ban(c.pair[poor])
        self._end(poor, "poor_performance")
        self._lose_slots(poor)

    # --- capabilities
    def develop_capabilities(self) -> None:
        """Outsourced skills erode, kept ones grow; outsourcing frees attention for the core."""
        p, f = self.params, self.functions
        f.capability = develop_capability(
            f.capability, self.outsourced, p["capability_decay"], p["capability_learning"]
        )
        self.core_performance *= core_focus_growth(function_share(self.outsourced), p["core_focus_gain"])

    # --- vendors' accounts, prices and capacity
    def settle_vendor_accounts(self) -> None:
        """Vendors book income and costs; markups follow load and reputation; capacity follows
        demand each quarter; months of negative cash are counted."""
        p, vp = self.params, self.vendors
        alive = vp.alive
        fixed = np.where(alive, vp.fixed_cost(p["fixed_cost_share"]), 0.0)
        self.flows["vendor_costs"] += fixed
        profit = self.flows["vendor_income"] - self.flows["vendor_costs"]
        vp.cash += np.where(alive, profit, 0.0)
        self.ledger["vendor_costs"] += self.flows["vendor_costs"]
        self.flows["vendor_profit"] = profit
        load = self._load()
        use = load / np.maximum(vp.capacity, 1)
        vp.utilisation = np.where(alive, smooth(vp.utilisation, use, p["smoothing"]), 0.0)
        vp.profit_trend = np.where(alive, smooth(vp.profit_trend, profit, p["smoothing"]), 0.0)
        rated = alive & ~np.isnan(vp.reputation)
        gap = np.where(rated, vp.reputation - (vp.reputation[rated].mean() if rated.any() else 0.0), 0.0)
        vp.markup = np.where(alive, adjust_markup(vp.markup, use, gap, p), vp.markup)
        if self.month % p["capacity_review_interval"] == 0:
            vp.capacity = np.where(
                alive, adjust_capacity(vp.capacity, load, vp.utilisation, vp.profit_trend, p), vp.capacity
            )
        vp.loss_months = np.where(alive & (vp.cash < 0), vp.loss_months + 1, 0)

    # --- vendor failure and exit
    def fail_vendors(self) -> None:
        """Vendors fail at random (weak and loss-making ones first) or leave after sustained losses."""
        p, vp = self.params, self.vendors
        hazard = failure_hazard(
            p["vendor_failure_rate"],
            vp.stability,
            vp.cash < 0,
            scale=p["hazard_scale"],
            distress_increase=p["distress_hazard_increase"],
        )
        failed = vp.alive & (self.rng.random(self.places) < hazard)
        insolvent = vp.alive & ~failed & (vp.loss_months >= p["vendor_exit_patience"])
        leaving = failed | insolvent
        self.flows["vendor_failures"] = int(failed.sum())
        self.flows["vendor_exits"] = int(leaving.sum())
        if not leaving.any():
            return
        c = self.contracts
        act = c.active_index()
        ending = act[leaving[c.vendor[act]]]
        self._end(ending, "vendor_exit")
        self._lose_slots(ending)
        vp.alive &= ~leaving
        preferred = self.preferred_vendor
        if (preferred >= 0).any():  # an owner's chosen vendor that leaves is gone for good
            preferred[leaving[np.maximum(preferred, 0)]] = -1
        self.pairs.retire_vendors(leaving)
        self.ledger["vendor_cash_out"] += np.where(leaving, vp.cash, 0.0)
        vp.cash = np.where(leaving, 0.0, vp.cash)
        for place in np.flatnonzero(leaving):
            self.vendor_agents[place].remove()
            self.vendor_agents[place] = None

    # --- the SMBs' accounts
    def settle_accounts(self) -> None:
        """Revenue (performance against the market's) minus costs (functions, core operations,
        buying); SMBs whose cash stays negative exit."""
        p, f = self.params, self.functions
        active = self.smb_active
        quality = np.where(self.outsourced, self.row_quality, f.capability)
        missing = self.outsourced * np.minimum(np.maximum(1.0 - self.row_delivered_share, 0.0), 1.0)
        offered = performance(self.core_performance, self.weights, quality, p["function_weight"])
        self.market_performance = float(offered[active].mean()) if active.any() else self.market_performance
        revenue = monthly_revenue(p["base_revenue"], offered, self.market_performance)
        lost = lost_output_value(
            p["base_revenue"],
            self.core_performance,
            self.weights,
            missing,
            p["sla_threshold"],
            self.market_performance,
            p["function_weight"],
        )
        scale = self.core_performance / (self.core_performance[active].mean() if active.any() else 1.0)
        self.cost += function_sum(self.make_cost * ~self.outsourced)
        self.cost += core_cost(p["base_revenue"], scale, self.core_cost_factor)
        self.revenue = np.where(active, revenue, 0.0)
        self.profit = np.where(active, revenue - self.cost, 0.0)
        self.cash += self.profit
        payout = np.maximum(self.cash - p["cash_buffer_months"] * self.revenue, 0.0)  # owners draw the excess
        self.cash -= payout
        self.ledger["smb_payout"] += payout
        self.ledger["smb_revenue"] += self.revenue
        self.ledger["smb_spending"] += np.where(active, self.cost, 0.0)
        self.negative_months = np.where(active & (self.cash < 0), self.negative_months + 1, 0)
        self.flows["disruption_loss"] = float(lost[active].sum())
        self._record_lost_output(lost, active)
        if p["adaptation"] != "none":
            self.recent_profit = np.where(
                active, smooth_profit(self.recent_profit, self.profit, p["review_interval"]), np.nan
            )
        focal = self.focal_indices
        if len(focal):
            self.focal_disruptions += active[focal] & missing[focal].any(axis=1)
            self.focal_months_lost += np.where(active[focal], self._months_lost(lost, focal), 0.0)
            self.focal_total_profit += self.profit[focal]
        exiting = active & (self.negative_months >= p["exit_patience"])
        self.flows["smb_exits"] = int(exiting.sum())
        if exiting.any():
            self._exit_smbs(exiting)

    def _months_lost(self, lost: np.ndarray, smb) -> np.ndarray:
        """Lost output as a share of the month's output (revenue earned plus revenue lost): the
        months of output an SMB lost this month."""
        whole = self.revenue[smb] + lost[smb]
        return np.divide(lost[smb], whole, out=np.zeros_like(whole, dtype=float), where=whole > 0)

    def _record_lost_output(self, lost: np.ndarray, active: np.ndarray) -> None:
        """The month's lost output per SMB, for the per-firm reporters (no effect on the run)."""
        settled = np.flatnonzero(active)
        self.flows["settled_smbs"] = len(settled)
        self.flows["output_months_lost"] = float(self._months_lost(lost, settled).sum())
        if self.focal_index is not None and active[self.focal_index]:
            self.flows["focal_disruption_loss"] = float(lost[self.focal_index])

    def _exit_smbs(self, exiting: np.ndarray) -> None:
        c = self.contracts
        act = c.active_index()
        self._end(act[exiting[c.smb[act]]], "smb_exit")
        self.smb_active &= ~exiting
        self.outsourced[exiting] = False
        self.resource_due[exiting] = NEVER
        self.vendor_served[exiting] = False
        self.pairs.retire_smbs(np.flatnonzero(exiting))
        self.ledger["smb_cash_out"] += np.where(exiting, self.cash, 0.0)
        self.cash = np.where(exiting, 0.0, self.cash)
        for smb in np.flatnonzero(exiting):
            self.smb_agents[smb].remove()

    # --- market entry
    def enter_smbs(self) -> None:
        """A new SMB takes the place of an exited one with chance ``smb_entry_rate`` a month."""
        p = self.params
        empty = np.flatnonzero(~self.smb_active & ~self.is_focal)  # the focal firm is not replaced
        entering = empty[self.rng.random(len(empty)) < p["smb_entry_rate"]]
        self.flows["smb_entries"] = len(entering)
        if not len(entering):
            return
        k = len(entering)
        fresh = draw_function_profiles(self.rng, k, p)
        for name in vars(fresh):
            getattr(self.functions, name)[entering] = getattr(fresh, name)
        self.weights[entering] = function_weights(fresh.importance)
        self._enter_strategies(entering)
        self.core_cost_factor[entering] = p["core_cost_share"] * self.rng.lognormal(
            0.0, p["core_cost_spread"], k
        )
        self.smb_size[entering] = self._draw_sizes(k)
        self._scale_inhouse_cost(entering)
        f = self.functions
        self.make_cost[entering] = make_cost(
            f.inhouse_cost[entering],
            f.frequency[entering],
            p["governance_cost_rate"],
            p["make_overhead_base"],
        )
        self.smb_active[entering] = True
        self.cohort[entering] = False
        for history in (self.ever_bought, self.ever_brought_back, self.ever_ended_early):
            history[entering] = False
        self.profit[entering] = 0.0  # this month's accounts were the exited SMB's
        self.revenue[entering] = 0.0
        self.cash[entering] = p["initial_cash"]
        self.ledger["smb_capital"][entering] += p["initial_cash"]
        self.negative_months[entering] = 0
        self.core_performance[entering] = 1.0
        self.next_review[entering] = self.month + 1
        for smb in entering.tolist():
            self.smb_agents[smb] = SMB(self, smb)

    def _draw_sizes(self, k: int) -> np.ndarray:
        """Relative sizes of ``k`` SMBs: log-normal around 1 with ``smb_size_spread`` (no draw at 0)."""
        spread = self.params["smb_size_spread"]
        return self.rng.lognormal(0.0, spread, k) if spread > 0 else np.ones(k)

    def _scale_inhouse_cost(self, smb: np.ndarray) -> None:
        """In-house economies of scale: the SMBs' in-house cost of every function times
        ``size ** -inhouse_scale_elasticity`` (unchanged at elasticity 0)."""
        elasticity = self.params["inhouse_scale_elasticity"]
        if elasticity > 0:
            self.functions.inhouse_cost[smb] *= self.smb_size[smb][:, None] ** -elasticity

    def _management_cost(self, smb: np.ndarray) -> np.ndarray:
        """Monthly cost of managing one vendor contract for each of ``smb``: fixed in money, so
        per unit bought it falls with the SMB's size."""
        return self.params["vendor_management_cost"] / self.smb_size[smb]

    def _enter_strategies(self, entering: np.ndarray) -> None:
        """Entrants' strategies: drawn from the initial mix, or (``entrant_strategy: current``)
        copied from random SMBs in business, the market's present mix."""
        p, k = self.params, len(entering)
        donors = np.flatnonzero(self.smb_active & ~self.is_focal)
        if p["entrant_strategy"] == "current" and len(donors):
            model = donors[self.rng.integers(0, len(donors), k)]
            for lever in self.levers().values():
                lever[entering] = lever[model]
        else:
            self.rule[entering] = _draw_choice(self.rng, k, p["decision_rule"], RULE_NAMES)
            self.contract_kind[entering] = _draw_choice(self.rng, k, p["contract_type"], CONTRACT_KINDS)
            for field in ("sourcing_policy", "due_diligence", "monitoring_intensity", "referral_weight"):
                getattr(self, _LEVERS[field])[entering] = self._draw_levels(field, k)
        self.initial_rule[entering] = self.rule[entering]
        self.recent_profit[entering] = np.nan
        if p["adaptation"] == "reinforcement":
            self.attraction[entering] = 0.0
            self.experience[entering] = 1.0

    def enter_vendors(self) -> None:
        """Entry attempts at empty market places (chance ``vendor_entry_rate`` each); an entrant
        comes in if it expects a profit at the market's utilisation, unmet demand included."""
        p, vp = self.params, self.vendors
        empty = np.flatnonzero(~vp.alive)
        trying = empty[self.rng.random(len(empty)) < p["vendor_entry_rate"]]
        if not len(trying):
            return
        fresh = draw_vendors(self.rng, len(trying), p, month=self.month)
        demand = self._load().sum() + self.unmet_demand
        capacity = vp.capacity[vp.alive].sum() + fresh.capacity
        expected = entry_profit(
            fresh.capacity,
            fresh.unit_cost,
            fresh.price,
            fresh.fixed_cost(p["fixed_cost_share"]),
            np.minimum(1.0, demand / capacity),
            p["newcomer_share"],
        )
        enters = expected > 0
        if not enters.any():
            return
        places = trying[enters]
        chosen = np.flatnonzero(enters)
        vp.replace(places, _take(fresh, chosen))
        for flow in ("vendor_income", "vendor_costs", "vendor_profit"):
            self.flows[flow][places] = 0.0  # this month's accounts were the previous occupant's
        self.ledger["vendor_capital"][places] += vp.cash[places]
        self.flows["vendor_entries"] = len(places)
        for place in places.tolist():
            self.vendor_agents[place] = Vendor(self, place)

    def _compact(self) -> None:
        """Bookkeeping only: drop ended contracts and pairs from the books."""
        self.contracts.compact()
        remap = self.pairs.compact()
        if remap is not None:
            c = self.contracts
            c.pair[: c.size] = np.where(c.active[: c.size], remap[c.pair[: c.size]], -1)

    # ------------------------------------------------------------------ helpers
    def _fee_factor(self, kind: np.ndarray, uncertainty: np.ndarray, slots: np.ndarray) -> np.ndarray:
        """Contract-type risk markup and diversification premium on a vendor's list price."""
        return (1.0 + term_arrays(kind)["risk_markup"] * uncertainty) * (
            1.0 + self.params["diversification_premium"] * (slots - 1)
        )

    def _referral_weight(self) -> float:
        """The weight SMBs give referrals, as vendors see it: the SMBs' common weight, or the mean
        over the SMBs in business when weights differ."""
        if self._market_referral is not None:
            return self._market_referral
        active = self.smb_active
        return float(self.referral[active].mean()) if active.any() else 0.0

    def _fits_policy(self, contracts: np.ndarray) -> np.ndarray:
        """Whether each contract's share is the one its SMB's sourcing policy gives (always, with
        one policy for all)."""
        if self.slot_count is not None:
            return np.ones(len(contracts), dtype=bool)
        c = self.contracts
        return c.share[contracts] == 1 / self.slots[c.smb[contracts]]

    def _left_policy_rows(self) -> np.ndarray:
        """Rows (SMB x function) with a contract in force from a sourcing policy the SMB has left:
        they are re-sourced under the new policy once those contracts have ended."""
        c = self.contracts
        act = c.active_index()
        act = act[~self._fits_policy(act)]
        return self._per_row(self._rows_of(act)) > 0

    def _value_of_quality(self, smb: np.ndarray, fn: np.ndarray) -> np.ndarray:
        """Monthly revenue one unit of delivered quality in a whole function brings the SMB."""
        return (
            self.params["base_revenue"]
            * self.core_performance[smb]
            * self.params["function_weight"]
            * _cell(self.weights, smb, fn)
        )

    def _trust_value(self, fee, trust, smb, fn):
        """Governance costs that the relational capital with the incumbent saves over a term."""
        p, f = self.params, self.functions
        tau = transaction_cost_rate(
            _cell(f.specificity, smb, fn),
            _cell(f.uncertainty, smb, fn),
            _cell(f.frequency, smb, fn),
            0.0,
            p["transaction_cost_rate"],
            p,
        )
        rate = tau + self.monitoring[smb] * p["monitoring_cost_rate"]
        return p["trust_relief"] * trust * rate * fee * p["contract_duration"]

    def _capability_gap_value(self, smb, fn, vendor_quality, share):
        """Revenue lost over a term if the function came back in-house at today's capability."""
        gap = np.maximum(vendor_quality - _cell(self.functions.capability, smb, fn), 0.0)
        return self._value_of_quality(smb, fn) * share * gap * self.params["contract_duration"]

    def _switching_cost(self, contracts: np.ndarray, belief: np.ndarray) -> np.ndarray:
        """What walking away from each contract's vendor would cost its SMB (see holdup)."""
        p, c, f = self.params, self.contracts, self.functions
        smb, fn, share = c.smb[contracts], c.function[contracts], c.share[contracts]
        transition = transition_cost(
            p["switching_cost"],
            _cell(f.inhouse_cost, smb, fn),
            _cell(f.specificity, smb, fn),
            share,
            p["transition_base"],
        )
        market_fee = c.fee[contracts] - c.holdup[contracts]  # the fee without earlier hold-up
        trust_value = self._trust_value(market_fee, self._trust(c.pair[contracts]), smb, fn)
        return switching_cost(transition, trust_value, self._capability_gap_value(smb, fn, belief, share))

    def _market_quote(self, smb: np.ndarray, fn: np.ndarray):
        """Per row: the market's mean list price for a whole function on the SMB's contract type,
        and the delivered quality the SMB expects from a vendor it knows nothing of (its prior)."""
        vp, p = self.vendors, self.params
        offers = vp.offers & vp.alive[:, None]
        count = np.maximum(offers.sum(axis=0), 1)
        price = (offers * vp.price[:, None]).sum(axis=0) / count
        friction = (offers * vp.friction[:, None]).sum(axis=0) / count
        kind = self.contract_kind[smb]
        quote = price[fn] * self._fee_factor(
            kind, _cell(self.functions.uncertainty, smb, fn), self.slots[smb]
        )
        return quote, type_prior(p["lemon_share"], friction[fn], p).expected

    def _spend(self, smb: np.ndarray, amount, outsourcing: bool = False) -> None:
        """SMBs' spending this month (``amount`` per entry of ``smb``; entries may repeat)."""
        per_smb = _sum_by(smb, amount, len(self.cost))
        self.cost += per_smb
        if outsourcing:
            self.outsourcing_cost += per_smb

    def _transfer(self, smb: np.ndarray, vendor: np.ndarray, amount: np.ndarray) -> None:
        """Money from SMBs to vendors, booked on both sides of the ledger."""
        per_smb = _sum_by(smb, amount, len(self.cost))
        per_vendor = _sum_by(vendor, amount, self.places)
        self.cost += per_smb
        self.outsourcing_cost += per_smb
        self.ledger["smb_paid"] += per_smb
        self.ledger["vendor_received"] += per_vendor
        self.flows["vendor_income"] += per_vendor

    def _book_holdup(self, smb: np.ndarray, vendor: np.ndarray, amount: np.ndarray) -> None:
        """The hold-up part of this month's fees (already transferred), on both sides."""
        self.ledger["smb_holdup_paid"] += _sum_by(smb, amount, len(self.cost))
        self.ledger["vendor_holdup_received"] += _sum_by(vendor, amount, self.places)

    def _end(self, contracts: np.ndarray, reason: str) -> None:
        """End contracts for ``reason``, counting those ended before their term."""
        c = self.contracts
        contracts = contracts[c.active[contracts]]
        early = contracts[c.end[contracts] > self.month]
        self.flows["ended_early"] += len(early)
        if reason in ("poor_performance", "brought_in_house"):  # the SMB's own decision
            self.ever_ended_early[c.smb[early]] = True
        c.terminate(contracts, self.month, reason)

    def _ban(self, pair: np.ndarray) -> None:
        """The SMB ended the vendor for poor performance: no re-hiring for ``blacklist_months``."""
        self.pairs.banned_until[pair] = self.month + self.params["blacklist_months"]
        self.pairs.fired_month[pair] = self.month

    def _lose_slots(self, ended: np.ndarray) -> None:
        """Contracts ended by failure: the rows' output share is lost until re-sourced."""
        c = self.contracts
        due = self.month + 1 + self.params["resourcing_delay"]  # output is missing for the delay
        rows = (c.smb[ended], c.function[ended])
        self.resource_due[rows] = np.minimum(self.resource_due[rows], due)

    def _load(self) -> np.ndarray:
        """Per vendor place: the capacity in use, in whole functions (contracts' shares summed)."""
        c = self.contracts
        act = c.active_index()
        return np.bincount(c.vendor[act], weights=c.share[act], minlength=self.places)

    def _filled(self, in_force: np.ndarray) -> np.ndarray:
        """Per row: vendor slots filled by contracts in force, given their rows (:meth:`_rows_of`)."""
        return self._per_row(in_force).astype(np.int64, copy=False)

    def _rows_of(self, contracts: np.ndarray) -> np.ndarray:
        """Flat (SMB, function) row index of each given contract, as :meth:`_per_row` takes it."""
        c = self.contracts
        return c.smb[contracts] * N_FUNCTIONS + c.function[contracts]

    def _current_sourcing(self, smbs: np.ndarray) -> dict[str, np.ndarray]:
        """Per row of the given SMBs' functions, in (SMB, function) order: filled vendor slots,
        their share, the fee's market part (without hold-up), and the mean own belief about and
        trust with the row's vendors."""
        c = self.contracts
        act = c.active_index()
        position = np.full(len(self.cash), -1)  # of each SMB among the given ones
        position[smbs] = np.arange(len(smbs))
        where = position[c.smb[act]]
        mine = where >= 0
        act = act[mine]
        row = where[mine] * N_FUNCTIONS + c.function[act]
        rows = len(smbs) * N_FUNCTIONS

        def per_row(weights=None):
            return np.bincount(row, weights=weights, minlength=rows)

        filled = per_row()
        belief = self._own_belief(c.pair[act], c.vendor[act]).mean
        with np.errstate(invalid="ignore", divide="ignore"):
            return {
                "filled": filled,
                "share": per_row(c.share[act]),
                "market_fee": per_row(c.fee[act] - c.holdup[act]),
                "belief": per_row(belief) / filled,
                "trust": per_row(self._trust(c.pair[act])) / filled,
            }

    def _delivered(self, name: str) -> np.ndarray:
        """Column ``name`` (one that stays put within a month: smb, function, vendor, share, pair)
        of this month's deliveries, gathered from the contract book once for all phases."""
        column = self._delivery_columns.get(name)
        if column is None:
            column = self._delivery_columns[name] = getattr(self.contracts, name)[self._delivery]
        return column

    def _trust(self, pair: np.ndarray) -> np.ndarray:
        """Relational capital of pair rows now: before this month's trust update, as it stood at
        the end of last month (0 for rows < 0)."""
        month = self.month if self._trust_updated else self.month - 1
        return self.pairs.trust_at(pair, month, self.params["trust_decay"])

    def _per_row(self, row: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Sum ``weights`` (or count entries) per (SMB, function) row, given flat row indices."""
        shape = self.outsourced.shape
        return np.bincount(row, weights=weights, minlength=shape[0] * shape[1]).reshape(shape)

    def _serving(self, smb, fn, cand, in_force) -> np.ndarray:
        """Whether each candidate already serves its row (no vendor takes two slots of one row),
        given the rows of the contracts in force (:meth:`_rows_of`)."""
        c = self.contracts
        act = c.active_index()
        serving = np.zeros(cand.shape, dtype=bool)
        if not len(act):
            return serving
        row, wanted = in_force, smb * N_FUNCTIONS + fn
        sourcing = np.zeros(self.outsourced.size, dtype=bool)
        sourcing[wanted] = True
        mine = sourcing[row]  # only contracts of the rows being sourced can match
        if not mine.any():
            return serving
        key = np.sort(row[mine] * self.places + c.vendor[act[mine]], kind="stable")
        probe = wanted[:, None] * self.places + cand
        position = np.minimum(np.searchsorted(key, probe), len(key) - 1)
        return key[position] == probe

    def check_ledger(self) -> dict[str, float]:
        """How far each double-entry identity of the money ledger is off (all zero up to rounding).

        * SMBs' payments equal vendors' receipts, and so do the hold-up parts of them;
        * per SMB place: capital + revenue - spending - payouts - cash taken out at exit = cash;
        * per vendor place: capital + receipts - costs - cash taken out at exit = cash.
        """
        g, vp = self.ledger, self.vendors
        return {
            "transfers": float(abs(g["smb_paid"].sum() - g["vendor_received"].sum())),
            "holdup": float(abs(g["smb_holdup_paid"].sum() - g["vendor_holdup_received"].sum())),
            "smb_cash": float(
                np.abs(
                    g["smb_capital"]
                    + g["smb_revenue"]
                    - g["smb_spending"]
                    - g["smb_payout"]
                    - g["smb_cash_out"]
                    - self.cash
                ).max()
            ),
            "vendor_cash": float(
                np.abs(
                    g["vendor_capital"]
                    + g["vendor_received"]
                    - g["vendor_costs"]
                    - g["vendor_cash_out"]
                    - vp.cash
                ).max()
            ),
        }

    # ------------------------------------------------------------------ the relationship record
    @property
    def network(self) -> nx.Graph:
        """The relationship record as a NetworkX graph, built from the state on first access
        each month.

        Nodes are Mesa ``unique_id`` values of the agents in the market, with ``kind`` ("smb" or
        "vendor") and their attributes; edges are SMB-SMB ``peer`` ties and SMB-vendor
        ``contract`` ties carrying the functions served, contract type, share and relational
        capital.
        """
        if self._network is None or self._network_step != self.steps:
            self._network = self._build_network()
            self._network_step = self.steps
        return self._network

    def _build_network(self) -> nx.Graph:
        vp, c = self.vendors, self.contracts
        graph = nx.Graph(month=self.steps)
        smb_id = [a.unique_id for a in self.smb_agents]
        for i in np.flatnonzero(self.smb_active):
            graph.add_node(
                smb_id[i],
                kind="smb",
                cash=float(self.cash[i]),
                core_performance=float(self.core_performance[i]),
                outsourced=int(self.outsourced[i].sum()),
                contract_type=CONTRACT_KINDS[self.contract_kind[i]],
                decision_rule=RULE_NAMES[self.rule[i]],
                sourcing_policy=POLICY_NAMES[int(self.slots[i])],
                focal=bool(self.is_focal[i]),
            )
        for place in np.flatnonzero(vp.alive):
            graph.add_node(
                self.vendor_agents[place].unique_id,
                kind="vendor",
                location=LOCATIONS[vp.location[place]],
                true_quality=float(vp.true_quality[place]),
                lemon=bool(vp.is_lemon[place]),
                security=float(vp.security[place]),
                patience=float(vp.patience[place]),
                capacity=int(vp.capacity[place]),
                cash=float(vp.cash[place]),
            )
        for a, b in self.peers.graph.edges:
            if self.smb_active[a] and self.smb_active[b]:
                graph.add_edge(smb_id[a], smb_id[b], kind="peer")
        for k in c.active_index().tolist():
            s, v = int(c.smb[k]), int(c.vendor[k])
            vendor_id = self.vendor_agents[v].unique_id
            edge = graph.get_edge_data(smb_id[s], vendor_id)
            name = BUSINESS_FUNCTIONS[c.function[k]]
            if edge is None:
                graph.add_edge(
                    smb_id[s],
                    vendor_id,
                    kind="contract",
                    functions=name,
                    contract_type=CONTRACT_KINDS[c.kind[k]],
                    share=float(c.share[k]),
                    relational_capital=float(self._trust(c.pair[k : k + 1])[0]),
                )
            else:
                edge["functions"] += "," + name
                edge["share"] += float(c.share[k])
        return graph


def _focal_firms(focal: Any, firms: Any) -> dict[str, dict[str, Any]]:
    """The focal firms by name, their strategies checked; one ``focal`` is named "focal"."""
    if focal is not None and firms is not None:
        raise ValueError("give either focal= (one focal firm) or focal_firms= (several), not both")
    if focal is not None:
        return {"focal": validate_focal(focal)}
    if firms is None:
        return {}
    if not isinstance(firms, Mapping):
        raise ValueError(f"focal_firms must map names to strategies, got {firms!r}")
    return {str(name): validate_focal(strategy) for name, strategy in firms.items()}


def _put_first(ranked: np.ndarray, preferred: np.ndarray) -> np.ndarray:
    """Each row's ranking with its preferred vendor moved to the front where it is ranked."""
    hit = (ranked == preferred[:, None]) & (preferred[:, None] >= 0)
    order = np.argsort(~hit, axis=1, kind="stable")  # the hit first, the others in their order
    return np.take_along_axis(ranked, order, axis=1)


def _cell(table: np.ndarray, row: np.ndarray, fn: np.ndarray) -> np.ndarray:
    """``table[row, fn]`` of a table with one column per business function (SMBs' or vendors'),
    read by one flat ``take``: numpy's indexing by two arrays costs several times more."""
    return table.take(row * N_FUNCTIONS + fn)


def _sum_by(index: np.ndarray, amount, size: int) -> np.ndarray:
    """``amount`` (an array like ``index``, or a scalar) summed per value of ``index``, over ``size``."""
    weights = np.full(len(index), float(amount)) if np.ndim(amount) == 0 else amount
    return np.bincount(index, weights=weights, minlength=size)


def _subset(inputs: ReviewInputs, mask) -> ReviewInputs:
    """The review rows selected by ``mask`` (a boolean mask, indices or a slice)."""
    return ReviewInputs(**{name: getattr(inputs, name)[mask] for name in ReviewInputs.__dataclass_fields__})


def _encode(field: str, values: list) -> np.ndarray:
    """Strategy levels as the model holds them: rule and contract-type codes, vendor slots, numbers."""
    if field == "decision_rule":
        return np.array([RULE_NAMES.index(v) for v in values], dtype=np.int64)
    if field == "contract_type":
        return np.array([CONTRACT_KINDS.index(v) for v in values], dtype=np.int64)
    if field == "sourcing_policy":
        return np.array([SLOTS[v] for v in values], dtype=np.int64)
    return np.array(values, dtype=float)


def _draw_choice(rng: np.random.Generator, n: int, value, choices) -> np.ndarray:
    """``n`` choices (indices) drawn with the shares of a mix (or all the same choice)."""
    if isinstance(value, str):
        return np.full(n, choices.index(value), dtype=np.int64)
    shares = np.array([value.get(name, 0.0) for name in choices])
    return rng.choice(len(choices), size=n, p=shares / shares.sum())


def _take(pool, index: np.ndarray):
    """The vendors at ``index`` of a freshly drawn pool."""
    from dataclasses import fields

    return type(pool)(**{f.name: getattr(pool, f.name)[index] for f in fields(pool)})


def run_simulation(params: dict[str, Any], steps: int, seed: int) -> EcosystemModel:
    """Build the model with ``params`` and ``seed`` and step it ``steps`` months."""
    model = EcosystemModel(rng=seed, **params)
    for _ in range(steps):
        model.step()
    return model
