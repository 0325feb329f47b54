/* zipdir.c: our own reading of a zip's central directory and whole-member inflation with
 * libdeflate (see zipdir.h); ISA-L inflates the first bytes of a member not named .evtx, to sniff
 * them before it is inflated, and a member too big for memory, a block at a time into a
 * temporary file. */
#include "input/zipdir.h"
#include "core/tempfile.h"
#include "core/crc32.h"
#include "core/sha256.h"
#include "input/hashpipe.h"
#include "input/walk_int.h"
#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { EOCD_LEN = 22, EOCD_SCAN = EOCD_LEN + 65535, LOCATOR_LEN = 20, EOCD64_LEN = 56, CDH_LEN = 46,
       LFH_LEN = 30, HEAD_LEN = 512 };

typedef struct zd_entry {
    char *name;
    uint64_t local_off, csize, usize;
    uint32_t crc;
    uint32_t ext_attr;
    uint16_t method, flags, made_by;
    uint64_t rank;           /* its place by local header offset, libarchive's order (none: shared) */
    int dup;                 /* the name is listed more than once */
    int plain;               /* the name is printable ASCII: libarchive gives it back unconverted */
    int benign_extra;        /* its extra fields are ones the listing may ignore */
} zd_entry;

struct et_zipdir {
    et_source zip;            /* the caller's descriptor, read by offset (never closed here) */
    zd_entry *e;
    size_t n;
    et_zipdir_member *listing;   /* NULL: libarchive lists this zip */
    const char **inside;         /* by place in libarchive's listing (one per local header offset):
                                    the entry whose data its header lies in; NULL: none overlaps */
    uint64_t overlapping;        /* entries whose header lies in another's data */
    uint64_t shared;             /* entries at the local header offset of another */
    int complete;                /* every entry the end record declares was read */
};

static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const unsigned char *p) { return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint64_t le64(const unsigned char *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }

static int read_exact(const et_source *zip, void *buf, size_t n, uint64_t off)
{
    return et_source_read_at(zip, buf, n, off) == (long)n ? 0 : -1;
}

/* Where the directory is and how many entries it has, from the end record (zip64's if the
 * classic one is saturated); 0, or -1 when it is not there or not a single-disk zip. */
typedef struct cd_loc { uint64_t off, len, count, end; } cd_loc;   /* end: where the directory should end */

static int read_zip64_end(const et_source *zip, uint64_t eocd_pos, cd_loc *loc)
{
    unsigned char l[LOCATOR_LEN], z[EOCD64_LEN];
    if (eocd_pos < LOCATOR_LEN || read_exact(zip, l, LOCATOR_LEN, eocd_pos - LOCATOR_LEN)) return -1;
    if (le32(l) != 0x07064b50 || le32(l + 4) != 0 || le32(l + 16) > 1) return -1;
    uint64_t at = le64(l + 8);
    if (at > eocd_pos || read_exact(zip, z, EOCD64_LEN, at) || le32(z) != 0x06064b50) return -1;
    if (le32(z + 16) != 0 || le32(z + 20) != 0 || le64(z + 24) != le64(z + 32)) return -1;
    *loc = (cd_loc){.count = le64(z + 32), .len = le64(z + 40), .off = le64(z + 48), .end = at};
    return 0;
}

static int find_directory(const et_source *zip, cd_loc *loc)
{
    uint64_t size = zip->size;
    size_t tail = size < EOCD_SCAN ? (size_t)size : EOCD_SCAN;
    if (tail < EOCD_LEN) return -1;
    unsigned char *t = malloc(tail);
    if (!t) abort();
    int rc = -1;
    if (read_exact(zip, t, tail, size - tail) == 0) {
        for (size_t i = tail - EOCD_LEN + 1; i-- > 0;) {
            const unsigned char *p = t + i;
            if (le32(p) != 0x06054b50 || i + EOCD_LEN + le16(p + 20) != tail) continue;
            uint64_t pos = size - tail + i;
            if (le16(p + 4) != 0 || le16(p + 6) != 0 || le16(p + 8) != le16(p + 10)) break;
            *loc = (cd_loc){.count = le16(p + 10), .len = le32(p + 12), .off = le32(p + 16), .end = pos};
            int saturated = loc->count == 0xFFFF || loc->len == 0xFFFFFFFF || loc->off == 0xFFFFFFFF;
            unsigned char l[4];
            /* a zip64 end record (which libarchive reads whenever it is there) ends the directory */
            int zip64 = pos >= LOCATOR_LEN && read_exact(zip, l, 4, pos - LOCATOR_LEN) == 0 && le32(l) == 0x07064b50;
            if (saturated || zip64) rc = read_zip64_end(zip, pos, loc);
            else rc = 0;
            if (rc == 0 && (loc->off > pos || loc->len > pos - loc->off)) rc = -1;
            break;
        }
    }
    free(t);
    return rc;
}

/* The zip64 extra field's 64-bit values, for those the header saturated. */
static int apply_zip64(zd_entry *e, const unsigned char *x, size_t xlen, int want_u, int want_c, int want_o)
{
    while (xlen >= 4) {
        uint16_t id = le16(x), len = le16(x + 2);
        if ((size_t)len + 4 > xlen) return -1;
        if (id == 0x0001) {
            const unsigned char *v = x + 4;
            size_t need = 8u * (unsigned)(want_u + want_c + want_o);
            if (len < need) return -1;
            if (want_u) { e->usize = le64(v); v += 8; }
            if (want_c) { e->csize = le64(v); v += 8; }
            if (want_o) e->local_off = le64(v);
            return 0;
        }
        x += 4 + len;
        xlen -= 4 + (size_t)len;
    }
    return want_u || want_c || want_o ? -1 : 0;
}

/* Whether an extra-field block holds a field with this id. */
static int has_field(const unsigned char *x, size_t xlen, uint16_t id)
{
    while (xlen >= 4) {
        size_t len = le16(x + 2);
        if (le16(x) == id) return 1;
        if (len + 4 > xlen) return 0;
        x += 4 + len;
        xlen -= 4 + len;
    }
    return 0;
}

/* Printable ASCII: a name libarchive reports byte for byte in any locale. Another name (a
 * code page, or an Info-ZIP Unicode path field) may reach the caller converted, and could then
 * equal some other member's raw name: such a zip is left to libarchive whole. */
static int plain_name(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] > 0x7e) return 0;
    return 1;
}

