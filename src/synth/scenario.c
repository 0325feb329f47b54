/* scenario.c: reads a synth scenario (YAML) into hosts, files and typed events: defaults
 * inherited scenario -> host -> file -> event, repeats expanded, events put in time order,
 * record ids assigned; every problem reported at its YAML line and column. */
#include "synth/scenario.h"
#include "synth/sy_values.h"
#include "core/outbuf.h"
#include "core/termtext.h"
#include "core/timeutil.h"
#include "core/ydoc.h"
#include "reader/values.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EVENTS 1000000   /* per scenario, after repeats (bench files use --scale) */
#define MAX_MEMORY_MIB 128   /* per scenario, of its events' values after repeats (each copy whose
                                values use ${...} has its own), checked as each value is made */
#define MAX_DEPTH 16         /* payload nesting */

static const char *const top_keys[] = {"scenario", "description", "defaults", "hosts", NULL};
static const char *const host_keys[] = {"computer", "folder", "defaults", "files", NULL};
static const char *const file_keys[] = {"channel", "file", "first_record_id", "order", "defaults", "events", NULL};
static const char *const event_keys[] = {
    "time", "event_id", "provider", "provider_guid", "event_source", "qualifiers", "version", "level",
    "task", "opcode", "keywords", "record_id", "user_sid", "process_id", "thread_id", "activity_id",
    "related_activity_id", "computer", "event_data", "binary", "user_data", "repeat", "comment", NULL};
static const char *const repeat_keys[] = {"count", "every", NULL};

typedef struct loader {
    sy_scenario *s;
    const char *path;
    sy_diag_fn diag;
    void *ctx;
    int nerrors;
    size_t total_events;
    bool full;                  /* past MAX_EVENTS or MAX_MEMORY_MIB (said once): no more events */
    const ynode *defaults[3];   /* scenario, host, file */
    int64_t copy_time;          /* the event copy being built (for ${...} in values) */
    uint64_t copy_index;
} loader;

__attribute__((format(printf, 3, 4))) static void error_at(loader *L, const ynode *n, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    L->nerrors++;
    if (L->diag) L->diag(L->path, n ? n->line : 0, n ? n->col : 0, msg, L->ctx);
}

static bool check_keys(loader *L, const ynode *map, const char *const *known, const char *where)
{
    bool ok = true;
    for (size_t i = 0; i < yn_pairs(map); i++) {
        const ynode *k = yn_key(map, i);
        const char *name = yn_str(k);
        bool found = false;
        for (size_t j = 0; name && known[j] && !found; j++) found = !strcmp(name, known[j]);
        if (found) continue;
        const char *sug = name ? yn_suggest(name, known) : NULL;
        if (sug) error_at(L, k, "unknown key '%s' in %s (did you mean '%s'?)", name, where, sug);
        else error_at(L, k, "unknown key '%s' in %s", name ? name : "?", where);
        ok = false;
    }
    return ok;
}

static bool want_map(loader *L, const ynode *n, const char *what)
{
    if (n && n->kind == YN_MAP) return true;
    error_at(L, n, "%s must be a map", what);
    return false;
}

static const char *scalar(loader *L, const ynode *n, const char *what)
{
    const char *s = yn_str(n);
    if (!s) error_at(L, n, "%s must be a single value", what);
    return s;
}

static char *dup(loader *L, const char *s) { return et_arena_strndup(&L->s->arena, s, strlen(s)); }

/* ---- event fields --------------------------------------------------------------------------- */

/* An event key, or the nearest default of it (file, then host, then scenario). */
static const ynode *get(loader *L, const ynode *ev, const char *key)
{
    const ynode *v = yn_get(ev, key);
    for (int i = 2; !v && i >= 0; i--) v = yn_get(L->defaults[i], key);
    return v;
}

