/* test_rules_match.c: Sigma detection semantics: every value modifier, wildcards and escapes,
 * null/exists, keywords, every condition form, logsource keys and the `extract:` extension. */
#include "test_rules_helpers.h"

#define SYS_CH "Microsoft-Windows-Sysmon/Operational"
#define SYS_PR "Microsoft-Windows-Sysmon"
#define HEAD "title: t\nid: r1\nlogsource:\n    product: windows\n    service: sysmon\ndetection:\n"

/* 1 when the detection (indented YAML under `detection:`) matches the event. */
static int det(const char *detection, const tev *t)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml, HEAD "%s", detection);
    et_ruleset *rs = load_ok(yaml);
    int n = scan1(rs, &t->ev, NULL);
    et_ruleset_free(rs);
    return n;
}

static int cmd(const char *detection, const char *cmdline)
{
    tev t;
    char f[1024];
    snprintf(f, sizeof f, "CommandLine=%s", cmdline);
    mkev(&t, SYS_CH, SYS_PR, 1, 0, f, "Image=C:\\Windows\\System32\\cmd.exe", "Empty=", NULL);
    int r = det(detection, &t);
    freeev(&t);
    return r;
}

static void test_plain_and_case(void **state)
{
    (void)state;
    const char *d = "    sel:\n        CommandLine: 'whoami /ALL'\n    condition: sel\n";
    assert_int_equal(cmd(d, "WHOAMI /all"), 1);          /* case-insensitive by default */
    assert_int_equal(cmd(d, "whoami /all x"), 0);        /* equality, not contains */
    const char *c = "    sel:\n        CommandLine|cased: 'whoami /ALL'\n    condition: sel\n";
    assert_int_equal(cmd(c, "whoami /ALL"), 1);
    assert_int_equal(cmd(c, "whoami /all"), 0);
    /* numbers are compared as text; a list is OR */
    tev t;
    mkev(&t, SYS_CH, SYS_PR, 1, 0, "ProcessId=4688", NULL);
    assert_int_equal(det("    sel:\n        ProcessId:\n            - 1\n            - 4688\n    condition: sel\n", &t), 1);
    freeev(&t);
}

static void test_position_modifiers(void **state)
{
    (void)state;
    assert_int_equal(cmd("    s:\n        CommandLine|contains: 'AMI /a'\n    condition: s\n", "whoami /all"), 1);
    assert_int_equal(cmd("    s:\n        CommandLine|startswith: 'WHO'\n    condition: s\n", "whoami /all"), 1);
    assert_int_equal(cmd("    s:\n        CommandLine|startswith: 'ami'\n    condition: s\n", "whoami /all"), 0);
    assert_int_equal(cmd("    s:\n        CommandLine|endswith: '/ALL'\n    condition: s\n", "whoami /all"), 1);
    assert_int_equal(cmd("    s:\n        CommandLine|endswith: 'whoami'\n    condition: s\n", "whoami /all"), 0);
    const char *all = "    s:\n        CommandLine|contains|all:\n            - 'who'\n            - '/all'\n    condition: s\n";
    assert_int_equal(cmd(all, "whoami /all"), 1);
    assert_int_equal(cmd(all, "whoami /priv"), 0);
    const char *any = "    s:\n        CommandLine|contains:\n            - 'nothere'\n            - '/all'\n    condition: s\n";
    assert_int_equal(cmd(any, "whoami /all"), 1);
}

