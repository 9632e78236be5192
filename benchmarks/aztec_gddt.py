"""Calibration against BlockScience's aztec-gddt (a cadCAD twin of Aztec's Fernet) on matched assumptions.

    python benchmarks/aztec_gddt.py [--gddt-repo DIR --gddt-python PYTHON] [--out benchmarks/aztec_gddt.md]

provergame's side runs here: StakeVRF's reward per block proof (32 tokens a day, 30% to provers, 596 L2
blocks a day), one L2 block per epoch for 400 epochs, 8 provers with balance 100, a bond of 16 per
commitment, reliability 0.99 (aztec-gddt's final_probability), L1 gas at 50 gwei with +150 gwei for L2
blocks 150 to 249, and aztec-gddt's break-even: a prover weighs the reward against 81,000 gas (the
estimate its Submit Proof decision uses) at 1 ETH per token (its gwei_to_tokens = 1e-9), so the myopic
prover refuses exactly in the shock (0.0162 > 0.0161 tokens), as aztec-gddt's does. Every commitment
semantics x delivery rule is run, over 4 seeds.

aztec-gddt's side (optional: it is not a dependency and none of its code is kept here) runs in its own
Python, from a checkout of github.com/BlockScience/aztec-gddt (commit 78b10778 was measured), with its
defaults except: 8 agents that are sequencers and provers with balance 100, the proving market always
used (proving_marketplace_usage_probability = 1: the sequencer assigns a prover holding the bond), and
the same gas series, over enough L1 blocks for about 400 L2 blocks, 4 runs.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

import provergame as pg
from provergame.results import markdown_table
from provergame.timeline import Economy, Environment

REWARD = 32 / 596 * 0.30
BLOCKS, SHOCK_START, SHOCK_LENGTH = 400, 150, 100
SHOCKS = (140.0, 150.0, 170.0)    # gwei added: below break-even (198.9) in both models, in aztec-gddt only (its
# smoothed price peaks at 196), and past it in both
SEEDS = [0, 1, 2, 3]
RUNS = [(c, r, False) for c in ("self", "assigned") for r in ("equilibrium", "myopic-reward")] \
    + [("assigned", "myopic-reward", True)]
# aztec-gddt's phases in a slot of 12 L1 blocks: proposal 3, commitment bond + reveal 6, rollup proof 3 (its
# timeout slashes the prover), race 2; a proof ready within the rollup phase with probability 0.99 (rate
# ln(100) / 0.25 per slot, reliability 1); the sequencer's commitment-bond and reveal phases each fail 1%.
PHASES = dict(proposal_time=3 / 12, commitment_time=6 / 12, proof_deadline=3 / 12, fallback_deadline=2 / 12,
              sequencer_failure=1 - 0.99 ** 2)
PHASED_RATE = np.log(100) / 0.25


def provergame_rows(shock: float) -> list[dict]:
    env = Environment.shock(BLOCKS, gas=50.0, start=SHOCK_START, size=shock, length=SHOCK_LENGTH, token_price=1.0,
                            demand=1)
    rows = []
    for commitment, rule, phased in RUNS:
        provers = pg.Population.from_arrays(cost=np.zeros(8), rate=PHASED_RATE if phased else 1.0,
                                            stake=np.full(8, 50.0), reliability=1.0 if phased else 0.99)
        eco = Economy(gas_per_submission=81_000, bond=16.0, initial_balance=100.0, fallback="race",
                      fallback_reward=REWARD, exit_after=10_000, commitment=commitment, **(PHASES if phased else {}))
        tl = pg.timeline(lambda p: pg.games.StakeVRF(REWARD, p), provers, env, seeds=SEEDS, rule=rule, economy=eco,
                         progress=False)
        k = tl.kpis
        per_seed = k.groupby("seed")
        label = f"{commitment} + {rule}" + (", aztec-gddt's phases" if phased else "")
        rows.append({"shock": f"+{shock:g} gwei", "model": "provergame", "run": label,
                     "L2 blocks": float(per_seed["demand"].sum().mean()),
                     "unproven share": float(1 - (per_seed["proven"].sum() + per_seed["fallback_proven"].sum()).mean()
                                             / BLOCKS),
                     "lost blocks": float(per_seed["pruned"].sum().mean()),
                     "fallback share": float(per_seed["fallback_proven"].sum().mean() / BLOCKS),
                     "bonds forfeited": float(per_seed["bonds_forfeited"].sum().mean()),
                     "prover profit": float(per_seed["prover_profit"].sum().mean()),
                     "provers below bond": _below(tl, 16.0),
                     "residual": tl.conservation(), "peak gas": float(env.gas_price.max())})
    return rows


def _below(tl, bond: float) -> float:
    """Provers below the bond at the end, mean over the seeds (those who left count as below)."""
    end = tl.balances[tl.balances.epoch == tl.balances.epoch.max()]
    alive = end.groupby("seed")["balance"].apply(lambda b: int((b < bond).sum()))
    gone = 8 - end.groupby("seed").size()
    return float((alive + gone.reindex(alive.index, fill_value=8)).mean())


GDDT_SCRIPT = textwrap.dedent('''
    import copy, json, sys
    import numpy as np
    sys.path.insert(0, sys.argv[1])
    from aztec_gddt import params as P
    from aztec_gddt.types import Agent, TokenSupply, SelectionPhase
    from aztec_gddt.experiment import custom_run
    T, start, length, runs = (int(x) for x in sys.argv[2:6])
    gas = np.full(T * 12, 50.0); gas[start:start + length] = 50.0 + float(sys.argv[6])
    agents = {a.uuid: a for a in P.BASE_AGENTS}
    for i in range(8):
        agents[f"p{i}"] = Agent(uuid=f"p{i}", balance=100, is_sequencer=True, is_prover=True, is_relay=False,
                                staked_amount=50)
    state = copy.deepcopy(P.INITIAL_STATE)
    state["agents"] = agents
    state["token_supply"] = TokenSupply.from_state(state)
    mods = {"proving_marketplace_usage_probability": [1.0], "gas_fee_l1_time_series": [gas],
            "gas_fee_blob_time_series": [np.full(T * 12, 30.0)]}
    out = []
    for run in range(runs):                # one sample per call: cadCAD's process pool stalls on 2 cores
        d = custom_run(initial_state=copy.deepcopy(state), params_to_modify=mods, N_timesteps=T, N_samples=1)
        procs = {}
        for p in d["current_process"]:
            if p is not None:
                procs[p.uuid] = p
        phases = [p.phase for p in procs.values()]
        last = d.iloc[-1]
        balances = [a.balance for k, a in last.agents.items() if str(k).startswith("p")]
        out.append({"blocks": len(procs), "finalized": int(last.finalized_blocks_count),
                    "raced": sum(bool(p.entered_race_mode) for p in procs.values()),
                    "skipped": sum(ph == SelectionPhase.skipped for ph in phases),
                    "slashes_to_provers": float(last.slashes_to_provers),
                    "prover_rewards": float(last.total_rewards_provers),
                    "balances": balances, "time_l1": int(last.time_l1),
                    "peak_gas": float(d["gas_fee_l1"].max())})
    print(json.dumps(out))
''')


L1_PER_L2 = 14.1          # aztec-gddt's L1 blocks per finalised L2 block at its defaults (4,789 / 340, measured)


def gddt_rows(repo: Path, python: str, timesteps: int, shock: float) -> list[dict]:
    start, length = int(SHOCK_START * L1_PER_L2), int(SHOCK_LENGTH * L1_PER_L2)
    run = subprocess.run([python, "-c", GDDT_SCRIPT, str(repo), str(timesteps), str(start), str(length),
                          str(len(SEEDS)), str(shock)], capture_output=True, text=True, timeout=7200)
    if run.returncode:
        raise SystemExit(run.stderr[-3000:])
    runs = json.loads(run.stdout.strip().splitlines()[-1])
    frame = pd.DataFrame(runs)
    print(frame.drop(columns="balances").to_string(), file=sys.stderr)
    bond = 16.0
    return [{"shock": f"+{shock:g} gwei", "model": "aztec-gddt", "run": "assigned + myopic-reward (its rule)",
             "L2 blocks": float(frame["blocks"].mean()),
             "unproven share": float(1 - (frame["finalized"] / frame["blocks"]).mean()),
             "lost blocks": float((frame["blocks"] - frame["finalized"]).mean()),
             "fallback share": float((frame["raced"] / frame["blocks"]).mean()),
             "bonds forfeited": float(frame["slashes_to_provers"].mean()),        # a count of bond slashes
             "prover profit": float((frame["prover_rewards"] - bond * frame["slashes_to_provers"]).mean()),
             "provers below bond": float(frame["balances"].apply(lambda b: sum(x < bond for x in b)).mean()),
             "residual": float("nan"), "peak gas": float(frame["peak_gas"].max())}]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gddt-repo", type=Path, help="a checkout of BlockScience/aztec-gddt")
    ap.add_argument("--gddt-python", default=sys.executable, help="a Python with cadCAD 0.5.3 and its requirements")
    ap.add_argument("--timesteps", type=int, default=3550, help="aztec-gddt timesteps (about 400 L2 blocks)")
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("aztec_gddt.md"))
    args = ap.parse_args()
    rows = []
    for shock in SHOCKS:
        if args.gddt_repo is not None:
            rows += gddt_rows(args.gddt_repo, args.gddt_python, args.timesteps, shock)
        rows += provergame_rows(shock)
    table = markdown_table(pd.DataFrame(rows))
    text = args.out.read_text() if args.out.exists() else ""
    marker = "<!-- table -->"
    if marker in text:
        head, _, rest = text.partition(marker)
        _, _, tail = rest.partition(marker)
        args.out.write_text(f"{head}{marker}\n{table}\n{marker}{tail}")
    else:
        print(table)


if __name__ == "__main__":
    main()
