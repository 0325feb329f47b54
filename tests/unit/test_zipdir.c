/* test_zipdir.c: the zip fast path (input/zipdir.c): members come out byte for byte as written,
 * sniffing declines without inflating, a member with no room in the memory budget goes to a
 * temporary file, and everything it should not take (damage, duplicate names,
 * encryption-like flags) falls back to libarchive; its
 * listing is libarchive's own, entry for entry, or there is none. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/source.h"
#include "input/zipdir.h"
#include "core/sha256.h"
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct member { const char *name; const unsigned char *data; size_t size; int dir; } member;

/* A zip written by libarchive into a temporary file (options: "zip:zip64" forces zip64 fields,
 * "zip:compression=store" stores the members). */
static int write_zip(const member *m, size_t n, const char *options)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    int fd = dup(fileno(f));
    fclose(f);
    struct archive *a = archive_write_new();
    archive_write_set_format_zip(a);
    if (options) assert_int_equal(archive_write_set_options(a, options), ARCHIVE_OK);
    assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, m[i].name);
        archive_entry_set_filetype(e, m[i].dir ? AE_IFDIR : AE_IFREG);
        archive_entry_set_perm(e, m[i].dir ? 0755 : 0644);
        archive_entry_set_size(e, (la_int64_t)m[i].size);
        if (archive_write_header(a, e) != ARCHIVE_OK) fail_msg("%s", archive_error_string(a));
        assert_int_equal(archive_write_data(a, m[i].data, m[i].size), (la_ssize_t)m[i].size);
        archive_entry_free(e);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    return fd;
}

static uint64_t file_size(int fd) { return (uint64_t)lseek(fd, 0, SEEK_END); }

/* An EVTX-looking member: the signature, then bytes deflate cannot shrink much (so a byte
 * half-way into the member's data is inside its compressed stream). */
static unsigned char *evtx_like(size_t size)
{
    unsigned char *p = malloc(size);
    assert_non_null(p);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < size; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (unsigned char)(x & 0x3f);
    }
    memcpy(p, "ElfFile", 8);
    return p;
}

static int is_evtx(const unsigned char *head, size_t n, void *ctx)
{
    ++*(int *)ctx;
    return n >= 8 && memcmp(head, "ElfFile", 8) == 0;
}

