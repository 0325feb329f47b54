/* test_binxml.c: the BinXML decoder on hand-built token streams: UserData flattening,
 * positional Data names, Binary as hex, typed substitutions, entity refs, bad input (cut,
 * no element). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "reader/binxml.h"
#include "reader/values.h"

/* A tiny BinXML writer over a 64 KiB chunk image (names stored inline). */
typedef struct w { uint8_t c[65536]; uint32_t pos; int in_tmpl; } w;
static void u8(w *b, uint8_t v) { b->c[b->pos++] = v; }
static void u16(w *b, uint16_t v) { u8(b, (uint8_t)v); u8(b, (uint8_t)(v >> 8)); }
static void u32(w *b, uint32_t v) { u16(b, (uint16_t)v); u16(b, (uint16_t)(v >> 16)); }
static void name(w *b, const char *s)
{
    u32(b, b->pos + 4); /* offset of the name = right here, after this field */
    u32(b, 0);
    u16(b, 0);
    u16(b, (uint16_t)strlen(s));
    for (const char *p = s; *p; p++) u16(b, (uint16_t)*p);
    u16(b, 0);
}
static void open_el(w *b, const char *n, int attrs)
{
    u8(b, attrs ? 0x41 : 0x01);
    if (b->in_tmpl) u16(b, 0xFFFF);
    u32(b, 0);
    name(b, n);
    if (attrs) u32(b, 0);
}
static void attr(w *b, const char *n, const char *v)
{
    u8(b, 0x06);
    name(b, n);
    u8(b, 0x05); u8(b, 0x01); u16(b, (uint16_t)strlen(v));
    for (const char *p = v; *p; p++) u16(b, (uint16_t)*p);
}
static void text(w *b, const char *v)
{
    u8(b, 0x05); u8(b, 0x01); u16(b, (uint16_t)strlen(v));
    for (const char *p = v; *p; p++) u16(b, (uint16_t)*p);
}
static void close_start(w *b) { u8(b, 0x02); }
static void end_el(w *b) { u8(b, 0x04); }
static void end_els(w *b, int n) { while (n--) end_el(b); }
/* An empty buffer, written from offset 512 (a chunk's header before it). */
static void w_reset(w *b)
{
    memset(b, 0, sizeof *b);
    b->pos = 512;
}
/* w_reset, then <Event><SECTION> opened. */
static void start_event(w *b, const char *section)
{
    w_reset(b);
    open_el(b, "Event", 0); close_start(b);
    open_el(b, section, 0); close_start(b);
}
static void leaf(w *b, const char *n, const char *v) { open_el(b, n, 0); close_start(b); text(b, v); end_el(b); }

/* What decoding records needs, kept from one record to the next as the reader keeps it. */
typedef struct dx { et_arena arena; bx_decoder *d; char err[256]; int rc; } dx;
static void dx_init(dx *x)
{
    memset(x, 0, sizeof *x);
    x->d = bx_decoder_new();
}
/* The record written in b from offset 512 up to end; x->rc and x->err say how it went. */
static et_event dx_decode_to(dx *x, w *b, uint32_t end)
{
    et_event ev;
    memset(&ev, 0, sizeof ev);
    bx_decoder_set_chunk(x->d, b->c, sizeof b->c);
    x->rc = bx_decode_record(x->d, 512, end, &ev, &x->arena, x->err, sizeof x->err);
    return ev;
}
static et_event dx_decode(dx *x, w *b) { return dx_decode_to(x, b, b->pos); }
static void dx_free(dx *x)
{
    bx_decoder_free(x->d);
    et_arena_free(&x->arena);
}

