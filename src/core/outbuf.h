/* outbuf.h: a growable byte buffer with JSON escaping, used to build output lines (CSV cells:
 * output/csv.h). */
#ifndef EVTRIAGE_OUTBUF_H
#define EVTRIAGE_OUTBUF_H
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

typedef struct et_buf {
    char *data;
    size_t len, cap;
} et_buf;

void et_buf_free(et_buf *b);
void et_buf_reserve(et_buf *b, size_t extra);
void et_buf_put(et_buf *b, const char *s, size_t n);
void et_buf_puts(et_buf *b, const char *s);
void et_buf_putc(et_buf *b, char c);
void et_buf_printf(et_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Integer formatting without printf (the per-record hot path renders every number):
 * decimal zero-padded to at least minwidth digits, signed decimal, hexadecimal. */
void et_buf_put_udec(et_buf *b, uint64_t v, unsigned minwidth);
void et_buf_put_idec(et_buf *b, int64_t v);
void et_buf_put_hex(et_buf *b, uint64_t v, unsigned minwidth, int upper);
/* Length of the valid UTF-8 sequence at s, or 0 when it is invalid. */
size_t et_utf8_len(const unsigned char *s);
/* Appends s as a quoted JSON string: control characters (C0, DEL, C1) escaped, invalid UTF-8 ->
 * U+FFFD: printed to a terminal, the JSON carries no control sequence. */
void et_buf_json_str(et_buf *b, const char *s);
/* Writes the buffer to f and empties it. Returns 0 or -1 on write error. */
int et_buf_flush(et_buf *b, FILE *f);
/* Inside a long list (a batch's thousands of inputs): flushes once the buffer holds 64 KiB, so
 * a report is written as it is built, not held whole; a write error sets *rc to -1. */
void et_buf_spill(et_buf *b, FILE *f, int *rc);

#endif
