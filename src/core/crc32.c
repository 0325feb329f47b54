/* crc32.c: CRC-32 of every chunk of every file (and of every zip member), so on the hot path.
 * libdeflate 1.14 (Debian 12) folds 64 bytes at a time with 128-bit carry-less multiplies, about
 * 6 GB/s here; where the CPU has VPCLMULQDQ on AVX-512 registers (checked once, at run time) we
 * fold 256 bytes at a time in four 512-bit registers and hand the last 16-byte remainder and the
 * tail to libdeflate. The method is Intel's "Fast CRC Computation for Generic Polynomials Using
 * PCLMULQDQ" (Gopal et al., 2009), for the bit-reflected CRC: a 128-bit lane (lo, hi) moved D bits
 * further on is lo * k(D + 32) xor hi * k(D - 32), k(n) = reflect32(x^n mod P) << 1 (docs/bench.md
 * has the numbers; tests/unit/test_core.c checks it against libdeflate for many lengths). */
#include "core/crc32.h"
#include <libdeflate.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_FOLD512 1

/* k(n) for the distances used: 2048 (the main loop), 512, 384, 256, 128 bits. */
#define K2080 0x11542778aull
#define K2016 0x1322d1430ull
#define K544 0x154442bd4ull
#define K480 0x1c6e41596ull
#define K416 0x03db1ecdcull
#define K352 0x174359406ull
#define K288 0x0f1da05aaull
#define K224 0x15a546366ull
#define K160 0x1751997d0ull
#define K96 0x0ccaa009eull

#define FOLD512_TARGET __attribute__((target("avx512f,avx512vl,vpclmulqdq,pclmul,sse4.1")))

/* Each 128-bit lane of x moved on by the distance k stands for, xor d. */
FOLD512_TARGET static inline __m512i fold512(__m512i x, __m512i k, __m512i d)
{
    return _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(x, k, 0x00), _mm512_clmulepi64_epi128(x, k, 0x11),
                                     d, 0x96);
}

FOLD512_TARGET static inline __m128i fold128(__m128i x, uint64_t klo, uint64_t khi, __m128i d)
{
    __m128i k = _mm_set_epi64x((long long)khi, (long long)klo);
    return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11)), d);
}

/* len >= 256. */
FOLD512_TARGET static uint32_t crc32_fold512(uint32_t crc, const unsigned char *p, size_t len)
{
    __m512i x0 = _mm512_loadu_si512((const void *)p), x1 = _mm512_loadu_si512((const void *)(p + 64)),
            x2 = _mm512_loadu_si512((const void *)(p + 128)), x3 = _mm512_loadu_si512((const void *)(p + 192));
    x0 = _mm512_xor_si512(x0, _mm512_castsi128_si512(_mm_cvtsi32_si128((int)~crc)));   /* the register so far */
    p += 256;
    len -= 256;
    const __m512i k2048 = _mm512_set_epi64((long long)K2016, (long long)K2080, (long long)K2016, (long long)K2080,
                                           (long long)K2016, (long long)K2080, (long long)K2016, (long long)K2080);
    for (; len >= 256; p += 256, len -= 256) {
        x0 = fold512(x0, k2048, _mm512_loadu_si512((const void *)p));
        x1 = fold512(x1, k2048, _mm512_loadu_si512((const void *)(p + 64)));
        x2 = fold512(x2, k2048, _mm512_loadu_si512((const void *)(p + 128)));
        x3 = fold512(x3, k2048, _mm512_loadu_si512((const void *)(p + 192)));
    }
    const __m512i k512 = _mm512_set_epi64((long long)K480, (long long)K544, (long long)K480, (long long)K544,
                                          (long long)K480, (long long)K544, (long long)K480, (long long)K544);
    __m512i x = fold512(x0, k512, x1);
    x = fold512(x, k512, x2);
    x = fold512(x, k512, x3);
    for (; len >= 64; p += 64, len -= 64) x = fold512(x, k512, _mm512_loadu_si512((const void *)p));
    __m128i r = _mm512_extracti32x4_epi32(x, 3);
    r = fold128(_mm512_extracti32x4_epi32(x, 2), K160, K96, r);
    r = fold128(_mm512_extracti32x4_epi32(x, 1), K288, K224, r);
    r = fold128(_mm512_extracti32x4_epi32(x, 0), K416, K352, r);
    /* what is left: 16 bytes standing for everything before, then the tail; their CRC from a zero
     * register is the CRC of the whole (libdeflate_crc32(c, ...) starts from ~c) */
    unsigned char rest[16 + 64];
    _mm_storeu_si128((__m128i *)rest, r);
    memcpy(rest + 16, p, len);
    return libdeflate_crc32(0xFFFFFFFFu, rest, 16 + len);
}

static bool fold512_ok(void)
{
    static _Atomic int ok = -1;   /* every thread that asks first works out the same answer */
    int v = atomic_load_explicit(&ok, memory_order_relaxed);
    if (v < 0) {
        __builtin_cpu_init();
        v = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
            __builtin_cpu_supports("vpclmulqdq") && __builtin_cpu_supports("pclmul");
        atomic_store_explicit(&ok, v, memory_order_relaxed);
    }
    return v;
}
#endif

uint32_t et_crc32(uint32_t crc, const void *buf, size_t len)
{
#ifdef HAVE_FOLD512
    if (len >= 1024 && fold512_ok()) return crc32_fold512(crc, buf, len);
#endif
    return libdeflate_crc32(crc, buf, len);
}

const char *et_crc32_impl(void)
{
#ifdef HAVE_FOLD512
    if (fold512_ok()) return "vpclmulqdq-avx512";
#endif
    return "libdeflate";
}
