/* report_util.c: what the report renderers share: severities, display times, lookups, freeing. */
#include "report/report.h"
#include "core/timeutil.h"
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char *const sev_names[] = {"info", "low", "medium", "high", "critical"};

const char *et_severity_name(et_severity s)
{
    return (unsigned)s <= ET_SEV_CRITICAL ? sev_names[s] : "info";
}

int et_severity_parse(const char *s, et_severity *out)
{
    if (!s) return -1;
    if (!strcasecmp(s, "informational")) { *out = ET_SEV_INFO; return 0; }
    for (int i = 0; i <= ET_SEV_CRITICAL; i++)
        if (!strcasecmp(s, sev_names[i])) { *out = (et_severity)i; return 0; }
    return -1;
}

/* ---- display times ------------------------------------------------------------------------- */

/* "+02:00", "-0530", "+2", optionally after "UTC"/"GMT": offset in seconds east of UTC. */
static bool parse_offset(const char *tz, long *secs)
{
    if (!strncasecmp(tz, "UTC", 3) || !strncasecmp(tz, "GMT", 3)) tz += 3;
    if (*tz != '+' && *tz != '-') return false;
    int sign = *tz++ == '-' ? -1 : 1;
    if (!isdigit((unsigned char)tz[0])) return false;
    long h = tz[0] - '0', m = 0;
    tz++;
    if (isdigit((unsigned char)*tz)) h = h * 10 + (*tz++ - '0');
    if (*tz == ':') tz++;
    if (*tz) {
        if (!isdigit((unsigned char)tz[0]) || !isdigit((unsigned char)tz[1]) || tz[2]) return false;
        m = (tz[0] - '0') * 10 + (tz[1] - '0');
    }
    if (h > 14 || m > 59) return false;
    *secs = sign * (h * 3600 + m * 60);
    return true;
}

static bool is_utc_name(const char *tz)
{
    return !tz || !*tz || !strcasecmp(tz, "UTC") || !strcmp(tz, "Z") || !strcasecmp(tz, "GMT");
}

