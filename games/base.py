"""What every game offers: analytic payoffs, protocol rules (play), symbolic form, metric statistics."""
from __future__ import annotations

import hashlib
import json
import threading
from abc import ABC, abstractmethod
from contextlib import contextmanager
from dataclasses import dataclass, fields, is_dataclass, replace
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from provergame.errors import InvalidParameter
from provergame.model import Population
from provergame.params import Array, Instance, dataclass_fields, spec_of

from .traits import TIMING_FAMILIES, GameTraits, StallForm

PROVERS = Instance(cls=Population, from_dict=False, doc="the prover population")
_TRUSTED = threading.local()


@contextmanager
def trusted_profiles():
    """Within this block check_profile only converts to float: for solvers whose every profile is
    built from a checked one and strategies clipped into the bounds (deviation searches)."""
    before = getattr(_TRUSTED, "on", False)
    _TRUSTED.on = True
    try:
        yield
    finally:
        _TRUSTED.on = before
OPTIONAL_PROVERS = Instance(cls=Population, from_dict=False, optional=True, doc="the prover population")


def _profile_key(profile: np.ndarray) -> bytes:
    return profile.tobytes() + str(profile.shape).encode()


@lru_cache(maxsize=None)
def _derived_names(cls: type) -> frozenset[str]:
    """Attributes a game of class `cls` derives and keeps in its __dict__ (rebuilt on demand)."""
    names = {"_kept_for", "_bounds"}
    for klass in cls.__mro__:
        names.update(value.attrname or attr for attr, value in vars(klass).items() if isinstance(value, cached_property))
    return frozenset(names)


