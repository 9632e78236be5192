"""Markdown reports: index.md comparing all mechanisms, one file per mechanism, PNG figures.

Deterministic: seeded simulations, fixed number formatting, matplotlib Agg without timestamps,
so the command printed at the top of each file reproduces it byte for byte.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Collection, Sequence

import numpy as np
from provergame.lazy import pandas as pd

from .results import _fmt, markdown_table


@dataclass(frozen=True)
class Figure:
    """A line figure for a report: one panel per series, all against x."""

    name: str
    x: np.ndarray
    series: dict
    xlabel: str
    title: str
    overlay: bool = False


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _save(fig: Any, path: Path) -> None:
    """Deterministic PNG (no software stamp), then free the figure."""
    fig.tight_layout()
    fig.savefig(path, format="png", metadata={"Software": None})
    _pyplot().close(fig)


def _figure(path: Path, x: np.ndarray, series: dict[str, np.ndarray], xlabel: str, title: str,
            overlay: bool = False) -> None:
    plt = _pyplot()
    if overlay:
        fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
        for name, y in series.items():
            ax.plot(x, y, marker="o", ms=3, label=name)
        ax.set_xlabel(xlabel)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
        ax.set_title(title)
        _save(fig, path)
        return
    fig, axes = plt.subplots(1, len(series), figsize=(4.2 * len(series), 3.4), dpi=100)
    axes = np.atleast_1d(axes)
    for ax, (name, y) in zip(axes, series.items()):
        ax.plot(x, y, marker="o", ms=3)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    _save(fig, path)


def _scatter(path: Path, frame: pd.DataFrame, x: str, y: str, front: np.ndarray, title: str) -> None:
    """Designs as points (x, y), the Pareto front highlighted and labelled."""
    fig, ax = _pyplot().subplots(figsize=(6.4, 4.4), dpi=100)
    ax.scatter(frame[x][~front], frame[y][~front], s=18, color="0.6", label="dominated")
    ax.scatter(frame[x][front], frame[y][front], s=30, color="C3", label="Pareto front")
    for _, row in frame[front].iterrows():
        ax.annotate(row["mechanism"], (row[x], row[y]), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_xscale("symlog", linthresh=1.0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(title)
    _save(fig, path)


PARETO_OBJECTIVES = (("user_cost per proof", False), ("hhi", False), ("on-time liveness", True),
                     ("stall bribe per hour", True))


def pareto_section(rows: list[dict[str, Any]], out: Path) -> tuple[list[Any], Path]:
    """The mechanisms no other beats on user cost, concentration, on-time liveness and attack cost at
    once (as configured: each at its own budget): the legend, the figure, the table and (for the HTML
    page) the frame with its front mask."""
    from provergame.solvers.pareto import pareto_mask
    frame = pd.DataFrame(rows)
    frame["mechanism"] = frame["mechanism"].str.replace(r"^\[([^\]]+)\].*$", r"\1", regex=True)
    cols = [c for c, _ in PARETO_OBJECTIVES]
    values = frame[cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    front = pareto_mask(values, [m for _, m in PARETO_OBJECTIVES])
    name = "pareto_front.png"
    numeric = frame.assign(**{c: values[:, j] for j, c in enumerate(cols)})
    _scatter(out / name, numeric[~np.isnan(values).any(axis=1)], "user_cost per proof", "on-time liveness",
             front[~np.isnan(values).any(axis=1)], "Designs as configured: user cost vs on-time liveness")
    text = ("A mechanism is on the front when no other is at least as good on user cost per proof, HHI, "
            "on-time liveness and the stall bribe per hour, and better on one. Mechanisms without a stall bribe "
            "(the players do not prove) are left out. Each is at its own configured budget (the equal-budget "
            "table compares them at one price).")
    table = frame.loc[front, ["mechanism"] + cols]
    return [text, f"![Pareto front]({name})", markdown_table(table), (frame, front)], out / name


def _header(context: dict[str, Any]) -> str:
    lines = [f"Scenario: {context.get('scenario', 'ad hoc')}; seed {context.get('seed', 0)}; "
             f"{context.get('rounds', '?')} simulated rounds per mechanism; provergame {context.get('version', '?')}.",
             _units(context)]
    if context.get("command"):
        lines.append(f"Reproduce byte for byte: `{context['command']}`")
    return "\n\n".join(lines)


def _units(context: dict[str, Any]) -> str:
    slot = context.get("slot_seconds", 600.0)
    return (f"Units: rewards, costs and bribes in tokens per unit of work (one round: one block's proof); one unit "
            f"of work lasts {slot:g} s, so an hour has {3600 / slot:g} of them. On time: a valid proof within "
            f"{context.get('window', 1.0):g} time unit(s) of the round's start (a time unit is a mean proving time "
            f"at rate 1).")


ASSUMPTIONS = (
    "Provers are risk-neutral and maximise expected profit per unit of work; every number is at a certified "
    "equilibrium (its regret, the best gain of a unilateral deviation, is in the tables) unless marked inexact.",
    "Costs, speeds, stakes and reliabilities are known to all players, except where a mechanism draws private "
    "values or costs (the auctions), which then follow a known law.",
    "Each unit of work is one independent round: no L1 gas, no hardware capital, no entry or exit over time "
    "(the dynamics figures are separate, labelled models).",
    "Attack costs hold after everyone responds: the provers outside a bribed coalition re-play their equilibrium.",
)


def summary_frame(results: Sequence[Any]) -> pd.DataFrame:
    """One row per analysed mechanism: its label and the numbers of `Analysis.summary()`."""
    rows = []
    for label, analysis in results:
        s = analysis.summary()
        rows.append({"label": label, **{k: v for k, v in s.items() if k != "mechanism"}})
    return pd.DataFrame(rows)


def _question(context: dict[str, Any]) -> str:
    targets = context.get("targets") or {}
    from provergame.targets import TARGETS
    wants = [f"{TARGETS[k][1]} {TARGETS[k][0]} {v:g}" for k, v in targets.items()]
    meet = " and ".join(wants) if wants else "the scenario's targets (none set)"
    return (f"**The question.** Which design, with which parameters, gives {meet} at the lowest cost to users, "
            f"how evenly does it spread rewards at an equal budget, and what does it cost to attack? Each goal "
            f"below names the winning mechanism, its number, the runner-up, and whether the ranking holds over "
            f"{context.get('draws', 1)} seeded draws of the provers (seeds {context.get('population_seed', 0)} to "
            f"{context.get('population_seed', 0) + context.get('draws', 1) - 1}{_drawn_too(context)}; a verdict "
            f"survives when the winner is ahead in at least 80% of them).")


def _drawn_too(context: dict[str, Any]) -> str:
    text = context.get("uncertainty") or ""
    return f"; {text}" if text else ""


def mechanism_section(label: str, analysis: Any, out: Path | None = None) -> str:
    game, eq = analysis.game, analysis.equilibrium
    params = pd.DataFrame({"parameter": list(game.parameters()), "value": list(game.parameters().values())})
    from provergame.games.base import TIMINGS
    parts = [f"## {label}: {game.title}", (game.__doc__ or "").strip().split("\n\n")[0].replace("\n    ", " "),
             "### Assumptions and limitations",
             f"- Timing ({game.traits.timing}): {TIMINGS[game.traits.timing]}.\n- Not modelled: {game.traits.limitations}\n"
             f"- Equilibrium: {eq.method}; certificate: regret {_fmt(eq.regret)}"
             f"{'' if eq.exact else ' (inexact: a least-regret profile, not an equilibrium)'}.",
             "### Parameters", markdown_table(params),
             "### Equilibrium", eq._repr_markdown_(), *_set_section(analysis), *_achievable_section(analysis),
             "### Metrics: analytic at the equilibrium vs simulated",
             markdown_table(analysis.to_frame()),
             "### Simulator cross-check", analysis.cross_check._repr_markdown_()]
    parts += _attack_sections(analysis)
    for title, item in analysis.extra.items():
        if title.startswith("_"):
            continue
        parts.append(f"### {title}")
        if isinstance(item, pd.DataFrame):
            parts.append(markdown_table(item))
        elif isinstance(item, Figure):
            name = f"{slug(label)}_{slug(item.name)}.png"
            if out is not None:
                _figure(out / name, item.x, item.series, item.xlabel, item.title, item.overlay)
            parts.append(f"![{item.title}]({name})")
        else:
            parts.append(str(item))
    from provergame.proofs.coverage import coverage
    parts += ["### Proofs", markdown_table(analysis.proofs),
              "### Claims and the theorems that back them",
              "Each claim this page makes, with the theorems of this game that back it and pass every audit; "
              "\"not proved\" means the page's number for it rests on the solvers and the simulator alone.",
              markdown_table(coverage(analysis.proofs))]
    return "\n\n".join(parts)


def _backing(labelled: list[tuple[str, Any]]) -> dict[str, dict[str, str]]:
    """label -> claim -> the passing theorems backing it on that mechanism's page, or "not proved"."""
    from provergame.proofs.coverage import coverage
    return {label: dict(zip(*coverage(a.proofs)[["claim", "backed by"]].T.values)) for label, a in labelled}


