"""The SMB-vendor outsourcing ecosystem model.

State lives in arrays (SMB x function profiles, the vendor pool, the contract book, the tie
book) so that each month's work runs vectorised over all SMBs and contracts; the Mesa agents
:class:`~ecosystem.agents.SMB` and :class:`~ecosystem.agents.Vendor` are the readable face of
that state, and :attr:`EcosystemModel.network` the relationship record as a NetworkX graph.

``step()`` is one month and reads like the process overview of ``docs/ODD.md``.
"""

from __future__ import annotations

from typing import Any

import mesa
import networkx as nx
import numpy as np

from . import reporters
from .agents import SMB, Vendor
from .mechanisms.capabilities import core_focus_growth, develop_capability
from .mechanisms.contracts import CONTRACT_TERMS, ContractBook, monthly_bill
from .mechanisms.decision_rules import ReviewInputs, decide, make_cost, transaction_cost_rate
from .mechanisms.economics import FUNCTION_WEIGHT, function_weights, lost_output_value, monthly_revenue
from .mechanisms.functions import BUSINESS_FUNCTIONS, draw_function_profiles
from .mechanisms.innovation import collaborative_innovation_odds, inhouse_innovation_odds
from .mechanisms.moral_hazard import delivered_quality, detection_chance, shirks
from .mechanisms.network import PeerNetwork, peer_graph
from .mechanisms.relational_capital import TieBook, decay_trust, update_trust
from .mechanisms.selection import draw_shortlist, quality_signal, rank_candidates
from .mechanisms.shocks import breach_chance, breach_damage, covered_share, failure_hazard, ip_leak_chance
from .mechanisms.vendors import LOCATIONS, draw_vendors
from .parameters import validate_parameters

__all__ = ["EcosystemModel", "run_simulation"]

N_FUNCTIONS = len(BUSINESS_FUNCTIONS)
SLOTS = {"single": 1, "dual": 2, "multi": 3}
NEVER = np.iinfo(np.int64).max
DELIVERY_NOISE = 0.05
MEASUREMENT_NOISE = 0.05
#: Weight of the newest measurement in an SMB's running view of a contract's quality.
OBSERVATION_WEIGHT = 0.3


