/* dynlib.h: a shared library loaded on first use (dlopen) and its functions bound by name: how
 * evtriage keeps libarchive and libcrypto off the start-up of runs that do not need them. */
#ifndef EVTRIAGE_DYNLIB_H
#define EVTRIAGE_DYNLIB_H
#include <stddef.h>

/* Loads file (RTLD_NOW, RTLD_LOCAL) and binds each names[i] into slots[i]. Returns 0, or -1
 * with why ("what could not be loaded (reason)", what being e.g. "libcrypto"). */
int et_dynlib_load(const char *file, const char *what, const char *const *names, void **slots, size_t n,
                   char *why, size_t whylen);

/* A user lists its functions once, as an X-macro FUNCS(X), and keeps them in a union of a
 * struct of typed pointers (__typeof__(&name) name;, from the library's own header, so a wrong
 * signature does not compile) with void *slot[n]; the names for et_dynlib_load are then
 * {FUNCS(ET_DYNLIB_NAME)}. POSIX makes dlsym's pointers callable as functions. */
#define ET_DYNLIB_NAME(name) #name,

#endif
