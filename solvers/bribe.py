"""Bribe thresholds: the cheapest total bribe that makes an attack a best response for the bribed.

"withhold": stall proving. Prover i is paid b_i = its best payoff when everyone else withholds
minus its payoff from withholding (forgone profit plus the slashing it takes); the coalition S of
withholders must bring liveness down to `max_liveness`. Where the game's liveness is log-linear
(re-draws: 1 - exp(-sum_{i not in S} w_i)) or linear (one draw: sum_{i not in S} w_i) in the
coalition, choosing S is a knapsack integer program solved with cvxpy and HiGHS; otherwise all
coalitions are enumerated (n <= 16) or a greedy cover is used (and the method says so).
"grief" (ProofTreeVRF): the cheapest merge-node owner to bribe into excluding a child's proof.
"censor" / "collude" (sequencer attacks): what the slot's winner forgoes by dropping prover i's proof,
or by picking prover i over the choice it (or the protocol's VRF) would make; paid to whoever wins,
so the expected bribe is sum_k P(k wins) loss_k. Infinite where the protocol elects the prover.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from provergame.errors import InvalidParameter, check_choice, check_int, check_real
from provergame.games import protocols
from provergame.games.base import Game


@dataclass(frozen=True)
class BribeThreshold:
    attack: str
    total: float
    per_prover: np.ndarray
    names: tuple[str, ...]
    coalition: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    liveness_after: float = 0.0
    method: str = ""

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
        cand = np.tile([0.0, 1.0], (game.n, 1))
    else:
        cand = lo[:, None] + (hi - lo)[:, None] * np.concatenate([[0.0], np.geomspace(1e-9, 1, 200)])[None, :]
    gain = game.deviation_payoffs(idle, cand).max(axis=1) - game.expected_payoffs(idle)
    return np.maximum(gain, 0.0)


@contextlib.contextmanager
def _quiet_stdout():
    """HiGHS prints a banner from C on first use; keep it off the user's terminal and reports."""
    import os
    import sys
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def knapsack_cover(costs: np.ndarray, weights: np.ndarray, budget: float) -> np.ndarray:
    """min costs . x over x in {0,1}^n subject to weights . (1 - x) <= budget (cvxpy + HiGHS)."""
    import cvxpy as cp
    n = len(costs)
    must = weights > budget + 1e-12
    if weights.sum() <= budget + 1e-12:
        return np.zeros(n, dtype=bool)
    x = cp.Variable(n, boolean=True)
    scale = max(1.0, float(np.abs(costs).max()))
    wscale = max(1e-300, float(weights.max()))
    prob = cp.Problem(cp.Minimize(costs / scale @ x), [(weights / wscale) @ (1 - x) <= budget / wscale + 1e-12, x[must] == 1]
                      if must.any() else [(weights / wscale) @ (1 - x) <= budget / wscale + 1e-12])
    with _quiet_stdout():
        prob.solve(solver=cp.HIGHS, verbose=False)
    if x.value is None:
        raise RuntimeError(f"HiGHS found no coalition: {prob.status}")
    sol = np.asarray(x.value) > 0.5
    if weights[~sol].sum() > budget * (1 + 1e-9) + 1e-12:
        raise RuntimeError("integer program returned an infeasible coalition")
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
    if attack == "collude" and game.elected_by_protocol:
        return BribeThreshold(attack, float("inf"), np.full(game.n, np.inf), names, np.zeros(game.n, bool),
                              float("nan"), "impossible: the protocol elects the prover, no sequencer choice to bribe")
    return BribeThreshold(attack, float("nan"), np.full(game.n, np.nan), names, np.zeros(game.n, bool), float("nan"),
                          "not modelled: this game has no sequencer whose block value is at stake")


def bribe_threshold(game: Game, attack: str = "withhold", max_liveness: float = 0.0, profile=None,
                    prover: int = 0) -> BribeThreshold:
    """Cheapest bribe making the attack a best response for the bribed provers (withhold, grief) or
    for the slot's sequencer (censor, collude: see `sequencer_bribe`)."""
    check_choice("attack", attack, ATTACKS)
    max_liveness = check_real("max_liveness", max_liveness, lo=0, hi=1, hi_open=True)
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
    if not game.proving:
        return BribeThreshold("withhold", float("nan"), np.zeros(game.n), names, np.zeros(game.n, dtype=bool),
                              float("nan"), "not applicable: the players of this game do not prove")
    profile = game.equilibrium()[0] if profile is None else game.check_profile(profile)
    per = withhold_bribes(game)
    kind, model = _liveness_fn(game, profile)
    if kind == "loglinear":
        budget = -np.log1p(-max_liveness)
        mask = knapsack_cover(per, model, budget)
        after = float(-np.expm1(-model[~mask].sum()))
        method = "knapsack integer program (cvxpy, HiGHS); liveness 1 - exp(-sum w) over non-withholders"
    elif kind == "linear":
        mask = knapsack_cover(per, model, max_liveness)
        after = float(model[~mask].sum())
        method = "knapsack integer program (cvxpy, HiGHS); liveness sum w over non-withholders"
    else:
        from provergame.solvers.entry import all_profiles
        if model is None:
            raise InvalidParameter("game", type(game).__name__, "a game with a liveness model for withholding")
        if game.n <= 16:
            masks = all_profiles(game.n).astype(bool)
            live = model(masks)
            ok = live <= max_liveness + 1e-12
            cost = masks.astype(float) @ per
            best = int(np.flatnonzero(ok)[np.argmin(cost[ok])])
            mask, after, method = masks[best], float(live[best]), "exhaustive search over all coalitions"
        else:
            mask = np.zeros(game.n, dtype=bool)
            live = float(model(mask[None, :])[0])
            while live > max_liveness + 1e-12:
                trial = np.repeat(mask[None, :], game.n, axis=0)
                trial[np.arange(game.n), np.arange(game.n)] = True
                drop = live - model(trial)
                score = np.where(mask, -np.inf, drop / np.maximum(per, 1e-12))
                mask[int(np.argmax(score))] = True
                live = float(model(mask[None, :])[0])
            after, method = live, "greedy cover (n > 16; an upper bound on the cheapest bribe)"
    paid = np.where(mask, per, 0.0)
    return BribeThreshold("withhold", float(paid.sum()), paid, names, mask, after, method)
