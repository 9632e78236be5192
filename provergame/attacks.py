"""The registry of attacks: what `pg.analyse` tries against every game, and how each shows on the report.

An attack is a registered `Attack`: `run(game, eq, timing)` computes it at the game's certified
(pure) equilibrium and returns its result, or None where it does not apply; `columns(result, timing)`
gives its cells in the comparison table; `section(result, timing)` its part of the mechanism page
(None: no section). `pg.analyse` runs every registered attack, the pages and the table loop over the
registry, and a decision goal (`provergame.decision.register_goal`) can rank on its columns. Adding an
attack is its module plus `register_attack` (see examples/new_attack.py).

Registered here: the stall bribe after everyone responds ("withhold"), running extra identities or
cutting price ("undercut_or_sybil") and joint deviations of 2-3 players with the best pair's cartel
("coalitions").
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable

import numpy as np

from .lazy import pandas as pd
from .registries import add_once
from .results import _fmt, markdown_table
from .timing import Timing
from provergame.games import Game, protocols


@dataclass(frozen=True)
class Attack:
    """One attack: its name (the key of Analysis.attacks), the title of its page section, how it is
    computed and how it is shown (see the module docstring)."""

    name: str
    title: str
    run: Callable[[Any, Any, Timing], Any]
    columns: Callable[[Any, Timing], dict[str, Any]]
    section: Callable[[Any, Timing], str | None]


ATTACKS: dict[str, Attack] = {}


def register_attack(attack: Attack) -> Attack:
    """Add an attack to every analysis, page and comparison table (in registration order)."""
    return add_once(ATTACKS, attack.name, attack, "attack")


# --- withholding: the stall bribe after everyone responds ------------------------------------------
def _withhold(game: Any, eq: Any, timing: Timing) -> Any:
    from provergame.solvers.bribe import bribe_threshold
    return bribe_threshold(game, "withhold", profile=eq.profile, window=timing.window)


def _withhold_columns(b: Any, timing: Timing) -> dict[str, Any]:
    return {"stall bribe per unit": b.per_unit(),
            "stall bribe per hour": timing.per_hour(b.total) if np.isfinite(b.total) else b.total,
            "on-time proofs lost per hour (stall)": timing.per_hour(b.proofs_lost()) if np.isfinite(b.total) else np.nan}


def _withhold_section(b: Any, timing: Timing) -> str:
    if not np.isfinite(b.total):
        return f"Not applicable: {b.method}."
    return (f"Cheapest bribe that stalls on-time proving (the residual equilibrium of the provers not bribed has "
            f"on-time liveness {_fmt(b.liveness_after)} within {_fmt(timing.window)} time units): **{_fmt(b.per_unit())} "
            f"per unit of work, {_fmt(timing.per_hour(b.total))} per hour**"
            + (f" ({_fmt(b.total)} per round of {_fmt(b.units)} units)" if b.units != 1 else "")
            + f", paid to {int(b.coalition.sum())} of "
            f"{len(b.names)} provers (each is paid what it would earn by joining the residual game). Users lose "
            f"{_fmt(b.on_time_lost())} of each unit of work's on-time proof (on-time liveness {_fmt(b.liveness_before)} "
            f"-> {_fmt(b.liveness_after)}): {_fmt(timing.per_hour(b.proofs_lost()))} on-time proofs per hour. "
            + (f"Paid only when the attack succeeds (no proof on time, chance {_fmt(1 - b.liveness_after)}), the same "
               f"members need {_fmt(b.on_success())} per successful unit: the same expected cost. "
               if b.liveness_after > 0 else "") + "Method: "
            f"{b.method}; certificate: the residual profile's regret is {_fmt(b.regret)}.\n\n"
            + markdown_table(b.to_frame()))


# --- identities and price cuts --------------------------------------------------------------------
def _undercut_or_sybil(game: Any, eq: Any, timing: Timing) -> str:
    return undercut_sybil_summary(game, eq.profile)


def undercut_sybil_summary(game: Game, profile: np.ndarray) -> str:
    """One line for the comparison table: is running extra identities, or cutting price, profitable?
    Sybils wherever the protocol selects by identity or stake; predatory pricing wherever the strategy
    is a price; otherwise "not applicable" with the game's reason."""
    from provergame.solvers.undercut import clone_sybil_gain, sybil_gain, undercut
    op = int(np.argmax(game.players.stake))
    if isinstance(game, protocols.SybilSplit) and game.sybil_profit(op, 1, "shared") is not None:
        g = sybil_gain(game, op, 4)
        return f"sybil x4: profit {g.profit_before:.3g} -> {g.profit_after:.3g} ({'pays' if g.profitable else 'does not pay'})"
    if game.identity_weighted:
        if game.n + 3 > game.traits.max_provers:
            return (f"sybil x4 (selection by identity): not measured, 3 more identities would take the game past its "
                    f"{game.traits.max_provers} players")
        active = np.flatnonzero(game.stats(profile).participation > 0)
        op = int(active[np.argmax(game.provers.stake[active])]) if active.size else op
        g = clone_sybil_gain(game, op, 4, profile)
        return (f"sybil x4 (selection by identity): profit {g.profit_before:.3g} -> {g.profit_after:.3g} "
                f"({'pays' if g.profitable else 'does not pay'})")
    if game.traits.priced:
        i = int(np.argmin(np.where(game.stats(profile).participation > 0, profile, np.inf)))
        lo = game.strategy_bounds()[0][i]
        u = undercut(game, i, float(max(lo, 0.9 * profile[i])), periods=10)
        return f"10% cut x10 rounds: {u.gain:+.3g} ({'pays' if u.profitable else 'does not pay'})"
    return "not applicable: " + (game.traits.sybil_reason or TIMING_SYBIL_REASONS.get(game.traits.timing, "no selection by identity or price"))


