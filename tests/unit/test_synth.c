/* test_synth.c: the EVTX writer's pieces: typed value encodings (known bytes), Windows' name
 * hash against names in real Windows chunks, templates defined once per chunk and shared,
 * CRC32s and header fields of written files, and records decoding back through the reader. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "core/crc32.h"
#include "core/outbuf.h"
#include "reader/binxml.h"
#include "reader/evtx_reader.h"
#include "reader/values.h"
#include "synth/binxml_enc.h"
#include "synth/evtx_writer.h"
#include "synth/scenario.h"
#include "synth/sy_values.h"

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static void expect_bytes(const char *tag, const char *text, uint8_t type, const char *hex)
{
    et_arena a = {.block_size = 4096};
    char err[200];
    const sy_value *v = sy_value_parse(&a, tag, text, err, sizeof err);
    assert_non_null(v);
    assert_int_equal(v->type, type);
    char got[200] = "";
    for (uint32_t i = 0; i < v->size; i++) sprintf(got + 2 * i, "%02X", v->data[i]);
    assert_string_equal(got, hex);
    et_arena_free(&a);
}

static void test_value_bytes(void **state)
{
    (void)state;
    expect_bytes("!uint16", "1688", BX_UINT16, "9806");
    expect_bytes("!int32", "-540", BX_INT32, "E4FDFFFF");
    expect_bytes("!int8", "-128", BX_INT8, "80");
    expect_bytes("!uint64", "18446744073709551615", BX_UINT64, "FFFFFFFFFFFFFFFF");
    expect_bytes("!hex32", "0x80090303", BX_HEXINT32, "03030980");
    expect_bytes("!bool", "true", BX_BOOL, "01000000");
    expect_bytes("!binary", "00 ff 10", BX_BINARY, "00FF10");
    expect_bytes("!guid", "{6066F867-7CA1-4418-85FD-36E3F9C0600C}", BX_GUID, "67F86660A17C184485FD36E3F9C0600C");
    expect_bytes("!sid", "S-1-5-18", BX_SID, "010100000000000512000000");
    expect_bytes("!sid", "S-1-5-21-1-2-3-500", BX_SID, "010500000000000515000000010000000200000003000000F4010000");
    /* 1601-01-01T00:00:00.0000001Z is tick 1; 2024-05-01T10:00:00Z is 133590312000000000. */
    expect_bytes("!filetime", "1601-01-01T00:00:00.0000001Z", BX_FILETIME, "0100000000000000");
    expect_bytes("!filetime", "2024-05-01T10:00:00Z", BX_FILETIME, "00903154AE9BDA01");
    /* 2024-05-01 was a Wednesday (3): year, month, weekday, day, hour, minute, second, ms. */
    expect_bytes("!systemtime", "2024-05-01T10:20:30.456Z", BX_SYSTIME, "E8070500030001000A0014001E00C801");
    expect_bytes(NULL, "Aé", BX_STRING, "4100E900");
    expect_bytes(NULL, "😀", BX_STRING, "3DD800DE");
    expect_bytes("!double", "1.5", BX_REAL64, "000000000000F83F");
    expect_bytes("!null", "", BX_NULL, "");
}

static void expect_refused(const char *tag, const char *text, const char *msg_part)
{
    et_arena a = {.block_size = 4096};
    char err[300] = "";
    assert_null(sy_value_parse(&a, tag, text, err, sizeof err));
    if (!strstr(err, msg_part)) fail_msg("'%s %s': message '%s' lacks '%s'", tag, text, err, msg_part);
    et_arena_free(&a);
}

static void test_value_refusals(void **state)
{
    (void)state;
    expect_refused("!uint8", "256", "does not fit !uint8");
    expect_refused("!uint8", "-1", "does not fit");
    expect_refused("!int16", "32768", "does not fit !int16");
    expect_refused("!uint32", "12abc", "does not fit");
    expect_refused("!guid", "{6066F867-7CA1-4418-85FD-36E3F9C0600}", "not a GUID");
    expect_refused("!sid", "S-1-5-x", "not a SID");
    expect_refused("!bool", "yes", "not a boolean");
    expect_refused("!binary", "ABC", "not hex bytes");
    expect_refused("!float", "1e400", "not a finite");
    expect_refused("!filetime", "yesterday", "not an ISO 8601 time");
    expect_refused("!ansi", "é", "ASCII");
    expect_refused("!nope", "1", "unknown value type '!nope'");
    expect_refused(NULL, "\xff\xfe", "not valid UTF-8");
}

/* Every name in the string tables of real Windows chunks carries the hash Windows computed:
 * ours must give the same value for each. */
