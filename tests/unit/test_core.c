/* test_core.c: time conversion, JSON/CSV escaping, arena. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "core/arena.h"
#include "core/crc32.h"
#include "core/outbuf.h"
#include "core/timeutil.h"
#include "core/ydoc.h"
#include "core/sha256.h"
#include "core/spillsort.h"
#include "core/tempfile.h"
#include "core/window.h"
#include "input/filehash.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void test_filetime_epoch(void **state)
{
    (void)state;
    char iso[32];
    et_filetime_to_iso(ET_EPOCH_DIFF_TICKS, iso);
    assert_string_equal(iso, "1970-01-01T00:00:00.0000000Z");
    et_filetime_to_iso(0, iso);
    assert_string_equal(iso, "1601-01-01T00:00:00.0000000Z");
    et_filetime_to_iso(-1, iso);
    assert_string_equal(iso, "1600-12-31T23:59:59.9999999Z");
    /* any 64-bit value can come from a damaged record: clamped years, no overflow (UBSan) */
    et_filetime_to_iso(INT64_MIN, iso);
    assert_memory_equal(iso, "0000-", 5);
    et_filetime_to_iso(INT64_MAX, iso);
    assert_memory_equal(iso, "9999-", 5);
}

static void test_filetime_precision(void **state)
{
    (void)state;
    /* 2010-11-21T03:55:59.6264271Z, from plaso System.evtx record 1 (python-evtx agrees) */
    int64_t ft;
    assert_true(et_iso_to_filetime("2010-11-21T03:55:59.6264271Z", &ft));
    char iso[32];
    et_filetime_to_iso(ft, iso);
    assert_string_equal(iso, "2010-11-21T03:55:59.6264271Z");
    assert_true(et_iso_to_filetime("2024-02-29T23:59:59.9999999Z", &ft));
    et_filetime_to_iso(ft + 1, iso);
    assert_string_equal(iso, "2024-03-01T00:00:00.0000000Z");
}

static void test_iso_forms(void **state)
{
    (void)state;
    int64_t a, b;
    assert_true(et_iso_to_filetime("2024-01-02", &a));
    assert_true(et_iso_to_filetime("2024-01-02T00:00:00Z", &b));
    assert_int_equal(a, b);
    assert_true(et_iso_to_filetime("2024-01-02 02:00:00+02:00", &b));
    assert_int_equal(a, b);
    assert_true(et_iso_to_filetime("2024-01-02T00:00:00.5", &b));
    assert_int_equal(b - a, 5000000);
    assert_false(et_iso_to_filetime("2024-13-02", &a));
    assert_false(et_iso_to_filetime("yesterday", &a));
    assert_false(et_iso_to_filetime("2024-01-02T10:00:00Zjunk", &a));
}

static void test_json_escape(void **state)
{
    (void)state;
    et_buf b = {0};
    et_buf_json_str(&b, "a\"b\\c\n\t\x01 \xc3\xa9");
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\t\\u0001 \xc3\xa9\"");
    b.len = 0;
    et_buf_json_str(&b, "bad \xff\xfe utf8 \xed\xa0\x80");
    assert_string_equal(b.data, "\"bad \xEF\xBF\xBD\xEF\xBF\xBD utf8 \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
    et_buf_free(&b);
}

/* CRC-32 a bit at a time: the reference the folding code is checked against. */
static uint32_t crc32_bitwise(uint32_t crc, const unsigned char *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) crc = crc >> 1 ^ (0xEDB88320u & -(crc & 1));
    }
    return ~crc;
}

static void test_crc32(void **state)
{
    (void)state;
    assert_int_equal(et_crc32(0, "123456789", 9), 0xCBF43926u);
    uint32_t c = et_crc32(0, "12345", 5);
    assert_int_equal(et_crc32(c, "6789", 4), 0xCBF43926u);
    /* every length up to a few KiB (the folding's loops and tails), three alignments, a CRC to go
     * on from, and chunk-sized and larger buffers, against the bitwise reference */
    print_message("crc32: %s\n", et_crc32_impl());
    size_t big = (1u << 20) + 77;
    unsigned char *b = malloc(big + 3);
    assert_non_null(b);
    uint32_t x = 12345;
    for (size_t i = 0; i < big + 3; i++) b[i] = (unsigned char)((x = x * 1103515245u + 12345u) >> 16);
    for (size_t len = 0; len <= 3000; len += len < 1100 ? 1 : 7)
        for (int off = 0; off < 3; off++) {
            uint32_t prev = (uint32_t)(len * 2654435761u);
            assert_int_equal(et_crc32(prev, b + off, len), crc32_bitwise(prev, b + off, len));
        }
    size_t sizes[] = {65536 - 512, 65536, 1u << 20, big};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        assert_int_equal(et_crc32(0xDEADBEEFu, b + 1, sizes[i]), crc32_bitwise(0xDEADBEEFu, b + 1, sizes[i]));
    free(b);
}

