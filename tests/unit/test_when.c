/* test_when.c: `when:` of remediation steps and `rca.require`: values, lists, presence and the
 * comparisons (numbers and dotted versions part by part, text for eq/ne), as parsed from rules
 * and evaluated by et_when_holds. */
#include "test_rules_helpers.h"
#include "analyze/steps.h"

typedef struct kv { const char *k, *v; } kv;

static const char *lookup(const char *name, void *ctx)
{
    for (const kv *p = ctx; p->k; p++)
        if (!strcmp(p->k, name)) return p->v;
    return NULL;
}

#define RULE_HEAD \
    "title: t\nid: t1\nlogsource: {product: windows, service: security-spp}\n" \
    "detection:\n    s: {EventID: 12309}\n    condition: s\n"

static const et_rca *rca_of(et_ruleset *rs) { return et_ruleset_find(rs, "t1")->rca; }

static void test_require_compares_builds(void **state)
{
    (void)state;
    et_ruleset *rs = load_ok(RULE_HEAD "rca:\n    title: x\n    require: {'os_build@guest': {gt: '{os_build@host}'}}\n");
    const et_rca *r = rca_of(rs);
    assert_int_equal(r->nrequire, 1);
    assert_int_equal(r->require[0].op, ET_WHEN_GT);
    kv newer[] = {{"os_build@guest", "20348"}, {"os_build@host", "17763"}, {NULL, NULL}};
    kv same[] = {{"os_build@guest", "17763"}, {"os_build@host", "17763"}, {NULL, NULL}};
    kv older[] = {{"os_build@guest", "9600"}, {"os_build@host", "17763"}, {NULL, NULL}};   /* 4 digits < 5 */
    kv nohost[] = {{"os_build@guest", "20348"}, {NULL, NULL}};
    kv text[] = {{"os_build@guest", "unknown"}, {"os_build@host", "17763"}, {NULL, NULL}};
    assert_true(et_when_holds(r->require, r->nrequire, lookup, newer));
    assert_false(et_when_holds(r->require, r->nrequire, lookup, same));
    assert_false(et_when_holds(r->require, r->nrequire, lookup, older));
    assert_false(et_when_holds(r->require, r->nrequire, lookup, nohost));   /* a missing side never holds */
    assert_false(et_when_holds(r->require, r->nrequire, lookup, text));
    et_ruleset_free(rs);
}

static void test_versions_part_by_part(void **state)
{
    (void)state;
    et_ruleset *rs = load_ok(RULE_HEAD "rca:\n    title: x\n    require: {v: {lt: '{w}'}, v2: {gte: '10.0.17763'}}\n");
    const et_rca *r = rca_of(rs);
    kv a[] = {{"v", "10.0.9.1"}, {"w", "10.0.10"}, {"v2", "10.0.17763.6532"}, {NULL, NULL}};
    kv b[] = {{"v", "10.0.10"}, {"w", "10.0.10"}, {"v2", "10.0.17763"}, {NULL, NULL}};
    kv c[] = {{"v", "10.0.010"}, {"w", "10.0.11"}, {"v2", "10.0.14393.1"}, {NULL, NULL}};
    assert_true(et_when_holds(r->require, r->nrequire, lookup, a));    /* 9 < 10 although "9" > "1" */
    assert_false(et_when_holds(r->require, r->nrequire, lookup, b));   /* equal is not lt */
    assert_false(et_when_holds(r->require, r->nrequire, lookup, c));   /* 14393 < 17763 */
    et_ruleset_free(rs);
}

static void test_eq_ne_on_text_and_values(void **state)
{
    (void)state;
    et_ruleset *rs = load_ok(RULE_HEAD "rca:\n    title: x\n"
                             "    require: {edition: {ne: 'Datacenter'}, kms_class: [azure-current, azure-legacy], agent: true, gone: false}\n");
    const et_rca *r = rca_of(rs);
    assert_int_equal(r->nrequire, 4);
    kv ok[] = {{"edition", "Standard"}, {"kms_class", "AZURE-legacy"}, {"agent", "WindowsAzureGuestAgent"}, {NULL, NULL}};
    kv dc[] = {{"edition", "datacenter"}, {"kms_class", "azure-current"}, {"agent", "x"}, {NULL, NULL}};
    kv onprem[] = {{"edition", "Standard"}, {"kms_class", "on-premises"}, {"agent", "x"}, {NULL, NULL}};
    kv noagent[] = {{"edition", "Standard"}, {"kms_class", "azure-current"}, {NULL, NULL}};
    kv present[] = {{"edition", "Standard"}, {"kms_class", "azure-current"}, {"agent", "x"}, {"gone", "y"}, {NULL, NULL}};
    assert_true(et_when_holds(r->require, r->nrequire, lookup, ok));
    assert_false(et_when_holds(r->require, r->nrequire, lookup, dc));        /* ne is case-insensitive */
    assert_false(et_when_holds(r->require, r->nrequire, lookup, onprem));
    assert_false(et_when_holds(r->require, r->nrequire, lookup, noagent));
    assert_false(et_when_holds(r->require, r->nrequire, lookup, present));
    et_ruleset_free(rs);
}

static void test_step_when_compares_too(void **state)
{
    (void)state;
    et_ruleset *rs = load_ok(RULE_HEAD "rca:\n    title: x\n    remediation:\n"
                             "        - {text: t, run: 'Get-Date', if: 'the host is older', when: {'b@g': {gt: '{b@h}'}}}\n");
    const et_step_tpl *st = &rca_of(rs)->remediation[0];
    assert_int_equal(st->nwhen, 1);
    kv yes[] = {{"b@g", "26100"}, {"b@h", "20348"}, {NULL, NULL}};
    kv no[] = {{"b@g", "20348"}, {"b@h", "26100"}, {NULL, NULL}};
    assert_true(et_when_holds(st->when, st->nwhen, lookup, yes));
    assert_false(et_when_holds(st->when, st->nwhen, lookup, no));
    et_ruleset_free(rs);
}

static void test_bad_comparisons_are_errors(void **state)
{
    (void)state;
    diags g;
    et_ruleset *rs = load_rules(RULE_HEAD "rca:\n    title: x\n    require: {a: {above: '1'}}\n", &g);
    assert_true(has_diag(&g, "unknown comparison 'above'"));
    et_ruleset_free(rs);
    rs = load_rules(RULE_HEAD "rca:\n    title: x\n    require: {a: {gt: '1', lt: '3'}}\n", &g);
    assert_true(has_diag(&g, "a comparison is one of"));
    et_ruleset_free(rs);
    rs = load_rules(RULE_HEAD "rca:\n    title: x\n    require: {a: {gt: '{b'}}\n", &g);
    assert_true(has_diag(&g, "unterminated"));
    et_ruleset_free(rs);
    rs = load_rules(RULE_HEAD "rca:\n    title: x\n    require: [a]\n", &g);
    assert_true(has_diag(&g, "require is a map"));
    et_ruleset_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_require_compares_builds),
        cmocka_unit_test(test_versions_part_by_part),
        cmocka_unit_test(test_eq_ne_on_text_and_values),
        cmocka_unit_test(test_step_when_compares_too),
        cmocka_unit_test(test_bad_comparisons_are_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
