"""Theorems of the market family."""
from __future__ import annotations

from provergame.lazy import sympy as sp

from .engine import Theorem, break_even_theorems, over

c1, c2, c3, b, r = sp.symbols("c_1 c_2 c_3 b r", positive=True)


def snarketplace(sym: dict) -> list[Theorem]:
    bribe = sym["withhold_bribe"]
    q, r = sp.symbols("q r", positive=True)
    reserve_raises = lambda B: (B.subs(r, r + t) > B, ())                # noqa: E731
    t = sp.Symbol("t", positive=True)
    return [
        over("snarketplace_reserve_raises_the_withholding_bribe", reserve_raises, (bribe,), description="The bribe to withhold, (r - c) q, is what a prover would earn "
                "selling alone at the reserve r: a higher reserve makes stalling dearer."),
    ]


def predation(sym: dict) -> list[Theorem]:
    pp, pc, pm = sp.symbols("pi_p pi_c pi_m", positive=True)
    x, y = sp.symbols("x y", positive=True)             # x = delta^P, y = delta^E in (0, 1)
    gain, threshold_y = sym["gain_in_discounts"], sym["threshold_discount"]
    r1, r2 = sp.symbols("r_1 r_2", positive=True)
    even = lambda G: (sp.Eq((G.subs(y, threshold_y)), 0), (x < 1,))       # noqa: E731
    return [
        Theorem("predation_unprofitable_below_threshold",
                gain < 0,
                (x < 1, y < 1, pp < pc, pc < pm, y > threshold_y), uses=(gain,), description=
                "With delta^E above the closed-form threshold (entrants return fast: low barriers), the "
                "discounted gain of predation (times 1 - delta) is negative: predation does not pay."),
        Theorem("predation_profitable_above_threshold",
                gain > 0,
                (x < 1, y < 1, pp < pc, pc < pm, y < threshold_y), uses=(gain,), description=
                "When entrants take longer than the threshold (delta^E below it: high barriers), predation pays."),
        over("predation_breaks_even_at_the_threshold", even, (gain,),
                description="At the closed-form threshold delta^E the discounted gain of predation is exactly zero: "
                            "the threshold and the gain are one model."),
    ]


def nil_market(sym: dict) -> list[Theorem]:
    rho1, rho2 = sp.symbols("rho_1 rho_2", positive=True)
    c, rho, p = sp.symbols("c rho p", positive=True)
    return break_even_theorems(
        ("nil_matched_above_break_even_profits", "nil_below_break_even_loses"),
        sym["break_even_price"], lambda price: rho * price - c, p, rho,
        ("Matched at or above c / rho, a proposal earns a non-negative expected margin.",
         "Below c / rho it loses money: no prover undercuts its own floor at equilibrium.")) + [
    ]