/* Extra fields libarchive reads silently and that change nothing a listing shows (zip64 sizes,
 * times, Unix owners), every block well formed. Any other field, and libarchive lists the zip. */
static int benign_extra(const unsigned char *x, size_t xlen)
{
    while (xlen) {
        if (xlen < 4) return 0;
        uint16_t id = le16(x);
        size_t len = le16(x + 2);
        if (len + 4 > xlen || (id == 0x5455 && len == 0)) return 0;
        if (id != 0x0001 && id != 0x000a && id != 0x5455 && id != 0x5855 && id != 0x7855 && id != 0x7875) return 0;
        x += 4 + len;
        xlen -= 4 + len;
    }
    return 1;
}

/* One central directory header at p (room bytes left); its length, or 0 if malformed. */
static size_t parse_entry(const unsigned char *p, size_t room, zd_entry *e)
{
    if (room < CDH_LEN || le32(p) != 0x02014b50) return 0;
    size_t nlen = le16(p + 28), xlen = le16(p + 30), clen = le16(p + 32);
    if (CDH_LEN + nlen + xlen + clen > room) return 0;
    *e = (zd_entry){.made_by = le16(p + 4), .flags = le16(p + 8), .method = le16(p + 10), .crc = le32(p + 16),
                    .csize = le32(p + 20), .usize = le32(p + 24), .ext_attr = le32(p + 38), .local_off = le32(p + 42)};
    e->benign_extra = benign_extra(p + CDH_LEN + nlen, xlen);
    if (apply_zip64(e, p + CDH_LEN + nlen, xlen, e->usize == 0xFFFFFFFF, e->csize == 0xFFFFFFFF,
                    e->local_off == 0xFFFFFFFF) != 0)
        return 0;
    /* a name's bytes as stored; libarchive may give another form of one that is not plain
     * (converted, normalised), so such a member is found by that form and its place both */
    if (memchr(p + CDH_LEN, 0, nlen) || has_field(p + CDH_LEN + nlen, xlen, 0x7075)) return 0;
    e->plain = plain_name(p + CDH_LEN, nlen);
    e->name = malloc(nlen + 1);
    if (!e->name) abort();
    memcpy(e->name, p + CDH_LEN, nlen);
    e->name[nlen] = 0;
    return CDH_LEN + nlen + xlen + clen;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const zd_entry *)a)->name, ((const zd_entry *)b)->name);
}

