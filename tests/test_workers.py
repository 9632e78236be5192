"""Local process pools: each worker's BLAS gets its share of the cores, not all of them."""
import os

from provergame.workers import process_pool


def _blas_threads() -> list[int]:
    from threadpoolctl import threadpool_info
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_workers_share_the_cores_blas_threads():
    cores = os.cpu_count() or 1
    for workers in (1, 2, 2 * cores):
        with process_pool(workers) as pool:
            seen = pool.submit(_blas_threads).result()
        assert seen and all(n == max(1, cores // workers) for n in seen), (workers, seen)