static void test_name_hash_matches_windows(void **state)
{
    (void)state;
    const char *shared = getenv("EVTRIAGE_SHARED");
    assert_non_null(shared);
    const char *files[] = {"corpus/machine-logs/System.evtx", "corpus/machine-logs/Application.evtx",
                           "corpus/parsers/plaso/System.evtx"};
    size_t checked = 0;
    uint8_t *chunk = malloc(65536);
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", shared, files[f]);
        FILE *fp = fopen(path, "rb");
        if (!fp) fail_msg("cannot open %s", path);
        for (int c = 0; c < 4; c++) {
            if (fseek(fp, 4096 + (long)c * 65536, SEEK_SET) || fread(chunk, 1, 65536, fp) != 65536) break;
            if (memcmp(chunk, "ElfChnk", 8)) continue;
            for (int b = 0; b < 64; b++) {
                for (uint32_t off = rd32(chunk + 128 + 4 * b), hops = 0; off && off + 8 < 65536 && hops < 64; hops++) {
                    uint16_t units = rd16(chunk + off + 6);
                    if (off + 8 + 2u * units > 65536) break;
                    assert_int_equal(bxe_name_hash(chunk + off + 8, units), rd16(chunk + off + 4));
                    assert_int_equal(rd16(chunk + off + 4) % 64, b); /* bucket = hash mod 64 */
                    checked++;
                    off = rd32(chunk + off);
                }
            }
        }
        fclose(fp);
    }
    free(chunk);
    assert_true(checked > 50);
}

static sy_scenario *load(const char *yaml)
{
    int nerr = 0;
    sy_scenario *s = sy_scenario_load("test.yaml", yaml, NULL, NULL, &nerr);
    assert_non_null(s);
    assert_int_equal(nerr, 0);
    return s;
}

static const char *two_events =
    "scenario: t\n"
    "hosts:\n"
    "  - computer: HV01.contoso.com\n"
    "    files:\n"
    "      - channel: Microsoft-Windows-Hyper-V-VMMS-Admin\n"
    "        defaults: {provider: Microsoft-Windows-Hyper-V-VMMS, level: 2, keywords: 0x8000000000000000}\n"
    "        events:\n"
    "          - {time: 2025-01-01T00:00:00Z, event_id: 32000, user_data: {VmlEventLog: {'@xmlns': urn:x, VmName: SQL01, Code: !hex32 0x80090303}}}\n"
    "          - {time: 2025-01-01T00:00:01Z, event_id: 32000, user_data: {VmlEventLog: {'@xmlns': urn:x, VmName: SQL02, Code: !hex32 0x1}}}\n"
    "          - {time: 2025-01-01T00:00:02Z, event_id: 29210, event_data: {Server: HVR01}}\n";

/* The second event of the same shape reuses the first's template; a new chunk defines it again. */
static void test_templates_shared_per_chunk(void **state)
{
    (void)state;
    sy_scenario *s = load(two_events);
    assert_int_equal(s->nfiles, 1);
    assert_string_equal(s->files[0].path, "HV01.contoso.com/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx");
    sy_event *ev = s->files[0].events;
    bxe_chunk *c = bxe_chunk_new();
    et_buf r1 = {0}, r2 = {0}, r3 = {0}, r4 = {0};
    bxe_encode_record(c, &ev[0], 512, &r1);
    bxe_commit(c);
    bxe_encode_record(c, &ev[1], 512 + (uint32_t)r1.len, &r2);
    bxe_commit(c);
    assert_true(r2.len < r1.len / 2);               /* no inline definition the second time */
    uint32_t def1 = rd32((uint8_t *)r1.data + 24 + 4 + 6), def2 = rd32((uint8_t *)r2.data + 24 + 4 + 6);
    assert_int_equal(def1, def2);                   /* the same definition offset */
    assert_int_equal(def1, 512 + 24 + 4 + 10);      /* stored inline right after the instance header */
    assert_int_equal(rd32((uint8_t *)r1.data + 24 + 6), rd32((uint8_t *)r1.data + 24 + 4 + 10 + 4)); /* id = GUID's first 4 bytes */
    bxe_encode_record(c, &ev[2], 4096, &r3);        /* another shape: another template */
    assert_int_not_equal(rd32((uint8_t *)r3.data + 30), rd32((uint8_t *)r1.data + 30));
    bxe_chunk_reset(c);
    bxe_encode_record(c, &ev[1], 512, &r4);         /* a new chunk: defined again, same id */
    assert_int_equal(r4.len, r1.len);
    assert_int_equal(rd32((uint8_t *)r4.data + 30), rd32((uint8_t *)r1.data + 30));
    assert_int_equal(r1.len % 8, 0);
    assert_int_equal(rd32((uint8_t *)r1.data + 4), r1.len);           /* size and its copy */
    assert_int_equal(rd32((uint8_t *)r1.data + r1.len - 4), r1.len);
    et_buf_free(&r1); et_buf_free(&r2); et_buf_free(&r3); et_buf_free(&r4);
    bxe_chunk_free(c);
    sy_scenario_free(s);
}

