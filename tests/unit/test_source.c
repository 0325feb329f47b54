/* test_source.c: sources still being written (feeds): readers wait for the bytes, never see
 * more than the producer's final length, and a source closed early stops its producer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "core/source.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

enum { BLOCK = 65536, NBLOCKS = 24, HOLD = 3 * BLOCK };

/* A source on an unnamed temporary file, expecting size bytes (a feed's writes go there). */
static et_source temp_source(uint64_t size)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    et_source s = et_source_from_fd(dup(fileno(f)));
    fclose(f);
    s.size = size;
    return s;
}

static uint8_t byte_at(uint64_t off) { return (uint8_t)(off * 2654435761u >> 11); }

/* Writes NBLOCKS blocks a little at a time, then says the member is shorter than written (as a
 * replay that stops earlier would): exactly what the hold-back let readers see. */
static uint64_t slow_producer(et_feed *feed, int fd, void *arg)
{
    (void)arg;
    uint8_t *b = malloc(BLOCK);
    assert_non_null(b);
    uint64_t written = 0;
    for (int i = 0; i < NBLOCKS; i++) {
        for (size_t k = 0; k < BLOCK; k++) b[k] = byte_at(written + k);
        assert_int_equal(write(fd, b, BLOCK), BLOCK);
        written += BLOCK;
        et_feed_grow(feed, written);
        usleep(2000);
    }
    free(b);
    et_feed_note(feed, "damaged here");
    et_feed_sha256(feed, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    return written - HOLD;
}

typedef struct reading { const et_source *s; int first; atomic_int *beyond; int bad; } reading;

/* Reads every other block from first on, as the readers of ranges do, checking each byte. */
static void *read_blocks(void *arg)
{
    reading *r = arg;
    uint8_t *b = malloc(BLOCK);
    assert_non_null(b);
    for (int i = r->first; i < NBLOCKS; i += 2) {
        uint64_t off = (uint64_t)i * BLOCK;
        long n = et_source_read_at(r->s, b, BLOCK, off);
        if (n < 0) { r->bad++; continue; }
        if (n > 0 && off + (uint64_t)n > (uint64_t)NBLOCKS * BLOCK - HOLD) atomic_fetch_add(r->beyond, 1);
        for (long k = 0; k < n; k++)
            if (b[k] != byte_at(off + (uint64_t)k)) { r->bad++; break; }
    }
    free(b);
    return NULL;
}

static void test_feed_reads_wait_and_end_short(void **state)
{
    (void)state;
    et_source s = temp_source((uint64_t)NBLOCKS * BLOCK);
    assert_int_equal(et_source_feed(&s, HOLD, slow_producer, NULL), 0);
    atomic_int beyond = 0;
    reading r[2] = {{&s, 0, &beyond, 0}, {&s, 1, &beyond, 0}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++) assert_int_equal(pthread_create(&th[i], NULL, read_blocks, &r[i]), 0);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    assert_int_equal(r[0].bad + r[1].bad, 0);
    assert_int_equal(atomic_load(&beyond), 0);   /* nothing past the final length, ever */
    const char *note, *sha;
    assert_int_equal(et_source_settle(&s, &note, &sha), (uint64_t)NBLOCKS * BLOCK - HOLD);
    assert_string_equal(note, "damaged here");
    assert_string_equal(sha, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    /* once settled, the bytes past the end read as past the end, at once */
    uint8_t b[16];
    assert_int_equal(et_source_read_at(&s, b, sizeof b, (uint64_t)NBLOCKS * BLOCK - HOLD), 0);
    assert_int_equal(et_source_read_at(&s, b, sizeof b, (uint64_t)NBLOCKS * BLOCK - HOLD - 4), 4);
    et_source_close(&s);
    assert_int_equal(s.fd, -1);
    assert_null(s.feed);
}

/* A producer that would write for ever, until the source is closed. */
static uint64_t endless_producer(et_feed *feed, int fd, void *arg)
{
    atomic_int *stopped = arg;
    uint8_t b[4096] = {0};
    uint64_t written = 0;
    while (!et_feed_stopped(feed)) {
        if (written < (1u << 20)) {
            assert_int_equal(write(fd, b, sizeof b), (ssize_t)sizeof b);
            written += sizeof b;
            et_feed_grow(feed, written);
        }
        usleep(500);
    }
    atomic_store(stopped, 1);
    return written;
}

static void test_feed_close_stops_producer(void **state)
{
    (void)state;
    et_source s = temp_source(1u << 30);
    atomic_int stopped = 0;
    assert_int_equal(et_source_feed(&s, 0, endless_producer, &stopped), 0);
    uint8_t b[4096];
    assert_int_equal(et_source_read_at(&s, b, sizeof b, 0), (long)sizeof b);   /* waits for the first bytes */
    et_source_close(&s);   /* joins: the producer has seen the stop */
    assert_int_equal(atomic_load(&stopped), 1);
}

/* Any other source settles at once, at its own size, with nothing said. */
static void test_settle_plain(void **state)
{
    (void)state;
    static unsigned char mem[10];
    et_source s = {.fd = -1, .mem = mem, .size = sizeof mem};
    const char *note = "x", *sha = "x";
    assert_int_equal(et_source_settle(&s, &note, &sha), sizeof mem);
    assert_null(note);
    assert_null(sha);
}

/* Finishing a feed makes it a plain descriptor source: the final length, the producer's digest
 * and note taken, the producer joined (LeakSanitizer sees its feed freed); any other source has
 * nothing to finish. */
static void test_finish_feed(void **state)
{
    (void)state;
    et_source s = temp_source((uint64_t)NBLOCKS * BLOCK);
    s.sha256_at_settle = true;
    assert_int_equal(et_source_feed(&s, HOLD, slow_producer, NULL), 0);
    char note[64] = "";
    assert_true(et_source_finish(&s, note, sizeof note));
    assert_null(s.feed);
    assert_false(s.sha256_at_settle);
    assert_int_equal(s.size, (uint64_t)NBLOCKS * BLOCK - HOLD);
    assert_string_equal(note, "damaged here");
    assert_string_equal(s.sha256, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    uint8_t b[16];   /* read as any descriptor now: the bytes are all there */
    assert_int_equal(et_source_read_at(&s, b, sizeof b, BLOCK), (long)sizeof b);
    assert_int_equal(b[0], byte_at(BLOCK));
    assert_false(et_source_finish(&s, note, sizeof note));
    et_source_close(&s);
    static unsigned char mem[10];
    et_source m = {.fd = -1, .mem = mem, .size = sizeof mem};
    note[0] = 0;
    assert_false(et_source_finish(&m, note, sizeof note));
    assert_int_equal(m.size, sizeof mem);
    assert_string_equal(note, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feed_reads_wait_and_end_short),
        cmocka_unit_test(test_feed_close_stops_producer),
        cmocka_unit_test(test_settle_plain),
        cmocka_unit_test(test_finish_feed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
