"""Theorems of the deployed designs: Aztec's booster, Sidecar, epoch quotes, Taiko's ProverPool,
reverse and reverse-Dutch auctions, the lottery rule and Fernet's multiplicative score."""
from __future__ import annotations

from provergame.lazy import sympy as sp

from .engine import Theorem, break_even_theorems, definite_integral, over
from .liveness import plain_law
from .vrf import identity_sybils

x, h, k, a, m = sp.symbols("x h k a m", positive=True)


def aztec_booster(sym: dict) -> list[Theorem]:
    share = sym["shares_above_floor"]
    rises = lambda S: (sp.diff(S, x) >= 0, (x <= h,))                            # noqa: E731
    R, s1, s2, s3 = sp.symbols("R s_1 s_2 s_3", positive=True)
    split = lambda P: (sp.Eq(sum(P.subs({sp.Symbol("s_i"): si, sp.Symbol("S"): s1 + s2 + s3}) for si in (s1, s2, s3)),
                             sp.Symbol("R", positive=True)), ())          # noqa: E731
    pro_rata = sym["pro_rata"]
    return [
        over("booster_pro_rata_pays_the_epoch_reward", split, (pro_rata,),
                description="Pro-rata split R s_i / S over the valid submitters pays out exactly the epoch's rewards."),
        over("booster_shares_rise_with_score", rises, (share,),
                description="Below max_score, k - a (h - x)^2 / 1e10 is non-decreasing in the score x."),
    ]


def sidecar(sym: dict) -> list[Theorem]:
    """The offer's break-even tip, the concentration and liveness a uniform pick gives, and its sybil
    incentive. Claims about the withholding bribe alone (tip + s R - c + D + S, linear in every
    parameter) are identities of how it is written, which the audit rejects, so none is shipped."""
    tip, rho, tau = sp.symbols("tip rho tau", positive=True)
    margin = sym["offer_margin"]
    lo, hi = sp.symbols("rho_min rho_max", positive=True)
    r = sp.symbols("rho_1:4", positive=True)

    def hhi(share):
        each = [share.subs(dict(zip(r, order)), simultaneous=True) for order in (r, r[1:] + r[:1], r[2:] + r[:2])]
        return sum(e ** 2 for e in each) <= hi / (3 * lo), (*(v <= hi for v in r), *(v >= lo for v in r))

    def average(three, four):
        newcomer = sp.Symbol("rho_4", positive=True) * (1 - sp.Symbol("y_4", positive=True))
        unit = tuple(v <= 1 for v in sorted(four.free_symbols, key=str))
        return sp.And(sp.Implies(newcomer >= three, four >= three), sp.Implies(newcomer < three, four < three)), unit
    law = sym["on_time_uniform_pick"]
    return [
        *break_even_theorems(
            ("sidecar_offer_pays_at_or_above_the_break_even_tip", "sidecar_no_offer_below_the_break_even_tip"),
            sym["break_even_tip"], lambda price: margin.subs(tip, price), tau, rho,
            ("At any tip at or above (c + (1 - rho)(D + S)) / rho - s R a picked prover's expected margin is >= 0: "
             "offering is free, so every such prover offers (the entry equilibrium's condition).",
             "Below that tip a picked prover loses money in expectation: it does not offer.")),
        over("sidecar_reward_concentration_set_by_the_reliability_spread", hhi, (sym["reward_share_of_three"],),
             description="Three offerers, each picked with chance 1/n and paid on delivery: the HHI of reward shares, "
                         "sum_i (rho_i / sum_j rho_j)^2, is at most (1/3) rho_max / rho_min: concentration is set by "
                         "the number of offerers and their reliability spread, not by cost or size."),
        over("sidecar_offerer_raises_liveness_only_above_the_average", average, (plain_law(law, 3), plain_law(law, 4)),
             description="Uniform pick: on-time liveness is the offerers' average rho_i (1 - e^{-r_i w}). A fourth "
                         "offerer raises it exactly when its own rho_4 (1 - y_4) is at least that average: a higher "
                         "tip that draws in a less reliable prover lowers liveness (liveness is not monotone in the "
                         "budget)."),
        *identity_sybils(sym["share_identity_k_of_N"]),
    ]


def epoch_quotes(sym: dict) -> list[Theorem]:
    sigma, D = sp.symbols("sigma Delta", positive=True)
    lo, hi = sym["kickback_range"]
    nonempty = lambda L, H: (L < H, (sigma < 1,))                                      # noqa: E731
    q, x, c2, R = sp.symbols("q x c_2 R", positive=True)
    c1 = sp.Symbol("c_1", positive=True)
    star = 10_000 * c2 / R

    def bertrand(cheapest, rival):
        holds = lambda u: u.subs({q: star, x: star}) >= u.subs(x, star)                         # noqa: E731
        return sp.And(holds(cheapest), holds(rival)), (c1 < c2, c2 <= R)
    return [
        over("quotes_bertrand_equilibrium_at_the_second_cost", bertrand,
             (sym["quote_payoff_cheapest"], sym["quote_payoff_rival"]),
             description="Two provers with costs c_1 < c_2 <= R (the epoch's rewards): the lowest quote wins, ties "
                         "to the cheaper prover, and is paid its quote q R / 10^4. Both quoting the second cost "
                         "10^4 c_2 / R is an equilibrium: no other quote pays either prover more (Bertrand with "
                         "unequal costs: the cheapest wins at the runner-up's cost)."),
        over("quote_kickback_range_nonempty", nonempty, (lo, hi),
                description="A proposer who earns less than all of the proven epoch's rewards (sigma < 1) can be "
                            "paid a kickback between sigma Delta and Delta that both it and the prover prefer."),
    ]