@dataclass(frozen=True)
class Outcomes:
    """What `play` observed, one row per round: the simulator's raw material.

    reward, cost: (rounds, n) paid to / spent by each prover; attempted: (rounds, n) bool, whether the
    player proves (or, as an int, how many provers its block employs: participants count provers);
    accepted: (rounds,) a proof was accepted; user_payment: (rounds,) total paid by users;
    useful_cost: (rounds,) proving cost of the accepted proof(s).
    proof_time: (rounds,) when the round's proof landed, in the scenario's time unit from the start of
    the round (+inf: no proof, or one that cannot be on time); None only for games whose timing is
    "none". served: (rounds,) share of the round's demand proved (markets; None: 1 where accepted);
    when given, eventual liveness is its mean.
    """

    reward: np.ndarray | None
    cost: np.ndarray | None
    attempted: np.ndarray | None
    accepted: np.ndarray
    user_payment: np.ndarray
    useful_cost: np.ndarray
    proof_time: np.ndarray | None = None
    served: np.ndarray | None = None
    assignments: "Assignments | None" = None      # sparse form of reward, cost, attempted (then None)

    def dense(self) -> "Outcomes":
        """These outcomes with (rounds, n) reward, cost and attempted arrays."""
        if self.assignments is None:
            return self
        reward, cost, attempted = self.assignments.dense()
        return replace(self, reward=reward, cost=cost, attempted=attempted, assignments=None)

    def moments(self) -> "ProverMoments":
        """Per-prover sums over the rounds of payoff, payoff^2, reward, cost, cost^2 and attempts, and the
        smallest nonzero |reward| (the simulator's raw totals), from whichever form the outcomes are in."""
        if self.assignments is not None:
            return self.assignments.moments()
        payoff = self.reward - self.cost
        nonzero = np.abs(self.reward[self.reward != 0])
        return ProverMoments(payoff.sum(axis=0), np.einsum("ij,ij->j", payoff, payoff), self.reward.sum(axis=0),
                             self.cost.sum(axis=0), np.einsum("ij,ij->j", self.cost, self.cost),
                             self.attempted.sum(axis=0), float(nonzero.min()) if nonzero.size else np.inf)

    def totals(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-prover sums over the rounds of reward, cost and attempts (what a ledger needs; moments
        adds the squares the simulator's standard errors need)."""
        a = self.assignments
        if a is None:
            return self.reward.sum(axis=0), self.cost.sum(axis=0), self.attempted.sum(axis=0)
        return np.bincount(a.col, a.reward, a.n), np.bincount(a.col, a.cost, a.n) + a.rounds * a.standing, a.attempts()

    def by_round(self) -> "Outcomes":
        """These outcomes with their events sorted by round (rows explicit), so that `between` can cut them."""
        a = self.assignments
        if a is None:
            return self
        row = np.arange(a.rounds) if a.row is None else np.asarray(a.row)
        order = np.argsort(row, kind="stable")
        return replace(self, assignments=replace(a, row=row[order], col=a.col[order], reward=a.reward[order],
                                                 cost=a.cost[order], attempted=a.attempted[order]))

    def between(self, lo: int, hi: int) -> "Outcomes":
        """Rounds lo to hi - 1 as outcomes of their own (of outcomes from `by_round`)."""
        cut = slice(lo, hi)
        part = lambda x: None if x is None else x[cut]        # noqa: E731
        a = self.assignments
        if a is not None:
            events = slice(*np.searchsorted(a.row, (lo, hi)))
            a = Assignments(hi - lo, a.n, a.row[events] - lo, a.col[events], a.reward[events], a.cost[events],
                            a.attempted[events], a.standing, a.standing_attempted)
        return Outcomes(part(self.reward), part(self.cost), part(self.attempted), self.accepted[cut],
                        self.user_payment[cut], self.useful_cost[cut], part(self.proof_time), part(self.served), a)

    def epoch_totals(self, units: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`totals` of each epoch's consecutive rounds, (epochs, n) each (of outcomes from `by_round`): `units`
        rounds each (an int), or `units[j]` rounds for epoch j (an array, zeros allowed)."""
        a = self.assignments
        if np.ndim(units) == 0:
            units = np.full(len(self.accepted) // int(units), int(units))
        units = np.asarray(units, dtype=np.int64)
        k, same = len(units), len(units) and bool(np.all(units == units[0]))
        if a is None:
            if same:
                return tuple(np.asarray(x, dtype=float).reshape(k, int(units[0]), -1).sum(axis=1)
                             for x in (self.reward, self.cost, self.attempted))
            starts = np.cumsum(units) - units
            out = [np.zeros((k, np.shape(self.reward)[1])) for _ in range(3)]
            for u in np.unique(units[units > 0]):       # epochs of u rounds summed as `totals` sums one epoch's
                at = np.flatnonzero(units == u)
                rows = (starts[at][:, None] + np.arange(u)).ravel()
                for sums, x in zip(out, (self.reward, self.cost, self.attempted)):
                    sums[at] = np.asarray(x, dtype=float)[rows].reshape(len(at), u, -1).sum(axis=1)
            return tuple(out)
        epoch = np.asarray(a.row) // int(units[0]) if same else np.repeat(np.arange(k), units)[np.asarray(a.row)]
        cell = epoch * a.n + a.col
        sums = [np.bincount(cell, np.asarray(v, dtype=float), k * a.n).astype(float).reshape(k, a.n)
                for v in (a.reward, a.cost, a.attempted)]
        sums[1] += units[:, None] * a.standing
        if a.standing_attempted is not None:
            sums[2] += units[:, None] * a.standing_attempted
        return tuple(sums)

    def proved(self) -> np.ndarray:
        """(rounds,) whether the round's demand was proved in full (accepted; markets: all of it served)."""
        return self.accepted if self.served is None else np.asarray(self.served) >= 1

    def on_time(self, window: float) -> np.ndarray:
        """(rounds,) share of the round's demand proved within `window`."""
        served = self.accepted.astype(float) if self.served is None else np.asarray(self.served, dtype=float)
        if self.proof_time is None:
            return served
        return served * (self.proof_time <= window)


@dataclass(frozen=True)
class ProverMoments:
    payoff: np.ndarray
    payoff_sq: np.ndarray
    reward: np.ndarray
    cost: np.ndarray
    cost_sq: np.ndarray
    attempts: np.ndarray
    smallest_reward: float


@dataclass(frozen=True)
class Assignments:
    """Sparse per-round outcomes of games that assign each unit of work to few provers: at (row[k],
    col[k]) the prover earned reward[k], spent cost[k] and attempted[k] (each cell at most once); every
    prover also pays standing[i] in every round (a stake's carrying cost, a race entrant's proving
    cost) and, when given, attempts standing_attempted[i] times in every round (a race's entrants).
    Equal to the dense arrays it stands for, at O(events) instead of O(rounds x n) work. row None: one
    event per round, in order."""

    rounds: int
    n: int
    row: np.ndarray | None
    col: np.ndarray
    reward: np.ndarray
    cost: np.ndarray
    attempted: np.ndarray
    standing: np.ndarray
    standing_attempted: np.ndarray | None = None

    def dense(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        reward = np.zeros((self.rounds, self.n))
        cost = np.broadcast_to(self.standing, (self.rounds, self.n)).astype(float)
        attempted = np.broadcast_to(self._standing_attempts(), (self.rounds, self.n)).astype(self.attempted.dtype)
        row = np.arange(self.rounds) if self.row is None else self.row
        reward[row, self.col] = self.reward
        cost[row, self.col] += self.cost
        attempted[row, self.col] += self.attempted
        return reward, cost, attempted

    def _standing_attempts(self) -> np.ndarray:
        return np.zeros(self.n) if self.standing_attempted is None else self.standing_attempted

    def attempts(self) -> np.ndarray:
        """Per-prover attempts over the rounds."""
        return np.bincount(self.col, self.attempted.astype(float), self.n) + self.rounds * self._standing_attempts()

    def moments(self) -> ProverMoments:
        s, n, col = self.standing, self.n, self.col
        count = np.bincount(col, minlength=n)
        payoff = self.reward - self.cost - s[col]
        cost = self.cost + s[col]
        idle = self.rounds - count                 # rounds in which the prover only pays its standing cost
        nonzero = np.abs(self.reward[self.reward != 0])
        return ProverMoments(
            np.bincount(col, payoff, n) - idle * s, np.bincount(col, payoff * payoff, n) + idle * s * s,
            np.bincount(col, self.reward, n), np.bincount(col, cost, n) + idle * s,
            np.bincount(col, cost * cost, n) + idle * s * s, self.attempts(),
            float(nonzero.min()) if nonzero.size else np.inf)


@dataclass(frozen=True)
class Stats:
    """Expected per-round quantities from the analytic side (same meaning as Outcomes' means);
    `eventual_liveness`: some valid proof, or the share of demand served, whenever it lands (on-time
    liveness is `Game.on_time`)."""

    reward: np.ndarray
    cost: np.ndarray
    participation: np.ndarray
    eventual_liveness: float
    user_payment: float
    useful_cost: float


@dataclass(frozen=True)
class ProfileValues:
    """Per-profile values of a batch of profiles (rows): payoffs and rewards (rows, n), the users'
    payment, eventual and on-time liveness (rows,)."""

    payoffs: np.ndarray
    reward: np.ndarray
    user_payment: np.ndarray
    eventual_liveness: np.ndarray
    on_time: np.ndarray


def astuple_shallow(obj: Any) -> tuple:
    """A dataclass's field values in declaration order (dataclasses.astuple without its deep copy)."""
    return tuple(getattr(obj, f.name) for f in fields(obj))


class BroadcastFace:
    """Mixin of games whose `stats` and `on_time` broadcast over leading profile axes (Stats' scalar
    fields become arrays): their profile values come from one call, not one per profile."""

    PROFILES_AT_ONCE: ClassVar[int] = 64     # rows per call: quadrature arrays stay in cache (16 and 64 measured alike,
                                             # 256 1.6x slower, all 4,096 at once 2.7x)

    def profile_values(self, profiles: np.ndarray, window: float) -> ProfileValues:
        rows = np.atleast_2d(self.check_profile(profiles))
        parts = [self._profile_block(rows[i:i + self.PROFILES_AT_ONCE], window)
                 for i in range(0, rows.shape[0], self.PROFILES_AT_ONCE)]
        return ProfileValues(*(np.concatenate(field) for field in zip(*(astuple_shallow(p) for p in parts))))

    def _profile_block(self, rows: np.ndarray, window: float) -> ProfileValues:
        s = self.stats(rows)
        every = rows.shape[:-1]
        return ProfileValues(payoffs=self.expected_payoffs(rows), reward=np.broadcast_to(s.reward, rows.shape),
                             user_payment=np.broadcast_to(s.user_payment, every),
                             eventual_liveness=np.broadcast_to(s.eventual_liveness, every),
                             on_time=np.broadcast_to(self.on_time(rows, window), every))


class Game(ABC):
    """Base of every mechanism. Subclasses are frozen dataclasses of their parameters, each field
    declared with its spec (`provergame.params.param`), registered by kind (`games.registry`).

    A profile is a float array with one entry per player (`traits.strategy_label` says what it means).
    `expected_payoffs` broadcasts over leading dimensions: profile (..., n) -> payoffs (..., n).
    What the game is (players, timing family, strategy kind, budget, seats, limits) is its one
    `traits` record (`games.traits.GameTraits`); optional capabilities (withholding, sequencer attacks,
    continuous-strategy search, sybil splitting) are the typed protocols of `games.protocols`.
    """

    kind: ClassVar[str] = ""                    # registered name; the scenario's `kind` (set by register)
    traits: ClassVar[GameTraits]                # what the game is: games.traits.GameTraits (checked by register)
    if TYPE_CHECKING:                           # a field of most games; a property where others are the players
        @property
        def provers(self) -> Population: ...

    def __post_init__(self) -> None:
        validate_fields(self)
        for f in dataclass_fields(self):
            if isinstance(getattr(self, f.name), Population):
                self._check_size(f.name, len(getattr(self, f.name)))
        self._validate()
        self._check_size(self.traits.players_field, len(self.players))

    def _validate(self) -> None:
        """Rules that tie several fields together (each field's own range is its spec's job)."""

    def __getstate__(self) -> dict[str, Any]:
        """The game without what it derived and kept (cached properties, kept_for results, bounds): a
        game sent between processes carries its parameters, not megabytes of caches (nor the imports
        they need, such as a frozen scipy distribution), and rebuilds those where they are used."""
        derived = _derived_names(type(self))
        return {k: v for k, v in self.__dict__.items() if k not in derived}

    def _check_size(self, name: str, count: int) -> None:
        limit = self.traits.max_provers
        if count > limit:
            raise InvalidParameter(name, count, f"at most {limit} players for {self.kind or self.title} "
                                   f"(the size up to which its solver and analyses are meant to run)")

    @classmethod
    @abstractmethod
    def example(cls, n: int | None = None) -> "Game":
        """A small valid instance (with n players when given), for tests, docs and templates."""

    @property
    def players(self) -> Population:
        """Who chooses strategies: the provers, except in sequencer games."""
        return self.provers

    @cached_property
    def n(self) -> int:
        return len(self.players)

    @property
    def finite(self) -> bool:
        """Whether a profile entry is an entry probability (pure strategies: enter or not)."""
        return self.traits.finite

    @property
    def stall_form(self) -> StallForm:
        """How delivery falls as provers withhold, at these parameters (traits.stall_form)."""
        return self.traits.stall_form_of(self)

    @property
    def identity_weighted(self) -> bool:
        """Whether the protocol picks among identities at these parameters (traits.identity_weighted)."""
        return self.traits.is_identity_weighted(self)

    @property
    def title(self) -> str:
        return type(self).__name__

    def strategy_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.n), np.ones(self.n)

    def kept_for(self, name: str, profile: np.ndarray, build: Any) -> Any:
        """`build()`, a pure function of `profile` and the game, kept for the last profile asked under
        `name`: the simulator, the timeline and the regret search call a game again and again at one
        profile, and the game is immutable, so what it derives from that profile is built once."""
        key = _profile_key(profile)
        table = self.__dict__.setdefault("_kept_for", {})      # beside the fields, never in their way
        kept = table.get(name)
        if kept is None or kept[0] != key:
            kept = (key, build())
            table[name] = kept
        return kept[1]

    def is_kept(self, name: str, profile: np.ndarray) -> bool:
        """Whether kept_for(name, profile, ...) would return a kept result without building."""
        kept = self.__dict__.get("_kept_for", {}).get(name)
        return kept is not None and kept[0] == _profile_key(profile)

    def check_profile(self, profile: Any) -> np.ndarray:
        if getattr(_TRUSTED, "on", False):
            return np.asarray(profile, dtype=float)
        try:
            p = np.asarray(profile, dtype=float)
        except (TypeError, ValueError, OverflowError):
            raise InvalidParameter("profile", profile, f"an array of {self.n} real numbers") from None
        if p.shape[-1:] != (self.n,):
            raise InvalidParameter("profile", profile, f"an array whose last axis has length {self.n}")
        return self._bounded(p, -1, lambda idx: f"profile[{idx[-1]}]")

    def check_one_profile(self, profile: Any) -> np.ndarray:
        """One strategy per player: a 1-d profile within each player's bounds (the public API's profiles;
        the analytic face alone broadcasts over leading axes)."""
        p = self.check_profile(profile)
        if p.ndim != 1:
            raise InvalidParameter("profile", f"an array of shape {p.shape}",
                                   f"one strategy per player: a 1-d array of length {self.n}")
        return p

    def check_candidates(self, candidates: Any) -> np.ndarray:
        """(n, m) strategies each player may deviate to, each within its own bounds (as check_profile)."""
        if getattr(_TRUSTED, "on", False):
            return np.asarray(candidates, dtype=float)
        try:
            cand = np.asarray(candidates, dtype=float)
        except (TypeError, ValueError):
            raise InvalidParameter("candidates", candidates, f"an (n = {self.n}, m) array of real numbers") from None
        if cand.ndim != 2 or cand.shape[0] != self.n:
            raise InvalidParameter("candidates", f"shape {cand.shape}", f"an (n = {self.n}, m) array")
        return self._bounded(cand, 0, lambda idx: f"candidates[{idx[0]}, {idx[1]}]")

    def _bounded(self, x: np.ndarray, axis: int, name: Any) -> np.ndarray:
        """x clipped into each player's strategy bounds (players along `axis`: -1 or 0), or InvalidParameter
        naming (`name(index)`) the first entry outside them or not finite."""
        kept = self.__dict__.get("_bounds")         # the game is immutable: its bounds are computed once
        if kept is None:
            lo, hi = (np.asarray(b, dtype=float) for b in self.strategy_bounds())
            kept = self.__dict__.setdefault("_bounds", (lo, hi, lo - 1e-12, hi + 1e-12,
                                                        bool(np.isfinite(lo).all() and np.isfinite(hi).all())))
        lo, hi, lo_tol, hi_tol, finite = kept
        low, high = (lo, hi) if axis == -1 else (lo[:, None], hi[:, None])
        low_tol, high_tol = (lo_tol, hi_tol) if axis == -1 else (lo_tol[:, None], hi_tol[:, None])
        if not (((x >= low_tol) & (x <= high_tol)).all() and (finite or np.isfinite(x).all())):   # NaN fails both
            bad = ~np.isfinite(x) | (x < low_tol) | (x > high_tol)
            idx = tuple(int(v) for v in np.argwhere(bad)[0])
            i = idx[axis]
            label = self.traits.strategy_label
            article = "an" if label[:1] in "aeiou" else "a"
            raise InvalidParameter(name(idx), float(x[idx]), f"{article} {label} in [{lo[i]}, {hi[i]}]")
        return np.minimum(np.maximum(x, low), high)

    # --- analytic face -------------------------------------------------------------
    @abstractmethod
    def expected_payoffs(self, profile: Any) -> np.ndarray:
        """Closed-form expected payoff of every player, broadcasting over leading profile axes."""

    def deviation_payoffs(self, profile: Any, candidates: np.ndarray) -> np.ndarray:
        """Payoff of player i playing candidates[i, k] while the others keep `profile`: (n, m)."""
        p = self.check_profile(profile)
        cand = self.check_candidates(candidates)
        n, m = cand.shape
        batch = np.broadcast_to(p, (n, m, n)).copy()
        batch[np.arange(n), :, np.arange(n)] = cand
        pay = self.expected_payoffs(batch)
        return pay[np.arange(n), :, np.arange(n)]

    @abstractmethod
    def stats(self, profile: Any) -> Stats:
        """Expected per-round rewards, costs, participation, liveness and payments (metrics face)."""

    @abstractmethod
    def on_time(self, profile: Any, window: float) -> float:
        """P(a valid proof lands within `window` time units of the round's start) at `profile`; for
        markets, the expected share of demand served (on-time liveness, see TIMINGS)."""

    def profile_values(self, profiles: np.ndarray, window: float) -> ProfileValues:
        """Payoffs, rewards, payments and liveness at each profile (row) of `profiles`: what the
        correlated-equilibrium tables read over a finite game's pure profiles. One profile at a time
        here; games whose stats and on_time broadcast (BroadcastFace) answer in one call."""
        rows = np.atleast_2d(self.check_profile(profiles))
        stats = [self.stats(row) for row in rows]
        return ProfileValues(payoffs=self.expected_payoffs(rows), reward=np.array([s.reward for s in stats]),
                             user_payment=np.array([s.user_payment for s in stats]),
                             eventual_liveness=np.array([s.eventual_liveness for s in stats]),
                             on_time=np.array([self.on_time(row, window) for row in rows]))

    @property
    def units_per_round(self) -> float:
        """Proofs one round asks for (1: one block's proof; a market's demand of several units), so that
        user cost is per proof landed in every game."""
        return 1.0

    def seats(self, profile: Any) -> int | None:
        """Provers holding a seat (a pool or active-set place) at `profile`; None where there are no seats.
        Reported beside participants, which counts provers attempting each unit of work."""
        return None

    # --- protocol face ---------------------------------------------------------------
    @abstractmethod
    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        """The mechanism's rules played for `rounds` rounds (the simulator's only entry point)."""

    # --- symbolic face ---------------------------------------------------------------
    def symbolic(self) -> dict[str, Any]:
        return {}

    def mechanism_theorems(self) -> list:
        """Theorems over the mechanism's own symbolic face (proofs.*)."""
        return []

    def theorems(self) -> list:
        """The mechanism's theorems and those of the on-time liveness law of its timing family."""
        from provergame.games.forms import forms
        from provergame.proofs import liveness
        return self.mechanism_theorems() + liveness.theorems(self.traits.timing, forms())

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        """(name, an expression of `symbolic()`, values for its symbols from this game's parameters, the
        numeric face's value in the same case): the conformance suite checks they agree to 1e-9."""
        return []

    # --- solver hook: (profile, method, exact) -----------------------------------------
    @abstractmethod
    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        """The game's own solver: (profile, method, exact); pg.solve adds the regret certificate."""

    def with_provers(self, index: Any, **changes: Any) -> "Game":
        """The same game restricted to the provers at `index`: the population and every per-prover
        parameter (an Array sized by `provers`) are sliced together (`changes`: other fields to set)."""
        idx = np.asarray(index)
        for f in dataclass_fields(self):
            spec, value = spec_of(f), getattr(self, f.name)
            if f.name in changes:
                continue
            if isinstance(value, Population):
                changes[f.name] = value.take(idx)
            elif isinstance(spec, Array) and spec.length == "provers" and value is not None:
                changes[f.name] = value[idx]
        return replace(self, **changes)

    def without(self, leaving: Any) -> "Game":
        """The game after the provers in the boolean mask `leaving` withdraw (a residual game): the
        others keep their parameters; seat counts shrink to the provers left when they exceed them."""
        stay = np.flatnonzero(~np.asarray(leaving, dtype=bool))
        if stay.size == 0:
            raise InvalidParameter("leaving", "every prover", "a coalition that leaves at least one prover")
        seats = {f: stay.size for f in self.traits.seat_fields if getattr(self, f) > stay.size}
        return self.with_provers(stay, **seats)

    # --- identity and tables -----------------------------------------------------------
    def identity(self) -> dict[str, Any]:
        """Canonical, stable identity: kind, every parameter (the population included), version."""
        return {"kind": self.kind or self.title, "version": _library_version(),
                "params": {f.name: canonical(getattr(self, f.name)) for f in dataclass_fields(self)}}

    def fingerprint(self) -> str:
        """SHA-256 of the canonical identity: equal exactly when the games are the same."""
        blob = json.dumps(self.identity(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()

    def parameters(self) -> dict[str, Any]:
        """Scalar parameters for tables (the population is summarised separately)."""
        out = {}
        for f in dataclass_fields(self):
            v = getattr(self, f.name)
            if isinstance(v, (int, float, str, bool)):
                out[f.name] = v
        if self.traits.proving:
            out["provers"] = self.n
        else:
            out["players"] = self.n
            if isinstance(getattr(self, "provers", None), Population):
                out["provers"] = len(self.provers)
        return out


TIMINGS = TIMING_FAMILIES          # how a proof's landing time arises, by timing family


def check_game(value: Any, name: str = "game") -> "Game":
    """A provergame game (provergame.games), or InvalidParameter naming the argument."""
    if not isinstance(value, Game):
        raise InvalidParameter(name, type(value).__name__, "a provergame game (see provergame.games)")
    return value


class EntryGame(Game):
    """Each prover enters (pays `cost`) with some probability; entering earns `entry_values`.

    Payoff of i = p_i (V_i(p_-i) - cost_i), linear in its own p_i, so pure deviations certify regret.
    """

    @abstractmethod
    def entry_values(self, profile: np.ndarray) -> np.ndarray:
        """V_i: expected reward of i if it enters, given the others' entry probabilities."""

    def entry_cost(self) -> np.ndarray:
        return self.provers.cost

    def expected_payoffs(self, profile: Any) -> np.ndarray:
        p = self.check_profile(profile)
        return p * (self.entry_values(p) - self.entry_cost())

    def deviation_payoffs(self, profile: Any, candidates: np.ndarray) -> np.ndarray:
        p = self.check_profile(profile)
        gain = self.entry_values(p) - self.entry_cost()
        return self.check_candidates(candidates) * gain[:, None]

    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        from provergame.solvers.entry import solve_entry_game
        return solve_entry_game(self, symmetric=symmetric)


def validate_fields(obj: Any) -> None:
    """Check and normalise every field of a dataclass by its declared spec (in declaration order);
    arrays sized by another field are fitted once every field is known."""
    sized = []
    for f in fields(obj):
        spec = spec_of(f)
        if spec is None:
            continue
        value = spec.check(f.name, getattr(obj, f.name))
        object.__setattr__(obj, f.name, value)
        if isinstance(spec, Array) and spec.length and value is not None:
            sized.append((f.name, spec))
    for name, spec in sized:
        size = getattr(obj, spec.length)
        size = len(size) if isinstance(size, Population) else int(size)
        object.__setattr__(obj, name, spec.fit(name, getattr(obj, name), size))


def canonical(value: Any) -> Any:
    """A JSON-ready, exact rendering of a parameter value (floats by repr, arrays as lists)."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return canonical(value.item())
    if isinstance(value, np.ndarray):
        return {"shape": list(value.shape), "data": [repr(float(x)) for x in value.ravel()]}
    if isinstance(value, Population):
        return {"names": list(value.names), **{k: canonical(getattr(value, k)) for k in
                                               Population.COLUMNS}}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, Game):
        ident = value.identity()
        ident.pop("version")
        return ident
    if is_dataclass(value):
        return {"type": type(value).__name__, **{f.name: canonical(getattr(value, f.name)) for f in fields(value)}}
    dist = getattr(value, "dist", None)
    if dist is not None and hasattr(value, "args"):      # a frozen scipy.stats law
        return {"law": dist.name, "args": canonical(list(value.args)), "kwds": canonical(dict(value.kwds))}
    raise InvalidParameter("parameter", type(value).__name__, "a number, string, array, population or game")


@lru_cache(maxsize=1)
def _library_version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("provergame")
    except PackageNotFoundError:  # pragma: no cover - a source tree without install
        return "0.0.0+local"


def example_provers(n: int, seed: int = 0) -> Population:
    """A heterogeneous population for examples and tests: costs around 1, rates 0.5-2, stakes 1-10,
    reliabilities 0.85-1, capacities 1-3 (seeded)."""
    rng = np.random.default_rng(seed)
    return Population.from_arrays(cost=rng.lognormal(0.0, 0.3, n), rate=rng.uniform(0.5, 2.0, n),
                                  stake=rng.uniform(1.0, 10.0, n), reliability=rng.uniform(0.85, 1.0, n),
                                  capacity=rng.uniform(1.0, 3.0, n))
