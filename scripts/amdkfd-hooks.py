#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Place the xsched hooks (kmod/amdkfd/hooks.def) in an amd/ directory.

Every hook names its file, its scope (a function, struct, macro, the
header's include guard or the whole file) and an anchor inside it: a
regex that must match exactly one line of the scope.  Variants of a hook
are chosen by the features the tree has (when/unless), never by version.
All anchors are checked before anything is written: one that is missing
(or ambiguous) refuses the whole tree, names what is missing, and the
tree is left untouched (exit 4).  The provider's two files,
amdkfd/kfd_xsched.c and amdkfd/kfd_xsched.h, are copied in as well.

Usage: amdkfd-hooks.py [--check] [--features] [--defs FILE] AMD_DIR
  --check     verify every anchor; change nothing
  --features  print the variants chosen, one "hook: variant" a line
Exit status: 0 done, 2 usage or bad definitions, 4 an anchor is missing.
"""

import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Refused(Exception):
    pass


class Hook:
    def __init__(self, title, lineno):
        self.title = title
        self.name = title.split(" (")[0]
        self.lineno = lineno
        self.file = None
        self.scope = None
        self.conds = []
        self.op = None
        self.regex = None
        self.text = []
        self.optional = False

    def where(self):
        scope = " ".join(self.scope)
        return f"hook {self.title}: {self.file}: {scope}"


def parse(path):
    hooks, cur = [], None
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for n, line in enumerate(lines, 1):
        if cur is None:
            if line.startswith("@hook "):
                cur = Hook(line[6:].strip(), n)
            elif line and not line.startswith("#"):
                raise SystemExit(f"{path}:{n}: expected @hook")
            continue
        if line == "@end":
            if not (cur.file and cur.scope and cur.op):
                raise SystemExit(f"{path}:{cur.lineno}: hook {cur.title} incomplete")
            hooks.append(cur)
            cur = None
        elif cur.op is not None:
            cur.text.append(line)
        elif line.startswith("#"):
            continue
        else:
            word, _, rest = line.partition(" ")
            if word == "file":
                cur.file = rest
            elif word == "scope":
                cur.scope = rest.split()
                if cur.scope[0] not in ("function", "struct", "macro", "header", "file"):
                    raise SystemExit(f"{path}:{n}: unknown scope {rest}")
            elif word in ("when", "unless"):
                fpath, _, rx = rest.partition(" ")
                cur.conds.append((word, fpath, re.compile(rx, re.M)))
            elif word in ("after", "before", "sub", "require"):
                cur.op, cur.regex = word, re.compile(rest)
            elif word == "end":
                cur.op = "end"
            elif word == "optional":
                cur.optional = True
            else:
                raise SystemExit(f"{path}:{n}: unknown keyword {word}")
    if cur is not None:
        raise SystemExit(f"{path}: hook {cur.title} has no @end")
    return hooks


def scope_range(hook, lines):
    """(first, last) line indexes of the scope, inclusive; last is the
    closing line (brace, '};', '#endif') for the scopes that have one."""
    kind = hook.scope[0]
    if kind == "file":
        # Its end is after the last line (lines[-1] is "" after a final newline).
        return 0, len(lines) - 1 if lines[-1] == "" else len(lines)
    if kind == "header":
        last = len(lines) - 1
        while last >= 0 and not lines[last].strip():
            last -= 1
        if last < 0 or not lines[last].startswith("#endif"):
            raise Refused(f"{hook.where()}: the include guard's closing #endif")
        return 0, last
    name = re.escape(hook.scope[1])
    if kind == "struct":
        starts = [i for i, l in enumerate(lines) if re.match(rf"^struct {name} \{{", l)]
        close = re.compile(r"^\};")
    elif kind == "macro":
        starts = [i for i, l in enumerate(lines) if re.match(rf"^#define {name}\(", l)]
    else:
        # A definition: starts in column 0, names the function, and its
        # body's brace opens in column 0 before any ';' ends it.
        starts = []
        for i, l in enumerate(lines):
            if not re.match(rf"^[A-Za-z_].*\b{name}\(", l) or l.startswith(("#", "EXPORT")):
                continue
            j = i
            while j < len(lines) and lines[j] != "{" and not lines[j].rstrip().endswith(";"):
                j += 1
            if j < len(lines) and lines[j] == "{":
                starts.append(i)
        close = re.compile(r"^\}")
    if len(starts) != 1:
        raise Refused(f"{hook.where()}: the {kind} itself "
                      f"({len(starts)} definitions found, expected 1)")
    first = starts[0]
    if kind == "macro":
        last = first
        while last < len(lines) and lines[last].rstrip().endswith("\\"):
            last += 1
        return first, last
    for last in range(first + 1, len(lines)):
        if close.match(lines[last]):
            return first, last
    raise Refused(f"{hook.where()}: the end of the {kind}")


def plan(hooks, amd):
    """The edits for AMD, or Refused naming every missing anchor."""
    files, missing, edits, chosen = {}, [], [], {}

    def text(rel):
        if rel not in files:
            try:
                with open(os.path.join(amd, rel), encoding="utf-8") as f:
                    files[rel] = f.read()
            except OSError:
                files[rel] = None
        return files[rel]

    names = []
    for h in hooks:
        if h.name not in names and not h.optional:
            names.append(h.name)
        ok = True
        for kind, rel, rx in h.conds:
            t = text(rel)
            if t is None:
                missing.append(f"hook {h.title}: {rel}: the file itself")
                ok = False
                break
            if bool(rx.search(t)) != (kind == "when"):
                ok = False
        if not ok:
            continue
        if h.name in chosen:
            raise SystemExit(f"hooks: {h.title} and {chosen[h.name].title} both fit")
        chosen[h.name] = h
        t = text(h.file)
        if t is None:
            missing.append(f"hook {h.title}: {h.file}: the file itself")
            continue
        lines = t.split("\n")
        try:
            first, last = scope_range(h, lines)
        except Refused as e:
            missing.append(str(e))
            continue
        if h.op == "end":
            edits.append((h.file, last, "insert", h))
            continue
        hits = [i for i in range(first, min(last + 1, len(lines))) if h.regex.search(lines[i])]
        if (h.op == "require" and not hits) or (h.op != "require" and len(hits) != 1):
            missing.append(f"{h.where()}: {h.op} /{h.regex.pattern}/ "
                           f"({len(hits)} lines match, expected "
                           f"{'at least 1' if h.op == 'require' else 'exactly 1'})")
            continue
        if h.op == "after":
            edits.append((h.file, hits[0] + 1, "insert", h))
        elif h.op == "before":
            edits.append((h.file, hits[0], "insert", h))
        elif h.op == "sub":
            edits.append((h.file, hits[0], "sub", h))
    for n in names:
        if n not in chosen:
            missing.append(f"hook {n}: no variant fits this tree's features")
    if missing:
        raise Refused("\n".join(missing))
    return files, edits, chosen


def apply(files, edits, amd):
    by_file = {}
    for rel, idx, kind, h in edits:
        by_file.setdefault(rel, []).append((idx, kind, h))
    for rel, es in by_file.items():
        lines = files[rel].split("\n")
        # Bottom up, so that earlier indexes stay valid; at one index the
        # later hook first, so that the hooks keep hooks.def's order.
        order = sorted(range(len(es)), key=lambda i: (es[i][0], i), reverse=True)
        for idx, kind, h in (es[i] for i in order):
            if kind == "sub":
                lines[idx] = h.regex.sub(lambda m: "\n".join(h.text), lines[idx], count=1)
            else:
                lines[idx:idx] = h.text
        with open(os.path.join(amd, rel), "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
    for src, dest in (("kmod/amdkfd/kfd_xsched.c", "amdkfd/kfd_xsched.c"),
                      ("kmod/include/kfd_xsched.h", "amdkfd/kfd_xsched.h")):
        with open(os.path.join(TOP, src), encoding="utf-8") as f:
            body = f.read()
        with open(os.path.join(amd, dest), "w", encoding="utf-8") as f:
            f.write(body)


def main(argv):
    check = features = False
    defs = os.path.join(TOP, "kmod/amdkfd/hooks.def")
    args = []
    it = iter(argv)
    for a in it:
        if a == "--check":
            check = True
        elif a == "--features":
            features = True
        elif a == "--defs":
            defs = next(it, None)
            if defs is None:
                return usage()
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        elif a.startswith("-"):
            return usage()
        else:
            args.append(a)
    if len(args) != 1:
        return usage()
    amd = args[0]
    hooks = parse(defs)
    try:
        files, edits, chosen = plan(hooks, amd)
    except Refused as e:
        for line in str(e).split("\n"):
            print(f"amdkfd-hooks: missing anchor: {line}", file=sys.stderr)
        return 4
    if os.path.exists(os.path.join(amd, "amdkfd/kfd_xsched.c")):
        print("amdkfd-hooks: amdkfd/kfd_xsched.c exists: already patched", file=sys.stderr)
        return 4
    if features:
        for h in chosen.values():
            print(f"{h.name}: {h.title[len(h.name):].strip(' ()') or 'one variant'}")
    if not check:
        apply(files, edits, amd)
    return 0


def usage():
    print("usage: amdkfd-hooks.py [--check] [--features] [--defs FILE] AMD_DIR",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
