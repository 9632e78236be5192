"""Theorems of the VRF family (protocol-elected provers)."""
from __future__ import annotations

from provergame.lazy import sympy as sp

from .engine import Theorem, break_even_theorems, definite_integral, over

s1, s2, s3, S_o = sp.symbols("s_1 s_2 s_3 S_o", positive=True)
N, k = sp.symbols("N k", integer=True, positive=True)


def identity_sybils(ident) -> list[Theorem]:
    """The sybil theorems of a uniform draw over identities (or offers): an operator with k of them
    among N - 1 rivals is drawn with chance k / (N + k - 1)."""
    more = lambda sh: (sh.subs(k, k + 1) > sh, (N >= 2,))      # noqa: E731
    below_one = lambda sh: (sh < 1, (N >= 2,))                 # noqa: E731
    return [
        over("identity_share_below_one", below_one, (ident,),
             description="However many identities it runs, an operator facing N - 1 >= 1 rivals never gets all "
                         "the work under identity weighting: k / (N + k - 1) < 1."),
        over("identity_weighting_rewards_sybils", more, (ident,),
             description="Under identity weighting (share k / (N + k - 1)) every extra identity strictly raises "
                         "the operator's share (the seed's 'excessive number of nodes' undercutting)."),
    ]


def stake_split_gains_nothing(name: str, share, others) -> Theorem:
    """Splitting stake s_a + s_b into two identities: the pieces' shares s_a / S and s_b / S add up to no
    more than the whole's (s_a + s_b) / S, whatever the rivals' stake: stake weighting gives a sybil nothing."""
    s_i = sp.Symbol("s_i", positive=True)
    sa, sb = sp.symbols("s_a s_b", positive=True)

    def split(sh):
        piece = lambda own, other: sh.subs({s_i: own, others: S_o + other}, simultaneous=True)    # noqa: E731
        return piece(sa, sb) + piece(sb, sa) <= sh.subs({s_i: sa + sb, others: S_o}, simultaneous=True), ()
    return over(name, split, (share,),
                description="Stake weighting: an operator that splits its stake s_a + s_b over two identities is "
                            "drawn with chance s_a / (s_a + s_b + S_o) + s_b / (s_a + s_b + S_o), no more than the "
                            "undivided stake gets: extra identities buy no work (sybil-proof).")


def stake_vrf(sym: dict, weighting: str = "stake") -> list[Theorem]:
    """The stake-weighted draw's concentration and returns to stake, or (weighting "identity") the
    identity-weighted draw's sybil incentive: each game ships the theorems of its own selection law."""
    share, ident = sym["share_stake_vs_others"], sym["share_identity_k_of_N"]
    if weighting == "identity":
        return identity_sybils(ident)
    s_i, t = sp.Symbol("s_i", positive=True), sp.Symbol("t", positive=True)
    a, b, c = sp.symbols("a b c", positive=True)

    def hhi(sh):                                  # sum of squared work shares of three provers with stakes a, b, c
        return sum(sh.subs({s_i: x, S_o: y + z}, simultaneous=True) ** 2 for x, y, z in ((a, b, c), (b, a, c), (c, a, b)))
    floor = lambda sh: (hhi(sh) >= sp.Rational(1, 3), ())                                             # noqa: E731
    concave = lambda sh: (sh.subs(s_i, s_i + 2 * t) - sh.subs(s_i, s_i + t) < sh.subs(s_i, s_i + t) - sh, ())  # noqa: E731
    return [
        stake_split_gains_nothing("stake_vrf_splitting_stake_gains_nothing", share, S_o),
        over("stake_vrf_work_concentration_at_least_equal_split", floor, (share,),
             description="Stake-weighted draw, three provers: the HHI of the work, sum_i (s_i / S)^2, is at least "
                         "1/3, the equal split's (Cauchy-Schwarz): unequal stake can only concentrate proving."),
        over("stake_vrf_diminishing_returns_to_stake", concave, (share,),
             description="A prover's work share s_i / (s_i + S_o) rises with its stake at a falling rate: each "
                         "further t of stake buys less share (the share is strictly concave)."),
    ]


