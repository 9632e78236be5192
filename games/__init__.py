"""Mechanisms as parameterised games (four faces each: analytic, protocol, symbolic, metrics)."""
from .base import EntryGame, Game, Outcomes, Stats
from .race import MinimumProvingTime, SequencerChosen, SpeedRace, UncleRewards, WinnerTakesAll

__all__ = ["EntryGame", "Game", "MinimumProvingTime", "Outcomes", "SequencerChosen", "SpeedRace", "Stats",
           "UncleRewards", "WinnerTakesAll"]