static void test_wildcards_escapes(void **state)
{
    (void)state;
    assert_int_equal(cmd("    s:\n        CommandLine: 'who*/a?l'\n    condition: s\n", "whoami /all"), 1);
    assert_int_equal(cmd("    s:\n        CommandLine: 'who*/a?l'\n    condition: s\n", "whoami /aXXl"), 0);
    assert_int_equal(cmd("    s:\n        CommandLine: '*'\n    condition: s\n", "anything"), 1);
    /* \* is a literal star, \? a literal question mark */
    assert_int_equal(cmd("    s:\n        CommandLine: 'a\\*b'\n    condition: s\n", "a*b"), 1);
    assert_int_equal(cmd("    s:\n        CommandLine: 'a\\*b'\n    condition: s\n", "axxb"), 0);
    assert_int_equal(cmd("    s:\n        CommandLine|contains: 'what\\?'\n    condition: s\n", "so what? yes"), 1);
    assert_int_equal(cmd("    s:\n        CommandLine|contains: 'what\\?'\n    condition: s\n", "so whatX yes"), 0);
    /* \\* : a backslash, then a wildcard; a lone backslash stays a backslash */
    assert_int_equal(cmd("    s:\n        CommandLine: 'C:\\\\*'\n    condition: s\n", "C:\\Windows"), 1);
    assert_int_equal(cmd("    s:\n        CommandLine|endswith: '\\cmd.exe'\n    condition: s\n", "C:\\x\\cmd.exe"), 1);
}

static void test_re(void **state)
{
    (void)state;
    assert_int_equal(cmd("    s:\n        CommandLine|re: 'who[a-z]+ /ALL'\n    condition: s\n", "whoami /ALL"), 1);
    /* re is case-sensitive unless |i */
    assert_int_equal(cmd("    s:\n        CommandLine|re: 'WHO'\n    condition: s\n", "whoami"), 0);
    assert_int_equal(cmd("    s:\n        CommandLine|re|i: 'WHO'\n    condition: s\n", "whoami"), 1);
    /* m: ^ and $ at line ends; s: dot matches newline */
    assert_int_equal(cmd("    s:\n        CommandLine|re: '^two$'\n    condition: s\n", "one\ntwo"), 0);
    assert_int_equal(cmd("    s:\n        CommandLine|re|m: '^two$'\n    condition: s\n", "one\ntwo"), 1);
    assert_int_equal(cmd("    s:\n        CommandLine|re: 'one.two'\n    condition: s\n", "one\ntwo"), 0);
    assert_int_equal(cmd("    s:\n        CommandLine|re|s: 'one.two'\n    condition: s\n", "one\ntwo"), 1);
}

static void test_windash(void **state)
{
    (void)state;
    const char *d = "    s:\n        CommandLine|contains|windash: ' -enc '\n    condition: s\n";
    assert_int_equal(cmd(d, "powershell -enc AAA"), 1);
    assert_int_equal(cmd(d, "powershell /enc AAA"), 1);
    assert_int_equal(cmd(d, "powershell \xE2\x80\x93" "enc AAA"), 1);   /* en dash */
    assert_int_equal(cmd(d, "powershell \xE2\x80\x94" "enc AAA"), 1);   /* em dash */
    assert_int_equal(cmd(d, "powershell \xE2\x80\x95" "enc AAA"), 1);   /* horizontal bar */
    assert_int_equal(cmd(d, "powershell +enc AAA"), 0);
    /* with |all, each value needs one of its spellings, not all of them */
    const char *all = "    s:\n        CommandLine|contains|all|windash:\n            - ' -nop '\n            - ' -enc '\n    condition: s\n";
    assert_int_equal(cmd(all, "powershell /nop -enc AAA"), 1);
    assert_int_equal(cmd(all, "powershell /nop AAA"), 0);
    /* a dash inside a word is not a flag */
    assert_int_equal(cmd("    s:\n        CommandLine|windash: 'a-b'\n    condition: s\n", "a/b"), 0);
}