static void test_arena(void **state)
{
    (void)state;
    et_arena a = {0};
    a.block_size = 64;
    char *s = et_arena_strndup(&a, "hello", 5);
    void *big = et_arena_alloc(&a, 1000);
    memset(big, 1, 1000);
    assert_string_equal(s, "hello");
    et_arena_reset(&a);
    char *t = et_arena_strndup(&a, "again", 5);
    assert_string_equal(t, "again");
    et_arena_free(&a);
}

/* Blocks move, strings stay where they were, and allocation goes on in the receiving arena. */
static void test_arena_adopt(void **state)
{
    (void)state;
    et_arena keep = {.block_size = 64}, part = {.block_size = 64};
    char *k = et_arena_strndup(&keep, "kept", 4);
    char *p[20];
    for (int i = 0; i < 20; i++) p[i] = et_arena_strndup(&part, "part-of-another-arena", 21);   /* several blocks */
    et_arena_adopt(&keep, &part);
    assert_null(part.head);
    char *after = et_arena_strndup(&keep, "after", 5);
    assert_string_equal(k, "kept");
    for (int i = 0; i < 20; i++) assert_string_equal(p[i], "part-of-another-arena");
    assert_string_equal(after, "after");
    et_arena_adopt(&keep, &part);   /* an empty one: nothing */
    et_arena_free(&keep);           /* ASan: every block freed once */
    et_arena empty = {0};
    et_arena_adopt(&empty, &keep);
    assert_null(empty.head);
}

/* Many sources parsed on threads come back in source order, each with its own documents and
 * its syntax error after the documents before it. */
typedef struct many_seen { size_t next; int errors; } many_seen;
static void on_parsed(size_t i, const ydoc_parsed *p, void *vctx)
{
    many_seen *s = vctx;
    if (i != s->next++) s->errors++;
    char want[32];
    snprintf(want, sizeof want, "source-%zu", i);
    if (i % 5 == 4) {   /* one good document, then a syntax error at the end (line 4) */
        if (p->ndocs != 1 || !p->error || p->line != 4) s->errors++;
    } else if (p->ndocs != 2 || p->error) {
        s->errors++;
    }
    if (!p->ndocs || strcmp(yn_str(yn_get(p->docs[0], "name")), want)) s->errors++;
}

static void test_ydoc_parse_many(void **state)
{
    (void)state;
    enum { N = 40 };
    static char texts[N][128];
    ydoc_source src[N];
    for (size_t i = 0; i < N; i++) {
        if (i % 5 == 4) snprintf(texts[i], sizeof texts[i], "name: source-%zu\n---\nbad: [a, b\n", i);
        else snprintf(texts[i], sizeof texts[i], "name: source-%zu\nitems: [1, 2, 3]\n---\nsecond: %zu\n", i, i);
        src[i] = (ydoc_source){"mem", texts[i]};
    }
    for (int threads = 1; threads <= 4; threads += 3) {
        et_arena keep = {.block_size = 256};
        many_seen s = {0};
        ydoc_parse_many(src, N, threads, &keep, on_parsed, &s);
        assert_int_equal(s.next, N);
        assert_int_equal(s.errors, 0);
        et_arena_free(&keep);
    }
}

/* A large source is cut into pieces at its `---` lines and parsed side by side: the same
 * documents at the same lines and columns as one parse of the whole, and a syntax error in a
 * middle document ends the source there with the whole parse's position. */
