"""examples/python/two_moons.py runs as a researcher would run it, and its
exact answers agree with each other (the slice's polygons and the
enumeration give the same cells)."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_two_moons_example(tmp_path):
    out = tmp_path / "two_moons.png"
    r = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "two_moons.py"),
                        "--out", str(out)], capture_output=True, text=True, cwd=tmp_path,
                       env=dict(os.environ), timeout=300)
    assert r.returncode == 0, r.stderr
    assert "same codes as enumerate: True" in r.stdout
    assert "complete=True" in r.stdout
    assert out.stat().st_size > 10000
