"""Theorems of the VRF family (protocol-elected provers)."""
from __future__ import annotations

from provergame.lazy import sympy as sp

from .engine import Theorem, break_even_theorems, over

s1, s2, s3, S_o = sp.symbols("s_1 s_2 s_3 S_o", positive=True)
N, k = sp.symbols("N k", integer=True, positive=True)


def stake_vrf(sym: dict, weighting: str = "stake") -> list[Theorem]:
    """The stake-weighted draw's concentration and returns to stake, or (weighting "identity") the
    identity-weighted draw's sybil incentive: each game ships the theorems of its own selection law."""
    share, ident = sym["share_stake_vs_others"], sym["share_identity_k_of_N"]
    if weighting == "identity":
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
    s_i, t = sp.Symbol("s_i", positive=True), sp.Symbol("t", positive=True)
    a, b, c = sp.symbols("a b c", positive=True)

    def hhi(sh):                                  # sum of squared work shares of three provers with stakes a, b, c
        return sum(sh.subs({s_i: x, S_o: y + z}, simultaneous=True) ** 2 for x, y, z in ((a, b, c), (b, a, c), (c, a, b)))
    floor = lambda sh: (hhi(sh) >= sp.Rational(1, 3), ())                                             # noqa: E731
    concave = lambda sh: (sh.subs(s_i, s_i + 2 * t) - sh.subs(s_i, s_i + t) < sh.subs(s_i, s_i + t) - sh, ())  # noqa: E731
    return [
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
    at_most_one = lambda sh: (sh.subs(S, s_i + S_o) <= 1, ())                  # noqa: E731
    paid = lambda sh: (sum(sh.subs({s_i: si, S: s1 + s2 + s3}) * ri * R for si, ri in ((s1, r1), (s2, r2), (s3, r3)))
                       <= R, (r1 <= 1, r2 <= 1, r3 <= 1))                                              # noqa: E731
    return [
        over("stake_turn_share_at_most_one", at_most_one, (share,),
                description="An operator's turn share s_i / (s_i + S_o) is at most one: rivals with stake keep turns."),
        over("stake_turns_pay_at_most_the_reward", paid, (share,),
                description="Per turn the protocol pays the holder R only for a valid proof: sum_i (s_i / S) rho_i R "
                            "<= R."),
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
