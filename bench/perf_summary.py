#!/usr/bin/env python3
"""Summarise a `perf record --call-graph dwarf` profile of pvbench.

    perf script -i FILE | python3 bench/perf_summary.py [--pid PID] [--top K]

Without --pid the process with the most samples is taken (pvbench runs
each part in its own forked process, so that is the part being profiled,
not the set-up). Prints, as shares of that process's samples:
  * self time by library/kind (GLPK, GMP, malloc/free, kernel, polyverify);
  * self time of the top functions;
  * inclusive time of polyverify's functions (pv_* and the static helpers
    of the library: any frame in a sample's chain counts once);
  * library time attributed to the nearest polyverify caller (e.g. GLPK
    under pv_flp_margin vs under pv_flp_cross_row).
"""
import collections
import re
import sys

MALLOC = re.compile(r"^(malloc|free|cfree|realloc|calloc|_int_\w+|unlink_chunk\S*|"
                    r"malloc_consolidate|__libc_\w*alloc\w*|tcache\w*|sysmalloc|"
                    r"__memmove\w*|__memset\w*|__memcpy\w*)")
BENCH = {"run_a", "run_b", "run_c", "run_forked", "run_config", "run_suite",
         "run_scaling", "main", "_start", "__libc_start_call_main",
         "__libc_start_main_impl", "float_rows", "float_margin", "float_facets"}


def kind(sym, dso):
    if "glpk" in dso:
        return "GLPK (float simplex)"
    if "gmp" in dso:
        return "GMP (exact arithmetic)"
    if "cdd" in dso:
        return "cddlib (exact LP)"
    if "kernel" in dso:
        return "kernel (page faults, brk/munmap)"
    if "libm" in dso:
        return "libm"
    if "libc" in dso:
        return "malloc/free/memcpy (libc)" if MALLOC.match(sym) else "libc other"
    if "ld-linux" in dso:
        return "dynamic loader"
    return "polyverify code (self)"


def parse(stream):
    """Yields (pid, [(sym, dso), ...] innermost first)."""
    pid, frames = None, []
    for line in stream:
        if not line.strip():
            if pid is not None:
                yield pid, frames
            pid, frames = None, []
            continue
        if not line[0].isspace():
            parts = line.split()
            pid = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
            frames = []
            continue
        m = re.match(r"\s*[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$", line)
        if m:
            sym, dso = m.group(1), m.group(2)
            if sym.endswith(" (inlined)"):
                sym, dso = sym[:-len(" (inlined)")], "inlined"
            sym = re.sub(r"\+0x[0-9a-f]+$", "", sym)
            frames.append((line.split()[0], sym, dso))
    if pid is not None:
        yield pid, frames


LIBC_INLINE = re.compile(r"^(__|_int_|_IO_|systrim|sysmalloc|unlink_chunk|malloc_|tcache|"
                         r"alloc_perturb|checked_request2size|arena_)")


def resolve_inlined(frames):
    """perf lists an inlined function as its own frame with the object
    "inlined": give it the object of the real frame at the same address,
    or, when perf shows none, libc for libc's internal names and the
    caller's object otherwise."""
    out = []
    for i, (addr, sym, d) in enumerate(frames):
        if d == "inlined":
            same = [dd for a, _, dd in frames[i + 1:] if a == addr and dd != "inlined"]
            if same:
                d = same[0]
            elif LIBC_INLINE.match(sym):
                d = "libc.so.6"
            else:
                d = next((dd for _, _, dd in frames[i + 1:] if dd != "inlined"), d)
        out.append((sym, d))
    return out


def main():
    want, top = None, 15
    args = sys.argv[1:]
    while args:
        a = args.pop(0)
        if a == "--pid":
            want = int(args.pop(0))
        elif a == "--top":
            top = int(args.pop(0))
    samples = list(parse(sys.stdin))
    if want is None:
        want = collections.Counter(p for p, _ in samples).most_common(1)[0][0]
    samples = [resolve_inlined(f) for p, f in samples if p == want and f]
    n = len(samples)
    kinds, selfs = collections.Counter(), collections.Counter()
    incl, attr = collections.Counter(), collections.Counter()
    for frames in samples:
        sym, dso = frames[0]
        k = kind(sym, dso)
        kinds[k] += 1
        selfs[(sym, dso.split("/")[-1])] += 1
        seen = set()
        caller = None
        for s, d in frames:
            if "pvbench" in d and s not in BENCH:
                if s not in seen:
                    incl[s] += 1
                    seen.add(s)
                if caller is None:
                    caller = s
        if k != "polyverify code (self)" and caller:
            attr[(k.split(" ")[0], caller)] += 1
    print(f"pid {want}: {n} samples")
    print("\nself time by kind:")
    for k, c in kinds.most_common():
        print(f"  {100.0 * c / n:5.1f}%  {k}")
    print(f"\ntop {top} functions (self):")
    for (s, d), c in selfs.most_common(top):
        print(f"  {100.0 * c / n:5.1f}%  {s}  [{d}]")
    print(f"\ntop {top} polyverify functions (inclusive):")
    for s, c in incl.most_common(top):
        print(f"  {100.0 * c / n:5.1f}%  {s}")
    print(f"\nlibrary time by nearest polyverify caller (top {top}):")
    for (k, s), c in attr.most_common(top):
        print(f"  {100.0 * c / n:5.1f}%  {k:8s} under {s}")


if __name__ == "__main__":
    main()