static bool get_uint(loader *L, const ynode *ev, const char *key, uint64_t max, bool *has, uint64_t *out)
{
    const ynode *n = get(L, ev, key);
    if (!n || yn_is_null(n)) { if (has) *has = false; return true; }
    const char *s = scalar(L, n, key);
    if (!s) return false;
    if (!sy_parse_int(s, 0, max, NULL, out)) {
        error_at(L, n, "%s: '%s' is not a number from 0 to %llu", key, s, (unsigned long long)max);
        return false;
    }
    if (has) *has = true;
    return true;
}

static bool get_guid(loader *L, const ynode *ev, const char *key, bool *has, uint8_t out[16])
{
    const ynode *n = get(L, ev, key);
    *has = false;
    if (!n || yn_is_null(n)) return true;
    const char *s = scalar(L, n, key);
    if (!s) return false;
    if (!sy_parse_guid(s, out)) { error_at(L, n, "%s: '%s' is not a GUID ({XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX})", key, s); return false; }
    *has = true;
    return true;
}

static const char *get_text(loader *L, const ynode *ev, const char *key)
{
    const ynode *n = get(L, ev, key);
    if (!n || yn_is_null(n)) return NULL;
    const char *s = scalar(L, n, key);
    if (s && !sy_value_string(&L->s->arena, s)) { error_at(L, n, "%s is not valid UTF-8", key); return NULL; }
    return s;
}

/* ---- payload -------------------------------------------------------------------------------- */

/* ${time:FORMAT} (%Y %m %d %H %M %S of the event's UTC time; ${time} is ISO 8601) and ${n} (the
 * copy's number from 1) in a value of a repeated event, so each copy carries its own clock. */
static const char *expand(loader *L, const char *text)
{
    if (!strstr(text, "${")) return text;
    et_buf b = {0};
    char iso[32];
    et_filetime_to_iso(L->copy_time, iso);
    for (const char *p = text; *p;) {
        const char *end = strncmp(p, "${", 2) ? NULL : strchr(p, '}');
        if (!end) { et_buf_putc(&b, *p++); continue; }
        if (!strncmp(p, "${n}", 4)) et_buf_printf(&b, "%llu", (unsigned long long)L->copy_index + 1);
        else if (!strncmp(p, "${time}", 7)) et_buf_puts(&b, iso);
        else if (!strncmp(p, "${time:", 7)) {
            for (const char *f = p + 7; f < end; f++) {
                if (*f != '%' || f + 1 >= end) { et_buf_putc(&b, *f); continue; }
                static const char codes[] = "YmdHMS";
                static const int at[] = {0, 5, 8, 11, 14, 17}, len[] = {4, 2, 2, 2, 2, 2};
                const char *c = strchr(codes, f[1]);
                if (c && f[1]) et_buf_put(&b, iso + at[c - codes], (size_t)len[c - codes]);
                else et_buf_put(&b, f, 2);
                f++;
            }
        } else {
            et_buf_put(&b, p, (size_t)(end - p + 1));
        }
        p = end + 1;
    }
    const char *out = dup(L, b.data ? b.data : "");
    et_buf_free(&b);
    return out;
}

/* Still within MAX_MEMORY_MIB? Asked before each value and element is made, so one large
 * payload (or one copy of it) cannot pass the bound by more than a value; said once. */
static bool within_memory(loader *L, const ynode *at)
{
    if (L->full) return false;
    if (L->s->arena.bytes <= (size_t)MAX_MEMORY_MIB << 20) return true;
    error_at(L, at, "the events take more than %d MiB of memory, passed at this value of copy %llu (fewer "
             "copies; synth --scale makes big files)", MAX_MEMORY_MIB, (unsigned long long)L->copy_index + 1);
    L->full = true;
    return false;
}

static const sy_value *leaf_value(loader *L, const ynode *n)
{
    if (!within_memory(L, n)) return NULL;
    char err[300];
    const sy_value *v = sy_value_parse(&L->s->arena, n->tag, expand(L, n->str), err, sizeof err);
    if (!v) error_at(L, n, "%s", err);
    return v;
}

