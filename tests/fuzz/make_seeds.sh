#!/usr/bin/env bash
# make_seeds.sh: builds the fuzz targets' seed corpora in OUTDIR (a build directory, never the
# source tree): OUTDIR/fuzz_reader (EVTX files or their first chunk), OUTDIR/fuzz_rules (rule
# YAML), OUTDIR/fuzz_scenario (synth scenarios), OUTDIR/fuzz_report and OUTDIR/fuzz_csv (hostile
# values) and OUTDIR/fuzz_archive (zip, tar, tar.gz, tar.xz, tar.bz2, 7z, cab, nested zip, a gzipped
# EVTX, made on the fly).
# usage: make_seeds.sh OUTDIR [CORPUS]   (CORPUS: default $EVTRIAGE_SHARED/corpus or ../shared/corpus)
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 OUTDIR [CORPUS]" >&2; exit 2; }
out=$1
corpus=${2:-${EVTRIAGE_SHARED:-$src/../shared}/corpus}
[ -d "$corpus" ] || { echo "$0: corpus not found at $corpus" >&2; exit 1; }
security=$corpus/../security/2026-12   # hostile inputs of the security review (seeds when present)
mkdir -p "$out"
out=$(cd "$out" && pwd)
case "$out/" in "$src/tests/"* | "$src/src/"* | "$src/rules/"*) echo "$0: $out is in the source tree" >&2; exit 2 ;; esac
MAX=131072               # largest whole file taken as a seed
HEAD=$((4096 + 65536))    # file header + first chunk
HEAD2=$((4096 + 131072))  # file header + two chunks: the chunk-range split has something to split

# Copies stdin into dir under the SHA-1 of its bytes (libFuzzer's naming; duplicates collapse).
put() {
  local dir=$1 tmp
  tmp=$(mktemp "$dir/.new.XXXXXX")
  cat >"$tmp"
  mv "$tmp" "$dir/$(sha1sum "$tmp" | cut -c1-40)"
}

