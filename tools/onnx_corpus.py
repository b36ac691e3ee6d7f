#!/usr/bin/env python3
"""Load rate of polyverify on a corpus of published networks (issue 15).

    python3 tools/onnx_corpus.py CORPUS_DIR POLYVERIFY [--timeout S]
                                 [--max-memory MB] [--out FILE]

Runs `POLYVERIFY info NET --json --max-memory MB` (default 8192: the machine
is shared; 0 leaves polyverify's default) on every .onnx, .onnx.gz, .nnet and
.nnet.gz under CORPUS_DIR (sorted, one at a time), and classifies each run:

  loaded    exit 0: input dimension, ReLU neurons (code length), layers,
            output head, from the JSON
  refused   exit 1: the first line of the error, and a reason to count:
            "fan-out" when a tensor feeds two nodes, else the op named in
            "(op NAME)" and the message's first clause, else the message;
            names and numbers blanked
  timeout   killed after --timeout seconds (default 120)
  crash     killed by a signal, or any other exit status (exit 5: over
            --max-memory)

For each run: wall time (the load time, info does nothing else) and peak
RSS (by /usr/bin/time when present, else the child's rusage from os.wait4).
For each ONNX net also the op types its graph contains, read by a minimal
protobuf walk (no onnx package): what a net holds, beyond what stopped the
loader. Prints a markdown report (summary, refusals by reason, op census,
one row per network) and writes it to --out (default
bench/results/onnx_load.md in this repository). The first directory under
CORPUS_DIR names a net's source (tools/fetch_corpus.md lays the corpus out
as owner+name/path-in-repo). Stdlib only.
"""
import argparse
import gzip
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

SUFFIXES = ('.onnx', '.onnx.gz', '.nnet', '.nnet.gz')


def networks(corpus):
    found = []
    for dirpath, _, files in os.walk(corpus):
        for f in files:
            if f.endswith(SUFFIXES):
                found.append(os.path.relpath(os.path.join(dirpath, f), corpus))
    return sorted(found)


def fields(buf):
    """(field number, wire type, value) of a protobuf message: the value is
    bytes for length-delimited fields, else an int (never needed here)."""
    i, n = 0, len(buf)

    def varint():
        nonlocal i
        v = shift = 0
        while True:
            b = buf[i]
            i += 1
            v |= (b & 0x7f) << shift
            shift += 7
            if b < 0x80:
                return v
    while i < n:
        key = varint()
        wire = key & 7
        if wire == 0:
            yield key >> 3, wire, varint()
        elif wire == 2:
            size = varint()
            yield key >> 3, wire, buf[i:i + size]
            i += size
        elif wire in (1, 5):
            i += 8 if wire == 1 else 4
        else:
            raise ValueError('protobuf wire type %d' % wire)


def onnx_ops(path):
    """The op types of an ONNX model's main graph (ModelProto.graph = 7,
    GraphProto.node = 1, NodeProto.op_type = 4), read without onnx: the
    census of what a net contains, not only what stopped the loader."""
    opener = gzip.open if path.endswith('.gz') else open
    try:
        with opener(path, 'rb') as f:
            model = f.read()
        ops = set()
        for num, wire, graph in fields(model):
            if num == 7 and wire == 2:
                for gnum, gwire, node in fields(graph):
                    if gnum == 1 and gwire == 2:
                        ops.update(v.decode() for k, w, v in fields(node) if k == 4 and w == 2)
        return sorted(ops)
    except (OSError, ValueError, IndexError, UnicodeDecodeError, EOFError):
        return ['?']


TIME = '/usr/bin/time'


def run(binary, path, timeout, max_mb):
    """(exit status or None when killed by us, stdout, stderr, seconds, peak MB)."""
    argv = [binary, 'info', path, '--json']
    if max_mb:
        argv += ['--max-memory', str(max_mb)]
    timed = os.access(TIME, os.X_OK)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile('r') as rss:
        if timed:
            argv = [TIME, '-f', '%M', '-o', rss.name] + argv
        t0 = time.monotonic()
        # its own session: a timeout kills polyverify, not only /usr/bin/time
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        killed = threading.Event()

        def kill():
            killed.set()
            os.killpg(proc.pid, signal.SIGKILL)
        timer = threading.Timer(timeout, kill)
        timer.start()
        # Peak RSS: /usr/bin/time's, whose child is forked from a small
        # process. The fallback, this child's own rusage from wait4, counts
        # the memory of this script at the spawn as a floor (tens of MB).
        _, status, usage = os.wait4(proc.pid, 0)
        secs = time.monotonic() - t0
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        kib = usage.ru_maxrss
        if timed:
            # killed: /usr/bin/time died first and wrote nothing
            last = (rss.read().split() or ['?'])[-1]
            kib = int(last) if last.isdigit() else None
        out.seek(0)
        err.seek(0)
        code = None if killed.is_set() else proc.returncode
        return (code, out.read().decode(errors='replace'),
                err.read().decode(errors='replace'), secs,
                None if kib is None else kib / 1024)


def reason_of(message):
    """A refusal's reason, general enough to count: a fan-out names the
    nodes it feeds, which are not the cause; an op's message keeps its first
    clause, with names and numbers blanked."""
    def blank(text):
        text = re.sub(r'\[[^\]]*\]', '[…]', re.sub(r"'[^']*'", "'…'", text))
        return re.sub(r'\d+', 'N', text)
    if 'feeds two nodes' in message:
        return 'fan-out: a tensor feeds two nodes'
    m = re.search(r'\(op ([A-Za-z0-9_]+)\): (.*)', message)
    if m:
        clause = ''
        for part in re.split(r'[:,;(]', blank(m.group(2))):
            clause += (': ' if clause else '') + part.strip()
            if len(clause) >= 20:
                break
        return 'op %s: %s' % (m.group(1), clause[:70])
    return blank(re.sub(r'^polyverify: ', '', message))[:90]


