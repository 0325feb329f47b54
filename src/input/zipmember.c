/* zipmember.c: parallel zip members: whole in memory through zipdir.c where it can, else a pool
 * of libarchive handles on one zip, each reading by offset and moving forward through the
 * members, so workers inflate members side by side. */
#include "input/zipmember.h"
#include "input/zipdir.h"
#include "core/tempfile.h"
#include "input/arlib.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void et_archive_error(struct archive *a, const char *prefix, char *msg, size_t msglen)
{
    const char *e = et_la()->archive_error_string(a);
    snprintf(msg, msglen, "%s%s", prefix, e ? e : "no reason given by libarchive (cut short, or its index damaged?)");
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' ' || msg[n - 1] == '\r')) msg[--n] = 0;
}

const char *et_member_name(struct archive_entry *e, uint64_t index, char *buf, size_t buflen)
{
    const char *name = et_la()->archive_entry_pathname(e);
    if (name) return name;
    snprintf(buf, buflen, "(member %llu: name not readable)", (unsigned long long)index + 1);
    return buf;
}

/* ---- one handle's view of the file: pread at its own offset ---------------------------- */

typedef struct source {
    int fd;
    int64_t off, size;
    char buf[1 << 16];
} source;

static la_ssize_t source_read(struct archive *a, void *data, const void **buf)
{
    source *s = data;
    ssize_t n = pread(s->fd, s->buf, sizeof s->buf, s->off);
    if (n < 0) { et_la()->archive_set_error(a, errno, "read: %s", strerror(errno)); return -1; }
    s->off += n;
    *buf = s->buf;
    return n;
}

static la_int64_t source_seek(struct archive *a, void *data, la_int64_t off, int whence)
{
    source *s = data;
    int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? s->off : s->size;
    if (base + off < 0) { et_la()->archive_set_error(a, EINVAL, "seek before the start"); return ARCHIVE_FATAL; }
    s->off = base + off;
    return s->off;
}

static la_int64_t source_skip(struct archive *a, void *data, la_int64_t n)
{
    (void)a;
    source *s = data;
    if (n > s->size - s->off) n = s->size > s->off ? s->size - s->off : 0;
    s->off += n;
    return n;
}

static int source_close(struct archive *a, void *data)
{
    (void)a;
    free(data);
    return ARCHIVE_OK;
}

/* ---- the set -------------------------------------------------------------------------- */

typedef struct handle {
    struct archive *a;   /* NULL until opened */
    uint64_t next;       /* index of the next header it would read */
    int busy;
} handle;

struct et_zipset {
    int fd;
    int64_t size;
    et_zipdir *dir;      /* our reading of the directory, for the fast path; NULL: none */
    uint64_t entries;    /* how many its directory holds (et_zipdir_entries) */
    et_input_limits lim;
    int depth;
    pthread_mutex_t mu;
    handle *h;
    size_t nh;
    int refs;
};

struct et_zip_member {
    et_zipset *zs;
    uint64_t index;
    char *name;
    int64_t declared;
    uint64_t weight;
};

et_zipset *et_zipset_new(int fd, const et_input_limits *lim, int depth)
{
    int own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (own < 0) return NULL;
    et_zipset *zs = calloc(1, sizeof *zs);
    if (!zs) abort();
    zs->fd = own;
    zs->size = lseek(own, 0, SEEK_END);
    /* the fast path needs memory to inflate into: with no budget (tests) it is off, listing too */
    uint64_t most = lim->max_members < UINT64_MAX ? lim->max_members + 1 : UINT64_MAX;   /* one more: said too many */
    if (zs->size > 0 && et_source_budget() > 0) zs->dir = et_zipdir_read(own, (uint64_t)zs->size, most, &zs->entries);
    else if (zs->size > 0) zs->entries = et_zipdir_entries(own, (uint64_t)zs->size);
    zs->lim = *lim;
    zs->depth = depth;
    zs->refs = 1;
    pthread_mutex_init(&zs->mu, NULL);
    return zs;
}

