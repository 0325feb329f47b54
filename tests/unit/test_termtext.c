/* test_termtext.c: text for a terminal (core/termtext.c): UTF-8 checked, control characters
 * cleaned (reports, progress, hunt's table) or escaped without loss (diagnostics), columns
 * counted with East Asian wide characters as two, heads and tails cut at character boundaries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "core/termtext.h"

static void test_utf8_len(void **state)
{
    (void)state;
    assert_int_equal(et_utf8_len((const unsigned char *)"a"), 1);
    assert_int_equal(et_utf8_len((const unsigned char *)"\xC3\xA9"), 2);
    assert_int_equal(et_utf8_len((const unsigned char *)"\xE6\x97\xA5"), 3);
    assert_int_equal(et_utf8_len((const unsigned char *)"\xF0\x9F\x98\x80"), 4);
    assert_int_equal(et_utf8_len((const unsigned char *)"\xC0\xAF"), 0);           /* overlong */
    assert_int_equal(et_utf8_len((const unsigned char *)"\xED\xA0\x80"), 0);       /* surrogate */
    assert_int_equal(et_utf8_len((const unsigned char *)"\xFF"), 0);
    assert_int_equal(et_utf8_len((const unsigned char *)"\xC3"), 0);               /* cut short */
}

static void check(void (*fn)(et_buf *, const char *), const char *in, const char *want)
{
    et_buf b = {0};
    fn(&b, in);
    assert_string_equal(b.data ? b.data : "", want);
    et_buf_free(&b);
}

static void test_clean_and_escape(void **state)
{
    (void)state;
    check(et_term_clean, "a\x1b[31mb\nc\x7f\xC2\x9B" "d\xFF" "e caf\xC3\xA9", "a [31mb c  d\xEF\xBF\xBD" "e caf\xC3\xA9");
    check(et_term_escape, "a\x1b[31mb\nc\x7f\xC2\x9B" "d\xFF" "e caf\xC3\xA9",
          "a\\x1B[31mb\\x0Ac\\x7F\\xC2\\x9Bd\\xFFe caf\xC3\xA9");
    check(et_term_escape, "C:\\Windows\\System32", "C:\\Windows\\System32");   /* backslashes kept */
    check(et_term_clean, NULL, "");
}

static void test_columns_and_tail(void **state)
{
    (void)state;
    const char *jp = "\xE6\x97\xA5\xE6\x9C\xAC/x.evtx";   /* 日本/x.evtx: 2 + 2 + 7 columns */
    assert_int_equal(et_term_columns(jp, strlen(jp)), 11);
    assert_int_equal(et_term_columns("caf\xC3\xA9", 5), 4);
    assert_int_equal(et_term_columns("\xEA\xB0\x80", 3), 2);                   /* Hangul */
    assert_int_equal(et_term_columns("\xEF\xBC\xA1", 3), 2);                   /* fullwidth A */
    assert_int_equal(et_term_tail(jp, 100), 0);
    assert_int_equal(et_term_tail(jp, 7), 6);       /* "/x.evtx" */
    assert_int_equal(et_term_tail(jp, 8), 6);       /* 本 needs two: not cut in half */
    assert_int_equal(et_term_tail(jp, 9), 3);
    assert_int_equal(et_term_tail(jp, 0), strlen(jp));
    size_t used;
    assert_int_equal(et_term_head(jp, strlen(jp), 3, &used), 3);   /* 日 fits, 本 would not */
    assert_int_equal(used, 2);
    assert_int_equal(et_term_head(jp, strlen(jp), 100, &used), strlen(jp));
    assert_int_equal(used, 11);
    assert_int_equal(et_term_head(jp, strlen(jp), 1, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_len),
        cmocka_unit_test(test_clean_and_escape),
        cmocka_unit_test(test_columns_and_tail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