static void build_listing(et_zipdir *d);

static int cmp_offset(const void *a, const void *b)
{
    const zd_entry *p = *(const zd_entry *const *)a, *q = *(const zd_entry *const *)b;
    if (p->local_off != q->local_off) return p->local_off < q->local_off ? -1 : 1;
    return p < q ? -1 : p > q;   /* directory order among entries at one offset */
}

/* Members whose bytes lie inside another's (by offset: a local header before the end of the
 * data an earlier one declares), the trick of zip bombs that expand one deflate stream many
 * times over. A header at another entry's very offset is shared: libarchive lists one entry
 * of those, by offset, and passes over the rest. */
static void find_overlaps(et_zipdir *d, zd_entry **by)
{
    uint64_t end = 0, place = 0;   /* place: in libarchive's listing */
    const zd_entry *owner = NULL;
    for (size_t i = 0; i < d->n; i++) {
        zd_entry *e = by[i];
        if (i && e->local_off == by[i - 1]->local_off) {
            d->shared++;
            continue;
        }
        if (owner && e->local_off < end) {
            if (!d->inside && !(d->inside = calloc(d->n, sizeof *d->inside))) abort();
            d->inside[place] = owner->name;
            d->overlapping++;
        } else {
            uint64_t e_end = e->local_off + LFH_LEN + e->csize;   /* at least: name and extra come on top */
            if (e_end > end || !owner) { end = e_end; owner = e; }
        }
        place++;
    }
}

/* Each entry's place in libarchive's listing, which goes by local header offset; entries
 * sharing an offset have none (libarchive's order among them is its own). */
static void rank_entries(et_zipdir *d)
{
    zd_entry **by = malloc((d->n ? d->n : 1) * sizeof *by);
    if (!by) abort();
    for (size_t i = 0; i < d->n; i++) by[i] = &d->e[i];
    qsort(by, d->n, sizeof *by, cmp_offset);
    for (size_t i = 0; i < d->n; i++) by[i]->rank = i;
    for (size_t i = 1; i < d->n; i++)
        if (by[i]->local_off == by[i - 1]->local_off) by[i]->rank = by[i - 1]->rank = UINT64_MAX;
    find_overlaps(d, by);
    free(by);
}

enum { CD_BLOCK = 1 << 20, CDH_MAX = CDH_LEN + 3 * 65535 };   /* an entry is at most CDH_MAX bytes */

/* The directory's first max entries (all of them when it has no more), read CD_BLOCK bytes at a
 * time: memory goes with the entries kept, not the directory's size. 0, or -1 when one does not
 * parse. *exact: every entry was read, and they fill the directory to its last byte. */
static int read_entries(et_zipdir *d, const cd_loc *loc, uint64_t max, int *exact)
{
    uint64_t want = loc->count < max ? loc->count : max;
    d->e = calloc(want ? (size_t)want : 1, sizeof *d->e);
    unsigned char *buf = malloc(CD_BLOCK + CDH_MAX);
    if (!d->e || !buf) abort();
    size_t have = 0, at = 0;   /* bytes in buf, and those of them parsed */
    uint64_t pos = 0;          /* directory bytes read into buf */
    int rc = 0;
    while (d->n < want) {
        if (have - at < CDH_MAX && pos < loc->len) {
            memmove(buf, buf + at, have - at);
            have -= at;
            at = 0;
            size_t n = loc->len - pos < CD_BLOCK + CDH_MAX - have ? (size_t)(loc->len - pos) : CD_BLOCK + CDH_MAX - have;
            if (read_exact(&d->zip, buf + have, n, loc->off + pos)) { rc = -1; break; }
            have += n;
            pos += n;
        }
        size_t used = parse_entry(buf + at, have - at, &d->e[d->n]);
        if (!used) { rc = -1; break; }
        at += used;
        d->n++;
    }
    free(buf);
    *exact = rc == 0 && d->n == loc->count && pos == loc->len && at == have;
    return rc;
}

/* A directory cut at max entries (a zip of more members than the walk reads) is kept only when
 * it lists them: then they are the first ones libarchive would list, in that order. */
