"""Wall time and peak memory of `provergame report` on the bundled default scenario, beside the same
report with one worker, and with the proof cache cold and warm. Targets (issue 14): under 15 s wall
on 2 cores, peak memory under 1 GB. Run: python benchmarks/report_time.py [--out benchmarks/report_time.md]

Peak memory is the largest resident set of any process of the run (the parent or one worker:
getrusage's ru_maxrss of the children), the sum of the parent and its workers' peaks (an upper bound:
the peaks need not coincide), and the whole process tree's resident memory sampled every 50 ms (what
the run held at once).
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def _tree_rss_mb(root: int) -> float:
    """Resident memory of `root` and every process below it, in MB: children from each thread's
    /proc/PID/task/TID/children, resident pages from /proc/PID/statm (a few small reads per process of
    the run, not a scan of every process on the machine, so the sampler stays off the run's cores)."""
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_MB
            for task in Path(f"/proc/{pid}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


def run(workers: int, cache: str, out: str) -> dict[str, float]:
    """One `provergame report` in a fresh interpreter: its wall time, each process's peak RSS (MB), and
    the peak of the whole process tree's RSS sampled every 50 ms (the memory the run actually held at once)."""
    code = ("import resource, sys\n"
            "from provergame.cli import app\n"
            "if __name__ == '__main__':\n"
            f"    sys.argv = ['provergame', 'report', '--out', {out!r}, '--workers', '{workers}']\n"
            "    try:\n        app()\n    except SystemExit:\n        pass\n"
            "    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
            "    print('PEAKS', own, kids, flush=True)\n"
            "    import os\n"
            "    os._exit(0)                      # as the console script (provergame.cli.main) leaves\n")
    env = dict(os.environ, PROVERGAME_CACHE=cache)
    script = Path(out) / "_bench_main.py"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(code)                 # a file, so spawned workers can re-import the main module
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    tree_peak = 0.0
    while proc.poll() is None:
        tree_peak = max(tree_peak, _tree_rss_mb(proc.pid))
        time.sleep(0.05)
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t
    if proc.returncode:
        raise RuntimeError(stderr)
    script.unlink()
    own, kids = (int(x) for x in stdout.split("PEAKS")[1].split())
    return {"wall": wall, "parent_mb": own / 1024, "largest_worker_mb": kids / 1024,
            "sum_mb": (own + workers * kids) / 1024 if workers > 1 else own / 1024, "tree_mb": tree_peak}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=None, help="also write the table to this markdown file")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind (this machine's timings vary 10-20%%)")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    kinds = ((f"{cores} workers, proof cache cold", cores, True), (f"{cores} workers, proof cache warm", cores, False),
             ("1 worker, proof cache warm", 1, False))
    runs: dict[str, list[dict[str, float]]] = {label: [] for label, _, _ in kinds}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.repeat):                      # the kinds take turns: a slow spell hits them all
            for label, workers, cold in kinds:
                cache = str(Path(tmp) / f"cold{k if cold else 0}")      # warm: the first cold run's cache
                runs[label].append(run(workers, cache, str(Path(tmp) / "report")))
    lines = [f"`provergame report` on scenarios/default.toml; {platform.machine()}, {cores} cores, "
             f"Python {platform.python_version()}; {args.repeat} runs of each kind, taking turns "
             "(a cold run starts from an empty proof cache; warm runs reuse the first cold run's).", "",
             "| run | wall, median (s) | wall, fastest-slowest (s) | parent peak (MB) | largest worker peak (MB) "
             "| sum of peaks, upper bound (MB) | whole run at once, sampled peak (MB) |", "|---|---|---|---|---|---|---|"]
    for label, _, _ in kinds:
        rs = runs[label]
        walls = sorted(r["wall"] for r in rs)
        top = {key: max(r[key] for r in rs) for key in ("parent_mb", "largest_worker_mb", "sum_mb", "tree_mb")}
        lines.append(f"| {label} | {walls[len(walls) // 2]:.1f} | {walls[0]:.1f}-{walls[-1]:.1f} | "
                     f"{top['parent_mb']:.0f} | {top['largest_worker_mb']:.0f} | {top['sum_mb']:.0f} | {top['tree_mb']:.0f} |")
    lines += ["", "Memory columns: the largest over the runs."]
    text = "\n".join(lines)
    print(text)
    if args.out:
        Path(args.out).write_text("# provergame report: time and memory\n\n" + text + "\n")


if __name__ == "__main__":
    main()
