/* sha256.c: SHA-256 of input files, streamed, computed by OpenSSL's libcrypto (SHA-NI, AVX2). */
#include "core/sha256.h"
#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>

/* The implementation, fetched once: an implicit fetch per file costs 0.3-0.5 us each time. */
static EVP_MD *sha256_md;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static void fetch_md(void) { sha256_md = EVP_MD_fetch(NULL, "SHA2-256", NULL); }

void et_sha256_init(et_sha256 *s)
{
    pthread_once(&md_once, fetch_md);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    s->ctx = c;
    s->failed = !c || EVP_DigestInit_ex(c, sha256_md ? sha256_md : EVP_sha256(), NULL) != 1;
}

void et_sha256_update(et_sha256 *s, const void *data, size_t n)
{
    if (!s->failed && EVP_DigestUpdate(s->ctx, data, n) != 1) s->failed = 1;
}

int et_sha256_hex(et_sha256 *s, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    int ok = !s->failed && EVP_DigestFinal_ex(s->ctx, md, &len) == 1 && len == 32;
    EVP_MD_CTX_free(s->ctx);
    s->ctx = NULL;
    out[0] = 0;
    if (!ok) return -1;
    static const char hx[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = hx[md[i] >> 4];
        out[2 * i + 1] = hx[md[i] & 15];
    }
    out[64] = 0;
    return 0;
}