/* Written files: header and chunk CRC32s, counts, and every record back through the reader. */
static void test_written_file(void **state)
{
    (void)state;
    char yaml[2048];
    snprintf(yaml, sizeof yaml, "%s", two_events);
    strcat(yaml, "          - {time: 2025-01-02T00:00:00Z, event_id: 1, event_data: {N: !uint32 7, T: 'some text to fill chunks'}, repeat: {count: 700, every: 1s}}\n");
    sy_scenario *s = load(yaml);
    char path[] = "/tmp/evtriage-test-synth-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char err[300];
    sy_writer *w = sy_writer_open(path, err, sizeof err);
    assert_non_null(w);
    for (size_t i = 0; i < s->files[0].nevents; i++) assert_int_equal(sy_writer_add(w, &s->files[0].events[i], err, sizeof err), 0);
    assert_int_equal(sy_writer_close(w, err, sizeof err), 0);
    FILE *f = fopen(path, "rb");
    uint8_t hdr[4096];
    assert_int_equal(fread(hdr, 1, sizeof hdr, f), sizeof hdr);
    assert_memory_equal(hdr, "ElfFile", 8);
    assert_int_equal(rd32(hdr + 124), et_crc32(0, hdr, 120));
    uint16_t nchunks = rd16(hdr + 42);
    assert_true(nchunks >= 2);
    assert_int_equal(rd32(hdr + 24), 704);          /* next record id: 703 records from 1 */
    uint8_t *ch = malloc(65536);
    for (uint16_t i = 0; i < nchunks; i++) {
        assert_int_equal(fread(ch, 1, 65536, f), 65536);
        uint32_t crc = et_crc32(et_crc32(0, ch, 120), ch + 128, 384);
        assert_int_equal(rd32(ch + 124), crc);
        uint32_t free_off = rd32(ch + 48);
        assert_true(free_off < 65536);
        assert_int_equal(rd32(ch + 52), et_crc32(0, ch + 512, free_off - 512));
        /* every bucket head points at a name whose hash selects that bucket */
        for (int b = 0; b < 64; b++)
            if (rd32(ch + 128 + 4 * b)) assert_int_equal(rd16(ch + rd32(ch + 128 + 4 * b) + 4) % 64, b);
    }
    free(ch);
    fclose(f);
    et_reader *r = et_reader_open(path, err, sizeof err);
    assert_non_null(r);
    const et_event *ev;
    size_t n = 0;
    int rc;
    while ((rc = et_reader_next(r, &ev)) != ET_READ_END) {
        assert_int_equal(rc, ET_READ_EVENT);
        const sy_event *want = &s->files[0].events[n];
        assert_int_equal(ev->record_id, want->record_id);
        assert_int_equal(ev->timestamp, want->time);
        assert_int_equal(ev->event_id, want->event_id);
        assert_string_equal(ev->computer, "HV01.contoso.com");
        if (n == 0) {
            assert_string_equal(et_event_field(ev, "VmName"), "SQL01");
            assert_string_equal(et_event_field(ev, "Code"), "0x80090303");
        }
        if (n == 2) assert_string_equal(et_event_field(ev, "Server"), "HVR01");
        if (n > 2) assert_string_equal(et_event_field(ev, "N"), "7");
        n++;
    }
    assert_int_equal(n, s->files[0].nevents);
    const et_reader_stats *st = et_reader_get_stats(r);
    assert_int_equal(st->bad_crc_chunks, 0);
    assert_int_equal(st->recovered, 0);
    assert_int_equal(st->skipped, 0);
    et_reader_close(r);
    unlink(path);
    sy_scenario_free(s);
}

static void test_channel_file_name(void **state)
{
    (void)state;
    char out[256];
    sy_channel_file_name("Microsoft-Windows-Hyper-V-VMMS-Admin", out, sizeof out);
    assert_string_equal(out, "Microsoft-Windows-Hyper-V-VMMS-Admin.evtx");
    sy_channel_file_name("Microsoft-Windows-Security-SPP-UX-Notifications/ActionCenter", out, sizeof out);
    assert_string_equal(out, "Microsoft-Windows-Security-SPP-UX-Notifications%4ActionCenter.evtx");
}

/* Events are written in time order whatever order the scenario lists them in; ids follow. */
static void test_time_order_and_ids(void **state)
{
    (void)state;
    sy_scenario *s = load("scenario: t\nhosts: [{computer: H, files: [{channel: C, first_record_id: 10, events: [\n"
                          "  {time: 2025-01-01T00:00:05Z, event_id: 2, provider: P},\n"
                          "  {time: 2025-01-01T00:00:01Z, event_id: 1, provider: P, repeat: {count: 3, every: 2s}},\n"
                          "  {time: 2025-01-01T00:00:09Z, event_id: 3, provider: P, record_id: 99}]}]}]\n");
    const sy_file *f = &s->files[0];
    assert_int_equal(f->nevents, 5);
    uint16_t ids[] = {1, 1, 2, 1, 3};
    uint64_t rec[] = {10, 11, 12, 13, 99};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(f->events[i].event_id, ids[i]);
        assert_int_equal(f->events[i].record_id, rec[i]);
        if (i) assert_true(f->events[i].time >= f->events[i - 1].time);
    }
    sy_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_bytes),
        cmocka_unit_test(test_value_refusals),
        cmocka_unit_test(test_name_hash_matches_windows),
        cmocka_unit_test(test_templates_shared_per_chunk),
        cmocka_unit_test(test_written_file),
        cmocka_unit_test(test_channel_file_name),
        cmocka_unit_test(test_time_order_and_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