# EVTX: small files whole, bigger ones as header + first chunk (damaged/: two chunks); 20 of the
# sigma-regression logs.
reader_seeds() {
  local dir=$out/fuzz_reader f
  rm -rf "$dir" && mkdir -p "$dir"
  {
    find "$corpus" -name '*.evtx' -not -path '*/sigma-regression/*' -print0 | sort -z
    # head exits after 20 names; sort may then die of SIGPIPE, which pipefail would turn into a
    # silent failure of the whole script under load (seen in CI).
    find "$corpus/sigma-regression" -name '*.evtx' -print0 2>/dev/null | sort -z | head -z -n 20 || true
  } | while IFS= read -r -d '' f; do
    if [ "$(stat -c %s "$f")" -le "$MAX" ]; then put "$dir" <"$f"
    elif [[ $f == */damaged/* ]]; then head -c "$HEAD2" "$f" | put "$dir"
    else head -c "$HEAD" "$f" | put "$dir"; fi
  done
}

# Rule YAML: the project's rules/ (packs, mapping, data tables), every sigma-regression rule and
# the hostile rule files of the security review (long conditions, duplicate keys, bad bytes),
# so the fuzzer starts from the shapes that once crashed or misled the loader.
rules_seeds() {
  local dir=$out/fuzz_rules f
  rm -rf "$dir" && mkdir -p "$dir"
  {
    find "$src/rules" \( -name '*.yml' -o -name '*.yaml' \) -size -128k -print0 | sort -z
    find "$corpus/sigma-regression" -name rule.yml -print0 2>/dev/null | sort -z
    find "$security/yaml" -name '*.yml' -print0 2>/dev/null | sort -z
  } | while IFS= read -r -d '' f; do put "$dir" <"$f"; done
  synthetic_rules | put "$dir"
  alias_rules | put "$dir"
}

# Anchors and aliases in every place a rule reads: small, so that the fuzzer can grow them.
alias_rules() {
  cat <<'YAML'
title: Aliases
name: aliases
logsource: &ls {product: windows, service: system}
detection:
    sel: &sel {EventID: &id 7036, param1|contains: &word 'Windows'}
    again: *sel
    kw: [*word, *word, *word]
    nested: &n {a: [1, 2, {b: [3, 4]}], c: {d: {e: [[5]]}}}
    condition: sel and again or 1 of kw* or not (sel and (again or kw))
---
title: Aliases two
logsource: *ls
detection:
    sel: {EventID: [1, 2, 3]}
    condition: sel
YAML
}

# Rules that fire on fuzz_rules.c's synthetic events: every correlation type, extract, rca, tests.
synthetic_rules() {
  cat <<'YAML'
title: Failed logon
id: 6f1c2a3e-0000-4000-8000-000000000001
name: failed_logon
logsource: {product: windows, service: security}
extract:
    user: TargetUserName
    sub: {field: SubStatus, code: true}
detection:
    sel: {EventID: 4625, TargetUserName|contains: ali, IpAddress|cidr: 10.0.0.0/8}
    condition: sel
rca:
    title: "{user} failed on {Computer} ({sub})"
---
title: Logon
name: logon
logsource: {product: windows, service: security}
detection:
    sel: {EventID: 4624, LogonType|gte: 2}
    condition: sel
---
title: Many failed logons
name: many_failed
correlation: {type: event_count, rules: [failed_logon], group-by: [TargetUserName], timespan: 1m, condition: {gte: 3}}
rca:
    message: "{count} for {TargetUserName} from {first_time} to {last_time}"
    explains: [failed_logon]
---
title: Hosts of failures
correlation: {type: value_count, rules: [failed_logon], timespan: 1h, condition: {field: Computer, gte: 1}}
---
title: Failures then success
correlation: {type: temporal_ordered, rules: [many_failed, logon], group-by: [TargetUserName], timespan: 5m}
---
title: Failure and success
correlation: {type: temporal, rules: [failed_logon, logon], timespan: 5m, generate: true}
---
title: Whoami
name: whoami
logsource: {category: process_creation, product: windows}
detection:
    sel:
        Image|endswith: '\whoami.exe'
        CommandLine|windash|contains: ' /all'
    filter: {ParentImage|re|i: '^c:\\windows\\system32\\'}
    condition: sel and not 1 of filter*
---
title: KMS request
name: kms_request
logsource: {product: windows, service: security-spp}
extract:
    hr: {field: 'Data[0]', split: ', ', index: 0, code: true}
    kms: {field: 'Data[0]', split: ', ', index: 2}
    kms_host: {from: kms, re: '^([^:]+)'}
detection:
    sel: {EventID: 12288}
    condition: sel
---
title: KMS no answer
correlation: {type: absent, rules: [kms_request, whoami], group-by: [Computer], timespan: 10m, skew: 30s}
rca:
    title: "{Computer}: no answer from {kms_host}"
    confidence: medium
    remediation: ["Test-NetConnection {kms_host} -Port 1688"]
tests:
    - name: fires
      events:
          - {EventID: 12288, Channel: Application, Provider_Name: Microsoft-Windows-Security-SPP, Computer: vm1,
             TimeCreated: '2024-05-01T10:00:00Z', 'Data[0]': '0x0, 0x0, kms:1688, cmid'}
          - {EventID: 1, Channel: System, Computer: vm1, TimeCreated: '2024-05-01T11:00:00Z'}
---
title: Activation failure
logsource: {product: windows, service: security-spp}
extract:
    trigger: {field: 'Data[1]', kv: Trigger, sep: ';', kvsep: '='}
    code: {field: '*', code: true}
detection:
    sel: {EventID: 8198, 'Data[2]|base64offset|contains': 'abc'}
    kw: ['Trigger', 'TimerEvent']
    condition: sel or kw
YAML
}

# Archives of two small EVTX files (their first chunk), a text file, a nested zip, a symlink,
# and zips of one member bigger than the fuzzer leaves room for in memory.
archive_seeds() {
  local dir=$out/fuzz_archive work
  rm -rf "$dir" && mkdir -p "$dir"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  mkdir -p "$work/up/HOST1" "$work/up/HOST2"
  head -c "$HEAD" "$corpus/parsers/velocidex/Security_1_record.evtx" >"$work/up/HOST1/Security.evtx"
  head -c "$HEAD" "$corpus/parsers/velocidex/Microsoft-Windows-CAPI2_Operational_EventID70.evtx" >"$work/up/HOST2/capi2.log"
  echo "not a log" >"$work/up/HOST2/readme.txt"
  ln -s ../HOST1/Security.evtx "$work/up/HOST2/link.evtx"
  (
    cd "$work/up"
    zip -qry ../plain.zip HOST1 HOST2
    zip -qr inner.zip HOST2 && zip -qr ../nested.zip HOST1 inner.zip && rm inner.zip
    zip -qr -P secret ../encrypted.zip HOST1
    # a member past the fuzzer's 256 KiB of memory budget, deflated to a few KiB
    { cat HOST1/Security.evtx; head -c 400000 /dev/zero; } >big.evtx && zip -q ../big.zip big.evtx && rm big.evtx
    # more entries than the fuzzer's --max-members (32): its directory is read only so far
    mkdir many && for i in $(seq 40); do echo "$i" >many/$i.txt; done && zip -qr ../many.zip many && rm -r many
    # one past its 1 MiB budget, read while it inflates (deflated to a few KiB)
    { cat HOST1/Security.evtx; head -c 1100000 /dev/zero; } >fed.evtx && zip -q ../fed.zip fed.evtx && rm fed.evtx
    tar cf ../links.tar HOST2
    tar czf ../up.tar.gz HOST1 HOST2
    tar cJf ../up.tar.xz HOST1 HOST2
    tar cjf ../up.tar.bz2 HOST1
    gzip -c HOST1/Security.evtx >../Security.evtx.gz    # one file compressed: read as its only member
    /usr/bin/python3 "$src/tests/e2e/mkcab.py" --mszip ../sdp.cab HOST1/Security.evtx HOST2/readme.txt
    if command -v bsdtar >/dev/null; then bsdtar --format 7zip -cf ../up.7z HOST1 HOST2; fi
  )
  for f in "$work"/*.zip "$work"/*.tar* "$work"/*.7z "$work"/*.gz "$work"/*.cab "$work/up/HOST1/Security.evtx" "$work/up/HOST2/readme.txt"; do
    [ -f "$f" ] && put "$dir" <"$f"
  done
  command -v bsdtar >/dev/null || echo "$0: bsdtar not found: no 7z seed (apt-get install libarchive-tools)" >&2
}

# Scenarios: the samples', the all-types test scenario and the security review's hostile ones.
scenario_seeds() {
  local dir=$out/fuzz_scenario f
  rm -rf "$dir" && mkdir -p "$dir"
  for f in "$src"/samples/*/scenario.yaml "$src"/tests/e2e/data/*.yaml "$security"/synth/*.yaml; do
    [ -f "$f" ] && put "$dir" <"$f"
  done
}

# CSV cells: a flags byte (1: cleaned for a terminal), then values split at NUL bytes (computer,
# channel, provider, file, a field, another field's name and value, a message): the review's
# formula payloads and terminal escapes (../shared/security/2026-12 defects 3 and 12).
csv_seeds() {
  local dir=$out/fuzz_csv
  rm -rf "$dir" && mkdir -p "$dir"
  printf '\0%s\0%s\0%s\0%s\0%s\0Name\0%s\0%s' "=cmd|' /C calc'!A0" "+SUM(1+1)*cmd|' /C calc'!A0" \
    "-2+3+cmd|' /C calc'!A0" "@SUM(1+1)*cmd|' /C calc'!A0" $'\t=1+1' $'\r=1+1' '=HYPERLINK("http://evil.example/","click")' | put "$dir"
  printf '\1%s\0%s\0%s\0%s\0%s' $'H\e[2J1' $'P\e]8;;http://evil.example/\e\\link\e]8;;\e\\' $'clip \e]52;c;ZXZpbA==\a end' \
    $'\xc2\x9b31m' $'two\nlines, "quoted"' | put "$dir"
  printf '\0%s\0%s\0%s' "'=1+1" "  -1" "plain" | put "$dir"
}

# Hostile values for the reports: six fields cut at 0xFF bytes (fuzz_report.c), from the
# security review's payloads.
report_seeds() {
  local dir=$out/fuzz_report
  rm -rf "$dir" && mkdir -p "$dir"
  printf 'x` and `Remove-Item -Recurse -Force C:\\Users` and `y\377[Click](javascript:alert(1))![t](http://2130706433/p)\377<img src=x onerror=alert(1)>\377*a* _b_ ~~c~~ | d | # e\377Bob'"'"'s \342\200\231VM\377HV02.contoso.com' | put "$dir"
  printf '```\377\033[2J\033]52;c;Y2FsYw==\007\377\n# heading\n- list\377$(calc)\377a"b\377-D' | put "$dir"
  printf 'www.evil.com http://x.y mail@x.y\3771. one\377+ two\377=cmd|x\377@SUM(1)\377\\' | put "$dir"
}

reader_seeds
rules_seeds
archive_seeds
scenario_seeds
csv_seeds
report_seeds
for t in fuzz_reader fuzz_rules fuzz_archive fuzz_scenario fuzz_report fuzz_csv; do
  echo "$t: $(find "$out/$t" -type f | wc -l) seeds, $(du -sk "$out/$t" | cut -f1) KiB"
done
