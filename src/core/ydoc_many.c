/* ydoc_many.c: several YAML sources parsed side by side on the ordered pool, each into arenas of
 * its own, and handed over in source order on the calling thread (rule packs load in the time
 * of the largest piece, not of all of them). A large source is cut into pieces of whole
 * documents at its `---` lines, parsed side by side too: a document marker at the start of a
 * line ends whatever came before it in YAML, so each piece parses to the documents the whole
 * file holds, at the same lines. What aliases add is bounded over the whole file
 * (YDOC_MAX_ALIAS_BYTES): each piece counts its own, and the sum is taken in order. */
#include "core/ydoc.h"
#include "core/pool.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PIECE_MIN 4096        /* bytes: below this a piece costs more to set up than it saves */
#define PIECE_ARENA 16384     /* a piece's arena blocks (its nodes join the caller's arena) */

/* One piece of one source: the documents it parsed, or its syntax error. */
typedef struct job {
    size_t index;             /* the source */
    const ydoc_source *src;
    const char *text;         /* NULL: read and parse src->path whole */
    size_t len;
    int first_line;           /* lines of the source before the piece */
    bool last;                /* the source's last piece */
    et_arena arena;
    const ynode **docs;
    size_t ndocs, cap;
    char err[256];
    int failed, line, col;
    size_t alias_bytes;       /* what the piece's aliases added */
} job;

/* The calling thread's side: the current source's documents, piece after piece. */
typedef struct many {
    et_arena *keep;
    ydoc_each_fn fn;
    void *ctx;
    const ynode **docs;
    size_t ndocs, cap;
    const job *failed;        /* the piece whose error ended the source */
    size_t alias_bytes;       /* what the aliases of the source's pieces so far added */
} many;

static void push_doc(const ynode ***docs, size_t *n, size_t *cap, const ynode *root)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *docs = realloc(*docs, *cap * sizeof **docs);
        if (!*docs) abort();
    }
    (*docs)[(*n)++] = root;
}

static int collect(const ynode *root, int docno, void *vctx)
{
    (void)docno;
    job *j = vctx;
    push_doc(&j->docs, &j->ndocs, &j->cap, root);
    return 0;
}

static void parse_job(void *task)
{
    job *j = task;
    if (j->text)
        j->failed = ydoc_parse_piece(j->text, j->len, j->first_line, &j->arena, collect, j, j->err, sizeof j->err,
                                     &j->line, &j->col, &j->alias_bytes) < 0;
    else
        j->failed = ydoc_parse(j->src->path, j->src->text, &j->arena, collect, j, j->err, sizeof j->err, &j->line,
                               &j->col) < 0;
}

/* A piece parsed on its own may keep within the alias bound while the file's pieces before it
 * and it do not: it is parsed again here with what those left, which ends it where a parse of
 * the whole file ends (rare: only files whose aliases add megabytes). */
static void reparse(job *j, size_t before)
{
    j->ndocs = 0;
    j->alias_bytes = before;
    j->failed = ydoc_parse_piece(j->text, j->len, j->first_line, &j->arena, collect, j, j->err, sizeof j->err,
                                 &j->line, &j->col, &j->alias_bytes) < 0;
    j->alias_bytes -= before;
}

/* Pieces arrive in order; a source is handed over with its last one. After a piece's error the
 * source's later pieces are dropped, as a parse of the whole file would stop there. */
static void hand_over(void *task, void *vctx)
{
    job *j = task;
    many *m = vctx;
    if (!m->failed && m->alias_bytes && j->alias_bytes > YDOC_MAX_ALIAS_BYTES - m->alias_bytes) reparse(j, m->alias_bytes);
    m->alias_bytes += j->alias_bytes;
    if (!m->failed) {
        for (size_t i = 0; i < j->ndocs; i++) push_doc(&m->docs, &m->ndocs, &m->cap, j->docs[i]);
        if (j->failed) m->failed = j;
    }
    if (j->last) {
        const job *f = m->failed;
        ydoc_parsed p = {.docs = m->docs, .ndocs = m->ndocs, .error = f ? f->err : NULL, .line = f ? f->line : 0,
                         .col = f ? f->col : 0};
        m->fn(j->index, &p, m->ctx);
        m->ndocs = 0;
        m->failed = NULL;
        m->alias_bytes = 0;
    }
    et_arena_adopt(m->keep, &j->arena);
    free(j->docs);
}

/* A line of text that starts a document: "---" then a blank, a line end or the end. */
static bool marker_at(const char *p, const char *end)
{
    return end - p >= 3 && !memcmp(p, "---", 3) && (end - p == 3 || p[3] == ' ' || p[3] == '\t' || p[3] == '\r' ||
                                                    p[3] == '\n');
}

/* Where the piece that starts at from ends: the first document marker at least want bytes on,
 * else the end; *lines counts the lines in between. */
static const char *piece_end(const char *from, const char *end, size_t want, int *lines)
{
    const char *p = from;
    *lines = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) return end;
        p = nl + 1;
        ++*lines;
        if ((size_t)(p - from) >= want && marker_at(p, end)) return p;
    }
    return end;
}

/* The whole text of a source, or NULL (the job then reads it, as a stream, and says why it
 * cannot): only a regular file is read whole first, so a path like /dev/zero is refused at its
 * first bytes rather than read into memory without end. */
