"""Theorems proved and audited into one table row each, with a disk cache keyed by the exact claim."""
from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from provergame.lazy import pandas as pd
from provergame.lazy import sympy as sp

from .audit import Audit, audit
from .engine import ProofResult, Theorem, prove

PROOF_COLUMNS = ["theorem", "status", "method", "counterexample", "statement", "hypotheses", "hypotheses hold at",
                 "mutation score", "audits", "counted", "description"]


def prove_all(theorems: list[Theorem], cache: Path | None = None) -> pd.DataFrame:
    """One row per theorem: status, method, counterexample, statement, hypotheses, their model, mutation
    score, every audit's outcome (proofs.audit), and `counted`: proved and passing every audit.

    With `cache` (a directory), each row is kept in a file named by a hash of the exact statement,
    hypotheses and model expressions together with the source of this proofs package and the sympy
    and z3 versions, so a row is reused only for the very same claim proved by the very same code."""
    rows = []
    for t in theorems:
        path = None if cache is None else Path(cache) / f"{_cache_name(t)}.json"
        if path is not None and path.is_file():
            rows.append(json.loads(path.read_text()))
            continue
        row = _row(t)
        rows.append(row)
        if path is not None:
            write_atomic(path, json.dumps(row))
    return pd.DataFrame(rows, columns=PROOF_COLUMNS)


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a private temporary file: parallel workers never read half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _row(t: Theorem) -> dict[str, Any]:
    r = _proof(t)
    key = _key(t)
    if key not in _AUDITS:
        _AUDITS[key] = audit(t) if r.proved else Audit(None, None, 0, 0)
    a = _AUDITS[key]
    return {"theorem": t.name, "status": r.status, "method": r.method,
            "counterexample": "" if r.counterexample is None else str(r.counterexample),
            "statement": str(t.statement), "hypotheses": ", ".join(str(h) for h in t.assumptions) or "none",
            "hypotheses hold at": "" if a.model is None else str(a.model),
            "mutation score": f"{a.killed}/{a.mutants}", "audits": a.summary() if r.proved else "not proved",
            "counted": bool(r.proved and a.passed), "description": t.description}


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """The proofs package's source (the engine and every theorem's build) and the solvers' versions."""
    import importlib.metadata as md
    h = hashlib.sha256()
    for f in sorted(Path(__file__).parent.glob("*.py")):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    for dist in ("sympy", "z3-solver"):
        try:
            h.update(f"{dist}={md.version(dist)}".encode())
        except md.PackageNotFoundError:
            h.update(dist.encode())
    return h.hexdigest()


def _cache_name(t: Theorem) -> str:
    h = hashlib.sha256(_code_fingerprint().encode())
    h.update(repr((_key(t), t.description)).encode())
    return h.hexdigest()[:32]


def _key(t: Theorem) -> tuple:
    return (t.name, sp.srepr(sp.sympify(t.statement)), tuple(sp.srepr(sp.sympify(a)) for a in t.assumptions),
            tuple(sp.srepr(sp.sympify(u)) for u in t.uses))


def _proof(t: Theorem) -> ProofResult:
    key = _key(t)
    if key not in _PROOFS:
        _PROOFS[key] = prove(t)
    return _PROOFS[key]


_PROOFS: dict[tuple, ProofResult] = {}
_AUDITS: dict[tuple, Audit] = {}
