"""The audits a proved theorem must pass to count, each mechanical (issue 26, item 2):

(a) literal: the statement was not already True/False before the engine saw it;
(b) abstraction: with any one model expression it uses replaced by an opaque term (an undefined
    function of the same symbols, keeping only the sign sympy infers for the expression), the claim
    is no longer provable: otherwise it holds whatever the model says;
(c) circularity: with every product, power, quotient and function in the statement and hypotheses
    treated as an opaque value (same term, same value, its sign kept), the conclusion does not follow
    by linear arithmetic from the hypotheses when it needs them (it restates a hypothesis: b - c_2 < 0
    from b < c_2), nor from nothing when it is about one model expression (an identity of how that
    expression is built: Min(s, x) <= s);
(d) mutations: some mutant of the model (a term dropped or doubled, the expression scaled) is refuted
    with a checked counterexample (an exact point, or z3's model re-checked by sympy); a mutant the
    engine merely fails to prove is not a kill.
Plus satisfiable hypotheses (shown by a model), as before.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from provergame.lazy import sympy as sp

from .engine import Theorem, _unevaluated, _violated_somewhere, literal, prove, satisfiable

AUDIT_TIMEOUT_MS = 2_000


@dataclass(frozen=True)
class Audit:
    """What the audits found for one proved theorem (see the module docstring for (a)-(d))."""

    satisfiable: bool | None
    model: dict | None
    mutants: int
    killed: int                                  # mutants refuted with a checked counterexample
    literal: bool = False                        # (a) decided by sympy while built
    abstracted: tuple[str, ...] = ()             # (b) model expressions the claim holds without
    abstraction_checked: int = 0                 # (b) how many model expressions were abstracted
    circular: str = ""                           # (c) "restates a hypothesis" | "identity of its form" | ""

    @property
    def non_vacuous(self) -> bool:
        return bool(self.satisfiable) and self.killed >= 1

    @property
    def passed(self) -> bool:
        """Every audit passed: the theorem counts."""
        return (self.non_vacuous and not self.literal and not self.abstracted and not self.circular
                and self.abstraction_checked >= 1)

    def summary(self) -> str:
        """One line a reader can check: each audit's outcome."""
        parts = ["(a) literal before the engine" if self.literal else "(a) not literal"]
        if self.abstraction_checked == 0:
            parts.append("(b) uses no model expression as written")
        elif self.abstracted:
            parts.append(f"(b) still proved with {', '.join(self.abstracted)} opaque")
        else:
            parts.append(f"(b) unprovable with any of its {self.abstraction_checked} model expression(s) opaque")
        parts.append(f"(c) circular: {self.circular}" if self.circular else "(c) not circular")
        parts.append(f"(d) at least {self.killed}/{self.mutants} mutants refuted")
        parts.append("hypotheses satisfiable" if self.satisfiable else "hypotheses not shown satisfiable")
        return "; ".join(parts)


def _sign_facts(expr: Any) -> dict[str, bool]:
    """The strongest sign sympy infers for `expr` from its symbols' assumptions (the opaque stand-in's only fact)."""
    known = {"positive": expr.is_positive, "negative": expr.is_negative,
             "nonnegative": expr.is_nonnegative, "nonpositive": expr.is_nonpositive}
    for key, holds in known.items():
        if holds:
            return {key: True}
    return {}


def opaque(expr: Any, label: str) -> Any:
    """An undefined function of `expr`'s symbols with only its sign: what the claim may assume of the
    model once the model is abstracted (its derivatives and substitutions stay opaque too)."""
    expr = sp.sympify(expr)
    args = sorted(expr.free_symbols, key=sp.default_sort_key)
    if not args:
        return sp.Symbol(label, real=True, **_sign_facts(expr))
    return sp.Function(label, real=True, **_sign_facts(expr))(*args)


def _rebuilt(theorem: Theorem, index: int, replacement: Any) -> tuple[Any, tuple] | None:
    """The claim rebuilt with the index-th model expression replaced, or None when it does not contain it."""
    used = theorem.uses[index]
    if theorem.build is not None:
        args = list(theorem.uses)
        args[index] = replacement
        try:
            statement, hyps = theorem.build(*args)
        except Exception:  # noqa: BLE001 - a builder that needs the model's form (solve, Poly) cannot abstract it
            return None
    else:
        statement = sp.sympify(theorem.statement).xreplace({used: replacement})
        hyps = tuple(sp.sympify(a).xreplace({used: replacement}) for a in theorem.assumptions)
    if statement == theorem.statement and tuple(hyps) == tuple(theorem.assumptions):
        return None
    return statement, tuple(hyps)


def abstraction(theorem: Theorem, timeout_ms: int = AUDIT_TIMEOUT_MS) -> tuple[tuple[str, ...], int]:
    """(b): the model expressions with which opaque the claim is still proved, and how many were checked."""
    still, checked = [], 0
    for i in range(len(theorem.uses)):
        built = _rebuilt(theorem, i, opaque(theorem.uses[i], f"model_{i + 1}"))
        if built is None:
            continue
        checked += 1
        statement, hyps = built
        if literal(Theorem("", statement)):
            if bool(statement):
                still.append(f"model_{i + 1}")
            continue
        if _status(theorem.name + ":abstracted", statement, hyps, timeout_ms, False) == "proved":
            still.append(f"model_{i + 1}")
    return tuple(still), checked