static void test_userdata_flattened(void **state)
{
    (void)state;
    static w b;
    w_reset(&b);
    u8(&b, 0x0F); u8(&b, 1); u8(&b, 1); u8(&b, 0);
    open_el(&b, "Event", 0); close_start(&b);
    open_el(&b, "System", 0); close_start(&b);
    open_el(&b, "Provider", 1); attr(&b, "Name", "Microsoft-Windows-Hyper-V-VMMS"); u8(&b, 0x03);
    leaf(&b, "EventID", "32000");
    leaf(&b, "Channel", "Microsoft-Windows-Hyper-V-VMMS-Admin");
    leaf(&b, "Computer", "HV01.contoso.com");
    end_el(&b);
    open_el(&b, "UserData", 0); close_start(&b);
    open_el(&b, "VmlEventLog", 1); attr(&b, "xmlns", "http://www.microsoft.com/Windows/Virtualization/Events"); close_start(&b);
    leaf(&b, "VmName", "SQL01");
    leaf(&b, "VmId", "8E3A2C1D-0000-4000-8000-000000000001");
    open_el(&b, "Detail", 0); close_start(&b); leaf(&b, "ErrorCode", "0x80090303"); end_el(&b);
    end_els(&b, 3);
    u8(&b, 0x00);
    dx x;
    dx_init(&x);
    et_event ev = dx_decode(&x, &b);
    assert_int_equal(x.rc, 0);
    assert_int_equal(ev.event_id, 32000);
    assert_string_equal(ev.provider, "Microsoft-Windows-Hyper-V-VMMS");
    assert_string_equal(ev.channel, "Microsoft-Windows-Hyper-V-VMMS-Admin");
    assert_string_equal(ev.computer, "HV01.contoso.com");
    assert_string_equal(et_event_field(&ev, "VmName"), "SQL01");
    assert_string_equal(et_event_field(&ev, "ErrorCode"), "0x80090303");
    assert_null(et_event_field(&ev, "VmlEventLog.xmlns"));
    assert_null(et_event_field(&ev, "Detail"));
    dx_free(&x);
}

static void test_positional_data_and_entities(void **state)
{
    (void)state;
    static w b;
    start_event(&b, "EventData");
    leaf(&b, "Data", "first");
    open_el(&b, "Data", 0); close_start(&b);
    text(&b, "a");
    u8(&b, 0x09); name(&b, "amp"); /* &amp; */
    u8(&b, 0x08); u16(&b, 0x00E9); /* &#233; */
    end_el(&b);
    open_el(&b, "Data", 1); attr(&b, "Name", "Named"); close_start(&b); text(&b, "v"); end_el(&b);
    leaf(&b, "Binary", "0A0B");
    end_el(&b);
    end_el(&b);
    u8(&b, 0x00);
    dx x;
    dx_init(&x);
    et_event ev = dx_decode(&x, &b);
    assert_int_equal(x.rc, 0);
    assert_string_equal(et_event_field(&ev, "Data[0]"), "first");
    assert_string_equal(et_event_field(&ev, "Data[1]"), "a&\xc3\xa9");
    assert_string_equal(et_event_field(&ev, "Named"), "v");
    assert_string_equal(et_event_field(&ev, "Binary"), "0A0B");
    dx_free(&x);
}

static void test_truncated_is_an_error(void **state)
{
    (void)state;
    static w b;
    start_event(&b, "System");
    uint32_t cut = b.pos;
    dx x;
    dx_init(&x);
    dx_decode_to(&x, &b, cut);
    assert_int_equal(x.rc, -1);
    assert_non_null(strstr(x.err, "not closed"));
    dx_free(&x);
}

/* Data that ends before its first element (zeros, as in a carved fragment overwritten from
 * its start) is no event: an error, not an empty record. A fragment header and nothing else is
 * the same. */
static void test_no_element_is_an_error(void **state)
{
    (void)state;
    static w b;
    w_reset(&b);
    u8(&b, 0x00);
    dx x;
    dx_init(&x);
    dx_decode(&x, &b);
    assert_int_equal(x.rc, -1);
    assert_non_null(strstr(x.err, "holds no element"));
    w_reset(&b);
    u8(&b, 0x0F); u8(&b, 1); u8(&b, 1); u8(&b, 0); u8(&b, 0x00);
    x.err[0] = 0;
    dx_decode(&x, &b);
    assert_int_equal(x.rc, -1);
    assert_non_null(strstr(x.err, "holds no element"));
    /* one element is enough */
    start_event(&b, "System");
    end_els(&b, 2);
    u8(&b, 0x00);
    dx_decode(&x, &b);
    assert_int_equal(x.rc, 0);
    dx_free(&x);
}

/* An entity reference inside an attribute value keeps the text before it (reading the entity's
 * name used to reuse the buffer the value was being built in). */
static void test_entity_in_attribute(void **state)
{
    (void)state;
    static w b;
    start_event(&b, "UserData");
    open_el(&b, "Log", 0); close_start(&b);
    open_el(&b, "Item", 1);
    u8(&b, 0x06); name(&b, "Kind");
    text(&b, "a");
    u8(&b, 0x09); name(&b, "amp");
    text(&b, "b");
    u8(&b, 0x03);
    end_els(&b, 3);
    dx x;
    dx_init(&x);
    et_event ev = dx_decode(&x, &b);
    assert_int_equal(x.rc, 0);
    assert_string_equal(et_event_field(&ev, "Item.Kind"), "a&b");
    dx_free(&x);
}

