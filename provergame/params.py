"""Parameter specifications: each game field's type, range and unit, declared once.

A game declares a field as ``reward: float = param(Real(lo=0, unit="token"))``. The same spec
validates the constructor's argument (`Game.__post_init__`), builds the scenario schema
(`provergame.scenario`), documents the field (`describe`), and tells the conformance suite which
values must be refused (`invalid_examples`). Every refusal is an `InvalidParameter` naming the
field, the value and the allowed range.
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import MISSING, Field, dataclass, field, fields
from typing import Any, Callable

import numpy as np

from .errors import InvalidParameter

MAX_REAL = 1e12        # largest magnitude of any real parameter: payoffs and their squares stay finite
MAX_COUNT = 100_000    # default upper bound of a count, so no parameter can ask for unbounded memory

_NUMBER = (int, float, np.integer, np.floating)


def _is_number(value: Any) -> bool:
    return isinstance(value, _NUMBER) and not isinstance(value, (bool, np.bool_))


@dataclass(frozen=True)
class Spec(ABC):
    """Base of all parameter specs: unit and one-line meaning, and whether None is allowed."""

    unit: str = ""
    doc: str = ""
    optional: bool = False

    def check(self, name: str, value: Any) -> Any:
        if value is None:
            if self.optional:
                return None
            raise InvalidParameter(name, value, self.describe())
        return self._check(name, value)

    @abstractmethod
    def _check(self, name: str, value: Any) -> Any:
        """The value checked and normalised, or InvalidParameter naming `name`."""

    def describe(self) -> str:
        return "a value"

    def invalid_examples(self) -> list[Any]:
        """Values this spec must refuse (the conformance suite feeds each to the constructor)."""
        base: list[Any] = [] if self.optional else [None]
        return base + [object()]

    def from_toml(self, value: Any) -> Any:
        return value


@dataclass(frozen=True)
class Real(Spec):
    """A finite real number in [lo, hi] (open ends where asked); |value| <= MAX_REAL always."""

    lo: float | None = 0.0
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False

    @property
    def upper(self) -> float:
        return MAX_REAL if self.hi is None else self.hi

    @property
    def lower(self) -> float:
        return -MAX_REAL if self.lo is None else self.lo

    def describe(self) -> str:
        left = "(" if self.lo_open else "["
        right = ")" if self.hi_open else "]"
        text = f"a finite number in {left}{self.lower:g}, {self.upper:g}{right}"
        return text + (f" ({self.unit})" if self.unit else "")

    def _check(self, name: str, value: Any) -> float:
        if not _is_number(value):
            raise InvalidParameter(name, value, self.describe())
        try:
            v = float(value)
        except OverflowError:                # an integer beyond float range
            raise InvalidParameter(name, value, self.describe()) from None
        lo, hi = self.lower, self.upper
        if (not math.isfinite(v) or v < lo or v > hi or (self.lo_open and v == lo)
                or (self.hi_open and v == hi)):
            raise InvalidParameter(name, value, self.describe())
        return v

    def invalid_examples(self) -> list[Any]:
        out = super().invalid_examples() + [float("nan"), float("inf"), -float("inf"), 1e300, -1e300, "1", [1.0], True]
        if self.lo is not None:
            out.append(self.lo - max(1.0, abs(self.lo)) * 1e-3)
            if self.lo_open:
                out.append(self.lo)
        if self.hi is not None:
            out.append(self.hi + max(1.0, abs(self.hi)) * 1e-3)
            if self.hi_open:
                out.append(self.hi)
        return out

    def from_toml(self, value: Any) -> Any:
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


@dataclass(frozen=True)
class Int(Spec):
    """An integer (Python or numpy int; floats are refused, even integral ones) in [lo, hi]."""

    lo: int = 0
    hi: int = MAX_COUNT

    def describe(self) -> str:
        return f"an integer in [{self.lo}, {self.hi}]" + (f" ({self.unit})" if self.unit else "")

    def _check(self, name: str, value: Any) -> int:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise InvalidParameter(name, value, self.describe())
        v = int(value)
        if v < self.lo or v > self.hi:
            raise InvalidParameter(name, value, self.describe())
        return v

    def invalid_examples(self) -> list[Any]:
        return super().invalid_examples() + [float(self.lo) + 0.5, float(self.lo), float("nan"), float("inf"),
                                             "2", True, self.lo - 1, self.hi + 1, 10 ** 30]


@dataclass(frozen=True)
class Choice(Spec):
    """One of a fixed set of strings."""

    options: tuple[str, ...] = ()

    def describe(self) -> str:
        return "one of " + ", ".join(repr(o) for o in self.options)

    def _check(self, name: str, value: Any) -> str:
        if not isinstance(value, str) or value not in self.options:
            raise InvalidParameter(name, value, self.describe())
        return value

    def invalid_examples(self) -> list[Any]:
        return super().invalid_examples() + ["no-such-option", 1, 1.0, [self.options[0]]]


@dataclass(frozen=True)
class Array(Spec):
    """A 1-d array of finite reals in [lo, hi], read-only after validation.

    length: None (any length from min_len to max_len) or the name of the field whose size it must
    match ("provers" for one entry per prover, or an Int field). scalar=True lets a single number
    stand for every entry. columns: rows of that many numbers (a 2-d array), e.g. (deadline, price).
    """

    lo: float | None = 0.0
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    length: str | None = None
    scalar: bool = False
    min_len: int = 1
    max_len: int = MAX_COUNT
    columns: int | None = None

    def _element(self) -> Real:
        return Real(lo=self.lo, hi=self.hi, lo_open=self.lo_open, hi_open=self.hi_open)

    def describe(self) -> str:
        what = self._element().describe().replace("a finite number", "finite numbers")
        shape = f"rows of {self.columns} numbers" if self.columns else "an array"
        size = f" with one entry per {self.length}" if self.length else f" of {self.min_len} to {self.max_len} entries"
        scalar = " (or one number for all)" if self.scalar else ""
        return f"{shape}{size}{scalar}: {what}" + (f" ({self.unit})" if self.unit else "")

    def _check(self, name: str, value: Any) -> np.ndarray:
        arr = self._numbers(name, value)
        self._check_shape(name, value, arr)
        element = self._element()
        bad = ~np.isfinite(arr) | (arr < element.lower) | (arr > element.upper)
        if self.lo_open:
            bad |= arr == element.lower
        if self.hi_open:
            bad |= arr == element.upper
        if bad.any():
            idx = np.argwhere(np.atleast_1d(bad))[0]
            shown = float(np.atleast_1d(arr)[tuple(idx)])
            raise InvalidParameter(f"{name}[{','.join(map(str, idx))}]", shown, element.describe())
        arr.flags.writeable = False
        return arr

    def _numbers(self, name: str, value: Any) -> np.ndarray:
        """`value` as a float array, refused unless it is a number (where scalar) or a sequence of numbers."""
        if isinstance(value, (str, bytes, dict)) or (not _is_number(value) and not isinstance(
                value, (list, tuple, np.ndarray))):
            raise InvalidParameter(name, value, self.describe())
        if _is_number(value) and not self.scalar:
            raise InvalidParameter(name, value, self.describe())
        items = np.asarray(value, dtype=object) if not isinstance(value, np.ndarray) else value
        numeric = all(_is_number(x) for x in items.ravel()) if items.dtype == object else items.dtype.kind in "iuf"
        if items.size and not numeric:
            raise InvalidParameter(name, value, self.describe())
        try:
            return np.array(items, dtype=float)
        except (TypeError, ValueError):
            raise InvalidParameter(name, value, self.describe()) from None

    def _check_shape(self, name: str, value: Any, arr: np.ndarray) -> None:
        """1-d (or rows of `columns`), from min_len to max_len entries; a lone number where scalar."""
        if arr.ndim == 0 and self.scalar:
            return
        want_ndim = 2 if self.columns else 1
        if arr.ndim != want_ndim or (self.columns and arr.shape[1] != self.columns):
            raise InvalidParameter(name, value, self.describe())
        if not (self.min_len <= arr.shape[0] <= self.max_len):
            raise InvalidParameter(name, value, self.describe())

    def fit(self, name: str, arr: np.ndarray, size: int) -> np.ndarray:
        """Broadcast a scalar to `size` entries and check the length (called once sizes are known)."""
        if arr.ndim == 0:
            arr = np.full(size, float(arr))
        elif arr.shape[0] != size:
            raise InvalidParameter(name, f"{arr.shape[0]} entries", f"one entry per {self.length} ({size})")
        arr = np.array(arr, dtype=float)
        arr.flags.writeable = False
        return arr

    def invalid_examples(self) -> list[Any]:
        row = [1.0] * (self.columns or 1)
        one = row if self.columns else 1.0
        out = super().invalid_examples() + ["1", {"a": 1}, [], [one, "x"]]
        out += [[_cell(row, b, self.columns)] for b in (float("nan"), float("inf"), 1e300)]
        if self.lo is not None:
            out.append([_cell(row, self.lo - max(1.0, abs(self.lo)) * 1e-3, self.columns)])
        if self.columns:
            out.append([[1.0] * (self.columns + 1)])
        return out


def _cell(row: list[float], value: float, columns: int | None) -> Any:
    return value if not columns else [value] + row[1:]


@dataclass(frozen=True)
class Instance(Spec):
    """An instance of a class (a population, a booster, a market); a dict builds one from its fields."""

    cls: type | None = None
    from_dict: bool = True

    def describe(self) -> str:
        return f"a {getattr(self.cls, '__name__', 'value')}" + (" (or a table of its fields)" if self.from_dict else "")

    def _check(self, name: str, value: Any) -> Any:
        assert self.cls is not None
        if isinstance(value, self.cls):
            return value
        if self.from_dict and isinstance(value, dict):
            try:
                return self.cls(**value)
            except InvalidParameter as exc:
                raise InvalidParameter(f"{name}.{exc.name}", exc.value, exc.allowed) from None
            except TypeError as exc:
                raise InvalidParameter(name, value, f"{self.describe()}: {exc}") from None
        raise InvalidParameter(name, type(value).__name__, self.describe())

    def invalid_examples(self) -> list[Any]:
        return super().invalid_examples() + [1.0, "x", [1.0]] + ([{"no_such_field": 1}] if self.from_dict else [])


@dataclass(frozen=True)
class Custom(Spec):
    """A value with its own check function (e.g. a probability law); `allowed` describes it."""

    checker: Callable[[str, Any], Any] | None = None
    allowed: str = ""
    bad: tuple[Any, ...] = ()

    def describe(self) -> str:
        return self.allowed

    def _check(self, name: str, value: Any) -> Any:
        assert self.checker is not None
        try:
            return self.checker(name, value)
        except InvalidParameter:
            raise
        except (TypeError, ValueError, IndexError, KeyError) as exc:
            raise InvalidParameter(name, value, f"{self.allowed} ({type(exc).__name__}: {exc})") from None

    def invalid_examples(self) -> list[Any]:
        return super().invalid_examples() + list(self.bad)

    def from_toml(self, value: Any) -> Any:
        return tuple(value) if isinstance(value, list) else value


def param(spec: Spec, default: Any = MISSING) -> Any:
    """A dataclass field carrying its spec: ``reward: float = param(Real(lo=0, unit="token"))``."""
    if default is MISSING:
        return field(metadata={"spec": spec})
    if isinstance(default, (list, dict, np.ndarray)):
        raise TypeError("mutable defaults are not allowed; use None or a tuple")
    return field(default=default, metadata={"spec": spec})


def dataclass_fields(obj: Any) -> tuple[Field, ...]:
    """The dataclass fields of a game or parameter record (instance or class)."""
    return fields(obj)


def field_default(f: Field) -> Any:
    """A field's default value (calling its factory), or MISSING where it is required."""
    if f.default is not MISSING:
        return f.default
    factory: Any = f.default_factory
    return MISSING if factory is MISSING else factory()


def spec_of(f: Any) -> Spec | None:
    return f.metadata.get("spec") if hasattr(f, "metadata") else None
