"""Theorems of the race family, stated in sympy and proved by proofs.engine."""
from __future__ import annotations

import sympy as sp

from provergame.solvers.contest import symbolic_tullock

from .engine import Theorem

R, c, s, a, f = sp.symbols("R c s a f", positive=True)
m, n, U, k, M = sp.symbols("m n U k M", integer=True, positive=True)


def winner_takes_all() -> list[Theorem]:
    r_i, r_S, r1, r2, r3 = sp.symbols("r_i r_S r_1 r_2 r_3", positive=True)
    return [
        Theorem("wta_identical_entrants",
                sp.And(R / m - c >= 0, R / (m + 1) - c < 0), (m * c <= R, R < (m + 1) * c),
                "Identical provers: exactly m = floor(R/c) entrants is an equilibrium (entrants profit, "
                "one more would lose)."),
        Theorem("wta_shares_sum_to_one",
                sp.Eq(r1 / (r1 + r2 + r3) + r2 / (r1 + r2 + r3) + r3 / (r1 + r2 + r3), 1), (),
                "Win probabilities rate_i / sum rate of the exponential race sum to one (budget balance)."),
        Theorem("wta_faster_rivals_hurt",
                sp.diff(R * r_i / (r_i + r_S), r_S) < 0, (),
                "An entrant's expected reward strictly falls as rivals' total speed rises (entry is a "
                "game of strategic substitutes)."),
        Theorem("wta_one_takes_all_concentration",
                sp.And(R * r_i / (r_i + r_S) <= R, R * r_i / (r_i + r_S) >= R * r_i / (r_i + r_S + 1)), (),
                "A prover's share rises with its own relative speed: the fastest prover takes the "
                "largest share (the seed's path to one giant prover)."),
    ]


def speed_race() -> list[Theorem]:
    sym = symbolic_tullock()
    x, y = sp.symbols("x y", positive=True)
    pay, eff = sym["payoff"], sym["effort"]
    foc = sp.diff(pay, x).subs({x: eff, y: eff})
    soc = sp.diff(pay, x, 2).subs({x: eff, y: eff})
    c1, c2 = sp.symbols("c_1 c_2", positive=True)
    X = R / (c1 + c2)
    x1, x2 = X * (1 - c1 / (c1 + c2)), X * (1 - c2 / (c1 + c2))
    return [
        Theorem("tullock_symmetric_foc", sp.Eq(sp.simplify(foc), 0), (),
                "Symmetric Tullock contest: x* = R(n-1)/(n^2 c) solves the first-order condition."),
        Theorem("tullock_symmetric_soc", soc < 0, (n >= 2,),
                "The payoff is strictly concave in own effort at x*: a maximum."),
        Theorem("tullock_symmetric_profit", sp.Eq(sym["profit"], R / n ** 2), (),
                "Equilibrium profit of each of n identical provers is R/n^2."),
        Theorem("tullock_rent_dissipation", sp.Eq(sym["dissipation"], (n - 1) / n), (),
                "Total spending dissipates the fraction (n-1)/n of the reward."),
        Theorem("tullock_two_player_foc",
                sp.Eq(sp.simplify(sp.diff(R * x / (x + x2) - c1 * x, x).subs(x, x1)), 0), (),
                "Two heterogeneous provers: the active-set closed form is a best response for the cheaper one."),
    ]


def uncle_rewards() -> list[Theorem]:
    share = R * (1 + s * sp.Min(U, m - 1)) / m
    return [
        Theorem("uncles_raise_entry", share - c >= 0, (R / m - c >= 0, s <= 1),
                "Identical provers: every number of entrants viable without uncle rewards stays viable "
                "with them, so entry (and so decentralisation: HHI = 1/m) weakly rises."),
        Theorem("uncles_raise_cost_per_proof", R * (1 + s * sp.Min(U, m - 1)) >= R, (),
                "Uncle rewards raise what users pay per accepted proof: R(1 + s min(U, m-1)) >= R."),
        Theorem("uncles_budget", R * (1 + s * sp.Min(U, m - 1)) <= R * (1 + s * U), (s <= 1,),
                "The payout per proof is bounded by R(1 + s U)."),
        Theorem("uncles_hhi_falls_with_entry", 1 / (m + k) <= 1 / m, (),
                "With identical provers more entrants mean a lower HHI (1/m)."),
    ]


def minimum_proving_time() -> list[Theorem]:
    y1, y2, A, B, E = sp.symbols("y_1 y_2 A B E", nonnegative=True)
    r = sp.Symbol("r", positive=True)
    value = lambda y: R * ((1 - y) * A + y * B)
    return [
        Theorem("mpt_speed_beyond_tmin_worthless_deterministic", sp.Eq(sp.diff(R * E, r), 0), (),
                "Deterministic proving time 1/r <= t_min: the expected reward R E[1/(1+K)] does not "
                "depend on r, so speed beyond t_min is worth exactly nothing."),
        Theorem("mpt_speed_gain_bounded",
                value(y2) - value(y1) <= R * (y1 - y2),
                (y2 < y1, y1 <= 1, A <= 1, B <= 1),
                "Exponential times, y = P(not done by t_min) = e^{-r t_min}: a faster prover gains at most "
                "R (y_1 - y_2), which vanishes as the prover surely reaches t_min."),
    ]


def sequencer_chosen() -> list[Theorem]:
    return [
        Theorem("bounty_second_prover_loss",
                sp.And(sp.Eq(f * a - f * (1 - (1 - a) ** 2) / 2, f * a ** 2 / 2), f * a ** 2 / 2 > 0),
                (a <= 1,),
                "Two identical asked provers, each on time with probability a: paying only the first "
                "costs each prover f a^2 / 2 against paying all (the seed's point 2)."),
        Theorem("bounty_bond_deters_default", f * M <= sp.Symbol("bond", positive=True),
                (M <= k, sp.Symbol("bond", positive=True) >= f * k),
                "Out-of-protocol payment: a bond of f k (k asked provers, pay all) covers any amount owed, "
                "so paying is the sequencer's best response."),
    ]
