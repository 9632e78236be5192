"""Bribe thresholds: the cheapest total bribe that makes an attack a best response for the bribed.

"withhold": stall proving, after everyone responds. A coalition S is paid to withdraw; the provers
outside S play the residual game (`Game.without(S)`) at its equilibrium, entering or covering where
that pays. The attack works when the residual equilibrium's on-time liveness is at most
`max_liveness`; member i is paid its best payoff from joining the residual game instead (what it
forgoes), so withholding is a best response for every member. The certificate is the residual
profile's regret. To stall (max_liveness = 0) every prover whose payoff proving alone is positive
must be in S and S = {those} suffices when its residual has nobody proving: that is exact. Otherwise
the search starts from the knapsack integer program (HiGHS, by scipy.optimize.milp) on the liveness model at the
unattacked equilibrium ((log-)linear in the coalition), closes it under the residual responses
(adding the busiest outside prover until the residual is stalled enough) and prunes members whose
removal keeps it so; the method says which. A residual profile whose regret exceeds 1e-6 of the
largest solo payoff is no equilibrium (e.g. a lone speed racer has no best speed), so the coalition
grows until the residual is certified.
"grief" (ProofTreeVRF): the cheapest merge-node owner to bribe into excluding a child's proof.
"censor" / "collude" (sequencer attacks): what the slot's winner forgoes by dropping prover i's proof,
or by picking prover i over the choice it (or the protocol's VRF) would make; paid to whoever wins,
so the expected bribe is sum_k P(k wins) loss_k. Infinite where the protocol elects the prover.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Callable

import numpy as np
from provergame.lazy import pandas as pd

from provergame.errors import InvalidParameter, check_choice, check_int, check_real
from provergame.games.base import check_game
from provergame.timing import window_of
from provergame.games import protocols
from provergame.games.base import Game
from provergame.solvers.regret import best_responses, regret_by_player


@dataclass(frozen=True)
class BribeThreshold:
    attack: str
    total: float
    per_prover: np.ndarray
    names: tuple[str, ...]
    coalition: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    liveness_after: float = 0.0         # on-time liveness of the residual equilibrium (withhold)
    method: str = ""
    regret: float = float("nan")        # certificate: the residual profile's regret
    window: float = float("nan")
    liveness_before: float = float("nan")   # on-time liveness of the profile attacked (withhold)
    units: float = 1.0                  # units of work per round (a market's demand): `total` is per round

    def per_unit(self) -> float:
        """The bribe per unit of work: per round, over the units a round asks for (1 outside markets)."""
        return self.total / self.units

    def proofs_lost(self) -> float:
        """On-time proofs lost per round: the lost on-time share times the units a round asks for."""
        return self.on_time_lost() * self.units

    def on_success(self) -> float:
        """The promise per successful round when members are paid only where the attack succeeds (no proof
        on time, chance 1 - liveness_after): the same expected cost, total / (1 - liveness_after); inf where
        the attack never succeeds."""
        fails = 1.0 - self.liveness_after
        return self.total / fails if fails > 0 else float("inf")

    def on_time_lost(self) -> float:
        """The share of units of work that stop landing on time: what users lose per unit (withhold)."""
        return max(self.liveness_before - self.liveness_after, 0.0)

    def per_hour(self, slot_seconds: float) -> float:
        """The bribe per hour of stalled proving: one payment per round, 3600 / slot_seconds rounds per hour."""
        return self.total * 3600.0 / slot_seconds

    def to_frame(self) -> pd.DataFrame:
        coal = self.coalition if self.coalition.size else np.ones(len(self.names), dtype=bool)
        return pd.DataFrame({"prover": list(self.names), "bribe": self.per_prover, "bribed": coal})


def withhold_bribes(game: Game) -> np.ndarray:
    """b_i: best payoff of i when all others withhold, minus its payoff from withholding too."""
    if isinstance(game, protocols.WithholdBribes):
        return np.maximum(np.asarray(game.withhold_bribes(), dtype=float), 0.0)
    lo, hi = game.strategy_bounds()
    idle = lo.copy()
    if game.finite:
        cand = np.clip(np.tile([0.0, 1.0], (game.n, 1)), lo[:, None], hi[:, None])
    else:
        cand = lo[:, None] + (hi - lo)[:, None] * np.concatenate([[0.0], np.geomspace(1e-9, 1, 200)])[None, :]
    gain = game.deviation_payoffs(idle, cand).max(axis=1) - game.expected_payoffs(idle)
    return np.maximum(gain, 0.0)


def knapsack_cover(costs: np.ndarray, weights: np.ndarray, budget: float) -> np.ndarray:
    """min costs . x over x in {0,1}^n subject to weights . (1 - x) <= budget: the integer program solved
    by HiGHS's branch and bound (scipy.optimize.milp), scaled so the largest cost and weight are 1. HiGHS
    accepts a row violated by up to 1e-7 of the largest weight, so the cover is then made exact: the
    cheapest left-out items join until the weight left out is within the budget, and the dearest
    members whose leaving keeps it so leave."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    n = len(costs)
    limit = budget + 1e-12
    must = weights > limit
    if weights.sum() <= limit:
        return np.zeros(n, dtype=bool)
    scale = max(1.0, float(np.abs(costs).max()))
    wscale = max(1e-300, float(weights.max()))
    w = weights / wscale
    kept = LinearConstraint(-w[None, :], -np.inf, limit / wscale - w.sum())            # w . (1 - x) <= budget
    res = milp(np.asarray(costs, dtype=float) / scale, constraints=kept, integrality=np.ones(n),
               bounds=Bounds(must.astype(float), np.ones(n)))
    if res.x is None:
        raise RuntimeError(f"HiGHS found no coalition: {res.message}")
    sol = np.asarray(res.x) > 0.5
    for i in np.lexsort((-weights, costs)):                  # cheapest first (heaviest among equals)
        if weights[~sol].sum() <= limit:
            break
        sol[i] = True
    for i in np.lexsort((weights, -costs)):                  # dearest first (lightest among equals)
        if sol[i] and not must[i] and weights[~sol].sum() + weights[i] <= limit:
            sol[i] = False
    return sol


