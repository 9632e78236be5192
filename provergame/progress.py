"""Progress bars (rich) for the public calls that can run for more than a few seconds.

A public call is wrapped by `reports_progress(label)` and takes `progress: bool | None`; inside it,
the loops call `tick(owner)` (a no-op when no bar is shown, so solvers do not know whether anyone
watches; a solver's loop counts only on its own public call's bar, and names its step on another's). `progress=None` shows the bar when stderr is a terminal or a notebook; `False` never; a call
made inside another one's bar names its steps on the outer bar instead of opening its own."""
from __future__ import annotations

import functools
import inspect
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, Iterator, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_ACTIVE: ContextVar["_Bar | _Nested | None"] = ContextVar("provergame_progress", default=None)
CONSOLE: Any = None   # a rich Console to draw on (tests set one); None: rich's stderr console


class _Bar:
    """One rich Progress with one task: steps done, the current step's label, time elapsed."""

    def __init__(self, label: str, console: Any, owner: str = ""):
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                                   TimeElapsedColumn)
        self.label, self.owner = label, owner
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=True)
        self.task = self.progress.add_task(label, total=None)

    def advance(self, steps: int = 1, step: str | None = None) -> None:
        text = self.label if step is None else f"{self.label}: {step}"
        self.progress.update(self.task, advance=steps, description=text)

    def expect(self, total: int) -> None:
        self.progress.update(self.task, total=total)


class _Nested:
    """A call made inside another's bar: its steps show as the outer bar's current step, without
    counting (the outer bar counts its own steps)."""

    def __init__(self, outer: "_Bar | _Nested", label: str, owner: str = ""):
        self.outer, self.label, self.owner = outer, label, owner

    def advance(self, steps: int = 1, step: str | None = None) -> None:
        self.outer.advance(0, self.label if step is None else f"{self.label}: {step}")

    def expect(self, total: int) -> None:
        return None


def _console() -> Any:
    if CONSOLE is not None:
        return CONSOLE
    from rich.console import Console
    return Console(stderr=True)


def shown(progress: bool | None, console: Any) -> bool:
    """Whether a bar is drawn: as asked, or by default where someone can see it."""
    if progress is not None:
        return bool(progress)
    return bool(console.is_terminal or console.is_jupyter)


@contextmanager
def bar(label: str, progress: bool | None = None, owner: str = "") -> Iterator[None]:
    """Open a bar labelled `label` for the calls inside (unless one is open or none is wanted); it counts
    the ticks of `owner` (the public call's name) and shows the others' as its current step."""
    if progress is not None and not isinstance(progress, bool):
        from .errors import InvalidParameter
        raise InvalidParameter("progress", progress, "True, False or None (default: shown on a terminal or in a notebook)")
    outer = _ACTIVE.get()
    if outer is not None or progress is False or not shown(progress, _console()):
        token = _ACTIVE.set(None if outer is None or progress is False else _Nested(outer, label, owner))
        try:
            yield
        finally:
            _ACTIVE.reset(token)
        return
    active = _Bar(label, _console(), owner)
    token = _ACTIVE.set(active)
    try:
        with active.progress:
            yield
    finally:
        _ACTIVE.reset(token)


def tick(owner: str | tuple[str, ...], step: str | None = None, steps: int = 1) -> None:
    """Advance the open bar by `steps` when it belongs to `owner` (the public call whose loop this is);
    otherwise only name the step (a solver's loop run inside another call's bar); nothing when no bar
    is open."""
    active = _ACTIVE.get()
    if active is not None:
        active.advance(steps if _owns(active, owner) else 0, step)


def expect(owner: str | tuple[str, ...], total: int) -> None:
    """Tell `owner`'s open bar how many steps the call will take (when it is known)."""
    active = _ACTIVE.get()
    if active is not None and _owns(active, owner):
        active.expect(total)


def _owns(active: "_Bar | _Nested", owner: str | tuple[str, ...]) -> bool:
    return active.owner in ((owner,) if isinstance(owner, str) else owner)


def reports_progress(label: str) -> Callable[[F], F]:
    """Decorator: the call runs inside `bar(label, progress)`, `progress` read from its own arguments."""
    def wrap(fn: F) -> F:
        signature = inspect.signature(fn)
        if "progress" not in signature.parameters:
            raise TypeError(f"{fn.__qualname__} needs a progress parameter to report progress")

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                wanted = signature.bind_partial(*args, **kwargs).arguments.get("progress")
            except TypeError:
                return fn(*args, **kwargs)           # the call's own error message
            with bar(label, wanted, fn.__name__):
                return fn(*args, **kwargs)
        return run  # type: ignore[return-value]
    return wrap
