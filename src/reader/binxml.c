/* binxml.c: Binary XML token walker (MS-EVEN6) and the builder that maps the element
 * tree onto the normalized event: System values, EventData by name or position,
 * UserData and other payloads flattened to their leaf element names. */
#include "reader/binxml.h"
#include "reader/values.h"
#include "core/timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 48        /* element nesting */
#define MAX_NEST 12         /* template instances / embedded BinXML within one record */
#define MAX_STEPS 2000000   /* tokens per record: bounds pathological inputs */
#define MAX_RENDERED (16u << 20) /* text one record may render: a real one renders well under 1 MiB,
                                    a crafted one re-renders one big value through repeated tokens */
#define MAX_ATTRS 32
#define NAME_CACHE 2048
#define NAMES_MAX (4u << 20) /* bytes of cached names per chunk (names stored once each: < 100 KiB) */
#define MAX_FIELDS 4096
#define NAME_SLOTS 8192     /* field-name hash of one record: > 2 * MAX_FIELDS, always a free slot */

typedef struct bx_sub {
    uint8_t type;
    uint32_t off;  /* chunk offset of the value bytes */
    uint16_t size;
} bx_sub;

typedef struct bx_frame {
    const char *name;
    et_buf text;
    int has_children;
    int nattrs;
    int attrs_over;           /* it had more than MAX_ATTRS (counted once in attr_elems) */
    int nitems;               /* values of an array substitution: the element repeats per item */
    const char **items;
    int items_cap;
    const char *attr_name[MAX_ATTRS];
    const char *attr_value[MAX_ATTRS];
} bx_frame;

struct bx_decoder {
    const uint8_t *chunk;
    uint32_t len;
    /* name cache: chunk offset -> UTF-8 name, valid for the current chunk */
    uint32_t cache_key[NAME_CACHE];
    const char *cache_val[NAME_CACHE];
    et_arena names;
    size_t names_bytes; /* in names (NAMES_MAX) */
    et_buf namebuf;     /* read_name's own: its callers may be filling scratch (attribute values) */
    et_buf scratch;
    /* per-record state */
    bx_frame frames[MAX_DEPTH];
    int depth;
    int elements;       /* opened so far: a record with none holds no event */
    int section;        /* what frames[1] is (enum section): told once, not per element below it */
    int nest;
    int in_template;    /* elements inside template bodies carry a dependency id */
    long steps;
    size_t rendered;    /* bytes of text and values rendered so far (MAX_RENDERED) */
    int data_index;
    et_event *ev;
    et_arena *arena;
    et_field *fields;
    size_t nfields, fields_cap;
    /* names of the record's fields (open addressing; a slot is in use when its stamp is the
     * record's), and per field the next k to try for Name[k] when its name repeats */
    uint32_t slot_stamp[NAME_SLOTS];
    uint16_t slot_field[NAME_SLOTS];
    uint32_t stamp;
    uint32_t dup_next[MAX_FIELDS];
    size_t fields_left, attrs_left;   /* past MAX_FIELDS / MAX_ATTRS: counted, said with the record */
    size_t attr_elems;                /* elements whose attributes passed MAX_ATTRS */
    char *err;
    size_t errlen;
};

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

bx_decoder *bx_decoder_new(void)
{
    bx_decoder *d = calloc(1, sizeof *d);
    if (!d) abort();
    d->names.block_size = 32768;
    return d;
}

void bx_decoder_free(bx_decoder *d)
{
    if (!d) return;
    for (int i = 0; i < MAX_DEPTH; i++) {
        et_buf_free(&d->frames[i].text);
        free(d->frames[i].items);
    }
    et_buf_free(&d->scratch);
    et_buf_free(&d->namebuf);
    et_arena_free(&d->names);
    free(d->fields);
    free(d);
}

void bx_decoder_set_chunk(bx_decoder *d, const uint8_t *chunk, uint32_t len)
{
    d->chunk = chunk;
    d->len = len;
    memset(d->cache_key, 0, sizeof d->cache_key);
    et_arena_reset(&d->names);
    d->names_bytes = 0;
}

static int fail(bx_decoder *d, const char *msg, uint32_t off)
{
    if (!d->err[0]) snprintf(d->err, d->errlen, "%s at chunk offset 0x%x", msg, off);
    return -1;
}

/* Accounts for n more bytes of rendered text; fails past MAX_RENDERED. */
static int spend(bx_decoder *d, size_t n, uint32_t off)
{
    d->rendered += n;
    if (d->rendered > MAX_RENDERED) return fail(d, "record renders to more than 16 MiB of text", off);
    return 0;
}

