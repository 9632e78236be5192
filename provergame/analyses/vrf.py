"""Report sections of the protocol-elected (VRF) family mechanisms."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from provergame.lazy import pandas as pd

from provergame.reporting import Figure
from provergame.games.base import Game

from .sections import section

@section("stake_vrf", "identity_vrf")
def stake_vrf(game: Game, profile: Any) -> dict[str, Any]:
    from provergame.solvers.undercut import sybil_gain
    operator = int(np.argmax(game.provers.stake))
    rows = []
    for weighting in ("stake", "identity"):
        variant = game.entry_variant(weighting)
        for k in (1, 2, 4, 8, 16):
            for failures in ("shared", "independent"):
                g = sybil_gain(variant, operator, k, failures)
                rows.append({"weighting": weighting, "failures": failures, "identities": k,
                             "share": g.share_after, "profit": g.profit_after, "gain": g.profit_after - g.profit_before})
    return {f"Sybil undercutting: operator {game.provers.names[operator]} runs k identities": pd.DataFrame(rows)}




@section("taiko_pool")
def taiko_pool(game: Game, profile: Any) -> dict[str, Any]:
    from provergame.solvers.metrics import metrics
    rows = []
    for size in sorted({1, 2, 4, 8, 16, 32, game.pool_size, game.n} & set(range(1, game.n + 1))):
        g = replace(game, pool_size=size)
        bids = g.equilibrium()[0]
        m = metrics(g, bids)
        seated = g.seated(bids)
        rows.append({"pool_size": size, "seated": int(seated.sum()),
                     "fee paid": float(bids[seated].max()) if seated.any() else float("nan"),
                     "hhi": m["hhi"], "user_cost": m["user_cost"], "liveness": m["liveness"]})
    return {"Effect of pool_size on fees and concentration": pd.DataFrame(rows)}




@section("proof_tree_vrf")
def proof_tree_vrf(game: Game, profile: Any) -> dict[str, Any]:
    kappa = game.check_profile(profile)
    reward, owned, covering = game._per_prover(kappa)
    fair = game.fairness(kappa)
    table = pd.DataFrame({"prover": list(game.provers.names), "draw share": game.draw,
                          "expected reward": reward, "expected nodes": owned, "expected covers": covering,
                          "covering gain": game.covering_gain(kappa), "grief bribe": game.grief_bribes(kappa)})
    liveness = pd.DataFrame({"covering": ["equilibrium", "none", "full"],
                             "root completes": [float(game.root_probability(kappa)),
                                                float(game.root_probability(np.zeros(game.n))),
                                                float(game.root_probability(np.ones(game.n)))]})
    note = (f"Fairness of the split: Gini {fair['gini']:.4g}, HHI {fair['hhi']:.4g}; the largest ratio of reward "
            f"share to draw share is {fair['max_share_over_draw']:.4g}. Covering is a best response for a prover "
            f"where its covering gain is >= 0. Griefing (excluding a child's proof to get its prover slashed) "
            f"costs the griefer its re-proving cost plus the risk to its own block reward; the cheapest griefer "
            f"needs a bribe of {float(np.min(game.grief_bribes(kappa))):.4g}, and its victim loses "
            f"{float(game.grief_damage()[0]):.4g}.")
    return {"Work, rewards, covering and grief per prover": table, "Root completion": liveness,
            "Fairness and grief": note}




@section("delegated_stake")
def delegated_stake(game: Game, profile: Any) -> dict[str, Any]:
    dyn = game.dynamics(profile, epochs=200, rounds_per_epoch=50, mobility=0.2, seed=0)
    pick = dyn.iloc[[0, 9, 49, 99, 199]][["epoch", "hhi", "nakamoto", "top_share", "active"]]
    return {"Rich get richer: stake concentration over epochs (rewards reinvested, 20% re-delegation per epoch)": pick,
            "Concentration over time": Figure("dynamics", dyn["epoch"].to_numpy(),
                                              {"hhi": dyn["hhi"].to_numpy(), "top_share": dyn["top_share"].to_numpy()},
                                              "epoch", "DelegatedStake: stake concentration over epochs")}
