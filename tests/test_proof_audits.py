"""The hollow-theorem audits (proofs.audit, issue 26 item 2): each kind of hollow claim the issue names is
rejected by the audit meant for it, a substantive claim passes them all, and every shipped theorem holds
at exact points drawn here (an evaluation independent of z3 and of the audits)."""
import random

import pytest
import sympy as sp

from provergame import games
from provergame.proofs.audit import audit, mutation_kills
from provergame.proofs.engine import at, over, prove
from provergame.proofs.table import prove_all

a, b, s, x = sp.symbols("a b s x", positive=True)
c1, c2 = sp.symbols("c_1 c_2", positive=True)


def _proved_audit(theorem):
    assert prove(theorem).proved, theorem.name
    return audit(theorem)


def test_a_copy_of_the_model_is_literal_before_the_engine():
    """Eq(E, copy of E): sympy decides it while it is built (audit (a)), though every mutation kills it."""
    E = a / (a + b)
    out = _proved_audit(over("copy", lambda e: (sp.Eq(e, a / (a + b)), ()), (E,)))
    assert out.literal and not out.passed and out.killed >= 1


def test_a_claim_true_of_any_model_fails_the_abstraction_audit():
    E = a / (a + b) - x
    out = _proved_audit(over("any", lambda e: (e * e + 1 > e, ()), (E,)))
    assert out.abstracted == ("model_1",) and not out.passed


def test_min_below_its_argument_is_an_identity_of_its_form():
    """taiko_slash_at_most_stake was Min(s, ...) <= s: true of Min whatever the other argument is."""
    slash = sp.Min(s, a * b / (a + 1))
    out = _proved_audit(over("slash", lambda e: (e <= s, ()), (slash,)))
    assert out.circular == "identity of its form" and not out.passed


def test_a_rearranged_hypothesis_is_circular():
    """bertrand_runner_up_cannot_win_profitably proved b - c_2 < 0 from b < c_2."""
    profit = c2 - c1
    out = _proved_audit(over("loser", lambda P: (P.subs({c1: c2, c2: b}, simultaneous=True) < 0, (b < c2,)), (profit,)))
    assert out.circular == "restates a hypothesis" and not out.passed


def test_a_mutant_counts_as_killed_only_with_a_checked_counterexample():
    """Doubling a liveness law keeps 'rises with the window' true: that mutant is not a kill."""
    y, t = sp.symbols("y t", positive=True)
    law = 1 - y
    theorem = over("window", lambda L: (L.subs(y, t * y) >= L, (t <= 1, y <= 1)), (law,))
    mutants, killed = mutation_kills(theorem)
    assert mutants >= 3 and killed < mutants
    assert killed >= 1                          # dropping the constant 1 (-y) or negating -y flips it


def test_the_opaque_screen_refutes_only_what_z3_cannot_prove():
    """The audit's screen values each opaque term by its sign alone (as the translator does): a claim it
    finds false somewhere, z3 (asked without the screen) does not prove; one that holds of every value of
    that sign, it leaves to z3; a term inside an integral is not screened."""
    from provergame.proofs.audit import _status, opaque
    from provergame.proofs.engine import Theorem, _violated_somewhere
    f = opaque(a / (a + b), "model_1")                   # positive, of a and b
    g = opaque(a - b, "model_2")                         # no known sign
    false_somewhere = [(f > 1, ()), (f * (a + 1) > a, ()), (g > 0, ()), (g * g > 0, ()), (f < a, (a >= 1,))]
    for statement, hyps in false_somewhere:
        assert _violated_somewhere(statement, hyps), statement
        assert prove(Theorem("z3", statement, hyps), 2_000, counterexample=False).status != "proved", statement
        assert _status("screened", statement, hyps, 2_000, False) == "unknown"
    for statement, hyps in [(f * f + 1 > f, ()), ((a + 1) * f > a * f, ()), ((f + 1) * (a + 1) > a, ()),
                            (f / (f + 1) < 1, ()), (g * g + g + 1 > 0, ())]:
        assert not _violated_somewhere(statement, hyps), statement
        assert _status("not screened", statement, hyps, 2_000, False) == "proved", statement
    z = sp.Symbol("z", real=True)
    inside = sp.Integral(opaque(a * z, "model_3"), (z, 0, 1)) > 2
    assert not _violated_somewhere(inside, ())


def test_a_substantive_claim_passes_every_audit():
    """Stake-weighted work concentration is at least the equal split's (needs Cauchy-Schwarz, not algebra)."""
    s_i, S_o = sp.symbols("s_i S_o", positive=True)
    share = s_i / (s_i + S_o)
    c = sp.Symbol("c", positive=True)

    def hhi(sh):
        return sum(sh.subs({s_i: p, S_o: q + r}, simultaneous=True) ** 2 for p, q, r in ((a, b, c), (b, a, c), (c, a, b)))
    out = _proved_audit(over("hhi", lambda sh: (hhi(sh) >= sp.Rational(1, 3), ()), (share,)))
    assert out.passed, out.summary()