/* ---- names ---------------------------------------------------------------- */

/* The names the builder looks for (System children, sections, Data and the attributes it
 * reads). Each name is told once, when it is read and cached for its chunk, and the kind is
 * kept in the byte before its text (name_kind), so no element or attribute is told apart by
 * strcmp. */
enum known_name { KN_OTHER, KN_PROVIDER, KN_EVENTID, KN_VERSION, KN_LEVEL, KN_TASK, KN_OPCODE, KN_KEYWORDS,
                  KN_TIMECREATED, KN_RECORDID, KN_EXECUTION, KN_CHANNEL, KN_COMPUTER, KN_SECURITY,
                  KN_SYSTEM, KN_EVENTDATA, KN_RENDERINGINFO, KN_DATA, KN_NAME, KN_EVENTSOURCENAME, KN_GUID,
                  KN_QUALIFIERS, KN_SYSTEMTIME, KN_PROCESSID, KN_THREADID, KN_USERID };

static uint8_t classify_name(const char *n, size_t len)
{
    static const struct { const char *name; uint8_t len, kind; } known[] = {
        {"Provider", 8, KN_PROVIDER}, {"EventID", 7, KN_EVENTID}, {"EventRecordID", 13, KN_RECORDID},
        {"Execution", 9, KN_EXECUTION}, {"Version", 7, KN_VERSION}, {"Level", 5, KN_LEVEL}, {"Task", 4, KN_TASK},
        {"TimeCreated", 11, KN_TIMECREATED}, {"Opcode", 6, KN_OPCODE}, {"Keywords", 8, KN_KEYWORDS},
        {"Channel", 7, KN_CHANNEL}, {"Computer", 8, KN_COMPUTER}, {"Security", 8, KN_SECURITY},
        {"System", 6, KN_SYSTEM}, {"EventData", 9, KN_EVENTDATA}, {"RenderingInfo", 13, KN_RENDERINGINFO},
        {"Data", 4, KN_DATA}, {"Name", 4, KN_NAME}, {"EventSourceName", 15, KN_EVENTSOURCENAME},
        {"Guid", 4, KN_GUID}, {"Qualifiers", 10, KN_QUALIFIERS}, {"SystemTime", 10, KN_SYSTEMTIME},
        {"ProcessID", 9, KN_PROCESSID}, {"ThreadID", 8, KN_THREADID}, {"UserID", 6, KN_USERID}};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (known[i].len == len && memcmp(known[i].name, n, len) == 0) return known[i].kind;
    return KN_OTHER;
}

/* A copy of the name in namebuf, its kind in the byte before it. */
static const char *tagged_name(const bx_decoder *d, et_arena *a)
{
    const char *s = d->namebuf.data ? d->namebuf.data : "";
    size_t len = d->namebuf.len;
    char *p = et_arena_alloc(a, len + 2);
    p[0] = (char)classify_name(s, len);
    memcpy(p + 1, s, len);
    p[len + 1] = 0;
    return p + 1;
}

/* What a name from read_name is (enum known_name). */
static enum known_name name_kind(const char *name) { return (enum known_name)(uint8_t)name[-1]; }

/* Reads the name at chunk offset name_off. If the name is stored inline (at *pos),
 * advances *pos past it. */
static const char *read_name(bx_decoder *d, uint32_t name_off, uint32_t *pos)
{
    if ((uint64_t)name_off + 8 > d->len) { fail(d, "name offset out of range", name_off); return NULL; }
    uint32_t units = rd16(d->chunk + name_off + 6);
    uint32_t total = 8 + 2 * units + 2;
    if ((uint64_t)name_off + total > d->len) { fail(d, "name runs past the chunk", name_off); return NULL; }
    if (name_off == *pos) *pos += total;
    uint32_t slot = (name_off * 2654435761u) >> 21 & (NAME_CACHE - 1);
    for (uint32_t i = 0; i < 8; i++) {
        uint32_t s = (slot + i) & (NAME_CACHE - 1);
        if (d->cache_key[s] == name_off + 1) return d->cache_val[s];
        if (d->cache_key[s] == 0) { slot = s; goto miss; }
    }
    slot = NAME_CACHE; /* table crowded: do not cache */
miss:
    d->namebuf.len = 0;
    bx_utf16_to_utf8(&d->namebuf, d->chunk + name_off + 8, units, 1);
    /* Decoding counts as rendering: names at thousands of offsets, read again and again, would
     * otherwise fill memory. Names not cached live as long as the record. */
    if (spend(d, d->namebuf.len, name_off)) return NULL;
    if (slot == NAME_CACHE || d->names_bytes + d->namebuf.len >= NAMES_MAX) return tagged_name(d, d->arena);
    const char *name = tagged_name(d, &d->names);
    d->names_bytes += d->namebuf.len + 2;
    d->cache_key[slot] = name_off + 1;
    d->cache_val[slot] = name;
    return name;
}

