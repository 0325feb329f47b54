/* corrstore.c: citems and their store: a bounded buffer, sorted runs spilled to one temporary
 * file, a k-way merge to read them back (see corrstore.h). */
#include "rules/corrstore.h"
#include "core/window.h"
#include "core/tempfile.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_ITEMS 32768
#define MEM_BYTES (16u << 20)
#define RUN_BUF 8192              /* read-ahead per run while merging */
#define NO_STR 0xFFFFFFFFu

/* ---- items --------------------------------------------------------------------------- */

static size_t slen(const char *s) { return s ? strlen(s) + 1 : 0; }

static const char *put_str(char **p, const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    memcpy(*p, s, n);
    const char *r = *p;
    *p += n;
    return r;
}

citem *citem_new(uint32_t rule, int64_t ts, uint64_t record_id, uint32_t event_id, const char *file,
                 const char *computer, const char *channel, const et_value_ref *values, size_t nvalues)
{
    size_t bytes = sizeof(citem) + nvalues * sizeof(et_value_ref) + slen(file) + slen(computer) + slen(channel);
    for (size_t i = 0; i < nvalues; i++) bytes += slen(values[i].name) + slen(values[i].value);
    citem *it = malloc(bytes);
    if (!it) abort();
    *it = (citem){.refs = 1, .rule = rule, .ts = ts, .record_id = record_id, .event_id = event_id,
                  .nvalues = nvalues};
    it->values = (et_value_ref *)(it + 1);
    char *p = (char *)(it->values + nvalues);
    it->file = put_str(&p, file);
    it->computer = put_str(&p, computer);
    it->channel = put_str(&p, channel);
    for (size_t i = 0; i < nvalues; i++) {
        it->values[i].name = put_str(&p, values[i].name);
        it->values[i].value = put_str(&p, values[i].value);
    }
    return it;
}

citem *citem_ref(citem *it) { it->refs++; return it; }

void citem_unref(citem *it)
{
    if (it && --it->refs == 0) free(it);
}

static int cmp_str(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : ""); }

int citem_cmp(const citem *a, const citem *b)
{
    if (a->ts != b->ts) return a->ts < b->ts ? -1 : 1;
    if (a->rule != b->rule) return a->rule < b->rule ? -1 : 1;
    int c = cmp_str(a->computer, b->computer);
    if (c) return c;
    if ((c = cmp_str(a->channel, b->channel))) return c;
    if (a->record_id != b->record_id) return a->record_id < b->record_id ? -1 : 1;
    return cmp_str(a->file, b->file);
}

bool citem_same_record(const citem *a, const citem *b)
{
    return a->ts == b->ts && a->rule == b->rule && a->record_id == b->record_id && !cmp_str(a->computer, b->computer) &&
           !cmp_str(a->channel, b->channel);
}

static int qcmp(const void *a, const void *b) { return citem_cmp(*(citem *const *)a, *(citem *const *)b); }

const char *citem_value(const citem *it, const char *name)
{
    for (size_t i = 0; i < it->nvalues; i++)
        if (!strcmp(it->values[i].name, name)) return it->values[i].value;
    if (!strcmp(name, "Computer") || !strcmp(name, "ComputerName") || !strcmp(name, "Hostname")) return it->computer;
    return NULL;
}

static size_t item_bytes(const citem *it)
{
    size_t n = sizeof *it + it->nvalues * sizeof *it->values + slen(it->file) + slen(it->computer) + slen(it->channel);
    for (size_t i = 0; i < it->nvalues; i++) n += slen(it->values[i].name) + slen(it->values[i].value);
    return n;
}

/* ---- the store ----------------------------------------------------------------------- */

typedef struct run { uint64_t off, len; size_t n; int short_counted; } run;

struct cstore {
    citem **buf; size_t n, cap, bytes, limit;
    FILE *spill;              /* the runs, one after another */
    uint64_t spill_end;
    run *runs; size_t nruns;
    size_t lost;
    int reading;              /* the buffer is sorted and frozen */
};

cstore *cstore_new(size_t mem_items)
{
    cstore *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->limit = mem_items ? mem_items : DEFAULT_ITEMS;
    return s;
}

void cstore_free(cstore *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) citem_unref(s->buf[i]);
    if (s->spill) fclose(s->spill);
    free(s->buf);
    free(s->runs);
    free(s);
}

size_t cstore_count(const cstore *s)
{
    size_t n = s->n;
    for (size_t i = 0; i < s->nruns; i++) n += s->runs[i].n;
    return n;
}

size_t cstore_lost(const cstore *s) { return s->lost; }
size_t cstore_runs(const cstore *s) { return s->nruns; }

/* Record: u32 length of the rest, then rule, event id, nvalues (u32), ts, record id (u64),
 * then file, computer, channel and each name/value as u32 length (NO_STR: NULL) and bytes. */