typedef struct flat { char line[64][96]; size_t n; } flat;
static void flatten(const ynode *n, flat *f)
{
    if (f->n < 64)
        snprintf(f->line[f->n++], sizeof f->line[0], "%d:%d:%d:%s", (int)n->kind, n->line, n->col, n->str ? n->str : "");
    for (size_t i = 0; i < n->n; i++) flatten(n->items[i], f);
}
typedef struct pieces_seen { flat docs[400]; size_t ndocs; char error[256]; int line, col; } pieces_seen;
static void on_pieces(size_t i, const ydoc_parsed *p, void *vctx)
{
    (void)i;
    pieces_seen *s = vctx;
    for (size_t k = 0; k < p->ndocs && s->ndocs < 400; k++) flatten(p->docs[k], &s->docs[s->ndocs++]);
    snprintf(s->error, sizeof s->error, "%s", p->error ? p->error : "");
    s->line = p->line;
    s->col = p->col;
}

static size_t pieces_text(char *text, size_t cap)
{
    size_t n = 0;
    for (int d = 0; d < 300; d++)
        n += (size_t)snprintf(text + n, cap - n, "%s# doc %d\nname: n%d\nblock: |\n  line one\n  --- not a marker\n"
                              "list: [a, 'b: c', {k: v}]\n", d ? "---\n" : "", d, d);
    return n;
}

static void test_ydoc_pieces(void **state)
{
    (void)state;
    static char text[64 * 1024];
    ydoc_source src = {"mem", text};
    static pieces_seen whole, cut;
    /* 0: as made; 1: an error in document 200; then, each with that error too:
     * 2, 3: YAML line breaks that are not LF early on (a lone CR, a NEL in a comment): the
     *       pieces' first lines must still be right;
     * 4-7: a byte that is not UTF-8 after the error: libyaml's reader decodes ahead, so a piece
     *       that starts nearer to it must not report it before documents the whole parse gives */
    static const char *const not_utf8[] = {"# doc 201\n", "# doc 230\n", "# doc 260\n", "# doc 299\n"};
    for (int bad = 0; bad < 8; bad++) {
        assert_true(pieces_text(text, sizeof text) > 4 * 4096);
        if (bad) memcpy(strstr(text, "name: n200\n"), "name: [n20\n", 11);
        if (bad == 2) memcpy(strstr(text, "# doc 3\n"), "#doc\r#3\n", 8);
        if (bad == 3) memcpy(strstr(text, "# doc 4\n"), "#do\xc2\x85" "#4\n", 8);
        if (bad >= 4) strstr(text, not_utf8[bad - 4])[2] = '\xff';
        memset(&whole, 0, sizeof whole);
        memset(&cut, 0, sizeof cut);
        et_arena a = {.block_size = 4096}, b = {.block_size = 4096};
        ydoc_parse_many(&src, 1, 1, &a, on_pieces, &whole);
        ydoc_parse_many(&src, 1, 8, &b, on_pieces, &cut);
        if (bad < 4) assert_int_equal(whole.ndocs, bad ? 200 : 300);
        else assert_true(whole.ndocs <= 200);   /* the reader may meet the bad byte first */
        assert_int_equal(cut.ndocs, whole.ndocs);
        for (size_t d = 0; d < whole.ndocs; d++) {
            assert_int_equal(cut.docs[d].n, whole.docs[d].n);
            for (size_t k = 0; k < whole.docs[d].n; k++) assert_string_equal(cut.docs[d].line[k], whole.docs[d].line[k]);
        }
        assert_true(!whole.error[0] == !bad && !cut.error[0] == !bad);
        if (bad) {
            assert_string_equal(cut.error, whole.error);
            assert_int_equal(cut.line, whole.line);
            assert_int_equal(cut.col, whole.col);
            assert_true(bad >= 4 || whole.line > 1000);   /* far into the file: the pieces' line offsets count */
        }
        et_arena_free(&a);
        et_arena_free(&b);
    }
}

/* What aliases add is bounded over the whole file, however it is cut: 20 documents each adding
 * about 1 MiB through aliases pass 16 MiB in the 17th document, at the same alias whether the
 * file is parsed whole or in pieces on 8 threads (each piece alone keeps within the bound). */