def taiko_pool(sym: dict) -> list[Theorem]:
    c, rho, slash, b = sp.symbols("c rho slash b", positive=True)
    return break_even_theorems(
        ("taiko_seat_profitable_above_break_even", "taiko_no_seat_below_break_even"),
        sym["break_even_bid"], lambda bid: rho * bid - c - (1 - rho) * slash, b, rho,
        ("Seated at any bid at or above its break-even bid, a prover's expected margin is >= 0: the pinned seats "
         "are individually rational.",
         "Below its break-even bid a prover loses money: the first excluded prover cannot take a seat profitably, "
         "which pins the seated bids."))


def turn_based(sym: dict) -> list[Theorem]:
    s_i, S = sp.symbols("s_i S", positive=True)
    share = sym["turn_share"]
    R, r1, r2, r3 = sp.symbols("R rho_1 rho_2 rho_3", positive=True)
    paid = lambda sh: (sum(sh.subs({s_i: si, S: s1 + s2 + s3}) * ri * R for si, ri in ((s1, r1), (s2, r2), (s3, r3)))
                       <= R, (r1 <= 1, r2 <= 1, r3 <= 1))                                              # noqa: E731
    return [
        stake_split_gains_nothing("stake_turns_splitting_stake_gains_nothing", share.subs(S, s_i + S_o), S_o),
        over("stake_turns_pay_at_most_the_reward", paid, (share,),
                description="Per turn the protocol pays the holder R only for a valid proof: sum_i (s_i / S) rho_i R "
                            "<= R."),
    ]


def turn_auction(sym: dict) -> list[Theorem]:
    """Second-lowest-price turn auctions over effective costs c / rho: truthful bidding, what a cover-bid
    ring gains, and why the stall bribe per token users pay rises with a cap nobody pays."""
    b, x, c, rho, R, t, k, P = sp.symbols("b x c rho R t k P", positive=True)
    b1, b2, b3 = sp.symbols("b_1 b_2 b_3", positive=True)
    x1, x2, x3 = sp.symbols("x_1 x_2 x_3", positive=True)
    s = sp.Symbol("s", positive=True)
    solo = sym["solo_payoff"].xreplace({sp.exp(s ** 2 / 2): k})
    honest = {b1: x1, b2: x2, b3: x3}
    truthful = lambda u: (u.subs(b, c / rho) >= u, (rho <= 1,))                                     # noqa: E731

    def ring(price, margin):          # xreplace: symbols for symbols, simultaneous, without subs' matching
        cover = margin.xreplace({P: price.xreplace({**honest, b2: R})})
        return cover - margin.xreplace({P: price.xreplace(honest)}) > 0, (x1 < x2, x2 < x3, x2 < R, rho <= 1)

    def lognormal_mean(bribe, cost):
        z = sp.Symbol("z", real=True)
        density = sp.exp(-z ** 2 / 2) / sp.sqrt(2 * sp.pi)
        return sp.Eq(bribe, rho * R - definite_integral(cost * density, z, -sp.oo, sp.oo)), ()

    def per_token(bribe, price):
        p = price.xreplace(honest)
        return (bribe.xreplace({R: R + t}) / p.xreplace({R: R + t}) > bribe / p,
                (x1 < x2, x2 <= R, k >= 1, rho <= 1, rho * R > c * k))
    bidding = [over("second_price_truthful_bid_is_dominant", truthful, (sym["bid_payoff"],),
                    description="A prover bidding b against a lowest rival bid x wins when b < x and is then paid x "
                                "on delivery (rho x - c in expectation): bidding its effective cost c / rho is at "
                                "least as good as any other bid, whatever x (Vickrey's dominance, procurement "
                                "form).")] if "ladder_payoff" not in sym else ladder(sym["ladder_payoff"])
    return bidding + [
        over("turn_auction_cover_bid_ring_raises_the_price", ring, (sym["price_second_of_three"], sym["winner_margin"]),
             description="Three bids x_1 < x_2 < x_3, cap R > x_2: if the runner-up covers (bids the cap) instead of "
                         "x_2, the winner is paid min(x_3, R) instead of x_2 and its margin rho P - c rises: a "
                         "two-prover ring gains exactly what users pay more, so a second-price turn auction is not "
                         "cartel-proof."),
        over("turn_auction_stall_payment_is_the_cap_less_the_mean_cost", lognormal_mean,
             (sym["solo_payoff"], sym["cost_per_turn"]),
             description="With every rival withholding, a prover wins each turn alone at the cap R, delivers with "
                         "chance rho and pays the log-normal cost c e^{s Z}, Z ~ N(0, 1): its payoff, which the stall "
                         "bribe must pay it, is rho R - c e^{s^2 / 2}, and the stall bribe is the sum of its positive "
                         "parts over the provers."),
        over("turn_auction_stall_bribe_per_token_rises_with_the_cap", per_token, (solo, sym["price_second_of_three"]),
             description="The stall payment rho R - c e^{s^2 / 2} (proving alone, paid the cap) rises with the cap R "
                         "while the price users pay, min(second-lowest bid, R), does not once the cap is above the "
                         "second-lowest bid: 'stall bribe per token users pay' grows without bound in a cap users "
                         "never pay, so a ranking on that ratio rewards a high cap."),
    ]


