"""Theorems of on-time liveness, the decision page's first target, over the timing family a game
declares (games.forms): stated at three provers with y_i = e^{-r_i w} (the chance prover i is not
done by the window w), so z3 sees polynomials; each names the instantiated law it uses."""
from __future__ import annotations

from provergame.lazy import sympy as sp

from .engine import Theorem, over

PROVERS = 3


def plain_law(form, n: int = PROVERS):
    """The indexed form at n provers, its entries as plain symbols and e^{-r_k w} as y_k."""
    N, W = sp.Symbol("n", integer=True, positive=True), sp.Symbol("w", positive=True)
    e = form.subs(N, n).doit()
    swap = {atom: sp.Symbol(f"{atom.base}_{int(atom.indices[0])}", positive=True) for atom in e.atoms(sp.Indexed)}
    e = e.xreplace(swap)
    ys = {sp.exp(-sp.Symbol(f"r_{k}", positive=True) * W): sp.Symbol(f"y_{k}", positive=True) for k in range(1, n + 1)}
    return e.xreplace(ys)


def _symbols(name: str, n: int = PROVERS) -> list:
    return [sp.Symbol(f"{name}_{k}", positive=True) for k in range(1, n + 1)]


def race(form) -> list[Theorem]:
    law = plain_law(form)
    q, y = _symbols("q"), _symbols("y")
    t = sp.Symbol("t", positive=True)
    unit = tuple(v <= 1 for v in (*q, *y))
    entry = lambda L: (L >= L.subs(q[-1], 0), unit)                                      # noqa: E731
    window = lambda L: (L.subs({yk: t * yk for yk in y}, simultaneous=True) >= L, (*unit, t <= 1))  # noqa: E731
    return [
        over("race_entrant_never_lowers_on_time_liveness", entry, (law,),
             description="Race: L = 1 - prod_i (1 - q_i (1 - e^{-r_i w})). A third entrant (present with chance "
                         "q_3, from q_3 = 0) never lowers the chance that some valid proof lands by the window."),
        over("race_on_time_liveness_rises_with_the_window", window, (law,),
             description="Race: a longer window (every y_i = e^{-r_i w} scaled by t <= 1) never lowers on-time "
                         "liveness: the monotonicity a window search relies on."),
    ]


def elected(form) -> list[Theorem]:
    law = plain_law(form)
    f, rho, y = _symbols("f"), _symbols("rho"), _symbols("y")
    best = sp.Symbol("rho_max", positive=True)
    t = sp.Symbol("t", positive=True)
    law_hyps = (sp.Eq(sum(f), 1), *(v <= 1 for v in (*rho, *y)))
    cap = lambda L: (L <= best, (*law_hyps, *(r <= best for r in rho)))                  # noqa: E731
    window = lambda L: (L.subs({yk: t * yk for yk in y}, simultaneous=True) >= L, (*law_hyps, t <= 1))  # noqa: E731
    return [
        over("elected_on_time_liveness_capped_by_reliability", cap, (law,),
             description="Protocol-elected: L = sum_i f_i rho_i (1 - e^{-r_i w}) with the first assignee drawn by f "
                         "never exceeds the best assignee's reliability rho_max at any window: without a failover "
                         "inside the window, an elected design cannot reach a liveness target above it."),
        over("elected_on_time_liveness_rises_with_the_window", window, (law,),
             description="Protocol-elected: a longer window (each y_i scaled by t <= 1) never lowers on-time liveness."),
    ]


def served(form) -> list[Theorem]:
    law = plain_law(form)
    u = _symbols("u")
    t, D = sp.Symbol("t", positive=True), sp.Symbol("D", positive=True)
    more = lambda L: (L.subs(u[0], u[0] + t) >= L, ())                                    # noqa: E731
    full = lambda L: (sp.Eq(L, 1), (sum(u) >= D,))                                        # noqa: E731
    return [
        over("served_more_supply_never_lowers_liveness", more, (law,),
             description="Market: the served share min(sum_i u_i, D) / D never falls when a prover offers t more units."),
        over("served_full_once_supply_covers_demand", full, (law,),
             description="Market: once the units offered cover demand D, every unit of work is served on time."),
    ]


def theorems(timing: str, forms: dict) -> list[Theorem]:
    """The liveness theorems of a timing family ("race", "elected", "served"; none for the others), from
    the game's indexed liveness laws (games.forms.forms())."""
    family = {"race": race, "elected": elected, "served": served}
    if str(timing) not in family:
        return []
    return family[str(timing)](forms[f"on_time_liveness_{timing}"])