static int parse_directory(et_zipdir *d, const cd_loc *loc, uint64_t max, int listable)
{
    if (loc->count > loc->len / CDH_LEN) return -1;
    int exact;
    if (read_entries(d, loc, max, &exact) != 0) return -1;
    bool cut = d->n < loc->count;
    if (listable && (exact || cut)) build_listing(d);   /* in directory order, before the entries are sorted */
    if (cut && !d->listing) return -1;
    rank_entries(d);
    qsort(d->e, d->n, sizeof *d->e, cmp_entry);
    for (size_t i = 1; i < d->n; i++)
        if (strcmp(d->e[i - 1].name, d->e[i].name) == 0) d->e[i - 1].dup = d->e[i].dup = 1;
    for (size_t i = 0; d->listing && i < d->n; i++)
        if (d->e[i].dup) { free(d->listing); d->listing = NULL; }
    if (d->overlapping || d->shared) { free(d->listing); d->listing = NULL; }   /* libarchive's walk, refused there */
    d->complete = d->n == loc->count;
    return cut && !d->listing ? -1 : 0;
}

/* The entries a directory holds, for what reading it costs: a count that lies is not believed. */
static uint64_t entries_of(const cd_loc *loc)
{
    uint64_t by_bytes = loc->len / ZD_ENTRY_BYTES;
    return loc->count > by_bytes ? loc->count : by_bytes;
}

et_zipdir *et_zipdir_read(int fd, uint64_t size, uint64_t max_entries, uint64_t *entries)
{
    et_source zip = {.fd = fd, .size = size};
    cd_loc loc;
    if (entries) *entries = 0;
    if (find_directory(&zip, &loc) != 0) return NULL;
    if (entries) *entries = entries_of(&loc);
    et_zipdir *d = calloc(1, sizeof *d);
    if (!d) abort();
    d->zip = zip;
    int listable = loc.off + loc.len == loc.end;   /* else bytes lie between: libarchive's to make sense of */
    if (parse_directory(d, &loc, max_entries, listable) != 0) { et_zipdir_free(d); return NULL; }
    return d;
}

uint64_t et_zipdir_entries(int fd, uint64_t size)
{
    et_source zip = {.fd = fd, .size = size};
    cd_loc loc;
    return find_directory(&zip, &loc) == 0 ? entries_of(&loc) : 0;
}

void et_zipdir_free(et_zipdir *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->n; i++) free(d->e[i].name);
    free(d->e);
    free(d->listing);
    free(d->inside);
    free(d);
}

size_t et_zipdir_count(const et_zipdir *d) { return d ? d->n : 0; }

uint64_t et_zipdir_shared(const et_zipdir *d) { return d && d->complete ? d->shared : 0; }
uint64_t et_zipdir_overlapping(const et_zipdir *d) { return d && d->complete ? d->overlapping : 0; }

/* The entry libarchive lists as member index under name: a name not given back as stored
 * (converted or normalised) could be another entry's, which the place tells apart. */
static const zd_entry *find(const et_zipdir *d, const char *name, uint64_t index)
{
    zd_entry key = {.name = (char *)name};
    const zd_entry *e = bsearch(&key, d->e, d->n, sizeof *d->e, cmp_entry);
    return e && !e->dup && e->rank == index ? e : NULL;
}

const char *et_zipdir_inside(const et_zipdir *d, uint64_t index)
{
    return d && d->inside && index < d->n ? d->inside[index] : NULL;
}

/* Where e's data starts, after its local header; 0 if that header does not hold up. */
static uint64_t data_offset(const et_zipdir *d, const zd_entry *e)
{
    unsigned char h[LFH_LEN];
    if (e->local_off > d->zip.size || read_exact(&d->zip, h, LFH_LEN, e->local_off) || le32(h) != 0x04034b50) return 0;
    uint64_t at = e->local_off + LFH_LEN + le16(h + 26) + le16(h + 28);
    return at <= d->zip.size && e->csize <= d->zip.size - at ? at : 0;
}

/* The whole member into out (room for usize bytes), CRC checked; 0, or -1. */
static int inflate_whole(const et_zipdir *d, const zd_entry *e, uint64_t at, unsigned char *out)
{
    if (e->method == 0) return read_exact(&d->zip, out, (size_t)e->usize, at);
    if (!et_source_budget_take(e->csize)) return -1;
    unsigned char *in = malloc(e->csize ? (size_t)e->csize : 1);
    if (!in) abort();
    int rc = read_exact(&d->zip, in, (size_t)e->csize, at);
    if (rc == 0) {
        struct libdeflate_decompressor *dc = libdeflate_alloc_decompressor();
        if (!dc) abort();
        rc = libdeflate_deflate_decompress(dc, in, (size_t)e->csize, out, (size_t)e->usize, NULL) ==
             LIBDEFLATE_SUCCESS ? 0 : -1;
        libdeflate_free_decompressor(dc);
    }
    free(in);
    et_source_budget_give(e->csize);
    return rc;
}

