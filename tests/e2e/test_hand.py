"""End-to-end tests of polyverify on hand-made networks (tests/nets/*.pvnet).

Every expected value below was derived by hand (see the comment header of
each network file for the geometry).  For each network and box the script
  * checks the exact oracle against the hand table (so the oracle used for
    point checks is itself validated),
  * runs `polyverify info` and checks format, input_dim, neurons, layers,
  * runs `polyverify cell --json` on EVERY code and checks realized, dim,
    bounded, implicit_equalities, the facet neuron sets / box facets, the
    neighbour across each facet, and that the returned point is in the
    relative interior of the cell (exact check),
  * runs `polyverify cell --format ine` on every code and checks the rows
    against the oracle's own half-space system (up to positive scaling),
  * runs `polyverify code` on hand-chosen points (--point and --points CSV).

Usage: python3 tests/e2e/test_hand.py /path/to/polyverify   (cwd = project root)
"""

import os
import sys
import tempfile
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from oracle import CellFacts, Facet  # noqa: E402

NETS = os.path.join('tests', 'nets')


def cell(dim, bounded, facets, implicit=()):
    """A hand expectation for a realised cell.

    facets is a space-separated list of 'j,k>NEIGHBOUR' for neuron facets and
    'box:I:lo' / 'box:I:hi' for box facets (I is the 0-based coordinate), or
    None when the contract leaves the facets ambiguous (not checked).
    """
    if facets is None:
        return {'dim': dim, 'bounded': bounded, 'implicit': sorted(implicit), 'facets': None}
    parsed = []
    for item in facets.split():
        if item.startswith('box:'):
            _, i, side = item.split(':')
            parsed.append(Facet([], [(int(i), side)], None, None))
        else:
            neurons, neighbor = item.split('>')
            parsed.append(Facet(sorted(int(j) for j in neurons.split(',')), [], neighbor, None))
    return {'dim': dim, 'bounded': bounded, 'implicit': sorted(implicit), 'facets': parsed}


UNBOUNDED, BOUNDED = False, True

