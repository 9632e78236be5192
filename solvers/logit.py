"""One mixed equilibrium of any finite game by tracing the logit quantal response equilibrium
correspondence from the centroid (lambda = 0) towards lambda -> infinity, then solving the
indifference conditions on the support it arrives at.

The branch (McKelvey and Palfrey 1995; traced as in Turocy 2005, "A dynamic homotopy interpretation of
the logistic quantal response equilibrium correspondence", GEB 51) solves, for every player i and
action a,  log s_ia - log s_i0 = lambda (v_ia - v_i0),  sum_a s_ia = 1,  with v the action values
against the others' mixtures and payoffs normalised to [0, 1] per player. It is followed by
pseudo-arclength continuation in (log s, lambda), so it may bend back in lambda (Gambit's loopback
game). For generic games it ends at a Nash equilibrium; the end point is made exact by Newton's
method on the indifference system of its support, and certified by its regret, relative to each
player's payoff range. Where that fails the last point is returned with its regret, marked inexact.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from provergame.errors import InvalidParameter, check_int, check_real
from provergame.progress import reports_progress, tick

from .nash import check_payoffs
from .normal_form import NormalFormGame

CERTIFIED = 1e-9          # regret, relative to each player's payoff range, of a certified equilibrium
CAREFUL_STEP = 5.0        # longest step of the careful retrace: longer ones can hop between close sheets


@dataclass(frozen=True)
class LogitResult:
    strategies: list          # one probability vector per player
    regret: float             # relative to each player's payoff range
    exact: bool               # regret <= CERTIFIED after the support's indifference system was solved
    lam: float                # where on the branch the trace stopped
    steps: int


class _Game:
    """The normalised payoff tensors, each with its own player's axis first, and the contractions
    the trace needs."""

    def __init__(self, pay: np.ndarray):
        self.n = pay.ndim - 1
        self.k = list(pay.shape[:-1])
        self.off = np.concatenate([[0], np.cumsum(self.k)])
        self.T = []
        self.front = []
        self.others = [[j for j in range(self.n) if j != i] for i in range(self.n)]
        for i in range(self.n):
            t = pay[..., i]
            span = float(t.max() - t.min())
            self.T.append((t - t.min()) / span if span > 0 else np.zeros_like(t))
            self.front.append(np.ascontiguousarray(np.moveaxis(self.T[i], i, 0)))

    def split(self, flat: np.ndarray) -> list[np.ndarray]:
        return [flat[self.off[i]:self.off[i + 1]] for i in range(self.n)]

    def values(self, s: list[np.ndarray]) -> list[np.ndarray]:
        """v_i[a]: player i's payoff from action a, every other player mixing."""
        return [self.front[i].reshape(self.k[i], -1) @ _outer([s[j] for j in self.others[i]])
                for i in range(self.n)]

    def responses(self, s: list[np.ndarray]) -> tuple[list[np.ndarray], dict[tuple[int, int], np.ndarray]]:
        """The values and, for every ordered pair (i, j), the (k_i, k_j) matrix of player i's payoff
        from (a_i, a_j) with the rest mixing: one leave-one-out contraction per player."""
        if self.n == 1:
            return [self.front[0]], {}
        values, cross = [], {}
        for i in range(self.n):
            for j, c in _leave_one_out(self.front[i], self.others[i], s).items():
                cross[i, j] = c
            j = self.others[i][0]
            values.append(cross[i, j] @ s[j])
        return values, cross

    def regret(self, s: list[np.ndarray]) -> float:
        return max(float(v.max() - v @ si) for v, si in zip(self.values(s), s))


def _outer(vectors: list[np.ndarray]) -> np.ndarray:
    """The flattened outer product of the vectors (C order), ones(1) for none."""
    out = np.ones(1)
    for v in vectors:
        out = np.multiply.outer(out, v).ravel()
    return out


def _leave_one_out(t: np.ndarray, players: list[int], s: list[np.ndarray]) -> dict[int, np.ndarray]:
    """{p: t with every axis but its first and p's contracted with the mixtures}, where t's axes are
    (own, *players). Halving the players each time: two passes over t, then over smaller tensors."""
    if len(players) == 1:
        return {players[0]: t}
    half = len(players) // 2
    left, right = players[:half], players[half:]
    k_left, k_right = t.shape[1:1 + half], t.shape[1 + half:]
    flat = t.reshape(t.shape[0], int(np.prod(k_left)), int(np.prod(k_right)))
    keep_left = (flat @ _outer([s[p] for p in right])).reshape((t.shape[0],) + k_left)
    keep_right = (_outer([s[p] for p in left]) @ flat).reshape((t.shape[0],) + k_right)
    return {**_leave_one_out(keep_left, left, s), **_leave_one_out(keep_right, right, s)}