/* Repeated names become Name[1], Name[2]...: long names are never cut (which made every repeat
 * look taken: an endless loop, found by fuzz_reader) and many repeats stay fast. */
static void test_repeated_names(void **state)
{
    (void)state;
    static w b;
    static char longname[601];
    memset(longname, 'n', 600);
    enum { REPEATS = 2000 };
    start_event(&b, "UserData");
    open_el(&b, "Log", 0); close_start(&b);
    for (int i = 0; i < 3; i++) leaf(&b, longname, "v");
    for (int i = 0; i < REPEATS; i++) { open_el(&b, "X", 0); u8(&b, 0x03); }
    end_els(&b, 3);
    dx x;
    dx_init(&x);
    et_event ev = dx_decode(&x, &b);
    assert_int_equal(x.rc, 0);
    assert_int_equal(ev.nfields, 3 + REPEATS);
    assert_string_equal(ev.fields[0].name, longname);
    assert_int_equal(strlen(ev.fields[2].name), 603);
    assert_string_equal(ev.fields[2].name + 600, "[2]");
    assert_string_equal(ev.fields[3].name, "X");
    assert_string_equal(ev.fields[3 + REPEATS - 1].name, "X[1999]");
    dx_free(&x);
}

/* What the decoder bounds (fields per record, attributes per element) is said, not dropped
 * silently: the record decodes with the first ones, and err names how many were left out. */
static void test_bounds_said(void **state)
{
    (void)state;
    static w b;
    enum { ATTRS = 34, XS = 4100 };
    start_event(&b, "UserData");
    open_el(&b, "Log", 0); close_start(&b);
    open_el(&b, "A", 1);
    for (int i = 0; i < ATTRS; i++) {
        char n[8];
        snprintf(n, sizeof n, "a%d", i);
        attr(&b, n, "v");
    }
    u8(&b, 0x03);
    uint32_t x_name = b.pos + 9;   /* the first X's name, inline after its header */
    open_el(&b, "X", 0); u8(&b, 0x03);
    for (int i = 1; i < XS; i++) { u8(&b, 0x01); u32(&b, 0); u32(&b, x_name); u8(&b, 0x03); }
    end_els(&b, 3);
    dx x;
    dx_init(&x);
    et_event ev = dx_decode(&x, &b);
    assert_int_equal(x.rc, 0);
    assert_int_equal(ev.nfields, 4096);
    assert_string_equal(ev.fields[31].name, "A.a31");
    assert_string_equal(ev.fields[32].name, "X");
    assert_string_equal(ev.fields[4095].name, "X[4063]");
    assert_string_equal(x.err, "36 field(s) past the first 4096 and 2 attribute(s) past 32 on 1 element left out");
    /* the next record starts clean */
    static w small;
    start_event(&small, "UserData");
    open_el(&small, "Log", 0); close_start(&small);
    leaf(&small, "K", "v");
    end_el(&small); end_el(&small); end_el(&small);
    ev = dx_decode(&x, &small);
    assert_int_equal(x.rc, 0);
    assert_int_equal(ev.nfields, 1);
    assert_string_equal(x.err, "");
    /* two elements past the bound: both counted, and how many elements */
    start_event(&small, "UserData");
    open_el(&small, "Log", 0); close_start(&small);
    for (int e = 0; e < 2; e++) {
        open_el(&small, e ? "B" : "A", 1);
        for (int i = 0; i < ATTRS; i++) {
            char n[8];
            snprintf(n, sizeof n, "a%d", i);
            attr(&small, n, "v");
        }
        u8(&small, 0x03);
    }
    end_els(&small, 3);
    dx_decode(&x, &small);
    assert_int_equal(x.rc, 0);
    assert_string_equal(x.err, "4 attribute(s) past 32 on 2 elements left out");
    dx_free(&x);
}

