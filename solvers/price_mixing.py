"""Mixed equilibria of price-setting games where no pure one exists (Bertrand-Edgeworth cycles), on
the game's own price lattice: prices are multiples of its `tick`.

Provers who neither earn nor gain by deviating at the least-regret pure profile keep their price;
the others (the active ones) choose among the multiples of the tick between their break-even price
and the highest price that can still sell. Their finite game is built from the game's own payoffs
and solved by tracing the logit branch (solvers.logit); the result is certified independently over
every multiple of the tick within the strategy bounds, for every prover, against the others'
mixtures; a passive prover with a profitable deviation joins the active ones and the game is solved
again. Past MAX_PROFILES lattice profiles the solver declines and says so.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

MAX_PROFILES = 250_000       # active provers' lattice profiles the solver will build
MAX_LATTICE = 4_001          # multiples of the tick up to which prices are a lattice (else continuous)
CHUNK = 20_000


def tick_lattice(tick: float, lo: float, hi: float) -> np.ndarray | None:
    """The multiples of `tick` in [lo, hi], or None past MAX_LATTICE of them (a continuous price)."""
    first, last = int(np.ceil(lo / tick - 1e-9)), int(np.floor(hi / tick + 1e-9))
    return tick * np.arange(first, last + 1) if last - first + 1 <= MAX_LATTICE else None


@dataclass(frozen=True)
class MixedProfile:
    """Independent mixed strategies: prover i plays `support[i][k]` with probability `probs[i][k]`.

    Parameters
    ----------
    support : tuple of numpy.ndarray
        Each prover's strategies.
    probs : tuple of numpy.ndarray
        Their probabilities (each summing to 1).

    Examples
    --------
    >>> import numpy as np, provergame as pg
    >>> mix = pg.MixedProfile((np.array([1.0, 2.0]), np.array([3.0])), (np.array([0.5, 0.5]), np.array([1.0])))
    >>> mix.mean().tolist()
    [1.5, 3.0]
    """

    support: tuple[np.ndarray, ...]
    probs: tuple[np.ndarray, ...]

    def profiles(self) -> tuple[np.ndarray, np.ndarray]:
        """Every pure profile in the product of the supports, (m, n), and its probability, (m,)."""
        idx = np.array(list(itertools.product(*(range(len(s)) for s in self.support))))
        prof = np.stack([self.support[i][idx[:, i]] for i in range(len(self.support))], axis=1)
        w = np.prod([self.probs[i][idx[:, i]] for i in range(len(self.support))], axis=0)
        return prof, w

    def mean(self) -> np.ndarray:
        return np.array([s @ p for s, p in zip(self.support, self.probs)])

    def draw(self, rng: np.random.Generator, rounds: int) -> np.ndarray:
        """(rounds, n) indices into each prover's support, each prover drawing independently (only the
        provers that mix use the generator)."""
        return np.stack([rng.choice(len(s), size=rounds, p=p) if len(s) > 1 else np.zeros(rounds, dtype=np.int64)
                         for s, p in zip(self.support, self.probs)], axis=1)

    def sample(self, rng: np.random.Generator, rounds: int) -> np.ndarray:
        """(rounds, n) profiles, each prover drawing its price independently."""
        return self.at(self.draw(rng, rounds))

    def at(self, index: np.ndarray) -> np.ndarray:
        """The profiles at support indices (..., n)."""
        return np.stack([s[index[..., i]] for i, s in enumerate(self.support)], axis=-1)

    def table(self) -> list[tuple[int, float, float]]:
        """(prover, price, probability) rows of the mixing provers."""
        return [(i, float(x), float(q)) for i, (s, p) in enumerate(zip(self.support, self.probs))
                if len(s) > 1 for x, q in zip(s, p)]


@dataclass(frozen=True)
class LatticeEquilibrium:
    mixed: MixedProfile
    regret: float                  # tokens: best gain of any prover deviating to any multiple of the tick
    regret_by_player: np.ndarray
    certified: bool
    active: tuple[int, ...]
    method: str


def expected_payoffs(game, mixed: MixedProfile) -> np.ndarray:
    prof, w = mixed.profiles()
    return w @ np.asarray(game.expected_payoffs(prof), float)


def expected_stats(game, mixed: MixedProfile):
    """The game's Stats averaged over the mixture (every field is linear in the profile's probability)."""
    from dataclasses import fields, replace
    prof, w = mixed.profiles()
    each = [game.stats(p) for p in prof]

    def mean(name):
        v = sum(wk * np.asarray(getattr(st, name), float) for wk, st in zip(w, each))
        return float(v) if np.ndim(v) == 0 else v
    return replace(each[0], **{f.name: mean(f.name) for f in fields(each[0])})


def expected_on_time(game, mixed: MixedProfile, window: float) -> float:
    prof, w = mixed.profiles()
    return float(sum(wk * game.on_time(p, window) for wk, p in zip(w, prof)))


def lattice(game, lo: np.ndarray, hi: np.ndarray) -> list[np.ndarray]:
    """Multiples of the tick in [lo_i, hi_i] for each prover (within the game's own lattice)."""
    return [tick_lattice(float(game.tick), a, b) for a, b in zip(lo, hi)]


def mixed_regret(game, mixed: MixedProfile) -> np.ndarray:
    """Each prover's best gain from any multiple of the tick within its strategy bounds, against the
    others' mixtures (an independent search over the whole lattice, not the solver's)."""
    prices = game.price_lattice()
    cand = np.broadcast_to(prices, (game.n, len(prices)))
    prof, w = mixed.profiles()
    dev = np.zeros((game.n, len(prices)))
    for p, wk in zip(prof, w):
        dev += wk * game.deviation_payoffs(p, cand)
    return np.maximum(dev.max(axis=1) - expected_payoffs(game, mixed), 0.0)


def lattice_equilibrium(game, start: np.ndarray, sell_range: tuple[np.ndarray, np.ndarray],
                        tolerance: float = 1e-9) -> LatticeEquilibrium | str:
    """A certified mixed equilibrium of `game` with prices on its tick lattice, from the least-regret
    pure profile `start`; `sell_range` gives each prover's lowest sensible (break-even) and highest
    selling price. Otherwise the reason it declined: the tick is too fine for a lattice
    (MAX_LATTICE multiples), the lattice game would exceed MAX_PROFILES profiles, or no
    active set passed the certificate."""
    from .logit import logit_equilibrium
    from .regret import regret_by_player
    if game.price_lattice() is None:
        return f"the tick {game.tick:g} is too fine for a lattice (more than {MAX_LATTICE:,} prices)"
    start = np.asarray(start, float)
    own = np.asarray(game.expected_payoffs(start), float)
    active = set(np.flatnonzero((regret_by_player(game, start) > tolerance) | (own > tolerance)).tolist())
    grid = _sell_grids(game, sell_range)
    while True:
        act = sorted(i for i in active if len(grid[i]) > 0)
        size = np.prod([float(len(grid[i])) for i in act])
        if not act:
            return "no prover can sell above its break-even price"
        if size > MAX_PROFILES:
            return (f"{len(act)} active provers give {size:,.0f} lattice profiles, above the solver's limit of "
                    f"{MAX_PROFILES:,}")
        tensor = _payoff_tensor(game, start, act, [grid[i] for i in act])
        res = logit_equilibrium(tensor)
        mixed = _mixture(start, act, [grid[i] for i in act], res.strategies)
        reg = mixed_regret(game, mixed)
        scale = max(float(np.abs(tensor).max()), 1e-12)
        if reg.max() <= tolerance * scale:
            mixing = sum(len(x) > 1 for x in mixed.support)
            kind = f"mixed equilibrium ({mixing} of {len(act)} active provers mix)" if mixing else \
                f"pure equilibrium ({len(act)} active provers)"
            return LatticeEquilibrium(mixed, float(reg.max()), reg, res.exact, tuple(act),
                                      f"{kind} on the price lattice (multiples of {game.tick:g}), by the logit branch")
        newcomers = set(np.flatnonzero(reg > tolerance * scale).tolist()) - active
        if not newcomers:
            return f"the lattice solution of {len(act)} active provers failed its certificate (regret {reg.max():.3g})"
        active |= newcomers


def _sell_grids(game, sell_range: tuple[np.ndarray, np.ndarray]) -> list[np.ndarray]:
    """Each prover's lattice prices within its sell range and strategy bounds."""
    lo, hi = game.strategy_bounds()
    return lattice(game, np.maximum(sell_range[0], lo), np.minimum(sell_range[1], hi))


def _mixture(base: np.ndarray, act: list[int], grids: list[np.ndarray], strategies) -> MixedProfile:
    """The active provers mixing over their grids as `strategies` say (probabilities below 1e-12, a
    solver's rounding on unplayed prices, dropped), the rest at their `base` prices."""
    support = [np.array([x]) for x in base]
    probs = [np.array([1.0]) for _ in base]
    for k, i in enumerate(act):
        keep = np.asarray(strategies[k]) > 1e-12
        support[i], probs[i] = grids[k][keep], strategies[k][keep] / strategies[k][keep].sum()
    return MixedProfile(tuple(support), tuple(probs))


def _payoff_tensor(game, base: np.ndarray, act: list[int], grids: list[np.ndarray]) -> np.ndarray:
    """payoffs[a_1, ..., a_k, j]: active prover act[j]'s expected payoff when each active prover plays
    its grid price a_j and the rest keep `base`."""
    shape = tuple(len(g) for g in grids)
    idx = np.array(list(itertools.product(*(range(s) for s in shape))))
    out = np.empty((len(idx), len(act)))
    for s in range(0, len(idx), CHUNK):
        block = np.broadcast_to(base, (len(idx[s:s + CHUNK]), len(base))).copy()
        for j, i in enumerate(act):
            block[:, i] = grids[j][idx[s:s + CHUNK, j]]
        out[s:s + CHUNK] = np.asarray(game.expected_payoffs(block), float)[:, act]
    return out.reshape(shape + (len(act),))


def every_lattice_equilibrium(game, found: LatticeEquilibrium, tolerance: float = 1e-9
                              ) -> tuple[list[MixedProfile], int] | str:
    """Every isolated equilibrium of the lattice game `found` was solved in (its active provers on their
    sell-range grids, the rest at their prices), by the n-player support enumeration (two active
    provers: bimatrix vertex enumeration); each certified over the whole lattice by `mixed_regret`.
    Returns (equilibria, support profiles skipped as continua), or why not (too many support profiles)."""
    from .nash import MAX_VERTEX_ACTIONS
    from .normal_form import MAX_SUPPORT_PROFILES, NormalFormGame, mixed_equilibria
    act = list(found.active)
    grids = [_sell_grids(game, game.sell_range())[i] for i in act]
    supports = float(np.prod([2.0 ** len(g) - 1 for g in grids]))
    if len(act) > 2 and supports > MAX_SUPPORT_PROFILES:
        shown = f"{supports:,.0f}" if supports < 1e9 else f"{supports:.2g}"
        return f"{shown} support profiles (limit {MAX_SUPPORT_PROFILES:,})"
    if len(act) == 2 and sum(len(g) for g in grids) > MAX_VERTEX_ACTIONS:
        return (f"{len(grids[0])} x {len(grids[1])} lattice prices (vertex enumeration takes at most "
                f"{MAX_VERTEX_ACTIONS} in all)")
    base = np.array([float(s[0]) for s in found.mixed.support])
    tensor = _payoff_tensor(game, base, act, grids)
    res = mixed_equilibria(NormalFormGame(tensor))
    out = []
    scale = max(float(np.abs(tensor).max()), 1e-12)
    for strategies in res:
        mixed = _mixture(base, act, grids, strategies)
        if mixed_regret(game, mixed).max() <= tolerance * scale:
            out.append(mixed)
    return out, res.skipped
