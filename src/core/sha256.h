/* sha256.h: SHA-256 (FIPS 180-4) for hashing every input file, through OpenSSL's libcrypto
 * (which uses the CPU's SHA instructions where it has them). libcrypto is loaded (dlopen) by
 * the first thread that hashes, not at start-up: mapping and relocating it is about 0.4 ms of
 * every run otherwise (docs/bench.md), then spent on the serial start; a run with --hash none,
 * and dump or hunt, never load it. The types come from OpenSSL's own header. */
#ifndef EVTRIAGE_SHA256_H
#define EVTRIAGE_SHA256_H
#include <stddef.h>
#include <stdint.h>

typedef struct et_sha256 {
    void *ctx;                /* OpenSSL EVP_MD_CTX */
    int failed;
} et_sha256;

void et_sha256_init(et_sha256 *s);
void et_sha256_update(et_sha256 *s, const void *data, size_t n);
/* Writes 64 lower-case hex digits and a NUL and releases s; returns 0, or -1 (out = "") when
 * the digest could not be computed. */
int et_sha256_hex(et_sha256 *s, char out[65]);
/* Why no digest can be computed (libcrypto could not be loaded), or NULL. Valid once
 * et_sha256_init has run. $EVTRIAGE_LIBCRYPTO names another file to load (tests). */
const char *et_sha256_unavailable(void);

#endif