TIMING_SYBIL_REASONS = {
    "race": "the first valid proof wins; an extra identity is one more entry with its own proving cost, and no price is bid",
    "served": "see the game's own pricing analysis",
    "none": "the players are sequencers or builders bidding their value; extra identities bid the same value",
}


# --- coalitions and the best pair's cartel -------------------------------------------------------
COALITION_LIMIT = 200     # players up to which analyse searches coalitions and cartels (pg.coalition_regret runs anywhere)


@dataclass(frozen=True)
class Coalitions:
    """The best joint deviation of up to k players (k = 2, 3), the best pair's cartel (None: no gain),
    and what the best deviation of up to 3 does to users: (user cost per proof, on-time liveness) at the
    equilibrium and at the deviation."""

    by_size: dict[int, Any]
    cartel: Any = None
    harm: tuple[tuple[float, float], tuple[float, float]] | None = None
    uncertified_start: float | None = None     # the regret of the pure profile searched from, where it is no equilibrium


def _coalitions(game: Any, eq: Any, timing: Timing) -> Coalitions:
    from provergame.solvers.coalition import cartel, coalition_regret
    found = {k: coalition_regret(game, eq.profile, size=k, budget=game.traits.coalition_budget,
                                 best_response=eq.best_response)
             for k in (2, 3) if k <= game.n <= COALITION_LIMIT}
    if 3 in found and found[2].gain > found[3].gain:    # at most 3 includes the pairs
        c2 = found[2]
        found[3] = replace(found[3], gain=c2.gain, members=c2.members, deviation=c2.deviation)
    ring = cartel(game, found[2].members, eq.profile) if 2 in found and found[2].gain > 0 else None
    harm = None
    if found and max(c.gain for c in found.values()) > 0:
        from provergame.solvers.metrics import metrics
        top = found[max(found)]
        before, after = metrics(game, eq.profile, timing.window), metrics(game, top.deviation, timing.window)
        harm = ((before.user_cost, before.liveness), (after.user_cost, after.liveness))
    return Coalitions(found, ring, harm, None if eq.certified or eq.exact else float(eq.regret))


def _search_cell(c: Coalitions) -> str:
    """How the coalition numbers were found: exact, or a labelled lower bound."""
    kinds = sorted({k.search for k in c.by_size.values()})
    text = ", ".join(kinds) if kinds else "n/a"
    if kinds and c.uncertified_start is not None:
        text += (f"; from the least-regret pure profile, not an equilibrium (regret {c.uncertified_start:.3g}: "
                 "its gains include that unilateral gain)")
    return text


def _harm_cell(c: Coalitions) -> str:
    """The best coalition deviation's effect on users: user cost per proof and on-time liveness."""
    if c.harm is None:
        return "none (no joint gain)"
    (cost0, live0), (cost1, live1) = c.harm
    rel = cost1 / cost0 - 1 if cost0 > 0 else float("nan")
    change = (f"{cost0:.4g} -> {cost1:.4g}" if cost0 <= 0 else
              "unchanged (to 1e-9)" if abs(rel) < 1e-9 else f"{rel * 100:+.3g}%")
    return f"user cost {change}, on time {live0:.4g} -> {live1:.4g}"


