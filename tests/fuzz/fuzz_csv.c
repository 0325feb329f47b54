/* fuzz_csv.c: libFuzzer target: hostile event values through every CSV evtriage writes. The
 * input is a flags byte (bit 0: cleaned for a terminal) and up to eight values split at NUL
 * bytes: computer, channel, provider, file, a field's value, another field's name and value,
 * and a rule's message. Each value goes through et_csv_cell, a dump row (every default column
 * and the two fields by name: et_event_column) and a timeline file of one entry
 * (et_report_write_timeline_csv); the output is parsed back as RFC 4180 and must hold: each
 * row has its header's number of cells; no cell starts with = + - @ TAB or CR; a text cell is
 * the value (cleaned where the output is) with its first ' taken off, and has one exactly when
 * et_csv_neutralised says so; a cleaned cell holds no control character and valid UTF-8. A
 * broken invariant aborts, so the fuzzer says so. */
#include "fuzz.h"
#include "core/event.h"
#include "core/outbuf.h"
#include "core/termtext.h"
#include "output/csv.h"
#include "output/event_json.h"
#include "report/report.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NVALUES 8
#define MAX_CELLS 64

static void fail(const char *what, const char *a, const char *b)
{
    fprintf(stderr, "fuzz_csv: %s\n  got:  '%s'\n  want: '%s'\n", what, a ? a : "(null)", b ? b : "(null)");
    abort();
}

/* A CSV text parsed strictly (RFC 4180: a quoted cell ends at a lone quote followed by a comma,
 * a line break or the end; an unquoted cell holds no quote), one row at a time. */
typedef struct csv_row { char *cell[MAX_CELLS]; size_t n; } csv_row;

static const char *parse_row(const char *p, csv_row *r)
{
    r->n = 0;
    for (;;) {
        et_buf c = {0};
        et_buf_puts(&c, "");
        if (*p == '"') {
            for (p++;; p++) {
                if (!*p) fail("a quoted cell never closes", p, "");
                if (*p == '"' && p[1] == '"') { et_buf_putc(&c, '"'); p++; continue; }
                if (*p == '"') { p++; break; }
                et_buf_putc(&c, *p);
            }
            if (*p != ',' && *p != '\n' && *p) fail("text after a quoted cell", p, "");
        } else {
            for (; *p && *p != ',' && *p != '\n'; p++) {
                if (*p == '"' || *p == '\r') fail("a quote or CR in an unquoted cell", p, "");
                et_buf_putc(&c, *p);
            }
        }
        if (r->n == MAX_CELLS) fail("too many cells", p, "");
        r->cell[r->n++] = c.data;
        if (*p == ',') { p++; continue; }
        return *p == '\n' ? p + 1 : p;
    }
}

static void row_free(csv_row *r)
{
    for (size_t i = 0; i < r->n; i++) free(r->cell[i]);
    r->n = 0;
}

/* What a cell must hold for value v: v (cleaned when clean), a ' in front when neutralised. */
static char *expected(const char *v, bool clean)
{
    et_buf b = {0};
    et_buf_puts(&b, "");
    if (clean) et_term_clean(&b, v ? v : "");
    else et_buf_puts(&b, v ? v : "");
    if (et_csv_neutralised(b.data)) {
        et_buf w = {0};
        et_buf_putc(&w, '\'');
        et_buf_puts(&w, b.data);
        et_buf_free(&b);
        return w.data;
    }
    return b.data;
}

static void check_cell(const char *cell, const char *v, bool clean, const char *where)
{
    if (cell[0] && strchr("=+-@\t\r", cell[0])) fail(where, cell, "no formula character first");
    if (clean)
        for (const unsigned char *p = (const unsigned char *)cell; *p;) {
            size_t n = et_utf8_len(p);
            if (!n || (n == 1 && (*p < 0x20 || *p == 0x7F)) || (n == 2 && p[0] == 0xC2 && p[1] < 0xA0))
                fail(where, cell, "no control character or invalid UTF-8 in a cleaned cell");
            p += n;
        }
    if (!v) return;
    char *want = expected(v, clean);
    if (strcmp(cell, want)) fail(where, cell, want);
    free(want);
}

