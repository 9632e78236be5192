"""Parameter validation: every bad input raises InvalidParameter naming field, value and range."""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np


class InvalidParameter(ValueError):
    """Bad input: names the parameter, its value and the allowed range (a ValueError).

    Parameters
    ----------
    name : str
        The parameter.
    value : object
        What was given.
    allowed : str
        What is allowed.

    Examples
    --------
    >>> import provergame as pg
    >>> try:
    ...     pg.Population.from_arrays(cost=[1.0, -1.0])
    ... except pg.InvalidParameter as exc:
    ...     print(exc.name)
    cost[1]
    """

    def __init__(self, name: str, value: Any, allowed: str):
        self.name, self.value, self.allowed = name, value, allowed
        shown = repr(value)
        if isinstance(value, int) and len(shown) > 24:            # an integer beyond float range
            shown = f"{shown[:6]}...({len(shown.lstrip('-'))} digits)"
        super().__init__(f"invalid {name}={shown}: must be {allowed}")

    def __reduce__(self):               # raised in a worker process, it reaches the caller intact
        return type(self), (self.name, self.value, self.allowed)


def _range_text(lo, hi, lo_open, hi_open) -> str:
    if lo is None and hi is None:
        return "a finite real number"
    if hi is None:
        return f"a finite number {'>' if lo_open else '>='} {lo}"
    if lo is None:
        return f"a finite number {'<' if hi_open else '<='} {hi}"
    return f"in {'(' if lo_open else '['}{lo}, {hi}{')' if hi_open else ']'}"


def check_real(name: str, value: Any, lo: float | None = None, hi: float | None = None,
               lo_open: bool = False, hi_open: bool = False) -> float:
    """Return `value` as a float, or raise InvalidParameter if it is not finite or out of range."""
    allowed = _range_text(lo, hi, lo_open, hi_open)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidParameter(name, value, allowed)
    try:
        v = float(value)
    except OverflowError:                    # an integer beyond float range
        raise InvalidParameter(name, value, allowed) from None
    if not math.isfinite(v):
        raise InvalidParameter(name, value, allowed)
    if lo is not None and (v < lo or (lo_open and v == lo)):
        raise InvalidParameter(name, value, allowed)
    if hi is not None and (v > hi or (hi_open and v == hi)):
        raise InvalidParameter(name, value, allowed)
    return v


def check_int(name: str, value: Any, lo: int | None = None, hi: int | None = None) -> int:
    """Return `value` as an int, or raise InvalidParameter."""
    allowed = "an integer" + ("" if lo is None else f" >= {lo}") + ("" if hi is None else f" and <= {hi}")
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
            value = int(value)
        else:
            raise InvalidParameter(name, value, allowed)
    v = int(value)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise InvalidParameter(name, value, allowed)
    return v


def check_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        raise InvalidParameter(name, value, "one of " + ", ".join(repr(c) for c in choices))
    return value


def check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidParameter(name, value, "True or False")
    return bool(value)


def check_callable(name: str, value: Any) -> Any:
    if not callable(value):
        raise InvalidParameter(name, type(value).__name__, "a callable (a module-level function for executors)")
    return value


def factory_name(make_game: Any) -> str:
    return getattr(make_game, "name", getattr(make_game, "__qualname__", type(make_game).__name__))


def call_factory(make_game: Any, *args: Any, **params: Any) -> Any:
    """make_game(*args, **params), where a factory that does not take these arguments (a TypeError) is
    named as the culprit, InvalidParameter 'make_game', instead of a TypeError from inside the caller."""
    try:
        return make_game(*args, **params)
    except TypeError as exc:
        taking = ", ".join(["the provers"] * bool(args) + list(params)) or "no arguments"
        raise InvalidParameter("make_game", factory_name(make_game), f"a callable taking {taking} ({exc})") from None


def check_mapping(name: str, value: Any, allowed: str) -> Any:
    """A non-empty mapping with string keys."""
    from collections.abc import Mapping
    if not isinstance(value, Mapping) or not value or not all(isinstance(k, str) for k in value):
        raise InvalidParameter(name, value, allowed)
    return value


def check_sequence(name: str, value: Any, allowed: str) -> tuple:
    """A non-empty list or tuple (or 1-d array) as a tuple."""
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if not isinstance(value, (list, tuple)) or not value:
        raise InvalidParameter(name, value, allowed)
    return tuple(value)


def check_array(name: str, values: Any, n: int | None = None, lo: float | None = None,
                hi: float | None = None, lo_open: bool = False, hi_open: bool = False) -> np.ndarray:
    """A read-only float array of length `n` (scalars broadcast), every entry finite and in range."""
    raw = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
    if not _numeric(raw):
        raise InvalidParameter(name, values, "an array of real numbers")
    try:
        arr = np.array(raw, dtype=float)
    except OverflowError:                    # an integer beyond float range
        raise InvalidParameter(name, values, _range_text(lo, hi, lo_open, hi_open)) from None
    if arr.ndim == 0 and n is not None:
        arr = np.full(n, float(arr))
    if arr.ndim != 1 or (n is not None and arr.shape[0] != n):
        raise InvalidParameter(name, values, f"a 1-d array of length {n if n is not None else '>= 1'}")
    bad = _outside(arr, lo, hi, lo_open, hi_open)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidParameter(f"{name}[{i}]", float(arr[i]), _range_text(lo, hi, lo_open, hi_open))
    arr.flags.writeable = False
    return arr


def _numeric(raw: np.ndarray) -> bool:
    """Every entry a real number (bools are not)."""
    if raw.dtype != object:
        return raw.dtype.kind in "iuf"
    return all(isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))
               for x in raw.ravel())


def _outside(arr: np.ndarray, lo: float | None, hi: float | None, lo_open: bool, hi_open: bool) -> np.ndarray:
    """Entries not finite or outside [lo, hi] (open ends excluded)."""
    bad = ~np.isfinite(arr)
    if lo is not None:
        bad |= (arr <= lo) if lo_open else (arr < lo)
    if hi is not None:
        bad |= (arr >= hi) if hi_open else (arr > hi)
    return bad


def check_members(name: str, value: Any, n: int, least: int = 2) -> tuple[int, ...]:
    """Distinct player indices in [0, n - 1], at least `least` of them, as a sorted tuple (no float,
    bool or duplicate is read as an index)."""
    allowed = f"at least {least} distinct player indices (integers) in [0, {n - 1}]"
    items = list(value) if isinstance(value, (list, tuple)) or (isinstance(value, np.ndarray) and value.ndim == 1) else None
    if items is None or any(isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)) for i in items):
        raise InvalidParameter(name, value, allowed)
    idx = sorted(int(i) for i in items)
    if len(set(idx)) != len(idx) or len(idx) < least or idx[0] < 0 or idx[-1] >= n:
        raise InvalidParameter(name, value, allowed)
    return tuple(idx)
