"""Theorems of the VRF family (protocol-elected provers)."""
from __future__ import annotations

import sympy as sp

from .engine import Theorem

s1, s2, s3, S_o = sp.symbols("s_1 s_2 s_3 S_o", positive=True)
N, k = sp.symbols("N k", integer=True, positive=True)


def stake_vrf() -> list[Theorem]:
    a, b = sp.symbols("a b", positive=True)
    t = sp.Symbol("t", positive=True)
    return [
        Theorem("stake_share_equals_stake_share",
                sp.Eq(sp.Integral(s1 * sp.exp(-s1 * t) * sp.exp(-S_o * t), (t, 0, sp.oo)), s1 / (s1 + S_o)), (),
                "With reliability 1 the VRF draw (the exponential race over stakes) picks i with probability "
                "int s_i e^{-s_i t} e^{-S_o t} dt = s_i / S: expected share equals stake share."),
        Theorem("stake_weighting_sybil_proof",
                sp.Eq(a / (a + b + S_o) + b / (a + b + S_o), (a + b) / (a + b + S_o)), (),
                "Splitting stake a + b into two identities leaves the operator's chance unchanged: "
                "stake-proportional selection is exactly sybil-proof."),
        Theorem("stake_weighting_sybil_proof_with_redraws",
                sp.Eq(sp.exp(-a * t) * sp.exp(-b * t), sp.exp(-(a + b) * t)), (),
                "With re-draws, identities that fail together behave as one: the first of Exp(a) and Exp(b) "
                "draw times is Exp(a + b) (superposition), so splitting changes nothing."),
        Theorem("identity_weighting_k_of_N",
                sp.Eq(sp.Sum(1 / (N - 1 + k), (sp.Symbol("j", integer=True), 1, k)), k / (N + k - 1)), (),
                "Identity weighting: k identities among N - 1 single-identity rivals get k / (N + k - 1) of the work."),
        Theorem("identity_weighting_rewards_sybils",
                (k + 1) / (N + k) > k / (N + k - 1), (N >= 2,),
                "Under identity weighting every extra identity strictly raises the operator's share "
                "(the seed's 'excessive number of nodes' undercutting)."),
    ]


def taiko_pool() -> list[Theorem]:
    c1, c2, cK, cx, b, rho = sp.symbols("c_1 c_2 c_K c_x b rho", positive=True)
    return [
        Theorem("taiko_seated_bid_is_first_excluded_cost",
                sp.And(cx - c1 >= 0, cx - cK >= 0, b - cx < 0),
                (c1 <= cK, cK <= cx, b < cx),
                "With costs c_1 <= ... <= c_K <= c_x (c_x the first prover left out), seats bid c_x: every "
                "seated prover covers its cost, and the excluded prover can only get a seat by bidding below "
                "its own cost."),
        Theorem("taiko_break_even_with_slashing",
                sp.Eq(rho * ((c1 + (1 - rho) * cx) / rho) - c1 - (1 - rho) * cx, 0), (),
                "A prover delivering with probability rho and slashed s on failure breaks even at bid (c + (1-rho) s) / rho."),
    ]


def turn_based() -> list[Theorem]:
    return [
        Theorem("stake_turns_sybil_proof", sp.Eq(s1 / (s1 + s2 + s3) + s2 / (s1 + s2 + s3), (s1 + s2) / (s1 + s2 + s3)), (),
                "Turns in proportion to stake: splitting stake does not change the turns an operator gets."),
        Theorem("turn_auction_price_not_above_second_cost", sp.Min(s1, s2) <= s2, (),
                "In the turn auction the winner is paid the second-lowest bid, so truthful bids never pay more "
                "than the second-lowest cost."),
    ]


def proof_tree() -> list[Theorem]:
    ri, rj, kap = sp.symbols("rho_i rho_j kappa", nonnegative=True)
    a1, a2, a3, b1, b2, b3 = sp.symbols("a_1 a_2 a_3 b_1 b_2 b_3", nonnegative=True)
    return [
        Theorem("covering_never_hurts_a_node", ri + (1 - ri) * kap * rj >= ri, (ri <= 1, rj <= 1, kap <= 1),
                "A node lands with probability rho_i + (1 - rho_i) kappa rho_j >= rho_i: covering never lowers it."),
        Theorem("covering_never_hurts_the_root", a1 * a2 * a3 >= b1 * b2 * b3,
                (a1 >= b1, a2 >= b2, a3 >= b3, a1 <= 1, a2 <= 1, a3 <= 1),
                "The root lands only if every node does: raising each node's chance (covering) raises the root's "
                "completion probability (shown for three nodes; the recursion multiplies such terms)."),
        Theorem("grief_unprofitable_without_bribe",
                sp.Symbol("W", nonnegative=True) * ri - sp.Symbol("c", positive=True) < sp.Symbol("W", nonnegative=True),
                (ri <= 1,),
                "Excluding a child's proof forces the griefer to re-prove it at cost c and risk its own block "
                "reward W: griefing pays only with a bribe of at least c + (1 - rho) W."),
    ]


def delegated_stake() -> list[Theorem]:
    rho, kap, R, T_i, T_A = sp.symbols("rho kappa R T_i T_A", positive=True)
    per_token = (T_i / T_A) * rho * (1 - kap) * R / T_i
    return [
        Theorem("delegator_return_independent_of_size", sp.Eq(per_token, rho * (1 - kap) * R / T_A), (),
                "A delegator's return per token at an active prover, rho (1 - kappa) R / T_active, does not depend "
                "on the prover's size: delegation chases the cut and reliability, and staying in the active set "
                "is what size buys (rich get richer)."),
    ]
