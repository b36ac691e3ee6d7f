"""The C library as a user installs and uses it (issue 13).

Installs the build into a temporary directory (meson install --destdir),
builds the two programs of examples/c/ against it with nothing but
`pkg-config --cflags --libs polyverify`, runs them, and checks what they
print against the independent oracle (tests/e2e/oracle.py):
  * examples/c/cell.c on the demo net's code 1100|10: realised, the
    oracle's dimension and facet neighbours;
  * examples/c/enumerate.c on the demo net in [-1,1]^2: every listed cell
    realised with the listed dimension (oracle), and every code seen on a
    rational grid listed.
Also: the headers, the .so with its soname, the .pc and the man page are
installed, pv_version() is the project's version, and the .so exports
exactly the functions the installed headers declare (nm -D).

Usage: python3 tests/install/test_install.py BUILD_DIR   (cwd = project root)
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from fractions import Fraction

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'e2e'))
import oracle  # noqa: E402

DEMO = 'examples/demo.pvnet'


def find(root, name):
    for d, _, files in os.walk(root):
        if name in files:
            return os.path.join(d, name)
    return None


def main():
    build = sys.argv[1]
    r = oracle.Runner(None)
    with tempfile.TemporaryDirectory() as dest:
        p = subprocess.run(['meson', 'install', '-C', build, '--destdir', dest,
                            '--no-rebuild'], capture_output=True, text=True)
        if not r.check(p.returncode == 0, 'meson install: %s' % p.stderr[-500:]):
            r.finish()
        pc = find(dest, 'polyverify.pc')
        r.check(pc is not None, 'polyverify.pc installed')
        for f in ('polyverify.h', 'version.h', 'cell.h', 'enumerate.h', 'polyverify.1'):
            r.check(find(dest, f) is not None, '%s installed' % f)
        so = find(dest, 'libpolyverify.so')
        r.check(so is not None and os.path.islink(so), 'libpolyverify.so (a link) installed')
        if pc is None or so is None:
            r.finish()
        # the ABI is exactly the public API: every function the installed
        # headers declare, and nothing else (no internal module, no ONNX
        # bindings)
        declared = set()
        for d, _, files in os.walk(dest):
            for f in files:
                if f.endswith('.h'):
                    declared |= set(re.findall(r'^PV_API [^;(\n]*?\b(pv_\w+)\(',
                                               open(os.path.join(d, f)).read(), re.M))
        nm = subprocess.run(['nm', '-D', '--defined-only', so], capture_output=True, text=True)
        exported = set(line.split()[-1] for line in nm.stdout.split('\n') if line.strip())
        r.check(exported == declared and len(declared) > 50,
                'exported symbols = declared API: exported only %s; declared only %s'
                % (sorted(exported - declared)[:10], sorted(declared - exported)[:10]))
        for d, _, files in os.walk(dest):
            for f in files:
                if f.endswith('.h'):
                    text = open(os.path.join(d, f)).read()
                    undeclared = re.findall(r'^(?!PV_API|typedef|#)[a-z][^;(\n]*\bpv_\w+\(',
                                            text, re.M)
                    r.check(not undeclared, '%s: declarations without PV_API: %s'
                            % (f, undeclared[:3]))
        text = open(pc).read()
        prefix = re.search(r'^prefix=(.*)$', text, re.M).group(1)
        version = re.search(r'^Version: (.*)$', text, re.M).group(1)
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(pc))
        q = subprocess.run(['pkg-config', '--define-variable=prefix=' + dest + prefix,
                            '--cflags', '--libs', 'polyverify'],
                           capture_output=True, text=True, env=env)
        r.check(q.returncode == 0, 'pkg-config: %s' % q.stderr)
        flags = q.stdout.split()
        cc = os.environ.get('CC', 'cc')
        env['LD_LIBRARY_PATH'] = os.path.dirname(so)
        out = {}
        for prog in ('cell', 'enumerate'):
            exe = os.path.join(dest, prog)
            c = subprocess.run([cc, '-std=c11', '-Wall', '-Wextra', '-Werror',
                                'examples/c/%s.c' % prog, '-o', exe] + flags,
                               capture_output=True, text=True)
            r.check(c.returncode == 0, 'build examples/c/%s.c: %s' % (prog, c.stderr[-800:]))
            args = [DEMO, '1100|10'] if prog == 'cell' else [DEMO, '-1', '1']
            if c.returncode == 0:
                e = subprocess.run([exe] + args, capture_output=True, text=True, env=env)
                r.check(e.returncode == 0, '%s runs: %s' % (prog, e.stderr))
                out[prog] = e.stdout
        net = oracle.load_pvnet(DEMO)
        if 'cell' in out:
            facts = oracle.cell_facts(net, '110010')
            m = re.match(r'polyverify (\S+): code 1100\|10 is realised, dim (\d+)', out['cell'])
            r.check(m is not None, 'cell example output: %r' % out['cell'][:200])
            if m:
                r.equal(m.group(1), version, 'pv_version() is the .pc version')
                r.equal(int(m.group(2)), facts.dim, 'cell example: dimension')
            got = sorted(re.findall(r'-> (\S+)', out['cell']))
            want = sorted(f.neighbor[:4] + '|' + f.neighbor[4:] for f in facts.facets)
            r.equal(got, want, 'cell example: facet neighbours')
        if 'enumerate' in out:
            listed = dict((c.replace('|', ''), int(d)) for c, d in
                          re.findall(r'^  (\S+)  dim (\d+)$', out['enumerate'], re.M))
            box = [(-1, 1), (-1, 1)]
            for code, dim in sorted(listed.items()):
                f = oracle.cell_facts(net, code, box, want_bounded=False)
                r.equal((f.realized, f.dim), (True, dim), 'enumerate example: cell %s' % code)
            seen = set()
            for i in range(-20, 21):
                for j in range(-20, 21):
                    x = [Fraction(i, 20) + Fraction(1, 997), Fraction(j, 20) + Fraction(1, 991)]
                    if all(-1 <= v <= 1 for v in x):
                        seen.add(oracle.forward(net, x)[0])
            r.check(seen <= set(listed), 'enumerate example: grid codes %s not listed'
                    % sorted(seen - set(listed)))
    r.finish()


if __name__ == '__main__':
    main()
