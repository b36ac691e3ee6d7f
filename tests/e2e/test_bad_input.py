"""End-to-end tests of polyverify's handling of bad input.

Every case must exit with a non-zero status, print nothing on stdout and a
message on stderr.  For malformed network files the message must name the
file and the line of the error (as 'FILE:LINE', 'line LINE' or
'FILE, line LINE'); for a truncated file either the last line or the line
after it is accepted.  A code of the wrong length must state the expected
number of bits.

Usage: python3 tests/e2e/test_bad_input.py /path/to/polyverify   (cwd = project root)
"""

import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

VALID = """pvnet 1
input 2
layer relu 2
1 0
0 1
bias 0 0
layer linear 1
1 1
bias 0
"""


def replace_line(text, lineno, new):
    """VALID with line `lineno` (1-based) replaced by `new` (None deletes it)."""
    lines = text.splitlines()
    if new is None:
        del lines[lineno - 1]
    else:
        lines[lineno - 1] = new
    return '\n'.join(lines) + '\n'


# name -> (file text, acceptable error line numbers)
BAD_FILES = {
    'missing_header': (replace_line(VALID, 1, None), [1]),
    'wrong_version': (replace_line(VALID, 1, 'pvnet 3'), [1]),
    'division_by_zero': (replace_line(VALID, 4, '1 1/0'), [4]),
    'nan': (replace_line(VALID, 5, 'nan 1'), [5]),
    'inf': (replace_line(VALID, 5, '0 inf'), [5]),
    'huge_exponent': (replace_line(VALID, 6, 'bias 1e999999 0'), [6]),
    'bad_token': (replace_line(VALID, 8, '1 1x'), [8]),
    'row_too_long': (replace_line(VALID, 5, '0 1 3'), [5]),
    'row_too_short': (replace_line(VALID, 4, '1'), [4]),
    'bias_too_short': (replace_line(VALID, 6, 'bias 0'), [6]),
    'bias_keyword_missing': (replace_line(VALID, 6, '0 0'), [6]),
    'truncated': ('\n'.join(VALID.splitlines()[:5]) + '\n', [5, 6]),
    'truncated_mid_row': ('\n'.join(VALID.splitlines()[:3]) + '\n1', [4, 5]),
    'zero_width': (replace_line(VALID, 3, 'layer relu 0'), [3]),
    'negative_width': (replace_line(VALID, 3, 'layer relu -2'), [3]),
    'input_zero': (replace_line(VALID, 2, 'input 0'), [2]),
    'input_not_a_number': (replace_line(VALID, 2, 'input two'), [2]),
    'unknown_activation': (replace_line(VALID, 3, 'layer sigmoid 2'), [3]),
    'garbage_after_last_layer': (VALID + 'hello world\n', [10]),
    'no_layers': ('pvnet 1\ninput 2\n', [2, 3]),
    'comments_shift_lines': ('# a comment\n\n   # another\n' + replace_line(VALID, 4, '1 1/0'), [7]),
}


def message_names_line(stderr, filename, lines):
    """True iff stderr names the file and one of the acceptable line numbers."""
    if filename not in stderr:
        return False
    return any(re.search(r'(:%d\b|line\s+%d\b)' % (n, n), stderr) for n in lines)


def expect_error(runner, what, args, must_contain=(), file_line=None):
    """Run polyverify with args and check the error contract.

    must_contain: strings that must appear in stderr; file_line: optional
    (filename, [acceptable lines]) that stderr must name.
    """
    rc, out, err = runner.run(*args)
    runner.check(rc != 0 and rc > -900, '%s: expected a non-zero exit status, got %d' % (what, rc))
    runner.check(rc >= 0, '%s: killed by signal %d (crash?)' % (what, -rc))
    runner.check(out == '', '%s: expected nothing on stdout, got %r' % (what, out[:200]))
    runner.check(err.strip() != '', '%s: expected a message on stderr' % what)
    for s in must_contain:
        runner.check(s in err, '%s: stderr should mention %r: %r' % (what, s, err.strip()[:300]))
    if file_line:
        runner.check(message_names_line(err, *file_line),
                     '%s: stderr should name %s and line %s: %r'
                     % (what, file_line[0], ' or '.join(map(str, file_line[1])), err.strip()[:300]))


