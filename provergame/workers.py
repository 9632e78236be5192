"""Local process pools for independent tasks, with the BLAS threads shared out among the workers.

Each numpy process would otherwise start one OpenBLAS thread per core: two workers on two cores then run
four busy threads and spend their time contending (the default report took 21 s instead of 15 s)."""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context


ORPHAN_CHECK_SECONDS = 0.5


def _start_worker(threads: int, parent: int | None = None) -> None:
    """Share the BLAS threads, and let the worker leave without tearing its interpreter down: by then
    every result has been written to the parent's pipe, and freeing a worker's heap module by module
    (sympy, z3, scipy) kept the parent waiting 0.25-0.35 s at the end of a report. A worker whose parent
    dies (kill -9 of a report or a sweep) exits within ORPHAN_CHECK_SECONDS instead of running on."""
    import atexit

    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=threads)
    atexit.register(_leave)
    if parent is not None:
        import threading
        threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True, name="orphan-check").start()


def _exit_when_orphaned(parent: int) -> None:
    """Poll the parent's pid: once this process has been re-parented, its parent is gone."""
    import time
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_SECONDS)
    os._exit(1)


def _leave() -> None:
    import sys
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def check_workers(value: int | None, name: str = "workers") -> int:
    """Worker processes on this machine: at most its cores (more spawn processes, each a full
    interpreter, without running any faster); None: one per core."""
    from .errors import check_int
    cores = os.cpu_count() or 1
    if value is None:
        return cores
    return check_int(name, value, lo=1, hi=cores)


def process_pool(workers: int, start_method: str | None = "spawn") -> ProcessPoolExecutor:
    """A pool of `workers` processes in which BLAS and OpenMP use at most cores // workers threads each
    (at least one). "spawn" by default: a forked child of a parent that already ran HiGHS, z3 or BLAS
    threads can deadlock."""
    threads = max(1, (os.cpu_count() or 1) // workers)
    context = get_context(start_method) if start_method else None
    return ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=_start_worker, initargs=(threads, os.getpid()))
