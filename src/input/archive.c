/* archive.c: archive members: each header checked against the limits, zip members handed on
 * uninflated (read in parallel later; a plain zip listed from its own directory, without
 * libarchive), other members sniffed by their first bytes and only EVTX or nested archives
 * inflated, into unnamed temporary files, one at a time. */
#include "input/walk_int.h"
#include "input/zipmember.h"
#include "input/arlib.h"
#include "input/gzfront.h"
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Expanded bytes so far (one member's, the archive's) against the limits; 0, or -1 with msg set. */
static int account(const et_walk *w, uint64_t member, uint64_t total, uint64_t compressed_size,
                   char *msg, size_t msglen)
{
    const et_input_limits *lim = w->lim;
    if (member > lim->max_member_bytes) {
        snprintf(msg, msglen, "refused: member expands past %llu bytes (--max-member-bytes)",
                 (unsigned long long)lim->max_member_bytes);
        return -1;
    }
    if (total > lim->max_total_bytes) {
        snprintf(msg, msglen, "refused: archive expands past %llu bytes (--max-total-bytes)",
                 (unsigned long long)lim->max_total_bytes);
        return -1;
    }
    if (compressed_size && (double)total / (double)compressed_size > lim->max_ratio && total > (64u << 20)) {
        snprintf(msg, msglen, "refused: expansion ratio above %.0f (--max-ratio): a decompression bomb?",
                 lim->max_ratio);
        return -1;
    }
    return 0;
}

/* What the walk of one archive keeps: the progress line's share of it when given as a path
 * (depth 0; the bytes of a nested one are its member's), what its members stand for and what
 * the walk went past besides; and the gzip stream inflated in front of libarchive. */
typedef struct share {
    const et_walk *w;
    bool counted;
    uint64_t given, size;
    int64_t halve_from;     /* >= 0: an EVTX member is inflating from here; half of what the walk
                               reads is said as it reads it, the rest is the member's own */
    const et_gzfront *gz;   /* the gzip stream inflated in front of libarchive, if any */
    bool raw;               /* a compressed file: its one member is the whole stream */
    bool gz_said;           /* the stream's damage has been said */
} share;

/* How far the walk has read into the archive: the gzip stream's bytes when ISA-L inflates it
 * (libarchive then sees the plain bytes), else libarchive's own count. */
static int64_t read_pos(const share *s, struct archive *a)
{
    return s->gz ? (int64_t)et_gzfront_position(s->gz) : et_la()->archive_filter_bytes(a, -1);
}

static uint64_t weigh(share *s, uint64_t bytes)
{
    if (!s->counted) return 0;
    s->given += bytes;
    return bytes;
}

/* Bytes read by the walk up to pos (libarchive's raw position; < 0: unknown) that no member
 * stands for, once there are at least least of them; reading: the member being inflated. */
static void went_past_by(share *s, int64_t pos, uint64_t least, const char *reading)
{
    if (s->halve_from >= 0 && pos > s->halve_from) pos = s->halve_from + (pos - s->halve_from) / 2;
    uint64_t upto = pos < 0 ? 0 : (uint64_t)pos < s->size ? (uint64_t)pos : s->size;
    if (!s->counted || upto <= s->given || upto - s->given < least) return;
    uint64_t n = upto - s->given;
    s->given = upto;
    s->w->cb->consumed(n, reading, s->w->cb->ctx);
}

static void went_past(share *s, int64_t pos) { went_past_by(s, pos, 1, NULL); }

/* A member inflated here: its bytes count against the member and archive limits, and what the
 * walk reads of the archive meanwhile goes on the progress line as it is read (a big member of
 * a tar.gz takes seconds to inflate). */
typedef struct serial_check {
    const et_walk *w;
    uint64_t *total, compressed;
    struct archive *a;
    share *sh;
    const char *display;
} serial_check;

enum { PROGRESS_STEP = 1 << 16 };   /* bytes of the archive read between two reports */

