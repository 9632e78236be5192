"""Builds tests/data/bimatrix_suite.json once: the two-player games of nashpy's and QuantEcon.py's test
suites and of Gambit's .nfg collection, each with its extreme equilibria computed in exact rational
arithmetic by cddlib (vertex enumeration of both best-response polytopes, labels matched exactly).

Run from a directory holding the three snapshots (see SOURCES); needs `pip install "pycddlib<3"`,
which compiles cddlib. The tests read only the JSON this writes.
    python tests/data/make_bimatrix_suite.py SUITE_DIR [--out tests/data/bimatrix_suite.json]
"""
from __future__ import annotations

import argparse
import ast
import json
import re
from fractions import Fraction
from itertools import product
from pathlib import Path

SOURCES = {
    "nashpy": "github.com/drvinceknight/Nashpy@b80533daeec4e54a341b47a873efac96cf09a209 tests/unit",
    "quantecon": "github.com/QuantEcon/QuantEcon.py@13b436b8a43aa53313f6523509bd3f7a35d9dfd2 quantecon/game_theory/tests",
    "gambit": "github.com/gambitproject/gambit@8883f7591cb86563b54be3fb00b8d2ab5ea91647 (*.nfg)",
}
MAX_ACTIONS = 12          # larger games are left to the random-game tests


def _literal(node, env):
    """The numeric value of an expression built from literals, np.array(...), -X, X.T and names."""
    if isinstance(node, ast.Name):
        return env.get(node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = _literal(node.operand, env)
        return None if v is None else _map(v, lambda a: -a)
    if isinstance(node, ast.Attribute) and node.attr == "T":
        v = _literal(node.value, env)
        return None if v is None or _depth(v) != 2 else [list(r) for r in zip(*v)]
    if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("array", "asarray") \
            and node.args:
        return _literal(node.args[0], env)
    try:
        v = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        try:
            v = _fold(node)
        except Exception:       # noqa: BLE001 - anything not a numeric literal is simply not a game
            return None
    return v if _numeric(v) else None


def _fold(node):
    """Literal lists whose entries are arithmetic on numbers (1 / 3, -2 * 3)."""
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_fold(e) for e in node.elts]
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return Fraction(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_fold(node.operand)
    if isinstance(node, ast.BinOp):
        a, b = _fold(node.left), _fold(node.right)
        return {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b, ast.Div: a / b if b else None}[type(node.op)]
    raise ValueError("not arithmetic")


def _numeric(v) -> bool:
    if isinstance(v, (list, tuple)):
        return len(v) > 0 and all(_numeric(e) for e in v) and len({_depth(e) for e in v}) == 1
    return isinstance(v, (int, float, Fraction)) and not isinstance(v, bool)


def _depth(v) -> int:
    return 1 + _depth(v[0]) if isinstance(v, (list, tuple)) else 0


def _map(v, f):
    return [_map(e, f) for e in v] if isinstance(v, (list, tuple)) else f(v)


def _rect(v) -> bool:
    return _depth(v) == 2 and len({len(r) for r in v}) == 1


def python_games(path: Path):
    """Bimatrix games written as literals in a test module: Game(A, B) / Game(A) (nashpy; zero-sum when
    one matrix), any call taking two same-shape matrices, NormalFormGame(bimatrix) with (a, b)
    cells, NormalFormGame((Player(A), Player(B))) (QuantEcon: B is indexed by player 2's action first)."""
    tree = ast.parse(path.read_text())
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.Module)):
            continue
        env: dict = {}
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name):
                    v = _literal(node.value, env)
                    if v is not None:
                        env[target.id] = v
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            args = [_literal(a, env) for a in node.args[:2]]
            if name == "NormalFormGame" and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Tuple) and len(arg.elts) == 2 and all(
                        isinstance(e, ast.Call) and getattr(e.func, "id", "") == "Player" and e.args for e in arg.elts):
                    a, b = (_literal(e.args[0], env) for e in arg.elts)
                    if a is not None and b is not None and _rect(a) and _rect(b):
                        yield node.lineno, a, [list(r) for r in zip(*b)]
                elif args[0] is not None and _depth(args[0]) == 3 and len(args[0][0][0]) == 2:
                    cells = args[0]
                    yield node.lineno, _map2(cells, 0), _map2(cells, 1)
                elif args[0] is not None and _rect(args[0]) and len(args[0]) == len(args[0][0]):
                    a = args[0]
                    yield node.lineno, a, [list(r) for r in zip(*a)]       # symmetric game
            elif name == "Game" and len(args) == 1 and args[0] is not None and _rect(args[0]):
                yield node.lineno, args[0], _map(args[0], lambda x: -x)
            elif len(args) == 2 and all(a is not None and _rect(a) for a in args) and \
                    (len(args[0]), len(args[0][0])) == (len(args[1]), len(args[1][0])):
                yield node.lineno, args[0], args[1]