static void test_base64(void **state)
{
    (void)state;
    /* base64('whoami') = d2hvYW1p */
    assert_int_equal(cmd("    s:\n        CommandLine|base64: 'whoami'\n    condition: s\n", "d2hvYW1p"), 1);
    assert_int_equal(cmd("    s:\n        CommandLine|base64|contains: 'whoami'\n    condition: s\n", "x d2hvYW1p y"), 1);
    /* base64offset finds the value at any byte offset: "Xwhoami" and "XXwhoami" encoded */
    const char *off = "    s:\n        CommandLine|base64offset|contains: 'whoami'\n    condition: s\n";
    assert_int_equal(cmd(off, "-e WHdob2FtaQ=="), 1);    /* base64("Xwhoami") */
    assert_int_equal(cmd(off, "-e WFh3aG9hbWk="), 1);    /* base64("XXwhoami") */
    assert_int_equal(cmd(off, "-e d2hvYW1p"), 1);        /* offset 0 */
    assert_int_equal(cmd(off, "-e bm90aGluZw=="), 0);
    const char *offall = "    s:\n        CommandLine|base64offset|contains|all:\n            - 'whoami'\n            - 'hostname'\n    condition: s\n";
    assert_int_equal(cmd(offall, "WHdob2FtaQ== aG9zdG5hbWU="), 1);   /* Xwhoami at offset 1, hostname at 0 */
    assert_int_equal(cmd(offall, "WHdob2FtaQ=="), 0);
    /* utf16le|base64offset: PowerShell -EncodedCommand; base64(utf16le("whoami")) = dwBoAG8AYQBtAGkA */
    const char *wide = "    s:\n        CommandLine|wide|base64offset|contains: 'whoami'\n    condition: s\n";
    assert_int_equal(cmd(wide, "powershell -enc dwBoAG8AYQBtAGkA"), 1);
    const char *le = "    s:\n        CommandLine|utf16le|base64offset|contains: 'whoami'\n    condition: s\n";
    assert_int_equal(cmd(le, "powershell -enc dwBoAG8AYQBtAGkA"), 1);
    /* utf16be: base64("\0w\0h\0o\0a\0m\0i") = AHcAaABvAGEAbQBp */
    const char *be = "    s:\n        CommandLine|utf16be|base64: 'whoami'\n    condition: s\n";
    assert_int_equal(cmd(be, "AHcAaABvAGEAbQBp"), 1);
    /* utf16 adds a BOM: base64(FF FE 'w' 0) = //53AA== */
    assert_int_equal(cmd("    s:\n        CommandLine|utf16|base64: 'w'\n    condition: s\n", "//53AA=="), 1);
}

static void test_numbers_cidr(void **state)
{
    (void)state;
    tev t;
    mkev(&t, SYS_CH, SYS_PR, 3, 0, "DestinationPort=445", "DestinationIp=10.1.2.3", "SourceIp=fe80::1%12", "Hex=0x1F", NULL);
    assert_int_equal(det("    s:\n        DestinationPort|lt: 446\n    condition: s\n", &t), 1);
    assert_int_equal(det("    s:\n        DestinationPort|lt: 445\n    condition: s\n", &t), 0);
    assert_int_equal(det("    s:\n        DestinationPort|lte: 445\n    condition: s\n", &t), 1);
    assert_int_equal(det("    s:\n        DestinationPort|gt: 445\n    condition: s\n", &t), 0);
    assert_int_equal(det("    s:\n        DestinationPort|gte: 445\n    condition: s\n", &t), 1);
    assert_int_equal(det("    s:\n        Hex|gt: 30\n    condition: s\n", &t), 1);       /* 0x1F = 31 */
    assert_int_equal(det("    s:\n        DestinationIp|cidr: 10.0.0.0/8\n    condition: s\n", &t), 1);
    assert_int_equal(det("    s:\n        DestinationIp|cidr: 10.1.2.4/32\n    condition: s\n", &t), 0);
    assert_int_equal(det("    s:\n        DestinationIp|cidr:\n            - 192.168.0.0/16\n            - 10.1.0.0/16\n    condition: s\n", &t), 1);
    assert_int_equal(det("    s:\n        SourceIp|cidr: 'fe80::/10'\n    condition: s\n", &t), 1);
    assert_int_equal(det("    s:\n        SourceIp|cidr: '2001:db8::/32'\n    condition: s\n", &t), 0);
    freeev(&t);
}