typedef struct wbuf { unsigned char *p; size_t n, cap; } wbuf;

static void put(wbuf *w, const void *v, size_t n)
{
    if (w->n + n > w->cap) {
        w->cap = (w->n + n) * 2;
        w->p = realloc(w->p, w->cap);
        if (!w->p) abort();
    }
    memcpy(w->p + w->n, v, n);
    w->n += n;
}

static void put_u32(wbuf *w, uint32_t v) { put(w, &v, 4); }

static void put_record_str(wbuf *w, const char *s)
{
    uint32_t n = s ? (uint32_t)strlen(s) : NO_STR;
    put_u32(w, n);
    if (s) put(w, s, n);
}

static void write_item(FILE *f, wbuf *w, const citem *it)
{
    w->n = 0;
    put_u32(w, 0);   /* the length, filled in below */
    put_u32(w, it->rule);
    put_u32(w, it->event_id);
    put_u32(w, (uint32_t)it->nvalues);
    put(w, &it->ts, 8);
    put(w, &it->record_id, 8);
    put_record_str(w, it->file);
    put_record_str(w, it->computer);
    put_record_str(w, it->channel);
    for (size_t i = 0; i < it->nvalues; i++) {
        put_record_str(w, it->values[i].name);
        put_record_str(w, it->values[i].value);
    }
    uint32_t len = (uint32_t)(w->n - 4);
    memcpy(w->p, &len, 4);
    fwrite(w->p, 1, w->n, f);
}

/* Sorts the buffer and appends it to the spill file as one run; the items are released. */
static void spill_buffer(cstore *s)
{
    if (!s->n) return;
    qsort(s->buf, s->n, sizeof *s->buf, qcmp);
    if (!s->spill) s->spill = et_temp_file();
    int ok = s->spill != NULL;
    if (ok) {
        wbuf w = {0};
        fseeko(s->spill, (off_t)s->spill_end, SEEK_SET);
        for (size_t i = 0; i < s->n; i++) write_item(s->spill, &w, s->buf[i]);
        free(w.p);
        ok = fflush(s->spill) == 0 && !ferror(s->spill);
    }
    off_t end = ok ? ftello(s->spill) : -1;
    if (ok && end >= 0) {
        s->runs = realloc(s->runs, (s->nruns + 1) * sizeof *s->runs);
        if (!s->runs) abort();
        s->runs[s->nruns++] = (run){.off = s->spill_end, .len = (uint64_t)end - s->spill_end, .n = s->n};
        s->spill_end = (uint64_t)end;
    } else {
        s->lost += s->n;
    }
    for (size_t i = 0; i < s->n; i++) citem_unref(s->buf[i]);
    s->n = 0;
    s->bytes = 0;
}

void cstore_add(cstore *s, citem *it)
{
    if (s->reading) abort();   /* a programming error: the store is being read */
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->buf = realloc(s->buf, s->cap * sizeof *s->buf);
        if (!s->buf) abort();
    }
    s->buf[s->n++] = it;
    s->bytes += item_bytes(it);
    if (s->n >= s->limit || s->bytes >= MEM_BYTES) spill_buffer(s);
}

void cstore_move(cstore *dst, cstore *src)
{
    if (src->nruns) {   /* rare: a source that spilled itself is read back */
        cstore_iter *it = cstore_iter_new(src);
        citem *c;
        while ((c = cstore_iter_next(it))) cstore_add(dst, c);
        cstore_iter_free(it);
    } else {
        for (size_t i = 0; i < src->n; i++) cstore_add(dst, src->buf[i]);
    }
    dst->lost += src->lost;
    src->n = src->bytes = src->lost = 0;
    src->reading = 0;
    if (src->spill) { fclose(src->spill); src->spill = NULL; }
    src->nruns = 0;
    src->spill_end = 0;
}

/* ---- reading ------------------------------------------------------------------------- */

typedef struct cursor {
    run *r;
    size_t nread;             /* items read back */
    et_window w;              /* the run's bytes */
    citem *head;              /* next item of this run, or NULL when through */
} cursor;

struct cstore_iter {
    cstore *s;
    size_t next;              /* in-memory reading: next buffer index */
    cursor *cur; size_t ncur;
    size_t *heap; size_t nheap;   /* cursor indexes, smallest head first */
    unsigned char *rec; size_t reccap;
};

/* n bytes of the run into dst (through the cursor's read-ahead); 0, or -1 at a short read. */
static int cursor_read(cursor *c, void *dst, size_t n) { return et_window_read(&c->w, dst, n); }

static uint32_t get_u32(const unsigned char **p)
{
    uint32_t v;
    memcpy(&v, *p, 4);
    *p += 4;
    return v;
}

