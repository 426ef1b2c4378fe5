"""The participatory classroom game: students run focal firms in one shared market.

Each student who joins gets an SMB of their own (a focal firm of
:class:`~ecosystem.model.EcosystemModel`, named after them) in a market of ``n_smbs`` SMBs that
follow the model's own strategies and of the model's vendors. Alongside them play four *rule
firms*, one per built-in decision rule ("rule: tce", ...), which decide as the model's rules do
and change nothing by hand: the debrief compares the students with them in the same market.

A round is one review period (``review_interval`` months). Before it, each student decides:

* make or buy per business function ("rule" leaves it to the firm's decision rule), taken at the
  firm's review in the round's first month;
* a vendor to approach first, per function, whenever that function needs a vendor;
* the strategy levers of :data:`ecosystem.parameters.STRATEGY_FIELDS`: decision rule, due
  diligence, monitoring intensity, contract type, sourcing policy and referral weight.

A student who submits nothing keeps the last decisions (in round 1: the market's strategy, every
function left to the rule), so a late or absent student never holds up the class. Submissions
are checked in full against the parameter schema before anything is kept: a bad one changes
nothing and gets one line saying what is allowed.

:class:`Game` holds the one model of a class session and every state change behind one lock; the
web server (:mod:`ecosystem.interface.classroom_server`) only calls its methods.
"""

from __future__ import annotations

import csv
import io
import math
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..mechanisms.decision_rules import DECISION_RULES
from ..mechanisms.functions import BUSINESS_FUNCTIONS
from ..mechanisms.vendors import LOCATIONS
from ..model import EcosystemModel
from ..parameters import STRATEGY_FIELDS, parameter, validate_focal
from ..reporters import focal_report
from .presets import DEFAULT_PRESET, PRESETS, preset_parameters

__all__ = ["CSV_COLUMNS", "DecisionError", "Game", "RULE_FIRMS", "validate_name"]

#: The rule firms' names: one per built-in decision rule.
RULE_FIRMS = {f"rule: {rule}": rule for rule in DECISION_RULES}
#: A student's name: a letter or digit first, then up to 23 letters, digits, spaces, ``_ . -``.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.\-]{0,23}")
#: Seconds without a poll from a student's page after which the student counts as away.
AWAY_AFTER_S = 10.0
MAX_PLAYERS = 60
CHOICES = ("make", "buy", "rule")
#: Columns of the CSV export, one row per firm and round.
CSV_COLUMNS = (
    "scenario",
    "run",
    "round",
    "last_month",
    "firm",
    "kind",
    "submitted",
    *STRATEGY_FIELDS,
    *(f"make_or_buy_{f}" for f in BUSINESS_FUNCTIONS),
    *(f"vendor_{f}" for f in BUSINESS_FUNCTIONS),
    "functions_bought",
    "round_profit",
    "round_outsourcing_cost",
    "total_profit",
    "cash",
    "survived",
    "disruption_months",
    "shirking_suffered",
)


class DecisionError(ValueError):
    """A submission or request the game refuses; its message is one line for the user."""


def validate_name(name: Any) -> str:
    """A student's name, stripped, or :class:`DecisionError` saying what is allowed.

    >>> validate_name("  Ada L. ")
    'Ada L.'
    >>> validate_name("rule: tce")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ecosystem.interface.classroom.DecisionError: name: 1-24 letters, ... got 'rule: tce'
    """
    text = name.strip() if isinstance(name, str) else name
    if not isinstance(text, str) or not NAME.fullmatch(text):
        raise DecisionError(
            "name: 1-24 letters, digits, spaces, '_', '.' or '-', starting with a letter or digit; "
            f"got {name!r}"
        )
    return text


@dataclass
class Player:
    name: str
    token: str
    last_seen: float
    #: the standing decision: strategy fields, make_or_buy and vendors per function
    decision: dict[str, Any] = field(default_factory=dict)
    submitted_round: int = 0
    #: the scenario run the student's firm plays in (students joining mid-run wait for the next)
    run: int = 0


def _initial_decision() -> dict[str, Any]:
    return {
        "strategy": {},
        "make_or_buy": dict.fromkeys(BUSINESS_FUNCTIONS, "rule"),
        "vendors": dict.fromkeys(BUSINESS_FUNCTIONS),
    }


