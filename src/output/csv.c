/* csv.c: one CSV cell of text from an input (see csv.h): cleaned for a terminal when asked,
 * a leading formula character neutralised as OWASP's CSV injection guidance advises (a ' in
 * front, the cell quoted), RFC 4180 quoting. */
#include "output/csv.h"
#include "core/termtext.h"
#include <string.h>

bool et_csv_neutralised(const char *s)
{
    if (!s || !s[0]) return false;
    if (strchr("\t\r'", s[0])) return true;
    s += strspn(s, " \t\r\n");   /* some spreadsheets read past leading blanks */
    return s[0] && strchr("=+-@", s[0]);
}

void et_csv_cell(et_buf *b, const char *s, bool clean)
{
    if (!s) return;
    et_buf tmp = {0};
    if (clean) {
        et_term_clean(&tmp, s);
        s = tmp.data ? tmp.data : "";
    }
    bool neutral = et_csv_neutralised(s);
    if (!neutral && !strpbrk(s, ",\"\r\n")) {
        et_buf_puts(b, s);
    } else {
        et_buf_putc(b, '"');
        if (neutral) et_buf_putc(b, '\'');
        for (const char *q; (q = strchr(s, '"')); s = q + 1) {
            et_buf_put(b, s, (size_t)(q - s) + 1);   /* up to and with the quote, which is doubled */
            et_buf_putc(b, '"');
        }
        et_buf_puts(b, s);
        et_buf_putc(b, '"');
    }
    et_buf_free(&tmp);
}
