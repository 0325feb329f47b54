/* test_caps.c: every per-host or per-key table of a report is bounded for real, and says what
 * it left out: the timeline's counts by host and rule (report/tlstore.c: the 257th key used to
 * open the table to every later host), the report's host list (report_util.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "report/report.h"

static char *host_name(size_t i)
{
    char b[32];
    snprintf(b, sizeof b, "HOST%04zu", i);
    return strdup(b);
}

static void test_timeline_key_cap(void **state)
{
    (void)state;
    et_tl_store *s = et_tl_store_new_sized(100);
    const size_t hosts = 600, per = 3;
    for (size_t k = 0; k < per; k++)
        for (size_t i = 0; i <= hosts; i++) {   /* i == hosts: no Computer */
            et_timeline_entry e = {.timestamp = (int64_t)(k * 1000 + i), .record_id = k * 1000 + i};
            e.host = i < hosts ? host_name(i) : NULL;
            e.rule = i % 2 ? host_name(i) : NULL;   /* 300 rules */
            et_tl_store_add(s, &e);
        }
    const et_tl_counts *c = et_tl_store_counts(s);
    assert_int_equal(c->entries, (hosts + 1) * per);
    assert_int_equal(c->nhosts, ET_TL_MAX_KEYS);
    size_t listed = 0, empty = 0;
    for (size_t i = 0; i < c->nhosts; i++) {
        listed += c->hosts[i].n;
        if (!c->hosts[i].key[0]) empty = c->hosts[i].n;
        assert_int_equal(c->hosts[i].n, per);   /* each listed host counted whole, never a catch-all */
    }
    assert_int_equal(empty, 0);                 /* "" came last: past the bound */
    assert_int_equal(listed + c->hosts_other, c->entries);
    assert_int_equal(c->hosts_other, (hosts + 1 - ET_TL_MAX_KEYS) * per);
    assert_int_equal(c->nrules, ET_TL_MAX_KEYS);
    assert_int_equal(c->rules_other, (hosts / 2 - ET_TL_MAX_KEYS) * per);
    /* the counts are taken again without the copies: the same bounds */
    size_t dropped;
    assert_true(et_tl_store_drop_copies(s, &dropped));
    assert_int_equal(dropped, 0);
    c = et_tl_store_counts(s);
    assert_int_equal(c->nhosts, ET_TL_MAX_KEYS);
    assert_int_equal(c->hosts_other, (hosts + 1 - ET_TL_MAX_KEYS) * per);
    et_tl_store_free(s);
}

static void test_report_hosts_cap(void **state)
{
    (void)state;
    et_report r = {0};
    et_input in[3] = {0};
    r.inputs = in;
    r.ninputs = 3;
    for (size_t k = 0; k < 3; k++) {
        in[k].nhosts = 40;
        in[k].hosts = calloc(40, sizeof *in[k].hosts);
        for (size_t i = 0; i < 40; i++) in[k].hosts[i] = host_name(i + k * 20);   /* 100 distinct, overlapping */
    }
    const char **h;
    size_t n = et_report_hosts(&r, &h);
    assert_int_equal(n, ET_REPORT_MAX_HOSTS);
    assert_string_equal(h[0], "HOST0000");
    assert_string_equal(h[40], "HOST0040");   /* first seen first, each once */
    assert_true(et_report_hosts_more(&r));
    free(h);
    r.ninputs = 1;   /* 40 hosts: all listed, no "more" */
    assert_int_equal(et_report_hosts(&r, &h), 40);
    assert_false(et_report_hosts_more(&r));
    free(h);
    in[0].hosts_more = true;
    assert_true(et_report_hosts_more(&r));
    for (size_t k = 0; k < 3; k++) {
        for (size_t i = 0; i < 40; i++) free(in[k].hosts[i]);
        free(in[k].hosts);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timeline_key_cap), cmocka_unit_test(test_report_hosts_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
