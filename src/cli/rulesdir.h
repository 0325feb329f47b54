/* rulesdir.h: the bundled rule packs: where they are (a folder holding packs/ and data/) and
 * which they are (a SHA-256 over their files, for --version). */
#ifndef EVTRIAGE_CLI_RULESDIR_H
#define EVTRIAGE_CLI_RULESDIR_H
#include <limits.h>
#include <stddef.h>

/* Where the packs are looked for, in order (docs/install.md, evtriage(1) FILES):
 *   env     $EVTRIAGE_RULES when set (then the only place: a wrong setting is said, not passed over)
 *   exe     the running executable; rel is its folder's way to the packs ("../share/evtriage/rules")
 *   build_dir, source: a binary run from the build folder it was built in reads its source tree's
 *           rules/ (so a developer's build never picks up an older installed copy)
 *   prefix  the install prefix's packs (CMAKE_INSTALL_PREFIX at configure time)
 * A NULL or empty member is left out. */
typedef struct cli_rules_places {
    const char *env, *exe, *rel, *build_dir, *source, *prefix;
} cli_rules_places;

typedef struct cli_rules_where {
    char dir[PATH_MAX];    /* the folder found */
    const char *how;       /* how it was found: "EVTRIAGE_RULES", "beside the executable", ... */
    char looked[4 * PATH_MAX + 512];   /* when none: every place looked, in order, one per line */
} cli_rules_where;

/* The places of this process: $EVTRIAGE_RULES, /proc/self/exe and what the build compiled in. */
void cli_rules_places_here(cli_rules_places *p, char *exe_buf, size_t exe_len);

/* 0 and w->dir, w->how; or -1 and w->looked ("  PATH (how): why not\n" per place). */
int cli_rules_find_in(const cli_rules_places *p, cli_rules_where *w);
int cli_rules_find(cli_rules_where *w);

/* The packs' identity: SHA-256 over "SHA256  RELPATH\n" of every regular *.yml / *.yaml file under
 * dir/packs and dir/data, in byte order of RELPATH; the same as
 *   cd DIR && find packs data -type f \( -name '*.yml' -o -name '*.yaml' \) | LC_ALL=C sort |
 *     xargs sha256sum | sha256sum
 * 0 with hex (64 digits) and *nfiles; -1 with why. */
int cli_packs_sha256(const char *dir, char hex[65], size_t *nfiles, char *why, size_t whylen);

#endif
