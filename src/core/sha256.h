/* sha256.h: SHA-256 (FIPS 180-4) for hashing every input file, through OpenSSL's libcrypto
 * (which uses the CPU's SHA instructions where it has them). */
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

#endif