/* ---- a member read as a stream: its first bytes (to sniff them), or all of it, a block at a time
 * into a temporary file, when it is too big for the memory budget ---------------------------- */

enum { STREAM_IN = 1 << 18, STREAM_OUT = 1 << 18, SNIFF_IN = 4096, SNIFF_MAX_IN = 65536 };

typedef struct zd_stream {
    const et_zipdir *d;
    const zd_entry *e;
    uint64_t at, read;        /* the member's data in the zip; its bytes read so far */
    size_t block;             /* bytes of it read at a time */
    struct inflate_state *z;  /* ISA-L's inflater (deflated members): twice zlib's speed here */
    unsigned char *in;
} zd_stream;

static void stream_open(zd_stream *m, const et_zipdir *d, const zd_entry *e, uint64_t at, size_t block)
{
    *m = (zd_stream){.d = d, .e = e, .at = at, .block = block};
    if (!(m->in = malloc(block))) abort();
    if (e->method != 8) return;
    if (!(m->z = malloc(sizeof *m->z))) abort();
    isal_inflate_init(m->z);   /* raw deflate, no checksum of its own: the caller checks the CRC */
}

static void stream_close(zd_stream *m)
{
    free(m->z);
    free(m->in);
}

/* Up to room bytes more of the member into out (stored: copied; deflated: inflated); how many,
 * or -1 when the data is short or damaged. *end: the deflate stream has ended (stored: never). */
static long stream_more(zd_stream *m, unsigned char *out, size_t room, int *end)
{
    if (m->e->method == 0) {
        size_t n = m->e->usize - m->read < room ? (size_t)(m->e->usize - m->read) : room;
        if (read_exact(&m->d->zip, out, n, m->at + m->read)) return -1;
        m->read += n;
        return (long)n;
    }
    if (m->z->avail_in == 0 && m->read < m->e->csize) {
        size_t n = m->e->csize - m->read < m->block ? (size_t)(m->e->csize - m->read) : m->block;
        if (read_exact(&m->d->zip, m->in, n, m->at + m->read)) return -1;
        m->read += n;
        m->z->next_in = m->in;
        m->z->avail_in = (uint32_t)n;
    }
    m->z->next_out = out;
    m->z->avail_out = (uint32_t)room;
    uint32_t had = m->z->avail_in;
    int rc = isal_inflate(m->z);
    long got = (long)(room - m->z->avail_out);
    *end = m->z->block_state == ISAL_BLOCK_FINISH;
    if (rc < 0) return -1;   /* damaged */
    if (got == 0 && !*end && m->z->avail_in == had) return -1;   /* no progress: the data ran out */
    return got;
}

/* The member's first bytes (HEAD_LEN, or all of a shorter one), reading at most 64 KiB of its
 * data. Returns how many, or -1. */
static long sniff_head(const et_zipdir *d, const zd_entry *e, uint64_t at, unsigned char *head)
{
    size_t want = e->usize < HEAD_LEN ? (size_t)e->usize : HEAD_LEN, got = 0;
    zd_stream m;
    stream_open(&m, d, e, at, SNIFF_IN);
    int end = 0;
    while (got < want && !end && m.read <= SNIFF_MAX_IN) {
        long n = stream_more(&m, head + got, want - got, &end);
        if (n < 0) break;
        got += (size_t)n;
    }
    stream_close(&m);
    return got == want ? (long)got : -1;
}

/* The member (usize bytes, no more) into fd, a quarter MiB at a time: it never has to fit in
 * memory; the CRC is et_crc32's (libarchive's zlib CRC was a quarter of its inflating time).
 * digest (NULL: none): its SHA-256, from a second thread fed each block as it comes out, set
 * only when it is whole. feed (NULL: none) learns after each block how far it is, and stops it.
 * Returns the bytes written; *whole: all of them, the stream ending there, the CRC right. */
