"""Mechanisms as parameterised games (four faces each: analytic, protocol, symbolic, metrics),
registered by kind in `games.registry` (importing this package registers them all)."""
from .auctions import ReverseAuction, ReverseDutchAuction
from .aztec import AztecMultiProof, Booster, EpochQuotes, Sidecar
from .b52 import B52
from .base import EntryGame, Game, Outcomes, Stats, example_provers
from .delegation import DelegatedStake
from .lottery import LotteryReward
from .market import NilMarket, Predation, Snarketplace, market_dynamics
from .protocols import capabilities
from .race import MinimumProvingTime, SequencerChosen, SpeedRace, UncleRewards, WinnerTakesAll
from .registry import Recipe, build, game_class, register, registered, schema
from .sequencer import FeeSharing, ScrollAuction
from .taiko import TaikoProverPool
from .tree import ProofTreeVRF
from .traits import GameTraits, StallForm, StrategyKind, TimingFamily, WhenChoice
from .vrf import IdentityVRF, StakeContest, StakeTurns, StakeVRF, TaikoPool, TurnAuction

__all__ = ["AztecMultiProof", "B52", "Booster", "DelegatedStake", "EntryGame", "EpochQuotes", "FeeSharing", "Game",
           "GameTraits", "IdentityVRF", "StakeContest", "StakeTurns", "StallForm", "StrategyKind", "TimingFamily",
           "WhenChoice",
           "LotteryReward", "MinimumProvingTime", "NilMarket", "Outcomes", "Predation", "ProofTreeVRF",
           "Recipe", "ReverseAuction", "ReverseDutchAuction", "ScrollAuction", "SequencerChosen", "Sidecar", "Snarketplace",
           "SpeedRace", "StakeVRF", "Stats", "TaikoPool", "TaikoProverPool", "TurnAuction", "UncleRewards",
           "WinnerTakesAll", "build", "capabilities", "example_provers", "game_class", "market_dynamics", "register",
           "registered", "schema"]