/* A control character: C0 (TAB, line breaks, ESC...), DEL, or C1 (U+0080..U+009F in UTF-8). */
static bool has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F || (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)) return true;
    return false;
}

static bool valid_name(const char *s)
{
    if (!s || !*s || has_control(s)) return false;
    for (const char *p = s; *p; p++)
        if (*p == '<' || *p == '>' || *p == '&' || *p == '"' || *p == '\'' || *p == ' ' || *p == '/' || *p == '=')
            return false;
    return true;
}

static sy_node *new_children(loader *L, size_t n)
{
    sy_node *c = et_arena_alloc(&L->s->arena, (n ? n : 1) * sizeof *c);
    memset(c, 0, (n ? n : 1) * sizeof *c);
    return c;
}

static bool element_from(loader *L, sy_node *el, const ynode *val, int depth);

/* The children and attributes of el from a map ("@name" keys are attributes). */
static bool element_map(loader *L, sy_node *el, const ynode *map, int depth)
{
    if (!within_memory(L, map)) return false;
    size_t nattr = 0, nchild = 0;
    for (size_t i = 0; i < yn_pairs(map); i++) {
        const char *k = yn_str(yn_key(map, i));
        if (!k) { error_at(L, yn_key(map, i), "element names must be plain text"); return false; }
        if (k[0] == '@') nattr++;
        else nchild += yn_val(map, i)->kind == YN_SEQ ? yn_val(map, i)->n : 1;
    }
    if (nattr > SY_MAX_ATTRS) {
        error_at(L, map, "%zu attributes on one element: at most %d", nattr, SY_MAX_ATTRS);
        return false;
    }
    el->attrs = et_arena_alloc(&L->s->arena, (nattr ? nattr : 1) * sizeof *el->attrs);
    el->children = new_children(L, nchild);
    for (size_t i = 0; i < yn_pairs(map); i++) {
        const ynode *key = yn_key(map, i), *val = yn_val(map, i);
        const char *k = key->str;
        if (k[0] == '@') {
            const char *v = yn_str(val);
            if (!valid_name(k + 1) || !v) { error_at(L, key, "attribute '%s' needs a name and a text value", k); return false; }
            el->attrs[el->nattrs++] = (sy_attr){dup(L, k + 1), dup(L, v)};
            continue;
        }
        if (!valid_name(k)) { error_at(L, key, "'%s' is not an XML element name", k); return false; }
        size_t reps = val->kind == YN_SEQ ? val->n : 1;
        for (size_t r = 0; r < reps; r++) {
            sy_node *c = &el->children[el->nchildren++];
            c->name = dup(L, k);
            if (!element_from(L, c, val->kind == YN_SEQ ? val->items[r] : val, depth + 1)) return false;
        }
    }
    return true;
}

static bool element_from(loader *L, sy_node *el, const ynode *val, int depth)
{
    if (depth > MAX_DEPTH) { error_at(L, val, "user_data nested deeper than %d elements", MAX_DEPTH); return false; }
    if (val->kind == YN_SCALAR) return (el->value = leaf_value(L, val)) != NULL;
    if (val->kind == YN_MAP) return element_map(L, el, val, depth);
    error_at(L, val, "a list is only allowed as the value of a repeated element");
    return false;
}

