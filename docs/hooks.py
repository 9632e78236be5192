"""MkDocs hooks: the pages written from the code rather than by hand.

- one page per registered mechanism (its rules and model from the class docstring, parameters from
  its specs, traits, assumptions, limitations, theorems, sources from docs/mechanism_sources.toml and
  the committed report pages of it);
- the API reference: a mkdocstrings block for every name in provergame.__all__, each checked for the
  numpydoc sections (a missing one is a warning, so `mkdocs build --strict` fails);
- the committed reports and benchmarks, copied in as they are (a report's interactive index.html
  as decision.html, since its index.md is published as index.html).
"""
from __future__ import annotations

import html
import inspect
import logging
import re
import tomllib
from dataclasses import MISSING
from pathlib import Path

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
log = logging.getLogger("mkdocs.plugins.provergame")

API_GROUPS = {
    "Analyse a game": ["analyse", "Analysis", "evaluate", "Evaluation", "report"],
    "Equilibria and certificates": ["solve", "certify", "equilibria", "equilibrium_set", "EquilibriumSet",
                                    "mixed_equilibrium", "MixedProfile", "Equilibrium", "to_normal_form"],
    "Normal-form games": ["NormalFormGame", "bimatrix", "logit_equilibrium", "correlated_equilibrium"],
    "Metrics, simulation and cross-checks": ["metrics", "simulate", "Rollout", "cross_check", "CrossCheck", "Timing"],
    "Attacks": ["bribe_threshold", "sequencer_kickback", "coalition_regret", "cartel", "undercut", "sybil_gain", "sybil_curve"],
    "Designs and decisions": ["design", "Design", "at_user_cost", "achievable", "Achievable", "robustness", "sweep"],
    "Timelines": ["timeline", "timeline_grid", "Environment", "Economy"],
    "Provers and errors": ["Population", "Prover", "InvalidParameter"],
}
INTERACTIVE = "decision.html"      # where a report folder's index.html is published (its index.md is index.html)
MODULES = {"games", "proofs", "solvers", "__version__"}
SECTIONS = {"function": ("Parameters", "Returns", "Examples"), "class": ("Parameters|Attributes", "Examples")}


API_TREE = ROOT / "build" / "api-tree"
MAPPED = {"games": "games", "solvers": "solvers", "proofs": "proofs"}   # pyproject's package-dir mapping


def write_api_tree() -> None:
    """provergame.games/solvers/proofs live in top-level folders (pyproject maps them); griffe looks for
    packages on disk, so it reads a copy laid out as the installed package is (sources only). Written
    when MkDocs loads this file, before mkdocstrings sets up its search paths."""
    import shutil
    package = API_TREE / "provergame"
    shutil.rmtree(API_TREE, ignore_errors=True)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "provergame", package, ignore=skip)
    for name, folder in MAPPED.items():
        shutil.copytree(ROOT / folder, package / name, ignore=skip)


write_api_tree()


def on_files(files: Files, config) -> Files:
    for path, content in _generated_pages():
        files.append(File.generated(config, path, content=content))
    for folder in ("reports", "benchmarks"):
        for src in sorted((ROOT / folder).rglob("*")):
            if src.is_file() and src.suffix in {".md", ".png", ".html"} and not src.name.startswith("."):
                where = src.relative_to(ROOT / folder).as_posix()
                if src.suffix == ".html":            # index.md becomes index.html in the site: keep both
                    page = re.sub(r'href="([\w.-]+)\.md(#[^"]*)?"', lambda m: f'href="{m[1]}/{m[2] or ""}"',
                                  src.read_text(encoding="utf-8"))   # pages are folders in the site
                    files.append(File.generated(config, f"{folder}/{where.replace('index.html', INTERACTIVE)}",
                                                content=page))
                    continue
                files.append(File.generated(config, f"{folder}/{where}", abs_src_path=str(src)))
    return files


def _generated_pages() -> list[tuple[str, str]]:
    import provergame as pg
    sources = tomllib.loads((ROOT / "docs" / "mechanism_sources.toml").read_text())
    kinds = pg.games.registered()
    missing = sorted(set(kinds) - set(sources))
    if missing:
        log.warning("docs/mechanism_sources.toml has no sources for %s", ", ".join(missing))
    reports = _report_pages()
    pages = [(f"mechanisms/{kind}.md", mechanism_page(kind, cls, sources.get(kind, {}), reports.get(cls.__name__, [])))
             for kind, cls in sorted(kinds.items())]
    pages.append(("mechanisms/index.md", _mechanism_index(kinds)))
    pages.append(("api.md", api_page(pg)))
    return pages


def _report_pages() -> dict[str, list[str]]:
    """Class name -> the committed report pages of it (the index's 'does not model' list names both)."""
    found: dict[str, list[str]] = {}
    for index in sorted((ROOT / "reports").rglob("index.md")):
        folder = index.parent.relative_to(ROOT / "reports").as_posix()
        for label, page, cls in re.findall(r"^- \[([^\]]+)\]\(([^)]+\.md)\) \((\w+)\)", index.read_text(), flags=re.M):
            where = f"{folder}/{page}" if folder != "." else page
            found.setdefault(cls, []).append(f"[{label}](../reports/{where})" + (f" ({folder})" if folder != "." else ""))
    return found


