/* gzfront.c: libarchive's read callback over a gzip stream inflated by ISA-L (see gzfront.h). */
#include "input/gzfront.h"
#include <errno.h>
#include <stddef.h>
#include <isa-l/igzip_lib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { IN_LEN = 1 << 18, OUT_LEN = 1 << 18 };

struct et_gzfront {
    int fd;
    uint64_t pos;              /* bytes of fd read */
    bool eof;                  /* fd has no more */
    bool in_member;            /* inside a gzip member (header read or to be read by ISA-L) */
    bool ended;                /* past the last member */
    const char *fail;          /* the damage that ended the stream (et_gzfront_failure) */
    struct inflate_state z;
    unsigned char in[IN_LEN], out[OUT_LEN];
};

bool et_gzfront_applies(int fd)
{
    unsigned char m[3];
    return pread(fd, m, 3, 0) == 3 && m[0] == 0x1f && m[1] == 0x8b && m[2] == 8;
}

uint64_t et_gzfront_position(const et_gzfront *g) { return g->pos; }
const char *et_gzfront_failure(const et_gzfront *g) { return g->fail; }

/* At least want bytes of input at hand unless fd ends first (the rest moved to the front);
 * false on a read error. */
static bool fill(et_gzfront *g, uint32_t want)
{
    while (g->z.avail_in < want && !g->eof) {
        if (g->z.avail_in && g->z.next_in != g->in) memmove(g->in, g->z.next_in, g->z.avail_in);
        g->z.next_in = g->in;
        ssize_t n = pread(g->fd, g->in + g->z.avail_in, IN_LEN - g->z.avail_in, (off_t)g->pos);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        if (n == 0) g->eof = true;
        g->pos += (uint64_t)n;
        g->z.avail_in += (uint32_t)n;
    }
    return true;
}

/* Between members: another one follows (its signature), or the stream has ended. */
static void next_member(et_gzfront *g)
{
    const unsigned char *p = g->z.next_in;
    if (g->z.avail_in < 3 || p[0] != 0x1f || p[1] != 0x8b || p[2] != 8) { g->ended = true; return; }
    isal_inflate_reset(&g->z);
    g->z.crc_flag = ISAL_GZIP;   /* ISA-L reads the header and checks the trailer */
    g->in_member = true;
}

/* Some inflated bytes into g->out: how many (0 at the end), or -1 with g->fail set. */
static long inflate_some(et_gzfront *g)
{
    for (;;) {
        if (!fill(g, g->in_member ? 1 : 3)) { g->fail = "read error"; return -1; }
        if (!g->in_member) {
            next_member(g);
            if (g->ended) return 0;
        }
        uint32_t had = g->z.avail_in;
        g->z.next_out = g->out;
        g->z.avail_out = OUT_LEN;
        int rc = isal_inflate(&g->z);   /* also with no input left: it may hold output back */
        long got = (long)(OUT_LEN - g->z.avail_out);
        if (rc == ISAL_INCORRECT_CHECKSUM) g->fail = "gzip CRC-32 or length does not match the data";
        else if (rc < 0) g->fail = "gzip decompression failed";
        else if (g->z.block_state == ISAL_BLOCK_FINISH) g->in_member = false;
        if (g->fail) return got ? got : -1;
        if (got) return got;
        if (g->in_member && g->z.avail_in == had) {   /* nothing taken: it needs more than there is */
            if (had == IN_LEN) { g->fail = "gzip decompression failed"; return -1; }
            if (g->eof) { g->fail = "truncated gzip input"; return -1; }
            if (!fill(g, had + 1)) { g->fail = "read error"; return -1; }
        }
    }
}

/* Damage ends the stream where it is found: libarchive gets every byte inflated before it (an
 * error from here would lose those it holds), and the walk asks et_gzfront_failure. */
static la_ssize_t front_read(struct archive *a, void *data, const void **buf)
{
    (void)a;
    et_gzfront *g = data;
    *buf = g->out;
    if (g->ended || g->fail) return 0;
    long got = inflate_some(g);
    return got < 0 ? 0 : (la_ssize_t)got;
}

static int front_close(struct archive *a, void *data)
{
    (void)a;
    free(data);
    return ARCHIVE_OK;
}

int et_gzfront_open(struct archive *a, int fd, et_gzfront **front)
{
    et_gzfront *g = malloc(sizeof *g);
    if (!g) abort();
    memset(g, 0, offsetof(et_gzfront, in));
    g->fd = fd;
    isal_inflate_init(&g->z);
    g->z.next_in = g->in;
    *front = g;
    et_la()->archive_read_set_read_callback(a, front_read);
    et_la()->archive_read_set_close_callback(a, front_close);
    et_la()->archive_read_set_callback_data(a, g);
    return et_la()->archive_read_open1(a);
}
