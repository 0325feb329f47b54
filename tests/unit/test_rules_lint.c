/* test_rules_lint.c: every rule problem is reported at its exact line:column: misspelt keys, bad
 * modifiers, regexes, conditions, references, extension sections; the built-in mapping matches
 * rules/sigma-mapping.yaml. */
#include "test_rules_helpers.h"
#include <sys/stat.h>

#define LS "logsource:\n    product: windows\n    service: sysmon\n"

static void expect(const char *yaml, const char *want, int errors)
{
    diags g;
    et_ruleset *rs = load_rules(yaml, &g);
    if (!has_diag(&g, want) || (errors >= 0 && g.errors != errors)) {
        fprintf(stderr, "want '%s' (%d errors) in:\n", want, errors);
        dump_diags(&g);
    }
    assert_true(has_diag(&g, want));
    if (errors >= 0) assert_int_equal(g.errors, errors);
    et_ruleset_free(rs);
}

static void test_typo_keys(void **state)
{
    (void)state;
    /* line 3 col 1: 'detecton' */
    expect("title: t\n" LS "detecton:\n    s:\n        Image: x\n    condition: s\n",
           "5:1: error: unknown key 'detecton' in rule (did you mean 'detection'?)", -1);
    expect("title: t\n" LS "levl: high\ndetection:\n    s:\n        Image: x\n    condition: s\n",
           "5:1: error: unknown key 'levl' in rule (did you mean 'level'?)", 1);
    /* a custom key far from any known one is only a warning (Sigma allows custom fields) */
    expect("title: t\n" LS "my_custom_note: hi\ndetection:\n    s:\n        Image: x\n    condition: s\n",
           "5:1: warning: unknown key 'my_custom_note' in rule", 0);
    expect("title: t\nlogsource:\n    product: windows\n    servce: sysmon\ndetection:\n    s:\n        Image: x\n    condition: s\n",
           "4:5: error: unknown key 'servce' in logsource (did you mean 'service'?)", 1);
    expect("title: t\n" LS "level: severe\ndetection:\n    s:\n        Image: x\n    condition: s\n",
           "5:8: error: unknown level 'severe'", 1);
    expect(LS "detection:\n    s:\n        Image: x\n    condition: s\n", "error: rule has no 'title'", 1);
}

static void test_modifiers(void **state)
{
    (void)state;
    expect("title: t\n" LS "detection:\n    s:\n        Image|contans: x\n    condition: s\n",
           "7:9: error: unknown modifier 'contans'", 1);
    expect("title: t\n" LS "detection:\n    s:\n        Image|contains|endswith: x\n    condition: s\n",
           "7:9: error: contains, startswith and endswith exclude each other", 1);
    expect("title: t\n" LS "detection:\n    s:\n        Image|i: x\n    condition: s\n",
           "7:9: error: modifiers i, m and s apply to re only", 1);
    expect("title: t\n" LS "detection:\n    s:\n        Image|wide: x\n    condition: s\n",
           "must be followed by base64", 1);
    expect("title: t\n" LS "detection:\n    s:\n        Port|gt: many\n    condition: s\n",
           "7:18: error: 'many' is not a number", 1);
    expect("title: t\n" LS "detection:\n    s:\n        Ip|cidr: 10.0.0.0/33\n    condition: s\n",
           "7:18: error: '10.0.0.0/33' is not a CIDR network", 1);
    expect("title: t\n" LS "detection:\n    s:\n        Image|expand: '%Servers%'\n    condition: s\n",
           "7:9: error: modifier 'expand'", 1);
    expect("title: t\n" LS "detection:\n    s:\n        Image|exists: maybe\n    condition: s\n",
           "exists takes true or false", 1);
    expect("title: t\n" LS "detection:\n    s:\n        Image:\n            - a\n            - null\n    condition: s\n",
           "9:15: error: null cannot be part of a list", 1);
}

static void test_regex(void **state)
{
    (void)state;
    /* the column points into the pattern: quote at col 19, '(' unclosed reported at offset 4 */
    expect("title: t\n" LS "detection:\n    s:\n        Image|re: 'ab(c'\n    condition: s\n",
           "7:24: error: bad regular expression", 1);
    expect("title: t\n" LS "detection:\n    s:\n        Image|re: ab[\n    condition: s\n",
           "error: bad regular expression: missing terminating ] for character class", 1);
}

