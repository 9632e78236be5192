"""Mechanisms as parameterised games (four faces each: analytic, protocol, symbolic, metrics)."""
from .base import EntryGame, Game, Outcomes, Stats
from .delegation import DelegatedStake
from .race import MinimumProvingTime, SequencerChosen, SpeedRace, UncleRewards, WinnerTakesAll
from .tree import ProofTreeVRF
from .vrf import StakeVRF, TaikoPool, TurnBased

__all__ = ["DelegatedStake", "EntryGame", "Game", "MinimumProvingTime", "Outcomes", "ProofTreeVRF", "SequencerChosen",
           "SpeedRace", "StakeVRF", "Stats", "TaikoPool", "TurnBased", "UncleRewards", "WinnerTakesAll"]
