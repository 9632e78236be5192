"""The registry of report sections by game kind (filled by the family modules beside this one)."""
from __future__ import annotations

from typing import Any, Callable

Sections = Callable[[Any, Any], dict[str, Any]]
SECTIONS: dict[str, Sections] = {}


def section(*kinds: str) -> Callable[[Sections], Sections]:
    """Register the report sections of one or more game kinds:

        @section("winner_takes_all")
        def winner_takes_all(game, profile) -> dict[str, DataFrame | Figure | str]: ...
    """
    def add(fn: Sections) -> Sections:
        for kind in kinds:
            SECTIONS[kind] = fn
        return fn
    return add
