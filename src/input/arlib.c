/* arlib.c: libarchive loaded on first use (see arlib.h). */
#include "input/arlib.h"
#include "core/dynlib.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const names[] = {ET_ARLIB_FUNCS(ET_DYNLIB_NAME)};
#define NFUNCS (sizeof names / sizeof *names)
static union {
    et_arlib funcs;
    void *slot[NFUNCS];   /* what dlsym gives, seen as the functions of et_arlib (dynlib.h) */
} lib;
_Static_assert(sizeof lib.funcs == sizeof lib.slot, "one slot per function");
static int loaded;
static char why[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    const char *file = getenv("EVTRIAGE_LIBARCHIVE");
    if (!file || !*file) file = "libarchive.so.13";
    loaded = !et_dynlib_load(file, "libarchive", names, lib.slot, NFUNCS, why, sizeof why);
}

const et_arlib *et_arlib_get(char *msg, size_t msglen)
{
    pthread_once(&once, load);
    if (loaded) return &lib.funcs;
    if (msg && msglen) snprintf(msg, msglen, "%s", why);
    return NULL;
}
