/* binxml_enc.c: the Binary XML encoder behind `evtriage synth`: template definitions (the
 * Event/System layout Windows uses, with substitution slots in Windows' order, then the
 * EventData/UserData shape), inline or shared chunk names, and typed template instances. */
#include "synth/binxml_enc.h"
#include "synth/sy_values.h"
#include "reader/values.h"
#include <stdlib.h>
#include <string.h>

#define EVENT_NS "http://schemas.microsoft.com/win/2004/08/events/event"
#define SYSTEM_SUBS 18     /* payload values start at substitution 18, as in Windows' templates */

/* Token bytes (MS-EVEN6). */
enum { T_EOF = 0x00, T_OPEN = 0x01, T_CLOSE_START = 0x02, T_CLOSE_EMPTY = 0x03, T_END = 0x04,
       T_VALUE = 0x05, T_ATTR = 0x06, T_TEMPLATE = 0x0C, T_SUBST = 0x0D, T_OPTSUBST = 0x0E,
       T_FRAGMENT = 0x0F, T_MORE = 0x40 };

/* System substitution slots. */
enum { S_LEVEL = 0, S_OPCODE = 1, S_TASK = 2, S_EVENTID = 3, S_QUALIFIERS = 4, S_KEYWORDS = 5,
       S_TIME = 6, S_ACTIVITY = 7, S_PID = 8, S_TID = 9, S_RECORDID = 10, S_VERSION = 11,
       S_USERID = 12, S_RELATED = 14 };

typedef struct name_def { char *name; uint32_t off; uint16_t hash; uint32_t next; } name_def;
typedef struct tmpl_def { uint64_t key_hash; char *key; uint32_t off, id, next; } tmpl_def;

struct bxe_chunk {
    name_def *names; size_t nnames, capnames, committed_names;
    tmpl_def *tmpls; size_t ntmpls, captmpls, committed_tmpls;
    /* per-record scratch */
    et_buf *out;
    uint32_t base;            /* chunk offset of out->data[0] */
    et_buf key;
    et_arena arena;
};

bxe_chunk *bxe_chunk_new(void)
{
    bxe_chunk *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->arena.block_size = 4096;
    return c;
}

static void drop_from(bxe_chunk *c, size_t names, size_t tmpls)
{
    for (size_t i = names; i < c->nnames; i++) free(c->names[i].name);
    for (size_t i = tmpls; i < c->ntmpls; i++) free(c->tmpls[i].key);
    c->nnames = names;
    c->ntmpls = tmpls;
}

void bxe_chunk_reset(bxe_chunk *c)
{
    drop_from(c, 0, 0);
    c->committed_names = c->committed_tmpls = 0;
}

void bxe_chunk_free(bxe_chunk *c)
{
    if (!c) return;
    bxe_chunk_reset(c);
    free(c->names);
    free(c->tmpls);
    et_buf_free(&c->key);
    et_arena_free(&c->arena);
    free(c);
}

void bxe_commit(bxe_chunk *c)
{
    c->committed_names = c->nnames;
    c->committed_tmpls = c->ntmpls;
}

uint16_t bxe_name_hash(const uint8_t *utf16, size_t units)
{
    uint32_t h = 0;
    for (size_t i = 0; i < units; i++) h = h * 65599u + (uint32_t)(utf16[2 * i] | utf16[2 * i + 1] << 8);
    return (uint16_t)h;
}

void bxe_tables(const bxe_chunk *c, uint32_t strings[64], uint32_t templates[32])
{
    memset(strings, 0, 64 * sizeof *strings);
    memset(templates, 0, 32 * sizeof *templates);
    for (size_t i = 0; i < c->committed_names; i++) strings[c->names[i].hash % 64] = c->names[i].off;
    for (size_t i = 0; i < c->committed_tmpls; i++) templates[c->tmpls[i].id % 32] = c->tmpls[i].off;
}

/* ---- bytes ------------------------------------------------------------------------------------ */