static uint64_t inflate_into(const et_zipdir *d, const zd_entry *e, uint64_t at, int fd, et_feed *feed,
                             char digest[65], bool *whole)
{
    char msg[160];
    zd_stream m;
    stream_open(&m, d, e, at, STREAM_IN);
    et_hashpipe *hp = digest ? et_hashpipe_start() : NULL;
    unsigned char *own = hp ? NULL : malloc(STREAM_OUT);
    if (!hp && !own) abort();
    uint64_t written = 0;
    uint32_t crc = 0;
    int end = 0;
    bool ok = true;
    while (ok && written < e->usize && !(feed && et_feed_stopped(feed))) {
        size_t cap = STREAM_OUT;
        unsigned char *out = hp ? et_hashpipe_buffer(hp, &cap) : own;
        size_t room = e->usize - written < cap ? (size_t)(e->usize - written) : cap;
        long got = stream_more(&m, out, room, &end);
        if (got < 0 || (end && written + (uint64_t)got < e->usize)) { ok = false; break; }
        crc = et_crc32(crc, out, (size_t)got);
        if (!(ok = et_temp_write(fd, out, (size_t)got, msg, sizeof msg) == 0)) break;
        if (hp) et_hashpipe_push(hp, out, (size_t)got);
        written += (uint64_t)got;
        if (feed) et_feed_grow(feed, written);
    }
    unsigned char spare;   /* usize bytes out: a deflate stream must end there, not hold more */
    while (ok && e->method == 8 && !end && !(feed && et_feed_stopped(feed))) ok = stream_more(&m, &spare, 1, &end) == 0;
    stream_close(&m);
    free(own);
    *whole = ok && end == (e->method == 8) && written == e->usize && crc == e->crc;
    if (hp) et_hashpipe_finish(hp, *whole ? digest : NULL);
    return written;
}

/* The whole member into an unnamed temporary file, CRC checked; its descriptor, or -1 (then
 * libarchive reads it, up to any damage, and says what is wrong). */
static int inflate_to_temp(const et_zipdir *d, const zd_entry *e, uint64_t at, char digest[65])
{
    char msg[160];
    int fd = et_temp_fd(msg, sizeof msg);
    if (fd < 0) return -1;
    bool whole;
    inflate_into(d, e, at, fd, NULL, digest, &whole);
    if (whole) return fd;
    close(fd);
    return -1;
}

/* ---- a member bigger than the memory budget, read while it inflates ------------------------
 * Its readers wait for its bytes (core/source.h); all they may have read when it turns out
 * damaged lies FEED_HOLD_BACK bytes behind the inflater, so that the replay (libarchive, which
 * words damage on every other route) can still decide the member's length: its inflater stops
 * within a buffer of ours. */
enum { FEED_HOLD_BACK = 1 << 20 };

typedef struct feed_job {
    const et_zipdir *d;
    const zd_entry *e;
    uint64_t at;
    int hash;
    et_zipdir_replay rp;
} feed_job;

/* The SHA-256 of fd's first len bytes, read back (a damaged member's final bytes): "" if not read. */
static void hash_back(int fd, uint64_t len, char out[65])
{
    unsigned char *buf = malloc(STREAM_OUT);
    if (!buf) abort();
    et_sha256 sha;
    et_sha256_init(&sha);
    uint64_t pos = 0;
    while (pos < len) {
        size_t want = len - pos < STREAM_OUT ? (size_t)(len - pos) : STREAM_OUT;
        ssize_t n = pread(fd, buf, want, (off_t)pos);
        if (n <= 0) break;
        et_sha256_update(&sha, buf, (size_t)n);
        pos += (uint64_t)n;
    }
    if (et_sha256_hex(&sha, out) != 0 || pos < len) out[0] = 0;
    free(buf);
}

/* The feed's producer: the member into fd as inflate_to_temp does it; damage goes to the
 * replay, and the final bytes are hashed again then. */
static uint64_t feed_member(et_feed *feed, int fd, void *arg)
{
    feed_job *j = arg;
    char digest[65] = "";
    bool whole;
    uint64_t len = inflate_into(j->d, j->e, j->at, fd, feed, j->hash ? digest : NULL, &whole), written = len;
    if (!whole && !et_feed_stopped(feed)) {
        char note[1024];
        len = j->rp.fn(j->rp.ctx, fd, written, written > FEED_HOLD_BACK ? written - FEED_HOLD_BACK : 0, note, sizeof note);
        if (note[0]) et_feed_note(feed, note);
        /* the file is cut to the member's length: a nested archive is read by libarchive
         * from the descriptor, to its end, not to the source's size */
        if (len < written && ftruncate(fd, (off_t)len) != 0) {
            char more[sizeof note + 128];
            snprintf(more, sizeof more, "%s; its temporary file could not be cut to that length: %s", note, strerror(errno));
            et_feed_note(feed, more);
        }
        if (j->hash) hash_back(fd, len, digest);
    }
    if (digest[0]) et_feed_sha256(feed, digest);
    j->rp.free(j->rp.ctx);
    free(j);
    return len;
}