def ladder(payoff) -> list[Theorem]:
    """The runner-up ladder (TurnAuction failover "runner_up"), against rival bids x_1 < x_2 that deliver in
    their turns with s_1, s_2: bidding b, a prover with turn success s_0 and cost c is paid min(next bid, R)
    on delivery, reached only when every rival below it missed:
    u(b) = s_0 min(x_1, R) - c (b < x_1), (1 - s_1)(s_0 min(x_2, R) - c) (b < x_2), (1 - s_1)(1 - s_2)(s_0 R - c)."""
    b, c, R = sp.symbols("b c R", positive=True)
    s0, s1, s2, x1, x2 = sp.symbols("s_0 s_1 s_2 x_1 x_2", positive=True)
    unit = (s0 <= 1, s1 <= 1, s2 <= 1, x1 < x2)
    truth = c / s0
    shading = lambda u: (u.subs(b, truth) >= u, unit + (b < truth,))                            # noqa: E731
    rational = lambda u: (u >= 0, unit + (b >= truth, b <= R))                                  # noqa: E731
    return [
        over("turn_auction_ladder_never_pays_to_bid_below_effective_cost", shading, (payoff,),
             description="Under the runner-up ladder a bid below the effective cost c / s_0 is never better than "
                         "bidding it: it only moves the bidder ahead of rivals whose price, below its cost, it would "
                         "then be paid, so markups m >= 0 are the whole strategy space."),
        over("turn_auction_ladder_pays_a_reached_bidder_its_cost", rational, (payoff,),
             description="Under the runner-up ladder a bid between the effective cost c / s_0 and the cap R never "
                         "loses in expectation: whenever reached, the bidder is paid at least its own bid on delivery "
                         "(min(next bid, R) >= b), so s_0 P - c >= s_0 b - c >= 0 (individual rationality)."),
    ]