/* An IANA name: safe characters, no "..", and a zone file installed for it. */
static bool iana_zone_exists(const char *tz)
{
    if (tz[0] == '/' || strstr(tz, "..") || strlen(tz) > 200) return false;
    for (const char *p = tz; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_+-/", *p)) return false;
    const char *dir = getenv("TZDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
    return access(path, R_OK) == 0;
}

bool et_report_tz_valid(const char *tz)
{
    long off;
    return is_utc_name(tz) || parse_offset(tz, &off) || iana_zone_exists(tz);
}

/* Broken-down local time of t in the IANA zone tz; zone abbreviation into abbr. TZ is restored. */
static bool zone_tm(const char *tz, time_t t, struct tm *tm, char abbr[16])
{
    const char *old = getenv("TZ");
    char *saved = old ? strdup(old) : NULL;
    setenv("TZ", tz, 1);
    tzset();
    bool ok = localtime_r(&t, tm) != NULL;
    if (ok) snprintf(abbr, 16, "%s", tm->tm_zone ? tm->tm_zone : tz);
    if (saved) setenv("TZ", saved, 1);
    else unsetenv("TZ");
    tzset();
    free(saved);
    return ok;
}

void et_report_format_time(const et_report *r, int64_t ft, char out[64])
{
    if (ft <= 0) { snprintf(out, 64, "-"); return; }
    int64_t secs = ft / ET_TICKS_PER_SEC - ET_EPOCH_DIFF_TICKS / ET_TICKS_PER_SEC;
    int ms = (int)(ft % ET_TICKS_PER_SEC / 10000);
    const char *tz = r ? r->tz : NULL;
    struct tm tm;
    char label[16] = "UTC";
    long off = 0;
    time_t t = (time_t)secs;
    bool done = false;
    if (!is_utc_name(tz) && parse_offset(tz, &off)) {
        t = (time_t)(secs + off);
        snprintf(label, sizeof label, "%c%02d:%02d", off < 0 ? '-' : '+', (int)(labs(off) / 3600 % 100),
                 (int)(labs(off) % 3600 / 60));
    } else if (!is_utc_name(tz) && iana_zone_exists(tz)) {
        done = zone_tm(tz, t, &tm, label);
    }
    if (!done && !gmtime_r(&t, &tm)) { snprintf(out, 64, "-"); return; }
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d %02d:%02d:%02d.%03d %s", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms, label);
    size_t n = strnlen(tmp, 63);
    memcpy(out, tmp, n);
    out[n] = 0;
}

void et_report_format_size(uint64_t n, char out[32])
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (n < 1024) { snprintf(out, 32, "%u B", (unsigned)n); return; }
    double v = (double)n / 1024;
    int u = 0;
    while (v >= 1024 && u < 3) { v /= 1024; u++; }
    snprintf(out, 32, "%.1f %s", v, units[u]);
}

void et_report_skipped_caption(const et_report *r, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%zu path(s) passed over, not read as EVTX", r->nskipped_total);
    if (r->nskipped < r->nskipped_total && n >= 0 && (size_t)n < outlen)
        snprintf(out + n, outlen - (size_t)n, "; the first %zu met are listed", r->nskipped);
}

void et_report_archive_counts(const et_archive *a, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%" PRIu64 " member(s), %zu EVTX input(s)", a->members, a->inputs);
    if (a->unreadable && n > 0 && (size_t)n < outlen) snprintf(out + n, outlen - (size_t)n, " (%zu unreadable)", a->unreadable);
}

/* ---- lookups ------------------------------------------------------------------------------- */

const et_finding *et_report_find(const et_report *r, const char *id)
{
    for (size_t i = 0; id && i < r->nfindings; i++)
        if (r->findings[i].id && !strcmp(r->findings[i].id, id)) return &r->findings[i];
    return NULL;
}

/* Nested when the chain of explained_by ends at a finding that is not nested (no cycle). */
bool et_report_is_nested(const et_report *r, const et_finding *f)
{
    const et_finding *cur = f;
    for (size_t steps = 0; steps <= r->nfindings; steps++) {
        const et_finding *up = cur->explained_by ? et_report_find(r, cur->explained_by) : NULL;
        if (!up || up == cur) return cur != f;
        cur = up;
    }
    return false;
}

void et_report_severity_counts(const et_report *r, size_t counts[5])
{
    memset(counts, 0, 5 * sizeof *counts);
    for (size_t i = 0; i < r->nfindings; i++) {
        unsigned s = (unsigned)r->findings[i].severity;
        counts[s <= ET_SEV_CRITICAL ? s : 0]++;
    }
}

void et_report_time_span(const et_report *r, int64_t *first, int64_t *last)
{
    *first = *last = 0;
    for (size_t i = 0; i < r->ninputs; i++) {
        const et_input *in = &r->inputs[i];
        if (in->first_time > 0 && (!*first || in->first_time < *first)) *first = in->first_time;
        if (in->last_time > *last) *last = in->last_time;
    }
    for (size_t i = 0; i < r->ntimeline; i++) {
        int64_t t = r->timeline[i].timestamp;
        if (t > 0 && (!*first || t < *first)) *first = t;
        if (t > *last) *last = t;
    }
}

/* The report's distinct hosts, first seen first, at most ET_REPORT_MAX_HOSTS of them (a
 * collector's upload names thousands: the summary lists the first, says there are more, and
 * costs one hash probe a name, not a scan of those listed). */
typedef struct host_set {
    const char **v; size_t n;
    uint32_t slots[2 * ET_REPORT_MAX_HOSTS];   /* index + 1 of each listed host, by hash; 0: empty */
    bool more;                                 /* a host past the bound was seen */
} host_set;

static void host_add(host_set *s, const char *h)
{
    if (!h || !*h) return;
    uint32_t x = 2166136261u;   /* FNV-1a */
    for (const char *p = h; *p; p++) x = (x ^ (uint8_t)*p) * 16777619u;
    const size_t nslots = sizeof s->slots / sizeof *s->slots;
    size_t i = x & (nslots - 1);
    for (; s->slots[i]; i = (i + 1) & (nslots - 1))
        if (!strcmp(s->v[s->slots[i] - 1], h)) return;
    if (s->n == ET_REPORT_MAX_HOSTS) { s->more = true; return; }
    if (!s->v && !(s->v = malloc(ET_REPORT_MAX_HOSTS * sizeof *s->v))) abort();
    s->v[s->n++] = h;
    s->slots[i] = (uint32_t)s->n;
}

static host_set *hosts_of(const et_report *r)
{
    host_set *s = calloc(1, sizeof *s);
    if (!s) abort();
    for (size_t i = 0; i < r->ninputs; i++) {
        for (size_t j = 0; j < r->inputs[i].nhosts; j++) host_add(s, r->inputs[i].hosts[j]);
        s->more |= r->inputs[i].hosts_more;
    }
    const char *prev = NULL;
    for (size_t i = 0; i < r->ntimeline; i++) {
        const char *h = r->timeline[i].host;
        if (h && (!prev || strcmp(h, prev))) host_add(s, h);
        prev = h;
    }
    for (size_t i = 0; i < r->nfindings; i++)
        for (size_t j = 0; j < r->findings[i].nevidence; j++) host_add(s, r->findings[i].evidence[j].computer);
    return s;
}

bool et_report_hosts_more(const et_report *r)
{
    host_set *s = hosts_of(r);
    bool more = s->more;
    free(s->v);
    free(s);
    return more;
}

size_t et_report_hosts(const et_report *r, const char ***out)
{
    host_set *s = hosts_of(r);
    size_t n = s->n;
    *out = s->v;
    free(s);
    return n;
}

/* ---- remediation steps -------------------------------------------------------------------- */

const char *et_report_shell_prompt(const char *shell)
{
    if (!strcmp(shell, "cmd")) return "C:\\> ";
    if (!strcmp(shell, "azcli")) return "$ ";
    return "PS> ";
}

const char *et_report_shell_fence(const char *shell)
{
    if (!strcmp(shell, "cmd")) return "bat";
    if (!strcmp(shell, "azcli")) return "bash";
    return "powershell";
}

void et_report_step_where(const et_step *st, et_buf *out)
{
    et_buf_puts(out, st->shell_label ? st->shell_label : "text");
    if (st->host) et_buf_printf(out, ", on %s", st->host);
    if (st->cond && st->runnable) et_buf_printf(out, "; the events show %s", st->cond);
    if (!out->data) et_buf_puts(out, "");
}

void et_step_clear(et_step *s)
{
    free(s->text);
    et_report_strv_free(s->commands, s->ncommands);
    free(s->host);
    free(s->cond);
    free(s->why);
    memset(s, 0, sizeof *s);
}

void et_report_strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

void et_report_resolution_text(const et_report *r, const et_finding *f, char *out, size_t outlen)
{
    out[0] = 0;
    if (!f->resolved) return;
    char when[64];
    et_report_format_time(r, f->resolution.timestamp, when);
    snprintf(out, outlen, "Resolved at %s: %s (%s, record %llu)", when, f->resolution.message ? f->resolution.message : "",
             f->resolution.file ? f->resolution.file : "", (unsigned long long)f->resolution.record_id);
}

/* ---- freeing ------------------------------------------------------------------------------- */

static void free_strv(char **v, size_t n) { et_report_strv_free(v, n); }

void et_input_clear(et_input *in)
{
    free(in->path);
    free_strv(in->hosts, in->nhosts);
    free_strv(in->channels, in->nchannels);
    free(in->host_hashes);
    free(in->channel_hashes);
    free_strv(in->problems, in->nproblems);
    free(in->streams);
    memset(in, 0, sizeof *in);
}

void et_finding_clear(et_finding *f)
{
    free(f->id); free(f->rule); free(f->rule_name); free(f->title); free(f->message); free(f->confidence); free(f->cause);
    for (size_t i = 0; i < f->nentities; i++) { free(f->entities[i].key); free(f->entities[i].value); }
    free(f->entities);
    for (size_t i = 0; i < f->nremediation; i++) et_step_clear(&f->remediation[i]);
    free(f->remediation);
    free_strv(f->references, f->nreferences);
    free_strv(f->notes, f->nnotes);
    for (size_t i = 0; i < f->nevidence; i++) {
        et_evidence *e = &f->evidence[i];
        free(e->file); free(e->computer); free(e->channel); free(e->message);
    }
    free(f->evidence);
    free_strv(f->explains, f->nexplains);
    free(f->explained_by);
    free(f->resolution.file); free(f->resolution.computer); free(f->resolution.channel); free(f->resolution.message);
}

void et_report_free(et_report *r)
{
    if (!r) return;
    free(r->tool_version); free(r->generated_at); free(r->tz);
    for (size_t i = 0; i < r->ninputs; i++) et_input_clear(&r->inputs[i]);
    free(r->inputs);
    for (size_t i = 0; i < r->narchives; i++) free(r->archives[i].path);
    free(r->archives);
    for (size_t i = 0; i < r->nskipped; i++) { free(r->skipped[i].path); free(r->skipped[i].reason); }
    free(r->skipped);
    for (size_t i = 0; i < r->nfindings; i++) et_finding_clear(&r->findings[i]);
    free(r->findings);
    for (size_t i = 0; i < r->ngaps; i++) { free(r->gaps[i].kind); free(r->gaps[i].message); free(r->gaps[i].host); free(r->gaps[i].channel); }
    free(r->gaps);
    for (size_t i = 0; i < r->ntimeline; i++) {
        et_timeline_entry *t = &r->timeline[i];
        free(t->host); free(t->channel); free(t->provider); free(t->message); free(t->file); free(t->rule);
    }
    free(r->timeline);
    et_tl_store_free(r->tlstore);
    free_strv(r->looked_at, r->nlooked_at);
    free(r);
}
