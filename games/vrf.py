"""Protocol-elected provers: selection by VRF over stake or identities, Taiko's pool, turns.

Seed: "The chosen prover(s) can be decided by the protocol itself, such as via a VRF", vetted by
stake; Taiko keeps "a pool of 32 provers, ranked based on stake and fees requested, and use a VRF
to choose among them"; Starknet weighs stake-based turns against turn-based auctions.
"""
from __future__ import annotations

from functools import cached_property
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, ClassVar

import numpy as np
from provergame.lazy import sympy as sp
from provergame.lazy import special

from provergame.errors import InvalidParameter
from provergame.model import Population
from provergame.params import Choice, Int, Real, param
from provergame.solvers import contest, exponential_race as er

from .base import PROVERS, Assignments, BroadcastFace, Game, Outcomes, Stats, example_provers
from .registry import register, route
from . import failover, ladder
from .failover import deadline_field, failover_field
from .rules import delivery_margin, elected_on_time, entries as _entries
from .rules import first_assignment_times, proving_times, scalar_or_rows
from .rules import valid_draws as _valid
from .rules import assigned as _assigned, categorical as _categorical, inverse_cdf
from .rules import failover_on_time, failover_slots, ladder_attempts
from .rules import scheduled_failover_attempts, weighted_draw_order as _weighted_draw_order
from .traits import ByChoice, GameTraits, StallForm, StrategyKind, TimingFamily, WhenChoice


