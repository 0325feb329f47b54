/* termtext.h: text for a terminal: UTF-8 sequences checked, control characters kept out (an
 * archive member's name can carry ESC sequences), columns counted with East Asian wide
 * characters as two, so that a line is cut to fit. Used by the terminal report, the progress
 * line and diagnostics. */
#ifndef EVTRIAGE_TERMTEXT_H
#define EVTRIAGE_TERMTEXT_H
#include <stddef.h>
#include "core/outbuf.h"   /* et_utf8_len */

/* Appends s (NULL: nothing) as one line: invalid UTF-8 -> U+FFFD, control characters (ESC, C1
 * and line breaks too) -> space. */
void et_term_clean(et_buf *out, const char *s);
/* Appends s for a line of diagnostics, nothing lost: control characters (C0, DEL, C1) and
 * bytes that are not UTF-8 as \xHH, the rest as it is. */
void et_term_escape(et_buf *out, const char *s);
/* Writes "display: message" to stderr as one line of diagnostics, both parts through
 * et_term_escape (the line every command says an input's problem in). */
void et_term_say(const char *display, const char *message);
/* Columns the first n bytes of s (clean UTF-8) take on a terminal. */
size_t et_term_columns(const char *s, size_t n);
/* How many of the first len bytes of s (clean UTF-8) fit in cols columns, whole characters;
 * *used: the columns they take (may be NULL). */
size_t et_term_head(const char *s, size_t len, size_t cols, size_t *used);
/* Where in s (clean UTF-8, NUL-terminated) the longest tail that fits in cols columns starts. */
size_t et_term_tail(const char *s, size_t cols);

#endif
