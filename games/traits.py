"""What a registered game is, in one typed record: who plays, how its proofs land in time, what a
strategy is, which parameter is the users' budget, and what the model leaves out.

In the spirit of OpenSpiel's `GameType`: the analyses read a game's `traits` and its typed
capabilities (`games.protocols`), never loose class flags or attribute probes. `register` checks the
record against the game's own fields (`check_traits`).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from provergame.params import Choice, Int, Real, dataclass_fields, spec_of

if TYPE_CHECKING:
    from .base import Game


class TimingFamily(StrEnum):
    """How a proof's landing time arises (what on-time liveness means; see TIMING_FAMILIES)."""

    RACE = "race"
    ELECTED = "elected"
    SLOTS = "slots"
    SERVED = "served"
    NONE = "none"


TIMING_FAMILIES: dict[TimingFamily, str] = {
    TimingFamily.RACE: "every entrant proves at once, each proof takes Exp(rate); on time if the first valid "
                       "proof (counting from the minimal proving time, if any) lands within the window",
    TimingFamily.ELECTED: "the protocol (or the winning bid) assigns the unit; the assignee holds it for the "
                          "whole window and proves in Exp(rate); a re-draw after a failure lands after the window",
    TimingFamily.SLOTS: "the protocol runs fixed time slots (a proof tree's levels); on time if it lands and its "
                        "slots end within the window",
    TimingFamily.SERVED: "a market: on-time liveness is the share of demand actually served within the slot",
    TimingFamily.NONE: "the players do not prove (sequencers); liveness is whether the block lands",
}


class StrategyKind(StrEnum):
    """A profile entry is an entry probability (a finite game: enter or not) or a continuous strategy."""

    ENTRY = "entry"
    CONTINUOUS = "continuous"


class StallForm(StrEnum):
    """How on-time delivery falls as provers withhold: 1 - exp(-sum w) ("loglinear") or sum w ("linear")
    over the provers that still deliver (protocols.StallWeights)."""

    LOGLINEAR = "loglinear"
    LINEAR = "linear"


@dataclass(frozen=True)
class WhenChoice:
    """A trait that holds exactly when the game's Choice field `field` equals `value`."""

    field: str
    value: str

    def holds(self, game: Any) -> bool:
        return getattr(game, self.field) == self.value


@dataclass(frozen=True)
class ByChoice:
    """A trait whose value the game's Choice field `field` decides: `values` maps each option to it."""

    field: str
    values: tuple[tuple[str, Any], ...]

    def of(self, game: Any) -> Any:
        return dict(self.values)[getattr(game, self.field)]


@dataclass(frozen=True)
class GameTraits:
    """The declared facts of a registered game (one record per kind; checked at registration).

    players_field: the parameter that sets the players (a population, or a count).
    timing: how proof times arise; strategy: entry probabilities or continuous; strategy_label: what
    a profile entry means (tables' column name).
    proving: the players prove (False: sequencers, bidders, a predator); elected_by_protocol: the
    protocol, not a sequencer, picks the prover; priced: a strategy is a price (undercutting applies).
    stall_form: how delivery falls as provers withhold (games with protocols.StallWeights); a ByChoice
    where a Choice field decides (a pool with or without re-draws).
    budget_field: the real parameter that sets what users pay (equal-budget runs), None if none.
    design_fields: other real parameters a designer sets, (name, lo, hi) each: the decision page's design
    search grids them with the budget (pg.design over every declared parameter).
    seat_fields: integer counts that may not exceed the provers (pool seats, an active set).
    identity_weighted: the protocol picks among identities (extra identities gain shares); a
    WhenChoice where a Choice field decides. sybil_reason: why neither sybils nor price cuts apply.
    exchangeable: players are ex-ante identical (bidders drawing from one law).
    coalition_budget: payoff entries an analysis spends per coalition search (beyond it, sampled and labelled).
    max_provers: the size up to which solve and analyse are meant to run.
    limitations: one sentence on what the model leaves out (each page and the decision page list it).
    payoffs_use_provers: False where the provers only receive what the players pay (robustness draws
    then reuse the equilibrium; checked by the conformance suite).
    proof_family: kinds whose theorems are the same statements share this name ("" : the class name).
    entry_substitutes: an entrant's value V_i never rises when another prover enters (strategic
    substitutes); the pure equilibria are then enumerated by branch and bound (solvers.entry), and
    tests/test_equilibrium_set.py checks the property over generated games of every such kind.
    """

    limitations: str = ""
    max_provers: int = 1000
    players_field: str = "provers"
    timing: TimingFamily = TimingFamily.RACE
    strategy: StrategyKind = StrategyKind.ENTRY
    strategy_label: str = "entry probability"
    proving: bool = True
    elected_by_protocol: bool = False
    priced: bool = False
    stall_form: StallForm | ByChoice = StallForm.LOGLINEAR
    budget_field: str | None = None
    design_fields: tuple[tuple[str, float, float], ...] = ()
    seat_fields: tuple[str, ...] = ()
    identity_weighted: bool | WhenChoice = False
    sybil_reason: str = ""
    exchangeable: bool = False
    coalition_budget: int = 400_000     # every coalition of 2-3 of 12 provers over 5 candidates each: 349,800
    payoffs_use_provers: bool = True
    proof_family: str = ""
    entry_substitutes: bool = False

    def __post_init__(self) -> None:
        for name, enum in (("timing", TimingFamily), ("strategy", StrategyKind), ("stall_form", StallForm)):
            value = getattr(self, name)
            if isinstance(value, ByChoice):
                object.__setattr__(self, name, ByChoice(value.field, tuple((o, enum(v)) for o, v in value.values)))
                continue
            if not isinstance(value, enum):
                try:
                    object.__setattr__(self, name, enum(value))
                except ValueError:
                    raise TypeError(f"GameTraits.{name}={value!r}: one of {[m.value for m in enum]}") from None

    @property
    def finite(self) -> bool:
        return self.strategy is StrategyKind.ENTRY

    def stall_form_of(self, game: Any) -> StallForm:
        """How delivery falls as `game`'s provers withhold (traits.stall_form, resolved by its Choice field)."""
        f = self.stall_form
        return f.of(game) if isinstance(f, ByChoice) else f

    def is_identity_weighted(self, game: Any) -> bool:
        """Whether `game` (of a kind with these traits) picks among identities."""
        w = self.identity_weighted
        return w.holds(game) if isinstance(w, WhenChoice) else bool(w)


