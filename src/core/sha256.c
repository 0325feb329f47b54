/* sha256.c: SHA-256 of input files, streamed, computed by OpenSSL's libcrypto (SHA-NI, AVX2),
 * which is loaded on first use (see sha256.h). */
#include "core/sha256.h"
#include "core/dynlib.h"
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ET_STR2(x) #x
#define ET_STR(x) ET_STR2(x)
#define LIBCRYPTO_SONAME "libcrypto.so." ET_STR(OPENSSL_VERSION_MAJOR)

#define ET_CRYPTO_FUNCS(X) \
    X(EVP_MD_fetch) X(EVP_sha256) X(EVP_MD_CTX_new) X(EVP_MD_CTX_free) \
    X(EVP_DigestInit_ex) X(EVP_DigestUpdate) X(EVP_DigestFinal_ex)

static const char *const names[] = {ET_CRYPTO_FUNCS(ET_DYNLIB_NAME)};
#define NFUNCS (sizeof names / sizeof *names)
static union {
    struct {
#define ET_CRYPTO_FIELD(name) __typeof__(&name) name;
        ET_CRYPTO_FUNCS(ET_CRYPTO_FIELD)
#undef ET_CRYPTO_FIELD
    };
    void *slot[NFUNCS];   /* what dlsym gives, seen as the functions above (dynlib.h) */
} lib;
_Static_assert(sizeof lib == sizeof lib.slot, "one slot per function");
static int loaded;
static char why[256];
/* The implementation, fetched once: an implicit fetch per file costs 0.3-0.5 us each time. */
static EVP_MD *sha256_md;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    const char *file = getenv("EVTRIAGE_LIBCRYPTO");
    if (!file || !*file) file = LIBCRYPTO_SONAME;
    if (et_dynlib_load(file, "libcrypto", names, lib.slot, NFUNCS, why, sizeof why)) return;
    sha256_md = lib.EVP_MD_fetch(NULL, "SHA2-256", NULL);
    loaded = 1;
}

const char *et_sha256_unavailable(void)
{
    pthread_once(&once, load);
    return loaded ? NULL : why;
}

void et_sha256_init(et_sha256 *s)
{
    s->ctx = NULL;
    s->failed = 1;
    if (et_sha256_unavailable()) return;
    EVP_MD_CTX *c = lib.EVP_MD_CTX_new();
    s->ctx = c;
    s->failed = !c || lib.EVP_DigestInit_ex(c, sha256_md ? sha256_md : lib.EVP_sha256(), NULL) != 1;
}

void et_sha256_update(et_sha256 *s, const void *data, size_t n)
{
    if (!s->failed && lib.EVP_DigestUpdate(s->ctx, data, n) != 1) s->failed = 1;
}

int et_sha256_hex(et_sha256 *s, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    int ok = !s->failed && lib.EVP_DigestFinal_ex(s->ctx, md, &len) == 1 && len == 32;
    if (s->ctx) lib.EVP_MD_CTX_free(s->ctx);
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
