/* arlib.c: libarchive loaded on first use (see arlib.h). */
#include "input/arlib.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static et_arlib lib;
static int loaded;
static char why[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    const char *file = getenv("EVTRIAGE_LIBARCHIVE");
    if (!file || !*file) file = "libarchive.so.13";
    void *h = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(why, sizeof why, "libarchive could not be loaded (%s)", dlerror());
        return;
    }
#define ET_ARLIB_BIND(name)                                                                    \
    if (!(*(void **)&lib.name = dlsym(h, #name))) {                                            \
        snprintf(why, sizeof why, "libarchive could not be loaded (%s lacks %s)", file, #name); \
        return;                                                                                \
    }
    ET_ARLIB_FUNCS(ET_ARLIB_BIND)
#undef ET_ARLIB_BIND
    loaded = 1;
}

const et_arlib *et_arlib_get(char *msg, size_t msglen)
{
    pthread_once(&once, load);
    if (loaded) return &lib;
    if (msg && msglen) snprintf(msg, msglen, "%s", why);
    return NULL;
}
