/* cmd_rules.c: placeholder until `evtriage rules` lands (see its issue). */
#include "cli/cli.h"

int cmd_rules(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("rules: not implemented yet");
    return ET_EXIT_USAGE;
}
