/* report_svg.c: the HTML report's timeline: inline SVG, one lane per host, events as marks
 * coloured by severity (x = time), hover titles with the message. */
#include "report/report.h"
#include "core/outbuf.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define SVG_W 1100
#define LABEL_W 200
#define PAD_R 30
#define AXIS_H 26
#define LANE_H 30
#define MAX_LANES 60
#define MAX_MARKS 20000
#define TICKS 5

/* One event drawn on the timeline. */
typedef struct mark {
    int64_t t;
    const char *host, *channel, *message, *rule;
    uint32_t event_id;
    et_severity sev;
    int lane;
} mark;

typedef struct marks { mark *v; size_t n, cap; } marks;

static void mark_add(marks *m, mark x)
{
    if (x.t <= 0) return;
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 256;
        m->v = realloc(m->v, m->cap * sizeof *m->v);
        if (!m->v) abort();
    }
    m->v[m->n++] = x;
}

/* Timeline entries, or the findings' evidence when the report has no timeline. */
static marks collect_marks(const et_report *r)
{
    marks m = {0};
    for (size_t i = 0; i < r->ntimeline; i++) {
        const et_timeline_entry *e = &r->timeline[i];
        mark_add(&m, (mark){e->timestamp, e->host, e->channel, e->message, e->rule, e->event_id, e->severity, -1});
    }
    for (size_t i = 0; !r->ntimeline && i < r->nfindings; i++) {
        const et_finding *f = &r->findings[i];
        for (size_t j = 0; j < f->nevidence; j++) {
            const et_evidence *e = &f->evidence[j];
            mark_add(&m, (mark){e->timestamp, e->computer, e->channel, e->message ? e->message : f->title, f->rule,
                                e->event_id, f->severity, -1});
        }
    }
    return m;
}

static int lane_of(const char **hosts, size_t n, const char *h)
{
    for (size_t i = 0; h && i < n; i++)
        if (!strcmp(hosts[i], h)) return (int)i;
    return -1;
}

/* Axis label for time t: shorter when the span is short. */
static void tick_label(const et_report *r, int64_t t, int64_t span, char out[64])
{
    char full[64];
    et_report_format_time(r, t, full);
    const int64_t hour = 3600LL * 10000000LL;
    size_t from = 0, len = 16;                   /* YYYY-MM-DD HH:MM */
    if (span < hour) { from = 11; len = 8; }     /* HH:MM:SS */
    else if (span < 24 * hour) { from = 5; len = 11; } /* MM-DD HH:MM */
    if (strlen(full) < from + len) { memcpy(out, full, strlen(full) + 1); return; }
    memcpy(out, full + from, len);
    out[len] = 0;
}

static void svg_axis(et_buf *b, const et_report *r, int64_t t0, int64_t t1, int height)
{
    double w = SVG_W - LABEL_W - PAD_R;
    for (int i = 0; i <= TICKS; i++) {
        double x = LABEL_W + w * i / TICKS;
        char lab[64];
        tick_label(r, t0 + (int64_t)((double)(t1 - t0) * i / TICKS), t1 - t0, lab);
        et_buf_printf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", x, AXIS_H - 4, x,
                      height - 10);
        et_buf_printf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">", x, AXIS_H - 9,
                      i == TICKS ? "end" : "middle");
        et_report_html_text(b, lab);
        et_buf_puts(b, "</text>\n");
    }
}

static void svg_mark(et_buf *b, const et_report *r, const mark *m, double x, int y)
{
    char t[64];
    et_report_format_time(r, m->t, t);
    et_buf_printf(b, "<rect class=\"mark sev-%s\" x=\"%.1f\" y=\"%d\" width=\"4\" height=\"%d\" rx=\"1\"><title>",
                  et_severity_name(m->sev), x - 2, y + 6, LANE_H - 12);
    et_buf_printf(b, "%s · %s · ", t, et_severity_name(m->sev));
    et_report_html_text(b, m->channel ? m->channel : "");
    et_buf_printf(b, " %" PRIu32, m->event_id);
    if (m->rule) { et_buf_puts(b, " · "); et_report_html_text(b, m->rule); }
    if (m->message) { et_buf_puts(b, "\n"); et_report_html_text(b, m->message); }
    et_buf_puts(b, "</title></rect>\n");
}