static void test_members_byte_for_byte(void **state)
{
    (void)state;
    unsigned char *a = evtx_like(300000), *b = evtx_like(70000);
    member m[] = {{"HOST1/System.evtx", a, 300000, 0}, {"HOST2/Other.evtx", b, 70000, 0},
                  {"notes.txt", (const unsigned char *)"just text", 9, 0}};
    const char *kinds[] = {NULL, "zip:compression=store", "zip:zip64"};
    for (int k = 0; k < 3; k++) {
        int fd = write_zip(m, 3, kinds[k]);
        et_zipdir *d = et_zipdir_read(fd, file_size(fd), UINT64_MAX, NULL);
        assert_non_null(d);
        assert_int_equal(et_zipdir_count(d), 3);
        for (int i = 0; i < 2; i++) {
            et_source s = {.fd = -1};
            int calls = 0;
            assert_int_equal(et_zipdir_extract(d, m[i].name, (uint64_t)i, (int64_t)m[i].size, 0, is_evtx, &calls, NULL, &s), ET_ZIPDIR_OK);
            assert_int_equal(calls, 1);
            assert_int_equal(s.fd, -1);
            assert_int_equal(s.size, m[i].size);
            assert_memory_equal(s.mem, m[i].data, m[i].size);
            et_source_close(&s);
            /* and through a temporary file, without room in the memory budget */
            uint64_t room = et_source_budget() - 1000;
            assert_true(et_source_budget_take(room));
            assert_int_equal(et_zipdir_extract(d, m[i].name, (uint64_t)i, (int64_t)m[i].size, 0, is_evtx, &calls, NULL, &s), ET_ZIPDIR_OK);
            unsigned char *back = malloc(m[i].size);
            assert_non_null(back);
            assert_true(s.fd >= 0);
            assert_string_equal(s.sha256, "");
            assert_int_equal(et_source_read_at(&s, back, m[i].size, 0), (long)m[i].size);
            assert_memory_equal(back, m[i].data, m[i].size);
            free(back);
            et_source_close(&s);
            /* hashed as it inflates, on a second thread: the member's own SHA-256 */
            assert_int_equal(et_zipdir_extract(d, m[i].name, (uint64_t)i, (int64_t)m[i].size, 1, is_evtx, &calls, NULL, &s), ET_ZIPDIR_OK);
            char want[65];
            et_sha256 sha;
            et_sha256_init(&sha);
            et_sha256_update(&sha, m[i].data, m[i].size);
            et_sha256_hex(&sha, want);
            assert_string_equal(s.sha256, want);
            et_source_close(&s);
            et_source_budget_give(room);
        }
        int calls = 0;
        et_source s = {.fd = -1};
        assert_int_equal(et_zipdir_extract(d, "notes.txt", 2, 9, 0, is_evtx, &calls, NULL, &s), ET_ZIPDIR_DECLINED);
        assert_int_equal(calls, 1);
        /* not listed, a size other than the declared one, or an unknown one: libarchive's call */
        assert_int_equal(et_zipdir_extract(d, "missing.evtx", 0, 10, 0, is_evtx, &calls, NULL, &s), ET_ZIPDIR_FALLBACK);
        assert_int_equal(et_zipdir_extract(d, m[0].name, 0, 299999, 0, is_evtx, &calls, NULL, &s), ET_ZIPDIR_FALLBACK);
        assert_int_equal(et_zipdir_extract(d, m[0].name, 0, -1, 0, is_evtx, &calls, NULL, &s), ET_ZIPDIR_FALLBACK);
        et_zipdir_free(d);
        close(fd);
    }
    free(a);
    free(b);
}

/* The offset of a member's data (after its local header), found the slow way. */
static off_t data_at(int fd, const char *name)
{
    unsigned char *buf = malloc(1 << 20);
    assert_non_null(buf);
    ssize_t n = pread(fd, buf, 1 << 20, 0);
    size_t len = strlen(name);
    off_t at = 0;
    for (ssize_t i = 0; !at && i + 30 + (ssize_t)len <= n; i++)
        if (memcmp(buf + i, "PK\3\4", 4) == 0 && memcmp(buf + i + 30, name, len) == 0)
            at = i + 30 + (off_t)len + (buf[i + 28] | buf[i + 29] << 8);
    free(buf);
    if (!at) fail_msg("no local header for %s", name);
    return at;
}