static void test_null_exists_neq_fieldref(void **state)
{
    (void)state;
    const char *nul = "    s:\n        Missing: null\n    condition: s\n";
    assert_int_equal(cmd(nul, "x"), 1);
    assert_int_equal(cmd("    s:\n        Empty: null\n    condition: s\n", "x"), 1);   /* empty counts as null */
    assert_int_equal(cmd("    s:\n        CommandLine: null\n    condition: s\n", "x"), 0);
    assert_int_equal(cmd("    s:\n        Empty: ''\n    condition: s\n", "x"), 1);
    assert_int_equal(cmd("    s:\n        Missing: ''\n    condition: s\n", "x"), 0);
    assert_int_equal(cmd("    s:\n        Empty|exists: true\n    condition: s\n", "x"), 1);
    assert_int_equal(cmd("    s:\n        Missing|exists: true\n    condition: s\n", "x"), 0);
    assert_int_equal(cmd("    s:\n        Missing|exists: false\n    condition: s\n", "x"), 1);
    assert_int_equal(cmd("    s:\n        CommandLine|neq: 'abc'\n    condition: s\n", "ABC"), 0);
    assert_int_equal(cmd("    s:\n        CommandLine|neq: 'abc'\n    condition: s\n", "abd"), 1);
    assert_int_equal(cmd("    s:\n        CommandLine|neq:\n            - a\n            - b\n    condition: s\n", "b"), 0);
    tev t;
    mkev(&t, SYS_CH, SYS_PR, 1, 0, "User=CORP\\Bob", "ParentUser=corp\\bob", "Other=x", NULL);
    assert_int_equal(det("    s:\n        User|fieldref: ParentUser\n    condition: s\n", &t), 1);
    assert_int_equal(det("    s:\n        User|fieldref: Other\n    condition: s\n", &t), 0);
    assert_int_equal(det("    s:\n        User|fieldref|endswith: Other\n    condition: s\n", &t), 0);
    assert_int_equal(det("    s:\n        User|fieldref: Missing\n    condition: s\n", &t), 0);
    freeev(&t);
}

static void test_keywords(void **state)
{
    (void)state;
    const char *kw = "    keywords:\n        - 'mimikatz'\n        - 'sekurlsa'\n    condition: keywords\n";
    assert_int_equal(cmd(kw, "run MimiKatz.exe"), 1);
    assert_int_equal(cmd(kw, "notepad"), 0);
    const char *kall = "    keywords:\n        '|all':\n            - 'who'\n            - 'all'\n    condition: keywords\n";
    assert_int_equal(cmd(kall, "whoami /all"), 1);
    assert_int_equal(cmd(kall, "whoami /priv"), 0);
    /* list of maps = OR of ANDs */
    const char *lm = "    s:\n        - CommandLine|contains: zzz\n        - Image|endswith: '\\cmd.exe'\n    condition: s\n";
    assert_int_equal(cmd(lm, "x"), 1);
}

static void test_conditions(void **state)
{
    (void)state;
    const char *sels = "    sel_a:\n        CommandLine|contains: a\n    sel_b:\n        CommandLine|contains: b\n"
                       "    filter_x:\n        CommandLine|contains: x\n    filter_y:\n        CommandLine|contains: y\n"
                       "    _hidden:\n        CommandLine|contains: q\n";
    char d[2048];
#define COND(c, cl, want) do { snprintf(d, sizeof d, "%s    condition: %s\n", sels, c); assert_int_equal(cmd(d, cl), want); } while (0)
    COND("sel_a and sel_b", "ab", 1);
    COND("sel_a and sel_b", "a", 0);
    COND("sel_a or sel_b", "b", 1);
    COND("sel_a and not filter_x", "ax", 0);
    COND("sel_a and not filter_x", "a", 1);
    COND("not sel_a and sel_b", "b", 1);                /* not binds tighter than and */
    COND("sel_a or sel_b and filter_x", "a", 1);        /* and binds tighter than or */
    COND("(sel_a or sel_b) and filter_x", "a", 0);
    COND("1 of sel_*", "b", 1);
    COND("all of sel_*", "b", 0);
    COND("all of sel_*", "ab", 1);
    COND("1 of sel_* and not 1 of filter_*", "ay", 0);
    COND("1 of sel_* and not 1 of filter_*", "a", 1);
    COND("all of filter_*", "xy", 1);
    COND("all of them", "abxy", 1);                      /* _hidden is not part of them */
    COND("1 of them", "q", 0);
    COND("any of sel_*", "a", 1);
    COND("not (sel_a or sel_b)", "z", 1);
#undef COND
    /* a list of conditions is OR */
    snprintf(d, sizeof d, "%s    condition:\n        - sel_a and sel_b\n        - filter_x\n", sels);
    assert_int_equal(cmd(d, "x"), 1);
    assert_int_equal(cmd(d, "a"), 0);
}