def _map2(cells, k):
    return [[c[k] for c in row] for row in cells]


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}]|[^\s{},"]+')


def nfg_game(path: Path):
    """A two-player Gambit .nfg (payoff or outcome format) as (A, B), or None."""
    tokens = [t for t in _TOKEN.findall(path.read_text()) if t != ","]
    if tokens[:2] != ["NFG", "1"] or tokens[2] not in ("R", "D"):
        return None
    i = 4
    assert tokens[i] == "{"
    players = []
    i += 1
    while tokens[i] != "}":
        players.append(tokens[i])
        i += 1
    i += 1
    if len(players) != 2:
        return None
    assert tokens[i] == "{"
    i += 1
    actions = []
    if tokens[i] == "{":                           # strategy names per player
        while tokens[i] == "{":
            j = tokens.index("}", i)
            actions.append(j - i - 1)
            i = j + 1
    else:                                          # numbers of strategies
        while tokens[i] != "}":
            actions.append(int(tokens[i]))
            i += 1
    i += 1
    if i < len(tokens) and tokens[i].startswith('"'):
        i += 1                                     # comment
    if tokens[i] == "{":                           # outcome list, then one outcome index per cell
        i += 1
        outcomes = []
        while tokens[i] == "{":
            j = tokens.index("}", i)
            outcomes.append([Fraction(t) for t in tokens[i + 2:j]])
            i = j + 1
        i += 1
        cells = [outcomes[int(t) - 1] if int(t) else [Fraction(0), Fraction(0)] for t in tokens[i:]]
    else:                                          # payoffs of every player, cell by cell
        values = [Fraction(t) for t in tokens[i:]]
        cells = [values[k:k + 2] for k in range(0, len(values), 2)]
    m, n = actions
    A = [[Fraction(0)] * n for _ in range(m)]
    B = [[Fraction(0)] * n for _ in range(m)]
    for k, cell in enumerate(cells[:m * n]):
        a, b = k % m, k // m                     # player 1's action runs fastest
        A[a][b], B[a][b] = cell
    return A, B


def vertices(M):
    """Exact vertices (other than 0) of {z >= 0, M z <= 1}, M positive, by cddlib in rationals."""
    import cdd
    k, d = len(M), len(M[0])
    rows = [[0] + [1 if t == s else 0 for t in range(d)] for s in range(d)]
    rows += [[1] + [-M[r][t] for t in range(d)] for r in range(k)]
    mat = cdd.Matrix(rows, number_type="fraction")
    mat.rep_type = cdd.RepType.INEQUALITY
    gens = cdd.Polyhedron(mat).get_generators()
    out = []
    for g in gens:
        assert g[0] == 1, "a bounded polytope has no rays"
        z = [Fraction(v) for v in g[1:]]
        if any(z):
            out.append(z)
    return out


def exact_equilibria(A, B):
    """Every extreme equilibrium of (A, B): completely labelled vertex pairs of the best-response
    polytopes (von Stengel 2007, section 3.5), all in rationals."""
    m, n = len(A), len(A[0])
    lo_a, lo_b = min(map(min, A)), min(map(min, B))
    Ap = [[a - lo_a + 1 for a in row] for row in A]
    Bp = [[b - lo_b + 1 for b in row] for row in B]
    BT = [list(r) for r in zip(*Bp)]

    def labels(z, M, zero_off, row_off):
        out = {zero_off + t for t, v in enumerate(z) if v == 0}
        out |= {row_off + r for r, row in enumerate(M) if sum(a * v for a, v in zip(row, z)) == 1}
        return out
    X = [(x, labels(x, BT, 0, m)) for x in vertices(BT)]
    Y = [(y, labels(y, Ap, m, 0)) for y in vertices(Ap)]
    full = set(range(m + n))
    eqs = []
    for (x, lx), (y, ly) in product(X, Y):
        if lx | ly == full:
            sx, sy = sum(x), sum(y)
            eqs.append(([v / sx for v in x], [v / sy for v in y]))
    return sorted(eqs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("suite_dir")
    parser.add_argument("--out", default=str(Path(__file__).with_name("bimatrix_suite.json")))
    args = parser.parse_args()
    root = Path(args.suite_dir)
    games, seen = [], set()
    candidates = []
    for suite in ("nashpy", "quantecon"):
        for path in sorted((root / suite).rglob("*.py")):
            for line, A, B in python_games(path):
                candidates.append((f"{suite}:{path.relative_to(root / suite)}:{line}", A, B))
    for path in sorted((root / "gambit").rglob("*.nfg")):
        game = nfg_game(path)
        if game:
            candidates.append((f"gambit:{path.relative_to(root / 'gambit')}", *game))
    for name, A, B in candidates:
        A = [[Fraction(v) for v in row] for row in A]
        B = [[Fraction(v) for v in row] for row in B]
        if max(len(A), len(A[0])) > MAX_ACTIONS or min(len(A), len(A[0])) < 1:
            continue
        key = (str(A), str(B))
        if key in seen:
            continue
        seen.add(key)
        eqs = exact_equilibria(A, B)
        games.append({"name": name, "A": [[str(v) for v in r] for r in A], "B": [[str(v) for v in r] for r in B],
                      "equilibria": [[[str(v) for v in x], [str(v) for v in y]] for x, y in eqs]})
        print(f"{name}: {len(A)}x{len(A[0])}, {len(eqs)} extreme equilibria", flush=True)
    Path(args.out).write_text(json.dumps({"sources": SOURCES, "games": games}, indent=1) + "\n")
    print(f"{len(games)} games written to {args.out}")


if __name__ == "__main__":
    main()