/* The member on a feed, or -1 (no temporary file, no thread): then it is inflated first. */
static int start_feed(const et_zipdir *d, const zd_entry *e, uint64_t at, int hash, const et_zipdir_replay *rp,
                      et_source *out)
{
    char msg[160];
    int fd = et_temp_fd(msg, sizeof msg);
    if (fd < 0) return -1;
    et_source s = et_source_from_fd(fd);
    s.size = e->usize;
    s.sha256_at_settle = hash != 0;
    feed_job *j = malloc(sizeof *j);
    if (!j) abort();
    *j = (feed_job){d, e, at, hash, *rp};
    if (et_source_feed(&s, FEED_HOLD_BACK, feed_member, j) != 0) {
        free(j);
        et_source_close(&s);
        return -1;
    }
    *out = s;
    return 0;
}

/* 1: want takes the member by its first bytes, sniffed by a small inflate; 0: it does not;
 * -1: they cannot be had this way. */
static int sniff_member(const et_zipdir *d, const zd_entry *e, uint64_t at,
                        int (*want)(const unsigned char *head, size_t n, void *ctx), void *ctx)
{
    unsigned char head[HEAD_LEN];
    long nhead = sniff_head(d, e, at, head);
    if (nhead < 0) return -1;
    return want(head, (size_t)nhead, ctx) != 0;
}

uint64_t et_zipdir_csize(const et_zipdir *d, const char *name, uint64_t index)
{
    const zd_entry *e = d ? find(d, name, index) : NULL;
    return e ? e->csize : 0;
}

/* A member we inflate ourselves: stored or deflated, not encrypted, not empty (any other is
 * libarchive's, which words what it finds). */
static bool inflatable(const zd_entry *e)
{
    return !(e->flags & 0x41) && (e->method == 0 || e->method == 8) && e->usize != 0;
}

/* As et_zipdir_extract; 1 when the member went to a feed (which took rp over). */
static int extract(const et_zipdir *d, const char *name, uint64_t index, int64_t declared, int hash,
                   int (*want)(const unsigned char *head, size_t n, void *ctx), void *ctx,
                   const et_zipdir_replay *rp, et_source *out)
{
    const zd_entry *e = d ? find(d, name, index) : NULL;
    if (!e || !inflatable(e)) return ET_ZIPDIR_FALLBACK;
    if (declared < 0 || (uint64_t)declared != e->usize || (e->method == 0 && e->csize != e->usize))
        return ET_ZIPDIR_FALLBACK;
    uint64_t at = data_offset(d, e);
    if (!at) return ET_ZIPDIR_FALLBACK;
    /* A member named .evtx that fits in memory is sniffed once inflated: a sniffing inflate
     * first would build its Huffman tables twice (a tenth of a zipped corpus's extra CPU).
     * Any other is sniffed first, so that a big member which is not EVTX (an upload's .etl)
     * is never inflated. Either way want sees the same first bytes. */
    et_source s = et_source_mem_reserve(e->usize);
    bool sniff_first = !s.mem || !et_has_ext(name, ".evtx");
    int w = sniff_first ? sniff_member(d, e, at, want, ctx) : 1;
    if (w <= 0) {
        et_source_close(&s);
        return w < 0 ? ET_ZIPDIR_FALLBACK : ET_ZIPDIR_DECLINED;
    }
    if (!s.mem && rp && e->usize > et_source_budget() && start_feed(d, e, at, hash, rp, out) == 0) return 1;
    if (!s.mem) {
        char digest[65] = "";
        int fd = inflate_to_temp(d, e, at, hash ? digest : NULL);
        if (fd < 0) return ET_ZIPDIR_FALLBACK;
        *out = et_source_from_fd(fd);
        memcpy(out->sha256, digest, sizeof digest);
        return ET_ZIPDIR_OK;
    }
    if (inflate_whole(d, e, at, s.mem) != 0 || et_crc32(0, s.mem, (size_t)e->usize) != e->crc) {
        et_source_close(&s);
        return ET_ZIPDIR_FALLBACK;
    }
    if (!sniff_first && !want(s.mem, e->usize < HEAD_LEN ? (size_t)e->usize : HEAD_LEN, ctx)) {
        et_source_close(&s);
        return ET_ZIPDIR_DECLINED;
    }
    *out = s;
    return ET_ZIPDIR_OK;
}