@dataclass(frozen=True)
class _VRFSelection(BroadcastFace, Game):
    """Each unit of work goes to one registered identity drawn by VRF: with probability proportional
    to its stake (`weighting` "stake") or uniformly among identities with stake >= min_stake
    ("identity").

    The drawn prover pays its proving `cost` and delivers with its `reliability`; on failure it is
    slashed `slash` and the unit is re-drawn among the others. Re-drawing in proportion to weight is
    Plackett-Luce sampling, so P(i reached) = int w_i e^{-w_i t} prod_{j!=i}(1 - q_j (1 - e^{-w_j t})) dt
    with q_j = reliability_j (the exponential-race identity). Locking stake costs `stake_cost` per
    unit per round. `choose` "entry": each prover registers its given stake or not; "stake": each
    prover chooses how much to lock (a Tullock contest when reliability is 1). The rules are shared;
    each (weighting, choose) pair is its own registered kind, since the strategy space and the
    selection law differ.
    """
    weighting: ClassVar[str] = "stake"
    choose: ClassVar[str] = "entry"

    reward: float = param(Real(lo=0, unit="token per proof", doc="paid to the prover that delivers"))
    provers: Population = param(PROVERS)
    min_stake: float = param(Real(lo=0, unit="token", doc="stake an identity needs to register"), 0.0)
    stake_cost: float = param(Real(lo=0, unit="token per token per round", doc="cost of locking stake"), 0.0)
    slash: float = param(Real(lo=0, unit="token", doc="taken from a drawn prover that fails"), 0.0)
    failover: str = failover_field("it holds the unit for the whole window (a re-draw lands after it)")
    failover_deadline: float = deadline_field()

    @classmethod
    def example(cls, n: int | None = None) -> "_VRFSelection":
        return cls(10.0, example_provers(n or 6), slash=1.0)

    def entry_variant(self, weighting: str) -> "_VRFSelection":
        """The entry game with these parameters and the given VRF weighting ("stake" or "identity")."""
        cls = StakeVRF if weighting == "stake" else IdentityVRF
        return cls(self.reward, self.provers, min_stake=self.min_stake, stake_cost=self.stake_cost, slash=self.slash,
                   failover=self.failover, failover_deadline=self.failover_deadline)

    @cached_property
    def success(self) -> np.ndarray:
        """P(a drawn prover delivers within its turn): its reliability rho_i, times 1 - e^{-r_i d} under a
        failover deadline d (a later proof is not accepted). Every payoff and re-draw law runs on it."""
        return failover.success(self.provers.reliability, self.provers.rate, self.failover, self.failover_deadline)

    @property
    def eligible(self) -> np.ndarray:
        return self.provers.stake >= self.min_stake if self.weighting == "identity" else (
            (self.provers.stake >= self.min_stake) & (self.provers.stake > 0))

    def strategy_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        if self.choose == "entry":
            return np.zeros(self.n), self.eligible.astype(float)
        return np.zeros(self.n), np.full(self.n, self.reward / self.stake_cost)

    def _weights_presence(self, profile: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rho = self.success
        if self.choose == "stake":
            return profile, np.broadcast_to(rho, profile.shape)
        base = self.provers.stake if self.weighting == "stake" else np.ones(self.n)
        return base * self.eligible, profile * rho          # fixed weights: one race law for every profile

    def reach(self, profile: Any) -> np.ndarray:
        """P(i is drawn at some point in the round | i registered)."""
        p = np.asarray(profile, dtype=float)
        weights, presence = self._weights_presence(p)
        if self.choose == "entry" and np.all(weights > 0) and np.all((p == 0.0) | (p == 1.0)):
            return er.first_finish_pure(p == 1.0, np.broadcast_to(self.success, (self.n,)), weights)
        return er.first_finish(presence, weights)

    def _margin(self) -> np.ndarray:
        return delivery_margin(self.success, self.reward, self.provers.cost, self.slash)

    def entry_values(self, profile: np.ndarray) -> np.ndarray:
        """Entry mode: expected reward net of proving cost and slashing if registered."""
        return self.reach(profile) * self._margin()

    def pure_entry_values(self) -> Callable[[np.ndarray], np.ndarray] | None:
        """`entry_values` at pure profiles (`on`: who registered), the race's terms and margins looked up once,
        the same floats (solvers/entry.sequential_entry's inner loop); None where `entry_values` goes another
        way (not an entry game, a weight of 0, or a subclass's own rule)."""
        weights, _ = self._weights_presence(np.ones(self.n))
        own = type(self).entry_values is _VRFSelection.entry_values and type(self).reach is _VRFSelection.reach
        if self.choose != "entry" or not own or not np.all(weights > 0):
            return None
        race, margin = er.pure_race(np.broadcast_to(self.success, (self.n,)), weights), self._margin()
        return lambda on: race(on) * margin

    def _entry_is_free(self) -> bool:
        """Entry mode with this class's own payoffs, no cost of registering and every prover drawable (weight
        > 0): each prover's gain from registering then has the sign of its delivery margin at every profile."""
        own = type(self).entry_values is _VRFSelection.entry_values and type(self).reach is _VRFSelection.reach
        weights, _ = self._weights_presence(np.ones(self.n))
        return own and self.choose == "entry" and not np.any(self.entry_cost()) and bool(np.all(weights > 0))

    def entry_cost(self) -> np.ndarray:
        """Entry mode: the per-round cost of locking the registered stake."""
        return self.stake_cost * (self.provers.stake if self.weighting == "stake" else np.full(self.n, self.min_stake))

    def expected_payoffs(self, profile: Any) -> np.ndarray:
        p = self.check_profile(profile)
        if self.choose == "stake":
            return self.reach(p) * self._margin() - self.stake_cost * p
        return p * (self.entry_values(p) - self.entry_cost())

    def deviation_payoffs(self, profile: Any, candidates: np.ndarray) -> np.ndarray:
        if self.choose == "entry":
            p = self.check_profile(profile)
            gain = self.entry_values(p) - self.entry_cost()
            return self.check_candidates(candidates) * gain[:, None]
        return super().deviation_payoffs(profile, candidates)

    def stats(self, profile: Any) -> Stats:
        p = self.check_profile(profile)
        reach = self.reach(p) * (p if self.choose == "entry" else (p > 0))
        rho = self.success
        reward = reach * rho * self.reward
        stake = p if self.choose == "stake" else p * (self.provers.stake if self.weighting == "stake" else self.min_stake)
        cost = reach * (self.provers.cost + (1 - rho) * self.slash) + self.stake_cost * stake
        live = (reach * rho).sum(axis=-1)
        return Stats(reward=reward, cost=cost, participation=reach, eventual_liveness=scalar_or_rows(live),
                     user_payment=scalar_or_rows(reward.sum(axis=-1)),
                     useful_cost=scalar_or_rows((reach * rho * self.provers.cost).sum(axis=-1)))

    def first_assignment(self, profile: Any) -> np.ndarray:
        """P(i is the first identity drawn): the exponential-race identity over registered weights."""
        p = self.check_profile(profile)
        weights, _ = self._weights_presence(p)
        registered = (p > 0).astype(float) if self.choose == "stake" else p * (weights > 0)
        return registered * er.first_finish(registered, weights)

    def solo_form(self, i: int) -> tuple[Any, dict[str, float]] | None:
        """Alone (entry mode), every unit is its: rho R - c - (1 - rho) slash - stake_cost x locked stake."""
        if self.choose != "entry":
            return None
        R, rho, c, sl, k, L = sp.symbols("R rho c slash k L", positive=True)
        return rho * R - c - (1 - rho) * sl - k * L, {"R": self.reward, "rho": self.success[i],
                                                       "c": self.provers.cost[i], "slash": self.slash,
                                                       "k": self.stake_cost, "L": self.entry_cost()[i] / self.stake_cost
                                                       if self.stake_cost > 0 else 0.0}

    def on_time(self, profile: Any, window: float) -> float:
        """Without failover, the first assignee's chance to deliver by the window (games.rules.elected_on_time);
        with it, every turn that ends inside the window counts (games.failover.on_time)."""
        if self.failover == "none":
            return elected_on_time(self.first_assignment(profile), self.provers.reliability, self.provers.rate, window)
        p = self.check_profile(profile)
        weights, _ = self._weights_presence(p)
        registered = (p > 0).astype(float) if self.choose == "stake" else p * (weights > 0)
        return failover.on_time(registered, self.success, weights, self.provers.reliability, self.provers.rate, window,
                                self.failover_deadline)

    def _draw_law(self, p: np.ndarray) -> tuple:
        """(weights, registered row or None, cumulative drawn weights or None) of profile p: a pure
        profile registers the same provers every round, so its one-draw law is a categorical over
        weight x registered."""
        n = self.n
        if self.choose == "stake":
            weights, row = p, p > 0
        else:
            weights = (self.provers.stake if self.weighting == "stake" else np.ones(n)) * self.eligible
            entry = p * (weights > 0)
            row = entry == 1 if bool(np.all((entry == 0) | (entry == 1))) else None
        return weights, row, None if row is None else np.cumsum(weights * row)

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        p = self.check_profile(profile)
        n = self.n
        weights, row0, cum = self.kept_for("_draw_law", p, lambda: self._draw_law(p))
        pure = row0 is not None                      # the same provers every round
        if pure:
            registered = np.broadcast_to(row0, (rounds, n))
            u = rng.random(rounds)                   # one uniform per round: categorical(weights x registered)
            total = cum[-1]
            first = np.minimum(inverse_cdf(cum, u), n - 1) if total > 0 else np.zeros(rounds, dtype=int)
            some = np.full(rounds, total > 0)
        else:
            registered = _entries(p * (weights > 0), rng, rounds)
            first, some = _categorical(weights * registered, rng, rounds)
        rho, rate, deadline = self.provers.reliability, self.provers.rate, self.failover_deadline
        failover = self.failover != "none"
        rows = np.arange(rounds)
        delivered = rng.random(rounds) < rho[first]
        if failover:                                           # a proof after the assignee's deadline is refused
            t_first = rng.standard_exponential(rounds) / rate[first]
            delivered &= t_first < deadline
        winner = first.copy()
        if pure and cum[-1] > 0:                               # someone is drawn every round
            first_ok = np.where(delivered, 0, n)
            row, col = rows, first
            redraw = np.flatnonzero(~delivered)
        else:
            first_ok = np.where(some & delivered, 0, n)
            row, col = rows[some], first[some]                 # who was drawn first and tried
            redraw = np.flatnonzero(some & (first_ok == n))   # the drawn prover failed: re-draw among the rest
        if redraw.size:
            keys = np.where(registered[redraw], _weighted_draw_order(weights, rng, redraw.size), np.inf)
            keys[np.arange(redraw.size), first[redraw]] = -np.inf
            order = np.argsort(keys, axis=1, kind="stable")
            sub = np.arange(redraw.size)[:, None]
            drawn = np.isfinite(keys[sub, order]) | (np.arange(n)[None, :] == 0)
            delivers = _valid(rho, rng, redraw.size)                  # each later draw's own delivery
            if failover:
                t_later = proving_times(rate, rng, redraw.size)
                delivers &= t_later < deadline
            success = drawn & delivers[sub, order] & (np.arange(n)[None, :] > 0)
            k_ok = np.where(success.any(axis=1), np.argmax(success, axis=1), n)
            later = drawn & (np.arange(n)[None, :] <= k_ok[:, None]) & (np.arange(n)[None, :] > 0)
            r_sub, pos = np.nonzero(later)
            row, col = np.concatenate([row, redraw[r_sub]]), np.concatenate([col, order[r_sub, pos]])
            first_ok[redraw] = k_ok
            winner[redraw] = order[np.arange(redraw.size), np.minimum(k_ok, n - 1)]
        accepted = first_ok < n
        if failover:                            # attempt k (0-based) starts at k deadlines: it lands k d + its time
            t_win = np.where(delivered, t_first, np.inf)
            if redraw.size:
                t_win[redraw] = t_later[np.arange(redraw.size), winner[redraw]]
            landed = np.where(accepted, first_ok * deadline + t_win, np.inf)
        else:
            landed = first_assignment_times(winner, first_ok == 0, rate, rng)
        won = accepted[row] & (winner[row] == col) if row is not rows else accepted & (winner == col)
        stake = p if self.choose == "stake" else (self.provers.stake if self.weighting == "stake" else
                                                  np.full(n, self.min_stake))
        lock = self.stake_cost * stake
        events = Assignments(rounds, n, row, col, np.where(won, self.reward, 0.0),
                             self.provers.cost[col] + np.where(won, 0.0, self.slash), np.ones(row.size, dtype=bool),
                             lock * registered[0] if pure else np.zeros(n))
        out = Outcomes(None, None, None, accepted, np.where(accepted, self.reward, 0.0),
                       np.where(accepted, self.provers.cost[winner], 0.0), landed, assignments=events)
        if pure or not np.any(lock > 0):
            return out
        out = out.dense()                      # mixed entry: who carries stake changes round by round
        return replace(out, cost=out.cost + registered * lock)

    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        if self.choose == "entry":
            if not symmetric and self._entry_is_free():
                return ((self._margin() > 0) * np.ones(self.n), "dominant registration: free to register, a prover's "
                        "gain is reach x margin with reach > 0, so it registers iff its margin is positive (unique "
                        "where no margin is 0)", True)
            from provergame.solvers.entry import solve_entry_game
            return solve_entry_game(self, symmetric=symmetric)
        margin = self._margin()
        if np.all(self.success == 1):
            x = np.zeros(self.n)
            ok = margin > 0
            if ok.sum() >= 2:
                # Tullock with prizes V_i and unit cost k  ==  unit prize with costs k / V_i, efforts unchanged.
                x[ok] = contest.tullock_equilibrium(1.0, self.stake_cost / margin[ok])
            return x, "stake contest: Tullock closed form with prizes V_i = reward - cost - slash", True
        return self._solve_contest_foc(margin)

    def _solve_contest_foc(self, margin: np.ndarray) -> tuple[np.ndarray, str, bool]:
        """Karush-Kuhn-Tucker conditions of the stake contest: s_i >= 0, g_i = margin_i d reach_i/d s_i
        - stake_cost <= 0, s_i g_i = 0, solved as the Fischer-Burmeister system
        s_i - g_i - sqrt(s_i^2 + g_i^2) = 0 by scipy's hybrid Newton method (batched central
        differences), started from the Tullock closed form."""
        from scipy.optimize import root
        idx = np.flatnonzero(margin > 0)
        x = np.zeros(self.n)
        if len(idx) == 0:
            return x, "stake contest: nobody can profit from being drawn", True
        if len(idx) >= 2:
            x[idx] = contest.tullock_equilibrium(1.0, self.stake_cost / margin[idx])
        scale = max(float(x.max()), self.reward / self.stake_cost * 1e-3)
        m = len(idx)
        zmax = self.reward / self.stake_cost / scale

        def kkt(z: np.ndarray) -> np.ndarray:
            prof = np.zeros(self.n)
            prof[idx] = np.clip(z, 0.0, zmax) * scale
            h = 1e-6 * np.maximum(prof[idx], 1e-4 * scale)
            batch = np.repeat(prof[None, :], 2 * m, axis=0)
            batch[np.arange(m), idx] += h
            batch[m + np.arange(m), idx] = np.maximum(batch[m + np.arange(m), idx] - h, 0.0)
            step = batch[np.arange(m), idx] - batch[m + np.arange(m), idx]
            reach = self.reach(batch)
            d = (reach[np.arange(m), idx] - reach[m + np.arange(m), idx]) / step
            g = (margin[idx] * d - self.stake_cost) / self.stake_cost
            return z - g - np.sqrt(z ** 2 + g ** 2)

        x, settled = self._jacobi_best_responses(x, margin)
        if settled:
            return x, "stake contest with failures: damped Jacobi best responses (bisection on each FOC)", True
        sol = root(kkt, x[idx] / scale, method="hybr", options={"xtol": 1e-14})
        y = x.copy()
        y[idx] = np.clip(sol.x, 0.0, zmax) * scale
        y[y < 1e-12 * scale] = 0.0
        if sol.success:
            return y, "stake contest with failures: KKT conditions (Fischer-Burmeister, scipy root)", True
        return x, "stake contest with failures: damped Jacobi best responses (not settled; see regret)", False

    def _jacobi_best_responses(self, x: np.ndarray, margin: np.ndarray, sweeps: int = 100) -> tuple[np.ndarray, bool]:
        """Simultaneous best responses (each the root of its own FOC, found by vectorised bisection:
        payoffs are concave in own stake), damped; returns (profile, settled)."""
        n, cap = self.n, self.reward / self.stake_cost
        eta = 0.5
        last = np.inf
        for _ in range(sweeps):
            lo, hi = np.zeros(n), np.full(n, cap)
            for _ in range(45):
                mid = (lo + hi) / 2
                trial = np.repeat(x[None, :], n, axis=0)
                trial[np.arange(n), np.arange(n)] = mid
                slope = np.diagonal(self._marginal_rows(trial, margin))
                lo, hi = np.where(slope > 0, mid, lo), np.where(slope > 0, hi, mid)
            interior = np.where(margin > 0, (lo + hi) / 2, 0.0)
            # Registering any stake at all is worth the re-draws that reach a prover when all others
            # fail: payoffs jump at 0+, so compare the FOC root with zero and a vanishing stake.
            cands = np.stack([np.zeros(n), np.full(n, 1e-9 * cap), interior], axis=1)
            pays = self.deviation_payoffs(x, cands)
            br = cands[np.arange(n), np.argmax(pays, axis=1)]
            move = float(np.max(np.abs(br - x)))
            if move <= 1e-11 * cap:
                return br, True
            if move > 0.9 * last:
                eta = max(eta / 2, 0.02)
            last = move
            x = x + eta * (br - x)
        return x, False

    def _marginal_rows(self, rows: np.ndarray, margin: np.ndarray) -> np.ndarray:
        """d payoff_i / d s_i at profile rows[i] (shape (n, n)), batched central differences."""
        n = self.n
        own = np.diagonal(rows).copy()
        h = 1e-7 * np.maximum(own, 1e-3 * max(float(rows.max()), 1e-9))
        up, dn = rows.copy(), rows.copy()
        up[np.arange(n), np.arange(n)] = own + h
        dn[np.arange(n), np.arange(n)] = np.maximum(own - h, 0.0)
        both = self.reach(np.concatenate([up, dn]))
        step = (own + h) - np.maximum(own - h, 0.0)
        d = (np.diagonal(both[:n]) - np.diagonal(both[n:])) / step
        return np.diag(margin * d - self.stake_cost)

    def stall_weights(self, profile: Any) -> np.ndarray:
        """w_i with P(no delivery | coalition S withholds) = exp(-sum_{i not in S} w_i) (re-draws)."""
        registered = (np.asarray(profile) > 0) & self.eligible if self.choose == "entry" else np.asarray(profile) > 0
        return -np.log1p(-np.minimum(self.success, 1 - 1e-15)) * registered

    def sybil_profit(self, operator: int, identities: int, failures: str) -> tuple[float, float] | None:
        """(share, profit) of `operator` registering `identities` identities, everyone else one.
        Stake weighting splits its stake evenly; identity weighting locks min_stake per identity.
        failures="shared": its identities fail together (one machine park), so they act as one group
        whose weight is the sum of theirs; "independent": each fails on its own. The others register
        as at the game's equilibrium, and stake is charged as the game charges it (stake_cost per unit
        locked: the stake, or min_stake per identity), so one identity's profit is the operator's
        payoff from registering in this game."""
        if self.choose != "entry":
            return None
        pop, n, k = self.provers, self.n, identities
        played = self._equilibrium_profile
        eligible = self.eligible.copy()
        s = pop.stake[operator]
        if self.weighting == "stake":
            ident_weight, locked = np.full(k, s / k), s
        else:
            ident_weight, locked = np.ones(k), k * self.min_stake
            eligible[operator] = True
        base = (pop.stake if self.weighting == "stake" else np.ones(n)) * eligible
        others = np.delete(np.arange(n), operator)
        rho = pop.reliability
        rivals = played[others] * rho[others]
        if failures == "shared":
            w = np.concatenate([[ident_weight.sum()], base[others]])
            q = np.concatenate([[rho[operator]], rivals])
            reach = er.first_finish(q, w)
            op_deliver, attempts = reach[0] * rho[operator], reach[0]
            mine = reach[:1] * rho[operator]
        else:
            w = np.concatenate([ident_weight, base[others]])
            q = np.concatenate([np.full(k, rho[operator]), rivals])
            reach = er.first_finish(q, w)
            op_deliver, attempts = float((reach[:k] * rho[operator]).sum()), float(reach[:k].sum())
            mine = reach[:k] * rho[operator]
        live = float(mine.sum() + (reach[len(mine):] * q[len(mine):]).sum())
        profit = op_deliver * self.reward - attempts * (pop.cost[operator] + (1 - rho[operator]) * self.slash) \
            - self.stake_cost * locked
        return (op_deliver / live if live > 0 else 0.0), float(profit)

    @cached_property
    def _equilibrium_profile(self) -> np.ndarray:
        return self.equilibrium()[0]

    def withhold_bribes(self) -> np.ndarray:
        """Forgone profit plus slashing: a lone honest prover is re-drawn until it proves
        (reliability R - cost - (1 - rho) slash), a withholder is drawn and slashed."""
        rho = self.success
        return (rho * self.reward - self.provers.cost + rho * self.slash) * self.eligible

    def symbolic(self) -> dict[str, Any]:
        from .forms import failover_on_time_form
        s_i, S, S_o = sp.symbols("s_i S S_o", positive=True)
        k, N = sp.symbols("k N", integer=True, positive=True)
        R, c, rho, slash = sp.symbols("R c rho slash", positive=True)
        return {"share_stake": s_i / S, "share_stake_vs_others": s_i / (s_i + S_o),
                "share_identity_k_of_N": k / (N + k - 1),
                "withhold_bribe": rho * R - c + rho * slash,      # re-drawn until it proves, or slashed
                "failover_on_time": failover_on_time_form()}

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        stake = self.provers.stake
        if self.choose != "entry" or np.any(stake <= 0):
            return []
        sure = StakeVRF(self.reward, self.provers.replace(reliability=1.0), stake_cost=self.stake_cost, slash=self.slash)
        i = int(np.argmax(self.eligible))
        return [("share_stake", self.symbolic()["share_stake"], {"s_i": stake[0], "S": stake.sum()},
                 float(sure.reach(np.ones(self.n))[0])),
                ("withhold_bribe", self.symbolic()["withhold_bribe"],
                 {"rho": self.success[i], "R": self.reward, "c": self.provers.cost[i], "slash": self.slash},
                 float(self.withhold_bribes()[i]))]

    def theorems(self) -> list:
        """Under failover the failover law's theorems replace the elected timing family's, whose law has the
        first assignee hold the whole window."""
        return super().theorems() if self.failover == "none" else self.mechanism_theorems()

    def mechanism_theorems(self) -> list:
        from provergame.proofs import vrf
        sym = self.symbolic()
        turns = vrf.failover(sym["failover_on_time"]) if self.failover != "none" else []
        return vrf.stake_vrf(sym, self.weighting) + turns


_VRF_LIMITS = ("stake is held at a constant carrying cost (no price risk, no unbonding delay); a failed unit is re-"
               "drawn among the others.")


@register("stake_vrf")
@dataclass(frozen=True)
class StakeVRF(_VRFSelection):
    """Each unit of work goes to one registered prover drawn by VRF with probability proportional to its
    stake; each prover registers its given stake or not (an entry game).

    The drawn prover pays its proving `cost` and delivers with its `reliability`; on failure it is
    slashed `slash` and the unit is re-drawn among the others (Plackett-Luce re-draws, the
    exponential-race identity). Registered stake costs `stake_cost` per unit per round.
    """
    traits: ClassVar[GameTraits] = GameTraits(
        limitations=_VRF_LIMITS, max_provers=1000, timing=TimingFamily.ELECTED, elected_by_protocol=True,
        budget_field="reward", proof_family="stake_vrf")


@register("identity_vrf")
@dataclass(frozen=True)
class IdentityVRF(_VRFSelection):
    """Each unit of work goes to one registered identity drawn by VRF uniformly among identities with
    stake >= min_stake; each prover registers one identity or not (an entry game).

    The drawn prover pays its proving `cost` and delivers with its `reliability`; on failure it is
    slashed `slash` and the unit is re-drawn among the others. Each identity locks `min_stake` at
    `stake_cost` per unit per round, so an operator's extra identities buy extra draws (sybils).
    """
    weighting: ClassVar[str] = "identity"
    traits: ClassVar[GameTraits] = replace(
        StakeVRF.traits, identity_weighted=True,
        limitations="each identity locks min_stake at a constant carrying cost (no price risk, no unbonding delay); "
                    "no identity verification beyond the stake; a failed unit is re-drawn among the others.")


@register("stake_contest")
@dataclass(frozen=True)
class StakeContest(_VRFSelection):
    """Each unit of work goes to one prover drawn by VRF in proportion to the stake it chooses to lock,
    at `stake_cost` per unit per round: a Tullock contest when reliability is 1 (Stein 2002's
    heterogeneous closed form), KKT conditions with failures and re-draws otherwise."""
    choose: ClassVar[str] = "stake"
    # measured (benchmarks/contract.md): with failures the KKT solve takes 41 s at 20 provers; 1,000 did
    # not solve in 120 s, nor 200 sure provers in 60 s (the deviation search re-plays the contest)
    traits: ClassVar[GameTraits] = replace(StakeVRF.traits, strategy=StrategyKind.CONTINUOUS, strategy_label="stake",
                                           max_provers=20)

    def _validate(self) -> None:
        if self.stake_cost <= 0:
            raise InvalidParameter("stake_cost", self.stake_cost, "> 0 (the price of locking stake in a stake contest)")

    @classmethod
    def example(cls, n: int | None = None) -> "StakeContest":
        return cls(10.0, example_provers(n or 6), stake_cost=0.05, slash=1.0)

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        """A sure prover's chance of the unit at locked stakes x is x_i / (x_i + X_o) (Tullock's share),
        checked against the exponential-race reach at the game's equilibrium stakes."""
        x = np.asarray(self.equilibrium()[0], dtype=float)
        if np.count_nonzero(x) < 2:
            x = self.provers.stake
        sure = replace(self, provers=self.provers.replace(reliability=1.0))
        i = int(np.argmax(x))
        return [("share_stake_vs_others", self.symbolic()["share_stake_vs_others"],
                 {"s_i": float(x[i]), "S_o": float(x.sum() - x[i])}, float(sure.reach(x)[i]))]


route("stake_vrf", "weighting", {"stake": "stake_vrf", "identity": "identity_vrf"})
route("stake_vrf", "choose", {"entry": "stake_vrf", "stake": "stake_contest"})


@register("taiko_pool")
@dataclass(frozen=True)
class TaikoPool(Game):
    """Provers post fee bids; the pool is the `pool_size` lowest bids (ties: larger stake, then
    index); each block's prover is drawn by VRF within the pool (uniformly or by stake), paid its
    bid if it delivers (probability `reliability`) or slashed `slash` if it fails. Failover "none": a
    failed block is not re-drawn; "next_draw": each drawn prover holds the block for
    `failover_deadline`, then the next VRF draw within the pool takes over (delivery per turn
    rho (1 - e^{-r d}), the same law as the VRF designs' failover).

    A bid above `fee_cap` means staying out. With more provers than seats, seated bids are pinned
    just below the first excluded prover's break-even bid (cost + (1 - s) slash) / s, s the chance
    to deliver in a turn.
    """
    traits: ClassVar[GameTraits] = GameTraits(
        limitations=("bids are static per block; the pool is the lowest bids up to its size; no stake growth or eviction "
            "over time (see the Taiko alpha-4 scenario); without failover a failed block is not re-drawn."),
        max_provers=100,
        timing=TimingFamily.ELECTED,
        strategy=StrategyKind.CONTINUOUS,
        strategy_label="fee bid",
        elected_by_protocol=True,
        priced=True,
        stall_form=ByChoice("failover", (("none", StallForm.LINEAR), ("next_draw", StallForm.LOGLINEAR))),
        budget_field="fee_cap",
        seat_fields=("pool_size",),
        identity_weighted=WhenChoice("selection", "uniform"),
    )

    fee_cap: float = param(Real(lo=0, lo_open=True, unit="token per proof", doc="highest fee a seat may bid"))
    provers: Population = param(PROVERS)
    pool_size: int = param(Int(lo=1, hi=10_000, unit="seats", doc="provers kept in the pool"), 32)
    slash: float = param(Real(lo=0, unit="token", doc="taken from a chosen prover that fails"), 0.0)
    selection: str = param(Choice(options=("uniform", "stake"), doc="VRF within the pool: uniform or by stake"),
                           "uniform")
    tick: float = param(Real(lo=0, lo_open=True, unit="token per proof", doc="smallest bid step"), 1e-6)
    failover: str = failover_field("a failed block is not re-drawn")
    failover_deadline: float = deadline_field()

    def _validate(self) -> None:
        if self.pool_size > self.n:
            raise InvalidParameter("pool_size", self.pool_size, f"at most the number of provers ({self.n})")
        if self.tick > self.fee_cap:
            raise InvalidParameter("tick", self.tick, f"at most fee_cap ({self.fee_cap:g})")
        if self.selection == "stake" and np.any(self.provers.stake <= 0):
            raise InvalidParameter("provers.stake", float(self.provers.stake.min()), "> 0 for stake selection")

    @classmethod
    def example(cls, n: int | None = None) -> "TaikoPool":
        n = n or 6
        return cls(3.0, example_provers(n), pool_size=max(1, min(4, n - 1)), slash=1.0)

    def strategy_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.n), np.full(self.n, 2 * self.fee_cap)

    @cached_property
    def success(self) -> np.ndarray:
        """P(a drawn prover delivers within its turn): rho_i, times 1 - e^{-r_i d} under failover."""
        return failover.success(self.provers.reliability, self.provers.rate, self.failover, self.failover_deadline)

    def break_even(self) -> np.ndarray:
        rho = self.success
        with np.errstate(divide="ignore"):
            return np.where(rho > 0, (self.provers.cost + (1 - rho) * self.slash) / np.maximum(rho, 1e-300), np.inf)

    def seated(self, bids: np.ndarray) -> np.ndarray:
        """Boolean (..., n): in the pool (rank by bid, then larger stake, then index; bids <= fee_cap)."""
        bids = np.asarray(bids, dtype=float)
        joins = bids <= self.fee_cap
        stake, idx = self.provers.stake, np.arange(self.n)
        # j ranks ahead of i: lower bid, or equal bid and (larger stake, or equal stake and lower index)
        ahead = (bids[..., None, :] < bids[..., :, None]) | (
            (bids[..., None, :] == bids[..., :, None]) & ((stake[None, :] > stake[:, None]) |
                                                           ((stake[None, :] == stake[:, None]) & (idx[None, :] < idx[:, None]))))
        rank = (ahead & joins[..., None, :]).sum(axis=-1)
        return joins & (rank < self.pool_size)

    @property
    def _weights(self) -> np.ndarray:
        return self.provers.stake if self.selection == "stake" else np.ones(self.n)

    def _chosen(self, seated: np.ndarray) -> np.ndarray:
        w = seated * self._weights
        total = w.sum(axis=-1, keepdims=True)
        return np.divide(w, total, out=np.zeros_like(w, dtype=float), where=total > 0)

    def _reach(self, seated: np.ndarray) -> np.ndarray:
        """P(i is drawn for a block | the pool `seated`): its VRF share without failover; under
        "next_draw", P(no earlier draw delivered), the exponential-race identity over the pool."""
        if self.failover == "none":
            return self._chosen(seated)
        return failover.reach(seated, self.success, self._weights)

    def expected_payoffs(self, profile: Any) -> np.ndarray:
        b = self.check_profile(profile)
        return self._reach(self.seated(b)) * delivery_margin(self.success, b, self.provers.cost, self.slash)

    def deviation_payoffs(self, profile: Any, candidates: np.ndarray) -> np.ndarray:
        """Prover i alone changes its bid x: the rivals keep their order, so i is seated exactly when it
        joins and ranks ahead of the rival that would otherwise take the last seat, and then the pool is
        i and the best pool_size - 1 joining rivals, whatever x. (n, m) payoffs in O(n^2 + n m), not a
        full ranking of n bids per candidate."""
        b = self.check_profile(profile)
        x = self.check_candidates(candidates)
        n, seats = self.n, self.pool_size
        stake, idx = self.provers.stake, np.arange(n)
        order = np.lexsort((idx, -stake, b))
        joined = order[b[order] <= self.fee_cap]                             # joining provers, best first
        where = np.full(n, len(joined))
        where[joined] = np.arange(len(joined))                              # i's place among them (or after)
        pool = np.zeros((n, n), dtype=bool)                                 # i and its best seats - 1 rivals
        for_front = where < seats - 1
        pool[np.ix_(~for_front, joined[:seats - 1])] = True
        pool[np.ix_(for_front, joined[:seats])] = True
        pool[idx, idx] = True
        chosen = np.diagonal(self._reach(pool))                            # i's chance to be drawn when seated
        last = np.where(where > seats - 1, seats - 1, seats)                # the rival for the last seat
        has_last = last < len(joined)
        r = joined[np.minimum(last, max(len(joined) - 1, 0))] if len(joined) else idx
        rb, rs = b[r][:, None], stake[r][:, None]
        ahead = (rb < x) | ((rb == x) & ((rs > stake[:, None]) | ((rs == stake[:, None]) & (r < idx)[:, None])))
        seated = (x <= self.fee_cap) & ~(has_last[:, None] & ahead)
        margin = delivery_margin(self.success[:, None], x, self.provers.cost[:, None], self.slash)
        return np.where(seated, chosen[:, None], 0.0) * margin

    def critical_strategies(self, profile: np.ndarray) -> np.ndarray:
        others = np.broadcast_to(profile, (self.n, self.n))
        return np.concatenate([others - self.tick, others, np.full((self.n, 1), self.fee_cap)], axis=1)

    def stats(self, profile: Any) -> Stats:
        b = self.check_profile(profile)
        chosen = self._reach(self.seated(b))
        rho = self.success
        reward = chosen * rho * b
        return Stats(reward=reward, cost=chosen * (self.provers.cost + (1 - rho) * self.slash),
                     participation=chosen, eventual_liveness=float((chosen * rho).sum()), user_payment=float(reward.sum()),
                     useful_cost=float((chosen * rho * self.provers.cost).sum()))

    def first_assignment(self, profile: Any) -> np.ndarray:
        return self._chosen(self.seated(self.check_profile(profile)))

    def seats(self, profile: Any) -> int:
        return int(self.seated(self.check_profile(profile)).sum())

    def solo_form(self, i: int) -> tuple[Any, dict[str, float]]:
        """Alone, the prover takes the only seat at the fee cap: rho F - c - (1 - rho) slash (rho: its chance
        to deliver in a turn)."""
        F, rho, c, sl = sp.symbols("F rho c slash", positive=True)
        return rho * F - c - (1 - rho) * sl, {"F": self.fee_cap, "rho": self.success[i],
                                              "c": self.provers.cost[i], "slash": self.slash}

    def on_time(self, profile: Any, window: float) -> float:
        """Without failover, the first assignee's chance to deliver by the window (games.rules.elected_on_time);
        with it, every turn that ends inside the window counts (games.failover.on_time)."""
        if self.failover == "none":
            return elected_on_time(self.first_assignment(profile), self.provers.reliability, self.provers.rate, window)
        seated = self.seated(self.check_profile(profile)).astype(float)
        return failover.on_time(seated, self.success, self._weights, self.provers.reliability, self.provers.rate,
                                window, self.failover_deadline)

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        b = self.check_profile(profile)
        weights = self.kept_for("_draw_law", b, lambda: self.seated(b) * self._weights)   # the pool these bids seat
        if self.failover != "none":           # each drawn seat that misses is slashed; users pay the winner's bid
            pop = self.provers
            return failover.play(weights, pop.reliability, pop.rate, pop.cost, self.failover_deadline, rng, rounds,
                                 b, b, self.slash)
        who, some = _categorical(weights, rng, rounds)
        ok = (rng.random(rounds) < self.provers.reliability[who]) & some
        paid = np.where(ok, b[who], 0.0)
        events = _assigned(rounds, self.n, who, paid, self.provers.cost[who] + np.where(ok, 0.0, self.slash), some)
        return Outcomes(None, None, None, ok, paid, np.where(ok, self.provers.cost[who], 0.0),
                        first_assignment_times(who, ok, self.provers.rate, rng), assignments=events)

    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        be = self.break_even()
        order = np.lexsort((np.arange(self.n), -self.provers.stake, be))
        bids = np.full(self.n, 2 * self.fee_cap)
        able = order[be[order] <= self.fee_cap]
        if len(able) > self.pool_size:
            seat, out = able[:self.pool_size], able[self.pool_size]
            pin = min(be[out], self.fee_cap)
            bids[seat] = np.maximum(pin - self.tick, be[seat])
            bids[able[self.pool_size:]] = be[able[self.pool_size:]]
            return bids, "seated bids pinned one tick below the first excluded break-even bid", True
        bids[able] = self.fee_cap
        return bids, "all profitable provers seated: every seat bids the fee cap", True

    def stall_weights(self, profile: np.ndarray) -> np.ndarray:
        """Without failover, linear: P(delivery) = sum_i chosen_i rho_i (no re-draw); under "next_draw",
        log-linear: P(no delivery) = prod over the seated that still deliver of (1 - s_i) = exp(-sum w_i)."""
        seated = self.seated(profile)
        if self.failover == "none":
            return self._chosen(seated) * self.provers.reliability
        return -np.log1p(-np.minimum(self.success, 1 - 1e-15)) * seated

    def withhold_bribes(self) -> np.ndarray:
        """At the equilibrium pool, what a seated prover forgoes while the others withhold: chosen_i
        (rho_i bid_i - cost_i + rho_i slash) without failover; under it the others' failed turns pass
        every block on until it is drawn, so s_i bid_i - cost_i + s_i slash (a withholder is slashed)."""
        bids = self.equilibrium()[0]
        seated = self.seated(bids)
        drawn = self._chosen(seated) if self.failover == "none" else seated
        rho = self.success
        return drawn * (rho * bids - self.provers.cost + rho * self.slash)

    def symbolic(self) -> dict[str, Any]:
        c, rho, slash = sp.symbols("c rho slash", positive=True)
        return {"break_even_bid": (c + (1 - rho) * slash) / rho}

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        return [("break_even_bid", self.symbolic()["break_even_bid"],
                 {"c": self.provers.cost[0], "rho": self.success[0], "slash": self.slash},
                 float(self.break_even()[0]))]

    def theorems(self) -> list:
        """Under failover the failover law's theorems replace the elected timing family's."""
        return super().theorems() if self.failover == "none" else self.mechanism_theorems()

    def mechanism_theorems(self) -> list:
        from provergame.proofs import vrf
        from .forms import failover_on_time_form
        turns = vrf.failover(failover_on_time_form()) if self.failover != "none" else []
        return vrf.taiko_pool(self.symbolic()) + turns


