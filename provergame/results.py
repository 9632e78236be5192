"""Result objects: each has to_frame() (tidy pandas) and _repr_markdown_() for notebooks and reports."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from provergame.lazy import pandas as pd

if TYPE_CHECKING:
    from provergame.solvers.metrics import Metrics


def _fmt(x: Any) -> str:
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if x == 0:
            return "0"
        if np.isnan(x):
            return "n/a"
        if not np.isfinite(x):
            return str(x)
        if abs(x) >= 1e5 or abs(x) < 1e-3:
            return f"{x:.3e}"
        return f"{x:.4g}"
    return str(x)


def markdown_table(frame: pd.DataFrame) -> str:
    """A plain markdown table with compact, deterministic number formatting."""
    cols = list(frame.columns)
    lines = ["| " + " | ".join(map(str, cols)) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_fmt(v) for v in row) + " |")
    return "\n".join(lines)


CERTIFIED_REGRET = 1e-6     # regret, relative to the largest payoff, up to which a profile is an equilibrium


@dataclass(frozen=True)
class Equilibrium:
    """An equilibrium with its certificate.

    `regret` is the largest gain of any unilateral deviation, found by an independent best-response
    search (solvers.regret), not reported by the solver.

    Attributes
    ----------
    game : str
        The game's title.
    profile, payoffs : numpy.ndarray
        One strategy and one expected payoff per player.
    regret : float
        The certificate; `regret_by_player` per player.
    method : str
        How the solver found it; `exact` whether it claims an exact equilibrium.
    names : tuple of str
        The players; `strategy` what a profile entry means.
    extra : dict
        Solver extras (a mixture, a bid function), also readable as attributes.
    certified : bool
        Whether the regret certifies an equilibrium (at most 1e-6 of the largest payoff).

    Examples
    --------
    >>> import provergame as pg
    >>> game = pg.games.WinnerTakesAll(10.0, pg.Population.from_arrays(cost=[1.0, 1.2]))
    >>> pg.solve(game).to_frame().columns.tolist()[:2]
    ['prover', 'entry probability']
    """

    game: str
    profile: np.ndarray
    payoffs: np.ndarray
    regret: float
    regret_by_player: np.ndarray
    method: str
    exact: bool
    names: tuple[str, ...]
    strategy: str = "entry probability"
    extra: dict[str, Any] = field(default_factory=dict)
    best_response: np.ndarray | None = None   # a strategy attaining each player's best deviation

    def __getattr__(self, name: str) -> Any:
        extra = object.__getattribute__(self, "extra")
        if name in extra:
            return extra[name]
        raise AttributeError(name)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"prover": list(self.names), self.strategy: self.profile,
                             "payoff": self.payoffs, "regret": self.regret_by_player})

    @property
    def certified(self) -> bool:
        """Whether the certificate holds: no unilateral deviation gains more than 1e-6 of the largest
        payoff (at least 1e-6). A profile that fails it is a least-regret profile, not an equilibrium."""
        scale = max(1.0, float(np.max(np.abs(self.payoffs), initial=0.0)))
        return bool(self.regret <= CERTIFIED_REGRET * scale)

    def _repr_markdown_(self) -> str:
        what = "equilibrium" if self.certified else "profile, NOT an equilibrium (least regret)"
        head = (f"**{self.game} {what}** ({self.method}; exact: {_fmt(self.exact)}; "
                f"regret {_fmt(self.regret)})\n\n")
        frame = self.to_frame()
        if len(frame) > 20:
            frame = frame.sort_values("payoff", ascending=False).head(20)
            head += "(top 20 provers by payoff)\n\n"
        return head + markdown_table(frame)


@dataclass(frozen=True)
class Rollout:
    """Monte Carlo means over `rounds` seeded rounds of the protocol rules, with standard errors.

    Attributes
    ----------
    mean_payoffs, stderr : numpy.ndarray
        Each player's mean payoff per round and its standard error.
    mean_reward, mean_cost, participation : numpy.ndarray
        Per player, per round.
    eventual_liveness, on_time : float
        Share of demand proved whenever it landed, and within `window`.
    user_payment, useful_cost : float
        Per round.
    metrics : Metrics
        The registered metrics from the simulated means.

    Examples
    --------
    >>> import provergame as pg
    >>> game = pg.games.WinnerTakesAll(10.0, pg.Population.from_arrays(cost=[1.0, 1.2]))
    >>> roll = pg.simulate(game, [1, 1], rounds=1_000, seed=0)
    >>> roll.rounds, len(roll.mean_payoffs)
    (1000, 2)
    """

    game: str
    rounds: int
    seed: int
    names: tuple[str, ...]
    mean_payoffs: np.ndarray
    stderr: np.ndarray
    mean_reward: np.ndarray
    mean_cost: np.ndarray
    participation: np.ndarray
    eventual_liveness: float               # share of demand proved, whenever it landed
    eventual_liveness_stderr: float
    user_payment: float
    user_payment_stderr: float
    useful_cost: float
    metrics: Metrics
    cost_stderr: np.ndarray | None = None
    smallest_reward: float = float("inf")    # smallest nonzero |reward| any prover got in one round
    on_time: float = float("nan")            # share of demand proved within `window` (from proof times)
    on_time_stderr: float = float("nan")
    window: float = float("nan")

    def ci(self, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
        return self.mean_payoffs - z * self.stderr, self.mean_payoffs + z * self.stderr

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"prover": list(self.names), "mean_payoff": self.mean_payoffs, "stderr": self.stderr,
                             "mean_reward": self.mean_reward, "mean_cost": self.mean_cost,
                             "participation": self.participation})

    def _repr_markdown_(self) -> str:
        m = pd.DataFrame({"metric": list(self.metrics), "simulated": list(self.metrics.values())})
        return (f"**{self.game} rollout** ({self.rounds} rounds, seed {self.seed})\n\n"
                + markdown_table(self.to_frame().head(20)) + "\n\n" + markdown_table(m))


@dataclass(frozen=True)
class CrossCheck:
    """Agreement of analytic expectations with the simulator: z = (simulated - analytic) / stderr.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per quantity: analytic, simulated, stderr, z, ok.
    tolerance : float
        The Sidak-adjusted limit on |z|; `passed` when every row is within it.

    Examples
    --------
    >>> import provergame as pg
    >>> game = pg.games.WinnerTakesAll(10.0, pg.Population.from_arrays(cost=[1.0, 1.2]))
    >>> chk = pg.cross_check(game, [1, 1], pg.simulate(game, [1, 1], rounds=5_000, seed=1))
    >>> chk.passed, "z" in chk.to_frame()
    (True, True)
    """

    game: str
    table: pd.DataFrame
    tolerance: float

    @property
    def passed(self) -> bool:
        return bool(self.table["ok"].all())

    @property
    def max_abs_z(self) -> float:
        z = self.table["z"].abs()
        return float(z[np.isfinite(z)].max()) if np.isfinite(z).any() else 0.0

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def _repr_markdown_(self) -> str:
        verdict = "agree" if self.passed else "DISAGREE"
        return (f"**{self.game} cross-check**: analytic and simulated {verdict} "
                f"(max |z| = {_fmt(self.max_abs_z)}; limit {self.tolerance} standard errors, the 4-sigma level "
                f"Sidak-adjusted for {len(self.table)} quantities)\n\n"
                + markdown_table(self.table))
