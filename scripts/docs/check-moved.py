#!/usr/bin/env python3
"""Checks that splitting a markdown file lost nothing: every non-blank line of the old file (read from git) appears in
the new files at least as often as it did (heading levels and link targets aside), and every section of the old file
(a heading to the next) appears whole, in order and unbroken, in one new file (headings inside it and blank lines
aside). Exit status 1 with the missing lines and sections listed, else 0.

usage: check-moved.py REV:OLD.md NEW.md...     e.g. check-moved.py 8135771:docs/SCALING.md docs/SCALING.md docs/scaling/*.md
"""
import collections
import re
import subprocess
import sys

HEADING = re.compile(r'^#+ ')
LINK_TARGET = re.compile(r'\]\([^)]*\)')


def normalise(line):
    """The line as compared: trailing spaces, a heading's level and every link's target dropped."""
    line = LINK_TARGET.sub('](...)', line.rstrip())
    return 'heading: ' + HEADING.sub('', line) if HEADING.match(line) else line


def sections(lines):
    """(heading, old line number, body) per section; the body is the section's non-blank, non-heading lines."""
    out, current = [], ('(before the first heading)', 1, [])
    for number, line in enumerate(lines, 1):
        if HEADING.match(line):
            out.append(current)
            current = (line, number, [])
        elif line.strip():
            current[2].append(normalise(line))
    out.append(current)
    return [s for s in out if s[2]]


def contains_run(haystack, needle):
    """Whether needle occurs in haystack as a contiguous run."""
    first = needle[0]
    return any(haystack[i:i + len(needle)] == needle for i, x in enumerate(haystack) if x == first)


def main(argv):
    if len(argv) < 3 or ':' not in argv[1]:
        sys.exit(__doc__)
    old = subprocess.run(['git', 'show', argv[1]], check=True, capture_output=True, text=True).stdout.split('\n')
    new = {path: open(path, encoding='utf-8').read().split('\n') for path in argv[2:]}
    have = collections.Counter(normalise(l) for lines in new.values() for l in lines if l.strip())
    need = collections.Counter(normalise(l) for l in old if l.strip())
    missing = [(n, l) for n, l in enumerate(old, 1) if l.strip() and need[normalise(l)] > have[normalise(l)]]
    bodies = {path: [normalise(l) for l in lines if l.strip() and not HEADING.match(l)] for path, lines in new.items()}
    broken = []
    for heading, number, body in sections(old):
        homes = [path for path, b in bodies.items() if contains_run(b, body)]
        if not homes:
            broken.append((number, heading))
    print(f'{argv[1]}: {sum(1 for l in old if l.strip())} non-blank lines, {len(sections(old))} sections; '
          f'new: {len(new)} files, {sum(len(v) for v in new.values())} lines')
    for n, l in missing:
        print(f'  line {n} missing (or fewer copies than before): {l[:100]}')
    for n, h in broken:
        print(f'  section at line {n} not found whole in any one file: {h[:100]}')
    print('every line and every section is there' if not missing and not broken
          else f'{len(missing)} lines missing, {len(broken)} sections broken')
    return 1 if missing or broken else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
