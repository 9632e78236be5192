"""The proving race: bounty races, uncle rewards, a minimal proving time, the sequencer's bounty queue.

Seed: "Why can't we just post proofs to a worker queue with a bounty?" A prover that enters pays
its `cost`; its proof takes an Exp(rate) time and is valid with probability `reliability`.
The first valid proof wins (P(i wins | entrants S) = rate_i / sum_S rate, the exponential race).
"""
from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
from provergame.lazy import sympy as sp

from provergame.errors import InvalidParameter, check_int
from provergame.model import Population
from provergame.params import Choice, Int, Real, param
from provergame.solvers import contest, exponential_race as er

from .base import PROVERS, Assignments, BroadcastFace, EntryGame, Game, Outcomes, Stats, example_provers
from .registry import register
from .rules import entries as _entries, first_finisher as _first, one_hot as _one_hot, race_on_time, scalar_or_rows
from .rules import valid_draws as _valid
from .traits import GameTraits, StrategyKind


def _won_outcomes(entrants: np.ndarray, spend: np.ndarray, prize: float, accepted: np.ndarray, winner: np.ndarray,
                  landed: np.ndarray) -> Outcomes:
    """Rounds in which the same `entrants` each spend `spend` and attempt, and the winner takes `prize`
    when a proof was accepted: sparse outcomes (the prizes are the events, the rest is standing)."""
    rounds = accepted.shape[0]
    rows = None if bool(accepted.all()) else np.flatnonzero(accepted)
    col = winner if rows is None else winner[rows]
    spend = np.where(entrants, spend, 0.0)
    events = Assignments(rounds, entrants.shape[0], rows, col, np.full(col.shape[0], float(prize)), np.zeros(col.shape[0]),
                         np.zeros(col.shape[0], dtype=bool), spend, entrants.astype(float))
    return Outcomes(None, None, None, accepted, np.where(accepted, float(prize), 0.0),
                    np.where(accepted, spend[winner], 0.0), landed, assignments=events)


def entry_race_forms() -> dict[str, Any]:
    """Closed forms shared by every game where a prover proving alone takes the whole reward: the
    withholding bribe (its payoff alone, rho R - c) and liveness with two entrants."""
    R, rho_i, c_i, q_1, q_2 = sp.symbols("R rho_i c_i q_1 q_2", positive=True)
    return {"withhold_bribe": rho_i * R - c_i, "liveness_two_entrants": 1 - (1 - q_1) * (1 - q_2)}


def entry_race_checks(game: EntryGame, reward: float,
                      cost: np.ndarray) -> list[tuple[str, Any, dict[str, float], float]]:
    """The forms above against the game's numeric face: the payoff of entering alone (what
    bribe_threshold pays a withholder) and the liveness of its first two provers entering."""
    forms = entry_race_forms()
    alone = game.deviation_payoffs(np.zeros(game.n), game.strategy_bounds()[1][:, None])[:, 0]   # entering while all withhold
    rho = game.provers.reliability
    out = [("withhold_bribe", forms["withhold_bribe"], {"R": reward, "rho_i": rho[0], "c_i": cost[0]},
            float(alone[0]))]
    if game.n >= 2:
        two = game.with_provers([0, 1])
        out.append(("liveness_two_entrants", forms["liveness_two_entrants"], {"q_1": rho[0], "q_2": rho[1]},
                    float(two.stats(np.ones(2)).eventual_liveness)))
    return out


class FirstValidProof:
    """Timing of games where every entrant proves at once and the first valid proof counts: presence
    p_i rho_i, Exp(rate) proving times (games.forms.race_on_time_form), and proving alone pays
    rho_i B - c_i with B the game's budget parameter."""

    def race_law(self, profile: Any) -> tuple[np.ndarray, np.ndarray, float, float] | None:
        """(presence q_i, proving rate r_i, time proofs start counting, latest useful time)."""
        return self.check_profile(profile) * self.provers.reliability, self.provers.rate, 0.0, float("inf")

    def on_time(self, profile: Any, window: float) -> float:
        presence, rate, start, cap = self.race_law(profile)
        return race_on_time(presence, rate, min(window, cap), start=start)

    def solo_form(self, i: int) -> tuple[Any, dict[str, float]]:
        """Payoff of proving alone (what the stall bribe pays prover i): rho_i R - c_i."""
        return entry_race_forms()["withhold_bribe"], {"R": getattr(self, self.traits.budget_field),
                                                      "rho_i": self.provers.reliability[i], "c_i": self.entry_cost()[i]}


