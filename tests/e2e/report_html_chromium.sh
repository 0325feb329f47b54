# report_html_chromium.sh: the HTML report renders in headless Chromium with no network: the DOM
# holds the findings and one timeline lane per host; a screenshot is kept for review.
. "$(dirname "$0")/lib.bash"
: "${EVTRIAGE_BUILD:?build folder}"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  fail "chromium not installed (apt-get install -y chromium)"
  finish; exit 1
fi
# The unit test builds the sample report by hand and writes its HTML (and JSON) here.
fixture="$TMP/report.html"
EVTRIAGE_REPORT_FIXTURE="$fixture" "$EVTRIAGE_BUILD/test_report" >"$TMP/unit.log" 2>&1 \
  && pass || fail "test_report: $(tail -5 "$TMP/unit.log")"
[ -s "$fixture" ] && pass || { fail "no HTML fixture written"; finish; exit 1; }
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["schema"]=="evtriage-report/1"' \
  "$fixture.json" && pass || fail "JSON report does not parse"
# Self-contained: nothing that would load from elsewhere.
grep -Eq '<link|<img|<iframe|src=|@import|url\(' "$fixture" && fail "external reference in HTML" || pass
chrome() {
  timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --user-data-dir="$TMP/profile" --window-size=1280,2400 --hide-scrollbars "$@" 2>>"$TMP/chromium.err"
}
chrome --virtual-time-budget=2000 --dump-dom "file://$fixture" >"$TMP/dom.html"
[ -s "$TMP/dom.html" ] && pass || fail "no DOM dumped: $(tail -3 "$TMP/chromium.err")"
grep -q '<section id="findings">' "$TMP/dom.html" && pass || fail "findings section missing"
grep -q '<section id="inputs">' "$TMP/dom.html" && pass || fail "inputs section missing"
for rule in rc-hvr-spn-missing hvr-enable-failed vmms-low-disk; do
  grep -q "<article class=\"finding\"[^>]*data-rule=\"$rule\"" "$TMP/dom.html" && pass || fail "finding $rule missing"
done
n=$(grep -o '<article class="finding"' "$TMP/dom.html" | wc -l)
[ "$n" -eq 3 ] && pass || fail "expected 3 findings, got $n"
# The symptom is inside its root cause's article, not beside it.
python3 - "$TMP/dom.html" <<'EOF' && pass || fail "symptom not nested under its root cause"
import sys, html.parser
class P(html.parser.HTMLParser):
    def __init__(s): super().__init__(); s.stack = []; s.ok = False
    def handle_starttag(s, tag, a):
        a = dict(a)
        if tag == "article": s.stack.append(a.get("data-rule"))
        if tag == "article" and a.get("data-rule") == "hvr-enable-failed" and "rc-hvr-spn-missing" in s.stack[:-1]: s.ok = True
    def handle_endtag(s, tag):
        if tag == "article": s.stack.pop()
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read()); sys.exit(0 if p.ok else 1)
EOF
grep -q '<svg id="timeline"' "$TMP/dom.html" && pass || fail "timeline svg missing"
for host in HV01.contoso.local HV02; do
  grep -q "<g class=\"lane\" data-host=\"$host\">" "$TMP/dom.html" && pass || fail "lane for $host missing"
done
# Escaped log text stays text: no injected script element, the markup shows as characters.
[ "$(grep -o '<script' "$TMP/dom.html" | wc -l)" -eq 1 ] && pass || fail "unexpected script element"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$TMP/dom.html" && pass || fail "escaped title not in DOM"
grep -q '<button class="copy" type="button">copy</button>' "$TMP/dom.html" && pass || fail "copy button missing"
shot="$EVTRIAGE_BUILD/report-screenshot.png"
rm -f "$shot"
chrome --virtual-time-budget=2000 --screenshot="$shot" "file://$fixture" >/dev/null
[ -s "$shot" ] && [ "$(head -c 4 "$shot" | od -An -c | tr -d ' ')" = '211PNG' ] && pass \
  || fail "no screenshot: $(tail -3 "$TMP/chromium.err")"
finish
