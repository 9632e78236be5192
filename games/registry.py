"""The registry of games: every mechanism registered by kind (its scenario name), with its declared
parameters, so that scenarios, sweeps, the CLI and the conformance suite find it by name.

    @register("winner_takes_all")
    @dataclass(frozen=True)
    class WinnerTakesAll(Game): ...
"""
from __future__ import annotations

import re
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import Any, Callable, Mapping

from provergame.errors import InvalidParameter
from provergame.model import Population
from provergame.params import Instance, Spec, dataclass_fields, field_default, spec_of

from .base import Game
from .traits import check_traits

_REGISTRY: dict[str, type[Game]] = {}
_ROUTES: dict[str, list[tuple[str, dict[str, str], str | None]]] = {}


def register(kind: str) -> Callable[[type[Game]], type[Game]]:
    """Class decorator: name a game `kind` and make it known to scenarios and the conformance suite.

    Every dataclass field must carry a spec (provergame.params.param); the game must implement
    `example()` and declare its `traits` (games.traits.GameTraits), checked against its fields here
    (limitations stated, players, budget and seat fields among its parameters). A second class under a
    kind already taken is an error."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", kind):
        raise ValueError(f"game kind {kind!r} must be snake_case")

    def add(cls: type[Game]) -> type[Game]:
        if not (isinstance(cls, type) and issubclass(cls, Game)):
            raise TypeError(f"@register({kind!r}) takes a Game subclass, not {cls!r}")
        unspecified = [f.name for f in dataclass_fields(cls) if spec_of(f) is None]
        if unspecified:
            raise TypeError(f"{cls.__name__}: every field needs a spec (provergame.params.param); "
                            f"missing for {unspecified}")
        check_traits(cls)
        old = _REGISTRY.get(kind)
        if old is not None and (old.__module__, old.__qualname__) != (cls.__module__, cls.__qualname__):
            raise ValueError(f"game kind {kind!r} is already registered by {old.__module__}.{old.__qualname__}")
        cls.kind = kind
        if "Parameters\n" not in (cls.__doc__ or ""):
            cls.__doc__ = (cls.__doc__ or cls.__name__).rstrip() + "\n\n" + _numpydoc(cls, kind)
        _REGISTRY[kind] = cls
        return cls

    return add


def _numpydoc(cls: type[Game], kind: str) -> str:
    """The numpydoc sections of a registered game, from its own declarations: each parameter's spec
    (what it accepts, unit, meaning, default), the traits, and an example that solves a small instance."""
    lines = ["    Parameters", "    ----------"]
    for name, (spec, default) in parameter_specs(cls).items():
        shown = "" if default is MISSING else f", default {default!r}"
        lines.append(f"    {name} : {spec.describe()}{shown}")
        if spec.doc:
            lines.append(f"        {spec.doc}")
    t = cls.traits
    lines += ["", "    Notes", "    -----",
              f"    Scenario kind ``{kind}``; timing family {t.timing.value}; strategies: {t.strategy_label}; at most "
              f"{t.max_provers} players. Not modelled: {t.limitations}",
              "", "    Examples", "    --------",
              "    >>> import provergame as pg",
              f"    >>> game = pg.games.registered()[{kind!r}].example()",
              "    >>> eq = pg.solve(game)",
              "    >>> bool(eq.regret <= 1e-6 * max(1.0, float(abs(eq.payoffs).max()))) or not eq.exact",
              "    True", ""]
    return "\n".join(lines)


def route(kind: str, field: str, kinds: Mapping[str, str], default: str | None = None) -> None:
    """Keep an older scenario kind working: `kind` with `field` = v builds `kinds[v]` (`default` when
    the field is absent), so a game that was one class with a rule switch is now one kind per rule."""
    _ROUTES.setdefault(kind, []).append((field, dict(kinds), default))


def routed_kinds() -> frozenset[str]:
    """Older kinds that scenarios may still name (each resolves to a registered kind by its fields)."""
    return frozenset(_ROUTES)


def resolve(kind: str, params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """(registered kind, parameters) for a scenario table: a routed kind picks its kind by its fields."""
    params = dict(params)
    for switch, kinds, default in _ROUTES.get(kind, []):
        if switch in params:
            value = params.pop(switch)
            if value not in kinds:
                raise InvalidParameter(switch, value, "one of " + ", ".join(repr(v) for v in kinds))
            target = kinds[value]
        elif default is None:
            continue
        else:
            target = default
        if target != kind:
            return resolve(target, params)
    return kind, params


def registered() -> dict[str, type[Game]]:
    """Every registered game class by kind (a copy), in registration order."""
    return dict(_REGISTRY)


def game_class(kind: str) -> type[Game]:
    if kind not in _REGISTRY:
        raise InvalidParameter("kind", kind, "one of " + ", ".join(sorted(_REGISTRY)))
    return _REGISTRY[kind]


def parameter_specs(cls: type) -> dict[str, tuple[Spec, Any]]:
    """field -> (spec, default) of a game class or parameter dataclass (MISSING: required)."""
    out = {}
    for f in fields(cls):
        spec = spec_of(f)
        if spec is not None:
            default = field_default(f)
            out[f.name] = (spec, default)
    return out


def build(kind: str, params: Mapping[str, Any], provers: Population | None = None) -> Game:
    """Build a registered game from plain values (a scenario table): fields holding a population get
    `provers` unless given; nested games (a table) are built the same way. Unknown keys are refused."""
    kind, params = resolve(kind, params)
    return _build(game_class(kind), params, provers, prefix="")


@dataclass(frozen=True)
class Recipe:
    """A picklable game recipe: a registered kind, its plain parameters, and optionally the provers.

    The one make_game shape every caller takes: `recipe(population)` (timelines, population draws),
    `recipe(**overrides)` (sweeps, with the recipe's own provers) and `recipe(provers=population,
    **overrides)` (design searches) all build `kind` with the parameters, the overrides on top.
    `name` identifies it in sweep stores.
    """

    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)
    provers: Population | None = None
    name: str = ""

    def __call__(self, provers: Population | None = None, **overrides: Any) -> Game:
        return build(self.kind, {**self.params, **overrides}, self.provers if provers is None else provers)

    def but(self, **overrides: Any) -> "Recipe":
        """The same recipe with some parameters set."""
        return replace(self, params={**self.params, **overrides})


def _build(cls: type, params: Mapping[str, Any], provers: Population | None, prefix: str) -> Any:
    specs = parameter_specs(cls)
    unknown = sorted(set(params) - set(specs))
    if unknown:
        raise InvalidParameter(prefix + unknown[0], params[unknown[0]],
                               f"a parameter of {cls.__name__}: one of {', '.join(specs)}")
    args: dict[str, Any] = {}
    for name, (spec, default) in specs.items():
        if name in params:
            value = spec.from_toml(params[name])
            target = getattr(spec, "cls", None)
            if isinstance(spec, Instance) and isinstance(value, dict) and isinstance(target, type):
                value = _build(target, value, provers, prefix=f"{prefix}{name}.")
            args[name] = value
        elif isinstance(spec, Instance) and spec.cls is Population and provers is not None:
            args[name] = provers
        elif spec.optional and default is MISSING:
            args[name] = None
        elif default is MISSING:
            raise InvalidParameter(prefix + name, "missing", spec.describe())
    try:
        return cls(**args)
    except InvalidParameter as exc:
        if prefix and not exc.name.startswith(prefix):
            raise InvalidParameter(prefix + exc.name, exc.value, exc.allowed) from None
        raise


def schema(kind: str) -> list[dict[str, Any]]:
    """The scenario schema of one kind: field, what it accepts (range and unit), default, meaning."""
    rows = []
    for name, (spec, default) in parameter_specs(game_class(kind)).items():
        rows.append({"field": name, "accepts": spec.describe(), "unit": spec.unit,
                     "default": "required" if default is MISSING else default, "meaning": spec.doc})
    return rows