def _liveness_fn(game: Game, profile):
    """(kind, weights or function): how liveness depends on the coalition of withholders."""
    if isinstance(game, protocols.StallWeights):
        return game.stall_form, np.asarray(game.stall_weights(profile), dtype=float)
    if isinstance(game, protocols.StallLiveness):
        return "function", lambda masks: game.stall_liveness(masks, profile)
    s = game.stats(profile)
    q = s.participation * game.provers.reliability if game.finite else np.zeros(game.n)
    if game.finite:
        return "loglinear", -np.log1p(-np.minimum(q, 1 - 1e-15))
    return "function", None


ATTACKS = ("withhold", "grief", "censor", "collude")


def sequencer_bribe(game: Game, attack: str, prover: int = 0, profile=None) -> BribeThreshold:
    """Bribe that makes the slot's winning sequencer censor `prover`'s proof ("censor") or hand the
    work to `prover` instead of its own / the protocol's choice ("collude")."""
    check_choice("attack", attack, ("censor", "collude"))
    names = game.players.names
    if profile is None:
        profile = game.equilibrium()[0]
    profile = game.check_profile(profile)
    if isinstance(game, protocols.SequencerAttack):
        own = "provers" in {f.name for f in fields(game)}  # games without provers of their own ignore the index
        prover = check_int("prover", prover, lo=0,
                           hi=len(game.provers) - 1 if own and game.provers is not None else 1_000_000)
        loss, win, method = game.sequencer_attack(attack, prover, profile)
        loss = np.asarray(loss, dtype=float)
        total = float(np.sum(np.where(win > 0, win * loss, 0.0)))
        who = names if len(loss) == len(names) else ("sequencer",)
        return BribeThreshold(attack, total, loss, who, np.asarray(win) > 0, float("nan"), method)
    if attack == "collude" and game.traits.elected_by_protocol:
        return BribeThreshold(attack, float("inf"), np.full(game.n, np.inf), names, np.zeros(game.n, bool),
                              float("nan"), "impossible: the protocol elects the prover, no sequencer choice to bribe")
    return BribeThreshold(attack, float("nan"), np.full(game.n, np.nan), names, np.zeros(game.n, bool), float("nan"),
                          "not modelled: this game has no sequencer whose block value is at stake")