class _Race(BroadcastFace, FirstValidProof, EntryGame):
    """Shared pieces of the entry races: presence, stats from win probabilities, proof times; stats
    and on_time broadcast over leading profile axes."""

    reward: float
    provers: Population

    horizon: ClassVar[float] = float("inf")      # proofs landing after it are refused (WinnerTakesAll's deadline)

    def _presence(self, p: np.ndarray) -> np.ndarray:
        return p * self.provers.reliability

    def _by_horizon(self, presence: np.ndarray) -> np.ndarray:
        """P(a present prover's proof lands by the horizon)."""
        return presence if np.isinf(self.horizon) else presence * -np.expm1(-self.provers.rate * self.horizon)

    @abstractmethod
    def _win_given_entry(self, p: np.ndarray) -> np.ndarray:
        """P(i's proof is the accepted one | i enters)."""

    def stats(self, profile: Any) -> Stats:
        p = self.check_profile(profile)
        values = self.entry_values(p)
        win = p * self._win_given_entry(p)
        reward = p * values
        return Stats(reward=reward, cost=p * self.entry_cost(), participation=p,
                     eventual_liveness=scalar_or_rows(1 - np.prod(1 - self._by_horizon(self._presence(p)), axis=-1)),
                     user_payment=scalar_or_rows(reward.sum(axis=-1)),
                     useful_cost=scalar_or_rows((win * self.entry_cost()).sum(axis=-1)))

    def _times(self, p: np.ndarray, rng: np.random.Generator, rounds: int) -> tuple[np.ndarray, np.ndarray]:
        enter = _entries(p, rng, rounds)
        everyone = bool(np.all(p == 1) and np.all(self.provers.reliability == 1))
        present = None if everyone else enter & _valid(self.provers.reliability, rng, rounds)
        times = rng.standard_exponential((rounds, self.n))
        times /= self.provers.rate
        if everyone:
            return enter, times                       # everyone enters and every proof is valid
        return enter, np.where(present, times, np.inf)

    def _outcomes(self, enter: np.ndarray, reward: np.ndarray, accepted: np.ndarray,
                  winner: np.ndarray, landed: np.ndarray) -> Outcomes:
        cost = enter * self.entry_cost()
        useful = np.where(accepted, self.entry_cost()[winner], 0.0)
        return Outcomes(reward, cost, np.asarray(enter), accepted, reward.sum(axis=1), useful, landed)

    def _won(self, p: np.ndarray, enter: np.ndarray, prize: float, accepted: np.ndarray, winner: np.ndarray,
             landed: np.ndarray) -> Outcomes:
        """Outcomes of rounds where the winner, if a proof was accepted, takes `prize`. With a pure profile
        the same provers enter every round: each pays its entry cost and attempts in every round (standing)
        and the winners' prizes are the only events, so nothing of size rounds x n is built."""
        if not np.all((p == 0) | (p == 1)):
            return self._outcomes(enter, _one_hot(winner, accepted, self.n, prize), accepted, winner, landed)
        return _won_outcomes(p == 1, self.entry_cost(), prize, accepted, winner, landed)