def _achievable_by_label(labelled: list[tuple[str, Any]]) -> dict[str, str]:
    """label -> its user cost against the best correlated equilibrium (price of anarchy and of stability),
    or why that is not computed."""
    out = {}
    for label, a in labelled:
        found = getattr(a, "achievable", None)
        if isinstance(found, str):
            out[label] = f"not computed: {found}"
        elif found is not None and "user_cost" in found:
            c = found["user_cost"]
            out[label] = (f"as configured, user cost: best correlated {c.correlated_best:.4g}, Nash {c.nash_best:.4g} to "
                          f"{c.nash_worst:.4g}; PoA {c.price_of_anarchy:.4g}, PoS {c.price_of_stability:.4g}")
    return out


def _set_section(analysis: Any) -> list[str]:
    """The equilibrium set: its size and, where it has more than one member, each headline metric at
    the solver's equilibrium, the worst and the best over the set."""
    found = analysis.equilibrium_set
    if found is None:
        return []
    head = f"### Equilibrium set\n\n{len(found)} certified equilibri{'um' if len(found) == 1 else 'a'}: {found.how}."
    if len(found) == 1:
        return [head + (" The equilibrium is unique: every number on this page holds at every equilibrium."
                        if found.complete else " The numbers on this page are at the solver's equilibrium.")]
    outcomes = found.outcomes(analysis.timing.window)
    return [f"{head} They make {outcomes} distinct outcome{'' if outcomes == 1 else 's'} (equilibria differing only "
            f"in what indifferent provers do count once). The page's numbers are at the selected one (the solver's: "
            f"{found.equilibria[found.selected].method}); the worst and the best over the set:",
            markdown_table(found.ranges(analysis.timing.window))]