def classify(binary, corpus, rel, timeout, max_mb):
    path = os.path.join(corpus, rel)
    code, out, err, secs, mb = run(binary, path, timeout, max_mb)
    row = {'net': rel, 'source': rel.split(os.sep)[0], 'seconds': secs, 'peak_mb': mb,
           'bytes': os.path.getsize(path),
           'ops': onnx_ops(path) if '.onnx' in rel else []}
    first = next((l for l in err.splitlines() if l.strip()), '').replace(path, 'NET')
    if code is None:
        row.update(outcome='timeout', reason='timeout > %g s' % timeout)
    elif code == 0:
        try:
            info = json.loads(out)
            row.update(outcome='loaded', input_dim=info.get('input_dim'),
                       neurons=info.get('neurons'), layers=len(info.get('layers') or []),
                       head=info.get('output_head'))
        except ValueError:
            row.update(outcome='crash', reason='exit 0 without JSON')
    elif code == 1:
        row.update(outcome='refused', message=first, reason=reason_of(first))
    else:
        row.update(outcome='crash', message=first,
                   reason='signal %d' % -code if code < 0 else 'exit %d' % code)
    return row


def megabytes(mb):
    return '?' if mb is None else '%.0f' % mb


def cell(text):
    return str(text).replace('|', '\\|')


def report(rows, binary, timeout, max_mb):
    lines = []
    n = len(rows)
    by = {}
    for r in rows:
        by.setdefault(r['outcome'], []).append(r)
    loaded = len(by.get('loaded', []))
    lines.append('# polyverify load rate on published networks (issue 15)')
    lines.append('')
    lines.append('%s, `%s info NET --json`, timeout %g s, --max-memory %s, %d CPUs; '
                 'corpus: tools/onnx_corpus.txt (tools/fetch_corpus.md). Seconds: wall '
                 'time of the whole command; peak MB: its maximum RSS.'
                 % (time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
                    os.path.basename(binary), timeout, max_mb or 'default', os.cpu_count()))
    lines.append('')
    lines.append('**%d of %d load** (%.0f%%); ' % (loaded, n, 100.0 * loaded / max(n, 1))
                 + ', '.join('%s %d' % (k, len(by[k])) for k in
                             ('refused', 'timeout', 'crash') if k in by) + '.')
    lines.append('')
    lines.append('| source | nets | loaded |')
    lines.append('|---|---:|---:|')
    sources = {}
    for r in rows:
        s = sources.setdefault(r['source'], [0, 0])
        s[0] += 1
        s[1] += r['outcome'] == 'loaded'
    for s, (k, ok) in sources.items():
        lines.append('| %s | %d | %d |' % (cell(s), k, ok))
    lines.append('')
    lines.append('## Not loaded, by reason')
    lines.append('')
    lines.append('| reason | nets | example message |')
    lines.append('|---|---:|---|')
    reasons = {}
    for r in rows:
        if r['outcome'] != 'loaded':
            reasons.setdefault(r['reason'], []).append(r)
    for reason, rs in sorted(reasons.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        msg = rs[0].get('message', '')
        lines.append('| %s | %d | %s |' % (cell(reason), len(rs), cell(msg[:160])))
    lines.append('')
    lines.append('## ONNX ops: nets containing each (loaded or not)')
    lines.append('')
    lines.append('| op | nets | of them loaded |')
    lines.append('|---|---:|---:|')
    census = {}
    for r in rows:
        for op in r['ops']:
            c = census.setdefault(op, [0, 0])
            c[0] += 1
            c[1] += r['outcome'] == 'loaded'
    for op, (k, ok) in sorted(census.items(), key=lambda kv: (-kv[1][0], kv[0])):
        lines.append('| %s | %d | %d |' % (cell(op), k, ok))
    lines.append('')
    lines.append('## Every network')
    lines.append('')
    lines.append('| network | KB | outcome | input | neurons | layers | s | peak MB | reason / head | ops |')
    lines.append('|---|---:|---|---:|---:|---:|---:|---:|---|---|')
    for r in rows:
        ok = r['outcome'] == 'loaded'
        lines.append('| %s | %d | %s | %s | %s | %s | %.2f | %s | %s | %s |' % (
            cell(r['net']), r['bytes'] // 1024, r['outcome'],
            r.get('input_dim', '') if ok else '', r.get('neurons', '') if ok else '',
            r.get('layers', '') if ok else '', r['seconds'], megabytes(r['peak_mb']),
            cell((r.get('head') or '') if ok else r['reason']), ' '.join(r['ops'])))
    return '\n'.join(lines) + '\n'


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('corpus')
    ap.add_argument('polyverify')
    ap.add_argument('--timeout', type=float, default=120)
    ap.add_argument('--max-memory', type=int, default=8192)
    ap.add_argument('--out', default=os.path.join(root, 'bench', 'results', 'onnx_load.md'))
    a = ap.parse_args()
    rows = []
    for rel in networks(a.corpus):
        r = classify(a.polyverify, a.corpus, rel, a.timeout, a.max_memory)
        print('%-8s %6.2f s %6s MB  %s  %s' % (r['outcome'], r['seconds'], megabytes(r['peak_mb']),
              rel, r.get('reason', '')), file=sys.stderr, flush=True)
        rows.append(r)
    text = report(rows, a.polyverify, a.timeout, a.max_memory)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, 'w') as f:
        f.write(text)
    sys.stdout.write(text)


if __name__ == '__main__':
    main()