@register("winner_takes_all")
@dataclass(frozen=True)
class WinnerTakesAll(_Race):
    """Bounty race: entrants pay `cost`; the first valid proof takes `reward`.

    V_i = reward * reliability_i * int_0^inf rate_i e^{-rate_i t} prod_{j!=i} (1 - q_j + q_j e^{-rate_j t}) dt,
    q_j = p_j reliability_j; for pure profiles this is rate_i / sum_S rate (exponential race).
    """
    traits: ClassVar[GameTraits] = GameTraits(
        entry_substitutes=True,
        limitations=("one block at a time with exponential proving times; losers' wasted work is a cost but their hardware"
            " is not (no capex, entry or exit over time); no L1 gas for submitting."),
        max_provers=2000,
        budget_field="reward",
    )

    reward: float = param(Real(lo=0, unit="token per proof", doc="paid to the first valid proof"))
    provers: Population = param(PROVERS)
    deadline: float | None = param(Real(lo=0, lo_open=True, optional=True, unit="time unit",
                                        doc="a proof landing after it is refused (none: no deadline)"), None)

    @classmethod
    def example(cls, n: int | None = None) -> "WinnerTakesAll":
        return cls(10.0, example_provers(n or 6))

    @property
    def horizon(self) -> float:
        return float("inf") if self.deadline is None else self.deadline

    def _win_given_entry(self, p: np.ndarray) -> np.ndarray:
        """P(i's valid proof is the first, by the deadline | i enters) (solvers.exponential_race)."""
        return self.provers.reliability * er.first_finish(self._presence(p), self.provers.rate, 0.0, self.horizon)

    def race_law(self, profile: Any) -> tuple[np.ndarray, np.ndarray, float, float] | None:
        return self.check_profile(profile) * self.provers.reliability, self.provers.rate, 0.0, self.horizon

    def solo_form(self, i: int) -> tuple[Any, dict[str, float]]:
        """Proving alone: rho_i R - c_i, rho_i its chance of a valid proof by the deadline,
        reliability_i (1 - e^{-rate_i deadline})."""
        form, values = super().solo_form(i)
        return form, {**values, "rho_i": float(self.provers.reliability[i] * -np.expm1(-self.provers.rate[i] * self.horizon))}

    def entry_values(self, profile: np.ndarray) -> np.ndarray:
        return self.reward * self._win_given_entry(np.asarray(profile, dtype=float))

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        p = self.check_profile(profile)
        enter, times = self._times(p, rng, rounds)
        winner, accepted = _first(times)
        landed = times[np.arange(rounds), winner]
        if self.deadline is not None:                      # a proof after the deadline is refused
            accepted = accepted & (landed <= self.deadline)
            landed = np.where(accepted, landed, np.inf)
        return self._won(p, enter, self.reward, accepted, winner, landed)

    def symbolic(self) -> dict[str, Any]:
        R, c, p, r_i, r_S = sp.symbols("R c p r_i r_S", positive=True)
        n, m = sp.symbols("n m", integer=True, positive=True)
        return {**entry_race_forms(), "payoff_entrant": R * r_i / (r_i + r_S) - c,
                "payoff_identical_m_entrants": R / m - c,
                "entrants_identical": sp.floor(R / c),
                "entry_value_symmetric_mixed": R * (1 - (1 - p) ** n) / (n * p)}

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        """The untimed race's forms against its numeric face (with a deadline, on the game without it: the
        timed face is checked against the exponential race by hand in the tests)."""
        if self.deadline is not None:
            return replace(self, deadline=None).symbolic_checks()
        sure = replace(self, provers=self.provers.replace(reliability=1.0))
        r, c = self.provers.rate, self.provers.cost
        same = replace(self, provers=Population.identical(self.n, float(c.mean())))
        return entry_race_checks(self, self.reward, self.provers.cost) + [
                ("payoff_entrant", self.symbolic()["payoff_entrant"],
                 {"R": self.reward, "r_i": r[0], "r_S": r.sum() - r[0], "c": c[0]},
                 float(sure.expected_payoffs(np.ones(self.n))[0])),
                ("payoff_identical_m_entrants", self.symbolic()["payoff_identical_m_entrants"],
                 {"R": self.reward, "m": self.n, "c": float(c.mean())}, float(same.expected_payoffs(np.ones(self.n))[0]))]

    def mechanism_theorems(self) -> list:
        """The untimed race's theorems; with a deadline their closed forms (R r_i / (r_i + r_S) - c) no longer
        describe the payoffs, and only the timing family's theorems are stated."""
        from provergame.proofs import race
        return race.winner_takes_all(self.symbolic()) if self.deadline is None else []


@register("uncle_rewards")
@dataclass(frozen=True)
class UncleRewards(_Race):
    """First valid proof earns `reward`; the next `uncles` valid proofs earn `uncle_share * reward`.

    Finishing order follows the exponential race (Plackett-Luce). Exact for heterogeneous rates:
    P(i is k-th) = int rate_i e^{-rate_i t} P(exactly k-1 others done by t) dt, the count being
    Poisson-binomial (leave-one-out products by parallel prefix scan).
    """
    traits: ClassVar[GameTraits] = GameTraits(
        entry_substitutes=True,
        limitations=("as the race: exponential proving times, one block at a time; uncle proofs are paid but cost the "
            "protocol no extra verification gas."),
        max_provers=1000,
        budget_field="reward",
        design_fields=(("uncle_share", 0.0, 0.5),),
    )

    reward: float = param(Real(lo=0, unit="token per proof", doc="paid to the first valid proof"))
    uncle_share: float = param(Real(lo=0, hi=1, unit="share of reward", doc="paid to each uncle"))
    uncles: int = param(Int(lo=0, hi=1000, unit="proofs", doc="how many later valid proofs are paid"))
    provers: Population = param(PROVERS)

    @classmethod
    def example(cls, n: int | None = None) -> "UncleRewards":
        return cls(10.0, 0.25, 2, example_provers(n or 6))

    def _positions(self, p: np.ndarray) -> np.ndarray:
        k = min(self.uncles + 1, self.n)
        return self.provers.reliability[:, None] * er.finish_position(self._presence(p), self.provers.rate, k)

    def _win_given_entry(self, p: np.ndarray) -> np.ndarray:
        return self._positions(p)[..., 0]

    def entry_values(self, profile: np.ndarray) -> np.ndarray:
        pos = self._positions(np.asarray(profile, dtype=float))
        return self.reward * (pos[..., 0] + self.uncle_share * pos[..., 1:].sum(axis=-1))

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        p = self.check_profile(profile)
        enter, times = self._times(p, rng, rounds)
        k = min(self.uncles + 1, self.n)
        order = np.argsort(times, axis=1, kind="stable")[:, :k]
        rows = np.arange(rounds)[:, None]
        finished = np.isfinite(times[rows, order])
        pay = np.where(np.arange(k) == 0, self.reward, self.uncle_share * self.reward)
        reward = np.zeros((rounds, self.n))
        reward[rows, order] = np.where(finished, pay, 0.0)
        winner, accepted = order[:, 0], finished[:, 0]
        return self._outcomes(enter, reward, accepted, winner, times.min(axis=1))

    def symbolic(self) -> dict[str, Any]:
        R, c, s = sp.symbols("R c s", positive=True)
        m, U = sp.symbols("m U", integer=True, positive=True)
        return {**entry_race_forms(), "payoff_identical_m_entrants": R * (1 + s * sp.Min(U, m - 1)) / m - c,
                "user_cost_identical": R * (1 + s * sp.Min(U, m - 1))}

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        c = float(self.provers.cost.mean())
        same = replace(self, provers=Population.identical(self.n, c))
        return entry_race_checks(self, self.reward, self.provers.cost) + [
                ("payoff_identical_m_entrants", self.symbolic()["payoff_identical_m_entrants"],
                 {"R": self.reward, "s": self.uncle_share, "U": self.uncles, "m": self.n, "c": c},
                 float(same.expected_payoffs(np.ones(self.n))[0]))]

    def mechanism_theorems(self) -> list:
        from provergame.proofs import race
        return race.uncle_rewards(self.symbolic())


