"""Local process pools: each worker's BLAS gets its share of the cores, not all of them."""
import os

from threadpoolctl import threadpool_info

from provergame.workers import process_pool


def test_workers_share_the_cores_blas_threads():
    cores = os.cpu_count() or 1
    for workers in (1, 2, 2 * cores):
        with process_pool(workers) as pool:
            info = pool.submit(threadpool_info).result()       # a library function: spawned workers import it
        seen = [p["num_threads"] for p in info if p["user_api"] == "blas"]
        assert seen and all(n == max(1, cores // workers) for n in seen), (workers, seen)