/* The next string of a record, copied (with its terminating zero) to *strs; NULL for NULL. */
static const char *get_str(const unsigned char **p, const unsigned char *end, char **strs)
{
    if (end - *p < 4) return NULL;
    uint32_t n = get_u32(p);
    if (n == NO_STR || (size_t)(end - *p) < n) return NULL;
    char *s = *strs;
    memcpy(s, *p, n);
    s[n] = 0;
    *strs += n + 1;
    *p += n;
    return s;
}

static citem *decode_item(cstore_iter *it, cursor *c)
{
    uint32_t len;
    if (et_window_at_end(&c->w)) return NULL;
    if (cursor_read(c, &len, 4) != 0) return NULL;
    if (it->reccap < 2 * (size_t)len + 64) {
        it->reccap = 2 * (size_t)len + 64;
        it->rec = realloc(it->rec, it->reccap);
        if (!it->rec) abort();
    }
    if (cursor_read(c, it->rec, len) != 0 || len < 28) return NULL;
    const unsigned char *p = it->rec, *end = it->rec + len;
    char *strs = (char *)it->rec + len;   /* the second half: the strings, terminated */
    uint32_t rule = get_u32(&p), eid = get_u32(&p), nv = get_u32(&p);
    int64_t ts;
    uint64_t rec;
    memcpy(&ts, p, 8);
    memcpy(&rec, p + 8, 8);
    p += 16;
    const char *file = get_str(&p, end, &strs), *computer = get_str(&p, end, &strs),
               *channel = get_str(&p, end, &strs);
    if (nv > len / 8) return NULL;   /* two lengths per value at least */
    et_value_ref *v = malloc((nv ? nv : 1) * sizeof *v);
    if (!v) abort();
    size_t n = 0;
    for (uint32_t i = 0; i < nv; i++) {
        const char *name = get_str(&p, end, &strs), *value = get_str(&p, end, &strs);
        if (name) v[n++] = (et_value_ref){name, value};
    }
    citem *item = citem_new(rule, ts, rec, eid, file, computer, channel, v, n);
    free(v);
    return item;
}

/* The run's next item; NULL when it is through (a run that reads back short, which only a
 * failing disk does, counts what it could not give as lost, once). */
static citem *read_item(cstore_iter *it, cursor *c)
{
    citem *item = decode_item(it, c);
    if (item) c->nread++;
    else if (c->nread < c->r->n && !c->r->short_counted) {
        c->r->short_counted = 1;
        it->s->lost += c->r->n - c->nread;
    }
    return item;
}

static int heap_less(const cstore_iter *it, size_t a, size_t b)
{
    return citem_cmp(it->cur[a].head, it->cur[b].head) < 0;
}

static void sift_down(cstore_iter *it, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < it->nheap && heap_less(it, it->heap[l], it->heap[m])) m = l;
        if (r < it->nheap && heap_less(it, it->heap[r], it->heap[m])) m = r;
        if (m == i) return;
        size_t t = it->heap[i];
        it->heap[i] = it->heap[m];
        it->heap[m] = t;
        i = m;
    }
}

cstore_iter *cstore_iter_new(cstore *s)
{
    cstore_iter *it = calloc(1, sizeof *it);
    if (!it) abort();
    it->s = s;
    if (!s->reading) {
        if (s->nruns) spill_buffer(s);   /* everything on disk: one merge */
        else if (s->n) qsort(s->buf, s->n, sizeof *s->buf, qcmp);
        s->reading = 1;
    }
    if (!s->nruns) return it;
    it->cur = calloc(s->nruns, sizeof *it->cur);
    it->heap = calloc(s->nruns, sizeof *it->heap);
    if (!it->cur || !it->heap) abort();
    for (size_t i = 0; i < s->nruns; i++) {
        cursor *c = &it->cur[it->ncur++];
        c->r = &s->runs[i];
        unsigned char *buf = malloc(RUN_BUF);
        if (!buf) abort();
        et_window_init(&c->w, fileno(s->spill), c->r->off, c->r->len, buf, RUN_BUF);
        if ((c->head = read_item(it, c))) it->heap[it->nheap++] = i;
    }
    for (size_t i = it->nheap / 2; i-- > 0;) sift_down(it, i);
    return it;
}

citem *cstore_iter_next(cstore_iter *it)
{
    if (!it->ncur) return it->next < it->s->n ? citem_ref(it->s->buf[it->next++]) : NULL;
    if (!it->nheap) return NULL;
    cursor *c = &it->cur[it->heap[0]];
    citem *out = c->head;
    if ((c->head = read_item(it, c))) sift_down(it, 0);
    else if (--it->nheap) { it->heap[0] = it->heap[it->nheap]; sift_down(it, 0); }
    return out;
}

void cstore_iter_free(cstore_iter *it)
{
    if (!it) return;
    for (size_t i = 0; i < it->ncur; i++) {
        citem_unref(it->cur[i].head);
        free(it->cur[i].w.buf);
    }
    free(it->cur);
    free(it->heap);
    free(it->rec);
    free(it);
}
