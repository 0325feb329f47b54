#!/usr/bin/env python3
"""Recomputes the SHA-256 hashes the HTML report's Content-Security-Policy names (CSS_SHA256,
SCRIPT_SHA256 in src/report/report_html.c) from its css[] and script[] constants, and writes
them in. Run after editing either; tests/unit/test_report.c checks they agree."""
import base64, hashlib, re, sys

path = sys.argv[1] if len(sys.argv) > 1 else "src/report/report_html.c"
src = open(path, encoding="utf-8").read()

def constant(name):
    start = src.index("static const char %s[] =" % name)
    end = src.index(";\n", start)
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', src[start:end].split("=", 1)[1])
    return "".join(parts).encode("latin-1").decode("unicode_escape").encode("latin-1")

def b64(data):
    return base64.b64encode(hashlib.sha256(data).digest()).decode()

for macro, name in (("CSS_SHA256", "css"), ("SCRIPT_SHA256", "script")):
    src = re.sub(r'#define %s "[^"]*"' % macro, '#define %s "%s"' % (macro, b64(constant(name))), src)
open(path, "w", encoding="utf-8").write(src)
