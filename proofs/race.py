"""Theorems of the race family, stated over each game's own symbolic face (game.symbolic()) and
proved by proofs.engine; each names the model expressions it uses, so the audit can mutate them."""
from __future__ import annotations

from typing import Any

from provergame.lazy import sympy as sp

from .engine import Theorem, over

R, c, s, a, f = sp.symbols("R c s a f", positive=True)
m, n, U, k, M = sp.symbols("m n U k M", integer=True, positive=True)
r_i, r_S = sp.symbols("r_i r_S", positive=True)


def winner_takes_all(sym: dict[str, Any]) -> list[Theorem]:
    entrants = lambda P: (sp.And(P >= 0, P.subs(m, m + 1) < 0), (m * c <= R, R < (m + 1) * c))  # noqa: E731
    p, p1, p2, t = sp.symbols("p p_1 p_2 t", positive=True)
    mixed = lambda V: (sp.And(*[V.subs({n: k, p: p2}) < V.subs({n: k, p: p1}) for k in (2, 3, 4)]),   # noqa: E731
                       (p1 < p2, p2 <= 1))
    rivals = lambda P: (P.subs(r_S, r_S + t) < P, ())                                    # noqa: E731
    rho_i, c_i = sp.symbols("rho_i c_i", positive=True)
    stall = lambda B, P: (B.subs({rho_i: 1, c_i: c}) >= P, ())                             # noqa: E731
    return [
        over("wta_stall_payment_at_least_the_race_profit", stall, (sym["withhold_bribe"], sym["payoff_entrant"]),
             description="Reliable provers: what the stall bribe pays an entrant, its payoff racing alone R - c, is at "
                         "least its payoff in the race R r_i / (r_i + r_S) - c, whatever the rivals' speed: stalling a "
                         "race costs at least the entrants' total equilibrium profit."),
        Theorem("wta_identical_entrants", *entrants(sym["payoff_identical_m_entrants"]),
                description="Identical provers: m = floor(R/c) entrants is an equilibrium (each entrant's payoff "
                            "R/m - c >= 0; one more would get R/(m+1) - c < 0).",
                uses=(sym["payoff_identical_m_entrants"],), build=entrants),
        over("wta_mixed_entry_value_falls_with_entry", mixed, (sym["entry_value_symmetric_mixed"],),
             description="Symmetric mixed entry, n = 2..4 provers: the value of entering, R (1 - (1 - p)^n) / (n p), "
                         "strictly falls as the others enter more often (p_1 < p_2): entry decisions are strategic "
                         "substitutes, so the mixed equilibrium's entry probability is unique."),
        over("wta_faster_rivals_hurt", rivals, (sym["payoff_entrant"],),
             description="An entrant's payoff R r_i / (r_i + r_S) - c strictly falls when rivals' total speed rises "
                         "by any t > 0 (not only at the margin)."),
        Theorem("wta_own_speed_pays", sp.diff(sym["payoff_entrant"], r_i) > 0,
                description="An entrant's payoff strictly rises with its own speed: the fastest prover takes the "
                            "largest share (the seed's path to one giant prover).",
                uses=(sym["payoff_entrant"],), build=lambda P: (sp.diff(P, r_i) > 0, ())),
    ]


def speed_race(sym: dict[str, Any]) -> list[Theorem]:
    x, y = sp.symbols("x y", positive=True)

    def at_eq(expr, eff):
        return expr.subs({x: eff, y: eff}, simultaneous=True)

    foc = lambda P, E: (sp.Eq((at_eq(sp.diff(P, x), E)), 0), (n >= 2,))  # noqa: E731
    soc = lambda P, E: (at_eq(sp.diff(P, x, 2), E) < 0, (n >= 2,))                  # noqa: E731
    profit = lambda P, E: (sp.Eq((at_eq(P, E)), R / n ** 2), (n >= 2,))  # noqa: E731
    uses = (sym["payoff"], sym["effort"])
    return [
        over("tullock_symmetric_foc", foc, uses,
                description="Symmetric Tullock contest: the solver's x* = R(n-1)/(n^2 c) solves the first-order "
                            "condition of the payoff R x/(x + (n-1) y) - c x."),
        over("tullock_symmetric_soc", soc, uses,
                description="The payoff is strictly concave in own effort at x*: a maximum, not a minimum."),
        over("tullock_symmetric_profit", profit, uses,
                description="Equilibrium profit of each of n identical provers is R/n^2 (individual rationality)."),
    ]


