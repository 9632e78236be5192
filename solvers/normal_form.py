"""General finite games: `NormalFormGame` for any number of players, and all their isolated mixed
equilibria for small games.

Two players go to `bimatrix`. For n >= 3 players: support enumeration (McKelvey and McLennan 1996,
"Computation of equilibria in finite games", section 4): for every profile of supports, the
indifference conditions (every action in a player's support earns the same) and the simplex
constraints form a multilinear polynomial system, solved exactly over the rationals by sympy (payoffs
are taken at their exact binary values); a real solution with probabilities in (0, 1] where no
action outside a support earns more is an equilibrium. Each is certified by its regret, relative to
the player's payoff range. Solution sets that are not isolated (continua, in degenerate games) are
reported as skipped, never as equilibria.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cached_property
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from provergame.errors import InvalidParameter
from provergame.progress import expect, tick

from .nash import check_payoffs

MAX_SUPPORT_PROFILES = 20_000      # support profiles support enumeration may visit


@dataclass(frozen=True)
class NormalFormGame:
    """A finite game of any number of players: payoffs[a_1, ..., a_n, i] is player i's payoff.

    Parameters
    ----------
    payoffs : array_like
        Shape (a_1, ..., a_n, n); `from_arrays` stacks one (a_1, ..., a_n) array per player.

    Examples
    --------
    >>> import numpy as np, provergame as pg
    >>> row = np.array([[3, 0], [5, 1]])
    >>> game = pg.NormalFormGame.from_arrays([row, row.T])
    >>> game.players, game.actions
    (2, (2, 2))
    """

    payoffs: np.ndarray

    def __post_init__(self) -> None:
        arr = check_payoffs("payoffs", self.payoffs)
        if arr.ndim < 2 or arr.shape[-1] != arr.ndim - 1:
            raise InvalidParameter("payoffs", f"shape {arr.shape}", "a tensor of shape (a_1, ..., a_n, n), n >= 1")
        object.__setattr__(self, "payoffs", arr)

    @classmethod
    def from_arrays(cls, arrays: Sequence[Any]) -> "NormalFormGame":
        """One payoff array per player, each of shape (a_1, ..., a_n)."""
        arrs = [np.asarray(a, dtype=float) for a in arrays]
        if not arrs or any(a.shape != arrs[0].shape for a in arrs) or arrs[0].ndim != len(arrs):
            raise InvalidParameter("payoffs", [a.shape for a in arrs], "n arrays of one shape (a_1, ..., a_n)")
        return cls(np.stack(arrs, axis=-1))

    @property
    def players(self) -> int:
        return self.payoffs.ndim - 1

    @property
    def actions(self) -> tuple[int, ...]:
        return self.payoffs.shape[:-1]

    @cached_property
    def _own_first(self) -> tuple[np.ndarray, ...]:
        """Each player's payoffs with its own actions first."""
        return tuple(np.moveaxis(self.payoffs[..., i], i, 0) for i in range(self.players))

    @cached_property
    def _spans(self) -> tuple[float, ...]:
        """Each player's payoff range (max - min over the profiles): regrets are in its units."""
        return tuple(float(self.payoffs[..., i].max() - self.payoffs[..., i].min()) for i in range(self.players))

    def action_values(self, strategies: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Each player's expected payoff from each of its actions, the others mixing as given."""
        mixes = [np.asarray(s, float) for s in strategies]
        out = []
        for i, t in enumerate(self._own_first):
            for s in [s for j, s in enumerate(mixes) if j != i][::-1]:
                t = t @ s
            out.append(t)
        return out

    def regret(self, strategies: Sequence[np.ndarray]) -> float:
        """Largest gain of a unilateral deviation, in units of the deviating player's payoff range
        (infinite for a profile with a probability that is not a finite number: no equilibrium)."""
        mixes = [np.asarray(s, float) for s in strategies]
        if not all(np.isfinite(s).all() for s in mixes):
            return float("inf")
        worst = 0.0
        for v, s, span in zip(self.action_values(mixes), mixes, self._spans):
            if span > 0:
                worst = max(worst, float(v.max() - v @ s) / span)
        return worst


@dataclass(frozen=True)
class MixedEquilibria:
    equilibria: list
    regrets: list
    skipped: int = 0                      # support profiles not solved to isolated points: a continuum, or a
                                          # system sympy cannot solve (counted here, never guessed)
    method: str = ""
    extra: dict = field(default_factory=dict)   # "continuum_extreme_points": certified extreme points of
                                                # continua (not in `equilibria`); "skipped_without_ends": skipped
                                                # profiles whose ends were not sought (left unresolved by the
                                                # subdivision, or past support_signs.MAX_END_SYSTEMS)

    def __len__(self) -> int:
        return len(self.equilibria)

    def __iter__(self):
        return iter(self.equilibria)


def mixed_equilibria(game: NormalFormGame | Any, tolerance: float = 1e-9) -> MixedEquilibria:
    """Every isolated equilibrium (pure and mixed) of a finite game, each with its regret."""
    game = game if isinstance(game, NormalFormGame) else NormalFormGame(game)
    if game.players == 1:
        v = game.payoffs[..., 0]
        best = np.flatnonzero(v >= v.max() - tolerance * max(float(v.max() - v.min()), 0.0))
        eqs = [[np.eye(len(v))[a]] for a in best]
        return MixedEquilibria(eqs, [0.0] * len(eqs), method="best actions")
    if game.players == 2:
        from .nash import bimatrix
        res = bimatrix(game.payoffs[..., 0], game.payoffs[..., 1])
        eqs = [[x, y] for x, y in res]
        return MixedEquilibria(eqs, [game.regret(e) for e in eqs], method="bimatrix")
    return _support_enumeration(game, tolerance)


def _supports(k: int) -> list[tuple[int, ...]]:
    return [s for size in range(1, k + 1) for s in itertools.combinations(range(k), size)]


def _support_enumeration(game: NormalFormGame, tolerance: float) -> MixedEquilibria:
    """Every support profile whose actions survive conditional dominance, its indifference system solved
    in closed form where two players mix, three over two actions each or over 3, 2 and 2, or four over two
    actions each (solvers/support_direct.py), else settled by its equations' signs at the pure profiles
    where they allow (solvers/support_signs.py), else by exclusion and subdivision (solvers/subdivision.py);
    each root that is a probability profile with no better action outside the supports is an equilibrium,
    certified by its regret, and each end of a continuum an extreme point, certified the same way."""
    from .subdivision import SupportSystem
    acts = game.actions
    per_player = [_supports(k) for k in acts]
    total = int(np.prod([len(s) for s in per_player]))
    if total > MAX_SUPPORT_PROFILES:
        raise InvalidParameter("payoffs", f"{total} support profiles", f"at most {MAX_SUPPORT_PROFILES} (a small game)")
    scaled = _scaled(game.payoffs)
    found = [[np.eye(k)[a] for k, a in zip(acts, cell)] for cell in _pure_cells(scaled, tolerance)]
    regrets = [game.regret(e) for e in found]
    skipped = unsought = 0                       # support profiles not isolated; of them, without their ends sought
    extreme: list[list[np.ndarray]] = []         # continua's extreme points, each certified
    expect("equilibria", total)
    by_sizes: dict[tuple[int, ...], list[tuple[tuple[int, ...], ...]]] = {}
    for profile in itertools.product(*per_player):
        by_sizes.setdefault(tuple(len(s) for s in profile), []).append(profile)
    by_sizes.pop((1,) * len(acts), None)
    tick("equilibria", "support profiles", steps=int(np.prod(acts)))          # the pure ones, counted above
    stacks: dict[tuple, tuple[list, list]] = {}      # (size, actions) per player, largest first -> members, tensors
    for sizes, profiles in by_sizes.items():
        stack, kept = _restricted_stack(scaled, profiles)
        tick("equilibria", "support profiles", steps=int(np.count_nonzero(~kept)))   # conditionally dominated
        if not kept.any():
            continue
        order = np.lexsort((-np.array(acts), -np.array(sizes)))   # players by support size, then action count:
        shape = tuple((sizes[q], acts[q]) for q in order)           # profiles of the same sizes and counts in
        members, parts = stacks.setdefault(shape, ([], []))         # any player order share a stack
        members += [(p, order) for p, k in zip(profiles, kept) if k]
        parts.append([np.transpose(stack[q], [0] + [1 + r for r in order]) for q in order])
    for shape, (members, parts) in stacks.items():
        sizes = tuple(k for k, _ in shape)
        stack = tuple(np.concatenate([part[i] for part in parts]) for i in range(len(sizes)))
        canonical = tuple(tuple(range(k)) for k in sizes)
        for (profile, order), roots in zip(members, _solved(SupportSystem(stack, canonical, batched=True))):
            tick("equilibria", "support profiles")
            stuck = roots.unresolved > 0
            skipped, unsought = skipped + stuck, unsought + (stuck and roots.extreme is None)
            for x in roots.points:
                strategies = _strategies(acts, profile, _player_order(x, sizes, order))
                if strategies is None or _seen(found, strategies):
                    continue
                regret = game.regret(strategies)
                if regret <= tolerance:
                    found.append(strategies)
                    regrets.append(regret)
            for x in [] if roots.extreme is None else roots.extreme:
                strategies = _strategies(acts, profile, _player_order(x, sizes, order))
                if strategies is not None and game.regret(strategies) <= tolerance and not _seen(extreme, strategies):
                    extreme.append(strategies)
    found, regrets, extreme = _isolated(found, regrets, extreme)
    return MixedEquilibria(found, regrets, skipped,
                           "support enumeration, each system solved in closed form or by exclusion and subdivision",
                           {"continuum_extreme_points": extreme, "skipped_without_ends": unsought})


def _isolated(found: list, regrets: list, extreme: list) -> tuple[list, list, list]:
    """A mixed point that is also a continuum's extreme point is not isolated (a larger support's system may
    hold it as an isolated root on its face): it is listed with the extreme points. A pure one stays an
    equilibrium (every pure profile is solved, as Gambit's enumpoly does)."""
    mixed = [any(float(s.max()) < 1.0 for s in e) for e in found]
    kept = [m for m, e in enumerate(found) if not (mixed[m] and _seen(extreme, e))]
    found, regrets = [found[m] for m in kept], [regrets[m] for m in kept]
    return found, regrets, [e for e in extreme if not _seen(found, e)]


def _player_order(x: np.ndarray, sizes: tuple[int, ...], order: np.ndarray) -> np.ndarray:
    """A root's free probabilities, solved with the players in `order` (blocks of sizes[q] - 1 each), back in
    the game's player order."""
    ends = np.cumsum([k - 1 for k in sizes])
    blocks = np.split(np.asarray(x), ends[:-1])
    back = np.empty(len(order), int)
    back[order] = np.arange(len(order))
    return np.concatenate([blocks[back[i]] for i in range(len(order))]) if len(x) else np.asarray(x)


def _solved(system: Any) -> list:
    """Every system's roots: in closed form where solvers/support_direct.py has one, the rest by exclusion
    and subdivision, as one stack."""
    from .subdivision import SupportSystem
    from .support_direct import direct_roots
    from .support_signs import solve_with_signs
    roots = direct_roots(system)
    left = [w for w, r in enumerate(roots) if r is None]
    if left:
        sub = SupportSystem(tuple(t[left] for t in system.tensors), system.supports, batched=True)
        for w, r in zip(left, solve_with_signs(sub)):
            roots[w] = r
    return roots


def _scaled(payoffs: np.ndarray) -> np.ndarray:
    """Each player's payoffs mapped affinely onto [0, 1] (equilibria do not change)."""
    lo = payoffs.min(axis=tuple(range(payoffs.ndim - 1)))
    span = payoffs.max(axis=tuple(range(payoffs.ndim - 1))) - lo
    return (payoffs - lo) / np.where(span > 0, span, 1.0)


def _pure_cells(scaled: np.ndarray, tolerance: float) -> list[tuple[int, ...]]:
    n = scaled.ndim - 1
    ok = np.ones(scaled.shape[:-1], bool)
    for i in range(n):
        ok &= scaled[..., i] >= scaled[..., i].max(axis=i, keepdims=True) - tolerance
    return [tuple(int(a) for a in c) for c in np.argwhere(ok)]


def _restricted(scaled: np.ndarray, profile: tuple[tuple[int, ...], ...]) -> tuple[np.ndarray, ...] | None:
    """Each player's payoffs over its own actions and the others' supports; None when some support
    action is strictly dominated by another action against every profile of the others' supports."""
    n = len(profile)
    out = []
    for i in range(n):
        t = scaled[..., i]
        for j in range(n):
            if j != i:
                t = np.take(t, profile[j], axis=j)
        rows = np.moveaxis(t, i, 0).reshape(t.shape[i], -1)
        if ((rows[:, None, :] - rows[None, list(profile[i]), :]) > 1e-12).all(axis=2).any(axis=0).any():
            return None
        out.append(t)
    return tuple(out)


def _restricted_stack(scaled: np.ndarray, profiles: list[tuple[tuple[int, ...], ...]]
                      ) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """`_support_first(_restricted(scaled, p), p)` for every support profile p of the same sizes at once, stacked
    on a leading axis, with the mask of the profiles kept (those `_restricted` does not drop as conditionally
    dominated): one gather per player for the whole stack."""
    acts, n, count = scaled.shape[:-1], scaled.ndim - 1, len(profiles)
    sizes = [len(s) for s in profiles[0]]
    support = [np.array([p[j] for p in profiles]).reshape(count, sizes[j]) for j in range(n)]
    own = [np.array([list(p[j]) + [a for a in range(acts[j]) if a not in p[j]] for p in profiles]) for j in range(n)]
    tensors, kept = [], np.ones(count, bool)
    for i in range(n):
        index = []
        for j in range(n):
            at = own[j] if j == i else support[j]
            shape = [count] + [1] * n
            shape[1 + j] = at.shape[1]
            index.append(at.reshape(shape))
        t = scaled[..., i][tuple(index)]                      # (profiles, supports..., all own actions first-support)
        rows = np.moveaxis(t, 1 + i, 1).reshape(count, acts[i], -1)
        kept &= ~((rows[:, :, None, :] - rows[:, None, :sizes[i], :]) > 1e-12).all(axis=3).any(axis=(1, 2))
        tensors.append(t)
    return tuple(t[kept] for t in tensors), kept


def _support_first(tensors: tuple[np.ndarray, ...], profile: tuple[tuple[int, ...], ...]) -> tuple[np.ndarray, ...]:
    """Each player's restricted payoffs with its own actions reordered support first (in the support's
    order), then the rest: every support profile of the same sizes then has the same system layout."""
    out = []
    for i, (t, supp) in enumerate(zip(tensors, profile)):
        rest = [a for a in range(t.shape[i]) if a not in supp]
        out.append(np.take(t, list(supp) + rest, axis=i))
    return tuple(out)


def _strategies(acts: tuple[int, ...], profile, x: np.ndarray) -> list[np.ndarray] | None:
    if not np.isfinite(x).all():
        return None
    out, start = [], 0
    for k, supp in zip(acts, profile):
        free = x[start:start + len(supp) - 1]
        start += len(supp) - 1
        p = np.concatenate([[1.0 - free.sum()], free])
        if (p < -1e-9).any():
            return None
        s = np.zeros(k)
        s[list(supp)] = np.clip(p, 0.0, None)
        out.append(s / s.sum())
    return out


def _seen(found: list[list[np.ndarray]], strategies: list[np.ndarray]) -> bool:
    return any(all(np.abs(a - b).max() < 1e-9 for a, b in zip(strategies, f)) for f in found)


def exact_support_enumeration(game: NormalFormGame, tolerance: float = 1e-9) -> MixedEquilibria:
    """The same equilibria by sympy's exact polynomial solver (slow; a reference for tests): payoffs at
    their exact binary values, every support profile's system solved over the rationals."""
    import sympy as sp
    acts = game.actions
    exact = np.vectorize(lambda x: sp.Rational(Fraction(float(x))), otypes=[object])(game.payoffs)
    found: list[list[np.ndarray]] = []
    skipped = 0
    for profile in itertools.product(*[_supports(k) for k in acts]):
        syms = [[sp.Symbol(f"s{i}_{a}") for a in supp] for i, supp in enumerate(profile)]
        mix = []
        for i, supp in enumerate(profile):
            vec = [sp.Integer(0)] * acts[i]
            for a, s in zip(supp, syms[i]):
                vec[a] = s
            mix.append(vec)
        eqs = [sum(s) - 1 for s in syms]
        values = _exact_action_values(exact, mix)
        for i, supp in enumerate(profile):
            eqs += [sp.expand(values[i][supp[0]] - values[i][a]) for a in supp[1:]]
        unknowns = [s for row in syms for s in row]
        try:
            solutions = sp.solve(eqs, unknowns, dict=True)
        except NotImplementedError:       # sympy cannot solve this system: counted as skipped, never guessed
            skipped += 1
            continue
        for sol in solutions:
            if len(sol) < len(unknowns) or any(not v.is_number for v in sol.values()):
                skipped += 1              # a continuum of solutions: not an isolated equilibrium
                continue
            vals = {k: complex(sp.N(v, 30)) for k, v in sol.items()}
            if any(abs(v.imag) > 1e-12 or v.real <= 1e-12 for v in vals.values()):
                continue
            strategies = [np.array([float(vals[s].real) if isinstance(s, sp.Symbol) else 0.0 for s in vec])
                          for vec in mix]
            if game.regret(strategies) <= tolerance and not _seen(found, strategies):
                found.append(strategies)
    return MixedEquilibria(found, [game.regret(e) for e in found], skipped, "support enumeration, sympy")


def _exact_action_values(payoffs: np.ndarray, mix: list[list[Any]]) -> list[list[Any]]:
    """Each player's expected payoff of each action, symbolically in the others' mixtures."""
    import sympy as sp
    n = len(mix)
    out = []
    for i in range(n):
        row = []
        for a in range(payoffs.shape[i]):
            total = sp.Integer(0)
            others = [range(payoffs.shape[j]) if j != i else [a] for j in range(n)]
            for cell in itertools.product(*others):
                weight = sp.Integer(1)
                for j in range(n):
                    if j != i:
                        weight *= mix[j][cell[j]]
                        if weight == 0:
                            break
                if weight != 0:
                    total += weight * payoffs[cell + (i,)]
            row.append(sp.expand(total))
        out.append(row)
    return out
