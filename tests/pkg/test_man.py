#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
"""mlfs(8) renders without a warning and documents the options mlfs has.

  test_man.py MLFS MANPAGE README

The man page's "mlfs options" must be exactly the options of the mlfs section of
`mlfs --help`, its "FUSE options" must be options that `mlfs --help` lists under
FUSE, and the README's Options block must name the same options as the man page.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys

OPTION = re.compile(r'(-o\s*[a-z_]+)=?\S*|(--?[A-Za-z][A-Za-z0-9-]*)')
SEPARATOR = re.compile(r'[,;]?\s+')


def options_of(spec):
    """Options named at the start of spec: "-o db=PATH  database" gives ["-o db"]."""
    found = []
    spec = spec.strip()
    while True:
        m = OPTION.match(spec)
        if not m:
            return found
        found.append(re.sub(r'-o\s*', '-o ', m.group(1)) if m.group(1) else m.group(2))
        spec = spec[m.end():]
        m = SEPARATOR.match(spec)
        if not m:
            return found
        spec = spec[m.end():]


def help_sections(mlfs):
    out = subprocess.run([mlfs, '--help'], check=True, capture_output=True, text=True).stdout
    sections, current = {}, None
    for line in out.splitlines():
        if line.endswith('options:'):
            current = sections.setdefault(line[:-len(' options:')], set())
        elif current is not None and line.startswith(' ') and line.strip().startswith('-'):
            current.update(options_of(line))
    return sections


def roff_text(line):
    """The text of one roff line: font macros' arguments joined, escapes removed."""
    macro, _, rest = line.partition(' ') if line.startswith('.') else ('', '', line)
    args = shlex.split(rest.replace('\\-', '-'), posix=True) if macro else [rest]
    # .BR, .BI, .IR... alternate fonts between arguments written together.
    text = ''.join(args) if len(macro) == 3 else ' '.join(args)
    return re.sub(r'\\f[BIRP]', '', text)


def man_sections(path):
    sections, current, in_options, tag_next = {}, None, False, False
    with open(path) as page:
        for line in page:
            line = line.rstrip('\n')
            if line.startswith('.SH'):
                in_options = line.split(None, 1)[1].strip('"') == 'OPTIONS'
                current = None
            elif in_options and line.startswith('.SS'):
                name = line.split(None, 1)[1].strip('"')
                current = sections.setdefault(name.split()[0], set())
            elif in_options and line.startswith('.TP'):
                tag_next = True
            elif tag_next:
                tag_next = False
                if current is None:
                    sys.exit('%s: an option outside "mlfs options" and "FUSE options": %s'
                             % (path, line))
                names = options_of(roff_text(line))
                if not names:
                    sys.exit('%s: the tag "%s" names no option' % (path, line))
                current.update(names)
    return sections


def readme_options(path):
    names, in_section, in_block = set(), False, False
    with open(path) as readme:
        for line in readme:
            if line.startswith('## '):
                in_section = line.strip() == '## Options'
            elif in_section and line.startswith('```'):
                if in_block:
                    return names
                in_block = True
            elif in_block and line.startswith('    -'):
                names.update(options_of(line))
    sys.exit('%s: no code block under "## Options"' % path)


def warnings_of(cmd, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0 or r.stderr.strip():
        return ['%s (exit %d): %s' % (' '.join(cmd), r.returncode, r.stderr.strip())]
    return []


def main():
    mlfs, page, readme = sys.argv[1:4]
    if not shutil.which('groff'):
        print('SKIP: groff is missing (Debian package groff-base)', file=sys.stderr)
        return 77
    failures = warnings_of(['groff', '-man', '-ww', '-z', page])
    if shutil.which('man'):
        env = dict(os.environ, MANWIDTH='80', LC_ALL='C.UTF-8', MAN_KEEP_STDERR='1')
        failures += warnings_of(['man', '--warnings', '-E', 'UTF-8', '-l', page], env)
    else:
        print('man is missing (Debian package man-db): groff alone checked the page')

    helped = help_sections(mlfs)
    documented = man_sections(page)
    for section in ('mlfs', 'FUSE'):
        if not helped.get(section):
            failures.append('mlfs --help has no "%s options" section' % section)
        if not documented.get(section):
            failures.append('%s has no "%s options" section' % (page, section))
    help_mlfs, help_fuse = helped.get('mlfs', set()), helped.get('FUSE', set())
    man_mlfs, man_fuse = documented.get('mlfs', set()), documented.get('FUSE', set())
    for name in sorted(help_mlfs - man_mlfs):
        failures.append('"%s" is in mlfs --help, not among the man page\'s mlfs options' % name)
    for name in sorted(man_mlfs - help_mlfs):
        failures.append('the man page documents "%s", which mlfs --help does not list' % name)
    for name in sorted(man_fuse - help_fuse):
        failures.append('the man page\'s FUSE option "%s" is not in mlfs --help\'s FUSE options'
                        % name)
    in_readme = readme_options(readme)
    for name in sorted((man_mlfs | man_fuse) - in_readme):
        failures.append('the man page documents "%s", the README\'s Options do not' % name)
    for name in sorted(in_readme - (man_mlfs | man_fuse)):
        failures.append('the README\'s Options name "%s", the man page does not' % name)

    for f in failures:
        print('FAIL:', f, file=sys.stderr)
    if failures:
        return 1
    print('%d mlfs options and %d FUSE options, documented alike in --help, mlfs(8) and the README'
          % (len(man_mlfs), len(man_fuse)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