@register("minimum_proving_time")
@dataclass(frozen=True)
class MinimumProvingTime(_Race):
    """Proofs count only from `t_min` on (Mina): all entrants done by t_min tie, one wins at random;
    if none is done, the first to finish after t_min wins.

    proving_time="exponential": Exp(rate) times, V_i = R rho_i [(1 - e^{-r_i t_min}) E[1/(1+K_i)]
    + int_{t_min}^inf race density]; "deterministic": proving takes exactly 1/rate, so every prover
    with 1/rate <= t_min is in the tie and extra speed is worth exactly nothing.
    """
    traits: ClassVar[GameTraits] = GameTraits(
        entry_substitutes=True,
        limitations=("as the race, with proofs counted only after t_min; no hardware investment to get under t_min, no L1 "
            "gas."),
        max_provers=1000,
        budget_field="reward",
        design_fields=(("t_min", 0.0, 1.0),),
    )

    reward: float = param(Real(lo=0, unit="token per proof", doc="paid to the proof that wins"))
    t_min: float = param(Real(lo=0, unit="time unit", doc="proofs count only from t_min on"))
    provers: Population = param(PROVERS)
    proving_time: str = param(Choice(options=("exponential", "deterministic"), doc="law of proving times"),
                              "exponential")

    @classmethod
    def example(cls, n: int | None = None) -> "MinimumProvingTime":
        return cls(10.0, 1.0, example_provers(n or 6))

    def _win_given_entry(self, p: np.ndarray) -> np.ndarray:
        rho, rate = self.provers.reliability, self.provers.rate
        q = self._presence(p)
        if self.proving_time == "exponential":
            done = -np.expm1(-rate * self.t_min)
            tie = done * er.expected_inverse_count(q * done)
            late = er.first_finish(q, rate, t_from=self.t_min)
            return rho * (tie + late)
        # Deterministic times: tie classes (every prover with 1/rate <= t_min is in one class) sorted
        # by finishing time; i wins if everyone strictly ahead is absent and it wins the tie lottery.
        key = np.where(1.0 / rate <= self.t_min, -np.inf, 1.0 / rate)
        order = np.argsort(key, kind="stable")
        ks = key[order]
        first = np.searchsorted(ks, ks, side="left")
        qs = q[..., order]
        before = np.concatenate([np.ones(qs.shape[:-1] + (1,)), np.cumprod(1 - qs, axis=-1)[..., :-1]], axis=-1)
        ahead_absent = np.empty_like(before)
        ahead_absent[..., order] = before[..., first]
        inv = np.ones(np.broadcast_shapes(q.shape, key.shape))
        groups, counts = np.unique(ks, return_counts=True)
        for g in groups[counts > 1]:  # tie classes with several members (usually just the t_min class)
            members = np.flatnonzero(key == g)
            inv[..., members] = er.expected_inverse_count(q[..., members])
        return rho * ahead_absent * inv

    def entry_values(self, profile: np.ndarray) -> np.ndarray:
        return self.reward * self._win_given_entry(np.asarray(profile, dtype=float))

    def race_law(self, profile: Any) -> tuple[np.ndarray, np.ndarray, float, float] | None:
        if self.proving_time != "exponential":
            return None              # deterministic proving times: no exponential law
        return self._presence(self.check_profile(profile)), self.provers.rate, self.t_min, float("inf")

    def on_time(self, profile: Any, window: float) -> float:
        """A proof counts from t_min on: on time iff t_min <= window and it is done by the window."""
        q = self._presence(self.check_profile(profile))
        if self.proving_time == "exponential":
            return race_on_time(q, self.provers.rate, window, start=self.t_min)
        done = (1.0 / self.provers.rate <= window) & (self.t_min <= window)
        return scalar_or_rows(1 - np.prod(1 - q * done, axis=-1))

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        p = self.check_profile(profile)
        enter = _entries(p, rng, rounds)
        present = enter & _valid(self.provers.reliability, rng, rounds)
        if self.proving_time == "exponential":
            raw = rng.standard_exponential((rounds, self.n)) / self.provers.rate
        else:
            raw = np.broadcast_to(1.0 / self.provers.rate, (rounds, self.n))
        times = np.where(present, raw, np.inf)
        counted = np.maximum(times, self.t_min)                    # a proof counts from t_min on
        first = counted.min(axis=1, keepdims=True)
        tied = np.isfinite(counted) & (counted == first)
        keys = np.where(tied, rng.random((rounds, self.n)), -1.0)
        winner = np.argmax(keys, axis=1)
        accepted = tied.any(axis=1)
        return self._won(p, enter, self.reward, accepted, winner, first[:, 0])

    def symbolic(self) -> dict[str, Any]:
        R, y, d, r, t = sp.symbols("R y d r t_min", positive=True)
        # two provers, exponential times: y = P(i not done by t_min) = e^{-r t_min}, d = P(rival done by then)
        late = sp.Symbol("P_first_after_tmin", positive=True)
        y1, y2, r1, r2 = sp.symbols("y_1 y_2 r_1 r_2", positive=True)
        # the same race from the rules: y_k = e^{-r_k t_min}; done by t_min -> counted at t_min (ties split
        # evenly); both still proving at t_min -> memoryless, the first after t_min wins (r_1 / (r_1 + r_2))
        win = (1 - y1) * (1 - y2) / 2 + (1 - y1) * y2 + y1 * y2 * r1 / (r1 + r2)
        return {**entry_race_forms(), "value_two_provers_exponential": R * ((1 - y) * (1 - d / 2) + y * late),
                "win_chance_two_exponential": win,
                "not_done_by_t_min": sp.exp(-r * t),
                "value_deterministic_tie_of_k": R / sp.Symbol("k", integer=True, positive=True)}

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        if self.t_min <= 0:
            return entry_race_checks(self, self.reward, self.provers.cost)
        tied = replace(self, proving_time="deterministic",
                       provers=self.provers.replace(rate=2.0 / self.t_min, reliability=1.0))
        return entry_race_checks(self, self.reward, self.provers.cost) + [
                ("value_deterministic_tie_of_k", self.symbolic()["value_deterministic_tie_of_k"],
                 {"R": self.reward, "k": self.n}, float(tied.entry_values(np.ones(self.n))[0]))]

    def mechanism_theorems(self) -> list:
        from provergame.proofs import race
        return race.minimum_proving_time(self.symbolic())


