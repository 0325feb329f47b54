/* crc32.c: CRC-32 through libdeflate, which picks a carry-less-multiply (PCLMUL/VPCLMUL)
 * implementation at run time: every chunk of every file is checked, so this sits on the hot path. */
#include "core/crc32.h"
#include <libdeflate.h>

uint32_t et_crc32(uint32_t crc, const void *buf, size_t len)
{
    return libdeflate_crc32(crc, buf, len);
}
