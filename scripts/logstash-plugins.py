#!/usr/bin/env python3
"""Print the plugins a Logstash pipeline config uses, one "SECTION NAME" a line.

usage: logstash-plugins.py PATH_OR_GLOB   (a file, a directory of fragments or a glob;
fragments are read in lexical order, as logstash/logpipe concatenate them)
Used by validate-configs to decide which pipelines it is safe to start."""
import glob, os, re, sys

def files(arg):
    if os.path.isdir(arg):
        return sorted(p for p in glob.glob(os.path.join(arg, '*')) if os.path.isfile(p))
    if any(c in arg for c in '*?['):
        return sorted(p for p in glob.glob(arg) if os.path.isfile(p))
    return [arg]

TOKEN = re.compile(r'''\s+|\#[^\n]*|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|/(?:\\.|[^/\\\n])*/|=>|[{}\[\](),]|[^\s{}\[\](),"'#=]+|.''')

def plugins(text):
    out, stack, prev, stmt = [], [], None, []
    for m in TOKEN.finditer(text):
        t = m.group(0)
        if t.isspace() or t.startswith('#'):
            continue
        if t == '{':
            if not stack:
                stack.append(('section', prev))
            elif stack[-1][0] in ('section', 'cond') and prev != '=>':
                if stmt and stmt[0] in ('if', 'else'):
                    stack.append(('cond', stack[-1][1]))
                else:
                    out.append((stack[-1][1], prev))
                    stack.append(('plugin', stack[-1][1]))
            else:
                stack.append(('hash', None))
            stmt = []
        elif t == '}':
            if stack:
                stack.pop()
            stmt = []
        else:
            stmt.append(t)
        prev = t
    return out

seen = set()
for f in files(sys.argv[1]):
    try:
        text = open(f, encoding='utf-8', errors='replace').read()
    except OSError:
        continue
    for sec, name in plugins(text):
        if (sec, name) not in seen:
            seen.add((sec, name))
            print(sec, name)