/* ---- builder: element tree -> event --------------------------------------- */

static char *arena_copy(bx_decoder *d, const et_buf *b)
{
    return et_arena_strndup(d->arena, b->data ? b->data : "", b->len);
}

static const char *frame_attr(const bx_frame *f, enum known_name kind)
{
    for (int i = 0; i < f->nattrs; i++)
        if (name_kind(f->attr_name[i]) == kind) return f->attr_value[i];
    return NULL;
}

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* Index of the record's field called name, or -1; *slot: where it is or would go. */
static int find_field(const bx_decoder *d, const char *name, uint32_t *slot)
{
    uint32_t s = name_hash(name) & (NAME_SLOTS - 1);
    for (; d->slot_stamp[s] == d->stamp; s = (s + 1) & (NAME_SLOTS - 1))
        if (strcmp(d->fields[d->slot_field[s]].name, name) == 0) break;
    *slot = s;
    return d->slot_stamp[s] == d->stamp ? d->slot_field[s] : -1;
}

static void add_field(bx_decoder *d, const char *name, const char *value)
{
    if (d->nfields >= MAX_FIELDS) { d->fields_left++; return; }
    uint32_t slot;
    int dup = find_field(d, name, &slot);
    if (dup >= 0) { /* repeated name: the first free one of Name[1], Name[2]... */
        size_t len = strlen(name) + 24;
        char *tmp = et_arena_alloc(d->arena, len);
        uint32_t k = d->dup_next[dup]; /* Name[1] .. Name[k-1] are taken already */
        for (;; k++) {
            snprintf(tmp, len, "%s[%u]", name, k);
            if (find_field(d, tmp, &slot) < 0) break;
        }
        d->dup_next[dup] = k + 1;
        name = tmp;
    }
    if (d->nfields == d->fields_cap) {
        d->fields_cap = d->fields_cap ? d->fields_cap * 2 : 64;
        d->fields = realloc(d->fields, d->fields_cap * sizeof *d->fields);
        if (!d->fields) abort();
    }
    d->slot_stamp[slot] = d->stamp;
    d->slot_field[slot] = (uint16_t)d->nfields;
    d->dup_next[d->nfields] = 1;
    d->fields[d->nfields].name = name;
    d->fields[d->nfields].value = value;
    d->nfields++;
}

/* Decimal, or hexadecimal after 0x (how the System values are written); 0 on anything else,
 * overflow included. Called for most System children of every record: no strtoull. */
static int parse_uint(const char *s, unsigned long long *out)
{
    if (!s || !*s) return 0;
    unsigned long long v = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        if (!*s) return 0;
        for (; *s; s++) {
            int c = (unsigned char)*s, d = c >= '0' && c <= '9' ? c - '0' : (c | 32) >= 'a' && (c | 32) <= 'f' ? (c | 32) - 'a' + 10 : -1;
            if (d < 0 || v >> 60) return 0;
            v = v << 4 | (unsigned)d;
        }
    } else {
        for (; *s; s++) {
            if (*s < '0' || *s > '9' || v > (~0ULL - 9) / 10) return 0;
            v = v * 10 + (unsigned)(*s - '0');
        }
    }
    *out = v;
    return 1;
}

