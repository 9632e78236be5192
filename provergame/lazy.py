"""Heavy optional libraries, imported on first use so that `import provergame` stays fast.

`from provergame.lazy import sympy as sp` behaves like `import sympy as sp`, except that sympy is
imported the first time an attribute is looked up (a proof, a symbolic face), not at import.
"""
from __future__ import annotations

import importlib
import sys
from typing import Any


class LazyModule:
    """A module stand-in that imports the real module on first attribute access."""

    __slots__ = ("_name", "_module")

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_module", None)

    def _load(self) -> Any:
        module = object.__getattribute__(self, "_module")
        if module is None:
            module = importlib.import_module(object.__getattribute__(self, "_name"))
            object.__setattr__(self, "_module", module)
        return module

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._load(), attr)

    def __repr__(self) -> str:
        return f"<lazy module {object.__getattribute__(self, '_name')}>"


def is_frame(value: Any) -> bool:
    """A pandas DataFrame? (Without importing pandas: a value cannot be one before pandas is loaded.)"""
    module = sys.modules.get("pandas")
    return module is not None and isinstance(value, module.DataFrame)


sympy = LazyModule("sympy")
pandas = LazyModule("pandas")
stats = LazyModule("scipy.stats")
integrate = LazyModule("scipy.integrate")
optimize = LazyModule("scipy.optimize")
special = LazyModule("scipy.special")
z3 = LazyModule("z3")
