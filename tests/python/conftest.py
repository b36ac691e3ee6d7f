"""Fixtures of the polyverify Python tests.

Run:  cd /work/main && PYTHONPATH=build/python /usr/bin/python3 -m pytest -q tests/python
CLI = $POLYVERIFY_CLI or build/polyverify; pvcheck = $POLYVERIFY_PVCHECK or
build/verify/pvcheck (relative to the repository root found from this file).
"""
import os
import sys
import time

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pvtest_util as U  # noqa: E402

# The build tree's package, never an older one installed elsewhere
# (/usr/local/lib/python3.11/dist-packages after `meson install`), unless
# PYTHONPATH names a build directory of its own.
if not os.environ.get("PYTHONPATH") and (U.ROOT / "build" / "python").is_dir():
    sys.path.insert(0, str(U.ROOT / "build" / "python"))


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes more than ~20 s")


@pytest.fixture(scope="session")
def paths():
    """CLI and pvcheck paths (checked to exist)."""
    for p in (U.CLI, U.PVCHECK):
        if not os.access(p, os.X_OK):
            pytest.fail(f"{p} is missing (build the project first)")
    return {"cli": U.CLI, "pvcheck": U.PVCHECK, "root": U.ROOT}


@pytest.fixture(scope="session")
def cli_json(paths):
    """cli_json(*args, ok=(0,)): `polyverify ARGS --json` parsed."""
    return U.cli_json


def two_moons(n=200, noise=0.1, seed=0):
    """The two interleaving half circles, deterministic (numpy only)."""
    rng = np.random.RandomState(seed)
    n1 = n // 2
    n2 = n - n1
    t1 = rng.uniform(0.0, np.pi, n1)
    t2 = rng.uniform(0.0, np.pi, n2)
    outer = np.stack([np.cos(t1), np.sin(t1)], axis=1)
    inner = np.stack([1.0 - np.cos(t2), 0.5 - np.sin(t2)], axis=1)
    X = np.concatenate([outer, inner]) + rng.normal(0.0, noise, (n, 2))
    y = np.concatenate([np.zeros(n1, dtype=np.int64), np.ones(n2, dtype=np.int64)])
    perm = rng.permutation(n)
    return X[perm], y[perm]


@pytest.fixture(scope="session")
def moons_net():
    """(module, X, y): a 2-8-8-2 ReLU MLP trained on two moons (float32)."""
    import torch
    import torch.nn as nn
    torch.set_num_threads(1)
    torch.manual_seed(0)
    X, y = two_moons()
    t0 = time.time()
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(),
                          nn.Linear(8, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    Xt = torch.tensor(X, dtype=torch.float32)
    yt = torch.tensor(y)
    for _ in range(300):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(Xt), yt)
        loss.backward()
        opt.step()
    model.eval()
    assert time.time() - t0 < 30
    with torch.no_grad():
        acc = (model(Xt).argmax(1) == yt).float().mean().item()
    assert acc > 0.9, f"moons training failed (accuracy {acc})"
    return model, X, y


@pytest.fixture(scope="session")
def moons_pv(moons_net, tmp_path_factory):
    """(Network from_torch, path of its .pvnet saved with net.save)."""
    import polyverify as pv
    module = moons_net[0]
    net = pv.Network.from_torch(module, (2,))
    path = tmp_path_factory.mktemp("moons") / "m.pvnet"
    net.save(path)
    return net, path
