"""Template: adding an attack to provergame is this one module and its registration.

Copy this file, rename the attack, write how it is computed and shown. Once it is imported, every
`pg.analyse` runs it, each mechanism page shows its section, the comparison table its columns, and
(optionally) the decision page ranks the mechanisms by one of its numbers: no report code changes.
Inside provergame, put the module beside provergame/attacks.py and import it at the end of that
file (tests/test_template.py runs a whole report with this template registered).

The attack here is the one a designer asks next to the stall: the cheapest bribe that halves on-time
proving (the residual equilibrium of the provers not bribed has on-time liveness at most 1/2),
computed by `bribe_threshold` against the residual game as everywhere else.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from provergame.attacks import Attack, register_attack
from provergame.decision import Candidate, Goal, Tables, register_goal
from provergame.solvers.bribe import bribe_threshold
from provergame.timing import Timing


def halve(game: Any, eq: Any, timing: Timing) -> Any:
    """1. The attack at the game's certified equilibrium (None where it does not apply)."""
    if not game.traits.proving:
        return None
    return bribe_threshold(game, "withhold", max_liveness=0.5, profile=eq.profile, window=timing.window)


def halve_columns(b: Any, timing: Timing) -> dict[str, Any]:
    """2. Its cells in the comparison table (the decision goal below ranks on one of them)."""
    return {"halve bribe per unit": b.total}


def halve_section(b: Any, timing: Timing) -> str:
    """3. Its section on each mechanism page."""
    if not np.isfinite(b.total):
        return f"Not applicable: {b.method}."
    return (f"Cheapest bribe after which the residual equilibrium proves on time at most half the time "
            f"(on-time liveness {b.liveness_after:.4g} within {timing.window:g}): **{b.total:.4g} per unit of work**, "
            f"paid to {int(b.coalition.sum())} of {len(b.names)} provers. Method: {b.method}.")


register_attack(Attack("halve", "Cost of halving on-time proving", halve, halve_columns, halve_section))


# 4. Optionally, a decision goal ranking the mechanisms by the attack's number.
def _halve_candidates(t: Tables) -> list[Candidate]:
    return [Candidate(label, {}, float(v)) for label, v in zip(t.summary["label"], t.summary["halve bribe per unit"])]


def _halve_score(game: Any, eq: Any, m: Any, timing: Timing, targets: dict) -> float:
    b = halve(game, eq, timing)
    return float("nan") if b is None else float(b.total)


register_goal(Goal("halve", "Hardest to halve", "bribe per unit of work", False, _halve_candidates,
                   "{page}#cost-of-halving-on-time-proving", "no mechanism has a finite halving bribe", _halve_score))
