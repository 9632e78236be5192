"""A timeline run as booked (in stretches where it can) beside the same run stepped epoch by epoch: the step is
the reference every stretch is checked against."""
import importlib

from provergame.timeline import timeline


def stretched_and_stepped(monkeypatch, make, provers, env, seed, rule, economy):
    """(the run as booked, the same run stepped epoch by epoch, [(epoch, epochs booked)] per stretch tried)."""
    tl_module = importlib.import_module("provergame.timeline")
    booked, stretch = [], tl_module._Run.stretch
    with monkeypatch.context() as m:
        m.setattr(tl_module._Run, "stretch", lambda self, e: booked.append((e, stretch(self, e))) or booked[-1][1])
        fast = timeline(make, provers, env, seeds=[seed], rule=rule, economy=economy, progress=False)
    with monkeypatch.context() as m:
        m.setattr(tl_module._Run, "quiet", lambda self: False)
        slow = timeline(make, provers, env, seeds=[seed], rule=rule, economy=economy, progress=False)
    return fast, slow, booked
