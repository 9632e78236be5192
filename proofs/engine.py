"""State incentive properties as sympy statements and prove them: sympy first, then z3.

A universally quantified claim `assumptions => statement` is proved by z3 when
`assumptions and not statement` is unsatisfiable over the reals (integers for integer symbols);
a model of it is a counterexample, kept only after sympy re-evaluates it and confirms that the
assumptions hold and the statement fails. Symbol assumptions (positive, nonnegative, integer) are
hypotheses; so is every denominator being nonzero (a claim speaks where its terms are defined).
Nothing comes back "proved" unless sympy simplified the claim to True or z3 answered unsat.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pandas as pd
import sympy as sp
import z3


@dataclass(frozen=True)
class Theorem:
    name: str
    statement: Any
    assumptions: tuple = ()
    description: str = ""


@dataclass(frozen=True)
class ProofResult:
    theorem: str
    status: str                      # "proved" | "refuted" | "unknown"
    method: str
    counterexample: dict | None = None
    detail: str = ""
    statement: str = ""

    @property
    def proved(self) -> bool:
        return self.status == "proved"


class _Untranslatable(Exception):
    pass


class _Translator:
    def __init__(self, integers: bool):
        self.integers = integers
        self.vars: dict[sp.Symbol, Any] = {}
        self.side: list[Any] = []

    def var(self, s: sp.Symbol):
        if s not in self.vars:
            v = z3.Int(s.name) if (self.integers and s.is_integer) else z3.Real(s.name)
            self.vars[s] = v
            if s.is_positive:
                self.side.append(v > 0)
            elif s.is_nonnegative:
                self.side.append(v >= 0)
            if s.is_negative:
                self.side.append(v < 0)
        return self.vars[s]

    def __call__(self, e: Any):
        if isinstance(e, bool) or e in (sp.true, sp.false):
            return z3.BoolVal(bool(e))
        if isinstance(e, sp.Symbol):
            return self.var(e)
        if isinstance(e, (sp.Integer, sp.Rational)):
            return z3.RealVal(str(Fraction(int(e.p), int(e.q))))
        if isinstance(e, sp.Float):
            return z3.RealVal(str(Fraction(float(e)).limit_denominator(10 ** 12)))
        if isinstance(e, sp.Add):
            return z3.Sum([self(a) for a in e.args])
        if isinstance(e, sp.Mul):
            out = self(e.args[0])
            for a in e.args[1:]:
                out = out * self(a)
            return out
        if isinstance(e, sp.Pow):
            base, ex = e.args
            if ex.is_Integer:
                k = int(ex)
                b = self(base)
                if k == 0:
                    return z3.RealVal(1)
                prod = b
                for _ in range(abs(k) - 1):
                    prod = prod * b
                if k > 0:
                    return prod
                self.side.append(b != 0)
                return 1 / prod
            if ex == sp.Rational(1, 2):
                b = self(base)
                s = z3.FreshReal("sqrt")
                self.side += [s >= 0, s * s == b, b >= 0]
                return s
            raise _Untranslatable(f"power {e}")
        if isinstance(e, (sp.Min, sp.Max)):
            args = [self(a) for a in e.args]
            out = args[0]
            for a in args[1:]:
                out = z3.If(a < out, a, out) if isinstance(e, sp.Min) else z3.If(a > out, a, out)
            return out
        if isinstance(e, sp.Abs):
            a = self(e.args[0])
            return z3.If(a >= 0, a, -a)
        rel = {sp.Eq: lambda a, b: a == b, sp.Ne: lambda a, b: a != b, sp.Lt: lambda a, b: a < b,
               sp.Le: lambda a, b: a <= b, sp.Gt: lambda a, b: a > b, sp.Ge: lambda a, b: a >= b}
        for cls, fn in rel.items():
            if isinstance(e, cls):
                return fn(self(e.lhs), self(e.rhs))
        if isinstance(e, sp.And):
            return z3.And([self(a) for a in e.args])
        if isinstance(e, sp.Or):
            return z3.Or([self(a) for a in e.args])
        if isinstance(e, sp.Not):
            return z3.Not(self(e.args[0]))
        if isinstance(e, sp.Implies):
            return z3.Implies(self(e.args[0]), self(e.args[1]))
        raise _Untranslatable(f"{type(e).__name__}: {e}")


def _sympy_decides(statement: Any) -> bool:
    s = statement.doit() if hasattr(statement, "doit") else statement
    if s is sp.true or s is True:
        return True
    if isinstance(s, sp.Eq):
        return sp.simplify(s.lhs - s.rhs) == 0
    if isinstance(s, sp.And):
        return all(_sympy_decides(a) for a in s.args)
    return False


def _model_value(v) -> sp.Expr:
    if z3.is_int_value(v):
        return sp.Integer(v.as_long())
    if z3.is_rational_value(v):
        return sp.Rational(v.numerator_as_long(), v.denominator_as_long())
    if z3.is_algebraic_value(v):
        return sp.nsimplify(v.approx(20).as_decimal(20).rstrip("?"))
    raise _Untranslatable(str(v))


def _z3_attempt(theorem: Theorem, integers: bool, timeout_ms: int) -> ProofResult | None:
    tr = _Translator(integers)
    claim = tr(theorem.statement)
    hyps = [tr(a) for a in theorem.assumptions]
    solver = z3.Solver()
    solver.set("timeout", timeout_ms)
    solver.add(*hyps, *tr.side, z3.Not(claim))
    answer = solver.check()
    kind = "integer" if integers else "real"
    if answer == z3.unsat:
        return ProofResult(theorem.name, "proved", f"z3 ({kind} arithmetic): negation unsatisfiable")
    if answer == z3.sat:
        model = solver.model()
        values = {s: _model_value(model.eval(v, model_completion=True)) for s, v in tr.vars.items()}
        holds = [sp.sympify(a).subs(values) for a in theorem.assumptions]
        fails = sp.sympify(theorem.statement).subs(values)
        integral = all(values[s].is_integer for s in values if s.is_integer)
        if integral and all(bool(h) is True for h in holds) and fails in (sp.false, False):
            return ProofResult(theorem.name, "refuted", f"z3 ({kind} arithmetic) model, confirmed by sympy",
                               counterexample={s.name: str(v) for s, v in values.items()})
    return None


def prove(theorem: Theorem, timeout_ms: int = 20_000) -> ProofResult:
    """Proved, Refuted (with a checked counterexample) or Unknown; never claims more."""
    text = str(theorem.statement)
    try:
        if _sympy_decides(theorem.statement) and not theorem.assumptions:
            return ProofResult(theorem.name, "proved", "sympy simplify", statement=text)
    except Exception:  # sympy may not decide; z3 is tried next
        pass
    reason = ""
    for integers in (False, True):
        try:
            out = _z3_attempt(theorem, integers, timeout_ms)
        except _Untranslatable as exc:
            reason = f"not in z3's arithmetic: {exc}"
            break
        if out is not None:
            return ProofResult(out.theorem, out.status, out.method, out.counterexample, out.detail, text)
    try:
        if _sympy_decides(theorem.statement):
            return ProofResult(theorem.name, "proved", "sympy simplify (holds identically)", statement=text)
    except Exception:
        pass
    return ProofResult(theorem.name, "unknown", "sympy and z3 undecided", detail=reason, statement=text)


def prove_all(theorems: list[Theorem]) -> pd.DataFrame:
    rows = []
    for t in theorems:
        r = prove(t)
        rows.append({"theorem": t.name, "status": r.status, "method": r.method,
                     "counterexample": "" if r.counterexample is None else str(r.counterexample),
                     "description": t.description})
    return pd.DataFrame(rows)