static int check_serial(uint64_t done, uint64_t n, void *ctx, char *msg, size_t msglen)
{
    serial_check *c = ctx;
    *c->total += n;
    went_past_by(c->sh, read_pos(c->sh, c->a), PROGRESS_STEP, c->display);
    return account(c->w, done, *c->total, c->compressed, msg, msglen);
}

/* A zip member goes on uninflated once its declared size (-1: none) passes the limits;
 * weight: the bytes of the path given it stands for (0: unknown, or not a path given). */
static void hand_on(et_walk *w, const char *name, int64_t declared, const char *display, uint64_t *total,
                    uint64_t compressed_size, et_zipset *zs, uint64_t index, uint64_t weight)
{
    char msg[512];
    if (declared >= 0 && account(w, (uint64_t)declared, *total + (uint64_t)declared, compressed_size, msg, sizeof msg)) {
        et_walk_report(w, display, msg, 0);
        if (weight) w->cb->consumed(weight, NULL, w->cb->ctx);   /* gone past: nothing else stands for it */
        return;
    }
    if (declared > 0) *total += (uint64_t)declared;
    et_zip_member *m = et_zip_member_new(zs, index, name, declared, weight);
    if (w->cb->member(m, display, w->cb->ctx)) w->stop = 1;
}

/* Past --max-members: said once, and nothing after it is read. */
static int too_many(et_walk *w, const char *display, uint64_t members)
{
    if (members <= w->lim->max_members) return 0;
    char msg[160];
    snprintf(msg, sizeof msg, "refused: too many members (--max-members is %llu); the rest is not read",
             (unsigned long long)w->lim->max_members);
    et_walk_report(w, display, msg, 0);
    return 1;
}

/* A zip listed from its own directory (zipdir.c): what libarchive would list, without it. */
static uint64_t walk_listing(et_walk *w, et_zipset *zs, const et_zipdir_member *l, size_t n, const char *display,
                             uint64_t compressed, share *sh)
{
    uint64_t total = 0, files = 0;
    for (size_t i = 0; i < n && !w->stop; i++) {
        char sub[4096];
        snprintf(sub, sizeof sub, "%s!%s", display, l[i].name);
        if (too_many(w, display, i + 1)) break;
        if (l[i].is_dir) continue;
        files++;
        hand_on(w, l[i].name, (int64_t)l[i].size, sub, &total, compressed, zs, i, weigh(sh, l[i].csize));
    }
    return files;
}

/* The gzip stream's damage, when it cut this member short (libarchive found it short, or it
 * is the stream's only member): said in the member's line, in gzfront's words (true). */
static bool gzip_damage_note(share *sh, const et_source *src, bool damaged, char *msg, size_t msglen)
{
    const char *cause = sh->gz ? et_gzfront_failure(sh->gz) : NULL;
    if (!cause || sh->gz_said || !(damaged || sh->raw)) return false;
    et_member_damage_note(msg, msglen, cause, src->size, false);
    return sh->gz_said = true;
}

/* An EVTX member inflated here stands for what the walk read of the archive while it inflated:
 * half of it goes on the progress line as it is read, the other half as the member's records
 * are (inflating and reading take comparable times with ISA-L's gzip; xz and bzip2 inflate
 * slower, so their line runs faster once reading starts). Without this, the line would stand
 * at the archive's end while a big member's records are read. The split starts here... */
static void halve_from(share *s, int64_t pos) { s->halve_from = s->counted && pos >= 0 ? pos : -1; }

/* ...and ends at pos: returns the member's share (what was held back). */
static uint64_t halved_upto(share *s, int64_t pos)
{
    if (s->halve_from < 0) return 0;
    went_past_by(s, pos, 1, NULL);   /* its first half */
    s->halve_from = -1;
    uint64_t upto = pos < 0 ? 0 : (uint64_t)pos < s->size ? (uint64_t)pos : s->size;
    if (upto <= s->given) return 0;
    uint64_t held = upto - s->given;
    s->given = upto;
    return held;
}