int et_zipdir_extract(const et_zipdir *d, const char *name, uint64_t index, int64_t declared, int hash,
                      int (*want)(const unsigned char *head, size_t n, void *ctx), void *ctx,
                      const et_zipdir_replay *replay, et_source *out)
{
    int rc = extract(d, name, index, declared, hash, want, ctx, replay, out);
    if (rc == 1) return ET_ZIPDIR_OK;
    if (replay) replay->free(replay->ctx);
    return rc;
}

/* ---- the listing: what libarchive would list, when that is certain ----------------------- */

/* 1: a regular file, 0: a directory, -1: anything libarchive may see otherwise (a link, a
 * trailing slash and attributes that disagree, a system whose attributes it reads its own way). */
static int kind_of(const zd_entry *e)
{
    size_t n = strlen(e->name);
    int slash = n && e->name[n - 1] == '/';
    unsigned system = e->made_by >> 8;
    if (system == 3) {
        unsigned fmt = (e->ext_attr >> 16) & 0170000;
        if (fmt == 0100000 && !slash) return 1;
        if (fmt == 0040000 && slash) return 0;
        return -1;
    }
    if (system == 0) {
        int dir = (e->ext_attr & 0x10) != 0;
        return dir == slash ? !dir : -1;
    }
    return -1;
}

/* The local header holds up the way libarchive checks it against the central one: its
 * signature, the same name, method and flags, only benign extra fields, and a CRC and sizes
 * (zip64 ones from its own zip64 field) that are zero or equal. */
static int local_agrees(const et_zipdir *d, const zd_entry *e)
{
    unsigned char h[LFH_LEN];
    uint64_t size = d->zip.size;
    if (e->local_off > size || size - e->local_off < LFH_LEN || read_exact(&d->zip, h, LFH_LEN, e->local_off) ||
        le32(h) != 0x04034b50 || le16(h + 6) != e->flags || le16(h + 8) != e->method)
        return 0;
    size_t nlen = le16(h + 26), xlen = le16(h + 28);
    if (nlen != strlen(e->name) || size - e->local_off - LFH_LEN < nlen + xlen) return 0;
    unsigned char *p = malloc(nlen + xlen + 1);
    if (!p) abort();
    zd_entry local = {.crc = le32(h + 14), .csize = le32(h + 18), .usize = le32(h + 22)};
    int ok = read_exact(&d->zip, p, nlen + xlen, e->local_off + LFH_LEN) == 0 && memcmp(p, e->name, nlen) == 0 &&
             benign_extra(p + nlen, xlen) &&
             apply_zip64(&local, p + nlen, xlen, local.usize == 0xFFFFFFFF, local.csize == 0xFFFFFFFF, 0) == 0;
    free(p);
    return ok && (!local.crc || local.crc == e->crc) && (!local.csize || local.csize == e->csize) &&
           (!local.usize || local.usize == e->usize);
}

/* Every entry, in directory order, must be plain, and the local headers ascend (libarchive lists
 * by local header offset); any doubt and there is no listing. */
static void build_listing(et_zipdir *d)
{
    if (!d->n) return;
    et_zipdir_member *l = calloc(d->n, sizeof *l);
    if (!l) abort();
    for (size_t i = 0; i < d->n; i++) {
        const zd_entry *e = &d->e[i];
        int kind = kind_of(e);
        if (kind < 0 || !e->plain || (e->flags & 0x41) || !e->benign_extra || (i && e->local_off <= d->e[i - 1].local_off) ||
            !local_agrees(d, e)) {
            free(l);
            return;
        }
        l[i] = (et_zipdir_member){.name = e->name, .size = e->usize, .csize = e->csize, .is_dir = kind == 0};
    }
    d->listing = l;
}

bool et_zipdir_inflates_all(const et_zipdir *d)
{
    for (size_t i = 0; d && i < d->n; i++)
        if (kind_of(&d->e[i]) != 0 && !inflatable(&d->e[i])) return false;   /* a directory has nothing */
    return d != NULL;
}

const et_zipdir_member *et_zipdir_listing(const et_zipdir *d, size_t *n)
{
    *n = d && d->listing ? d->n : 0;
    return d ? d->listing : NULL;
}
