/* crc32.h: CRC-32 (IEEE 802.3, as EVTX headers and chunks use). */
#ifndef EVTRIAGE_CRC32_H
#define EVTRIAGE_CRC32_H
#include <stddef.h>
#include <stdint.h>
/* Continues crc over buf; start with crc = 0. */
uint32_t et_crc32(uint32_t crc, const void *buf, size_t len);
/* Which implementation et_crc32 uses ("isa-l crc32_gzip_refl"). */
const char *et_crc32_impl(void);
#endif