def _model_text(cls) -> str:
    doc = inspect.cleandoc(cls.__doc__ or "")
    return doc.split("\nParameters\n")[0].strip()


def mechanism_page(kind: str, cls, sources: dict, reports: list[str]) -> str:
    from provergame.games.registry import parameter_specs
    from provergame.reporting import ASSUMPTIONS
    t = cls.traits
    lines = [f"# {kind}", "", f"`provergame.games.{cls.__name__}`, scenario kind `{kind}`.", "",
             "## Rules and model", "", f'<pre class="model">{html.escape(_model_text(cls))}</pre>', "",
             "## Parameters", "", "| parameter | accepts | default | meaning |", "|---|---|---|---|"]
    for name, (spec, default) in parameter_specs(cls).items():
        shown = "required" if default is MISSING else f"`{default!r}`"
        lines.append(f"| `{name}` | {spec.describe()} | {shown} | {spec.doc or ''} |")
    lines += ["", "## What kind of game", "",
              f"- timing family: **{t.timing.value}** (how proof times arise; see [timing](../concepts/timing.md))",
              f"- strategies: {t.strategy_label}",
              f"- who picks the prover: {'the protocol' if t.elected_by_protocol else 'the players or the market'}",
              f"- budget parameter: {'`' + t.budget_field + '`' if t.budget_field else 'none (no single parameter sets what users pay)'}",
              f"- size: at most {t.max_provers} players", "",
              "## Assumptions", ""] + [f"- {a}" for a in ASSUMPTIONS] + [
              "", "## Limitations", "", t.limitations, "", "## Theorems", ""]
    lines += _theorem_lines(cls)
    lines += ["", "## Sources", ""]
    lines += [f"- The seed, section *{s}*" for s in sources.get("seed", [])]
    lines += [f"- {d}" for d in sources.get("documents", [])]
    lines += ["", "## In the committed reports", ""]
    lines += [f"- {r}" for r in reports] or ["- not in a committed scenario"]
    return "\n".join(lines) + "\n"


def _theorem_lines(cls) -> list[str]:
    """The example instance's theorems as stated (proved and audited on each report page)."""
    try:
        theorems = cls.example().theorems()
    except Exception as exc:          # noqa: BLE001 - a game that cannot build its theorems is reported, not hidden
        log.warning("%s: theorems could not be built: %s", cls.__name__, exc)
        return []
    if not theorems:
        return ["No theorem is stated for this rule."]
    lines = ["Stated for the symbolic model; each report page shows whether it was proved and passed the audits "
             "([proofs](../concepts/equilibria.md#proofs)).", ""]
    for th in theorems:
        hyp = "; ".join(str(a) for a in th.assumptions) or "none"
        lines += [f"- **{th.name}**: {th.description}", f"    - claim: `{th.statement}`", f"    - assuming: `{hyp}`"]
    return lines


def _mechanism_index(kinds: dict) -> str:
    lines = ["# Mechanisms", "", "Every registered mechanism: its page states the rules, the model, its parameters, "
             "what it leaves out, its theorems and its sources.", "", "| kind | class | timing | not modelled |",
             "|---|---|---|---|"]
    for kind, cls in sorted(kinds.items()):
        lines.append(f"| [{kind}]({kind}.md) | `{cls.__name__}` | {cls.traits.timing.value} | {cls.traits.limitations} |")
    return "\n".join(lines) + "\n"


def api_page(pg) -> str:
    public = [n for n in pg.__all__ if n not in MODULES]
    grouped = [n for names in API_GROUPS.values() for n in names]
    for name in sorted(set(public) - set(grouped)):
        log.warning("provergame.%s is public but in no group of the API reference (docs/hooks.py)", name)
    for name in sorted(set(grouped) - set(public)):
        log.warning("the API reference lists %s, which provergame.__all__ does not export", name)
    lines = ["# API reference", "", "Everything `import provergame as pg` exports, from its docstrings (numpydoc: "
             "each has Parameters, Returns and an Example that runs as a doctest in the test suite)."]
    for group, names in API_GROUPS.items():
        lines += ["", f"## {group}", ""]
        for name in names:
            obj = getattr(pg, name, None)
            _check_docstring(name, obj)
            where = f"{obj.__module__}.{obj.__qualname__}" if obj is not None else f"provergame.{name}"
            lines += [f"::: {where}", "    options:", "      heading_level: 3", f"      toc_label: pg.{name}", ""]
    return "\n".join(lines) + "\n"


def _check_docstring(name: str, obj) -> None:
    doc = inspect.getdoc(obj) or ""
    kind = "class" if inspect.isclass(obj) else "function"
    for section in SECTIONS[kind]:
        if not re.search(rf"^({section})\n-+$", doc, flags=re.M):
            log.warning("provergame.%s: docstring has no %s section", name, section)