def _system(g: _Game, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """H(z) and its Jacobian (N, N + 1) at z = (log s, lambda)."""
    beta, lam = z[:-1], z[-1]
    s = g.split(np.exp(beta))
    v, cross = g.responses(s)
    N = len(beta)
    H = np.empty(N)
    J = np.zeros((N, N + 1))
    for i in range(g.n):
        o, k = g.off[i], g.k[i]
        b = beta[o:o + k]
        H[o] = s[i].sum() - 1.0
        J[o, o:o + k] = s[i]
        H[o + 1:o + k] = b[1:] - b[0] - lam * (v[i][1:] - v[i][0])
        J[o + 1:o + k, o + 1:o + k] = np.eye(k - 1)
        J[o + 1:o + k, o] = -1.0
        J[o + 1:o + k, -1] = -(v[i][1:] - v[i][0])
        for j in g.others[i]:
            c = cross[i, j]
            oj = g.off[j]
            J[o + 1:o + k, oj:oj + g.k[j]] = -lam * (c[1:] - c[0]) * s[j]
    return H, J


def _tangent(J: np.ndarray, previous: np.ndarray | None) -> np.ndarray:
    q, _ = np.linalg.qr(J.T, mode="complete")
    t = q[:, -1]
    if previous is None:
        return t if t[-1] > 0 else -t
    return t if t @ previous >= 0 else -t


def _polish(g: _Game, s: list[np.ndarray], cut: float) -> list[np.ndarray] | None:
    """Newton's method on the indifference system of the support {a: s_ia > cut}: every action in a
    player's support earns the same, probabilities sum to 1; kept if nonnegative."""
    supp = [np.flatnonzero(si > cut) for si in s]
    if any(len(x) == 0 for x in supp):
        return None
    y = [si[x] / si[x].sum() for si, x in zip(s, supp)]
    sizes = [len(x) for x in supp]
    off = np.concatenate([[0], np.cumsum(sizes)])
    for _ in range(30):
        full = [np.zeros(k) for k in g.k]
        for i in range(g.n):
            full[i][supp[i]] = y[i]
        v, cross = g.responses(full)
        F = np.zeros(off[-1])
        J = np.zeros((off[-1], off[-1]))
        for i in range(g.n):
            o, x = off[i], supp[i]
            F[o] = y[i].sum() - 1.0
            J[o, o:o + sizes[i]] = 1.0
            F[o + 1:o + sizes[i]] = v[i][x[1:]] - v[i][x[0]]
            for j in g.others[i]:
                c = cross[i, j][np.ix_(x, supp[j])]
                J[o + 1:o + sizes[i], off[j]:off[j] + sizes[j]] = c[1:] - c[0]
        if np.max(np.abs(F)) < 1e-14:
            break
        if not (np.isfinite(F).all() and np.isfinite(J).all()):
            return None                       # Newton diverged on this support: no polished point
        try:
            step = np.linalg.solve(J, -F)
        except np.linalg.LinAlgError:
            try:
                step = np.linalg.lstsq(J, -F, rcond=None)[0]
            except np.linalg.LinAlgError:     # LAPACK's SVD did not converge
                return None
        flat = np.concatenate(y) + step
        y = [flat[off[i]:off[i + 1]] for i in range(g.n)]
    if any(np.any(yi < -1e-12) for yi in y):
        return None
    out = [np.zeros(k) for k in g.k]
    for i in range(g.n):
        yi = np.clip(y[i], 0.0, None)
        out[i][supp[i]] = yi / yi.sum()
    return out


@reports_progress("logit_equilibrium: trace steps")
def logit_equilibrium(game: NormalFormGame | np.ndarray, max_steps: int = 20_000, max_lambda: float = 1e9,
                      progress: bool | None = None) -> LogitResult:
    """One Nash equilibrium of any finite game, by following the logit (quantal response) branch.

    The principal branch of the logit correspondence is traced from the centroid (lambda = 0) as
    lambda grows (McKelvey and Palfrey 1995; Turocy 2005), then polished on its support exactly; where
    every retrace ends uncertified, the certified equilibrium nearest its end from the full support
    enumeration (games small enough for it).

    Parameters
    ----------
    game : NormalFormGame or array_like
        The game (payoffs[a_1, ..., a_n, i]).
    max_steps : int, default 20_000
        Predictor-corrector steps allowed.
    max_lambda : float, default 1e9
        Where the trace stops.
    progress : bool, optional
        A progress bar on stderr (default: when stderr is a terminal or a notebook; False: never).

    Returns
    -------
    LogitResult
        strategies (one mixed strategy per player), regret, exact, lam, steps.

    References
    ----------
    R. McKelvey, T. Palfrey, Games and Economic Behavior 10 (1995) 6-38; T. Turocy, Games and
    Economic Behavior 51 (2005) 243-263.

    Examples
    --------
    >>> import numpy as np, provergame as pg
    >>> row = np.array([[3, 0], [5, 1]])                     # the prisoner's dilemma: defect (1) dominates
    >>> game = pg.NormalFormGame.from_arrays([row, row.T])
    >>> [s.tolist() for s in pg.logit_equilibrium(game).strategies]
    [[0.0, 1.0], [0.0, 1.0]]
    """
    max_steps = check_int("max_steps", max_steps, lo=1)
    max_lambda = check_real("max_lambda", max_lambda, lo=0, lo_open=True)
    if isinstance(game, NormalFormGame):
        payoffs = game.payoffs
    else:                              # any number of actions (price lattices): only the shape is checked
        payoffs = check_payoffs("payoffs", game, max_actions=None)
        if payoffs.ndim < 2 or payoffs.shape[-1] != payoffs.ndim - 1:
            raise InvalidParameter("payoffs", f"shape {payoffs.shape}", "a tensor of shape (a_1, ..., a_n, n), n >= 1")
    g = _Game(payoffs)
    with np.errstate(over="ignore", invalid="ignore"):
        res = _trace(g, g, max_steps, max_lambda, np.inf)
        if not res.exact:                  # hopped onto a returning sheet: retrace with short steps
            again = _trace(g, g, max_steps, max_lambda, CAREFUL_STEP)
            res = again if again.exact or again.regret < res.regret else res
        for size in (1e-5, 1e-3):
            if res.exact:
                break
            noise = np.random.default_rng(0).uniform(-size, size, payoffs.shape)
            bumped = _Game(np.stack(g.T, axis=-1) + noise)
            again = _trace(bumped, g, max_steps, max_lambda, CAREFUL_STEP)
            if again.exact or again.regret < res.regret:
                res = again
    return res if res.exact else _nearest_enumerated(payoffs, res)


def _nearest_enumerated(payoffs: np.ndarray, res: LogitResult) -> LogitResult:
    """Where the trace ends uncertified: the certified equilibrium nearest its end point, from the full
    support enumeration (when the game is small enough for it), so the answer is an equilibrium."""
    from .normal_form import MAX_SUPPORT_PROFILES, mixed_equilibria
    if int(np.prod([2.0 ** k - 1 for k in payoffs.shape[:-1]])) > MAX_SUPPORT_PROFILES:
        return res
    found = mixed_equilibria(NormalFormGame(payoffs))
    if not len(found):
        return res
    distance = [sum(float(np.abs(a - b).sum()) for a, b in zip(e, res.strategies)) for e in found]
    k = int(np.argmin(distance))
    return LogitResult(list(found.equilibria[k]), float(found.regrets[k]), True, res.lam, res.steps)


def _trace(g: _Game, target: _Game, max_steps: int, max_lambda: float, max_step: float) -> LogitResult:
    """Follow g's branch with steps up to `max_step` (and 1e3 + lambda); try to make each point close to
    equilibrium exact in `target`."""
    z = np.concatenate([np.concatenate([np.full(k, -np.log(k)) for k in g.k]), [0.0]])
    _, J = _system(g, z)
    t = _tangent(J, None)
    h, best, steps = 0.05, None, 0
    best_regret = np.inf
    while steps < max_steps and z[-1] < max_lambda:
        steps += 1
        tick("logit_equilibrium", f"lambda {z[-1]:.3g}")
        pred = z + h * t
        w, ok = pred.copy(), False
        for it in range(8):
            H, J = _system(g, w)
            A = np.vstack([J, t])
            F = np.concatenate([H, [t @ (w - pred)]])
            try:
                dw = np.linalg.solve(A, -F)
            except np.linalg.LinAlgError:
                break
            w = w + dw
            if not np.all(np.isfinite(w)):
                break
            if np.max(np.abs(dw)) < 1e-10 * max(1.0, np.max(np.abs(w))):
                ok = np.max(np.abs(_system(g, w)[0])) < 1e-8
                break
        if ok and w[-1] >= 0:
            _, J = _system(g, w)
            ahead = _tangent(J, t)
            # a sharp turn, or a corrector that moved far from the prediction: the step may have jumped
            # to a nearby sheet of the branch (past a fold); retried shorter
            ok = bool(ahead @ t > 0.95) and float(np.linalg.norm(w - pred)) <= 0.2 * h
        if not ok or w[-1] < 0:
            h /= 2
            if h < 1e-12:
                break
            continue
        t = ahead
        z = w
        h = min(h * (1.6 if it <= 3 else 1.0), max_step, 1e3 + z[-1])
        s = g.split(np.exp(z[:-1]))
        r = target.regret(s)
        if r < best_regret:
            best, best_regret = s, r
        if r < 1e-3:
            for cut in (1e-3, 1e-5, 1e-2, 1e-7):
                exact = _polish(target, s, cut)
                if exact is not None:
                    er = target.regret(exact)
                    if er <= CERTIFIED:
                        return LogitResult(exact, er, True, float(z[-1]), steps)
    s = best if best is not None else g.split(np.exp(z[:-1]))
    return LogitResult([np.asarray(x) for x in s], float(best_regret), False, float(z[-1]), steps)
