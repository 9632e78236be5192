"""The shared indexed forms (games.forms) instantiated at a game's own numbers, beside the numeric
face they must equal: on-time liveness at the equilibrium, the stall bribe and the payoff of proving
alone. The conformance suite checks every (form, numeric) pair to 1e-9."""
from __future__ import annotations

from typing import Any

import numpy as np

from provergame.errors import InvalidParameter
from provergame.games.base import Game
from provergame.games.forms import (elected_on_time_form, instantiate, race_on_time_form, served_form,
                                   stall_bribe_form)


def form_checks(game: Game, window: float = 1.0) -> list[tuple[str, Any, dict[str, float], float]]:
    """(name, form, values, numeric) for the game's on-time liveness at its equilibrium and its stall
    bribe, against the numeric face (`on_time`, `bribe_threshold`)."""
    from provergame.solvers.bribe import bribe_threshold, solo_payoffs
    out: list[tuple[str, Any, dict[str, float], float]] = []
    try:
        profile = game.equilibrium()[0]
    except InvalidParameter:         # a game nobody would take part in (e.g. an empty stake pool)
        return out
    law = getattr(game, "race_law", None)
    first = getattr(game, "first_assignment", None)
    if game.timing == "race" and law is not None:
        presence, rate, start, cap = law(profile)
        w = min(window, cap)
        if w >= start:
            expr, values = instantiate(race_on_time_form(), game.n, {"q": presence, "r": rate}, {"w": w})
            out.append(("on_time_liveness_race", expr, values, float(game.on_time(profile, window))))
    elif game.timing == "elected" and first is not None:
        p = game.provers
        expr, values = instantiate(elected_on_time_form(), game.n,
                                   {"f": first(profile), "rho": p.reliability, "r": p.rate}, {"w": window})
        out.append(("on_time_liveness_elected", expr, values, float(game.on_time(profile, window))))
    elif game.timing == "served" and hasattr(game, "units") and hasattr(game, "demand"):
        expr, values = instantiate(served_form(), game.n, {"u": game.units(profile)}, {"D": game.demand})
        out.append(("on_time_liveness_served", expr, values, float(game.on_time(profile, window))))
    if game.proving:
        b = bribe_threshold(game, "withhold", 0.0, profile=profile, window=window)
        solo = solo_payoffs(game)
        i = int(np.argmax(solo))
        own = getattr(game, "solo_form", None)
        form = own(i) if own is not None and solo[i] > 0 else None
        if form is not None:
            out.append(("solo_payoff", form[0], {k: float(v) for k, v in form[1].items()}, float(solo[i])))
        if b.method.startswith("exact"):
            expr, values = instantiate(stall_bribe_form(), game.n, {"b": solo_payoffs(game)})
            out.append(("stall_bribe", expr, values, b.total))
    return out
