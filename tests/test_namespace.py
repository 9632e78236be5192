"""Issue 27, item 2: no submodule shadows a public function. Importing every module of the package (as a
user's `import provergame.timeline` or a worker's unpickling would) leaves each name in provergame.__all__
the function or class it was, not the module of the same name."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

import provergame as pg

PACKAGES = {"games", "proofs", "solvers"}


def test_importing_every_submodule_shadows_no_public_name():
    before = {name: getattr(pg, name) for name in pg.__all__}
    for info in pkgutil.walk_packages(pg.__path__, prefix="provergame."):
        if info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)
    for name in ("provergame.games", "provergame.solvers", "provergame.proofs"):
        module = importlib.import_module(name)
        for info in pkgutil.iter_modules(module.__path__, prefix=name + "."):
            importlib.import_module(info.name)
    for name in pg.__all__:
        value = getattr(pg, name)
        assert value is before[name], name
        if name in PACKAGES:
            assert inspect.ismodule(value), name
        elif name != "__version__":
            assert not inspect.ismodule(value), f"pg.{name} is a module, not the public function or class"
            assert callable(value), name
