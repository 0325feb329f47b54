/* crc32.c: CRC-32 of every chunk of every file (and of every zip member), so on the hot path.
 * ISA-L's crc32_gzip_refl (the reflected IEEE CRC, as gzip and EVTX use it) picks its fastest
 * code for the CPU at run time: 512-bit carry-less folding where the CPU has VPCLMULQDQ on AVX-512,
 * 128-bit folding elsewhere (docs/bench.md; tests/unit/test_core.c checks it against a bitwise
 * reference for every length up to a few KiB and chunk-sized buffers). */
#include "core/crc32.h"
#include <isa-l/crc.h>

uint32_t et_crc32(uint32_t crc, const void *buf, size_t len)
{
    return len ? crc32_gzip_refl(crc, buf, len) : crc;
}

const char *et_crc32_impl(void)
{
    return "isa-l crc32_gzip_refl";
}
