"""The API reference (doc/api/*.md), made from the public headers' comments.

Usage: python3 tools/apidoc.py [--check] [OUT_DIR]     (cwd = project root)

One page per header of include/polyverify/: the header's opening comment,
then each type and each function (every PV_API declaration) with the
comment just above it, in the header's order. The headers are the source
of truth; --check regenerates into a temporary folder and exits 1 when
doc/api/ differs (the test suite runs it, so the reference cannot drift).
"""

import filecmp
import os
import re
import sys
import tempfile

HEADERS = 'include/polyverify'
OUT = 'doc/api'


def strip_comment(text):
    """The text of a /* ... */ block, without the stars."""
    body = text.strip()[2:-2]
    lines = [re.sub(r'^\s*\* ?', '', l) for l in body.split('\n')]
    return '\n'.join(l.rstrip() for l in lines).strip()


def items(src):
    """(comment, code) pairs: each type or function with its comment."""
    out = []
    pending = None
    i = 0
    n = len(src)
    while i < n:
        if src.startswith('/*', i):
            j = src.index('*/', i) + 2
            pending = src[i:j]
            i = j
            continue
        line_end = src.find('\n', i)
        line_end = n if line_end < 0 else line_end
        line = src[i:line_end]
        if line.startswith('typedef') or line.startswith('PV_API') or line.startswith('enum'):
            j = i
            semi = src.find(';', i)
            brace = src.find('{', i)
            opaque = brace < 0 or (semi >= 0 and semi < brace)   # typedef struct x x;
            if not opaque and (line.startswith('typedef struct') or
                               line.startswith('typedef enum') or
                               line.startswith('enum') or line.rstrip().endswith('{')):
                depth = 0
                while j < n:
                    if src[j] == '{':
                        depth += 1
                    elif src[j] == '}':
                        depth -= 1
                        if depth == 0:
                            break
                    j += 1
            j = src.index(';', j) + 1
            out.append((strip_comment(pending) if pending else '', src[i:j]))
            pending = None
            i = j
            continue
        if line.strip() and not line.startswith('#'):
            pending = None
        i = line_end + 1
    return out


def summary(intro):
    """The first sentence of a header's comment, as a title."""
    first = intro.split('\n\n')[0].replace('polyverify — ', '')
    first = ' '.join(first.split())
    cut = re.search(r'[.:](\s|$)', first)
    first = first[:cut.start()] if cut else first
    return first[:1].upper() + first[1:]


def page(name, src):
    m = re.match(r'\s*(/\*.*?\*/)', src, re.S)
    intro = strip_comment(m.group(1)) if m else ''
    text = intro.replace('polyverify — ', '', 1)
    lines = ['# `<polyverify/%s>` — %s' % (name, summary(intro)), '',
             text[:1].upper() + text[1:], '',
             '*Generated from `include/polyverify/%s` by `tools/apidoc.py`.*' % name, '']
    body = src[m.end():] if m else src
    for comment, code in items(body):
        if comment:
            lines += [comment, '']
        lines += ['```c', code.strip(), '```', '']
    return '\n'.join(lines).rstrip() + '\n'


def index(headers):
    lines = ['# The polyverify C API', '',
             'One page per public header; `#include <polyverify.h>` includes them all.',
             'Link with `pkg-config --cflags --libs polyverify` (README: "Using the C library").',
             'Conventions: every function prefix names its header (`pv_cell_*` in `cell.h`).',
             'The caller initialises every object (`pv_x_init`; the opaque handles `pv_net`',
             'and `pv_cert` come from `pv_net_new` and `pv_cert_open`) and clears it',
             '(`pv_x_clear`, `pv_net_free`, `pv_cert_close`); a function writes into an',
             'initialised object and replaces its content. Option structs have an `_init`',
             'that sets every default. Fallible calls return a `pv_status` and fill a',
             '`pv_error`; exact numbers are GMP rationals (`mpq_t`).', '']
    for name, path in headers:
        m = re.match(r'\s*(/\*.*?\*/)', open(path).read(), re.S)
        title = summary(strip_comment(m.group(1))) if m else name
        lines.append('- [`%s`](%s.md) — %s' % (name, name[:-2], title))
    return '\n'.join(lines) + '\n'


def headers():
    """(name, path) of every public header; version.h is generated from .in."""
    out = []
    for f in sorted(os.listdir(HEADERS)):
        if f.endswith('.h'):
            out.append((f, os.path.join(HEADERS, f)))
        elif f.endswith('.h.in'):
            out.append((f[:-3], os.path.join(HEADERS, f)))
    return sorted(out)


def write(out):
    os.makedirs(out, exist_ok=True)
    hs = headers()
    for name, path in hs:
        with open(os.path.join(out, name[:-2] + '.md'), 'w') as f:
            f.write(page(name, open(path).read()))
    with open(os.path.join(out, 'README.md'), 'w') as f:
        f.write(index(hs))


def main():
    args = [a for a in sys.argv[1:] if a != '--check']
    if '--check' not in sys.argv:
        write(args[0] if args else OUT)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        write(tmp)
        want = sorted(os.listdir(tmp))
        have = sorted(os.listdir(OUT)) if os.path.isdir(OUT) else []
        stale = [f for f in want if f not in have or
                 not filecmp.cmp(os.path.join(tmp, f), os.path.join(OUT, f), shallow=False)]
        stale += [f for f in have if f not in want]
        if stale:
            print('FAIL: doc/api is stale (%s): run python3 tools/apidoc.py' % ', '.join(stale))
            print('0 passed, 1 failed')
            return 1
    print('1 passed, 0 failed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
