import os
import tempfile

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", deadline=None, max_examples=25,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("ci", deadline=None, max_examples=25, derandomize=True, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile("ci" if os.environ.get("CI") else "dev")
os.environ.setdefault("PROVERGAME_CACHE", tempfile.mkdtemp(prefix="provergame-proofs-"))   # never the user's cache
for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")    # one BLAS thread per pytest-xdist worker: the workers fill the cores

import provergame as pg  # noqa: E402


def _load_extra_game() -> None:
    """PROVERGAME_EXTRA_GAME=path/to/module.py: import it as a module of provergame.games (as if it lived
    in games/), so the conformance and architecture suites see it (tests/test_template.py)."""
    import importlib.util
    import sys
    from pathlib import Path

    path = os.environ.get("PROVERGAME_EXTRA_GAME")
    if not path:
        return
    name = f"provergame.games.{Path(path).stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


_load_extra_game()


@pytest.fixture
def small_population():
    return pg.Population.from_arrays(cost=[1.0, 1.2, 2.0, 0.8], rate=[1.0, 2.0, 1.0, 0.5],
                                     reliability=[1.0, 0.9, 0.95, 1.0])