static void end_system_child(bx_decoder *d, bx_frame *f)
{
    et_event *ev = d->ev;
    const char *text = f->text.data ? f->text.data : "";
    unsigned long long v;
    switch (name_kind(f->name)) {
    case KN_PROVIDER: {
        const char *a = frame_attr(f, KN_NAME);
        if (!a) a = frame_attr(f, KN_EVENTSOURCENAME);
        ev->provider = a;
        ev->provider_guid = frame_attr(f, KN_GUID);
        break;
    }
    case KN_EVENTID:
        if (parse_uint(text, &v)) ev->event_id = (uint32_t)v;
        if (parse_uint(frame_attr(f, KN_QUALIFIERS), &v)) { ev->qualifiers = (uint16_t)v; ev->has_qualifiers = true; }
        break;
    case KN_VERSION: if (parse_uint(text, &v)) { ev->version = (uint8_t)v; ev->has_version = true; } break;
    case KN_LEVEL: if (parse_uint(text, &v)) { ev->level = (uint8_t)v; ev->has_level = true; } break;
    case KN_TASK: if (parse_uint(text, &v)) { ev->task = (uint16_t)v; ev->has_task = true; } break;
    case KN_OPCODE: if (parse_uint(text, &v)) { ev->opcode = (uint8_t)v; ev->has_opcode = true; } break;
    case KN_KEYWORDS: if (parse_uint(text, &v)) { ev->keywords = v; ev->has_keywords = true; } break;
    case KN_TIMECREATED: {
        /* What Windows displays; the record header's time is the fallback (some
         * exports and crafted files leave it zero or differing). */
        int64_t ft;
        const char *st = frame_attr(f, KN_SYSTEMTIME);
        if (st && et_iso_to_filetime(st, &ft)) ev->timestamp = ft;
        break;
    }
    case KN_RECORDID:
        /* Exports (wevtutil epl, Event Viewer "save filtered") renumber record headers but
         * keep the original id here, which is the one Windows shows. */
        if (parse_uint(text, &v)) ev->record_id = v;
        break;
    case KN_EXECUTION:
        if (parse_uint(frame_attr(f, KN_PROCESSID), &v)) { ev->process_id = (uint32_t)v; ev->has_process_id = true; }
        if (parse_uint(frame_attr(f, KN_THREADID), &v)) { ev->thread_id = (uint32_t)v; ev->has_thread_id = true; }
        break;
    case KN_CHANNEL: ev->channel = arena_copy(d, &f->text); break;
    case KN_COMPUTER: ev->computer = arena_copy(d, &f->text); break;
    case KN_SECURITY: ev->user_sid = frame_attr(f, KN_USERID); break;
    default: break;
    }
}

enum section { SEC_OTHER, SEC_SYSTEM, SEC_EVENTDATA, SEC_RENDERING };

static int section_of(const char *name)
{
    switch (name_kind(name)) {
    case KN_SYSTEM: return SEC_SYSTEM;
    case KN_EVENTDATA: return SEC_EVENTDATA;
    case KN_RENDERINGINFO: return SEC_RENDERING;
    default: return SEC_OTHER;
    }
}

static void end_payload_element(bx_decoder *d, bx_frame *f, int depth)
{
    if (d->section == SEC_EVENTDATA && depth == 2) {
        if (name_kind(f->name) == KN_DATA) {
            const char *name = frame_attr(f, KN_NAME);
            if (!name || !*name) {
                char tmp[32];
                snprintf(tmp, sizeof tmp, "Data[%d]", d->data_index);
                name = et_arena_strndup(d->arena, tmp, strlen(tmp));
            }
            if (f->nitems) { /* Windows writes one <Data> per array item */
                for (int i = 0; i < f->nitems; i++) {
                    if (!frame_attr(f, KN_NAME) || !*frame_attr(f, KN_NAME)) {
                        char tmp[32];
                        snprintf(tmp, sizeof tmp, "Data[%d]", d->data_index);
                        name = et_arena_strndup(d->arena, tmp, strlen(tmp));
                    }
                    d->data_index++;
                    add_field(d, name, f->items[i]);
                }
                return;
            }
            d->data_index++;
            add_field(d, name, arena_copy(d, &f->text));
            return;
        }
    }
    if (d->section == SEC_RENDERING) return;
    for (int i = 0; i < f->nattrs; i++) {
        if (strncmp(f->attr_name[i], "xmlns", 5) == 0) continue;
        char tmp[512];
        snprintf(tmp, sizeof tmp, "%s.%s", f->name, f->attr_name[i]);
        add_field(d, et_arena_strndup(d->arena, tmp, strlen(tmp)), f->attr_value[i]);
    }
    if (f->nitems) {
        for (int i = 0; i < f->nitems; i++) add_field(d, f->name, f->items[i]);
        return;
    }
    if (!f->has_children && (f->text.len || (depth >= 2 && f->nattrs == 0)))
        add_field(d, f->name, arena_copy(d, &f->text));
}

