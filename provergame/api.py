"""The public API kernel: solve, certify, equilibria, metrics, cross_check, evaluate (pg.analyse: provergame.analysis)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from provergame.lazy import pandas as pd

from .errors import InvalidParameter, check_bool, check_real, check_sequence
from provergame.games.base import check_game
from .progress import reports_progress
from .results import CrossCheck, Equilibrium, Rollout
from .timing import Timing, window_of
from provergame.games import Game, protocols
from provergame.solvers import metrics as _metrics
from provergame.solvers.metrics import Metrics
from provergame.solvers.regret import regret_and_best


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
    check_game(game)
    p = game.check_one_profile(profile)
    reg, best = regret_and_best(game, p)
    return Equilibrium(game=game.title, profile=p, payoffs=np.asarray(game.expected_payoffs(p), dtype=float),
                       regret=float(reg.max()), regret_by_player=reg, method=method, exact=exact,
                       names=game.players.names, strategy=game.traits.strategy_label, extra=extra, best_response=best)


def solve(game: Game, symmetric: bool = False) -> Equilibrium:
    """The game's equilibrium with its certificate.

    The game's own solver (closed form, entry dynamics, contest or auction solver: `eq.method` says
    which) proposes a profile; an independent best-response search over each player's deviations
    computes its regret. Where the solver does not claim an exact equilibrium and the profile is
    not certified (`eq.certified` False: a price game whose best responses cycle), the certified
    mixed equilibrium on the game's tick lattice is
    returned instead (`eq.extra["mixed"]`; pg.metrics(game, eq) reads it); where there is none, the
    least-regret profile, its method starting "not an equilibrium".

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
    eq = _solve_pure(game, symmetric)
    if eq.certified or eq.exact:
        return eq
    found, declined = _mixed_or_reason(game, eq)
    if found is not None:
        return found
    return replace(eq, method=f"not an equilibrium (least regret): {eq.method}"
                   + (f"; no mixed equilibrium: {declined}" if isinstance(game, protocols.SellRange) else ""))


def _solve_pure(game: Game, symmetric: bool = False) -> Equilibrium:
    """The game's own solver's (pure) profile, certified."""
    check_game(game)
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
    check_game(game)
    if not isinstance(game, protocols.SellRange):
        return None, "the game has no price lattice"
    from provergame.solvers.price_mixing import MAX_PROFILES, expected_payoffs, lattice_equilibrium
    start = _solve_pure(game) if start is None else start
    found = lattice_equilibrium(game, start.profile, game.sell_range())
    if isinstance(found, str):
        return None, found
    mixed = found.mixed
    return Equilibrium(game=game.title, profile=mixed.mean(), payoffs=expected_payoffs(game, mixed),
                       regret=found.regret, regret_by_player=found.regret_by_player, method=found.method,
                       exact=True, names=game.players.names, strategy=f"{game.traits.strategy_label} (mean of the mixture)",
                       extra={"mixed": mixed, "least_regret": start, "lattice_limit": MAX_PROFILES, "lattice": found},
                       best_response=None), ""


@reports_progress("equilibria")
def equilibria(game: Any, progress: bool | None = None) -> Any:
    """Every pure equilibrium of a finite mechanism game, plus the mixed ones where they are computable.

    Mechanism games with entry strategies: all pure equilibria by enumeration (up to the game's
    limit), with the symmetric mixed one for identical provers and all mixed ones for two players
    (as a bimatrix game). A `NormalFormGame` or payoff arrays go to `bimatrix` (two players) or
    support enumeration (n players).

    Parameters
    ----------
    game : Game, NormalFormGame or sequence of payoff arrays
        The game.
    progress : bool, optional
        A progress bar on stderr (default: when stderr is a terminal or a notebook; False: never).

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
    check_game(game)
    if not game.finite:
        return [solve(game)]
    from provergame.solvers.entry import pure_equilibria
    out = [certify(game, p, "pure enumeration", True) for p in pure_equilibria(game)]
    return out + _mixed_members(game, out)


def _mixed_members(game: Game, pure: list[Equilibrium]) -> list[Equilibrium]:
    """The mixed equilibria pg.equilibria adds to the pure ones: all of a two-player game (bimatrix
    enumeration), the symmetric one of identical provers."""
    from provergame.solvers.entry import symmetric_mixed
    out = list(pure)
    if game.n == 2:
        from provergame.solvers.nash import bimatrix
        A, B = to_normal_form(game)
        res = bimatrix(A, B)
        for x, y in res:
            prof = np.array([x[1], y[1]])
            if not any(np.allclose(prof, e.profile, atol=1e-9) for e in out):
                out.append(certify(game, prof, "bimatrix: " + "+".join(k for k, v in res.methods.items() if v), True))
    if isinstance(game, protocols.EntryValues) and game.provers.is_identical:
        p = symmetric_mixed(game)
        prof = np.full(game.n, p)
        if not any(np.allclose(prof, e.profile, atol=1e-9) for e in out):
            out.append(certify(game, prof, "symmetric mixed: root of V(p) = cost", True))
    return out[len(pure):]


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
    game = check_game(game)
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
    profile : array_like, MixedProfile or Equilibrium
        One strategy per player (or independent mixtures over a price lattice; an Equilibrium is
        read as what its players play: its mixture where it has one).
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
    check_game(game)
    window = window_of(window)
    from provergame.solvers.price_mixing import MixedProfile
    if isinstance(profile, Equilibrium):
        profile = profile.extra.get("mixed", profile.profile)
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
    check_game(game)
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
    check_game(game)
    mixed, symmetric = check_bool("mixed", mixed), check_bool("symmetric", symmetric)
    if not (isinstance(attacks, tuple) and len(attacks) == 0):
        attacks = check_sequence("attacks", attacks, "a list of registered attack names")
    from .attacks import ATTACKS
    timing = Timing() if timing is None else timing
    if not isinstance(timing, Timing):
        raise InvalidParameter("timing", type(timing).__name__, "a provergame.Timing(window, slot_seconds)")
    unknown = [a for a in attacks if not isinstance(a, str) or a not in ATTACKS]
    if unknown:
        raise InvalidParameter("attacks", unknown[0], "registered attacks: " + ", ".join(ATTACKS))
    eq = pure = _solve_pure(game, symmetric=symmetric)
    if mixed and not eq.exact and isinstance(game, protocols.SellRange):
        found, declined = _mixed_or_reason(game, eq)
        if found is not None:        # the certified mixture is the equilibrium; pure-profile analyses keep `pure`
            eq = found
        elif declined:               # the labelled fallback says why no mixed equilibrium was computed
            eq = pure = replace(eq, method=f"{eq.method}; no mixed equilibrium: {declined}")
    played = eq.extra.get("mixed", eq.profile)
    return Evaluation(game, eq, pure, metrics(game, played, timing.window),
                      {name: ATTACKS[name].run(game, pure, timing) for name in attacks}, timing)