static char *read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return NULL;
    }
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    do {
        if (cap - n < 16384) {
            cap = cap ? cap * 2 : 65536;
            if (!(buf = realloc(buf, cap))) abort();
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got);
    int bad = ferror(f);
    fclose(f);
    if (bad) { free(buf); return NULL; }
    *len = n;
    return buf;
}

/* One character of UTF-8 at t (len bytes left) that libyaml's reader takes (valid UTF-8, a
 * character YAML allows); its length, or 0. */
static size_t yaml_char(const unsigned char *t, size_t len)
{
    unsigned c = t[0];
    if (c < 0x80) return c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0x7E);
    size_t n = c >= 0xF0 && c < 0xF8 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (!n || n > len) return 0;
    unsigned v = c & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((t[i] & 0xC0) != 0x80) return 0;
        v = v << 6 | (t[i] & 0x3F);
    }
    static const unsigned least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < least[n]) return 0;
    bool ok = v == 0x85 || (v >= 0xA0 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) || (v >= 0x10000 && v <= 0x10FFFF);
    return ok ? n : 0;
}

/* A source stays whole when cutting it could change what a parse finds or where:
 * - libyaml's reader decodes ahead of the parser, so a bad byte (invalid UTF-8, a control
 *   character) is reported earlier in a piece that starts nearer to it than the file does;
 * - directives (%YAML, %TAG) belong to the document after them;
 * - a piece's first line is counted in LF (CRLF) breaks, while YAML also breaks lines at a lone
 *   CR, NEL, LS and PS. */
static bool stays_whole(const char *text, size_t len)
{
    const unsigned char *t = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        size_t n = yaml_char(t + i, len - i);
        if (!n) return true;
        if (t[i] == '%' && (i == 0 || t[i - 1] == '\n')) return true;
        if (t[i] == '\r' && (i + 1 == len || t[i + 1] != '\n')) return true;
        if (n > 1 && (t[i] == 0xC2 || t[i] == 0xE2)) {   /* NEL (C2 85), LS and PS (E2 80 A8/A9) */
            unsigned v = t[i] == 0xC2 ? t[i + 1] : (unsigned)(t[i + 1] << 8 | t[i + 2]);
            if (v == 0x85 || v == 0x80A8 || v == 0x80A9) return true;
        }
        i += n;
    }
    return false;
}

typedef struct jobs { job *v; size_t n, cap; } jobs;

static job *new_job(jobs *js, size_t index, const ydoc_source *src)
{
    if (js->n == js->cap) {
        js->cap = js->cap ? js->cap * 2 : 16;
        if (!(js->v = realloc(js->v, js->cap * sizeof *js->v))) abort();
    }
    job *j = &js->v[js->n++];
    *j = (job){.index = index, .src = src, .arena = {.block_size = PIECE_ARENA}};
    return j;
}

/* Cuts source i into pieces of at least want bytes of whole documents (one when small). */
static void add_pieces(jobs *js, size_t i, const ydoc_source *src, const char *text, size_t len, size_t want)
{
    if (!text || len < 2 * want || stays_whole(text, len)) {
        job *j = new_job(js, i, src);
        j->text = text;
        j->len = len;
        j->last = true;
        return;
    }
    const char *p = text, *end = text + len;
    int line = 0;
    while (p < end) {
        int lines;
        const char *q = piece_end(p, end, want, &lines);
        job *j = new_job(js, i, src);
        j->text = p;
        j->len = (size_t)(q - p);
        j->first_line = line;
        j->last = q == end;
        line += lines;
        p = q;
    }
}

void ydoc_parse_many(const ydoc_source *src, size_t n, int threads, et_arena *keep, ydoc_each_fn fn, void *ctx)
{
    if (!n) return;
    char **texts = calloc(n, sizeof *texts);
    size_t *lens = calloc(n, sizeof *lens), total = 0;
    if (!texts || !lens) abort();
    for (size_t i = 0; i < n; i++) {
        if (src[i].text) lens[i] = strlen(src[i].text);
        else texts[i] = read_text(src[i].path, &lens[i]);
        total += lens[i];
    }
    /* pieces of about a share of the whole, so every thread has some, and not tiny ones */
    size_t want = threads > 1 ? total / ((size_t)threads * 2) : total + 1;
    if (want < PIECE_MIN) want = PIECE_MIN;
    jobs js = {0};
    for (size_t i = 0; i < n; i++) {
        const char *t = src[i].text ? src[i].text : texts[i];
        if (src[i].text || texts[i]) add_pieces(&js, i, &src[i], t, lens[i], want);
        else new_job(&js, i, &src[i])->last = true;   /* unreadable: the job's parse says why */
    }
    many m = {.keep = keep, .fn = fn, .ctx = ctx};
    int t = threads;
    if ((size_t)t > js.n) t = (int)js.n;
    /* every piece may be in flight at once: the nodes are kept anyway */
    et_pool *pool = et_pool_new(t, js.n, hand_over, &m);
    for (size_t i = 0; i < js.n; i++) et_pool_submit(pool, &js.v[i], parse_job, 1);
    et_pool_free(pool);
    free(m.docs);
    free(js.v);
    for (size_t i = 0; i < n; i++) free(texts[i]);
    free(texts);
    free(lens);
}