static int elem_start(bx_decoder *d, const char *name)
{
    if (d->depth >= MAX_DEPTH) return fail(d, "elements nested too deeply", 0);
    if (d->depth > 0) d->frames[d->depth - 1].has_children = 1;
    if (d->depth == 1) d->section = section_of(name);
    d->elements++;
    bx_frame *f = &d->frames[d->depth++];
    f->name = name;
    f->text.len = 0;
    if (f->text.data) f->text.data[0] = 0;
    f->has_children = 0;
    f->nattrs = 0;
    f->attrs_over = 0;
    f->nitems = 0;
    return 0;
}

static void elem_end(bx_decoder *d)
{
    int depth = --d->depth;
    bx_frame *f = &d->frames[depth];
    if (depth >= 2 && d->section == SEC_SYSTEM) {
        if (depth == 2) end_system_child(d, f);
    } else if (depth >= 2) {
        end_payload_element(d, f, depth);
    } else if (depth == 1 && !f->has_children && f->text.len && d->section != SEC_SYSTEM) {
        add_field(d, f->name, arena_copy(d, &f->text));
    }
}

/* ---- token walker --------------------------------------------------------- */

enum {
    T_EOF = 0x00, T_OPEN = 0x01, T_CLOSE_START = 0x02, T_CLOSE_EMPTY = 0x03, T_END = 0x04,
    T_VALUE = 0x05, T_ATTR = 0x06, T_CDATA = 0x07, T_CHARREF = 0x08, T_ENTITYREF = 0x09,
    T_PITARGET = 0x0A, T_PIDATA = 0x0B, T_TEMPLATE = 0x0C, T_SUBST = 0x0D, T_OPTSUBST = 0x0E,
    T_FRAGMENT = 0x0F
};

typedef struct subs_t {
    const bx_sub *v;
    uint32_t n;
} subs_t;

static int parse_content(bx_decoder *d, uint32_t *pos, uint32_t end, subs_t subs, int stop_at_end_elem);

static int need(bx_decoder *d, uint32_t pos, uint32_t n, uint32_t end)
{
    if ((uint64_t)pos + n > end) return fail(d, "token runs past its data", pos);
    return 0;
}

static void put_entity(et_buf *out, const char *name)
{
    if (strcmp(name, "lt") == 0) et_buf_putc(out, '<');
    else if (strcmp(name, "gt") == 0) et_buf_putc(out, '>');
    else if (strcmp(name, "amp") == 0) et_buf_putc(out, '&');
    else if (strcmp(name, "quot") == 0) et_buf_putc(out, '"');
    else if (strcmp(name, "apos") == 0) et_buf_putc(out, '\'');
    else et_buf_printf(out, "&%s;", name);
}

static void put_charref(et_buf *out, uint16_t c)
{
    uint8_t u[2] = {(uint8_t)c, (uint8_t)(c >> 8)};
    bx_utf16_to_utf8(out, u, 1, 0);
}

/* The n items at s's offsets off (lengths len) as the frame's values. */
static int push_items(bx_decoder *d, const bx_sub *s, const uint32_t *off, const uint32_t *len, size_t n)
{
    bx_frame *f = &d->frames[d->depth - 1];
    for (size_t i = 0; i < n; i++) {
        d->scratch.len = 0;
        if (d->scratch.data) d->scratch.data[0] = 0;
        char msg[128] = "";
        if (bx_render_value(&d->scratch, s->type & 0x7F, d->chunk + s->off + off[i], len[i], msg, sizeof msg) < 0)
            return fail(d, msg, s->off);
        if (spend(d, d->scratch.len + sizeof *f->items, s->off)) return -1;
        if (f->nitems == f->items_cap) {
            f->items_cap = f->items_cap ? f->items_cap * 2 : 8;
            f->items = realloc(f->items, (size_t)f->items_cap * sizeof *f->items);
            if (!f->items) abort();
        }
        f->items[f->nitems++] = et_arena_strndup(d->arena, d->scratch.data ? d->scratch.data : "", d->scratch.len);
    }
    return 1;
}

/* An array substitution as element content: each item becomes its own element value, every
 * one of them (their offsets on the heap past 256). */
static int push_array_items(bx_decoder *d, const bx_sub *s)
{
    enum { ON_STACK = 256 };
    uint32_t soff[ON_STACK], slen[ON_STACK], *off = soff, *len = slen;
    size_t cap = (size_t)s->size + 1;   /* items of one byte each, at most (every item, none cut) */
    if (cap > ON_STACK) {
        off = malloc(cap * 2 * sizeof *off);
        if (!off) abort();
        len = off + cap;
    }
    size_t n = bx_array_items(s->type, d->chunk + s->off, s->size, off, len, cap);
    int rc = push_items(d, s, off, len, n);
    if (off != soff) free(off);
    return rc;
}