static void test_logsource_key(void **state)
{
    (void)state;
    /* process_creation: Sysmon 1 and Security 4688 (Image -> NewProcessName) */
    const char *rule = "title: t\nid: pc\nlogsource:\n    category: process_creation\n    product: windows\n"
                       "detection:\n    s:\n        Image|endswith: '\\whoami.exe'\n    condition: s\n";
    et_ruleset *rs = load_ok(rule);
    tev t;
    mkev(&t, SYS_CH, SYS_PR, 1, 0, "Image=C:\\Windows\\whoami.exe", NULL);
    assert_int_equal(scan1(rs, &t.ev, NULL), 1);
    freeev(&t);
    mkev(&t, "Security", "Microsoft-Windows-Security-Auditing", 4688, 0, "NewProcessName=C:\\Windows\\whoami.exe", NULL);
    assert_int_equal(scan1(rs, &t.ev, NULL), 1);
    freeev(&t);
    /* same event id and field from another provider or channel: no match */
    mkev(&t, SYS_CH, "Some-Other-Provider", 1, 0, "Image=C:\\Windows\\whoami.exe", NULL);
    assert_int_equal(scan1(rs, &t.ev, NULL), 0);
    freeev(&t);
    mkev(&t, "Application", SYS_PR, 1, 0, "Image=C:\\Windows\\whoami.exe", NULL);
    assert_int_equal(scan1(rs, &t.ev, NULL), 0);
    freeev(&t);
    mkev(&t, SYS_CH, SYS_PR, 11, 0, "Image=C:\\Windows\\whoami.exe", NULL);
    assert_int_equal(scan1(rs, &t.ev, NULL), 0);
    freeev(&t);
    et_ruleset_free(rs);
    /* service: application with a provider in the detection: other providers' 12288 do not match */
    rs = load_ok("title: t\nid: spp\nlogsource:\n    product: windows\n    service: application\n"
                 "detection:\n    s:\n        Provider_Name: Microsoft-Windows-Security-SPP\n        EventID: 12288\n"
                 "    condition: s\n");
    mkev(&t, "Application", "Microsoft-Windows-Security-SPP", 12288, 0, NULL);
    assert_int_equal(scan1(rs, &t.ev, NULL), 1);
    freeev(&t);
    mkev(&t, "Application", "SPP", 12288, 0, NULL);
    assert_int_equal(scan1(rs, &t.ev, NULL), 0);
    freeev(&t);
    et_ruleset_free(rs);
    /* top-level names: EventID, Channel, Computer, Level */
    mkev(&t, SYS_CH, SYS_PR, 1, 0, NULL);
    t.ev.has_level = true;
    t.ev.level = 4;
    assert_int_equal(det("    s:\n        EventID: 1\n        Computer|endswith: '.example.com'\n        Level: 4\n"
                         "        Channel: 'microsoft-windows-sysmon/operational'\n    condition: s\n", &t), 1);
    freeev(&t);
}

