"""Bribe thresholds: the cheapest total payment that makes an attack a best response.

"withhold": stall proving for a round. Every prover who would profit from proving while all
others withhold must be paid at least that profit (its best deviation from the all-withhold
profile), so the threshold is the sum of max(0, payoff of proving alone).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from provergame.errors import check_choice


@dataclass(frozen=True)
class BribeThreshold:
    attack: str
    total: float
    per_prover: np.ndarray
    names: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"prover": list(self.names), "bribe": self.per_prover})


def withhold_bribe(game) -> BribeThreshold:
    """Per-prover bribe: what prover i would earn by proving when everyone else withholds."""
    lo, hi = game.strategy_bounds()
    idle = lo.copy()
    if game.finite:
        cand = np.tile([0.0, 1.0], (game.n, 1))
    else:
        cand = lo[:, None] + (hi - lo)[:, None] * np.concatenate([[0.0], np.geomspace(1e-9, 1, 200)])[None, :]
    gain = game.deviation_payoffs(idle, cand).max(axis=1) - game.expected_payoffs(idle)
    per = np.maximum(gain, 0.0)
    return BribeThreshold("withhold", float(per.sum()), per, game.provers.names)


def bribe_threshold(game, attack: str = "withhold") -> BribeThreshold:
    check_choice("attack", attack, ("withhold",))
    return withhold_bribe(game)
