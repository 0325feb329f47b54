/* ydoc.c: turns libyaml's event stream into position-carrying node trees (anchors resolved),
 * within the bounds a reader of untrusted YAML needs: nesting depth (YDOC_MAX_DEPTH, through
 * aliases too), what aliases add (YDOC_MAX_ALIAS_BYTES), no key twice in a map, a bad byte said
 * at its line and column. Anchors belong to their document, as YAML (and PyYAML, which pySigma
 * reads rules with) has them. */
#include "core/ydoc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <strings.h>
#include <yaml.h>

/* A hash table of (owner, text) -> node: a document's anchors (owner NULL) and the keys of its
 * maps (owner: the map). Open addressing,
 * seeded per parse so that no file can choose names that all collide. */
typedef struct slot {
    const void *owner;
    const char *s;
    size_t len;
    ynode *node;
} slot;
typedef struct table {
    slot *v;
    size_t cap, n;     /* cap: a power of two, at least twice n */
    uint64_t seed;
} table;

typedef struct builder {
    FILE *f;              /* the input: a file, or text bytes */
    const unsigned char *text;
    size_t len;
    et_arena *arena;
    int line0;            /* lines before the text parsed (a piece of a file: ydoc_many.c) */
    ynode **stack;        /* open collections */
    size_t depth, cap;
    table anchors;        /* the document's */
    table keys;           /* the keys of the document's maps */
    ynode *root;
    size_t xbytes;        /* the document so far, aliases expanded (the open nodes' xsize: where they began) */
    size_t alias_bytes;   /* what the file's aliases added so far */
} builder;

static ynode *new_node(builder *b, yn_kind kind, const yaml_mark_t *m)
{
    ynode *n = et_arena_alloc(b->arena, sizeof *n);
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->line = (int)m->line + 1 + b->line0;
    n->col = (int)m->column + 1;
    return n;
}

static void add_child(builder *b, ynode *child)
{
    if (!b->depth) { b->root = child; return; }
    ynode *parent = b->stack[b->depth - 1];
    /* items grow by doubling inside the arena: copy on growth (documents are small) */
    size_t cap = 4;
    while (cap < parent->n) cap *= 2;
    if (parent->n == 0 || parent->n == cap) {
        size_t ncap = parent->n == 0 ? 4 : cap * 2;
        ynode **items = et_arena_alloc(b->arena, ncap * sizeof *items);
        if (parent->n) memcpy(items, parent->items, parent->n * sizeof *items);
        parent->items = items;
    }
    parent->items[parent->n++] = child;
}

static uint64_t hash_of(uint64_t seed, const void *owner, const char *s, size_t len)
{
    uint64_t h = seed ^ (uint64_t)(uintptr_t)owner;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    h ^= h >> 33;   /* murmur3's finalizer: the slot index (low bits) depends on every bit */
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

/* The slot of (owner, s): the one holding it, or the empty one where it goes. */
static slot *table_slot(table *t, const void *owner, const char *s, size_t len)
{
    if (t->n * 2 >= t->cap) {   /* grow first, so that there is always an empty slot */
        size_t ncap = t->cap ? t->cap * 2 : 64;
        slot *nv = calloc(ncap, sizeof *nv);
        if (!nv) abort();
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->v[i].s) continue;
            size_t k = hash_of(t->seed, t->v[i].owner, t->v[i].s, t->v[i].len) & (ncap - 1);
            while (nv[k].s) k = (k + 1) & (ncap - 1);
            nv[k] = t->v[i];
        }
        free(t->v);
        t->v = nv;
        t->cap = ncap;
    }
    size_t k = hash_of(t->seed, owner, s, len) & (t->cap - 1);
    while (t->v[k].s && !(t->v[k].owner == owner && t->v[k].len == len && !memcmp(t->v[k].s, s, len)))
        k = (k + 1) & (t->cap - 1);
    return &t->v[k];
}

static void table_clear(table *t)
{
    if (t->n) memset(t->v, 0, t->cap * sizeof *t->v);
    t->n = 0;
}

/* A later anchor of the same name replaces the earlier one (YAML). */
static void remember_anchor(builder *b, const unsigned char *name, ynode *node)
{
    if (!name) return;
    size_t len = strlen((const char *)name);
    slot *sl = table_slot(&b->anchors, NULL, (const char *)name, len);
    if (!sl->s) {
        sl->s = et_arena_strndup(b->arena, (const char *)name, len);
        sl->len = len;
        b->anchors.n++;
    }
    sl->node = node;
}

static ynode *find_anchor(builder *b, const unsigned char *name)
{
    return table_slot(&b->anchors, NULL, (const char *)name, strlen((const char *)name))->node;
}

