"""Protocol-elected provers over the proof tree (the seed's closing proposal).

Each leaf's prover is drawn by VRF (uniformly, or by stake); each merge node goes to one of its two
children's provers at random; a node's prover fails with probability 1 - reliability, and then the
sibling's prover covers it with its covering probability (the profile): covering costs it the
proving cost and pays nothing, but without it the block, and so every reward, fails. A failing
prover earns nothing for that node and is slashed `slash`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from provergame.lazy import sympy as sp

from provergame.errors import InvalidParameter
from provergame.model import Population
from provergame.params import Choice, Int, Real, param

from .base import PROVERS, Game, Outcomes, Stats, example_provers
from .registry import register
from .traits import GameTraits, StrategyKind, TimingFamily, WhenChoice


@register("proof_tree_vrf")
@dataclass(frozen=True)
class ProofTreeVRF(Game):
    """Binary proof tree with `leaves` leaves (a power of two); rewards paid only if the root lands.

    Exact by an inside-outside recursion over levels (nodes of a level are exchangeable):
    G_h(i) = P(subtree below a level-h node completes, its owner is i); J_h(i, j) = G_h(i) G_h(j)
    C(i, j) C(j, i) with C(i, j) = rho_i + (1 - rho_i) kappa_j rho_j the chance a node owned by i with
    coverer j lands; G_{h+1} = J_h 1; O_h(i, j) = P(all outside the pair lands | owners i, j).
    """
    traits: ClassVar[GameTraits] = GameTraits(
        limitations=("levels run in fixed slots; coverers help only their sibling node; no partial rewards when the root "
            "fails."),
        max_provers=20,
        timing=TimingFamily.SLOTS,
        strategy=StrategyKind.CONTINUOUS,
        strategy_label="covering probability",
        elected_by_protocol=True,
        identity_weighted=WhenChoice("weighting", "uniform"),
    )

    leaves: int = param(Int(lo=2, hi=1 << 16, unit="leaves", doc="leaves of the proof tree (a power of two)"))
    leaf_reward: float = param(Real(lo=0, unit="token per node", doc="paid for a leaf proof"))
    merge_reward: float = param(Real(lo=0, unit="token per node", doc="paid for a merge proof"))
    provers: Population = param(PROVERS)
    slash: float = param(Real(lo=0, unit="token", doc="taken from a node's prover that fails"), 0.0)
    weighting: str = param(Choice(options=("uniform", "stake"), doc="VRF per leaf: uniform or by stake"), "uniform")
    node_work: float | None = param(Real(lo=0, optional=True, unit="share of a block's proving cost",
                                         doc="proving work per node (default 1 / (2 leaves - 1))"), None)

    def _validate(self) -> None:
        if self.leaves & (self.leaves - 1):
            raise InvalidParameter("leaves", self.leaves, "a power of two >= 2")
        if self.weighting == "stake" and self.provers.stake.sum() <= 0:
            raise InvalidParameter("provers.stake", 0.0, "a positive total stake for weighting='stake'")

    @classmethod
    def example(cls, n: int | None = None) -> "ProofTreeVRF":
        return cls(8, 1.0, 1.0, example_provers(n or 6), slash=0.5)

    @property
    def node_cost(self) -> np.ndarray:
        """Proving cost of one node per prover."""
        share = 1.0 / self.nodes if self.node_work is None else self.node_work
        return self.provers.cost * share

    @property
    def depth(self) -> int:
        return int(np.log2(self.leaves))

    @property
    def nodes(self) -> int:
        return 2 * self.leaves - 1

    @property
    def draw(self) -> np.ndarray:
        w = self.provers.stake if self.weighting == "stake" else np.ones(self.n)
        return w / w.sum()

    def _recursion(self, kappa: np.ndarray, rho: np.ndarray | None = None):
        """Inside G_h, pair J_h, outside O_h for h = 0..depth-1 (batched over profiles and reliabilities)."""
        rho = self.provers.reliability if rho is None else rho
        C = rho[..., :, None] + (1 - rho[..., :, None]) * (kappa[..., None, :] * rho[..., None, :])   # (..., i, j)
        G = [np.broadcast_to(self.draw, kappa.shape)]
        J = []
        for _ in range(self.depth):  # loop over tree levels (log2 leaves), vectorised over provers
            g = G[-1]
            J.append(g[..., :, None] * g[..., None, :] * C * np.swapaxes(C, -1, -2))
            G.append(J[-1].sum(axis=-1))
        O = [None] * self.depth
        O[-1] = 0.5 * (C + np.swapaxes(C, -1, -2))
        for h in range(self.depth - 2, -1, -1):
            U = ((C * np.swapaxes(C, -1, -2) * O[h + 1]) @ G[h + 1][..., :, None])[..., 0]   # sum_l G_l C_kl C_lk O_kl
            O[h] = 0.5 * (U[..., :, None] + U[..., None, :])
        return C, G, J, O

    def root_probability(self, profile: Any) -> np.ndarray:
        """P(the root proof completes), exact."""
        kappa = self.check_profile(profile)
        C, G, J, O = self._recursion(kappa)
        return (J[-1] * O[-1]).sum(axis=(-2, -1))

    def _per_prover(self, kappa: np.ndarray, useful: bool = False, rho: np.ndarray | None = None):
        """Expected (reward, own nodes, covering attempts) per prover per block; with useful=True
        also the expected cost of the node proofs that end up in a landed root."""
        rho = np.broadcast_to(self.provers.reliability if rho is None else rho, kappa.shape)
        c = self.node_cost
        C, G, J, O = self._recursion(kappa, rho)
        reward = np.zeros(kappa.shape)
        used = np.zeros(kappa.shape[:-1])
        for h in range(self.depth):
            count = self.leaves >> h
            pay = self.leaf_reward if h == 0 else self.merge_reward
            # node owned by i with sibling owned by j; the sibling and everything outside land
            w = G[h][..., :, None] * G[h][..., None, :] * np.swapaxes(C, -1, -2) * O[h]
            own = w.sum(axis=-1) * rho
            reward = reward + count * pay * own
            covered = _covering_cost(w, rho, kappa, c)
            used = used + count * ((own * c).sum(axis=-1) + covered)
        root = J[-1].sum(axis=-1)
        reward = reward + self.merge_reward * root * rho
        used = used + (root * rho * c).sum(axis=-1) + _covering_cost(J[-1], rho, kappa, c)
        owned = self.nodes * np.broadcast_to(self.draw, kappa.shape)
        fail = (self.draw * (1 - rho)).sum(axis=-1, keepdims=True)
        covering = self.nodes * self.draw * kappa * fail
        return (reward, owned, covering, used) if useful else (reward, owned, covering)

    @property
    def own_degree(self) -> int:
        """A bound on the degree of a prover's payoff as a polynomial in its own covering probability:
        C_kl is linear in kappa_l, so the subtree term G_h has degree at most 2^(h+1) - 2, the outside
        term O_h at most 2 + deg O_(h+1) + deg G_(h+1) (O at the root's children: 1), a level's reward
        2 deg G_h + deg O_h + 1, and the covering cost one more (15 for 8 leaves)."""
        d = self.depth
        inside = [2 ** (h + 1) - 2 for h in range(d)]
        outside = [1] * d
        for h in range(d - 2, -1, -1):
            outside[h] = 2 + outside[h + 1] + inside[h + 1]
        return max([2 * inside[h] + outside[h] + 2 for h in range(d)] + [2 * inside[-1] + 3])

    def deviation_payoffs(self, profile: Any, candidates: np.ndarray) -> np.ndarray:
        """Each prover's payoff is a polynomial of degree <= own_degree in its own covering probability:
        for more candidates than that, it is evaluated at own_degree + 1 Chebyshev points of [0, 1] and
        interpolated (barycentric formula; exact up to rounding, Lebesgue constant ~ (2/pi) log degree).
        The node values are kept for the profile, so a search's later, smaller batches interpolate too."""
        p = self.check_profile(profile)
        cand = self.check_candidates(candidates)
        points = self.own_degree + 1
        if cand.shape[-1] <= points and not self.is_kept("_chebyshev_values", p):
            return super().deviation_payoffs(p, cand)
        angle = np.pi * (2 * np.arange(points) + 1) / (2 * points)
        nodes = 0.5 - 0.5 * np.cos(angle)                           # Chebyshev points of the first kind
        weights = (-1.0) ** np.arange(points) * np.sin(angle)
        values = self.kept_for("_chebyshev_values", p,                # (n, points), kept for the profile: a
                               lambda: Game.deviation_payoffs(self, p, np.tile(nodes, (self.n, 1))))  # search's zoom reuses them
        gap = cand[:, :, None] - nodes                                                # (n, m, points)
        on_node = gap == 0
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = weights / gap
            interpolated = (ratio * values[:, None, :]).sum(-1) / ratio.sum(-1)
        exact = (np.where(on_node, values[:, None, :], 0.0)).sum(-1)
        return np.where(on_node.any(-1), exact, interpolated)

    def expected_payoffs(self, profile: Any) -> np.ndarray:
        kappa = self.check_profile(profile)
        reward, owned, covering = self._per_prover(kappa)
        rho = self.provers.reliability
        return reward - self.node_cost * (owned + covering) - self.slash * owned * (1 - rho)

    def stats(self, profile: Any) -> Stats:
        kappa = self.check_profile(profile)
        reward, owned, covering, used = self._per_prover(kappa, useful=True)
        rho = self.provers.reliability
        cost = self.node_cost * (owned + covering) + self.slash * owned * (1 - rho)
        return Stats(reward=reward, cost=cost, participation=1 - (1 - self.draw) ** self.leaves,   # owns a node
                     eventual_liveness=float(self.root_probability(kappa)), user_payment=float(reward.sum()),
                     useful_cost=float(used))

    @property
    def level_slot(self) -> float:
        """Time a tree level gets: the slowest prover's node proof, twice (owner, then a coverer)."""
        share = 1.0 / self.nodes if self.node_work is None else self.node_work
        return 2 * share / float(self.provers.rate.min())

    def landing_time(self) -> float:
        """Levels run in fixed slots, leaves first: the root lands at (depth + 1) level slots."""
        return (self.depth + 1) * self.level_slot

    def on_time(self, profile: Any, window: float) -> float:
        return float(self.root_probability(self.check_profile(profile))) if self.landing_time() <= window else 0.0

    def fairness(self, profile: Any) -> dict[str, float]:
        """How evenly rewards follow the VRF draw: reward shares against draw shares."""
        from provergame.solvers.metrics import gini, hhi
        reward, _, _ = self._per_prover(self.check_profile(profile))
        share = reward / reward.sum() if reward.sum() > 0 else reward
        return {"gini": gini(reward), "hhi": hhi(reward),
                "max_share_over_draw": float(np.max(np.divide(share, self.draw, out=np.zeros(self.n), where=self.draw > 0)))}

    def play(self, profile: Any, rng: np.random.Generator, rounds: int) -> Outcomes:
        kappa = self.check_profile(profile)
        n, L, rho = self.n, self.leaves, self.provers.reliability
        rows = np.arange(rounds)[:, None]
        owner = rng.choice(n, size=(rounds, L), p=self.draw)              # VRF per leaf
        reward = np.zeros((rounds, n))
        cost = np.zeros((rounds, n))
        tried = np.zeros((rounds, n), dtype=bool)
        landed = np.ones(rounds, dtype=bool)
        used = np.zeros(rounds)
        level_pay = self.leaf_reward
        while True:
            width = owner.shape[1]
            sib = owner.reshape(rounds, -1, 2)[:, :, ::-1].reshape(rounds, width) if width > 1 else owner
            ok_own = rng.random((rounds, width)) < rho[owner]
            covers = ~ok_own & (rng.random((rounds, width)) < kappa[sib])
            ok_cover = covers & (rng.random((rounds, width)) < rho[sib])
            np.add.at(cost, (np.broadcast_to(rows, owner.shape), owner),
                      self.node_cost[owner] + np.where(ok_own, 0.0, self.slash))
            np.add.at(cost, (np.broadcast_to(rows, sib.shape), sib), np.where(covers, self.node_cost[sib], 0.0))
            np.add.at(reward, (np.broadcast_to(rows, owner.shape), owner), np.where(ok_own, level_pay, 0.0))
            tried[rows, owner] = True
            landed &= (ok_own | ok_cover).all(axis=1)
            used += (np.where(ok_own, self.node_cost[owner], 0.0) + np.where(ok_cover, self.node_cost[sib], 0.0)).sum(1)
            pick = rng.random((rounds, width // 2)) < 0.5
            pair = owner.reshape(rounds, -1, 2)
            parent = np.where(pick, pair[:, :, 0], pair[:, :, 1])
            if width == 2:
                # root: covered by the other child's prover
                other = np.where(pick, pair[:, :, 1], pair[:, :, 0])
                ok_root = rng.random((rounds, 1)) < rho[parent]
                cov_root = ~ok_root & (rng.random((rounds, 1)) < kappa[other])
                ok_cov_root = cov_root & (rng.random((rounds, 1)) < rho[other])
                np.add.at(cost, (rows, parent), self.node_cost[parent] + np.where(ok_root, 0.0, self.slash))
                np.add.at(cost, (rows, other), np.where(cov_root, self.node_cost[other], 0.0))
                np.add.at(reward, (rows, parent), np.where(ok_root, self.merge_reward, 0.0))
                landed &= (ok_root | ok_cov_root)[:, 0]
                used += np.where(ok_root, self.node_cost[parent], 0.0)[:, 0] + \
                    np.where(ok_cov_root, self.node_cost[other], 0.0)[:, 0]
                break
            owner, level_pay = parent, self.merge_reward
        reward *= landed[:, None]
        return Outcomes(reward, cost, tried, landed, reward.sum(axis=1), used * landed,
                        np.where(landed, self.landing_time(), np.inf))

    def equilibrium(self, symmetric: bool = False) -> tuple[np.ndarray, str, bool]:
        from provergame.solvers.dynamics import best_response_iteration
        p, ok = best_response_iteration(self, np.ones(self.n))
        return p, "best-response iteration over covering probabilities from full covering", ok

    def stall_liveness(self, masks: np.ndarray, profile: Any) -> np.ndarray:
        """Root probability when the provers in each mask withhold (never deliver, never cover)."""
        kappa = self.check_profile(profile)
        masks = np.asarray(masks, dtype=bool)
        rho = np.where(masks, 0.0, self.provers.reliability)
        k = np.where(masks, 0.0, kappa)
        C, G, J, O = self._recursion(k, rho)
        return (J[-1] * O[-1]).sum(axis=(-2, -1))

    def withhold_bribes(self) -> np.ndarray:
        """Payoff of proving (and covering) while everyone else withholds, minus the payoff of
        withholding (no proving cost, slashed on every owned node)."""
        alone_rho = np.eye(self.n) * self.provers.reliability
        kappa = np.eye(self.n)
        reward, owned, covering = self._per_prover(kappa, rho=alone_rho)
        pay = reward - self.node_cost * (owned + covering) - self.slash * owned * (1 - alone_rho)
        alone = np.diagonal(pay)
        withhold = -self.slash * self.nodes * self.draw
        return np.maximum(alone - withhold, 0.0)

    def grief_bribes(self, profile: Any | None = None) -> np.ndarray:
        """Bribe that makes griefing a best response for each prover as a merge-node owner.

        Griefing: exclude a child's valid proof (the child's prover is slashed and loses the node's
        reward) and re-prove that child itself (cost c_k, success rho_k): without success the block,
        and the griefer's own expected block reward W_k, fail. Loss = c_k + (1 - rho_k) W_k."""
        kappa = np.ones(self.n) if profile is None else self.check_profile(profile)
        reward, _, _ = self._per_prover(kappa)
        return self.node_cost + (1 - self.provers.reliability) * reward

    def grief_damage(self) -> np.ndarray:
        """What a victim loses when its child proof is excluded: the node's reward plus the slash."""
        return np.full(self.n, max(self.leaf_reward, self.merge_reward) + self.slash)

    def covering_gain(self, profile: Any | None = None) -> np.ndarray:
        """d payoff / d covering probability: covering is a best response where this is >= 0."""
        kappa = np.ones(self.n) if profile is None else self.check_profile(profile)
        cand = np.stack([np.zeros(self.n), np.ones(self.n)], axis=1)
        dev = self.deviation_payoffs(kappa, cand)
        return dev[:, 1] - dev[:, 0]

    def symbolic(self) -> dict[str, Any]:
        ri, rj, k = sp.symbols("rho_i rho_j kappa_j", nonnegative=True)
        W, c = sp.Symbol("W", nonnegative=True), sp.Symbol("c", positive=True)
        return {"node_lands": ri + (1 - ri) * k * rj, "node_lands_without_cover": ri,
                "grief_net": W * ri - c}         # griefer's block reward at risk less its re-proving cost

    def symbolic_checks(self) -> list[tuple[str, Any, dict[str, float], float]]:
        kappa = np.linspace(0.2, 0.9, self.n)
        cover = self._recursion(kappa)[0]
        i, j = 0, self.n - 1
        rho = self.provers.reliability
        return [("node_lands", self.symbolic()["node_lands"], {"rho_i": rho[i], "rho_j": rho[j], "kappa_j": kappa[j]},
                 float(cover[i, j]))]

    def mechanism_theorems(self) -> list:
        from provergame.proofs import vrf
        return vrf.proof_tree(self.symbolic())


def _covering_cost(w: np.ndarray, rho: np.ndarray, kappa: np.ndarray, c: np.ndarray) -> np.ndarray:
    """sum_ij w_ij (1 - rho_i) kappa_j rho_j c_j: the cost of node proofs that j makes covering for a
    failed i, in pairs weighted by w (a matrix product, not a five-operand einsum)."""
    return ((w @ (kappa * rho * c)[..., :, None])[..., 0] * (1 - rho)).sum(axis=-1)
