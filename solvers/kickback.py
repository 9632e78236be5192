"""Sequencer-prover collusion in race designs: the kickback a colluding pair can share.

In a race the slot's sequencer decides which proof its block includes. A sequencer colluding with
prover p includes only p's proof (censoring every other): the others, who can no longer win that
slot, stay out (their residual best response), so p proves alone and earns its solo payoff
rho_p R - c_p instead of its equilibrium payoff. The pair's joint gain per colluding slot,
solo_p - equilibrium_p, is the most p can kick back; censoring costs the sequencer nothing in the
protocol, so any positive kickback makes the deal (the seed's "sequencer-chosen" concern: a
sequencer that picks the prover can sell the pick). Users lose the race's redundancy: on-time
liveness falls to p's alone, rho_p (1 - e^{-r_p w}) in an exponential race.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from provergame.lazy import pandas as pd

from provergame.errors import InvalidParameter
from provergame.games import protocols
from provergame.games.base import Game, check_game
from provergame.games.traits import TimingFamily
from provergame.timing import window_of


CERTIFIED = 1e-6      # a prover alone whose profile's regret exceeds this (relative) has no equilibrium alone


@dataclass(frozen=True)
class Kickback:
    """Per prover p: what the pair (sequencer, p) gains per colluding slot and the users' on-time
    liveness and cost per proof while it colludes; `partner` is the prover gaining most."""

    names: tuple[str, ...]
    gain: np.ndarray                 # solo payoff - equilibrium payoff, the most p can kick back
    on_time_after: np.ndarray        # on-time liveness with p proving alone (nan: no equilibrium alone)
    user_cost_after: np.ndarray      # what users pay per proof landed with p alone
    on_time_before: float
    user_cost_before: float
    partner: int
    method: str

    @property
    def partners(self) -> tuple[int, ...]:
        """Every prover whose gain ties the largest (to 1e-9 of the reward scale): a tie, not a winner."""
        top = float(self.gain[self.partner])
        tol = 1e-9 * max(1.0, abs(top))
        return tuple(int(i) for i in np.flatnonzero(self.gain >= top - tol))

    @property
    def kickback(self) -> float:
        """The largest kickback any prover can pay per colluding slot (0 where no pair gains)."""
        return float(max(self.gain[self.partner], 0.0))

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"prover": list(self.names), "kickback per slot (pair's gain)": self.gain,
                             "on-time liveness while colluding": self.on_time_after,
                             "user cost per proof while colluding": self.user_cost_after})


def applies(game: Game) -> str | None:
    """Why the kickback model does not apply to `game` (None where it does): race designs whose
    sequencer includes the first valid proof, not the ones whose sequencer already picks (modelled
    by their own sequencer attack) or where the protocol elects."""
    if game.traits.timing != TimingFamily.RACE or not game.traits.proving:
        return "not a race: the sequencer does not choose among competing proofs"
    if isinstance(game, protocols.SequencerAttack):
        return "the sequencer already picks the provers (see its censor and collude bribes)"
    return None


def sequencer_kickback(game: Game, profile: Any = None, window: float = 1.0) -> Kickback:
    """What a sequencer and a prover gain by colluding in a race design, per colluding slot.

    Parameters
    ----------
    game : Game
        A race design (traits.timing "race") whose sequencer includes the first valid proof.
    profile : array_like, optional
        The equilibrium colluded against (default: the game's).
    window : float, default 1.0
        On-time window.

    Returns
    -------
    Kickback
        Per prover: the pair's gain (the most it can kick back), on-time liveness and user cost per
        proof while it colludes; `partner` gains most.

    Raises
    ------
    InvalidParameter
        For a game that is not such a race design, or a bad profile or window.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> k = pg.sequencer_kickback(pg.games.WinnerTakesAll(10.0, pop))
    >>> k.partners, round(k.kickback, 4), [round(float(k.on_time_after[p]), 4) for p in k.partners]
    ((0, 2), 7.5, [0.6321, 0.6321])
    """
    from provergame.solvers.bribe import alone, solo_payoffs
    from provergame.solvers.metrics import metrics
    game = check_game(game)
    why = applies(game)
    if why is not None:
        raise InvalidParameter("game", game.title, f"a race design whose sequencer includes the first proof ({why})")
    window = window_of(window)
    if game.n < 2:
        raise InvalidParameter("game", game.title, "at least 2 provers (with one there is nobody to censor)")
    profile = game.equilibrium()[0] if profile is None else game.check_one_profile(profile)
    before = metrics(game, profile, window)
    gain = solo_payoffs(game) - np.asarray(game.expected_payoffs(profile), dtype=float)
    on_time, regret, cost = alone(game, window).T
    unsettled = ~np.isnan(cost) & (regret > CERTIFIED * np.maximum(1.0, np.abs(gain)))
    on_time = np.where(unsettled, np.nan, on_time)  # alone it has no best response (a lone speed racer slows without end)
    cost_after = np.where(unsettled, np.nan, cost)
    partner = int(np.argmax(gain))
    method = ("the slot's sequencer includes only its partner's proof; the others, who cannot win the slot, stay out "
              "and the partner proves alone (its solo payoff, as the stall bribe's); the pair's gain per colluding "
              "slot is what the partner can kick back")
    return Kickback(tuple(game.players.names), gain, on_time, cost_after,
                    float(before.liveness), float(before.user_cost), partner, method)
