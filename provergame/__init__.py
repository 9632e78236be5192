"""provergame: game-theoretic analysis of decentralised zk-prover networks.

    import provergame as pg
    game = pg.games.WinnerTakesAll(reward=10.0, provers=pg.Population.from_arrays(cost=[1, 1.2, 2]))
    eq = pg.solve(game); roll = pg.simulate(game, eq.profile, rounds=100_000, seed=0)
"""
from importlib.metadata import PackageNotFoundError, version

from . import games, proofs, solvers
from .api import (Evaluation, certify, cross_check, equilibria, evaluate, metrics, mixed_equilibrium, solve,
                  to_normal_form)
from .analysis import Analysis, analyse
from .errors import InvalidParameter
from .model import Population, Prover
from .results import CrossCheck, Equilibrium, Rollout
from .rollout import simulate
from .timing import Timing
from provergame.solvers.bribe import bribe_threshold
from provergame.solvers.coalition import cartel, coalition_regret
from provergame.solvers.kickback import sequencer_kickback
from provergame.solvers.undercut import sybil_curve, sybil_gain, undercut
from provergame.solvers.nash import bimatrix
from provergame.solvers.normal_form import NormalFormGame
from provergame.solvers.price_mixing import MixedProfile
from provergame.solvers.logit import logit_equilibrium
from .sweep import sweep
from .design import Design, at_user_cost, design
from .equilibrium_set import EquilibriumSet, equilibrium_set
from .achievable import Achievable, achievable, correlated_equilibrium
from .robustness import robustness
from .timeline import Economy, Environment, timeline, timeline_grid

try:
    __version__ = version("provergame")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+local"


def report(results, out="reports", **kwargs):
    """Write markdown reports (one file per mechanism plus index.md), PNG figures and index.html (the
    decision page as one self-contained HTML file with an interactive Pareto front) to `out`.

    Parameters
    ----------
    results : sequence of Analysis or (label, Analysis)
        What pg.analyse returned.
    out : path, default "reports"
        Folder written.
    **kwargs
        Passed to `provergame.reporting.write_report` (context, sweeps, tables, verdicts).

    Returns
    -------
    list of pathlib.Path
        The files written.

    Examples
    --------
    >>> import tempfile, provergame as pg
    >>> pop = pg.Population.from_arrays(cost=[1.0, 1.2, 2.0], rate=[1.0, 2.0, 1.0])
    >>> res = pg.analyse(pg.games.WinnerTakesAll(10.0, pop), rounds=2_000)
    >>> paths = pg.report([res], out=tempfile.mkdtemp())
    >>> sorted(p.name for p in paths)
    ['index.html', 'index.md', 'winnertakesall.md']
    """
    from .reporting import write_report
    return write_report(results, out, **kwargs)


__all__ = ["Achievable", "achievable", "correlated_equilibrium", "Analysis", "CrossCheck", "Design", "EquilibriumSet", "Evaluation", "equilibrium_set", "at_user_cost", "design", "evaluate", "sybil_curve", "Economy", "Environment", "Equilibrium", "InvalidParameter", "MixedProfile", "NormalFormGame", "Population", "Prover", "Rollout", "Timing",
           "analyse", "bimatrix", "bribe_threshold", "cartel", "certify", "coalition_regret", "cross_check", "equilibria", "games",
           "logit_equilibrium", "metrics", "mixed_equilibrium", "proofs", "report", "robustness", "sequencer_kickback", "simulate", "solve", "solvers", "sweep", "sybil_gain", "timeline", "timeline_grid", "to_normal_form", "undercut",
           "__version__"]