/* event_data: a map gives <Data Name="k">, a list unnamed <Data>; binary adds <Binary>. */
static const sy_node *event_data(loader *L, const ynode *data, const ynode *binary)
{
    size_t n = data ? (data->kind == YN_SCALAR && yn_is_null(data) ? 0 : data->kind == YN_MAP ? data->n / 2 : data->n) : 0;
    if (data && data->kind == YN_SCALAR && !yn_is_null(data)) {
        error_at(L, data, "event_data is a map (named Data) or a list (unnamed Data)");
        return NULL;
    }
    bool ok = true;
    sy_node *root = new_children(L, 1);
    root->name = "EventData";
    root->children = new_children(L, n + 1);
    for (size_t i = 0; i < n; i++) {
        sy_node *c = &root->children[root->nchildren++];
        c->name = "Data";
        const ynode *v = data->kind == YN_MAP ? yn_val(data, i) : data->items[i];
        if (data->kind == YN_MAP) {
            const char *k = yn_str(yn_key(data, i));
            if (!k) { error_at(L, yn_key(data, i), "a Data name must be text"); return NULL; }
            c->attrs = et_arena_alloc(&L->s->arena, sizeof *c->attrs);
            c->attrs[0] = (sy_attr){"Name", dup(L, k)};
            c->nattrs = 1;
        }
        if (v->kind != YN_SCALAR) { error_at(L, v, "a Data value must be a single (optionally typed) value"); ok = false; }
        else if (!(c->value = leaf_value(L, v))) ok = false;
    }
    if (binary && !yn_is_null(binary)) {
        sy_node *c = &root->children[root->nchildren++];
        c->name = "Binary";
        char err[200];
        const char *hex = scalar(L, binary, "binary");
        if (!hex || !(c->value = sy_value_parse(&L->s->arena, "!binary", hex, err, sizeof err))) {
            if (hex) error_at(L, binary, "binary: %s", err);
            return NULL;
        }
    }
    return ok ? root : NULL;
}

static const sy_node *user_data(loader *L, const ynode *ud)
{
    if (ud->kind != YN_MAP || yn_pairs(ud) != 1) {
        error_at(L, ud, "user_data is a map with one root element (e.g. VmlEventLog: {...})");
        return NULL;
    }
    sy_node *root = new_children(L, 1);
    root->name = "UserData";
    root->children = new_children(L, 1);
    root->nchildren = 1;
    const char *name = yn_str(yn_key(ud, 0));
    if (!valid_name(name)) { error_at(L, yn_key(ud, 0), "'%s' is not an XML element name", name ? name : "?"); return NULL; }
    root->children[0].name = dup(L, name);
    return element_from(L, &root->children[0], yn_val(ud, 0), 1) ? root : NULL;
}

/* ---- events --------------------------------------------------------------------------------- */

typedef struct evlist { sy_event *v; size_t n, cap; } evlist;

static sy_event *push_event(loader *L, evlist *l, const ynode *where)
{
    if (L->full) return NULL;
    if (++L->total_events > MAX_EVENTS) {
        error_at(L, where, "more than %d events (use synth --scale for big files)", MAX_EVENTS);
        L->full = true;
        return NULL;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v) abort();
    }
    return &l->v[l->n++];
}