/* Any other member: sniffed; EVTX and nested archives inflated here. */
static void walk_member(et_walk *w, struct archive *a, const char *display, int64_t declared, int depth,
                        uint64_t *total, uint64_t compressed_size, share *sh)
{
    char msg[512];
    unsigned char head[512];
    et_member_reader r;
    et_member_reader_init(&r, a);
    long nhead = et_member_read_head(&r, head, sizeof head, msg, sizeof msg);
    if (nhead < 0) { et_walk_report(w, display, msg, 0); return; }
    int kind = et_sniff_bytes(head, (unsigned long)nhead);
    if (kind == ET_KIND_OTHER) { et_walk_skip(w, display, (unsigned long)nhead); return; }
    if (kind == ET_KIND_ARCHIVE && depth >= w->lim->max_depth) {
        et_walk_refuse_nested(w, display);
        return;
    }
    uint64_t before = *total;
    serial_check check = {w, total, compressed_size, a, sh, display};
    bool damaged;
    et_source src;
    int64_t room = kind == ET_KIND_ARCHIVE ? -1 : declared;   /* a nested archive is read from a file */
    if (kind == ET_KIND_EVTX) halve_from(sh, (int64_t)sh->given);
    int rc = et_member_extract(&r, head, (size_t)nhead, room, check_serial, &check, &damaged, &src, msg, sizeof msg);
    uint64_t held = halved_upto(sh, read_pos(sh, a));
    if (rc != 0) {
        *total = before;   /* a refused member does not count against the others */
        if (held) w->cb->consumed(held, NULL, w->cb->ctx);
        et_walk_report(w, display, msg, 0);
        return;
    }
    if (gzip_damage_note(sh, &src, damaged, msg, sizeof msg)) damaged = true;
    went_past_by(sh, read_pos(sh, a), 1, display);   /* before its records: it is read */
    et_walk_source(w, src, display, kind, depth + 1, held, damaged ? msg : NULL);
}

/* A zipset for a zip whose members the caller takes (to inflate them in parallel), else NULL. */
static et_zipset *zip_set(et_walk *w, int fd, int depth)
{
    unsigned char magic[4];
    if (!w->cb->member || pread(fd, magic, 4, 0) != 4 || memcmp(magic, "PK\3\4", 4) != 0) return NULL;
    return et_zipset_new(fd, w->lim, depth);
}

/* A reader on fd: any archive format, the one-member format of a compressed file (R_RAW), or a
 * zip read as a stream, by its local headers (R_ZIP_STREAM: libarchive's seekable reader, which
 * format_all picks for a zip on a descriptor, keeps its whole directory); *ok: whether it
 * opened. A gzip stream is inflated in front of it (*gz), so libarchive sees the plain bytes. */
enum reader_kind { R_ANY, R_RAW, R_ZIP_STREAM };
static struct archive *open_reader(int fd, enum reader_kind kind, bool *ok, et_gzfront **gz)
{
    struct archive *a = et_la()->archive_read_new();
    et_la()->archive_read_support_filter_all(a);
    if (kind == R_RAW) et_la()->archive_read_support_format_raw(a);
    else if (kind == R_ZIP_STREAM) et_la()->archive_read_support_format_zip_streamable(a);
    else et_la()->archive_read_support_format_all(a);
    *gz = NULL;
    if (et_gzfront_applies(fd)) *ok = et_gzfront_open(a, fd, gz) == ARCHIVE_OK;
    else *ok = lseek(fd, 0, SEEK_SET) == 0 && et_la()->archive_read_open_fd(a, fd, 1 << 16) == ARCHIVE_OK;
    return a;
}

/* An archive, else one file compressed (Security.evtx.gz), read as its only member (*raw); a
 * zip as a stream when zip_stream is set. */