static void test_ydoc_alias_bound(void **state)
{
    (void)state;
    enum { DOCS = 20, BIG = 10240, USES = 100 };
    size_t cap = DOCS * (BIG + USES * 16 + 64) + 1;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n = 0;
    for (int d = 0; d < DOCS; d++) {
        n += (size_t)snprintf(text + n, cap - n, "%sname: d%d\nbig: &b '", d ? "---\n" : "", d);
        memset(text + n, 'x', BIG);
        n += BIG;
        n += (size_t)snprintf(text + n, cap - n, "'\nuses:\n");
        for (int u = 0; u < USES; u++) n += (size_t)snprintf(text + n, cap - n, "  - *b\n");
    }
    ydoc_source src = {"mem", text};
    static pieces_seen whole, cut;
    memset(&whole, 0, sizeof whole);
    memset(&cut, 0, sizeof cut);
    et_arena a = {.block_size = 65536}, b = {.block_size = 65536};
    ydoc_parse_many(&src, 1, 1, &a, on_pieces, &whole);
    ydoc_parse_many(&src, 1, 8, &b, on_pieces, &cut);
    /* each document's aliases add 100 x (10240 + 64): 16 documents add 16,486,400 bytes, and
     * the 29th alias of the 17th passes 16 MiB (16,777,216) */
    assert_int_equal(whole.ndocs, 16);
    assert_non_null(strstr(whole.error, "makes the file's aliases add more than 16 MiB"));
    int per_doc = 4 + USES;   /* ---, name, big, uses, the uses (the first document has no ---) */
    assert_int_equal(whole.line, 16 * per_doc - 1 + 4 + 29);
    assert_int_equal(whole.col, 5);
    assert_int_equal(cut.ndocs, whole.ndocs);
    assert_string_equal(cut.error, whole.error);
    assert_int_equal(cut.line, whole.line);
    assert_int_equal(cut.col, whole.col);
    et_arena_free(&a);
    et_arena_free(&b);
    free(text);
}

/* A byte libyaml's reader refuses (not UTF-8, a control character, a NUL) is said at its line
 * and column, counted as libyaml counts its marks: characters, not bytes; CR LF, a lone CR,
 * NEL and LS end a line; UTF-16 after a byte order mark. It was 1:1, whatever the place. */
