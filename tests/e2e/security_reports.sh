# security_reports.sh: hostile uploads (../shared/security/2026-12, its README's defects 1 and 2)
# inject nothing into what a support engineer pastes or opens: a VM name built to close a code
# span and start a command stays one literal of every command it is in (terminal, Markdown, HTML,
# JSON); a host name or member name written as Markdown links, images and raw HTML renders as
# text in GitHub's Markdown renderer (cmark-gfm) and in Chromium.
. "$(dirname "$0")/lib.bash"
SEC="$EVTRIAGE_SHARED/security/2026-12"
[ -d "$SEC" ] || { fail "no security inputs at $SEC"; finish; exit 1; }
command -v cmark-gfm >/dev/null || { fail "cmark-gfm not installed (scripts/install-deps.sh)"; finish; exit 1; }

# Defect 1: ``x` and `Remove-Item -Recurse -Force C:\Users` and `y`` as a VM name.
"$EVTRIAGE" synth "$SEC/inject/scen2.yaml" -o "$TMP/s2" >/dev/null 2>&1 && pass || fail "synth scen2"
"$EVTRIAGE" analyze -q --json "$TMP/s2.json" --report-md "$TMP/s2.md" --report-html "$TMP/s2.html" "$TMP/s2" \
  >"$TMP/s2.txt" 2>"$TMP/s2.err"
[ $? -le 1 ] && pass || fail "analyze scen2: $(tail -3 "$TMP/s2.err")"
grep -q 'Remove-Item' "$TMP/s2.json" && pass || fail "the hostile name is not in the report at all (nothing tested)"
# A command is a PS> line in the terminal, a line of a fenced block in Markdown, the text of a
# copy block in HTML, a runnable step's command in JSON: none may run Remove-Item.
python3 - "$TMP" <<'PYEOF' && pass || fail "a hostile value escaped its literal in a command"
import json, re, sys, html
t = sys.argv[1]
def ps_words(line):
    """Words PowerShell reads outside quotes (quoted literals are dropped)."""
    out, i, n = [], 0, len(line)
    while i < n:
        c = line[i]
        if c in " \t": i += 1; continue
        if c in "'\u2018\u2019\u201a\u201b":
            i += 1
            while i < n:
                if line[i] in "'\u2018\u2019\u201a\u201b":
                    if i + 1 < n and line[i + 1] in "'\u2018\u2019\u201a\u201b": i += 2; continue
                    i += 1; break
                i += 1
            continue
        if c == '"':
            i += 1
            while i < n and line[i] != '"': i += 2 if line[i] == "`" else 1
            i += 1; continue
        if c in ";|&(){},": out.append(c); i += 1; continue
        j = i
        while j < n and line[j] not in " \t;|&(){},'\"\u2018\u2019\u201a\u201b": j += 2 if line[j] == "`" else 1
        out.append(line[i:j]); i = j
    return out
bad = []
def check(where, line):
    if "Remove-Item" in ps_words(line): bad.append("%s: %s" % (where, line))
for l in open(t + "/s2.txt", encoding="utf-8"):
    m = re.search(r"PS> (.*)", l)
    if m: check("terminal", m.group(1))
md = open(t + "/s2.md", encoding="utf-8").read()
for block in re.findall(r"```+powershell\n(.*?)\n\s*```", md, re.S):
    for l in block.splitlines(): check("markdown", l.strip())
h = open(t + "/s2.html", encoding="utf-8").read()
for block in re.findall(r'<div class="cmd"><pre><code[^>]*>(.*?)</code>', h, re.S):
    for l in html.unescape(block).splitlines(): check("html", l)
r = json.load(open(t + "/s2.json"))
for f in r["findings"]:
    for st in f["remediation"]:
        if st["runnable"]:
            for c in st["commands"]: check("json", c)
for b in bad: print("BAD", b)
sys.exit(1 if bad else 0)
PYEOF

# Defect 2a: Markdown links and images in a destination computer's name (prose of a finding).
"$EVTRIAGE" synth "$SEC/inject/scen3.yaml" -o "$TMP/s3" >/dev/null 2>&1 && pass || fail "synth scen3"
"$EVTRIAGE" analyze -q --report-md "$TMP/s3.md" --report-html "$TMP/s3.html" "$TMP/s3" >/dev/null 2>&1
grep -q '2130706433' "$TMP/s3.md" && pass || fail "the hostile name is not in the Markdown (nothing tested)"
# Defect 2b: a member name with raw HTML, a link and an image.
"$EVTRIAGE" analyze -q --report-md "$TMP/z.md" --report-html "$TMP/z.html" "$SEC/zip/names2.zip" >/dev/null 2>&1
grep -q 'onerror' "$TMP/z.md" && pass || fail "the hostile member name is not in the Markdown (nothing tested)"
# Elements and attributes the input could have made: any image, an on* handler, a link to what the
# input named (the reports' own links are the rules' references).
cat >"$TMP/markup.py" <<'PYEOF'
import html.parser, sys
class P(html.parser.HTMLParser):
    def __init__(s): super().__init__(); s.bad = []
    def handle_starttag(s, tag, attrs):
        for k, v in attrs:
            if k.startswith("on"): s.bad.append("%s %s=" % (tag, k))
            if k in ("href", "src") and v and any(x in v for x in ("javascript", "2130706433", "evil.example", "x")) \
               and not v.startswith(("https://learn.microsoft.com", "https://github.com", "#")):
                s.bad.append("%s %s=%s" % (tag, k, v))
        if tag in ("img", "iframe", "object", "embed"): s.bad.append(tag)
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
for b in p.bad: print("BAD", b)
sys.exit(1 if p.bad else 0)
PYEOF
for md in "$TMP/s3.md" "$TMP/z.md"; do
  for ext in "" "-e autolink -e table -e strikethrough -e tagfilter"; do
    # shellcheck disable=SC2086
    cmark-gfm $ext "$md" >"$md.html"
    python3 "$TMP/markup.py" "$md.html" >"$md.bad" && pass || fail "$(basename "$md") renders markup from input ($ext): $(head -2 "$md.bad")"
  done
done
# The HTML reports: no element from the input, and Chromium runs the page's one script under its
# CSP (a CSP that did not match its hash would log a refusal).
CHROMIUM=$(command -v chromium || true)
for h in "$TMP/s2.html" "$TMP/s3.html" "$TMP/z.html"; do
  python3 "$TMP/markup.py" "$h" >"$h.bad" && pass || fail "$(basename "$h") holds markup from input: $(head -2 "$h.bad")"
  if [ -n "$CHROMIUM" ]; then
    timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$TMP/profile" \
      --enable-logging=stderr --v=0 --virtual-time-budget=2000 --dump-dom "file://$h" >"$h.dom" 2>"$h.log"
    [ "$(grep -o '<script' "$h.dom" | wc -l)" -eq 1 ] && pass || fail "$(basename "$h"): script elements in the DOM"
    grep -qi "Content Security Policy" "$h.log" && fail "$(basename "$h"): CSP refused something: $(grep -i 'Content Security' "$h.log" | head -2)" || pass
  fi
done
finish
