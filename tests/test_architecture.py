"""The code's shape: an acyclic import graph (function-level imports included), no dispatch on
concrete game classes outside games/, and one module plus one registration per mechanism."""
from __future__ import annotations

import ast
import importlib.util
import os
import sys
import textwrap
from pathlib import Path

import pytest

import provergame as pg
from provergame.games import registered

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"provergame": ROOT / "provergame", "provergame.games": ROOT / "games",
            "provergame.solvers": ROOT / "solvers", "provergame.proofs": ROOT / "proofs",
            "provergame.analyses": ROOT / "provergame" / "analyses"}


def _modules() -> dict[str, Path]:
    out = {}
    for pkg, folder in PACKAGES.items():
        for path in folder.glob("*.py"):
            name = pkg if path.stem == "__init__" else f"{pkg}.{path.stem}"
            out[name] = path
    extra = os.environ.get("PROVERGAME_EXTRA_GAME")        # a module placed in games/ (tests/test_template.py)
    if extra:
        out[f"provergame.games.{Path(extra).stem}"] = Path(extra)
    return out


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every provergame module `name` imports, at any level of the file; `from pkg import sub` counts
    as importing the submodule when it is one, else the package's __init__."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):                  # `if TYPE_CHECKING:` imports never run
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            node.body = []
    package = name if path.stem == "__init__" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                mod = f"{base}.{node.module}" if node.module else base
            else:
                mod = node.module or ""
            for alias in node.names:
                sub = f"{mod}.{alias.name}"
                if sub in known:
                    found.add(sub)
                elif mod in known:
                    found.add(mod)
    found.discard(name)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_import_graph_is_acyclic():
    mods = _modules()
    graph = {name: _imports(name, path, set(mods)) for name, path in mods.items()}
    assert _cycles(graph) == []


def test_game_modules_depend_only_on_the_kernel():
    """A mechanism module imports base, model, errors, params, solver kernels, proofs and its family."""
    mods = _modules()
    allowed_prefixes = ("provergame.games", "provergame.solvers", "provergame.proofs")
    allowed = {"provergame.errors", "provergame.model", "provergame.params", "provergame.lazy"}
    for name, path in mods.items():
        if not name.startswith("provergame.games"):
            continue
        for dep in _imports(name, path, set(mods)):
            assert dep in allowed or dep.startswith(allowed_prefixes), (name, dep)
            assert dep not in ("provergame.solvers.bribe", "provergame.solvers.undercut"), (name, dep)


def test_no_dispatch_on_concrete_game_classes_outside_games():
    classes = {cls.__name__ for cls in registered().values()}
    offenders = []
    for name, path in _modules().items():
        if name.startswith("provergame.games"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("isinstance", "issubclass"):
                text = ast.unparse(node.args[1])
                if any(c in text.replace("(", " ").replace(")", " ").replace(",", " ").replace(".", " ").split()
                       for c in classes):
                    offenders.append(f"{name}: {ast.unparse(node)}")
    assert offenders == []


TEMPLATE = ROOT / "examples" / "new_mechanism.py"


def test_adding_a_mechanism_is_one_module_and_one_registration(tmp_path):
    """The template registers a game from outside the package; scenarios and the conformance checks
    then see it with no other change."""
    spec = importlib.util.spec_from_file_location("new_mechanism", TEMPLATE)
    module = importlib.util.module_from_spec(spec)
    sys.modules["new_mechanism"] = module
    spec.loader.exec_module(module)
    kind = module.RoundRobin.kind
    assert registered()[kind] is module.RoundRobin
    game = module.RoundRobin.example()
    eq = pg.solve(game)
    assert eq.regret <= 1e-9
    assert pg.cross_check(game, eq, pg.simulate(game, eq.profile, rounds=20_000, seed=1)).passed
    scenario = tmp_path / "s.toml"
    scenario.write_text(textwrap.dedent(f"""
        name = "template"
        [provers]
        n = 4
        cost = 1.0
        [[mechanism]]
        kind = "{kind}"
        reward = 3.0
    """))
    from provergame.scenario import load_scenario
    (label, built), = load_scenario(scenario).games()
    assert label == kind and built == module.RoundRobin(3.0, built.provers)
    with pytest.raises(pg.InvalidParameter, match="reward"):
        module.RoundRobin(-1.0, built.provers)


def test_import_leaves_heavy_libraries_for_first_use():
    """`import provergame` loads none of sympy, pandas, scipy.stats/integrate/optimize, z3,
    matplotlib or dask: they load when a proof, a frame, an integral or a figure first needs them
    (benchmarks/import_time.py measures the time)."""
    import subprocess
    import sys
    code = ("import sys, provergame; heavy = ['sympy', 'pandas', 'scipy.stats', 'scipy.integrate', "
            "'scipy.optimize', 'z3', 'matplotlib', 'dask', 'nashpy']; "
            "print(','.join(m for m in heavy if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "", loaded


def test_loading_a_scenario_leaves_heavy_libraries_for_the_workers():
    """`provergame report` loads and checks the scenario in the parent while the workers start: every
    game is built and validated, and none of that needs pandas, scipy.stats or sympy (so the first
    tasks go out at once)."""
    import subprocess
    import sys
    code = ("import sys; from provergame.scenario import load_scenario, default_scenario_path; "
            "sc = load_scenario(default_scenario_path()); assert sc.games(); "
            "heavy = ['sympy', 'pandas', 'scipy.stats', 'scipy.integrate', 'scipy.optimize', 'z3', 'matplotlib']; "
            "print(','.join(m for m in heavy if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "", loaded


def _complexity(fn: ast.AST) -> int:
    """McCabe's cyclomatic complexity as radon counts it: 1 + branches (if, loops, except, conditional
    expressions, comprehension clauses, assert) + extra operands of and/or; nested functions apart."""
    count = 1
    stack = list(ast.iter_child_nodes(fn))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.ExceptHandler, ast.IfExp, ast.Assert)):
            count += 1
        elif isinstance(node, ast.comprehension):
            count += 1 + len(node.ifs)
        elif isinstance(node, ast.BoolOp):
            count += len(node.values) - 1
        elif isinstance(node, (ast.For, ast.While)) and node.orelse:
            count += 1
        stack.extend(ast.iter_child_nodes(node))
    return count


def _code_lines(fn: ast.AST) -> int:
    """Lines of a function from its signature to its end, its docstring left out."""
    body = fn.body
    doc = body[0] if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None),
                                                                         ast.Constant) else None
    span = fn.end_lineno - fn.lineno + 1
    return span - (doc.end_lineno - doc.lineno + 1 if doc is not None and len(body) > 1 else 0)


def test_orchestration_is_small_named_steps():
    """No function in provergame/ is over 60 lines of code (docstrings apart) or has cyclomatic complexity
    over 15 (issue 24): the report writer, the design search and the timeline's epoch loop are small
    named steps."""
    offenders = []
    for path in sorted((ROOT / "provergame").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines, cc = _code_lines(node), _complexity(node)
                if lines > 60 or cc > 15:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {lines} lines, complexity {cc}")
    assert offenders == []