# name -> (input_dim, [(activation, width), ...], {box: {code: cell(...)}})
# Codes absent from a table are expected NOT to be realised.
HAND = {
    'cross.pvnet': (2, [('relu', 2)], {
        None: {
            '00': cell(2, UNBOUNDED, '0>10 1>01'),
            '01': cell(2, UNBOUNDED, '0>11 1>00'),
            '10': cell(2, UNBOUNDED, '0>00 1>11'),
            '11': cell(2, UNBOUNDED, '0>01 1>10'),
        },
        ((-1, 1), (-1, 1)): {
            '00': cell(2, BOUNDED, '0>10 1>01 box:0:lo box:1:lo'),
            '01': cell(2, BOUNDED, '0>11 1>00 box:0:lo box:1:hi'),
            '10': cell(2, BOUNDED, '0>00 1>11 box:0:hi box:1:lo'),
            '11': cell(2, BOUNDED, '0>01 1>10 box:0:hi box:1:hi'),
        },
    }),
    'parallel.pvnet': (2, [('relu', 2)], {
        None: {
            '00': cell(2, UNBOUNDED, '0>10'),
            '10': cell(2, UNBOUNDED, '0>00 1>11'),
            '11': cell(2, UNBOUNDED, '1>10'),
        },
        ((Fraction(1, 2), 2), (-1, 1)): {
            '10': cell(2, BOUNDED, '1>11 box:0:lo box:1:lo box:1:hi'),
            '11': cell(2, BOUNDED, '1>10 box:0:hi box:1:lo box:1:hi'),
        },
    }),
    'line1d.pvnet': (1, [('relu', 3)], {
        None: {
            '001': cell(1, UNBOUNDED, '0>101'),
            '101': cell(1, BOUNDED, '0>001 1>111'),
            '111': cell(1, BOUNDED, '1>101 2>110'),
            '110': cell(1, UNBOUNDED, '2>111'),
        },
        ((0, 3),): {
            '001': cell(0, BOUNDED, '', implicit=[0]),
            # neuron 0's hyperplane x = 0 is also the box face x >= 0: the
            # contract does not say how such a facet is reported
            '101': cell(1, BOUNDED, None),
            '111': cell(1, BOUNDED, '1>101 2>110'),
            '110': cell(1, BOUNDED, '2>111 box:0:hi'),
        },
    }),
    'duplicate.pvnet': (2, [('relu', 2)], {
        None: {
            '00': cell(2, UNBOUNDED, '0,1>11'),
            '11': cell(2, UNBOUNDED, '0,1>00'),
        },
    }),
    'opposite.pvnet': (2, [('relu', 2)], {
        None: {
            '00': cell(1, UNBOUNDED, '', implicit=[0, 1]),
            '01': cell(2, UNBOUNDED, '0,1>10'),
            '10': cell(2, UNBOUNDED, '0,1>01'),
        },
        ((-1, 1), (-2, 2)): {
            '00': cell(1, BOUNDED, 'box:1:lo box:1:hi', implicit=[0, 1]),
            '01': cell(2, BOUNDED, '0,1>10 box:0:lo box:1:lo box:1:hi'),
            '10': cell(2, BOUNDED, '0,1>01 box:0:hi box:1:lo box:1:hi'),
        },
    }),
    'dead.pvnet': (2, [('relu', 2), ('relu', 1)], {
        None: {
            '000': cell(2, UNBOUNDED, '0>101 1>011', implicit=[2]),
            '101': cell(2, UNBOUNDED, '0,2>000 1>111'),
            '011': cell(2, UNBOUNDED, '1,2>000 0>111'),
            '111': cell(2, UNBOUNDED, '0>011 1>101'),
        },
    }),
    'central.pvnet': (2, [('relu', 3), ('linear', 2)], {
        None: {
            '111': cell(2, UNBOUNDED, '1>101 2>110'),
            '110': cell(2, UNBOUNDED, '2>111 0>010'),
            '010': cell(2, UNBOUNDED, '0>110 1>000'),
            '000': cell(2, UNBOUNDED, '1>010 2>001'),
            '001': cell(2, UNBOUNDED, '2>000 0>101'),
            '101': cell(2, UNBOUNDED, '0>001 1>111'),
        },
    }),
    'deep_coincide.pvnet': (2, [('relu', 2), ('relu', 1)], {
        None: {
            '111': cell(2, UNBOUNDED, '1>101 2>110'),
            '110': cell(2, UNBOUNDED, '0>010 2>111'),
            '101': cell(2, UNBOUNDED, '0,2>000 1>111'),
            '010': cell(2, UNBOUNDED, '0>110 1,2>000'),
            '000': cell(2, UNBOUNDED, '0>101 1>010', implicit=[2]),
        },
    }),
}

# name -> [(point, expected code, expected zero_neurons)], all by hand
POINTS = {
    'cross.pvnet': [(['1/2', '-3'], '10', []), (['0', '0'], '00', [0, 1]),
                    (['-1', '2.5'], '01', []), (['0', '7'], '01', [0])],
    'line1d.pvnet': [(['0'], '001', [0]), (['1'], '101', [1]), (['2'], '110', [2]),
                     (['3/2'], '111', []), (['-1e1'], '001', [])],
    'dead.pvnet': [(['-1', '-1'], '000', [2]), (['1', '-1'], '101', []),
                   (['0', '0'], '000', [0, 1, 2])],
    'deep_coincide.pvnet': [(['1', '2'], '110', [2]), (['3', '2'], '111', []),
                            (['-5', '1'], '000', [1, 2])],
    'central.pvnet': [(['1', '1'], '110', [2]), (['-1', '-2'], '001', [])],
}


def hand_facts(net, code, box):
    """The hand expectation for (code, box) as a CellFacts (rows from the oracle)."""
    table = HAND[net[0]][2][box]
    rows = oracle.signed_rows(net[1], code, box)
    if code not in table:
        return CellFacts(code, False, -1, None, None, [], rows, [])
    e = table[code]
    return CellFacts(code, True, e['dim'], None, e['bounded'], e['implicit'], rows, e['facets'])


def facet_summary(facets):
    """Facets as a sorted list of (neurons, box, neighbour) for comparison."""
    return sorted((tuple(f.neurons), tuple(tuple(b) for b in f.box), f.neighbor) for f in facets)


