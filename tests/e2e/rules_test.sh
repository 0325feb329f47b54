# rules_test.sh: `evtriage rules test` runs the `tests:` of rules (detection, extract, absent
# correlation with an rca section): PASS/FAIL per test, exit 1 on any failure.
. "$(dirname "$0")/lib.bash"
cat >"$TMP/kms.yml" <<'YAML'
title: KMS activation request sent
id: 79c3c02a-c74c-4d87-8aaa-53922d92a3b3
name: spp_kms_request
level: informational
logsource:
    product: windows
    service: security-spp
extract:
    hr: {field: Data, split: ', ', index: 0, code: true}
    kms: {field: Data, split: ', ', index: 2}
    cmid: {field: Data, split: ', ', index: 3}
detection:
    selection:
        EventID: 12288
    condition: selection
tests:
    - name: a request is recognized and split
      events:
          - {EventID: 12288, Channel: Application, Provider_Name: Microsoft-Windows-Security-SPP,
             Data: '0x00000000, 0x00000000, 169.254.169.250:1688, 1b2c, 2024/05/01 10:00:00, 0, 2, 0, sku'}
    - name: another provider's 12288 is not a KMS request
      events:
          - {EventID: 12288, Channel: Application, Provider_Name: SPP, Data: 'x'}
      expect_not: [spp_kms_request]
---
title: KMS response processed
id: 0e1eabeb-58ab-443c-b90d-5faffd2c1c95
name: spp_kms_response
level: informational
logsource:
    product: windows
    service: security-spp
detection:
    selection:
        EventID: 12289
    condition: selection
---
title: KMS request got no response
id: 628fcc54-9a9c-475e-912e-dee4551d8379
level: medium
correlation:
    type: absent
    rules: [spp_kms_request, spp_kms_response]
    group-by: [Computer]
    timespan: 5m
rca:
    title: "{Computer} got no answer from KMS {kms}"
    message: "A KMS request from {Computer} to {kms} at {time} got no response within 5 minutes."
    cause: The client could not reach the KMS host on TCP 1688.
    confidence: medium
    remediation:
        - "Test-NetConnection {kms_host} -Port 1688"
    references: [https://learn.microsoft.com/troubleshoot/azure/virtual-machines/windows/troubleshoot-activation-problems]
    explains: [spp_kms_request]
tests:
    - name: request without response
      events:
          - {EventID: 12288, Channel: Application, Provider_Name: Microsoft-Windows-Security-SPP, Computer: vm1,
             TimeCreated: '2024-05-01T10:00:00Z', Data: '0x00000000, 0x00000000, 169.254.169.250:1688, c, t, 0, 2, 0, s'}
          - {EventID: 1, Channel: System, Provider_Name: Other, Computer: vm1, TimeCreated: '2024-05-01T11:00:00Z'}
    - name: answered request
      events:
          - {EventID: 12288, Channel: Application, Provider_Name: Microsoft-Windows-Security-SPP, Computer: vm1,
             TimeCreated: '2024-05-01T10:00:00Z', Data: '0x0, 0x0, kms:1688, c'}
          - {EventID: 12289, Channel: Application, Provider_Name: Microsoft-Windows-Security-SPP, Computer: vm1,
             TimeCreated: '2024-05-01T10:00:01Z', Data: '0x0'}
          - {EventID: 1, Channel: System, Provider_Name: Other, Computer: vm1, TimeCreated: '2024-05-01T11:00:00Z'}
      expect_not: [628fcc54-9a9c-475e-912e-dee4551d8379]
    - name: answer from another machine does not count
      events:
          - {EventID: 12288, Channel: Application, Provider_Name: Microsoft-Windows-Security-SPP, Computer: vm1,
             TimeCreated: '2024-05-01T10:00:00Z', Data: 'x'}
          - {EventID: 12289, Channel: Application, Provider_Name: Microsoft-Windows-Security-SPP, Computer: vm2,
             TimeCreated: '2024-05-01T10:00:01Z', Data: '0x0'}
          - {EventID: 1, Channel: System, Provider_Name: Other, Computer: vm1, TimeCreated: '2024-05-01T11:00:00Z'}
YAML
"$EVTRIAGE" rules test -v "$TMP/kms.yml" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 0 ] && pass || fail "passing tests: exit $rc: $(cat "$TMP/out" "$TMP/err")"
grep -qx "5 passed, 0 failed" "$TMP/out" && pass || fail "summary: $(cat "$TMP/out")"
grep -q "^PASS $TMP/kms.yml:[0-9]*: 628fcc54-9a9c-475e-912e-dee4551d8379: answered request$" "$TMP/out" && pass || fail "PASS line: $(cat "$TMP/out")"
"$EVTRIAGE" rules lint "$TMP/kms.yml" >"$TMP/lint" 2>&1 && pass || fail "lint: $(cat "$TMP/lint")"
# a failing expectation: FAIL line with the reason, exit 1
sed 's/expect_not: \[628fcc54-9a9c-475e-912e-dee4551d8379\]/expect: [628fcc54-9a9c-475e-912e-dee4551d8379]/' "$TMP/kms.yml" >"$TMP/bad.yml"
"$EVTRIAGE" rules test "$TMP/bad.yml" >"$TMP/out" 2>&1
rc=$?
[ $rc -eq 1 ] && pass || fail "failing test: exit $rc"
grep -q "^FAIL $TMP/bad.yml:[0-9]*: 628fcc54-9a9c-475e-912e-dee4551d8379: answered request: expected '628fcc54-9a9c-475e-912e-dee4551d8379' to fire, it did not$" "$TMP/out" && pass || fail "FAIL line: $(cat "$TMP/out")"
grep -qx "4 passed, 1 failed" "$TMP/out" && pass || fail "summary: $(cat "$TMP/out")"
# hunting the same rules on a real log loads them fine (no KMS events there: no hit)
"$EVTRIAGE" hunt --rules "$TMP/kms.yml" "$CORPUS/machine-logs/Application.evtx" >/dev/null 2>"$TMP/err"
[ $? -eq 0 ] && pass || fail "hunt: $(cat "$TMP/err")"
"$EVTRIAGE" rules test --help | grep -q 'rules test' && pass || fail "rules test --help"
finish