class EcosystemModel(mesa.Model):
    """SMBs that make or buy six business functions from a market of vendors.

    Parameters
    ----------
    rng : seed or numpy Generator
        The one source of randomness; same seed, same run, bit for bit.
    **params
        Any parameter of :data:`ecosystem.parameters.PARAMETERS` (``smb-eco params`` lists
        them); the rest take their defaults. Unknown names or values out of range raise
        ``ValueError``.

    Examples
    --------
    >>> model = EcosystemModel(n_smbs=20, n_vendors=6, rng=1)
    >>> for _ in range(3):
    ...     model.step()
    >>> frame = model.datacollector.get_model_vars_dataframe()
    >>> len(frame), bool(0.0 <= frame["outsourcing_share"].iloc[-1] <= 1.0)
    (3, True)
    """

    def __init__(self, *, rng: Any = None, **params: Any) -> None:
        self.params = validate_parameters(params)
        super().__init__(rng=rng)
        p = self.params
        n, v = p["n_smbs"], p["n_vendors"]
        self.slots = SLOTS[p["sourcing_policy"]]
        self.terms = CONTRACT_TERMS[p["contract_type"]]
        self.detection = detection_chance(p["monitoring_intensity"])

        # SMBs and their functions
        self.peers = PeerNetwork(peer_graph(n, p["peer_degree"], p["peer_rewiring"], self.rng))
        self.functions = draw_function_profiles(self.rng, n, p)
        self.weights = function_weights(self.functions.importance)
        self.make_cost = make_cost(
            self.functions.inhouse_cost, self.functions.frequency, p["governance_cost_rate"]
        )
        self.outsourced = np.zeros((n, N_FUNCTIONS), dtype=bool)
        self.resource_due = np.full((n, N_FUNCTIONS), NEVER)
        self.smb_active = np.ones(n, dtype=bool)
        self.cash = np.full(n, p["initial_cash"])
        self.negative_months = np.zeros(n, dtype=np.int64)
        self.core_performance = np.ones(n)
        self.next_review = self.rng.integers(1, p["review_interval"] + 1, n)
        self.row_observed = np.full((n, N_FUNCTIONS), np.nan)  # what each SMB sees of its vendors

        # the vendor market, contracts and ties
        self.vendors = draw_vendors(self.rng, v, p)
        self.contracts = ContractBook()
        self.ties = TieBook()

        # the money ledger: every transfer is booked on both sides
        self.paid_by_smb = np.zeros(n)
        self.received_by_vendor = np.zeros(v)
        self.cumulative_innovations = 0

        self.smb_agents = [SMB(self, i) for i in range(n)]
        self.vendor_agents = [Vendor(self, place) for place in range(v)]
        self._network: nx.Graph | None = None
        self._network_step = -1
        self._start_month()
        self.datacollector = mesa.DataCollector(
            model_reporters=reporters.MODEL_REPORTERS,
            agenttype_reporters=reporters.AGENT_REPORTERS if p["collect_agent_data"] else None,
        )

    # ------------------------------------------------------------------ the monthly process
    def step(self) -> None:
        """One month, phase by phase (see docs/ODD.md, "Process overview and scheduling")."""
        self._start_month()
        self.renew_or_end_expiring_contracts()
        self.assess_needs()
        self.source_vendors()
        self.deliver_services()
        self.suffer_security_incidents()
        self.update_relational_capital()
        self.innovate()
        self.end_poor_performers()
        self.develop_capabilities()
        self.fail_vendors()
        self.settle_accounts()
        self.enter_vendors()
        self.contracts.compact()
        self.datacollector.collect(self)

    def _start_month(self) -> None:
        n, v = len(self.cash), len(self.vendors.alive)
        self.month = self.steps
        self.cost = np.zeros(n)  # everything an SMB spends this month
        self.outsourcing_cost = np.zeros(n)  # the part spent on buying
        self.row_quality = np.zeros((n, N_FUNCTIONS))  # quality delivered by vendors this month
        self.row_delivered_share = np.zeros((n, N_FUNCTIONS))
        self.flows = dict(
            shirking=0,
            deliveries=0,
            delivered_quality=np.nan,
            innovations=0,
            collaborative_innovations=0,
            breaches=0,
            disruption_loss=0.0,
            profit=np.zeros(0),
            vendor_failures=0,
            vendor_income=np.zeros(v),
        )
        self._delivery = None

    # --- contracts ending and renewing
    def renew_or_end_expiring_contracts(self) -> None:
        """Renew well-performing incumbents at contract end; re-tender the rest at once."""
        c, p = self.contracts, self.params
        expiring = c.active_index()
        expiring = expiring[c.end[expiring] == self.month]
        if not len(expiring):
            return
        renew = (
            (c.breaches[expiring] == 0)
            & (c.observed_quality[expiring] >= p["sla_threshold"])
            & self.outsourced[c.smb[expiring], c.function[expiring]]
        )
        c.end[expiring[renew]] += p["contract_duration"]
        ended = expiring[~renew]
        c.terminate(ended)
        self.resource_due[c.smb[ended], c.function[ended]] = self.month

    # --- make or buy
    def assess_needs(self) -> None:
        """SMBs whose review is due take the make-or-buy decision for each function."""
        p, f = self.params, self.functions
        due = np.flatnonzero(self.smb_active & (self.next_review == self.month))
        if not len(due):
            return
        self.next_review[due] += p["review_interval"]
        smb = np.repeat(due, N_FUNCTIONS)
        fn = np.tile(np.arange(N_FUNCTIONS), len(due))
        filled, fee, observed, trust = self._current_sourcing()
        market_price, market_quality = self._market_benchmark()
        peer_quality = self.peers.peer_mean(due, self.row_observed).ravel()
        expected = np.where(
            np.isnan(peer_quality),
            market_quality[fn],
            (1 - p["referral_weight"]) * market_quality[fn] + p["referral_weight"] * peer_quality,
        )
        has_contracts = filled[smb, fn] > 0
        share = np.maximum(filled[smb, fn], 1e-12) / self.slots
        quote = market_price[fn] * self._fee_factor(f.uncertainty[smb, fn])
        trust_now = np.where(has_contracts, trust[smb, fn], 0.0)
        inputs = ReviewInputs(
            inhouse_cost=f.inhouse_cost[smb, fn],
            capability=f.capability[smb, fn],
            importance=f.importance[smb, fn],
            specificity=f.specificity[smb, fn],
            uncertainty=f.uncertainty[smb, fn],
            frequency=f.frequency[smb, fn],
            price=np.where(has_contracts, fee[smb, fn] / share, quote),
            vendor_quality=np.where(has_contracts, observed[smb, fn], expected),
            relational_capital=trust_now,
            monitoring_rate=p["monitoring_intensity"] * p["monitoring_cost_rate"] * (1 - 0.5 * trust_now),
        )
        buy = decide(p["decision_rule"], inputs, p)
        was = self.outsourced[smb, fn]
        self._bring_in_house(smb[was & ~buy], fn[was & ~buy])
        adopt = ~was & buy
        self.outsourced[smb[adopt], fn[adopt]] = True
        self.resource_due[smb[adopt], fn[adopt]] = self.month

    def _bring_in_house(self, smb: np.ndarray, fn: np.ndarray) -> None:
        """Back-source: end the rows' contracts early (exit fee) and pay the transition cost."""
        if not len(smb):
            return
        c, p = self.contracts, self.params
        self.outsourced[smb, fn] = False
        self.resource_due[smb, fn] = NEVER
        act = c.active_index()
        rows = np.zeros(self.outsourced.shape, dtype=bool)
        rows[smb, fn] = True
        ending = act[rows[c.smb[act], c.function[act]]]
        self._transfer(c.smb[ending], c.vendor[ending], p["exit_fee_months"] * c.fee[ending])
        c.terminate(ending)
        self._spend(smb, self._transition_cost(smb, fn, 1.0), outsourcing=True)

    # --- search, screening and selection
    def source_vendors(self) -> None:
        """Fill missing vendor slots of outsourced functions: shortlist, screen, select, sign."""
        p, c, vp = self.params, self.contracts, self.vendors
        filled, _, _, _ = self._current_sourcing()
        need = (
            self.outsourced
            & (filled < self.slots)
            & (self.resource_due <= self.month)
            & self.smb_active[:, None]
        )
        smb, fn = np.nonzero(need)
        if not len(smb):
            return
        offering = [np.flatnonzero(vp.alive & vp.offers[:, j]) for j in range(N_FUNCTIONS)]
        peers = self.peers.random_peers(smb, p["referral_count"], self.rng)
        holder, holder_quality = self._primary_vendor()
        peer_vendor = np.where(peers >= 0, holder[np.maximum(peers, 0), fn[:, None]], -1)
        peer_quality = np.where(peer_vendor >= 0, holder_quality[np.maximum(peers, 0), fn[:, None]], np.nan)
        shortlist = draw_shortlist(fn, peer_vendor, peer_quality, offering, p["shortlist_size"], self.rng)
        cand = np.maximum(shortlist.vendors, 0)
        load = np.bincount(c.vendor[c.active_index()], minlength=len(vp.alive))
        serving = self._serving(smb, fn, cand)
        usable = (shortlist.vendors >= 0) & vp.alive[cand] & vp.offers[cand, fn[:, None]] & ~serving
        signal = quality_signal(
            vp.true_quality[cand],
            vp.is_lemon[cand],
            self.rng.standard_normal(cand.shape),
            lemon_overstatement=p["lemon_overstatement"],
            due_diligence=p["due_diligence"],
            signal_noise=p["signal_noise"],
        )
        own = np.clip(signal, 0.0, 1.0) * (1.0 - vp.friction[cand])
        w = p["referral_weight"]
        expected = np.where(
            np.isnan(shortlist.referred_quality), own, (1 - w) * own + w * shortlist.referred_quality
        )
        fee = vp.price[cand] * self._fee_factor(self.functions.uncertainty[smb, fn])[:, None] / self.slots
        value_of_quality = (
            p["base_revenue"]
            * self.core_performance[smb]
            * FUNCTION_WEIGHT
            * self.weights[smb, fn]
            / self.slots
        )
        ranked, ranked_quality = rank_candidates(shortlist, usable, expected, value_of_quality, fee)
        screened = (ranked >= 0).sum(axis=1)
        self._spend(smb, p["due_diligence"] * p["due_diligence_cost"] * screened, outsourcing=True)
        self._sign_best(smb, fn, ranked, ranked_quality, filled[smb, fn], load)

    def _sign_best(self, smb, fn, ranked, ranked_quality, filled, load) -> None:
        """Sign with the best-ranked candidates that still have capacity, row by row.

        Rows take their turn in random order, so scarce vendor capacity favours no SMB.
        """
        p, vp = self.params, self.vendors
        chosen_rows, chosen_vendors, chosen_quality = [], [], []
        capacity = vp.capacity
        for row in self.rng.permutation(len(smb)).tolist():
            missing = self.slots - filled[row]
            for place, quality in zip(ranked[row].tolist(), ranked_quality[row].tolist(), strict=True):
                if missing == 0 or place < 0:
                    break
                if load[place] < capacity[place]:
                    load[place] += 1
                    missing -= 1
                    chosen_rows.append(row)
                    chosen_vendors.append(place)
                    chosen_quality.append(quality)
            if missing == 0:
                self.resource_due[smb[row], fn[row]] = NEVER
            elif missing == self.slots:
                # nobody to buy from: the function stays (or goes back) in-house
                self.outsourced[smb[row], fn[row]] = False
                self.resource_due[smb[row], fn[row]] = NEVER
            else:
                self.resource_due[smb[row], fn[row]] = self.month + 1  # search again next month
        if not chosen_rows:
            return
        rows = np.array(chosen_rows)
        s, j, v = smb[rows], fn[rows], np.array(chosen_vendors)
        fee = vp.price[v] * self._fee_factor(self.functions.uncertainty[s, j]) / self.slots
        self.contracts.sign(
            smb=s,
            function=j,
            vendor=v,
            pair=self.ties.ties(s, v),
            share=np.full(len(s), 1 / self.slots),
            fee=fee,
            start=np.full(len(s), self.month),
            end=np.full(len(s), self.month + p["contract_duration"]),
            observed_quality=np.array(chosen_quality),
        )
        self._spend(s, self._transition_cost(s, j, 1 / self.slots), outsourcing=True)

    # --- moral hazard, delivery, monitoring, payment
    def deliver_services(self) -> None:
        """Each vendor chooses effort on each contract, delivers, is monitored and paid."""
        p, c, vp, f = self.params, self.contracts, self.vendors, self.functions
        act = c.active_index()
        self._delivery = act
        self._failed = np.zeros(len(act), dtype=bool)
        if not len(act):
            return
        smb, fn, v, fee = c.smb[act], c.function[act], c.vendor[act], c.fee[act]
        trust = self.ties.trust[c.pair[act]]
        k = len(act)
        at_risk = vp.true_quality[v] * (1 - vp.friction[v]) * p["shirk_quality_loss"]
        shirking = shirks(
            fee,
            vp.opportunism[v],
            self.rng.lognormal(0.0, 0.5, k),
            shirk_saving=p["shirk_saving"],
            detection=self.detection,
            penalty_rate=self.terms.penalty_rate,
            performance_link=self.terms.performance_link,
            quality_at_risk=at_risk,
            relational_capital=trust,
        )
        quality = delivered_quality(
            vp.true_quality[v],
            vp.friction[v],
            shirking,
            p["shirk_quality_loss"],
            self.rng.normal(0.0, DELIVERY_NOISE, k),
        )
        measured = np.clip(quality + self.rng.normal(0.0, MEASUREMENT_NOISE, k), 0.0, 1.0)
        detected = shirking & (self.rng.random(k) < self.detection)
        bill = monthly_bill(
            self.terms,
            fee,
            f.uncertainty[smb, fn],
            measured,
            p["sla_threshold"],
            self.rng.standard_normal(k),
        )
        penalty = detected * self.terms.penalty_rate * fee
        self._transfer(smb, v, bill - penalty)
        monitoring = p["monitoring_intensity"] * p["monitoring_cost_rate"] * fee * (1 - 0.5 * trust)
        governance = fee * transaction_cost_rate(
            f.specificity[smb, fn],
            f.uncertainty[smb, fn],
            f.frequency[smb, fn],
            trust,
            p["transaction_cost_rate"],
        )
        self._spend(smb, monitoring + governance, outsourcing=True)

        below_sla = measured < p["sla_threshold"]
        c.breaches[act] = np.where(below_sla, c.breaches[act] + 1, 0)
        c.observed_quality[act] = (1 - OBSERVATION_WEIGHT) * c.observed_quality[
            act
        ] + OBSERVATION_WEIGHT * measured
        self._failed = below_sla | detected
        row = smb * N_FUNCTIONS + fn
        share = self._per_row(row, c.share[act])
        # vendors still serving a row cover for missing co-suppliers, at their own quality
        covered = covered_share(share)
        scale = np.divide(covered, share, out=np.zeros_like(share), where=share > 0)
        self.row_quality = self._per_row(row, c.share[act] * quality) * scale
        self.row_delivered_share = covered
        with np.errstate(invalid="ignore", divide="ignore"):  # what peers hear as referrals
            self.row_observed = self._per_row(row, c.observed_quality[act]) / self._per_row(row)
        self.flows.update(shirking=int(shirking.sum()), deliveries=k, delivered_quality=float(quality.mean()))

    # --- breaches and IP leakage
    def suffer_security_incidents(self) -> None:
        """Vendors with weak security leak their clients' data (and sometimes their IP)."""
        p, c, vp, f = self.params, self.contracts, self.vendors, self.functions
        act = self._delivery
        if not len(act):
            return
        smb, fn, v = c.smb[act], c.function[act], c.vendor[act]
        hit = self.rng.random(len(act)) < breach_chance(p["breach_rate"], vp.security[v])
        leak = hit & (self.rng.random(len(act)) < ip_leak_chance(f.specificity[smb, fn]))
        self._spend(
            smb[hit], breach_damage(p["breach_cost"], f.specificity[smb[hit], fn[hit]], c.share[act][hit])
        )
        np.multiply.at(self.core_performance, smb[leak], 1 - p["ip_leak_loss"])
        self._failed |= hit
        self.flows["breaches"] = int(hit.sum())

    # --- trust
    def update_relational_capital(self) -> None:
        """Good deliveries build trust slowly, failures destroy it fast, idle ties fade."""
        p, c, ties = self.params, self.contracts, self.ties
        n_ties = len(ties)
        if not n_ties:
            return
        act = self._delivery
        pair = c.pair[act]
        good = np.bincount(pair, weights=~self._failed, minlength=n_ties)
        bad = np.bincount(pair, weights=self._failed, minlength=n_ties)
        ties.trust = update_trust(ties.trust, good, bad, p["trust_gain"], p["trust_loss"])
        idle = ties.alive & (good + bad == 0)
        ties.trust = decay_trust(ties.trust, idle, p["trust_decay"])

    # --- innovation
    def innovate(self) -> None:
        """Relationships and in-house functions yield innovations that lift core performance."""
        p, c, vp, f = self.params, self.contracts, self.vendors, self.functions
        act = self._delivery
        smb, fn, v = c.smb[act], c.function[act], c.vendor[act]
        odds = collaborative_innovation_odds(
            p["innovation_rate"],
            self.ties.trust[c.pair[act]],
            vp.true_quality[v],
            f.capability[smb, fn],
            c.share[act],
        )
        joint = smb[self.rng.random(len(act)) < odds]
        inhouse_rows = ~self.outsourced & self.smb_active[:, None]
        inhouse = self.rng.random(inhouse_rows.shape) < inhouse_innovation_odds(
            p["innovation_rate"], f.capability
        )
        own = np.nonzero(inhouse & inhouse_rows)[0]
        winners = np.concatenate([joint, own])
        np.multiply.at(self.core_performance, winners, 1 + p["innovation_value"])
        self.flows.update(innovations=len(winners), collaborative_innovations=len(joint))
        self.cumulative_innovations += len(winners)

    # --- SLA enforcement
    def end_poor_performers(self) -> None:
        """Terminate contracts that breached the SLA too often in a row; re-source after a delay."""
        c = self.contracts
        act = c.active_index()
        poor = act[c.breaches[act] >= self.params["sla_breach_limit"]]
        c.terminate(poor)
        self._lose_slots(poor)

    # --- capabilities
    def develop_capabilities(self) -> None:
        """Outsourced skills erode, kept ones grow; outsourcing frees attention for the core."""
        p, f = self.params, self.functions
        f.capability = develop_capability(
            f.capability, self.outsourced, p["capability_decay"], p["capability_learning"]
        )
        self.core_performance *= core_focus_growth(self.outsourced.mean(axis=1), p["core_focus_gain"])

    # --- vendor failure and exit
    def fail_vendors(self) -> None:
        """Vendors fail (weak finances first) or leave after long without clients."""
        p, c, vp = self.params, self.contracts, self.vendors
        act = c.active_index()
        clients = np.bincount(c.vendor[act], minlength=len(vp.alive))
        vp.idle_months = np.where(vp.alive & (clients == 0), vp.idle_months + 1, 0)
        hazard = failure_hazard(p["vendor_failure_rate"], vp.stability)
        failed = vp.alive & (self.rng.random(len(vp.alive)) < hazard)
        idle_exit = vp.alive & ~failed & (vp.idle_months >= p["vendor_idle_exit"])
        leaving = failed | idle_exit
        if not leaving.any():
            return
        ending = act[leaving[c.vendor[act]]]
        c.terminate(ending)
        self._lose_slots(ending)
        vp.alive &= ~leaving
        self.ties.retire(leaving[self.ties.vendor])
        for place in np.flatnonzero(leaving):
            self.vendor_agents[place].remove()
        self.flows["vendor_failures"] = int(failed.sum())

    # --- the month's accounts
    def settle_accounts(self) -> None:
        """Revenue minus costs; SMBs whose cash stays negative exit."""
        p, f = self.params, self.functions
        quality = np.where(self.outsourced, self.row_quality, f.capability)
        missing = self.outsourced * np.clip(1.0 - self.row_delivered_share, 0.0, 1.0)
        revenue = monthly_revenue(p["base_revenue"], self.core_performance, self.weights, quality)
        lost = lost_output_value(
            p["base_revenue"], self.core_performance, self.weights, missing, p["sla_threshold"]
        )
        self.cost += (self.make_cost * ~self.outsourced).sum(axis=1)
        profit = np.where(self.smb_active, revenue - self.cost, 0.0)
        self.cash += profit
        self.negative_months = np.where(self.cash < 0, self.negative_months + 1, 0)
        self.flows.update(profit=profit[self.smb_active], disruption_loss=float(lost[self.smb_active].sum()))
        exiting = self.smb_active & (self.negative_months >= p["exit_patience"])
        if exiting.any():
            self._exit_smbs(exiting)

    def _exit_smbs(self, exiting: np.ndarray) -> None:
        c = self.contracts
        act = c.active_index()
        c.terminate(act[exiting[c.smb[act]]])
        self.smb_active &= ~exiting
        self.outsourced[exiting] = False
        self.resource_due[exiting] = NEVER
        self.row_observed[exiting] = np.nan
        self.ties.retire(exiting[self.ties.smb])
        for smb in np.flatnonzero(exiting):
            self.smb_agents[smb].remove()

    # --- market entry
    def enter_vendors(self) -> None:
        """New vendors take market places left empty, each with chance ``vendor_entry_rate``."""
        vp = self.vendors
        empty = np.flatnonzero(~vp.alive)
        entering = empty[self.rng.random(len(empty)) < self.params["vendor_entry_rate"]]
        if not len(entering):
            return
        vp.replace(entering, draw_vendors(self.rng, len(entering), self.params))
        for place in entering:
            self.vendor_agents[place] = Vendor(self, int(place))

    # ------------------------------------------------------------------ helpers
    def _fee_factor(self, uncertainty: np.ndarray) -> np.ndarray:
        """Contract-type risk markup and diversification premium on a vendor's list price."""
        return (1.0 + self.terms.risk_markup * uncertainty) * (
            1.0 + self.params["diversification_premium"] * (self.slots - 1)
        )

    def _transition_cost(self, smb, fn, share):
        """One-off cost of moving (a share of) a function: specific assets cost more to move."""
        f = self.functions
        return (
            self.params["switching_cost"] * f.inhouse_cost[smb, fn] * (0.5 + f.specificity[smb, fn]) * share
        )

    def _spend(self, smb: np.ndarray, amount, outsourcing: bool = False) -> None:
        amount = np.broadcast_to(amount, smb.shape)
        np.add.at(self.cost, smb, amount)
        if outsourcing:
            np.add.at(self.outsourcing_cost, smb, amount)

    def _transfer(self, smb: np.ndarray, vendor: np.ndarray, amount: np.ndarray) -> None:
        """Money from SMBs to vendors, booked on both sides of the ledger."""
        self._spend(smb, amount, outsourcing=True)
        np.add.at(self.paid_by_smb, smb, amount)
        np.add.at(self.received_by_vendor, vendor, amount)
        np.add.at(self.flows["vendor_income"], vendor, amount)

    def _lose_slots(self, ended: np.ndarray) -> None:
        """Contracts ended by failure: the rows' output share is lost until re-sourced."""
        c = self.contracts
        due = self.month + 1 + self.params["resourcing_delay"]  # output is missing for the delay
        rows = (c.smb[ended], c.function[ended])
        self.resource_due[rows] = np.minimum(self.resource_due[rows], due)

    def _current_sourcing(self):
        """Per row: filled vendor slots, total fee, mean observed quality, mean trust."""
        c = self.contracts
        act = c.active_index()
        row = c.smb[act] * N_FUNCTIONS + c.function[act]
        filled = self._per_row(row).astype(np.int64)
        fee = self._per_row(row, c.fee[act])
        observed = self._per_row(row, c.observed_quality[act])
        trust = self._per_row(row, self.ties.trust[c.pair[act]])
        with np.errstate(invalid="ignore", divide="ignore"):
            return filled, fee, observed / filled, trust / filled

    def _per_row(self, row: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Sum ``weights`` (or count entries) per (SMB, function) row, given flat row indices."""
        shape = self.outsourced.shape
        return np.bincount(row, weights=weights, minlength=shape[0] * shape[1]).reshape(shape)

    def _market_benchmark(self):
        """Per function: mean list price and mean claimed quality (net of friction) on offer."""
        vp = self.vendors
        offers = vp.offers & vp.alive[:, None]
        count = np.maximum(offers.sum(axis=0), 1)
        price = (offers * vp.price[:, None]).sum(axis=0) / count
        claimed = (offers * (vp.claimed_quality * (1 - vp.friction))[:, None]).sum(axis=0) / count
        return price, claimed

    def _primary_vendor(self) -> tuple[np.ndarray, np.ndarray]:
        """Per row, one vendor currently serving it (-1 if none) and the quality the SMB observes
        from that vendor: what a peer would refer."""
        c = self.contracts
        act = c.active_index()
        holder = np.full(self.outsourced.shape, -1, dtype=np.int64)
        quality = np.full(self.outsourced.shape, np.nan)
        holder[c.smb[act], c.function[act]] = c.vendor[act]
        quality[c.smb[act], c.function[act]] = c.observed_quality[act]
        return holder, quality

    def _serving(self, smb, fn, cand) -> np.ndarray:
        """Whether each candidate already serves its row (no vendor takes two slots of one row)."""
        c = self.contracts
        act = c.active_index()
        serving = np.zeros(cand.shape, dtype=bool)
        if not len(act):
            return serving
        key = (c.smb[act] * N_FUNCTIONS + c.function[act]) * len(self.vendors.alive) + c.vendor[act]
        probe = ((smb * N_FUNCTIONS + fn)[:, None] * len(self.vendors.alive)) + cand
        key = np.sort(key)
        position = np.minimum(np.searchsorted(key, probe), len(key) - 1)
        return key[position] == probe

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
        vendor_id = [a.unique_id for a in self.vendor_agents]
        for i in np.flatnonzero(self.smb_active):
            graph.add_node(
                smb_id[i],
                kind="smb",
                cash=float(self.cash[i]),
                core_performance=float(self.core_performance[i]),
                outsourced=int(self.outsourced[i].sum()),
            )
        for place in np.flatnonzero(vp.alive):
            graph.add_node(
                vendor_id[place],
                kind="vendor",
                location=LOCATIONS[vp.location[place]],
                true_quality=float(vp.true_quality[place]),
                lemon=bool(vp.is_lemon[place]),
                security=float(vp.security[place]),
            )
        for a, b in self.peers.graph.edges:
            if self.smb_active[a] and self.smb_active[b]:
                graph.add_edge(smb_id[a], smb_id[b], kind="peer")
        act = c.active_index()
        for k in act.tolist():
            s, v = int(c.smb[k]), int(c.vendor[k])
            edge = graph.get_edge_data(smb_id[s], vendor_id[v])
            name = BUSINESS_FUNCTIONS[c.function[k]]
            if edge is None:
                graph.add_edge(
                    smb_id[s],
                    vendor_id[v],
                    kind="contract",
                    functions=name,
                    contract_type=self.params["contract_type"],
                    share=float(c.share[k]),
                    relational_capital=float(self.ties.trust[c.pair[k]]),
                )
            else:
                edge["functions"] += "," + name
                edge["share"] += float(c.share[k])
        return graph


def run_simulation(params: dict[str, Any], steps: int, seed: int) -> EcosystemModel:
    """Build the model with ``params`` and ``seed`` and step it ``steps`` months."""
    model = EcosystemModel(rng=seed, **params)
    for _ in range(steps):
        model.step()
    return model
