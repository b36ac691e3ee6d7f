"""Writes polyverify(1) from the program's own help texts.

Usage: python3 tools/manpage.py POLYVERIFY OUT.1

The page is the main usage text and every command's --help (which the
program prints from the command's option table), so the manual cannot
drift from what the program accepts. Run by the build (meson).
"""

import subprocess
import sys

COMMANDS = ['info', 'code', 'cell', 'stats', 'adjacency-check', 'enumerate',
            'plot', 'convert']


def esc(line):
    """roff-safe text: backslashes and leading dots or quotes."""
    line = line.replace('\\', '\\e')
    if line.startswith(('.', "'")):
        line = '\\&' + line
    return line


def help_of(pv, *args):
    p = subprocess.run([pv] + list(args), capture_output=True, text=True, check=True)
    return p.stdout


def main():
    pv, out = sys.argv[1], sys.argv[2]
    lines = ['.TH POLYVERIFY 1 "" "polyverify" "User Commands"',
             '.SH NAME',
             'polyverify \\- exact facts about the activation regions of ReLU networks',
             '.SH SYNOPSIS',
             '.B polyverify',
             '.I COMMAND NET',
             '[options]',
             '.SH DESCRIPTION',
             'polyverify decides, in exact rational arithmetic, whether an activation',
             'code of a ReLU network is realised, its cell\'s dimension, facets and',
             'neighbours, and whether two cells are adjacent; every answer can carry',
             'a certificate that the independent checker',
             '.BR pvcheck (1)',
             're-verifies.',
             '.PP',
             '.nf']
    lines += [esc(l) for l in help_of(pv, '--help').rstrip('\n').split('\n')]
    lines += ['.fi', '.SH COMMANDS']
    for c in COMMANDS:
        lines += ['.SS %s' % c, '.nf']
        lines += [esc(l) for l in help_of(pv, c, '--help').rstrip('\n').split('\n')]
        lines += ['.fi']
    lines += ['.SH EXIT STATUS',
              '0 answered; 1 error (bad input, failed check); 2 usage; 3 stopped at a',
              'limit (--max-cells, memory); 4 --timeout; 5 out of memory; 130 Ctrl-C.',
              '.SH SEE ALSO',
              'The README of the project, and verify/README.md for the certificate format.']
    with open(out, 'w') as f:
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