/* Renders the substitution into out, or descends into embedded BinXML (text == NULL
 * means element content, where BinXML is allowed). Returns 1 if something was
 * present, 0 for an empty optional value, -1 on error. */
static int do_substitution(bx_decoder *d, uint32_t *pos, uint32_t end, subs_t subs, et_buf *out)
{
    if (need(d, *pos, 4, end)) return -1;
    uint8_t tok = d->chunk[*pos] & 0x0F;
    uint16_t idx = rd16(d->chunk + *pos + 1);
    *pos += 4;
    if (idx >= subs.n) {
        if (tok == T_OPTSUBST) return 0;
        return fail(d, "substitution index out of range", *pos - 4);
    }
    const bx_sub *s = &subs.v[idx];
    if (s->type == BX_NULL || (tok == T_OPTSUBST && s->size == 0)) return 0;
    if (s->type == BX_BINXML) {
        if (!out) {
            if (++d->nest > MAX_NEST) return fail(d, "embedded BinXML nested too deeply", s->off);
            uint32_t p = s->off;
            subs_t none = {NULL, 0};
            int saved = d->in_template;
            d->in_template = 0;
            int rc = parse_content(d, &p, s->off + s->size, none, 0);
            d->in_template = saved;
            d->nest--;
            return rc < 0 ? -1 : 1;
        }
        return 1; /* BinXML inside an attribute value: nothing textual to render */
    }
    if (!out && d->depth == 0) return 1;
    if (!out && (s->type & BX_ARRAY)) return push_array_items(d, s);
    et_buf *dst = out ? out : &d->frames[d->depth - 1].text;
    char msg[128] = "";
    size_t before = dst->len;
    if (bx_render_value(dst, s->type, d->chunk + s->off, s->size, msg, sizeof msg) < 0)
        return fail(d, msg, s->off);
    return spend(d, dst->len - before, s->off) < 0 ? -1 : 1;
}

static int text_piece_raw(bx_decoder *d, uint32_t *pos, uint32_t end, et_buf *out, uint8_t tok)
{
    const uint8_t *c = d->chunk;
    switch (tok) {
    case T_VALUE: {
        if (need(d, *pos, 4, end)) return -1;
        uint8_t type = c[*pos + 1];
        uint32_t units = rd16(c + *pos + 2);
        if (need(d, *pos + 4, units * 2, end)) return -1;
        if (type == BX_STRING) bx_utf16_to_utf8(out, c + *pos + 4, units, 0);
        *pos += 4 + units * 2;
        return 1;
    }
    case T_CDATA: {
        if (need(d, *pos, 3, end)) return -1;
        uint32_t units = rd16(c + *pos + 1);
        if (need(d, *pos + 3, units * 2, end)) return -1;
        bx_utf16_to_utf8(out, c + *pos + 3, units, 0);
        *pos += 3 + units * 2;
        return 1;
    }
    case T_CHARREF:
        if (need(d, *pos, 3, end)) return -1;
        put_charref(out, rd16(c + *pos + 1));
        *pos += 3;
        return 1;
    case T_ENTITYREF: {
        if (need(d, *pos, 5, end)) return -1;
        uint32_t name_off = rd32(c + *pos + 1);
        *pos += 5;
        const char *name = read_name(d, name_off, pos);
        if (!name) return -1;
        put_entity(out, name);
        return 1;
    }
    }
    return 0;
}

/* Reads a text piece (value, charref, entity, cdata) into out. Returns 1 if consumed. */
static int text_piece(bx_decoder *d, uint32_t *pos, uint32_t end, et_buf *out, uint8_t tok)
{
    uint32_t start = *pos;
    size_t before = out->len;
    int rc = text_piece_raw(d, pos, end, out, tok);
    if (rc > 0 && spend(d, out->len - before, start)) return -1;
    return rc;
}

