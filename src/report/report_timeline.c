/* report_timeline.c: the timeline as Timesketch-importable CSV and JSON Lines. */
#include "report/report.h"
#include "core/termtext.h"
#include "core/outbuf.h"
#include "core/timeutil.h"
#include "output/csv.h"
#include <inttypes.h>
#include <string.h>
#include <time.h>

static const char *const columns[] = {"datetime", "timestamp_desc", "message", "host", "channel", "provider",
                                      "event_id", "record_id", "file", "rule", "severity", "recovered", NULL};

/* Timesketch's form of ISO 8601: "2024-05-01T10:00:00.123456+00:00" (UTC, microseconds). */
static void ts_datetime(int64_t ft, char out[96])
{
    if (ft < 0) ft = 0;
    time_t t = (time_t)(ft / ET_TICKS_PER_SEC - ET_EPOCH_DIFF_TICKS / ET_TICKS_PER_SEC);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) { snprintf(out, 96, "1970-01-01T00:00:00.000000+00:00"); return; }
    snprintf(out, 96, "%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ft % ET_TICKS_PER_SEC / 10));
}

/* The message Timesketch shows, on one line (control characters -> space); never empty. */
static void entry_message(et_buf *b, const et_timeline_entry *t)
{
    if (t->message && *t->message) { et_term_clean(b, t->message); return; }
    et_term_clean(b, t->provider ? t->provider : t->channel ? t->channel : "event");
    et_buf_printf(b, " event %" PRIu32, t->event_id);
}

/* A cell of text from the logs: one line, a formula neutralised (et_csv_cell). */
static void csv_cell(et_buf *b, const char *s)
{
    et_csv_cell(b, s ? s : "", true);
    et_buf_putc(b, ',');
}

/* datetime, timestamp_desc, event_id, record_id, severity and recovered are ours: they never
 * start with a formula character, so Timesketch parses them as before. */
static void csv_row(et_buf *b, const et_timeline_entry *t)
{
    char dt[96];
    ts_datetime(t->timestamp, dt);
    et_buf_printf(b, "%s,Event Recorded,", dt);
    et_buf msg = {0};
    entry_message(&msg, t);
    csv_cell(b, msg.data);
    et_buf_free(&msg);
    csv_cell(b, t->host);
    csv_cell(b, t->channel);
    csv_cell(b, t->provider);
    et_buf_printf(b, "%" PRIu32 ",%" PRIu64 ",", t->event_id, t->record_id);
    csv_cell(b, t->file);
    csv_cell(b, t->rule);
    et_buf_printf(b, "%s,%s\n", et_severity_name(t->severity), t->recovered ? "true" : "false");
}

/* Writes every entry of the whole timeline (the store, else the in-memory one) through row. */
typedef struct tl_writer { et_buf b; FILE *f; void (*row)(et_buf *, const et_timeline_entry *); int rc; } tl_writer;

static int write_one(const et_timeline_entry *t, void *ctx)
{
    tl_writer *w = ctx;
    w->row(&w->b, t);
    et_buf_spill(&w->b, w->f, &w->rc);
    return w->rc;
}

static int write_all(const et_report *r, tl_writer *w)
{
    if (r->tlstore) et_tl_store_each(r->tlstore, write_one, w);
    else
        for (size_t i = 0; i < r->ntimeline && !w->rc; i++) write_one(&r->timeline[i], w);
    if (et_buf_flush(&w->b, w->f)) w->rc = -1;
    et_buf_free(&w->b);
    return w->rc;
}

int et_report_write_timeline_csv(const et_report *r, FILE *f)
{
    tl_writer w = {.f = f, .row = csv_row};
    for (int i = 0; columns[i]; i++) et_buf_printf(&w.b, "%s%s", i ? "," : "", columns[i]);
    et_buf_putc(&w.b, '\n');
    return write_all(r, &w);
}

static void json_field(et_buf *b, const char *key, const char *val)
{
    et_buf_printf(b, ",\"%s\":", key);
    if (val) et_buf_json_str(b, val);
    else et_buf_puts(b, "null");
}

static void jsonl_row(et_buf *b, const et_timeline_entry *t)
{
    char dt[96];
    ts_datetime(t->timestamp, dt);
    et_buf_printf(b, "{\"datetime\":\"%s\",\"timestamp_desc\":\"Event Recorded\",\"message\":", dt);
    et_buf msg = {0};
    entry_message(&msg, t);
    et_buf_json_str(b, msg.data);
    et_buf_free(&msg);
    json_field(b, "host", t->host);
    json_field(b, "channel", t->channel);
    json_field(b, "provider", t->provider);
    et_buf_printf(b, ",\"event_id\":%" PRIu32 ",\"record_id\":%" PRIu64, t->event_id, t->record_id);
    json_field(b, "file", t->file);
    json_field(b, "rule", t->rule);
    et_buf_printf(b, ",\"severity\":\"%s\",\"recovered\":%s}\n", et_severity_name(t->severity),
                  t->recovered ? "true" : "false");
}

int et_report_write_timeline_jsonl(const et_report *r, FILE *f)
{
    tl_writer w = {.f = f, .row = jsonl_row};
    return write_all(r, &w);
}
