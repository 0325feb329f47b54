/* test_csv.c: CSV cells of text from the logs (output/csv.c): RFC 4180 quoting, a spreadsheet
 * formula neutralised (OWASP: a ' in front, the cell quoted), control characters cleaned for a
 * terminal or a one-line timeline. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "output/csv.h"

static void check(const char *in, bool clean, const char *want)
{
    et_buf b = {0};
    et_csv_cell(&b, in, clean);
    assert_string_equal(b.data ? b.data : "", want);
    et_buf_free(&b);
}

static void test_quoting(void **state)
{
    (void)state;
    check("plain", false, "plain");
    check("a,\"b\"", false, "\"a,\"\"b\"\"\"");
    check("two\nlines", false, "\"two\nlines\"");
    check("", false, "");
    check(NULL, false, "");
    check("\"", false, "\"\"\"\"");
}

/* The review's payloads (../shared/security/2026-12 defect 3) and OWASP's list. */
static void test_formulas(void **state)
{
    (void)state;
    check("=cmd|' /C calc'!A0", false, "\"'=cmd|' /C calc'!A0\"");
    check("=HYPERLINK(\"http://evil.example/\",\"click\")", false,
          "\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"click\"\")\"");
    check("+SUM(1+1)*cmd|' /C calc'!A0", false, "\"'+SUM(1+1)*cmd|' /C calc'!A0\"");
    check("-2+3+cmd|' /C calc'!A0", false, "\"'-2+3+cmd|' /C calc'!A0\"");
    check("@SUM(1+1)*cmd|' /C calc'!A0", false, "\"'@SUM(1+1)*cmd|' /C calc'!A0\"");
    check("\t=1+1", false, "\"'\t=1+1\"");
    check("\r=1+1", false, "\"'\r=1+1\"");
    check("  =1+1", false, "\"'  =1+1\"");     /* past leading blanks */
    check("'=1+1", false, "\"''=1+1\"");       /* a leading ' gets one too: the rule has no exception */
    check("-1", false, "\"'-1\"");
    check("a=b", false, "a=b");                /* only the start counts */
    check("S-1-5-18", false, "S-1-5-18");
}

/* clean: a terminal or a one-line timeline sees no control character; then neutralised. */
static void test_clean(void **state)
{
    (void)state;
    check("a\x1b[2Jb", true, "a [2Jb");
    check("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", true, " ]8;;http://x \\link ]8;; \\");
    check("\x1b]52;c;ZXZpbA==\x07", true, " ]52;c;ZXZpbA== ");
    check("two\nlines", true, "two lines");
    check("\xc2\x9b" "31m", true, " 31m");     /* C1 CSI */
    check("\xff", true, "\xEF\xBF\xBD");
    check("\t=1+1", true, "\"' =1+1\"");      /* the tab is a blank now; the = after it still counts */
    check("a\x1b[2Jb", false, "a\x1b[2Jb");    /* a file keeps the value as it is */
}

static void test_neutralised(void **state)
{
    (void)state;
    assert_true(et_csv_neutralised("="));
    assert_true(et_csv_neutralised("\t"));
    assert_true(et_csv_neutralised("'"));
    assert_true(et_csv_neutralised(" \n@x"));
    assert_false(et_csv_neutralised("x="));
    assert_false(et_csv_neutralised("   "));
    assert_false(et_csv_neutralised(""));
    assert_false(et_csv_neutralised(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoting), cmocka_unit_test(test_formulas), cmocka_unit_test(test_clean),
        cmocka_unit_test(test_neutralised),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
