/* version.c: `evtriage --version`: the program's version, which rule packs it would run (their
 * version and where they were found) and the version of every library it uses, what a support
 * engineer quotes when asking why two machines give different reports. */
#include "cli/cli.h"
#include "cli/rulesdir.h"
#include "core/dynlib.h"
#include "packs_sha256.h"   /* generated: EVTRIAGE_PACKS_SHA256, the packs this build ships */
#include <archive.h>
#include <isa-l.h>
#include <libdeflate.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* libevtx, where the build links it (a weak reference: NULL otherwise). */
extern const char *libevtx_get_version(void) __attribute__((weak));

enum { SHORT_HASH = 12 };   /* hex digits quoted: enough to tell pack sets apart */

/* "rule packs: VERSION+HASH as shipped|modified (N files in DIR, found HOW)" */
static void print_packs(FILE *f)
{
    cli_rules_where w;
    if (cli_rules_find(&w) != 0) {
        fprintf(f, "rule packs: none found; looked in, in order:\n%s", w.looked);
        return;
    }
    char hex[65], why[512];
    size_t n;
    if (cli_packs_sha256(w.dir, hex, &n, why, sizeof why) != 0) {
        fprintf(f, "rule packs: %s (%s; no hash: %s)\n", w.dir, w.how, why);
        return;
    }
    bool shipped = !strcmp(hex, EVTRIAGE_PACKS_SHA256);
    fprintf(f, "rule packs: %s+%.*s %s", EVTRIAGE_VERSION, SHORT_HASH, hex, shipped ? "as shipped" : "modified");
    if (!shipped) fprintf(f, " (shipped: %s+%.*s)", EVTRIAGE_VERSION, SHORT_HASH, EVTRIAGE_PACKS_SHA256);
    fprintf(f, ", %zu files in %s (%s)\n", n, w.dir, w.how);
}

/* ---- libraries: one function per library, listed in the table below ---- */

static void v_libyaml(char *b, size_t n) { snprintf(b, n, "%s", yaml_get_version_string()); }

static void v_pcre2(char *b, size_t n)
{
    char v[64] = "";
    pcre2_config(PCRE2_CONFIG_VERSION, v);
    snprintf(b, n, "%s", v);
}

static void v_libdeflate(char *b, size_t n) { snprintf(b, n, "%s (built with)", LIBDEFLATE_VERSION_STRING); }

static void v_isal(char *b, size_t n)
{
    snprintf(b, n, "%d.%d.%d (built with)", ISAL_MAJOR_VERSION, ISAL_MINOR_VERSION, ISAL_PATCH_VERSION);
}

/* A library evtriage loads on first use (dlopen): loaded now, to say the version it would run. */
static const char *load_one(const char *env, const char *soname, const char *fn_name, void **fn, char *why, size_t whylen)
{
    const char *file = getenv(env);
    if (!file || !*file) file = soname;
    const char *names[] = {fn_name};
    return et_dynlib_load(file, soname, names, fn, 1, why, whylen) == 0 ? file : NULL;
}

static void v_libarchive(char *b, size_t n)
{
    union { void *p; __typeof__(&archive_version_details) f; } fn;
    char why[512];
    if (!load_one("EVTRIAGE_LIBARCHIVE", "libarchive.so.13", "archive_version_details", &fn.p, why, sizeof why))
        snprintf(b, n, "not loadable: archives other than plain zips cannot be read (%s)", why);
    else {
        const char *v = fn.f();
        snprintf(b, n, "%s (loaded when an archive is read)", strncmp(v, "libarchive ", 11) ? v : v + 11);
    }
}

#define ET_STR2(x) #x
#define ET_STR(x) ET_STR2(x)
static void v_libcrypto(char *b, size_t n)
{
    union { void *p; __typeof__(&OpenSSL_version) f; } fn;
    char why[512];
    if (!load_one("EVTRIAGE_LIBCRYPTO", "libcrypto.so." ET_STR(OPENSSL_VERSION_MAJOR), "OpenSSL_version", &fn.p, why,
                  sizeof why))
        snprintf(b, n, "not loadable: inputs cannot be hashed (%s)", why);
    else snprintf(b, n, "%s (loaded when inputs are hashed)", fn.f(OPENSSL_VERSION));
}

static void v_libevtx(char *b, size_t n) { snprintf(b, n, "%s", libevtx_get_version()); }
static bool libevtx_linked(void) { return libevtx_get_version != NULL; }

static const struct library {
    const char *name;
    void (*version)(char *buf, size_t len);
    bool (*linked)(void);   /* NULL: always */
} libraries[] = {
    {"libyaml", v_libyaml, NULL},
    {"pcre2", v_pcre2, NULL},
    {"libdeflate", v_libdeflate, NULL},
    {"isa-l", v_isal, NULL},
    {"libarchive", v_libarchive, NULL},
    {"libcrypto", v_libcrypto, NULL},
    {"libevtx", v_libevtx, libevtx_linked},
};

void cli_print_version(FILE *f)
{
    fprintf(f, "evtriage %s\n", EVTRIAGE_VERSION);
    print_packs(f);
    for (size_t i = 0; i < sizeof libraries / sizeof *libraries; i++) {
        if (libraries[i].linked && !libraries[i].linked()) continue;
        char v[1024];
        libraries[i].version(v, sizeof v);
        fprintf(f, "%s: %s\n", libraries[i].name, v);
    }
}
