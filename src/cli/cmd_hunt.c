/* cmd_hunt.c: placeholder until `evtriage hunt` lands (see its issue). */
#include "cli/cli.h"

int cmd_hunt(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("hunt: not implemented yet");
    return ET_EXIT_USAGE;
}
