/* csv.h: one CSV cell of text that came from an input, the one way every CSV evtriage writes
 * (dump, hunt, the analyze timeline) puts such text: RFC 4180 quoting, a spreadsheet formula
 * neutralised, control characters cleaned where asked. */
#ifndef EVTRIAGE_CSV_H
#define EVTRIAGE_CSV_H
#include <stdbool.h>
#include "core/outbuf.h"

/* Appends s (NULL: an empty cell) as one CSV cell. With clean, s goes through et_term_clean
 * first (control characters, ESC and line breaks among them, -> space; invalid UTF-8 ->
 * U+FFFD): for CSV printed to a terminal, and for the timeline, whose cells stay on one line.
 * A value starting with = + - @ TAB CR (what a spreadsheet may read as a formula: OWASP's
 * list), with one of = + - @ after leading blanks, or with ' gets a ' in front and is quoted:
 * no cell starts with a formula character, and the value is the cell with its first ' taken
 * off (a cell starting with ' always had one put there). Other cells are quoted when they hold
 * , " CR or LF; a " inside a quoted cell is doubled. */
void et_csv_cell(et_buf *b, const char *s, bool clean);
/* Whether a value starting so gets the ' (for tests and the fuzz target). */
bool et_csv_neutralised(const char *s);

#endif