static void test_extract(void **state)
{
    (void)state;
    const char *rule =
        "title: kms request\nid: kms\nlogsource:\n    product: windows\n    service: security-spp\n"
        "extract:\n"
        "    hr: {field: Data, split: ', ', index: 0, code: true}\n"
        "    kms: {field: Data, split: ', ', index: 2}\n"
        "    kms_host: {from: kms, re: '^([^:]+)'}\n"
        "    last: {field: Data, split: ', ', index: -1}\n"
        "    trigger: {field: Info, kv: Trigger}\n"
        "    code: {field: '*', code: true}\n"
        "    missing: {field: Nope, default: none}\n"
        "detection:\n    s:\n        EventID: 12288\n        kms_host: '169.254.169.250'\n    condition: s\n";
    et_ruleset *rs = load_ok(rule);
    tev t;
    mkev(&t, "Application", "Microsoft-Windows-Security-SPP", 12288, 0,
         "Data=0x00000000, 0x00000000, 169.254.169.250:1688, cmid, 2024/01/01 00:00:00, 0, 2, 0, sku",
         "Info=hr=0x8007232B;Trigger=TimerEvent;x=y", NULL);
    seen s = {0};
    assert_int_equal(scan1(rs, &t.ev, &s), 1);
    assert_non_null(strstr(s.fields, "hr=0x00000000;"));
    assert_non_null(strstr(s.fields, "kms=169.254.169.250:1688;"));
    assert_non_null(strstr(s.fields, "kms_host=169.254.169.250;"));
    assert_non_null(strstr(s.fields, "last=sku;"));
    assert_non_null(strstr(s.fields, "trigger=TimerEvent;"));
    assert_non_null(strstr(s.fields, "code=0x00000000;"));   /* first code found in any field */
    assert_non_null(strstr(s.fields, "missing=none;"));
    freeev(&t);
    et_ruleset_free(rs);
}

static void test_hresult_and_template(void **state)
{
    (void)state;
    char out[11];
    const char *same[] = {"0x80090303", "0X80090303", "0x80090303 ", "%%2148074243", "-2146893053", "2148074243",
                          "Error %%2148074243 (0x80090303) occurred", "hr=0x80090303,RuleId=x"};
    for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
        assert_true(et_hresult_normalize(same[i], out));
        assert_string_equal(out, "0x80090303");
    }
    assert_true(et_hresult_normalize("0xc004f074", out));
    assert_string_equal(out, "0xC004F074");
    assert_true(et_hresult_normalize("12007", out));
    assert_string_equal(out, "0x00002EE7");
    assert_false(et_hresult_normalize("no code here", out));
    assert_false(et_hresult_normalize("99999999999", out));
    et_buf b = {0}, missing = {0};
    et_tpl_gaps g = {.missing = &missing};
    assert_int_equal(et_template_render(&b, "VM '{vm}' failed with {code}; {unknown} {{literal}}", NULL, NULL, &g), 3);
    assert_string_equal(b.data, "VM '<vm>' failed with <code>; <unknown> {literal}");
    assert_string_equal(missing.data, "vm, code, unknown");
    et_buf_free(&b);
    et_buf_free(&missing);
}

static const char *lookup(const char *name, void *ctx)
{
    (void)ctx;
    if (!strcmp(name, "vm")) return "web01";
    if (!strcmp(name, "code")) return "0x80090303";
    return NULL;
}

static void test_template_lookup(void **state)
{
    (void)state;
    et_buf b = {0}, missing = {0};
    et_tpl_gaps g = {.missing = &missing};
    assert_int_equal(et_template_render(&b, "Replication of '{vm}' ({code}){nope}[[ to {nope}]][[ failed with {code}]].",
                                        lookup, NULL, &g), 1);
    assert_string_equal(b.data, "Replication of 'web01' (0x80090303)<nope> failed with 0x80090303.");
    assert_string_equal(missing.data, "nope");   /* optional clauses say nothing of what they lack */
    et_buf_free(&b);
    et_buf_free(&missing);
}

static const char *hostile(const char *name, void *ctx)
{
    (void)ctx;
    if (!strcmp(name, "vm")) return "Bob's \xE2\x80\x99VM";                /* ' and U+2019 */
    if (!strcmp(name, "evil")) return "x'; Remove-Item C:\\ -Recurse; '";
    if (!strcmp(name, "host")) return "hv01.contoso.com";
    if (!strcmp(name, "spaced")) return "Web Server 01";
    if (!strcmp(name, "sub")) return "$(iwr evil)";
    if (!strcmp(name, "ev")) return "$x";
    if (!strcmp(name, "tick")) return "a`b";
    if (!strcmp(name, "nl")) return "a\nb";
    if (!strcmp(name, "dash")) return "-D";
    if (!strcmp(name, "dq")) return "x\" -D \"y";
    if (!strcmp(name, "pct")) return "100%";
    return NULL;
}

/* Prose: a value's backtick becomes ' and its control characters spaces; inside a code span a
 * value with a backtick is refused and shows as <name>. */