def uncle_rewards(sym: dict[str, Any]) -> list[Theorem]:
    UC = sym["user_cost_identical"]
    dearer = lambda UC_: (UC_.subs(m, m + 1) >= UC_, ())                            # noqa: E731
    falls = lambda V: (V.subs(m, m + 1) < V, (s < 1, m + 1 <= U))                   # noqa: E731
    t = sp.Symbol("t", positive=True)
    share = lambda V: (V.subs(s, s + t) > V, (m >= 2, m <= U + 1, s + t <= 1))      # noqa: E731
    return [
        over("uncles_user_cost_rises_with_entrants", dearer, (UC,),
             description="What users pay per proof, R (1 + s min(U, m - 1)), never falls as more provers enter: "
                         "the decentralisation uncles buy is paid by users."),
        over("uncles_entry_payoff_falls_with_entrants", falls, (sym["payoff_identical_m_entrants"],),
             description="Identical provers, m <= U entrants (every loser an uncle): an entrant's payoff "
                         "R (1 + s (m - 1)) / m - c falls as one more enters exactly because the uncle share s < 1, "
                         "so entry stops at one cutoff (the identical-prover entry equilibrium); at s = 1 it is flat "
                         "and every prover up to U + 1 enters."),
        over("uncles_share_raises_the_entry_payoff", share, (sym["payoff_identical_m_entrants"],),
             description="With m >= 2 identical entrants (m - 1 <= U uncles paid), a larger uncle share s raises each "
                         "entrant's payoff R (1 + s (m - 1)) / m - c, so the entry cutoff can only rise: the uncle "
                         "share buys entry (and, by uncles_user_cost_rises_with_entrants, users pay for it)."),
    ]


def minimum_proving_time(sym: dict[str, Any]) -> list[Theorem]:
    y1, y2, A, B = sp.symbols("y_1 y_2 A B", nonnegative=True)
    y = sp.Symbol("y", positive=True)
    V = sym["value_two_provers_exponential"].subs({sp.Symbol("d", positive=True): 2 * (1 - A),
                                                   sp.Symbol("P_first_after_tmin", positive=True): B})
    w1, w2 = sp.symbols("y_1 y_2", positive=True)
    edge = lambda P: (sp.And(P - sp.Rational(1, 2) <= sp.Max(w1, w2), sp.Rational(1, 2) - P <= sp.Max(w1, w2)),  # noqa: E731
                      (w1 <= 1, w2 <= 1))
    gain = lambda V_: (V_.subs(y, y2) - V_.subs(y, y1) <= R * (y1 - y2), (y2 < y1, y1 <= 1, A <= 1, B <= 1))  # noqa: E731
    bounded = lambda V_: (sp.And(V_ >= 0, V_ <= R), (y <= 1, A <= 1, B <= 1))  # noqa: E731
    return [
        over("mpt_speed_gain_bounded", gain, (V,),
                description="Exponential times, y = P(not done by t_min) = e^{-r t_min}: a faster prover gains at "
                            "most R (y_1 - y_2), which vanishes as every prover surely reaches t_min."),
        over("mpt_value_within_reward", bounded, (V,),
                description="A prover's expected reward R((1 - y) A + y B) lies in [0, R]."),
        over("mpt_speed_edge_vanishes_with_tmin", edge, (sym["win_chance_two_exponential"],),
             description="Two provers, Exp(r_1) and Exp(r_2) proving times, proofs counted from t_min, ties at "
                         "t_min split evenly: the faster prover's win chance exceeds an even split by at most "
                         "max(y_1, y_2), y_k = e^{-r_k t_min} -> 0: a long enough t_min makes speed worthless."),
    ]


def sequencer_chosen(sym: dict[str, Any]) -> list[Theorem]:
    pay_all, pay_first = sym["value_pay_all_two_identical"], sym["value_pay_first_two_identical"]
    loss = lambda A, F: (sp.And(sp.Eq(sp.expand(A - F), f * a ** 2 / 2), A - F > 0), (a <= 1,))  # noqa: E731
    dilutes = lambda V: (sp.And(*[V.subs(k, j + 1) < V.subs(k, j) for j in (1, 2, 3)]), (a < 1,))  # noqa: E731
    return [
        over("bounty_second_prover_loss", loss, (pay_all, pay_first),
                description="Two identical asked provers, each on time with probability a: paying only the first "
                            "costs each prover f a^2 / 2 against paying all (the seed's point 2)."),
        over("bounty_pay_first_value_falls_with_more_asked", dilutes, (sym["value_pay_first_k_identical"],),
             description="Pay-first, k identical asked provers each on time with chance a < 1: each one's expected "
                         "pay f (1 - (1 - a)^k) / k strictly falls from k = 1 to 4: asking redundant provers for "
                         "liveness dilutes what each earns, so fewer accept (the seed's redundancy cost)."),
    ]
