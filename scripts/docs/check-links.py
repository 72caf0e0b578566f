#!/usr/bin/env python3
"""Checks the links between the project's markdown files and the section names other files quote from them.

1. Every relative markdown link or image, [text](path) or [text](path#anchor), in the markdown files given: the path
   must exist, and the anchor must be a heading of the target as GitHub names it (lowercase, spaces to '-', punctuation
   dropped, '-1', '-2' on repeats).
2. Every quoted section name after a mention of a docs file, in any file given (code comments and scripts too):
   `docs/<file>.md, "<name>"` or `docs/<file>.md ("<name>")` (also with a § number between) must start a heading of it
   (its number, "3. ", aside) or an emphasised lead in it (**Name, *Name, or a list item "- Name").
Prints each broken link or reference and a count; exit status 1 if any. Run it from the repository root.

usage: check-links.py FILE...      e.g. check-links.py README.md docs/*.md docs/scaling/*.md $(git grep -l docs/ -- java native scripts benchmarks)
"""
import os
import re
import sys

FENCE = re.compile(r'^\s*```')
LINK = re.compile(r'!?\[[^\]]*\]\(([^)\s]+)\)')
CODE_SPAN = re.compile(r'`[^`]*`')
MENTION = re.compile(r'(docs/[\w./-]+\.md)(?:[\s,]*§\s*\d+)?[\s,]*\(?\s*"([^"{};]{1,160})"')


def slug(heading):
    """GitHub's anchor for a heading's text."""
    text = re.sub(r'[^\w\- ]', '', heading.strip().lower().replace('`', ''))
    return text.replace(' ', '-')


def headings(path, cache={}):
    """(anchors, heading texts) of a markdown file, fenced code skipped."""
    if path not in cache:
        anchors, texts, seen, fenced = set(), [], {}, False
        for line in open(path, encoding='utf-8'):
            if FENCE.match(line):
                fenced = not fenced
            m = None if fenced else re.match(r'^#+ (.*?)\s*$', line)
            if m:
                base = slug(m.group(1))
                n = seen.get(base, 0)
                seen[base] = n + 1
                anchors.add(base if n == 0 else f'{base}-{n}')
                texts.append(m.group(1))
        cache[path] = (anchors, texts)
    return cache[path]


def check_links(path, problems):
    fenced = False
    for number, line in enumerate(open(path, encoding='utf-8'), 1):
        if FENCE.match(line):
            fenced = not fenced
        if fenced:
            continue
        for target in LINK.findall(CODE_SPAN.sub('', line)):
            if re.match(r'^[a-z]+:', target):
                continue
            file_part, _, anchor = target.partition('#')
            dest = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) if file_part else path
            if not os.path.exists(dest):
                problems.append(f'{path}:{number}: link to a missing file: {target}')
            elif anchor and dest.endswith('.md') and anchor not in headings(dest)[0]:
                problems.append(f'{path}:{number}: no heading "#{anchor}" in {dest}')


def check_mentions(path, problems):
    text = open(path, encoding='utf-8', errors='replace').read()
    # a name may run over a line break, behind a comment's leader ('//', '*', '#')
    flat = re.sub(r'\s*\n\s*(?://+|\*|#)?\s*', ' ', text)
    for m in MENTION.finditer(flat):
        doc, name = m.group(1), m.group(2).strip()
        dest = doc
        if not os.path.exists(dest):
            problems.append(f'{path}: mentions a missing file: {doc}')
            continue
        bare = name.replace('`', '')
        names = [re.sub(r'^\d+\. ', '', t.replace('`', '')) for t in headings(dest)[1]]
        lead = re.compile(r'(\*\*?|^\s*- )' + re.escape(name), re.M)
        if not any(t.startswith(bare) for t in names) and not lead.search(open(dest, encoding='utf-8').read()):
            problems.append(f'{path}: {doc} has no section "{name}"')


def main(paths):
    if not paths:
        sys.exit(__doc__)
    problems = []
    for path in paths:
        if path.endswith('.md'):
            check_links(path, problems)
        check_mentions(path, problems)
    for p in problems:
        print(p)
    print(f'{len(paths)} files checked, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
