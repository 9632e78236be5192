"""The public API: solve, equilibria, simulate, cross_check, metrics, analyse."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from provergame.lazy import pandas as pd

from .errors import InvalidParameter, check_real
from .results import CrossCheck, Equilibrium, Rollout, markdown_table
from .rollout import simulate
from .timing import Timing, window_of
from provergame.games import Game, protocols
from provergame.solvers import metrics as _metrics
from provergame.solvers.metrics import Metrics
from provergame.solvers.bribe import BribeThreshold
from provergame.solvers.regret import regret_and_best


def _check_game(game: Any) -> Game:
    if not isinstance(game, Game):
        raise InvalidParameter("game", type(game).__name__, "a provergame game (see provergame.games)")
    return game


def certify(game: Game, profile: np.ndarray, method: str, exact: bool, **extra: Any) -> Equilibrium:
    """An Equilibrium for `profile` with its regret computed by the independent deviation search.

    Parameters
    ----------
    game : Game
        The game.
    profile : array_like
        One strategy per player.
    method : str
        How the profile was found (kept in the result).
    exact : bool
        Whether the method claims an exact equilibrium.
    **extra
        Attributes kept in `Equilibrium.extra`.

    Returns
    -------
    Equilibrium
        With regret, per-player regrets and best responses.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> game = pg.games.WinnerTakesAll(reward=10.0, provers=pop)
    >>> pg.certify(game, [1, 1, 0], "by hand", False).regret > 0     # the third prover should enter
    True
    """
    _check_game(game)
    p = game.check_one_profile(profile)
    reg, best = regret_and_best(game, p)
    return Equilibrium(game=game.title, profile=p, payoffs=np.asarray(game.expected_payoffs(p), dtype=float),
                       regret=float(reg.max()), regret_by_player=reg, method=method, exact=exact,
                       names=game.players.names, strategy=game.traits.strategy_label, extra=extra, best_response=best)


def solve(game: Game, symmetric: bool = False) -> Equilibrium:
    """The game's equilibrium with its certificate.

    The game's own solver (closed form, entry dynamics, contest or auction solver: `eq.method` says
    which) proposes a profile; an independent best-response search over each player's deviations
    computes its regret.

    Parameters
    ----------
    game : provergame.games.Game
        Any registered game.
    symmetric : bool, default False
        Ask for the symmetric equilibrium where the game has one (identical provers).

    Returns
    -------
    Equilibrium
        profile, payoffs, regret (largest gain of a unilateral deviation), method, exact.

    Raises
    ------
    InvalidParameter
        If `game` is not a provergame game.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> game = pg.games.WinnerTakesAll(reward=10.0, provers=pop)
    >>> eq = pg.solve(game)
    >>> eq.profile.tolist(), eq.regret, eq.exact
    ([1.0, 1.0, 1.0], 0.0, True)
    """
    _check_game(game)
    if not isinstance(symmetric, (bool, np.bool_)):
        raise InvalidParameter("symmetric", symmetric, "True or False")
    profile, method, exact = game.equilibrium(symmetric=symmetric)
    extra = game.equilibrium_extra(profile) if isinstance(game, protocols.EquilibriumExtra) else {}
    return certify(game, profile, method, exact, **extra)


def mixed_equilibrium(game: Game, start: Equilibrium | None = None) -> Equilibrium | None:
    """A certified mixed equilibrium of a price game with no pure one, on the game's tick lattice.

    Bertrand-Edgeworth cycles leave some price games (nil's market, the snarketplace with capacities)
    without a pure equilibrium; `solvers.price_mixing` computes a mixed one over the multiples of the
    game's tick and certifies it over the whole lattice.

    Parameters
    ----------
    game : Game
        A price game with a lattice (`protocols.SellRange`).
    start : Equilibrium, optional
        The pure (least-regret) profile to start from; solved when not given.

    Returns
    -------
    Equilibrium or None
        `profile` is each prover's mean price, `extra["mixed"]` the mixture; None where the game has
        no price lattice or the lattice game exceeds the solver's size limit.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> game = pg.games.WinnerTakesAll(reward=10.0, provers=pop)
    >>> pg.mixed_equilibrium(game) is None                   # a race has no price lattice
    True
    """
    return _mixed_or_reason(game, start)[0]


def _mixed_or_reason(game: Game, start: Equilibrium | None = None) -> tuple[Equilibrium | None, str]:
    _check_game(game)
    if not isinstance(game, protocols.SellRange):
        return None, "the game has no price lattice"
    from provergame.solvers.price_mixing import MAX_PROFILES, expected_payoffs, lattice_equilibrium
    start = solve(game) if start is None else start
    found = lattice_equilibrium(game, start.profile, game.sell_range())
    if isinstance(found, str):
        return None, found
    mixed = found.mixed
    return Equilibrium(game=game.title, profile=mixed.mean(), payoffs=expected_payoffs(game, mixed),
                       regret=found.regret, regret_by_player=found.regret_by_player, method=found.method,
                       exact=True, names=game.players.names, strategy=f"{game.traits.strategy_label} (mean of the mixture)",
                       extra={"mixed": mixed, "least_regret": start, "lattice_limit": MAX_PROFILES},
                       best_response=None), ""


def equilibria(game: Any) -> Any:
    """Every pure equilibrium of a finite mechanism game, plus the mixed ones where they are computable.

    Mechanism games with entry strategies: all pure equilibria by enumeration (up to the game's
    limit), with the symmetric mixed one for identical provers and all mixed ones for two players
    (as a bimatrix game). A `NormalFormGame` or payoff arrays go to `bimatrix` (two players) or
    support enumeration (n players).

    Parameters
    ----------
    game : Game, NormalFormGame or sequence of payoff arrays
        The game.

    Returns
    -------
    list of Equilibrium
        Each certified by its own regret.

    Raises
    ------
    InvalidParameter
        If the game is continuous or above the enumeration limit.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> game = pg.games.WinnerTakesAll(reward=10.0, provers=pop)
    >>> [eq.profile.tolist() for eq in pg.equilibria(game)]
    [[1.0, 1.0, 1.0]]
    """
    if not isinstance(game, Game):
        from provergame.solvers.normal_form import NormalFormGame, mixed_equilibria
        if isinstance(game, (NormalFormGame, np.ndarray, list, tuple)):
            return mixed_equilibria(game if isinstance(game, NormalFormGame) else NormalFormGame(game))
    _check_game(game)
    if not game.finite:
        return [solve(game)]
    from provergame.solvers.entry import pure_equilibria, symmetric_mixed
    out = [certify(game, p, "pure enumeration", True) for p in pure_equilibria(game)]
    if game.n == 2:
        from provergame.solvers.nash import bimatrix
        A, B = to_normal_form(game)
        res = bimatrix(A, B)
        for x, y in res:
            prof = np.array([x[1], y[1]])
            if not any(np.allclose(prof, e.profile, atol=1e-9) for e in out):
                out.append(certify(game, prof, "bimatrix: " + "+".join(k for k, v in res.methods.items() if v), True))
    if game.provers.is_identical:
        p = symmetric_mixed(game)
        prof = np.full(game.n, p)
        if not any(np.allclose(prof, e.profile, atol=1e-9) for e in out):
            out.append(certify(game, prof, "symmetric mixed: root of V(p) = cost", True))
    return out


def to_normal_form(game: Game) -> tuple[np.ndarray, ...] | np.ndarray:
    """The payoff tensors of a finite (entry) game.

    Parameters
    ----------
    game : Game
        A game whose strategies are entry probabilities.

    Returns
    -------
    numpy.ndarray
        payoffs[a_1, ..., a_n, i] for pure entry decisions a_j in (0, 1).

    Raises
    ------
    InvalidParameter
        If the game is continuous or too large to tabulate.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> game = pg.games.WinnerTakesAll(reward=10.0, provers=pop)
    >>> pg.to_normal_form(game).shape
    (2, 2, 2, 3)
    """
    from provergame.solvers.entry import MAX_ENUMERATION, all_profiles
    if not game.finite:
        raise InvalidParameter("game", game.title, "a finite game (entry strategies)")
    if game.n > MAX_ENUMERATION:
        raise InvalidParameter("provers", game.n, f"at most {MAX_ENUMERATION} for a normal form")
    prof = all_profiles(game.n)
    pay = game.expected_payoffs(prof)
    tensor = pay.reshape((2,) * game.n + (game.n,), order="F")
    if game.n == 2:
        return tensor[..., 0], tensor[..., 1]
    return tensor


def metrics(game: Game, profile, window: float = 1.0) -> Metrics:
    """Concentration, cost and liveness of `game` at `profile`, from the analytic face.

    Parameters
    ----------
    game : Game
        The game.
    profile : array_like or MixedProfile
        One strategy per player (or independent mixtures over a price lattice).
    window : float, default 1.0
        On-time liveness counts proofs landing within this many time units (> 0).

    Returns
    -------
    Metrics
        A typed record, also a read-only mapping: hhi, nakamoto, gini, participants, redundancy,
        user_cost, wasted, surplus, dissipation, liveness (on time), eventual_liveness. Each name is
        registered once in `provergame.solvers.metrics.METRICS` with its unit and direction.

    Raises
    ------
    InvalidParameter
        If the profile or the window is out of range.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> game = pg.games.WinnerTakesAll(reward=10.0, provers=pop)
    >>> m = pg.metrics(game, [1, 1, 1], window=1.0)
    >>> round(m.hhi, 4), m.nakamoto, round(m["liveness"], 4)
    (0.375, 2, 0.9817)
    """
    _check_game(game)
    window = window_of(window)
    from provergame.solvers.price_mixing import MixedProfile
    if not isinstance(profile, MixedProfile):
        profile = game.check_one_profile(profile)
    return _metrics.metrics(game, profile, window)


def cross_check(game: Game, eq: Equilibrium | np.ndarray, rollout: Rollout, tolerance: float = 4.0) -> CrossCheck:
    """Compare analytic payoffs, liveness and user payment with the simulator's means (z-scores).

    Agreement: every |z| within `tolerance` standard errors, Sidak-adjusted for the number of
    quantities compared so that the whole table has the false-alarm rate of a single 4-sigma test.

    Parameters
    ----------
    game : Game
        The game simulated.
    eq : Equilibrium or array_like
        The profile (or equilibrium, mixed ones included) that was simulated.
    rollout : Rollout
        `pg.simulate`'s result for this game.
    tolerance : float, default 4.0
        Standard errors allowed before the Sidak adjustment, in [0.5, 100].

    Returns
    -------
    CrossCheck
        The table (analytic, simulated, standard error, z, ok) and `passed`.

    Raises
    ------
    InvalidParameter
        If the rollout is not of this game.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> game = pg.games.WinnerTakesAll(reward=10.0, provers=pop)
    >>> eq = pg.solve(game)
    >>> pg.cross_check(game, eq, pg.simulate(game, eq.profile, rounds=20_000, seed=0)).passed
    True
    """
    _check_game(game)
    tolerance = check_real("tolerance", tolerance, lo=0.5, hi=100)
    if not isinstance(rollout, Rollout) or len(rollout.names) != game.n:
        raise InvalidParameter("rollout", type(rollout).__name__, f"a Rollout of this {game.title} (pg.simulate)")
    from provergame.solvers import price_mixing
    mixed = eq.extra.get("mixed") if isinstance(eq, Equilibrium) else eq
    if isinstance(mixed, price_mixing.MixedProfile):      # expectations over the provers' mixtures
        analytic = price_mixing.expected_payoffs(game, mixed)
        stats = price_mixing.expected_stats(game, mixed)
        on_time = price_mixing.expected_on_time(game, mixed, rollout.window)
    else:
        profile = game.check_one_profile(eq.profile if isinstance(eq, Equilibrium) else eq)
        analytic = np.asarray(game.expected_payoffs(profile), dtype=float)
        stats = game.stats(profile)
        on_time = game.on_time(profile, rollout.window)
    names = [f"payoff[{nm}]" for nm in game.players.names] + ["on-time liveness", "eventual liveness", "user_payment"]
    a = np.concatenate([analytic, [on_time, stats.eventual_liveness, stats.user_payment]])
    s = np.concatenate([rollout.mean_payoffs, [rollout.on_time, rollout.eventual_liveness, rollout.user_payment]])
    se = np.concatenate([rollout.stderr, [rollout.on_time_stderr, rollout.eventual_liveness_stderr, rollout.user_payment_stderr]])
    # Under the null the count of landed blocks is binomial at the analytic liveness: its standard
    # error (and, scaled by the payment per landed block, user_payment's) holds even when the sample
    # saw only a handful of rare events and its own variance collapses.
    # A payoff that is nonzero only in rounds where the prover takes part has, by Cauchy-Schwarz,
    # variance >= E[X]^2 (1 / P(X != 0) - 1), with P(X != 0) the analytic participation.
    part = np.clip(np.asarray(stats.participation, dtype=float), 1e-300, 1.0)
    n = game.n
    se[:n] = np.maximum(se[:n], np.abs(analytic) * np.sqrt(np.maximum(1.0 / part - 1.0, 0.0) / rollout.rounds))
    # A reward that is 0 or at least m in absolute value (m: the smallest nonzero reward paid in the
    # rollout) has Var >= m |E R| - (E R)^2 at the analytic E R; the payoff R - C keeps at least that
    # standard deviation less the cost's (triangle inequality). This holds a prover whose rare wins
    # never showed to the binomial error of its win count instead of a collapsed sample variance.
    m = rollout.smallest_reward
    if np.isfinite(m) and rollout.cost_stderr is not None:
        mu = np.abs(np.asarray(stats.reward, dtype=float))
        sd_reward = np.sqrt(np.maximum(m * mu - mu ** 2, 0.0))
        se[:n] = np.maximum(se[:n], sd_reward / np.sqrt(rollout.rounds) - rollout.cost_stderr)
    live_se = np.sqrt(max(stats.eventual_liveness * (1 - stats.eventual_liveness), 0.0) / rollout.rounds)
    per_block = stats.user_payment / stats.eventual_liveness if stats.eventual_liveness > 0 else 0.0
    se[-3] = max(se[-3], np.sqrt(max(on_time * (1 - on_time), 0.0) / rollout.rounds))
    se[-2] = max(se[-2], live_se)
    se[-1] = max(se[-1], abs(per_block) * live_se)
    diff = s - a
    # Rule-of-three floor: an outcome rarer than ~1/rounds may never show in the rounds played, so
    # a zero sample variance cannot certify agreement below scale / rounds.
    se = np.maximum(se, np.maximum(1.0, np.maximum(np.abs(a), np.abs(s))) / rollout.rounds)
    z = diff / se
    # Sidak: the family of m comparisons keeps the false-alarm rate of one comparison at `tolerance`.
    from scipy.special import ndtr, ndtri                     # the normal law's sf(x) = ndtr(-x), isf(q) = -ndtri(q)
    alpha = 2 * ndtr(-tolerance)
    limit = float(-ndtri(-np.expm1(np.log1p(-alpha) / len(a)) / 2))
    ok = np.abs(z) <= limit
    table = pd.DataFrame({"quantity": names, "analytic": a, "simulated": s, "stderr": se, "z": z, "ok": ok})
    return CrossCheck(game.title, table, round(limit, 3))


@dataclass(frozen=True)
class Analysis:
    """Everything provergame says about one game (pg.analyse).

    Attributes
    ----------
    game : Game
        The game.
    equilibrium : Equilibrium
        Certified (a mixture where a price game has no pure one).
    metrics : Metrics
        At the equilibrium.
    rollout, cross_check : Rollout, CrossCheck
        The simulator's run and its agreement.
    proofs : pandas.DataFrame
        Theorems with their audits.
    attacks : dict
        Each registered attack's result by name (`bribe`, `coalitions`, `cartel` read them).
    extra : dict
        The family's report sections.
    timing : Timing
        Window and slot length.

    Examples
    --------
    >>> import provergame as pg
    >>> game = pg.games.WinnerTakesAll(10.0, pg.Population.from_arrays(cost=[1.0, 1.2]))
    >>> sorted(pg.analyse(game, rounds=2_000).attacks)
    ['coalitions', 'undercut_or_sybil', 'withhold']
    """

    game: Any
    equilibrium: Equilibrium
    metrics: Metrics
    rollout: Rollout
    cross_check: CrossCheck
    proofs: pd.DataFrame
    extra: dict[str, Any] = field(default_factory=dict)
    timing: Timing = field(default_factory=Timing)
    attacks: dict[str, Any] = field(default_factory=dict)     # by registered attack (provergame.attacks)

    @property
    def title(self) -> str:
        return self.game.title

    @property
    def bribe(self) -> BribeThreshold:
        """The stall bribe after everyone responds (the "withhold" attack)."""
        return self.attacks["withhold"]

    @property
    def coalitions(self) -> dict[int, Any]:
        """The best joint deviation of up to k = 2, 3 players (the "coalitions" attack)."""
        found = self.attacks.get("coalitions")
        return {} if found is None else found.by_size

    @property
    def cartel(self) -> Any:
        """The best pair's cartel, None where no pair gains (the "coalitions" attack)."""
        found = self.attacks.get("coalitions")
        return None if found is None else found.cartel

    def summary(self) -> dict[str, Any]:
        """The comparison table's row: metrics, every registered attack's columns, certificates, proofs."""
        from .attacks import ATTACKS
        m = self.metrics
        t = self.timing
        proved = int(self.proofs["counted"].sum()) if len(self.proofs) else 0
        seats = self.game.seats(self.equilibrium.profile)
        row = {"mechanism": self.title, "participants": m["participants"],
               "seats": "n/a" if seats is None else seats, "hhi": m["hhi"],
               "nakamoto": m["nakamoto"], "on-time liveness": m["liveness"],
               "eventual liveness": m["eventual_liveness"], "user_cost per proof": m["user_cost"],
               "user_cost per hour": t.per_hour(m["user_cost"] * m["eventual_liveness"]), "surplus": m["surplus"]}
        for name, attack in ATTACKS.items():
            if self.attacks.get(name) is not None:
                row.update(attack.columns(self.attacks[name], t))
        return {**row, "regret": self.equilibrium.regret,
                "sim_agrees": self.cross_check.passed, "max_z": self.cross_check.max_abs_z,
                "proofs": f"{proved}/{len(self.proofs)} proved, non-vacuous"}

    def to_frame(self) -> pd.DataFrame:
        rows = [{"metric": k, "analytic": v, "simulated": self.rollout.metrics[k]} for k, v in self.metrics.items()]
        return pd.DataFrame(rows)

    def _repr_markdown_(self) -> str:
        return (self.equilibrium._repr_markdown_() + "\n\n" + markdown_table(self.to_frame()) + "\n\n"
                + self.cross_check._repr_markdown_() + "\n\n" + markdown_table(self.proofs))


def analyse(game: Game, rounds: int = 100_000, seed: int = 0, symmetric: bool = False,
            timing: Timing | None = None) -> Analysis:
    """Everything provergame says about one game.

    The certified equilibrium (a certified mixture where a price game has no pure one), its metrics,
    every registered attack (provergame.attacks: the withholding bribe after responses, sybils or
    price cuts, coalitions and cartel), the proofs of its theorems with their audits, the report
    sections of its family, and the simulator's cross-check.

    Parameters
    ----------
    game : Game
        The game.
    rounds : int, default 100_000
        Simulated rounds for the cross-check.
    seed : int, default 0
        The simulator's seed.
    symmetric : bool, default False
        Ask for the symmetric equilibrium.
    timing : Timing, optional
        Window for on-time liveness and slot length for per-hour figures.

    Returns
    -------
    Analysis
        With `summary()` (one row of the comparison table) and `_repr_markdown_()`.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> game = pg.games.WinnerTakesAll(reward=10.0, provers=pop)
    >>> res = pg.analyse(game, rounds=5_000)
    >>> res.cross_check.passed, round(res.bribe.total, 4)
    (True, 25.8)
    """
    _check_game(game)
    from provergame.analyses import extras as report_sections
    from .attacks import ATTACKS
    ev = evaluate(game, timing, attacks=tuple(ATTACKS), mixed=True, symmetric=symmetric)
    eq, timing = ev.equilibrium, ev.timing
    roll = simulate(game, ev.played, rounds=rounds, seed=seed, window=timing.window)
    extra = report_sections(game, ev.pure.profile)
    if eq is not ev.pure:
        extra["Mixed equilibrium on the price lattice"] = _mixed_text(game, eq)
    return Analysis(game=game, equilibrium=eq, metrics=ev.metrics, rollout=roll,
                    cross_check=cross_check(game, eq, roll), proofs=_proofs(game), extra=dict(extra), timing=timing,
                    attacks=ev.attacks)


@dataclass(frozen=True)
class Evaluation:
    """A game evaluated at its certified equilibrium (pg.evaluate).

    Attributes
    ----------
    equilibrium : Equilibrium
        The certified mixture where the pure search found none and one was asked for, else `pure`.
    pure : Equilibrium
        The pure profile the attacks use.
    metrics : Metrics
        At the equilibrium played (`played`).
    attacks : dict
        The results of the attacks asked for, by name.
    timing : Timing
        Window and slot length.

    Examples
    --------
    >>> import provergame as pg
    >>> game = pg.games.WinnerTakesAll(10.0, pg.Population.from_arrays(cost=[1.0, 1.2]))
    >>> ev = pg.evaluate(game)
    >>> ev.played.tolist(), ev.attacks
    ([1.0, 1.0], {})
    """

    game: Any
    equilibrium: Equilibrium
    pure: Equilibrium
    metrics: Metrics
    attacks: dict[str, Any]
    timing: Timing

    @property
    def played(self) -> Any:
        """What the players play: the mixture (a MixedProfile) or the pure profile."""
        return self.equilibrium.extra.get("mixed", self.equilibrium.profile)


def evaluate(game: Game, timing: Timing | None = None, attacks: tuple[str, ...] = (), mixed: bool = False,
             symmetric: bool = False) -> Evaluation:
    """The one evaluation path: a game solved, certified, measured and attacked.

    Solve (certified), the metrics with on-time liveness within `timing.window`, and each registered
    attack named in `attacks` (provergame.attacks) at the pure equilibrium. pg.analyse, pg.design,
    the robustness draws, the decision goals and sweeps all evaluate games through here.

    Parameters
    ----------
    game : Game
        The game.
    timing : Timing, optional
        The proving window and slot length (default Timing()).
    attacks : tuple of str, default ()
        Registered attacks to run ("withhold", "undercut_or_sybil", "coalitions", ...).
    mixed : bool, default False
        Where no pure equilibrium is certified in a price game, use the certified mixed one on its
        tick lattice (or keep the pure profile, labelled with why not).
    symmetric : bool, default False
        Ask for the symmetric equilibrium.

    Returns
    -------
    Evaluation
        equilibrium, pure, metrics, attacks (results by name), timing.

    Raises
    ------
    InvalidParameter
        If an attack is not registered or the timing is not a Timing.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> game = pg.games.WinnerTakesAll(reward=10.0, provers=pop)
    >>> ev = pg.evaluate(game, pg.Timing(window=1.0), attacks=("withhold",))
    >>> round(ev.attacks["withhold"].total, 4), round(ev.metrics.hhi, 4)
    (25.8, 0.375)
    """
    _check_game(game)
    from .attacks import ATTACKS
    timing = Timing() if timing is None else timing
    if not isinstance(timing, Timing):
        raise InvalidParameter("timing", type(timing).__name__, "a provergame.Timing(window, slot_seconds)")
    unknown = [a for a in attacks if a not in ATTACKS]
    if unknown:
        raise InvalidParameter("attacks", unknown[0], "registered attacks: " + ", ".join(ATTACKS))
    eq = pure = solve(game, symmetric=symmetric)
    if mixed and not eq.exact and isinstance(game, protocols.SellRange):
        found, declined = _mixed_or_reason(game, eq)
        if found is not None:        # the certified mixture is the equilibrium; pure-profile analyses keep `pure`
            eq = found
        elif declined:               # the labelled fallback says why no mixed equilibrium was computed
            eq = pure = replace(eq, method=f"{eq.method}; no mixed equilibrium: {declined}")
    played = eq.extra.get("mixed", eq.profile)
    return Evaluation(game, eq, pure, metrics(game, played, timing.window),
                      {name: ATTACKS[name].run(game, pure, timing) for name in attacks}, timing)


def _mixed_text(game: Game, eq: Equilibrium) -> str:
    mixed, start = eq.extra["mixed"], eq.extra["least_regret"]
    rows = pd.DataFrame([{"prover": game.players.names[i], game.traits.strategy_label: price, "probability": q}
                         for i, price, q in mixed.table()])
    who = ("the provers below mix independently, the others keep the prices in the equilibrium table" if len(rows)
           else "nobody needs to mix: the lattice game has the pure equilibrium in the equilibrium table")
    return (f"The pure search found no equilibrium (best responses cycle, as in Bertrand-Edgeworth, or its candidate "
            f"fails the certificate; the least-regret pure profile has regret {start.regret:.4g}). With prices on the "
            f"tick lattice (multiples of {game.tick:g}), {who}; "
            f"{eq.method}. Certificate: no prover gains more than {eq.regret:.3g} by moving to any multiple of the "
            f"tick within its bounds, against the others' mixtures (searched over the whole lattice, independently "
            f"of the solver). The metrics and the simulator (which draws every prover's price from its mixture each "
            f"round) are at this mixture; the withholding bribe, the coalitions and the sections below are at the "
            f"least-regret pure profile." + ("\n\n" + markdown_table(rows) if len(rows) else ""))


_PROOF_TABLES: dict[tuple, pd.DataFrame] = {}


def _proofs(game: Game) -> pd.DataFrame:
    """The game's theorems, proved and audited. Statements are symbolic: they depend on the kind and its
    options (Choice parameters), not on the numbers, so each (kind, options) is proved once."""
    from dataclasses import fields as dc_fields

    from provergame.params import Choice
    from provergame.proofs.engine import prove_all
    options = tuple((f.name, getattr(game, f.name)) for f in dc_fields(game)
                    if isinstance(f.metadata.get("spec"), Choice))
    key = (type(game).__name__, options)
    if key not in _PROOF_TABLES:
        _PROOF_TABLES[key] = _cached_table(key, lambda: prove_all(game.theorems(), cache=proof_cache_dir()))
    return _PROOF_TABLES[key].copy()


def _cached_table(key: tuple, build: Any) -> pd.DataFrame:
    """A kind's whole proof table from the disk cache, keyed by (kind, options) and the source of the
    games and proofs packages (which build every statement), so no theorem is rebuilt when warm."""
    import hashlib
    import json

    from provergame.proofs.engine import PROOF_COLUMNS, _code_fingerprint, write_atomic
    root = proof_cache_dir()
    if root is None:
        return build()
    h = hashlib.sha256(_code_fingerprint().encode() + _games_fingerprint().encode())
    h.update(json.dumps(key, default=str).encode())
    path = root / "tables" / f"{h.hexdigest()[:32]}.json"
    if path.is_file():
        return pd.DataFrame(json.loads(path.read_text()), columns=PROOF_COLUMNS)
    table = build()
    write_atomic(path, json.dumps(table.to_dict(orient="records")))
    return table


def _games_fingerprint() -> str:
    import hashlib

    from provergame import games
    h = hashlib.sha256()
    for f in sorted(Path(games.__file__).parent.glob("*.py")):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def proof_cache_dir() -> Path | None:
    """Where proved rows are kept between runs: $PROVERGAME_CACHE ("off": nowhere), else
    $XDG_CACHE_HOME/provergame/proofs (default ~/.cache). Rows are keyed by the exact claim and the
    proving code (see prove_all), so a stale row cannot be reused."""
    chosen = os.environ.get("PROVERGAME_CACHE")
    if chosen is not None:
        return None if chosen.strip().lower() in ("off", "0", "") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "provergame" / "proofs"