def _exact_point(symbols, rng, equalities=()):
    """Exact rationals (half of them in (0, 1], where probabilities live), integers 1-7; an equality
    hypothesis is met by solving it for its last symbol."""
    values = {}
    for sym in symbols:
        if sym.is_integer:
            v = sp.Integer(rng.randint(1, 7))
        elif rng.random() < 0.5:
            v = sp.Rational(rng.randint(1, 40), 40)
        else:
            v = sp.Rational(rng.randint(1, 40), rng.randint(1, 40))
        values[sym] = -v if sym.is_negative else v
    for eq in equalities:
        last = sorted(eq.free_symbols, key=str)[-1]
        roots = sp.solve(eq.xreplace({k: v for k, v in values.items() if k != last}), last)
        if roots:
            values[last] = roots[0]
    return values


@pytest.mark.parametrize("kind", sorted(games.registered()))
def test_every_shipped_theorem_holds_at_exact_points(kind):
    """Independent of z3: at up to 40 exact rational points where every hypothesis holds, every shipped
    theorem's statement evaluates to True (and at least one such point exists for the theorem's hypotheses)."""
    if kind == "round_robin":
        return
    rng = random.Random(26)
    for theorem in games.registered()[kind].example().theorems():
        symbols = sorted(set(sp.sympify(theorem.statement).free_symbols).union(
            *[sp.sympify(h).free_symbols for h in theorem.assumptions]), key=str)
        checked, undecided = 0, 0
        transcendental = sp.sympify(theorem.statement).atoms(sp.exp, sp.log, sp.Integral)
        for _ in range(400):
            point = _exact_point(symbols, rng, [h for h in theorem.assumptions if isinstance(h, sp.Eq)])
            if not all(at(h, point) is sp.true for h in theorem.assumptions):
                continue
            value = at(theorem.statement, point)
            if value not in (sp.true, sp.false):
                undecided += 1                              # beyond exact evaluation (exp, log): skipped
                if transcendental and undecided >= 20 and checked == 0:
                    break                                   # a statement exact arithmetic never decides
                continue
            assert value is sp.true, (theorem.name, point)
            checked += 1
            if checked >= 40:
                break
        assert checked >= 1 or transcendental, theorem.name


def test_every_shipped_theorem_passes_the_audits():
    for cls in games.registered().values():
        table = prove_all(cls.example().theorems())
        assert table["counted"].all(), table.loc[~table["counted"], ["theorem", "audits"]]


def test_every_shipped_theorem_says_which_claim_it_backs_and_pages_list_every_claim():
    from provergame.proofs.coverage import BACKS, CLAIMS, coverage
    for kind, cls in games.registered().items():
        if kind == "round_robin":
            continue
        table = prove_all(cls.example().theorems())
        missing = set(table["theorem"]) - set(BACKS)
        assert not missing, (kind, missing)
        cover = coverage(table)
        assert list(cover["claim"]) == list(CLAIMS)
        for _, row in cover.iterrows():            # "proved" exactly when a passing theorem of this game backs it
            backing = [t for t in table.loc[table["counted"], "theorem"] if BACKS[t] == row["claim"]]
            assert (row["status"] == "proved") == bool(backing)
    assert set(BACKS.values()) <= set(CLAIMS)


def test_minimum_proving_time_win_chance_law_matches_the_rules_played_here():
    """The two-prover law behind mpt_speed_edge_vanishes_with_tmin against a Monte Carlo of the rule
    written here: Exp proving times, a proof counts from t_min, ties at t_min split by a coin."""
    import numpy as np
    law = games.registered()["minimum_proving_time"].example().symbolic()["win_chance_two_exponential"]
    rng = np.random.default_rng(26)
    for r1, r2, t_min in ((2.0, 1.0, 0.3), (1.0, 3.0, 1.0), (5.0, 0.5, 0.05)):
        times = rng.exponential(1.0, size=(400_000, 2)) / np.array([r1, r2])
        counted = np.maximum(times, t_min)
        coin = rng.random(400_000) < 0.5
        wins = np.where(counted[:, 0] == counted[:, 1], coin, counted[:, 0] < counted[:, 1])
        y1, y2 = np.exp(-r1 * t_min), np.exp(-r2 * t_min)
        exact = float(law.subs({sp.Symbol("y_1", positive=True): y1, sp.Symbol("y_2", positive=True): y2,
                                sp.Symbol("r_1", positive=True): r1, sp.Symbol("r_2", positive=True): r2}))
        assert abs(wins.mean() - exact) < 4 * np.sqrt(exact * (1 - exact) / 400_000), (r1, r2, t_min)
        assert abs(exact - 0.5) <= max(y1, y2) + 1e-12         # the theorem, at these numbers


def test_every_decision_goal_ranks_on_claims_the_pages_list():
    from provergame.decision import GOALS
    from provergame.proofs.coverage import CLAIMS
    for goal in GOALS.values():
        assert goal.claims and set(goal.claims) <= set(CLAIMS), goal.name