def _linear_term(expr: Any, atoms: dict) -> Any:
    """`expr` expanded with every nonlinear term (product of symbols, power, quotient, function)
    replaced by an opaque value; Min, Max and Abs keep their piecewise-linear form."""
    expr = sp.expand(expr)
    if expr.is_Number or expr.is_Symbol:
        return expr
    if isinstance(expr, sp.Add):
        return sp.Add(*[_linear_term(a, atoms) for a in expr.args])
    coeff, rest = expr.as_coeff_Mul()
    if coeff != 1:
        return coeff * _linear_term(rest, atoms)
    if isinstance(expr, (sp.Min, sp.Max, sp.Abs)):
        return expr.func(*[_linear_term(a, atoms) for a in expr.args])
    if expr not in atoms:
        atoms[expr] = opaque(expr, f"nonlinear_{len(atoms) + 1}")
    return atoms[expr]


def linearised(claim: Any, atoms: dict) -> Any:
    """A statement or hypothesis with its terms linearised by _linear_term (one atom per distinct term)."""
    if isinstance(claim, (bool, sp.logic.boolalg.BooleanAtom)):
        return claim
    if isinstance(claim, sp.core.relational.Relational):
        linear = _linear_term(claim.lhs - claim.rhs, atoms)
        return claim.func(linear, 0, evaluate=linear.is_number)
    if isinstance(claim, (sp.And, sp.Or, sp.Not, sp.Implies)):
        return claim.func(*[linearised(a, atoms) for a in claim.args])
    return claim


def _proved(name: str, statement: Any, hyps: tuple, timeout_ms: int) -> bool:
    if isinstance(statement, (bool, sp.logic.boolalg.BooleanAtom)):
        return bool(statement)
    return _status(name, statement, hyps, timeout_ms, False) == "proved"


def circular(theorem: Theorem, timeout_ms: int = AUDIT_TIMEOUT_MS) -> str:
    """(c): "restates a hypothesis" when the conclusion follows from the hypotheses by linear arithmetic
    over opaque nonlinear terms but not without them; "identity of its form" when a claim about one
    model expression still holds with that expression cut to its linear skeleton (its products,
    powers, quotients and functions opaque) before the claim is built from it; else ""."""
    atoms: dict = {}
    statement = linearised(sp.sympify(theorem.statement), atoms)
    hyps = tuple(linearised(sp.sympify(a), atoms) for a in theorem.assumptions)
    if hyps and not _proved(theorem.name + ":linear", statement, (), timeout_ms) \
            and _proved(theorem.name + ":linear", statement, hyps, timeout_ms):
        return "restates a hypothesis"
    if len(theorem.uses) == 1:
        built = _rebuilt(theorem, 0, _linear_term(theorem.uses[0], {}))
        if built is not None and _proved(theorem.name + ":skeleton", *built, timeout_ms):
            return "identity of its form"
    return ""


def _subterm_mutants(expr: Any, limit: int = 6) -> list[Any]:
    """Drop, double or negate one term of one sum inside `expr`; then the whole expression doubled and halved."""
    expr = sp.sympify(expr)
    out: list[Any] = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Add):
            for term in node.args:
                for new in (node - term, node + term, node - 2 * term):
                    mutant = expr.xreplace({node: new})
                    if mutant != expr and mutant not in out:
                        out.append(mutant)
        if len(out) >= limit:
            break
    out = out[:limit]
    for scaled in (2 * expr, expr / 2):
        if scaled != expr and scaled not in out:
            out.append(scaled)
    return out


def mutation_kills(theorem: Theorem, timeout_ms: int = AUDIT_TIMEOUT_MS) -> tuple[int, int]:
    """(d): (mutants, mutants refuted with a checked counterexample). Every mutant meets the exact-point
    screen; z3 is asked only until one mutant is refuted (the audit needs one), so the count is a lower
    bound on the mutants that a full search would refute."""
    mutants = killed = 0
    undecided = []
    for i, used in enumerate(theorem.uses):
        for mutant in _subterm_mutants(used):
            built = _rebuilt(theorem, i, mutant)
            if built is None:
                continue                        # the claim does not contain the expression as written
            statement, hyps = built
            mutants += 1
            if isinstance(statement, (bool, sp.logic.boolalg.BooleanAtom)):
                killed += not bool(statement)   # sympy decided the mutant exactly while it was built
            elif _violated_somewhere(statement, hyps):
                killed += 1                     # false at an exact point where the hypotheses hold
            else:
                undecided.append((statement, hyps))
    for statement, hyps in undecided:           # z3 only while no mutant is refuted yet
        if killed:
            break
        killed += _status(theorem.name + ":mutant", statement, hyps, timeout_ms, True) == "refuted"
    return mutants, killed


def audit(theorem: Theorem, timeout_ms: int = AUDIT_TIMEOUT_MS) -> Audit:
    """Every audit of a proved theorem: satisfiable hypotheses, (a) literal, (b) abstraction,
    (c) circularity, (d) mutations refuted with checked counterexamples."""
    built_literal = literal(theorem) if theorem.build is None else literal(Theorem("", theorem.build(*theorem.uses)[0]))
    theorem = _unevaluated(theorem)
    sat, model = satisfiable(theorem)
    mutants, killed = mutation_kills(theorem, timeout_ms)
    still, checked = abstraction(theorem, timeout_ms)
    return Audit(sat, model, mutants, killed, literal=built_literal, abstracted=still,
                 abstraction_checked=checked, circular=circular(theorem, timeout_ms))


@lru_cache(maxsize=4096)
def _status(name: str, statement: Any, assumptions: tuple, timeout_ms: int, counterexample: bool) -> str:
    """The engine's status for the claim; "unknown" at once, without z3, when only "proved or not" is
    asked and the claim is false at an exact point where its hypotheses hold (opaque terms valued by
    their signs alone): no sound prover proves it, and z3 would spend its timeout saying so."""
    if not counterexample and _violated_somewhere(statement, assumptions):
        return "unknown"
    return prove(Theorem(name, statement, assumptions), timeout_ms, counterexample=counterexample).status
