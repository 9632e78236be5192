"""Pool workers die with their parent (issue 27 item 4): kill -9 of the process that owns a pool leaves
no worker running."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

OWNER = textwrap.dedent("""
    import sys, time
    from provergame.workers import process_pool
    with process_pool(2) as pool:
        futures = [pool.submit(time.sleep, 120) for _ in range(2)]
        pids = list(pool._processes)
        print(" ".join(map(str, pids)), flush=True)
        time.sleep(120)
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:                   # a zombie waiting for its reaper is not running
        return f.read().split()[2] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="tells a running worker from a zombie by reading /proc/PID/stat, which only Linux has; the watchdog itself uses os.getppid and runs everywhere")
def test_kill_9_of_the_pool_owner_leaves_no_worker_behind():
    owner = subprocess.Popen([sys.executable, "-c", OWNER], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(p) for p in owner.stdout.readline().split()]
        assert len(pids) == 2 and all(_alive(p) for p in pids)
        os.kill(owner.pid, signal.SIGKILL)
        owner.wait()
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(p) for p in pids), "a pool worker outlived its parent"
    finally:
        owner.kill()