class Game:
    """One class session: the players, the shared model, the rounds and their record.

    Parameters
    ----------
    scenario : a preset of :mod:`ecosystem.interface.presets`.
    seed : the model's seed; every scenario run of the session uses it.
    n_smbs, n_vendors : the market besides the students' and rule firms.
    rounds : rounds per scenario run; after the last the run is over (debrief).
    clock : seconds, monotonic (a test passes its own).
    """

    def __init__(
        self,
        scenario: str = DEFAULT_PRESET,
        seed: int = 1,
        n_smbs: int = 30,
        n_vendors: int = 10,
        rounds: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        preset_parameters(scenario)  # raises on an unknown scenario
        self.lock = threading.RLock()
        self.scenario, self.seed = scenario, int(seed)
        self.n_smbs, self.n_vendors, self.rounds = int(n_smbs), int(n_vendors), int(rounds)
        self.clock = clock
        self.players: dict[str, Player] = {}  # by token
        self.phase = "lobby"  # lobby, playing (a round open for decisions), over (debrief)
        self.round = 0
        self.run = 0
        self.model: EcosystemModel | None = None
        self.history: list[dict[str, Any]] = []  # one row per firm and round (CSV_COLUMNS)
        self.round_seconds: list[float] = []  # wall-clock time the model took for each round
        self.auto_advance = False
        self.timer_s = 0.0
        self.deadline: float | None = None
        self._firms: list[str] = []  # focal firm names of the current run, students first
        self._decisions: dict[str, dict] = {}  # the decisions each firm played the round with

    # ------------------------------------------------------------------ students
    def join(self, name: Any) -> dict[str, Any]:
        """Add a student; returns their token. Joining during a run waits for the next run."""
        name = validate_name(name)
        with self.lock:
            if any(p.name.lower() == name.lower() for p in self.players.values()):
                raise DecisionError(f"name: {name!r} is taken in this class; choose another")
            if len(self.players) >= MAX_PLAYERS:
                raise DecisionError(f"the class is full ({MAX_PLAYERS} students)")
            token = secrets.token_urlsafe(12)
            self.players[token] = Player(name, token, self.clock(), _initial_decision(), run=-1)
            return {"token": token, "name": name}

    def _player(self, token: Any) -> Player:
        player = self.players.get(token) if isinstance(token, str) else None
        if player is None:
            raise DecisionError("unknown student: join the class first")
        return player

    def seen(self, token: str) -> None:
        with self.lock:
            self._player(token).last_seen = self.clock()

    def leave(self, token: str) -> None:
        """The student's page closed: count them as away at once."""
        with self.lock:
            player = self.players.get(token)
            if player is not None:
                player.last_seen = -math.inf

    def present(self, player: Player) -> bool:
        return self.clock() - player.last_seen <= AWAY_AFTER_S

    def playing(self, player: Player) -> bool:
        """Whether the student's firm is in the current run and still in business."""
        m = self.model
        return (
            self.phase == "playing"
            and player.run == self.run
            and m is not None
            and bool(m.smb_active[m.focal_place(player.name)])
        )

    def submit(self, token: Any, round_: Any, decision: Any) -> dict[str, Any]:
        """Check a student's decision in full and keep it for the open round; a bad one changes
        nothing and raises :class:`DecisionError` with one line."""
        with self.lock:
            player = self._player(token)
            player.last_seen = self.clock()
            if self.phase != "playing" or player.run != self.run:
                raise DecisionError("no round is open for your firm: wait for the teacher to start one")
            if not self.playing(player):
                raise DecisionError("your firm has closed (its cash stayed negative); watch the others")
            if round_ != self.round:
                raise DecisionError(
                    f"round: the class is in round {self.round}, got {round_!r}; "
                    "check your decisions and submit again"
                )
            checked = self.check_decision(decision)
            player.decision = checked
            player.submitted_round = self.round
            if self.auto_advance and self._all_submitted():
                self._advance()
            return {"ok": True, "round": self.round}

    def check_decision(self, decision: Any) -> dict[str, Any]:
        """The decision checked against the schema and the market, complete (fields not given keep
        the standing value); :class:`DecisionError` names the first bad field and what is allowed."""
        if not isinstance(decision, Mapping):
            raise DecisionError("decision: a JSON object with strategy, make_or_buy and vendors")
        unknown = set(decision) - {"strategy", "make_or_buy", "vendors"}
        if unknown:
            raise DecisionError(
                f"decision: unknown part {sorted(unknown)[0]!r}; parts are strategy, make_or_buy, vendors"
            )
        strategy = decision.get("strategy", {})
        if not isinstance(strategy, Mapping):
            raise DecisionError("strategy: a JSON object of strategy field: value")
        try:
            strategy = validate_focal(strategy)
        except ValueError as error:
            raise DecisionError(str(error).splitlines()[0]) from None
        make_or_buy = decision.get("make_or_buy", {})
        if not isinstance(make_or_buy, Mapping):
            raise DecisionError("make_or_buy: a JSON object of function: make, buy or rule")
        for function, choice in make_or_buy.items():
            if function not in BUSINESS_FUNCTIONS:
                raise DecisionError(
                    f"make_or_buy: unknown function {function!r}; "
                    f"functions are {', '.join(BUSINESS_FUNCTIONS)}"
                )
            if choice not in CHOICES:
                raise DecisionError(f"make_or_buy.{function}: make, buy or rule, got {choice!r}")
        vendors = decision.get("vendors", {})
        if not isinstance(vendors, Mapping):
            raise DecisionError("vendors: a JSON object of function: vendor id or null")
        offering = self._offering()
        for function, vendor in vendors.items():
            if function not in BUSINESS_FUNCTIONS:
                raise DecisionError(
                    f"vendors: unknown function {function!r}; functions are {', '.join(BUSINESS_FUNCTIONS)}"
                )
            if vendor is None:
                continue
            allowed = offering.get(function, {})
            if isinstance(vendor, bool) or not isinstance(vendor, int) or vendor not in allowed:
                ids = ", ".join(str(v) for v in sorted(allowed)) or "none"
                raise DecisionError(
                    f"vendors.{function}: a vendor in the market offering it ({ids}) or null, got {vendor!r}"
                )
        return {
            "strategy": dict(strategy),
            "make_or_buy": {**dict.fromkeys(BUSINESS_FUNCTIONS, "rule"), **make_or_buy},
            "vendors": {**dict.fromkeys(BUSINESS_FUNCTIONS), **vendors},
        }

    def _offering(self) -> dict[str, dict[int, int]]:
        """Per function: the vendors in the market offering it, by id, with their place."""
        m = self.model
        if m is None:
            return {}
        vp = m.vendors
        return {
            function: {
                m.vendor_agents[place].unique_id: int(place)
                for place in np.flatnonzero(vp.alive & vp.offers[:, j])
            }
            for j, function in enumerate(BUSINESS_FUNCTIONS)
        }

    def _all_submitted(self) -> bool:
        """Every student of the run who is present and in business has submitted this round."""
        waiting = [p for p in self.players.values() if self.playing(p) and self.present(p)]
        return all(p.submitted_round == self.round for p in waiting)

    # ------------------------------------------------------------------ the teacher
    def start(self, scenario: str | None = None) -> None:
        """Start a run of ``scenario`` (default: the current one) with every student who has
        joined; the model is built afresh with the session's seed and round 1 opens."""
        with self.lock:
            if scenario is not None:
                try:
                    preset_parameters(scenario)
                except ValueError as error:
                    raise DecisionError(f"scenario: {error}") from None
                self.scenario = scenario
            self.run += 1
            self.round = 1
            self.phase = "playing"
            students = sorted(self.players.values(), key=lambda p: p.name.lower())
            for player in students:
                player.run = self.run
                player.decision = _initial_decision()
                player.submitted_round = 0
            self._firms = [p.name for p in students] + list(RULE_FIRMS)
            firms = {p.name: {} for p in students}
            firms.update({name: {"decision_rule": rule} for name, rule in RULE_FIRMS.items()})
            self.model = EcosystemModel(
                rng=self.seed,
                focal_firms=firms,
                **{**PRESETS[self.scenario].overrides, "n_smbs": self.n_smbs, "n_vendors": self.n_vendors},
            )
            self._open_round()

    def settings(self, auto_advance: Any = None, timer_s: Any = None) -> None:
        """Advance when every present student has submitted; a round timer in seconds (0: none)."""
        with self.lock:
            if auto_advance is not None:
                if not isinstance(auto_advance, bool):
                    raise DecisionError(f"auto_advance: true or false, got {auto_advance!r}")
                self.auto_advance = auto_advance
            if timer_s is not None:
                if (
                    isinstance(timer_s, bool)
                    or not isinstance(timer_s, int | float)
                    or not 0 <= timer_s <= 3600
                ):
                    raise DecisionError(f"timer_s: seconds in 0..3600 (0: no timer), got {timer_s!r}")
                self.timer_s = float(timer_s)
                self.deadline = (
                    self.clock() + self.timer_s if self.timer_s and self.phase == "playing" else None
                )

    def advance(self) -> None:
        """Play the open round with every firm's standing decisions, submitted or not."""
        with self.lock:
            if self.phase != "playing":
                raise DecisionError("no round is open: start a scenario first")
            self._advance()

    def tick(self) -> None:
        """Play the round if its timer has run out, or (with ``auto_advance``) once every student
        still present has submitted, someone having left since the last submission; the server
        calls this twice a second."""
        with self.lock:
            if self.phase != "playing":
                return
            timed_out = self.deadline is not None and self.clock() >= self.deadline
            all_in = self.auto_advance and self._submissions() > 0 and self._all_submitted()
            if timed_out or all_in:
                self._advance()

    def _submissions(self) -> int:
        return sum(p.run == self.run and p.submitted_round == self.round for p in self.players.values())

    def _open_round(self) -> None:
        self.deadline = self.clock() + self.timer_s if self.timer_s else None

    def _advance(self) -> None:
        m = self.model
        students = {p.name: p for p in self.players.values() if p.run == self.run}
        self._decisions = {}
        for name in self._firms:
            player = students.get(name)
            if player is None:  # a rule firm: decides by its rule alone
                self._decisions[name] = _initial_decision() | {
                    "strategy": {"decision_rule": RULE_FIRMS[name]}
                }
                continue
            decision = player.decision
            offering = self._offering()
            places = {
                f: offering[f].get(v) if v is not None else None for f, v in decision["vendors"].items()
            }
            if m.smb_active[m.focal_place(name)]:
                m.set_focal_strategy(name, decision["strategy"])
                m.decide_by_hand(name, decision["make_or_buy"], places)
            self._decisions[name] = decision | {"submitted": player.submitted_round == self.round}
        m.review_next_month(self._firms)
        before = {name: focal_report(m, name) for name in self._firms}
        outsourcing = dict.fromkeys(self._firms, 0.0)
        start = time.perf_counter()
        for _ in range(m.params["review_interval"]):
            m.step()
            for name in self._firms:
                cost = focal_report(m, name)["outsourcing_cost"]
                outsourcing[name] += 0.0 if math.isnan(cost) else cost
        self.round_seconds.append(time.perf_counter() - start)
        for name in self._firms:
            self.history.append(self._record(name, before[name], outsourcing[name]))
        if self.round >= self.rounds:
            self.phase = "over"
            self.deadline = None
        else:
            self.round += 1
            self._open_round()

    def _record(self, name: str, before: dict, outsourcing: float) -> dict[str, Any]:
        m = self.model
        i = m.focal_place(name)
        now = focal_report(m, name)
        decision = self._decisions[name]
        strategy = m.smb_agents[i].strategy  # a closed firm's agent still reads its last levers
        row = {
            "scenario": self.scenario,
            "run": self.run,
            "round": self.round,
            "last_month": int(m.steps),
            "firm": name,
            "kind": "rule" if name in RULE_FIRMS else "student",
            "submitted": "" if name in RULE_FIRMS else decision.get("submitted", False),
            **{f: strategy.get(f, "") for f in STRATEGY_FIELDS},
            **{f"make_or_buy_{f}": decision["make_or_buy"][f] for f in BUSINESS_FUNCTIONS},
            **{
                f"vendor_{f}": decision["vendors"][f] if decision["vendors"][f] is not None else ""
                for f in BUSINESS_FUNCTIONS
            },
            "functions_bought": " ".join(f for j, f in enumerate(BUSINESS_FUNCTIONS) if m.outsourced[i, j]),
            "round_profit": now["total_profit"] - before["total_profit"],
            "round_outsourcing_cost": outsourcing,
            "total_profit": now["total_profit"],
            "cash": now["cash"],
            "survived": int(now["survived"]),
            "disruption_months": int(now["disruption_months"]),
            "shirking_suffered": int(now["shirking_suffered"]),
        }
        return row

    # ------------------------------------------------------------------ what the pages show
    def reporters(self) -> dict[str, Any]:
        """The model's own reporters for every focal firm of the run, straight from the model."""
        with self.lock:
            m = self.model
            if m is None:
                return {"month": 0, "firms": {}}
            return {"month": int(m.steps), "firms": {name: focal_report(m, name) for name in self._firms}}

    def leaderboard(self) -> list[dict[str, Any]]:
        """The students of the run, best total profit first (firms that closed last)."""
        with self.lock:
            m = self.model
            if m is None:
                return []
            rows = []
            for player in self.players.values():
                if player.run != self.run:
                    continue
                report = focal_report(m, player.name)
                rows.append({"name": player.name, **report})
            rows.sort(key=lambda r: (-r["survived"], -r["total_profit"], r["name"].lower()))
            return rows

    def teacher_view(self) -> dict[str, Any]:
        with self.lock:
            now = self.clock()
            return {
                "phase": self.phase,
                "round": self.round,
                "rounds": self.rounds,
                "run": self.run,
                "scenario": self.scenario,
                "scenarios": [
                    {"name": name, "question": p.question, "theory": p.theory} for name, p in PRESETS.items()
                ],
                "months_per_round": self._months_per_round(),
                "month": int(self.model.steps) if self.model is not None else 0,
                "players": [
                    {
                        "name": p.name,
                        "present": self.present(p),
                        "submitted": p.run == self.run and p.submitted_round == self.round,
                        "waiting": p.run != self.run,
                        "in_business": self.model is None
                        or p.run != self.run
                        or bool(self.model.smb_active[self.model.focal_place(p.name)]),
                    }
                    for p in sorted(self.players.values(), key=lambda p: p.name.lower())
                ],
                "leaderboard": self.leaderboard(),
                "auto_advance": self.auto_advance,
                "timer_s": self.timer_s,
                "seconds_left": None if self.deadline is None else max(0.0, self.deadline - now),
                "round_seconds": self.round_seconds,
            }

    def _months_per_round(self) -> int:
        return int(preset_parameters(self.scenario)["review_interval"])

    def debrief(self) -> dict[str, Any]:
        """Per firm of the current run: its decisions and results round by round, students and
        rule firms side by side."""
        with self.lock:
            rows = [r for r in self.history if r["run"] == self.run]
            firms: dict[str, dict] = {}
            for row in rows:
                firm = firms.setdefault(row["firm"], {"firm": row["firm"], "kind": row["kind"], "rounds": []})
                firm["rounds"].append(row)
            summary = []
            for firm in firms.values():
                last = firm["rounds"][-1]
                summary.append(
                    {
                        "firm": firm["firm"],
                        "kind": firm["kind"],
                        **{f: last[f] for f in STRATEGY_FIELDS},
                        "by_hand": sum(
                            r[f"make_or_buy_{f}"] != "rule"
                            for r in firm["rounds"]
                            for f in BUSINESS_FUNCTIONS
                        ),
                        "functions_bought": last["functions_bought"],
                        "total_profit": last["total_profit"],
                        "survived": last["survived"],
                        "disruption_months": last["disruption_months"],
                        "shirking_suffered": last["shirking_suffered"],
                    }
                )
            summary.sort(key=lambda r: (r["kind"] != "student", -r["total_profit"]))
            return {
                "scenario": self.scenario,
                "run": self.run,
                "rounds_played": len({r["round"] for r in rows}),
                "firms": summary,
            }

    def player_view(self, token: Any) -> dict[str, Any]:
        """What a student may know: their firm, its functions, the vendors (claims, referrals from
        peers, their own history), the last round's results and their standing decision."""
        with self.lock:
            player = self._player(token)
            player.last_seen = self.clock()
            view = {
                "name": player.name,
                "phase": self.phase,
                "round": self.round,
                "rounds": self.rounds,
                "run": self.run,
                "scenario": self.scenario,
                "question": PRESETS[self.scenario].question,
                "months_per_round": self._months_per_round(),
                "submitted": player.submitted_round == self.round and player.run == self.run,
                "waiting": player.run != self.run,
                "decision": player.decision,
                "choices": _choices(),
            }
            m = self.model
            if m is None or player.run != self.run:
                return view
            i = m.focal_place(player.name)
            report = focal_report(m, player.name)
            mine = [r for r in self.history if r["run"] == self.run and r["firm"] == player.name]
            view.update(
                month=int(m.steps),
                in_business=bool(m.smb_active[i]),
                current_strategy=m.smb_agents[i].strategy if m.smb_active[i] else {},
                firm=report,
                last_round=mine[-1] if mine else None,
                functions=self._functions(i),
                vendors=self._vendors(i),
            )
            return view

    def _functions(self, i: int) -> list[dict[str, Any]]:
        m, f = self.model, self.model.functions
        c = m.contracts
        act = c.active_index()
        act = act[c.smb[act] == i]
        out = []
        for j, name in enumerate(BUSINESS_FUNCTIONS):
            serving = act[c.function[act] == j]
            out.append(
                {
                    "name": name,
                    "importance": float(m.weights[i, j]),
                    "specificity": float(f.specificity[i, j]),
                    "uncertainty": float(f.uncertainty[i, j]),
                    "make_cost": float(m.make_cost[i, j]),
                    "capability": float(f.capability[i, j]),
                    "bought": bool(m.outsourced[i, j]),
                    "vendors": [m.vendor_agents[v].unique_id for v in c.vendor[serving].tolist()],
                    "fees": float(c.fee[serving].sum()),
                }
            )
        return out

    def _vendors(self, i: int) -> list[dict[str, Any]]:
        m, vp = self.model, self.model.vendors
        month = int(m.steps)
        peers = [j for j in m.peers.graph.neighbors(i) if m.smb_active[j]]
        c = m.contracts
        act = c.active_index()
        mine = act[c.smb[act] == i]
        out = []
        for place in np.flatnonzero(vp.alive).tolist():
            own = m.pairs.find(np.array([i]), np.array([place]))[0]
            own_info = own_precision = 0.0
            screened = None
            if own >= 0:
                info, precision = m.pairs.observation(np.array([own]), month)
                own_info, own_precision = float(info[0]), float(precision[0])
                if m.pairs.screen_precision[own] > 0:
                    screened = float(m.pairs.screen_value[own])
            peer_pairs = m.pairs.find(np.array(peers, dtype=np.int64), np.full(len(peers), place))
            peer_pairs = peer_pairs[peer_pairs >= 0]
            ratings = []
            if len(peer_pairs):
                info, precision = m.pairs.observation(peer_pairs, month)
                ratings = (info[precision > 0] / precision[precision > 0]).tolist()
            serving = [BUSINESS_FUNCTIONS[j] for j in c.function[mine[c.vendor[mine] == place]].tolist()]
            out.append(
                {
                    "id": m.vendor_agents[place].unique_id,
                    "location": LOCATIONS[vp.location[place]],
                    "offers": [f for j, f in enumerate(BUSINESS_FUNCTIONS) if vp.offers[place, j]],
                    "price": float(vp.price[place]),
                    "claimed_quality": float(vp.claimed_quality[place]),
                    "referrals": len(ratings),
                    "referral_quality": float(np.mean(ratings)) if ratings else None,
                    "own_quality": own_info / own_precision if own_precision > 0 else None,
                    "screened_quality": screened,
                    "serving_you": serving,
                }
            )
        return out

    # ------------------------------------------------------------------ export
    def csv_text(self) -> str:
        """Every firm's decisions and results, round by round, over every run of the session."""
        with self.lock:
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
            writer.writeheader()
            for row in self.history:
                writer.writerow({k: _cell(v) for k, v in row.items()})
            return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.6g}"
    return value


def _choices() -> dict[str, Any]:
    """The strategy fields' allowed values from the parameter schema, for the decision form."""
    out = {}
    for name in STRATEGY_FIELDS:
        spec = parameter("focal." + name)
        # the market parameter's description, without what it says of mixes (a firm has no mix)
        sentences = re.split(r"(?<=\.) (?=[A-Z])", parameter(name).description)
        about = " ".join(s for s in sentences if "mix" not in s)
        if spec.choices is not None:
            out[name] = {"choices": list(spec.choices), "description": about}
        else:
            out[name] = {"low": spec.low, "high": spec.high, "description": about}
    return out