def _residual(game: Game, mask: np.ndarray, window: float) -> tuple[Game | None, np.ndarray, float, float]:
    """(residual game, its equilibrium, its on-time liveness, its regret) once `mask` withdraws."""
    if mask.all():
        return None, np.zeros(0), 0.0, 0.0
    rest = game.without(mask)
    try:
        prof = rest.equilibrium()[0]
    except InvalidParameter:          # no prover left would take part (e.g. an empty stake pool)
        return None, np.zeros(0), 0.0, 0.0
    return rest, prof, float(rest.on_time(prof, window)), float(np.max(regret_by_player(rest, prof), initial=0.0))


def _joining_payoffs(game: Game, mask: np.ndarray, residual_profile: np.ndarray | None,
                     solo: np.ndarray | None = None) -> np.ndarray:
    """For each member of `mask`: its best payoff from joining the residual game at its equilibrium
    (0 for non-members): what it forgoes by withholding. A residual where nobody proves leaves a
    joining member alone: its solo payoff."""
    if solo is not None and residual_profile is not None and _idle(game, mask, residual_profile):
        return np.where(mask, solo, 0.0)
    out = np.zeros(game.n)
    outside = np.flatnonzero(~mask) if residual_profile is not None and len(residual_profile) else np.zeros(0, int)
    for i in np.flatnonzero(mask):
        keep = np.sort(np.append(outside, i))
        leaving = np.ones(game.n, dtype=bool)
        leaving[keep] = False
        joined = game.without(leaving)
        pos = int(np.searchsorted(keep, i))
        prof = np.insert(np.asarray(residual_profile, dtype=float)[:len(outside)], pos, joined.strategy_bounds()[0][pos])
        try:
            best, _ = best_responses(joined, prof)
        except InvalidParameter:      # the game cannot run with these provers: nothing to forgo
            continue
        out[i] = max(float(best[pos]), 0.0)
    return out


RESIDUAL_TOLERANCE = 1e-6   # a residual profile counts as an equilibrium up to this regret (relative)
EXACT_COALITIONS = 12       # provers up to which a liveness target's coalition search checks every coalition
PRUNE_LIMIT = 64      # members tried for removal (each try solves one residual game)


def _kept(game: Game, name: str, build: Callable[[], Any]) -> np.ndarray:
    """`build()`, a read-only array that depends on the game alone, built once per game (the stall
    bribe at each of a set's equilibria, hundreds in a bounty queue, asks for the same solo facts)."""
    def frozen() -> np.ndarray:
        out = np.asarray(build(), dtype=float)
        out.flags.writeable = False
        return out
    return game.kept_for(name, np.empty(0), frozen)


def _alone_on_time(game: Game, window: float) -> np.ndarray:
    """On-time liveness of each prover left alone at its own equilibrium."""
    return alone(game, window)[:, 0]


def alone(game: Game, window: float) -> np.ndarray:
    """Each prover left alone (every other withdrawn), solved once per game and window: rows of (on-time
    liveness, the regret of its equilibrium alone, user cost per proof landed; NaN where nobody would
    take part). The stall bribe's liveness bounds and the sequencer kickback read the same rows."""
    from provergame.solvers.metrics import metrics

    def build() -> np.ndarray:
        out = np.full((game.n, 3), np.nan)
        for i in range(game.n):
            leaving = np.ones(game.n, dtype=bool)
            leaving[i] = False
            rest, prof, out[i, 0], out[i, 1] = _residual(game, leaving, window)
            if rest is not None and prof.size:
                out[i, 2] = metrics(rest, prof, window).user_cost
        return out
    return _kept(game, f"alone/{window!r}", build)


def _idle(game: Game, mask: np.ndarray, residual_profile: np.ndarray) -> bool:
    """Nobody outside the coalition takes part in the residual equilibrium."""
    if mask.all() or len(residual_profile) == 0:      # nobody left, or nobody left would take part
        return True
    return float(np.sum(game.without(mask).stats(residual_profile).participation)) == 0.0


def solo_payoffs(game: Game) -> np.ndarray:
    """Each prover's best payoff proving alone (everyone else withdrawn: the game rebuilt over that
    prover alone). Above PRUNE_LIMIT provers, entering while every other entry probability is 0 (entry
    games) or the idle-profile search: equal wherever the rules do not depend on who is registered."""
    if game.n <= PRUNE_LIMIT:
        return _kept(game, "solo_payoffs", lambda: _joining_payoffs(game, np.ones(game.n, dtype=bool), np.zeros(0)))
    if game.finite:                     # entering (where the player may) while everyone else stays out
        return np.maximum(game.deviation_payoffs(np.zeros(game.n), game.strategy_bounds()[1][:, None])[:, 0], 0.0)
    return withhold_bribes(game)