static void test_damage_falls_back(void **state)
{
    (void)state;
    unsigned char *a = evtx_like(200000);
    member m[] = {{"a.evtx", a, 200000, 0}, {"b.evtx", a, 200000, 0}};
    /* a flipped byte deep in each member (deflated, then stored): inflate or CRC fails, so the
     * member is left alone */
    unsigned char x;
    for (int i = 0; i < 2; i++) {
        int fd = write_zip(m, 2, i ? "zip:compression=store" : NULL);
        et_zipdir *d = et_zipdir_read(fd, file_size(fd), UINT64_MAX, NULL);
        assert_non_null(d);
        off_t at = data_at(fd, m[i].name) + 50000;
        assert_int_equal(pread(fd, &x, 1, at), 1);
        x ^= 0x5a;
        assert_int_equal(pwrite(fd, &x, 1, at), 1);
        int calls = 0;
        et_source s = {.fd = -1};
        assert_int_equal(et_zipdir_extract(d, m[i].name, (uint64_t)i, 200000, 0, is_evtx, &calls, NULL, &s), ET_ZIPDIR_FALLBACK);
        assert_null(s.mem);
        /* the same without room in the memory budget (the temporary-file route) */
        uint64_t room = et_source_budget() - 1000;
        assert_true(et_source_budget_take(room));
        assert_int_equal(et_zipdir_extract(d, m[i].name, (uint64_t)i, 200000, 0, is_evtx, &calls, NULL, &s), ET_ZIPDIR_FALLBACK);
        assert_int_equal(s.fd, -1);
        assert_int_equal(et_zipdir_extract(d, m[i].name, (uint64_t)i, 200000, 1, is_evtx, &calls, NULL, &s), ET_ZIPDIR_FALLBACK);
        assert_int_equal(s.fd, -1);
        et_source_budget_give(room);
        /* the member beside it is untouched */
        assert_int_equal(et_zipdir_extract(d, m[1 - i].name, (uint64_t)(1 - i), 200000, 0, is_evtx, &calls, NULL, &s), ET_ZIPDIR_OK);
        et_source_close(&s);
        et_zipdir_free(d);
        close(fd);
    }
    /* not a zip, or a zip cut short: no directory at all */
    int fd = write_zip(m, 2, NULL);
    assert_null(et_zipdir_read(fd, file_size(fd) - 10, UINT64_MAX, NULL));
    assert_int_equal(ftruncate(fd, 100), 0);
    assert_null(et_zipdir_read(fd, 100, UINT64_MAX, NULL));
    close(fd);
    free(a);
}

static void test_duplicates_and_budget(void **state)
{
    (void)state;
    unsigned char *a = evtx_like(100000);
    member m[] = {{"same.evtx", a, 100000, 0}, {"same.evtx", a, 100000, 0}, {"other.evtx", a, 100000, 0}};
    int fd = write_zip(m, 3, NULL);
    et_zipdir *d = et_zipdir_read(fd, file_size(fd), UINT64_MAX, NULL);
    assert_non_null(d);
    int calls = 0;
    et_source s = {.fd = -1};
    assert_int_equal(et_zipdir_extract(d, "same.evtx", 0, 100000, 0, is_evtx, &calls, NULL, &s), ET_ZIPDIR_FALLBACK);
    /* no room in the memory budget: the member is inflated into a temporary file instead */
    uint64_t room = et_source_budget() - 1000;
    assert_true(et_source_budget_take(room));
    assert_int_equal(et_zipdir_extract(d, "other.evtx", 2, 100000, 0, is_evtx, &calls, NULL, &s), ET_ZIPDIR_OK);
    assert_true(s.fd >= 0);
    assert_null(s.mem);
    assert_true(s.regular);
    assert_int_equal(s.size, 100000);
    unsigned char *back = malloc(100000);
    assert_non_null(back);
    assert_int_equal(et_source_read_at(&s, back, 100000, 0), 100000);
    assert_memory_equal(back, a, 100000);
    free(back);
    et_source_close(&s);
    et_source_budget_give(room);
    assert_int_equal(et_zipdir_extract(d, "other.evtx", 2, 100000, 0, is_evtx, &calls, NULL, &s), ET_ZIPDIR_OK);
    /* its memory counts against the budget until the source is closed */
    assert_false(et_source_budget_take(et_source_budget() - 50000));
    et_source_close(&s);
    assert_true(et_source_budget_take(et_source_budget() - 50000));
    et_source_budget_give(et_source_budget() - 50000);
    et_zipdir_free(d);
    close(fd);
    free(a);
}