static bool system_values(loader *L, const ynode *e, sy_event *ev)
{
    uint64_t u;
    bool ok = true, has;
    const ynode *id = get(L, e, "event_id");
    if (!id) { error_at(L, e, "an event needs an event_id"); ok = false; }
    else if (get_uint(L, e, "event_id", UINT16_MAX, &has, &u)) ev->event_id = (uint16_t)u;
    else ok = false;
    ok &= get_uint(L, e, "qualifiers", UINT16_MAX, &ev->has_qualifiers, &u); ev->qualifiers = (uint16_t)u;
    ok &= get_uint(L, e, "version", UINT8_MAX, &ev->has_version, &u); ev->version = (uint8_t)u;
    ok &= get_uint(L, e, "level", UINT8_MAX, &ev->has_level, &u); ev->level = (uint8_t)u;
    ok &= get_uint(L, e, "task", UINT16_MAX, &ev->has_task, &u); ev->task = (uint16_t)u;
    ok &= get_uint(L, e, "opcode", UINT8_MAX, &ev->has_opcode, &u); ev->opcode = (uint8_t)u;
    ok &= get_uint(L, e, "keywords", UINT64_MAX, &ev->has_keywords, &ev->keywords);
    ok &= get_uint(L, e, "record_id", UINT64_MAX, &ev->has_record_id, &ev->record_id);
    ok &= get_uint(L, e, "process_id", UINT32_MAX, &ev->has_process_id, &u); ev->process_id = (uint32_t)u;
    ok &= get_uint(L, e, "thread_id", UINT32_MAX, &ev->has_thread_id, &u); ev->thread_id = (uint32_t)u;
    ok &= get_guid(L, e, "activity_id", &ev->has_activity_id, ev->activity_id);
    ok &= get_guid(L, e, "related_activity_id", &ev->has_related_activity_id, ev->related_activity_id);
    if (!(ev->provider = get_text(L, e, "provider"))) { if (!get(L, e, "provider")) error_at(L, e, "an event needs a provider"); ok = false; }
    ev->provider_guid = get_text(L, e, "provider_guid");
    uint8_t g[16];
    if (ev->provider_guid && !sy_parse_guid(ev->provider_guid, g)) {
        error_at(L, get(L, e, "provider_guid"), "provider_guid: '%s' is not a GUID", ev->provider_guid);
        ok = false;
    }
    ev->event_source = get_text(L, e, "event_source");
    const char *c = get_text(L, e, "computer");
    if (c) ev->computer = c;
    const ynode *sid = get(L, e, "user_sid");
    if (sid && !yn_is_null(sid)) {
        char err[200];
        const char *s = scalar(L, sid, "user_sid");
        if (!s || !(ev->user_sid = sy_value_parse(&L->s->arena, "!sid", s, err, sizeof err))) {
            if (s) error_at(L, sid, "user_sid: %s", err);
            ok = false;
        }
    }
    return ok;
}

static bool payload(loader *L, const ynode *e, sy_event *ev)
{
    const ynode *ed = get(L, e, "event_data"), *bin = get(L, e, "binary"), *ud = get(L, e, "user_data");
    if (ud && (ed || bin)) { error_at(L, ud, "an event has event_data or user_data, not both"); return false; }
    if (ud) return (ev->payload = user_data(L, ud)) != NULL;
    if (ed || bin) return (ev->payload = event_data(L, ed, bin)) != NULL;
    return true;
}

/* The repeat: count copies `every` apart (count 1 without a repeat key). */
static bool repeat(loader *L, const ynode *e, uint64_t *count, int64_t *every)
{
    const ynode *r = yn_get(e, "repeat");
    *count = 1;
    *every = 0;
    if (!r) return true;
    if (!want_map(L, r, "repeat") || !check_keys(L, r, repeat_keys, "repeat")) return false;
    const ynode *c = yn_get(r, "count"), *ev = yn_get(r, "every");
    if (!c || !yn_str(c) || !sy_parse_int(c->str, 1, MAX_EVENTS, NULL, count)) {
        error_at(L, c ? c : r, "repeat needs a count from 1 to %d", MAX_EVENTS);
        return false;
    }
    if (!ev || !yn_str(ev) || (*every = et_parse_duration(ev->str)) <= 0) {
        error_at(L, ev ? ev : r, "repeat needs 'every' as a duration (e.g. 90s, 5m, 2h, 1d)");
        return false;
    }
    return true;
}

/* Does any scalar under n use ${...}? Then each copy of a repeat gets its own payload. */
static bool has_placeholders(const ynode *n)
{
    if (!n) return false;
    if (n->kind == YN_SCALAR) return strstr(n->str, "${") != NULL;
    for (size_t i = 0; i < n->n; i++)
        if (has_placeholders(n->items[i])) return true;
    return false;
}

