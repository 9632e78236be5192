"""Report sections of the deployed mechanisms."""
from __future__ import annotations

from typing import Any

import numpy as np
from provergame.lazy import pandas as pd

from provergame.reporting import Figure
from provergame.games.base import Game

from .sections import section

@section("aztec_multi_proof")
def aztec_multi_proof(game: Game, profile: Any) -> dict[str, Any]:
    bar = game.barrier(profile)
    ramp = game.ramp(profile)
    idx = np.unique(np.linspace(0, len(ramp) - 1, 9).astype(int))
    return {"Booster: a newcomer's ramp (exact score recursion)": pd.DataFrame(
                {"quantity": list(bar), "value": list(bar.values())}),
            "Ramp by epoch": ramp.iloc[idx],
            "Newcomer's expected reward per epoch": Figure(
                "newcomer_ramp", ramp["epoch"].to_numpy(), {"booster": ramp["expected reward"].to_numpy(),
                "equal split": np.full(len(ramp), bar["profit per epoch without booster"]
                                       + float(np.median(game.proving_cost)))},
                "epoch", "Newcomer's expected reward per epoch", overlay=True)}




@section("sidecar")
def sidecar(game: Game, profile: Any) -> dict[str, Any]:
    return {"Withholding bribe with and without an in-protocol stake": game.bribe_table(
        game.stake_slash if game.stake_slash > 0 else game.deposit)}




@section("epoch_quotes")
def epoch_quotes(game: Game, profile: Any) -> dict[str, Any]:
    kb = game.kickback(profile=profile)
    return {"Kickback collusion (proposer accepts the colluding prover's max quote)": pd.DataFrame(
        {"quantity": list(kb), "value": list(kb.values())})}




@section("taiko_prover_pool")
def taiko_prover_pool(game: Game, profile: Any) -> dict[str, Any]:
    e = game.check_profile(profile)
    return {"Pool": pd.DataFrame({"prover": list(game.provers.names), "stake": game.provers.stake,
                                  "seated": game.seated(), "erpg / fee": e / game.fee_per_gas,
                                  "P(prove block)": game.selection(e), "slash": game.slash(e)}),
            "Entry": f"A newcomer must stake more than {game.entry_stake():.4g} to be seated (the smallest seated stake is evicted).",
            "Against the ranked-by-fee pool": versus_ranked_pool(game, e)}


def versus_ranked_pool(game: Game, profile: Any) -> pd.DataFrame:
    """Same provers under the ranked-by-fee `TaikoPool` (uniform draw among the lowest bids)."""
    from provergame.games import TaikoPool
    from provergame.solvers.metrics import metrics
    e = game.check_profile(profile)
    slash = float(np.median(game.slash(e)))
    ranked = TaikoPool(1.25 * game.fee_per_gas * game.gas, game.provers, min(game.pool_size, game.n), slash)
    rows = []
    for name, design, prof in (("alpha-4 weight stake / erpg^2", game, e),
                               ("ranked by fee (TaikoPool)", ranked, ranked.equilibrium()[0])):
        m = metrics(design, prof)
        s = design.stats(prof)
        rows.append({"design": name, "mean price per block": s.user_payment / max(s.eventual_liveness, 1e-300),
                     "hhi": m["hhi"], "nakamoto": m["nakamoto"], "liveness": m["liveness"], "surplus": m["surplus"]})
    return pd.DataFrame(rows)




@section("reverse_auction")
def reverse_auction(game: Game, profile: Any) -> dict[str, Any]:
    d = game._cost()
    c = np.linspace(d.ppf(0.0), d.ppf(0.99), 6)
    return {"Equilibrium bid function": pd.DataFrame({"cost": c, "effective cost": game.effective(c), "bid": game.bid(c)}),
            "Payment": (f"Expected price (first price, integrated) {game.first_price_payment():.5g}; second-price "
                        f"payment {game.payment:.5g} (revenue equivalence to {abs(game.first_price_payment() - game.payment):.2g}).")}




@section("reverse_dutch_auction")
def reverse_dutch_auction(game: Game, profile: Any) -> dict[str, Any]:
    d = game._cost()
    c = np.linspace(d.ppf(0.0), d.ppf(0.99), 6)
    mc = game.min_collateral()
    return {"Lock price and time by cost": pd.DataFrame({"cost": c, "lock price": game.lock_price(c),
                                                         "lock time": game.lock_time(c)}),
            "Collateral": pd.DataFrame({"quantity": list(mc), "value": list(mc.values())}),
            "Payment": (f"Expected price (first lock, integrated) {game.first_price_payment():.5g}; "
                        f"second-price payment {game.payment:.5g}.")}




@section("lottery_reward")
def lottery_reward(game: Game, profile: Any) -> dict[str, Any]:
    if not game.provers.is_identical:
        return {}
    opt = game.optimal_reward()
    grid = np.unique(np.concatenate([np.linspace(float(game.provers.cost[0]), 4 * max(opt["reward R*"], game.reward), 9),
                                     [opt["reward R*"], game.reward]]))
    return {"Reward that minimises the protocol's expected cost": pd.DataFrame(
                {"quantity": list(opt), "value": list(opt.values())}),
            "Protocol cost against the reward": game.protocol_cost(grid[grid > 0])}