def _coalition_columns(c: Coalitions, timing: Timing) -> dict[str, Any]:
    delta: Any = "n/a (no joint gain)"
    if c.cartel is not None and np.isfinite(c.cartel.delta_star):
        delta = c.cartel.delta_star
    elif not c.by_size:
        delta = "n/a (fewer than 2 players or above the size limit)"
    return {"cartel gain (k = 2)": c.by_size[2].gain if 2 in c.by_size else float("nan"),
            "cartel gain (k = 3)": c.by_size[3].gain if 3 in c.by_size else float("nan"),
            "cartel search": _search_cell(c), "cartel harm to users": _harm_cell(c),
            "collusion sustainable at delta >=": delta}


def _coalition_section(c: Coalitions, timing: Timing) -> str:
    if not c.by_size:
        return "Not applicable: fewer than 2 players."
    rows = pd.concat([k.to_frame() for k in c.by_size.values()], ignore_index=True)
    start = ("the equilibrium" if c.uncertified_start is None else
             f"the least-regret pure profile (no pure equilibrium: its regret is {c.uncertified_start:.4g}, so each "
             "gain below includes unilateral gains; the mixed equilibrium is not searched for joint deviations)")
    text = (f"Largest joint gain of a coalition of k players deviating together from {start} (total, and "
            "where every member gains), over every coalition and joint candidate profile. 'search': exact where every "
            "coalition and every joint deviation was checked (entry games: payoffs are multilinear in the entry "
            "probabilities, so a pure joint deviation is best); otherwise a lower bound, and why.\n\n"
            + markdown_table(rows) + f"\n\nWhat the best deviation of up to 3 does to users: {_harm_cell(c)}.")
    ring = c.cartel
    if ring is not None:
        text += (f"\n\nCartel of players {list(ring.members)} (the best pair), others at the equilibrium: joint gain "
                 f"{_fmt(ring.gain)} per unit of work; sustainable under grim trigger for delta >= "
                 f"{_fmt(ring.delta_star)} ({ring.method}).\n\n" + markdown_table(ring.to_frame()))
    return text


register_attack(Attack("withhold", "Cost of a withholding attack, after everyone responds", _withhold,
                       _withhold_columns, _withhold_section))
register_attack(Attack("undercut_or_sybil", "Undercutting and sybils", _undercut_or_sybil,
                       lambda line, timing: {"undercut_or_sybil": line}, lambda line, timing: None))
register_attack(Attack("coalitions", "Coalitions and cartels", _coalitions, _coalition_columns, _coalition_section))


# --- sequencer-prover collusion in races: the kickback a pair can share ------------------------------
def _kickback(game: Any, eq: Any, timing: Timing) -> Any:
    from provergame.solvers.kickback import applies, sequencer_kickback
    why = applies(game)
    if why is None and game.n < 2:
        why = "a single prover: nobody to censor"
    return why if why is not None else sequencer_kickback(game, eq.profile, timing.window)


def _kickback_cell(k: Any) -> str:
    if isinstance(k, str):
        return f"not applicable: {k}"
    if k.kickback <= 0:
        return "no pair gains (every prover earns more in the race than alone)"
    who = list(k.partners)
    on, paid = k.on_time_after[who], k.user_cost_after[who]
    names = ", ".join(k.names[p] for p in who) + (" (a tie)" if len(who) > 1 else "")
    return (f"{names} can kick back {k.kickback:.4g} per colluding slot; on time {k.on_time_before:.4g} -> "
            f"{_span(on)}, user cost {k.user_cost_before:.4g} -> {_span(paid)}")


def _span(x: np.ndarray) -> str:
    """One number, or the range a tie spans ("no equilibrium alone" where the prover alone has none)."""
    if np.isnan(x).any():
        return "n/a (no equilibrium alone: the kickback is the supremum)"
    return f"{x.min():.4g}" if np.ptp(x) == 0 else f"{x.min():.4g}-{x.max():.4g}"


def _kickback_section(k: Any, timing: Timing) -> str | None:
    if isinstance(k, str):
        return None
    return (f"A slot's sequencer colluding with one prover includes only that prover's proof ({k.method}). "
            f"Best pair: {_kickback_cell(k)}. Censoring costs the sequencer nothing in the protocol, so any "
            "positive kickback makes the deal; what stops it is outside the model (reputation, a forced-inclusion "
            "rule, or a protocol that elects the prover).\n\n" + markdown_table(k.to_frame()))


register_attack(Attack("kickback", "Sequencer-prover collusion (kickbacks)", _kickback,
                       lambda k, timing: {"sequencer-prover collusion": _kickback_cell(k)}, _kickback_section))