def _achievable_section(analysis: Any) -> list[str]:
    """The design's equilibria against the best any recommender could do (the best correlated equilibrium)."""
    found = getattr(analysis, "achievable", None)
    if found is None:
        return []
    head = "### Distance from the best achievable"
    if isinstance(found, str):
        return [head, f"Not computed: {found}."]
    rows = [{"objective": name, "best is": a.direction, "Nash equilibria": a.nash_count, "worst Nash": a.nash_worst,
             "best Nash": a.nash_best, "best correlated": a.correlated_best, "dual bound": a.correlated.bound,
             "best coarse correlated": a.coarse_best, "price of anarchy": a.price_of_anarchy,
             "price of stability": a.price_of_stability} for name, a in found.items()]
    how = next(iter(found.values())).nash_set
    return [head, "A protocol that recommends who proves (as a VRF does) can reach any correlated equilibrium: no "
                  "prover gains by ignoring its recommendation. The best one for each objective is a linear program "
                  "over all 2^n entry profiles; its dual bound proves nothing obedient does better. The price of "
                  "anarchy compares it with the worst Nash equilibrium, the price of stability with the best (both "
                  f">= 1; 1 means the design's equilibria already reach it). Nash set: {how}.",
            markdown_table(pd.DataFrame(rows))]


