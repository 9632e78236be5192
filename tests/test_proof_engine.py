"""Soundness of the proof engine against an exact sampled oracle (issue 12).

Claims are generated: polynomial and rational inequalities and equalities over real symbols x, y
and an integer symbol n, with and without assumptions, divisions by n, and float coefficients.
The oracle evaluates each claim exactly (Fractions; floats at their exact binary value) on a grid,
integers on an integer grid. The engine must never say "proved" where a grid point violates the
claim, and every "refuted" must carry a counterexample the oracle confirms.
"""
from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings, strategies as st

from provergame.proofs.engine import Theorem, definite_integral, prove, satisfiable

x, y = sp.symbols("x y", positive=True)
n = sp.Symbol("n", integer=True, positive=True)
GRID_REAL = [Fraction(1, 4), Fraction(1, 2), Fraction(1), Fraction(3, 2), Fraction(2), Fraction(3), Fraction(7)]
GRID_INT = [1, 2, 3, 4, 6]


def evaluate(e, env: dict) -> object:
    """Exact value of a sympy expression or relation at `env` (symbol -> Fraction); None if undefined."""
    if e is sp.true or e is True:
        return True
    if e is sp.false or e is False:
        return False
    if isinstance(e, sp.Symbol):
        return env[e]
    if isinstance(e, sp.Float):
        r = sp.Rational(e)
        return Fraction(int(r.p), int(r.q))
    if isinstance(e, sp.Rational):
        return Fraction(int(e.p), int(e.q))
    if isinstance(e, sp.Add):
        vals = [evaluate(a, env) for a in e.args]
        return None if None in vals else sum(vals, Fraction(0))
    if isinstance(e, sp.Mul):
        out = Fraction(1)
        for a in e.args:
            v = evaluate(a, env)
            if v is None:
                return None
            out *= v
        return out
    if isinstance(e, sp.Pow) and e.exp.is_Integer:
        b = evaluate(e.base, env)
        if b is None or (b == 0 and int(e.exp) <= 0):
            return None
        return b ** int(e.exp)
    rel = {sp.Eq: lambda a, b: a == b, sp.Ne: lambda a, b: a != b, sp.Lt: lambda a, b: a < b,
           sp.Le: lambda a, b: a <= b, sp.Gt: lambda a, b: a > b, sp.Ge: lambda a, b: a >= b}
    for cls, fn in rel.items():
        if isinstance(e, cls):
            a, b = evaluate(e.lhs, env), evaluate(e.rhs, env)
            return None if a is None or b is None else fn(a, b)
    if isinstance(e, sp.And):
        vals = [evaluate(a, env) for a in e.args]
        return None if None in vals else all(vals)
    raise TypeError(f"oracle cannot evaluate {type(e).__name__}")


def violated(theorem: Theorem) -> bool:
    """Some grid point satisfies every assumption and breaks the claim (where all terms are defined)."""
    for xv, yv, nv in itertools.product(GRID_REAL, GRID_REAL, GRID_INT):
        env = {x: xv, y: yv, n: Fraction(nv)}
        hyps = [evaluate(a, env) for a in theorem.assumptions]
        if None in hyps or not all(hyps):
            continue
        value = evaluate(theorem.statement, env)
        if value is False:
            return True
    return False


COEFFS = st.sampled_from([1, 2, 3, -1, -2, sp.Rational(1, 3), sp.Rational(-5, 2), 0.5, 0.1, 0.9999999999999,
                          1e-13, -0.25])
MONOMIALS = st.sampled_from([sp.Integer(1), x, y, x * y, x ** 2, y ** 2, n, 1 / n, x / n, n ** 2, y / (n + 1),
                             x / y, 1 / (x + y)])
SIDES = st.lists(st.tuples(COEFFS, MONOMIALS), min_size=1, max_size=3).map(
    lambda terms: sp.Add(*[c * m for c, m in terms]))
RELATIONS = st.sampled_from([sp.Ge, sp.Le, sp.Gt, sp.Lt, sp.Eq])
ASSUMPTIONS = st.lists(st.sampled_from([x >= y, sp.Eq(x, y), n >= 2, x <= 3, y >= 1, n <= 4, x >= 2 * y]),
                       max_size=2, unique=True)


def _claims():
    return st.builds(lambda lhs, rel, rhs, hyps: Theorem("generated", rel(lhs, rhs), tuple(hyps)),
                     SIDES, RELATIONS, SIDES, ASSUMPTIONS)


