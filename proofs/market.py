"""Theorems of the market family."""
from __future__ import annotations

import sympy as sp

from .engine import Theorem

c1, c2, c3, b, r = sp.symbols("c_1 c_2 c_3 b r", positive=True)


def snarketplace() -> list[Theorem]:
    return [
        Theorem("bertrand_price_is_second_lowest_cost",
                sp.And(c2 - c1 >= 0, b - c2 < 0, sp.Min(c2, r) <= r),
                (c1 <= c2, c2 <= c3, b < c2),
                "Unit demand, costs c_1 <= c_2 <= c_3: the cheapest prover wins at price c_2 (it profits "
                "c_2 - c_1 >= 0), and a rival can only win by bidding b < c_2 <= its own cost; the price never "
                "exceeds the reserve."),
        Theorem("price_never_above_reserve", sp.Min(c2, r) <= r, (),
                "The clearing price is min(first excluded cost, reserve price) <= reserve."),
    ]


def predation() -> list[Theorem]:
    pp, pc, pm, d = sp.symbols("pi_p pi_c pi_m delta", positive=True)
    P, E = sp.symbols("P E", positive=True)
    x, y = sp.symbols("x y", positive=True)             # x = delta^P, y = delta^E in (0, 1)
    gain = (pp - pc) * (1 - x) + (pm - pc) * x * (1 - y)
    threshold_y = 1 - (pc - pp) * (1 - x) / (x * (pm - pc))
    r1, r2 = sp.symbols("r_1 r_2", positive=True)
    return [
        Theorem("predation_unprofitable_below_threshold",
                gain < 0,
                (x < 1, y < 1, pp < pc, pc < pm, y > threshold_y),
                "With delta^E above the closed-form threshold (entrants return fast: low barriers), the "
                "discounted gain of predation (times 1 - delta) is negative: predation does not pay."),
        Theorem("predation_profitable_above_threshold",
                gain > 0,
                (x < 1, y < 1, pp < pc, pc < pm, y < threshold_y),
                "When entrants take longer than the threshold (delta^E below it: high barriers), predation pays."),
        Theorem("lower_reserve_never_raises_recoupment",
                (r1 - c1) * x * (1 - y) <= (r2 - c1) * x * (1 - y),
                (r1 <= r2, c1 <= r1, x <= 1, y <= 1),
                "Monopoly recoupment (reserve - cost) x delta^P (1 - delta^E) / (1 - delta) rises with the "
                "reserve price: a lower reserve never raises it."),
    ]


def nil_market() -> list[Theorem]:
    rho1, rho2 = sp.symbols("rho_1 rho_2", positive=True)
    return [
        Theorem("rating_scales_effective_price",
                sp.Implies(b / rho1 < c2 / rho2, b * rho2 < c2 * rho1), (),
                "A higher rating lowers a proposal's effective price b / rating: a rated prover wins while "
                "charging proportionally more."),
    ]
