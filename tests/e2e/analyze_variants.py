#!/usr/bin/python3
"""analyze_variants.py: the variants suite. Each folder of tests/e2e/variants holds an upload as a
support desk gets it (a scenario.yaml that `evtriage synth` writes as EVTX files: other names,
other codes, one host's logs only, non-clustered set-ups) and expect.yaml, what the report must
say. For each: synth, analyze with every report format, then check
  - first_root_cause: the rule (name or id) of the first root cause (highest ranked, not explained
    by another), or `none` when no root cause may be reported;
  - confidence: its confidence (optional);
  - contains: texts that must be in that finding (title, message, cause, steps, notes);
  - runnable: commands that must be runnable steps of it (substring of one command line);
  - not_runnable: commands that may appear only as reading-only steps, never runnable;
  - absent_rules: rules that must not be reported at all (as root cause or symptom);
  - not_contains: texts that must appear nowhere in the report (any format): wrong advice;
  - gaps: [{channel, host}] missing-log gaps that must be listed, each with its collect command;
and, for every variant: no {placeholder} left in any format, no runnable command holding a <name>
hole, every runnable Windows PowerShell command free of && || and %VAR%, every script of the
HTML report allowed by its CSP hash (one script, one style).
usage: analyze_variants.py EVTRIAGE VARIANTS_DIR TMP [NAME...]"""
import json
import os
import re
import subprocess
import sys

import yaml

EVTRIAGE, VARIANTS, TMP = sys.argv[1:4]
only = set(sys.argv[4:])
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
    return cond


def finding_text(f):
    parts = [f.get("title") or "", f.get("message") or "", f.get("cause") or ""] + (f.get("notes") or [])
    for st in f.get("remediation") or []:
        parts += [st.get("text") or "", st.get("why") or "", st.get("if") or ""] + (st.get("commands") or [])
    return "\n".join(parts)


def first_root(r):
    for f in r["findings"]:
        if f["root_cause"] and not f["explained_by"]:
            return f
    return None


def rule_is(f, name):
    return f["rule"] == name or f.get("rule_name") == name


PLACEHOLDER = re.compile(r"(?<!\{)\{[A-Za-z_][A-Za-z0-9_.|:@-]*\}(?!\})")
CODE_BLOCKS = re.compile(r"<(style|script)\b[^>]*>.*?</\1>", re.S | re.I)


def report_text(fmt, text):
    """What a reader sees of a report: the HTML report without its own style sheet and script
    (CSS rules and JavaScript hold braces and && that are no report content)."""
    return CODE_BLOCKS.sub("", text) if fmt == "html" else text


def common_checks(name, r, texts):
    for fmt, text in texts.items():
        m = PLACEHOLDER.search(report_text(fmt, text))
        check(not m, "%s: %s report holds an unfilled placeholder %s" % (name, fmt, m.group(0) if m else ""))
    for f in r["findings"]:
        for st in f.get("remediation") or []:
            if not st.get("runnable"):
                continue
            for c in st.get("commands") or []:
                check(not re.search(r"<[A-Za-z_][A-Za-z0-9_ -]*>", c),
                      "%s: %s runnable command with a hole: %s" % (name, f["id"], c))
                if st.get("shell") == "powershell":
                    check("&&" not in c and "||" not in c, "%s: %s PowerShell 5.1 cannot parse: %s" % (name, f["id"], c))
                    check(not re.search(r"%[A-Za-z_]+%", c), "%s: %s cmd variable in PowerShell: %s" % (name, f["id"], c))
    html = texts["html"]
    check(html.count("<script") == 1 and "unsafe-inline" not in html, "%s: HTML report scripts or CSP" % name)


def run_variant(name, d):
    exp = yaml.safe_load(open(os.path.join(d, "expect.yaml")))
    out = os.path.join(TMP, name)
    logs = os.path.join(out, "logs")
    p = subprocess.run([EVTRIAGE, "synth", os.path.join(d, "scenario.yaml"), "-o", logs], capture_output=True, text=True)
    if not check(p.returncode == 0, "%s: synth exited %d: %s" % (name, p.returncode, p.stderr[-400:])):
        return
    files = {k: os.path.join(out, "report." + k) for k in ("json", "md", "html")}
    p = subprocess.run([EVTRIAGE, "analyze", "-q", "--json", files["json"], "--report-md", files["md"], "--report-html",
                        files["html"], logs], capture_output=True, text=True)
    check(p.returncode == 0, "%s: analyze exited %d: %s" % (name, p.returncode, p.stderr[-400:]))
    texts = {k: open(v, encoding="utf-8").read() for k, v in files.items()}
    texts["terminal"] = p.stdout
    p = subprocess.run([EVTRIAGE, "analyze", logs], capture_output=True, text=True)
    texts["terminal"] = p.stdout
    r = json.loads(texts["json"])
    common_checks(name, r, texts)
    want = exp.get("first_root_cause")
    top = first_root(r)
    if want == "none":
        check(top is None, "%s: no root cause expected, got %s" % (name, top and top["rule_name"]))
    elif want:
        if not check(top is not None and rule_is(top, want), "%s: first root cause %s, expected %s" %
                     (name, top and (top.get("rule_name") or top["rule"]), want)):
            top = next((f for f in r["findings"] if rule_is(f, want)), None)
    if top and exp.get("confidence"):
        check(top["confidence"] == exp["confidence"], "%s: confidence %s, expected %s" % (name, top["confidence"], exp["confidence"]))
    text = finding_text(top) if top else ""
    for s in exp.get("contains") or []:
        check(s in text, "%s: first root cause does not say %r" % (name, s))
    steps = (top.get("remediation") or []) if top else []
    for s in exp.get("runnable") or []:
        check(any(st.get("runnable") and any(s in c for c in st.get("commands") or []) for st in steps),
              "%s: no runnable command %r" % (name, s))
    for s in exp.get("not_runnable") or []:
        for f in r["findings"]:
            for st in f.get("remediation") or []:
                check(not (st.get("runnable") and any(s in c for c in st.get("commands") or [])),
                      "%s: %s offers %r to run" % (name, f["id"], s))
    for rule in exp.get("absent_rules") or []:
        check(not any(rule_is(f, rule) for f in r["findings"]), "%s: %s must not be reported" % (name, rule))
    for s in exp.get("not_contains") or []:
        for fmt, t in texts.items():
            check(s not in report_text(fmt, t), "%s: %s report says %r" % (name, fmt, s))
    for g in exp.get("gaps") or []:
        hit = [x for x in r["gaps"] if x.get("channel") == g["channel"] and
               (not g.get("host") or (x.get("host") or "").split(".")[0].lower() == g["host"].split(".")[0].lower())]
        check(hit and hit[0].get("collect"), "%s: no gap with a collect command for %s of %s" % (name, g["channel"], g.get("host")))
    if exp.get("gaps"):
        check(r.get("collect_script"), "%s: no collect script" % name)


n = 0
for name in sorted(os.listdir(VARIANTS)):
    d = os.path.join(VARIANTS, name)
    if not os.path.isfile(os.path.join(d, "expect.yaml")) or (only and name not in only):
        continue
    n += 1
    run_variant(name, d)
for f in failures:
    print("FAIL:", f)
print("%d variant(s), %d failure(s)" % (n, len(failures)))
sys.exit(1 if failures or n == 0 else 0)
