/* dynlib.c: shared libraries loaded on first use (see dynlib.h). */
#include "core/dynlib.h"
#include <dlfcn.h>
#include <stdio.h>

int et_dynlib_load(const char *file, const char *what, const char *const *names, void **slots, size_t n,
                   char *why, size_t whylen)
{
    void *h = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(why, whylen, "%s could not be loaded (%s)", what, dlerror());
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (!(slots[i] = dlsym(h, names[i]))) {
            snprintf(why, whylen, "%s could not be loaded (%s lacks %s)", what, file, names[i]);
            return -1;
        }
    return 0;
}