def proof_tree(sym: dict) -> list[Theorem]:
    ri, rj, kap = sp.symbols("rho_i rho_j kappa_j", nonnegative=True)
    W = sp.Symbol("W", nonnegative=True)
    lands, grief = sym["node_lands"], sym["grief_net"]
    return [
        Theorem("node_lands_with_probability_at_most_one", lands <= 1,
                (ri <= 1, rj <= 1, kap <= 1), "A node's landing chance rho_i + (1 - rho_i) kappa rho_j is a "
                "probability (at most one), so the root's product is one too.", uses=(lands,)),
        Theorem("covering_never_hurts_a_node", lands >= ri, (ri <= 1, rj <= 1, kap <= 1),
                "A node lands with probability rho_i + (1 - rho_i) kappa rho_j >= rho_i: covering never lowers it.",
                uses=(lands,)),
        Theorem("grief_net_below_the_block_reward", grief < W, (ri <= 1,), uses=(grief,), description=
                "Excluding a child's proof forces the griefer to re-prove it at cost c, landing its own block "
                "reward W only with chance rho: its net W rho - c is below W, so griefing leaves it worse off "
                "than not griefing unless a bribe covers the difference."),
    ]


def delegated_stake(sym: dict) -> list[Theorem]:
    rho, kap, R, T_i, T_A = sp.symbols("rho kappa R T_i T_A", positive=True)
    ret, prover, delegators = sym["return_per_token"], sym["prover_income"], sym["delegator_income"]
    t = sp.Symbol("t", positive=True)
    falls = lambda E: (E.subs(kap, kap + t) < E, (kap + t < 1,))                     # noqa: E731
    rises = lambda E: (sp.diff(E, rho) > 0, (kap < 1,))                             # noqa: E731
    split = lambda P, D: (sp.Eq(P + D, (T_i / T_A) * rho * R), ())                  # noqa: E731
    return [
        over("delegator_return_falls_with_the_cut", falls, (ret,),
                description="A delegator's return per token rho (1 - kappa) R / T_active falls as the prover keeps "
                            "a larger cut kappa: delegation chases low cuts."),
        over("delegator_return_rises_with_reliability", rises, (ret,),
                description="... and rises with the prover's reliability; it does not depend on the prover's size, "
                            "so size buys only a seat in the active set (rich get richer)."),
        over("delegation_budget_balance", split, (prover, delegators),
                description="The prover's cut and its delegators' share add up to the prover's expected reward "
                            "(T_i / T_active) rho R: nothing is created or lost in the split."),
    ]


def failover(law) -> list[Theorem]:
    """The failover rule's theorems, from its on-time law with identical provers (games.forms:
    L = 1 - (1 - rho (1 - e^{-r d}))^K (1 - rho (1 - e^{-r (w - K d)}))), stated where two whole turns
    fill the window (K = 2, w = 2d) against the assignee holding it all (K = 0), with y = e^{-r d}."""
    rho, r, d, w = sp.symbols("rho r d w", positive=True)
    K = sp.Symbol("K", integer=True, nonnegative=True)
    y = sp.Symbol("y", positive=True)

    def at(L, turns):
        e = L.subs({K: turns, w: 2 * d}, simultaneous=True)
        return e.replace(sp.exp, lambda a: y ** sp.simplify(a / (-r * d)))
    unit = (rho <= 1, y < 1)
    never_lower = lambda L: (at(L, 2) >= at(L, 0), unit)                                      # noqa: E731
    above_cap = lambda L: (at(L, 2) > rho, (rho < 1, y <= (1 - rho) / 2))                     # noqa: E731
    return [
        over("vrf_failover_at_half_the_window_never_lowers_on_time_liveness", never_lower, (law,),
             description="Failover \"next_draw\" with the deadline at half the window: two assignees in turn deliver "
                         "on time at least as often as one holding the whole window, "
                         "1 - (1 - rho (1 - y))^2 >= rho (1 - y^2) with y = e^{-r d} (proving times are memoryless, "
                         "and a second draw gets a second chance at reliability)."),
        over("vrf_failover_lifts_on_time_liveness_above_the_reliability_cap", above_cap, (law,),
             description="With the failover at half the window, on-time liveness exceeds the reliability rho < 1, "
                         "the cap every elected design has without failover, once a half window is long enough "
                         "(e^{-r d} <= (1 - rho) / 2): the failover is what lets an elected design reach a 0.99 target."),
    ]