static void w8(bxe_chunk *c, uint8_t v) { et_buf_putc(c->out, (char)v); }
static void w16(bxe_chunk *c, uint16_t v) { w8(c, (uint8_t)v); w8(c, (uint8_t)(v >> 8)); }
static void w32(bxe_chunk *c, uint32_t v) { w16(c, (uint16_t)v); w16(c, (uint16_t)(v >> 16)); }
static void w64(bxe_chunk *c, uint64_t v) { w32(c, (uint32_t)v); w32(c, (uint32_t)(v >> 32)); }
static void wbytes(bxe_chunk *c, const void *p, size_t n) { et_buf_put(c->out, p, n); }
static void patch32(bxe_chunk *c, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++) c->out->data[at + (size_t)i] = (char)(v >> (8 * i));
}
static uint32_t here(const bxe_chunk *c) { return c->base + (uint32_t)c->out->len; }

/* A name reference: the offset of its definition in the chunk, defining it here when new. The
 * bucket chain is built as names are added: each new name points at the bucket's previous head. */
static void name_ref(bxe_chunk *c, const char *name)
{
    for (size_t i = 0; i < c->nnames; i++)
        if (!strcmp(c->names[i].name, name)) { w32(c, c->names[i].off); return; }
    size_t units;
    et_arena_reset(&c->arena);
    const uint8_t *u = sy_utf16(&c->arena, name, &units);
    if (!u) { u = (const uint8_t *)"?\0"; units = 1; }
    uint32_t off = here(c) + 4;
    uint16_t hash = bxe_name_hash(u, units);
    uint32_t next = 0;
    for (size_t i = c->nnames; i-- > 0;)
        if (c->names[i].hash % 64 == hash % 64) { next = c->names[i].off; break; }
    if (c->nnames == c->capnames) {
        c->capnames = c->capnames ? c->capnames * 2 : 64;
        c->names = realloc(c->names, c->capnames * sizeof *c->names);
        if (!c->names) abort();
    }
    c->names[c->nnames++] = (name_def){strdup(name), off, hash, next};
    w32(c, off);
    w32(c, next);
    w16(c, hash);
    w16(c, (uint16_t)units);
    wbytes(c, u, units * 2);
    w16(c, 0);
}

static void text_value(bxe_chunk *c, const char *text)
{
    size_t units;
    et_arena_reset(&c->arena);
    const uint8_t *u = sy_utf16(&c->arena, text, &units);
    if (!u) units = 0;
    w8(c, T_VALUE);
    w8(c, BX_STRING);
    w16(c, (uint16_t)units);
    if (units) wbytes(c, u, units * 2);
}

static void subst(bxe_chunk *c, uint8_t token, uint16_t index, uint8_t type)
{
    w8(c, token);
    w16(c, index);
    w8(c, type);
}

/* ---- template body ------------------------------------------------------------------------------ */

/* An attribute's value: literal text, or (text == NULL) an optional substitution. */
typedef struct attr_spec { const char *name, *text; uint16_t sub; uint8_t type; } attr_spec;

/* Opens an element; returns the position of its size field (patched by close_element). */
static size_t open_element(bxe_chunk *c, const char *name, const attr_spec *attrs, size_t nattrs)
{
    w8(c, (uint8_t)(T_OPEN | (nattrs ? T_MORE : 0)));
    w16(c, 0xFFFF); /* dependency id: none */
    size_t size_at = c->out->len;
    w32(c, 0);
    name_ref(c, name);
    if (nattrs) {
        size_t list_at = c->out->len;
        w32(c, 0);
        for (size_t i = 0; i < nattrs; i++) {
            w8(c, (uint8_t)(T_ATTR | (i + 1 < nattrs ? T_MORE : 0)));
            name_ref(c, attrs[i].name);
            if (attrs[i].text) text_value(c, attrs[i].text);
            else subst(c, T_OPTSUBST, attrs[i].sub, attrs[i].type);
        }
        patch32(c, list_at, (uint32_t)(c->out->len - list_at - 4));
    }
    return size_at;
}

static void close_element(bxe_chunk *c, size_t size_at, int had_content)
{
    w8(c, had_content ? T_END : T_CLOSE_EMPTY);
    patch32(c, size_at, (uint32_t)(c->out->len - size_at - 4));
}

