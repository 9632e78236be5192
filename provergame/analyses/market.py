"""Report sections of the proof-market mechanisms."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from provergame.lazy import pandas as pd

from provergame.reporting import Figure
from provergame.games.base import Game

from .sections import section

@section("snarketplace")
def snarketplace(game: Game, profile: Any) -> dict[str, Any]:
    from provergame.solvers.undercut import undercut
    rows = []
    cheapest = int(np.argmin(game.provers.cost))
    for frac in (0.9, 0.75, 0.5):
        u = undercut(game, cheapest, float(profile[cheapest]) * frac, periods=10)
        rows.append({"prover": game.provers.names[cheapest], "price": u.price, "periods": u.periods,
                     "profit cutting": u.profit_cut, "profit accommodating": u.profit_accommodate, "gain": u.gain})
    out = {"Undercutting by the cheapest prover (rivals at equilibrium)": pd.DataFrame(rows),
           "Market": (f"Demand {game.demand:g} per block, supply {game.supply:g} at or below the reserve "
                      f"{game.reserve_price:g} ({'short' if game.short else 'sufficient'}).")}
    out.update(concentration_report(game))
    return out


def concentration_report(game: Game, periods: int = 400, seed: int = 0) -> dict[str, Any]:
    """Dynamic rollout (entry, exit, learning, reinvestment) and concentration against the race and
    stake-VRF designs on the same provers, paying the same total per block."""
    from provergame.solvers.metrics import hhi, nakamoto
    from provergame.solvers.powerlaw import fit_power_law
    from provergame.errors import InvalidParameter as _Invalid
    from provergame.games import StakeVRF, WinnerTakesAll
    from provergame.games.market import market_dynamics
    dyn, final = market_dynamics(game, periods=periods, seed=seed)
    work = final["work"].to_numpy()
    try:
        fit = fit_power_law(work[work > 0], min_tail=8)
        tail = (f"Work per prover after {periods} periods ({len(final)} provers ever active, "
                f"{int(final['alive'].sum())} still active): power-law tail alpha = {fit.alpha:.3g} above "
                f"x_min = {fit.xmin:.3g} ({fit.n_tail} provers, KS {fit.ks:.3g}); against a log-normal tail "
                f"the log-likelihood ratio is {fit.loglik_ratio:.3g} (p = {fit.p_value:.3g}): {fit.favoured}.")
        alpha = fit.alpha
    except _Invalid as exc:
        tail, alpha = f"Too few provers with work for a tail fit ({exc}).", float("nan")
    budget = game.demand * game.reserve_price
    rows = [{"design": "Snarketplace (equilibrium)", "hhi": hhi(game.stats(profile := game.equilibrium()[0]).reward),
             "nakamoto": nakamoto(game.stats(profile).reward), "tail alpha (dynamics)": alpha}]
    for name, design in (("WinnerTakesAll", WinnerTakesAll(budget, game.provers)),
                         ("StakeVRF", StakeVRF(budget, game.provers) if game.provers.stake.sum() > 0 else None)):
        if design is None:
            continue
        eq = design.equilibrium()[0]
        r = design.stats(eq).reward
        rows.append({"design": name, "hhi": hhi(r), "nakamoto": nakamoto(r), "tail alpha (dynamics)": float("nan")})
    return {"Concentration over time (entry, exit, learning-by-doing, reinvestment)": Figure(
                "dynamics", dyn["period"].to_numpy(), {"hhi": dyn["hhi"].to_numpy(), "active": dyn["active"].to_numpy()},
                "period", "Snarketplace dynamics"),
            "Distribution of work": tail,
            "Concentration at equal demand and costs": pd.DataFrame(rows)}




@section("predation")
def predation(game: Game, profile: Any) -> dict[str, Any]:
    pi = game.phase_profits()
    table = pd.DataFrame({"phase": list(pi), "profit per round": list(pi.values())})
    grid = game.boundary([0.0, 1.0, 10.0, 100.0, 1000.0], [0.9, 0.99, 0.999])
    return {"Per-round profits by phase": table,
            "Predation boundary (closed form)": grid,
            "Verdict": (f"Discounted gain of predation over accommodation: {game.gain():.4g}; predation pays "
                        f"once entrants take at least {game.threshold_delay():.4g} rounds to return "
                        f"(here: {game.entry_delay}).")}




@section("nil_market")
def nil_market(game: Game, profile: Any) -> dict[str, Any]:
    p = game.check_profile(profile)
    flat = replace(game, ratings=np.ones(game.n))
    flat_eq = flat.equilibrium()[0]
    share = lambda g, q: g.wins(q) / len(g.requests)
    return {"Ratings shift market share": pd.DataFrame({
        "prover": list(game.provers.names), "rating": game.ratings, "time": game.times,
        "share with ratings": share(game, p), "share, equal ratings": share(flat, flat_eq),
        "price with ratings": p, "price, equal ratings": flat_eq})}
