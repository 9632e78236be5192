"""State incentive properties as sympy statements and prove them: sympy first, then z3.

A universally quantified claim `assumptions => statement` is proved by z3 when
`assumptions and not (defined and statement)` is unsatisfiable over the reals (then it holds for
integer symbols too), or, failing that, with integer symbols as z3 integers; a model is a
counterexample, kept only after sympy re-evaluates it exactly and confirms that every hypothesis and
every symbol's own assumption hold and the statement fails. Symbol assumptions (sign, nonzero, zero;
as integers parity and a prime's lower bound; primality relaxed) are hypotheses, and so are the
hypotheses' own domains; the statement's domain (its denominators nonzero, its square roots' arguments
nonnegative) is an obligation: a claim undefined somewhere its hypotheses hold is not proved.

Soundness rules: integer symbols are integers only as variables; all arithmetic is over the reals
(z3 ToReal), so 1/n is never integer division. A float stands for its exact binary value (0.1 is
3602879701896397/36028797018963968) where the engine meets one (the audit's screens), but a claim
holding a float is refused: sympy folds float arithmetic (x*0.1*10 -> 1.0*x) at float precision while
the claim is built, before the engine could see the exact values; so is a statement sympy already
turned into a literal True or False.
Two sympy symbols are two z3 variables even when they share a name. A symbol that is not real is
refused. z3 runs under a wall-clock bound (its context interrupted), so a timeout is "unknown".
Nothing comes back "proved" unless sympy simplified the claim to True or z3 answered unsat.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any, Callable

from provergame.lazy import sympy as sp
from provergame.lazy import z3


@dataclass(frozen=True)
class Theorem:
    """A claim `assumptions => statement`. `uses` names the model's own expressions (from the game's
    symbolic face) the claim is built from, and `build(*uses)` rebuilds (statement, assumptions) from
    them, so the audit can mutate the model and check that the claim depends on it."""

    name: str
    statement: Any
    assumptions: tuple = ()
    description: str = ""
    uses: tuple = ()
    build: Callable[..., tuple[Any, tuple]] | None = None


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


MAX_POWER = 64        # integer exponents beyond this are not expanded into products (the claim is "unknown")


class _Untranslatable(Exception):
    pass


class _Refused(Exception):
    """A claim the engine will not judge, with the reason (symbols beyond the reals)."""


class _Translator:
    def __init__(self, integers: bool):
        self.integers = integers
        self.vars: dict[sp.Symbol, Any] = {}
        self.side: list[Any] = []              # the symbols' assumptions and definitions (always hypotheses)
        self.domain: list[Any] = []            # where the terms are defined: denominators, square roots
        self._names: dict[str, int] = {}

    def take_domain(self) -> list[Any]:
        """The domain conditions gathered since the last call (those of one formula)."""
        out, self.domain = self.domain, []
        return out

    def _fresh_name(self, s: Any) -> str:
        """A z3 name of its own for every distinct sympy symbol: two symbols with one name but other
        assumptions (or two Dummy symbols) never become one z3 variable."""
        name = s.name if isinstance(s, sp.Symbol) else "opaque"
        k = self._names.get(name, 0)
        self._names[name] = k + 1
        return name if k == 0 else f"{name}__{k}"

    @property
    def opaque(self) -> bool:
        """Whether a term of an undefined function or a derivative stood in as a free value."""
        return any(not isinstance(s, sp.Symbol) for s in self.vars)

    def var(self, s: sp.Symbol):
        """The symbol as a real-valued z3 term (an integer variable seen through ToReal), with every
        assumption z3 can state: sign, nonzero, and (as integers) parity and primes' lower bound. The
        rest (a prime's primality) is relaxed: sound for proofs, and a counterexample must satisfy
        every assumption exactly when sympy re-checks it."""
        if s not in self.vars:
            if s.is_real is False or s.is_extended_real is False:
                raise _Refused(f"symbol {s} is not real (the engine proves claims over the reals)")
            integer = self.integers and bool(s.is_integer)
            v = z3.Int(self._fresh_name(s)) if integer else z3.Real(self._fresh_name(s))
            self.vars[s] = v
            term = z3.ToReal(v) if z3.is_int(v) else v
            if s.is_positive:
                self.side.append(term > 0)
            elif s.is_nonnegative:
                self.side.append(term >= 0)
            if s.is_negative:
                self.side.append(term < 0)
            elif s.is_nonpositive:
                self.side.append(term <= 0)
            if s.is_nonzero or s.is_odd or s.is_prime:
                self.side.append(term != 0)
            if s.is_zero:
                self.side.append(term == 0)
            if integer and s.is_odd:
                self.side.append(v % 2 == 1)
            if integer and s.is_even:
                self.side.append(v % 2 == 0)
            if s.is_prime:
                self.side.append(term >= 2)
        v = self.vars[s]
        return z3.ToReal(v) if z3.is_int(v) else v

    def __call__(self, e: Any):
        if isinstance(e, bool) or e in (sp.true, sp.false):
            return z3.BoolVal(bool(e))
        if isinstance(e, (sp.Symbol, sp.core.function.AppliedUndef, sp.Derivative)):
            return self.var(e)               # an opaque term (the audit's stand-in) is a free value with its signs
        if isinstance(e, (sp.Integer, sp.Rational)):
            return z3.RealVal(str(Fraction(int(e.p), int(e.q))))
        if isinstance(e, sp.Float):                      # its exact binary value, never a rounding
            exact = sp.Rational(e)
            return z3.RealVal(str(Fraction(int(exact.p), int(exact.q))))
        if isinstance(e, (int, float)):
            return z3.RealVal(str(Fraction(e)))
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
                if abs(k) > MAX_POWER:
                    raise _Untranslatable(f"power {e} (exponent beyond {MAX_POWER})")
                b = self(base)
                if k == 0:
                    self.domain.append(b != 0)               # 0**0 is undefined in a claim
                    return z3.RealVal(1)
                prod = b
                for _ in range(abs(k) - 1):
                    prod = prod * b
                if k > 0:
                    return prod
                self.domain.append(b != 0)
                return 1 / prod
            if ex == sp.Rational(1, 2):
                b = self(base)
                s = z3.FreshReal("sqrt")
                self.side += [s >= 0, z3.Implies(b >= 0, s * s == b)]   # defined where b >= 0 only
                self.domain.append(b >= 0)
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
        if isinstance(e, sp.Piecewise):
            return self._piecewise(e)
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
        if isinstance(e, sp.Implies):        # the consequent need be defined only where the antecedent holds
            before, self.domain = self.domain, []
            antecedent = self(e.args[0])
            outer = self.domain
            self.domain = []
            consequent = self(e.args[1])
            inner = self.domain
            self.domain = before + outer + ([z3.Implies(antecedent, z3.And(*inner))] if inner else [])
            return z3.Implies(antecedent, consequent)
        raise _Untranslatable(f"{type(e).__name__}: {e}")

    def _piecewise(self, e: Any):
        """First branch whose condition holds; each branch need be defined only where its condition
        holds, and the whole where some condition does (a Piecewise without a True branch is partial)."""
        conditions, out = [], None
        for value, condition in reversed(e.args):
            before, self.domain = self.domain, []
            c = self(condition)
            v = self(value)
            inner, self.domain = self.domain, before
            if inner:
                self.domain.append(z3.Implies(c, z3.And(*inner)))
            conditions.append(c)
            out = v if out is None else z3.If(c, v, out)
        if e.args[-1][1] is not sp.true:
            self.domain.append(z3.Or(*conditions))
        return out


def _opaque_terms(expr: Any) -> bool:
    """Whether the audit's opaque stand-ins (undefined functions) occur: nothing is integrated or simplified then."""
    return bool(sp.sympify(expr).atoms(sp.core.function.AppliedUndef))


def _sympy_decides(statement: Any) -> bool:
    if _opaque_terms(statement):
        return statement is sp.true
    s = statement.doit() if hasattr(statement, "doit") else statement
    if s is sp.true or s is True:
        return True
    if isinstance(s, sp.Eq):
        difference = s.lhs - s.rhs
        return sp.cancel(difference) == 0 or sp.simplify(difference) == 0
    if isinstance(s, sp.And):
        return all(_sympy_decides(a) for a in s.args)
    return False


def _risky(expr: Any) -> bool:
    """A denominator or square root whose sign sympy cannot vouch for from the symbols' assumptions."""
    for node in sp.preorder_traversal(sp.sympify(expr)):
        if isinstance(node, sp.Pow) and node.exp.is_negative and node.base.is_nonzero is not True:
            return True
        if isinstance(node, sp.Pow) and node.exp == sp.Rational(1, 2) and node.base.is_nonnegative is not True:
            return True
    return False


def _defined_throughout(theorem: Theorem, timeout_ms: int = 5_000) -> bool:
    """Is the statement defined wherever its hypotheses hold (no denominator zero, no negative square
    root, no log of a non-positive number)? sympy's simplification cancels a vanishing factor (x/x -> 1), so a claim it decides is proved
    only where it is defined: z3 checks the domain conditions; beyond z3 they must be evidently true."""
    statement = sp.sympify(theorem.statement)
    logs = [e.args[0] for e in statement.atoms(sp.log)]
    opaque = {e: sp.Dummy("exp", positive=True) for e in statement.atoms(sp.exp)}
    opaque.update({e: sp.Dummy("log", real=True) for e in statement.atoms(sp.log)})
    statement = statement.xreplace(opaque)          # their values stay free; a log's argument must be > 0
    tr = _Translator(integers=True)
    try:
        hyps = [tr(a) for a in theorem.assumptions] + tr.take_domain()
        tr(statement)
        positive = [tr(arg.xreplace(opaque)) > 0 for arg in logs]
    except (_Untranslatable, _Refused):
        return not _risky(statement) and all(arg.is_positive for arg in logs)
    domain = tr.take_domain() + positive
    if not domain:
        return True
    solver = z3.Solver()
    solver.set("timeout", timeout_ms)
    solver.add(*hyps, *tr.side, z3.Not(z3.And(*domain)))
    return _check_within(solver, timeout_ms) == z3.unsat


def _model_value(v) -> sp.Expr:
    if z3.is_int_value(v):
        return sp.Integer(v.as_long())
    if z3.is_rational_value(v):
        return sp.Rational(v.numerator_as_long(), v.denominator_as_long())
    if z3.is_algebraic_value(v):
        return sp.nsimplify(v.approx(20).as_decimal(20).rstrip("?"))
    raise _Untranslatable(str(v))


def _z3_attempt(theorem: Theorem, integers: bool, timeout_ms: int, confirm: bool = True) -> ProofResult | None:
    """Proved when the negation is unsatisfiable; refuted when z3's model, re-evaluated exactly by sympy,
    is a counterexample (skipped without `confirm`: then only "proved or not" is asked)."""
    tr = _Translator(integers)
    hyps = [tr(a) for a in theorem.assumptions]
    hyps += tr.take_domain()                 # a hypothesis speaks where it is defined
    claim = tr(theorem.statement)
    defined = tr.take_domain()               # the claim must be defined wherever the hypotheses hold
    solver = z3.Solver()
    solver.set("timeout", timeout_ms)
    solver.add(*hyps, *tr.side, z3.Not(z3.And(*defined, claim)))
    answer = _check_within(solver, timeout_ms)
    kind = "integer" if integers else "real"
    if answer == z3.unsat:
        return ProofResult(theorem.name, "proved", f"z3 ({kind} arithmetic): negation unsatisfiable")
    if answer == z3.sat and confirm and not tr.opaque:
        model = solver.model()
        values = {s: _model_value(model.eval(v, model_completion=True)) for s, v in tr.vars.items()}
        names = display_names(values)
        shown = {names[s]: str(v) for s, v in values.items()}
        try:
            holds = [at(a, values) for a in theorem.assumptions]
            if not (_respects_assumptions(values) and all(bool(h) is True for h in holds)):
                return None
            if not _defined(theorem.statement, values):
                return ProofResult(theorem.name, "unknown", f"z3 ({kind} arithmetic): the statement is undefined "
                                   f"at {shown}, where every hypothesis holds", detail="undefined")
            fails = at(theorem.statement, values)
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        if fails in (sp.false, False):
            return ProofResult(theorem.name, "refuted", f"z3 ({kind} arithmetic) model, confirmed by sympy",
                               counterexample=shown)
    return None


def display_names(symbols: Any) -> dict:
    """symbol -> the name a model shows it under: its own name, with __1, __2, ... for later symbols
    sharing it (ordered by sympy's sort key, then their assumptions), so two symbols of one name never
    collide in a model and each keeps its name from claim to claim."""
    seen: dict[str, int] = {}
    out = {}
    def key(sym: Any) -> tuple:         # symbols of one name sort by their assumptions, then Dummy index
        return (sp.default_sort_key(sym), sorted((k, str(v)) for k, v in sym.assumptions0.items()),
                getattr(sym, "dummy_index", 0))
    for sym in sorted(symbols, key=key):
        k = seen.get(sym.name, 0)
        seen[sym.name] = k + 1
        out[sym] = sym.name if k == 0 else f"{sym.name}__{k}"
    return out


def _check_within(solver: Any, timeout_ms: int) -> Any:
    """solver.check() bounded in wall-clock time: z3's own timeout is soft (a long nonlinear step can run
    past it), so the context is interrupted when the time is up; then the answer is unknown."""
    import threading
    timer = threading.Timer(timeout_ms / 1000.0 * 1.2 + 0.05, solver.ctx.interrupt)
    timer.start()
    try:
        return solver.check()
    finally:
        timer.cancel()


_CHECKED = ("integer", "positive", "nonnegative", "negative", "nonpositive", "nonzero", "zero", "odd", "even",
            "prime", "composite", "rational", "irrational")


def _respects_assumptions(values: dict) -> bool:
    """Every symbol's value satisfies each of its assumptions (sympy decides on the exact value)."""
    for s, v in values.items():
        for key in _CHECKED:
            wanted = getattr(s, f"is_{key}")
            if wanted is not None and getattr(v, f"is_{key}") is not wanted:
                return False
    return True


def exact(expr: Any) -> Any:
    """The expression with every float replaced by its exact binary value (a Rational)."""
    expr = sp.sympify(expr)
    floats = expr.atoms(sp.Float)
    return expr.xreplace({f: sp.Rational(f) for f in floats}) if floats else expr


def literal(theorem: Theorem) -> bool:
    """Whether the statement reached the engine as a literal True or False (sympy decided it while it
    was built): the hollow-theorem audit's first test."""
    return isinstance(theorem.statement, (bool, sp.logic.boolalg.BooleanAtom))


def _unevaluated(theorem: Theorem) -> Theorem:
    """A theorem whose statement sympy decided while it was built, rebuilt from its model expressions
    with sympy's evaluation off, so that the engine, not construction, judges the claim (and sees any
    float); unchanged when it has no builder or the rebuilt statement is literal all the same."""
    if not literal(theorem) or theorem.build is None:
        return theorem
    try:
        with sp.evaluate(False):
            statement, hyps = theorem.build(*theorem.uses)
    except Exception:  # noqa: BLE001 - a builder that needs evaluation: the literal stands (refused)
        return theorem
    if isinstance(statement, (bool, sp.logic.boolalg.BooleanAtom)):
        return theorem
    return Theorem(theorem.name, statement, tuple(hyps), theorem.description, theorem.uses, theorem.build)


def prove(theorem: Theorem, timeout_ms: int = 20_000, counterexample: bool = True) -> ProofResult:
    """Proved, Refuted (with a checked counterexample) or Unknown; never claims more. Without
    `counterexample`, a claim z3 does not prove is "unknown" without looking for one: whether it is
    proved is unchanged (a confirmed counterexample rules a proof out), which is all the audit asks."""
    text = str(theorem.statement)
    theorem = _unevaluated(theorem)
    if isinstance(theorem.statement, (bool, sp.logic.boolalg.BooleanAtom)):
        return ProofResult(theorem.name, "unknown", "refused: the statement was already a literal "
                           f"{bool(theorem.statement)} before the engine saw it (sympy decided it while it was "
                           "built, possibly at float precision): build it from exact values", statement=text)
    floats = set().union(*(sp.sympify(e).atoms(sp.Float) for e in (theorem.statement, *theorem.assumptions)))
    if floats:
        return ProofResult(theorem.name, "unknown", f"refused: floats {sorted(map(str, floats))[:3]} in the claim (sympy "
                           "folds float arithmetic at float precision while a claim is built, so its exact value "
                           "is lost): build it from exact values (sympy.Rational)", statement=text)
    theorem = Theorem(theorem.name, exact(theorem.statement), tuple(exact(a) for a in theorem.assumptions),
                      theorem.description)
    try:
        if not theorem.assumptions and _sympy_decides(theorem.statement) and _defined_throughout(theorem):
            return ProofResult(theorem.name, "proved", "sympy simplify", statement=text)
    except Exception:  # sympy may not decide; z3 is tried next
        pass
    reason = ""
    symbols = theorem.statement.free_symbols.union(*(sp.sympify(a).free_symbols for a in theorem.assumptions))
    for integers in (False, True) if any(s.is_integer for s in symbols) else (False,):   # else the same query
        try:
            out = _z3_attempt(theorem, integers, timeout_ms, confirm=counterexample)
        except _Untranslatable as exc:
            reason = f"not in z3's arithmetic: {exc}"
            break
        except _Refused as exc:
            return ProofResult(theorem.name, "unknown", f"refused: {exc}", statement=text)
        if out is not None:
            return ProofResult(out.theorem, out.status, out.method, out.counterexample, out.detail, text)
    try:
        if _sympy_decides(theorem.statement) and _defined_throughout(theorem):
            return ProofResult(theorem.name, "proved", "sympy simplify (holds identically)", statement=text)
    except Exception:
        pass
    return ProofResult(theorem.name, "unknown", "sympy and z3 undecided", detail=reason, statement=text)


def over(name: str, build: Callable[..., tuple[Any, tuple]], uses: tuple, description: str = "") -> Theorem:
    """A theorem built from model expressions: `build(*uses)` gives (statement, assumptions), and the
    audit rebuilds it from mutated expressions."""
    statement, assumptions = build(*uses)
    return Theorem(name, statement, tuple(assumptions), description, tuple(uses), build)


def break_even_theorems(names: tuple[str, str], break_even: Any, margin: Callable[[Any], Any], price: Any,
                        rho: Any, descriptions: tuple[str, str]) -> list[Theorem]:
    """The two theorems of a floor price: the margin is >= 0 at or above the model's break-even price and
    < 0 below it (individual rationality of the seats, and what pins the bids). That the margin is zero
    at the break-even price is how the price is built, not a theorem."""
    above = lambda B: (margin(price) >= 0, (price >= B, rho <= 1))          # noqa: E731
    below = lambda B: (margin(price) < 0, (price < B, rho <= 1))            # noqa: E731
    return [over(name, build, (break_even,), text) for name, build, text in zip(names, (above, below), descriptions)]


def satisfiable(theorem: Theorem, timeout_ms: int = 5_000) -> tuple[bool | None, dict | None]:
    """Do the hypotheses (with the symbols' own assumptions and defined denominators) have a model?
    The screen's exact rational points are tried first (a point where everything holds is a model,
    and the same one on every machine); then z3 searches."""
    model = _model_at_points(exact(theorem.statement), tuple(exact(a) for a in theorem.assumptions))
    if model is not None:
        names = display_names(model)
        return True, {names[s]: str(v) for s, v in model.items()}
    tr = _Translator(integers=True)
    try:
        hyps = [tr(exact(a)) for a in theorem.assumptions]
    except (_Untranslatable, _Refused):
        return None, None
    try:
        tr(exact(theorem.statement))                 # its symbols' signs and denominators count too
    except (_Untranslatable, _Refused):                          # beyond z3 (exp, symbolic powers): hypotheses alone
        pass
    ctx = z3.Context()               # a fresh context: the model shown does not depend on earlier queries
    solver = z3.Solver(ctx=ctx)
    solver.set("timeout", timeout_ms)
    solver.add(*[a.translate(ctx) for a in (*hyps, *tr.side, *tr.domain)])
    answer = solver.check()
    if answer == z3.sat:
        model = solver.model()
        names = display_names(tr.vars)
        try:
            return True, {names[s]: str(_model_value(model.eval(v.translate(ctx), model_completion=True)))
                          for s, v in tr.vars.items()}
        except _Untranslatable:
            return True, None
    return (False, None) if answer == z3.unsat else (None, None)


def definite_integral(expr: Any, var: Any, lo: Any, hi: Any) -> Any:
    """int_lo^hi expr d var, exactly: by the antiderivative of a polynomial in `var` when it is one
    (the revenue identities' integrands, and every mutant of them), else by sympy's integrate; an
    integrand holding an opaque stand-in (proofs.audit) stays an unevaluated integral."""
    if _opaque_terms(expr):
        return sp.Integral(expr, (var, lo, hi))
    return _integrated(expr, var, lo, hi)


@lru_cache(maxsize=512)
def _integrated(expr: Any, var: Any, lo: Any, hi: Any) -> Any:
    """definite_integral without the opaque case, kept: an audit rebuilds a claim once per mutant of its
    other model expressions, over the same integrand."""
    try:
        antiderivative = sp.Poly(sp.expand(expr), var).integrate()
    except sp.PolynomialError:
        return sp.integrate(expr, (var, lo, hi))
    return sp.expand(antiderivative.as_expr().subs(var, hi) - antiderivative.as_expr().subs(var, lo))


@lru_cache(maxsize=1)
def _points() -> tuple:
    """The exact rationals the screen tries (built on first use: a warm proof cache never loads sympy)."""
    return (sp.Rational(1, 3), sp.Rational(3, 4), sp.Integer(2), sp.Rational(7, 2), sp.Integer(5))


def _point(symbols: list, k: int) -> dict:
    """The screen's k-th exact point: rationals from _points(), integers 2-5, negated for negative symbols."""
    points = _points()
    values = {}
    for j, s in enumerate(symbols):
        v = points[(k + 2 * j) % len(points)] if k else points[j % len(points)]
        if s.is_integer:
            v = sp.Integer(2 + (k + j) % 4)
        elif s.is_nonnegative is False or s.is_negative:
            v = -v
        values[s] = v
    return values


def _symbols(statement: Any, assumptions: tuple) -> list:
    return sorted(statement.free_symbols.union(*[sp.sympify(a).free_symbols for a in assumptions]), key=str)


def _free_terms(statement: Any, assumptions: tuple) -> list | None:
    """The opaque terms of a claim (the audit's stand-ins and derivatives), each a free value with only
    its sign, as the translator takes them; None when one sits inside an integral or a substitution,
    where one value per term would not be a function."""
    exprs = [sp.sympify(e) for e in (statement, *assumptions)]
    terms = set().union(*(e.atoms(sp.core.function.AppliedUndef, sp.Derivative) for e in exprs))
    if terms and any(e.atoms(sp.Integral, sp.Subs) for e in exprs):
        return None
    return sorted(terms, key=sp.default_sort_key)


def _term_values(terms: list, k: int) -> dict:
    """The screen's k-th values of free terms: rationals from _points() of the sign the term is known
    to have, taking turns with zero where the sign is not strict, and with either sign where none is known."""
    points = _points()
    values = {}
    for j, t in enumerate(terms):
        turn = (k + j) % 3
        v = points[(k + 3 * j + 1) % len(points)]
        if t.is_zero or (turn == 2 and not (t.is_positive or t.is_negative or t.is_nonzero)):
            v = sp.Integer(0)
        elif t.is_negative or t.is_nonpositive or (t.is_nonnegative is not True and turn == 1):
            v = -v
        values[t] = v
    return values


def _violated_somewhere(statement: Any, assumptions: tuple, tries: int = 12) -> bool:
    """Is the claim false at some exact rational point where its hypotheses hold? (A cheap screen
    before the prover; a point only counts when every symbol's own assumptions hold there and every
    term evaluates to a definite truth value.) An opaque term takes a value of its own sign (the
    translator's reading, see _free_terms): false there, the claim is one z3 cannot prove."""
    statement = exact(statement)
    terms = _free_terms(statement, assumptions)
    if terms is None:
        return False
    symbols = _symbols(statement, assumptions)
    for k in range(tries):
        values = _point(symbols, k)
        if not _respects_assumptions(values):
            continue
        values = {**_term_values(terms, k), **values}   # xreplace takes a whole term before its arguments
        try:
            if not _hold_at(assumptions, tuple(values.items())):
                continue
            if at(statement, values) is sp.false:
                return True
        except (TypeError, ZeroDivisionError, ValueError):
            continue
    return False


@lru_cache(maxsize=4096)
def _hold_at(assumptions: tuple, values: tuple) -> bool:
    """Every hypothesis is true at the point (kept: a theorem's mutants share its hypotheses and points)."""
    point = dict(values)
    return all(at(a, point) is sp.true for a in assumptions)


def _model_at_points(statement: Any, assumptions: tuple, tries: int = 20) -> dict | None:
    """The first of the screen's points that is a model of the hypotheses: every symbol's own
    assumptions hold there, every hypothesis is true, every denominator of the claim and its
    hypotheses is nonzero and every square root's argument nonnegative (the translator's side
    conditions), and the claim has a definite truth value."""
    symbols = _symbols(statement, assumptions)
    for k in range(tries):
        values = _point(symbols, k)
        if not all(getattr(v, f"is_{key}") is held for s, v in values.items()
                   for key, held in s.assumptions0.items()):
            continue
        try:
            if not all(at(a, values) is sp.true for a in assumptions):
                continue
            if not all(_defined(e, values) for e in (statement, *assumptions)):
                continue
            if at(statement, values) not in (sp.true, sp.false):
                continue
        except (TypeError, ZeroDivisionError, ValueError):
            continue
        return values
    return None


def at(claim: Any, values: dict) -> Any:
    """The claim at exact values, evaluated: a comparison built unevaluated (evaluate=False) is decided too."""
    out = sp.sympify(claim).xreplace(values)
    if isinstance(out, sp.logic.boolalg.BooleanAtom) or out.free_symbols:
        return out
    return out.doit()


def _defined(expr: Any, values: dict) -> bool:
    """No denominator is zero and no square root's argument negative at `values` (definitely so)."""
    for node in sp.preorder_traversal(sp.sympify(expr)):
        if isinstance(node, sp.Pow):
            base = node.base.xreplace(values)
            if node.exp.is_Integer and int(node.exp) <= 0 and base.is_zero is not False:
                return False
            if node.exp == sp.Rational(1, 2) and base.is_nonnegative is not True:
                return False
    return True