static void test_conditions(void **state)
{
    (void)state;
    expect("title: t\n" LS "detection:\n    sel:\n        Image: x\n    condition: sel and selx\n",
           "8:24: error: condition: unknown search identifier 'selx'", 1);
    expect("title: t\n" LS "detection:\n    sel:\n        Image: x\n    condition: 'sel and (sel'\n",
           "8:25: error: condition: unbalanced '('", 1);
    expect("title: t\n" LS "detection:\n    sel:\n        Image: x\n    condition: sel sel\n",
           "8:20: error: condition: unexpected 'sel' (missing and/or?)", 1);
    expect("title: t\n" LS "detection:\n    sel:\n        Image: x\n    condition: 1 of filter*\n",
           "8:21: error: condition: 'filter*' matches no search identifier", 1);
    expect("title: t\n" LS "detection:\n    sel:\n        Image: x\n    condition: sel | count() > 5\n",
           "aggregations after '|' are obsolete", 1);
    expect("title: t\n" LS "detection:\n    sel:\n        Image: x\n    condition: sel and\n",
           "condition: unexpected end", 1);
    expect("title: t\n" LS "detection:\n    sel:\n        Image: x\n",
           "error: detection has no 'condition'", 1);
    expect("title: t\n" LS "detection:\n    sel:\n        Image: x\n    conditon: sel\n",
           "8:5: error: detection has no 'condition' (is 'conditon' meant to be it?)", 1);
}

static void test_references_and_extensions(void **state)
{
    (void)state;
    const char *base = "title: a\nid: a1\n" LS "detection:\n    s:\n        Image: x\n    condition: s\n---\n";
    char y[4096];
    snprintf(y, sizeof y, "%stitle: c\ncorrelation:\n    type: event_count\n    rules:\n        - a1\n        - nosuch\n"
             "    group-by: [Computer]\n    timespan: 5m\n    condition: {gte: 2}\n", base);
    expect(y, "16:11: error: unknown rule reference 'nosuch'", 1);
    snprintf(y, sizeof y, "%stitle: c\ncorrelation:\n    type: event_cnt\n    rules: [a1]\n    timespan: 5m\n", base);
    expect(y, "13:11: error: correlation type must be", 1);
    snprintf(y, sizeof y, "%stitle: c\ncorrelation:\n    type: event_count\n    rules: [a1]\n    timespan: 5 minutes\n    condition: {gte: 2}\n", base);
    expect(y, "15:15: error: bad timespan '5 minutes'", 1);
    snprintf(y, sizeof y, "%stitle: c\ncorrelation:\n    type: event_count\n    rules: [a1]\n    timespan: 5m\n    groupby: [x]\n    condition: {gte: 2}\n", base);
    expect(y, "16:5: error: unknown key 'groupby' in correlation (did you mean 'group-by'?)", -1);
    snprintf(y, sizeof y, "%stitle: c\ncorrelation:\n    type: value_count\n    rules: [a1]\n    timespan: 5m\n    condition: {gte: 2}\n", base);
    expect(y, "value_count needs 'field'", 1);
    snprintf(y, sizeof y, "%stitle: c\ncorrelation:\n    type: absent\n    rules: [a1]\n    timespan: 5m\n", base);
    expect(y, "absent takes exactly two rules", 1);
    /* rca */
    snprintf(y, sizeof y, "%stitle: r\n" LS "detection:\n    s:\n        Image: x\n    condition: s\nrca:\n    title: 'VM {vm'\n", base);
    expect(y, "20:12: error: template: unterminated or empty placeholder", 1);
    snprintf(y, sizeof y, "%stitle: r\n" LS "detection:\n    s:\n        Image: x\n    condition: s\nrca:\n    confidence: sure\n", base);
    expect(y, "20:17: error: confidence must be high, medium or low", 1);
    snprintf(y, sizeof y, "%stitle: r\n" LS "detection:\n    s:\n        Image: x\n    condition: s\nrca:\n    explains: [a1, zz]\n", base);
    expect(y, "20:20: error: explains: unknown rule reference 'zz'", 1);
    snprintf(y, sizeof y, "%stitle: r\n" LS "detection:\n    s:\n        Image: x\n    condition: s\nrca:\n    remedy: x\n", base);
    expect(y, "20:5: error: unknown key 'remedy' in rca", 1);
    /* extract */
    snprintf(y, sizeof y, "%stitle: r\n" LS "extract:\n    hr: {field: Data, split: ', '}\ndetection:\n    s:\n        Image: x\n    condition: s\n", base);
    expect(y, "16:9: error: extract 'hr': split needs an 'index'", 1);
    snprintf(y, sizeof y, "%stitle: r\n" LS "extract:\n    hr: {field: Data, re: '(x'}\ndetection:\n    s:\n        Image: x\n    condition: s\n", base);
    expect(y, "error: bad regular expression", 1);
    snprintf(y, sizeof y, "%stitle: r\n" LS "extract:\n    hr: {from: later, code: true}\ndetection:\n    s:\n        Image: x\n    condition: s\n", base);
    expect(y, "extract 'hr': 'from' names no earlier extracted field", 1);
    /* tests */
    snprintf(y, sizeof y, "%stitle: r\n" LS "detection:\n    s:\n        Image: x\n    condition: s\ntests:\n    - name: x\n      events: []\n", base);
    expect(y, "a test needs a non-empty 'events' list", 1);
    snprintf(y, sizeof y, "%stitle: r\n" LS "detection:\n    s:\n        Image: x\n    condition: s\ntests:\n    - events: [{Image: x}]\n      expect: [nope]\n", base);
    expect(y, "test 'test 1': unknown rule reference 'nope'", 1);
}