static void event(loader *L, const ynode *e, sy_file *f, const char *computer, evlist *out)
{
    if (L->full) return;   /* past a bound, said once: the events after it are not read */
    if (!want_map(L, e, "an event") || !check_keys(L, e, event_keys, "an event")) return;
    sy_event ev;
    memset(&ev, 0, sizeof ev);
    ev.line = e->line;
    ev.col = e->col;
    ev.channel = f->channel;
    ev.computer = computer;
    const ynode *t = get(L, e, "time");
    bool ok = true;
    if (!t) { error_at(L, e, "an event needs a time (ISO 8601 UTC, e.g. 2025-03-04T10:15:02.1234567Z)"); ok = false; }
    else if (!yn_str(t) || !et_iso_to_filetime(t->str, &ev.time) || ev.time < 0) {
        error_at(L, t, "time: '%s' is not an ISO 8601 time (e.g. 2025-03-04T10:15:02.1234567Z)", yn_str(t) ? t->str : "?");
        ok = false;
    }
    ok &= system_values(L, e, &ev);
    L->copy_time = ev.time;
    L->copy_index = 0;
    ok &= payload(L, e, &ev);
    uint64_t count;
    int64_t every;
    ok &= repeat(L, e, &count, &every);
    if (!ok) return;
    if (ev.has_record_id && count > 1) { error_at(L, yn_get(e, "repeat"), "a repeated event cannot have a fixed record_id"); return; }
    bool per_copy = count > 1 && (has_placeholders(get(L, e, "event_data")) || has_placeholders(get(L, e, "user_data")));
    for (uint64_t i = 0; i < count; i++) {
        sy_event *x = push_event(L, out, e);
        if (!x) return;
        *x = ev;
        x->time = ev.time + (int64_t)i * every;
        if (per_copy && i) {
            L->copy_time = x->time;
            L->copy_index = i;
            if (!payload(L, e, x)) return;
        }
        if (L->s->arena.bytes > (size_t)MAX_MEMORY_MIB << 20) {
            error_at(L, yn_get(e, "repeat") ? yn_get(e, "repeat") : e,
                     "the events take more than %d MiB of memory (fewer copies; synth --scale makes big files)",
                     MAX_MEMORY_MIB);
            L->full = true;
            return;
        }
    }
}

/* ---- files and hosts ------------------------------------------------------------------------ */

static int cmp_time(const void *a, const void *b)
{
    const sy_event *x = a, *y = b;
    if (x->time != y->time) return x->time < y->time ? -1 : 1;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    return (x > y) - (x < y);
}

static void assign_record_ids(sy_file *f)
{
    uint64_t next = f->first_record_id;
    for (size_t i = 0; i < f->nevents; i++) {
        sy_event *e = &f->events[i];
        if (!e->has_record_id) e->record_id = next;
        e->has_record_id = true;
        next = e->record_id + 1;
    }
}

void sy_channel_file_name(const char *channel, char *out, size_t outlen)
{
    size_t n = 0;
    for (const char *p = channel; *p && n + 4 < outlen; p++) {
        if (*p == '/') { memcpy(out + n, "%4", 2); n += 2; }
        else out[n++] = *p;
    }
    snprintf(out + n, outlen - n, ".evtx");
}

static bool safe_component(const char *s)
{
    return s && *s && strcmp(s, ".") && strcmp(s, "..") && !strchr(s, '/') && !strchr(s, '\\');
}

/* A name that becomes a folder or file name (and a line of synth's output) holds no control
 * character: ESC or a line break there would reach the terminal that lists the files, and
 * every tool that lists the folder. Said at n with the name escaped (\xHH); from: the key it
 * defaults from (computer, channel) when no folder or file is given. */
static bool plain_name(loader *L, const ynode *n, const char *name, const char *what, const char *from)
{
    if (!has_control(name)) return true;
    et_buf shown = {0};
    et_term_escape(&shown, name);
    if (from) error_at(L, n, "%s '%s' names the %s (no '%s:' given) and holds a control character, which a %s name "
                       "may not", from, shown.data, what, what, what);
    else error_at(L, n, "%s: '%s' holds a control character, which a %s name may not", what, shown.data, what);
    et_buf_free(&shown);
    return false;
}

/* A NUL inside a scalar would cut it short where C strings end ("ab\0../../x" is "ab"): every
 * scalar of the document (keys too) is checked once, before anything is read from it. Aliases
 * share nodes, so each node is visited once (a set of the nodes seen), without recursion. */