/* A list or map of height h (an alias's, or one just read) under the open parent. */
static void raise_parent(builder *b, unsigned h)
{
    if (!b->depth) return;
    ynode *parent = b->stack[b->depth - 1];
    if (parent->height < h + 1) parent->height = h + 1;
}

/* Would a list or map of height h, put here, nest deeper than YDOC_MAX_DEPTH? libyaml's scanner
 * costs time in proportion to the depth for every token, so this is said as soon as the
 * depth is passed, not after the whole file has been read. */
static int too_deep(const builder *b, unsigned h, const char *alias, char *err, size_t errlen)
{
    if (b->depth + h <= YDOC_MAX_DEPTH) return 0;
    if (alias) snprintf(err, errlen, "alias '*%s' nests lists and maps more than %d levels deep", alias, YDOC_MAX_DEPTH);
    else snprintf(err, errlen, "lists and maps nested more than %d levels deep", YDOC_MAX_DEPTH);
    return -1;
}

static void push(builder *b, ynode *n)
{
    n->height = 1;
    n->open = true;
    n->xsize = b->xbytes;
    b->xbytes += YDOC_NODE_BYTES;
    add_child(b, n);
    if (b->depth == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->stack = realloc(b->stack, b->cap * sizeof *b->stack);
    }
    b->stack[b->depth++] = n;
}

/* True when the next child of the open collection is a mapping key. */
static int at_key(const builder *b)
{
    return b->depth && b->stack[b->depth - 1]->kind == YN_MAP && b->stack[b->depth - 1]->n % 2 == 0;
}

/* Every format read through ydoc names things with plain-text keys: a list or map as a key
 * (YAML's "? " complex keys) is refused here once, not in each reader. */
static int refuse_complex_key(const builder *b, char *err, size_t errlen)
{
    if (!at_key(b)) return 0;
    snprintf(err, errlen, "a mapping key must be text, not a list or map");
    return -1;
}

/* Text for a message: at most 60 bytes of s, control characters as '?'. */
static void printable(const char *s, size_t len, char *out, size_t outlen)
{
    size_t n = 0;
    for (size_t i = 0; i < len && i < 60 && n + 1 < outlen; i++)
        out[n++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    if (len > 60 && n + 4 < outlen) { memcpy(out + n, "...", 3); n += 3; }
    out[n] = 0;
}

/* A key met a second time in one map is an error at the second: YAML forbids it, and readers
 * differ on which one wins (PyYAML, and so pySigma, the last; evtriage kept the first). */
static int duplicate_key(builder *b, const ynode *key, char *err, size_t errlen)
{
    if (!at_key(b)) return 0;
    const ynode *map = b->stack[b->depth - 1];
    slot *sl = table_slot(&b->keys, map, key->str, key->len);
    if (!sl->s) {
        sl->owner = map;
        sl->s = key->str;
        sl->len = key->len;
        sl->node = (ynode *)key;
        b->keys.n++;
        return 0;
    }
    char text[80];
    printable(key->str, key->len, text, sizeof text);
    snprintf(err, errlen, "duplicate key '%s' (first at line %d, column %d)", text, sl->node->line, sl->node->col);
    return -1;
}

/* Handles one parser event; returns 1 at document end, -1 on an unknown alias or a bad key. */
static int on_event(builder *b, yaml_event_t *ev, char *err, size_t errlen)
{
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        ynode *n = new_node(b, YN_SCALAR, &ev->start_mark);
        n->str = et_arena_strndup(b->arena, (const char *)ev->data.scalar.value, ev->data.scalar.length);
        n->len = ev->data.scalar.length;
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        n->xsize = n->len + YDOC_NODE_BYTES;
        b->xbytes += n->xsize;
        if (ev->data.scalar.tag)
            n->tag = et_arena_strndup(b->arena, (const char *)ev->data.scalar.tag, strlen((const char *)ev->data.scalar.tag));
        remember_anchor(b, ev->data.scalar.anchor, n);
        if (duplicate_key(b, n, err, errlen)) return -1;
        add_child(b, n);
        break;
    }
    case YAML_SEQUENCE_START_EVENT: {
        if (refuse_complex_key(b, err, errlen) || too_deep(b, 1, NULL, err, errlen)) return -1;
        ynode *n = new_node(b, YN_SEQ, &ev->start_mark);
        if (ev->data.sequence_start.tag)
            n->tag = et_arena_strndup(b->arena, (const char *)ev->data.sequence_start.tag,
                                      strlen((const char *)ev->data.sequence_start.tag));
        remember_anchor(b, ev->data.sequence_start.anchor, n);
        push(b, n);
        break;
    }
    case YAML_MAPPING_START_EVENT: {
        if (refuse_complex_key(b, err, errlen) || too_deep(b, 1, NULL, err, errlen)) return -1;
        ynode *n = new_node(b, YN_MAP, &ev->start_mark);
        remember_anchor(b, ev->data.mapping_start.anchor, n);
        push(b, n);
        break;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
        ynode *n = b->stack[--b->depth];
        n->open = false;
        n->xsize = b->xbytes - n->xsize;
        raise_parent(b, n->height);
        break;
    }
    case YAML_ALIAS_EVENT: {
        ynode *n = find_anchor(b, ev->data.alias.anchor);
        if (!n) {
            snprintf(err, errlen, "unknown alias '*%s'", (const char *)ev->data.alias.anchor);
            return -1;
        }
        if (n->open) {   /* `&a [*a]`: a tree that holds itself, which no reader could walk */
            snprintf(err, errlen, "alias '*%s' inside the node it names", (const char *)ev->data.alias.anchor);
            return -1;
        }
        if (n->kind != YN_SCALAR && (refuse_complex_key(b, err, errlen) ||
                                     too_deep(b, n->height, (const char *)ev->data.alias.anchor, err, errlen)))
            return -1;
        if (n->xsize > YDOC_MAX_ALIAS_BYTES - b->alias_bytes) {
            snprintf(err, errlen, "alias '*%s' (%zu bytes) makes the file's aliases add more than %zu MiB "
                     "(a node counts as its text and %d bytes)", (const char *)ev->data.alias.anchor, n->xsize,
                     YDOC_MAX_ALIAS_BYTES >> 20, YDOC_NODE_BYTES);
            return -1;
        }
        if (n->kind == YN_SCALAR && duplicate_key(b, n, err, errlen)) return -1;
        b->alias_bytes += n->xsize;
        b->xbytes += n->xsize;
        add_child(b, n);
        if (n->kind != YN_SCALAR) raise_parent(b, n->height);
        break;
    }
    case YAML_DOCUMENT_END_EVENT: return 1;
    default: break;
    }
    return 0;
}