/* An array substitution gives one Data field per item, every item (they were cut at 256). */
static void test_array_every_item(void **state)
{
    (void)state;
    static w b;
    enum { ITEMS = 300 };
    w_reset(&b);
    u8(&b, 0x0F); u8(&b, 1); u8(&b, 1); u8(&b, 0);
    u8(&b, 0x0C); u8(&b, 1); u32(&b, 7); u32(&b, b.pos + 4);   /* the definition follows inline */
    uint32_t def = b.pos;
    u32(&b, 0); u32(&b, 7);
    for (int i = 0; i < 12; i++) u8(&b, 0);
    uint32_t size_at = b.pos;
    u32(&b, 0);
    b.in_tmpl = 1;
    u8(&b, 0x0F); u8(&b, 1); u8(&b, 1); u8(&b, 0);
    open_el(&b, "Event", 0); close_start(&b);
    open_el(&b, "EventData", 0); close_start(&b);
    open_el(&b, "Data", 0); close_start(&b);
    u8(&b, 0x0D); u16(&b, 0); u8(&b, 0x81);   /* substitution 0: an array of strings */
    end_el(&b); end_el(&b); end_el(&b);
    u8(&b, 0x00);
    b.in_tmpl = 0;
    uint32_t body = b.pos - (def + 24);
    memcpy(b.c + size_at, &body, 4);
    u32(&b, 1);                                /* one value: its size, type 0x81 */
    uint32_t desc = b.pos;
    u32(&b, 0);
    uint32_t start = b.pos;
    for (int i = 0; i < ITEMS; i++) {
        char v[8];
        snprintf(v, sizeof v, "v%d", i);
        for (const char *p = v; *p; p++) u16(&b, (uint16_t)*p);
        u16(&b, 0);
    }
    uint16_t vsize = (uint16_t)(b.pos - start);
    memcpy(b.c + desc, &vsize, 2);
    b.c[desc + 2] = 0x81;
    u8(&b, 0x00);
    dx x;
    dx_init(&x);
    et_event ev = dx_decode(&x, &b);
    assert_int_equal(x.rc, 0);
    assert_string_equal(x.err, "");
    assert_int_equal(ev.nfields, ITEMS);
    assert_string_equal(et_event_field(&ev, "Data[0]"), "v0");
    assert_string_equal(et_event_field(&ev, "Data[255]"), "v255");
    assert_string_equal(et_event_field(&ev, "Data[299]"), "v299");
    dx_free(&x);
}

static void render(uint8_t type, const void *p, size_t n, const char *want)
{
    et_buf b = {0};
    char err[128];
    assert_int_equal(bx_render_value(&b, type, (const uint8_t *)p, n, err, sizeof err), 0);
    assert_string_equal(b.data ? b.data : "", want);
    et_buf_free(&b);
}

static void test_value_rendering(void **state)
{
    (void)state;
    int32_t bias = -540; /* Kernel-General CurrentBias: Debian's libevtx prints -2147483108 */
    render(BX_INT32, &bias, 4, "-540");
    uint32_t hr = 0x80090303u;
    render(BX_HEXINT32, &hr, 4, "0x80090303");
    uint64_t kw = 0x8000000000000000ull;
    render(BX_HEXINT64, &kw, 8, "0x8000000000000000");
    uint8_t sid[] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
    render(BX_SID, sid, sizeof sid, "S-1-5-18");
    uint8_t guid[] = {0x5f, 0x38, 0x70, 0x57, 0x2a, 0xc2, 0xe0, 0x43, 0xbf, 0x4c, 0x06, 0xf5, 0x69, 0x8f, 0xfb, 0xd9};
    render(BX_GUID, guid, 16, "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}");
    uint64_t ft = 129347853596264271ull; /* 2010-11-21T03:55:59.6264271Z */
    render(BX_FILETIME, &ft, 8, "2010-11-21T03:55:59.6264271Z");
    uint32_t t = 1;
    render(BX_BOOL, &t, 4, "true");
    uint8_t bin[] = {0xDE, 0xAD};
    render(BX_BINARY, bin, 2, "DEAD");
    uint16_t str[] = {'h', 'i', 0};
    render(BX_STRING, str, sizeof str, "hi");
    uint16_t bad[] = {0xD800, 'x'};
    render(BX_STRING, bad, sizeof bad, "\xEF\xBF\xBDx");
    int8_t i8 = -5;
    render(BX_INT8, &i8, 1, "-5");
    /* the printf-free formatters at their edges */
    int64_t i64min = INT64_MIN;
    render(BX_INT64, &i64min, 8, "-9223372036854775808");
    uint64_t u64max = UINT64_MAX;
    render(BX_UINT64, &u64max, 8, "18446744073709551615");
    uint32_t zero = 0;
    render(BX_UINT32, &zero, 4, "0");
    render(BX_HEXINT32, &zero, 4, "0x0");
    uint64_t sz = 0x1f;
    render(BX_SIZET, &sz, 8, "0x000000000000001f");
    uint8_t bigsid[] = {1, 1, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 7, 0, 0, 0};
    render(BX_SID, bigsid, sizeof bigsid, "S-1-0x123456789ABC-7");
    uint16_t st[8] = {2024, 2, 0, 29, 23, 5, 9, 7}; /* SYSTEMTIME: y, m, weekday, d, h, mi, s, ms */
    render(BX_SYSTIME, st, sizeof st, "2024-02-29T23:05:09.0070000Z");
    uint16_t stbad[8] = {65535, 99, 0, 1, 0, 0, 0, 1000}; /* damaged: wider fields, not truncated */
    render(BX_SYSTIME, stbad, sizeof stbad, "65535-99-01T00:00:00.10000000Z");
    et_buf b = {0};
    char err[128];
    assert_int_equal(bx_render_value(&b, BX_INT32, (const uint8_t *)&bias, 2, err, sizeof err), -1);
    assert_int_equal(bx_render_value(&b, 0x33, (const uint8_t *)&bias, 4, err, sizeof err), -1);
    et_buf_free(&b);
}