static struct archive *open_any(et_walk *w, int fd, const char *display, bool zip_stream, bool *raw, et_gzfront **gz)
{
    bool ok;
    if (zip_stream) {
        struct archive *z = open_reader(fd, R_ZIP_STREAM, &ok, gz);
        *raw = false;
        if (ok) return z;
        et_la()->archive_read_free(z);
    }
    struct archive *a = open_reader(fd, R_ANY, &ok, gz);
    *raw = false;
    if (ok) return a;
    unsigned char head[8];
    ssize_t n = pread(fd, head, sizeof head, 0);
    if (n > 0 && et_sniff_compressed(head, (unsigned long)n)) {
        et_gzfront *one_gz;
        struct archive *one = open_reader(fd, R_RAW, &ok, &one_gz);
        *raw = true;
        if (ok) {
            et_la()->archive_read_free(a);
            *gz = one_gz;
            return one;
        }
        et_la()->archive_read_free(one);
    }
    *gz = NULL;   /* freed with its reader */
    char msg[512];
    et_archive_error(a, "cannot read archive: ", msg, sizeof msg);
    et_walk_report(w, display, msg, 0);
    et_la()->archive_read_free(a);
    return NULL;
}

/* The only member of a compressed file: its name less the compression's suffix, else "data". */
static void raw_member_name(const char *display, char *out, size_t n)
{
    const char *base = display;
    for (const char *p = display; *p; p++)
        if (*p == '/' || *p == '\\' || *p == '!') base = p + 1;
    static const char *const suffixes[] = {".gz", ".gzip", ".xz", ".bz2", ".zst", ".zstd", ".lz4"};
    size_t len = strlen(base);
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        size_t sl = strlen(suffixes[i]);
        if (len > sl && et_has_ext(base, suffixes[i])) {
            snprintf(out, n, "%.*s", (int)(len - sl), base);
            return;
        }
    }
    snprintf(out, n, "data");
}

static uint64_t walk_members(et_walk *w, int fd, const char *display, int depth, uint64_t compressed, share *sh);

uint64_t et_walk_archive(et_walk *w, int fd, const char *display, int depth)
{
    struct stat st;
    uint64_t compressed = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    share sh = {.w = w, .counted = depth == 0 && w->cb->consumed, .size = compressed, .halve_from = -1};
    uint64_t files = walk_members(w, fd, display, depth, compressed, &sh);
    went_past(&sh, (int64_t)compressed);   /* the rest: headers, the directory, what was refused or not read */
    return files;
}