AUCTION_BLOCK = 1 << 16     # bids per block of turns drawn at once (512 KB: stays in cache)


@dataclass(frozen=True)
class _Turns(Game):
    """Starknet's options, rules shared. Stake turns: turns go to provers in proportion to stake on a
    fixed schedule, each paid `reward`; a turn-holder proves (pays `cost`) with its profile
    probability. Turn auction: each turn is auctioned, lowest bid wins and is paid the second-lowest
    bid (the Bertrand price); per-turn costs are cost_i * exp(cost_noise * Z), Z ~ N(0, 1); a profile
    entry is a bid markup m_i >= 0 (bid = (1 + m_i) * realised cost / reliability); truthful m = 0 is
    dominant. Each rule is its own registered kind (entry probabilities vs bid markups).
    """
    rule: ClassVar[str] = "stake_turns"
    if TYPE_CHECKING:
        cost_noise: float                      # TurnAuction's field: the auction's rules read it

    reward: float = param(Real(lo=0, unit="token per proof", doc="paid per turn proved (cap of the auction)"))
    provers: Population = param(PROVERS)

    def _validate(self) -> None:
        if self.rule == "stake_turns" and self.provers.stake.sum() <= 0:
            raise InvalidParameter("provers.stake", 0.0, "a positive total stake for stake_turns")

    @classmethod
    def example(cls, n: int | None = None) -> "_Turns":
        return cls(3.0, example_provers(n or 6))

    @property
    def turn_share(self) -> np.ndarray:
        return self.provers.stake / self.provers.stake.sum()

    def strategy_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.n), np.ones(self.n) * (1.0 if self.rule == "stake_turns" else 3.0)

    def _period(self, turns: int) -> np.ndarray:
        """schedule(turns), built once per game and length (play asks for the same period every call)."""
        def build() -> np.ndarray:
            period = self.schedule(turns)
            period.flags.writeable = False
            return period
        return self.kept_for(f"_period/{turns}", np.empty(0), build)

    def schedule(self, turns: int) -> np.ndarray:
        """Deterministic stake-proportional schedule: prover i's k-th turn falls at (k + 1/2) / share_i
        (Webster divisor times), all turns sorted; any window of the schedule is within one turn of
        its stake share."""
        share = self.turn_share
        counts = np.ceil(turns * share).astype(int) + 1
        owner = np.repeat(np.arange(self.n), counts)
        k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        with np.errstate(divide="ignore"):
            times = np.where(share[owner] > 0, (k + 0.5) / share[owner], np.inf)
        return owner[np.argsort(times, kind="stable")][:turns]

    # --- turn auction: order statistics of log-normal bids on a uniform log grid -------------------
    @property
    def _turn_success(self) -> np.ndarray:
        """P(the turn's holder delivers when it proves): its reliability (TurnAuction: by its deadline)."""
        return self.provers.reliability

    def _eff_cost(self) -> np.ndarray:
        return self.provers.cost / np.maximum(self._turn_success, 1e-12)

    def _log_grid(self) -> np.ndarray:
        """Log-bid grid from 9 sd below the cheapest cost to 9 sd above 4x the dearest, spaced s/8: the
        trapezoid rule on these smooth integrands converges geometrically in s/h (at 200 points the
        default auction's payoffs agree with 1,500 to 2e-15)."""
        s, eff = self.cost_noise, self._eff_cost()
        lo, hi = np.log(eff.min()) - 9 * s, np.log(eff.max() * 4) + 9 * s
        return np.linspace(lo, hi, int(np.clip(np.ceil((hi - lo) / (s / 8)), 200, LOG_GRID_MAX)) + 1)

    def _bid_laws(self, markup: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """log P(log bid_j > x) and the log-bid density of every prover on the log grid x, (..., X, n):
        the special functions are evaluated once per prover and distinct markup (a batch of joint
        profiles repeats each member's few candidates)."""
        s, x = self.cost_noise, self._log_grid()
        logb = np.log(self._eff_cost() * (1 + np.asarray(markup, dtype=float)))      # (..., n)
        flat = logb.reshape(-1, self.n)
        shape = logb.shape[:-1] + (len(x), self.n)
        log_surv = np.empty((flat.shape[0], len(x), self.n))
        dens = np.empty_like(log_surv)
        for j in range(self.n):                                   # n columns, each a (distinct, X) block
            values, where = np.unique(flat[:, j], return_inverse=True)
            z = (x[None, :] - values[:, None]) / s
            log_surv[:, :, j] = special.log_ndtr(-z)[where]
            dens[:, :, j] = (np.exp(-0.5 * z * z) / (s * np.sqrt(2 * np.pi)))[where]
        return log_surv.reshape(shape), dens.reshape(shape)

    def _rivals(self, markup: np.ndarray) -> np.ndarray:
        """On the log grid x: P(min_{j != i} bid > e^x), (..., X, n). The last profile's array is kept: a
        best-response search asks for it at every step."""
        def build() -> np.ndarray:
            log_surv, _ = self._bid_laws(markup)
            return np.exp(log_surv.sum(-1, keepdims=True) - log_surv)
        return self.kept_for("_rivals", markup, build)

    def _own_bid_kernels(self, markups: np.ndarray, x: np.ndarray, provers: slice = slice(None)
                         ) -> tuple[np.ndarray, np.ndarray]:
        """The log-bid density and CDF of the provers at `provers` at markups[i, k] on the grid x:
        (provers, m, X) each."""
        s = self.cost_noise
        z = np.subtract.outer(x, np.log(self._eff_cost()[provers, None] * (1 + markups))).transpose(1, 2, 0) / s
        return np.exp(-0.5 * z * z) / (s * np.sqrt(2 * np.pi)), special.ndtr(z)

    def _auction(self, markup: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(P(i wins), E[price; i wins], E[bid / (1 + m_i); i wins]): the lowest bid wins and is paid
        the second-lowest. Log bids are normal; with S_i the rivals' survival and F_i, f_i the own
        log-bid CDF and density, E[price; i wins] = int S_i(x) e^x (f_i(x) + F_i(x)) dx (the
        second-lowest bid's tail integral, with the order of integration swapped), by the trapezoid
        rule on the log grid (spacing s/8); two identical bidders give e^{s^2/2} Phi(s / sqrt 2) to 1e-15."""
        s = self.cost_noise
        eff = self._eff_cost()
        if self.n == 1:              # a lone bidder always wins and is paid the cap
            shape = np.shape(markup)
            return (np.ones(shape), np.full(shape, self.reward),
                    np.broadcast_to(eff * np.exp(s ** 2 / 2), shape).astype(float))
        x = self._log_grid()
        log_surv, dens = self._bid_laws(markup)
        others = np.exp(log_surv.sum(-1, keepdims=True) - log_surv)
        w = _trapezoid_weights(x)[:, None]
        paid = others * (np.exp(x)[:, None] * w)                          # S_i(x) e^x dx
        win = np.einsum("...xn,...xn->...n", dens, others * w)
        cost_win = np.einsum("...xn,...xn->...n", dens, paid)
        price = cost_win - np.einsum("...xn,...xn->...n", np.expm1(log_surv), paid)     # F = -expm1(log S)
        return win, price, cost_win / (1 + markup)

    def entry_values(self, profile: np.ndarray) -> np.ndarray:
        """stake_turns: expected reward per round of a turn-holder that proves."""
        return np.broadcast_to(self.turn_share * self.provers.reliability * self.reward, np.shape(profile))

    def entry_cost(self) -> np.ndarray:
        return self.turn_share * self.provers.cost

    def expected_payoffs(self, profile: Any) -> np.ndarray:
        p = self.check_profile(profile)
        if self.rule == "stake_turns":
            return p * (self.entry_values(p) - self.entry_cost())
        win, price, cost_win = self._auction(p)
        return self.provers.reliability * (price - cost_win)

    def deviation_payoffs(self, profile: Any, candidates: np.ndarray) -> np.ndarray:
        """Stake turns: linear in the own entry probability. Turn auction: the rivals' bid law is
        fixed while i deviates, so it is integrated once and each candidate markup only moves i's own
        bid density: (n, m) payoffs from one (n, m, X) array rather than m full auctions."""
        cand = self.check_candidates(candidates)
        if self.rule == "stake_turns":          # linear in the own entry: i's turns (and reach) do not depend on it
            gain = self.entry_values(self.check_profile(profile)) - self.entry_cost()
            return cand * gain[:, None]
        p = self.check_profile(profile)
        if self.n == 1:
            return super().deviation_payoffs(p, cand)
        x = self._log_grid()
        paid = self._rivals(p) * (np.exp(x) * _trapezoid_weights(x))[:, None]     # (X, n): S_i(x) e^x dx
        both = np.empty((self.n, cand.shape[1], 2))
        step = max(1, KERNEL_BLOCK // (cand.shape[1] * len(x)))   # provers per block: (block, m, X) kernels
        for start in range(0, self.n, step):
            block = slice(start, start + step)
            dens, cdf = self._own_bid_kernels(cand[block], x, block)
            both[block, :, 0] = np.einsum("bmx,xb->bm", dens + cdf, paid[:, block])
            both[block, :, 1] = np.einsum("bmx,xb->bm", dens, paid[:, block])
        price, cost_win = both[..., 0], both[..., 1]
        return self.provers.reliability[:, None] * (price - cost_win / (1 + cand))

    def member_payoffs(self, profile: Any, members: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Turn auction: the members' payoffs when they bid `values` and the others keep `profile`, from
        the others' log survival at the profile plus each member's change (B, s, X) work per block,
        not a full n-bidder auction per row; the same integrals as `_auction`. Otherwise (stake turns, a lone
        bidder, the runner-up ladder) the payoffs of the rows with the members' values substituted."""
        if self.rule == "stake_turns" or self.n == 1 or getattr(self, "failover", "none") != "none":
            rows = np.broadcast_to(self.check_profile(profile), (len(members), self.n)).copy()
            np.put_along_axis(rows, members, values, axis=1)
            return np.take_along_axis(self.expected_payoffs(rows), members, axis=1)
        p = self.check_profile(profile)
        x, s = self._log_grid(), self.cost_noise
        base, _ = self._bid_laws(p)                                     # (X, n)
        w = _trapezoid_weights(x) * np.exp(x)
        out = np.empty(members.shape)
        step = max(1, KERNEL_BLOCK // (members.shape[1] * len(x)))
        for start in range(0, len(members), step):
            m, v = members[start:start + step], values[start:start + step]
            logb = np.log(self._eff_cost()[m] * (1 + v))
            bids, where = np.unique(logb, return_inverse=True)                    # each distinct bid once
            z = (x - bids[:, None]) / s
            log_surv = special.log_ndtr(-z)[where.reshape(m.shape)]               # (b, s, X)
            dens = (np.exp(-0.5 * z * z) / (s * np.sqrt(2 * np.pi)))[where.reshape(m.shape)]
            total = base.sum(-1) + (log_surv - base.T[m]).sum(axis=1)             # (b, X): every bidder
            paid = np.exp(total[:, None, :] - log_surv) * w                       # S_i(x) e^x dx
            cost_win = np.einsum("bsx,bsx->bs", dens, paid)
            price = cost_win - np.einsum("bsx,bsx->bs", np.expm1(log_surv), paid)
            out[start:start + step] = self.provers.reliability[m] * (price - cost_win / (1 + v))
        return out

    def stats(self, profile: Any) -> Stats:
        p = self.check_profile(profile)
        rho = self.provers.reliability
        if self.rule == "stake_turns":
            part = p * self.turn_share
            reward = part * rho * self.reward
            return Stats(reward, part * self.provers.cost, part, float((part * rho).sum()), float(reward.sum()),
                         float((part * rho * self.provers.cost).sum()))
        win, price, cost_win = self._auction(p)
        reward = rho * price
        cost = rho * cost_win
        return Stats(reward, cost, win, float((win * rho).sum()), float(reward.sum()), float(cost.sum()))

    def first_assignment(self, profile: Any) -> np.ndarray:
        """P(i holds the turn and proves it): stake turns; P(i wins the turn's auction)."""
        return self.stats(profile).participation

    def solo_form(self, i: int) -> tuple[Any, dict[str, float]]:
        """Alone, every turn is its: rho R - c (stake turns); paid the cap against a log-normal cost,
        rho R - c e^{s^2 / 2} (turn auction)."""
        R, rho, c, s = sp.symbols("R rho c s", positive=True)
        values = {"R": self.reward, "rho": self.provers.reliability[i], "c": self.provers.cost[i]}
        if self.rule == "stake_turns":
            return rho * R - c, values
        return rho * R - c * sp.exp(s ** 2 / 2), {**values, "s": self.cost_noise}

    def on_time(self, profile: Any, window: float) -> float:
        """The turn's holder (stake_turns) or the auction's winner proves within the window."""
        return elected_on_time(self.first_assignment(profile), self.provers.reliability, self.provers.rate, window)

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        p = self.check_profile(profile)
        n = self.n
        rho = self.provers.reliability
        rows = np.arange(rounds)
        if self.rule == "stake_turns":
            offset = int(rng.integers(0, 1 << 30))
            period = self._period(min(4096, max(n * 64, 256)))
            holder = period[(offset + rows) % len(period)]
            acts = rng.random(rounds) < p[holder] if not np.all((p == 0) | (p == 1)) else p[holder] == 1
            ok = acts & (rng.random(rounds) < rho[holder])
            paid = np.where(ok, self.reward, 0.0)
            return Outcomes(None, None, None, ok, paid, np.where(ok, self.provers.cost[holder], 0.0),
                            first_assignment_times(holder, ok, self.provers.rate, rng),
                            assignments=_assigned(rounds, n, holder, paid, self.provers.cost[holder], acts))
        win, price, spent = self._auction_turns(p, rng, rounds)
        ok = rng.random(rounds) < rho[win]
        paid = np.where(ok, price, 0.0)
        # a failed proof costs the winner its proving cost and earns nothing (paid on delivery)
        return Outcomes(None, None, None, ok, paid, np.where(ok, spent, 0.0),
                        first_assignment_times(win, ok, self.provers.rate, rng),
                        assignments=_assigned(rounds, n, win, paid, spent))

    def _auction_turns(self, markup: np.ndarray, rng: np.random.Generator, rounds: int
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(winner, price, its realised cost) of each turn: every prover's log-normal cost drawn, bid at
        cost / reliability x (1 + markup), the lowest bid wins at the second-lowest. Drawn in blocks of
        rounds (the same normals in the same order as one (rounds, n) draw) so the bids stay in cache."""
        n = self.n
        cost, reliability = self.provers.cost, np.maximum(self.provers.reliability, 1e-12)
        win = np.empty(rounds, dtype=np.intp)
        price = np.full(rounds, self.reward)
        spent = np.empty(rounds)
        block = max(1, AUCTION_BLOCK // n)
        for start in range(0, rounds, block):
            stop = min(start + block, rounds)
            realised = rng.standard_normal((stop - start, n))
            realised *= self.cost_noise
            np.exp(realised, out=realised)
            np.multiply(cost, realised, out=realised)
            bids = realised / reliability
            bids *= 1 + markup
            rows = np.arange(stop - start)
            if n > 1:
                order = np.argpartition(bids, 1, axis=1)
                win[start:stop] = order[:, 0]
                price[start:stop] = bids[rows, order[:, 1]]
            else:
                win[start:stop] = 0
            spent[start:stop] = realised[rows, win[start:stop]]
        return win, price, spent

    def stall_weights(self, profile: Any) -> np.ndarray:
        s = self.stats(profile)
        return s.participation * self.provers.reliability

    def sybil_profit(self, operator: int, identities: int, failures: str) -> tuple[float, float] | None:
        """Stake turns follow stake, not identities: splitting changes neither share nor profit."""
        if self.rule != "stake_turns":
            return None
        share = float(self.turn_share[operator])
        return share, share * (self.provers.reliability[operator] * self.reward - self.provers.cost[operator])

    def withhold_bribes(self) -> np.ndarray:
        """stake_turns: the profit of proving its own turns (others withholding does not change them);
        TurnAuction overrides it (bidding alone, paid the cap)."""
        return self.turn_share * (self.provers.reliability * self.reward - self.provers.cost)

    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        if self.rule == "turn_auction":
            return np.zeros(self.n), "second-lowest-price auction: truthful bidding is dominant", True
        from provergame.solvers.entry import solve_entry_game
        return solve_entry_game(self, symmetric=symmetric)

    def symbolic(self) -> dict[str, Any]:
        s_i, S, R = sp.symbols("s_i S R", positive=True)
        if self.rule == "stake_turns":
            return {"turn_share": s_i / S, "price_per_proof_stake_turns": R}
        b, x, c, rho, P = sp.symbols("b x c rho P", positive=True)
        b1, b2, b3 = sp.symbols("b_1 b_2 b_3", positive=True)
        return {"bid_payoff": sp.Piecewise((rho * x - c, b < x), (0, True)),
                "price_second_of_three": sp.Min(sp.Max(sp.Min(b1, b2), sp.Min(sp.Max(b1, b2), b3)), R),
                "winner_margin": rho * P - c, "solo_payoff": self.solo_form(0)[0],
                "cost_per_turn": c * sp.exp(sp.Symbol("s", positive=True) * sp.Symbol("z", real=True))}

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        if self.rule == "turn_auction":
            form, values = self.solo_form(0)
            return [("solo_payoff", form, values, float(self.withhold_bribes()[0]))]
        stake = self.provers.stake
        if stake.sum() <= 0:
            return []
        return [("turn_share", self.symbolic()["turn_share"], {"s_i": stake[0], "S": stake.sum()},
                 float(self.turn_share[0]))]

    def mechanism_theorems(self) -> list:
        from provergame.proofs import vrf
        return vrf.turn_based(self.symbolic()) if self.rule == "stake_turns" else vrf.turn_auction(self.symbolic())


LADDERS = ("none", "runner_up")     # TurnAuction's failover: none, or the next-lowest bid takes over
_TURN_LIMITS = "no missed-turn penalty beyond losing the reward."


@register("stake_turns")
@dataclass(frozen=True)
class StakeTurns(_Turns):
    """Starknet's stake-based turns: turns go to provers in proportion to stake on a fixed schedule
    (Webster divisor times), each paid `reward`; a turn-holder proves (pays `cost`) with its profile
    probability.

    Under failover "next_draw" the holder has `failover_deadline` to deliver; then backups drawn by stake
    among the others (Plackett-Luce) take over in turn, each with the same deadline. Over a schedule
    period the holder is drawn in proportion to stake, so the unit's order of provers is a stake-weighted
    Plackett-Luce draw: the laws are the stake-weighted VRF's with failover (no slash, no stake cost),
    which the simulator does not use (it plays the schedule and draws the backups).
    """
    traits: ClassVar[GameTraits] = GameTraits(
        limitations="turns follow stake on a fixed schedule (stake does not grow with rewards); " + _TURN_LIMITS, max_provers=1000, timing=TimingFamily.ELECTED, elected_by_protocol=True,
        stall_form=ByChoice("failover", (("none", StallForm.LINEAR), ("next_draw", StallForm.LOGLINEAR))),
        budget_field="reward", proof_family="turn_based")
    failover: str = failover_field("the turn is lost when its holder misses (no backup)")
    failover_deadline: float = deadline_field()

    @cached_property
    def _backups(self) -> "StakeVRF | None":
        """The failover law: a stake-weighted VRF whose drawn prover delivers as a turn-holder does."""
        if self.failover == "none":
            return None
        return StakeVRF(self.reward, self.provers, failover=self.failover, failover_deadline=self.failover_deadline)

    def _registered(self, profile: Any) -> np.ndarray:
        return np.asarray(profile, dtype=float) * self._backups.eligible

    def entry_values(self, profile: np.ndarray) -> np.ndarray:
        """Per unit of entry probability: without failover the holder's turns, share_i rho_i R (its cost is
        entry_cost); with it, P(i is reached) (s_i R - c_i), the cost netted in (who pays it depends on
        the others' entries)."""
        if self._backups is None:
            return super().entry_values(profile)
        vrf = self._backups
        return vrf.reach(self._registered(profile)) * (vrf.success * self.reward - self.provers.cost)

    def entry_cost(self) -> np.ndarray:
        return super().entry_cost() if self._backups is None else np.zeros(self.n)

    def stats(self, profile: Any) -> Stats:
        if self._backups is None:
            return super().stats(profile)
        return self._backups.stats(self._registered(self.check_profile(profile)))

    def first_assignment(self, profile: Any) -> np.ndarray:
        """P(i holds the turn and proves it) (with failover: holds it and acts)."""
        if self._backups is None:
            return super().first_assignment(profile)
        return self.turn_share * self.check_profile(profile)

    def on_time(self, profile: Any, window: float) -> float:
        """With failover every prover with stake takes its turn when reached (the protocol cannot know a
        holder will not act before its deadline passes): turn success p_i s_i (games.failover.on_time)."""
        if self._backups is None:
            return super().on_time(profile, window)
        p, vrf = self.check_profile(profile), self._backups
        live = vrf.eligible.astype(float)
        return failover.on_time(live, p * vrf.success, self.provers.stake * live, p * self.provers.reliability,
                                self.provers.rate, window, self.failover_deadline)

    def stall_weights(self, profile: Any) -> np.ndarray:
        """With failover, w_i with P(no delivery | coalition S withholds) = exp(-sum_{i not in S} w_i): each turn
        fails independently, w_i = -log(1 - p_i s_i)."""
        if self._backups is None:
            return super().stall_weights(profile)
        turn = np.asarray(profile, dtype=float) * self._backups.success * self._backups.eligible
        return -np.log1p(-np.minimum(turn, 1 - 1e-15))

    def withhold_bribes(self) -> np.ndarray:
        """With failover: what a prover forgoes at the equilibrium, reached at all times its margin (the
        stake-weighted VRF's bribe)."""
        return super().withhold_bribes() if self._backups is None else self._backups.withhold_bribes()

    def sybil_profit(self, operator: int, identities: int, failures: str) -> tuple[float, float] | None:
        """Without failover splitting stake changes nothing; with it an identity can back up its sibling,
        which is the stake-weighted VRF's question, not claimed here."""
        return super().sybil_profit(operator, identities, failures) if self._backups is None else None

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        if self._backups is None:
            return super().play(profile, rng, rounds)
        p = self.check_profile(profile)
        offset = int(rng.integers(0, 1 << 30))
        period = self._period(min(4096, max(self.n * 64, 256)))
        holder = period[(offset + np.arange(rounds)) % len(period)]
        c = self.provers.cost
        row, col, acted, won, winner, ok, landed = scheduled_failover_attempts(
            holder, self.provers.stake, p, self.provers.reliability, self.provers.rate, self.failover_deadline, rng)
        events = Assignments(rounds, self.n, row, col, np.where(won, self.reward, 0.0), np.where(acted, c[col], 0.0),
                             acted, np.zeros(self.n))
        return Outcomes(None, None, None, ok, np.where(ok, self.reward, 0.0), np.where(ok, c[winner], 0.0), landed,
                        assignments=events)

    def symbolic(self) -> dict[str, Any]:
        from .forms import failover_on_time_form
        return {**super().symbolic(), "failover_on_time": failover_on_time_form()}

    def theorems(self) -> list:
        """Under failover the failover law's theorems replace the elected timing family's."""
        return super().theorems() if self.failover == "none" else self.mechanism_theorems()

    def mechanism_theorems(self) -> list:
        from provergame.proofs import vrf
        turns = vrf.failover(self.symbolic()["failover_on_time"]) if self.failover != "none" else []
        return super().mechanism_theorems() + turns


@register("turn_auction")
@dataclass(frozen=True)
class TurnAuction(_Turns):
    """Starknet's turn-based auction: each turn is auctioned, the lowest bid wins and is paid the
    second-lowest bid (the Bertrand price); per-turn costs are cost_i * exp(cost_noise * Z), Z ~ N(0, 1);
    a profile entry is a bid markup m_i >= 0 (bid = (1 + m_i) * realised cost / reliability); truthful
    m = 0 is dominant.

    Under failover "runner_up" the winner holds the turn for `failover_deadline`, then the next-lowest bid
    takes over, and so on up the bids (games.ladder); whoever delivers is paid min(the next bid above its
    own, reward); bids are (1 + m_i) cost / s_i with s_i = rho_i (1 - e^{-r_i d}) its chance to deliver in
    its turn. Truthful bidding is no longer dominant (bidding past a rival that may miss can pay): the
    equilibrium markups come from best-response iteration, certified by their regret."""
    rule: ClassVar[str] = "turn_auction"
    traits: ClassVar[GameTraits] = replace(StakeTurns.traits, strategy=StrategyKind.CONTINUOUS,
                                           limitations="each turn's costs are independent log-normal shocks around "
                                           "known means (no learning, no collusion beyond the cartel check); "
                                           + _TURN_LIMITS,
                                           strategy_label="bid markup", proof_family="turn_auction",
                                           stall_form=ByChoice("failover", (("none", StallForm.LINEAR),
                                                                            ("runner_up", StallForm.LOGLINEAR))))
    cost_noise: float = param(Real(lo=0, lo_open=True, hi=5, doc="sd of log per-turn costs"), 0.2)
    failover: str = param(Choice(options=LADDERS, doc="what happens when the winner misses: \"none\", the turn "
                                 "is lost; \"runner_up\", it holds the turn for failover_deadline, then the next-lowest "
                                 "bid takes over"), "none")
    failover_deadline: float = deadline_field()

    @property
    def _ladder(self) -> bool:
        return self.failover != "none"

    @property
    def _turn_success(self) -> np.ndarray:
        return failover.success(self.provers.reliability, self.provers.rate, self.failover, self.failover_deadline)

    def _ladder_terms(self, markup: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(reach_i(x), E[Q P | x], the bidders' log-bid densities) on the log grid at one profile, kept for
        it (a best-response search asks at every step)."""
        def build() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            log_surv, dens = self._bid_laws(markup)
            at_cap = np.log(self.reward) - np.log(self._eff_cost() * (1 + markup)) if self.reward > 0 else -np.inf
            cap = special.log_ndtr(-at_cap / self.cost_noise)            # log S_j(log R)
            return (*ladder.terms(log_surv, self._turn_success, self._log_grid(), self.reward, cap), dens)
        return self.kept_for("_ladder_terms", markup, build)

    def _ladder_values(self, profile: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(E reward, E cost, P(reached)) per prover under the ladder, (..., n) each: the reached bidder is paid
        the price on delivery (s_i) and pays its realised cost s_i e^x / (1 + m_i) whenever reached."""
        x = self._log_grid()
        w = _trapezoid_weights(x)
        rows = profile.reshape(-1, self.n)
        out = np.empty((3,) + rows.shape)
        for r, markup in enumerate(rows):                  # one ladder per profile asked for
            reach, price, dens = self._ladder_terms(markup)
            weight = dens * w[:, None]
            out[2, r] = np.einsum("xn,xn->n", weight, reach)
            out[0, r] = self._turn_success * np.einsum("xn,xn->n", weight, price)
            out[1, r] = self._turn_success / (1 + markup) * np.einsum("xn,xn->n", weight, np.exp(x)[:, None] * reach)
        return tuple(v.reshape(profile.shape) for v in out)

    def expected_payoffs(self, profile: Any) -> np.ndarray:
        if not self._ladder:
            return super().expected_payoffs(profile)
        reward, cost, _ = self._ladder_values(self.check_profile(profile))
        return reward - cost

    def deviation_payoffs(self, profile: Any, candidates: np.ndarray) -> np.ndarray:
        """Under the ladder the rivals' terms reach_i, E[Q P | x] are fixed while i deviates: each candidate
        markup only moves i's own bid density, (n, m, X) work."""
        if not self._ladder:
            return super().deviation_payoffs(profile, candidates)
        cand = self.check_candidates(candidates)
        reach, price, _ = self._ladder_terms(self.check_profile(profile))
        x = self._log_grid()
        w = _trapezoid_weights(x)[:, None]
        paid, spent = price * w, reach * (np.exp(x)[:, None] * w)
        out = np.empty(cand.shape)
        step = max(1, KERNEL_BLOCK // (cand.shape[1] * len(x)))
        for start in range(0, self.n, step):
            block = slice(start, start + step)
            dens, _ = self._own_bid_kernels(cand[block], x, block)
            out[block] = (np.einsum("bmx,xb->bm", dens, paid[:, block])
                          - np.einsum("bmx,xb->bm", dens, spent[:, block]) / (1 + cand[block]))
        return self._turn_success[:, None] * out

    def stats(self, profile: Any) -> Stats:
        """Under the ladder: participation is P(reached), eventual liveness 1 - prod (1 - s_j) (every bidder
        gets its turn), the useful cost the delivering bidder's."""
        if not self._ladder:
            return super().stats(profile)
        reward, cost, reached = self._ladder_values(self.check_profile(profile))
        s = self._turn_success
        return Stats(reward, cost, reached, float(1 - np.prod(1 - s)), float(reward.sum()), float((s * cost).sum()))

    def first_assignment(self, profile: Any) -> np.ndarray:
        """P(i bids lowest and so holds the turn first) under the ladder."""
        if not self._ladder:
            return super().first_assignment(profile)
        return self._auction(self.check_profile(profile))[0]

    def on_time(self, profile: Any, window: float) -> float:
        """Under the ladder the K = floor(w / d) turns that end inside the window count, each with s_i, and
        turn K + 1 with the rest of the window (games.rules.failover_on_time over games.ladder.positions)."""
        if not self._ladder:
            return super().on_time(profile, window)
        p = self.check_profile(profile)
        k, _ = failover_slots(window, self.failover_deadline)
        log_surv, dens = self._bid_laws(p)
        turn = ladder.positions(log_surv, self._turn_success, min(k, self.n - 1) + 1)
        reached = np.einsum("xn,xnk->nk", dens * _trapezoid_weights(self._log_grid())[:, None], turn)
        return failover_on_time(reached, np.ones(self.n), self._turn_success, self.provers.reliability,
                                self.provers.rate, window, self.failover_deadline)

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        """Under the ladder: every bidder's cost is drawn, bids (1 + m) cost / s rank the turns
        (games.rules.ladder_attempts), each reached bidder pays its realised cost and the one that delivers
        is paid min(its next bid above, reward)."""
        if not self._ladder:
            return super().play(profile, rng, rounds)
        p = self.check_profile(profile)
        n, cost = self.n, self.provers.cost
        success = np.maximum(self._turn_success, 1e-12)
        parts = []
        step = max(1, AUCTION_BLOCK // n)
        for lo in range(0, rounds, step):
            m = min(rounds, lo + step) - lo
            realised = cost * np.exp(self.cost_noise * rng.standard_normal((m, n)))
            row, col, won, winner, ok, landed, above = ladder_attempts(
                realised / success * (1 + p), self.provers.reliability, self.provers.rate, self.failover_deadline,
                rng, lo)
            price = np.minimum(above, self.reward)
            here = np.arange(m)
            parts.append((row, col, np.where(won, price[row - lo], 0.0), realised[row - lo, col], ok,
                          np.where(ok, price, 0.0), np.where(ok, realised[here, winner], 0.0), landed))
        row, col, pay, spent, ok, paid, used, landed = (np.concatenate(a) for a in zip(*parts)) if parts else \
            (np.zeros(0, int),) * 2 + (np.zeros(0),) * 2 + (np.zeros(0, bool),) + (np.zeros(0),) * 3
        events = Assignments(rounds, n, row, col, pay, spent, np.ones(row.size, dtype=bool), np.zeros(n))
        return Outcomes(None, None, None, ok, paid, used, landed, assignments=events)

    def stall_weights(self, profile: Any) -> np.ndarray:
        """Under the ladder every bidder takes its turn: P(no delivery | coalition S withholds) =
        prod_{i not in S} (1 - s_i), w_i = -log(1 - s_i)."""
        if not self._ladder:
            return super().stall_weights(profile)
        return -np.log1p(-np.minimum(self._turn_success, 1 - 1e-15))

    def withhold_bribes(self) -> np.ndarray:
        """Bidding alone while the others withhold, paid the cap: s_i R - c_i e^{s^2 / 2} (s_i = rho_i without
        failover)."""
        return self._turn_success * self.reward - self.provers.cost * np.exp(self.cost_noise ** 2 / 2)

    def solo_form(self, i: int) -> tuple[Any, dict[str, float]]:
        """Alone, paid the cap against a log-normal cost: rho R - c e^{s^2 / 2}, rho the turn success."""
        form, values = super().solo_form(i)
        return form, {**values, "rho": float(self._turn_success[i])}

    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        if not self._ladder:
            return super().equilibrium(symmetric)
        from provergame.solvers.dynamics import best_response_iteration
        p, ok = best_response_iteration(self, np.zeros(self.n))
        return p, ("best-response iteration over bid markups from truthful bids (under the runner-up ladder "
                   "bidding past a rival that may miss can pay)"), ok

    def symbolic(self) -> dict[str, Any]:
        if not self._ladder:
            return super().symbolic()
        from .forms import failover_on_time_form
        b, c, R = sp.symbols("b c R", positive=True)
        s0, s1, s2, x1, x2 = sp.symbols("s_0 s_1 s_2 x_1 x_2", positive=True)
        ladder_payoff = sp.Piecewise((s0 * sp.Min(x1, R) - c, b < x1), ((1 - s1) * (s0 * sp.Min(x2, R) - c), b < x2),
                                     ((1 - s1) * (1 - s2) * (s0 * R - c), True))
        return {**super().symbolic(), "ladder_payoff": ladder_payoff, "failover_on_time": failover_on_time_form()}

    def theorems(self) -> list:
        """Under the ladder its own and the failover law's theorems replace the elected timing family's."""
        return super().theorems() if not self._ladder else self.mechanism_theorems()

    def mechanism_theorems(self) -> list:
        from provergame.proofs import vrf
        sym = self.symbolic()
        return vrf.turn_auction(sym) + (vrf.failover(sym["failover_on_time"]) if self._ladder else [])


LOG_GRID_MAX = 20_000        # log-grid points at most (cost_noise below about range / 2,500 is resolved more coarsely)
KERNEL_BLOCK = 8_000_000     # (provers, candidates, grid) elements of one turn-auction deviation block (64 MB)


def _trapezoid_weights(x: np.ndarray) -> np.ndarray:
    """Weights of the trapezoid rule on the grid x: sum(w * f) = scipy's trapezoid(f, x)."""
    dx = np.diff(x)
    w = np.zeros_like(x)
    w[:-1] += dx / 2
    w[1:] += dx / 2
    return w


route("turn_based", "rule", {"stake_turns": "stake_turns", "turn_auction": "turn_auction"}, default="stake_turns")
