/* main.c: evtriage's entry point: dispatches to one subcommand per verb. */
#include "cli/cli.h"
#include "core/ydoc.h"
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"analyze", cmd_analyze, "root-cause report over EVTX files, folders and archives"},
    {"dump", cmd_dump, "print every record of EVTX files as JSON Lines or CSV"},
    {"synth", cmd_synth, "write EVTX files from a YAML scenario"},
    {"hunt", cmd_hunt, "match Sigma rules and correlations against EVTX files"},
    {"rules", cmd_rules, "lint or test rule files"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: evtriage [--version] [--help] COMMAND [ARGS]\n\n"
               "Offline Windows event-log (EVTX) analyzer.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\noptions:\n"
               "  -V, --version  the version, the rule packs found and the libraries' versions\n"
               "  -h, --help     this help\n"
               "\n'evtriage COMMAND --help' describes a command.\n"
               "exit codes: 0 ok, 1 some input unreadable or skipped, 2 usage or rule error,\n"
               "            3 a finding reached --fail-on (analyze)\n");
}

/* A batch of thousands of files holds open those in flight, the work window's worth (hundreds
 * of small logs on many cores): the soft limit on descriptors, often 1,024, is raised to the
 * hard one, as far as the system lets a process. */
static void raise_descriptor_limit(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur >= r.rlim_max) return;
    r.rlim_cur = r.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &r);
}

/* Archives store member names as UTF-8 (a zip's flagged names, pax headers) or UTF-16 (7z),
 * and libarchive converts them to the locale's character set: in the C locale, ASCII, every
 * non-ASCII name failed and the archive's listing ended there. Our output is UTF-8 whatever
 * the environment, so the character set is UTF-8 too; only LC_CTYPE: numbers, times and
 * collation stay the C locale's. */
static void use_utf8_names(void)
{
    static const char *const utf8[] = {"C.UTF-8", "C.utf8", "en_US.UTF-8"};
    for (size_t i = 0; i < sizeof utf8 / sizeof *utf8; i++)
        if (setlocale(LC_CTYPE, utf8[i])) return;
}

int main(int argc, char **argv)
{
    raise_descriptor_limit();
    use_utf8_names();
    if (argc < 2) { usage(stderr); return ET_EXIT_USAGE; }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return ET_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        cli_print_version(stdout);
        return ET_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    const char *names[sizeof commands / sizeof *commands + 1] = {0};
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) names[i] = commands[i].name;
    const char *near = yn_suggest(argv[1], names);
    if (near) fprintf(stderr, "evtriage: unknown command '%s' (did you mean '%s'?)\n", argv[1], near);
    else fprintf(stderr, "evtriage: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return ET_EXIT_USAGE;
}