static void test_unmapped(void **state)
{
    (void)state;
    /* Sysmon process creation events carry no 'ImagePath' */
    expect("title: t\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    s:\n"
           "        ImagePath|endswith: x\n    condition: s\n",
           "7:9: warning: field 'ImagePath' is not mapped", 0);
    expect("title: t\nlogsource:\n    category: no_such_category\n    product: windows\ndetection:\n    s:\n"
           "        Image: x\n    condition: s\n",
           "3:5: warning: logsource is not mapped", 0);
    /* YAML syntax errors carry libyaml's position */
    expect("title: t\ndetection: [\n", "error:", 1);
}

static void test_mapping_in_sync(void **state)
{
    (void)state;
    extern const char et_default_mapping_yaml[];
    const char *src = getenv("EVTRIAGE_SOURCE");
    assert_non_null(src);
    char path[4096];
    snprintf(path, sizeof path, "%s/rules/sigma-mapping.yaml", src);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    if (strcmp(buf, et_default_mapping_yaml))
        fprintf(stderr, "rules/sigma-mapping.yaml differs from src/rules/mapping_default.c: regenerate it "
                        "(see docs/rules.md, 'Mapping')\n");
    assert_string_equal(buf, et_default_mapping_yaml);
}

/* By id first, then by name; the first rule in order when two share a key; unknown: NULL. */
static void test_find(void **state)
{
    (void)state;
    const char *rule = "title: %s\n%s" LS "detection:\n    s:\n        Image: x\n    condition: s\n---\n";
    char y[4096] = "";
    const char *keys[][2] = {{"one", "id: k1\nname: shared\n"}, {"two", "id: shared\nname: n2\n"},
                             {"three", "id: k3\nname: n2\n"}, {"four", "name: only\n"}, {"five", "name: only\n"}};
    for (size_t i = 0; i < 5; i++) snprintf(y + strlen(y), sizeof y - strlen(y), rule, keys[i][0], keys[i][1]);
    y[strlen(y) - 4] = 0;   /* the last "---" */
    et_ruleset *rs = load_ok(y);
    assert_int_equal(et_ruleset_count(rs), 5);
    assert_string_equal(et_ruleset_find(rs, "shared")->title, "two");   /* an id before a name */
    assert_string_equal(et_ruleset_find(rs, "k1")->title, "one");
    assert_string_equal(et_ruleset_find(rs, "n2")->title, "two");
    assert_string_equal(et_ruleset_find(rs, "only")->title, "four");
    assert_null(et_ruleset_find(rs, "k2"));
    assert_null(et_ruleset_find(rs, ""));
    assert_null(et_ruleset_find(rs, "zzz"));
    et_ruleset_free(rs);
}

