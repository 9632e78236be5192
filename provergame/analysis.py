"""pg.analyse: everything provergame says about one game, as one record (Analysis).

The evaluation path (`api.evaluate`: solved, certified, measured, attacked), the simulator's run and
its cross-check, the family's report sections, the theorems with their audits (cached on disk), and
the equilibrium set around the pure equilibrium (`equilibrium_set`).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provergame.lazy import pandas as pd

from .api import cross_check, evaluate
from provergame.games.base import check_game
from .equilibrium_set import set_around
from .progress import expect, reports_progress, tick
from .results import CrossCheck, Equilibrium, Rollout, markdown_table
from .rollout import simulate
from .timing import Timing
from provergame.games import Game
from provergame.solvers.bribe import BribeThreshold
from provergame.solvers.metrics import Metrics


@dataclass(frozen=True)
class Analysis:
    """Everything provergame says about one game (pg.analyse).

    Attributes
    ----------
    game : Game
        The game.
    equilibrium : Equilibrium
        Certified (a mixture where a price game has no pure one).
    metrics : Metrics
        At the equilibrium.
    rollout, cross_check : Rollout, CrossCheck
        The simulator's run and its agreement.
    proofs : pandas.DataFrame
        Theorems with their audits.
    attacks : dict
        Each registered attack's result by name (`bribe`, `coalitions`, `cartel` read them).
    extra : dict
        The family's report sections.
    timing : Timing
        Window and slot length.
    equilibrium_set : EquilibriumSet
        Every pure equilibrium where enumerable (the headline metrics' worst and best over it), or the
        solver's, labelled.

    Examples
    --------
    >>> import provergame as pg
    >>> game = pg.games.WinnerTakesAll(10.0, pg.Population.from_arrays(cost=[1.0, 1.2]))
    >>> sorted(pg.analyse(game, rounds=2_000).attacks)
    ['coalitions', 'kickback', 'undercut_or_sybil', 'withhold']
    """

    game: Any
    equilibrium: Equilibrium
    metrics: Metrics
    rollout: Rollout
    cross_check: CrossCheck
    proofs: pd.DataFrame
    extra: dict[str, Any] = field(default_factory=dict)
    timing: Timing = field(default_factory=Timing)
    attacks: dict[str, Any] = field(default_factory=dict)     # by registered attack (provergame.attacks)
    equilibrium_set: Any = None                               # EquilibriumSet around the pure equilibrium
    achievable: Any = None        # {objective: Achievable} against the best correlated equilibrium, or why not

    @property
    def title(self) -> str:
        return self.game.title

    @property
    def bribe(self) -> BribeThreshold:
        """The stall bribe after everyone responds (the "withhold" attack)."""
        return self.attacks["withhold"]

    @property
    def coalitions(self) -> dict[int, Any]:
        """The best joint deviation of up to k = 2, 3 players (the "coalitions" attack)."""
        found = self.attacks.get("coalitions")
        return {} if found is None else found.by_size

    @property
    def cartel(self) -> Any:
        """The best pair's cartel, None where no pair gains (the "coalitions" attack)."""
        found = self.attacks.get("coalitions")
        return None if found is None else found.cartel

    def summary(self) -> dict[str, Any]:
        """The comparison table's row: metrics, every registered attack's columns, certificates, proofs."""
        from provergame.proofs.coverage import proved_share

        from .attacks import ATTACKS
        m = self.metrics
        t = self.timing
        proved = int(self.proofs["counted"].sum()) if len(self.proofs) else 0
        seats = self.game.seats(self.equilibrium.profile)
        row = {"mechanism": self.title, "participants": m["participants"],
               "seats": "n/a" if seats is None else seats, "hhi": m["hhi"],
               "nakamoto": m["nakamoto"], "on-time liveness": m["liveness"],
               "eventual liveness": m["eventual_liveness"], "proofs per round": self.game.units_per_round,
               "user_cost per proof": m["user_cost"],
               "user_cost per hour": t.per_hour(m["user_cost"] * m["eventual_liveness"] * self.game.units_per_round),
               "surplus": m["surplus"]}
        for name, attack in ATTACKS.items():
            if self.attacks.get(name) is not None:
                row.update(attack.columns(self.attacks[name], t))
        found = self.achievable
        cost = found.get("user_cost") if isinstance(found, dict) else None
        row["price of anarchy (user cost)"] = "n/a" if cost is None else cost.price_of_anarchy
        row["best correlated user cost"] = "n/a" if cost is None else cost.correlated_best
        return {**row, "regret": self.equilibrium.regret,
                "sim_agrees": self.cross_check.passed, "max_z": self.cross_check.max_abs_z,
                "proofs": f"{proved}/{len(self.proofs)} proved, audits passed; "
                          f"{proved_share(self.proofs)} backed"}

    def to_frame(self) -> pd.DataFrame:
        rows = [{"metric": k, "analytic": v, "simulated": self.rollout.metrics[k]} for k, v in self.metrics.items()]
        return pd.DataFrame(rows)

    def _repr_markdown_(self) -> str:
        return (self.equilibrium._repr_markdown_() + "\n\n" + markdown_table(self.to_frame()) + "\n\n"
                + self.cross_check._repr_markdown_() + "\n\n" + markdown_table(self.proofs))


@reports_progress("analyse")
def analyse(game: Game, rounds: int = 100_000, seed: int = 0, symmetric: bool = False,
            timing: Timing | None = None, progress: bool | None = None) -> Analysis:
    """Everything provergame says about one game.

    The certified equilibrium (a certified mixture where a price game has no pure one), its metrics,
    every registered attack (provergame.attacks: the withholding bribe after responses, sybils or
    price cuts, coalitions and cartel), the proofs of its theorems with their audits, the report
    sections of its family, and the simulator's cross-check.

    Parameters
    ----------
    game : Game
        The game.
    rounds : int, default 100_000
        Simulated rounds for the cross-check.
    seed : int, default 0
        The simulator's seed.
    symmetric : bool, default False
        Ask for the symmetric equilibrium.
    timing : Timing, optional
        Window for on-time liveness and slot length for per-hour figures.
    progress : bool, optional
        A progress bar on stderr (default: when stderr is a terminal or a notebook; False: never).

    Returns
    -------
    Analysis
        With `summary()` (one row of the comparison table) and `_repr_markdown_()`.

    Examples
    --------
    >>> import provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> game = pg.games.WinnerTakesAll(reward=10.0, provers=pop)
    >>> res = pg.analyse(game, rounds=5_000)
    >>> res.cross_check.passed, round(res.bribe.total, 4)
    (True, 25.8)
    """
    check_game(game)
    from provergame.analyses import extras as report_sections
    from .attacks import ATTACKS
    expect("analyse", 6)
    ev = evaluate(game, timing, attacks=tuple(ATTACKS), mixed=True, symmetric=symmetric)
    eq, timing = ev.equilibrium, ev.timing
    tick("analyse", "equilibrium, metrics and attacks")
    roll = simulate(game, ev.played, rounds=rounds, seed=seed, window=timing.window)
    tick("analyse", "simulated")
    extra = report_sections(game, ev.pure.profile)
    if eq is not ev.pure:
        extra["Mixed equilibrium on the price lattice"] = _mixed_text(game, eq)
    tick("analyse", "report sections")
    proofs = _proofs(game)
    tick("analyse", "proofs")
    eq_set = set_around(game, ev.pure)
    tick("analyse", "equilibrium set")
    best = _achievable(game, timing)
    tick("analyse", "best achievable")
    return Analysis(game=game, equilibrium=eq, metrics=ev.metrics, rollout=roll,
                    cross_check=cross_check(game, eq, roll), proofs=proofs, extra=dict(extra), timing=timing,
                    attacks=ev.attacks, equilibrium_set=eq_set, achievable=best)


def _achievable(game: Game, timing: Timing) -> Any:
    """Price of anarchy and of stability on user cost and on-time liveness, or why they are not computed."""
    from .achievable import achievable_all, why_not
    return why_not(game) or achievable_all(game, ("user_cost", "liveness"), timing.window)


def _mixed_text(game: Game, eq: Equilibrium) -> str:
    mixed, start = eq.extra["mixed"], eq.extra["least_regret"]
    rows = pd.DataFrame([{"prover": game.players.names[i], game.traits.strategy_label: price, "probability": q}
                         for i, price, q in mixed.table()])
    who = ("the provers below mix independently, the others keep the prices in the equilibrium table" if len(rows)
           else "nobody needs to mix: the lattice game has the pure equilibrium in the equilibrium table")
    return (f"The pure search found no equilibrium (best responses cycle, as in Bertrand-Edgeworth, or its candidate "
            f"fails the certificate; the least-regret pure profile has regret {start.regret:.4g}). With prices on the "
            f"tick lattice (multiples of {game.tick:g}), {who}; "
            f"{eq.method}. Certificate: no prover gains more than {eq.regret:.3g} by moving to any multiple of the "
            f"tick within its bounds, against the others' mixtures (searched over the whole lattice, independently "
            f"of the solver). The metrics and the simulator (which draws every prover's price from its mixture each "
            f"round) are at this mixture; the withholding bribe, the coalitions and the sections below are at the "
            f"least-regret pure profile. {_lattice_set_text(game, eq)}" + ("\n\n" + markdown_table(rows) if len(rows) else ""))


def _lattice_set_text(game: Game, eq: Equilibrium) -> str:
    """How many equilibria the lattice game has, by the n-player support enumeration, or why not counted."""
    from provergame.solvers.price_mixing import every_lattice_equilibrium
    found = eq.extra.get("lattice")
    if found is None:
        return ""
    every = every_lattice_equilibrium(game, found)
    if isinstance(every, str):
        return f"The lattice game's other equilibria are not enumerated: {every}."
    members, skipped = every
    text = (f"The lattice game has {len(members)} isolated equilibri{'um' if len(members) == 1 else 'a'} (support "
            f"enumeration, each certified over the whole lattice)")
    text += f", plus {skipped} support profiles holding continua" if skipped else ""
    return text + ("; this is the only one." if len(members) == 1 else "; this page is at the logit branch's.")


_PROOF_TABLES: dict[tuple, pd.DataFrame] = {}


def _proofs(game: Game) -> pd.DataFrame:
    """The game's theorems, proved and audited. Statements are symbolic: they depend on the kind and its
    options (Choice parameters), not on the numbers, so each (kind, options) is proved once."""
    from dataclasses import fields as dc_fields

    from provergame.params import Choice
    from provergame.proofs.table import prove_all
    options = tuple((f.name, getattr(game, f.name)) for f in dc_fields(game)
                    if isinstance(f.metadata.get("spec"), Choice))
    key = (type(game).__name__, options)
    if key not in _PROOF_TABLES:
        _PROOF_TABLES[key] = _cached_table(key, lambda: prove_all(game.theorems(), cache=proof_cache_dir()))
    return _PROOF_TABLES[key].copy()


def _cached_table(key: tuple, build: Any) -> pd.DataFrame:
    """A kind's whole proof table from the disk cache, keyed by (kind, options) and the source of the
    games and proofs packages (which build every statement), so no theorem is rebuilt when warm."""
    import hashlib
    import json

    from provergame.proofs.table import PROOF_COLUMNS, _code_fingerprint, write_atomic
    root = proof_cache_dir()
    if root is None:
        return build()
    h = hashlib.sha256(_code_fingerprint().encode() + _games_fingerprint().encode())
    h.update(json.dumps(key, default=str).encode())
    path = root / "tables" / f"{h.hexdigest()[:32]}.json"
    if path.is_file():
        return pd.DataFrame(json.loads(path.read_text()), columns=PROOF_COLUMNS)
    table = build()
    write_atomic(path, json.dumps(table.to_dict(orient="records")))
    return table


def _games_fingerprint() -> str:
    import hashlib

    from provergame import games
    h = hashlib.sha256()
    for f in sorted(Path(games.__file__).parent.glob("*.py")):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def proof_cache_dir() -> Path | None:
    """Where proved rows are kept between runs: $PROVERGAME_CACHE ("off": nowhere), else
    $XDG_CACHE_HOME/provergame/proofs (default ~/.cache). Rows are keyed by the exact claim and the
    proving code (see prove_all), so a stale row cannot be reused."""
    chosen = os.environ.get("PROVERGAME_CACHE")
    if chosen is not None:
        return None if chosen.strip().lower() in ("off", "0", "") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "provergame" / "proofs"