@register("speed_race")
@dataclass(frozen=True)
class SpeedRace(Game):
    """Provers buy proving speed x_i >= 0 at `cost` per unit; the fastest wins, P(win) = x_i / sum x.

    The exponential race with rates x makes this the Tullock lottery contest: payoff
    reward * x_i / sum x - cost_i x_i (Tullock 1980; heterogeneous closed form: Stein 2002).
    """
    traits: ClassVar[GameTraits] = GameTraits(
        limitations=("speed is bought per block at a constant marginal cost (no capacity limits, no capex amortisation); "
            "the Tullock contest law is exact only for exponential times."),
        max_provers=100_000,
        strategy=StrategyKind.CONTINUOUS,
        strategy_label="speed",
        budget_field="reward",
    )

    reward: float = param(Real(lo=0, lo_open=True, unit="token per proof", doc="paid to the fastest prover"))
    provers: Population = param(PROVERS)

    def _validate(self) -> None:
        if np.any(self.provers.cost <= 0):
            i = int(np.flatnonzero(self.provers.cost <= 0)[0])
            raise InvalidParameter(f"cost[{i}]", float(self.provers.cost[i]), "> 0 (cost per unit of speed)")

    @classmethod
    def example(cls, n: int | None = None) -> "SpeedRace":
        return cls(10.0, example_provers(n or 6))

    def strategy_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(self.n), self.reward / self.provers.cost

    def expected_payoffs(self, profile: Any) -> np.ndarray:
        x = self.check_profile(profile)
        total = x.sum(axis=-1, keepdims=True)
        share = np.divide(x, total, out=np.zeros_like(x), where=total > 0)
        return self.reward * share - self.provers.cost * x

    def deviation_payoffs(self, profile: Any, candidates: np.ndarray) -> np.ndarray:
        x = self.check_profile(profile)
        cand = self.check_candidates(candidates)
        others = (x.sum() - x)[:, None]
        total = others + cand
        share = np.divide(cand, total, out=np.zeros_like(cand), where=total > 0)
        return self.reward * share - self.provers.cost[:, None] * cand

    def stats(self, profile: Any) -> Stats:
        x = self.check_profile(profile)
        total = x.sum()
        win = x / total if total > 0 else np.zeros(self.n)
        spend = self.provers.cost * x
        return Stats(reward=self.reward * win, cost=spend, participation=(x > 0).astype(float),
                     eventual_liveness=float(total > 0), user_payment=self.reward * float(total > 0),
                     useful_cost=float((win * spend).sum()))

    def race_law(self, profile: Any) -> tuple[np.ndarray, np.ndarray, float, float]:
        x = self.check_profile(profile)
        return (x > 0).astype(float), x, 0.0, float("inf")

    def on_time(self, profile: Any, window: float) -> float:
        """The fastest of Exp(x_i) clocks is Exp(sum x): on time with probability 1 - e^{-window sum x}."""
        return float(-np.expm1(-window * self.check_profile(profile).sum()))

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        x = self.check_profile(profile)
        active = x > 0
        times = np.full((rounds, self.n), np.inf)
        times[:, active] = rng.standard_exponential((rounds, int(active.sum()))) / x[active]
        winner, accepted = _first(times)
        return _won_outcomes(active, self.provers.cost * x, self.reward, accepted, winner, times.min(axis=1))

    def stall_weights(self, profile: Any) -> np.ndarray:
        """Any prover with positive speed delivers eventually: it must be in the coalition."""
        return np.where(self.check_profile(profile) > 0, 745.0, 0.0)

    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        if symmetric and not self.provers.is_identical:
            raise InvalidParameter("symmetric", True, "only for games whose provers are identical")
        x = contest.tullock_equilibrium(self.reward, self.provers.cost)
        return x, "Tullock active-set closed form (Stein 2002), O(n log n)", True

    def symbolic(self) -> dict[str, Any]:
        return contest.symbolic_tullock()

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        c = float(self.provers.cost.mean())
        same = replace(self, provers=Population.identical(self.n, c))
        x = same.equilibrium()[0]
        sym, vals = self.symbolic(), {"R": self.reward, "c": c, "n": self.n}
        return [("effort", sym["effort"], vals, float(x[0])),
                ("profit", sym["profit"], vals, float(same.expected_payoffs(x)[0]))]

    def mechanism_theorems(self) -> list:
        from provergame.proofs import race
        return race.speed_race(self.symbolic())


