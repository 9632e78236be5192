"""Report sections of the race-family mechanisms."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from provergame.lazy import pandas as pd
from provergame.games.base import Game


from .sections import section

@section("sequencer_chosen")
def sequencer_chosen(game: Game, profile: Any) -> dict[str, Any]:
    asked = pd.DataFrame({"prover": list(game.provers.names), "cost": game.provers.cost, "on_time": game.delivery_chance,
                          "accepts": np.asarray(profile) > 0.5}).loc[game.asked]
    other = replace(game, pay="all" if game.pay == "first" else "first")
    full = game.asked.astype(float)
    compare = pd.DataFrame({"prover": [game.provers.names[i] for i in np.flatnonzero(game.asked)],
                            f"payoff if all accept, pay={game.pay}": game.expected_payoffs(full)[game.asked],
                            f"payoff if all accept, pay={other.pay}": other.expected_payoffs(full)[game.asked]})
    note = (f"The sequencer asks k = {game.k} provers to reach a {game.target:.3g} chance of a proof by the "
            f"deadline (reachable: {'yes' if game.feasible else 'no'}); k - 1 = {game.k - 1} proofs are redundant "
            f"when all deliver. A bond of {game.min_bond():.4g} makes paying a best response for an "
            f"out-of-protocol sequencer (pay={game.pay}).")
    return {"Whom the sequencer asks": asked, "Pay first vs pay all (the seed's point 2)": compare,
            "Redundancy and bond": note}