struct archive *et_zipset_open_handle(et_zipset *zs, char *msg, size_t msglen)
{
    if (!et_arlib_get(msg, msglen)) return NULL;
    source *s = malloc(sizeof *s);
    if (!s) abort();
    s->fd = zs->fd;
    s->off = 0;
    s->size = zs->size;
    struct archive *a = et_la()->archive_read_new();
    et_la()->archive_read_support_format_zip_seekable(a);
    et_la()->archive_read_set_read_callback(a, source_read);
    et_la()->archive_read_set_seek_callback(a, source_seek);
    et_la()->archive_read_set_skip_callback(a, source_skip);
    et_la()->archive_read_set_close_callback(a, source_close);
    et_la()->archive_read_set_callback_data(a, s);
    if (et_la()->archive_read_open1(a) != ARCHIVE_OK) {
        et_archive_error(a, "cannot read archive: ", msg, msglen);
        et_la()->archive_read_free(a);   /* the close callback frees s */
        return NULL;
    }
    return a;
}

static void zipset_unref(et_zipset *zs)
{
    pthread_mutex_lock(&zs->mu);
    int left = --zs->refs;
    pthread_mutex_unlock(&zs->mu);
    if (left) return;
    for (size_t i = 0; i < zs->nh; i++)
        if (zs->h[i].a) et_la()->archive_read_free(zs->h[i].a);
    free(zs->h);
    et_zipdir_free(zs->dir);
    close(zs->fd);
    pthread_mutex_destroy(&zs->mu);
    free(zs);
}

void et_zipset_release(et_zipset *zs) { if (zs) zipset_unref(zs); }

const et_zipdir_member *et_zipset_listing(const et_zipset *zs, size_t *n) { return et_zipdir_listing(zs->dir, n); }
uint64_t et_zipset_csize(const et_zipset *zs, const char *name, uint64_t index) { return et_zipdir_csize(zs->dir, name, index); }
const char *et_zipset_inside(const et_zipset *zs, uint64_t index) { return et_zipdir_inside(zs->dir, index); }
uint64_t et_zipset_shared(const et_zipset *zs) { return et_zipdir_shared(zs->dir); }
uint64_t et_zipset_overlapping(const et_zipset *zs) { return et_zipdir_overlapping(zs->dir); }
bool et_zipset_parallel(const et_zipset *zs)
{
    size_t n;
    return zs->entries <= ET_ZIP_SEEKABLE_ENTRIES || (et_zipdir_listing(zs->dir, &n) && et_zipdir_inflates_all(zs->dir));
}

/* The free handle furthest along but not past index (members come roughly in order, so each
 * handle only moves forward); else a free one to restart, else a new one. Returns its slot. */
static size_t acquire(et_zipset *zs, uint64_t index)
{
    pthread_mutex_lock(&zs->mu);
    size_t best = zs->nh, any = zs->nh;
    for (size_t i = 0; i < zs->nh; i++) {
        if (zs->h[i].busy) continue;
        any = i;
        if (zs->h[i].a && zs->h[i].next <= index && (best == zs->nh || zs->h[i].next > zs->h[best].next)) best = i;
    }
    if (best == zs->nh && any < zs->nh) {
        best = any;
        if (zs->h[best].a) et_la()->archive_read_free(zs->h[best].a);
        zs->h[best] = (handle){0};
    }
    if (best == zs->nh) {
        handle *h = realloc(zs->h, (zs->nh + 1) * sizeof *h);
        if (!h) abort();
        zs->h = h;
        zs->h[zs->nh++] = (handle){0};
    }
    zs->h[best].busy = 1;
    pthread_mutex_unlock(&zs->mu);
    return best;
}

static void release(et_zipset *zs, size_t slot, int broken)
{
    pthread_mutex_lock(&zs->mu);
    handle *h = &zs->h[slot];
    if (broken && h->a) { et_la()->archive_read_free(h->a); h->a = NULL; h->next = 0; }
    h->busy = 0;
    pthread_mutex_unlock(&zs->mu);
}