/* Line and column (1-based; columns in characters, as libyaml's marks count them) of byte off of
 * s (n bytes, the input from its start): UTF-8, or UTF-16 after its byte order mark. The bytes
 * before off are well formed (libyaml's reader stops at the first bad one); off inside a
 * character is that character's place. */
static void position_of(const unsigned char *s, size_t n, size_t off, int *line, int *col)
{
    int u16 = n >= 2 && s[0] == 0xFF && s[1] == 0xFE ? 1 : n >= 2 && s[0] == 0xFE && s[1] == 0xFF ? 2 : 0;
    size_t i = u16 ? 2 : n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3) ? 3 : 0;
    *line = *col = 1;
    while (i < off && i < n) {
        unsigned c, w;
        if (u16) {
            c = u16 == 1 ? (unsigned)(s[i] | s[i + 1 < n ? i + 1 : i] << 8) : (unsigned)(s[i] << 8 | s[i + 1 < n ? i + 1 : i]);
            w = c >= 0xD800 && c < 0xDC00 ? 4 : 2;
        } else {
            c = s[i];
            w = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            if (w == 2 && i + 1 < n && c == 0xC2 && s[i + 1] == 0x85) c = 0x85;
            if (w == 3 && i + 2 < n && c == 0xE2 && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) c = 0x2028;
        }
        if (i + w > off) break;
        size_t next = i + w;
        bool crlf = c == '\r' && next < n && (u16 ? next + 1 < n && (u16 == 1 ? s[next] == '\n' && !s[next + 1]
                                                                               : !s[next] && s[next + 1] == '\n')
                                                     : s[next] == '\n');
        if (crlf && next + (u16 ? 2 : 1) <= off) next += u16 ? 2 : 1;
        if (c == '\n' || c == '\r' || c == 0x85 || c == 0x2028) { ++*line; *col = 1; }
        else ++*col;
        i = next;
    }
}

/* libyaml's reader found a byte that is not UTF-8 (or a character YAML does not allow, a NUL
 * among them): it says only the byte's offset, which is turned here into its line and column
 * (the text is read again from the file's start). */
static void reader_error(const builder *b, const yaml_parser_t *p, char *err, size_t errlen, int *line, int *col)
{
    const char *what = p->problem ? p->problem : "cannot read the text";
    if (p->problem_value < 0) snprintf(err, errlen, "%s", what);
    else if (strstr(what, "octet")) snprintf(err, errlen, "%s (byte 0x%02X)", what, (unsigned)p->problem_value & 0xFF);
    else snprintf(err, errlen, "%s (U+%04X)", what, (unsigned)p->problem_value);
    size_t off = p->problem_offset, want = off + 4;
    *line = *col = 0;
    if (b->text) {
        position_of(b->text, b->len, off, line, col);
    } else if (b->f && want > off && fseek(b->f, 0, SEEK_SET) == 0) {
        unsigned char *buf = malloc(want);
        if (!buf) abort();
        size_t n = fread(buf, 1, want, b->f);
        if (n >= off) position_of(buf, n, off, line, col);
        free(buf);
    }
    if (*line) {
        *line += b->line0;
    } else {   /* a pipe, read once: the offset is all there is */
        size_t used = strlen(err);
        snprintf(err + used, errlen - used, " at byte %zu", off);
    }
}

