"""Report sections of the sequencer-side mechanisms."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from provergame.lazy import pandas as pd

from provergame.reporting import Figure
from provergame.games.base import Game

from .sections import section

@section("fee_sharing")
def fee_sharing(game: Game, profile: Any) -> dict[str, Any]:
    curve = game.share_curve(np.linspace(0, 10, 21))
    return {"Equilibrium share against the MEV/fee ratio": Figure(
                "share_curve", curve["mev/fees"].to_numpy(), {"share a*": curve["share a*"].to_numpy()},
                "MEV / fees", "FeeSharing: equilibrium share passed to provers", overlay=True),
            "Share table": curve.iloc[::4],
            "Provers' income": f"At this equilibrium {game.prover_income(profile):.4g} of {game.fees:g} fees per "
                               f"slot reach provers; compare with the proving cost per block of a prover game."}




@section("scroll_auction")
def scroll_auction(game: Game, profile: Any) -> dict[str, Any]:
    v = np.linspace(0, float(game._dist().ppf(0.99)), 6)
    return {"Equilibrium bid function": pd.DataFrame({"value": v, "bid": game.bid(v)}),
            "Revenue": (f"Expected winning bid (first price, integrated): {game.first_price_revenue():.5g}; "
                        f"expected second-highest value (second price): {game.revenue:.5g}. Revenue equivalence "
                        f"holds to {abs(game.first_price_revenue() - game.revenue):.2g}."),
            "MEV reaching provers (stake-weighted VRF)": game.prover_income()}




@section("b52")
def b52(game: Game, profile: Any) -> dict[str, Any]:
    x = profile * game.builders
    keep = float((game._winner(x) * (game.builders - x)).sum())
    c, live = game.selection(keep)
    out: dict[str, Any] = {
        "Selection": (f"The winner keeps {keep:.4g} of its MEV and spreads {game.units} units over {int(c)} unique "
                      f"provers (of {game.eligible} eligible voters); all deliver with probability {float(live):.4f}. "
                      f"Provers receive {float((game._winner(x) * x).sum()):.4g} per landed block."),
        "Provers' income": game.prover_income(profile)}
    if np.all(game.provers.stake > 0):
        same = np.allclose(game.provers.reliability, game.provers.reliability[0])
        g = game if same else replace(game, provers=game.provers.replace(reliability=np.full(
            len(game.provers), float(game.provers.reliability.mean()))))
        committee = g.committee if g.committee is not None else min(2 * game.units, len(game.provers))
        g = replace(g, committee=committee)
        title = "Sybil identities: share of a block captured by prover 0 (committee of " + str(committee) + \
                ("" if same else ", every prover at the mean reliability") + ")"
        out[title] = g.sybil_comparison(0)
    return out
