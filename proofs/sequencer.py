"""Theorems of the sequencer side."""
from __future__ import annotations

from provergame.lazy import sympy as sp

from .engine import Theorem, definite_integral, over

a, m, F, g, v = sp.symbols("a m F gamma v", positive=True)
K = sp.Symbol("K", integer=True, positive=True)


def fee_sharing(sym: dict) -> list[Theorem]:
    lin, foc, payoff = sym["share_linear"], sym["foc_linear"], sym["payoff_linear"]
    b = sp.Symbol("b", positive=True)
    closed = lambda L: (sp.Eq((foc.subs(a, L) * (1 + g * L)), 0), (K >= 2,))      # noqa: E731
    corner = lambda L: (L >= 1, (K >= 2, m >= K * F * (1 + g) / ((K - 1) * g)))           # noqa: E731
    rises = lambda L: (sp.diff(L, m) > 0, (K >= 2,))                                     # noqa: E731
    concave = lambda P: (sp.diff(P, a, 2).subs(b, a) < 0, (K >= 2, a <= 1))               # noqa: E731
    return [
        over("fee_share_linear_closed_form", closed, (lin,),
                description="Linear score w = 1 + gamma a: a* = [(K-1) gamma (m + F) - K F] / [gamma F (2K - 1)] "
                            "solves the symmetric first-order condition (K-1) w'/w (m + (1-a) F) = K F."),
        over("fee_share_reaches_one", corner, (lin,),
                description="Once MEV exceeds K F (1 + gamma) / ((K - 1) gamma) the equilibrium share is the corner "
                            "a = 1: sequencers pass every fee to provers (the seed's expectation as MEV grows)."),
        over("fee_share_rises_with_mev", rises, (lin,),
                description="The interior share strictly rises with MEV."),
        over("fee_share_second_order", concave, (payoff,),
                description="The payoff is concave in the own share at a symmetric profile: the first-order "
                            "condition is a maximum."),
    ]


def scroll_auction(sym: dict) -> list[Theorem]:
    x = sp.Symbol("x", positive=True)
    bid = sym["bid_uniform"]
    # best response of a bidder with value v against K-1 rivals bidding (K-1)/K V: P(win with x) = (x K/(K-1))^(K-1)
    pay = (v - x) * (x * K / (K - 1)) ** (K - 1)
    foc = lambda B: (sp.Eq((sp.diff(pay, x).subs(x, B) / (v ** (K - 2))), 0), ())   # noqa: E731
    revenue = lambda B: (sp.And(*[sp.Eq(definite_integral((B * K * v ** (K - 1)).subs(K, n), v, 0, 1),
                                        definite_integral(v * n * (n - 1) * v ** (n - 2) * (1 - v), v, 0, 1),
                                        evaluate=False)                # the engine, not construction, compares
                                  for n in range(2, 7)], evaluate=False), ())                   # noqa: E731
    return [
        over("first_price_uniform_bid", foc, (bid,),
                description="Uniform values on [0, 1]: the bid (K-1)/K v satisfies the first-order condition of the "
                            "best response."),
        over("revenue_equivalence_uniform", revenue, (bid,), description=
                "Uniform values: E[winning first-price bid] = E[second-highest value] = (K-1)/(K+1)."),
    ]


def b52(sym: dict) -> list[Theorem]:
    r = sp.Symbol("r", positive=True)
    c = sp.Symbol("c", positive=True)
    objective = sym["builder_objective"]       # what the builder keeps per landed block with c provers
    ratio = lambda O: (O / O.subs(c, c + 1) < 1, ())                          # noqa: E731
    threshold = sym["reliability_to_add_a_prover"]
    above = lambda O: (O.subs(c, c + 1) * r > O, (r > threshold,))            # noqa: E731
    below = lambda O: (O.subs(c, c + 1) * r < O, (r < threshold,))            # noqa: E731
    return [
        over("b52_one_more_prover_pays_above", above, (objective,),
                description="The builder's objective (m - x + beta c) prod r rises with one more prover of "
                            "reliability r exactly when r > (V + beta c) / (V + beta (c + 1)) ..."),
        over("b52_adding_needs_imperfect_reliability_only_below_one", ratio, (objective,), description="The reliability a new prover needs, (V + beta c) / (V + beta (c + 1)), "
                "is below one: with a unique-prover bonus a perfectly reliable prover is always worth adding."),
        over("b52_one_more_prover_costs_below", below, (objective,),
                description="... and falls below that ratio: the builder trades unique provers against reliability."),
    ]
