/* cli.h: the subcommands and what they share (exit codes, diagnostics). */
#ifndef EVTRIAGE_CLI_H
#define EVTRIAGE_CLI_H

/* Exit codes, documented in README.md. */
enum {
    ET_EXIT_OK = 0,       /* everything read, nothing to report */
    ET_EXIT_PROBLEM = 1,  /* some input unreadable or skipped (the rest was processed) */
    ET_EXIT_USAGE = 2,    /* bad command line */
};

int cmd_dump(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_hunt(int argc, char **argv);
int cmd_rules(int argc, char **argv);

/* Prints "evtriage: " + message to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
