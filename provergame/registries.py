"""The one rule every registry of provergame follows (metrics, attacks, decision goals): a name is
registered once; registering the same item again is harmless, a different item under it an error."""
from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


def add_once(table: dict[str, Any], name: str, item: T, what: str) -> T:
    """Put `item` in `table` under `name` (registration order kept), refusing a second, different one."""
    old = table.get(name)
    if old is not None and old != item:
        raise ValueError(f"{what} {name!r} is already registered as {old!r}")
    table[name] = item
    return item