def check_claim(theorem: Theorem) -> str:
    statement = theorem.statement
    if statement in (sp.true, sp.false):
        return "trivial"
    result = prove(theorem, timeout_ms=4_000)
    if violated(theorem):
        assert result.status != "proved", (theorem, result)
    if result.status == "refuted":
        env = {s: Fraction(sp.Rational(result.counterexample[s.name]).p, sp.Rational(result.counterexample[s.name]).q)
               for s in statement.free_symbols | set().union(*[sp.sympify(a).free_symbols for a in theorem.assumptions])
               if s.name in result.counterexample}
        assert all(evaluate(a, env) is True for a in theorem.assumptions), (theorem, result)
        assert evaluate(statement, env) is False, (theorem, result)
    return result.status


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(_claims())
def test_engine_never_proves_a_false_generated_claim(theorem):
    check_claim(theorem)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(_claims())
def test_skipping_the_counterexample_never_changes_whether_a_claim_is_proved(theorem):
    """The audit asks only "proved or not" of a mutant, and skips confirming z3's model: the verdict
    "proved" must be the same with and without that step, and nothing is called refuted without it."""
    if theorem.statement in (sp.true, sp.false):
        return
    full, quick = prove(theorem, timeout_ms=4_000), prove(theorem, timeout_ms=4_000, counterexample=False)
    assert full.proved == quick.proved, (theorem, full, quick)
    assert quick.status != "refuted"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(_claims())
def test_a_model_of_the_hypotheses_satisfies_them_exactly(theorem):
    """Whether the exact point screen or z3 found it, the model shown makes every hypothesis true and
    every term of the claim defined, evaluated by the exact oracle."""
    if theorem.statement in (sp.true, sp.false):
        return
    found, model = satisfiable(theorem)
    if found and model is not None:
        env = {}
        for s in theorem.statement.free_symbols.union(*[sp.sympify(a).free_symbols for a in theorem.assumptions]):
            value = sp.Rational(model[s.name])
            env[s] = Fraction(int(value.p), int(value.q))
        assert all(evaluate(a, env) is True for a in theorem.assumptions), (theorem, model)
        assert evaluate(theorem.statement, env) is not None, (theorem, model)
        assert all(v > 0 for s, v in env.items() if s.is_positive)
        assert all(v.denominator == 1 for s, v in env.items() if s.is_integer)


def test_hypotheses_that_leave_a_denominator_zero_have_no_model():
    """a = b + 3 is forced, so 1/(a - b - 3) is never defined: no model, although the point (5, 2)
    satisfies the hypotheses and Eq(zoo, 1) evaluates to False rather than failing."""
    a, b = sp.symbols("a b", integer=True, positive=True)
    claim = Theorem("undefined", sp.Eq(1 / (a - b - 3), 1), (a >= b + 3, a <= b + 3))
    assert satisfiable(claim) == (False, None)
    assert satisfiable(Theorem("defined", sp.Eq(1 / (a - b - 2), 1), (a >= b + 3, a <= b + 3)))[0] is True


@pytest.mark.parametrize("statement,assumptions", [
    (1 / n <= sp.Rational(1, 3), (n >= 2,)),                  # false at n = 2: no integer division
    (sp.Symbol("R", positive=True) / n <= sp.Symbol("R", positive=True) / 3, (n >= 2,)),
    (x * 0.9999999999999 >= y, (sp.Eq(x, y),)),              # floats at their exact value
    (x + 1e-13 <= y, (sp.Eq(x, y),)),
])
def test_reported_false_claims_are_refuted(statement, assumptions):
    res = prove(Theorem("false", statement, assumptions))
    assert res.status == "refuted" and res.counterexample


def test_true_claims_with_integers_and_floats_are_proved():
    assert prove(Theorem("t", 1 / n <= 1)).status == "proved"
    assert prove(Theorem("t", x / n <= x / 2, (n >= 2,))).status == "proved"
    assert prove(Theorem("t", x * 0.5 <= x)).status == "proved"


@given(st.lists(st.integers(-5, 5), min_size=1, max_size=6), st.integers(0, 4), st.integers(1, 4))
def test_definite_integral_of_polynomials_equals_sympys(coefficients, power, n):
    """The antiderivative route (what the revenue identities and their mutants take) against sympy's
    integrate, exactly, on polynomials in e times (1 - e)^power with a free symbol among the coefficients."""
    e, x = sp.symbols("e x", positive=True)
    expr = sum(c * (x if k % 2 else 1) * e ** k for k, c in enumerate(coefficients)) * n * (1 - e) ** power
    assert sp.expand(definite_integral(expr, e, 0, 1) - sp.integrate(expr, (e, 0, 1))) == 0


def test_definite_integral_falls_back_beyond_polynomials():
    e = sp.Symbol("e", positive=True)
    assert definite_integral(1 / (1 + e), e, 0, 1) == sp.log(2)
