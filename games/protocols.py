"""Optional capabilities of a game, declared as typed protocols (a game has one when it defines
the methods). The analyses find them by these protocols, never by the game's class.

Groups: withholding (what a withholding prover forgoes; how liveness falls as provers withhold;
griefing), sequencer attacks (censor / collude), continuous-strategy search (breakpoints where
payoffs jump; strategies that are functions; price lattices), sybil splitting, equilibrium extras,
closed-form timing laws (race law, first assignment, served units, the payoff of proving alone), and
the epoch state a timeline carries (booster scores). What is not a method (players, timing family,
strategy kind, stall form, budget field, ...) is the game's `traits` record (games.traits).
"""
from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np


# --- withholding --------------------------------------------------------------------------------
@runtime_checkable
class WithholdBribes(Protocol):
    def withhold_bribes(self) -> np.ndarray:
        """b_i: what prover i forgoes (and is slashed) by withholding while the others withhold."""


@runtime_checkable
class StallWeights(Protocol):
    def stall_weights(self, profile: Any) -> np.ndarray:
        """w_i: each prover's weight in liveness (traits.stall_form: "loglinear", liveness 1 - exp(-sum w)
        over non-withholders; "linear", sum w)."""


@runtime_checkable
class StallLiveness(Protocol):
    def stall_liveness(self, masks: np.ndarray, profile: Any) -> np.ndarray:
        """Liveness for each row of `masks` (True: that prover withholds)."""


@runtime_checkable
class GriefBribes(Protocol):
    def grief_bribes(self, profile: Any) -> np.ndarray:
        """Per prover: the bribe that makes it exclude a sibling's proof (proof trees)."""


# --- sequencer attacks --------------------------------------------------------------------------
@runtime_checkable
class SequencerAttack(Protocol):
    def sequencer_attack(self, attack: str, prover: int, profile: Any) -> tuple[np.ndarray, np.ndarray, str]:
        """(loss per winner, P(each wins), method) of censoring `prover` or colluding with it."""


@runtime_checkable
class ValueToProvers(Protocol):
    def value_to_provers(self, profile: Any) -> dict[str, float]:
        """Sequencer-side designs: what reaches provers, the winner's value, sequencer and prover HHI."""


# --- continuous-strategy search ---------------------------------------------------------------
@runtime_checkable
class CriticalStrategies(Protocol):
    def critical_strategies(self, profile: np.ndarray) -> np.ndarray:
        """(n, m) strategies where payoffs jump (rivals' bids, a tick below them): they join the
        regret search's grid."""


@runtime_checkable
class PriceLattice(Protocol):
    def price_lattice(self) -> np.ndarray | None:
        """Every price a prover may post when prices are multiples of a coarse tick (the regret
        search is then exhaustive over them), or None when the tick is fine enough to be continuous."""


@runtime_checkable
class SellRange(Protocol):
    def sell_range(self) -> tuple[np.ndarray, np.ndarray]:
        """Per prover, the lowest and highest prices at which it may sell: the bounds of the tick lattice
        on which mixed price equilibria are computed (solvers.price_mixing)."""


@runtime_checkable
class FunctionStrategies(Protocol):
    def best_deviation_payoffs(self, profile: Any) -> np.ndarray:
        """Best payoff over every bid function, per player (auctions: a profile entry scales a bid)."""


@runtime_checkable
class MemberPayoffs(Protocol):
    def member_payoffs(self, profile: Any, members: np.ndarray, values: np.ndarray) -> np.ndarray:
        """(B, s) payoffs of each row's members `members[b]` when they play `values[b]` and everyone else
        keeps `profile`: what a coalition search needs, without every other player's payoff."""


@runtime_checkable
class EquilibriumExtra(Protocol):
    def equilibrium_extra(self, profile: np.ndarray) -> dict[str, Any]:
        """Attributes added to the Equilibrium (e.g. the bid function of an auction)."""


# --- undercutting by identities ----------------------------------------------------------------
@runtime_checkable
class SybilSplit(Protocol):
    def sybil_profit(self, operator: int, identities: int, failures: str) -> tuple[float, float] | None:
        """(share of accepted work, profit per round) of `operator` running `identities` identities;
        None where this configuration does not select by identity or stake."""


# --- entry games --------------------------------------------------------------------------------
@runtime_checkable
class PureEntryValues(Protocol):
    provers: Any

    def pure_entry_values(self) -> Any:
        """A function of `on` (who registered, pure profiles) giving entry_values' floats with the per-call
        setup done once (sequential entry's inner loop), or None where entry_values goes another way."""


# --- closed-form timing laws ---------------------------------------------------------------------
@runtime_checkable
class RaceLaw(Protocol):
    def race_law(self, profile: Any) -> tuple[np.ndarray, np.ndarray, float, float] | None:
        """(presence q_i, proving rate r_i, time proofs start counting, latest useful time) of a race."""


@runtime_checkable
class FirstAssignment(Protocol):
    def first_assignment(self, profile: Any) -> np.ndarray:
        """P(i is the first prover assigned the unit) where the protocol or the winning bid assigns it."""


@runtime_checkable
class FailoverTurns(Protocol):
    failover: str
    failover_deadline: float

    def on_time(self, profile: Any, window: float) -> float: ...


@runtime_checkable
class ServedUnits(Protocol):
    demand: float

    def units(self, bids: Any) -> np.ndarray:
        """Units of the round's `demand` each prover sells at `bids` (markets)."""


@runtime_checkable
class SoloForm(Protocol):
    def solo_form(self, i: int) -> tuple[Any, dict[str, float]] | None:
        """(sympy form, values) of prover i's payoff from proving alone (what the stall bribe pays it)."""


@runtime_checkable
class EntryValues(Protocol):
    def entry_values(self, profile: np.ndarray) -> np.ndarray:
        """V_i: what prover i earns by entering, given the others' entry probabilities (rows: profiles)."""

    def entry_cost(self) -> np.ndarray:
        """What entering costs each prover."""


# --- state a timeline carries across epochs -----------------------------------------------------
@runtime_checkable
class BoostedScores(Protocol):
    booster: Any
    scores: Any

    def with_provers(self, index: Any, **changes: Any) -> Any: ...


CAPABILITIES: dict[str, type] = {
    "withhold_bribes": WithholdBribes, "stall_weights": StallWeights, "stall_liveness": StallLiveness,
    "grief_bribes": GriefBribes, "sequencer_attack": SequencerAttack, "value_to_provers": ValueToProvers,
    "critical_strategies": CriticalStrategies, "function_strategies": FunctionStrategies,
    "member_payoffs": MemberPayoffs,
    "equilibrium_extra": EquilibriumExtra, "sybil_split": SybilSplit, "price_lattice": PriceLattice,
    "sell_range": SellRange, "race_law": RaceLaw, "first_assignment": FirstAssignment, "failover_turns": FailoverTurns,
    "served_units": ServedUnits,
    "solo_form": SoloForm, "boosted_scores": BoostedScores, "entry_values": EntryValues,
}


def capabilities(game: Any) -> list[str]:
    """Names of the optional capabilities `game` offers."""
    return [name for name, proto in CAPABILITIES.items() if isinstance(game, proto)]