static int parse_attribute(bx_decoder *d, uint32_t *pos, uint32_t end, subs_t subs)
{
    if (need(d, *pos, 5, end)) return -1;
    uint32_t name_off = rd32(d->chunk + *pos + 1);
    *pos += 5;
    const char *name = read_name(d, name_off, pos);
    if (!name) return -1;
    et_buf *val = &d->scratch;
    val->len = 0;
    if (val->data) val->data[0] = 0;
    int present = 0, any_token = 0;
    while (*pos < end) {
        if (++d->steps > MAX_STEPS) return fail(d, "record too complex", *pos);
        uint8_t tok = d->chunk[*pos] & 0x0F;
        int rc;
        if (tok == T_SUBST || tok == T_OPTSUBST) {
            rc = do_substitution(d, pos, end, subs, val);
            if (rc < 0) return -1;
            if (rc > 0 || tok == T_SUBST) present = 1;
        } else {
            rc = text_piece(d, pos, end, val, tok);
            if (rc < 0) return -1;
            if (rc == 0) break;
            present = 1;
        }
        any_token = 1;
    }
    if (!any_token) present = 1;
    bx_frame *f = &d->frames[d->depth - 1];
    if (present && f->nattrs < MAX_ATTRS) {
        f->attr_name[f->nattrs] = name;
        f->attr_value[f->nattrs] = et_arena_strndup(d->arena, val->data ? val->data : "", val->len);
        f->nattrs++;
    } else if (present) {
        d->attrs_left++;
        if (!f->attrs_over) d->attr_elems++;
        f->attrs_over = 1;
    }
    return 0;
}

static int parse_element(bx_decoder *d, uint32_t *pos, uint32_t end, subs_t subs)
{
    const uint8_t *c = d->chunk;
    uint32_t hdr = d->in_template ? 11 : 9;
    if (need(d, *pos, hdr, end)) return -1;
    uint8_t tok = c[*pos];
    uint32_t name_off = rd32(c + *pos + hdr - 4);
    *pos += hdr;
    const char *name = read_name(d, name_off, pos);
    if (!name) return -1;
    if (tok & 0x40) {
        if (need(d, *pos, 4, end)) return -1;
        *pos += 4; /* attribute list size */
    }
    if (elem_start(d, name) < 0) return -1;
    while (*pos < end && (c[*pos] & 0x0F) == T_ATTR) { /* attributes are tokens too (MAX_STEPS) */
        if (++d->steps > MAX_STEPS) return fail(d, "record too complex", *pos);
        if (parse_attribute(d, pos, end, subs) < 0) return -1;
    }
    if (need(d, *pos, 1, end)) return -1;
    uint8_t next = c[*pos] & 0x0F;
    if (next == T_CLOSE_EMPTY) {
        (*pos)++;
    } else if (next == T_CLOSE_START) {
        (*pos)++;
        if (parse_content(d, pos, end, subs, 1) < 0) return -1;
    } else {
        return fail(d, "expected end of start tag", *pos);
    }
    elem_end(d);
    return 0;
}

static int parse_template_instance(bx_decoder *d, uint32_t *pos, uint32_t end)
{
    const uint8_t *c = d->chunk;
    if (need(d, *pos, 10, end)) return -1;
    uint32_t tmpl_id = rd32(c + *pos + 2);
    uint32_t def_off = rd32(c + *pos + 6);
    *pos += 10;
    if ((uint64_t)def_off + 24 > d->len) return fail(d, "template definition out of range", def_off);
    /* The instance names its template; a definition with another id means the offset is
     * stale (a slack-space remnant) or damaged. */
    if (rd32(c + def_off + 4) != tmpl_id) return fail(d, "template reference does not match its definition", def_off);
    uint32_t body_size = rd32(c + def_off + 20);
    uint64_t body_end = (uint64_t)def_off + 24 + body_size;
    if (body_end > d->len) return fail(d, "template definition runs past the chunk", def_off);
    if (def_off == *pos) *pos = (uint32_t)body_end; /* definition stored inline */
    if (need(d, *pos, 4, end)) return -1;
    uint32_t n = rd32(c + *pos);
    *pos += 4;
    if ((uint64_t)n * 4 > end - *pos) return fail(d, "too many substitution values", *pos);
    bx_sub *v = et_arena_alloc(d->arena, (n ? n : 1) * sizeof *v);
    uint32_t data = *pos + n * 4;
    for (uint32_t i = 0; i < n; i++) {
        v[i].size = rd16(c + *pos + 4 * i);
        v[i].type = c[*pos + 4 * i + 2];
        v[i].off = data;
        data += v[i].size;
    }
    if (data > end) return fail(d, "substitution values run past the record", *pos);
    *pos = data;
    if (++d->nest > MAX_NEST) return fail(d, "templates nested too deeply", def_off);
    uint32_t body = def_off + 24;
    subs_t subs = {v, n};
    int saved = d->in_template;
    d->in_template = 1;
    int rc = parse_content(d, &body, (uint32_t)body_end, subs, 0);
    d->in_template = saved;
    d->nest--;
    return rc;
}

