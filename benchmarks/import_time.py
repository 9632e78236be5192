"""Time of `import provergame` in a fresh interpreter (median of 7), beside importing numpy alone and
the heavy libraries provergame loads on first use. Run: python benchmarks/import_time.py"""
from __future__ import annotations

import statistics
import subprocess
import sys


def cold(statement: str, repeats: int = 7) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(repeats)]
    return statistics.median(runs)


if __name__ == "__main__":
    rows = {"import provergame": cold("import provergame"), "import numpy": cold("import numpy"),
            "import sympy": cold("import sympy"), "import pandas": cold("import pandas"),
            "import scipy.stats": cold("import scipy.stats")}
    base = rows["import provergame"]
    print("| statement | seconds | ratio to provergame |")
    print("|---|---|---|")
    for name, t in rows.items():
        print(f"| `{name}` | {t:.3f} | {t / base:.2f} |")