/* <name attrs>%sub</name>: an element whose content is one substitution. */
static void sub_element(bxe_chunk *c, const char *name, uint8_t token, uint16_t sub, uint8_t type)
{
    size_t at = open_element(c, name, NULL, 0);
    w8(c, T_CLOSE_START);
    subst(c, token, sub, type);
    close_element(c, at, 1);
}

static void empty_element(bxe_chunk *c, const char *name, const attr_spec *attrs, size_t n)
{
    size_t at = open_element(c, name, attrs, n);
    close_element(c, at, 0);
}

static void text_element(bxe_chunk *c, const char *name, const char *text)
{
    size_t at = open_element(c, name, NULL, 0);
    w8(c, T_CLOSE_START);
    text_value(c, text);
    close_element(c, at, 1);
}

static void system_element(bxe_chunk *c, const sy_event *ev)
{
    size_t at = open_element(c, "System", NULL, 0);
    w8(c, T_CLOSE_START);
    attr_spec prov[3];
    size_t np = 0;
    prov[np++] = (attr_spec){"Name", ev->provider, 0, 0};
    if (ev->provider_guid) prov[np++] = (attr_spec){"Guid", ev->provider_guid, 0, 0};
    if (ev->event_source) prov[np++] = (attr_spec){"EventSourceName", ev->event_source, 0, 0};
    empty_element(c, "Provider", prov, np);
    attr_spec q = {"Qualifiers", NULL, S_QUALIFIERS, BX_UINT16};
    size_t id = open_element(c, "EventID", &q, 1);
    w8(c, T_CLOSE_START);
    subst(c, T_OPTSUBST, S_EVENTID, BX_UINT16);
    close_element(c, id, 1);
    sub_element(c, "Version", T_OPTSUBST, S_VERSION, BX_UINT8);
    sub_element(c, "Level", T_OPTSUBST, S_LEVEL, BX_UINT8);
    sub_element(c, "Task", T_OPTSUBST, S_TASK, BX_UINT16);
    sub_element(c, "Opcode", T_OPTSUBST, S_OPCODE, BX_UINT8);
    sub_element(c, "Keywords", T_OPTSUBST, S_KEYWORDS, BX_HEXINT64);
    attr_spec t = {"SystemTime", NULL, S_TIME, BX_FILETIME};
    empty_element(c, "TimeCreated", &t, 1);
    sub_element(c, "EventRecordID", T_OPTSUBST, S_RECORDID, BX_UINT64);
    attr_spec corr[2] = {{"ActivityID", NULL, S_ACTIVITY, BX_GUID}, {"RelatedActivityID", NULL, S_RELATED, BX_GUID}};
    empty_element(c, "Correlation", corr, 2);
    attr_spec exe[2] = {{"ProcessID", NULL, S_PID, BX_UINT32}, {"ThreadID", NULL, S_TID, BX_UINT32}};
    empty_element(c, "Execution", exe, 2);
    text_element(c, "Channel", ev->channel);
    text_element(c, "Computer", ev->computer);
    attr_spec sec = {"UserID", NULL, S_USERID, BX_SID};
    empty_element(c, "Security", &sec, 1);
    close_element(c, at, 1);
}

/* The payload tree; leaves take substitutions numbered in document order from *next. */
static void payload_element(bxe_chunk *c, const sy_node *n, uint16_t *next)
{
    attr_spec attrs[SY_MAX_ATTRS];   /* the loader allows no more */
    size_t na = 0;
    for (size_t i = 0; i < n->nattrs && na < SY_MAX_ATTRS; i++) attrs[na++] = (attr_spec){n->attrs[i].name, n->attrs[i].value, 0, 0};
    size_t at = open_element(c, n->name, attrs, na);
    if (!n->value && !n->nchildren) { close_element(c, at, 0); return; }
    w8(c, T_CLOSE_START);
    /* libfwevt refuses a NULL value in a normal substitution; Windows marks such slots optional. */
    if (n->value) subst(c, n->value->type == BX_NULL ? T_OPTSUBST : T_SUBST, (*next)++, n->value->type);
    for (size_t i = 0; i < n->nchildren; i++) payload_element(c, &n->children[i], next);
    close_element(c, at, 1);
}

