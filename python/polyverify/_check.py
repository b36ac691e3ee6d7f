"""polyverify.check: the independent checker pvcheck on a certificate.

pvcheck (verify/) shares no code with the library: it re-derives every
half-space system from the network with GMP alone. It runs as its own
program: $POLYVERIFY_PVCHECK, else the build tree's verify/pvcheck beside
this package (build/python/polyverify -> build/verify/pvcheck), else
`pvcheck` on the PATH.
"""
import os
import shutil
import subprocess
import tempfile

from ._core import Error


class CheckFailed(Error):
    """pvcheck rejected the certificate (the message is its FAIL line)."""


def _pvcheck():
    env = os.environ.get("POLYVERIFY_PVCHECK")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    built = os.path.join(here, "..", "..", "verify", "pvcheck")
    if os.access(built, os.X_OK):
        return built
    found = shutil.which("pvcheck")
    if found:
        return found
    raise Error("pvcheck not found: set POLYVERIFY_PVCHECK, or install polyverify "
                "(meson install puts pvcheck on the PATH)")


def check(net, certificate, answer=None):
    """True when pvcheck accepts the certificate for net (a Network or a
    path); answer: the answer JSON it must prove field by field. Raises
    CheckFailed with pvcheck's message otherwise."""
    with tempfile.TemporaryDirectory() as tmp:
        if hasattr(net, "save"):
            path = os.path.join(tmp, "net.pvnet")
            net.save(path)
        else:
            path = str(net)
        cmd = [_pvcheck(), path, str(certificate)]
        if answer is not None:
            cmd += ["--answer", str(answer)]
        r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        msg = (r.stdout + r.stderr).strip().splitlines()
        fail = [l for l in msg if "FAIL" in l] or msg or ["pvcheck failed"]
        raise CheckFailed(fail[0])
    return True