static int no_doc(const ynode *root, int docno, void *ctx) { (void)root; (void)docno; (void)ctx; return 0; }
static void test_ydoc_bad_byte_position(void **state)
{
    (void)state;
    static const struct { const char *text; size_t len; int first_line, line, col; const char *error; } cases[] = {
        {"a: 1\r\nb: \"x\xff\"\n", 13, 0, 2, 6, "invalid leading UTF-8 octet (byte 0xFF)"},
        {"a: 1\nb: \"\xc3(\"\n", 12, 0, 2, 5, "invalid trailing UTF-8 octet (byte 0x28)"},
        {"a: \"x\0y\"\n", 9, 0, 1, 6, "control characters are not allowed (U+0000)"},
        {"a: 1\xc2\x85\x62: \x01\n", 11, 0, 2, 4, "control characters are not allowed (U+0001)"},
        {"a: 1\rb: \x01\n", 11, 0, 2, 4, "control characters are not allowed (U+0001)"},
        {"a: 1\xe2\x80\xa8\x62: \x01", 11, 0, 2, 4, "control characters are not allowed (U+0001)"},
        {"a: \xf0\x9f\x98\x80\x01\n", 9, 0, 1, 5, "control characters are not allowed (U+0001)"},
        {"a: 1\nb: \x01\n", 11, 40, 42, 4, "control characters are not allowed (U+0001)"},   /* a piece */
        /* UTF-16LE: "a: 1\nb: " then a lone low surrogate */
        {"\xff\xfe" "a\0:\0 \0" "1\0\n\0b\0:\0 \0\x00\xdc\n\0", 22, 0, 2, 4, "unexpected low surrogate area"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        et_arena a = {0};
        char err[256];
        int line, col;
        size_t alias_bytes = 0;
        assert_int_equal(ydoc_parse_piece(cases[i].text, cases[i].len, cases[i].first_line, &a, no_doc, NULL, err,
                                          sizeof err, &line, &col, &alias_bytes), -1);
        if (strncmp(err, cases[i].error, strlen(cases[i].error)) || line != cases[i].line || col != cases[i].col)
            fail_msg("case %zu: %d:%d: %s", i, line, col, err);
        et_arena_free(&a);
    }
}

static void test_sha256(void **state)
{
    (void)state;
    char hex[65];
    et_sha256 s;
    et_sha256_init(&s);
    et_sha256_hex(&s, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    et_sha256_init(&s);
    et_sha256_update(&s, "abc", 3);
    et_sha256_hex(&s, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    /* 1,000,000 x 'a' in uneven pieces: crosses block boundaries at every offset */
    et_sha256_init(&s);
    char a[997];
    memset(a, 'a', sizeof a);
    size_t left = 1000000;
    while (left) { size_t n = left < sizeof a ? left : sizeof a; et_sha256_update(&s, a, n); left -= n; }
    et_sha256_hex(&s, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Parts finished in any order, on several threads, give the file's plain SHA-256, whether or
 * not their readers offered the blocks they loaded. */
enum { FH_SIZE = 4096 + 37 * 65536 + 123, FH_PER = 65536 * 2, FH_NPARTS = 19 };
typedef struct hash_job { et_filehash *h; const size_t *order; size_t from, n; const uint8_t *offer; } hash_job;

/* What a reader of part i loads: its 64 KiB blocks after the header, the last one short. */
static void offer_part(et_filehash *h, const uint8_t *data, size_t i)
{
    uint64_t from = i == 0 ? 4096 : 4096 + (uint64_t)i * FH_PER, to = 4096 + (uint64_t)(i + 1) * FH_PER;
    for (uint64_t off = from; off < to && off < FH_SIZE; off += 65536)
        et_filehash_offer(h, off, data + off, FH_SIZE - off < 65536 ? FH_SIZE - off : 65536);
}

static void *finish_parts(void *arg)
{
    hash_job *j = arg;
    for (size_t i = j->from; i < j->n; i += 3) {
        if (j->offer) offer_part(j->h, j->offer, j->order[i]);
        et_filehash_part_done(j->h, j->order[i]);
    }
    return NULL;
}

static void test_filehash_out_of_order(void **state)
{
    (void)state;
    uint8_t *data = malloc(FH_SIZE), *blank = calloc(1, FH_SIZE);
    assert_non_null(data);
    assert_non_null(blank);
    for (size_t i = 0; i < FH_SIZE; i++) data[i] = (uint8_t)(i * 2654435761u >> 13);
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, FH_SIZE, f), FH_SIZE);
    fflush(f);
    et_sha256 s;
    et_sha256_init(&s);
    et_sha256_update(&s, data, FH_SIZE);
    char want[65], got[65];
    et_sha256_hex(&s, want);
    for (int round = 0; round < 40; round++) {
        size_t order[FH_NPARTS];
        for (size_t i = 0; i < FH_NPARTS; i++) order[i] = i;
        srand((unsigned)round);
        for (size_t i = FH_NPARTS - 1; i > 0; i--) {
            size_t k = (size_t)rand() % (i + 1), t = order[i];
            order[i] = order[k];
            order[k] = t;
        }
        /* rounds by 2 read the file, the others the same bytes in memory; half offer blocks */
        et_source fsrc = {.fd = fileno(f), .size = FH_SIZE}, msrc = {.fd = -1, .mem = data, .size = FH_SIZE};
        et_filehash *h = et_filehash_new(round % 2 ? &msrc : &fsrc, FH_SIZE, 4096 + FH_PER, FH_PER, FH_NPARTS);
        pthread_t th[3];
        hash_job jobs[3];
        for (int t = 0; t < 3; t++) {
            jobs[t] = (hash_job){h, order, (size_t)t, FH_NPARTS, round % 4 >= 2 ? data : NULL};
            pthread_create(&th[t], NULL, finish_parts, &jobs[t]);
        }
        for (int t = 0; t < 3; t++) pthread_join(th[t], NULL);
        et_filehash_finish(h, got);
        assert_string_equal(got, want);
    }
    /* read in order, offered: only the header is read from the source (here its chunks blank),
     * the rest comes from the offers, once each; offered twice or beyond the end changes nothing */
    memcpy(blank, data, 4096);
    et_source bsrc = {.fd = -1, .mem = blank, .size = FH_SIZE};
    et_filehash *h = et_filehash_new(&bsrc, FH_SIZE, 4096 + FH_PER, FH_PER, FH_NPARTS);
    for (size_t i = 0; i < FH_NPARTS; i++) {
        offer_part(h, data, i);
        if (i == 3) offer_part(h, data, 2);
        et_filehash_part_done(h, i);
    }
    et_filehash_offer(h, FH_SIZE - 10, data + FH_SIZE - 10, 500);
    et_filehash_finish(h, got);
    assert_string_equal(got, want);
    /* a part that cannot be read (the file is shorter than it says) gives no digest */
    et_source shortsrc = {.fd = fileno(f), .size = FH_SIZE + 65536};
    h = et_filehash_new(&shortsrc, FH_SIZE + 65536, 4096 + FH_PER, FH_PER, FH_NPARTS + 1);
    for (size_t i = 0; i <= FH_NPARTS; i++) et_filehash_part_done(h, i);
    et_filehash_finish(h, got);
    assert_string_equal(got, "");
    fclose(f);
    free(data);
    free(blank);
}

/* spillsort: records beyond the buffer go to runs (here 49 of them, one file); every record
 * comes back once, in order, on every read. */
typedef struct sp_rec { uint64_t key; uint32_t seq, zero; } sp_rec;
static int sp_cmp(const void *a, const void *b)
{
    const sp_rec *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}
typedef struct sp_check { size_t n, bad; uint64_t last, sum; } sp_check;
static int sp_visit(const void *rec, void *ctx)
{
    const sp_rec *r = rec;
    sp_check *c = ctx;
    if (c->n && r->key < c->last) c->bad++;
    c->last = r->key;
    c->sum += r->seq;
    c->n++;
    return 0;
}

static void test_spillsort(void **state)
{
    (void)state;
    /* empty; in memory; 49 runs of 100 and a buffer; 4 runs of 2,000, each read through
     * several windows (8 KiB: 512 records) */
    const size_t sizes[] = {0, 50, 5000, 9000}, mems[] = {100, 100, 100, 2000}, runs[] = {0, 0, 49, 4};
    for (size_t k = 0; k < 4; k++) {
        et_spill *s = et_spill_new(sizeof(sp_rec), mems[k], sp_cmp);
        uint64_t x = 88172645463325252ULL, sum = 0;
        for (size_t i = 0; i < sizes[k]; i++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            et_spill_add(s, &(sp_rec){.key = x % 1000, .seq = (uint32_t)i});
            sum += i;
        }
        assert_int_equal(et_spill_count(s), sizes[k]);
        assert_int_equal(et_spill_runs(s), runs[k]);
        for (int pass = 0; pass < 2; pass++) {
            sp_check c = {0};
            et_spill_each(s, sp_visit, &c);
            assert_int_equal(c.n, sizes[k]);
            assert_int_equal(c.bad, 0);
            assert_int_equal(c.sum, sum);
        }
        assert_false(et_spill_failed(s));
        et_spill_free(s);
    }
}

/* window: a region read in pieces of any size through a smaller buffer, two regions of one
 * descriptor side by side; reading past the region's end fails. */
static void test_window(void **state)
{
    (void)state;
    char msg[128];
    int fd = et_temp_fd(msg, sizeof msg);
    assert_true(fd >= 0);
    unsigned char data[1000];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (unsigned char)(i * 7);
    assert_int_equal(et_temp_write(fd, data, sizeof data, msg, sizeof msg), 0);
    unsigned char b1[64], b2[10], out[300];
    et_window a, b;
    et_window_init(&a, fd, 100, 300, b1, sizeof b1);
    et_window_init(&b, fd, 700, 300, b2, sizeof b2);
    size_t bgot = 0;
    unsigned char bout[300];
    for (size_t got = 0; got < 300;) {
        size_t n = got % 2 ? 37 : 1;
        if (n > 300 - got) n = 300 - got;
        assert_int_equal(et_window_read(&a, out + got, n), 0);
        assert_int_equal(et_window_read(&b, bout + bgot++, 1), 0);   /* interleaved */
        got += n;
    }
    assert_memory_equal(out, data + 100, 300);
    assert_int_equal(et_window_read(&b, bout + bgot, 300 - bgot), 0);
    assert_memory_equal(bout, data + 700, 300);
    assert_true(et_window_at_end(&a) && et_window_at_end(&b));
    assert_int_equal(et_window_read(&a, out, 1), -1);
    assert_int_equal(et_window_read(&b, out, 1), -1);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filetime_epoch), cmocka_unit_test(test_filetime_precision),
        cmocka_unit_test(test_iso_forms),      cmocka_unit_test(test_json_escape),
        cmocka_unit_test(test_crc32),
        cmocka_unit_test(test_spillsort),     cmocka_unit_test(test_window),
        cmocka_unit_test(test_arena),        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_arena_adopt),  cmocka_unit_test(test_ydoc_parse_many),
        cmocka_unit_test(test_ydoc_pieces),     cmocka_unit_test(test_ydoc_alias_bound),
        cmocka_unit_test(test_ydoc_bad_byte_position),
        cmocka_unit_test(test_filehash_out_of_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