def main():
    """Run all bad-input checks."""
    runner = oracle.Runner(sys.argv[1])
    tmpdir = tempfile.mkdtemp(prefix='pv_bad_')
    try:
        good = os.path.join(tmpdir, 'good.pvnet')
        with open(good, 'w') as f:
            f.write(VALID)
        rc, out, err = runner.run('info', good, '--json')
        runner.check(rc == 0, 'the valid reference file must load: %s' % err.strip())

        for name, (text, lines) in BAD_FILES.items():
            path = os.path.join(tmpdir, name + '.pvnet')
            with open(path, 'w') as f:
                f.write(text)
            for cmd in (['info', path, '--json'], ['cell', path, '--code', '10', '--json']):
                expect_error(runner, '%s (%s)' % (name, cmd[0]), cmd,
                             file_line=(path, lines))

        missing = os.path.join(tmpdir, 'does_not_exist.pvnet')
        expect_error(runner, 'nonexistent file', ['info', missing, '--json'],
                     must_contain=['does_not_exist.pvnet'])

        dead = os.path.join('tests', 'nets', 'dead.pvnet')        # 3 ReLU bits (2|1)
        cases = [
            ('code too short', ['cell', dead, '--code', '10', '--json'], ['3']),
            ('code too long', ['cell', dead, '--code', '1010', '--json'], ['3']),
            ('code with a 2', ['cell', dead, '--code', '120', '--json'], []),
            ('code with a letter', ['cell', dead, '--code', '1a0', '--json'], []),
            ('empty code', ['cell', dead, '--code', '', '--json'], []),
            ('box lo > hi', ['cell', dead, '--code', '000', '--box', '1,-1', '--json'], []),
            ('box lo > hi, per coordinate',
             ['cell', dead, '--code', '000', '--box', '-1,1,2,1', '--json'], []),
            ('box with 3 numbers', ['cell', dead, '--code', '000', '--box', '0,1,2', '--json'], []),
            ('box with 1 number', ['cell', dead, '--code', '000', '--box', '1', '--json'], []),
            ('box with a bad number', ['cell', dead, '--code', '000', '--box', '0,1/0', '--json'], []),
            ('point of the wrong dimension', ['code', dead, '--point', '1', '--json'], []),
            ('point with a bad number', ['code', dead, '--point', '1,nan', '--json'], []),
            ('cell without --code', ['cell', dead, '--json'], []),
            ('unknown option', ['cell', dead, '--code', '000', '--frobnicate', '--json'], []),
            ('unknown command', ['frobnicate', dead], []),
            ('no arguments', [], []),
            ('info without a file', ['info', '--json'], []),
            ('code without points', ['code', dead, '--json'], []),
            ('nonexistent points file',
             ['code', dead, '--points', os.path.join(tmpdir, 'nope.csv'), '--json'], ['nope.csv']),
        ]
        for what, args, must in cases:
            expect_error(runner, what, args, must_contain=must)

        bad_csv = os.path.join(tmpdir, 'bad.csv')
        with open(bad_csv, 'w') as f:
            f.write('1,2\n3,1/0\n')
        expect_error(runner, 'bad number in a points file',
                     ['code', dead, '--points', bad_csv, '--json'], file_line=(bad_csv, [2]))
        short_csv = os.path.join(tmpdir, 'short.csv')
        with open(short_csv, 'w') as f:
            f.write('1,2\n3,4\n5\n')
        expect_error(runner, 'wrong number of coordinates in a points file',
                     ['code', dead, '--points', short_csv, '--json'], file_line=(short_csv, [3]))
    finally:
        shutil.rmtree(tmpdir)
    runner.finish()


if __name__ == '__main__':
    main()