static uint64_t walk_members(et_walk *w, int fd, const char *display, int depth, uint64_t compressed, share *sh)
{
    et_zipset *zs = zip_set(w, fd, depth);
    bool zip_stream = zs && !et_zipset_parallel(zs);   /* many entries, some for libarchive: a stream */
    /* overlapping entries a stream never meets: said after it (a seekable walk refuses them) */
    uint64_t unmet = zip_stream ? et_zipset_shared(zs) + et_zipset_overlapping(zs) : 0;
    if (zip_stream) { et_zipset_release(zs); zs = NULL; }
    size_t n;
    const et_zipdir_member *listing = zs ? et_zipset_listing(zs, &n) : NULL;
    if (listing) {
        uint64_t files = walk_listing(w, zs, listing, n, display, compressed, sh);
        et_zipset_release(zs);
        return files;
    }
    char why[256], msg[512];
    if (!et_arlib_get(why, sizeof why)) {
        snprintf(msg, sizeof msg, "cannot read archive: %s", why);
        et_walk_report(w, display, msg, 0);
        et_zipset_release(zs);
        return 0;
    }
    /* libarchive's seekable zip reader (members inflated in parallel later), else any reader */
    struct archive *a = zs ? et_zipset_open_handle(zs, why, sizeof why) : NULL;
    if (!a) { et_zipset_release(zs); zs = NULL; }
    bool raw = false;
    et_gzfront *gz = NULL;
    if (!a && !(a = open_any(w, fd, display, zip_stream, &raw, &gz))) return 0;
    sh->gz = gz;
    sh->raw = raw;
    char raw_name[256];
    if (raw) raw_member_name(display, raw_name, sizeof raw_name);
    uint64_t total = 0, members = 0, files = 0;
    struct archive_entry *e;
    int rc = ARCHIVE_OK;
    /* ARCHIVE_WARN: the header was read but something in it was not (a name libarchive could
     * not convert, an attribute ignored); the member is still read, after a line saying it */
    for (uint64_t index = 0; !w->stop && ((rc = et_la()->archive_read_next_header(a, &e)) == ARCHIVE_OK ||
                                          rc == ARCHIVE_WARN); index++) {
        char stand_in[64];
        const char *name = raw ? raw_name : et_member_name(e, index, stand_in, sizeof stand_in);
        char sub[4096];
        snprintf(sub, sizeof sub, "%s!%s", display, name);
        if (too_many(w, display, ++members)) break;
        if (rc == ARCHIVE_WARN) {
            et_archive_error(a, "archive warning: ", msg, sizeof msg);
            et_walk_report(w, sub, msg, 0);
        }
        mode_t type = et_la()->archive_entry_filetype(e);
        if (type == AE_IFDIR) continue;
        files++;
        if (type != AE_IFREG) { et_walk_report(w, sub, "skipped: not a regular file (link or device)", 1); continue; }
        if (et_la()->archive_entry_is_encrypted(e)) { et_walk_report(w, sub, "refused: encrypted member", 0); continue; }
        const char *inside = zs ? et_zipset_inside(zs, index) : NULL;
        if (inside) {
            snprintf(msg, sizeof msg, "refused: its header lies inside the data of member '%s' (overlapping members: "
                     "a zip bomb's trick)", inside);
            et_walk_report(w, sub, msg, 0);
            continue;
        }
        int64_t declared = et_la()->archive_entry_size_is_set(e) ? (int64_t)et_la()->archive_entry_size(e) : -1;
        if (zs) hand_on(w, name, declared, sub, &total, compressed, zs, index, weigh(sh, et_zipset_csize(zs, name, index)));
        else walk_member(w, a, sub, declared, depth, &total, compressed, sh);
        if (!zs) went_past(sh, read_pos(sh, a));
    }
    /* entries libarchive passed over without a word: those at another's local header offset,
     * and in a stream those inside another's data too */
    uint64_t shared = zs && !w->stop && rc == ARCHIVE_EOF ? et_zipset_shared(zs) : 0;
    if (shared) {
        snprintf(msg, sizeof msg, "refused: %llu entr%s of the directory share a local header with another entry "
                 "(overlapping members: a zip bomb's trick); one entry of each such header was read",
                 (unsigned long long)shared, shared == 1 ? "y" : "ies");
        et_walk_report(w, display, msg, 0);
    }
    if (unmet && !w->stop) {
        snprintf(msg, sizeof msg, "refused: %llu entr%s of the directory overlap another entry's header or data "
                 "(overlapping members: a zip bomb's trick); read as a stream, the zip gave only the members "
                 "its local headers chain to", (unsigned long long)unmet, unmet == 1 ? "y" : "ies");
        et_walk_report(w, display, msg, 0);
    }
    /* a compressed file of nothing (libarchive's "empty" format, no member at all): its one
     * member is said, as an empty member of a tar is */
    if (!members && rc == ARCHIVE_EOF && et_la()->archive_format(a) == ARCHIVE_FORMAT_EMPTY) {
        char sub[4096];
        raw_member_name(display, raw_name, sizeof raw_name);
        snprintf(sub, sizeof sub, "%s!%s", display, raw_name);
        et_walk_skip(w, sub, 0);
        files = 1;
    }
    /* the gzip stream's damage, when no member's line has said it, is why the archive ends
     * here (a later complaint of libarchive's follows from it) */
    const char *gz_cause = gz ? et_gzfront_failure(gz) : NULL;
    if (!w->stop && (gz_cause ? !sh->gz_said : rc != ARCHIVE_EOF && rc != ARCHIVE_OK)) {
        char cause[400];
        if (gz_cause) snprintf(cause, sizeof cause, "%s", gz_cause);
        else et_archive_error(a, "", cause, sizeof cause);
        snprintf(msg, sizeof msg, "archive damaged: %s; the members before this point were read", cause);
        et_walk_report(w, display, msg, 0);
    }
    et_la()->archive_read_free(a);
    et_zipset_release(zs);
    return files;
}