def _every_coalition(game: Game, max_liveness: float, window: float, solo: np.ndarray,
                     tol: float) -> tuple[np.ndarray, np.ndarray, float, float, str, np.ndarray] | None:
    """The cheapest coalition whose residual equilibrium is on time at most `max_liveness`, over every
    one of the 2^n - 1 coalitions (entry games with strategic substitutes, n <= EXACT_COALITIONS):
    (mask, residual profile, liveness after, regret, method, what each member is paid), None where the
    search does not apply.
    The residual equilibria of all coalitions are found at once (sequential entry with the members
    kept out); each coalition that meets the target is re-solved as its own residual game (the
    certificate) and priced by what its members forgo."""
    from provergame.solvers.entry import all_profiles, sequential_entry
    if not (game.finite and game.traits.entry_substitutes and isinstance(game, protocols.EntryValues)
            and 2 <= game.n <= EXACT_COALITIONS):
        return None
    masks = all_profiles(game.n)[1:].astype(bool)
    residual = sequential_entry(game, masks)
    unsettled = np.isnan(residual).any(axis=1)
    live = np.array([1.0 if bad else float(game.on_time(p, window)) for p, bad in zip(residual, unsettled)])
    best: tuple | None = None
    for r in np.flatnonzero((live <= max_liveness + 1e-12) | unsettled):
        _, rest, after, reg = _residual(game, masks[r], window)
        if after > max_liveness + 1e-12 or reg > tol:
            continue
        paid = _joining_payoffs(game, masks[r], rest, solo)
        if best is None or paid.sum() < best[0].sum() - 1e-12 * max(1.0, abs(paid.sum())):
            best = (paid, masks[r].copy(), rest, after, reg)
    if best is None:
        return None
    return (best[1], best[2], best[3], best[4],
            f"exact: every one of the {len(masks):,} coalitions checked (residual equilibria by sequential entry, "
            f"each qualifying coalition re-solved and certified); optimality gap 0", best[0])


def _initial_coalition(game: Game, profile: np.ndarray, per: np.ndarray, max_liveness: float) -> np.ndarray:
    """The knapsack cover of the liveness model at the unattacked equilibrium (no responses)."""
    kind, model = _liveness_fn(game, profile)
    if kind == "loglinear":
        return knapsack_cover(per, model, -np.log1p(-max_liveness))
    if kind == "linear":
        return knapsack_cover(per, model, max_liveness)
    return per > 0


def bribe_threshold(game: Game, attack: str = "withhold", max_liveness: float = 0.0, profile=None,
                    prover: int = 0, window: float = 1.0) -> BribeThreshold:
    """Cheapest bribe making an attack a best response for the bribed provers.

    "withhold": a coalition withdraws; the provers outside it play the residual game at its
    equilibrium, and the attack holds when that residual equilibrium's on-time liveness is at most
    `max_liveness`; each member is paid what it would earn by joining the residual game. To stall
    (max_liveness 0), every prover that would prove alone at a profit is bribed (exact); otherwise an
    integer program (HiGHS via scipy.optimize.milp) closed under the residual responses. "grief":
    the bribe that makes a prover exclude a sibling's proof (proof trees). "censor" / "collude": what
    the slot's sequencer forgoes by censoring or colluding with `prover` (infinite where the protocol
    elects).

    Parameters
    ----------
    game : Game
        The game.
    attack : {"withhold", "grief", "censor", "collude"}, default "withhold"
        The attack.
    max_liveness : float, default 0.0
        Withholding succeeds when the residual on-time liveness is at most this, in [0, 1).
    profile : array_like, optional
        The profile attacked (default: the game's equilibrium).
    prover : int, default 0
        The prover censored or colluded with.
    window : float, default 1.0
        On-time liveness window.

    Returns
    -------
    BribeThreshold
        total, coalition (mask), liveness_after, regret of the residual equilibrium, method.

    Raises
    ------
    InvalidParameter
        For an unknown attack or an argument out of range.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> game = pg.games.WinnerTakesAll(reward=10.0, provers=pop)
    >>> b = pg.bribe_threshold(game, "withhold")
    >>> round(b.total, 4), b.coalition.tolist()
    (25.8, [True, True, True])
    """
    game = check_game(game)
    check_choice("attack", attack, ATTACKS)
    max_liveness = check_real("max_liveness", max_liveness, lo=0, hi=1, hi_open=True)
    window = window_of(window)
    if attack in ("censor", "collude"):
        return sequencer_bribe(game, attack, prover, profile)
    names = game.players.names
    if attack == "grief":
        if not isinstance(game, protocols.GriefBribes):
            raise InvalidParameter("attack", "grief", "'withhold' for this game (grief needs a proof tree)")
        per = np.asarray(game.grief_bribes(profile), dtype=float)
        i = int(np.argmin(per))
        mask = np.zeros(game.n, dtype=bool)
        mask[i] = True
        return BribeThreshold("grief", float(per[i]), per, names, mask, float("nan"), "cheapest single griefer")
    if not game.traits.proving:
        return BribeThreshold("withhold", float("nan"), np.zeros(game.n), names, np.zeros(game.n, dtype=bool),
                              float("nan"), "not applicable: the players of this game do not prove")
    return replace(_withhold(game, max_liveness, profile, window, names), units=float(game.units_per_round))