static void put(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static const char *lookup_rule = "title: %s\n" LS "extract:\n    c: {field: Image, lookup: {table: %s, list: rows, match: m, value: v}}\n"
                                 "detection:\n    s:\n        Image: x\n    condition: s\n";

/* Data files: those of the rule folder's ../data are parsed with the rules and kept whether a
 * rule reads them or not; a table beside the rule file is parsed when a rule reads it; a broken
 * table is said only where a rule reads it, with its line; the caller's own data file comes back
 * through et_ruleset_data. */
static void test_data_files(void **state)
{
    (void)state;
    char root[] = "/tmp/evtriage-data-XXXXXX", dir[600], rules[600], other[600];
    assert_non_null(mkdtemp(root));
    snprintf(rules, sizeof rules, "%s/packs", root);
    snprintf(dir, sizeof dir, "%s/data", root);
    snprintf(other, sizeof other, "%s/other.yaml", root);
    assert_int_equal(mkdir(rules, 0700), 0);
    assert_int_equal(mkdir(dir, 0700), 0);
    put(dir, "t.yaml", "rows:\n  - {m: x, v: found-in-data}\n");
    put(dir, "broken.yaml", "rows:\n  - {m: x, v: y}\n  - [unclosed\n");
    put(rules, "beside.yaml", "rows:\n  - {m: x, v: found-beside}\n");
    put(root, "other.yaml", "- {code: '0x80090303'}\n");
    char r1[1024];
    snprintf(r1, sizeof r1, lookup_rule, "reads data", "t.yaml");
    put(rules, "a.yml", r1);
    snprintf(r1, sizeof r1, lookup_rule, "reads beside", "beside.yaml");
    put(rules, "b.yml", r1);
    char *paths[] = {rules};
    const char *extra[] = {other};
    et_rules_options opt = {.jobs = 2, .data = extra, .ndata = 1};
    diags g = {0};
    int nerr = 0;
    et_ruleset *rs = et_rules_load(paths, 1, &opt, collect_diag, &g, &nerr);
    if (nerr) dump_diags(&g);
    assert_non_null(rs);
    assert_int_equal(nerr, 0);
    assert_int_equal(et_ruleset_count(rs), 2);
    et_rules_data d;
    char path[700];
    snprintf(path, sizeof path, "%s/../data/t.yaml", rules);   /* any spelling of the path */
    assert_true(et_ruleset_data(rs, path, &d));
    assert_non_null(d.root);
    assert_null(d.error);
    snprintf(path, sizeof path, "%s/broken.yaml", dir);
    assert_true(et_ruleset_data(rs, path, &d));   /* parsed, though no rule reads it */
    assert_non_null(d.error);
    assert_int_equal(d.line, 4);   /* where the unclosed list runs out */
    assert_true(et_ruleset_data(rs, other, &d));
    assert_non_null(d.root);
    snprintf(path, sizeof path, "%s/beside.yaml", rules);
    assert_true(et_ruleset_data(rs, path, &d));   /* read by b.yml */
    snprintf(path, sizeof path, "%s/nosuch.yaml", dir);
    assert_false(et_ruleset_data(rs, path, &d));
    et_ruleset_free(rs);

    snprintf(r1, sizeof r1, lookup_rule, "reads broken", "broken.yaml");
    put(rules, "c.yml", r1);
    memset(&g, 0, sizeof g);
    rs = et_rules_load(paths, 1, &opt, collect_diag, &g, &nerr);
    assert_non_null(rs);
    assert_int_equal(nerr, 1);
    assert_int_equal(g.n, 1);
    assert_non_null(strstr(g.msg[0], "6:39: error: lookup table "));   /* at the rule's table: */
    assert_non_null(strstr(g.msg[0], "/packs/../data/broken.yaml: did not find expected"));
    assert_non_null(strstr(g.msg[0], "(line 4)"));
    assert_int_equal(et_ruleset_count(rs), 2);
    et_ruleset_free(rs);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typo_keys),  cmocka_unit_test(test_modifiers),
        cmocka_unit_test(test_regex),      cmocka_unit_test(test_conditions),
        cmocka_unit_test(test_references_and_extensions), cmocka_unit_test(test_unmapped),
        cmocka_unit_test(test_mapping_in_sync), cmocka_unit_test(test_find),
        cmocka_unit_test(test_data_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