def _inside(spec: Real, value: float) -> bool:
    """`value` is a value the parameter accepts (its open ends excluded)."""
    above = value > spec.lower or (value == spec.lower and not spec.lo_open)
    return above and (value < spec.upper or (value == spec.upper and not spec.hi_open))


def check_traits(cls: type["Game"]) -> None:
    """Raise TypeError where a game class's traits do not fit its own fields."""
    name = cls.__name__
    t = getattr(cls, "traits", None)
    if not isinstance(t, GameTraits):
        raise TypeError(f"{name}: declare traits: ClassVar[GameTraits] = GameTraits(...) (games.traits)")
    specs = {f.name: spec_of(f) for f in dataclass_fields(cls)}
    text = t.limitations.strip()
    if len(text) < 20 or not text.endswith("."):
        raise TypeError(f"{name}: traits.limitations must state what the model leaves out in a sentence ending in '.'")
    if t.max_provers < 2:
        raise TypeError(f"{name}: traits.max_provers must be >= 2, not {t.max_provers}")
    if t.coalition_budget < 1:
        raise TypeError(f"{name}: traits.coalition_budget must be >= 1, not {t.coalition_budget}")
    if t.players_field not in specs:
        raise TypeError(f"{name}: traits.players_field={t.players_field!r} is not one of its fields {sorted(specs)}")
    if t.budget_field is not None and not isinstance(specs.get(t.budget_field), Real):
        raise TypeError(f"{name}: traits.budget_field={t.budget_field!r} must name one of its real parameters")
    for field_name, lo, hi in t.design_fields:
        spec = specs.get(field_name)
        if not isinstance(spec, Real) or field_name == t.budget_field or not (lo < hi and _inside(spec, lo) and
                                                                               _inside(spec, hi)):
            raise TypeError(f"{name}: traits.design_fields names {field_name!r} over [{lo}, {hi}]: it must be a real "
                            f"parameter other than the budget, over a range inside its own")
    for seat in t.seat_fields:
        if not isinstance(specs.get(seat), Int):
            raise TypeError(f"{name}: traits.seat_fields names {seat!r}, which is not one of its integer parameters")
    if t.entry_substitutes and (t.strategy is not StrategyKind.ENTRY or not callable(getattr(cls, "entry_values", None))):
        raise TypeError(f"{name}: traits.entry_substitutes needs entry strategies and an entry_values method")
    f = t.stall_form
    if isinstance(f, ByChoice):
        spec = specs.get(f.field)
        if not isinstance(spec, Choice) or sorted(o for o, _ in f.values) != sorted(spec.options):
            raise TypeError(f"{name}: traits.stall_form={f!r} must name a Choice field and give a form for each option")
    w = t.identity_weighted
    if isinstance(w, WhenChoice):
        spec = specs.get(w.field)
        if not isinstance(spec, Choice) or w.value not in spec.options:
            raise TypeError(f"{name}: traits.identity_weighted={w!r} must name a Choice field and one of its options")
    if w is True and t.sybil_reason:
        raise TypeError(f"{name}: an identity-weighted game has sybils; traits.sybil_reason must be empty")