/* ---- members -------------------------------------------------------------------------- */

et_zip_member *et_zip_member_new(et_zipset *zs, uint64_t index, const char *name, int64_t declared_size,
                                 uint64_t weight)
{
    et_zip_member *m = calloc(1, sizeof *m);
    if (!m) abort();
    pthread_mutex_lock(&zs->mu);
    zs->refs++;
    pthread_mutex_unlock(&zs->mu);
    m->zs = zs;
    m->index = index;
    m->name = strdup(name ? name : "");
    m->declared = declared_size;
    m->weight = weight;
    return m;
}

void et_zip_member_free(et_zip_member *m)
{
    if (!m) return;
    zipset_unref(m->zs);
    free(m->name);
    free(m);
}

int et_zip_member_depth(const et_zip_member *m) { return m->zs->depth; }
int64_t et_zip_member_declared_size(const et_zip_member *m) { return m->declared; }
uint64_t et_zip_member_weight(const et_zip_member *m) { return m->weight; }

/* Moves the handle to header number index and reads it; 0, or -1 with msg set. */
static int seek_member(handle *h, const et_zip_member *m, char *msg, size_t msglen)
{
    struct archive_entry *e = NULL;
    while (h->next <= m->index) {
        int rc = et_la()->archive_read_next_header(h->a, &e);
        if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
            et_archive_error(h->a, "archive damaged: ", msg, msglen);
            return -1;
        }
        if (h->next++ == m->index) break;
        et_la()->archive_read_data_skip(h->a);
    }
    char stand_in[64];
    const char *name = e ? et_member_name(e, m->index, stand_in, sizeof stand_in) : "";
    if (strcmp(name, m->name) != 0) {
        snprintf(msg, msglen, "archive changed while it was read (member %llu is no longer this one)",
                 (unsigned long long)m->index);
        return -1;
    }
    return 0;
}

void et_member_reader_init(et_member_reader *r, struct archive *a)
{
    memset(r, 0, sizeof *r);
    r->a = a;
    r->status = ARCHIVE_OK;
}

/* The next block into r (its hole before it as zeros to give); false when the member ended. */
static bool next_block(et_member_reader *r)
{
    const void *blk;
    size_t size;
    la_int64_t off;
    int rc = et_la()->archive_read_data_block(r->a, &blk, &size, &off);
    if (rc == ARCHIVE_EOF) { r->status = rc; return false; }
    if (rc < ARCHIVE_WARN) {   /* failed: nothing of this call is data */
        r->status = rc;
        et_archive_error(r->a, "", r->cause, sizeof r->cause);
        return false;
    }
    if (rc == ARCHIVE_WARN) {   /* the block is data; the warning ends the member after it */
        r->status = rc;
        et_archive_error(r->a, "", r->cause, sizeof r->cause);
    }
    if (off >= 0 && (uint64_t)off < r->pos) {   /* as archive_read_data refuses them */
        r->status = ARCHIVE_FATAL;
        snprintf(r->cause, sizeof r->cause, "Encountered out-of-order sparse blocks");
        return false;
    }
    r->zeros = off >= 0 ? (uint64_t)off - r->pos : 0;
    r->p = blk;
    r->left = blk ? size : 0;
    return true;
}

long et_member_read(et_member_reader *r, void *buf, size_t n)
{
    unsigned char *out = buf;
    size_t got = 0;
    while (got < n) {
        size_t k;
        if (r->zeros) {
            k = r->zeros < n - got ? (size_t)r->zeros : n - got;
            memset(out + got, 0, k);
            r->zeros -= k;
        } else if (r->left) {
            k = r->left < n - got ? r->left : n - got;
            memcpy(out + got, r->p, k);
            r->p += k;
            r->left -= k;
        } else if (r->status != ARCHIVE_OK || !next_block(r)) {
            break;
        } else {
            continue;
        }
        got += k;
        r->pos += k;
    }
    if (got) return (long)got;
    return r->status == ARCHIVE_OK || r->status == ARCHIVE_EOF ? 0 : -1;
}