static void template_body(bxe_chunk *c, const sy_event *ev)
{
    w8(c, T_FRAGMENT); w8(c, 1); w8(c, 1); w8(c, 0);
    attr_spec ns = {"xmlns", EVENT_NS, 0, 0};
    size_t at = open_element(c, "Event", &ns, 1);
    w8(c, T_CLOSE_START);
    system_element(c, ev);
    uint16_t next = SYSTEM_SUBS;
    if (ev->payload) payload_element(c, ev->payload, &next);
    close_element(c, at, 1);
    w8(c, T_EOF);
}

/* ---- template identity ---------------------------------------------------------------------- */

static void key_node(et_buf *k, const sy_node *n)
{
    et_buf_printf(k, "<%s", n->name);
    for (size_t i = 0; i < n->nattrs; i++) et_buf_printf(k, " %s=%s\x1f", n->attrs[i].name, n->attrs[i].value);
    if (n->value) et_buf_printf(k, ">%%%02x", n->value->type);
    else et_buf_putc(k, '>');
    for (size_t i = 0; i < n->nchildren; i++) key_node(k, &n->children[i]);
    et_buf_putc(k, '/');
}

/* What makes two events share a template: their literal text and payload shape with types. */
static void template_key(bxe_chunk *c, const sy_event *ev)
{
    et_buf *k = &c->key;
    k->len = 0;
    et_buf_printf(k, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f", ev->provider, ev->provider_guid ? ev->provider_guid : "",
                  ev->event_source ? ev->event_source : "", ev->channel, ev->computer);
    if (ev->payload) key_node(k, ev->payload);
}