typedef struct node_set { const ynode **v; size_t cap, n; } node_set;

static bool node_seen(node_set *s, const ynode *n)
{
    if ((s->n + 1) * 2 > s->cap) {
        node_set g = {calloc(s->cap ? s->cap * 2 : 1024, sizeof *g.v), s->cap ? s->cap * 2 : 1024, 0};
        if (!g.v) abort();
        for (size_t i = 0; i < s->cap; i++)
            if (s->v[i]) node_seen(&g, s->v[i]);
        free(s->v);
        *s = g;
    }
    size_t h = (size_t)(((uintptr_t)n >> 4) * 0x9E3779B97F4A7C15ULL);
    for (size_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (s->v[i] == n) return true;
        if (!s->v[i]) { s->v[i] = n; s->n++; return false; }
    }
}

static bool no_nul(loader *L, const ynode *root)
{
    node_set seen = {0};
    const ynode **stack = NULL;
    size_t depth = 0, cap = 0;
    bool ok = true;
    for (const ynode *n = root; n; n = depth ? stack[--depth] : NULL) {
        if (node_seen(&seen, n)) continue;
        if (n->kind == YN_SCALAR) {
            if (strlen(n->str) != n->len) {
                error_at(L, n, "a NUL character (\\0) in '%s...': a value here cannot hold one (it would be cut "
                         "short there)", n->str);
                ok = false;
            }
            continue;
        }
        if (depth + n->n > cap) {
            cap = (depth + n->n) * 2;
            stack = realloc(stack, cap * sizeof *stack);
            if (!stack) abort();
        }
        for (size_t i = n->n; i-- > 0;) stack[depth++] = n->items[i];
    }
    free(stack);
    free(seen.v);
    return ok;
}

static void file(loader *L, const ynode *fn, const char *computer, const char *folder)
{
    if (!want_map(L, fn, "a file") || !check_keys(L, fn, file_keys, "a file")) return;
    sy_scenario *s = L->s;
    s->files = realloc(s->files, (s->nfiles + 1) * sizeof *s->files);
    if (!s->files) abort();
    sy_file *f = &s->files[s->nfiles];
    memset(f, 0, sizeof *f);
    f->channel = scalar(L, yn_get(fn, "channel"), "channel");
    if (!f->channel) return;
    char name[512];
    const char *given = yn_str(yn_get(fn, "file"));
    if (given && !safe_component(given)) { error_at(L, yn_get(fn, "file"), "file: '%s' must be a plain file name", given); return; }
    if (given ? !plain_name(L, yn_get(fn, "file"), given, "file", NULL)
              : !plain_name(L, yn_get(fn, "channel"), f->channel, "file", "channel"))
        return;
    if (given) snprintf(name, sizeof name, "%s", given);
    else sy_channel_file_name(f->channel, name, sizeof name);
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", folder, name);
    f->path = dup(L, path);
    for (size_t i = 0; i < s->nfiles; i++)
        if (!strcmp(s->files[i].path, f->path)) { error_at(L, fn, "a second file '%s'", f->path); return; }
    f->first_record_id = 1;
    const ynode *fr = yn_get(fn, "first_record_id");
    if (fr && (!yn_str(fr) || !sy_parse_int(fr->str, 1, UINT64_MAX / 2, NULL, &f->first_record_id))) {
        error_at(L, fr, "first_record_id must be a number from 1");
        return;
    }
    const ynode *order = yn_get(fn, "order");
    bool as_written = order && yn_str(order) && !strcmp(order->str, "as-written");
    if (order && !as_written && !(yn_str(order) && !strcmp(order->str, "time"))) {
        error_at(L, order, "order is 'time' (default) or 'as-written'");
        return;
    }
    L->defaults[2] = yn_get(fn, "defaults");
    if (L->defaults[2] && !want_map(L, L->defaults[2], "defaults")) return;
    const ynode *evs = yn_get(fn, "events");
    if (!evs || evs->kind != YN_SEQ) { error_at(L, evs ? evs : fn, "a file needs an 'events' list"); return; }
    evlist l = {0};
    for (size_t i = 0; i < evs->n; i++) event(L, evs->items[i], f, computer, &l);
    f->events = l.v;
    f->nevents = l.n;
    if (!as_written && f->nevents) qsort(f->events, f->nevents, sizeof *f->events, cmp_time);
    assign_record_ids(f);
    s->nfiles++;
    L->defaults[2] = NULL;
}

