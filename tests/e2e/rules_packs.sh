# rules_packs.sh: the bundled rule packs (rules/packs) lint clean with --strict, every rule's own
# tests pass, every rule has an id, a title, a level and (detections) a test that expects it
# or a correlation that uses it, and every root cause says what to do.
. "$(dirname "$0")/lib.bash"
SRC=${EVTRIAGE_SOURCE:?source tree}
"$EVTRIAGE" rules lint --strict "$SRC/rules/packs" >"$TMP/lint" 2>&1 && pass || { fail "lint --strict"; cat "$TMP/lint"; }
"$EVTRIAGE" rules test "$SRC/rules/packs" >"$TMP/test" 2>&1 && pass || { fail "rules test"; grep FAIL "$TMP/test"; }
"$EVTRIAGE" rules test -v "$SRC/rules/packs" >"$TMP/testv" 2>&1
n=$(grep -Ec '^PASS' "$TMP/testv"); [ "$n" -ge 80 ] && pass || fail "only $n rule tests ran"
/usr/bin/python3 - "$SRC/rules/packs" <<'PY' && pass || fail "pack conventions"
import glob, sys, yaml
docs = []
for p in sorted(glob.glob(sys.argv[1] + "/*.yaml")):
    for d in yaml.safe_load_all(open(p)):
        docs.append((p, d))
ids, names, problems = set(), set(), []
used = set()
for p, d in docs:
    for t in d.get("tests") or []:
        used.update(t.get("expect") or [])
        if "expect" not in t:
            used.add(d.get("name"))
    for ref in (d.get("correlation") or {}).get("rules", []):
        used.add(ref)
    for ref in (d.get("rca") or {}).get("resolved_by", []):
        used.add(ref)
for p, d in docs:
    where = "%s: %s" % (p, d.get("name"))
    for k in ("id", "name", "title", "level"):
        if not d.get(k):
            problems.append("%s lacks %s" % (where, k))
    if d.get("id") in ids or d.get("name") in names:
        problems.append("%s: duplicate id or name" % where)
    ids.add(d.get("id")); names.add(d.get("name"))
    rca = d.get("rca") or {}
    if rca.get("cause") and not rca.get("remediation"):
        problems.append("%s: a root cause without remediation" % where)
    if "detection" in d and d.get("name") not in used and d.get("id") not in used and not d.get("fact"):
        problems.append("%s: a detection with no test and no correlation using it" % where)
for x in problems:
    print(x)
sys.exit(1 if problems else 0)
PY
finish
