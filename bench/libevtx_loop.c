/* libevtx_loop.c: what reading records through Debian's libevtx costs, for bench/libevtx_cost.sh:
 *   whole  FILE      libevtx_file_open on the whole file, then every record by index (libevtx keeps
 *                    a list of all records: memory grows with the file)
 *   chunks FILE      one libevtx handle per 64 KiB chunk (a memory-range libbfio handle over the
 *                    chunk and a one-chunk file header): flat memory, every record by index
 *   open   FILE      libevtx_file_open on the whole file and the record count only
 * Prints records read, records libevtx refused, recovered records it lists. Not part of evtriage. */
#include <fcntl.h>
#include <libbfio.h>
#include <libevtx.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint32_t crc_table[256];

static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 255] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static void count(libevtx_file_t *f, long *ok, long *bad, long *recovered)
{
    libevtx_error_t *e = NULL;
    int n = 0, m = 0;
    libevtx_file_get_number_of_records(f, &n, &e);
    libevtx_file_get_number_of_recovered_records(f, &m, &e);
    for (int i = 0; i < n; i++) {
        libevtx_record_t *r = NULL;
        uint32_t id;
        if (libevtx_file_get_record_by_index(f, i, &r, &e) == 1 && libevtx_record_get_event_identifier(r, &id, &e) == 1) (*ok)++;
        else { (*bad)++; libevtx_error_free(&e); }
        libevtx_record_free(&r, NULL);
    }
    *recovered += m;
}

int main(int argc, char **argv)
{
    if (argc != 3) { fprintf(stderr, "usage: libevtx_loop whole|chunks|open FILE\n"); return 2; }
    long ok = 0, bad = 0, recovered = 0;
    libevtx_error_t *e = NULL;
    if (strcmp(argv[1], "chunks")) {
        libevtx_file_t *f = NULL;
        libevtx_file_initialize(&f, &e);
        if (libevtx_file_open(f, argv[2], LIBEVTX_OPEN_READ, &e) != 1) { libevtx_error_fprint(e, stderr); return 1; }
        if (!strcmp(argv[1], "whole")) count(f, &ok, &bad, &recovered);
        else { int n = 0; libevtx_file_get_number_of_records(f, &n, &e); ok = n; }
        libevtx_file_close(f, &e);
        libevtx_file_free(&f, &e);
    } else {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            crc_table[i] = c;
        }
        int fd = open(argv[2], O_RDONLY);
        uint8_t *buf = calloc(1, 4096 + 65536);
        if (fd < 0 || !buf || pread(fd, buf, 128, 0) != 128) return 1;
        memset(buf + 8, 0, 16);          /* first and last chunk number: 0 */
        buf[42] = 1; buf[43] = 0;        /* one chunk */
        memset(buf + 120, 0, 4);         /* clean */
        uint32_t c = crc32(buf, 120);
        memcpy(buf + 124, &c, 4);
        for (off_t off = 4096;; off += 65536) {
            if (pread(fd, buf + 4096, 65536, off) != 65536) break;
            libbfio_handle_t *h = NULL;
            libbfio_error_t *be = NULL;
            libbfio_memory_range_initialize(&h, &be);
            libbfio_memory_range_set(h, buf, 4096 + 65536, &be);
            libevtx_file_t *f = NULL;
            libevtx_file_initialize(&f, &e);
            if (libevtx_file_open_file_io_handle(f, h, LIBEVTX_OPEN_READ, &e) == 1) {
                count(f, &ok, &bad, &recovered);
                libevtx_file_close(f, &e);
            } else {
                libevtx_error_free(&e);
            }
            libevtx_file_free(&f, &e);
            libbfio_handle_free(&h, &be);
        }
        close(fd);
        free(buf);
    }
    printf("%ld %ld %ld\n", ok, bad, recovered);
    return 0;
}