static void test_names_not_plain(void **state)
{
    (void)state;
    unsigned char *a = evtx_like(5000), *b = evtx_like(6000);
    member m[] = {{"plain.evtx", a, 5000, 0}, {"caf\xc3\xa9.evtx", b, 6000, 0}};
    int fd = write_zip(m, 2, NULL);
    /* libarchive gives such a name converted and normalised: the listing is its own to make,
     * but the members are still inflated here, found by name and place together (a converted
     * name could be another member's: found at another place, it is libarchive's) */
    et_zipdir *d = et_zipdir_read(fd, file_size(fd), UINT64_MAX, NULL);
    assert_non_null(d);
    size_t n;
    assert_null(et_zipdir_listing(d, &n));
    int calls = 0;
    et_source s = {.fd = -1};
    assert_int_equal(et_zipdir_extract(d, m[1].name, 1, 6000, 0, is_evtx, &calls, NULL, &s), ET_ZIPDIR_OK);
    assert_int_equal(s.size, 6000);
    assert_memory_equal(s.mem, b, 6000);
    et_source_close(&s);
    assert_int_equal(et_zipdir_extract(d, m[1].name, 0, 6000, 0, is_evtx, &calls, NULL, &s), ET_ZIPDIR_FALLBACK);
    assert_int_equal(et_zipdir_extract(d, m[0].name, 1, 5000, 0, is_evtx, &calls, NULL, &s), ET_ZIPDIR_FALLBACK);
    assert_int_equal(et_zipdir_extract(d, m[0].name, 0, 5000, 0, is_evtx, &calls, NULL, &s), ET_ZIPDIR_OK);
    assert_memory_equal(s.mem, a, 5000);
    et_source_close(&s);
    et_zipdir_free(d);
    close(fd);
    free(a);
    free(b);
}

/* The listing says what libarchive's seekable zip reader says, in its order. */
static void assert_listing_is_libarchives(int fd)
{
    et_zipdir *d = et_zipdir_read(fd, file_size(fd), UINT64_MAX, NULL);
    assert_non_null(d);
    size_t n;
    const et_zipdir_member *l = et_zipdir_listing(d, &n);
    assert_non_null(l);
    struct archive *a = archive_read_new();
    archive_read_support_format_zip_seekable(a);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    assert_int_equal(archive_read_open_fd(a, fd, 65536), ARCHIVE_OK);
    struct archive_entry *e;
    size_t i = 0;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        assert_true(i < n);
        assert_string_equal(l[i].name, archive_entry_pathname(e));
        assert_int_equal(l[i].is_dir, archive_entry_filetype(e) == AE_IFDIR);
        if (!l[i].is_dir) {
            assert_true(archive_entry_size_is_set(e));
            assert_int_equal(l[i].size, archive_entry_size(e));
        }
        i++;
    }
    assert_int_equal(i, n);
    archive_read_free(a);
    et_zipdir_free(d);
}

static void test_listing(void **state)
{
    (void)state;
    unsigned char *a = evtx_like(300000);
    member m[] = {{"HOST1/", NULL, 0, 1}, {"HOST1/System.evtx", a, 300000, 0}, {"HOST1/empty.evtx", a, 0, 0},
                  {"HOST2/", NULL, 0, 1}, {"HOST2/Other.evtx", a, 70000, 0}, {"notes.txt", a, 9, 0}};
    const char *kinds[] = {NULL, "zip:compression=store", "zip:zip64"};
    for (int k = 0; k < 3; k++) {
        int fd = write_zip(m, 6, kinds[k]);
        assert_listing_is_libarchives(fd);
        close(fd);
    }
    /* anything in doubt: no listing (libarchive lists such a zip itself) */
    int fd = write_zip(m, 6, NULL);
    uint64_t size = file_size(fd);
    unsigned char *z = malloc(size);
    assert_non_null(z);
    assert_int_equal(pread(fd, z, size, 0), (ssize_t)size);
    close(fd);
    /* a local header whose CRC disagrees (libarchive: "Inconsistent CRC32 values") */
    size_t at = 0;
    while (memcmp(z + at, "PK\3\4", 4) || memcmp(z + at + 30, "HOST1/System.evtx", 17)) at++;
    z[at + 14] ^= 1;
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(z, 1, size, f), size);
    fflush(f);
    et_zipdir *d = et_zipdir_read(fileno(f), size, UINT64_MAX, NULL);
    assert_non_null(d);   /* members may still be read by name; the listing is libarchive's to make */
    size_t n;
    assert_null(et_zipdir_listing(d, &n));
    assert_int_equal(n, 0);
    et_zipdir_free(d);
    fclose(f);
    free(z);
    free(a);
}