/* One value alone: exactly one cell. */
static void check_one(const char *v, bool clean)
{
    et_buf b = {0};
    et_csv_cell(&b, v, clean);
    et_buf_putc(&b, '\n');
    csv_row r;
    const char *end = parse_row(b.data, &r);
    if (*end || r.n != 1) fail("one value is not one cell", b.data, v);
    check_cell(r.cell[0], v, clean, "et_csv_cell");
    row_free(&r);
    et_buf_free(&b);
}

static const char *const dump_columns[] = {"file", "record_id", "timestamp", "event_id", "provider", "provider_guid",
                                           "channel", "computer", "user_sid", "fields", "Msg", NULL};

static void check_dump(const et_event *ev, const char *name2, bool clean)
{
    et_buf b = {0};
    size_t n = 0;
    for (; dump_columns[n]; n++) {
        if (n) et_buf_putc(&b, ',');
        et_event_column(&b, ev, dump_columns[n], clean);
    }
    et_buf_putc(&b, ',');
    et_event_column(&b, ev, name2, clean);
    et_buf_putc(&b, '\n');
    csv_row r;
    const char *end = parse_row(b.data, &r);
    if (*end || r.n != n + 1) fail("a dump row has another number of cells than its columns", b.data, "");
    const char *text[] = {ev->file, NULL, NULL, NULL, ev->provider, ev->provider_guid, ev->channel, ev->computer,
                          ev->user_sid, NULL, ev->fields[0].value, ev->fields[1].value};
    for (size_t i = 0; i < r.n; i++) check_cell(r.cell[i], text[i], clean, "dump row");
    row_free(&r);
    et_buf_free(&b);
}

/* The timeline file of one entry: a header and one row of 12 cells; text cells one line. */
static void check_timeline(const et_timeline_entry *t)
{
    et_report rep = {0};
    rep.timeline = (et_timeline_entry *)t;
    rep.ntimeline = 1;
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f) abort();
    if (et_report_write_timeline_csv(&rep, f) != 0) abort();
    fclose(f);
    csv_row head, row;
    const char *p = parse_row(out, &head);
    p = parse_row(p, &row);
    if (*p || head.n != 12 || row.n != 12) fail("the timeline is not a header and one row of 12 cells", out, "");
    if (row.cell[0][0] < '0' || row.cell[0][0] > '9' || strcmp(row.cell[1], "Event Recorded"))
        fail("datetime or timestamp_desc", out, "");
    const char *text[] = {NULL, NULL, t->message && *t->message ? t->message : NULL, t->host, t->channel, t->provider,
                          NULL, NULL, t->file, t->rule, NULL, NULL};
    for (size_t i = 0; i < row.n; i++) check_cell(row.cell[i], text[i], true, "timeline row");
    row_free(&head);
    row_free(&row);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    bool clean = data[0] & 1;
    char *text = malloc(size);
    if (!text) abort();
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    const char *v[NVALUES] = {0};
    size_t nv = 0;
    for (char *p = text; nv < NVALUES && p <= text + size - 1; p += strlen(p) + 1) v[nv++] = p;
    for (size_t i = 0; i < NVALUES; i++)
        if (!v[i]) v[i] = i % 2 ? "" : "=1+1";
    for (size_t i = 0; i < NVALUES; i++) check_one(v[i], clean);
    et_buf name2 = {0};   /* a field name that no top-level column shadows ("provider_guid" would) */
    et_buf_printf(&name2, "F:%s", v[5]);
    et_field fields[2] = {{"Msg", v[4]}, {name2.data, v[6]}};
    et_event ev = {.file = v[3], .record_id = 7, .timestamp = 133000000000000000LL, .event_id = 1000,
                   .provider = v[2], .channel = v[1], .computer = v[0], .user_sid = "S-1-5-18",
                   .nfields = 2, .fields = fields};
    check_dump(&ev, name2.data, clean);
    et_timeline_entry t = {.timestamp = ev.timestamp, .host = (char *)v[0], .channel = (char *)v[1],
                           .provider = (char *)v[2], .event_id = 1000, .message = (char *)v[7], .file = (char *)v[3],
                           .record_id = 7, .rule = (char *)v[5], .severity = ET_SEV_HIGH};
    check_timeline(&t);
    et_buf_free(&name2);
    free(text);
    return 0;
}