/* The converter one code unit at a time, as it was before its four-at-a-time ASCII path. */
static void utf16_reference(et_buf *out, const uint16_t *u, size_t units, int stop_at_nul)
{
    for (size_t i = 0; i < units; i++) {
        uint32_t c = u[i];
        if (c == 0 && stop_at_nul) break;
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < units && u[i + 1] >= 0xDC00 && u[i + 1] <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (u[++i] - 0xDC00);
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            c = 0xFFFD;
        }
        if (c < 0x80) et_buf_putc(out, (char)c);
        else if (c < 0x800) { et_buf_putc(out, (char)(0xC0 | c >> 6)); et_buf_putc(out, (char)(0x80 | (c & 0x3F))); }
        else if (c < 0x10000) {
            et_buf_putc(out, (char)(0xE0 | c >> 12));
            et_buf_putc(out, (char)(0x80 | ((c >> 6) & 0x3F)));
            et_buf_putc(out, (char)(0x80 | (c & 0x3F)));
        } else {
            et_buf_putc(out, (char)(0xF0 | c >> 18));
            et_buf_putc(out, (char)(0x80 | ((c >> 12) & 0x3F)));
            et_buf_putc(out, (char)(0x80 | ((c >> 6) & 0x3F)));
            et_buf_putc(out, (char)(0x80 | (c & 0x3F)));
        }
    }
}

/* Strings of every length up to 24 mixing ASCII, NUL, other BMP characters and surrogates
 * (halves alone, pairs across the four-unit steps) convert as one unit at a time would. */
static void test_utf16_ascii_runs(void **state)
{
    (void)state;
    static const uint16_t pool[] = {'a', 'Z', '0', ' ', 0x7F, 0x80, 0, 0xE9, 0x4E2D, 0xD83D, 0xDE00, 0xDC00, 0xFFFF};
    uint32_t x = 12345;
    for (int round = 0; round < 20000; round++) {
        uint16_t u[24];
        uint8_t bytes[48];
        size_t n = (size_t)round % 25;
        for (size_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            /* mostly ASCII, as logs are, so the fast path meets its edges often */
            u[i] = (x >> 16) % 4 ? (uint16_t)('a' + (x >> 20) % 26) : pool[(x >> 8) % (sizeof pool / sizeof *pool)];
            bytes[2 * i] = (uint8_t)u[i];
            bytes[2 * i + 1] = (uint8_t)(u[i] >> 8);
        }
        for (int nul = 0; nul < 2; nul++) {
            et_buf got = {0}, want = {0};
            bx_utf16_to_utf8(&got, bytes, n, nul);
            utf16_reference(&want, u, n, nul);
            assert_int_equal(got.len, want.len);
            assert_memory_equal(got.len ? got.data : "", want.len ? want.data : "", got.len);
            et_buf_free(&got);
            et_buf_free(&want);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_userdata_flattened),
        cmocka_unit_test(test_positional_data_and_entities),
        cmocka_unit_test(test_truncated_is_an_error),
        cmocka_unit_test(test_no_element_is_an_error),
        cmocka_unit_test(test_repeated_names),
        cmocka_unit_test(test_bounds_said),
        cmocka_unit_test(test_array_every_item),
        cmocka_unit_test(test_entity_in_attribute),
        cmocka_unit_test(test_value_rendering),
        cmocka_unit_test(test_utf16_ascii_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