def _attack_sections(analysis: Any) -> list[str]:
    """Each registered attack's section (provergame.attacks), in registration order."""
    from provergame.attacks import ATTACKS
    parts = []
    for name, attack in ATTACKS.items():
        result = analysis.attacks.get(name)
        text = None if result is None else attack.section(result, analysis.timing)
        if text is not None:
            parts += [f"### {attack.title}", text]
    return parts


def sweep_section(spec: Any, frame: pd.DataFrame, fig_name: str) -> str:
    cols = [c for c in ("hhi", "user_cost", "participants", "liveness", "regret") if c in frame]
    return "\n\n".join([f"### {spec['mechanism']}: {spec['param']} sweep", f"![{spec['param']} sweep]({fig_name})",
                        markdown_table(frame[[spec["param"]] + cols])])


_VERDICTS = object()      # where the verdict table goes in index.md, filled in last


def write_page(label: str, analysis: Any, out: str | Path, context: dict[str, Any] | None = None) -> Path:
    """One mechanism's page and its figures, as write_report writes them (the pipeline writes each page
    as soon as its analysis arrives)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    page = out / (slug(label) + ".md")
    page.write_text(f"# {label}\n\n{_header(dict(context or {}))}\n\n" + mechanism_section(label, analysis, out) + "\n")
    return page


def write_report(results: Sequence[Any], out: str | Path, context: dict[str, Any] | None = None,
                 sweeps: Sequence[tuple[dict[str, Any], pd.DataFrame]] = (),
                 progress: Callable[[str], None] | None = None, equal_budget: pd.DataFrame | None = None,
                 designs: pd.DataFrame | None = None, draws: pd.DataFrame | None = None,   # draws: robustness bands
                 verdicts: Sequence[Any] = (),
                 survival: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
                 pages_written: Collection[str] = ()) -> list[Path]:
    """Write index.md (the decision page first, then every table), one markdown file per analysis and
    the figures; returns the paths written. `survival` may be a function returning it: it is called
    only once everything else is written (the pipeline's checks run meanwhile). `pages_written`: labels
    whose pages the caller already wrote with write_page and the same context."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    context = dict(context or {})
    labelled = [(r if isinstance(r, tuple) else (r.title, r)) for r in results]
    written, rows = _mechanism_pages(labelled, out, context, pages_written, progress)
    index = _decision_part(labelled, rows, out, context, bool(verdicts), written)
    pareto_body = index.pop()
    index += _design_tables(context, designs, equal_budget, draws)
    index += ["## Comparison at equilibrium (as configured)", COMPARISON_LEGEND, markdown_table(pd.DataFrame(rows))]
    if pareto_body:
        index += ["## Pareto front across mechanisms (as configured)", pareto_body[0], pareto_body[2]]
    index += _comparison_items(context.get("comparisons", {}), out, written)
    index += _sweep_items(sweeps, out, written)
    if verdicts:
        from provergame.decision import verdict_table
        checked = survival() if callable(survival) else survival
        index[index.index(_VERDICTS)] = markdown_table(verdict_table(list(verdicts), checked or {}, _backing(labelled),
                                                                               _achievable_by_label(labelled)))
    text = "\n\n".join(index) + "\n"
    (out / "index.md").write_text(text)
    written.append(out / "index.md")
    from .html_page import write_html
    written.append(write_html(out, text, pareto_body[3] if pareto_body else None))
    _replace_manifest(out, written)
    return written


MANIFEST = ".provergame-manifest.json"


def _replace_manifest(out: Path, written: list[Path]) -> None:
    """`out` holds only this report: every file the previous report there listed in its manifest and
    this one did not write (a page of a mechanism no longer in the scenario, its figures) is removed,
    and this report's files (the pages, index.md and every figure they link) become the manifest.
    Files no report listed are never touched."""
    import json
    import re
    current = {p.name for p in written}
    for page in written:
        if page.suffix == ".md" and page.is_file():
            current |= {m for m in re.findall(r"\]\(([^)#/]+\.(?:png|csv|svg))\)", page.read_text())}
    manifest = out / MANIFEST
    try:
        before = set(json.loads(manifest.read_text())["files"])
    except (OSError, ValueError, KeyError, TypeError):
        before = set()
    for name in sorted(before - current):
        stale = out / name
        if stale.is_file() and stale.parent == out:
            stale.unlink()
    manifest.write_text(json.dumps({"files": sorted(current)}, indent=1) + "\n")


COMPARISON_LEGEND = (
    "participants: expected number of provers attempting each unit of work; seats: provers holding a "
    "pool or active-set place (n/a: no seats); hhi and nakamoto: "
    "concentration of rewards; on-time liveness: chance a valid proof lands within the window (markets: "
    "share of demand served); eventual liveness: whenever it lands; user_cost: paid per proof landed, and "
    "per hour; surplus: provers' total expected profit per unit of work; stall bribe: cheapest bribe after "
    "which the residual equilibrium of the provers not bribed has on-time liveness 0, per unit of work and "
    "per hour; undercut_or_sybil: gain from running 4 identities, or from a 10% price cut for 10 rounds; "
    "cartel gain (k): largest joint gain of k players deviating together; collusion sustainable at "
    "delta >=: grim-trigger threshold of the best pair's cartel (inf: never; n/a: no gain); "
    "regret: certificate of the equilibrium (largest gain of a unilateral deviation); sim_agrees / "
    "max_z: simulator agreement within 4 standard errors; proofs: theorems proved that pass every audit, and how many of the page's 7 claims they back: "
    "hypotheses with a model, (a) not decided by sympy while built, (b) unprovable with any model expression "
    "opaque, (c) not a rearranged hypothesis or an identity of its expression's form, (d) some mutant of the "
    "model refuted by a checked counterexample (each mechanism page lists every theorem with its statement, "
    "hypotheses and audits).")


def _mechanism_pages(labelled: list[tuple[str, Any]], out: Path, context: dict[str, Any],
                     pages_written: Collection[str],
                     progress: Callable[[str], None] | None) -> tuple[list[Path], list[dict[str, Any]]]:
    """Each mechanism's page (unless already written) and its row of the comparison table."""
    written: list[Path] = []
    rows = []
    for label, analysis in labelled:
        name = slug(label) + ".md"
        if label not in pages_written:
            write_page(label, analysis, out, context)
        written.append(out / name)
        row = {"mechanism": f"[{label}]({name})"}
        row.update({k: v for k, v in analysis.summary().items() if k != "mechanism"})
        rows.append(row)
        if progress:
            progress(label)
    return written, rows


def _decision_part(labelled: list[tuple[str, Any]], rows: list[dict[str, Any]], out: Path,
                   context: dict[str, Any], has_verdicts: bool, written: list[Path]) -> list[Any]:
    """index.md's opening: the question, units, assumptions, the verdicts' place, the trade-offs, what
    each mechanism does not model and the provenance; its last item is the Pareto section's parts."""
    index: list[Any] = [f"# provergame report: {context.get('name', 'mechanisms')}"]
    if context.get("description"):
        index.append(context["description"])
    index += ["## The decision", _question(context), _units(context),
              "### Assumptions", "\n".join(f"- {a}" for a in ASSUMPTIONS)]
    if has_verdicts:
        index += ["### Verdicts", _VERDICTS]
    pareto_body: list[str] = []
    if len(rows) >= 2:
        pareto_body, fig_path = pareto_section(rows, out)
        written.append(fig_path)
        index += ["### Trade-offs", pareto_body[1], pareto_body[0]]
    index += ["### What each mechanism does not model",
              "\n".join(f"- [{label}]({slug(label)}.md) ({a.game.title}): {a.game.traits.limitations}"
                        for label, a in labelled),
              "## Provenance", _header(context)]
    return index + [pareto_body]


def _design_tables(context: dict[str, Any], designs: pd.DataFrame | None, equal_budget: pd.DataFrame | None,
                   draws: pd.DataFrame | None) -> list[str]:
    """The cheapest designs, the equal-budget table and the robustness bands, each where computed."""
    index = []
    if designs is not None and len(designs):
        index += ["## Cheapest design meeting the targets",
                  "For every mechanism with one budget parameter: the smallest value of it at which every target "
                  "holds at the worst of the game's certified equilibria (every pure equilibrium where strategies are "
                  "entry decisions, enumerated; the solver's where they are continuous) in at least 80% of the "
                  f"{context.get('draws', 1)} population draws (the numbers are medians over the draws, each at "
                  "its worst equilibrium; 'equilibria' the largest set met, the regret the worst). The budget is "
                  f"scanned at {context.get('design_scan', 16)} values, geometric from 1/1000 to 100 times the "
                  "configured one, then bisected to 0.1% below the first that meets the targets; feasibility is not "
                  "assumed monotone: 'monotone' says whether it changed at most once along the scan, from failing "
                  "to holding, and where it flipped. 'searched with it': the other parameters the mechanism declares "
                  "a designer sets (traits.design_fields), each searched at 3 evenly spaced values with a budget "
                  "search at each, and the values of the cheapest design; the rest stay as configured. 'binding': the "
                  "targets that fail one step cheaper. Others: the reason.",
                  markdown_table(designs.drop(columns=["overrides"], errors="ignore"))]
    if equal_budget is not None and len(equal_budget):
        index += ["## At equal budget",
                  f"Every mechanism with one budget parameter re-solved so that users pay {context.get('equal_budget', 0):g} "
                  f"per proof landed at the solver's equilibrium (bisection on that parameter; each point a certified "
                  f"equilibrium), so rows compare like with like. Liveness, hhi and nakamoto are at the worst of the "
                  f"game's equilibria (its set enumerated where strategies are entry decisions; 'equilibria' its size), "
                  f"the best HHI beside them. 'stall bribe per unit' is the bribe that stalls on-time proving after "
                  f"everyone responds, at the cheapest of those equilibria, in tokens per unit of work: at equal user "
                  f"cost the absolute bribe compares like with like (a bribe per token users pay is inflated by a price "
                  f"cap users never pay), with the on-time proofs users lose per hour beside it. Where competition caps "
                  f"what users pay, or no single parameter sets it, the note says so.",
                  markdown_table(equal_budget)]
    if draws is not None and len(draws):
        index += ["## Robustness over population draws",
                  f"Each mechanism re-solved on {context.get('draws', 1)} populations drawn from the scenario's "
                  f"distributions{_drawn_too(context)}: median [10%, 90%] of each headline number; 'max regret' is "
                  f"the worst certificate over the draws.", markdown_table(draws)]
    return index


def _comparison_items(comparisons: dict[str, Any], out: Path, written: list[Path]) -> list[str]:
    """The scenario's comparisons: a figure (drawn here), a table or a text each."""
    index = []
    for title, item in comparisons.items():
        index.append(f"## {title}")
        if isinstance(item, Figure):
            name = f"{slug(item.name)}.png"
            _figure(out / name, item.x, item.series, item.xlabel, item.title, item.overlay)
            written.append(out / name)
            index.append(f"![{item.title}]({name})")
        elif isinstance(item, pd.DataFrame):
            index.append(markdown_table(item))
        else:
            index.append(str(item))
    return index


def _sweep_items(sweeps: Sequence[tuple[dict[str, Any], pd.DataFrame]], out: Path, written: list[Path]) -> list[str]:
    """Each sweep's figure and table."""
    if not sweeps:
        return []
    index = ["## Sweeps"]
    for spec, frame in sweeps:
        fig = f"sweep_{slug(spec['mechanism'])}_{slug(spec['param'])}.png"
        series = {k: frame[k].to_numpy() for k in ("hhi", "user_cost", "participants") if k in frame}
        _figure(out / fig, frame[spec["param"]].to_numpy(), series, spec["param"],
                f"{spec['mechanism']}: equilibrium metrics vs {spec['param']}")
        written.append(out / fig)
        index.append(sweep_section(spec, frame, fig))
    return index