static int parse_content(bx_decoder *d, uint32_t *pos, uint32_t end, subs_t subs, int in_element)
{
    const uint8_t *c = d->chunk;
    while (*pos < end) {
        if (++d->steps > MAX_STEPS) return fail(d, "record too complex", *pos);
        uint8_t raw = c[*pos], tok = raw & 0x0F;
        switch (tok) {
        case T_EOF:
            (*pos)++;
            return 0;
        case T_OPEN:
            if (raw & 0xB0) return fail(d, "unknown token", *pos);
            if (parse_element(d, pos, end, subs) < 0) return -1;
            break;
        case T_END:
            (*pos)++;
            if (in_element) return 0;
            return fail(d, "unbalanced end element", *pos - 1);
        case T_SUBST: case T_OPTSUBST:
            if (do_substitution(d, pos, end, subs, NULL) < 0) return -1;
            break;
        case T_VALUE: case T_CDATA: case T_CHARREF: case T_ENTITYREF: {
            et_buf tmp = {0};
            et_buf *dst = d->depth ? &d->frames[d->depth - 1].text : &tmp;
            int rc = text_piece(d, pos, end, dst, tok);
            et_buf_free(&tmp);
            if (rc < 0) return -1;
            break;
        }
        case T_PITARGET: {
            if (need(d, *pos, 5, end)) return -1;
            uint32_t name_off = rd32(c + *pos + 1);
            *pos += 5;
            if (!read_name(d, name_off, pos)) return -1;
            break;
        }
        case T_PIDATA: {
            if (need(d, *pos, 3, end)) return -1;
            uint32_t units = rd16(c + *pos + 1);
            if (need(d, *pos + 3, units * 2, end)) return -1;
            *pos += 3 + units * 2;
            break;
        }
        case T_TEMPLATE:
            if (parse_template_instance(d, pos, end) < 0) return -1;
            break;
        case T_FRAGMENT:
            if (need(d, *pos, 4, end)) return -1;
            *pos += 4;
            break;
        default:
            return fail(d, "unknown token", *pos);
        }
    }
    if (in_element) return fail(d, "element not closed", *pos);
    return 0;
}

/* A record decoded with parts beyond the bounds: err says what was left out (not silently). */
static void note_left_out(bx_decoder *d)
{
    char attrs[96];
    snprintf(attrs, sizeof attrs, "%zu attribute(s) past %d on %zu element%s", d->attrs_left, MAX_ATTRS, d->attr_elems,
             d->attr_elems == 1 ? "" : "s");
    if (d->fields_left && d->attrs_left)
        snprintf(d->err, d->errlen, "%zu field(s) past the first %d and %s left out", d->fields_left, MAX_FIELDS, attrs);
    else if (d->fields_left)
        snprintf(d->err, d->errlen, "%zu field(s) past the first %d left out", d->fields_left, MAX_FIELDS);
    else if (d->attrs_left)
        snprintf(d->err, d->errlen, "%s left out", attrs);
}

int bx_decode_record(bx_decoder *d, uint32_t off, uint32_t end, et_event *ev, et_arena *arena,
                     char *err, size_t errlen)
{
    err[0] = 0;
    d->err = err;
    d->errlen = errlen;
    d->ev = ev;
    d->arena = arena;
    d->depth = 0;
    d->elements = 0;
    d->nest = 0;
    d->in_template = 0;
    d->steps = 0;
    d->rendered = 0;
    d->data_index = 0;
    d->nfields = 0;
    d->fields_left = d->attrs_left = d->attr_elems = 0;
    if (++d->stamp == 0) { /* wrapped: forget every slot */
        memset(d->slot_stamp, 0, sizeof d->slot_stamp);
        d->stamp = 1;
    }
    if (end > d->len) end = d->len;
    uint32_t pos = off;
    int rc = parse_content(d, &pos, end, (subs_t){NULL, 0}, 0);
    if (rc == 0 && d->depth != 0) rc = fail(d, "element not closed", pos);
    /* Data that ends before its first element (zeros, or a fragment overwritten from its
     * start) is no event: carved, it is a remnant; live, a damaged record. */
    if (rc == 0 && d->elements == 0) rc = fail(d, "record data holds no element", off);
    ev->fields = d->fields;
    ev->nfields = d->nfields;
    if (rc == 0) note_left_out(d);
    return rc;
}