/* A directory of more entries than asked for: the first ones are read and listed in order (the
 * rest are not there); cut where they cannot be listed (a name given twice), there is none. */
static void test_cut_directory(void **state)
{
    (void)state;
    unsigned char *a = evtx_like(4000);
    member m[] = {{"a.evtx", a, 4000, 0}, {"b.evtx", a, 4000, 0}, {"c.evtx", a, 4000, 0},
                  {"d.evtx", a, 4000, 0}, {"e.evtx", a, 4000, 0}};
    int fd = write_zip(m, 5, NULL);
    assert_int_equal(et_zipdir_entries(fd, file_size(fd)), 5);
    uint64_t entries = 0;
    et_zipdir *d = et_zipdir_read(fd, file_size(fd), 3, &entries);
    assert_non_null(d);
    assert_int_equal(entries, 5);
    size_t n;
    const et_zipdir_member *l = et_zipdir_listing(d, &n);
    assert_non_null(l);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) assert_string_equal(l[i].name, m[i].name);
    int calls = 0;
    et_source s = {.fd = -1};
    assert_int_equal(et_zipdir_extract(d, "c.evtx", 2, 4000, 0, is_evtx, &calls, NULL, &s), ET_ZIPDIR_OK);
    assert_memory_equal(s.mem, a, 4000);
    et_source_close(&s);
    assert_int_equal(et_zipdir_extract(d, "e.evtx", 4, 4000, 0, is_evtx, &calls, NULL, &s), ET_ZIPDIR_FALLBACK);
    assert_true(et_zipdir_inflates_all(d));
    et_zipdir_free(d);
    close(fd);
    m[1].size = 0;   /* an empty member is libarchive's to read */
    fd = write_zip(m, 5, NULL);
    d = et_zipdir_read(fd, file_size(fd), UINT64_MAX, NULL);
    assert_non_null(d);
    assert_false(et_zipdir_inflates_all(d));
    assert_false(et_zipdir_inflates_all(NULL));
    et_zipdir_free(d);
    close(fd);
    m[1].size = 4000;
    char longer[5][700];   /* long names: the directory's bytes count for more entries */
    for (int i = 0; i < 5; i++) {
        memset(longer[i], 'x', 600);
        snprintf(longer[i] + 600, 100, "%d.evtx", i);
        m[i].name = longer[i];
    }
    fd = write_zip(m, 5, NULL);
    assert_true(et_zipdir_entries(fd, file_size(fd)) >= 5 * 600 / ZD_ENTRY_BYTES);
    close(fd);
    m[0].name = m[1].name = "a.evtx";
    fd = write_zip(m, 5, NULL);
    entries = 0;
    assert_null(et_zipdir_read(fd, file_size(fd), 3, &entries));
    assert_true(entries >= 5);   /* said even when the directory is not kept */
    d = et_zipdir_read(fd, file_size(fd), UINT64_MAX, NULL);   /* whole, it is kept: libarchive lists it */
    assert_non_null(d);
    assert_null(et_zipdir_listing(d, &n));
    et_zipdir_free(d);
    close(fd);
    free(a);
}

int main(void)
{
    unsetenv("EVTRIAGE_MEMORY_BUDGET_MIB");   /* the default budget: members fit in memory */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_members_byte_for_byte), cmocka_unit_test(test_damage_falls_back),
        cmocka_unit_test(test_duplicates_and_budget), cmocka_unit_test(test_names_not_plain),
        cmocka_unit_test(test_listing), cmocka_unit_test(test_cut_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