static void host(loader *L, const ynode *h)
{
    if (!want_map(L, h, "a host") || !check_keys(L, h, host_keys, "a host")) return;
    const char *computer = scalar(L, yn_get(h, "computer"), "computer");
    if (!computer) return;
    const char *folder = yn_str(yn_get(h, "folder"));
    if (!folder) folder = computer;
    if (!safe_component(folder)) { error_at(L, yn_get(h, "folder") ? yn_get(h, "folder") : h, "folder: '%s' must be a plain folder name", folder); return; }
    if (yn_get(h, "folder") ? !plain_name(L, yn_get(h, "folder"), folder, "folder", NULL)
                            : !plain_name(L, yn_get(h, "computer"), computer, "folder", "computer"))
        return;
    L->defaults[1] = yn_get(h, "defaults");
    if (L->defaults[1] && !want_map(L, L->defaults[1], "defaults")) return;
    const ynode *files = yn_get(h, "files");
    if (!files || files->kind != YN_SEQ) { error_at(L, files ? files : h, "a host needs a 'files' list"); return; }
    for (size_t i = 0; i < files->n; i++) file(L, files->items[i], computer, folder);
    L->defaults[1] = NULL;
}

static int on_doc(const ynode *root, int docno, void *ctx)
{
    loader *L = ctx;
    if (docno > 0) { error_at(L, root, "a scenario file holds one YAML document"); return 1; }
    if (!want_map(L, root, "a scenario") || !no_nul(L, root) || !check_keys(L, root, top_keys, "the scenario")) return 1;
    L->s->name = yn_str(yn_get(root, "scenario"));
    L->s->description = yn_str(yn_get(root, "description"));
    if (!L->s->name) error_at(L, root, "a scenario needs a name ('scenario: NAME')");
    L->defaults[0] = yn_get(root, "defaults");
    if (L->defaults[0] && !want_map(L, L->defaults[0], "defaults")) return 1;
    if (L->defaults[0]) check_keys(L, L->defaults[0], event_keys, "defaults");
    const ynode *hosts = yn_get(root, "hosts");
    if (!hosts || hosts->kind != YN_SEQ || !hosts->n) { error_at(L, hosts ? hosts : root, "a scenario needs a 'hosts' list"); return 1; }
    for (size_t i = 0; i < hosts->n; i++) host(L, hosts->items[i]);
    return 0;
}

sy_scenario *sy_scenario_load(const char *path, const char *text, sy_diag_fn diag, void *ctx, int *nerrors)
{
    sy_scenario *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->arena.block_size = 65536;
    loader L = {.s = s, .path = path, .diag = diag, .ctx = ctx};
    char err[300];
    int line, col;
    if (ydoc_parse(path, text, &s->arena, on_doc, &L, err, sizeof err, &line, &col) < 0) {
        L.nerrors++;
        if (diag) diag(path, line, col, err, ctx);
    }
    if (!L.nerrors && !s->nfiles) {
        L.nerrors++;
        if (diag) diag(path, 0, 0, "the scenario has no files", ctx);
    }
    *nerrors = L.nerrors;
    if (L.nerrors) { sy_scenario_free(s); return NULL; }
    return s;
}

void sy_scenario_free(sy_scenario *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->nfiles; i++) free(s->files[i].events);
    free(s->files);
    et_arena_free(&s->arena);
    free(s);
}