def check_oracle_against_hand(runner, name, net, code, box, expected):
    """The oracle must reproduce the hand table (validates the oracle)."""
    got = oracle.cell_facts(net, code, box)
    what = 'ORACLE %s code %s box %s' % (name, code, box)
    runner.equal(got.realized, expected.realized, what + ' realized')
    runner.equal(got.dim, expected.dim, what + ' dim')
    if got.realized and expected.realized:
        runner.equal(got.bounded, expected.bounded, what + ' bounded')
        runner.equal(got.implicit, expected.implicit, what + ' implicit')
        if expected.facets is not None:
            runner.equal(facet_summary(got.facets), facet_summary(expected.facets),
                         what + ' facets')
        runner.equal(oracle.point_in_relint(got, got.point), [], what + ' point')
    return got


def check_info(runner, path, m, layers):
    """`info --json` must report the format, dimensions and layers."""
    got = runner.run_json('info', path, what='info ' + path)
    if got is None:
        return
    runner.equal(got.get('format'), 'pvnet', 'info %s format' % path)
    runner.equal(got.get('input_dim'), m, 'info %s input_dim' % path)
    runner.equal(got.get('neurons'), sum(w for a, w in layers if a == 'relu'),
                 'info %s neurons' % path)
    runner.equal([(l.get('activation'), l.get('width')) for l in got.get('layers') or []],
                 layers, 'info %s layers' % path)


def check_points(runner, path, net, points):
    """`code --point` for each point, then all of them at once with --points CSV."""
    for point, code, zeros in points:
        runner.equal((oracle.forward(net, [Fraction(p) for p in point])[0],
                      oracle.forward(net, [Fraction(p) for p in point])[1]),
                     (code, zeros), 'ORACLE code of %s in %s' % (point, path))
        got = runner.run_json('code', path, '--point', ','.join(point),
                              what='code %s --point %s' % (path, point))
        if got is None:
            continue
        if not runner.check(isinstance(got, list) and len(got) == 1,
                            'code %s --point: expected a JSON array of one object, got %r'
                            % (path, got)):
            continue
        check_point_object(runner, got[0], point, code, zeros, path)
    if not points:
        return
    with tempfile.NamedTemporaryFile('w', suffix='.csv', delete=False) as f:
        f.write(''.join(','.join(p) + '\n' for p, _, _ in points))
        csv = f.name
    try:
        got = runner.run_json('code', path, '--points', csv, what='code %s --points' % path)
        if got is not None and runner.equal(len(got), len(points), 'code %s --points count' % path):
            for obj, (point, code, zeros) in zip(got, points):
                check_point_object(runner, obj, point, code, zeros, path + ' (csv)')
    finally:
        os.unlink(csv)


def check_point_object(runner, obj, point, code, zeros, path):
    """One object of `code` output: point (exact), code, zero_neurons."""
    what = 'code %s at %s' % (path, point)
    runner.equal(oracle.fractions_of(obj.get('point')), [Fraction(p) for p in point], what + ' point')
    runner.equal(obj.get('code'), code, what + ' code')
    runner.equal(sorted(obj.get('zero_neurons') or []), zeros, what + ' zero_neurons')


def check_central_rows(runner, name, net):
    """Every row of every cell of the central net has constant term 0."""
    N = oracle.relu_count(net)
    for k in range(2 ** N):
        code = format(k, '0%db' % N)
        rows = oracle.signed_rows(net, code)
        runner.check(all(r[0] == 0 for _, r, _ in rows), 'ORACLE %s %s: non-zero constant' % (name, code))


def main():
    """Run every hand check and print the summary."""
    runner = oracle.Runner(sys.argv[1])
    for name, (m, layers, tables) in HAND.items():
        path = os.path.join(NETS, name)
        net = oracle.load_pvnet(path)
        N = oracle.relu_count(net)
        check_info(runner, path, m, layers)
        if name == 'central.pvnet':
            check_central_rows(runner, name, net)
        for box in tables:
            for k in range(2 ** N):
                code = format(k, '0%db' % N)
                expected = hand_facts((name, net), code, box)
                check_oracle_against_hand(runner, name, net, code, box, expected)
                oracle.compare_cell(runner, net, path, code, box, facts=expected)
                oracle.compare_ine(runner, net, path, code, box)
        check_points(runner, path, net, POINTS.get(name, []))
    runner.finish()


if __name__ == '__main__':
    main()