static void test_template_prose(void **state)
{
    (void)state;
    et_buf b = {0}, refused = {0};
    et_tpl_gaps g = {.refused = &refused};
    assert_int_equal(et_template_render(&b, "prose {tick} and {nl}; `code {host}` `code {tick}`", hostile, NULL, &g), 1);
    assert_string_equal(b.data, "prose a'b and a b; `code hv01.contoso.com` `code <tick>`");
    assert_string_equal(refused.data, "tick");
    et_buf_free(&b);
    et_buf_free(&refused);
}

/* Commands: every value one literal token of the step's shell, or refused (and the command is
 * then for reading only). */
static void test_command_shells(void **state)
{
    (void)state;
    struct { et_shell sh; const char *tmpl, *want; bool ok; const char *refused; } cases[] = {
        {ET_SHELL_POWERSHELL, "Move-VM -Name '{vm}' -DestinationHost {host}",
         "Move-VM -Name 'Bob''s \xE2\x80\x99\xE2\x80\x99VM' -DestinationHost hv01.contoso.com", true, ""},
        {ET_SHELL_POWERSHELL, "Get-VM -Name {evil}", "Get-VM -Name 'x''; Remove-Item C:\\ -Recurse; '''", true, ""},
        {ET_SHELL_POWERSHELL, "Get-VM -Name {spaced}; Get-VM {sub}", "Get-VM -Name 'Web Server 01'; Get-VM '$(iwr evil)'", true, ""},
        {ET_SHELL_POWERSHELL, "Get-VM '{nl}'", "Get-VM '<nl>'", false, "nl"},
        {ET_SHELL_POWERSHELL, "setspn -L {dash}", "setspn -L <dash>", false, "dash"},
        {ET_SHELL_POWERSHELL, "setspn -S 'cifs/{dash}' {host}", "setspn -S 'cifs/-D' hv01.contoso.com", true, ""},
        {ET_SHELL_POWERSHELL, "x {spaced}$", "x <spaced>$", false, "spaced"},
        {ET_SHELL_POWERSHELL, "x '{dq}'", "x '<dq>'", false, "dq"},
        {ET_SHELL_POWERSHELL, "Get-VM -Name {tick}", "Get-VM -Name 'a`b'", true, ""},
        {ET_SHELL_CMD, "slmgr /skms {spaced}", "slmgr /skms \"Web Server 01\"", true, ""},
        {ET_SHELL_CMD, "echo \"{pct}\"", "echo \"<pct>\"", false, "pct"},
        {ET_SHELL_AZCLI, "az vm show -n {evil} -g '{vm}'",
         "az vm show -n 'x'\\''; Remove-Item C:\\ -Recurse; '\\''' -g 'Bob'\\''s \xE2\x80\x99VM'", true, ""},
        {ET_SHELL_AZCLI, "az x \"{sub}\"", "az x \"<sub>\"", false, "sub"},
        {ET_SHELL_POWERSHELL, "Get-X {nope}[[ -Y {nope}]][[ -Z {host}]]", "Get-X <nope> -Z hv01.contoso.com", false, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        et_buf b = {0}, refused = {0}, missing = {0};
        et_tpl_gaps g = {.missing = &missing, .refused = &refused};
        bool ok = et_command_render(&b, cases[i].tmpl, cases[i].sh, hostile, NULL, &g);
        if (ok != cases[i].ok || strcmp(b.data, cases[i].want) || strcmp(refused.data ? refused.data : "", cases[i].refused))
            fail_msg("case %zu: got %d '%s' refused '%s'", i, ok, b.data, refused.data ? refused.data : "");
        et_buf_free(&b);
        et_buf_free(&refused);
        et_buf_free(&missing);
    }
}

/* What lint says of command templates for each shell. */
static void test_command_lint(void **state)
{
    (void)state;
    size_t at;
    assert_null(et_command_lint("Restart-Service vmms; Get-VM -Name '{vm}'", ET_SHELL_POWERSHELL, &at));
    assert_non_null(et_command_lint("net stop vmms && net start vmms", ET_SHELL_POWERSHELL, &at));
    assert_int_equal(at, 14);
    assert_non_null(et_command_lint("cscript //nologo %windir%\\system32\\slmgr.vbs /dlv", ET_SHELL_POWERSHELL, &at));
    assert_null(et_command_lint("cscript //nologo %windir%\\system32\\slmgr.vbs /dlv", ET_SHELL_CMD, &at));
    assert_non_null(et_command_lint("Test-NetConnection <destination> -Port 6600", ET_SHELL_POWERSHELL, &at));
    assert_non_null(et_command_lint("setspn -S \"Svc/{host}\" {host}", ET_SHELL_POWERSHELL, &at));
    assert_null(et_command_lint("setspn -S \"Svc/{host}\" {host}", ET_SHELL_CMD, &at));
    assert_non_null(et_command_lint("Get-VM 'a", ET_SHELL_POWERSHELL, &at));
    assert_null(et_command_lint("Get-VM 'it''s'", ET_SHELL_POWERSHELL, &at));
    assert_non_null(et_command_lint("dir $env:windir", ET_SHELL_CMD, &at));
    assert_null(et_command_lint("Write-Output \"100%\"", ET_SHELL_POWERSHELL, &at));
}

/* An EventData name that holds spaces is matched by the rule's name without them, as Sigma
 * writes such names (Defender's `Threat Name` is `ThreatName`); an exact name still wins, the
 * rest of the name must agree, and a rule's own spaces are not taken out. */
static void test_field_names_without_spaces(void **state)
{
    (void)state;
    tev t;
    mkev(&t, SYS_CH, SYS_PR, 1, 0, "Threat Name=Tool:Win32/EICAR_Test_File", "Source Name=Real-Time Protection",
         "Process  Name=a.exe", "Path=x", NULL);
    assert_int_equal(det("    sel:\n        ThreatName|endswith: 'EICAR_Test_File'\n    condition: sel\n", &t), 1);
    assert_int_equal(det("    sel:\n        SourceName: 'Real-Time Protection'\n    condition: sel\n", &t), 1);
    assert_int_equal(det("    sel:\n        ProcessName: 'a.exe'\n    condition: sel\n", &t), 1);
    assert_int_equal(det("    sel:\n        'Threat Name': 'Tool:Win32/EICAR_Test_File'\n    condition: sel\n", &t), 1);
    assert_int_equal(det("    sel:\n        ThreatNam|contains: 'EICAR'\n    condition: sel\n", &t), 0);
    assert_int_equal(det("    sel:\n        threatname|contains: 'EICAR'\n    condition: sel\n", &t), 0);
    assert_int_equal(det("    sel:\n        'Sour ceName': 'Real-Time Protection'\n    condition: sel\n", &t), 0);
    assert_int_equal(det("    sel:\n        ThreatName: null\n    condition: sel\n", &t), 0);
    freeev(&t);
    /* the exact name first: a field named without spaces beside one with them */
    mkev(&t, SYS_CH, SYS_PR, 1, 0, "Threat Name=spaced", "ThreatName=exact", NULL);
    assert_int_equal(det("    sel:\n        ThreatName: exact\n    condition: sel\n", &t), 1);
    assert_int_equal(det("    sel:\n        ThreatName: spaced\n    condition: sel\n", &t), 0);
    freeev(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_case),   cmocka_unit_test(test_position_modifiers),
        cmocka_unit_test(test_wildcards_escapes), cmocka_unit_test(test_re),
        cmocka_unit_test(test_windash),          cmocka_unit_test(test_base64),
        cmocka_unit_test(test_numbers_cidr),     cmocka_unit_test(test_null_exists_neq_fieldref),
        cmocka_unit_test(test_keywords),         cmocka_unit_test(test_conditions),
        cmocka_unit_test(test_logsource_key),    cmocka_unit_test(test_extract),
        cmocka_unit_test(test_hresult_and_template), cmocka_unit_test(test_template_lookup), cmocka_unit_test(test_template_prose),
        cmocka_unit_test(test_command_shells), cmocka_unit_test(test_command_lint),
        cmocka_unit_test(test_field_names_without_spaces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