long et_member_read_head(et_member_reader *r, unsigned char *head, size_t n, char *msg, size_t msglen)
{
    long got = et_member_read(r, head, n);
    if (got < 0) snprintf(msg, msglen, "%s", r->cause);
    return got;
}

void et_member_damage_note(char *msg, size_t msglen, const char *cause, uint64_t done, bool all)
{
    if (all)
        snprintf(msg, msglen, "damaged member (%s): all %llu bytes of it were inflated and are read (found at its "
                 "end: the damage may lie anywhere in them)", cause, (unsigned long long)done);
    else
        snprintf(msg, msglen, "damaged member (%s): its first %llu bytes, inflated before the damage was found, are read",
                 cause, (unsigned long long)done);
}

/* Where a member's bytes go as they are inflated: memory when its declared size fits the
 * budget (nothing written to a file and read back: for a tar's members the kernel's part of
 * that was a third of the walk's time), else an unnamed temporary file. More bytes than
 * declared spill what memory holds into a file. A replay (replay_fd >= 0) writes only the
 * bytes after the first have, which the file already holds. */
typedef struct sink { et_source s; uint64_t len; int replay_fd; uint64_t have; } sink;

static int sink_open(sink *k, int64_t declared, char *msg, size_t msglen)
{
    k->len = 0;
    k->replay_fd = -1;
    k->s = declared > 0 ? et_source_mem_reserve((uint64_t)declared) : (et_source){.fd = -1};
    if (k->s.mem) return 0;
    k->s.fd = et_temp_fd(msg, msglen);
    return k->s.fd < 0 ? -1 : 0;
}

static int sink_write(sink *k, const void *p, size_t n, char *msg, size_t msglen)
{
    if (k->replay_fd >= 0) {
        uint64_t at = k->len;
        k->len += n;
        if (k->len <= k->have) return 0;
        size_t skip = at < k->have ? (size_t)(k->have - at) : 0;
        return et_temp_write(k->replay_fd, (const char *)p + skip, n - skip, msg, msglen);
    }
    if (k->s.mem && n > k->s.size - k->len) {
        int fd = et_temp_fd(msg, msglen);
        if (fd < 0) return -1;
        if (et_temp_write(fd, k->s.mem, (size_t)k->len, msg, msglen) != 0) { close(fd); return -1; }
        et_source_close(&k->s);
        k->s.fd = fd;
    }
    if (!k->s.mem) {
        k->len += n;
        return et_temp_write(k->s.fd, p, n, msg, msglen);
    }
    memcpy(k->s.mem + k->len, p, n);
    k->len += n;
    return 0;
}

static et_source sink_finish(sink *k)
{
    if (!k->s.mem) return et_source_from_fd(k->s.fd);
    k->s.size = k->len;
    return k->s;
}

/* The member's bytes into k, under check, up to its declared size (-1: none), *done_out of
 * them: 0, with *damaged set and the cause in msg when damage ended them early (*all: no, every
 * byte came out and a check at the end failed, as a zip member's CRC); -1 with msg set when
 * refused or not written. Data past the declared size is damage too (a deflate stream
 * bit-flipped into more than it held, or a hostile one): the declared bytes are read, no more. */