static int parse_stream(yaml_parser_t *p, builder *b, ydoc_fn fn, void *ctx, char *err, size_t errlen,
                        int *line, int *col)
{
    int line0 = b->line0;
    int docno = 0, rc = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(p, &ev)) {
            if (p->error == YAML_READER_ERROR) {
                reader_error(b, p, err, errlen, line, col);
                return -1;
            }
            snprintf(err, errlen, "%s%s%s", p->problem ? p->problem : "YAML syntax error",
                     p->context ? " " : "", p->context ? p->context : "");
            *line = (int)p->problem_mark.line + 1 + line0;
            *col = (int)p->problem_mark.column + 1;
            return -1;
        }
        yaml_mark_t mark = ev.start_mark;
        int r = on_event(b, &ev, err, errlen);
        int done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
        if (r < 0) { *line = (int)mark.line + 1 + line0; *col = (int)mark.column + 1; return -1; }
        if (r == 1) {
            if (b->root && fn(b->root, docno, ctx)) return rc;
            docno++;
            b->root = NULL;
            b->depth = 0;
            table_clear(&b->anchors);   /* an alias names an anchor of its own document */
            table_clear(&b->keys);
        }
        if (done) break;
    }
    return rc;
}

static int parse_input(FILE *f, const char *text, size_t len, int first_line, et_arena *arena, ydoc_fn fn,
                       void *ctx, char *err, size_t errlen, int *line, int *col, size_t *alias_bytes)
{
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    if (f) yaml_parser_set_input_file(&p, f);
    else yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    builder b = {.f = f, .text = (const unsigned char *)text, .len = len, .arena = arena, .line0 = first_line,
                 .alias_bytes = *alias_bytes};
    b.anchors.seed = b.keys.seed = (uint64_t)arc4random() << 32 | arc4random();
    int rc = parse_stream(&p, &b, fn, ctx, err, errlen, line, col);
    *alias_bytes = b.alias_bytes;
    yaml_parser_delete(&p);
    free(b.stack);
    free(b.anchors.v);
    free(b.keys.v);
    return rc;
}

int ydoc_parse(const char *path, const char *text, et_arena *arena, ydoc_fn fn, void *ctx,
               char *err, size_t errlen, int *line, int *col)
{
    *line = *col = 0;
    FILE *f = NULL;
    if (!text) {
        f = fopen(path, "rb");
        if (!f) { snprintf(err, errlen, "cannot open: %m"); return -1; }
    }
    size_t alias_bytes = 0;
    int rc = parse_input(f, text, text ? strlen(text) : 0, 0, arena, fn, ctx, err, errlen, line, col, &alias_bytes);
    if (f) fclose(f);
    return rc;
}

int ydoc_parse_piece(const char *text, size_t len, int first_line, et_arena *arena, ydoc_fn fn, void *ctx,
                     char *err, size_t errlen, int *line, int *col, size_t *alias_bytes)
{
    *line = *col = 0;
    return parse_input(NULL, text, len, first_line, arena, fn, ctx, err, errlen, line, col, alias_bytes);
}

const ynode *yn_get(const ynode *map, const char *key)
{
    if (!map || map->kind != YN_MAP) return NULL;
    for (size_t i = 0; i < map->n; i += 2)
        if (map->items[i]->kind == YN_SCALAR && !strcmp(map->items[i]->str, key)) return map->items[i + 1];
    return NULL;
}

bool ydoc_file_name(const char *name)
{
    size_t n = strlen(name);
    return (n > 4 && !strcasecmp(name + n - 4, ".yml")) || (n > 5 && !strcasecmp(name + n - 5, ".yaml"));
}

bool yn_is_null(const ynode *n)
{
    if (!n || n->kind != YN_SCALAR || !n->plain) return false;
    return n->len == 0 || !strcmp(n->str, "null") || !strcmp(n->str, "Null") || !strcmp(n->str, "NULL") ||
           !strcmp(n->str, "~");
}

const char *yn_str(const ynode *n) { return n && n->kind == YN_SCALAR ? n->str : NULL; }

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40) return 99;
    size_t d[41][41];
    for (size_t i = 0; i <= la; i++) d[i][0] = i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[la][lb];
}

const char *yn_suggest(const char *s, const char *const *known)
{
    const char *best = NULL;
    size_t bd = 3;
    for (size_t i = 0; known[i]; i++) {
        size_t d = edit_distance(s, known[i]);
        if (d < bd) { bd = d; best = known[i]; }
    }
    return best;
}