@register("sequencer_chosen")
@dataclass(frozen=True)
class SequencerChosen(BroadcastFace, EntryGame):
    """The bounty queue: a sequencer needs a proof by `deadline` with probability >= `target`.

    It asks the k cheapest provers whose joint on-time chance 1 - prod(1 - a_j) reaches the target,
    a_j = reliability_j (1 - e^{-rate_j deadline}). An asked prover accepts (pays its `cost`) with
    its profile probability. pay="first": only the first on-time proof earns `fee`; pay="all": every
    on-time proof does. payment="out_of_protocol": the sequencer settles off chain against a `bond`
    released when it pays, so it pays only when what it owes is at most the bond.
    """
    traits: ClassVar[GameTraits] = GameTraits(
        entry_substitutes=True,
        limitations=("the sequencer is honest and asks the cheapest provers; its own incentives (kickbacks) are modelled "
            "only through the out-of-protocol bond; no time beyond the deadline."),
        max_provers=1000,
        budget_field="fee",
        sybil_reason="the sequencer asks the cheapest provers; an extra identity with the same cost adds no share",
    )

    fee: float = param(Real(lo=0, unit="token per proof", doc="paid per on-time proof (see pay)"))
    deadline: float = param(Real(lo=0, lo_open=True, unit="time unit", doc="the sequencer's window"))
    target: float = param(Real(lo=0, hi=1, hi_open=True, unit="probability",
                               doc="chance of a proof by the deadline the sequencer wants"))
    provers: Population = param(PROVERS)
    pay: str = param(Choice(options=("first", "all"), doc="pay the first on-time proof or every one"), "first")
    bond: float = param(Real(lo=0, unit="token", doc="sequencer's bond, released when it pays"), 0.0)
    payment: str = param(Choice(options=("protocol", "out_of_protocol"), doc="who settles the fee"), "protocol")

    @classmethod
    def example(cls, n: int | None = None) -> "SequencerChosen":
        return cls(3.0, 1.0, 0.9, example_provers(n or 6))

    @cached_property
    def delivery_chance(self) -> np.ndarray:
        return self.provers.reliability * -np.expm1(-self.provers.rate * self.deadline)

    @cached_property
    def asked(self) -> np.ndarray:
        """Boolean mask of the provers the sequencer asks (the cheapest prefix reaching `target`)."""
        order = np.argsort(self.provers.cost, kind="stable")
        miss = np.cumprod(1 - self.delivery_chance[order])
        reach = np.flatnonzero(1 - miss >= self.target)
        k = int(reach[0]) + 1 if reach.size else self.n
        mask = np.zeros(self.n, dtype=bool)
        mask[order[:k]] = True
        return mask

    @property
    def k(self) -> int:
        return int(self.asked.sum())

    @property
    def feasible(self) -> bool:
        return bool(1 - np.prod(1 - self.delivery_chance[self.asked]) >= self.target)

    def _cheapest_reaching(self, allowed: np.ndarray, forced: int | None = None) -> np.ndarray | None:
        """Cheapest prefix (by cost) of `allowed` provers, plus `forced`, reaching the target; None if none does."""
        order = [i for i in np.argsort(self.provers.cost, kind="stable") if allowed[i] and i != forced]
        if forced is not None:
            order = [forced] + order
        miss = np.cumprod(1 - self.delivery_chance[order])
        reach = np.flatnonzero(1 - miss >= self.target)
        if not reach.size:
            return None
        mask = np.zeros(self.n, dtype=bool)
        mask[order[: int(reach[0]) + 1]] = True
        return mask

    def _expected_paid(self, mask: np.ndarray) -> float:
        q = self.delivery_chance[mask]
        return float(self.fee * (q.sum() if self.pay == "all" else 1 - np.prod(1 - q)))

    def sequencer_attack(self, attack: str, prover: int, profile: Any) -> tuple[np.ndarray, np.ndarray, str]:
        """The sequencer's extra expected payment from asking the cheapest set without `prover`
        (censor) or with it (collude) that still reaches the target; infinite if none does."""
        check_int("prover", prover, lo=0, hi=self.n - 1)
        everyone = np.ones(self.n, dtype=bool)
        if attack == "censor":
            allowed = everyone.copy()
            allowed[prover] = False
            alt = self._cheapest_reaching(allowed)
        else:
            alt = self._cheapest_reaching(everyone, forced=prover)
        if alt is None:
            return np.array([np.inf]), np.ones(1), "the target cannot be met: the sequencer would risk its block"
        cost = max(self._expected_paid(alt) - self._expected_paid(self.asked), 0.0)
        return np.array([cost]), np.ones(1), "extra expected payment for a set still meeting the target (sequencer's choice)"

    def min_bond(self) -> float:
        """Smallest bond at which an out-of-protocol sequencer always pays what it owes."""
        return self.fee * (1 if self.pay == "first" else self.k)

    def _first_on_time(self, p: np.ndarray) -> np.ndarray:
        q = p * self.provers.reliability * self.asked
        return self.provers.reliability * er.first_finish(q, self.provers.rate, 0.0, self.deadline)

    def _win_given_entry(self, p: np.ndarray) -> np.ndarray:
        return self._first_on_time(p) * self.asked

    def entry_values(self, profile: np.ndarray) -> np.ndarray:
        p = np.asarray(profile, dtype=float)
        if self.pay == "first":
            paid = self._first_on_time(p)
            if self.payment == "out_of_protocol" and self.fee > self.bond:
                paid = paid * 0.0
        else:
            paid = np.broadcast_to(self.delivery_chance, p.shape)
            if self.payment == "out_of_protocol":
                most = int(np.floor(self.bond / self.fee + 1e-12)) if self.fee > 0 else self.n
                if most < self.n:
                    q = p * self.delivery_chance * self.asked
                    others = er.leave_one_out_counts(q, max(most - 1, 0))
                    paid = paid * (others.sum(axis=-1) if most >= 1 else 0.0)
        return self.fee * paid * self.asked

    def stats(self, profile: Any) -> Stats:
        p = self.check_profile(profile)
        reward = p * self.entry_values(p)
        win = p * self._win_given_entry(p)
        return Stats(reward=reward, cost=p * self.asked * self.provers.cost, participation=p * self.asked,
                     eventual_liveness=scalar_or_rows(1 - np.prod(1 - p * self.asked * self.delivery_chance, axis=-1)),
                     user_payment=scalar_or_rows(reward.sum(axis=-1)),
                     useful_cost=scalar_or_rows((win * self.provers.cost).sum(axis=-1)))

    def entry_cost(self) -> np.ndarray:
        return self.provers.cost * self.asked

    def race_law(self, profile: Any) -> tuple[np.ndarray, np.ndarray, float, float]:
        return self.check_profile(profile) * self.asked * self.provers.reliability, self.provers.rate, 0.0, self.deadline

    def solo_form(self, i: int) -> tuple[Any, dict[str, float]] | None:
        """Alone, the prover is the one asked: f rho (1 - e^{-r D}) - c (the fee for an on-time proof)."""
        if self.payment != "protocol":
            return None
        f, rho, r, D, c = sp.symbols("f rho r D c", positive=True)
        return f * rho * (1 - sp.exp(-r * D)) - c, {"f": self.fee, "rho": self.provers.reliability[i],
                                                    "r": self.provers.rate[i], "D": self.deadline, "c": self.provers.cost[i]}

    def on_time(self, profile: Any, window: float) -> float:
        """An asked prover's proof counts if it is valid and lands by the sequencer's deadline and the window."""
        q, rate, _, cap = self.race_law(profile)
        return race_on_time(q, rate, min(window, cap))

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        p = self.check_profile(profile) * self.asked
        accept = _entries(p, rng, rounds)
        valid = _valid(self.provers.reliability, rng, rounds)
        times = rng.standard_exponential((rounds, self.n)) / self.provers.rate
        delivered = accept & valid & (times <= self.deadline)
        winner, accepted = _first(np.where(delivered, times, np.inf))
        if self.pay == "first":
            reward = _one_hot(winner, accepted, self.n, self.fee)
        else:
            reward = delivered * self.fee
        if self.payment == "out_of_protocol":
            honest = reward.sum(axis=1) <= self.bond + 1e-9
            reward = reward * honest[:, None]
        cost = accept * self.provers.cost
        useful = np.where(accepted, self.provers.cost[winner], 0.0)
        landed = np.where(delivered, times, np.inf).min(axis=1)
        return Outcomes(reward, cost, np.asarray(accept), accepted, reward.sum(axis=1), useful, landed)

    def stall_weights(self, profile: Any) -> np.ndarray:
        q = self.check_profile(profile) * self.asked * self.delivery_chance
        return -np.log1p(-np.minimum(q, 1 - 1e-15))

    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        from provergame.solvers.entry import solve_entry_game
        if symmetric or self.n > 16:
            return solve_entry_game(self, symmetric=symmetric)
        prof, method, exact = solve_entry_game(self)
        return prof * self.asked, method + " among the asked provers", exact

    def symbolic(self) -> dict[str, Any]:
        f, a, rho, r1, D = sp.symbols("f a rho r_1 D", positive=True)
        return {"value_pay_all": f * rho * (1 - sp.exp(-r1 * D)),
                "value_pay_all_two_identical": f * a,                          # a = on-time chance
                "value_pay_first_two_identical": f * (1 - (1 - a) ** 2) / 2,
                "value_pay_first_k_identical": f * (1 - (1 - a) ** sp.Symbol("k", integer=True, positive=True))
                / sp.Symbol("k", integer=True, positive=True),
                "redundant_attempts": sp.Symbol("k") - 1}

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        all_paid = replace(self, pay="all", payment="protocol")
        i = int(np.flatnonzero(self.asked)[0])
        same = Population.from_arrays(cost=np.full(3, self.provers.cost[i]), reliability=self.provers.reliability[i],
                                      rate=self.provers.rate[i])
        first = replace(self, pay="first", payment="protocol", provers=same, target=0.999)
        a = self.provers.reliability[i] * (1 - np.exp(-self.provers.rate[i] * self.deadline))
        return [("value_pay_all", self.symbolic()["value_pay_all"],
                 {"f": self.fee, "rho": self.provers.reliability[i], "r_1": self.provers.rate[i], "D": self.deadline},
                 float(all_paid.entry_values(np.ones(self.n))[i])),
                ("value_pay_first_k_identical", self.symbolic()["value_pay_first_k_identical"],
                 {"f": self.fee, "a": a, "k": int(first.asked.sum())}, float(first.entry_values(np.ones(3))[0]))]

    def mechanism_theorems(self) -> list:
        from provergame.proofs import race
        return race.sequencer_chosen(self.symbolic())