/* One lane: background, host label, then its marks (higher severities drawn last, on top). */
static void svg_lane(et_buf *b, const et_report *r, const marks *m, const char **hosts, size_t lane,
                     int64_t t0, int64_t t1)
{
    int y = AXIS_H + (int)lane * LANE_H;
    double w = SVG_W - LABEL_W - PAD_R;
    et_buf_puts(b, "<g class=\"lane\" data-host=\"");
    et_report_html_text(b, hosts[lane]);
    et_buf_printf(b, "\"><rect class=\"lane-bg%s\" x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\"/>", lane % 2 ? " odd" : "",
                  y, SVG_W, LANE_H);
    char label[40];
    size_t len = strlen(hosts[lane]), cut = len > 26 ? 25 : len;
    while (cut < len && cut > 0 && ((unsigned char)hosts[lane][cut] & 0xC0) == 0x80) cut--;
    snprintf(label, sizeof label, "%.*s%s", (int)cut, hosts[lane], cut < len ? "\xE2\x80\xA6" : "");
    et_buf_printf(b, "<text class=\"host\" x=\"10\" y=\"%d\">", y + LANE_H / 2 + 4);
    et_report_html_text(b, label);
    et_buf_puts(b, "<title>");
    et_report_html_text(b, hosts[lane]);
    et_buf_puts(b, "</title></text>\n");
    size_t drawn = 0;
    for (int sev = ET_SEV_INFO; sev <= ET_SEV_CRITICAL; sev++)
        for (size_t i = 0; i < m->n && drawn < MAX_MARKS; i++) {
            const mark *k = &m->v[i];
            if ((int)k->sev != sev || k->lane != (int)lane) continue;
            double x = LABEL_W + (t1 > t0 ? w * (double)(k->t - t0) / (double)(t1 - t0) : w / 2);
            svg_mark(b, r, k, x, y);
            drawn++;
        }
    et_buf_puts(b, "</g>\n");
}

static void time_bounds(const marks *m, int64_t *t0, int64_t *t1)
{
    *t0 = *t1 = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (!*t0 || m->v[i].t < *t0) *t0 = m->v[i].t;
        if (m->v[i].t > *t1) *t1 = m->v[i].t;
    }
    int64_t pad = (*t1 - *t0) / 50;
    if (pad < 10000000LL * 30) pad = 10000000LL * 30; /* at least 30 s either side */
    *t0 -= pad;
    *t1 += pad;
}

void et_report_html_timeline(et_buf *b, const et_report *r)
{
    marks m = collect_marks(r);
    const char **hosts;
    size_t nh = et_report_hosts(r, &hosts);
    for (size_t i = 0; i < m.n; i++)
        if (!m.v[i].host) {
            hosts = realloc(hosts, (nh + 1) * sizeof *hosts);
            if (!hosts) abort();
            hosts[nh++] = "(unknown host)";
            break;
        }
    for (size_t i = 0; i < m.n; i++) m.v[i].lane = lane_of(hosts, nh, m.v[i].host ? m.v[i].host : "(unknown host)");
    size_t lanes = nh > MAX_LANES ? MAX_LANES : nh;
    int64_t t0, t1;
    time_bounds(&m, &t0, &t1);
    int height = AXIS_H + 10 + (int)lanes * LANE_H;
    et_buf_printf(b, "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                     "role=\"img\" aria-label=\"Events per host over time\">\n", SVG_W, height);
    if (m.n) svg_axis(b, r, t0, t1, height);
    for (size_t i = 0; i < lanes; i++) svg_lane(b, r, &m, hosts, i, t0, t1);
    if (!m.n)
        et_buf_printf(b, "<text class=\"tick\" x=\"%d\" y=\"%d\">No timestamped events.</text>", LABEL_W,
                      AXIS_H + (int)lanes * LANE_H + 16);
    et_buf_puts(b, "</svg>\n");
    if (et_report_hosts_more(r)) et_buf_printf(b, "<p class=\"muted\">%zu host(s) drawn; more are not.</p>\n", lanes);
    else if (nh > lanes) et_buf_printf(b, "<p class=\"muted\">%zu more host(s) not drawn.</p>\n", nh - lanes);
    free(hosts);
    free(m.v);
}