def _withhold(game: Game, max_liveness: float, profile: Any, window: float, names: tuple[str, ...]) -> BribeThreshold:
    """The withholding bribe of bribe_threshold (per round: a market's round holds several units)."""
    profile = game.equilibrium()[0] if profile is None else game.check_one_profile(profile)
    before = float(game.on_time(profile, window))
    if before <= max_liveness:
        return BribeThreshold("withhold", 0.0, np.zeros(game.n), names, np.zeros(game.n, dtype=bool), before,
                              "no bribe needed: on-time liveness is already at most the target",
                              float(np.max(regret_by_player(game, profile))), window, before)
    solo = solo_payoffs(game)
    tol = RESIDUAL_TOLERANCE * max(1.0, float(np.max(solo, initial=0.0)))
    if max_liveness == 0.0:
        alone = _alone_on_time(game, window) if game.n <= PRUNE_LIMIT else np.ones(game.n)
        mask = (solo > 1e-12) & (alone > 0)
        method = "exact: every prover that would prove alone, on time, at a profit must withhold"
        if game.n > PRUNE_LIMIT:
            method += f" (above {PRUNE_LIMIT} provers, proving alone is taken to be on time)"
        _, rest, after, reg = _residual(game, mask, window)
        if after > 0 or reg > tol:
            method = "response-closed search from the provers that would prove alone at a profit"
    else:
        exact = _every_coalition(game, max_liveness, window, solo, tol)
        if exact is not None:
            mask, rest, after, reg, method, paid = exact
            return BribeThreshold("withhold", float(paid.sum()), paid, names, mask, after, method, reg, window, before)
        mask = _initial_coalition(game, profile, solo, max_liveness)
        method = ("heuristic (no optimality certificate): knapsack integer program (HiGHS) on the unattacked "
                  "liveness, closed under the residual responses and pruned")
        _, rest, after, reg = _residual(game, mask, window)
    while (after > max_liveness + 1e-12 or reg > tol) and not mask.all():
        sub, rest, _, _ = _residual(game, mask, window)
        busy = np.zeros(game.n)
        busy[np.flatnonzero(~mask)] = sub.stats(rest).reward if sub is not None else 0.0
        busy = np.where(mask, -np.inf, busy + 1e-9 * solo)
        mask[int(np.argmax(busy))] = True
        _, rest, after, reg = _residual(game, mask, window)
    if max_liveness > 0 or not method.startswith("exact"):
        for i in np.argsort(-solo, kind="stable")[:PRUNE_LIMIT]:
            if not mask[i]:
                continue
            trial = mask.copy()
            trial[i] = False
            _, trial_rest, trial_after, trial_reg = _residual(game, trial, window)
            if trial_after <= max_liveness + 1e-12 and trial_reg <= tol:
                mask, rest, after, reg = trial, trial_rest, trial_after, trial_reg
    paid = _joining_payoffs(game, mask, rest, solo)
    return BribeThreshold("withhold", float(paid.sum()), paid, names, mask, after, method, reg, window, before)
