"""The shared indexed forms (games.forms) instantiated at a game's own numbers, beside the numeric
face they must equal: on-time liveness at the equilibrium, the stall bribe and the payoff of proving
alone. The conformance suite checks every (form, numeric) pair to 1e-9."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from provergame.errors import InvalidParameter
from provergame.games import protocols
from provergame.games.base import Game
from provergame.games.traits import TimingFamily
from provergame.games.forms import (elected_on_time_form, failover_on_time_form, instantiate, race_on_time_form,
                                   served_form, stall_bribe_form)
from provergame.games.rules import failover_slots


def form_checks(game: Game, window: float = 1.0) -> list[tuple[str, Any, dict[str, float], float]]:
    """(name, form, values, numeric) for the game's on-time liveness at its equilibrium and its stall
    bribe, against the numeric face (`on_time`, `bribe_threshold`)."""
    from provergame.solvers.bribe import bribe_threshold, solo_payoffs
    out: list[tuple[str, Any, dict[str, float], float]] = []
    try:
        profile = game.equilibrium()[0]
    except InvalidParameter:         # a game nobody would take part in (e.g. an empty stake pool)
        return out
    timing = game.traits.timing
    if timing is TimingFamily.RACE and isinstance(game, protocols.RaceLaw):
        presence, rate, start, cap = game.race_law(profile)
        w = min(window, cap)
        if w >= start:
            expr, values = instantiate(race_on_time_form(), game.n, {"q": presence, "r": rate}, {"w": w})
            out.append(("on_time_liveness_race", expr, values, float(game.on_time(profile, window))))
    elif timing is TimingFamily.ELECTED and isinstance(game, protocols.FailoverTurns) and game.failover != "none":
        out.extend(failover_check(game, window))
    elif timing is TimingFamily.ELECTED and isinstance(game, protocols.FirstAssignment):
        p = game.provers
        expr, values = instantiate(elected_on_time_form(), game.n,
                                   {"f": game.first_assignment(profile), "rho": p.reliability, "r": p.rate}, {"w": window})
        out.append(("on_time_liveness_elected", expr, values, float(game.on_time(profile, window))))
    elif timing is TimingFamily.SERVED and isinstance(game, protocols.ServedUnits):
        expr, values = instantiate(served_form(), game.n, {"u": game.units(profile)}, {"D": game.demand})
        out.append(("on_time_liveness_served", expr, values, float(game.on_time(profile, window))))
    if game.traits.proving:
        b = bribe_threshold(game, "withhold", 0.0, profile=profile, window=window)
        solo = solo_payoffs(game)
        i = int(np.argmax(solo))
        form = game.solo_form(i) if isinstance(game, protocols.SoloForm) and solo[i] > 0 else None
        if form is not None:
            out.append(("solo_payoff", form[0], {k: float(v) for k, v in form[1].items()}, float(solo[i])))
        if b.method.startswith("exact"):
            expr, values = instantiate(stall_bribe_form(), game.n, {"b": solo_payoffs(game)})
            out.append(("stall_bribe", expr, values, b.total))
    return out


def failover_check(game: Any, window: float) -> list[tuple[str, Any, dict[str, float], float]]:
    """The failover law's closed form (identical provers, more registered than turns) against the game's
    numeric on-time liveness, on the game made homogeneous: every prover as its first one, all registered
    with equal stake."""
    k, _ = failover_slots(window, game.failover_deadline)
    if k >= game.n:
        return []
    p = game.provers
    same = p.replace(cost=np.full(game.n, p.cost[0]), rate=np.full(game.n, p.rate[0]),
                     reliability=np.full(game.n, p.reliability[0]), stake=np.full(game.n, p.stake.max()))
    twin = replace(game, provers=same)
    everyone = twin.strategy_bounds()[1]              # all registered (entry), or equal stakes (a stake contest)
    if not np.all(everyone > 0):
        return []
    values = {"rho": float(p.reliability[0]), "r": float(p.rate[0]), "d": game.failover_deadline, "w": window, "K": k}
    return [("on_time_liveness_failover", failover_on_time_form(), values, float(twin.on_time(everyone, window)))]
