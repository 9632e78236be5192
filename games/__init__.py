"""Mechanisms as parameterised games (four faces each: analytic, protocol, symbolic, metrics)."""
from .auctions import ReverseAuction, ReverseDutchAuction
from .aztec import AztecMultiProof, Booster, EpochQuotes, Sidecar
from .b52 import B52
from .base import EntryGame, Game, Outcomes, Stats
from .delegation import DelegatedStake
from .lottery import LotteryReward
from .market import NilMarket, Predation, Snarketplace, market_dynamics
from .sequencer import FeeSharing, ScrollAuction
from .taiko import TaikoProverPool
from .race import MinimumProvingTime, SequencerChosen, SpeedRace, UncleRewards, WinnerTakesAll
from .tree import ProofTreeVRF
from .vrf import StakeVRF, TaikoPool, TurnBased

__all__ = ["AztecMultiProof", "B52", "Booster", "EpochQuotes", "LotteryReward", "ReverseAuction", "ReverseDutchAuction", "Sidecar", "TaikoProverPool", "DelegatedStake", "EntryGame", "FeeSharing", "Game", "ScrollAuction", "MinimumProvingTime", "NilMarket", "Outcomes", "Predation",
           "ProofTreeVRF", "SequencerChosen", "Snarketplace", "SpeedRace", "StakeVRF", "Stats", "TaikoPool", "TurnBased",
           "UncleRewards", "WinnerTakesAll", "market_dynamics"]