static uint64_t fnv1a(const char *s, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

/* ---- values --------------------------------------------------------------------------------- */

typedef struct slot { uint8_t type; const void *p; uint16_t size; } slot;

static void collect_leaves(const sy_node *n, slot *v, size_t *nv, size_t max)
{
    if (n->value && *nv < max) v[(*nv)++] = (slot){n->value->type, n->value->data, (uint16_t)n->value->size};
    for (size_t i = 0; i < n->nchildren; i++) collect_leaves(&n->children[i], v, nv, max);
}

static size_t count_leaves(const sy_node *n)
{
    size_t k = n->value != NULL;
    for (size_t i = 0; i < n->nchildren; i++) k += count_leaves(&n->children[i]);
    return k;
}

static void instance_values(bxe_chunk *c, const sy_event *ev)
{
    size_t nleaves = ev->payload ? count_leaves(ev->payload) : 0;
    size_t n = SYSTEM_SUBS + nleaves;
    slot *v = calloc(n, sizeof *v);
    if (!v) abort();
    uint8_t le[8][8];
    for (int i = 0; i < 8; i++) memset(le[i], 0, 8);
    uint64_t ts = (uint64_t)ev->time;
    for (int i = 0; i < 8; i++) { le[0][i] = (uint8_t)(ts >> (8 * i)); le[1][i] = (uint8_t)(ev->record_id >> (8 * i));
                                  le[2][i] = (uint8_t)(ev->keywords >> (8 * i)); }
    for (int i = 0; i < 4; i++) { le[3][i] = (uint8_t)(ev->process_id >> (8 * i)); le[4][i] = (uint8_t)(ev->thread_id >> (8 * i)); }
    le[5][0] = (uint8_t)ev->event_id; le[5][1] = (uint8_t)(ev->event_id >> 8);
    le[6][0] = (uint8_t)ev->qualifiers; le[6][1] = (uint8_t)(ev->qualifiers >> 8);
    le[7][0] = (uint8_t)ev->task; le[7][1] = (uint8_t)(ev->task >> 8);
    v[S_TIME] = (slot){BX_FILETIME, le[0], 8};
    v[S_RECORDID] = (slot){BX_UINT64, le[1], 8};
    v[S_EVENTID] = (slot){BX_UINT16, le[5], 2};
    if (ev->has_keywords) v[S_KEYWORDS] = (slot){BX_HEXINT64, le[2], 8};
    if (ev->has_process_id) v[S_PID] = (slot){BX_UINT32, le[3], 4};
    if (ev->has_thread_id) v[S_TID] = (slot){BX_UINT32, le[4], 4};
    if (ev->has_qualifiers) v[S_QUALIFIERS] = (slot){BX_UINT16, le[6], 2};
    if (ev->has_task) v[S_TASK] = (slot){BX_UINT16, le[7], 2};
    if (ev->has_level) v[S_LEVEL] = (slot){BX_UINT8, &ev->level, 1};
    if (ev->has_opcode) v[S_OPCODE] = (slot){BX_UINT8, &ev->opcode, 1};
    if (ev->has_version) v[S_VERSION] = (slot){BX_UINT8, &ev->version, 1};
    if (ev->has_activity_id) v[S_ACTIVITY] = (slot){BX_GUID, ev->activity_id, 16};
    if (ev->has_related_activity_id) v[S_RELATED] = (slot){BX_GUID, ev->related_activity_id, 16};
    if (ev->user_sid) v[S_USERID] = (slot){BX_SID, ev->user_sid->data, (uint16_t)ev->user_sid->size};
    size_t nv = SYSTEM_SUBS;
    if (ev->payload) collect_leaves(ev->payload, v, &nv, n);
    w32(c, (uint32_t)n);
    for (size_t i = 0; i < n; i++) { w16(c, v[i].size); w8(c, v[i].type); w8(c, 0); }
    for (size_t i = 0; i < n; i++) if (v[i].size) wbytes(c, v[i].p, v[i].size);
    free(v);
}

/* ---- records -------------------------------------------------------------------------------- */

static void template_instance(bxe_chunk *c, const sy_event *ev)
{
    template_key(c, ev);
    uint64_t kh = fnv1a(c->key.data, c->key.len, 14695981039346656037ULL);
    const tmpl_def *t = NULL;
    for (size_t i = 0; i < c->ntmpls && !t; i++)
        if (c->tmpls[i].key_hash == kh && !strcmp(c->tmpls[i].key, c->key.data)) t = &c->tmpls[i];
    /* The template GUID: 16 bytes from the key, so a template keeps its GUID in every chunk. */
    uint64_t g1 = kh, g2 = fnv1a(c->key.data, c->key.len, 0x84222325cbf29ce4ULL);
    uint32_t id = (uint32_t)g1;
    w8(c, T_TEMPLATE);
    w8(c, 1);
    w32(c, id);
    if (t) {
        w32(c, t->off);
    } else {
        uint32_t off = here(c) + 4;
        uint32_t next = 0;
        for (size_t i = c->ntmpls; i-- > 0;)
            if (c->tmpls[i].id % 32 == id % 32) { next = c->tmpls[i].off; break; }
        if (c->ntmpls == c->captmpls) {
            c->captmpls = c->captmpls ? c->captmpls * 2 : 16;
            c->tmpls = realloc(c->tmpls, c->captmpls * sizeof *c->tmpls);
            if (!c->tmpls) abort();
        }
        c->tmpls[c->ntmpls++] = (tmpl_def){kh, strdup(c->key.data), off, id, next};
        w32(c, off);
        w32(c, next);
        w64(c, g1);
        w64(c, g2);
        size_t size_at = c->out->len;
        w32(c, 0);
        template_body(c, ev);
        patch32(c, size_at, (uint32_t)(c->out->len - size_at - 4));
    }
    instance_values(c, ev);
}

void bxe_encode_record(bxe_chunk *c, const sy_event *ev, uint32_t at, et_buf *out)
{
    drop_from(c, c->committed_names, c->committed_tmpls);
    out->len = 0;
    c->out = out;
    c->base = at;
    wbytes(c, "\x2a\x2a\0\0", 4);
    w32(c, 0); /* size, patched below */
    w64(c, ev->record_id);
    w64(c, (uint64_t)ev->time);
    w8(c, T_FRAGMENT); w8(c, 1); w8(c, 1); w8(c, 0);
    template_instance(c, ev);
    w8(c, T_EOF);
    while ((out->len + 4) % 8) w8(c, 0);
    uint32_t size = (uint32_t)out->len + 4;
    w32(c, size);
    patch32(c, 4, size);
    c->out = NULL;
}
