"""Units of work whose prover is assigned by the slot's sequencer and cannot decline.

aztec-gddt's commitment phase (`p_commit_bond` with the proving market): for each L2 block the
sequencer picks a prover uniformly among those whose balance covers the commitment bond; the prover
posts the bond and either submits its proof (paying its compute and the submission's L1 gas) or
submits nothing and forfeits the bond. Blocks are sequential, so a prover whose forfeits take its
balance below the bond is no longer picked for the rest of the epoch. The sampling is vectorised:
all remaining units are drawn from the current eligible set at once, cut at the first unit where a
reneging prover runs out of bonds, and redrawn from there (at most one round per prover).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AssignedUnits:
    """Per prover: commitments taken (bonds posted), proofs submitted, valid ones, on-time ones, bonds
    forfeited (reneged or late) and proofs abandoned at the proof deadline (compute spent, no submission);
    `unassigned` units found nobody holding the bond."""

    commitments: np.ndarray
    submitted: np.ndarray
    valid: np.ndarray
    on_time: np.ndarray
    forfeited: np.ndarray
    unassigned: int
    late: np.ndarray


def assign_units(rng: np.random.Generator, units: int, balance: np.ndarray, bond: float, delivers: np.ndarray,
                 reliability: np.ndarray, rate: np.ndarray, window: float,
                 deadline: float = float("inf")) -> AssignedUnits:
    """Play `units` sequential assignments among provers with `balance` (each >= `bond` is eligible).

    `delivers[i]` says whether prover i works when assigned (its delivery rule); its proof is valid with
    probability reliability_i and ready after an Exp(rate_i) proving time (on time within `window`). A
    proof not ready by the proof phase's `deadline` is abandoned: its compute is spent, nothing is
    submitted and the bond is forfeited.
    """
    n = len(balance)
    cap = int(units) + 1          # bonds beyond the units to assign never bind (and a tiny bond would overflow int64)
    with np.errstate(over="ignore"):                         # balance / a tiny bond: inf, capped just below
        bonds_left = np.minimum(np.floor(balance / bond), cap).astype(np.int64) if bond > 0 else np.full(n, cap)
    reneges = ~np.asarray(delivers, dtype=bool)
    taken = np.zeros(n, dtype=np.int64)
    chosen: list[np.ndarray] = []
    left = int(units)
    while left > 0:
        eligible = np.flatnonzero(bonds_left - taken * reneges > 0)
        if not len(eligible):
            break
        draw = eligible[rng.integers(len(eligible), size=left)]
        cut = _first_exhaustion(draw, reneges, bonds_left - taken)
        draw = draw[:cut]
        chosen.append(draw)
        taken += np.bincount(draw, minlength=n)
        left -= len(draw)
    assignee = np.concatenate(chosen) if chosen else np.zeros(0, dtype=np.int64)
    works = ~reneges[assignee]
    valid = works & (rng.random(len(assignee)) < reliability[assignee])
    landed = rng.standard_exponential(len(assignee)) / rate[assignee]
    late = works & (landed > deadline)
    submits, valid = works & ~late, valid & ~late
    count = lambda mask: np.bincount(assignee[mask], minlength=n)   # noqa: E731 - per-prover tallies
    return AssignedUnits(commitments=taken, submitted=count(submits), valid=count(valid),
                         on_time=count(valid & (landed <= window)), forfeited=count(~submits), unassigned=left,
                         late=count(late))


def _first_exhaustion(draw: np.ndarray, reneges: np.ndarray, bonds_left: np.ndarray) -> int:
    """How many of `draw` can be played before a reneging prover is picked with no bond left (all of
    them when no reneger runs out): each pick's rank among its prover's picks, against its bonds left."""
    order = np.argsort(draw, kind="stable")
    ordered = draw[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    rank = np.empty(len(draw), dtype=np.int64)
    rank[order] = np.arange(len(draw)) - np.repeat(starts, np.diff(np.r_[starts, len(draw)]))
    short = reneges[draw] & (rank >= bonds_left[draw])
    return int(np.argmax(short)) if short.any() else len(draw)


def assign_delivering(pick: np.ndarray, valid: np.ndarray, ready: np.ndarray, units: np.ndarray,
                      reliability: np.ndarray, rate: np.ndarray, window: float,
                      deadline: float = float("inf")) -> AssignedUnits:
    """`assign_units` where every eligible prover delivers, for several epochs at once from per-unit uniform
    draws (a row per epoch, its first `units` columns the epoch's units): no bond runs out (only a reneging
    prover's forfeits end its turn), so each unit's prover is uniform among the n eligible, independently;
    its proof is valid iff the `valid` draw is below its reliability, and ready after -ln(1 - u) / rate
    (Exp(rate), u the `ready` draw). Per epoch and prover, (epochs, n) tallies; `unassigned` is 0."""
    n = len(reliability)
    live = np.arange(pick.shape[1]) < np.asarray(units)[:, None]
    who = np.minimum((pick * n).astype(np.intp), n - 1)
    landed = -np.log1p(-ready) / rate[who]
    late = live & (landed > deadline)
    ok = live & ~late & (valid < reliability[who])
    cell = who + n * np.arange(len(who))[:, None]
    count = lambda mask: np.bincount(cell[mask], minlength=len(who) * n).reshape(len(who), n)  # noqa: E731
    late_n = count(late)
    return AssignedUnits(commitments=count(live), submitted=count(live & ~late), valid=count(ok),
                         on_time=count(ok & (landed <= window)), forfeited=late_n, unassigned=0, late=late_n)