static int pump(et_member_reader *r, const unsigned char *head, size_t nhead, int64_t declared, et_member_check check,
                void *ctx, bool *damaged, bool *all, sink *k, uint64_t *done_out, char *msg, size_t msglen)
{
    *all = false;
    char *buf = malloc(1 << 16);
    if (!buf) abort();
    uint64_t done = 0, cap = declared >= 0 ? (uint64_t)declared : UINT64_MAX;
    int rc = 0;
    for (int first = 1;; first = 0) {
        long n;
        const void *p = buf;
        if (first) { p = head; n = (long)nhead; }
        else if ((n = et_member_read(r, buf, 1 << 16)) == 0) break;
        char cause[400];
        if (n >= 0 && (uint64_t)n > cap - done) {
            snprintf(cause, sizeof cause, "it inflates past its declared size of %llu bytes", (unsigned long long)cap);
            n = (long)(cap - done);
        } else if (n < 0) {
            snprintf(cause, sizeof cause, "%s", r->cause);
            *all = r->status == ARCHIVE_WARN;   /* the last block came with the warning: nothing is missing */
        } else {
            cause[0] = 0;
        }
        if (n > 0) {   /* what came before any damage is kept */
            done += (uint64_t)n;
            if ((rc = check(done, (uint64_t)n, ctx, msg, msglen)) != 0) break;
            if ((rc = sink_write(k, p, (size_t)n, msg, msglen)) != 0) break;
        }
        if (cause[0]) {
            snprintf(msg, msglen, "%s", cause);
            *damaged = true;
            break;
        }
    }
    free(buf);
    *done_out = done;
    return rc;
}

int et_member_extract(et_member_reader *r, const unsigned char *head, size_t nhead, int64_t declared,
                      et_member_check check, void *ctx, bool *damaged, et_source *out, char *msg, size_t msglen)
{
    *damaged = false;
    sink k;
    if (sink_open(&k, declared, msg, msglen) != 0) return -1;
    uint64_t done;
    bool all;
    if (pump(r, head, nhead, declared, check, ctx, damaged, &all, &k, &done, msg, msglen) != 0) {
        et_source_close(&k.s);
        return -1;
    }
    if (*damaged) {
        char cause[400];
        snprintf(cause, sizeof cause, "%s", msg);
        et_member_damage_note(msg, msglen, cause, done, all);
    }
    *out = sink_finish(&k);
    return 0;
}

/* A zip member's bound: --max-member-bytes (the size its header declared bounds it too, as
 * damage: see pump). */
static int check_member(uint64_t done, uint64_t n, void *ctx, char *msg, size_t msglen)
{
    (void)n;
    const et_zip_member *m = ctx;
    if (done > m->zs->lim.max_member_bytes) {
        snprintf(msg, msglen, "refused: member expands past %llu bytes (--max-member-bytes)",
                 (unsigned long long)m->zs->lim.max_member_bytes);
        return -1;
    }
    return 0;
}

/* What runs on a handle at a member's data: a return as et_zip_member_extract's. */
typedef int (*at_data_fn)(struct archive *a, et_zip_member *m, void *arg, bool *damaged, char *msg, size_t msglen);

/* fn on one of the set's handles, moved to member m's data; -1 with msg set when none gets there. */
static int on_handle(et_zip_member *m, at_data_fn fn, void *arg, bool *damaged, char *msg, size_t msglen)
{
    et_zipset *zs = m->zs;
    size_t slot = acquire(zs, m->index);
    pthread_mutex_lock(&zs->mu);   /* the array may move while another thread acquires: work on a copy */
    handle local = zs->h[slot];
    pthread_mutex_unlock(&zs->mu);
    if (!local.a) {
        local.a = et_zipset_open_handle(zs, msg, msglen);
        local.next = 0;
    }
    int rc = -1;
    if (local.a && seek_member(&local, m, msg, msglen) == 0) rc = fn(local.a, m, arg, damaged, msg, msglen);
    pthread_mutex_lock(&zs->mu);
    zs->h[slot].a = local.a;
    zs->h[slot].next = local.next;
    pthread_mutex_unlock(&zs->mu);
    release(zs, slot, rc == -1 || *damaged);   /* a handle that met damage is not used again */
    return rc;
}

typedef struct wanting { int (*want)(const unsigned char *, size_t, void *); void *ctx; et_source *out; } wanting;