def lottery(sym: dict) -> list[Theorem]:
    lam, c, F, r = sp.symbols("lambda c F r", positive=True)
    cost, star = sym["protocol_cost_poisson"], sym["poisson_lambda"]
    convex = lambda C: (sp.Gt(sp.diff(C, lam, 2), 0, evaluate=False), ())               # noqa: E731
    reward = lambda S: (sp.Eq((S * c / (r * (1 - sp.exp(-S))) - c * S / (r - c / F)), 0), (F * r > c,))  # noqa: E731
    return [
        over("lottery_poisson_optimum_convex", convex, (cost,),
                description="... and convex in lambda, so lambda* is the minimum."),
        over("lottery_poisson_reward", reward, (star,),
                description="The reward that induces lambda* is R* = c ln(r F / c) / (r - c / F)."),
    ]


def procurement(sym: dict) -> list[Theorem]:
    e, hi, x = sp.symbols("e hi x", positive=True)
    K = sp.Symbol("K", integer=True, positive=True)
    bid = sym["bid_uniform"]
    # a prover of effective cost e asking x wins against K-1 rivals bidding e' + (hi - e')/K, costs U[0, hi]:
    # rival bid > x iff e' > (K x - hi)/(K - 1), so P(win) = ((hi - (K x - hi)/(K-1)) / hi)^(K-1)
    # d/dx (x - e) W^(K-1) = W^(K-2) K / hi [(hi - x)/(K - 1) - (x - e)] with W = K (hi - x) / ((K - 1) hi)
    bracket = (hi - x) / (K - 1) - (x - e)
    foc = lambda B: (sp.Eq((bracket.subs(x, B)), 0), (K >= 2, e < hi))        # noqa: E731
    revenue = lambda B: (sp.And(*[sp.Eq(definite_integral(B.subs({hi: 1, K: n}) * n * (1 - e) ** (n - 1), e, 0, 1),
                                        definite_integral(e * n * (n - 1) * e * (1 - e) ** (n - 2), e, 0, 1),
                                        evaluate=False)                # the engine, not construction, compares
                                  for n in range(2, 7)], evaluate=False), ())                  # noqa: E731
    return [
        over("procurement_uniform_bid_foc", foc, (bid,),
                description="Uniform costs: the bid e + (hi - e)/K zeroes the best response's first-order "
                            "condition W^(K-2) K/hi [(hi - x)/(K-1) - (x - e)]."),
        Theorem("procurement_bid_above_cost", bid >= e, (e <= hi, K >= 1), uses=(bid,),
                description="Equilibrium asks are at least the effective cost (individual rationality of the winner)."),
        Theorem("procurement_bid_below_highest_cost", bid <= hi, (e <= hi, K >= 1), uses=(bid,),
                description="No equilibrium ask exceeds the highest possible effective cost hi."),
        over("procurement_revenue_equivalence_uniform", revenue, (bid,),
                description="Costs U[0, 1], K = 2..6: E[winning ask] = E[second-lowest cost] = 2/(K+1)."),
    ]


def dutch(sym: dict) -> list[Theorem]:
    p, lo, hi, T = sp.symbols("p p_min p_max T", positive=True)
    t = sym["lock_time"]
    return [
        Theorem("dutch_lock_time_within_ramp", sp.And(t >= 0, t <= T), (p >= lo, p <= hi, hi > lo), uses=(t,),
                description="A lock price within [min_price, max_price] locks within the ramp."),
    ]


def fee_sharing_multiplicative(sym: dict) -> list[Theorem]:
    a, mm, F, g = sp.symbols("a m F gamma", positive=True)
    K = sp.Symbol("K", integer=True, positive=True)
    star = sym["share_multiplicative"]
    return [
        over("multiplicative_share_foc", lambda S: (sp.Eq((((K - 1) / K * g / (1 + g * a) * (mm + (1 - a) * F)
                                                              - F / K).subs(a, S)), 0), (K >= 2,)), (star,),
                description=
                "Score u (1 + gamma a): a* = [(K-1) gamma (m + F) - F] / (gamma K F) solves the symmetric "
                "first-order condition."),
    ]


def taiko_alpha4(sym: dict) -> list[Theorem]:
    s, e = sp.symbols("s e", positive=True)
    share = sym["selection"]
    falls = lambda S: (sp.diff(S, e) < 0, ())              # noqa: E731
    rises = lambda S: (sp.diff(S, s) > 0, ())              # noqa: E731
    return [
        over("taiko_selection_falls_with_erpg", falls, (share,),
                description="A higher reward per gas lowers the chance of proving a block (weight stake / erpg^2)."),
        over("taiko_selection_rises_with_stake", rises, (share,),
                description="More stake raises the chance of proving a block."),
    ]