/* -2 if want() declines the member, else as et_zip_member_extract. */
static int extract_data(struct archive *a, et_zip_member *m, void *arg, bool *damaged, char *msg, size_t msglen)
{
    wanting *w = arg;
    unsigned char head[512];
    et_member_reader r;
    et_member_reader_init(&r, a);
    long nhead = et_member_read_head(&r, head, sizeof head, msg, msglen);
    if (nhead < 0) return -1;
    if (!w->want(head, (size_t)nhead, w->ctx)) return -2;
    return et_member_extract(&r, head, (size_t)nhead, m->declared, check_member, m, damaged, w->out, msg, msglen);
}

/* ---- a member read while zipdir inflated it, which turned out damaged ---------------------
 * libarchive reads it again, as the route without zipdir would, and decides: the bytes it
 * gives before the damage (those past what zipdir wrote go into the file too), and the words.
 * Readers may have read up to floor already, so the member is never shorter than that (the
 * two inflaters stop within a buffer of each other, far less than zipdir's hold-back). */
typedef struct replaying { int fd; uint64_t written, len; bool all; } replaying;

static int replay_data(struct archive *a, et_zip_member *m, void *arg, bool *damaged, char *msg, size_t msglen)
{
    replaying *r = arg;
    unsigned char head[512];
    et_member_reader rd;
    et_member_reader_init(&rd, a);
    long nhead = et_member_read_head(&rd, head, sizeof head, msg, msglen);
    if (nhead < 0) return -1;
    if (lseek(r->fd, (off_t)r->written, SEEK_SET) < 0) {
        snprintf(msg, msglen, "temporary file: %s", strerror(errno));
        return -1;
    }
    sink k = {.s = {.fd = -1}, .replay_fd = r->fd, .have = r->written};
    return pump(&rd, head, (size_t)nhead, m->declared, check_member, m, damaged, &r->all, &k, &r->len, msg, msglen);
}

static uint64_t replay_member(void *ctx, int fd, uint64_t written, uint64_t floor, char *note, size_t notelen)
{
    et_zip_member *m = ctx;
    replaying r = {fd, written, 0, false};
    bool damaged = false;
    char msg[512], cause[700];
    int rc = on_handle(m, replay_data, &r, &damaged, msg, sizeof msg);
    if (rc != 0) {   /* nobody can say more: what was inflated is read */
        snprintf(cause, sizeof cause, "its data could not be inflated past byte %llu, and libarchive could not read it again: %s",
                 (unsigned long long)written, msg);
        et_member_damage_note(note, notelen, cause, written, false);
        return written;
    }
    uint64_t len = r.len > floor ? r.len : floor;
    if (damaged) et_member_damage_note(note, notelen, msg, len, r.all && len == r.len);
    else note[0] = 0;
    return len;
}

static void replay_free(void *ctx) { et_zip_member_free(ctx); }

int et_zip_member_extract(et_zip_member *m, int (*want)(const unsigned char *head, size_t n, void *ctx),
                          void *ctx, et_source *out, bool *damaged, char *msg, size_t msglen)
{
    et_zipset *zs = m->zs;
    *damaged = false;
    /* a member too big for memory whatever else is held is read while it inflates: should it
     * be damaged, libarchive is asked again then (and needs the set until that is over) */
    bool big = m->declared > 0 && (uint64_t)m->declared > et_source_budget();
    et_zipdir_replay rp = {replay_member, replay_free, big ? et_zip_member_new(zs, m->index, m->name, m->declared, m->weight) : NULL};
    int fast = et_zipdir_extract(zs->dir, m->name, m->index, m->declared, zs->lim.hash_while_inflating, want, ctx,
                                 big ? &rp : NULL, out);
    if (fast != ET_ZIPDIR_FALLBACK) return fast == ET_ZIPDIR_OK ? 0 : -2;
    wanting w = {want, ctx, out};
    return on_handle(m, extract_data, &w, damaged, msg, msglen);
}
